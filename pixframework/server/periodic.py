"""A daemon thread that runs one action every few seconds until stopped (the server's housekeeping)."""

from __future__ import annotations

import threading
from typing import Callable


class Periodic:
    """Runs ``action()`` every ``interval`` seconds in a daemon thread between :meth:`start` and :meth:`stop`."""

    def __init__(self, name: str, interval: float, action: Callable[[], object]):
        self.name = name
        self.interval = float(interval)
        self._action = action
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return

        def loop() -> None:
            while not self._stop.wait(self.interval):
                self._action()

        self._thread = threading.Thread(target=loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
