"""``pixf plugins``: what the installed plugins provide."""

from __future__ import annotations

import argparse
import json

from ..registry import get_registry


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="list installed filter, classifier and format plugins")
    p.add_argument("--json", action="store_true", help="machine-readable output with stable keys")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    registry = get_registry()
    if args.json:
        doc = {
            "plugins": [e.to_json() for e in registry.entries],
            "problems": [{"plugin": p.plugin, "error": p.error} for p in registry.problems],
        }
        print(json.dumps(doc, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title="pixframework plugins")
    for column in ("kind", "name", "plugin", "distribution", "version", "summary"):
        table.add_column(column, overflow="fold")
    for e in registry.entries:
        table.add_row(e.kind, e.name, e.plugin, e.distribution, e.version, e.summary)
    console = Console()
    console.print(table)
    for p in registry.problems:
        console.print(f"[bold red]skipped[/] plugin [bold]{p.plugin}[/]: {p.error}", highlight=False)
    return 0
