"""Security regressions: limits are checked before any work starts and answered with
RESOURCE_EXHAUSTED (or INVALID_ARGUMENT), never with an allocation that fails later as INTERNAL."""

from __future__ import annotations

import threading
import tracemalloc
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
import tifffile
import zarr
from test_server_support import gradient_image, running_server

from pixframework import Project
from pixframework._proto.v1 import arrays_pb2, images_pb2, server_pb2
from pixframework.client import Client, connect
from pixframework.errors import LimitExceeded, ValidationError
from pixframework.limits import MiB, Limits
from pixframework.painting import stroke_mask
from pixframework.server.servicers.info import limits_message
from pixframework.wire.arrays import ArrayReceiver


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, Client]]:
    root = tmp_path / "data"
    root.mkdir()
    with running_server(root, limits=Limits(max_work_bytes=8 * MiB)) as (_, address), connect(address) as client:
        yield root, client


def _project(client: Client, name: str = "p.pixf") -> object:
    project = client.create_project(name)
    project.add_image(gradient_image((256, 256)), name="img")
    project.add_class("a")
    project.add_class("b")
    return project


def test_strokes_are_bounded_before_anything_is_allocated(served: tuple[Path, Client], tmp_path: Path) -> None:
    _, client = served
    remote = _project(client)
    with Project.create(tmp_path / "embedded.pixf") as embedded:
        embedded.add_image(gradient_image((256, 256)), name="img")
        embedded.add_class("a")
        for project in (remote, embedded):
            with pytest.raises(LimitExceeded, match="max_brush_radius"):
                project.paint("img", "a", [[10, 10]], radius=1e9)
            with pytest.raises(LimitExceeded, match="max_stroke_length"):
                project.paint("img", "a", [[0, 0], [1e7, 1e7]], radius=1)
            assert project.paint("img", "a", [[10, 10], [40, 200]], radius=3) > 0
            assert project.paint("img", "a", [[-1e9, -1e9]], radius=3) == 0  # outside the image: nothing to do
    small = Limits(max_stroke_pixels=10_000)
    with pytest.raises(LimitExceeded, match="max_stroke_pixels"):
        stroke_mask(np.array([[50.0, 50.0]]), 50, (256, 256), small)  # one stamp visits 101 x 101 pixels
    with pytest.raises(LimitExceeded, match="the box the stroke covers"):
        stroke_mask(np.array([[0.0, 0.0], [0.0, 255.0], [255.0, 255.0]]), 0, (256, 256), small)
    region, mask = stroke_mask(np.array([[10.0, 10.0], [10.0, 60.0]]), 2, (256, 256), small)
    assert mask.sum() == 51 * 5 + 2 * 4  # a 5-wide band plus two round caps of 4: the geometry is unchanged


def test_classes_and_classifier_threads_are_bounded(served: tuple[Path, Client]) -> None:
    _, client = served
    project = client.create_project("classes.pixf")
    for i in range(Limits().max_classes):
        project.add_class(f"c{i}")
    with pytest.raises(LimitExceeded, match="max_classes"):
        project.add_class("one too many")
    for name in ("fast_forest", "random_forest", "xgboost"):
        with pytest.raises(LimitExceeded, match="max_threads"):
            project.set_classifier(name, threads=4096)
    project.set_classifier("fast_forest", threads=2)


