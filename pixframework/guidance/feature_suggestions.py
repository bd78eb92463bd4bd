"""``suggest_features``: rank the filter x scale entries and propose a smaller selection that does as well.

1. Held-out predictions: the labelled pixels are split into folds of whole image blocks
   (:mod:`.folds`); the project's classifier is trained on all but one fold and predicts that one.
2. Permutation importance (Breiman 2001): shuffling an entry's channels together across the
   held-out pixels, how much the held-out accuracy drops. Shuffling all channels of one entry at
   once scores the entry (what the user can switch on or off), not its single channels.
3. Forward selection along that ranking: an entry is kept when it brings the worse of held-out
   accuracy (against the full selection's) and agreement (below, against its ceiling) closer to its goal by
   more than :data:`MIN_GAIN` (redundant entries, e.g. a smoothing next to its neighbour scale, are
   passed over); the search stops as soon as both are within the tolerance.

Labels under-represent the places that are hard (users paint inside objects, not along their
borders), so a selection can match the full one on held-out labels and still blur every border.
Hence the second test, which needs no labels: the *agreement*, the fraction of pixels sampled
from the images (the pool) where a classifier trained on the proposal predicts the same class as
one trained on the full selection, up to the agreement of the full classifier with itself
retrained from another seed. Entries that tie on held-out accuracy (often at 0) are ranked
by how much the full classifier's predictions on the pool change when they are shuffled.

Accuracy is balanced (mean recall over classes): users label backgrounds generously, and plain
accuracy would reward a selection that only gets the background right.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..classifiers.api import predict_probabilities, train_model
from ..errors import ValidationError
from ..features.selection import FeatureSelection
from ..registry import get_registry
from ..specs import resolve_parameters
from .checks import check_max_channels, check_seed
from .folds import make_folds
from .results import FeatureScore, FeatureSuggestion, SelectionStep
from .view import ProjectView

#: accuracy the proposal may give up against the full selection
TOLERANCE = 0.01
#: accuracy an entry must add to be kept by the forward search
MIN_GAIN = 0.002
#: labelled pixels used at most (class-balanced subsample beyond that), bounding the time taken
MAX_SAMPLES = 20_000
#: shuffles per entry for permutation importance
REPEATS = 2

Progress = Callable[[float, str], None]


def balanced_accuracy(truth: np.ndarray, predicted: np.ndarray) -> float:
    """Mean over the classes present in ``truth`` of the fraction of their pixels predicted right."""
    classes = np.unique(truth)
    return float(np.mean([(predicted[truth == c] == c).mean() for c in classes]))


def entry_columns(selection: Any, ndim: int, n_channels: int) -> list[tuple[Any, np.ndarray]]:
    """Each entry of ``selection`` with the indices of its feature columns (output order)."""
    result, start = [], 0
    for entry, spec in selection.specs():
        width = spec.n_outputs(entry.effective_ndim(ndim)) * n_channels
        result.append((entry, np.arange(start, start + width)))
        start += width
    return result


def _subsample(y: np.ndarray, rng: np.random.Generator, limit: int = MAX_SAMPLES) -> np.ndarray:
    """Row indices: all rows if at most ``limit``, else an equal share per class (small classes whole)."""
    if len(y) <= limit:
        return np.arange(len(y))
    classes, counts = np.unique(y, return_counts=True)
    share = limit // len(classes)
    for _ in range(len(classes)):  # small classes leave their unused share to the others
        small = counts < share
        share = (limit - counts[small].sum()) // max(1, (~small).sum())
    rows = [np.flatnonzero(y == c) for c in classes]
    rows = [r if len(r) <= share else rng.choice(r, share, replace=False) for r in rows]
    return np.sort(np.concatenate(rows))


class HeldOut:
    """Out-of-fold predictions of the project's classifier for a given set of feature columns."""

    def __init__(self, X: np.ndarray, y: np.ndarray, fold: np.ndarray, n_folds: int, classifier: tuple[str, dict], names: Sequence[str]):
        self.X, self.y, self.fold, self.n_folds = X, y, fold, n_folds
        self.classifier, self.names = classifier, list(names)

    def models(self, columns: np.ndarray) -> list[Any]:
        name, params = self.classifier
        X = self.X[:, columns]
        return [
            train_model(name, X[self.fold != f], self.y[self.fold != f], params, [self.names[c] for c in columns])
            for f in range(self.n_folds)
        ]

    def predict(self, models: list[Any], columns: np.ndarray, X: np.ndarray | None = None) -> np.ndarray:
        X = self.X if X is None else X
        predicted = np.empty(len(self.y), self.y.dtype)
        for f, model in enumerate(models):
            rows = self.fold == f
            proba = predict_probabilities(model, np.ascontiguousarray(X[rows][:, columns]))
            predicted[rows] = np.asarray(model.classes)[proba.argmax(axis=1)]
        return predicted

    def accuracy(self, columns: np.ndarray) -> float:
        return balanced_accuracy(self.y, self.predict(self.models(columns), columns))


