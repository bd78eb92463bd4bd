"""Limits: the one table of how much one call, one client or one image may ask of pixframework.

A :class:`Limits` travels with every :class:`~pixframework.project.Project` (the defaults suit a
laptop and a lab workstation alike) and with the server, which reports it to clients through
``GetServerInfo``. Every limit is checked *before* the work it bounds starts, so a request that
is too big is refused with :class:`~pixframework.errors.LimitExceeded` (gRPC RESOURCE_EXHAUSTED)
instead of exhausting memory or threads half-way.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields
from typing import Any, Mapping, Sequence

from .errors import LimitExceeded, ValidationError

MiB = 1 << 20
GiB = 1 << 30


def _default_threads() -> int:
    # more threads than cores never speed anything up; a few spare ones keep small machines usable
    return max(8, 2 * (os.cpu_count() or 1))


@dataclass(frozen=True)
class Limits:
    """Bounds that keep one request from exhausting the machine (all sizes in bytes, pixels or seconds).

    Transport (server only):

    :param max_message_bytes: largest single gRPC message accepted or sent.
    :param chunk_bytes: bytes per chunk of array streams.
    :param max_upload_bytes: largest uploaded array (image or labels), as declared by its header.
    :param max_sessions: most sessions open at once.
    :param idle_timeout: seconds without calls after which a session is closed (0: never).
    :param stream_idle_timeout: seconds a stream may wait for its client (no message sent, or
        none read) before the server cancels it (0: never).
    :param max_ndim: most dimensions an uploaded array may have.

    Work (embedded and server alike):

    :param max_brush_radius: largest brush radius, pixels.
    :param max_stroke_points: most points in one stroke.
    :param max_stroke_length: longest stroke (sum of its segments), pixels.
    :param max_stroke_pixels: largest bounding box (inside the image) one stroke may cover, pixels.
    :param max_classes: most label classes in a project.
    :param max_threads: largest thread count a classifier parameter may ask for.
    :param max_image_pixels: largest image (all pixels of all channels) a project accepts.
    :param max_chunk_bytes: largest piece of an image file decoded at once (a TIFF strip or tile,
        a zarr/HDF5 chunk, a whole PNG); a small compressed file can decode to gigabytes.
    :param max_work_bytes: most memory one call may need for its result and working arrays
        (e.g. the features of the region a prediction covers).
    """

    max_message_bytes: int = 16 * MiB
    chunk_bytes: int = 2 * MiB
    max_upload_bytes: int = 4096 * MiB
    max_sessions: int = 256
    idle_timeout: float = 1800.0
    stream_idle_timeout: float = 60.0
    max_ndim: int = 5
    max_brush_radius: float = 256.0
    max_stroke_points: int = 100_000
    max_stroke_length: float = 65536.0
    max_stroke_pixels: int = 1 << 24
    max_classes: int = 255
    max_threads: int = field(default_factory=_default_threads)
    max_image_pixels: int = 1 << 40
    max_chunk_bytes: int = 256 * MiB
    max_work_bytes: int = 4 * GiB

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValidationError(f"limit {f.name} must be a finite number, got {value!r}")
            zero_allowed = f.name in ("idle_timeout", "stream_idle_timeout")
            if value < 0 or (value == 0 and not zero_allowed):
                raise ValidationError(f"limit {f.name} must be {'>= 0' if zero_allowed else 'positive'}, got {value!r}")
        if not self.chunk_bytes <= self.max_message_bytes - 64 * 1024:
            raise ValidationError(
                f"chunk_bytes ({self.chunk_bytes}) must leave 64 KiB of room below "
                f"max_message_bytes ({self.max_message_bytes})"
            )

    def to_json(self) -> dict[str, Any]:
        """Every limit by name (what ``GetServerInfo`` and ``pixf serve --help`` report)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    # ------------------------------------------------------------------ checks shared by the core
    def check(self, name: str, value: float, what: str, hint: str = "") -> None:
        """Raise :class:`LimitExceeded` when ``value`` is above the limit ``name``.

        :param what: the quantity in words, e.g. ``"brush radius 1e9"``.
        :param hint: what the user can do instead.
        """
        limit = getattr(self, name)
        if value > limit:
            raise LimitExceeded(f"{what} is over the limit {name} = {limit:g}" + (f"; {hint}" if hint else ""))

    def check_image(self, shape: Sequence[int], itemsize: int, chunks: Sequence[int] | None, what: str) -> None:
        """Refuse an image too large to work with, or stored in pieces too large to decode at once.

        :param shape: every axis, channels included.
        :param chunks: the storage piece decoded as a whole on any read (``None``: none).
        """
        self.check("max_image_pixels", math.prod(int(s) for s in shape), f"{what} with shape {tuple(shape)}",
                   "split it into smaller images")  # fmt: skip
        if chunks is not None:
            piece = math.prod(int(c) for c in chunks) * int(itemsize)
            self.check("max_chunk_bytes", piece, f"{what} decodes in pieces of {piece} bytes (chunks {tuple(chunks)})",
                       "store it tiled or chunked (e.g. as zarr or a tiled TIFF)")  # fmt: skip

    def check_work(self, nbytes: int, what: str, hint: str = "") -> None:
        """Refuse a call whose result and working arrays would take more than ``max_work_bytes``."""
        self.check("max_work_bytes", nbytes, f"{what} needs {nbytes / MiB:.0f} MiB of memory", hint)

    def check_threads(self, owner: str, parameters: Sequence[Any], values: Mapping[str, Any]) -> None:
        """Refuse thread-count parameters (``Parameter.role == "threads"``) above ``max_threads``."""
        for parameter in parameters:
            value = values.get(parameter.name)
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if getattr(parameter, "role", "") == "threads" and number and value > self.max_threads:
                raise LimitExceeded(
                    f"{owner}: {parameter.name}={value} is over the limit max_threads = {self.max_threads}; "
                    f"use at most {self.max_threads} (0 uses every core)"
                )


#: the limits used when nobody configured any
DEFAULT_LIMITS = Limits()