def test_a_declared_upload_size_allocates_nothing_until_bytes_arrive(served: tuple[Path, Client]) -> None:
    header = arrays_pb2.ArrayHeader(dtype="uint8", shape=[32768, 32768])
    receiver = ArrayReceiver(header, max_bytes=4096 * MiB)
    assert receiver.nbytes == 32768 * 32768 and receiver.received == 0
    receiver.add(b"\x00" * 1000)
    assert receiver.received == 1000
    # over the wire: a header claiming 1 GiB and a few bytes cost a few bytes, and are refused clearly
    _, client = served
    project = client.create_project("upload.pixf")
    first = images_pb2.UploadImageRequest(session_id=project.session_id, header=header, data=b"\x00" * 1000)
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError, match="needs 1073741824"):
            client.stubs.call(client.stubs.images.UploadImage, iter([first]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * MiB
    too_big = images_pb2.UploadImageRequest(
        session_id=project.session_id, header=arrays_pb2.ArrayHeader(dtype="float64", shape=[32768, 32768, 4])
    )
    with pytest.raises(LimitExceeded, match="at most"):
        client.stubs.call(client.stubs.images.UploadImage, iter([too_big]))


def test_images_too_large_to_decode_are_refused_when_added(served: tuple[Path, Client]) -> None:
    root, client = served
    # a deflate TIFF of a few hundred KB holding one 20000 x 20000 strip (400 MB decoded)
    tifffile.imwrite(root / "bomb.tif", np.zeros((20000, 20000), np.uint8), compression="zlib", rowsperstrip=20000)
    assert (root / "bomb.tif").stat().st_size < 1 * MiB
    zarr.create_array(store=str(root / "huge.zarr"), shape=(10**12, 10**12), chunks=(256, 256), dtype="u1", zarr_format=3)
    project = client.create_project("big.pixf")
    with pytest.raises(LimitExceeded, match="max_chunk_bytes"):
        project.add_image("bomb.tif")
    with pytest.raises(LimitExceeded, match="max_image_pixels"):
        project.add_image("huge.zarr")
    assert project.images == []


def test_calls_needing_too_much_memory_are_refused_before_work(served: tuple[Path, Client]) -> None:
    _, client = served
    project = _project(client)
    project.paint("img", "a", [[10, 10]], radius=3)
    project.paint("img", "b", [[200, 200]], radius=3)
    project.set_classifier("fast_forest", n_estimators=3)
    project.train()
    # whole-image features of 256 x 256 are 12 MiB, over this server's 8 MiB
    with pytest.raises(LimitExceeded, match="max_work_bytes"):
        project.predict("img")
    assert project.predict("img", region=(slice(0, 64), slice(0, 64))).shape == (64, 64, 2)
    assert project.read_image("img").shape == (256, 256, 1)  # 256 KiB of pixels: well inside


def test_embedded_projects_take_limits_too(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.pixf", limits=Limits(max_work_bytes=1024, max_classes=1)) as project:
        project.add_image(gradient_image((64, 64)), name="img")
        project.add_class("only")
        with pytest.raises(LimitExceeded, match="max_classes"):
            project.add_class("second")
        with pytest.raises(LimitExceeded, match="max_work_bytes"):
            project.read_image("img")  # 16 KiB


def test_server_info_reports_every_limit(tmp_path: Path) -> None:
    limits = Limits(max_classes=7, max_threads=3, stream_idle_timeout=9.0)
    wire = limits_message(limits)
    assert len(wire.DESCRIPTOR.fields) == len(limits.to_json())  # a new limit must reach the wire
    with running_server(tmp_path, limits=limits) as (_, address), connect(address) as client:
        reported = client.server_info()["limits"]
    assert reported["max_classes"] == 7 and reported["max_threads"] == 3
    assert reported["stream_idle_timeout_seconds"] == 9.0
    assert set(reported) == {f.name for f in server_pb2.Limits.DESCRIPTOR.fields}


def test_limits_are_validated() -> None:
    for bad in ({"max_classes": 0}, {"max_brush_radius": float("nan")}, {"idle_timeout": -1}, {"max_threads": True},
                {"chunk_bytes": 16 * MiB}):  # fmt: skip
        with pytest.raises(ValidationError):
            Limits(**bad)
    assert Limits(idle_timeout=0, stream_idle_timeout=0).idle_timeout == 0


def test_thread_limit_lets_the_default_run(served: tuple[Path, Client]) -> None:
    _, client = served
    project = _project(client, "threads.pixf")
    project.paint("img", "a", [[10, 10]], radius=3)
    project.paint("img", "b", [[200, 200]], radius=3)
    project.set_classifier("fast_forest", n_estimators=4, threads=0)  # 0: every core
    done = threading.Event()
    project.train(progress=lambda f, m: done.set() if f >= 1 else None)
    assert done.is_set() and project.is_trained


def test_pixf_serve_sets_any_limit_from_the_command_line() -> None:
    from pixframework.commands.serve import parse_limits

    assert parse_limits(["max_classes=32", "max_work_bytes=2e9", "stream_idle_timeout=2.5"]) == {
        "max_classes": 32, "max_work_bytes": 2_000_000_000, "stream_idle_timeout": 2.5,
    }  # fmt: skip
    for bad in (["nope=1"], ["max_classes"], ["max_classes=many"], ["max_classes=2.5"]):
        with pytest.raises(ValidationError, match="--limit"):
            parse_limits(bad)
