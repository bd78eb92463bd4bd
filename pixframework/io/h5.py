"""HDF5 datasets through h5py: ``file.h5/path/in/file``, read lazily, written chunk by chunk.

Axes come from ilastik's ``axistags`` attribute (JSON) or from HDF5 dimension labels; both are
written, so ilastik and pixframework read each other's files with their axes. Without a dataset
path, a file holding exactly one dataset opens that one; writing defaults to dataset ``data``.
One writer per file at a time (HDF5 does not allow two writers on one file).
"""

from __future__ import annotations

import json
import os
from typing import Any, Sequence

import h5py

from ..errors import NotFound, ValidationError
from .failures import reading, writing
from .h5_confine import check_dataset, walk_to
from .layout import axes_from_names, check_resumable, checked_chunks, checked_request
from .paths import as_path, existing_file_prefix, split_at_suffix
from .reader import StoreReader
from .writer import StoreWriter

FORMAT = "h5"
EXTENSIONS = (".h5", ".hdf5", ".he5", ".hdf")
DEFAULT_DATASET = "data"
COMPRESSIONS = ("gzip", "lzf", "none")
GZIP_LEVEL = 1  # fast; segmentations and probabilities still shrink a lot
_LIST_LIMIT = 12
# ilastik's vigra axistags: type flags per axis kind
_CHANNEL_FLAG, _SPACE_FLAG = 1, 2


def sniff(path: str) -> bool:
    """Whether the file part of ``path`` is an HDF5 file."""
    split = existing_file_prefix(path)
    if split is None:
        return False
    try:
        return bool(h5py.is_hdf5(split[0]))
    except Exception:
        return False


def datasets_in(group: Any) -> list[str]:
    """Paths of (a few of) the datasets below an open HDF5 group."""
    found: list[str] = []

    def visit(name: str, obj: Any) -> None:
        if isinstance(obj, h5py.Dataset) and len(found) < _LIST_LIMIT:
            found.append(name)

    group.visititems(visit)
    return found


def axes_of(dataset: Any) -> str | None:
    """Axes from ilastik ``axistags`` or HDF5 dimension labels, or ``None``."""
    tags = dataset.attrs.get("axistags")
    if tags is not None:
        try:
            keys = [axis["key"] for axis in json.loads(tags)["axes"]]
        except (ValueError, KeyError, TypeError):
            keys = []
        axes = axes_from_names(keys)
        if axes is not None and len(axes) == dataset.ndim:
            return axes
    labels = [dim.label for dim in dataset.dims]
    axes = axes_from_names(labels) if all(labels) else None
    return axes if axes is not None and len(axes) == dataset.ndim else None


def axistags(axes: str) -> str:
    """ilastik's ``axistags`` JSON for ``axes``."""
    return json.dumps(
        {
            "axes": [
                {
                    "key": a,
                    "typeFlags": _CHANNEL_FLAG if a == "c" else _SPACE_FLAG,
                    "resolution": 0,
                    "description": "",
                }
                for a in axes
            ]
        }
    )


def open_h5(path: Any) -> StoreReader:
    """Open dataset ``inner`` of ``file.h5/inner`` lazily (or the only dataset of ``file.h5``)."""
    path = as_path(path)
    split = existing_file_prefix(path)
    if split is None:
        raise NotFound(f"HDF5 file not found: {path!r}")
    filename, inner = split
    with reading(filename, "open"):
        handle = h5py.File(filename, "r")
    try:
        with reading(path, "open"):
            dataset = pick_dataset(handle, filename, inner)
            check_dataset(dataset)
            if dataset.dtype.kind not in "biuf":
                raise ValidationError(f"{path!r} has dtype {dataset.dtype}; images must be numeric")
            axes = axes_of(dataset)
        full = f"{filename}/{dataset.name.lstrip('/')}"
        return StoreReader(full, dataset, axes, format_name=FORMAT, on_close=handle.close)
    except BaseException:
        handle.close()
        raise


