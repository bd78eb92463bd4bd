"""ilastik's headless batch mode on a pixframework project: inputs in, ilastik's files out.

Per input, as ilastik's batch processing does: the file is read with the training images' axes
(unless ``input_axes`` or ``ignore_training_axes``), checked against the training data (same
channels and spatial axes), predicted tile by tile, and exported by ilastik's rules
(:mod:`.export`, :mod:`.sinks`). A stack (``"dir/*.tif"`` or paths joined by ``os.pathsep``) is
read as one image along ``stack_along``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ValidationError
from ..io.axes import infer_axes
from .axes import LaneLayout, check_axes
from .export import (
    ExportSettings, convert, external_path, finish_path, nickname, output_axes, region, reorder, roi_keys,
)
from .sinks import Sink

Progress = Callable[[int, int, str], None]
#: tile edge (pixels) for prediction, 2D and 3D: feature planes of 512^2 stay in cache (2048^2 in
#: 512^2 tiles is 1.5-3x faster than at once, halos included; docs/ilastik.md)
TILE_2D, TILE_3D = 512, 128
#: dtype of each pipeline result before any conversion (ilastik's: float32 maps, uint8 labels)
_DTYPES = {"segmentation": "uint8", "labels": "uint8"}


@dataclass
class Input:
    """One input image as ilastik sees it.

    :param axes: ilastik's axes of the data (``yx``, ``cyx``, ``tzyxc`` ...).
    :param pixels: a path to read lazily, or an array (stacks, data with dropped singleton axes).
    """

    text: str
    paths: list[str]
    axes: str
    shape: tuple[int, ...]
    nickname: str
    dataset_dir: str
    pixels: Any


def expand(text: str) -> list[str]:
    """The files of an input: one path, a glob, or several paths joined by ``os.pathsep``."""
    parts = [p for p in text.split(os.pathsep) if p] if os.pathsep in text else [text]
    paths: list[str] = []
    for part in parts:
        matches = sorted(glob.glob(part)) if any(ch in part for ch in "*?[") else [part]
        if not matches:
            raise ValidationError(f"input {part!r} matches no file")
        paths += [os.path.abspath(m) if not _inner(m) else m for m in matches]
    return paths


def _inner(path: str) -> bool:
    return external_path(path) != path.replace("\\", "/")


def stack_nickname(paths: Sequence[str]) -> str:
    """ilastik's nickname of a stack: the common start of the file names, else ``stack_at-<first>``."""
    common = os.path.commonprefix([os.path.splitext(p)[0] for p in paths])
    name = os.path.basename(common)
    return name or "stack_at-" + os.path.splitext(os.path.basename(paths[0]))[0]


def read_input(text: str, *, axes: str | None = None, training_axes: str | None = None,
               stack_along: str = "z") -> Input:
    """Open an input (not read yet unless it is a stack) with its ilastik axes.

    :param axes: ``--input_axes`` (must fit the data); else ``training_axes`` when they fit (as
        ilastik reuses the training images' axes), else the file's own or the inferred ones.
    """
    from ..io.dispatch import open_image

    paths = expand(text)
    if len(paths) == 1:
        with contextlib.closing(open_image(paths[0])) as reader:
            shape, found = tuple(int(s) for s in reader.shape), reader.axes
        chosen = _choose(axes, training_axes, found, shape, text)
        return Input(text, paths, chosen, shape, nickname(paths[0]), _folder(paths[0]), paths[0])
    images = []
    for path in paths:
        with contextlib.closing(open_image(path)) as reader:
            images.append(np.asarray(reader[tuple(slice(None) for _ in reader.shape)]))
            found = reader.axes
    if len({im.shape for im in images}) != 1:
        raise ValidationError(f"the files of stack {text!r} differ in shape: {sorted({im.shape for im in images})}")
    letter = stack_along.lower()
    if len(letter) != 1 or letter not in "tzc":
        raise ValidationError(f"--stack_along must be one of t, z, c, got {stack_along!r}")
    base = _axes(found, images[0].shape, paths[0])
    if letter in base:  # stacked along an axis the files have: concatenate
        data, stacked = np.concatenate(images, axis=base.index(letter)), base
    else:  # a new axis in front, as ilastik does
        data, stacked = np.stack(images), letter + base
    chosen = _choose(axes, training_axes, stacked, data.shape, text)
    return Input(text, paths, chosen, data.shape, stack_nickname(paths), _folder(paths[0]), data)


