"""``suggest_labels``: where one more brush stroke would help the classifier most.

Steps (see ``docs/guidance.md`` for why this method): plan the tiles to analyse within a pixel
budget (:mod:`.tiles`), compute features and probabilities there with the project's pipeline and
keep a grid of candidates away from existing labels (:mod:`.candidates`), then pick diverse,
uncertain or unexplored candidates greedily (:mod:`.select`).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..errors import NotTrained, ValidationError
from ..io.axes import normalize_region
from .candidates import Candidates, gather_candidates
from .results import ClassChance, LabelSuggestion
from .select import choose
from .tiles import PIXEL_BUDGET, plan_tiles

#: most suggestions one call may ask for
MAX_SUGGESTIONS = 1000
Progress = Callable[[float, str], None]


def spacing(selection: Any) -> float:
    """Pixels kept between two suggestions: twice the largest filter scale (features closer than that
    overlap), between 4 and 64."""
    largest = max((entry.scale for entry in selection.entries), default=1.0)
    return float(min(64.0, max(4.0, 2.0 * largest)))


def _check_n(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_SUGGESTIONS:
        raise ValidationError(f"the number of suggestions must be a whole number from 1 to {MAX_SUGGESTIONS}, got {n!r}")
    return int(n)


def _areas(project: Any, image: str | None, region: Sequence[slice] | None) -> tuple[list[str], list[tuple[int, ...]], list]:
    """Image names, their spatial shapes, and the ``(index, region)`` areas to analyse."""
    if image is None:
        if region is not None:
            raise ValidationError("a region needs an image: name the image the region belongs to")
        names = list(project.images)
    else:
        if not isinstance(image, str):
            raise ValidationError(f"image must be an image name, got {image!r}")
        names = [image]
    shapes = [tuple(int(s) for s in project.image_info(name)["shape"][:-1]) for name in names]
    if not names:
        raise ValidationError("the project has no images: add an image, label it, train, then ask for suggestions")
    areas = []
    for index, (name, shape) in enumerate(zip(names, shapes)):
        area = normalize_region(region if image is not None else None, shape)
        if any(s.stop <= s.start for s in area):
            raise ValidationError(f"the region {area} of image {name!r} is empty")
        areas.append((index, area))
    return names, shapes, areas


def _labelled_features(project: Any) -> np.ndarray:
    counts = project.label_counts()
    if not any(counts.values()):
        return np.empty((0, 0), np.float32)
    return project.training_samples()[0]


def _suggestion(rank: int, names: list[str], classes: list[dict], candidates: Candidates, row: int, novelty: float, score: float) -> LabelSuggestion:
    probabilities = candidates.probabilities[row]
    order = np.argsort(-probabilities, kind="stable")[: min(2, len(classes))]
    chances = tuple(
        ClassChance(name=classes[k]["name"], index=int(classes[k]["index"]), probability=float(probabilities[k])) for k in order
    )
    uncertainty = float(candidates.uncertainty[row])
    return LabelSuggestion(
        rank=rank,
        image=names[int(candidates.image[row])],
        position=tuple(int(v) for v in candidates.position[row]),
        score=score,
        uncertainty=uncertainty,
        novelty=novelty,
        classes=chances,
        reason="uncertain" if uncertainty >= novelty else "unexplored",
    )


def suggest_labels(
    project: Any,
    image: str | None = None,
    n: int = 10,
    region: Sequence[slice] | None = None,
    *,
    seed: int = 0,
    progress: Progress | None = None,
    pixel_budget: int = PIXEL_BUDGET,
) -> list[LabelSuggestion]:
    """The ``n`` places where one more label would help most, best first (see :meth:`Project.suggest_labels`)."""
    n = _check_n(n)
    if not project.is_trained:
        raise NotTrained("suggestions come from the classifier: label two classes and train it first")
    names, shapes, areas = _areas(project, image, region)
    rng = np.random.default_rng(seed)
    minimum = spacing(project.features)
    tiles = plan_tiles(areas, rng, pixel_budget)
    candidates = gather_candidates(project, names, tiles, shapes, minimum / 2.0, rng, progress)
    counts = project.label_counts()
    unlabelled = [i for i, name in enumerate(names) if not counts.get(name)]
    picks = choose(candidates, _labelled_features(project), n, minimum, rng, must_cover=unlabelled)
    picks.sort(key=lambda pick: -pick[2])
    classes = project.classes
    return [_suggestion(rank, names, classes, candidates, row, novelty, score) for rank, (row, novelty, score) in enumerate(picks, 1)]
