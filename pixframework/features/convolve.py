"""Separable correlation along one axis with mirror borders (single passes; fused ones: separable.py).

Borders mirror without repeating the edge pixel (index ``-k`` reads ``k``, index ``n-1+k`` reads
``n-1-k``; scipy.ndimage mode ``"mirror"``, OpenCV ``BORDER_REFLECT_101``), repeating the
reflection when a kernel is wider than the data. Kernels are half kernels from
:mod:`pixframework.features.kernels` (symmetric or antisymmetric), so each tap pair costs one
add and one multiply-add.

Why numba and not OpenCV: OpenCV's row filter is fast, but its Python calls do not run in
parallel from several threads (measured: two threads take twice as long as one), so the thread
count could not be controlled and blockwise callers would serialise. These ``nogil`` kernels
match OpenCV single-threaded on large kernels and scale with the threads we give them
(see docs/features.md for numbers).
"""

from __future__ import annotations

import numba
import numpy as np

from ..errors import ValidationError
from .lines import group_taps, mirror, mirror_pad, taps1
from .workers import parallel_for

#: columns per chunk of a column pass: 2r+1 input rows of a chunk (r <= 40: 324 KB) fit in L2
_COLUMN_CHUNK = 1024
#: rows below which splitting over threads costs more than it saves
_MIN_ROWS_PER_TASK = 8


@numba.njit(nogil=True, cache=True, fastmath={"contract"})
def _correlate_rows(src, h, antisymmetric, dst, start, stop):  # pragma: no cover - compiled
    # along the last axis of 2D (rows, cols) arrays; src may be dst (the row is copied first)
    n_cols = src.shape[1]
    r = h.shape[0] - 1
    padded = np.empty((1, n_cols + 2 * r), np.float32)
    table = h.reshape((1, r + 1))
    radii = np.full(1, r, np.int64)
    sign = np.full(1, -1.0 if antisymmetric else 1.0, np.float32)
    member = np.zeros(3, np.int64)
    for i in range(start, stop):
        mirror_pad(src[i], r, padded)
        out = dst[i]
        group_taps(out, out, out, 1, padded, False, r, table, radii, sign, member)


@numba.njit(nogil=True, cache=True, fastmath={"contract"})
def _correlate_columns(src, h, antisymmetric, dst, row0, start, stop):  # pragma: no cover - compiled
    # along axis 1 of 3D (planes, rows, cols) arrays; dst holds output rows row0.. (all its rows);
    # items are flattened (plane, output row) pairs.
    # Column chunks are the outer loop: the 2r+1 input rows of one chunk stay in cache while
    # consecutive output rows slide over them (for wide rows, e.g. a z pass over y*x, this is
    # several times faster than sweeping whole rows).
    n_rows = src.shape[1]
    n_out = dst.shape[1]
    n_cols = src.shape[2]
    r = h.shape[0] - 1
    h0 = h[0]
    sign = np.float32(-1.0 if antisymmetric else 1.0)
    for x0 in range(0, n_cols, _COLUMN_CHUNK):
        x1 = min(x0 + _COLUMN_CHUNK, n_cols)
        for i in range(start, stop):
            p = i // n_out
            row = i - p * n_out
            y = row0 + row
            out = dst[p, row, x0:x1]
            centre = src[p, y, x0:x1]
            for x in range(x1 - x0):
                out[x] = h0 * centre[x]
            for j in range(1, r + 1):
                plus = src[p, mirror(y + j, n_rows), x0:x1]
                minus = src[p, mirror(y - j, n_rows), x0:x1]
                taps1(out, plus, minus, h[j], sign)


def correlate_axis(
    src: np.ndarray,
    half: np.ndarray,
    antisymmetric: bool,
    axis: int,
    out: np.ndarray | None = None,
    threads: int = 1,
    rows: tuple[int, int] | None = None,
) -> np.ndarray:
    """Correlate ``src`` with a 1D half kernel along ``axis``, mirroring at the borders.

    :param src: float32 array, any number of dimensions, every axis at least 1 long.
    :param half: half kernel ``h[0..r]`` (float32): tap ``+j`` is ``h[j]``, tap ``-j`` is ``h[j]``
        (symmetric) or ``-h[j]`` (``antisymmetric``).
    :param axis: axis to filter along.
    :param out: float32 C-contiguous array of ``src``'s shape to write to (may be ``src`` itself).
    :param threads: threads to use.
    :param rows: ``(start, stop)``: compute only these indices along ``axis`` (not the last axis);
        ``out`` then has ``stop - start`` there. The kernel still reads around them and mirrors at
        the borders of ``src``. ``None`` means all.
    :returns: ``out`` (a new array if none was given).
    """
    if src.dtype != np.float32:
        raise ValidationError(f"correlate_axis needs float32 data, got {src.dtype}")
    axis = axis % src.ndim
    src = np.ascontiguousarray(src)
    row0, row1 = (0, src.shape[axis]) if rows is None else (int(rows[0]), int(rows[1]))
    if rows is not None and (axis == src.ndim - 1 or not 0 <= row0 < row1 <= src.shape[axis]):
        raise ValidationError(f"rows {rows!r} must be a non-empty range inside axis {axis} (not the last axis)")
    out_shape = src.shape[:axis] + (row1 - row0,) + src.shape[axis + 1 :]
    if out is None:
        out = np.empty(out_shape, np.float32)
    elif out.shape != out_shape or out.dtype != np.float32 or not out.flags.c_contiguous:
        raise ValidationError(
            f"out must be a C-contiguous float32 array of shape {out_shape}, got {out.dtype} {out.shape}"
        )
    half = np.ascontiguousarray(half, dtype=np.float32)
    shape = src.shape
    if axis == src.ndim - 1:
        rows = src.reshape(-1, shape[-1])
        dst = out.reshape(rows.shape)
        parallel_for(
            lambda a, b: _correlate_rows(rows, half, antisymmetric, dst, a, b),
            rows.shape[0], threads, _MIN_ROWS_PER_TASK,
        )
        return out
    planes = int(np.prod(shape[:axis], dtype=np.int64))
    cols = int(np.prod(shape[axis + 1 :], dtype=np.int64))
    cube = src.reshape(planes, shape[axis], cols)
    target = out
    if np.shares_memory(src, out):
        # a column pass reads neighbouring rows after writing: it cannot work in place
        target = np.empty_like(out)
    dst = target.reshape(planes, row1 - row0, cols)
    parallel_for(
        lambda a, b: _correlate_columns(cube, half, antisymmetric, dst, row0, a, b),
        planes * (row1 - row0), threads, _MIN_ROWS_PER_TASK,
    )
    if target is not out:
        out[...] = target
    return out
