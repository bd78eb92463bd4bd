"""Blockwise prediction: images of any size in bounded memory, resumable, locally or on Dask.

The image is cut into blocks (aligned to the output chunks). For each block the feature engine
reads the block plus the halo its filters need, computes features, classifies, and the block's
result is written into a chunked *partial* zarr store next to the output. A marker file records
each finished block, so a rerun of the same job (same model, features, input and output) skips
them after an interruption (Ctrl-C or SIGKILL). When every block is done the partial store is
copied, region by region, into the requested output format and removed.

Memory is bounded by one block's features (``block voxels x n_features x 4 bytes``) per block
in flight, not by the image size.
"""

from __future__ import annotations

import contextvars
import hashlib
import itertools
import json
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import zarr

from . import outputs as out_mod
from . import pipeline
from .errors import NotFound, PixfError, PluginError, ValidationError

if TYPE_CHECKING:
    from .features.selection import FeatureSelection
    from .images import JobSource
    from .specs import Model

#: default block edge per spatial dimensionality (2D blocks are cheap; 3D features are ~60 channels)
DEFAULT_BLOCK = {2: 1024, 3: 128}
Progress = Callable[[int, int, str], None]


def block_grid(shape: tuple[int, ...], block: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Indices of the blocks covering ``shape`` (last blocks may be smaller)."""
    return list(itertools.product(*[range(-(-s // b)) for s, b in zip(shape, block)]))


def block_region(index: tuple[int, ...], shape: tuple[int, ...], block: tuple[int, ...]) -> tuple[slice, ...]:
    return tuple(slice(i * b, min((i + 1) * b, s)) for i, b, s in zip(index, block, shape))


def default_block(ndim: int, override: tuple[int, ...] | int | None = None) -> tuple[int, ...]:
    if override is None:
        return (DEFAULT_BLOCK[ndim],) * ndim
    if isinstance(override, int):
        override = (override,) * ndim
    block = tuple(int(b) for b in override)
    if len(block) != ndim or any(b < 8 for b in block):
        raise ValidationError(f"block shape must have {ndim} entries of at least 8 pixels, got {override}")
    return block


@dataclass
class PredictionJob:
    """What to predict, as safe data: enough for another process (a Dask worker) to rebuild it.

    :param source: ``{"path", "format", "axes"}`` of the input file (axes of the file), or ``None``
        when the input only exists in this process (then Dask cannot be used).
    :param selection: feature selection JSON.
    :param model_state: ``(meta, arrays)`` from ``Model.get_state()``.
    :param n_classes: number of project classes (probability channels).
    :param output: ``probabilities``, ``segmentation`` or ``uncertainty``.
    :param dtype: export dtype (``None`` keeps float32 / class index dtype).
    """

    source: dict[str, Any] | None
    selection: dict[str, Any]
    model_state: tuple[dict[str, Any], dict[str, np.ndarray]]
    n_classes: int
    output: str
    dtype: str | None = None
    spatial_shape: tuple[int, ...] = ()
    source_stamp: str = ""
    _model: Any = field(default=None, repr=False)
    _selection: Any = field(default=None, repr=False)

    @classmethod
    def for_image(
        cls, source: JobSource, spatial_shape: tuple[int, ...], selection: FeatureSelection, model: Model,
        n_classes: int, output: str, dtype: str | np.dtype | None = None,
    ) -> "PredictionJob":  # fmt: skip
        """The job of predicting a whole image read from ``source``."""
        return cls(
            source=source.to_json(),
            selection=selection.to_json(),
            model_state=model.get_state(),
            n_classes=n_classes,
            output=out_mod.check_output(output),
            dtype=out_mod.export_dtype(dtype),
            spatial_shape=tuple(spatial_shape),
            source_stamp=source.stamp,
            _model=model,
            _selection=selection,
        )

    def fingerprint(self, block: tuple[int, ...]) -> str:
        """Identifies the job's result: model, features, input, output kind and blocking."""
        h = hashlib.sha256()
        meta, arrays = self.model_state
        doc = {
            "selection": self.selection,
            "model": meta,
            "source": self.source,
            "stamp": self.source_stamp,
            "n_classes": self.n_classes,
            "output": self.output,
            "dtype": self.dtype,
            "block": list(block),
            "shape": list(self.spatial_shape),
        }
        h.update(json.dumps(doc, sort_keys=True, default=str).encode())
        for name in sorted(arrays):
            h.update(name.encode())
            h.update(np.ascontiguousarray(arrays[name]).tobytes())
        return h.hexdigest()

    def model(self) -> Any:
        if self._model is None:
            from .classifiers.api import load_model

            self._model = load_model(*self.model_state)
        return self._model

    def feature_selection(self) -> Any:
        if self._selection is None:
            from .features.selection import FeatureSelection

            self._selection = FeatureSelection.from_json(self.selection)
        return self._selection

    def out_shape(self, region: tuple[slice, ...]) -> tuple[int, ...]:
        spatial = tuple(s.stop - s.start for s in region)
        if self.output == "probabilities":
            return spatial + (self.n_classes,)
        if self.output == "uncertainty":
            return spatial + (1,)
        return spatial

    def out_dtype(self) -> np.dtype:
        if self.dtype is not None:
            return np.dtype(self.dtype)
        if self.output == "segmentation":
            return np.dtype(np.uint8 if self.n_classes < 255 else np.uint16)
        return np.dtype(np.float32)


def predict_region(job: PredictionJob, source: Any, axes: str, region: tuple[slice, ...]) -> np.ndarray:
    """The job's output for one region of ``source`` (canonical axes)."""
    features_of = pipeline.computed_features(source, axes, job.feature_selection())
    probabilities = pipeline.class_probabilities(job.model(), features_of, region, job.n_classes)
    result = out_mod.derive(probabilities, job.output)
    return out_mod.convert_dtype(result, job.output, job.dtype)


# ---------------------------------------------------------------------------- partial store


def partial_path(target: str) -> Path:
    """Where the resumable partial result of ``target`` lives: a hidden folder beside it."""
    parent = Path(os.path.abspath(target)).parent
    while not parent.is_dir() and parent != parent.parent:
        parent = parent.parent  # container paths such as out.h5/exported_data
    digest = hashlib.sha1(os.path.abspath(target).encode()).hexdigest()[:16]
    return parent / f".pixf-partial-{digest}.zarr"


class PartialResult:
    """A chunked zarr store plus one marker file per finished block."""

    def __init__(self, path: Path, job: PredictionJob, block: tuple[int, ...]):
        self.path = path
        self.block = block
        self.fingerprint = job.fingerprint(block)
        self.shape = job.out_shape(tuple(slice(0, s) for s in job.spatial_shape))
        self.dtype = job.out_dtype()
        self.done_dir = path / "done"
        self.array = self._open_or_create()

    def _open_or_create(self) -> Any:
        if self.path.exists():
            try:
                group = zarr.open_group(str(self.path), mode="r+")
                if group.attrs.get("fingerprint") == self.fingerprint:
                    return group["result"]
            except Exception:
                pass  # unreadable leftovers are simply started over
            shutil.rmtree(self.path)
        group = zarr.open_group(str(self.path), mode="w", zarr_format=3)
        chunks = self.block + self.shape[len(self.block):]
        array = group.create_array("result", shape=self.shape, chunks=chunks, dtype=self.dtype, fill_value=0)
        group.attrs["fingerprint"] = self.fingerprint
        self.done_dir.mkdir()
        return array

    def _marker(self, index: tuple[int, ...]) -> Path:
        return self.done_dir / "_".join(map(str, index))

    def is_done(self, index: tuple[int, ...]) -> bool:
        return self._marker(index).exists()

    def write(self, index: tuple[int, ...], region: tuple[slice, ...], data: np.ndarray) -> None:
        self.array[region] = data
        self._marker(index).touch()

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


# ---------------------------------------------------------------------------- runners


def run_blockwise(
    job: PredictionJob,
    source: Any,
    axes: str,
    target: str,
    *,
    format: str | None = None,
    block: tuple[int, ...] | int | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    dask: str | Any | None = None,
) -> str:
    """Predict the whole image block by block into ``target``; resumes an interrupted run of the same job.

    :param source: the input in canonical axes (array or lazy view); used by the local engine.
    :param axes: canonical axes of ``source``.
    :param target: output path (any registered writer format).
    :param block: block shape (spatial); default 1024^2 in 2D, 128^3 in 3D.
    :param workers: blocks computed at once by the local engine (each block already uses all cores).
    :param dask: ``"local"``, a scheduler address, or a ``distributed.Client``: run blocks as Dask tasks.
    :returns: the path written.
    """
    from .io.dispatch import create_image

    block = default_block(len(job.spatial_shape), block)
    partial = PartialResult(partial_path(target), job, block)
    indices = block_grid(job.spatial_shape, block)
    todo = [i for i in indices if not partial.is_done(i)]
    done = len(indices) - len(todo)
    if progress:
        progress(done, len(indices), "resuming" if done else "predicting")
    if dask is not None:
        _run_dask(job, partial, todo, len(indices), done, dask, progress)
    else:
        _run_local(job, source, axes, partial, todo, len(indices), done, workers, progress)
    # every block is in the partial store: copy it to the requested format, block by block
    out_axes = axes if len(partial.shape) == len(axes) else axes[:-1]
    writer = create_image(target, partial.shape, partial.dtype, out_axes, format)
    try:
        for index in indices:
            region = block_region(index, job.spatial_shape, block)
            writer[region] = np.asarray(partial.array[region])
    finally:
        writer.close()
    partial.remove()
    return target


def _run_local(job, source, axes, partial, todo, total, done, workers, progress) -> None:
    lock = threading.Lock()
    counter = [done]

    def one(index: tuple[int, ...]) -> None:
        region = block_region(index, job.spatial_shape, partial.block)
        try:
            data = predict_region(job, source, axes, region)
        except Exception as exc:
            raise _block_error(index, region, exc) from exc
        try:
            partial.write(index, region, data)
        except OSError as exc:
            raise ValidationError(f"cannot write block {index} to {partial.path}: {exc}") from exc
        with lock:
            counter[0] += 1
            if progress:
                progress(counter[0], total, f"block {index}")

    if workers <= 1:
        for index in todo:
            one(index)
        return
    with ThreadPoolExecutor(workers) as pool:
        # each block runs in the caller's context, so the server's confinement covers its file access
        for future in [pool.submit(contextvars.copy_context().run, one, i) for i in todo]:
            future.result()


def _block_error(index: tuple[int, ...], region: tuple[slice, ...], exc: Exception) -> PixfError:
    """The same kind of error, its message prefixed with the block that failed."""
    where = f"block {index} (region {_fmt(region)})"
    if isinstance(exc, PluginError):
        return PluginError(exc.plugin, f"{where}: {exc}")
    if isinstance(exc, PixfError):
        return type(exc)(f"{where}: {exc}")
    return PixfError(f"{where}: {type(exc).__name__}: {exc}")


def _fmt(region: tuple[slice, ...]) -> str:
    return "[" + ", ".join(f"{s.start}:{s.stop}" for s in region) + "]"


# ---------------------------------------------------------------------------- dask

_worker_jobs: dict[str, PredictionJob] = {}


def _dask_block(job: PredictionJob, fingerprint: str, partial_dir: str, index: tuple[int, ...], block: tuple[int, ...]) -> tuple[int, ...]:
    """One block as a Dask task: reopens the input file and the partial store inside the worker."""
    from .io.axes import to_canonical
    from .io.dispatch import open_image

    cached = _worker_jobs.get(fingerprint)
    if cached is None:
        cached = _worker_jobs[fingerprint] = job  # keeps the rebuilt model between tasks
    reader = open_image(cached.source["path"], cached.source.get("format"))
    source, axes = to_canonical(reader, cached.source.get("axes"))
    region = block_region(index, cached.spatial_shape, block)
    data = predict_region(cached, source, axes, region)
    array = zarr.open_group(partial_dir, mode="r+")["result"]
    array[region] = data
    (Path(partial_dir) / "done" / "_".join(map(str, index))).touch()
    return index


def _connect_scheduler(client_class: Any, address: str) -> Any:
    """A Dask client of the scheduler at ``address``; bad or unreachable addresses are domain errors."""
    try:
        return client_class(address)
    except ValueError as exc:
        raise ValidationError(f"{address!r} is not a Dask scheduler address ({exc}); use 'local' or tcp://HOST:8786") from None
    except OSError as exc:
        raise NotFound(f"no Dask scheduler answered at {address!r} ({exc})") from None


def _run_dask(job, partial, todo, total, done, dask, progress) -> None:
    if job.source is None:
        raise ValidationError("Dask needs an input file the workers can read; this image only exists in memory")
    from distributed import Client, LocalCluster, as_completed

    own = None
    if isinstance(dask, str):
        if dask == "local":
            own = LocalCluster(n_workers=min(2, os.cpu_count() or 1), threads_per_worker=1, processes=True)
            client = Client(own)
        else:
            client = _connect_scheduler(Client, dask)
    else:
        client = dask
    try:
        # ship the job as plain data (JSON + numpy arrays); workers rebuild the model with load_model
        payload = replace(job, _model=None, _selection=None)
        remote_job = client.scatter(payload, broadcast=True)
        futures = [
            client.submit(_dask_block, remote_job, partial.fingerprint, str(partial.path), index, partial.block, pure=False)
            for index in todo
        ]
        count = done
        for future in as_completed(futures):
            future.result()
            count += 1
            if progress:
                progress(count, total, "dask")
    finally:
        if own is not None:
            client.close()
            own.close()
        elif isinstance(dask, str):
            client.close()
