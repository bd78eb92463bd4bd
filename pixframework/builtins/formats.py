"""Built-in plugin: image file formats (TIFF, PNG, JPEG, NumPy, Zarr, OME-Zarr, HDF5).

Each format's code lives in its own module of :mod:`pixframework.io` (exposing ``FORMAT``,
``EXTENSIONS``, ``sniff``, ``open_*`` and ``create_*``); this plugin only declares them, through
the same hook third-party format plugins use.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

from ..hookspecs import hookimpl
from ..specs import FormatSpec, Parameter

_RESUME = Parameter(
    "resume", False, "bool", "keep an existing output of the same shape and dtype and write into it"
)


def _declare(
    module: ModuleType,
    title: str,
    description: str,
    open: Callable[..., Any],
    create: Callable[..., Any],
    **extra: Any,
) -> FormatSpec:
    return FormatSpec(
        name=module.FORMAT,
        title=title,
        extensions=module.EXTENSIONS,
        open=open,
        create=create,
        sniff=module.sniff,
        description=description,
        **extra,
    )


@hookimpl(trylast=True)
def pixf_register_formats() -> list[FormatSpec]:
    """The built-in formats, in the order used to break ties between formats claiming one extension."""
    from ..io import h5, jpeg, ngff, npy, ome_zarr, plain_zarr, png, tiff

    return [
        _declare(
            tiff,
            "TIFF / OME-TIFF",
            "TIFF incl. multipage, ImageJ and OME-TIFF (tifffile); memory-mapped or page-wise reads",
            tiff.open_tiff,
            tiff.create_tiff,
            parameters=(
                Parameter(
                    "compression",
                    "none",
                    "str",
                    "'none' (memory-mappable) or 'zlib'",
                    choices=tiff.COMPRESSIONS,
                ),
                Parameter("ome", True, "bool", "write OME-XML metadata (axes for Fiji/Bio-Formats)"),
            ),
        ),
        _declare(
            png,
            "PNG",
            "PNG, 8/16 bit grey, RGB, RGBA (OpenCV)",
            png.open_png,
            png.create_png,
            parameters=(Parameter("compression", 3, "int", "zlib level 0..9", minimum=0, maximum=9),),
        ),
        _declare(
            jpeg,
            "JPEG",
            "JPEG, 8 bit grey or RGB, lossy (Pillow)",
            jpeg.open_jpeg,
            jpeg.create_jpeg,
            parameters=(Parameter("quality", 95, "int", "1 (small) .. 100 (best)", minimum=1, maximum=100),),
        ),
        _declare(
            npy,
            "NumPy .npy",
            "NumPy .npy, memory-mapped; object arrays refused (never unpickled)",
            npy.open_npy,
            npy.create_npy,
        ),
        _declare(
            plain_zarr,
            "Zarr array",
            "Zarr v2/v3 array (path may continue inside a group: data.zarr/raw), chunk-wise",
            plain_zarr.open_zarr,
            plain_zarr.create_zarr,
            chunked=True,
            parameters=(
                Parameter("zarr_format", 3, "int", "zarr format version", choices=plain_zarr.ZARR_FORMATS),
                _RESUME,
            ),
        ),
        _declare(
            ome_zarr,
            "OME-Zarr (OME-NGFF)",
            "OME-Zarr multiscale image: reads level 0 with axes from metadata, writes NGFF 0.4/0.5",
            ome_zarr.open_ome_zarr,
            ome_zarr.create_ome_zarr,
            chunked=True,
            parameters=(
                Parameter("version", "0.4", "str", "NGFF version written", choices=ngff.VERSIONS_WRITTEN),
                Parameter("unit", None, "str", "spatial unit of the scale (e.g. micrometer)", nullable=True),
                Parameter("name", None, "str", "image name stored in the metadata", nullable=True),
                _RESUME,
            ),
        ),
        _declare(
            h5,
            "HDF5",
            "HDF5 dataset (file.h5/path/in/file) via h5py, chunk-wise; ilastik axistags",
            h5.open_h5,
            h5.create_h5,
            chunked=True,
            parameters=(
                Parameter("compression", "gzip", "str", "'gzip', 'lzf' or 'none'", choices=h5.COMPRESSIONS),
                _RESUME,
            ),
        ),
    ]
