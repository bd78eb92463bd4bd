"""Domain exceptions of pixframework.

The core raises only these (plus plain ``TypeError`` for programming errors).
The gRPC layer maps each class to one status code in one place
(``pixframework.wire.status``), so clients in any language see the same
meaning: :class:`ValidationError` -> INVALID_ARGUMENT, :class:`NotFound` ->
NOT_FOUND, :class:`NotTrained` / :class:`Conflict` -> FAILED_PRECONDITION,
:class:`LimitExceeded` -> RESOURCE_EXHAUSTED, :class:`PermissionDenied` ->
PERMISSION_DENIED, :class:`Unauthenticated` -> UNAUTHENTICATED,
:class:`CorruptData` -> DATA_LOSS, :class:`Cancelled` -> CANCELLED.

An error states a fact (its message) and, where the person can do something about it, a
:class:`Remedy`. Each client words the remedy in its own terms: the Python API here
(:data:`PYTHON_WORDS`), the CLI with its flags and commands (``pixframework.commands.messages``),
napari with its widgets and buttons (``pixframework.napari.messages``), and the gRPC status text
for any client (``pixframework.wire.status``).
"""

from __future__ import annotations

import enum


class Remedy(str, enum.Enum):
    """What the person reading an error can do about it (worded by each client)."""

    TRAIN = "train"  #: train the classifier (there is no model, or it is out of date)
    REPLACE = "replace"  #: a project exists where one is to be created: open it or replace it
    READ_FORMAT = "read-format"  #: the format of an input file cannot be told from its name or content
    WRITE_FORMAT = "write-format"  #: the format to write cannot be told from the output path
    EXPORT_DTYPE = "export-dtype"  #: the output format cannot store this pixel type
    TOKEN = "token"  #: the server wants a (valid) access token
    LISTEN_ADDRESS = "listen-address"  #: a server cannot listen on this address (port in use, not this machine's)
    AXES = "axes"  #: the axes of an image cannot be guessed from its shape


#: the remedies in the words of the Python API
PYTHON_WORDS: dict[Remedy, str] = {
    Remedy.TRAIN: "call train() first",
    Remedy.REPLACE: "open it, or pass overwrite=True to replace it",
    Remedy.READ_FORMAT: "pass format= to name the format",
    Remedy.WRITE_FORMAT: "give the path a known extension or pass format=",
    Remedy.EXPORT_DTYPE: "pass dtype='uint8' (probabilities scaled to 0..255)",
    Remedy.TOKEN: "pass token= (or set PIXF_TOKEN)",
    Remedy.LISTEN_ADDRESS: "pass another address (host:port; port 0 picks a free one)",
    Remedy.AXES: "pass axes explicitly, e.g. axes='zyxc' or 'czyx'",
}


class PixfError(Exception):
    """Base class of every error pixframework raises on purpose.

    :param message: the fact, for any reader (no advice in the words of one client).
    :param remedy: what the reader can do about it, worded by each client; ``str()`` gives the
        message with the remedy in the words of the Python API.
    """

    remedy: Remedy | None = None

    def __init__(self, *args: object, remedy: Remedy | None = None) -> None:
        super().__init__(*args)
        if remedy is not None:
            self.remedy = remedy

    @property
    def message(self) -> str:
        """The fact without the remedy."""
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        return advise(self, PYTHON_WORDS)


def advise(exc: PixfError, words: dict[Remedy, str]) -> str:
    """``exc``'s message followed by its remedy in ``words`` (one client's wording), if it has one."""
    remedy = words.get(exc.remedy) if exc.remedy is not None else None
    return f"{exc.message}; {remedy}" if remedy else exc.message


class ValidationError(PixfError, ValueError):
    """Input is malformed or inconsistent (bad shape, bad axes, bad parameter)."""


class NotFound(PixfError, KeyError):
    """A named thing (image, class, plugin, session, file) does not exist (``str()`` is the message,
    not KeyError's repr: PixfError comes first in the class order)."""


class NotTrained(PixfError):
    """An operation needs a trained classifier and there is none (or it is stale)."""


class Conflict(PixfError):
    """The operation does not fit the current state (e.g. project already exists)."""


class LimitExceeded(PixfError):
    """A configured limit (upload size, array size, sessions) would be exceeded."""


class PermissionDenied(PixfError):
    """The caller may not touch this resource (e.g. a path outside the data root)."""


class Unauthenticated(PixfError):
    """Missing or wrong credentials."""


class CorruptData(PixfError):
    """Stored data (project file, model state, image file) is damaged or tampered with."""


class PluginError(PixfError):
    """A plugin failed at run time; the message always names the plugin."""

    def __init__(self, plugin: str, message: str):
        super().__init__(f"plugin {plugin!r}: {message}")
        self.plugin = plugin


class Cancelled(PixfError):
    """A long operation (training) was cancelled, e.g. by the client that started it."""
