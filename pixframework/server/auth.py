"""Who is calling: bearer tokens with names and roles, checked by one interceptor.

A token file holds either one token (every holder is one user, ``default``, an administrator:
the file format of earlier versions) or one token per line with a name and a role::

    # name   role   token
    alice    user   6f1d...      (openssl rand -hex 32)
    bob      user   0c9a...
    lab      admin  93be...

The name a token resolves to is the caller's *principal*: sessions belong to the principal that
opened them. ``user`` tokens see and use only their own sessions; ``admin`` tokens list every
session and may close any (e.g. a stale one holding a project). A server without tokens (loopback
only) treats every caller as the one administrator ``local``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import grpc

from ..errors import Remedy, Unauthenticated, ValidationError
from ..wire.metadata import AUTHORIZATION_KEY, bearer
from .status import rebuild_handler

#: methods a load balancer or orchestrator may call without a token
OPEN_METHODS = frozenset({"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"})
ROLES = ("admin", "user")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


@dataclass(frozen=True)
class Principal:
    """The caller a token stands for."""

    name: str
    role: str = "user"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


#: everyone on a server without tokens
LOCAL = Principal("local", "admin")


def _digest(token: str | bytes) -> bytes:
    # tokens are looked up by hash: the comparison time then tells nothing about the token
    return hashlib.sha256(token.encode() if isinstance(token, str) else token).digest()


class Tokens:
    """Tokens and the principals they stand for."""

    def __init__(self, entries: Iterable[tuple[str, Principal]]):
        self._by_digest: dict[bytes, Principal] = {}
        names: set[str] = set()
        for token, principal in entries:
            if not token or any(ch.isspace() for ch in token):
                raise ValidationError(f"the token of {principal.name!r} is empty or contains whitespace")
            if principal.role not in ROLES:
                raise ValidationError(f"token {principal.name!r} has role {principal.role!r}; roles: {', '.join(ROLES)}")
            if not _NAME.match(principal.name):
                raise ValidationError(f"token name {principal.name!r}: use letters, digits and _ . @ - (at most 64)")
            if principal.name in names:
                raise ValidationError(f"two tokens are called {principal.name!r}; give each user its own name")
            digest = _digest(token)
            if digest in self._by_digest:
                raise ValidationError(f"tokens {self._by_digest[digest].name!r} and {principal.name!r} are the same")
            names.add(principal.name)
            self._by_digest[digest] = principal
        if not self._by_digest:
            raise ValidationError("no tokens given")

    @classmethod
    def single(cls, token: str) -> "Tokens":
        """One token for everybody (the administrator ``default``)."""
        return cls([(token, Principal("default", "admin"))])

    @property
    def principals(self) -> list[Principal]:
        return list(self._by_digest.values())

    def identify(self, metadata: Any) -> Principal | None:
        """The principal of ``authorization: Bearer <token>`` metadata, or ``None``."""
        prefix = bearer("").encode()
        for key, value in metadata or ():
            if key == AUTHORIZATION_KEY:
                given = value.encode() if isinstance(value, str) else bytes(value)
                return self._by_digest.get(_digest(given[len(prefix) :])) if given.startswith(prefix) else None
        return None


def read_token_file(path: str | Path) -> Tokens:
    """The tokens in ``path``: one word (a single token), or ``NAME ROLE TOKEN`` lines (``#`` comments).

    :raises ValidationError: missing, unreadable, empty or malformed file, naming the line.
    """
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise ValidationError(f"cannot read token file {path}: {exc.strerror or exc}") from None
    lines = [(n, line.split()) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise ValidationError(f"token file {path} is empty")
    if len(lines) == 1 and len(lines[0][1]) == 1:
        return Tokens.single(lines[0][1][0])
    entries = []
    for number, words in lines:
        if len(words) != 3:
            raise ValidationError(
                f"token file {path}, line {number}: expected 'NAME ROLE TOKEN' (role admin or user), "
                f"or a file holding just one token; the token must be a single word (e.g. from `openssl rand -hex 32`)"
            )
        name, role, token = words
        entries.append((token, Principal(name, role)))
    return Tokens(entries)


class Authenticator:
    """Tells callers apart: by token when tokens are configured, else everyone is :data:`LOCAL`."""

    def __init__(self, tokens: Tokens | None):
        self.tokens = tokens

    @property
    def required(self) -> bool:
        return self.tokens is not None

    def identify(self, metadata: Any) -> Principal | None:
        return LOCAL if self.tokens is None else self.tokens.identify(metadata)

    def principal(self, context: grpc.ServicerContext) -> Principal:
        """The caller of a running call (the interceptor has already refused unknown callers)."""
        principal = self.identify(context.invocation_metadata())
        if principal is None:
            raise Unauthenticated("this call needs a valid token")
        return principal


def as_tokens(token: "str | Tokens | None") -> Tokens | None:
    """``create_server``'s ``token`` argument as :class:`Tokens` (a plain string is one token)."""
    if token is None or isinstance(token, Tokens):
        return token
    if isinstance(token, str):
        if not token:
            raise ValidationError("token must not be empty")
        return Tokens.single(token)
    raise ValidationError(f"token must be a string or Tokens, got {type(token).__name__}")


def _deny(behaviour: Callable, method: str) -> Callable:
    def handler(request: Any, context: grpc.ServicerContext) -> Any:
        raise Unauthenticated(f"{method} needs a valid token", remedy=Remedy.TOKEN)

    return handler


class TokenAuthInterceptor(grpc.ServerInterceptor):
    """Refuses every call without a known token (except :data:`OPEN_METHODS`), before it reads anything.

    Place it after :class:`~pixframework.server.status.ErrorInterceptor` so the refusal is mapped to
    UNAUTHENTICATED like any other domain error.
    """

    def __init__(self, authenticator: Authenticator):
        self._auth = authenticator

    def intercept_service(self, continuation: Callable, details: grpc.HandlerCallDetails) -> Any:
        if details.method in OPEN_METHODS or self._auth.identify(details.invocation_metadata) is not None:
            return continuation(details)
        handler = continuation(details)
        return None if handler is None else rebuild_handler(handler, _deny, details.method)
