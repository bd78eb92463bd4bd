"""ServerInfoService: version, plugins, limits."""

from __future__ import annotations

from typing import Any

import grpc

from ... import __version__
from ..._proto.v1 import plugins_pb2, server_pb2, server_pb2_grpc
from ...registry import get_registry
from ...limits import Limits
from .base import ServerState

API_VERSION = "v1"


class ServerInfoServicer(server_pb2_grpc.ServerInfoServiceServicer):
    def __init__(self, state: ServerState):
        self.state = state

    def GetServerInfo(self, request: Any, context: grpc.ServicerContext) -> Any:
        registry = get_registry()
        limits = self.state.limits
        caller = self.state.caller(context)
        info = server_pb2.ServerInfo(
            version=__version__,
            api_version=API_VERSION,
            plugins=[plugins_pb2.PluginEntry(**e.to_json()) for e in registry.entries],
            problems=[plugins_pb2.PluginProblem(plugin=p.plugin, error=p.error) for p in registry.problems],
            limits=limits_message(limits),
            auth_required=self.state.auth_required,
            tls=self.state.tls,
            principal=caller.name,
            role=caller.role,
        )
        return server_pb2.GetServerInfoResponse(info=info)


#: wire fields whose names differ from the Limits attributes
_RENAMED = {"idle_timeout": "idle_timeout_seconds", "stream_idle_timeout": "stream_idle_timeout_seconds"}


def limits_message(limits: Limits) -> server_pb2.Limits:
    """Every limit, under its wire name (a test checks that none is left out)."""
    return server_pb2.Limits(**{_RENAMED.get(name, name): value for name, value in limits.to_json().items()})