class Agreement:
    """How often a classifier on some columns predicts what the classifier on all columns predicts, on the pool.

    :attr:`ceiling` is the agreement of the full classifier with itself retrained from another seed
    (1 for classifiers without a seed): forests disagree with themselves where the images are
    ambiguous, and no selection can be asked to agree more than that.
    """

    def __init__(self, held: HeldOut, pool: np.ndarray):
        self.held, self.pool = held, pool
        everything = np.arange(held.X.shape[1])
        self.full_model = self.train(everything)
        self.reference = self.classes(self.full_model, pool)
        name, params = held.classifier
        params = resolve_parameters(f"classifier {name!r}", get_registry().classifier(name).parameters, params)
        if params.get("random_state") is not None:
            again = self.train(everything, random_state=int(params["random_state"]) + 1)
            self.ceiling = float((self.classes(again, pool) == self.reference).mean())
        else:
            self.ceiling = 1.0

    def train(self, columns: np.ndarray, **change: Any) -> Any:
        name, params = self.held.classifier
        params = {**params, **change}
        return train_model(name, self.held.X[:, columns], self.held.y, params, [self.held.names[c] for c in columns])

    @staticmethod
    def classes(model: Any, X: np.ndarray) -> np.ndarray:
        return np.asarray(model.classes)[predict_probabilities(model, np.ascontiguousarray(X)).argmax(axis=1)]

    def of(self, columns: np.ndarray) -> float:
        return float((self.classes(self.train(columns), self.pool[:, columns]) == self.reference).mean())


