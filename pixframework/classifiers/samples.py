"""Training samples from sparse labels: feature vectors computed only around labelled pixels.

Labels are mostly empty (a few strokes on a large image), so features are never computed over
whole images here: the label array is walked in blocks, and for each block holding labels the
features are computed over the bounding box of its labelled pixels only (the feature engine
reads that box plus the halo its filters need, so values equal a whole-image computation).
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ..errors import ValidationError
from ..io.axes import to_canonical

Progress = Callable[[float, str], None]
Item = tuple[Any, "str | None", Any]


def block_shape(ndim: int, block: int | Sequence[int]) -> tuple[int, ...]:
    """Block edges per spatial axis.

    An int is the 2D edge; in 3D it becomes a cube of about the same number of pixels
    (``round(block ** (2/3))``), so a block's features take the same memory in 2D and 3D.
    """
    if isinstance(block, (int, np.integer)):
        if block < 1:
            raise ValidationError(f"block must be >= 1, got {block}")
        edge = int(block) if ndim == 2 else max(8, int(round(float(block) ** (2.0 / 3.0))))
        return (edge,) * ndim
    edges = tuple(int(b) for b in block)
    if len(edges) != ndim or min(edges) < 1:
        raise ValidationError(f"block {tuple(block)} must give {ndim} positive edges")
    return edges


def _blocks(shape: Sequence[int], edges: Sequence[int]) -> Iterable[tuple[slice, ...]]:
    """Slices of the blocks tiling ``shape``, in C order."""
    ranges = [range(0, size, edge) for size, edge in zip(shape, edges)]
    for starts in itertools.product(*ranges):
        yield tuple(slice(s, min(s + e, size)) for s, e, size in zip(starts, edges, shape))


def _spatial_shape(image: Any, axes: str | None) -> tuple[tuple[int, ...], int]:
    """Spatial shape ``(z)yx`` and channel count of ``image`` (reads no pixels)."""
    view, _ = to_canonical(image, axes)
    return tuple(int(s) for s in view.shape[:-1]), int(view.shape[-1])


def _check_labels(labels: Any, spatial: tuple[int, ...], index: int) -> Any:
    if not hasattr(labels, "shape") or not hasattr(labels, "__getitem__"):
        labels = np.asarray(labels)
    shape = tuple(int(s) for s in labels.shape)
    if shape != spatial:
        raise ValidationError(
            f"labels of image {index} have shape {shape} but the image's spatial shape (z)yx is {spatial}"
        )
    dtype = np.dtype(getattr(labels, "dtype", np.int64))
    if dtype.kind not in "iu":
        raise ValidationError(f"labels of image {index} must be integers (0 = unlabelled), got dtype {dtype}")
    return labels


def _bounding_box(mask: np.ndarray) -> tuple[slice, ...]:
    """Smallest box (slices relative to ``mask``) holding all its True pixels."""
    box = []
    for axis in range(mask.ndim):
        other = tuple(a for a in range(mask.ndim) if a != axis)
        hit = np.flatnonzero(mask.any(axis=other))
        box.append(slice(int(hit[0]), int(hit[-1]) + 1))
    return tuple(box)


def _n_features_of(selection: Any, ndim: int, n_channels: int) -> int:
    from ..features import FeatureSelection

    if selection is None:
        selection = FeatureSelection.default()
    elif not isinstance(selection, FeatureSelection):
        selection = FeatureSelection.from_json(selection)
    return selection.n_features(ndim, n_channels)


def gather_samples(
    items: Iterable[Item],
    selection: Any = None,
    *,
    block: int | Sequence[int] = 256,
    progress: Progress | None = None,
    return_positions: bool = False,
) -> tuple[np.ndarray, ...]:
    """Feature vectors and class values of all labelled pixels of all images.

    :param items: ``(image, axes, labels)`` per image: ``image`` a numpy array or lazy reader with
        ``axes`` (``None``: inferred); ``labels`` an integer array-like (numpy, zarr, sparse labels)
        of the image's spatial shape in canonical order ``(z)yx``; 0 = unlabelled, classes > 0.
    :param selection: a :class:`~pixframework.features.FeatureSelection` (``None``: the default).
    :param block: label blocks walked at a time (see :func:`block_shape`); features are computed
        over the bounding box of each block's labelled pixels.
    :param progress: called as ``progress(fraction 0..1, message)`` after each block.
    :param return_positions: also return where each sample came from.
    :returns: ``(X, y)``: ``X`` float32 ``(n, F)`` C-contiguous, ``y`` int64 ``(n,)``, ordered by
        image, then block (C order), then pixel (C order). With ``return_positions``, also
        ``positions`` int64 ``(n, 4)``: image index, z (0 in 2D), y, x.
    :raises ValidationError: labels of the wrong shape or dtype, negative labels, or images giving
        different numbers of features.
    """
    from ..features import compute_features

    items = list(items)
    plans = []
    for index, (image, axes, labels) in enumerate(items):
        spatial, n_channels = _spatial_shape(image, axes)
        labels = _check_labels(labels, spatial, index)
        plans.append((image, axes, labels, spatial, n_channels, list(_blocks(spatial, block_shape(len(spatial), block)))))
    total = sum(len(plan[-1]) for plan in plans) or 1
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    n_features: int | None = None
    done = 0
    for index, (image, axes, labels, spatial, n_channels, blocks) in enumerate(plans):
        for slices in blocks:
            done += 1
            values = np.asarray(labels[slices])
            mask = values != 0
            if mask.any():
                if (values < 0).any():
                    raise ValidationError(f"labels of image {index} hold negative values; use 0 for unlabelled and > 0 for classes")
                box = _bounding_box(mask)
                region = tuple(slice(s.start + b.start, s.start + b.stop) for s, b in zip(slices, box))
                features = compute_features(image, selection, axes=axes, region=region)
                if n_features is None:
                    n_features = int(features.shape[-1])
                elif features.shape[-1] != n_features:
                    raise ValidationError(
                        f"image {index} gives {features.shape[-1]} features but earlier images gave {n_features}; "
                        "all images of a project need the same number of channels"
                    )
                inside = mask[box]
                xs.append(np.asarray(features[inside], dtype=np.float32))
                ys.append(values[box][inside].astype(np.int64))
                if return_positions:
                    coords = np.argwhere(inside) + np.array([r.start for r in region])
                    where = np.zeros((len(coords), 4), np.int64)
                    where[:, 0] = index
                    where[:, 4 - len(spatial) :] = coords
                    positions.append(where)
            if progress is not None:
                progress(done / total, f"features around labels: block {done} of {total}")
    if n_features is None:
        n_features = _n_features_of(selection, len(plans[0][3]), plans[0][4]) if plans else 0
    X = np.concatenate(xs) if xs else np.empty((0, n_features), np.float32)
    y = np.concatenate(ys) if ys else np.empty(0, np.int64)
    if not return_positions:
        return X, y
    return X, y, (np.concatenate(positions) if positions else np.empty((0, 4), np.int64))
