"""Guidance: suggest_labels and suggest_features, embedded (Project) and remote (a real server on loopback).

Every test gets ``make``: a function creating a fresh project, either a Project in a temporary
folder or a RemoteProject on a server started for the test, so the same assertions hold for both.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import ndimage as ndi
from test_server_support import running_server

from pixframework.client import connect
from pixframework.errors import NotTrained, ValidationError
from pixframework.features.selection import FeatureSelection
from pixframework.guidance import FeatureSuggestion, LabelSuggestion
from pixframework.guidance.candidates import MAX_CANDIDATES, grid_stride
from pixframework.guidance.label_suggestions import spacing
from pixframework.guidance.select import LABEL_GAP
from pixframework.guidance.tiles import pixels, plan_tiles
from pixframework.project import Project

FEATURES = [("gaussian_smoothing", 0.7), ("gaussian_smoothing", 1.6), ("laplacian_of_gaussian", 1.0),
            ("gaussian_gradient_magnitude", 1.0), ("hessian_of_gaussian_eigenvalues", 1.6)]  # fmt: skip
MIN_DISTANCE = spacing(FeatureSelection(FEATURES))


@pytest.fixture(params=["embedded", "remote"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Any]]:
    opened: list[Any] = []
    with contextlib.ExitStack() as stack:
        if request.param == "embedded":

            def create() -> Any:
                opened.append(Project.create(tmp_path / f"p{len(opened)}.pixf"))
                return opened[-1]

        else:
            root = tmp_path / "data"
            root.mkdir()
            _, address = stack.enter_context(running_server(root))
            client = stack.enter_context(connect(address))

            def create() -> Any:
                opened.append(client.create_project(f"p{len(opened)}.pixf"))
                return opened[-1]

        yield create
        for project in opened:
            project.close(save=False)


def scene(shape: tuple[int, ...] = (128, 128), seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noisy dark background (class 1) with two bright discs (class 2); float32 image and truth."""
    rng = np.random.default_rng(seed)
    grid = np.indices(shape)
    truth = np.ones(shape, np.uint8)
    for centre in ((0.3, 0.3, 0.3), (0.65, 0.7, 0.6)):
        dist = sum((g - c * s) ** 2 for g, c, s in zip(grid, centre, shape))
        truth[dist < (0.16 * min(shape)) ** 2] = 2
    image = np.where(truth == 2, 0.8, 0.2) + 0.05 * rng.standard_normal(shape)
    return ndi.gaussian_filter(image, 1.0).astype(np.float32), truth


def new_project(make: Callable[[], Any], images: list[np.ndarray]) -> Any:
    """A project with the images (``img0``, ``img1``, ...), classes background and disc, :data:`FEATURES`."""
    p = make()
    for k, image in enumerate(images):
        p.add_image(image, name=f"img{k}")
    p.add_class("background")
    p.add_class("disc")
    p.select_features(FEATURES)
    return p


def labelled_project(make: Callable[[], Any], images: list[np.ndarray], truth: np.ndarray) -> Any:
    """A trained project with the images; a few pixels of both classes labelled on the first image only."""
    p = new_project(make, images)
    labels = np.zeros(truth.shape, np.uint8)
    inner = [ndi.binary_erosion(truth == v, iterations=4) for v in (1, 2)]
    for value, mask in zip((1, 2), inner):
        where = np.argwhere(mask)
        for point in where[np.random.default_rng(value).choice(len(where), 6, replace=False)]:
            labels[tuple(point)] = value
    p.set_labels("img0", labels)
    p.train()
    return p


def _labelled_positions(p: Any, image: str) -> np.ndarray:
    return np.argwhere(p.get_labels(image) > 0)


# ---------------------------------------------------------------------------------------------- labels
def test_suggestions_are_ranked_spread_out_and_away_from_labels(make: Callable[[], Any]) -> None:
    image, truth = scene()
    p = labelled_project(make, [image], truth)
    found = p.suggest_labels("img0", n=8)
    assert 1 <= len(found) <= 8 and all(isinstance(s, LabelSuggestion) for s in found)
    assert [s.rank for s in found] == list(range(1, len(found) + 1))
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    positions = np.array([s.position for s in found])
    gaps = np.sqrt(((positions[:, None] - positions[None]) ** 2).sum(-1))[np.triu_indices(len(found), 1)]
    assert gaps.min() >= MIN_DISTANCE  # never clustered in one spot
    labelled = _labelled_positions(p, "img0")
    to_labels = np.sqrt(((positions[:, None] - labelled[None]) ** 2).sum(-1)).min(axis=1)
    assert to_labels.min() >= max(1.0, MIN_DISTANCE * LABEL_GAP)  # never on or right next to a labelled pixel
    names = {c["name"] for c in p.classes}
    for s in found:
        assert s.image == "img0" and len(s.position) == 2
        assert 0 <= s.uncertainty <= 1 and 0 <= s.novelty <= 1 and s.score == pytest.approx(s.uncertainty + s.novelty)
        assert [c.name for c in s.classes] and {c.name for c in s.classes} <= names
        assert [c.probability for c in s.classes] == sorted((c.probability for c in s.classes), reverse=True)
        assert s.reason in ("uncertain", "unexplored")


