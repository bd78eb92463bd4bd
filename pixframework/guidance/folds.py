"""Cross-validation folds over labelled pixels that keep neighbours together.

Pixels of one brush stroke are near copies of each other: a random pixel split puts copies on both
sides and every feature set looks perfect. Pixels are therefore grouped into spatial blocks (per
image), and whole blocks are dealt to folds, class by class (by the block's most common class), so
every fold tests every class. Blocks shrink (32, 16, 8, 4 pixels) until each class has a block in
every fold; when even 4-pixel blocks do not allow that, pixels are dealt one by one and the split
says so (the accuracies are then optimistic).
"""

from __future__ import annotations

import numpy as np

#: block edges tried, largest first (pixels)
BLOCK_EDGES = (32, 16, 8, 4)
#: folds at most
MAX_FOLDS = 3


def _groups(positions: np.ndarray, edge: int) -> np.ndarray:
    """Group id per pixel: its image and block of ``edge`` pixels (``positions``: image, z, y, x)."""
    keys = np.concatenate([positions[:, :1], positions[:, 1:] // edge], axis=1)
    return np.unique(keys, axis=0, return_inverse=True)[1].ravel()


def _deal(groups: np.ndarray, y: np.ndarray, folds: int, rng: np.random.Generator) -> np.ndarray | None:
    """Fold per pixel from whole groups dealt round-robin within each majority class; None if a class
    would miss a fold."""
    n_groups = int(groups.max()) + 1
    classes = np.unique(y)
    counts = np.zeros((n_groups, len(classes)), np.int64)
    np.add.at(counts, (groups, np.searchsorted(classes, y)), 1)
    majority = counts.argmax(axis=1)
    fold_of_group = np.empty(n_groups, np.int64)
    for c in range(len(classes)):
        members = np.flatnonzero(majority == c)
        if len(members) < folds:
            return None
        fold_of_group[rng.permutation(members)] = np.arange(len(members)) % folds
    fold = fold_of_group[groups]
    for f in range(folds):
        if len(np.unique(y[fold == f])) < len(classes) or len(np.unique(y[fold != f])) < len(classes):
            return None
    return fold


def make_folds(positions: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, int, str]:
    """``(fold per pixel, number of folds, description of the split)``.

    :param positions: int64 ``(n, 4)``: image index, z, y, x.
    :param y: class per pixel (at least two classes, two pixels each).
    """
    smallest = int(np.unique(y, return_counts=True)[1].min())
    folds = max(2, min(MAX_FOLDS, smallest))
    for edge in BLOCK_EDGES:
        for k in range(folds, 1, -1):
            fold = _deal(_groups(positions, edge), y, k, rng)
            if fold is not None:
                return fold, k, f"blocks of {edge} px"
    return _deal(np.arange(len(y)), y, folds, rng), folds, "pixels"
