"""Zarr stores on the local file system: what a path holds, and making room for a new node.

Reads the metadata files directly (``zarr.json`` for zarr v3, ``.zarray``/``.zgroup``/``.zattrs``
for v2), which is cheap and never runs codecs, so format sniffing stays fast and safe.
"""

from __future__ import annotations

import json
import os
import shutil
from typing import Any, Callable

from ..errors import CorruptData, ValidationError
from .paths import split_at_suffix

ZARR_SUFFIXES = (".zarr",)
_LIST_LIMIT = 12


def load_json(path: str) -> dict[str, Any] | None:
    """The JSON object in the file at ``path``, or ``None`` if it is missing or not a JSON object."""
    try:
        with open(path, encoding="utf-8") as fh:
            value = json.load(fh)
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def node_kind(path: str) -> tuple[str, int] | None:
    """``("array" | "group", zarr_format)`` for the zarr node at ``path``, or ``None`` if it is none."""
    if not os.path.isdir(path):
        return None
    meta = load_json(os.path.join(path, "zarr.json"))
    if meta is not None and meta.get("node_type") in ("array", "group"):
        return str(meta["node_type"]), 3
    if os.path.isfile(os.path.join(path, ".zarray")):
        return "array", 2
    if os.path.isfile(os.path.join(path, ".zgroup")):
        return "group", 2
    return None


def attributes(path: str) -> dict[str, Any]:
    """User attributes of the zarr node at ``path`` (``{}`` when there are none or it is no node)."""
    kind = node_kind(path)
    if kind is None:
        return {}
    if kind[1] == 3:
        meta = load_json(os.path.join(path, "zarr.json")) or {}
        attrs = meta.get("attributes", {})
    else:
        attrs = load_json(os.path.join(path, ".zattrs")) or {}
    return attrs if isinstance(attrs, dict) else {}


def child_arrays(path: str, depth: int = 3) -> list[str]:
    """Relative paths of the arrays below the group at ``path`` (a few levels deep, a few names)."""
    found: list[str] = []

    def visit(folder: str, rel: str, level: int) -> None:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return
        for name in names:
            child = os.path.join(folder, name)
            kind = node_kind(child)
            if kind is None or len(found) >= _LIST_LIMIT:
                continue
            sub = f"{rel}/{name}" if rel else name
            if kind[0] == "array":
                found.append(sub)
            elif level < depth:
                visit(child, sub, level + 1)

    visit(path, "", 1)
    return found


def split_store(path: str) -> tuple[str, str]:
    """``("out.zarr", "raw/a")`` for ``out.zarr/raw/a``; the whole path is the store without ``.zarr``."""
    split = split_at_suffix(path, ZARR_SUFFIXES)
    return (split[0], split[1]) if split else (path, "")


def prepare_node(path: str, kind: str, *, resume: bool, replaceable: Callable[[str], bool]) -> str:
    """Decide what creating a zarr ``kind`` at ``path`` does: ``"new"``, ``"replace"`` or ``"resume"``.

    Existing data is only ever replaced when it is a node of the same kind that
    ``replaceable(path)`` accepts (an earlier output); anything else is refused, so a typo never
    deletes a dataset. ``"replace"`` removes the old node here.

    :raises ValidationError: ``path`` holds something that must not be overwritten.
    """
    if not os.path.lexists(path):
        return "new"
    existing = node_kind(path)
    if existing is None:
        raise ValidationError(f"{path!r} exists and is not a zarr {kind}; refusing to overwrite it")
    if existing[0] != kind or not replaceable(path):
        described = "zarr group" if existing[0] == "group" else "zarr array"
        raise ValidationError(
            f"{path!r} is an existing {described} that is not a previous output of this kind; "
            "refusing to overwrite it (choose another path or delete it first)"
        )
    if resume:
        return "resume"
    shutil.rmtree(path)
    return "replace"


def require_node(path: str) -> tuple[str, int]:
    """The kind of the zarr node at the existing ``path``; :class:`CorruptData` if it is none."""
    kind = node_kind(path)
    if kind is None:
        raise CorruptData(f"{path!r} is not a zarr store: no readable zarr.json, .zarray or .zgroup metadata")
    return kind
