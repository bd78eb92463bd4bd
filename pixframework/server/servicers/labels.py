"""LabelService: classes, label arrays, brush strokes, erasing, reading labels."""

from __future__ import annotations

from typing import Any, Iterator

import grpc

from ..._proto.v1 import labels_pb2, labels_pb2_grpc
from ...wire.arrays import decode_ndarray, region_from_proto
from ...wire.messages import class_ref_from_proto, classes_to_proto
from .base import ServerState, first_message, receive_upload, stream_array


class LabelServicer(labels_pb2_grpc.LabelServiceServicer):
    def __init__(self, state: ServerState):
        self.state = state

    def AddClass(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            index = session.project.add_class(request.name, request.color or None)
        return labels_pb2.AddClassResponse(index=index)

    def RenameClass(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            session.project.rename_class(class_ref_from_proto(request.class_ref), request.new_name)
            return labels_pb2.RenameClassResponse(classes=classes_to_proto(session.project.classes))

    def SetClassColor(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            session.project.set_class_color(class_ref_from_proto(request.class_ref), request.color)
            return labels_pb2.SetClassColorResponse(classes=classes_to_proto(session.project.classes))

    def RemoveClass(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            session.project.remove_class(class_ref_from_proto(request.class_ref))
            return labels_pb2.RemoveClassResponse(classes=classes_to_proto(session.project.classes))

    def ListClasses(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            return labels_pb2.ListClassesResponse(classes=classes_to_proto(session.project.classes))

    def SetLabels(self, request_iterator: Iterator[Any], context: grpc.ServicerContext) -> Any:
        first = first_message(request_iterator, "labels upload")
        with self.state.session(first.session_id, context) as session:
            labels = receive_upload(first, request_iterator, self.state, "label array")
            session.project.set_labels(first.image, labels, offset=list(first.offset) or None)
        return labels_pb2.SetLabelsResponse()

    def Paint(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            coords = decode_ndarray(request.coords, max_ndim=2, what="stroke coordinates")
            pixels = session.project.paint(request.image, class_ref_from_proto(request.class_ref), coords, request.radius)
        return labels_pb2.PaintResponse(pixels=int(pixels or 0))

    def Erase(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            coords = decode_ndarray(request.coords, max_ndim=2, what="stroke coordinates")
            pixels = session.project.erase(request.image, coords, request.radius)
        return labels_pb2.EraseResponse(pixels=int(pixels or 0))

    def EraseMask(self, request_iterator: Iterator[Any], context: grpc.ServicerContext) -> Any:
        first = first_message(request_iterator, "eraser mask upload")
        with self.state.session(first.session_id, context) as session:
            mask = receive_upload(first, request_iterator, self.state, "eraser mask")
            pixels = session.project.erase_mask(first.image, mask, offset=list(first.offset) or None)
        return labels_pb2.EraseMaskResponse(pixels=pixels)

    def Undo(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            return labels_pb2.UndoResponse(pixels=session.project.undo())

    def Redo(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            return labels_pb2.RedoResponse(pixels=session.project.redo())

    def ClearLabels(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            session.project.clear_labels(request.image, class_ref_from_proto(request.class_ref, required=False))
        return labels_pb2.ClearLabelsResponse()

    def GetLabels(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        with self.state.session(request.session_id, context) as session:
            axes = session.project.image_info(request.image)["axes"][:-1]
            labels = session.project.get_labels(request.image, region_from_proto(request.region))
            yield from stream_array(labels, self.state, axes, labels_pb2.GetLabelsResponse)
