"""Axes handling: one rule set for every reader, the feature engine and the project.

Axes are strings of the letters ``z``, ``y``, ``x`` (spatial) and ``c`` (channel), e.g. ``"yx"``,
``"yxc"``, ``"cyx"``, ``"zyx"``, ``"zyxc"``, ``"czyx"``. Internally pixframework works in the
*canonical* order: spatial axes ``(z)yx`` followed by exactly one channel axis, so a grayscale
2D image ``(512, 512)`` becomes ``(512, 512, 1)`` with axes ``"yxc"``.

Inference rule when no axes are given (always overridable by passing axes):

=====  ==========================================  ==========
ndim   condition                                   axes
=====  ==========================================  ==========
2      always                                      ``yx``
3      last dimension <= 4 (RGB/RGBA or few chans)  ``yxc``
3      otherwise                                   ``zyx``
4+     never guessed                               error: pass ``axes``
=====  ==========================================  ==========
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import Remedy, ValidationError

ALLOWED = "zyxc"
MAX_INFERRED_CHANNELS = 4


def infer_axes(shape: Sequence[int]) -> str:
    """Guess axes for an array of ``shape`` by the documented rule (see module docstring)."""
    ndim = len(shape)
    if ndim == 2:
        return "yx"
    if ndim == 3:
        return "yxc" if shape[-1] <= MAX_INFERRED_CHANNELS else "zyx"
    raise ValidationError(f"cannot guess the axes of a {ndim}D array of shape {tuple(shape)}", remedy=Remedy.AXES)


def normalize_axes(axes: str | None, shape: Sequence[int]) -> str:
    """Validate ``axes`` against ``shape`` (or infer them); returns lower-case axes.

    :raises ValidationError: unknown letters, repeats, missing ``y``/``x``, or a length that does
        not match the number of dimensions.
    """
    if axes is None:
        return infer_axes(shape)
    if not isinstance(axes, str):
        raise ValidationError(f"axes must be a string like 'yx' or 'zyxc', got {axes!r}")
    axes = axes.lower()
    bad = sorted(set(axes) - set(ALLOWED))
    if bad:
        raise ValidationError(f"axes {axes!r} contain unsupported letters {bad}; use only z, y, x, c")
    if len(set(axes)) != len(axes):
        raise ValidationError(f"axes {axes!r} repeat a letter")
    if "y" not in axes or "x" not in axes:
        raise ValidationError(f"axes {axes!r} must contain both 'y' and 'x'")
    if len(axes) != len(shape):
        raise ValidationError(
            f"axes {axes!r} have {len(axes)} letters but the data has {len(shape)} dimensions "
            f"(shape {tuple(shape)})"
        )
    return axes


def canonical_axes(axes: str) -> str:
    """The canonical order for data with ``axes``: ``"yxc"`` or ``"zyxc"``."""
    return ("zyxc" if "z" in axes else "yxc")


def spatial_axes(axes: str) -> str:
    """Spatial letters of ``axes`` in canonical order (``"yx"`` or ``"zyx"``)."""
    return canonical_axes(axes)[:-1]


def to_canonical(array: Any, axes: str | None = None) -> tuple[Any, str]:
    """View ``array`` in canonical axes order (spatial then one channel axis).

    Works for numpy arrays (returns a view, no copy) and lazy readers (returns a
    :class:`CanonicalView` that transposes on read).

    :returns: ``(view, canonical_axes)``.
    """
    shape = tuple(int(s) for s in array.shape)
    axes = normalize_axes(axes, shape)
    target = canonical_axes(axes)
    if isinstance(array, np.ndarray):
        view = array if "c" in axes else array[..., np.newaxis]
        src = axes if "c" in axes else axes + "c"
        return np.transpose(view, [src.index(a) for a in target]), target
    return CanonicalView(array, axes), target


class CanonicalView:
    """A lazy reader seen in canonical axes: ``shape`` and ``[...]`` reads are in ``(z)yxc`` order."""

    def __init__(self, source: Any, axes: str):
        self.source = source
        self.axes = axes
        self.canonical = canonical_axes(axes)
        src_shape = tuple(int(s) for s in source.shape)
        self.shape = tuple(src_shape[axes.index(a)] if a in axes else 1 for a in self.canonical)
        self.dtype = np.dtype(source.dtype)
        self.ndim = len(self.shape)

    def __getitem__(self, key: tuple[slice, ...]) -> np.ndarray:
        if not isinstance(key, tuple):
            key = (key,)
        key = key + (slice(None),) * (len(self.canonical) - len(key))
        by_letter = dict(zip(self.canonical, key))
        src_key = tuple(by_letter[a] for a in self.axes)
        data = np.asarray(self.source[src_key])
        present = self.axes if "c" in self.axes else self.axes + "c"
        if "c" not in self.axes:
            data = data[..., np.newaxis]
        return np.transpose(data, [present.index(a) for a in self.canonical])


def normalize_region(region: Sequence[slice] | None, spatial_shape: Sequence[int]) -> tuple[slice, ...]:
    """Check a region (one ``slice`` per spatial axis, step 1) against the image; fill open ends.

    :raises ValidationError: wrong number of slices, steps, empty or out-of-bounds ranges.
    """
    spatial_shape = tuple(int(s) for s in spatial_shape)
    if region is None:
        return tuple(slice(0, s) for s in spatial_shape)
    region = tuple(region)
    if len(region) != len(spatial_shape):
        raise ValidationError(
            f"region has {len(region)} slices but the image has {len(spatial_shape)} spatial axes"
        )
    out = []
    for axis, (sl, size) in enumerate(zip(region, spatial_shape)):
        if not isinstance(sl, slice):
            raise ValidationError(f"region entry {axis} must be a slice, got {sl!r}")
        if sl.step not in (None, 1):
            raise ValidationError(f"region entry {axis} has step {sl.step}; only step 1 is supported")
        start = 0 if sl.start is None else int(sl.start)
        stop = size if sl.stop is None else int(sl.stop)
        if not (0 <= start < stop <= size):
            raise ValidationError(
                f"region [{start}:{stop}] on spatial axis {axis} is empty or outside the image (size {size})"
            )
        out.append(slice(start, stop))
    return tuple(out)
