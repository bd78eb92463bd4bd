"""Conformance checks for plugin authors: call them from your plugin's own tests.

Each check takes a spec object or the name of an installed spec, returns nothing when the plugin
keeps its contract, and raises ``AssertionError`` naming the spec, its plugin and the problem::

    from pixframework.testing import check_classifier, check_filter, check_format

    def test_my_filter():
        check_filter("gabor_energy")

See ``docs/plugins/testing.md`` for what each check covers.
"""

from __future__ import annotations

from .classifiers import blobs, check_classifier
from .filters import check_filter, texture_image
from .formats import check_format, sample_data

__all__ = ["blobs", "check_classifier", "check_filter", "check_format", "sample_data", "texture_image"]
