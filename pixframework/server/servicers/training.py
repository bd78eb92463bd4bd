"""TrainingService: train with streamed progress, cancel, training state."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import grpc

from ..._proto.v1 import training_pb2, training_pb2_grpc
from ...wire.messages import json_text
from .base import ServerState
from .progress import run_with_progress


class TrainingServicer(training_pb2_grpc.TrainingServiceServicer):
    def __init__(self, state: ServerState):
        self.state = state

    def Train(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        with self.state.session(request.session_id, context) as session:
            shared = session.shared
            cancel = threading.Event()
            shared.trainings.add(cancel)
            try:
                train = session.project.train
                events = run_with_progress(context, lambda progress: train(progress=progress), "training was cancelled", cancel)
                for kind, value in events:
                    if kind == "progress":
                        yield training_pb2.TrainResponse(fraction=float(value[0]), message=str(value[1]))
                    else:
                        summary = json_text(value)
                        yield training_pb2.TrainResponse(fraction=1.0, message="done", done=True, summary_json=summary)
            finally:
                shared.trainings.discard(cancel)

    def CancelTraining(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            return training_pb2.CancelTrainingResponse(was_running=session.shared.cancel_trainings())

    def GetTrainingState(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            return training_pb2.GetTrainingStateResponse(is_trained=session.project.is_trained)
