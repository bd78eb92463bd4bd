"""The project image on the canvas: its raw layers (when the client added them), the Labels layer
tied to the server's labels, and the guard that keeps the brush on the project's classes.

napari's brush can take any label value (the layer controls' spin box, or keys), but only
``1..C`` are classes: choosing a larger value is turned back to the last class and reported, and
anything painted with such a value is taken out again by :class:`~.painting.LabelLink`. No Qt here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .jobs import JobQueue
from .layers import label_colormap, show_image
from .loop import MainLoop
from .painting import LabelLink


#: napari key -> what it does on the server
UNDO_KEYS = {"Control-Z": "undo", "Control-Shift-Z": "redo", "Control-Y": "redo"}


class ShownImage:
    """One project image shown in ``viewer``.

    :param pixels: the image read from the server, or ``None`` when ``source`` (a layer the user
        uploaded it from) still shows it.
    :param labels: the image's labels as the server has them.
    :param classes: the project's classes (``[{"name", "color", "index"}]``).
    :param on_note: called with a message for the person (a value that is not a class).
    :param on_undo: called for napari's undo keys (Ctrl+Z), ``on_redo`` for redo (Ctrl+Shift+Z,
        Ctrl+Y): they go to the server, whose answer comes back as label events.
    :param link_options: passed to :class:`LabelLink` (``project``, ``online``, ``on_sent``, ``on_error``).
    """

    def __init__(
        self,
        viewer: Any,
        name: str,
        pixels: np.ndarray | None,
        labels: np.ndarray,
        source: Any,
        classes: Sequence[dict[str, Any]],
        jobs: JobQueue,
        loop: MainLoop,
        *,
        on_note: Callable[[str], None],
        on_undo: Callable[[], None] = lambda: None,
        on_redo: Callable[[], None] = lambda: None,
        **link_options: Any,
    ) -> None:
        self.viewer = viewer
        self.name = name
        self.classes = list(classes)
        self._on_note = on_note
        self.added_layers = show_image(viewer, name, pixels) if pixels is not None else []
        reference = self.added_layers[0] if self.added_layers else source
        self.reference = reference
        self.layer = viewer.add_labels(
            np.array(labels, copy=True), name=f"{name} labels", scale=reference.scale[-labels.ndim :],
            translate=reference.translate[-labels.ndim :],
        )  # fmt: skip
        self.layer.colormap = label_colormap(self.classes)
        self.layer.brush_size = 5
        self.layer.mode = "paint"
        self.layer.selected_label = 1
        self.layer.events.selected_label.connect(self._on_selected_label)
        self.link = LabelLink(
            self.layer, name, labels, jobs, loop, n_classes=lambda: len(self.classes),
            on_not_a_class=self._painted_not_a_class, **link_options,
        )  # fmt: skip
        # the layer's own undo history would step through this window's strokes only, and behind the
        # server's back: the keys undo and redo this client's edits on the server instead
        for key, action in UNDO_KEYS.items():
            self.layer.bind_key(key, (lambda layer, act=action: (on_undo if act == "undo" else on_redo)()), overwrite=True)
        viewer.layers.selection.active = self.layer

    @property
    def ndim(self) -> int:
        return int(self.layer.data.ndim)

    def set_classes(self, classes: Sequence[dict[str, Any]]) -> None:
        """The project's classes changed: recolour, and keep the brush on a class."""
        self.classes = list(classes)
        self.layer.colormap = label_colormap(self.classes)
        self._on_selected_label()

    def select_class(self, index: int) -> None:
        """Let the brush paint class ``index`` (1..C)."""
        if 1 <= index <= len(self.classes):
            self.layer.selected_label = index

    def _on_selected_label(self, event: Any = None) -> None:
        value = int(self.layer.selected_label)
        if value > len(self.classes):
            last = len(self.classes)
            self.layer.selected_label = max(last, 1) if last else 0
            self._on_note(
                f"Label {value} is not a class of this project ({self._class_text()}); the brush paints "
                f"class {last or 'none'} instead. Add a class with Classes > Add first."
            )

    def _painted_not_a_class(self, values: list[int]) -> None:
        self._on_note(
            f"Removed label {', '.join(map(str, values))} from {self.name}: not a class of this project "
            f"({self._class_text()}). Pick a class in the Classes list, or add one with Add."
        )

    def _class_text(self) -> str:
        if not self.classes:
            return "it has no classes yet"
        return f"classes 1-{len(self.classes)}: " + ", ".join(c["name"] for c in self.classes)

    def remove(self) -> None:
        """Take this image's layers the client added off the canvas (not layers the user added)."""
        self.link.detach()
        self.layer.events.selected_label.disconnect(self._on_selected_label)
        for layer in [self.layer, *self.added_layers]:
            if layer in self.viewer.layers:
                self.viewer.layers.remove(layer)
