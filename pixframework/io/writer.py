"""Base classes of the built-in image writers.

``writer[key] = array`` writes a region given in the writer's ``axes`` order (the axes passed to
``create``); a writer may store another axis order on disk (``disk_axes``, e.g. OME-Zarr's
``czyx``) and transposes on the way. ``close()`` finishes the output; ``abort()`` discards it
where the format allows. As a context manager, a writer closes on success and aborts on error.

Three kinds:

- :class:`StoreWriter` for chunked stores (zarr, HDF5) writes every region straight
  into the store; a half-written store stays valid (resumable), so abort only closes.
- :class:`MemmapWriter` writes regions into a memory-mapped temporary file (``.npy``,
  uncompressed TIFF) that replaces ``path`` atomically at close: bounded memory, atomic result.
- :class:`BufferedWriter` collects regions in a buffer (in memory, or a temporary ``.npy`` map
  when large) and encodes the whole file at close (PNG, JPEG, compressed TIFF), also atomically.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import numpy as np

from .. import confine
from ..errors import ValidationError
from .failures import writing
from .layout import describe_region, full_slices, region_shape
from .paths import remove_quietly, temp_sibling

#: buffers larger than this (bytes) live in a temporary memory-mapped file instead of RAM
MEMORY_BUFFER_LIMIT = 256 * 2**20
#: kinds of data each kind of output accepts: integers convert among each other (caller's range),
#: but floats never silently become integers and nothing silently becomes bool
_STORABLE = {"b": "b", "i": "biu", "u": "biu", "f": "biuf"}


class BaseWriter:
    """Common behaviour: key and value checks, axis reordering, closing; subclasses store regions.

    :ivar path: the path to read the result back from (for containers it names the array inside).
    :ivar shape: shape in the writer's ``axes`` order.
    :ivar dtype: pixel dtype stored.
    :ivar axes: axes of the regions written (as given to ``create``).
    :ivar chunks: chunk shape in ``axes`` order for chunked stores (align blocks to it), else ``None``.
    :ivar format_name: the format plugin that created it.
    """

    chunked = False

    def __init__(
        self,
        path: str,
        shape: Sequence[int],
        dtype: Any,
        axes: str,
        *,
        disk_axes: str | None = None,
        chunks: Sequence[int] | None = None,
        format_name: str = "",
    ):
        self.path = path
        self.format_name = format_name
        self.shape = tuple(int(s) for s in shape)
        self.dtype = np.dtype(dtype)
        self.axes = axes
        self.disk_axes = disk_axes or axes
        self.chunks = tuple(int(c) for c in chunks) if chunks is not None else None
        self.closed = False
        self._confinement = confine.current()  # writes may come from other threads (see BaseReader)
        # position in ``axes`` of each disk axis; None when the orders agree
        order = [axes.index(a) for a in self.disk_axes]
        self._order: list[int] | None = None if order == list(range(len(axes))) else order

    @property
    def disk_shape(self) -> tuple[int, ...]:
        """Shape in the on-disk axis order."""
        return self.to_disk(self.shape)

    def to_disk(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """Reorder one entry per writer axis into the on-disk axis order."""
        values = tuple(values)
        return values if self._order is None else tuple(values[i] for i in self._order)

    def __setitem__(self, key: Any, value: Any) -> None:
        if self.closed:
            raise ValidationError(f"output {self.path!r} is already closed")
        slices, integer_axes = full_slices(key, self.shape)
        target = region_shape(slices)
        value = np.asarray(value)
        if value.dtype.kind not in _STORABLE[self.dtype.kind]:
            raise ValidationError(
                f"cannot store {value.dtype} values in the {self.dtype} output {self.path!r}; "
                f"convert them first (e.g. scale probabilities to 0..255 and cast to uint8)"
            )
        squeezed = tuple(n for axis, n in enumerate(target) if axis not in integer_axes)
        try:
            value = np.broadcast_to(value, squeezed).reshape(target)
        except ValueError as exc:
            raise ValidationError(
                f"data of shape {value.shape} does not fit region {describe_region(slices)} "
                f"(shape {squeezed}) of {self.path!r}"
            ) from exc
        value = value.astype(self.dtype, copy=False)
        if self._order is not None:
            value = value.transpose(self._order)
        with confine.applied(self._confinement), writing(self.path, f"write region {describe_region(slices)} of"):
            self._write(self.to_disk(slices), value)

    def close(self) -> None:
        """Finish the output (flush, encode, rename into place)."""
        if self.closed:
            return
        self.closed = True
        try:
            with confine.applied(self._confinement), writing(self.path, "finish"):
                self._finish()
        except BaseException:
            self._discard()
            raise

    def abort(self) -> None:
        """Give up: atomic writers leave ``path`` as it was; chunked stores keep what was written."""
        if not self.closed:
            self.closed = True
            self._discard()

    def __enter__(self) -> "BaseWriter":
        return self

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path!r} shape={self.shape} dtype={self.dtype} axes={self.axes}>"

    # ------------------------------------------------------------------ for subclasses
    def _write(self, slices: tuple[slice, ...], value: np.ndarray) -> None:
        """Store ``value`` (already in disk order and dtype) at ``slices`` (disk order)."""
        raise NotImplementedError

    def _finish(self) -> None:
        """Complete the output at ``close()``."""

    def _discard(self) -> None:
        """Release resources after an abort or a failed finish."""
        self._finish()


class StoreWriter(BaseWriter):
    """Writes each region straight into a chunked array-like (zarr array, h5py dataset).

    The array is in disk axis order; ``on_close`` releases the file behind it. Disjoint
    chunk-aligned regions may be written from several threads.
    """

    chunked = True

    def __init__(
        self,
        path: str,
        array: Any,
        axes: str,
        *,
        disk_axes: str | None = None,
        format_name: str = "",
        on_close: Callable[[], None] | None = None,
    ):
        order = disk_axes or axes
        shape = tuple(int(array.shape[order.index(a)]) for a in axes)
        chunks = tuple(int(array.chunks[order.index(a)]) for a in axes)
        super().__init__(
            path, shape, array.dtype, axes, disk_axes=disk_axes, chunks=chunks, format_name=format_name
        )
        self.array = array
        self._on_close = on_close

    def _write(self, slices: tuple[slice, ...], value: np.ndarray) -> None:
        self.array[slices] = value

    def _finish(self) -> None:
        self.array = None
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()

    def _discard(self) -> None:
        try:
            self._finish()
        except Exception:
            pass  # already failing; the original error matters


class MemmapWriter(BaseWriter):
    """Writes into a memory-mapped temporary file that atomically replaces ``path`` at close.

    Regions that are one contiguous byte range of the file (whole images, full-width slabs) are
    written with a single ``pwrite``, which avoids a page fault per 4 KiB of a fresh map; other
    regions (cubic blocks) go through the map. Both share the page cache, so they mix freely.
    Like every atomic writer here, the result survives the process being killed at any moment,
    but is not fsync'ed (a power cut may lose the newest output).

    :param open_map: ``open_map(temp_path) -> np.memmap`` creates the file (header included) and
        returns a writable C-ordered memory map of the pixels in disk axis order.
    """

    def __init__(
        self,
        path: str,
        shape: Sequence[int],
        dtype: Any,
        axes: str,
        open_map: Callable[[str], np.memmap],
        *,
        disk_axes: str | None = None,
        format_name: str = "",
    ):
        super().__init__(path, shape, dtype, axes, disk_axes=disk_axes, format_name=format_name)
        self._temp = temp_sibling(path)
        self._fd: int | None = None
        try:
            with writing(path, "create"):
                self._map: np.memmap | None = open_map(self._temp)
                self._fd = os.open(self._temp, os.O_WRONLY)
        except BaseException:
            self._release()
            remove_quietly(self._temp)
            raise

    def _write(self, slices: tuple[slice, ...], value: np.ndarray) -> None:
        assert self._map is not None and self._fd is not None
        span = contiguous_span(slices, self._map.shape)
        if span is None or not self._map.flags.c_contiguous:
            self._map[slices] = value
            return
        data = np.ascontiguousarray(value, dtype=self._map.dtype)
        offset = int(self._map.offset) + span * self._map.dtype.itemsize
        view = memoryview(data).cast("B")
        while len(view):
            written = os.pwrite(self._fd, view, offset)
            view, offset = view[written:], offset + written

    def _finish(self) -> None:
        self._release()
        os.replace(self._temp, self.path)

    def _discard(self) -> None:
        self._release()
        remove_quietly(self._temp)

    def _release(self) -> None:
        self._map = None
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)


def contiguous_span(slices: Sequence[slice], shape: Sequence[int]) -> int | None:
    """Element offset of a region that is one contiguous run of a C-ordered array, else ``None``.

    True when, reading from the last axis, the region spans whole axes, then one partial range,
    then single indices: e.g. ``[3:4, 10:20, :, :]`` of a 4D array.
    """
    if any(s.step != 1 for s in slices):
        return None
    partial_seen = False
    for s, size in zip(reversed(slices), reversed(shape)):
        length = s.stop - s.start
        if partial_seen and length > 1:
            return None
        if length < size:
            partial_seen = True
    if any(s.stop <= s.start for s in slices):
        return None
    return int(np.ravel_multi_index([s.start for s in slices], shape))


class BufferedWriter(BaseWriter):
    """Collects the image, then ``encode(pixels_in_disk_order, temp_path)`` writes the file at close.

    The temporary file then replaces ``path`` atomically. Buffers above
    :data:`MEMORY_BUFFER_LIMIT` bytes live in a temporary memory-mapped ``.npy`` next to the output.
    """

    def __init__(
        self,
        path: str,
        shape: Sequence[int],
        dtype: Any,
        axes: str,
        encode: Callable[[np.ndarray, str], None],
        *,
        disk_axes: str | None = None,
        format_name: str = "",
    ):
        super().__init__(path, shape, dtype, axes, disk_axes=disk_axes, format_name=format_name)
        self._encode = encode
        self._buffer_file: str | None = None
        nbytes = int(np.prod(self.disk_shape)) * self.dtype.itemsize
        with writing(path, "create"):
            if nbytes > MEMORY_BUFFER_LIMIT:
                self._buffer_file = temp_sibling(path, ".npy")
                self._buffer: np.ndarray | None = np.lib.format.open_memmap(
                    self._buffer_file, mode="w+", dtype=self.dtype, shape=self.disk_shape
                )
            else:
                self._buffer = np.zeros(self.disk_shape, self.dtype)

    def _write(self, slices: tuple[slice, ...], value: np.ndarray) -> None:
        assert self._buffer is not None
        self._buffer[slices] = value

    def _finish(self) -> None:
        assert self._buffer is not None
        temp = temp_sibling(self.path)
        try:
            self._encode(self._buffer, temp)
            os.replace(temp, self.path)
        except BaseException:
            remove_quietly(temp)
            raise
        finally:
            self._release()

    def _discard(self) -> None:
        self._release()

    def _release(self) -> None:
        self._buffer = None
        remove_quietly(self._buffer_file)
        self._buffer_file = None
