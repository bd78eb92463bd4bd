"""Classifier plugins: forest inference equal to scikit-learn, XGBoost, determinism, bad input, registry."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from xgboost import XGBClassifier

from pixframework.classifiers import load_model, train_model, validate_training_data
from pixframework.classifiers.forest_engine import CompiledForest, thresholds_as_float32
from pixframework.classifiers.forest_state import arrays_from_sklearn, check_forest_state
from pixframework.errors import NotFound, ValidationError
from pixframework.registry import get_registry
from pixframework.specs import Model

N_FEATURES = 12


def smooth_planes(shape=(96, 128), n_features=N_FEATURES, seed=0) -> np.ndarray:
    """Channel-first feature planes (F, y, x) that vary smoothly, like filter responses."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    planes = []
    for _ in range(n_features):
        fy, fx, phase = rng.uniform(0.02, 0.2, 2).tolist() + [rng.uniform(0, 6)]
        planes.append(np.sin(fy * yy + phase) * np.cos(fx * xx) + 0.1 * rng.standard_normal(shape))
    return np.stack(planes).astype(np.float32)


def labelled_samples(planes: np.ndarray, n=600, classes=(2, 5, 7), seed=1):
    """Sparse 'labels' at random pixels: class from the first feature, with some label noise."""
    rng = np.random.default_rng(seed)
    X_all = planes.reshape(planes.shape[0], -1).T
    pick = rng.choice(X_all.shape[0], n, replace=False)
    X = np.ascontiguousarray(X_all[pick])
    bins = np.digitize(X[:, 0] + 0.5 * X[:, 1], np.quantile(X[:, 0] + 0.5 * X[:, 1], np.linspace(0, 1, len(classes) + 1)[1:-1]))
    y = np.asarray(classes)[bins]
    noisy = rng.random(n) < 0.05
    y[noisy] = rng.choice(classes, noisy.sum())
    return X, y


@pytest.fixture(scope="module")
def planes():
    return smooth_planes()


@pytest.fixture(scope="module")
def samples(planes):
    return labelled_samples(planes)


@pytest.fixture(scope="module")
def forest(samples):
    X, y = samples
    return train_model("random_forest", X, y, {"n_estimators": 30, "random_state": 3})


def strided_features(planes: np.ndarray) -> np.ndarray:
    """The layout the feature engine hands out: a transposed view of channel-first planes."""
    view = planes.reshape(planes.shape[0], -1).T
    assert not view.flags.c_contiguous and view.strides == (4, view.shape[0] * 4)
    return view


# --------------------------------------------------------------------------- registry


def test_builtin_classifiers_are_registered_with_ilastik_like_defaults():
    registry = get_registry()
    assert {"random_forest", "extra_trees", "xgboost"} <= set(registry.classifiers)
    defaults = {p.name: p.default for p in registry.classifier("random_forest").parameters}
    assert defaults["n_estimators"] == 100 and defaults["threads"] == 0 and "random_state" in defaults
    assert registry.classifier("random_forest").plugin == "builtin-classifiers"
    xgb_defaults = {p.name: p.default for p in registry.classifier("xgboost").parameters}
    assert "threads" in xgb_defaults and "random_state" in xgb_defaults


def test_unknown_classifier_is_not_found(samples):
    X, y = samples
    with pytest.raises(NotFound, match="random_forrest"):
        train_model("random_forrest", X, y)


# --------------------------------------------------------------------------- forest equals scikit-learn


@pytest.mark.parametrize("kind, sk_class", [("random_forest", RandomForestClassifier), ("extra_trees", ExtraTreesClassifier)])
def test_forest_probabilities_equal_sklearn_for_every_layout(planes, samples, kind, sk_class):
    X, y = samples
    model = train_model(kind, X, y, {"n_estimators": 25, "random_state": 11, "threads": 2})
    reference = sk_class(n_estimators=25, random_state=11, n_jobs=2).fit(X, y)
    features = strided_features(planes)
    expected = reference.predict_proba(features)
    assert isinstance(model, Model) and model.classes == (2, 5, 7)
    for layout in (features, np.ascontiguousarray(features), features.astype(np.float64), np.asfortranarray(features)):
        got = model.predict_proba(layout)
        assert got.dtype == np.float32 and got.shape == (features.shape[0], 3)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(model.feature_importances(), reference.feature_importances_, atol=1e-12)


