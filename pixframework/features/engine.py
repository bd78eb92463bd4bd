"""The feature engine: an image (or a region of it) and a selection in, float32 feature channels out.

How it works, and why:

- The image is viewed in canonical axes ``(z)yxc`` (:func:`pixframework.io.axes.to_canonical`), so
  numpy arrays, zarr arrays and lazy readers are all read the same way, and only the region plus
  the selection's halo (clipped to the image, never padded) is read.
- Entries are grouped by (scale, in_2d). For each group and input channel one
  :class:`~pixframework.features.derivatives.DerivativeCache` is built on the group's own crop
  (region plus that scale's halo), every filter of the group computes from it (so Gaussians and
  derivatives are computed once per scale), and it is cleared before the next scale. Its planes
  are recycled across scales.
- Because filters mirror only at true image borders and every crop carries the full halo, a
  region computed alone equals the same region of the whole-image result (bit for bit here).
- Output is channel-first storage ``(F, *spatial)`` returned as a channels-last view
  ``(*spatial, F)``: filters write contiguous planes, and nobody pays for a transpose.
- A plugin that raises, returns a wrongly shaped array or produces NaN/inf is reported as a
  :class:`~pixframework.errors.PluginError` naming the plugin.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..errors import PixfError, PluginError, ValidationError
from ..io.axes import normalize_region, to_canonical
from ..registry import Registry, get_registry
from ..specs import FilterSpec
from .derivatives import BufferPool, DerivativeCache
from .pointwise import MIN_PIXELS_PER_TASK, all_finite
from .selection import FeatureEntry, FeatureSelection
from .workers import parallel_for, resolve_threads


@dataclass
class _Job:
    """One selection entry: its spec and where its channels go."""

    entry: FeatureEntry
    spec: FilterSpec
    n_outputs: int
    first_channel: int
    #: the entry's parameter values (defaults filled in), passed to ``compute`` as keywords
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Group:
    """Entries sharing one scale (and in_2d), so they share one derivative cache."""

    scale: float
    in_2d: bool
    halo: tuple[int, ...]
    jobs: list[_Job] = field(default_factory=list)
    #: context every filter of the group reads around its output (pixels), or None if one does
    #: not say (then the group computes on its whole crop)
    margin: int | None = 0


def _plan(selection: FeatureSelection, registry: Registry, ndim: int, n_channels: int) -> tuple[list[_Group], int]:
    groups: dict[tuple[float, bool], _Group] = {}
    channel = 0
    for entry, spec in selection.specs(registry):
        eff = entry.effective_ndim(ndim)
        n = int(spec.n_outputs(eff))
        halo = int(spec.halo(entry.scale, eff))
        key = (entry.scale, entry.in_2d)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(entry.scale, entry.in_2d, (0,) * ndim)
        per_axis = tuple(0 if (entry.in_2d and axis == 0 and ndim == 3) else halo for axis in range(ndim))
        group.halo = tuple(max(a, b) for a, b in zip(group.halo, per_axis))
        group.margin = _combine_margins(group.margin, spec, entry.scale, eff)
        group.jobs.append(_Job(entry, spec, n, channel, entry.parameters(spec)))
        channel += n * n_channels
    ordered = sorted(groups.values(), key=lambda g: (g.scale, g.in_2d))
    return ordered, channel


def _combine_margins(margin: int | None, spec: FilterSpec, scale: float, ndim: int) -> int | None:
    """The larger of a group's margin and this filter's; None once any filter declares none."""
    if margin is None or spec.margin is None:
        return None
    try:
        own = int(spec.margin(scale, ndim))
    except Exception as exc:
        raise PluginError(spec.plugin, f"filter {spec.name!r} margin({scale!r}, {ndim}) failed: {exc}") from exc
    if own < 0:
        raise PluginError(spec.plugin, f"filter {spec.name!r} margin({scale!r}, {ndim}) is negative: {own}")
    return max(margin, own)


def _crop(region: tuple[slice, ...], halo: Sequence[int], shape: Sequence[int]) -> tuple[slice, ...]:
    """``region`` grown by ``halo`` on each side, clipped to the image (never padded)."""
    return tuple(slice(max(0, r.start - h), min(n, r.stop + h)) for r, h, n in zip(region, halo, shape))


def _check_dtype(dtype: np.dtype) -> None:
    if not (np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.floating) or dtype == np.bool_):
        raise ValidationError(f"image dtype {dtype} is not supported; use an integer or float type")


def _read_channels(view: Any, crop: tuple[slice, ...], threads: int) -> list[np.ndarray]:
    """The crop of every channel as C-contiguous float32 ``(*crop_shape)``, checked finite."""
    block = np.asarray(view[crop + (slice(None),)])
    channels = []
    for c in range(block.shape[-1]):
        plane = np.ascontiguousarray(block[..., c], dtype=np.float32)
        if np.issubdtype(block.dtype, np.floating) and not all_finite(plane, threads):
            raise ValidationError(f"image channel {c} contains NaN or infinite values; clean the data first")
        channels.append(plane)
    return channels


def _run_filter(job: _Job, src: DerivativeCache, block: np.ndarray, threads: int) -> None:
    """Let the plugin fill ``block`` (n_outputs, *spatial); turn every failure into a PluginError."""
    spec, scale = job.spec, job.entry.scale
    what = f"filter {spec.name!r} at scale {scale!r}"
    try:
        result = spec.compute(src, scale, block, **job.params)
    except PixfError as exc:
        raise PluginError(spec.plugin, f"{what} failed: {exc}") from exc
    except Exception as exc:  # any plugin bug must surface as a clear, named error
        raise PluginError(spec.plugin, f"{what} failed: {type(exc).__name__}: {exc}") from exc
    if result is not None and result is not block:
        array = np.asarray(result)
        if array.shape != block.shape:
            raise PluginError(spec.plugin, f"{what} returned shape {array.shape}, expected {block.shape}")
        block[...] = array
    if not all_finite(block, threads):
        raise PluginError(spec.plugin, f"{what} produced NaN or infinite values")


def _output_planes(out: np.ndarray | None, spatial: tuple[int, ...], n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """(result to return, channel-first planes to write; may be a scratch array if ``out`` is odd)."""
    shape = (*spatial, n_features)
    if out is None:
        planes = np.empty((n_features, *spatial), np.float32)
        return np.moveaxis(planes, 0, -1), planes
    if not isinstance(out, np.ndarray) or out.shape != shape or out.dtype != np.float32:
        got = f"{out.dtype} {out.shape}" if isinstance(out, np.ndarray) else type(out).__name__
        raise ValidationError(f"out must be a float32 array of shape {shape}, got {got}")
    return out, np.moveaxis(out, -1, 0)


def compute_features(
    image: Any,
    selection: FeatureSelection | Any = None,
    *,
    axes: str | None = None,
    region: Sequence[slice] | None = None,
    out: np.ndarray | None = None,
    threads: int | None = None,
    registry: Registry | None = None,
) -> np.ndarray:
    """Compute the feature channels of ``image`` (or of ``region`` of it).

    :param image: numpy array or lazy array-like (``.shape``, ``.dtype``, ``[tuple of slices]``:
        zarr arrays, :class:`~pixframework.specs.ImageReader`), any integer or float dtype.
    :param selection: a :class:`FeatureSelection` (or its JSON form / list of entries);
        ``None`` means :meth:`FeatureSelection.default`.
    :param axes: axes of ``image`` (``"yx"``, ``"zyxc"``, ``"cyx"``...); inferred by the rule of
        :mod:`pixframework.io.axes` when ``None`` (4D needs explicit axes).
    :param region: one slice per spatial axis in ``(z)yx`` order (step 1), or ``None`` for the
        whole image. Only the region plus the selection's halo is read; the result equals the
        same region of the whole-image result.
    :param out: optional float32 array ``(*region_shape, n_features)`` (any strides) to fill.
    :param threads: threads to use; ``None`` means ``$PIXF_THREADS`` or all cores.
    :param registry: filter registry (default: the installed plugins).
    :returns: float32 ``(*region_shape, n_features)``; channel order as in
        :meth:`FeatureSelection.channel_names`. Without ``out`` this is a view of channel-first
        storage (``np.moveaxis(planes, 0, -1)``), so it is not C-contiguous.
    :raises ValidationError: bad axes, dtype, region, selection, NaN/inf pixels, an axis shorter
        than 2 pixels or a scale too large for the image.
    :raises PluginError: a filter plugin failed (the message names the plugin).
    """
    registry = registry if registry is not None else get_registry()
    threads = resolve_threads(threads)
    selection = FeatureSelection.coerce(selection, registry)
    if not hasattr(image, "shape") or not hasattr(image, "dtype") or not hasattr(image, "__getitem__"):
        raise ValidationError(f"image must be an array-like with shape, dtype and slicing, got {type(image).__name__}")
    view, canonical = to_canonical(image, axes)
    _check_dtype(np.dtype(view.dtype))
    spatial_shape = tuple(int(s) for s in view.shape[:-1])
    n_channels = int(view.shape[-1])
    ndim = len(spatial_shape)
    if ndim not in (2, 3):
        raise ValidationError(f"images must be 2D or 3D, got axes {canonical!r}")
    if min(spatial_shape) < 2:
        raise ValidationError(
            f"image is too small: every spatial axis needs at least 2 pixels, got {dict(zip(canonical, view.shape))}"
        )
    if n_channels < 1:
        raise ValidationError("image has no channels")
    region = normalize_region(region, spatial_shape)
    selection.validate(registry, spatial_shape)
    groups, n_features = _plan(selection, registry, ndim, n_channels)
    region_shape = tuple(r.stop - r.start for r in region)
    result, planes = _output_planes(out, region_shape, n_features)

    read_halo = tuple(max(g.halo[a] for g in groups) for a in range(ndim))
    read_crop = _crop(region, read_halo, spatial_shape)
    channels = _read_channels(view, read_crop, threads)
    tasks = _tasks(groups, channels, region, read_crop, spatial_shape, planes)
    # whole tasks side by side are fastest, but for small regions (blocks) with big halos their
    # scratch dwarfs the output: then run tasks one at a time with parallel passes inside
    _run_tasks(tasks, threads, memory_budget=max(MIN_PARALLEL_SCRATCH, planes.nbytes))
    return result


#: scratch always allowed for running whole tasks in parallel (bytes)
MIN_PARALLEL_SCRATCH = 512 * 2**20


@dataclass
class _Task:
    """One group on one channel (on one z-slice for in-2D groups): the unit of scheduling."""

    group: _Group
    data: np.ndarray
    inner: tuple[slice, ...]
    planes: np.ndarray
    channel: int

    @property
    def cost(self) -> float:
        # passes cost about (kernel radius) x (pixels); radii grow with the scale
        return (self.group.scale + 1.0) * len(self.group.jobs) * self.data.size


def _tasks(
    groups: list[_Group],
    channels: list[np.ndarray],
    region: tuple[slice, ...],
    read_crop: tuple[slice, ...],
    spatial_shape: tuple[int, ...],
    planes: np.ndarray,
) -> list[_Task]:
    tasks = []
    for group in groups:
        crop = _crop(region, group.halo, spatial_shape)
        # the group's crop inside the block that was read, and the region inside the group's crop
        local = tuple(slice(c.start - r.start, c.stop - r.start) for c, r in zip(crop, read_crop))
        inner = tuple(slice(r.start - c.start, r.stop - c.start) for r, c in zip(region, crop))
        for c, data in enumerate(channels):
            data = data[local]
            if group.in_2d and data.ndim == 3:
                tasks += [_Task(group, data[z], inner[1:], planes[:, z], c) for z in range(data.shape[0])]
            else:
                tasks.append(_Task(group, data, inner, planes, c))
    return tasks


def _scratch_bytes(task: _Task) -> int:
    """Rough scratch of one task: its derivative cache (<= 10 volumes) plus outputs at crop size."""
    outputs = sum(job.n_outputs for job in task.group.jobs)
    return task.data.nbytes * (outputs + 10)


def _concurrent_bytes(tasks: list[_Task], threads: int) -> int:
    """Scratch held at once when the ``threads`` largest tasks run side by side."""
    return sum(sorted((_scratch_bytes(t) for t in tasks), reverse=True)[:threads])


def _run_tasks(tasks: list[_Task], threads: int, memory_budget: int) -> None:
    """Run tasks; with enough of them, whole tasks run in parallel (no per-pass synchronisation).

    Tasks write disjoint output planes. Biggest first, handed out one by one, balances the load
    (largest-processing-time-first) and adapts to cores busy with other work. With fewer tasks
    than threads, each task's passes are parallelised instead.
    """
    tasks = sorted(tasks, key=lambda t: -t.cost)
    if threads == 1 or len(tasks) < 2 * threads or _concurrent_bytes(tasks, threads) > memory_budget:
        pool = BufferPool()  # arrays recycled across scales
        for task in tasks:
            _compute_group(task, threads, pool.for_crop(task.data.shape))
        return
    pools: dict[int, BufferPool] = {}

    def run(start: int, stop: int) -> None:
        pool = pools.setdefault(threading.get_ident(), BufferPool())
        for task in tasks[start:stop]:
            _compute_group(task, 1, pool.for_crop(task.data.shape))

    parallel_for(run, len(tasks), threads, chunks=len(tasks))


def _compute_group(task: _Task, threads: int, pool: BufferPool) -> None:
    """All filters of one scale on one channel's crop; results for the region go into the output planes."""
    data = np.ascontiguousarray(task.data)
    window = _window(task.inner, task.group.margin, data.shape)
    src = DerivativeCache(data, threads=threads, pool=pool, window=window)
    # the region inside what the filters fill (the window, or the whole crop)
    inner = tuple(slice(i.start - w.start, i.stop - w.start) for i, w in zip(task.inner, src.window))
    whole = all(s.start == 0 and s.stop == n for s, n in zip(inner, src.data.shape))
    scratch: list[np.ndarray] = []  # kept until the cache is cleared: a filter's output may serve others
    try:
        _prefetch(task.group, src)
        for job in task.group.jobs:
            first = job.first_channel + task.channel * job.n_outputs
            target = task.planes[first : first + job.n_outputs]
            direct = whole and all(target[i].flags.c_contiguous for i in range(job.n_outputs))
            block = target if direct else pool.take((job.n_outputs, *src.data.shape))
            if not direct:
                scratch.append(block)
            _run_filter(job, src, block, threads)
            if not direct:
                _copy_region(block[(slice(None),) + inner], target, threads)
    finally:
        src.clear()
        for block in scratch:
            pool.give(block)


