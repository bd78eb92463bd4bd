from . import plugins_pb2 as _plugins_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListFiltersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListFiltersResponse(_message.Message):
    __slots__ = ("filters", "default_scales")
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_SCALES_FIELD_NUMBER: _ClassVar[int]
    filters: _containers.RepeatedCompositeFieldContainer[FilterInfo]
    default_scales: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, filters: _Optional[_Iterable[_Union[FilterInfo, _Mapping]]] = ..., default_scales: _Optional[_Iterable[float]] = ...) -> None: ...

class FilterInfo(_message.Message):
    __slots__ = ("name", "title", "description", "plugin", "dims", "min_scale", "n_outputs_2d", "n_outputs_3d", "output_names_2d", "output_names_3d", "parameters")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    DIMS_FIELD_NUMBER: _ClassVar[int]
    MIN_SCALE_FIELD_NUMBER: _ClassVar[int]
    N_OUTPUTS_2D_FIELD_NUMBER: _ClassVar[int]
    N_OUTPUTS_3D_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_NAMES_2D_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_NAMES_3D_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    description: str
    plugin: str
    dims: _containers.RepeatedScalarFieldContainer[int]
    min_scale: float
    n_outputs_2d: int
    n_outputs_3d: int
    output_names_2d: _containers.RepeatedScalarFieldContainer[str]
    output_names_3d: _containers.RepeatedScalarFieldContainer[str]
    parameters: _containers.RepeatedCompositeFieldContainer[_plugins_pb2.ParameterInfo]
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., plugin: _Optional[str] = ..., dims: _Optional[_Iterable[int]] = ..., min_scale: _Optional[float] = ..., n_outputs_2d: _Optional[int] = ..., n_outputs_3d: _Optional[int] = ..., output_names_2d: _Optional[_Iterable[str]] = ..., output_names_3d: _Optional[_Iterable[str]] = ..., parameters: _Optional[_Iterable[_Union[_plugins_pb2.ParameterInfo, _Mapping]]] = ...) -> None: ...

class GetFeaturesRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class GetFeaturesResponse(_message.Message):
    __slots__ = ("selection",)
    SELECTION_FIELD_NUMBER: _ClassVar[int]
    selection: FeatureSelection
    def __init__(self, selection: _Optional[_Union[FeatureSelection, _Mapping]] = ...) -> None: ...

class SetFeaturesRequest(_message.Message):
    __slots__ = ("session_id", "selection")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SELECTION_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    selection: FeatureSelection
    def __init__(self, session_id: _Optional[str] = ..., selection: _Optional[_Union[FeatureSelection, _Mapping]] = ...) -> None: ...

class SetFeaturesResponse(_message.Message):
    __slots__ = ("selection",)
    SELECTION_FIELD_NUMBER: _ClassVar[int]
    selection: FeatureSelection
    def __init__(self, selection: _Optional[_Union[FeatureSelection, _Mapping]] = ...) -> None: ...

class FeatureSelection(_message.Message):
    __slots__ = ("json",)
    JSON_FIELD_NUMBER: _ClassVar[int]
    json: str
    def __init__(self, json: _Optional[str] = ...) -> None: ...
