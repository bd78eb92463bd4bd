"""Where an ilastik lane's image file is now: the stored path, else a file of the same name in search folders.

ilastik stores a ``filePath`` per lane, relative to the ``.ilp``'s folder or absolute, possibly with a
dataset inside the file (``data/cells.h5/raw``), possibly written on Windows (``C:\\data\\cells.tif``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ValidationError

#: containers whose path may continue with a dataset inside them (as ilastik splits paths)
CONTAINERS = (".h5", ".hdf5", ".hdf", ".he5", ".ilp", ".n5", ".zarr", ".npz")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")


@dataclass(frozen=True)
class StoredPath:
    """A lane's ``filePath`` taken apart.

    :param external: the file (or container directory) part, with ``/`` separators.
    :param inner: the dataset inside a container (``"raw/volume"``), or ``""``.
    """

    external: str
    inner: str

    @property
    def file_name(self) -> str:
        """Last component of the external part: what a search by name looks for."""
        return self.external.rstrip("/").rsplit("/", 1)[-1]

    def join(self, external: str) -> str:
        """``external`` with this path's inner dataset appended."""
        return f"{external}/{self.inner}" if self.inner else external


def parse_stored_path(text: str, what: str) -> StoredPath:
    """Split ilastik's ``filePath`` into file and inner dataset.

    :raises ValidationError: for what pixframework cannot import: URLs, image stacks (several files
        joined by ``;``/``:`` or glob patterns).
    """
    if _URL.match(text):
        raise ValidationError(f"{what} is read from a URL ({text}); only local files can be imported")
    body = text[2:] if _DRIVE.match(text) else text
    if ";" in body or ":" in body or "*" in body or "?" in body:
        raise ValidationError(
            f"{what} is an image stack ({text}); pixframework imports single files: save the stack as one "
            "file (e.g. TIFF or HDF5), point the lane at it in ilastik, and import again"
        )
    parts = [p for p in text.replace("\\", "/").split("/")]
    for i, part in enumerate(parts[:-1]):
        if part.lower().endswith(CONTAINERS):
            return StoredPath("/".join(parts[: i + 1]), "/".join(p for p in parts[i + 1 :] if p))
    return StoredPath("/".join(parts), "")


def is_foreign_absolute(external: str) -> bool:
    """Whether a path is absolute on Windows (a drive letter); never valid on this machine as is."""
    return bool(_DRIVE.match(external)) and os.name != "nt"


@dataclass(frozen=True)
class Located:
    """Result of looking for a lane's file.

    :param path: full path to open (external part plus inner dataset), or ``None`` if not found.
    :param tried: places looked at, for the error message.
    :param relocated: the folder the file was found in by name, when not at its stored place.
    """

    path: str | None
    tried: tuple[str, ...]
    relocated: str | None = None


def locate(stored: StoredPath, ilp_dir: Path, search_dirs: Sequence[str | os.PathLike]) -> Located:
    """Find a lane's file: its stored place (relative paths against the ``.ilp``'s folder), else a file
    of the same name directly in one of ``search_dirs`` (in order), then directly next to the ``.ilp``,
    then anywhere below ``search_dirs``.

    :raises ValidationError: when the search below the folders finds several files of that name.
    """
    external = stored.external
    tried: list[str] = []
    if not is_foreign_absolute(external):
        candidate = external if os.path.isabs(external) else os.path.normpath(os.path.join(ilp_dir, external))
        tried.append(candidate)
        if os.path.exists(candidate):
            return Located(stored.join(candidate), tuple(tried))
    name = stored.file_name
    folders = [os.path.abspath(folder) for folder in search_dirs]
    for folder in folders + [os.path.abspath(ilp_dir)]:
        candidate = os.path.join(folder, name)
        if candidate in tried:
            continue
        tried.append(candidate)
        if os.path.exists(candidate):
            return Located(stored.join(candidate), tuple(tried), folder)
    found = sorted(
        {
            os.path.join(root, name)
            for folder in folders
            for root, dirs, files in os.walk(folder)
            if name in files or name in dirs
        }
    )
    if len(found) > 1:
        listing = ", ".join(found[:5]) + (" ..." if len(found) > 5 else "")
        raise ValidationError(
            f"several files called {name!r} below the search folders: {listing}; "
            "pass the folder that holds the right one as --search-dir"
        )
    if found:
        return Located(stored.join(found[0]), tuple(tried), os.path.dirname(found[0]))
    tried += [os.path.join(folder, "**", name) for folder in folders]
    return Located(None, tuple(tried))
