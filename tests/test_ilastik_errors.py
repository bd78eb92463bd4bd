"""Bad .ilp files give one clear error and leave nothing behind (no NEW.pixf, no temporary sibling)."""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import numpy as np
import pytest
from ilastik_ilp import IlpLane, LabelBlock, write_ilp

from pixframework.errors import Conflict, CorruptData, NotFound, PixfError, ValidationError
from pixframework.ilastik import import_project


def lane(**kwargs) -> IlpLane:
    rng = np.random.default_rng(0)
    defaults = {
        "data": rng.random((20, 24)).astype(np.float32),
        "axes": "yx",
        "nickname": "img",
        "blocks": [LabelBlock((2, 3), np.array([[1, 2], [0, 1]], np.uint8))],
    }
    defaults.update(kwargs)
    return IlpLane(**defaults)


def fails(tmp_path: Path, source: Path, error: type[PixfError], *phrases: str) -> str:
    """Import must raise ``error`` whose message has every phrase, and create nothing next to the target."""
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(error) as caught:
        import_project(source, tmp_path / "new.pixf")
    message = str(caught.value)
    for phrase in phrases:
        assert phrase in message, message
    assert sorted(os.listdir(tmp_path)) == before, "a failed import left files behind"
    return message


def test_missing_file(tmp_path):
    fails(tmp_path, tmp_path / "nope.ilp", NotFound, "nope.ilp")


def test_not_hdf5(tmp_path):
    path = tmp_path / "notes.ilp"
    path.write_text("this is not an ilastik project\n")
    fails(tmp_path, path, ValidationError, "not an HDF5 file")


def test_other_workflow(tmp_path):
    path = write_ilp(tmp_path / "carving.ilp", [lane()], workflow="Carving")
    fails(tmp_path, path, ValidationError, "'Carving' project", "Pixel Classification")


def test_ilastik_05_project(tmp_path):
    path = tmp_path / "old.ilp"
    with h5py.File(path, "w") as f:
        f["ilastikVersion"] = 0.5
    fails(tmp_path, path, ValidationError, "ilastik 0.5 project")


@pytest.mark.parametrize("fraction", [0.2, 0.6, 0.95])
def test_truncated_file(tmp_path, fraction):
    path = write_ilp(tmp_path / "p.ilp", [lane(file_path=None)])
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    fails(tmp_path, path, CorruptData, "truncated")


def test_damaged_image_data_inside_the_ilp(tmp_path):
    path = write_ilp(
        tmp_path / "p.ilp", [lane(file_path=None, data=np.random.default_rng(1).random((60, 64)))]
    )
    with h5py.File(path, "a") as f:  # store it compressed, as chunks, then garble one chunk
        name = "Input Data/local_data/00aa11bb22cc33dd44ee55ff66"
        data, attrs = f[name][()], dict(f[name].attrs)
        del f[name]
        ds = f.create_dataset(name, data=data, chunks=(30, 32), compression="gzip")
        ds.attrs.update(attrs)
        chunk = ds.id.get_chunk_info(1)
    raw = bytearray(path.read_bytes())
    raw[chunk.byte_offset + 8 : chunk.byte_offset + chunk.size - 8] = bytes(chunk.size - 16)
    path.write_bytes(bytes(raw))
    fails(tmp_path, path, CorruptData, "lane 0 ('img')", "damaged")


def test_label_block_smaller_than_its_block_slice(tmp_path):
    path = write_ilp(tmp_path / "p.ilp", [lane(file_path="img.npy")])
    with h5py.File(path, "a") as f:
        f["PixelClassification/LabelSets/labels000/block0000"].attrs["blockSlice"] = b"[2:4,3:9,0:1]"
    fails(tmp_path, path, CorruptData, "block0000", "truncated", "(2, 6, 1)")


