"""The widget's link to a server: a remote ``pixf serve`` or an embedded one started in this process.

Both kinds end in the same place: a :class:`~pixframework.client.Client` over gRPC and a
:class:`~pixframework.client.RemoteProject`. The embedded mode is a real server on
``127.0.0.1`` (port chosen by the OS) so the GUI never takes a second path into the core.

A lost server is retried by a :class:`Reconnector` until it answers again; the session is reused
when the server still has it, else the project is opened again.

Nothing here touches Qt; the blocking calls run on the model's worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from ..client import Client, RemoteError, RemoteProject, connect
from ..errors import NotFound, PixfError
from .jobs import JobQueue
from .loop import MainLoop, Timer

#: folder (under the user's home) a local server keeps its projects in when no data root is given
LOCAL_ROOT_NAME = "pixframework-projects"


def default_local_root() -> Path:
    """Where "Start local server" keeps projects by default: a folder in the home directory, which
    outlives napari (never a temporary directory: the projects and exports inside would be lost)."""
    return Path.home() / LOCAL_ROOT_NAME

#: status codes that mean "the server is not reachable", not "the call was wrong"
_LOST_CODES = frozenset(
    {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED}
)


def is_connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` says the server went away (rather than that a request was refused)."""
    if isinstance(exc, RemoteError):
        return exc.code in _LOST_CODES
    return isinstance(exc, grpc.RpcError) and getattr(exc, "code", lambda: None)() in _LOST_CODES


@dataclass
class Connection:
    """Where the widget talks to, and how to get back there after the server went away.

    :param address: ``host:port`` of the server (for the embedded server, its loopback address).
    :param token: bearer token for a remote server, or ``None``.
    :param tls: as :func:`pixframework.connect`'s ``tls``.
    """

    address: str
    token: str | None = None
    tls: Any = False
    client: Client | None = None
    project: RemoteProject | None = None
    project_path: str | None = None
    #: the in-process server when this connection started one, else ``None``
    server: Any = None
    data_root: Path | None = None

    # ------------------------------------------------------------------ opening
    @classmethod
    def remote(
        cls, address: str, *, token: str | None = None, tls: Any = False, timeout: float = 5.0
    ) -> Connection:
        """Connect to a running server (raises :class:`RemoteError` when nothing answers in ``timeout`` s)."""
        address = address.strip()
        connection = cls(address=address, token=token or None, tls=tls)
        connection.client = connect(address, token=connection.token, tls=tls, timeout=timeout)
        return connection

    @classmethod
    def embedded(cls, data_root: str | Path | None = None) -> Connection:
        """Start a server in this process on ``127.0.0.1`` (free port) and connect to it.

        :param data_root: directory holding the projects (created if missing); default
            :func:`default_local_root`.
        """
        from ..server.app import create_server

        root = Path(data_root).expanduser() if data_root is not None else default_local_root()
        root.mkdir(parents=True, exist_ok=True)
        server, port = create_server("127.0.0.1:0", data_root=root)
        server.start()
        connection = cls(address=f"127.0.0.1:{port}", server=server, data_root=root.resolve())
        try:
            connection.client = connect(connection.address, timeout=10.0)
        except Exception:
            connection.close()
            raise
        return connection

    @property
    def is_embedded(self) -> bool:
        return self.server is not None

    def describe(self) -> str:
        """Short text for the status line, e.g. ``local server 127.0.0.1:40123 (projects in /home/...)``."""
        if self.is_embedded:
            return f"local server {self.address} (projects in {self.data_root})"
        return f"server {self.address}"

    def where(self, path: str | None = None) -> str:
        """Where a project (default: the current one) lives, for messages: a folder on this machine
        for a local server, else the path on the server."""
        path = path or self.project_path or ""
        if self.is_embedded and self.data_root is not None:
            return str(self.data_root / path)
        return f"{path} on {self.describe()}"

    # ------------------------------------------------------------------ projects
    def create_project(self, path: str, *, overwrite: bool = False) -> RemoteProject:
        """Create a project (path relative to the server's data root) and make it the current one."""
        project = self._require_client().create_project(path, overwrite=overwrite)
        self._replace_project(project, path)
        return project

    def open_project(self, path: str) -> RemoteProject:
        """Open a project (path relative to the server's data root) and make it the current one."""
        project = self._require_client().open_project(path)
        self._replace_project(project, path)
        return project

    def _replace_project(self, project: RemoteProject, path: str) -> None:
        old, self.project, self.project_path = self.project, project, path
        if old is not None:
            try:
                old.close(save=True)
            except PixfError:
                pass  # the old session may already be gone; the new one is what matters

    def _require_client(self) -> Client:
        if self.client is None:
            raise RemoteError(grpc.StatusCode.UNAVAILABLE, "not connected to a server")
        return self.client

    # ------------------------------------------------------------------ recovery
    def reconnect(self, timeout: float = 2.0) -> RemoteProject | None:
        """Connect again after the server went away and get the project back.

        The old session is kept if the server still knows it (a network blip); otherwise (the
        server restarted) the project is opened again in a new session.

        :returns: the current project (``None`` when none was open).
        :raises RemoteError: the server still does not answer.
        """
        client = connect(self.address, token=self.token, tls=self.tls, timeout=timeout)
        old_client, self.client = self.client, client
        if old_client is not None:
            old_client.close()
        if self.project is None or self.project_path is None:
            return None
        old = self.project
        same_session = RemoteProject(client, _SessionStub(old.session_id, self.project_path, old.client))
        try:
            same_session.summary()
            self.project = same_session
        except NotFound:
            self.project = client.open_project(self.project_path)
        return self.project

    def close(self, *, save: bool = True) -> None:
        """Close the session (saving the project unless ``save=False``), the channel, and the
        embedded server if any."""
        if self.project is not None:
            try:
                self.project.close(save=save)
            except PixfError:
                pass  # a server that is gone has nothing left to save
            self.project = None
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.server is not None:
            self.server.stop(grace=1.0)
            self.server = None


