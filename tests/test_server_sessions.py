"""Sessions: several clients on one project, no lost edits, idle timeout, crashed clients, closing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from test_server_support import data_root, gradient_image, running_server  # noqa: F401  (fixture)

from pixframework.client import connect
from pixframework.errors import Conflict, LimitExceeded, NotFound
from pixframework.project import Project
from pixframework.limits import Limits


def _wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_concurrent_clients_on_one_project_lose_no_edit(data_root: Path) -> None:
    n_clients, strokes = 4, 12
    with running_server(data_root) as (_, address):
        with connect(address) as setup:
            p = setup.create_project("shared.pixf")
            p.add_image(np.zeros((64, 96), np.float32), name="img")
            for k in range(n_clients):
                p.add_class(f"c{k}")
            p.close()
        expected = np.zeros((64, 96), np.uint8)
        failures: list[BaseException] = []

        def worker(k: int) -> None:
            try:
                with connect(address) as client:
                    project = client.open_project("shared.pixf")
                    for i in range(strokes):
                        # each client owns rows 16k..16k+15, so the union is well defined
                        labels = np.zeros((16, 96), np.uint8)
                        labels[i % 16, (i * 7) % 90 : (i * 7) % 90 + 6] = k + 1
                        project.set_labels("img", labels, offset=(16 * k, 0))
                        project.paint("img", k + 1, [[16 * k + 8, 90]], radius=1)
                    project.close(save=False)
            except BaseException as exc:  # collected, asserted in the main thread
                failures.append(exc)

        for k in range(n_clients):
            for i in range(strokes):
                expected[16 * k + i % 16, (i * 7) % 90 : (i * 7) % 90 + 6] = k + 1
            expected[16 * k + 7 : 16 * k + 10, 89:92][[0, 1, 1, 1, 2], [1, 0, 1, 2, 1]] = k + 1
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(n_clients)]
        for t in threads:
            t.start()
        holder = connect(address)
        observer = holder.open_project("shared.pixf")
        for t in threads:
            t.join(60)
        assert not failures, failures
        np.testing.assert_array_equal(observer.get_labels("img"), expected)
        observer.close()
        holder.close()
    with Project.open(data_root / "shared.pixf") as saved:
        np.testing.assert_array_equal(saved.get_labels("img"), expected)


def test_sessions_are_listed_and_share_the_project(data_root: Path) -> None:
    with running_server(data_root) as (_, address), connect(address) as client:
        a = client.create_project("p.pixf")
        b = client.open_project("p.pixf")
        listed = {s["session_id"]: s for s in client.sessions()}
        assert set(listed) == {a.session_id, b.session_id}
        assert all(s["path"] == "p.pixf" and s["sessions_on_project"] == 2 for s in listed.values())
        a.add_class("seen by b")
        assert [c["name"] for c in b.classes] == ["seen by b"]
        with pytest.raises(Conflict, match="open in another session"):
            client.create_project("p.pixf", overwrite=True)
        a.close()
        assert [s["session_id"] for s in client.sessions()] == [b.session_id]
        with pytest.raises(NotFound, match="unknown session"):
            a.classes
        b.close(save=False)
        assert client.sessions() == []
        with pytest.raises(NotFound, match="no project"):
            client.open_project("missing.pixf")


def test_closing_the_last_session_saves_unless_asked_not_to(data_root: Path) -> None:
    with running_server(data_root) as (_, address), connect(address) as client:
        p = client.create_project("keep.pixf")
        p.add_class("kept")
        p.close()
        p = client.open_project("keep.pixf")
        p.add_class("dropped")
        p.close(save=False)
        assert [c["name"] for c in client.open_project("keep.pixf").classes] == ["kept"]


def test_session_limit(data_root: Path) -> None:
    with running_server(data_root, limits=Limits(max_sessions=2)) as (_, address), connect(address) as client:
        client.create_project("a.pixf")
        client.open_project("a.pixf")
        with pytest.raises(LimitExceeded, match="2 sessions"):
            client.open_project("a.pixf")


def test_idle_sessions_time_out_and_their_work_is_saved(data_root: Path) -> None:
    """The reaper's decision is checked at chosen instants (``reap_idle(now=...)``) against the
    sessions' recorded last use, so a loaded machine cannot make a session in use look idle."""
    timeout = 60.0
    with running_server(data_root, limits=Limits(idle_timeout=timeout)) as (server, address), connect(address) as client:
        p = client.create_project("idle.pixf")
        p.add_image(gradient_image(), name="img")
        p.add_class("a")
        p.paint("img", "a", [[5, 5]], radius=2)
        busy = client.create_project("busy.pixf")
        busy.classes  # a call marks the session used
        by_path = {s.path: s for s in server.sessions.list()}
        idle_since, busy_since = by_path["idle.pixf"].last_used, by_path["busy.pixf"].last_used
        assert busy_since > idle_since
        sessions = server.sessions
        assert sessions.reap_idle(now=idle_since + timeout / 2) == []  # not idle for longer than the timeout yet
        # past the idle session's timeout, not the busy one's
        assert sessions.reap_idle(now=(idle_since + busy_since) / 2 + timeout) == [p.session_id]
        assert [s["path"] for s in client.sessions()] == ["busy.pixf"]
        with sessions.use(busy.session_id):  # a session in a call never times out
            assert sessions.reap_idle(now=busy_since + 10 * timeout) == []
        with pytest.raises(NotFound, match="expired"):
            p.images
    with Project.open(data_root / "idle.pixf") as saved:
        assert saved.get_labels("img")[5, 5] == 1


