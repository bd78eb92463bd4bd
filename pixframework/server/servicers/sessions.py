"""SessionService: create/open/save/close projects, list sessions, project summary."""

from __future__ import annotations

import time
from typing import Any

import grpc

from ..._proto.v1 import sessions_pb2, sessions_pb2_grpc
from ...wire.messages import json_text
from ..sessions import Session
from .base import ServerState


def session_info(state: ServerState, session: Session) -> sessions_pb2.SessionInfo:
    """Wire description of a session."""
    return sessions_pb2.SessionInfo(
        session_id=session.id,
        path=session.path,
        created=session.created,
        idle_seconds=max(0.0, time.monotonic() - session.last_used),
        sessions_on_project=state.sessions.holders(session),
        peer=session.peer,
        owner=session.owner.name,
        client=session.client,
    )


class SessionServicer(sessions_pb2_grpc.SessionServiceServicer):
    def __init__(self, state: ServerState):
        self.state = state

    def CreateProject(self, request: Any, context: grpc.ServicerContext) -> Any:
        session = self.state.sessions.open(
            request.path, create=True, overwrite=request.overwrite, peer=context.peer(), owner=self.state.caller(context)
        )
        return sessions_pb2.CreateProjectResponse(session=session_info(self.state, session))

    def OpenProject(self, request: Any, context: grpc.ServicerContext) -> Any:
        session = self.state.sessions.open(request.path, peer=context.peer(), owner=self.state.caller(context))
        return sessions_pb2.OpenProjectResponse(session=session_info(self.state, session))

    def SaveProject(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            session.project.save()
        return sessions_pb2.SaveProjectResponse()

    def CloseSession(self, request: Any, context: grpc.ServicerContext) -> Any:
        closed = self.state.sessions.close(request.session_id, save=request.save, caller=self.state.caller(context))
        return sessions_pb2.CloseSessionResponse(project_closed=closed)

    def ListSessions(self, request: Any, context: grpc.ServicerContext) -> Any:
        visible = self.state.sessions.list(self.state.caller(context))
        return sessions_pb2.ListSessionsResponse(sessions=[session_info(self.state, s) for s in visible])

    def GetSummary(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            summary = session.project.summary()
        return sessions_pb2.GetSummaryResponse(json=json_text(summary))
