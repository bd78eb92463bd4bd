"""Ring buffers of filtered rows for fused passes, with the image's mirror borders.

A fused pass keeps the rows ``y - r .. y + r`` a column kernel needs in a ring of ``2 r + 1``
slots, row ``v`` (a *virtual* row number, may lie outside the image) in slot ``v % slots``.
Outside the image, rows mirror (``-k`` is ``k``, ``n - 1 + k`` is ``n - 1 - k``); when the mirrored
row is in the ring anyway it is copied instead of being filtered again.
"""

from __future__ import annotations

import numba

from .lines import mirror


@numba.njit(nogil=True, cache=True, inline="always")
def first_ring_row(y0, n_rows, cr):  # pragma: no cover - compiled
    """First virtual row a chunk loads: 0 at the top border (rows -cr..-1 are copied, see mirror_top)."""
    return 0 if (y0 == 0 and cr < n_rows) else y0 - cr


@numba.njit(nogil=True, cache=True, inline="always")
def bottom_mirror(v, n_rows, cr):  # pragma: no cover - compiled
    """Real row whose ring row equals virtual row ``v`` below the image and is still in the ring, else -1."""
    if cr < n_rows and v >= n_rows:
        return 2 * (n_rows - 1) - v
    return -1


@numba.njit(nogil=True, cache=True)
def copy_slot(ring, source, target):  # pragma: no cover - compiled
    for i in range(ring.shape[0]):
        a = ring[i, source]
        b = ring[i, target]
        for x in range(a.shape[0]):
            b[x] = a[x]


@numba.njit(nogil=True, cache=True)
def mirror_top(ring, cr, slots):  # pragma: no cover - compiled
    """Virtual rows -1..-cr are real rows 1..cr (loaded just before): copy instead of filtering again."""
    for k in range(1, cr + 1):
        copy_slot(ring, k % slots, (-k) % slots)


@numba.njit(nogil=True, cache=True, inline="always")
def ring_source(ring, v, n_rows, cr):  # pragma: no cover - compiled
    """Image row to filter into the slot of virtual row ``v``, or -1 if it was filled by a copy."""
    slots = ring.shape[1]
    twin = bottom_mirror(v, n_rows, cr)
    if twin >= 0:
        copy_slot(ring, twin % slots, v % slots)
        return -1
    return mirror(v, n_rows)


@numba.njit(nogil=True, cache=True, inline="always")
def ring_output_row(ring, v, first, y0, cr):  # pragma: no cover - compiled
    """After loading virtual row ``v``: the output row now complete (``v - cr``), or -1 if none yet."""
    if first == 0 and v == cr:
        mirror_top(ring, cr, ring.shape[1])
    y = v - cr
    return y if y >= y0 else -1
