"""The ``.ilp`` header: which ilastik workflow wrote the project, and which ilastik version."""

from __future__ import annotations

import h5py

from ..errors import ValidationError
from .hdf5 import dataset, read_numbers, read_text

#: what ilastik writes as ``workflowName`` for pixel classification (display name or class name)
PIXEL_CLASSIFICATION = ("Pixel Classification", "PixelClassificationWorkflow")
#: workflows that hold a pixel-classification part (same ``PixelClassification`` and ``FeatureSelections`` groups)
WITH_PIXEL_PART = ("Object Classification (from pixel classification)", "ObjectClassificationWorkflowPixel")


def read_header(ilp: h5py.File, what: str) -> tuple[str, str | None]:
    """``(workflow name, ilastik version or None)`` of a project with a pixel-classification part:
    "Pixel Classification", or "Pixel Classification + Object Classification" (whose pixel part is used).

    :raises ValidationError: another workflow, an ilastik 0.5 project, or no way to tell.
    """
    version_ds = dataset(ilp, "ilastikVersion")
    version = None
    if version_ds is not None:
        if version_ds.dtype.kind in "iuf":
            number = float(read_numbers(version_ds).reshape(-1)[0])
            raise ValidationError(
                f"{what} is an ilastik {number:g} project; open it in ilastik 1.x and save it, then import it"
            )
        version = read_text(version_ds)
    workflow_ds = dataset(ilp, "workflowName")
    if workflow_ds is None:
        if isinstance(ilp.get("PixelClassification"), h5py.Group):
            return PIXEL_CLASSIFICATION[0], version
        raise ValidationError(f"{what} names no ilastik workflow and has no pixel classification data")
    workflow = read_text(workflow_ds)
    if workflow in WITH_PIXEL_PART:
        return "Pixel Classification + Object Classification", version
    if workflow not in PIXEL_CLASSIFICATION:
        raise ValidationError(
            f"{what} is an ilastik {workflow!r} project, not Pixel Classification; pixframework uses Pixel "
            "Classification projects (and the pixel part of Pixel Classification + Object Classification)"
        )
    return PIXEL_CLASSIFICATION[0], version
