"""Axes from file metadata: OME-TIFF, ImageJ TIFF, OME-Zarr 0.4/0.5, zarr dimension names, HDF5."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest
import tifffile
import zarr

from pixframework.errors import ValidationError
from pixframework.io.dispatch import find_format, open_image, read_image, write_image

RNG = np.random.default_rng(3)


def test_ome_tiff_axes_from_metadata(tmp_path):
    data = RNG.integers(0, 4000, (3, 4, 16, 20), dtype=np.uint16)
    path = tmp_path / "cells.ome.tif"
    tifffile.imwrite(path, data, ome=True, metadata={"axes": "CZYX"}, photometric="minisblack")
    with open_image(path) as reader:
        assert reader.axes == "czyx"
        assert reader.shape == data.shape
        np.testing.assert_array_equal(reader[1, 2], data[1, 2])


def test_imagej_hyperstack_axes_and_singleton_time(tmp_path):
    data = RNG.integers(0, 255, (1, 5, 2, 16, 20), dtype=np.uint8)
    path = tmp_path / "hyper.tif"
    tifffile.imwrite(path, data, imagej=True, metadata={"axes": "TZCYX"})
    with open_image(path) as reader:
        assert reader.axes == "zcyx" and reader.shape == (5, 2, 16, 20)
        np.testing.assert_array_equal(reader[...], data[0])


def test_plain_multipage_tiff_pages_are_z(tmp_path):
    data = RNG.integers(0, 255, (7, 16, 20), dtype=np.uint8)
    path = tmp_path / "pages.tif"
    with tifffile.TiffWriter(path) as tif:
        for page in data:
            tif.write(page, photometric="minisblack", metadata=None)
    with open_image(path) as reader:
        assert reader.axes == "zyx" and reader.shape == (7, 16, 20)


def test_tiff_time_series_leaves_axes_to_the_user(tmp_path):
    data = RNG.integers(0, 255, (3, 16, 20), dtype=np.uint8)
    path = tmp_path / "movie.ome.tif"
    tifffile.imwrite(path, data, ome=True, metadata={"axes": "TYX"})
    with open_image(path) as reader:
        assert reader.axes is None


def test_rgb_tiff_is_yxc(tmp_path):
    data = RNG.integers(0, 255, (16, 20, 3), dtype=np.uint8)
    path = tmp_path / "photo.tif"
    tifffile.imwrite(path, data, photometric="rgb")
    with open_image(path) as reader:
        assert reader.axes == "yxc"


def test_written_tiff_is_ome_with_axes(tmp_path):
    data = RNG.random((2, 16, 20, 3)).astype(np.float32)
    write_image(tmp_path / "probs.tif", data, "zyxc")
    with tifffile.TiffFile(tmp_path / "probs.tif") as tif:
        assert tif.is_ome
        assert tif.series[0].axes == "ZCYX"


def _ome_zarr_04(path, data, axes):
    root = zarr.open_group(path, mode="w", zarr_format=2)
    for level, factor in (("s0", 1), ("s1", 2)):
        arr = root.create_array(
            level,
            shape=data[..., ::factor, ::factor].shape,
            dtype=data.dtype,
            chunks=(1,) * (data.ndim - 2) + (8, 8),
            chunk_key_encoding={"name": "v2", "separator": "/"},
        )
        arr[...] = data[..., ::factor, ::factor]
    root.attrs["multiscales"] = [
        {
            "version": "0.4",
            "axes": axes,
            "datasets": [
                {"path": "s0", "coordinateTransformations": [{"type": "scale", "scale": [1.0] * data.ndim}]},
                {
                    "path": "s1",
                    "coordinateTransformations": [
                        {"type": "scale", "scale": [1.0] * (data.ndim - 2) + [2.0, 2.0]}
                    ],
                },
            ],
        }
    ]


def test_ome_zarr_04_reads_level_0_with_axes(tmp_path):
    data = RNG.integers(0, 999, (1, 2, 3, 16, 20), dtype=np.uint16)
    axes = [
        {"name": "t", "type": "time"},
        {"name": "c", "type": "channel"},
        {"name": "z", "type": "space"},
        {"name": "y", "type": "space"},
        {"name": "x", "type": "space"},
    ]
    path = tmp_path / "image.zarr"
    _ome_zarr_04(path, data, axes)
    assert find_format(path).name == "ome-zarr"  # plain .zarr suffix, sniffed from the metadata
    with open_image(path) as reader:
        assert reader.axes == "czyx" and reader.shape == (2, 3, 16, 20)  # singleton time hidden
        np.testing.assert_array_equal(reader[:, 1:3, 4:9], data[0, :, 1:3, 4:9])
    # the level array itself is a plain zarr array; its 5D shape with time has no z/y/x/c axes
    assert find_format(path / "s0").name == "zarr"
    with open_image(path / "s0") as level:
        assert level.axes is None and level.shape == data.shape


def test_ome_zarr_04_level_array_axes_from_parent(tmp_path):
    data = RNG.integers(0, 999, (2, 16, 20), dtype=np.uint16)
    path = tmp_path / "image.zarr"
    _ome_zarr_04(
        path,
        data,
        [{"name": "c", "type": "channel"}, {"name": "y", "type": "space"}, {"name": "x", "type": "space"}],
    )
    with open_image(path / "s1") as level:
        assert level.axes == "cyx" and level.shape == (2, 8, 10)


def test_ome_zarr_refuses_real_time_series(tmp_path):
    data = np.zeros((3, 16, 20), np.uint8)
    path = tmp_path / "movie.zarr"
    _ome_zarr_04(
        path,
        data,
        [{"name": "t", "type": "time"}, {"name": "y", "type": "space"}, {"name": "x", "type": "space"}],
    )
    with pytest.raises(ValidationError, match="'t'.*3 entries"):
        open_image(path)


def test_ome_zarr_05_reads_axes_from_zarr_json(tmp_path):
    data = RNG.random((4, 16, 20)).astype(np.float32)
    path = tmp_path / "vol.ome.zarr"
    root = zarr.open_group(path, mode="w", zarr_format=3)
    arr = root.create_array(
        "0", shape=data.shape, dtype=data.dtype, chunks=(2, 8, 8), dimension_names=("z", "y", "x")
    )
    arr[...] = data
    root.attrs["ome"] = {
        "version": "0.5",
        "multiscales": [
            {
                "axes": [{"name": n, "type": "space", "unit": "micrometer"} for n in "zyx"],
                "datasets": [
                    {"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [2.0, 0.5, 0.5]}]}
                ],
            }
        ],
    }
    with open_image(path) as reader:
        assert reader.axes == "zyx" and reader.version == "0.5"
        np.testing.assert_array_equal(reader[1:3], data[1:3])


@pytest.mark.parametrize("version,zarr_format", [("0.4", 2), ("0.5", 3)])
def test_written_ome_zarr_metadata_is_valid_ngff(tmp_path, version, zarr_format):
    data = RNG.random((5, 16, 20, 3)).astype(np.float32)
    path = tmp_path / "probs.ome.zarr"
    write_image(path, data, "zyxc", version=version, scale=(2.0, 0.3, 0.3), unit="micrometer", name="probs")
    if zarr_format == 2:
        attrs = json.loads((path / ".zattrs").read_text())
        entry = attrs["multiscales"][0]
        assert entry["version"] == "0.4"
        array_meta = json.loads((path / "0" / ".zarray").read_text())
        assert array_meta["dimension_separator"] == "/"
    else:
        group_meta = json.loads((path / "zarr.json").read_text())
        assert group_meta["zarr_format"] == 3 and group_meta["node_type"] == "group"
        assert group_meta["attributes"]["ome"]["version"] == "0.5"
        entry = group_meta["attributes"]["ome"]["multiscales"][0]
        array_meta = json.loads((path / "0" / "zarr.json").read_text())
        assert array_meta["dimension_names"] == ["c", "z", "y", "x"]
    assert [a["name"] for a in entry["axes"]] == ["c", "z", "y", "x"]  # NGFF order: channel, then space
    assert [a["type"] for a in entry["axes"]] == ["channel", "space", "space", "space"]
    assert all(a.get("unit") == "micrometer" for a in entry["axes"][1:])
    (dataset,) = entry["datasets"]
    assert dataset["path"] == "0"
    assert dataset["coordinateTransformations"] == [{"type": "scale", "scale": [1.0, 2.0, 0.3, 0.3]}]
    stored = zarr.open_array(path / "0", mode="r")
    assert stored.shape == (3, 5, 16, 20)
    np.testing.assert_array_equal(stored[...], np.moveaxis(data, -1, 0))


def test_zarr_dimension_names_v3_and_v2(tmp_path):
    v3 = zarr.create_array(tmp_path / "a.zarr", shape=(2, 8, 9), dtype="u1", dimension_names=("c", "y", "x"))
    v3[...] = 1
    v2 = zarr.create_array(
        tmp_path / "b.zarr",
        shape=(8, 9, 4),
        dtype="u1",
        zarr_format=2,
        attributes={"_ARRAY_DIMENSIONS": ["y", "x", "channel"]},
    )
    v2[...] = 2
    with open_image(tmp_path / "a.zarr") as a, open_image(tmp_path / "b.zarr") as b:
        assert (a.axes, b.axes) == ("cyx", "yxc")
    plain = zarr.create_array(tmp_path / "c.zarr", shape=(8, 9), dtype="u1")
    plain[...] = 3
    with open_image(tmp_path / "c.zarr") as c:
        assert c.axes is None
    # written arrays carry their axes
    write_image(tmp_path / "d.zarr", np.zeros((3, 8, 9), "f4"), "zyx", zarr_format=2)
    with open_image(tmp_path / "d.zarr") as d:
        assert d.axes == "zyx"


def test_h5_path_inside_file_and_ilastik_axistags(tmp_path):
    data = RNG.random((3, 16, 20, 2)).astype(np.float32)
    path = tmp_path / "ilastik.h5"
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("exported/data", data=data)
        ds.attrs["axistags"] = json.dumps(
            {
                "axes": [
                    {"key": k, "typeFlags": 1 if k == "c" else 2, "resolution": 0, "description": ""}
                    for k in "zyxc"
                ]
            }
        )
        f.create_dataset("other", data=np.zeros((4, 4)))
    with open_image(f"{path}/exported/data") as reader:
        assert reader.axes == "zyxc" and reader.shape == data.shape
        np.testing.assert_array_equal(reader[1, 2:5], data[1, 2:5])
    with open_image(f"{path}/other") as other:
        assert other.axes is None


def test_h5_dimension_labels_and_written_axistags(tmp_path):
    path = tmp_path / "labels.h5"
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("img", data=np.zeros((2, 6, 7), np.uint8))
        for dim, label in zip(ds.dims, "cyx"):
            dim.label = label
    with open_image(path) as reader:  # single dataset: no inner path needed
        assert reader.axes == "cyx" and reader.path.endswith("labels.h5/img")
    out = write_image(tmp_path / "out.h5/result/probs", np.zeros((6, 7, 3), np.float32), "yxc")
    with h5py.File(tmp_path / "out.h5", "r") as f:
        tags = json.loads(f["result/probs"].attrs["axistags"])
        assert [a["key"] for a in tags["axes"]] == ["y", "x", "c"]
        assert [a["typeFlags"] for a in tags["axes"]] == [2, 2, 1]
    assert read_image(out).shape == (6, 7, 3)


def test_h5_write_keeps_other_datasets(tmp_path):
    path = tmp_path / "many.h5"
    write_image(f"{path}/a", np.ones((4, 5), np.uint8), "yx")
    write_image(f"{path}/b", np.full((4, 5), 2, np.uint8), "yx")
    write_image(f"{path}/a", np.full((4, 5), 3, np.uint8), "yx")  # replace a, keep b
    assert read_image(f"{path}/a").max() == 3
    assert read_image(f"{path}/b").max() == 2
