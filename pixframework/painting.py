"""Brush strokes: turn a polyline of points and a radius into a pixel mask."""

from __future__ import annotations

import math

import numpy as np

from .errors import ValidationError
from .limits import DEFAULT_LIMITS, Limits

_SMALLER = "paint shorter strokes or use a smaller brush"


def stroke_mask(
    coords: np.ndarray, radius: float, shape: tuple[int, ...], limits: Limits = DEFAULT_LIMITS
) -> tuple[tuple[slice, ...], np.ndarray] | None:
    """Pixels whose centre lies within ``radius`` of the polyline through ``coords`` (pixel ``i`` has
    its centre at coordinate ``i``), plus the pixel under each point; clipped to ``shape``.

    :param coords: ``(n, ndim)`` points in pixel units, spatial order (``y, x`` or ``z, y, x``).
    :param radius: brush radius in pixels; 0 paints the pixels the polyline passes through the
        centre of (a run along a row for integer end points) and the pixels under the points.
    :param shape: spatial shape of the image.
    :param limits: radius, points, length and the pixels a stroke covers and visits are checked
        before anything is allocated.
    :returns: ``(region, mask)`` with the bounding region of the stroke and a boolean mask over it,
        or ``None`` if the stroke lies entirely outside the image.
    :raises LimitExceeded: a stroke over one of the stroke limits.
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
    limits.check("max_brush_radius", radius, f"brush radius {radius:g}", "use a smaller brush")
    limits.check("max_stroke_points", len(coords), f"a stroke of {len(coords)} points", "send shorter strokes")
    length = float(np.linalg.norm(np.diff(coords, axis=0), axis=1).sum())
    limits.check("max_stroke_length", length, f"a stroke {length:g} pixels long", _SMALLER)
    shape_array = np.asarray(shape, dtype=np.int64)
    # clipped in floating point, so far-away points cannot overflow the integer conversion
    lo = np.clip(np.floor(coords.min(axis=0) - radius), 0, shape_array).astype(np.int64)
    hi = np.clip(np.ceil(coords.max(axis=0) + radius) + 1, 0, shape_array).astype(np.int64)
    if np.any(hi <= lo):
        return None
    limits.check("max_stroke_pixels", math.prod(int(n) for n in hi - lo), "the box the stroke covers", _SMALLER)
    segments = list(zip(coords[:-1], coords[1:])) or [(coords[0], coords[0])]
    pieces = [(p, _piece_box(p, radius, lo, hi)) for a, b in segments for p in _pieces(a, b, radius)]
    visits = sum(math.prod(max(0, int(n)) for n in stop - start) for _, (start, stop) in pieces)
    limits.check("max_stroke_pixels", visits, f"a stroke of radius {radius:g} visiting {visits} pixels", _SMALLER)
    mask = np.zeros(tuple(hi - lo), bool)
    for (start, stop), box in pieces:
        _paint_capsule(mask, lo, start, stop, radius, box)
    # the pixel under each point (pixel i covers [i - 0.5, i + 0.5)): a click always paints it
    under = np.floor(coords + 0.5)
    under = under[np.all((under >= lo) & (under < hi), axis=1)].astype(np.int64) - lo
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


def _piece_box(piece: tuple[np.ndarray, np.ndarray], radius: float, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pixels a piece a-b can reach, clipped to ``lo``..``hi`` (empty when outside)."""
    a, b = piece
    start = np.clip(np.floor(np.minimum(a, b) - radius), lo, hi).astype(np.int64)
    stop = np.clip(np.ceil(np.maximum(a, b) + radius) + 1, lo, hi).astype(np.int64)
    return start, stop


def _paint_capsule(mask: np.ndarray, origin: np.ndarray, a: np.ndarray, b: np.ndarray, radius: float,
                   box: tuple[np.ndarray, np.ndarray]) -> None:  # fmt: skip
    """Set the pixels of ``mask`` (whose pixel 0 is at ``origin``) inside ``box`` with centres within
    ``radius`` of segment a-b."""
    lo, hi = box
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
