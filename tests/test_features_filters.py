"""Every built-in filter against the independent scipy reference and against fastfilters2."""

from __future__ import annotations

import numpy as np
import pytest

from filter_reference import kernel as reference_kernel
from filter_reference import reference_features
from pixframework.features import FeatureSelection, compute_features
from pixframework.features.eigen import symmetric_eigenvalues
from pixframework.features.kernels import full_kernel, kernel_radius
from pixframework.features.selection import DEFAULT_FILTERS

ALL_FILTERS = list(DEFAULT_FILTERS)


def _image(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Smooth blobs plus noise and an edge: exercises every filter with a non-trivial range."""
    rng = np.random.default_rng(seed)
    grids = np.meshgrid(*[np.linspace(0, 3, n) for n in shape], indexing="ij")
    smooth = np.sin(2.1 * grids[-1]) * np.cos(1.3 * grids[-2]) + 0.5 * (grids[0] > 1.4)
    return (smooth + 0.3 * rng.random(shape)).astype(np.float32)


def _assert_close(got: np.ndarray, want: np.ndarray, names: list[str], rel: float = 1e-3) -> None:
    assert got.shape == want.shape
    for k, name in enumerate(names):
        span = float(np.ptp(want[..., k])) or 1.0
        err = float(np.max(np.abs(got[..., k] - want[..., k])))
        assert err <= rel * span, f"{name}: max abs error {err:.3g} > {rel} x range {span:.3g}"


def _entries(selection: FeatureSelection) -> list[tuple[str, float]]:
    return [(e.filter, e.scale) for e in selection.entries]


def test_kernels_match_the_reference_definition():
    for sigma in (0.3, 0.7, 1.0, 1.6, 3.5, 10.0):
        for order in (0, 1, 2):
            ours = full_kernel(sigma, order)
            ref = reference_kernel(sigma, order)
            assert len(ours) == 2 * kernel_radius(sigma, order) + 1 == len(ref)
            np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("scales", [(0.7, 1.6, 5.0), (1.0, 3.5, 10.0)])
def test_2d_every_filter_matches_reference(scales):
    image = _image((61, 70))
    selection = FeatureSelection([(f, s) for f in ALL_FILTERS for s in scales])
    got = compute_features(image, selection, threads=2)
    want = reference_features(image, _entries(selection))
    _assert_close(got, want, selection.channel_names(2))


def test_2d_smoothing_at_0_3():
    image = _image((40, 33))
    selection = FeatureSelection([("gaussian_smoothing", 0.3)])
    _assert_close(compute_features(image, selection), reference_features(image, _entries(selection)), ["g0.3"])


def test_3d_every_filter_matches_reference():
    image = _image((18, 21, 23))
    selection = FeatureSelection([(f, s) for f in ALL_FILTERS for s in (0.7, 1.6, 3.5)])
    got = compute_features(image, selection, axes="zyx", threads=2)
    want = reference_features(image, _entries(selection))
    assert got.shape[-1] == selection.n_features(3) == 3 * (4 + 2 * 3)
    _assert_close(got, want, selection.channel_names(3))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int32, np.float64])
def test_integer_and_float_inputs_give_float32_features(dtype):
    rng = np.random.default_rng(3)
    image = (rng.random((37, 41)) * 200).astype(dtype)
    selection = FeatureSelection([("laplacian_of_gaussian", 1.0), ("structure_tensor_eigenvalues", 1.6)])
    got = compute_features(image, selection)
    assert got.dtype == np.float32
    _assert_close(got, reference_features(image.astype(np.float64), _entries(selection)), selection.channel_names(2))


def test_multichannel_2d_orders_channels_by_filter_scale_channel_output():
    rng = np.random.default_rng(5)
    image = rng.random((40, 45, 3)).astype(np.float32)
    selection = FeatureSelection([("hessian_of_gaussian_eigenvalues", 1.0), ("gaussian_smoothing", 1.0),
                                  ("gaussian_smoothing", 0.7)])
    got = compute_features(image, selection, axes="yxc")
    names = selection.channel_names(2, 3)
    assert got.shape == (40, 45, 3 + 3 + 6) == (*image.shape[:2], len(names))
    # smoothing 0.7 for c0..c2, smoothing 1.0 for c0..c2, then Hessian (c0 ev0, c0 ev1, c1 ev0, ...)
    assert names[0] == "gaussian_smoothing(sigma=0.7)[c0]" and names[3] == "gaussian_smoothing(sigma=1.0)[c0]"
    assert names[6:9] == [
        "hessian_of_gaussian_eigenvalues(sigma=1.0)[c0][ev0]",
        "hessian_of_gaussian_eigenvalues(sigma=1.0)[c0][ev1]",
        "hessian_of_gaussian_eigenvalues(sigma=1.0)[c1][ev0]",
    ]
    for c in range(3):
        want = reference_features(image[..., c], _entries(selection))
        _assert_close(got[..., [c, 3 + c, 6 + 2 * c, 7 + 2 * c]], want, [f"c{c}"] * 4)


def test_multichannel_3d_channel_first_axes():
    rng = np.random.default_rng(6)
    image = rng.random((2, 12, 14, 15)).astype(np.float32)  # czyx
    selection = FeatureSelection([("gaussian_gradient_magnitude", 1.0), ("structure_tensor_eigenvalues", 0.7)])
    got = compute_features(image, selection, axes="czyx")
    assert got.shape == (12, 14, 15, 2 * (1 + 3))
    for c in range(2):
        want = reference_features(image[c], _entries(selection))
        _assert_close(got[..., [c, 2 + 3 * c, 3 + 3 * c, 4 + 3 * c]], want, [f"c{c}"] * 4)


def test_in_2d_on_3d_data_filters_each_slice():
    image = _image((5, 30, 31))
    selection = FeatureSelection([("hessian_of_gaussian_eigenvalues", 1.6, True), ("gaussian_smoothing", 0.7)])
    got = compute_features(image, selection, axes="zyx")
    assert got.shape[-1] == 1 + 2  # 3D smoothing, then 2 eigenvalues per slice
    for z in range(image.shape[0]):
        want = reference_features(image[z], [("hessian_of_gaussian_eigenvalues", 1.6)])
        _assert_close(got[z, ..., 1:], want, ["ev0", "ev1"])
    assert "in 2d" in selection.channel_names(3)[-1]


def test_eigenvalues_sorted_descending_and_exact_for_degenerate_matrices():
    rng = np.random.default_rng(7)
    n = 5000
    m = rng.normal(size=(n, 3, 3))
    m = m + m.transpose(0, 2, 1)
    m[:50] = np.eye(3) * rng.normal(size=(50, 1, 1))  # triple eigenvalue
    m[50:100] = np.diag([2.0, 2.0, -1.0])  # double eigenvalue
    comps = [np.ascontiguousarray(m[:, i, j], dtype=np.float32) for i, j in [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)]]
    outs = [np.empty(n, np.float32) for _ in range(3)]
    symmetric_eigenvalues(comps, outs, threads=2)
    want = np.linalg.eigvalsh(m.astype(np.float32).astype(np.float64))[:, ::-1]
    np.testing.assert_allclose(np.stack(outs, 1), want, atol=2e-5 * np.abs(want).max())
    # in place (outputs are inputs) gives the same numbers
    symmetric_eigenvalues(comps, comps[:3], threads=1)
    np.testing.assert_allclose(np.stack(comps[:3], 1), np.stack(outs, 1), atol=1e-6 * np.abs(want).max())


# ----------------------------------------------------------------------------- fastfilters2

# fastfilters2.compute_filters(image, s) returns 7 planes; their meaning (determined numerically):
FF2_PLANES = [
    ("gaussian_smoothing", 0),
    ("gaussian_gradient_magnitude", 0),
    ("laplacian_of_gaussian", 0),
    ("hessian_of_gaussian_eigenvalues", 0),
    ("hessian_of_gaussian_eigenvalues", 1),
    ("structure_tensor_eigenvalues", 0),
    ("structure_tensor_eigenvalues", 1),
]


@pytest.mark.parametrize("scale", [0.7, 1.0, 1.6, 3.5, 5.0, 10.0])
def test_2d_matches_fastfilters2(scale):
    fastfilters2 = pytest.importorskip("fastfilters2")
    # fastfilters2 2.0.0.dev0 segfaults on images narrower than its SIMD block (e.g. 80 x 90); use 160 wide
    image = _image((72, 160), seed=11)
    selection = FeatureSelection([(name, scale) for name in ALL_FILTERS])
    got = compute_features(image, selection)
    names = selection.channel_names(2)
    theirs = np.asarray(fastfilters2.compute_filters(image, scale))
    for plane, (name, k) in enumerate(FF2_PLANES):
        suffix = f"[ev{k}]" if "eigenvalues" in name else ""
        ours = got[..., names.index(f"{name}(sigma={scale!r})[c0]{suffix}")]
        span = float(np.ptp(theirs[plane]))
        assert np.max(np.abs(ours - theirs[plane])) <= 1e-3 * span, (name, k)
