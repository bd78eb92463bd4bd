"""Feature vectors of pixels drawn at random from a project's images, labelled or not (the "pool").

Used by ``suggest_features`` to compare classifiers where there are no labels. The pixels come
from tiles planned like those of ``suggest_labels`` (every image has one), within
:data:`POOL_BUDGET` pixels, so the cost does not grow with the images.
"""

from __future__ import annotations

import numpy as np

from .tiles import pixels, plan_tiles
from .view import ProjectView

#: pixels whose features are computed at most
POOL_BUDGET = 1 << 18
#: pixels drawn from them
POOL_SIZE = 20_000


def pool_features(view: ProjectView, rng: np.random.Generator, size: int = POOL_SIZE, budget: int = POOL_BUDGET) -> np.ndarray:
    """float32 ``(m, F)`` features of up to ``size`` random pixels of the project's images."""
    areas = [(i, tuple(slice(0, s) for s in shape)) for i, shape in enumerate(view.shapes)]
    tiles = plan_tiles(areas, rng, budget)
    total = sum(pixels(tile) for _, tile in tiles)
    parts = []
    for index, tile in tiles:
        features = view.features_of(index, tile)
        count = pixels(tile)
        take = np.sort(rng.choice(count, min(count, max(1, round(size * count / total))), replace=False))
        parts.append(np.asarray(features[np.unravel_index(take, features.shape[:-1])], np.float32))
    return np.concatenate(parts)
