"""The Project: the one workflow API every client (Python, CLI, server, GUI) goes through.

A project holds images, label classes, sparse labels, a feature selection, a classifier choice and
the trained model, and keeps them on disk in a ``NAME.pixf`` directory (see :mod:`pixframework.store`).

Axes: images are seen in canonical order, spatial axes ``(z)yx`` then one channel axis; labels
and regions use spatial axes only. Probabilities come as float32 ``(*spatial, C)`` in class order,
segmentation as class index ``1..C``, uncertainty as float32 ``(*spatial, 1)``.

Example::

    with Project.create("cells.pixf") as p:
        p.add_image("cells.tif")
        p.add_class("background"); p.add_class("cell")
        p.paint("cells", "cell", [[20, 30], [40, 60]], radius=3)
        p.paint("cells", "background", [[200, 10]], radius=5)
        p.train()
        seg = p.predict("cells", output="segmentation")
        p.save()
"""

from __future__ import annotations

import functools
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from . import outputs as out_mod
from .cache import CacheView, shared_cache
from .errors import Conflict, NotFound, NotTrained, ValidationError
from .guidance.results import FeatureSuggestion, LabelSuggestion
from .images import ImageEntry, check_pixels, open_reference, read_array, source_file
from .io.axes import normalize_region, to_canonical
from .labels import SparseLabels, label_dtype
from .painting import stroke_mask
from .palette import default_color, normalize_color
from .store import SUFFIX, ProjectStore

Progress = Callable[[float, str], None]
#: our own histogram random forest (pixframework/classifiers/fast_forest.py): 100 trees like ilastik, the same
#: held-out accuracy as scikit-learn's on stroke labels, 7-15x faster to train, which is what live update waits on
DEFAULT_CLASSIFIER = "fast_forest"


