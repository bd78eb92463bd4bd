"""Bad input files give domain errors naming the path and the reason, never raw library errors."""

from __future__ import annotations

import os

import h5py
import numpy as np
import pytest
import zarr

from pixframework.errors import CorruptData, NotFound, ValidationError
from pixframework.io.dispatch import open_image, read_image, write_image

RNG = np.random.default_rng(5)
GARBAGE = bytes(RNG.integers(0, 256, 4096, dtype=np.uint8))


@pytest.mark.parametrize(
    "name",
    [
        "none.tif",
        "none.png",
        "none.jpg",
        "none.npy",
        "none.zarr",
        "none.ome.zarr",
        "none.h5",
        "none.h5/inner/data",
        "none.zarr/raw",
    ],
)
def test_missing_files_are_not_found(tmp_path, name):
    with pytest.raises(NotFound, match="none"):
        open_image(tmp_path / name)


@pytest.mark.parametrize("name", ["noise.tif", "noise.png", "noise.jpg", "noise.npy", "noise.h5"])
def test_random_bytes_are_corrupt_data(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(GARBAGE)
    with pytest.raises(CorruptData, match=name):
        read_image(path)


@pytest.mark.parametrize("compression", ["none", "zlib"])
def test_truncated_tiff(tmp_path, compression):
    path = tmp_path / "cut.tif"
    write_image(path, RNG.integers(0, 255, (8, 64, 64), dtype=np.uint8), "zyx", compression=compression)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptData, match="cut.tif"):
        read_image(path)


def test_truncated_png_names_the_reason(tmp_path):
    path = tmp_path / "cut.png"
    write_image(path, RNG.integers(0, 255, (64, 64, 3), dtype=np.uint8), "yxc")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])
    with pytest.raises(CorruptData, match="cut.png.*truncated"):
        open_image(path)


def test_damaged_png_names_the_chunk(tmp_path):
    path = tmp_path / "flip.png"
    write_image(path, RNG.integers(0, 255, (64, 64), dtype=np.uint8), "yx")
    data = bytearray(path.read_bytes())
    data[data.index(b"IDAT") + 20] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptData, match="checksum mismatch in chunk 'IDAT'"):
        open_image(path)


def test_truncated_jpeg(tmp_path):
    path = tmp_path / "cut.jpg"
    y, x = np.mgrid[0:128, 0:128]
    write_image(path, ((x * y) % 251).astype(np.uint8), "yx")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptData, match="cut.jpg.*truncated"):
        open_image(path)


def test_png_content_named_jpeg_is_refused(tmp_path):
    write_image(tmp_path / "real.png", np.zeros((8, 8), np.uint8), "yx")
    os.replace(tmp_path / "real.png", tmp_path / "fake.jpg")
    with pytest.raises(CorruptData, match="not a JPEG.*PNG"):
        open_image(tmp_path / "fake.jpg")


def _npy_header(descr: str, shape: tuple[int, ...]) -> bytes:
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode("latin-1")


def test_object_npy_is_refused_without_running_its_payload(tmp_path):
    marker = tmp_path / "payload-ran"
    # a pickle program (protocol 0, written by hand) that would create `marker` if it ever ran
    payload = b"cbuiltins\nopen\n(V" + str(marker).encode() + b"\nVw\ntR."
    path = tmp_path / "evil.npy"
    path.write_bytes(_npy_header("|O", (1,)) + payload)
    with pytest.raises(ValidationError, match="Python objects.*never loads"):
        open_image(path)
    with pytest.raises(ValidationError):
        read_image(path, format="npy")
    assert not marker.exists()


def test_truncated_npy(tmp_path):
    path = tmp_path / "cut.npy"
    path.write_bytes(_npy_header("<f4", (100, 100)) + b"\x00" * 1000)
    with pytest.raises(CorruptData, match="cut.npy"):
        open_image(path)


