"""Events and undo over gRPC: RemoteProject.watch yields the events Project.watch gives, attributed
to the calling session; undo never reaches another session's edits; watch streams end on session
close and server stop, are bounded in number, resume after a reconnect."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_server_support import data_root, gradient_image, running_server  # noqa: F401  (fixture)

from pixframework.client import RemoteProject, connect
from pixframework.errors import LimitExceeded, NotFound
from pixframework.events import Event
from pixframework.project import Project


def _script(p: Any) -> None:
    """The same calls, embedded and remote."""
    p.add_image(gradient_image((40, 50)), name="img")
    p.add_class("bg")
    p.add_class("fg")
    p.select_features([("gaussian_smoothing", 1.0)])
    p.paint("img", "fg", [[5, 5], [5, 40]], radius=2)
    p.paint("img", "bg", [[30, 5], [30, 40]], radius=2)
    p.set_labels("img", np.full((2, 3), 2, np.uint8), offset=(10, 10))
    mask = np.zeros((40, 50), bool)
    mask[4:7, 20:30] = True
    p.erase_mask("img", mask)
    p.undo()
    p.redo()
    p.rename_class("bg", "background")
    p.set_class_color("fg", "#112233")
    p.set_classifier("fast_forest", n_estimators=5)
    p.train()
    p.save()


def _comparable(event: Event) -> tuple:
    fields = dict(event.fields)
    fields.pop("summary", None)  # timings differ
    fields.pop("info", None)  # the source of an uploaded image differs
    patches = [(r, a.tolist()) for r, a in fields.pop("patches", [])]
    return event.kind, event.revision, repr(sorted(fields.items())), repr(patches)


def _collect(watcher, until_kind: str, timeout: float = 30.0) -> list[Event]:
    events: list[Event] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = watcher.next(timeout=0.5)
        if event is not None and event.kind != "training_progress":
            events.append(event)
            if event.kind == until_kind:
                break
    return events


def test_remote_watch_yields_the_events_an_embedded_project_gives(tmp_path: Path, data_root: Path) -> None:
    embedded = Project.create(tmp_path / "local.pixf")
    local = embedded.watch(0)
    _script(embedded)
    expected = _collect(local, "project_saved")
    embedded.close()
    with running_server(data_root) as (_, address), connect(address) as client:
        p = client.create_project("remote.pixf")
        watcher = p.watch(0)
        _script(p)
        received = _collect(watcher, "project_saved")
        watcher.close()
    assert [e.kind for e in received] == [e.kind for e in expected]
    assert [_comparable(e) for e in received] == [_comparable(e) for e in expected]
    assert {e.client for e in received} == {p.client} and p.client.startswith("local/")


def test_events_name_the_session_that_made_them_and_undo_stays_with_it(data_root: Path) -> None:
    with running_server(data_root) as (_, address), connect(address) as client:
        a = client.create_project("shared.pixf")
        a.add_image(np.zeros((32, 32), np.float32), name="img")
        a.add_class("x")
        a.add_class("y")
        b = client.open_project("shared.pixf")
        assert a.client != b.client and {s["client"] for s in client.sessions()} == {a.client, b.client}
        watcher = b.watch()
        a.paint("img", "x", [[5, 5], [5, 25]], radius=1)
        b.paint("img", "y", [[0, 15], [20, 15]], radius=1)
        events = [watcher.next(timeout=10), watcher.next(timeout=10)]
        assert [e.client for e in events] == [a.client, b.client]
        assert b.undo() > 0
        assert b.undo() == 0  # a's stroke is not b's to undo
        labels = a.get_labels("img")
        assert set(np.unique(labels)) == {0, 1}
        undo = watcher.next(timeout=10)
        assert undo["op"] == "undo" and undo.client == b.client
        watcher.close()


def test_watch_streams_end_when_the_session_closes_and_when_the_server_stops(data_root: Path) -> None:
    with running_server(data_root) as (server, address), connect(address) as client:
        p = client.create_project("w.pixf")
        other = client.open_project("w.pixf")
        mine, theirs = p.watch(), other.watch()
        p.close()  # another session still holds the project: only p's stream ends
        assert mine.next(timeout=20) is None and mine.closed
        assert theirs.next(timeout=0.2) is None and not theirs.closed
        started = time.monotonic()
        server.stop(grace=30)
        # the watch did not hold the shutdown for the grace period
        assert time.monotonic() - started < 25
        assert theirs.next(timeout=20) is None


def test_the_number_of_watch_streams_is_bounded(data_root: Path) -> None:
    with running_server(data_root, max_workers=4) as (_, address), connect(address) as client:
        p = client.create_project("b.pixf")
        first, second = p.watch(), p.watch()  # max_workers // 2 = 2 streams
        p.add_class("x")
        assert first.next(timeout=20).kind == second.next(timeout=20).kind == "class_added"
        third = p.watch()
        with pytest.raises(LimitExceeded, match="event watches"):
            third.next(timeout=20)
        first.close()
        second.close()


def test_a_watcher_of_a_closed_session_gets_not_found(data_root: Path) -> None:
    with running_server(data_root) as (_, address), connect(address) as client:
        p = client.create_project("n.pixf")
        p.close()
        with pytest.raises(NotFound):
            p.watch().next(timeout=20)


def test_a_watcher_resumes_after_its_stream_broke(data_root: Path) -> None:
    with running_server(data_root) as (_, address), connect(address) as client:
        p = client.create_project("r.pixf")
        p.add_image(np.zeros((16, 16), np.float32), name="img")
        p.add_class("x")
        first = p.watch(0)
        seen = _collect(first, "class_added")
        first.close()
        p.paint("img", "x", [[3, 3]], radius=1)
        p.paint("img", "x", [[9, 9]], radius=1)
        again = p.watch(seen[-1].revision, log=seen[-1].log)
        missed = [again.next(timeout=10), again.next(timeout=10)]
        assert [e.revision for e in missed] == [seen[-1].revision + 1, seen[-1].revision + 2]
        assert again.next(timeout=0.3) is None
        again.close()


class _Proxy:
    """A loopback TCP relay to the server that can drop every connection and refuse new ones."""

    def __init__(self, target: str):
        host, port = target.rsplit(":", 1)
        self._target = (host, int(port))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self._listener.getsockname()[1]}"
        self.up = threading.Event()
        self.up.set()
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                conn.close()
                continue
            upstream = socket.create_connection(self._target)
            self._open += [conn, upstream]
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.close()
            except OSError:
                pass

    def drop(self) -> None:
        self.up.clear()
        for s in self._open:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._open.clear()

    def close(self) -> None:
        self.drop()
        self._listener.close()


def test_a_watcher_resumes_by_itself_after_the_connection_broke(data_root: Path) -> None:
    with running_server(data_root) as (_, address), connect(address) as direct:
        proxy = _Proxy(address)
        try:
            with connect(proxy.address) as client:
                p = client.create_project("k.pixf")
                p.add_class("x")
                p.add_image(np.zeros((16, 16), np.float32), name="img")
                watcher = p.watch(0)
                assert [e.kind for e in _collect(watcher, "image_added")] == ["class_added", "image_added"]
                proxy.drop()  # the network goes away; the server keeps the session
                other = direct.open_project("k.pixf")
                other.paint("img", "x", [[3, 3]], radius=1)  # while the watcher cannot hear
                other.rename_class("x", "cell")
                proxy.up.set()
                missed = _collect(watcher, "class_renamed")
                assert [e.kind for e in missed] == ["labels_changed", "class_renamed"]
                assert [e.client for e in missed] == [other.client] * 2
                watcher.close()
        finally:
            proxy.close()


def test_a_session_with_an_open_watch_is_not_closed_as_idle(data_root: Path) -> None:
    with running_server(data_root) as (server, address), connect(address) as client:
        p = client.create_project("idle.pixf")
        watcher = p.watch()
        later = time.monotonic() + 10 * server.sessions.idle_timeout
        assert server.sessions.reap_idle(now=later) == []  # its client is there, watching
        watcher.close()
        assert watcher.next(timeout=20) is None
        deadline = time.monotonic() + 20
        while any(s.watchers for s in server.sessions.list()) and time.monotonic() < deadline:
            time.sleep(0.05)  # the server notices the cancelled stream
        assert server.sessions.reap_idle(now=later) == [p.session_id]


def test_events_name_the_token_of_the_session_and_watches_are_the_owners(tmp_path: Path) -> None:
    from pixframework.errors import PermissionDenied
    from pixframework.server.auth import read_token_file

    alice_token, bob_token = "alice-0123456789abcdef", "bob-0123456789abcdef"
    (tmp_path / "tokens").write_text(f"alice user {alice_token}\nbob user {bob_token}\n")
    root = tmp_path / "data"
    root.mkdir()
    with running_server(root, token=read_token_file(tmp_path / "tokens")) as (_, address):
        with connect(address, token=alice_token) as alice, connect(address, token=bob_token) as bob:
            mine = alice.create_project("shared.pixf")
            theirs = bob.open_project("shared.pixf")
            assert mine.client.startswith("alice/") and theirs.client.startswith("bob/")
            watcher = mine.watch()
            theirs.add_class("x")
            assert watcher.next(timeout=20).client == theirs.client  # bob's change, named by his token
            watcher.close()
            # bob cannot watch through alice's session, even knowing its id
            stolen = RemoteProject(bob, _Info(mine.session_id, "shared.pixf", mine.client))
            with pytest.raises(PermissionDenied):
                stolen.watch().next(timeout=20)


class _Info:
    """The fields RemoteProject reads from a SessionInfo."""

    def __init__(self, session_id: str, path: str, client: str):
        self.session_id, self.path, self.client = session_id, path, client
