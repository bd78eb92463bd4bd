"""The base of the dock widget's sections: a titled box bound to the model.

A section is one :class:`Group` subclass: it sets :attr:`Group.title` and :attr:`Group.needs`,
builds its widgets in ``__init__`` from the model's state, and calls the model's actions. The base
class enables the section when what it needs is there (a server, a project, a shown image) and
calls :meth:`Group.update_from_model` whenever the model's state changed. A section listens to other
events through :meth:`Group.follow`, so they are all let go together when the widget goes. Adding a
section to the widget is writing such a class and listing it in
:data:`pixframework.napari._qt.widget.GROUPS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Literal

from qtpy.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLineEdit, QWidget

from ..model import SessionModel

Needs = Literal["nothing", "server", "project", "image"]


class Group(QGroupBox):
    """One section of the dock widget (see the module docstring)."""

    #: the section's title
    title: ClassVar[str] = ""
    #: what must be there for the section to be enabled
    needs: ClassVar[Needs] = "project"

    def __init__(self, model: SessionModel) -> None:
        super().__init__(self.title)
        self.model = model
        self._followed: list[tuple[Any, Callable[..., None]]] = []
        for signal in (model.server.changed, model.state_changed, model.image_changed):
            self.follow(signal, self._model_changed)

    def follow(self, signal: Any, slot: Callable[..., None]) -> None:
        """Call ``slot`` on ``signal`` (a model signal or a napari event) until :meth:`disconnect_model`."""
        signal.connect(slot)
        self._followed.append((signal, slot))

    def has(self, need: Needs) -> bool:
        """Whether ``need`` is there now."""
        model = self.model
        if need == "nothing":
            return True
        if need == "server":
            return model.connected
        if need == "project":
            return model.connected and model.project is not None
        return model.connected and model.project is not None and model.shown is not None

    def _model_changed(self, *_: Any) -> None:
        self.setEnabled(self.has(self.needs))
        self.update_from_model()

    def update_from_model(self) -> None:
        """Show the model's state (override; called after every change of server, state or image)."""

    def disconnect_model(self) -> None:
        """Stop following the model and the viewer (the widget is going away)."""
        followed, self._followed = self._followed, []
        for signal, slot in followed:
            signal.disconnect(slot)


def row(*widgets: QWidget) -> QWidget:
    """Widgets side by side; text fields and combo boxes take the spare width."""
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w, 1 if isinstance(w, (QLineEdit, QComboBox)) else 0)
    return holder
