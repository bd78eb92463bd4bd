"""Label classes of a project: names and colours, addressed by name or by index ``1..C`` (the label value)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from .errors import Conflict, NotFound, ValidationError
from .labels import renumber_table
from .names import check_name
from .palette import default_color, normalize_color


class LabelClasses:
    """The ordered classes ``[{"name", "color"}]``; class ``i`` (1-based) is label value ``i``."""

    def __init__(self, docs: Sequence[Mapping[str, Any]] = ()):
        self._classes: list[dict[str, str]] = [{"name": str(c["name"]), "color": normalize_color(c["color"])} for c in docs]

    def __len__(self) -> int:
        return len(self._classes)

    @property
    def names(self) -> list[str]:
        return [c["name"] for c in self._classes]

    def listing(self) -> list[dict[str, Any]]:
        """``[{"name", "color", "index"}]`` with index 1..C."""
        return [dict(c, index=i + 1) for i, c in enumerate(self._classes)]

    def to_json(self) -> list[dict[str, str]]:
        return [dict(c) for c in self._classes]

    def index(self, class_: str | int) -> int:
        """The index ``1..C`` of a class given by name or index."""
        if isinstance(class_, (int, np.integer)) and not isinstance(class_, bool):
            if 1 <= int(class_) <= len(self._classes):
                return int(class_)
            raise ValidationError(f"class index {class_} out of range 1..{len(self._classes)}")
        for i, c in enumerate(self._classes):
            if c["name"] == class_:
                return i + 1
        raise NotFound(f"no class {class_!r} (classes: {', '.join(self.names) or 'none'})")

    def add(self, name: str, color: str | tuple[int, int, int] | None = None) -> int:
        """Append a class; returns its index."""
        self._check_name(name, other_than=None)
        color = normalize_color(color) if color is not None else default_color(len(self._classes))
        self._classes.append({"name": name, "color": color})
        return len(self._classes)

    def rename(self, class_: str | int, new: str) -> None:
        index = self.index(class_)
        self._check_name(new, other_than=index)
        self._classes[index - 1]["name"] = new

    def set_color(self, class_: str | int, color: str | tuple[int, int, int]) -> None:
        self._classes[self.index(class_) - 1]["color"] = normalize_color(color)

    def remove(self, class_: str | int) -> np.ndarray:
        """Delete a class; returns the table renumbering label values (see :func:`~pixframework.labels.renumber_table`)."""
        index = self.index(class_)
        table = renumber_table(len(self._classes), index, shift=True)
        del self._classes[index - 1]
        return table

    def _check_name(self, name: str, other_than: int | None) -> None:
        check_name(name, "class name")
        if any(c["name"] == name for i, c in enumerate(self._classes) if i + 1 != other_than):
            raise Conflict(f"a class called {name!r} already exists")
