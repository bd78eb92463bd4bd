"""The filter x scale checkbox matrix (ilastik's "Selected Features" dialog) as a Qt table.

Rows are the server's filter plugins (in the server's order), columns the scales (Gaussian sigma,
pixels). A cell below a filter's smallest scale is disabled, like ilastik's 0.3 column, which only
Gaussian smoothing offers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from qtpy.QtCore import Qt, Signal
from qtpy.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem


class FeatureMatrix(QTableWidget):
    """Checkboxes for ``(filter, scale)`` pairs; emits :attr:`selection_changed` on a user click."""

    selection_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._filters: list[dict[str, Any]] = []
        self._scales: list[float] = []
        self._updating = False
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setDefaultSectionSize(_COLUMN_WIDTH)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().setMaximumWidth(
            _TITLE_WIDTH
        )  # long plugin titles are cut; the tooltip has them
        self.itemChanged.connect(self._on_item_changed)

    def set_catalog(self, filters: Sequence[dict[str, Any]], scales: Sequence[float]) -> None:
        """Lay out the matrix for ``filters`` (dicts with ``name``, ``title``, ``min_scale``) and ``scales``."""
        self._filters = list(filters)
        self._scales = sorted(float(s) for s in scales)
        self._updating = True
        try:
            self.clear()
            self.setRowCount(len(self._filters))
            self.setColumnCount(len(self._scales))
            self.setHorizontalHeaderLabels([f"{s:g}" for s in self._scales])
            self.setVerticalHeaderLabels([_short_title(f) for f in self._filters])
            for row, spec in enumerate(self._filters):
                title = spec.get("title") or spec["name"]
                self.verticalHeaderItem(row).setToolTip(
                    f"{title} ({spec['name']}). {spec.get('description', '')}".strip()
                )
                for column, scale in enumerate(self._scales):
                    item = QTableWidgetItem()
                    allowed = scale >= float(spec.get("min_scale", 0.0)) - 1e-9
                    flags = Qt.ItemFlag.ItemIsUserCheckable
                    if allowed:
                        flags |= Qt.ItemFlag.ItemIsEnabled
                    item.setFlags(flags)
                    item.setCheckState(Qt.CheckState.Unchecked)
                    item.setToolTip(
                        f"{spec['name']} at sigma {scale:g} px"
                        if allowed
                        else "scale below this filter's minimum"
                    )
                    self.setItem(row, column, item)
        finally:
            self._updating = False
        # tall enough to show every filter without scrolling
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setMinimumHeight(rows + self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth() + 2)

    def set_ndim(self, ndim: int) -> None:
        """Disable the rows of filters that do not support ``ndim`` spatial dimensions (the server's
        selection is left as it is: it reports an unsupported entry when it is used)."""
        self._updating = True
        try:
            for row, spec in enumerate(self._filters):
                supported = ndim in spec.get("dims", (2, 3))
                for column, scale in enumerate(self._scales):
                    item = self.item(row, column)
                    allowed = supported and scale >= float(spec.get("min_scale", 0.0)) - 1e-9
                    flags = Qt.ItemFlag.ItemIsUserCheckable | (
                        Qt.ItemFlag.ItemIsEnabled if allowed else Qt.ItemFlag.NoItemFlags
                    )
                    item.setFlags(flags)
                    if not supported:
                        item.setToolTip(f"{spec['name']} does not support {ndim}D images")
        finally:
            self._updating = False

    def set_selection(self, entries: Iterable[tuple[str, float]]) -> None:
        """Tick exactly the given ``(filter, scale)`` pairs (others are cleared; unknown ones ignored)."""
        wanted = {(name, round(float(scale), 6)) for name, scale in entries}
        self._updating = True
        try:
            for row, spec in enumerate(self._filters):
                for column, scale in enumerate(self._scales):
                    on = (spec["name"], round(scale, 6)) in wanted
                    self.item(row, column).setCheckState(
                        Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
                    )
        finally:
            self._updating = False

    def selection(self) -> list[tuple[str, float]]:
        """Ticked ``(filter, scale)`` pairs, row by row, scales ascending."""
        return [
            (spec["name"], scale)
            for row, spec in enumerate(self._filters)
            for column, scale in enumerate(self._scales)
            if self.item(row, column).checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, name: str, scale: float, checked: bool = True) -> None:
        """Tick or clear one cell as a user click would (emits :attr:`selection_changed`)."""
        row = next(i for i, spec in enumerate(self._filters) if spec["name"] == name)
        column = next(i for i, s in enumerate(self._scales) if abs(s - float(scale)) < 1e-9)
        self.item(row, column).setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if not self._updating:
            self.selection_changed.emit()


#: words shortened in row titles so the matrix fits a dock (the tooltip has the full name)
_ABBREVIATIONS = {
    "Gaussian": "Gauss.", "Gaussians": "Gauss.", "Eigenvalues": "EV", "Difference": "Diff.", "Magnitude": "Magn.",
    "Laplacian": "Lapl.", "Structure": "Struct.", "Gradient": "Grad.",
}  # fmt: skip
_SHORT = 18
#: width of a scale column (pixels)
_COLUMN_WIDTH = 30
#: widest row title (pixels)
_TITLE_WIDTH = 170


def _short_title(spec: dict[str, Any]) -> str:
    title = spec.get("title") or spec["name"]
    if len(title) <= _SHORT:
        return title
    return " ".join(_ABBREVIATIONS.get(word, word) for word in title.split())
