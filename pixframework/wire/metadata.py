"""Names of the gRPC metadata keys pixframework uses (lower case, as gRPC requires)."""

from __future__ import annotations

#: request metadata carrying ``Bearer <token>``
AUTHORIZATION_KEY = "authorization"
#: trailing metadata key carrying the domain exception's class name
ERROR_TYPE_KEY = "pixf-error"
#: trailing metadata key carrying the plugin name of a PluginError
PLUGIN_KEY = "pixf-plugin"
#: trailing metadata key carrying what the reader can do (a :class:`~pixframework.errors.Remedy` value)
REMEDY_KEY = "pixf-remedy"
#: trailing metadata key (binary: UTF-8) carrying the error's fact alone, without the remedy's wording,
#: for clients that word the remedy themselves
MESSAGE_KEY = "pixf-message-bin"


def bearer(token: str) -> str:
    """The value of :data:`AUTHORIZATION_KEY` for ``token``."""
    return f"Bearer {token}"


def token_metadata(token: str | None) -> tuple[tuple[str, str], ...]:
    """Request metadata that authenticates with ``token`` (none without a token)."""
    return ((AUTHORIZATION_KEY, bearer(token)),) if token else ()
