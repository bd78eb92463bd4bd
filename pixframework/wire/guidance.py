"""Guidance results on the wire: :mod:`pixframework.guidance.results` <-> ``guidance.proto`` messages.

Each pair is the only place its message is written and read, so what the client rebuilds equals
what the project returned (floats travel as doubles, entries as their JSON text).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .._proto.v1 import guidance_pb2
from ..guidance.results import ClassChance, FeatureScore, FeatureSuggestion, LabelSuggestion, SelectionStep
from .enums import EnumTable

#: ``LabelSuggestion.reason``
REASONS: EnumTable[str] = EnumTable(
    "suggestion reason",
    guidance_pb2.SuggestionReason,
    {"uncertain": guidance_pb2.SUGGESTION_REASON_UNCERTAIN, "unexplored": guidance_pb2.SUGGESTION_REASON_UNEXPLORED},
)


def progress_to_proto(fraction: float, message: str) -> guidance_pb2.GuidanceProgress:
    return guidance_pb2.GuidanceProgress(fraction=float(fraction), message=str(message))


# --------------------------------------------------------------------------- label suggestions


def label_suggestions_to_proto(suggestions: Sequence[LabelSuggestion]) -> guidance_pb2.LabelSuggestions:
    return guidance_pb2.LabelSuggestions(
        suggestions=[
            guidance_pb2.LabelSuggestion(
                rank=s.rank,
                image=s.image,
                position=list(s.position),
                score=s.score,
                uncertainty=s.uncertainty,
                novelty=s.novelty,
                classes=[guidance_pb2.ClassChance(name=c.name, index=c.index, probability=c.probability) for c in s.classes],
                reason=REASONS.to_wire(s.reason),
            )
            for s in suggestions
        ]
    )


def label_suggestions_from_proto(message: guidance_pb2.LabelSuggestions) -> list[LabelSuggestion]:
    return [
        LabelSuggestion(
            rank=int(s.rank),
            image=s.image,
            position=tuple(int(v) for v in s.position),
            score=s.score,
            uncertainty=s.uncertainty,
            novelty=s.novelty,
            classes=tuple(ClassChance(name=c.name, index=int(c.index), probability=c.probability) for c in s.classes),
            reason=REASONS.from_wire(s.reason),
        )
        for s in message.suggestions
    ]


# --------------------------------------------------------------------------- feature suggestions

#: FeatureSuggestion fields that travel as they are (numbers, flags, text)
_PLAIN = (
    "accuracy_full", "accuracy_proposed", "agreement", "agreement_ceiling", "tolerance", "within_tolerance",
    "channels_full", "channels_proposed", "samples", "pool", "folds", "split", "seconds",
)  # fmt: skip


def _entry_text(entry: dict[str, Any]) -> str:
    return json.dumps(entry)


def feature_suggestion_to_proto(result: FeatureSuggestion) -> guidance_pb2.FeatureSuggestion:
    scores = [
        guidance_pb2.FeatureScore(
            entry_json=_entry_text(s.entry), label=s.label, channels=s.channels, importance=s.importance,
            importance_std=s.importance_std, prediction_change=s.prediction_change, rank=s.rank, selected=s.selected,
        )
        for s in result.scores
    ]  # fmt: skip
    steps = [
        guidance_pb2.SelectionStep(entry_json=_entry_text(s.entry), label=s.label, accuracy=s.accuracy, agreement=s.agreement, kept=s.kept)
        for s in result.steps
    ]
    plain = {name: getattr(result, name) for name in _PLAIN}
    return guidance_pb2.FeatureSuggestion(scores=scores, steps=steps, proposed_json=json.dumps(result.proposed), **plain)


def feature_suggestion_from_proto(message: guidance_pb2.FeatureSuggestion) -> FeatureSuggestion:
    scores = tuple(
        FeatureScore(
            entry=json.loads(s.entry_json), label=s.label, channels=int(s.channels), importance=s.importance,
            importance_std=s.importance_std, prediction_change=s.prediction_change, rank=int(s.rank), selected=s.selected,
        )
        for s in message.scores
    )  # fmt: skip
    steps = tuple(
        SelectionStep(entry=json.loads(s.entry_json), label=s.label, accuracy=s.accuracy, agreement=s.agreement, kept=s.kept)
        for s in message.steps
    )
    plain = {name: getattr(message, name) for name in _PLAIN}
    return FeatureSuggestion(scores=scores, steps=steps, proposed=json.loads(message.proposed_json), **plain)
