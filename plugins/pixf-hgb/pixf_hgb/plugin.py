"""The plugin module named by the entry point: declares the classifier (scikit-learn imported on use)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from pixframework.hookspecs import hookimpl
from pixframework.specs import ClassifierSpec, Parameter

PARAMETERS = (
    Parameter("max_iter", 100, "int", "boosting iterations (trees per class)", minimum=1, maximum=10_000),
    Parameter("learning_rate", 0.1, "float", "shrinkage of each tree", minimum=1e-4, maximum=1.0),
    Parameter("max_leaf_nodes", 31, "int", "leaves per tree", minimum=2, maximum=4096),
    Parameter(
        "max_depth", None, "int", "maximum tree depth (empty: no limit)", minimum=1, maximum=64, nullable=True
    ),
    Parameter("min_samples_leaf", 20, "int", "minimum samples in a leaf", minimum=1, maximum=1_000_000),
    Parameter("l2_regularization", 0.0, "float", "L2 penalty on leaf values", minimum=0.0, maximum=1e6),
    Parameter(
        "class_weight", "none", "str", "weigh classes by inverse frequency", choices=("none", "balanced")
    ),
    Parameter(
        "random_state", 0, "int", "random seed (empty: random)", minimum=0, maximum=2**32 - 1, nullable=True
    ),
    Parameter(
        "threads", 0, "int", "CPU threads for training and prediction (0: all cores)", minimum=0, maximum=4096,
        role="threads",
    ),
)


def _fit(
    features: np.ndarray, labels: np.ndarray, params: dict, feature_names: Any, progress: Any = None
) -> Any:
    from .model import fit

    return fit(features, labels, params, feature_names, progress)


def _load(meta: dict, arrays: Mapping[str, np.ndarray]) -> Any:
    from .model import load

    return load(meta, arrays)


@hookimpl
def pixf_register_classifiers() -> list[ClassifierSpec]:
    """scikit-learn's histogram gradient boosting, stored as tree arrays."""
    return [
        ClassifierSpec(
            name="hist_gradient_boosting",
            title="Histogram Gradient Boosting",
            description="scikit-learn HistGradientBoostingClassifier, stored as tree arrays (no pickle), compiled inference",
            fit=_fit,
            load=_load,
            parameters=PARAMETERS,
        )
    ]
