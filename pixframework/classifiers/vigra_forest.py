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
from typing import Any

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


def _tree_arrays(topology: np.ndarray, parameters: np.ndarray, n_features: int, n_classes: int, what: str) -> dict[str, Any]:
    """Nodes of one vigra tree in breadth-first order (children after their parent)."""

    def corrupt(message: str) -> CorruptData:
        return CorruptData(f"{what}: {message}")

    top = np.asarray(topology).astype(np.int64, copy=False).reshape(-1)
    par = np.asarray(parameters, dtype=np.float64).reshape(-1)
    if top.shape[0] < 4:
        raise corrupt(f"topology has {top.shape[0]} entries, too few for a tree")
    if int(top[0]) != n_features or int(top[1]) != n_classes:
        raise corrupt(f"tree header says {int(top[0])} features and {int(top[1])} classes, the forest "
                      f"{n_features} and {n_classes}")
    order = [2]  # topology indices in breadth-first order
    local = {2: 0}
    left, right, feature, threshold, value = [], [], [], [], []
    position = 0
    while position < len(order):
        index = order[position]
        position += 1
        if index + 1 >= top.shape[0]:
            raise corrupt(f"node at {index} lies outside the topology ({top.shape[0]} entries)")
        kind, address = int(top[index]), int(top[index + 1])
        if kind & LEAF_TAG:
            if kind != CONST_PROB_LEAF:
                raise ValidationError(f"{what}: leaf type {kind:#x} is not supported (only constant-probability leaves)")
            if not 0 <= address <= par.shape[0] - 1 - n_classes:
                raise corrupt(f"leaf at {index} points outside the parameters ({address})")
            probabilities = par[address + 1 : address + 1 + n_classes]
            total = probabilities.sum()
            if not np.all(np.isfinite(probabilities)) or np.any(probabilities < 0) or not total > 0:
                raise corrupt(f"leaf at {index} has no valid class distribution: {probabilities.tolist()}")
            _append(left, right, feature, threshold, value, -1, -1, -1, 0.0, probabilities / total)
            continue
        if kind != THRESHOLD_NODE:
            raise ValidationError(f"{what}: split type {kind} is not supported (only threshold splits)")
        if index + 4 >= top.shape[0] or not 0 <= address <= par.shape[0] - 2:
            raise corrupt(f"split at {index} is truncated")
        children = (int(top[index + 2]), int(top[index + 3]))
        column = int(top[index + 4])
        if not 0 <= column < n_features:
            raise corrupt(f"split at {index} tests column {column}, outside 0..{n_features - 1}")
        cut = float(par[address + 1])
        if not np.isfinite(cut):
            raise corrupt(f"split at {index} has threshold {cut}")
        ids = []
        for child in children:
            if child in local or not 2 <= child < top.shape[0]:
                raise corrupt(f"split at {index} has child {child}, which is out of range or reached twice")
            local[child] = len(order)
            ids.append(len(order))
            order.append(child)
        # vigra: child 0 if x < cut; ours: left if x <= t, so t is the largest float64 below cut
        _append(left, right, feature, threshold, value, ids[0], ids[1], column, float(np.nextafter(cut, -np.inf)),
                np.zeros(n_classes))
    return {"children_left": left, "children_right": right, "feature": feature, "threshold": threshold, "value": value}


def _append(lists_left: list, lists_right: list, features: list, thresholds: list, values: list,
            left: int, right: int, feature: int, threshold: float, value: np.ndarray) -> None:
    lists_left.append(left)
    lists_right.append(right)
    features.append(feature)
    thresholds.append(threshold)
    values.append(value)


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
    parts = {key: [] for key in ("children_left", "children_right", "feature", "threshold", "value")}
    offsets = [0]
    for i, forest in enumerate(forests):
        for t, (topology, parameters) in enumerate(forest.trees):
            tree = _tree_arrays(topology, parameters, first.n_features, len(first.labels), f"{what}, forest {i}, tree {t}")
            for key in parts:
                parts[key] += tree[key]
            offsets.append(offsets[-1] + len(tree["feature"]))
    feature = np.asarray(parts["feature"], np.int64)
    feature = np.where(feature >= 0, mapping[np.maximum(feature, 0)], -1).astype(np.int32)
    splits = np.bincount(feature[feature >= 0], minlength=first.n_features).astype(np.float64)
    arrays = {
        "tree_offsets": np.asarray(offsets, np.int64),
        "children_left": np.asarray(parts["children_left"], np.int32),
        "children_right": np.asarray(parts["children_right"], np.int32),
        "feature": feature,
        "threshold": np.asarray(parts["threshold"], np.float64),
        "value": np.asarray(parts["value"], np.float64).reshape(-1, len(first.labels)),
        # vigra keeps no impurity decrease per node: the share of splits on each feature stands in
        "feature_importances": splits / max(1.0, splits.sum()),
    }
    n_trees = len(offsets) - 1
    meta = _forest_meta(CLASSIFIER, first.labels, feature_names, {"n_estimators": n_trees, "threads": 0}, n_trees)
    return ForestModel(check_forest_state(CLASSIFIER, meta, arrays))
