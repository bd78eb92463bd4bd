"""Conformance checks for filter plugins: :func:`check_filter`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import PixfError, PluginError, ValidationError
from ..features import DerivativeCache, FeatureSelection, compute_features
from ..registry import Registry
from ..specs import FilterSpec, Parameter
from ._support import expect_error, fail, resolve

#: relative tolerance for results that may differ in rounding (tiles, thread counts, FFT sizes)
TOLERANCE = 1e-4
#: smallest edge of the test images, so interior tiles exist
_MIN_EDGE = {2: 40, 3: 16}


def texture_image(shape: Sequence[int], seed: int = 0) -> np.ndarray:
    """A deterministic float32 test image in ``0..255``: oriented waves, a step edge and noise.

    Different along every axis, so transposed or shifted outputs are noticed.
    """
    rng = np.random.default_rng(seed)
    grids = np.meshgrid(*(np.arange(n, dtype=np.float64) for n in shape), indexing="ij")
    x, y = grids[-1], grids[-2]
    z = grids[0] if len(shape) == 3 else 0.0
    waves = 40 * np.sin(0.45 * x + 0.2 * y + 0.3 * z) + 25 * np.sin(0.11 * x * (1 + 0.02 * y))
    step = 50.0 * (x > shape[-1] * 0.6)
    noise = 12 * rng.standard_normal(shape)
    return np.clip(110 + waves + step + noise, 0, 255).astype(np.float32)


def default_scales(spec: FilterSpec) -> tuple[float, ...]:
    """Scales :func:`check_filter` tries: the filter's minimum, 1.0 and 3.5 (those allowed)."""
    return tuple(sorted({s for s in (spec.min_scale, 1.0, 3.5) if s >= spec.min_scale}))


def check_filter(
    spec_or_name: FilterSpec | str, *, scales: Sequence[float] | None = None, registry: Registry | None = None
) -> None:
    """Check a filter plugin against the contract of :class:`~pixframework.specs.FilterSpec`.

    For each declared dimensionality (2D ``yx``, 3D ``zyx``) and each scale it checks that:

    - the output has ``n_outputs(ndim)`` float32 channels of the image's spatial shape, finite,
      and every value of ``out`` is written (``out`` starts as NaN);
    - results are deterministic (two runs are identical) and do not depend on the thread count;
    - any tile computed alone (interior, corners, one-pixel slabs) equals the same part of the
      whole-image result, given the declared ``halo`` (within a relative ``1e-4``);
    - constant images, 16-bit ranges and the smallest image the scale allows give finite results;

    and that undeclared dimensionalities and scales below ``min_scale`` are refused with a
    :class:`~pixframework.errors.ValidationError`.

    Each declared parameter (:attr:`~pixframework.specs.FilterSpec.parameters`) is then set, in a
    selection entry, to values other than its default (see :func:`other_values`): the result must
    change (the value reaches ``compute``), tiles must still equal the whole image (the halo holds
    for every value), and ``compute`` called directly with that value must agree with the engine.
    An unknown parameter name and values outside ``minimum``/``maximum`` must be refused.

    :param spec_or_name: the spec, or the name of an installed filter.
    :param scales: scales (sigma, pixels) to try; default :func:`default_scales`.
    :param registry: registry to find the name in (default: the installed plugins).
    :raises AssertionError: naming the filter, its plugin and what is wrong.
    """
    spec, registry = resolve(FilterSpec, spec_or_name, registry)
    scales = tuple(scales) if scales is not None else default_scales(spec)
    for ndim in (2, 3):
        if ndim not in spec.dims:
            image = texture_image(_shape(ndim, 0, max(1.0, spec.min_scale)))
            _check_refused(spec, registry, image, f"{ndim}D data")
            continue
        for scale in scales:
            if scale < spec.min_scale:
                fail(
                    spec, f"scale {scale} given to the check is below the filter's min_scale {spec.min_scale}"
                )
            _check_at(spec, registry, ndim, float(scale))
    for ndim in spec.dims:
        _check_parameters(spec, registry, ndim, float(scales[0]))
    low = spec.min_scale / 2
    if low > 0.01:
        image = texture_image(_shape(spec.dims[0], 0, 1.0))
        below = FeatureSelection([(spec.name, low)], registry)
        _check_refused(spec, registry, image, f"scale {low} (below min_scale)", below)


def _shape(ndim: int, halo: int, scale: float) -> tuple[int, ...]:
    """A test shape with room for an interior tile plus halo, different along every axis."""
    edge = max(_MIN_EDGE[ndim], 2 * halo + 10, math.ceil(3.5 * scale) + 1)
    return tuple(edge + 3 * axis for axis in range(ndim))


