"""Shapes, keys, dtypes, chunks and axis names: the checks every format module shares.

Axis letters follow :mod:`pixframework.io.axes` (``z``, ``y``, ``x`` spatial, ``c`` channel).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np

from ..errors import Conflict, ValidationError
from .axes import normalize_axes

#: numpy kinds any format may hold: bool, signed and unsigned integers, floats
NUMERIC_KINDS = "biuf"

#: default chunk edge (pixels) along each spatial axis, for 2D and 3D images
CHUNK_EDGE_2D = 512
CHUNK_EDGE_3D = 64

_AXIS_NAMES = {
    "x": "x",
    "y": "y",
    "z": "z",
    "c": "c",
    "ch": "c",
    "channel": "c",
    "channels": "c",
}


def full_slices(key: Any, shape: Sequence[int]) -> tuple[tuple[slice, ...], tuple[int, ...]]:
    """Normalise a numpy-style key into one explicit ``slice(start, stop, step)`` per axis.

    Accepts slices (positive steps), integers and one ``Ellipsis``; missing trailing axes are
    taken whole. Integer entries become one-element slices and are reported so the caller can
    drop those axes from the result, as numpy would.

    :returns: ``(slices, integer_axes)``.
    :raises ValidationError: for other key types, negative steps or too many entries.
    """
    if not isinstance(key, tuple):
        key = (key,)
    if sum(k is Ellipsis for k in key) > 1:
        raise ValidationError("an index may contain at most one '...'")
    if Ellipsis in key:
        at = key.index(Ellipsis)
        fill = len(shape) - (len(key) - 1)
        key = key[:at] + (slice(None),) * max(fill, 0) + key[at + 1 :]
    if len(key) > len(shape):
        raise ValidationError(f"index has {len(key)} entries but the image has {len(shape)} axes")
    key = key + (slice(None),) * (len(shape) - len(key))
    slices: list[slice] = []
    integer_axes: list[int] = []
    for axis, (entry, size) in enumerate(zip(key, shape)):
        if isinstance(entry, (int, np.integer)) and not isinstance(entry, bool):
            index = int(entry) + (size if entry < 0 else 0)
            if not 0 <= index < size:
                raise ValidationError(f"index {int(entry)} is out of range for axis {axis} of size {size}")
            slices.append(slice(index, index + 1, 1))
            integer_axes.append(axis)
        elif isinstance(entry, slice):
            if entry.step is not None and entry.step <= 0:
                raise ValidationError(f"slice {entry} on axis {axis}: only positive steps are supported")
            slices.append(slice(*entry.indices(size)))
        else:
            raise ValidationError(f"index entry {entry!r} on axis {axis}: use slices or integers")
    return tuple(slices), tuple(integer_axes)


def region_shape(slices: Sequence[slice]) -> tuple[int, ...]:
    """Number of elements each normalised slice selects."""
    return tuple(len(range(s.start, s.stop, s.step)) for s in slices)


def describe_region(slices: Sequence[slice]) -> str:
    """``[0:10, 5:20]``-style text for error messages."""
    return (
        "[" + ", ".join(f"{s.start}:{s.stop}" + (f":{s.step}" if s.step != 1 else "") for s in slices) + "]"
    )


def check_numeric(dtype: Any, format_name: str, allowed: Iterable[str] | None = None) -> np.dtype:
    """Return ``dtype`` as a numpy dtype if ``format_name`` can store it.

    :param allowed: dtype names the format accepts (``["uint8", "uint16"]``); ``None`` means any
        bool, integer or float type.
    :raises ValidationError: naming the dtype and what the format accepts.
    """
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise ValidationError(f"{dtype!r} is not a numpy dtype") from exc
    if dtype.kind not in NUMERIC_KINDS or dtype.hasobject or dtype.fields is not None:
        raise ValidationError(f"format {format_name!r} stores numeric images only, not dtype {dtype}")
    if allowed is not None:
        allowed = list(allowed)
        if dtype.name not in allowed:
            raise ValidationError(
                f"format {format_name!r} cannot store dtype {dtype}; it accepts {', '.join(allowed)}"
            )
    return dtype


def checked_request(
    format_name: str, shape: Sequence[int], dtype: Any, axes: str | None, allowed: Iterable[str] | None = None
) -> tuple[tuple[int, ...], np.dtype, str]:
    """Validate what a writer is asked to create: positive shape, storable dtype, fitting axes.

    :param axes: axes of ``shape`` (``yx``, ``yxc``, ``zyxc``, ``cyx``, ...) or ``None`` to infer them
        by the rule of :mod:`pixframework.io.axes`.
    :returns: ``(shape, dtype, axes)`` normalised.
    """
    try:
        shape = tuple(int(s) for s in shape)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"shape must be a sequence of integers, got {shape!r}") from exc
    if not shape or any(s < 1 for s in shape):
        raise ValidationError(f"shape {shape} must have at least one axis and no empty axes")
    return shape, check_numeric(dtype, format_name, allowed), normalize_axes(axes, shape)


def axes_from_names(names: Sequence[Any] | None) -> str | None:
    """Axis letters for dimension names stored in a file (``["z", "y", "x"]``, ``["channel", ...]``).

    :returns: letters such as ``"zyx"``, or ``None`` if any name is unknown, repeated or missing,
        or ``y``/``x`` are absent (then the core's inference rule applies).
    """
    if not names:
        return None
    letters = []
    for name in names:
        letter = _AXIS_NAMES.get(str(name).strip().lower()) if name is not None else None
        if letter is None:
            return None
        letters.append(letter)
    axes = "".join(letters)
    if len(set(axes)) != len(axes) or "y" not in axes or "x" not in axes:
        return None
    return axes


def ordered_axes(axes: str, order: str) -> str:
    """The letters of ``axes`` rearranged in the order given by ``order`` (e.g. ``"czyx"``)."""
    return "".join(a for a in order if a in axes)


def default_chunks(shape: Sequence[int], axes: str) -> tuple[int, ...]:
    """Chunk shape for chunked outputs: all channels together, 512x512 tiles in 2D, 64^3 cubes in 3D.

    Whole channel stacks per chunk mean a block of predictions is written without read-modify-write.
    """
    edge = CHUNK_EDGE_3D if "z" in axes else CHUNK_EDGE_2D
    return tuple(int(size) if a == "c" else int(min(size, edge)) for a, size in zip(axes, shape))


def checked_chunks(chunks: Sequence[int] | None, shape: Sequence[int], axes: str) -> tuple[int, ...]:
    """``chunks`` validated against ``shape`` (same length, positive), or the default chunk shape."""
    if chunks is None:
        return default_chunks(shape, axes)
    try:
        chunks = tuple(int(c) for c in chunks)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"chunks must be a sequence of integers, got {chunks!r}") from exc
    if len(chunks) != len(shape) or any(c < 1 for c in chunks):
        raise ValidationError(f"chunks {chunks} must give one positive size per axis of shape {tuple(shape)}")
    return tuple(min(c, s) for c, s in zip(chunks, shape))


def check_resumable(path: str, array: Any, shape: tuple[int, ...], dtype: Any) -> None:
    """Refuse to resume into an existing array whose shape or dtype differ from the new request."""
    if tuple(array.shape) != tuple(shape) or array.dtype != dtype:
        raise Conflict(
            f"cannot resume writing {path!r}: it holds shape {tuple(array.shape)} {array.dtype}, "
            f"but {tuple(shape)} {dtype} was asked for"
        )
