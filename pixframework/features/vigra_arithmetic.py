"""vigra's arithmetic: Gaussian-derivative passes in its pass order and precision, and its eigenvalues.

vigra (the library ilastik desktop's features and reference pipeline are built on) convolves a
float32 image axis by axis, x first, then y, then z, storing float32 between passes. How it sums
depends on the filter (``vigra/multi_convolution.hxx``):

- ``gaussianSmoothing`` uses double kernels, so every output is summed in double
  (:data:`DOUBLE`);
- the derivative filters (gradient, Laplacian, Hessian, the structure tensor's gradient) use
  float kernels and sum in float, tap by tap from offset ``-r`` to ``+r``, without fused
  multiply-adds (:data:`FLOAT`); so do the plain smoothing passes inside those filters;
- smoothing a tensor (the structure tensor's outer products, ``TinyVector<float, n>`` pixels) uses
  double kernels, but products and sum have the pixel's float type: each product is computed in
  double and rounded to float, then added in float, tap by tap (:data:`TENSOR`).

The engine's fused passes (:mod:`.separable`) are faster but round differently, which matters
where ilastik desktop's features subtract nearly equal values (its difference of Gaussians after
presmoothing at sigma 10: one float32 ulp of the smoothed values is 1e-4 of the difference's
range). These passes reproduce vigra's rounding, so the ilastik desktop filters
(:mod:`pixframework.builtins.desktop_filters`) match it to float32 precision.

Eigenvalues of symmetric 2x2 and 3x3 tensors follow ``vigra/mathutil.hxx`` (closed forms with the
same mix of float and double operations), given the components in vigra's order (x first).

Borders mirror without repeating the edge pixel (scipy ``"mirror"``), as everywhere else.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numba
import numpy as np

from ..errors import ValidationError
from .kernels import half_kernel64
from .lines import mirror
from .workers import parallel_for

#: arithmetic of a pass: ``DOUBLE`` (double kernel and sums), ``FLOAT`` (float kernel and sums),
#: ``TENSOR`` (double kernel, products rounded to float, float sums)
DOUBLE = "double"
FLOAT = "float"
TENSOR = "tensor"
#: columns per chunk of a column pass (the 2r+1 input rows of a chunk stay in cache)
_COLUMN_CHUNK = 1024
_MIN_ROWS_PER_TASK = 8


@numba.njit(nogil=True, cache=True)
def _rows(src, weights, float_sums, dst, start, stop):  # pragma: no cover - compiled
    # along the last axis of 2D (rows, cols) arrays; weights[t] multiplies input x + t - r; sums in
    # the weights' dtype (or, float_sums, products and sums rounded to float), tap by tap from
    # offset -r (vigra's order)
    n = src.shape[1]
    r = (weights.shape[0] - 1) // 2
    padded = np.empty(n + 2 * r, weights.dtype)
    acc = np.empty(n, weights.dtype)
    for i in range(start, stop):
        row = src[i]
        for k in range(n):
            padded[k + r] = row[k]
        for k in range(r):
            padded[k] = row[mirror(k - r, n)]
            padded[n + r + k] = row[mirror(n + k, n)]
        for x in range(n):
            acc[x] = 0.0
        for t in range(2 * r + 1):
            w = weights[t]
            if float_sums:
                for x in range(n):
                    acc[x] = np.float32(acc[x] + np.float32(w * padded[x + t]))
            else:
                for x in range(n):
                    acc[x] += w * padded[x + t]
        out = dst[i]
        for x in range(n):
            out[x] = np.float32(acc[x])


@numba.njit(nogil=True, cache=True)
def _columns(src, weights, float_sums, dst, start, stop):  # pragma: no cover - compiled
    # along axis 1 of 3D (planes, rows, cols) arrays; items are flattened (plane, row) pairs, and
    # columns go in chunks so the 2r+1 input rows of a chunk stay in cache
    n_rows = src.shape[1]
    n_cols = src.shape[2]
    r = (weights.shape[0] - 1) // 2
    width = min(_COLUMN_CHUNK, n_cols)
    acc = np.empty(width, weights.dtype)
    for x0 in range(0, n_cols, width):
        x1 = min(x0 + width, n_cols)
        for i in range(start, stop):
            p = i // n_rows
            y = i - p * n_rows
            a = acc[: x1 - x0]
            for x in range(x1 - x0):
                a[x] = 0.0
            for t in range(2 * r + 1):
                w = weights[t]
                line = src[p, mirror(y + t - r, n_rows), x0:x1]
                if float_sums:
                    for x in range(x1 - x0):
                        a[x] = np.float32(a[x] + np.float32(w * line[x]))
                else:
                    for x in range(x1 - x0):
                        a[x] += w * line[x]
            out = dst[p, y, x0:x1]
            for x in range(x1 - x0):
                out[x] = np.float32(a[x])


@lru_cache(maxsize=256)
def weights(sigma: float, order: int, window_size: float | None, arithmetic: str) -> np.ndarray:
    """Correlation weights for offsets ``-r..r`` of vigra's Gaussian derivative kernel (read-only).

    :data:`DOUBLE`, :data:`TENSOR`: the kernel in float64. :data:`FLOAT`: vigra's
    ``Kernel1D<float>``, computed step by step in float32 as vigra does (:func:`float_kernel`).
    """
    if arithmetic in (DOUBLE, TENSOR):
        half = half_kernel64(sigma, order, window_size)
        sign = -1.0 if order % 2 else 1.0
        out = np.concatenate([sign * half[:0:-1], half])
    elif arithmetic == FLOAT:
        # vigra convolves: out[x] = sum_k kernel[k] in[x - k], so in[x + t] is weighted by kernel[-t]
        out = float_kernel(sigma, order, window_size)[::-1].copy()
    else:
        raise ValidationError(f"arithmetic must be {DOUBLE!r}, {FLOAT!r} or {TENSOR!r}, got {arithmetic!r}")
    out.flags.writeable = False
    return out


def float_kernel(sigma: float, order: int, window_size: float | None) -> np.ndarray:
    """vigra's ``Kernel1D<float>`` Gaussian (derivative) taps at ``-r..r``, float32.

    Follows ``Gaussian<float>`` and ``Kernel1D::initGaussian(Derivative)`` / ``normalize``: values in
    float, the mean removed for derivatives, normalised by moments (``exp`` is evaluated in double
    and rounded, which is what a correctly rounded ``expf`` gives).
    """
    f32 = np.float32
    if order not in (0, 1, 2) or not sigma > 0:
        raise ValidationError(f"unsupported Gaussian kernel: sigma {sigma!r}, order {order!r}")
    base = 3.0 + 0.5 * order if window_size is None else float(window_size)
    radius = max(1, int(base * sigma + 0.5))
    s = f32(sigma)
    sigma2 = f32(-0.5 / float(s) / float(s))
    root = math.sqrt(2.0 * math.pi)
    norm = f32(-1.0 / (root * float(s * s) * float(s))) if order else f32(1.0 / root / float(s))
    x = np.arange(-radius, radius + 1).astype(f32)
    g = norm * np.exp((x * x * sigma2).astype(np.float64)).astype(f32)
    if order == 0:
        k = g
    elif order == 1:
        k = x * g
    else:
        k = ((1.0 - ((x / s) * (x / s)).astype(np.float64)) * g.astype(np.float64)).astype(f32)
    if order > 0:
        dc = f32(0.0)
        for value in k:
            dc = f32(dc + value)
        k = k - f32(float(dc) / (2.0 * radius + 1.0))
        total = f32(0.0)
        for value, position in zip(k, range(-radius, radius + 1)):
            total = f32(float(total) + float(value) * (-float(position)) ** order / math.factorial(order))
    else:
        total = f32(0.0)
        for value in k:
            total = f32(total + value)
    return (k * (f32(1.0) / total)).astype(f32)


def correlate_axis(src: np.ndarray, weights: np.ndarray, axis: int, out: np.ndarray, threads: int = 1,
                   float_sums: bool = False) -> np.ndarray:
    """Correlate float32 ``src`` with ``weights`` (offsets ``-r..r``) along ``axis``, summing in the
    weights' dtype (float64: vigra's double kernels; float32: its float kernels), or with
    ``float_sums`` rounding each product and sum to float (:data:`TENSOR`).

    :param out: float32 C-contiguous array of ``src``'s shape, not overlapping ``src``.
    :returns: ``out``.
    """
    if src.dtype != np.float32 or out.dtype != np.float32 or out.shape != src.shape or not out.flags.c_contiguous:
        raise ValidationError("vigra passes need float32 data and a C-contiguous float32 output of its shape")
    if np.shares_memory(src, out):
        raise ValidationError("vigra passes cannot work in place")
    if weights.dtype not in (np.float32, np.float64) or weights.ndim != 1 or weights.shape[0] % 2 != 1:
        raise ValidationError("weights must be an odd-length float32 or float64 vector")
    src = np.ascontiguousarray(src)
    axis = axis % src.ndim
    shape = src.shape
    if axis == src.ndim - 1:
        rows, dst = src.reshape(-1, shape[-1]), out.reshape(-1, shape[-1])
        parallel_for(lambda a, b: _rows(rows, weights, float_sums, dst, a, b), rows.shape[0], threads,
                     _MIN_ROWS_PER_TASK)
        return out
    planes = int(np.prod(shape[:axis], dtype=np.int64))
    cols = int(np.prod(shape[axis + 1:], dtype=np.int64))
    cube, dst = src.reshape(planes, shape[axis], cols), out.reshape(planes, shape[axis], cols)
    parallel_for(lambda a, b: _columns(cube, weights, float_sums, dst, a, b), planes * shape[axis], threads,
                 _MIN_ROWS_PER_TASK)
    return out


def gaussian_derivative(src: np.ndarray, sigma: float, orders: Sequence[int], window_size: float | None,
                        arithmetic: str, out: np.ndarray, scratch: np.ndarray, threads: int = 1) -> np.ndarray:
    """Gaussian derivative of float32 ``src`` (``(y, x)`` or ``(z, y, x)``) as vigra computes it.

    :param orders: derivative order per axis, in ``(z)yx`` order (0: smoothing).
    :param window_size: kernel window in units of sigma (``None``: default radii).
    :param arithmetic: :data:`DOUBLE` (vigra's ``gaussianSmoothing``), :data:`FLOAT` (its
        derivative filters) or :data:`TENSOR` (its smoothing of tensors).
    :param out, scratch: float32 C-contiguous arrays of ``src``'s shape, not overlapping ``src``
        (``scratch`` takes the intermediate passes).
    :returns: ``out``.
    """
    current = src
    for step, axis in enumerate(reversed(range(src.ndim))):  # x first, as vigra
        # alternate between the two buffers so that the last pass lands in ``out``
        target = out if (src.ndim - 1 - step) % 2 == 0 else scratch
        correlate_axis(current, weights(sigma, int(orders[axis]), window_size, arithmetic), axis, target, threads,
                       float_sums=arithmetic == TENSOR)
        current = target
    return out


@numba.njit(nogil=True, cache=True)
def _eigen2(a00, a01, a11, r0, r1):  # pragma: no cover - compiled
    # vigra: d = hypot(a00 - a11, 2 a01) in double, eigenvalues 0.5 (a00 + a11 +- d) rounded to float.
    # sqrt(x^2 + y^2) is 30x faster than libm's hypot and within a few double ulps of it; where that
    # could change the float result (d nudged by 2^-50 rounds differently), hypot decides.
    n = a00.shape[0]
    unsure = np.zeros(n, np.bool_)
    for i in range(n):  # branch-free, so it vectorises
        x = np.float64(a00[i] - a11[i])
        y = 2.0 * np.float64(a01[i])
        trace = np.float64(a00[i] + a11[i])
        d = math.sqrt(x * x + y * y)
        low, high = d * (1.0 - 2.0**-50), d * (1.0 + 2.0**-50)
        unsure[i] = (np.float32(0.5 * (trace + low)) != np.float32(0.5 * (trace + high))) | (
            np.float32(0.5 * (trace - low)) != np.float32(0.5 * (trace - high)))
        e0 = np.float32(0.5 * (trace + d))
        e1 = np.float32(0.5 * (trace - d))
        r0[i] = max(e0, e1)
        r1[i] = min(e0, e1)
    for i in range(n):
        if unsure[i]:
            trace = np.float64(a00[i] + a11[i])
            d = math.hypot(np.float64(a00[i] - a11[i]), 2.0 * np.float64(a01[i]))
            e0 = np.float32(0.5 * (trace + d))
            e1 = np.float32(0.5 * (trace - d))
            r0[i] = max(e0, e1)
            r1[i] = min(e0, e1)


@numba.njit(nogil=True, cache=True)
def _eigen3(a00, a01, a02, a11, a12, a22, r0, r1, r2):  # pragma: no cover - compiled
    inv3 = 1.0 / 3.0
    root3 = math.sqrt(3.0)
    for i in range(a00.shape[0]):
        x00, x01, x02, x11, x12, x22 = a00[i], a01[i], a02[i], a11[i], a12[i], a22[i]
        # products of two or three floats stay float, as in C++; terms with 2.0 are double
        c0 = (np.float64(x00 * x11 * x22) + 2.0 * np.float64(x01) * np.float64(x02) * np.float64(x12)
              - np.float64(x00 * x12 * x12) - np.float64(x11 * x02 * x02) - np.float64(x22 * x01 * x01))
        c1 = np.float64(x00 * x11 - x01 * x01 + x00 * x22 - x02 * x02 + x11 * x22 - x12 * x12)
        c2 = np.float64(x00 + x11 + x22)
        c2_3 = c2 * inv3
        a_3 = min((c1 - c2 * c2_3) * inv3, 0.0)
        mb_2 = 0.5 * (c0 + c2_3 * (2.0 * c2_3 * c2_3 - c1))
        q = min(mb_2 * mb_2 + a_3 * a_3 * a_3, 0.0)
        magnitude = math.sqrt(-a_3)
        angle = math.atan2(math.sqrt(-q), mb_2) * inv3
        cs = math.cos(angle)
        sn = math.sin(angle)
        e0 = np.float32(c2_3 + 2.0 * magnitude * cs)
        e1 = np.float32(c2_3 - magnitude * (cs + root3 * sn))
        e2 = np.float32(c2_3 - magnitude * (cs - root3 * sn))
        if e0 < e1:
            e0, e1 = e1, e0
        if e0 < e2:
            e0, e2 = e2, e0
        if e1 < e2:
            e1, e2 = e2, e1
        r0[i] = e0
        r1[i] = e1
        r2[i] = e2


def tensor_eigenvalues(components: Sequence[np.ndarray], outs: Sequence[np.ndarray], threads: int = 1) -> None:
    """Eigenvalues (descending) of symmetric tensors, computed as vigra computes them.

    :param components: float32 planes in vigra's order: 2D ``(xx, xy, yy)``, 3D ``(xx, xy, xz, yy,
        yz, zz)`` (x is the last array axis).
    :param outs: 2 or 3 float32 C-contiguous planes for the eigenvalues, not overlapping ``components``.
    """
    kernels = {3: (_eigen2, 2), 6: (_eigen3, 3)}
    if len(components) not in kernels or len(outs) != kernels[len(components)][1]:
        raise ValidationError("tensor_eigenvalues takes 3 components and 2 outputs (2D) or 6 and 3 (3D)")
    kernel = kernels[len(components)][0]
    if any(o.dtype != np.float32 or not o.flags.c_contiguous or o.shape != components[0].shape for o in outs):
        raise ValidationError("eigenvalue outputs must be C-contiguous float32 planes of the components' shape")
    if any(np.shares_memory(o, c) for o in outs for c in components):
        raise ValidationError("eigenvalue outputs must not overlap the tensor components")
    flat_in = [np.ascontiguousarray(c, np.float32).reshape(-1) for c in components]
    flat_out = [o.reshape(-1) for o in outs]
    parallel_for(lambda a, b: kernel(*[c[a:b] for c in flat_in], *[o[a:b] for o in flat_out]), flat_in[0].shape[0],
                 threads, 65536)
