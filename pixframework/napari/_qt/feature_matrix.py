"""The filter x scale checkbox matrix (ilastik's "Selected Features" dialog) as a Qt table.

Rows are the server's filter plugins (in the server's order), columns the scales (Gaussian sigma,
pixels). A cell below a filter's smallest scale is disabled, like ilastik's 0.3 column, which only
Gaussian smoothing offers. A last column shows the parameters of filters that declare some (e.g.
``frequency=0.5`` for the texture plugin's Gabor energy); double-click to edit them as
``name=value, ...``. They apply to every ticked scale of that row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from qtpy.QtCore import Qt, Signal
from qtpy.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

Entry = tuple[str, float, dict[str, Any]]


class FeatureMatrix(QTableWidget):
    """Checkboxes for ``(filter, scale)`` pairs; emits :attr:`selection_changed` on a user click."""

    selection_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._filters: list[dict[str, Any]] = []
        self._scales: list[float] = []
        self._updating = False
        # only parameter cells carry ItemIsEditable; scale cells are checkboxes
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setDefaultSectionSize(_COLUMN_WIDTH)
        self.horizontalHeader().setStretchLastSection(True)  # the parameter column takes the width left
        self.setTextElideMode(Qt.TextElideMode.ElideLeft)  # a narrow parameter cell still shows its values
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
            self.setColumnCount(len(self._scales) + 1)
            self.setHorizontalHeaderLabels([f"{s:g}" for s in self._scales] + ["params"])
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
                self.setItem(row, len(self._scales), _parameter_item(spec))
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

    def set_selection(self, entries: Iterable[Any]) -> None:
        """Tick exactly the given entries (others are cleared; unknown ones ignored).

        :param entries: ``(filter, scale[, in_2d[, params]])`` tuples or JSON entries
            (``{"filter", "scale", "params"}``); a row shows the parameters of its first entry.
        """
        wanted: set[tuple[str, float]] = set()
        shown: dict[str, dict[str, Any]] = {}
        for entry in entries:
            if isinstance(entry, dict):
                name, scale, params = entry["filter"], entry["scale"], entry.get("params") or {}
            else:
                name, scale, params = entry[0], entry[1], (entry[3] if len(entry) > 3 else {})
            wanted.add((name, round(float(scale), 6)))
            shown.setdefault(name, dict(params))
        self._updating = True
        try:
            for row, spec in enumerate(self._filters):
                for column, scale in enumerate(self._scales):
                    on = (spec["name"], round(scale, 6)) in wanted
                    self.item(row, column).setCheckState(
                        Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
                    )
                if spec.get("parameters"):
                    values = _defaults(spec) | shown.get(spec["name"], {})
                    self.item(row, len(self._scales)).setText(_format_parameters(values))
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

    def entries(self) -> list[Entry]:
        """Ticked ``(filter, scale, params)``, row by row: ``params`` from the row's parameter cell.

        :raises ValueError: a parameter cell that does not read as ``name=value, ...``.
        """
        params = {spec["name"]: self.parameters(spec["name"]) for spec in self._filters}
        return [(name, scale, params[name]) for name, scale in self.selection()]

    def parameters(self, name: str) -> dict[str, Any]:
        """The values in the parameter cell of filter ``name`` (empty for filters without parameters)."""
        row = next(i for i, spec in enumerate(self._filters) if spec["name"] == name)
        spec = self._filters[row]
        if not spec.get("parameters"):
            return {}
        return _parse_parameters(self.item(row, len(self._scales)).text(), spec)

    def set_parameters(self, name: str, values: dict[str, Any]) -> None:
        """Write ``values`` into the parameter cell of filter ``name`` as an edit would (emits :attr:`selection_changed`)."""
        row = next(i for i, spec in enumerate(self._filters) if spec["name"] == name)
        self.item(row, len(self._scales)).setText(_format_parameters(_defaults(self._filters[row]) | values))

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


def _defaults(spec: dict[str, Any]) -> dict[str, Any]:
    return {p["name"]: p["default"] for p in spec.get("parameters", ())}


def _format_parameters(values: dict[str, Any]) -> str:
    return ", ".join(f"{name}={value:g}" if isinstance(value, float) else f"{name}={value}" for name, value in values.items())


def _parse_parameters(text: str, spec: dict[str, Any]) -> dict[str, Any]:
    """``name=value, ...`` read with the declared types; the server checks names and ranges."""
    types = {p["name"]: p["type"] for p in spec.get("parameters", ())}
    values: dict[str, Any] = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        name, sep, raw = (s.strip() for s in part.partition("="))
        if not sep or not name:
            raise ValueError(f"{spec['name']} parameters: write name=value, got {part!r}")
        kind = types.get(name, "str")
        if kind == "bool":
            values[name] = raw.lower() in ("1", "true", "yes", "on")
        elif kind in ("int", "float"):
            try:
                values[name] = int(raw) if kind == "int" else float(raw)
            except ValueError:
                raise ValueError(f"{spec['name']} parameter {name!r} must be a number, got {raw!r}") from None
        else:
            values[name] = raw
    return values


def _parameter_item(spec: dict[str, Any]) -> QTableWidgetItem:
    """The parameter cell of a row: editable text for filters with parameters, empty otherwise."""
    item = QTableWidgetItem()
    declared = spec.get("parameters") or ()
    if not declared:
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        return item
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsEditable)
    item.setText(_format_parameters(_defaults(spec)))
    lines = []
    for p in declared:
        bounds = "" if p.get("minimum") is None and p.get("maximum") is None else f" [{p.get('minimum')}, {p.get('maximum')}]"
        lines.append(f"{p['name']} ({p['type']}{bounds}, default {p['default']}): {p.get('description', '')}")
    item.setToolTip("Double-click to edit as name=value, ...\n" + "\n".join(lines))
    return item


def _short_title(spec: dict[str, Any]) -> str:
    title = spec.get("title") or spec["name"]
    if len(title) <= _SHORT:
        return title
    return " ".join(_ABBREVIATIONS.get(word, word) for word in title.split())
