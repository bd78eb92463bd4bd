"""Fuzz every RPC the server offers, as discovered through its own reflection service.

For each method of each pixframework service (and of health checking): an empty message, random
messages (random values for every field, recursively, sometimes with a real session and image),
and garbage bytes, to unary and streaming methods alike. No answer may be INTERNAL or UNKNOWN
(bad input is the caller's fault and must say so), and the server must keep answering.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Iterator

import grpc
import numpy as np
import pytest
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor
from grpc_health.v1 import health_pb2
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase
from test_server_support import gradient_image, labelled, running_server

from pixframework.client import connect
from pixframework.limits import MiB, Limits
from pixframework.server.app import service_names

SEED = 20261204
RANDOM_MESSAGES = 24
GARBAGE_MESSAGES = 4
FORBIDDEN = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN}
#: strings a hostile or confused client might send
NASTY = ["", ".", "..", "../../etc/passwd", "/etc/passwd", "img", "a", "{nickname", "br{ace", "x" * 300, "é\x00",
         "\u202e", "p.pixf", "out.tif", "vol.h5/raw", "{dataset_dir}/../x.tif", "~/x", "uint8", "int7", "float32",
         "gaussian_smoothing", "fast_forest", "random_forest", "xgboost", '{"version": 1, "entries": []}', "yx", "zyxc",
         "probabilities", "none", "-1", "1e309"]  # fmt: skip


class Fuzzer:
    """Random values for protobuf messages, with real names mixed in to reach deeper code."""

    def __init__(self, rng: random.Random, session_ids: list[str]):
        self.rng = rng
        self.session_ids = session_ids

    def string(self, name: str) -> str:
        if name == "session_id" and self.session_ids and self.rng.random() < 0.8:
            return self.rng.choice(self.session_ids)
        if self.rng.random() < 0.7:
            return self.rng.choice(NASTY)
        return "".join(chr(self.rng.randrange(32, 0x2FFF)) for _ in range(self.rng.randrange(0, 20)))

    def scalar(self, field: FieldDescriptor) -> Any:
        t, rng = field.type, self.rng
        if t == FieldDescriptor.TYPE_STRING:
            return self.string(field.name)
        if t == FieldDescriptor.TYPE_BYTES:
            return rng.randbytes(rng.choice([0, 1, 7, 64, 4096]))
        if t == FieldDescriptor.TYPE_BOOL:
            return rng.random() < 0.5
        if t in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
            return rng.choice([0.0, -1.0, 0.5, 3.0, 1e9, -1e300, float("nan"), float("inf"), rng.uniform(-1e3, 1e3)])
        if t == FieldDescriptor.TYPE_ENUM:
            return rng.choice([v.number for v in field.enum_type.values] + [99, -3])
        bits = 32 if t in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32,
                           FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32) else 64  # fmt: skip
        unsigned = t in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED32,
                         FieldDescriptor.TYPE_FIXED64)  # fmt: skip
        low, high = (0, 2**bits - 1) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        return rng.choice([0, 1, 2, 3, 64, 100000, high, low if low else 7, rng.randint(low, high)])

    def fill(self, message: Any, depth: int = 0) -> Any:
        for field in message.DESCRIPTOR.fields:
            if self.rng.random() < 0.25 or depth > 3:
                continue
            is_map = field.message_type is not None and field.message_type.GetOptions().map_entry
            if is_map:
                target = getattr(message, field.name)
                value_field = field.message_type.fields_by_name["value"]
                for _ in range(self.rng.randrange(0, 3)):
                    key = self.string("key")
                    if value_field.message_type is not None:
                        self.fill(target[key], depth + 1)
                    else:
                        target[key] = self.scalar(value_field)
            elif field.is_repeated:
                target = getattr(message, field.name)
                for _ in range(self.rng.randrange(0, 4)):
                    if field.message_type is not None:
                        self.fill(target.add(), depth + 1)
                    else:
                        target.append(self.scalar(field))
            elif field.message_type is not None:
                self.fill(getattr(message, field.name), depth + 1)
                if self.rng.random() < 0.5:
                    getattr(message, field.name).SetInParent()
            else:
                setattr(message, field.name, self.scalar(field))
        return message


class Keeper:
    """Keeps a live session on a project with an image, two classes, labels and a model, so random
    messages reach past "unknown session" (random calls close sessions, remove images, ...)."""

    def __init__(self, address: str, root: Path):
        self.address, self.root = address, root
        self.client = connect(address)
        self.project: Any = None
        self.session_ids: list[str] = []

    def heal(self) -> None:
        live = {s["session_id"] for s in self.client.sessions()}
        if self.project is None or self.project.session_id not in live:
            exists = (self.root / "fuzz.pixf" / "project.json").is_file()
            self.project = self.client.open_project("fuzz.pixf") if exists else self.client.create_project("fuzz.pixf")
        project = self.project
        self.session_ids[:] = [project.session_id]
        if project.images != ["img"] or [c["name"] for c in project.classes] != ["a", "b"]:
            for image in project.images:
                project.remove_image(image)
            for _ in project.classes:
                project.remove_class(1)
            labelled(project)
        if not project.is_trained:
            project.select_features([("gaussian_smoothing", 1.0), ("laplacian_of_gaussian", 1.0)])
            project.set_classifier("fast_forest", n_estimators=2)
            project.train()


@pytest.fixture(scope="module")
def keeper(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keeper]:
    root = tmp_path_factory.mktemp("fuzz")
    np.save(root / "stack.npy", gradient_image())
    limits = Limits(max_message_bytes=4 * MiB, chunk_bytes=1 * MiB, max_upload_bytes=2 * MiB, stream_idle_timeout=5.0)
    with running_server(root, limits=limits) as (_, address):
        keeper = Keeper(address, root)
        keeper.heal()
        yield keeper
        keeper.client.close()


def _methods(channel: grpc.Channel) -> list[tuple[str, Any, bool, bool, Any]]:
    """``(full name, request class, client streaming, server streaming, response class)`` from reflection."""
    pool = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(channel))
    found = []
    for service_name in [*service_names(), "grpc.health.v1.Health"]:
        service = pool.FindServiceByName(service_name)
        for method in service.methods:
            found.append((
                f"/{service.full_name}/{method.name}",
                message_factory.GetMessageClass(method.input_type),
                method.client_streaming,
                method.server_streaming,
                message_factory.GetMessageClass(method.output_type),
            ))  # fmt: skip
    return found


def _call(channel: grpc.Channel, method: str, client_streaming: bool, server_streaming: bool,
          payloads: list[bytes]) -> grpc.StatusCode:  # fmt: skip
    """Send raw ``payloads`` (one for unary requests) and drain the answer; returns the status."""
    make = {(False, False): channel.unary_unary, (False, True): channel.unary_stream,
            (True, False): channel.stream_unary, (True, True): channel.stream_stream}[(client_streaming, server_streaming)]  # fmt: skip
    stub = make(method)  # no serializers: bytes go out as they are
    request = iter(payloads) if client_streaming else payloads[0]
    try:
        if server_streaming:
            for _ in stub(request, timeout=60):
                pass
        else:
            stub(request, timeout=60)
    except grpc.RpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


def test_every_rpc_survives_empty_random_and_garbage_messages(keeper: Keeper) -> None:
    address = keeper.address
    rng = random.Random(SEED)
    fuzzer = Fuzzer(rng, keeper.session_ids)
    failures: list[str] = []
    seen: dict[str, set[str]] = {}
    with grpc.insecure_channel(address) as channel:
        methods = _methods(channel)
        shipped = sum(len(descriptor_pool.Default().FindServiceByName(n).methods) for n in service_names())
        health = len(health_pb2.DESCRIPTOR.services_by_name["Health"].methods)
        assert len(methods) == shipped + health  # reflection found every method
        for name, request_cls, client_streaming, server_streaming, _ in methods:
            if name.endswith("/Watch"):
                continue  # an open-ended stream by design; covered by test_security_streams
            cases: list[tuple[str, list[bytes]]] = [("empty", [b""])]
            for i in range(RANDOM_MESSAGES):
                count = rng.randrange(1, 4) if client_streaming else 1
                cases.append((f"random {i}", [fuzzer.fill(request_cls()).SerializeToString() for _ in range(count)]))
            for i in range(GARBAGE_MESSAGES):
                cases.append((f"garbage {i}", [rng.randbytes(rng.choice([1, 5, 33, 300]))]))
            for label, payloads in cases:
                code = _call(channel, name, client_streaming, server_streaming, payloads)
                seen.setdefault(name, set()).add(code.name)
                if code in FORBIDDEN:
                    failures.append(f"{name} ({label}): {code.name}")
                keeper.heal()
        # the server is still up and still serves real work
        with connect(address) as client:
            project = client.create_project("after-the-fuzz.pixf")
            project.add_image(gradient_image(), name="img")
            np.testing.assert_array_equal(project.read_image("img")[..., 0], gradient_image())
    assert not failures, "\n".join(failures[:40])
    assert any(codes - {"INVALID_ARGUMENT", "NOT_FOUND"} for codes in seen.values())  # deeper paths were reached
