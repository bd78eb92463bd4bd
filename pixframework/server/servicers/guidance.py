"""GuidanceService: label and feature suggestions with streamed progress."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc

from ..._proto.v1 import guidance_pb2, guidance_pb2_grpc
from ...wire.arrays import region_from_proto
from ...wire.guidance import feature_suggestion_to_proto, label_suggestions_to_proto, progress_to_proto
from .base import ServerState
from .progress import run_with_progress


class GuidanceServicer(guidance_pb2_grpc.GuidanceServiceServicer):
    def __init__(self, state: ServerState):
        self.state = state

    def SuggestLabels(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        with self.state.session(request.session_id, context) as session:
            project = session.project
            region = region_from_proto(request.region)

            def work(progress: Any) -> Any:
                return project.suggest_labels(request.image or None, request.count, region, seed=request.seed, progress=progress)

            for kind, value in run_with_progress(context, work, "the label suggestions were cancelled"):
                if kind == "progress":
                    yield guidance_pb2.SuggestLabelsResponse(progress=progress_to_proto(*value))
                else:
                    yield guidance_pb2.SuggestLabelsResponse(result=label_suggestions_to_proto(value))

    def SuggestFeatures(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        with self.state.session(request.session_id, context) as session:
            project = session.project
            limit = request.max_channels if request.HasField("max_channels") else None

            def work(progress: Any) -> Any:
                return project.suggest_features(limit, seed=request.seed, progress=progress)

            for kind, value in run_with_progress(context, work, "the feature suggestions were cancelled"):
                if kind == "progress":
                    yield guidance_pb2.SuggestFeaturesResponse(progress=progress_to_proto(*value))
                else:
                    yield guidance_pb2.SuggestFeaturesResponse(result=feature_suggestion_to_proto(value))
