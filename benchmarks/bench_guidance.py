"""Does ``suggest_labels`` save labels? A simulated user with an oracle, random strokes vs suggested strokes.

Data ships inside scikit-image (nothing is downloaded):

- ``coins``: the coins photograph; ground truth from scikit-image's own coins tutorial (watershed of
  the Sobel elevation map from dark/bright markers, holes filled), 2 classes.
- ``textures``: a 384 x 384 mosaic of the bundled brick, grass and gravel textures over a Voronoi
  partition, 3 classes. The user picks texture filters for it (the ``pixf-texture`` plugin of this
  repository, when installed) next to ilastik's set.

The user starts with one short stroke (up to 15 px) per class, then paints rounds of small strokes
(a brush of radius 2 clipped to the true class at its centre: at most 13 px, the oracle paints the
true class) either at random pixels of the image or at the suggested places (``n`` per round), and
the classifier is retrained after every round. Accuracy is measured over the whole image.

Reference: the accuracy random strokes reach with 20x the labels random strokes have after the last
round. The table gives the labels each strategy needs to come within 0.01 of it, and their ratio.
Curves are means over seeds.

    python benchmarks/bench_guidance.py                   # both data sets, 3 seeds
    python benchmarks/bench_guidance.py --data coins --seeds 2 --rounds 15
    python benchmarks/bench_guidance.py --timing          # suggest_labels on 2048^2 and 4096^2 images
    python benchmarks/bench_guidance.py --features        # suggest_features on both data sets
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import pixframework as pf

BRUSH = 2
TARGET_GAP = 0.01
REFERENCE_FACTOR = 20
TEXTURE_FILTERS = [("gabor_energy", 1.6), ("gabor_energy", 3.5), ("local_binary_patterns", 1.0),
                   ("local_binary_patterns", 2.0), ("local_variance", 3.5)]  # fmt: skip


# ---------------------------------------------------------------------------------------------- data
def coins() -> tuple[np.ndarray, np.ndarray, Any]:
    """The coins photograph and its coin / background truth (scikit-image's watershed tutorial)."""
    from skimage import data, filters, segmentation

    image = data.coins()
    markers = np.zeros(image.shape, np.int32)
    markers[image < 30] = 1
    markers[image > 150] = 2
    coin = ndi.binary_fill_holes(segmentation.watershed(filters.sobel(image), markers) == 2)
    return image, (coin + 1).astype(np.uint8), None


def textures(size: int = 384, cells: int = 9, seed: int = 3) -> tuple[np.ndarray, np.ndarray, Any]:
    """Brick, grass and gravel over a Voronoi partition of ``cells`` cells (classes 1..3)."""
    from skimage import data

    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, size, (cells, 2))
    yy, xx = np.mgrid[:size, :size]
    nearest = ((yy[..., None] - centres[:, 0]) ** 2 + (xx[..., None] - centres[:, 1]) ** 2).argmin(axis=-1)
    truth = (np.arange(cells) % 3)[nearest].astype(np.uint8) + 1
    image = np.zeros((size, size), np.uint8)
    for k, texture in enumerate((data.brick(), data.grass(), data.gravel())):
        image[truth == k + 1] = texture[:size, :size][truth == k + 1]
    selection = None
    from pixframework.registry import get_registry

    registry = get_registry()
    if all(name in registry.filters for name, _ in TEXTURE_FILTERS):
        selection = pf.FeatureSelection([*pf.FeatureSelection.default().entries, *TEXTURE_FILTERS])
    return image, truth, selection


DATASETS: dict[str, Callable[[], tuple[np.ndarray, np.ndarray, Any]]] = {"coins": coins, "textures": textures}


