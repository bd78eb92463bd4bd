"""Everything read from an ``.ilp`` and checked before anything is written: images, labels, classes,
features and ilastik's trained forest (turned into a pixframework model that predicts like it).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py

from ..errors import CorruptData, NotFound, ValidationError
from ..io.axes import infer_axes
from .axes import LaneLayout
from .classifier import StoredClassifier, read_classifier
from .features import MappedFeatures, StoredFeatures, ilastik_columns, map_features, read_features
from .hdf5 import open_ilp, reading
from .header import read_header
from .inventory import export_settings, not_imported
from .labels import Block, class_list, label_sets, read_blocks, read_classes
from .lanes import FILE_SYSTEM, Lane, internal_axes, read_lanes
from .paths import locate, parse_stored_path

Log = Callable[[str], None]
FORESTS_ITEM = "PixelClassification/ClassifierForests"


@dataclass
class Source:
    """Where one lane's pixels come from and how they enter a project (``path`` None: file missing)."""

    lane: Lane
    layout: LaneLayout | None
    path: str | None
    format: str | None
    internal: bool
    copy: bool
    why_copied: str | None = None
    relocated: str | None = None
    blocks: list[Block] = field(default_factory=list)


@dataclass
class IlpPlan:
    """A checked reading of an ``.ilp``.

    :param missing: one line per lane whose image file was not found (only when images were
        allowed to be missing; otherwise that is an error).
    :param model: ilastik's forest as a pixframework model (feature columns in the selection's
        order), or ``None`` with the reason in ``classifier.missing``.
    """

    path: str
    workflow: str
    version: str | None
    sources: list[Source]
    missing: list[str]
    classes: list[tuple[str, str]]
    features: MappedFeatures
    classifier: StoredClassifier
    model: Any
    columns: list[int] | None
    skipped: list[tuple[str, str]]
    notes: list[str]
    export_settings: dict[str, str]

    @property
    def layout(self) -> LaneLayout | None:
        """The first lane's layout: what every image used with the project must match."""
        return next((s.layout for s in self.sources if s.layout is not None), None)

    @property
    def labelled(self) -> list[Source]:
        return [s for s in self.sources if any(b.labels.any() for b in s.blocks)]


def read_plan(path: str | os.PathLike, *, search_dirs: Sequence[str | os.PathLike] = (), copy_data: bool = False,
              require_images: bool = True, log: Log | None = None) -> IlpPlan:
    """Read and check everything in the ``.ilp`` at ``path``; nothing is written.

    :param require_images: a missing image file is an error (import); else the lane is kept
        without pixels, described by what the ``.ilp`` stored (direct use for prediction).
    :raises NotFound, ValidationError, CorruptData: as :func:`pixframework.ilastik.import_project`.
    """
    say = log or (lambda message: None)
    ilp_path = os.path.abspath(os.fspath(path))
    with contextlib.closing(open_ilp(ilp_path)) as ilp:
        workflow, version = read_header(ilp, ilp_path)
        lanes, skipped = read_lanes(ilp)
        sources, missing = _locate_sources(ilp, ilp_path, lanes, search_dirs, copy_data, require_images)
        sets = label_sets(ilp)
        for source in sources:
            if source.lane.index in sets and source.layout is not None:
                say(f"reading labels of {source.lane.label}")
                source.blocks = list(read_blocks(sets[source.lane.index], source.layout, version, source.lane.label))
        indices = {s.lane.index for s in sources}
        skipped += [(g.name, "labels of a lane without raw data") for i, g in sets.items() if i not in indices]
        names, colors = read_classes(ilp)
        maxima = [(int(b.labels.max()), b.name) for s in sources for b in s.blocks if b.labels.size]
        max_label, worst = max(maxima, default=(0, ""))
        classifier = read_classifier(ilp)
        max_label = max([max_label, *classifier.labels])
        classes, notes = class_list(names, colors, max_label)
        if max_label > len(classes):
            where = worst or "the trained forest"
            raise CorruptData(f"{where} uses class {max_label} but the project has {len(classes)} classes")
        stored = read_features(ilp)
        layouts = [s.layout for s in sources if s.layout is not None]
        if not layouts:
            raise ValidationError(f"{ilp_path}: no lane says its image's axes and shape, and no image file was found")
        features = map_features(stored, [layout.spatial_shape for layout in layouts])
        columns = _columns(stored, features, layouts[0])
        model = _model(classifier, features, layouts[0], ilp_path, columns)
        skipped += _not_imported(ilp, classifier, model)
        settings = export_settings(ilp)
    return IlpPlan(ilp_path, workflow, version, sources, missing, classes, features, classifier, model, columns,
                   skipped, notes, settings)


