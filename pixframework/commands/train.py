"""``pixf train``: train a project's classifier on its labels and save it."""

from __future__ import annotations

import argparse

from .common import add_project_options, open_project, progress_bar


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="train the project's classifier on its labels and save the model")
    add_project_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_project(args, save=True) as project, progress_bar() as bar:
        task = bar.add_task("training", total=1.0)
        summary = project.train(progress=lambda fraction, message: bar.update(task, completed=fraction, description=message))
        bar.update(task, completed=1.0)
    samples = summary.get("samples", {})
    print(f"trained {summary.get('classifier')} on {sum(samples.values())} samples ({samples}) "
          f"x {summary.get('features')} features; project saved")
    return 0
