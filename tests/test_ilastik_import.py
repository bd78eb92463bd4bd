"""Importing ilastik .ilp projects: images, classes, every labelled pixel, features, what is skipped."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from ilastik_ilp import (
    ILASTIK_IDS,
    ILASTIK_SCALES,
    PARALLEL_TYPE,
    Forests,
    IlpLane,
    LabelBlock,
    canonical,
    expected_labels,
    handmade_forests,
    pickle_payload,
    random_blocks,
    write_ilp,
)

from pixframework.errors import NotFound, ValidationError
from pixframework.features.selection import FeatureSelection
from pixframework.ilastik import import_project
from pixframework.project import Project

CLASSES = (("background", (255, 0, 0)), ("membrane", (0, 0, 255)), ("nucleus", (10, 200, 30)))


def check_project(path: Path, lanes: list[IlpLane]) -> Project:
    """Every lane's pixels and every labelled pixel, exactly."""
    project = Project.open(path)
    assert len(project.images) == len(lanes)
    for lane, name in zip(lanes, project.images):
        assert np.array_equal(project.read_image(name), canonical(lane)), name
        assert np.array_equal(project.get_labels(name), expected_labels(lane)), name
    return project


def desktop(entries: list[tuple]) -> FeatureSelection:
    """The selection an import gives: ilastik desktop's variants of the filters."""
    return FeatureSelection([("ilastik_desktop." + e[0], *e[1:]) for e in entries])


def feature_matrix(selected: dict[str, list[float]]) -> np.ndarray:
    matrix = np.zeros((len(ILASTIK_IDS), len(ILASTIK_SCALES)), dtype=bool)
    for feature, scales in selected.items():
        for s in scales:
            matrix[ILASTIK_IDS.index(feature), ILASTIK_SCALES.index(s)] = True
    return matrix


def test_2d_lanes_from_files_and_from_inside_the_ilp(tmp_path):
    rng = np.random.default_rng(1)
    h5_lane = IlpLane(
        rng.integers(0, 4000, (2, 40, 50)).astype(np.uint16), "cyx", "data/cells.h5/raw", "cells-a"
    )
    internal = IlpLane(rng.random((40, 50, 2)).astype(np.float32), "yxc", nickname="cells-b")
    tif_lane = IlpLane(
        rng.integers(0, 255, (40, 50, 2)).astype(np.uint8), "yxc", str(tmp_path / "elsewhere" / "c.tif")
    )
    for lane, count in ((h5_lane, 2), (internal, 3), (tif_lane, 4)):
        lane.blocks = random_blocks(rng, (40, 50), 3, count)
    matrix = feature_matrix(
        {
            "GaussianSmoothing": [0.3, 1.0],
            "LaplacianOfGaussian": [1.6],
            "HessianOfGaussianEigenvalues": [0.7, 10.0],
        }
    )
    marker = tmp_path / "UNPICKLED"
    ilp = write_ilp(
        tmp_path / "proj.ilp",
        [h5_lane, internal, tif_lane],
        classes=CLASSES,
        features=(ILASTIK_IDS, ILASTIK_SCALES, matrix, [True] * 7),
        marker=marker,
    )

    report = import_project(ilp, tmp_path / "new")
    assert report.project == str(tmp_path / "new.pixf")
    project = check_project(tmp_path / "new.pixf", [h5_lane, internal, tif_lane])
    assert project.images == ["cells-a", "cells-b", "c"]
    assert [(c["name"], c["color"]) for c in project.classes] == [
        ("background", "#ff0000"),
        ("membrane", "#0000ff"),
        ("nucleus", "#0ac81e"),
    ]
    infos = [project.image_info(n) for n in project.images]
    assert [i["stored"] for i in infos] == [False, True, False]
    assert infos[0]["source"] == str(tmp_path / "data" / "cells.h5") + "/raw"
    # ComputeIn2d means nothing for 2D data
    assert project.features == desktop(
        [
            ("gaussian_smoothing", 0.3),
            ("gaussian_smoothing", 1.0),
            ("laplacian_of_gaussian", 1.6),
            ("hessian_of_gaussian_eigenvalues", 0.7),
            ("hessian_of_gaussian_eigenvalues", 10.0),
        ]
    )
    assert report.features_from_ilastik and not project.is_trained
    skipped = dict(report.skipped)
    for item in ("PixelClassification/ClassifierFactory", "PixelClassification/Bookmarks"):
        assert "never loaded" in skipped[item]
    # saved with labels newer than the classifier: ilastik stores no forest, so there is none to keep
    assert "PixelClassification/ClassifierForests" not in skipped and report.forest is None
    assert not marker.exists(), "a pickled payload was executed"
    counts = project.label_counts()
    assert counts == report.label_counts
    assert sum(counts["cells-b"].values()) == int((expected_labels(internal) > 0).sum())
    project.close(save=False)


