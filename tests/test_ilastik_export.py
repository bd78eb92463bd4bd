"""``pixf --headless`` writes the files ilastik writes: names, layouts, dtypes, formats (docs/ilastik.md).

The projects hold a one-split forest on one feature (Gaussian smoothing at 1.0), so every pixel's
probabilities are 0 or 1 and the expected results can be computed here directly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import h5py
import numpy as np
import pytest
import tifffile
from ilastik_ilp import Forests, IlpLane, handmade_forests, write_ilp

from pixframework.commands.headless import run
from pixframework.errors import ValidationError
from pixframework.features import compute_features
from pixframework.ilastik.export import nickname


def project(tmp_path: Path, channels: int = 1, export: dict | None = None, axes: str = "yx", z: int = 0) -> Path:
    """An .ilp trained on ``axes`` data whose forest says class 1 where smoothing < 0.5, else class 2."""
    rng = np.random.default_rng(0)
    sizes = {"z": z, "y": 30, "x": 32, "c": channels}
    shape = tuple(sizes[a] for a in axes)
    lane = IlpLane(rng.random(shape).astype(np.float32), axes, "train.npy", nickname="train")
    forest = handmade_forests(tmp_path / "f.h5", channels, [[(0, 0.5)]])
    return write_ilp(tmp_path / "p.ilp", [lane], forests=Forests(forest), export=export if export is not None else {})


def expected(image: np.ndarray, axes: str = "yx") -> np.ndarray:
    smoothed = compute_features(image, [("ilastik_desktop.gaussian_smoothing", 1.0)], axes=axes)[..., 0]
    first = (smoothed < 0.5).astype(np.float32)
    return np.stack([first, 1 - first], axis=-1)


def headless(ilp: Path, *args: str) -> None:
    assert run(["--headless", f"--project={ilp}", *args]) == 0


def image_file(folder: Path, name: str = "cells.npy", shape=(40, 50), seed: int = 1) -> tuple[Path, np.ndarray]:
    data = np.random.default_rng(seed).random(shape).astype(np.float32)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, data)
    return path, data


def test_defaults_are_ilastiks_compressed_hdf5_next_to_the_input(tmp_path):
    ilp = project(tmp_path)
    path, data = image_file(tmp_path / "data")
    headless(ilp, str(path))
    with h5py.File(tmp_path / "data" / "cells_Probabilities.h5") as f:
        result = f["exported_data"]
        assert result.shape == (40, 50, 2) and result.dtype == np.float32 and result.compression == "gzip"
        assert [a["key"] for a in json.loads(result.attrs["axistags"])["axes"]] == ["y", "x", "c"]
        assert np.array_equal(result[()], expected(data))


def test_the_projects_export_settings_apply_and_flags_override_them(tmp_path):
    stored = {"OutputFormat": "numpy", "OutputFilenameFormat": "{dataset_dir}/stored_{nickname}_{result_type}",
              "ExportDtype": "uint8", "InputMin": 0.0, "InputMax": 1.0, "ExportMin": 0, "ExportMax": 200}
    ilp = project(tmp_path, export=stored)
    path, data = image_file(tmp_path)
    headless(ilp, str(path))
    assert np.array_equal(np.load(tmp_path / "stored_cells_Probabilities.npy"), (expected(data) * 200).astype(np.uint8))
    headless(ilp, "--export_dtype=float32", f"--output_filename_format={tmp_path}/flag_{{nickname}}", str(path))
    assert np.load(tmp_path / "flag_cells.npy").dtype == np.float32


def test_export_dtype_alone_casts_and_dranges_rescale_as_ilastik(tmp_path):
    ilp = project(tmp_path)
    path, data = image_file(tmp_path)
    out = f"--output_filename_format={tmp_path}/{{nickname}}_{{result_type}}"
    headless(ilp, "--output_format=numpy", "--export_source=Uncertainty", "--export_dtype=uint8", out, str(path))
    # uncertainty is 0 where one class has probability 1: cast to uint8 it stays 0
    assert np.array_equal(np.load(tmp_path / "cells_Uncertainty.npy"), np.zeros((40, 50, 1), np.uint8))
    headless(ilp, "--output_format=numpy", "--export_dtype=uint16", "--pipeline_result_drange=(0.0,1.0)",
             "--export_drange=(100,1100)", out, str(path))
    assert np.array_equal(np.load(tmp_path / "cells_Probabilities.npy"), (100 + 1000 * expected(data)).astype(np.uint16))
    with pytest.raises(ValidationError, match="--export_drange needs --pipeline_result_drange"):
        headless(ilp, "--export_drange=(0,255)", str(path))


def test_nickname_and_file_names_follow_ilastik(tmp_path):
    assert nickname("/d/cells.tif") == "cells" and nickname("/d/cells.ome.tif") == "cells.ome"
    assert nickname("/d/vol.h5/raw/a") == "vol-raw-a" and nickname("C:\\data\\x.h5\\img") == "x-img"
    ilp = project(tmp_path)
    data = np.random.default_rng(2).random((40, 50)).astype(np.float32)
    with h5py.File(tmp_path / "vol.h5", "w") as f:
        f["raw/a"] = data
    # the format's extension replaces the path's (ilastik: os.path.splitext), even the nickname's ".ome"
    headless(ilp, "--output_format=numpy", f"--output_filename_format={tmp_path}/out/{{nickname}}_{{result_type}}.tif",
             str(tmp_path / "vol.h5/raw/a"))
    assert os.listdir(tmp_path / "out") == ["vol-raw-a_Probabilities.npy"]
    tifffile.imwrite(tmp_path / "cells.ome.tif", data)
    headless(ilp, f"--output_filename_format={tmp_path}/out/{{nickname}}_{{result_type}}",
             "--output_internal_path=volume/pred", str(tmp_path / "cells.ome.tif"))
    with h5py.File(tmp_path / "out" / "cells.h5") as f:  # "cells.ome_Probabilities" -> "cells" + ".h5"
        assert f["volume/pred"].shape == (40, 50, 2)


def test_axis_order_is_the_inputs_with_c_appended_or_the_requested_one(tmp_path):
    ilp = project(tmp_path, channels=2, axes="cyx")
    data = np.random.default_rng(3).random((2, 40, 50)).astype(np.float32)
    np.save(tmp_path / "two.npy", data)
    out = f"--output_filename_format={tmp_path}/{{nickname}}_{{result_type}}"
    headless(ilp, "--output_format=numpy", out, str(tmp_path / "two.npy"))
    result = np.load(tmp_path / "two_Probabilities.npy")  # the training axes (cyx) apply to batch input
    assert result.shape == (2, 40, 50)
    headless(ilp, "--output_format=numpy", "--output_axis_order=tzyxc", out, str(tmp_path / "two.npy"))
    assert np.array_equal(np.load(tmp_path / "two_Probabilities.npy"), np.moveaxis(result, 0, -1)[None, None])
    headless(ilp, "--output_format=numpy", "--export_source=Features", out, str(tmp_path / "two.npy"))
    assert np.load(tmp_path / "two_Features.npy").shape == (2, 40, 50)  # one feature per channel


def test_cutout_and_its_placeholders(tmp_path):
    ilp = project(tmp_path)
    path, data = image_file(tmp_path)
    headless(ilp, "--output_format=numpy", "--cutout_subregion=[(5,None,1),(25,30,2)]",
             f"--output_filename_format={tmp_path}/{{nickname}}_y{{y_start}}-{{y_stop}}_x{{x_start}}", str(path))
    assert np.array_equal(np.load(tmp_path / "cells_y5-25_x0.npy"), expected(data)[5:25, :30, 1:2])
    with pytest.raises(ValidationError, match="unknown placeholder"):
        headless(ilp, f"--output_filename_format={tmp_path}/{{z_start}}", str(path))


def test_2d_formats_sequences_and_multipage_tiff(tmp_path):
    ilp2 = project(tmp_path)
    path, data = image_file(tmp_path)
    headless(ilp2, "--output_format=tif", f"--output_filename_format={tmp_path}/{{nickname}}", str(path))
    assert np.array_equal(tifffile.imread(tmp_path / "cells.tif"), expected(data))
    headless(ilp2, "--output_format=png", "--export_source=Simple Segmentation",
             f"--output_filename_format={tmp_path}/{{nickname}}", str(path))
    import cv2

    seg = cv2.imread(str(tmp_path / "cells.png"), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(seg, np.where(expected(data)[..., 0] == 1, 1, 2).astype(np.uint8))
    with pytest.raises(ValidationError, match="cannot hold float32"):
        headless(ilp2, "--output_format=png", f"--output_filename_format={tmp_path}/x", str(path))
    assert not (tmp_path / "x.png").exists()
    folder = tmp_path / "vol"
    folder.mkdir()
    ilp3 = project(folder, z=12, axes="zyx")
    volume = np.random.default_rng(4).random((12, 30, 32)).astype(np.float32)
    np.save(folder / "v.npy", volume)
    truth = expected(volume, "zyx")
    headless(ilp3, "--output_format=tif sequence", f"--output_filename_format={folder}/seq/{{nickname}}_{{slice_index}}",
             str(folder / "v.npy"))
    assert sorted(os.listdir(folder / "seq")) == [f"v_{i:02d}.tif" for i in range(12)]
    assert np.array_equal(tifffile.imread(folder / "seq" / "v_07.tif"), truth[7])
    headless(ilp3, "--output_format=multipage tiff", f"--output_filename_format={folder}/{{nickname}}", str(folder / "v.npy"))
    with tifffile.TiffFile(folder / "v.tiff") as tif:
        assert tif.series[0].axes == "ZCYX" and np.array_equal(tif.series[0].asarray(), np.moveaxis(truth, -1, 1))


@pytest.mark.parametrize("flags, phrase", [
    (["--export_source=Everything"], "invalid --export_source 'Everything'"),
    (["--output_format=n5"], "an ilastik format pixframework does not write"),
    (["--output_format=bmp"], "writes 2D images only as"),
    (["--output_format=tif sequence"], "must contain {slice_index}"),
    (["--export_dtype=int7"], "invalid --export_dtype"),
    (["--output_axis_order=yx"], "drops axis 'c'"),
    (["--cutout_subregion=[(0,0),(5,5,1)]"], "--cutout_subregion must be"),
    (["--distributed"], "--distributed is not supported"),
])
def test_bad_export_flags_are_named_before_anything_is_written(tmp_path, flags, phrase):
    ilp = project(tmp_path)
    path, _ = image_file(tmp_path / "in")
    with pytest.raises(ValidationError, match=phrase.replace("(", r"\(").replace(")", r"\)")):
        headless(ilp, *flags, f"--output_filename_format={tmp_path}/out/{{nickname}}", str(path))
    assert not (tmp_path / "out").exists()


def test_file_series_are_stacked_and_named_by_their_common_start(tmp_path):
    ilp = project(tmp_path, z=12, axes="zyx")
    volume = np.random.default_rng(6).random((12, 30, 32)).astype(np.float32)
    (tmp_path / "slices").mkdir()
    for i, plane in enumerate(volume):
        tifffile.imwrite(tmp_path / "slices" / f"s_{i:02d}.tif", plane)
    headless(ilp, "--readonly", "--stack_along=z", "--output_format=numpy",
             f"--output_filename_format={tmp_path}/out/{{nickname}}", str(tmp_path / "slices" / "s_*.tif"))
    assert os.listdir(tmp_path / "out") == ["s_.npy"]  # ilastik: the common start of the file names
    assert np.array_equal(np.load(tmp_path / "out" / "s_.npy"), expected(volume, "zyx"))


def test_training_axes_apply_only_where_they_fit_the_input(tmp_path):
    ilp = project(tmp_path, channels=1, axes="yxc")  # trained on (y, x, 1) data
    path, data = image_file(tmp_path, "flat.npy")  # a plain 2D batch image
    headless(ilp, "--output_format=numpy", f"--output_filename_format={tmp_path}/out/{{nickname}}", str(path))
    assert np.load(tmp_path / "out" / "flat.npy").shape == (40, 50, 2)  # its own axes yx, c appended
    with pytest.raises(ValidationError, match="its axes would be 'zyx'"):
        headless(ilp, "--input_axes=zyx", str(path))
