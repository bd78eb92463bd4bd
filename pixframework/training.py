"""One training of a project's classifier, in three steps, so that others keep painting meanwhile.

1. Under the project's lock: the samples at the labelled pixels (a consistent snapshot of the
   labels), and what the model will depend on (:attr:`~pixframework.model_slot.ModelSlot.basis`).
2. Without the lock: fitting the classifier (the slow part).
3. Under the lock again: installing the model, unless features, classes or classifier changed
   meanwhile (then :class:`~pixframework.errors.Conflict`: train again).

Each step is announced on the project's event log (``training_started``, ``training_progress``,
``training_finished`` or ``training_failed``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import pipeline
from .errors import Cancelled, Conflict, Remedy
from .events import EventLog
from .model_slot import ModelSlot


@dataclass(frozen=True)
class Snapshot:
    """What a training works on, taken under the project's lock."""

    x: np.ndarray
    y: np.ndarray
    samples: dict[str, int]
    feature_names: list[str]
    basis: int
    revision: int


def train_on_snapshot(
    lock: threading.RLock,
    events: EventLog,
    model: ModelSlot,
    snapshot: Callable[[pipeline.Progress], Snapshot],
    install: Callable[[Snapshot, Any], dict[str, Any]],
    progress: pipeline.Progress | None,
) -> dict[str, Any]:
    """Run one training (see the module docstring).

    :param snapshot: takes the :class:`Snapshot` (called under ``lock``).
    :param install: puts the fitted model in place and returns the training summary (under ``lock``).
    :param progress: called as ``progress(fraction 0..1, message)``; raising stops the training.
    """
    started = time.perf_counter()

    def report(fraction: float, message: str) -> None:
        if progress:
            progress(fraction, message)  # raising here (Cancelled) stops the training
        events.progress("training_progress", fraction=float(fraction), message=str(message))

    def failed(exc: BaseException) -> None:
        events.emit("training_failed", message=str(exc), cancelled=isinstance(exc, Cancelled))

    with lock:
        events.emit("training_started")
        try:
            taken = snapshot(report)
        except BaseException as exc:
            failed(exc)
            raise
    try:
        fitted = pipeline.fit_classifier(model.choice, taken.x, taken.y, taken.feature_names, report)
    except BaseException as exc:
        with lock:
            failed(exc)
        raise
    with lock:
        try:
            if model.basis != taken.basis:
                raise Conflict("the features, classes or classifier changed while training", remedy=Remedy.TRAIN)
            summary = dict(install(taken, fitted), seconds=time.perf_counter() - started)
        except BaseException as exc:  # e.g. the project was closed meanwhile
            failed(exc)
            raise
        events.emit("training_finished", model_version=model.generation, labels_revision=taken.revision, summary=summary)
        report(1.0, "trained")
        return summary
