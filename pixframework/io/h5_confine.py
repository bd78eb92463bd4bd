"""What an HDF5 object may point to while a confinement applies (see :mod:`pixframework.confine`).

The HDF5 library opens files itself, out of sight of Python's audit hook, when it follows an
external link, reads external raw storage or assembles a virtual dataset. These functions find
every such file before any pixel is read or written and refuse those outside the data root.
Relative names are checked against both the HDF5 file's folder and the working directory,
because the library may use either; after following a link, the file actually reached is checked.
"""

from __future__ import annotations

import os
from typing import Any

import h5py

from .. import confine
from ..errors import PermissionDenied

#: how deep virtual datasets may refer to virtual datasets
_MAX_DEPTH = 8


def _check_named_file(name: Any, holder: str, what: str) -> list[str]:
    """Check a file name an HDF5 object records; returns the locations the library may use.

    A relative name may be taken relative to the HDF5 file's folder or to the working directory:
    every one of those that exists must be inside the data root.
    """
    text = os.fsdecode(name)
    if os.path.isabs(text):
        places = [text]
    else:
        places = [p for p in (os.path.join(os.path.dirname(holder), text), os.path.abspath(text)) if os.path.lexists(p)]
    for place in places:
        confine.check_file(place, what)
    return places


def walk_to(handle: Any, inner: str) -> Any:
    """Follow ``inner`` from the root of an open file one link at a time, checking external links
    and the file every step lands in; returns the object, or ``None`` if a part does not exist."""
    current = handle
    for part in [p for p in inner.split("/") if p]:
        link = current.get(part, getlink=True) if isinstance(current, h5py.Group) else None
        if link is None:
            return None
        if isinstance(link, h5py.ExternalLink):
            _check_named_file(link.filename, current.file.filename, f"HDF5 external link {part!r}")
        try:
            current = current[part]
        except KeyError:
            return None  # a dangling soft or external link
        confine.check_file(current.file.filename, f"HDF5 object {inner!r}")
    return current


def check_dataset(dataset: Any, depth: int = 0) -> None:
    """Refuse a dataset whose pixels come from files outside the data root (external storage,
    virtual dataset sources, recursively). No-op when no confinement applies."""
    if confine.current() is None:
        return
    holder = dataset.file.filename
    confine.check_file(holder, f"HDF5 dataset {dataset.name!r}")
    for entry in dataset.external or ():
        _check_named_file(entry[0], holder, f"external storage of HDF5 dataset {dataset.name!r}")
    if not dataset.is_virtual:
        return
    if depth >= _MAX_DEPTH:
        raise PermissionDenied(f"HDF5 dataset {dataset.name!r} nests virtual datasets more than {_MAX_DEPTH} deep")
    for source in dataset.virtual_sources():
        name = os.fsdecode(source.file_name)
        if name == ".":
            target = walk_to(dataset.file, source.dset_name)
            if isinstance(target, h5py.Dataset):
                check_dataset(target, depth + 1)
            continue
        if "%" in name:
            raise PermissionDenied(
                f"HDF5 virtual dataset {dataset.name!r} names its sources by a pattern ({name!r}); "
                "the server cannot check where they are"
            )
        what = f"source of HDF5 virtual dataset {dataset.name!r}"
        for place in _check_named_file(name, holder, what):
            if os.path.isfile(place) and h5py.is_hdf5(place):
                with h5py.File(place, "r") as other:
                    target = walk_to(other, source.dset_name)
                    if isinstance(target, h5py.Dataset):
                        check_dataset(target, depth + 1)
