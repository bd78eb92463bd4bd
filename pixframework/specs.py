"""Declarative spec objects that plugins return from their hooks.

A spec says everything the core needs to list, validate and plan work
(name, title, parameters, supported dimensions, output channels, halo) without
running plugin code; only the callables inside are run, and only when asked.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol, Sequence, runtime_checkable

import numpy as np

from .errors import ValidationError

_NAME = re.compile(r"^[a-z][a-z0-9_\-.]*$")
#: what a parameter's ``role`` may say ("threads": a CPU thread count the host may cap)
PARAMETER_ROLES = ("", "threads")
_TYPES: dict[str, tuple[type, ...]] = {
    "float": (float, int),
    "int": (int,),
    "bool": (bool,),
    "str": (str,),
}


@dataclass(frozen=True)
class Parameter:
    """One user-settable parameter of a filter, classifier or format.

    :param name: identifier used in code, JSON and over the wire.
    :param default: value used when the user gives none (must itself be valid).
    :param type: one of ``"float"``, ``"int"``, ``"bool"``, ``"str"``.
    :param description: one line for help texts and GUIs.
    :param choices: allowed values, or empty for any value of the type.
    :param minimum: smallest allowed number (inclusive), or ``None``.
    :param maximum: largest allowed number (inclusive), or ``None``.
    :param nullable: whether ``None`` is an allowed value (e.g. "no limit").
    :param role: what the host should know about the value: ``"threads"`` marks a CPU thread
        count, which the host caps at its ``max_threads`` limit; ``""`` for anything else.
    """

    name: str
    default: Any
    type: str = "float"
    description: str = ""
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False
    role: str = ""

    def coerce(self, value: Any) -> Any:
        """Return ``value`` checked and converted to this parameter's type.

        :raises ValidationError: naming the parameter and what is wrong.
        """
        if value is None and self.nullable:
            return None
        kinds = _TYPES.get(self.type)
        if kinds is None:
            raise ValidationError(f"parameter {self.name!r} has unknown type {self.type!r}")
        if isinstance(value, bool) and self.type in ("float", "int"):
            raise ValidationError(f"parameter {self.name!r} must be a number, got {value!r}")
        if isinstance(value, float) and self.type == "int" and value.is_integer():
            value = int(value)
        if not isinstance(value, kinds):
            raise ValidationError(
                f"parameter {self.name!r} must be of type {self.type}, got {type(value).__name__} {value!r}"
            )
        if self.type == "float":
            value = float(value)
            if not math.isfinite(value):
                raise ValidationError(f"parameter {self.name!r} must be finite, got {value!r}")
        if self.choices and value not in self.choices:
            raise ValidationError(
                f"parameter {self.name!r} must be one of {list(self.choices)}, got {value!r}"
            )
        if self.minimum is not None and value < self.minimum:
            raise ValidationError(f"parameter {self.name!r} must be >= {self.minimum}, got {value!r}")
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(f"parameter {self.name!r} must be <= {self.maximum}, got {value!r}")
        return value

    def to_json(self) -> dict[str, Any]:
        """JSON-able description (used by ``pixf plugins --json`` and the server)."""
        return {
            "name": self.name,
            "type": self.type,
            "default": self.default,
            "description": self.description,
            "choices": list(self.choices),
            "minimum": self.minimum,
            "maximum": self.maximum,
            "nullable": self.nullable,
            "role": self.role,
        }


def resolve_parameters(
    owner: str, parameters: Sequence[Parameter], given: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Merge ``given`` over the defaults, rejecting unknown names and bad values.

    :param owner: what the parameters belong to, for error messages (e.g. ``"classifier 'random_forest'"``).
    :returns: a new dict with one entry per declared parameter.
    :raises ValidationError: for an unknown name or an invalid value.
    """
    given = dict(given or {})
    known = {p.name: p for p in parameters}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValidationError(
            f"{owner} has no parameter {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(sorted(known)) or 'none'}"
        )
    return {name: p.coerce(given.get(name, p.default)) for name, p in known.items()}


def _check_common(kind: str, name: str, title: str, parameters: Sequence[Parameter]) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValidationError(
            f"{kind} name {name!r} is invalid: use lower case letters, digits, '_', '-', '.'"
        )
    if not title:
        raise ValidationError(f"{kind} {name!r} needs a title")
    seen = set()
    for p in parameters:
        if not isinstance(p, Parameter):
            raise ValidationError(f"{kind} {name!r}: parameters must be Parameter objects, got {p!r}")
        if p.name in seen:
            raise ValidationError(f"{kind} {name!r}: parameter {p.name!r} declared twice")
        if p.role not in PARAMETER_ROLES:
            raise ValidationError(f"{kind} {name!r}: parameter {p.name!r} has unknown role {p.role!r}; roles: {PARAMETER_ROLES}")
        seen.add(p.name)
        p.coerce(p.default)


# --------------------------------------------------------------------------- filters


