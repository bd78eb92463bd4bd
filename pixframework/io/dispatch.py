"""Format dispatch: from a path (and optionally a format name) to the registered format plugin.

This is the API the rest of pixframework reads and writes images with:
:func:`find_format`, :func:`open_image`, :func:`read_image`, :func:`create_image`,
:func:`write_image`. Formats are plugins (:class:`~pixframework.specs.FormatSpec` from the
``pixf_register_formats`` hook), looked up through :func:`~pixframework.registry.get_registry`.

How a format is chosen (``format=`` always wins):

1. The *suffix*: the name of the path component that is an existing file, or else of the
   deepest component ending in a registered extension, so container paths work
   (``run.h5/raw/volume``, ``cells.zarr/0``). Every registered extension the name ends with
   counts (``img.ome.zarr`` ends with ``.ome.zarr`` and ``.zarr``).
2. The candidates are the formats claiming those extensions, most specific (longest) first,
   then those listing it as their first (primary) extension, then registry order.
3. Reading: the first candidate whose ``sniff(path)`` recognises the data wins (so
   ``x.zarr`` opens as ``ome-zarr`` when it holds OME multiscales metadata and as ``zarr``
   when it is an array), else the first candidate. Writing: the first candidate (``x.zarr``
   -> ``zarr``, ``x.ome.zarr`` -> ``ome-zarr``).
4. Reading a path with no registered extension asks every format's ``sniff``.
5. Writing below an existing file is refused at once (``notes.txt/out.zarr``: the file is in the way
   of a folder), unless the file is a container of the format (``run.h5/predictions``).
"""

from __future__ import annotations

import inspect
import os
from typing import Any, Sequence

import numpy as np

from ..errors import NotFound, Remedy, ValidationError
from ..registry import get_registry
from ..specs import FormatSpec, ImageReader, ImageWriter
from .paths import as_path, existing_file_prefix, matched_suffix, split_at_suffix

MODES = ("r", "w")
_FIXED_ARGUMENTS = 4  # create(path, shape, dtype, axes, **options)


def _capable(spec: FormatSpec, mode: str) -> bool:
    return (spec.open if mode == "r" else spec.create) is not None


def known_formats(mode: str | None = None) -> str:
    """``"tiff (.tif, .tiff), png (.png), ..."`` for messages; only formats that can read/write for a mode."""
    table = get_registry().formats
    specs = [s for s in table.values() if mode is None or _capable(s, mode)]
    return (
        ", ".join(f"{s.name} ({', '.join(s.extensions) or 'no extension'})" for s in specs)
        or "none installed"
    )


def path_suffixes(path: str, suffixes: set[str]) -> list[str]:
    """Registered extensions the deciding component of ``path`` ends with, longest first (see module doc)."""
    split = existing_file_prefix(path)
    if split is not None:
        name = os.path.basename(split[0])
    else:
        found = split_at_suffix(path, suffixes)
        if found is None:
            return []
        name = os.path.basename(found[0])
    lower = name.lower()
    return sorted((s for s in suffixes if lower.endswith(s) and len(lower) > len(s)), key=len, reverse=True)


def candidates(specs: Sequence[FormatSpec], matched: Sequence[str]) -> list[FormatSpec]:
    """Formats claiming any of ``matched`` (longest first), most specific and primary claims first."""
    ranked = []
    for order, spec in enumerate(specs):
        claimed = [s for s in matched if s in spec.extensions]
        if claimed:
            longest = max(claimed, key=len)
            primary = bool(spec.extensions) and spec.extensions[0] == longest
            ranked.append((-len(longest), not primary, order, spec))
    return [entry[-1] for entry in sorted(ranked, key=lambda e: e[:3])]


def _sniffs(spec: FormatSpec, path: str) -> bool:
    if spec.sniff is None:
        return False
    try:
        return bool(spec.sniff(path))
    except Exception:
        return False  # a sniffer must not break dispatch; it just does not recognise the data


def _file_in_the_way(path: str, specs: Sequence[FormatSpec]) -> str | None:
    """The existing regular file that ``path`` continues below (so a writer would need it to be a
    folder), unless it is a container of one of ``specs``; else ``None``."""
    split = existing_file_prefix(path)
    if split is None or not split[1]:
        return None  # nothing in the way, or the path itself is a file (it is replaced)
    file = split[0]
    for spec in specs:
        if matched_suffix(os.path.basename(file), spec.extensions) or _sniffs(spec, file):
            return None
    return file


def _refuse_file_in_the_way(path: str, specs: Sequence[FormatSpec]) -> None:
    blocker = _file_in_the_way(path, specs)
    if blocker is not None:
        raise ValidationError(f"cannot write {path!r}: {blocker!r} is a file, not a folder")