def pick_dataset(handle: Any, filename: str, inner: str) -> Any:
    """The dataset named by ``inner`` (or the only one in the file); clear errors listing what exists."""
    target = walk_to(handle, inner) if inner else handle
    if target is None:
        listing = ", ".join(datasets_in(handle)) or "none"
        raise NotFound(f"HDF5 file {filename!r} has no dataset {inner!r}; datasets: {listing}")
    if isinstance(target, h5py.Dataset):
        return target
    found = datasets_in(target)
    if len(found) == 1 and not inner:
        return target[found[0]]
    where = f"group {inner!r} of " if inner else ""
    listing = ", ".join(f"{filename}/{(inner + '/' if inner else '')}{name}" for name in found) or "none"
    raise ValidationError(f"{where}{filename!r} holds {len(found)} datasets; name one: {listing}")


def split_for_writing(path: str) -> tuple[str, str]:
    """``(file, dataset)`` for writing ``path``: split at an existing file, else at the ``.h5`` component.

    Without either, the whole path is the file.
    """
    split = existing_file_prefix(path)
    if split is None:
        found = split_at_suffix(path, EXTENSIONS)
        split = (found[0], found[1]) if found else (path, "")
    filename, inner = split
    return filename, inner.strip("/") or DEFAULT_DATASET


def create_h5(
    path: Any,
    shape: Sequence[int],
    dtype: Any,
    axes: str | None,
    *,
    chunks: Sequence[int] | None = None,
    compression: str = "gzip",
    resume: bool = False,
) -> StoreWriter:
    """Create dataset ``inner`` of ``file.h5/inner`` (default ``data``), keeping the file's other datasets.

    An earlier dataset at the same path is replaced; a group there is refused.

    :param chunks: chunk shape in ``axes`` order; default all channels x 512^2 (2D) or 64^3 (3D).
    :param compression: ``"gzip"`` (level 1, readable everywhere), ``"lzf"`` (faster, h5py only)
        or ``"none"``.
    :param resume: keep an existing dataset of the same shape and dtype and write into it.
    """
    path = as_path(path)
    shape, dtype, axes = checked_request(FORMAT, shape, dtype, axes)
    chunks = checked_chunks(chunks, shape, axes)
    if compression not in COMPRESSIONS:
        raise ValidationError(f"h5 compression must be one of {list(COMPRESSIONS)}, got {compression!r}")
    filename, inner = split_for_writing(path)
    full = f"{filename}/{inner}"
    if os.path.isfile(filename):
        with reading(filename, "open for writing"):
            if not h5py.is_hdf5(filename):
                raise ValidationError(
                    f"{filename!r} exists and is not an HDF5 file; refusing to overwrite it"
                )
    with writing(full, "create"):
        os.makedirs(os.path.dirname(os.path.abspath(filename)), exist_ok=True)
        handle = h5py.File(filename, "a")
    try:
        with writing(full, "create"):
            existing = walk_to(handle, inner)
            if existing is not None and not isinstance(existing, h5py.Group):
                check_dataset(existing)
            if isinstance(existing, h5py.Group):
                raise ValidationError(
                    f"{full!r} is an existing HDF5 group; refusing to replace it with a dataset"
                )
            if existing is not None and resume:
                check_resumable(full, existing, shape, dtype)
                return StoreWriter(full, existing, axes, format_name=FORMAT, on_close=handle.close)
            if existing is not None:
                del handle[inner]
            options: dict[str, Any] = {}
            if compression == "gzip":
                options = {"compression": "gzip", "compression_opts": GZIP_LEVEL}
            elif compression == "lzf":
                options = {"compression": "lzf"}
            dataset = handle.create_dataset(inner, shape=shape, dtype=dtype, chunks=chunks, **options)
            dataset.attrs["axistags"] = axistags(axes)
            for dim, letter in zip(dataset.dims, axes):
                dim.label = letter
        return StoreWriter(full, dataset, axes, format_name=FORMAT, on_close=handle.close)
    except BaseException:
        handle.close()
        raise
