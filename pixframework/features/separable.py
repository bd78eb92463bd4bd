"""Fused 2D separable filter banks: several (row kernel, column kernel) pairs in one sweep over memory.

A bank has row kernels ``R_i`` (along x) and outputs ``o = C_o(R_{src(o)}(f))`` (``C_o`` along y).
Rows of ``R_i(f)`` are computed into a ring buffer of ``2 r + 1`` rows (``r`` the largest column
radius), so the row-filtered images never go to main memory: the input is read once and each
output written once, instead of a full write and read of an intermediate image per pass. With
several outputs on one ring (e.g. ``G``, ``d/dy``, ``d2/dy2`` all from the x-smoothed image) the
row pass is shared too. For the six derivatives of a scale on a 2048 x 2048 image this is
1.2-1.7x faster than separate row and column passes (docs/features.md).

Borders mirror (scipy ``"mirror"``): ring rows are indexed by *virtual* row numbers, virtual row
``v`` holding the row-filtered image row ``mirror(v)``.
"""

from __future__ import annotations

from typing import Sequence

import numba
import numpy as np

from ..errors import ValidationError
from .lines import group_taps, mirror_pad
from .ring import first_ring_row, ring_output_row, ring_source
from .kernels import half_kernel
from .workers import parallel_for


@numba.njit(nogil=True, cache=True, fastmath={"contract"})
def _bank(src, row_h, row_r, row_sign, row_groups, row_group_size, col_h, col_r, col_sign, groups, group_ring,
          group_size, dst, row0, chunks_per_plane, start, stop):  # pragma: no cover - compiled
    # src (planes, rows, cols); dst (outputs, planes, out rows, cols) holds rows row0.. of the result;
    # items are (plane, row chunk) pairs
    n_rows = src.shape[1]
    n_out = dst.shape[2]
    n_cols = src.shape[2]
    n_ring = row_h.shape[0]
    cr = 0
    for o in range(col_r.shape[0]):
        cr = max(cr, col_r[o])
    rr = 0
    for i in range(n_ring):
        rr = max(rr, row_r[i])
    slots = 2 * cr + 1
    ring = np.empty((n_ring, slots, n_cols), np.float32)
    padded = np.empty((1, n_cols + 2 * rr), np.float32)
    chunk_rows = (n_out + chunks_per_plane - 1) // chunks_per_plane
    for item in range(start, stop):
        p = item // chunks_per_plane
        y0 = row0 + (item % chunks_per_plane) * chunk_rows
        y1 = min(row0 + n_out, y0 + chunk_rows)
        plane = src[p]
        first = first_ring_row(y0, n_rows, cr)
        for v in range(first, y1 + cr):
            # ring row for virtual row v (mirrored at the borders: a copy when the row is at hand)
            slot = v % slots
            source = ring_source(ring, v, n_rows, cr)
            if source >= 0:
                mirror_pad(plane[source], rr, padded)
                for g in range(row_groups.shape[0]):
                    k = row_group_size[g]
                    members = row_groups[g]
                    group_taps(ring[members[0], slot], ring[members[min(1, k - 1)], slot],
                                ring[members[min(2, k - 1)], slot], k, padded, False, rr,
                                row_h, row_r, row_sign, members)
            y = ring_output_row(ring, v, first, y0, cr)
            if y < 0:
                continue
            for g in range(groups.shape[0]):
                k = group_size[g]
                members = groups[g]
                group_taps(dst[members[0], p, y - row0], dst[members[min(1, k - 1)], p, y - row0],
                            dst[members[min(2, k - 1)], p, y - row0], k, ring[group_ring[g]], True, y % slots,
                            col_h, col_r, col_sign, members)


def _pack(halves: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(h) for h in halves)
    table = np.zeros((len(halves), width), np.float32)
    for i, h in enumerate(halves):
        table[i, : len(h)] = h
    return table, np.array([len(h) - 1 for h in halves], np.int64)


