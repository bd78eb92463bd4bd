"""Project events on the wire: :class:`~pixframework.events.Event` <-> ``ProjectEvent``, both ways.

The server sends what :meth:`Project.watch <pixframework.project.Project.watch>` yields; the client
rebuilds the same :class:`~pixframework.events.Event` objects (same kinds, revisions, clients and
fields, arrays as numpy arrays), so code that follows a project works against both.
"""

from __future__ import annotations

from typing import Any, Callable

from .._proto.v1 import classifiers_pb2, events_pb2
from ..errors import ValidationError
from ..events import Event
from .arrays import decode_ndarray, encode_ndarray, region_from_proto, region_to_proto
from .enums import LABEL_EDITS
from .messages import (
    classes_from_proto,
    classes_to_proto,
    image_info_from_proto,
    image_info_to_proto,
    json_document,
    json_text,
    selection_from_proto,
    selection_to_proto,
)
from .values import params_from_proto, params_to_proto

_CLASS_KINDS = ("class_added", "class_renamed", "class_recolored", "class_removed")
_IMAGE_KINDS = ("image_added", "image_removed")


def _labels_to_proto(f: dict[str, Any]) -> events_pb2.LabelsChanged:
    return events_pb2.LabelsChanged(
        image=f["image"],
        edit=LABEL_EDITS.to_wire(f["op"]),
        classes=[int(c) for c in f["classes"]],
        region=region_to_proto(f["region"]),
        patches=[events_pb2.LabelPatch(region=region_to_proto(r), labels=encode_ndarray(a)) for r, a in f["patches"]],
        patches_omitted=bool(f["patches_omitted"]),
        pixels=int(f["pixels"]),
    )


def _labels_from_proto(m: events_pb2.LabelsChanged) -> dict[str, Any]:
    return {
        "image": m.image,
        "op": LABEL_EDITS.from_wire(m.edit),
        "classes": [int(c) for c in m.classes],
        "region": region_from_proto(m.region),
        "patches": [(region_from_proto(p.region), decode_ndarray(p.labels, max_ndim=3, what="label patch")) for p in m.patches],
        "patches_omitted": m.patches_omitted,
        "pixels": int(m.pixels),
    }


def _class_to_proto(f: dict[str, Any]) -> events_pb2.ClassChanged:
    return events_pb2.ClassChanged(
        index=int(f["index"]), name=f["name"] or "", color=f["color"] or "", old_name=f.get("old_name") or "",
        classes=classes_to_proto(f["classes"]),
    )  # fmt: skip


def _class_from_proto(kind: str) -> Callable[[events_pb2.ClassChanged], dict[str, Any]]:
    def read(m: events_pb2.ClassChanged) -> dict[str, Any]:
        fields = {"index": int(m.index), "name": m.name, "color": m.color}
        if kind == "class_renamed":
            fields["old_name"] = m.old_name
        return {**fields, "classes": classes_from_proto(m.classes)}

    return read


def _image_to_proto(f: dict[str, Any]) -> events_pb2.ImageChanged:
    message = events_pb2.ImageChanged(image=f["image"], images=list(f["images"]))
    if "info" in f:
        message.info.CopyFrom(image_info_to_proto(f["info"]))
    return message


def _image_from_proto(kind: str) -> Callable[[events_pb2.ImageChanged], dict[str, Any]]:
    def read(m: events_pb2.ImageChanged) -> dict[str, Any]:
        fields: dict[str, Any] = {"image": m.image}
        if kind == "image_added":
            fields["info"] = image_info_from_proto(m.info)
        return {**fields, "images": list(m.images)}

    return read


#: kind -> (fields -> message, message -> fields); kinds without fields use the empty messages
_CODECS: dict[str, tuple[Callable[[dict[str, Any]], Any], Callable[[Any], dict[str, Any]]]] = {
    "labels_changed": (_labels_to_proto, _labels_from_proto),
    **{k: (_class_to_proto, _class_from_proto(k)) for k in _CLASS_KINDS},
    **{k: (_image_to_proto, _image_from_proto(k)) for k in _IMAGE_KINDS},
    "features_changed": (
        lambda f: events_pb2.FeaturesChanged(selection=selection_to_proto(f["selection"])),
        lambda m: {"selection": selection_from_proto(m.selection)},
    ),
    "classifier_changed": (
        lambda f: events_pb2.ClassifierChanged(
            classifier=classifiers_pb2.ClassifierChoice(name=f["name"], params=params_to_proto(f["params"]))
        ),
        lambda m: {"name": m.classifier.name, "params": params_from_proto(m.classifier.params)},
    ),
    "training_started": (lambda f: events_pb2.TrainingStarted(), lambda m: {}),
    "training_progress": (
        lambda f: events_pb2.TrainingProgress(fraction=f["fraction"], message=f["message"]),
        lambda m: {"fraction": m.fraction, "message": m.message},
    ),
    "training_finished": (
        lambda f: events_pb2.TrainingFinished(
            model_version=f["model_version"], labels_revision=f["labels_revision"], summary_json=json_text(f["summary"])
        ),
        lambda m: {
            "model_version": int(m.model_version),
            "labels_revision": int(m.labels_revision),
            "summary": json_document(m.summary_json, "training summary"),
        },
    ),
    "training_failed": (
        lambda f: events_pb2.TrainingFailed(message=f["message"], cancelled=f["cancelled"]),
        lambda m: {"message": m.message, "cancelled": m.cancelled},
    ),
    "project_saved": (lambda f: events_pb2.ProjectSaved(), lambda m: {}),
    "resync": (lambda f: events_pb2.Resync(reason=f["reason"]), lambda m: {"reason": m.reason}),
}


def event_to_proto(event: Event) -> events_pb2.ProjectEvent:
    """The wire form of a project event."""
    message = events_pb2.ProjectEvent(revision=event.revision, client=event.client, time=event.time, log=event.log)
    getattr(message, event.kind).CopyFrom(_CODECS[event.kind][0](dict(event.fields)))
    return message


def event_from_proto(message: events_pb2.ProjectEvent) -> Event:
    """The :class:`~pixframework.events.Event` a ``ProjectEvent`` carries."""
    kind = message.WhichOneof("change")
    if kind is None:
        raise ValidationError("a project event without a change (a newer server?)")
    fields = _CODECS[kind][1](getattr(message, kind))
    return Event(kind, int(message.revision), message.client, fields, message.time, message.log)


__all__ = ["event_from_proto", "event_to_proto"]
