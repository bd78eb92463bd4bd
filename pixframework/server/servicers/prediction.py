"""PredictionService: predict a region (streamed), export on the server."""

from __future__ import annotations

import queue
import threading
from typing import Any, Iterator

import grpc

from ..._proto.v1 import prediction_pb2, prediction_pb2_grpc
from ...errors import Cancelled
from ...wire.arrays import region_from_proto
from ...wire.enums import OUTPUTS
from .base import ServerState, result_axes, stream_array


#: seconds between checks that the client is still there while an export runs
_POLL = 0.25
_STOPPED = "the export was stopped; running it again resumes where it stopped"


class PredictionServicer(prediction_pb2_grpc.PredictionServiceServicer):
    def __init__(self, state: ServerState):
        self.state = state

    def Predict(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        with self.state.session(request.session_id, context) as session:
            project = session.project
            result = project.predict(
                request.image, region=region_from_proto(request.region), output=OUTPUTS.from_wire(request.output)
            )
            axes = result_axes(project.image_info(request.image)["axes"], result.ndim)
            yield from stream_array(result, self.state, axes, prediction_pb2.PredictResponse)

    def Export(self, request: Any, context: grpc.ServicerContext) -> Any:
        return prediction_pb2.ExportResponse(path=self._export(request, context))

    def ExportWithProgress(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        events: queue.Queue = queue.Queue()

        def progress(done: int, total: int, message: str) -> None:
            if not context.is_active():  # the client left, or the server stops: the finished blocks are kept
                raise Cancelled(_STOPPED)
            events.put(("progress", done, total, message))

        def work() -> None:
            try:
                events.put(("done", self._export(request.export, context, progress)))
            except BaseException as exc:  # handed to the streaming thread, which raises it
                events.put(("error", exc))

        threading.Thread(target=work, name="pixf-export", daemon=True).start()
        while True:
            try:
                event = events.get(timeout=_POLL)
            except queue.Empty:
                if not context.is_active():
                    raise Cancelled(_STOPPED) from None  # ends the call now; the export stops at its next block
                continue
            if event[0] == "progress":
                yield prediction_pb2.ExportWithProgressResponse(blocks_done=event[1], blocks_total=event[2], message=str(event[3]))
            elif event[0] == "done":
                yield prediction_pb2.ExportWithProgressResponse(message="done", path=event[1])
                return
            else:
                raise event[1]

    def _export(self, request: Any, context: grpc.ServicerContext, progress: Any = None) -> str:
        """Export as the request says; the path written, relative to the data root."""
        output = OUTPUTS.from_wire(request.output)
        with self.state.session(request.session_id, context) as session:
            # the project renders the template once and confines the result to the data root
            written = session.project.export(request.image, request.path, output=output, format=request.format or None,
                                             dtype=request.dtype or None, progress=progress)  # fmt: skip
        return self.state.sessions.confinement.relative(written)
