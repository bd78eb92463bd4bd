"""Compiled random-forest inference: numba kernels over flat tree arrays.

Why not scikit-learn's own ``predict_proba``: it walks every tree over the whole feature matrix
(streaming all of it from memory once per tree) and allocates a float64 ``(n, C)`` array per tree.
Here the pixels are cut into blocks; each block is copied once into a small feature-major buffer
that stays in cache, then every tree is applied to the block by *partitioning* the block's row
indices down the tree (like tree building in reverse): at a node, one tight branch-free loop
splits the rows that reached it into those going left and right. Consecutive pixels mostly share
paths, the loop has no data-dependent branches, and each leaf adds its class distribution to its
rows in one go. Blocks run in parallel (``prange``); memory beyond the output is a few buffers per
block, whatever the number of pixels.

Exactness: scikit-learn casts features to float32 and tests ``x <= threshold`` against float64
thresholds. Each threshold is rounded *down* to the largest float32 not above it, which gives the
same decision for every float32 ``x``; leaf distributions stay float64 and are averaged over trees
in float64 like scikit-learn, so probabilities match it to float32 rounding.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
from numba import prange

#: pixels per block: the block's feature copy (F x block float32) should fit in L2 cache (49 x 4096 x 4 = 800 kB)
DEFAULT_BLOCK = 4096

_U64 = np.uint64


def thresholds_as_float32(thresholds: np.ndarray) -> np.ndarray:
    """Largest float32 <= each float64 threshold, so ``x <= t32`` equals ``x <= t64`` for float32 ``x``."""
    t64 = np.asarray(thresholds, dtype=np.float64)
    with np.errstate(over="ignore"):
        t32 = t64.astype(np.float32)
    above = t32.astype(np.float64) > t64
    t32[above] = np.nextafter(t32[above], np.float32(-np.inf))
    return t32


@numba.njit(cache=True)
def _load_block(X, start, nb, cols, column_major):  # pragma: no cover - compiled
    """Copy rows ``start:start+nb`` of X into the first ``nb`` columns of feature-major float32 ``cols``.

    Returns the first row (relative to ``start``) holding NaN or inf, or -1.
    """
    n_feat = cols.shape[0]
    bad = -1
    if column_major:
        for f in range(n_feat):
            for i in range(nb):
                v = np.float32(X[start + i, f])
                cols[f, i] = v
                if v - v != 0.0 and (bad < 0 or i < bad):
                    bad = i
    else:
        for i in range(nb):
            for f in range(n_feat):
                v = np.float32(X[start + i, f])
                cols[f, i] = v
                if v - v != 0.0 and bad < 0:
                    bad = i
    return bad


@numba.njit(cache=True)
def _partition(src, dst, start, stop, col, threshold):  # pragma: no cover - compiled
    """Write the rows ``src[start:stop]`` going left (``col[row] <= threshold``) to the front of
    ``dst[start:stop]`` and those going right to its back; returns the number going left.

    Branch-free: each row is stored at both ends and only the matching end advances. All indices
    are unsigned, which spares numba's negative-index fix-ups in this, the hottest loop.
    """
    one = _U64(1)
    lo = start
    hi = stop - one
    for k in range(start, stop):
        row = src[k]
        right = _U64(col[row] > threshold)
        dst[lo] = row
        dst[hi] = row
        lo += one - right
        hi -= right
    return lo - start


@numba.njit(cache=True)
def _add_leaf(rows, start, stop, value, acc):  # pragma: no cover - compiled
    """Add one leaf's class distribution to the accumulators of ``rows[start:stop]``."""
    n_classes = value.shape[0]
    for k in range(start, stop):
        row = rows[k]
        for c in range(n_classes):
            acc[row, c] += value[c]


@numba.njit(cache=True)
def _apply_tree(root, cols, feature, threshold, left, right, values, leaf_class, rows_a, rows_b, stack, acc):  # pragma: no cover
    """Send every row of the block down one tree, adding leaf distributions to ``acc``.

    ``rows_a`` holds the block's row indices; a node at even depth reads its rows from ``rows_a``
    and partitions them into the same range of ``rows_b`` (odd depth: the other way round), so the
    ranges of pending nodes never overlap. ``stack`` rows are (node, start, stop, depth).
    """
    nb = rows_a.shape[0]
    for i in range(nb):
        rows_a[i] = i
    stack[0, 0] = root
    stack[0, 1] = 0
    stack[0, 2] = nb
    stack[0, 3] = 0
    top = 1  # stack entries are uint64: node, start, stop, depth
    while top > 0:
        top -= 1
        node = stack[top, 0]
        start = stack[top, 1]
        stop = stack[top, 2]
        depth = stack[top, 3]
        if depth % _U64(2) == _U64(0):
            src = rows_a
            dst = rows_b
        else:
            src = rows_b
            dst = rows_a
        f = feature[node]
        if f < 0:
            pure = leaf_class[node]
            if pure >= 0:  # most leaves of fully grown trees hold one class: one add per row
                for k in range(start, stop):
                    acc[src[k], pure] += 1.0
            else:
                _add_leaf(src, start, stop, values[node], acc)
            continue
        n_left = _partition(src, dst, start, stop, cols[f], threshold[node])
        middle = start + n_left
        if n_left > _U64(0):
            stack[top, 0] = left[node]
            stack[top, 1] = start
            stack[top, 2] = middle
            stack[top, 3] = depth + _U64(1)
            top += 1
        if middle < stop:
            stack[top, 0] = right[node]
            stack[top, 1] = middle
            stack[top, 2] = stop
            stack[top, 3] = depth + _U64(1)
            top += 1


