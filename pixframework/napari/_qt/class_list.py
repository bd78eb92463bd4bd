"""The list of label classes (name and colour swatch) with add / rename / colour / remove buttons,
and the Classes section around it.

The list only shows what the server said; its buttons emit requests that the section turns into
model actions, and the list is redrawn from the server's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qtpy.QtCore import Signal
from qtpy.QtGui import QColor, QIcon, QPixmap
from qtpy.QtWidgets import (
    QColorDialog,
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..model import SessionModel
from .group import Group


def swatch(color: str, size: int = 14) -> QIcon:
    """A filled square icon of ``color`` (``"#rrggbb"``)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class ClassList(QWidget):
    """Classes of the project; the current row is the class the brush paints.

    Signals carry what the user asked for; nothing here calls the server.
    """

    add_requested = Signal(str)  # name
    rename_requested = Signal(int, str)  # class index (1..C), new name
    recolor_requested = Signal(int, str)  # class index, "#rrggbb"
    remove_requested = Signal(int)  # class index
    current_changed = Signal(int)  # class index, 0 when none

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._classes: list[dict[str, Any]] = []
        self.list = QListWidget()
        self.list.setMaximumHeight(96)
        self.list.currentRowChanged.connect(lambda row: self.current_changed.emit(self.current_index()))
        self.list.itemDoubleClicked.connect(lambda item: self._ask_rename())
        self.add_button = QPushButton("Add")
        self.rename_button = QPushButton("Rename")
        self.color_button = QPushButton("Colour")
        self.remove_button = QPushButton("Remove")
        self.add_button.clicked.connect(self._ask_add)
        self.rename_button.clicked.connect(self._ask_rename)
        self.color_button.clicked.connect(self._ask_color)
        self.remove_button.clicked.connect(self._remove)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.rename_button, self.color_button, self.remove_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)

    def set_classes(self, classes: Sequence[dict[str, Any]]) -> None:
        """Show ``classes`` (``[{"name", "color", "index"}]``), keeping the current class when it still exists."""
        keep = self.current_index()
        self._classes = list(classes)
        self.list.blockSignals(True)
        try:
            self.list.clear()
            for c in self._classes:
                self.list.addItem(QListWidgetItem(swatch(c["color"]), f"{c['index']}  {c['name']}"))
            if self._classes:
                row = min(max(keep, 1), len(self._classes)) - 1
                self.list.setCurrentRow(row)
        finally:
            self.list.blockSignals(False)
        self.current_changed.emit(self.current_index())

    def classes(self) -> list[dict[str, Any]]:
        return list(self._classes)

    def current_index(self) -> int:
        """Index (1..C) of the selected class, 0 when there is none."""
        row = self.list.currentRow()
        return self._classes[row]["index"] if 0 <= row < len(self._classes) else 0

    def select(self, index: int) -> None:
        """Make class ``index`` (1..C) the current one."""
        self.list.setCurrentRow(index - 1)

    # dialogs: small and modal, as in ilastik's label panel
    def _ask_add(self) -> None:
        name, ok = QInputDialog.getText(
            self, "Add class", "Class name:", text=f"class {len(self._classes) + 1}"
        )
        if ok and name.strip():
            self.add_requested.emit(name.strip())

    def _ask_rename(self) -> None:
        index = self.current_index()
        if index:
            old = self._classes[index - 1]["name"]
            name, ok = QInputDialog.getText(self, "Rename class", "New name:", text=old)
            if ok and name.strip() and name.strip() != old:
                self.rename_requested.emit(index, name.strip())

    def _ask_color(self) -> None:
        index = self.current_index()
        if index:
            color = QColorDialog.getColor(QColor(self._classes[index - 1]["color"]), self, "Class colour")
            if color.isValid():
                self.recolor_requested.emit(index, color.name())

    def _remove(self) -> None:
        index = self.current_index()
        if index:
            self.remove_requested.emit(index)


class ClassesGroup(Group):
    """The project's classes; the selected one is what the brush paints. Removing asks first."""

    title = "Classes"

    def __init__(self, model: SessionModel) -> None:
        super().__init__(model)
        self.class_list = ClassList()
        self.class_list.add_requested.connect(model.add_class)
        self.class_list.rename_requested.connect(model.rename_class)
        self.class_list.recolor_requested.connect(model.set_class_color)
        self.class_list.remove_requested.connect(self.remove)
        self.class_list.current_changed.connect(model.select_class)
        layout = QVBoxLayout(self)
        layout.addWidget(self.class_list)

    def remove(self, index: int) -> None:
        """Remove class ``index`` and its labels, once the person confirmed it."""
        if self.confirm_remove(index):
            self.model.remove_class(index)

    def confirm_remove(self, index: int) -> bool:
        """Ask before deleting a class and every label painted with it (there is no undo)."""
        state = self.model.state
        name = self.class_list.classes()[index - 1]["name"]
        counts = state.label_counts if state is not None else {}
        pixels = sum(per_class.get(name, 0) for per_class in counts.values())
        images = sum(1 for per_class in counts.values() if per_class.get(name, 0))
        answer = QMessageBox.question(
            self,
            "Remove class",
            f"Remove class {index} \u201c{name}\u201d and its {pixels} labelled pixels on {images} image(s)? "
            "Classes after it move down one number. This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def update_from_model(self) -> None:
        classes = self.model.classes
        if classes != self.class_list.classes():
            self.class_list.set_classes(classes)