def _shuffled(X: np.ndarray, columns: np.ndarray, blocks: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """A copy of ``X`` whose ``columns`` are permuted together among the rows of each block."""
    out = X.copy()
    for rows in blocks:
        out[np.ix_(rows, columns)] = X[np.ix_(rng.permutation(rows), columns)]
    return out


def permutation_importance(
    held: HeldOut, agreement: Agreement, groups: list[np.ndarray], rng: np.random.Generator, progress: Progress | None
) -> tuple[float, np.ndarray, np.ndarray]:
    """``(held-out accuracy of all columns, accuracy drops (entries, REPEATS), pool prediction changes (entries,))``."""
    everything = np.arange(held.X.shape[1])
    models = held.models(everything)
    base = balanced_accuracy(held.y, held.predict(models, everything))
    folds = [np.flatnonzero(held.fold == f) for f in range(held.n_folds)]  # shuffled within folds: held out stays out
    whole_pool = [np.arange(len(agreement.pool))]
    drops = np.zeros((len(groups), REPEATS))
    changes = np.zeros(len(groups))
    for e, columns in enumerate(groups):
        if progress is not None:
            progress(0.4 * e / len(groups), f"importance of entry {e + 1} of {len(groups)}")
        for r in range(REPEATS):
            shuffled = _shuffled(held.X, columns, folds, rng)
            drops[e, r] = base - balanced_accuracy(held.y, held.predict(models, everything, shuffled))
        moved = Agreement.classes(agreement.full_model, _shuffled(agreement.pool, columns, whole_pool, rng))
        changes[e] = float((moved != agreement.reference).mean())
    return base, drops, changes


def suggest_features(
    view: ProjectView,
    X: np.ndarray,
    y: np.ndarray,
    positions: np.ndarray,
    pool: np.ndarray,
    max_channels: int | None = None,
    *,
    seed: int = 0,
    progress: Progress | None = None,
) -> FeatureSuggestion:
    """Score the entries of ``selection`` and propose a smaller one (see :meth:`Project.suggest_features`).

    :param view: the project (selection, classifier, channel names).
    :param X: float32 ``(n, F)`` features of the labelled pixels; ``y`` their classes;
        ``positions`` int64 ``(n, 4)`` image, z, y, x (as ``view.samples()`` gives them).
    :param pool: float32 ``(m, F)`` features of pixels sampled from the images, labelled or not.
    """
    started = time.perf_counter()
    layout = entry_columns(view.selection, len(view.shapes[0]), view.channels)
    groups = [columns for _, columns in layout]
    entries = [entry for entry, _ in layout]
    widths = np.array([len(c) for c in groups])
    max_channels = check_max_channels(max_channels, int(widths.min()))
    seed = check_seed(seed)
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2 or counts.min() < 2:
        raise ValidationError("suggesting features needs at least two labelled pixels of each of two classes or more")
    rng = np.random.default_rng(seed)
    rows = _subsample(y, rng)
    X, y, positions = X[rows], y[rows], positions[rows]
    fold, n_folds, split = make_folds(positions, y, rng)
    held = HeldOut(X, y, fold, n_folds, view.classifier, view.channel_names)
    agreement = Agreement(held, pool)
    full, drops, changes = permutation_importance(held, agreement, groups, rng, progress)
    importance = drops.mean(axis=1)
    # most important first; ties on held-out labels (often at 0) go by the change on the pool
    order = sorted(range(len(groups)), key=lambda e: (-round(importance[e], 6), -changes[e], e))
    chosen: list[int] = []
    best = (-np.inf, -np.inf)  # (held-out accuracy, agreement) of the entries chosen so far

    def shortfall(quality: tuple[float, float]) -> float:
        """How far the worse of the two is below its goal (<= tolerance: good enough)."""
        return max(full - quality[0], agreement.ceiling - quality[1])

    steps: list[SelectionStep] = []
    for done, e in enumerate(order):
        if shortfall(best) <= TOLERANCE:
            break
        if progress is not None:
            progress(0.4 + 0.6 * done / len(order), f"forward selection: trying entry {done + 1} of {len(order)}")
        if max_channels is not None and widths[chosen].sum() + widths[e] > max_channels:
            continue
        columns = np.concatenate([groups[i] for i in chosen + [e]])
        quality = (held.accuracy(columns), agreement.of(columns))
        kept = shortfall(quality) < shortfall(best) - MIN_GAIN
        steps.append(SelectionStep(entries[e].to_json(), entries[e].label(), quality[0], quality[1], kept))
        if kept:
            chosen.append(e)
            best = quality
    if progress is not None:
        progress(1.0, "done")
    ranks = {e: r for r, e in enumerate(order, 1)}
    scores = tuple(
        FeatureScore(entries[e].to_json(), entries[e].label(), int(widths[e]), float(importance[e]), float(drops[e].std()),
                     float(changes[e]), ranks[e], e in chosen)
        for e in order
    )  # fmt: skip
    return FeatureSuggestion(
        scores=scores,
        proposed=FeatureSelection([entries[e] for e in sorted(chosen)]).to_json(),
        accuracy_full=float(full),
        accuracy_proposed=float(best[0]),
        agreement=float(best[1]),
        agreement_ceiling=agreement.ceiling,
        tolerance=TOLERANCE,
        within_tolerance=bool(shortfall(best) <= TOLERANCE),
        channels_full=int(widths.sum()),
        channels_proposed=int(widths[chosen].sum()),
        steps=tuple(steps),
        samples=len(y),
        pool=len(pool),
        folds=int(n_folds),
        split=split,
        seconds=time.perf_counter() - started,
    )
