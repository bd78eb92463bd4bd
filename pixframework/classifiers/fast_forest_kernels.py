"""Compiled kernels of the histogram random-forest trainer: feature binning and growing one tree.

Samples are binned once per fit (``uint8`` bin per feature, feature-major ``(F, n)``), so a split
search at a node builds a small class histogram per candidate feature in one pass over the node's
samples and scans its bins, instead of sorting the samples. Growing a tree therefore costs
``O(samples x mtry x depth + nodes x mtry x bins)``.

Randomness comes from a splitmix64 stream per tree seeded by the caller, so a tree depends only on
its seed and the data, never on which thread grew it or in which order.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2 ** -53


@numba.njit(cache=True, nogil=True)
def _next_random(state):  # pragma: no cover - compiled
    """Next 64 random bits of the splitmix64 stream held in ``state[0]``."""
    state[0] += _GOLDEN
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@numba.njit(cache=True, nogil=True)
def _random_below(state, n):  # pragma: no cover - compiled
    """A random integer in ``0 .. n-1`` (53 random bits scaled; the bias is below 2 ** -20 for n < 2 ** 32)."""
    unit = np.float64(_next_random(state) >> np.uint64(11)) * _TO_UNIT
    k = np.int64(unit * n)
    return k if k < n else n - 1


@numba.njit(cache=True, parallel=True)
def bin_features(columns, edges, n_edges, bins, lower, upper):  # pragma: no cover - compiled
    """Bin every value and record each bin's smallest and largest training value.

    :param columns: float32 ``(F, n)`` feature-major samples.
    :param edges: float32 ``(F, 255)``; row ``f`` holds ``n_edges[f]`` increasing edges, the rest
        must be ``+inf`` (a fixed-size table lets the search run without branches).
    :param bins: uint8 ``(F, n)`` output: the number of edges of that feature below the value,
        so ``value <= edges[f, b]`` exactly when ``bin <= b``.
    :param lower: float64 ``(F, 256)`` output, smallest value per bin (+inf when empty).
    :param upper: float64 ``(F, 256)`` output, largest value per bin (-inf when empty).
    """
    n_features, n = columns.shape
    for f in prange(n_features):
        table = edges[f]
        column = columns[f]
        out = bins[f]
        # branch-free lower bound over 255 = 2 ** 8 - 1 entries: random values defeat branch prediction
        for i in range(n):
            v = column[i]
            base = 0
            half = 128
            while half > 0:
                base += half if table[base + half - 1] < v else 0
                half >>= 1
            out[i] = base
        low = lower[f]
        high = upper[f]
        low[:] = np.inf
        high[:] = -np.inf
        for i in range(n):
            b = out[i]
            v = column[i]
            low[b] = min(low[b], v)
            high[b] = max(high[b], v)


#: nodes smaller than this sort their samples by bin instead of scanning a histogram of all bins
_SORT_BELOW = 40


@numba.njit(cache=True, nogil=True)
def _gini_score(counts, total):  # pragma: no cover - compiled
    """``sum_c counts[c] ** 2 / total``: larger is purer (Gini impurity is ``1 - score / total``)."""
    s = 0.0
    for c in range(counts.shape[0]):
        s += counts[c] * counts[c]
    return s / total


@numba.njit(cache=True, nogil=True)
def _split_score(running, w_left, node_counts, total, right_counts):  # pragma: no cover - compiled
    """Gini score of sending the ``running`` class weights left and the rest of the node right."""
    for c in range(running.shape[0]):
        right_counts[c] = node_counts[c] - running[c]
    return _gini_score(running, w_left) + _gini_score(right_counts, total - w_left)


@numba.njit(cache=True, nogil=True)
def _scan_histogram(hist, hist_n, b_min, b_max, node_counts, total, size, min_leaf,
                    best, running, right_counts, best_left):  # pragma: no cover - compiled
    """Best split of one feature from its class histogram over bins ``b_min .. b_max``; clears them.

    ``best`` is ``(score, low bin, high bin)`` so far; returns it updated (``best_left`` holds the
    winning left class weights).
    """
    best_score, best_low, best_high = best
    running[:] = 0.0
    n_left = 0
    w_left = 0.0
    last = -1  # last non-empty bin on the left
    for b in range(b_min, b_max + 1):
        if hist_n[b] == 0:
            continue
        if last >= 0 and n_left >= min_leaf and size - n_left >= min_leaf:
            score = _split_score(running, w_left, node_counts, total, right_counts)
            if score > best_score:
                best_score, best_low, best_high = score, last, b
                best_left[:] = running
        if size - n_left - hist_n[b] < min_leaf:
            break
        for c in range(running.shape[0]):
            running[c] += hist[b, c]
            w_left += hist[b, c]
        n_left += hist_n[b]
        last = b
    for b in range(b_min, b_max + 1):
        hist_n[b] = 0
        hist[b, :] = 0.0
    return best_score, best_low, best_high


@numba.njit(cache=True, nogil=True)
def _scan_sorted(keys, classes, weights, size, node_counts, total, min_leaf,
                 best, running, right_counts, best_left):  # pragma: no cover - compiled
    """Like :func:`_scan_histogram` for a small node whose samples are sorted by bin (``keys``)."""
    best_score, best_low, best_high = best
    running[:] = 0.0
    w_left = 0.0
    for k in range(size - 1):
        running[classes[k]] += weights[k]
        w_left += weights[k]
        n_left = k + 1
        if keys[k + 1] == keys[k] or n_left < min_leaf:
            continue
        if size - n_left < min_leaf:
            break
        score = _split_score(running, w_left, node_counts, total, right_counts)
        if score > best_score:
            best_score, best_low, best_high = score, np.int64(keys[k]), np.int64(keys[k + 1])
            best_left[:] = running
    return best_score, best_low, best_high


@numba.njit(cache=True, nogil=True)
def _bootstrap(state, n):  # pragma: no cover - compiled
    """Draw ``n`` samples with replacement: ``(weight per sample, indices of the drawn ones)``."""
    weight = np.zeros(n, np.float64)
    for _ in range(n):
        weight[_random_below(state, n)] += 1.0
    n_inbag = 0
    for i in range(n):
        if weight[i] > 0.0:
            n_inbag += 1
    order = np.empty(n_inbag, np.int64)
    k = 0
    for i in range(n):
        if weight[i] > 0.0:
            order[k] = i
            k += 1
    return weight, order


@numba.njit(cache=True, nogil=True)
def grow_tree(bins, labels, n_classes, n_bins, mtry, max_depth, min_leaf, seed):  # pragma: no cover - compiled
    """Grow one tree of a Breiman forest on a bootstrap sample of the binned training data.

    Splits minimise the weighted Gini impurity over ``mtry`` features drawn per node among those
    not constant in the node; a node becomes a leaf when pure, at ``max_depth``, when it cannot
    give both children ``min_leaf`` distinct samples, or when no candidate feature varies.

    :param bins: uint8 ``(F, n)`` binned samples (see :func:`bin_features`).
    :param labels: int64 ``(n,)`` class indices ``0 .. n_classes - 1``.
    :param n_bins: int64 ``(F,)`` bins used per feature.
    :param seed: uint64 seed of this tree's random stream.
    :returns: ``(left, right, feature, low_bin, high_bin, counts, importance)`` over the tree's
        nodes in creation order (children after parents, local indices, -1 at leaves):
        ``low_bin``/``high_bin`` are the last non-empty bin going left and the first going right
        at the node; ``counts`` float64 ``(nodes, C)`` bootstrap-weighted class counts;
        ``importance`` float64 ``(F,)`` weighted impurity decrease per feature.
    """
    n_features, n = bins.shape
    state = np.empty(1, np.uint64)
    state[0] = seed
    weight, order = _bootstrap(state, n)
    n_inbag = order.shape[0]

    capacity = 2 * n_inbag - 1
    left = np.full(capacity, -1, np.int32)
    right = np.full(capacity, -1, np.int32)
    feature = np.full(capacity, -1, np.int32)
    low_bin = np.zeros(capacity, np.int32)
    high_bin = np.zeros(capacity, np.int32)
    counts = np.zeros((capacity, n_classes), np.float64)
    importance = np.zeros(n_features, np.float64)

    max_bins = 0
    for f in range(n_features):
        max_bins = max(max_bins, n_bins[f])
    hist = np.zeros((max_bins, n_classes), np.float64)  # kept zero between uses
    hist_n = np.zeros(max_bins, np.int64)
    running = np.zeros(n_classes, np.float64)
    best_left = np.zeros(n_classes, np.float64)
    right_counts = np.zeros(n_classes, np.float64)
    keys = np.empty(_SORT_BELOW, np.uint8)
    key_classes = np.empty(_SORT_BELOW, np.int64)
    key_weights = np.empty(_SORT_BELOW, np.float64)
    candidates = np.arange(n_features)

    for k in range(n_inbag):
        i = order[k]
        counts[0, labels[i]] += weight[i]
    # depth-first stack of (node, start, end, depth) over ranges of ``order``
    stack = np.empty((capacity, 4), np.int64)
    stack[0, 0] = 0
    stack[0, 1] = 0
    stack[0, 2] = n_inbag
    stack[0, 3] = 0
    top = 1
    n_nodes = 1
    while top > 0:
        top -= 1
        node = stack[top, 0]
        start = stack[top, 1]
        end = stack[top, 2]
        depth = stack[top, 3]
        size = end - start
        node_counts = counts[node]
        total = 0.0
        n_present = 0
        for c in range(n_classes):
            total += node_counts[c]
            n_present += node_counts[c] > 0.0
        if n_present < 2 or depth >= max_depth or size < 2 * min_leaf:
            continue

        best = (-1.0, np.int64(-1), np.int64(-1))
        best_feature = -1
        found = 0
        j = 0
        # draw features without replacement until mtry of them vary in this node
        while j < n_features and found < mtry:
            r = j + _random_below(state, n_features - j)
            f = candidates[r]
            candidates[r] = candidates[j]
            candidates[j] = f
            j += 1
            row = bins[f]
            score_before = best[0]
            if size < _SORT_BELOW:
                # insertion sort of the node's (bin, class, weight) by bin: cheaper than scanning all bins
                for k in range(size):
                    i = order[start + k]
                    key = row[i]
                    cls = labels[i]
                    w = weight[i]
                    m = k
                    while m > 0 and keys[m - 1] > key:
                        keys[m] = keys[m - 1]
                        key_classes[m] = key_classes[m - 1]
                        key_weights[m] = key_weights[m - 1]
                        m -= 1
                    keys[m] = key
                    key_classes[m] = cls
                    key_weights[m] = w
                if keys[0] == keys[size - 1]:
                    continue
                found += 1
                best = _scan_sorted(keys, key_classes, key_weights, size, node_counts, total, min_leaf,
                                    best, running, right_counts, best_left)
            else:
                b_min = max_bins
                b_max = -1
                for k in range(start, end):
                    i = order[k]
                    b = np.int64(row[i])
                    hist[b, labels[i]] += weight[i]
                    hist_n[b] += 1
                    b_min = min(b_min, b)
                    b_max = max(b_max, b)
                if b_min == b_max:
                    hist_n[b_min] = 0
                    hist[b_min, :] = 0.0
                    continue
                found += 1
                best = _scan_histogram(hist, hist_n, b_min, b_max, node_counts, total, size, min_leaf,
                                       best, running, right_counts, best_left)
            if best[0] > score_before:
                best_feature = f
        if best_feature < 0:
            continue
        best_score, best_low, best_high = best

        # partition the node's range: bins <= best_low first
        row = bins[best_feature]
        lo = start
        hi = end - 1
        while lo <= hi:
            if np.int64(row[order[lo]]) <= best_low:
                lo += 1
            else:
                t = order[lo]
                order[lo] = order[hi]
                order[hi] = t
                hi -= 1
        # weighted impurity decrease W g - W_L g_L - W_R g_R, where W g = W - score
        importance[best_feature] += best_score - _gini_score(node_counts, total)

        lc = n_nodes
        rc = n_nodes + 1
        n_nodes += 2
        left[node] = lc
        right[node] = rc
        feature[node] = best_feature
        low_bin[node] = best_low
        high_bin[node] = best_high
        for c in range(n_classes):
            counts[lc, c] = best_left[c]
            counts[rc, c] = node_counts[c] - best_left[c]
        # push right first so the left subtree is grown first
        stack[top, 0] = rc
        stack[top, 1] = lo
        stack[top, 2] = end
        stack[top, 3] = depth + 1
        stack[top + 1, 0] = lc
        stack[top + 1, 1] = start
        stack[top + 1, 2] = lo
        stack[top + 1, 3] = depth + 1
        top += 2

    return (left[:n_nodes].copy(), right[:n_nodes].copy(), feature[:n_nodes].copy(),
            low_bin[:n_nodes].copy(), high_bin[:n_nodes].copy(), counts[:n_nodes].copy(), importance)
