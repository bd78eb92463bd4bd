"""fast_forest: accuracy like scikit-learn's random forest, determinism, exact thresholds, state, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import ndimage as ndi
from sklearn.ensemble import RandomForestClassifier

from pixframework.classifiers import load_model, train_model
from pixframework.classifiers.fast_forest import _tree_seeds as tree_seeds
from pixframework.classifiers.fast_forest import bin_edges, features_per_split
from pixframework.classifiers.fast_forest_kernels import _bootstrap as grow_bootstrap
from pixframework.errors import CorruptData, ValidationError
from pixframework.features import compute_features
from pixframework.synthetic import cells, sparse_strokes
from pixframework.testing import check_classifier

FAST = {"n_estimators": 30, "random_state": 2}


def accuracy(model, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.asarray(model.classes)[model.predict_proba(X).argmax(axis=1)] == y))


def sklearn_accuracy(X, y, X_test, y_test, **params) -> float:
    forest = RandomForestClassifier(n_estimators=params.get("n_estimators", 30), random_state=2, n_jobs=-1)
    return float(forest.fit(X, y).score(X_test, y_test))


def mixed_problem(n: int = 1500, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Four classes (labels 3, 5, 8, 9) from non-linear rules on 10 of 20 features, 5 % label noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 20)).astype(np.float32)
    X[:, 7] = np.round(X[:, 7])  # a feature with few distinct values
    score = np.stack([X[:, 0] * X[:, 1], np.sin(2 * X[:, 2]) + X[:, 3], X[:, 4] ** 2 - X[:, 5], X[:, 6] + X[:, 7]])
    y = np.asarray([3, 5, 8, 9])[score.argmax(axis=0)]
    noisy = rng.random(n) < 0.05
    y[noisy] = rng.choice([3, 5, 8, 9], noisy.sum())
    return X, y


@pytest.fixture(scope="module")
def cell_samples():
    """Features of a synthetic cells image: stroke pixels to train on, random pixels to test on."""
    image, truth = cells((192, 192), seed=4)
    features = compute_features(image)
    features = features.reshape(-1, features.shape[-1])
    mask = np.zeros(truth.shape, bool)
    for _, points in sparse_strokes(truth, per_class=6, length=16, seed=1):
        mask[tuple(points.T)] = True
    mask = ndi.binary_dilation(mask, iterations=1).reshape(-1)
    labels = truth.reshape(-1).astype(np.int64)
    test = np.random.default_rng(0).choice(np.flatnonzero(~mask), 8000, replace=False)
    return features[mask], labels[mask], features[test], labels[test]


def test_accuracy_like_sklearn_on_cells_strokes(cell_samples):
    X, y, X_test, y_test = cell_samples
    ours = accuracy(train_model("fast_forest", X, y, FAST), X_test, y_test)
    theirs = sklearn_accuracy(X, y, X_test, y_test)
    assert ours > 0.9
    assert ours >= theirs - 0.02


def test_accuracy_like_sklearn_on_four_noisy_classes():
    X, y = mixed_problem()
    X_test, y_test = mixed_problem(3000, seed=1)
    model = train_model("fast_forest", X, y, FAST)
    assert model.classes == (3, 5, 8, 9)
    ours, theirs = accuracy(model, X_test, y_test), sklearn_accuracy(X, y, X_test, y_test)
    assert ours >= theirs - 0.02, (ours, theirs)


def test_few_bins_still_learn():
    X, y = mixed_problem()
    X_test, y_test = mixed_problem(3000, seed=1)
    coarse = accuracy(train_model("fast_forest", X, y, {**FAST, "max_bins": 8}), X_test, y_test)
    assert coarse > 0.7


@pytest.mark.parametrize("n_values", [200, 700])
def test_stored_thresholds_route_training_rows_like_the_binned_tree(n_values):
    """Neighbouring float32 values with alternating labels: every in-bag row of a fully grown tree
    must reach a leaf of its own class on its raw value (midpoints that round onto the value above,
    or thresholds off by one bin, send rows to the wrong side). With more values than bins, rows
    sharing a bin cannot be separated, so only bins whose in-bag rows share one class are checked."""
    n = n_values
    X = (np.float32(3.0) + np.arange(n, dtype=np.float32) * np.finfo(np.float32).eps * 2).reshape(n, 1)
    assert np.all(np.diff(X[:, 0].astype(np.float64)) > 0) and np.unique(X).size == n
    y = np.where(np.arange(n) % 2 == 0, 1, 2)
    model = train_model("fast_forest", X, y, {"n_estimators": 1, "random_state": 9})
    _, in_bag = grow_bootstrap(np.array([tree_seeds(9, 1)[0]], np.uint64), n)
    edges, n_edges = bin_edges(np.ascontiguousarray(X.T), 255)
    bin_of = np.searchsorted(edges[0, : n_edges[0]], X[:, 0])
    classes_in_bin = [set(y[in_bag][bin_of[in_bag] == b]) for b in range(n_edges[0] + 1)]
    check = in_bag[[len(classes_in_bin[bin_of[i]]) == 1 for i in in_bag]]
    assert len(check) > 50
    predicted = np.asarray(model.classes)[model.predict_proba(X[check]).argmax(axis=1)]
    np.testing.assert_array_equal(predicted, y[check])


def test_same_seed_same_forest_whatever_the_threads():
    X, y = mixed_problem(800)
    states = [
        train_model("fast_forest", X, y, {**FAST, "threads": threads}).get_state()[1] for threads in (1, 2, 3, 1)
    ]
    for other in states[1:]:
        for name, array in states[0].items():
            np.testing.assert_array_equal(array, other[name], err_msg=name)
    different = train_model("fast_forest", X, y, {**FAST, "random_state": 3}).get_state()[1]
    assert not np.array_equal(different["feature"], states[0]["feature"])


def test_progress_reports_every_tree_and_does_not_change_the_model():
    X, y = mixed_problem(300)
    reports: list[tuple[float, str]] = []
    with_progress = train_model("fast_forest", X, y, {**FAST, "n_estimators": 5}, progress=lambda f, m: reports.append((f, m)))
    without = train_model("fast_forest", X, y, {**FAST, "n_estimators": 5})
    assert [f for f, _ in reports] == [0.2, 0.4, 0.6, 0.8, 1.0]
    assert reports[-1][1] == "5 of 5 trees"
    np.testing.assert_array_equal(with_progress.predict_proba(X), without.predict_proba(X))


def test_state_round_trip_predicts_identically(tmp_path):
    X, y = mixed_problem(500)
    model = train_model("fast_forest", X, y, FAST, feature_names=[f"f{i}" for i in range(20)])
    meta, arrays = model.get_state()
    assert meta["classifier"] == "fast_forest" and meta["format"] == "pixf-forest"
    assert meta["params"]["max_bins"] == 255
    for name, array in arrays.items():
        np.save(tmp_path / f"{name}.npy", array)
    loaded = load_model(
        json.loads(json.dumps(meta)), {n: np.load(tmp_path / f"{n}.npy", allow_pickle=False) for n in arrays}
    )
    assert loaded.classifier == "fast_forest" and loaded.feature_names == model.feature_names
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    importances = loaded.feature_importances()
    assert importances.shape == (20,) and abs(importances.sum() - 1) < 1e-9
    assert set(np.argsort(importances)[-4:]) <= set(range(8))  # the informative features lead


def test_tampered_state_is_refused():
    X, y = mixed_problem(200)
    meta, arrays = train_model("fast_forest", X, y, FAST).get_state()
    looped = arrays["children_left"].copy()
    looped[0] = 0
    with pytest.raises(CorruptData, match="tree 0, node 0"):
        load_model(meta, {**arrays, "children_left": looped})
    del arrays["threshold"]
    with pytest.raises(CorruptData, match="threshold"):
        load_model(meta, arrays)


def test_max_depth_and_min_samples_leaf_bound_the_trees():
    X, y = mixed_problem(600)
    arrays = train_model("fast_forest", X, y, {**FAST, "max_depth": 2}).get_state()[1]
    assert np.all(np.diff(arrays["tree_offsets"]) <= 7)
    model = train_model("fast_forest", X, y, {**FAST, "min_samples_leaf": 40, "n_estimators": 3})
    arrays = model.get_state()[1]
    # a leaf holds at least 40 distinct samples, so a tree of ~380 in-bag samples has few leaves
    assert np.all(np.diff(arrays["tree_offsets"]) <= 2 * (600 // 40))


def test_conformance():
    check_classifier("fast_forest", params={"n_estimators": 15})


@pytest.mark.parametrize(
    "features, labels, params, message",
    [
        (np.zeros((0, 3)), np.zeros(0), {}, "no labelled samples"),
        (np.ones((4, 3)), np.ones(4), {}, "only one class"),
        (np.array([[0.0], [np.nan]]), np.array([1, 2]), {}, "NaN"),
        (np.ones((3, 2)), np.array([1, 2]), {}, "3 feature rows but 2 labels"),
        (np.ones((2, 2)), np.array([1, 2]), {"max_bins": 256}, "max_bins"),
        (np.ones((2, 2)), np.array([1, 2]), {"max_features": "half"}, "max_features"),
        (np.ones((2, 2)), np.array([1, 2]), {"class_weight": "balanced"}, "class_weight"),
    ],
)
def test_bad_input_fails_clearly_before_training(features, labels, params, message):
    with pytest.raises(ValidationError, match=message):
        train_model("fast_forest", features, labels, params)


def test_bin_edges_follow_distinct_values_and_quantiles():
    few = np.array([[3, 1, 2, 2, 1, 3, 3]], np.float32)
    edges, n_edges = bin_edges(few, 255)
    assert n_edges.tolist() == [2] and edges[0, :2].tolist() == [1.0, 2.0]
    many = np.random.default_rng(0).normal(size=(1, 5000)).astype(np.float32)
    edges, n_edges = bin_edges(many, 16)
    assert n_edges[0] == 15 and np.all(np.diff(edges[0, :15]) > 0)
    counts = np.bincount(np.searchsorted(edges[0, :15], many[0]), minlength=16)
    assert counts.min() > 5000 / 16 * 0.8  # quantile bins hold similar numbers of samples
    assert features_per_split("sqrt", 49) == 7 and features_per_split("log2", 49) == 5
