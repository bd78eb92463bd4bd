"""The plugin registry: built-ins, entry points, broken plugins, blocking, hookspec meta-tests."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from pixframework import hookspecs
from pixframework.errors import NotFound
from pixframework.registry import BUILTIN_PLUGINS, Registry, get_plugin_manager

from plugin_dist import write_distribution

GOOD_PLUGIN = '''
import numpy as np
from pixframework.hookspecs import hookimpl
from pixframework.specs import FilterSpec

def _square(src, scale, out):
    out[0] = src.data ** 2

@hookimpl
def pixf_register_filters():
    return [FilterSpec(name="square", title="Square", compute=_square, halo=lambda s, n: 0,
                       description="Squares the intensity")]
'''


def build(monkeypatch, tmp_path=None, env=None):
    problems = []
    pm = get_plugin_manager(env=env or {}, problems=problems)
    return Registry(pm, problems)


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A fresh folder on sys.path acting as site-packages for throw-away distributions."""
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_builtins_are_registered_through_the_hooks(monkeypatch):
    pm = get_plugin_manager(env={})
    for name in BUILTIN_PLUGINS:
        assert pm.get_plugin(name) is not None, name
        assert pm.pixf_distributions[name][0] == "pixframework"
    for impl in pm.hook.pixf_register_filters.get_hookimpls():
        if impl.plugin_name in BUILTIN_PLUGINS:
            assert impl.trylast


def test_entry_point_plugin_is_discovered(site, monkeypatch):
    write_distribution(site, "pixf-square", "1.2.3", {"pixf_square": GOOD_PLUGIN}, {"square": "pixf_square"})
    registry = build(monkeypatch)
    spec = registry.filter("square")
    assert spec.plugin == "square"
    entry = next(e for e in registry.entries if e.name == "square")
    assert (entry.kind, entry.distribution, entry.version, entry.summary) == ("filter", "pixf-square", "1.2.3", "Squares the intensity")
    assert registry.problems == []


def test_broken_plugins_are_skipped_and_named(site, monkeypatch):
    write_distribution(
        site,
        "pixf-mixed",
        "0.1",
        {
            "pixf_square": GOOD_PLUGIN,
            "pixf_import_error": "raise RuntimeError('boom at import')\n",
            "pixf_unknown_hook": "from pixframework.hookspecs import hookimpl\n@hookimpl\ndef pixf_no_such_hook():\n    return []\n",
            "pixf_raises": "from pixframework.hookspecs import hookimpl\n@hookimpl\ndef pixf_register_classifiers():\n    raise ValueError('hook exploded')\n",
            "pixf_bad_spec": (
                "from pixframework.hookspecs import hookimpl\nfrom pixframework.specs import FilterSpec\n"
                "@hookimpl\ndef pixf_register_filters():\n"
                "    return [FilterSpec(name='Bad Name', title='x', compute=print, halo=lambda s, n: 0), 'not a spec']\n"
            ),
            "pixf_duplicate": GOOD_PLUGIN,
        },
        {
            "square": "pixf_square",
            "import-error": "pixf_import_error",
            "unknown-hook": "pixf_unknown_hook",
            "raises": "pixf_raises",
            "bad-spec": "pixf_bad_spec",
            "zz-duplicate": "pixf_duplicate",
        },
    )
    registry = build(monkeypatch)
    problems: dict[str, str] = {}
    for p in registry.problems:
        problems[p.plugin] = problems.get(p.plugin, "") + p.error + "\n"
    assert "not a FilterSpec" in problems["bad-spec"]
    assert "boom at import" in problems["import-error"]
    assert "pixf_no_such_hook" in problems["unknown-hook"]
    assert "hook exploded" in problems["raises"]
    assert "Bad Name" in problems["bad-spec"]
    assert "already provided by plugin 'square'" in problems["zz-duplicate"]
    # the healthy plugin from the same distribution still works
    assert registry.filter("square").plugin == "square"


def test_blocking_hides_plugins(site, monkeypatch):
    write_distribution(site, "pixf-square", "1.0", {"pixf_square": GOOD_PLUGIN}, {"square": "pixf_square"})
    registry = build(monkeypatch, env={"PIXF_BLOCK_PLUGINS": "square, builtin-formats"})
    assert "square" not in registry.filters
    assert all(spec.plugin != "builtin-formats" for spec in registry.formats.values())
    assert "tiff" not in registry.formats
    assert all(e.plugin not in ("square", "builtin-formats") for e in registry.entries)


def test_unknown_names_give_helpful_errors(site, monkeypatch):
    write_distribution(site, "pixf-square", "1.0", {"pixf_square": GOOD_PLUGIN}, {"square": "pixf_square"})
    registry = build(monkeypatch)
    with pytest.raises(NotFound, match="did you mean 'square'"):
        registry.filter("squre")


def _hookspec_functions():
    return {
        name: fn
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("pixf_")
    }


def test_every_hookspec_has_a_docstring_that_says_what_it_returns():
    specs = _hookspec_functions()
    assert set(specs) >= {"pixf_register_filters", "pixf_register_classifiers", "pixf_register_formats"}
    for name, fn in specs.items():
        doc = inspect.getdoc(fn) or ""
        assert ":returns:" in doc, f"hookspec {name} must document what it returns"


def test_every_hookspec_is_called_by_a_test():
    sources = "\n".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py"))
    for name in _hookspec_functions():
        assert re.search(rf"hook\.{name}\(", sources), f"no test calls hook {name}"


def test_each_hook_returns_lists_of_specs():
    pm = get_plugin_manager(env={})
    for results in (
        pm.hook.pixf_register_filters(),
        pm.hook.pixf_register_classifiers(),
        pm.hook.pixf_register_formats(),
    ):
        assert isinstance(results, list) and all(isinstance(r, list) for r in results)
