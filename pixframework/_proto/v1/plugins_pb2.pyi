from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ParameterValue(_message.Message):
    __slots__ = ("float_value", "int_value", "bool_value", "string_value", "null_value")
    FLOAT_VALUE_FIELD_NUMBER: _ClassVar[int]
    INT_VALUE_FIELD_NUMBER: _ClassVar[int]
    BOOL_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    NULL_VALUE_FIELD_NUMBER: _ClassVar[int]
    float_value: float
    int_value: int
    bool_value: bool
    string_value: str
    null_value: bool
    def __init__(self, float_value: _Optional[float] = ..., int_value: _Optional[int] = ..., bool_value: _Optional[bool] = ..., string_value: _Optional[str] = ..., null_value: _Optional[bool] = ...) -> None: ...

class ParameterInfo(_message.Message):
    __slots__ = ("name", "type", "default", "description", "choices", "minimum", "maximum", "nullable", "role")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CHOICES_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_FIELD_NUMBER: _ClassVar[int]
    NULLABLE_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: str
    default: ParameterValue
    description: str
    choices: _containers.RepeatedCompositeFieldContainer[ParameterValue]
    minimum: float
    maximum: float
    nullable: bool
    role: str
    def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ..., default: _Optional[_Union[ParameterValue, _Mapping]] = ..., description: _Optional[str] = ..., choices: _Optional[_Iterable[_Union[ParameterValue, _Mapping]]] = ..., minimum: _Optional[float] = ..., maximum: _Optional[float] = ..., nullable: _Optional[bool] = ..., role: _Optional[str] = ...) -> None: ...

class PluginEntry(_message.Message):
    __slots__ = ("kind", "name", "plugin", "distribution", "version", "summary")
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    DISTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    kind: str
    name: str
    plugin: str
    distribution: str
    version: str
    summary: str
    def __init__(self, kind: _Optional[str] = ..., name: _Optional[str] = ..., plugin: _Optional[str] = ..., distribution: _Optional[str] = ..., version: _Optional[str] = ..., summary: _Optional[str] = ...) -> None: ...

class PluginProblem(_message.Message):
    __slots__ = ("plugin", "error")
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    plugin: str
    error: str
    def __init__(self, plugin: _Optional[str] = ..., error: _Optional[str] = ...) -> None: ...
