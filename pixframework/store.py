"""On-disk project: a ``NAME.pixf`` directory with JSON metadata and zarr v3 arrays.

Layout::

    NAME.pixf/
      project.json          all metadata; replaced atomically (temp file + fsync + os.replace)
      labels/<uid>.zarr     one sparse label array per image and save (only chunks with labels exist)
      models/<uid>.zarr     trained model state: JSON metadata in attributes + numeric arrays
      images/<uid>.zarr     image data copied into the project (immutable once written)

Why it survives SIGKILL at any moment of a save: arrays are always written under *new* names,
and only the final ``os.replace`` of ``project.json`` makes them part of the project. A kill
before it leaves the previous ``project.json`` (and the previous arrays) untouched; a kill after
it leaves the new one complete. Files no longer referenced are deleted after the switch, and
stale leftovers of killed saves are swept when a project is opened.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import zarr

from .errors import Conflict, CorruptData, NotFound, Remedy, ValidationError
from .images import source_from_json
from .labels import SparseLabels

FORMAT_TAG = "pixframework-project"
SCHEMA_VERSION = 2
META_FILE = "project.json"
SUFFIX = ".pixf"
#: leftovers of an interrupted save older than this are deleted on open (seconds)
ORPHAN_AGE = 600.0
_AREAS = ("labels", "models", "images")


def project_path(path: str | os.PathLike) -> Path:
    """The project directory ``path`` names: ``.pixf`` is appended when missing (``cells`` -> ``cells.pixf``)."""
    path = Path(path)
    return path if path.suffix == SUFFIX else path.with_name(path.name + SUFFIX)


def _migrate_1_to_2(meta: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 stored classes as plain names; schema 2 stores ``{"name", "color"}``."""
    from .palette import default_color

    meta["classes"] = [
        c if isinstance(c, dict) else {"name": c, "color": default_color(i)} for i, c in enumerate(meta.get("classes", []))
    ]
    return meta


#: migrations from schema version N to N + 1
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _migrate_1_to_2}


