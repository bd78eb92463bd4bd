"""Conformance checks for format plugins: :func:`check_format`."""

from __future__ import annotations

import os
import tempfile
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CorruptData, NotFound, PixfError, ValidationError
from ..registry import Registry
from ..specs import FormatSpec, ImageReader
from ._support import expect_error, fail, is_installed, resolve

#: (axes, shape, dtype) written and read back; a format refuses what it cannot store (ValidationError)
CASES: tuple[tuple[str, tuple[int, ...], str], ...] = (
    ("yx", (37, 53), "uint8"),
    ("yx", (37, 53), "uint16"),
    ("yx", (37, 53), "float32"),
    ("yxc", (37, 53, 3), "uint8"),
    ("zyx", (5, 37, 53), "uint16"),
    ("zyx", (5, 37, 53), "float32"),
    ("zyxc", (4, 21, 27, 2), "uint16"),
)
#: shape of the image a lazy reader must open without loading (uint16: 8 MiB of pixels)
LAZY_SHAPE = (2048, 2048)


def sample_data(shape: Sequence[int], dtype: Any, smooth: bool = False, seed: int = 0) -> np.ndarray:
    """Test pixels: random over the dtype's range, or (``smooth``, for lossy formats) gentle ramps."""
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    top = 200.0 if dtype.kind == "f" else float(min(np.iinfo(dtype).max, 60000))
    if smooth:
        grids = np.meshgrid(*(np.linspace(0, 1, n) for n in shape), indexing="ij")
        values = sum((0.2 + 0.1 * i) * g for i, g in enumerate(grids)) / (
            0.2 * len(shape) + 0.05 * len(shape) ** 2
        )
        return (values * top * 0.8 + top * 0.1).astype(dtype)
    values = rng.uniform(0, top, size=shape)
    return (values if dtype.kind == "f" else np.rint(values)).astype(dtype)


def check_format(
    spec_or_name: FormatSpec | str,
    *,
    tolerance: float = 0.0,
    sample: str | os.PathLike | None = None,
    lazy: bool | None = None,
    registry: Registry | None = None,
) -> None:
    """Check a format plugin against the contract of :class:`~pixframework.specs.FormatSpec`.

    For a format that can write, each case of :data:`CASES` it accepts (it must accept at least
    one, and refuse the others with a ``ValidationError``) is written region by region and read
    back. For a read-only format, ``sample`` is read. It checks that:

    - the reader reports ``shape`` and ``dtype`` (and ``axes`` if it knows them) at open, and they
      match what was written (in the reader's axis order when it reports axes);
    - whole and region reads return the written pixels (within ``tolerance`` for lossy formats),
      as arrays the caller owns (changing one does not change the next read);
    - opening is lazy: opening an 8 MiB image allocates less than a quarter of its pixels, unless
      the reader class declares ``lazy = "eager"`` (small picture formats decoded whole) or
      ``lazy=False`` is passed;
    - ``create`` accepts every declared parameter at its default; ``sniff`` (if any) recognises
      the written file and rejects garbage and missing paths without raising;
    - a missing file raises ``NotFound``, a garbage file a domain error (``CorruptData`` or
      ``ValidationError``), and an unstorable dtype (complex) a ``ValidationError``;
    - for an installed format, dispatch by file name picks this format for its own files.

    :param spec_or_name: the spec, or the name of an installed format.
    :param tolerance: largest absolute pixel difference allowed after a round trip (lossy formats).
    :param sample: a file to read, for formats that cannot write.
    :param lazy: require lazy opening (``True``), skip that check (``False``), or decide from
        the reader's ``lazy`` attribute (``None``).
    :param registry: registry to find the name in (default: the installed plugins).
    :raises AssertionError: naming the format, its plugin and what is wrong.
    """
    spec, registry = resolve(FormatSpec, spec_or_name, registry)
    with tempfile.TemporaryDirectory(prefix="pixf-check-") as tmp:
        folder = Path(tmp)
        if spec.create is None:
            if sample is None:
                fail(spec, "it cannot write, so pass sample= (a file in this format) to check reading")
            _check_sample(spec, str(sample), lazy)
        else:
            written = _check_round_trips(spec, folder, tolerance)
            _check_lazy(spec, folder, lazy)
            _check_parameters(spec, folder)
            if written and is_installed(spec):
                _check_dispatch(spec, written)
        if spec.open is not None:
            _check_bad_files(spec, folder)


