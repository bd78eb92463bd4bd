"""Files in ilastik's export formats: what each of ilastik's writers puts on disk.

- ``hdf5`` / ``compressed hdf5``: one dataset in the exported axis order, an ``axistags``
  attribute naming the axes (gzip for the compressed variant); an existing dataset is replaced.
- ``numpy``: an ``.npy`` in the exported axis order.
- 2D formats (``tif``, ``tiff``, ``png``): the image with singleton axes squeezed away, channels as
  samples (vigra's ``writeImage`` writes rows y and columns x whatever the axis order).
- ``<format> sequence``: one such 2D image per index of the first non-singleton axis, named by
  ``{slice_index}`` zero-padded to the digits of the last index.
- ``multipage tiff``: an OME-TIFF of the data in ``tzcyx`` order (ilastik's ``_EXPORT_AXES``);
  ``multipage tiff sequence``: one per index of the first non-singleton axis.

Regions are written as they are computed (:meth:`Sink.write`); formats that encode whole files
keep the result in memory until :meth:`Sink.close`. Files appear only on success.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

import numpy as np

from ..errors import ValidationError
from .export import ExportSettings

_FLAGS = {"t": 8, "c": 1, "z": 2, "y": 2, "x": 2}
#: dtypes and channel counts ilastik allows per 2D format (lazyflow's FormatValidity)
_DTYPES_2D = {"png": ("uint8", "uint16"), "tif": ("uint8", "uint16", "uint32", "uint64", "float32", "float64")}
_CHANNELS_2D = {"png": (1, 3)}


def axistags(axes: str) -> str:
    """vigra's axistags JSON (what ilastik attaches to exported HDF5 datasets)."""
    return json.dumps({"axes": [{"key": a, "typeFlags": _FLAGS[a], "resolution": 0, "description": ""}
                                for a in axes]})


class Sink:
    """An export being written: regions in the exported axes, then :meth:`close`."""

    def __init__(self, settings: ExportSettings, path: str, shape: tuple[int, ...], dtype: np.dtype, axes: str):
        self.settings, self.path, self.shape, self.dtype, self.axes = settings, path, shape, np.dtype(dtype), axes
        self._check()
        self._h5 = self._dataset = None
        if settings.extension == "h5":
            self._open_h5()
            self._buffer = None
        else:
            self._buffer = np.zeros(shape, self.dtype)

    def _check(self) -> None:
        ext = "tif" if self.settings.extension == "tiff" else self.settings.extension
        if ext in _DTYPES_2D and self.dtype.name not in _DTYPES_2D[ext]:
            raise ValidationError(f"--output_format {self.settings.format!r} cannot hold {self.dtype.name} data "
                                  f"(allowed: {', '.join(_DTYPES_2D[ext])}); choose --export_dtype (with "
                                  "--pipeline_result_drange and --export_drange to rescale)")
        if self.settings.format in ("multipage tiff", "multipage tiff sequence", "hdf5", "compressed hdf5", "numpy"):
            return
        big = [a for a, n in zip(self.axes, self.shape) if n > 1 and a != "c"]
        steps = 1 if "sequence" in self.settings.format else 0
        if len(big) > 2 + steps:
            raise ValidationError(f"--output_format {self.settings.format!r} writes 2D images; the result has "
                                  f"{len(big)} non-channel axes ({''.join(big)}): use a sequence, multipage tiff or hdf5")
        channels = self.shape[self.axes.index("c")] if "c" in self.axes else 1
        if ext in _CHANNELS_2D and channels not in _CHANNELS_2D[ext]:
            raise ValidationError(f"--output_format {self.settings.format!r} holds 1 or 3 channels, the result has "
                                  f"{channels}")

    def _open_h5(self) -> None:
        import h5py

        inner = self.settings.internal_path.strip("/")
        file = self.path[: len(self.path) - len(inner) - 1] if inner else self.path
        inner = inner or "exported_data"
        os.makedirs(os.path.dirname(os.path.abspath(file)), exist_ok=True)
        self._h5 = h5py.File(file, "a")
        if inner in self._h5:
            del self._h5[inner]
        options: dict[str, Any] = {"compression": "gzip", "compression_opts": 1} if "compressed" in self.settings.format else {}
        self._dataset = self._h5.create_dataset(inner, shape=self.shape, dtype=self.dtype, chunks=True, **options)
        self._dataset.attrs["axistags"] = axistags(self.axes)

    def write(self, key: tuple[slice, ...], values: np.ndarray) -> None:
        """Store ``values`` at ``key`` (slices in the exported axes)."""
        if self._dataset is not None:
            self._dataset[key] = values
        else:
            self._buffer[key] = values

    def close(self) -> list[str]:
        """Finish the files; returns their paths."""
        if self._h5 is not None:
            self._h5.close()
            return [self.path]
        if self.settings.format == "numpy":
            return [_atomic(self.path, lambda temp: np.save(temp, self._buffer), ".npy")]
        if "sequence" in self.settings.format:
            return self._sequence()
        if self.settings.format == "multipage tiff":
            return [_multipage(self.path, self._buffer, self.axes)]
        return [_image_2d(self.path, self._buffer, self.axes)]

    def abort(self) -> None:
        """Stop without finishing (an HDF5 dataset written so far stays, as ilastik's would)."""
        if self._h5 is not None:
            self._h5.close()

    def _sequence(self) -> list[str]:
        big = [a for a, n in zip(self.axes, self.shape) if n > 1]
        step = self.axes.index(big[0])
        digits = int(math.ceil(math.log10(self.shape[step] + 1)))
        pattern = self.path.replace("{slice_index}", "{slice_index:0%d}" % digits)
        written = []
        for index in range(self.shape[step]):
            part = np.take(self._buffer, [index], axis=step)
            path = pattern.format(slice_index=index)
            if self.settings.format == "multipage tiff sequence":
                written.append(_multipage(path, part, self.axes))
            else:
                written.append(_image_2d(path, part, self.axes))
        return written


