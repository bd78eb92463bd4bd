"""Large arrays cross the wire in chunks, both ways, without hitting gRPC message limits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from test_server_support import data_root, running_server  # noqa: F401  (fixture)

from pixframework.client import connect
from pixframework.limits import MiB, Limits


def test_a_4096x4096x3_float32_array_streams_to_the_client(data_root: Path) -> None:
    big = np.empty((4096, 4096, 3), np.float32)  # 192 MiB, 48x the server's message limit below
    big[...] = np.arange(4096, dtype=np.float32)[:, None, None]
    big[..., 1] += 0.5
    big[-1, -1, 2] = -7.25
    np.save(data_root / "big.npy", big)
    limits = Limits(max_message_bytes=4 * MiB, chunk_bytes=2 * MiB)
    with running_server(data_root, limits=limits) as (_, address), connect(address) as client:
        project = client.create_project("big.pixf")
        name = project.add_image("big.npy", axes="yxc", copy=False)
        back = project.read_image(name)
        assert back.shape == big.shape and back.dtype == np.float32
        assert np.array_equal(back, big)
        project.close(save=False)


def test_uploads_larger_than_one_message_arrive_whole(data_root: Path) -> None:
    rng = np.random.default_rng(5)
    image = rng.integers(0, 65535, (1500, 1300), dtype=np.uint16)  # 3.7 MiB over 1 MiB messages
    labels = np.zeros((1500, 1300), np.uint8)
    labels[::7, ::5] = 1
    labels[3::11, 2::3] = 2
    limits = Limits(max_message_bytes=1 * MiB + 128 * 1024, chunk_bytes=1 * MiB)
    with running_server(data_root, limits=limits) as (_, address), connect(address) as client:
        project = client.create_project("up.pixf")
        name = project.add_image(image)
        project.add_class("a")
        project.add_class("b")
        project.set_labels(name, labels)
        np.testing.assert_array_equal(project.read_image(name)[..., 0], image)
        np.testing.assert_array_equal(project.get_labels(name), labels)
        window = (slice(100, 355), slice(1000, 1300))
        np.testing.assert_array_equal(project.get_labels(name, window), labels[window])
        np.testing.assert_array_equal(project.read_image(name, (slice(1400, None), slice(None, 7)))[..., 0], image[1400:, :7])
