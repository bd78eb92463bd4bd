"""`pixf serve` as users run it: a real process, stopped by SIGTERM, saving open projects."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pixframework.client import connect
from pixframework.errors import PixfError
from pixframework.project import Project
from pixframework.server.process import spawn_server


def test_sigterm_stops_gracefully_and_saves_open_projects(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("tok-123\n")
    proc, address = spawn_server(tmp_path, args=["--token-file", str(tmp_path / "token")])
    try:
        client = connect(address, token="tok-123")
        project = client.create_project("unsaved.pixf")
        project.add_image(np.arange(48 * 64, dtype=np.float32).reshape(48, 64), name="img")
        project.add_class("a")
        project.paint("img", "a", [[10, 10], [10, 30]], radius=2)
        expected = project.get_labels("img")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        client.close()
    finally:
        if proc.poll() is None:
            proc.kill()
    with Project.open(tmp_path / "unsaved.pixf") as saved:
        assert saved.images == ["img"]
        np.testing.assert_array_equal(saved.get_labels("img"), expected)


def test_refuses_to_expose_itself_without_a_token(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pixframework.cli", "serve", "--address", "0.0.0.0:0", "--data-root", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "token" in result.stderr and "0.0.0.0:0" in result.stderr


@pytest.mark.parametrize("option", ["--tls-cert", "--token-file"])
def test_unreadable_files_are_clear_errors(tmp_path: Path, option: str) -> None:
    extra = ["--tls-key", str(tmp_path / "k")] if option == "--tls-cert" else []
    result = subprocess.run(
        [sys.executable, "-m", "pixframework.cli", "serve", "--data-root", str(tmp_path), option, str(tmp_path / "missing"), *extra],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1 and "cannot read" in result.stderr and "missing" in result.stderr


def test_spawn_server_reports_why_it_did_not_start(tmp_path: Path) -> None:
    with pytest.raises(PixfError, match="did not start.*token"):
        spawn_server(tmp_path, address="0.0.0.0:0")
