"""Label edits as before/after pieces, and each client's own undo and redo history.

An edit is what one call changed in the labels of one image: pieces (a region, the labels there
before and after, and which pixels changed). Undo restores the "before" values only on pixels that
still hold what the edit wrote; a pixel another client has painted since keeps that client's label.
Redo writes the edit again, likewise only where the pixels still hold what the undo restored.
Each client (:func:`~pixframework.events.current_client`) steps through its own edits only.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

import numpy as np

#: edits each client can undo, and the bytes one client's history may take at most
UNDO_DEPTH = 100
UNDO_BYTES = 64 << 20


@dataclass(frozen=True)
class Piece:
    """One region of an edit: labels ``before`` and ``after`` it, and the pixels it changed (``mask``)."""

    region: tuple[slice, ...]
    before: np.ndarray
    after: np.ndarray
    mask: np.ndarray

    @property
    def nbytes(self) -> int:
        return int(self.before.nbytes + self.after.nbytes + self.mask.nbytes)


@dataclass(frozen=True)
class Edit:
    """What one call changed in the labels of image ``image_id``."""

    image_id: str
    pieces: tuple[Piece, ...]

    @property
    def nbytes(self) -> int:
        return sum(p.nbytes for p in self.pieces)

    @property
    def pixels(self) -> int:
        """Number of pixels the edit changed."""
        return sum(int(p.mask.sum()) for p in self.pieces)


def changed_pieces(regions: Sequence[tuple[slice, ...]], before: Sequence[np.ndarray], after: Sequence[np.ndarray]) -> tuple[Piece, ...]:
    """The pieces where ``after`` differs from ``before``, each cut down to the box around its changed pixels."""
    pieces = []
    for region, old, new in zip(regions, before, after):
        mask = old != new
        if not mask.any():
            continue
        box = tuple(slice(int(idx.min()), int(idx.max()) + 1) for idx in np.nonzero(mask))
        cut = tuple(slice(r.start + b.start, r.start + b.stop) for r, b in zip(region, box))
        pieces.append(Piece(cut, old[box].copy(), new[box].copy(), mask[box].copy()))
    return tuple(pieces)


def bounding_region(regions: Iterable[tuple[slice, ...]]) -> tuple[slice, ...]:
    """The smallest box holding all ``regions`` (at least one)."""
    regions = list(regions)
    return tuple(
        slice(min(r[axis].start for r in regions), max(r[axis].stop for r in regions)) for axis in range(len(regions[0]))
    )


class _Stacks:
    def __init__(self) -> None:
        self.undo: deque[Edit] = deque()
        self.redo: list[Edit] = []

    @property
    def nbytes(self) -> int:
        return sum(e.nbytes for e in self.undo) + sum(e.nbytes for e in self.redo)


class UndoHistory:
    """The undo and redo stacks of every client of one project.

    :param depth: edits kept per client (older ones can no longer be undone).
    :param max_bytes: bytes one client's stacks may take (the oldest edits go first).
    """

    def __init__(self, depth: int = UNDO_DEPTH, max_bytes: int = UNDO_BYTES):
        self.depth = int(depth)
        self.max_bytes = int(max_bytes)
        self._clients: dict[str, _Stacks] = {}

    def _stacks(self, client: str) -> _Stacks:
        return self._clients.setdefault(client, _Stacks())

    def record(self, client: str, edit: Edit) -> None:
        """A new edit of ``client``: it can be undone; what ``client`` had undone can no longer be redone."""
        stacks = self._stacks(client)
        stacks.redo.clear()
        self._push_undo(stacks, edit)

    def _push_undo(self, stacks: _Stacks, edit: Edit) -> None:
        stacks.undo.append(edit)
        while stacks.undo and (len(stacks.undo) > self.depth or stacks.nbytes > self.max_bytes):
            stacks.undo.popleft()

    def take_undo(self, client: str) -> Edit | None:
        """The latest edit of ``client`` still to undo (removed from its undo stack), or ``None``."""
        stacks = self._clients.get(client)
        return stacks.undo.pop() if stacks and stacks.undo else None

    def take_redo(self, client: str) -> Edit | None:
        """The latest edit ``client`` undid (removed from its redo stack), or ``None``."""
        stacks = self._clients.get(client)
        return stacks.redo.pop() if stacks and stacks.redo else None

    def undone(self, client: str, edit: Edit) -> None:
        """``edit`` was undone (on the pixels its mask now names): it can be redone."""
        self._stacks(client).redo.append(edit)

    def redone(self, client: str, edit: Edit) -> None:
        """``edit`` was redone: it can be undone again (the redo stack stays)."""
        self._push_undo(self._stacks(client), edit)

    def counts(self, client: str) -> tuple[int, int]:
        """``(edits to undo, edits to redo)`` of ``client``."""
        stacks = self._clients.get(client)
        return (len(stacks.undo), len(stacks.redo)) if stacks else (0, 0)

    # ------------------------------------------------------------------ follow the project's changes
    def _rewrite(self, change) -> None:  # type: ignore[no-untyped-def]
        for stacks in self._clients.values():
            stacks.undo = deque(e for e in map(change, stacks.undo) if e is not None)
            stacks.redo = [e for e in map(change, stacks.redo) if e is not None]

    def drop_image(self, image_id: str) -> None:
        """An image was removed: its edits cannot be undone any more."""
        self._rewrite(lambda e: None if e.image_id == image_id else e)

    def renumber(self, table: np.ndarray) -> None:
        """Classes were renumbered (one removed): the stored labels follow the same table."""

        def mapped(edit: Edit) -> Edit:
            pieces = tuple(replace(p, before=table[p.before].astype(p.before.dtype), after=table[p.after].astype(p.after.dtype)) for p in edit.pieces)
            return replace(edit, pieces=pieces)

        self._rewrite(mapped)

    def astype(self, dtype: np.dtype) -> None:
        """The label dtype widened (more than 255 classes)."""
        self._rewrite(
            lambda e: replace(e, pieces=tuple(replace(p, before=p.before.astype(dtype), after=p.after.astype(dtype)) for p in e.pieces))
        )
