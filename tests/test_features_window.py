"""Derivatives computed only over a window (region + declared margin) equal the full-crop ones."""

from __future__ import annotations

import numpy as np
import pytest

from pixframework.errors import ValidationError
from pixframework.features import DerivativeCache, FeatureSelection, compute_features
from pixframework.features.convolve import correlate_axis
from pixframework.features.kernels import half_kernel, kernel_radius
from pixframework.features.separable import separable_bank
from pixframework.hookspecs import hookimpl
from pixframework.registry import Registry, get_plugin_manager
from pixframework.specs import FilterInput, FilterSpec


def _random(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).random(shape) * 100).astype(np.float32)


def test_bank_rows_equal_the_same_rows_of_the_full_bank():
    data = _random((3, 40, 37))
    bank = [(2.0, 0, 2.0, 1), (2.0, 2, 2.0, 0), (1.0, 1, 1.0, 1)]
    full = separable_bank(data, bank, np.empty((3, *data.shape), np.float32))
    for rows in [(0, 5), (11, 29), (35, 40)]:  # touching the top, inside, touching the bottom
        part = separable_bank(data, bank, np.empty((3, 3, rows[1] - rows[0], 37), np.float32), rows=rows)
        np.testing.assert_array_equal(part, full[:, :, rows[0] : rows[1]])
    with pytest.raises(ValidationError, match="rows"):
        separable_bank(data, bank, np.empty((3, 3, 0, 37), np.float32), rows=(5, 5))


def test_correlate_axis_rows_equal_the_same_rows_of_the_full_pass():
    data = _random((30, 9, 8), seed=1)
    h = half_kernel(3.0, 1)
    full = correlate_axis(data, h, True, 0)
    np.testing.assert_array_equal(correlate_axis(data, h, True, 0, rows=(4, 21)), full[4:21])
    with pytest.raises(ValidationError, match="rows"):
        correlate_axis(data, h, True, 2, rows=(0, 3))  # the last axis has no row mode


@pytest.mark.parametrize("shape, window", [
    ((30, 41, 35), (slice(8, 20), slice(0, 13), slice(20, 35))),
    ((50, 47), (slice(10, 30), slice(3, 44))),
])
def test_window_derivatives_equal_the_window_of_full_derivatives(shape, window):
    data = _random(shape, seed=2)
    full = DerivativeCache(data)
    cut = DerivativeCache(data, window=window)
    assert cut.data.shape == data[window].shape
    np.testing.assert_array_equal(cut.data, data[window])
    ndim = len(shape)
    orders = [o for o in np.ndindex(*(3,) * ndim) if sum(o) <= 2]
    cut.prefetch(2.5, orders)
    for order in orders:
        np.testing.assert_array_equal(cut.derivative(2.5, order), full.derivative(2.5, order)[window])
    smooth = cut.derivative(1.0, (0,) * ndim)
    np.testing.assert_array_equal(smooth, full.derivative(1.0, (0,) * ndim)[window])
    assert cut.empty().shape == data[window].shape
    # smoothing the data itself reads around the window, like the full-size smoothing
    np.testing.assert_array_equal(cut.smooth(cut.data, 1.5), full.smooth(full.data, 1.5)[window])


def test_bad_windows_are_rejected():
    data = _random((10, 10))
    with pytest.raises(ValidationError, match="window"):
        DerivativeCache(data, window=(slice(0, 5),))
    with pytest.raises(ValidationError, match="at least 2"):
        DerivativeCache(data, window=(slice(3, 4), slice(0, 10)))


SEEN: dict[str, list[tuple[int, ...]]] = {"margin": [], "no-margin": []}
INNER = 1.0  # smoothing scale of the chained filter below


def _smoothed_gradient_x(src: FilterInput, scale: float, out: np.ndarray) -> None:
    """A chained filter: |d/dx| smoothed again, so it reads gradient around each output pixel."""
    SEEN["margin"].append(src.data.shape)
    gradient = np.abs(src.derivative(scale, (0,) * (src.data.ndim - 1) + (1,)))
    src.smooth(np.ascontiguousarray(gradient), INNER, out=out[0])


def _recording_smoothing(src: FilterInput, scale: float, out: np.ndarray) -> None:
    SEEN["no-margin"].append(src.data.shape)
    out[0] = src.derivative(scale, (0,) * src.data.ndim)


def _chained_halo(scale: float, ndim: int) -> int:
    return kernel_radius(scale, 1) + kernel_radius(INNER, 0)


class WindowFilters:
    """A third-party plugin: one filter declares its margin, one does not."""

    @hookimpl
    def pixf_register_filters(self) -> list[FilterSpec]:
        return [
            FilterSpec(name="smoothed-gradient-x", title="Smoothed gradient x", compute=_smoothed_gradient_x,
                       halo=_chained_halo, margin=lambda scale, ndim: kernel_radius(INNER, 0)),
            FilterSpec(name="plain-smoothing", title="Plain smoothing", compute=_recording_smoothing,
                       halo=lambda scale, ndim: kernel_radius(scale, 0)),
        ]


@pytest.fixture(scope="module")
def registry() -> Registry:
    pm = get_plugin_manager()
    pm.register(WindowFilters(), name="window-filters")
    return Registry(pm)


def test_declared_margin_gets_a_window_and_exact_results(registry):
    image = _random((40, 60, 64), seed=3)
    region = (slice(15, 25), slice(20, 40), slice(22, 42))
    selection = FeatureSelection([("smoothed-gradient-x", 2.0)], registry=registry)
    whole = compute_features(image, selection, axes="zyx", registry=registry, threads=1)
    SEEN["margin"].clear()
    part = compute_features(image, selection, axes="zyx", region=region, registry=registry, threads=1)
    np.testing.assert_array_equal(part, whole[region])
    margin = kernel_radius(INNER, 0)
    assert SEEN["margin"] == [tuple(s.stop - s.start + 2 * margin for s in region)]


def test_undeclared_margin_keeps_the_whole_crop(registry):
    image = _random((40, 60, 64), seed=4)
    region = (slice(15, 25), slice(20, 40), slice(22, 42))
    selection = FeatureSelection([("plain-smoothing", 2.0), ("smoothed-gradient-x", 2.0)], registry=registry)
    whole = compute_features(image, selection, axes="zyx", registry=registry, threads=1)
    SEEN["margin"].clear()
    SEEN["no-margin"].clear()
    part = compute_features(image, selection, axes="zyx", region=region, registry=registry, threads=1)
    np.testing.assert_array_equal(part, whole[region])
    # one filter of the scale without a margin: the whole group sees its crop (region + group halo)
    halo = _chained_halo(2.0, 3)
    crop = tuple(s.stop - s.start + 2 * halo for s in region)
    assert SEEN["no-margin"] == [crop] and SEEN["margin"] == [crop]
