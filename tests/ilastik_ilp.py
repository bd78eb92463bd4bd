"""Test helper: write small ilastik ``.ilp`` projects with h5py, in the layout ilastik 1.4 writes.

Layout written (what ilastik's serializers produce for Pixel Classification)::

    ilastikVersion, workflowName, time, currentApplet
    Input Data/Role Names                    [b"Raw Data", b"Prediction Mask"]
    Input Data/infos/laneNNNN/Raw Data/      __class__, location, filePath, datasetId, nickname,
                                             axistags, shape, allowLabels, display_mode (+ inner_path)
    Input Data/infos/laneNNNN/Prediction Mask/   (empty group: no mask)
    Input Data/local_data/<datasetId>        data stored in the project (attrs: axistags)
    FeatureSelections/                       FeatureIds, Scales, SelectionMatrix, ComputeIn2d
    PixelClassification/                     LabelNames, LabelColors, PmapColors, StorageVersion,
                                             Bookmarks (pickled, void), ClassifierFactory (pickled bytes),
                                             ClassifierForests/ (only with ``forests``: pickled_type,
                                             Forest0000... as vigra writes them, known_labels, feature_names),
                                             LabelSets/labelsNNN/blockNNNN (attrs: blockSlice, axistags)
    Prediction Export/                       OutputFormat, OutputFilenameFormat, OutputInternalPath, ExportDtype

Label blocks are given in pixframework terms (spatial ``(z)yx`` offset and array) and written in the
axis order ilastik saved them in (``label_axes``), with singleton ``t``/``c``/``z`` axes inserted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

ILASTIK_IDS = (
    "GaussianSmoothing",
    "LaplacianOfGaussian",
    "GaussianGradientMagnitude",
    "DifferenceOfGaussians",
    "StructureTensorEigenvalues",
    "HessianOfGaussianEigenvalues",
)
ILASTIK_SCALES = (0.3, 0.7, 1.0, 1.6, 3.5, 5.0, 10.0)
_TYPE_FLAGS = {"t": 8, "c": 1, "z": 2, "y": 2, "x": 2}


def pickle_payload(marker: Path) -> bytes:
    """Protocol-0 pickle text that, if anyone ever unpickled it, would create ``marker`` via a shell."""
    return f"cos\nsystem\n(S'touch {marker}'\ntR.".encode()


#: the protocol-0 pickle of ilastik's default classifier class (what ``pickle.dumps(type(self), 0)`` gives)
PARALLEL_TYPE = b"clazyflow.classifiers.parallelVigraRfLazyflowClassifier\nParallelVigraRfLazyflowClassifier\np0\n."
#: ... and of the single-forest one (its forest lives in a group called ``forest``)
SINGLE_TYPE = b"clazyflow.classifiers.vigraRfLazyflowClassifier\nVigraRfLazyflowClassifier\np0\n."


@dataclass
class Forests:
    """ilastik's trained classifier: vigra forests in an HDF5 file (written by vigra's ``writeHDF5``).

    :param file: HDF5 file holding groups ``Forest0000``, ``Forest0001``, ...
    :param known_labels: label value per probability column.
    :param feature_names: ilastik's feature names (``None``: not stored, as before ilastik 1.2).
    :param pickled_type: the ``pickled_type`` bytes; ``None`` writes none (old projects).
    :param single: store one forest as ``forest`` (``VigraRfLazyflowClassifier``) instead.
    """

    file: Path
    known_labels: Sequence[int] = (1, 2)
    feature_names: Sequence[str] | None = None
    pickled_type: bytes | None = PARALLEL_TYPE
    single: bool = False


def axistags(axes: str) -> bytes:
    """ilastik's (vigra's) axistags JSON for ``axes``."""
    doc = {
        "axes": [{"key": a, "typeFlags": _TYPE_FLAGS[a], "resolution": 0, "description": ""} for a in axes]
    }
    return json.dumps(doc).encode()


@dataclass
class LabelBlock:
    """A label block in pixframework terms: spatial ``(z)yx`` offset and class-index array."""

    offset: tuple[int, ...]
    labels: np.ndarray


@dataclass
class IlpLane:
    """One lane. ``data`` is in ``axes`` order (ilastik's axes, e.g. ``"cyx"`` or ``"tzyxc"``).

    :param file_path: for file lanes: the path stored in the .ilp (relative or absolute, with the
        dataset inside an HDF5 file if any). ``None`` stores the data inside the project.
    :param label_axes: axis order of the saved label blocks (default: ilastik's channel-last order).
    :param write_file: where to write the data for a file lane (default: ``file_path`` resolved
        against the .ilp's folder); ``False`` writes no file (a missing image).
    """

    data: np.ndarray
    axes: str
    file_path: str | None = None
    nickname: str = ""
    blocks: list[LabelBlock] = field(default_factory=list)
    label_axes: str | None = None
    write_file: Path | bool | None = None
    stored_axes: bool = True
    allow_labels: bool = True


def spatial_letters(lane: IlpLane) -> str:
    """Spatial letters of the imported image (singleton z dropped)."""
    shape = dict(zip(lane.axes, lane.data.shape))
    return "zyx" if shape.get("z", 1) > 1 else "yx"


def default_label_axes(lane: IlpLane) -> str:
    return spatial_letters(lane) + "c"


def saved_block(block: LabelBlock, lane: IlpLane, label_axes: str) -> tuple[str, np.ndarray]:
    """``(blockSlice text, data)`` of a block in ``label_axes`` order."""
    spatial = spatial_letters(lane)
    parts, data_axes = [], []
    for letter in label_axes:
        if letter in spatial:
            start = block.offset[spatial.index(letter)]
            parts.append(f"{start}:{start + block.labels.shape[spatial.index(letter)]}")
        else:
            parts.append("0:1")
        data_axes.append(letter)
    data = block.labels
    # bring the spatial axes into label order, then insert the singleton ones
    present = [a for a in label_axes if a in spatial]
    data = np.transpose(data, [spatial.index(a) for a in present])
    for i, letter in enumerate(label_axes):
        if letter not in spatial:
            data = np.expand_dims(data, i)
    return "[" + ",".join(parts) + "]", data


def write_image_file(path: Path | str, data: np.ndarray, axes: str) -> None:
    """Write ``data`` to ``path``: ``x.h5/inner`` (with axistags), ``.tif`` or ``.npy``."""
    text = str(path)
    if ".h5" in text:
        file, _, inner = text.partition(".h5")
        file += ".h5"
        Path(file).parent.mkdir(parents=True, exist_ok=True)
        with h5py.File(file, "a") as f:
            ds = f.create_dataset(inner.strip("/") or "data", data=data)
            ds.attrs["axistags"] = axistags(axes).decode()
    elif text.endswith((".tif", ".tiff")):
        import tifffile

        Path(text).parent.mkdir(parents=True, exist_ok=True)
        tifffile.imwrite(text, data)
    else:
        Path(text).parent.mkdir(parents=True, exist_ok=True)
        np.save(text, data)


def write_ilp(
    path: Path | str,
    lanes: Sequence[IlpLane],
    *,
    classes: Sequence[tuple[str, tuple[int, int, int]]] | None = (
        ("background", (255, 0, 0)),
        ("cell", (0, 255, 0)),
    ),
    features: tuple[Sequence[str], Sequence[float], np.ndarray, Sequence[bool] | None] | None = None,
    version: str = "1.4.1",
    workflow: str = "Pixel Classification",
    block_axistags: bool = True,
    marker: Path | None = None,
    legacy_internal: bool = False,
    forests: Forests | None = None,
    export: dict | None = None,
) -> Path:
    """Write an .ilp at ``path`` (and the image files of file lanes); returns ``path``.

    :param classes: ``(name, rgb)`` per class; ``None`` writes no LabelNames/LabelColors.
    :param features: ``(ids, scales, matrix, compute_in_2d)``; default: Gaussian smoothing at 1.0 only.
    :param block_axistags: write ``axistags`` on label blocks (ilastik >= 1.4.0b8 does).
    :param marker: file a pickled payload would create if it were ever unpickled.
    :param legacy_internal: internal lanes without ``inner_path`` (ilastik < 1.4), found by datasetId.
    :param forests: the trained classifier to store; ``None`` stores none (as ilastik does when the
        classifier is not up to date with the labels).
    :param export: "Prediction Export" entries (name -> value) replacing the default ones.
    """
    path = Path(path)
    payload = pickle_payload(marker or path.with_suffix(".unpickled"))
    with h5py.File(path, "w") as f:
        f["ilastikVersion"] = version.encode()
        f["workflowName"] = workflow.encode()
        f["time"] = b"Mon Jan  1 00:00:00 2024"
        f["currentApplet"] = 2
        _write_input(f, path.parent, lanes, legacy_internal)
        _write_features(f, features)
        pc = f.create_group("PixelClassification")
        if classes is not None:
            names = pc.create_dataset("LabelNames", data=[n.encode() for n, _ in classes])
            names.attrs["isEmpty"] = len(classes) == 0
            colors = np.array([c for _, c in classes], dtype=np.int64).reshape(-1, 3)
            pc.create_dataset("LabelColors", data=colors)
            pc.create_dataset("PmapColors", data=colors)
        pc["StorageVersion"] = b"0.1"
        bookmarks = pc.create_dataset("Bookmarks", data=np.void(payload))
        bookmarks.attrs["version"] = 1
        pc["ClassifierFactory"] = payload
        if forests is not None:
            _write_forests(pc, forests)
        sets = pc.create_group("LabelSets")
        for index, lane in enumerate(lanes):
            group = sets.create_group(f"labels{index:03d}")
            label_axes = lane.label_axes or default_label_axes(lane)
            for k, block in enumerate(lane.blocks):
                text, data = saved_block(block, lane, label_axes)
                ds = group.create_dataset(f"block{k:04d}", data=data.astype(np.uint8))
                ds.attrs["blockSlice"] = text.encode()
                if block_axistags:
                    ds.attrs["axistags"] = axistags(label_axes).decode()
        group = f.create_group("Prediction Export")
        settings = {"OutputFormat": "hdf5", "OutputFilenameFormat": "{dataset_dir}/{nickname}_{result_type}",
                    "OutputInternalPath": "exported_data", "ExportDtype": "uint8"} if export is None else export
        for key, value in settings.items():
            group[key] = value.encode() if isinstance(value, str) else value
    return path


def handmade_forests(path: Path, n_features: int, splits: Sequence[Sequence[tuple[int, float]]],
                     labels: Sequence[int] = (1, 2), weighted: bool = False) -> Path:
    """Write vigra forests by hand (vigra's HDF5 layout): ``splits[f]`` lists the trees of forest ``f``,
    each one split ``(column, threshold)``: ``x < threshold`` gives the first class, else the last."""
    c = len(labels)
    with h5py.File(path, "w") as f:
        for i, trees in enumerate(splits):
            group = f.create_group(f"Forest{i:04d}")
            group.attrs["vigra_random_forest_version"] = np.array([0.1])
            ext, options = group.create_group("_ext_param"), group.create_group("_options")
            for name, value in (("column_count_", n_features), ("class_count_", c), ("problem_type_", 1)):
                ext[name] = np.array([float(value)])
            ext["labels"] = np.asarray(labels, np.uint32)
            options["tree_count_"] = np.array([float(len(trees))])
            options["predict_weighted_"] = np.array([float(weighted)])
            for t, (column, threshold) in enumerate(trees):
                tree = group.create_group(f"Tree_{t}")
                # root split at 2 (type 0, parameters at 0), leaves at 7 and 9 (type 0x40000000)
                tree["topology"] = np.array([n_features, c, 0, 0, 7, 9, column, 0x40000000, 2, 0x40000000, 3 + c],
                                            np.int32)
                first, last = np.eye(c)[0], np.eye(c)[-1]
                tree["parameters"] = np.concatenate([[1.0, threshold, 5.0], first, [5.0], last])
    return path


def _write_forests(pc: h5py.Group, forests: Forests) -> None:
    group = pc.create_group("ClassifierForests")
    with h5py.File(forests.file, "r") as source:
        names = sorted(n for n in source if n.startswith("Forest"))
        for name in names[:1] if forests.single else names:
            source.copy(source[name], group, name="forest" if forests.single else name)
    group["known_labels"] = np.asarray(forests.known_labels, dtype=np.uint32)
    if forests.feature_names is not None:
        group.create_dataset("feature_names", data=[n.encode() for n in forests.feature_names])
    if forests.pickled_type is not None:
        group["pickled_type"] = forests.pickled_type


def _write_input(f: h5py.File, folder: Path, lanes: Sequence[IlpLane], legacy_internal: bool) -> None:
    group = f.create_group("Input Data")
    group["Role Names"] = [b"Raw Data", b"Prediction Mask"]
    local = group.create_group("local_data")
    infos = group.create_group("infos")
    for index, lane in enumerate(lanes):
        lane_group = infos.create_group(f"lane{index:04d}")
        info = lane_group.create_group("Raw Data")
        lane_group.create_group("Prediction Mask")
        dataset_id = f"{index:02d}aa11bb22cc33dd44ee55ff66"
        if lane.file_path is None:
            ds = local.create_dataset(dataset_id, data=lane.data)
            ds.attrs["axistags"] = axistags(lane.axes).decode()
            inner = f"Input Data/local_data/{dataset_id}"
            info["__class__"] = b"ProjectInternalDatasetInfo"
            info["location"] = b"ProjectInternal"
            info["filePath"] = inner.encode()
            if not legacy_internal:
                info["inner_path"] = inner.encode()
        else:
            info["__class__"] = b"FilesystemDatasetInfo"
            info["location"] = b"FileSystem"
            info["filePath"] = lane.file_path.encode()
            if lane.write_file is not False:
                target = lane.write_file or (
                    folder / lane.file_path if not Path(lane.file_path).is_absolute() else lane.file_path
                )
                write_image_file(target, lane.data, lane.axes)
        info["datasetId"] = dataset_id.encode()
        info["nickname"] = lane.nickname.encode()
        if lane.stored_axes:
            info["axistags"] = axistags(lane.axes)
        info["shape"] = np.array(lane.data.shape, dtype=np.int64)
        info["allowLabels"] = lane.allow_labels
        info["display_mode"] = b"default"


def _write_features(f: h5py.File, features: tuple | None) -> None:
    group = f.create_group("FeatureSelections")
    if features is None:
        matrix = np.zeros((6, 7), dtype=bool)
        matrix[0, 2] = True
        features = (ILASTIK_IDS, ILASTIK_SCALES, matrix, [False] * 7)
    ids, scales, matrix, in_2d = features
    group["FeatureIds"] = [i.encode() for i in ids]
    group["Scales"] = np.asarray(scales, dtype=np.float64)
    group["SelectionMatrix"] = np.asarray(matrix, dtype=bool)
    if in_2d is not None:
        group["ComputeIn2d"] = np.asarray(in_2d, dtype=bool)


def expected_labels(lane: IlpLane) -> np.ndarray:
    """The lane's labels painted into a spatial ``(z)yx`` array, as pixframework should hold them."""
    sizes = dict(zip(lane.axes, lane.data.shape))
    out = np.zeros(tuple(sizes[a] for a in spatial_letters(lane)), dtype=np.uint8)
    for block in lane.blocks:
        region = tuple(slice(o, o + s) for o, s in zip(block.offset, block.labels.shape))
        out[region] = np.where(block.labels > 0, block.labels, out[region])
    return out


def canonical(lane: IlpLane) -> np.ndarray:
    """The lane's pixels in pixframework's canonical ``(z)yxc`` order, singleton t/z dropped."""
    data, axes = lane.data, lane.axes
    sizes = dict(zip(axes, data.shape))
    drop = [a for a in axes if a == "t" or (a == "z" and sizes["z"] == 1)]
    data = data[tuple(0 if a in drop else slice(None) for a in axes)]
    axes = "".join(a for a in axes if a not in drop)
    if "c" not in axes:
        data, axes = data[..., None], axes + "c"
    order = ("zyx" if "z" in axes else "yx") + "c"
    return np.transpose(data, [axes.index(a) for a in order])


def random_blocks(
    rng: np.random.Generator, spatial_shape: tuple[int, ...], n_classes: int, count: int
) -> list[LabelBlock]:
    """``count`` non-overlapping blocks of sparse strokes (values 0..n_classes) tiling along the last axis."""
    blocks = []
    width = spatial_shape[-1] // count
    for k in range(count):
        size = tuple(max(2, s // 2) for s in spatial_shape[:-1]) + (max(2, width - 1),)
        start = tuple(int(rng.integers(0, s - z + 1)) for s, z in zip(spatial_shape[:-1], size[:-1])) + (
            k * width,
        )
        labels = rng.integers(0, n_classes + 1, size=size).astype(np.uint8)
        labels[rng.random(size) < 0.5] = 0
        labels.reshape(-1)[0] = 1 + k % n_classes  # never empty
        blocks.append(LabelBlock(start, labels))
    return blocks
