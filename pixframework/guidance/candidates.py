"""Candidate locations for label suggestions: a grid over the analysed tiles, with what each one needs.

For every tile the project's own pipeline gives features and class probabilities at full
resolution. The uncertainty map (ilastik's ``1 - (p_first - p_second)``) is smoothed over a few
pixels, so a suggestion lands in a patch of doubt where a brush stroke fits, not on a one-pixel
boundary line. Candidates are then taken on a regular grid (stride chosen so that at most
:data:`MAX_CANDIDATES` remain in all), each with its distance to the nearest labelled pixel
(labelled pixels themselves are dropped); the selection keeps away from labels by that distance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from ..pipeline import pixel_rows
from .tiles import Region, pixels
from .view import ProjectView

#: grid points kept over all tiles at most (bounds the cost of the selection step)
MAX_CANDIDATES = 20_000
#: sigma (pixels) of the Gaussian smoothing the uncertainty map before it is sampled
UNCERTAINTY_SMOOTHING = 2.0

Progress = Callable[[float, str], None]


@dataclass
class Candidates:
    """Grid points pooled over all tiles (one row each).

    :param image: index of the image (into the list of names the caller passed).
    :param position: int64 ``(n, ndim)`` pixel position ``(z)yx``.
    :param uncertainty: float32 ``(n,)`` smoothed uncertainty, 0..1.
    :param features: float32 ``(n, F)`` feature vectors.
    :param probabilities: float32 ``(n, C)`` class probabilities.
    :param label_distance: float32 ``(n,)`` pixels to the nearest labelled pixel (capped: at least
        ``reach`` means "at least that far").
    """

    image: np.ndarray
    position: np.ndarray
    uncertainty: np.ndarray
    features: np.ndarray
    probabilities: np.ndarray
    label_distance: np.ndarray

    def __len__(self) -> int:
        return int(self.image.shape[0])


def margin_uncertainty(probabilities: np.ndarray) -> np.ndarray:
    """``1 - (p_first - p_second)`` over the last axis (0: sure, 1: two classes tie)."""
    if probabilities.shape[-1] < 2:
        return np.zeros(probabilities.shape[:-1], np.float32)
    if probabilities.shape[-1] == 2:  # the common case, without a partition
        return (1.0 - np.abs(probabilities[..., 0] - probabilities[..., 1])).astype(np.float32)
    top = np.partition(probabilities, -2, axis=-1)[..., -2:]
    return (1.0 - (top[..., 1] - top[..., 0])).astype(np.float32)


def grid_stride(analysed_pixels: int, ndim: int, limit: int = MAX_CANDIDATES) -> int:
    """Grid step (pixels, every axis) giving at most about ``limit`` points over ``analysed_pixels``."""
    return max(1, math.ceil((analysed_pixels / limit) ** (1.0 / ndim)))


def _label_distance(view: ProjectView, index: int, tile: Region, reach: float) -> np.ndarray:
    """Distance (pixels) from every pixel of ``tile`` to the nearest labelled pixel, exact up to ``reach``.

    Labels just outside the tile count too: the label window is the tile grown by ``reach``.
    """
    grow = math.ceil(reach)
    window = tuple(slice(max(0, s.start - grow), min(size, s.stop + grow)) for s, size in zip(tile, view.shapes[index]))
    labels = np.asarray(view.labels_of(index, window))
    inner = tuple(slice(s.start - w.start, s.stop - w.start) for s, w in zip(tile, window))
    if not labels.any():
        return np.full(tuple(s.stop - s.start for s in tile), np.inf, np.float32)
    return ndi.distance_transform_edt(labels == 0)[inner]


def gather_candidates(
    view: ProjectView,
    tiles: Sequence[tuple[int, Region]],
    reach: float,
    rng: np.random.Generator,
    progress: Progress | None = None,
) -> Candidates:
    """Candidates over ``tiles`` (``(image index, region)``), using the project's features and model.

    :param reach: distances to labels are exact up to this many pixels.
    """
    ndim = len(view.shapes[0])
    stride = grid_stride(sum(pixels(t) for _, t in tiles), ndim)
    parts: list[tuple[np.ndarray, ...]] = []
    for done, (index, tile) in enumerate(tiles):
        if progress is not None:
            progress(done / len(tiles), f"looking for uncertain places: tile {done + 1} of {len(tiles)} of {view.names[index]!r}")
        features = view.features_of(index, tile)
        tile_shape = features.shape[:-1]
        probabilities = view.probabilities_of(pixel_rows(features)).reshape(tile_shape + (-1,))
        uncertainty = ndi.gaussian_filter(margin_uncertainty(probabilities), UNCERTAINTY_SMOOTHING, mode="nearest")
        free = _label_distance(view, index, tile, reach)
        # a random grid offset per tile (from the seed) so repeated calls with other seeds see other pixels
        axes = [np.arange(int(rng.integers(min(stride, n))), n, stride) for n in tile_shape]
        local = np.stack([g.ravel() for g in np.meshgrid(*axes, indexing="ij")], axis=1)
        where = tuple(local.T)
        keep = free[where] > 0
        local = local[keep]
        where = tuple(local.T)
        offset = np.array([s.start for s in tile], np.int64)
        parts.append(
            (
                np.full(len(local), index, np.int64),
                local + offset,
                uncertainty[where],
                np.ascontiguousarray(features[where], dtype=np.float32),
                probabilities[where],
                np.minimum(free[where], reach).astype(np.float32),
            )
        )
    if progress is not None:
        progress(1.0, "choosing among the candidates")
    return Candidates(*(np.concatenate(column) for column in zip(*parts)))
