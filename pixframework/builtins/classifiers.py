"""Built-in plugin: random forest and XGBoost classifiers."""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..specs import ClassifierSpec


@hookimpl(trylast=True)
def pixf_register_classifiers() -> list[ClassifierSpec]:
    return []
