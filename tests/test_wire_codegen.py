"""The generated code shipped in pixframework/_proto matches protos/ (fails when someone forgets
`python -m pixframework.server.codegen` after editing a .proto)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

pytest.importorskip("grpc_tools")

from google.protobuf import descriptor_pb2  # noqa: E402

from pixframework.server import codegen  # noqa: E402

SHIPPED = codegen.DEFAULT_OUT_DIR


def _tool_version(text: str) -> str | None:
    found = re.search(r"GRPC_GENERATED_VERSION = '([^']+)'", text)
    return found.group(1) if found else None


def _without_json_names(file: descriptor_pb2.FileDescriptorProto) -> descriptor_pb2.FileDescriptorProto:
    # protoc fills json_name in descriptor sets but the Python generator leaves it out
    file = descriptor_pb2.FileDescriptorProto.FromString(file.SerializeToString())
    pending = list(file.message_type)
    while pending:
        message = pending.pop()
        pending.extend(message.nested_type)
        for field in message.field:
            field.ClearField("json_name")
    return file


def test_shipped_descriptors_equal_the_protos() -> None:
    # independent of the grpcio-tools version: compares the compiled protos themselves
    fresh = descriptor_pb2.FileDescriptorSet.FromString(codegen.descriptor_set())
    assert fresh.file, "protoc produced no descriptors"
    for file in fresh.file:
        module = importlib.import_module("pixframework._proto.v1." + Path(file.name).stem + "_pb2")
        shipped = descriptor_pb2.FileDescriptorProto.FromString(module.DESCRIPTOR.serialized_pb)
        assert _without_json_names(shipped) == _without_json_names(file), f"{file.name} changed: run `python -m pixframework.server.codegen`"


def test_regenerating_gives_the_shipped_files(tmp_path: Path) -> None:
    written = codegen.generate(out_dir=tmp_path)
    fresh = {p.relative_to(tmp_path).as_posix(): p.read_text() for p in written}
    shipped = {p.relative_to(SHIPPED).as_posix(): p.read_text() for p in SHIPPED.rglob("*") if p.is_file() and p.suffix in (".py", ".pyi")}
    assert sorted(fresh) == sorted(shipped), "generated file set differs: run `python -m pixframework.server.codegen`"
    probe = fresh["v1/sessions_pb2_grpc.py"]
    if _tool_version(probe) != _tool_version(shipped["v1/sessions_pb2_grpc.py"]):
        pytest.skip("installed grpcio-tools differs from the one that generated the shipped code; descriptors compared above")
    stale = [name for name in fresh if fresh[name] != shipped[name]]
    assert not stale, f"stale generated code {stale}: run `python -m pixframework.server.codegen`"


def test_generated_modules_import_each_other_relatively() -> None:
    for path in SHIPPED.rglob("*.py"):
        assert "from pixframework.v1" not in path.read_text(), path
