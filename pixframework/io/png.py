"""PNG through OpenCV (8 and 16 bit, grey, grey+alpha, RGB, RGBA).

OpenCV is used because it keeps 16-bit colour PNGs exact (Pillow reduces them to 8 bit). PNGs
are small, so reading is eager. Before decoding, the chunk structure is walked and checksummed,
so a truncated or damaged file is reported with a precise reason. Channels are returned in RGB(A)
order (OpenCV's BGR is swapped back); palette images come back as RGB(A).
"""

from __future__ import annotations

import struct
import zlib
from typing import Any, Sequence

import cv2
import numpy as np

from ..errors import CorruptData
from .failures import reading, require_existing
from .paths import as_path, starts_with
from .picture import check_picture
from .reader import ArrayReader
from .writer import BufferedWriter

FORMAT = "png"
EXTENSIONS = (".png",)
SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = (1, 3, 4)
DTYPES = ("uint8", "uint16")
GREY_ALPHA = 4  # PNG colour type


def sniff(path: str) -> bool:
    """Whether ``path`` is a file starting with the PNG signature."""
    return starts_with(path, SIGNATURE)


def check_structure(data: bytes, path: str) -> int:
    """Walk the PNG chunks (lengths, CRCs, IHDR ... IEND); returns the colour type.

    :raises CorruptData: naming what is wrong (signature, truncation, checksum, missing chunk).
    """
    if not data.startswith(SIGNATURE):
        raise CorruptData(f"{path!r} is not a PNG file (it does not start with the PNG signature)")
    offset, colour_type, seen_ihdr = len(SIGNATURE), -1, False
    while True:
        if offset + 8 > len(data):
            raise CorruptData(f"{path!r} is truncated: it ends at byte {len(data)} before the IEND chunk")
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        end = offset + 8 + length + 4
        if end > len(data):
            raise CorruptData(
                f"{path!r} is truncated: chunk {kind.decode('latin-1')!r} at byte {offset} needs "
                f"{length} bytes but the file ends at byte {len(data)}"
            )
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : end])
        if zlib.crc32(kind + body) != crc:
            raise CorruptData(
                f"{path!r} is damaged: checksum mismatch in chunk {kind.decode('latin-1')!r} at byte {offset}"
            )
        if kind == b"IHDR" and length >= 10:
            colour_type, seen_ihdr = body[9], True
        if kind == b"IEND":
            break
        offset = end
    if not seen_ihdr:
        raise CorruptData(f"{path!r} is damaged: it has no IHDR header chunk")
    return colour_type


def decode_png(data: bytes, path: str) -> np.ndarray:
    """Pixels of a PNG in bytes: ``(y, x)`` or ``(y, x, c)`` with channels in RGB(A) order."""
    colour_type = check_structure(data, path)
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if pixels is None:
        raise CorruptData(f"{path!r} could not be decoded: its compressed image data is damaged")
    if pixels.ndim == 3:
        if colour_type == GREY_ALPHA:
            pixels = pixels[..., [0, 3]]  # OpenCV expands grey+alpha to BGRA
        else:
            pixels = pixels[..., [2, 1, 0, 3][: pixels.shape[-1]]]
    return np.ascontiguousarray(pixels)


def open_png(path: Any) -> ArrayReader:
    """Read a PNG file (eagerly: PNGs are small); axes ``yx`` (grey) or ``yxc`` (from the colour type)."""
    path = as_path(path)
    require_existing(path)
    with reading(path, "read"):
        with open(path, "rb") as fh:
            data = fh.read()
        pixels = decode_png(data, path)
    return ArrayReader(path, pixels, "yx" if pixels.ndim == 2 else "yxc", format_name=FORMAT)


def create_png(
    path: Any, shape: Sequence[int], dtype: Any, axes: str | None, *, compression: int = 3
) -> BufferedWriter:
    """Create a PNG output: uint8 or uint16, axes ``yx`` or ``yxc`` (any order) with 1, 3 or 4 channels.

    :param compression: zlib level 0 (fast, big) .. 9 (slow, small).
    """
    path = as_path(path)
    shape, dtype, axes, disk_axes = check_picture(
        FORMAT, shape, dtype, axes, channels=CHANNELS, dtypes=DTYPES
    )
    level = int(compression)

    def encode(pixels: np.ndarray, temp: str) -> None:
        if pixels.ndim == 3:
            pixels = pixels[..., [2, 1, 0, 3][: pixels.shape[-1]]] if pixels.shape[-1] > 1 else pixels[..., 0]
        ok, encoded = cv2.imencode(".png", np.ascontiguousarray(pixels), [cv2.IMWRITE_PNG_COMPRESSION, level])
        if not ok:
            raise CorruptData(f"OpenCV could not encode {path!r} as PNG")
        with open(temp, "wb") as fh:
            fh.write(encoded.tobytes())

    return BufferedWriter(path, shape, dtype, axes, encode, disk_axes=disk_axes, format_name=FORMAT)