@runtime_checkable
class FilterInput(Protocol):
    """What a filter's ``compute`` receives: one channel of spatial data plus shared, cached helpers.

    ``data`` is float32, spatial axes only (``yx`` or ``zyx``), and already holds the halo the
    filter declared where the image has data; at true image borders the filter mirrors
    (scipy.ndimage mode ``"mirror"``: index -k maps to k).
    """

    data: np.ndarray

    def derivative(self, sigma: float, order: tuple[int, ...], out: np.ndarray | None = None) -> np.ndarray:
        """Gaussian derivative of ``data`` at ``sigma``; ``order`` gives the order per spatial axis.

        Results are cached for the lifetime of this input, so filters at the same scale share them.
        ``order`` of all zeros is Gaussian smoothing. With ``out`` (C-contiguous float32 of
        ``data``'s shape) a derivative not cached yet is computed straight into ``out``, which then
        serves later requests (so leave it unchanged); a cached one is copied into it.
        """
        ...

    def smooth(self, array: np.ndarray, sigma: float, out: np.ndarray | None = None) -> np.ndarray:
        """Gaussian smoothing of any array of ``data``'s shape (not cached); into ``out`` if given."""
        ...


@dataclass(frozen=True)
class FilterSpec:
    """A feature filter: one image channel in, ``n_outputs(ndim)`` float32 channels out.

    :param name: stable identifier (``gaussian_smoothing``); stored in projects, so never rename.
    :param title: human title (``"Gaussian Smoothing"``).
    :param compute: ``compute(src: FilterInput, scale: float, out: ndarray, **params)`` writes
        ``out`` of shape ``(n_outputs, *src.data.shape)`` float32 in place. ``params`` holds every
        declared parameter (``parameters``) by name, with the value of the selection entry being
        computed or the parameter's default.
    :param n_outputs: output channels per input channel, given the number of spatial dims.
    :param halo: pixels of context needed on each side for exact results, given ``(scale, ndim)``.
    :param dims: spatial dimensionalities supported (2 and/or 3).
    :param min_scale: smallest scale accepted (ilastik offers 0.3 only for smoothing).
    :param output_names: names of the outputs given ndim, e.g. ``["0", "1"]`` for eigenvalues;
        ``None`` means a single unnamed output per scale.
    :param parameters: extra parameters besides the scale, set per selection entry (one filter may
        appear at one scale with several values). ``halo``, ``n_outputs``, ``margin`` and
        ``derivatives`` see only scale and ndim: a parameter must not change them.
    :param plugin: filled in by the registry with the plugin that provided the spec.
    :param derivatives: optional hint: the Gaussian derivative orders (one per spatial axis)
        ``compute`` will request at its own scale, given ndim. The engine then computes the
        union over all filters of a scale in one sweep; requests not declared still work.
    :param margin: optional promise, given ``(scale, ndim)``: each output pixel depends only on
        derivatives (:meth:`FilterInput.derivative`) within this many pixels of it. The engine then
        hands such filters a ``FilterInput`` cut to the region they must fill plus this margin, so
        derivatives are computed only there (much cheaper for blocks inside big images); ``data``
        and ``smooth`` then also cover just that window (``smooth(src.data, s)`` still reads the
        data around it). ``None`` (the default): the filter gets
        the whole crop (region plus halo).
    """

    name: str
    title: str
    compute: Callable[..., None]
    halo: Callable[[float, int], int]
    n_outputs: Callable[[int], int] = lambda ndim: 1
    description: str = ""
    dims: tuple[int, ...] = (2, 3)
    min_scale: float = 0.3
    output_names: Callable[[int], Sequence[str]] | None = None
    parameters: tuple[Parameter, ...] = ()
    plugin: str = ""
    derivatives: Callable[[int], Sequence[tuple[int, ...]]] | None = None
    margin: Callable[[float, int], int] | None = None

    kind = "filter"

    def validate(self) -> None:
        """Check the spec is usable; raises :class:`ValidationError` naming the problem."""
        _check_common("filter", self.name, self.title, self.parameters)
        if not callable(self.compute) or not callable(self.halo) or not callable(self.n_outputs):
            raise ValidationError(f"filter {self.name!r}: compute, halo and n_outputs must be callable")
        if not self.dims or any(d not in (2, 3) for d in self.dims):
            raise ValidationError(f"filter {self.name!r}: dims must be a non-empty subset of (2, 3)")
        for ndim in self.dims:
            n = self.n_outputs(ndim)
            if not isinstance(n, int) or n < 1:
                raise ValidationError(f"filter {self.name!r}: n_outputs({ndim}) must be a positive int")
            h = self.halo(max(self.min_scale, 1.0), ndim)
            if not isinstance(h, (int, np.integer)) or h < 0:
                raise ValidationError(f"filter {self.name!r}: halo() must return an int >= 0")
            if self.output_names is not None and len(self.output_names(ndim)) != n:
                raise ValidationError(f"filter {self.name!r}: output_names({ndim}) must have {n} entries")


