"""Path helpers shared by the format modules: container paths, suffixes and temporary siblings.

Container formats address data *inside* a file or store with a path that continues after the
file name: ``run.h5/raw/volume`` is dataset ``raw/volume`` of the HDF5 file ``run.h5``, and
``cells.zarr/0`` is array ``0`` of the zarr store ``cells.zarr``.
"""

from __future__ import annotations

import os
import uuid
from typing import Any, Iterable
from urllib.parse import urlparse
from urllib.request import url2pathname

from ..errors import ValidationError


def as_path(path: Any) -> str:
    """``path`` (a ``str``, ``os.PathLike`` or ``file://`` URI) as a local path string.

    :raises ValidationError: for other types, empty paths and non-local URIs (``s3://``, ``https://``).
    """
    if isinstance(path, (str, os.PathLike)):
        text = os.fspath(path)
        if isinstance(text, str) and text:
            parsed = urlparse(text)
            if parsed.scheme == "file":
                return url2pathname(parsed.path)
            if len(parsed.scheme) > 1 and "://" in text:  # one letter would be a Windows drive
                raise ValidationError(
                    f"only local files are supported, not {parsed.scheme}:// URIs ({text!r})"
                )
            return text
    raise ValidationError(f"an image path must be a non-empty string or path, got {path!r}")


def matched_suffix(name: str, suffixes: Iterable[str]) -> str | None:
    """The longest of ``suffixes`` (lower case, with dot) that the file name ``name`` ends with."""
    lower = name.lower()
    found = [s for s in suffixes if lower.endswith(s) and len(lower) > len(s)]
    return max(found, key=len) if found else None


def components(path: str) -> list[str]:
    """Prefixes of ``path`` ending at each component, shortest first (``a``, ``a/b.h5``, ``a/b.h5/g``)."""
    parts = os.path.normpath(path).split(os.sep)
    out: list[str] = []
    for i in range(len(parts)):
        prefix = os.sep.join(parts[: i + 1]) or os.sep
        if prefix:
            out.append(prefix)
    return out


def split_inner(prefix: str, path: str) -> str:
    """The part of ``path`` after ``prefix``, with ``/`` separators (``""`` if nothing follows)."""
    rest = os.path.relpath(os.path.normpath(path), prefix) if os.path.normpath(path) != prefix else ""
    return "" if rest == "." else rest.replace(os.sep, "/")


def existing_file_prefix(path: str) -> tuple[str, str] | None:
    """Split ``path`` at the component that is an existing regular file: ``("a/run.h5", "raw/volume")``.

    At most one prefix can be a regular file (a file has no children), so the answer is unique.
    Returns ``None`` when no prefix is an existing file.
    """
    current = os.path.normpath(path)
    while current:
        if os.path.isfile(current):
            return current, split_inner(current, path)
        if os.path.isdir(current):
            return None  # nothing above an existing directory can be a file
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
    return None


def split_at_suffix(path: str, suffixes: Iterable[str]) -> tuple[str, str, str] | None:
    """Split ``path`` after the deepest component whose name ends with one of ``suffixes``.

    :returns: ``(container, inner, suffix)``, e.g. ``("out/a.zarr", "raw", ".zarr")``, or ``None``.
    """
    suffixes = tuple(suffixes)
    for prefix in reversed(components(path)):
        suffix = matched_suffix(os.path.basename(prefix), suffixes)
        if suffix is not None:
            return prefix, split_inner(prefix, path), suffix
    return None


def temp_sibling(path: str, extra: str = "") -> str:
    """A fresh temporary file name next to ``path`` (same directory, so ``os.replace`` is atomic).

    The parent directory is created if missing.
    """
    directory, name = os.path.split(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    return os.path.join(directory, f".{name}.pixf-{uuid.uuid4().hex[:12]}.part{extra}")


def starts_with(path: str, *magics: bytes) -> bool:
    """Whether the file at ``path`` begins with one of ``magics`` (format sniffing; never raises)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(max(len(m) for m in magics))
    except OSError:
        return False
    return any(head.startswith(m) for m in magics)


def remove_quietly(path: str | None) -> None:
    """Delete a temporary file if it exists; never raises (used while already handling an error)."""
    if path:
        try:
            os.remove(path)
        except OSError:
            pass
