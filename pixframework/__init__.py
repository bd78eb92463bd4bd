"""pixframework: interactive pixel classification (the ilastik workflow) as a plugin framework.

Main entry points (imported lazily, so ``import pixframework`` stays cheap):

- :class:`pixframework.Project`: the one workflow API (images, labels, features, train, predict, export).
- :func:`pixframework.compute_features`: the filter engine.
- :class:`pixframework.FeatureSelection`: which filters at which scales.
- :func:`pixframework.connect`: a thin client to a ``pixf serve`` server, same methods as ``Project``.
- :func:`pixframework.get_registry`: installed filter, classifier and format plugins.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "Project": "pixframework.project",
    "compute_features": "pixframework.features.engine",
    "FeatureSelection": "pixframework.features.selection",
    "connect": "pixframework.client",
    "get_registry": "pixframework.registry",
    "get_plugin_manager": "pixframework.registry",
    "hookimpl": "pixframework.hookspecs",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pixframework' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
