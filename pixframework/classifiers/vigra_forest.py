"""vigra's random forest (what ilastik trains) converted to pixframework's forest state.

vigra stores each tree as two flat arrays (``vigra/random_forest/rf_nodeproxy.hxx``):

- ``topology`` (int32): ``[n_features, n_classes]`` then the nodes; a node at index ``i`` is
  ``topology[i:i+2]`` = ``(type, parameter address)``, followed for a split node by
  ``(child 0, child 1, column)``. The root is at index 2.
- ``parameters`` (float64): per node ``[weight, ...]``; a split (``type`` 0, ``i_ThresholdNode``)
  has its threshold next, a leaf (``type`` 0x40000000, ``e_ConstProbNode``) its class
  probabilities.

A split sends a pixel to child 0 when ``feature < threshold``. vigra's ``predictProbabilities``
sums the leaf distributions over the trees and divides by their total, and ilastik averages its
forests weighted by tree count; with leaves summing to 1 both are the mean over all trees, which
is exactly what a pixframework forest computes. So the trees are re-laid out (children after
parents, ``<`` turned into ``<=`` by moving each threshold one float64 below) and predicted by the
compiled forest engine. Nothing is executed from the file: only integers and floats are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np

from ..errors import CorruptData, ValidationError
from .forest import ForestModel, _forest_meta
from .forest_state import check_forest_state

THRESHOLD_NODE = 0
LEAF_TAG = 0x40000000
CONST_PROB_LEAF = LEAF_TAG
#: the pixframework classifier whose state format the converted forest uses
CLASSIFIER = "random_forest"


@dataclass(frozen=True)
class VigraForest:
    """One vigra forest as read from its HDF5 group.

    :param trees: ``(topology int32, parameters float64)`` per tree.
    :param labels: class label per probability column (ilastik: label values 1..C).
    :param n_features: feature columns the forest was trained on (``_ext_param/column_count_``).
    :param weighted: ``_options/predict_weighted_`` (leaf weights scale the votes: not supported).
    """

    trees: Sequence[tuple[np.ndarray, np.ndarray]]
    labels: tuple[int, ...]
    n_features: int
    weighted: bool = False


_ERRORS = {
    1: "node at {index} lies outside the topology",
    2: "leaf at {index} has type {kind:#x}; only constant-probability leaves are supported",
    3: "leaf at {index} points outside the parameters",
    4: "leaf at {index} has no valid class distribution",
    5: "split at {index} has type {kind}; only threshold splits are supported",
    6: "split at {index} is truncated",
    7: "split at {index} tests a column outside 0..{last}",
    8: "split at {index} has a threshold that is not finite",
    9: "split at {index} has a child that is out of range or reached twice",
}
#: errors that describe trees pixframework cannot use (rather than damaged ones)
_UNSUPPORTED = (2, 5)


@numba.njit(cache=True)
def _walk(top, par, n_features, n_classes):  # pragma: no cover - compiled
    """Breadth-first walk of one tree from its root (topology index 2).

    Returns ``(n_nodes, left, right, feature, threshold, value, error, at, kind)``; ``error`` is a
    key of ``_ERRORS`` (0: fine), ``at`` the topology index concerned.
    """
    size = top.shape[0]
    cap = max(1, (size - 2) // 2)
    order = np.empty(cap, np.int64)
    seen = np.zeros(size, np.bool_)
    left = np.full(cap, -1, np.int32)
    right = np.full(cap, -1, np.int32)
    feature = np.full(cap, -1, np.int32)
    threshold = np.zeros(cap, np.float64)
    value = np.zeros((cap, n_classes), np.float64)
    order[0] = 2
    seen[2] = True
    count, position = 1, 0
    while position < count:
        index = order[position]
        node = position
        position += 1
        if index + 1 >= size:
            return count, left, right, feature, threshold, value, 1, index, 0
        kind = top[index]
        address = top[index + 1]
        if kind & LEAF_TAG:
            if kind != CONST_PROB_LEAF:
                return count, left, right, feature, threshold, value, 2, index, kind
            if address < 0 or address + 1 + n_classes > par.shape[0]:
                return count, left, right, feature, threshold, value, 3, index, kind
            total = 0.0
            for c in range(n_classes):
                p = par[address + 1 + c]
                if not (p >= 0.0 and p < np.inf):
                    return count, left, right, feature, threshold, value, 4, index, kind
                total += p
            if not total > 0.0:
                return count, left, right, feature, threshold, value, 4, index, kind
            for c in range(n_classes):
                value[node, c] = par[address + 1 + c] / total
            continue
        if kind != THRESHOLD_NODE:
            return count, left, right, feature, threshold, value, 5, index, kind
        if index + 4 >= size or address < 0 or address + 1 >= par.shape[0]:
            return count, left, right, feature, threshold, value, 6, index, kind
        column = top[index + 4]
        if column < 0 or column >= n_features:
            return count, left, right, feature, threshold, value, 7, index, kind
        cut = par[address + 1]
        if not np.isfinite(cut):
            return count, left, right, feature, threshold, value, 8, index, kind
        for side in range(2):
            child = top[index + 2 + side]
            if child < 2 or child >= size or seen[child] or count >= cap:
                return count, left, right, feature, threshold, value, 9, index, kind
            seen[child] = True
            order[count] = child
            if side == 0:
                left[node] = count
            else:
                right[node] = count
            count += 1
        feature[node] = column
        # vigra: child 0 if x < cut; ours: left if x <= t, so t is the largest float64 below cut
        threshold[node] = np.nextafter(cut, -np.inf)
    return count, left, right, feature, threshold, value, 0, 0, 0


def _tree_arrays(topology: np.ndarray, parameters: np.ndarray, n_features: int, n_classes: int,
                 what: str) -> tuple[np.ndarray, ...]:
    """``(left, right, feature, threshold, value)`` of one vigra tree, children after parents."""
    top = np.ascontiguousarray(np.asarray(topology).reshape(-1), np.int64)
    par = np.ascontiguousarray(np.asarray(parameters).reshape(-1), np.float64)
    if top.shape[0] < 4:
        raise CorruptData(f"{what}: topology has {top.shape[0]} entries, too few for a tree")
    if int(top[0]) != n_features or int(top[1]) != n_classes:
        raise CorruptData(f"{what}: tree header says {int(top[0])} features and {int(top[1])} classes, the forest "
                          f"{n_features} and {n_classes}")
    count, left, right, feature, threshold, value, error, at, kind = _walk(top, par, n_features, n_classes)
    if error:
        message = f"{what}: " + _ERRORS[error].format(index=at, kind=kind, last=n_features - 1)
        raise (ValidationError if error in _UNSUPPORTED else CorruptData)(message)
    return left[:count], right[:count], feature[:count], threshold[:count], value[:count]


def forest_model(forests: Sequence[VigraForest], feature_names: Sequence[str], *,
                 columns: Sequence[int] | None = None, what: str = "vigra forest") -> ForestModel:
    """A pixframework forest model predicting like ilastik with these vigra forests.

    :param feature_names: one name per feature column of the model's input.
    :param columns: for each of the forests' feature columns, the input column holding it (a
        permutation: ilastik orders features differently); ``None``: the same order.
    :raises ValidationError: forests pixframework cannot reproduce (weighted prediction, other node
        types, forests trained on different classes or feature counts).
    :raises CorruptData: inconsistent tree arrays.
    """
    if not forests:
        raise ValidationError(f"{what}: no forest to use")
    first = forests[0]
    for i, forest in enumerate(forests):
        if forest.weighted:
            raise ValidationError(f"{what}: forest {i} predicts with leaf weights (predict_weighted), not supported")
        if forest.labels != first.labels or forest.n_features != first.n_features:
            raise ValidationError(f"{what}: forest {i} was trained on other classes or features than forest 0")
        if not forest.trees:
            raise CorruptData(f"{what}: forest {i} has no trees")
    if len(feature_names) != first.n_features:
        raise ValidationError(f"{what}: {len(feature_names)} feature names for {first.n_features} feature columns")
    mapping = np.arange(first.n_features) if columns is None else np.asarray(columns, np.int64)
    if sorted(mapping.tolist()) != list(range(first.n_features)):
        raise ValidationError(f"{what}: the column mapping is not a permutation of the {first.n_features} features")
    if list(first.labels) != sorted(set(first.labels)) or len(first.labels) < 2:
        raise CorruptData(f"{what}: class labels {list(first.labels)} are not ascending and distinct")
    keys = ("children_left", "children_right", "feature", "threshold", "value")
    parts: dict[str, list[np.ndarray]] = {key: [] for key in keys}
    offsets = [0]
    for i, forest in enumerate(forests):
        for t, (topology, parameters) in enumerate(forest.trees):
            tree = _tree_arrays(topology, parameters, first.n_features, len(first.labels), f"{what}, forest {i}, tree {t}")
            for key, array in zip(keys, tree):
                parts[key].append(array)
            offsets.append(offsets[-1] + len(tree[0]))
    feature = np.concatenate(parts["feature"]).astype(np.int64)
    feature = np.where(feature >= 0, mapping[np.maximum(feature, 0)], -1).astype(np.int32)
    splits = np.bincount(feature[feature >= 0], minlength=first.n_features).astype(np.float64)
    arrays = {
        "tree_offsets": np.asarray(offsets, np.int64),
        "children_left": np.concatenate(parts["children_left"]),
        "children_right": np.concatenate(parts["children_right"]),
        "feature": feature,
        "threshold": np.concatenate(parts["threshold"]),
        "value": np.concatenate(parts["value"]),
        # vigra keeps no impurity decrease per node: the share of splits on each feature stands in
        "feature_importances": splits / max(1.0, splits.sum()),
    }
    n_trees = len(offsets) - 1
    meta = _forest_meta(CLASSIFIER, first.labels, feature_names, {"n_estimators": n_trees, "threads": 0}, n_trees)
    return ForestModel(check_forest_state(CLASSIFIER, meta, arrays))
