"""XGBoost classifier (histogram method), stored in XGBoost's own UBJSON model format.

State: metadata ``{"format": "xgboost-ubj", "version": 1, "classifier": "xgboost", "classes",
"feature_names", "n_features", "params"}`` plus arrays ``booster`` (uint8: the bytes of
``Booster.save_raw("ubj")``, parsed by XGBoost's JSON/UBJSON reader, which builds trees and never
runs code) and ``feature_importances`` (float64, ``(F,)``).
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..errors import CorruptData
from .state_meta import check_model_meta, model_meta
from .validation import all_finite, check_prediction_input, nonfinite_error

Progress = Callable[[float, str], None]

STATE_FORMAT = "xgboost-ubj"
STATE_VERSION = 1
#: rows per XGBoost call: each chunk is copied to a contiguous buffer, so memory stays bounded
_PREDICT_ROWS = 1 << 16


def _threads(params: Mapping[str, Any]) -> int:
    return int(params.get("threads") or os.cpu_count() or 1)


def _gain_importances(booster: Any, n_features: int) -> np.ndarray:
    """Average split gain per feature, normalised to sum 1 (all zeros when no tree splits)."""
    gains = np.zeros(n_features, np.float64)
    for key, gain in booster.get_score(importance_type="gain").items():
        gains[int(key.lstrip("f"))] = float(gain)
    total = gains.sum()
    return gains / total if total > 0 else gains


class XGBoostModel:
    """A trained XGBoost booster; implements :class:`pixframework.specs.Model`."""

    classifier = "xgboost"

    def __init__(
        self,
        booster: Any,
        classes: Sequence[int],
        feature_names: Sequence[str],
        params: Mapping[str, Any],
        importances: np.ndarray,
        raw: np.ndarray,
    ):
        self._booster = booster
        self._raw = raw
        self._importances = importances
        self.classes: tuple[int, ...] = tuple(int(c) for c in classes)
        self.feature_names: tuple[str, ...] = tuple(feature_names)
        self.params: dict[str, Any] = dict(params)

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Class probabilities float32 ``(n, len(classes))`` for ``(n, n_features)`` features of any strides.

        :raises ValidationError: wrong number of features, or NaN/inf values.
        """
        X = check_prediction_input(features, len(self.feature_names))
        n_classes = len(self.classes)
        out = np.empty((X.shape[0], n_classes), np.float32)
        for start in range(0, X.shape[0], _PREDICT_ROWS):
            rows = X[start : start + _PREDICT_ROWS]
            with np.errstate(over="ignore"):  # too large for float32 becomes inf, reported below
                chunk = np.ascontiguousarray(rows, dtype=np.float32)
            if not all_finite(chunk):
                raise nonfinite_error(rows, self.feature_names, first_row=start)
            p = self._booster.inplace_predict(chunk, validate_features=False)
            if n_classes == 2 and p.ndim == 1:
                out[start : start + len(chunk), 0] = 1.0 - p
                out[start : start + len(chunk), 1] = p
            else:
                out[start : start + len(chunk)] = p
        return out

    def feature_importances(self) -> np.ndarray:
        """Average split gain per feature, normalised to sum 1."""
        return self._importances.copy()

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Metadata plus the booster's UBJSON bytes (uint8) and the importances."""
        meta = model_meta(classifier=self.classifier, state_format=STATE_FORMAT, version=STATE_VERSION,
                          classes=self.classes, feature_names=self.feature_names, params=self.params)
        return meta, {"booster": self._raw, "feature_importances": self._importances.copy()}

    def __repr__(self) -> str:
        return f"XGBoostModel(rounds={self._booster.num_boosted_rounds()}, classes={list(self.classes)})"


def _progress_callback(progress: Progress, total: int) -> Any:
    """An XGBoost training callback reporting ``progress(fraction, message)`` after each round."""
    from xgboost.callback import TrainingCallback

    class Report(TrainingCallback):
        def after_iteration(self, model: Any, epoch: int, evals_log: Any) -> bool:
            progress((epoch + 1) / total, f"{epoch + 1} of {total} boosting rounds")
            return False  # False: keep training

    return Report()