def test_npy_with_broken_header(tmp_path):
    path = tmp_path / "head.npy"
    path.write_bytes(b"\x93NUMPY\x01\x00\x20\x00{'descr': <<garbage>>        }\n" + b"\x00" * 64)
    with pytest.raises(CorruptData, match="head.npy"):
        open_image(path)


def test_directory_without_zarr_metadata(tmp_path):
    (tmp_path / "empty.zarr").mkdir()
    with pytest.raises(CorruptData, match="empty.zarr.*not a zarr store"):
        open_image(tmp_path / "empty.zarr")


def test_garbage_zarr_metadata(tmp_path):
    write_image(tmp_path / "bad.zarr", np.zeros((4, 4), np.uint8), "yx")
    (tmp_path / "bad.zarr" / "zarr.json").write_text('{"zarr_format": 3, "node_type": "array", "shape": "x"}')
    with pytest.raises(CorruptData, match="bad.zarr"):
        open_image(tmp_path / "bad.zarr")


def test_zarr_group_lists_its_arrays(tmp_path):
    write_image(tmp_path / "g.zarr/raw", np.zeros((4, 4), np.uint8), "yx")
    write_image(tmp_path / "g.zarr/labels/cells", np.zeros((4, 4), np.uint8), "yx")
    with pytest.raises(ValidationError, match=r"zarr group.*g\.zarr/labels/cells.*g\.zarr/raw"):
        open_image(tmp_path / "g.zarr", format="zarr")


def test_h5_dataset_errors_list_what_exists(tmp_path):
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f["a/one"] = np.zeros((4, 4))
        f["a/two"] = np.zeros((4, 4))
        f["text"] = np.array([b"abc"])
    with pytest.raises(NotFound, match="no dataset 'missing'.*a/one"):
        open_image(f"{path}/missing")
    with pytest.raises(ValidationError, match="group 'a'.*2 datasets.*f.h5/a/one"):
        open_image(f"{path}/a")
    with pytest.raises(ValidationError, match="3 datasets"):
        open_image(path)
    with pytest.raises(ValidationError, match="must be numeric"):
        open_image(f"{path}/text")


def test_non_numeric_zarr_is_refused(tmp_path):
    zarr.create_array(tmp_path / "s.zarr", shape=(3,), dtype=np.dtype("U4"), zarr_format=2)
    with pytest.raises(ValidationError, match="numeric"):
        open_image(tmp_path / "s.zarr")


def test_reading_after_close(tmp_path):
    path = write_image(tmp_path / "a.npy", np.zeros((4, 4)), "yx")
    reader = open_image(path)
    reader.close()
    with pytest.raises(ValidationError, match="closed"):
        reader[0:2, 0:2]


def test_bad_region_keys(tmp_path):
    path = write_image(tmp_path / "a.zarr", np.zeros((4, 5)), "yx")
    with open_image(path) as reader:
        with pytest.raises(ValidationError, match="2 axes"):
            reader[0:1, 0:1, 0:1]
        with pytest.raises(ValidationError, match="positive steps"):
            reader[::-1]
        with pytest.raises(ValidationError, match="out of range"):
            reader[7]
        with pytest.raises(ValidationError, match="slices or integers"):
            reader[[0, 1]]


def test_lzw_tiff_reads_with_imagecodecs(tmp_path):
    pytest.importorskip("imagecodecs")
    from PIL import Image

    data = RNG.integers(0, 255, (40, 50), dtype=np.uint8)
    Image.fromarray(data).save(tmp_path / "lzw.tif", compression="tiff_lzw")
    np.testing.assert_array_equal(read_image(tmp_path / "lzw.tif"), data)


def test_missing_codec_is_explained():
    from pixframework.io.failures import read_failure

    error = read_failure("x.tif", ValueError("<COMPRESSION.LZW: 5> requires the 'imagecodecs' package"))
    assert isinstance(error, ValidationError)
    assert "pip install imagecodecs" in str(error) and "x.tif" in str(error)
