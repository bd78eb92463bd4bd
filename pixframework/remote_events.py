"""The client side of ``EventService.Watch``: the same :class:`~pixframework.events.Event` objects
:meth:`Project.watch <pixframework.project.Project.watch>` gives, read from the server.

A background thread reads the stream into a queue, so :meth:`RemoteWatcher.next` can wait with a
timeout. When the connection breaks (the server restarted, the network went away), the watcher
calls ``Watch`` again from the last revision it saw: the events missed meanwhile are replayed, or
a ``resync`` event says to read the state again. It gives up after ``reconnect_seconds``.

The server's first message on a stream (a heartbeat) says the watch is registered: the watcher is
returned only then, so no change made after ``watch()`` returned is missed, as embedded.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any, Callable, Iterator

import grpc

from ._proto.v1 import events_pb2
from .events import Event
from .wire.events import event_from_proto
from .wire.status import error_from_rpc

#: failures worth calling Watch again for (the connection, not the request, is the problem)
_TRANSIENT = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED}
_END = object()


class RemoteWatcher:
    """Events of a remote project as they commit; see :meth:`RemoteProject.watch`.

    :param call: opens the stream: ``call(request) -> iterator of WatchResponse`` (with the token).
    :param reconnect_seconds: how long to keep calling Watch again after the connection broke.
    """

    def __init__(
        self, call: Callable[[Any], Any], session_id: str, after_revision: int | None, log: str | None,
        *, reconnect_seconds: float = 30.0,
    ):  # fmt: skip
        self._call = call
        self._session_id = session_id
        self.revision = after_revision
        self.log = log
        self.reconnect_seconds = float(reconnect_seconds)
        self._queue: queue.Queue = queue.Queue()
        self._stream: Any = None
        self._closed = threading.Event()
        self._registered = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, name="pixf-watch", daemon=True)
        self._thread.start()
        self._registered.wait(timeout=self.reconnect_seconds)

    def _request(self) -> events_pb2.WatchRequest:
        request = events_pb2.WatchRequest(session_id=self._session_id, log=self.log or "")
        if self.revision is not None:
            request.after_revision = self.revision
        return request

    def _read(self) -> None:
        broken_since: float | None = None
        while not self._closed.is_set():
            with self._lock:
                if self._closed.is_set():
                    break
                self._stream = self._call(self._request())
            try:
                for message in self._stream:
                    self._registered.set()
                    broken_since = None
                    if message.HasField("event"):
                        event = event_from_proto(message.event)
                        self.revision, self.log = event.revision, event.log
                        self._queue.put(event)
                    elif self.revision is None:
                        self.revision = int(message.revision)  # "from now" is this revision: resume from it
                break  # the server ended the stream: the session closed or the server stopped
            except grpc.RpcError as exc:
                if self._closed.is_set() or exc.code() is grpc.StatusCode.CANCELLED:
                    break
                if exc.code() in _TRANSIENT:
                    broken_since = broken_since or time.monotonic()
                    if time.monotonic() - broken_since < self.reconnect_seconds:
                        self._closed.wait(0.5)
                        continue
                self._queue.put(error_from_rpc(exc))
                break
        self._queue.put(_END)
        self._registered.set()

    def __iter__(self) -> Iterator[Event]:
        while True:
            event = self.next()
            if event is None:
                return
            yield event

    def next(self, timeout: float | None = None) -> Event | None:
        """The next event; ``None`` after ``timeout`` seconds without one, or once the stream ended.

        :raises PixfError: the server refused the watch (e.g. ``NotFound`` for a closed session).
        """
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is _END:
            self._closed.set()
            self._queue.put(_END)  # later calls end too
            return None
        if isinstance(item, Exception):
            self._closed.set()
            self._queue.put(_END)
            raise item
        return item

    def close(self) -> None:
        """Stop watching (cancels the stream; from any thread)."""
        with self._lock:
            self._closed.set()
            if self._stream is not None:
                self._stream.cancel()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()
