"""Conformance checks for classifier plugins: :func:`check_classifier`."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..classifiers.api import train_model
from ..errors import CorruptData, PixfError, ValidationError
from ..registry import Registry
from ..specs import ClassifierSpec, Model
from ._support import expect_error, fail, resolve

#: label values used: not 0..C-1, so plugins must map classes themselves
LABEL_SETS = ((3, 7), (1, 2, 5))
N_FEATURES = 6
#: first bytes of pickle protocols 2..5 (a pickle smuggled into a uint8 array)
_PICKLE_HEADERS = tuple(bytes([0x80, p]) for p in (2, 3, 4, 5))


def blobs(classes: tuple[int, ...], n_per_class: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Well separated float32 clusters ``(n, 6)`` with labels ``classes`` (any integer values)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, size=(len(classes), N_FEATURES))
    X = np.concatenate([c + rng.normal(0, 0.7, size=(n_per_class, N_FEATURES)) for c in centres])
    y = np.repeat(np.asarray(classes, np.int64), n_per_class)
    order = rng.permutation(len(y))
    return X[order].astype(np.float32), y[order]


def check_classifier(
    spec_or_name: ClassifierSpec | str,
    *,
    params: Mapping[str, Any] | None = None,
    registry: Registry | None = None,
) -> None:
    """Check a classifier plugin against the contract of :class:`~pixframework.specs.ClassifierSpec`.

    On two-class and three-class problems whose labels are not ``0..C-1`` it checks that:

    - ``fit`` gives a :class:`~pixframework.specs.Model` with the right ``classifier``, ``classes``
      and ``feature_names``; progress fractions stay in ``0..1``;
    - ``predict_proba`` returns float32 ``(n, C)`` probabilities in ``0..1`` summing to 1, learns
      well separated clusters (>= 90 % training accuracy), gives the same answer for
      C-ordered, Fortran-ordered (channel-first planes, as the engine passes them) and float64
      input, handles zero rows, and refuses a wrong feature count with a ``ValidationError``;
    - ``feature_importances`` is ``None`` or ``F`` finite non-negative values summing to 1 (or all 0);
    - the state is safe and complete: metadata survives ``json.dumps``/``json.loads``, arrays are
      plain numeric arrays (no object or structured dtypes, no pickle bytes) that survive
      ``np.save``/``np.load(allow_pickle=False)``, and the model loaded from them predicts
      identically;
    - ``load`` raises :class:`~pixframework.errors.CorruptData` for empty metadata or a missing array;
    - with a ``random_state`` parameter, two fits give identical predictions.

    :param spec_or_name: the spec, or the name of an installed classifier.
    :param params: parameters for ``fit`` (e.g. fewer trees to keep the check fast).
    :param registry: registry to find the name in (default: the installed plugins).
    :raises AssertionError: naming the classifier, its plugin and what is wrong.
    """
    spec, _ = resolve(ClassifierSpec, spec_or_name, registry)
    params = dict(params or {})
    for classes in LABEL_SETS:
        X, y = blobs(classes)
        model = _fit(spec, X, y, params)
        proba = _check_predictions(spec, model, X, y)
        _check_importances(spec, model)
        _check_state(spec, model, X, proba)
    if any(p.name == "random_state" for p in spec.parameters):
        X, y = blobs(LABEL_SETS[-1], seed=1)
        first, second = (_fit(spec, X, y, params).predict_proba(X) for _ in range(2))
        if not np.array_equal(first, second):
            fail(spec, "two fits with the same random_state and samples predict differently")


def _fit(spec: ClassifierSpec, X: np.ndarray, y: np.ndarray, params: dict[str, Any]) -> Model:
    reports: list[tuple[float, str]] = []
    names = [f"f{i}" for i in range(X.shape[1])]
    try:
        model = train_model(
            spec, X, y, params, names, lambda fraction, message: reports.append((fraction, message))
        )
    except PixfError as exc:
        fail(spec, f"training on {len(y)} samples of classes {sorted(set(y.tolist()))} failed: {exc}")
    for fraction, message in reports:
        if not (isinstance(fraction, (int, float)) and -1e-9 <= fraction <= 1 + 1e-9) or not isinstance(
            message, str
        ):
            fail(
                spec,
                f"progress must be called with a fraction in 0..1 and a message, got ({fraction!r}, {message!r})",
            )
    if model.classifier != spec.name:
        fail(spec, f"model.classifier is {model.classifier!r}; it must be the spec's name {spec.name!r}")
    return model


def _check_predictions(spec: ClassifierSpec, model: Model, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    n_classes = len(model.classes)
    proba = _predict(spec, model, X, "C-ordered float32 features")
    if not isinstance(proba, np.ndarray) or proba.dtype != np.float32 or proba.shape != (len(X), n_classes):
        got = f"{proba.dtype} {proba.shape}" if isinstance(proba, np.ndarray) else type(proba).__name__
        fail(spec, f"predict_proba must return float32 {(len(X), n_classes)}, got {got}")
    if not np.all(np.isfinite(proba)) or proba.min() < -1e-6 or proba.max() > 1 + 1e-6:
        fail(spec, "predict_proba returned values outside 0..1 (or NaN)")
    sums = proba.sum(axis=1, dtype=np.float64)
    if np.abs(sums - 1).max() > 1e-4:
        fail(
            spec, f"probabilities must sum to 1 per row; found sums from {sums.min():.6f} to {sums.max():.6f}"
        )
    accuracy = float(np.mean(np.asarray(model.classes)[proba.argmax(axis=1)] == y))
    if accuracy < 0.9:
        fail(spec, f"only {accuracy:.0%} training accuracy on well separated clusters (expected >= 90 %)")
    planes = np.ascontiguousarray(X.T)  # the engine's channel-first storage, seen as (n, F)
    for label, variant in (
        ("Fortran-ordered features", planes.T),
        ("float64 features", X.astype(np.float64)),
    ):
        other = _predict(spec, model, variant, label)
        if not np.allclose(other, proba, atol=1e-5):
            fail(spec, f"predict_proba on {label} differs from C-ordered float32 features")
    empty = _predict(spec, model, X[:0], "zero rows")
    if np.shape(empty) != (0, n_classes):
        fail(spec, f"predict_proba on zero rows must return shape (0, {n_classes}), got {np.shape(empty)}")
    wrong = f"predict_proba on {X.shape[1] - 1} features (the model was trained on {X.shape[1]})"
    expect_error(spec, ValidationError, lambda: model.predict_proba(X[:, :-1]), wrong)
    return proba


def _predict(spec: ClassifierSpec, model: Model, X: np.ndarray, what: str) -> np.ndarray:
    try:
        return model.predict_proba(X)
    except Exception as exc:
        fail(spec, f"predict_proba on {what} raised {type(exc).__name__}: {exc}")


def _check_importances(spec: ClassifierSpec, model: Model) -> None:
    values = model.feature_importances()
    if values is None:
        return
    values = np.asarray(values)
    if values.shape != (N_FEATURES,) or not np.all(np.isfinite(values)) or np.any(values < 0):
        fail(spec, f"feature_importances must be None or {N_FEATURES} finite values >= 0, got {values!r}")
    total = float(values.sum())
    if total != 0 and abs(total - 1) > 1e-5:
        fail(spec, f"feature_importances must sum to 1 (or all be 0), they sum to {total}")


def _check_state(spec: ClassifierSpec, model: Model, X: np.ndarray, proba: np.ndarray) -> None:
    meta, arrays = model.get_state()
    if not isinstance(meta, dict) or not isinstance(arrays, Mapping):
        fail(spec, "get_state must return (dict of JSON metadata, mapping of name -> numpy array)")
    if meta.get("classifier") != spec.name:
        fail(spec, f"state metadata must say classifier={spec.name!r}, got {meta.get('classifier')!r}")
    try:
        text = json.dumps(meta, allow_nan=False)
    except (TypeError, ValueError) as exc:
        fail(spec, f"state metadata is not plain JSON ({exc}); use str, numbers, lists and dicts only")
    for key, value in arrays.items():
        _check_array(spec, key, value)
    with tempfile.TemporaryDirectory(prefix="pixf-check-") as tmp:
        names = sorted(arrays)
        for i, key in enumerate(names):
            np.save(Path(tmp) / f"{i}.npy", arrays[key], allow_pickle=False)
        loaded = {key: np.load(Path(tmp) / f"{i}.npy", allow_pickle=False) for i, key in enumerate(names)}
    again = _load(spec, json.loads(text), loaded, "its own saved state")
    if again.classifier != model.classifier or tuple(again.classes) != tuple(model.classes):
        fail(spec, "the loaded model has other classifier or classes than the saved one")
    if tuple(again.feature_names) != tuple(model.feature_names):
        fail(spec, "the loaded model has other feature names than the saved one")
    if not np.array_equal(_predict(spec, again, X, "features after a state round trip"), proba):
        fail(spec, "the model loaded from its saved state predicts differently from the trained model")
    expect_error(
        spec, CorruptData, lambda: spec.load({"classifier": spec.name}, {}), "load with empty metadata"
    )
    for key in names:
        partial = {k: v for k, v in loaded.items() if k != key}
        expect_error(
            spec,
            CorruptData,
            lambda partial=partial: spec.load(json.loads(text), partial),
            f"load without array {key!r}",
        )


def _check_array(spec: ClassifierSpec, key: Any, value: Any) -> None:
    if not isinstance(key, str) or not isinstance(value, np.ndarray):
        fail(spec, f"state arrays must map names to numpy arrays, got {key!r}: {type(value).__name__}")
    if value.dtype.kind not in "biuf" or value.dtype.fields is not None:
        fail(spec, f"state array {key!r} has dtype {value.dtype}; use plain bool, integer or float arrays")
    if value.dtype == np.uint8 and value.ndim == 1 and bytes(value[:2]) in _PICKLE_HEADERS:
        fail(spec, f"state array {key!r} holds a pickle; store the model as numbers and JSON instead")


def _load(spec: ClassifierSpec, meta: dict[str, Any], arrays: Mapping[str, np.ndarray], what: str) -> Model:
    try:
        model = spec.load(meta, arrays)
    except Exception as exc:
        fail(spec, f"load from {what} raised {type(exc).__name__}: {exc}")
    if not isinstance(model, Model):
        fail(spec, f"load returned {type(model).__name__}, not a Model")
    return model
