"""Sparse label storage: only chunks that hold labels take memory or disk space.

Labels are class indices (``1..C``; ``0`` means unlabelled) over an image's spatial axes
(``yx`` or ``zyx``). A :class:`SparseLabels` behaves like a read-only array for slicing
(``labels[region]``), so the sample gatherer and exporters read it like any other array.
"""

from __future__ import annotations

import itertools
from typing import Any, Iterator, Sequence

import numpy as np

from .errors import ValidationError
from .io.axes import normalize_region

#: chunk edge per spatial dimensionality: 256 x 256 in 2D, 64^3 in 3D (256 KiB of uint8 each)
CHUNK_EDGE = {2: 256, 3: 64}


def label_dtype(n_classes: int) -> np.dtype:
    """Smallest unsigned dtype that holds class indices up to ``n_classes``."""
    return np.dtype(np.uint8) if n_classes <= 255 else np.dtype(np.uint16)


def renumber_table(n_classes: int, index: int, *, shift: bool) -> np.ndarray:
    """Table for :meth:`SparseLabels.map_values` that unlabels class ``index`` (of ``1..n_classes``).

    With ``shift`` the classes after it move down one index (the class is being removed, as in
    ilastik); without, they keep theirs (only that class's labels are being cleared).
    """
    table = np.arange(n_classes + 1)
    table[index] = 0
    if shift:
        table[index + 1 :] -= 1
    return table


def _placed_region(
    array: np.ndarray, offset: Sequence[int] | None, spatial_shape: tuple[int, ...], what: str, image: str
) -> tuple[slice, ...]:
    """The region an integer or boolean ``array`` covers when placed at ``offset`` (default: the origin)."""
    ndim = len(spatial_shape)
    if array.ndim != ndim:
        raise ValidationError(f"{what} must have {ndim} spatial dimensions, got shape {array.shape}")
    if array.dtype.kind not in "biu":
        raise ValidationError(f"{what} must be integers, got dtype {array.dtype}")
    offset = tuple(int(o) for o in (offset if offset is not None else (0,) * ndim))
    if len(offset) != ndim:
        raise ValidationError(f"offset must have {ndim} entries, got {offset}")
    if any(o < 0 or o + s > size for o, s, size in zip(offset, array.shape, spatial_shape)) or array.size == 0:
        raise ValidationError(
            f"{what} of shape {array.shape} at offset {offset} do not fit image {image!r} "
            f"of spatial shape {spatial_shape}"
        )
    return tuple(slice(o, o + s) for o, s in zip(offset, array.shape))


def check_label_patch(
    labels: Any, offset: Sequence[int] | None, spatial_shape: tuple[int, ...], n_classes: int, image: str
) -> tuple[np.ndarray, tuple[slice, ...]]:
    """Check labels written into an image at ``offset``; returns them as an array and the region they cover.

    :raises ValidationError: wrong dimensionality or dtype, outside the image, empty, or values
        other than 0 (unlabelled) and a class index ``1..n_classes``.
    """
    labels = np.asarray(labels)
    region = _placed_region(labels, offset, spatial_shape, "labels", image)
    if labels.min() < 0 or labels.max() > n_classes:
        raise ValidationError(
            f"label values must be 0 (unlabelled) or a class index 1..{n_classes}; "
            f"got values {int(labels.min())}..{int(labels.max())}"
        )
    return labels, region


def check_erase_mask(
    mask: Any, offset: Sequence[int] | None, spatial_shape: tuple[int, ...], image: str
) -> tuple[np.ndarray, tuple[slice, ...]]:
    """Check an eraser mask (non-zero: erase) placed into an image at ``offset``; returns it as booleans
    and the region it covers.

    :raises ValidationError: wrong dimensionality, neither boolean nor integer, outside the image, or empty.
    """
    mask = np.asarray(mask)
    return mask != 0, _placed_region(mask, offset, spatial_shape, "eraser masks", image)


def check_label_array(labels: Any, spatial_shape: tuple[int, ...], what: str) -> Any:
    """Check training labels of a whole image (any array-like: numpy, zarr, :class:`SparseLabels`).

    :raises ValidationError: a shape other than the image's spatial shape, or a non-integer dtype.
    """
    if not hasattr(labels, "shape") or not hasattr(labels, "__getitem__"):
        labels = np.asarray(labels)
    shape = tuple(int(s) for s in labels.shape)
    if shape != spatial_shape:
        raise ValidationError(f"{what} have shape {shape} but the image's spatial shape (z)yx is {spatial_shape}")
    dtype = np.dtype(getattr(labels, "dtype", np.int64))
    if dtype.kind not in "iu":
        raise ValidationError(f"{what} must be integers (0 = unlabelled), got dtype {dtype}")
    return labels


