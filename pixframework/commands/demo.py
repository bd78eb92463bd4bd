"""``pixf demo``: the whole workflow, embedded, on generated images."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="run the full workflow on generated images (no server, no download)")
    p.add_argument("--output", default="pixf-demo", help="folder for images, project, results and picture (default: %(default)s)")
    p.add_argument("--size", type=int, default=384, help="edge length of the generated images in pixels (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated data (default: %(default)s)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..demo import run_demo

    console = Console(highlight=False)
    console.print("[bold]pixframework demo[/]: generate 3 cell images, label 2, train, predict all 3, export")
    run_demo(args.output, size=args.size, seed=args.seed, report=console.print)
    return 0
