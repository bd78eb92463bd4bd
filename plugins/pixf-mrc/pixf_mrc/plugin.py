"""The plugin module named by the entry point: declares the MRC format (mrcfile imported on use)."""

from __future__ import annotations

from pixframework.hookspecs import hookimpl
from pixframework.specs import FormatSpec, Parameter

from . import mrc


@hookimpl
def pixf_register_formats() -> list[FormatSpec]:
    """MRC / CCP4 maps: 2D images and 3D volumes from electron microscopy."""
    return [
        FormatSpec(
            name="mrc",
            title="MRC (cryo-EM / tomography)",
            description="MRC2014 images and volumes via mrcfile: memory-mapped reads, atomic writes",
            extensions=mrc.EXTENSIONS,
            open=mrc.open_mrc,
            create=mrc.create_mrc,
            sniff=mrc.sniff,
            parameters=(
                Parameter("voxel_size", 1.0, "float", "voxel edge in ångström (header)", minimum=1e-6),
            ),
        )
    ]
