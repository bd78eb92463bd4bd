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
from typing import Any

from ..errors import PixfError
from .loop import MainLoop


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