def test_engine_matches_an_independently_trained_sklearn_forest(planes, samples):
    X, y = samples
    reference = RandomForestClassifier(n_estimators=15, max_depth=7, min_samples_leaf=2, random_state=5).fit(X, y)
    meta = {
        "format": "pixf-forest", "version": 1, "classifier": "random_forest", "classes": [2, 5, 7],
        "feature_names": [f"f{i}" for i in range(N_FEATURES)], "n_features": N_FEATURES, "n_trees": 15,
    }
    state = check_forest_state("random_forest", meta, arrays_from_sklearn(reference))
    features = strided_features(planes)
    proba, bad_row = state.engine.predict_proba(features, block=333)  # odd block: partial last block
    assert bad_row == -1
    np.testing.assert_allclose(proba, reference.predict_proba(features), atol=1e-6)


def test_values_exactly_at_thresholds_go_the_same_way_as_in_sklearn(samples):
    """x <= threshold with float32 x and float64 thresholds: probe every threshold and its float32 neighbours."""
    X, y = samples
    reference = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    arrays = arrays_from_sklearn(reference)
    internal = arrays["children_left"] >= 0
    probes = []
    for f, t in zip(arrays["feature"][internal], arrays["threshold"][internal]):
        t32 = np.float32(t)
        for v in (t32, np.nextafter(t32, np.float32(np.inf)), np.nextafter(t32, np.float32(-np.inf))):
            row = X[len(probes) % len(X)].copy()
            row[f] = v
            probes.append(row)
    probes = np.asarray(probes, dtype=np.float32)
    meta = {
        "format": "pixf-forest", "version": 1, "classifier": "random_forest", "classes": [2, 5, 7],
        "feature_names": [str(i) for i in range(N_FEATURES)], "n_features": N_FEATURES, "n_trees": 10,
    }
    engine = check_forest_state("random_forest", meta, arrays).engine
    np.testing.assert_allclose(engine.predict_proba(probes)[0], reference.predict_proba(probes), atol=1e-6)


def test_float32_thresholds_decide_like_float64_ones():
    rng = np.random.default_rng(0)
    t64 = rng.standard_normal(2000) * 10.0 ** rng.integers(-3, 4, 2000)
    t32 = thresholds_as_float32(t64)
    assert np.all(t32.astype(np.float64) <= t64)
    for x in (t64.astype(np.float32), t32, np.nextafter(t32, np.float32(np.inf)), np.nextafter(t32, np.float32(-np.inf))):
        np.testing.assert_array_equal(x.astype(np.float64) <= t64, x <= t32)


def test_single_leaf_trees_and_two_classes():
    # one informative sample per class: every bootstrap tree that misses a class is a single leaf
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], np.float32)
    y = np.array([1, 2, 1, 2])
    model = train_model("random_forest", X, y, {"n_estimators": 40, "random_state": 0})
    reference = RandomForestClassifier(n_estimators=40, random_state=0).fit(X, y)
    probe = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]], np.float32)
    np.testing.assert_allclose(model.predict_proba(probe), reference.predict_proba(probe), atol=1e-6)
    assert model.predict_proba(np.empty((0, 2), np.float32)).shape == (0, 2)


def test_forest_is_deterministic_for_a_seed_and_varies_with_it(samples):
    X, y = samples
    params = {"n_estimators": 12, "random_state": 42}
    a_meta, a = train_model("random_forest", X, y, params).get_state()
    b_meta, b = train_model("random_forest", X, y, dict(params, threads=1)).get_state()
    c_meta, c = train_model("random_forest", X, y, dict(params, random_state=43)).get_state()
    # growing in warm-start steps to report progress gives the very same forest
    d_meta, d = train_model("random_forest", X, y, params, progress=lambda f, m: None).get_state()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
        np.testing.assert_array_equal(a[name], d[name])
    assert any(a[name].shape != c[name].shape or not np.array_equal(a[name], c[name]) for name in a)


def test_training_reports_progress_up_to_one(samples):
    X, y = samples
    seen = []
    train_model("random_forest", X, y, {"n_estimators": 25, "class_weight": "balanced"},
                progress=lambda f, m: seen.append((f, m)))
    assert seen[-1] == (pytest.approx(1.0), "25 of 25 trees") and len(seen) == 9
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    seen.clear()
    train_model("xgboost", X, y, {"n_estimators": 5}, progress=lambda f, m: seen.append(f))
    assert seen == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])


def test_concurrent_predictions_from_threads_agree(planes, forest):
    features = strided_features(planes)
    expected = forest.predict_proba(features)
    results = [None] * 4

    def run(i):
        results[i] = forest.predict_proba(features)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        np.testing.assert_array_equal(r, expected)


def test_compiled_forest_handles_blocks_smaller_and_larger_than_input(planes, forest):
    features = strided_features(planes)[:1000]
    engine: CompiledForest = forest._state.engine
    whole = engine.predict_proba(features, block=4096)[0]
    for block in (1, 7, 999, 1000, 1001):
        np.testing.assert_array_equal(engine.predict_proba(features, block=block)[0], whole)


# --------------------------------------------------------------------------- xgboost