def find_format(path: Any, format: str | None = None, *, mode: str = "r") -> FormatSpec:
    """The format plugin to read (``mode="r"``) or write (``mode="w"``) ``path`` with.

    :param path: file or container path, e.g. ``cells.tif``, ``vol.h5/raw``, ``img.zarr/0``.
    :param format: a registered format name (``tiff``, ``png``, ``jpeg``, ``npy``, ``zarr``,
        ``ome-zarr``, ``h5``, or a plugin's); wins over the path.
    :raises NotFound: unknown format name, or (reading) no file at a path without known extension.
    :raises ValidationError: bad mode, a format that cannot read/write, no format fits the path
        (the message lists the known formats), or (writing) an existing file is in the way.
    """
    path = as_path(path)
    if mode not in MODES:
        raise ValidationError(f"mode must be 'r' or 'w', got {mode!r}")
    registry = get_registry()
    action = "read" if mode == "r" else "write"
    if format is not None:
        spec = registry.format(format)
        if not _capable(spec, mode):
            raise ValidationError(
                f"format {spec.name!r} cannot {action} images; formats that can: {known_formats(mode)}"
            )
        if mode == "w":
            _refuse_file_in_the_way(path, [spec])
        return spec
    specs = [s for s in registry.formats.values() if _capable(s, mode)]
    if mode == "w":
        _refuse_file_in_the_way(path, specs)
    suffixes = {ext for s in specs for ext in s.extensions}
    ranked = candidates(specs, path_suffixes(path, suffixes))
    if ranked:
        if mode == "r":
            for spec in ranked:
                if _sniffs(spec, path):
                    return spec
        return ranked[0]
    if mode == "r":
        for spec in specs:
            if _sniffs(spec, path):
                return spec
        if not os.path.lexists(path) and existing_file_prefix(path) is None:
            raise NotFound(f"image file not found: {path!r}")
        raise ValidationError(
            f"cannot tell the format of {path!r} from its name or content (formats that can read: "
            f"{known_formats(mode)})",
            remedy=Remedy.READ_FORMAT,
        )
    raise ValidationError(
        f"cannot tell which format to write {path!r} in (formats that can write: {known_formats(mode)})",
        remedy=Remedy.WRITE_FORMAT,
    )


def open_image(path: Any, format: str | None = None) -> ImageReader:
    """Open an image lazily: ``shape``, ``dtype``, ``axes`` (from metadata or ``None``), region reads.

    Read regions with ``reader[slices]`` in the file's axis order; close it (or use ``with``).
    """
    spec = find_format(path, format, mode="r")
    assert spec.open is not None
    return spec.open(as_path(path))


def read_image(path: Any, format: str | None = None, region: Sequence[slice] | None = None) -> np.ndarray:
    """Read a whole image, or ``region`` (one slice per axis, file axis order), into memory."""
    reader = open_image(path, format)
    try:
        key = tuple(region) if region is not None else tuple(slice(None) for _ in reader.shape)
        return np.asarray(reader[key])
    finally:
        reader.close()


def check_options(spec: FormatSpec, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` checked against the keyword arguments of ``spec.create`` and its declared parameters."""
    assert spec.create is not None
    params = list(inspect.signature(spec.create).parameters.values())
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        accepted = {
            p.name
            for p in params[_FIXED_ARGUMENTS:]
            if p.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        }
        unknown = sorted(set(options) - accepted)
        if unknown:
            raise ValidationError(
                f"format {spec.name!r} has no option {', '.join(map(repr, unknown))}; "
                f"options: {', '.join(sorted(accepted)) or 'none'}"
            )
    declared = {p.name: p for p in spec.parameters}
    return {
        name: declared[name].coerce(value) if name in declared else value for name, value in options.items()
    }


def create_image(
    path: Any, shape: Sequence[int], dtype: Any, axes: str | None, format: str | None = None, **options: Any
) -> ImageWriter:
    """Create an output image; write ``writer[slices] = array`` (``axes`` order), then ``close()``.

    :param axes: axes of ``shape`` (``yx``, ``yxc``, ``zyxc``, ``cyx``...), or ``None`` for the
        inference rule of :mod:`pixframework.io.axes`.
    :param options: format options (e.g. ``compression="zlib"`` for tiff, ``chunks=`` for zarr/h5,
        ``version="0.5"`` for ome-zarr); unknown ones are a :class:`ValidationError`.
    """
    spec = find_format(path, format, mode="w")
    assert spec.create is not None
    return spec.create(as_path(path), tuple(shape), dtype, axes, **check_options(spec, options))


def write_image(path: Any, array: Any, axes: str | None, format: str | None = None, **options: Any) -> str:
    """Write a whole in-memory image; returns the path to read it back from (e.g. ``out.h5/data``).

    The output appears atomically for single-file formats; on error nothing is left behind for
    them (chunked stores may keep what was written).
    """
    array = np.asarray(array)
    writer = create_image(path, array.shape, array.dtype, axes, format, **options)
    try:
        writer[tuple(slice(None) for _ in array.shape)] = array
        writer.close()
    except BaseException:
        abort = getattr(writer, "abort", None)
        if callable(abort):
            abort()
        raise
    return str(getattr(writer, "path", as_path(path)))
