"""Checks on training data and prediction input, each failing with a ValidationError that names the problem."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import ValidationError

#: rows checked at a time for NaN/inf, so the check never allocates more than a few MB
_CHECK_ROWS = 1 << 16


_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _describe_nonfinite(features: np.ndarray, names: Sequence[str] | None, first_row: int) -> str:
    """Name the first row and the columns holding NaN, inf, or values that overflow float32.

    ``first_row`` is the row number of ``features[0]`` in the caller's array, for the message.
    """
    for start in range(0, features.shape[0], _CHECK_ROWS):
        chunk = np.asarray(features[start : start + _CHECK_ROWS])
        with np.errstate(invalid="ignore"):
            bad = ~(np.abs(chunk) <= _FLOAT32_MAX)  # NaN, inf, or inf once cast to float32
        if bad.any():
            row, _ = np.argwhere(bad)[0]
            cols = np.flatnonzero(bad.any(axis=0))
            labels = [names[c] if names is not None and c < len(names) else f"column {c}" for c in cols[:5]]
            more = f" and {len(cols) - 5} more" if len(cols) > 5 else ""
            values = chunk[bad]
            if np.isnan(values).all():
                kinds = "NaN"
            elif np.isfinite(values).all():
                kinds = "values too large for float32"
            else:
                kinds = "NaN or infinite values"
            return f"{kinds} in feature(s) {', '.join(labels)}{more} (first at row {first_row + start + int(row)})"
    return "NaN or infinite values"


def all_finite(features: np.ndarray) -> bool:
    """Whether every value of ``features`` (any strides) is finite, checked in bounded-memory chunks."""
    for start in range(0, features.shape[0], _CHECK_ROWS):
        if not np.isfinite(features[start : start + _CHECK_ROWS]).all():
            return False
    return True


def nonfinite_error(features: np.ndarray, names: Sequence[str] | None = None, first_row: int = 0) -> ValidationError:
    """The error raised for features holding NaN or inf, naming where (rows counted from ``first_row``)."""
    return ValidationError(f"features contain {_describe_nonfinite(features, names, first_row)}; features must be finite")


def as_feature_matrix(features: Any, what: str = "features") -> np.ndarray:
    """``features`` as a 2D floating array ``(n_samples, n_features)`` without copying when possible.

    float32 and float64 arrays pass through unchanged (any strides); other real numeric dtypes are
    converted to float32.

    :raises ValidationError: not 2D, or not a real numeric dtype.
    """
    array = features if isinstance(features, np.ndarray) else np.asarray(features)
    if array.ndim != 2:
        raise ValidationError(f"{what} must be 2D (n_samples, n_features), got shape {array.shape}")
    if array.dtype in (np.float32, np.float64):
        return array
    if array.dtype.kind in "fiub":
        return array.astype(np.float32)
    raise ValidationError(f"{what} must be a real numeric array, got dtype {array.dtype}")


def validate_training_data(
    features: Any, labels: Any, feature_names: Sequence[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Check samples before training and return them as ``(X float32 (n, F), y int64 (n,))``.

    :param features: ``(n_samples, n_features)`` feature vectors, one row per labelled pixel.
    :param labels: ``(n_samples,)`` integer class values (any values; at least two distinct).
    :param feature_names: optional names used in error messages.
    :raises ValidationError: empty samples, label/feature count mismatch, non-integer labels, fewer
        than two classes, no features, NaN or infinite features.
    """
    X = as_feature_matrix(features)
    y = np.asarray(labels)
    if y.ndim != 1:
        raise ValidationError(f"labels must be 1D (n_samples,), got shape {y.shape}")
    if X.shape[0] == 0 or y.shape[0] == 0:
        raise ValidationError("no labelled samples: label pixels of at least two classes before training")
    if X.shape[0] != y.shape[0]:
        raise ValidationError(f"{X.shape[0]} feature rows but {y.shape[0]} labels; they must match")
    if X.shape[1] == 0:
        raise ValidationError("features have no columns: select at least one feature")
    if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        y = y.astype(np.int64)
    if y.dtype.kind not in "iu":
        raise ValidationError(f"labels must be integers, got dtype {y.dtype}")
    classes = np.unique(y)
    if len(classes) < 2:
        raise ValidationError(
            f"only one class ({int(classes[0])}) is labelled; training needs labels of at least two classes"
        )
    with np.errstate(over="ignore"):  # too large for float32 becomes inf, reported below
        X32 = np.asarray(X, dtype=np.float32)
    if not all_finite(X32):
        raise nonfinite_error(X, feature_names)
    return X32, y.astype(np.int64, copy=False)


def check_prediction_input(features: Any, n_features: int) -> np.ndarray:
    """Check features given to ``predict_proba`` against the number the model was trained on.

    :returns: the features as a 2D float array (no copy for float32/float64 of any strides).
    :raises ValidationError: wrong dimensionality, dtype or feature count.
    """
    X = as_feature_matrix(features)
    if X.shape[1] != n_features:
        raise ValidationError(
            f"the model was trained on {n_features} features but got {X.shape[1]}; "
            "compute features with the selection the model was trained with"
        )
    return X
