"""ClassifierService: classifier plugins and the project's choice."""

from __future__ import annotations

from typing import Any

import grpc

from ..._proto.v1 import classifiers_pb2, classifiers_pb2_grpc
from ...registry import get_registry
from ..convert import parameter_info, params_from_proto, value_to_proto


def choice_message(project: Any) -> classifiers_pb2.ClassifierChoice:
    name, params = project.classifier
    return classifiers_pb2.ClassifierChoice(name=name, params={k: value_to_proto(v) for k, v in params.items()})


class ClassifierServicer(classifiers_pb2_grpc.ClassifierServiceServicer):
    def __init__(self, state: Any):
        self.state = state

    def ListClassifiers(self, request: Any, context: grpc.ServicerContext) -> Any:
        return classifiers_pb2.ListClassifiersResponse(
            classifiers=[
                classifiers_pb2.ClassifierInfo(
                    name=spec.name,
                    title=spec.title,
                    description=spec.description,
                    plugin=spec.plugin,
                    parameters=[parameter_info(p) for p in spec.parameters],
                )
                for spec in get_registry().classifiers.values()
            ]
        )

    def GetClassifier(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            return choice_message(session.project)

    def SetClassifier(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            session.project.set_classifier(request.name, **params_from_proto(request.params))
            return choice_message(session.project)
