"""The plugin registry: one factory, built-ins and entry points through the same hooks.

Nothing happens at import time. :func:`get_plugin_manager` builds a fresh
pluggy manager; :func:`get_registry` builds (once, then cached) the typed
:class:`Registry` façade the rest of the core uses. A plugin that fails to
import, implements an unknown hook, raises in a hook or returns invalid or
duplicate specs is reported by name in :attr:`Registry.problems` and skipped.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata as md
import os
import threading
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping

import pluggy

from . import hookspecs
from .errors import NotFound, ValidationError
from .specs import ClassifierSpec, FilterSpec, FormatSpec

ENTRY_POINT_GROUP = "pixframework"
BLOCK_ENV = "PIXF_BLOCK_PLUGINS"

#: built-in plugin modules, registered exactly like third-party ones (as ``trylast``)
BUILTIN_PLUGINS: dict[str, str] = {
    "builtin-filters": "pixframework.builtins.filters",
    "builtin-ilastik-desktop-filters": "pixframework.builtins.desktop_filters",
    "builtin-classifiers": "pixframework.builtins.classifiers",
    "builtin-formats": "pixframework.builtins.formats",
}

_HOOKS: dict[str, tuple[str, type]] = {
    "filter": ("pixf_register_filters", FilterSpec),
    "classifier": ("pixf_register_classifiers", ClassifierSpec),
    "format": ("pixf_register_formats", FormatSpec),
}


@dataclass(frozen=True)
class PluginProblem:
    """A plugin (or one of its specs) that was skipped, and why."""

    plugin: str
    error: str


@dataclass(frozen=True)
class RegistryEntry:
    """One row of ``pixf plugins``: a spec with where it came from."""

    kind: str
    name: str
    plugin: str
    distribution: str
    version: str
    summary: str

    def to_json(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "name": self.name,
            "plugin": self.plugin,
            "distribution": self.distribution,
            "version": self.version,
            "summary": self.summary,
        }


def blocked_plugins(env: Mapping[str, str] | None = None) -> set[str]:
    """Plugin names listed in ``PIXF_BLOCK_PLUGINS`` (comma separated)."""
    value = (env if env is not None else os.environ).get(BLOCK_ENV, "")
    return {name.strip() for name in value.split(",") if name.strip()}


def _core_version() -> str:
    from . import __version__

    return __version__


def get_plugin_manager(
    *, env: Mapping[str, str] | None = None, problems: list[PluginProblem] | None = None
) -> pluggy.PluginManager:
    """Build a plugin manager with the built-ins and every installed ``pixframework`` entry point.

    :param env: environment to read ``PIXF_BLOCK_PLUGINS`` from (default ``os.environ``).
    :param problems: list that receives a :class:`PluginProblem` per plugin that could not be loaded.
    :returns: a manager whose plugins all passed ``check_pending()``; each plugin has a
        distribution recorded in ``manager.pixf_distributions[name] = (dist, version)``.
    """
    problems = problems if problems is not None else []
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    blocked = blocked_plugins(env)
    dists: dict[str, tuple[str, str]] = {}
    for name in blocked:
        pm.set_blocked(name)

    def register(name: str, load: Any, dist: tuple[str, str]) -> None:
        if name in blocked:
            return
        try:
            plugin = load()
            pm.register(plugin, name=name)
        except Exception as exc:  # a broken plugin must never take the host down
            problems.append(PluginProblem(name, f"failed to load: {type(exc).__name__}: {exc}"))
            return
        try:
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            pm.unregister(name=name)
            problems.append(PluginProblem(name, f"invalid plugin: {exc}"))
            return
        dists[name] = dist

    core = ("pixframework", _core_version())
    for name, module in BUILTIN_PLUGINS.items():
        register(name, lambda module=module: importlib.import_module(module), core)
    for ep in sorted(md.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.name in dists or ep.name in BUILTIN_PLUGINS:
            problems.append(PluginProblem(ep.name, "plugin name already taken; skipped"))
            continue
        dist = (ep.dist.name, ep.dist.version) if ep.dist is not None else ("?", "?")
        register(ep.name, ep.load, dist)
    pm.pixf_distributions = dists  # type: ignore[attr-defined]
    return pm


class Registry:
    """Typed view of everything the installed plugins provide.

    Lookups raise :class:`~pixframework.errors.NotFound` with the known names. Built-in specs are
    collected first, so a third-party spec cannot silently shadow a built-in name (block the
    built-in plugin to replace it).
    """

    def __init__(self, pm: pluggy.PluginManager, problems: Iterable[PluginProblem] = ()):
        self.plugin_manager = pm
        self.problems: list[PluginProblem] = list(problems)
        self.entries: list[RegistryEntry] = []
        self.filters: dict[str, FilterSpec] = {}
        self.classifiers: dict[str, ClassifierSpec] = {}
        self.formats: dict[str, FormatSpec] = {}
        dists: dict[str, tuple[str, str]] = getattr(pm, "pixf_distributions", {})
        by_kind = {"filter": self.filters, "classifier": self.classifiers, "format": self.formats}
        order = {name: i for i, name in enumerate(BUILTIN_PLUGINS)}
        for kind, (hook_name, spec_type) in _HOOKS.items():
            impls = getattr(pm.hook, hook_name).get_hookimpls()
            impls = sorted(impls, key=lambda impl: (order.get(impl.plugin_name, len(order)), impl.plugin_name))
            for impl in impls:
                for spec in self._call(impl, hook_name, spec_type):
                    target = by_kind[kind]
                    if spec.name in target:
                        self.problems.append(
                            PluginProblem(
                                impl.plugin_name,
                                f"{kind} {spec.name!r} already provided by plugin {target[spec.name].plugin!r}; skipped",
                            )
                        )
                        continue
                    target[spec.name] = replace(spec, plugin=impl.plugin_name)
                    dist, version = dists.get(impl.plugin_name, ("?", "?"))
                    summary = (spec.description or spec.title).strip().splitlines()[0]
                    self.entries.append(RegistryEntry(kind, spec.name, impl.plugin_name, dist, version, summary))

    def _call(self, impl: Any, hook_name: str, spec_type: type) -> list[Any]:
        try:
            result = impl.function()
        except Exception as exc:
            self.problems.append(PluginProblem(impl.plugin_name, f"{hook_name} raised {type(exc).__name__}: {exc}"))
            return []
        if not isinstance(result, (list, tuple)):
            self.problems.append(
                PluginProblem(impl.plugin_name, f"{hook_name} must return a list, got {type(result).__name__}")
            )
            return []
        good = []
        for spec in result:
            if not isinstance(spec, spec_type):
                self.problems.append(
                    PluginProblem(impl.plugin_name, f"{hook_name} returned {spec!r}, not a {spec_type.__name__}")
                )
                continue
            try:
                spec.validate()
            except ValidationError as exc:
                self.problems.append(PluginProblem(impl.plugin_name, f"invalid spec: {exc}"))
                continue
            except Exception as exc:
                self.problems.append(
                    PluginProblem(impl.plugin_name, f"spec {getattr(spec, 'name', '?')!r} failed validation: {exc}")
                )
                continue
            good.append(spec)
        return good

    @staticmethod
    def _lookup(kind: str, table: Mapping[str, Any], name: str) -> Any:
        try:
            return table[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(table), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise NotFound(f"unknown {kind} {name!r}{hint} (installed: {', '.join(sorted(table)) or 'none'})") from None

    def filter(self, name: str) -> FilterSpec:
        """The filter spec called ``name``."""
        return self._lookup("filter", self.filters, name)

    def classifier(self, name: str) -> ClassifierSpec:
        """The classifier spec called ``name``."""
        return self._lookup("classifier", self.classifiers, name)

    def format(self, name: str) -> FormatSpec:
        """The format spec called ``name``."""
        return self._lookup("format", self.formats, name)


_lock = threading.Lock()
_registry: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry, built on first use from the installed plugins."""
    global _registry
    with _lock:
        if _registry is None:
            problems: list[PluginProblem] = []
            pm = get_plugin_manager(problems=problems)
            _registry = Registry(pm, problems)
        return _registry


def reset_registry() -> None:
    """Forget the cached registry (after installing plugins or changing ``PIXF_BLOCK_PLUGINS``)."""
    global _registry
    with _lock:
        _registry = None
