"""TrainingService: train with streamed progress, cancel, training state."""

from __future__ import annotations

import queue
import threading
from typing import Any, Iterator

import grpc

from ..._proto.v1 import training_pb2, training_pb2_grpc
from ...errors import Cancelled
from ...wire.messages import json_text
from .base import ServerState

#: seconds between checks that the client is still there while waiting for progress
_POLL = 0.25


class TrainingServicer(training_pb2_grpc.TrainingServiceServicer):
    def __init__(self, state: ServerState):
        self.state = state

    def Train(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        with self.state.sessions.use(request.session_id) as session:
            shared = session.shared
            cancel = threading.Event()
            events: queue.Queue = queue.Queue()

            def progress(fraction: float, message: str) -> None:
                # the project calls this between steps: the one safe place to stop training
                if cancel.is_set():
                    raise Cancelled("training was cancelled")
                events.put(("progress", fraction, message))

            def work() -> None:
                try:
                    events.put(("done", session.project.train(progress=progress)))
                except BaseException as exc:  # handed to the streaming thread, which raises it
                    events.put(("error", exc))

            shared.trainings.add(cancel)
            context.add_callback(cancel.set)  # runs when the call ends, e.g. the client went away
            worker = threading.Thread(target=work, name=f"pixf-train-{session.id[:6]}", daemon=True)
            worker.start()
            try:
                while True:
                    try:
                        event = events.get(timeout=_POLL)
                    except queue.Empty:
                        if not context.is_active():
                            cancel.set()
                        continue
                    if event[0] == "progress":
                        yield training_pb2.TrainProgress(fraction=float(event[1]), message=str(event[2]))
                    elif event[0] == "done":
                        yield training_pb2.TrainProgress(
                            fraction=1.0, message="done", done=True, summary_json=json_text(event[1])
                        )
                        return
                    else:
                        raise event[1]
            finally:
                cancel.set()  # stops the worker at its next step if the stream ended early
                shared.trainings.discard(cancel)

    def CancelTraining(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.sessions.use(request.session_id) as session:
            return training_pb2.CancelTrainingResponse(was_running=session.shared.cancel_trainings())

    def GetTrainingState(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.sessions.use(request.session_id) as session:
            return training_pb2.TrainingState(is_trained=session.project.is_trained)
