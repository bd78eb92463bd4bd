"""Suite-wide rule: on CI (``CI=true``) a skipped test is a failure, unless it is allow-listed.

Without this a CI machine that lacks the JDK or the GUI libraries would go green with dozens of
tests skipped. Tests skip, saying why, on a developer's machine; on CI every system package they
need is installed by ``.ci/run``, so a skip there means something is missing. The few tests that may
skip on CI are listed, each with its reason, in ``tests/skip_allowlist.txt`` (``fnmatch`` patterns
of test ids, one per line, ``#`` starts the reason).
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Any

import pytest

ALLOWLIST = Path(__file__).parent / "tests" / "skip_allowlist.txt"


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _allowed_patterns() -> list[str]:
    if not ALLOWLIST.is_file():
        return []
    lines = (line.split("#", 1)[0].strip() for line in ALLOWLIST.read_text().splitlines())
    return [line for line in lines if line]


def _allowed(nodeid: str) -> bool:
    return any(fnmatch.fnmatchcase(nodeid, pattern) for pattern in _allowed_patterns())


def _fail_the_skip(report: Any) -> None:
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = (
        f"skipped on CI, which is a failure unless allow-listed in {ALLOWLIST.relative_to(ALLOWLIST.parents[1])}: {reason}"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail") and _on_ci() and not _allowed(report.nodeid):
        _fail_the_skip(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    outcome = yield
    report = outcome.get_result()  # a whole module skipped at import (pytest.importorskip)
    if report.skipped and _on_ci() and not _allowed(report.nodeid):
        _fail_the_skip(report)
