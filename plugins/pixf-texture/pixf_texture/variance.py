"""Local variance (2D and 3D): how much the intensity varies around each pixel.

``G_s * (f - G_s * f)^2``: the Gaussian-weighted (standard deviation ``s`` pixels) mean squared
deviation of the image from its smoothed self. Computed from the residual rather than as
``G_s * f^2 - (G_s * f)^2``, which loses all precision in float32 for bright 16-bit images.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .kernels import gaussian_radius


def local_variance(src: Any, scale: float, out: np.ndarray, **_: Any) -> None:
    """``out[0] = G_s * (f - G_s * f)^2`` on 2D or 3D data."""
    residual = np.subtract(src.data, src.derivative(scale, (0,) * src.data.ndim), out=out[0])
    np.square(residual, out=residual)
    src.smooth(residual, scale, out=out[0])


def halo(scale: float, ndim: int) -> int:
    """Two Gaussians in a row: ``2 ceil(3 s)``."""
    return 2 * gaussian_radius(scale)