def test_3d_odd_axis_orders_singleton_time_and_compute_in_2d(tmp_path):
    rng = np.random.default_rng(2)
    zcyx = IlpLane(rng.integers(0, 255, (12, 2, 30, 32)).astype(np.uint8), "zcyx", "vol.h5/volume", "stack")
    tzyxc = IlpLane(rng.integers(0, 255, (1, 12, 30, 32, 2)).astype(np.uint8), "tzyxc", nickname="timepoint")
    for lane in (zcyx, tzyxc):
        lane.blocks = random_blocks(rng, (12, 30, 32), 3, 3)
    # saved as ilastik 1.4 does (channel last, the singleton t dropped), with axistags on each block
    matrix = feature_matrix(
        {"GaussianSmoothing": [0.3, 1.0, 3.5], "HessianOfGaussianEigenvalues": [1.0, 3.5]}
    )
    in_2d = [False, False, True, False, False, False, False]  # only sigma 1.0 per slice
    ilp = write_ilp(
        tmp_path / "vol.ilp",
        [zcyx, tzyxc],
        classes=CLASSES,
        features=(ILASTIK_IDS, ILASTIK_SCALES, matrix, in_2d),
    )

    report = import_project(ilp, tmp_path / "vol.pixf")
    project = check_project(tmp_path / "vol.pixf", [zcyx, tzyxc])
    assert project.image_info("stack")["shape"] == (12, 30, 32, 2)
    stack, timepoint = report.images
    # external files are used in place, 4-axis ones included
    assert project.image_info("stack")["stored"] is False and not stack.stored and stack.why_copied is None
    assert timepoint.stored and timepoint.source is None
    # sigma 3.5 needs ceil(3.5 * 3.5) + 1 = 14 slices, the volume has 12: computed per slice, as ilastik does
    assert project.features == desktop(
        [
            ("gaussian_smoothing", 0.3, False),
            ("gaussian_smoothing", 1.0, True),
            ("gaussian_smoothing", 3.5, True),
            ("hessian_of_gaussian_eigenvalues", 1.0, True),
            ("hessian_of_gaussian_eigenvalues", 3.5, True),
        ]
    )
    assert any("3.5" in note and "2D" in note for note in report.notes)
    project.close(save=False)


@pytest.mark.parametrize(
    ("version", "label_axes", "block_axistags"),
    [
        ("1.4.1", "yxc", True),  # blocks name their axes
        ("1.3.2", "yxc", False),  # ilastik's channel-last order
        ("1.4.0b5", "cyx", False),  # 1.3.3post2 ... 1.4.0b7 saved the file's own order
        ("1.4.1.post1", "xyc", True),  # whatever order the axistags say
    ],
)
def test_label_block_axes_follow_the_saving_ilastik(tmp_path, version, label_axes, block_axistags):
    rng = np.random.default_rng(3)
    lane = IlpLane(
        rng.integers(0, 255, (3, 24, 36)).astype(np.uint8), "cyx", "img.h5/data", label_axes=label_axes
    )
    lane.blocks = random_blocks(rng, (24, 36), 2, 3)
    ilp = write_ilp(tmp_path / "p.ilp", [lane], version=version, block_axistags=block_axistags)
    import_project(ilp, tmp_path / "p.pixf")
    check_project(tmp_path / "p.pixf", [lane]).close(save=False)


def test_singleton_z_becomes_a_2d_image_like_in_ilastik(tmp_path):
    rng = np.random.default_rng(4)
    lane = IlpLane(rng.random((1, 20, 30)).astype(np.float32), "zyx", "flat.npy", "flat")
    lane.blocks = [
        LabelBlock((3, 4), np.array([[1, 0, 2], [0, 2, 1]], np.uint8)),
        LabelBlock((15, 25), np.ones((2, 5), np.uint8)),
    ]
    ilp = write_ilp(tmp_path / "flat.ilp", [lane])
    report = import_project(ilp, tmp_path / "flat.pixf")
    project = check_project(tmp_path / "flat.pixf", [lane])
    assert project.image_info("flat")["shape"] == (20, 30, 1)
    assert report.images[0].stored and "'z'" in report.images[0].why_copied
    project.close(save=False)


