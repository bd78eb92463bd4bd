"""What 2D picture formats (PNG, JPEG) can hold, checked before anything is written."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import Remedy, ValidationError
from .layout import checked_request, ordered_axes


def check_picture(
    format_name: str,
    shape: Sequence[int],
    dtype: Any,
    axes: str | None,
    *,
    channels: Sequence[int],
    dtypes: Sequence[str],
) -> tuple[tuple[int, ...], np.dtype, str, str]:
    """Validate a request to write a 2D picture; returns ``(shape, dtype, axes, disk_axes)``.

    ``disk_axes`` is ``"yx"`` or ``"yxc"`` (the picture's own layout); ``axes`` may order the
    same letters differently (e.g. ``"cyx"``), the writer transposes.

    :param channels: allowed channel counts when there is a ``c`` axis (``(1, 3, 4)``).
    :param dtypes: allowed dtype names (``("uint8", "uint16")``).
    :raises ValidationError: for 3D data, other channel counts or dtypes, with a hint what to do.
    """
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise ValidationError(f"{dtype!r} is not a numpy dtype") from exc
    if dtype.name not in dtypes:
        raise ValidationError(
            f"{format_name.upper()} stores {' or '.join(dtypes)} pixels, not {dtype} (tiff, npy, zarr "
            "and h5 store float data)",
            remedy=Remedy.EXPORT_DTYPE,
        )
    shape, dtype, axes = checked_request(format_name, shape, dtype, axes)
    if "z" in axes:
        raise ValidationError(
            f"{format_name.upper()} stores 2D images, but axes {axes!r} include z; "
            "use tiff, zarr, ome-zarr or h5"
        )
    if "c" in axes and shape[axes.index("c")] not in channels:
        raise ValidationError(
            f"{format_name.upper()} stores {', '.join(map(str, channels))} channels, not "
            f"{shape[axes.index('c')]}; use tiff, zarr, ome-zarr or h5 for other channel counts"
        )
    return shape, dtype, axes, ordered_axes(axes, "yxc")
