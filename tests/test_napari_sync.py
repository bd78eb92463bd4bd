"""Label synchronisation and viewport maths of the napari plugin, without Qt.

The label diffs are sent to a real embedded Project (it has the same ``set_labels`` / ``erase``
methods as the remote one), and the project's labels must then equal the edited array exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixframework.napari.label_sync import LabelMirror, changed_region
from pixframework.project import Project

napari = pytest.importorskip("napari", reason="napari is not installed (pip install -e '.[gui]')")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    p = Project.create(tmp_path / "sync.pixf")
    p.add_image(np.zeros((40, 50), np.uint8), name="img", axes="yx")
    for name in ("a", "b", "c"):
        p.add_class(name)
    return p


def _sync(mirror: LabelMirror, project: Project, data: np.ndarray, region=None) -> None:
    change = mirror.diff(data, region)
    change.send(project, "img")
    mirror.accept(change)


def test_random_paint_and_erase_reach_the_project_exactly(project: Project) -> None:
    rng = np.random.default_rng(3)
    data = np.zeros((40, 50), np.uint8)
    mirror = LabelMirror(project.get_labels("img"))
    for step in range(30):
        y, x = rng.integers(0, 36), rng.integers(0, 46)
        h, w = rng.integers(1, 5), rng.integers(1, 5)
        value = int(rng.integers(0, 4))  # 0 erases; others overwrite other classes too
        blob = rng.random((h, w)) < 0.7
        data[y : y + h, x : x + w][blob] = value
        region = (slice(y, y + h), slice(x, x + w)) if step % 3 else None  # box or whole array
        _sync(mirror, project, data, region)
        np.testing.assert_array_equal(project.get_labels("img"), data, err_msg=f"after step {step}")
    np.testing.assert_array_equal(mirror.labels, data)


def test_changes_outside_the_box_wait_for_a_box_that_covers_them(project: Project) -> None:
    data = np.zeros((40, 50), np.uint8)
    mirror = LabelMirror(project.get_labels("img"))
    data[2, 2] = 1
    data[30, 40] = 2
    _sync(mirror, project, data, (slice(0, 5), slice(0, 5)))
    assert project.label_counts()["img"] == {"a": 1}
    _sync(mirror, project, data)  # e.g. after a reconnect: the rest goes up
    np.testing.assert_array_equal(project.get_labels("img"), data)


def test_erasing_is_one_mask_of_exactly_the_erased_pixels() -> None:
    mirror = LabelMirror(np.array([[1, 1, 0, 1], [2, 0, 0, 0], [1, 1, 1, 1]], np.uint8))
    layer = mirror.labels.copy()
    layer[0, :2] = 0
    layer[2, 3] = 0
    change = mirror.diff(layer)
    assert change.paint is None
    np.testing.assert_array_equal(change.erase, (layer == 0) & (mirror.labels > 0))
    mirror.accept(change)
    np.testing.assert_array_equal(mirror.labels, layer)


def test_a_patch_from_the_server_shows_where_nothing_was_painted_locally() -> None:
    mirror = LabelMirror(np.zeros((4, 4), np.uint8))
    layer = mirror.labels.copy()
    layer[0, 0] = 2  # painted here, not sent yet
    changed = mirror.apply_patch((slice(0, 2), slice(0, 2)), np.ones((2, 2), np.uint8), layer)
    assert changed and layer[0, 0] == 2 and layer[1, 1] == 1 and mirror.labels[0, 0] == 1
    assert mirror.diff(layer).paint[0, 0] == 2  # the local stroke still goes up


def test_changed_region_reads_napari_paint_events() -> None:
    layer = napari.layers.Labels(np.zeros((30, 30), np.uint8))
    layer.brush_size = 3
    events: list = []
    layer.events.paint.connect(lambda e: events.append(e.value))
    layer.paint((10, 12), 1)
    layer.data_setitem((np.array([3, 5]), np.array([7, 2])), 2)  # the fancy-index kind of atom
    box = changed_region(events[0], layer.data.shape)
    assert box is not None and all(s.start <= c < s.stop for s, c in zip(box, (10, 12)))
    inside = np.zeros(layer.data.shape, bool)
    inside[box] = True
    assert np.any(layer.data == 1) and np.all(inside[layer.data == 1])  # every painted pixel is in the box
    assert changed_region(events[1], layer.data.shape) == (slice(3, 6), slice(2, 8))
    assert changed_region([object()], (30, 30)) is None  # unreadable: compare everything
    assert changed_region([], (30, 30)) is None


def test_visible_region_follows_camera_and_plane() -> None:
    from pixframework.napari.viewport import camera_of, visible_region

    viewer = napari.components.ViewerModel()
    layer = viewer.add_labels(np.zeros((3, 4000, 3000), np.uint8))
    viewer.canvas.size = (400, 600)  # height, width in screen pixels
    camera = camera_of(viewer)
    camera.center = (0, 1000, 1500)
    camera.zoom = 2.0
    viewer.dims.set_current_step(0, 2)
    region = visible_region(viewer, layer, layer.data.shape)
    assert region[0] == slice(2, 3)
    # 400 / 2 = 200 rows around y=1000 and 300 columns around x=1500, plus the margin
    assert region[1].start <= 900 and region[1].stop >= 1100 and region[1].stop - region[1].start < 300
    assert region[2].start <= 1350 and region[2].stop >= 1650 and region[2].stop - region[2].start < 420
    small = viewer.add_labels(np.zeros((64, 80), np.uint8))
    assert visible_region(viewer, small, (64, 80)) == (slice(0, 64), slice(0, 80))
    camera.center = (0, -5000, -5000)  # looking beside the image: still a valid region
    region = visible_region(viewer, layer, layer.data.shape)
    assert all(0 <= s.start < s.stop for s in region)


def test_the_npe2_manifest_offers_the_dock_widget() -> None:
    npe2 = pytest.importorskip("npe2")
    manager = npe2.PluginManager.instance()
    manager.discover()
    manifest = manager.get_manifest("pixframework")
    (widget,) = manifest.contributions.widgets
    command = next(c for c in manifest.contributions.commands if c.id == widget.command)
    assert command.python_name == "pixframework.napari._qt.widget:PixelClassifierWidget"
    module, _, name = command.python_name.partition(":")
    assert getattr(__import__(module, fromlist=[name]), name).__name__ == name
