"""Bad input over the wire: each case gets the right status and a clear message, the server stays
up, and other sessions are unaffected."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import grpc
import numpy as np
import pytest
from test_server_support import data_root, gradient_image, running_server  # noqa: F401  (fixture)

from pixframework._proto.v1 import (
    arrays_pb2,
    classifiers_pb2,
    features_pb2,
    images_pb2,
    labels_pb2,
    prediction_pb2,
    sessions_pb2,
    training_pb2,
)
from pixframework.client import Client, RemoteProject, Stubs, connect
from pixframework.errors import LimitExceeded, NotFound, NotTrained, ValidationError
from pixframework.limits import MiB, Limits

LIMITS = Limits(max_message_bytes=2 * MiB, chunk_bytes=1 * MiB, max_upload_bytes=1 * MiB, idle_timeout=0)
C = grpc.StatusCode


def status(call: Callable[[], Any]) -> tuple[grpc.StatusCode, str]:
    """Status code and message of a call that must fail (streams are drained)."""
    with pytest.raises(grpc.RpcError) as excinfo:
        result = call()
        if isinstance(result, Iterator):
            list(result)
    return excinfo.value.code(), excinfo.value.details()


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stubs, Client, RemoteProject, RemoteProject]]:
    root = tmp_path_factory.mktemp("data")
    with running_server(root, limits=LIMITS) as (_, address), connect(address) as client:
        victim = client.create_project("victim.pixf")
        other = client.create_project("other.pixf")
        for project in (victim, other):
            project.add_image(gradient_image(), name="img")
            project.add_class("a")
            project.add_class("b")
            project.paint("img", "a", [[10, 10]], radius=3)
        yield client.stubs, client, victim, other


@pytest.fixture
def wire(setup: Any) -> Iterator[Stubs]:
    """After each test: the server still answers and the other session's project is untouched."""
    wire, client, victim, other = setup
    before = other.get_labels("img").copy()
    yield wire
    assert client.server_info()["version"]
    assert other.images == ["img"]
    np.testing.assert_array_equal(other.get_labels("img"), before)
    assert victim.images == ["img"]


def _upload(session_id: str, header: arrays_pb2.ArrayHeader, *pieces: bytes) -> Iterator[images_pb2.UploadImageRequest]:
    yield images_pb2.UploadImageRequest(session_id=session_id, header=header, data=pieces[0] if pieces else b"")
    for piece in pieces[1:]:
        yield images_pb2.UploadImageRequest(data=piece)


def test_byte_count_not_matching_shape_and_dtype(wire: Stubs, setup: Any) -> None:
    sid = setup[2].session_id
    header = arrays_pb2.ArrayHeader(dtype="uint16", shape=[16, 16])
    code, message = status(lambda: wire.images.UploadImage(_upload(sid, header, b"\0" * 300, b"\0" * 11)))
    assert code == C.INVALID_ARGUMENT and "311 bytes" in message and "needs 512" in message
    code, message = status(lambda: wire.images.UploadImage(_upload(sid, header, b"\0" * 500, b"\0" * 13)))
    assert code == C.INVALID_ARGUMENT and "more than 512 bytes" in message
    labels = iter([labels_pb2.SetLabelsRequest(session_id=sid, image="img", header=header, data=b"\1" * 7)])
    code, message = status(lambda: wire.labels.SetLabels(labels))
    assert code == C.INVALID_ARGUMENT and "needs 512" in message
    coords = arrays_pb2.NdArray(header=arrays_pb2.ArrayHeader(dtype="float64", shape=[2, 2]), data=b"\0" * 8)
    paint = labels_pb2.PaintRequest(session_id=sid, image="img", class_ref=labels_pb2.ClassRef(index=1), coords=coords, radius=2)
    code, message = status(lambda: wire.labels.Paint(paint))
    assert code == C.INVALID_ARGUMENT and "stroke coordinates" in message


