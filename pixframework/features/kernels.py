"""Sampled Gaussian and Gaussian-derivative kernels, defined as ilastik (fastfilters) defines them.

A kernel of ``order`` n at ``sigma`` (pixels) has radius ``r = ceil((3 + 0.5 * n) * sigma)`` and
``2 r + 1`` taps; with an explicit window size ``w`` (vigra's and fastfilters' ``window_size``, used by
ilastik desktop) the radius is ``r = floor(w * sigma + 0.5)`` for every order. Normalisation (no
``sigma**n`` scale factor):

- order 0: ``exp(-x^2 / (2 sigma^2))``, scaled to sum 1;
- order 1: ``x exp(...)``, scaled so that correlating it with the ramp ``f(x) = x`` gives exactly 1;
- order 2: ``(x^2 / sigma^2 - 1) exp(...)``, its mean over the taps removed (so constants give 0),
  then scaled so that correlating it with ``f(x) = x^2 / 2`` gives exactly 1.

Kernels are stored as *half kernels* ``h[0..r]`` (tap at offset ``+j`` is ``h[j]``): even orders are
symmetric (offset ``-j`` has ``h[j]``), odd orders antisymmetric (offset ``-j`` has ``-h[j]``).
They are applied by correlation, so an order-1 kernel is positive on the ``+x`` side.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..errors import ValidationError

MAX_ORDER = 2


def kernel_radius(sigma: float, order: int = 0, window_size: float | None = None) -> int:
    """Half-width in pixels of the kernel of ``order`` at ``sigma`` (pixels).

    ``ceil((3 + order/2) sigma)`` by default; ``floor(window_size * sigma + 0.5)`` with an explicit
    window size (in units of sigma, as vigra and fastfilters take it).
    """
    if window_size is not None:
        return int(math.floor(float(window_size) * float(sigma) + 0.5))
    return int(math.ceil((3.0 + 0.5 * order) * float(sigma)))


@lru_cache(maxsize=256)
def half_kernel(sigma: float, order: int, window_size: float | None = None) -> np.ndarray:
    """Half kernel ``h[0..r]`` (float32, read-only) of the Gaussian derivative of ``order`` at ``sigma``.

    :param sigma: standard deviation in pixels, > 0.
    :param order: derivative order, 0, 1 or 2.
    :param window_size: explicit window in units of sigma (radius ``floor(w sigma + 0.5)``), or
        ``None`` for the default radius (see :func:`kernel_radius`).
    :raises ValidationError: for a sigma <= 0, an unsupported order or a window too small for a
        derivative (orders 1 and 2 need at least one tap on each side).
    """
    out = half_kernel64(sigma, order, window_size).astype(np.float32)
    out.flags.writeable = False
    return out


@lru_cache(maxsize=256)
def half_kernel64(sigma: float, order: int, window_size: float | None = None) -> np.ndarray:
    """:func:`half_kernel` in float64, not rounded (for passes that accumulate in float64, as vigra does)."""
    sigma = float(sigma)
    if not (sigma > 0 and math.isfinite(sigma)):
        raise ValidationError(f"Gaussian sigma must be a positive number, got {sigma!r}")
    if order not in (0, 1, 2):
        raise ValidationError(f"Gaussian derivative order must be 0, 1 or 2, got {order!r}")
    if window_size is not None and not (float(window_size) > 0 and math.isfinite(float(window_size))):
        raise ValidationError(f"window size must be a positive number, got {window_size!r}")
    r = kernel_radius(sigma, order, window_size)
    if order > 0 and r < 1:
        raise ValidationError(
            f"a Gaussian derivative of order {order} at sigma {sigma!r} needs a wider window than {window_size!r}"
        )
    x = np.arange(r + 1, dtype=np.float64)
    g = np.exp(-0.5 * (x / sigma) ** 2)
    if order == 0:
        h = g / (g[0] + 2.0 * g[1:].sum())
    elif order == 1:
        h = x * g
        # response to the ramp f = x is sum_j h[j] * ((+j) - (-j)) = 2 sum_j j h[j]
        h = h / (2.0 * (x * h).sum())
    else:
        h = ((x / sigma) ** 2 - 1.0) * g
        h = h - (h[0] + 2.0 * h[1:].sum()) / (2 * r + 1)
        # response to f = x^2 / 2 (zero-sum kernel) is sum_{j>=1} h[j] j^2
        h = h / (x[1:] ** 2 * h[1:]).sum()
    h.flags.writeable = False
    return h


def full_kernel(sigma: float, order: int, window_size: float | None = None) -> np.ndarray:
    """The whole kernel (taps at offsets ``-r..r``, float64) for correlation; handy for checks and plots."""
    h = half_kernel(sigma, order, window_size).astype(np.float64)
    sign = -1.0 if order % 2 else 1.0
    return np.concatenate([sign * h[:0:-1], h])
