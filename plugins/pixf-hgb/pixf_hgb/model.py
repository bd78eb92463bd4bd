"""Training with scikit-learn's HistGradientBoostingClassifier; the model kept as tree arrays + JSON.

State: metadata ``{"format": "pixf-hgb", "version": 1, "classifier": "hist_gradient_boosting",
"classes", "feature_names", "n_features", "params"}`` and the arrays of :mod:`pixf_hgb.trees` plus
``feature_importances``. Loading builds nothing but checked numpy arrays: no pickle, no
scikit-learn objects, so a tampered file can at worst be refused.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from pixframework.errors import CorruptData, ValidationError

from .trees import ARRAYS, check_trees, from_sklearn, probabilities, raw_scores, split_gain_importances

NAME = "hist_gradient_boosting"
STATE_FORMAT = "pixf-hgb"
STATE_VERSION = 1
#: scikit-learn calls when reporting progress (warm start continues exactly, but each call
#: re-predicts the training samples, so few steps)
_PROGRESS_STEPS = 4
#: samples per training thread: below this OpenMP start-up costs more than it saves
_SAMPLES_PER_THREAD = 20_000

Progress = Callable[[float, str], None]


class BoostedTreesModel:
    """A trained gradient-boosted tree ensemble; implements :class:`pixframework.specs.Model`."""

    classifier = NAME

    def __init__(self, meta: Mapping[str, Any], trees: Mapping[str, np.ndarray], importances: np.ndarray):
        self.classes: tuple[int, ...] = tuple(meta["classes"])
        self.feature_names: tuple[str, ...] = tuple(meta["feature_names"])
        self.params: dict[str, Any] = dict(meta["params"])
        self._trees = dict(trees)
        self._importances = importances

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Probabilities float32 ``(n, len(classes))`` for features ``(n, n_features)`` of any strides.

        :raises ValidationError: not 2D, wrong feature count, or NaN/inf values.
        """
        X = np.asarray(features)
        if X.ndim != 2 or X.shape[1] != len(self.feature_names):
            raise ValidationError(
                f"{NAME} was trained on {len(self.feature_names)} features; got an array of shape {X.shape}"
            )
        if X.dtype.kind not in "fiub":
            raise ValidationError(f"features must be numbers, got dtype {X.dtype}")
        return probabilities(raw_scores(X, self._trees, self.params.get("threads") or None))

    def feature_importances(self) -> np.ndarray:
        """Total split gain per feature, normalised to sum 1."""
        return self._importances.copy()

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "classifier": NAME,
            "classes": list(self.classes),
            "feature_names": list(self.feature_names),
            "n_features": len(self.feature_names),
            "params": dict(self.params),
        }
        arrays = {name: self._trees[name].copy() for name in ARRAYS}
        arrays["feature_importances"] = self._importances.copy()
        return meta, arrays

    def __repr__(self) -> str:
        return f"BoostedTreesModel(trees={self._trees['roots'].size}, classes={list(self.classes)})"


def _estimator(params: Mapping[str, Any], max_iter: int) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=max_iter,
        learning_rate=params["learning_rate"],
        max_leaf_nodes=params["max_leaf_nodes"],
        max_depth=params["max_depth"],
        min_samples_leaf=params["min_samples_leaf"],
        l2_regularization=params["l2_regularization"],
        class_weight=None if params["class_weight"] == "none" else params["class_weight"],
        early_stopping=False,  # a random validation split would make training depend on chance
        random_state=params["random_state"],
        warm_start=True,
    )


def fit(
    features: np.ndarray,
    labels: np.ndarray,
    params: Mapping[str, Any],
    feature_names: Sequence[str],
    progress: Progress | None = None,
) -> BoostedTreesModel:
    """Train on validated samples ``(n, F)`` float32 and labels ``(n,)`` (any integer values)."""
    from threadpoolctl import threadpool_limits

    total = int(params["max_iter"])
    step = max(1, -(-total // _PROGRESS_STEPS)) if progress is not None else total
    estimator = _estimator(params, min(step, total))
    threads = min(params["threads"] or os.cpu_count() or 1, 1 + len(labels) // _SAMPLES_PER_THREAD)
    with threadpool_limits(limits=threads, user_api="openmp"):
        while True:
            estimator.fit(features, labels)
            if progress is not None:
                progress(estimator.max_iter / total, f"{estimator.max_iter} of {total} boosting iterations")
            if estimator.max_iter >= total:
                break
            estimator.set_params(max_iter=min(total, estimator.max_iter + step))
    meta = {
        "format": STATE_FORMAT,
        "version": STATE_VERSION,
        "classifier": NAME,
        "classes": [int(c) for c in estimator.classes_],
        "feature_names": list(feature_names),
        "n_features": int(features.shape[1]),
        "params": dict(params),
    }
    arrays = from_sklearn(estimator)
    arrays["feature_importances"] = split_gain_importances(estimator, features.shape[1])
    return load(meta, arrays)


def _check_meta(meta: Any) -> tuple[list[int], list[str]]:
    if (
        not isinstance(meta, Mapping)
        or meta.get("format") != STATE_FORMAT
        or meta.get("version") != STATE_VERSION
    ):
        raise CorruptData(f"not a {STATE_FORMAT} version {STATE_VERSION} state")
    classes, names, params = meta.get("classes"), meta.get("feature_names"), meta.get("params")
    if (
        not isinstance(classes, list)
        or len(classes) < 2
        or not all(isinstance(c, int) and not isinstance(c, bool) for c in classes)
        or classes != sorted(set(classes))
    ):
        raise CorruptData(f"'classes' must be >= 2 ascending distinct integers, got {classes!r}")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise CorruptData("'feature_names' must be a non-empty list of strings")
    if meta.get("n_features") != len(names) or not isinstance(params, Mapping):
        raise CorruptData("'n_features' must match 'feature_names', and 'params' must be an object")
    threads = params.get("threads", 0)
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 0:
        raise CorruptData(f"parameter 'threads' must be an integer >= 0, got {threads!r}")
    return classes, names


def load(meta: dict[str, Any], arrays: Mapping[str, np.ndarray]) -> BoostedTreesModel:
    """Rebuild a model from :meth:`BoostedTreesModel.get_state` output.

    :raises CorruptData: metadata or arrays inconsistent (see :func:`pixf_hgb.trees.check_trees`).
    """
    classes, names = _check_meta(meta)
    if not isinstance(arrays, Mapping):
        raise CorruptData("arrays must be a mapping of names to numpy arrays")
    n_columns = 1 if len(classes) == 2 else len(classes)
    trees = check_trees(arrays, len(names), n_columns)
    importances = arrays.get("feature_importances")
    if (
        not isinstance(importances, np.ndarray)
        or importances.shape != (len(names),)
        or importances.dtype.kind != "f"
        or not np.all(np.isfinite(importances))
        or np.any(importances < 0)
    ):
        raise CorruptData(f"array 'feature_importances' must hold {len(names)} finite values >= 0")
    return BoostedTreesModel(meta, trees, importances.astype(np.float64))
