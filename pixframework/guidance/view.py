"""What guidance reads from a project: a small, explicit view, so guidance never reaches into a project's internals.

The project builds one (``Project._guidance_view`` calls :func:`project_view` with its parts) while
it holds its lock. Images are referred to by their index in :attr:`ProjectView.names`; regions are
spatial slices ``(z)yx``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import outputs, pipeline
from ..cache import ProjectCache
from ..errors import ValidationError
from ..features.selection import FeatureSelection
from ..image_set import ImageSet
from ..images import ImageEntry
from ..label_set import LabelSet
from ..specs import Model

Region = tuple[slice, ...]


@dataclass(frozen=True)
class ProjectView:
    """A project as guidance sees it.

    :param names: image names, in project order.
    :param shapes: spatial shape ``(z)yx`` per image.
    :param classes: ``[{"name", "index", ...}]`` as ``Project.classes``.
    :param labelled: per image, whether it holds any label.
    :param selection: the feature selection (a :class:`~pixframework.features.selection.FeatureSelection`).
    :param classifier: ``(name, params)`` of the chosen classifier.
    :param channels: input channels per pixel of the images.
    :param features_of: ``(image index, region) -> float32 (*region, F)``, computed for the region
        alone unless the project already holds the image's features.
    :param probabilities_of: float32 ``(n, F) -> (n, C)`` class probabilities (project class order)
        from the trained model; ``None`` when the project is not trained.
    :param labels_of: ``(image index, region) -> labels (*region)``, 0 unlabelled.
    :param samples: ``() -> (X, y, positions)``: features, class and ``(image index, z, y, x)`` of
        every labelled pixel (raises ``ValidationError`` when nothing is labelled).
    """

    names: Sequence[str]
    shapes: Sequence[tuple[int, ...]]
    classes: Sequence[dict[str, Any]]
    labelled: Sequence[bool]
    selection: Any
    classifier: tuple[str, dict[str, Any]]
    channels: int
    features_of: Callable[[int, Region], np.ndarray]
    probabilities_of: Callable[[np.ndarray], np.ndarray] | None
    labels_of: Callable[[int, Region], np.ndarray]
    samples: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray]]

    @property
    def channel_names(self) -> list[str]:
        """One name per feature column."""
        return self.selection.channel_names(len(self.shapes[0]), self.channels)


def project_view(
    images: ImageSet,
    labels: LabelSet,
    classes: Sequence[dict[str, Any]],
    selection: FeatureSelection,
    classifier: tuple[str, dict[str, Any]],
    model: Model | None,
    cache: ProjectCache,
    features_of: Callable[[ImageEntry], pipeline.FeaturesOf],
) -> ProjectView:
    """The view of a project made of these parts (its images, labels, classes, selection, classifier
    choice, trained model or ``None``, cache, and its function giving an image's features)."""
    from ..classifiers.api import predict_probabilities
    from .tiles import PIXEL_BUDGET

    entries = list(images)
    n_classes = len(classes)
    ids = set(labels.labelled([e.id for e in entries]))
    labelled = [i for i, e in enumerate(entries) if e.id in ids]

    def region_features(index: int, region: Region) -> np.ndarray:
        entry = entries[index]
        if int(np.prod(entry.spatial_shape)) <= PIXEL_BUDGET:
            return features_of(entry)(region)  # small: whole-image features, cached for what follows
        # big: the region alone, unless training or prediction cached the whole image already
        return pipeline.features_if_cached(cache, entry.id, images.pixels(entry), entry.axes, selection)(region)

    def probabilities_of(features: np.ndarray) -> np.ndarray:
        return outputs.class_probabilities(predict_probabilities(model, features), model.classes, n_classes)

    def samples() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not labelled:
            raise ValidationError("there are no labels yet: label pixels of at least two classes first")
        sources = [(labels.get(entries[i].id), features_of(entries[i])) for i in labelled]
        shapes = [entries[i].spatial_shape for i in labelled]
        x, y, where = pipeline.labelled_samples(sources, shapes, lambda: 0, return_positions=True)
        where[:, 0] = np.asarray(labelled, np.int64)[where[:, 0]]  # index among labelled -> among all images
        return x, y, where

    return ProjectView(
        names=[e.name for e in entries],
        shapes=[e.spatial_shape for e in entries],
        classes=list(classes),
        labelled=[e.id in ids for e in entries],
        selection=selection,
        classifier=classifier,
        channels=entries[0].n_channels if entries else 1,
        features_of=region_features,
        probabilities_of=probabilities_of if model is not None else None,
        labels_of=lambda index, region: labels.read(entries[index].id, tuple(region), n_classes),
        samples=samples,
    )
