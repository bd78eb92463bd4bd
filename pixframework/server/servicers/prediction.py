"""PredictionService: predict a region (streamed), export on the server."""

from __future__ import annotations

import os
from typing import Any, Iterator

import grpc

from ..._proto.v1 import prediction_pb2, prediction_pb2_grpc
from ...outputs import render_template
from ...wire.arrays import region_from_proto
from ...wire.enums import OUTPUTS
from ..paths import relative_to_root, resolve_in_root
from .base import ServerState, result_axes, stream_array
from .progress import run_with_progress


class PredictionServicer(prediction_pb2_grpc.PredictionServiceServicer):
    def __init__(self, state: ServerState):
        self.state = state

    def Predict(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        with self.state.sessions.use(request.session_id) as session:
            project = session.project
            result = project.predict(
                request.image, region=region_from_proto(request.region), output=OUTPUTS.from_wire(request.output)
            )
            axes = result_axes(project.image_info(request.image)["axes"], result.ndim)
            yield from stream_array(result, self.state, axes)

    def Export(self, request: Any, context: grpc.ServicerContext) -> Any:
        return prediction_pb2.ExportResponse(path=self._export(request))

    def ExportWithProgress(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        # the client going away stops the export at its next block (an export resumes where it stopped)
        for kind, value in run_with_progress(context, lambda progress: self._export(request, progress), "export"):
            if kind == "progress":
                done, total, message = value
                yield prediction_pb2.ExportProgress(blocks_done=done, blocks_total=total, message=str(message))
            else:
                yield prediction_pb2.ExportProgress(message="done", path=value)

    def _export(self, request: Any, progress: Any = None) -> str:
        """Export as the request says; the path written, relative to the data root."""
        root = self.state.sessions.data_root
        output = OUTPUTS.from_wire(request.output)
        with self.state.sessions.use(request.session_id) as session:
            project = session.project
            info = project.image_info(request.image)
            # placeholders are filled before the check, so no image name or template escapes the root
            source = info.get("source") or ""
            dataset_dir = os.path.dirname(source) if not info.get("stored") else str(project.path.parent)
            target = render_template(request.path, dataset_dir=dataset_dir, nickname=info["name"], output=output)
            path = resolve_in_root(root, target, what="export path")
            written = project.export(request.image, str(path), output=output, format=request.format or None,
                                     dtype=request.dtype or None, progress=progress)
        return relative_to_root(root, written)
