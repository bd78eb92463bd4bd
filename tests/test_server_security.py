"""Secure by default: loopback unless a token is given, bearer tokens, TLS, paths kept in the data root."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import grpc
import numpy as np
import pytest
from test_server_support import data_root, running_server  # noqa: F401  (fixture)

from pixframework._proto.v1 import images_pb2, images_pb2_grpc, server_pb2, server_pb2_grpc
from pixframework.client import connect
from pixframework.errors import PermissionDenied, Unauthenticated, ValidationError
from pixframework.confine import Confinement
from pixframework.server.address import is_loopback
from pixframework.server.app import create_server
from pixframework.server.auth import Principal, read_token_file

TOKEN = "s3cret-token-for-tests"


@pytest.mark.parametrize(
    "address, loopback",
    [("127.0.0.1:50051", True), ("127.3.2.1:1", True), ("localhost:0", True), ("[::1]:50051", True),
     ("0.0.0.0:50051", False), ("[::]:50051", False), ("192.168.1.10:50051", False), ("example.org:80", False)],
)  # fmt: skip
def test_loopback_addresses_are_recognised(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback


def test_binding_beyond_loopback_needs_a_token(data_root: Path) -> None:
    with pytest.raises(PermissionDenied, match="token"):
        create_server("0.0.0.0:0", data_root=data_root)
    server, port = create_server("0.0.0.0:0", data_root=data_root, token=TOKEN)
    assert port > 0
    server.stop(grace=0)


def test_token_file_holds_one_token_or_named_tokens_with_roles(tmp_path: Path) -> None:
    (tmp_path / "empty").write_text("\n# only a comment\n")
    (tmp_path / "good").write_text(f"  {TOKEN}\n")
    (tmp_path / "two").write_text("a b")
    (tmp_path / "named").write_text(f"# name role token\nalice user {TOKEN}-a\nlab admin {TOKEN}-l\n")
    single = read_token_file(tmp_path / "good")
    assert single.identify([("authorization", f"Bearer {TOKEN}")]) == Principal("default", "admin")
    named = read_token_file(tmp_path / "named")
    assert named.identify([("authorization", f"Bearer {TOKEN}-a")]) == Principal("alice", "user")
    assert named.identify([("authorization", f"Bearer {TOKEN}-l")]) == Principal("lab", "admin")
    assert named.identify([("authorization", f"Bearer {TOKEN}")]) is None
    with pytest.raises(ValidationError, match="empty"):
        read_token_file(tmp_path / "empty")
    with pytest.raises(ValidationError, match="NAME ROLE TOKEN"):
        read_token_file(tmp_path / "two")
    with pytest.raises(ValidationError, match="cannot read"):
        read_token_file(tmp_path / "missing")
    for bad, message in [(f"a boss {TOKEN}", "role"), (f"a user {TOKEN}\na user {TOKEN}2", "two tokens"),
                         (f"a user {TOKEN}\nb user {TOKEN}", "same"), (f"a/b user {TOKEN}", "token name")]:  # fmt: skip
        (tmp_path / "bad").write_text(bad)
        with pytest.raises(ValidationError, match=message):
            read_token_file(tmp_path / "bad")


def test_calls_without_the_right_token_are_unauthenticated(data_root: Path) -> None:
    with running_server(data_root, token=TOKEN) as (_, address):
        with pytest.raises(Unauthenticated, match=r"needs a valid token; pass token= \(or set PIXF_TOKEN\)"):
            connect(address)
        with pytest.raises(Unauthenticated):
            connect(address, token="wrong")
        with connect(address, token=TOKEN) as client:
            assert client.server_info()["auth_required"] is True
        with grpc.insecure_channel(address) as channel:
            # streaming handlers are guarded the same way as unary ones
            read = images_pb2_grpc.ImageServiceStub(channel).ReadImage(images_pb2.ReadImageRequest(session_id="x"))
            with pytest.raises(grpc.RpcError) as excinfo:
                list(read)
            assert excinfo.value.code() == grpc.StatusCode.UNAUTHENTICATED
            upload = images_pb2_grpc.ImageServiceStub(channel).UploadImage
            with pytest.raises(grpc.RpcError) as excinfo:
                upload(iter([images_pb2.UploadImageRequest(data=b"123")]), metadata=(("authorization", "Bearer no"),))
            assert excinfo.value.code() == grpc.StatusCode.UNAUTHENTICATED
            from grpc_health.v1 import health_pb2, health_pb2_grpc

            health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
            assert health.status == health_pb2.HealthCheckResponse.SERVING  # probes need no token


def _self_signed(tmp_path: Path) -> tuple[bytes, bytes]:
    crypto = pytest.importorskip("cryptography")
    assert crypto
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def test_tls_with_a_self_signed_certificate(tmp_path: Path, data_root: Path) -> None:
    cert, key = _self_signed(tmp_path)
    (tmp_path / "ca.pem").write_bytes(cert)
    server, port = create_server("localhost:0", data_root=data_root, tls_cert=cert, tls_key=key, token=TOKEN)
    server.start()
    try:
        with connect(f"localhost:{port}", token=TOKEN, tls=tmp_path / "ca.pem") as client:
            assert client.server_info()["tls"] is True
        with grpc.insecure_channel(f"localhost:{port}") as channel:  # plain text is not spoken
            with pytest.raises(grpc.RpcError) as excinfo:
                server_pb2_grpc.ServerInfoServiceStub(channel).GetServerInfo(server_pb2.GetServerInfoRequest(), timeout=3)
            assert excinfo.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        server.stop(grace=0)
    with pytest.raises(ValidationError, match="both"):
        create_server("127.0.0.1:0", data_root=data_root, tls_cert=cert)


def test_paths_resolve_inside_the_data_root_only(tmp_path: Path, data_root: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (data_root / "images").mkdir()
    os.symlink(outside, data_root / "escape")
    os.symlink(data_root / "images", data_root / "inner-link")
    root = Confinement(data_root)
    assert root.resolve("images/a.tif") == (data_root / "images/a.tif").resolve()
    assert root.resolve(str(data_root / "images/a.tif")) == (data_root / "images/a.tif").resolve()
    assert root.resolve("inner-link/a.tif") == (data_root / "images/a.tif").resolve()
    assert root.resolve("images/s.h5/raw/data").name == "data"  # container paths keep their tail
    for bad in ["../outside/a.tif", "images/../../outside", str(outside / "a.tif"), "escape/a.tif", "/etc/passwd"]:
        with pytest.raises(PermissionDenied):
            root.resolve(bad)
    for bad in ["", "   ", "a\x00b", "x" * 256 + ".tif"]:
        with pytest.raises(ValidationError):
            root.resolve(bad)


def test_clients_cannot_reach_outside_the_data_root(tmp_path: Path, data_root: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    np.save(outside / "secret.npy", np.zeros((8, 8), np.uint8))
    os.symlink(outside, data_root / "escape")
    with running_server(data_root) as (_, address), connect(address) as client:
        for path in ["../p.pixf", str(outside / "p.pixf"), "escape/p.pixf"]:
            with pytest.raises(PermissionDenied, match="data root|'\\.\\.'"):
                client.create_project(path)
            with pytest.raises(PermissionDenied):
                client.open_project(path)
        assert not list(outside.glob("*.pixf"))
        project = client.create_project("ok.pixf")
        for path in ["../outside/secret.npy", str(outside / "secret.npy"), "escape/secret.npy"]:
            with pytest.raises(PermissionDenied):
                project.add_image(path)
        assert project.images == []
        project.close()
