"""The pixel pipeline: image -> feature channels -> training samples, and features -> class probabilities.

:class:`~pixframework.project.Project` (interactive, whole-image features cached when they fit) and
:mod:`pixframework.blockwise` (one block at a time) both go through these functions; they differ
only in where the features of a region come from, a :data:`FeaturesOf` function.

Training samples: labels are mostly empty (a few strokes on a large image), so features are never
needed over whole images: the label array is walked in blocks (the non-empty chunks of
:class:`~pixframework.labels.SparseLabels`), and for each block holding labels the features of
the bounding box of its labelled pixels are asked for (the feature engine reads that box plus
the halo its filters need, so values equal a whole-image computation).
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from . import outputs
from .cache import ProjectCache
from .classifiers.api import predict_probabilities, train_model
from .errors import ValidationError
from .features.engine import compute_features
from .features.selection import FeatureSelection
from .io.axes import to_canonical
from .labels import SparseLabels, check_label_array
from .specs import Model

#: features of a region: spatial slices ``(z)yx`` -> float32 ``(*region_shape, n_features)``
FeaturesOf = Callable[[tuple[slice, ...]], np.ndarray]
Progress = Callable[[float, str], None]
Item = tuple[Any, "str | None", Any]


# --------------------------------------------------------------------------- where features come from


def computed_features(image: Any, axes: str | None, selection: FeatureSelection) -> FeaturesOf:
    """Features computed by the engine for each region asked (reading only the region plus halo)."""
    return lambda region: compute_features(image, selection, axes=axes, region=region)


def planes_features(planes: np.ndarray) -> FeaturesOf:
    """Features sliced from whole-image channel-first planes ``(F, *spatial)`` (no computation)."""
    return lambda region: np.moveaxis(planes[(slice(None),) + tuple(region)], 0, -1)


def cached_features(cache: ProjectCache, image_id: str, image: Any, axes: str, selection: FeatureSelection) -> FeaturesOf:
    """Features sliced from whole-image planes kept in ``cache`` when they fit it, else computed per region.

    The planes are computed on first use (and then held by the returned function even if the
    cache evicts them), so training on many strokes computes each image's features once.
    """
    view, _ = to_canonical(image, axes)
    spatial, n_channels = tuple(int(s) for s in view.shape[:-1]), int(view.shape[-1])
    if not cache.fits(selection.n_features(len(spatial), n_channels) * int(np.prod(spatial)) * 4):
        return computed_features(image, axes, selection)
    key = _selection_key(selection)
    planes: list[np.ndarray] = []

    def whole_image() -> np.ndarray:
        return np.moveaxis(compute_features(image, selection, axes=axes), -1, 0)

    def features_of(region: tuple[slice, ...]) -> np.ndarray:
        if not planes:
            planes.append(cache.feature_planes(image_id, key, whole_image))
        return planes_features(planes[0])(region)

    return features_of


def features_if_cached(cache: ProjectCache, image_id: str, image: Any, axes: str, selection: FeatureSelection) -> FeaturesOf:
    """Features sliced from whole-image planes if ``cache`` holds them already, else computed per region.

    Unlike :func:`cached_features` it never computes whole-image planes, so the cost follows the
    regions asked for (guidance on images too big to analyse whole).
    """
    planes = cache.cached_feature_planes(image_id, _selection_key(selection))
    return planes_features(planes) if planes is not None else computed_features(image, axes, selection)


def _selection_key(selection: FeatureSelection) -> str:
    return json.dumps(selection.to_json(), sort_keys=True)


# --------------------------------------------------------------------------- training samples


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


def label_blocks(labels: Any, spatial: tuple[int, ...], block: int | Sequence[int]) -> list[tuple[slice, ...]]:
    """Regions to walk, in C order: the non-empty chunks of sparse labels, else blocks tiling the image."""
    if isinstance(labels, SparseLabels):
        regions = []
        for index, chunk in labels.chunk_items():
            origin = labels.chunk_origin(index)
            regions.append(tuple(slice(o, o + s) for o, s in zip(origin, chunk.shape)))
        return regions
    edges = block_shape(len(spatial), block)
    ranges = [range(0, size, edge) for size, edge in zip(spatial, edges)]
    return [
        tuple(slice(s, min(s + e, size)) for s, e, size in zip(starts, edges, spatial))
        for starts in itertools.product(*ranges)
    ]


def _bounding_box(mask: np.ndarray) -> tuple[slice, ...]:
    """Smallest box (slices relative to ``mask``) holding all its True pixels."""
    box = []
    for axis in range(mask.ndim):
        other = tuple(a for a in range(mask.ndim) if a != axis)
        hit = np.flatnonzero(mask.any(axis=other))
        box.append(slice(int(hit[0]), int(hit[-1]) + 1))
    return tuple(box)


class _Samples:
    """Feature vectors, class values and positions collected image by image."""

    def __init__(self, positions: bool):
        self.xs: list[np.ndarray] = []
        self.ys: list[np.ndarray] = []
        self.where: list[np.ndarray] | None = [] if positions else None
        self.n_features: int | None = None

    def add_image(self, index: int, labels: Any, features_of: FeaturesOf, regions: Iterable[tuple[slice, ...]],
                  step: Callable[[], None]) -> None:  # fmt: skip
        for slices in regions:
            values = np.asarray(labels[slices])
            mask = values != 0
            if mask.any():
                if (values < 0).any():
                    raise ValidationError(f"labels of image {index} hold negative values; use 0 for unlabelled and > 0 for classes")
                box = _bounding_box(mask)
                region = tuple(slice(s.start + b.start, s.start + b.stop) for s, b in zip(slices, box))
                features = features_of(region)
                if self.n_features is None:
                    self.n_features = int(features.shape[-1])
                elif features.shape[-1] != self.n_features:
                    raise ValidationError(
                        f"image {index} gives {features.shape[-1]} features but earlier images gave {self.n_features}; "
                        "all images of a project need the same number of channels"
                    )
                inside = mask[box]
                self.xs.append(np.asarray(features[inside], dtype=np.float32))
                self.ys.append(values[box][inside].astype(np.int64))
                if self.where is not None:
                    coords = np.argwhere(inside) + np.array([r.start for r in region])
                    where = np.zeros((len(coords), 4), np.int64)
                    where[:, 0] = index
                    where[:, 4 - len(region) :] = coords
                    self.where.append(where)
            step()

    def result(self, n_features: Callable[[], int]) -> tuple[np.ndarray, ...]:
        n = self.n_features if self.n_features is not None else n_features()
        X = np.ascontiguousarray(np.concatenate(self.xs)) if self.xs else np.empty((0, n), np.float32)
        y = np.concatenate(self.ys) if self.ys else np.empty(0, np.int64)
        if self.where is None:
            return X, y
        return X, y, (np.concatenate(self.where) if self.where else np.empty((0, 4), np.int64))


def labelled_samples(
    sources: Sequence[tuple[Any, FeaturesOf]],
    spatial_shapes: Sequence[tuple[int, ...]],
    n_features: Callable[[], int],
    *,
    block: int | Sequence[int] = 256,
    progress: Progress | None = None,
    return_positions: bool = False,
) -> tuple[np.ndarray, ...]:
    """Feature vectors and class values at the labelled pixels of several images.

    :param sources: ``(labels, features_of)`` per image; labels checked by the caller.
    :param n_features: gives the feature count of the empty result when nothing is labelled.
    :returns: as :func:`gather_samples`.
    """
    plans = [label_blocks(labels, spatial, block) for (labels, _), spatial in zip(sources, spatial_shapes)]
    total = sum(len(p) for p in plans) or 1
    done = [0]

    def step() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0] / total, f"features around labels: block {done[0]} of {total}")

    samples = _Samples(return_positions)
    for index, ((labels, features_of), regions) in enumerate(zip(sources, plans)):
        samples.add_image(index, labels, features_of, regions, step)
    return samples.result(n_features)


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
    :param selection: anything :meth:`FeatureSelection.coerce` accepts (``None``: the default).
    :param block: label blocks walked at a time (see :func:`block_shape`; sparse labels are walked
        by their non-empty chunks); features are computed over the bounding box of each block's
        labelled pixels.
    :param progress: called as ``progress(fraction 0..1, message)`` after each block.
    :param return_positions: also return where each sample came from.
    :returns: ``(X, y)``: ``X`` float32 ``(n, F)`` C-contiguous, ``y`` int64 ``(n,)``, ordered by
        image, then block (C order), then pixel (C order). With ``return_positions``, also
        ``positions`` int64 ``(n, 4)``: image index, z (0 in 2D), y, x.
    :raises ValidationError: labels of the wrong shape or dtype, negative labels, or images giving
        different numbers of features.
    """
    selection = FeatureSelection.coerce(selection)
    sources, shapes, channels = [], [], []
    for index, (image, axes, labels) in enumerate(items):
        view, _ = to_canonical(image, axes)
        spatial = tuple(int(s) for s in view.shape[:-1])
        labels = check_label_array(labels, spatial, f"labels of image {index}")
        sources.append((labels, computed_features(image, axes, selection)))
        shapes.append(spatial)
        channels.append(int(view.shape[-1]))

    def n_features() -> int:
        return selection.n_features(len(shapes[0]), channels[0]) if shapes else 0

    return labelled_samples(sources, shapes, n_features, block=block, progress=progress, return_positions=return_positions)


