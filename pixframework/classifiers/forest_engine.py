"""Compiled random-forest inference: numba kernels over flat tree arrays.

Why not scikit-learn's own ``predict_proba``: it walks one pixel down one tree at a time, streams
the whole feature matrix from memory once per tree and allocates a float64 ``(n, C)`` array per
tree. Here pixels are cut into blocks of 4096; each block is copied once into a feature-major
buffer that stays in cache, and every tree is applied to the whole block at once with *row
bitmasks*: the rows that reached a node are a bitmask over the block (64 rows per word), kept
with the list of its non-zero words. At an internal node, for each of those words, 64 feature
values are compared with the threshold in one vectorised step (AVX-512/AVX2 compares packed to a
64-bit mask), and ``mask & bits`` / ``mask & ~bits`` are the two children's rows. Neighbouring
pixels mostly take the same path, so a node's rows fill few words and most of the work is
skipped. At a leaf, a one-class leaf adds 1 to that class's vote counter of its rows (64 rows per
vectorised step), other leaves add their float64 distribution. Blocks run in parallel
(``prange``); memory beyond the output is a few buffers per thread, whatever the number of pixels.

Exactness: scikit-learn casts features to float32 and tests ``x <= threshold`` against float64
thresholds. Each threshold is rounded *down* to the largest float32 not above it, which gives the
same decision for every float32 ``x``. Votes are exact integers and mixed leaves are summed in
float64, then divided by the number of trees like scikit-learn, so probabilities match it to
float32 rounding.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
from numba import prange

#: pixels per block: the block's feature copy (F x block float32) should fit in L2 cache (49 x 4096 x 4 = 800 kB)
DEFAULT_BLOCK = 4096

_U64 = np.uint64
_ONE = np.uint64(1)
#: most trees a forest may have: one-class leaves are counted in uint16 votes
MAX_TREES = 65535


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
def _split(col, threshold, masks, words, counts, slot):  # pragma: no cover - compiled
    """Split the rows held in ``slot`` by ``col[row] > threshold``.

    Left rows (``<=``) stay in ``slot``, right rows go to ``slot + 1``: ``masks[s]`` is the row
    bitmask by word, ``words[s, :counts[s]]`` the indices of its non-zero words. Branch-free: each
    word index is appended to both lists and only the lists whose mask is non-zero advance. The
    word offset is unsigned so numba adds no negative-index fix-up and the 64 compares vectorise.
    """
    left = masks[slot]
    right = masks[slot + 1]
    left_words = words[slot]
    right_words = words[slot + 1]
    n_left = 0
    n_right = 0
    for k in range(counts[slot]):
        w = left_words[k]
        rows = left[w]
        base = _U64(w) * _U64(64)
        bits = _U64(0)
        for j in range(64):
            bits |= _U64(col[base + _U64(j)] > threshold) << _U64(j)
        goes_right = rows & bits
        goes_left = rows & ~bits
        right[w] = goes_right
        left[w] = goes_left
        left_words[n_left] = w  # n_left <= k: compacting in place is safe
        right_words[n_right] = w
        n_left += goes_left != _U64(0)
        n_right += goes_right != _U64(0)
    counts[slot] = n_left
    counts[slot + 1] = n_right


@numba.njit(cache=True)
def _vote(mask, words, count, votes):  # pragma: no cover - compiled
    """Add 1 to ``votes[row]`` for every row in the bitmask (a one-class leaf)."""
    for k in range(count):
        w = words[k]
        rows = mask[w]
        base = _U64(w) * _U64(64)
        for j in range(64):
            votes[base + _U64(j)] += np.uint16((rows >> _U64(j)) & _ONE)


@numba.njit(cache=True)
def _add_distribution(mask, words, count, value, acc):  # pragma: no cover - compiled
    """Add a leaf's class distribution ``value`` to ``acc[c, row]`` for every row in the bitmask."""
    for c in range(value.shape[0]):
        v = value[c]
        if v == 0.0:
            continue
        acc_c = acc[c]
        for k in range(count):
            w = words[k]
            rows = mask[w]
            base = _U64(w) * _U64(64)
            for j in range(64):
                acc_c[base + _U64(j)] += v if (rows >> _U64(j)) & _ONE else 0.0


