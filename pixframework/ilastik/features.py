"""ilastik's feature selection (``FeatureSelections``) as a pixframework :class:`FeatureSelection`.

Stored: ``FeatureIds`` (names), ``Scales`` (sigmas in pixels), ``SelectionMatrix`` (features x scales,
bool) and, since ilastik 1.3, ``ComputeIn2d`` (one flag per scale: run that scale per z-slice).

ilastik's feature columns run by feature (in ``FeatureIds`` order), then scale (in ``Scales``
order), then input channel, then eigenvalue; :func:`ilastik_columns` maps them onto the
selection's channel order, so ilastik's forest can read our features.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import h5py
import numpy as np

from ..builtins.desktop_filters import DESKTOP_NAMES
from ..errors import CorruptData, ValidationError
from ..features.selection import FeatureEntry, FeatureSelection
from ..registry import Registry, get_registry
from .hdf5 import dataset, read_numbers, read_texts

GROUP = "FeatureSelections"
#: ilastik feature ids -> pixframework filter names
FILTERS = {
    "GaussianSmoothing": "gaussian_smoothing",
    "LaplacianOfGaussian": "laplacian_of_gaussian",
    "GaussianGradientMagnitude": "gaussian_gradient_magnitude",
    "DifferenceOfGaussians": "difference_of_gaussians",
    "StructureTensorEigenvalues": "structure_tensor_eigenvalues",
    "HessianOfGaussianEigenvalues": "hessian_of_gaussian_eigenvalues",
}


@dataclass
class StoredFeatures:
    """The feature matrix as ilastik stored it."""

    ids: list[str]
    scales: list[float]
    matrix: np.ndarray  # bool, (len(ids), len(scales))
    in_2d: list[bool] | None  # per scale; None when the project predates ComputeIn2d


@dataclass
class MappedFeatures:
    """Result of mapping: the selection to use and what happened on the way."""

    selection: FeatureSelection
    from_ilastik: bool
    notes: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def read_features(ilp: h5py.File) -> StoredFeatures | None:
    """The stored matrix, or ``None`` when the project has no (complete) feature selection."""
    group = ilp.get(GROUP)
    if not isinstance(group, h5py.Group):
        return None
    ids_ds, scales_ds, matrix_ds = (dataset(group, n) for n in ("FeatureIds", "Scales", "SelectionMatrix"))
    if ids_ds is None or scales_ds is None or matrix_ds is None:
        return None
    ids = read_texts(ids_ds)
    scales = [float(s) for s in read_numbers(scales_ds, "iuf").reshape(-1)]
    matrix = read_numbers(matrix_ds, "biu").astype(bool)
    if matrix.shape != (len(ids), len(scales)):
        raise CorruptData(
            f"{matrix_ds.name} has shape {matrix.shape}, expected {len(ids)} features x {len(scales)} scales"
        )
    in_2d_ds = dataset(group, "ComputeIn2d")
    in_2d = None
    if in_2d_ds is not None:
        in_2d = [bool(v) for v in read_numbers(in_2d_ds, "biu").reshape(-1)]
        if len(in_2d) != len(scales):
            raise CorruptData(f"{in_2d_ds.name} has {len(in_2d)} flags for {len(scales)} scales")
    return StoredFeatures(ids, scales, matrix, in_2d)


def _entry_for(stored: StoredFeatures, i: int, j: int, three_d: bool, desktop: bool) -> FeatureEntry | None:
    """Our entry for ilastik's feature ``i`` at scale ``j`` (``None`` for an unknown feature id)."""
    name = FILTERS.get(stored.ids[i])
    if name is None:
        return None
    flat = three_d and stored.in_2d is not None and stored.in_2d[j]
    return FeatureEntry(DESKTOP_NAMES[name] if desktop else name, stored.scales[j], flat)


