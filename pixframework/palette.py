"""Default label colours (ilastik-like: distinct, readable on grey images)."""

from __future__ import annotations

import re

from .errors import ValidationError

PALETTE = (
    "#ffe119",  # yellow
    "#4363d8",  # blue
    "#e6194b",  # red
    "#3cb44b",  # green
    "#f58231",  # orange
    "#911eb4",  # purple
    "#42d4f4",  # cyan
    "#f032e6",  # magenta
    "#bfef45",  # lime
    "#9a6324",  # brown
)
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def default_color(index: int) -> str:
    """Colour for the class at 0-based position ``index``."""
    return PALETTE[index % len(PALETTE)]


def normalize_color(color: str | tuple[int, int, int]) -> str:
    """``"#rrggbb"`` from a hex string or an (r, g, b) tuple of 0..255 ints."""
    if isinstance(color, str) and _HEX.match(color):
        return color.lower()
    if isinstance(color, (tuple, list)) and len(color) == 3 and all(isinstance(c, int) and 0 <= c <= 255 for c in color):
        return "#{:02x}{:02x}{:02x}".format(*color)
    raise ValidationError(f"colour must be '#rrggbb' or (r, g, b) with 0..255, got {color!r}")


def rgb(color: str) -> tuple[int, int, int]:
    """(r, g, b) of a ``"#rrggbb"`` colour."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)