@numba.njit(cache=True)
def _apply_tree(root, cols, nb, feature, threshold, left, right, values, leaf_class,
                masks, words, counts, stack, votes, acc):  # pragma: no cover - compiled
    """Send the block's ``nb`` rows down one tree, depth first, adding each leaf to its rows.

    A node popped from stack slot ``s`` finds its rows in slot ``s``; its children take slots
    ``s`` and ``s + 1``, so ``max_depth + 2`` slots always suffice.
    """
    full = nb // 64
    rest = nb - full * 64
    for w in range(full):
        masks[0, w] = ~_U64(0)
        words[0, w] = w
    counts[0] = full
    if rest:
        masks[0, full] = (_ONE << _U64(rest)) - _ONE
        words[0, full] = full
        counts[0] = full + 1
    stack[0] = root
    top = 1
    while top > 0:
        top -= 1
        node = stack[top]
        f = feature[node]
        if f < 0:
            pure = leaf_class[node]
            if pure >= 0:  # most leaves of fully grown trees hold one class
                _vote(masks[top], words[top], counts[top], votes[pure])
            else:
                _add_distribution(masks[top], words[top], counts[top], values[node], acc)
            continue
        _split(cols[f], threshold[node], masks, words, counts, top)
        if counts[top] > 0:
            stack[top] = left[node]
            top += 1
            if counts[top] > 0:
                stack[top] = right[node]
                top += 1
        elif counts[top + 1] > 0:  # every row went right: move them into this slot
            for k in range(counts[top + 1]):
                w = words[top + 1, k]
                words[top, k] = w
                masks[top, w] = masks[top + 1, w]
            counts[top] = counts[top + 1]
            stack[top] = right[node]
            top += 1


@numba.njit(parallel=True, cache=True)
def _predict_forest(X, feature, threshold, left, right, roots, values, leaf_class, max_depth, block, out, bad_rows):  # pragma: no cover
    """Mean leaf distribution over all trees for every row of X, written to ``out`` (float32)."""
    n, n_feat = X.shape
    n_classes = values.shape[1]
    n_trees = roots.shape[0]
    n_blocks = (n + block - 1) // block
    column_major = X.strides[0] < X.strides[1]
    n_words = (block + 63) // 64
    width = n_words * 64
    for b in prange(n_blocks):
        start = b * block
        nb = min(block, n - start)
        # rows padded by 16 floats: a power-of-two row stride would put all features in one cache set
        cols = np.empty((n_feat, width + 16), np.float32)
        cols[:, nb:] = 0.0  # never selected by a mask; zeroed so no garbage is ever compared
        bad = _load_block(X, start, nb, cols, column_major)
        bad_rows[b] = -1 if bad < 0 else start + bad
        votes = np.zeros((n_classes, width), np.uint16)
        acc = np.zeros((n_classes, width), np.float64)
        masks = np.empty((max_depth + 2, n_words), np.uint64)
        words = np.empty((max_depth + 2, n_words), np.int64)
        counts = np.empty(max_depth + 2, np.int64)
        stack = np.empty(max_depth + 2, np.int64)
        for t in range(n_trees):
            _apply_tree(roots[t], cols, nb, feature, threshold, left, right, values, leaf_class,
                        masks, words, counts, stack, votes, acc)
        for i in range(nb):
            for c in range(n_classes):
                out[start + i, c] = (acc[c, i] + votes[c, i]) / n_trees


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
        self.left = np.ascontiguousarray(left, dtype=np.int64)
        self.right = np.ascontiguousarray(right, dtype=np.int64)
        self.roots = np.ascontiguousarray(roots, dtype=np.int64)
        if not 1 <= self.roots.shape[0] <= MAX_TREES:
            raise ValueError(f"a compiled forest holds 1 to {MAX_TREES} trees, got {self.roots.shape[0]}")
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
        :param block: pixels per block (memory beyond the output about threads x block x (4F + 10C) bytes).
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
