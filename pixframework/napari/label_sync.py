"""Keep a napari Labels layer and the server's labels of one image in step.

The widget keeps a *mirror*: the labels as the server last had them. After a paint event, the
changed box (from napari's undo atoms, or the whole array when they cannot be read) is compared
with the mirror, and the difference becomes server calls: new non-zero values go up with
``set_labels(labels, offset=...)`` (zeros there keep the server's labels), and pixels set back to 0
are erased as horizontal runs with ``erase(coords, radius=0)`` (a two-point stroke of radius 0
covers exactly one run of pixels). Whatever did not reach the server stays a difference and is
sent with the next change, so labels painted while the server was away are not lost.

Pure numpy: no Qt, no napari import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Region = tuple[slice, ...]


@dataclass
class LabelChange:
    """What must reach the server to make it match the layer inside ``region``.

    :param region: the box that was compared (spatial slices of the image, ``(z)yx``).
    :param paint: labels over ``region`` with the new non-zero values and 0 elsewhere, or ``None``.
    :param erase_runs: ``(start, stop)`` point pairs ((z)yx, inclusive ends) of pixel runs to set to 0.
    """

    region: Region
    paint: np.ndarray | None = None
    erase_runs: list[tuple[tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.paint is None and not self.erase_runs

    @property
    def offset(self) -> tuple[int, ...]:
        return tuple(int(s.start) for s in self.region)

    def send(self, project: Any, image: str) -> None:
        """Apply the change through the client API (a :class:`~pixframework.client.RemoteProject`)."""
        if self.paint is not None:
            project.set_labels(image, self.paint, offset=self.offset)
        for start, stop in self.erase_runs:
            project.erase(image, np.array([start, stop], dtype=np.int64), radius=0.0)


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
            change.erase_runs = _runs(erased, change.offset)
        return change

    def accept(self, change: LabelChange) -> None:
        """Record that ``change`` reached the server."""
        target = self.labels[change.region]
        if change.paint is not None:
            np.copyto(target, change.paint.astype(target.dtype, copy=False), where=change.paint > 0)
        offset = change.offset
        for start, stop in change.erase_runs:
            index = tuple(p - o for p, o in zip(start[:-1], offset[:-1]))
            target[index + (slice(start[-1] - offset[-1], stop[-1] - offset[-1] + 1),)] = 0

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


def _runs(mask: np.ndarray, offset: Sequence[int]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Runs of True along the last axis: ``(first, last)`` pixel positions in image coordinates."""
    flat = mask.reshape(-1, mask.shape[-1]).astype(np.int8)
    edges = np.diff(np.pad(flat, ((0, 0), (1, 1))), axis=1)
    rows_start, cols_start = np.nonzero(edges == 1)
    _, cols_stop = np.nonzero(edges == -1)  # same row order as the starts: one stop per start
    lead_shape = mask.shape[:-1]
    runs = []
    for row, a, b in zip(rows_start, cols_start, cols_stop):
        lead = np.unravel_index(int(row), lead_shape) if lead_shape else ()
        base = tuple(int(i) + int(o) for i, o in zip(lead, offset[:-1]))
        runs.append((base + (int(a) + offset[-1],), base + (int(b) - 1 + offset[-1],)))
    return runs


def _whole(shape: Sequence[int]) -> Region:
    return tuple(slice(0, int(n)) for n in shape)


def _clip(region: Region, shape: Sequence[int]) -> Region:
    return tuple(
        slice(
            max(0, min(int(s.start or 0), int(n))), max(0, min(int(n if s.stop is None else s.stop), int(n)))
        )
        for s, n in zip(region, shape)
    )
