"""napari plugin (npe2): a dock widget that is a thin client of a pixframework server.

Install with ``pip install "pixframework[gui]"``; in napari choose *Plugins > Pixel classification
(pixframework)*. The widget connects to a ``pixf serve`` server (address and token) or starts one
in this process, and does everything through :mod:`pixframework.client`. See ``docs/napari.md``.

Importing this package does not import Qt or napari; :mod:`pixframework.napari.widget` does.
"""

from __future__ import annotations

__all__ = ["PixelClassifierWidget"]


def __getattr__(name: str) -> object:
    if name == "PixelClassifierWidget":
        from .widget import PixelClassifierWidget

        return PixelClassifierWidget
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
