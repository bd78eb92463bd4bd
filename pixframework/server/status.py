"""The server's error interceptor: applies the status table of :mod:`pixframework.wire.status` to every handler.

:class:`ErrorInterceptor` wraps every handler (unary and streaming alike): a
:class:`~pixframework.errors.PixfError` becomes its status code with the error's message and its
class name in the trailing metadata; anything else becomes INTERNAL and is logged with the
method, session, peer and traceback (so is a :class:`~pixframework.errors.PluginError`: a plugin
broke at run time, not the caller's fault). Operating-system failures and exhausted memory are
first turned into the domain errors they mean (:func:`pixframework.os_errors.as_domain_error`:
a full disk is RESOURCE_EXHAUSTED, a name over 255 bytes INVALID_ARGUMENT, ...).
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Iterator

import grpc

from .. import errors
from ..os_errors import as_domain_error
from ..wire.status import code_for, status_message, trailing_metadata

log = logging.getLogger("pixframework.server")

_call = threading.local()


def note_session(session_id: str) -> None:
    """Record the session of the running call, so an unexpected error is logged with it."""
    _call.session = session_id


def _abort(context: grpc.ServicerContext, exc: Exception, method: str, show: Callable[[str], str] = str) -> None:
    if isinstance(exc, grpc.RpcError) and not context.is_active():
        log.debug("%s ended: the client went away (%s)", method, context.peer())
        return  # a client that cancelled or disconnected hears nothing, so there is nothing to report
    if isinstance(exc, NotImplementedError):  # a generated base method nobody implemented
        context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{method} is not implemented by this server")
    exc = as_domain_error(exc, show) or exc  # OSError, MemoryError: say what happened
    code = code_for(exc)
    known = isinstance(exc, errors.PixfError)
    if code is grpc.StatusCode.INTERNAL:
        log.error(
            "%s failed in %s (session %s, peer %s)",
            type(exc).__name__, method, getattr(_call, "session", None) or "-", context.peer(),
            exc_info=exc,
        )  # fmt: skip
    message = status_message(exc) if known else f"internal error in {method}: {type(exc).__name__}: {exc} (logged on the server)"
    if known:
        context.set_trailing_metadata(trailing_metadata(exc))
    context.abort(code, message or type(exc).__name__)


class _Unreadable:
    """Stands for a request message that could not be parsed (gRPC itself would answer INTERNAL)."""

    def __init__(self, error: Exception):
        self.error = error


def _tolerant(deserialize: Callable | None) -> Callable | None:
    if deserialize is None:
        return None

    def parse(data: bytes) -> Any:
        try:
            return deserialize(data)
        except Exception as exc:
            return _Unreadable(exc)

    return parse


def _readable(request: Any, method: str) -> Any:
    """The request, or INVALID_ARGUMENT for bytes that are not a message of the method's type."""
    if isinstance(request, _Unreadable):
        raise errors.ValidationError(f"{method}: the request is not a valid message of its type ({request.error})")
    return request


def _requests(request: Any, method: str, streaming: bool) -> Any:
    return (_readable(r, method) for r in request) if streaming else _readable(request, method)


def _wrap_unary_response(behaviour: Callable, method: str, show: Callable[[str], str] = str,
                         streaming: bool = False) -> Callable:  # fmt: skip
    def handler(request: Any, context: grpc.ServicerContext) -> Any:
        _call.session = None
        try:
            return behaviour(_requests(request, method, streaming), context)
        except Exception as exc:
            _abort(context, exc, method, show)

    return handler


def _wrap_stream_response(behaviour: Callable, method: str, show: Callable[[str], str] = str,
                          streaming: bool = False) -> Callable:  # fmt: skip
    def handler(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        _call.session = None
        try:
            yield from behaviour(_requests(request, method, streaming), context)
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
                    kind: str | None = None, request_deserializer: Callable | None = None) -> grpc.RpcMethodHandler:  # fmt: skip
    """A handler of the same kind as ``handler`` whose behaviour is ``wrap(behaviour, method)``."""
    kind = kind or handler_kind(handler)
    make, _ = _FACTORIES[kind]
    return make(
        wrap(getattr(handler, kind), method),
        request_deserializer=request_deserializer or handler.request_deserializer,
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
        kind, show, streaming = handler_kind(handler), self._show, handler.request_streaming
        wrap = _FACTORIES[kind][1]
        return rebuild_handler(
            handler, lambda behaviour, method: wrap(behaviour, method, show, streaming), details.method, kind,
            request_deserializer=_tolerant(handler.request_deserializer),
        )
