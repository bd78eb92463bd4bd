"""Build and run the gRPC server: :func:`create_server` (tests, embedding) and :func:`serve` (``pixf serve``)."""

from __future__ import annotations

import errno
import logging
import signal
import socket
import threading
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from .._proto.v1 import (
    classifiers_pb2,
    classifiers_pb2_grpc,
    events_pb2,
    events_pb2_grpc,
    features_pb2,
    features_pb2_grpc,
    guidance_pb2,
    guidance_pb2_grpc,
    images_pb2,
    images_pb2_grpc,
    labels_pb2,
    labels_pb2_grpc,
    prediction_pb2,
    prediction_pb2_grpc,
    server_pb2,
    server_pb2_grpc,
    sessions_pb2,
    sessions_pb2_grpc,
    training_pb2,
    training_pb2_grpc,
)
from ..errors import PermissionDenied, Remedy, ValidationError
from ..limits import Limits
from .address import is_loopback, split_address
from .auth import Authenticator, Tokens, TokenAuthInterceptor, as_tokens
from .health import SERVING, HealthServicer
from .servicers.base import ServerState
from .servicers.classifiers import ClassifierServicer
from .servicers.events import EventServicer
from .servicers.features import FeatureServicer
from .servicers.guidance import GuidanceServicer
from .servicers.images import ImageServicer
from .servicers.info import ServerInfoServicer
from .servicers.labels import LabelServicer
from .servicers.prediction import PredictionServicer
from .servicers.sessions import SessionServicer
from .servicers.training import TrainingServicer
from .sessions import SessionManager
from .status import ErrorInterceptor
from .streams import StreamGuard, StreamGuardInterceptor

log = logging.getLogger("pixframework.server")

DEFAULT_ADDRESS = "127.0.0.1:50051"

#: (servicer class, registration function, service descriptor), one row per service
_SERVICES = (
    (SessionServicer, sessions_pb2_grpc.add_SessionServiceServicer_to_server, sessions_pb2),
    (ImageServicer, images_pb2_grpc.add_ImageServiceServicer_to_server, images_pb2),
    (LabelServicer, labels_pb2_grpc.add_LabelServiceServicer_to_server, labels_pb2),
    (FeatureServicer, features_pb2_grpc.add_FeatureServiceServicer_to_server, features_pb2),
    (ClassifierServicer, classifiers_pb2_grpc.add_ClassifierServiceServicer_to_server, classifiers_pb2),
    (TrainingServicer, training_pb2_grpc.add_TrainingServiceServicer_to_server, training_pb2),
    (PredictionServicer, prediction_pb2_grpc.add_PredictionServiceServicer_to_server, prediction_pb2),
    (GuidanceServicer, guidance_pb2_grpc.add_GuidanceServiceServicer_to_server, guidance_pb2),
    (ServerInfoServicer, server_pb2_grpc.add_ServerInfoServiceServicer_to_server, server_pb2),
    (EventServicer, events_pb2_grpc.add_EventServiceServicer_to_server, events_pb2),
)


def service_names() -> list[str]:
    """Fully qualified names of the pixframework services (``pixframework.v1.SessionService``, ...)."""
    return [svc.full_name for _, _, module in _SERVICES for svc in module.DESCRIPTOR.services_by_name.values()]


class PixfServer:
    """A running (or ready) pixframework gRPC server: the grpc server plus its sessions.

    :meth:`stop` stops accepting calls, lets in-flight calls finish for ``grace`` seconds (then
    cancels them), and closes every session, saving open projects.
    """

    def __init__(
        self, server: grpc.Server, state: ServerState, health_servicer: HealthServicer, address: str,
        streams: StreamGuard,
    ):  # fmt: skip
        self.grpc_server = server
        self.state = state
        self.sessions = state.sessions
        self.health = health_servicer
        self.address = address
        self.streams = streams
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()

    def start(self) -> None:
        self.grpc_server.start()
        self.sessions.start_reaper()
        self.streams.start()
        log.info("pixframework server listening on %s (data root %s)", self.address, self.sessions.data_root)

    def stop(self, grace: float | None = 5.0) -> None:
        """Graceful stop (idempotent): finish or cancel in-flight calls, then save and close all projects."""
        with self._stop_lock:
            if self._stopped.is_set():
                return
            self.health.enter_graceful_shutdown()
            # trainings end their calls at once (their fits hold no lock), so the grace period
            # is not spent waiting for a fit and every project is saved promptly; event streams too
            self.sessions.cancel_trainings()
            self.sessions.close_watchers()
            self.grpc_server.stop(grace).wait()
            self.streams.stop()
            self.sessions.stop_reaper()
            self.sessions.close_all(save=True)
            self._stopped.set()
            log.info("pixframework server stopped")

    def wait_for_termination(self, timeout: float | None = None) -> bool:
        """Block until :meth:`stop` completed; returns False on timeout."""
        return self._stopped.wait(timeout)

    def __enter__(self) -> "PixfServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop(grace=1.0)


