"""Generated microscopy-like images with known ground truth (for the demo, tests and benchmarks).

No downloads: everything is computed from a seed.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi


def cells(shape: tuple[int, ...] = (384, 384), *, n_cells: int | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Fluorescent "cells" on an uneven, noisy background, 2D or 3D.

    Cells are ellipsoids of varying size and brightness with textured interiors; the background has
    a slow illumination gradient and camera noise, so a plain threshold is not enough.

    :param shape: spatial shape ``(y, x)`` or ``(z, y, x)``.
    :param n_cells: number of cells (default: scales with the area/volume).
    :returns: ``(image uint16, truth uint8)`` where truth is 1 for background and 2 for cell.
    """
    rng = np.random.default_rng(seed)
    ndim = len(shape)
    size = np.prod(shape) ** (1 / ndim)
    if n_cells is None:
        n_cells = int(np.prod(shape) / (size * 0.12) ** ndim)
    grid = np.meshgrid(*[np.arange(s, dtype=np.float32) for s in shape], indexing="ij", sparse=True)
    truth = np.zeros(shape, bool)
    signal = np.zeros(shape, np.float32)
    for _ in range(n_cells):
        center = [rng.uniform(0, s) for s in shape]
        radii = rng.uniform(0.025, 0.055, ndim) * size
        dist = sum(((g - c) / r) ** 2 for g, c, r in zip(grid, center, radii))
        inside = dist <= 1.0
        truth |= inside
        brightness = rng.uniform(0.35, 1.0)
        # brighter rim, dimmer centre: like a membrane-stained cell
        signal = np.maximum(signal, inside * brightness * (0.6 + 0.4 * np.clip(dist, 0, 1)))
    texture = ndi.gaussian_filter(rng.normal(size=shape).astype(np.float32), 1.5)
    signal *= 1.0 + 0.8 * texture
    ramp = sum(g / s for g, s in zip(grid, shape)) / ndim
    background = 0.15 + 0.25 * ramp.astype(np.float32)
    image = background + signal + rng.normal(0, 0.07, shape).astype(np.float32)
    image = np.clip(image, 0, None) * 20000
    return image.astype(np.uint16), (truth + 1).astype(np.uint8)


def sparse_strokes(truth: np.ndarray, *, per_class: int = 4, length: int = 12, seed: int = 0) -> list[tuple[int, np.ndarray]]:
    """A few short straight strokes inside each class of ``truth``, like a user would paint.

    :returns: list of ``(class value, (n, ndim) points)``; every point lies inside its class.
    """
    rng = np.random.default_rng(seed)
    # stay away from class borders so strokes are unambiguous
    strokes = []
    for value in np.unique(truth):
        inner = ndi.binary_erosion(truth == value, iterations=3)
        candidates = np.argwhere(inner)
        if len(candidates) == 0:
            candidates = np.argwhere(truth == value)
        for start in candidates[rng.choice(len(candidates), min(per_class, len(candidates)), replace=False)]:
            direction = rng.normal(size=truth.ndim)
            direction /= np.linalg.norm(direction)
            points = [start]
            for step in range(1, length):
                p = np.rint(start + direction * step).astype(int)
                if np.any(p < 0) or np.any(p >= truth.shape) or not inner[tuple(p)]:
                    break
                points.append(p)
            strokes.append((int(value), np.array(points)))
    return strokes
