"""The project's change log: every committed change as an :class:`Event`, numbered by revision.

The project emits; watchers read. A change (labels painted, a class added, a model trained, ...)
gets the next revision of its project (+1 per change) and is kept in a bounded history, so a watcher
that lost its connection resumes from the last revision it saw and receives exactly what it missed,
or one ``resync`` event when the history no longer reaches back that far (or the project was opened
anew, which starts a new log). Training progress is the one kind that is not a change: it carries
the revision of the latest change, is delivered to watchers that are waiting, and is not kept.

Events carry the state they changed, in full for their scope (a label event carries the labels of
the region it changed as they are after the change; a class event the whole class list), so
applying events in order on top of any state read after the watcher's last revision gives the
current state exactly.

Who made a change is a context variable (:func:`current_client`, default ``"local"`` for embedded
use): the server sets it for each call from the calling session (:func:`acting_as`), so the core
needs no knowledge of sessions, tokens or gRPC.

Waiting happens on the log's own condition, never on the project's lock.
"""

from __future__ import annotations

import contextvars
import secrets
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Protocol

import numpy as np

#: changes kept for resuming watchers, and the bytes their label patches may take at most
HISTORY_EVENTS = 4096
HISTORY_BYTES = 64 << 20

#: every kind an :class:`Event` may have; ``training_progress`` is not kept in the history
KINDS = (
    "labels_changed",
    "class_added",
    "class_renamed",
    "class_recolored",
    "class_removed",
    "image_added",
    "image_removed",
    "features_changed",
    "classifier_changed",
    "training_started",
    "training_progress",
    "training_finished",
    "training_failed",
    "project_saved",
    "resync",
)

LOCAL_CLIENT = "local"
_CLIENT: contextvars.ContextVar[str] = contextvars.ContextVar("pixframework_client", default=LOCAL_CLIENT)


def current_client() -> str:
    """Who the current call acts for: the server's name for the calling session, ``"local"`` embedded."""
    return _CLIENT.get()


@contextmanager
def acting_as(client: str) -> Iterator[None]:
    """Attribute the changes made inside the block to ``client`` (and give it its own undo history)."""
    token = _CLIENT.set(client)
    try:
        yield
    finally:
        try:
            _CLIENT.reset(token)
        except ValueError:
            pass  # a generator finished in another thread's context: that context never saw the set


@dataclass(frozen=True)
class Event:
    """One change of a project.

    :param kind: one of :data:`KINDS`.
    :param revision: the project's revision after the change (training progress: the current one).
    :param client: who made it (:func:`current_client` of the call).
    :param fields: what changed, per kind (documented in ``docs/server.md``); ``event["image"]`` reads one.
    :param time: unix time (seconds) when it was committed.
    :param log: id of the event log (new each time the project is opened): resume with it.
    """

    kind: str
    revision: int
    client: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    time: float = 0.0
    log: str = ""

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    @property
    def nbytes(self) -> int:
        """Bytes the event's arrays hold (what it costs the history)."""
        patches = self.fields.get("patches") or ()
        return 256 + sum(int(np.asarray(labels).nbytes) for _, labels in patches)


class EventWatcher(Protocol):
    """What :meth:`Project.watch` and :meth:`RemoteProject.watch` return: iterate (blocking) or poll."""

    def __iter__(self) -> Iterator[Event]: ...

    def next(self, timeout: float | None = None) -> Event | None:
        """The next event; ``None`` after ``timeout`` seconds without one, or once closed."""

    def close(self) -> None:
        """Stop watching (from any thread)."""

    @property
    def closed(self) -> bool:
        """Whether the watcher ended (closed, or its project or session closed)."""