# ---------------------------------------------------------------------------------------------- the user
class SimulatedUser:
    """Paints where it is told, always the true class (an oracle), with a small clipped brush."""

    def __init__(self, image: np.ndarray, truth: np.ndarray, selection: Any, folder: str, seed: int):
        self.truth = truth
        self.rng = np.random.default_rng(seed)
        self.project = pf.Project.create(os.path.join(folder, f"user-{seed}-{id(self)}.pixf"))
        self.project.add_image(image, name="image")
        for k in range(int(truth.max())):
            self.project.add_class(f"class {k + 1}")
        if selection is not None:
            self.project.select_features(selection)
        self.labels = np.zeros(truth.shape, np.uint8)
        from pixframework.synthetic import sparse_strokes

        for value, points in sparse_strokes(truth, per_class=1, length=15, seed=seed):
            self.labels[tuple(points.T)] = value

    def stroke(self, centre: tuple[int, ...]) -> None:
        """A disk of radius ``BRUSH`` at ``centre``, only over pixels of the centre's true class."""
        lo = [max(0, c - BRUSH) for c in centre]
        hi = [min(s, c + BRUSH + 1) for c, s in zip(centre, self.truth.shape)]
        window = tuple(slice(a, b) for a, b in zip(lo, hi))
        grid = np.ogrid[window]
        disk = sum((g - c) ** 2 for g, c in zip(grid, centre)) <= BRUSH**2
        inside = disk & (self.truth[window] == self.truth[tuple(centre)])
        self.labels[window][inside] = self.truth[tuple(centre)]

    def random_centres(self, n: int) -> list[tuple[int, ...]]:
        free = np.flatnonzero(self.labels.ravel() == 0)
        return [np.unravel_index(i, self.truth.shape) for i in self.rng.choice(free, n, replace=False)]

    def suggested_centres(self, n: int, round_: int) -> list[tuple[int, ...]]:
        return [s.position for s in self.project.suggest_labels("image", n, seed=round_)]

    def train_and_score(self) -> tuple[int, float, float]:
        """Retrain on all labels; ``(labelled pixels, accuracy, mean IoU)`` over the whole image."""
        self.project.set_labels("image", self.labels)
        self.project.train()
        seg = self.project.predict("image", output="segmentation")
        accuracy = float((seg == self.truth).mean())
        ious = [((seg == k) & (self.truth == k)).sum() / ((seg == k) | (self.truth == k)).sum() for k in np.unique(self.truth)]
        return int((self.labels > 0).sum()), accuracy, float(np.mean(ious))

    def close(self) -> None:
        self.project.close(save=False)