def fit_xgboost(
    features: np.ndarray,
    labels: np.ndarray,
    params: Mapping[str, Any],
    feature_names: Sequence[str],
    progress: Progress | None = None,
) -> XGBoostModel:
    """Train an XGBoost classifier (``tree_method="hist"``) on validated samples.

    :param features: ``(n_samples, n_features)`` float32.
    :param labels: ``(n_samples,)`` integer class values (any values; encoded to 0..C-1 here).
    """
    from xgboost import XGBClassifier

    classes = np.unique(labels)
    rounds = int(params["n_estimators"])
    callbacks = [_progress_callback(progress, rounds)] if progress is not None else None
    clf = XGBClassifier(
        n_estimators=rounds,
        max_depth=params["max_depth"],
        learning_rate=params["learning_rate"],
        subsample=params["subsample"],
        colsample_bytree=params["colsample_bytree"],
        tree_method="hist",
        random_state=params["random_state"],
        n_jobs=_threads(params),
        callbacks=callbacks,
    )
    clf.fit(features, np.searchsorted(classes, labels))
    booster = clf.get_booster()
    raw = np.frombuffer(bytes(booster.save_raw(raw_format="ubj")), dtype=np.uint8)
    meta = model_meta(classifier="xgboost", state_format=STATE_FORMAT, version=STATE_VERSION, classes=classes,
                      feature_names=feature_names, params=params)
    return load_xgboost(meta, {"booster": raw, "feature_importances": _gain_importances(booster, features.shape[1])})


_WHAT = "xgboost model state"


def _corrupt(message: str) -> CorruptData:
    return CorruptData(f"{_WHAT} is corrupt: {message}")


def _load_booster(raw: np.ndarray, threads: int) -> Any:
    from xgboost import Booster
    from xgboost.core import XGBoostError

    booster = Booster(params={"nthread": threads})
    try:
        booster.load_model(bytearray(raw.tobytes()))
    except XGBoostError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _corrupt(f"XGBoost could not parse the booster bytes ({first[:200]})") from None
    return booster


def load_xgboost(meta: dict[str, Any], arrays: Mapping[str, np.ndarray]) -> XGBoostModel:
    """Rebuild an XGBoost model from :meth:`XGBoostModel.get_state` output.

    :raises CorruptData: metadata or arrays inconsistent, bytes XGBoost cannot parse, or a booster
        that disagrees with the metadata (feature count, objective, class count).
    """
    checked = check_model_meta(meta, classifier="xgboost", state_format=STATE_FORMAT, version=STATE_VERSION, what=_WHAT)
    classes, names, n_features, params = list(checked.classes), checked.feature_names, checked.n_features, checked.params
    if not isinstance(arrays, Mapping):
        raise _corrupt("arrays must be a mapping of names to numpy arrays")
    raw, importances = arrays.get("booster"), arrays.get("feature_importances")
    if not isinstance(raw, np.ndarray) or raw.dtype != np.uint8 or raw.ndim != 1 or raw.size == 0:
        raise _corrupt("array 'booster' must be a non-empty 1D uint8 array of UBJSON/JSON bytes")
    if (
        not isinstance(importances, np.ndarray)
        or importances.dtype.kind != "f"
        or importances.shape != (n_features,)
        or not np.all(np.isfinite(importances))
        or np.any(importances < 0)
    ):
        raise _corrupt(f"array 'feature_importances' must hold {n_features} finite non-negative floats")
    booster = _load_booster(raw, _threads(params))
    config = json.loads(booster.save_config())
    objective = config["learner"]["objective"]["name"]
    n_class = int(config["learner"]["learner_model_param"].get("num_class", "0"))
    expected = ("binary:logistic", 0) if len(classes) == 2 else ("multi:softprob", len(classes))
    if (objective, n_class) != expected:
        raise _corrupt(f"booster has objective {objective!r} with {n_class} classes; metadata says {len(classes)} classes")
    if booster.num_features() != n_features:
        raise _corrupt(f"booster expects {booster.num_features()} features; metadata says {n_features}")
    raw = raw.copy()
    raw.flags.writeable = False
    return XGBoostModel(booster, classes, names, params, importances.astype(np.float64), raw)