def _atomic(path: str, write: Any, suffix: str = "") -> str:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    temp = f"{path}.partial{suffix}"
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
    return path


def _image_2d(path: str, values: np.ndarray, axes: str) -> str:
    """A 2D image: rows y, columns x, channels as samples (singletons squeezed)."""
    keep = [a for a in "yxc" if a in axes]
    index = tuple(slice(None) if a in keep else 0 for a in axes)
    image = np.transpose(values[index], [[a for a in axes if a in keep].index(a) for a in keep])
    if "c" in keep and image.shape[-1] == 1:
        image = image[..., 0]
    if path.lower().endswith(".png"):
        import cv2

        encoded = image[..., ::-1] if image.ndim == 3 else image  # OpenCV writes BGR
        return _atomic(path, lambda temp: _cv2_write(cv2, temp, encoded), ".png")
    import tifffile

    options: dict[str, Any] = {"photometric": "rgb" if image.ndim == 3 and image.shape[-1] == 3 and
                               image.dtype == np.uint8 else "minisblack"}
    if image.ndim == 3:
        options["planarconfig"] = "contig"
    return _atomic(path, lambda temp: tifffile.imwrite(temp, image, **options), ".tif")


def _cv2_write(cv2: Any, path: str, image: np.ndarray) -> None:
    if not cv2.imwrite(path, np.ascontiguousarray(image)):
        raise ValidationError(f"could not write {path!r}")


def _multipage(path: str, values: np.ndarray, axes: str) -> str:
    """An OME-TIFF of ``values`` in ilastik's ``tzcyx`` order."""
    import tifffile

    full = values
    for letter in "tzcyx":
        if letter not in axes:
            full, axes = full[..., None], axes + letter
    ordered = np.transpose(full, [axes.index(a) for a in "tzcyx"])
    return _atomic(path, lambda temp: tifffile.imwrite(temp, ordered, ome=True, metadata={"axes": "TZCYX"}),
                   ".ome.tif")
