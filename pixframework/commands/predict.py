"""``pixf predict``: batch prediction of images with a trained project (ilastik headless compatible).

ilastik's headless flag names are accepted as aliases so batch scripts port over:
``--export_source``, ``--output_format``, ``--output_filename_format``, ``--raw_data``,
``--export_dtype``; ``--headless`` is accepted and ignored.
"""

from __future__ import annotations

import argparse

from ..errors import ValidationError
from ..outputs import export_dtype
from .common import add_project_options, checked, open_project, progress_bar

#: ilastik's export source names -> ours
SOURCES = {
    "probabilities": "probabilities",
    "segmentation": "segmentation",
    "simple segmentation": "segmentation",
    "uncertainty": "uncertainty",
}
#: ilastik's output format names -> our format plugins
FORMATS = {
    "hdf5": "h5",
    "compressed hdf5": "h5",
    "numpy": "npy",
    "tif": "tiff",
    "multipage tiff": "tiff",
}
EXTENSIONS = {"tiff": ".tif", "h5": ".h5/exported_data", "npy": ".npy", "zarr": ".zarr", "ome-zarr": ".ome.zarr", "png": ".png"}


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="predict images with a trained project and export the results")
    add_project_options(p)
    p.add_argument("images", nargs="*", help="image files to predict (default: the project's own images)")
    p.add_argument("--raw_data", nargs="+", default=[], help="alias of IMAGES (ilastik)")
    p.add_argument("--export", "--export_source", dest="export", default="probabilities",
                   help="probabilities | segmentation | uncertainty (ilastik names accepted; default: %(default)s)")
    p.add_argument("--format", "--output_format", dest="format", default="tiff",
                   help="output format plugin: tiff, zarr, ome-zarr, npy, h5, ... (default: %(default)s)")
    p.add_argument("--output", "--output_filename_format", dest="output", default=None,
                   help="output path template with {dataset_dir}, {nickname}, {result_type} "
                        "(default: {dataset_dir}/{nickname}_{result_type}.EXT)")
    p.add_argument("--dtype", "--export_dtype", dest="dtype", default=None, type=checked(export_dtype), help="e.g. uint8 to scale probabilities to 0..255")
    p.add_argument("--axes", default=None, help="axes of the input images when they cannot be read from the files")
    p.add_argument("--block", type=_block_shape, default=None, metavar="N[,N...]",
                   help="block edge or shape in pixels for blockwise prediction, e.g. 256 or 64,128,128 "
                        "(default 1024 in 2D, 128 in 3D)")
    p.add_argument("--dask", default=None, metavar="SCHEDULER",
                   help="run blocks on Dask: 'local' (a local process cluster) or a scheduler address")
    p.add_argument("--headless", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def _block_shape(text: str) -> int | tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"block must be N or N,N[,N], got {text!r}") from None
    return values[0] if len(values) == 1 else values


def resolve_source(value: str) -> str:
    try:
        return SOURCES[value.strip().lower()]
    except KeyError:
        raise ValidationError(f"unknown export source {value!r}; choose probabilities, segmentation or uncertainty") from None


def resolve_format(value: str) -> str:
    return FORMATS.get(value.strip().lower(), value.strip().lower())


def run(args: argparse.Namespace) -> int:
    output = resolve_source(args.export)
    fmt = resolve_format(args.format)
    template = args.output or "{dataset_dir}/{nickname}_{result_type}" + EXTENSIONS.get(fmt, f".{fmt}")
    inputs = list(args.images) + list(args.raw_data)
    block = args.block
    written = []
    with open_project(args, save=False) as project, progress_bar() as bar:

        def export(name: str) -> None:
            task = bar.add_task(f"{name}", total=None)

            def progress(done: int, total: int, message: str) -> None:
                bar.update(task, completed=done, total=total, description=f"{name}: {done}/{total} blocks")

            kwargs = {"block": block, "progress": progress} if not args.server else {}
            if args.dask:
                kwargs["dask"] = args.dask
            written.append(project.export(name, template, output=output, format=fmt, dtype=args.dtype, **kwargs))

        if not inputs:
            for name in project.images:
                export(name)
        for path in inputs:
            name = project.add_image(path, axes=args.axes)
            try:
                export(name)
            finally:
                project.remove_image(name)
    for path in written:
        print(path)
    return 0
