"""The input images of an ilastik project: ``Input Data/infos/laneNNNN/Raw Data``.

Each lane's info group holds where the data is (``location`` / ``__class__``: a file, or a dataset
inside the ``.ilp`` under ``Input Data/local_data``), its ``axistags`` (JSON) or older ``axisorder``,
its ``nickname``, the stored ``shape`` and ``allowLabels``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import h5py

from ..errors import CorruptData, ValidationError
from .axes import axes_from_axistags, check_axes
from .hdf5 import attr_text, dataset, read_numbers, read_text, reading

INPUT_GROUP = "Input Data"
RAW_ROLE = "Raw Data"
FILE_SYSTEM = "FileSystem"
INTERNAL = "ProjectInternal"
#: ilastik's DatasetInfo classes -> where the data is
_CLASSES = {
    "FilesystemDatasetInfo": FILE_SYSTEM,
    "RelativeFilesystemDatasetInfo": FILE_SYSTEM,
    "ProjectInternalDatasetInfo": INTERNAL,
}
_NUMBER = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Lane:
    """One input image of the ilastik project, as stored (nothing opened yet).

    :param index: 0-based lane number (label set ``labels{index:03d}`` belongs to it).
    :param nickname: ilastik's display name ("" if none was stored).
    :param location: ``"FileSystem"`` or ``"ProjectInternal"``.
    :param file_path: the stored ``filePath`` (files), else ``None``.
    :param inner_path: path of the dataset inside the ``.ilp`` (internal data), else ``None``.
    :param axes: ilastik axes of the data (``"cyx"``, ``"tzyxc"``...), ``None`` when not stored.
    :param shape: shape ilastik saw, in ``axes`` order, ``None`` when not stored.
    :param allow_labels: ilastik's "use for training" flag.
    """

    index: int
    nickname: str
    location: str
    file_path: str | None
    inner_path: str | None
    axes: str | None
    shape: tuple[int, ...] | None
    allow_labels: bool

    @property
    def label(self) -> str:
        """How messages name the lane."""
        return f"lane {self.index}" + (f" ({self.nickname!r})" if self.nickname else "")


def numbered(group: h5py.Group) -> list[tuple[int, str]]:
    """Member names of ``group`` with their number (``lane0003`` -> 3), sorted by number."""
    found = []
    for name in group:
        match = _NUMBER.search(name)
        if match is None:
            raise CorruptData(f"{group.name}/{name}: expected a numbered entry (like lane0000 or labels000)")
        found.append((int(match.group(1)), name))
    return sorted(found)


def read_lanes(ilp: h5py.File) -> tuple[list[Lane], list[tuple[str, str]]]:
    """All lanes with raw data, and ``(item, reason)`` for what is not imported (other roles, empty lanes).

    :raises ValidationError: no input data at all, or data kinds pixframework cannot import (URLs, arrays).
    """
    infos = ilp.get(f"{INPUT_GROUP}/infos")
    if not isinstance(infos, h5py.Group) or len(infos) == 0:
        raise ValidationError("the ilastik project has no input images (no 'Input Data/infos' lanes)")
    lanes: list[Lane] = []
    skipped: list[tuple[str, str]] = []
    for position, (_, name) in enumerate(numbered(infos)):
        with reading(f"{infos.name}/{name}"):
            lane_group = infos[name]
        if not isinstance(lane_group, h5py.Group):
            raise CorruptData(f"{lane_group.name} should be a group")
        # projects from before roles keep the info directly in the lane group
        info = lane_group if "location" in lane_group else lane_group.get(RAW_ROLE)
        for role in lane_group:
            member = lane_group[role]
            if role != RAW_ROLE and isinstance(member, h5py.Group) and len(member):
                skipped.append((member.name, f"{role!r} images are not used by pixframework"))
        if not isinstance(info, h5py.Group) or len(info) == 0:
            skipped.append((lane_group.name, "lane without raw data"))
            continue
        lanes.append(_read_info(position, info))
    if not lanes:
        raise ValidationError("the ilastik project has no lane with raw data to import")
    return lanes, skipped


def _text(info: h5py.Group, name: str) -> str | None:
    ds = dataset(info, name)
    return read_text(ds) if ds is not None else None


def _read_info(index: int, info: h5py.Group) -> Lane:
    what = info.name
    klass = _text(info, "__class__")
    location = _CLASSES.get(klass) if klass else _text(info, "location")
    if location not in (FILE_SYSTEM, INTERNAL):
        kind = klass or location or "unknown"
        raise ValidationError(
            f"{what}: data of kind {kind!r} cannot be imported (only files and data inside the .ilp)"
        )
    tags = _text(info, "axistags")
    if tags is not None:
        axes = axes_from_axistags(tags, what)
    else:
        order = _text(info, "axisorder")
        axes = check_axes(order, what) if order else None
    shape_ds = dataset(info, "shape")
    shape = tuple(int(s) for s in read_numbers(shape_ds, "iu").reshape(-1)) if shape_ds is not None else None
    allow_ds = dataset(info, "allowLabels")
    allow = bool(read_numbers(allow_ds, "biu").reshape(-1)[0]) if allow_ds is not None else True
    nickname = _text(info, "nickname") or ""
    file_path = inner_path = None
    if location == FILE_SYSTEM:
        file_path = _text(info, "filePath")
        if not file_path:
            raise CorruptData(f"{what}: a file lane without 'filePath'")
    else:
        inner_path = _internal_path(info)
    return Lane(index, nickname, location, file_path, inner_path, axes, shape, allow)


def _internal_path(info: h5py.Group) -> str:
    """Dataset of internal data: ``inner_path`` (ilastik >= 1.4), else ``local_data/<datasetId>``."""
    inner = _text(info, "inner_path")
    if inner is None:
        dataset_id = _text(info, "datasetId")
        if not dataset_id:
            raise CorruptData(f"{info.name}: internal data without 'inner_path' or 'datasetId'")
        inner = f"{INPUT_GROUP}/local_data/{dataset_id}"
    target = info.file.get(inner)
    if not isinstance(target, h5py.Dataset):
        raise CorruptData(f"{info.name}: the image data stored in the project ({inner}) is missing")
    return inner.lstrip("/")


def internal_axes(ilp: h5py.File, lane: Lane) -> str | None:
    """Axes attached to a lane's internal dataset (its ``axistags`` attribute), if any."""
    assert lane.inner_path is not None
    tags = attr_text(ilp[lane.inner_path], "axistags")
    return axes_from_axistags(tags, lane.inner_path) if tags else None