def map_features(
    stored: StoredFeatures | None,
    spatial_shapes: Sequence[tuple[int, ...]],
    registry: Registry | None = None,
    *,
    desktop: bool = True,
) -> MappedFeatures:
    """Our selection for ilastik's matrix, fitted to the images (``(z)yx`` spatial shapes, pixels).

    :param desktop: use the ilastik desktop variants of the filters (``ilastik_desktop.*``, what
        ilastik computed and its forest was trained on); ``False``: the clean definitions.

    Entries that do not fit an image follow ilastik's behaviour: a scale too large for the z extent
    is computed per slice (in 2D); one too large in y/x is skipped. Unknown feature ids are skipped.
    Without a usable stored selection the default selection is used, fitted the same way.
    """
    registry = registry if registry is not None else get_registry()
    three_d = bool(spatial_shapes) and len(spatial_shapes[0]) == 3
    mapped = MappedFeatures(FeatureSelection([], registry), from_ilastik=False)
    wanted: list[FeatureEntry] = []
    if stored is not None:
        for i, feature_id in enumerate(stored.ids):
            chosen = [j for j in range(len(stored.scales)) if stored.matrix[i, j]]
            if FILTERS.get(feature_id) is None:
                if chosen:
                    mapped.skipped.append((f"feature {feature_id}", "not a feature pixframework knows"))
                continue
            wanted += [e for j in chosen if (e := _entry_for(stored, i, j, three_d, desktop)) is not None]
        mapped.from_ilastik = bool(wanted)
    if not wanted:
        mapped.notes.append("the ilastik project selects no features; using pixframework's default selection")
        wanted = list(FeatureSelection.default(registry).entries)
    kept = []
    for entry in wanted:
        fitted = _fit(entry, spatial_shapes, registry, three_d, mapped)
        if fitted is not None and fitted not in kept:
            kept.append(fitted)
    if not kept:
        raise ValidationError("none of the selected features fits the images (scales too large?)")
    mapped.selection = FeatureSelection(kept, registry)
    return mapped


def _fits(entry: FeatureEntry, shapes: Sequence[tuple[int, ...]], registry: Registry) -> str | None:
    """``None`` if ``entry`` is valid for every image, else the reason it is not."""
    try:
        for shape in shapes or [None]:
            FeatureSelection([entry], registry).validate(registry, shape)
    except ValidationError as exc:
        return str(exc)
    return None


def _fit(
    entry: FeatureEntry,
    shapes: Sequence[tuple[int, ...]],
    registry: Registry,
    three_d: bool,
    mapped: MappedFeatures,
) -> FeatureEntry | None:
    problem = _fits(entry, shapes, registry)
    if problem is None:
        return entry
    if three_d and not entry.in_2d:
        flat = FeatureEntry(entry.filter, entry.scale, True)
        if _fits(flat, shapes, registry) is None:
            mapped.notes.append(
                f"{entry.label()} is too large for the z extent; computed in 2D (as ilastik does)"
            )
            return flat
    mapped.skipped.append((f"feature {entry.label()}", problem))
    return None


def ilastik_columns(
    stored: StoredFeatures, selection: FeatureSelection, ndim: int, n_channels: int, registry: Registry | None = None
) -> list[int]:
    """For each of ilastik's feature columns, the channel of ``selection`` holding the same feature.

    :param ndim: spatial dimensions of the images (2 or 3); ``n_channels``: their channels.
    :raises ValidationError: a column ilastik computed has no counterpart in the selection (e.g. a
        feature left out because its scale does not fit the images).
    """
    registry = registry if registry is not None else get_registry()
    ours: dict[tuple[FeatureEntry, int, int], int] = {}
    channel = 0
    for entry, spec in selection.specs(registry):
        n = spec.n_outputs(entry.effective_ndim(ndim))
        for c in range(n_channels):
            for k in range(n):
                ours[(entry, c, k)] = channel
                channel += 1
    columns = []
    for i in range(len(stored.ids)):
        for j in range(len(stored.scales)):
            if not stored.matrix[i, j]:
                continue
            entry = _entry_for(stored, i, j, ndim == 3, selection_is_desktop(selection))
            if entry is None or (entry, 0, 0) not in ours:
                what = f"{stored.ids[i]} at scale {stored.scales[j]:g}"
                raise ValidationError(f"ilastik's forest uses {what}, which the feature selection does not compute")
            n = registry.filter(entry.filter).n_outputs(entry.effective_ndim(ndim))
            columns += [ours[(entry, c, k)] for c in range(n_channels) for k in range(n)]
    return columns


def selection_is_desktop(selection: FeatureSelection) -> bool:
    """Whether the selection uses the ilastik desktop variants (``ilastik_desktop.*``)."""
    return any(entry.filter in DESKTOP_NAMES.values() for entry in selection)
