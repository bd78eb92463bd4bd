"""OME-NGFF (OME-Zarr) metadata: find the multiscales, map their axes, build new metadata.

Versions read: 0.5 (zarr v3, attributes under ``"ome"``), 0.4 (zarr v2, ``"multiscales"`` in
``.zattrs``, axes as objects), 0.3 (axes as names) and 0.1/0.2 (implicit ``tczyx``).
Versions written: 0.4 and 0.5.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

from ..errors import CorruptData, ValidationError
from .zarr_nodes import attributes, node_kind

VERSIONS_WRITTEN = ("0.4", "0.5")
_IMPLICIT_AXES = "tczyx"  # NGFF 0.1/0.2 have no axes metadata: always 5D in this order
_SPACE = "zyx"


def multiscales(path: str) -> tuple[str, list[dict[str, Any]]] | None:
    """``(version, multiscales)`` of the OME-Zarr image group at ``path``, or ``None`` if it is none."""
    kind = node_kind(path)
    if kind is None or kind[0] != "group":
        return None
    attrs = attributes(path)
    ome = attrs.get("ome")
    if isinstance(ome, dict) and isinstance(ome.get("multiscales"), list) and ome["multiscales"]:
        return str(ome.get("version", "0.5")), ome["multiscales"]
    entries = attrs.get("multiscales")
    if isinstance(entries, list) and entries and isinstance(entries[0], dict):
        return str(entries[0].get("version", "0.4")), entries
    return None


def level_paths(entry: dict[str, Any], path: str) -> list[str]:
    """Paths of the resolution levels of a multiscales entry, finest first."""
    datasets = entry.get("datasets")
    if (
        not isinstance(datasets, list)
        or not datasets
        or not all(isinstance(d, dict) and "path" in d for d in datasets)
    ):
        raise CorruptData(f"{path!r}: OME-Zarr multiscales metadata lists no datasets")
    return [str(d["path"]) for d in datasets]


def axis_entries(entry: dict[str, Any], ndim: int, path: str) -> list[tuple[str, str | None]]:
    """``(name, type)`` per axis of the level arrays (type ``None`` where the metadata gives none)."""
    axes = entry.get("axes")
    if axes is None:
        if ndim > len(_IMPLICIT_AXES):
            raise CorruptData(f"{path!r}: OME-Zarr without axes metadata must have at most 5 dimensions")
        return [(name, None) for name in _IMPLICIT_AXES[-ndim:]]
    if not isinstance(axes, list) or len(axes) != ndim:
        raise CorruptData(f"{path!r}: OME-Zarr axes metadata {axes!r} does not match the {ndim}D data")
    out: list[tuple[str, str | None]] = []
    for axis in axes:
        if isinstance(axis, str):
            out.append((axis, None))
        elif isinstance(axis, dict) and "name" in axis:
            out.append((str(axis["name"]), axis.get("type")))
        else:
            raise CorruptData(f"{path!r}: malformed OME-Zarr axis {axis!r}")
    return out


def letters_for(
    entries: Sequence[tuple[str, str | None]], shape: Sequence[int], path: str
) -> tuple[str, tuple[int, ...]]:
    """Our axis letters for NGFF axes, dropping singleton axes we do not model (e.g. ``t`` of size 1).

    :returns: ``(axes, dropped_positions)``.
    :raises ValidationError: an axis of size > 1 that is not z, y, x or channel (e.g. time).
    """
    n_space = sum(1 for name, kind in entries if kind == "space")
    space_names = [name.lower() for name, kind in entries if kind == "space"]
    positional = iter(_SPACE[-n_space:]) if n_space and not set(space_names) <= set(_SPACE) else None
    letters, dropped = [], []
    for position, ((name, kind), size) in enumerate(zip(entries, shape)):
        lower = name.lower()
        if kind == "space":
            letter = next(positional) if positional is not None else lower
        elif kind == "channel" or (kind is None and lower == "c"):
            letter = "c"
        elif kind is None and lower in _SPACE:
            letter = lower
        else:
            letter = ""
        if not letter:
            if size != 1:
                raise ValidationError(
                    f"{path!r}: axis {name!r} ({kind or 'no type'}) has {size} entries; pixframework reads "
                    "z, y, x and one channel axis (open one time point, e.g. after converting the data)"
                )
            dropped.append(position)
            continue
        letters.append(letter)
    axes = "".join(letters)
    if len(set(axes)) != len(axes) or "y" not in axes or "x" not in axes:
        raise CorruptData(f"{path!r}: OME-Zarr axes {[n for n, _ in entries]} cannot be mapped to z, y, x, c")
    return axes, tuple(dropped)


def axes_of_level(array_path: str, shape: Sequence[int]) -> str | None:
    """Axes for an array that is a resolution level of an OME-Zarr image (``img.zarr/0``), else ``None``."""
    parent, name = os.path.split(os.path.normpath(array_path))
    found = multiscales(parent)
    if found is None:
        return None
    try:
        entry = found[1][0]
        if name not in level_paths(entry, parent):
            return None
        axes, dropped = letters_for(axis_entries(entry, len(shape), parent), shape, parent)
    except (CorruptData, ValidationError):
        return None
    return None if dropped else axes


def build_attributes(
    version: str,
    disk_axes: str,
    *,
    scale: Sequence[float] | None = None,
    unit: str | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """Group attributes of a single-level OME-Zarr image with axes ``disk_axes`` (``"czyx"`` order).

    :param scale: pixel size per spatial axis of ``disk_axes`` (z, y, x order), default 1.
    :param unit: spatial unit from the NGFF list (``"micrometer"``, ``"nanometer"``...), or ``None``.
    """
    spatial = [a for a in disk_axes if a != "c"]
    if scale is None:
        scale = [1.0] * len(spatial)
    scale = [float(s) for s in scale]
    if len(scale) != len(spatial) or any(not s > 0 for s in scale):
        raise ValidationError(
            f"scale must give one positive pixel size per spatial axis ({''.join(spatial)}), got {scale}"
        )
    per_axis = iter(scale)
    axes_meta: list[dict[str, Any]] = []
    full_scale: list[float] = []
    for axis in disk_axes:
        if axis == "c":
            axes_meta.append({"name": "c", "type": "channel"})
            full_scale.append(1.0)
        else:
            meta: dict[str, Any] = {"name": axis, "type": "space"}
            if unit:
                meta["unit"] = unit
            axes_meta.append(meta)
            full_scale.append(next(per_axis))
    entry: dict[str, Any] = {
        "name": name or "image",
        "axes": axes_meta,
        "datasets": [{"path": "0", "coordinateTransformations": [{"type": "scale", "scale": full_scale}]}],
    }
    if version == "0.4":
        return {"multiscales": [{"version": "0.4", **entry}]}
    if version == "0.5":
        return {"ome": {"version": "0.5", "multiscales": [entry]}}
    raise ValidationError(f"OME-Zarr version must be one of {list(VERSIONS_WRITTEN)}, got {version!r}")
