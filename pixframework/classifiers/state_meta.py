"""Checks on the metadata half of a model state, shared by the built-in classifiers' loaders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import CorruptData


@dataclass(frozen=True)
class ModelMeta:
    """The fields every built-in state carries, checked."""

    classes: tuple[int, ...]
    feature_names: tuple[str, ...]
    params: dict[str, Any]

    @property
    def n_features(self) -> int:
        return len(self.feature_names)


def model_meta(
    *, classifier: str, state_format: str, version: int, classes: Any, feature_names: Any, params: Mapping[str, Any], **extra: Any
) -> dict[str, Any]:
    """The metadata dict of a state, with plain ints and strings (JSON-able); ``extra`` adds fields."""
    names = [str(n) for n in feature_names]
    meta = {
        "format": state_format,
        "version": version,
        "classifier": classifier,
        "classes": [int(c) for c in classes],
        "feature_names": names,
        "n_features": len(names),
        "params": dict(params),
    }
    meta.update(extra)
    return meta


def meta_int(meta: Mapping[str, Any], key: str, minimum: int, what: str) -> int:
    """``meta[key]`` as an int >= ``minimum``; ``what`` names the state in the error."""
    value = meta.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise CorruptData(f"{what} is corrupt: metadata {key!r} must be an integer >= {minimum}, got {value!r}")
    return value


def check_model_meta(meta: Any, *, classifier: str, state_format: str, version: int, what: str) -> ModelMeta:
    """Check format, version, classifier name, classes, feature names and the ``threads`` parameter.

    :param what: names the state in messages, e.g. ``"forest model state"``.
    :raises CorruptData: naming the first bad field.
    """

    def corrupt(message: str) -> CorruptData:
        return CorruptData(f"{what} is corrupt: {message}")

    if not isinstance(meta, Mapping):
        raise corrupt(f"metadata must be a JSON object, got {type(meta).__name__}")
    if meta.get("format") != state_format:
        raise corrupt(f"metadata 'format' must be {state_format!r}, got {meta.get('format')!r}")
    if meta.get("version") != version:
        raise corrupt(f"unsupported state version {meta.get('version')!r} (this version reads {version})")
    if meta.get("classifier") != classifier:
        raise corrupt(f"state is for classifier {meta.get('classifier')!r}, not {classifier!r}")
    classes = meta.get("classes")
    if (
        not isinstance(classes, list)
        or len(classes) < 2
        or not all(isinstance(c, int) and not isinstance(c, bool) for c in classes)
        or any(a >= b for a, b in zip(classes, classes[1:]))
    ):
        raise corrupt(f"'classes' must be a strictly ascending list of >= 2 integers, got {classes!r}")
    n_features = meta_int(meta, "n_features", 1, what)
    names = meta.get("feature_names")
    if not isinstance(names, list) or len(names) != n_features or not all(isinstance(n, str) for n in names):
        raise corrupt(f"'feature_names' must be a list of {n_features} strings")
    params = meta.get("params", {})
    if not isinstance(params, Mapping):
        raise corrupt("'params' must be a JSON object")
    threads = params.get("threads", 0)
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 0:
        raise corrupt(f"parameter 'threads' must be an integer >= 0, got {threads!r}")
    return ModelMeta(tuple(classes), tuple(names), dict(params))
