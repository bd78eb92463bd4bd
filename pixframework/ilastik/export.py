"""ilastik's data-export rules (what ``run_ilastik.sh --headless`` writes), as read in ilastik's sources.

Sources: ``ilastik/applets/dataExport`` (``opDataExport.py``, ``dataExportApplet.py``,
``dataExportSerializer.py``) and ``lazyflow/operators/ioOperators`` (``opFormattedDataExport.py``,
``opExportSlot.py``, ``opReorderAxes.py``). The rules, in the order ilastik applies them:

1. Settings: the ``.ilp``'s "Prediction Export" group (format, file name, internal path, dtype,
   data ranges, axis order, subregion), overridden by the command line; defaults
   ``compressed hdf5``, ``{dataset_dir}/{nickname}_{result_type}``, ``exported_data``.
2. Subregion (``--cutout_subregion``): start/stop per axis of the pipeline output (``yxc`` /
   ``zyxc``), ``None`` for the whole axis, clipped to the image.
3. Data range and dtype: with both ``pipeline_result_drange`` and ``export_drange``, values are
   mapped linearly (float32 arithmetic, rounded to nearest when going from float to integers);
   with only ``export_dtype`` they are *cast* (probabilities to ``uint8`` become 0 or 1!).
4. Axis order: ``--output_axis_order``, else the input's own axes with ``c`` appended when it has
   none (a ``yx`` image gives ``yxc``, a ``cyx`` one ``cyx``); axes the input has but the result
   lacks are singletons.
5. File name: ``{dataset_dir}`` (the input's folder), ``{nickname}`` (the input's file name without
   its last extension, plus ``-`` and the dataset path inside HDF5 files with ``/`` turned into
   ``-``), ``{result_type}`` (the export source's name); relative paths are taken from the current
   directory when the file name comes from the command line, else from the project's folder; then
   ``{roi}``, ``{x_start}``, ``{x_stop}``, ... of the exported region; then the path's extension
   is *replaced* by the format's (``os.path.splitext``: a ``.`` in the nickname counts too) and,
   for HDF5, ``/internal_path`` appended.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..errors import ValidationError

#: ilastik's export sources of pixel classification, and pixframework's output for each
SOURCES = {
    "probabilities": ("Probabilities", "probabilities"),
    "simple segmentation": ("Simple Segmentation", "segmentation"),
    "uncertainty": ("Uncertainty", "uncertainty"),
    "features": ("Features", "features"),
    "labels": ("Labels", "labels"),
}
#: 2D formats ilastik offers (vigra's extensions) and the ones pixframework writes
VIGRA_2D = ("bmp", "gif", "hdr", "jpeg", "jpg", "pbm", "pgm", "png", "pnm", "ppm", "ras", "tif", "tiff")
WRITABLE_2D = ("png", "tif", "tiff")
#: ilastik format name -> file extension (``""``: ilastik adds none)
EXTENSIONS = {
    "hdf5": "h5", "compressed hdf5": "h5", "numpy": "npy", "multipage tiff": "tiff",
    "multipage tiff sequence": "tiff",
    **{ext: ext for ext in VIGRA_2D}, **{f"{ext} sequence": ext for ext in VIGRA_2D},
}
NOT_SUPPORTED = ("n5", "compressed n5", "single-scale OME-Zarr", "multi-scale OME-Zarr", "dvid", "blockwise hdf5")
DTYPES = ("uint8", "uint16", "uint32", "int8", "int16", "int32", "float32", "float64")
DEFAULT_FORMAT = "compressed hdf5"
DEFAULT_TEMPLATE = "{dataset_dir}/{nickname}_{result_type}"
DEFAULT_INTERNAL_PATH = "exported_data"


@dataclass(frozen=True)
class ExportSettings:
    """One export configuration (ilastik's ``OpDataExport`` slots).

    :param source: ilastik's export source name (``Probabilities``, ``Simple Segmentation`` ...).
    :param cutout: ``(start, stop)`` in the pipeline output's axes (``yxc``/``zyxc``); ``None`` entries
        mean "from 0" / "to the end".
    :param template_from_cli: relative file names are relative to the current directory (else to
        the project's folder, as ilastik does for a name stored in the project).
    """

    source: str = "Probabilities"
    format: str = DEFAULT_FORMAT
    template: str = DEFAULT_TEMPLATE
    internal_path: str = DEFAULT_INTERNAL_PATH
    axis_order: str | None = None
    dtype: str | None = None
    input_range: tuple[float, float] | None = None
    export_range: tuple[float, float] | None = None
    cutout: tuple[tuple[int | None, ...], tuple[int | None, ...]] | None = None
    template_from_cli: bool = False

    @property
    def output(self) -> str:
        """pixframework's name of the exported result."""
        return SOURCES[self.source.lower()][1]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]

    def checked(self) -> "ExportSettings":
        """These settings if pixframework can write them (clear error naming the flag otherwise)."""
        if self.source.lower() not in SOURCES:
            choices = ", ".join(name for name, _ in SOURCES.values())
            raise ValidationError(f"invalid --export_source {self.source!r}; valid options are: {choices}")
        if self.format in NOT_SUPPORTED or self.format not in EXTENSIONS:
            known = self.format in NOT_SUPPORTED or self.format.split(" ")[0] in VIGRA_2D
            reason = "an ilastik format pixframework does not write" if known else "not an ilastik format"
            raise ValidationError(f"--output_format {self.format!r}: {reason}; pixframework writes hdf5, compressed "
                                  "hdf5, numpy, multipage tiff, multipage tiff sequence, tif/tiff/png and their "
                                  "'... sequence' variants")
        if self.extension not in WRITABLE_2D + ("h5", "npy"):
            raise ValidationError(f"--output_format {self.format!r}: pixframework writes 2D images only as "
                                  f"{', '.join(WRITABLE_2D)}")
        if self.dtype is not None and self.dtype not in DTYPES:
            raise ValidationError(f"invalid --export_dtype {self.dtype!r}; choose one of {', '.join(DTYPES)}")
        if self.export_range is not None and self.input_range is None:
            raise ValidationError("--export_drange needs --pipeline_result_drange (the range it is mapped from)")
        if self.axis_order is not None and (set(self.axis_order) - set("tzyxc") or not self.axis_order):
            raise ValidationError(f"invalid --output_axis_order {self.axis_order!r}; use letters of tzyxc")
        if "sequence" in self.format and "{slice_index}" not in self.template:
            raise ValidationError(f"--output_format {self.format!r} writes one file per slice: "
                                  "--output_filename_format must contain {slice_index}")
        return replace(self, source=SOURCES[self.source.lower()][0])


def parse_range(text: str, flag: str) -> tuple[float, float]:
    """``"(0,255)"`` or ``"[0.0, 1.0]"`` -> ``(min, max)`` numbers (as ilastik parses ``--*_drange``)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        value = None
    if not isinstance(value, (list, tuple)) or len(value) != 2 or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
    ):
        raise ValidationError(f"{flag} must be two numbers like (0,255), got {text!r}")
    return value[0], value[1]


def parse_cutout(text: str) -> tuple[tuple[int | None, ...], tuple[int | None, ...]]:
    """``"[(0,0,0),(100,200,2)]"`` -> ``(start, stop)`` (``None`` allowed), as ilastik's ``--cutout_subregion``."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        value = None
    ok = isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(p, (list, tuple)) for p in value)
    if not ok or len(value[0]) != len(value[1]) or not all(
        v is None or (isinstance(v, int) and not isinstance(v, bool)) for p in value for v in p
    ):
        raise ValidationError(f"--cutout_subregion must be [(start, ...), (stop, ...)] with one entry per axis, "
                              f"got {text!r}")
    return tuple(value[0]), tuple(value[1])


