"""Which filters at which scales: the feature selection (ilastik's filter x scale matrix).

A selection is a set of entries ``(filter, scale, in_2d, params)``. ``params`` holds values of the
filter's own parameters (declared in :attr:`FilterSpec.parameters`, e.g. the Gabor frequency of
the texture plugin), so one filter can appear at one scale with several settings. Its canonical
order, which is also the order of the output channel blocks, is: filter in registry order (the
built-ins in ilastik's order: Gaussian smoothing, Laplacian of Gaussian, gradient magnitude,
difference of Gaussians, structure tensor, Hessian; then plugin filters), scale ascending,
``in_2d``, then parameters. Inside a block the channels run over input channels, then the
filter's outputs (e.g. eigenvalue index).

``in_2d=True`` on 3D data runs the filter per z-slice in yx (ilastik's "compute in 2D").

JSON form (stable, stored in projects and sent over the wire)::

    {"version": 1, "entries": [{"filter": "gaussian_smoothing", "scale": 1.0, "in_2d": false},
                               {"filter": "gabor_energy", "scale": 2.0, "in_2d": false,
                                "params": {"frequency": 0.25}}, ...]}

``params`` is written only when an entry has non-default values, so selections without parameters
read and write exactly as before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence, Union

import numpy as np

from ..errors import NotFound, ValidationError
from ..registry import Registry, get_registry
from ..specs import FilterSpec, resolve_parameters

#: ilastik's scales (pixels)
DEFAULT_SCALES: tuple[float, ...] = (0.3, 0.7, 1.0, 1.6, 3.5, 5.0, 10.0)
#: the built-in filters of the default selection, in ilastik's order
DEFAULT_FILTERS: tuple[str, ...] = (
    "gaussian_smoothing",
    "laplacian_of_gaussian",
    "gaussian_gradient_magnitude",
    "difference_of_gaussians",
    "structure_tensor_eigenvalues",
    "hessian_of_gaussian_eigenvalues",
)
JSON_VERSION = 1


#: a parameter value in a selection entry (what JSON and the wire carry)
Scalar = Union[bool, int, float, str, None]


@dataclass(frozen=True, order=False)
class FeatureEntry:
    """One cell of the selection matrix.

    :param filter: registered filter name, e.g. ``"gaussian_smoothing"``.
    :param scale: Gaussian scale (sigma) in pixels, > 0.
    :param in_2d: on 3D data, run the filter per z-slice in yx.
    :param params: values of the filter's own parameters (:attr:`FilterSpec.parameters`) that differ
        from their defaults, as sorted ``(name, value)`` pairs; a selection keeps only non-default
        values, so an entry spelling out a default equals one that leaves it out.
    """

    filter: str
    scale: float
    in_2d: bool = False
    params: tuple[tuple[str, Scalar], ...] = ()

    def label(self) -> str:
        """Short text naming the entry in error messages and channel names."""
        params = "".join(f", {name}={value!r}" for name, value in self.params)
        return f"{self.filter}(sigma={self.scale!r}{params}{', in 2d' if self.in_2d else ''})"

    def effective_ndim(self, ndim: int) -> int:
        """Spatial dims the filter sees on data with ``ndim`` spatial dims."""
        return 2 if self.in_2d else ndim

    def parameters(self, spec: FilterSpec) -> dict[str, Any]:
        """Every parameter of the entry's filter with its value (defaults filled in), as ``compute`` gets them.

        :raises ValidationError: an unknown parameter name or a value the parameter does not allow.
        """
        return resolve_parameters(f"feature entry {self.label()}: filter {spec.name!r}", spec.parameters, dict(self.params))

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"filter": self.filter, "scale": self.scale, "in_2d": self.in_2d}
        if self.params:
            doc["params"] = dict(self.params)
        return doc


def _entry(item: Any, registry: Registry) -> FeatureEntry:
    params: Any = ()
    if isinstance(item, FeatureEntry):
        name, scale, in_2d, params = item.filter, item.scale, item.in_2d, dict(item.params)
    elif isinstance(item, Mapping):
        unknown = sorted(set(item) - {"filter", "scale", "in_2d", "params"})
        if unknown or "filter" not in item or "scale" not in item:
            raise ValidationError(
                f"feature entry {dict(item)!r} must have keys 'filter', 'scale' and optionally 'in_2d' and 'params'"
            )
        name, scale, in_2d, params = item["filter"], item["scale"], item.get("in_2d", False), item.get("params", {})
    elif isinstance(item, (tuple, list)) and len(item) in (2, 3, 4):
        name, scale = item[0], item[1]
        in_2d = item[2] if len(item) >= 3 else False
        params = item[3] if len(item) == 4 else {}
    else:
        raise ValidationError(f"feature entry must be (filter, scale[, in_2d[, params]]), got {item!r}")
    if not isinstance(name, str) or not name:
        raise ValidationError(f"feature entry filter must be a non-empty name, got {name!r}")
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating)):
        raise ValidationError(f"scale of {name!r} must be a number, got {scale!r}")
    scale = float(scale)
    if not math.isfinite(scale) or scale <= 0:
        raise ValidationError(f"scale of {name!r} must be a positive finite number, got {scale!r}")
    if not isinstance(in_2d, (bool, np.bool_)):
        raise ValidationError(f"in_2d of {name}(sigma={scale!r}) must be true or false, got {in_2d!r}")
    return FeatureEntry(name, scale, bool(in_2d), _entry_params(name, scale, params, registry))


def _entry_params(name: str, scale: float, params: Any, registry: Registry) -> tuple[tuple[str, Scalar], ...]:
    """The non-default parameter values, checked against the filter's spec when it is installed."""
    if not isinstance(params, Mapping) or not all(isinstance(k, str) for k in params):
        raise ValidationError(f"params of {name}(sigma={scale!r}) must map parameter names to values, got {params!r}")
    for key, value in params.items():
        if value is not None and not isinstance(value, (bool, int, float, str)):
            raise ValidationError(f"parameter {key!r} of {name}(sigma={scale!r}) must be a number, bool, string or null, got {value!r}")
    try:
        spec = registry.filter(name)
    except NotFound:
        return tuple(sorted(params.items()))  # reported by validate(), with the unknown filter
    resolved = resolve_parameters(f"feature entry {name}(sigma={scale!r}): filter {name!r}", spec.parameters, params)
    defaults = {p.name: p.coerce(p.default) for p in spec.parameters}
    return tuple(sorted((k, v) for k, v in resolved.items() if v != defaults[k]))


