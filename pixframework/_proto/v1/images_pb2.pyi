from . import arrays_pb2 as _arrays_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CopyMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COPY_MODE_UNSPECIFIED: _ClassVar[CopyMode]
    COPY_MODE_INTO_PROJECT: _ClassVar[CopyMode]
    COPY_MODE_REFERENCE_ONLY: _ClassVar[CopyMode]
COPY_MODE_UNSPECIFIED: CopyMode
COPY_MODE_INTO_PROJECT: CopyMode
COPY_MODE_REFERENCE_ONLY: CopyMode

class AddImageRequest(_message.Message):
    __slots__ = ("session_id", "path", "axes", "name", "copy", "format")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    AXES_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COPY_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    path: str
    axes: str
    name: str
    copy: CopyMode
    format: str
    def __init__(self, session_id: _Optional[str] = ..., path: _Optional[str] = ..., axes: _Optional[str] = ..., name: _Optional[str] = ..., copy: _Optional[_Union[CopyMode, str]] = ..., format: _Optional[str] = ...) -> None: ...

class UploadImageRequest(_message.Message):
    __slots__ = ("session_id", "name", "axes", "header", "data", "copy")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    AXES_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    COPY_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    name: str
    axes: str
    header: _arrays_pb2.ArrayHeader
    data: bytes
    copy: CopyMode
    def __init__(self, session_id: _Optional[str] = ..., name: _Optional[str] = ..., axes: _Optional[str] = ..., header: _Optional[_Union[_arrays_pb2.ArrayHeader, _Mapping]] = ..., data: _Optional[bytes] = ..., copy: _Optional[_Union[CopyMode, str]] = ...) -> None: ...

class AddImageResponse(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class UploadImageResponse(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class RemoveImageRequest(_message.Message):
    __slots__ = ("session_id", "image")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    image: str
    def __init__(self, session_id: _Optional[str] = ..., image: _Optional[str] = ...) -> None: ...

class RemoveImageResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListImagesRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class ListImagesResponse(_message.Message):
    __slots__ = ("images",)
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    images: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, images: _Optional[_Iterable[str]] = ...) -> None: ...

class GetImageInfoRequest(_message.Message):
    __slots__ = ("session_id", "image")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    image: str
    def __init__(self, session_id: _Optional[str] = ..., image: _Optional[str] = ...) -> None: ...

class GetImageInfoResponse(_message.Message):
    __slots__ = ("info",)
    INFO_FIELD_NUMBER: _ClassVar[int]
    info: ImageInfo
    def __init__(self, info: _Optional[_Union[ImageInfo, _Mapping]] = ...) -> None: ...

class ImageInfo(_message.Message):
    __slots__ = ("name", "shape", "axes", "dtype", "source", "stored")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    AXES_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    STORED_FIELD_NUMBER: _ClassVar[int]
    name: str
    shape: _containers.RepeatedScalarFieldContainer[int]
    axes: str
    dtype: str
    source: str
    stored: bool
    def __init__(self, name: _Optional[str] = ..., shape: _Optional[_Iterable[int]] = ..., axes: _Optional[str] = ..., dtype: _Optional[str] = ..., source: _Optional[str] = ..., stored: _Optional[bool] = ...) -> None: ...

class ReadImageRequest(_message.Message):
    __slots__ = ("session_id", "image", "region")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    image: str
    region: _arrays_pb2.Region
    def __init__(self, session_id: _Optional[str] = ..., image: _Optional[str] = ..., region: _Optional[_Union[_arrays_pb2.Region, _Mapping]] = ...) -> None: ...

class ReadImageResponse(_message.Message):
    __slots__ = ("chunk",)
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    chunk: _arrays_pb2.ArrayChunk
    def __init__(self, chunk: _Optional[_Union[_arrays_pb2.ArrayChunk, _Mapping]] = ...) -> None: ...
