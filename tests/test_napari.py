"""The napari dock widget driven end to end against real servers on 127.0.0.1 (pytest-qt, offscreen Qt).

The widget runs in a napari ``ViewerModel`` (napari's real viewer state: layers, camera, dims,
paint events) without the OpenGL canvas, which the offscreen Qt platform cannot provide; the
rendered window is covered by the screenshot test (tests/test_napari_screenshot.py). Buttons are
clicked and dialogs answered as a person would. tests/test_napari_guards.py covers what keeps the
widget and the server in step; tests/test_napari_model.py drives the model without Qt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tifffile

pytest.importorskip("napari", reason="napari is not installed (pip install -e '.[gui]')")
pytest.importorskip("pytestqt", reason="pytest-qt is not installed (pip install -e '.[gui]')")

from napari_support import (  # noqa: E402
    WAIT_MS,
    answer_next_dialog,
    click,
    make_widget,  # noqa: F401  (fixture)
    offscreen_qt,  # noqa: F401  (fixture)
    open_with_image,
    paint_truth,
    section,
    settle,
    wait_for,
)
from napari.utils.key_bindings import coerce_keybinding  # noqa: E402
from test_server_support import running_server  # noqa: E402

from pixframework.client import connect  # noqa: E402
from pixframework.errors import PixfError  # noqa: E402
from pixframework.project import Project  # noqa: E402
from pixframework.server.app import create_server  # noqa: E402
from pixframework.synthetic import cells  # noqa: E402

FEATURES = [("gaussian_smoothing", 0.7), ("gaussian_smoothing", 1.6), ("laplacian_of_gaussian", 1.6),
            ("gaussian_gradient_magnitude", 1.0), ("hessian_of_gaussian_eigenvalues", 1.6)]  # fmt: skip


# --------------------------------------------------------------------------- tests


def test_filter_parameters_are_edited_in_the_matrix_and_reach_the_server(qtbot: Any, make_widget: Any, tmp_path: Path) -> None:
    pytest.importorskip("pixf_texture", reason="the texture plugin provides the example parameter")
    image, _ = cells((64, 72), seed=2)
    with running_server(tmp_path) as (_, address):
        viewer, widget = make_widget()
        open_with_image(qtbot, widget, viewer, address, image)
        features = section(widget, "features")
        matrix = features.feature_matrix
        features.select([*FEATURES[:2], ("gabor_energy", 1.6)])
        settle(qtbot, widget)
        assert matrix.parameters("gabor_energy") == {"frequency": 0.5}  # the declared default, shown
        assert matrix.parameters("gaussian_smoothing") == {}
        matrix.set_parameters("gabor_energy", {"frequency": 0.25})  # as an edit of the cell does
        settle(qtbot, widget)
        with connect(address) as observer, observer.open_project("cells.pixf") as remote:
            gabor = [e for e in remote.features.entries if e.filter == "gabor_energy"]
            assert [(e.scale, e.params) for e in gabor] == [(1.6, (("frequency", 0.25),))]
        row = [matrix.verticalHeaderItem(r).toolTip() for r in range(matrix.rowCount())]
        cell = matrix.item(next(r for r, tip in enumerate(row) if "(gabor_energy)" in tip), matrix.columnCount() - 1)
        cell.setText("frequency=fast")  # not a number: refused in the widget, the server keeps 0.25
        assert "must be a number" in widget.status.text()
        assert matrix.parameters("gabor_energy") == {"frequency": 0.25}  # the cell shows the server's value again
        _, again = make_widget()  # a second client opening the project shows the stored value
        again.model.connect_remote(address)
        wait_for(qtbot, again, lambda: again.model.connected and section(again, "features").feature_matrix.rowCount() > 0)
        again.model.open_project("cells.pixf")
        wait_for(qtbot, again, lambda: again.model.state is not None)
        assert section(again, "features").feature_matrix.parameters("gabor_energy") == {"frequency": 0.25}


def test_paint_train_live_update_and_export(qtbot: Any, make_widget: Any, tmp_path: Path) -> None:
    image, truth = cells((96, 112), seed=4)
    with running_server(tmp_path) as (_, address):
        viewer, widget = make_widget()
        labels = open_with_image(qtbot, widget, viewer, address, image)
        section(widget, "features").select(FEATURES[:-1])
        section(widget, "features").feature_matrix.set_checked(*FEATURES[-1])  # as a click on one cell does
        settle(qtbot, widget)
        with connect(address) as observer, observer.open_project("cells.pixf") as remote:
            entries = {(e.filter, e.scale) for e in remote.features.entries}
            assert entries == set(section(widget, "features").feature_matrix.selection()) == set(FEATURES)

            paint_truth(qtbot, widget, labels, truth)
            np.testing.assert_array_equal(remote.get_labels("cells"), labels.data)
            # erasing a dab reaches the server too
            point = np.argwhere(labels.data == 1)[0]
            labels.paint(point, 0)
            settle(qtbot, widget)
            assert remote.get_labels("cells")[tuple(point)] == 0
            np.testing.assert_array_equal(remote.get_labels("cells"), labels.data)

            click(qtbot, section(widget, "training").train_button)
            wait_for(qtbot, widget, lambda: widget.status.text().startswith("Trained"))
            assert section(widget, "training").progress.value() == 100 and remote.is_trained

        section(widget, "training").live_check.setChecked(True)
        wait_for(qtbot, widget, lambda: widget.model.live.last is not None)
        result = widget.model.live.last
        assert result["region"] == (slice(0, 96), slice(0, 112))  # small image: predicted whole
        probabilities, segmentation = result["probabilities"], result["segmentation"]
        assert probabilities.shape == (96, 112, 2) and segmentation.shape == (96, 112)
        np.testing.assert_allclose(probabilities.sum(-1), 1.0, atol=1e-4)
        assert (segmentation == truth).mean() > 0.85  # plausible, not perfect, from a few dabs
        uncertainty = result["uncertainty"][..., 0]
        assert 0.0 <= uncertainty.min() and uncertainty.max() <= 1.0
        # uncertain pixels are where the classes meet
        assert uncertainty[segmentation != truth].mean() > uncertainty.mean()
        shown = {layer.name: layer for layer in viewer.layers}
        assert shown["pixf probability Label 2"].data.shape == (96, 112)
        np.testing.assert_array_equal(shown["pixf segmentation"].data, segmentation)

        # another stroke: the live layers refresh by themselves (retrained on the new labels)
        before = widget.model.live.last
        fresh = np.argwhere((truth == 2) & (labels.data == 0))[7]
        labels.paint(fresh, 2)
        wait_for(qtbot, widget, lambda: widget.model.live.last is not before)
        assert widget.model.live.last["summary"] is not None

        section(widget, "export").export_edit.setText("out/{nickname}_seg.npy")
        section(widget, "export").output_combo.setCurrentText("segmentation")
        click(qtbot, section(widget, "export").export_button)
        wait_for(qtbot, widget, lambda: widget.status.text().startswith("Exported"))
        assert widget.status.text() == "Exported out/cells_seg.npy"
        written = np.load(tmp_path / "out" / "cells_seg.npy", allow_pickle=False)
        assert written.squeeze().shape == (96, 112)

        section(widget, "training").live_check.setChecked(False)
        assert not any(layer.name.startswith("pixf ") for layer in viewer.layers)


def test_classes_add_rename_recolor_remove(qtbot: Any, make_widget: Any, tmp_path: Path) -> None:
    image, _ = cells((48, 48), seed=2)
    with running_server(tmp_path) as (_, address):
        viewer, widget = make_widget()
        labels = open_with_image(qtbot, widget, viewer, address, image)
        section(widget, "classes").class_list.add_requested.emit("debris")
        wait_for(qtbot, widget, lambda: len(widget.model.classes) == 3)
        section(widget, "classes").class_list.select(3)
        assert labels.selected_label == 3  # the brush paints the chosen class
        labels.paint((5, 5), 3)
        section(widget, "classes").class_list.rename_requested.emit(3, "dirt")
        section(widget, "classes").class_list.recolor_requested.emit(3, "#00ff00")
        wait_for(
            qtbot,
            widget,
            lambda: widget.model.classes[2]["name"] == "dirt" and widget.model.classes[2]["color"] == "#00ff00",
        )
        assert section(widget, "classes").class_list.list.item(2).text().endswith("dirt")
        color = labels.colormap.map(np.array([3]))[0]
        np.testing.assert_allclose(color[:3], (0, 1, 0), atol=0.01)
        labels.paint((20, 20), 2)
        settle(qtbot, widget)
        from qtpy.QtWidgets import QMessageBox

        asked = answer_next_dialog(QMessageBox.StandardButton.Yes)
        classes = section(widget, "classes")
        classes.class_list.select(1)
        click(qtbot, classes.class_list.remove_button)  # asks first; class 2 becomes class 1, labels move along
        assert asked and "Label 1" in asked[0] and "labelled pixels" in asked[0]
        wait_for(qtbot, widget, lambda: [c["name"] for c in widget.model.classes] == ["Label 2", "dirt"])
        assert labels.data[20, 20] == 1 and labels.data[5, 5] == 2
        np.testing.assert_array_equal(widget.model.project.get_labels("cells"), labels.data)


def test_two_windows_share_one_live_view(qtbot: Any, make_widget: Any, tmp_path: Path) -> None:
    image, truth = cells((64, 64), seed=5)
    with running_server(tmp_path) as (_, address):
        viewer_a, a = make_widget()
        labels_a = open_with_image(qtbot, a, viewer_a, address, image)
        viewer_b, b = make_widget()
        b.model.connect_remote(address)
        wait_for(qtbot, b, lambda: b.model.connected)
        b.model.open_project("cells.pixf")
        wait_for(qtbot, b, lambda: b.model.shown is not None and b.model.follower.wait_ready())
        raw_b = [layer for layer in viewer_b.layers if layer.name == "cells"]
        np.testing.assert_array_equal(raw_b[0].data, image)  # B never had the layer: read from the server

        # strokes of either window appear in the other; nobody presses Refresh
        paint_truth(qtbot, a, labels_a, truth, per_class=4)
        wait_for(qtbot, b, lambda: np.array_equal(b.model.shown.layer.data, labels_a.data))
        b.model.shown.layer.paint((10, 50), 1)
        b.model.shown.layer.paint((50, 10), 0)
        settle(qtbot, b)
        wait_for(qtbot, a, lambda: np.array_equal(labels_a.data, b.model.shown.layer.data))

        # a model trained from B updates A's live prediction (A does not train again)
        a.model.set_live(True)
        wait_for(qtbot, a, lambda: a.model.live.last is not None)
        a.model.live.last = None
        click(qtbot, section(b, "training").train_button)
        wait_for(qtbot, a, lambda: a.model.live.last is not None and a.model.jobs.idle)
        assert a.model.live.last["summary"] is None
        a.model.set_live(False)

        # napari's undo key in A goes through the server at once: both windows lose the stroke
        before = labels_a.data.copy()
        labels_a.paint((40, 40), 2)
        settle(qtbot, a)
        wait_for(qtbot, b, lambda: b.model.shown.layer.data[40, 40] == 2)
        labels_a.keymap[coerce_keybinding("Control-Z")](labels_a)
        wait_for(qtbot, a, lambda: np.array_equal(labels_a.data, before))
        wait_for(qtbot, b, lambda: np.array_equal(b.model.shown.layer.data, before))
        np.testing.assert_array_equal(a.model.project.get_labels("cells"), before)

        # B adds a file on the server by path; A's image list follows
        (tmp_path / "images").mkdir()
        tifffile.imwrite(tmp_path / "images" / "second.tif", image[::-1].copy())
        section(b, "images").path_edit.setText("images/second.tif")
        click(qtbot, section(b, "images").add_path_button)
        wait_for(qtbot, b, lambda: b.model.image == "second")
        np.testing.assert_array_equal(
            next(x for x in viewer_b.layers if x.name == "second").data, image[::-1]
        )
        wait_for(qtbot, a, lambda: section(a, "images").image_combo.count() == 2 and a.model.jobs.idle)
        assert [section(a, "images").image_combo.itemText(i) for i in range(2)] == ["cells", "second"] and a.model.image == "cells"


def test_lost_server_shows_a_message_and_recovers(qtbot: Any, make_widget: Any, tmp_path: Path) -> None:
    image, _ = cells((48, 56), seed=6)
    server, port = create_server("127.0.0.1:0", data_root=tmp_path)
    server.start()
    address = f"127.0.0.1:{port}"
    viewer, widget = make_widget()
    labels = open_with_image(qtbot, widget, viewer, address, image)
    labels.paint((5, 5), 1)
    settle(qtbot, widget)
    server.stop(grace=0.5)  # saves the project

    labels.paint((30, 30), 2)  # painted while the server is away
    wait_for(qtbot, widget, lambda: "Lost the connection" in widget.status.text())
    assert not widget.model.connected and not section(widget, "training").train_button.isEnabled()
    labels.paint((40, 10), 1)  # the widget knows it is offline: kept for later
    settle(qtbot, widget)

    server, port = create_server(address, data_root=tmp_path)  # back on the same address
    server.start()
    try:
        wait_for(qtbot, widget, lambda: widget.status.text().startswith("Reconnected"))
        assert widget.model.connected and section(widget, "training").train_button.isEnabled()
        settle(qtbot, widget)
        np.testing.assert_array_equal(widget.model.project.get_labels("cells"), labels.data)
        assert widget.model.project.label_counts()["cells"] == {
            "Label 1": int((labels.data == 1).sum()),
            "Label 2": int((labels.data == 2).sum()),
        }
    finally:
        widget.shutdown()
        server.stop(grace=0.5)


def test_embedded_server_starts_and_stops_with_the_widget(
    qtbot: Any, make_widget: Any, tmp_path: Path
) -> None:
    _, widget = make_widget()
    widget.model.start_embedded(str(tmp_path))
    wait_for(qtbot, widget, lambda: widget.model.connected)
    assert widget.model.connection.is_embedded and "local server 127.0.0.1:" in widget.status.text()
    address = widget.model.connection.address
    widget.model.open_project("local.pixf", create=True)
    wait_for(qtbot, widget, lambda: widget.model.project is not None and len(widget.model.classes) == 2)
    section(widget, "classes").class_list.add_requested.emit("debris")
    wait_for(qtbot, widget, lambda: len(widget.model.classes) == 3)
    click(qtbot, section(widget, "project").save_button)
    wait_for(qtbot, widget, lambda: widget.status.text() == f"Saved {tmp_path / 'local.pixf'}.")
    saved = Project.open(tmp_path / "local.pixf")  # what is on disk now, read beside the server
    assert [c["name"] for c in saved.classes] == ["Label 1", "Label 2", "debris"]
    saved.close(save=False)
    with connect(address) as other:  # a real server: scripts can join it
        assert any(s["path"] == "local.pixf" for s in other.sessions())
    widget.shutdown()
    assert (tmp_path / "local.pixf").is_dir()
    with pytest.raises(PixfError):
        connect(address, timeout=0.5)


def test_deleting_the_widget_saves_and_stops_the_embedded_server(qtbot: Any, tmp_path: Path) -> None:
    """napari deletes dock widgets without a closeEvent: the project must still be saved."""
    from napari.components import ViewerModel

    from pixframework.napari import PixelClassifierWidget

    widget = PixelClassifierWidget(ViewerModel())
    widget.model.start_embedded(str(tmp_path))
    wait_for(qtbot, widget, lambda: widget.model.connected)
    address = widget.model.connection.address
    widget.model.open_project("kept.pixf", create=True)
    wait_for(qtbot, widget, lambda: len(widget.model.classes) == 2)
    section(widget, "classes").class_list.add_requested.emit("unsaved until the end")
    wait_for(qtbot, widget, lambda: len(widget.model.classes) == 3)
    widget.deleteLater()
    qtbot.waitUntil(lambda: _refused(address), timeout=WAIT_MS)
    saved = Project.open(tmp_path / "kept.pixf")
    assert saved.classes[-1]["name"] == "unsaved until the end"
    saved.close(save=False)


def _refused(address: str) -> bool:
    try:
        connect(address, timeout=0.2).close()
    except PixfError:
        return True
    return False


def test_refused_requests_show_the_servers_reason(qtbot: Any, make_widget: Any, tmp_path: Path) -> None:
    with running_server(tmp_path) as (_, address):
        _, widget = make_widget()
        widget.model.connect_remote(address)
        wait_for(qtbot, widget, lambda: widget.model.connected)
        widget.model.open_project("missing.pixf")
        wait_for(
            qtbot,
            widget,
            lambda: "missing.pixf" in widget.status.text() and "no project" in widget.status.text(),
        )
        assert "color" in widget.status.styleSheet() and widget.model.connected  # an error, not a lost connection
    _, widget = make_widget()
    widget.model.server.connect_timeout = 0.5
    widget.model.connect_remote("127.0.0.1:1")
    wait_for(
        qtbot,
        widget,
        lambda: "127.0.0.1:1" in widget.status.text() and "Connecting" not in widget.status.text(),
    )
    assert not widget.model.connected


def test_live_update_follows_the_viewport_and_the_plane(qtbot: Any, make_widget: Any, tmp_path: Path) -> None:
    from pixframework.napari.viewport import camera_of

    volume = np.stack([cells((60, 72), seed=s)[0] for s in (1, 2, 3)])
    truth = np.stack([cells((60, 72), seed=s)[1] for s in (1, 2, 3)])
    with running_server(tmp_path) as (_, address):
        viewer, widget = make_widget()
        labels = open_with_image(qtbot, widget, viewer, address, volume)
        assert labels.data.shape == (3, 60, 72)
        assert section(widget, "features").in_2d_check.isEnabled()  # a 3D image: ilastik's "in 2D" is offered
        section(widget, "features").select(FEATURES[:3], in_2d=True)  # 3 planes are too thin for 3D filters
        settle(qtbot, widget)
        assert {e.in_2d for e in widget.model.project.features.entries} == {True}
        labels.n_edit_dim = 2
        for z in range(3):
            viewer.dims.set_current_step(0, z)
            for value in (1, 2):
                points = np.argwhere(truth[z] == value)
                for y, x in points[:: max(1, len(points) // 6)][:6]:
                    labels.paint((z, y, x), value)
        settle(qtbot, widget)
        assert set(np.unique(widget.model.project.get_labels("cells"))) == {0, 1, 2}

        widget.model.live.whole_plane_pixels = 100  # treat the planes as large: predict what the camera shows
        viewer.canvas.size = (40, 50)  # screen pixels (height, width)
        camera = camera_of(viewer)
        camera.zoom = 2.0
        camera.center = (1, 30, 20)
        viewer.dims.set_current_step(0, 1)
        section(widget, "training").live_check.setChecked(True)
        wait_for(qtbot, widget, lambda: widget.model.live.last is not None)
        result = widget.model.live.last
        z, ys, xs = result["region"]
        assert z == slice(1, 2) and 0 < ys.stop - ys.start < 60 and 0 <= xs.start < 20 < xs.stop < 72
        assert ys.start <= 30 < ys.stop
        height, width = ys.stop - ys.start, xs.stop - xs.start
        assert result["probabilities"].shape == (1, height, width, 2)
        layer = next(layer for layer in viewer.layers if layer.name == "pixf probability Label 1")
        assert layer.data.shape == (1, height, width)
        np.testing.assert_allclose(layer.translate, (1, ys.start, xs.start))

        viewer.dims.set_current_step(0, 2)  # another plane: predicted again, once the view settles
        wait_for(qtbot, widget, lambda: widget.model.live.last["region"][0] == slice(2, 3))
        seg = widget.model.live.last["segmentation"][0]
        y0, x0 = widget.model.live.last["region"][1].start, widget.model.live.last["region"][2].start
        expected = truth[2, y0 : y0 + seg.shape[0], x0 : x0 + seg.shape[1]]
        assert (seg == expected).mean() > 0.7


def test_token_is_sent_and_a_wrong_one_is_reported(qtbot: Any, make_widget: Any, tmp_path: Path) -> None:
    with running_server(tmp_path, token="s3cret") as (_, address):
        _, widget = make_widget()
        server = section(widget, "server")
        server.address_edit.setText(address)
        server.token_edit.setText("wrong")
        click(qtbot, server.connect_button)
        wait_for(qtbot, widget, lambda: "Connecting" not in widget.status.text())
        assert not widget.model.connected and "token" in widget.status.text().lower()
        server.token_edit.setText("s3cret")
        click(qtbot, server.connect_button)
        wait_for(qtbot, widget, lambda: widget.model.connected)
        widget.model.open_project("t.pixf", create=True)
        wait_for(qtbot, widget, lambda: len(widget.model.classes) == 2)


def test_job_queue_runs_in_order_and_keeps_only_the_last_keyed_job(qtbot: Any) -> None:
    import threading

    from pixframework.napari._qt.loop import QtLoop
    from pixframework.napari.jobs import JobQueue

    jobs = JobQueue(QtLoop())
    gate, ran, results, errors = threading.Event(), [], [], []
    jobs.submit(gate.wait)
    for i in range(5):
        jobs.submit(lambda i=i: ran.append(("live", i)), key="live")
        jobs.submit(lambda i=i: ran.append(("label", i)))
    jobs.submit(lambda: 1 / 0, on_error=errors.append)
    jobs.submit(lambda: 42, on_done=results.append)
    gate.set()
    qtbot.waitUntil(lambda: results == [42], timeout=5000)
    jobs.close()
    # labels in order; of the burst of live requests only the last one ran, after the labels before it
    assert ran == [("label", 0), ("label", 1), ("label", 2), ("label", 3), ("live", 4), ("label", 4)]
    assert len(errors) == 1 and isinstance(errors[0], ZeroDivisionError)