@pytest.mark.parametrize(
    "header, code, words",
    [
        (arrays_pb2.ArrayHeader(dtype="float32", shape=[2**40, 2**40]), C.RESOURCE_EXHAUSTED, "at most 1048576 bytes"),
        (arrays_pb2.ArrayHeader(dtype="uint8", shape=[64, -80]), C.INVALID_ARGUMENT, "negative"),
        (arrays_pb2.ArrayHeader(dtype="uint8", shape=[1] * 9), C.INVALID_ARGUMENT, "9 dimensions"),
        (arrays_pb2.ArrayHeader(dtype="complex64", shape=[4, 4]), C.INVALID_ARGUMENT, "unknown array dtype"),
        (arrays_pb2.ArrayHeader(dtype="uint8", shape=[4, 4], axes="zyxc"), C.INVALID_ARGUMENT, "axes"),
    ],
)
def test_absurd_headers_are_refused_before_reading_data(
    wire: Stubs, setup: Any, header: arrays_pb2.ArrayHeader, code: grpc.StatusCode, words: str
) -> None:
    got, message = status(lambda: wire.images.UploadImage(_upload(setup[2].session_id, header, b"\0" * 16)))
    assert got == code and words in message


def test_upload_without_header_or_messages(wire: Stubs, setup: Any) -> None:
    code, message = status(lambda: wire.images.UploadImage(iter([images_pb2.UploadImageRequest(session_id=setup[2].session_id)])))
    assert code == C.INVALID_ARGUMENT and "header" in message
    code, message = status(lambda: wire.images.UploadImage(iter([])))
    assert code == C.INVALID_ARGUMENT and "no message" in message


def test_uploads_over_the_limit(wire: Stubs, setup: Any) -> None:
    victim = setup[2]
    big = np.zeros((1024, 1024, 2), np.uint8)  # 2 MiB > 1 MiB limit
    with pytest.raises(LimitExceeded) as excinfo:
        victim.add_image(big)
    assert "at most 1048576 bytes" in str(excinfo.value)
    with pytest.raises(LimitExceeded):
        victim.set_labels("img", np.ones((2048, 1024), np.uint8))
    # a single message beyond the message size limit is refused by gRPC itself
    header = arrays_pb2.ArrayHeader(dtype="uint8", shape=[3 * MiB])
    code, _ = status(lambda: wire.images.UploadImage(_upload(victim.session_id, header, b"\0" * (3 * MiB))))
    assert code == C.RESOURCE_EXHAUSTED


def _session_calls(wire: Stubs, sid: str) -> dict[str, Callable[[], Any]]:
    region = arrays_pb2.Region()
    header = arrays_pb2.ArrayHeader(dtype="uint8", shape=[2, 2])
    return {
        "SaveProject": lambda: wire.sessions.SaveProject(sessions_pb2.SaveProjectRequest(session_id=sid)),
        "CloseSession": lambda: wire.sessions.CloseSession(sessions_pb2.CloseSessionRequest(session_id=sid)),
        "GetSummary": lambda: wire.sessions.GetSummary(sessions_pb2.GetSummaryRequest(session_id=sid)),
        "AddImage": lambda: wire.images.AddImage(images_pb2.AddImageRequest(session_id=sid, path="x.npy")),
        "UploadImage": lambda: wire.images.UploadImage(_upload(sid, header, b"\0" * 4)),
        "ListImages": lambda: wire.images.ListImages(images_pb2.ListImagesRequest(session_id=sid)),
        "GetImageInfo": lambda: wire.images.GetImageInfo(images_pb2.GetImageInfoRequest(session_id=sid, image="img")),
        "ReadImage": lambda: wire.images.ReadImage(images_pb2.ReadImageRequest(session_id=sid, image="img", region=region)),
        "AddClass": lambda: wire.labels.AddClass(labels_pb2.AddClassRequest(session_id=sid, name="c")),
        "ListClasses": lambda: wire.labels.ListClasses(labels_pb2.ListClassesRequest(session_id=sid)),
        "SetLabels": lambda: wire.labels.SetLabels(iter([labels_pb2.SetLabelsRequest(session_id=sid, image="img", header=header, data=b"\0" * 4)])),
        "GetLabels": lambda: wire.labels.GetLabels(labels_pb2.GetLabelsRequest(session_id=sid, image="img")),
        "GetFeatures": lambda: wire.features.GetFeatures(features_pb2.GetFeaturesRequest(session_id=sid)),
        "SetClassifier": lambda: wire.classifiers.SetClassifier(classifiers_pb2.SetClassifierRequest(session_id=sid, name="random_forest")),
        "Train": lambda: wire.training.Train(training_pb2.TrainRequest(session_id=sid)),
        "CancelTraining": lambda: wire.training.CancelTraining(training_pb2.CancelTrainingRequest(session_id=sid)),
        "Predict": lambda: wire.prediction.Predict(prediction_pb2.PredictRequest(session_id=sid, image="img")),
        "Export": lambda: wire.prediction.Export(prediction_pb2.ExportRequest(session_id=sid, image="img", path="o.tif")),
    }  # fmt: skip


