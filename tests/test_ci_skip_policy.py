"""With ``CI=true`` a skip fails the run unless the test is allow-listed (conftest.py at the root).

Runs an inner pytest on a small tree that uses the repository's own conftest.py and a throw-away
allow-list, with and without CI set.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TESTS = '''
import pytest

def test_runs():
    pass

def test_skips():
    pytest.skip("no JDK here")

def test_allowed_to_skip():
    pytest.skip("tool version differs")

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False
'''


def _run(tree: Path, ci: str | None, *paths: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", *(paths or ["tests"])],
        capture_output=True, text=True, cwd=tree, env=env, timeout=300, check=False,
    )  # fmt: skip


def _tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    (tree / "tests").mkdir(parents=True)
    shutil.copy(ROOT / "conftest.py", tree / "conftest.py")
    (tree / "tests" / "test_inner.py").write_text(TESTS)
    (tree / "tests" / "test_gone.py").write_text("import pytest\npytest.importorskip('no_such_module_here')\n")
    (tree / "tests" / "skip_allowlist.txt").write_text(
        "# comment\ntests/test_inner.py::test_allowed_to_skip  # the reason\n"
    )
    (tree / "pytest.ini").write_text("[pytest]\n")
    return tree


def test_skips_fail_on_ci_unless_allow_listed(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    local = _run(tree, None)
    assert local.returncode == 0, local.stdout
    assert "1 passed, 3 skipped, 1 xfailed" in local.stdout

    ci = _run(tree, "true", "tests/test_inner.py")
    assert ci.returncode == 1, ci.stdout
    assert "FAILED tests/test_inner.py::test_skips" in ci.stdout and "no JDK here" in ci.stdout
    assert "SKIPPED [1] tests/test_inner.py" in ci.stdout  # the allow-listed one may skip
    assert "1 failed, 1 passed, 1 skipped, 1 xfailed" in ci.stdout

    module = _run(tree, "true", "tests/test_gone.py")  # a whole module skipped at import fails too
    assert module.returncode != 0 and "ERROR tests/test_gone.py" in module.stdout, module.stdout
    assert "No module named 'no_such_module_here'" in module.stdout


def test_the_allow_list_names_real_tests_with_reasons() -> None:
    lines = [line for line in (ROOT / "tests" / "skip_allowlist.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]  # fmt: skip
    for line in lines:
        pattern, _, reason = line.partition("#")
        path = pattern.strip().split("::")[0]
        assert (ROOT / path).is_file(), f"allow-listed {pattern.strip()!r}: no such file"
        assert reason.strip(), f"allow-listed {pattern.strip()!r} gives no reason"
