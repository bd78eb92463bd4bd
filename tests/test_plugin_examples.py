"""The example third-party plugins in plugins/ as a user sees them once pip-installed: listed by
``pixf plugins`` with their distribution and version, hidden by ``PIXF_BLOCK_PLUGINS``.

CI installs them (``pip install ./plugins/pixf-texture ./plugins/pixf-hgb ./plugins/pixf-mrc``);
these tests install nothing and skip, with the command in the reason, where they are missing.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

PLUGINS_DIR = Path(__file__).resolve().parent.parent / "plugins"
#: distribution -> (entry point = plugin name, what it provides)
EXAMPLES = {
    "pixf-texture": ("texture", {("filter", "gabor_energy"), ("filter", "local_binary_patterns"),
                                 ("filter", "local_variance"), ("filter", "membrane_projections")}),
    "pixf-hgb": ("hgb", {("classifier", "hist_gradient_boosting")}),
    "pixf-mrc": ("mrc", {("format", "mrc")}),
}  # fmt: skip


def _missing() -> list[str]:
    missing = []
    for dist in EXAMPLES:
        try:
            md.distribution(dist)
        except md.PackageNotFoundError:
            missing.append(dist)
    return missing


needs_examples = pytest.mark.skipif(
    bool(_missing()),
    reason=f"example plugins {_missing()} not installed: pip install "
    + " ".join(f"./plugins/{d}" for d in EXAMPLES),
)


def pixf_plugins(*args: str, block: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200")
    env.pop("PIXF_BLOCK_PLUGINS", None)
    if block is not None:
        env["PIXF_BLOCK_PLUGINS"] = block
    result = subprocess.run([sys.executable, "-m", "pixframework", "plugins", *args], capture_output=True, text=True,
                            env=env, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result


def test_each_example_is_a_separately_installable_distribution() -> None:
    for dist, (entry_point, _) in EXAMPLES.items():
        folder = PLUGINS_DIR / dist
        meta = tomllib.loads((folder / "pyproject.toml").read_text())
        assert meta["project"]["name"] == dist
        assert meta["build-system"]["build-backend"] == "setuptools.build_meta"
        assert "pixframework" in meta["project"]["entry-points"]
        assert entry_point in meta["project"]["entry-points"]["pixframework"]
        assert any(d.startswith("pixframework") for d in meta["project"]["dependencies"])
        assert (folder / "README.md").is_file()
        assert list((folder / "tests").glob("test_*.py")), f"{dist} has no tests"


@needs_examples
def test_pixf_plugins_lists_the_examples_with_distribution_and_version() -> None:
    doc = json.loads(pixf_plugins("--json").stdout)
    assert doc["problems"] == []
    for dist, (plugin, provides) in EXAMPLES.items():
        rows = [r for r in doc["plugins"] if r["plugin"] == plugin]
        assert {(r["kind"], r["name"]) for r in rows} == provides
        version = md.version(dist)
        assert all(r["distribution"] == dist and r["version"] == version for r in rows), rows
    table = pixf_plugins().stdout
    for dist in EXAMPLES:
        assert dist in table


@needs_examples
def test_block_plugins_hides_the_examples() -> None:
    doc = json.loads(pixf_plugins("--json", block="texture,hgb, mrc").stdout)
    plugins = {r["plugin"] for r in doc["plugins"]}
    assert plugins.isdisjoint({"texture", "hgb", "mrc"})
    assert {"builtin-filters", "builtin-classifiers", "builtin-formats"} <= plugins
    only_one = json.loads(pixf_plugins("--json", block="hgb").stdout)
    assert {r["plugin"] for r in only_one["plugins"]} >= {"texture", "mrc"}
    assert "hist_gradient_boosting" not in {r["name"] for r in only_one["plugins"]}
