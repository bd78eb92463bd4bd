"""ilastik's trained classifier in an ``.ilp`` (``PixelClassification/ClassifierForests``), read as arrays.

ilastik stores the classifier's Python type as a protocol-0 pickle (``pickled_type``). It is never
unpickled: like ilastik itself, its text is matched against ``c lazyflow.classifiers.<module>\\n
<Type>\\n``. ``ParallelVigraRfLazyflowClassifier`` (the default) keeps its vigra forests in groups
``Forest0000``, ``Forest0001``, ...; ``VigraRfLazyflowClassifier`` one forest in ``forest``. Both
hold ``known_labels`` (label value per probability column) and, since ilastik 1.2,
``feature_names``. ilastik saves the classifier only while it matches the labels, so a project
saved after its labels changed has none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import h5py
import numpy as np

from ..classifiers.vigra_forest import VigraForest
from ..errors import CorruptData
from .hdf5 import dataset, read_numbers, read_texts, reading

GROUP = "PixelClassification/ClassifierForests"
_TYPE = re.compile(rb"clazyflow\.classifiers\.(\w+)\s*\n(\w+)\s*\n")
PARALLEL = "ParallelVigraRfLazyflowClassifier"
SINGLE = "VigraRfLazyflowClassifier"


@dataclass
class StoredClassifier:
    """What the ``.ilp`` holds: vigra forests, or the reason there are none to use.

    :param forests: the forests, in ilastik's order (empty when ``missing`` says why).
    :param labels: label value (class index 1..C) of each probability column.
    :param feature_names: ilastik's names of the feature columns, or ``None`` (older projects).
    """

    forests: list[VigraForest] = field(default_factory=list)
    labels: tuple[int, ...] = ()
    feature_names: list[str] | None = None
    missing: str | None = None

    @property
    def n_trees(self) -> int:
        return sum(len(f.trees) for f in self.forests)

    @property
    def n_features(self) -> int:
        return self.forests[0].n_features if self.forests else 0


def _number(group: h5py.Group, name: str, what: str) -> float:
    ds = dataset(group, name)
    if ds is None:
        raise CorruptData(f"{what}: {group.name}/{name} is missing")
    values = read_numbers(ds, "biuf").reshape(-1)
    if values.size != 1 or not np.isfinite(values[0]):
        raise CorruptData(f"{what}: {ds.name} should hold one number")
    return float(values[0])


def _read_forest(group: h5py.Group) -> VigraForest:
    what = f"vigra forest {group.name}"
    with reading(group.name):
        options, ext = group.get("_options"), group.get("_ext_param")
        if not isinstance(options, h5py.Group) or not isinstance(ext, h5py.Group):
            raise CorruptData(f"{what} has no '_options'/'_ext_param' groups: not a vigra forest")
        n_features = int(_number(ext, "column_count_", what))
        n_classes = int(_number(ext, "class_count_", what))
        if "problem_type_" in ext and int(_number(ext, "problem_type_", what)) != 1:
            raise CorruptData(f"{what} is not a classification forest")
        labels_ds = dataset(ext, "labels")
        labels = tuple(int(v) for v in read_numbers(labels_ds, "iu").reshape(-1)) if labels_ds is not None else ()
        if labels and len(labels) != n_classes:
            raise CorruptData(f"{what}: {len(labels)} labels for {n_classes} classes")
        weighted = bool(_number(options, "predict_weighted_", what)) if "predict_weighted_" in options else False
        trees = []
        # as vigra's import: every subgroup whose name does not start with '_' is a tree
        for name in sorted(n for n in group if not n.startswith("_") and isinstance(group[n], h5py.Group)):
            tree = group[name]
            topology, parameters = dataset(tree, "topology"), dataset(tree, "parameters")
            if topology is None or parameters is None:
                raise CorruptData(f"{what}: tree {name} lacks 'topology' or 'parameters'")
            trees.append((read_numbers(topology, "iu"), read_numbers(parameters, "f")))
        if "tree_count_" in options and int(_number(options, "tree_count_", what)) != len(trees):
            raise CorruptData(f"{what} declares {int(_number(options, 'tree_count_', what))} trees but holds {len(trees)}")
    if n_features < 1 or n_classes < 2 or not trees:
        raise CorruptData(f"{what} is empty or inconsistent ({len(trees)} trees, {n_features} features, {n_classes} classes)")
    return VigraForest(trees, labels or tuple(range(1, n_classes + 1)), n_features, weighted)


def _classifier_type(group: h5py.Group) -> str | None:
    """The class name in ``pickled_type`` (read as bytes, never unpickled), ``None`` if absent."""
    ds = dataset(group, "pickled_type")
    if ds is None:
        return None
    with reading(ds.name):
        raw = ds[()]
    data = bytes(raw.tobytes() if isinstance(raw, np.ndarray) else raw)
    match = _TYPE.search(data)
    return match.group(2).decode("ascii") if match else "an unrecognised classifier"


def read_classifier(ilp: h5py.File) -> StoredClassifier:
    """The stored forests with their labels and feature names, or why none can be used."""
    group = ilp.get(GROUP)
    if not isinstance(group, h5py.Group):
        return StoredClassifier(missing="the project holds no trained classifier (ilastik saves it only while it is "
                                "up to date with the labels: train in ilastik, e.g. with Live Update, then save)")
    kind = _classifier_type(group) or PARALLEL  # projects without pickled_type: ilastik assumes the default
    if kind == PARALLEL:
        names = sorted(n for n in group if n.startswith("Forest"))
    elif kind == SINGLE:
        names = ["forest"] if "forest" in group else []
    else:
        return StoredClassifier(missing=f"its classifier is {kind}, not ilastik's vigra random forest")
    forests = []
    for name in names:
        with reading(f"{group.name}/{name}"):
            item = group[name]
        if not isinstance(item, h5py.Group):
            raise CorruptData(f"{group.name}/{name} should be a vigra forest group")
        forests.append(_read_forest(item))
    if not forests:
        raise CorruptData(f"{group.name} holds no forest")
    labels_ds = dataset(group, "known_labels")
    labels = (tuple(int(v) for v in read_numbers(labels_ds, "iu").reshape(-1)) if labels_ds is not None
              else tuple(range(1, len(forests[0].labels) + 1)))  # ilastik's fallback for old projects
    if len(labels) != len(forests[0].labels):
        raise CorruptData(f"{group.name}: known_labels {list(labels)} do not match the forests' {len(forests[0].labels)} classes")
    names_ds = dataset(group, "feature_names")
    feature_names = read_texts(names_ds) if names_ds is not None else None
    if feature_names is not None and len(feature_names) != forests[0].n_features:
        raise CorruptData(f"{group.name}: {len(feature_names)} feature names for {forests[0].n_features} features")
    return StoredClassifier([_relabel(f, labels) for f in forests], labels, feature_names)


def _relabel(forest: VigraForest, labels: Sequence[int]) -> VigraForest:
    """ilastik maps probability column ``i`` to ``known_labels[i]``, whatever vigra's own labels say."""
    return VigraForest(forest.trees, tuple(int(v) for v in labels), forest.n_features, forest.weighted)
