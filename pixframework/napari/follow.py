"""Follow the open project's events (``RemoteProject.watch``) and hand each to the main thread.

This is what makes two windows on one server project a shared view: strokes, class changes and
models from other clients arrive as events, and the model applies them without anyone pressing
Refresh. The watcher runs on its own thread (it blocks between events); when the session is
replaced (a reconnect), following resumes from the last revision seen, so nothing is missed.
No Qt here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..errors import PixfError
from .loop import MainLoop
from .state import read_state, train_text


class ProjectFollower:
    """Delivers the events of ``project`` to ``on_event`` on the main thread, from ``after_revision`` on.

    :param on_failed: called on the main thread when the watch could not go on (e.g. the session is gone).
    """

    def __init__(
        self, project: Any, loop: MainLoop, on_event: Callable[[Any], None], on_failed: Callable[[BaseException], None],
        *, after_revision: int | None = None, log: str | None = None,
    ) -> None:  # fmt: skip
        self.project = project
        self.revision = after_revision
        self.log = log
        self._loop, self._on_event, self._on_failed = loop, on_event, on_failed
        self._stopped = threading.Event()
        self._watcher: Any = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pixf-napari-follow", daemon=True)
        self._thread.start()

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Wait until the server registered the watch (changes from then on arrive)."""
        return self._ready.wait(timeout)

    def _run(self) -> None:
        try:
            self._watcher = self.project.watch(self.revision, log=self.log)
            self._ready.set()
            if self._stopped.is_set():
                self._watcher.close()
            for event in self._watcher:
                self.revision, self.log = event.revision, event.log
                self._loop.deliver(self._deliver, event)
        except PixfError as exc:
            if not self._stopped.is_set():
                self._loop.deliver(self._fail, exc)
        finally:
            self._ready.set()

    def _deliver(self, event: Any) -> None:
        if not self._stopped.is_set():
            self._on_event(event)

    def _fail(self, exc: BaseException) -> None:
        if not self._stopped.is_set():
            self._on_failed(exc)

    def stop(self) -> None:
        """Stop following (from the main thread); events still queued are dropped."""
        self._stopped.set()
        if self._watcher is not None:
            self._watcher.close()


class SharedView:
    """What a :class:`~.model.SessionModel` does with the events of its project.

    Other clients' strokes (and this client's undo and redo) appear in the shown labels; a model
    trained by another client updates the live prediction without training here again; class,
    image, feature and classifier changes of others are read back; ``resync`` refreshes.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self.follower: ProjectFollower | None = None

    def follow(self, after_revision: int | None = None, log: str | None = None) -> None:
        """Follow the model's open project (from ``after_revision``, or from now)."""
        self.stop()
        if self.model.project is not None:
            self.follower = ProjectFollower(self.model.project, self.model.loop, self._on_event, self.model._on_error,
                                            after_revision=after_revision, log=log)  # fmt: skip

    def session_replaced(self) -> None:
        """After a reconnect in a new session: go on from the last event seen."""
        old = self.follower
        if old is not None and self.model.project is not None and old.project is not self.model.project:
            self.follow(old.revision, old.log)

    def stop(self) -> None:
        if self.follower is not None:
            self.follower.stop()
            self.follower = None

    def step(self, which: str) -> None:
        """``"undo"`` or ``"redo"`` this client's latest label edit on the server; the change comes back as
        an event (in every window). What was painted and not sent yet goes up first."""
        model = self.model
        project, shown = model.project, model.shown
        if project is None:
            return
        model.messages.user_action()
        if shown is not None:
            shown.link.push_local()  # the queue runs in order: the stroke reaches the server before the undo

        def done(pixels: int) -> None:
            if pixels:
                model._mark_unsaved()
                model.live.changed()
            else:
                model.messages.info(f"Nothing to {which}: you have no {'earlier' if which == 'undo' else 'undone'} label edits on the server.")

        model.run(getattr(project, which), done)

    def _on_event(self, event: Any) -> None:
        model = self.model
        kind, project = event.kind, model.project
        mine = project is not None and event.client == project.client
        if kind == "labels_changed":
            self._on_labels(event)
        elif kind == "training_finished" and not mine:
            # a model trained elsewhere: show its prediction (no need to train again here)
            model.live.note_trained(model.live.version)
            if model.state is not None:
                model.state = replace(model.state, trained=True)
            model.messages.info(f"{event.client} trained a model: {train_text(event['summary'])}")
            model.live.schedule()
        elif kind == "resync":
            model.refresh()
        elif not mine and kind.startswith(("class_", "image_", "features_", "classifier_")) and project is not None:
            model.run(lambda: read_state(project), model._set_state, key="follow-state")

    def _on_labels(self, event: Any) -> None:
        shown = self.model.shown
        if shown is None or event["image"] != shown.name:
            return
        if event["patches_omitted"]:  # too large for an event: read the box
            project, region = self.model.project, event["region"]
            self.model.run(lambda: project.get_labels(shown.name, region=region), lambda labels: shown.link.apply_patch(region, labels))
        for region, patch in event["patches"]:
            shown.link.apply_patch(region, patch)
