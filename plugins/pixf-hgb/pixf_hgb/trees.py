"""Boosted regression trees as flat numeric arrays, checked, and evaluated by compiled code.

Layout (all trees of a model concatenated, node indices absolute):

- ``roots`` int64 ``(n_trees,)``: first node of each tree, ascending; tree ``t`` owns nodes
  ``roots[t] .. roots[t+1]-1``; tree ``t`` adds to the score of class column ``t % n_columns``;
- ``feature`` int64 ``(n_nodes,)``: feature tested by a split node, ``-1`` for a leaf;
- ``threshold`` float64: a sample goes to ``left`` when ``x[feature] <= threshold``, else ``right``;
- ``left``, ``right`` int64: children (``-1`` for leaves), always later nodes of the same tree,
  so walking a tree always ends at a leaf;
- ``value`` float64: the leaf's contribution to the score;
- ``baseline`` float64 ``(n_columns,)``: the score before any tree.
"""

from __future__ import annotations

from collections.abc import Mapping

import numba
import numpy as np

from pixframework.errors import CorruptData, ValidationError

ARRAYS = ("roots", "feature", "threshold", "left", "right", "value", "baseline")
_INTEGER = ("roots", "feature", "left", "right")


def check_trees(arrays: Mapping[str, np.ndarray], n_features: int, n_columns: int) -> dict[str, np.ndarray]:
    """The tree arrays, validated so that prediction can never index out of range or loop.

    :raises CorruptData: naming the first inconsistency.
    """
    missing = [name for name in ARRAYS if not isinstance(arrays.get(name), np.ndarray)]
    if missing:
        raise CorruptData(f"hist_gradient_boosting state lacks array(s) {missing}")
    out = {}
    for name in ARRAYS:
        a = arrays[name]
        if a.ndim != 1 or a.dtype.kind not in ("iu" if name in _INTEGER else "f"):
            raise CorruptData(
                f"array {name!r} must be 1D {'integer' if name in _INTEGER else 'float'}, got {a.dtype} {a.shape}"
            )
        out[name] = np.ascontiguousarray(a, dtype=np.int64 if name in _INTEGER else np.float64)
    roots, feature, left, right = out["roots"], out["feature"], out["left"], out["right"]
    n_nodes = feature.size
    if any(out[name].size != n_nodes for name in ("threshold", "left", "right", "value")):
        raise CorruptData("node arrays feature/threshold/left/right/value differ in length")
    if out["baseline"].size != n_columns or roots.size == 0 or roots.size % n_columns:
        raise CorruptData(f"need {n_columns} baseline values and a multiple of {n_columns} trees")
    if roots[0] != 0 or np.any(np.diff(roots) <= 0) or roots[-1] >= n_nodes:
        raise CorruptData("tree roots must start at 0 and increase, inside the node arrays")
    if (
        not np.all(np.isfinite(out["value"]))
        or not np.all(np.isfinite(out["baseline"]))
        or np.any(np.isnan(out["threshold"]))
    ):
        raise CorruptData("leaf values, baseline and thresholds must be numbers")
    ends = np.append(roots[1:], n_nodes)
    tree_end = np.repeat(ends, ends - roots)  # first node after each node's tree
    node = np.arange(n_nodes)
    split = feature >= 0
    if np.any(feature >= n_features) or np.any(feature < -1):
        raise CorruptData(f"split features must be in 0..{n_features - 1}")
    for child in (left, right):
        if np.any(split & ((child <= node) | (child >= tree_end))) or np.any(~split & (child != -1)):
            raise CorruptData("children must be later nodes of the same tree (and -1 for leaves)")
    return out


@numba.njit(parallel=True, cache=True, nogil=True)
def _scores(X, roots, feature, threshold, left, right, value, baseline, out):  # pragma: no cover - compiled
    n_columns = baseline.shape[0]
    for i in numba.prange(X.shape[0]):
        for k in range(n_columns):
            out[i, k] = baseline[k]
        for t in range(roots.shape[0]):
            node = roots[t]
            while feature[node] >= 0:
                node = left[node] if X[i, feature[node]] <= threshold[node] else right[node]
            out[i, t % n_columns] += value[node]


