from . import arrays_pb2 as _arrays_pb2
from . import classifiers_pb2 as _classifiers_pb2
from . import features_pb2 as _features_pb2
from . import images_pb2 as _images_pb2
from . import labels_pb2 as _labels_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LabelEdit(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LABEL_EDIT_UNSPECIFIED: _ClassVar[LabelEdit]
    LABEL_EDIT_PAINT: _ClassVar[LabelEdit]
    LABEL_EDIT_ERASE: _ClassVar[LabelEdit]
    LABEL_EDIT_SET: _ClassVar[LabelEdit]
    LABEL_EDIT_CLEAR: _ClassVar[LabelEdit]
    LABEL_EDIT_ERASE_MASK: _ClassVar[LabelEdit]
    LABEL_EDIT_UNDO: _ClassVar[LabelEdit]
    LABEL_EDIT_REDO: _ClassVar[LabelEdit]
    LABEL_EDIT_RENUMBER: _ClassVar[LabelEdit]
LABEL_EDIT_UNSPECIFIED: LabelEdit
LABEL_EDIT_PAINT: LabelEdit
LABEL_EDIT_ERASE: LabelEdit
LABEL_EDIT_SET: LabelEdit
LABEL_EDIT_CLEAR: LabelEdit
LABEL_EDIT_ERASE_MASK: LabelEdit
LABEL_EDIT_UNDO: LabelEdit
LABEL_EDIT_REDO: LabelEdit
LABEL_EDIT_RENUMBER: LabelEdit

class WatchRequest(_message.Message):
    __slots__ = ("session_id", "after_revision", "log", "heartbeat_seconds")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    AFTER_REVISION_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    after_revision: int
    log: str
    heartbeat_seconds: float
    def __init__(self, session_id: _Optional[str] = ..., after_revision: _Optional[int] = ..., log: _Optional[str] = ..., heartbeat_seconds: _Optional[float] = ...) -> None: ...

class WatchResponse(_message.Message):
    __slots__ = ("event", "revision")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    event: ProjectEvent
    revision: int
    def __init__(self, event: _Optional[_Union[ProjectEvent, _Mapping]] = ..., revision: _Optional[int] = ...) -> None: ...

class ProjectEvent(_message.Message):
    __slots__ = ("revision", "client", "time", "log", "labels_changed", "class_added", "class_renamed", "class_recolored", "class_removed", "image_added", "image_removed", "features_changed", "classifier_changed", "training_started", "training_progress", "training_finished", "training_failed", "project_saved", "resync")
    REVISION_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    LABELS_CHANGED_FIELD_NUMBER: _ClassVar[int]
    CLASS_ADDED_FIELD_NUMBER: _ClassVar[int]
    CLASS_RENAMED_FIELD_NUMBER: _ClassVar[int]
    CLASS_RECOLORED_FIELD_NUMBER: _ClassVar[int]
    CLASS_REMOVED_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ADDED_FIELD_NUMBER: _ClassVar[int]
    IMAGE_REMOVED_FIELD_NUMBER: _ClassVar[int]
    FEATURES_CHANGED_FIELD_NUMBER: _ClassVar[int]
    CLASSIFIER_CHANGED_FIELD_NUMBER: _ClassVar[int]
    TRAINING_STARTED_FIELD_NUMBER: _ClassVar[int]
    TRAINING_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    TRAINING_FINISHED_FIELD_NUMBER: _ClassVar[int]
    TRAINING_FAILED_FIELD_NUMBER: _ClassVar[int]
    PROJECT_SAVED_FIELD_NUMBER: _ClassVar[int]
    RESYNC_FIELD_NUMBER: _ClassVar[int]
    revision: int
    client: str
    time: float
    log: str
    labels_changed: LabelsChanged
    class_added: ClassChanged
    class_renamed: ClassChanged
    class_recolored: ClassChanged
    class_removed: ClassChanged
    image_added: ImageChanged
    image_removed: ImageChanged
    features_changed: FeaturesChanged
    classifier_changed: ClassifierChanged
    training_started: TrainingStarted
    training_progress: TrainingProgress
    training_finished: TrainingFinished
    training_failed: TrainingFailed
    project_saved: ProjectSaved
    resync: Resync
    def __init__(self, revision: _Optional[int] = ..., client: _Optional[str] = ..., time: _Optional[float] = ..., log: _Optional[str] = ..., labels_changed: _Optional[_Union[LabelsChanged, _Mapping]] = ..., class_added: _Optional[_Union[ClassChanged, _Mapping]] = ..., class_renamed: _Optional[_Union[ClassChanged, _Mapping]] = ..., class_recolored: _Optional[_Union[ClassChanged, _Mapping]] = ..., class_removed: _Optional[_Union[ClassChanged, _Mapping]] = ..., image_added: _Optional[_Union[ImageChanged, _Mapping]] = ..., image_removed: _Optional[_Union[ImageChanged, _Mapping]] = ..., features_changed: _Optional[_Union[FeaturesChanged, _Mapping]] = ..., classifier_changed: _Optional[_Union[ClassifierChanged, _Mapping]] = ..., training_started: _Optional[_Union[TrainingStarted, _Mapping]] = ..., training_progress: _Optional[_Union[TrainingProgress, _Mapping]] = ..., training_finished: _Optional[_Union[TrainingFinished, _Mapping]] = ..., training_failed: _Optional[_Union[TrainingFailed, _Mapping]] = ..., project_saved: _Optional[_Union[ProjectSaved, _Mapping]] = ..., resync: _Optional[_Union[Resync, _Mapping]] = ...) -> None: ...

class LabelPatch(_message.Message):
    __slots__ = ("region", "labels")
    REGION_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    region: _arrays_pb2.Region
    labels: _arrays_pb2.NdArray
    def __init__(self, region: _Optional[_Union[_arrays_pb2.Region, _Mapping]] = ..., labels: _Optional[_Union[_arrays_pb2.NdArray, _Mapping]] = ...) -> None: ...

class LabelsChanged(_message.Message):
    __slots__ = ("image", "edit", "classes", "region", "patches", "patches_omitted", "pixels")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    EDIT_FIELD_NUMBER: _ClassVar[int]
    CLASSES_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    PATCHES_FIELD_NUMBER: _ClassVar[int]
    PATCHES_OMITTED_FIELD_NUMBER: _ClassVar[int]
    PIXELS_FIELD_NUMBER: _ClassVar[int]
    image: str
    edit: LabelEdit
    classes: _containers.RepeatedScalarFieldContainer[int]
    region: _arrays_pb2.Region
    patches: _containers.RepeatedCompositeFieldContainer[LabelPatch]
    patches_omitted: bool
    pixels: int
    def __init__(self, image: _Optional[str] = ..., edit: _Optional[_Union[LabelEdit, str]] = ..., classes: _Optional[_Iterable[int]] = ..., region: _Optional[_Union[_arrays_pb2.Region, _Mapping]] = ..., patches: _Optional[_Iterable[_Union[LabelPatch, _Mapping]]] = ..., patches_omitted: _Optional[bool] = ..., pixels: _Optional[int] = ...) -> None: ...

class ClassChanged(_message.Message):
    __slots__ = ("index", "name", "color", "old_name", "classes")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COLOR_FIELD_NUMBER: _ClassVar[int]
    OLD_NAME_FIELD_NUMBER: _ClassVar[int]
    CLASSES_FIELD_NUMBER: _ClassVar[int]
    index: int
    name: str
    color: str
    old_name: str
    classes: _containers.RepeatedCompositeFieldContainer[_labels_pb2.LabelClass]
    def __init__(self, index: _Optional[int] = ..., name: _Optional[str] = ..., color: _Optional[str] = ..., old_name: _Optional[str] = ..., classes: _Optional[_Iterable[_Union[_labels_pb2.LabelClass, _Mapping]]] = ...) -> None: ...

class ImageChanged(_message.Message):
    __slots__ = ("image", "info", "images")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    INFO_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    image: str
    info: _images_pb2.ImageInfo
    images: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, image: _Optional[str] = ..., info: _Optional[_Union[_images_pb2.ImageInfo, _Mapping]] = ..., images: _Optional[_Iterable[str]] = ...) -> None: ...

