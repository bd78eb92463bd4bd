"""Feature engine speed and memory against its peers, measured in one run on this machine.

2D: ilastik's full default set (49 channels) on a 2048 x 2048 float32 image, against
``fastfilters2.compute_filters`` at all seven scales (7 planes per scale, single-threaded, what
ilastik's napari plugin runs) and ``skimage.feature.multiscale_basic_features`` (7 scales 0.3 ... 10,
intensity + edges + texture: 28 channels, all cores). 3D: the default set (61 channels) on 256^3
against the same filters written with ``scipy.ndimage.correlate1d`` (single-threaded, the obvious
pure-scipy route). Prints best-of-N wall times, ratios (peer / ours) and the peak extra memory
(RSS sampled every millisecond, minus the output), since timings on a shared machine are noisy.

    python benchmarks/bench_features.py                 # full run (3D scipy peer takes minutes)
    python benchmarks/bench_features.py --size3d 128 --repeats 3
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import threading
import time
from typing import Callable

import numpy as np

DEFAULT_SCALES = (0.3, 0.7, 1.0, 1.6, 3.5, 5.0, 10.0)


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRSS:
    """Samples the resident set size in a thread while the block runs (kernels release the GIL)."""

    def __enter__(self) -> "PeakRSS":
        gc.collect()
        self.start = rss_bytes()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(0.001)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Best wall time of ``repeats`` runs."""
    return timed(fn, repeats)[0]


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Best wall time and best process CPU time (all threads) of ``repeats`` runs."""
    walls, cpus = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        del result
    return min(walls), min(cpus)


def warm_memory(gib: float) -> None:
    """Touch memory once: on a fresh VM the first touch of guest pages costs far more than later
    page faults, which would otherwise land on whichever contender runs first."""
    block = np.ones(int(gib * (1 << 30)) // 4, np.float32)
    del block


def test_image(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    grids = np.meshgrid(*[np.linspace(0, 40, n, dtype=np.float32) for n in shape], indexing="ij", sparse=True)
    smooth = sum(np.sin(g * (1.0 + 0.3 * i)) for i, g in enumerate(grids))
    return (smooth + rng.random(shape, dtype=np.float32)).astype(np.float32)


# ----------------------------------------------------------------------------- scipy peer (3D)


def scipy_features(image: np.ndarray, out: np.ndarray) -> None:
    """The default ilastik set with scipy.ndimage.correlate1d (float32, mirror) and closed-form eigenvalues."""
    from scipy import ndimage

    from pixframework.features.kernels import full_kernel

    ndim = image.ndim

    def deriv(data: np.ndarray, s: float, orders: tuple[int, ...]) -> np.ndarray:
        result = data
        for axis, order in enumerate(orders):
            result = ndimage.correlate1d(result, full_kernel(s, order).astype(np.float32), axis=axis, mode="mirror")
        return result

    def unit(axis: int, order: int) -> tuple[int, ...]:
        return tuple(order if a == axis else 0 for a in range(ndim))

    def eig3(a00, a11, a22, a01, a02, a12):
        q = (a00 + a11 + a22) / 3
        b00, b11, b22 = a00 - q, a11 - q, a22 - q
        p = np.sqrt((b00**2 + b11**2 + b22**2 + 2 * (a01**2 + a02**2 + a12**2)) / 6)
        det = b00 * (b11 * b22 - a12**2) - a01 * (a01 * b22 - a12 * a02) + a02 * (a01 * a12 - b11 * a02)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.clip(np.where(p > 0, det / (2 * p**3), 0), -1, 1)
        phi = np.arccos(r) / 3
        big = q + 2 * p * np.cos(phi)
        small = q + 2 * p * np.cos(phi + 2 * math.pi / 3)
        return big, 3 * q - big - small, small

    k = 0
    zeros = (0,) * ndim
    for s in DEFAULT_SCALES:
        out[..., k] = deriv(image, s, zeros)
        k += 1
    scales = DEFAULT_SCALES[1:]
    for s in scales:
        out[..., k] = sum(deriv(image, s, unit(a, 2)) for a in range(ndim))
        k += 1
    for s in scales:
        out[..., k] = np.sqrt(sum(deriv(image, s, unit(a, 1)) ** 2 for a in range(ndim)))
        k += 1
    for s in scales:
        out[..., k] = deriv(image, s, zeros) - deriv(image, 0.5 * s, zeros)
        k += 1
    for s in scales:
        g = [deriv(image, s, unit(a, 1)) for a in range(ndim)]
        t = [deriv(g[i] * g[j], 0.5 * s, zeros) for i, j in [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)]]
        for ev in eig3(*t):
            out[..., k] = ev
            k += 1
    for s in scales:
        pairs = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)]
        h = [deriv(image, s, tuple((a == i) + (a == j) for a in range(ndim))) for i, j in pairs]
        for ev in eig3(*h):
            out[..., k] = ev
            k += 1


# ----------------------------------------------------------------------------- runs


def bench_2d(size: int, repeats: int) -> None:
    import fastfilters2
    from skimage.feature import multiscale_basic_features

    from pixframework.features import FeatureSelection, compute_features

    image = test_image((size, size))
    selection = FeatureSelection.default()
    n = selection.n_features(2)
    out_bytes = n * image.size * 4
    compute_features(image[:256, :256], selection)  # load the compiled kernels
    cpus = os.cpu_count() or 1

    planes = np.empty((n, size, size), np.float32)
    planes.fill(0)
    into = np.moveaxis(planes, 0, -1)
    # contenders alternate, so a burst of load from other processes hits both
    runs: dict[str, list[tuple[float, float]]] = {"ours": [], "ours_out": [], "ff2": []}
    for _ in range(repeats):
        runs["ff2"].append(timed(lambda: [fastfilters2.compute_filters(image, s) for s in DEFAULT_SCALES], 1))
        runs["ours"].append(timed(lambda: compute_features(image, selection), 1))
        runs["ours_out"].append(timed(lambda: compute_features(image, selection, out=into), 1))
    ours, ours_cpu = (min(v) for v in zip(*runs["ours"]))
    ours_out, ours_out_cpu = (min(v) for v in zip(*runs["ours_out"]))
    ff2, ff2_cpu = (min(v) for v in zip(*runs["ff2"]))
    ours_1 = best_of(lambda: compute_features(image, selection, out=into, threads=1), max(1, repeats // 2))
    del planes, into
    sk = best_of(
        lambda: multiscale_basic_features(image, sigma_min=0.3, sigma_max=10.0, num_sigma=7, workers=cpus),
        max(1, repeats // 2),
    )
    with PeakRSS() as mem:
        result = compute_features(image, selection)
    extra = max(0, mem.peak - mem.start - out_bytes)
    del result

    print(f"2D {size}x{size} float32, default set ({n} channels), {cpus} cores")
    print("                            wall      cpu (all threads)")
    print(f"  ours (new output)         {ours:7.3f} s {ours_cpu:7.3f} s")
    print(f"  ours (into out=)          {ours_out:7.3f} s {ours_out_cpu:7.3f} s")
    print(f"  ours threads=1 (out=)     {ours_1:7.3f} s")
    print(f"  fastfilters2, 7 scales    {ff2:7.3f} s {ff2_cpu:7.3f} s")
    print(f"  skimage multiscale (28ch) {sk:7.3f} s")
    print(f"  ratio vs fastfilters2: wall {ff2 / ours:5.2f}x (into out=: {ff2 / ours_out:5.2f}x), "
          f"cpu {ff2_cpu / ours_cpu:5.2f}x")
    print(f"  ratio vs skimage:      wall {sk / ours:5.2f}x")
    print(f"  peak extra memory beyond the output: {extra / 2**20:7.1f} MiB "
          f"({extra / out_bytes:.2f} x output {out_bytes / 2**20:.0f} MiB)")


def bench_3d(size: int, repeats: int) -> None:
    from pixframework.features import FeatureSelection, compute_features

    image = test_image((size,) * 3, seed=1)
    selection = FeatureSelection.default()
    n = selection.n_features(3)
    out_bytes = n * image.size * 4
    compute_features(image[:48, :48, :48], selection, axes="zyx")
    with PeakRSS() as mem:
        t = time.perf_counter()
        result = compute_features(image, selection, axes="zyx")
        first = time.perf_counter() - t
    extra = max(0, mem.peak - mem.start - out_bytes)
    del result
    ours = first
    if repeats > 1:  # 3D runs are long: at most two more
        ours = min(first, best_of(lambda: compute_features(image, selection, axes="zyx"), min(2, repeats - 1)))
    out = np.empty((*image.shape, n), np.float32)
    t = time.perf_counter()
    scipy_features(image, out)
    sp = time.perf_counter() - t
    del out
    print(f"3D {size}^3 float32, default set ({n} channels)")
    print(f"  ours                      {ours:7.3f} s")
    print(f"  scipy.ndimage (1 run)     {sp:7.3f} s   ratio {sp / ours:5.2f}x")
    print(f"  peak extra memory beyond the output: {extra / 2**20:7.1f} MiB "
          f"({extra / out_bytes:.2f} x output {out_bytes / 2**20:.0f} MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size2d", type=int, default=2048)
    parser.add_argument("--size3d", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-3d", action="store_true")
    parser.add_argument("--warm-gib", type=float, default=6.0, help="memory to touch once before timing")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (other work on the machine skews every timing)")
    warm_memory(args.warm_gib)
    bench_2d(args.size2d, args.repeats)
    if not args.skip_3d:
        bench_3d(args.size3d, args.repeats)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
