"""pixf-mrc: conformance with pixframework's format contract, files readable by mrcfile itself,
metadata, atomic writes, bad files, and use through pixframework's dispatch and a project."""

from __future__ import annotations

import os
from pathlib import Path

import mrcfile
import numpy as np
import pytest
from pixf_mrc.mrc import create_mrc, open_mrc, sniff

from pixframework.errors import CorruptData, NotFound, ValidationError
from pixframework.io.dispatch import find_format, read_image, write_image
from pixframework.project import Project
from pixframework.registry import get_registry
from pixframework.testing import check_format


def test_installed_through_the_entry_point() -> None:
    assert get_registry().format("mrc").plugin == "mrc"
    entry = next(e for e in get_registry().entries if e.name == "mrc")
    assert (entry.distribution, entry.kind) == ("pixf-mrc", "format")


def test_conformance() -> None:
    check_format("mrc")


def test_reads_files_written_by_mrcfile(tmp_path) -> None:
    volume = np.random.default_rng(0).normal(size=(6, 20, 30)).astype(np.float32)
    path = str(tmp_path / "tomo.rec")
    with mrcfile.new(path) as mrc:
        mrc.set_data(volume)
        mrc.voxel_size = (3.0, 2.0, 2.0)  # x, y, z
    with open_mrc(path) as reader:
        assert (reader.shape, reader.dtype, reader.axes) == (volume.shape, np.float32, "zyx")
        assert reader.voxel_size == (2.0, 2.0, 3.0)
        np.testing.assert_array_equal(reader[2:4, 5:9, :], volume[2:4, 5:9, :])
    assert find_format(path).name == "mrc"


def test_files_written_here_open_in_mrcfile_with_valid_headers(tmp_path) -> None:
    image = (np.arange(40 * 50, dtype=np.uint16).reshape(40, 50) * 7) % 60000
    path = write_image(tmp_path / "image.mrc", image, "yx", voxel_size=4.5)
    with open(os.devnull, "w") as quiet:
        assert mrcfile.validate(path, print_file=quiet)
    with mrcfile.open(path) as mrc:
        np.testing.assert_array_equal(mrc.data, image)
        assert float(mrc.voxel_size.x) == pytest.approx(4.5)
        assert float(mrc.header.dmax) == image.max()


def test_axes_in_any_order_are_stored_as_zyx(tmp_path) -> None:
    volume = np.random.default_rng(1).integers(0, 1000, size=(30, 20, 5)).astype(np.int16)  # x, y, z
    path = write_image(tmp_path / "v.mrc", volume, "xyz")
    np.testing.assert_array_equal(read_image(path), volume.transpose(2, 1, 0))


@pytest.mark.parametrize(
    "shape, dtype, axes, message",
    [
        ((10, 10, 3), "uint16", "yxc", "one channel, not 3"),
        ((10, 10), "uint8", "yx", "not uint8"),
        ((10, 10), "float64", "yx", "convert first"),
    ],
)
def test_what_mrc_cannot_store_is_refused(tmp_path, shape, dtype, axes, message) -> None:
    with pytest.raises(ValidationError, match=message):
        create_mrc(str(tmp_path / "x.mrc"), shape, dtype, axes)


def test_a_single_channel_axis_is_dropped(tmp_path) -> None:
    uncertainty = np.random.default_rng(2).random((4, 16, 18, 1)).astype(np.float32)
    path = write_image(tmp_path / "u.mrc", uncertainty, "zyxc")
    np.testing.assert_array_equal(read_image(path), uncertainty[..., 0])


def test_failed_write_leaves_the_old_file(tmp_path) -> None:
    path = str(tmp_path / "keep.mrc")
    write_image(path, np.ones((8, 8), np.float32), "yx")
    with pytest.raises(RuntimeError), create_mrc(path, (8, 8), "float32", "yx") as writer:
        writer[0:4, :] = 5
        raise RuntimeError("interrupted")
    np.testing.assert_array_equal(read_image(path), np.ones((8, 8), np.float32))
    assert os.listdir(tmp_path) == ["keep.mrc"]


def test_bad_files(tmp_path) -> None:
    with pytest.raises(NotFound):
        open_mrc(str(tmp_path / "missing.mrc"))
    good = write_image(tmp_path / "good.mrc", np.zeros((30, 40), np.float32), "yx")
    truncated = tmp_path / "truncated.mrc"
    truncated.write_bytes(Path(good).read_bytes()[:2000])
    assert sniff(str(truncated))  # the header is fine ...
    with pytest.raises(CorruptData, match="truncated.mrc"):
        open_mrc(str(truncated))  # ... but the pixels are missing
    text = tmp_path / "notes.mrc"
    text.write_text("not an image" * 200)
    assert not sniff(str(text))
    with pytest.raises(CorruptData):
        open_mrc(str(text))


def test_a_project_reads_mrc_volumes(tmp_path) -> None:
    volume = np.zeros((8, 24, 24), np.float32)
    volume[:, :, 12:] = 100
    path = write_image(tmp_path / "vol.mrc", volume, "zyx")
    with Project.create(tmp_path / "p.pixf") as project:
        name = project.add_image(path)
        info = project.image_info(name)
        assert (tuple(info["shape"]), info["axes"]) == (
            (8, 24, 24, 1),
            "zyxc",
        )  # axes from the file: a volume
        np.testing.assert_array_equal(project.read_image(name)[..., 0], volume)
