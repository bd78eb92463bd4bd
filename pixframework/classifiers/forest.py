"""Random forest and extra-trees classifiers: trained by scikit-learn, predicted by our compiled engine."""

from __future__ import annotations

import warnings
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .forest_state import STATE_FORMAT, STATE_VERSION, ForestState, arrays_from_sklearn, check_forest_state
from .state_meta import model_meta
from .validation import check_prediction_input, nonfinite_error

Progress = Callable[[float, str], None]

#: warm-start steps per training: one per ten trees, between 10 and 100 (each step validates the
#: samples again; 100 steps report progress, and allow cancelling, every 1% of a large forest)
_STEPS = (10, 100)


class ForestModel:
    """A trained tree forest; implements :class:`pixframework.specs.Model`.

    Built only from a checked state (:func:`check_forest_state`), both after training and after
    loading, so a loaded model predicts exactly like the one that was saved.
    """

    def __init__(self, state: ForestState):
        self._state = state
        self.classifier: str = state.classifier
        self.classes: tuple[int, ...] = state.classes
        self.feature_names: tuple[str, ...] = state.feature_names
        self.params: dict[str, Any] = dict(state.params)

    @property
    def n_trees(self) -> int:
        return int(self._state.engine.roots.shape[0])

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Mean class distribution over the trees, float32 ``(n, len(classes))``.

        :param features: ``(n_pixels, n_features)`` float32 or float64, any strides (e.g. the
            transposed view of channel-first feature planes); never copied as a whole.
        :raises ValidationError: wrong number of features, or NaN/inf values.
        """
        X = check_prediction_input(features, len(self.feature_names))
        proba, bad_row = self._state.engine.predict_proba(X, threads=self.params.get("threads") or None)
        if bad_row >= 0:
            raise nonfinite_error(X[bad_row : bad_row + 1], self.feature_names, first_row=bad_row)
        return proba

    def feature_importances(self) -> np.ndarray:
        """Mean decrease in impurity per feature (scikit-learn's ``feature_importances_``), float64."""
        return self._state.arrays["feature_importances"].copy()

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON-able metadata plus the tree arrays (see :mod:`pixframework.classifiers.forest_state`)."""
        meta = _forest_meta(self.classifier, self.classes, self.feature_names, self.params, self.n_trees)
        return meta, dict(self._state.arrays)

    def __repr__(self) -> str:
        return f"ForestModel({self.classifier!r}, trees={self.n_trees}, classes={list(self.classes)})"


def _forest_meta(kind: str, classes: Any, names: Sequence[str], params: Mapping[str, Any], n_trees: int) -> dict[str, Any]:
    return model_meta(classifier=kind, state_format=STATE_FORMAT, version=STATE_VERSION, classes=classes,
                      feature_names=names, params=params, n_trees=int(n_trees))


def _estimator(kind: str, params: Mapping[str, Any]) -> Any:
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

    cls = {"random_forest": RandomForestClassifier, "extra_trees": ExtraTreesClassifier}[kind]
    class_weight = params["class_weight"]
    return cls(
        n_estimators=0,
        max_depth=params["max_depth"],
        min_samples_leaf=params["min_samples_leaf"],
        max_features=None if params["max_features"] == "all" else params["max_features"],
        class_weight=None if class_weight == "none" else class_weight,
        random_state=params["random_state"],
        n_jobs=params["threads"] or -1,
        warm_start=True,
    )


def fit_forest(
    kind: str,
    features: np.ndarray,
    labels: np.ndarray,
    params: Mapping[str, Any],
    feature_names: Sequence[str],
    progress: Progress | None = None,
) -> ForestModel:
    """Train a ``"random_forest"`` or ``"extra_trees"`` classifier on validated samples.

    With ``progress``, trees are grown in 10 to 100 steps (one per ten trees) with
    scikit-learn's warm start, which draws the same per-tree seeds as growing them at once, so the
    forest depends only on the data and ``random_state``, not on whether progress was reported.
    ``progress`` may raise to cancel: the fit stops after the current step.

    :param features: ``(n_samples, n_features)`` float32.
    :param labels: ``(n_samples,)`` integer class values.
    :param params: resolved parameters (see the built-in spec).
    """
    estimator = _estimator(kind, params)
    total = int(params["n_estimators"])
    # without a listener, one call; with one, steps (warm start adds trees, same seeds)
    steps = min(max(total // 10, _STEPS[0]), _STEPS[1])
    step = total if progress is None else max(1, -(-total // steps))
    grown = 0
    with warnings.catch_warnings():
        # scikit-learn warns that balanced class weights see only the data of the current call; it is the same data
        warnings.filterwarnings("ignore", message=".*class_weight presets.*", category=UserWarning)
        while grown < total:
            grown = min(total, grown + step)
            estimator.set_params(n_estimators=grown)
            estimator.fit(features, labels)
            if progress is not None:
                progress(grown / total, f"{grown} of {total} trees")
    meta = _forest_meta(kind, estimator.classes_, feature_names, params, total)
    return ForestModel(check_forest_state(kind, meta, arrays_from_sklearn(estimator)))


def load_forest(kind: str, meta: dict[str, Any], arrays: Mapping[str, np.ndarray]) -> ForestModel:
    """Rebuild a forest from :meth:`ForestModel.get_state` output; raises ``CorruptData`` if inconsistent."""
    return ForestModel(check_forest_state(kind, meta, arrays))
