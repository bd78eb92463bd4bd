"""Plugin parameters on the wire: values (``ParameterValue``) and descriptions (``ParameterInfo``)."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .._proto.v1 import plugins_pb2
from ..errors import ValidationError
from ..specs import Parameter


def value_to_proto(value: Any) -> plugins_pb2.ParameterValue:
    """Wire form of a JSON-like scalar parameter value."""
    if value is None:
        return plugins_pb2.ParameterValue(null_value=True)
    if isinstance(value, (bool, np.bool_)):
        return plugins_pb2.ParameterValue(bool_value=bool(value))
    if isinstance(value, (int, np.integer)):
        return plugins_pb2.ParameterValue(int_value=int(value))
    if isinstance(value, (float, np.floating)):
        return plugins_pb2.ParameterValue(float_value=float(value))
    if isinstance(value, str):
        return plugins_pb2.ParameterValue(string_value=value)
    raise ValidationError(f"parameter value {value!r} is not a number, bool, string or None")


def value_from_proto(message: plugins_pb2.ParameterValue) -> Any:
    """Python value of a wire parameter value (an unset value is an error)."""
    kind = message.WhichOneof("kind")
    if kind is None:
        raise ValidationError("parameter value has none of its fields set")
    return None if kind == "null_value" else getattr(message, kind)


def params_to_proto(params: Mapping[str, Any]) -> dict[str, plugins_pb2.ParameterValue]:
    """A dict of parameter values for a ``map<string, ParameterValue>`` field."""
    return {name: value_to_proto(value) for name, value in params.items()}


def params_from_proto(params: Any) -> dict[str, Any]:
    """``map<string, ParameterValue>`` to a dict."""
    return {name: value_from_proto(value) for name, value in params.items()}


def parameter_info(parameter: Parameter) -> plugins_pb2.ParameterInfo:
    """Wire description of a plugin parameter."""
    info = plugins_pb2.ParameterInfo(
        name=parameter.name,
        type=parameter.type,
        default=value_to_proto(parameter.default),
        description=parameter.description,
        choices=[value_to_proto(c) for c in parameter.choices],
        nullable=parameter.nullable,
        role=parameter.role,
    )
    if parameter.minimum is not None:
        info.minimum = float(parameter.minimum)
    if parameter.maximum is not None:
        info.maximum = float(parameter.maximum)
    return info


def parameter_from_info(info: plugins_pb2.ParameterInfo) -> dict[str, Any]:
    """A parameter description as the dict :meth:`Parameter.to_json` gives (unset bounds are ``None``)."""
    return {
        "name": info.name,
        "type": info.type,
        "default": value_from_proto(info.default) if info.default.WhichOneof("kind") else None,
        "description": info.description,
        "choices": [value_from_proto(c) for c in info.choices],
        "minimum": info.minimum if info.HasField("minimum") else None,
        "maximum": info.maximum if info.HasField("maximum") else None,
        "nullable": info.nullable,
        "role": info.role,
    }
