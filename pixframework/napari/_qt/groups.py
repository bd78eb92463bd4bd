"""The small sections of the dock widget: server, project, images, training, export."""

from __future__ import annotations

from typing import Any

from qtpy.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
)

from ..connection import default_local_root
from ..model import SessionModel
from .group import Group, row

OUTPUTS = ("probabilities", "segmentation", "uncertainty")


class ServerGroup(Group):
    """Connect to a ``pixf serve`` server, or start one in this process."""

    title = "Server"
    needs = "nothing"

    def __init__(self, model: SessionModel) -> None:
        super().__init__(model)
        self.address_edit = QLineEdit("127.0.0.1:50051")
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText("none")
        self.connect_button = QPushButton("Connect")
        self.connect_button.clicked.connect(self.connect_remote)
        self.local_root_edit = QLineEdit()
        self.local_root_edit.setPlaceholderText(str(default_local_root()))
        self.local_root_edit.setToolTip(
            "Folder a local server keeps its projects in (created if missing). Empty: "
            f"{default_local_root()}, which stays when napari closes."
        )
        self.local_button = QPushButton("Start local server")
        self.local_button.clicked.connect(self.start_local)
        form = QFormLayout(self)
        form.addRow("Address", row(self.address_edit, QLabel("Token"), self.token_edit, self.connect_button))
        form.addRow("Local root", row(self.local_root_edit, self.local_button))

    def connect_remote(self) -> None:
        self.model.connect_remote(self.address_edit.text(), self.token_edit.text().strip() or None)

    def start_local(self) -> None:
        self.model.start_embedded(self.local_root_edit.text().strip() or None)

    def update_from_model(self) -> None:
        connection = self.model.connection
        if connection is not None:
            self.address_edit.setText(connection.address)
            if connection.is_embedded:  # say where the local server keeps the projects
                self.local_root_edit.setText(str(connection.data_root))


class ProjectGroup(Group):
    """Create, open and save a project on the server."""

    title = "Project"
    needs = "server"

    def __init__(self, model: SessionModel) -> None:
        super().__init__(model)
        self.project_edit = QLineEdit("project.pixf")
        self.project_edit.setToolTip("Project path, relative to the server's data root (a local server: Local root)")
        self.create_button = QPushButton("Create")
        self.open_button = QPushButton("Open")
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save the project on the server (it is also saved when napari closes)")
        self.create_button.clicked.connect(lambda: model.open_project(self.project_edit.text(), create=True))
        self.open_button.clicked.connect(lambda: model.open_project(self.project_edit.text()))
        self.save_button.clicked.connect(model.save)
        layout = QHBoxLayout(self)
        layout.addWidget(self.project_edit, 1)
        for button in (self.create_button, self.open_button, self.save_button):
            layout.addWidget(button)
        self.follow(model.unsaved_changed, self._on_unsaved)

    def _on_unsaved(self, unsaved: bool) -> None:
        self.save_button.setText("Save*" if unsaved else "Save")

    def update_from_model(self) -> None:
        self.save_button.setEnabled(self.has("project"))
        path = self.model.connection.project_path if self.model.connection is not None else None
        if path:
            self.project_edit.setText(path)


class ImagesGroup(Group):
    """Upload a napari layer or add a file on the server; choose the image to work on."""

    title = "Images"

    def __init__(self, model: SessionModel) -> None:
        super().__init__(model)
        self.layer_combo = QComboBox()
        self.upload_button = QPushButton("Add layer")
        self.upload_button.clicked.connect(self.add_selected_layer)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("path on the server, e.g. images/cells.tif")
        self.add_path_button = QPushButton("Add file")
        self.add_path_button.clicked.connect(lambda: model.add_server_path(self.path_edit.text()))
        self.image_combo = QComboBox()
        self.image_combo.activated.connect(lambda i: model.show_image(self.image_combo.itemText(i)))
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Fetch classes and labels from the server (e.g. painted in another window)")
        self.refresh_button.clicked.connect(model.refresh)
        form = QFormLayout(self)
        form.addRow(row(self.layer_combo, self.upload_button))
        form.addRow(row(self.path_edit, self.add_path_button))
        form.addRow("Shown", row(self.image_combo, self.refresh_button))
        self.follow(model.viewer.layers.events.inserted, self._refresh_layer_choice)
        self.follow(model.viewer.layers.events.removed, self._refresh_layer_choice)
        self._refresh_layer_choice()

    def add_selected_layer(self) -> None:
        name = self.layer_combo.currentText()
        if name in self.model.viewer.layers:
            self.model.add_layer(self.model.viewer.layers[name])

    def _refresh_layer_choice(self, event: Any = None) -> None:
        current = self.layer_combo.currentText()
        names = self.model.layer_choices()
        self.layer_combo.clear()
        self.layer_combo.addItems(names)
        if current in names:
            self.layer_combo.setCurrentText(current)

    def update_from_model(self) -> None:
        state, image = self.model.state, self.model.image
        images = state.images if state is not None else []
        if [self.image_combo.itemText(i) for i in range(self.image_combo.count())] != images:
            self.image_combo.clear()
            self.image_combo.addItems(images)
        if image is not None:
            self.image_combo.setCurrentText(image)
        for w in (self.image_combo, self.refresh_button):
            w.setEnabled(self.has("image"))


class TrainingGroup(Group):
    """Choose the classifier, train, and switch live update on or off."""

    title = "Classifier"

    def __init__(self, model: SessionModel) -> None:
        super().__init__(model)
        self.classifier_combo = QComboBox()
        self.classifier_combo.activated.connect(lambda i: model.set_classifier(self.classifier_combo.itemData(i)))
        self.train_button = QPushButton("Train")
        self.train_button.clicked.connect(model.train)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.live_check = QCheckBox("Live update")
        self.live_check.setToolTip("Retrain after each change and show the prediction of the visible region")
        self.live_check.toggled.connect(model.set_live)
        form = QFormLayout(self)
        form.addRow("Classifier", self.classifier_combo)
        form.addRow(row(self.train_button, self.live_check, self.progress))
        self.follow(model.server.catalog_changed, self._on_catalog)
        self.follow(model.progress, self._on_progress)

    def _on_progress(self, fraction: float) -> None:
        self.progress.setValue(round(fraction * 100))

    def _on_catalog(self, catalog: dict[str, Any]) -> None:
        self.classifier_combo.clear()
        for c in catalog["classifiers"]:
            self.classifier_combo.addItem(c["title"] or c["name"], c["name"])
        self.update_from_model()

    def update_from_model(self) -> None:
        state = self.model.state
        if state is not None:
            index = self.classifier_combo.findData(state.classifier)
            if index >= 0:
                self.classifier_combo.setCurrentIndex(index)
        self.train_button.setEnabled(self.has("image"))


class ExportGroup(Group):
    """Write a prediction of the whole shown image to a file on the server."""

    title = "Export"
    needs = "image"

    def __init__(self, model: SessionModel) -> None:
        super().__init__(model)
        self.output_combo = QComboBox()
        self.output_combo.addItems(OUTPUTS)
        self.export_edit = QLineEdit("{nickname}_{result_type}.tif")
        self.export_edit.setToolTip("Export path on the server, relative to its data root; may use {nickname}, {result_type}")
        self.export_button = QPushButton("Export")
        self.export_button.clicked.connect(lambda: model.export(self.output_combo.currentText(), self.export_edit.text()))
        layout = QHBoxLayout(self)
        layout.addWidget(self.output_combo)
        layout.addWidget(self.export_edit, 1)
        layout.addWidget(self.export_button)
