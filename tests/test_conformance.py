"""pixframework.testing: every built-in plugin passes the conformance checks, and each check catches
the bug it is written for (one deliberately broken plugin per bug)."""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from pixframework.errors import CorruptData, NotFound, ValidationError
from pixframework.io.reader import ArrayReader
from pixframework.registry import Registry, get_plugin_manager
from pixframework.specs import ClassifierSpec, FilterSpec, FormatSpec, Parameter
from pixframework.testing import check_classifier, check_filter, check_format

BUILTINS = Registry(get_plugin_manager(env={}))
#: fewer trees / rounds keep the suite fast; the contract does not depend on them
FAST = {
    "random_forest": {"n_estimators": 15},
    "extra_trees": {"n_estimators": 15},
    "xgboost": {"n_estimators": 15},
}
LOSSY = {"jpeg": 12.0}


@pytest.mark.parametrize("name", [n for n, s in BUILTINS.filters.items() if s.plugin.startswith("builtin")])
def test_builtin_filters_conform(name: str) -> None:
    check_filter(name, registry=BUILTINS)


@pytest.mark.parametrize(
    "name", [n for n, s in BUILTINS.classifiers.items() if s.plugin.startswith("builtin")]
)
def test_builtin_classifiers_conform(name: str) -> None:
    check_classifier(name, params=FAST.get(name), registry=BUILTINS)


@pytest.mark.parametrize("name", [n for n, s in BUILTINS.formats.items() if s.plugin.startswith("builtin")])
def test_builtin_formats_conform(name: str) -> None:
    check_format(name, tolerance=LOSSY.get(name, 0.0), registry=BUILTINS)


def test_every_builtin_is_covered() -> None:
    plugins = {
        s.plugin
        for table in (BUILTINS.filters, BUILTINS.classifiers, BUILTINS.formats)
        for s in table.values()
    }
    assert {"builtin-filters", "builtin-classifiers", "builtin-formats"} <= plugins


def test_unknown_names_and_wrong_types_fail_clearly() -> None:
    with pytest.raises(AssertionError, match="no filter named 'nope' is installed"):
        check_filter("nope")
    with pytest.raises(AssertionError, match="expected a ClassifierSpec"):
        check_classifier(BUILTINS.filter("gaussian_smoothing"))  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="invalid spec"):
        check_filter(FilterSpec(name="Bad Name", title="x", compute=print, halo=lambda s, n: 0))


# --------------------------------------------------------------------------- filters that break a rule


def _local_mean(src: Any, scale: float, out: np.ndarray) -> None:
    out[0] = src.smooth(src.data, scale)


def _mean_filter(**changes: Any) -> FilterSpec:
    spec = FilterSpec(
        name="local_mean", title="Local mean", compute=_local_mean, halo=lambda s, n: int(np.ceil(3 * s))
    )
    return replace(spec, **changes)


def test_a_correct_spec_not_installed_passes() -> None:
    check_filter(_mean_filter())


def _partial(src: Any, scale: float, out: np.ndarray) -> None:
    out[0, 1:] = src.data[1:]


def _local_contrast(src: Any, scale: float, out: np.ndarray) -> None:
    residual = src.data - src.smooth(src.data, scale)
    with np.errstate(invalid="ignore"):
        out[0] = residual / np.sqrt(src.smooth(residual**2, scale))  # 0 / 0 on flat images


def _noisy(src: Any, scale: float, out: np.ndarray) -> None:
    out[0] = src.data + np.random.default_rng().normal(size=src.data.shape)


def _two_channels_for_one(src: Any, scale: float, out: np.ndarray) -> np.ndarray:
    return np.stack([src.data, src.data])


