"""Classifiers: the plugin protocol's entry points, fast forest inference, safe model state.

Public API: :func:`train_model`, :func:`load_model`, :func:`validate_training_data` (from
:mod:`.api`). Training samples (feature vectors at labelled pixels) come from
:func:`pixframework.pipeline.gather_samples`: this package knows nothing of features.
"""

from __future__ import annotations

from .api import load_model, train_model, validate_training_data

__all__ = ["train_model", "load_model", "validate_training_data"]