def _window(inner: tuple[slice, ...], margin: int | None, shape: tuple[int, ...]) -> tuple[slice, ...] | None:
    """The region plus the group's margin inside its crop, or None for the whole crop.

    Only the window's derivatives are computed: for blocks inside a big image this skips most of
    the halo (at sigma 10 a 128^3 block's crop is 228^3, its window 128^3 to 158^3).
    """
    if margin is None:
        return None
    window = tuple(slice(max(0, i.start - margin), min(n, i.stop + margin)) for i, n in zip(inner, shape))
    if any(w.stop - w.start < 2 for w in window):
        return None  # a window this thin cannot mirror; the whole crop is small then anyway
    return window


def _prefetch(group: _Group, src: DerivativeCache) -> None:
    """Have every derivative the group's filters declare computed together (shared passes)."""
    orders: list[tuple[int, ...]] = []
    for job in group.jobs:
        if job.spec.derivatives is None:
            continue
        try:
            declared = [tuple(int(o) for o in order) for order in job.spec.derivatives(src.ndim)]
            for order in declared:
                src.check_order(order)
        except Exception as exc:
            raise PluginError(job.spec.plugin, f"filter {job.spec.name!r} declares bad derivatives: {exc}") from exc
        orders += declared
    # a single derivative is better left to the filter's own request, which may write it
    # straight into its output plane
    if len(set(orders)) > 1:
        src.prefetch(group.scale, orders)


def _copy_region(source: np.ndarray, target: np.ndarray, threads: int) -> None:
    """``target[...] = source`` split over threads along the first spatial axis."""
    rows = source.shape[1]
    parallel_for(lambda a, b: np.copyto(target[:, a:b], source[:, a:b]), rows, threads,
                 max(1, MIN_PIXELS_PER_TASK // max(1, source[0, 0].size)))
