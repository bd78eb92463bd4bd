"""The model's link to one server at a time: connecting (to a ``pixf serve`` or a local server),
the catalog of the server's plugins, and getting back after the server went away. No Qt here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from psygnal import Signal

from .connection import Connection, Reconnector, default_local_root
from .jobs import JobQueue
from .loop import MainLoop
from .messages import MessageLog


class ServerLink:
    """Which server the client talks to, and whether it answers.

    :param on_error: where failed calls go (the model's error handler).
    :param fetch_after_reconnect: read on the worker once the server is back (``fetch(project)``),
        handed to ``on_reconnected``; e.g. the shown image's labels.
    """

    #: another server: what was shown from the old one is gone
    switched = Signal()
    #: online or offline
    changed = Signal()
    #: the server's plugins: ``{"filters", "default_scales", "classifiers"}``
    catalog_changed = Signal(object)

    #: seconds to wait for a server to answer when connecting
    connect_timeout = 5.0
    #: seconds between reconnection attempts after the server went away
    reconnect_interval = 1.0

    def __init__(
        self,
        jobs: JobQueue,
        loop: MainLoop,
        messages: MessageLog,
        *,
        on_error: Callable[[BaseException], None],
        fetch_after_reconnect: Callable[[Any], Any],
        on_reconnected: Callable[[Any], None],
    ) -> None:
        self.jobs, self.loop, self.messages = jobs, loop, messages
        self._on_error, self._fetch, self._on_reconnected = on_error, fetch_after_reconnect, on_reconnected
        self.connection: Connection | None = None
        self.connected = False
        self.catalog: dict[str, Any] | None = None
        self._reconnector: Reconnector | None = None

    def connect_remote(self, address: str, token: str | None = None, tls: Any = False) -> None:
        """Connect to a ``pixf serve`` server.

        :param tls: as :func:`pixframework.connect`: ``True`` for system CAs, or a CA certificate path.
        """
        address, timeout = address.strip(), self.connect_timeout
        self.messages.user_action()
        self.messages.info(f"Connecting to {address} ...")
        self._open(lambda: Connection.remote(address, token=token, tls=tls, timeout=timeout))

    def start_embedded(self, data_root: str | None = None) -> None:
        """Start a server in this process on 127.0.0.1; projects go to ``data_root`` (default
        :func:`~.connection.default_local_root`, a folder in the home directory)."""
        root = data_root or str(default_local_root())
        self.messages.user_action()
        self.messages.info(f"Starting a local server (projects in {root}) ...")
        self._open(lambda: Connection.embedded(root))

    def _open(self, make: Callable[[], Connection]) -> None:
        self.jobs.submit(make, self._on_connected, self._on_error)

    def _on_connected(self, connection: Connection) -> None:
        old, self.connection = self.connection, connection
        if old is not None:
            self.jobs.submit(old.close)
        self._stop_reconnecting()
        self.connected = True
        self.catalog = None
        self.messages.info(f"Connected to {connection.describe()}.")
        self.switched.emit()
        self.changed.emit()
        client = connection.client
        self.jobs.submit(lambda: (client.list_filters(), client.list_classifiers()), self._on_catalog, self._on_error)

    def _on_catalog(self, catalog: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
        filters, classifiers = catalog
        self.catalog = {**filters, "classifiers": classifiers}
        self.catalog_changed.emit(self.catalog)

    def lost(self) -> None:
        """A call found the server unreachable: go offline and retry until it answers."""
        if self.connection is None or (self._reconnector is not None and self._reconnector.active):
            return
        self.connected = False
        self.messages.error(
            f"Lost the connection to {self.connection.address}. Retrying every {self.reconnect_interval:g} s; "
            "labels painted meanwhile are sent on reconnect."
        )
        self._reconnector = Reconnector(
            self.connection, self.jobs, self.loop, interval=self.reconnect_interval, on_back=self._back,
            on_refused=lambda exc: self.messages.error(f"Reconnecting: {exc}"), fetch=self._fetch,
        )  # fmt: skip
        self._reconnector.start()
        self.changed.emit()

    def _back(self, project: Any, fetched: Any) -> None:
        self.connected = True
        self.messages.resolved(f"Reconnected to {self.connection.describe()}.")
        self.changed.emit()
        self._on_reconnected(fetched)

    def _stop_reconnecting(self) -> None:
        if self._reconnector is not None:
            self._reconnector.stop()
            self._reconnector = None

    def close(self, *, save: bool = True) -> None:
        """Stop retrying and close the connection (saving the project unless ``save=False``; a local
        server stops). Call from the main thread once the worker has stopped."""
        self._stop_reconnecting()
        connection, self.connection = self.connection, None
        self.connected = False
        if connection is not None:
            connection.close(save=save)
