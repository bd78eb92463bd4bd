"""``pixf --headless``: ilastik's command line, ilastik's numbers (vigra as the oracle), clear refusals.

Projects are written as ilastik writes them, with forests vigra trained (:mod:`vigra_projects`);
only the .ilp travels: the training images are deleted before predicting.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
import skimage.data
import tifffile
import vigra_oracle
from ilastik_ilp import Forests, IlpLane, LabelBlock, handmade_forests, write_ilp
from scipy import ndimage
from vigra_projects import full_selection, oracle_pipeline, vigra_project

from pixframework.cli import main as pixf
from pixframework.errors import CorruptData, NotTrained, ValidationError
from pixframework.project import Project

needs_vigra = pytest.mark.skipif(vigra_oracle.skip_reason() is not None, reason=str(vigra_oracle.skip_reason()))


def strokes(shape: tuple[int, ...], classes: int) -> np.ndarray:
    rng = np.random.default_rng(7)
    labels = np.zeros(shape, np.uint8)
    for k in range(80):
        start = [int(rng.integers(0, s - 8)) for s in shape]
        labels[tuple(slice(a, a + (7 if i == len(shape) - 1 else 1)) for i, a in enumerate(start))] = 1 + k % classes
    return labels


def headless(*args: str) -> int:
    return pixf(["--headless", *args])


def agreement(ours: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    return float(np.mean(ours.argmax(-1) == reference.argmax(-1))), float(np.mean(np.abs(ours - reference)))


@needs_vigra
@pytest.mark.parametrize("case", ["2d gray", "rgb", "3d"])
def test_headless_probabilities_agree_with_the_vigra_pipeline(tmp_path, case):
    if case == "2d gray":
        train, new, axes = (skimage.data.camera()[:128, :160, None].astype(np.float32),
                            skimage.data.camera()[250:410, 200:400], "yx")
    elif case == "rgb":
        astronaut = skimage.data.astronaut()
        train, new, axes = astronaut[:100, :120].astype(np.float32), astronaut[200:330, 150:320], "yxc"
    else:
        rng = np.random.default_rng(2)
        volume = (ndimage.gaussian_filter(rng.random((76, 40, 44)), 2) * 1000).astype(np.float32)
        train, new, axes = volume[:38, ..., None], volume[38:].astype(np.uint16), "zyx"
    classes = 3 if case == "rgb" else 2
    selection = full_selection()
    ilp = vigra_project(tmp_path / "p.ilp", train, axes, strokes(train.shape[:-1], classes), selection, (4, 3))
    os.remove(tmp_path / "train.h5")  # only the .ilp travels with the pipeline
    np.save(tmp_path / "new.npy", new)
    assert headless(f"--project={ilp}", "--output_format=numpy", f"--output_filename_format={tmp_path}/out/{{nickname}}",
                    str(tmp_path / "new.npy")) == 0
    ours = np.load(tmp_path / "out" / "new.npy")
    pixels = (new if axes.endswith("c") else new[..., None]).astype(np.float32)
    reference = oracle_pipeline(ilp, pixels, selection, 2)
    assert ours.shape == reference.shape == pixels.shape[:-1] + (classes,)
    argmax, mad = agreement(ours, reference)
    assert argmax >= 0.998 and mad <= 0.005, (argmax, mad)


@needs_vigra
def test_the_argument_list_of_run_ilastik_works_as_pixf_arguments(tmp_path):
    """A real subprocess with ilastik's exact flags, tif output as a pipeline would ask for it."""
    train = skimage.data.coins()[:120, :150, None].astype(np.float32)
    selection = full_selection()
    ilp = vigra_project(tmp_path / "coins.ilp", train, "yx", strokes(train.shape[:-1], 2), selection, (3, 3))
    new = skimage.data.coins()[150:300, 100:300]
    tifffile.imwrite(tmp_path / "a.tif", new)
    tifffile.imwrite(tmp_path / "b.tif", new[::-1])
    args = ["--headless", f"--project={ilp}", "--export_source=Probabilities", "--output_format=tif",
            f"--output_filename_format={tmp_path}/out/{{nickname}}.tif", str(tmp_path / "a.tif"), str(tmp_path / "b.tif")]
    done = subprocess.run([sys.executable, "-m", "pixframework", *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    reference = oracle_pipeline(ilp, new.astype(np.float32)[..., None], selection, 2)
    for name, expected in (("a", reference), ("b", reference[::-1])):
        ours = tifffile.imread(tmp_path / "out" / f"{name}.tif")
        assert ours.shape == (150, 200, 2) and ours.dtype == np.float32
        argmax, mad = agreement(ours, expected)
        assert argmax >= 0.998 and mad <= 0.005


# ------------------------------------------------------------------------ projects that cannot be run


def small_lane(**kwargs) -> IlpLane:
    rng = np.random.default_rng(0)
    defaults = {"data": rng.random((30, 32)).astype(np.float32), "axes": "yx", "file_path": "img.npy",
                "nickname": "img", "blocks": [LabelBlock((0, 0), np.array([[1, 2, 1, 2]], np.uint8))]}
    defaults.update(kwargs)
    return IlpLane(**defaults)


def nothing_written(folder: Path, run) -> Exception:
    """``run()`` must fail with a PixfError and leave ``folder/out`` absent."""
    with pytest.raises(Exception) as caught:
        run()
    assert not (folder / "out").exists(), "a refused run wrote files"
    return caught.value


def run_headless(ilp: Path, folder: Path, *extra: str):
    from pixframework.commands.headless import run

    np.save(folder / "new.npy", np.random.default_rng(1).random((30, 32)).astype(np.float32))
    return lambda: run(["--headless", f"--project={ilp}", f"--output_filename_format={folder}/out/{{nickname}}",
                        *extra, str(folder / "new.npy")])


def test_no_forest_and_no_images_says_so_and_writes_nothing(tmp_path):
    ilp = write_ilp(tmp_path / "p.ilp", [small_lane(write_file=False)], export={})
    error = nothing_written(tmp_path, run_headless(ilp, tmp_path))
    assert isinstance(error, NotTrained)
    assert "no usable trained forest" in str(error) and "img.npy not found" in str(error)


def test_no_forest_but_images_at_hand_trains_from_the_labels(tmp_path, capsys):
    ilp = write_ilp(tmp_path / "p.ilp", [small_lane()], export={})
    run_headless(ilp, tmp_path)()
    assert (tmp_path / "out" / "new.h5").exists()
    assert "training one from its labels" in capsys.readouterr().err


@pytest.mark.parametrize("problem", ["other workflow", "truncated", "feature count", "no inputs", "bad flag",
                                     "mask flag", "channels"])
def test_bad_input_is_a_clear_error_and_writes_nothing(tmp_path, problem):
    forest = Forests(handmade_forests(tmp_path / "f.h5", 1, [[(0, 0.5)]]))
    kwargs: dict = {"forests": forest, "export": {}}
    if problem == "other workflow":
        kwargs["workflow"] = "Cell Density Counting"
    if problem == "feature count":
        kwargs["forests"] = Forests(handmade_forests(tmp_path / "f3.h5", 3, [[(2, 0.5)]]))
    ilp = write_ilp(tmp_path / "p.ilp", [small_lane()], **kwargs)
    extra: tuple[str, ...] = ()
    if problem == "truncated":
        data = ilp.read_bytes()
        ilp.write_bytes(data[: len(data) // 2])
    if problem == "bad flag":
        extra = ("--no_such_flag=3",)
    if problem == "mask flag":
        extra = ("--prediction_mask", "mask.tif")
    run = run_headless(ilp, tmp_path, *extra)
    if problem == "no inputs":
        from pixframework.commands.headless import run as headless_run

        run = lambda: headless_run(["--headless", f"--project={ilp}"])  # noqa: E731
    if problem == "channels":
        np.save(tmp_path / "rgb.npy", np.zeros((30, 32, 3), np.uint8))
        from pixframework.commands.headless import run as headless_run

        run = lambda: headless_run(["--headless", f"--project={ilp}", "--input_axes=yxc",  # noqa: E731
                                    f"--output_filename_format={tmp_path}/out/x", str(tmp_path / "rgb.npy")])
    error = nothing_written(tmp_path, run)
    expected = {
        "other workflow": (ValidationError, "'Cell Density Counting' project"),
        "truncated": (CorruptData, "damaged or truncated"),
        "feature count": (ValidationError, "expects 3 feature columns"),
        "no inputs": (ValidationError, "no input files"),
        "bad flag": (ValidationError, "--no_such_flag=3"),
        "mask flag": (ValidationError, "--prediction_mask is not supported"),
        "channels": (ValidationError, "as many channels as training input"),
    }[problem]
    assert isinstance(error, expected[0]) and expected[1] in str(error), str(error)


def test_pixel_and_object_classification_projects_use_their_pixel_part(tmp_path):
    forest = Forests(handmade_forests(tmp_path / "f.h5", 1, [[(0, 0.5)]]))
    ilp = write_ilp(tmp_path / "p.ilp", [small_lane()], forests=forest, export={},
                    workflow="Object Classification (from pixel classification)")
    run_headless(ilp, tmp_path, "--export_source=Simple Segmentation")()
    with h5py.File(tmp_path / "out" / "new.h5") as f:
        seg = f["exported_data"][()]
    image = np.load(tmp_path / "new.npy")
    from pixframework.features import compute_features

    smoothed = compute_features(image, [("ilastik_desktop.gaussian_smoothing", 1.0)])[..., 0]
    assert np.array_equal(seg[..., 0], np.where(smoothed < 0.5, 1, 2))


def test_import_keeps_the_forest_until_retrained(tmp_path):
    from pixframework.ilastik import import_project

    forest = Forests(handmade_forests(tmp_path / "f.h5", 1, [[(0, 0.5)]]))
    lane = small_lane(blocks=[LabelBlock((0, 0), np.full((4, 32), 1, np.uint8)),
                              LabelBlock((20, 0), np.full((4, 32), 2, np.uint8))])
    ilp = write_ilp(tmp_path / "p.ilp", [lane], forests=forest, export={})
    report = import_project(ilp, tmp_path / "p.pixf")
    assert report.forest == {"classifier": "random_forest", "origin": "ilastik", "source": str(ilp),
                             "forests": 1, "trees": 1, "features": 1}
    assert any("kept ilastik's trained forest" in line for line in report.lines())
    with Project.open(tmp_path / "p.pixf") as project:  # saved and reloaded: still ilastik's forest
        assert project.is_trained and project.summary()["model"]["origin"] == "ilastik"
        direct_run = run_headless(ilp, tmp_path)
        direct_run()
        project.add_image(np.load(tmp_path / "new.npy"), name="new")
        with h5py.File(tmp_path / "out" / "new.h5") as f:
            assert np.array_equal(project.predict("new"), f["exported_data"][()])
        project.train()
        assert "origin" not in project.summary()["model"]