class FeatureSelection:
    """A set of (filter, scale[, in_2d[, params]]) entries, kept in canonical order (see module docstring).

    :param entries: tuples ``(filter, scale)`` / ``(filter, scale, in_2d)`` / ``(filter, scale,
        in_2d, {parameter: value})``, dicts as in the JSON form, or :class:`FeatureEntry` objects.
        Duplicates are an error.
    :param registry: registry whose filter order defines the channel order and whose specs check
        the parameters (default: the installed one).
    :raises ValidationError: for malformed entries, non-positive scales, parameters the filter does
        not declare or values it does not allow, or duplicates. Unknown filter names are accepted
        here and reported by :meth:`validate`.
    """

    def __init__(self, entries: Iterable[Any], registry: Registry | None = None):
        if isinstance(entries, (str, bytes, Mapping)):
            raise ValidationError("FeatureSelection takes a list of entries; use from_json for a JSON document")
        registry = registry if registry is not None else get_registry()
        parsed = [_entry(e, registry) for e in entries]
        seen: set[FeatureEntry] = set()
        for e in parsed:
            if e in seen:
                raise ValidationError(f"feature entry {e.label()} is listed twice")
            seen.add(e)
        rank = {name: i for i, name in enumerate(registry.filters)}
        self._entries: tuple[FeatureEntry, ...] = tuple(
            sorted(parsed, key=lambda e: (rank.get(e.filter, len(rank)), e.filter, e.scale, e.in_2d, len(e.params), repr(e.params)))
        )

    # ------------------------------------------------------------------ construction

    @classmethod
    def default(cls, registry: Registry | None = None) -> "FeatureSelection":
        """ilastik's full set: smoothing at all seven scales, the other five filters at 0.7 ... 10.0."""
        entries = [("gaussian_smoothing", s) for s in DEFAULT_SCALES]
        entries += [(name, s) for name in DEFAULT_FILTERS[1:] for s in DEFAULT_SCALES[1:]]
        return cls(entries, registry)

    @classmethod
    def from_matrix(
        cls,
        filters: Sequence[str],
        scales: Sequence[float],
        matrix: Any,
        registry: Registry | None = None,
    ) -> "FeatureSelection":
        """Entries where ``matrix[i][j]`` is true, for filter ``filters[i]`` at scale ``scales[j]``."""
        m = np.asarray(matrix, dtype=bool)
        if m.shape != (len(filters), len(scales)):
            raise ValidationError(
                f"selection matrix must have shape ({len(filters)}, {len(scales)}) (filters x scales), got {m.shape}"
            )
        return cls([(f, s) for i, f in enumerate(filters) for j, s in enumerate(scales) if m[i, j]], registry)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any] | Sequence[Any], registry: Registry | None = None) -> "FeatureSelection":
        """Rebuild from :meth:`to_json` output (a bare list of entries is accepted too)."""
        if isinstance(doc, Mapping):
            version = doc.get("version", JSON_VERSION)
            if version != JSON_VERSION:
                raise ValidationError(f"unsupported feature selection version {version!r} (expected {JSON_VERSION})")
            unknown = sorted(set(doc) - {"version", "entries"})
            if unknown or "entries" not in doc:
                raise ValidationError("feature selection JSON must be {'version': 1, 'entries': [...]}")
            entries = doc["entries"]
        else:
            entries = doc
        if not isinstance(entries, (list, tuple)):
            raise ValidationError(f"feature selection entries must be a list, got {type(entries).__name__}")
        return cls(entries, registry)

    @classmethod
    def coerce(cls, value: Any, registry: Registry | None = None) -> "FeatureSelection":
        """Any accepted form of a selection as a :class:`FeatureSelection`.

        :param value: a ``FeatureSelection`` (returned as is), its JSON form (a mapping), a list of
            entries (``(filter, scale[, in_2d[, params]])`` tuples or JSON entries), or ``None`` for
            :meth:`default`.
        :raises ValidationError: for anything else, or malformed entries.
        """
        if value is None:
            return cls.default(registry)
        if isinstance(value, FeatureSelection):
            return value
        if isinstance(value, Mapping):
            return cls.from_json(value, registry)
        if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
            return cls(list(value), registry)
        raise ValidationError(f"cannot use {value!r} as a feature selection")

    # ------------------------------------------------------------------ views

    @property
    def entries(self) -> tuple[FeatureEntry, ...]:
        """Entries in canonical (output) order."""
        return self._entries

    @property
    def filters(self) -> tuple[str, ...]:
        """Filter names used, in canonical order."""
        return tuple(dict.fromkeys(e.filter for e in self._entries))

    @property
    def scales(self) -> tuple[float, ...]:
        """Scales used, ascending."""
        return tuple(sorted({e.scale for e in self._entries}))

    def to_json(self) -> dict[str, Any]:
        """JSON-able document (see module docstring)."""
        return {"version": JSON_VERSION, "entries": [e.to_json() for e in self._entries]}

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self):
        return iter(self._entries)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FeatureSelection):
            return NotImplemented
        return frozenset(self._entries) == frozenset(other._entries)

    def __hash__(self) -> int:
        return hash(frozenset(self._entries))

    def __repr__(self) -> str:
        return f"FeatureSelection([{', '.join(e.label() for e in self._entries)}])"

    # ------------------------------------------------------------------ checks and sizes

    def specs(self, registry: Registry | None = None) -> list[tuple[FeatureEntry, FilterSpec]]:
        """Each entry with its filter spec.

        :raises NotFound: for a filter that is not installed (naming the entry).
        """
        registry = registry if registry is not None else get_registry()
        pairs = []
        for e in self._entries:
            try:
                pairs.append((e, registry.filter(e.filter)))
            except NotFound as exc:
                raise NotFound(f"feature entry {e.label()}: {exc}") from None
        return pairs

    def validate(self, registry: Registry | None = None, spatial_shape: Sequence[int] | None = None) -> None:
        """Check every entry against the registry and, if given, the image's spatial shape ``(z)yx``.

        Rules: the filter exists; scale >= the filter's ``min_scale``; the filter supports the
        dimensionality; and (with ``spatial_shape``) the scale fits the image like in ilastik:
        ``ceil(3.5 * scale) + 1 <= size`` along every axis the filter runs on (z is skipped for
        ``in_2d`` entries). Also ``in_2d`` needs 3D data.

        :raises ValidationError: naming the first bad entry and the problem (``NotFound`` is turned
            into a ``ValidationError`` too, so callers get one error type for a bad selection).
        """
        if not self._entries:
            raise ValidationError("the feature selection is empty; choose at least one filter and scale")
        registry = registry if registry is not None else get_registry()
        shape = tuple(int(s) for s in spatial_shape) if spatial_shape is not None else None
        for e in self._entries:
            try:
                spec = registry.filter(e.filter)
            except NotFound as exc:
                raise ValidationError(f"feature entry {e.label()}: {exc}") from None
            if e.scale < spec.min_scale:
                raise ValidationError(
                    f"feature entry {e.label()}: scale {e.scale!r} is below the filter's minimum {spec.min_scale!r}"
                )
            e.parameters(spec)
            if shape is None:
                continue
            ndim = len(shape)
            if e.in_2d and ndim != 3:
                raise ValidationError(f"feature entry {e.label()}: in_2d only applies to 3D data")
            eff = e.effective_ndim(ndim)
            if eff not in spec.dims:
                raise ValidationError(
                    f"feature entry {e.label()}: filter supports {'/'.join(f'{d}D' for d in spec.dims)} data, not {eff}D"
                )
            window = math.ceil(3.5 * e.scale) + 1
            for axis, size in zip("zyx"[3 - eff :], shape[ndim - eff :]):
                if window > size:
                    hint = " (or compute it in 2D)" if axis == "z" else ""
                    raise ValidationError(
                        f"feature entry {e.label()}: scale too large for the image: it needs "
                        f"ceil(3.5 * scale) + 1 = {window} pixels along {axis}, the image has {size}; "
                        f"use a smaller scale{hint}"
                    )

    def n_features(self, ndim: int, n_channels: int = 1, registry: Registry | None = None) -> int:
        """Number of output channels for data with ``ndim`` spatial dims and ``n_channels`` channels."""
        return sum(spec.n_outputs(e.effective_ndim(ndim)) * n_channels for e, spec in self.specs(registry))

    def channel_names(self, ndim: int, n_channels: int = 1, registry: Registry | None = None) -> list[str]:
        """A stable descriptive name per output channel, in output order.

        Format: ``<filter>(sigma=<scale>[, in 2d])[c<input channel>]`` plus ``[<output>]`` for filters with
        several outputs, e.g. ``hessian_of_gaussian_eigenvalues(sigma=1.6)[c0][ev1]``.
        """
        names = []
        for e, spec in self.specs(registry):
            eff = e.effective_ndim(ndim)
            n = spec.n_outputs(eff)
            outputs = list(spec.output_names(eff)) if spec.output_names is not None else [str(k) for k in range(n)]
            for c in range(n_channels):
                for k in range(n):
                    suffix = f"[{outputs[k]}]" if n > 1 else ""
                    names.append(f"{e.label()}[c{c}]{suffix}")
        return names

    def halo(self, ndim: int, registry: Registry | None = None) -> int:
        """Largest context in pixels any entry needs on each side (from the filters' specs)."""
        return max((int(spec.halo(e.scale, e.effective_ndim(ndim))) for e, spec in self.specs(registry)), default=0)

    def halo_per_axis(self, ndim: int, registry: Registry | None = None) -> tuple[int, ...]:
        """Context per spatial axis ``(z)yx``: like :meth:`halo`, but z ignores ``in_2d`` entries."""
        pairs = self.specs(registry)
        plane = max((int(spec.halo(e.scale, e.effective_ndim(ndim))) for e, spec in pairs), default=0)
        if ndim == 2:
            return (plane, plane)
        depth = max((int(spec.halo(e.scale, 3)) for e, spec in pairs if not e.in_2d), default=0)
        return (depth, plane, plane)
