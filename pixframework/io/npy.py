"""NumPy ``.npy`` files: read memory-mapped (never unpickled), written through a memory map.

``.npy`` stores no axis names, so readers report ``axes=None`` and the core's inference rule
(:mod:`pixframework.io.axes`) or the user's axes apply. Object arrays are refused before any
byte of their (pickled) payload is looked at.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import CorruptData, ValidationError
from .failures import reading, require_existing
from .layout import NUMERIC_KINDS, checked_request
from .paths import as_path, starts_with
from .reader import MemmapReader
from .writer import MemmapWriter

FORMAT = "npy"
EXTENSIONS = (".npy",)
MAGIC = b"\x93NUMPY"


def sniff(path: str) -> bool:
    """Whether ``path`` is a file starting with the ``.npy`` magic string."""
    return starts_with(path, MAGIC)


def read_header(path: str) -> tuple[tuple[int, ...], np.dtype, bool]:
    """Shape, dtype and Fortran order from the header of the ``.npy`` file at ``path``.

    :raises CorruptData: not a ``.npy`` file or a damaged header.
    :raises ValidationError: the array holds Python objects or non-numeric data.
    """
    with reading(path, "read the .npy header of"), open(path, "rb") as fh:
        if fh.read(len(MAGIC)) != MAGIC:
            raise CorruptData(f"{path!r} is not a .npy file (it does not start with the NumPy magic string)")
        fh.seek(0)
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
        else:
            raise CorruptData(f"{path!r} has unsupported .npy version {version}")
    if dtype.hasobject:
        raise ValidationError(
            f"{path!r} holds Python objects (dtype {dtype}); pixframework never loads them because "
            "that would run pickled code. Save the image as a numeric array."
        )
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None:
        raise ValidationError(f"{path!r} has dtype {dtype}; images must be numeric (bool, int, uint, float)")
    return tuple(int(s) for s in shape), dtype, bool(fortran)


def open_npy(path: Any) -> MemmapReader:
    """Open a ``.npy`` file lazily (memory-mapped, ``allow_pickle=False``); axes are unknown (``None``)."""
    path = as_path(path)
    require_existing(path)
    shape, dtype, _ = read_header(path)
    with reading(path, "open"):
        if 0 in shape:
            array = np.load(path, allow_pickle=False)  # empty arrays cannot be mapped
        else:
            array = np.load(path, mmap_mode="r", allow_pickle=False)
    return MemmapReader(path, array, None, format_name=FORMAT)


def create_npy(path: Any, shape: Sequence[int], dtype: Any, axes: str | None) -> MemmapWriter:
    """Create a ``.npy`` output written through a memory map and renamed into place at close.

    ``axes`` are checked against ``shape`` but not stored (the format has no place for them).
    """
    path = as_path(path)
    shape, dtype, axes = checked_request(FORMAT, shape, dtype, axes)

    def open_map(temp: str) -> np.ndarray:
        return np.lib.format.open_memmap(temp, mode="w+", dtype=dtype, shape=shape)

    return MemmapWriter(path, shape, dtype, axes, open_map, format_name=FORMAT)