@pytest.mark.parametrize(
    ("block_slice", "axis"), [("[18:22,3:5,0:1]", "y"), ("[2:4,23:25,0:1]", "x"), ("[2:4,3:5,1:2]", "c")]
)
def test_block_slice_outside_the_image(tmp_path, block_slice, axis):
    path = write_ilp(tmp_path / "p.ilp", [lane(file_path="img.npy")])
    with h5py.File(path, "a") as f:
        f["PixelClassification/LabelSets/labels000/block0000"].attrs["blockSlice"] = block_slice.encode()
    fails(tmp_path, path, CorruptData, "outside the image", f"along {axis}")


def test_malformed_block_slice(tmp_path):
    path = write_ilp(tmp_path / "p.ilp", [lane(file_path="img.npy")])
    with h5py.File(path, "a") as f:
        f["PixelClassification/LabelSets/labels000/block0000"].attrs["blockSlice"] = b"[2:4,3]"
    fails(tmp_path, path, CorruptData, "[start:stop,...]")


def test_label_values_beyond_the_classes(tmp_path):
    bad = lane(file_path="img.npy", blocks=[LabelBlock((0, 0), np.array([[3]], np.uint8))])
    path = write_ilp(tmp_path / "p.ilp", [bad])
    fails(tmp_path, path, CorruptData, "class 3", "2 classes")


def test_time_series_is_refused(tmp_path):
    series = lane(file_path=None, data=np.zeros((3, 20, 24), np.uint8), axes="tyx", blocks=[])
    fails(tmp_path, write_ilp(tmp_path / "p.ilp", [series]), ValidationError, "time series", "3 time points")


def test_image_stack_lane_is_refused(tmp_path):
    stack = lane(file_path="frames/img_*.png", write_file=False)
    fails(tmp_path, write_ilp(tmp_path / "p.ilp", [stack]), ValidationError, "image stack")


def test_file_changed_since_the_project_was_saved(tmp_path):
    path = write_ilp(tmp_path / "p.ilp", [lane(file_path="img.npy")])
    np.save(tmp_path / "img.npy", np.zeros((30, 24), np.float32))
    fails(tmp_path, path, ValidationError, "(30, 24)", "(20, 24)", "changed")


def test_missing_internal_data(tmp_path):
    path = write_ilp(tmp_path / "p.ilp", [lane(file_path=None)])
    with h5py.File(path, "a") as f:
        del f["Input Data/local_data/00aa11bb22cc33dd44ee55ff66"]
    fails(tmp_path, path, CorruptData, "is missing")


def test_pickled_value_where_text_is_expected_is_not_read(tmp_path):
    path = write_ilp(tmp_path / "p.ilp", [lane(file_path="img.npy")], marker=tmp_path / "UNPICKLED")
    with h5py.File(path, "a") as f:
        del f["PixelClassification/LabelNames"]
        f["PixelClassification/LabelNames"] = np.void(b"cos\nsystem\n(S'touch UNPICKLED'\ntR.")
    fails(tmp_path, path, CorruptData, "LabelNames", "should hold text")
    assert not (tmp_path / "UNPICKLED").exists()


def test_existing_target_is_not_touched(tmp_path):
    path = write_ilp(tmp_path / "p.ilp", [lane(file_path="img.npy")])
    (tmp_path / "new.pixf").mkdir()
    (tmp_path / "new.pixf" / "keep.txt").write_text("mine")
    fails(tmp_path, path, Conflict, "already exists")
    assert (tmp_path / "new.pixf" / "keep.txt").read_text() == "mine"


def test_failure_while_building_removes_the_half_built_project(tmp_path):
    """Lanes with different channel counts are only refused when the second image is added."""
    two = lane(file_path="a.npy", data=np.zeros((20, 24, 2), np.float32), axes="yxc")
    three = lane(file_path="b.npy", data=np.zeros((20, 24, 3), np.float32), axes="yxc")
    fails(tmp_path, write_ilp(tmp_path / "p.ilp", [two, three]), ValidationError, "lane 1", "channels")
