"""Committing label edits: each client's undo history, the ``labels_changed`` event, stale predictions.

Every change to labels goes through :meth:`LabelEditor.commit`, so an edit is announced exactly
once, with the labels of the region it changed as they are afterwards (what a watcher needs to
reproduce the server's labels), and can be undone by the client that made it.
"""

from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from .events import EventLog, current_client
from .label_set import LabelSet
from .undo import Edit, Piece, UndoHistory, bounding_region

#: label patches larger than this are left out of their event (the event says so; read the region instead)
MAX_PATCH_BYTES = 8 << 20


class LabelEditor:
    """Commits the label edits of one project.

    :param name_of: image id -> image name (events name images as clients do).
    :param changed: called after every change (drops cached predictions).
    """

    def __init__(self, labels: LabelSet, events: EventLog, name_of: Callable[[str], str], changed: Callable[[], None]):
        self.labels = labels
        self.events = events
        self.undo_history = UndoHistory()
        self._name_of = name_of
        self._changed = changed

    def commit(self, image_id: str, op: str, classes: Iterable[int], pieces: tuple[Piece, ...], *, undoable: bool = True) -> int:
        """Announce an edit (and keep it for its client's undo); returns the number of pixels it changed."""
        if not pieces:
            return 0
        edit = Edit(image_id, pieces)
        if undoable:
            self.undo_history.record(current_client(), edit)
        self._announce(edit, op, classes)
        return edit.pixels

    def _announce(self, edit: Edit, op: str, classes: Iterable[int]) -> None:
        self._changed()
        patches = [(p.region, p.after) for p in edit.pieces]
        for _, labels in patches:
            labels.setflags(write=False)  # shared by every watcher and the undo history
        omitted = sum(int(labels.nbytes) for _, labels in patches) > MAX_PATCH_BYTES
        self.events.emit(
            "labels_changed",
            image=self._name_of(edit.image_id),
            op=op,
            classes=sorted({int(c) for c in classes}),
            region=bounding_region(p.region for p in edit.pieces),
            patches=[] if omitted else patches,
            patches_omitted=omitted,
            pixels=edit.pixels,
        )

    def step(self, n_classes: int, *, undo: bool) -> int:
        """Undo (or redo) the calling client's latest edit that still changes something; returns the pixels changed.

        Edits whose pixels all hold other clients' labels by now change nothing and are passed over.
        """
        client = current_client()
        while True:
            edit = self.undo_history.take_undo(client) if undo else self.undo_history.take_redo(client)
            if edit is None:
                return 0
            now, pieces = self.labels.revert(edit, n_classes, undo=undo)
            if not pieces:
                continue
            if undo:
                self.undo_history.undone(client, now)
            else:
                self.undo_history.redone(client, now)
            written = np.unique(np.concatenate([p.after[p.mask] for p in pieces])).tolist()
            self._announce(Edit(edit.image_id, pieces), "undo" if undo else "redo", written)
            return sum(int(p.mask.sum()) for p in pieces)
