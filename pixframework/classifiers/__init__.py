"""Classifiers: the plugin protocol's entry points, training samples from sparse labels, fast forest inference.

Public API: :func:`train_model`, :func:`load_model`, :func:`validate_training_data` (from
:mod:`.api`) and :func:`~pixframework.classifiers.samples.gather_samples` (from :mod:`.samples`,
imported on use because it needs the feature engine).
"""

from __future__ import annotations

from typing import Any

from .api import load_model, train_model, validate_training_data

__all__ = ["train_model", "load_model", "validate_training_data", "gather_samples"]


def __getattr__(name: str) -> Any:
    if name == "gather_samples":
        from .samples import gather_samples

        return gather_samples
    raise AttributeError(name)
