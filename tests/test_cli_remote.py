"""``pixf info/train/predict --server``: the CLI drives a real server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import pixframework as pf
from pixframework.io.dispatch import read_image
from pixframework.server.app import create_server
from pixframework.synthetic import cells, sparse_strokes


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    srv, port = create_server("127.0.0.1:0", data_root=root, token="s3cret")
    srv.start()
    yield root, f"127.0.0.1:{port}"
    srv.stop(None)


def pixf(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "pixframework", *args], capture_output=True, text=True, env=env, timeout=300)


def test_info_train_predict_against_a_server(server, tmp_path):
    root, address = server
    token_file = tmp_path / "token"
    token_file.write_text("s3cret\n")
    image, truth = cells((96, 96), seed=4)
    client = pf.connect(address, token="s3cret")
    project = client.create_project("cells.pixf")
    name = project.add_image(image, name="cells")
    project.add_class("background")
    project.add_class("cell")
    for value, points in sparse_strokes(truth, seed=2):
        project.paint(name, value, points, 1)
    project.save()
    project.close()
    client.close()
    auth = ("--server", address, "--token-file", str(token_file))

    info = pixf("info", "--json", *auth, "cells.pixf")
    assert info.returncode == 0, info.stderr
    summary = json.loads(info.stdout)
    assert summary["trained"] is False and [c["name"] for c in summary["classes"]] == ["background", "cell"]

    trained = pixf("train", "--project", "cells.pixf", *auth)
    assert trained.returncode == 0, trained.stderr
    assert "trained fast_forest" in trained.stdout

    predicted = pixf("predict", "--project", "cells.pixf", *auth, "--export", "Simple Segmentation",
                     "--output", "out/{nickname}_{result_type}.npy", "--format", "npy")
    assert predicted.returncode == 0, predicted.stderr
    assert "cells: 1/1 blocks" in predicted.stdout  # progress, as in embedded runs
    seg = read_image(str(root / "out" / "cells_Simple Segmentation.npy"))
    assert seg.shape == (96, 96) and np.mean(seg == truth) > 0.85

    # the model was saved on the server: a fresh embedded open sees it trained
    with pf.Project.open(root / "cells.pixf") as p:
        assert p.is_trained

    denied = pixf("info", "--server", address, "cells.pixf")
    assert denied.returncode == 1 and "Traceback" not in denied.stderr
    outside = pixf("info", *auth, "../cells.pixf")
    assert outside.returncode == 1 and "data root" in outside.stderr


def test_export_over_the_wire_reports_the_same_progress_as_embedded(server, tmp_path):
    root, address = server
    image, truth = cells((300, 260), seed=5)
    with pf.Project.create(root / "p.pixf") as project:
        project.add_image(image, name="cells")
        project.add_class("background")
        project.add_class("cell")
        for value, points in sparse_strokes(truth, seed=3):
            project.paint("cells", value, points, 1)
        project.train()
        embedded: list = []
        project.export("cells", root / "embedded.npy", block=1024, progress=lambda *a: embedded.append(a[:2]))
    client = pf.connect(address, token="s3cret")
    remote = client.open_project("p.pixf")
    events: list = []
    written = remote.export("cells", "remote.npy", progress=lambda done, total, message: events.append((done, total)))
    assert written == "remote.npy" and events and events == embedded
    assert np.array_equal(np.load(root / "remote.npy"), np.load(root / "embedded.npy"))
    remote.close()
    client.close()
