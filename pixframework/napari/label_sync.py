"""Keep a napari Labels layer and the server's labels of one image in step.

The widget keeps a *mirror*: the labels as the server last had them. After a paint event, the
changed box (from napari's undo atoms, or the whole array when they cannot be read) is compared
with the mirror, and the difference becomes at most two server calls: new non-zero values go up with
``set_labels(labels, offset=...)`` (zeros there keep the server's labels), and pixels set back to 0
with one ``erase_mask(mask, offset=...)``. Whatever did not reach the server stays a difference and
is sent with the next change, so labels painted while the server was away are not lost. Changes
other clients made arrive as label patches (:meth:`LabelMirror.apply_patch`).

Pure numpy: no Qt, no napari import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Region = tuple[slice, ...]


@dataclass
class LabelChange:
    """What must reach the server to make it match the layer inside ``region``.

    :param region: the box that was compared (spatial slices of the image, ``(z)yx``).
    :param paint: labels over ``region`` with the new non-zero values and 0 elsewhere, or ``None``.
    :param erase: a boolean mask over ``region`` of the pixels to unlabel, or ``None``.
    """

    region: Region
    paint: np.ndarray | None = None
    erase: np.ndarray | None = None

    @property
    def empty(self) -> bool:
        return self.paint is None and self.erase is None

    @property
    def offset(self) -> tuple[int, ...]:
        return tuple(int(s.start) for s in self.region)

    def send(self, project: Any, image: str) -> None:
        """Apply the change through the client API (a :class:`~pixframework.client.RemoteProject`)."""
        if self.paint is not None:
            project.set_labels(image, self.paint, offset=self.offset)
        if self.erase is not None:
            project.erase_mask(image, self.erase, offset=self.offset)


class LabelMirror:
    """The server's labels of one image as last synchronised, over spatial axes ``(z)yx``.

    :param server_labels: labels read from the server (``get_labels``), copied.
    """

    def __init__(self, server_labels: np.ndarray):
        self.labels = np.array(server_labels, copy=True)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.labels.shape

    def diff(self, layer_data: np.ndarray, region: Region | None = None) -> LabelChange:
        """The change that makes the server match ``layer_data`` inside ``region`` (default: everywhere)."""
        region = _whole(self.shape) if region is None else _clip(region, self.shape)
        new = np.asarray(layer_data[region])
        old = self.labels[region]
        change = LabelChange(region)
        if new.size == 0:
            return change
        painted = (new != old) & (new > 0)
        if painted.any():
            change.paint = np.where(painted, new, 0).astype(new.dtype, copy=False)
        erased = (new == 0) & (old > 0)
        if erased.any():
            change.erase = erased
        return change

    def accept(self, change: LabelChange) -> None:
        """Record that ``change`` reached the server."""
        target = self.labels[change.region]
        if change.paint is not None:
            np.copyto(target, change.paint.astype(target.dtype, copy=False), where=change.paint > 0)
        if change.erase is not None:
            target[change.erase] = 0

    def apply_patch(self, region: Region, patch: np.ndarray, layer_data: np.ndarray) -> bool:
        """The server's labels of ``region`` are now ``patch`` (an event): take them, and show them in
        ``layer_data`` on the pixels not painted locally since the last sync (those are sent later and
        win or lose on the server in the order they arrive). Returns whether the layer changed."""
        region = _clip(region, self.shape)
        old = self.labels[region]
        untouched = layer_data[region] == old
        shown = untouched & (layer_data[region] != patch)
        self.labels[region] = patch
        if shown.any():
            np.copyto(layer_data[region], patch, where=untouched)
            return True
        return False

    def replace(self, server_labels: np.ndarray) -> None:
        """Take a fresh copy of the server's labels (after a refresh)."""
        self.labels = np.array(server_labels, copy=True)


def changed_region(atoms: Iterable[Any], shape: Sequence[int]) -> Region | None:
    """Bounding box of the edits in a napari paint event's ``value`` (a list of history atoms).

    Understands napari's mask atoms (``slice_key`` attribute, napari >= 0.6) and the older
    ``(indices, old_values, new_values)`` tuples. Returns ``None`` when nothing readable changed
    (the caller then compares the whole array).
    """
    lo = np.full(len(shape), np.iinfo(np.int64).max, dtype=np.int64)
    hi = np.full(len(shape), -1, dtype=np.int64)
    found = False
    for atom in atoms or ():
        key = getattr(atom, "slice_key", None)
        if key is not None and len(key) == len(shape):
            starts = [0 if s.start is None else int(s.start) for s in key]
            stops = [n if s.stop is None else int(s.stop) for s, n in zip(key, shape)]
            lo = np.minimum(lo, starts)
            hi = np.maximum(hi, np.array(stops) - 1)
            found = True
        elif isinstance(atom, tuple) and len(atom) == 3 and len(atom[0]) == len(shape):
            indices = [np.asarray(i).ravel() for i in atom[0]]
            if indices[0].size:
                lo = np.minimum(lo, [int(i.min()) for i in indices])
                hi = np.maximum(hi, [int(i.max()) for i in indices])
                found = True
        else:
            return None  # an atom of a kind we cannot read: compare everything
    if not found:
        return None
    return _clip(tuple(slice(int(a), int(b) + 1) for a, b in zip(lo, hi)), shape)


def _whole(shape: Sequence[int]) -> Region:
    return tuple(slice(0, int(n)) for n in shape)


def _clip(region: Region, shape: Sequence[int]) -> Region:
    return tuple(
        slice(
            max(0, min(int(s.start or 0), int(n))), max(0, min(int(n if s.stop is None else s.stop), int(n)))
        )
        for s, n in zip(region, shape)
    )
