"""A fast random-forest trainer for live training: histogram splits, trees grown on all cores.

Breiman's forest (bootstrap samples, ``max_features`` features tried per split, Gini impurity,
trees grown until pure or ``min_samples_leaf``) like scikit-learn's ``RandomForestClassifier``,
but each feature is first cut into at most ``max_bins`` quantile bins, so finding a split is a
histogram scan instead of a sort (see :mod:`.fast_forest_kernels`). Trees are grown by compiled
code that releases the GIL, on a pool of ``threads`` Python threads, without scikit-learn's
per-tree overhead.

The result is stored exactly like the scikit-learn forests (:mod:`.forest_state`) and predicted by
the same compiled engine. A split between the node's last bin going left and first bin going right
gets the threshold halfway between the largest training value of the one and the smallest of the
other (scikit-learn's midpoint rule), so every training sample takes the same path through the
stored tree, on its raw float32 values, as it did through the binned one.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from .fast_forest_kernels import bin_features, grow_tree
from .forest import ForestModel
from .forest_state import STATE_FORMAT, STATE_VERSION, check_forest_state
from .state_meta import model_meta

CLASSIFIER = "fast_forest"
#: most bins per feature: bin indices are stored as uint8
MAX_BINS = 255
#: rows whose values set the bin edges; more rows only refine the quantiles
_EDGE_SAMPLE = 200_000

Progress = Callable[[float, str], None]


def features_per_split(choice: str, n_features: int) -> int:
    """Features tried per split for ``"sqrt"``, ``"log2"`` or ``"all"`` (scikit-learn's rounding)."""
    if choice == "sqrt":
        return max(1, int(math.sqrt(n_features)))
    if choice == "log2":
        return max(1, int(math.log2(n_features)))
    if choice == "all":
        return n_features
    raise ValueError(f"unknown max_features {choice!r}; expected 'sqrt', 'log2' or 'all'")


def bin_edges(columns: np.ndarray, max_bins: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Quantile bin edges per feature.

    A feature with at most ``max_bins`` distinct values gets one bin per value; otherwise the edges
    are ``max_bins - 1`` quantiles (duplicates merged), of a random subset of rows when there are
    more than 200,000.

    :param columns: float32 ``(F, n)`` feature-major samples.
    :returns: ``(edges float32 (F, 255), n_edges int64 (F,))``; row ``f`` holds ``n_edges[f]``
        strictly increasing edges, all below the feature's largest value, then ``+inf``.
    """
    n_features, n = columns.shape
    if n > _EDGE_SAMPLE:
        rows = np.sort(np.random.default_rng(seed).choice(n, _EDGE_SAMPLE, replace=False))
        columns = columns[:, rows]
        n = _EDGE_SAMPLE
    ordered = np.sort(columns, axis=1)
    edges = np.full((n_features, MAX_BINS), np.inf, np.float32)
    n_edges = np.zeros(n_features, np.int64)
    positions = (np.arange(1, max_bins) * n) // max_bins
    for f in range(n_features):
        values = ordered[f]
        distinct = values[np.concatenate(([True], values[1:] != values[:-1]))]
        if len(distinct) <= max_bins:
            cut = distinct[:-1]
        else:
            cut = np.unique(values[positions])
            cut = cut[cut < values[-1]]
        edges[f, : len(cut)] = cut
        n_edges[f] = len(cut)
    return edges, n_edges


def _thresholds(feature: np.ndarray, low_bin: np.ndarray, high_bin: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Split thresholds (float64): midpoints between the last value going left and the first going right."""
    internal = feature >= 0
    f = feature[internal]
    below = upper[f, low_bin[internal]]
    above = lower[f, high_bin[internal]]
    middle = below / 2.0 + above / 2.0  # halves first: no overflow near the float limits
    # a midpoint that rounds up to the value above would send it left: use the value below then
    middle = np.where(middle < above, middle, below)
    threshold = np.zeros(feature.shape[0], np.float64)
    threshold[internal] = middle
    return threshold


def _tree_seeds(random_state: int | None, n_trees: int) -> np.ndarray:
    """One uint64 seed per tree, derived from the forest's seed (fresh entropy for ``None``)."""
    return np.random.SeedSequence(random_state).generate_state(n_trees, dtype=np.uint64)


def _resolve_threads(threads: int | None) -> int:
    return int(threads) if threads else (os.cpu_count() or 1)


def fit_fast_forest(
    features: np.ndarray,
    labels: np.ndarray,
    params: Mapping[str, Any],
    feature_names: Sequence[str],
    progress: Progress | None = None,
) -> ForestModel:
    """Train a histogram random forest on validated samples.

    The model depends only on the samples and ``random_state``: each tree draws from its own seed,
    so the thread count and progress reporting do not change it.

    :param features: ``(n_samples, n_features)`` float32, finite (see ``validate_training_data``).
    :param labels: ``(n_samples,)`` integer class values, at least two distinct.
    :param params: resolved parameters: ``n_estimators``, ``max_depth`` (None: unlimited),
        ``min_samples_leaf``, ``max_features`` (``"sqrt"``, ``"log2"``, ``"all"``), ``max_bins``
        (2..255), ``random_state`` (None: random), ``threads`` (0: all cores).
    :param feature_names: one name per column.
    :param progress: called as ``progress(fraction, message)`` as trees finish.
    """
    X = np.asarray(features, dtype=np.float32)
    classes, y = np.unique(np.asarray(labels), return_inverse=True)
    y = y.astype(np.int64).ravel()
    n_trees = int(params["n_estimators"])
    max_bins = int(params.get("max_bins", MAX_BINS))
    if not 2 <= max_bins <= MAX_BINS:
        raise ValueError(f"max_bins must be in 2..{MAX_BINS}, got {max_bins}")
    max_depth = params.get("max_depth")
    seed = params.get("random_state")

    columns = np.ascontiguousarray(X.T)
    edges, n_edges = bin_edges(columns, max_bins, seed=seed or 0)
    n_features, n = columns.shape
    bins = np.empty((n_features, n), np.uint8)
    lower = np.empty((n_features, MAX_BINS + 1), np.float64)
    upper = np.empty((n_features, MAX_BINS + 1), np.float64)
    bin_features(columns, edges, n_edges, bins, lower, upper)

    mtry = features_per_split(str(params.get("max_features", "sqrt")), n_features)
    depth_limit = np.iinfo(np.int64).max if max_depth is None else int(max_depth)
    min_leaf = int(params.get("min_samples_leaf", 1))
    seeds = _tree_seeds(seed, n_trees)
    n_bins = n_edges + 1

    def grow(t: int) -> tuple[np.ndarray, ...]:
        return grow_tree(bins, y, len(classes), n_bins, mtry, depth_limit, min_leaf, seeds[t])

    threads = min(_resolve_threads(params.get("threads")), n_trees)
    trees: list[tuple[np.ndarray, ...]] = []
    if threads == 1:
        for t in range(n_trees):
            trees.append(grow(t))
            if progress is not None:
                progress((t + 1) / n_trees, f"{t + 1} of {n_trees} trees")
    else:
        with ThreadPoolExecutor(threads, thread_name_prefix="pixf-fast-forest") as pool:
            # map returns trees in order, whichever thread grew them
            for t, tree in enumerate(pool.map(grow, range(n_trees))):
                trees.append(tree)
                if progress is not None:
                    progress((t + 1) / n_trees, f"{t + 1} of {n_trees} trees")
    arrays = _state_arrays(trees, lower, upper, n_features)
    meta = model_meta(classifier=CLASSIFIER, state_format=STATE_FORMAT, version=STATE_VERSION, classes=classes,
                      feature_names=feature_names, params=params, n_trees=n_trees)
    return ForestModel(check_forest_state(CLASSIFIER, meta, arrays))


def _state_arrays(trees: list[tuple[np.ndarray, ...]], lower: np.ndarray, upper: np.ndarray, n_features: int) -> dict[str, np.ndarray]:
    """The :mod:`.forest_state` arrays of grown trees (see :func:`grow_tree` for their parts)."""
    left, right, feature, low_bin, high_bin, counts, importance = (list(part) for part in zip(*trees))
    feature_all = np.concatenate(feature)
    value = np.concatenate(counts)
    value /= value.sum(axis=1, keepdims=True)
    # scikit-learn's feature_importances_: each tree's decrease normalised, averaged, normalised again
    per_tree = np.stack(importance)
    sums = per_tree.sum(axis=1, keepdims=True)
    per_tree = np.divide(per_tree, sums, out=np.zeros_like(per_tree), where=sums > 0)
    mean = per_tree.mean(axis=0)
    total = mean.sum()
    return {
        "tree_offsets": np.concatenate(([0], np.cumsum([len(part) for part in feature]))).astype(np.int64),
        "children_left": np.concatenate(left),
        "children_right": np.concatenate(right),
        "feature": feature_all,
        "threshold": _thresholds(feature_all, np.concatenate(low_bin), np.concatenate(high_bin), lower, upper),
        "value": value,
        "feature_importances": mean / total if total > 0 else np.zeros(n_features),
    }


def load_fast_forest(meta: dict[str, Any], arrays: Mapping[str, np.ndarray]) -> ForestModel:
    """Rebuild a fast forest from :meth:`ForestModel.get_state` output; raises ``CorruptData`` if inconsistent."""
    return ForestModel(check_forest_state(CLASSIFIER, meta, arrays))
