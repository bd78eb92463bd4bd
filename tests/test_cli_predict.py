"""``pixf predict`` refuses what it cannot do before predicting, and names files after the inputs."""

from __future__ import annotations

import os

import numpy as np
import pytest

from pixframework.cli import main
from pixframework.project import Project
from pixframework.synthetic import cells, sparse_strokes


@pytest.fixture
def trained(tmp_path):
    """A trained project holding ``data/cells.npy`` as image ``cells``."""
    image, truth = cells((64, 64), seed=1)
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "cells.npy", image)
    with Project.create(tmp_path / "p.pixf") as project:
        project.add_image(str(tmp_path / "data" / "cells.npy"))
        project.add_class("background")
        project.add_class("cell")
        for value, points in sparse_strokes(truth, seed=2):
            project.paint("cells", value, points, 1)
        project.train()
    return tmp_path


def predict(folder, *args: str) -> int:
    return main(["predict", "--project", str(folder / "p.pixf"), *args])


def test_an_input_already_in_the_project_keeps_its_own_name(trained):
    # the project has an image called "cells"; the same file as input is added as "cells-2" inside,
    # but its file is named after the input, as ilastik names it
    assert predict(trained, str(trained / "data" / "cells.npy"), "--format", "npy") == 0
    assert sorted(os.listdir(trained / "data")) == ["cells.npy", "cells_Probabilities.npy"]


def test_an_invalid_format_is_reported_before_any_prediction(tmp_path, capsys):
    with Project.create(tmp_path / "p.pixf") as project:  # untrained: predicting would fail differently
        project.add_image(np.zeros((16, 16), np.float32), name="a")
    assert predict(tmp_path, "--output_format", "tiff-ish") == 1
    err = capsys.readouterr().err
    assert "unknown --format/--output_format 'tiff-ish'" in err and "not trained" not in err
    with pytest.raises(SystemExit) as refused:  # argparse refuses it while reading the command line
        predict(tmp_path, "--dtype", "int7")
    assert refused.value.code == 2
    assert "argument --dtype/--export_dtype: 'int7' is not a pixel type" in capsys.readouterr().err


def test_two_inputs_cannot_overwrite_one_fixed_output(trained, capsys):
    second = trained / "data" / "other.npy"
    np.save(second, np.load(trained / "data" / "cells.npy"))
    out = trained / "out" / "result.npy"
    code = predict(trained, str(trained / "data" / "cells.npy"), str(second), "--output", str(out), "--format", "npy")
    assert code == 1 and not out.exists()
    assert "to the same file" in capsys.readouterr().err


def test_ilastik_projects_can_be_used_directly_but_not_written(tmp_path, capsys):
    from ilastik_ilp import Forests, IlpLane, handmade_forests, write_ilp

    lane = IlpLane(np.random.default_rng(0).random((30, 32)).astype(np.float32), "yx", "a.npy", nickname="a")
    ilp = write_ilp(tmp_path / "p.ilp", [lane], forests=Forests(handmade_forests(tmp_path / "f.h5", 1, [[(0, 0.5)]])))
    np.save(tmp_path / "b.npy", np.ones((20, 20), np.float32))
    assert main(["predict", "--project", str(ilp), str(tmp_path / "b.npy"), "--format", "npy"]) == 0
    assert np.load(tmp_path / "b_Probabilities.npy")[..., 1].min() == 1.0  # smoothing of ones >= 0.5: class 2
    assert main(["train", "--project", str(ilp)]) == 1
    assert "pixf import-ilastik" in capsys.readouterr().err
