"""Training over the wire: streamed progress, cancelling (by RPC, or by the client's progress
callback raising), and the project staying usable afterwards. A deliberately slow classifier plugin,
installed as a throw-away distribution, records how far its fit got and how it ended: a cancelled
fit ends early with the cancellation, which is the evidence (no clock is read)."""

from __future__ import annotations

import sys
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

STEPS = 3000
#: (last step reached, exception class name) of each fit that ended
ENDED = []


def fit(features, labels, params, feature_names, progress):
    # reports progress every 10 ms and never finishes on its own within a test's patience
    step = 0
    try:
        for step in range(STEPS):
            if progress is not None:
                progress(step / STEPS, f"step {step}")
            time.sleep(0.01)
        raise RuntimeError("slow_forest was not cancelled")
    except BaseException as exc:
        ENDED.append((step, type(exc).__name__))
        raise


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
    sys.modules.pop("pixf_slow", None)  # each test reads the records of its own fits
    reset_registry()
    yield
    monkeypatch.undo()
    sys.modules.pop("pixf_slow", None)
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


def _fits_ended() -> list[tuple[int, str]]:
    """What the slow plugin (imported by the in-process server) recorded about its fits."""
    return sys.modules["pixf_slow"].ENDED


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
    assert other.cancel_training() is True  # any session on the project may cancel
    worker.join(30)
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
    ((step, how),) = _fits_ended()  # the fit itself stopped early, by the cancellation
    assert step < 2999 and how == "Cancelled", (step, how)
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
    # the server noticed the closed stream and stopped the fit early (not at its last step)
    _wait(lambda: bool(_fits_ended()), timeout=30)
    ((step, how),) = _fits_ended()
    assert step < 2999 and how == "Cancelled", (step, how)
    assert [c["name"] for c in other.classes] == ["a", "b"]  # the project lock is free again
    other.paint("img", "a", [[30, 30]], radius=1)
    assert not other.is_trained
    np.testing.assert_array_equal(p.get_labels("img"), other.get_labels("img"))
