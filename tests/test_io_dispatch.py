"""Choosing formats by name, extension and content; write-side checks; atomic and safe outputs."""

from __future__ import annotations

import os

import numpy as np
import pytest
import tifffile

from pixframework.errors import Conflict, NotFound, ValidationError
from pixframework.io.dispatch import create_image, find_format, open_image, read_image, write_image
from pixframework.registry import get_registry


def test_builtin_formats_are_registered_as_plugins():
    registry = get_registry()
    assert {"tiff", "png", "jpeg", "npy", "zarr", "ome-zarr", "h5"} <= set(registry.formats)
    builtin = {"tiff", "png", "jpeg", "npy", "zarr", "ome-zarr", "h5"}
    assert all(registry.formats[name].plugin == "builtin-formats" for name in builtin)
    assert [p for p in registry.problems if p.plugin == "builtin-formats"] == []


@pytest.mark.parametrize(
    "path,mode,expected",
    [
        ("a.tif", "r", "tiff"),
        ("A.TIFF", "w", "tiff"),
        ("a.ome.tif", "w", "tiff"),
        ("a.png", "r", "png"),
        ("a.jpeg", "w", "jpeg"),
        ("a.npy", "w", "npy"),
        ("a.zarr", "w", "zarr"),
        ("a.ome.zarr", "w", "ome-zarr"),
        ("a.ome.zarr", "r", "ome-zarr"),
        ("a.zarr/raw/0", "w", "zarr"),
        ("dir.zarr/b.h5/x", "w", "h5"),
        ("a.h5", "w", "h5"),
        ("a.hdf5/grp/ds", "r", "h5"),
    ],
)
def test_format_by_extension(tmp_path, path, mode, expected):
    assert find_format(tmp_path / path, mode=mode).name == expected


def test_explicit_format_wins(tmp_path):
    assert find_format(tmp_path / "a.tif", "npy").name == "npy"
    path = write_image(tmp_path / "odd.dat", np.zeros((3, 4), np.uint8), "yx", format="npy")
    assert read_image(path, format="npy").shape == (3, 4)


def test_unknown_format_name_lists_the_known_ones(tmp_path):
    with pytest.raises(NotFound, match=r"unknown format 'tif'; did you mean 'tiff'\?.*h5.*zarr"):
        find_format(tmp_path / "a.tif", "tif")


def test_unknown_extension_lists_the_formats(tmp_path):
    with pytest.raises(ValidationError, match=r"a\.xyz.*tiff \(\.tif.*ome-zarr \(\.ome\.zarr"):
        find_format(tmp_path / "a.xyz", mode="w")
    (tmp_path / "b.xyz").write_bytes(b"hello")
    with pytest.raises(ValidationError, match=r"cannot tell the format of .*b\.xyz"):
        open_image(tmp_path / "b.xyz")
    with pytest.raises(NotFound):
        open_image(tmp_path / "missing.xyz")


def test_bad_mode(tmp_path):
    with pytest.raises(ValidationError, match="mode"):
        find_format(tmp_path / "a.tif", mode="a")


def test_files_without_extension_are_sniffed(tmp_path):
    write_image(tmp_path / "x.tif", np.zeros((4, 5), np.uint16), "yx")
    os.replace(tmp_path / "x.tif", tmp_path / "noext")
    assert find_format(tmp_path / "noext").name == "tiff"
    write_image(tmp_path / "y.h5/d", np.zeros((4, 5), np.uint16), "yx")
    os.replace(tmp_path / "y.h5", tmp_path / "container")
    assert find_format(tmp_path / "container" / "d").name == "h5"
    assert read_image(tmp_path / "container" / "d").shape == (4, 5)
    write_image(tmp_path / "z.ome.zarr", np.zeros((4, 5), np.uint16), "yx")
    os.replace(tmp_path / "z.ome.zarr", tmp_path / "store")
    assert find_format(tmp_path / "store").name == "ome-zarr"
    assert find_format(tmp_path / "store" / "0").name == "zarr"


