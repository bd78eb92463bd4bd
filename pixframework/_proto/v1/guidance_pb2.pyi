from . import arrays_pb2 as _arrays_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SuggestionReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUGGESTION_REASON_UNSPECIFIED: _ClassVar[SuggestionReason]
    SUGGESTION_REASON_UNCERTAIN: _ClassVar[SuggestionReason]
    SUGGESTION_REASON_UNEXPLORED: _ClassVar[SuggestionReason]
SUGGESTION_REASON_UNSPECIFIED: SuggestionReason
SUGGESTION_REASON_UNCERTAIN: SuggestionReason
SUGGESTION_REASON_UNEXPLORED: SuggestionReason

class SuggestLabelsRequest(_message.Message):
    __slots__ = ("session_id", "image", "count", "region", "seed")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    image: str
    count: int
    region: _arrays_pb2.Region
    seed: int
    def __init__(self, session_id: _Optional[str] = ..., image: _Optional[str] = ..., count: _Optional[int] = ..., region: _Optional[_Union[_arrays_pb2.Region, _Mapping]] = ..., seed: _Optional[int] = ...) -> None: ...

class SuggestLabelsResponse(_message.Message):
    __slots__ = ("progress", "result")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    progress: GuidanceProgress
    result: LabelSuggestions
    def __init__(self, progress: _Optional[_Union[GuidanceProgress, _Mapping]] = ..., result: _Optional[_Union[LabelSuggestions, _Mapping]] = ...) -> None: ...

class SuggestFeaturesRequest(_message.Message):
    __slots__ = ("session_id", "max_channels", "seed")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_CHANNELS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    max_channels: int
    seed: int
    def __init__(self, session_id: _Optional[str] = ..., max_channels: _Optional[int] = ..., seed: _Optional[int] = ...) -> None: ...

class SuggestFeaturesResponse(_message.Message):
    __slots__ = ("progress", "result")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    progress: GuidanceProgress
    result: FeatureSuggestion
    def __init__(self, progress: _Optional[_Union[GuidanceProgress, _Mapping]] = ..., result: _Optional[_Union[FeatureSuggestion, _Mapping]] = ...) -> None: ...

class GuidanceProgress(_message.Message):
    __slots__ = ("fraction", "message")
    FRACTION_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    fraction: float
    message: str
    def __init__(self, fraction: _Optional[float] = ..., message: _Optional[str] = ...) -> None: ...

class LabelSuggestions(_message.Message):
    __slots__ = ("suggestions",)
    SUGGESTIONS_FIELD_NUMBER: _ClassVar[int]
    suggestions: _containers.RepeatedCompositeFieldContainer[LabelSuggestion]
    def __init__(self, suggestions: _Optional[_Iterable[_Union[LabelSuggestion, _Mapping]]] = ...) -> None: ...

class LabelSuggestion(_message.Message):
    __slots__ = ("rank", "image", "position", "score", "uncertainty", "novelty", "classes", "reason")
    RANK_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    UNCERTAINTY_FIELD_NUMBER: _ClassVar[int]
    NOVELTY_FIELD_NUMBER: _ClassVar[int]
    CLASSES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    rank: int
    image: str
    position: _containers.RepeatedScalarFieldContainer[int]
    score: float
    uncertainty: float
    novelty: float
    classes: _containers.RepeatedCompositeFieldContainer[ClassChance]
    reason: SuggestionReason
    def __init__(self, rank: _Optional[int] = ..., image: _Optional[str] = ..., position: _Optional[_Iterable[int]] = ..., score: _Optional[float] = ..., uncertainty: _Optional[float] = ..., novelty: _Optional[float] = ..., classes: _Optional[_Iterable[_Union[ClassChance, _Mapping]]] = ..., reason: _Optional[_Union[SuggestionReason, str]] = ...) -> None: ...