def _name(spec: FormatSpec, folder: Path, stem: str) -> str:
    return str(folder / f"{stem}{spec.extensions[0] if spec.extensions else ''}")


def _write(spec: FormatSpec, path: str, data: np.ndarray, axes: str, **options: Any) -> str | None:
    """Write ``data`` in two halves; the path to read back, or ``None`` if the format refuses it."""
    assert spec.create is not None
    try:
        writer = spec.create(path, data.shape, data.dtype, axes, **options)
    except ValidationError:
        return None
    except Exception as exc:
        fail(
            spec,
            f"create({axes!r}, {data.shape}, {data.dtype}) raised {type(exc).__name__}: {exc}; "
            "refuse what the format cannot store with a ValidationError",
        )
    half = data.shape[0] // 2
    try:
        writer[(slice(0, half),) + (slice(None),) * (data.ndim - 1)] = data[:half]
        writer[(slice(half, data.shape[0]),) + (slice(None),) * (data.ndim - 1)] = data[half:]
        writer.close()
    except Exception as exc:
        fail(
            spec,
            f"writing {axes!r} {data.shape} {data.dtype} in two regions raised {type(exc).__name__}: {exc}",
        )
    return str(getattr(writer, "path", path))


def _open(spec: FormatSpec, path: str) -> ImageReader:
    assert spec.open is not None
    try:
        return spec.open(path)
    except Exception as exc:
        fail(spec, f"open({path!r}) raised {type(exc).__name__}: {exc}")


def _check_round_trips(spec: FormatSpec, folder: Path, tolerance: float) -> str | None:
    first = None
    for i, (axes, shape, dtype) in enumerate(CASES):
        data = sample_data(shape, dtype, smooth=tolerance > 0, seed=i)
        path = _write(spec, _name(spec, folder, f"case{i}"), data, axes)
        if path is None:
            continue
        first = first or path
        if spec.open is not None:
            _check_read(spec, path, data, axes, tolerance)
    if first is None:
        fail(
            spec, f"it refused every test case {[c[:2] + (c[2],) for c in CASES]}; it must store at least one"
        )
    return first


