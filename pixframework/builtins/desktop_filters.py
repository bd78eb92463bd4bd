"""Built-in plugin: ilastik desktop's definitions of the six filters (what an ``.ilp``'s forest was trained on).

ilastik desktop (lazyflow's ``OpPixelFeaturesPresmoothed``) does not filter the image at the
selected scale ``s`` directly. Per scale it first *presmooths* the data, then runs the filter at a
small scale ``s'`` with short kernels:

- presmoothing: Gaussian at ``p = sqrt(s^2 - 1)`` and ``s' = 1`` for ``s > 1``, else ``p = s`` and
  ``s' = s``; kernel window 3.5 (radius ``floor(3.5 p + 0.5)``);
- the filter at ``s'`` with kernel window 2 (radius ``floor(2 s' + 0.5)``, at least 1):
  Gaussian smoothing, Laplacian of Gaussian and gradient magnitude as usual,
  difference of Gaussians ``G(s') - G(0.66 s')``, structure tensor with the gradient at
  ``0.5 s'`` and the tensor smoothed at ``s'``, Hessian of Gaussian eigenvalues at ``s'``.

Borders mirror at both steps; eigenvalues are sorted descending. "Compute in 2D" is the entry's
``in_2d`` (both steps per z-slice). Everything is computed with vigra's arithmetic
(:mod:`~pixframework.features.vigra_arithmetic`), so the features equal those of vigra's filters
(ilastik's reference implementation) to float32 precision. The presmoothed data is computed once
per scale and channel and shared by the filters of that scale
(:meth:`~pixframework.features.derivatives.DerivativeCache.shared`). See docs/ilastik.md for the
sources these rules were read from.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..features.derivatives import BufferPool
from ..features.kernels import kernel_radius
from ..features.vigra_arithmetic import DOUBLE, FLOAT, TENSOR, gaussian_derivative, tensor_eigenvalues
from ..hookspecs import hookimpl
from ..specs import FilterInput, FilterSpec
from .filters import DERIVATIVE_MIN_SCALE, _eigen_names

#: prefix of the desktop variants' names: ``ilastik_desktop.gaussian_smoothing`` ...
PREFIX = "ilastik_desktop."
#: kernel windows (units of sigma) of the presmoothing and of the feature filters
PRESMOOTH_WINDOW = 3.5
FILTER_WINDOW = 2.0
#: inner scale of the difference of Gaussians, and gradient scale of the structure tensor, relative to s'
DOG_RATIO = 0.66
GRADIENT_RATIO = 0.5


def presmoothing(scale: float) -> tuple[float, float]:
    """``(presmoothing sigma, filter sigma)`` for a selected scale (pixels), as ilastik desktop splits it."""
    if scale > 1.0:
        return math.sqrt(scale * scale - 1.0), 1.0
    return scale, scale


def _unit(ndim: int, axis: int, order: int) -> tuple[int, ...]:
    return tuple(order if a == axis else 0 for a in range(ndim))


def _pairs(ndim: int) -> list[tuple[int, int]]:
    """Tensor components in vigra's order: axes counted from x (the last array axis), upper triangle."""
    return [(i, j) for i in range(ndim) for j in range(i, ndim)]


