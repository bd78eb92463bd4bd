"""The dock widget: ilastik's pixel classification workflow in napari, as a thin client of a server.

The widget only composes sections (:data:`GROUPS`, each a :class:`~.group.Group` bound to the
Qt-free :class:`~pixframework.napari.model.SessionModel`) above the status line and message log.
Every action is a model call; the model runs client calls on its worker and fires events the
sections follow. A local server is a real gRPC server on 127.0.0.1 in this process, so there is one
code path into the core.

Closing napari with changes not saved asks first (save, discard, or keep working); the project is
saved when the widget goes away otherwise.
"""

from __future__ import annotations

from typing import Any, TypeVar

from qtpy.QtCore import QEvent, QObject
from qtpy.QtWidgets import QApplication, QMessageBox, QScrollArea, QVBoxLayout, QWidget

from ..model import SessionModel
from .class_list import ClassesGroup
from .features_group import FeaturesGroup
from .group import Group
from .groups import ExportGroup, ImagesGroup, ProjectGroup, ServerGroup, TrainingGroup
from .log_panel import LogPanel
from .loop import QtLoop

#: the sections, top to bottom; a new section is a Group subclass added here
GROUPS: tuple[type[Group], ...] = (
    ServerGroup, ProjectGroup, ImagesGroup, ClassesGroup, FeaturesGroup, TrainingGroup, ExportGroup,
)  # fmt: skip

G = TypeVar("G", bound=Group)


class PixelClassifierWidget(QWidget):
    """Dock widget for napari: server, project, images, classes, features, classifier, export, log.

    :param napari_viewer: the viewer the widget is docked in (npe2 passes it by this name); a
        ``napari.components.ViewerModel`` works too (no canvas needed).
    """

    def __init__(self, napari_viewer: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.viewer = napari_viewer
        self.loop = QtLoop(self)
        self.model = SessionModel(napari_viewer, self.loop)
        self.groups: dict[type[Group], Group] = {cls: cls(self.model) for cls in GROUPS}
        self.log = LogPanel(self.model.messages)
        body = QWidget()
        column = QVBoxLayout(body)
        for group in self.groups.values():
            column.addWidget(group)
            group._model_changed()
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.log)
        self.setMinimumWidth(430)
        self._guarded: QObject | None = None
        # napari deletes dock widgets without closeEvent: stop (and save) on deletion or quit too. The
        # slot takes no argument and holds no reference to the widget, which is half gone by then.
        model = self.model

        def stop() -> None:
            model.shutdown()

        self.destroyed.connect(stop)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(stop)

    def group(self, cls: type[G]) -> G:
        """The section of class ``cls`` (e.g. ``widget.group(ImagesGroup).upload_button``)."""
        return self.groups[cls]  # type: ignore[return-value]

    @property
    def status(self) -> Any:
        """The status line (a QLabel)."""
        return self.log.status

    # ------------------------------------------------------------------ closing
    def showEvent(self, event: Any) -> None:
        # once docked, the top-level window is napari's: ask before it closes with unsaved changes
        window = self.window()
        if window is not self and window is not self._guarded:
            window.installEventFilter(self)
            self._guarded = window
        super().showEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._guarded and event.type() == QEvent.Type.Close and not self.may_close():
            event.ignore()
            return True
        return super().eventFilter(watched, event)

    def may_close(self) -> bool:
        """Whether the window may close now: asks when there are changes not saved (and saves or
        discards them as answered)."""
        if not (self.model.unsaved and self.model.project is not None):
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"The project {self.model.connection.where()} has changes that are not saved. Save them before closing?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        self.shutdown(save=answer == QMessageBox.StandardButton.Save)
        return True

    def shutdown(self, *, save: bool = True) -> None:
        """Stop the worker and close the connection (stopping a local server, saving the project
        unless ``save=False``)."""
        if self._guarded is not None:
            self._guarded.removeEventFilter(self)
            self._guarded = None
        for group in self.groups.values():
            group.disconnect_model()
        self.log.disconnect_model()
        self.model.shutdown(save=save)

    def closeEvent(self, event: Any) -> None:
        self.shutdown()
        super().closeEvent(event)


__all__ = ["GROUPS", "PixelClassifierWidget"]
