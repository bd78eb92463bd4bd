"""TIFF (incl. multipage, ImageJ hyperstacks and OME-TIFF) through tifffile.

Reading is lazy: an uncompressed, contiguous series is memory-mapped; anything else is read
through tifffile's zarr view of the file, which decodes only the pages, strips or tiles a region
touches. Axes come from the file's metadata (OME-XML, ImageJ, tifffile's own): ``Z``, ``Y``,
``X``, ``C`` and ``S`` (samples, e.g. RGB) map to ``z``, ``y``, ``x``, ``c``; a plain page
sequence without metadata is taken as ``z``; anything else (time series, two channel axes)
leaves ``axes=None`` for the user to give. Singleton axes are dropped, as tifffile does.

Writing stores OME-TIFF metadata by default. On disk, channels are separate planes in
``(Z)(C)YX`` order, except 2D uint8 RGB/RGBA, which is stored as colour samples (``YXS``) so
viewers show colours. Uncompressed output is written through a memory map of a temporary file
(bounded memory); compressed output (``compression="zlib"``) is encoded at close. Either way the
finished file replaces ``path`` atomically.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

import numpy as np
import tifffile
import zarr

from ..errors import CorruptData, ValidationError
from .failures import reading, require_existing
from .layout import checked_request, ordered_axes
from .paths import as_path, starts_with
from .reader import BaseReader, MemmapReader, StoreReader
from .writer import BaseWriter, BufferedWriter, MemmapWriter

FORMAT = "tiff"
EXTENSIONS = (".tif", ".tiff", ".ome.tif", ".ome.tiff", ".tf8", ".btf")
MAGICS = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
COMPRESSIONS = ("none", "zlib")
#: dtypes OME-TIFF can describe
DTYPES = ("bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "float32", "float64")
#: tile edge used for compressed images large enough to profit (tiles keep region reads cheap)
TILE = 256

_LETTERS = {"Y": "y", "X": "x", "Z": "z", "C": "c", "S": "c"}
_PAGE_SEQUENCE = "IQ"  # tifffile's letters for pages of unknown meaning


def sniff(path: str) -> bool:
    """Whether ``path`` is a file starting with a TIFF or BigTIFF header."""
    return starts_with(path, *MAGICS)


def axes_from_tifffile(letters: str) -> str | None:
    """Our axes for tifffile's series axes (``"ZCYX"`` -> ``"zcyx"``, ``"IYX"`` -> ``"zyx"``), or ``None``."""
    out = []
    for letter in letters:
        if letter in _LETTERS:
            out.append(_LETTERS[letter])
        elif letter in _PAGE_SEQUENCE:
            out.append("?")
        else:
            return None  # time, angle, ...: only the user knows how to treat them
    if out.count("?") == 1 and "z" not in out:
        out[out.index("?")] = "z"
    axes = "".join(out)
    if "?" in axes or len(set(axes)) != len(axes) or "y" not in axes or "x" not in axes:
        return None
    return axes


class _PageChainProblems(logging.Handler):
    """Collects tifffile's complaints about the page chain in this thread.

    tifffile logs a broken page chain (a truncated file) and carries on with the pages it found,
    which would silently turn a damaged 3D stack into a smaller image.
    """

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.thread == self.thread and "TiffPages" in message:
            self.messages.append(message)


@contextmanager
def _strict_page_chain(path: str) -> Iterator[None]:
    logger = logging.getLogger("tifffile")
    problems = _PageChainProblems()
    logger.addHandler(problems)
    try:
        yield
    finally:
        logger.removeHandler(problems)
    if problems.messages:
        raise CorruptData(f"cannot read {path!r}: the file is truncated or damaged ({problems.messages[0]})")


def open_tiff(path: Any) -> BaseReader:
    """Open the first series (level 0 of a pyramid) of a TIFF file lazily."""
    path = as_path(path)
    require_existing(path)
    with reading(path, "open"):
        tif = tifffile.TiffFile(path)
        try:
            with _strict_page_chain(path):
                len(tif.pages)  # walks the whole page chain now, so truncation shows here
                all_series = tif.series
            if not all_series:
                raise CorruptData(f"{path!r} contains no image")
            series = all_series[0]
            shape = tuple(series.shape)
            axes = axes_from_tifffile(series.axes)
            if series.dataoffset is not None and int(np.prod(shape)) > 0:
                mapped = tifffile.memmap(path, series=0, mode="r").reshape(shape)
                tif.close()
                return MemmapReader(path, mapped, axes, format_name=FORMAT)
            array = zarr.open_array(series.aszarr(level=0), mode="r")
            if tuple(array.shape) != shape:
                raise CorruptData(f"{path!r}: series shape {shape} and stored shape {array.shape} disagree")
            return StoreReader(path, array, axes, format_name=FORMAT, on_close=tif.close)
        except BaseException:
            tif.close()
            raise


def disk_layout(shape: Sequence[int], dtype: np.dtype, axes: str) -> tuple[str, str, str]:
    """How an image is laid out in the TIFF: ``(disk_axes, tifffile_axes, photometric)``."""
    channels = shape[axes.index("c")] if "c" in axes else 1
    if "z" not in axes and "c" in axes and channels in (3, 4) and dtype == np.uint8:
        return ordered_axes(axes, "yxc"), "YXS", "rgb"
    disk = ordered_axes(axes, "zcyx")
    return disk, disk.upper(), "minisblack"


def create_tiff(
    path: Any,
    shape: Sequence[int],
    dtype: Any,
    axes: str | None,
    *,
    compression: str = "none",
    ome: bool = True,
) -> BaseWriter:
    """Create a TIFF output; see the module docstring for the layout.

    :param compression: ``"none"`` (memory-mapped writing; readers can memory-map it too) or
        ``"zlib"`` (deflate, read by every TIFF reader; tiled when the image is large).
    :param ome: write OME-XML metadata (axes readable by Bio-Formats/Fiji); ``False`` writes
        tifffile's own JSON description instead.
    """
    path = as_path(path)
    shape, dtype, axes = checked_request(FORMAT, shape, dtype, axes, DTYPES)
    if compression not in COMPRESSIONS:
        raise ValidationError(f"tiff compression must be one of {list(COMPRESSIONS)}, got {compression!r}")
    disk_axes, tiff_axes, photometric = disk_layout(shape, dtype, axes)
    disk_shape = tuple(shape[axes.index(a)] for a in disk_axes)
    options: dict[str, Any] = {
        "photometric": photometric,
        "metadata": {"axes": tiff_axes},
        "ome": bool(ome),
    }
    if photometric == "rgb" and disk_shape[-1] == 4:
        options["extrasamples"] = ["unassalpha"]
    if compression == "none":

        def open_map(temp: str) -> np.ndarray:
            return tifffile.memmap(temp, shape=disk_shape, dtype=dtype, **options)

        return MemmapWriter(path, shape, dtype, axes, open_map, disk_axes=disk_axes, format_name=FORMAT)
    y, x = disk_shape[disk_axes.index("y")], disk_shape[disk_axes.index("x")]
    tile = (TILE, TILE) if min(y, x) >= TILE else None

    def encode(pixels: np.ndarray, temp: str) -> None:
        tifffile.imwrite(temp, pixels, compression="zlib", tile=tile, **options)

    return BufferedWriter(path, shape, dtype, axes, encode, disk_axes=disk_axes, format_name=FORMAT)
