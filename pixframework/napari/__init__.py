"""napari plugin (npe2): a dock widget that is a thin client of a pixframework server.

Install with ``pip install "pixframework[gui]"``; in napari choose *Plugins > Pixel classification
(pixframework)*. The widget connects to a ``pixf serve`` server (address and token) or starts one
in this process, and does everything through :mod:`pixframework.client`. See ``docs/napari.md``.

Layout: the Qt-free model (:mod:`.model` with :mod:`.server_link`, :mod:`.connection`,
:mod:`.shown_image`, :mod:`.painting`, :mod:`.label_sync`, :mod:`.live`, :mod:`.messages`) and the
thin Qt views in :mod:`._qt` (the dock widget composing one section per part of the workflow).
Importing this package imports neither Qt nor napari; :mod:`pixframework.napari._qt.widget` does.
"""

from __future__ import annotations

__all__ = ["PixelClassifierWidget"]


def __getattr__(name: str) -> object:
    if name == "PixelClassifierWidget":
        from ._qt.widget import PixelClassifierWidget

        return PixelClassifierWidget
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
