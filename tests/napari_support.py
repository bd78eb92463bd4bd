"""Helpers of the napari widget tests: offscreen Qt, widgets in napari ``ViewerModel``s, waiting,
painting as a person would, and answering the widget's dialogs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

WAIT_MS = 30_000


@pytest.fixture(scope="session", autouse=True)
def offscreen_qt() -> Iterator[None]:
    """Qt without a display, for the session (set before pytest-qt makes the QApplication).

    A Qt that cannot load (missing system libraries) is an error here, not a skip: napari is
    installed, so the widget must work (CI installs the libraries, see .ci/run)."""
    previous = os.environ.get("QT_QPA_PLATFORM")
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from qtpy.QtWidgets import QApplication  # noqa: F401  (raises when Qt's libraries are missing)

    yield
    if previous is None:
        os.environ.pop("QT_QPA_PLATFORM", None)
    else:
        os.environ["QT_QPA_PLATFORM"] = previous


@pytest.fixture
def make_widget(qtbot: Any) -> Iterator[Any]:
    """Factory of (viewer, widget) pairs, shut down after the test."""
    from napari.components import ViewerModel

    from pixframework.napari import PixelClassifierWidget

    made = []

    def make() -> tuple[Any, Any]:
        viewer = ViewerModel()
        widget = PixelClassifierWidget(viewer)
        qtbot.addWidget(widget)
        widget.show()
        made.append(widget)
        return viewer, widget

    yield make
    for widget in made:
        widget.shutdown()


def section(widget: Any, name: str) -> Any:
    """A section of the widget by short name: server, project, images, classes, features, training, export."""
    from pixframework.napari._qt.class_list import ClassesGroup
    from pixframework.napari._qt.features_group import FeaturesGroup
    from pixframework.napari._qt.groups import ExportGroup, ImagesGroup, ProjectGroup, ServerGroup, TrainingGroup

    classes = {"server": ServerGroup, "project": ProjectGroup, "images": ImagesGroup, "classes": ClassesGroup,
               "features": FeaturesGroup, "training": TrainingGroup, "export": ExportGroup}  # fmt: skip
    return widget.group(classes[name])


def wait_for(qtbot: Any, widget: Any, condition: Any, timeout: int = WAIT_MS) -> None:
    """Wait until ``condition()``; on timeout say what the widget's status line showed."""
    try:
        qtbot.waitUntil(condition, timeout=timeout)
    except qtbot.TimeoutError:
        raise AssertionError(f"timed out; widget status: {widget.status.text()!r}") from None


def click(qtbot: Any, button: Any) -> None:
    from qtpy.QtCore import Qt

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def answer_next_dialog(button: Any) -> list[str]:
    """Press ``button`` (a ``QMessageBox.StandardButton``) in the next message box that opens; the
    returned list receives the box's text."""
    from qtpy.QtCore import QTimer
    from qtpy.QtWidgets import QApplication, QMessageBox

    seen: list[str] = []

    def press() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.button(button).click()
        else:
            QTimer.singleShot(10, press)

    QTimer.singleShot(0, press)
    return seen


def connect_and_create(qtbot: Any, widget: Any, address: str, project: str = "cells.pixf") -> None:
    widget.model.connect_remote(address)
    wait_for(qtbot, widget, lambda: widget.model.connected and section(widget, "features").feature_matrix.rowCount() > 0)
    widget.model.open_project(project, create=True)
    wait_for(qtbot, widget, lambda: widget.model.project is not None and len(widget.model.classes) == 2)


def open_with_image(qtbot: Any, widget: Any, viewer: Any, address: str, image: np.ndarray) -> Any:
    """Connect, create a project, upload ``image`` from a napari layer; returns the labels layer."""
    connect_and_create(qtbot, widget, address)
    layer = viewer.add_image(image, name="cells")
    images = section(widget, "images")
    assert images.layer_combo.currentText() == "cells"  # the layer list follows the viewer
    click(qtbot, images.upload_button)
    wait_for(qtbot, widget, lambda: widget.model.shown is not None)
    labels = widget.model.shown.layer
    assert labels.data.shape == image.shape
    assert layer in viewer.layers and widget.model.image == "cells"
    return labels


def paint_truth(qtbot: Any, widget: Any, labels: Any, truth: np.ndarray, per_class: int = 12) -> None:
    """Dab the brush on a few pixels of each class, as a user would."""
    labels.brush_size = 3
    for value in (1, 2):
        points = np.argwhere(truth == value)
        for point in points[np.linspace(0, len(points) - 1, per_class).astype(int)]:
            labels.paint(point, value)
    settle(qtbot, widget)


def settle(qtbot: Any, widget: Any) -> None:
    """Let the paint timer fire and the worker finish what it was given."""
    model = widget.model
    qtbot.wait(20)
    wait_for(qtbot, widget, lambda: model.jobs.idle and not (model.shown and model.shown.link.busy))
    qtbot.wait(20)
