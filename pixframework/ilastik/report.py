"""What an import did: images, classes, labels, features, what was skipped and what to do next."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: ilastik export format names -> (`pixf predict --output_format` value, file extension ilastik appends)
_PREDICT_FORMATS = {
    "hdf5": ("hdf5", ".h5"),
    "compressed hdf5": ("hdf5", ".h5"),
    "numpy": ("numpy", ".npy"),
    "tif": ("tif", ".tif"),
    "multipage tiff": ("tif", ".tiff"),
    "png": ("png", ".png"),
}


@dataclass
class ImportedImage:
    """One imported lane.

    :param name: image name in the new project.
    :param lane: ilastik lane number (0-based).
    :param source: the file used (``None`` when the pixels came from inside the ``.ilp``).
    :param stored: whether the pixels were copied into the project.
    :param shape: canonical shape ``(z)yxc``.
    :param relocated: folder the file was found in by name, when it had moved.
    :param why_copied: why a file was copied although ``copy_data`` was off.
    """

    name: str
    lane: int
    source: str | None
    stored: bool
    shape: tuple[int, ...]
    relocated: str | None = None
    why_copied: str | None = None


@dataclass
class ImportReport:
    """Summary of :func:`pixframework.ilastik.import_project` (also printed by ``pixf import-ilastik``)."""

    source: str
    project: str
    ilastik_version: str | None
    workflow: str = "Pixel Classification"
    images: list[ImportedImage] = field(default_factory=list)
    classes: list[dict[str, Any]] = field(default_factory=list)
    label_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    features: dict[str, Any] = field(default_factory=dict)
    features_from_ilastik: bool = True
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    export_settings: dict[str, str] = field(default_factory=dict)
    trained: dict[str, Any] | None = None
    forest: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-able form (``pixf import-ilastik --json``)."""
        return {
            "source": self.source,
            "project": self.project,
            "ilastik_version": self.ilastik_version,
            "workflow": self.workflow,
            "images": [vars(i) | {"shape": list(i.shape)} for i in self.images],
            "classes": self.classes,
            "label_counts": self.label_counts,
            "features": self.features,
            "features_from_ilastik": self.features_from_ilastik,
            "skipped": [{"item": item, "reason": reason} for item, reason in self.skipped],
            "notes": self.notes,
            "predict_command": self.predict_command(),
            "trained": self.trained,
            "forest": self.forest,
        }

    def predict_command(self) -> str:
        """A ``pixf predict`` line reproducing the project's stored ilastik export settings."""
        parts = ["pixf predict", "--project", _quote(self.project)]
        settings = self.export_settings
        fmt = settings.get("OutputFormat", "").strip().lower()
        name, extension = _PREDICT_FORMATS.get(fmt, (fmt, ""))
        if name:
            parts += ["--output_format", _quote(name)]
        template = settings.get("OutputFilenameFormat")
        if template:
            # ilastik appends the format's extension (and the dataset inside an HDF5 file) itself
            if extension and not template.lower().endswith(extension):
                template += extension
            inner = settings.get("OutputInternalPath", "").strip("/")
            if extension == ".h5":
                template += "/" + (inner or "exported_data")
            parts += ["--output_filename_format", _quote(template)]
        dtype = settings.get("ExportDtype")
        if dtype and dtype != "float32":
            parts += ["--export_dtype", dtype]
        return " ".join(parts + ["--export_source", "probabilities", "[IMAGE ...]"])

    def lines(self) -> list[str]:
        """Human-readable summary, one line per fact."""
        version = f"ilastik {self.ilastik_version}" if self.ilastik_version else "ilastik"
        out = [f"imported {version} {self.workflow} project {self.source}", f"  -> {self.project}"]
        out.append(f"images ({len(self.images)}):")
        for image in self.images:
            where = "stored in the project" if image.stored else "used in place"
            origin = image.source or "data inside the .ilp"
            extra = f"; found by name in {image.relocated}" if image.relocated else ""
            extra += f"; copied: {image.why_copied}" if image.why_copied else ""
            out.append(f"  {image.name} (lane {image.lane}) shape {image.shape}: {origin}, {where}{extra}")
        out.append(
            "classes: "
            + (", ".join(f"{c['index']} {c['name']} ({c['color']})" for c in self.classes) or "none")
        )
        out.append("labelled pixels:")
        for name, counts in self.label_counts.items():
            out.append(f"  {name}: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "none"))
        entries = self.features.get("entries", [])
        origin = "from the ilastik project" if self.features_from_ilastik else "pixframework's default"
        out.append(f"features: {len(entries)} filter x scale entries ({origin})")
        out += [f"note: {n}" for n in self.notes]
        if self.skipped:
            out.append("not imported:")
            out += [f"  {item}: {reason}" for item, reason in self.skipped]
        if self.trained is not None:
            samples = self.trained.get("samples", {})
            replaced = " (replacing ilastik's forest)" if self.forest else ""
            out.append(f"trained {self.trained.get('classifier')} on {sum(samples.values())} labelled pixels{replaced}")
        elif self.forest is not None:
            f = self.forest
            out.append(
                f"kept ilastik's trained forest ({f['forests']} vigra forest(s), {f['trees']} trees, {f['features']} "
                "features): the project predicts like ilastik until you retrain it"
            )
        else:
            out.append(
                "not trained: the .ilp holds no usable trained forest; train from the imported labels with "
                f"`pixf train --project {_quote(self.project)}` (or import with --train)"
            )
        out.append(f"then predict like ilastik headless: {self.predict_command()}")
        return out


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
