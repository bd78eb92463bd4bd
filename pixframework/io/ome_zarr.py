"""OME-Zarr (OME-NGFF multiscale images): read level 0 lazily, write one level with valid metadata.

Reading takes the first multiscales entry, opens its first (finest) dataset and names the axes
from the metadata (see :mod:`pixframework.io.ngff`). Singleton axes that pixframework does not
model (a time axis of size 1) are hidden from the reader's shape; larger ones are refused.

Writing stores the axes in NGFF order, channel first then ``zyx`` (``"yxc"`` input is written as
``cyx``; the writer transposes), one level ``"0"``, each axis typed ``space`` or ``channel`` and
a ``scale`` coordinate transformation. Version 0.4 (zarr v2, default: the widest tool support)
or 0.5 (zarr v3).
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np
import zarr

from ..errors import ValidationError
from .failures import reading, require_existing, writing
from .layout import check_resumable, checked_chunks, checked_request, ordered_axes
from .ngff import axis_entries, build_attributes, letters_for, level_paths, multiscales
from .paths import as_path
from .reader import StoreReader
from .writer import StoreWriter
from .zarr_nodes import prepare_node

FORMAT = "ome-zarr"
#: ``.zarr`` is shared with plain zarr: on read the metadata decides (see :func:`sniff`)
EXTENSIONS = (".ome.zarr", ".zarr")
DISK_ORDER = "czyx"
LEVEL = "0"


def sniff(path: str) -> bool:
    """Whether ``path`` is an OME-Zarr image group (has multiscales metadata)."""
    return multiscales(path) is not None


class OmeZarrReader(StoreReader):
    """Level 0 of an OME-Zarr image, in the file's axis order minus hidden singleton axes.

    :ivar version: the NGFF version of the metadata (``"0.4"``, ``"0.5"``...).
    """

    def __init__(self, path: str, array: Any, axes: str, hidden: tuple[int, ...], version: str):
        super().__init__(path, array, axes, format_name=FORMAT)
        self._hidden = hidden
        kept = [i for i in range(array.ndim) if i not in hidden]
        self.shape = tuple(int(array.shape[i]) for i in kept)
        self.chunks = tuple(int(array.chunks[i]) for i in kept)
        self.version = version

    def _read(self, slices: tuple[slice, ...]) -> np.ndarray:
        given = iter(slices)
        key = tuple(0 if i in self._hidden else next(given) for i in range(self.array.ndim))
        return np.asarray(self.array[key])


def open_ome_zarr(path: Any) -> OmeZarrReader:
    """Open level 0 of the OME-Zarr image group at ``path`` lazily."""
    path = as_path(path)
    require_existing(path)
    found = multiscales(path)
    if found is None:
        raise ValidationError(
            f"{path!r} is not an OME-Zarr image (no multiscales metadata); open it with format 'zarr'"
        )
    version, entries = found
    with reading(path, "open"):
        entry = entries[0]
        level = os.path.join(path, level_paths(entry, path)[0])
        array = zarr.open_array(level, mode="r")
        if array.dtype.kind not in "biuf":
            raise ValidationError(f"{path!r} has dtype {array.dtype}; images must be numeric")
        axes, hidden = letters_for(axis_entries(entry, array.ndim, path), array.shape, path)
    return OmeZarrReader(path, array, axes, hidden, version)


def create_ome_zarr(
    path: Any,
    shape: Sequence[int],
    dtype: Any,
    axes: str | None,
    *,
    version: str = "0.4",
    chunks: Sequence[int] | None = None,
    scale: Sequence[float] | None = None,
    unit: str | None = None,
    name: str | None = None,
    resume: bool = False,
) -> StoreWriter:
    """Create a single-level OME-Zarr image group at ``path``.

    An earlier OME-Zarr image at the same path is replaced; anything else there is refused.

    :param version: NGFF version ``"0.4"`` (zarr v2) or ``"0.5"`` (zarr v3).
    :param chunks: chunk shape in ``axes`` order; default all channels x 512^2 (2D) or 64^3 (3D).
    :param scale: physical pixel size per spatial axis in ``zyx`` order (default 1 each).
    :param unit: NGFF unit name of ``scale`` (e.g. ``"micrometer"``), or ``None``.
    :param name: image name stored in the metadata.
    :param resume: keep an existing image of the same shape and dtype and write into it.
    """
    path = as_path(path)
    shape, dtype, axes = checked_request(FORMAT, shape, dtype, axes)
    chunks = checked_chunks(chunks, shape, axes)
    disk_axes = ordered_axes(axes, DISK_ORDER)
    disk_shape = tuple(shape[axes.index(a)] for a in disk_axes)
    disk_chunks = tuple(chunks[axes.index(a)] for a in disk_axes)
    attrs = build_attributes(str(version), disk_axes, scale=scale, unit=unit, name=name)
    v3 = str(version) == "0.5"
    level = os.path.join(path, LEVEL)
    with writing(path, "create"):
        plan = prepare_node(path, "group", resume=resume, replaceable=sniff)
        if plan == "resume":
            array = zarr.open_array(level, mode="r+")
            check_resumable(path, array, disk_shape, dtype)
            return StoreWriter(path, array, axes, disk_axes=disk_axes, format_name=FORMAT)
        group = zarr.open_group(path, mode="w-", zarr_format=3 if v3 else 2)
        layout: dict[str, Any] = (
            {"dimension_names": tuple(disk_axes)}
            if v3
            else {"chunk_key_encoding": {"name": "v2", "separator": "/"}}  # NGFF 0.4 requires "/"
        )
        array = group.create_array(LEVEL, shape=disk_shape, dtype=dtype, chunks=disk_chunks, **layout)
        # metadata last: a group only counts as an OME-Zarr image once its array exists
        group.attrs.update(attrs)
    return StoreWriter(path, array, axes, disk_axes=disk_axes, format_name=FORMAT)
