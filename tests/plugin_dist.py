"""Write a throw-away installed distribution (a ``.dist-info`` with entry points) into a folder.

Used by tests to install plugins exactly as pip would present them to ``importlib.metadata``,
without building or installing anything.
"""

from __future__ import annotations

import textwrap
from pathlib import Path


def write_distribution(root: Path, dist: str, version: str, modules: dict[str, str], entry_points: dict[str, str]) -> None:
    """Create ``root/<module>.py`` files and ``root/<dist>-<version>.dist-info`` announcing the entry points."""
    for module, source in modules.items():
        (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    lines = "\n".join(f"{name} = {target}" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[pixframework]\n{lines}\n")
