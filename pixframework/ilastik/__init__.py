"""ilastik Pixel Classification projects (``.ilp``): import them, or run them as they are.

Reads the ``.ilp`` with h5py and never unpickles anything: pickled entries (classifier settings,
bookmarks) are listed by name and skipped, the classifier's pickled type is matched as text.
ilastik's trained vigra forest is read as arrays and predicts exactly like ilastik's, on features
computed with ilastik desktop's definitions (the ``ilastik_desktop.*`` filters). See
``docs/ilastik.md``.

Example::

    from pixframework.ilastik import import_project
    report = import_project("cells.ilp", "cells.pixf", search_dirs=["/data/moved"])
    print("\\n".join(report.lines()))

    from pixframework.ilastik.direct import opened_ilp
    with opened_ilp("cells.ilp") as (project, plan):    # no training images needed
        probabilities = project.predict(project.add_image("new.tif"))
"""

from .importer import import_project, target_path
from .report import ImportedImage, ImportReport

__all__ = ["ImportReport", "ImportedImage", "import_project", "target_path"]
