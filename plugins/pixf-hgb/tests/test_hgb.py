"""pixf-hgb: conformance with pixframework's classifier contract, predictions equal to
scikit-learn's own, safe state (tampering refused), and use in a real project."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pixf_hgb.model import fit
from pixf_hgb.plugin import PARAMETERS
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from pixframework.classifiers import load_model, train_model
from pixframework.errors import CorruptData, ValidationError
from pixframework.project import Project
from pixframework.registry import get_registry
from pixframework.testing import blobs, check_classifier

NAME = "hist_gradient_boosting"
FAST = {"max_iter": 20}


def noisy_samples(n: int = 600, n_classes: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping classes, so trees grow deep and probabilities are far from 0 and 1."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8)).astype(np.float32)
    score = X[:, 0] + 0.5 * X[:, 1] * X[:, 2] + 0.3 * rng.normal(size=n)
    y = np.digitize(score, np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1])) * 2 + 1  # 1, 3, 5...
    return X, y.astype(np.int64)


def test_installed_through_the_entry_point() -> None:
    spec = get_registry().classifier(NAME)
    assert spec.plugin == "hgb"
    entry = next(e for e in get_registry().entries if e.name == NAME)
    assert (entry.distribution, entry.kind) == ("pixf-hgb", "classifier")


def test_conformance() -> None:
    check_classifier(NAME, params=FAST)


@pytest.mark.parametrize("n_classes", [2, 4])
def test_predictions_equal_scikit_learns(n_classes: int) -> None:
    X, y = noisy_samples(n_classes=n_classes)
    params = {p.name: p.default for p in PARAMETERS} | {"max_iter": 30, "threads": 1}
    model = fit(X, y, params, [f"f{i}" for i in range(X.shape[1])])
    with threadpool_limits(limits=1, user_api="openmp"):  # small data: threads only add start-up time
        reference = HistGradientBoostingClassifier(max_iter=30, early_stopping=False, random_state=0).fit(
            X, y
        )
    test = np.random.default_rng(1).normal(size=(500, 8)).astype(np.float32)
    np.testing.assert_allclose(model.predict_proba(test), reference.predict_proba(test), atol=1e-6)
    assert model.classes == tuple(reference.classes_)


def test_progress_in_steps_gives_the_same_model_as_one_call() -> None:
    X, y = noisy_samples()
    reports = []
    stepped = train_model(NAME, X, y, FAST, progress=lambda f, m: reports.append(f))
    direct = train_model(NAME, X, y, FAST)
    assert reports[-1] == 1.0 and len(reports) > 1 and reports == sorted(reports)
    np.testing.assert_array_equal(stepped.predict_proba(X), direct.predict_proba(X))


def test_state_is_numbers_and_json_and_reloads_identically() -> None:
    X, y = noisy_samples()
    model = train_model(NAME, X, y, FAST)
    meta, arrays = model.get_state()
    assert all(a.dtype.kind in "if" for a in arrays.values())
    again = load_model(json.loads(json.dumps(meta)), {k: v.copy() for k, v in arrays.items()})
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))


def _tamper(arrays: dict, name: str, change) -> dict:
    copy = {k: v.copy() for k, v in arrays.items()}
    copy[name] = change(copy[name])
    return copy


@pytest.mark.parametrize(
    "name, change, message",
    [
        ("left", lambda a: np.where(a > 0, 0, a), "children must be later nodes"),  # a loop back to the root
        ("right", lambda a: np.where(a > 0, a + 10**6, a), "children must be later nodes"),
        ("feature", lambda a: np.where(a >= 0, 99, a), "split features"),
        ("roots", lambda a: a[::-1], "roots must start at 0 and increase"),
        ("value", lambda a: a[:-1], "differ in length"),
        ("threshold", lambda a: np.full_like(a, np.nan), "must be numbers"),
        ("baseline", lambda a: a.astype(np.int64), "must be 1D float"),
    ],
)
def test_tampered_state_is_refused(name: str, change, message: str) -> None:
    X, y = noisy_samples()
    meta, arrays = train_model(NAME, X, y, FAST).get_state()
    with pytest.raises(CorruptData, match=message):
        load_model(meta, _tamper(arrays, name, change))


def test_bad_features_are_refused() -> None:
    X, y = blobs((1, 2))
    model = train_model(NAME, X, y, FAST)
    bad = X.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ValidationError, match="NaN"):
        model.predict_proba(bad)
    with pytest.raises(ValidationError, match="trained on 6 features"):
        model.predict_proba(X[:, :4])


def test_trains_and_predicts_in_a_project(tmp_path) -> None:
    xx = np.mgrid[:64, :80][1]
    image = (100 + 80 * (xx > 40) + np.random.default_rng(0).normal(0, 5, (64, 80))).astype(np.float32)
    with Project.create(tmp_path / "p.pixf") as project:
        name = project.add_image(image, axes="yx")
        project.add_class("left")
        project.add_class("right")
        project.paint(name, "left", [[10, 5], [50, 20]], radius=3)
        project.paint(name, "right", [[10, 70], [50, 60]], radius=3)
        project.select_features([("gaussian_smoothing", 1.0), ("gaussian_gradient_magnitude", 1.0)])
        project.set_classifier(NAME, max_iter=20, min_samples_leaf=5)
        project.train()
        segmentation = project.predict(name, output="segmentation")
    reopened = Project.open(tmp_path / "p.pixf")
    try:
        np.testing.assert_array_equal(reopened.predict(name, output="segmentation"), segmentation)
    finally:
        reopened.close(save=False)
    assert np.mean(segmentation[:, :35] == 1) > 0.95 and np.mean(segmentation[:, 46:] == 2) > 0.95
