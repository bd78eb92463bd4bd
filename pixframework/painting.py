"""Brush strokes: turn a polyline of points and a radius into a pixel mask."""

from __future__ import annotations

import numpy as np

from .errors import ValidationError


def stroke_mask(coords: np.ndarray, radius: float, shape: tuple[int, ...]) -> tuple[tuple[slice, ...], np.ndarray] | None:
    """Pixels whose centre lies within ``radius`` of the polyline through ``coords`` (pixel ``i`` has
    its centre at coordinate ``i``), plus the pixel under each point; clipped to ``shape``.

    :param coords: ``(n, ndim)`` points in pixel units, spatial order (``y, x`` or ``z, y, x``).
    :param radius: brush radius in pixels; 0 paints the pixels the polyline passes through the
        centre of (a run along a row for integer end points) and the pixels under the points.
    :param shape: spatial shape of the image.
    :returns: ``(region, mask)`` with the bounding region of the stroke and a boolean mask over it,
        or ``None`` if the stroke lies entirely outside the image.
    """
    coords = np.asarray(coords, dtype=np.float64)
    ndim = len(shape)
    if coords.ndim == 1 and coords.size == ndim:
        coords = coords[np.newaxis]
    if coords.ndim != 2 or coords.shape[1] != ndim or len(coords) == 0:
        raise ValidationError(f"stroke coordinates must have shape (n, {ndim}), got {coords.shape}")
    if not np.all(np.isfinite(coords)):
        raise ValidationError("stroke coordinates must be finite")
    radius = float(radius)
    if not np.isfinite(radius) or radius < 0:
        raise ValidationError(f"brush radius must be >= 0, got {radius}")
    shape_array = np.asarray(shape, dtype=np.int64)
    lo = np.maximum(np.floor(coords.min(axis=0) - radius).astype(np.int64), 0)
    hi = np.minimum(np.ceil(coords.max(axis=0) + radius).astype(np.int64) + 1, shape_array)
    if np.any(hi <= lo):
        return None
    mask = np.zeros(tuple(hi - lo), bool)
    segments = list(zip(coords[:-1], coords[1:])) or [(coords[0], coords[0])]
    for a, b in segments:
        for start, stop in _pieces(a, b, radius):
            _paint_capsule(mask, lo, start, stop, radius)
    # the pixel under each point (pixel i covers [i - 0.5, i + 0.5)): a click always paints it
    under = np.floor(coords + 0.5).astype(np.int64)
    under = under[np.all((under >= lo) & (under < hi), axis=1)] - lo
    mask[tuple(under.T)] = True
    if not mask.any():
        return None
    return tuple(slice(int(a), int(b)) for a, b in zip(lo, hi)), mask


def _pieces(a: np.ndarray, b: np.ndarray, radius: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """``a``-``b`` cut into pieces of about ``4 * radius`` (at least 16) pixels, so each piece's
    bounding box stays small however long and slanted the segment is."""
    length = float(np.linalg.norm(b - a))
    n = max(1, int(np.ceil(length / max(4.0 * radius, 16.0))))
    cuts = [a + (b - a) * (k / n) for k in range(n + 1)]
    return list(zip(cuts[:-1], cuts[1:]))


def _paint_capsule(mask: np.ndarray, origin: np.ndarray, a: np.ndarray, b: np.ndarray, radius: float) -> None:
    """Set the pixels of ``mask`` (whose pixel 0 is at ``origin``) with centres within ``radius`` of segment a-b."""
    lo = np.maximum(np.floor(np.minimum(a, b) - radius).astype(np.int64), origin)
    hi = np.minimum(np.ceil(np.maximum(a, b) + radius).astype(np.int64) + 1, origin + mask.shape)
    if np.any(hi <= lo):
        return
    axes = [np.arange(l, h, dtype=np.float64) for l, h in zip(lo, hi)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)  # pixel centres
    direction = b - a
    squared = float(direction @ direction)
    t = np.clip((grid - a) @ direction / squared, 0.0, 1.0) if squared > 0 else np.zeros(grid.shape[:-1])
    nearest = a + t[..., np.newaxis] * direction
    inside = ((grid - nearest) ** 2).sum(axis=-1) <= radius * radius + 1e-9
    box = tuple(slice(int(l - o), int(h - o)) for l, h, o in zip(lo, hi, origin))
    mask[box] |= inside