def _not_imported(ilp: h5py.File, classifier: StoredClassifier, model: Any) -> list[tuple[str, str]]:
    items = not_imported(ilp)
    if model is not None:
        return [(item, why) for item, why in items if item != FORESTS_ITEM]
    return [(item, f"not usable: {classifier.missing}" if item == FORESTS_ITEM else why) for item, why in items]


def _columns(stored: StoredFeatures | None, features: MappedFeatures, layout: LaneLayout) -> list[int] | None:
    """Where each of ilastik's feature columns is in the selection's channels (``None``: not all are)."""
    if stored is None or not features.from_ilastik:
        return None
    try:
        return ilastik_columns(stored, features.selection, len(layout.spatial), layout.size("c"))
    except ValidationError:
        return None


def _model(classifier: StoredClassifier, features: MappedFeatures, layout: LaneLayout, ilp_path: str,
           columns: list[int] | None) -> Any:
    """ilastik's forest reading our feature channels, checked against the selection; ``None`` without one."""
    if not classifier.forests:
        return None
    from ..classifiers.vigra_forest import forest_model

    ndim, n_channels = len(layout.spatial), layout.size("c")
    selection = features.selection
    expected = selection.n_features(ndim, n_channels)
    if columns is None or classifier.n_features != expected or len(columns) != expected:
        raise ValidationError(
            f"{ilp_path}: its trained forest expects {classifier.n_features} feature columns, but its feature "
            f"selection gives {expected} for {ndim}D images with {n_channels} channel(s); the .ilp is inconsistent "
            "(saved by a different ilastik version, or edited outside ilastik?)"
        )
    return forest_model(classifier.forests, selection.channel_names(ndim, n_channels), columns=columns,
                        what=f"the forest in {ilp_path}")


def _locate_sources(ilp: h5py.File, ilp_path: str, lanes: list[Lane], search_dirs: Sequence[str | os.PathLike],
                    copy_data: bool, require_images: bool) -> tuple[list[Source], list[str]]:
    """A checked :class:`Source` per lane; all missing files are reported together."""
    sources, missing = [], []
    ilp_dir = Path(ilp_path).parent
    for lane in lanes:
        if lane.location != FILE_SYSTEM:
            sources.append(_internal_source(ilp, ilp_path, lane))
            continue
        assert lane.file_path is not None
        stored = parse_stored_path(lane.file_path, lane.label)
        found = locate(stored, ilp_dir, search_dirs)
        if found.path is None:
            missing.append(f"  {lane.label}: {lane.file_path} not found (looked at: {', '.join(found.tried)})")
            if not require_images:
                sources.append(_stored_only(lane))
            continue
        source = _file_source(lane, found.path, copy_data)
        source.relocated = found.relocated
        sources.append(source)
    if missing and require_images:
        raise NotFound("image files of the ilastik project are missing:\n" + "\n".join(missing) + f"\n{SEARCH_HINT}")
    return sources, missing


SEARCH_HINT = "pass --search-dir DIR (search_dirs=[...]) with the folder(s) the images are in now"


def _stored_only(lane: Lane) -> Source:
    """A lane whose file is missing, described by the axes and shape the ``.ilp`` stored (if any)."""
    layout = None
    if lane.axes is not None and lane.shape is not None:
        layout = LaneLayout(lane.axes, tuple(lane.shape))
        layout.check(lane.label)
    return Source(lane, layout, None, None, internal=False, copy=False)


def _file_source(lane: Lane, path: str, copy_data: bool) -> Source:
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


def _internal_source(ilp: h5py.File, ilp_path: str, lane: Lane) -> Source:
    assert lane.inner_path is not None
    with reading(lane.inner_path):
        shape = tuple(int(s) for s in ilp[lane.inner_path].shape)
    axes = lane.axes or internal_axes(ilp, lane) or infer_axes(shape)
    return _with_layout(lane, LaneLayout(axes, shape), f"{ilp_path}/{lane.inner_path}", "h5", internal=True,
                        copy=True)


def _with_layout(lane: Lane, layout: LaneLayout, path: str, fmt: str | None, *, internal: bool, copy: bool) -> Source:
    layout.check(lane.label)
    source = Source(lane, layout, path, fmt, internal, copy)
    if layout.dropped and not copy:
        source.copy = True
        source.why_copied = f"its axes {layout.axes!r} include a singleton {layout.dropped!r}, which is dropped"
    return source
