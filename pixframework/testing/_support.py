"""What the conformance checks share: finding the spec under test, a registry holding it, failing clearly."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, NoReturn, TypeVar

import pluggy

from .. import hookspecs
from ..errors import ValidationError
from ..registry import BUILTIN_PLUGINS, Registry, get_registry
from ..specs import ClassifierSpec, FilterSpec, FormatSpec

SpecT = TypeVar("SpecT", FilterSpec, ClassifierSpec, FormatSpec)

#: hook that returns each kind of spec
_HOOK = {
    FilterSpec: "pixf_register_filters",
    ClassifierSpec: "pixf_register_classifiers",
    FormatSpec: "pixf_register_formats",
}


def fail(spec: Any, message: str) -> NoReturn:
    """Raise the AssertionError every check uses: ``<kind> '<name>' (plugin '<p>'): <message>``."""
    plugin = f" (plugin {spec.plugin!r})" if getattr(spec, "plugin", "") else ""
    raise AssertionError(f"{spec.kind} {spec.name!r}{plugin}: {message}")


def expect_error(
    spec: Any,
    expected: type[BaseException] | tuple[type[BaseException], ...],
    call: Callable[[], Any],
    what: str,
    hint: str = "",
) -> None:
    """Fail unless ``call()`` raises one of ``expected``; ``what`` describes the call (``"opening a missing file"``)."""
    kinds = expected if isinstance(expected, tuple) else (expected,)
    names = " or ".join(k.__name__ for k in kinds)
    try:
        call()
    except kinds:
        return
    except Exception as exc:
        fail(spec, f"{what} must raise {names}, got {type(exc).__name__}: {exc}")
    fail(spec, f"{what} must raise {names}, but it succeeded{'; ' + hint if hint else ''}")


def _one_spec_plugin(spec: Any) -> SimpleNamespace:
    """A plugin object providing exactly ``spec`` through its hook (for specs not installed)."""

    def provide() -> list[Any]:
        return [spec]

    return SimpleNamespace(**{_HOOK[type(spec)]: hookspecs.hookimpl(specname=_HOOK[type(spec)])(provide)})


def isolated_registry(spec: Any) -> Registry:
    """A registry with the built-ins plus ``spec`` (registered like a plugin named ``spec.plugin``).

    Lets an author check a spec before the distribution is installed. A spec whose name a
    built-in already uses fails the check (the registry would skip it).
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name, module in BUILTIN_PLUGINS.items():
        pm.register(importlib.import_module(module), name=name)
    pm.register(_one_spec_plugin(spec), name=spec.plugin or "plugin-under-test")
    registry = Registry(pm)
    for problem in registry.problems:
        fail(spec, f"the registry refuses it: {problem.error}")
    return registry


def spec_table(registry: Registry, kind: str) -> dict[str, Any]:
    """The registry's specs of one kind (``"filter"``, ``"classifier"`` or ``"format"``) by name."""
    return {"filter": registry.filters, "classifier": registry.classifiers, "format": registry.formats}[kind]


def resolve(
    kind: type[SpecT], spec_or_name: SpecT | str, registry: Registry | None
) -> tuple[SpecT, Registry]:
    """The spec to check and a registry in which it is found under its name.

    :param spec_or_name: a spec object, or the name of an installed spec of this kind.
    :raises AssertionError: the name is not installed, or the spec is invalid.
    """
    label = kind.kind
    if isinstance(spec_or_name, str):
        registry = registry if registry is not None else get_registry()
        table = spec_table(registry, label)
        if spec_or_name not in table:
            problems = "; ".join(f"{p.plugin}: {p.error}" for p in registry.problems) or "none"
            raise AssertionError(
                f"no {label} named {spec_or_name!r} is installed (installed: {', '.join(sorted(table)) or 'none'}; "
                f"plugin problems: {problems})"
            )
        return table[spec_or_name], registry
    if not isinstance(spec_or_name, kind):
        raise AssertionError(
            f"expected a {kind.__name__} or a {label} name, got {type(spec_or_name).__name__}"
        )
    spec = spec_or_name
    try:
        spec.validate()
    except ValidationError as exc:
        fail(spec, f"invalid spec: {exc}")
    # an installed spec is checked in the registry it lives in (plugin name filled in)
    registry = registry if registry is not None else get_registry()
    found = spec_table(registry, label).get(spec.name)
    if found is not None and _same(found, spec):
        return found, registry
    registry = isolated_registry(spec)
    return spec_table(registry, label)[spec.name], registry


def is_installed(spec: Any) -> bool:
    """Whether the process-wide registry (what dispatch and projects use) holds this very declaration."""
    found = spec_table(get_registry(), spec.kind).get(spec.name)
    return found is not None and _same(found, spec)


def _same(a: Any, b: Any) -> bool:
    """Whether two specs are the same declaration (the registry fills in ``plugin``)."""
    return replace(a, plugin="") == replace(b, plugin="")
