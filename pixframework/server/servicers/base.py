"""What every servicer gets: the session manager, who is calling, and the server's limits."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

import grpc
import numpy as np

from ...errors import ValidationError
from ...limits import Limits
from ...wire.arrays import ArrayReceiver, encode_chunks
from ..auth import Authenticator, Principal
from ..sessions import Session, SessionManager


@dataclass
class ServerState:
    """Shared by all servicers of one server."""

    sessions: SessionManager
    limits: Limits
    auth: Authenticator = field(default_factory=lambda: Authenticator(None))
    tls: bool = False

    @property
    def auth_required(self) -> bool:
        return self.auth.required

    def caller(self, context: grpc.ServicerContext) -> Principal:
        """The principal making the running call."""
        return self.auth.principal(context)

    def session(self, session_id: str, context: grpc.ServicerContext) -> AbstractContextManager[Session]:
        """Use the caller's session ``session_id`` for one call (see :meth:`SessionManager.use`)."""
        return self.sessions.use(session_id, self.caller(context))


def receive_upload(first: Any, rest: Iterable[Any], state: ServerState, what: str) -> np.ndarray:
    """Assemble an uploaded array: ``first`` carries the header, every message a slice of bytes.

    The header is checked (dtype, dimensions, size limit) before anything is allocated or read.
    """
    if not first.HasField("header"):
        raise ValidationError(f"the first message of the {what} upload must carry the array header")
    receiver = ArrayReceiver(
        first.header, max_bytes=state.limits.max_upload_bytes, max_ndim=state.limits.max_ndim, what=what
    )
    receiver.add(first.data)
    for message in rest:
        receiver.add(message.data)
    return receiver.finish()


def first_message(requests: Iterator[Any], what: str) -> Any:
    """The first message of a client stream; :class:`ValidationError` when the stream is empty."""
    first = next(requests, None)
    if first is None:
        raise ValidationError(f"the {what} stream sent no message")
    return first


def stream_array(array: np.ndarray, state: ServerState, axes: str, response: Any) -> Iterator[Any]:
    """``response`` messages (each carrying an ``ArrayChunk`` in its ``chunk`` field) for ``array``."""
    return encode_chunks(array, state.limits.chunk_bytes, axes, response)


def result_axes(image_axes: str, ndim: int) -> str:
    """Axes of a per-pixel result of ``ndim`` dims on an image with canonical ``image_axes``."""
    return image_axes if ndim == len(image_axes) else image_axes[:-1]