class Presmoothed:
    """One channel presmoothed for one scale, and the derivatives of it the six filters use.

    :attr:`data` is the presmoothed plane, :attr:`sigma` the filters' scale ``s'``. Smoothings use
    vigra's double kernels, derivatives its float kernels (as ``gaussianSmoothing`` and the
    derivative filters do). Arrays are held until :meth:`clear` (cache lifetime: one scale).
    """

    def __init__(self, src: FilterInput, scale: float):
        pre_sigma, self.sigma = presmoothing(scale)
        self.threads = int(getattr(src, "threads", 1))
        self._pool: BufferPool = getattr(src, "pool", None) or BufferPool()
        self._taken: list[np.ndarray] = []
        self._cache: dict[tuple, np.ndarray] = {}
        source = np.ascontiguousarray(src.data, np.float32)
        self._shape = source.shape
        self._scratch = self.empty()  # the middle pass of every 3D derivative
        self.data = self.empty()
        gaussian_derivative(source, pre_sigma, (0,) * source.ndim, PRESMOOTH_WINDOW, DOUBLE, self.data,
                            self._scratch, self.threads)

    def empty(self) -> np.ndarray:
        """A plane of ``data``'s shape (content undefined), held until :meth:`clear`."""
        plane = self._pool.take(self._shape)
        self._taken.append(plane)
        return plane

    def derivative(self, sigma: float, order: tuple[int, ...]) -> np.ndarray:
        """Gaussian derivative of :attr:`data` (``order`` per axis ``(z)yx``, window 2); cached."""
        key = (float(sigma), order)
        if key not in self._cache:
            arithmetic = FLOAT if any(order) else DOUBLE
            self._cache[key] = gaussian_derivative(self.data, sigma, order, FILTER_WINDOW, arithmetic, self.empty(),
                                                   self._scratch, self.threads)
        return self._cache[key]

    def smooth_tensor(self, plane: np.ndarray, sigma: float, out: np.ndarray) -> np.ndarray:
        """Gaussian smoothing (window 2) of a tensor component as vigra smooths tensors (double
        kernels, float sums) into ``out``, which must not be ``plane``."""
        return gaussian_derivative(plane, sigma, (0,) * plane.ndim, FILTER_WINDOW, TENSOR, out, self._scratch,
                                   self.threads)

    def clear(self) -> None:
        """Give every plane back to the pool."""
        for plane in self._taken:
            self._pool.give(plane)
        self._taken.clear()
        self._cache.clear()


def _presmoothed(src: FilterInput, scale: float) -> Presmoothed:
    share = getattr(src, "shared", None)
    if share is None:
        return Presmoothed(src, scale)
    return share((PREFIX, float(scale)), lambda: Presmoothed(src, scale))


def _smoothing(src: FilterInput, scale: float, out: np.ndarray, **_: Any) -> None:
    pre = _presmoothed(src, scale)
    np.copyto(out[0], pre.derivative(pre.sigma, (0,) * pre.data.ndim))


def _laplacian(src: FilterInput, scale: float, out: np.ndarray, **_: Any) -> None:
    """``d_xx + d_yy (+ d_zz)``, summed in float from x on, as vigra does."""
    pre = _presmoothed(src, scale)
    ndim = pre.data.ndim
    np.copyto(out[0], pre.derivative(pre.sigma, _unit(ndim, ndim - 1, 2)))
    for axis in reversed(range(ndim - 1)):
        out[0] += pre.derivative(pre.sigma, _unit(ndim, axis, 2))


def _gradient_magnitude(src: FilterInput, scale: float, out: np.ndarray, **_: Any) -> None:
    """``sqrt(g_x^2 + g_y^2 (+ g_z^2))`` in float, as vigra does."""
    pre = _presmoothed(src, scale)
    ndim = pre.data.ndim
    np.square(pre.derivative(pre.sigma, _unit(ndim, ndim - 1, 1)), out=out[0])
    for axis in reversed(range(ndim - 1)):
        g = pre.derivative(pre.sigma, _unit(ndim, axis, 1))
        out[0] += g * g
    np.sqrt(out[0], out=out[0])


def _difference(src: FilterInput, scale: float, out: np.ndarray, **_: Any) -> None:
    pre = _presmoothed(src, scale)
    zero = (0,) * pre.data.ndim
    np.subtract(pre.derivative(pre.sigma, zero), pre.derivative(DOG_RATIO * pre.sigma, zero), out=out[0])


