"""The ``pixf`` command line.

Every sub-command lives in :mod:`pixframework.commands` as one small module with ``add_parser`` and
``run``; this file only wires them up and turns errors into one clear line, in the command line's
words (:mod:`pixframework.commands.messages`; the traceback with ``--debug``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any, Callable, Sequence

from . import __version__
from .commands.messages import describe

#: sub-command name -> module in pixframework.commands
COMMANDS = {
    "demo": "demo",
    "plugins": "plugins",
    "info": "info",
    "train": "train",
    "predict": "predict",
    "serve": "serve",
    "import-ilastik": "import_ilastik",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pixf",
        description="pixframework: pixel classification for microscopy images (the ilastik workflow).",
    )
    parser.add_argument("--version", action="version", version=f"pixframework {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(f"pixframework.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"pixframework.commands.{module_name}":
                continue  # command not part of this build
            raise
        module.add_parser(sub, name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--headless" in argv and argv[0] not in COMMANDS:
        # ilastik's command line (`run_ilastik.sh --headless ...`), unchanged
        from .commands.headless import run

        return _guarded(lambda: run(argv), argparse.Namespace(command="--headless", debug="--debug" in argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return _guarded(lambda: args.run(args), args)


def _guarded(run: Callable[[], Any], args: argparse.Namespace) -> int:
    """Run a command; errors become one clear line (the traceback with ``--debug``)."""
    try:
        return int(run() or 0)
    except KeyboardInterrupt:
        print("pixf: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        text, _ = describe(exc, args)
        print(f"pixf: error: {text}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
