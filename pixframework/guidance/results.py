"""What guidance returns: plain, immutable data a UI can show without calling back into the project.

Both :class:`~pixframework.project.Project` and the remote client return these same classes.
Positions are in the project's spatial order ``(z)yx`` (the order ``paint`` takes), in pixels.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ClassChance:
    """One class the model considers at a location: its name, index ``1..C`` and probability (0..1)."""

    name: str
    index: int
    probability: float


@dataclass(frozen=True)
class LabelSuggestion:
    """One place where a label would help the classifier, as ranked by ``suggest_labels``.

    :param rank: 1 for the most useful suggestion.
    :param image: image name.
    :param position: pixel ``(y, x)`` or ``(z, y, x)``.
    :param score: what the ranking used, ``uncertainty + novelty`` (0..2); higher helps more.
    :param uncertainty: ilastik's uncertainty at the position, ``1 - (p_first - p_second)`` (0..1),
        the committee's vote margin for forests.
    :param novelty: how unlike every labelled pixel the position looks in feature space (0..1).
    :param classes: the classes the model hesitates between, most probable first (the two most
        probable, or fewer when the project has fewer).
    :param reason: ``"uncertain"`` when the uncertainty outweighs the novelty, else ``"unexplored"``.
    """

    rank: int
    image: str
    position: tuple[int, ...]
    score: float
    uncertainty: float
    novelty: float
    classes: tuple[ClassChance, ...]
    reason: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FeatureScore:
    """One filter x scale entry of the feature selection, scored by ``suggest_features``.

    :param entry: the entry in the selection's JSON form (``{"filter", "scale", "in_2d"}`` and
        whatever else the selection stores per entry).
    :param label: the entry for display, e.g. ``"gaussian_smoothing(sigma=1.0)"``.
    :param channels: feature channels the entry gives.
    :param importance: mean drop of held-out accuracy when the entry's channels are shuffled
        (permutation importance; 0 or below: the classifier does not need it next to the others).
    :param importance_std: standard deviation of that drop over repeats.
    :param prediction_change: fraction of the pool (pixels sampled from the images) whose predicted
        class changes when the entry's channels are shuffled (0..1): how much the classifier relies
        on the entry where there are no labels.
    :param rank: 1 for the most important entry.
    :param selected: whether the proposed selection keeps it.
    """

    entry: dict[str, Any]
    label: str
    channels: int
    importance: float
    importance_std: float
    prediction_change: float
    rank: int
    selected: bool


@dataclass(frozen=True)
class SelectionStep:
    """One step of the forward search: the entry tried, held-out accuracy and agreement with it, whether it was kept."""

    entry: dict[str, Any]
    label: str
    accuracy: float
    agreement: float
    kept: bool


@dataclass(frozen=True)
class FeatureSuggestion:
    """The result of ``suggest_features``: scores per entry and a smaller selection to propose.

    Accuracies are balanced accuracies (mean recall over classes, 0..1) on held-out labelled pixels,
    averaged over folds whose test pixels lie in other image blocks than their training pixels.

    :param scores: every entry of the current selection, in rank order.
    :param proposed: the proposed selection in its JSON form (``{"version", "entries"}``), never
        empty. Apply it with ``project.select_features(suggestion.proposed)``.
    :param accuracy_full: held-out accuracy with the current selection.
    :param accuracy_proposed: held-out accuracy with the proposed one.
    :param agreement: fraction of the pool where a classifier trained on the proposal predicts the
        class one trained on the current selection predicts (0..1).
    :param agreement_ceiling: the agreement of the current selection's classifier with itself
        retrained from another seed (1 without a seed): what the proposal is held to.
    :param tolerance: how much accuracy and agreement the proposal may give up (0.01).
    :param within_tolerance: ``accuracy_proposed >= accuracy_full - tolerance`` and
        ``agreement >= agreement_ceiling - tolerance`` (False when ``max_channels`` stopped the search first).
    :param channels_full: feature channels of the current selection.
    :param channels_proposed: feature channels of the proposal.
    :param steps: the forward search, in order.
    :param samples: labelled pixels used (a class-balanced subsample when there are many).
    :param pool: pixels sampled from the images for the agreement.
    :param folds: cross-validation folds.
    :param split: how pixels were split: ``"blocks of N px"`` or ``"pixels"`` (labels too few or too
        clumped for blocks; the accuracies are then optimistic).
    :param seconds: wall-clock time the suggestion took.
    """

    scores: tuple[FeatureScore, ...]
    proposed: dict[str, Any]
    accuracy_full: float
    accuracy_proposed: float
    agreement: float
    agreement_ceiling: float
    tolerance: float
    within_tolerance: bool
    channels_full: int
    channels_proposed: int
    steps: tuple[SelectionStep, ...]
    samples: int
    pool: int
    folds: int
    split: str
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
