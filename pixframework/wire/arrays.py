"""Arrays and regions on the wire (used by server and client alike).

Arrays travel as raw little-endian C-order bytes plus an :class:`ArrayHeader` (dtype name, shape,
axes); large ones as a stream of chunks. Every receiver checks the header (known dtype, sane shape,
size within the limit) before allocating, and the byte count against shape x dtype at the end.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from .._proto.v1 import arrays_pb2
from ..errors import LimitExceeded, ValidationError
from .enums import WIRE_DTYPES


# --------------------------------------------------------------------------- dtypes and headers


def dtype_to_wire(dtype: Any) -> str:
    """Wire name of a numpy dtype; :class:`ValidationError` for types the wire does not carry."""
    dtype = np.dtype(dtype)
    name = dtype.name
    if name not in WIRE_DTYPES:
        raise ValidationError(f"arrays of dtype {dtype} cannot be sent; use one of {', '.join(WIRE_DTYPES)}")
    return name


def dtype_from_wire(name: str) -> np.dtype:
    """Little-endian numpy dtype for a wire name."""
    if name not in WIRE_DTYPES:
        raise ValidationError(f"unknown array dtype {name!r}; expected one of {', '.join(WIRE_DTYPES)}")
    return np.dtype(name).newbyteorder("<")


def make_header(shape: Sequence[int], dtype: Any, axes: str = "") -> arrays_pb2.ArrayHeader:
    """Header message for an array of ``shape`` and ``dtype``."""
    return arrays_pb2.ArrayHeader(dtype=dtype_to_wire(dtype), shape=[int(s) for s in shape], axes=axes or "")


def check_header(
    header: arrays_pb2.ArrayHeader, *, max_bytes: int | None = None, max_ndim: int | None = None, what: str = "array"
) -> tuple[np.dtype, tuple[int, ...], int]:
    """Validate a received header before anything is allocated.

    :returns: ``(dtype, shape, nbytes)``.
    :raises ValidationError: unknown dtype, negative sizes, too many dimensions, axes not matching.
    :raises LimitExceeded: the array would be larger than ``max_bytes``.
    """
    dtype = dtype_from_wire(header.dtype)
    shape = tuple(int(s) for s in header.shape)
    if max_ndim is not None and len(shape) > max_ndim:
        raise ValidationError(f"{what} has {len(shape)} dimensions; at most {max_ndim} are allowed")
    if any(s < 0 for s in shape):
        raise ValidationError(f"{what} shape {list(shape)} has a negative size")
    if header.axes and len(header.axes) != len(shape):
        raise ValidationError(f"{what} axes {header.axes!r} do not match its {len(shape)} dimensions")
    nbytes = math.prod(shape) * dtype.itemsize  # python ints: absurd shapes cannot overflow
    if max_bytes is not None and nbytes > max_bytes:
        raise LimitExceeded(
            f"{what} of shape {list(shape)} and dtype {header.dtype} is {nbytes} bytes; "
            f"the server accepts at most {max_bytes} bytes"
        )
    return dtype, shape, nbytes


# --------------------------------------------------------------------------- sending


def array_bytes(array: np.ndarray) -> memoryview:
    """The bytes of ``array`` as the wire wants them (little-endian, C order), without a copy when possible."""
    array = np.asarray(array)
    dtype_to_wire(array.dtype)
    array = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    return memoryview(array).cast("B") if array.size else memoryview(b"")


def byte_chunks(data: memoryview, chunk_bytes: int) -> Iterator[tuple[int, bytes]]:
    """``(offset, bytes)`` pieces of at most ``chunk_bytes``; always at least one (maybe empty) piece."""
    if len(data) == 0:
        yield 0, b""
        return
    for start in range(0, len(data), chunk_bytes):
        yield start, bytes(data[start : start + chunk_bytes])


def encode_chunks(array: np.ndarray, chunk_bytes: int, axes: str = "", response: Any = None) -> Iterator[Any]:
    """Stream messages for ``array``: the header rides on the first chunk.

    :param response: the stream's response type, whose ``chunk`` field carries an :class:`ArrayChunk`
        (``PredictResponse``, ...); ``None`` yields bare chunks.
    """
    array = np.asarray(array)
    header = make_header(array.shape, array.dtype, axes)
    for offset, piece in byte_chunks(array_bytes(array), chunk_bytes):
        message = response() if response is not None else arrays_pb2.ArrayChunk()
        chunk = message.chunk if response is not None else message  # filled in place: the bytes are copied once
        chunk.data = piece
        chunk.offset = offset
        if offset == 0:
            chunk.header.CopyFrom(header)
        yield message


def encode_ndarray(array: np.ndarray) -> arrays_pb2.NdArray:
    """A small array in a single message."""
    array = np.asarray(array)
    return arrays_pb2.NdArray(header=make_header(array.shape, array.dtype), data=bytes(array_bytes(array)))


# --------------------------------------------------------------------------- receiving


class ArrayReceiver:
    """Assembles an array from pieces of bytes, checking size as they arrive.

    Memory grows with the bytes actually received, never with what the header declares: a header
    claiming gigabytes followed by nothing costs nothing.

    :param header: the array's header (checked here, before allocating).
    :param max_bytes: largest array accepted (``None``: no limit).
    """

    def __init__(
        self, header: arrays_pb2.ArrayHeader, *, max_bytes: int | None = None, max_ndim: int | None = None,
        what: str = "array",
    ):  # fmt: skip
        self.dtype, self.shape, self.nbytes = check_header(header, max_bytes=max_bytes, max_ndim=max_ndim, what=what)
        self.axes = header.axes
        self.what = what
        self._buffer = bytearray()

    @property
    def received(self) -> int:
        """Bytes received (and held) so far."""
        return len(self._buffer)

    def add(self, data: bytes, offset: int | None = None) -> None:
        """Append the next piece; ``offset`` (if given) must be where the previous piece ended."""
        if offset is not None and offset != self.received:
            raise ValidationError(f"{self.what} chunk at byte {offset} arrived out of order (expected {self.received})")
        if self.received + len(data) > self.nbytes:
            raise ValidationError(
                f"{self.what} sent more than {self.nbytes} bytes, the size of shape {list(self.shape)} "
                f"x {self.dtype.name}"
            )
        self._buffer += data

    def finish(self) -> np.ndarray:
        """The array (native byte order); :class:`ValidationError` if bytes are missing."""
        if self.received != self.nbytes:
            raise ValidationError(
                f"{self.what} has {self.received} bytes but shape {list(self.shape)} x {self.dtype.name} "
                f"needs {self.nbytes}"
            )
        array = np.frombuffer(self._buffer, dtype=self.dtype).reshape(self.shape)
        return array.astype(array.dtype.newbyteorder("="), copy=False)


def decode_chunks(chunks: Iterable[arrays_pb2.ArrayChunk], *, max_bytes: int | None = None) -> np.ndarray:
    """Array from a stream of :class:`ArrayChunk` (header on the first)."""
    receiver: ArrayReceiver | None = None
    for chunk in chunks:
        if receiver is None:
            if not chunk.HasField("header"):
                raise ValidationError("array stream did not start with a header")
            receiver = ArrayReceiver(chunk.header, max_bytes=max_bytes)
        receiver.add(chunk.data, chunk.offset)
    if receiver is None:
        raise ValidationError("array stream was empty")
    return receiver.finish()


def decode_ndarray(message: arrays_pb2.NdArray, *, max_ndim: int | None = None, what: str = "array") -> np.ndarray:
    """Array from a single :class:`NdArray` message (its bytes must match its header exactly)."""
    if not message.HasField("header"):
        raise ValidationError(f"{what} has no header (dtype and shape)")
    dtype, shape, nbytes = check_header(message.header, max_ndim=max_ndim, what=what)
    if nbytes != len(message.data):
        raise ValidationError(
            f"{what} has {len(message.data)} bytes but shape {list(shape)} x {dtype.name} needs {nbytes}"
        )
    array = np.frombuffer(message.data, dtype=dtype).reshape(shape)
    return array.astype(array.dtype.newbyteorder("="), copy=False)


# --------------------------------------------------------------------------- regions


def region_to_proto(region: Sequence[slice] | None) -> arrays_pb2.Region:
    """Wire region for a tuple of slices (``None``: the whole image). Open ends need the image shape,
    so they are not allowed here."""
    if region is None:
        return arrays_pb2.Region()
    start, stop = [], []
    for axis, sl in enumerate(region):
        if not isinstance(sl, slice) or sl.start is None or sl.stop is None or sl.step not in (None, 1):
            raise ValidationError(f"region entry {axis} must be a slice with start and stop and step 1, got {sl!r}")
        start.append(int(sl.start))
        stop.append(int(sl.stop))
    return arrays_pb2.Region(start=start, stop=stop)


def region_from_proto(region: arrays_pb2.Region) -> tuple[slice, ...] | None:
    """Tuple of slices (or ``None`` for the whole image); bounds are checked by the project."""
    if len(region.start) != len(region.stop):
        raise ValidationError(f"region has {len(region.start)} starts but {len(region.stop)} stops")
    if not region.start:
        return None
    return tuple(slice(int(a), int(b)) for a, b in zip(region.start, region.stop))