def test_zarr_suffix_dispatches_on_metadata(tmp_path):
    write_image(tmp_path / "plain.zarr", np.zeros((4, 5)), "yx", format="zarr")
    write_image(tmp_path / "ome.zarr", np.zeros((4, 5)), "yx", format="ome-zarr")
    assert find_format(tmp_path / "plain.zarr").name == "zarr"
    assert find_format(tmp_path / "ome.zarr").name == "ome-zarr"
    assert find_format(tmp_path / "ome.zarr", mode="w").name == "zarr"  # documented write default
    write_image(tmp_path / "x.ome.zarr", np.zeros((4, 5)), "yx")
    assert find_format(tmp_path / "x.ome.zarr").name == "ome-zarr"
    assert find_format(tmp_path / "x.ome.zarr" / "0").name == "zarr"  # a level array inside
    with open_image(tmp_path / "ome.zarr") as reader:
        assert reader.format_name == "ome-zarr" and reader.axes == "yx"
    with pytest.raises(ValidationError, match="not an OME-Zarr image.*format 'zarr'"):
        open_image(tmp_path / "plain.zarr", format="ome-zarr")
    with pytest.raises(ValidationError, match="OME-Zarr image: open it with format 'ome-zarr'"):
        open_image(tmp_path / "ome.zarr", format="zarr")


@pytest.mark.parametrize(
    "name,shape,axes,dtype,message",
    [
        ("p.png", (8, 9, 2), "yxc", "float32", "PNG stores uint8 or uint16.*dtype='uint8'"),
        ("p.png", (8, 9, 2), "yxc", "uint8", "PNG stores 1, 3, 4 channels, not 2"),
        ("p.png", (3, 8, 9), "zyx", "uint8", "2D images.*include z"),
        ("j.jpg", (8, 9), "yx", "uint16", "JPEG stores uint8"),
        ("j.jpg", (8, 9, 4), "yxc", "uint8", "JPEG stores 1, 3 channels, not 4"),
        ("t.tif", (8, 9), "yx", "int64", "cannot store dtype int64"),
        ("t.tif", (8, 9), "yxz", "uint8", "3 letters but the data has 2"),
        ("t.tif", (8, 9, 2, 2), None, "uint8", "cannot guess the axes of a 4D"),
        ("a.npy", (8, 9), "yx", "complex64", "numeric images only"),
        ("a.zarr", (8, 0), "yx", "uint8", "no empty axes"),
    ],
)
def test_write_requests_a_format_cannot_hold(tmp_path, name, shape, axes, dtype, message):
    with pytest.raises(ValidationError, match=message):
        create_image(tmp_path / name, shape, dtype, axes)
    assert os.listdir(tmp_path) == []


def test_options_are_checked(tmp_path):
    with pytest.raises(
        ValidationError, match=r"format 'tiff' has no option 'quality'; options: compression, ome"
    ):
        create_image(tmp_path / "a.tif", (4, 4), "uint8", "yx", quality=90)
    with pytest.raises(ValidationError, match="compression.*one of"):
        create_image(tmp_path / "a.tif", (4, 4), "uint8", "yx", compression="lzw")
    with pytest.raises(ValidationError, match="quality.*<= 100"):
        create_image(tmp_path / "a.jpg", (4, 4), "uint8", "yx", quality=101)
    with pytest.raises(ValidationError, match="chunks"):
        create_image(tmp_path / "a.zarr", (4, 4), "uint8", "yx", chunks=(2,))
    with pytest.raises(ValidationError, match="scale"):
        create_image(tmp_path / "a.ome.zarr", (4, 4), "uint8", "yx", scale=(1.0,))


def test_values_that_would_silently_change_are_refused(tmp_path):
    with create_image(tmp_path / "a.zarr", (4, 4), "uint8", "yx") as writer:
        with pytest.raises(ValidationError, match="cannot store float32 values in the uint8 output"):
            writer[...] = np.ones((4, 4), np.float32)
        with pytest.raises(ValidationError, match=r"shape \(3, 3\) does not fit region"):
            writer[0:2, 0:2] = np.ones((3, 3), np.uint8)
        writer[0:2, 0:2] = 5  # scalars broadcast


def test_single_file_writes_are_atomic(tmp_path):
    path = tmp_path / "result.tif"
    write_image(path, np.full((8, 8), 1, np.uint8), "yx")
    with pytest.raises(RuntimeError):
        with create_image(path, (8, 8), "uint8", "yx") as writer:
            writer[0:4] = 2
            raise RuntimeError("interrupted export")
    np.testing.assert_array_equal(read_image(path), 1)  # the previous file is untouched
    assert os.listdir(tmp_path) == ["result.tif"]  # and no temporary file is left
    writer = create_image(tmp_path / "new.png", (8, 8), "uint8", "yx")
    writer[...] = 3
    assert not (tmp_path / "new.png").exists()  # appears only when finished
    writer.close()
    assert read_image(tmp_path / "new.png").max() == 3


