"""The images of a project: registration (files by reference, arrays and copies into the project),
unique names, and the rule that all images of a project agree in dimensionality and channels."""

from __future__ import annotations

import dataclasses
import os
import uuid
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from .confine import Confinement
from .errors import Conflict, NotFound, ValidationError
from .features.selection import FeatureSelection
from .images import FileSource, ImageEntry, ImageSource, StoredSource, check_pixels, read_array
from .io.axes import to_canonical
from .io.dispatch import find_format
from .limits import DEFAULT_LIMITS, Limits
from .names import check_name, name_from_stem
from .registry import get_registry
from .store import ProjectStore


class ImageSet:
    """Ordered ``name -> ImageEntry`` of one project, reading and copying pixels through its store.

    :param confinement: where file paths must lead (relative ones are taken relative to its root),
        or ``None`` (embedded use: relative to the working directory).
    :param limits: image size limits, checked before an image is registered.
    """

    def __init__(
        self, store: ProjectStore, docs: Sequence[Mapping[str, Any]] = (), *, confinement: Confinement | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ):  # fmt: skip
        self._store = store
        self._confinement = confinement
        self._limits = limits
        self._entries: dict[str, ImageEntry] = {}
        for doc in docs:
            entry = ImageEntry.from_json(doc)
            self._entries[entry.name] = entry

    # ------------------------------------------------------------------ views
    @property
    def names(self) -> list[str]:
        """Image names in the order they were added."""
        return list(self._entries)

    def __iter__(self) -> Iterator[ImageEntry]:
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def first(self) -> ImageEntry | None:
        """The first image (all images agree in dimensionality and channels with it)."""
        return next(iter(self._entries.values()), None)

    def get(self, name: str) -> ImageEntry:
        """The image called ``name``; :class:`NotFound` listing the images otherwise."""
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise NotFound(f"no image {name!r} in project (images: {', '.join(self._entries) or 'none'})") from None

    def pixels(self, entry: ImageEntry) -> Any:
        """The image as a lazy canonical array ``(z)yxc``."""
        return entry.pixels(self._store)

    def check_selection(self, selection: FeatureSelection) -> None:
        """Check a feature selection against the registry and every image's spatial shape (scales must fit)."""
        registry = get_registry()
        selection.validate(registry)
        for entry in self._entries.values():
            selection.validate(registry, entry.spatial_shape)

    def to_json(self) -> list[dict[str, Any]]:
        return [e.to_json() for e in self._entries.values()]

    # ------------------------------------------------------------------ changes
    def add(
        self, source: Any, *, axes: str | None, name: str | None, copy: bool | None, format: str | None
    ) -> ImageEntry:
        """Register an image (see :meth:`pixframework.project.Project.add_image` for the arguments)."""
        if isinstance(source, np.ndarray):
            if copy is False:
                raise ValidationError("arrays are always copied into the project (copy=False needs a file path)")
            view, _ = to_canonical(source, axes)
            check_pixels(view.shape, view.dtype, "array")
            self._limits.check_image(view.shape, view.dtype.itemsize, None, "the image array")
            if not np.issubdtype(view.dtype, np.integer) and not np.all(np.isfinite(view)):
                raise ValidationError("image contains NaN or infinite values")
            default_name = f"image-{len(self._entries) + 1}"
            reference: FileSource | None = None
        elif isinstance(source, (str, os.PathLike)):
            if self._confinement is not None:  # a server client's path: relative to the data root
                path = str(self._confinement.resolve(os.fspath(source), "image path"))
            else:
                path = os.path.abspath(os.fspath(source))
            reference = FileSource(path, os.path.relpath(path, self._store.path.parent), find_format(path, format).name, axes)
            view = reference.open(self._store)
            reference = dataclasses.replace(reference, axes=view.axes)  # the axes actually used: reopening never guesses
            check_pixels(view.shape, view.dtype, path)
            reader = getattr(view, "source", view)
            chunks = reader.shape if getattr(reader, "lazy", "") == "eager" else getattr(reader, "chunks", None)
            self._limits.check_image(view.shape, np.dtype(view.dtype).itemsize, chunks, f"image {os.fspath(source)!r}")
            stem = Path(os.fspath(source).rstrip("/")).name.split(".")[0]
            default_name = name_from_stem(stem, f"image-{len(self._entries) + 1}")
        else:
            raise ValidationError(f"an image source must be a path or a numpy array, got {type(source).__name__}")
        shape = tuple(int(s) for s in view.shape)
        self._check_compatible(shape)
        name = self._unique_name(name, default_name)
        stored: ImageSource
        if reference is None or copy:
            dtype = np.dtype(view.dtype)
            stored = StoredSource(self._store.write_image(lambda region: read_array(view, region[:-1]), shape, dtype))
        else:
            stored = reference
        entry = ImageEntry(name, uuid.uuid4().hex[:12], stored, shape, np.dtype(view.dtype).str)
        self._entries[name] = entry
        return entry

    def remove(self, name: str) -> ImageEntry:
        """Forget an image; returns its entry."""
        entry = self.get(name)
        del self._entries[name]
        return entry

    def _unique_name(self, name: str | None, default: str) -> str:
        if name is not None:
            check_name(name, "image name")
            if name in self._entries:
                raise Conflict(f"an image called {name!r} already exists")
            return name
        candidate, n = default, 2
        while candidate in self._entries:
            candidate, n = f"{default}-{n}", n + 1
        return candidate

    def _check_compatible(self, shape: tuple[int, ...]) -> None:
        other = self.first  # all images already agree with each other
        if other is None:
            return
        if len(other.shape) != len(shape):
            raise ValidationError(
                f"all images of a project must have the same number of spatial axes: {other.name!r} is "
                f"{len(other.shape) - 1}D, the new image is {len(shape) - 1}D"
            )
        if other.n_channels != shape[-1]:
            raise ValidationError(
                f"all images of a project must have the same number of channels: {other.name!r} has "
                f"{other.n_channels}, the new image has {shape[-1]}"
            )
