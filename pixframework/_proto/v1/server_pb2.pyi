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
    __slots__ = ("version", "api_version", "plugins", "problems", "limits", "auth_required", "tls")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    API_VERSION_FIELD_NUMBER: _ClassVar[int]
    PLUGINS_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    AUTH_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    TLS_FIELD_NUMBER: _ClassVar[int]
    version: str
    api_version: str
    plugins: _containers.RepeatedCompositeFieldContainer[_plugins_pb2.PluginEntry]
    problems: _containers.RepeatedCompositeFieldContainer[_plugins_pb2.PluginProblem]
    limits: Limits
    auth_required: bool
    tls: bool
    def __init__(self, version: _Optional[str] = ..., api_version: _Optional[str] = ..., plugins: _Optional[_Iterable[_Union[_plugins_pb2.PluginEntry, _Mapping]]] = ..., problems: _Optional[_Iterable[_Union[_plugins_pb2.PluginProblem, _Mapping]]] = ..., limits: _Optional[_Union[Limits, _Mapping]] = ..., auth_required: _Optional[bool] = ..., tls: _Optional[bool] = ...) -> None: ...

class Limits(_message.Message):
    __slots__ = ("max_message_bytes", "chunk_bytes", "max_upload_bytes", "max_sessions", "idle_timeout_seconds", "max_ndim")
    MAX_MESSAGE_BYTES_FIELD_NUMBER: _ClassVar[int]
    CHUNK_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_UPLOAD_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    IDLE_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MAX_NDIM_FIELD_NUMBER: _ClassVar[int]
    max_message_bytes: int
    chunk_bytes: int
    max_upload_bytes: int
    max_sessions: int
    idle_timeout_seconds: float
    max_ndim: int
    def __init__(self, max_message_bytes: _Optional[int] = ..., chunk_bytes: _Optional[int] = ..., max_upload_bytes: _Optional[int] = ..., max_sessions: _Optional[int] = ..., idle_timeout_seconds: _Optional[float] = ..., max_ndim: _Optional[int] = ...) -> None: ...
