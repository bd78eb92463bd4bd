"""What the napari client tells the person using it: a history of messages, and errors in the
words of the widget (its fields and buttons, not Python calls).

Every message the widget shows is kept in a :class:`MessageLog`; the log panel lists them all and
the status line shows the current one. An error stays in the status line until the person starts
another action, so a background update cannot wipe it away a moment after it appeared.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import Literal

from psygnal import Signal

from ..errors import PixfError, Remedy, advise
from ..wire.status import RemoteError

Level = Literal["info", "warning", "error"]

#: the remedies of pixframework's errors in the widget's words
NAPARI_WORDS: dict[Remedy, str] = {
    Remedy.TRAIN: "press Train (or switch on Live update) first",
    Remedy.REPLACE: "press Open to work on it, or type another name in the Project field",
    Remedy.READ_FORMAT: "add a file whose name ends with its format's extension",
    Remedy.WRITE_FORMAT: "end the Export path with a known extension (.tif, .zarr, .npy, .h5, ...)",
    Remedy.EXPORT_DTYPE: "choose an Export path ending in .tif, .npy, .zarr or .h5",
    Remedy.TOKEN: "enter the server's token in the Token field and press Connect",
    Remedy.LISTEN_ADDRESS: "press Start local server again",
    Remedy.AXES: "open it in napari and add it with Add layer (the layer's dimensions say what its axes are)",
}


def describe_error(exc: BaseException) -> str:
    """One line for the person at the widget."""
    if isinstance(exc, RemoteError):
        if exc.code.name in ("UNAVAILABLE", "DEADLINE_EXCEEDED"):
            return f"{exc.details[:1].upper()}{exc.details[1:]}. Check the Address field and that `pixf serve` runs there, or press Start local server."
        return f"The server failed: {exc.details}"
    if isinstance(exc, PixfError):
        return advise(exc, NAPARI_WORDS)
    if isinstance(exc, OSError) and exc.strerror:
        where = f" {exc.filename}" if exc.filename else ""
        return f"Cannot use{where}: {exc.strerror}."
    return f"Something went wrong inside pixframework ({type(exc).__name__}: {exc}); details are in the log."


@dataclass(frozen=True)
class Message:
    """One entry of the history: when (unix seconds), how serious, what, and details (a traceback)."""

    time: float
    level: Level
    text: str
    details: str = ""

    def line(self) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(self.time))
        return f"{stamp}  {self.level.upper():7s} {self.text}"


class MessageLog:
    """Every message of the session, oldest first, and the one the status line shows."""

    #: emitted with each new :class:`Message`
    added = Signal(object)

    def __init__(self) -> None:
        self.entries: list[Message] = []
        self._sticky: Message | None = None  # an error the person has not moved on from

    def info(self, text: str) -> None:
        self._add(Message(time.time(), "info", text))

    def resolved(self, text: str) -> None:
        """An info that ends the shown error (e.g. the server is back)."""
        self._sticky = None
        self.info(text)

    def warning(self, text: str) -> None:
        self._add(Message(time.time(), "warning", text))

    def error(self, exc_or_text: BaseException | str) -> None:
        """Record an error (an exception is described for the reader; unexpected ones keep their traceback)."""
        if isinstance(exc_or_text, BaseException):
            details = "" if isinstance(exc_or_text, PixfError) else "".join(traceback.format_exception(exc_or_text))
            message = Message(time.time(), "error", describe_error(exc_or_text), details)
        else:
            message = Message(time.time(), "error", exc_or_text)
        self._sticky = message
        self._add(message)

    def user_action(self) -> None:
        """The person started something new: a shown error may give way to newer messages."""
        self._sticky = None

    @property
    def current(self) -> Message | None:
        """What the status line shows: the error not yet moved on from, else the newest message."""
        if self._sticky is not None:
            return self._sticky
        return self.entries[-1] if self.entries else None

    def _add(self, message: Message) -> None:
        self.entries.append(message)
        self.added.emit(message)