@pytest.mark.parametrize("classes", [(1, 2), (2, 5, 7)])
def test_xgboost_probabilities_equal_the_xgboost_classifier(planes, samples, classes):
    X, y = samples
    if len(classes) == 2:
        y = np.where(y == 2, 1, 2)
    model = train_model("xgboost", X, y, {"n_estimators": 20, "max_depth": 4, "random_state": 1, "threads": 2})
    reference = XGBClassifier(n_estimators=20, max_depth=4, learning_rate=0.3, tree_method="hist", random_state=1, n_jobs=2)
    reference.fit(X, np.searchsorted(np.unique(y), y))
    features = strided_features(planes)
    got = model.predict_proba(features)
    assert model.classes == classes and got.dtype == np.float32 and got.shape == (features.shape[0], len(classes))
    np.testing.assert_allclose(got, reference.predict_proba(np.ascontiguousarray(features)), atol=1e-6)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=1e-5)
    importances = model.feature_importances()
    assert importances.shape == (N_FEATURES,) and importances.sum() == pytest.approx(1.0)


def test_xgboost_is_deterministic_for_a_seed(samples):
    X, y = samples
    a = train_model("xgboost", X, y, {"n_estimators": 8, "subsample": 0.7, "random_state": 4})
    b = train_model("xgboost", X, y, {"n_estimators": 8, "subsample": 0.7, "random_state": 4})
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("name", ["random_forest", "xgboost"])
def test_bad_training_input_is_named(name, samples):
    X, y = samples
    with pytest.raises(ValidationError, match="only one class"):
        train_model(name, X, np.full(len(y), 3))
    with pytest.raises(ValidationError, match="no labelled samples"):
        train_model(name, X[:0], y[:0])
    bad = X.copy()
    bad[17, 4] = np.nan
    with pytest.raises(ValidationError, match=r"NaN in feature\(s\) edge \(first at row 17\)"):
        train_model(name, bad, y, feature_names=[f"f{i}" for i in range(4)] + ["edge"] + [f"g{i}" for i in range(7)])
    bad[17, 4] = np.inf
    with pytest.raises(ValidationError, match="infinite"):
        train_model(name, bad, y)
    with pytest.raises(ValidationError, match="has no parameter 'n_trees'"):
        train_model(name, X, y, {"n_trees": 10})
    with pytest.raises(ValidationError, match="n_estimators"):
        train_model(name, X, y, {"n_estimators": 0})
    with pytest.raises(ValidationError, match="3 feature names for 12"):
        train_model(name, X, y, feature_names=["a", "b", "c"])
    with pytest.raises(ValidationError, match="600 feature rows but 599 labels"):
        train_model(name, X, y[:-1])
    with pytest.raises(ValidationError, match="labels must be integers"):
        train_model(name, X, y + 0.5)
    huge = X.astype(np.float64)
    huge[3, 1] = -1e60
    with pytest.raises(ValidationError, match=r"too large for float32 in feature\(s\) column 1 \(first at row 3\)"):
        train_model(name, huge, y)


@pytest.mark.parametrize("name", ["random_forest", "xgboost"])
def test_bad_prediction_input_is_named(name, samples):
    X, y = samples
    model = train_model(name, X, y, {"n_estimators": 5})
    with pytest.raises(ValidationError, match="trained on 12 features but got 11"):
        model.predict_proba(X[:, :11])
    with pytest.raises(ValidationError, match="2D"):
        model.predict_proba(X[0])
    bad = X.copy()
    bad[250, 2] = np.nan
    with pytest.raises(ValidationError, match=r"NaN in feature\(s\) feature 2 \(first at row 250\)"):
        model.predict_proba(bad)
    bad[250, 2] = -np.inf
    with pytest.raises(ValidationError, match="infinite"):
        model.predict_proba(bad)
    huge = X.astype(np.float64)
    huge[7, 0] = 1e300
    with pytest.raises(ValidationError, match=r"too large for float32 in feature\(s\) feature 0 \(first at row 7\)"):
        model.predict_proba(huge)


def test_validate_training_data_returns_float32_and_int64(samples):
    X, y = samples
    X2, y2 = validate_training_data(X.astype(np.float64), y.astype(np.uint8))
    assert X2.dtype == np.float32 and y2.dtype == np.int64 and X2.shape == X.shape
    X3, _ = validate_training_data(X, y)
    assert X3 is X  # float32 input is not copied


def test_load_model_rejects_unknown_classifier_and_bad_containers():
    from pixframework.errors import CorruptData

    with pytest.raises(NotFound):
        load_model({"classifier": "no_such_thing"}, {})
    with pytest.raises(CorruptData, match="names no classifier"):
        load_model({}, {})
    with pytest.raises(CorruptData, match="JSON object"):
        load_model([1, 2], {})