# --------------------------------------------------------------------------- classifiers


@runtime_checkable
class Model(Protocol):
    """A trained classifier, as returned by :attr:`ClassifierSpec.fit` and :attr:`ClassifierSpec.load`."""

    #: name of the :class:`ClassifierSpec` that made it
    classifier: str
    #: label values it was trained on, ascending (column order of ``predict_proba``)
    classes: tuple[int, ...]
    #: names of the feature channels, in column order
    feature_names: tuple[str, ...]

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Probabilities ``(n, len(classes))`` float32 for features ``(n, n_features)`` (any strides)."""
        ...

    def feature_importances(self) -> np.ndarray | None:
        """Importance per feature (sums to 1), or ``None`` where the algorithm has none."""
        ...

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON-able metadata plus named numeric arrays from which ``load`` rebuilds the model."""
        ...


@dataclass(frozen=True)
class ClassifierSpec:
    """A pixel classifier.

    :param name: stable identifier (``random_forest``), stored in projects.
    :param title: human title.
    :param fit: ``fit(features (n, f) float32, labels (n,) int, params: dict, feature_names,
        progress: Callable[[float, str], None] | None) -> Model``; ``params`` already validated.
    :param load: ``load(meta: dict, arrays: Mapping[str, ndarray]) -> Model``; must never
        execute code from the state and must raise ``CorruptData`` on inconsistent state.
    :param parameters: tunable parameters with defaults.
    :param plugin: filled in by the registry.
    """

    name: str
    title: str
    fit: Callable[..., Model]
    load: Callable[[dict[str, Any], Mapping[str, np.ndarray]], Model]
    description: str = ""
    parameters: tuple[Parameter, ...] = ()
    plugin: str = ""

    kind = "classifier"

    def validate(self) -> None:
        """Check the spec is usable; raises :class:`ValidationError` naming the problem."""
        _check_common("classifier", self.name, self.title, self.parameters)
        if not callable(self.fit) or not callable(self.load):
            raise ValidationError(f"classifier {self.name!r}: fit and load must be callable")


# --------------------------------------------------------------------------- formats


@runtime_checkable
class ImageReader(Protocol):
    """A lazily opened image: shape and dtype without loading pixels; region reads by slicing."""

    shape: tuple[int, ...]
    dtype: np.dtype
    #: axes known from the file's metadata (e.g. ``"zyx"``), or ``None`` to let the core infer them
    axes: str | None

    def __getitem__(self, key: tuple[slice, ...]) -> np.ndarray: ...

    def close(self) -> None: ...


@runtime_checkable
class ImageWriter(Protocol):
    """An output being written, region by region (``writer[slices] = array``), finished by ``close()``."""

    def __setitem__(self, key: tuple[slice, ...], value: np.ndarray) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class FormatSpec:
    """An image file format.

    :param name: stable identifier (``tiff``, ``zarr``, ``ome-zarr``, ``npy``, ``h5``, ``png``).
    :param title: human title.
    :param extensions: lower-case suffixes this format claims (``(".tif", ".tiff")``); a path may
        continue after the suffix for container formats (``data.h5/group/dataset``).
    :param open: ``open(path) -> ImageReader``, or ``None`` if the format cannot be read.
    :param create: ``create(path, shape, dtype, axes, **options) -> ImageWriter``, or ``None``
        if it cannot be written.
    :param chunked: writes of regions go straight to disk (zarr, HDF5), so big outputs stream.
    :param sniff: ``sniff(path) -> bool``: whether existing data at ``path`` is in this format, judged
        from its content (magic bytes, metadata). Used on read to choose among formats claiming the
        same extension (``zarr`` vs ``ome-zarr`` for ``.zarr``) and for paths without a known
        extension. Must be cheap and must not raise; ``None`` means "trust the extension".
    :param plugin: filled in by the registry.
    """

    name: str
    title: str
    extensions: tuple[str, ...]
    open: Callable[[str], ImageReader] | None = None
    create: Callable[..., ImageWriter] | None = None
    description: str = ""
    chunked: bool = False
    parameters: tuple[Parameter, ...] = ()
    sniff: Callable[[str], bool] | None = None
    plugin: str = ""

    kind = "format"

    def validate(self) -> None:
        """Check the spec is usable; raises :class:`ValidationError` naming the problem."""
        _check_common("format", self.name, self.title, self.parameters)
        if self.open is None and self.create is None:
            raise ValidationError(f"format {self.name!r} can neither read nor write")
        for ext in self.extensions:
            if not ext.startswith(".") or ext != ext.lower():
                raise ValidationError(f"format {self.name!r}: extension {ext!r} must be lower case and start with '.'")


Spec = FilterSpec | ClassifierSpec | FormatSpec

__all__ = [
    "Parameter",
    "resolve_parameters",
    "FilterInput",
    "FilterSpec",
    "Model",
    "ClassifierSpec",
    "ImageReader",
    "ImageWriter",
    "FormatSpec",
    "Spec",
]

