"""What an ``.ilp`` holds that is not imported, and why: listed by name, never loaded.

Walking the file with h5py only reads names and dtypes, never data, so pickled payloads stay unread.
"""

from __future__ import annotations

import h5py

from typing import Any

from .hdf5 import dataset, is_opaque, read_numbers, read_text

#: items read by the importer, or file bookkeeping: not reported
USED = {
    "Input Data",
    "FeatureSelections",
    "PixelClassification/LabelNames",
    "PixelClassification/LabelColors",
    "PixelClassification/LabelSets",
    "ilastikVersion",
    "workflowName",
    "time",
    "currentApplet",
    "PixelClassification/StorageVersion",
}
#: known items and the reason they are skipped
KNOWN = {
    "PixelClassification/ClassifierForests": "trained vigra random forest",
    "PixelClassification/ClassifierFactory": "pickled classifier settings: skipped, never loaded "
    "(pixframework uses its random_forest classifier)",
    "PixelClassification/Bookmarks": "pickled bookmarks: skipped, never loaded",
    "PixelClassification/PmapColors": "prediction colours: not imported (class colours are)",
    "Prediction Export": "export settings: not imported; pass them to `pixf predict` (see below)",
}
PICKLED = "opaque or pickled data: skipped, never loaded"
#: dataset names ilastik fills with pickles, wherever they are, and what they hold
PICKLED_NAMES = {"pickled_type": "pickled classifier type: never loaded (its text names the classifier class)"}


def not_imported(ilp: h5py.File) -> list[tuple[str, str]]:
    """``(item, reason)`` for every top-level item and pixel-classification entry that is not imported,
    then every pickled or opaque dataset anywhere (by name or dtype) not already listed."""
    skipped: list[tuple[str, str]] = []
    for name in ilp:
        if name == "PixelClassification" and isinstance(ilp[name], h5py.Group):
            members = [f"{name}/{member}" for member in ilp[name]]
        else:
            members = [name]
        skipped += [(m, KNOWN.get(m, "not used by pixframework")) for m in members if m not in USED]
    listed = {item for item, _ in skipped}

    def visit(path: str, item: object) -> None:
        if isinstance(item, h5py.Dataset) and path not in listed:
            name = path.rsplit("/", 1)[-1]
            if name in PICKLED_NAMES or is_opaque(item):
                skipped.append((path, PICKLED_NAMES.get(name, PICKLED)))

    ilp.visititems(visit)
    return skipped


def export_settings(ilp: h5py.File) -> dict[str, Any]:
    """ilastik's stored export settings ("Prediction Export"): ``OutputFormat``,
    ``OutputFilenameFormat``, ``OutputInternalPath``, ``OutputAxisOrder``, ``ExportDtype`` as text,
    ``InputMin``/``InputMax``/``ExportMin``/``ExportMax`` as numbers, ``RegionStart``/``RegionStop``
    as lists (``None`` for ilastik's ``-1``, "the whole axis"). Missing or unreadable ones are left out."""
    group = ilp.get("Prediction Export")
    if not isinstance(group, h5py.Group):
        return {}
    found: dict[str, Any] = {}
    for key in ("OutputFormat", "OutputFilenameFormat", "OutputInternalPath", "OutputAxisOrder", "ExportDtype"):
        ds = dataset(group, key)
        if ds is not None and ds.dtype.kind in "SUO" and not is_opaque(ds):
            found[key] = read_text(ds)
    for key in ("InputMin", "InputMax", "ExportMin", "ExportMax"):
        ds = dataset(group, key)
        if ds is not None and ds.dtype.kind in "iuf" and ds.size == 1:
            found[key] = read_numbers(ds).reshape(-1)[0].item()
    for key in ("RegionStart", "RegionStop"):
        ds = dataset(group, key)
        if ds is not None and ds.dtype.kind in "iu":
            found[key] = [None if v == -1 else int(v) for v in read_numbers(ds).reshape(-1)]
    return found
