"""``pixf info``: summary of a project."""

from __future__ import annotations

import argparse
import json

from .common import add_project_options, open_project


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="summarise a project: images, classes, labels, features, classifier")
    add_project_options(p, positional=True)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_project(args, save=False) as project:
        summary = project.summary()
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    console.print(f"[bold]{summary['path']}[/]")
    images = Table(title="images")
    for col in ("name", "shape", "axes", "dtype", "source", "labelled pixels"):
        images.add_column(col)
    for image in summary["images"]:
        counts = summary["label_counts"].get(image["name"], {})
        images.add_row(image["name"], str(tuple(image["shape"])), image["axes"], image["dtype"], str(image["source"]),
                       ", ".join(f"{k}: {v}" for k, v in counts.items()) or "none")
    console.print(images)
    console.print("classes: " + (", ".join(f"{c['index']} {c['name']} ({c['color']})" for c in summary["classes"]) or "none"))
    entries = summary["features"].get("entries", []) if isinstance(summary["features"], dict) else []
    console.print(f"features: {len(entries)} filter x scale entries, {summary['n_features']} channels per pixel")
    params = ", ".join(f"{k}={v}" for k, v in summary["classifier"]["params"].items())
    console.print(f"classifier: {summary['classifier']['name']}" + (f" ({params})" if params else ""))
    model = summary.get("model") or {}
    if summary["trained"] and model.get("origin") == "ilastik":
        console.print(f"trained: by ilastik ({model.get('trees')} trees in {model.get('forests')} vigra forest(s), "
                      f"from {model.get('source')})")
    elif summary["trained"]:
        console.print(f"trained: yes, on {model.get('samples')} samples")
    else:
        console.print("trained: no" + (f" ({model['invalidated']})" if model.get("invalidated") else ""))
    return 0
