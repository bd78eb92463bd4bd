"""Readers are lazy: opening gives shape/dtype without loading pixels, and a region read touches
only the chunks/pages it needs. Proof: damage data outside the region, the region still reads,
a whole read reports the damage."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import h5py
import numpy as np
import pytest
import tifffile
import zarr

from pixframework.errors import CorruptData
from pixframework.io.dispatch import create_image, open_image, read_image, write_image

RNG = np.random.default_rng(11)


def scribble(path, offset, size):
    """Overwrite ``size`` bytes at ``offset`` of a file with garbage."""
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(b"\xde\xad\xbe\xef" * (size // 4 + 1))


def test_zarr_region_read_skips_a_damaged_chunk(tmp_path):
    data = RNG.integers(0, 255, (64, 256, 256), dtype=np.uint8)
    path = write_image(tmp_path / "big.zarr", data, "zyx", chunks=(16, 64, 64))
    chunk = tmp_path / "big.zarr" / "c" / "3" / "3" / "3"  # far corner, outside the region below
    chunk.write_bytes(b"not a compressed chunk")
    with open_image(path) as reader:
        assert reader.lazy == "chunks" and reader.chunks == (16, 64, 64)
        np.testing.assert_array_equal(reader[0:16, 0:64, 0:128], data[0:16, 0:64, 0:128])
        with pytest.raises(CorruptData, match=r"region \[0:64, 0:256, 0:256\] of .*big\.zarr.*damaged"):
            reader[...]


def test_zarr_missing_chunks_do_not_matter_for_shape(tmp_path):
    # a huge array with no chunk written at all: opening must not touch pixel data
    zarr.create_array(tmp_path / "huge.zarr", shape=(4096, 4096, 4096), dtype="u2", chunks=(64, 64, 64))
    with open_image(tmp_path / "huge.zarr") as reader:
        assert reader.shape == (4096, 4096, 4096)
        assert reader[100:102, 5:9, 7].shape == (2, 4)


def test_h5_region_read_skips_a_damaged_chunk(tmp_path):
    data = RNG.integers(0, 60000, (32, 256, 256), dtype=np.uint16)
    path = write_image(tmp_path / "big.h5/raw", data, "zyx", chunks=(16, 64, 64))
    with h5py.File(tmp_path / "big.h5", "r") as f:
        info = f["raw"].id.get_chunk_info_by_coord((16, 192, 192))
    scribble(tmp_path / "big.h5", info.byte_offset, info.size)
    with open_image(path) as reader:
        assert reader.lazy == "chunks" and reader.chunks == (16, 64, 64)
        np.testing.assert_array_equal(reader[0:16, 0:128, 0:128], data[0:16, 0:128, 0:128])
        with pytest.raises(CorruptData, match="big.h5"):
            reader[...]


def test_uncompressed_tiff_is_memory_mapped(tmp_path):
    data = RNG.integers(0, 255, (40, 128, 128), dtype=np.uint8)
    path = write_image(tmp_path / "stack.tif", data, "zyx")
    with open_image(path) as reader:
        assert reader.lazy == "memmap"
        assert isinstance(reader._array, np.memmap)
        region = reader[10:12, 5:50, 60:70]
        assert not isinstance(region, np.memmap)  # callers get plain in-memory arrays
        np.testing.assert_array_equal(region, data[10:12, 5:50, 60:70])


def test_compressed_tiff_reads_page_wise(tmp_path):
    data = RNG.integers(0, 255, (12, 96, 96), dtype=np.uint8)
    path = tmp_path / "zip.tif"
    tifffile.imwrite(path, data, compression="zlib", photometric="minisblack", metadata={"axes": "ZYX"})
    with tifffile.TiffFile(path) as tif:
        page = tif.pages[9]
        offset, size = page.dataoffsets[0], page.databytecounts[0]
    scribble(path, offset, size)
    with open_image(path) as reader:
        assert reader.lazy == "chunks"
        np.testing.assert_array_equal(reader[0:4, 10:20], data[0:4, 10:20])
        with pytest.raises(CorruptData, match="zip.tif"):
            reader[...]


def test_npy_is_memory_mapped(tmp_path):
    data = RNG.random((20, 64, 64)).astype(np.float32)
    path = write_image(tmp_path / "vol.npy", data, "zyx")
    with open_image(path) as reader:
        assert reader.lazy == "memmap" and isinstance(reader._array, np.memmap)
        np.testing.assert_array_equal(reader[3:5, :, 7], data[3:5, :, 7])


def test_large_buffered_output_lives_on_disk_not_in_memory(tmp_path, monkeypatch):
    from pixframework.io import writer as writer_module

    monkeypatch.setattr(writer_module, "MEMORY_BUFFER_LIMIT", 1024)
    data = RNG.integers(0, 255, (64, 64, 3), dtype=np.uint8)
    w = create_image(tmp_path / "pic.tif", data.shape, data.dtype, "yxc", compression="zlib")
    assert isinstance(w._buffer, np.memmap)
    w[...] = data
    w.close()
    assert sorted(os.listdir(tmp_path)) == ["pic.tif"]  # buffer and temp file are gone
    with open_image(tmp_path / "pic.tif") as reader:
        np.testing.assert_array_equal(reader[...], data)


@pytest.mark.parametrize(
    "name,options",
    [
        ("t.tif", {"compression": "zlib"}),
        ("t.tif", {}),
        ("t.zarr", {}),
        ("t.ome.zarr", {}),
        ("t.h5/d", {}),
        ("t.npy", {}),
    ],
)
def test_region_reads_from_many_threads(tmp_path, name, options):
    data = RNG.integers(0, 60000, (8, 300, 300), dtype=np.uint16)
    path = write_image(tmp_path / name, data, "zyx", **options)
    blocks = [
        (slice(z, z + 2), slice(y, y + 100), slice(x, x + 100))
        for z in range(0, 8, 2)
        for y in range(0, 300, 100)
        for x in range(0, 300, 100)
    ]
    with open_image(path) as reader, ThreadPoolExecutor(4) as pool:
        parts = list(pool.map(lambda key: (key, reader[key]), blocks))
    out = np.zeros_like(data)
    for key, part in parts:
        out[key] = part
    np.testing.assert_array_equal(out, data)


def test_chunk_aligned_writes_from_many_threads(tmp_path):
    data = RNG.random((4, 128, 128)).astype(np.float32)
    for name in ("w.zarr", "w.ome.zarr", "w.h5/d", "w.tif", "w.npy"):
        with create_image(
            tmp_path / name,
            data.shape,
            data.dtype,
            "zyx",
            **({"chunks": (2, 64, 64)} if "zarr" in name or "h5" in name else {}),
        ) as writer:
            keys = [
                (slice(z, z + 2), slice(y, y + 64), slice(x, x + 64))
                for z in (0, 2)
                for y in (0, 64)
                for x in (0, 64)
            ]
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda key: writer.__setitem__(key, data[key]), keys))
        np.testing.assert_array_equal(read_image(writer.path), data)
