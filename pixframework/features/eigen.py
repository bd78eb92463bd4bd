"""Closed-form eigenvalues of symmetric 2x2 and 3x3 matrices per pixel, sorted descending.

2x2 ``[[a, b], [b, c]]``: ``(a + c)/2 +- sqrt(((a - c)/2)^2 + b^2)``.

3x3 (Smith's trigonometric method): with ``q = trace/3``, ``p = sqrt(|A - qI|_F^2 / 6)`` and
``r = det((A - qI)/p) / 2`` in ``[-1, 1]``, the eigenvalues are ``q + 2p cos(phi + 2 pi k / 3)``
with ``phi = acos(r)/3``. numba without Intel SVML calls libm scalar ``acos``/``cos`` (about
28 ns per pixel here, half the 3D engine's time), so ``phi`` is evaluated with polynomials
instead, which vectorise: ``acos(r) = 2 asin(sqrt((1-r)/2))`` for ``r >= 0`` and
``pi - 2 asin(sqrt((1+r)/2))`` otherwise, so ``asin`` is only needed on ``[0, 1/sqrt(2)]``
where it is smooth. The ``asin`` coefficients are a least-squares Chebyshev fit made at import
(max error below 1e-12), ``cos``/``sin`` of ``phi`` in ``[0, pi/3]`` use their Taylor series
to degree 16/17 (error below 1e-13). Arithmetic is float64 per pixel; results are float32.
"""

from __future__ import annotations

import math
from typing import Sequence

import numba
import numpy as np

from ..errors import ValidationError
from .pointwise import run_pixels

_ASIN_DEGREE = 14


def _asin_coefficients() -> np.ndarray:
    """Power-series coefficients ``c`` with ``asin(x) ~= x * sum_k c[k] (x^2)^k`` on ``x^2 in [0, 1/2]``."""
    z = 0.25 * (1.0 - np.cos(np.linspace(0.0, np.pi, 400)))  # Chebyshev-spaced points in [0, 1/2]
    x = np.sqrt(z)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.where(x > 0, np.arcsin(x) / np.where(x > 0, x, 1.0), 1.0)
    fit = np.polynomial.chebyshev.Chebyshev.fit(z, y, _ASIN_DEGREE, domain=[0.0, 0.5])
    coef = fit.convert(kind=np.polynomial.Polynomial).coef
    return np.asarray(coef, dtype=np.float64)


ASIN_COEFFICIENTS: tuple[float, ...] = tuple(float(c) for c in _asin_coefficients())
_COS_COEFFICIENTS = tuple((-1.0) ** k / math.factorial(2 * k) for k in range(9))
_SIN_COEFFICIENTS = tuple((-1.0) ** k / math.factorial(2 * k + 1) for k in range(9))


@numba.njit(nogil=True, cache=True, inline="always")
def _horner(c, x):  # pragma: no cover - compiled
    # c is a tuple: its length is a compile-time constant, so LLVM unrolls this loop and the
    # pixel loop around it vectorises
    acc = c[len(c) - 1]
    for k in range(len(c) - 2, -1, -1):
        acc = acc * x + c[k]
    return acc


@numba.njit(nogil=True, cache=True, fastmath={"contract"})
def _eigen2(a, b, c, out0, out1):  # pragma: no cover - compiled
    # [[a, b], [b, c]]
    for i in range(a.shape[0]):
        aa = np.float64(a[i])
        bb = np.float64(b[i])
        cc = np.float64(c[i])
        half_trace = 0.5 * (aa + cc)
        half_diff = 0.5 * (aa - cc)
        radius = math.sqrt(half_diff * half_diff + bb * bb)
        out0[i] = half_trace + radius
        out1[i] = half_trace - radius


@numba.njit(nogil=True, cache=True, fastmath={"contract"})
def _eigen3(a00, a11, a22, a01, a02, a12, out0, out1, out2, asin_c, cos_c, sin_c):  # pragma: no cover
    # branch-free body so the loop vectorises
    for i in range(a00.shape[0]):
        d0 = np.float64(a00[i])
        d1 = np.float64(a11[i])
        d2 = np.float64(a22[i])
        e01 = np.float64(a01[i])
        e02 = np.float64(a02[i])
        e12 = np.float64(a12[i])
        q = (d0 + d1 + d2) * (1.0 / 3.0)
        d0 -= q
        d1 -= q
        d2 -= q
        p2 = (d0 * d0 + d1 * d1 + d2 * d2 + 2.0 * (e01 * e01 + e02 * e02 + e12 * e12)) * (1.0 / 6.0)
        p = math.sqrt(p2)
        det = d0 * (d1 * d2 - e12 * e12) - e01 * (e01 * d2 - e12 * e02) + e02 * (e01 * e12 - d1 * e02)
        denominator = 2.0 * p2 * p
        # a multiple of the identity (p = 0) has r = 0 and all eigenvalues q
        r = det / denominator if denominator > 0.0 else 0.0
        r = min(1.0, max(-1.0, r))
        # acos(r) = 2 asin(sqrt((1-r)/2)) for r >= 0, pi - 2 asin(sqrt((1+r)/2)) for r < 0
        s2 = 0.5 * (1.0 - abs(r))
        two_thirds_asin = (2.0 / 3.0) * math.sqrt(s2) * _horner(asin_c, s2)
        phi = two_thirds_asin if r >= 0.0 else math.pi / 3.0 - two_thirds_asin
        phi2 = phi * phi
        cos_phi = _horner(cos_c, phi2)
        sin_phi = phi * _horner(sin_c, phi2)
        big = q + 2.0 * p * cos_phi
        # 2p cos(phi + 2pi/3) = -p (cos + sqrt(3) sin)
        small = q - p * (cos_phi + 1.7320508075688772 * sin_phi)
        out0[i] = big
        out1[i] = 3.0 * q - big - small
        out2[i] = small


def symmetric_eigenvalues(components: Sequence[np.ndarray], outs: Sequence[np.ndarray], threads: int = 1) -> None:
    """Per-pixel eigenvalues of symmetric matrices, largest first.

    :param components: 2D ``(a00, a11, a01)``; 3D ``(a00, a11, a22, a01, a02, a12)`` (diagonal
        first, then the upper triangle row by row), float32 planes of one shape.
    :param outs: 2 or 3 float32 planes receiving the eigenvalues in descending order; may be the
        same arrays as some ``components``.
    """
    if len(components) == 3 and len(outs) == 2:
        a00, a11, a01 = components
        run_pixels(_eigen2, [a00, a01, a11], outs, threads)
    elif len(components) == 6 and len(outs) == 3:
        run_pixels(_eigen3, components, outs, threads, ASIN_COEFFICIENTS, _COS_COEFFICIENTS, _SIN_COEFFICIENTS)
    else:
        raise ValidationError(
            f"symmetric_eigenvalues takes 3 components and 2 outputs (2D) or 6 and 3 (3D), "
            f"got {len(components)} and {len(outs)}"
        )
