"""ClassifierService: classifier plugins and the project's choice."""

from __future__ import annotations

from typing import Any

import grpc

from ..._proto.v1 import classifiers_pb2, classifiers_pb2_grpc
from ...registry import get_registry
from ...wire.messages import classifier_choice_to_proto, classifier_info
from ...wire.values import params_from_proto


class ClassifierServicer(classifiers_pb2_grpc.ClassifierServiceServicer):
    def __init__(self, state: Any):
        self.state = state

    def ListClassifiers(self, request: Any, context: grpc.ServicerContext) -> Any:
        return classifiers_pb2.ListClassifiersResponse(
            classifiers=[classifier_info(spec) for spec in get_registry().classifiers.values()]
        )

    def GetClassifier(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            return classifiers_pb2.GetClassifierResponse(classifier=classifier_choice_to_proto(session.project.classifier))

    def SetClassifier(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            session.project.set_classifier(request.name, **params_from_proto(request.params))
            return classifiers_pb2.SetClassifierResponse(classifier=classifier_choice_to_proto(session.project.classifier))
