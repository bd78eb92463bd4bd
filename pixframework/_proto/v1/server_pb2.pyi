from . import plugins_pb2 as _plugins_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetServerInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetServerInfoResponse(_message.Message):
    __slots__ = ("info",)
    INFO_FIELD_NUMBER: _ClassVar[int]
    info: ServerInfo
    def __init__(self, info: _Optional[_Union[ServerInfo, _Mapping]] = ...) -> None: ...

class ServerInfo(_message.Message):
    __slots__ = ("version", "api_version", "plugins", "problems", "limits", "auth_required", "tls", "principal", "role")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    API_VERSION_FIELD_NUMBER: _ClassVar[int]
    PLUGINS_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    AUTH_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    TLS_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    version: str
    api_version: str
    plugins: _containers.RepeatedCompositeFieldContainer[_plugins_pb2.PluginEntry]
    problems: _containers.RepeatedCompositeFieldContainer[_plugins_pb2.PluginProblem]
    limits: Limits
    auth_required: bool
    tls: bool
    principal: str
    role: str
    def __init__(self, version: _Optional[str] = ..., api_version: _Optional[str] = ..., plugins: _Optional[_Iterable[_Union[_plugins_pb2.PluginEntry, _Mapping]]] = ..., problems: _Optional[_Iterable[_Union[_plugins_pb2.PluginProblem, _Mapping]]] = ..., limits: _Optional[_Union[Limits, _Mapping]] = ..., auth_required: _Optional[bool] = ..., tls: _Optional[bool] = ..., principal: _Optional[str] = ..., role: _Optional[str] = ...) -> None: ...

class Limits(_message.Message):
    __slots__ = ("max_message_bytes", "chunk_bytes", "max_upload_bytes", "max_sessions", "idle_timeout_seconds", "max_ndim", "stream_idle_timeout_seconds", "max_brush_radius", "max_stroke_points", "max_stroke_length", "max_stroke_pixels", "max_classes", "max_threads", "max_image_pixels", "max_chunk_bytes", "max_work_bytes")
    MAX_MESSAGE_BYTES_FIELD_NUMBER: _ClassVar[int]
    CHUNK_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_UPLOAD_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    IDLE_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MAX_NDIM_FIELD_NUMBER: _ClassVar[int]
    STREAM_IDLE_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MAX_BRUSH_RADIUS_FIELD_NUMBER: _ClassVar[int]
    MAX_STROKE_POINTS_FIELD_NUMBER: _ClassVar[int]
    MAX_STROKE_LENGTH_FIELD_NUMBER: _ClassVar[int]
    MAX_STROKE_PIXELS_FIELD_NUMBER: _ClassVar[int]
    MAX_CLASSES_FIELD_NUMBER: _ClassVar[int]
    MAX_THREADS_FIELD_NUMBER: _ClassVar[int]
    MAX_IMAGE_PIXELS_FIELD_NUMBER: _ClassVar[int]
    MAX_CHUNK_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_WORK_BYTES_FIELD_NUMBER: _ClassVar[int]
    max_message_bytes: int
    chunk_bytes: int
    max_upload_bytes: int
    max_sessions: int
    idle_timeout_seconds: float
    max_ndim: int
    stream_idle_timeout_seconds: float
    max_brush_radius: float
    max_stroke_points: int
    max_stroke_length: float
    max_stroke_pixels: int
    max_classes: int
    max_threads: int
    max_image_pixels: int
    max_chunk_bytes: int
    max_work_bytes: int
    def __init__(self, max_message_bytes: _Optional[int] = ..., chunk_bytes: _Optional[int] = ..., max_upload_bytes: _Optional[int] = ..., max_sessions: _Optional[int] = ..., idle_timeout_seconds: _Optional[float] = ..., max_ndim: _Optional[int] = ..., stream_idle_timeout_seconds: _Optional[float] = ..., max_brush_radius: _Optional[float] = ..., max_stroke_points: _Optional[int] = ..., max_stroke_length: _Optional[float] = ..., max_stroke_pixels: _Optional[int] = ..., max_classes: _Optional[int] = ..., max_threads: _Optional[int] = ..., max_image_pixels: _Optional[int] = ..., max_chunk_bytes: _Optional[int] = ..., max_work_bytes: _Optional[int] = ...) -> None: ...
