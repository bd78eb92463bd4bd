"""Small messages both sides build and read: class references, image and plugin descriptions, JSON documents.

Each pair ``x_to_proto`` / ``x_from_proto`` is the only place its message is written and read, so
the server (sending) and the client (receiving) cannot drift apart.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .._proto.v1 import classifiers_pb2, features_pb2, images_pb2, labels_pb2
from ..errors import ValidationError
from ..specs import ClassifierSpec, FilterSpec
from .arrays import dtype_to_wire
from .values import parameter_from_info, parameter_info, params_from_proto, params_to_proto

# --------------------------------------------------------------------------- classes


def class_ref_to_proto(class_: str | int) -> labels_pb2.ClassRef:
    """A class given by name (str) or index 1..C (int)."""
    if isinstance(class_, (int, np.integer)) and not isinstance(class_, bool):
        return labels_pb2.ClassRef(index=int(class_))
    if isinstance(class_, str):
        return labels_pb2.ClassRef(name=class_)
    raise ValidationError(f"a class is given by name (str) or index (int), got {class_!r}")


def class_ref_from_proto(message: labels_pb2.ClassRef, *, required: bool = True) -> str | int | None:
    """``str`` name or ``int`` index from a :class:`ClassRef` (``None`` when unset and not required)."""
    kind = message.WhichOneof("ref")
    if kind is None:
        if required:
            raise ValidationError("no class given: set class_ref.name or class_ref.index")
        return None
    return getattr(message, kind)


def classes_to_proto(classes: Sequence[Mapping[str, Any]]) -> list[labels_pb2.LabelClass]:
    """Wire form of ``Project.classes`` (the ``classes`` field of the class calls' responses)."""
    return [labels_pb2.LabelClass(**c) for c in classes]


def classes_from_proto(classes: Iterable[labels_pb2.LabelClass]) -> list[dict[str, Any]]:
    """``Project.classes`` from its wire form: ``[{"name", "color", "index"}]``."""
    return [{"name": c.name, "color": c.color, "index": c.index} for c in classes]


# --------------------------------------------------------------------------- images


def image_info_to_proto(info: Mapping[str, Any]) -> images_pb2.ImageInfo:
    """Wire form of ``Project.image_info()``."""
    return images_pb2.ImageInfo(
        name=info["name"],
        shape=[int(s) for s in info["shape"]],
        axes=info["axes"],
        dtype=dtype_to_wire(np.dtype(info["dtype"])),
        source=str(info.get("source") or ""),
        stored=bool(info.get("stored")),
    )


def image_info_from_proto(info: images_pb2.ImageInfo) -> dict[str, Any]:
    """``Project.image_info()`` from its wire form."""
    return {
        "name": info.name,
        "shape": tuple(int(s) for s in info.shape),
        "axes": info.axes,
        "dtype": np.dtype(info.dtype).name,
        "source": info.source,
        "stored": info.stored,
    }


# --------------------------------------------------------------------------- plugins


def filter_info(spec: FilterSpec) -> features_pb2.FilterInfo:
    """Wire description of a filter plugin."""
    outputs = {ndim: spec.n_outputs(ndim) if ndim in spec.dims else 0 for ndim in (2, 3)}
    names = {
        ndim: list(spec.output_names(ndim)) if spec.output_names is not None and ndim in spec.dims else []
        for ndim in (2, 3)
    }
    return features_pb2.FilterInfo(
        name=spec.name,
        title=spec.title,
        description=spec.description,
        plugin=spec.plugin,
        dims=list(spec.dims),
        min_scale=spec.min_scale,
        n_outputs_2d=outputs[2],
        n_outputs_3d=outputs[3],
        output_names_2d=names[2],
        output_names_3d=names[3],
        parameters=[parameter_info(p) for p in spec.parameters],
    )


def classifier_info(spec: ClassifierSpec) -> classifiers_pb2.ClassifierInfo:
    """Wire description of a classifier plugin."""
    return classifiers_pb2.ClassifierInfo(
        name=spec.name,
        title=spec.title,
        description=spec.description,
        plugin=spec.plugin,
        parameters=[parameter_info(p) for p in spec.parameters],
    )


def classifier_choice_to_proto(choice: tuple[str, Mapping[str, Any]]) -> classifiers_pb2.ClassifierChoice:
    """Wire form of ``Project.classifier``: ``(name, params)``."""
    name, params = choice
    return classifiers_pb2.ClassifierChoice(name=name, params=params_to_proto(params))


def classifier_choice_from_proto(message: classifiers_pb2.ClassifierChoice) -> tuple[str, dict[str, Any]]:
    """``Project.classifier`` from its wire form."""
    return message.name, params_from_proto(message.params)


def plugin_from_info(info: features_pb2.FilterInfo | classifiers_pb2.ClassifierInfo) -> dict[str, Any]:
    """The fields a FilterInfo and a ClassifierInfo share, as a dict (``parameters`` as in ``Parameter.to_json``)."""
    fields = {f: getattr(info, f) for f in ("name", "title", "description", "plugin")}
    return {**fields, "parameters": [parameter_from_info(p) for p in info.parameters]}


def filter_from_info(info: features_pb2.FilterInfo) -> dict[str, Any]:
    """A filter description: the shared plugin fields plus dims, minimum scale and outputs per dimensionality."""
    return {
        **plugin_from_info(info),
        "dims": [int(d) for d in info.dims],
        "min_scale": float(info.min_scale),
        "n_outputs_2d": int(info.n_outputs_2d),
        "n_outputs_3d": int(info.n_outputs_3d),
    }


# --------------------------------------------------------------------------- JSON documents


def _jsonable(value: Any) -> Any:
    # summaries hold tuples and numpy scalars; JSON has lists and numbers
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def json_text(document: Any) -> str:
    """A summary or result as JSON text (numpy values become numbers and lists)."""
    return json.dumps(document, default=_jsonable)


def json_document(text: str, what: str) -> Any:
    """The document in JSON ``text``; :class:`ValidationError` naming ``what`` when it is not JSON."""
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValidationError(f"{what} is not valid JSON: {exc}") from None


def selection_to_proto(selection: Any) -> features_pb2.FeatureSelection:
    """A feature selection (a ``FeatureSelection``, its JSON form or a list of entries) as its JSON message."""
    document = selection.to_json() if hasattr(selection, "to_json") else selection
    try:
        text = json.dumps(document)
    except (TypeError, ValueError):
        raise ValidationError(f"cannot use {selection!r} as a feature selection") from None
    return features_pb2.FeatureSelection(json=text)


def selection_from_proto(message: features_pb2.FeatureSelection) -> Any:
    """The JSON document of a selection (the project validates its content)."""
    return json_document(message.json, "feature selection")
