"""Options and helpers shared by the sub-commands that act on a project."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import ValidationError


def checked(check: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse ``type=`` from a core check: its ValidationError becomes argparse's own error,
    which names the flag (``argument --dtype: 'int7' is not a pixel type; ...``)."""

    def parse(text: str) -> Any:
        try:
            return check(text)
        except ValidationError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = check.__name__  # argparse names the type in some messages
    return parse

from ..errors import ValidationError


def add_project_options(p: argparse.ArgumentParser, *, positional: bool = False) -> None:
    if positional:
        p.add_argument("project", help="project directory (NAME.pixf), or an ilastik project (NAME.ilp) to use as is")
    else:
        p.add_argument("--project", required=True,
                       help="project directory (NAME.pixf), or an ilastik project (NAME.ilp) to use as is")
    p.add_argument("--server", metavar="ADDRESS", help="run on a pixf server (host:port) instead of in this process; "
                   "the project path is then relative to the server's data root")
    p.add_argument("--token-file", help="file holding the server's access token")
    p.add_argument("--tls-ca", help="CA certificate to verify a TLS server")


@contextlib.contextmanager
def open_project(args: argparse.Namespace, *, save: bool) -> Iterator[Any]:
    """The project named by ``args``: embedded :class:`Project`, or a remote one with ``--server``.

    An ``.ilp`` is used directly (:func:`pixframework.ilastik.direct.opened_ilp`: its forest, its
    features), read-only.
    """
    if str(args.project).lower().endswith(".ilp"):
        if save:
            raise ValidationError(f"{args.project} is an ilastik project, which pixframework never writes: import it "
                                  "first with `pixf import-ilastik PROJECT.ilp NEW.pixf`")
        if getattr(args, "server", None):
            raise ValidationError("--server cannot open an ilastik project (.ilp) directly: import it on the server "
                                  "with `pixf import-ilastik`, then pass the .pixf")
        from ..ilastik.direct import opened_ilp

        with opened_ilp(args.project, log=lambda message: print(f"... {message}", file=sys.stderr)) as (project, _):
            yield project
        return
    with contextlib.ExitStack() as stack:
        if getattr(args, "server", None):
            from ..client import connect

            token = Path(args.token_file).read_text().strip() if args.token_file else None
            client = connect(args.server, token=token, tls=args.tls_ca or False)
            stack.callback(client.close)
            project = client.open_project(args.project)
        else:
            from ..project import Project

            project = Project.open(args.project)
        stack.callback(project.close, save=False)
        yield project
        if save:
            project.save()


def progress_bar(console: Any = None) -> Any:
    """A rich progress bar with percentage, elapsed and remaining time."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )
