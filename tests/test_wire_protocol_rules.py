"""The protocol's naming rules hold for every service the shipped code defines (buf lint checks the
same in CI, `.ci/protos`; this keeps the rule visible in the test suite without npm): one request and
one response message per RPC, named after it, and enum zero values ``*_UNSPECIFIED``."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from pixframework.server import codegen


def _modules() -> list:
    return [
        importlib.import_module("pixframework._proto.v1." + path.stem + "_pb2")
        for path in codegen.proto_files()
    ]


def _upper_snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()


def test_every_rpc_has_its_own_request_and_response() -> None:
    seen: dict[str, str] = {}
    methods = 0
    for module in _modules():
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                methods += 1
                assert method.input_type.name == method.name + "Request", method.full_name
                assert method.output_type.name == method.name + "Response", method.full_name
                for message in (method.input_type.full_name, method.output_type.full_name):
                    assert message not in seen, f"{message} used by {seen.get(message)} and {method.full_name}"
                    seen[message] = method.full_name
    assert methods >= 30


def test_enum_values_carry_their_enum_name_and_zero_is_unspecified() -> None:
    enums = [enum for module in _modules() for enum in module.DESCRIPTOR.enum_types_by_name.values()]
    assert enums
    for enum in enums:
        prefix = _upper_snake(enum.name) + "_"
        assert enum.values_by_number[0].name == prefix + "UNSPECIFIED", enum.full_name
        assert all(value.name.startswith(prefix) for value in enum.values), enum.full_name


def test_ci_runs_buf_lint_and_breaking_against_a_committed_baseline() -> None:
    root = Path(codegen.DEFAULT_PROTO_ROOT).parent
    script = (root / ".ci" / "protos").read_text()
    assert '"$buf" lint' in script and '"$buf" breaking --against .ci/buf/baseline.binpb' in script
    assert (root / ".ci" / "buf" / "baseline.binpb").stat().st_size > 0
    assert (root / ".ci" / "buf" / "package-lock.json").is_file()
    assert "bash .ci/protos" in (root / ".ci" / "run").read_text().splitlines()