class ClassChance(_message.Message):
    __slots__ = ("name", "index", "probability")
    NAME_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    name: str
    index: int
    probability: float
    def __init__(self, name: _Optional[str] = ..., index: _Optional[int] = ..., probability: _Optional[float] = ...) -> None: ...

class FeatureSuggestion(_message.Message):
    __slots__ = ("scores", "proposed_json", "accuracy_full", "accuracy_proposed", "agreement", "agreement_ceiling", "tolerance", "within_tolerance", "channels_full", "channels_proposed", "steps", "samples", "pool", "folds", "split", "seconds")
    SCORES_FIELD_NUMBER: _ClassVar[int]
    PROPOSED_JSON_FIELD_NUMBER: _ClassVar[int]
    ACCURACY_FULL_FIELD_NUMBER: _ClassVar[int]
    ACCURACY_PROPOSED_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_CEILING_FIELD_NUMBER: _ClassVar[int]
    TOLERANCE_FIELD_NUMBER: _ClassVar[int]
    WITHIN_TOLERANCE_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FULL_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_PROPOSED_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    SAMPLES_FIELD_NUMBER: _ClassVar[int]
    POOL_FIELD_NUMBER: _ClassVar[int]
    FOLDS_FIELD_NUMBER: _ClassVar[int]
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    scores: _containers.RepeatedCompositeFieldContainer[FeatureScore]
    proposed_json: str
    accuracy_full: float
    accuracy_proposed: float
    agreement: float
    agreement_ceiling: float
    tolerance: float
    within_tolerance: bool
    channels_full: int
    channels_proposed: int
    steps: _containers.RepeatedCompositeFieldContainer[SelectionStep]
    samples: int
    pool: int
    folds: int
    split: str
    seconds: float
    def __init__(self, scores: _Optional[_Iterable[_Union[FeatureScore, _Mapping]]] = ..., proposed_json: _Optional[str] = ..., accuracy_full: _Optional[float] = ..., accuracy_proposed: _Optional[float] = ..., agreement: _Optional[float] = ..., agreement_ceiling: _Optional[float] = ..., tolerance: _Optional[float] = ..., within_tolerance: _Optional[bool] = ..., channels_full: _Optional[int] = ..., channels_proposed: _Optional[int] = ..., steps: _Optional[_Iterable[_Union[SelectionStep, _Mapping]]] = ..., samples: _Optional[int] = ..., pool: _Optional[int] = ..., folds: _Optional[int] = ..., split: _Optional[str] = ..., seconds: _Optional[float] = ...) -> None: ...

class FeatureScore(_message.Message):
    __slots__ = ("entry_json", "label", "channels", "importance", "importance_std", "prediction_change", "rank", "selected")
    ENTRY_JSON_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    IMPORTANCE_FIELD_NUMBER: _ClassVar[int]
    IMPORTANCE_STD_FIELD_NUMBER: _ClassVar[int]
    PREDICTION_CHANGE_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    SELECTED_FIELD_NUMBER: _ClassVar[int]
    entry_json: str
    label: str
    channels: int
    importance: float
    importance_std: float
    prediction_change: float
    rank: int
    selected: bool
    def __init__(self, entry_json: _Optional[str] = ..., label: _Optional[str] = ..., channels: _Optional[int] = ..., importance: _Optional[float] = ..., importance_std: _Optional[float] = ..., prediction_change: _Optional[float] = ..., rank: _Optional[int] = ..., selected: _Optional[bool] = ...) -> None: ...

class SelectionStep(_message.Message):
    __slots__ = ("entry_json", "label", "accuracy", "agreement", "kept")
    ENTRY_JSON_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    ACCURACY_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_FIELD_NUMBER: _ClassVar[int]
    KEPT_FIELD_NUMBER: _ClassVar[int]
    entry_json: str
    label: str
    accuracy: float
    agreement: float
    kept: bool
    def __init__(self, entry_json: _Optional[str] = ..., label: _Optional[str] = ..., accuracy: _Optional[float] = ..., agreement: _Optional[float] = ..., kept: _Optional[bool] = ...) -> None: ...
