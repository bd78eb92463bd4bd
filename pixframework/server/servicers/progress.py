"""Long project calls streamed as progress: the work runs in a thread, the handler yields its progress.

The project calls ``progress(...)`` between steps (``(fraction, message)`` for training and guidance,
``(blocks_done, blocks_total, message)`` for export); that is also the one safe place to stop, so when the client goes away (or ``cancel`` is set by someone else) the next call raises
:class:`~pixframework.errors.Cancelled` inside the work, which ends it.
"""

from __future__ import annotations

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
    what: str,
    cancel: threading.Event | None = None,
) -> Iterator[tuple[str, Any]]:
    """Yield ``("progress", values)`` for each ``progress(*values)`` call while ``work(progress)`` runs,
    then ``("done", result)``; re-raise what ``work`` raised.

    :param what: names the work in the cancellation message and the thread name (e.g. ``"training"``).
    :param cancel: an event others may set to stop the work (a new one when not given).
    """
    cancel = cancel or threading.Event()
    events: queue.Queue = queue.Queue()

    def progress(*values: Any) -> None:
        if cancel.is_set():
            raise Cancelled(f"{what} was cancelled")
        events.put(("progress", values))

    def run() -> None:
        try:
            events.put(("done", work(progress)))
        except BaseException as exc:  # handed to the streaming thread, which raises it
            events.put(("error", exc))

    context.add_callback(cancel.set)  # runs when the call ends, e.g. the client went away
    threading.Thread(target=run, name=f"pixf-{what.replace(' ', '-')}", daemon=True).start()
    try:
        while True:
            try:
                kind, value = events.get(timeout=POLL)
            except queue.Empty:
                if not context.is_active():
                    cancel.set()
                continue
            if kind == "error":
                raise value
            yield kind, value
            if kind == "done":
                return
    finally:
        cancel.set()  # stops the work at its next step if the stream ended early
