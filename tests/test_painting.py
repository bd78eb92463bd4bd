"""Brush geometry against an independent reference (tests/brush_reference.py): random strokes in
2D and 3D, radius 0 to 4, points inside, on the edge of and outside the image."""

from __future__ import annotations

import numpy as np
import pytest
from brush_reference import brush_pixels

from pixframework.errors import ValidationError
from pixframework.painting import stroke_mask


def _mask(points, radius, shape) -> np.ndarray:
    whole = np.zeros(shape, bool)
    stroke = stroke_mask(np.asarray(points, float), radius, shape)
    if stroke is not None:
        region, mask = stroke
        whole[region] = mask
    return whole


@pytest.mark.parametrize("ndim", [2, 3])
def test_random_strokes_paint_what_the_reference_paints(ndim: int) -> None:
    rng = np.random.default_rng(ndim)
    shape = (24, 30) if ndim == 2 else (9, 14, 16)
    for trial in range(150 if ndim == 2 else 40):
        n = int(rng.integers(1, 5))
        points = rng.uniform(-3, np.array(shape) + 3, (n, ndim))
        if trial % 3 == 0:
            points = np.round(points)  # integer points hit the radius exactly: ties count as inside
        radius = float(rng.choice([0.0, 0.5, 1.0, 1.5, 2.0, 3.3, 4.0]))
        np.testing.assert_array_equal(
            _mask(points, radius, shape), brush_pixels(points, radius, shape),
            err_msg=f"trial {trial}: points {points.tolist()}, radius {radius}",
        )  # fmt: skip


def test_known_shapes() -> None:
    disk = _mask([[10, 10]], 2.0, (21, 21))
    assert disk.sum() == 13 and disk[10, 8] and disk[8, 10] and not disk[8, 8]  # a radius-2 disk
    run = _mask([[4, 2], [4, 9]], 0.0, (8, 12))  # radius 0 between integer points: one run of a row
    assert np.array_equal(np.argwhere(run), [[4, x] for x in range(2, 10)])
    click = _mask([[3.4, 5.6]], 0.0, (8, 8))  # a click paints the pixel under it
    assert np.array_equal(np.argwhere(click), [[3, 6]])
    long = _mask([[0, 0], [999, 999]], 1.0, (1000, 1000))  # a long diagonal stays a thin band
    assert long.sum() == pytest.approx(1000 * 3, rel=0.05)
    assert stroke_mask(np.array([[-10.0, -10.0]]), 2.0, (8, 8)) is None  # outside the image


def test_bad_strokes_are_refused() -> None:
    for points, radius in [([[1, 2, 3]], 1.0), ([[np.nan, 1]], 1.0), ([[1, 1]], -1.0), ([[1, 1]], np.inf)]:
        with pytest.raises(ValidationError):
            stroke_mask(np.asarray(points, float), radius, (8, 8))