class Reconnector:
    """Tries to get a lost connection back every ``interval`` seconds until the server answers.

    Attempts run on the job queue (one at a time); the outcome is reported on the main thread:
    ``on_back(project, fetched)`` once the server answers (``fetched`` is what ``fetch(project)``
    read on the worker, e.g. the shown image's labels), ``on_refused(exc)`` when the server answers
    but refuses (attempts go on).

    :param connection: the link to restore.
    :param interval: seconds between attempts.
    """

    def __init__(
        self,
        connection: Connection,
        jobs: JobQueue,
        loop: MainLoop,
        *,
        on_back: Callable[[RemoteProject | None, Any], None],
        on_refused: Callable[[BaseException], None],
        fetch: Callable[[RemoteProject], Any] = lambda project: None,
        interval: float = 1.0,
    ) -> None:
        self.connection = connection
        self.interval = interval
        self._jobs, self._loop = jobs, loop
        self._on_back, self._on_refused, self._fetch = on_back, on_refused, fetch
        self._timer: Timer | None = None
        self.active = False

    def start(self) -> None:
        """Begin retrying (no-op while already retrying)."""
        if not self.active:
            self.active = True
            self._schedule()

    def stop(self) -> None:
        self.active = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _schedule(self) -> None:
        self._timer = self._loop.call_later(self.interval, self._attempt)

    def _attempt(self) -> None:
        self._timer = None
        if not self.active:
            return
        connection, fetch = self.connection, self._fetch
        timeout = min(0.8, self.interval)

        def attempt() -> tuple[RemoteProject | None, Any]:
            project = connection.reconnect(timeout=timeout)
            return project, (fetch(project) if project is not None else None)

        self._jobs.submit(attempt, self._succeeded, self._failed, key="reconnect")

    def _succeeded(self, result: tuple[RemoteProject | None, Any]) -> None:
        if self.active:
            self.stop()
            self._on_back(*result)

    def _failed(self, exc: BaseException) -> None:
        if not self.active:
            return
        if not is_connection_lost(exc):  # the server answered but refused: say why, keep trying
            self._on_refused(exc)
        self._schedule()


@dataclass(frozen=True)
class _SessionStub:
    """The fields :class:`RemoteProject` reads from a SessionInfo message."""

    session_id: str
    path: str
    client: str
