"""Local binary pattern histograms (2D): rotation-invariant uniform patterns, counted in a window.

At scale ``s`` every pixel compares its 8 neighbours on a circle of radius ``s`` pixels (bilinear
interpolation) with itself: a neighbour at least as bright gives a 1. Patterns with at most two
0/1 changes around the circle ("uniform": spots, edges, corners, flat) are labelled by their
number of ones, 0..8; every other pattern gets label 9. The output is the local histogram of the
10 labels: the Gaussian-weighted fraction (standard deviation ``2 s``) of each label around the
pixel, so the channels sum to 1. Brightness and contrast changes leave it unchanged.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .kernels import gaussian_radius

N_NEIGHBOURS = 8
N_LABELS = N_NEIGHBOURS + 2
#: histogram window (Gaussian standard deviation) in units of the scale
WINDOW_PER_SCALE = 2.0


def _neighbour(padded: np.ndarray, pad: int, shape: tuple[int, int], dy: float, dx: float) -> np.ndarray:
    """The image sampled at offset ``(dy, dx)`` from every pixel, by bilinear interpolation."""
    y0, x0 = math.floor(dy), math.floor(dx)
    fy, fx = dy - y0, dx - x0
    h, w = shape

    def at(oy: int, ox: int) -> np.ndarray:
        return padded[pad + oy : pad + oy + h, pad + ox : pad + ox + w]

    top = (1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1) if fx > 1e-9 else at(y0, x0)
    if fy <= 1e-9:
        return top
    bottom = (1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1) if fx > 1e-9 else at(y0 + 1, x0)
    return (1 - fy) * top + fy * bottom


def pattern_labels(image: np.ndarray, radius: float) -> np.ndarray:
    """Rotation-invariant uniform LBP label (0..9, uint8) of every pixel of a 2D image, mirrored at borders."""
    pad = math.ceil(radius) + 1
    padded = np.pad(
        image.astype(np.float32, copy=False), pad, mode="reflect"
    )  # numpy "reflect" is the mirror rule
    bits = []
    for p in range(N_NEIGHBOURS):
        angle = 2 * math.pi * p / N_NEIGHBOURS
        # snap to the grid where the circle meets it, so axis neighbours read exact pixels
        dy, dx = round(-radius * math.sin(angle), 9), round(radius * math.cos(angle), 9)
        bits.append(_neighbour(padded, pad, image.shape, dy, dx) >= image)
    ones = np.sum(bits, axis=0, dtype=np.uint8)
    changes = np.zeros(image.shape, np.uint8)
    for p in range(N_NEIGHBOURS):
        changes += bits[p] != bits[(p + 1) % N_NEIGHBOURS]
    return np.where(changes <= 2, ones, np.uint8(N_LABELS - 1)).astype(np.uint8)


def lbp_histogram(src: Any, scale: float, out: np.ndarray, **_: Any) -> None:
    """``out[l]`` = Gaussian-weighted fraction of pixels with label ``l`` around each pixel (2D)."""
    labels = pattern_labels(src.data, scale)
    window = WINDOW_PER_SCALE * scale
    for label in range(N_LABELS):
        src.smooth((labels == label).astype(np.float32), window, out=out[label])


def halo(scale: float, ndim: int) -> int:
    """Neighbour circle (plus one pixel for interpolation) plus the histogram window's radius."""
    return math.ceil(scale) + 1 + gaussian_radius(WINDOW_PER_SCALE * scale)


def output_names(ndim: int) -> list[str]:
    return [f"ones{k}" for k in range(N_NEIGHBOURS + 1)] + ["nonuniform"]
