"""``suggest_labels``: where one more brush stroke would help the classifier most.

Steps (see ``docs/guidance.md`` for why this method): plan the tiles to analyse within a pixel
budget (:mod:`.tiles`), compute features and probabilities there with the project's pipeline and
keep a grid of candidates away from existing labels (:mod:`.candidates`), then pick diverse,
uncertain or unexplored candidates greedily (:mod:`.select`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import NotFound, NotTrained, ValidationError
from ..io.axes import normalize_region
from .candidates import Candidates, gather_candidates
from .checks import check_count, check_seed
from .results import ClassChance, LabelSuggestion
from .select import LABEL_GAP, choose
from .tiles import PIXEL_BUDGET, Region, plan_tiles
from .view import ProjectView

Progress = Callable[[float, str], None]


def spacing(selection: Any) -> float:
    """Pixels kept between two suggestions: twice the largest filter scale (features closer than that
    overlap), between 4 and 64."""
    largest = max((entry.scale for entry in selection.entries), default=1.0)
    return float(min(64.0, max(4.0, 2.0 * largest)))


def _areas(view: ProjectView, image: str | None, region: Sequence[slice] | None) -> list[tuple[int, Region]]:
    """The ``(image index, region)`` areas to analyse."""
    if not view.names:
        raise ValidationError("the project has no images: add an image, label it, train, then ask for suggestions")
    if image is None:
        if region is not None:
            raise ValidationError("a region needs an image: name the image the region belongs to")
        return [(i, tuple(slice(0, s) for s in shape)) for i, shape in enumerate(view.shapes)]
    if not isinstance(image, str) or image not in view.names:
        raise NotFound(f"no image {image!r} in project (images: {', '.join(view.names)})")
    index = list(view.names).index(image)
    area = normalize_region(region, view.shapes[index])
    if any(s.stop <= s.start for s in area):
        raise ValidationError(f"the region {area} of image {image!r} is empty")
    return [(index, area)]


def _suggestion(rank: int, view: ProjectView, candidates: Candidates, row: int, novelty: float, score: float) -> LabelSuggestion:
    probabilities = candidates.probabilities[row]
    classes = view.classes
    order = np.argsort(-probabilities, kind="stable")[: min(2, len(classes))]
    chances = tuple(
        ClassChance(name=classes[k]["name"], index=int(classes[k]["index"]), probability=float(probabilities[k])) for k in order
    )
    uncertainty = float(candidates.uncertainty[row])
    return LabelSuggestion(
        rank=rank,
        image=view.names[int(candidates.image[row])],
        position=tuple(int(v) for v in candidates.position[row]),
        score=score,
        uncertainty=uncertainty,
        novelty=novelty,
        classes=chances,
        reason="uncertain" if uncertainty >= novelty else "unexplored",
    )


def suggest_labels(
    view: ProjectView,
    image: str | None = None,
    n: int = 10,
    region: Sequence[slice] | None = None,
    *,
    seed: int = 0,
    progress: Progress | None = None,
    pixel_budget: int = PIXEL_BUDGET,
) -> list[LabelSuggestion]:
    """The ``n`` places where one more label would help most, best first (see :meth:`Project.suggest_labels`).

    :param pixel_budget: pixels analysed at most (random tiles beyond that, see :mod:`.tiles`).
    """
    n = check_count(n)
    seed = check_seed(seed)
    if view.probabilities_of is None:
        raise NotTrained("suggestions come from the classifier: label two classes and train it first")
    areas = _areas(view, image, region)
    rng = np.random.default_rng(seed)
    minimum = spacing(view.selection)
    tiles = plan_tiles(areas, rng, pixel_budget)
    candidates = gather_candidates(view, tiles, minimum * LABEL_GAP, rng, progress)
    labelled = view.samples()[0] if any(view.labelled) else np.empty((0, 0), np.float32)
    unlabelled = [index for index, _ in areas if not view.labelled[index]]
    picks = choose(candidates, labelled, n, minimum, rng, must_cover=unlabelled)
    picks.sort(key=lambda pick: -pick[2])
    return [_suggestion(rank, view, candidates, row, novelty, score) for rank, (row, novelty, score) in enumerate(picks, 1)]
