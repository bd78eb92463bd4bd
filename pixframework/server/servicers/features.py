"""FeatureService: filters from the registry, the project's feature selection."""

from __future__ import annotations

from typing import Any

import grpc

from ..._proto.v1 import features_pb2, features_pb2_grpc
from ...features.selection import DEFAULT_SCALES
from ...registry import get_registry
from ...wire.messages import filter_info, selection_from_proto, selection_to_proto


class FeatureServicer(features_pb2_grpc.FeatureServiceServicer):
    def __init__(self, state: Any):
        self.state = state

    def ListFilters(self, request: Any, context: grpc.ServicerContext) -> Any:
        registry = get_registry()
        return features_pb2.ListFiltersResponse(
            filters=[filter_info(spec) for spec in registry.filters.values()],
            default_scales=list(DEFAULT_SCALES),
        )

    def GetFeatures(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            return features_pb2.GetFeaturesResponse(selection=selection_to_proto(session.project.features))

    def SetFeatures(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            session.project.select_features(selection_from_proto(request.selection))
            return features_pb2.SetFeaturesResponse(selection=selection_to_proto(session.project.features))
