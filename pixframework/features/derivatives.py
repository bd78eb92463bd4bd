"""Shared, cached Gaussian derivatives of one image channel: the :class:`~pixframework.specs.FilterInput`
every filter plugin (built-in or third-party) receives.

A derivative of order ``(o_z, o_y, o_x)`` at ``sigma`` is computed as separable passes, last
axis first (x, then y, then z). Every partial result is cached under the orders applied so far,
so e.g. ``d/dx`` and ``d2/dxdy`` share their x pass, and all filters at one scale share every
pass. The engine makes one cache per (scale, input channel) and clears it afterwards, so the
extra memory is bounded by the planes one scale needs.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import ValidationError
from . import pointwise
from .convolve import correlate_axis
from .kernels import MAX_ORDER, half_kernel, kernel_radius
from .separable import separable_bank


class BufferPool:
    """Reusable float32 arrays by shape, so later scales do not pay page faults and zeroing again."""

    def __init__(self) -> None:
        self._free: dict[tuple[int, ...], list[np.ndarray]] = {}
        self._crop: tuple[int, ...] | None = None

    def take(self, shape: tuple[int, ...]) -> np.ndarray:
        """An array of ``shape`` with undefined content."""
        free = self._free.get(tuple(shape))
        return free.pop() if free else np.empty(shape, np.float32)

    def give(self, array: np.ndarray) -> None:
        """Return an array obtained from :meth:`take` for reuse."""
        if array.dtype == np.float32 and array.flags.owndata and array.flags.c_contiguous:
            self._free.setdefault(array.shape, []).append(array)

    def clear(self) -> None:
        """Drop all free arrays."""
        self._free.clear()

    def for_crop(self, shape: tuple[int, ...]) -> "BufferPool":
        """This pool, emptied first when ``shape`` differs from the crop it last served.

        Whole images give every scale the same crop, so buffers are reused across all scales.
        Regions give each scale its own crop (region + that scale's halo); buffers of another crop
        would never be reused, and keeping them all made a 128^3 block of the 3D default set
        peak at 4 GiB.
        """
        if self._crop is not None and self._crop != shape:
            self.clear()
        self._crop = shape
        return self


def _readonly(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


def _orders_with_total(ndim: int, total: int) -> list[tuple[int, ...]]:
    """All derivative orders over ``ndim`` axes with this total order (each axis <= 2), in a fixed order."""
    result = []
    for order in np.ndindex(*(MAX_ORDER + 1,) * ndim):
        if sum(order) == total:
            result.append(tuple(int(o) for o in order))
    return result


def _check_window(window: Sequence[slice] | None, shape: tuple[int, ...]) -> tuple[slice, ...]:
    """``window`` as slices with explicit bounds inside ``shape``, each at least 2 long."""
    if window is None:
        return tuple(slice(0, n) for n in shape)
    window = tuple(window)
    if len(window) != len(shape) or any(not isinstance(w, slice) or w.step not in (None, 1) for w in window):
        raise ValidationError(f"window must be {len(shape)} slices with step 1, got {window!r}")
    bounds = [w.indices(n) for w, n in zip(window, shape)]
    if any(stop - start < 2 for start, stop, _ in bounds):
        raise ValidationError(f"each window axis needs at least 2 pixels, got {window!r} in shape {shape}")
    return tuple(slice(start, stop) for start, stop, _ in bounds)


class DerivativeCache:
    """One channel of spatial data plus cached Gaussian derivatives (implements ``FilterInput``).

    :param data: float32 spatial data, ``(y, x)`` or ``(z, y, x)``, at least 2 pixels per axis,
        already including the halo the filters need (the engine cuts it).
    :param threads: threads for the filter passes.
    :param pool: arrays to reuse (the engine passes one pool for all scales of a call).
    :param window: optional slices (one per axis, step 1, inside ``data``): the part of ``data``
        the filters work on. Derivatives are then computed only there, but from all of ``data``
        (so they equal the same part of the full-size derivatives), and :attr:`data`,
        :meth:`derivative`, :meth:`empty` and :meth:`smooth` are all of the window's shape
        (:meth:`smooth` mirrors at the window's edges). The engine uses this for filters that
        declare how much context around their output they read (``FilterSpec.margin``).

    Derivatives are computed in groups: the smoothing alone, and all first and second
    derivatives together (gradient and Hessian share their row passes; filters use them that
    way), each group in one fused sweep over the data (:func:`~pixframework.features.separable.separable_bank`). In 3D the (y, x)
    parts are fused, then one z pass gives each derivative.

    Arrays returned by :meth:`derivative` are read-only views, valid until :meth:`clear`.
    """

    def __init__(self, data: np.ndarray, *, threads: int = 1, pool: BufferPool | None = None,
                 window: Sequence[slice] | None = None):
        if not isinstance(data, np.ndarray) or data.dtype != np.float32 or data.ndim not in (2, 3):
            raise ValidationError("DerivativeCache needs a 2D or 3D float32 numpy array")
        if min(data.shape) < 2:
            raise ValidationError(f"each spatial axis needs at least 2 pixels, got shape {data.shape}")
        self.source = _readonly(np.ascontiguousarray(data))
        self.window = _check_window(window, data.shape)
        whole = all(w.start == 0 and w.stop == n for w, n in zip(self.window, data.shape))
        self.data = self.source if whole else _readonly(np.ascontiguousarray(self.source[self.window]))
        self.threads = int(threads)
        self._shared: dict[Any, Any] = {}
        self.pool = pool if pool is not None else BufferPool()
        self._cache: dict[tuple, np.ndarray] = {}
        self._owned: list[np.ndarray] = []

    @property
    def ndim(self) -> int:
        """Number of spatial dimensions (2 or 3)."""
        return self.data.ndim

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays this cache holds."""
        return sum(a.nbytes for a in self._owned)

    def empty(self) -> np.ndarray:
        """A scratch plane of ``data``'s shape (float32, content undefined), recycled by :meth:`release`."""
        return self.pool.take(self.data.shape)

    def release(self, array: np.ndarray) -> None:
        """Hand a plane from :meth:`empty` back for reuse."""
        self.pool.give(array)

    def _stack(self, n: int) -> np.ndarray:
        stack = self.pool.take((n, *self.data.shape))
        self._owned.append(stack)
        return stack

    def check_order(self, order: Sequence[int]) -> tuple[int, ...]:
        """``order`` as a tuple of ints, one per spatial axis, total at most 2 (else ValidationError)."""
        order = tuple(order)
        if len(order) != self.ndim or any(
            isinstance(o, bool) or not isinstance(o, (int, np.integer)) or not 0 <= o <= MAX_ORDER for o in order
        ):
            raise ValidationError(
                f"derivative order must be {self.ndim} integers in 0..{MAX_ORDER} (one per spatial axis), got {order!r}"
            )
        if sum(order) > MAX_ORDER:
            raise ValidationError(f"derivative orders up to a total of {MAX_ORDER} are supported, got {order!r}")
        return tuple(int(o) for o in order)

    def derivative(self, sigma: float, order: Sequence[int], out: np.ndarray | None = None) -> np.ndarray:
        """Gaussian derivative of ``data`` at ``sigma`` (pixels); ``order`` per spatial axis (z)yx.

        All zeros is Gaussian smoothing. Cached until :meth:`clear`.

        :param out: optional C-contiguous float32 array of ``data``'s shape. If the derivative is not
            cached yet it is computed straight into ``out``, which then serves later requests (so
            do not modify it afterwards); otherwise the cached values are copied into it.
        :returns: a read-only view of the derivative, or ``out``.
        """
        sigma = float(sigma)
        if not (sigma > 0 and math.isfinite(sigma)):
            raise ValidationError(f"sigma must be a positive number, got {sigma!r}")
        order = self.check_order(order)
        key = (sigma, order)
        cached = self._cache.get(key)
        if out is not None:
            if out.shape != self.data.shape or out.dtype != np.float32 or not out.flags.c_contiguous:
                raise ValidationError(f"out must be a C-contiguous float32 array of shape {self.data.shape}")
            if cached is not None:
                pointwise.copy(cached, out, self.threads)
            else:
                self._compute(sigma, [order], out[np.newaxis])
                self._cache[key] = out
            return out
        if cached is None:
            # first and second derivatives share their row passes: compute them together
            totals = (0,) if sum(order) == 0 else (1, 2)
            group = [o for t in totals for o in _orders_with_total(self.ndim, t)]
            missing = [o for o in group if (sigma, o) not in self._cache]
            self._compute(sigma, missing, self._stack(len(missing)))
            cached = self._cache[key]
        return _readonly(cached)

    def prefetch(self, sigma: float, orders: Sequence[Sequence[int]]) -> None:
        """Compute the derivatives of all ``orders`` at ``sigma`` that are not cached yet, in one sweep.

        The engine calls this with the union of what the filters of a scale declare they need
        (:attr:`~pixframework.specs.FilterSpec.derivatives`), so shared row passes run once.
        """
        sigma = float(sigma)
        wanted = list(dict.fromkeys(self.check_order(o) for o in orders))
        missing = [o for o in wanted if (sigma, o) not in self._cache]
        if missing:
            self._compute(sigma, missing, self._stack(len(missing)))

    def _compute(self, sigma: float, orders: list[tuple[int, ...]], stack: np.ndarray) -> None:
        """Fill ``stack[i]`` with the derivative of ``orders[i]`` and cache it."""
        if self.data is not self.source:
            self._compute_window(sigma, orders, stack)
        elif self.ndim == 2:
            separable_bank(self.data, [(sigma, oy, sigma, ox) for oy, ox in orders], stack, self.threads)
        else:
            # the (y, x) parts in one fused sweep, then a z pass each; the (y, x) parts are not
            # kept (memory: they are as big as the derivatives themselves)
            planes = list(dict.fromkeys((oy, ox) for _, oy, ox in orders))
            staged = self.pool.take((len(planes), *self.data.shape))
            try:
                separable_bank(self.data, [(sigma, oy, sigma, ox) for oy, ox in planes], staged, self.threads)
                for (oz, oy, ox), target in zip(orders, stack):
                    stage = staged[planes.index((oy, ox))]
                    correlate_axis(stage, half_kernel(sigma, oz), oz % 2 == 1, 0, target, self.threads)
            finally:
                self.pool.give(staged)
        for order, array in zip(orders, stack):
            self._cache[(sigma, order)] = array

    def _compute_window(self, sigma: float, orders: list[tuple[int, ...]], stack: np.ndarray) -> None:
        """``_compute`` for the window only: every pass writes just the outputs later passes need.

        The (y, x) bank reads z planes within the z kernel radius of the window and x columns
        within the x radius (mirroring where that reaches the edge of ``source``, exactly as a
        full-size pass would), and writes only the window's rows; the z pass writes only the
        window's planes; x columns beyond the window are dropped by a copy.
        """
        ndim = self.ndim
        radius = [max(kernel_radius(sigma, order[a]) for order in orders) for a in range(ndim)]
        reach = [slice(max(0, w.start - r), min(n, w.stop + r))
                 for w, r, n in zip(self.window, radius, self.source.shape)]
        wy, wx = self.window[-2:]
        # all rows (the bank mirrors at the real top and bottom), reach along z and x
        slab = self.source[(*reach[:-2], slice(None), reach[-1])]
        planes = list(dict.fromkeys(order[-2:] for order in orders))
        staged = self.pool.take((len(planes), *slab.shape[:-2], wy.stop - wy.start, slab.shape[-1]))
        x_cut = slice(wx.start - reach[-1].start, wx.stop - reach[-1].start)
        try:
            separable_bank(np.ascontiguousarray(slab), [(sigma, oy, sigma, ox) for oy, ox in planes], staged,
                           self.threads, rows=(wy.start, wy.stop))
            if ndim == 2:
                for (oy, ox), target in zip(orders, stack):
                    np.copyto(target, staged[planes.index((oy, ox))][:, x_cut])
                return
            wz = self.window[0]
            z_rows = (wz.start - reach[0].start, wz.stop - reach[0].start)
            column = self.pool.take((wz.stop - wz.start, *staged.shape[2:]))
            try:
                for (oz, oy, ox), target in zip(orders, stack):
                    stage = staged[planes.index((oy, ox))]
                    correlate_axis(stage, half_kernel(sigma, oz), oz % 2 == 1, 0, column, self.threads, rows=z_rows)
                    np.copyto(target, column[..., x_cut])
            finally:
                self.pool.give(column)
        finally:
            self.pool.give(staged)

    def smooth(self, array: np.ndarray, sigma: float, out: np.ndarray | None = None) -> np.ndarray:
        """Gaussian smoothing at ``sigma`` (pixels) of any array of ``data``'s shape (not cached).

        :param out: float32 C-contiguous array to write to; may be ``array`` itself.

        With a window, ``array`` is mirrored at the window's edges, except :attr:`data` itself:
        that is smoothed from all of the data around the window (as the full-size smoothing's window).
        """
        from_data = array is self.data and self.data is not self.source
        array = np.asarray(array)
        if array.shape != self.data.shape:
            raise ValidationError(f"smooth needs an array of shape {self.data.shape}, got {array.shape}")
        array = np.ascontiguousarray(array, dtype=np.float32)
        if out is None:
            out = np.empty(self.data.shape, np.float32)
        elif out.shape != self.data.shape or out.dtype != np.float32 or not out.flags.c_contiguous:
            raise ValidationError(f"out must be a C-contiguous float32 array of shape {self.data.shape}")
        if from_data:
            self._compute_window(float(sigma), [(0,) * self.ndim], out[np.newaxis])
            return out
        bank = [(float(sigma), 0, float(sigma), 0)]
        if self.ndim == 3 or np.shares_memory(array, out):
            scratch = self.pool.take(self.data.shape)
            try:
                separable_bank(array, bank, scratch[np.newaxis], self.threads)
                if self.ndim == 3:
                    correlate_axis(scratch, half_kernel(sigma, 0), False, 0, out, self.threads)
                else:
                    pointwise.copy(scratch, out, self.threads)
            finally:
                self.pool.give(scratch)
        else:
            separable_bank(array, bank, out[np.newaxis], self.threads)
        return out

    def shared(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()``, called once per ``key`` until :meth:`clear`: state several filters of one scale
        share (e.g. a presmoothed copy of the data). Objects with a ``clear()`` method are cleared
        with this cache, so they can hand arrays back to :attr:`pool`."""
        if key not in self._shared:
            self._shared[key] = build()
        return self._shared[key]

    def clear(self) -> None:
        """Forget cached derivatives and shared state; their arrays go back to the pool."""
        for value in self._shared.values():
            release = getattr(value, "clear", None)
            if release is not None:
                release()
        self._shared.clear()
        for array in self._owned:
            self.pool.give(array)
        self._owned.clear()
        self._cache.clear()
