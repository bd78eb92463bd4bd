"""Per-pixel arithmetic on whole planes, threaded and fused so each plane is read once.

Filters combine cached derivatives with these helpers (plugin authors may use them too). All
arrays are float32 and of one shape; outputs may be the same arrays as inputs (each pixel is read
before it is written).
"""

from __future__ import annotations

from typing import Any, Sequence

import numba
import numpy as np

from ..errors import ValidationError
from .workers import parallel_for

#: pixels below which splitting over threads does not pay
MIN_PIXELS_PER_TASK = 1 << 15


def flat_views(arrays: Sequence[np.ndarray], shape: tuple[int, ...] | None = None) -> list[np.ndarray]:
    """1D views of C-contiguous float32 arrays of one shape (raises :class:`ValidationError` otherwise)."""
    shape = tuple(arrays[0].shape) if shape is None else shape
    flat = []
    for a in arrays:
        if a.dtype != np.float32 or tuple(a.shape) != shape or not a.flags.c_contiguous:
            raise ValidationError(
                f"expected C-contiguous float32 arrays of shape {shape}, got {a.dtype} {a.shape}"
            )
        flat.append(a.reshape(-1))
    return flat


#: pixels per block when an output is also an input (inputs are copied block by block first)
ALIASED_BLOCK = 1 << 14


def run_pixels(
    kernel, inputs: Sequence[np.ndarray], outputs: Sequence[np.ndarray], threads: int, *constants: object
) -> None:
    """Run ``kernel(*input_chunks, *output_chunks, *constants)`` over all pixels, in parallel chunks.

    Kernels loop over 1D chunks from index 0, so numba skips negative-index handling and LLVM
    vectorises them. Outputs may be inputs: those inputs are then copied block by block before
    the kernel sees them (LLVM's overlap check would otherwise fall back to scalar code, measured
    7x slower).
    """
    flat_in = flat_views(inputs)
    flat_out = flat_views(outputs, tuple(inputs[0].shape) if inputs else None)
    aliased = [any(np.shares_memory(a, o) for o in flat_out) for a in flat_in]

    def body(start: int, stop: int) -> None:
        if not any(aliased):
            kernel(*[f[start:stop] for f in flat_in], *[f[start:stop] for f in flat_out], *constants)
            return
        for a in range(start, stop, ALIASED_BLOCK):
            b = min(a + ALIASED_BLOCK, stop)
            ins = [f[a:b].copy() if copy else f[a:b] for f, copy in zip(flat_in, aliased)]
            kernel(*ins, *[f[a:b] for f in flat_out], *constants)

    parallel_for(body, flat_out[0].shape[0], threads, MIN_PIXELS_PER_TASK)


@numba.njit(nogil=True, cache=True)
def _copy(a, out):  # pragma: no cover - compiled
    for i in range(a.shape[0]):
        out[i] = a[i]


@numba.njit(nogil=True, cache=True)
def _subtract(a, b, out):  # pragma: no cover - compiled
    for i in range(a.shape[0]):
        out[i] = a[i] - b[i]


@numba.njit(nogil=True, cache=True)
def _add2(a, b, out):  # pragma: no cover - compiled
    for i in range(a.shape[0]):
        out[i] = a[i] + b[i]


@numba.njit(nogil=True, cache=True)
def _add3(a, b, c, out):  # pragma: no cover - compiled
    for i in range(a.shape[0]):
        out[i] = a[i] + b[i] + c[i]


@numba.njit(nogil=True, cache=True)
def _magnitude2(a, b, out):  # pragma: no cover - compiled
    for i in range(a.shape[0]):
        out[i] = np.sqrt(a[i] * a[i] + b[i] * b[i])


@numba.njit(nogil=True, cache=True)
def _magnitude3(a, b, c, out):  # pragma: no cover - compiled
    for i in range(a.shape[0]):
        out[i] = np.sqrt(a[i] * a[i] + b[i] * b[i] + c[i] * c[i])


