"""The Qt implementation of :class:`pixframework.napari.loop.MainLoop`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qtpy.QtCore import QObject, QTimer, Signal


class _Timer:
    """A single-shot QTimer that can be cancelled before (or harmlessly after) it fired."""

    def __init__(self, parent: QObject, seconds: float, callback: Callable[[], None]) -> None:
        self._callback: Callable[[], None] | None = callback
        self._qtimer = QTimer(parent)
        self._qtimer.setSingleShot(True)
        self._qtimer.timeout.connect(self._fire)
        self._qtimer.start(max(0, round(seconds * 1000)))

    def _fire(self) -> None:
        callback, self._callback = self._callback, None
        self._release()
        if callback is not None:
            callback()

    def cancel(self) -> None:
        self._callback = None
        self._release()

    def _release(self) -> None:
        if self._qtimer is not None:
            self._qtimer.stop()
            self._qtimer.deleteLater()
            self._qtimer = None


class QtLoop(QObject):
    """Hands callbacks to the thread that created it (the Qt main thread) and runs timers there."""

    _deliver = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._deliver.connect(self._run)  # a queued connection when emitted from another thread

    @staticmethod
    def _run(callback: Callable[[Any], None], value: Any) -> None:
        callback(value)

    def deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        self._deliver.emit(callback, value)

    def call_later(self, seconds: float, callback: Callable[[], None]) -> _Timer:
        return _Timer(self, seconds, callback)