def test_outputs_go_into_new_directories(tmp_path):
    for name in ("a.tif", "a.png", "a.npy", "a.zarr", "a.ome.zarr", "a.h5/x"):
        path = write_image(tmp_path / "new" / "dirs" / name, np.zeros((4, 4), np.uint8), "yx")
        assert read_image(path).shape == (4, 4)


def test_zarr_outputs_never_clobber_foreign_data(tmp_path):
    (tmp_path / "mine.zarr").mkdir()
    (tmp_path / "mine.zarr" / "notes.txt").write_text("precious")
    with pytest.raises(ValidationError, match="refusing to overwrite"):
        create_image(tmp_path / "mine.zarr", (4, 4), "uint8", "yx")
    write_image(tmp_path / "g.zarr/raw", np.zeros((4, 4), np.uint8), "yx")
    with pytest.raises(ValidationError, match="refusing to overwrite"):
        create_image(tmp_path / "g.zarr", (4, 4), "uint8", "yx", format="ome-zarr")
    with pytest.raises(ValidationError, match="refusing to overwrite"):
        create_image(tmp_path / "g.zarr", (4, 4), "uint8", "yx", format="zarr")
    assert (tmp_path / "mine.zarr" / "notes.txt").read_text() == "precious"
    assert read_image(tmp_path / "g.zarr/raw").shape == (4, 4)
    # an earlier output of the same kind is replaced
    write_image(tmp_path / "o.ome.zarr", np.zeros((4, 4), np.uint8), "yx")
    write_image(tmp_path / "o.ome.zarr", np.ones((6, 6), np.uint8), "yx")
    np.testing.assert_array_equal(read_image(tmp_path / "o.ome.zarr"), 1)


def test_h5_refuses_to_overwrite_other_files_and_groups(tmp_path):
    (tmp_path / "notes.h5").write_text("not hdf5")
    with pytest.raises(ValidationError, match="not an HDF5 file"):
        create_image(tmp_path / "notes.h5/x", (4, 4), "uint8", "yx")
    write_image(tmp_path / "f.h5/grp/ds", np.zeros((4, 4), np.uint8), "yx")
    with pytest.raises(ValidationError, match="existing HDF5 group"):
        create_image(tmp_path / "f.h5/grp", (4, 4), "uint8", "yx")


@pytest.mark.parametrize("name", ["r.zarr", "r.ome.zarr", "r.h5/d"])
def test_resume_keeps_written_regions(tmp_path, name):
    with create_image(tmp_path / name, (8, 8), "uint16", "yx") as writer:
        writer[0:4] = 7
    with create_image(tmp_path / name, (8, 8), "uint16", "yx", resume=True) as writer:
        writer[4:8] = 9
    result = read_image(writer.path)
    assert (result[0:4] == 7).all() and (result[4:8] == 9).all()
    with pytest.raises(Conflict, match="cannot resume"):
        create_image(tmp_path / name, (8, 9), "uint16", "yx", resume=True)


def test_chunked_output_keeps_written_regions_after_an_error(tmp_path):
    with pytest.raises(RuntimeError):
        with create_image(tmp_path / "p.zarr", (8, 8), "uint8", "yx") as writer:
            writer[0:4] = 1
            raise RuntimeError("worker died")
    assert read_image(tmp_path / "p.zarr")[0:4].min() == 1


def test_write_image_returns_a_readable_path(tmp_path):
    assert write_image(tmp_path / "a.h5", np.zeros((3, 3), np.uint8), "yx").endswith("a.h5/data")
    assert write_image(str(tmp_path / "b.tif"), np.zeros((3, 3), np.uint8), "yx") == str(tmp_path / "b.tif")


def test_tiff_layouts_for_viewers(tmp_path):
    write_image(tmp_path / "rgb.tif", np.zeros((8, 9, 3), np.uint8), "yxc")
    write_image(tmp_path / "probs.tif", np.zeros((8, 9, 3), np.float32), "yxc")
    with tifffile.TiffFile(tmp_path / "rgb.tif") as tif:
        assert tif.pages[0].photometric == tifffile.PHOTOMETRIC.RGB
    with tifffile.TiffFile(tmp_path / "probs.tif") as tif:
        assert tif.series[0].axes == "CYX" and len(tif.pages) == 3


def test_file_uris_and_remote_uris(tmp_path):
    write_image(tmp_path / "u.npy", np.ones((2, 3)), "yx")
    assert read_image((tmp_path / "u.npy").as_uri()).shape == (2, 3)
    with pytest.raises(ValidationError, match="only local files.*s3://"):
        open_image("s3://bucket/image.zarr")
    with pytest.raises(ValidationError, match="non-empty string or path"):
        open_image(42)
