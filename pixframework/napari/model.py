"""What the napari client knows and does, without Qt: the server link, the project, the shown image.

:class:`SessionModel` is the one object the Qt views talk to (the ``napari-animation`` shape: a
model that fires events, views that only compose widgets). Every action runs its client calls on
one worker (:class:`~.jobs.JobQueue`), in order, and applies the answer on the main thread. The
model's state is always what the server answered: after every change the changed part is read
back, also when the server refused it, so a view never shows a choice the server did not take.

A lost server puts the model offline; a :class:`~.connection.Reconnector` retries until it answers,
and labels painted meanwhile are sent then. Every message goes to :attr:`SessionModel.messages`.

The open project's events are followed (:class:`~.follow.SharedView`): other clients' changes
show up here, and undo/redo (napari's keys) go to the server. Nobody presses Refresh.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from psygnal import Signal

from ..errors import PixfError
from .connection import Connection, is_connection_lost
from .follow import SharedView
from .jobs import JobQueue
from .layers import PREFIX, layer_axes
from .live import LiveUpdate
from .loop import MainLoop
from .messages import MessageLog
from .server_link import ServerLink
from .shown_image import ShownImage
from .state import ProjectState, read_state, train_text

DEFAULT_CLASSES = ("Label 1", "Label 2")


class SessionModel:
    """The napari client's state and actions (see the module docstring).

    :param viewer: a napari ``Viewer`` or ``ViewerModel``.
    :param loop: the main loop (Qt's in the widget, :class:`~.loop.ManualLoop` without Qt).
    """

    #: a new :class:`ProjectState` (any part of it)
    state_changed = Signal(object)
    #: another image is shown (or none)
    image_changed = Signal()
    #: training progress, 0..1
    progress = Signal(float)
    #: whether there are changes not saved yet
    unsaved_changed = Signal(bool)

    def __init__(self, viewer: Any, loop: MainLoop) -> None:
        self.viewer = viewer
        self.loop = loop
        self.jobs = JobQueue(loop)
        self.messages = MessageLog()
        #: the server in use (connect, local server, reconnect, its plugins)
        self.server = ServerLink(self.jobs, loop, self.messages, on_error=self._on_error,
                                 fetch_after_reconnect=self._labels_to_resync, on_reconnected=self._on_reconnected)  # fmt: skip
        self.server.switched.connect(self._on_server_switched)
        self.state: ProjectState | None = None
        self.shown: ShownImage | None = None
        self.unsaved = False
        self._source_layers: dict[str, Any] = {}  # project image -> napari layer it was uploaded from
        self.live = LiveUpdate(viewer, self.jobs, loop, context=self._live_context,
                               on_result=self._on_live_result, on_error=self._on_error)  # fmt: skip
        #: follows the project's events: what other clients do shows here
        self.shared = SharedView(self)

    # ------------------------------------------------------------------ reading
    @property
    def connection(self) -> Connection | None:
        return self.server.connection

    @property
    def connected(self) -> bool:
        """Whether the server is believed to answer."""
        return self.server.connected

    @property
    def project(self) -> Any:
        """The :class:`~pixframework.client.RemoteProject` in use, or ``None``."""
        return self.connection.project if self.connection is not None else None

    @property
    def image(self) -> str | None:
        """The name of the project image shown, or ``None``."""
        return self.shown.name if self.shown is not None else None

    @property
    def classes(self) -> list[dict[str, Any]]:
        return list(self.state.classes) if self.state is not None else []

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None, *, key: str | None = None) -> None:
        """Run ``fn`` on the worker; ``on_done(result)`` on the main thread, errors to :meth:`_on_error`."""
        self.jobs.submit(fn, on_done, self._on_error, key=key)

    def _on_error(self, exc: BaseException) -> None:
        if is_connection_lost(exc) and self.project is not None:
            self.server.lost()
        else:
            self.messages.error(exc)

    def _mark_unsaved(self, unsaved: bool = True) -> None:
        if unsaved != self.unsaved:
            self.unsaved = unsaved
            self.unsaved_changed.emit(unsaved)

    def _set_state(self, state: ProjectState) -> None:
        self.state = state
        if self.shown is not None:
            self.shown.set_classes(state.classes)
        self.state_changed.emit(state)

    def connect_remote(self, address: str, token: str | None = None, tls: Any = False) -> None:
        """Connect to a ``pixf serve`` server (see :meth:`ServerLink.connect_remote`)."""
        self.server.connect_remote(address, token, tls)

    def start_embedded(self, data_root: str | None = None) -> None:
        """Start a local server (see :meth:`ServerLink.start_embedded`)."""
        self.server.start_embedded(data_root)

    @property
    def follower(self) -> Any:
        """The :class:`~.follow.ProjectFollower` of the open project, or ``None``."""
        return self.shared.follower

    def _on_server_switched(self) -> None:
        self.shared.stop()
        self._forget_image()
        self.state = None
        self._mark_unsaved(False)

    def _labels_to_resync(self, project: Any) -> Any:  # on the worker, once the server is back
        shown = self.shown
        return (shown, project.get_labels(shown.name)) if shown is not None and project is not None else None

    def _on_reconnected(self, fetched: Any) -> None:
        if fetched is not None and fetched[0] is self.shown:
            self.shown.link.resync(fetched[1])  # the server's labels, plus what was painted while away
        self.shared.session_replaced()
        self.live.changed()

    # ------------------------------------------------------------------ projects
    def open_project(self, path: str, *, create: bool = False) -> None:
        """Create (with two classes, saved at once) or open a project on the server (path relative
        to its data root)."""
        path, connection = path.strip(), self.connection
        self.messages.user_action()
        if connection is None:
            self.messages.error("Connect to a server first (Connect, or Start local server).")
            return

        def work() -> ProjectState:
            if create:
                project = connection.create_project(path)
                for name in DEFAULT_CLASSES:
                    project.add_class(name)
                project.save()
            else:
                project = connection.open_project(path)
            return read_state(project)

        self.messages.info(f"{'Creating' if create else 'Opening'} {path} ...")
        self.run(work, self._on_project)

    def _on_project(self, state: ProjectState) -> None:
        self._forget_image()
        self._mark_unsaved(False)
        self._set_state(state)
        self.shared.follow()
        self.messages.info(f"Project {self.connection.where()}.")
        if state.images:
            self.show_image(state.images[0])

    def refresh(self) -> None:
        """Send local label edits the server has not seen (e.g. napari's undo), then fetch the
        project's state and the shown image's labels (e.g. changed in another window)."""
        project, shown = self.project, self.shown
        if project is None:
            return
        self.messages.user_action()
        if shown is not None:
            shown.link.push_local()

        def work() -> tuple[ProjectState, np.ndarray | None]:
            return read_state(project), project.get_labels(shown.name) if shown is not None else None

        def done(result: tuple[ProjectState, np.ndarray | None]) -> None:
            state, labels = result
            self._set_state(state)
            if shown is not None and self.shown is shown:
                shown.link.pull(labels)
            self.messages.info("Refreshed the project" + (f" and the labels of {shown.name}" if shown else "") + " from the server.")
            self.live.changed()

        self.run(work, done)

    def save(self) -> None:
        """Save the project on the server (atomic)."""
        project, connection = self.project, self.connection
        if project is not None:
            self.messages.user_action()

            def done(_: Any) -> None:
                self._mark_unsaved(False)
                self.messages.info(f"Saved {connection.where()}.")

            self.run(project.save, done)

    # ------------------------------------------------------------------ images
    def add_layer(self, layer: Any) -> None:
        """Upload a napari Image layer's pixels into the project (``add_image(array)``) and show it."""
        project, axes = self.project, layer_axes(layer)
        self.messages.user_action()
        if project is None or not axes:
            self.messages.error("Open a project first." if project is None else f"Layer {layer.name!r} is not 2D/3D grey or RGB.")
            return
        pixels, name = np.asarray(layer.data), layer.name

        def work() -> tuple[str, ProjectState]:
            return project.add_image(pixels, axes=axes, name=name), read_state(project)

        self.messages.info(f"Uploading {name} ({pixels.nbytes / 2**20:.1f} MiB) ...")
        self.run(work, lambda result: self._on_image_added(*result, layer))

    def add_server_path(self, path: str) -> None:
        """Add an image file on the server (path relative to its data root) by reference."""
        project, path = self.project, path.strip()
        if project is None or not path:
            return
        self.messages.user_action()
        self.messages.info(f"Adding {path} ...")
        self.run(lambda: (project.add_image(path), read_state(project)), lambda result: self._on_image_added(*result, None))

    def _on_image_added(self, name: str, state: ProjectState, layer: Any) -> None:
        if layer is not None:
            self._source_layers[name] = layer
        self._mark_unsaved()
        self._set_state(state)
        self.show_image(name)

    def layer_choices(self) -> list[str]:
        """Names of the viewer's Image layers that could be uploaded (not the client's own)."""
        from napari.layers import Image

        return [x.name for x in self.viewer.layers if isinstance(x, Image) and not x.name.startswith(PREFIX)]

    def show_image(self, name: str) -> None:
        """Show a project image with its labels (pixels read from the server unless uploaded from a layer)."""
        project = self.project
        if project is None or not name:
            return
        source = self._source_layers.get(name)
        need_pixels = source is None or source not in self.viewer.layers

        def work() -> tuple[dict[str, Any], np.ndarray | None, np.ndarray]:
            pixels = project.read_image(name) if need_pixels else None
            return project.image_info(name), pixels, project.get_labels(name)

        self.run(work, lambda result: self._on_image_loaded(name, source, *result))

    def _on_image_loaded(self, name: str, source: Any, info: dict[str, Any], pixels: np.ndarray | None, labels: np.ndarray) -> None:
        self._forget_image()
        self.shown = ShownImage(
            self.viewer, name, pixels, labels, source, self.classes, self.jobs, self.loop,
            project=lambda: self.project, online=lambda: self.connected, on_sent=self._on_labels_sent,
            on_error=self._on_error, on_note=self.messages.warning, on_undo=self.undo, on_redo=self.redo,
        )  # fmt: skip
        if pixels is not None:
            self._source_layers[name] = self.shown.reference
        self.messages.info(f"Showing {name} {info['shape'][:-1]} ({info['axes']}); paint with the class selected in Classes.")
        self.image_changed.emit()
        self.live.changed()

    def _on_labels_sent(self) -> None:
        self._mark_unsaved()
        self.live.changed()

    def _forget_image(self) -> None:
        self.live.forget()
        if self.shown is not None:
            self.shown.remove()
            self.shown = None
            self.image_changed.emit()

    # ------------------------------------------------------------------ undo and redo (through the server)
    def undo(self) -> None:
        """Undo this client's latest label edit on the server (never another client's)."""
        self.shared.step("undo")

    def redo(self) -> None:
        """Redo this client's latest undone label edit on the server."""
        self.shared.step("redo")

    # ------------------------------------------------------------------ classes
    def select_class(self, index: int) -> None:
        """Let the brush paint class ``index`` (1..C)."""
        if self.shown is not None:
            self.shown.select_class(index)

    def change(self, change: Callable[[Any], Any], *, moves_labels: bool = False) -> None:
        """Run a change of the project (``change(project)``), then read the project back (and the shown
        image's labels when ``moves_labels``: class indices moved), so views show what the server has,
        also after a refusal (e.g. of an empty feature selection)."""
        project, shown = self.project, self.shown
        if project is None:
            return
        self.messages.user_action()

        def work() -> tuple[ProjectState, np.ndarray | None, PixfError | None]:
            refused = None
            try:
                change(project)
            except PixfError as exc:
                if is_connection_lost(exc):
                    raise
                refused = exc
            labels = project.get_labels(shown.name) if moves_labels and shown is not None else None
            return read_state(project), labels, refused

        def done(result: tuple[ProjectState, np.ndarray | None, PixfError | None]) -> None:
            state, labels, refused = result
            if refused is not None:
                self.messages.error(refused)
            else:
                self._mark_unsaved()
            self._set_state(state)
            if labels is not None and self.shown is shown:
                shown.link.pull(labels)
            self.live.changed()

        self.run(work, done)

    def add_class(self, name: str) -> None:
        self.change(lambda p: p.add_class(name))

    def rename_class(self, index: int, name: str) -> None:
        self.change(lambda p: p.rename_class(index, name))

    def set_class_color(self, index: int, color: str) -> None:
        self.change(lambda p: p.set_class_color(index, color))

    def remove_class(self, index: int) -> None:
        """Remove class ``index`` and its labels on every image (classes after it move down)."""
        self.change(lambda p: p.remove_class(index), moves_labels=True)

    # ------------------------------------------------------------------ features, classifier, training
    def select_features(self, entries: Sequence[tuple[Any, ...]], *, in_2d: bool = False) -> None:
        """Choose the features: ``(filter, sigma[, params])``, each computed per z-plane when ``in_2d``."""
        selection = [(e[0], float(e[1]), bool(in_2d), *(e[2:3] or ({},))) for e in entries]
        self.change(lambda p: p.select_features(selection))

    def set_classifier(self, name: str) -> None:
        self.change(lambda p: p.set_classifier(name))

    def train(self) -> None:
        """Train on the labels of all images (:attr:`progress` reports 0..1)."""
        project = self.project
        if project is None:
            return
        version = self.live.version
        self.messages.user_action()
        self.messages.info("Training ...")
        self.progress.emit(0.0)

        def report(fraction: float, message: str) -> None:
            self.jobs.post(self.progress.emit, float(fraction))

        def done(summary: dict[str, Any]) -> None:
            self.live.note_trained(version)
            self.progress.emit(1.0)
            self._mark_unsaved()
            if self.state is not None:
                self.state = replace(self.state, trained=True)
            self.messages.info(f"Trained: {train_text(summary)}")
            self.live.schedule()

        self.run(lambda: project.train(progress=report), done, key="train")

    def set_live(self, on: bool) -> None:
        self.live.set_enabled(on)

    def _live_context(self) -> tuple[Any, str, Any] | None:
        project, shown = self.project, self.shown
        if not self.connected or project is None or shown is None:
            return None
        return project, shown.name, shown.layer

    def _on_live_result(self, result: dict[str, Any]) -> None:
        if self.shown is not None:
            self.shown.layer.refresh()
        if result["summary"] is not None:
            self._mark_unsaved()
            region = " x ".join(f"{s.start}:{s.stop}" for s in result["region"])
            self.messages.info(f"Live: retrained ({train_text(result['summary'])}); showing {region}.")

    # ------------------------------------------------------------------ export and shutdown
    def export(self, output: str, path: str) -> None:
        """Predict the whole shown image on the server and write it to ``path`` (on the server)."""
        project, image = self.project, self.image
        if project is None or image is None:
            return
        path = path.strip()
        self.messages.user_action()
        self.messages.info(f"Exporting {output} of {image} ...")
        self.run(lambda: project.export(image, path, output=output), lambda written: self.messages.info(f"Exported {written}"))

    def shutdown(self, *, save: bool = True) -> None:
        """Stop everything: the worker, the connection (stopping a local server), saving the project
        unless ``save=False``. Later calls do nothing."""
        if self.jobs.closed:
            return
        self.shared.stop()
        self.live.close()
        if self.shown is not None:
            self.shown.link.detach()
        self.jobs.close()
        self.server.close(save=save)