def create_server(
    address: str = DEFAULT_ADDRESS,
    *,
    data_root: str | Path,
    token: str | Tokens | None = None,
    tls_cert: bytes | None = None,
    tls_key: bytes | None = None,
    limits: Limits | None = None,
    max_workers: int = 32,
) -> tuple[PixfServer, int]:
    """Build a server bound to ``address`` (not started yet: call ``server.start()``).

    :param address: ``host:port``; port 0 picks a free port (for tests).
    :param data_root: directory every client path is relative to (and every file access is
        confined to); must exist.
    :param token: the bearer token clients must send, or named :class:`~pixframework.server.auth.Tokens`
        with roles (from :func:`~pixframework.server.auth.read_token_file`); mandatory when
        ``address`` is not a loopback address.
    :param tls_cert: PEM certificate chain; with ``tls_key`` the server speaks TLS.
    :param tls_key: PEM private key.
    :param limits: size, session and work limits (defaults: :class:`~pixframework.limits.Limits`).
    :param max_workers: threads serving calls (each open stream holds one while it runs; streams
        waiting on their client are cancelled after ``limits.stream_idle_timeout``).
    :returns: ``(server, port)`` with the port actually bound.
    :raises PermissionDenied: a non-loopback address without a token.
    :raises ValidationError: an address that is not ``host:port`` or cannot be bound (port in use),
        missing data root, half a TLS pair.
    """
    limits = limits or Limits()
    split_address(address)
    tokens = as_tokens(token)
    if not is_loopback(address) and tokens is None:
        raise PermissionDenied(
            f"listening on {address} exposes the server beyond this machine, which needs a token", remedy=Remedy.TOKEN
        )
    if (tls_cert is None) != (tls_key is None):
        raise ValidationError("TLS needs both a certificate and a key")
    # every event stream holds a worker thread: at most half of them watch
    sessions = SessionManager(Path(data_root), limits=limits, max_watchers=max(1, max_workers // 2))
    auth = Authenticator(tokens)
    state = ServerState(sessions, limits, auth=auth, tls=tls_cert is not None)
    streams = StreamGuard(limits.stream_idle_timeout)
    # outermost first: errors are mapped for all; strangers are refused before a stream is read
    interceptors: list[grpc.ServerInterceptor] = [ErrorInterceptor(show=sessions.confinement.relative)]
    if tokens is not None:
        interceptors.append(TokenAuthInterceptor(auth))
    interceptors.append(StreamGuardInterceptor(streams))
    options = [
        ("grpc.max_receive_message_length", limits.max_message_bytes),
        ("grpc.max_send_message_length", limits.max_message_bytes),
        ("grpc.so_reuseport", 0),
    ]
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="pixf-rpc"),
        interceptors=interceptors,
        options=options,
    )
    for servicer_cls, register, _ in _SERVICES:
        register(servicer_cls(state), server)
    health_servicer = HealthServicer()  # Watch holds no thread
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ["", *service_names()]:
        health_servicer.set(name, SERVING)
    health_name = health_pb2.DESCRIPTOR.services_by_name["Health"].full_name
    reflection.enable_server_reflection([*service_names(), health_name, reflection.SERVICE_NAME], server)
    try:
        if tls_cert is not None:
            port = server.add_secure_port(address, grpc.ssl_server_credentials([(tls_key, tls_cert)]))
        else:
            port = server.add_insecure_port(address)
    except RuntimeError:  # grpc says "Failed to bind"; older versions return 0 instead
        port = 0
    if port == 0:
        raise ValidationError(f"cannot listen on {address}: {_bind_problem(address)}", remedy=Remedy.LISTEN_ADDRESS)
    return PixfServer(server, state, health_servicer, address.rsplit(":", 1)[0] + f":{port}", streams), port


#: why a socket cannot listen, by errno
_BIND_PROBLEMS = {
    errno.EADDRINUSE: "the port is in use (another server?)",
    errno.EADDRNOTAVAIL: "the host is not an address of this machine",
    errno.EACCES: "ports below 1024 need administrator rights",
}


def _bind_problem(address: str) -> str:
    """What keeps ``address`` from being listened on (gRPC only says that it failed), found with a socket."""
    host, port = split_address(address)
    try:
        candidates = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return f"the host name {host!r} is unknown"
    for family, kind, proto, _, where in candidates:
        with socket.socket(family, kind, proto) as probe:
            try:
                probe.bind(where)
            except OSError as exc:
                if exc.errno in _BIND_PROBLEMS:
                    return _BIND_PROBLEMS[exc.errno]
    return "the port is in use, or the host is not an address of this machine"


def serve(
    address: str = DEFAULT_ADDRESS,
    *,
    data_root: str | Path,
    grace: float = 10.0,
    **kwargs: Any,
) -> None:
    """Run a server until SIGTERM or SIGINT, then stop gracefully (open projects are saved).

    Keyword arguments are those of :func:`create_server`.
    """
    server, port = create_server(address, data_root=data_root, **kwargs)
    stop_requested = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop_requested.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.start()
        print(f"pixf serve: listening on {server.address} (data root {Path(data_root).resolve()})", flush=True)
        while not stop_requested.wait(0.5):
            pass
    finally:
        server.stop(grace)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
