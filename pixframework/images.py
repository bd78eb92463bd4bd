"""Images of a project: where the pixels live and how to read them in canonical axes."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import confine
from .errors import CorruptData, NotFound, PermissionDenied, ValidationError
from .io.axes import to_canonical


@dataclass
class ImageEntry:
    """One image of a project.

    :param name: user-visible unique name.
    :param id: stable internal id (names can be reused after removal; ids cannot).
    :param source: ``{"kind": "reference", "path", "relpath", "format", "axes"}`` for files used in place,
        or ``{"kind": "copy", "ref"}`` for pixels copied into the project (canonical axes).
    :param shape: canonical shape, spatial axes then channels.
    :param dtype: pixel dtype (numpy string form).
    """

    name: str
    id: str
    source: dict[str, Any]
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

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "id": self.id, "source": self.source, "shape": list(self.shape), "dtype": self.dtype}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> "ImageEntry":
        try:
            return cls(doc["name"], doc["id"], dict(doc["source"]), tuple(int(s) for s in doc["shape"]), str(doc["dtype"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptData(f"image entry {doc!r} is damaged: {exc}") from None

    def info(self) -> dict[str, Any]:
        """Summary used by clients: name, canonical shape and axes, dtype, where the pixels are."""
        src = self.source
        where = src.get("path") if src["kind"] == "reference" else "(stored in project)"
        return {
            "name": self.name,
            "shape": tuple(self.shape),
            "axes": self.axes,
            "dtype": np.dtype(self.dtype).name,
            "source": where,
            "stored": src["kind"] == "copy",
        }


def check_pixels(shape: tuple[int, ...], dtype: np.dtype, what: str) -> None:
    """Reject images that cannot be classified (non-numeric, empty, single-pixel axes)."""
    if np.dtype(dtype).kind not in "biuf":
        raise ValidationError(f"{what} has dtype {dtype}; images must be numeric")
    if any(s < 2 for s in shape[:-1]):
        raise ValidationError(f"{what} has spatial shape {shape[:-1]}; every spatial axis needs at least 2 pixels")


def open_reference(source: dict[str, Any], project_dir: Path) -> Any:
    """Open a referenced file lazily, trying the path relative to the project first (projects move)."""
    from .io.dispatch import open_image

    candidates = []
    if source.get("relpath"):
        candidates.append(os.path.normpath(os.path.join(project_dir.parent, source["relpath"])))
    candidates.append(source["path"])
    last: Exception | None = None
    for path in candidates:
        try:
            confine.check_file(path, "image file")  # a project file may record any path
            reader = open_image(path, source.get("format"))
        except (NotFound, PermissionDenied) as exc:
            last = exc
            continue
        # axes the user gave win, then the file's own metadata, then the inference rule
        view, _ = to_canonical(reader, source.get("axes") or reader.axes)
        return view
    if isinstance(last, PermissionDenied):
        raise last
    raise NotFound(f"image file not found: {source['path']} ({last})")


def source_file(path: str) -> str:
    """The file or store on disk behind an image path (``data/a.h5/raw`` -> ``data/a.h5``)."""
    from .io.paths import existing_file_prefix

    split = existing_file_prefix(path)
    return split[0] if split is not None else path


def read_array(view: Any, region: tuple[slice, ...]) -> np.ndarray:
    """Read ``region`` (spatial slices) of a canonical array or view, all channels."""
    return np.asarray(view[region + (slice(None),)])
