"""Security regressions: sessions belong to whom opened them (named tokens with roles)."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
from test_server_support import gradient_image, running_server

from pixframework._proto.v1 import images_pb2, sessions_pb2
from pixframework.client import connect
from pixframework.errors import PermissionDenied
from pixframework.server.auth import read_token_file

ALICE, BOB, LEAD = "alice-0123456789abcdef", "bob-0123456789abcdef", "lead-0123456789abcdef"


def test_other_users_cannot_see_save_close_or_edit_a_session(tmp_path: Path) -> None:
    (tmp_path / "tokens").write_text(f"# name role token\nalice user {ALICE}\nbob user {BOB}\nlead admin {LEAD}\n")
    root = tmp_path / "data"
    root.mkdir()
    tokens = read_token_file(tmp_path / "tokens")
    with running_server(root, token=tokens) as (_, address):
        with connect(address, token=ALICE) as alice, connect(address, token=BOB) as bob, \
                connect(address, token=LEAD) as lead:  # fmt: skip
            assert (alice.server_info()["principal"], alice.server_info()["role"]) == ("alice", "user")
            mine = alice.create_project("alice.pixf")
            mine.add_image(gradient_image(), name="img")
            mine.add_class("a")
            mine.paint("img", "a", [[5, 5]], radius=2)
            sid = mine.session_id
            assert bob.sessions() == []  # neither the id nor the path of alice's work is shown
            assert [s["session_id"] for s in alice.sessions()] == [sid]
            listed = lead.sessions()
            assert [(s["session_id"], s["owner"], s["path"]) for s in listed] == [(sid, "alice", "alice.pixf")]
            # bob knows the id (say, from a screenshot): still nothing goes through
            stubs = bob.stubs
            for method, request in [
                (stubs.sessions.SaveProject, sessions_pb2.SaveProjectRequest(session_id=sid)),
                (stubs.sessions.CloseSession, sessions_pb2.CloseSessionRequest(session_id=sid, save=False)),
                (stubs.images.RemoveImage, images_pb2.RemoveImageRequest(session_id=sid, image="img")),
                (stubs.images.ListImages, images_pb2.ListImagesRequest(session_id=sid)),
            ]:
                with pytest.raises(PermissionDenied, match="another user"):
                    stubs.call(method, request)
            with pytest.raises(grpc.RpcError) as excinfo:
                list(stubs.images.ReadImage(images_pb2.ReadImageRequest(session_id=sid, image="img"),
                                            metadata=stubs.metadata))  # fmt: skip
            assert excinfo.value.code() == grpc.StatusCode.PERMISSION_DENIED
            assert mine.images == ["img"] and mine.label_counts() == {"img": {"a": 13}}
            # bob may open the same project in a session of his own: the lab shares data, not sessions
            theirs = bob.open_project("alice.pixf")
            assert theirs.images == ["img"]
            theirs.close()
            # an administrator may close a stale session (saving it)
            lead.stubs.call(lead.stubs.sessions.CloseSession, sessions_pb2.CloseSessionRequest(session_id=sid, save=True))
            assert alice.sessions() == []


def test_one_token_and_no_token_keep_working_as_one_user(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    with running_server(root, token="just-one-token-for-all") as (_, address):
        with connect(address, token="just-one-token-for-all") as a, connect(address, token="just-one-token-for-all") as b:
            project = a.create_project("p.pixf")
            assert [s["owner"] for s in b.sessions()] == ["default"]  # the same user on two laptops
            assert b.server_info()["role"] == "admin"
            project.close()
    with running_server(root) as (_, address), connect(address) as client:
        assert (client.server_info()["principal"], client.server_info()["role"]) == ("local", "admin")
        client.open_project("p.pixf").close()
