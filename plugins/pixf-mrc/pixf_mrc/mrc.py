"""MRC / CCP4 map files (cryo-EM, electron tomography) read and written through ``mrcfile``.

MRC stores one 2D image or one 3D volume (no channels); axes are ``yx`` or ``zyx`` (image stacks
are read as ``zyx`` too). Reading memory-maps the file, so opening reads only the 1 kB header and
region reads touch only the pages they need. Writing goes to a memory-mapped temporary file next
to the target, renamed into place by ``close()`` (so a failed write never leaves a half file).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Sequence
from typing import Any

import numpy as np

from pixframework.errors import CorruptData, NotFound, ValidationError

EXTENSIONS = (".mrc", ".mrcs", ".rec", ".map")
#: numpy dtypes MRC stores exactly (mode 0 int8, 1 int16, 2 float32, 6 uint16, 12 float16)
DTYPES = ("int8", "int16", "uint16", "float32", "float16")
_MODES = {0, 1, 2, 6, 12}
_HEADER_BYTES = 1024
_MAP_ID_OFFSET = 208


def sniff(path: str) -> bool:
    """Whether ``path`` is a file with an MRC2014 header (``MAP `` stamp, a pixel mode we read). Never raises."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(_HEADER_BYTES)
    except OSError:
        return False
    if len(header) < _HEADER_BYTES or header[_MAP_ID_OFFSET : _MAP_ID_OFFSET + 4] != b"MAP ":
        return False
    for order in ("<", ">"):
        nx, ny, nz, mode = struct.unpack(order + "4i", header[:16])
        if min(nx, ny, nz) > 0 and mode in _MODES:
            return True
    return False


class MrcReader:
    """A memory-mapped MRC file: ``shape``, ``dtype``, ``axes`` at open; ``reader[slices]`` reads a region.

    :ivar voxel_size: ``(z, y, x)`` (3D) or ``(y, x)`` (2D) voxel size in ångström from the header.
    """

    lazy = "memmap"

    def __init__(self, path: str):
        import mrcfile

        if not os.path.isfile(path):
            raise NotFound(f"MRC file not found: {path!r}")
        try:
            self._mrc = mrcfile.mmap(path, mode="r", permissive=False)
        except (ValueError, OSError, EOFError) as exc:
            raise CorruptData(f"{path!r} is not a readable MRC file: {exc}") from None
        data = self._mrc.data
        if data is None or data.ndim not in (2, 3) or data.dtype.kind == "c":
            self._mrc.close()
            raise CorruptData(f"{path!r} holds no real-valued 2D or 3D image")
        self.path = path
        self.shape: tuple[int, ...] = tuple(int(n) for n in data.shape)
        self.dtype = data.dtype.newbyteorder("=")
        self.axes: str | None = "yx" if data.ndim == 2 else "zyx"
        size = self._mrc.voxel_size
        self.voxel_size = tuple(float(v) for v in (size.z, size.y, size.x)[3 - data.ndim :])

    def __getitem__(self, key: Any) -> np.ndarray:
        if self._mrc is None:
            raise ValidationError(f"{self.path!r} was closed; open it again to read")
        # a fresh array in native byte order, never a view into the map
        return np.array(self._mrc.data[key], dtype=self.dtype)

    def close(self) -> None:
        if self._mrc is not None:
            self._mrc.close()
            self._mrc = None

    def __enter__(self) -> MrcReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_mrc(path: str) -> MrcReader:
    """Open an MRC file lazily (header only).

    :raises NotFound: no such file.
    :raises CorruptData: not an MRC file, truncated, or complex data.
    """
    return MrcReader(str(path))


