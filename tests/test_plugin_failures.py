"""Plugins that misbehave at run time (raise, return the wrong shape, return NaN) produce an error
naming the plugin: in the Python API, in the ``pixf`` command (exit 1, ``pixf: error: plugin 'x': ...``)
and over gRPC (PluginError rebuilt on the client), and the server stays up.

The misbehaving plugins are a throw-away distribution (tests/plugin_dist.py) on a temporary
sys.path entry, visible to subprocesses through PYTHONPATH.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tifffile
from plugin_dist import write_distribution
from test_server_support import running_server

from pixframework.client import connect
from pixframework.errors import PluginError
from pixframework.project import Project
from pixframework.registry import reset_registry

FILTER_PLUGIN = "misbehaving-filters"
CLASSIFIER_PLUGIN = "misbehaving-classifier"

FILTERS = """
import numpy as np
from pixframework.hookspecs import hookimpl
from pixframework.specs import FilterSpec

def _explodes(src, scale, out):
    raise RuntimeError("kaboom")

def _wrong_shape(src, scale, out):
    return np.zeros((3, 3), np.float32)

def _nan_output(src, scale, out):
    out[...] = src.data
    out[0, 0, 0] = np.nan

@hookimpl
def pixf_register_filters():
    return [FilterSpec(name=n, title=n, compute=f, halo=lambda s, d: 0)
            for n, f in (("explodes", _explodes), ("wrong_shape", _wrong_shape), ("nan_output", _nan_output))]
"""

CLASSIFIER = """
import numpy as np
from pixframework.errors import CorruptData
from pixframework.hookspecs import hookimpl
from pixframework.specs import ClassifierSpec, Parameter

MODES = ("ok", "fit_raises", "predict_raises", "predict_wrong_shape", "predict_nan")

class Model:
    classifier = "flaky"

    def __init__(self, classes, names, mode):
        self.classes, self.feature_names, self.mode = tuple(classes), tuple(names), mode

    def predict_proba(self, features):
        n, c = len(features), len(self.classes)
        if self.mode == "predict_raises":
            raise RuntimeError("predict exploded")
        if self.mode == "predict_wrong_shape":
            return np.full((n + 1, c), 1.0 / c, np.float32)
        p = np.full((n, c), 1.0 / c, np.float32)
        if self.mode == "predict_nan":
            p[0] = np.nan
        return p

    def feature_importances(self):
        return None

    def get_state(self):
        return ({"classifier": "flaky", "classes": list(self.classes), "feature_names": list(self.feature_names),
                 "mode": self.mode}, {"unused": np.zeros(1)})

def _fit(X, y, params, names, progress=None):
    if params["mode"] == "fit_raises":
        raise RuntimeError("fit exploded")
    return Model(np.unique(y).tolist(), names, params["mode"])

def _load(meta, arrays):
    if meta.get("mode") not in MODES:
        raise CorruptData("flaky state is corrupt")
    return Model(meta["classes"], meta["feature_names"], meta["mode"])

@hookimpl
def pixf_register_classifiers():
    return [ClassifierSpec(name="flaky", title="Flaky", fit=_fit, load=_load,
                           parameters=(Parameter("mode", "ok", "str", "how to misbehave", choices=MODES),))]
"""

#: what the core must say for each misbehaving filter
FILTER_MESSAGES = {
    "explodes": "filter 'explodes' at scale 1.0 failed: RuntimeError: kaboom",
    "wrong_shape": "filter 'wrong_shape' at scale 1.0 returned shape (3, 3)",
    "nan_output": "filter 'nan_output' at scale 1.0 produced NaN",
}
#: where prediction calls Model.predict_proba without turning its failures into a PluginError
PREDICT_NOT_WRAPPED = (
    "pixframework/project.py Project._probabilities and pixframework/blockwise.py predict_region call "
    "model.predict_proba without wrapping exceptions, wrong shapes or NaN in PluginError (lead: wrap there)"
)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The misbehaving distribution installed on a temporary sys.path entry (and PYTHONPATH for subprocesses)."""
    root = tmp_path / "site"
    root.mkdir()
    write_distribution(
        root, "pixf-misbehaving", "0.0.1",
        {"misbehaving_filters": FILTERS, "misbehaving_classifier": CLASSIFIER},
        {FILTER_PLUGIN: "misbehaving_filters", CLASSIFIER_PLUGIN: "misbehaving_classifier"},
    )  # fmt: skip
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    )
    reset_registry()
    yield root
    reset_registry()


def _image() -> np.ndarray:
    yy, xx = np.mgrid[:40, :48]
    return (100 + 60 * (xx > 24) + 5 * np.sin(yy)).astype(np.float32)


def _labelled(project) -> str:
    name = project.add_image(_image(), name="img", axes="yx")
    project.add_class("dark")
    project.add_class("bright")
    labels = np.zeros((40, 48), np.uint8)
    labels[5:10, 3:8] = 1
    labels[30:35, 40:45] = 2
    project.set_labels(name, labels)
    return name


def _project(
    path: Path, features: list, classifier: tuple[str, dict] | None = None, train: bool = False
) -> str:
    with Project.create(path) as project:
        name = _labelled(project)
        project.select_features(features)
        if classifier is not None:
            project.set_classifier(classifier[0], **classifier[1])
        if train:
            project.train()
    return name


def pixf(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "pixframework", *args], capture_output=True, text=True, env=env,
                          timeout=300)  # fmt: skip


# --------------------------------------------------------------------------- Python API


