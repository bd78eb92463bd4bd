"""ServerInfoService: version, plugins, limits."""

from __future__ import annotations

from typing import Any

import grpc

from ... import __version__
from ..._proto.v1 import plugins_pb2, server_pb2, server_pb2_grpc
from ...registry import get_registry
from .base import ServerState

API_VERSION = "v1"


class ServerInfoServicer(server_pb2_grpc.ServerInfoServiceServicer):
    def __init__(self, state: ServerState):
        self.state = state

    def GetServerInfo(self, request: Any, context: grpc.ServicerContext) -> Any:
        registry = get_registry()
        limits = self.state.limits
        info = server_pb2.ServerInfo(
            version=__version__,
            api_version=API_VERSION,
            plugins=[plugins_pb2.PluginEntry(**e.to_json()) for e in registry.entries],
            problems=[plugins_pb2.PluginProblem(plugin=p.plugin, error=p.error) for p in registry.problems],
            limits=server_pb2.Limits(
                max_message_bytes=limits.max_message_bytes,
                chunk_bytes=limits.chunk_bytes,
                max_upload_bytes=limits.max_upload_bytes,
                max_sessions=limits.max_sessions,
                idle_timeout_seconds=limits.idle_timeout,
                max_ndim=limits.max_ndim,
            ),
            auth_required=self.state.auth_required,
            tls=self.state.tls,
        )
        return server_pb2.GetServerInfoResponse(info=info)