def test_suggestions_are_deterministic_for_a_seed(make: Callable[[], Any]) -> None:
    image, truth = scene()
    p = labelled_project(make, [image], truth)
    first = p.suggest_labels("img0", n=6, seed=3)
    assert p.suggest_labels("img0", n=6, seed=3) == first
    other = p.suggest_labels("img0", n=6, seed=4)
    assert len(other) == len(first)


def test_suggestions_cover_images_without_labels(make: Callable[[], Any]) -> None:
    image, truth = scene()
    others = [scene(seed=s)[0][::-1].copy() for s in (1, 2)]
    p = labelled_project(make, [image, *others], truth)
    found = p.suggest_labels(None, n=4)
    assert {"img1", "img2"} <= {s.image for s in found}
    # even one suggestion per call goes to an image the user has not labelled
    assert p.suggest_labels(None, n=1)[0].image in ("img1", "img2")


def test_suggestions_respect_the_region(make: Callable[[], Any]) -> None:
    image, truth = scene()
    p = labelled_project(make, [image], truth)
    region = (slice(70, 120), slice(10, 60))
    found = p.suggest_labels("img0", n=5, region=region)
    assert found
    for s in found:
        assert all(sl.start <= v < sl.stop for v, sl in zip(s.position, region))


def test_unexplored_texture_is_suggested_first(make: Callable[[], Any]) -> None:
    # a patch of checkerboard inside the background: nothing labelled looks like it
    image, truth = scene()
    patch = (slice(92, 120), slice(8, 36))
    image[patch] = (np.indices((28, 28)) // 2).sum(axis=0) % 2
    p = labelled_project(make, [image], truth)
    found = p.suggest_labels("img0", n=3)
    inside = [s for s in found if all(sl.start <= v < sl.stop for v, sl in zip(s.position, patch))]
    assert inside, [s.position for s in found]


def test_suggestions_in_3d(make: Callable[[], Any]) -> None:
    image, truth = scene((40, 48, 48))
    p = labelled_project(make, [image], truth)
    found = p.suggest_labels("img0", n=4)
    assert found and all(len(s.position) == 3 for s in found)
    labels = p.get_labels("img0")
    assert all(labels[s.position] == 0 for s in found)
    assert all(0 <= v < n for s in found for v, n in zip(s.position, image.shape))


def test_bad_requests_are_refused_before_any_work(make: Callable[[], Any]) -> None:
    image, truth = scene()
    p = new_project(make, [image])
    with pytest.raises(NotTrained, match="train"):
        p.suggest_labels("img0")
    p = labelled_project(make, [image], truth)
    for n in (0, -1, 1001, 2.5, True):
        with pytest.raises(ValidationError, match="number of suggestions"):
            p.suggest_labels("img0", n=n)
    with pytest.raises(ValidationError, match="region needs an image"):
        p.suggest_labels(None, n=3, region=(slice(0, 10), slice(0, 10)))
    with pytest.raises(ValidationError):
        p.suggest_labels("img0", n=3, region=(slice(10, 10), slice(0, 10)))


# ---------------------------------------------------------------------------------------------- features
def _feature_project(make: Callable[[], Any]) -> tuple[Any, np.ndarray]:
    image, truth = scene((96, 96))
    p = new_project(make, [image])
    labels = np.zeros(truth.shape, np.uint8)
    rng = np.random.default_rng(0)
    for value in (1, 2):
        where = np.argwhere(ndi.binary_erosion(truth == value, iterations=2))
        for point in where[rng.choice(len(where), 12, replace=False)]:
            labels[tuple(point)] = value
    p.set_labels("img0", labels)
    return p, truth


def accuracy(p: Any, truth: np.ndarray) -> float:
    """Whole-image accuracy against the truth after training (the independent check of a selection)."""
    p.train()
    return float((p.predict("img0", output="segmentation") == truth).mean())


def test_suggest_features_proposes_a_smaller_selection_as_good_as_the_full_one(make: Callable[[], Any]) -> None:
    p, truth = _feature_project(make)
    full = accuracy(p, truth)
    result = p.suggest_features()
    assert isinstance(result, FeatureSuggestion)
    assert len(result.scores) == len(FEATURES)
    assert sorted(s.rank for s in result.scores) == list(range(1, len(FEATURES) + 1))
    assert {(s.entry["filter"], s.entry["scale"]) for s in result.scores} == set(FEATURES)
    proposed = result.proposed["entries"]
    assert proposed and len(proposed) < len(FEATURES)
    assert result.within_tolerance
    assert result.accuracy_proposed >= result.accuracy_full - result.tolerance
    assert result.agreement >= result.agreement_ceiling - result.tolerance
    assert result.channels_proposed < result.channels_full == 6
    assert proposed == [s.entry for s in result.scores if s.selected and s.entry in proposed]
    assert result.seconds > 0 and result.samples == 24 and result.folds >= 2
    assert result.split.startswith("blocks of")
    assert p.features.entries and len(p.features) == len(FEATURES)  # the project is not changed
    p.select_features(result.proposed)  # the proposal applies as it is
    assert len(p.features) == len(proposed)
    assert accuracy(p, truth) >= full - 0.01  # and classifies the whole image as well


def test_suggest_features_is_deterministic_and_honours_max_channels(make: Callable[[], Any]) -> None:
    p, _ = _feature_project(make)
    first = p.suggest_features(max_channels=1, seed=1)
    again = p.suggest_features(max_channels=1, seed=1)
    assert first.proposed == again.proposed and first.scores == again.scores
    assert first.proposed["entries"] and first.channels_proposed == 1  # never empty, never above the limit
    for bad in (0, -3, 1.5, True):
        with pytest.raises(ValidationError, match="feature channels"):
            p.suggest_features(max_channels=bad)


def test_suggest_features_needs_labels_of_two_classes(make: Callable[[], Any]) -> None:
    p = new_project(make, [scene((64, 64))[0]])
    with pytest.raises(ValidationError, match="label"):
        p.suggest_features()
    p.set_labels("img0", np.pad(np.ones((3, 3), np.uint8), ((10, 51), (10, 51))))
    with pytest.raises(ValidationError, match="two classes"):
        p.suggest_features()


# ---------------------------------------------------------------------------------------------- both sides
def test_remote_results_equal_embedded_ones(tmp_path: Path) -> None:
    image, truth = scene()
    others = [scene(seed=1)[0][::-1].copy()]
    with running_server(tmp_path) as (_, address), connect(address) as client:
        results = []
        for p in (Project.create(tmp_path / "local.pixf"), client.create_project("remote.pixf")):
            labelled_project(lambda p=p: p, [image, *others], truth)
            seen: list[tuple[float, str]] = []
            labels = p.suggest_labels(None, n=5, seed=2, progress=lambda f, m, seen=seen: seen.append((f, m)))
            features = p.suggest_features(seed=2)
            results.append((labels, dataclasses.replace(features, seconds=0.0), seen))
            p.close(save=False)
    (local_labels, local_features, local_seen), (remote_labels, remote_features, remote_seen) = results
    assert remote_labels == local_labels
    assert remote_features == local_features
    assert remote_seen == local_seen and remote_seen[-1][0] == 1.0


def test_an_error_in_progress_stops_the_work(make: Callable[[], Any]) -> None:
    image, truth = scene()
    p = labelled_project(make, [image], truth)

    def stop(fraction: float, message: str) -> None:
        raise KeyboardInterrupt("user pressed stop")

    for call in (lambda: p.suggest_labels("img0", progress=stop), lambda: p.suggest_features(progress=stop)):
        with pytest.raises(KeyboardInterrupt):
            call()
    assert p.suggest_labels("img0", n=2)  # the project is still usable


# ---------------------------------------------------------------------------------------------- bounded cost
def test_tiles_stay_within_the_pixel_budget_and_reach_every_image() -> None:
    areas = [(0, (slice(0, 4096), slice(0, 4096))), (1, (slice(0, 300), slice(0, 200))), (2, (slice(0, 2000), slice(0, 100)))]
    budget = 1 << 22
    tiles = plan_tiles(areas, np.random.default_rng(0), budget)
    assert sum(pixels(t) for _, t in tiles) <= budget
    assert {key for key, _ in tiles} == {0, 1, 2}
    for key, tile in tiles:
        area = dict(areas)[key]
        assert all(a.start <= t.start < t.stop <= a.stop for t, a in zip(tile, area))
    assert plan_tiles(areas, np.random.default_rng(0), budget) == tiles  # the seed decides
    assert plan_tiles(areas, np.random.default_rng(1), budget) != tiles
    # small images: everything, tiled without gaps or overlaps
    small = [(0, (slice(0, 700), slice(0, 1100)))]
    cover = np.zeros((700, 1100), int)
    for _, tile in plan_tiles(small, np.random.default_rng(0), budget):
        cover[tile] += 1
    assert (cover == 1).all()
    # more images than the budget holds tiles: every image still gets a (smaller) window
    many = [(k, (slice(0, 1024), slice(0, 1024))) for k in range(40)]
    tiles = plan_tiles(many, np.random.default_rng(0), budget)
    assert {key for key, _ in tiles} == set(range(40)) and sum(pixels(t) for _, t in tiles) <= budget


def test_candidates_are_bounded_whatever_the_image_size() -> None:
    for size, ndim in ((512**2, 2), (4096**2, 2), (1 << 22, 2), (512**3, 3)):
        stride = grid_stride(size, ndim)
        assert (size ** (1 / ndim) / stride) ** ndim <= MAX_CANDIDATES * 1.01
