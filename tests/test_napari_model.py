"""The napari client's model without Qt: a napari ``ViewerModel``, a :class:`ManualLoop` as the
main loop, and a real server on 127.0.0.1. Views are only thin Qt widgets over this model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("napari", reason="napari is not installed (pip install -e '.[gui]')")

from test_server_support import running_server  # noqa: E402

from pixframework.napari.loop import ManualLoop  # noqa: E402
from pixframework.napari.model import SessionModel  # noqa: E402
from pixframework.synthetic import cells  # noqa: E402

QT_FREE = ["model", "server_link", "connection", "shown_image", "painting", "label_sync", "live", "layers", "follow",
           "messages", "jobs", "loop", "state", "viewport"]  # fmt: skip


def test_the_model_and_its_helpers_import_no_qt() -> None:
    modules = ", ".join(f"pixframework.napari.{name}" for name in QT_FREE)
    code = f"import sys, {modules}; print(sorted(m for m in sys.modules if m.split('.')[0] in ('qtpy', 'PyQt5', 'PySide2', 'PySide6')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]", done.stdout


@pytest.fixture
def model() -> Any:
    from napari.components import ViewerModel

    loop = ManualLoop()
    made = SessionModel(ViewerModel(), loop)
    yield made
    made.shutdown()


def _settle(model: SessionModel) -> None:
    loop: ManualLoop = model.loop  # type: ignore[assignment]
    loop.run_until(lambda: model.jobs.idle and not (model.shown and model.shown.link.busy) and not loop.pump())


def test_the_model_runs_the_workflow_without_qt(model: SessionModel, tmp_path: Path) -> None:
    loop: ManualLoop = model.loop  # type: ignore[assignment]
    events: list[str] = []
    model.state_changed.connect(lambda state: events.append("state"))
    model.image_changed.connect(lambda: events.append("image"))
    image, truth = cells((40, 48), seed=8)
    with running_server(tmp_path) as (_, address):
        model.connect_remote(address)
        loop.run_until(lambda: model.server.catalog is not None)
        assert model.connected and any(f["name"] == "gaussian_smoothing" for f in model.server.catalog["filters"])
        model.open_project("m.pixf", create=True)
        loop.run_until(lambda: model.state is not None)
        assert [c["name"] for c in model.classes] == ["Label 1", "Label 2"] and not model.unsaved
        layer = model.viewer.add_image(image, name="cells")
        assert model.layer_choices() == ["cells"]
        model.add_layer(layer)
        loop.run_until(lambda: model.shown is not None)
        labels = model.shown.layer
        for value in (1, 2):
            for point in np.argwhere(truth == value)[::53][:5]:
                labels.paint(point, value)
        _settle(model)
        np.testing.assert_array_equal(model.project.get_labels("cells"), labels.data)
        assert model.unsaved and events[:2] == ["state", "state"] and "image" in events

        model.select_features([])  # refused by the server: the state keeps what it uses
        _settle(model)
        assert model.state.features and model.messages.current.level == "error"
        model.select_features([("gaussian_smoothing", 1.0), ("laplacian_of_gaussian", 1.6)])
        _settle(model)
        assert [(e["filter"], e["scale"]) for e in model.state.features] == [
            ("gaussian_smoothing", 1.0), ("laplacian_of_gaussian", 1.6)]  # fmt: skip
        progress: list[float] = []
        model.progress.connect(progress.append)
        model.train()
        loop.run_until(lambda: model.messages.current.text.startswith("Trained"))
        assert progress[0] == 0.0 and progress[-1] == 1.0 and model.project.is_trained

        model.save()
        loop.run_until(lambda: not model.unsaved)
        assert model.messages.current.text == f"Saved m.pixf on server {address}."
