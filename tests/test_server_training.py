"""Training over the wire: streamed progress, cancelling (by RPC, or by the client's progress
callback raising), and the project staying usable afterwards. A deliberately slow classifier plugin,
installed as a throw-away distribution, makes the timing deterministic."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from plugin_dist import write_distribution
from test_server_support import data_root, gradient_image, running_server  # noqa: F401  (fixture)

from pixframework.client import RemoteProject, connect
from pixframework.registry import reset_registry
from pixframework.errors import Cancelled

SLOW_PLUGIN = """
import time
from pixframework.errors import CorruptData
from pixframework.hookspecs import hookimpl
from pixframework.specs import ClassifierSpec


def fit(features, labels, params, feature_names, progress):
    # reports progress every 10 ms and never finishes on its own within a test's patience
    for step in range(3000):
        if progress is not None:
            progress(step / 3000, f"step {step}")
        time.sleep(0.01)
    raise RuntimeError("slow_forest was not cancelled")


def load(meta, arrays):
    raise CorruptData("slow_forest models cannot be loaded")


@hookimpl
def pixf_register_classifiers():
    return [ClassifierSpec(name="slow_forest", title="Slow forest", fit=fit, load=load)]
"""


class Stop(Exception):
    """Raised by a progress callback to stop training."""


@pytest.fixture
def slow_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    site = tmp_path / "site"
    site.mkdir()
    write_distribution(site, "pixf-slow", "0.1", {"pixf_slow": SLOW_PLUGIN}, {"slow": "pixf_slow"})
    monkeypatch.syspath_prepend(str(site))
    reset_registry()
    yield
    monkeypatch.undo()
    reset_registry()


@pytest.fixture
def project(slow_plugin: None, data_root: Path) -> Iterator[tuple[RemoteProject, RemoteProject]]:
    with running_server(data_root) as (_, address), connect(address) as client:
        p = client.create_project("t.pixf")
        p.add_image(gradient_image(), name="img")
        p.add_class("a")
        p.add_class("b")
        p.paint("img", "a", [[5, 5]], radius=2)
        p.paint("img", "b", [[50, 70]], radius=2)
        p.select_features([("gaussian_smoothing", 1.0)])
        yield p, client.open_project("t.pixf")


def _wait(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_progress_streams_and_cancel_training_stops_it(project: tuple[RemoteProject, RemoteProject]) -> None:
    p, other = project
    p.set_classifier("slow_forest")
    updates: list[tuple[float, str]] = []
    outcome: list[BaseException] = []

    def train() -> None:
        try:
            p.train(progress=lambda f, m: updates.append((f, m)))
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=train)
    worker.start()
    _wait(lambda: any(m.startswith("step") for _, m in updates))
    started = time.monotonic()
    assert other.cancel_training() is True  # any session on the project may cancel
    worker.join(10)
    assert not worker.is_alive() and time.monotonic() - started < 5
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
    fractions = [f for f, _ in updates]
    assert fractions == sorted(fractions) and len(fractions) >= 2
    assert other.cancel_training() is False
    assert not p.is_trained
    p.set_classifier("random_forest", n_estimators=5, random_state=0)
    assert p.train()["samples"] and p.is_trained


def test_a_raising_progress_callback_cancels_on_the_server(project: tuple[RemoteProject, RemoteProject]) -> None:
    p, other = project
    p.set_classifier("slow_forest")
    seen: list[float] = []

    def progress(fraction: float, message: str) -> None:
        seen.append(fraction)
        if len(seen) == 3:
            raise Stop("user pressed stop")

    with pytest.raises(Stop):
        p.train(progress=progress)
    # the server stopped the training: the project lock is free again well before fit would end
    started = time.monotonic()
    assert [c["name"] for c in other.classes] == ["a", "b"]
    assert time.monotonic() - started < 5
    other.paint("img", "a", [[30, 30]], radius=1)
    assert not other.is_trained
    np.testing.assert_array_equal(p.get_labels("img"), other.get_labels("img"))
