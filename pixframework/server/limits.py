"""Server limits: what one call or one client may ask of the server (reported by GetServerInfo)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ValidationError

MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Bounds that keep one client from exhausting the server.

    :param max_message_bytes: largest single gRPC message accepted or sent (bytes).
    :param chunk_bytes: bytes per chunk of array streams (the issue's 1-4 MiB range).
    :param max_upload_bytes: largest uploaded array (image or labels), bytes.
    :param max_sessions: most sessions open at once.
    :param idle_timeout: seconds without calls after which a session is closed (0: never).
    :param max_ndim: most dimensions an uploaded array may have.
    """

    max_message_bytes: int = 16 * MiB
    chunk_bytes: int = 2 * MiB
    max_upload_bytes: int = 4096 * MiB
    max_sessions: int = 256
    idle_timeout: float = 1800.0
    max_ndim: int = 5

    def __post_init__(self) -> None:
        if not 0 < self.chunk_bytes <= self.max_message_bytes - 64 * 1024:
            raise ValidationError(
                f"chunk_bytes ({self.chunk_bytes}) must be positive and leave 64 KiB of room below "
                f"max_message_bytes ({self.max_message_bytes})"
            )
        if self.max_upload_bytes <= 0 or self.max_sessions <= 0 or self.max_ndim <= 0:
            raise ValidationError("max_upload_bytes, max_sessions and max_ndim must be positive")
        if self.idle_timeout < 0:
            raise ValidationError(f"idle_timeout must be >= 0 seconds, got {self.idle_timeout}")
