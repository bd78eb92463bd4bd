"""Training samples from sparse labels equal whole-image features at the labelled pixels."""

from __future__ import annotations

import numpy as np
import pytest
import skimage.data
import zarr

from pixframework.classifiers import train_model
from pixframework.pipeline import block_shape, gather_samples
from pixframework.errors import ValidationError
from pixframework.features import FeatureSelection, compute_features


class RecordingImage:
    """A lazy image (shape, dtype, slicing) that remembers every region read from it."""

    def __init__(self, data: np.ndarray):
        self._data = data
        self.shape = data.shape
        self.dtype = data.dtype
        self.reads: list[tuple[slice, ...]] = []

    def __getitem__(self, key):
        self.reads.append(key)
        return self._data[key]

    def pixels_read(self) -> int:
        return sum(int(np.prod([len(range(*s.indices(n))) for s, n in zip(k, self.shape)])) for k in self.reads)


def strokes_2d(shape, seed=0) -> np.ndarray:
    """Three classes of short strokes scattered over the image (0 = unlabelled)."""
    rng = np.random.default_rng(seed)
    labels = np.zeros(shape, np.uint8)
    for k in range(12):
        y, x = rng.integers(0, shape[0] - 6), rng.integers(0, shape[1] - 20)
        labels[y : y + 2, x : x + rng.integers(5, 20)] = 1 + k % 3
    return labels


def expected_at(features: np.ndarray, positions: np.ndarray) -> np.ndarray:
    spatial = positions[:, 4 - (features.ndim - 1) :]
    return features[tuple(spatial.T)]


def test_samples_equal_whole_image_features_at_labelled_pixels_2d():
    image = skimage.data.coins()[:200, :260]
    labels = strokes_2d(image.shape)
    X, y, where = gather_samples([(image, "yx", labels)], None, block=64, return_positions=True)
    whole = compute_features(image)
    assert X.dtype == np.float32 and X.flags.c_contiguous and X.shape == (np.count_nonzero(labels), 49)
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, labels[where[:, 2], where[:, 3]])
    np.testing.assert_allclose(X, expected_at(whole, where), rtol=1e-6, atol=1e-5)
    assert sorted(map(tuple, where[:, 2:])) == sorted(map(tuple, np.argwhere(labels)))


def test_features_are_computed_only_around_labels():
    data = skimage.data.camera()  # 512 x 512
    labels = np.zeros(data.shape, np.uint8)
    labels[100:104, 100:130] = 1
    labels[400:402, 300:320] = 2
    image = RecordingImage(data)
    X, y = gather_samples([(image, "yx", labels)], FeatureSelection([("gaussian_smoothing", 1.0), ("hessian_of_gaussian_eigenvalues", 1.6)]))
    assert X.shape == (4 * 30 + 2 * 20, 3) and set(np.unique(y)) == {1, 2}
    # two small boxes plus their halos, far less than the image
    assert 0 < image.pixels_read() < 0.05 * data.size


def test_samples_3d_from_zarr_labels_and_lazy_image(tmp_path):
    rng = np.random.default_rng(3)
    volume = np.cumsum(rng.standard_normal((20, 40, 44)), axis=2).astype(np.float32)
    labels = zarr.open_array(str(tmp_path / "labels.zarr"), mode="w", shape=volume.shape, chunks=(8, 16, 16), dtype="uint16")
    dense = np.zeros(volume.shape, np.uint16)
    dense[3, 5:9, 6:30] = 1
    dense[15, 30:33, 2:5] = 2
    dense[10:12, 20, 40:44] = 3
    labels[...] = dense
    image = zarr.open_array(str(tmp_path / "image.zarr"), mode="w", shape=volume.shape, chunks=(10, 20, 22), dtype="float32")
    image[...] = volume
    selection = FeatureSelection([("gaussian_smoothing", 0.7), ("gaussian_gradient_magnitude", 1.0),
                                  ("structure_tensor_eigenvalues", 1.0), ("laplacian_of_gaussian", 1.0, True)])
    X, y, where = gather_samples([(image, "zyx", labels)], selection, block=(8, 16, 16), return_positions=True)
    whole = compute_features(volume, selection, axes="zyx")
    assert X.shape == (np.count_nonzero(dense), whole.shape[-1])
    np.testing.assert_array_equal(y, dense[tuple(where[:, 1:].T)])
    np.testing.assert_allclose(X, whole[tuple(where[:, 1:].T)], rtol=1e-6, atol=1e-5)


def test_samples_across_images_with_channels_then_train():
    rgb = skimage.data.astronaut()[:120, :150]
    other = skimage.data.astronaut()[200:300, 100:260]
    selection = FeatureSelection([("gaussian_smoothing", 0.7), ("difference_of_gaussians", 1.6)])
    first = strokes_2d(rgb.shape[:2], seed=1)
    second = strokes_2d(other.shape[:2], seed=2)
    progress = []
    X, y, where = gather_samples(
        [(rgb, "yxc", first), (other, "yxc", second)], selection, block=50,
        progress=lambda f, m: progress.append(f), return_positions=True,
    )
    assert X.shape == (np.count_nonzero(first) + np.count_nonzero(second), 6)
    assert set(np.unique(where[:, 0])) == {0, 1} and progress[-1] == pytest.approx(1.0)
    for index, (img, lab) in enumerate(((rgb, first), (other, second))):
        mine = where[:, 0] == index
        whole = compute_features(img, selection, axes="yxc")
        np.testing.assert_allclose(X[mine], whole[where[mine, 2], where[mine, 3]], rtol=1e-6, atol=1e-5)
    model = train_model("random_forest", X, y, {"n_estimators": 10}, selection.channel_names(2, 3))
    assert model.classes == (1, 2, 3) and len(model.feature_names) == 6


def test_no_labels_gives_empty_samples_of_the_right_width():
    image = np.random.default_rng(0).random((40, 50)).astype(np.float32)
    X, y = gather_samples([(image, "yx", np.zeros((40, 50), np.uint8))], None)
    assert X.shape == (0, 49) and y.shape == (0,)


def test_bad_labels_are_named():
    image = np.random.default_rng(0).random((40, 50)).astype(np.float32)
    with pytest.raises(ValidationError, match=r"shape \(50, 40\).*\(40, 50\)"):
        gather_samples([(image, "yx", np.zeros((50, 40), np.uint8))], None)
    with pytest.raises(ValidationError, match="must be integers"):
        gather_samples([(image, "yx", np.zeros((40, 50), np.float32))], None)
    negative = np.zeros((40, 50), np.int16)
    negative[3, 3] = -2
    with pytest.raises(ValidationError, match="negative"):
        gather_samples([(image, "yx", negative)], None)
    labels = np.zeros((40, 50), np.uint8)
    labels[5, 5:10] = 1
    two_channels = np.stack([image, image], axis=-1)
    with pytest.raises(ValidationError, match="same number of channels"):
        gather_samples([(image, "yx", labels), (two_channels, "yxc", labels)], [("gaussian_smoothing", 1.0)])


def test_block_shape_keeps_3d_blocks_as_small_as_2d_ones():
    assert block_shape(2, 256) == (256, 256)
    z = block_shape(3, 256)
    assert len(set(z)) == 1 and 0.5 < z[0] ** 3 / 256**2 < 2
    assert block_shape(3, (4, 8, 16)) == (4, 8, 16)
    with pytest.raises(ValidationError):
        block_shape(2, (4, 8, 16))
