"""Gabor energy: the local amplitude of oriented waves, one channel per orientation (2D).

At scale ``s`` the complex Gabor kernel is ``G_s(x, y) (exp(i k.(x, y)) - c)`` with ``G_s`` the
sampled Gaussian of standard deviation ``s`` pixels, wave vector ``k`` of length ``2 pi f / s``
(wavelength ``s / f`` pixels; the parameter ``frequency`` ``f`` counts waves per ``s`` pixels, 0.5 by
default, so a wavelength of ``2 s``) pointing at 0, 45, 90 and 135 degrees, and ``c`` the constant
that makes the kernel sum to zero (so the mean brightness gives no response). The modulus of the complex
response (large where the image holds waves or stripes of that period and orientation, whatever
their phase) is then averaged over a Gaussian window of standard deviation ``2 s``: the local
energy, which is steady inside a texture where the raw modulus still follows its grain.

Why separable: an isotropic Gaussian times a plane wave factorises into a complex 1D kernel
along x times one along y, so each orientation costs six 1D passes instead of a 2D convolution.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .kernels import correlate_columns, correlate_rows, gaussian, gaussian_radius

#: orientations of the wave vector, degrees from the x axis (counter-clockwise, y pointing down)
ORIENTATIONS = (0.0, 45.0, 90.0, 135.0)
#: default waves per scale (sigma): wavelength 2 s
DEFAULT_FREQUENCY = 0.5
#: the amplitude is averaged over a Gaussian window of this standard deviation (units of the scale)
ENERGY_WINDOW_PER_SCALE = 2.0


def _wave(sigma: float, frequency: float) -> tuple[np.ndarray, np.ndarray, complex]:
    """Real and imaginary parts of ``G(x) exp(i f x)`` and its sum (the DC gain along this axis)."""
    g = gaussian(sigma)
    x = np.arange(g.size, dtype=np.float64) - g.size // 2
    real, imag = g * np.cos(frequency * x), g * np.sin(frequency * x)
    return real, imag, complex(real.sum(), imag.sum())


def gabor_energy(src: Any, scale: float, out: np.ndarray, frequency: float = DEFAULT_FREQUENCY) -> None:
    """``out[k] = G_2s * |Gabor_k * f|`` for each orientation ``k`` of :data:`ORIENTATIONS` (2D data).

    :param frequency: waves per ``scale`` pixels (wavelength ``scale / frequency`` pixels).
    """
    data = src.data
    k = 2.0 * math.pi * frequency / scale
    smooth = src.derivative(scale, (0, 0))  # G_s * f, shared with other filters at this scale
    for channel, degrees in enumerate(ORIENTATIONS):
        theta = math.radians(degrees)
        rx, ix, cx = _wave(scale, k * math.cos(theta))
        # y grows downwards, so a counter-clockwise angle has a negative y component
        ry, iy, cy = _wave(scale, -k * math.sin(theta))
        x_real, x_imag = correlate_rows(data, rx), correlate_rows(data, ix)
        real = correlate_columns(x_real, ry) - correlate_columns(x_imag, iy)
        imag = correlate_columns(x_real, iy) + correlate_columns(x_imag, ry)
        dc = cx * cy  # response of the wave kernel to a constant image of 1: removed via G_s * f
        real -= np.float32(dc.real) * smooth
        imag -= np.float32(dc.imag) * smooth
        np.hypot(real, imag, out=out[channel])
        src.smooth(out[channel], ENERGY_WINDOW_PER_SCALE * scale, out=out[channel])


def halo(scale: float, ndim: int) -> int:
    """The kernel radius ``ceil(3 s)`` plus the energy window's."""
    return gaussian_radius(scale) + gaussian_radius(ENERGY_WINDOW_PER_SCALE * scale)


def output_names(ndim: int) -> list[str]:
    return [f"{int(d)}deg" for d in ORIENTATIONS]
