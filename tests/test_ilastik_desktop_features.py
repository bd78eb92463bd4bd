"""The ilastik desktop filter variant against vigra (ilastik's library) computing ilastik's definitions.

The oracle (:mod:`vigra_oracle`, Debian's python3-vigra in a subprocess) presmooths and filters as
lazyflow's ``OpPixelFeaturesPresmoothed`` does, with vigra's own filters. Every channel must agree
within 1e-4 of its range (they agree to float32 rounding; the bound is the issue's).
"""

from __future__ import annotations

import numpy as np
import pytest
import skimage.data
import vigra_oracle
from scipy import ndimage
from vigra_projects import full_selection, oracle_features

from pixframework.builtins.desktop_filters import DESKTOP_NAMES, presmoothing
from pixframework.features import compute_features
from pixframework.features.selection import FeatureSelection

needs_vigra = pytest.mark.skipif(vigra_oracle.skip_reason() is not None, reason=str(vigra_oracle.skip_reason()))
IDS = {"GaussianSmoothing": "gaussian_smoothing", "LaplacianOfGaussian": "laplacian_of_gaussian",
       "GaussianGradientMagnitude": "gaussian_gradient_magnitude", "DifferenceOfGaussians": "difference_of_gaussians",
       "StructureTensorEigenvalues": "structure_tensor_eigenvalues",
       "HessianOfGaussianEigenvalues": "hessian_of_gaussian_eigenvalues"}


def gray() -> np.ndarray:
    return skimage.data.camera()[200:296, 150:278].astype(np.float32)[..., None]


def rgb() -> np.ndarray:
    return skimage.data.astronaut()[100:180, 180:280]


def volume() -> np.ndarray:
    rng = np.random.default_rng(5)
    smooth = ndimage.gaussian_filter(rng.random((40, 44, 48)), 2.0) * 400 + rng.random((40, 44, 48)) * 10
    return smooth.astype(np.float32)[..., None]


def desktop_selection(entries: list[list]) -> FeatureSelection:
    return FeatureSelection([(DESKTOP_NAMES[IDS[f]], s, in_2d) for f, s, in_2d in entries])


def channel_errors(ours: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Largest difference per channel, relative to the reference channel's range."""
    flat_ours, flat_ref = ours.reshape(-1, ours.shape[-1]), ref.reshape(-1, ref.shape[-1])
    spread = flat_ref.max(axis=0) - flat_ref.min(axis=0)
    return np.abs(flat_ours - flat_ref).max(axis=0) / np.maximum(spread, 1e-12)


@needs_vigra
@pytest.mark.parametrize("case", ["2d gray", "rgb", "3d", "3d in 2d"])
def test_every_channel_matches_vigra_within_1e_4_of_its_range(case):
    image, axes, in_2d = {"2d gray": (gray(), "yxc", False), "rgb": (rgb(), "yxc", False),
                          "3d": (volume(), "zyxc", False), "3d in 2d": (volume(), "zyxc", True)}[case]
    selection = full_selection(in_2d=in_2d)
    ref = oracle_features(image, selection)
    ours = compute_features(image, desktop_selection(selection.entries()), axes=axes)
    assert ours.shape == ref.shape  # same channels in the same (ilastik's) order
    errors = channel_errors(ours, ref)
    names = desktop_selection(selection.entries()).channel_names(3 if axes == "zyxc" else 2, image.shape[-1])
    worst = int(np.argmax(errors))
    assert errors.max() <= 1e-4, f"{names[worst]}: {errors[worst]:.2e} of its range"


def test_regions_equal_the_whole_image():
    """The declared halo is enough: a region computed alone equals that region of the whole result."""
    image = gray()[..., 0]
    selection = desktop_selection(full_selection().entries())
    whole = compute_features(image, selection)
    region = (slice(30, 70), slice(41, 100))
    part = compute_features(image, selection, region=region)
    assert np.array_equal(part, whole[region])


def test_presmoothing_splits_the_scale_as_ilastik():
    assert presmoothing(0.7) == (0.7, 0.7) and presmoothing(1.0) == (1.0, 1.0)
    pre, sigma = presmoothing(5.0)
    assert sigma == 1.0 and pre == pytest.approx(np.sqrt(24.0))
    # so desktop smoothing at 0.7 acts like a Gaussian of about sqrt(2) * 0.7, the clean one like 0.7
    step = np.zeros((1, 64), np.float32)
    step[:, 32:] = 1
    step = np.repeat(step, 8, axis=0)
    desktop = compute_features(step, [("ilastik_desktop.gaussian_smoothing", 0.7)])[4, :, 0]
    clean = compute_features(step, [("gaussian_smoothing", 0.7)])[4, :, 0]
    assert desktop[31] > clean[31] and desktop[32] < clean[32]  # wider blur across the step


def test_desktop_variants_are_ordinary_filters_next_to_the_clean_ones():
    from pixframework.registry import get_registry

    filters = list(get_registry().filters)
    clean = [f for f in filters if f in IDS.values()]
    assert [DESKTOP_NAMES[c] for c in clean] == [f for f in filters if f.startswith("ilastik_desktop.")]
    assert filters.index(DESKTOP_NAMES["gaussian_smoothing"]) > filters.index("hessian_of_gaussian_eigenvalues")