def test_the_reaper_thread_closes_idle_sessions(data_root: Path) -> None:
    # one session only: however slow the machine, it can only be reaped later, never wrongly
    with running_server(data_root, limits=Limits(idle_timeout=0.2)) as (_, address), connect(address) as client:
        p = client.create_project("alone.pixf")
        p.add_class("a")
        assert _wait_for(lambda: client.sessions() == [], timeout=60)
    with Project.open(data_root / "alone.pixf") as saved:
        assert [c["name"] for c in saved.classes] == ["a"]


CRASHING_CLIENT = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from pixframework.client import connect
    from pixframework._proto.v1 import labels_pb2
    from pixframework.wire.arrays import make_header

    client = connect(sys.argv[1])
    project = client.open_project("crash.pixf")

    def stuck_upload():
        yield labels_pb2.SetLabelsRequest(session_id=project.session_id, image="img",
                                          header=make_header((64, 80), np.uint8), data=b"\\1" * 100)
        print("uploading", project.session_id, flush=True)
        time.sleep(600)  # killed here, half-way through the upload

    client._rpc.call(client._rpc.labels.SetLabels, stuck_upload())
    """
)


def test_a_crashed_client_leaves_nothing_locked(data_root: Path, tmp_path: Path) -> None:
    script = tmp_path / "crash.py"
    script.write_text(CRASHING_CLIENT)
    timeout = 60.0
    with running_server(data_root, limits=Limits(idle_timeout=timeout)) as (server, address), connect(address) as client:
        p = client.create_project("crash.pixf")
        p.add_image(gradient_image(), name="img")
        p.add_class("a")
        p.close()
        proc = subprocess.Popen([sys.executable, str(script), address], stdout=subprocess.PIPE, text=True)
        try:
            word, crashed = proc.stdout.readline().split()
            assert word == "uploading" and crashed in [s["session_id"] for s in client.sessions()]
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        # the half-done upload changed nothing, and the project is usable at once by others
        q = client.open_project("crash.pixf")
        assert int(q.get_labels("img").sum()) == 0
        q.paint("img", "a", [[3, 3]], radius=1)
        assert int((q.get_labels("img") > 0).sum()) == 5
        q.save()
        # the server noticed the dead stream: the crashed session is in no call any more, so it is
        # reaped once idle for the timeout; the live one, used since, stays
        sessions = {s.id: s for s in server.sessions.list()}
        assert _wait_for(lambda: sessions[crashed].active_calls == 0, timeout=60)
        assert q.images == ["img"]
        assert sessions[q.session_id].last_used > sessions[crashed].last_used
        between = (sessions[q.session_id].last_used + sessions[crashed].last_used) / 2
        assert server.sessions.reap_idle(now=between + timeout) == [crashed]
        assert [s["session_id"] for s in client.sessions()] == [q.session_id]