def test_moved_image_is_reported_and_found_with_search_dirs(tmp_path):
    rng = np.random.default_rng(5)
    kept = IlpLane(rng.random((20, 24)).astype(np.float32), "yx", "here/a.npy", "a")
    moved = IlpLane(
        rng.random((20, 24)).astype(np.float32),
        "yx",
        "/old/machine/data/b.h5/raw",
        "b",
        write_file=tmp_path / "new_place" / "nested" / "b.h5" / "raw",
    )
    windows = IlpLane(
        rng.random((20, 24)).astype(np.float32),
        "yx",
        "C:\\Users\\me\\images\\c.npy",
        "c",
        write_file=tmp_path / "new_place" / "c.npy",
    )
    lanes = [kept, moved, windows]
    for lane in lanes:
        lane.blocks = random_blocks(rng, (20, 24), 2, 2)
    ilp = write_ilp(tmp_path / "proj.ilp", lanes)

    with pytest.raises(NotFound) as caught:
        import_project(ilp, tmp_path / "proj.pixf")
    message = str(caught.value)
    assert "lane 1 ('b')" in message and "/old/machine/data/b.h5/raw" in message
    assert "lane 2 ('c')" in message and "--search-dir" in message
    assert "lane 0" not in message
    assert sorted(os.listdir(tmp_path)) == ["here", "new_place", "proj.ilp"], "nothing may be left behind"

    report = import_project(ilp, tmp_path / "proj.pixf", search_dirs=[tmp_path / "new_place"])
    check_project(tmp_path / "proj.pixf", lanes).close(save=False)
    relocated = {i.name: i.relocated for i in report.images}
    assert relocated == {
        "a": None,
        "b": str(tmp_path / "new_place" / "nested"),
        "c": str(tmp_path / "new_place"),
    }
    assert any("found by name" in line for line in report.lines())


def test_image_next_to_the_moved_ilp_is_found_without_search_dirs(tmp_path):
    rng = np.random.default_rng(6)
    lane = IlpLane(
        rng.random((20, 24)).astype(np.float32),
        "yx",
        "/gone/cells.npy",
        "cells",
        write_file=tmp_path / "cells.npy",
    )
    lane.blocks = random_blocks(rng, (20, 24), 2, 1)
    report = import_project(write_ilp(tmp_path / "p.ilp", [lane]), tmp_path / "p.pixf")
    assert report.images[0].relocated == str(tmp_path)


def test_ambiguous_search_is_refused(tmp_path):
    lane = IlpLane(np.zeros((20, 24), np.float32), "yx", "/gone/cells.npy", write_file=False)
    for sub in ("x", "y"):
        (tmp_path / "search" / sub).mkdir(parents=True)
        np.save(tmp_path / "search" / sub / "cells.npy", np.zeros((20, 24), np.float32))
    with pytest.raises(ValidationError, match="several files called 'cells.npy'"):
        import_project(
            write_ilp(tmp_path / "p.ilp", [lane]), tmp_path / "p.pixf", search_dirs=[tmp_path / "search"]
        )


def test_copy_data_stores_file_images_in_the_project(tmp_path):
    rng = np.random.default_rng(7)
    lane = IlpLane(rng.integers(0, 9, (2, 20, 24)).astype(np.int16), "cyx", "data/a.h5/raw", "a")
    lane.blocks = random_blocks(rng, (20, 24), 2, 2)
    ilp = write_ilp(tmp_path / "p.ilp", [lane])
    import_project(ilp, tmp_path / "p.pixf", copy_data=True)
    shutil.rmtree(tmp_path / "data")
    project = check_project(tmp_path / "p.pixf", [lane])
    assert project.image_info("a")["stored"] is True
    project.close(save=False)


