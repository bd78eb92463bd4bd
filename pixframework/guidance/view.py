"""What guidance reads from a project: a small, explicit view, so guidance never reaches into a project's internals.

The project builds one (``Project._guidance_view``) from its own pipeline while it holds its lock.
Images are referred to by their index in :attr:`ProjectView.names`; regions are spatial slices
``(z)yx``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

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
