"""EventService: stream a session's project events (Project.watch) to a client."""

from __future__ import annotations

from typing import Any, Iterator

import grpc

from ..._proto.v1 import events_pb2, events_pb2_grpc
from ...wire.events import event_to_proto
from .base import ServerState

#: seconds between heartbeats when the client asks for none, and the longest it may ask for
HEARTBEAT_DEFAULT = 15.0
HEARTBEAT_MAX = 60.0
#: seconds between checks that the client is still there
_POLL = 0.5


class EventServicer(events_pb2_grpc.EventServiceServicer):
    def __init__(self, state: ServerState):
        self.state = state

    def Watch(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        after = request.after_revision if request.HasField("after_revision") else None
        heartbeat = min(request.heartbeat_seconds or HEARTBEAT_DEFAULT, HEARTBEAT_MAX)
        heartbeat = max(heartbeat, 1.0)
        session, watcher = self.state.sessions.watch(request.session_id, after, request.log or None, self.state.caller(context))
        context.add_callback(watcher.close)  # the client went away or cancelled: stop waiting at once
        try:
            # the watch is registered: the client returns from watch() now
            yield events_pb2.WatchResponse(revision=watcher.revision)
            quiet = 0.0
            while context.is_active():
                event = watcher.next(timeout=_POLL)  # waits on the event log, never on the project's lock
                if event is not None:
                    quiet = 0.0
                    yield events_pb2.WatchResponse(event=event_to_proto(event))
                elif watcher.closed:
                    return  # session closed or server stopping: the stream ends with OK
                else:
                    quiet += _POLL
                    if quiet >= heartbeat:
                        quiet = 0.0
                        yield events_pb2.WatchResponse(revision=watcher.revision)
        finally:
            self.state.sessions.unwatch(session, watcher)
