"""Streams that wait on their client are bounded: none may hold a worker thread indefinitely.

Each call of the synchronous gRPC server occupies a worker thread until it ends. A client that
opens an upload and sends nothing, or a download and reads nothing, would keep that thread (and,
with a few dozen such streams, the whole server) forever. :class:`StreamGuard` times how long each
stream has been waiting *for its client* (for the next request message, or for the previous
response to be taken) and cancels it after ``timeout`` seconds. Time the server spends working
(training between progress messages, predicting before the first chunk) never counts.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from typing import Any, Callable, Iterator

import grpc

from ..errors import LimitExceeded
from .periodic import Periodic
from .status import handler_kind, is_non_blocking, rebuild_handler

log = logging.getLogger("pixframework.server")


class StreamGuard:
    """Cancels streams that waited on their client for more than ``timeout`` seconds (0: never)."""

    def __init__(self, timeout: float):
        self.timeout = float(timeout)
        self.cancelled = 0  # streams cancelled so far (for logs and tests)
        self._waiting: dict[int, tuple[float, grpc.ServicerContext, str]] = {}
        self._expired: set[int] = set()
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._checker = Periodic("pixf-stream-guard", min(max(self.timeout / 4, 0.05), 5.0), self.check)

    # ------------------------------------------------------------------ bookkeeping
    def _start_waiting(self, key: int, context: grpc.ServicerContext, method: str) -> None:
        with self._lock:
            self._waiting[key] = (time.monotonic(), context, method)

    def _stop_waiting(self, key: int) -> bool:
        """Ends a wait; returns whether the guard cancelled the stream meanwhile."""
        with self._lock:
            self._waiting.pop(key, None)
            return key in self._expired

    def _forget(self, key: int) -> None:
        with self._lock:
            self._waiting.pop(key, None)
            self._expired.discard(key)

    def check(self, now: float | None = None) -> int:
        """Cancel every stream waiting longer than the timeout; returns how many."""
        now = time.monotonic() if now is None else now
        with self._lock:
            due = [(k, c, m) for k, (since, c, m) in self._waiting.items() if now - since > self.timeout]
            for key, _, _ in due:
                del self._waiting[key]
                self._expired.add(key)
            self.cancelled += len(due)
        for _, context, method in due:
            log.warning("cancelled %s from %s: it waited on its client for more than %g s", method, context.peer(), self.timeout)
            context.cancel()
        return len(due)

    def start(self) -> None:
        if self.timeout > 0:
            self._checker.start()

    def stop(self) -> None:
        self._checker.stop()

    # ------------------------------------------------------------------ wrapping
    def _idle_error(self, method: str) -> LimitExceeded:
        return LimitExceeded(f"{method}: the client sent or read nothing for {self.timeout:g} s; the stream was closed")

    def requests(self, requests: Iterator[Any], context: grpc.ServicerContext, method: str) -> Iterator[Any]:
        """``requests`` with every wait for the next message timed."""
        key = next(self._ids)
        try:
            while True:
                self._start_waiting(key, context, method)
                try:
                    message = next(requests)
                except StopIteration:
                    return
                except grpc.RpcError:
                    if self._stop_waiting(key):
                        raise self._idle_error(method) from None
                    raise
                if self._stop_waiting(key):
                    raise self._idle_error(method)
                yield message
        finally:
            self._forget(key)

    def responses(self, responses: Iterator[Any], context: grpc.ServicerContext, method: str) -> Iterator[Any]:
        """``responses`` with every wait for the client to take one timed."""
        key = next(self._ids)
        try:
            for message in responses:
                self._start_waiting(key, context, method)
                yield message
                if self._stop_waiting(key):
                    raise self._idle_error(method)
        finally:
            self._forget(key)


class StreamGuardInterceptor(grpc.ServerInterceptor):
    """Puts every streaming handler under a :class:`StreamGuard`."""

    def __init__(self, guard: StreamGuard):
        self._guard = guard

    def intercept_service(self, continuation: Callable, details: grpc.HandlerCallDetails) -> Any:
        handler = continuation(details)
        if handler is None or self._guard.timeout <= 0 or is_non_blocking(handler):
            return handler
        if not (handler.request_streaming or handler.response_streaming):
            return handler
        guard, streaming_in, streaming_out = self._guard, handler.request_streaming, handler.response_streaming

        def wrap(behaviour: Callable, method: str) -> Callable:
            def guarded(request: Any, context: grpc.ServicerContext) -> Any:
                if streaming_in:
                    request = guard.requests(request, context, method)
                result = behaviour(request, context)
                return guard.responses(result, context, method) if streaming_out else result

            return guarded

        return rebuild_handler(handler, wrap, details.method, handler_kind(handler))
