"""Long project calls streamed as progress: the work runs in a thread, the handler yields its progress.

The project calls ``progress(...)`` between steps (``(fraction, message)`` for training and guidance,
``(blocks_done, blocks_total, message)`` for export); that is also the one safe place to stop. When
the client goes away, the server stops or someone sets ``cancel``, the call ends at once with
:class:`~pixframework.errors.Cancelled`, and the next ``progress`` call raises it inside the work,
which then stops and changes nothing (long work runs outside the project's lock, so nothing waits).
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

import grpc

from ...errors import Cancelled

#: seconds between checks that the client is still there while waiting for progress
POLL = 0.25

Progress = Callable[..., None]


def run_with_progress(
    context: grpc.ServicerContext,
    work: Callable[[Progress], Any],
    stopped: str,
    cancel: threading.Event | None = None,
) -> Iterator[tuple[str, Any]]:
    """Yield ``("progress", values)`` for each ``progress(*values)`` call while ``work(progress)`` runs,
    then ``("done", result)``; re-raise what ``work`` raised.

    :param stopped: the message of the :class:`Cancelled` raised when the work is stopped.
    :param cancel: an event others may set to stop the work (a new one when not given).
    """
    cancel = cancel or threading.Event()
    events: queue.Queue = queue.Queue()

    def progress(*values: Any) -> None:
        if cancel.is_set() or not context.is_active():
            raise Cancelled(stopped)
        events.put(("progress", values))

    def run() -> None:
        try:
            events.put(("done", work(progress)))
        except BaseException as exc:  # noqa: BLE001 - handed to the streaming thread, which raises it
            events.put(("error", exc))

    context.add_callback(cancel.set)  # runs when the call ends, e.g. the client went away
    # the work acts for the calling session too (the events it makes name that client)
    threading.Thread(target=contextvars.copy_context().run, args=(run,), name="pixf-progress", daemon=True).start()
    try:
        while True:
            try:
                kind, value = events.get(timeout=POLL)
            except queue.Empty:
                if cancel.is_set() or not context.is_active():
                    cancel.set()
                    raise Cancelled(stopped) from None  # ends the call now; the work stops at its next step
                continue
            if kind == "error":
                raise value
            yield kind, value
            if kind == "done":
                return
    finally:
        cancel.set()  # stops the work at its next step if the stream ended early
