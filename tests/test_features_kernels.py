"""The engine's building blocks: mirror correlation, fused banks, the derivative cache, the thread pool."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from scipy import ndimage

from filter_reference import derivative as reference_derivative
from filter_reference import kernel
from pixframework.errors import PluginError, ValidationError
from pixframework.features import DerivativeCache, FeatureSelection, compute_features
from pixframework.features.convolve import correlate_axis
from pixframework.features.kernels import half_kernel
from pixframework.features.separable import separable_bank
from pixframework.features.structure import structure_tensor_eigenvalues_2d
from pixframework.features.workers import parallel_for
from pixframework.hookspecs import hookimpl
from pixframework.registry import Registry, get_plugin_manager
from pixframework.specs import FilterSpec


def _rand(shape, seed=0):
    return np.random.default_rng(seed).random(shape).astype(np.float32)


@pytest.mark.parametrize("shape", [(3, 40), (41, 5), (2, 3, 50)])
def test_correlate_axis_mirrors_repeatedly_when_the_kernel_is_wider_than_the_data(shape):
    data = _rand(shape)
    for axis in range(data.ndim):
        for order in (0, 1, 2):
            got = correlate_axis(data, half_kernel(2.5, order), order == 1, axis, threads=2)
            want = ndimage.correlate1d(data.astype(np.float64), kernel(2.5, order), axis=axis, mode="mirror")
            np.testing.assert_allclose(got, want, atol=2e-6)


@pytest.mark.parametrize("shape", [(2, 2), (7, 300), (300, 9), (4, 33, 17)])
def test_bank_equals_separate_passes(shape):
    data = _rand(shape, 1)
    plan = [(1.6, 0, 1.6, 0), (1.6, 1, 1.6, 0), (1.6, 2, 1.6, 0), (1.6, 0, 1.6, 1), (1.6, 1, 1.6, 1),
            (1.6, 0, 1.6, 2), (0.8, 0, 3.0, 1)]
    out = np.empty((len(plan), *shape), np.float32)
    separable_bank(data, plan, out, threads=3)
    for k, (sy, oy, sx, ox) in enumerate(plan):
        rows = correlate_axis(data, half_kernel(sx, ox), ox == 1, -1)
        want = correlate_axis(rows, half_kernel(sy, oy), oy == 1, -2)
        np.testing.assert_allclose(out[k], want, atol=2e-6)
    with pytest.raises(ValidationError, match="in place"):
        separable_bank(data, plan[:1], data[np.newaxis], 1)


def test_structure_tensor_kernel_matches_the_definition():
    gy, gx = _rand((90, 600), 2) - 0.5, _rand((90, 600), 3) - 0.5
    ev0, ev1 = np.empty_like(gy), np.empty_like(gy)
    structure_tensor_eigenvalues_2d(gy, gx, 1.75, ev0, ev1, threads=2)
    smooth = [reference_derivative(p, 1.75, (0, 0)) for p in (gy * gy, gx * gx, gy * gx)]
    half_trace, half_diff = (smooth[0] + smooth[1]) / 2, (smooth[0] - smooth[1]) / 2
    radius = np.sqrt(half_diff**2 + smooth[2] ** 2)
    np.testing.assert_allclose(ev0, half_trace + radius, atol=1e-5)
    np.testing.assert_allclose(ev1, half_trace - radius, atol=1e-5)


@pytest.mark.parametrize("shape", [(30, 41), (13, 17, 19)])
def test_derivative_cache_values_out_and_prefetch(shape):
    data = _rand(shape, 4)
    ndim = len(shape)
    cache = DerivativeCache(data, threads=2)
    orders = [tuple(o) for o in np.ndindex(*(3,) * ndim) if sum(o) <= 2]
    cache.prefetch(1.0, orders[: len(orders) // 2])
    for order in orders:
        got = cache.derivative(1.0, order)
        assert not got.flags.writeable
        np.testing.assert_allclose(got, reference_derivative(data, 1.0, order), atol=2e-5)
    # out=: computed into out when new, copied when cached
    fresh = np.empty(shape, np.float32)
    assert cache.derivative(2.0, (0,) * ndim, out=fresh) is fresh
    np.testing.assert_allclose(fresh, reference_derivative(data, 2.0, (0,) * ndim), atol=2e-5)
    again = np.zeros(shape, np.float32)
    cache.derivative(2.0, (0,) * ndim, out=again)
    np.testing.assert_array_equal(again, fresh)
    # smoothing into a new array, another array, and in place
    plane = _rand(shape, 5)
    want = reference_derivative(plane, 0.8, (0,) * ndim)
    np.testing.assert_allclose(cache.smooth(plane, 0.8), want, atol=2e-5)
    cache.smooth(plane, 0.8, out=plane)
    np.testing.assert_allclose(plane, want, atol=2e-5)
    assert cache.nbytes > 0
    cache.clear()
    assert cache.nbytes == 0


def test_parallel_for_covers_everything_once_and_raises_the_first_error():
    hits = np.zeros(1000, np.int64)
    parallel_for(lambda a, b: hits.__setitem__(slice(a, b), hits[a:b] + 1), 1000, threads=3)
    assert (hits == 1).all()

    def boom(a: int, b: int) -> None:
        if a <= 500 < b:
            raise RuntimeError("chunk failed")

    with pytest.raises(RuntimeError, match="chunk failed"):
        parallel_for(boom, 1000, threads=3)


def test_concurrent_callers_get_the_same_numbers():
    """Blockwise workers call the engine from several threads at once."""
    image = _rand((120, 130), 6)
    selection = FeatureSelection([("gaussian_smoothing", 1.0), ("hessian_of_gaussian_eigenvalues", 1.6),
                                  ("structure_tensor_eigenvalues", 0.7)])
    want = compute_features(image, selection, threads=1)
    results: list[np.ndarray] = []

    def work() -> None:
        results.append(compute_features(image, selection, threads=2))

    workers = [threading.Thread(target=work) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(results) == 4
    for got in results:
        np.testing.assert_array_equal(got, want)


class BadHint:
    @hookimpl
    def pixf_register_filters(self) -> list[FilterSpec]:
        def compute(src, scale, out):
            out[0] = src.derivative(scale, (0, 0))

        return [FilterSpec(name="bad-hint", title="Bad hint", compute=compute, halo=lambda s, n: 3,
                           derivatives=lambda ndim: [(3, 0)])]


def test_bad_derivative_hint_is_a_plugin_error():
    pm = get_plugin_manager()
    pm.register(BadHint(), name="bad-hint-plugin")
    registry = Registry(pm)
    selection = FeatureSelection([("bad-hint", 1.0)], registry=registry)
    with pytest.raises(PluginError, match="plugin 'bad-hint-plugin'.*declares bad derivatives"):
        compute_features(_rand((20, 20)), selection, registry=registry)
