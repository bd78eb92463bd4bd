"""The labels of all images of a project: one :class:`~pixframework.labels.SparseLabels` per image,
loaded from and saved to the project store, with what changed since the last save."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from .images import ImageEntry
from .labels import SparseLabels, check_erase_mask, check_label_patch, label_dtype, renumber_table
from .limits import DEFAULT_LIMITS, Limits
from .painting import stroke_mask
from .store import ProjectStore
from .undo import Edit, Piece, changed_pieces


class LabelSet:
    """Sparse labels per image id; an image without labels has no entry.

    :param entries: the stored label entries of ``project.json`` (image id -> entry).
    :param shapes: spatial shape per image id of the project's images (labels of other ids are dropped).
    """

    def __init__(self, store: ProjectStore, entries: Mapping[str, Any], shapes: Mapping[str, tuple[int, ...]]):
        self._store = store
        self._entries: dict[str, dict[str, Any]] = dict(entries)
        self._labels: dict[str, SparseLabels] = {
            image_id: store.read_labels(self._entries[image_id], shape)
            for image_id, shape in shapes.items()
            if image_id in self._entries
        }
        self._saved = self._versions()

    def _versions(self) -> dict[str, int]:
        return {k: v.version for k, v in self._labels.items()}

    def get(self, image_id: str) -> SparseLabels | None:
        """The labels of an image, ``None`` if it has none yet."""
        return self._labels.get(image_id)

    def get_or_create(self, image_id: str, spatial_shape: tuple[int, ...], n_classes: int) -> SparseLabels:
        labels = self._labels.get(image_id)
        if labels is None:
            labels = self._labels[image_id] = SparseLabels(spatial_shape, label_dtype(n_classes))
        return labels

    def read(self, image_id: str, region: tuple[slice, ...], n_classes: int) -> np.ndarray:
        """Labels of ``region`` of an image (zeros where it has none)."""
        labels = self._labels.get(image_id)
        if labels is None:
            return np.zeros(tuple(s.stop - s.start for s in region), label_dtype(n_classes))
        return labels[region]

    # ------------------------------------------------------------------ edits (each returns the pieces it changed)
    def _changing(self, image_id: str, regions: Sequence[tuple[slice, ...]], n_classes: int, apply: Callable[[], None]) -> tuple[Piece, ...]:
        """Run ``apply`` and return what it changed inside ``regions`` (which must hold every pixel it touches)."""
        before = [self.read(image_id, r, n_classes) for r in regions]
        apply()
        return changed_pieces(regions, before, [self.read(image_id, r, n_classes) for r in regions])

    def write_patch(self, image: ImageEntry, n_classes: int, labels: Any, offset: Sequence[int] | None) -> tuple[Piece, ...]:
        """Write the non-zero values of ``labels`` at ``offset`` (checked by :func:`~pixframework.labels.check_label_patch`)."""
        labels, region = check_label_patch(labels, offset, image.spatial_shape, n_classes, image.name)
        mask = labels > 0
        if not mask.any():
            return ()
        target = self.get_or_create(image.id, image.spatial_shape, n_classes)
        return self._changing(image.id, [region], n_classes, lambda: target.write(region, labels, mask))

    def erase_mask(self, image: ImageEntry, n_classes: int, mask: Any, offset: Sequence[int] | None) -> tuple[Piece, ...]:
        """Unlabel the pixels where ``mask`` (an array over spatial axes placed at ``offset``) is non-zero."""
        mask, region = check_erase_mask(mask, offset, image.spatial_shape, image.name)
        labels = self._labels.get(image.id)
        if labels is None or not mask.any():
            return ()
        return self._changing(image.id, [region], n_classes, lambda: labels.write(region, np.zeros(mask.shape, labels.dtype), mask))

    def stroke(
        self, image: ImageEntry, n_classes: int, value: int, coords: Any, radius: float, limits: Limits = DEFAULT_LIMITS
    ) -> tuple[int, tuple[Piece, ...]]:
        """Paint ``value`` (0 erases) along a brush stroke; returns the pixels inside it and the pieces changed.

        :param limits: the stroke limits, checked before anything is allocated.
        """
        stroke = stroke_mask(coords, radius, image.spatial_shape, limits)
        if stroke is None:
            return 0, ()
        region, mask = stroke
        labels = self.get_or_create(image.id, image.spatial_shape, n_classes) if value else self._labels.get(image.id)
        if labels is None:
            return int(mask.sum()), ()
        pieces = self._changing(image.id, [region], n_classes, lambda: labels.write(region, np.full(mask.shape, value, labels.dtype), mask))
        return int(mask.sum()), pieces

    def clear(self, image_id: str, index: int | None, n_classes: int) -> tuple[Piece, ...]:
        """Unlabel an image, or only class ``index`` of it."""
        labels = self._labels.get(image_id)
        if labels is None:
            return ()
        apply = labels.clear if index is None else lambda: labels.map_values(renumber_table(n_classes, index, shift=False))
        return self._changing(image_id, labels.chunk_regions(), n_classes, apply)

    def renumber(self, table: np.ndarray, n_classes: int) -> dict[str, tuple[Piece, ...]]:
        """Apply a renumbering table (:func:`~pixframework.labels.renumber_table`) to every image's labels;
        returns the pieces changed per image id (images whose labels did not change are left out)."""
        changed = {}
        for image_id, labels in self._labels.items():
            pieces = self._changing(image_id, labels.chunk_regions(), n_classes, lambda: labels.map_values(table))
            if pieces:
                changed[image_id] = pieces
        return changed

    def revert(self, edit: Edit, n_classes: int, *, undo: bool) -> tuple[Edit, tuple[Piece, ...]]:
        """Undo (or redo) ``edit`` on the pixels that still hold what it (or its undo) wrote.

        :returns: the edit as it now stands (its mask: the pixels reverted, for the opposite step)
            and the pieces changed.
        """
        labels = self._labels.get(edit.image_id)
        if labels is None:
            return replace(edit, pieces=()), ()
        now: list[Piece] = []

        def apply() -> None:
            for piece in edit.pieces:
                current = labels[piece.region]
                source, target = (piece.after, piece.before) if undo else (piece.before, piece.after)
                applicable = piece.mask & (current == source)
                if applicable.any():
                    labels.write(piece.region, target, applicable)
                    now.append(replace(piece, mask=applicable))

        pieces = self._changing(edit.image_id, [p.region for p in edit.pieces], n_classes, apply)
        return replace(edit, pieces=tuple(now)), pieces

    def labelled(self, image_ids: Iterable[str]) -> list[str]:
        """Those of ``image_ids`` that hold at least one label, in the given order."""
        return [i for i in image_ids if i in self._labels and not self._labels[i].is_empty]

    def drop(self, image_id: str) -> None:
        self._labels.pop(image_id, None)

    def counts_by_name(self, image_id: str, class_names: Sequence[str]) -> dict[str, int]:
        """Labelled pixels of an image per class name (classes without labels left out)."""
        labels = self._labels.get(image_id)
        counts = labels.counts() if labels is not None else {}
        return {class_names[k - 1]: v for k, v in sorted(counts.items()) if 0 < k <= len(class_names)}

    def widen_for(self, n_classes: int) -> None:
        """Switch every label array to the dtype that holds ``n_classes`` classes (uint8 -> uint16 past 255)."""
        dtype = label_dtype(n_classes)
        self._labels = {k: v if v.dtype == dtype else v.astype(dtype) for k, v in self._labels.items()}

    @property
    def has_changes(self) -> bool:
        return self._versions() != self._saved

    def save(self) -> dict[str, dict[str, Any]]:
        """Write labels changed since the last save under new names; returns the entries to commit.

        Call :meth:`saved` once the returned entries are committed.
        """
        for image_id, labels in self._labels.items():
            if labels.version != self._saved.get(image_id) or image_id not in self._entries:
                self._entries[image_id] = self._store.write_labels(labels)
        for image_id in list(self._entries):
            if image_id not in self._labels:
                del self._entries[image_id]
        return dict(self._entries)

    def saved(self) -> None:
        """Record the current versions as saved."""
        self._saved = self._versions()

    def to_json(self) -> dict[str, dict[str, Any]]:
        """The stored entries as of the last :meth:`save`."""
        return dict(self._entries)