#: rows converted to C-ordered float32 at a time: one compiled variant, bounded extra memory
_CHUNK_ROWS = 1 << 16


def raw_scores(X: np.ndarray, trees: Mapping[str, np.ndarray], threads: int | None = None) -> np.ndarray:
    """Scores float64 ``(n, n_columns)``: baseline plus the leaf values reached, for ``X`` ``(n, F)`` of any strides.

    :raises ValidationError: NaN or infinite features.
    """
    out = np.empty((X.shape[0], trees["baseline"].size), np.float64)
    previous = numba.get_num_threads()
    numba.set_num_threads(max(1, min(threads or previous, numba.config.NUMBA_NUM_THREADS)))
    try:
        for start in range(0, X.shape[0], _CHUNK_ROWS):
            chunk = np.ascontiguousarray(X[start : start + _CHUNK_ROWS], dtype=np.float32)
            if not np.isfinite(chunk).all():
                raise ValidationError(
                    f"features contain NaN or infinite values (rows {start}..{start + len(chunk) - 1})"
                )
            _scores(chunk, trees["roots"], trees["feature"], trees["threshold"], trees["left"], trees["right"],
                    trees["value"], trees["baseline"], out[start : start + _CHUNK_ROWS])  # fmt: skip
    finally:
        numba.set_num_threads(previous)
    return out


def probabilities(scores: np.ndarray) -> np.ndarray:
    """float32 class probabilities from scores: logistic for one column (two classes), else softmax."""
    if scores.shape[1] == 1:
        p1 = 1.0 / (1.0 + np.exp(-scores[:, 0]))
        return np.stack([1.0 - p1, p1], axis=1).astype(np.float32)
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return (shifted / shifted.sum(axis=1, keepdims=True)).astype(np.float32)


def from_sklearn(estimator: object) -> dict[str, np.ndarray]:
    """Tree arrays of a fitted scikit-learn ``HistGradientBoostingClassifier`` (numeric splits only)."""
    columns: dict[str, list[np.ndarray]] = {
        name: [] for name in ("feature", "threshold", "left", "right", "value")
    }
    roots, offset = [], 0
    for iteration in estimator._predictors:  # type: ignore[attr-defined]  # one predictor per class column
        for predictor in iteration:
            nodes = predictor.nodes
            if np.any(nodes["is_categorical"]):
                raise ValueError("categorical splits are not supported")
            leaf = nodes["is_leaf"].astype(bool)
            roots.append(offset)
            columns["feature"].append(np.where(leaf, -1, nodes["feature_idx"]))
            columns["threshold"].append(nodes["num_threshold"].astype(np.float64))
            columns["left"].append(np.where(leaf, -1, nodes["left"].astype(np.int64) + offset))
            columns["right"].append(np.where(leaf, -1, nodes["right"].astype(np.int64) + offset))
            columns["value"].append(np.where(leaf, nodes["value"], 0.0))
            offset += len(nodes)
    arrays = {name: np.concatenate(parts).astype(np.float64 if name in ("threshold", "value") else np.int64)
              for name, parts in columns.items()}  # fmt: skip
    arrays["roots"] = np.asarray(roots, np.int64)
    arrays["baseline"] = np.asarray(estimator._baseline_prediction, np.float64).ravel()  # type: ignore[attr-defined]
    return arrays


def split_gain_importances(estimator: object, n_features: int) -> np.ndarray:
    """Total split gain per feature, normalised to sum 1 (all zeros without splits)."""
    gains = np.zeros(n_features, np.float64)
    for iteration in estimator._predictors:  # type: ignore[attr-defined]
        for predictor in iteration:
            nodes = predictor.nodes[~predictor.nodes["is_leaf"].astype(bool)]
            np.add.at(gains, nodes["feature_idx"], np.maximum(nodes["gain"], 0.0))
    total = gains.sum()
    return gains / total if total > 0 else gains
