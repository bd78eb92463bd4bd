"""The safe stored form of a tree forest: JSON metadata plus plain numeric arrays, and its checks.

State arrays (``N`` nodes over all trees, ``T`` trees, ``C`` classes, ``F`` features); node
indices inside each tree are *local* (0 = that tree's root) and children always come after their
parent, which makes cycles impossible and is checked on load:

==================== ========= ========== ===============================================
name                 dtype     shape      meaning
==================== ========= ========== ===============================================
tree_offsets         int64     (T + 1,)   tree ``t`` owns nodes ``offsets[t]:offsets[t+1]``
children_left        int32     (N,)       local index of the left child, -1 for a leaf
children_right       int32     (N,)       local index of the right child, -1 for a leaf
feature              int32     (N,)       feature index tested at the node, -1 for a leaf
threshold            float64   (N,)       go left when ``feature value <= threshold``
value                float64   (N, C)     class distribution (leaves: fractions summing to 1)
feature_importances  float64   (F,)       impurity-based importance per feature
==================== ========= ========== ===============================================

Metadata: ``{"format": "pixf-forest", "version": 1, "classifier", "classes", "feature_names",
"n_features", "n_trees", "params"}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numba
import numpy as np

from ..errors import CorruptData
from .forest_engine import MAX_TREES, CompiledForest
from .state_meta import check_model_meta, meta_int

STATE_FORMAT = "pixf-forest"
STATE_VERSION = 1
_INDEX_ARRAYS = ("children_left", "children_right", "feature")
_LEAF_SUM_TOLERANCE = 1e-6


def _sklearn_stores_fractions() -> bool:
    """scikit-learn >= 1.4 stores classifier leaf values as fractions; older versions as counts."""
    import sklearn

    major, minor = (int(part) for part in sklearn.__version__.split(".")[:2])
    return (major, minor) >= (1, 4)


def arrays_from_sklearn(forest: Any) -> dict[str, np.ndarray]:
    """State arrays of a fitted scikit-learn forest classifier (RandomForest, ExtraTrees)."""
    if getattr(forest, "n_outputs_", 1) != 1:
        raise TypeError("only single-output forests are supported")
    fractions = _sklearn_stores_fractions()
    lefts, rights, features, thresholds, values = [], [], [], [], []
    offsets = [0]
    for estimator in forest.estimators_:
        tree = estimator.tree_
        leaf = tree.children_left < 0
        value = np.array(tree.value[:, 0, :], dtype=np.float64)
        if not fractions:
            # what DecisionTreeClassifier.predict_proba did before 1.4: divide by the sum, 0 -> 1
            total = value.sum(axis=1, keepdims=True)
            total[total == 0.0] = 1.0
            value /= total
        lefts.append(np.where(leaf, -1, tree.children_left).astype(np.int32))
        rights.append(np.where(leaf, -1, tree.children_right).astype(np.int32))
        features.append(np.where(leaf, -1, tree.feature).astype(np.int32))
        thresholds.append(np.where(leaf, 0.0, tree.threshold).astype(np.float64))
        values.append(value)
        offsets.append(offsets[-1] + tree.node_count)
    return {
        "tree_offsets": np.asarray(offsets, dtype=np.int64),
        "children_left": np.concatenate(lefts),
        "children_right": np.concatenate(rights),
        "feature": np.concatenate(features),
        "threshold": np.concatenate(thresholds),
        "value": np.concatenate(values),
        "feature_importances": np.asarray(forest.feature_importances_, dtype=np.float64),
    }


@dataclass(frozen=True)
class ForestState:
    """A checked forest state: metadata fields, the original arrays and the inference layout."""

    classifier: str
    classes: tuple[int, ...]
    feature_names: tuple[str, ...]
    params: dict[str, Any]
    arrays: dict[str, np.ndarray]
    engine: CompiledForest


_WHAT = "forest model state"


def _corrupt(message: str) -> CorruptData:
    return CorruptData(f"{_WHAT} is corrupt: {message}")


def _array(arrays: Mapping[str, Any], name: str, kind: str, ndim: int) -> np.ndarray:
    if name not in arrays:
        raise _corrupt(f"array {name!r} is missing")
    value = arrays[name]
    if not isinstance(value, np.ndarray):
        raise _corrupt(f"array {name!r} must be a numpy array, got {type(value).__name__}")
    if value.dtype.kind not in kind:
        raise _corrupt(f"array {name!r} has dtype {value.dtype}; expected {'integers' if kind == 'iu' else 'floats'}")
    if value.ndim != ndim:
        raise _corrupt(f"array {name!r} must be {ndim}D, got shape {value.shape}")
    return value


@numba.njit(cache=True)
def _check_structure(left, right, offsets):  # pragma: no cover - compiled
    """Check every tree is a proper binary tree with forward child links; find depths.

    Returns ``(code, tree, node, max_depth)``; ``code`` 0 = fine, 1 = half leaf, 2 = child out of
    range or not after its parent, 3 = node with other than one parent.
    """
    max_depth = 0
    for t in range(offsets.shape[0] - 1):
        base = offsets[t]
        size = offsets[t + 1] - base
        parents = np.zeros(size, np.int64)
        depth = np.zeros(size, np.int64)
        for i in range(size):
            lc = left[base + i]
            rc = right[base + i]
            if lc == -1 and rc == -1:
                continue
            if lc == -1 or rc == -1:
                return 1, t, i, 0
            if not (i < lc < size and i < rc < size) or lc == rc:
                return 2, t, i, 0
            parents[lc] += 1
            parents[rc] += 1
            depth[lc] = depth[i] + 1
            depth[rc] = depth[i] + 1
            if depth[i] + 1 > max_depth:
                max_depth = depth[i] + 1
        if parents[0] != 0:
            return 3, t, 0, 0
        for i in range(1, size):
            if parents[i] != 1:
                return 3, t, i, 0
    return 0, 0, 0, max_depth


_STRUCTURE_ERRORS = {
    1: "has only one child",
    2: "has a child index out of range or not after the node (a cycle or a foreign node)",
    3: "is not reached from exactly one parent",
}


def check_forest_state(classifier: str, meta: Any, arrays: Mapping[str, Any]) -> ForestState:
    """Validate a forest state completely and build its inference layout.

    Executes nothing from the state: only numbers and strings are read.

    :param classifier: the classifier name the state must declare (``"random_forest"``, ...).
    :raises CorruptData: naming the first inconsistency found.
    """
    checked = check_model_meta(meta, classifier=classifier, state_format=STATE_FORMAT, version=STATE_VERSION, what=_WHAT)
    classes, names, params, n_features = checked.classes, checked.feature_names, checked.params, checked.n_features
    n_trees = meta_int(meta, "n_trees", 1, _WHAT)
    if n_trees > MAX_TREES:
        raise _corrupt(f"{n_trees} trees; at most {MAX_TREES} are supported")
    if not isinstance(arrays, Mapping):
        raise _corrupt(f"arrays must be a mapping of names to numpy arrays, got {type(arrays).__name__}")
    offsets = _array(arrays, "tree_offsets", "iu", 1).astype(np.int64)
    index = {name: _array(arrays, name, "iu", 1).astype(np.int64) for name in _INDEX_ARRAYS}
    threshold = _array(arrays, "threshold", "f", 1).astype(np.float64)
    value = _array(arrays, "value", "f", 2).astype(np.float64)
    importances = _array(arrays, "feature_importances", "f", 1).astype(np.float64)

    n_classes = len(classes)
    if offsets.shape[0] != n_trees + 1:
        raise _corrupt(f"'tree_offsets' has {offsets.shape[0]} entries, expected n_trees + 1 = {n_trees + 1}")
    n_nodes = int(offsets[-1])
    if offsets[0] != 0 or np.any(np.diff(offsets) < 1):
        raise _corrupt("'tree_offsets' must start at 0 and increase strictly")
    for name, arr in (*index.items(), ("threshold", threshold)):
        if arr.shape[0] != n_nodes:
            raise _corrupt(f"array {name!r} has {arr.shape[0]} entries, expected {n_nodes} nodes")
    if value.shape != (n_nodes, n_classes):
        raise _corrupt(f"array 'value' has shape {value.shape}, expected ({n_nodes}, {n_classes})")
    if importances.shape != (n_features,):
        raise _corrupt(f"array 'feature_importances' has shape {importances.shape}, expected ({n_features},)")

    left, right, feature = index["children_left"], index["children_right"], index["feature"]
    code, tree, node, max_depth = _check_structure(left, right, offsets)
    if code:
        raise _corrupt(f"tree {tree}, node {node} {_STRUCTURE_ERRORS[code]}")
    leaf = left == -1
    internal = ~leaf
    if np.any((feature[internal] < 0) | (feature[internal] >= n_features)):
        raise _corrupt(f"a split uses a feature index outside 0..{n_features - 1}")
    if not np.all(np.isfinite(threshold[internal])):
        raise _corrupt("a split threshold is not finite")
    if not np.all(np.isfinite(value)) or np.any(value < 0):
        raise _corrupt("class distributions must be finite and non-negative")
    sums = value[leaf].sum(axis=1)
    if np.any(np.abs(sums - 1.0) > _LEAF_SUM_TOLERANCE):
        raise _corrupt("a leaf's class distribution does not sum to 1")
    if not np.all(np.isfinite(importances)) or np.any(importances < 0):
        raise _corrupt("feature importances must be finite and non-negative")

    tree_of_node = np.repeat(np.arange(n_trees), np.diff(offsets))
    base = offsets[tree_of_node]
    engine = CompiledForest(
        feature=np.where(leaf, -1, feature),
        threshold=np.where(leaf, 0.0, threshold),
        left=np.where(leaf, 0, left + base),
        right=np.where(leaf, 0, right + base),
        roots=offsets[:-1],
        values=value,
        max_depth=int(max_depth),
    )
    kept = {
        "tree_offsets": offsets,
        "children_left": left.astype(np.int32),
        "children_right": right.astype(np.int32),
        "feature": np.where(leaf, -1, feature).astype(np.int32),
        "threshold": threshold,
        "value": value,
        "feature_importances": importances,
    }
    for arr in kept.values():
        arr.flags.writeable = False
    return ForestState(classifier, classes, names, params, kept, engine)
