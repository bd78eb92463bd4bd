"""The Project: the one workflow API every client (Python, CLI, server, GUI) goes through.

A project holds images, label classes, sparse labels, a feature selection, a classifier choice and
the trained model, and keeps them on disk in a ``NAME.pixf`` directory (see :mod:`pixframework.store`).
It is a facade: each job lives in its own module (:mod:`.image_set`, :mod:`.classes`,
:mod:`.label_set`, :mod:`.pipeline`, :mod:`.model_slot`, :mod:`.cache`, :mod:`.store`); the
project keeps them consistent (a change of features or classes makes the model stale) and
serialises calls on one lock.

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
import math
import os
import threading
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np

from . import confine
from . import outputs as out_mod
from . import pipeline
from .blockwise import PredictionJob, run_blockwise
from .cache import ProjectCache
from .classes import LabelClasses
from .errors import Conflict, ValidationError
from .events import EventLog, EventWatcher, current_client
from .export_paths import export_target
from .features.selection import FeatureSelection
from .guidance.results import FeatureSuggestion, LabelSuggestion
from .image_set import ImageSet
from .images import ImageEntry, read_array
from .io.axes import normalize_region
from .label_edits import LabelEditor
from .label_set import LabelSet
from .labels import label_dtype
from .limits import DEFAULT_LIMITS, Limits
from .model_slot import ModelSlot
from .registry import get_registry
from .store import ProjectStore, project_path
from .training import Snapshot, train_on_snapshot


def _locked(method: Callable) -> Callable:
    """Serialise a public method on the project's lock (several server clients share one project),
    with the project's confinement applied to every file it touches."""

    @functools.wraps(method)
    def wrapper(self: "Project", *args: Any, **kwargs: Any) -> Any:
        with self._lock, confine.applied(self._confinement):
            self._check_open()
            return method(self, *args, **kwargs)

    return wrapper


