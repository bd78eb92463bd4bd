"""Safe reads from an ilastik ``.ilp`` (an HDF5 file): text, numbers and nothing that could run code.

ilastik stores some values pickled (classifier settings, bookmarks, the forests' type). h5py never
unpickles anything by itself; these helpers additionally refuse to hand out anything but plain
text and numbers, so a pickled payload can only ever be listed by name, never loaded.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import h5py
import numpy as np

from ..errors import CorruptData, NotFound, ValidationError


def open_ilp(path: str | os.PathLike) -> h5py.File:
    """Open an ``.ilp`` read-only.

    :raises NotFound: no file at ``path``.
    :raises ValidationError: the file is not HDF5 (so not an ilastik project).
    :raises CorruptData: HDF5 that cannot be opened (truncated, damaged).
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise NotFound(f"ilastik project not found: {path}")
    try:
        is_hdf5 = h5py.is_hdf5(path)
    except OSError as exc:
        raise CorruptData(f"{path} cannot be read: {exc}") from None
    if not is_hdf5:
        raise ValidationError(f"{path} is not an HDF5 file, so not an ilastik project (.ilp files are HDF5)")
    try:
        return h5py.File(path, "r")
    except OSError as exc:
        raise CorruptData(f"{path} is damaged or truncated and cannot be opened as HDF5: {exc}") from None


@contextlib.contextmanager
def reading(what: str) -> Iterator[None]:
    """Turn low-level HDF5 failures while reading ``what`` into :class:`CorruptData` naming it."""
    try:
        yield
    except (OSError, RuntimeError, KeyError) as exc:
        raise CorruptData(f"{what} cannot be read (damaged or truncated .ilp?): {exc}") from None


def is_opaque(dataset: h5py.Dataset) -> bool:
    """Whether a dataset holds opaque bytes or objects (how ilastik stores pickles), not text or numbers."""
    dtype = dataset.dtype
    if dtype.kind == "V":
        return True
    if dtype.kind == "O":
        return h5py.check_string_dtype(dtype) is None
    return False


def dataset(group: h5py.Group, name: str) -> h5py.Dataset | None:
    """``group[name]`` if it is a dataset; ``None`` if missing; CorruptData if it is something else."""
    if name not in group:
        return None
    with reading(f"{group.name}/{name}"):
        item = group.get(name)
    if not isinstance(item, h5py.Dataset):
        raise CorruptData(f"{group.name}/{name} should be a dataset but is a {type(item).__name__}")
    return item


def _check_texty(ds: h5py.Dataset) -> None:
    kind = ds.dtype.kind
    if kind not in "SU" and not (kind == "O" and h5py.check_string_dtype(ds.dtype) is not None):
        raise CorruptData(f"{ds.name} should hold text, found dtype {ds.dtype}")


def _decode(value: Any, name: str) -> str:
    if isinstance(value, (bytes, np.bytes_)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise CorruptData(f"{name} is not valid UTF-8 text") from None
    return str(value)


def read_text(ds: h5py.Dataset) -> str:
    """A scalar (or one-element) text dataset as ``str``."""
    _check_texty(ds)
    with reading(ds.name):
        value = ds[()]
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise CorruptData(f"{ds.name} should hold one text value, found {value.size}")
        value = value.reshape(-1)[0]
    return _decode(value, ds.name)


def read_texts(ds: h5py.Dataset) -> list[str]:
    """A 1-D text dataset as a list of ``str`` (a scalar gives a one-element list)."""
    _check_texty(ds)
    with reading(ds.name):
        value = ds[()]
    values = np.atleast_1d(np.asarray(value, dtype=object)).reshape(-1)
    return [_decode(v, ds.name) for v in values]


def read_numbers(ds: h5py.Dataset, kinds: str = "biuf") -> np.ndarray:
    """A numeric dataset as a numpy array; ``kinds`` are the numpy dtype kinds accepted."""
    if ds.dtype.kind not in kinds:
        raise CorruptData(f"{ds.name} should hold numbers, found dtype {ds.dtype}")
    with reading(ds.name):
        return np.asarray(ds[()])


def attr_text(obj: h5py.HLObject, key: str) -> str | None:
    """A text attribute (``bytes`` or ``str``) as ``str``; ``None`` if absent."""
    if key not in obj.attrs:
        return None
    with reading(f"attribute {key!r} of {obj.name}"):
        value = obj.attrs[key]
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(-1)[0]
    if not isinstance(value, (bytes, np.bytes_, str)):
        raise CorruptData(f"attribute {key!r} of {obj.name} should be text, found {type(value).__name__}")
    return _decode(value, f"attribute {key!r} of {obj.name}")
