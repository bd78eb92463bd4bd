"""Per-entry filter parameters end to end, with the texture plugin's Gabor frequency as the example:
validated against the filter's spec, passed to ``compute``, saved in the project, carried over the
wire, and used by blockwise export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile
from pixf_texture import gabor
from skimage import data as skdata
from test_server_support import running_server

from pixframework.client import connect
from pixframework.errors import ValidationError
from pixframework.features import DerivativeCache, FeatureSelection, compute_features
from pixframework.project import Project
from pixframework.registry import get_registry

SCALE = 2.0
SLOW = ("gabor_energy", SCALE, False, {"frequency": 0.2})
BASE = [("gaussian_smoothing", 1.0), ("gaussian_gradient_magnitude", 1.6)]


def test_entries_keep_only_values_that_differ_from_the_default() -> None:
    spelled = FeatureSelection([("gabor_energy", SCALE, False, {"frequency": gabor.DEFAULT_FREQUENCY})])
    assert spelled == FeatureSelection([("gabor_energy", SCALE)])
    assert spelled.to_json()["entries"] == [{"filter": "gabor_energy", "scale": SCALE, "in_2d": False}]
    slow = FeatureSelection([SLOW])
    assert slow != spelled
    assert slow.to_json()["entries"][0]["params"] == {"frequency": 0.2}
    assert FeatureSelection.from_json(slow.to_json()) == slow
    assert FeatureSelection.coerce([{"filter": "gabor_energy", "scale": SCALE, "params": {"frequency": 0.2}}]) == slow


def test_one_filter_at_one_scale_with_two_frequencies_gives_two_named_blocks() -> None:
    both = FeatureSelection([("gabor_energy", SCALE), SLOW])
    names = both.channel_names(2)
    assert len(names) == 8 == len(set(names))
    assert names[4] == "gabor_energy(sigma=2.0, frequency=0.2)[c0][0deg]"
    with pytest.raises(ValidationError, match="listed twice"):
        FeatureSelection([SLOW, ("gabor_energy", SCALE, False, {"frequency": 0.2})])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"frequncy": 0.2}, "has no parameter 'frequncy'; known: frequency"),
        ({"frequency": 5.0}, "parameter 'frequency' must be <= 1.0"),
        ({"frequency": "fast"}, "parameter 'frequency' must be of type float"),
        ({"frequency": [0.2]}, "must be a number, bool, string or null"),
    ],
)
def test_values_the_filter_does_not_declare_or_allow_are_refused(params: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        FeatureSelection([("gabor_energy", SCALE, False, params)])


def test_the_value_reaches_compute_and_changes_the_features() -> None:
    image = skdata.brick()[:96, :96].astype(np.float32)
    default = compute_features(image, [("gabor_energy", SCALE)], axes="yx")
    slow = compute_features(image, [SLOW], axes="yx")
    assert not np.allclose(default, slow)
    out = np.empty((4, *image.shape), np.float32)
    gabor.gabor_energy(DerivativeCache(image), SCALE, out, frequency=0.2)  # the filter called by hand
    np.testing.assert_allclose(slow, np.moveaxis(out, 0, -1), rtol=1e-5, atol=1e-4)
    region = (slice(30, 70), slice(10, 60))
    np.testing.assert_allclose(compute_features(image, [SLOW], axes="yx", region=region), slow[region], rtol=1e-5, atol=1e-4)


def _labelled_project(project: object, image: str) -> None:
    project.add_class("mortar")
    project.add_class("brick")
    project.paint(image, "mortar", [[5, 5], [5, 90]], radius=2)
    project.paint(image, "brick", [[40, 10], [40, 80]], radius=3)


def test_the_parameter_survives_save_and_open_and_trains_the_same(tmp_path: Path) -> None:
    image = skdata.brick()[:96, :96]
    with Project.create(tmp_path / "p") as project:
        name = project.add_image(image, axes="yx")
        _labelled_project(project, name)
        project.select_features([*BASE, SLOW])
        project.set_classifier("fast_forest", n_estimators=10, random_state=3)
        project.train()
        before = project.predict(name)
        channels = project.summary()["n_features"]
    with Project.open(tmp_path / "p.pixf") as project:
        assert project.features == FeatureSelection([*BASE, SLOW])
        assert channels == 2 + 4
        np.testing.assert_array_equal(project.predict(name), before)
        project.select_features([*BASE, ("gabor_energy", SCALE)])  # another frequency: a stale model
        assert not project.is_trained


def test_the_parameter_travels_over_the_wire_and_into_exports(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    tifffile.imwrite(root / "brick.tif", skdata.brick()[:96, :96])
    assert [p.name for p in get_registry().filter("gabor_energy").parameters] == ["frequency"]
    with running_server(root) as (_, address), connect(address) as client:
        filters = {f["name"]: f for f in client.list_filters()["filters"]}
        declared = filters["gabor_energy"]["parameters"][0]
        assert (declared["name"], declared["default"], declared["minimum"], declared["maximum"]) == ("frequency", 0.5, 0.1, 1.0)
        with client.create_project("remote.pixf") as remote:
            name = remote.add_image("brick.tif")
            _labelled_project(remote, name)
            with pytest.raises(ValidationError, match="must be <= 1.0"):
                remote.select_features([("gabor_energy", SCALE, False, {"frequency": 3.0})])
            remote.select_features([*BASE, SLOW])
            assert remote.features == FeatureSelection([*BASE, SLOW])
            remote.set_classifier("fast_forest", n_estimators=10, random_state=3)
            remote.train()
            viewport = remote.predict(name, region=(slice(0, 48), slice(20, 96)))
            written = remote.export(name, "out/brick.npy", output="probabilities")
    with Project.open(root / "remote.pixf") as project:  # the server saved it on close
        assert project.features == FeatureSelection([*BASE, SLOW])
        whole = project.predict(name)
        np.testing.assert_array_equal(whole[:48, 20:96], viewport)
        np.testing.assert_allclose(np.load(root / written), whole, atol=1e-6)
