"""Brush strokes: turn a polyline of points and a radius into a pixel mask."""

from __future__ import annotations

import math

import numpy as np

from .errors import ValidationError
from .limits import DEFAULT_LIMITS, Limits

#: brush cells stamped per batch, so memory stays small whatever the stroke (~64 MiB of int64 pairs)
_BATCH_CELLS = 1 << 22
_SMALLER = "paint shorter strokes or use a smaller brush"


def stroke_mask(
    coords: np.ndarray, radius: float, shape: tuple[int, ...], limits: Limits = DEFAULT_LIMITS
) -> tuple[tuple[slice, ...], np.ndarray] | None:
    """Pixels within ``radius`` of the polyline through ``coords``, clipped to ``shape``.

    :param coords: ``(n, ndim)`` points in pixel units, spatial order (``y, x`` or ``z, y, x``).
    :param radius: brush radius in pixels; 0 paints exactly the pixels under the points.
    :param shape: spatial shape of the image.
    :param limits: radius, points, length and covered pixels are checked before any allocation.
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
    # densify so consecutive points are at most half a radius (or half a pixel) apart
    step = max(0.5, radius / 2)
    lengths = np.linalg.norm(np.diff(coords, axis=0), axis=1)
    limits.check("max_stroke_length", float(lengths.sum()), f"a stroke {float(lengths.sum()):g} pixels long", _SMALLER)
    n_points = 1 + int(np.ceil(lengths / step).sum())
    r = int(np.ceil(radius))
    visits = n_points * (2 * r + 1) ** ndim
    limits.check("max_stroke_pixels", visits, f"a stroke of radius {radius:g} stamped at {n_points} points "
                 f"({visits} pixel visits)", _SMALLER)  # fmt: skip
    box = np.minimum(np.ceil(coords.max(axis=0) + radius) + 1, shape) - np.maximum(np.floor(coords.min(axis=0) - radius), 0)
    if np.any(box <= 0):
        return None  # entirely outside the image
    limits.check("max_stroke_pixels", math.prod(int(b) for b in box), "the box the stroke covers", _SMALLER)
    points = [coords[:1]]
    for a, b, length in zip(coords[:-1], coords[1:], lengths):
        n = int(np.ceil(length / step))
        if n:
            t = np.arange(1, n + 1)[:, None] / n
            points.append(a + (b - a) * t)
    pts = np.concatenate(points)
    lo = np.floor(pts.min(axis=0) - radius).astype(int)
    hi = np.ceil(pts.max(axis=0) + radius).astype(int) + 1
    lo = np.maximum(lo, 0)
    hi = np.minimum(hi, shape)
    if np.any(hi <= lo):
        return None
    region = tuple(slice(int(a), int(b)) for a, b in zip(lo, hi))
    mask = np.zeros(tuple(hi - lo), bool)
    offsets = np.stack(np.meshgrid(*[np.arange(-r, r + 1)] * ndim, indexing="ij"), -1).reshape(-1, ndim)
    offsets = offsets[(offsets**2).sum(1) <= radius**2 + 1e-9]
    centers = np.rint(pts).astype(int)
    batch = max(1, _BATCH_CELLS // len(offsets))
    for start in range(0, len(centers), batch):
        cells = (centers[start : start + batch, None, :] + offsets[None, :, :]).reshape(-1, ndim)
        inside = np.all((cells >= lo) & (cells < hi), axis=1)
        mask[tuple((cells[inside] - lo).T)] = True
    return region, mask
