"""Shared helpers for the server/client tests (a real server on 127.0.0.1, port 0), plus the
tests of what every server offers: health checking, reflection, server info."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Iterator

import grpc
import numpy as np
import pytest

from pixframework.client import Client, connect
from pixframework.server.app import PixfServer, create_server, service_names


@contextlib.contextmanager
def running_server(data_root: Path, **kwargs: Any) -> Iterator[tuple[PixfServer, str]]:
    """A started server on a free loopback port; stopped (projects saved) on exit."""
    server, port = create_server("127.0.0.1:0", data_root=data_root, **kwargs)
    server.start()
    try:
        yield server, f"127.0.0.1:{port}"
    finally:
        server.stop(grace=1.0)


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    root.mkdir()
    return root


@pytest.fixture
def server(data_root: Path) -> Iterator[tuple[PixfServer, str]]:
    with running_server(data_root) as running:
        yield running


@pytest.fixture
def client(server: tuple[PixfServer, str]) -> Iterator[Client]:
    with connect(server[1]) as c:
        yield c


def gradient_image(shape: tuple[int, ...] = (64, 80), seed: int = 0) -> np.ndarray:
    """A small float32 test image: a smooth ramp plus noise."""
    rng = np.random.default_rng(seed)
    ramp = np.add.outer(*(np.linspace(0, 1, s, dtype=np.float32) for s in shape[:2]))
    return (ramp + 0.1 * rng.standard_normal(shape[:2])).astype(np.float32)


def labelled(project: Any, name: str = "img", shape: tuple[int, ...] = (64, 80)) -> Any:
    """``project`` (embedded or remote) with a test image, classes ``a`` and ``b`` and a stroke of each."""
    project.add_image(gradient_image(shape), name=name)
    project.add_class("a")
    project.add_class("b")
    project.paint(name, "a", [[5, 5]], radius=2)
    project.paint(name, "b", [[shape[0] - 14, shape[1] - 10]], radius=2)
    return project


def status_of(excinfo: pytest.ExceptionInfo) -> grpc.StatusCode:
    return excinfo.value.code()


# --------------------------------------------------------------------------- tests


def test_health_reports_serving_for_every_service(server: tuple[PixfServer, str]) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(server[1]) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for name in ["", *service_names()]:
            reply = stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING, name
        with pytest.raises(grpc.RpcError) as excinfo:
            stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=5)
        assert status_of(excinfo) == grpc.StatusCode.NOT_FOUND


def test_reflection_lists_the_services_and_their_protos(server: tuple[PixfServer, str]) -> None:
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    with grpc.insecure_channel(server[1]) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        requests = [
            reflection_pb2.ServerReflectionRequest(list_services=""),
            reflection_pb2.ServerReflectionRequest(file_containing_symbol="pixframework.v1.PredictionService"),
        ]
        listing, files = list(stub.ServerReflectionInfo(iter(requests), timeout=5))
    names = {s.name for s in listing.list_services_response.service}
    assert set(service_names()) <= names
    assert "grpc.health.v1.Health" in names
    assert files.file_descriptor_response.file_descriptor_proto  # the .proto travels, for any language


def test_server_info_reports_version_plugins_and_limits(client: Client) -> None:
    import pixframework
    from pixframework.registry import get_registry

    info = client.server_info()
    assert info["version"] == pixframework.__version__
    assert info["api_version"] == "v1"
    assert [(p["kind"], p["name"]) for p in info["plugins"]] == [(e.kind, e.name) for e in get_registry().entries]
    assert info["limits"]["chunk_bytes"] <= info["limits"]["max_message_bytes"]
    assert info["auth_required"] is False and info["tls"] is False


def test_filters_and_classifiers_are_listed_from_the_registry(client: Client) -> None:
    from pixframework.features.selection import DEFAULT_SCALES
    from pixframework.registry import get_registry

    registry = get_registry()
    listing = client.list_filters()
    assert listing["default_scales"] == list(DEFAULT_SCALES)
    assert [f["name"] for f in listing["filters"]] == list(registry.filters)
    for f in listing["filters"]:
        spec = registry.filter(f["name"])
        assert (f["min_scale"], f["dims"], f["plugin"]) == (spec.min_scale, list(spec.dims), spec.plugin)
        assert f["n_outputs_2d"] == (spec.n_outputs(2) if 2 in spec.dims else 0)
    classifiers = client.list_classifiers()
    assert [c["name"] for c in classifiers] == list(registry.classifiers)
    for c in classifiers:
        assert c["parameters"] == [p.to_json() for p in registry.classifier(c["name"]).parameters]


def test_connect_is_exported_lazily_and_fails_clearly_without_a_server() -> None:
    import socket

    import pixframework
    from pixframework.client import RemoteError

    assert pixframework.connect is connect
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RemoteError, match="no pixframework server answered") as excinfo:
        connect(f"127.0.0.1:{port}", timeout=0.5)
    assert excinfo.value.code == grpc.StatusCode.UNAVAILABLE
