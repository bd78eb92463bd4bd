from . import arrays_pb2 as _arrays_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LabelClass(_message.Message):
    __slots__ = ("name", "color", "index")
    NAME_FIELD_NUMBER: _ClassVar[int]
    COLOR_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    name: str
    color: str
    index: int
    def __init__(self, name: _Optional[str] = ..., color: _Optional[str] = ..., index: _Optional[int] = ...) -> None: ...

class ClassRef(_message.Message):
    __slots__ = ("name", "index")
    NAME_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    name: str
    index: int
    def __init__(self, name: _Optional[str] = ..., index: _Optional[int] = ...) -> None: ...

class AddClassRequest(_message.Message):
    __slots__ = ("session_id", "name", "color")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COLOR_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    name: str
    color: str
    def __init__(self, session_id: _Optional[str] = ..., name: _Optional[str] = ..., color: _Optional[str] = ...) -> None: ...

class AddClassResponse(_message.Message):
    __slots__ = ("index",)
    INDEX_FIELD_NUMBER: _ClassVar[int]
    index: int
    def __init__(self, index: _Optional[int] = ...) -> None: ...

class RenameClassRequest(_message.Message):
    __slots__ = ("session_id", "class_ref", "new_name")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CLASS_REF_FIELD_NUMBER: _ClassVar[int]
    NEW_NAME_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    class_ref: ClassRef
    new_name: str
    def __init__(self, session_id: _Optional[str] = ..., class_ref: _Optional[_Union[ClassRef, _Mapping]] = ..., new_name: _Optional[str] = ...) -> None: ...

class RenameClassResponse(_message.Message):
    __slots__ = ("classes",)
    CLASSES_FIELD_NUMBER: _ClassVar[int]
    classes: _containers.RepeatedCompositeFieldContainer[LabelClass]
    def __init__(self, classes: _Optional[_Iterable[_Union[LabelClass, _Mapping]]] = ...) -> None: ...

class SetClassColorRequest(_message.Message):
    __slots__ = ("session_id", "class_ref", "color")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CLASS_REF_FIELD_NUMBER: _ClassVar[int]
    COLOR_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    class_ref: ClassRef
    color: str
    def __init__(self, session_id: _Optional[str] = ..., class_ref: _Optional[_Union[ClassRef, _Mapping]] = ..., color: _Optional[str] = ...) -> None: ...

class SetClassColorResponse(_message.Message):
    __slots__ = ("classes",)
    CLASSES_FIELD_NUMBER: _ClassVar[int]
    classes: _containers.RepeatedCompositeFieldContainer[LabelClass]
    def __init__(self, classes: _Optional[_Iterable[_Union[LabelClass, _Mapping]]] = ...) -> None: ...

class RemoveClassRequest(_message.Message):
    __slots__ = ("session_id", "class_ref")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CLASS_REF_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    class_ref: ClassRef
    def __init__(self, session_id: _Optional[str] = ..., class_ref: _Optional[_Union[ClassRef, _Mapping]] = ...) -> None: ...

class RemoveClassResponse(_message.Message):
    __slots__ = ("classes",)
    CLASSES_FIELD_NUMBER: _ClassVar[int]
    classes: _containers.RepeatedCompositeFieldContainer[LabelClass]
    def __init__(self, classes: _Optional[_Iterable[_Union[LabelClass, _Mapping]]] = ...) -> None: ...

class ListClassesRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class ListClassesResponse(_message.Message):
    __slots__ = ("classes",)
    CLASSES_FIELD_NUMBER: _ClassVar[int]
    classes: _containers.RepeatedCompositeFieldContainer[LabelClass]
    def __init__(self, classes: _Optional[_Iterable[_Union[LabelClass, _Mapping]]] = ...) -> None: ...

