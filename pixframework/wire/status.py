"""Domain errors <-> gRPC status codes: the one table, read in both directions.

Server side, the error interceptor (:mod:`pixframework.server.status`) sends :func:`code_for` the
exception with the exception's class name in the trailing metadata (:data:`~.metadata.ERROR_TYPE_KEY`).
Client side, :func:`error_from_rpc` rebuilds the same exception class, so code behaves the same
against an embedded or a remote project; with no class name it falls back to the first class the
table lists for the code.

Decisions: :class:`~pixframework.errors.CorruptData` maps to DATA_LOSS (stored data is damaged;
retrying cannot help). :class:`~pixframework.errors.PluginError` maps to INTERNAL (a plugin broke
at run time, not the caller's fault); its message names the plugin, which also travels in
:data:`~.metadata.PLUGIN_KEY`.
"""

from __future__ import annotations

import grpc

from .. import errors
from .metadata import ERROR_TYPE_KEY, MESSAGE_KEY, PLUGIN_KEY, REMEDY_KEY

#: domain exception -> status code, looked up along the exception's class hierarchy. Where several
#: classes share a code, the first one listed is what a client raises when the server named none.
STATUS_CODES: dict[type[errors.PixfError], grpc.StatusCode] = {
    errors.ValidationError: grpc.StatusCode.INVALID_ARGUMENT,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.Conflict: grpc.StatusCode.FAILED_PRECONDITION,
    errors.NotTrained: grpc.StatusCode.FAILED_PRECONDITION,
    errors.LimitExceeded: grpc.StatusCode.RESOURCE_EXHAUSTED,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    errors.CorruptData: grpc.StatusCode.DATA_LOSS,
    errors.PluginError: grpc.StatusCode.INTERNAL,
    errors.Cancelled: grpc.StatusCode.CANCELLED,
}

_BY_NAME = {cls.__name__: cls for cls in STATUS_CODES}
# INTERNAL without a class name is a server bug, not a domain error: the client raises RemoteError
_BY_CODE = {
    code: cls for cls, code in reversed(STATUS_CODES.items()) if code is not grpc.StatusCode.INTERNAL
}


#: the remedies of errors in the status text every client gets (words of the protocol, no language)
WIRE_WORDS: dict[errors.Remedy, str] = {
    errors.Remedy.TRAIN: "train the classifier first (TrainingService.Train)",
    errors.Remedy.REPLACE: "open it instead (OpenProject), or create it with overwrite set to replace it",
    errors.Remedy.READ_FORMAT: "name the format in the request's format field",
    errors.Remedy.WRITE_FORMAT: "give the path a known extension, or name the format in the request's format field",
    errors.Remedy.EXPORT_DTYPE: "set dtype to uint8 (probabilities scaled to 0..255)",
    errors.Remedy.TOKEN: "send the metadata 'authorization: Bearer <token>' with the server's token",
    errors.Remedy.LISTEN_ADDRESS: "choose another address",
    errors.Remedy.AXES: "name them in the request's axes field, e.g. zyxc or czyx",
}


class RemoteError(errors.PixfError):
    """A failure the server did not describe as a domain error (INTERNAL, UNAVAILABLE, deadline...).

    :param details: what gRPC said, without the status code (clients word it for their readers).
    """

    def __init__(self, code: grpc.StatusCode, message: str):
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.details = message


def status_message(exc: errors.PixfError) -> str:
    """The status text of a domain error: its fact and its remedy in :data:`WIRE_WORDS`."""
    return errors.advise(exc, WIRE_WORDS)


def code_for(exc: BaseException) -> grpc.StatusCode:
    """Status code for an exception (INTERNAL for anything that is not a known domain error)."""
    for cls in type(exc).__mro__:
        if cls in STATUS_CODES:
            return STATUS_CODES[cls]
    return grpc.StatusCode.INTERNAL


def trailing_metadata(exc: errors.PixfError) -> tuple[tuple[str, str | bytes], ...]:
    """What the server sends along with the status of a domain error: its class (and plugin) name,
    and with a remedy, the remedy's key and the bare fact (so clients can word the remedy their way)."""
    trailing: list[tuple[str, str | bytes]] = [(ERROR_TYPE_KEY, type(exc).__name__)]
    if isinstance(exc, errors.PluginError):
        trailing.append((PLUGIN_KEY, exc.plugin))
    if exc.remedy is not None:
        trailing += [(REMEDY_KEY, exc.remedy.value), (MESSAGE_KEY, exc.message.encode())]
    return tuple(trailing)


def _remedy(trailing: dict) -> errors.Remedy | None:
    try:
        return errors.Remedy(trailing.get(REMEDY_KEY, ""))
    except ValueError:
        return None  # none, or one this client does not know


def error_from_rpc(error: grpc.RpcError) -> Exception:
    """The exception a client should raise for a failed call (domain class where the server named one)."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    message = (error.details() if hasattr(error, "details") else str(error)) or ""
    trailing = dict(error.trailing_metadata() or ()) if hasattr(error, "trailing_metadata") else {}
    name = trailing.get(ERROR_TYPE_KEY, "")
    plugin = trailing.get(PLUGIN_KEY)
    if name == errors.PluginError.__name__:
        if not plugin:
            return RemoteError(code, message)
        prefix = f"plugin {plugin!r}: "
        return errors.PluginError(plugin, message[len(prefix):] if message.startswith(prefix) else message)
    cls = _BY_NAME.get(name) or _BY_CODE.get(code)
    if cls is None:
        return RemoteError(code, message)
    remedy = _remedy(trailing)
    fact = trailing.get(MESSAGE_KEY)
    if remedy is not None and isinstance(fact, bytes):
        return cls(fact.decode(errors="replace"), remedy=remedy)  # worded again by whoever shows it
    return cls(message or code.name)
