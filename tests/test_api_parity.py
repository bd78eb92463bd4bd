"""`RemoteProject` offers the same public methods as `Project`: names, parameters and types.

Code written against an embedded project runs against a remote one. Where they must differ, the
difference is listed below with its reason; a difference not listed fails, and so does a listed
one that no longer exists (so the list stays true).
"""

from __future__ import annotations

import inspect
import typing
from typing import Any

from pixframework.client import RemoteProject
from pixframework.project import Project

#: member -> why only Project has it
ONLY_EMBEDDED = {
    "create": "a classmethod on the local file system; remotely Client.create_project(path)",
    "open": "a classmethod on the local file system; remotely Client.open_project(path)",
    "has_unsaved_changes": "the server saves when the last session closes; clients call save()",
    "prediction_job": "a job object for this process's blockwise runner; remote exports run on the server",
    "set_model": "installs a model object from this process (ilastik's forest); on a server, import the .ilp there",
}
#: member -> why only RemoteProject has it
ONLY_REMOTE = {
    "cancel_training": "stops a training another client (or thread) started on the shared server project",
}
#: property -> why its value has another type remotely
DIFFERENT_TYPES = {
    "path": "a local Path embedded; remotely a PurePosixPath relative to the server's data root",
}
#: method -> parameters only Project's version has, and why
EMBEDDED_PARAMETERS = {
    "export": ({"block", "dask"}, "block shape and Dask cluster of the server's own export"),
}


def _members(cls: type) -> dict[str, Any]:
    return {
        name: inspect.getattr_static(cls, name)
        for name in dir(cls)
        if not name.startswith("_")
    }


def _kind(member: Any) -> str:
    if isinstance(member, property):
        return "property"
    if isinstance(member, classmethod):
        return "classmethod"
    if isinstance(member, staticmethod):
        return "staticmethod"
    return "method" if callable(member) else "attribute"


def _parameters(cls: type, name: str) -> dict[str, tuple[Any, Any, Any]]:
    """``name -> (kind, default, resolved type)`` of a method's parameters, plus ``"return"``."""
    function = getattr(cls, name)
    hints = typing.get_type_hints(function)
    signature = inspect.signature(function)
    params = {
        p.name: (p.kind, p.default, hints.get(p.name, Any))
        for p in signature.parameters.values()
        if p.name != "self"
    }
    params["return"] = (None, None, hints.get("return", Any))
    return params


def test_both_offer_the_same_members_apart_from_the_listed_ones() -> None:
    embedded, remote = _members(Project), _members(RemoteProject)
    assert sorted(set(embedded) - set(remote)) == sorted(ONLY_EMBEDDED)
    assert sorted(set(remote) - set(embedded)) == sorted(ONLY_REMOTE)
    kinds = {name: (_kind(embedded[name]), _kind(remote[name])) for name in set(embedded) & set(remote)}
    assert {name: k for name, k in kinds.items() if k[0] != k[1]} == {}


def test_shared_methods_take_the_same_parameters_of_the_same_types() -> None:
    shared = sorted(set(_members(Project)) & set(_members(RemoteProject)))
    methods = [name for name in shared if _kind(inspect.getattr_static(Project, name)) == "method"]
    assert len(methods) > 20
    for name in methods:
        embedded, remote = _parameters(Project, name), _parameters(RemoteProject, name)
        extra, _ = EMBEDDED_PARAMETERS.get(name, (set(), ""))
        assert set(embedded) - set(remote) == extra, f"{name}: parameters only Project has"
        assert set(remote) - set(embedded) == set(), f"{name}: parameters only RemoteProject has"
        for param in remote:
            assert embedded[param] == remote[param], f"{name}({param}): {embedded[param]} != {remote[param]}"


def test_shared_properties_give_values_of_the_same_type() -> None:
    shared = set(_members(Project)) & set(_members(RemoteProject))
    properties = [name for name in sorted(shared) if _kind(inspect.getattr_static(Project, name)) == "property"]
    differ = set()
    for name in properties:
        embedded = typing.get_type_hints(inspect.getattr_static(Project, name).fget).get("return")
        remote = typing.get_type_hints(inspect.getattr_static(RemoteProject, name).fget).get("return")
        if embedded != remote:
            differ.add(name)
    assert differ == set(DIFFERENT_TYPES)