def _compute(
    spec: FilterSpec, registry: Registry, image: np.ndarray, scale: float, what: str,
    params: dict[str, Any] | None = None, **kwargs: Any,
) -> np.ndarray:  # fmt: skip
    selection = FeatureSelection([(spec.name, scale, False, params or {})], registry)
    axes = "yx" if image.ndim == 2 else "zyx"
    try:
        return compute_features(image, selection, axes=axes, registry=registry, **kwargs)
    except PluginError as exc:
        fail(spec, f"{what} at scale {scale}: {exc}")
    except PixfError as exc:
        fail(spec, f"{what} at scale {scale} was refused: {type(exc).__name__}: {exc}")


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal within :data:`TOLERANCE` relative to each channel's largest magnitude."""
    span = np.maximum(1.0, np.abs(b).reshape(-1, b.shape[-1]).max(axis=0)) if b.size else 1.0
    return bool(np.all(np.abs(a - b) <= TOLERANCE * span))


def _check_at(spec: FilterSpec, registry: Registry, ndim: int, scale: float) -> None:
    n = int(spec.n_outputs(ndim))
    halo = int(spec.halo(scale, ndim))
    shape = _shape(ndim, halo, scale)
    image = texture_image(shape)
    where = f"{ndim}D {shape}"
    whole = _compute(spec, registry, image, scale, f"{where} image", threads=1)
    if whole.shape != (*shape, n) or whole.dtype != np.float32:
        fail(
            spec, f"{where} at scale {scale}: expected float32 {(*shape, n)}, got {whole.dtype} {whole.shape}"
        )
    _check_direct(spec, image, scale, whole, where)
    again = _compute(spec, registry, image, scale, f"{where} image (second run)", threads=1)
    if not np.array_equal(again, whole):
        fail(spec, f"{where} at scale {scale}: two identical runs differ; results must be deterministic")
    threaded = _compute(spec, registry, image, scale, f"{where} image with 2 threads", threads=2)
    if not _close(threaded, whole):
        fail(spec, f"{where} at scale {scale}: results with 2 threads differ from 1 thread")
    for region in _regions(shape, halo):
        tile = _compute(
            spec, registry, image, scale, f"{where} tile {_fmt(region)}", region=region, threads=1
        )
        if not _close(tile, whole[region]):
            err = float(np.abs(tile - whole[region]).max())
            fail(
                spec,
                f"{where} at scale {scale}: tile {_fmt(region)} computed alone differs from the whole-image "
                f"result by up to {err:.3g}; the declared halo ({halo} pixels) is too small or the filter "
                "does not mirror at the edges of its input",
            )
    for label, special in (
        ("constant image", np.full(shape, 7.0, np.float32)),
        ("16-bit image", (image * 257).astype(np.uint16)),
        ("smallest image the scale allows", texture_image((math.ceil(3.5 * scale) + 1,) * ndim, seed=1)),
    ):
        _compute(spec, registry, special, scale, f"{ndim}D {label} {special.shape}")


def _check_direct(
    spec: FilterSpec, image: np.ndarray, scale: float, whole: np.ndarray, where: str, params: dict[str, Any] | None = None
) -> None:
    """Call ``compute`` itself with ``out`` full of NaN: every value must be written, as the engine got."""
    n = whole.shape[-1]
    out = np.full((n, *image.shape), np.nan, np.float32)
    values = {p.name: p.default for p in spec.parameters} | (params or {})
    try:
        result = spec.compute(DerivativeCache(image), scale, out, **values)
    except Exception as exc:
        fail(spec, f"compute on a {where} image at scale {scale} raised {type(exc).__name__}: {exc}")
    if result is not None and result is not out:
        result = np.asarray(result)
        if result.shape != out.shape:
            fail(
                spec,
                f"compute returned shape {result.shape}; it must write out of shape {out.shape} in place",
            )
        out[...] = result
    if not np.all(np.isfinite(out)):
        fail(
            spec,
            f"compute on a {where} image at scale {scale} left NaN in out: it must write every output value",
        )
    if not _close(np.moveaxis(out, 0, -1), whole):
        fail(
            spec,
            f"compute called directly on a {where} image at scale {scale} differs from the engine's result",
        )


