"""Operating-system failures reach users as clear statuses, from the one mapping place."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import numpy as np
import pytest
from test_server_support import labelled, running_server

from pixframework._proto.v1 import prediction_pb2
from pixframework.client import connect
from pixframework.errors import Conflict, LimitExceeded, NotFound, PermissionDenied, ValidationError
from pixframework.os_errors import as_domain_error
from pixframework.server.app import create_server


def _raised(action) -> BaseException:
    try:
        action()
    except BaseException as exc:  # noqa: BLE001 - the real error of a real system call
        return exc
    raise AssertionError("the system call did not fail")


def test_real_system_errors_become_domain_errors(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    cases = [
        (lambda: open(tmp_path / ("n" * 300), "w"), ValidationError, "255 bytes"),
        (lambda: open(tmp_path / "file" / "below.tif", "w"), ValidationError, "is a file, not a folder"),
        (lambda: open(tmp_path / "missing.tif"), NotFound, "does not exist"),
        (lambda: (tmp_path / "file").mkdir(), Conflict, "already exists"),
        (lambda: open("/sys/kernel/notes", "w"), PermissionDenied, "permission denied"),  # even for root
        (lambda: open("/dev/full", "wb", buffering=0).write(b"x"), LimitExceeded, "no space left"),
    ]
    for action, cls, message in cases:
        exc = _raised(action)
        mapped = as_domain_error(exc)
        assert isinstance(mapped, cls) and message in str(mapped), (exc, mapped)
    assert isinstance(as_domain_error(MemoryError()), LimitExceeded)
    assert as_domain_error(OSError(errno.EIO, "I/O error")) is None  # not the user's to fix: INTERNAL
    shown = as_domain_error(OSError(errno.EACCES, "denied", "/srv/data/x.tif"), show=lambda p: "x.tif")
    assert "'x.tif'" in str(shown) and "/srv" not in str(shown)


def test_os_errors_over_the_wire_are_not_internal(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder is expected")
    with running_server(tmp_path) as (_, address), connect(address) as client:
        with pytest.raises(ValidationError, match="not a folder"):
            client.create_project("blocker/p.pixf")
        project = labelled(client.create_project("p.pixf"))
        project.set_classifier("fast_forest", n_estimators=2)
        project.train()
        with pytest.raises(ValidationError):
            project.export("img", "blocker/out.tif", output="segmentation")
        with pytest.raises(ValidationError, match="255"):
            project.export("img", "y" * 250 + "{nickname}_{result_type}.tif", output="segmentation")
        bad_dtype = prediction_pb2.ExportRequest(session_id=project.session_id, image="img", path="o.tif", dtype="int7")
        with pytest.raises(ValidationError, match="not a pixel type"):  # checked by the server, whatever the client
            client.stubs.call(client.stubs.prediction.Export, bad_dtype)
        assert project.export("img", "out.tif", output="segmentation") == "out.tif"
        assert np.asarray(project.predict("img", output="segmentation")).shape == (64, 80)


def test_a_port_in_use_is_named_as_such(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ValidationError, match="port is in use"):
            create_server(f"127.0.0.1:{port}", data_root=tmp_path)
    with pytest.raises(ValidationError, match="unknown"):
        create_server("no-such-host.invalid:5000", data_root=tmp_path, token="t0ken")
