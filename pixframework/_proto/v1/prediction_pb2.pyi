from . import arrays_pb2 as _arrays_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Output(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OUTPUT_UNSPECIFIED: _ClassVar[Output]
    OUTPUT_PROBABILITIES: _ClassVar[Output]
    OUTPUT_SEGMENTATION: _ClassVar[Output]
    OUTPUT_UNCERTAINTY: _ClassVar[Output]
OUTPUT_UNSPECIFIED: Output
OUTPUT_PROBABILITIES: Output
OUTPUT_SEGMENTATION: Output
OUTPUT_UNCERTAINTY: Output

class PredictRequest(_message.Message):
    __slots__ = ("session_id", "image", "region", "output")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    image: str
    region: _arrays_pb2.Region
    output: Output
    def __init__(self, session_id: _Optional[str] = ..., image: _Optional[str] = ..., region: _Optional[_Union[_arrays_pb2.Region, _Mapping]] = ..., output: _Optional[_Union[Output, str]] = ...) -> None: ...

class PredictResponse(_message.Message):
    __slots__ = ("chunk",)
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    chunk: _arrays_pb2.ArrayChunk
    def __init__(self, chunk: _Optional[_Union[_arrays_pb2.ArrayChunk, _Mapping]] = ...) -> None: ...

class ExportRequest(_message.Message):
    __slots__ = ("session_id", "image", "path", "output", "format", "dtype")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    image: str
    path: str
    output: Output
    format: str
    dtype: str
    def __init__(self, session_id: _Optional[str] = ..., image: _Optional[str] = ..., path: _Optional[str] = ..., output: _Optional[_Union[Output, str]] = ..., format: _Optional[str] = ..., dtype: _Optional[str] = ...) -> None: ...

class ExportResponse(_message.Message):
    __slots__ = ("path",)
    PATH_FIELD_NUMBER: _ClassVar[int]
    path: str
    def __init__(self, path: _Optional[str] = ...) -> None: ...

class ExportWithProgressRequest(_message.Message):
    __slots__ = ("export",)
    EXPORT_FIELD_NUMBER: _ClassVar[int]
    export: ExportRequest
    def __init__(self, export: _Optional[_Union[ExportRequest, _Mapping]] = ...) -> None: ...

class ExportWithProgressResponse(_message.Message):
    __slots__ = ("blocks_done", "blocks_total", "message", "path")
    BLOCKS_DONE_FIELD_NUMBER: _ClassVar[int]
    BLOCKS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    blocks_done: int
    blocks_total: int
    message: str
    path: str
    def __init__(self, blocks_done: _Optional[int] = ..., blocks_total: _Optional[int] = ..., message: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...
