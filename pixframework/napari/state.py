"""What the napari client shows of a project, as the server last answered, and how it words results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ProjectState:
    """What the client shows of a project, as the server last answered."""

    images: list[str] = field(default_factory=list)
    classes: list[dict[str, Any]] = field(default_factory=list)
    #: feature selection entries (``{"filter", "scale", "in_2d", ...}``)
    features: list[dict[str, Any]] = field(default_factory=list)
    classifier: str = ""
    trained: bool = False
    #: labelled pixels per image and class name
    label_counts: dict[str, dict[str, int]] = field(default_factory=dict)


def read_state(project: Any) -> ProjectState:
    """The project's state in one call (run on the worker)."""
    summary = project.summary()
    return ProjectState(
        images=[image["name"] for image in summary["images"]],
        classes=summary["classes"],
        features=summary["features"]["entries"],
        classifier=summary["classifier"]["name"],
        trained=summary["trained"],
        label_counts=summary["label_counts"],
    )


def train_text(summary: dict[str, Any]) -> str:
    """E.g. ``random_forest on 812 samples (background 400, cell 412), 37 features, 0.21 s``."""
    samples = summary.get("samples", {})
    per_class = ", ".join(f"{name} {n}" for name, n in samples.items())
    return (
        f"{summary.get('classifier', '?')} on {sum(samples.values())} samples ({per_class}), "
        f"{summary.get('features', '?')} features, {summary.get('seconds', 0.0):.2f} s"
    )
