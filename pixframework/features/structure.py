"""Structure tensor eigenvalues of 2D data in one sweep: products, smoothing and eigenvalues fused.

From the gradient planes ``(g_y, g_x)`` the tensor components ``g_y^2, g_x^2, g_y g_x`` are
formed row by row, smoothed along x into a ring buffer, smoothed along y from the ring, and
turned into eigenvalues right away. Compared with separate passes (3 product planes written,
3 smoothings of 2 passes each, an eigenvalue pass) only the two eigenvalue planes touch main
memory, which is most of the filter's cost at small scales.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..errors import ValidationError
from .kernels import half_kernel
from .lines import group_taps, mirror_pad
from .ring import first_ring_row, ring_output_row, ring_source
from .workers import parallel_for


@numba.njit(nogil=True, cache=True, fastmath={"contract"})
def _tensor_eigen_rows(gy, gx, h, r, ev0, ev1, chunks, start, stop):  # pragma: no cover - compiled
    n_rows, n_cols = gy.shape
    slots = 2 * r + 1
    ring = np.empty((3, slots, n_cols), np.float32)
    products = np.empty((3, n_cols), np.float32)
    padded = np.empty((3, 1, n_cols + 2 * r), np.float32)
    smoothed = np.empty((3, n_cols), np.float32)
    # one smoothing kernel, symmetric: tables in the layout _group_taps reads
    table = np.empty((1, r + 1), np.float32)
    table[0, :] = h
    radii = np.full(1, r, np.int64)
    sign = np.ones(1, np.float32)
    member = np.zeros(3, np.int64)
    chunk_rows = (n_rows + chunks - 1) // chunks
    for item in range(start, stop):
        y0 = item * chunk_rows
        y1 = min(n_rows, y0 + chunk_rows)
        first = first_ring_row(y0, n_rows, r)
        for v in range(first, y1 + r):
            slot = v % slots
            source = ring_source(ring, v, n_rows, r)
            if source >= 0:
                a = gy[source]
                b = gx[source]
                yy = products[0]
                xx = products[1]
                yx = products[2]
                for x in range(n_cols):
                    yy[x] = a[x] * a[x]
                    xx[x] = b[x] * b[x]
                    yx[x] = a[x] * b[x]
                for c in range(3):
                    mirror_pad(products[c], r, padded[c])
                    target = ring[c, slot]
                    group_taps(target, target, target, 1, padded[c], False, r, table, radii, sign, member)
            y = ring_output_row(ring, v, first, y0, r)
            if y < 0:
                continue
            for c in range(3):
                acc = smoothed[c]
                group_taps(acc, acc, acc, 1, ring[c], True, y % slots, table, radii, sign, member)
            syy = smoothed[0]
            sxx = smoothed[1]
            syx = smoothed[2]
            out0 = ev0[y]
            out1 = ev1[y]
            for x in range(n_cols):
                half_trace = 0.5 * (np.float64(syy[x]) + np.float64(sxx[x]))
                half_diff = 0.5 * (np.float64(syy[x]) - np.float64(sxx[x]))
                radius = math.sqrt(half_diff * half_diff + np.float64(syx[x]) * np.float64(syx[x]))
                out0[x] = half_trace + radius
                out1[x] = half_trace - radius


def structure_tensor_eigenvalues_2d(
    gy: np.ndarray, gx: np.ndarray, sigma: float, out0: np.ndarray, out1: np.ndarray, threads: int = 1
) -> None:
    """Eigenvalues (descending) of ``G_sigma * (g g^T)`` for a 2D gradient ``g = (gy, gx)``.

    :param gy, gx: gradient components, float32 ``(y, x)``, C-contiguous.
    :param sigma: smoothing scale of the tensor in pixels.
    :param out0, out1: float32 ``(y, x)`` C-contiguous planes for the larger and smaller eigenvalue;
        must not overlap the gradient.
    """
    planes = [gy, gx, out0, out1]
    if any(p.dtype != np.float32 or p.ndim != 2 or p.shape != gy.shape or not p.flags.c_contiguous for p in planes):
        raise ValidationError("structure_tensor_eigenvalues_2d needs C-contiguous float32 planes of one 2D shape")
    if any(np.shares_memory(o, g) for o in (out0, out1) for g in (gy, gx)):
        raise ValidationError("structure tensor outputs must not overlap the gradient")
    h = half_kernel(sigma, 0)
    r = len(h) - 1
    rows = gy.shape[0]
    chunks = max(1, min(2 * threads, rows // max(16, 4 * r)))
    parallel_for(lambda a, b: _tensor_eigen_rows(gy, gx, h, r, out0, out1, chunks, a, b), chunks, threads)
