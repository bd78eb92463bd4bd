"""Test helper: ilastik projects whose forests vigra trained, as ilastik would have.

The features of the labelled pixels are computed by the vigra oracle from ilastik's definitions
(:mod:`vigra_oracle`), vigra trains one random forest per entry of ``tree_counts`` on them and
writes them with its HDF5 export, and :func:`ilastik_ilp.write_ilp` stores them in the ``.ilp``
layout ilastik uses. Nothing of pixframework is involved in making the project.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vigra_oracle
from ilastik_ilp import ILASTIK_IDS, ILASTIK_SCALES, PARALLEL_TYPE, SINGLE_TYPE, Forests, IlpLane, LabelBlock, write_ilp


@dataclass
class Selection:
    """ilastik's feature matrix: ``ids`` x ``scales`` with ``matrix`` and per-scale ``in_2d``."""

    ids: Sequence[str]
    scales: Sequence[float]
    matrix: np.ndarray
    in_2d: Sequence[bool]

    def entries(self) -> list[list]:
        """``[feature_id, scale, in_2d]`` in ilastik's channel order (feature, then scale as stored)."""
        return [[f, float(s), bool(self.in_2d[j])] for i, f in enumerate(self.ids)
                for j, s in enumerate(self.scales) if self.matrix[i, j]]

    def stored(self) -> tuple:
        return (list(self.ids), list(self.scales), self.matrix, list(self.in_2d))


def full_selection(in_2d: bool = False) -> Selection:
    """ilastik's full default set: smoothing at all seven scales, the other five from 0.7 on."""
    matrix = np.ones((6, 7), bool)
    matrix[1:, 0] = False
    return Selection(ILASTIK_IDS, ILASTIK_SCALES, matrix, [in_2d] * 7)


def oracle_features(image: np.ndarray, selection: Selection) -> np.ndarray:
    """ilastik desktop's features of ``image`` (spatial axes, channels last) by vigra, ilastik's order."""
    return vigra_oracle.run("features", {"image": image}, entries=selection.entries())


def vigra_project(path: Path, image: np.ndarray, axes: str, labels: np.ndarray, selection: Selection,
                  tree_counts: Sequence[int] = (4, 3, 3), *, single: bool = False, seed: int = 0,
                  feature_names: bool = True, image_file: str | None = "train.h5/raw",
                  export: dict | None = None) -> Path:
    """Write ``path`` (.ilp) with one lane holding ``image`` and a forest vigra trained on ``labels``.

    :param image: pixels with spatial axes and channels last (``yxc`` / ``zyxc``); stored with ``axes``.
    :param labels: spatial ``(z)yx`` label image, 0 unlabelled, classes 1..C.
    :param image_file: where the lane's file goes, relative to the .ilp (``None``: inside the .ilp).
    :param export: the stored export settings (default: none, so ilastik's defaults apply).
    """
    features = oracle_features(image, selection)
    where = labels > 0
    forest_file = path.with_suffix(".forests.h5")
    vigra_oracle.run("train", {"features": features[where], "labels": labels[where]}, tree_counts=list(tree_counts),
                     file=str(forest_file), seed=seed)
    classes = [int(c) for c in np.unique(labels[where])]
    stored = image if axes.endswith("c") else image[..., 0]
    blocks = [LabelBlock((0,) * labels.ndim, labels.astype(np.uint8))]
    lane = IlpLane(stored, axes, file_path=image_file, nickname="train", blocks=blocks)
    names = [f"feature {i}" for i in range(features.shape[-1])] if feature_names else None
    write_ilp(path, [lane], features=selection.stored(), classes=[(f"class {c}", (40 * c, 0, 0)) for c in classes],
              forests=Forests(forest_file, known_labels=classes, feature_names=names, single=single,
                              pickled_type=SINGLE_TYPE if single else PARALLEL_TYPE),
              export=export or {})
    return path


def oracle_pipeline(ilp: Path, image: np.ndarray, selection: Selection, forests: int, single: bool = False) -> np.ndarray:
    """The vigra reference pipeline: ilastik desktop features, then ilastik's forest average, read by
    vigra straight from the .ilp. Returns probabilities ``(*spatial, C)``."""
    features = oracle_features(image, selection)
    groups = ["forest"] if single else [f"Forest{i:04d}" for i in range(forests)]
    flat = features.reshape(-1, features.shape[-1])
    proba = vigra_oracle.run("predict", {"features": flat},
                             forests=[[str(ilp), f"PixelClassification/ClassifierForests/{g}"] for g in groups])
    return proba.reshape(features.shape[:-1] + (proba.shape[-1],))
