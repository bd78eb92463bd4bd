"""ilastik's trained forest, read from the .ilp as arrays, predicts exactly like vigra's.

Forests are trained by vigra itself (in the oracle subprocess) on features vigra computed, written
with vigra's HDF5 export into the layout ilastik uses, and read back by vigra straight from the
.ilp for the reference probabilities. Our side reads the same .ilp (never unpickling anything).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import skimage.data
import vigra_oracle
from ilastik_ilp import ILASTIK_IDS, Forests, IlpLane, handmade_forests, write_ilp
from scipy import ndimage
from vigra_projects import Selection, full_selection, oracle_features, vigra_project

from pixframework.errors import CorruptData, ValidationError
from pixframework.ilastik.plan import read_plan

needs_vigra = pytest.mark.skipif(vigra_oracle.skip_reason() is not None, reason=str(vigra_oracle.skip_reason()))


def strokes(shape: tuple[int, ...], classes: int, seed: int) -> np.ndarray:
    """Random short strokes of every class (label image, 0 = unlabelled)."""
    rng = np.random.default_rng(seed)
    labels = np.zeros(shape, np.uint8)
    for k in range(60):
        start = [int(rng.integers(0, s - 6)) for s in shape]
        region = tuple(slice(a, a + (5 if i == len(shape) - 1 else 1)) for i, a in enumerate(start))
        labels[region] = 1 + k % classes
    return labels


def forests_of(plan, count: int, single: bool = False) -> list[list[str]]:
    groups = ["forest"] if single else [f"Forest{i:04d}" for i in range(count)]
    return [[plan.path, f"PixelClassification/ClassifierForests/{g}"] for g in groups]


def vigra_probabilities(plan, features: np.ndarray, count: int, single: bool = False) -> np.ndarray:
    flat = features.reshape(-1, features.shape[-1])
    return vigra_oracle.run("predict", {"features": flat}, forests=forests_of(plan, count, single))


CASES = {
    "2d gray, 3 forests": (lambda: skimage.data.camera()[100:196, 120:248].astype(np.float32)[..., None], "yx",
                           (3, 4, 5), False, 2),
    "rgb, 3 classes": (lambda: skimage.data.astronaut()[60:140, 200:300], "yxc", (4, 4), False, 3),
    "3d": (lambda: (ndimage.gaussian_filter(np.random.default_rng(1).random((38, 40, 42)), 2) * 500)
           .astype(np.float32)[..., None], "zyx", (3, 3), False, 2),
    "single forest (VigraRfLazyflowClassifier)": (
        lambda: skimage.data.coins()[40:120, 40:150].astype(np.float32)[..., None], "yx", (6,), True, 2),
}


@needs_vigra
@pytest.mark.parametrize("case", list(CASES))
def test_forest_probabilities_equal_vigras_on_the_same_features(tmp_path, case):
    make, axes, counts, single, classes = CASES[case]
    image = make()
    labels = strokes(image.shape[:-1], classes, seed=3)
    selection = full_selection()
    ilp = vigra_project(tmp_path / "p.ilp", image, axes, labels, selection, counts, single=single)
    plan = read_plan(ilp, require_images=False)
    assert plan.model is not None and plan.classifier.n_trees == sum(counts)
    features = oracle_features(image, selection)
    ours = plan.model.predict_proba(features.reshape(-1, features.shape[-1]))
    reference = vigra_probabilities(plan, features, len(counts), single)
    assert ours.shape == reference.shape
    assert np.abs(ours - reference).max() <= 1e-5
    assert plan.model.classes == tuple(range(1, classes + 1))


@needs_vigra
def test_ilastik_column_order_is_mapped_onto_ours(tmp_path):
    """Features listed in another order and unsorted scales: ilastik's columns are not ours, the
    forest still reads the right ones."""
    image = skimage.data.camera()[100:180, 100:200].astype(np.float32)[..., None]
    ids = [ILASTIK_IDS[5], ILASTIK_IDS[0], ILASTIK_IDS[3]]  # Hessian, smoothing, DoG
    scales = [3.5, 0.7, 1.6]
    matrix = np.ones((3, 3), bool)
    selection = Selection(ids, scales, matrix, [False] * 3)
    ilp = vigra_project(tmp_path / "p.ilp", image, "yx", strokes(image.shape[:-1], 2, 4), selection, (5, 5))
    plan = read_plan(ilp, require_images=False)
    assert plan.columns != sorted(plan.columns)  # a real permutation
    ilastik_order = oracle_features(image, selection).reshape(-1, 12)
    ours_order = np.empty_like(ilastik_order)
    ours_order[:, plan.columns] = ilastik_order
    reference = vigra_probabilities(plan, ilastik_order, 2)
    assert np.abs(plan.model.predict_proba(ours_order) - reference).max() <= 1e-5


@needs_vigra
def test_values_at_a_threshold_go_where_vigra_sends_them(tmp_path):
    """vigra goes to child 0 when x < threshold: x == threshold goes to child 1."""
    forest = handmade_forests(tmp_path / "f.h5", 1, [[(0, 0.5), (0, 0.25)]])
    lane = IlpLane(np.zeros((20, 24), np.float32), "yx", "a.npy")
    ilp = write_ilp(tmp_path / "p.ilp", [lane], forests=Forests(forest))
    plan = read_plan(ilp, require_images=False)
    x = np.array([[0.0], [0.25], [np.nextafter(np.float32(0.5), np.float32(0))], [0.5], [0.75]], np.float32)
    reference = vigra_oracle.run("predict", {"features": x}, forests=forests_of(plan, 1))
    assert np.array_equal(plan.model.predict_proba(x), reference.astype(np.float32))
    assert reference[:, 0].tolist() == [1.0, 0.5, 0.5, 0.0, 0.0]


def test_damaged_and_unsupported_forests_are_clear_errors(tmp_path):
    lane = IlpLane(np.zeros((20, 24), np.float32), "yx", "a.npy")
    forest = handmade_forests(tmp_path / "f.h5", 1, [[(0, 0.5)]])
    import h5py

    def broken(name: str, change) -> Path:
        path = tmp_path / f"{name}.h5"
        path.write_bytes(forest.read_bytes())
        with h5py.File(path, "a") as f:
            change(f["Forest0000"])
        return write_ilp(tmp_path / f"{name}.ilp", [lane], forests=Forests(path))

    def set_topology(values):
        def change(group):
            del group["Tree_0/topology"]
            group["Tree_0/topology"] = np.asarray(values, np.int32)
        return change

    cases = {
        "truncated": (set_topology([1, 2, 0, 0, 7]), CorruptData, "truncated"),
        "cycle": (set_topology([1, 2, 0, 0, 2, 9, 0, 0x40000000, 2, 0x40000000, 5]), CorruptData, "reached twice"),
        "hyperplane": (set_topology([1, 2, 1, 0, 7, 9, 0, 0x40000000, 2, 0x40000000, 5]), ValidationError,
                       "only threshold splits"),
        "column": (set_topology([1, 2, 0, 0, 7, 9, 3, 0x40000000, 2, 0x40000000, 5]), CorruptData, "column"),
        "weighted": (lambda g: g["_options/predict_weighted_"].write_direct(np.array([1.0])), ValidationError,
                     "predict_weighted"),
        "tree count": (lambda g: g["_options/tree_count_"].write_direct(np.array([3.0])), CorruptData,
                       "declares 3 trees"),
    }
    for name, (change, error, phrase) in cases.items():
        with pytest.raises(error, match=phrase):
            read_plan(broken(name, change), require_images=False)


def test_feature_count_mismatch_is_a_clear_error(tmp_path):
    lane = IlpLane(np.zeros((20, 24), np.float32), "yx", "a.npy")
    forest = handmade_forests(tmp_path / "f.h5", 3, [[(1, 0.5)]])  # the selection gives 1 feature
    ilp = write_ilp(tmp_path / "p.ilp", [lane], forests=Forests(forest))
    with pytest.raises(ValidationError, match="expects 3 feature columns, but its feature selection gives 1"):
        read_plan(ilp, require_images=False)


def test_other_classifier_types_are_named_not_loaded(tmp_path):
    lane = IlpLane(np.zeros((20, 24), np.float32), "yx", "a.npy")
    sklearn_type = b"clazyflow.classifiers.sklearnLazyflowClassifier\nSklearnLazyflowClassifier\np0\n."
    forest = handmade_forests(tmp_path / "f.h5", 1, [[(0, 0.5)]])
    ilp = write_ilp(tmp_path / "p.ilp", [lane], forests=Forests(forest, pickled_type=sklearn_type))
    plan = read_plan(ilp, require_images=False)
    assert plan.model is None and "SklearnLazyflowClassifier" in plan.classifier.missing
