"""Built-in plugin: ilastik's six feature filters (definitions of ilastik's napari plugin / fastfilters2).

Each filter computes from the shared :class:`~pixframework.specs.FilterInput` (derivatives at one
scale are computed once for all filters). Formulas, with ``G_s`` the sampled Gaussian of
standard deviation ``s`` pixels and ``d_i`` derivatives along axis ``i`` (see docs/features.md):

- Gaussian smoothing: ``G_s * f``
- Laplacian of Gaussian: ``sum_i d_ii G_s * f``
- Gaussian gradient magnitude: ``sqrt(sum_i (d_i G_s * f)^2)``
- difference of Gaussians: ``G_s * f - G_{s/2} * f``
- structure tensor eigenvalues: eigenvalues of ``G_{s/2} * (g g^T)`` with ``g = (d_i G_s * f)_i``
- Hessian of Gaussian eigenvalues: eigenvalues of ``(d_i d_j G_s * f)_ij``

Eigenvalues are signed and sorted descending. Halos are the kernel radii
``ceil((3 + order/2) * s)`` (the structure tensor adds its smoothing radius).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..features import eigen, pointwise
from ..features.kernels import kernel_radius
from ..features.structure import structure_tensor_eigenvalues_2d
from ..hookspecs import hookimpl
from ..specs import FilterInput, FilterSpec

#: inner scale of the difference of Gaussians and smoothing scale of the structure tensor, relative to s
INNER_SCALE_RATIO = 0.5
#: ilastik offers 0.3 only for Gaussian smoothing
DERIVATIVE_MIN_SCALE = 0.7


def _threads(src: FilterInput) -> int:
    return int(getattr(src, "threads", 1))


def _unit_orders(ndim: int, total: int) -> list[tuple[int, ...]]:
    """Derivative orders of the gradient (total 1) or the Hessian diagonal (total 2), axis by axis."""
    return [tuple(total if a == i else 0 for a in range(ndim)) for i in range(ndim)]


def _hessian_orders(ndim: int) -> list[tuple[int, ...]]:
    """Diagonal then upper triangle, the component order of :func:`eigen.symmetric_eigenvalues`."""
    pairs = [(i, i) for i in range(ndim)] + [(i, j) for i in range(ndim) for j in range(i + 1, ndim)]
    return [tuple((a == i) + (a == j) for a in range(ndim)) for i, j in pairs]


def _scratch(src: FilterInput) -> np.ndarray:
    take = getattr(src, "empty", None)
    return take() if take is not None else np.empty(src.data.shape, np.float32)


def _release(src: FilterInput, array: np.ndarray) -> None:
    give = getattr(src, "release", None)
    if give is not None:
        give(array)


def gaussian_smoothing(src: FilterInput, scale: float, out: np.ndarray, **_: Any) -> None:
    """``out[0] = G_s * f`` (computed straight into the output, which then serves other filters)."""
    src.derivative(scale, (0,) * src.data.ndim, out=out[0])


def laplacian_of_gaussian(src: FilterInput, scale: float, out: np.ndarray, **_: Any) -> None:
    """``out[0] = sum_i d_ii G_s * f``."""
    second = [src.derivative(scale, order) for order in _unit_orders(src.data.ndim, 2)]
    pointwise.add(second, out[0], _threads(src))


def gaussian_gradient_magnitude(src: FilterInput, scale: float, out: np.ndarray, **_: Any) -> None:
    """``out[0] = |grad G_s * f|``."""
    gradient = [src.derivative(scale, order) for order in _unit_orders(src.data.ndim, 1)]
    pointwise.magnitude(gradient, out[0], _threads(src))


def difference_of_gaussians(src: FilterInput, scale: float, out: np.ndarray, **_: Any) -> None:
    """``out[0] = G_s * f - G_{s/2} * f``."""
    smooth = src.derivative(scale, (0,) * src.data.ndim)
    inner = src.smooth(src.data, INNER_SCALE_RATIO * scale, out=out[0])
    pointwise.subtract(smooth, inner, out[0], _threads(src))


def structure_tensor_eigenvalues(src: FilterInput, scale: float, out: np.ndarray, **_: Any) -> None:
    """``out = eig(G_{s/2} * (g g^T))``, ``g`` the gradient at ``s``; descending."""
    ndim = src.data.ndim
    threads = _threads(src)
    inner = INNER_SCALE_RATIO * scale
    gradient = [src.derivative(scale, order) for order in _unit_orders(ndim, 1)]
    if ndim == 2:
        # fused products, smoothing and eigenvalues: only the two output planes touch memory
        structure_tensor_eigenvalues_2d(gradient[0], gradient[1], inner, out[0], out[1], threads)
        return
    # tensor components: the diagonal in the output planes, the rest in scratch planes; each is
    # smoothed in place, then the eigenvalues overwrite the output planes
    extra = [_scratch(src) for _ in range(ndim * (ndim - 1) // 2)]
    try:
        tensor = [out[i] for i in range(ndim)] + extra
        pointwise.outer_products(gradient, tensor, threads)
        for component in tensor:
            src.smooth(component, inner, out=component)
        eigen.symmetric_eigenvalues(tensor, [out[i] for i in range(ndim)], threads)
    finally:
        for plane in extra:
            _release(src, plane)


def hessian_of_gaussian_eigenvalues(src: FilterInput, scale: float, out: np.ndarray, **_: Any) -> None:
    """``out = eig(d_i d_j G_s * f)``; descending."""
    ndim = src.data.ndim
    hessian = [src.derivative(scale, order) for order in _hessian_orders(ndim)]
    eigen.symmetric_eigenvalues(hessian, [out[i] for i in range(ndim)], _threads(src))


def _eigen_names(ndim: int) -> list[str]:
    return [f"ev{i}" for i in range(ndim)]


def _radius_halo(order: int):
    return lambda scale, ndim: kernel_radius(scale, order)


def _structure_tensor_halo(scale: float, ndim: int) -> int:
    return kernel_radius(scale, 1) + kernel_radius(INNER_SCALE_RATIO * scale, 0)


def _difference_halo(scale: float, ndim: int) -> int:
    return max(kernel_radius(scale, 0), kernel_radius(INNER_SCALE_RATIO * scale, 0))


def _smoothing_orders(ndim: int) -> list[tuple[int, ...]]:
    return [(0,) * ndim]


def _pointwise_margin(scale: float, ndim: int) -> int:
    """Filters combining derivatives pixel by pixel read no context beyond their output."""
    return 0


def _structure_tensor_margin(scale: float, ndim: int) -> int:
    """The tensor is smoothed at s/2: its radius of gradient around each output pixel."""
    return kernel_radius(INNER_SCALE_RATIO * scale, 0)


def _spec(name: str, title: str, description: str, compute: Any, halo: Any, derivatives: Any, *,
          eigenvalues: bool = False, min_scale: float = DERIVATIVE_MIN_SCALE,
          margin: Any = _pointwise_margin) -> FilterSpec:
    """A built-in filter spec; eigenvalue filters have one output per spatial dimension."""
    extra: dict[str, Any] = {"n_outputs": lambda ndim: ndim, "output_names": _eigen_names} if eigenvalues else {}
    return FilterSpec(name=name, title=title, description=description, compute=compute, halo=halo,
                      derivatives=derivatives, min_scale=min_scale, margin=margin, **extra)


FILTERS: tuple[FilterSpec, ...] = (
    _spec("gaussian_smoothing", "Gaussian Smoothing", "Gaussian smoothing G_s * f (kernel sums to 1, radius ceil(3 s)).",
          gaussian_smoothing, _radius_halo(0), _smoothing_orders, min_scale=0.3),
    _spec("laplacian_of_gaussian", "Laplacian of Gaussian", "Sum of second Gaussian derivatives along each axis at s.",
          laplacian_of_gaussian, _radius_halo(2), lambda ndim: _unit_orders(ndim, 2)),
    _spec("gaussian_gradient_magnitude", "Gaussian Gradient Magnitude", "Length of the Gaussian gradient at scale s.",
          gaussian_gradient_magnitude, _radius_halo(1), lambda ndim: _unit_orders(ndim, 1)),
    _spec("difference_of_gaussians", "Difference of Gaussians", "G_s * f - G_{s/2} * f.",
          difference_of_gaussians, _difference_halo, _smoothing_orders),
    _spec("structure_tensor_eigenvalues", "Structure Tensor Eigenvalues",
          "Eigenvalues (descending) of the gradient outer product at s smoothed at s/2.",
          structure_tensor_eigenvalues, _structure_tensor_halo, lambda ndim: _unit_orders(ndim, 1), eigenvalues=True,
          margin=_structure_tensor_margin),
    _spec("hessian_of_gaussian_eigenvalues", "Hessian of Gaussian Eigenvalues",
          "Eigenvalues (descending) of the Hessian of Gaussian at scale s.",
          hessian_of_gaussian_eigenvalues, _radius_halo(2), _hessian_orders, eigenvalues=True),
)


@hookimpl(trylast=True)
def pixf_register_filters() -> list[FilterSpec]:
    """ilastik's filters, in ilastik's order (which is also the output channel order)."""
    return list(FILTERS)
