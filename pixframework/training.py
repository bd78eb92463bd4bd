"""One training of a project's classifier, in three steps, so that others keep painting meanwhile.

1. Under the project's lock: the samples at the labelled pixels (a consistent snapshot of the
   labels), and what the model will depend on (features, classes, classifier).
2. Without the lock: fitting the classifier (the slow part).
3. Under the lock again: installing the model, unless what it depends on changed meanwhile
   (then :class:`~pixframework.errors.Conflict`: train again).

Each step is announced on the project's event log (``training_started``, ``training_progress``,
``training_finished`` or ``training_failed``).
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from . import pipeline
from .errors import Cancelled, Conflict, Remedy
from .events import EventLog


@dataclass(frozen=True)
class Snapshot:
    """What a training works on, taken under the project's lock."""

    x: np.ndarray
    y: np.ndarray
    samples: dict[str, int]
    feature_names: list[str]
    #: ``(name, params)`` of the classifier to fit
    classifier: tuple[str, Mapping[str, Any]]
    #: what the model depends on, compared again before it is installed
    basis: Any
    #: the revision of the labels the samples were taken from
    revision: int


def train_on_snapshot(
    locked: Callable[[], AbstractContextManager],
    events: EventLog,
    snapshot: Callable[[pipeline.Progress], Snapshot],
    install: Callable[[Snapshot, Any], tuple[dict[str, Any], int]],
    basis: Callable[[], Any],
    progress: pipeline.Progress | None,
) -> dict[str, Any]:
    """Run one training (see the module docstring).

    :param locked: enters the project's lock (and its confinement).
    :param snapshot: takes the :class:`Snapshot` (called under the lock).
    :param install: puts the fitted model in place; returns the model's description and its version
        (the project's model generation), under the lock.
    :param basis: what the model depends on now (compared with the snapshot's, under the lock).
    :param progress: called as ``progress(fraction 0..1, message)``; raising stops the training
        before the project changes.
    """
    started = time.perf_counter()

    def report(fraction: float, message: str) -> None:
        if progress:
            progress(fraction, message)  # raising here (Cancelled) stops the training
        events.progress("training_progress", fraction=float(fraction), message=str(message))

    def failed(exc: BaseException) -> None:
        events.emit("training_failed", message=str(exc), cancelled=isinstance(exc, Cancelled))

    with locked():
        events.emit("training_started")
        try:
            taken = snapshot(report)
        except BaseException as exc:
            failed(exc)
            raise
    try:
        fitted = pipeline.fit_classifier(taken.classifier, taken.x, taken.y, taken.feature_names, report)
        report(1.0, "trained")  # the last chance to cancel, before the project changes
    except BaseException as exc:
        with locked():
            failed(exc)
        raise
    with locked():
        try:
            if basis() != taken.basis:
                raise Conflict("the features, classes or classifier changed while training", remedy=Remedy.TRAIN)
            info, version = install(taken, fitted)
            summary = dict(info, seconds=time.perf_counter() - started)
        except BaseException as exc:
            failed(exc)
            raise
        events.emit("training_finished", model_version=version, labels_revision=taken.revision, summary=summary)
        return summary
