"""Run server calls off the main thread, in order, and hand results back to the main thread.

One worker thread runs jobs one after another, so a label upload always reaches the server before
the prediction that should see it. A job submitted with a ``key`` replaces a job with the same key
that has not started yet (and moves to the back of the queue): a burst of strokes ends in one
live-prediction request, not one per stroke.

Callbacks (``on_done(result)``, ``on_error(exception)``) run on the main thread (handed over by the
:class:`~pixframework.napari.loop.MainLoop`), so they may touch layers and widgets. No Qt here.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .loop import MainLoop


@dataclass
class _Job:
    fn: Callable[[], Any]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    key: str | None


class JobQueue:
    """A serial background worker with coalescing keys.

    :param loop: hands the callbacks to the main thread.
    """

    def __init__(self, loop: MainLoop, name: str = "pixf-napari") -> None:
        self._main = loop
        self._pending: deque[_Job] = deque()
        self._cond = threading.Condition()
        self._busy = False
        self._closed = False
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        key: str | None = None,
    ) -> None:
        """Queue ``fn``; with ``key``, drop a not-yet-started job of the same key first."""
        with self._cond:
            if self._closed:
                return
            if key is not None:
                self._pending = deque(job for job in self._pending if job.key != key)
            self._pending.append(_Job(fn, on_done, on_error, key))
            self._cond.notify()

    def post(self, callback: Callable[[Any], None], value: Any) -> None:
        """Call ``callback(value)`` on the main thread (for progress reports from inside a job)."""
        self._main.deliver(callback, value)

    def has_pending(self, key: str) -> bool:
        """Whether a job with ``key`` waits to run."""
        with self._cond:
            return any(job.key == key for job in self._pending)

    @property
    def closed(self) -> bool:
        """:meth:`close` was called."""
        return self._closed

    @property
    def idle(self) -> bool:
        """Nothing queued and nothing running."""
        with self._cond:
            return not self._pending and not self._busy

    def close(self, timeout: float = 5.0) -> None:
        """Drop queued jobs, let the running one finish (up to ``timeout`` s), stop the thread."""
        with self._cond:
            self._closed = True
            self._pending.clear()
            self._cond.notify()
        self._thread.join(timeout)

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                job = self._pending.popleft()
                self._busy = True
            try:
                result = job.fn()
            except BaseException as exc:  # noqa: BLE001 (every failure is handed to the widget, which shows it)
                if job.on_error is not None:
                    self._main.deliver(job.on_error, exc)
            else:
                if job.on_done is not None:
                    self._main.deliver(job.on_done, result)
            finally:
                with self._cond:
                    self._busy = False