@pytest.mark.parametrize(
    "spec, message",
    [
        (_mean_filter(halo=lambda s, n: 1), "the declared halo .* is too small"),
        (_mean_filter(compute=_partial, halo=lambda s, n: 0), "left NaN in out"),
        (
            _mean_filter(compute=_local_contrast, halo=lambda s, n: 2 * int(np.ceil(3 * s))),
            "constant image .* NaN or infinite",
        ),
        (
            _mean_filter(compute=_noisy, halo=lambda s, n: 0),
            "differs from the engine's result|two identical runs differ",
        ),
        (_mean_filter(compute=_two_channels_for_one), "returned shape"),
    ],
    ids=["small halo", "unwritten output", "nan on constant", "not deterministic", "wrong shape"],
)
def test_filter_bugs_are_caught(spec: FilterSpec, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_filter(spec, scales=[1.0])


def _gain_mean(src: Any, scale: float, out: np.ndarray, gain: float = 1.0) -> None:
    out[0] = gain * src.smooth(src.data, scale)


def _ignores_gain(src: Any, scale: float, out: np.ndarray, **params: Any) -> None:
    out[0] = src.smooth(src.data, scale)


def _wider_with_gain(src: Any, scale: float, out: np.ndarray, gain: float = 1.0) -> None:
    out[0] = src.smooth(src.data, scale * gain)  # the halo follows the scale only: too small for gain > 1


GAIN = (Parameter("gain", 1.0, "float", "output factor", minimum=0.5, maximum=4.0),)


def test_a_filter_with_a_parameter_passes() -> None:
    check_filter(_mean_filter(compute=_gain_mean, parameters=GAIN), scales=[1.0])


@pytest.mark.parametrize(
    "compute, message",
    [
        (_ignores_gain, "gain=.* gives the same result as the default .*compute must use the parameter"),
        (_wider_with_gain, "gain=.* tile .* the halo must hold for every parameter value"),
    ],
    ids=["parameter ignored", "parameter outgrows the halo"],
)
def test_parameter_bugs_are_caught(compute: Any, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_filter(_mean_filter(compute=compute, parameters=GAIN), scales=[1.0])


def test_filter_error_names_the_filter_and_plugin() -> None:
    with pytest.raises(AssertionError) as excinfo:
        check_filter(_mean_filter(halo=lambda s, n: 0, plugin="my-plugin"), scales=[1.0])
    assert str(excinfo.value).startswith("filter 'local_mean' (plugin 'my-plugin'): ")


# --------------------------------------------------------------------------- classifiers that break a rule


class CentroidModel:
    """Nearest centroid with softmax over negative distances: a tiny correct classifier."""

    classifier = "centroid"

    def __init__(self, classes: Any, names: Any, centres: np.ndarray, bug: str = ""):
        self.classes = tuple(int(c) for c in classes)
        self.feature_names = tuple(names)
        self.centres = centres
        self.bug = bug

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        X = np.asarray(features, np.float64)
        if X.ndim != 2 or X.shape[1] != self.centres.shape[1]:
            raise ValidationError(f"expected {self.centres.shape[1]} features")
        d = -((X[:, None, :] - self.centres[None]) ** 2).sum(axis=2)
        e = np.exp(d - d.max(axis=1, keepdims=True)) if len(X) else d
        p = e / e.sum(axis=1, keepdims=True) if len(X) else d
        if self.bug == "unnormalised":
            p = p * 2
        return p.astype(np.float32)

    def feature_importances(self) -> None:
        return None

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {
            "classifier": "centroid",
            "classes": list(self.classes),
            "feature_names": list(self.feature_names),
        }
        if self.bug == "pickled":
            return meta, {"model": np.frombuffer(pickle.dumps(self.centres.tolist()), np.uint8)}
        if self.bug == "object meta":
            meta["centres"] = self.centres  # not JSON
        return meta, {"centres": self.centres}


def _fit(bug: str) -> Any:
    def fit(X: np.ndarray, y: np.ndarray, params: dict, names: Any, progress: Any = None) -> CentroidModel:
        classes = np.unique(y)
        centres = np.stack([X[y == c].mean(axis=0) for c in classes]).astype(np.float64)
        return CentroidModel(classes, names, centres, bug)

    return fit


def _load(bug: str) -> Any:
    def load(meta: dict, arrays: Mapping[str, np.ndarray]) -> CentroidModel:
        centres = arrays.get("centres")
        if bug != "trusting load" and (
            centres is None or centres.ndim != 2 or len(centres) != len(meta.get("classes", ()))
        ):
            raise CorruptData("centroid state is corrupt")
        return CentroidModel(meta.get("classes", ()), meta.get("feature_names", ()), centres, bug)

    return load


def _centroid(bug: str = "") -> ClassifierSpec:
    return ClassifierSpec(name="centroid", title="Nearest centroid", fit=_fit(bug), load=_load(bug))


def test_a_correct_classifier_not_installed_passes() -> None:
    check_classifier(_centroid())


@pytest.mark.parametrize(
    "bug, message",
    [
        ("unnormalised", "outside 0..1|sum to 1"),
        ("pickled", "holds a pickle"),
        ("object meta", "not plain JSON"),
        ("trusting load", "must raise CorruptData"),
    ],
)
def test_classifier_bugs_are_caught(bug: str, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_classifier(_centroid(bug))


# --------------------------------------------------------------------------- formats that break a rule


class _EagerReader(ArrayReader):
    lazy = "eager"


MAGIC = b"PIXRAW"


def _raw_format(bug: str = "") -> FormatSpec:
    """A toy format: 2D uint8 pixels after a header ``PIXRAW`` + height + width (``.pixraw``)."""

    def open_raw(path: str) -> ArrayReader:
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except FileNotFoundError:
            raise NotFound(f"no file {path!r}") from None
        if not raw.startswith(MAGIC) and bug != "raw errors":
            raise CorruptData(f"{path!r} is not a raw image")
        height, width = np.frombuffer(raw[6:14], "<u4")
        array = np.frombuffer(raw[14:], np.uint8).reshape(height, width).copy()
        if bug == "transposed":
            array = np.ascontiguousarray(array.T)
        return _EagerReader(path, array, "yx")

    def create_raw(path: str, shape: Any, dtype: Any, axes: Any) -> Any:
        if np.dtype(dtype) != np.uint8 or len(shape) != 2:
            raise ValidationError("raw images hold 2D uint8 pixels only")
        pixels = np.zeros(shape, np.uint8)

        class Writer:
            def __setitem__(self, key: Any, value: np.ndarray) -> None:
                pixels[key] = value

            def close(self) -> None:
                with open(path, "wb") as fh:
                    fh.write(MAGIC + np.asarray(shape, "<u4").tobytes() + pixels.tobytes())

        return Writer()

    return FormatSpec(
        name="raw-image", title="Raw image", extensions=(".pixraw",), open=open_raw, create=create_raw
    )


def test_a_correct_format_not_installed_passes() -> None:
    check_format(_raw_format())


@pytest.mark.parametrize(
    "bug, message",
    [
        ("transposed", "reader reports"),
        ("raw errors", "random bytes must raise CorruptData or ValidationError, got ValueError"),
    ],
)
def test_format_bugs_are_caught(bug: str, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_format(_raw_format(bug))


def test_a_reader_that_loads_everything_must_say_so() -> None:
    spec = _raw_format()
    eager_open = spec.open

    class Undeclared:
        """Loads every pixel at open but does not declare lazy = "eager"."""

        def __init__(self, pixels: np.ndarray):
            self.pixels, self.shape, self.dtype, self.axes = pixels, pixels.shape, pixels.dtype, "yx"

        def __getitem__(self, key: Any) -> np.ndarray:
            return self.pixels[key].copy()

        def close(self) -> None:
            pass

    def open_undeclared(path: str) -> Any:
        return Undeclared(eager_open(path).read())

    with pytest.raises(AssertionError, match="open must read metadata only"):
        check_format(replace(spec, open=open_undeclared), lazy=None)
