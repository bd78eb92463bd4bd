"""The main thread's two services the napari client needs: run a callback there, and call back later.

The model and its helpers never touch Qt: they are given a :class:`MainLoop`. The dock widget
passes the Qt one (:class:`pixframework.napari._qt.loop.QtLoop`); scripts and tests drive the
model without Qt through :class:`ManualLoop`, which runs what is due whenever it is pumped.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol


class Timer(Protocol):
    def cancel(self) -> None:
        """Do not call back (no-op once it has run)."""


class MainLoop(Protocol):
    def deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        """From any thread: call ``callback(value)`` on the main thread soon, in the order delivered."""

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer:
        """From the main thread: call ``callback()`` there after ``seconds`` (0: at the next turn)."""


class _ManualTimer:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualLoop:
    """A :class:`MainLoop` for code without Qt: the thread calling :meth:`pump` is the main thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._due: list[tuple[float, int, _ManualTimer, Callable[[], None]]] = []
        self._order = itertools.count()

    def deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        self._push(0.0, lambda: callback(value), _ManualTimer())

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer:
        timer = _ManualTimer()
        self._push(seconds, callback, timer)
        return timer

    def _push(self, seconds: float, callback: Callable[[], None], timer: _ManualTimer) -> None:
        with self._lock:
            heapq.heappush(self._due, (time.monotonic() + seconds, next(self._order), timer, callback))

    def pump(self) -> int:
        """Run every callback that is due now; returns how many ran."""
        ran = 0
        while True:
            with self._lock:
                if not self._due or self._due[0][0] > time.monotonic():
                    return ran
                _, _, timer, callback = heapq.heappop(self._due)
            if not timer.cancelled:
                callback()
                ran += 1

    def run_until(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        """Pump until ``condition()`` holds.

        :raises TimeoutError: it did not hold within ``timeout`` seconds.
        """
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise TimeoutError(f"condition not met within {timeout:g} s")
            if not self.pump():
                time.sleep(0.005)