class MrcWriter:
    """An MRC output written region by region (``writer[slices] = array`` in the ``axes`` given), then ``close()``."""

    def __init__(self, path: str, shape: tuple[int, ...], dtype: np.dtype, axes: str, voxel_size: float):
        import mrcfile

        self.path = path
        self.shape, self.dtype, self.axes = shape, dtype, axes
        # writer axes in the file's order; a single channel axis (size 1) goes last and is dropped
        self._order = [axes.index(a) for a in ("zyx" if "z" in axes else "yx")]
        self._channel = axes.index("c") if "c" in axes else None
        disk_shape = tuple(shape[i] for i in self._order)
        self._temp = f"{path}.{os.getpid()}.partial"
        self._mrc = mrcfile.new_mmap(self._temp, shape=disk_shape, mrc_mode=mrcfile.utils.mode_from_dtype(dtype),
                                     overwrite=True)  # fmt: skip
        self._mrc.voxel_size = voxel_size

    def __setitem__(self, key: Any, value: Any) -> None:
        if self._mrc is None:
            raise ValidationError(f"output {self.path!r} is already closed")
        key = key if isinstance(key, tuple) else (key,)
        key = key + (slice(None),) * (len(self.shape) - len(key))
        if len(key) != len(self.shape) or not all(isinstance(k, slice) for k in key):
            raise ValidationError(
                f"write regions of {self.path!r} with one slice per axis ({self.axes}), got {key!r}"
            )
        target = tuple(len(range(*k.indices(n))) for k, n in zip(key, self.shape))
        try:
            array = np.broadcast_to(np.asarray(value), target)
        except ValueError:
            raise ValidationError(
                f"data of shape {np.shape(value)} does not fit region {target} of {self.path!r}"
            ) from None
        if array.dtype.kind == "f" and self.dtype.kind != "f":
            raise ValidationError(f"cannot store float values in the {self.dtype} MRC output {self.path!r}")
        if self._channel is None:
            disk = np.transpose(array, self._order)
        else:
            disk = np.transpose(array, self._order + [self._channel])[..., 0]
        self._mrc.data[tuple(key[i] for i in self._order)] = disk.astype(self.dtype)

    def close(self) -> None:
        """Compute the header statistics, flush and move the file into place."""
        if self._mrc is None:
            return
        try:
            self._mrc.update_header_stats()
            self._mrc.close()
            os.replace(self._temp, self.path)
        except BaseException:
            self.abort()
            raise
        self._mrc = None

    def abort(self) -> None:
        """Give up: the temporary file goes, ``path`` stays as it was."""
        if self._mrc is not None:
            self._mrc.close()
            self._mrc = None
        if os.path.exists(self._temp):
            os.remove(self._temp)

    def __enter__(self) -> MrcWriter:
        return self

    def __exit__(self, exc_type: Any, *rest: object) -> None:
        self.close() if exc_type is None else self.abort()


def create_mrc(
    path: str, shape: Sequence[int], dtype: Any, axes: str | None, *, voxel_size: float = 1.0
) -> MrcWriter:
    """Create an MRC output for a 2D image (``yx``) or a 3D volume (``zyx``), axes in any order.

    A channel axis of size 1 (``yxc``, ``zyxc``: e.g. pixframework's uncertainty output) is dropped.

    :param voxel_size: voxel edge in ångström, written to the header.
    :raises ValidationError: channels, other dimensionalities, or a dtype MRC cannot store exactly.
    """
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ValidationError(f"{dtype!r} is not a numpy dtype") from None
    if dtype.name not in DTYPES:
        raise ValidationError(
            f"MRC stores {', '.join(DTYPES)} pixels, not {dtype}; convert first (e.g. to float32)"
        )
    shape = tuple(int(n) for n in shape)
    axes = axes or ("yx" if len(shape) == 2 else "zyx")
    spatial = axes.replace("c", "")
    if sorted(spatial) not in (sorted("yx"), sorted("zyx")) or len(axes) != len(shape) or axes.count("c") > 1:
        raise ValidationError(f"MRC stores yx images or zyx volumes; got axes {axes!r} for shape {shape}")
    if "c" in axes and shape[axes.index("c")] != 1:
        raise ValidationError(
            f"MRC stores one channel, not {shape[axes.index('c')]} (axes {axes!r}); write one file per channel "
            "or use tiff, zarr, ome-zarr or h5"
        )
    if min(shape) < 1:
        raise ValidationError(f"cannot write an empty image of shape {shape}")
    if not voxel_size > 0:
        raise ValidationError(f"voxel_size must be > 0 ångström, got {voxel_size!r}")
    return MrcWriter(str(path), shape, dtype, axes, float(voxel_size))
