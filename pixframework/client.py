"""Thin Python client for a ``pixf serve`` server: the same methods as :class:`~pixframework.project.Project`.

Example::

    import pixframework

    with pixframework.connect("workstation:50051", token="...", tls="ca.pem") as client:
        with client.open_project("lab/cells.pixf") as p:      # path relative to the server's data root
            p.paint("cells", "cell", [[20, 30], [40, 60]], radius=3)
            p.train()
            viewport = p.predict("cells", region=(slice(0, 512), slice(0, 512)))

Arrays go in and come out as numpy arrays; large ones travel in chunks. Errors are the same
domain exceptions the embedded project raises (:class:`~pixframework.errors.ValidationError`,
:class:`~pixframework.errors.NotFound`, ...), rebuilt from the status the server sent.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator, Sequence

import grpc
import numpy as np

from ._proto.v1 import (
    classifiers_pb2,
    classifiers_pb2_grpc,
    events_pb2_grpc,
    features_pb2,
    features_pb2_grpc,
    guidance_pb2,
    guidance_pb2_grpc,
    images_pb2,
    images_pb2_grpc,
    labels_pb2,
    labels_pb2_grpc,
    prediction_pb2,
    prediction_pb2_grpc,
    server_pb2,
    server_pb2_grpc,
    sessions_pb2,
    sessions_pb2_grpc,
    training_pb2,
    training_pb2_grpc,
)
from .errors import ValidationError
from .events import EventWatcher
from .features.selection import FeatureSelection
from .guidance.checks import check_count, check_max_channels, check_seed
from .guidance.results import FeatureSuggestion, LabelSuggestion
from .io.axes import normalize_region
from .outputs import export_dtype
from .palette import normalize_color
from .remote_events import RemoteWatcher
from .wire.arrays import array_bytes, byte_chunks, decode_chunks, encode_ndarray, make_header, region_to_proto
from .wire.enums import COPY_MODES, OUTPUTS
from .wire.guidance import feature_suggestion_from_proto, label_suggestions_from_proto
from .wire.messages import (
    class_ref_to_proto,
    classes_from_proto,
    classifier_choice_from_proto,
    filter_from_info,
    image_info_from_proto,
    json_document,
    plugin_from_info,
    selection_from_proto,
    selection_to_proto,
)
from .wire.metadata import token_metadata
from .wire.status import RemoteError, error_from_rpc
from .wire.values import params_to_proto

__all__ = ["connect", "Client", "RemoteProject", "RemoteError"]

#: environment variable read for the token when ``connect(token=None)``
TOKEN_ENV = "PIXF_TOKEN"
_RECEIVE_LIMIT = 256 << 20


class Stubs:
    """One stub per service over one channel; every call adds the token and converts errors."""

    def __init__(self, channel: grpc.Channel, token: str | None):
        self.sessions = sessions_pb2_grpc.SessionServiceStub(channel)
        self.images = images_pb2_grpc.ImageServiceStub(channel)
        self.labels = labels_pb2_grpc.LabelServiceStub(channel)
        self.features = features_pb2_grpc.FeatureServiceStub(channel)
        self.classifiers = classifiers_pb2_grpc.ClassifierServiceStub(channel)
        self.training = training_pb2_grpc.TrainingServiceStub(channel)
        self.prediction = prediction_pb2_grpc.PredictionServiceStub(channel)
        self.guidance = guidance_pb2_grpc.GuidanceServiceStub(channel)
        self.info = server_pb2_grpc.ServerInfoServiceStub(channel)
        self.events = events_pb2_grpc.EventServiceStub(channel)
        self.metadata = token_metadata(token)

    def call(self, method: Callable, request: Any) -> Any:
        """A unary or client-streaming call (``request`` may be an iterator of messages)."""
        try:
            return method(request, metadata=self.metadata)
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from None

    def stream(self, method: Callable, request: Any) -> Iterator[Any]:
        """Messages of a server-streaming call; the call is cancelled if the consumer stops early."""
        call = method(request, metadata=self.metadata)
        try:
            yield from call
        except grpc.RpcError as exc:
            raise error_from_rpc(exc) from None
        finally:
            call.cancel()  # no-op when the stream already ended

    def array(self, method: Callable, request: Any) -> np.ndarray:
        """An array streamed in chunks by the server (each response carries one in its ``chunk`` field)."""
        return decode_chunks((message.chunk for message in self.stream(method, request)), max_bytes=None)


class RemoteProject:
    """A project open in a session on a server; methods match :class:`~pixframework.project.Project`.

    Get one from :meth:`Client.create_project` or :meth:`Client.open_project`. Paths given to
    :meth:`add_image` and :meth:`export` are on the server, relative to its data root.
    """

    def __init__(self, client: "Client", info: sessions_pb2.SessionInfo):
        self._client = client
        self._rpc = client._rpc
        self.session_id = info.session_id
        self._client_name = info.client
        self._path = PurePosixPath(info.path)
        self._closed = False

    # ------------------------------------------------------------------ lifecycle
    @property
    def path(self) -> PurePosixPath:
        """Project path relative to the server's data root."""
        return self._path

    def __enter__(self) -> "RemoteProject":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close(save=exc[0] is None)

    def __repr__(self) -> str:
        return f"RemoteProject({str(self._path)!r}, session={self.session_id[:8]}..., server={self._client.address!r})"

    def _sid(self) -> dict[str, str]:
        return {"session_id": self.session_id}

    def save(self) -> None:
        """Save the project on the server (atomic)."""
        self._rpc.call(self._rpc.sessions.SaveProject, sessions_pb2.SaveProjectRequest(**self._sid()))

    def close(self, *, save: bool = True) -> None:
        """End this session; the server closes the project (saving it unless ``save=False``) when no
        other session holds it."""
        if self._closed:
            return
        self._rpc.call(self._rpc.sessions.CloseSession, sessions_pb2.CloseSessionRequest(save=save, **self._sid()))
        self._closed = True

    def summary(self) -> dict[str, Any]:
        """What ``pixf info`` prints: images, classes, label counts, features, classifier, trained or not."""
        reply = self._rpc.call(self._rpc.sessions.GetSummary, sessions_pb2.GetSummaryRequest(**self._sid()))
        return json_document(reply.json, "project summary")

    def label_counts(self) -> dict[str, dict[str, int]]:
        """Labelled pixels per image and class name."""
        return self.summary()["label_counts"]

    # ------------------------------------------------------------------ images
    @property
    def images(self) -> list[str]:
        """Image names in the order they were added."""
        reply = self._rpc.call(self._rpc.images.ListImages, images_pb2.ListImagesRequest(**self._sid()))
        return list(reply.images)

    def add_image(
        self,
        source: np.ndarray | str | os.PathLike,
        *,
        axes: str | None = None,
        name: str | None = None,
        copy: bool | None = None,
        format: str | None = None,
    ) -> str:
        """Add an image: a numpy array (uploaded in chunks) or a path on the server (relative to its data root).

        :returns: the image's name in the project.
        """
        if isinstance(source, np.ndarray):
            if format is not None:
                raise ValidationError("format only applies to image files, not to arrays")
            first = images_pb2.UploadImageRequest(name=name or "", axes=axes or "", copy=COPY_MODES.to_wire(copy), **self._sid())
            reply = self._rpc.call(self._rpc.images.UploadImage, self._client._upload(first, source))
        elif isinstance(source, (str, os.PathLike)):
            request = images_pb2.AddImageRequest(
                path=os.fspath(source), axes=axes or "", name=name or "", copy=COPY_MODES.to_wire(copy), format=format or "",
                **self._sid(),
            )  # fmt: skip
            reply = self._rpc.call(self._rpc.images.AddImage, request)
        else:
            raise ValidationError(f"an image source must be a path or a numpy array, got {type(source).__name__}")
        return reply.name

    def remove_image(self, name: str) -> None:
        """Remove an image and its labels."""
        self._rpc.call(self._rpc.images.RemoveImage, images_pb2.RemoveImageRequest(image=name, **self._sid()))

    def image_info(self, name: str) -> dict[str, Any]:
        """Name, canonical shape and axes, dtype name (``"uint16"``), source and whether stored in the project."""
        request = images_pb2.GetImageInfoRequest(image=name, **self._sid())
        return image_info_from_proto(self._rpc.call(self._rpc.images.GetImageInfo, request).info)

    def _region(self, image: str, region: Sequence[slice] | None) -> Any:
        if region is None:
            return None
        region = tuple(region)
        if all(isinstance(s, slice) and s.start is not None and s.stop is not None for s in region):
            return region_to_proto(region)
        # open ends need the image size: ask for it only then (viewports are explicit)
        return region_to_proto(normalize_region(region, self.image_info(image)["shape"][:-1]))

    def read_image(self, name: str, region: Sequence[slice] | None = None) -> np.ndarray:
        """Pixels of ``region`` (spatial slices; all channels) in canonical axes ``(z)yxc``."""
        request = images_pb2.ReadImageRequest(image=name, region=self._region(name, region), **self._sid())
        return self._rpc.array(self._rpc.images.ReadImage, request)

    # ------------------------------------------------------------------ classes
    @property
    def classes(self) -> list[dict[str, Any]]:
        """Label classes: ``[{"name", "color", "index"}]`` with index 1..C."""
        reply = self._rpc.call(self._rpc.labels.ListClasses, labels_pb2.ListClassesRequest(**self._sid()))
        return classes_from_proto(reply.classes)

    def add_class(self, name: str, color: str | tuple[int, int, int] | None = None) -> int:
        """Add a label class; returns its index (the label value used for it)."""
        request = labels_pb2.AddClassRequest(name=name, color=_color(color), **self._sid())
        return self._rpc.call(self._rpc.labels.AddClass, request).index

    def rename_class(self, old: str | int, new: str) -> None:
        """Rename a class (labels keep their index)."""
        request = labels_pb2.RenameClassRequest(class_ref=class_ref_to_proto(old), new_name=new, **self._sid())
        self._rpc.call(self._rpc.labels.RenameClass, request)

    def set_class_color(self, class_: str | int, color: str | tuple[int, int, int]) -> None:
        """Change a class colour."""
        request = labels_pb2.SetClassColorRequest(class_ref=class_ref_to_proto(class_), color=_color(color), **self._sid())
        self._rpc.call(self._rpc.labels.SetClassColor, request)

    def remove_class(self, class_: str | int) -> None:
        """Remove a class and its labels; classes after it move down one index."""
        request = labels_pb2.RemoveClassRequest(class_ref=class_ref_to_proto(class_), **self._sid())
        self._rpc.call(self._rpc.labels.RemoveClass, request)

    # ------------------------------------------------------------------ labels
    def set_labels(self, image: str, labels: np.ndarray, *, offset: Sequence[int] | None = None) -> None:
        """Write the non-zero values of ``labels`` (spatial axes) at ``offset``; zeros keep old labels."""
        first = labels_pb2.SetLabelsRequest(
            image=image, offset=[int(o) for o in offset] if offset is not None else [], **self._sid()
        )
        self._rpc.call(self._rpc.labels.SetLabels, self._client._upload(first, np.asarray(labels)))

    def paint(self, image: str, class_: str | int, coords: Any, radius: float = 1.0) -> int:
        """Paint a brush stroke along ``coords`` ((n, ndim) points, spatial order, pixels) with ``radius`` pixels.

        :returns: the number of pixels inside the stroke.
        """
        request = labels_pb2.PaintRequest(
            image=image, class_ref=class_ref_to_proto(class_), coords=_coords(coords), radius=float(radius), **self._sid()
        )
        return int(self._rpc.call(self._rpc.labels.Paint, request).pixels)

    def erase(self, image: str, coords: Any, radius: float = 1.0) -> int:
        """Erase labels under a brush stroke; returns the number of pixels inside the stroke."""
        request = labels_pb2.EraseRequest(image=image, coords=_coords(coords), radius=float(radius), **self._sid())
        return int(self._rpc.call(self._rpc.labels.Erase, request).pixels)

    def erase_mask(self, image: str, mask: np.ndarray, *, offset: Sequence[int] | None = None) -> int:
        """Unlabel the pixels where ``mask`` (spatial axes, at ``offset``) is non-zero; returns how many were labelled."""
        first = labels_pb2.EraseMaskRequest(
            image=image, offset=[int(o) for o in offset] if offset is not None else [], **self._sid()
        )
        mask = np.asarray(mask)
        mask = mask.astype(np.uint8) if mask.dtype == bool else mask
        return int(self._rpc.call(self._rpc.labels.EraseMask, self._client._upload(first, mask)).pixels)

    def undo(self) -> int:
        """Undo this session's latest label edit (never another client's); returns the pixels restored (0: none left)."""
        return int(self._rpc.call(self._rpc.labels.Undo, labels_pb2.UndoRequest(**self._sid())).pixels)

    def redo(self) -> int:
        """Redo this session's latest undone edit; returns the pixels written again (0: nothing to redo)."""
        return int(self._rpc.call(self._rpc.labels.Redo, labels_pb2.RedoRequest(**self._sid())).pixels)

    def clear_labels(self, image: str, class_: str | int | None = None) -> None:
        """Remove all labels of an image, or only those of one class."""
        request = labels_pb2.ClearLabelsRequest(image=image, **self._sid())
        if class_ is not None:
            request.class_ref.CopyFrom(class_ref_to_proto(class_))
        self._rpc.call(self._rpc.labels.ClearLabels, request)

    def get_labels(self, image: str, region: Sequence[slice] | None = None) -> np.ndarray:
        """Labels of ``region`` (spatial slices; whole image by default): 0 unlabelled, else class index."""
        request = labels_pb2.GetLabelsRequest(image=image, region=self._region(image, region), **self._sid())
        return self._rpc.array(self._rpc.labels.GetLabels, request)

    # ------------------------------------------------------------------ features and classifier
    @property
    def features(self) -> FeatureSelection:
        """The current :class:`~pixframework.features.selection.FeatureSelection`."""
        reply = self._rpc.call(self._rpc.features.GetFeatures, features_pb2.GetFeaturesRequest(**self._sid()))
        return FeatureSelection.from_json(selection_from_proto(reply.selection))

    def select_features(self, selection: Any) -> None:
        """Choose the features: a FeatureSelection, its JSON form, or a list of ``(filter, scale)``."""
        request = features_pb2.SetFeaturesRequest(selection=selection_to_proto(selection), **self._sid())
        self._rpc.call(self._rpc.features.SetFeatures, request)

    @property
    def classifier(self) -> tuple[str, dict[str, Any]]:
        """``(name, params)`` of the chosen classifier plugin."""
        reply = self._rpc.call(self._rpc.classifiers.GetClassifier, classifiers_pb2.GetClassifierRequest(**self._sid()))
        return classifier_choice_from_proto(reply.classifier)

    def set_classifier(self, name: str, **params: Any) -> None:
        """Choose the classifier plugin and its parameters (validated by the server against the plugin)."""
        request = classifiers_pb2.SetClassifierRequest(
            name=name, params=params_to_proto(params), **self._sid()
        )
        self._rpc.call(self._rpc.classifiers.SetClassifier, request)

    # ------------------------------------------------------------------ training
    @property
    def is_trained(self) -> bool:
        reply = self._rpc.call(self._rpc.training.GetTrainingState, training_pb2.GetTrainingStateRequest(**self._sid()))
        return reply.is_trained

    def train(self, progress: Callable[[float, str], None] | None = None) -> dict[str, Any]:
        """Train on the labels of all images; ``progress(fraction 0..1, message)`` is called as the server reports.

        An exception raised by ``progress`` cancels the training on the server and is re-raised here.

        :returns: the training summary.
        """
        for update in self._rpc.stream(self._rpc.training.Train, training_pb2.TrainRequest(**self._sid())):
            if update.done:
                return json_document(update.summary_json, "training summary")
            if progress is not None:
                progress(update.fraction, update.message)  # raising here closes the stream: the server cancels
        raise RemoteError(grpc.StatusCode.UNKNOWN, "the training stream ended without a result")

    def cancel_training(self) -> bool:
        """Ask a running training of this project (from any session) to stop; returns whether one was running."""
        request = training_pb2.CancelTrainingRequest(**self._sid())
        return self._rpc.call(self._rpc.training.CancelTraining, request).was_running

    # ------------------------------------------------------------------ prediction
    def predict(self, image: str, *, region: Sequence[slice] | None = None, output: str = "probabilities") -> np.ndarray:
        """Predict ``region`` of an image: ``"probabilities"`` float32 ``(*region, C)``, ``"segmentation"``
        class index ``(*region)``, or ``"uncertainty"`` float32 ``(*region, 1)``."""
        request = prediction_pb2.PredictRequest(
            image=image, region=self._region(image, region), output=OUTPUTS.to_wire(output), **self._sid()
        )
        return self._rpc.array(self._rpc.prediction.Predict, request)

    def export(
        self,
        image: str,
        path: str | os.PathLike,
        *,
        output: str = "probabilities",
        format: str | None = None,
        dtype: str | np.dtype | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> str:
        """Write a prediction of a whole image to a file on the server; returns the path written
        (relative to the data root). ``path`` may use ``{dataset_dir}``, ``{nickname}``, ``{result_type}``.

        :param progress: called as ``progress(blocks_done, blocks_total, message)`` while the server
            works, as :meth:`Project.export <pixframework.project.Project.export>` calls it.
        """
        request = prediction_pb2.ExportRequest(
            image=image,
            path=os.fspath(path),
            output=OUTPUTS.to_wire(output),
            format=format or "",
            dtype=export_dtype(dtype) or "",
            **self._sid(),
        )
        if progress is None:
            return self._rpc.call(self._rpc.prediction.Export, request).path
        streamed = prediction_pb2.ExportWithProgressRequest(export=request)
        for message in self._rpc.stream(self._rpc.prediction.ExportWithProgress, streamed):
            if message.path:
                return message.path
            progress(int(message.blocks_done), int(message.blocks_total), message.message)
        raise RemoteError(grpc.StatusCode.DATA_LOSS, "the server ended the export without saying where it wrote it")

    # ------------------------------------------------------------------ guidance
    def suggest_labels(
        self,
        image: str | None = None,
        n: int = 10,
        region: Sequence[slice] | None = None,
        *,
        seed: int = 0,
        progress: Callable[[float, str], None] | None = None,
    ) -> list[LabelSuggestion]:
        """The ``n`` places where one more label would help most, best first (see ``Project.suggest_labels``).

        An exception raised by ``progress`` cancels the work on the server and is re-raised here.
        """
        request = guidance_pb2.SuggestLabelsRequest(
            image=image or "", count=check_count(n), seed=check_seed(seed), **self._sid()
        )
        if region is not None:
            if image is None:
                raise ValidationError("a region needs an image: name the image the region belongs to")
            request.region.CopyFrom(self._region(image, region))
        result = self._streamed(self._rpc.guidance.SuggestLabels, request, progress, "label suggestions")
        return label_suggestions_from_proto(result)

    def suggest_features(
        self, max_channels: int | None = None, *, seed: int = 0, progress: Callable[[float, str], None] | None = None
    ) -> FeatureSuggestion:
        """Score the feature entries and propose a smaller selection (see ``Project.suggest_features``).

        An exception raised by ``progress`` cancels the work on the server and is re-raised here.
        """
        request = guidance_pb2.SuggestFeaturesRequest(seed=check_seed(seed), **self._sid())
        if max_channels is not None:
            request.max_channels = check_max_channels(max_channels)
        result = self._streamed(self._rpc.guidance.SuggestFeatures, request, progress, "feature suggestions")
        return feature_suggestion_from_proto(result)

    def _streamed(self, method: Callable, request: Any, progress: Callable[[float, str], None] | None, what: str) -> Any:
        """The ``result`` of a stream of ``progress``/``result`` events, passing progress on."""
        for event in self._rpc.stream(method, request):
            if event.WhichOneof("event") == "result":
                return event.result
            if progress is not None:
                progress(event.progress.fraction, event.progress.message)  # raising closes the stream: the server stops
        raise RemoteError(grpc.StatusCode.UNKNOWN, f"the {what} stream ended without a result")


    # ------------------------------------------------------------------ events
    def watch(self, after_revision: int | None = None, *, log: str | None = None) -> EventWatcher:
        """The project's changes as :class:`~pixframework.events.Event` objects, as the server commits them
        (the same objects :meth:`Project.watch <pixframework.project.Project.watch>` gives). A broken
        connection is resumed from the last revision seen."""
        return RemoteWatcher(
            lambda request: self._rpc.events.Watch(request, metadata=self._rpc.metadata), self.session_id, after_revision, log
        )

    @property
    def client(self) -> str:
        """This session's public name: events name it as ``client`` of its changes, and :meth:`undo` steps through them."""
        return self._client_name


class Client:
    """A connection to a pixframework server. Use :func:`connect`."""

    def __init__(self, channel: grpc.Channel, address: str, token: str | None):
        self.address = address
        self._channel = channel
        self._rpc = Stubs(channel, token)
        self._limits: Any = None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (sessions stay on the server until closed or idle)."""
        self._channel.close()

    @property
    def stubs(self) -> Stubs:
        """The raw gRPC stubs (``stubs.images.UploadImage`` ...), for calls the methods do not cover;
        ``stubs.metadata`` holds the token metadata to pass along."""
        return self._rpc

    def _chunk_bytes(self) -> int:
        if self._limits is None:
            self._limits = self._rpc.call(self._rpc.info.GetServerInfo, server_pb2.GetServerInfoRequest()).info.limits
        return int(self._limits.chunk_bytes) or (1 << 20)

    def _upload(self, first: Any, array: np.ndarray) -> Iterator[Any]:
        """Messages of an array upload: ``first`` gets the header and the first chunk."""
        first.header.CopyFrom(make_header(array.shape, array.dtype))
        message_type = type(first)
        for offset, piece in byte_chunks(array_bytes(array), self._chunk_bytes()):
            if offset == 0:
                first.data = piece
                yield first
            else:
                yield message_type(data=piece)

    def create_project(self, path: str, *, overwrite: bool = False) -> RemoteProject:
        """Create a project at ``path`` (relative to the server's data root) and open a session on it."""
        request = sessions_pb2.CreateProjectRequest(path=os.fspath(path), overwrite=overwrite)
        return RemoteProject(self, self._rpc.call(self._rpc.sessions.CreateProject, request).session)

    def open_project(self, path: str) -> RemoteProject:
        """Open the project at ``path`` (relative to the server's data root) in a new session."""
        request = sessions_pb2.OpenProjectRequest(path=os.fspath(path))
        return RemoteProject(self, self._rpc.call(self._rpc.sessions.OpenProject, request).session)

    def sessions(self) -> list[dict[str, Any]]:
        """Open sessions the caller may see (its own; all for an admin token): id, project path,
        created (unix s), idle seconds, peer, owner."""
        reply = self._rpc.call(self._rpc.sessions.ListSessions, sessions_pb2.ListSessionsRequest())
        return [
            {
                "session_id": s.session_id,
                "path": s.path,
                "created": s.created,
                "idle_seconds": s.idle_seconds,
                "sessions_on_project": s.sessions_on_project,
                "peer": s.peer,
                "owner": s.owner,
                "client": s.client,
            }
            for s in reply.sessions
        ]

    def server_info(self) -> dict[str, Any]:
        """Server version, wire API version, plugins (and skipped ones), limits, auth and TLS flags,
        and who the server takes the caller for (``principal``, ``role``)."""
        info = self._rpc.call(self._rpc.info.GetServerInfo, server_pb2.GetServerInfoRequest()).info
        self._limits = info.limits
        limits = info.limits
        return {
            "version": info.version,
            "api_version": info.api_version,
            "plugins": [
                {f: getattr(p, f) for f in ("kind", "name", "plugin", "distribution", "version", "summary")}
                for p in info.plugins
            ],
            "problems": [{"plugin": p.plugin, "error": p.error} for p in info.problems],
            "limits": {field.name: getattr(limits, field.name) for field in limits.DESCRIPTOR.fields},
            "auth_required": info.auth_required,
            "tls": info.tls,
            "principal": info.principal,
            "role": info.role,
        }

    def list_filters(self) -> dict[str, Any]:
        """Filter plugins of the server and its default scales (what a feature matrix offers).

        :returns: ``{"filters": [{"name", "title", "description", "plugin", "dims", "min_scale",
            "n_outputs_2d", "n_outputs_3d", "parameters"}], "default_scales": [sigma in pixels, ascending]}``.
        """
        reply = self._rpc.call(self._rpc.features.ListFilters, features_pb2.ListFiltersRequest())
        filters = [filter_from_info(f) for f in reply.filters]
        return {"filters": filters, "default_scales": [float(s) for s in reply.default_scales]}

    def list_classifiers(self) -> list[dict[str, Any]]:
        """Classifier plugins of the server: ``[{"name", "title", "description", "plugin", "parameters"}]``."""
        reply = self._rpc.call(self._rpc.classifiers.ListClassifiers, classifiers_pb2.ListClassifiersRequest())
        return [plugin_from_info(c) for c in reply.classifiers]


def connect(
    address: str,
    *,
    token: str | None = None,
    tls: bool | str | os.PathLike | bytes = False,
    timeout: float = 10.0,
) -> Client:
    """Connect to a ``pixf serve`` server and check that it answers (and accepts the token).

    :param address: ``host:port``.
    :param token: bearer token; default the ``PIXF_TOKEN`` environment variable, if set.
    :param tls: ``False`` for a plain connection, ``True`` to verify the server against the system's
        CA certificates, or a PEM CA certificate (path or bytes) for a self-signed server.
    :param timeout: seconds to wait for the server.
    :raises RemoteError: no server answered in time.
    :raises Unauthenticated: the server refused the token.
    """
    token = token if token is not None else os.environ.get(TOKEN_ENV) or None
    options = [("grpc.max_receive_message_length", _RECEIVE_LIMIT), ("grpc.max_send_message_length", _RECEIVE_LIMIT)]
    if tls is False:
        channel = grpc.insecure_channel(address, options=options)
    else:
        roots = None
        if isinstance(tls, bytes):
            roots = tls
        elif tls is not True:
            roots = Path(tls).read_bytes()
        channel = grpc.secure_channel(address, grpc.ssl_channel_credentials(root_certificates=roots), options=options)
    try:
        grpc.channel_ready_future(channel).result(timeout=timeout)
    except grpc.FutureTimeoutError:
        channel.close()
        raise RemoteError(grpc.StatusCode.UNAVAILABLE, f"no pixframework server answered at {address} within {timeout:g} s") from None
    client = Client(channel, address, token)
    try:
        client.server_info()  # fails early on a wrong token or a server of another kind
    except Exception:
        channel.close()
        raise
    return client


def _color(color: str | tuple[int, int, int] | None) -> str:
    return "" if color is None else normalize_color(color)


def _coords(coords: Any) -> Any:
    array = np.asarray(coords)
    if array.dtype.kind not in "iuf":
        raise ValidationError(f"stroke coordinates must be numbers, got dtype {array.dtype}")
    return encode_ndarray(array.astype(np.float64 if array.dtype.kind == "f" else np.int64, copy=False))