def _groups(inputs: Sequence[int], radius: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kernels reading the same input, in groups of up to 3 sorted by radius: (members, input, size)."""
    lists = []
    for source in dict.fromkeys(inputs):
        same = sorted((i for i in range(len(inputs)) if inputs[i] == source), key=lambda i: radius[i])
        lists += [(source, same[i : i + 3]) for i in range(0, len(same), 3)]
    members = np.zeros((len(lists), 3), np.int64)
    for g, (_, group) in enumerate(lists):
        members[g, : len(group)] = group
    return (
        members,
        np.array([source for source, _ in lists], np.int64),
        np.array([len(group) for _, group in lists], np.int64),
    )


def separable_bank(
    src: np.ndarray,
    sigma_orders: Sequence[tuple[float, int, float, int]],
    out: np.ndarray,
    threads: int = 1,
    rows: tuple[int, int] | None = None,
) -> np.ndarray:
    """Apply Gaussian-derivative filters over the last two axes (y, x), several at once.

    :param src: float32 ``(y, x)`` or ``(planes, y, x)`` data (each plane filtered on its own).
    :param sigma_orders: one ``(sigma_y, order_y, sigma_x, order_x)`` per output.
    :param out: float32 C-contiguous ``(n_outputs, *src.shape)``, or with ``rows`` only that many
        rows along y; must not overlap ``src``.
    :param rows: ``(start, stop)``: compute only these rows (y) of the result (the filters still read
        the rows around them and mirror at the borders of ``src``); ``None`` means all.
    :returns: ``out``.
    """
    if src.dtype != np.float32 or src.ndim not in (2, 3):
        raise ValidationError("separable_bank needs 2D or 3D float32 data")
    row0, row1 = (0, src.shape[-2]) if rows is None else (int(rows[0]), int(rows[1]))
    if not 0 <= row0 < row1 <= src.shape[-2]:
        raise ValidationError(f"rows {rows!r} are not a non-empty range inside 0..{src.shape[-2]}")
    shape = (len(sigma_orders), *src.shape[:-2], row1 - row0, src.shape[-1])
    if out.shape != shape or out.dtype != np.float32 or not out.flags.c_contiguous:
        raise ValidationError(f"out must be C-contiguous float32 of shape {shape}")
    if np.shares_memory(src, out):
        raise ValidationError("separable_bank cannot work in place")
    cube = np.ascontiguousarray(src).reshape((-1, *src.shape[-2:]))
    dst = out.reshape((len(sigma_orders), cube.shape[0], row1 - row0, cube.shape[2]))
    rows: list[tuple[float, int]] = []
    col_halves, col_anti, col_src = [], [], []
    for sy, oy, sx, ox in sigma_orders:
        if (sx, ox) not in rows:
            rows.append((sx, ox))
        col_src.append(rows.index((sx, ox)))
        col_halves.append(half_kernel(sy, oy))
        col_anti.append(oy % 2 == 1)
    row_h, row_r = _pack([half_kernel(s, o) for s, o in rows])
    row_sign = np.array([-1.0 if o % 2 else 1.0 for _, o in rows], np.float32)
    col_h, col_r = _pack(col_halves)
    col_sign = np.array([-1.0 if anti else 1.0 for anti in col_anti], np.float32)
    # row kernels (all read the same padded row) and outputs on the same ring go in groups of up
    # to 3, sorted by radius, so each tap pair is loaded once per group
    row_groups, _, row_group_size = _groups([0] * len(rows), row_r)
    groups, group_ring, group_size = _groups(col_src, col_r)
    planes, n_rows = cube.shape[0], row1 - row0
    # each chunk re-primes its ring (2 r rows), so chunks must be much taller than the radius
    per_plane = 1 if planes >= 2 * threads else max(1, min(2 * threads, n_rows // max(16, 4 * int(col_r.max()))))
    parallel_for(
        lambda a, b: _bank(
            cube, row_h, row_r, row_sign, row_groups, row_group_size, col_h, col_r, col_sign, groups, group_ring,
            group_size, dst, row0, per_plane, a, b,
        ),
        planes * per_plane, threads,
    )
    return out
