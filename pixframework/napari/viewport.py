"""Which part of an image the user is looking at: the region live prediction computes.

The visible window comes from the canvas camera (centre and zoom, world units) and the canvas size
(screen pixels), mapped into the image layer's data coordinates. In 3D the region is the displayed
z-plane. Small planes are predicted whole, so panning does not ask the server again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

Region = tuple[slice, ...]

#: planes with at most this many pixels are predicted whole (a 1024 x 1024 plane is ~0.1 s of features)
WHOLE_PLANE_PIXELS = 1024 * 1024
#: extra margin around the visible window, as a fraction of its size (smooth small pans)
MARGIN = 0.25


def camera_of(viewer: Any) -> Any:
    """The viewer's camera (``viewer.scene.camera`` from napari 0.9, ``viewer.camera`` before)."""
    scene = getattr(viewer, "scene", None)
    return scene.camera if scene is not None and hasattr(scene, "camera") else viewer.camera


def canvas_size_of(viewer: Any) -> tuple[int, int]:
    """Canvas ``(height, width)`` in screen pixels."""
    canvas = getattr(viewer, "canvas", None)
    size = getattr(canvas, "size", None) if canvas is not None else None
    if size is None:
        size = getattr(viewer, "_canvas_size", (600, 800))
    return int(size[0]), int(size[1])


def visible_region(
    viewer: Any,
    layer: Any,
    spatial_shape: Sequence[int],
    *,
    whole_plane_pixels: int = WHOLE_PLANE_PIXELS,
) -> Region:
    """Region of ``layer``'s data (spatial axes ``(z)yx``) shown on the canvas, clamped to the image.

    :param viewer: a napari viewer showing ``layer`` in 2D.
    :param layer: the image (or labels) layer whose data coordinates the region is in.
    :param spatial_shape: spatial shape of the image, ``(y, x)`` or ``(z, y, x)``.
    :param whole_plane_pixels: planes up to this many pixels are returned whole.
    """
    shape = tuple(int(n) for n in spatial_shape)
    ndim = len(shape)
    lead: tuple[slice, ...] = ()
    if ndim == 3:
        z = _current_plane(viewer, layer, shape[0])
        lead = (slice(z, z + 1),)
    plane = shape[-2:]
    if plane[0] * plane[1] <= whole_plane_pixels:
        return lead + (slice(0, plane[0]), slice(0, plane[1]))
    camera = camera_of(viewer)
    height, width = canvas_size_of(viewer)
    zoom = float(camera.zoom) or 1.0
    center = np.asarray(camera.center, dtype=float)[-2:]
    half = np.array([height, width], dtype=float) / zoom / 2 * (1 + MARGIN)
    corners_world = [center - half, center + half]
    corners = [_world_to_plane(layer, viewer, c) for c in corners_world]
    lo = np.floor(np.minimum(*corners)).astype(int)
    hi = np.ceil(np.maximum(*corners)).astype(int) + 1
    lo = np.clip(lo, 0, plane)
    hi = np.clip(hi, 0, plane)
    if np.any(hi <= lo):  # looking beside the image: predict a corner rather than nothing
        lo = np.zeros(2, int)
        hi = np.minimum(plane, 256)
    return lead + (slice(int(lo[0]), int(hi[0])), slice(int(lo[1]), int(hi[1])))


def _current_plane(viewer: Any, layer: Any, depth: int) -> int:
    """Index of the displayed z-plane in the layer's data (the non-displayed leading axis)."""
    point = np.asarray(viewer.dims.point, dtype=float)
    data_point = np.asarray(layer.world_to_data(point[-layer.ndim :]), dtype=float)
    return int(np.clip(np.round(data_point[-3]), 0, depth - 1))


def _world_to_plane(layer: Any, viewer: Any, yx: np.ndarray) -> np.ndarray:
    """World ``(y, x)`` of the displayed plane -> the layer's data ``(y, x)``."""
    point = np.asarray(viewer.dims.point, dtype=float)[-layer.ndim :].copy()
    point[-2:] = yx
    return np.asarray(layer.world_to_data(point), dtype=float)[-2:]
