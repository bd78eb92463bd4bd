"""Built-in plugin: image file formats (TIFF, PNG, JPEG, NumPy, Zarr, OME-Zarr, HDF5).

Each format's code lives in its own module of :mod:`pixframework.io`; this plugin only
declares them, through the same hook third-party format plugins use.
"""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..specs import FormatSpec, Parameter

_RESUME = Parameter(
    "resume", False, "bool", "keep an existing output of the same shape and dtype and write into it"
)


def _tiff() -> FormatSpec:
    from ..io import tiff

    return FormatSpec(
        name=tiff.FORMAT,
        title="TIFF / OME-TIFF",
        extensions=tiff.EXTENSIONS,
        open=tiff.open_tiff,
        create=tiff.create_tiff,
        sniff=tiff.sniff,
        description="TIFF incl. multipage, ImageJ and OME-TIFF (tifffile); memory-mapped or page-wise reads",
        parameters=(
            Parameter("compression", "none", "str", "'none' (memory-mappable) or 'zlib'", choices=tiff.COMPRESSIONS),
            Parameter("ome", True, "bool", "write OME-XML metadata (axes for Fiji/Bio-Formats)"),
        ),
    )


def _png() -> FormatSpec:
    from ..io import png

    return FormatSpec(
        name=png.FORMAT,
        title="PNG",
        extensions=png.EXTENSIONS,
        open=png.open_png,
        create=png.create_png,
        sniff=png.sniff,
        description="PNG, 8/16 bit grey, RGB, RGBA (OpenCV)",
        parameters=(Parameter("compression", 3, "int", "zlib level 0..9", minimum=0, maximum=9),),
    )


def _jpeg() -> FormatSpec:
    from ..io import jpeg

    return FormatSpec(
        name=jpeg.FORMAT,
        title="JPEG",
        extensions=jpeg.EXTENSIONS,
        open=jpeg.open_jpeg,
        create=jpeg.create_jpeg,
        sniff=jpeg.sniff,
        description="JPEG, 8 bit grey or RGB, lossy (Pillow)",
        parameters=(Parameter("quality", 95, "int", "1 (small) .. 100 (best)", minimum=1, maximum=100),),
    )


def _npy() -> FormatSpec:
    from ..io import npy

    return FormatSpec(
        name=npy.FORMAT,
        title="NumPy .npy",
        extensions=npy.EXTENSIONS,
        open=npy.open_npy,
        create=npy.create_npy,
        sniff=npy.sniff,
        description="NumPy .npy, memory-mapped; object arrays refused (never unpickled)",
    )


def _zarr() -> FormatSpec:
    from ..io import plain_zarr

    return FormatSpec(
        name=plain_zarr.FORMAT,
        title="Zarr array",
        extensions=plain_zarr.EXTENSIONS,
        open=plain_zarr.open_zarr,
        create=plain_zarr.create_zarr,
        sniff=plain_zarr.sniff,
        chunked=True,
        description="Zarr v2/v3 array (path may continue inside a group: data.zarr/raw), chunk-wise",
        parameters=(
            Parameter("zarr_format", 3, "int", "zarr format version", choices=plain_zarr.ZARR_FORMATS),
            _RESUME,
        ),
    )


def _ome_zarr() -> FormatSpec:
    from ..io import ngff, ome_zarr

    return FormatSpec(
        name=ome_zarr.FORMAT,
        title="OME-Zarr (OME-NGFF)",
        extensions=ome_zarr.EXTENSIONS,
        open=ome_zarr.open_ome_zarr,
        create=ome_zarr.create_ome_zarr,
        sniff=ome_zarr.sniff,
        chunked=True,
        description="OME-Zarr multiscale image: reads level 0 with axes from metadata, writes NGFF 0.4/0.5",
        parameters=(
            Parameter("version", "0.4", "str", "NGFF version written", choices=ngff.VERSIONS_WRITTEN),
            Parameter("unit", None, "str", "spatial unit of the scale (e.g. micrometer)", nullable=True),
            Parameter("name", None, "str", "image name stored in the metadata", nullable=True),
            _RESUME,
        ),
    )


def _h5() -> FormatSpec:
    from ..io import h5

    return FormatSpec(
        name=h5.FORMAT,
        title="HDF5",
        extensions=h5.EXTENSIONS,
        open=h5.open_h5,
        create=h5.create_h5,
        sniff=h5.sniff,
        chunked=True,
        description="HDF5 dataset (file.h5/path/in/file) via h5py, chunk-wise; ilastik axistags",
        parameters=(
            Parameter("compression", "gzip", "str", "'gzip', 'lzf' or 'none'", choices=h5.COMPRESSIONS),
            _RESUME,
        ),
    )


@hookimpl(trylast=True)
def pixf_register_formats() -> list[FormatSpec]:
    """The built-in formats, in the order used to break ties between formats claiming one extension."""
    return [_tiff(), _png(), _jpeg(), _npy(), _zarr(), _ome_zarr(), _h5()]
