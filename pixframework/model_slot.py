"""The project's trained model: the model itself, where it is stored, what it was trained on, and
why it was dropped (a change of features, classes or classifier makes it stale)."""

from __future__ import annotations

from typing import Any, Mapping

from .classifiers.api import load_model
from .errors import NotTrained
from .specs import Model
from .store import ProjectStore


class ModelSlot:
    """Holds at most one trained :class:`~pixframework.specs.Model`.

    :attr:`generation` grows with every new model, so cached predictions can be keyed by it.
    """

    def __init__(self, store: ProjectStore, doc: Mapping[str, Any] | None):
        self._store = store
        self.model: Model | None = None
        self.ref: str | None = None
        self.info: dict[str, Any] | None = None
        self.generation = 0
        if doc:
            self.ref = doc["ref"]
            self.info = dict(doc.get("info", {}))
            self.model = load_model(*store.read_model(self.ref))

    @property
    def is_trained(self) -> bool:
        return self.model is not None

    def require(self) -> Model:
        """The trained model; :class:`NotTrained` saying why there is none."""
        if self.model is None:
            why = (self.info or {}).get("invalidated")
            raise NotTrained("the classifier is not trained" + (f" ({why} since training)" if why else "") + "; call train() first")
        return self.model

    def set(self, model: Model, info: dict[str, Any]) -> None:
        """Install a freshly trained model (stored on the next save)."""
        self.model = model
        self.ref = None
        self.info = info
        self.generation += 1

    def invalidate(self, reason: str) -> bool:
        """Drop the model because of ``reason``; returns whether there was one."""
        if self.model is None:
            return False
        self.model = None
        self.ref = None
        self.info = {"invalidated": reason}
        return True

    def save(self) -> None:
        """Write a model not stored yet (models are immutable once written)."""
        if self.model is not None and self.ref is None:
            self.ref = self._store.write_model(*self.model.get_state())

    def to_json(self) -> dict[str, Any] | None:
        return None if self.ref is None else {"ref": self.ref, "info": self.info or {}}