class SetLabelsRequest(_message.Message):
    __slots__ = ("session_id", "image", "offset", "header", "data")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    image: str
    offset: _containers.RepeatedScalarFieldContainer[int]
    header: _arrays_pb2.ArrayHeader
    data: bytes
    def __init__(self, session_id: _Optional[str] = ..., image: _Optional[str] = ..., offset: _Optional[_Iterable[int]] = ..., header: _Optional[_Union[_arrays_pb2.ArrayHeader, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class SetLabelsResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PaintRequest(_message.Message):
    __slots__ = ("session_id", "image", "class_ref", "coords", "radius")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    CLASS_REF_FIELD_NUMBER: _ClassVar[int]
    COORDS_FIELD_NUMBER: _ClassVar[int]
    RADIUS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    image: str
    class_ref: ClassRef
    coords: _arrays_pb2.NdArray
    radius: float
    def __init__(self, session_id: _Optional[str] = ..., image: _Optional[str] = ..., class_ref: _Optional[_Union[ClassRef, _Mapping]] = ..., coords: _Optional[_Union[_arrays_pb2.NdArray, _Mapping]] = ..., radius: _Optional[float] = ...) -> None: ...

class PaintResponse(_message.Message):
    __slots__ = ("pixels",)
    PIXELS_FIELD_NUMBER: _ClassVar[int]
    pixels: int
    def __init__(self, pixels: _Optional[int] = ...) -> None: ...

class EraseRequest(_message.Message):
    __slots__ = ("session_id", "image", "coords", "radius")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    COORDS_FIELD_NUMBER: _ClassVar[int]
    RADIUS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    image: str
    coords: _arrays_pb2.NdArray
    radius: float
    def __init__(self, session_id: _Optional[str] = ..., image: _Optional[str] = ..., coords: _Optional[_Union[_arrays_pb2.NdArray, _Mapping]] = ..., radius: _Optional[float] = ...) -> None: ...

class EraseResponse(_message.Message):
    __slots__ = ("pixels",)
    PIXELS_FIELD_NUMBER: _ClassVar[int]
    pixels: int
    def __init__(self, pixels: _Optional[int] = ...) -> None: ...

class ClearLabelsRequest(_message.Message):
    __slots__ = ("session_id", "image", "class_ref")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    CLASS_REF_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    image: str
    class_ref: ClassRef
    def __init__(self, session_id: _Optional[str] = ..., image: _Optional[str] = ..., class_ref: _Optional[_Union[ClassRef, _Mapping]] = ...) -> None: ...

class ClearLabelsResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class EraseMaskRequest(_message.Message):
    __slots__ = ("session_id", "image", "offset", "header", "data")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    image: str
    offset: _containers.RepeatedScalarFieldContainer[int]
    header: _arrays_pb2.ArrayHeader
    data: bytes
    def __init__(self, session_id: _Optional[str] = ..., image: _Optional[str] = ..., offset: _Optional[_Iterable[int]] = ..., header: _Optional[_Union[_arrays_pb2.ArrayHeader, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class EraseMaskResponse(_message.Message):
    __slots__ = ("pixels",)
    PIXELS_FIELD_NUMBER: _ClassVar[int]
    pixels: int
    def __init__(self, pixels: _Optional[int] = ...) -> None: ...

class UndoRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class UndoResponse(_message.Message):
    __slots__ = ("pixels",)
    PIXELS_FIELD_NUMBER: _ClassVar[int]
    pixels: int
    def __init__(self, pixels: _Optional[int] = ...) -> None: ...

class RedoRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class RedoResponse(_message.Message):
    __slots__ = ("pixels",)
    PIXELS_FIELD_NUMBER: _ClassVar[int]
    pixels: int
    def __init__(self, pixels: _Optional[int] = ...) -> None: ...

class GetLabelsRequest(_message.Message):
    __slots__ = ("session_id", "image", "region")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    image: str
    region: _arrays_pb2.Region
    def __init__(self, session_id: _Optional[str] = ..., image: _Optional[str] = ..., region: _Optional[_Union[_arrays_pb2.Region, _Mapping]] = ...) -> None: ...

class GetLabelsResponse(_message.Message):
    __slots__ = ("chunk",)
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    chunk: _arrays_pb2.ArrayChunk
    def __init__(self, chunk: _Optional[_Union[_arrays_pb2.ArrayChunk, _Mapping]] = ...) -> None: ...
