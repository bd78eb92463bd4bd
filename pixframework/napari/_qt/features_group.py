"""The Features section: the filter x scale matrix and ilastik's "compute in 2D", showing the
selection the server uses (also after it refused a change, e.g. an empty selection)."""

from __future__ import annotations

from typing import Any

from qtpy.QtWidgets import QCheckBox, QVBoxLayout

from ..model import SessionModel
from .feature_matrix import FeatureMatrix
from .group import Group


class FeaturesGroup(Group):
    """Choose the features the classifier learns from."""

    title = "Features (filter x scale, sigma in pixels)"

    def __init__(self, model: SessionModel) -> None:
        super().__init__(model)
        self.feature_matrix = FeatureMatrix()
        self.feature_matrix.selection_changed.connect(self.send)
        self.in_2d_check = QCheckBox("Compute in 2D (per z-plane)")
        self.in_2d_check.setToolTip("For 3D images: filter each z-plane in yx (ilastik's 'in 2D'), e.g. for thin stacks")
        self.in_2d_check.clicked.connect(self.send)
        self.in_2d_check.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.feature_matrix)
        layout.addWidget(self.in_2d_check)
        self.follow(model.server.catalog_changed, self._on_catalog)

    def send(self, *_: Any) -> None:
        """Send the ticked cells (with their rows' parameters) as the project's selection."""
        in_2d = self.in_2d_check.isEnabled() and self.in_2d_check.isChecked()
        try:
            entries = self.feature_matrix.entries()
        except ValueError as exc:  # a parameter cell that does not parse: the server's values stay
            self.model.messages.user_action()
            self.model.messages.error(f"Features: {exc}")
            self.update_from_model()
            return
        self.model.select_features(entries, in_2d=in_2d)

    def select(self, entries: list[tuple[str, float]], *, in_2d: bool | None = None) -> None:
        """Tick exactly ``entries`` (``(filter, sigma)``) and send them, as clicks would.

        :param in_2d: also set "compute in 2D" (3D images only); ``None`` keeps the checkbox.
        """
        self.feature_matrix.set_selection(entries)
        if in_2d is not None:
            self.in_2d_check.setChecked(in_2d)
        self.send()

    def _on_catalog(self, catalog: dict[str, Any]) -> None:
        self.feature_matrix.set_catalog(catalog["filters"], catalog["default_scales"])
        self.update_from_model()

    def update_from_model(self) -> None:
        state, shown = self.model.state, self.model.shown
        if state is not None:
            self.feature_matrix.set_selection(state.features)
            self.in_2d_check.setChecked(any(e.get("in_2d") for e in state.features))
        if shown is not None:
            self.feature_matrix.set_ndim(shown.ndim)
        self.in_2d_check.setEnabled(shown is not None and shown.ndim == 3)