def _half(progress: Progress | None, start: float) -> Progress | None:
    """``progress`` mapped onto ``start .. start + 0.5`` (training: samples first, then the fit)."""
    return (lambda f, m: progress(start + 0.5 * f, m)) if progress else None


def training_samples(
    sources: Sequence[tuple[Any, FeaturesOf]],
    spatial_shapes: Sequence[tuple[int, ...]],
    feature_names: Sequence[str],
    class_names: Sequence[str],
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """The samples at the labelled pixels of ``sources`` (see :func:`labelled_samples`), checked for training.

    :param class_names: the project's classes; label value ``i`` is ``class_names[i - 1]``.
    :param progress: called as ``progress(fraction 0..0.5, message)`` (the first half of a training).
    :returns: features, class values and the number of samples per class name.
    :raises ValidationError: fewer than two classes hold labels.
    """
    x, y = labelled_samples(sources, spatial_shapes, lambda: len(feature_names), progress=_half(progress, 0.0))
    present, counts = np.unique(y, return_counts=True)
    if len(present) < 2:
        only = [class_names[int(v) - 1] for v in present]
        raise ValidationError(f"training needs labels of at least two classes; only {only} has labels")
    return x, y, {class_names[int(v) - 1]: int(n) for v, n in zip(present, counts)}


def fit_classifier(
    classifier: tuple[str, Mapping[str, Any]], x: np.ndarray, y: np.ndarray, feature_names: Sequence[str],
    progress: Progress | None = None,
) -> Model:  # fmt: skip
    """Fit ``(name, params)`` on samples from :func:`training_samples`.

    :param progress: called as ``progress(fraction 0.5..1, message)`` (the second half of a training);
        an exception it raises stops the fit.
    """
    name, params = classifier
    if progress:
        progress(0.5, f"training {name} on {len(y)} samples")
    return train_model(name, x, y, dict(params), list(feature_names), _half(progress, 0.5))


# --------------------------------------------------------------------------- probabilities


def class_probabilities(model: Model, features_of: FeaturesOf, region: tuple[slice, ...], n_classes: int) -> np.ndarray:
    """Probabilities of the project's classes over ``region``: float32 ``(*region_shape, n_classes)``.

    Columns follow the class indices 1..C; classes the model never saw get probability 0.
    """
    features = features_of(region)
    spatial = tuple(s.stop - s.start for s in region)
    proba = predict_probabilities(model, pixel_rows(features))
    return outputs.class_probabilities(proba, model.classes, n_classes).reshape(spatial + (n_classes,))


def pixel_rows(features: np.ndarray) -> np.ndarray:
    """``(*spatial, F)`` features as ``(n_pixels, F)`` rows for a classifier, copied the cheap way.

    Features sliced from channel-first planes are a strided view: reshaping them pixel-major copies
    one float at a time across planes (3.7 s for 4 Mi pixels x 49 channels); reshaping plane by plane
    and transposing the view copies whole rows instead, and the forest engine reads any strides.
    """
    if features.flags.c_contiguous:
        return features.reshape(-1, features.shape[-1])
    return np.moveaxis(features, -1, 0).reshape(features.shape[-1], -1).T
