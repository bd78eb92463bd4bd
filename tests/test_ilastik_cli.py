"""``pixf import-ilastik`` as a user runs it (a real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
from ilastik_ilp import IlpLane, LabelBlock, expected_labels, write_ilp

from pixframework.project import Project


def pixf(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "pixframework", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def small_project(tmp_path, file_path="img.npy", **kwargs):
    rng = np.random.default_rng(0)
    lane = IlpLane(
        rng.random((30, 30)).astype(np.float32),
        "yx",
        file_path,
        "img",
        blocks=[
            LabelBlock((0, 0), np.full((4, 30), 1, np.uint8)),
            LabelBlock((25, 0), np.full((5, 30), 2, np.uint8)),
        ],
        **kwargs,
    )
    return write_ilp(tmp_path / "cells.ilp", [lane], marker=tmp_path / "UNPICKLED"), lane


def test_import_with_train_prints_what_was_imported_and_skipped(tmp_path):
    ilp, lane = small_project(tmp_path)
    result = pixf("import-ilastik", str(ilp), str(tmp_path / "cells.pixf"), "--train")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "img (lane 0) shape (30, 30, 1)" in out
    assert "classes: 1 background (#ff0000), 2 cell (#00ff00)" in out
    assert "img: background 120, cell 150" in out
    assert "PixelClassification/ClassifierFactory: pickled classifier settings: skipped, never loaded" in out
    assert "trained fast_forest on 270 labelled pixels" in out
    assert "--output_format hdf5" in out and "exported_data" in out
    assert not (tmp_path / "UNPICKLED").exists()
    with Project.open(tmp_path / "cells.pixf") as project:
        assert project.is_trained
        assert np.array_equal(project.get_labels("img"), expected_labels(lane))


def test_moved_images_message_then_search_dir_and_json(tmp_path):
    ilp, _ = small_project(tmp_path, file_path="/nowhere/img.npy", write_file=tmp_path / "moved" / "img.npy")
    os.remove(tmp_path / "moved" / "img.npy")
    np.save(tmp_path / "elsewhere.npy", np.zeros(1))  # unrelated file
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "img.npy", np.random.default_rng(0).random((30, 30)).astype(np.float32))

    failed = pixf("import-ilastik", str(ilp), str(tmp_path / "cells.pixf"))
    assert failed.returncode == 1
    assert failed.stderr.startswith("pixf: error: image files of the ilastik project are missing")
    assert "lane 0 ('img'): /nowhere/img.npy not found" in failed.stderr and "--search-dir" in failed.stderr
    assert not (tmp_path / "cells.pixf").exists()

    result = pixf(
        "import-ilastik",
        str(ilp),
        str(tmp_path / "cells.pixf"),
        "--search-dir",
        str(tmp_path / "data"),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["images"][0]["relocated"] == str(tmp_path / "data")
    assert doc["label_counts"] == {"img": {"background": 120, "cell": 150}}
    assert {
        "item": "PixelClassification/Bookmarks",
        "reason": "pickled bookmarks: skipped, never loaded",
    } in doc["skipped"]
    assert doc["trained"] is None
