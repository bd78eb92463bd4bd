"""Model state: round trips through real files, tampered or truncated state, and state that would run code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pixframework.classifiers import load_model, train_model
from pixframework.errors import CorruptData

N_FEATURES = 6


@pytest.fixture(scope="module")
def samples():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((400, N_FEATURES)).astype(np.float32)
    y = np.where(X[:, 0] > 0.3, 4, np.where(X[:, 1] > 0, 2, 9))
    return X, y


@pytest.fixture(scope="module")
def models(samples):
    X, y = samples
    names = [f"feature {i}" for i in range(N_FEATURES)]
    return {
        name: train_model(name, X, y, {"n_estimators": 10, "random_state": 2}, feature_names=names)
        for name in ("random_forest", "extra_trees", "xgboost")
    }


def save_state(model, folder: Path) -> Path:
    """Write a state the way a project would: JSON metadata plus an .npz of plain arrays."""
    meta, arrays = model.get_state()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.json").write_text(json.dumps(meta))
    np.savez(folder / "arrays.npz", **arrays)
    return folder


def read_state(folder: Path):
    meta = json.loads((folder / "meta.json").read_text())
    with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    return meta, arrays


def evil_pickle(marker: Path) -> bytes:
    """A protocol-0 pickle that runs ``os.system('touch <marker>')`` when unpickled (written by hand)."""
    return f"cos\nsystem\n(S'touch {marker}'\ntR.".encode()


@pytest.mark.parametrize("name", ["random_forest", "extra_trees", "xgboost"])
def test_round_trip_through_files_predicts_identically(tmp_path, samples, models, name):
    X, _ = samples
    model = models[name]
    meta, arrays = read_state(save_state(model, tmp_path / name))
    assert all(a.dtype != object for a in arrays.values())
    loaded = load_model(meta, arrays)
    assert loaded.classifier == name and loaded.classes == (2, 4, 9)
    assert loaded.feature_names == model.feature_names
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.feature_importances(), model.feature_importances())
    again_meta, again_arrays = loaded.get_state()
    assert again_meta == meta
    for key in arrays:
        np.testing.assert_array_equal(again_arrays[key], arrays[key])


def test_meta_is_plain_json(models):
    for model in models.values():
        meta, arrays = model.get_state()
        assert json.loads(json.dumps(meta)) == meta
        assert all(isinstance(a, np.ndarray) and a.dtype.kind in "iuf" for a in arrays.values())


# --------------------------------------------------------------------------- tampering: forests


def _forest_state(models):
    meta, arrays = models["random_forest"].get_state()
    return json.loads(json.dumps(meta)), {k: np.array(v) for k, v in arrays.items()}


def _internal_node(arrays, tree=0):
    start, stop = arrays["tree_offsets"][tree], arrays["tree_offsets"][tree + 1]
    local = np.flatnonzero(arrays["children_left"][start:stop] >= 0)
    return int(start + local[-1]), int(start)


def tamper_cycle(meta, arrays):
    node, _ = _internal_node(arrays)
    arrays["children_left"][node] = 0  # points back to the root


def tamper_self_loop(meta, arrays):
    node, start = _internal_node(arrays)
    arrays["children_right"][node] = node - start


def tamper_child_out_of_range(meta, arrays):
    node, _ = _internal_node(arrays)
    arrays["children_right"][node] = 10**6


def tamper_half_leaf(meta, arrays):
    node, _ = _internal_node(arrays)
    arrays["children_left"][node] = -1


def tamper_shared_child(meta, arrays):
    node, _ = _internal_node(arrays)
    arrays["children_right"][node] = arrays["children_left"][node]


def tamper_feature_index(meta, arrays):
    node, _ = _internal_node(arrays)
    arrays["feature"][node] = N_FEATURES


def tamper_threshold(meta, arrays):
    node, _ = _internal_node(arrays)
    arrays["threshold"][node] = np.nan


def tamper_value(meta, arrays):
    arrays["value"][-1] = [0.9, 0.9, 0.9]


def tamper_negative_value(meta, arrays):
    arrays["value"][-1] = [1.5, -0.5, 0.0]


def truncate_value(meta, arrays):
    arrays["value"] = arrays["value"][:-1]


def truncate_offsets(meta, arrays):
    arrays["tree_offsets"] = arrays["tree_offsets"][:-1]


def wrong_total(meta, arrays):
    arrays["tree_offsets"][-1] += 5


def float_indices(meta, arrays):
    arrays["children_left"] = arrays["children_left"].astype(np.float64)


def missing_array(meta, arrays):
    del arrays["threshold"]


def not_an_array(meta, arrays):
    arrays["feature"] = arrays["feature"].tolist()


def classes_unsorted(meta, arrays):
    meta["classes"] = [4, 2, 9]


def classes_mismatch(meta, arrays):
    meta["classes"] = [2, 4]


def names_mismatch(meta, arrays):
    meta["feature_names"] = meta["feature_names"][:-1]


def n_features_lie(meta, arrays):
    meta["n_features"] = 3
    meta["feature_names"] = ["a", "b", "c"]


def n_trees_lie(meta, arrays):
    meta["n_trees"] = 11


def too_many_trees(meta, arrays):
    meta["n_trees"] = 70_000


def wrong_format(meta, arrays):
    meta["format"] = "sklearn-pickle"


def wrong_version(meta, arrays):
    meta["version"] = 99


def wrong_kind(meta, arrays):
    meta["classifier"] = "xgboost"  # forest arrays handed to the XGBoost loader


def bad_threads(meta, arrays):
    meta["params"]["threads"] = "all"


FOREST_TAMPERING = [
    tamper_cycle, tamper_self_loop, tamper_child_out_of_range, tamper_half_leaf, tamper_shared_child,
    tamper_feature_index, tamper_threshold, tamper_value, tamper_negative_value, truncate_value,
    truncate_offsets, wrong_total, float_indices, missing_array, not_an_array, classes_unsorted,
    classes_mismatch, names_mismatch, n_features_lie, n_trees_lie, too_many_trees, wrong_format, wrong_version,
    wrong_kind, bad_threads,
]


@pytest.mark.parametrize("tamper", FOREST_TAMPERING, ids=lambda f: f.__name__)
def test_tampered_forest_state_is_corrupt(models, tamper):
    meta, arrays = _forest_state(models)
    load_model(meta, arrays)  # the untouched copy loads
    tamper(meta, arrays)
    with pytest.raises(CorruptData) as info:
        load_model(meta, arrays)
    assert "corrupt" in str(info.value) or "not a plain numeric array" in str(info.value)


# --------------------------------------------------------------------------- tampering: xgboost


def _xgb_state(models):
    meta, arrays = models["xgboost"].get_state()
    return json.loads(json.dumps(meta)), {k: np.array(v) for k, v in arrays.items()}


def test_truncated_xgboost_bytes_are_corrupt(models):
    meta, arrays = _xgb_state(models)
    for keep in (0.5, 0.9, 0.99):
        cut = dict(arrays, booster=arrays["booster"][: int(len(arrays["booster"]) * keep)])
        with pytest.raises(CorruptData, match="xgboost model state is corrupt"):
            load_model(meta, cut)


def test_xgboost_state_disagreeing_with_metadata_is_corrupt(models):
    meta, arrays = _xgb_state(models)
    with pytest.raises(CorruptData, match="features"):
        load_model(dict(meta, n_features=5, feature_names=meta["feature_names"][:5]),
                   dict(arrays, feature_importances=arrays["feature_importances"][:5]))
    with pytest.raises(CorruptData, match="classes"):
        load_model(dict(meta, classes=[2, 4]), arrays)
    with pytest.raises(CorruptData, match="uint8"):
        load_model(meta, dict(arrays, booster=arrays["booster"].astype(np.int16)))
    with pytest.raises(CorruptData, match="feature_importances"):
        load_model(meta, dict(arrays, feature_importances=np.full(N_FEATURES, np.nan)))


def test_xgboost_bytes_with_a_garbled_middle_are_corrupt(models):
    meta, arrays = _xgb_state(models)
    raw = arrays["booster"].copy()
    raw[len(raw) // 3 : len(raw) // 3 + 64] = 0xFF
    with pytest.raises(CorruptData):
        load_model(meta, dict(arrays, booster=raw))


# --------------------------------------------------------------------------- code execution


def test_the_evil_payload_really_runs_code_when_unpickled(tmp_path):
    """Proves the payload used below is live: unpickling it (in a throw-away process) runs a command."""
    proof = tmp_path / "proof"
    payload = tmp_path / "evil.pkl"
    payload.write_bytes(evil_pickle(proof))
    subprocess.run([sys.executable, "-c", f"import pickle; pickle.loads(open({str(payload)!r}, 'rb').read())"], check=True)
    assert proof.exists()


@pytest.mark.parametrize("name, slot", [("xgboost", "booster"), ("random_forest", "value"), ("random_forest", "children_left")])
def test_state_carrying_a_pickle_never_runs_it(tmp_path, models, name, slot):
    marker = tmp_path / "marker"
    payload = tmp_path / "evil.pkl"
    payload.write_bytes(evil_pickle(marker))
    meta, arrays = models[name].get_state()
    arrays = dict(arrays)
    arrays[slot] = np.fromfile(payload, dtype=np.uint8)
    with pytest.raises(CorruptData):
        load_model(meta, arrays)
    assert not marker.exists()


def test_object_arrays_are_refused_without_touching_their_items(tmp_path, models):
    marker = tmp_path / "marker"

    class Trap:
        def __array__(self, *args, **kwargs):
            marker.touch()
            return np.zeros(3)

        def __reduce__(self):
            marker.touch()
            return (str, ("x",))

    meta, arrays = models["random_forest"].get_state()
    boxed = np.empty(1, dtype=object)
    boxed[0] = Trap()
    with pytest.raises(CorruptData, match="not a plain numeric array"):
        load_model(meta, dict(arrays, value=boxed))
    assert not marker.exists()
