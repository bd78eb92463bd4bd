"""Round trips through every built-in format: write with write_image/create_image, read back lazily."""

from __future__ import annotations

import numpy as np
import pytest

from pixframework.io.axes import to_canonical
from pixframework.io.dispatch import create_image, find_format, open_image, read_image, write_image

RNG = np.random.default_rng(7)


def sample(shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return RNG.random(shape).astype(dtype)
    if dtype.kind == "b":
        return RNG.random(shape) > 0.5
    info = np.iinfo(dtype)
    return RNG.integers(info.min, int(info.max) + 1, shape, dtype=dtype)


def same_pixels(written, axes, read, read_axes):
    """Compare in canonical order, so axis reordering and dropped singleton axes do not matter."""
    expected, _ = to_canonical(written, axes)
    got, _ = to_canonical(read, read_axes if read_axes is not None else axes)
    np.testing.assert_array_equal(got, expected)


CASES = [
    # (path, shape, axes, dtype, options)
    ("gray.tif", (33, 47), "yx", "uint16", {}),
    ("rgb.tif", (33, 47, 3), "yxc", "uint8", {}),
    ("rgba.tif", (20, 21, 4), "yxc", "uint8", {}),
    ("stack.tif", (5, 33, 47), "zyx", "float32", {}),
    ("multi.ome.tif", (4, 19, 23, 6), "zyxc", "float32", {}),
    ("planes.tif", (3, 40, 30), "cyx", "int16", {"compression": "zlib"}),
    ("big.tif", (300, 290, 2), "yxc", "uint8", {"compression": "zlib"}),
    ("plain.tif", (6, 10, 12), "zyx", "uint32", {"ome": False}),
    ("gray8.png", (31, 45), "yx", "uint8", {}),
    ("gray16.png", (31, 45), "yx", "uint16", {}),
    ("rgb16.png", (31, 45, 3), "yxc", "uint16", {}),
    ("rgba.png", (31, 45, 4), "yxc", "uint8", {}),
    ("cfirst.png", (3, 31, 45), "cyx", "uint8", {}),
    ("one.png", (31, 45, 1), "yxc", "uint8", {}),
    ("vol.npy", (4, 9, 11), "zyx", "float64", {}),
    ("mask.npy", (9, 11), "yx", "bool", {}),
    ("vol.zarr", (5, 17, 19), "zyx", "uint16", {}),
    ("v2.zarr", (17, 19, 2), "yxc", "float32", {"zarr_format": 2}),
    ("group.zarr/raw/data", (17, 19), "yx", "int8", {"chunks": (8, 8)}),
    ("img.ome.zarr", (17, 19, 3), "yxc", "float32", {}),
    ("vol.ome.zarr", (6, 17, 19, 2), "zyxc", "uint8", {"version": "0.5"}),
    ("noc.ome.zarr", (6, 17, 19), "zyx", "uint16", {"version": "0.4"}),
    ("data.h5/group/volume", (5, 17, 19), "zyx", "float32", {}),
    ("plain.h5", (17, 19, 3), "yxc", "uint8", {"compression": "lzf"}),
    ("raw.hdf5/x", (17, 19), "yx", "int32", {"compression": "none"}),
]


@pytest.mark.parametrize("name,shape,axes,dtype,options", CASES, ids=[c[0] for c in CASES])
def test_round_trip(tmp_path, name, shape, axes, dtype, options):
    data = sample(shape, dtype)
    written = write_image(tmp_path / name, data, axes, **options)
    with open_image(written) as reader:
        assert reader.dtype == data.dtype
        if reader.axes is not None:
            assert sorted(reader.axes) == sorted(
                a for a, n in zip(axes, shape) if n > 1 or reader.ndim == len(shape)
            )
        same_pixels(data, axes, reader[...], reader.axes)


def test_region_reads_match_numpy_slicing(tmp_path):
    data = sample((6, 20, 30), "uint16")
    for name in ("r.tif", "r.npy", "r.zarr", "r.h5", "r.ome.zarr"):
        path = write_image(tmp_path / name, data, "zyx")
        region = (slice(1, 4), slice(5, 17), slice(3, 29, 2))
        np.testing.assert_array_equal(read_image(path, region=region), data[region])
        with open_image(path) as reader:
            np.testing.assert_array_equal(reader[2], data[2])  # integers drop the axis, as in numpy
            np.testing.assert_array_equal(reader[..., -1], data[..., -1])


def test_jpeg_round_trip_is_close(tmp_path):
    y, x = np.mgrid[0:48, 0:64]
    gray = (100 + 80 * np.sin(y / 9.0) * np.cos(x / 11.0)).astype(np.uint8)
    rgb = np.stack([gray, gray[::-1], 255 - gray], axis=-1)
    for name, data, axes in (("g.jpg", gray, "yx"), ("c.jpeg", rgb, "yxc")):
        path = write_image(tmp_path / name, data, axes, quality=98)
        with open_image(path) as reader:
            assert reader.axes == axes and reader.dtype == np.uint8 and reader.lazy == "eager"
            assert np.abs(reader[...].astype(int) - data).mean() < 2.0


def test_writer_streams_regions_in_given_axes_order(tmp_path):
    data = sample((3, 40, 50), "float32")  # channel-first input
    for name in ("s.ome.zarr", "s.tif", "s.h5", "s.zarr", "s.npy"):
        with create_image(tmp_path / name, data.shape, data.dtype, "cyx") as writer:
            for top in range(0, 40, 16):
                writer[:, top : top + 16, :] = data[:, top : top + 16, :]
        with open_image(writer.path) as reader:
            same_pixels(data, "cyx", reader[...], reader.axes)


def test_chunked_writers_report_chunks_in_writer_axes(tmp_path):
    for name in ("c.zarr", "c.ome.zarr", "c.h5"):
        writer = create_image(tmp_path / name, (100, 90, 4), "float32", "yxc", chunks=(32, 30, 4))
        assert writer.chunks == (32, 30, 4)
        assert find_format(tmp_path / name, mode="w").chunked
        writer.close()


def test_unwritten_regions_read_as_zero(tmp_path):
    for name in ("z.tif", "z.png", "z.zarr", "z.npy"):
        with create_image(tmp_path / name, (10, 12), "uint8", "yx") as writer:
            writer[2:4, 3:5] = 7
        expected = np.zeros((10, 12), np.uint8)
        expected[2:4, 3:5] = 7
        np.testing.assert_array_equal(read_image(writer.path), expected)


def test_big_endian_files_read_in_native_byte_order(tmp_path):
    import h5py
    import tifffile

    data = np.arange(60, dtype=">u2").reshape(6, 10)
    np.save(tmp_path / "be.npy", data)
    tifffile.imwrite(tmp_path / "be.tif", data, byteorder=">")
    with h5py.File(tmp_path / "be.h5", "w") as f:
        f["d"] = data
    for name in ("be.npy", "be.tif", "be.h5/d"):
        with open_image(tmp_path / name) as reader:
            assert reader.dtype == np.dtype("uint16") and reader.dtype.isnative
            region = reader[1:3]
            assert region.dtype.isnative
            np.testing.assert_array_equal(region, data[1:3])