def other_values(parameter: Parameter) -> list[Any]:
    """Valid values of ``parameter`` other than its default, to see that it matters and the halo holds.

    Every other choice; the other bool; for numbers one value near the default plus the declared
    ``minimum`` and ``maximum``. Free strings and unbounded ``None`` defaults give none (those
    parameters are not varied).
    """
    default = parameter.default
    if parameter.choices:
        return [c for c in parameter.choices if c != default]
    if parameter.type == "bool":
        return [not default]
    if parameter.type not in ("int", "float"):
        return []
    base = default if default is not None else parameter.minimum
    if base is None:
        return []
    if parameter.type == "int":
        near: list[Any] = [base + 1, base - 1, base + 2]
    else:
        near = [base * 0.6, base * 1.5, base + 1.0, base - 1.0] if base else [0.5, 1.0, -0.5]
    values: list[Any] = []
    for group in (near, [parameter.minimum], [parameter.maximum]):
        for value in group:
            try:
                value = parameter.coerce(value)
            except ValidationError:
                continue
            if value != default and value not in values:
                values.append(value)
                break
    return values


def _check_parameters(spec: FilterSpec, registry: Registry, ndim: int, scale: float) -> None:
    """Declared parameters reach ``compute``, keep tiles exact, and bad values are refused."""
    if not spec.parameters:
        return
    halo = int(spec.halo(scale, ndim))
    shape = _shape(ndim, halo, scale)
    image = texture_image(shape)
    where = f"{ndim}D {shape}"
    default = _compute(spec, registry, image, scale, f"{where} image", threads=1)
    for parameter, value in ((p, v) for p in spec.parameters for v in other_values(p)):
        params = {parameter.name: value}
        what = f"{where} image with {parameter.name}={value!r}"
        whole = _compute(spec, registry, image, scale, what, params, threads=1)
        if np.array_equal(whole, default):
            fail(
                spec,
                f"{what} at scale {scale} gives the same result as the default {parameter.default!r}: compute "
                "must use the parameter (the engine passes every declared parameter as a keyword argument)",
            )
        _check_direct(spec, image, scale, whole, what, params)
        for region in _regions(shape, halo):
            tile = _compute(spec, registry, image, scale, f"{what}, tile {_fmt(region)}", params, region=region, threads=1)
            if not _close(tile, whole[region]):
                fail(spec, f"{what} at scale {scale}: tile {_fmt(region)} differs from the whole image; "
                           "the halo must hold for every parameter value")  # fmt: skip
    _check_bad_parameters(spec, registry, scale)


def _check_bad_parameters(spec: FilterSpec, registry: Registry, scale: float) -> None:
    def select(params: dict[str, Any]) -> Any:
        return lambda: FeatureSelection([(spec.name, scale, False, params)], registry)

    expect_error(spec, ValidationError, select({"no_such_parameter": 1}), "a selection entry with an unknown parameter")
    for parameter in spec.parameters:
        if parameter.type not in ("int", "float"):
            continue
        for bound, outside in ((parameter.minimum, -1.0), (parameter.maximum, 1.0)):
            if bound is not None:
                value = bound + outside * max(1.0, abs(bound))
                bad = int(value) if parameter.type == "int" else float(value)
                expect_error(spec, ValidationError, select({parameter.name: bad}),
                             f"a selection entry with {parameter.name}={bad!r} (outside its bounds)")  # fmt: skip


def _check_refused(
    spec: FilterSpec,
    registry: Registry,
    image: np.ndarray,
    what: str,
    selection: FeatureSelection | None = None,
) -> None:
    selection = (
        selection
        if selection is not None
        else FeatureSelection([(spec.name, max(1.0, spec.min_scale))], registry)
    )
    axes = "yx" if image.ndim == 2 else "zyx"
    compute = lambda: compute_features(image, selection, axes=axes, registry=registry, threads=1)
    expect_error(spec, ValidationError, compute, f"computing on {what}", "it is not declared")


def _regions(shape: tuple[int, ...], halo: int) -> list[tuple[slice, ...]]:
    """Tiles to compare with the whole image: interior (crop inside the image), corners, thin slabs."""
    interior = tuple(slice(halo + 1, max(halo + 2, n - halo - 1)) for n in shape)
    small = tuple(slice(n // 2 - 1, n // 2 + 2) for n in shape)
    first = tuple(slice(0, n // 3 + 1) for n in shape)
    last = tuple(slice(n - n // 3 - 1, n) for n in shape)
    slab = (slice(shape[0] // 2, shape[0] // 2 + 1),) + tuple(slice(0, n) for n in shape[1:])
    column = tuple(slice(0, n) for n in shape[:-1]) + (slice(shape[-1] - 1, shape[-1]),)
    return [interior, small, first, last, slab, column]


def _fmt(region: tuple[slice, ...]) -> str:
    return "[" + ", ".join(f"{s.start}:{s.stop}" for s in region) + "]"
