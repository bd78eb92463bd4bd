"""Bearer-token authentication: one interceptor checks ``authorization: Bearer <token>`` metadata."""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any, Callable

import grpc

from ..errors import Remedy, Unauthenticated, ValidationError
from ..wire.metadata import AUTHORIZATION_KEY, bearer
from .status import rebuild_handler

#: methods a load balancer or orchestrator may call without a token
OPEN_METHODS = frozenset({"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"})


def read_token_file(path: str | Path) -> str:
    """The token in ``path`` (surrounding whitespace removed).

    :raises ValidationError: missing, unreadable or empty file.
    """
    try:
        token = Path(path).read_text().strip()
    except OSError as exc:
        raise ValidationError(f"cannot read token file {path}: {exc.strerror or exc}") from None
    if not token:
        raise ValidationError(f"token file {path} is empty")
    if any(ch.isspace() for ch in token):
        raise ValidationError(f"token in {path} contains whitespace; use a single word (e.g. from `openssl rand -hex 32`)")
    return token


def _deny(behaviour: Callable, method: str) -> Callable:
    def handler(request: Any, context: grpc.ServicerContext) -> Any:
        raise Unauthenticated(f"{method} needs a valid token", remedy=Remedy.TOKEN)

    return handler


class TokenAuthInterceptor(grpc.ServerInterceptor):
    """Refuses every call without the right token (except :data:`OPEN_METHODS`).

    Place it after :class:`~pixframework.server.status.ErrorInterceptor` so the refusal is mapped to
    UNAUTHENTICATED like any other domain error.
    """

    def __init__(self, token: str):
        if not token:
            raise ValidationError("token must not be empty")
        self._expected = bearer(token).encode()

    def _allowed(self, metadata: Any) -> bool:
        for key, value in metadata or ():
            if key == AUTHORIZATION_KEY:
                given = value.encode() if isinstance(value, str) else bytes(value)
                return hmac.compare_digest(given, self._expected)  # constant time: no timing oracle
        return False

    def intercept_service(self, continuation: Callable, details: grpc.HandlerCallDetails) -> Any:
        if details.method in OPEN_METHODS or self._allowed(details.invocation_metadata):
            return continuation(details)
        handler = continuation(details)
        return None if handler is None else rebuild_handler(handler, _deny, details.method)
