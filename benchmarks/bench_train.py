"""Forest training time: pixframework's fast_forest vs scikit-learn's RandomForestClassifier.

Data like live training: a synthetic cells image (no download), ilastik's 49 default features
(pixframework's feature engine), samples at the pixels of painted strokes (radius 2, as in
``bench_live.py``), 3k and 10k of them. Both forests have the same size (100 trees,
``max_features="sqrt"``, all cores, seed 0). Held-out accuracy is measured against the ground
truth at 50,000 random pixels of the image.

Timings are the best of several interleaved rounds on a shared machine (each round trains every
contender once, so all see the same load): read the ratios.

    python benchmarks/bench_train.py
    python benchmarks/bench_train.py --samples 3000 10000 30000 --rounds 7
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

HELD_OUT = 50_000


def stroke_mask(truth: np.ndarray, n_pixels: int, seed: int) -> np.ndarray:
    """Pixels under strokes of radius 2 (short lines inside each class), about ``n_pixels`` of them."""
    from scipy import ndimage as ndi

    from pixframework.synthetic import sparse_strokes

    disk = ndi.generate_binary_structure(2, 1)
    disk = ndi.binary_dilation(disk, iterations=1)  # radius-2 brush
    mask = np.zeros(truth.shape, bool)
    per_class = 8
    while True:
        mask[:] = False
        for _, points in sparse_strokes(truth, per_class=per_class, length=24, seed=seed):
            mask[tuple(points.T)] = True
        mask = ndi.binary_dilation(mask, disk)
        if mask.sum() >= n_pixels:
            break
        per_class *= 2
    # strokes come in whole; a random subset of their pixels gives exactly n_pixels
    where = np.flatnonzero(mask)
    keep = np.random.default_rng(seed).choice(where, n_pixels, replace=False)
    out = np.zeros(truth.size, bool)
    out[keep] = True
    return out.reshape(truth.shape)


def make_data(size: int, n_samples: int, seed: int) -> dict[str, Any]:
    """Samples at stroke pixels and held-out pixels of one synthetic cells image."""
    from pixframework.features import compute_features
    from pixframework.synthetic import cells

    image, truth = cells((size, size), seed=seed)
    features = compute_features(image)  # (y, x, F)
    n_features = features.shape[-1]
    flat = features.reshape(-1, n_features)
    labels = truth.reshape(-1).astype(np.int64)
    mask = stroke_mask(truth, n_samples, seed).reshape(-1)
    train = np.flatnonzero(mask)
    rest = np.flatnonzero(~mask)
    test = np.random.default_rng(seed + 1).choice(rest, HELD_OUT, replace=False)
    return {
        "X": np.ascontiguousarray(flat[train]), "y": labels[train],
        "X_test": np.ascontiguousarray(flat[test]), "y_test": labels[test],
    }


def best_of(rounds: int, contenders: dict[str, Callable[[], Any]]) -> dict[str, tuple[float, Any]]:
    """Best wall time per contender over interleaved rounds, and its last result."""
    times = {name: float("inf") for name in contenders}
    results: dict[str, Any] = {}
    for _ in range(rounds):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            results[name] = fn()
            times[name] = min(times[name], time.perf_counter() - t0)
    return {name: (times[name], results[name]) for name in contenders}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[3000, 10000])
    parser.add_argument("--size", type=int, default=1024, help="image edge in pixels")
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    from sklearn.ensemble import RandomForestClassifier

    from pixframework.classifiers import train_model

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (other work skews timings)")
    print(f"{args.trees} trees, max_features=sqrt, all cores, seed 0; held-out: {HELD_OUT} random pixels vs truth")
    # compile the kernels once (numba caches them on disk; the first import still loads them)
    warm = make_data(256, 500, seed=3)
    train_model("fast_forest", warm["X"], warm["y"], {"n_estimators": 2})

    for n in args.samples:
        data = make_data(args.size, n, seed=7)
        X, y = data["X"], data["y"]

        def ours(X: np.ndarray = X, y: np.ndarray = y) -> Any:
            return train_model("fast_forest", X, y, {"n_estimators": args.trees, "random_state": 0})

        def sklearn(X: np.ndarray = X, y: np.ndarray = y) -> Any:
            return RandomForestClassifier(args.trees, n_jobs=-1, random_state=0).fit(X, y)

        timed = best_of(args.rounds, {"fast_forest": ours, "sklearn": sklearn})
        (t_ours, model), (t_sk, forest) = timed["fast_forest"], timed["sklearn"]
        acc_ours = float(np.mean(np.asarray(model.classes)[model.predict_proba(data["X_test"]).argmax(1)] == data["y_test"]))
        acc_sk = float(forest.score(data["X_test"], data["y_test"]))
        nodes_ours = int(model.get_state()[1]["tree_offsets"][-1])
        nodes_sk = sum(e.tree_.node_count for e in forest.estimators_)
        print(f"\n{n} samples x {X.shape[1]} features ({np.bincount(y)[1:].tolist()} per class)")
        print(f"  fast_forest  {t_ours * 1000:7.1f} ms  held-out accuracy {acc_ours:.4f}  {nodes_ours} nodes")
        print(f"  sklearn      {t_sk * 1000:7.1f} ms  held-out accuracy {acc_sk:.4f}  {nodes_sk} nodes")
        print(f"  speed-up {t_sk / t_ours:.1f}x, accuracy difference {100 * (acc_ours - acc_sk):+.2f} points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
