"""Turn an ilastik Pixel Classification project (``.ilp``) into a pixframework project.

Everything is read and checked before anything is written; the new project is then built in a
hidden sibling directory and renamed into place, so a failure leaves no ``NEW.pixf`` behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import h5py

from ..errors import Conflict, CorruptData, NotFound, ValidationError
from ..io.axes import infer_axes
from ..project import Project
from ..store import SUFFIX, project_path
from .axes import LaneLayout
from .features import map_features, read_features
from .hdf5 import open_ilp, reading
from .header import read_header
from .inventory import export_settings, not_imported
from .labels import Block, class_list, label_sets, read_blocks, read_classes
from .lanes import FILE_SYSTEM, Lane, internal_axes, read_lanes
from .paths import locate, parse_stored_path
from .report import ImportedImage, ImportReport

if TYPE_CHECKING:
    from .features import StoredFeatures

Log = Callable[[str], None]


@dataclass
class _Source:
    """Where one lane's pixels come from and how they enter the new project."""

    lane: Lane
    layout: LaneLayout
    path: str  # file to read (for internal data: the .ilp plus the dataset inside it)
    format: str | None
    internal: bool
    copy: bool
    why_copied: str | None = None
    relocated: str | None = None
    blocks: list[Block] = field(default_factory=list)


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

    Images, label classes (names, colours), every labelled pixel and the feature selection are
    imported; ilastik's trained forest is not (the project is retrained from the labels). Files
    are used in place unless ``copy_data``; data stored inside the ``.ilp`` is always copied.

    :param search_dirs: folders to look in, by file name, for images that are no longer where the
        ``.ilp`` says (searched directly, then recursively; the ``.ilp``'s own folder is tried too).
    :param copy_data: copy external image files into the project as well.
    :param train: train the default classifier on the imported labels before saving.
    :param log: called with a short message per step.
    :raises NotFound: the ``.ilp`` or image files missing (all missing images are listed at once).
    :raises ValidationError: not HDF5, another workflow, data pixframework cannot hold.
    :raises CorruptData: damaged or inconsistent project contents (e.g. a label block outside its image).
    :raises Conflict: ``new_path`` exists already.
    """
    say = log or (lambda message: None)
    ilp_path = os.path.abspath(os.fspath(path))
    target = target_path(new_path)
    if os.path.lexists(target):
        raise Conflict(f"{target} already exists; choose another name or remove it first")
    with contextlib.closing(open_ilp(ilp_path)) as ilp:
        _, version = read_header(ilp, ilp_path)
        lanes, skipped = read_lanes(ilp)
        sources = _locate_sources(ilp, ilp_path, lanes, search_dirs, copy_data)
        sets = label_sets(ilp)
        for source in sources:
            if source.lane.index in sets:
                say(f"reading labels of {source.lane.label}")
                source.blocks = list(
                    read_blocks(sets[source.lane.index], source.layout, version, source.lane.label)
                )
        lane_indices = {s.lane.index for s in sources}
        skipped += [
            (group.name, "labels of a lane without raw data")
            for i, group in sets.items()
            if i not in lane_indices
        ]
        names, colors = read_classes(ilp)
        maxima = [(int(b.labels.max()), b.name) for s in sources for b in s.blocks if b.labels.size]
        max_label, worst = max(maxima, default=(0, ""))
        classes, notes = class_list(names, colors, max_label)
        if max_label > len(classes):
            raise CorruptData(f"{worst} uses class {max_label} but the project has {len(classes)} classes")
        stored_features = read_features(ilp)
        report = ImportReport(
            ilp_path,
            str(target),
            version,
            skipped=skipped + not_imported(ilp),
            notes=notes,
            export_settings=export_settings(ilp),
        )
        temp = target.with_name(f".{target.name}.import-{uuid.uuid4().hex[:12]}{SUFFIX}")
        try:
            _build(temp, sources, classes, stored_features, report, train, say)
            try:
                os.rename(temp, target)
            except OSError as exc:
                raise Conflict(f"cannot create {target}: {exc}") from None
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
    say(f"wrote {target}")
    return report


def _locate_sources(
    ilp: h5py.File,
    ilp_path: str,
    lanes: list[Lane],
    search_dirs: Sequence[str | os.PathLike],
    copy_data: bool,
) -> list[_Source]:
    """A checked :class:`_Source` per lane; all missing files are reported together."""
    sources, missing = [], []
    ilp_dir = Path(ilp_path).parent
    for lane in lanes:
        if lane.location == FILE_SYSTEM:
            assert lane.file_path is not None
            stored = parse_stored_path(lane.file_path, lane.label)
            found = locate(stored, ilp_dir, search_dirs)
            if found.path is None:
                missing.append(
                    f"  {lane.label}: {lane.file_path} not found (looked at: {', '.join(found.tried)})"
                )
                continue
            source = _file_source(lane, found.path, copy_data)
            source.relocated = found.relocated
        else:
            source = _internal_source(ilp, ilp_path, lane)
        sources.append(source)
    if missing:
        hint = "pass --search-dir DIR (search_dirs=[...]) with the folder(s) the images are in now"
        raise NotFound("image files of the ilastik project are missing:\n" + "\n".join(missing) + f"\n{hint}")
    return sources


def _file_source(lane: Lane, path: str, copy_data: bool) -> _Source:
    from ..io.dispatch import open_image

    try:
        with contextlib.closing(open_image(path)) as reader:
            shape = tuple(int(s) for s in reader.shape)
            axes = lane.axes or reader.axes or infer_axes(shape)
    except (NotFound, ValidationError, CorruptData) as exc:
        raise type(exc)(f"{lane.label}: {exc}") from None
    if lane.shape is not None and tuple(lane.shape) != shape:
        raise ValidationError(
            f"{lane.label}: {path} has shape {shape} but the ilastik project saw {tuple(lane.shape)}; "
            "the file changed since the project was saved, so its labels would not fit"
        )
    return _with_layout(lane, LaneLayout(axes, shape), path, None, internal=False, copy=copy_data)


def _internal_source(ilp: h5py.File, ilp_path: str, lane: Lane) -> _Source:
    assert lane.inner_path is not None
    with reading(lane.inner_path):
        shape = tuple(int(s) for s in ilp[lane.inner_path].shape)
    axes = lane.axes or internal_axes(ilp, lane) or infer_axes(shape)
    return _with_layout(
        lane, LaneLayout(axes, shape), f"{ilp_path}/{lane.inner_path}", "h5", internal=True, copy=True
    )


def _with_layout(
    lane: Lane, layout: LaneLayout, path: str, fmt: str | None, *, internal: bool, copy: bool
) -> _Source:
    layout.check(lane.label)
    source = _Source(lane, layout, path, fmt, internal, copy)
    if layout.dropped and not copy:
        source.copy = True
        source.why_copied = (
            f"its axes {layout.axes!r} include a singleton {layout.dropped!r}, which is dropped"
        )
    return source


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}-{n}", n + 1
    used.add(candidate)
    return candidate


def _image_name(source: _Source) -> str:
    """ilastik's nickname; else the file's name without extensions; else ``lane-N``."""
    lane = source.lane
    if lane.nickname:
        return lane.nickname
    if lane.file_path:
        stem = parse_stored_path(lane.file_path, lane.label).file_name.split(".")[0]
        if stem:
            return stem
    return f"lane-{lane.index}"


def _add_image(project: Project, source: _Source, name: str) -> str:
    """Add one lane's image: by reference, by lazy copy, or (singleton axes dropped) as an array."""
    from ..io.dispatch import open_image

    layout = source.layout
    try:
        if not layout.dropped:
            return project.add_image(source.path, axes=layout.kept_axes, name=name, copy=source.copy, format=source.format)
        with contextlib.closing(open_image(source.path, source.format)) as reader:
            pixels = layout.squeeze(reader[tuple(slice(None) for _ in layout.shape)])
        return project.add_image(pixels, axes=layout.kept_axes, name=name)
    except (NotFound, ValidationError, CorruptData) as exc:
        raise type(exc)(f"{source.lane.label}: {exc}") from None


def _build(
    temp: Path,
    sources: list[_Source],
    classes: list[tuple[str, str]],
    stored_features: StoredFeatures | None,
    report: ImportReport,
    train: bool,
    say: Log,
) -> None:
    project = Project.create(temp)
    try:
        for name, color in classes:
            project.add_class(name, color)
        used: set[str] = set()
        for source in sources:
            say(f"adding {source.lane.label}")
            name = _add_image(project, source, _unique(_image_name(source), used))
            for block in source.blocks:
                if block.labels.any():
                    project.set_labels(name, block.labels, offset=block.offset)
            info = project.image_info(name)
            report.images.append(
                ImportedImage(
                    name,
                    source.lane.index,
                    None if source.internal else source.path,
                    bool(info["stored"]),
                    tuple(info["shape"]),
                    source.relocated,
                    source.why_copied,
                )
            )
            if not source.lane.allow_labels:
                report.notes.append(
                    f"{name}: ilastik excluded this image from training; its labels are imported anyway"
                )
        mapped = map_features(stored_features, [s.layout.spatial_shape for s in sources])
        project.select_features(mapped.selection)
        report.notes += mapped.notes
        if mapped.from_ilastik:
            report.notes.append(
                "features are computed with pixframework's definitions, which differ slightly from "
                "ilastik desktop's (no presmoothing; see docs/ilastik.md)"
            )
        report.skipped += mapped.skipped
        report.features_from_ilastik = mapped.from_ilastik
        report.features = mapped.selection.to_json()
        report.classes = project.classes
        report.label_counts = project.label_counts()
        if train:
            say("training")
            try:
                report.trained = project.train()
            except ValidationError as exc:
                report.notes.append(f"not trained: {exc}")
        project.save()
    finally:
        project.close(save=False)