class FeaturesChanged(_message.Message):
    __slots__ = ("selection",)
    SELECTION_FIELD_NUMBER: _ClassVar[int]
    selection: _features_pb2.FeatureSelection
    def __init__(self, selection: _Optional[_Union[_features_pb2.FeatureSelection, _Mapping]] = ...) -> None: ...

class ClassifierChanged(_message.Message):
    __slots__ = ("classifier",)
    CLASSIFIER_FIELD_NUMBER: _ClassVar[int]
    classifier: _classifiers_pb2.ClassifierChoice
    def __init__(self, classifier: _Optional[_Union[_classifiers_pb2.ClassifierChoice, _Mapping]] = ...) -> None: ...

class TrainingStarted(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TrainingProgress(_message.Message):
    __slots__ = ("fraction", "message")
    FRACTION_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    fraction: float
    message: str
    def __init__(self, fraction: _Optional[float] = ..., message: _Optional[str] = ...) -> None: ...

class TrainingFinished(_message.Message):
    __slots__ = ("model_version", "labels_revision", "summary_json")
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    LABELS_REVISION_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_JSON_FIELD_NUMBER: _ClassVar[int]
    model_version: int
    labels_revision: int
    summary_json: str
    def __init__(self, model_version: _Optional[int] = ..., labels_revision: _Optional[int] = ..., summary_json: _Optional[str] = ...) -> None: ...

class TrainingFailed(_message.Message):
    __slots__ = ("message", "cancelled")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    message: str
    cancelled: bool
    def __init__(self, message: _Optional[str] = ..., cancelled: _Optional[bool] = ...) -> None: ...

class ProjectSaved(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Resync(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...
