"""PredictionService: predict a region (streamed), export on the server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc

from ..._proto.v1 import prediction_pb2, prediction_pb2_grpc
from ...wire.arrays import region_from_proto
from ...wire.enums import OUTPUTS
from .base import ServerState, result_axes, stream_array
from .progress import run_with_progress

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
        # the client leaving (or the server stopping) ends the export at its next block; finished blocks are kept
        for kind, value in run_with_progress(context, lambda progress: self._export(request.export, context, progress), _STOPPED):
            if kind == "progress":
                done, total, message = value
                yield prediction_pb2.ExportWithProgressResponse(blocks_done=done, blocks_total=total, message=str(message))
            else:
                yield prediction_pb2.ExportWithProgressResponse(message="done", path=value)

    def _export(self, request: Any, context: grpc.ServicerContext, progress: Any = None) -> str:
        """Export as the request says; the path written, relative to the data root."""
        output = OUTPUTS.from_wire(request.output)
        with self.state.session(request.session_id, context) as session:
            # the project renders the template once and confines the result to the data root
            written = session.project.export(request.image, request.path, output=output, format=request.format or None,
                                             dtype=request.dtype or None, progress=progress)  # fmt: skip
        return self.state.sessions.confinement.relative(written)
