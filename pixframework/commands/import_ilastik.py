"""``pixf import-ilastik``: turn an ilastik Pixel Classification project (.ilp) into a pixframework project."""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(
        name,
        help="import an ilastik Pixel Classification project (.ilp): images, classes, labels, features",
        description="Import an ilastik Pixel Classification project. Nothing in the .ilp is unpickled; "
        "ilastik's trained forest is not imported, so the new project is retrained from the imported labels.",
    )
    p.add_argument("ilp", metavar="PROJECT.ilp", help="the ilastik project file")
    p.add_argument("project", metavar="NEW.pixf", help="the pixframework project to create (must not exist)")
    p.add_argument(
        "--search-dir",
        dest="search_dirs",
        action="append",
        default=[],
        metavar="DIR",
        help="folder to look in, by file name, for images that moved (repeatable; searched recursively)",
    )
    p.add_argument(
        "--copy-data",
        action="store_true",
        help="copy image files into the new project (data stored inside the .ilp is always copied)",
    )
    p.add_argument(
        "--train", action="store_true", help="train the classifier on the imported labels right away"
    )
    p.add_argument("--json", action="store_true", help="print the import summary as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..ilastik import import_project

    log = None if args.json else (lambda message: print(f"... {message}", file=sys.stderr))
    report = import_project(
        args.ilp,
        args.project,
        search_dirs=args.search_dirs,
        copy_data=args.copy_data,
        train=args.train,
        log=log,
    )
    if args.json:
        print(json.dumps(report.to_json(), indent=2, default=str))
    else:
        print("\n".join(report.lines()))
    return 0