def test_legacy_layouts_and_ilastik_defaults(tmp_path):
    """No class names (ilastik names them Label N), no axistags on the lane, internal data by datasetId,
    unknown feature ids skipped, a duplicated nickname made unique."""
    rng = np.random.default_rng(8)
    a = IlpLane(rng.random((20, 24)).astype(np.float32), "yx", nickname="same", stored_axes=False)
    b = IlpLane(rng.random((20, 24)).astype(np.float32), "yx", "b.npy", nickname="same", allow_labels=False)
    a.blocks = [LabelBlock((0, 0), np.array([[3, 0], [1, 2]], np.uint8))]
    b.blocks = random_blocks(rng, (20, 24), 3, 2)
    ids = list(ILASTIK_IDS) + ["FancyNewFeature"]
    matrix = np.zeros((7, 7), dtype=bool)
    matrix[6, 3] = matrix[1, 3] = True
    ilp = write_ilp(
        tmp_path / "old.ilp",
        [a, b],
        classes=None,
        version="1.2.0",
        legacy_internal=True,
        features=(ids, ILASTIK_SCALES, matrix, None),
    )
    report = import_project(ilp, tmp_path / "old.pixf")
    project = check_project(tmp_path / "old.pixf", [a, b])
    assert [c["name"] for c in project.classes] == ["Label 1", "Label 2", "Label 3"]
    assert project.images == ["same", "same-2"]
    assert project.features == desktop([("laplacian_of_gaussian", 1.6)])
    assert "feature FancyNewFeature" in dict(report.skipped)
    assert any("excluded this image from training" in n for n in report.notes)
    project.close(save=False)


def test_no_feature_selection_falls_back_to_the_default_fitted_to_the_images(tmp_path):
    lane = IlpLane(np.random.default_rng(9).random((20, 24)).astype(np.float32), "yx", "a.npy")
    ilp = write_ilp(
        tmp_path / "p.ilp", [lane], features=(ILASTIK_IDS, ILASTIK_SCALES, np.zeros((6, 7), bool), None)
    )
    report = import_project(ilp, tmp_path / "p.pixf")
    assert not report.features_from_ilastik
    scales = {e["scale"] for e in report.features["entries"]}
    assert scales == {0.3, 0.7, 1.0, 1.6, 3.5, 5.0}  # sigma 10 needs 36 pixels; the image has 20 x 24
    assert any("sigma=10.0" in item for item, _ in report.skipped)


def test_train_after_import_and_open_the_imported_project(tmp_path):
    rng = np.random.default_rng(10)
    lane = IlpLane(rng.random((30, 30)).astype(np.float32), "yx", "a.npy", "a")
    lane.blocks = [
        LabelBlock((0, 0), np.full((5, 30), 1, np.uint8)),
        LabelBlock((20, 0), np.full((5, 30), 2, np.uint8)),
    ]
    ilp = write_ilp(tmp_path / "p.ilp", [lane])
    report = import_project(ilp, tmp_path / "trained.pixf", train=True)
    assert report.trained["samples"] == {"background": 150, "cell": 150}
    with Project.open(tmp_path / "trained.pixf") as project:
        assert project.is_trained
        assert project.predict("a", output="segmentation").shape == (30, 30)

    project = Project.open(import_project(ilp, tmp_path / "api").project)
    assert project.path == tmp_path / "api.pixf" and not project.is_trained
    assert np.array_equal(project.get_labels("a"), expected_labels(lane))
    project.close(save=False)


def test_unknown_opaque_entries_are_listed_not_read(tmp_path):
    lane = IlpLane(np.zeros((20, 24), np.float32), "yx", "a.npy")
    # a pickled_type that would run a shell command if unpickled, and still names ilastik's class
    hostile = pickle_payload(tmp_path / "UNPICKLED") + PARALLEL_TYPE
    forests = Forests(handmade_forests(tmp_path / "f.h5", 1, [[(0, 0.5)]]), pickled_type=hostile)
    ilp = write_ilp(tmp_path / "p.ilp", [lane], marker=tmp_path / "UNPICKLED", forests=forests)
    import h5py

    with h5py.File(ilp, "a") as f:
        f["Some Applet/state"] = np.void(
            b"cos\nsystem\n(S'touch " + str(tmp_path / "UNPICKLED").encode() + b"'\ntR."
        )
        f["PixelClassification/NewThing"] = np.arange(3)
    skipped = dict(import_project(ilp, tmp_path / "p.pixf").skipped)
    assert skipped["Some Applet"] == "not used by pixframework"
    assert skipped["Some Applet/state"] == "opaque or pickled data: skipped, never loaded"
    assert skipped["PixelClassification/NewThing"] == "not used by pixframework"
    assert skipped["PixelClassification/ClassifierForests/pickled_type"].startswith("pickled classifier type")
    assert not (tmp_path / "UNPICKLED").exists()
    with Project.open(tmp_path / "p.pixf") as project:
        assert project.summary()["model"]["origin"] == "ilastik"  # the forest was read, the pickle was not