class Project:
    """A pixel-classification project stored in a ``.pixf`` directory. Use :meth:`create` or :meth:`open`.

    A project opened with a :class:`~pixframework.confine.Confinement` (as the server does) reads
    and writes only inside its root, and takes relative image and export paths relative to it;
    :class:`~pixframework.limits.Limits` bound what one call may ask.
    """

    def __init__(
        self, store: ProjectStore, meta: Mapping[str, Any], *, confinement: confine.Confinement | None = None,
        limits: Limits | None = None,
    ):  # fmt: skip
        self._confinement = confinement
        self._limits = limits or DEFAULT_LIMITS
        self._lock = threading.RLock()
        self._train_lock = threading.Lock()  # one training at a time; its fit runs outside self._lock
        self._inputs_version = 0  # grows when features, classes or classifier change (a running fit is stale)
        self._store = store
        self._committed = dict(meta)  # what project.json says now: a save deletes what it no longer references
        self._closed = False
        self._images = ImageSet(store, meta.get("images", []), confinement=confinement, limits=self._limits)
        self._classes = LabelClasses(meta.get("classes", []))
        self._labels = LabelSet(store, meta.get("labels", {}), {e.id: e.spatial_shape for e in self._images})
        features = meta.get("features")
        self._selection = FeatureSelection.from_json(features) if features else FeatureSelection.default()
        self._model = ModelSlot(store, meta.get("classifier"), meta.get("model"))
        self._dirty = False
        self._cache = ProjectCache()
        self._events = EventLog()
        self._edits = LabelEditor(self._labels, self._events, self._image_name, self._cache.drop_predictions)

    # ================================================================== lifecycle
    @classmethod
    def create(
        cls, path: str | os.PathLike, *, overwrite: bool = False, confinement: confine.Confinement | None = None,
        limits: Limits | None = None,
    ) -> "Project":  # fmt: skip
        """Create a new, empty project directory (``.pixf`` is appended when missing).

        :param confinement: keep every file access inside this root (see the class docstring).
        :param limits: what one call may ask (default :data:`~pixframework.limits.DEFAULT_LIMITS`).
        """
        with confine.applied(confinement):
            store = ProjectStore.create(project_path(path), overwrite=overwrite)
            return cls(store, store.read_meta(), confinement=confinement, limits=limits)

    @classmethod
    def open(
        cls, path: str | os.PathLike, *, confinement: confine.Confinement | None = None, limits: Limits | None = None
    ) -> "Project":
        """Open an existing project; a project from an older schema is migrated on the next save.

        An ilastik project is opened after importing it: ``Project.open(import_project(ilp, new).project)``
        (see :func:`pixframework.ilastik.import_project`).
        """
        with confine.applied(confinement):
            store, meta = ProjectStore.open(path)
            return cls(store, meta, confinement=confinement, limits=limits)

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
        self._labels.save()
        self._model.save()
        meta = self._meta()
        # against what was committed, not the state now: a retrained model no longer names the old one
        self._store.commit(meta, previous=self._committed)
        self._committed = meta
        self._labels.saved()
        self._dirty = False
        self._events.emit("project_saved")

    def close(self, *, save: bool = True) -> None:
        """Save (unless ``save=False``) and release caches; further calls raise."""
        with self._lock:
            if self._closed:
                return
            if save:
                self.save()
            self._cache.clear()
            self._closed = True
            self._events.close()

    @property
    def has_unsaved_changes(self) -> bool:
        return self._dirty or self._labels.has_changes

    def _meta(self) -> dict[str, Any]:
        return {
            "images": self._images.to_json(),
            "classes": self._classes.to_json(),
            "features": self._selection.to_json(),
            "classifier": self._model.choice_json(),
            "labels": self._labels.to_json(),
            "model": self._model.to_json(),
        }

    # ================================================================== images
    @property
    def images(self) -> list[str]:
        """Image names in the order they were added."""
        return self._images.names

    @_locked
    def add_image(
        self,
        source: np.ndarray | str | os.PathLike,
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
        entry = self._images.add(source, axes=axes, name=name, copy=copy, format=format)
        self._dirty = True
        self._events.emit("image_added", image=entry.name, info=entry.info(), images=self._images.names)
        return entry.name

    @_locked
    def remove_image(self, name: str) -> None:
        """Remove an image and its labels from the project."""
        entry = self._images.remove(name)
        self._labels.drop(entry.id)
        self._edits.undo_history.drop_image(entry.id)
        self._cache.drop_image(entry.id)
        self._dirty = True
        self._events.emit("image_removed", image=entry.name, images=self._images.names)

    def _image_name(self, image_id: str) -> str:
        return next(e.name for e in self._images if e.id == image_id)

    @_locked
    def image_info(self, name: str) -> dict[str, Any]:
        """Name, canonical shape and axes, dtype, source path and whether the pixels are stored in the project."""
        return self._images.get(name).info()

    @_locked
    def read_image(self, name: str, region: Sequence[slice] | None = None) -> np.ndarray:
        """Pixels of ``region`` (spatial slices; all channels) in canonical axes."""
        entry = self._images.get(name)
        region = normalize_region(region, entry.spatial_shape)
        self._check_region(region, entry.n_channels * np.dtype(entry.dtype).itemsize, "reading")
        return read_array(self._images.pixels(entry), region)

    def _check_region(self, region: tuple[slice, ...], bytes_per_pixel: int, what: str) -> None:
        """Refuse a region whose arrays would take more than the work limit, before computing anything."""
        pixels = math.prod(s.stop - s.start for s in region)
        self._limits.check_work(
            pixels * bytes_per_pixel, f"{what} a region of {' x '.join(str(s.stop - s.start) for s in region)} pixels",
            "ask for a smaller region (or export the whole image, which works block by block)",
        )

    # ================================================================== classes
    @property
    def classes(self) -> list[dict[str, Any]]:
        """Label classes: ``[{"name", "color", "index"}]`` with index 1..C (the label value)."""
        with self._lock:
            return self._classes.listing()

    @_locked
    def add_class(self, name: str, color: str | tuple[int, int, int] | None = None) -> int:
        """Add a label class; returns its index (the label value used for it)."""
        self._limits.check("max_classes", len(self._classes) + 1, f"a class number {len(self._classes) + 1}",
                           "remove a class first")  # fmt: skip
        index = self._classes.add(name, color)
        if label_dtype(len(self._classes)) != label_dtype(len(self._classes) - 1):
            self._labels.widen_for(len(self._classes))
            self._edits.undo_history.astype(label_dtype(len(self._classes)))
        self._invalidate_model("classes changed")
        self._class_event("class_added", index)
        return index

    def _class_event(self, kind: str, index: int, **fields: Any) -> None:
        listing = self._classes.listing()
        known = listing[index - 1] if 0 < index <= len(listing) else {}
        self._events.emit(kind, **{"index": index, "name": known.get("name"), "color": known.get("color"), **fields, "classes": listing})

    @_locked
    def rename_class(self, old: str | int, new: str) -> None:
        """Rename a class (labels keep their index)."""
        index = self._classes.index(old)
        previous = self._classes.names[index - 1]
        self._classes.rename(old, new)
        self._dirty = True
        self._class_event("class_renamed", index, old_name=previous)

    @_locked
    def set_class_color(self, class_: str | int, color: str | tuple[int, int, int]) -> None:
        """Change a class colour."""
        self._classes.set_color(class_, color)
        self._dirty = True
        self._class_event("class_recolored", self._classes.index(class_))

    @_locked
    def remove_class(self, class_: str | int) -> None:
        """Remove a class and its labels; classes after it move down one index (as in ilastik)."""
        index, n_classes = self._classes.index(class_), len(self._classes)
        removed = self._classes.listing()[index - 1]
        table = self._classes.remove(class_)
        changed = self._labels.renumber(table, n_classes)
        self._edits.undo_history.renumber(table)
        self._invalidate_model("classes changed")
        self._cache.clear()
        self._class_event("class_removed", index, name=removed["name"], color=removed["color"])
        for image_id, pieces in changed.items():
            self._edits.commit(image_id, "renumber", (), pieces, undoable=False)

    # ================================================================== labels
    # every edit goes through self._edits.commit: announced once, undoable by its client; the model
    # stays usable (it just has not seen the new labels), predictions are recomputed
    @_locked
    def set_labels(self, image: str, labels: np.ndarray, *, offset: Sequence[int] | None = None) -> None:
        """Write the non-zero values of ``labels`` at ``offset`` (spatial, default origin); zeros keep old labels.

        :param labels: integer array over spatial axes with values 0..C.
        """
        entry = self._images.get(image)
        pieces = self._labels.write_patch(entry, len(self._classes), labels, offset)
        self._edits.commit(entry.id, "set", np.unique(np.asarray(labels)).tolist(), pieces)

    @_locked
    def erase_mask(self, image: str, mask: np.ndarray, *, offset: Sequence[int] | None = None) -> int:
        """Unlabel the pixels where ``mask`` (spatial axes, placed at ``offset``, default origin) is non-zero.

        :returns: the number of pixels that were labelled and are not any more.
        """
        entry = self._images.get(image)
        return self._edits.commit(entry.id, "erase_mask", [0], self._labels.erase_mask(entry, len(self._classes), mask, offset))

    @_locked
    def paint(self, image: str, class_: str | int, coords: Any, radius: float = 1.0) -> int:
        """Paint a brush stroke of ``class_`` along ``coords`` ((n, ndim) points, spatial order).

        :returns: the number of pixels inside the stroke.
        """
        return self._stroke(image, self._classes.index(class_), coords, radius)

    @_locked
    def erase(self, image: str, coords: Any, radius: float = 1.0) -> int:
        """Erase labels under a brush stroke; returns the number of pixels inside the stroke."""
        return self._stroke(image, 0, coords, radius)

    def _stroke(self, image: str, value: int, coords: Any, radius: float) -> int:
        entry = self._images.get(image)
        pixels, pieces = self._labels.stroke(entry, len(self._classes), value, coords, radius, self._limits)
        self._edits.commit(entry.id, "paint" if value else "erase", [value], pieces)
        return pixels

    @_locked
    def clear_labels(self, image: str, class_: str | int | None = None) -> None:
        """Remove all labels of an image, or only those of one class."""
        entry = self._images.get(image)
        index = None if class_ is None else self._classes.index(class_)
        self._edits.commit(entry.id, "clear", [0], self._labels.clear(entry.id, index, len(self._classes)))

    @_locked
    def undo(self) -> int:
        """Undo the calling client's latest label edit (never another client's); returns the pixels restored.

        Only pixels that still hold what the edit wrote go back; where another client has labelled
        since, that label stays. 0 when there is nothing left to undo.
        """
        return self._edits.step(len(self._classes), undo=True)

    @_locked
    def redo(self) -> int:
        """Redo the calling client's latest undone edit (on pixels still holding what the undo restored);
        returns the pixels written, 0 when there is nothing to redo. A new edit clears what could be redone."""
        return self._edits.step(len(self._classes), undo=False)

    @_locked
    def get_labels(self, image: str, region: Sequence[slice] | None = None) -> np.ndarray:
        """Labels of ``region`` (spatial slices; whole image by default): 0 unlabelled, else class index."""
        entry = self._images.get(image)
        region = normalize_region(region, entry.spatial_shape)
        self._check_region(region, label_dtype(len(self._classes)).itemsize, "reading the labels of")
        return self._labels.read(entry.id, region, len(self._classes))

    @_locked
    def label_counts(self) -> dict[str, dict[str, int]]:
        """Labelled pixels per image and class name."""
        return {entry.name: self._labels.counts_by_name(entry.id, self._classes.names) for entry in self._images}

    # ================================================================== features and classifier
    @property
    def features(self) -> FeatureSelection:
        """The current :class:`~pixframework.features.selection.FeatureSelection`."""
        return self._selection

    @_locked
    def select_features(self, selection: Any) -> None:
        """Choose the features: anything :meth:`FeatureSelection.coerce` accepts (a FeatureSelection, its
        JSON form, a list of ``(filter, scale[, in_2d[, params]])``; ``None`` for ilastik's default set)."""
        new = FeatureSelection.coerce(selection)
        self._images.check_selection(new)
        if new != self._selection:
            self._selection = new
            self._cache.clear()
            self._invalidate_model("features changed")
            self._events.emit("features_changed", selection=new.to_json())

    @property
    def classifier(self) -> tuple[str, dict[str, Any]]:
        """``(name, params)`` of the chosen classifier plugin."""
        name, params = self._model.choice
        return name, dict(params)

    @_locked
    def set_classifier(self, name: str, **params: Any) -> None:
        """Choose the classifier plugin and its parameters (validated against the plugin's spec)."""
        self._limits.check_threads(f"classifier {name!r}", get_registry().classifier(name).parameters, params)
        if self._model.choose(name, params):
            self._dirty = True
            self._cache.drop_predictions()
            self._events.emit("classifier_changed", name=name, params=dict(params))

    @_locked
    def set_model(self, model: Any, info: Mapping[str, Any] | None = None) -> None:
        """Predict with a model trained elsewhere (e.g. ilastik's forest, see :mod:`pixframework.ilastik`)
        until the next :meth:`train`, feature change or classifier change.

        :param model: a :class:`~pixframework.specs.Model` whose feature columns are the current
            selection's channels and whose classes are label values ``1..C`` of this project.
        :param info: what :meth:`summary` reports about the model.
        :raises ValidationError: classes outside the project's, or a feature count that does not
            match the selection on the project's images.
        """
        classes = tuple(int(c) for c in model.classes)
        if not classes or min(classes) < 1 or max(classes) > len(self._classes):
            raise ValidationError(f"the model predicts classes {list(classes)}, the project has 1..{len(self._classes)}")
        entry = self._images.first
        if entry is not None:
            expected = self._selection.n_features(len(entry.spatial_shape), entry.n_channels)
            if len(model.feature_names) != expected:
                raise ValidationError(
                    f"the model reads {len(model.feature_names)} features, the feature selection gives {expected}"
                )
        self._model.set(model, dict(info or {"classifier": model.classifier}))
        self._dirty = True
        self._cache.drop_predictions()

    def _invalidate_model(self, reason: str) -> None:
        self._dirty = True
        self._inputs_version += 1  # a training running now is for the old inputs
        if self._model.invalidate(reason):
            self._cache.drop_predictions()

    # ================================================================== training
    @property
    def is_trained(self) -> bool:
        return self._model.is_trained

    def _features_of(self, entry: ImageEntry) -> pipeline.FeaturesOf:
        return pipeline.cached_features(self._cache, entry.id, self._images.pixels(entry), entry.axes, self._selection)

    def train(self, progress: pipeline.Progress | None = None) -> dict[str, Any]:
        """Train the chosen classifier on the feature vectors of all labelled pixels of all images.

        Training sees the labels as they are when it starts (a consistent snapshot): samples are
        gathered under the project's lock, the fit runs without it, so other calls (painting, saving,
        closing on shutdown) never wait for a long fit (see :mod:`pixframework.training`). One training
        runs at a time; the model is installed only if the features, classes and classifier are still
        those it was trained for.

        :param progress: called as ``progress(fraction 0..1, message)``; an exception it raises
            (e.g. to cancel) stops the training before the project is changed.
        :returns: a summary: classifier, number of samples per class, number of features, seconds.
        :raises Conflict: the features, classes or classifier changed during the fit.
        """
        with self._train_lock:
            self._check_open()
            return train_on_snapshot(self._under_lock, self._events, self._training_snapshot, self._install_model,
                                     lambda: (self._model.choice, self._inputs_version), progress)  # fmt: skip

    @contextmanager
    def _under_lock(self) -> Iterator[None]:
        with self._lock, confine.applied(self._confinement):
            yield

    def _training_snapshot(self, progress: pipeline.Progress) -> Snapshot:
        """Samples of every labelled image, their counts per class and the feature names (under the lock)."""
        self._check_open()
        if len(self._classes) < 2:
            raise ValidationError(f"training needs at least two classes; the project has {len(self._classes)}")
        name, params = self._model.choice
        self._limits.check_threads(f"classifier {name!r}", get_registry().classifier(name).parameters, params)
        ids = self._labels.labelled([e.id for e in self._images])
        labelled = [e for e in self._images if e.id in ids]
        if not labelled:
            raise ValidationError("there are no labels yet: label pixels of at least two classes, then train")
        sources = [(self._labels.get(e.id), self._features_of(e)) for e in labelled]
        names = self._selection.channel_names(len(labelled[0].spatial_shape), labelled[0].n_channels)
        shapes = [e.spatial_shape for e in labelled]
        x, y, samples = pipeline.training_samples(sources, shapes, names, self._classes.names, progress)
        return Snapshot(x, y, samples, list(names), self._model.choice, (self._model.choice, self._inputs_version), self._events.revision)

    def _install_model(self, snapshot: Snapshot, model: Any) -> tuple[dict[str, Any], int]:
        self._check_open()
        self._model.set(model, {"samples": snapshot.samples, "features": len(snapshot.feature_names), "classifier": snapshot.classifier[0]})
        self._dirty = True
        self._cache.drop_predictions()
        return dict(self._model.info or {}), self._model.generation

    # ================================================================== prediction
    @_locked
    def predict(self, image: str, *, region: Sequence[slice] | None = None, output: str = "probabilities") -> np.ndarray:
        """Predict ``region`` (spatial slices; whole image by default) of an image.

        :param output: ``"probabilities"`` (float32 ``(*region, C)``), ``"segmentation"`` (class index
            ``1..C``, ``(*region)``) or ``"uncertainty"`` (float32 ``(*region, 1)``).
        """
        out_mod.check_output(output)
        model = self._model.require()
        entry = self._images.get(image)
        region = normalize_region(region, entry.spatial_shape)
        n_classes = len(self._classes)
        # float32 features of the region plus the class probabilities
        self._check_region(region, 4 * (self._selection.n_features(len(entry.spatial_shape), entry.n_channels) + n_classes),
                           "predicting")  # fmt: skip
        compute = lambda: pipeline.class_probabilities(model, self._features_of(entry), region, n_classes)  # noqa: E731
        probabilities = self._cache.prediction(entry.id, region, self._model.generation, compute)
        return out_mod.derive(probabilities, output)

    # ================================================================== guidance
    def suggest_labels(
        self,
        image: str | None = None,
        n: int = 10,
        region: Sequence[slice] | None = None,
        *,
        seed: int = 0,
        progress: pipeline.Progress | None = None,
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

    def suggest_features(
        self, max_channels: int | None = None, *, seed: int = 0, progress: pipeline.Progress | None = None
    ) -> FeatureSuggestion:
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
        """What guidance reads (:class:`pixframework.guidance.view.ProjectView`); call with the lock held."""
        from .guidance.view import project_view

        model = self._model.require() if self._model.is_trained else None
        return project_view(self._images, self._labels, self.classes, self._selection, self.classifier, model,
                            self._cache, self._features_of)  # fmt: skip

    # ================================================================== export
    @_locked
    def prediction_job(self, image: str, *, output: str = "probabilities", dtype: str | np.dtype | None = None) -> PredictionJob:
        """A :class:`~pixframework.blockwise.PredictionJob` (safe data) for predicting a whole image."""
        out_mod.check_output(output)
        dtype = out_mod.export_dtype(dtype)  # bad input is refused before "not trained"
        model = self._model.require()
        entry = self._images.get(image)
        source = entry.source.job_source(self._store, entry.axes)
        return PredictionJob.for_image(source, entry.spatial_shape, self._selection, model, len(self._classes), output, dtype)

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
        job = self.prediction_job(image, output=output, dtype=dtype)
        with self._lock, confine.applied(self._confinement):
            entry = self._images.get(image)
            inputs = [(e.name, e.source.path) for e in self._images if not e.source.stored]
            target = export_target(os.fspath(path), nickname=entry.name, dataset_dir=entry.source.dataset_dir(self._store),
                                   output=output, inputs=inputs, project_dir=self.path, confinement=self._confinement)  # fmt: skip
            pixels = self._images.pixels(entry)
        with confine.applied(self._confinement):
            return run_blockwise(job, pixels, entry.axes, target, format=format, block=block, progress=progress, dask=dask)

    # ================================================================== events
    def watch(self, after_revision: int | None = None, *, log: str | None = None) -> EventWatcher:
        """The project's changes as :class:`~pixframework.events.Event` objects, as they commit.

        :param after_revision: resume after this revision (the last one seen): every change since is
            replayed first, or one ``resync`` event comes when the history no longer holds them;
            ``None`` for changes from now on.
        :param log: the ``log`` of the events seen before; a different one (the project was opened anew)
            gives ``resync``.

        Iterate over the returned watcher (it blocks until the next change) or call its
        ``next(timeout)``; ``close()`` it from any thread to stop. Waiting never holds the project's lock.
        """
        self._check_open()
        return self._events.watch(after_revision, log=log)

    @property
    def client(self) -> str:
        """Who this project's calls act for: ``"local"`` embedded (see :func:`~pixframework.events.acting_as`);
        events name it as their ``client``, and :meth:`undo` steps through its edits."""
        return current_client()

    # ================================================================== summary
    @_locked
    def summary(self) -> dict[str, Any]:
        """What ``pixf info`` prints: images, classes, label counts, features, classifier, trained or not."""
        first = self._images.first
        return {
            "path": str(self.path),
            "images": [e.info() for e in self._images],
            "classes": self.classes,
            "label_counts": self.label_counts(),
            "features": self._selection.to_json(),
            "n_features": self._selection.n_features(len(first.spatial_shape), first.n_channels) if first else None,
            "classifier": self._model.choice_json(),
            "trained": self._model.is_trained,
            "model": self._model.info,
            "revision": self._events.revision,
            "event_log": self._events.id,
        }
