"""The ``pixf`` command as a user runs it (a real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pixframework


def pixf(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ if env is None else env, COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "pixframework", *args], capture_output=True, text=True, env=env, timeout=300)


def test_version_and_help():
    result = pixf("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"pixframework {pixframework.__version__}"
    result = pixf("--help")
    assert result.returncode == 0
    for command in ("demo", "plugins", "info", "train", "predict", "serve"):
        assert command in result.stdout


def test_plugins_json_has_stable_keys():
    result = pixf("plugins", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) == {"plugins", "problems"}
    assert doc["plugins"], "built-in plugins must be listed"
    for row in doc["plugins"]:
        assert set(row) == {"kind", "name", "plugin", "distribution", "version", "summary"}
        assert row["kind"] in ("filter", "classifier", "format")


def test_plugins_table_lists_builtins():
    result = pixf("plugins")
    assert result.returncode == 0, result.stderr
    assert "builtin-filters" in result.stdout


def test_errors_are_one_clear_line_without_traceback(tmp_path):
    result = pixf("info", str(tmp_path / "missing.pixf"))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[0].startswith("pixf: error: ")
    assert "missing.pixf" in result.stderr
    debug = pixf("--debug", "info", str(tmp_path / "missing.pixf"))
    assert debug.returncode != 0 and "Traceback" in debug.stderr
