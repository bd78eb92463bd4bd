"""FeatureService: filters from the registry, the project's feature selection."""

from __future__ import annotations

import json
from typing import Any

import grpc

from ..._proto.v1 import features_pb2, features_pb2_grpc
from ...errors import ValidationError
from ...registry import get_registry
from ...specs import FilterSpec
from ..convert import parameter_info


def filter_info(spec: FilterSpec) -> features_pb2.FilterInfo:
    """Wire description of a filter plugin."""
    outputs = {ndim: spec.n_outputs(ndim) if ndim in spec.dims else 0 for ndim in (2, 3)}
    names = {
        ndim: list(spec.output_names(ndim)) if spec.output_names is not None and ndim in spec.dims else []
        for ndim in (2, 3)
    }
    return features_pb2.FilterInfo(
        name=spec.name,
        title=spec.title,
        description=spec.description,
        plugin=spec.plugin,
        dims=list(spec.dims),
        min_scale=spec.min_scale,
        n_outputs_2d=outputs[2],
        n_outputs_3d=outputs[3],
        output_names_2d=names[2],
        output_names_3d=names[3],
        parameters=[parameter_info(p) for p in spec.parameters],
    )


def selection_message(selection: Any) -> features_pb2.FeatureSelection:
    return features_pb2.FeatureSelection(json=json.dumps(selection.to_json()))


def parse_selection(message: features_pb2.FeatureSelection) -> Any:
    """The JSON document of a selection (the project validates its content)."""
    try:
        return json.loads(message.json)
    except ValueError as exc:
        raise ValidationError(f"feature selection is not valid JSON: {exc}") from None


class FeatureServicer(features_pb2_grpc.FeatureServiceServicer):
    def __init__(self, state: Any):
        self.state = state

    def ListFilters(self, request: Any, context: grpc.ServicerContext) -> Any:
        from ...features.selection import DEFAULT_SCALES

        registry = get_registry()
        return features_pb2.ListFiltersResponse(
            filters=[filter_info(spec) for spec in registry.filters.values()],
            default_scales=list(DEFAULT_SCALES),
        )

    def GetFeatures(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            return selection_message(session.project.features)

    def SetFeatures(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            session.project.select_features(parse_selection(request.selection))
            return selection_message(session.project.features)
