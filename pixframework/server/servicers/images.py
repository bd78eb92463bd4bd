"""ImageService: add images (server-side path or upload), list, describe, remove, read pixels."""

from __future__ import annotations

from typing import Any, Iterator

import grpc
import numpy as np

from ..._proto.v1 import images_pb2, images_pb2_grpc
from ..convert import dtype_to_wire, region_from_proto
from .base import ServerState, first_message, receive_upload, stream_array

_COPY = {images_pb2.COPY_DEFAULT: None, images_pb2.COPY_INTO_PROJECT: True, images_pb2.COPY_REFERENCE_ONLY: False}


def image_info_message(info: dict[str, Any]) -> images_pb2.ImageInfo:
    """Wire form of ``Project.image_info()``."""
    return images_pb2.ImageInfo(
        name=info["name"],
        shape=[int(s) for s in info["shape"]],
        axes=info["axes"],
        dtype=dtype_to_wire(np.dtype(info["dtype"])),
        source=str(info.get("source") or ""),
        stored=bool(info.get("stored")),
    )


class ImageServicer(images_pb2_grpc.ImageServiceServicer):
    def __init__(self, state: ServerState):
        self.state = state

    def AddImage(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            name = session.project.add_image(
                request.path,  # the project is confined to the data root: it resolves the path
                axes=request.axes or None,
                name=request.name or None,
                copy=_COPY.get(request.copy),
                format=request.format or None,
            )
        return images_pb2.AddImageResponse(name=name)

    def UploadImage(self, request_iterator: Iterator[Any], context: grpc.ServicerContext) -> Any:
        first = first_message(request_iterator, "image upload")
        with self.state.session(first.session_id, context) as session:
            array = receive_upload(first, request_iterator, self.state, "uploaded image")
            name = session.project.add_image(
                array, axes=first.axes or None, name=first.name or None, copy=_COPY.get(first.copy)
            )
        return images_pb2.AddImageResponse(name=name)

    def RemoveImage(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            session.project.remove_image(request.image)
        return images_pb2.RemoveImageResponse()

    def ListImages(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            return images_pb2.ListImagesResponse(images=session.project.images)

    def GetImageInfo(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.state.session(request.session_id, context) as session:
            return image_info_message(session.project.image_info(request.image))

    def ReadImage(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        with self.state.session(request.session_id, context) as session:
            axes = session.project.image_info(request.image)["axes"]
            pixels = session.project.read_image(request.image, region_from_proto(request.region))
            yield from stream_array(pixels, self.state, axes)
