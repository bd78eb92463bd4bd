"""Built-in plugin: image file formats."""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..specs import FormatSpec


@hookimpl(trylast=True)
def pixf_register_formats() -> list[FormatSpec]:
    return []
