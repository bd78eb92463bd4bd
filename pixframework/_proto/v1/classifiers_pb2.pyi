from . import plugins_pb2 as _plugins_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListClassifiersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListClassifiersResponse(_message.Message):
    __slots__ = ("classifiers",)
    CLASSIFIERS_FIELD_NUMBER: _ClassVar[int]
    classifiers: _containers.RepeatedCompositeFieldContainer[ClassifierInfo]
    def __init__(self, classifiers: _Optional[_Iterable[_Union[ClassifierInfo, _Mapping]]] = ...) -> None: ...

class ClassifierInfo(_message.Message):
    __slots__ = ("name", "title", "description", "plugin", "parameters")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    description: str
    plugin: str
    parameters: _containers.RepeatedCompositeFieldContainer[_plugins_pb2.ParameterInfo]
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., plugin: _Optional[str] = ..., parameters: _Optional[_Iterable[_Union[_plugins_pb2.ParameterInfo, _Mapping]]] = ...) -> None: ...

class GetClassifierRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class GetClassifierResponse(_message.Message):
    __slots__ = ("classifier",)
    CLASSIFIER_FIELD_NUMBER: _ClassVar[int]
    classifier: ClassifierChoice
    def __init__(self, classifier: _Optional[_Union[ClassifierChoice, _Mapping]] = ...) -> None: ...

class SetClassifierRequest(_message.Message):
    __slots__ = ("session_id", "name", "params")
    class ParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _plugins_pb2.ParameterValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_plugins_pb2.ParameterValue, _Mapping]] = ...) -> None: ...
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    name: str
    params: _containers.MessageMap[str, _plugins_pb2.ParameterValue]
    def __init__(self, session_id: _Optional[str] = ..., name: _Optional[str] = ..., params: _Optional[_Mapping[str, _plugins_pb2.ParameterValue]] = ...) -> None: ...

class SetClassifierResponse(_message.Message):
    __slots__ = ("classifier",)
    CLASSIFIER_FIELD_NUMBER: _ClassVar[int]
    classifier: ClassifierChoice
    def __init__(self, classifier: _Optional[_Union[ClassifierChoice, _Mapping]] = ...) -> None: ...

class ClassifierChoice(_message.Message):
    __slots__ = ("name", "params")
    class ParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _plugins_pb2.ParameterValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_plugins_pb2.ParameterValue, _Mapping]] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    name: str
    params: _containers.MessageMap[str, _plugins_pb2.ParameterValue]
    def __init__(self, name: _Optional[str] = ..., params: _Optional[_Mapping[str, _plugins_pb2.ParameterValue]] = ...) -> None: ...