class EventLog:
    """Revisions, the bounded history and the waiting watchers of one open project.

    :param max_events: changes kept for resuming watchers.
    :param max_bytes: bytes of label patches kept at most (the oldest changes go first).
    """

    def __init__(self, *, max_events: int = HISTORY_EVENTS, max_bytes: int = HISTORY_BYTES):
        self.id = secrets.token_hex(8)
        self.max_events = int(max_events)
        self.max_bytes = int(max_bytes)
        self.revision = 0
        self._cond = threading.Condition()
        self._history: deque[Event] = deque()
        self._bytes = 0
        self._progress: Event | None = None
        self._progress_number = 0
        self._closed = False

    def emit(self, kind: str, **fields: Any) -> Event:
        """Record a committed change: the next revision, kept in the history, handed to every watcher."""
        with self._cond:
            self.revision += 1
            event = Event(kind, self.revision, current_client(), fields, time.time(), self.id)
            self._history.append(event)
            self._bytes += event.nbytes
            while len(self._history) > self.max_events or (self._bytes > self.max_bytes and len(self._history) > 1):
                self._bytes -= self._history.popleft().nbytes
            self._cond.notify_all()
            return event

    def progress(self, kind: str, **fields: Any) -> Event:
        """Hand a passing state (training progress) to the waiting watchers; not a change, not kept."""
        with self._cond:
            self._progress = Event(kind, self.revision, current_client(), fields, time.time(), self.id)
            self._progress_number += 1
            self._cond.notify_all()
            return self._progress

    def watch(self, after_revision: int | None = None, *, log: str | None = None) -> "Watcher":
        """A :class:`Watcher` from ``after_revision`` on (``None``: from now; only later changes)."""
        return Watcher(self, after_revision, log)

    def close(self) -> None:
        """End every watcher (the project closed)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def oldest(self) -> int:
        """The first revision the history still holds (``revision + 1`` when it holds none)."""
        with self._cond:
            return self._history[0].revision if self._history else self.revision + 1


class Watcher:
    """Iterates over the events of one log, blocking until the next one; see :meth:`EventLog.watch`.

    :meth:`next` with a timeout lets a caller (the server's stream) check in between whether its
    client is still there; :meth:`close` (from any thread) ends the iteration.
    """

    def __init__(self, events: EventLog, after_revision: int | None, log: str | None):
        self._log = events
        self._closed = False
        self._progress_seen = events._progress_number
        #: why the next event must be a resync (the watcher then follows from its revision)
        self._resync: str | None = None
        with events._cond:
            current = events.revision
            self.revision = current
            if after_revision is None:
                pass
            elif log and log != events.id:
                self._resync = "the project was opened anew since (its event log restarted)"
            elif after_revision > current:
                self._resync = f"revision {after_revision} is beyond the project's current revision {current}"
            elif after_revision < 0:
                self._resync = f"revision {after_revision} is negative"
            else:
                self.revision = int(after_revision)

    def __iter__(self) -> "Watcher":
        return self

    def __next__(self) -> Event:
        event = self.next()
        if event is None:
            raise StopIteration
        return event

    def next(self, timeout: float | None = None) -> Event | None:
        """The next event; ``None`` after ``timeout`` seconds without one, or once closed (see :attr:`closed`)."""
        log = self._log
        deadline = None if timeout is None else time.monotonic() + timeout
        with log._cond:
            while True:
                if self._closed or log._closed:
                    self._closed = True
                    return None
                event = self._take()
                if event is not None:
                    return event
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                log._cond.wait(remaining)

    def _take(self) -> Event | None:
        # called with the log's condition held
        log = self._log
        if self._resync is None and self.revision < log.revision:
            oldest = log._history[0].revision if log._history else log.revision + 1
            if self.revision + 1 >= oldest:
                event = log._history[self.revision + 1 - oldest]
                self.revision = event.revision
                return event
            self._resync = (
                f"the server no longer holds the changes after revision {self.revision} "
                f"(it keeps the last {log.max_events} changes, {log.max_bytes >> 20} MiB of labels)"
            )
            self.revision = log.revision  # what the history lost: the state read after this resync has it
        if self._resync is not None:
            reason, self._resync = self._resync, None
            self._progress_seen = log._progress_number
            return Event("resync", self.revision, current_client(), {"reason": reason}, time.time(), log.id)
        if log._progress_number != self._progress_seen:
            self._progress_seen = log._progress_number
            if log._progress is not None and log._progress.revision == self.revision:
                return log._progress
        return None

    def close(self) -> None:
        """Stop waiting; :meth:`next` returns ``None`` from now on."""
        with self._log._cond:
            self._closed = True
            self._log._cond.notify_all()

    @property
    def closed(self) -> bool:
        """Whether the watcher (or its project) was closed."""
        return self._closed or self._log._closed
