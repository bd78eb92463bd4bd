"""Independent, straightforward reference for ilastik's filters (float64, scipy.ndimage).

Written from the formulas in docs/features.md only (it imports nothing from pixframework), so
the engine is checked against a second implementation: explicit kernels, one
``scipy.ndimage.correlate1d(mode="mirror")`` per axis, ``numpy.linalg.eigvalsh`` for eigenvalues.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage


def kernel(sigma: float, order: int) -> np.ndarray:
    """Taps at offsets -r..r of the sampled Gaussian derivative, normalised by moments."""
    radius = math.ceil((3 + 0.5 * order) * sigma)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    gauss = np.exp(-(x**2) / (2 * sigma**2))
    if order == 0:
        return gauss / gauss.sum()
    if order == 1:
        k = x * gauss
        return k / np.sum(k * x)  # ramp x -> 1
    k = (x**2 / sigma**2 - 1) * gauss
    k -= k.mean()
    return k / np.sum(k * x**2 / 2)  # x^2/2 -> 1


def derivative(image: np.ndarray, sigma: float, orders: tuple[int, ...]) -> np.ndarray:
    """Separable Gaussian derivative, one order per axis, mirror borders."""
    result = np.asarray(image, dtype=np.float64)
    for axis, order in enumerate(orders):
        result = ndimage.correlate1d(result, kernel(sigma, order), axis=axis, mode="mirror")
    return result


def _unit(ndim: int, axis: int, order: int) -> tuple[int, ...]:
    return tuple(order if a == axis else 0 for a in range(ndim))


def _eigenvalues(matrix: list[list[np.ndarray]]) -> np.ndarray:
    n = len(matrix)
    stacked = np.stack([np.stack(row, axis=-1) for row in matrix], axis=-2)  # (..., n, n)
    values = np.linalg.eigvalsh(stacked)[..., ::-1]  # descending
    return np.moveaxis(values, -1, 0).reshape(n, *matrix[0][0].shape)


def gaussian_smoothing(image: np.ndarray, s: float) -> np.ndarray:
    return derivative(image, s, (0,) * image.ndim)[None]


def laplacian_of_gaussian(image: np.ndarray, s: float) -> np.ndarray:
    return sum(derivative(image, s, _unit(image.ndim, a, 2)) for a in range(image.ndim))[None]


def gaussian_gradient_magnitude(image: np.ndarray, s: float) -> np.ndarray:
    squares = sum(derivative(image, s, _unit(image.ndim, a, 1)) ** 2 for a in range(image.ndim))
    return np.sqrt(squares)[None]


def difference_of_gaussians(image: np.ndarray, s: float) -> np.ndarray:
    zeros = (0,) * image.ndim
    return (derivative(image, s, zeros) - derivative(image, 0.5 * s, zeros))[None]


def structure_tensor_eigenvalues(image: np.ndarray, s: float) -> np.ndarray:
    n = image.ndim
    grad = [derivative(image, s, _unit(n, a, 1)) for a in range(n)]
    zeros = (0,) * n
    tensor = [[derivative(grad[i] * grad[j], 0.5 * s, zeros) for j in range(n)] for i in range(n)]
    return _eigenvalues(tensor)


def hessian_of_gaussian_eigenvalues(image: np.ndarray, s: float) -> np.ndarray:
    n = image.ndim
    hessian = [
        [derivative(image, s, tuple((a == i) + (a == j) for a in range(n))) for j in range(n)] for i in range(n)
    ]
    return _eigenvalues(hessian)


FILTERS = {
    "gaussian_smoothing": gaussian_smoothing,
    "laplacian_of_gaussian": laplacian_of_gaussian,
    "gaussian_gradient_magnitude": gaussian_gradient_magnitude,
    "difference_of_gaussians": difference_of_gaussians,
    "structure_tensor_eigenvalues": structure_tensor_eigenvalues,
    "hessian_of_gaussian_eigenvalues": hessian_of_gaussian_eigenvalues,
}


def reference_features(image: np.ndarray, entries: list[tuple[str, float]]) -> np.ndarray:
    """Features of a single-channel image ``(z)yx`` for entries already in output order: ``(*spatial, F)``."""
    planes = [FILTERS[name](image, s) for name, s in entries]
    return np.moveaxis(np.concatenate(planes, axis=0), 0, -1)