@numba.njit(nogil=True, cache=True)
def _products2(gy, gx, yy, xx, yx):  # pragma: no cover - compiled
    for i in range(gy.shape[0]):
        a = gy[i]
        b = gx[i]
        yy[i] = a * a
        xx[i] = b * b
        yx[i] = a * b


@numba.njit(nogil=True, cache=True)
def _products3(gz, gy, gx, zz, yy, xx, zy, zx, yx):  # pragma: no cover - compiled
    for i in range(gz.shape[0]):
        a = gz[i]
        b = gy[i]
        c = gx[i]
        zz[i] = a * a
        yy[i] = b * b
        xx[i] = c * c
        zy[i] = a * b
        zx[i] = a * c
        yx[i] = b * c


def copy(a: np.ndarray, out: np.ndarray, threads: int = 1) -> np.ndarray:
    """``out[...] = a``."""
    run_pixels(_copy, [a], [out], threads)
    return out


def subtract(a: np.ndarray, b: np.ndarray, out: np.ndarray, threads: int = 1) -> np.ndarray:
    """``out = a - b``."""
    run_pixels(_subtract, [a, b], [out], threads)
    return out


def _by_count(what: str, kernels: dict[int, Any], arrays: Sequence[np.ndarray]) -> Any:
    kernel = kernels.get(len(arrays))
    if kernel is None:
        raise ValidationError(f"{what} takes {' or '.join(map(str, kernels))} arrays, got {len(arrays)}")
    return kernel


def add(arrays: Sequence[np.ndarray], out: np.ndarray, threads: int = 1) -> np.ndarray:
    """``out = sum(arrays)`` for 2 or 3 arrays."""
    run_pixels(_by_count("add", {2: _add2, 3: _add3}, arrays), arrays, [out], threads)
    return out


def magnitude(components: Sequence[np.ndarray], out: np.ndarray, threads: int = 1) -> np.ndarray:
    """``out = sqrt(sum(c**2))`` for 2 or 3 vector components."""
    run_pixels(_by_count("magnitude", {2: _magnitude2, 3: _magnitude3}, components), components, [out], threads)
    return out


def outer_products(gradient: Sequence[np.ndarray], outs: Sequence[np.ndarray], threads: int = 1) -> None:
    """Upper triangle of the outer product ``g g^T`` of a gradient (components in axis order).

    2D ``(gy, gx)`` -> ``outs = (yy, xx, yx)``; 3D ``(gz, gy, gx)`` -> ``(zz, yy, xx, zy, zx, yx)``
    (diagonal first, then off-diagonal in row-major order: the order
    :func:`pixframework.features.eigen.symmetric_eigenvalues` takes).
    """
    n = len(gradient)
    kernel = {2: _products2, 3: _products3}.get(n)
    if kernel is None or len(outs) != n * (n + 1) // 2:
        raise ValidationError(f"outer_products takes 2 or 3 components and n(n+1)/2 outputs, got {n}, {len(outs)}")
    run_pixels(kernel, gradient, outs, threads)


@numba.njit(nogil=True, cache=True)
def _finite(a):  # pragma: no cover - compiled
    # a float32 is NaN or infinite exactly when all its exponent bits are set; an integer max vectorises
    bits = a.view(np.uint32)
    exponent = np.uint32(0x7F800000)
    top = np.uint32(0)
    for i in range(bits.shape[0]):
        top = max(top, bits[i] & exponent)
    return top != exponent


def all_finite(array: np.ndarray, threads: int = 1) -> bool:
    """True if no element of the float32 ``array`` is NaN or infinite (any shape; copied if strided)."""
    flat = np.ascontiguousarray(array, dtype=np.float32).reshape(-1)
    bad: list[bool] = []

    def body(a: int, b: int) -> None:
        if not _finite(flat[a:b]):
            bad.append(True)

    parallel_for(body, flat.shape[0], threads, MIN_PIXELS_PER_TASK)
    return not bad
