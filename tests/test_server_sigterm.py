"""SIGTERM during any classifier's fit: `pixf serve` saves the unsaved edit and exits within 10 s.

Each fit is set up to take minutes (thousands of trees on one thread), and SIGTERM arrives just
after it started. The evidence is recorded state: the process exited cleanly, and the stroke
painted *during* the fit (the fit holds no lock) is in the saved project.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import numpy as np
import pytest
from test_server_support import gradient_image

from pixframework._proto.v1 import labels_pb2
from pixframework.client import connect
from pixframework.project import Project
from pixframework.server.process import spawn_server
from pixframework.wire.arrays import encode_ndarray

#: the issue's bound for a graceful stop
GRACEFUL = 10.0

LONG_FITS = {
    "random_forest": {"n_estimators": 10_000, "max_features": "all", "threads": 1},
    "extra_trees": {"n_estimators": 10_000, "max_features": "all", "threads": 1},
    "fast_forest": {"n_estimators": 10_000, "max_features": "all", "threads": 1},
    "xgboost": {"n_estimators": 10_000, "max_depth": 12, "threads": 1},
    "hist_gradient_boosting": {"max_iter": 10_000, "threads": 1},  # the pixf-hgb plugin
}


@pytest.mark.parametrize("classifier", list(LONG_FITS))
def test_sigterm_during_a_long_fit_saves_and_exits(tmp_path: Path, classifier: str) -> None:
    proc, address = spawn_server(tmp_path, args=["--log-level", "WARNING"])
    messages: list[str] = []
    fitting = threading.Event()
    try:
        with connect(address) as client:
            project = client.create_project("busy.pixf")
            project.add_image(gradient_image((256, 256)), name="img")
            project.add_class("a")
            project.add_class("b")
            project.paint("img", "a", [[20, 5], [20, 250]], radius=18)  # ~9000 samples per class
            project.paint("img", "b", [[220, 5], [220, 250]], radius=18)
            project.set_classifier(classifier, **LONG_FITS[classifier])

            def progress(fraction: float, message: str) -> None:
                messages.append(message)
                if message.startswith("training "):
                    fitting.set()

            def train() -> None:
                try:
                    project.train(progress=progress)
                except Exception as exc:  # cancelled by the shutdown, or the server went away
                    messages.append(f"ended: {type(exc).__name__}")

            trainer = threading.Thread(target=train, daemon=True)
            trainer.start()
            assert fitting.wait(120), messages
            # the fit holds no lock: this edit goes through now, and is not saved yet
            stroke = labels_pb2.PaintRequest(
                session_id=project.session_id, image="img", class_ref=labels_pb2.ClassRef(name="b"),
                coords=encode_ndarray(np.array([[128.0, 128.0]])), radius=3,
            )  # fmt: skip
            assert client.stubs.labels.Paint(stroke, timeout=GRACEFUL).pixels == 29
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(GRACEFUL) == 0
            trainer.join(GRACEFUL)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not any(m == "done" for m in messages)  # SIGTERM came during the fit
    with Project.open(tmp_path / "busy.pixf") as saved:
        assert saved.get_labels("img")[128, 128] == 2  # the edit made during the fit was saved
        assert not saved.is_trained
        assert saved.classifier == (classifier, LONG_FITS[classifier])


def test_a_fit_does_not_block_other_calls_embedded(tmp_path: Path) -> None:
    """The same property without a server: while one thread fits, another paints and saves."""
    project = Project.create(tmp_path / "p.pixf")
    project.add_image(gradient_image((128, 128)), name="img")
    project.add_class("a")
    project.add_class("b")
    project.paint("img", "a", [[10, 5], [10, 120]], radius=6)
    project.paint("img", "b", [[110, 5], [110, 120]], radius=6)
    project.set_classifier("fast_forest", n_estimators=50, threads=1)
    in_fit, release = threading.Event(), threading.Event()

    def progress(fraction: float, message: str) -> None:
        if "trees" in message:
            in_fit.set()
            release.wait(60)

    result: list[object] = []
    trainer = threading.Thread(target=lambda: result.append(project.train(progress=progress)))
    trainer.start()
    assert in_fit.wait(60)
    project.paint("img", "b", [[64, 64]], radius=2)  # would wait for the fit if it held the lock
    project.save()
    release.set()
    trainer.join(60)
    assert result and project.is_trained
    # a fit whose features change meanwhile installs nothing: the model would not fit them
    in_fit.clear()
    release.clear()
    errors: list[BaseException] = []

    def train_again() -> None:
        try:
            project.train(progress=progress)
        except Exception as exc:
            errors.append(exc)

    again = threading.Thread(target=train_again)
    again.start()
    assert in_fit.wait(60)
    project.select_features([("gaussian_smoothing", 0.7)])
    release.set()
    again.join(60)
    assert [type(e).__name__ for e in errors] == ["Conflict"] and "changed while training" in str(errors[0])
    assert not project.is_trained
    project.close()
