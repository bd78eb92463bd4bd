"""ilastik's axes: ``axistags`` JSON, the lane layout we import, and the order labels were saved in.

ilastik axes use the letters ``t``, ``z``, ``y``, ``x``, ``c``. pixframework has no time axis, so a
singleton ``t`` is dropped (``t > 1`` is refused), and a singleton ``z`` is dropped too, exactly as
ilastik itself treats such data as 2D.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import CorruptData, ValidationError

LETTERS = "tzyxc"


def check_axes(axes: str, what: str) -> str:
    """Lower-case ``axes`` if they are valid ilastik axes (letters of ``tzyxc``, no repeats, with y and x)."""
    axes = axes.lower()
    if set(axes) - set(LETTERS) or len(set(axes)) != len(axes) or "y" not in axes or "x" not in axes:
        raise CorruptData(
            f"{what}: axes {axes!r} are not valid ilastik axes (letters t, z, y, x, c, with y and x)"
        )
    return axes


def axes_from_axistags(text: str, what: str) -> str:
    """Axis letters from ilastik's ``axistags`` JSON (``{"axes": [{"key": "y", ...}, ...]}``)."""
    try:
        keys = [str(axis["key"]) for axis in json.loads(text)["axes"]]
    except (ValueError, KeyError, TypeError):
        raise CorruptData(f"{what}: axistags are not the JSON ilastik writes: {text[:80]!r}") from None
    return check_axes("".join(keys), what)


@dataclass(frozen=True)
class LaneLayout:
    """How an ilastik lane's data maps onto a pixframework image.

    :param axes: ilastik's axes of the stored data, e.g. ``"cyx"`` or ``"tzyxc"``.
    :param shape: stored shape, in ``axes`` order.
    """

    axes: str
    shape: tuple[int, ...]

    def size(self, letter: str) -> int:
        """Extent along ``letter`` (1 for an axis the data does not have)."""
        return self.shape[self.axes.index(letter)] if letter in self.axes else 1

    @property
    def dropped(self) -> str:
        """Singleton axes pixframework drops: ``t``, and ``z`` when it has one slice."""
        return "".join(a for a in self.axes if a == "t" or (a == "z" and self.size("z") == 1))

    @property
    def kept_axes(self) -> str:
        """The axes of the imported image, in stored order (what the reader is told)."""
        return "".join(a for a in self.axes if a not in self.dropped)

    @property
    def spatial(self) -> str:
        """Spatial letters of the imported image in canonical order: ``"yx"`` or ``"zyx"``."""
        return "zyx" if "z" in self.kept_axes else "yx"

    @property
    def spatial_shape(self) -> tuple[int, ...]:
        """Spatial shape of the imported image, canonical ``(z)yx`` order (pixels)."""
        return tuple(self.size(a) for a in self.spatial)

    def check(self, what: str) -> None:
        """Refuse what pixframework cannot hold: a time series, or a shape not matching the axes."""
        if len(self.shape) != len(self.axes):
            raise ValidationError(f"{what}: axes {self.axes!r} do not match the data's shape {self.shape}")
        if self.size("t") > 1:
            raise ValidationError(
                f"{what} is a time series ({self.size('t')} time points); pixframework has no time axis. "
                "Split it into one image per time point in ilastik (or export the frames) before importing"
            )

    def squeeze(self, array: np.ndarray) -> np.ndarray:
        """Drop the singleton axes of data read in stored order (result in :attr:`kept_axes` order)."""
        index = tuple(0 if a in self.dropped else slice(None) for a in self.axes)
        return np.asarray(array[index])


def ilastik_label_axes(axes: str, shape: Sequence[int]) -> str:
    """The axis order ilastik (since 1.2) keeps a lane's labels in, from the lane's stored axes and shape.

    Pixel classification re-orders every input to the shortest channel-last order that keeps all of
    its non-singleton axes; candidates are tried as ilastik lists them (``yxc``, ``xyc``, then
    3- and 4-letter permutations of ``tzyx`` plus ``c``), so 2D data gives ``yxc`` and 3D ``zyxc``.
    """
    needed = {a for a, s in zip(axes, shape) if s > 1 and a != "c"}
    candidates = ["yxc", "xyc"]
    for n in (3, 4):
        candidates += ["".join(p) + "c" for p in itertools.permutations("tzyx", n)]
    fitting = [c for c in candidates if needed <= set(c)]
    if not fitting:  # cannot happen for valid axes (y and x are always present)
        raise CorruptData(f"no ilastik axis order fits axes {axes!r}")
    return min(fitting, key=len)
