"""Domain errors become the right status codes in one place, for unary and streaming handlers alike;
anything else is INTERNAL and logged with context; the client rebuilds the same exception class."""

from __future__ import annotations

import logging
from concurrent import futures
from typing import Any, Iterator

import grpc
import pytest

from pixframework import errors
from pixframework.errors import Cancelled
from pixframework.server.status import ErrorInterceptor
from pixframework.wire.status import RemoteError, error_from_rpc

SERVICE = "pixframework.test.Probe"
ERRORS = {
    "validation": (errors.ValidationError("shape (3,) does not fit"), grpc.StatusCode.INVALID_ARGUMENT),
    "not_found": (errors.NotFound("no image 'x'"), grpc.StatusCode.NOT_FOUND),
    "not_trained": (errors.NotTrained("train first"), grpc.StatusCode.FAILED_PRECONDITION),
    "conflict": (errors.Conflict("exists"), grpc.StatusCode.FAILED_PRECONDITION),
    "limit": (errors.LimitExceeded("too big"), grpc.StatusCode.RESOURCE_EXHAUSTED),
    "auth": (errors.Unauthenticated("token"), grpc.StatusCode.UNAUTHENTICATED),
    "denied": (errors.PermissionDenied("outside"), grpc.StatusCode.PERMISSION_DENIED),
    "corrupt": (errors.CorruptData("bad tree arrays"), grpc.StatusCode.DATA_LOSS),
    "plugin": (errors.PluginError("fancy_forest", "fit exploded"), grpc.StatusCode.INTERNAL),
    "cancelled": (Cancelled("training was cancelled"), grpc.StatusCode.CANCELLED),
    "bug": (ZeroDivisionError("division by zero"), grpc.StatusCode.INTERNAL),
}


def _unary(request: bytes, context: grpc.ServicerContext) -> bytes:
    raise ERRORS[request.decode()][0]


def _streaming(request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
    yield b"first"
    raise ERRORS[request.decode()][0]


def _client_streaming(requests: Iterator[bytes], context: grpc.ServicerContext) -> bytes:
    for request in requests:
        raise ERRORS[request.decode()][0]
    return b""


@pytest.fixture(scope="module")
def channel() -> Iterator[grpc.Channel]:
    server = grpc.server(futures.ThreadPoolExecutor(4), interceptors=[ErrorInterceptor()])
    handlers = {
        "Unary": grpc.unary_unary_rpc_method_handler(_unary),
        "Streaming": grpc.unary_stream_rpc_method_handler(_streaming),
        "ClientStreaming": grpc.stream_unary_rpc_method_handler(_client_streaming),
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        yield ch
    server.stop(0)


def _calls(channel: grpc.Channel) -> dict[str, Any]:
    return {
        "unary": lambda kind: channel.unary_unary(f"/{SERVICE}/Unary")(kind.encode()),
        "streaming": lambda kind: list(channel.unary_stream(f"/{SERVICE}/Streaming")(kind.encode())),
        "client streaming": lambda kind: channel.stream_unary(f"/{SERVICE}/ClientStreaming")(iter([kind.encode()])),
    }


@pytest.mark.parametrize("shape", ["unary", "streaming", "client streaming"])
@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_each_error_maps_to_its_status_and_back(channel: grpc.Channel, shape: str, kind: str) -> None:
    exc, code = ERRORS[kind]
    with pytest.raises(grpc.RpcError) as excinfo:
        _calls(channel)[shape](kind)
    assert excinfo.value.code() == code
    rebuilt = error_from_rpc(excinfo.value)
    if isinstance(exc, errors.PixfError):
        assert type(rebuilt) is type(exc)
        assert str(rebuilt) == str(exc)
    else:
        assert isinstance(rebuilt, RemoteError) and rebuilt.code == grpc.StatusCode.INTERNAL
    if kind == "plugin":
        assert "fancy_forest" in excinfo.value.details() and rebuilt.plugin == "fancy_forest"


def test_unexpected_errors_are_logged_with_method_and_traceback(
    channel: grpc.Channel, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="pixframework.server"):
        with pytest.raises(grpc.RpcError) as excinfo:
            _calls(channel)["streaming"]("bug")
    assert "ZeroDivisionError" in excinfo.value.details() and "logged on the server" in excinfo.value.details()
    records = [r for r in caplog.records if r.name == "pixframework.server"]
    assert records and f"/{SERVICE}/Streaming" in records[-1].getMessage()
    assert records[-1].exc_info is not None and records[-1].exc_info[0] is ZeroDivisionError


def test_domain_errors_are_not_logged_as_failures(channel: grpc.Channel, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="pixframework.server"):
        with pytest.raises(grpc.RpcError):
            _calls(channel)["unary"]("validation")
    assert not [r for r in caplog.records if r.name == "pixframework.server"]