def _locked(method: Callable) -> Callable:
    """Serialise a public method on the project's lock (several server clients share one project)."""

    @functools.wraps(method)
    def wrapper(self: "Project", *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self._check_open()
            return method(self, *args, **kwargs)

    return wrapper


class Project:
    """A pixel-classification project stored in a ``.pixf`` directory. Use :meth:`create` or :meth:`open`."""

    def __init__(self, store: ProjectStore, meta: Mapping[str, Any]):
        from .features.selection import FeatureSelection

        self._lock = threading.RLock()
        self._store = store
        self._closed = False
        self._images: dict[str, ImageEntry] = {}
        for doc in meta.get("images", []):
            entry = ImageEntry.from_json(doc)
            self._images[entry.name] = entry
        self._classes: list[dict[str, str]] = [
            {"name": str(c["name"]), "color": normalize_color(c["color"])} for c in meta.get("classes", [])
        ]
        features = meta.get("features")
        self._selection = FeatureSelection.from_json(features) if features else FeatureSelection.default()
        classifier = meta.get("classifier") or {"name": DEFAULT_CLASSIFIER, "params": {}}
        self._classifier: tuple[str, dict[str, Any]] = (classifier["name"], dict(classifier.get("params", {})))
        self._label_entries: dict[str, dict[str, Any]] = dict(meta.get("labels", {}))
        self._labels: dict[str, SparseLabels] = {}
        for entry in self._images.values():
            stored = self._label_entries.get(entry.id)
            if stored is not None:
                self._labels[entry.id] = store.read_labels(stored, entry.spatial_shape)
        self._saved_label_versions = {k: v.version for k, v in self._labels.items()}
        self._model = None
        self._model_ref: str | None = None
        self._model_info: dict[str, Any] | None = None
        if meta.get("model"):
            from .classifiers.api import load_model

            self._model_ref = meta["model"]["ref"]
            self._model_info = dict(meta["model"].get("info", {}))
            model_meta, arrays = store.read_model(self._model_ref)
            self._model = load_model(model_meta, arrays)
        self._model_generation = 0
        self._dirty = False
        self._cache = CacheView(shared_cache(), owner=uuid.uuid4().hex)

    # ================================================================== lifecycle
    @classmethod
    def create(cls, path: str | os.PathLike, *, overwrite: bool = False) -> "Project":
        """Create a new, empty project directory (``.pixf`` is appended when missing)."""
        path = Path(path)
        if path.suffix != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
        store = ProjectStore.create(path, overwrite=overwrite)
        return cls(store, store.read_meta())

    @classmethod
    def open(cls, path: str | os.PathLike) -> "Project":
        """Open an existing project; a project from an older schema is migrated on the next save."""
        store, meta = ProjectStore.open(path)
        return cls(store, meta)

    @classmethod
    def from_ilastik(
        cls,
        path: str | os.PathLike,
        new_path: str | os.PathLike,
        *,
        search_dirs: Sequence[str | os.PathLike] = (),
        copy_data: bool = False,
    ) -> "Project":
        """Import an ilastik Pixel Classification project (``.ilp``) as a new project and open it.

        Images, classes, labels and features are imported; ilastik's forest is not, so call
        :meth:`train`. See :func:`pixframework.ilastik.import_project` for the details and the report.

        :param search_dirs: folders to look in, by file name, for images that moved.
        :param copy_data: copy image files into the project (data inside the ``.ilp`` always is).
        """
        from .ilastik import import_project

        report = import_project(path, new_path, search_dirs=search_dirs, copy_data=copy_data)
        return cls.open(report.project)

    @property
    def path(self) -> Path:
        return self._store.path

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close(save=exc[0] is None)

    def __repr__(self) -> str:
        return f"Project({str(self.path)!r}, images={len(self._images)}, classes={len(self._classes)})"

    def _check_open(self) -> None:
        if self._closed:
            raise Conflict(f"project {self.path} is closed")

    @_locked
    def save(self) -> None:
        """Write all changes atomically: a crash at any moment leaves the previous or the new save."""
        store = self._store
        old_refs = ProjectStore.referenced(self._meta())
        for image_id, labels in self._labels.items():
            if labels.version != self._saved_label_versions.get(image_id) or image_id not in self._label_entries:
                self._label_entries[image_id] = store.write_labels(labels)
        for image_id in list(self._label_entries):
            if image_id not in self._labels:
                del self._label_entries[image_id]
        if self._model is not None and self._model_ref is None:
            meta, arrays = self._model.get_state()
            self._model_ref = store.write_model(meta, arrays)
        meta = self._meta()
        store.commit(meta)
        self._saved_label_versions = {k: v.version for k, v in self._labels.items()}
        self._dirty = False
        for ref in old_refs - ProjectStore.referenced(meta):
            store.sweep_ref(ref)

    def close(self, *, save: bool = True) -> None:
        """Save (unless ``save=False``) and release caches; further calls raise."""
        with self._lock:
            if self._closed:
                return
            if save:
                self.save()
            self._cache.clear()
            self._closed = True

    @property
    def has_unsaved_changes(self) -> bool:
        return self._dirty or any(v.version != self._saved_label_versions.get(k) for k, v in self._labels.items())

    def _meta(self) -> dict[str, Any]:
        model = None
        if self._model_ref is not None:
            model = {"ref": self._model_ref, "info": self._model_info or {}}
        return {
            "images": [e.to_json() for e in self._images.values()],
            "classes": [dict(c) for c in self._classes],
            "features": self._selection.to_json(),
            "classifier": {"name": self._classifier[0], "params": self._classifier[1]},
            "labels": dict(self._label_entries),
            "model": model,
        }

    # ================================================================== images
    @property
    def images(self) -> list[str]:
        """Image names in the order they were added."""
        return list(self._images)

    def _image(self, name: str) -> ImageEntry:
        try:
            return self._images[name]
        except (KeyError, TypeError):
            raise NotFound(f"no image {name!r} in project (images: {', '.join(self._images) or 'none'})") from None

    @_locked
    def add_image(
        self,
        source: Any,
        *,
        axes: str | None = None,
        name: str | None = None,
        copy: bool | None = None,
        format: str | None = None,
    ) -> str:
        """Add an image and return its name.

        :param source: a file path/URI of any registered format (``cells.tif``, ``vol.h5/raw``,
            ``img.zarr``), or a numpy array.
        :param axes: axes of the source (``yx``, ``yxc``, ``cyx``, ``zyx``, ``zyxc``, ...); default: from the
            file's metadata, else the inference rule of :mod:`pixframework.io.axes`.
        :param name: unique name; default the file stem or ``image-N``.
        :param copy: copy the pixels into the project (default for arrays; files default to a reference).
        :param format: format name to bypass detection by extension.
        """
        if isinstance(source, np.ndarray):
            if copy is False:
                raise ValidationError("arrays are always copied into the project (copy=False needs a file path)")
            view, _ = to_canonical(source, axes)
            check_pixels(view.shape, view.dtype, "array")
            if not np.issubdtype(view.dtype, np.integer) and not np.all(np.isfinite(view)):
                raise ValidationError("image contains NaN or infinite values")
            default_name = f"image-{len(self._images) + 1}"
            src_info: dict[str, Any] | None = None
        elif isinstance(source, (str, os.PathLike)):
            path = os.path.abspath(os.fspath(source))
            from .io.dispatch import find_format

            fmt = find_format(path, format).name
            src_info = {
                "kind": "reference",
                "path": path,
                "relpath": os.path.relpath(path, self.path.parent),
                "format": fmt,
                "axes": None,
            }
            src_info["axes"] = axes
            view = open_reference(src_info, self.path)
            src_info["axes"] = view.axes  # record the axes actually used, so reopening never guesses
            check_pixels(view.shape, view.dtype, path)
            default_name = Path(os.fspath(source).rstrip("/")).name.split(".")[0] or f"image-{len(self._images) + 1}"
        else:
            raise ValidationError(f"an image source must be a path or a numpy array, got {type(source).__name__}")
        shape = tuple(int(s) for s in view.shape)
        self._check_compatible(shape)
        name = self._unique_name(name, default_name)
        image_id = uuid.uuid4().hex[:12]
        if src_info is None or copy:
            ref = self._store.write_image(lambda region: read_array(view, region[:-1]), shape, np.dtype(view.dtype))
            src_info = {"kind": "copy", "ref": ref}
        self._images[name] = ImageEntry(name, image_id, src_info, shape, np.dtype(view.dtype).str)
        self._dirty = True
        return name

    def _unique_name(self, name: str | None, default: str) -> str:
        if name is not None:
            if not isinstance(name, str) or not name.strip():
                raise ValidationError("image name must be a non-empty string")
            if name in self._images:
                raise Conflict(f"an image called {name!r} already exists")
            return name
        candidate, n = default, 2
        while candidate in self._images:
            candidate, n = f"{default}-{n}", n + 1
        return candidate

    def _check_compatible(self, shape: tuple[int, ...]) -> None:
        other = next(iter(self._images.values()), None)  # all images already agree with each other
        if other is None:
            return
        if len(other.shape) != len(shape):
            raise ValidationError(
                f"all images of a project must have the same number of spatial axes: {other.name!r} is "
                f"{len(other.shape) - 1}D, the new image is {len(shape) - 1}D"
            )
        if other.n_channels != shape[-1]:
            raise ValidationError(
                f"all images of a project must have the same number of channels: {other.name!r} has "
                f"{other.n_channels}, the new image has {shape[-1]}"
            )

    @_locked
    def remove_image(self, name: str) -> None:
        """Remove an image and its labels from the project."""
        entry = self._image(name)
        del self._images[name]
        self._labels.pop(entry.id, None)
        self._forget(entry.id)
        self._dirty = True

    @_locked
    def image_info(self, name: str) -> dict[str, Any]:
        """Name, canonical shape and axes, dtype, source path and whether the pixels are stored in the project."""
        return self._image(name).info()

    def _source(self, entry: ImageEntry) -> Any:
        if entry._data is None:
            if entry.source["kind"] == "copy":
                entry._data = self._store.open_image(entry.source["ref"])
            else:
                entry._data = open_reference(entry.source, self.path)
            if tuple(entry._data.shape) != entry.shape:
                raise ValidationError(
                    f"image {entry.name!r} changed on disk: shape {tuple(entry._data.shape)}, expected {entry.shape}"
                )
        return entry._data

    @_locked
    def read_image(self, name: str, region: Sequence[slice] | None = None) -> np.ndarray:
        """Pixels of ``region`` (spatial slices; all channels) in canonical axes."""
        entry = self._image(name)
        region = normalize_region(region, entry.spatial_shape)
        return read_array(self._source(entry), region)

    # ================================================================== classes
    @property
    def classes(self) -> list[dict[str, Any]]:
        """Label classes: ``[{"name", "color", "index"}]`` with index 1..C (the label value)."""
        with self._lock:
            return [dict(c, index=i + 1) for i, c in enumerate(self._classes)]

    def _class_index(self, class_: str | int) -> int:
        if isinstance(class_, (int, np.integer)) and not isinstance(class_, bool):
            if 1 <= int(class_) <= len(self._classes):
                return int(class_)
            raise ValidationError(f"class index {class_} out of range 1..{len(self._classes)}")
        for i, c in enumerate(self._classes):
            if c["name"] == class_:
                return i + 1
        raise NotFound(f"no class {class_!r} (classes: {', '.join(c['name'] for c in self._classes) or 'none'})")

    @_locked
    def add_class(self, name: str, color: str | tuple[int, int, int] | None = None) -> int:
        """Add a label class; returns its index (the label value used for it)."""
        if not isinstance(name, str) or not name.strip():
            raise ValidationError("class name must be a non-empty string")
        if any(c["name"] == name for c in self._classes):
            raise Conflict(f"a class called {name!r} already exists")
        color = normalize_color(color) if color is not None else default_color(len(self._classes))
        self._classes.append({"name": name, "color": color})
        if label_dtype(len(self._classes)) != label_dtype(len(self._classes) - 1):
            self._labels = {k: v.astype(label_dtype(len(self._classes))) for k, v in self._labels.items()}
        self._invalidate_model("classes changed")
        return len(self._classes)

    @_locked
    def rename_class(self, old: str | int, new: str) -> None:
        """Rename a class (labels keep their index)."""
        index = self._class_index(old)
        if not isinstance(new, str) or not new.strip():
            raise ValidationError("class name must be a non-empty string")
        if any(c["name"] == new for i, c in enumerate(self._classes) if i != index - 1):
            raise Conflict(f"a class called {new!r} already exists")
        self._classes[index - 1]["name"] = new
        self._dirty = True

    @_locked
    def set_class_color(self, class_: str | int, color: str | tuple[int, int, int]) -> None:
        """Change a class colour."""
        self._classes[self._class_index(class_) - 1]["color"] = normalize_color(color)
        self._dirty = True

    @_locked
    def remove_class(self, class_: str | int) -> None:
        """Remove a class and its labels; classes after it move down one index (as in ilastik)."""
        index = self._class_index(class_)
        n = len(self._classes)
        table = np.arange(n + 1)
        table[index] = 0
        table[index + 1 :] -= 1
        for labels in self._labels.values():
            labels.map_values(table)
        del self._classes[index - 1]
        self._invalidate_model("classes changed")
        self._cache.clear()

    # ================================================================== labels
    def _labels_of(self, entry: ImageEntry, create: bool = True) -> SparseLabels | None:
        labels = self._labels.get(entry.id)
        if labels is None and create:
            labels = SparseLabels(entry.spatial_shape, label_dtype(len(self._classes)))
            self._labels[entry.id] = labels
        return labels

    def _after_label_change(self, entry: ImageEntry) -> None:
        # the model stays usable (it just has not seen the new labels), predictions are recomputed
        self._cache.discard(lambda key: key[0] == "pred")

    @_locked
    def set_labels(self, image: str, labels: np.ndarray, *, offset: Sequence[int] | None = None) -> None:
        """Write the non-zero values of ``labels`` at ``offset`` (spatial, default origin); zeros keep old labels.

        :param labels: integer array over spatial axes with values 0..C.
        """
        entry = self._image(image)
        labels = np.asarray(labels)
        ndim = len(entry.spatial_shape)
        if labels.ndim != ndim:
            raise ValidationError(f"labels must have {ndim} spatial dimensions, got shape {labels.shape}")
        if labels.dtype.kind not in "biu":
            raise ValidationError(f"labels must be integers, got dtype {labels.dtype}")
        offset = tuple(int(o) for o in (offset if offset is not None else (0,) * ndim))
        if len(offset) != ndim:
            raise ValidationError(f"offset must have {ndim} entries, got {offset}")
        region = tuple(slice(o, o + s) for o, s in zip(offset, labels.shape))
        if any(o < 0 or o + s > size for o, s, size in zip(offset, labels.shape, entry.spatial_shape)) or labels.size == 0:
            raise ValidationError(
                f"labels of shape {labels.shape} at offset {offset} do not fit image {image!r} "
                f"of spatial shape {entry.spatial_shape}"
            )
        if labels.size and (labels.min() < 0 or labels.max() > len(self._classes)):
            raise ValidationError(
                f"label values must be 0 (unlabelled) or a class index 1..{len(self._classes)}; "
                f"got values {int(labels.min())}..{int(labels.max())}"
            )
        mask = labels > 0
        if mask.any():
            self._labels_of(entry).write(region, labels, mask)
            self._after_label_change(entry)

    @_locked
    def paint(self, image: str, class_: str | int, coords: Any, radius: float = 1.0) -> int:
        """Paint a brush stroke of ``class_`` along ``coords`` ((n, ndim) points, spatial order).

        :returns: the number of pixels inside the stroke.
        """
        entry = self._image(image)
        value = self._class_index(class_)
        return self._stroke(entry, value, coords, radius)

    @_locked
    def erase(self, image: str, coords: Any, radius: float = 1.0) -> int:
        """Erase labels under a brush stroke; returns the number of pixels inside the stroke."""
        return self._stroke(self._image(image), 0, coords, radius)

    def _stroke(self, entry: ImageEntry, value: int, coords: Any, radius: float) -> int:
        stroke = stroke_mask(coords, radius, entry.spatial_shape)
        if stroke is None:
            return 0
        region, mask = stroke
        labels = self._labels_of(entry, create=value != 0)
        if labels is not None:
            labels.write(region, np.full(mask.shape, value, labels.dtype), mask)
            self._after_label_change(entry)
        return int(mask.sum())

    @_locked
    def clear_labels(self, image: str, class_: str | int | None = None) -> None:
        """Remove all labels of an image, or only those of one class."""
        entry = self._image(image)
        labels = self._labels_of(entry, create=False)
        if labels is None:
            return
        if class_ is None:
            labels.clear()
        else:
            index = self._class_index(class_)
            table = np.arange(len(self._classes) + 1)
            table[index] = 0
            labels.map_values(table)
        self._after_label_change(entry)

    @_locked
    def get_labels(self, image: str, region: Sequence[slice] | None = None) -> np.ndarray:
        """Labels of ``region`` (spatial slices; whole image by default): 0 unlabelled, else class index."""
        entry = self._image(image)
        region = normalize_region(region, entry.spatial_shape)
        labels = self._labels_of(entry, create=False)
        if labels is None:
            return np.zeros(tuple(s.stop - s.start for s in region), label_dtype(len(self._classes)))
        return labels[region]

    @_locked
    def label_counts(self) -> dict[str, dict[str, int]]:
        """Labelled pixels per image and class name."""
        names = [c["name"] for c in self._classes]
        result = {}
        for entry in self._images.values():
            labels = self._labels.get(entry.id)
            counts = labels.counts() if labels is not None else {}
            result[entry.name] = {names[k - 1]: v for k, v in sorted(counts.items()) if 0 < k <= len(names)}
        return result

    # ================================================================== features and classifier
    @property
    def features(self) -> Any:
        """The current :class:`~pixframework.features.selection.FeatureSelection`."""
        return self._selection

    @_locked
    def select_features(self, selection: Any) -> None:
        """Choose the features: a FeatureSelection, its JSON form, or a list of ``(filter, scale)``."""
        from .features.selection import FeatureSelection

        if isinstance(selection, FeatureSelection):
            new = selection
        elif isinstance(selection, Mapping):
            new = FeatureSelection.from_json(selection)
        elif isinstance(selection, Iterable) and not isinstance(selection, str):
            new = FeatureSelection(list(selection))
        else:
            raise ValidationError(f"cannot use {selection!r} as a feature selection")
        from .registry import get_registry

        registry = get_registry()
        new.validate(registry)
        for entry in self._images.values():
            new.validate(registry, entry.spatial_shape)
        if new != self._selection:
            self._selection = new
            self._cache.clear()
            self._invalidate_model("features changed")

    @property
    def classifier(self) -> tuple[str, dict[str, Any]]:
        """``(name, params)`` of the chosen classifier plugin."""
        return self._classifier[0], dict(self._classifier[1])

    @_locked
    def set_classifier(self, name: str, **params: Any) -> None:
        """Choose the classifier plugin and its parameters (validated against the plugin's spec)."""
        from .registry import get_registry
        from .specs import resolve_parameters

        spec = get_registry().classifier(name)
        resolve_parameters(f"classifier {name!r}", spec.parameters, params)
        if (name, params) != self._classifier:
            self._classifier = (name, dict(params))
            self._invalidate_model("classifier changed")

    def _invalidate_model(self, reason: str) -> None:
        self._dirty = True
        if self._model is not None:
            self._model = None
            self._model_ref = None
            self._model_info = {"invalidated": reason}
            self._cache.discard(lambda key: key[0] == "pred")

    # ================================================================== training
    @property
    def is_trained(self) -> bool:
        return self._model is not None

    def _feature_planes(self, entry: ImageEntry) -> np.ndarray | None:
        """Whole-image features as channel-first planes ``(F, *spatial)`` if they fit the cache, else None."""
        from .features.engine import compute_features

        ndim = len(entry.spatial_shape)
        n_features = self._selection.n_features(ndim, entry.n_channels)
        nbytes = n_features * int(np.prod(entry.spatial_shape)) * 4
        if not self._cache.fits(nbytes):
            return None
        key = ("feat", entry.id, self._selection_key())
        planes = self._cache.get(key)
        if planes is None:
            features = compute_features(self._source(entry), self._selection, axes=entry.axes)
            planes = np.moveaxis(features, -1, 0)
            self._cache.put(key, planes)
        return planes

    def _selection_key(self) -> str:
        import json

        return json.dumps(self._selection.to_json(), sort_keys=True)

    def _samples(self, progress: Progress | None) -> tuple[np.ndarray, np.ndarray]:
        from .classifiers.samples import gather_samples

        xs, ys = [], []
        labelled = [e for e in self._images.values() if self._labels.get(e.id) is not None and not self._labels[e.id].is_empty]
        for i, entry in enumerate(labelled):
            labels = self._labels[entry.id]
            if progress:
                progress(0.5 * i / max(1, len(labelled)), f"features of {entry.name}")
            planes = self._feature_planes(entry)
            if planes is not None:
                x, y = _samples_from_planes(planes, labels)
            else:
                x, y = gather_samples([(self._source(entry), entry.axes, labels)], self._selection)
            xs.append(x)
            ys.append(y)
        if not xs:
            raise ValidationError("there are no labels yet: label pixels of at least two classes, then train")
        return np.concatenate(xs), np.concatenate(ys)

    @_locked
    def train(self, progress: Progress | None = None) -> dict[str, Any]:
        """Train the chosen classifier on the feature vectors of all labelled pixels of all images.

        :param progress: called as ``progress(fraction 0..1, message)``.
        :returns: a summary: classifier, number of samples per class, number of features, seconds.
        """
        from .classifiers.api import train_model

        if len(self._classes) < 2:
            raise ValidationError(f"training needs at least two classes; the project has {len(self._classes)}")
        started = time.perf_counter()
        x, y = self._samples(progress)
        present = np.unique(y)
        if len(present) < 2:
            names = [self._classes[int(v) - 1]["name"] for v in present]
            raise ValidationError(f"training needs labels of at least two classes; only {names} has labels")
        if progress:
            progress(0.5, f"training {self._classifier[0]} on {len(y)} samples")
        entry0 = next(iter(self._images.values()))
        names = self._selection.channel_names(len(entry0.spatial_shape), entry0.n_channels)
        fit_progress = (lambda f, m: progress(0.5 + 0.5 * f, m)) if progress else None
        model = train_model(self._classifier[0], x, y, self._classifier[1], names, fit_progress)
        self._model = model
        self._model_ref = None
        self._model_generation += 1
        counts = {self._classes[int(v) - 1]["name"]: int(n) for v, n in zip(*np.unique(y, return_counts=True))}
        self._model_info = {"samples": counts, "features": len(names), "classifier": self._classifier[0]}
        self._dirty = True
        self._cache.discard(lambda key: key[0] == "pred")
        if progress:
            progress(1.0, "trained")
        return dict(self._model_info, seconds=time.perf_counter() - started)

    # ================================================================== prediction
    def _require_model(self) -> Any:
        if self._model is None:
            why = (self._model_info or {}).get("invalidated")
            raise NotTrained("the classifier is not trained" + (f" ({why} since training)" if why else "") + "; call train() first")
        return self._model

    @_locked
    def predict(self, image: str, *, region: Sequence[slice] | None = None, output: str = "probabilities") -> np.ndarray:
        """Predict ``region`` (spatial slices; whole image by default) of an image.

        :param output: ``"probabilities"`` (float32 ``(*region, C)``), ``"segmentation"`` (class index
            ``1..C``, ``(*region)``) or ``"uncertainty"`` (float32 ``(*region, 1)``).
        """
        out_mod.check_output(output)
        model = self._require_model()
        entry = self._image(image)
        region = normalize_region(region, entry.spatial_shape)
        key = ("pred", entry.id, tuple((s.start, s.stop) for s in region), self._model_generation)
        probabilities = self._cache.get(key)
        if probabilities is None:
            probabilities = self._probabilities(model, entry, region)
            self._cache.put(key, probabilities)
        return out_mod.derive(probabilities, output)

    def _probabilities(self, model: Any, entry: ImageEntry, region: tuple[slice, ...]) -> np.ndarray:
        from .classifiers.api import predict_probabilities
        from .features.engine import compute_features

        shape = tuple(s.stop - s.start for s in region)
        planes = self._feature_planes(entry)
        if planes is not None:
            features = planes[(slice(None),) + region].reshape(planes.shape[0], -1).T
        else:
            features = compute_features(self._source(entry), self._selection, axes=entry.axes, region=region)
            features = features.reshape(-1, features.shape[-1])
        proba = out_mod.class_probabilities(predict_probabilities(model, features), model.classes, len(self._classes))
        return proba.reshape(shape + (len(self._classes),))

    # ================================================================== guidance
    def suggest_labels(
        self,
        image: str | None = None,
        n: int = 10,
        region: Sequence[slice] | None = None,
        *,
        seed: int = 0,
        progress: Progress | None = None,
    ) -> list[LabelSuggestion]:
        """The ``n`` places where one more label would help the classifier most, best first.

        Ranks candidates by uncertainty (the forest's vote margin) plus novelty (distance in feature
        space to everything labelled), keeps suggestions apart and away from labels, and analyses at
        most 4 Mi pixels (random tiles of big images). See ``docs/guidance.md``.

        :param image: image name; ``None`` looks at every image, and each image without labels gets
            a suggestion before any image gets a second one.
        :param n: how many suggestions (1..1000); fewer come back when the images hold fewer candidates.
        :param region: spatial slices of ``image`` to look in (default: the whole image).
        :param seed: the same seed, labels and model give the same suggestions.
        :param progress: called as ``progress(fraction 0..1, message)``.
        :returns: :class:`~pixframework.guidance.LabelSuggestion` objects, ranked (positions ``(z)yx``).
        :raises NotTrained: no trained classifier.
        """
        from .guidance import suggest_labels

        with self._lock:
            self._check_open()
            return suggest_labels(self._guidance_view(), image, n, region, seed=seed, progress=progress)

    def suggest_features(self, max_channels: int | None = None, *, seed: int = 0, progress: Progress | None = None) -> FeatureSuggestion:
        """Rank the filter x scale entries by what they add and propose a smaller selection that does as well.

        Trains the chosen classifier on folds of the labelled pixels (whole image blocks held out),
        ranks entries by permutation importance on the held-out pixels, then adds entries in that
        order while they help, until the held-out accuracy is within 0.01 of the full selection's
        and the predictions on pixels sampled from the images agree with it. The project is not
        changed: apply the proposal with ``select_features(result.proposed)``. The project is locked
        only while samples are read, so painting and training go on meanwhile.

        :param max_channels: most feature channels the proposal may have (default: no limit).
        :param seed: the same seed and labels give the same result.
        :param progress: called as ``progress(fraction 0..1, message)``.
        :returns: a :class:`~pixframework.guidance.FeatureSuggestion` (scores, proposal, accuracies, seconds).
        :raises ValidationError: fewer than two classes with two labelled pixels each, or a
            ``max_channels`` below the smallest entry's channels.
        """
        from .guidance import suggest_features
        from .guidance.pool import pool_features

        with self._lock:
            self._check_open()
            view = self._guidance_view()
            x, y, positions = view.samples()
            pool = pool_features(view, np.random.default_rng(seed))
        return suggest_features(view, x, y, positions, pool, max_channels, seed=seed, progress=progress)

    def _guidance_view(self) -> Any:
        """What guidance reads (see :class:`pixframework.guidance.view.ProjectView`); call with the lock held."""
        from .classifiers.samples import gather_samples
        from .features.engine import compute_features
        from .guidance.view import ProjectView

        entries = list(self._images.values())

        def features_of(index: int, region: tuple[slice, ...]) -> np.ndarray:
            entry = entries[index]
            planes = self._cache.get(("feat", entry.id, self._selection_key()))  # only if already there
            if planes is not None:
                return np.moveaxis(planes[(slice(None),) + tuple(region)], 0, -1)
            return compute_features(self._source(entry), self._selection, axes=entry.axes, region=region)

        def probabilities_of(features: np.ndarray) -> np.ndarray:
            from .classifiers.api import predict_probabilities

            proba = predict_probabilities(self._model, features)
            return out_mod.class_probabilities(proba, self._model.classes, len(self._classes))

        def samples() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            labelled = [(i, e) for i, e in enumerate(entries) if self._labels.get(e.id) is not None and not self._labels[e.id].is_empty]
            if not labelled:
                raise ValidationError("there are no labels yet: label pixels of at least two classes first")
            parts = []
            for index, entry in labelled:
                x, y, where = gather_samples([(self._source(entry), entry.axes, self._labels[entry.id])], self._selection, return_positions=True)
                where[:, 0] = index
                parts.append((x, y, where))
            return tuple(np.concatenate(column) for column in zip(*parts))  # type: ignore[return-value]

        return ProjectView(
            names=[e.name for e in entries],
            shapes=[e.spatial_shape for e in entries],
            classes=self.classes,
            labelled=[self._labels.get(e.id) is not None and not self._labels[e.id].is_empty for e in entries],
            selection=self._selection,
            classifier=self.classifier,
            channels=entries[0].n_channels if entries else 1,
            features_of=features_of,
            probabilities_of=probabilities_of if self._model is not None else None,
            labels_of=lambda index, region: self.get_labels(entries[index].name, region),
            samples=samples,
        )

    # ================================================================== export
    def prediction_job(self, image: str, *, output: str = "probabilities", dtype: str | None = None) -> Any:
        """A :class:`~pixframework.blockwise.PredictionJob` (safe data) for predicting a whole image."""
        from .blockwise import PredictionJob

        out_mod.check_output(output)
        with self._lock:
            model = self._require_model()
            entry = self._image(image)
            src = entry.source
            if src["kind"] == "reference":
                path = src["path"]
                source = {"path": path, "format": src.get("format"), "axes": src.get("axes")}
                try:
                    st = os.stat(source_file(path))
                    stamp = f"{st.st_size}:{st.st_mtime_ns}"
                except OSError:
                    stamp = ""
            else:
                source = {"path": str(self._store.resolve(src["ref"])), "format": "zarr", "axes": entry.axes}
                stamp = src["ref"]
            return PredictionJob(
                source=source,
                selection=self._selection.to_json(),
                model_state=model.get_state(),
                n_classes=len(self._classes),
                output=output,
                dtype=None if dtype is None else np.dtype(dtype).name,
                spatial_shape=entry.spatial_shape,
                source_stamp=stamp,
                _model=model,
                _selection=self._selection,
            )

    def export(
        self,
        image: str,
        path: str | os.PathLike,
        *,
        output: str = "probabilities",
        format: str | None = None,
        dtype: str | np.dtype | None = None,
        block: tuple[int, ...] | int | None = None,
        progress: Callable[[int, int, str], None] | None = None,
        dask: Any = None,
    ) -> str:
        """Predict a whole image block by block and write it to a file; returns the path written.

        Memory stays bounded by one block's features, and an interrupted export resumes where it
        stopped when run again with the same model (see :mod:`pixframework.blockwise`).

        :param path: output path, may use ilastik's placeholders ``{dataset_dir}``, ``{nickname}``,
            ``{result_type}``.
        :param output: ``probabilities``, ``segmentation`` or ``uncertainty``.
        :param format: writer format name (default: from the file extension).
        :param dtype: e.g. ``"uint8"`` to store probabilities scaled to 0..255.
        :param block: block shape (default 1024^2 in 2D, 128^3 in 3D).
        :param progress: called as ``progress(blocks_done, blocks_total, message)``.
        :param dask: ``"local"``, a scheduler address or a ``distributed.Client`` to run blocks on Dask.
        """
        from .blockwise import run_blockwise

        if dtype is not None:
            dtype = np.dtype(dtype).name
        job = self.prediction_job(image, output=output, dtype=dtype)
        with self._lock:
            entry = self._image(image)
            src = entry.source
            dataset_dir = os.path.dirname(source_file(src["path"])) if src["kind"] == "reference" else str(self.path.parent)
            target = out_mod.render_template(os.fspath(path), dataset_dir=dataset_dir, nickname=entry.name, output=output)
            source = self._source(entry)
        return run_blockwise(job, source, entry.axes, target, format=format, block=block, progress=progress, dask=dask)

    # ================================================================== summary
    @_locked
    def summary(self) -> dict[str, Any]:
        """What ``pixf info`` prints: images, classes, label counts, features, classifier, trained or not."""
        return {
            "path": str(self.path),
            "images": [e.info() for e in self._images.values()],
            "classes": self.classes,
            "label_counts": self.label_counts(),
            "features": self._selection.to_json(),
            "n_features": (
                self._selection.n_features(len(e.spatial_shape), e.n_channels) if (e := next(iter(self._images.values()), None)) else None
            ),
            "classifier": {"name": self._classifier[0], "params": self._classifier[1]},
            "trained": self._model is not None,
            "model": self._model_info,
        }

    def _forget(self, image_id: str) -> None:
        self._cache.discard(lambda key: key[1] == image_id)


def _samples_from_planes(planes: np.ndarray, labels: SparseLabels) -> tuple[np.ndarray, np.ndarray]:
    """Feature vectors and labels at the labelled pixels, read from whole-image feature planes."""
    xs, ys = [], []
    for index, block in labels.chunk_items():
        origin = labels.chunk_origin(index)
        where = np.nonzero(block)
        coords = tuple(w + o for w, o in zip(where, origin))
        xs.append(planes[(slice(None),) + coords].T)
        ys.append(block[where])
    return np.ascontiguousarray(np.concatenate(xs), dtype=np.float32), np.concatenate(ys).astype(np.int64)
