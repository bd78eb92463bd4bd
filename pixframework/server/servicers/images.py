"""ImageService: add images (server-side path or upload), list, describe, remove, read pixels."""

from __future__ import annotations

from typing import Any, Iterator

import grpc

from ..._proto.v1 import images_pb2, images_pb2_grpc
from ...wire.arrays import region_from_proto
from ...wire.enums import COPY_MODES
from ...wire.messages import image_info_to_proto
from .base import ServerState, first_message, receive_upload, stream_array


class ImageServicer(images_pb2_grpc.ImageServiceServicer):
    def __init__(self, state: ServerState):
        self.state = state

    def AddImage(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            name = session.project.add_image(
                request.path,  # the project is confined to the data root: it resolves the path
                axes=request.axes or None,
                name=request.name or None,
                copy=COPY_MODES.from_wire(request.copy),
                format=request.format or None,
            )
        return images_pb2.AddImageResponse(name=name)

    def UploadImage(self, request_iterator: Iterator[Any], context: grpc.ServicerContext) -> Any:
        first = first_message(request_iterator, "image upload")
        with self.state.session(first.session_id, context) as session:
            array = receive_upload(first, request_iterator, self.state, "uploaded image")
            name = session.project.add_image(
                array, axes=first.axes or None, name=first.name or None, copy=COPY_MODES.from_wire(first.copy)
            )
        return images_pb2.UploadImageResponse(name=name)

    def RemoveImage(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            session.project.remove_image(request.image)
        return images_pb2.RemoveImageResponse()

    def ListImages(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            return images_pb2.ListImagesResponse(images=session.project.images)

    def GetImageInfo(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            return images_pb2.GetImageInfoResponse(info=image_info_to_proto(session.project.image_info(request.image)))

    def ReadImage(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        with self.state.session(request.session_id, context) as session:
            axes = session.project.image_info(request.image)["axes"]
            pixels = session.project.read_image(request.image, region_from_proto(request.region))
            yield from stream_array(pixels, self.state, axes, images_pb2.ReadImageResponse)