def _choose(explicit: str | None, training: str | None, found: str | None, shape: tuple[int, ...], what: str) -> str:
    if explicit:
        return _axes(explicit, shape, what)
    if training and len(training) == len(shape):
        return _axes(training, shape, what)
    return _axes(found, shape, what)


def _folder(path: str) -> str:
    return os.path.dirname(os.path.abspath(external_path(path)))


def _axes(axes: str | None, shape: tuple[int, ...], what: str) -> str:
    if axes is None:
        try:
            axes = infer_axes(shape)
        except ValidationError:
            raise ValidationError(f"cannot tell the axes of {what} (shape {shape}); pass --input_axes") from None
    axes = check_axes(axes, what)
    if len(axes) != len(shape):
        raise ValidationError(f"{what} has {len(shape)} dimensions (shape {shape}) but its axes would be {axes!r}; "
                              "pass --input_axes")
    return axes


def check_like_training(image: Input, training: LaneLayout | None) -> LaneLayout:
    """The input's layout, refused like ilastik refuses batch data unlike the training data."""
    layout = LaneLayout(image.axes, image.shape)
    layout.check(image.text)
    if training is not None:
        if layout.size("c") != training.size("c"):
            raise ValidationError(f"{image.text} has {layout.size('c')} channel(s), the training images had "
                                  f"{training.size('c')}: batch input must have as many channels as training input")
        if set(layout.spatial) != set(training.spatial):
            raise ValidationError(f"{image.text} has spatial axes {layout.spatial!r}, the training images "
                                  f"{training.spatial!r}")
    return layout


def add_input(project: Any, image: Input, layout: LaneLayout) -> str:
    """Add the input to the project (by reference when possible); returns its name there."""
    name = f"headless-input-{len(project.images)}"
    if isinstance(image.pixels, str) and not layout.dropped:
        return project.add_image(image.pixels, axes=layout.kept_axes, name=name)
    return project.add_image(_squeezed(image, layout), axes=layout.kept_axes, name=name)


def _squeezed(image: Input, layout: LaneLayout) -> np.ndarray:
    """The input's pixels in memory, its singleton ``t``/``z`` dropped (``layout.kept_axes`` order)."""
    from ..io.dispatch import open_image

    pixels = image.pixels
    if isinstance(pixels, str):
        with contextlib.closing(open_image(pixels)) as reader:
            pixels = reader[tuple(slice(None) for _ in layout.shape)]
    return layout.squeeze(np.asarray(pixels))


def tiles(cut: Sequence[slice]) -> list[tuple[slice, ...]]:
    """Spatial tiles covering the spatial part of ``cut``."""
    edge = TILE_3D if len(cut) == 3 else TILE_2D
    ranges = [range(s.start, s.stop, edge) for s in cut]
    out = [()]
    for r, s in zip(ranges, cut):
        out = [t + (slice(a, min(a + edge, s.stop)),) for t in out for a in r]
    return out


def file_path(settings: ExportSettings, image: Input, cut: Sequence[slice], axes: str, working_dir: str) -> str:
    """ilastik's export path of one input (placeholders, working directory, extension, dataset)."""
    values = {"dataset_dir": image.dataset_dir, "nickname": image.nickname, "result_type": settings.source,
              "slice_index": "{slice_index}", **roi_keys(cut, axes)}
    names = {f[1] for f in string.Formatter().parse(settings.template) if f[1] is not None}
    unknown = sorted(names - set(values))
    if unknown:
        raise ValidationError(f"--output_filename_format {settings.template!r} uses unknown placeholder(s) "
                              f"{', '.join('{' + n + '}' for n in unknown)}; known: "
                              f"{', '.join('{' + n + '}' for n in values)}")
    try:
        path = os.path.expanduser(settings.template.format(**values))
    except (ValueError, IndexError, KeyError) as exc:
        raise ValidationError(f"--output_filename_format {settings.template!r} is not a valid template: {exc}") from None
    return finish_path(os.path.join(working_dir, path), settings)


