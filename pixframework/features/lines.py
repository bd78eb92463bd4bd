"""Loops over lines of pixels shared by every filter pass: mirror padding and tap accumulation.

A *line* is a row of pixels. A correlation output line is ``h[0] * centre + sum_j h[j] * (plus_j
+ s * minus_j)`` with ``plus_j``/``minus_j`` the input lines at offsets ``+j``/``-j`` and ``s = +1``
(symmetric kernel) or ``-1`` (antisymmetric). Row passes take the offset lines as shifted windows
of one mirror-padded row, column passes as other rows (of a ring buffer). Several kernels reading
the same input are accumulated in one loop, so each tap pair is loaded once for all of them.
"""

from __future__ import annotations

import numba

#: line length from which kernels sharing an input are accumulated together
SHARED_MIN_COLS = 512


@numba.njit(nogil=True, cache=True, inline="always")
def mirror(i: int, n: int) -> int:
    """Index ``i`` folded into ``[0, n)`` by mirroring without repeating the edge (period ``2n - 2``)."""
    if n == 1:
        return 0
    period = 2 * (n - 1)
    i = abs(i) % period
    if i >= n:
        i = period - i
    return i


@numba.njit(nogil=True, cache=True, fastmath={"contract"}, inline="always")
def taps1(o0, plus, minus, h0, s0):  # pragma: no cover - compiled
    # s = +1: symmetric tap pair (plus + minus); s = -1: antisymmetric (plus - minus)
    for x in range(o0.shape[0]):
        o0[x] += h0 * (plus[x] + s0 * minus[x])


@numba.njit(nogil=True, cache=True, fastmath={"contract"}, inline="always")
def taps2(o0, o1, plus, minus, h0, h1, s0, s1):  # pragma: no cover - compiled
    for x in range(o0.shape[0]):
        p = plus[x]
        m = minus[x]
        o0[x] += h0 * (p + s0 * m)
        o1[x] += h1 * (p + s1 * m)


@numba.njit(nogil=True, cache=True, fastmath={"contract"}, inline="always")
def taps3(o0, o1, o2, plus, minus, h0, h1, h2, s0, s1, s2):  # pragma: no cover - compiled
    for x in range(o0.shape[0]):
        p = plus[x]
        m = minus[x]
        o0[x] += h0 * (p + s0 * m)
        o1[x] += h1 * (p + s1 * m)
        o2[x] += h2 * (p + s2 * m)


@numba.njit(nogil=True, cache=True, fastmath={"contract"}, inline="always")
def tap_pair(lines, in_ring, centre, j, plus_slot, minus_slot, n):  # pragma: no cover - compiled
    """The two input lines at offsets +j and -j: ring rows (column pass) or buffer windows (row pass)."""
    if in_ring:
        return lines[plus_slot], lines[minus_slot]
    return lines[0, centre + j : centre + j + n], lines[0, centre - j : centre - j + n]


@numba.njit(nogil=True, cache=True, fastmath={"contract"}, inline="always")
def group_taps(o0, o1, o2, k, lines, in_ring, centre, h, radius, sign, members):  # pragma: no cover
    """Up to 3 outputs ``o*`` filtering the same input: each tap pair is loaded once for all of them.

    ``lines`` is the ring ``(slots, n)`` with the centre row at slot ``centre`` (column pass), or a
    padded row ``(1, n + 2 pad)`` with the centre at offset ``centre`` (row pass). ``members`` are
    kernel indices sorted by radius (``h``, ``radius``, ``sign`` tables; sign -1 = antisymmetric):
    taps 1..r0 update all outputs, taps up to r1 the last two, taps up to r2 the last one.
    """
    n = o0.shape[0]
    slots = lines.shape[0]
    m0 = members[0]
    m1 = members[min(1, k - 1)]
    m2 = members[min(2, k - 1)]
    middle = lines[centre] if in_ring else lines[0, centre : centre + n]
    for q in range(k):
        out = o0 if q == 0 else (o1 if q == 1 else o2)
        h0 = h[members[q], 0]
        for x in range(n):
            out[x] = h0 * middle[x]
    if n < SHARED_MIN_COLS:
        # short lines: the overlap checks of a 5-array loop cost more than the loads it saves
        for q in range(k):
            m = members[q]
            out = o0 if q == 0 else (o1 if q == 1 else o2)
            plus_slot = centre
            minus_slot = centre
            for j in range(1, radius[m] + 1):
                plus_slot = plus_slot + 1 if plus_slot + 1 < slots else 0
                minus_slot = minus_slot - 1 if minus_slot > 0 else slots - 1
                plus, minus = tap_pair(lines, in_ring, centre, j, plus_slot, minus_slot, n)
                taps1(out, plus, minus, h[m, j], sign[m])
        return
    plus_slot = centre
    minus_slot = centre
    done = 0  # taps applied so far
    for stage in range(k):
        # outputs still active in this stage: members[stage:], all with radius >= radius[members[stage]]
        upto = radius[members[stage]]
        active = k - stage
        for j in range(done + 1, upto + 1):
            # ring slots of rows y + j and y - j, wrapped without a division per tap
            plus_slot = plus_slot + 1 if plus_slot + 1 < slots else 0
            minus_slot = minus_slot - 1 if minus_slot > 0 else slots - 1
            plus, minus = tap_pair(lines, in_ring, centre, j, plus_slot, minus_slot, n)
            if active == 3:
                taps3(o0, o1, o2, plus, minus, h[m0, j], h[m1, j], h[m2, j], sign[m0], sign[m1], sign[m2])
            elif active == 2:
                if k == 3:
                    taps2(o1, o2, plus, minus, h[m1, j], h[m2, j], sign[m1], sign[m2])
                else:
                    taps2(o0, o1, plus, minus, h[m0, j], h[m1, j], sign[m0], sign[m1])
            else:
                taps1(o2, plus, minus, h[m2, j], sign[m2])
        done = max(done, upto)


@numba.njit(nogil=True, cache=True, inline="always")
def mirror_pad(row, pad, padded):  # pragma: no cover - compiled
    """``padded[0, pad - k]`` and ``padded[0, pad + n - 1 + k]`` mirror ``row`` (no edge repeat)."""
    n = row.shape[0]
    line = padded[0]
    for x in range(n):
        line[pad + x] = row[x]
    if pad < n:
        for j in range(1, pad + 1):
            line[pad - j] = row[j]
            line[pad + n - 1 + j] = row[n - 1 - j]
    else:  # wider than the row: reflect repeatedly
        for j in range(1, pad + 1):
            line[pad - j] = row[mirror(-j, n)]
            line[pad + n - 1 + j] = row[mirror(n - 1 + j, n)]


