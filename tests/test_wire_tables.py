"""The wire package is shared by server and client: one table per mapping, read both ways,
and the client does not depend on the server package."""

from __future__ import annotations

import subprocess
import sys

import grpc
import pytest

from pixframework import errors
from pixframework._proto.v1 import images_pb2, prediction_pb2
from pixframework.errors import ValidationError
from pixframework.outputs import OUTPUTS as OUTPUT_NAMES
from pixframework.wire import enums, status


def test_the_client_imports_nothing_from_the_server_package() -> None:
    code = "import sys, pixframework.client; print(sorted(m for m in sys.modules if m.startswith('pixframework.server')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    "table, enum",
    [(enums.OUTPUTS, prediction_pb2.Output), (enums.COPY_MODES, images_pb2.CopyMode)],
    ids=["outputs", "copy modes"],
)
def test_every_enum_number_maps_to_one_value_and_back(table: enums.EnumTable, enum: object) -> None:
    numbers = list(enum.values())  # type: ignore[attr-defined]
    sent = sorted(table.to_wire(v) for v in table.values)
    assert sent == sorted(numbers) or sent == sorted(n for n in numbers if n != 0)  # zero may be only read
    for number in numbers:
        if number in sent:
            assert table.to_wire(table.from_wire(number)) == number
    with pytest.raises(ValidationError, match="unknown"):
        table.from_wire(max(numbers) + 1)
    with pytest.raises(ValidationError, match="choose one of"):
        table.to_wire("nonsense")


def test_the_output_table_covers_exactly_the_core_outputs() -> None:
    assert enums.OUTPUTS.values == OUTPUT_NAMES


def test_unset_enum_fields_mean_the_python_defaults() -> None:
    # proto3 zero values are *_UNSPECIFIED: an unset output is probabilities, an unset copy mode lets the project decide
    assert prediction_pb2.Output.Name(0) == "OUTPUT_UNSPECIFIED" and enums.OUTPUTS.from_wire(0) == "probabilities"
    assert images_pb2.CopyMode.Name(0) == "COPY_MODE_UNSPECIFIED" and enums.COPY_MODES.from_wire(0) is None


class _Failed(grpc.RpcError):
    """A failed call as the client sees it: code, details, trailing metadata."""

    def __init__(self, code: grpc.StatusCode, trailing: tuple = ()):
        self._code, self._trailing = code, trailing

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return "why"

    def trailing_metadata(self) -> tuple:
        return self._trailing


@pytest.mark.parametrize("cls", list(status.STATUS_CODES), ids=lambda c: c.__name__)
def test_every_domain_error_survives_the_trip_with_and_without_its_class_name(cls: type) -> None:
    exc = cls("fancy", "boom") if cls is errors.PluginError else cls("boom")
    code = status.code_for(exc)
    named = status.error_from_rpc(_Failed(code, status.trailing_metadata(exc)))
    assert type(named) is cls
    # without a class name the client still raises an error mapped to the same code (or RemoteError for INTERNAL)
    anonymous = status.error_from_rpc(_Failed(code))
    if code is grpc.StatusCode.INTERNAL:
        assert isinstance(anonymous, status.RemoteError)
    else:
        assert status.code_for(anonymous) is code
