"""Bad input gets a clear ValidationError; a misbehaving filter plugin gets a PluginError naming it."""

from __future__ import annotations

import numpy as np
import pytest

from pixframework.errors import PluginError, ValidationError
from pixframework.features import DerivativeCache, FeatureSelection, compute_features
from pixframework.features.workers import resolve_threads
from pixframework.hookspecs import hookimpl
from pixframework.registry import Registry, get_plugin_manager
from pixframework.specs import FilterInput, FilterSpec

SMALL = FeatureSelection([("gaussian_smoothing", 0.7)])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_pixels(bad):
    image = np.ones((20, 20), np.float32)
    image[3, 4] = bad
    with pytest.raises(ValidationError, match="NaN or infinite"):
        compute_features(image, SMALL)


@pytest.mark.parametrize("shape, axes", [((1, 30), None), ((30, 1), None), ((1, 30, 30), "zyx"), ((30, 30, 1, 2), "yxzc")])
def test_one_pixel_axes(shape, axes):
    with pytest.raises(ValidationError, match="at least 2 pixels"):
        compute_features(np.zeros(shape, np.float32), SMALL, axes=axes)


def test_axes_problems():
    with pytest.raises(ValidationError, match="pass axes explicitly"):
        compute_features(np.zeros((3, 10, 10, 10), np.float32), SMALL)
    with pytest.raises(ValidationError, match="3 letters but the data has 2"):
        compute_features(np.zeros((10, 10), np.float32), SMALL, axes="zyx")
    with pytest.raises(ValidationError, match="unsupported letters"):
        compute_features(np.zeros((10, 10), np.float32), SMALL, axes="yt")


def test_bad_dtype_region_and_out():
    with pytest.raises(ValidationError, match="dtype complex64 is not supported"):
        compute_features(np.zeros((10, 10), np.complex64), SMALL)
    with pytest.raises(ValidationError, match="outside the image"):
        compute_features(np.zeros((10, 10), np.float32), SMALL, region=(slice(0, 5), slice(8, 12)))
    with pytest.raises(ValidationError, match="out must be a float32 array of shape"):
        compute_features(np.zeros((10, 10), np.float32), SMALL, out=np.zeros((10, 10, 2), np.float32))
    with pytest.raises(ValidationError, match="array-like"):
        compute_features([[1, 2], [3, 4]], SMALL)


def test_scale_too_large_for_the_image():
    with pytest.raises(ValidationError, match="too large"):
        compute_features(np.zeros((20, 20), np.float32), FeatureSelection([("gaussian_smoothing", 10.0)]))


def test_threads_setting(monkeypatch):
    monkeypatch.setenv("PIXF_THREADS", "3")
    assert resolve_threads(None) == 3
    assert resolve_threads(1) == 1
    monkeypatch.setenv("PIXF_THREADS", "many")
    with pytest.raises(ValidationError, match="PIXF_THREADS"):
        resolve_threads(None)
    with pytest.raises(ValidationError, match="positive integer"):
        compute_features(np.zeros((20, 20), np.float32), SMALL, threads=0)
    image = np.random.default_rng(0).random((40, 40)).astype(np.float32)
    np.testing.assert_array_equal(compute_features(image, SMALL, threads=1), compute_features(image, SMALL, threads=3))


def test_derivative_cache_rejects_bad_requests():
    cache = DerivativeCache(np.zeros((10, 10), np.float32))
    assert isinstance(cache, FilterInput)
    with pytest.raises(ValidationError, match="2 integers"):
        cache.derivative(1.0, (0, 0, 1))
    with pytest.raises(ValidationError, match="total of 2"):
        cache.derivative(1.0, (2, 1))
    with pytest.raises(ValidationError, match="positive"):
        cache.derivative(0.0, (0, 0))
    with pytest.raises(ValidationError, match="shape"):
        cache.smooth(np.zeros((3, 3), np.float32), 1.0)


# ----------------------------------------------------------------------------- plugins


def _raising(src: FilterInput, scale: float, out: np.ndarray) -> None:
    raise RuntimeError("boom")


def _wrong_shape(src: FilterInput, scale: float, out: np.ndarray) -> np.ndarray:
    return np.zeros((3, *src.data.shape), np.float32)


def _too_many_outputs(src: FilterInput, scale: float, out: np.ndarray) -> None:
    for k in range(3):  # declares 2 outputs, writes 3
        out[k] = src.derivative(scale, (0, 0))


def _nan(src: FilterInput, scale: float, out: np.ndarray) -> None:
    with np.errstate(invalid="ignore"):
        out[0] = np.log(src.derivative(scale, (0, 0)) - 10.0)


def _double_smoothing(src: FilterInput, scale: float, out: np.ndarray) -> None:
    out[0] = 2.0 * src.derivative(scale, (0,) * src.data.ndim)


class BadFilters:
    """A third-party plugin registered exactly like an installed one."""

    @hookimpl
    def pixf_register_filters(self) -> list[FilterSpec]:
        halo = lambda scale, ndim: int(np.ceil(3 * scale))  # noqa: E731
        return [
            FilterSpec(name="raises", title="Raises", compute=_raising, halo=halo),
            FilterSpec(name="wrong-shape", title="Wrong shape", compute=_wrong_shape, halo=halo),
            FilterSpec(name="too-many", title="Too many", compute=_too_many_outputs, halo=halo, n_outputs=lambda n: 2),
            FilterSpec(name="makes-nan", title="Makes NaN", compute=_nan, halo=halo),
            FilterSpec(name="double", title="Double", compute=_double_smoothing, halo=halo),
        ]


@pytest.fixture(scope="module")
def registry() -> Registry:
    pm = get_plugin_manager()
    pm.register(BadFilters(), name="bad-filters")
    return Registry(pm)


@pytest.mark.parametrize(
    "name, message",
    [("raises", "RuntimeError: boom"), ("wrong-shape", r"returned shape \(3, "), ("too-many", "IndexError"),
     ("makes-nan", "NaN or infinite")],
)
def test_misbehaving_plugin_is_named(registry, name, message):
    image = np.random.default_rng(1).random((30, 30)).astype(np.float32)
    selection = FeatureSelection([(name, 1.0), ("gaussian_smoothing", 1.0)], registry=registry)
    with pytest.raises(PluginError, match=f"plugin 'bad-filters': filter '{name}' at scale 1.0.*{message}") as info:
        compute_features(image, selection, registry=registry)
    assert info.value.plugin == "bad-filters"


def test_third_party_filter_shares_the_engine(registry):
    image = np.random.default_rng(2).random((12, 30, 31)).astype(np.float32)
    selection = FeatureSelection([("gaussian_smoothing", 1.0), ("double", 1.0)], registry=registry)
    assert [e.filter for e in selection] == ["gaussian_smoothing", "double"]  # built-ins first
    got = compute_features(image, selection, axes="zyx", registry=registry)
    np.testing.assert_allclose(got[..., 1], 2.0 * got[..., 0], rtol=1e-6)


def test_plugin_error_surfaces_from_parallel_scales(registry):
    """With many scales, whole scales run on worker threads; the error still reaches the caller."""
    image = np.random.default_rng(3).random((40, 40)).astype(np.float32)
    entries = [("gaussian_smoothing", s) for s in (0.7, 1.0, 1.6, 2.0, 2.5)] + [("makes-nan", 3.0)]
    selection = FeatureSelection(entries, registry=registry)
    with pytest.raises(PluginError, match="'makes-nan' at scale 3.0.*NaN or infinite"):
        compute_features(image, selection, registry=registry, threads=2)