@pytest.mark.parametrize("filter_name", sorted(FILTER_MESSAGES))
def test_misbehaving_filters_are_named_when_training(site: Path, tmp_path: Path, filter_name: str) -> None:
    _project(tmp_path / "p.pixf", [("gaussian_smoothing", 1.0), (filter_name, 1.0)])
    project = Project.open(tmp_path / "p.pixf")
    try:
        with pytest.raises(PluginError) as excinfo:
            project.train()
    finally:
        project.close(save=False)
    assert excinfo.value.plugin == FILTER_PLUGIN
    assert str(excinfo.value).startswith(f"plugin '{FILTER_PLUGIN}': ")
    assert FILTER_MESSAGES[filter_name] in str(excinfo.value)


def test_a_classifier_whose_fit_raises_is_named(site: Path, tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.pixf") as project:
        _labelled(project)
        project.select_features([("gaussian_smoothing", 1.0)])
        project.set_classifier("flaky", mode="fit_raises")
        with pytest.raises(
            PluginError, match="training 'flaky' failed: RuntimeError: fit exploded"
        ) as excinfo:
            project.train()
    assert excinfo.value.plugin == CLASSIFIER_PLUGIN


@pytest.mark.parametrize("mode", ["predict_raises", "predict_wrong_shape", "predict_nan"])
def test_a_classifier_misbehaving_at_prediction_is_named(site: Path, tmp_path: Path, mode: str) -> None:
    with Project.create(tmp_path / "p.pixf") as project:
        name = _labelled(project)
        project.select_features([("gaussian_smoothing", 1.0)])
        project.set_classifier("flaky", mode=mode)
        project.train()
        with pytest.raises(PluginError) as excinfo:
            project.predict(name)
    assert excinfo.value.plugin == CLASSIFIER_PLUGIN


# --------------------------------------------------------------------------- the pixf command


def test_pixf_train_names_a_failing_filter_plugin(site: Path, tmp_path: Path) -> None:
    _project(tmp_path / "p.pixf", [("gaussian_smoothing", 1.0), ("explodes", 1.0)])
    result = pixf("train", "--project", str(tmp_path / "p.pixf"))
    assert result.returncode == 1, result.stderr
    first = result.stderr.strip().splitlines()[-1]
    assert first.startswith(f"pixf: error: plugin '{FILTER_PLUGIN}': "), result.stderr
    assert FILTER_MESSAGES["explodes"] in first
    assert "Traceback" not in result.stderr


def test_pixf_train_names_a_failing_classifier_plugin(site: Path, tmp_path: Path) -> None:
    _project(tmp_path / "p.pixf", [("gaussian_smoothing", 1.0)], ("flaky", {"mode": "fit_raises"}))
    result = pixf("train", "--project", str(tmp_path / "p.pixf"))
    assert result.returncode == 1, result.stderr
    assert (
        f"pixf: error: plugin '{CLASSIFIER_PLUGIN}': training 'flaky' failed: RuntimeError: fit exploded"
        in result.stderr
    )


def test_pixf_predict_names_a_classifier_failing_at_prediction(site: Path, tmp_path: Path) -> None:
    _project(
        tmp_path / "p.pixf", [("gaussian_smoothing", 1.0)], ("flaky", {"mode": "predict_raises"}), train=True
    )
    tifffile.imwrite(tmp_path / "new.tif", _image())
    result = pixf("predict", "--project", str(tmp_path / "p.pixf"), str(tmp_path / "new.tif"))
    assert result.returncode == 1, result.stderr
    assert f"pixf: error: plugin '{CLASSIFIER_PLUGIN}': " in result.stderr, result.stderr


# --------------------------------------------------------------------------- over gRPC


@pytest.fixture
def remote(site: Path, tmp_path: Path) -> Iterator[tuple[Any, Any, str]]:
    """(client, remote project with labels, image name) on a real server on 127.0.0.1."""
    root = tmp_path / "data"
    root.mkdir()
    with running_server(root) as (_, address), connect(address) as client:
        project = client.create_project("p.pixf")
        yield client, project, _labelled(project)


def test_grpc_names_the_plugin_and_the_server_stays_up(remote: tuple[Any, Any, str]) -> None:
    client, project, name = remote
    for filter_name, message in FILTER_MESSAGES.items():
        project.select_features([("gaussian_smoothing", 1.0), (filter_name, 1.0)])
        with pytest.raises(PluginError) as excinfo:
            project.train()
        assert excinfo.value.plugin == FILTER_PLUGIN and message in str(excinfo.value)
    project.select_features([("gaussian_smoothing", 1.0)])
    project.set_classifier("flaky", mode="fit_raises")
    with pytest.raises(PluginError, match="fit exploded") as excinfo:
        project.train()
    assert excinfo.value.plugin == CLASSIFIER_PLUGIN
    # the server is still up and the same session still works
    project.set_classifier("random_forest", n_estimators=5, threads=1)
    project.train()
    segmentation = project.predict(name, output="segmentation")
    assert segmentation.shape == (40, 48) and set(np.unique(segmentation)) <= {1, 2}
    assert client.server_info()


def test_grpc_names_a_classifier_failing_at_prediction(remote: tuple[Any, Any, str]) -> None:
    client, project, name = remote
    project.select_features([("gaussian_smoothing", 1.0)])
    project.set_classifier("flaky", mode="predict_raises")
    project.train()
    try:
        with pytest.raises(PluginError) as excinfo:
            project.predict(name)
        assert excinfo.value.plugin == CLASSIFIER_PLUGIN
    finally:
        assert client.server_info()  # up either way