@pytest.mark.parametrize("method", sorted(_session_calls(None, "")))  # type: ignore[arg-type]
def test_unknown_session_ids_are_not_found(wire: Stubs, method: str) -> None:
    code, message = status(_session_calls(wire, "no-such-session")[method])
    assert code == C.NOT_FOUND and "unknown session 'no-such-session'" in message


def test_unknown_classifier_and_bad_parameters(wire: Stubs, setup: Any) -> None:
    victim = setup[2]
    with pytest.raises(NotFound) as excinfo:
        victim.set_classifier("no_such_forest")
    assert "no_such_forest" in str(excinfo.value)
    request = classifiers_pb2.SetClassifierRequest(session_id=victim.session_id, name="no_such_forest")
    assert status(lambda: wire.classifiers.SetClassifier(request))[0] == C.NOT_FOUND
    name = victim.classifier[0]
    with pytest.raises(ValidationError) as excinfo:
        victim.set_classifier(name, no_such_parameter=3)
    assert "no_such_parameter" in str(excinfo.value)


def test_unknown_filters_and_malformed_selections(wire: Stubs, setup: Any) -> None:
    victim = setup[2]
    before = victim.features.to_json()
    # the feature selection reports unknown filters as invalid input (FeatureSelection.validate)
    with pytest.raises(ValidationError) as excinfo:
        victim.select_features([("no_such_filter", 1.0)])
    assert "no_such_filter" in str(excinfo.value)
    bad_json = features_pb2.SetFeaturesRequest(session_id=victim.session_id, selection=features_pb2.FeatureSelection(json="{oops"))
    code, message = status(lambda: wire.features.SetFeatures(bad_json))
    assert code == C.INVALID_ARGUMENT and "not valid JSON" in message
    assert victim.features.to_json() == before


def test_regions_outputs_and_state(wire: Stubs, setup: Any) -> None:
    victim = setup[2]
    with pytest.raises(NotTrained):
        victim.predict("img")
    sid = victim.session_id
    request = prediction_pb2.PredictRequest(session_id=sid, image="img", output=7)
    assert status(lambda: wire.prediction.Predict(request))[0] == C.INVALID_ARGUMENT
    outside = labels_pb2.GetLabelsRequest(session_id=sid, image="img", region=arrays_pb2.Region(start=[0, 0], stop=[999, 4]))
    code, message = status(lambda: wire.labels.GetLabels(outside))
    assert code == C.INVALID_ARGUMENT and "outside the image" in message
    lopsided = labels_pb2.GetLabelsRequest(session_id=sid, image="img", region=arrays_pb2.Region(start=[0, 0], stop=[4]))
    assert status(lambda: wire.labels.GetLabels(lopsided))[0] == C.INVALID_ARGUMENT
    missing = images_pb2.GetImageInfoRequest(session_id=sid, image="nope")
    code, message = status(lambda: wire.images.GetImageInfo(missing))
    assert code == C.NOT_FOUND and "'nope'" in message
    wrong_shape = np.ones((5, 5, 5), np.uint8)
    with pytest.raises(ValidationError):
        victim.set_labels("img", wrong_shape)
    with pytest.raises(ValidationError) as excinfo:
        victim.paint("img", 9, [[1, 1]], 2)
    assert "out of range" in str(excinfo.value)
