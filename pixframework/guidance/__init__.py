"""Guidance: where to label next (:func:`suggest_labels`) and which features to keep (:func:`suggest_features`).

:func:`suggest_labels` works on any object with the public methods of
:class:`~pixframework.project.Project`; :func:`suggest_features` on the labelled samples the project
hands it. Both return plain data (:mod:`.results`). The methods and why: ``docs/guidance.md``.
"""

from .feature_suggestions import suggest_features
from .label_suggestions import suggest_labels
from .results import ClassChance, FeatureScore, FeatureSuggestion, LabelSuggestion, SelectionStep

__all__ = [
    "ClassChance",
    "FeatureScore",
    "FeatureSuggestion",
    "LabelSuggestion",
    "SelectionStep",
    "suggest_features",
    "suggest_labels",
]
