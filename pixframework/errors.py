"""Domain exceptions of pixframework.

The core raises only these (plus plain ``TypeError`` for programming errors).
The gRPC layer maps each class to one status code in one place
(``pixframework.wire.status``), so clients in any language see the same
meaning: :class:`ValidationError` -> INVALID_ARGUMENT, :class:`NotFound` ->
NOT_FOUND, :class:`NotTrained` / :class:`Conflict` -> FAILED_PRECONDITION,
:class:`LimitExceeded` -> RESOURCE_EXHAUSTED, :class:`PermissionDenied` ->
PERMISSION_DENIED, :class:`Unauthenticated` -> UNAUTHENTICATED,
:class:`CorruptData` -> DATA_LOSS, :class:`Cancelled` -> CANCELLED.
"""

from __future__ import annotations


class PixfError(Exception):
    """Base class of every error pixframework raises on purpose."""


class ValidationError(PixfError, ValueError):
    """Input is malformed or inconsistent (bad shape, bad axes, bad parameter)."""


class NotFound(PixfError, KeyError):
    """A named thing (image, class, plugin, session, file) does not exist."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


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
