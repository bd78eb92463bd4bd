"""The dock widget: ilastik's pixel classification workflow in napari, as a thin client of a server.

Every action is a call of the public client API (:mod:`pixframework.client`) run on a background
worker (:class:`~pixframework.napari.jobs.JobQueue`); the Qt thread only builds requests and shows
answers. The embedded mode starts a real server on 127.0.0.1 in this process and talks to it the
same way, so there is one code path into the core.

Painting goes through :class:`~pixframework.napari.painting.LabelLink` (paint events -> ``set_labels``
/ ``erase``); *Live update* is :class:`~pixframework.napari.live.LiveUpdate` (retrain when needed,
predict the visible region). A lost server shows a message and is retried every second.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from qtpy.QtCore import Qt, QTimer
from qtpy.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from .class_list import ClassList
from .connection import Connection, describe_error, is_connection_lost
from .feature_matrix import FeatureMatrix
from .jobs import JobQueue
from .layers import PREFIX, label_colormap, layer_axes, show_image
from .live import LiveUpdate
from .painting import LabelLink

#: milliseconds between reconnection attempts after the server went away
RECONNECT_INTERVAL_MS = 1000
DEFAULT_CLASSES = ("Label 1", "Label 2")
OUTPUTS = ("probabilities", "segmentation", "uncertainty")


class PixelClassifierWidget(QWidget):
    """Dock widget for napari: connect, project, images, classes, features, classifier, train, live, export.

    :param napari_viewer: the viewer the widget is docked in (npe2 passes it by this name); a
        ``napari.components.ViewerModel`` works too (no canvas needed).
    """

    #: seconds to wait for a server to answer when connecting
    connect_timeout = 5.0

    def __init__(self, napari_viewer: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.viewer = napari_viewer
        self.jobs = JobQueue()
        self._resources = _Resources(self.jobs)
        # napari deletes dock widgets without closeEvent: save and stop on deletion or quit too
        self.destroyed.connect(lambda *_: self._resources.close())
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(lambda: self._resources.close())
        self.connected = False
        self.image: str | None = None  # the project image shown
        self.link: LabelLink | None = None  # its labels layer and the server's labels
        self.image_layers: list[Any] = []  # raw image layers the widget added
        self.classes: list[dict[str, Any]] = []
        self._source_layers: dict[str, Any] = {}  # project image -> napari layer it was uploaded from
        self.live = LiveUpdate(
            napari_viewer,
            self.jobs,
            context=self._live_context,
            on_result=self._on_live_result,
            on_error=self._on_error,
        )
        self._reconnect_timer = QTimer(self)
        self._reconnect_timer.setInterval(RECONNECT_INTERVAL_MS)
        self._reconnect_timer.timeout.connect(self._try_reconnect)
        self._reconnecting = False
        self._build()
        napari_viewer.layers.events.inserted.connect(self._refresh_layer_choice)
        napari_viewer.layers.events.removed.connect(self._refresh_layer_choice)
        self._refresh_layer_choice()
        self._set_enabled()

    @property
    def connection(self) -> Connection | None:
        """The server link in use (``None`` before connecting)."""
        return self._resources.connection

    @connection.setter
    def connection(self, value: Connection | None) -> None:
        self._resources.connection = value

    @property
    def labels_layer(self) -> Any:
        """The Labels layer of the shown image, or ``None``."""
        return self.link.layer if self.link is not None else None

    @property
    def last_prediction(self) -> dict[str, Any] | None:
        """The live result shown last: image, region, version, summary, classes and the three outputs."""
        return self.live.last

    # ================================================================== layout
    def _build(self) -> None:
        self.address_edit = QLineEdit("127.0.0.1:50051")
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText("none")
        self.connect_button = QPushButton("Connect")
        self.embedded_root_edit = QLineEdit()
        self.embedded_root_edit.setPlaceholderText("temporary directory")
        self.embedded_button = QPushButton("Start local server")
        self.connect_button.clicked.connect(self.connect_remote)
        self.embedded_button.clicked.connect(self.start_embedded)
        self.embedded_root_edit.setToolTip("Data root of a local server started by this widget")
        server = QFormLayout()
        server.addRow(
            "Address", _row(self.address_edit, QLabel("Token"), self.token_edit, self.connect_button)
        )
        server.addRow("Local root", _row(self.embedded_root_edit, self.embedded_button))

        self.project_edit = QLineEdit("project.pixf")
        self.create_button = QPushButton("Create")
        self.open_button = QPushButton("Open")
        self.create_button.clicked.connect(lambda: self.open_project(create=True))
        self.open_button.clicked.connect(lambda: self.open_project(create=False))
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip(
            "Save the project on the server (it is also saved when the widget closes)"
        )
        self.save_button.clicked.connect(self.save)
        project = QHBoxLayout()
        project.addWidget(self.project_edit, 1)
        for button in (self.create_button, self.open_button, self.save_button):
            project.addWidget(button)

        self.layer_combo = QComboBox()
        self.upload_button = QPushButton("Add layer")
        self.upload_button.clicked.connect(self.add_selected_layer)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("path on the server, e.g. images/cells.tif")
        self.add_path_button = QPushButton("Add file")
        self.add_path_button.clicked.connect(lambda: self.add_server_path(self.path_edit.text()))
        self.image_combo = QComboBox()
        self.image_combo.activated.connect(lambda i: self.show_project_image(self.image_combo.itemText(i)))
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip(
            "Fetch classes and labels from the server (e.g. painted in another window)"
        )
        self.refresh_button.clicked.connect(self.refresh)
        images = QFormLayout()
        images.addRow(_row(self.layer_combo, self.upload_button))
        images.addRow(_row(self.path_edit, self.add_path_button))
        images.addRow("Shown", _row(self.image_combo, self.refresh_button))

        self.class_list = ClassList()
        self.class_list.add_requested.connect(lambda name: self._class_call(lambda p: p.add_class(name)))
        self.class_list.rename_requested.connect(
            lambda i, name: self._class_call(lambda p: p.rename_class(i, name))
        )
        self.class_list.recolor_requested.connect(
            lambda i, color: self._class_call(lambda p: p.set_class_color(i, color))
        )
        self.class_list.remove_requested.connect(
            lambda i: self._class_call(lambda p: p.remove_class(i), labels=True)
        )
        self.class_list.current_changed.connect(self._on_current_class)

        self.feature_matrix = FeatureMatrix()
        self.feature_matrix.selection_changed.connect(self._on_features_changed)
        self.in_2d_check = QCheckBox("Compute in 2D (per z-plane)")
        self.in_2d_check.setToolTip(
            "For 3D images: filter each z-plane in yx (ilastik's 'in 2D'), e.g. for thin stacks"
        )
        self.in_2d_check.clicked.connect(self._on_features_changed)
        self.in_2d_check.setEnabled(False)
        features = QVBoxLayout()
        features.addWidget(self.feature_matrix)
        features.addWidget(self.in_2d_check)

        self.classifier_combo = QComboBox()
        self.classifier_combo.activated.connect(self._on_classifier_chosen)
        self.train_button = QPushButton("Train")
        self.train_button.clicked.connect(self.train)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.live_check = QCheckBox("Live update")
        self.live_check.setToolTip("Retrain after each change and show the prediction of the visible region")
        self.live_check.toggled.connect(self.live.set_enabled)
        training = QFormLayout()
        training.addRow("Classifier", self.classifier_combo)
        training.addRow(_row(self.train_button, self.live_check, self.progress))

        self.output_combo = QComboBox()
        self.output_combo.addItems(OUTPUTS)
        self.export_edit = QLineEdit("{nickname}_{result_type}.tif")
        self.export_edit.setToolTip(
            "Path on the server, relative to its data root; may use {nickname}, {result_type}"
        )
        self.export_button = QPushButton("Export")
        self.export_button.clicked.connect(self.export)
        export = QHBoxLayout()
        export.addWidget(self.output_combo)
        export.addWidget(self.export_edit, 1)
        export.addWidget(self.export_button)

        self.status = QLabel("Not connected. Connect to a server or start a local one.")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        body = QWidget()
        column = QVBoxLayout(body)
        for title, content in (
            ("Server", server),
            ("Project", project),
            ("Images", images),
            ("Classes", self.class_list),
            ("Features (filter x scale, sigma in pixels)", features),
            ("Classifier", training),
            ("Export", export),
        ):
            column.addWidget(_group(title, content))
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.status)
        self.setMinimumWidth(430)

    def _set_enabled(self) -> None:
        has_project = self.connected and self.connection is not None and self.connection.project is not None
        has_image = has_project and self.image is not None
        for w in (self.create_button, self.open_button, self.project_edit):
            w.setEnabled(self.connected)
        for w in (
            self.upload_button,
            self.add_path_button,
            self.save_button,
            self.class_list,
            self.feature_matrix,
            self.classifier_combo,
        ):
            w.setEnabled(has_project)
        for w in (self.refresh_button, self.train_button, self.export_button, self.image_combo):
            w.setEnabled(has_image)

    # ================================================================== status and errors
    def show_status(self, text: str, *, error: bool = False) -> None:
        """Show one line under the widget (errors in red)."""
        self.status.setStyleSheet("color: #e05050;" if error else "")
        self.status.setText(text)

    def _run(
        self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None, *, key: str | None = None
    ) -> None:
        self.jobs.submit(fn, on_done, self._on_error, key=key)

    def _on_error(self, exc: BaseException) -> None:
        self.progress.setValue(0)
        if is_connection_lost(exc) and self.connection is not None:
            self._connection_lost()
            return
        self.show_status(describe_error(exc), error=True)

    def _connection_lost(self) -> None:
        if not self._reconnect_timer.isActive():
            self.connected = False
            self.show_status(
                f"Lost the connection to {self.connection.address}. Retrying every "
                f"{RECONNECT_INTERVAL_MS / 1000:g} s; labels painted meanwhile are sent on reconnect.",
                error=True,
            )
            self._reconnect_timer.start()
            self._set_enabled()

    def _try_reconnect(self) -> None:
        if self._reconnecting or self.connection is None:
            return
        self._reconnecting = True
        connection = self.connection

        image = self.image

        def attempt() -> Any:
            project = connection.reconnect(timeout=0.8)
            labels = project.get_labels(image) if project is not None and image is not None else None
            return project, image, labels

        def failed(exc: BaseException) -> None:
            self._reconnecting = False
            if not is_connection_lost(exc):  # the server answered but refused: say why, keep trying
                self.show_status(f"Reconnecting: {describe_error(exc)}", error=True)

        self.jobs.submit(attempt, self._on_reconnected, failed, key="reconnect")

    def _on_reconnected(self, result: Any) -> None:
        self._reconnecting = False
        self._reconnect_timer.stop()
        self.connected = True
        _, image, labels = result
        if labels is not None and self.link is not None and self.link.image == image:
            self.link.resync(labels)  # the server's labels, plus what was painted while away
        self.show_status(f"Reconnected to {self.connection.describe()}.")
        self._set_enabled()
        self.live.changed()

    # ================================================================== connection and project
    def connect_remote(self, address: str | None = None, token: str | None = None, tls: Any = False) -> None:
        """Connect to a ``pixf serve`` server (default: the address and token fields).

        :param tls: as :func:`pixframework.connect`: ``True`` for system CAs, or a CA certificate path.
        """
        address = address or self.address_edit.text()
        token = token if token is not None else self.token_edit.text().strip() or None
        self.address_edit.setText(address)
        self.show_status(f"Connecting to {address} ...")
        timeout = self.connect_timeout
        self._run(
            lambda: Connection.remote(address, token=token, tls=tls, timeout=timeout), self._on_connected
        )

    def start_embedded(self, data_root: str | None = None) -> None:
        """Start a server in this process on 127.0.0.1 (default data root: the field, else a temporary one)."""
        root = data_root or self.embedded_root_edit.text().strip() or None
        self.show_status("Starting a local server ...")
        self._run(lambda: Connection.embedded(root), self._on_connected)

    def _on_connected(self, connection: Connection) -> None:
        old, self.connection = self.connection, connection
        if old is not None:
            self.jobs.submit(old.close)
        self._reconnect_timer.stop()
        self.connected = True
        self.address_edit.setText(connection.address)
        self.show_status(f"Connected to {connection.describe()}.")
        self._forget_image()
        client = connection.client
        self._run(lambda: (client.list_filters(), client.list_classifiers()), self._on_catalog)
        self._set_enabled()

    def _on_catalog(self, catalog: Any) -> None:
        filters, classifiers = catalog
        self.feature_matrix.set_catalog(filters["filters"], filters["default_scales"])
        self.classifier_combo.clear()
        for c in classifiers:
            self.classifier_combo.addItem(c["title"] or c["name"], c["name"])

    def open_project(self, path: str | None = None, *, create: bool = False) -> None:
        """Create or open a project on the server (path relative to its data root)."""
        path = (path or self.project_edit.text()).strip()
        self.project_edit.setText(path)
        connection = self.connection
        if connection is None:
            self.show_status("Connect to a server first.", error=True)
            return

        def work() -> dict[str, Any]:
            if create:
                project = connection.create_project(path)
                for name in DEFAULT_CLASSES:
                    project.add_class(name)
            else:
                project = connection.open_project(path)
            return _project_state(project)

        self.show_status(f"{'Creating' if create else 'Opening'} {path} ...")
        self._run(work, self._on_project)

    def _on_project(self, state: dict[str, Any]) -> None:
        self._forget_image()
        self._apply_state(state)
        self.show_status(f"Project {self.connection.project_path} on {self.connection.describe()}.")
        if state["images"]:
            self.show_project_image(state["images"][0])
        self._set_enabled()

    def _apply_state(self, state: dict[str, Any]) -> None:
        self.image_combo.clear()
        self.image_combo.addItems(state["images"])
        if self.image in state["images"]:
            self.image_combo.setCurrentText(self.image)
        self._set_classes(state["classes"])
        self.feature_matrix.set_selection(state["features"])
        self.in_2d_check.setChecked(any(e.get("in_2d") for e in state["features"]))
        index = self.classifier_combo.findData(state["classifier"])
        if index >= 0:
            self.classifier_combo.setCurrentIndex(index)

    @property
    def project(self) -> Any:
        """The :class:`~pixframework.client.RemoteProject` in use, or ``None``."""
        return self.connection.project if self.connection is not None else None

    # ================================================================== images
    def _refresh_layer_choice(self, event: Any = None) -> None:
        from napari.layers import Image

        current = self.layer_combo.currentText()
        self.layer_combo.clear()
        names = [
            layer.name
            for layer in self.viewer.layers
            if isinstance(layer, Image) and not layer.name.startswith(PREFIX)
        ]
        self.layer_combo.addItems(names)
        if current in names:
            self.layer_combo.setCurrentText(current)

    def add_layer(self, layer: Any) -> None:
        """Upload a napari Image layer's pixels into the project (``add_image(array)``) and show it."""
        project = self.project
        axes = layer_axes(layer)
        if project is None or not axes:
            self.show_status(
                "Open a project first."
                if project is None
                else f"Layer {layer.name!r} is not 2D/3D grey or RGB.",
                error=True,
            )
            return
        pixels = np.asarray(layer.data)
        name = layer.name

        def work() -> dict[str, Any]:
            added = project.add_image(pixels, axes=axes, name=name)
            return {"name": added, **_project_state(project)}

        self.show_status(f"Uploading {name} ({pixels.nbytes / 2**20:.1f} MiB) ...")
        self._run(work, lambda state: self._on_image_added(state, layer))

    def add_selected_layer(self) -> None:
        name = self.layer_combo.currentText()
        if name in self.viewer.layers:
            self.add_layer(self.viewer.layers[name])

    def add_server_path(self, path: str) -> None:
        """Add an image file on the server (path relative to its data root) by reference."""
        project = self.project
        if project is None or not path.strip():
            return

        def work() -> dict[str, Any]:
            added = project.add_image(path.strip())
            return {"name": added, **_project_state(project)}

        self.show_status(f"Adding {path} ...")
        self._run(work, lambda state: self._on_image_added(state, None))

    def _on_image_added(self, state: dict[str, Any], layer: Any) -> None:
        if layer is not None:
            self._source_layers[state["name"]] = layer
        self._apply_state(state)
        self.show_project_image(state["name"])

    def show_project_image(self, name: str) -> None:
        """Show a project image with its labels (pixels read from the server unless uploaded from a layer)."""
        project = self.project
        if project is None or not name:
            return
        source = self._source_layers.get(name)
        need_pixels = source is None or source not in self.viewer.layers

        def work() -> Any:
            info = project.image_info(name)
            pixels = project.read_image(name) if need_pixels else None
            return info, pixels, project.get_labels(name)

        self._run(work, lambda result: self._on_image_loaded(name, *result))

    def _on_image_loaded(
        self, name: str, info: dict[str, Any], pixels: np.ndarray | None, labels: np.ndarray
    ) -> None:
        self._forget_image()
        self.image = name
        self.image_combo.setCurrentText(name)
        if pixels is not None:
            self.image_layers = show_image(self.viewer, name, pixels)
            self._source_layers[name] = self.image_layers[0]
        reference = self._source_layers[name]
        layer = self.viewer.add_labels(
            np.array(labels, copy=True), name=f"{name} labels", scale=reference.scale[-labels.ndim :],
            translate=reference.translate[-labels.ndim :],
        )  # fmt: skip
        layer.colormap = label_colormap(self.classes)
        layer.brush_size = 5
        layer.mode = "paint"
        layer.selected_label = max(self.class_list.current_index(), 1)
        self.link = LabelLink(
            layer, name, labels, self.jobs, project=lambda: self.project, online=lambda: self.connected,
            on_sent=self.live.changed, on_error=self._on_error,
        )  # fmt: skip
        self.viewer.layers.selection.active = layer
        self.feature_matrix.set_ndim(labels.ndim)
        self.in_2d_check.setEnabled(labels.ndim == 3)
        self.show_status(
            f"Showing {name} {info['shape'][:-1]} ({info['axes']}); paint with the class selected above."
        )
        self._set_enabled()
        self.live.changed()

    def _forget_image(self) -> None:
        """Remove the widget's layers of the shown image (not layers the user added)."""
        self.live.forget()
        if self.link is not None:
            self.link.detach()
        for layer in [self.labels_layer, *self.image_layers]:
            if layer is not None and layer in self.viewer.layers:
                self.viewer.layers.remove(layer)
        self.link, self.image_layers, self.image = None, [], None

    # ================================================================== classes
    def _set_classes(self, classes: list[dict[str, Any]]) -> None:
        self.classes = classes
        self.class_list.set_classes(classes)
        if self.labels_layer is not None:
            self.labels_layer.colormap = label_colormap(classes)

    def _on_current_class(self, index: int) -> None:
        if self.labels_layer is not None and index:
            self.labels_layer.selected_label = index

    def _class_call(self, change: Callable[[Any], Any], *, labels: bool = False) -> None:
        """Run a class change, then show the server's class list (and labels when indices moved)."""
        project, image = self.project, self.image
        if project is None:
            return

        def work() -> Any:
            change(project)
            return project.classes, (project.get_labels(image) if labels and image is not None else None)

        self._run(work, self._on_classes_changed)

    def _on_classes_changed(self, result: Any) -> None:
        classes, labels = result
        self._set_classes(classes)
        if labels is not None and self.link is not None:
            self.link.pull(labels)
        self.live.changed()

    # ================================================================== labels
    def refresh(self) -> None:
        """Send local label edits the server has not seen (e.g. undone strokes), then fetch the
        project's state (images, classes, features, classifier) and the shown image's labels from the
        server (e.g. changed in another window)."""
        project, image, link = self.project, self.image, self.link
        if project is None or image is None or link is None:
            return
        link.push_local()

        def work() -> Any:
            return _project_state(project), project.get_labels(image)

        def done(result: Any) -> None:
            state, labels = result
            self._apply_state(state)
            if self.link is link:
                link.pull(labels)
            self.show_status(f"Refreshed the project and the labels of {image} from the server.")
            self.live.changed()

        self._run(work, done)

    # ================================================================== features and classifier
    def select_features(self, entries: list[tuple[str, float]], *, in_2d: bool | None = None) -> None:
        """Tick exactly ``entries`` (``(filter, sigma)``) in the matrix and send the selection.

        :param in_2d: also set "compute in 2D" (3D images only); ``None`` keeps the checkbox as it is.
        """
        self.feature_matrix.set_selection(entries)
        if in_2d is not None:
            self.in_2d_check.setChecked(in_2d)
        self._on_features_changed()

    def _on_features_changed(self) -> None:
        in_2d = self.in_2d_check.isEnabled() and self.in_2d_check.isChecked()
        project = self.project
        try:
            selection = [(name, scale, in_2d, params) for name, scale, params in self.feature_matrix.entries()]
        except ValueError as exc:  # a parameter cell that does not parse
            self.show_status(str(exc), error=True)
            return
        if project is None:
            return
        self._run(lambda: project.select_features(selection), lambda _: self.live.changed())

    def _on_classifier_chosen(self, index: int) -> None:
        project, name = self.project, self.classifier_combo.itemData(index)
        if project is None or not name:
            return
        self._run(lambda: project.set_classifier(name), lambda _: self.live.changed())

    # ================================================================== training and live update
    def train(self) -> None:
        """Train on the labels of all images (progress shown in the bar)."""
        project = self.project
        if project is None:
            return
        version = self.live.version
        self.progress.setValue(0)
        self.show_status("Training ...")

        def report(fraction: float, message: str) -> None:
            self.jobs.post(lambda _: self.progress.setValue(round(fraction * 100)), None)

        def work() -> dict[str, Any]:
            return project.train(progress=report)

        def done(summary: dict[str, Any]) -> None:
            self.live.note_trained(version)
            self.progress.setValue(100)
            self.show_status(f"Trained: {_train_text(summary)}")
            self.live.schedule()

        self._run(work, done, key="train")

    def _live_context(self) -> tuple[Any, str, Any] | None:
        project, image, layer = self.project, self.image, self.labels_layer
        if not self.connected or project is None or image is None or layer is None:
            return None
        return project, image, layer

    def _on_live_result(self, result: dict[str, Any]) -> None:
        self.labels_layer.refresh()
        if result["summary"] is not None:
            self.show_status(
                f"Live: retrained ({_train_text(result['summary'])}); showing {_region_text(result['region'])}."
            )

    # ================================================================== saving and export
    def save(self) -> None:
        """Save the project on the server (atomic)."""
        project = self.project
        if project is not None:
            self._run(project.save, lambda _: self.show_status(f"Saved {self.connection.project_path}."))

    def export(self) -> None:
        """Predict the whole shown image on the server and write it to the export path (on the server)."""
        project, image = self.project, self.image
        if project is None or image is None:
            return
        output, path = self.output_combo.currentText(), self.export_edit.text().strip()
        self.show_status(f"Exporting {output} of {image} ...")
        self._run(
            lambda: project.export(image, path, output=output),
            lambda written: self.show_status(f"Exported {written}"),
        )

    # ================================================================== shutdown
    def shutdown(self) -> None:
        """Stop the worker and close the connection (stopping the embedded server, saving the project)."""
        self._reconnect_timer.stop()
        self.live.stop()
        if self.link is not None:
            self.link.detach()
        self._resources.close()
        self.connected = False

    def closeEvent(self, event: Any) -> None:
        self.shutdown()
        super().closeEvent(event)


