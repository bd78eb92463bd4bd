"""The feature filter engine: ilastik's filters as plugins, a filter x scale selection, fast computation.

- :func:`compute_features`: image (or a region of it) -> float32 feature channels.
- :class:`FeatureSelection`: which filters at which scales (JSON-serialisable).
- :class:`DerivativeCache`: the shared, cached derivatives every filter plugin computes from.
"""

from __future__ import annotations

from .derivatives import DerivativeCache
from .engine import compute_features
from .selection import DEFAULT_FILTERS, DEFAULT_SCALES, FeatureEntry, FeatureSelection

__all__ = [
    "compute_features",
    "FeatureSelection",
    "FeatureEntry",
    "DerivativeCache",
    "DEFAULT_SCALES",
    "DEFAULT_FILTERS",
]
