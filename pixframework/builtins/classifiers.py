"""Built-in plugin: random forest, extra trees and XGBoost classifiers.

Only declarations live here; the implementations are in :mod:`pixframework.classifiers`, imported
when a model is trained or loaded (so listing plugins never imports scikit-learn or XGBoost).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..hookspecs import hookimpl
from ..specs import ClassifierSpec, Parameter

_SEED = Parameter(
    "random_state", 0, "int", "random seed; the same seed and samples give the same model (empty: random)",
    minimum=0, maximum=2**32 - 1, nullable=True,
)
_THREADS = Parameter("threads", 0, "int", "CPU threads for training and prediction (0: all cores)", minimum=0,
                     maximum=4096, role="threads")

_FOREST_PARAMETERS = (
    Parameter("n_estimators", 100, "int", "number of trees", minimum=1, maximum=10_000),
    Parameter("max_depth", None, "int", "maximum tree depth (empty: grow until leaves are pure)",
              minimum=1, maximum=10_000, nullable=True),
    Parameter("min_samples_leaf", 1, "int", "minimum samples in a leaf", minimum=1, maximum=1_000_000),
    Parameter("max_features", "sqrt", "str", "features tried per split", choices=("sqrt", "log2", "all")),
    Parameter("class_weight", "none", "str", "weigh classes by inverse frequency",
              choices=("none", "balanced", "balanced_subsample")),
    _SEED,
    _THREADS,
)

_FAST_FOREST_PARAMETERS = (
    *(p for p in _FOREST_PARAMETERS if p.name not in ("class_weight", "random_state", "threads")),
    Parameter("max_bins", 255, "int", "quantile bins per feature for split search", minimum=2, maximum=255),
    _SEED,
    _THREADS,
)

_XGBOOST_PARAMETERS = (
    Parameter("n_estimators", 100, "int", "boosting rounds", minimum=1, maximum=10_000),
    Parameter("max_depth", 6, "int", "maximum tree depth", minimum=1, maximum=64),
    Parameter("learning_rate", 0.3, "float", "shrinkage per round", minimum=1e-6, maximum=1.0),
    Parameter("subsample", 1.0, "float", "fraction of samples per tree", minimum=0.01, maximum=1.0),
    Parameter("colsample_bytree", 1.0, "float", "fraction of features per tree", minimum=0.01, maximum=1.0),
    _SEED,
    _THREADS,
)


def _forest_spec(kind: str, title: str, description: str) -> ClassifierSpec:
    """A scikit-learn forest trained by scikit-learn and predicted by the compiled forest engine."""

    def fit(features: np.ndarray, labels: np.ndarray, params: dict, feature_names: Any, progress: Any = None) -> Any:
        from ..classifiers.forest import fit_forest

        return fit_forest(kind, features, labels, params, feature_names, progress)

    def load(meta: dict, arrays: Mapping[str, np.ndarray]) -> Any:
        from ..classifiers.forest import load_forest

        return load_forest(kind, meta, arrays)

    return ClassifierSpec(name=kind, title=title, description=description, fit=fit, load=load, parameters=_FOREST_PARAMETERS)


def _fast_forest_fit(features: np.ndarray, labels: np.ndarray, params: dict, feature_names: Any, progress: Any = None) -> Any:
    from ..classifiers.fast_forest import fit_fast_forest

    return fit_fast_forest(features, labels, params, feature_names, progress)


def _fast_forest_load(meta: dict, arrays: Mapping[str, np.ndarray]) -> Any:
    from ..classifiers.fast_forest import load_fast_forest

    return load_fast_forest(meta, arrays)


def _xgboost_fit(features: np.ndarray, labels: np.ndarray, params: dict, feature_names: Any, progress: Any = None) -> Any:
    from ..classifiers.xgboost_model import fit_xgboost

    return fit_xgboost(features, labels, params, feature_names, progress)


def _xgboost_load(meta: dict, arrays: Mapping[str, np.ndarray]) -> Any:
    from ..classifiers.xgboost_model import load_xgboost

    return load_xgboost(meta, arrays)


@hookimpl(trylast=True)
def pixf_register_classifiers() -> list[ClassifierSpec]:
    """The built-in classifiers: declarations only, their code is imported when first used."""
    return [
        _forest_spec(
            "random_forest", "Random Forest",
            "scikit-learn random forest (100 trees like ilastik), predicted by pixframework's compiled engine",
        ),
        _forest_spec(
            "extra_trees", "Extremely Randomized Trees",
            "scikit-learn extra trees (random split thresholds), predicted by the compiled forest engine",
        ),
        ClassifierSpec(
            name="fast_forest",
            title="Random Forest (fast, histogram)",
            description="random forest grown by pixframework on binned features (quick retraining while painting), "
            "same storage and compiled engine as random_forest",
            fit=_fast_forest_fit,
            load=_fast_forest_load,
            parameters=_FAST_FOREST_PARAMETERS,
        ),
        ClassifierSpec(
            name="xgboost",
            title="XGBoost",
            description="gradient-boosted trees (XGBoost, histogram method), stored as XGBoost UBJSON",
            fit=_xgboost_fit,
            load=_xgboost_load,
            parameters=_XGBOOST_PARAMETERS,
        ),
    ]
