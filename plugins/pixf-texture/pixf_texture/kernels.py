"""Sampled 1D kernels and the border rule shared by the texture filters."""

from __future__ import annotations

import math

import cv2
import numpy as np

#: OpenCV's "reflect 101" is the mirror rule of pixframework (index -k maps to k): the engine gives
#: every filter its halo, so this rule only matters at true image borders, as for the built-ins
MIRROR = cv2.BORDER_REFLECT_101


def gaussian_radius(sigma: float) -> int:
    """Pixels a Gaussian of ``sigma`` reaches on each side: ``ceil(3 sigma)`` (as pixframework's smoothing)."""
    return math.ceil(3.0 * float(sigma))


def gaussian(sigma: float) -> np.ndarray:
    """The sampled Gaussian (float64, sums to 1) over ``-r..r``, ``r = gaussian_radius(sigma)``."""
    r = gaussian_radius(sigma)
    x = np.arange(-r, r + 1, dtype=np.float64)
    g = np.exp(-0.5 * (x / sigma) ** 2)
    return g / g.sum()


def correlate_rows(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Correlate every row (along x) of a 2D float32 image with a 1D kernel, mirroring at the ends."""
    return cv2.sepFilter2D(image, cv2.CV_32F, kernel.astype(np.float32), _ONE, borderType=MIRROR)


def correlate_columns(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Correlate every column (along y) of a 2D float32 image with a 1D kernel, mirroring at the ends."""
    return cv2.sepFilter2D(image, cv2.CV_32F, _ONE, kernel.astype(np.float32), borderType=MIRROR)


_ONE = np.ones(1, np.float32)
