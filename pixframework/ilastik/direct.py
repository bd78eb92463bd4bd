"""Use an ``.ilp`` directly, without importing it: a temporary project that predicts like ilastik.

The project holds the ``.ilp``'s classes, its features (ilastik desktop's definitions) and its
trained forest; the training images are not needed. An ``.ilp`` saved without a trained forest is
trained from its labels, as ilastik's headless mode does, which needs its images.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import NotTrained
from .importer import populate
from .plan import SEARCH_HINT, IlpPlan, read_plan
from .report import ImportReport

if TYPE_CHECKING:
    from ..project import Project

Log = Callable[[str], None]


@contextlib.contextmanager
def opened_ilp(path: str | os.PathLike, *, search_dirs: Sequence[str | os.PathLike] = (),
               log: Log | None = None) -> Iterator[tuple["Project", IlpPlan]]:
    """``(project, plan)`` for the ``.ilp`` at ``path``: a project in a temporary folder (removed
    afterwards) ready to predict, and what was read from the ``.ilp``.

    :raises NotTrained: no usable forest in the ``.ilp`` and its labels cannot be used instead
        (no labels, or their images are missing; the message lists them).
    """
    from ..project import Project

    say = log or (lambda message: None)
    plan = read_plan(path, search_dirs=search_dirs, require_images=False, log=say)
    train = plan.model is None
    if train:
        _check_trainable(plan)
        say(f"{plan.path} holds no usable trained forest ({plan.classifier.missing}); training one from its labels")
    folder = tempfile.mkdtemp(prefix="pixf-ilp-")
    try:
        project = Project.create(Path(folder) / "ilastik.pixf")
        try:
            report = ImportReport(plan.path, str(project.path), plan.version, workflow=plan.workflow)
            populate(project, plan, report, images=train, say=say)
            if train:
                project.train()
            yield project, plan
        finally:
            project.close(save=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check_trainable(plan: IlpPlan) -> None:
    why = plan.classifier.missing
    if plan.missing:
        raise NotTrained(f"{plan.path} holds no usable trained forest ({why}), and its training images are "
                         "missing, so it cannot be trained from its labels:\n" + "\n".join(plan.missing)
                         + f"\n{SEARCH_HINT}")
    if not plan.labelled:
        raise NotTrained(f"{plan.path} holds no usable trained forest ({why}) and no labels to train one; "
                         "label and train in ilastik, then save")
