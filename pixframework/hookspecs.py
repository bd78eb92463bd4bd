"""Hook specifications: the whole plugin API of pixframework.

A plugin is a module (or object) with functions named like the hooks below,
decorated with :data:`hookimpl`, and announced in its distribution's
``pyproject.toml``::

    [project.entry-points.pixframework]
    my_filters = "my_package.plugin"

Each hook returns *declarative* specs (see :mod:`pixframework.specs`), so the
core can list, validate and plan without running plugin code. Built-in filters,
classifiers and formats are registered through these very hooks.
"""

from __future__ import annotations

import pluggy

from .specs import ClassifierSpec, FilterSpec, FormatSpec

PROJECT = "pixframework"

hookspec = pluggy.HookspecMarker(PROJECT)
#: decorator for plugin hook implementations: ``@hookimpl def pixf_register_filters(): ...``
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def pixf_register_filters() -> list[FilterSpec]:
    """Return the feature filters this plugin provides.

    :returns: a list of :class:`~pixframework.specs.FilterSpec`; each gives a stable ``name``, a
        ``title``, the ``compute`` function, the number of output channels per input channel
        (``n_outputs(ndim)``), the ``halo`` needed at a given scale, and supported ``dims``.
        Names must be unique across all installed plugins.
    """


@hookspec
def pixf_register_classifiers() -> list[ClassifierSpec]:
    """Return the pixel classifiers this plugin provides.

    :returns: a list of :class:`~pixframework.specs.ClassifierSpec`; each gives ``fit`` (features and
        labels to a trained :class:`~pixframework.specs.Model`), ``load`` (rebuild a model from its
        safe state: JSON metadata plus numeric arrays, never pickle) and its ``parameters``.
    """


@hookspec
def pixf_register_formats() -> list[FormatSpec]:
    """Return the image file formats this plugin reads and/or writes.

    :returns: a list of :class:`~pixframework.specs.FormatSpec`; each gives the file ``extensions``
        it claims, ``open(path)`` returning a lazy :class:`~pixframework.specs.ImageReader` and/or
        ``create(path, shape, dtype, axes)`` returning an :class:`~pixframework.specs.ImageWriter`.
    """
