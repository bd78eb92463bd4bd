"""The plugin author's guide (docs/plugins/) stays complete and true: a page per hookspec with its
signature, arguments, return value and every field of the spec it returns, and each page's example
plugin passes the conformance checks of pixframework.testing."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import types
import typing
from pathlib import Path

import pytest

from pixframework import hookspecs
from pixframework.specs import ClassifierSpec, FilterSpec, FormatSpec
from pixframework.testing import check_classifier, check_filter, check_format

DOCS = Path(__file__).resolve().parent.parent / "docs" / "plugins"
HOOKS = {
    name: fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("pixf_")
}
CHECKS = {FilterSpec: check_filter, ClassifierSpec: check_classifier, FormatSpec: check_format}


def _page(hook: str) -> str:
    path = DOCS / f"{hook}.md"
    assert path.is_file(), f"hookspec {hook} has no page docs/plugins/{hook}.md"
    return path.read_text()


def _spec_class(hook: str) -> type:
    """The spec class a hook returns, from its annotation ``list[XSpec]``."""
    (item,) = typing.get_args(typing.get_type_hints(HOOKS[hook])["return"])
    return item


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_hooks_exist() -> None:
    assert set(HOOKS) >= {"pixf_register_filters", "pixf_register_classifiers", "pixf_register_formats"}


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_every_hookspec_has_a_page_with_signature_arguments_and_returns(hook: str) -> None:
    text = _page(hook)
    assert text.startswith(f"# {hook}\n"), "the page title must be the hook name"
    assert f"def {hook}(" in text, "the page must show the hook's signature"
    assert "**Arguments:**" in text and "**Returns:**" in text and "\n## Example\n" in text
    spec = _spec_class(hook)
    assert spec.__name__ in text
    for field in dataclasses.fields(spec):
        assert f"| `{field.name}` |" in text, f"{spec.__name__}.{field.name} is not documented in {hook}.md"


def test_the_index_links_every_hook_page_and_the_testing_and_publishing_guides() -> None:
    index = (DOCS / "index.md").read_text()
    for page in [*HOOKS, "testing", "publishing"]:
        assert f"({page}.md)" in index, f"docs/plugins/index.md does not link {page}.md"
    for page in ("testing", "publishing"):
        assert (DOCS / f"{page}.md").is_file()


def test_every_python_block_in_the_guide_parses() -> None:
    for page in sorted(DOCS.glob("*.md")):
        for block in _python_blocks(page.read_text()):
            if "..." in block and block.strip().startswith("@hookimpl"):
                continue  # a bare signature
            ast.parse(block, filename=str(page))


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_the_example_plugin_of_each_page_passes_the_conformance_check(hook: str) -> None:
    text = _page(hook)
    example = _python_blocks(text.split("\n## Example\n", 1)[1])[0]
    module = types.ModuleType(f"docs_example_{hook}")
    exec(compile(example, f"docs/plugins/{hook}.md", "exec"), module.__dict__)
    specs = getattr(module, hook)()
    assert specs and all(isinstance(s, _spec_class(hook)) for s in specs)
    for spec in specs:
        CHECKS[type(spec)](spec)


def test_the_classifier_docs_call_the_real_default_the_default():
    from pixframework.model_slot import DEFAULT_CLASSIFIER

    text = (Path(__file__).resolve().parents[1] / "docs" / "classifiers.md").read_text()
    text = " ".join(text.split())  # sentences wrap across lines
    called_default = set(re.findall(r"\bthe default\W+`(\w+)`", text)) | set(
        re.findall(r"`(\w+)`\W+(?:\(|\*\*)?the default\b", text)
    )
    assert called_default == {DEFAULT_CLASSIFIER}, called_default