def _structure_tensor(src: FilterInput, scale: float, out: np.ndarray, **_: Any) -> None:
    """Eigenvalues of the outer product of the gradient at ``0.5 s'``, smoothed at ``s'``."""
    pre = _presmoothed(src, scale)
    ndim = pre.data.ndim
    # gradient components from x on (vigra's order)
    gradient = [pre.derivative(GRADIENT_RATIO * pre.sigma, _unit(ndim, ndim - 1 - i, 1)) for i in range(ndim)]
    product = pre.empty()
    tensor = []
    for i, j in _pairs(ndim):
        np.multiply(gradient[i], gradient[j], out=product)
        tensor.append(pre.smooth_tensor(product, pre.sigma, out=pre.empty()))
    tensor_eigenvalues(tensor, [out[k] for k in range(ndim)], pre.threads)


def _hessian(src: FilterInput, scale: float, out: np.ndarray, **_: Any) -> None:
    pre = _presmoothed(src, scale)
    ndim = pre.data.ndim

    def order(i: int, j: int) -> tuple[int, ...]:  # i, j count axes from x
        return tuple((a == ndim - 1 - i) + (a == ndim - 1 - j) for a in range(ndim))

    tensor = [pre.derivative(pre.sigma, order(i, j)) for i, j in _pairs(ndim)]
    tensor_eigenvalues(tensor, [out[k] for k in range(ndim)], pre.threads)


def _radius(sigma: float, window: float = FILTER_WINDOW) -> int:
    return max(1, kernel_radius(sigma, 0, window))


def _halo(filter_radius: Any) -> Any:
    """Context: presmoothing radius plus the filter's own radius at ``s'``."""

    def halo(scale: float, ndim: int) -> int:
        pre_sigma, sigma = presmoothing(scale)
        return _radius(pre_sigma, PRESMOOTH_WINDOW) + filter_radius(sigma)

    return halo


def _spec(name: str, title: str, description: str, compute: Any, filter_radius: Any, *,
          eigenvalues: bool = False, min_scale: float = DERIVATIVE_MIN_SCALE) -> FilterSpec:
    extra: dict[str, Any] = {"n_outputs": lambda ndim: ndim, "output_names": _eigen_names} if eigenvalues else {}
    return FilterSpec(name=PREFIX + name, title=f"{title} (ilastik desktop)", compute=compute,
                      halo=_halo(filter_radius), min_scale=min_scale,
                      description=f"{description} As ilastik desktop computes it: presmoothed, then window-2 kernels "
                      "(reproduces the features of .ilp projects).", **extra)


DESKTOP_FILTERS: tuple[FilterSpec, ...] = (
    _spec("gaussian_smoothing", "Gaussian Smoothing", "G_s' * presmoothed f.", _smoothing, _radius, min_scale=0.3),
    _spec("laplacian_of_gaussian", "Laplacian of Gaussian", "Sum of second derivatives at s'.", _laplacian, _radius),
    _spec("gaussian_gradient_magnitude", "Gaussian Gradient Magnitude", "Gradient length at s'.",
          _gradient_magnitude, _radius),
    _spec("difference_of_gaussians", "Difference of Gaussians", "G_s' - G_0.66s'.", _difference, _radius),
    _spec("structure_tensor_eigenvalues", "Structure Tensor Eigenvalues",
          "Eigenvalues (descending) of the gradient at 0.5 s' outer product, smoothed at s'.", _structure_tensor,
          lambda sigma: _radius(GRADIENT_RATIO * sigma) + _radius(sigma), eigenvalues=True),
    _spec("hessian_of_gaussian_eigenvalues", "Hessian of Gaussian Eigenvalues",
          "Eigenvalues (descending) of the Hessian at s'.", _hessian, _radius, eigenvalues=True),
)

#: clean filter name -> its desktop variant
DESKTOP_NAMES: dict[str, str] = {spec.name[len(PREFIX):]: spec.name for spec in DESKTOP_FILTERS}


@hookimpl(trylast=True)
def pixf_register_filters() -> list[FilterSpec]:
    """The six filters as ilastik desktop computes them, in ilastik's order."""
    return list(DESKTOP_FILTERS)
