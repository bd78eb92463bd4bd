"""Regions (region plus halo in, region out) equal the whole-image result, for numpy and lazy zarr input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import zarr

from pixframework.features import FeatureSelection, compute_features

SELECTION_2D = FeatureSelection(
    [("gaussian_smoothing", 0.3), ("laplacian_of_gaussian", 1.6), ("gaussian_gradient_magnitude", 0.7),
     ("gaussian_smoothing", 3.5), ("difference_of_gaussians", 3.5), ("structure_tensor_eigenvalues", 1.0),
     ("hessian_of_gaussian_eigenvalues", 5.0), ("gaussian_gradient_magnitude", 5.0)]
)
SELECTION_3D = FeatureSelection(
    [("gaussian_smoothing", 1.0), ("structure_tensor_eigenvalues", 1.6), ("hessian_of_gaussian_eigenvalues", 0.7),
     ("difference_of_gaussians", 1.0, True)]
)


class RecordingReader:
    """A lazy array-like over a real zarr array that remembers which slices were read."""

    def __init__(self, array):
        self.array = array
        self.shape = array.shape
        self.dtype = array.dtype
        self.reads: list[tuple[slice, ...]] = []

    def __getitem__(self, key):
        self.reads.append(key)
        return self.array[key]


def _blocks(shape, block):
    """Tiles of ``block`` (need not divide ``shape``) covering the image."""
    starts = [range(0, n, b) for n, b in zip(shape, block)]
    for corner in itertools.product(*starts):
        yield tuple(slice(c, min(c + b, n)) for c, b, n in zip(corner, block, shape))


def _tiled(image, selection, shape, block, **kwargs):
    whole = compute_features(image, selection, **kwargs)
    tiled = np.full(whole.shape, np.nan, np.float32)
    for region in _blocks(shape, block):
        tiled[region] = compute_features(image, selection, region=region, **kwargs)
    return whole, tiled


@pytest.mark.parametrize("block", [(23, 31), (17, 50), (64, 9)])
def test_2d_tiles_equal_whole_image(block):
    rng = np.random.default_rng(0)
    image = rng.random((70, 83)).astype(np.float32)
    whole, tiled = _tiled(image, SELECTION_2D, image.shape, block)
    assert not np.isnan(tiled).any()
    np.testing.assert_allclose(tiled, whole, rtol=0, atol=1e-5 * float(np.abs(whole).max()))


def test_3d_tiles_from_lazy_zarr_equal_whole_image_and_read_only_region_plus_halo(tmp_path):
    rng = np.random.default_rng(1)
    data = (rng.random((2, 15, 26, 29)) * 1000).astype(np.uint16)  # czyx
    array = zarr.create_array(store=str(tmp_path / "img.zarr"), shape=data.shape, chunks=(1, 8, 8, 8), dtype=data.dtype)
    array[...] = data
    reader = RecordingReader(zarr.open_array(str(tmp_path / "img.zarr"), mode="r"))
    halo = SELECTION_3D.halo_per_axis(3)
    whole = compute_features(data, SELECTION_3D, axes="czyx")
    for region in _blocks((15, 26, 29), (7, 11, 13)):
        reader.reads.clear()
        tile = compute_features(reader, SELECTION_3D, axes="czyx", region=region, threads=2)
        np.testing.assert_allclose(tile, whole[region], rtol=0, atol=1e-5 * float(np.abs(whole).max()))
        (key,) = reader.reads  # one read, in the reader's own axis order (c first)
        for got, want, h, n in zip(key[1:], region, halo, (15, 26, 29)):
            assert got.start == max(0, want.start - h) and got.stop == min(n, want.stop + h)


def test_in_2d_entries_read_no_z_halo():
    rng = np.random.default_rng(2)
    reader = RecordingReader(rng.random((9, 30, 30)).astype(np.float32))
    selection = FeatureSelection([("hessian_of_gaussian_eigenvalues", 1.6, True)])
    region = (slice(4, 5), slice(10, 20), slice(0, 30))
    tile = compute_features(reader, selection, axes="zyx", region=region)
    assert tile.shape == (1, 10, 30, 2)
    (key,) = reader.reads
    assert key[0] == slice(4, 5)
    whole = compute_features(reader.array, selection, axes="zyx")
    np.testing.assert_array_equal(tile, whole[region])


def test_out_argument_any_strides_and_view_layout():
    rng = np.random.default_rng(4)
    image = rng.random((40, 50)).astype(np.float32)
    selection = FeatureSelection([("gaussian_smoothing", 1.0), ("structure_tensor_eigenvalues", 1.0)])
    plain = compute_features(image, selection)
    # the result is a channels-last view of channel-first planes
    assert plain.shape == (40, 50, 3) and plain.base is not None and plain.strides[-1] == 40 * 50 * 4
    out = np.zeros((40, 50, 3), np.float32)  # channels-last storage: written through a scratch block
    assert compute_features(image, selection, out=out) is out
    np.testing.assert_array_equal(out, plain)
    region = (slice(5, 25), slice(7, 50))
    out_region = np.zeros((3, 20, 43), np.float32).transpose(1, 2, 0)
    compute_features(image, selection, region=region, out=out_region)
    np.testing.assert_array_equal(out_region, plain[region])