class SparseLabels:
    """Chunked label array keeping only non-empty chunks.

    :param shape: spatial shape ``(y, x)`` or ``(z, y, x)``.
    :param dtype: unsigned integer dtype of the class indices.
    """

    def __init__(self, shape: Sequence[int], dtype: np.dtype | type = np.uint8, chunks: Sequence[int] | None = None):
        self.shape = tuple(int(s) for s in shape)
        if len(self.shape) not in (2, 3):
            raise ValidationError(f"labels must be 2D or 3D, got shape {self.shape}")
        self.dtype = np.dtype(dtype)
        edge = CHUNK_EDGE[len(self.shape)]
        self.chunks = tuple(int(c) for c in chunks) if chunks is not None else (edge,) * len(self.shape)
        self.ndim = len(self.shape)
        self._blocks: dict[tuple[int, ...], np.ndarray] = {}
        #: bumped on every change; lets caches (samples, predictions) know they are stale
        self.version = 0

    # ---------------------------------------------------------------- geometry
    def _chunk_ranges(self, region: tuple[slice, ...]) -> Iterator[tuple[tuple[int, ...], tuple[slice, ...], tuple[slice, ...]]]:
        """Yield (chunk index, slice inside the chunk, slice inside the region) for chunks overlapping region."""
        per_axis = []
        for sl, c in zip(region, self.chunks):
            per_axis.append(range(sl.start // c, (sl.stop - 1) // c + 1))
        for index in itertools.product(*per_axis):
            in_chunk, in_region = [], []
            for i, sl, c in zip(index, region, self.chunks):
                lo, hi = max(sl.start, i * c), min(sl.stop, (i + 1) * c)
                in_chunk.append(slice(lo - i * c, hi - i * c))
                in_region.append(slice(lo - sl.start, hi - sl.start))
            yield index, tuple(in_chunk), tuple(in_region)

    def _chunk_shape(self, index: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(min(c, s - i * c) for i, c, s in zip(index, self.chunks, self.shape))

    # ---------------------------------------------------------------- reading
    def __getitem__(self, key: tuple[slice, ...]) -> np.ndarray:
        region = normalize_region(key if isinstance(key, tuple) else (key,), self.shape)
        out = np.zeros(tuple(sl.stop - sl.start for sl in region), self.dtype)
        for index, in_chunk, in_region in self._chunk_ranges(region):
            block = self._blocks.get(index)
            if block is not None:
                out[in_region] = block[in_chunk]
        return out

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        full = self[tuple(slice(0, s) for s in self.shape)]
        return full if dtype is None else full.astype(dtype)

    def chunk_items(self) -> Iterator[tuple[tuple[int, ...], np.ndarray]]:
        """Non-empty chunks as ``(chunk index, block)``, in index order."""
        for index in sorted(self._blocks):
            yield index, self._blocks[index]

    def chunk_origin(self, index: tuple[int, ...]) -> tuple[int, ...]:
        """Spatial coordinates of a chunk's first pixel."""
        return tuple(i * c for i, c in zip(index, self.chunks))

    def chunk_regions(self) -> list[tuple[slice, ...]]:
        """The regions of the non-empty chunks, in index order (where anything is labelled)."""
        return [
            tuple(slice(o, o + s) for o, s in zip(self.chunk_origin(index), self._chunk_shape(index)))
            for index in sorted(self._blocks)
        ]

    def counts(self) -> dict[int, int]:
        """Number of labelled pixels per class index (classes with no labels are absent)."""
        total: dict[int, int] = {}
        for block in self._blocks.values():
            values, n = np.unique(block[block > 0], return_counts=True)
            for v, k in zip(values.tolist(), n.tolist()):
                total[v] = total.get(v, 0) + k
        return total

    @property
    def is_empty(self) -> bool:
        return not self._blocks

    # ---------------------------------------------------------------- writing
    def write(self, region: tuple[slice, ...], values: np.ndarray, mask: np.ndarray | None = None) -> None:
        """Write ``values`` into ``region`` where ``mask`` is true (everywhere when ``mask`` is None)."""
        values = np.asarray(values)
        for index, in_chunk, in_region in self._chunk_ranges(region):
            block = self._blocks.get(index)
            sub_mask = None if mask is None else mask[in_region]
            if block is None:
                if not np.any(values[in_region] if sub_mask is None else values[in_region][sub_mask]):
                    continue  # writing zeros into an empty chunk changes nothing
                block = np.zeros(self._chunk_shape(index), self.dtype)
                self._blocks[index] = block
            if sub_mask is None:
                block[in_chunk] = values[in_region]
            else:
                np.copyto(block[in_chunk], values[in_region].astype(self.dtype, copy=False), where=sub_mask)
            if not block.any():
                del self._blocks[index]
        self.version += 1

    def map_values(self, table: np.ndarray) -> None:
        """Replace every value v by ``table[v]`` (used to remove or renumber classes)."""
        for index in list(self._blocks):
            block = table[self._blocks[index]].astype(self.dtype)
            if block.any():
                self._blocks[index] = block
            else:
                del self._blocks[index]
        self.version += 1

    def astype(self, dtype: np.dtype | type) -> "SparseLabels":
        """A copy with another dtype (e.g. uint16 once there are more than 255 classes)."""
        other = SparseLabels(self.shape, dtype, self.chunks)
        other._blocks = {k: v.astype(dtype) for k, v in self._blocks.items()}
        other.version = self.version + 1
        return other

    def clear(self) -> None:
        self._blocks.clear()
        self.version += 1

    def set_block(self, index: tuple[int, ...], block: np.ndarray) -> None:
        """Install a whole chunk (used when loading from disk); validated against the geometry."""
        if len(index) != self.ndim or any(i < 0 or i * c >= s for i, c, s in zip(index, self.chunks, self.shape)):
            raise ValidationError(f"label chunk {index} lies outside labels of shape {self.shape}")
        if block.shape != self._chunk_shape(index):
            raise ValidationError(f"label chunk {index} has shape {block.shape}, expected {self._chunk_shape(index)}")
        if block.any():
            self._blocks[index] = block.astype(self.dtype, copy=False)
