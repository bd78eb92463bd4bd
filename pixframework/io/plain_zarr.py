"""Zarr arrays (format v2 and v3), read and written chunk by chunk.

A path may point at an array inside a group: ``data.zarr/raw``. Axes come from the array's
dimension names (zarr v3 ``dimension_names``, or xarray's ``_ARRAY_DIMENSIONS`` attribute in
v2), or from the OME-Zarr metadata of the parent group when the array is a resolution level.
Written arrays carry their axes the same way. Regions are written straight into the store, so
outputs larger than memory stream, and a half-written array is kept (``resume=True`` reopens it).
"""

from __future__ import annotations

from typing import Any, Sequence

import zarr

from ..errors import ValidationError
from .failures import reading, require_existing, writing
from .layout import axes_from_names, check_resumable, checked_chunks, checked_request
from .ngff import axes_of_level, multiscales
from .paths import as_path
from .reader import StoreReader
from .writer import StoreWriter
from .zarr_nodes import child_arrays, node_kind, prepare_node, require_node, split_store

FORMAT = "zarr"
EXTENSIONS = (".zarr",)
ZARR_FORMATS = (2, 3)
V2_DIMENSIONS = "_ARRAY_DIMENSIONS"


def sniff(path: str) -> bool:
    """Whether ``path`` is a zarr array (v2 or v3)."""
    kind = node_kind(path)
    return kind is not None and kind[0] == "array"


def dimension_names(array: Any) -> Sequence[Any] | None:
    """Dimension names stored with a zarr array, or ``None``."""
    names = getattr(array.metadata, "dimension_names", None)
    if names:
        return names
    names = array.attrs.get(V2_DIMENSIONS)
    return names if isinstance(names, list) else None


def open_zarr(path: Any) -> StoreReader:
    """Open a zarr array lazily; a group is refused with the list of arrays inside it."""
    path = as_path(path)
    require_existing(path)
    kind = require_node(path)
    if kind[0] == "group":
        inside = child_arrays(path)
        hint = " (it is an OME-Zarr image: open it with format 'ome-zarr')" if multiscales(path) else ""
        listing = ", ".join(f"{path}/{name}" for name in inside) or "none found"
        raise ValidationError(f"{path!r} is a zarr group, not an image{hint}; arrays inside: {listing}")
    with reading(path, "open"):
        array = zarr.open_array(path, mode="r")
        if array.dtype.kind not in "biuf":
            raise ValidationError(f"{path!r} has dtype {array.dtype}; images must be numeric")
        axes = axes_from_names(dimension_names(array))
        if axes is None or len(axes) != array.ndim:
            axes = axes_of_level(path, array.shape)
    return StoreReader(path, array, axes, format_name=FORMAT)


def create_zarr(
    path: Any,
    shape: Sequence[int],
    dtype: Any,
    axes: str | None,
    *,
    chunks: Sequence[int] | None = None,
    zarr_format: int = 3,
    resume: bool = False,
) -> StoreWriter:
    """Create a zarr array at ``path`` (``out.zarr`` or ``out.zarr/inner/name``), axes as dimension names.

    An earlier array at the same path is replaced; a group or non-zarr data there is refused.

    :param chunks: chunk shape in ``axes`` order; default all channels x 512^2 (2D) or 64^3 (3D).
    :param zarr_format: 3 (default) or 2.
    :param resume: keep an existing array of the same shape and dtype and write into it.
    """
    path = as_path(path)
    shape, dtype, axes = checked_request(FORMAT, shape, dtype, axes)
    chunks = checked_chunks(chunks, shape, axes)
    if zarr_format not in ZARR_FORMATS:
        raise ValidationError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    root, inner = split_store(path)
    with writing(path, "create"):
        plan = prepare_node(path, "array", resume=resume, replaceable=lambda p: True)
        if plan == "resume":
            array = zarr.open_array(path, mode="r+")
            check_resumable(path, array, shape, dtype)
            return StoreWriter(path, array, axes, format_name=FORMAT)
        if inner:
            zarr.open_group(root, mode="a", zarr_format=zarr_format)
        naming: dict[str, Any] = (
            {"dimension_names": tuple(axes)}
            if zarr_format == 3
            else {"attributes": {V2_DIMENSIONS: list(axes)}}
        )
        array = zarr.create_array(
            store=root,
            name=inner or None,
            shape=shape,
            dtype=dtype,
            chunks=chunks,
            zarr_format=zarr_format,
            **naming,
        )
    return StoreWriter(path, array, axes, format_name=FORMAT)
