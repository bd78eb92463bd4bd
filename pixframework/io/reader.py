"""Base class of every built-in image reader: lazy region reads by slicing, clean errors, ``with``.

A reader knows ``shape``, ``dtype`` and (if the file says so) ``axes`` without loading pixels.
``reader[key]`` reads a region in the *file's* axis order and returns an in-memory numpy array
owned by the caller (never a view into a memory map or a cache).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .. import confine
from ..errors import ValidationError
from .failures import reading
from .layout import describe_region, full_slices


class BaseReader:
    """Common behaviour of the built-in readers; subclasses implement :meth:`_read` and :meth:`_close`.

    :ivar path: the path it was opened with.
    :ivar shape: shape in the file's axis order.
    :ivar dtype: numpy dtype of the pixels (native byte order, whatever the file uses).
    :ivar axes: axis letters from the file's metadata (``"zyx"``, ``"cyx"``, ...) or ``None``.
    :ivar chunks: the storage chunk shape (read aligned regions for speed), or ``None``.
    :ivar lazy: how reads work: ``"chunks"`` (only the chunks/pages touched are decoded),
        ``"memmap"`` (memory-mapped file) or ``"eager"`` (decoded whole at open; small formats).
    :ivar format_name: the format plugin that opened it.
    """

    lazy = "chunks"

    def __init__(
        self,
        path: str,
        shape: Sequence[int],
        dtype: Any,
        axes: str | None,
        *,
        chunks: Sequence[int] | None = None,
        format_name: str = "",
    ):
        self.path = path
        self.format_name = format_name
        self.shape = tuple(int(s) for s in shape)
        self.dtype = np.dtype(dtype).newbyteorder("=")  # callers always get native byte order
        self.axes = axes
        self.chunks = tuple(int(c) for c in chunks) if chunks is not None else None
        self.closed = False
        # reads may happen later and in other threads (blockwise, zarr's I/O thread): keep the
        # confinement that applied when the file was opened
        self._confinement = confine.current()

    @property
    def ndim(self) -> int:
        """Number of axes."""
        return len(self.shape)

    def __getitem__(self, key: Any) -> np.ndarray:
        if self.closed:
            raise ValidationError(f"{self.path!r} was closed; open it again to read")
        slices, integer_axes = full_slices(key, self.shape)
        with confine.applied(self._confinement), reading(self.path, f"read region {describe_region(slices)} of"):
            data = np.asarray(self._read(slices))
            if data.dtype != self.dtype:
                data = data.astype(self.dtype)
        if integer_axes:
            data = data[tuple(0 if axis in integer_axes else slice(None) for axis in range(data.ndim))]
        return data

    def read(self) -> np.ndarray:
        """The whole image (loads everything: prefer region reads for big data)."""
        return self[...]

    def close(self) -> None:
        """Release the file; further reads raise :class:`~pixframework.errors.ValidationError`."""
        if not self.closed:
            self.closed = True
            self._close()

    def __enter__(self) -> "BaseReader":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path!r} shape={self.shape} dtype={self.dtype} axes={self.axes}>"

    # ------------------------------------------------------------------ for subclasses
    def _read(self, slices: tuple[slice, ...]) -> np.ndarray:
        """Read a region given one explicit slice per file axis; must return a fresh array."""
        raise NotImplementedError

    def _close(self) -> None:
        """Release resources (files, stores)."""


class ArrayReader(BaseReader):
    """A reader over pixels already decoded into memory (PNG, JPEG: small, eager formats)."""

    lazy = "eager"

    def __init__(self, path: str, array: np.ndarray, axes: str | None, *, format_name: str = ""):
        super().__init__(path, array.shape, array.dtype, axes, format_name=format_name)
        self._array: np.ndarray | None = array

    def _read(self, slices: tuple[slice, ...]) -> np.ndarray:
        assert self._array is not None
        # always a copy: callers get arrays independent of the reader (and of any file map)
        return np.array(self._array[slices])

    def _close(self) -> None:
        self._array = None


class MemmapReader(ArrayReader):
    """A reader over a read-only memory map (``.npy``, uncompressed contiguous TIFF)."""

    lazy = "memmap"

    def _close(self) -> None:
        mapping = getattr(self._array, "_mmap", None)
        self._array = None
        if mapping is not None:
            try:
                mapping.close()
            except (BufferError, ValueError):
                pass  # still referenced elsewhere; released when that view goes


class StoreReader(BaseReader):
    """A reader over a chunked array-like (zarr array, h5py dataset, tifffile's zarr view).

    Region reads decode only the chunks they touch. ``on_close`` releases the file behind it.
    """

    lazy = "chunks"

    def __init__(
        self,
        path: str,
        array: Any,
        axes: str | None,
        *,
        format_name: str = "",
        on_close: Callable[[], None] | None = None,
    ):
        super().__init__(path, array.shape, array.dtype, axes, chunks=array.chunks, format_name=format_name)
        self.array = array
        self._on_close = on_close

    def _read(self, slices: tuple[slice, ...]) -> np.ndarray:
        return np.asarray(self.array[slices])

    def _close(self) -> None:
        self.array = None
        if self._on_close is not None:
            self._on_close()
