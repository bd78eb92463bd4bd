"""Where an export writes: the template rendered once, confined, never over the project's own data."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from .confine import Confinement
from .errors import PermissionDenied, ValidationError
from .names import check_path_text
from .outputs import render_template


def _overlap(a: str, b: str) -> bool:
    """Whether one of two real paths is the other or lies inside it."""
    pa, pb = Path(a), Path(b)
    return pa == pb or pa.is_relative_to(pb) or pb.is_relative_to(pa)


def export_target(
    template: str,
    *,
    nickname: str,
    dataset_dir: str,
    output: str,
    inputs: Iterable[tuple[str, str]],
    project_dir: Path,
    confinement: Confinement | None,
) -> str:
    """The path an export of one image writes to.

    :param template: the path as the user gave it, with ``{dataset_dir}``, ``{nickname}``,
        ``{result_type}`` placeholders (relative to the data root when confined).
    :param inputs: ``(image name, path)`` of every image file the project reads.
    :param project_dir: the ``.pixf`` directory, which an export may never write into.
    :param confinement: the server's data root, or ``None`` in embedded use (then ``~`` in the
        template is expanded and relative paths are relative to the working directory).
    :raises ValidationError: a bad template, or a target that is an input image or project file.
    :raises PermissionDenied: a target outside the data root.
    """
    if confinement is None:
        template = os.path.expanduser(template)  # the template only: a value starting with ~ stays literal
    rendered = check_path_text(
        render_template(template, dataset_dir=dataset_dir, nickname=nickname, output=output), "export path"
    )
    target = str(confinement.resolve(rendered, "export path")) if confinement is not None else rendered
    real = os.path.realpath(target)
    shown = confinement.relative(real) if confinement is not None else rendered
    if _overlap(real, os.path.realpath(project_dir)):
        raise ValidationError(
            f"the export path {shown!r} is inside the project folder (or contains it); export next to it instead"
        )
    for name, path in inputs:
        if _overlap(real, os.path.realpath(path)):
            raise ValidationError(
                f"the export path {shown!r} would overwrite the input image {name!r}; choose another file name "
                "(e.g. '{dataset_dir}/{nickname}_{result_type}.tif')"
            )
    if confinement is not None and not confinement.contains(os.path.dirname(real) or "."):
        raise PermissionDenied(f"the export path {shown!r} is outside the server's data root")
    return target
