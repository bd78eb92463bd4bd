"""Greedy choice of diverse suggestions: uncertainty plus novelty, spread in space and in feature space.

Each pick maximises ``uncertainty + novelty`` over the candidates still allowed, where novelty is
the distance, in standardised feature space, to the nearest labelled pixel *or earlier pick*,
divided by the median such distance among the remaining candidates and capped at 1 (0..1). Counting earlier picks
as labelled is the greedy k-center step of core-set selection (Sener & Savarese 2018): the second
pick is not a near copy of the first. Candidates closer than ``min_distance`` pixels to an earlier
pick in the same image, or than a quarter of that (:data:`LABEL_GAP`) to a labelled pixel, are not
taken, so suggestions never cluster in one spot. The gap to labels is small on purpose: the errors
that remain once much is labelled sit next to strokes (along class borders), and novelty already
says how little a pixel that looks like a labelled one would teach.

Uncertainty alone (margin sampling) keeps refining boundaries the model already knows about and
never visits a region it is confidently wrong about; novelty is what sends the user there.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .candidates import Candidates

#: labelled pixels the novelty is measured against at most (a random subset beyond that)
MAX_REFERENCE = 1000
#: pixels kept from labelled pixels, as a fraction of the spacing between picks
LABEL_GAP = 0.25
#: novelty is the distance divided by this quantile of the remaining candidates' distances, capped at 1:
#: with the median, the more novel half all count as novel and uncertainty ranks them, so a few
#: outlier pixels do not outrank a large uncertain region (on coins: mean accuracy over the first
#: 20 rounds 0.976 instead of 0.969 with the largest distance)
NOVELTY_QUANTILE = 0.5
#: weight of novelty against uncertainty in the score
NOVELTY_WEIGHT = 1.0
#: candidate rows per block when computing distances (bounds the temporary matrix)
_BLOCK = 2048


def standardise(candidates: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both sets scaled by the candidates' per-channel mean and standard deviation (constant channels ignored)."""
    mean = candidates.mean(axis=0)
    std = candidates.std(axis=0)
    scale = np.divide(1.0, std, out=np.zeros_like(std), where=std > 1e-12)
    return (candidates - mean) * scale, (reference - mean) * scale


def nearest_distance(points: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Euclidean distance from each row of ``points`` to its nearest row of ``reference`` (inf if none)."""
    if len(reference) == 0:
        return np.full(len(points), np.inf)
    ref_sq = (reference**2).sum(axis=1)
    out = np.empty(len(points))
    for start in range(0, len(points), _BLOCK):
        block = points[start : start + _BLOCK]
        d2 = (block**2).sum(axis=1)[:, None] - 2.0 * block @ reference.T + ref_sq[None, :]
        out[start : start + _BLOCK] = d2.min(axis=1)
    return np.sqrt(np.maximum(out, 0.0))


def choose(
    candidates: Candidates,
    labelled: np.ndarray,
    n: int,
    min_distance: float,
    rng: np.random.Generator,
    must_cover: Sequence[int] = (),
) -> list[tuple[int, float, float]]:
    """Pick up to ``n`` candidates.

    Picks stay ``min_distance`` pixels apart (same image) and ``LABEL_GAP * min_distance`` from labelled
    pixels. When no candidate is that far any more (an image covered with labels), both distances
    are halved, down to 1 pixel, rather than returning fewer suggestions than there are places.

    :param labelled: float32 ``(m, F)`` features of labelled pixels.
    :param must_cover: image indices that get a pick before any image gets a second one (images
        without labels), as long as they have candidates and picks remain.
    :returns: ``(candidate row, novelty, score)`` per pick, in pick order.
    """
    if len(candidates) == 0 or n <= 0:
        return []
    if len(labelled) > MAX_REFERENCE:
        labelled = labelled[np.sort(rng.choice(len(labelled), MAX_REFERENCE, replace=False))]
    features, reference = standardise(candidates.features.astype(np.float64), labelled.astype(np.float64))
    # nothing labelled (labels cleared after training): novelty is the distance from the typical candidate
    distance = nearest_distance(features, reference) if len(reference) else np.sqrt((features**2).sum(axis=1))
    positions = candidates.position.astype(np.float64)
    to_picks = np.full(len(candidates), np.inf)  # pixels to the nearest pick in the same image
    free = np.ones(len(candidates), bool)
    uncovered = {int(i) for i in must_cover} & {int(i) for i in np.unique(candidates.image)}
    picks: list[tuple[int, float, float]] = []
    spacing = float(min_distance)
    while len(picks) < n and free.any():
        alive = free & (to_picks >= spacing) & (candidates.label_distance >= spacing * LABEL_GAP)
        if not alive.any():
            if spacing <= 1.0:
                break
            spacing = max(1.0, spacing / 2.0)
            continue
        covering = alive & np.isin(candidates.image, sorted(uncovered))
        allowed = covering if covering.any() else alive
        top = np.quantile(distance[allowed], NOVELTY_QUANTILE)
        novelty = np.where(allowed, np.minimum(1.0, distance / top) if top > 0 else 0.0, 0.0)
        score = np.where(allowed, candidates.uncertainty + NOVELTY_WEIGHT * novelty, -np.inf)
        best = int(np.argmax(score))
        picks.append((best, float(novelty[best]), float(score[best])))
        uncovered.discard(int(candidates.image[best]))
        free[best] = False
        same = candidates.image == candidates.image[best]
        gap = np.sqrt(((positions - positions[best]) ** 2).sum(axis=1))
        to_picks = np.where(same, np.minimum(to_picks, gap), to_picks)
        distance = np.minimum(distance, np.sqrt(((features - features[best]) ** 2).sum(axis=1)))
    return picks