def strokes_in_round(round_: int, strokes_so_far: int, per_round: int, fixed_rounds: int) -> int:
    """The schedule both strategies follow: ``per_round`` strokes for ``fixed_rounds`` rounds, then
    rounds growing by 10 % of the strokes so far (a user who has painted a lot paints more at a time)."""
    return per_round if round_ < fixed_rounds else max(per_round, strokes_so_far // 10)


def run(data: tuple, seed: int, strategy: str, rounds: int, per_round: int, folder: str, *,
        fixed_rounds: int, max_labels: float = np.inf) -> list[tuple[int, float, float]]:
    """Score after the first stroke per class, then after each round, for ``rounds`` rounds or until
    ``max_labels`` labelled pixels."""  # fmt: skip
    user = SimulatedUser(*data, folder, seed)
    curve = [user.train_and_score()]
    strokes = 0
    for r in range(rounds):
        if curve[-1][0] >= max_labels:
            break
        k = strokes_in_round(r, strokes, per_round, fixed_rounds)
        centres = user.suggested_centres(k, r) if strategy == "suggested" else user.random_centres(k)
        if not centres:
            break  # nothing left to label
        for centre in centres:
            user.stroke(centre)
        strokes += len(centres)
        curve.append(user.train_and_score())
    user.close()
    return curve


def mean_curve(curves: list[list[tuple[int, float, float]]]) -> np.ndarray:
    length = min(len(c) for c in curves)
    return np.array([[np.mean([c[i][j] for c in curves]) for j in range(3)] for i in range(length)])


def labels_to_reach(curve: np.ndarray, accuracy: float) -> float | None:
    hit = np.flatnonzero(curve[:, 1] >= accuracy)
    return float(curve[hit[0], 0]) if hit.size else None


# ---------------------------------------------------------------------------------------------- timing
def timing(sizes: tuple[int, ...] = (2048, 4096), n: int = 10, rounds: int = 3) -> None:
    """suggest_labels on big synthetic cells images, next to predicting the whole image.

    Best of ``rounds`` interleaved rounds (the model is retrained before each, so no prediction is
    served from the cache); wall-clock and process CPU seconds of the best round.
    """
    from pixframework.synthetic import cells, sparse_strokes

    print(f"\nsuggest_labels(n={n}) on big images (synthetic cells, 49 default features, fast_forest; best of {rounds}):")
    print(f"{'image':>11} {'suggest s':>10} {'CPU s':>6} {'predict all s':>14} {'CPU s':>6} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            image, truth = cells((size, size), seed=1)
            with pf.Project.create(os.path.join(folder, f"big{size}.pixf")) as project:
                project.add_image(image, name="big")
                project.add_class("background")
                project.add_class("cell")
                for value, points in sparse_strokes(truth, per_class=6, length=20, seed=0):
                    project.paint("big", value, points, radius=2)
                project.train()
                project.suggest_labels("big", 2, region=(slice(0, 64), slice(0, 64)))  # compile once
                best: dict[str, tuple[float, float]] = {}
                for _ in range(rounds):
                    project.train()
                    for what, call in (("suggest", lambda: project.suggest_labels("big", n)),
                                       ("predict", lambda: project.predict("big", output="segmentation"))):  # fmt: skip
                        cpu, wall = time.process_time(), time.perf_counter()
                        call()
                        taken = (time.perf_counter() - wall, time.process_time() - cpu)
                        best[what] = min(best.get(what, taken), taken)
                (sw, sc), (pw, pc) = best["suggest"], best["predict"]
                print(f"{size:>5}x{size:<5} {sw:>10.2f} {sc:>6.2f} {pw:>14.2f} {pc:>6.2f} {sw / pw:>6.2f}")


# ---------------------------------------------------------------------------------------------- features
def features(strokes: int = 60) -> None:
    """suggest_features after ``strokes`` random strokes; the whole-image accuracy checks the proposal."""
    print(f"\nsuggest_features after {strokes} random strokes (seed 0); whole-image accuracy against the truth:")
    print(f"{'data':>9} {'channels':>9} {'held-out acc':>13} {'agreement':>10} {'within':>6} {'seconds':>7} {'image acc full -> proposed':>27}")
    with tempfile.TemporaryDirectory() as folder:
        for name, make in DATASETS.items():
            user = SimulatedUser(*make(), folder, 0)
            for centre in user.random_centres(strokes):
                user.stroke(centre)
            full = user.train_and_score()[1]
            result = user.project.suggest_features()
            user.project.select_features(result.proposed)
            proposed = user.train_and_score()[1]
            print(f"{name:>9} {result.channels_full:>4} -> {result.channels_proposed:<3} {result.accuracy_full:>6.3f} -> "
                  f"{result.accuracy_proposed:.3f} {result.agreement:>5.3f}/{result.agreement_ceiling:.3f} "
                  f"{'yes' if result.within_tolerance else 'no':>6} {result.seconds:>7.1f} {full:>15.4f} -> {proposed:.4f}")  # fmt: skip
            print("           kept:", ", ".join(s.label for s in result.scores if s.selected))
            user.close()


# ---------------------------------------------------------------------------------------------- main
def compare(name: str, seeds: int, rounds: int, per_round: int) -> None:
    data = DATASETS[name]()
    features = "default" if data[2] is None else f"default + {len(TEXTURE_FILTERS)} texture filters"
    print(f"\n== {name}: {data[0].shape[0]}x{data[0].shape[1]}, {int(data[1].max())} classes, features {features}, "
          f"{per_round} strokes per round for {rounds} rounds, then 10 % more per round; {seeds} seeds")  # fmt: skip
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        # random strokes up to 20x the labels they have after the fixed rounds: the reference
        first = [run(data, s, "random", rounds, per_round, folder, fixed_rounds=rounds) for s in range(seeds)]
        budget = REFERENCE_FACTOR * np.mean([c[-1][0] for c in first])
        random = mean_curve([run(data, s, "random", 10_000, per_round, folder, fixed_rounds=rounds, max_labels=budget)
                             for s in range(seeds)])  # fmt: skip
        reference = random[-1, 1]
        goal = reference - TARGET_GAP
        need_random = labels_to_reach(random, goal)
        # suggested strokes until they have as many labels as random strokes needed
        limit = need_random if need_random is not None else budget
        suggested = mean_curve([run(data, s, "suggested", 10_000, per_round, folder, fixed_rounds=rounds, max_labels=limit)
                                for s in range(seeds)])  # fmt: skip
    seconds = time.perf_counter() - started
    print(f"{'round':>5} | {'random: labels':>14} {'accuracy':>8} {'mIoU':>6} | {'suggested: labels':>17} {'accuracy':>8} {'mIoU':>6}")
    for r in range(max(len(random), len(suggested))):
        left = f"{random[r, 0]:>14.0f} {random[r, 1]:>8.4f} {random[r, 2]:>6.4f}" if r < len(random) else " " * 30
        right = f"{suggested[r, 0]:>17.0f} {suggested[r, 1]:>8.4f} {suggested[r, 2]:>6.4f}" if r < len(suggested) else ""
        print(f"{r:>5} | {left} | {right}")
    need_suggested = labels_to_reach(suggested, goal)
    print(f"reference: random strokes with {random[-1, 0]:.0f} px ({REFERENCE_FACTOR}x their labels after {rounds} rounds) "
          f"reach {reference:.4f}; labels to reach {goal:.4f}: random {need_random or 'not reached'}, "
          f"suggested {need_suggested or f'not reached in {suggested[-1, 0]:.0f}'}")  # fmt: skip
    if need_random and need_suggested:
        print(f"suggested strokes need {need_suggested / need_random:.2f}x the labels of random ones")
    print(f"({seconds:.0f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", choices=sorted(DATASETS), default=sorted(DATASETS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--per-round", type=int, default=5, help="strokes per round (default %(default)s)")
    parser.add_argument("--timing", action="store_true", help="only time suggest_labels on 2048^2 and 4096^2 images")
    parser.add_argument("--features", action="store_true", help="only run suggest_features on both data sets")
    args = parser.parse_args(argv)
    if args.timing:
        timing()
        return 0
    if args.features:
        features()
        return 0
    for name in args.data:
        compare(name, args.seeds, args.rounds, args.per_round)
    return 0


if __name__ == "__main__":
    sys.exit(main())