def _check_read(spec: FormatSpec, path: str, data: np.ndarray, axes: str, tolerance: float) -> None:
    what = f"{axes!r} {data.shape} {data.dtype}"
    reader = _open(spec, path)
    try:
        shape, dtype, file_axes = tuple(reader.shape), np.dtype(reader.dtype), reader.axes
        if file_axes is not None and sorted(file_axes) == sorted(axes):
            expected = np.transpose(data, [axes.index(a) for a in file_axes])
        elif file_axes is None or file_axes == axes:
            expected = data
        else:
            fail(spec, f"wrote {what} but the reader reports axes {file_axes!r}")
        if shape != expected.shape or dtype != data.dtype:
            fail(spec, f"wrote {what} but the reader reports {dtype} {shape} (axes {file_axes!r})")
        whole = np.asarray(reader[tuple(slice(None) for _ in shape)])
        _compare(spec, whole, expected, tolerance, f"reading back {what}")
        middle = tuple(slice(n // 4, n // 4 + max(1, n // 2)) for n in shape)
        corner = tuple(slice(n - 1, n) for n in shape)
        for region in (middle, corner):
            part = np.asarray(reader[region])
            _compare(spec, part, whole[region], 0.0, f"region {region} of {what}")
            if part.flags.writeable:
                part[...] = 0
                _compare(
                    spec,
                    np.asarray(reader[region]),
                    whole[region],
                    0.0,
                    f"region {region} of {what} read again after changing the first result",
                )
    finally:
        reader.close()


def _compare(spec: FormatSpec, got: np.ndarray, expected: np.ndarray, tolerance: float, what: str) -> None:
    if got.shape != expected.shape:
        fail(spec, f"{what}: got shape {got.shape}, expected {expected.shape}")
    diff = np.abs(got.astype(np.float64) - expected.astype(np.float64))
    if diff.size and diff.max() > tolerance:
        fail(spec, f"{what}: pixels differ by up to {diff.max():g} (allowed {tolerance:g})")


def _check_lazy(spec: FormatSpec, folder: Path, lazy: bool | None) -> None:
    if lazy is False or spec.open is None:
        return
    data = np.zeros(LAZY_SHAPE, np.uint16)
    data[::7, ::5] = 1000
    path = None
    for dtype in ("uint16", "uint8", "float32"):
        path = _write(spec, _name(spec, folder, f"lazy-{dtype}"), data.astype(dtype), "yx")
        if path is not None:
            break
    if path is None:
        return  # no 2D case this format stores: nothing to measure with
    tracemalloc.start()
    try:
        reader = _open(spec, path)
        _ = (reader.shape, reader.dtype, reader.axes)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    try:
        eager = getattr(reader, "lazy", None) == "eager"
        if lazy is None and eager:
            return
        pixels = data.size * np.dtype(reader.dtype).itemsize
        if peak > pixels / 4:
            fail(
                spec,
                f"opening a {LAZY_SHAPE} image allocated {peak / 2**20:.1f} MiB ({pixels / 2**20:.1f} MiB of "
                "pixels): open must read metadata only (or declare lazy = 'eager' on the reader class)",
            )
    finally:
        reader.close()


def _check_parameters(spec: FormatSpec, folder: Path) -> None:
    if not spec.parameters:
        return
    defaults = {p.name: p.default for p in spec.parameters}
    for i, (axes, shape, dtype) in enumerate(CASES):
        path = _name(spec, folder, f"options{i}")
        try:
            writer = spec.create(path, shape, dtype, axes, **defaults)  # type: ignore[misc]
        except ValidationError:
            continue
        except TypeError as exc:
            fail(spec, f"create does not accept its declared parameters {sorted(defaults)}: {exc}")
        writer[tuple(slice(None) for _ in shape)] = sample_data(shape, dtype)
        writer.close()
        return


def _check_dispatch(spec: FormatSpec, path: str) -> None:
    from ..io.dispatch import find_format

    try:
        found = find_format(path, mode="r")
    except PixfError as exc:
        fail(spec, f"dispatch cannot find a format for its own file {path!r}: {exc}")
    if found.name != spec.name:
        fail(
            spec, f"dispatch picks format {found.name!r} for its own file {path!r}; give the format a sniff()"
        )


def _check_bad_files(spec: FormatSpec, folder: Path) -> None:
    assert spec.open is not None
    missing = _name(spec, folder, "missing")
    expect_error(spec, NotFound, lambda: spec.open(missing), "opening a missing file")
    garbage = _name(spec, folder, "garbage")
    with open(garbage, "wb") as fh:
        fh.write(np.random.default_rng(3).bytes(512))
    expect_error(spec, (CorruptData, ValidationError), lambda: spec.open(garbage).close(),
                 "opening a file of random bytes", "check the file's structure at open")  # fmt: skip
    if spec.sniff is not None:
        for path in (missing, garbage):
            try:
                if spec.sniff(path):
                    fail(spec, f"sniff claims {os.path.basename(path)!r} (missing or random bytes)")
            except AssertionError:
                raise
            except Exception as exc:
                fail(spec, f"sniff must never raise, but raised {type(exc).__name__}: {exc}")
    if spec.create is not None:
        complex_image = lambda: spec.create(_name(spec, folder, "complex"), (8, 8), np.complex64, "yx")
        expect_error(spec, ValidationError, complex_image, "create with dtype complex64",
                     "refuse dtypes the format cannot store")  # fmt: skip


def _check_sample(spec: FormatSpec, path: str, lazy: bool | None) -> None:
    reader = _open(spec, path)
    try:
        shape = tuple(reader.shape)
        whole = np.asarray(reader[tuple(slice(None) for _ in shape)])
        if whole.shape != shape or whole.dtype != np.dtype(reader.dtype):
            fail(spec, f"reader says {reader.dtype} {shape} but reads {whole.dtype} {whole.shape}")
        region = tuple(slice(n // 4, n // 4 + max(1, n // 2)) for n in shape)
        _compare(spec, np.asarray(reader[region]), whole[region], 0.0, f"region {region} of the sample")
    finally:
        reader.close()
    if spec.sniff is not None and not spec.sniff(path):
        fail(spec, f"sniff does not recognise the sample {path!r}")
