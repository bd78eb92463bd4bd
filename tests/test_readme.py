"""The README's two set-up commands exist, and CI runs the test command verbatim."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", quick, re.S)]


def test_readme_has_exactly_the_two_setup_commands():
    commands = readme_commands()
    assert len(commands) == 2, commands
    demo, tests = commands
    assert "\n" not in demo and demo.endswith("pixf demo")
    assert "\n" not in tests and "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = readme_commands()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines
    # it must be the last thing CI runs, so its exit status is CI's
    assert [line for line in ci_lines if line and not line.startswith("#")][-1] == test_command
