"""The napari widget never shows what the server does not have, never loses work, and keeps every
message: real servers on 127.0.0.1, offscreen Qt, dialogs answered as a person would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("napari", reason="napari is not installed (pip install -e '.[gui]')")
pytest.importorskip("pytestqt", reason="pytest-qt is not installed (pip install -e '.[gui]')")

from napari_support import (  # noqa: E402
    answer_next_dialog,
    click,
    connect_and_create,
    make_widget,  # noqa: F401  (fixture)
    offscreen_qt,  # noqa: F401  (fixture)
    open_with_image,
    section,
    settle,
    wait_for,
)
from test_server_support import running_server  # noqa: E402

from pixframework.client import connect  # noqa: E402
from pixframework.project import Project  # noqa: E402
from pixframework.synthetic import cells  # noqa: E402


def _buttons() -> Any:
    from qtpy.QtWidgets import QMessageBox

    return QMessageBox.StandardButton


def test_a_local_server_without_a_root_keeps_projects_in_the_home_folder(
    qtbot: Any, make_widget: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    expected = home / "pixframework-projects"
    _, widget = make_widget()
    server = section(widget, "server")
    assert server.local_root_edit.text() == "" and server.local_root_edit.placeholderText() == str(expected)
    click(qtbot, server.local_button)
    wait_for(qtbot, widget, lambda: widget.model.connected)
    assert str(expected) in widget.status.text()  # the widget says where the projects go
    assert server.local_root_edit.text() == str(expected)
    widget.model.open_project("kept.pixf", create=True)
    wait_for(qtbot, widget, lambda: len(widget.model.classes) == 2)
    widget.model.add_class("debris")
    wait_for(qtbot, widget, lambda: len(widget.model.classes) == 3)
    click(qtbot, section(widget, "project").save_button)
    wait_for(qtbot, widget, lambda: widget.status.text() == f"Saved {expected / 'kept.pixf'}.")
    widget.shutdown()
    with Project.open(expected / "kept.pixf") as saved:  # still there once the widget (and server) are gone
        assert [c["name"] for c in saved.classes] == ["Label 1", "Label 2", "debris"]


def test_closing_the_window_with_unsaved_changes_asks_first(qtbot: Any, tmp_path: Path) -> None:
    from napari.components import ViewerModel
    from qtpy.QtWidgets import QMainWindow

    from pixframework.napari import PixelClassifierWidget

    window = QMainWindow()
    qtbot.addWidget(window)
    widget = PixelClassifierWidget(ViewerModel())
    window.setCentralWidget(widget)
    window.show()
    widget.model.start_embedded(str(tmp_path))
    wait_for(qtbot, widget, lambda: widget.model.connected)
    widget.model.open_project("work.pixf", create=True)
    wait_for(qtbot, widget, lambda: len(widget.model.classes) == 2)
    assert not widget.model.unsaved  # a new project is saved at once
    widget.model.add_class("not saved yet")
    wait_for(qtbot, widget, lambda: widget.model.unsaved)
    assert section(widget, "project").save_button.text() == "Save*"

    asked = answer_next_dialog(_buttons().Cancel)
    assert window.close() is False  # kept open: the person chose to keep working
    assert asked and "work.pixf" in asked[0] and "not saved" in asked[0]
    assert window.isVisible() and widget.model.connected

    answer_next_dialog(_buttons().Discard)
    assert window.close() is True
    with Project.open(tmp_path / "work.pixf") as saved:
        assert [c["name"] for c in saved.classes] == ["Label 1", "Label 2"]  # discarded, as answered


def test_saving_clears_the_question(qtbot: Any, make_widget: Any, tmp_path: Path) -> None:
    _, widget = make_widget()
    widget.model.start_embedded(str(tmp_path))
    wait_for(qtbot, widget, lambda: widget.model.connected)
    widget.model.open_project("s.pixf", create=True)
    wait_for(qtbot, widget, lambda: len(widget.model.classes) == 2)
    widget.model.add_class("c")
    wait_for(qtbot, widget, lambda: widget.model.unsaved)
    click(qtbot, section(widget, "project").save_button)
    wait_for(qtbot, widget, lambda: not widget.model.unsaved)
    assert widget.may_close()  # nothing to ask


def test_a_refused_feature_selection_leaves_the_grid_showing_what_the_server_uses(
    qtbot: Any, make_widget: Any, tmp_path: Path
) -> None:
    image, _ = cells((40, 48), seed=1)
    with running_server(tmp_path) as (_, address):
        viewer, widget = make_widget()
        open_with_image(qtbot, widget, viewer, address, image)
        features = section(widget, "features")
        chosen = [("laplacian_of_gaussian", 1.6)]
        features.select(chosen)
        settle(qtbot, widget)
        assert features.feature_matrix.selection() == chosen
        features.feature_matrix.set_checked("laplacian_of_gaussian", 1.6, False)  # nothing ticked: refused
        settle(qtbot, widget)
        with connect(address) as observer, observer.open_project("cells.pixf") as remote:
            used = [(e.filter, e.scale) for e in remote.features.entries]
        assert used == chosen
        assert features.feature_matrix.selection() == used  # the grid shows what training will use
        errors = [m for m in widget.model.messages.entries if m.level == "error"]
        assert errors and "feature" in errors[-1].text.lower()


def test_the_brush_only_paints_classes_of_the_project(qtbot: Any, make_widget: Any, tmp_path: Path) -> None:
    image, _ = cells((40, 48), seed=2)
    with running_server(tmp_path) as (_, address):
        viewer, widget = make_widget()
        labels = open_with_image(qtbot, widget, viewer, address, image)
        labels.selected_label = 3  # the layer controls' spin box, one step too far
        assert labels.selected_label == 2
        assert "Label 3 is not a class" in widget.status.text() and "Classes > Add" in widget.status.text()

        labels.paint((10, 10), 3)  # painted with a value that is no class (e.g. by a script or a key)
        labels.paint((20, 30), 1)
        settle(qtbot, widget)
        assert labels.data[10, 10] == 0 and labels.data[20, 30] == 1  # taken out of the layer at once
        remote = widget.model.project
        np.testing.assert_array_equal(remote.get_labels("cells"), labels.data)  # and never sent
        assert any("Removed label 3" in m.text for m in widget.model.messages.entries)

        widget.model.add_class("third")  # now 3 is a class: the brush may take it
        wait_for(qtbot, widget, lambda: len(widget.model.classes) == 3)
        labels.selected_label = 3
        assert labels.selected_label == 3


def test_a_stroke_the_server_refuses_is_undone_in_the_layer(qtbot: Any, make_widget: Any, tmp_path: Path) -> None:
    image, _ = cells((40, 48), seed=3)
    with running_server(tmp_path) as (_, address):
        viewer, widget = make_widget()
        labels = open_with_image(qtbot, widget, viewer, address, image)
        with connect(address) as other, other.open_project("cells.pixf") as remote:
            remote.remove_class(2)  # another window removes class 2; this one has not refreshed yet
            labels.paint((15, 15), 2)
            wait_for(qtbot, widget, lambda: any(m.level == "error" for m in widget.model.messages.entries))
            settle(qtbot, widget)
            assert labels.data[15, 15] == 0  # the layer shows the server's labels again
            np.testing.assert_array_equal(remote.get_labels("cells"), labels.data)


def test_removing_a_class_asks_first(qtbot: Any, make_widget: Any, tmp_path: Path) -> None:
    image, _ = cells((40, 48), seed=4)
    with running_server(tmp_path) as (_, address):
        viewer, widget = make_widget()
        labels = open_with_image(qtbot, widget, viewer, address, image)
        labels.paint((5, 5), 1)
        settle(qtbot, widget)
        widget.model.refresh()  # the label counts the question quotes
        wait_for(qtbot, widget, lambda: widget.status.text().startswith("Refreshed"))
        class_list = section(widget, "classes").class_list
        class_list.select(1)
        asked = answer_next_dialog(_buttons().Cancel)
        click(qtbot, class_list.remove_button)
        assert asked and "Label 1" in asked[0] and f"{int((labels.data == 1).sum())} labelled pixels" in asked[0]
        settle(qtbot, widget)
        assert [c["name"] for c in widget.model.project.classes] == ["Label 1", "Label 2"]
        assert labels.data[5, 5] == 1


def test_errors_stay_in_the_status_line_and_the_log_keeps_every_message(
    qtbot: Any, make_widget: Any, tmp_path: Path
) -> None:
    with running_server(tmp_path) as (_, address):
        _, widget = make_widget()
        connect_and_create(qtbot, widget, address)
        widget.model.open_project("missing.pixf")
        wait_for(qtbot, widget, lambda: "no project" in widget.status.text())
        error = widget.status.text()
        widget.model.messages.info("a background update")  # e.g. a live prediction finishing
        assert widget.status.text() == error and "color" in widget.status.styleSheet()
        widget.model.refresh()  # the person moves on: newer messages show again
        wait_for(qtbot, widget, lambda: widget.status.text().startswith("Refreshed"))
        log = widget.log
        history = log.history.toPlainText()
        for text in ("Connecting to", "Connected to", "Creating cells.pixf", error, "a background update", "Refreshed"):
            assert text in history
        assert log.toggle.text() == f"Log ({len(widget.model.messages.entries)})"
        click(qtbot, log.toggle)
        assert log.history.isVisible()


def test_the_segmentation_layer_can_never_become_the_paint_target(
    qtbot: Any, make_widget: Any, tmp_path: Path
) -> None:
    from napari.layers import Labels

    image, truth = cells((48, 48), seed=5)
    with running_server(tmp_path) as (_, address):
        viewer, widget = make_widget()
        labels = open_with_image(qtbot, widget, viewer, address, image)
        for value in (1, 2):
            for point in np.argwhere(truth == value)[::97][:6]:
                labels.paint(point, value)
        settle(qtbot, widget)
        section(widget, "training").live_check.setChecked(True)
        wait_for(qtbot, widget, lambda: widget.model.live.last is not None)
        segmentation = next(layer for layer in viewer.layers if layer.name == "pixf segmentation")
        np.testing.assert_array_equal(segmentation.data, widget.model.live.last["segmentation"])
        assert viewer.layers.selection.active is labels  # the brush stays on the labels
        paintable = [layer for layer in viewer.layers if isinstance(layer, Labels)]
        assert paintable == [labels]  # nothing else to paint in, hidden or not