@numba.njit(parallel=True, cache=True)
def _predict_forest(X, feature, threshold, left, right, roots, values, leaf_class, max_depth, block, out, bad_rows):  # pragma: no cover
    """Mean leaf distribution over all trees for every row of X, written to ``out`` (float32)."""
    n, n_feat = X.shape
    n_classes = values.shape[1]
    n_trees = roots.shape[0]
    n_blocks = (n + block - 1) // block
    column_major = X.strides[0] < X.strides[1]
    for b in prange(n_blocks):
        start = b * block
        nb = min(block, n - start)
        # rows padded by 16 floats: a power-of-two row stride would map all features to one cache
        # set; the whole (contiguous) buffer is passed on so rows index without a stride multiply
        cols = np.empty((n_feat, nb + 16), np.float32)
        bad = _load_block(X, start, nb, cols, column_major)
        bad_rows[b] = -1 if bad < 0 else start + bad
        acc = np.zeros((nb, n_classes), np.float64)
        rows_a = np.empty(nb, np.uint32)
        rows_b = np.empty(nb, np.uint32)
        # a popped node pushes at most two children, so depth + 2 entries always suffice
        stack = np.empty((max_depth + 2, 4), np.uint64)
        for t in range(n_trees):
            _apply_tree(roots[t], cols, feature, threshold, left, right, values, leaf_class, rows_a, rows_b, stack, acc)
        for i in range(nb):
            for c in range(n_classes):
                out[start + i, c] = acc[i, c] / n_trees


class CompiledForest:
    """A forest laid out for :func:`_predict_forest`: flat node arrays with global child indices.

    :param feature: ``(N,)`` int32 feature index per node, -1 for leaves.
    :param threshold: ``(N,)`` float64 split thresholds (go left when ``x <= threshold``).
    :param left: ``(N,)`` global index of the left child (ignored for leaves).
    :param right: ``(N,)`` global index of the right child (ignored for leaves).
    :param roots: ``(T,)`` global index of each tree's root.
    :param values: ``(N, C)`` float64 class distribution of each leaf (rows of internal nodes unused).
    :param max_depth: deepest leaf depth over all trees (root = 0).
    """

    def __init__(
        self,
        feature: np.ndarray,
        threshold: np.ndarray,
        left: np.ndarray,
        right: np.ndarray,
        roots: np.ndarray,
        values: np.ndarray,
        max_depth: int,
    ):
        self.feature = np.ascontiguousarray(feature, dtype=np.int32)
        self.threshold = thresholds_as_float32(threshold)
        self.left = np.ascontiguousarray(left, dtype=np.uint64)
        self.right = np.ascontiguousarray(right, dtype=np.uint64)
        self.roots = np.ascontiguousarray(roots, dtype=np.uint64)
        self.values = np.ascontiguousarray(values, dtype=np.float64)
        self.max_depth = int(max_depth)
        # class index of leaves whose distribution is exactly one-hot, else -1 (adding 1.0 is then exact)
        one_hot = ((self.values == 1.0).sum(axis=1) == 1) & ((self.values == 0.0).sum(axis=1) == self.n_classes - 1)
        self.leaf_class = np.where(one_hot & (self.feature < 0), self.values.argmax(axis=1), -1).astype(np.int64)

    @property
    def n_classes(self) -> int:
        return int(self.values.shape[1])

    def predict_proba(
        self, X: np.ndarray, *, threads: int | None = None, block: int = DEFAULT_BLOCK
    ) -> tuple[np.ndarray, int]:
        """Class probabilities for float32/float64 ``X`` ``(n, F)`` of any strides.

        :param threads: CPU threads to use (``None`` or 0: all numba threads).
        :param block: pixels per block (memory beyond the output ~ threads x block x (4F + 8C + 8) bytes).
        :returns: ``(probabilities float32 (n, C), first row with NaN/inf or -1)``.
        """
        n = X.shape[0]
        out = np.empty((n, self.n_classes), np.float32)
        if n == 0:
            return out, -1
        n_blocks = (n + block - 1) // block
        bad_rows = np.empty(n_blocks, np.int64)
        _run_parallel(
            threads,
            _predict_forest,
            X,
            self.feature,
            self.threshold,
            self.left,
            self.right,
            self.roots,
            self.values,
            self.leaf_class,
            self.max_depth,
            block,
            out,
            bad_rows,
        )
        bad = bad_rows[bad_rows >= 0]
        return out, int(bad.min()) if bad.size else -1


def _run_parallel(threads: int | None, kernel: Any, *args: Any) -> None:
    """Call a parallel numba kernel with ``threads`` threads and dynamic block scheduling."""
    available = numba.config.NUMBA_NUM_THREADS
    wanted = available if not threads else max(1, min(int(threads), available))
    previous = numba.get_num_threads()
    numba.set_num_threads(wanted)
    try:
        # small chunks let a thread that gets more CPU take more blocks on a busy machine
        with numba.parallel_chunksize(1):
            kernel(*args)
    finally:
        numba.set_num_threads(previous)
