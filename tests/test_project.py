"""The Project API: images, classes, labels, training, prediction, export, save/open."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pixframework import FeatureSelection, Project
from pixframework.errors import Conflict, NotFound, NotTrained, ValidationError
from pixframework.synthetic import cells, sparse_strokes

SMALL = FeatureSelection([("gaussian_smoothing", 1.0), ("gaussian_gradient_magnitude", 1.0), ("laplacian_of_gaussian", 1.6)])


@pytest.fixture
def two_images():
    return [cells((96, 96), seed=s) for s in (1, 2)]


def labelled_project(path, images, selection=SMALL):
    p = Project.create(path)
    p.add_class("background")
    p.add_class("cell")
    p.select_features(selection)
    p.set_classifier("random_forest", n_estimators=20, random_state=0)
    for i, (image, truth) in enumerate(images):
        name = p.add_image(image, name=f"img{i}")
        for value, points in sparse_strokes(truth, seed=i):
            p.paint(name, value, points, radius=1)
    return p


def test_workflow_trains_predicts_and_survives_reopen(tmp_path, two_images):
    p = labelled_project(tmp_path / "a.pixf", two_images)
    summary = p.train()
    assert set(summary["samples"]) == {"background", "cell"}
    proba = p.predict("img0")
    assert proba.shape == (96, 96, 2) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(-1), 1, atol=1e-5)
    seg = p.predict("img0", output="segmentation")
    assert seg.shape == (96, 96) and set(np.unique(seg)) <= {1, 2}
    assert np.mean(seg == two_images[0][1]) > 0.85
    unc = p.predict("img0", output="uncertainty")
    assert unc.shape == (96, 96, 1) and 0 <= unc.min() and unc.max() <= 1
    region = (slice(10, 40), slice(5, 77))
    np.testing.assert_allclose(p.predict("img0", region=region), proba[region], atol=1e-6)
    labels_before = {n: p.get_labels(n) for n in p.images}
    p.save()
    p.close()
    with Project.open(tmp_path / "a.pixf") as q:
        assert q.images == ["img0", "img1"]
        assert [c["name"] for c in q.classes] == ["background", "cell"]
        assert q.features == SMALL
        assert q.classifier == ("random_forest", {"n_estimators": 20, "random_state": 0})
        for name, labels in labels_before.items():
            np.testing.assert_array_equal(q.get_labels(name), labels)
        assert q.is_trained
        np.testing.assert_array_equal(q.predict("img0"), proba)


def test_labels_paint_erase_clear_and_set(tmp_path):
    p = Project.create(tmp_path / "l")
    assert p.path.name == "l.pixf"
    name = p.add_image(np.zeros((50, 60), np.uint8))
    p.add_class("a")
    p.add_class("b")
    n = p.paint(name, "a", [[10, 10], [10, 20]], radius=2)
    labels = p.get_labels(name)
    assert n == (labels == 1).sum() > 11
    assert labels[10, 15] == 1 and labels[30, 30] == 0
    p.erase(name, [[10, 15]], radius=0)
    assert p.get_labels(name)[10, 15] == 0
    patch = np.zeros((5, 5), np.uint8)
    patch[2, 2] = 2
    p.set_labels(name, patch, offset=(8, 8))
    labels = p.get_labels(name)
    assert labels[10, 10] == 2 and labels[10, 11] == 1  # zeros keep what was there
    p.clear_labels(name, "a")
    assert set(np.unique(p.get_labels(name))) == {0, 2}
    np.testing.assert_array_equal(p.get_labels(name, region=(slice(9, 12), slice(9, 12)))[1, 1], 2)
    p.clear_labels(name)
    assert not p.get_labels(name).any()


def test_removing_a_class_renumbers_labels(tmp_path):
    p = Project.create(tmp_path / "c")
    name = p.add_image(np.zeros((20, 20), np.float32))
    for c in ("a", "b", "c"):
        p.add_class(c)
    p.set_labels(name, np.array([[1, 2, 3]]), offset=(0, 0))
    p.remove_class("b")
    assert [c["name"] for c in p.classes] == ["a", "c"]
    np.testing.assert_array_equal(p.get_labels(name)[0, :3], [1, 0, 2])
    p.rename_class("c", "cells")
    assert p.classes[1] == {"name": "cells", "color": p.classes[1]["color"], "index": 2}
    with pytest.raises(Conflict):
        p.add_class("a")


def test_changes_invalidate_predictions_and_model(tmp_path, two_images):
    p = labelled_project(tmp_path / "i", two_images)
    p.train()
    first = p.predict("img0")
    # new labels: cached prediction is dropped, the model stays usable until retrained
    p.paint("img0", "cell", [[5, 5]], radius=1)
    np.testing.assert_array_equal(p.predict("img0"), first)
    p.train()
    # changing features drops the model
    p.select_features([("gaussian_smoothing", 0.7)])
    with pytest.raises(NotTrained, match="features changed"):
        p.predict("img0")
    p.train()
    assert p.predict("img0").shape == (96, 96, 2)
    p.set_classifier("random_forest", n_estimators=5)
    with pytest.raises(NotTrained):
        p.predict("img0")


def test_bad_input_gives_clear_errors_and_keeps_the_project(tmp_path):
    p = Project.create(tmp_path / "e")
    name = p.add_image(np.zeros((30, 30), np.uint16))
    p.add_class("a")
    p.save()
    with pytest.raises(ValidationError, match="do not fit"):
        p.set_labels(name, np.ones((40, 40), np.uint8))
    with pytest.raises(ValidationError, match="class index"):
        p.set_labels(name, np.full((3, 3), 7, np.uint8))
    with pytest.raises(ValidationError, match="spatial dimensions"):
        p.set_labels(name, np.ones((3, 3, 3), np.uint8))
    with pytest.raises(NotFound, match="no image 'nope'"):
        p.get_labels("nope")
    with pytest.raises(ValidationError, match="out of range"):
        p.paint(name, 5, [[1, 1]], 1)
    with pytest.raises(NotTrained):
        p.predict(name)
    with pytest.raises(ValidationError, match="at least two classes"):
        p.train()
    p.add_class("b")
    with pytest.raises(ValidationError, match="no labels"):
        p.train()
    with pytest.raises(ValidationError, match="same number of channels"):
        p.add_image(np.zeros((30, 30, 3), np.uint8))
    with pytest.raises(ValidationError, match="axes"):
        p.add_image(np.zeros((30, 30)), axes="zyx")
    with pytest.raises(ValidationError, match="NaN"):
        p.add_image(np.full((30, 30), np.nan))
    with pytest.raises(ValidationError, match="at least 2 pixels"):
        p.add_image(np.zeros((1, 30)))
    with pytest.raises(NotFound):
        p.set_classifier("no_such_classifier")
    with pytest.raises(ValidationError, match="no parameter"):
        p.set_classifier("random_forest", trees=3)
    with pytest.raises(ValidationError, match="unknown output"):
        p.predict(name, output="nonsense")
    p.close(save=False)
    with Project.open(tmp_path / "e.pixf") as q:
        assert q.images == [name] and [c["name"] for c in q.classes] == ["a"]


def test_opening_things_that_are_not_projects(tmp_path):
    with pytest.raises(NotFound):
        Project.open(tmp_path / "missing.pixf")
    (tmp_path / "plain").mkdir()
    with pytest.raises(ValidationError, match="not a pixframework project"):
        Project.open(tmp_path / "plain")
    Project.create(tmp_path / "p").close()
    with pytest.raises(Conflict, match="already exists"):
        Project.create(tmp_path / "p.pixf")


def test_newer_schema_is_refused_and_older_is_migrated(tmp_path):
    Project.create(tmp_path / "s").close()
    meta_path = tmp_path / "s.pixf" / "project.json"
    meta = json.loads(meta_path.read_text())
    meta["schema_version"] = 99
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(Conflict, match="newer pixframework"):
        Project.open(tmp_path / "s.pixf")
    meta["schema_version"] = 1
    meta["classes"] = ["nucleus", "background"]
    meta_path.write_text(json.dumps(meta))
    with Project.open(tmp_path / "s.pixf") as p:
        assert [c["name"] for c in p.classes] == ["nucleus", "background"]
        assert all(c["color"].startswith("#") for c in p.classes)
    assert json.loads(meta_path.read_text())["schema_version"] == 2


def test_tampered_reference_is_refused(tmp_path, two_images):
    p = labelled_project(tmp_path / "t", two_images)
    p.save()
    p.close()
    meta_path = tmp_path / "t.pixf" / "project.json"
    meta = json.loads(meta_path.read_text())
    first = next(iter(meta["labels"]))
    meta["labels"][first]["ref"] = "../../etc/passwd"
    meta_path.write_text(json.dumps(meta))
    from pixframework.errors import CorruptData

    with pytest.raises(CorruptData, match="invalid reference"):
        Project.open(tmp_path / "t.pixf")


def test_images_by_reference_and_export(tmp_path, two_images):
    from pixframework.io.dispatch import read_image, write_image

    image, truth = two_images[0]
    src = write_image(tmp_path / "data" / "cells.tif", image, "yx")
    p = labelled_project(tmp_path / "r", [])
    name = p.add_image(src)
    assert name == "cells" and p.image_info(name)["stored"] is False
    for value, points in sparse_strokes(truth, seed=3):
        p.paint(name, value, points, radius=1)
    p.train()
    seg_path = p.export(name, "{dataset_dir}/out/{nickname}_{result_type}.tif", output="segmentation")
    assert seg_path == str(tmp_path / "data" / "out" / "cells_Simple Segmentation.tif")
    np.testing.assert_array_equal(np.squeeze(read_image(seg_path)), p.predict(name, output="segmentation"))
    prob_path = p.export(name, str(tmp_path / "p.npy"), output="probabilities", dtype="uint8")
    stored = read_image(prob_path)
    assert stored.dtype == np.uint8 and stored.shape == (96, 96, 2)
    with pytest.raises(ValidationError, match="placeholder"):
        p.export(name, str(tmp_path / "{name}.tif"))


def test_two_open_copies_of_a_project_never_share_cached_predictions(tmp_path, two_images):
    p = labelled_project(tmp_path / "twice", two_images)
    p.save()
    a = Project.open(tmp_path / "twice.pixf")
    b = Project.open(tmp_path / "twice.pixf")
    a.train()
    first = a.predict("img0")
    b.select_features([("gaussian_smoothing", 0.7)])
    b.train()  # same image ids and model generation as a: cache keys must still be kept apart
    other = b.predict("img0")
    assert not np.array_equal(first, other)
    np.testing.assert_array_equal(a.predict("img0"), first)
    a.close(save=False)
    b.close(save=False)
    p.close(save=False)