@contextlib.contextmanager
def pixels_of(image: Input, layout: LaneLayout) -> Any:
    """``(array-like, axes)`` of the input's pixels, read tile by tile by the pipeline."""
    from ..io.dispatch import open_image

    if isinstance(image.pixels, str) and not layout.dropped:
        with contextlib.closing(open_image(image.pixels)) as reader:
            yield reader, layout.kept_axes
        return
    yield _squeezed(image, layout), layout.kept_axes


def export_input(project: Any, name: str, image: Input, layout: LaneLayout, settings: ExportSettings,
                 working_dir: str, columns: Sequence[int] | None = None, progress: Progress | None = None) -> list[str]:
    """Predict (or compute features of) one added input and write ilastik's files; returns them."""
    with pixels_of(image, layout) as src:
        return _export(project, name, image, settings, working_dir, columns, progress, src)


def _export(project: Any, name: str, image: Input, settings: ExportSettings, working_dir: str,
            columns: Sequence[int] | None, progress: Progress | None, src: tuple[Any, str | None]) -> list[str]:
    info = project.image_info(name)
    job = None if settings.output in ("features", "labels") else project.prediction_job(name, output=settings.output)
    spatial = tuple(info["shape"][:-1])
    proc_axes = ("zyx" if len(spatial) == 3 else "yx") + "c"
    n_out = {"probabilities": len(project.classes), "features": None}.get(settings.output, 1)
    if n_out is None:
        n_out = project.features.n_features(len(spatial), info["shape"][-1])
    cut = region(settings.cutout, (*spatial, n_out))
    out_axes = output_axes(settings, image.axes)
    dtype = np.dtype(settings.dtype or _DTYPES.get(settings.output, "float32"))
    if settings.output == "segmentation" and len(project.classes) >= 255:
        dtype = np.dtype(settings.dtype or "uint16")
    full = reorder(np.zeros(tuple(s.stop - s.start for s in cut), np.uint8), proc_axes, out_axes).shape
    path = file_path(settings, image, cut, proc_axes, working_dir)
    sink = Sink(settings, path, full, dtype, out_axes)
    parts = tiles(cut[:-1])
    try:
        for done, tile in enumerate(parts):
            values = _values(project, job, settings.output, tile, columns, src)[..., cut[-1]]
            block = reorder(convert(values, settings), proc_axes, out_axes)
            offsets = {a: slice(t.start - c.start, t.stop - c.start) for a, t, c in zip(proc_axes, tile, cut)}
            offsets["c"] = slice(0, cut[-1].stop - cut[-1].start)
            sink.write(tuple(offsets.get(a, slice(0, 1)) for a in out_axes), block)
            if progress:
                progress(done + 1, len(parts), image.text)
    except BaseException:
        sink.abort()
        raise
    return sink.close()


def _values(project: Any, job: Any, output: str, tile: tuple[slice, ...], columns: Sequence[int] | None,
            src: tuple[Any, str]) -> np.ndarray:
    """The pipeline result of a tile, spatial axes then channels (ilastik's channel order)."""
    if output == "features":
        from ..features.engine import compute_features

        features = compute_features(src[0], project.features, axes=src[1], region=tile)
        return features[..., list(columns)] if columns is not None else features
    if output == "labels":  # new images have no labels: ilastik exports zeros
        return np.zeros(tuple(s.stop - s.start for s in tile) + (1,), np.uint8)
    from ..blockwise import predict_region

    result = predict_region(job, src[0], src[1], tile)
    return result[..., None] if output == "segmentation" else result
