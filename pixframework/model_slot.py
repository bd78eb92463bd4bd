"""The project's classifier: which plugin with which parameters, the model trained with it, where that
is stored, what it was trained on, and why it was dropped (a change of features, classes or
classifier makes it stale)."""

from __future__ import annotations

from typing import Any, Mapping

from .classifiers.api import load_model
from .errors import NotTrained, Remedy
from .registry import get_registry
from .specs import Model, resolve_parameters
from .store import ProjectStore

#: our own histogram random forest (pixframework/classifiers/fast_forest.py): 100 trees like ilastik, the same
#: held-out accuracy as scikit-learn's on stroke labels, 7-15x faster to train, which is what live update waits on
DEFAULT_CLASSIFIER = "fast_forest"


class ModelSlot:
    """The classifier choice and at most one trained :class:`~pixframework.specs.Model`.

    :attr:`generation` grows with every new model, so cached predictions can be keyed by it.

    :param choice: ``{"name", "params"}`` as stored in ``project.json`` (``None``: the default classifier).
    :param doc: the stored model entry ``{"ref", "info"}``, or ``None``.
    """

    def __init__(self, store: ProjectStore, choice: Mapping[str, Any] | None, doc: Mapping[str, Any] | None):
        self._store = store
        choice = choice or {"name": DEFAULT_CLASSIFIER, "params": {}}
        self.choice: tuple[str, dict[str, Any]] = (choice["name"], dict(choice.get("params", {})))
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

    def choose(self, name: str, params: Mapping[str, Any]) -> bool:
        """Choose the classifier plugin ``name`` with ``params`` (checked against its spec); a change drops the model.

        :returns: whether the choice changed.
        """
        spec = get_registry().classifier(name)
        resolve_parameters(f"classifier {name!r}", spec.parameters, params)
        if (name, dict(params)) == self.choice:
            return False
        self.choice = (name, dict(params))
        self.invalidate("classifier changed")
        return True

    def choice_json(self) -> dict[str, Any]:
        return {"name": self.choice[0], "params": dict(self.choice[1])}

    def require(self) -> Model:
        """The trained model; :class:`NotTrained` saying why there is none."""
        if self.model is None:
            why = (self.info or {}).get("invalidated")
            raise NotTrained("the classifier is not trained" + (f" ({why} since training)" if why else ""), remedy=Remedy.TRAIN)
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
