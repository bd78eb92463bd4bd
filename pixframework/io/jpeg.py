"""JPEG through Pillow (8-bit grey or RGB; lossy, so meant for pictures, not for data).

Reading is eager (JPEGs are small). Pillow reports truncated files itself; other modes it can
decode (CMYK, YCbCr, palette) come back as RGB.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from PIL import Image

from ..errors import CorruptData
from .failures import reading, require_existing
from .paths import as_path, starts_with
from .picture import check_picture
from .reader import ArrayReader
from .writer import BufferedWriter

FORMAT = "jpeg"
EXTENSIONS = (".jpg", ".jpeg", ".jpe", ".jfif")
MAGIC = b"\xff\xd8\xff"
CHANNELS = (1, 3)
DTYPES = ("uint8",)
_KEPT_MODES = ("L", "RGB")


def sniff(path: str) -> bool:
    """Whether ``path`` is a file starting with the JPEG start-of-image marker."""
    return starts_with(path, MAGIC)


def open_jpeg(path: Any) -> ArrayReader:
    """Read a JPEG file (eagerly); axes ``yx`` (grey) or ``yxc`` (RGB)."""
    path = as_path(path)
    require_existing(path)
    with reading(path, "read"):
        with Image.open(path) as image:
            if image.format not in ("JPEG", "MPO"):
                raise CorruptData(f"{path!r} is not a JPEG file (its content is {image.format or 'unknown'})")
            image.load()
            if image.mode not in _KEPT_MODES:
                image = image.convert("RGB")
            pixels = np.array(image)
    return ArrayReader(path, pixels, "yx" if pixels.ndim == 2 else "yxc", format_name=FORMAT)


def create_jpeg(
    path: Any, shape: Sequence[int], dtype: Any, axes: str | None, *, quality: int = 95
) -> BufferedWriter:
    """Create a JPEG output: uint8, axes ``yx`` or ``yxc`` (any order) with 1 or 3 channels.

    :param quality: 1 (small, blocky) .. 100 (large, near lossless; never exact).
    """
    path = as_path(path)
    shape, dtype, axes, disk_axes = check_picture(
        FORMAT, shape, dtype, axes, channels=CHANNELS, dtypes=DTYPES
    )
    quality = int(quality)

    def encode(pixels: np.ndarray, temp: str) -> None:
        if pixels.ndim == 3 and pixels.shape[-1] == 1:
            pixels = pixels[..., 0]
        Image.fromarray(np.ascontiguousarray(pixels)).save(temp, format="JPEG", quality=quality)

    return BufferedWriter(path, shape, dtype, axes, encode, disk_axes=disk_axes, format_name=FORMAT)