def empty_meta() -> dict[str, Any]:
    from . import __version__

    return {
        "format": FORMAT_TAG,
        "schema_version": SCHEMA_VERSION,
        "pixframework_version": __version__,
        "images": [],
        "classes": [],
        "features": None,
        "classifier": None,
        "labels": {},
        "model": None,
    }


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ProjectStore:
    """Reads and writes one project directory. Holds no project state itself."""

    def __init__(self, path: Path):
        self.path = Path(path)

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def create(cls, path: str | os.PathLike, *, overwrite: bool = False) -> "ProjectStore":
        path = Path(path)
        if path.exists():
            if not overwrite:
                raise Conflict(f"{path} already exists", remedy=Remedy.REPLACE)
            if not (path / META_FILE).is_file():
                raise ValidationError(f"refusing to overwrite {path}: it is not a pixframework project")
            shutil.rmtree(path)
        path.mkdir(parents=True)
        store = cls(path)
        store.commit(empty_meta())
        return store

    @classmethod
    def open(cls, path: str | os.PathLike) -> tuple["ProjectStore", dict[str, Any]]:
        path = Path(path)
        if not path.exists():
            raise NotFound(f"no project at {path}")
        if not path.is_dir() or not (path / META_FILE).is_file():
            raise ValidationError(f"{path} is not a pixframework project (no {META_FILE} inside)")
        store = cls(path)
        meta = store.read_meta()
        store.sweep(meta, min_age=ORPHAN_AGE)
        return store, meta

    def read_meta(self) -> dict[str, Any]:
        """The current metadata, migrated to the current schema; raises on damage or a newer schema."""
        try:
            meta = json.loads((self.path / META_FILE).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CorruptData(f"{self.path / META_FILE} cannot be read: {exc}") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT_TAG:
            raise ValidationError(f"{self.path} is not a pixframework project (bad {META_FILE})")
        version = meta.get("schema_version")
        if not isinstance(version, int) or version < 1:
            raise CorruptData(f"{self.path / META_FILE}: invalid schema_version {version!r}")
        if version > SCHEMA_VERSION:
            raise Conflict(
                f"{self.path} was written by a newer pixframework (project schema {version}, this version "
                f"reads up to {SCHEMA_VERSION}, written by pixframework {meta.get('pixframework_version', '?')}); "
                "upgrade pixframework to open it"
            )
        while version < SCHEMA_VERSION:
            meta = MIGRATIONS[version](meta)
            version += 1
            meta["schema_version"] = version
        return meta

    def commit(self, meta: Mapping[str, Any], *, previous: Mapping[str, Any] | None = None) -> None:
        """Atomically make ``meta`` the project's metadata (the single point of a save).

        :param previous: the metadata being replaced: arrays it references and ``meta`` does not
            are deleted once the switch is done.
        """
        from . import __version__

        doc = dict(meta, format=FORMAT_TAG, schema_version=SCHEMA_VERSION, pixframework_version=__version__)
        doc["saved_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        tmp = self.path / f".{META_FILE}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
        data = json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path / META_FILE)
        _fsync_dir(self.path)
        if previous is not None:
            for ref in self.referenced(previous) - self.referenced(meta):
                self.sweep_ref(ref)

    # ------------------------------------------------------------------ references
    def new_ref(self, area: str) -> str:
        """A fresh, never-used relative name for an array group in ``area``."""
        return f"{area}/{uuid.uuid4().hex}.zarr"

    def resolve(self, ref: str) -> Path:
        """Absolute path of a stored reference; refuses references that escape the project."""
        if not isinstance(ref, str) or ref.split("/", 1)[0] not in _AREAS or ".." in ref.split("/"):
            raise CorruptData(f"invalid reference {ref!r} in {self.path / META_FILE}")
        return self.path / ref

    @staticmethod
    def referenced(meta: Mapping[str, Any]) -> set[str]:
        refs = {entry["ref"] for entry in meta.get("labels", {}).values()}
        if meta.get("model"):
            refs.add(meta["model"]["ref"])
        for image in meta.get("images", []):
            stored = source_from_json(image["source"]).stored_ref
            if stored is not None:
                refs.add(stored)
        return refs

    def sweep(self, meta: Mapping[str, Any], *, min_age: float = 0.0) -> None:
        """Delete array groups not referenced by ``meta`` (older than ``min_age`` seconds)."""
        keep = self.referenced(meta)
        now = time.time()
        for area in _AREAS:
            folder = self.path / area
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                ref = f"{area}/{entry.name}"
                if ref in keep:
                    continue
                try:
                    if now - entry.stat().st_mtime < min_age:
                        continue
                    shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
                except OSError:
                    pass  # best effort: a leftover costs disk space, never correctness
        for tmp in self.path.glob(f".{META_FILE}.*.tmp"):
            try:
                if now - tmp.stat().st_mtime >= min_age:
                    tmp.unlink()
            except OSError:
                pass

    def sweep_ref(self, ref: str) -> None:
        """Delete one array group that a committed save no longer references."""
        try:
            shutil.rmtree(self.resolve(ref))
        except OSError:
            pass  # best effort, see sweep()

    # ------------------------------------------------------------------ labels
    def write_labels(self, labels: SparseLabels) -> dict[str, Any]:
        """Write labels under a new name; returns their metadata entry."""
        ref = self.new_ref("labels")
        arr = zarr.create_array(
            store=str(self.resolve(ref)),
            shape=labels.shape,
            chunks=labels.chunks,
            dtype=labels.dtype,
            fill_value=0,
            zarr_format=3,
        )
        blocks = []
        for index, block in labels.chunk_items():
            origin = labels.chunk_origin(index)
            arr[tuple(slice(o, o + s) for o, s in zip(origin, block.shape))] = block
            blocks.append(list(index))
        return {"ref": ref, "dtype": labels.dtype.str, "chunks": list(labels.chunks), "blocks": blocks}

    def read_labels(self, entry: Mapping[str, Any], shape: tuple[int, ...]) -> SparseLabels:
        try:
            arr = zarr.open_array(str(self.resolve(entry["ref"])), mode="r")
            dtype = np.dtype(entry["dtype"])
            if dtype.kind != "u" or arr.dtype != dtype or tuple(arr.shape) != tuple(shape):
                raise CorruptData(f"labels {entry['ref']} do not match the image (shape {arr.shape}, dtype {arr.dtype})")
            labels = SparseLabels(shape, dtype, entry["chunks"])
            for index in entry["blocks"]:
                index = tuple(int(i) for i in index)
                origin = labels.chunk_origin(index)
                region = tuple(slice(o, min(o + c, s)) for o, c, s in zip(origin, labels.chunks, shape))
                labels.set_block(index, np.asarray(arr[region]))
        except (KeyError, TypeError, ValueError, OSError) as exc:
            raise CorruptData(f"labels in {self.path} are damaged: {exc}") from None
        labels.version = 0
        return labels

    # ------------------------------------------------------------------ models
    def write_model(self, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> str:
        ref = self.new_ref("models")
        group = zarr.open_group(str(self.resolve(ref)), mode="w", zarr_format=3)
        group.attrs["meta"] = json.loads(json.dumps(meta))  # fails early on non-JSON metadata
        for name, array in arrays.items():
            array = np.asarray(array)
            if array.dtype.kind not in "biuf":
                raise ValidationError(f"model array {name!r} has dtype {array.dtype}; only numbers can be stored")
            group.create_array(name, data=array)
        return ref

    def read_model(self, ref: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        try:
            group = zarr.open_group(str(self.resolve(ref)), mode="r")
            meta = dict(group.attrs["meta"])
            arrays = {}
            for name in group.array_keys():
                array = group[name]
                if np.dtype(array.dtype).kind not in "biuf":
                    raise CorruptData(f"model array {name!r} has non-numeric dtype {array.dtype}")
                arrays[name] = np.asarray(array[...])
        except CorruptData:
            raise
        except Exception as exc:  # zarr raises many types for damaged stores
            raise CorruptData(f"model {ref} in {self.path} is damaged: {exc}") from None
        return meta, arrays

    # ------------------------------------------------------------------ copied images
    def write_image(self, read_block: Callable[[tuple[slice, ...]], np.ndarray], shape: tuple[int, ...], dtype: np.dtype) -> str:
        """Copy an image (canonical axes, read block by block) into the project; returns its reference."""
        ref = self.new_ref("images")
        chunks = tuple(min(s, 256 if len(shape) == 3 else 64) for s in shape[:-1]) + (shape[-1],)
        arr = zarr.create_array(store=str(self.resolve(ref)), shape=shape, chunks=chunks, dtype=dtype, zarr_format=3)
        step = 1024 if len(shape) == 3 else 128
        for start in range(0, shape[0], step):
            region = (slice(start, min(start + step, shape[0])),) + tuple(slice(0, s) for s in shape[1:])
            arr[region] = read_block(region)
        return ref

    def open_image(self, ref: str) -> Any:
        """A lazy reader of a copied image (canonical axes); reads keep the confinement of the opener."""
        from .io.reader import StoreReader

        path = str(self.resolve(ref))
        try:
            return StoreReader(path, zarr.open_array(path, mode="r"), None, format_name="zarr")
        except Exception as exc:
            raise CorruptData(f"image data {ref} in {self.path} is damaged or missing: {exc}") from None
