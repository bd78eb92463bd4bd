"""Images of a project: where the pixels live and how to read them in canonical axes.

An image's pixels live in one of two places, each a small typed source:

- :class:`FileSource`: a file used in place (any registered format), found again relative to the
  project first, so projects and their data can move together;
- :class:`StoredSource`: pixels copied into the project (a zarr array in canonical axes).

Both answer the same questions: how to :meth:`~FileSource.open` the pixels, what a prediction job
running in another process must open (:meth:`~FileSource.job_source`), and which folder
``{dataset_dir}`` in an export template means (:meth:`~FileSource.dataset_dir`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Union

import numpy as np

from . import confine
from .errors import CorruptData, NotFound, PermissionDenied, ValidationError
from .io.axes import to_canonical
from .io.dispatch import open_image
from .io.paths import existing_file_prefix

if TYPE_CHECKING:
    from .store import ProjectStore


@dataclass(frozen=True)
class JobSource:
    """What another process (a Dask worker) opens to read an image, and a stamp that changes with the file.

    :param path: file or store to open.
    :param format: format name (``None``: by extension).
    :param axes: axes of the file's array (``None``: from its metadata).
    :param stamp: ``"size:mtime_ns"`` of a referenced file, the reference of stored pixels.
    """

    path: str
    format: str | None
    axes: str | None
    stamp: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "format": self.format, "axes": self.axes}


@dataclass(frozen=True)
class FileSource:
    """A file used in place.

    :param path: absolute path when added (container paths such as ``vol.h5/raw`` included).
    :param relpath: the same path relative to the project's parent folder, tried first on open.
    :param format: format name of the file.
    :param axes: axes of the file's array as used when added, so reopening never guesses.
    """

    path: str
    relpath: str | None
    format: str | None
    axes: str | None

    stored = False
    stored_ref = None

    def open(self, store: ProjectStore) -> Any:
        """The pixels as a lazy canonical view; the path relative to the project is tried first."""
        candidates = []
        if self.relpath:
            candidates.append(os.path.abspath(os.path.join(store.path.parent, self.relpath)))
        candidates.append(self.path)
        refused: PermissionDenied | None = None
        for path in candidates:
            try:
                confine.check_file(path, "image file")  # a project file may record any path
                reader = open_image(path, self.format)
            except PermissionDenied as exc:
                refused = exc
                continue
            except NotFound:
                continue
            # axes the user gave win, then the file's own metadata, then the inference rule
            view, _ = to_canonical(reader, self.axes or reader.axes)
            return view
        if refused is not None:
            raise refused
        moved = [p for p in dict.fromkeys(candidates) if p != os.path.abspath(self.path)]
        also = f" (nor at {moved[0]}, where it would be had it moved with the project)" if moved else ""
        raise NotFound(f"image file not found: {self.path}{also}")

    def job_source(self, store: ProjectStore, axes: str) -> JobSource:
        try:
            st = os.stat(source_file(self.path))
            stamp = f"{st.st_size}:{st.st_mtime_ns}"
        except OSError:
            stamp = ""
        return JobSource(self.path, self.format, self.axes, stamp)

    def dataset_dir(self, store: ProjectStore) -> str:
        """The folder holding the file (ilastik's ``{dataset_dir}``)."""
        return os.path.dirname(source_file(self.path))

    def describe(self) -> str:
        return self.path

    def to_json(self) -> dict[str, Any]:
        return {"kind": "reference", "path": self.path, "relpath": self.relpath, "format": self.format, "axes": self.axes}


@dataclass(frozen=True)
class StoredSource:
    """Pixels copied into the project, in canonical axes.

    :param ref: the store reference of the zarr array (``images/<uid>.zarr``).
    """

    ref: str

    stored = True

    @property
    def stored_ref(self) -> str:
        return self.ref

    def open(self, store: ProjectStore) -> Any:
        return store.open_image(self.ref)

    def job_source(self, store: ProjectStore, axes: str) -> JobSource:
        return JobSource(str(store.resolve(self.ref)), "zarr", axes, self.ref)

    def dataset_dir(self, store: ProjectStore) -> str:
        """The folder holding the project (the pixels have no folder of their own)."""
        return str(store.path.parent)

    def describe(self) -> str:
        return "(stored in project)"

    def to_json(self) -> dict[str, Any]:
        return {"kind": "copy", "ref": self.ref}


ImageSource = Union[FileSource, StoredSource]


def source_from_json(doc: Mapping[str, Any]) -> ImageSource:
    """The source an image entry of ``project.json`` describes."""
    kind = doc.get("kind")
    if kind == "reference":
        return FileSource(str(doc["path"]), doc.get("relpath"), doc.get("format"), doc.get("axes"))
    if kind == "copy":
        return StoredSource(str(doc["ref"]))
    raise CorruptData(f"image source {dict(doc)!r} is of unknown kind {kind!r}")


@dataclass
class ImageEntry:
    """One image of a project.

    :param name: user-visible unique name.
    :param id: stable internal id (names can be reused after removal; ids cannot).
    :param source: where the pixels live.
    :param shape: canonical shape, spatial axes then channels.
    :param dtype: pixel dtype (numpy string form).
    """

    name: str
    id: str
    source: ImageSource
    shape: tuple[int, ...]
    dtype: str
    _data: Any = field(default=None, repr=False, compare=False)

    @property
    def axes(self) -> str:
        return "zyxc" if len(self.shape) == 4 else "yxc"

    @property
    def spatial_shape(self) -> tuple[int, ...]:
        return self.shape[:-1]

    @property
    def n_channels(self) -> int:
        return self.shape[-1]

    def pixels(self, store: ProjectStore) -> Any:
        """The image as a lazy canonical array, opened once and checked against the recorded shape."""
        if self._data is None:
            data = self.source.open(store)
            if tuple(data.shape) != self.shape:
                raise ValidationError(
                    f"image {self.name!r} changed on disk: shape {tuple(data.shape)}, expected {self.shape}"
                )
            self._data = data
        return self._data

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "id": self.id, "source": self.source.to_json(), "shape": list(self.shape), "dtype": self.dtype}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> "ImageEntry":
        try:
            source = source_from_json(doc["source"])
            return cls(doc["name"], doc["id"], source, tuple(int(s) for s in doc["shape"]), str(doc["dtype"]))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CorruptData(f"image entry {doc!r} is damaged: {exc}") from None

    def info(self) -> dict[str, Any]:
        """Summary used by clients: name, canonical shape and axes, dtype, where the pixels are."""
        return {
            "name": self.name,
            "shape": tuple(self.shape),
            "axes": self.axes,
            "dtype": np.dtype(self.dtype).name,
            "source": self.source.describe(),
            "stored": self.source.stored,
        }


def check_pixels(shape: tuple[int, ...], dtype: np.dtype, what: str) -> None:
    """Reject images that cannot be classified (non-numeric, empty, single-pixel axes)."""
    if np.dtype(dtype).kind not in "biuf":
        raise ValidationError(f"{what} has dtype {dtype}; images must be numeric")
    if any(s < 2 for s in shape[:-1]):
        raise ValidationError(f"{what} has spatial shape {shape[:-1]}; every spatial axis needs at least 2 pixels")


def source_file(path: str) -> str:
    """The file or store on disk behind an image path (``data/a.h5/raw`` -> ``data/a.h5``)."""
    split = existing_file_prefix(path)
    return split[0] if split is not None else path


def read_array(view: Any, region: tuple[slice, ...]) -> np.ndarray:
    """Read ``region`` (spatial slices) of a canonical array or view, all channels."""
    return np.asarray(view[region + (slice(None),)])