def from_project(stored: Mapping[str, Any]) -> ExportSettings:
    """The settings the ``.ilp`` stores ("Prediction Export": ``OutputFormat`` ... ``RegionStop``)."""
    settings = ExportSettings()
    changes: dict[str, Any] = {}
    for key, field_name in (("OutputFormat", "format"), ("OutputFilenameFormat", "template"),
                            ("OutputInternalPath", "internal_path"), ("OutputAxisOrder", "axis_order"),
                            ("ExportDtype", "dtype")):
        if isinstance(stored.get(key), str) and stored[key]:
            changes[field_name] = stored[key]
    ranges = [stored.get(k) for k in ("InputMin", "InputMax", "ExportMin", "ExportMax")]
    if all(isinstance(v, (int, float)) for v in ranges):
        changes["input_range"], changes["export_range"] = (ranges[0], ranges[1]), (ranges[2], ranges[3])
    start, stop = stored.get("RegionStart"), stored.get("RegionStop")
    if isinstance(start, (list, tuple)) and isinstance(stop, (list, tuple)) and len(start) == len(stop):
        changes["cutout"] = (tuple(start), tuple(stop))
    return replace(settings, **changes)


def region(cutout: Any, shape: Sequence[int]) -> tuple[slice, ...]:
    """The subregion of a result of ``shape`` (pipeline output axes, channels last), clipped to it."""
    if cutout is None:
        return tuple(slice(0, n) for n in shape)
    start, stop = cutout
    if len(start) != len(shape):
        raise ValidationError(f"--cutout_subregion has {len(start)} entries per corner, the result has "
                              f"{len(shape)} axes (spatial axes then channel)")
    out = []
    for a, b, n in zip(start, stop, shape):
        a = max(0, a or 0)
        b = min(n, n if b is None else b)
        if b <= a:
            raise ValidationError(f"--cutout_subregion selects nothing along an axis of size {n}")
        out.append(slice(a, b))
    return tuple(out)


