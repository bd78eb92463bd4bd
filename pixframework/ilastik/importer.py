"""Turn an ilastik Pixel Classification project (``.ilp``) into a pixframework project.

Everything is read and checked first (:func:`~pixframework.ilastik.plan.read_plan`); the new
project is then built in a hidden sibling directory and renamed into place, so a failure leaves no
``NEW.pixf`` behind. ilastik's trained forest comes along, so the new project predicts like
ilastik until it is retrained.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import Conflict, CorruptData, NotFound, ValidationError
from ..project import Project
from ..store import SUFFIX, project_path
from .paths import parse_stored_path
from .plan import IlpPlan, Source, read_plan
from .report import ImportedImage, ImportReport

Log = Callable[[str], None]


def target_path(new_path: str | os.PathLike) -> Path:
    """The project directory that will be created (``.pixf`` appended when missing)."""
    return project_path(os.path.abspath(os.fspath(new_path)))


def import_project(
    path: str | os.PathLike,
    new_path: str | os.PathLike,
    *,
    search_dirs: Sequence[str | os.PathLike] = (),
    copy_data: bool = False,
    train: bool = False,
    log: Log | None = None,
) -> ImportReport:
    """Import the ilastik project ``path`` as a new pixframework project at ``new_path``.

    Images, label classes (names, colours), every labelled pixel, the feature selection (with
    ilastik desktop's filter definitions) and ilastik's trained forest are imported, so the new
    project predicts like ilastik until it is retrained. Files are used in place unless
    ``copy_data``; data stored inside the ``.ilp`` is always copied.

    :param search_dirs: folders to look in, by file name, for images that are no longer where the
        ``.ilp`` says (searched directly, then recursively; the ``.ilp``'s own folder is tried too).
    :param copy_data: copy external image files into the project as well.
    :param train: train the project's classifier on the imported labels before saving (this
        replaces ilastik's forest).
    :param log: called with a short message per step.
    :raises NotFound: the ``.ilp`` or image files missing (all missing images are listed at once).
    :raises ValidationError: not HDF5, another workflow, data pixframework cannot hold, a forest
        that does not fit the feature selection.
    :raises CorruptData: damaged or inconsistent project contents (e.g. a label block outside its image).
    :raises Conflict: ``new_path`` exists already.
    """
    say = log or (lambda message: None)
    target = target_path(new_path)
    if os.path.lexists(target):
        raise Conflict(f"{target} already exists; choose another name or remove it first")
    plan = read_plan(path, search_dirs=search_dirs, copy_data=copy_data, log=say)
    report = ImportReport(plan.path, str(target), plan.version, workflow=plan.workflow, skipped=list(plan.skipped),
                          notes=list(plan.notes), export_settings=plan.export_settings)
    temp = target.with_name(f".{target.name}.import-{uuid.uuid4().hex[:12]}{SUFFIX}")
    try:
        project = Project.create(temp)
        try:
            populate(project, plan, report, images=True, say=say)
            if train:
                say("training")
                try:
                    report.trained = project.train()
                except ValidationError as exc:
                    report.notes.append(f"not trained: {exc}")
            project.save()
        finally:
            project.close(save=False)
        try:
            os.rename(temp, target)
        except OSError as exc:
            raise Conflict(f"cannot create {target}: {exc}") from None
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    say(f"wrote {target}")
    return report


def populate(project: Project, plan: IlpPlan, report: ImportReport, *, images: bool, say: Log) -> None:
    """Fill an empty project from a plan: classes, features, ilastik's forest and (``images``) the
    images of the lanes whose pixels are at hand, with their labels."""
    for name, color in plan.classes:
        project.add_class(name, color)
    if images:
        _add_images(project, plan, report, say)
    mapped = plan.features
    project.select_features(mapped.selection)
    report.notes += mapped.notes
    if mapped.from_ilastik:
        report.notes.append("features are computed with ilastik desktop's definitions (the ilastik_desktop.* "
                            "filters: presmoothing, window-2 kernels; see docs/ilastik.md)")
    report.skipped += mapped.skipped
    report.features_from_ilastik = mapped.from_ilastik
    report.features = mapped.selection.to_json()
    report.classes = project.classes
    report.label_counts = project.label_counts()
    if plan.model is not None:
        info = forest_info(plan)
        project.set_model(plan.model, info)
        report.forest = info
    else:
        report.notes.append(f"the .ilp holds no usable trained forest: {plan.classifier.missing}")


def forest_info(plan: IlpPlan) -> dict[str, Any]:
    """What the project says about ilastik's forest (``Project.summary()["model"]``)."""
    return {"classifier": plan.model.classifier, "origin": "ilastik", "source": plan.path,
            "forests": len(plan.classifier.forests), "trees": plan.classifier.n_trees,
            "features": plan.classifier.n_features}


def _add_images(project: Project, plan: IlpPlan, report: ImportReport, say: Log) -> None:
    used: set[str] = set()
    for source in plan.sources:
        if source.path is None:
            continue
        say(f"adding {source.lane.label}")
        name = _add_image(project, source, _unique(_image_name(source), used))
        for block in source.blocks:
            if block.labels.any():
                project.set_labels(name, block.labels, offset=block.offset)
        info = project.image_info(name)
        report.images.append(ImportedImage(name, source.lane.index, None if source.internal else source.path,
                                           bool(info["stored"]), tuple(info["shape"]), source.relocated,
                                           source.why_copied))
        if not source.lane.allow_labels:
            report.notes.append(f"{name}: ilastik excluded this image from training; its labels are imported anyway")


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}-{n}", n + 1
    used.add(candidate)
    return candidate


def _image_name(source: Source) -> str:
    """ilastik's nickname; else the file's name without extensions; else ``lane-N``."""
    lane = source.lane
    if lane.nickname:
        return lane.nickname
    if lane.file_path:
        stem = parse_stored_path(lane.file_path, lane.label).file_name.split(".")[0]
        if stem:
            return stem
    return f"lane-{lane.index}"


def _add_image(project: Project, source: Source, name: str) -> str:
    """Add one lane's image: by reference, by lazy copy, or (singleton axes dropped) as an array."""
    from ..io.dispatch import open_image

    layout = source.layout
    assert layout is not None and source.path is not None
    try:
        if not layout.dropped:
            return project.add_image(source.path, axes=layout.kept_axes, name=name, copy=source.copy, format=source.format)
        with contextlib.closing(open_image(source.path, source.format)) as reader:
            pixels = layout.squeeze(reader[tuple(slice(None) for _ in layout.shape)])
        return project.add_image(pixels, axes=layout.kept_axes, name=name)
    except (NotFound, ValidationError, CorruptData) as exc:
        raise type(exc)(f"{source.lane.label}: {exc}") from None
