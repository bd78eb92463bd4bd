"""Which parts of which images ``suggest_labels`` looks at: everything when small, random tiles when big.

The cost of a suggestion is that of computing features and probabilities over the analysed
pixels, so their number is bounded by a budget (:data:`PIXEL_BUDGET`). Each area (an image, or the
region asked for) is cut into tiles of about :data:`TILE_EDGE` pixels a side. When all tiles fit
the budget, all are analysed; otherwise every area gets one tile first (so no image is left out),
then tiles drawn at random from all areas are added while the budget lasts. The draw depends only
on the seed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

#: pixels (voxels in 3D) analysed per call at most, whatever the size of the images: 4 Mi
PIXEL_BUDGET = 1 << 22
#: tile edge per dimensionality: large enough that the filters' context adds little (σ 10 reads 35 px around)
TILE_EDGE = {2: 512, 3: 96}

Region = tuple[slice, ...]


def split_evenly(region: Region, edge: int) -> list[Region]:
    """Tiles of at most ``edge`` pixels a side covering ``region``, of near-equal sizes along each axis."""
    per_axis = []
    for s in region:
        size = s.stop - s.start
        parts = max(1, math.ceil(size / edge))
        cuts = [s.start + (size * k) // parts for k in range(parts + 1)]
        per_axis.append([slice(a, b) for a, b in itertools.pairwise(cuts)])
    return [tuple(t) for t in itertools.product(*per_axis)]


def pixels(region: Region) -> int:
    return int(np.prod([s.stop - s.start for s in region]))


def _crop(region: Region, budget: int, rng: np.random.Generator) -> Region:
    """A window of ``region`` holding at most ``budget`` pixels (same aspect), at a random place."""
    size = pixels(region)
    if size <= budget:
        return region
    factor = (budget / size) ** (1.0 / len(region))
    window = []
    for s in region:
        length = max(1, int((s.stop - s.start) * factor))
        start = s.start + int(rng.integers(0, s.stop - s.start - length + 1))
        window.append(slice(start, start + length))
    return tuple(window)


def plan_tiles(
    areas: Sequence[tuple[int, Region]], rng: np.random.Generator, budget: int = PIXEL_BUDGET
) -> list[tuple[int, Region]]:
    """Tiles to analyse: ``(area key, region)`` pairs, at most ``budget`` pixels in all.

    :param areas: ``(key, region)`` per area (key: e.g. the image's index), regions over spatial axes.
    :returns: tiles in area order, then position order; every area has at least one (a window of
        ``budget / len(areas)`` pixels when even one tile per area would not fit).
    """
    tiled = [(key, split_evenly(region, TILE_EDGE[len(region)])) for key, region in areas]
    if sum(pixels(r) for _, r in areas) <= budget:
        return [(key, tile) for key, tiles in tiled for tile in tiles]
    chosen: list[tuple[int, int, Region]] = []  # (area position, tile position, tile)
    pool: list[tuple[int, int, Region]] = []
    share = max(1, budget // max(1, len(areas)))
    used = 0
    for a, (key, tiles) in enumerate(tiled):
        first = int(rng.integers(len(tiles)))
        tile = _crop(tiles[first], share, rng)
        chosen.append((a, first, tile))
        used += pixels(tile)
        pool.extend((a, t, tiles[t]) for t in range(len(tiles)) if t != first)
    for i in rng.permutation(len(pool)):
        a, t, tile = pool[i]
        if used + pixels(tile) <= budget:
            chosen.append((a, t, tile))
            used += pixels(tile)
    chosen.sort(key=lambda item: (item[0], item[1]))
    return [(tiled[a][0], tile) for a, _, tile in chosen]
