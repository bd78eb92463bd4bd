"""Standard gRPC health checking (``grpc.health.v1.Health``) that holds no thread per watcher.

``Watch`` streams answer through gRPC's non-blocking callback protocol, so watchers (which need no
token: load balancers call them) cost no worker thread. Unlike ``grpc_health``'s servicer, no
response is ever sent while the status lock is held: gRPC runs the "call ended" callbacks on its
polling thread, and a callback waiting for that lock while a send waits for the polling thread
would freeze the server (it did, at shutdown with many watchers that had just gone away).
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ..errors import NotFound

log = logging.getLogger("pixframework.server")

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
UNKNOWN = health_pb2.HealthCheckResponse.SERVICE_UNKNOWN


class HealthServicer(health_pb2_grpc.HealthServicer):
    """Health status per service name (``""`` for the whole server)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards the two tables only; never held while sending
        self._status: dict[str, int] = {}
        self._watchers: dict[str, set[Callable[[Any], None]]] = {}
        self._final = False

    def set(self, service: str, status: int) -> None:
        """Set a service's status and tell its watchers (ignored after :meth:`enter_graceful_shutdown`)."""
        with self._lock:
            if self._final:
                return
            self._status[service] = status
            watchers = list(self._watchers.get(service, ()))
        for send in watchers:
            _send(send, status)

    def enter_graceful_shutdown(self) -> None:
        """Every service becomes NOT_SERVING for good."""
        with self._lock:
            services = list(self._status)
        for service in services:
            self.set(service, NOT_SERVING)
        with self._lock:
            self._final = True

    def Check(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self._lock:
            status = self._status.get(request.service)
        if status is None:
            raise NotFound(f"no health status for service {request.service!r}")
        return health_pb2.HealthCheckResponse(status=status)

    def List(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self._lock:
            statuses = dict(self._status)
        return health_pb2.HealthListResponse(
            statuses={name: health_pb2.HealthCheckResponse(status=s) for name, s in statuses.items()}
        )

    def Watch(self, request: Any, context: grpc.ServicerContext, send_response_callback: Any = None) -> None:
        if send_response_callback is None:  # the server never calls it so (the interceptors keep it non-blocking)
            raise NotImplementedError("Watch needs a server that supports non-blocking handlers")
        service, send = request.service, send_response_callback
        with self._lock:
            status = self._status.get(service, UNKNOWN)
            self._watchers.setdefault(service, set()).add(send)
        # runs on gRPC's polling thread when the call ends: must only take the lock briefly
        context.add_callback(lambda: self._forget(service, send))
        _send(send, status)

    Watch.experimental_non_blocking = True  # type: ignore[attr-defined]

    def _forget(self, service: str, send: Callable[[Any], None]) -> None:
        with self._lock:
            self._watchers.get(service, set()).discard(send)

    @property
    def watchers(self) -> int:
        """Open Watch streams (for logs and tests)."""
        with self._lock:
            return sum(len(s) for s in self._watchers.values())


def _send(send: Callable[[Any], None], status: int) -> None:
    try:
        send(health_pb2.HealthCheckResponse(status=status))
    except Exception:  # a watcher that went away meanwhile
        log.debug("health watcher gone", exc_info=True)
