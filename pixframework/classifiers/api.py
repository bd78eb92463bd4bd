"""The one entry point the core uses to train and load classifiers, whichever plugin provides them.

``train_model`` validates samples and parameters before any plugin code runs, and checks what the
plugin returns; ``load_model`` dispatches on ``meta["classifier"]`` through the registry.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..errors import CorruptData, PixfError, PluginError, ValidationError
from ..registry import get_registry
from ..specs import ClassifierSpec, Model, resolve_parameters
from .validation import validate_training_data

Progress = Callable[[float, str], None]

__all__ = ["train_model", "load_model", "predict_probabilities", "validate_training_data", "default_feature_names"]


def default_feature_names(n_features: int) -> tuple[str, ...]:
    """Names used when the caller gives none: ``"feature 0"``, ``"feature 1"``, ..."""
    return tuple(f"feature {i}" for i in range(n_features))


def _spec(classifier: str | ClassifierSpec) -> ClassifierSpec:
    if isinstance(classifier, ClassifierSpec):
        return classifier
    if not isinstance(classifier, str):
        raise ValidationError(f"classifier must be a name or a ClassifierSpec, got {type(classifier).__name__}")
    return get_registry().classifier(classifier)


def _check_model(model: Any, spec: ClassifierSpec, what: str) -> Model:
    if not isinstance(model, Model):
        raise PluginError(spec.plugin or spec.name, f"{what} returned {type(model).__name__}, not a Model")
    return model


def train_model(
    classifier: str | ClassifierSpec,
    features: Any,
    labels: Any,
    params: Mapping[str, Any] | None = None,
    feature_names: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> Model:
    """Train a classifier on labelled samples.

    :param classifier: registered classifier name (``"random_forest"``, ``"xgboost"``, ...) or a spec.
    :param features: ``(n_samples, n_features)`` feature vectors (float32 preferred).
    :param labels: ``(n_samples,)`` integer class values; at least two distinct values.
    :param params: parameters of the classifier; missing ones take their defaults.
    :param feature_names: one name per feature column (default ``"feature i"``).
    :param progress: called as ``progress(fraction 0..1, message)`` while training.
    :returns: the trained :class:`~pixframework.specs.Model`; its ``classes`` are the distinct labels.
    :raises ValidationError: bad samples (empty, one class, NaN/inf, shape mismatch), unknown or
        invalid parameters, wrong number of feature names.
    :raises NotFound: no classifier of that name is installed.
    :raises PluginError: the plugin failed or returned something that is not a valid model.
    """
    spec = _spec(classifier)
    resolved = resolve_parameters(f"classifier {spec.name!r}", spec.parameters, params)
    names = tuple(feature_names) if feature_names is not None else None
    X, y = validate_training_data(features, labels, names)
    if names is None:
        names = default_feature_names(X.shape[1])
    if len(names) != X.shape[1] or not all(isinstance(n, str) for n in names):
        raise ValidationError(f"got {len(names)} feature names for {X.shape[1]} feature columns")
    try:
        model = spec.fit(X, y, resolved, names, progress)
    except PixfError:
        raise
    except Exception as exc:
        raise PluginError(spec.plugin or spec.name, f"training {spec.name!r} failed: {type(exc).__name__}: {exc}") from exc
    model = _check_model(model, spec, "fit")
    expected = tuple(int(c) for c in np.unique(y))
    if tuple(model.classes) != expected:
        raise PluginError(spec.plugin or spec.name, f"model classes {list(model.classes)} differ from the labels {list(expected)}")
    if tuple(model.feature_names) != names:
        raise PluginError(spec.plugin or spec.name, "model feature names differ from those it was trained with")
    return model


def load_model(meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Model:
    """Rebuild a trained model from ``Model.get_state()`` output (JSON metadata + numeric arrays).

    Never executes code from the state: plugins read numbers and strings only.

    :raises CorruptData: the state is inconsistent, tampered with or truncated.
    :raises NotFound: the classifier named in the state is not installed.
    """
    if not isinstance(meta, Mapping):
        raise CorruptData(f"model metadata must be a JSON object, got {type(meta).__name__}")
    name = meta.get("classifier")
    if not isinstance(name, str):
        raise CorruptData(f"model metadata names no classifier (got {name!r})")
    if not isinstance(arrays, Mapping):
        raise CorruptData(f"model arrays must be a mapping of names to arrays, got {type(arrays).__name__}")
    for key, value in arrays.items():
        if not isinstance(value, np.ndarray) or value.dtype.hasobject:
            raise CorruptData(f"model array {key!r} is not a plain numeric array")
    spec = get_registry().classifier(name)
    try:
        model = spec.load(dict(meta), arrays)
    except PixfError:
        raise
    except Exception as exc:
        raise CorruptData(f"classifier {name!r} could not load its state: {type(exc).__name__}: {exc}") from exc
    return _check_model(model, spec, "load")


def predict_probabilities(model: Model, features: np.ndarray) -> np.ndarray:
    """``model.predict_proba(features)``, checked: the one way the core asks a model for probabilities.

    :param features: ``(n, n_features)`` feature vectors, any strides.
    :returns: float32 ``(n, len(model.classes))``.
    :raises PluginError: the plugin raised something other than a domain error, or returned the wrong
        shape or non-finite values; the message names the plugin.
    """
    def plugin() -> str:
        try:
            spec = get_registry().classifier(model.classifier)
        except PixfError:
            return str(getattr(model, "classifier", "?"))
        return spec.plugin or spec.name

    try:
        proba = model.predict_proba(features)
    except PixfError:
        raise
    except Exception as exc:
        raise PluginError(plugin(), f"prediction failed: {type(exc).__name__}: {exc}") from exc
    expected = (features.shape[0], len(model.classes))
    if not isinstance(proba, np.ndarray) or proba.shape != expected:
        got = getattr(proba, "shape", type(proba).__name__)
        raise PluginError(plugin(), f"predict_proba returned {got}, expected an array of shape {expected}")
    proba = proba.astype(np.float32, copy=False)
    if not np.all(np.isfinite(proba)):
        raise PluginError(plugin(), "predict_proba returned NaN or infinite probabilities")
    return proba
