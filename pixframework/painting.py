"""Brush strokes: turn a polyline of points and a radius into a pixel mask."""

from __future__ import annotations

import numpy as np

from .errors import ValidationError


def stroke_mask(coords: np.ndarray, radius: float, shape: tuple[int, ...]) -> tuple[tuple[slice, ...], np.ndarray] | None:
    """Pixels within ``radius`` of the polyline through ``coords``, clipped to ``shape``.

    :param coords: ``(n, ndim)`` points in pixel units, spatial order (``y, x`` or ``z, y, x``).
    :param radius: brush radius in pixels; 0 paints exactly the pixels under the points.
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
    # densify so consecutive points are at most half a radius (or half a pixel) apart
    step = max(0.5, radius / 2)
    points = [coords[:1]]
    for a, b in zip(coords[:-1], coords[1:]):
        n = int(np.ceil(np.linalg.norm(b - a) / step))
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
    r = int(np.ceil(radius))
    offsets = np.stack(np.meshgrid(*[np.arange(-r, r + 1)] * ndim, indexing="ij"), -1).reshape(-1, ndim)
    offsets = offsets[(offsets**2).sum(1) <= radius**2 + 1e-9]
    centers = np.rint(pts).astype(int)
    cells = (centers[:, None, :] + offsets[None, :, :]).reshape(-1, ndim)
    inside = np.all((cells >= lo) & (cells < hi), axis=1)
    cells = cells[inside] - lo
    mask[tuple(cells.T)] = True
    return region, mask
