"""Security regressions: unauthenticated and idle streams never starve the callers who matter."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from test_server_support import running_server

from pixframework._proto.v1 import images_pb2, images_pb2_grpc, server_pb2, server_pb2_grpc
from pixframework.limits import Limits
from pixframework.wire.metadata import token_metadata

TOKEN = "token-of-the-people-who-matter"


def test_token_holders_are_answered_while_100_unauthenticated_watches_are_open(tmp_path: Path) -> None:
    with running_server(tmp_path, token=TOKEN, max_workers=8) as (_, address):
        strangers = grpc.insecure_channel(address)
        watches = [
            health_pb2_grpc.HealthStub(strangers).Watch(health_pb2.HealthCheckRequest(service=""))
            for _ in range(100)
        ]
        first: list[int] = []
        readers = [threading.Thread(target=lambda w=w: first.append(next(w).status), daemon=True) for w in watches]
        try:
            for reader in readers:
                reader.start()
            give_up = time.monotonic() + 30  # bounds a hang only
            for reader in readers:
                reader.join(timeout=max(0.0, give_up - time.monotonic()))
            # every stream is really open on the server: each delivered its first status
            assert first.count(health_pb2.HealthCheckResponse.SERVING) == 100
            with grpc.insecure_channel(address) as channel:
                stub = server_pb2_grpc.ServerInfoServiceStub(channel)
                for _ in range(3):
                    info = stub.GetServerInfo(server_pb2.GetServerInfoRequest(), metadata=token_metadata(TOKEN), timeout=1.0).info
                    assert info.auth_required
        finally:
            for watch in watches:
                watch.cancel()
            strangers.close()


class _Silent:
    """A request iterator that sends nothing until released (a client that went quiet)."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        self.release.wait(60)
        raise StopIteration


def test_client_streams_that_send_nothing_are_cancelled_on_a_token_less_server(tmp_path: Path) -> None:
    limits = Limits(stream_idle_timeout=0.5)
    with running_server(tmp_path, limits=limits, max_workers=2) as (server, address):
        with grpc.insecure_channel(address) as channel:
            upload = images_pb2_grpc.ImageServiceStub(channel).UploadImage
            silent = [_Silent() for _ in range(2)]
            calls = [upload.future(s, timeout=60) for s in silent]  # both worker threads now wait on them
            try:
                # still answered: the guard frees the two threads (the deadline only bounds a hang)
                info = server_pb2_grpc.ServerInfoServiceStub(channel).GetServerInfo(
                    server_pb2.GetServerInfoRequest(), timeout=30
                ).info
                assert info.version
                for call in calls:
                    with pytest.raises(grpc.RpcError) as excinfo:
                        call.result(timeout=30)
                    assert excinfo.value.code() == grpc.StatusCode.CANCELLED
                assert server.streams.cancelled == 2
            finally:
                for s in silent:
                    s.release.set()


def test_busy_streams_are_not_cancelled(tmp_path: Path) -> None:
    """Only waiting on the client counts: a normal upload of many chunks goes through."""
    import numpy as np

    from pixframework.client import connect

    limits = Limits(stream_idle_timeout=0.5, chunk_bytes=64 * 1024, max_message_bytes=1 << 20)
    with running_server(tmp_path, limits=limits) as (server, address), connect(address) as client:
        project = client.create_project("p.pixf")
        image = np.random.default_rng(0).random((512, 512), dtype=np.float32)  # 1 MiB: 16 chunks
        project.add_image(image, name="img")
        np.testing.assert_array_equal(project.read_image("img")[..., 0], image)
        assert server.streams.cancelled == 0
        request = images_pb2.ReadImageRequest(session_id=project.session_id, image="img")
        assert len(list(client.stubs.images.ReadImage(request))) == 16


def test_stopping_with_watchers_coming_and_going_tells_them_and_ends(tmp_path: Path) -> None:
    """Shutdown tells open watchers NOT_SERVING and completes, even as others just went away
    (grpc_health's servicer could deadlock here: it sent while holding the lock its close callbacks need)."""
    from pixframework.server.app import create_server

    server, port = create_server("127.0.0.1:0", data_root=tmp_path)
    server.start()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        watches = [health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest()) for _ in range(60)]
        assert all(next(w).status == health_pb2.HealthCheckResponse.SERVING for w in watches)
        for w in watches[::2]:
            w.cancel()
        stopper = threading.Thread(target=server.stop, kwargs={"grace": 1.0})
        stopper.start()
        stopper.join(60)  # bounds a deadlock only
        assert not stopper.is_alive() and server.wait_for_termination(0)
        told = []
        for w in watches[1::2]:
            try:
                told.append(next(w).status)
            except grpc.RpcError:
                told.append(None)
        assert told.count(health_pb2.HealthCheckResponse.NOT_SERVING) == 30
