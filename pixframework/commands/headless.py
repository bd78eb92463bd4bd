"""``pixf --headless ...``: the argument list of ``run_ilastik.sh --headless`` works unchanged.

Flags are ilastik's (headless shell, data selection, data export); one pixframework cannot honour
is an error naming it. Settings the ``.ilp`` stores ("Prediction Export") apply unless a flag
overrides them, as in ilastik. The rules are in :mod:`pixframework.ilastik.export`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import ValidationError
from .common import progress_bar

#: ilastik flags pixframework knows but does not support, and why
UNSUPPORTED = {
    "--prediction_mask": "prediction masks are not supported",
    "--prediction-mask": "prediction masks are not supported",
    "--distributed": "run blocks on a Dask cluster with `pixf predict --dask` instead",
    "--retrain": "pixframework never writes into .ilp files; import it (pixf import-ilastik) and `pixf train`",
    "--new_project": "create projects with pixframework (pixf import-ilastik, or the Python API)",
    "--table_only": "there are no tables in pixel classification",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would print usage and exit 2
        raise ValidationError(f"pixf --headless: {message}")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="pixf --headless", add_help=True, allow_abbrev=False,
                description="Run a project like ilastik's headless mode: same flags, same files.")
    p.add_argument("--headless", action="store_true", required=True)
    p.add_argument("--project", required=True, help="the ilastik project (.ilp) or a pixframework project (.pixf)")
    p.add_argument("--readonly", action="store_true", help="accepted: pixframework never writes the project")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.add_argument("--raw_data", "--raw-data", nargs="+", default=None, help="input files")
    p.add_argument("inputs", nargs="*", help="input files (when --raw_data is not given)")
    p.add_argument("--input_axes", "--input-axes", default=None, help="axes of the input files, e.g. zyx")
    p.add_argument("--ignore_training_axistags", "--ignore-training-axistags", action="store_true")
    p.add_argument("--stack_along", "--stack-along", default="z", help="axis to stack file series along")
    p.add_argument("--preconvert_stacks", "--preconvert-stacks", action="store_true",
                   help="accepted: stacks are read into memory anyway")
    p.add_argument("--export_source", default=None)
    p.add_argument("--output_format", default=None)
    p.add_argument("--output_filename_format", default=None)
    p.add_argument("--output_internal_path", default=None)
    p.add_argument("--output_axis_order", default=None)
    p.add_argument("--export_dtype", default=None)
    p.add_argument("--pipeline_result_drange", default=None)
    p.add_argument("--export_drange", default=None)
    p.add_argument("--cutout_subregion", default=None)
    p.add_argument("--search-dir", dest="search_dirs", action="append", default=[],
                   help="(pixframework) where to look for the .ilp's training images if it must be trained")
    return p


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Parse ilastik's flags; anything else is an error naming the flag."""
    for arg in argv:
        flag = arg.split("=", 1)[0]
        if flag in UNSUPPORTED:
            raise ValidationError(f"pixf --headless: {flag} is not supported: {UNSUPPORTED[flag]}")
    args, unknown = build_parser().parse_known_args(list(argv))
    if unknown:
        raise ValidationError(f"pixf --headless: unsupported argument(s): {' '.join(unknown)} "
                              "(see `pixf --headless --help`)")
    if args.raw_data and args.inputs:
        raise ValidationError("pixf --headless: give the input files either with --raw_data or as plain arguments")
    return args


def settings_from(args: argparse.Namespace, stored: dict[str, Any]) -> Any:
    """The export settings: the project's, overridden by the flags given."""
    from ..ilastik.export import from_project, parse_cutout, parse_range

    settings = from_project(stored)
    changes: dict[str, Any] = {}
    if args.export_source is not None:
        changes["source"] = args.export_source
    if args.output_format is not None:
        changes["format"] = args.output_format
    if args.output_filename_format is not None:
        changes["template"], changes["template_from_cli"] = args.output_filename_format, True
    if args.output_internal_path is not None:
        changes["internal_path"] = args.output_internal_path
    if args.output_axis_order is not None:
        changes["axis_order"] = args.output_axis_order.lower()
    if args.export_dtype is not None:
        changes["dtype"] = args.export_dtype
    if args.pipeline_result_drange is not None:
        changes["input_range"] = parse_range(args.pipeline_result_drange, "--pipeline_result_drange")
    if args.export_drange is not None:
        changes["export_range"] = parse_range(args.export_drange, "--export_drange")
    if args.cutout_subregion is not None:
        changes["cutout"] = parse_cutout(args.cutout_subregion)
    return replace(settings, **changes).checked()


@contextlib.contextmanager
def _opened(args: argparse.Namespace) -> Iterator[tuple[Any, Any]]:
    """``(project, plan or None)`` for ``--project``."""
    path = args.project
    if path.lower().endswith(".ilp"):
        from ..ilastik.direct import opened_ilp

        with opened_ilp(path, search_dirs=args.search_dirs,
                        log=lambda message: print(f"... {message}", file=sys.stderr)) as opened:
            yield opened
        return
    from ..project import Project

    project = Project.open(path)
    try:
        yield project, None
    finally:
        project.close(save=False)


def run(argv: Sequence[str]) -> int:
    from ..ilastik import headless

    args = parse(argv)
    inputs = list(args.raw_data or args.inputs)
    if not inputs:
        raise ValidationError("pixf --headless: no input files; pass the images to process (as for ilastik)")
    with _opened(args) as (project, plan):
        settings = settings_from(args, plan.export_settings if plan is not None else {})
        if not project.is_trained:
            raise ValidationError(f"{args.project} has no trained classifier; train it first (pixf train)")
        training = plan.layout if plan is not None else None
        default_axes = None if args.ignore_training_axistags or training is None else training.axes
        base = os.getcwd() if settings.template_from_cli or plan is None else str(Path(plan.path).parent)
        images = [headless.read_input(text, axes=args.input_axes, training_axes=default_axes,
                                      stack_along=args.stack_along) for text in inputs]
        layouts = [headless.check_like_training(image, training) for image in images]
        written: list[str] = []
        with progress_bar() as bar:
            for image, layout in zip(images, layouts):
                task = bar.add_task(image.text, total=None)

                def progress(done: int, total: int, what: str, task: Any = task) -> None:
                    bar.update(task, completed=done, total=total, description=f"{what}: {done}/{total} tiles")

                name = headless.add_input(project, image, layout)
                try:
                    written += headless.export_input(project, name, image, layout, settings, base,
                                                     plan.columns if plan is not None else None, progress)
                finally:
                    project.remove_image(name)
    for path in written:
        print(path)
    return 0
