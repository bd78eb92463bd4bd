"""The server's error interceptor: applies the status table of :mod:`pixframework.wire.status` to every handler.

:class:`ErrorInterceptor` wraps every handler (unary and streaming alike): a
:class:`~pixframework.errors.PixfError` becomes its status code with the error's message and its
class name in the trailing metadata; anything else becomes INTERNAL and is logged with the
method, session, peer and traceback (so is a :class:`~pixframework.errors.PluginError`: a plugin
broke at run time, not the caller's fault).
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Iterator

import grpc

from .. import errors
from ..wire.status import code_for, status_message, trailing_metadata

log = logging.getLogger("pixframework.server")

_call = threading.local()


def note_session(session_id: str) -> None:
    """Record the session of the running call, so an unexpected error is logged with it."""
    _call.session = session_id


def _abort(context: grpc.ServicerContext, exc: Exception, method: str) -> None:
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


def _wrap_unary_response(behaviour: Callable, method: str) -> Callable:
    def handler(request: Any, context: grpc.ServicerContext) -> Any:
        _call.session = None
        try:
            return behaviour(request, context)
        except Exception as exc:
            _abort(context, exc, method)

    return handler


def _wrap_stream_response(behaviour: Callable, method: str) -> Callable:
    def handler(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        _call.session = None
        try:
            yield from behaviour(request, context)
        except Exception as exc:
            _abort(context, exc, method)

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


class ErrorInterceptor(grpc.ServerInterceptor):
    """Maps exceptions of every handler to status codes (see the module docstring)."""

    def intercept_service(self, continuation: Callable, details: grpc.HandlerCallDetails) -> Any:
        handler = continuation(details)
        if handler is None:
            return None
        kind = handler_kind(handler)
        return rebuild_handler(handler, _FACTORIES[kind][1], details.method, kind)