def convert(values: np.ndarray, settings: ExportSettings) -> np.ndarray:
    """Renormalise and/or cast as ilastik's ``OpFormattedDataExport`` does."""
    dtype = np.dtype(settings.dtype) if settings.dtype else values.dtype
    if settings.input_range is None or settings.export_range is None:
        return values.astype(dtype, copy=False)
    (min_in, max_in), (min_out, max_out) = settings.input_range, settings.export_range
    spread_in = np.float64(max_in) - np.float64(min_in)
    spread_out = np.float64(max_out) - np.float64(min_out)
    ratio = np.float32(0.0) if np.isclose(spread_in, 0.0) else np.float32(spread_out / spread_in)
    scaled = min_out + (values - np.asarray(min_in, values.dtype)) * ratio
    if np.issubdtype(values.dtype, np.floating) and np.issubdtype(dtype, np.integer):
        return np.rint(scaled).astype(dtype)
    return scaled.astype(dtype)


def output_axes(settings: ExportSettings, input_axes: str) -> str:
    """The exported axis order: the requested one, else the input's axes with ``c`` appended."""
    if settings.axis_order:
        return settings.axis_order.lower()
    return input_axes if "c" in input_axes else input_axes + "c"


def reorder(values: np.ndarray, axes: str, target: str) -> np.ndarray:
    """``values`` (``axes``) in ``target`` order: missing axes become singletons, absent ones must be."""
    for letter in set(axes) - set(target):
        if values.shape[axes.index(letter)] != 1:
            raise ValidationError(f"--output_axis_order {target!r} drops axis {letter!r}, which has "
                                  f"{values.shape[axes.index(letter)]} entries")
    kept = [a for a in axes if a in target]
    squeezed = values[tuple(slice(None) if a in target else 0 for a in axes)]
    moved = np.transpose(squeezed, [kept.index(a) for a in target if a in kept])
    return moved.reshape([values.shape[axes.index(a)] if a in kept else 1 for a in target])


#: file types whose path may continue with a dataset inside them (as ilastik splits paths)
CONTAINERS = (".ilp", ".h5", ".hdf5", ".npz", ".n5", ".zarr")


def external_path(path: str) -> str:
    """The file part of an image path (``data/vol.h5/raw`` -> ``data/vol.h5``), judged by the text."""
    text = path.replace("\\", "/")
    for ext in CONTAINERS:
        at = text.find(ext + "/")
        if at >= 0:
            return text[: at + len(ext)]
    return text


def nickname(path: str) -> str:
    """ilastik's nickname of an input file: file name without its last extension; for HDF5-like
    files plus ``-`` and the inner dataset path with ``/`` as ``-`` (``vol.h5/raw/a`` -> ``vol-raw-a``)."""
    text = path.replace("\\", "/")
    for ext in (".ilp", ".h5", ".hdf5", ".npz", ".n5"):
        at = text.rfind(ext)
        if at >= 0 and (at + len(ext) == len(text) or text[at + len(ext)] == "/"):
            external, inner = text[: at + len(ext)], text[at + len(ext):].strip("/")
            base = os.path.splitext(os.path.basename(external))[0]
            return base + ("-" + inner.replace("/", "-") if inner else "")
    return os.path.splitext(os.path.basename(text.rstrip("/")))[0].replace("*", "")


def roi_keys(cut: Sequence[slice], axes: str) -> dict[str, Any]:
    """ilastik's ``{roi}``, ``{x_start}``, ``{x_stop}`` ... of an exported region (pipeline axes)."""
    keys: dict[str, Any] = {"roi": [tuple(s.start for s in cut), tuple(s.stop for s in cut)]}
    for letter, s in zip(axes, cut):
        keys[f"{letter}_start"], keys[f"{letter}_stop"] = s.start, s.stop
    return keys


def finish_path(path: str, settings: ExportSettings) -> str:
    """Replace the extension by the format's (ilastik's ``os.path.splitext`` rule) and, for HDF5,
    append the dataset path inside the file."""
    path = os.path.splitext(path)[0] + "." + settings.extension
    if settings.format in ("hdf5", "compressed hdf5") and settings.internal_path:
        path += "/" + settings.internal_path.strip("/")
    return path
