"""The one place where domain errors become gRPC status codes (and back again on the client).

Server side, :class:`ErrorInterceptor` wraps every handler (unary and streaming alike): a
:class:`~pixframework.errors.PixfError` becomes its status code with the error's message and its
class name in the trailing metadata key ``pixf-error``; anything else becomes INTERNAL and is logged
with the method, session, peer and traceback. Client side, :func:`error_from_rpc` rebuilds the
same exception class, so code behaves the same against an embedded or a remote project.

Decisions: :class:`~pixframework.errors.CorruptData` maps to DATA_LOSS (stored data is damaged;
retrying cannot help). :class:`~pixframework.errors.PluginError` maps to INTERNAL (a plugin broke
at run time, not the caller's fault); its message names the plugin and it is logged like any
unexpected error.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Iterator

import grpc

from .. import errors
from ..os_errors import as_domain_error

log = logging.getLogger("pixframework.server")

#: trailing metadata key carrying the domain exception's class name
ERROR_TYPE_KEY = "pixf-error"
#: trailing metadata key carrying the plugin name of a PluginError
PLUGIN_KEY = "pixf-plugin"


class Cancelled(errors.PixfError):
    """A long operation (training) was cancelled by the client."""


#: domain exception -> status code; looked up along the exception's class hierarchy
CODES: dict[type[BaseException], grpc.StatusCode] = {
    errors.ValidationError: grpc.StatusCode.INVALID_ARGUMENT,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.NotTrained: grpc.StatusCode.FAILED_PRECONDITION,
    errors.Conflict: grpc.StatusCode.FAILED_PRECONDITION,
    errors.LimitExceeded: grpc.StatusCode.RESOURCE_EXHAUSTED,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    errors.CorruptData: grpc.StatusCode.DATA_LOSS,
    errors.PluginError: grpc.StatusCode.INTERNAL,
    Cancelled: grpc.StatusCode.CANCELLED,
}

#: status code -> exception class the client raises when the server sent no class name
_CLIENT_DEFAULTS: dict[grpc.StatusCode, type[errors.PixfError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: errors.ValidationError,
    grpc.StatusCode.NOT_FOUND: errors.NotFound,
    grpc.StatusCode.FAILED_PRECONDITION: errors.Conflict,
    grpc.StatusCode.RESOURCE_EXHAUSTED: errors.LimitExceeded,
    grpc.StatusCode.UNAUTHENTICATED: errors.Unauthenticated,
    grpc.StatusCode.PERMISSION_DENIED: errors.PermissionDenied,
    grpc.StatusCode.DATA_LOSS: errors.CorruptData,
    grpc.StatusCode.CANCELLED: Cancelled,
}

_BY_NAME: dict[str, type[errors.PixfError]] = {
    cls.__name__: cls for cls in CODES if issubclass(cls, errors.PixfError) and cls is not errors.PluginError
}


class RemoteError(errors.PixfError):
    """A failure the server did not describe as a domain error (INTERNAL, UNAVAILABLE, deadline...)."""

    def __init__(self, code: grpc.StatusCode, message: str):
        super().__init__(f"{code.name}: {message}")
        self.code = code


# --------------------------------------------------------------------------- server side

_call = threading.local()


def note_session(session_id: str) -> None:
    """Record the session of the running call, so an unexpected error is logged with it."""
    _call.session = session_id


def code_for(exc: BaseException) -> grpc.StatusCode:
    """Status code for an exception (INTERNAL for anything that is not a known domain error)."""
    for cls in type(exc).__mro__:
        if cls in CODES:
            return CODES[cls]
    return grpc.StatusCode.INTERNAL


def _abort(context: grpc.ServicerContext, exc: Exception, method: str, show: Callable[[str], str] = str) -> None:
    exc = as_domain_error(exc, show) or exc  # OSError, MemoryError: say what happened
    code = code_for(exc)
    known = isinstance(exc, errors.PixfError)
    if code is grpc.StatusCode.INTERNAL:
        log.error(
            "%s failed in %s (session %s, peer %s)",
            type(exc).__name__, method, getattr(_call, "session", None) or "-", context.peer(),
            exc_info=exc,
        )  # fmt: skip
    message = str(exc) if known else f"internal error in {method}: {type(exc).__name__}: {exc} (logged on the server)"
    if known:
        trailing = [(ERROR_TYPE_KEY, type(exc).__name__)]
        if isinstance(exc, errors.PluginError):
            trailing.append((PLUGIN_KEY, exc.plugin))
        context.set_trailing_metadata(tuple(trailing))
    context.abort(code, message or type(exc).__name__)


def _wrap_unary_response(behaviour: Callable, method: str, show: Callable[[str], str] = str) -> Callable:
    def handler(request: Any, context: grpc.ServicerContext) -> Any:
        _call.session = None
        try:
            return behaviour(request, context)
        except Exception as exc:
            _abort(context, exc, method, show)

    return handler


def _wrap_stream_response(behaviour: Callable, method: str, show: Callable[[str], str] = str) -> Callable:
    def handler(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        _call.session = None
        try:
            yield from behaviour(request, context)
        except Exception as exc:
            _abort(context, exc, method, show)

    return handler


_FACTORIES = {
    "unary_unary": (grpc.unary_unary_rpc_method_handler, _wrap_unary_response),
    "unary_stream": (grpc.unary_stream_rpc_method_handler, _wrap_stream_response),
    "stream_unary": (grpc.stream_unary_rpc_method_handler, _wrap_unary_response),
    "stream_stream": (grpc.stream_stream_rpc_method_handler, _wrap_stream_response),
}


def handler_kind(handler: grpc.RpcMethodHandler) -> str:
    """``"unary_unary"``, ``"unary_stream"``, ``"stream_unary"`` or ``"stream_stream"``."""
    return f"{'stream' if handler.request_streaming else 'unary'}_{'stream' if handler.response_streaming else 'unary'}"


def rebuild_handler(handler: grpc.RpcMethodHandler, wrap: Callable[[Callable, str], Callable], method: str,
                    kind: str | None = None) -> grpc.RpcMethodHandler:  # fmt: skip
    """A handler of the same kind as ``handler`` whose behaviour is ``wrap(behaviour, method)``."""
    kind = kind or handler_kind(handler)
    make, _ = _FACTORIES[kind]
    return make(
        wrap(getattr(handler, kind), method),
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )


def is_non_blocking(handler: grpc.RpcMethodHandler) -> bool:
    """Whether a handler answers through callbacks instead of holding a thread (gRPC health's Watch).

    Such handlers must be passed on unchanged: wrapping them makes them block a worker thread.
    """
    return bool(getattr(getattr(handler, handler_kind(handler)), "experimental_non_blocking", False))


class ErrorInterceptor(grpc.ServerInterceptor):
    """Maps exceptions of every handler to status codes (see the module docstring).

    :param show: how messages print file names (the server passes paths relative to its data root).
    """

    def __init__(self, show: Callable[[str], str] = str):
        self._show = show

    def intercept_service(self, continuation: Callable, details: grpc.HandlerCallDetails) -> Any:
        handler = continuation(details)
        if handler is None or is_non_blocking(handler):
            return handler
        kind = handler_kind(handler)
        wrap = _FACTORIES[kind][1]
        return rebuild_handler(handler, lambda behaviour, method: wrap(behaviour, method, self._show), details.method, kind)


# --------------------------------------------------------------------------- client side


def error_from_rpc(error: grpc.RpcError) -> Exception:
    """The exception a client should raise for a failed call (domain class where the server named one)."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    message = (error.details() if hasattr(error, "details") else str(error)) or ""
    trailing = dict(error.trailing_metadata() or ()) if hasattr(error, "trailing_metadata") else {}
    name = trailing.get(ERROR_TYPE_KEY, "")
    plugin = trailing.get(PLUGIN_KEY)
    if name == "PluginError" and plugin:
        prefix = f"plugin {plugin!r}: "
        return errors.PluginError(plugin, message[len(prefix):] if message.startswith(prefix) else message)
    cls = _BY_NAME.get(name) or _CLIENT_DEFAULTS.get(code)
    if cls is None:
        return RemoteError(code, message)
    return cls(message or code.name)
