"""How the ``pixf`` command tells its reader what went wrong: in terms of its commands and flags.

Domain errors keep their fact and get their remedy in the CLI's words (:data:`CLI_WORDS`); a
server that cannot be reached, a missing optional part of pixframework, and a file the system
refused are said plainly. Only a real bug is reported as an internal error (``--debug`` shows it).
"""

from __future__ import annotations

import argparse

from ..errors import PixfError, Remedy, advise

#: the remedies of pixframework's errors in the words of the command line ({project}: the --project given)
CLI_WORDS: dict[Remedy, str] = {
    Remedy.TRAIN: "run `pixf train {project}` first",
    Remedy.REPLACE: "give a path that does not exist yet (the pixf command never replaces a project)",
    Remedy.READ_FORMAT: "give the file its format's extension (`pixf plugins` lists the formats)",
    Remedy.WRITE_FORMAT: "give --output a known extension, or name the format with --format",
    Remedy.EXPORT_DTYPE: "add --dtype uint8 (probabilities scaled to 0..255)",
    Remedy.TOKEN: "give the token with --token-file FILE",
    Remedy.LISTEN_ADDRESS: "choose another with --address HOST:PORT",
    Remedy.AXES: "give them with --axes, e.g. --axes zyxc",
}

#: top-level module -> the extra that installs it
EXTRAS = {
    "grpc": "server", "grpc_health": "server", "grpc_reflection": "server", "google": "server",
    "napari": "gui", "qtpy": "gui", "PyQt5": "gui", "dask": "dask", "distributed": "dask",
}  # fmt: skip

#: gRPC status names that mean "no server there" rather than "the server refused"
_UNREACHABLE = {"UNAVAILABLE", "DEADLINE_EXCEEDED"}


def describe(exc: BaseException, args: argparse.Namespace) -> tuple[str, bool]:
    """``(text, is_bug)``: one line for the reader, and whether it is an internal error."""
    if isinstance(exc, PixfError):
        code = getattr(getattr(exc, "code", None), "name", None)
        if code in _UNREACHABLE:
            where = f" --server {args.server}" if getattr(args, "server", None) else ""
            return f"{getattr(exc, 'details', exc)}; check{where} and that `pixf serve` runs there", False
        if code is not None:  # the server failed without naming a domain error
            return f"the server failed: {getattr(exc, 'details', exc)}", False
        return advise(exc, _words(args)), False
    if isinstance(exc, ModuleNotFoundError) and (exc.name or "").split(".")[0] in EXTRAS:
        extra = EXTRAS[(exc.name or "").split(".")[0]]
        return (
            f"`pixf {args.command}` needs pixframework's {extra} parts, which are not installed "
            f'(no module {exc.name!r}): pip install "pixframework[{extra}]"',
            False,
        )
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror, False
    return f"internal error, please report it with the output of --debug: {type(exc).__name__}: {exc}", True


def _words(args: argparse.Namespace) -> dict[Remedy, str]:
    project = getattr(args, "project", None)
    target = f"--project {project}" if project else "--project PROJECT"
    if getattr(args, "server", None):
        target += f" --server {args.server}"
    return {remedy: text.replace("{project}", target) for remedy, text in CLI_WORDS.items()}