class _Resources:
    """What must be released when the widget goes: the worker and the connection (with the embedded
    server). Kept outside the QWidget so it can run after Qt deleted the widget."""

    def __init__(self, jobs: JobQueue) -> None:
        self.jobs = jobs
        self.connection: Connection | None = None

    def close(self) -> None:
        self.jobs.close()
        connection, self.connection = self.connection, None
        if connection is not None:
            connection.close()


def _row(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w, 1 if isinstance(w, (QLineEdit, QComboBox)) else 0)
    return holder


def _group(title: str, content: QLayout | QWidget) -> QGroupBox:
    box = QGroupBox(title)
    if isinstance(content, QWidget):
        layout = QVBoxLayout()
        layout.addWidget(content)
        content = layout
    box.setLayout(content)
    return box


def _project_state(project: Any) -> dict[str, Any]:
    """What the widget shows of a project, read in one go on the worker thread."""
    summary = project.summary()
    return {
        "images": [image["name"] for image in summary["images"]],
        "classes": summary["classes"],
        "features": summary["features"]["entries"],
        "classifier": summary["classifier"]["name"],
        "trained": summary["trained"],
    }


def _train_text(summary: dict[str, Any]) -> str:
    """E.g. ``random_forest on 812 samples (background 400, cell 412), 37 features, 0.21 s``."""
    samples = summary.get("samples", {})
    per_class = ", ".join(f"{name} {n}" for name, n in samples.items())
    return (
        f"{summary.get('classifier', '?')} on {sum(samples.values())} samples ({per_class}), "
        f"{summary.get('features', '?')} features, {summary.get('seconds', 0.0):.2f} s"
    )


def _region_text(region: Any) -> str:
    return " x ".join(f"{s.start}:{s.stop}" for s in region)


__all__ = ["PixelClassifierWidget"]
