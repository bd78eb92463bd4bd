"""Import ilastik Pixel Classification projects (``.ilp``) into pixframework projects.

Reads the ``.ilp`` with h5py and never unpickles anything: pickled entries (classifier settings,
bookmarks, the forests' type) are listed by name and skipped. ilastik's trained vigra forest is not
imported; the new project is retrained from the imported labels. See ``docs/ilastik.md``.

Example::

    from pixframework.ilastik import import_project
    report = import_project("cells.ilp", "cells.pixf", search_dirs=["/data/moved"])
    print("\\n".join(report.lines()))
"""

from .importer import import_project, target_path
from .report import ImportedImage, ImportReport

__all__ = ["ImportReport", "ImportedImage", "import_project", "target_path"]
