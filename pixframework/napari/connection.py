"""The widget's link to a server: a remote ``pixf serve`` or an embedded one started in this process.

Both kinds end in the same place: a :class:`~pixframework.client.Client` over gRPC and a
:class:`~pixframework.client.RemoteProject`. The embedded mode is a real server on
``127.0.0.1`` (port chosen by the OS) so the GUI never takes a second path into the core.

Nothing here touches Qt; the widget calls these methods from its worker thread.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc

from ..client import Client, RemoteError, RemoteProject, connect
from ..errors import NotFound, PixfError

#: status codes that mean "the server is not reachable", not "the call was wrong"
_LOST_CODES = frozenset(
    {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED}
)


def is_connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` says the server went away (rather than that a request was refused)."""
    if isinstance(exc, RemoteError):
        return exc.code in _LOST_CODES
    return isinstance(exc, grpc.RpcError) and getattr(exc, "code", lambda: None)() in _LOST_CODES


def describe_error(exc: BaseException) -> str:
    """One line for the widget's status area: domain errors by their message, others by their type."""
    if isinstance(exc, PixfError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


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
    _tempdir: Any = field(default=None, repr=False)

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

        :param data_root: directory holding the projects; default a new temporary directory,
            removed again by :meth:`close`.
        """
        from ..server.app import create_server

        tempdir = None
        if data_root is None:
            tempdir = tempfile.TemporaryDirectory(prefix="pixf-napari-")
            data_root = tempdir.name
        root = Path(data_root)
        server, port = create_server("127.0.0.1:0", data_root=root)
        server.start()
        connection = cls(address=f"127.0.0.1:{port}", server=server, data_root=root, _tempdir=tempdir)
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
        """Short text for the status line, e.g. ``embedded server 127.0.0.1:40123 (data root /tmp/...)``."""
        if self.is_embedded:
            return f"embedded server {self.address} (data root {self.data_root})"
        return f"server {self.address}"

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
        same_session = RemoteProject(client, _SessionStub(old.session_id, self.project_path))
        try:
            same_session.summary()
            self.project = same_session
        except NotFound:
            self.project = client.open_project(self.project_path)
        return self.project

    def close(self) -> None:
        """Close the session (saving the project), the channel, and the embedded server if any."""
        if self.project is not None:
            try:
                self.project.close(save=True)
            except PixfError:
                pass  # a server that is gone has nothing left to save
            self.project = None
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.server is not None:
            self.server.stop(grace=1.0)
            self.server = None
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None


@dataclass(frozen=True)
class _SessionStub:
    """The two fields :class:`RemoteProject` reads from a SessionInfo message."""

    session_id: str
    path: str
