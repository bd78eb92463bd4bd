"""Two napari clients on one server project see each other live (Qt-free models on one main loop,
a real server on 127.0.0.1): strokes painted in one appear in the other, a model trained from either
updates the live prediction in both, undo/redo keys go through the server and stay with their
client, erasing is one call. Nobody presses Refresh. (tests/test_napari.py's widget test does the
same with two real dock widgets.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("napari", reason="napari is not installed (pip install -e '.[gui]')")

from napari.utils.key_bindings import coerce_keybinding  # noqa: E402
from test_server_support import running_server  # noqa: E402

from pixframework.napari.loop import ManualLoop  # noqa: E402
from pixframework.napari.model import SessionModel  # noqa: E402
from pixframework.napari.shown_image import UNDO_KEYS  # noqa: E402
from pixframework.synthetic import cells  # noqa: E402


_spec = importlib.util.spec_from_file_location("bench_shared_view", Path(__file__).parents[1] / "benchmarks" / "bench_shared_view.py")
bench_shared_view = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_shared_view)


@pytest.fixture
def pair(tmp_path: Path) -> Any:
    """Two models on one project showing one image, sharing a main loop (as the benchmark opens them)."""
    loop = ManualLoop()
    image, truth = cells((48, 56), seed=3)
    with running_server(tmp_path) as (_, address):
        a, b = bench_shared_view.open_pair(address, image, loop)
        assert a.follower.wait_ready()
        yield loop, a, b, truth
        a.shutdown(save=False)
        b.shutdown(save=False)


def _paint(model: SessionModel, points: np.ndarray, value: int) -> None:
    for point in points:
        model.shown.layer.paint(point, value)


def test_strokes_painted_in_one_window_appear_in_the_other(pair: Any) -> None:
    loop, a, b, truth = pair
    _paint(a, np.argwhere(truth == 1)[::40][:6], 1)
    loop.run_until(lambda: b.shown.layer.data.any(), timeout=30)
    loop.run_until(lambda: np.array_equal(b.shown.layer.data, a.shown.layer.data), timeout=30)
    _paint(b, np.argwhere(truth == 2)[::40][:6], 2)
    loop.run_until(lambda: np.array_equal(a.shown.layer.data, b.shown.layer.data), timeout=30)
    np.testing.assert_array_equal(a.project.get_labels("cells"), a.shown.layer.data)
    assert set(np.unique(a.shown.layer.data)) == {0, 1, 2}


def test_a_model_trained_from_either_updates_the_live_prediction_in_both(pair: Any) -> None:
    loop, a, b, truth = pair
    a.set_live(True)
    _paint(b, np.argwhere(truth == 1)[::40][:8], 1)
    _paint(b, np.argwhere(truth == 2)[::40][:8], 2)
    loop.run_until(lambda: a.shown.layer.data.sum() == b.shown.layer.data.sum() > 0, timeout=30)
    a.live.last = None
    b.train()  # b has live update off: only its Train button
    loop.run_until(lambda: a.live.last is not None, timeout=60)
    assert a.live.last["summary"] is None  # a showed b's model: it did not train itself
    segmentation = a.live.layers.layers["segmentation"]
    assert set(np.unique(segmentation.data)) <= {1, 2} and segmentation.data.size > 0
    assert any(m.text.startswith(f"{b.project.client} trained") for m in a.messages.entries)


def test_undo_keys_go_through_the_server_and_stay_with_their_client(pair: Any) -> None:
    loop, a, b, truth = pair
    keys = {name: coerce_keybinding(name) for name in UNDO_KEYS}
    assert set(keys.values()) <= set(a.shown.layer.keymap)
    _paint(a, np.argwhere(truth == 1)[::40][:4], 1)
    loop.run_until(lambda: b.shown.layer.data.any() and not a.shown.link.busy and a.jobs.idle, timeout=30)
    _paint(b, np.argwhere(truth == 2)[::40][:4], 2)
    loop.run_until(lambda: (a.shown.layer.data == 2).any(), timeout=30)
    a.shown.layer.keymap[keys["Control-Z"]](a.shown.layer)  # a's Ctrl+Z: a's stroke goes, b's stays
    loop.run_until(lambda: not (b.shown.layer.data == 1).any() and not (a.shown.layer.data == 1).any(), timeout=30)
    assert (a.shown.layer.data == 2).any() and (b.shown.layer.data == 2).any()
    a.shown.layer.keymap[keys["Control-Shift-Z"]](a.shown.layer)  # redo comes back in both windows
    loop.run_until(lambda: (b.shown.layer.data == 1).any() and (a.shown.layer.data == 1).any(), timeout=30)
    np.testing.assert_array_equal(a.shown.layer.data, b.shown.layer.data)


def test_erasing_in_one_window_is_one_call_and_shows_in_the_other(pair: Any) -> None:
    loop, a, b, truth = pair
    a.shown.layer.paint((20, 20), 1)
    a.shown.layer.brush_size = 9
    loop.run_until(lambda: (b.shown.layer.data == 1).sum() > 20, timeout=30)
    watcher = a.project.watch()
    a.shown.layer.data[15:26, 15:26] = 0  # what an eraser stroke leaves
    a.shown.link.push_local()
    loop.run_until(lambda: not (b.shown.layer.data == 1).any(), timeout=30)
    edits = []
    while (event := watcher.next(timeout=0.5)) is not None:
        edits.append(event["op"])
    watcher.close()
    assert edits == ["erase_mask"]  # one call, not one per run of pixels
