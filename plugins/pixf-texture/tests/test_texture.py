"""pixf-texture: conformance with pixframework's filter contract, and each filter against an
independent reference (scipy.ndimage / scikit-image) and its defining property."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pixf_texture import gabor, lbp, membrane
from pixf_texture.plugin import FILTERS
from scipy import ndimage
from skimage.feature import local_binary_pattern

from pixframework.features import FeatureSelection, compute_features
from pixframework.registry import get_registry
from pixframework.testing import check_filter, texture_image

NAMES = [spec.name for spec in FILTERS]


def features(image: np.ndarray, name: str, scale: float, axes: str = "yx", **kw) -> np.ndarray:
    return compute_features(image, FeatureSelection([(name, scale, *kw.values())]), axes=axes)


def test_installed_through_the_entry_point() -> None:
    registry = get_registry()
    for name in NAMES:
        assert registry.filter(name).plugin == "texture"
    entry = next(e for e in registry.entries if e.name == "gabor_energy")
    assert (entry.distribution, entry.kind) == ("pixf-texture", "filter")


@pytest.mark.parametrize("name", NAMES)
def test_conformance(name: str) -> None:
    check_filter(name)


def _gaussian(sigma: float) -> np.ndarray:
    r = math.ceil(3 * sigma)
    g = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    return g / g.sum()


def gabor_at(image: np.ndarray, scale: float, frequency: float) -> np.ndarray:
    selection = FeatureSelection([("gabor_energy", scale, False, {"frequency": frequency})])
    return compute_features(image, selection, axes="yx")


@pytest.mark.parametrize("scale, frequency", [(1.0, gabor.DEFAULT_FREQUENCY), (2.5, gabor.DEFAULT_FREQUENCY), (2.5, 0.2), (1.5, 0.8)])
def test_gabor_energy_equals_direct_2d_filtering(scale: float, frequency: float) -> None:
    image = texture_image((50, 61))
    result = features(image, "gabor_energy", scale) if frequency == gabor.DEFAULT_FREQUENCY else gabor_at(image, scale, frequency)
    g = _gaussian(scale)
    r = g.size // 2
    y, x = np.mgrid[-r : r + 1, -r : r + 1]
    envelope = np.outer(g, g)
    f = image.astype(np.float64)
    k = 2 * math.pi * frequency / scale  # wavelength scale / frequency
    for channel, degrees in enumerate(gabor.ORIENTATIONS):
        t = math.radians(degrees)
        wave = np.exp(1j * k * (x * math.cos(t) - y * math.sin(t)))
        kernel = envelope * (wave - (envelope * wave).sum())  # zero-sum complex Gabor
        real = ndimage.correlate(f, kernel.real, mode="mirror")
        imag = ndimage.correlate(f, kernel.imag, mode="mirror")
        window = gabor.ENERGY_WINDOW_PER_SCALE * scale
        energy = ndimage.gaussian_filter(np.hypot(real, imag), window, mode="mirror",
                                         truncate=math.ceil(3 * window) / window)  # fmt: skip
        np.testing.assert_allclose(result[..., channel], energy, atol=2e-3 * np.abs(real).max())


def test_gabor_energy_finds_the_orientation_of_stripes() -> None:
    scale = 2.0
    y, x = np.mgrid[:64, :64].astype(np.float32)
    wavelength = scale / gabor.DEFAULT_FREQUENCY
    for angle in gabor.ORIENTATIONS:
        t = math.radians(angle)
        stripes = 100 + 50 * np.cos(2 * math.pi / wavelength * (x * math.cos(t) - y * math.sin(t)))
        energy = features(stripes, "gabor_energy", scale)[20:44, 20:44].mean(axis=(0, 1))
        assert gabor.ORIENTATIONS[int(np.argmax(energy))] == angle
    flat = features(np.full((40, 40), 90.0, np.float32), "gabor_energy", scale)
    assert np.abs(flat).max() < 1e-3  # zero-sum kernels: no response to brightness


def test_the_gabor_frequency_tunes_the_filter_to_the_stripes_period() -> None:
    # vertical stripes of period 8 px at scale 2: frequency 0.25 (wavelength 8) answers them best
    scale = 2.0
    x = np.mgrid[:64, :64][1].astype(np.float32)
    stripes = 100 + 50 * np.cos(2 * math.pi * x / 8.0)
    energy = {f: gabor_at(stripes, scale, f)[20:44, 20:44, 0].mean() for f in (0.125, 0.25, 0.5)}
    assert energy[0.25] > 3 * energy[0.5] and energy[0.25] > 1.5 * energy[0.125]


@pytest.mark.parametrize("radius", [1.0, 2.0, 3.0])
def test_lbp_labels_match_scikit_image_inside_the_image(radius: float) -> None:
    image = np.round(texture_image((40, 47), seed=2))  # integers: no ties decided by rounding noise
    ours = lbp.pattern_labels(image, radius)
    theirs = local_binary_pattern(image.astype(np.uint8), 8, radius, method="uniform")
    inner = (slice(4, -4), slice(4, -4))
    assert np.mean(ours[inner] == theirs[inner]) > 0.99


def test_lbp_histograms_sum_to_one_and_ignore_brightness_and_contrast() -> None:
    image = texture_image((48, 52), seed=3)
    hist = features(image, "local_binary_patterns", 1.5)
    np.testing.assert_allclose(hist.sum(axis=-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(features(image * 2.5 + 30, "local_binary_patterns", 1.5), hist, atol=1e-6)


@pytest.mark.parametrize("shape, axes", [((45, 52), "yx"), ((18, 21, 24), "zyx")])
def test_local_variance_equals_the_formula(shape: tuple[int, ...], axes: str) -> None:
    scale = 1.6
    image = texture_image(shape, seed=4).astype(np.float64)

    def smooth(a: np.ndarray) -> np.ndarray:
        return ndimage.gaussian_filter(a, scale, mode="mirror", truncate=math.ceil(3 * scale) / scale)

    expected = smooth((image - smooth(image)) ** 2)
    np.testing.assert_allclose(
        features(image.astype(np.float32), "local_variance", scale, axes)[..., 0],
        expected,
        rtol=1e-3,
        atol=1e-2,
    )


def test_local_variance_is_stable_for_bright_16_bit_images() -> None:
    image = (60000 + texture_image((40, 40), seed=5) / 50).astype(np.float32)  # tiny variation on a huge mean
    variance = features(image, "local_variance", 2.0)[..., 0]
    reference = features(image - 60000, "local_variance", 2.0)[..., 0]
    np.testing.assert_allclose(variance, reference, rtol=0.05, atol=1e-3)


def test_membrane_projections_equal_direct_filtering() -> None:
    scale = 1.6
    image = texture_image((44, 50), seed=6).astype(np.float64)
    responses = np.stack([ndimage.correlate(image, k.astype(np.float64), mode="mirror")
                          for k in membrane.line_kernels(scale)])  # fmt: skip
    expected = np.stack([responses.mean(0), responses.std(0), np.median(responses, 0),
                         responses.max(0), responses.min(0)], axis=-1)  # fmt: skip
    np.testing.assert_allclose(
        features(image.astype(np.float32), "membrane_projections", scale), expected, atol=2e-3
    )


def test_membrane_projections_light_up_thin_lines_of_any_direction() -> None:
    image = np.zeros((64, 64), np.float32)
    for y in range(64):
        image[y, min(63, 10 + y // 2)] = 200  # a thin slanted line
    maximum = features(image, "membrane_projections", 1.6)[..., 3]
    on_line, off_line = maximum[32, 26], maximum[32, 50]
    assert on_line > 5 * max(off_line, 1e-3)


def test_2d_filters_run_per_slice_on_3d_data() -> None:
    volume = texture_image((4, 30, 33), seed=7)
    stacked = compute_features(volume, FeatureSelection([("gabor_energy", 1.0, True)]), axes="zyx")
    for z in range(volume.shape[0]):
        np.testing.assert_allclose(stacked[z], features(volume[z], "gabor_energy", 1.0), rtol=1e-5, atol=1e-4)
    with pytest.raises(Exception, match="supports 2D data, not 3D"):
        features(volume, "gabor_energy", 1.0, "zyx")
