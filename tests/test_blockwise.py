"""Blockwise prediction: equals whole-image prediction, resumes after kills, runs on Dask."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from pixframework import FeatureSelection, Project
from pixframework.blockwise import partial_path
from pixframework.errors import ValidationError
from pixframework.io.dispatch import read_image, write_image
from pixframework.synthetic import cells, sparse_strokes

SELECTION = FeatureSelection([("gaussian_smoothing", 0.7), ("gaussian_gradient_magnitude", 1.6),
                              ("hessian_of_gaussian_eigenvalues", 3.5)])


def trained(tmp_path: Path, shape, name="p", n_estimators=10) -> Project:
    image, truth = cells(shape, seed=3)
    src = write_image(tmp_path / f"{name}-input.tif", image, "zyx" if len(shape) == 3 else "yx")
    p = Project.create(tmp_path / name)
    p.add_class("bg")
    p.add_class("fg")
    p.select_features(SELECTION)
    p.set_classifier("random_forest", n_estimators=n_estimators, random_state=0)
    img = p.add_image(src)
    for value, points in sparse_strokes(truth, seed=1):
        p.paint(img, value, points, radius=1)
    p.train()
    return p


@pytest.mark.parametrize("shape,block", [((203, 161), (64, 48)), ((37, 45, 29), (16, 20, 13))])
def test_blocks_equal_whole_image(tmp_path, shape, block):
    p = trained(tmp_path, shape)
    name = p.images[0]
    whole = p.predict(name)
    out = p.export(name, str(tmp_path / "out.zarr"), output="probabilities", block=block)
    np.testing.assert_allclose(read_image(out), whole, atol=1e-5)
    seg = p.export(name, str(tmp_path / "seg.h5/exported_data"), output="segmentation", block=block)
    np.testing.assert_array_equal(read_image(seg), p.predict(name, output="segmentation"))
    assert not partial_path(out).exists()


def _run_predict(project: Path, image: Path, out: str, extra=()) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "pixframework", "predict", "--project", str(project), "--export", "probabilities",
           "--format", "zarr", "--output", out, "--block", "32", *extra, str(image)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_predict_resumes_and_equals_uninterrupted(tmp_path, sig):
    p = trained(tmp_path, (256, 224), n_estimators=5)
    p.save()
    p.close()
    image = tmp_path / "p-input.tif"
    reference = _run_predict(tmp_path / "p.pixf", image, str(tmp_path / "ref.zarr"))
    assert reference.wait(300) == 0, reference.stderr.read()
    out = str(tmp_path / "out.zarr")
    proc = _run_predict(tmp_path / "p.pixf", image, out)
    done = partial_path(out) / "done"
    deadline = time.time() + 120
    while time.time() < deadline and (not done.exists() or len(os.listdir(done)) < 5):
        time.sleep(0.02)
    os.kill(proc.pid, sig)
    proc.wait(60)
    finished_before = len(os.listdir(done))
    assert 5 <= finished_before < 56, "kill should land in the middle of the run"
    resumed = _run_predict(tmp_path / "p.pixf", image, out)
    stdout, stderr = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, stderr
    np.testing.assert_array_equal(read_image(out), read_image(str(tmp_path / "ref.zarr")))
    assert not partial_path(out).exists()


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_result(tmp_path):
    from distributed import Client, LocalCluster

    p = trained(tmp_path, (150, 170))
    name = p.images[0]
    local = p.export(name, str(tmp_path / "local.zarr"), block=64)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        remote = p.export(name, str(tmp_path / "dask.zarr"), block=64, dask=client)
    np.testing.assert_array_equal(read_image(remote), read_image(local))


def test_unwritable_output_and_corrupt_chunk_are_clear_errors(tmp_path):
    p = trained(tmp_path, (80, 90))
    name = p.images[0]
    blocker = tmp_path / "notes.txt"  # a file where the output needs a folder
    blocker.write_text("not a folder")
    for format in (None, "zarr"):  # inferred from the path, or named
        with pytest.raises(ValidationError, match=r"cannot write '.*notes\.txt/out\.zarr': '.*notes\.txt' is a file, not a folder"):
            p.export(name, str(blocker / "out.zarr"), format=format)
    # a zarr input with a damaged chunk: the error names the block
    import zarr

    image, _ = cells((80, 90), seed=3)
    store = tmp_path / "in.zarr"
    arr = zarr.create_array(store=str(store), shape=image.shape, chunks=(40, 45), dtype=image.dtype, zarr_format=3)
    arr[:] = image
    q = Project.create(tmp_path / "q")
    q.add_class("bg"); q.add_class("fg")
    q.select_features(SELECTION)
    q.set_classifier("random_forest", n_estimators=3)
    img = q.add_image(str(store))
    q.set_labels(img, (np.arange(80 * 90).reshape(80, 90) % 7 == 0).astype(np.uint8) + (np.arange(80 * 90).reshape(80, 90) % 11 == 0))
    q.train()
    chunk = next(f for f in (store / "c").rglob("*") if f.is_file())
    chunk.write_bytes(b"garbage" * 10)
    with pytest.raises(Exception) as info:
        q.export(img, str(tmp_path / "o.zarr"), block=40)
    assert "block" in str(info.value)
