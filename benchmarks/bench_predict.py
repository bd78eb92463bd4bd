"""Random-forest prediction: pixframework's compiled engine vs scikit-learn's predict_proba, and XGBoost.

Data: scikit-image's bundled ``camera`` image mirrored to 2048 x 2048 (no download); ilastik's 49
default features (pixframework's feature engine; smooth synthetic features if it is unavailable);
about 2,000 labelled pixels in short strokes over three intensity classes (sloppy, like a user's
strokes). One forest of 100 trees (scikit-learn, seed 0) is predicted by scikit-learn and by
pixframework on the same 4.2 M x 49 float32 matrix, laid out as the feature engine hands it out (a
transposed view of channel-first planes, strides (4, n*4)), and as a C-contiguous copy. XGBoost
(100 rounds, depth 6, one tree per class and round) is timed on the same matrix.

Timings are the best of several interleaved rounds on a shared machine (each round runs every
contender once, so all see the same load); read the ratios. CPU seconds (all threads of the
process) are printed too: they are less disturbed by other jobs taking cores. Peak extra memory is
the process RSS above the level before the call (input and output excluded), sampled every ms.

    python benchmarks/bench_predict.py            # 2048 x 2048, as in issue 5
    python benchmarks/bench_predict.py --size 512 # quick check
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from typing import Any, Callable

import numpy as np

N_FEATURES = 49


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Timed:
    """One contender: best wall and CPU seconds and peak extra RSS over its runs, and its last result."""

    def __init__(self, name: str, fn: Callable[[], Any]):
        self.name, self.fn = name, fn
        self.wall = self.cpu = float("inf")
        self.peak_extra = 0
        self.result: Any = None

    def run(self) -> None:
        self.result = None
        base = rss_bytes()
        peak = [base]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], rss_bytes())
                time.sleep(0.001)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        wall, cpu = time.perf_counter(), time.process_time()
        result = self.fn()
        self.wall = min(self.wall, time.perf_counter() - wall)
        self.cpu = min(self.cpu, time.process_time() - cpu)
        done.set()
        sampler.join()
        out_bytes = result.nbytes if isinstance(result, np.ndarray) else 0
        self.peak_extra = max(self.peak_extra, peak[0] - base - out_bytes)
        self.result = result


def run_rounds(contenders: list[Timed], rounds: int) -> None:
    """Run every contender once per round, interleaved, so all see the same machine load."""
    for _ in range(rounds):
        for contender in contenders:
            contender.run()


def big_image(size: int) -> np.ndarray:
    import skimage.data

    cam = skimage.data.camera()
    tile = np.block([[cam, cam[:, ::-1]], [cam[::-1], cam[::-1, ::-1]]])
    reps = -(-size // tile.shape[0])
    return np.tile(tile, (reps, reps))[:size, :size]


def feature_matrix(image: np.ndarray) -> tuple[np.ndarray, str]:
    """(n_pixels, 49) float32 view of channel-first planes, and where the features came from."""
    try:
        from pixframework.features import compute_features

        features = compute_features(image)
        source = "pixframework default selection (ilastik's 49 features)"
    except ImportError:
        from scipy import ndimage as ndi

        img = image.astype(np.float32)
        planes = np.empty((N_FEATURES,) + img.shape, np.float32)
        for i in range(N_FEATURES):
            sigma = 0.3 * 1.12**i
            planes[i] = ndi.gaussian_filter(img, sigma, order=(i % 3 == 1, i % 3 == 2))
        features = np.moveaxis(planes, 0, -1)
        source = "synthetic Gaussian derivatives (feature engine unavailable)"
    return features.reshape(-1, features.shape[-1]), source


def stroke_labels(image: np.ndarray, n_pixels: int = 2000, length: int = 50, seed: int = 0) -> np.ndarray:
    """Horizontal/vertical strokes, each labelled with the intensity class (terciles) where it starts."""
    from scipy import ndimage as ndi

    rng = np.random.default_rng(seed)
    smooth = ndi.gaussian_filter(image.astype(np.float32), 3.0)
    classes = 1 + np.digitize(smooth, np.quantile(smooth, [1 / 3, 2 / 3]))
    labels = np.zeros(image.shape, np.uint8)
    h, w = image.shape
    while np.count_nonzero(labels) < n_pixels:
        y, x = int(rng.integers(0, h - length)), int(rng.integers(0, w - length))
        value = classes[y, x]
        if rng.random() < 0.5:
            labels[y, x : x + length] = value
        else:
            labels[y : y + length, x] = value
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2048, help="image edge in pixels (default 2048)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best of each is kept")
    args = parser.parse_args()

    from sklearn.ensemble import RandomForestClassifier

    from pixframework.classifiers import train_model
    from pixframework.classifiers.forest_engine import DEFAULT_BLOCK

    import numba

    image = big_image(args.size)
    t0 = time.perf_counter()
    X, source = feature_matrix(image)
    t_features = time.perf_counter() - t0
    labels = stroke_labels(image)
    mask = labels.ravel() != 0
    X_train, y_train = np.ascontiguousarray(X[mask]), labels.ravel()[mask].astype(np.int64)
    print(f"machine: {os.cpu_count()} cores, numba threads {numba.get_num_threads()}")
    print(f"features: {X.shape[0]:,} pixels x {X.shape[1]} ({source}), {t_features:.1f} s; strides {X.strides}")
    print(f"training: {len(y_train)} labelled pixels, per class {dict((int(k), int(v)) for k, v in zip(*np.unique(y_train, return_counts=True)))}")

    params = {"n_estimators": 100, "random_state": 0}
    ours = train_model("random_forest", X_train, y_train, params)
    reference = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=-1).fit(X_train, y_train)
    depths = [e.tree_.max_depth for e in reference.estimators_]
    nodes = [e.tree_.node_count for e in reference.estimators_]
    print(f"forest: 100 trees, mean depth {np.mean(depths):.1f} (max {max(depths)}), mean {np.mean(nodes):.0f} nodes/tree")

    checked = reference._validate_X_predict(X)  # what sklearn's predict_proba works on
    copies = not np.shares_memory(checked, X)
    del checked
    contiguous = np.ascontiguousarray(X)
    ours.predict_proba(X[:10])  # compile / load the numba cache before timing
    ours.predict_proba(contiguous[:10])

    xgb = train_model("xgboost", X_train, y_train, {"n_estimators": 100, "max_depth": 6, "random_state": 0})
    xgb.predict_proba(X[:10])
    n_xgb_trees = 100 * (len(xgb.classes) if len(xgb.classes) > 2 else 1)
    sk = Timed("scikit-learn predict_proba, engine layout", lambda: reference.predict_proba(X))
    sk_c = Timed("scikit-learn predict_proba, C-contiguous", lambda: reference.predict_proba(contiguous))
    mine = Timed("pixframework engine, engine layout", lambda: ours.predict_proba(X))
    mine_c = Timed("pixframework engine, C-contiguous", lambda: ours.predict_proba(contiguous))
    booster = Timed(f"XGBoost ({n_xgb_trees} trees, depth <= 6), engine layout", lambda: xgb.predict_proba(X))
    contenders = [sk, mine, sk_c, mine_c, booster]
    run_rounds(contenders, args.rounds)

    diff = max(float(np.abs(mine.result - sk.result).max()), float(np.abs(mine_c.result - sk.result).max()))
    best_sk = min(sk.wall, sk_c.wall)
    print(f"scikit-learn copies the engine-layout input: {'yes' if copies else 'no'}")
    print(f"max |ours - scikit-learn| = {diff:.2e} (bar 1e-6)")
    print(f"best of {args.rounds} interleaved rounds; CPU = process CPU seconds (all threads)")
    print()
    title = f"predict 100-tree forest on {X.shape[0]:,} x {X.shape[1]}"
    print(f"{title:<52} {'wall s':>7} {'CPU s':>7} {'vs best sklearn':>16} {'peak extra MB':>14}")
    for t in contenders:
        print(f"{t.name:<52} {t.wall:7.2f} {t.cpu:7.2f} {best_sk / t.wall:15.2f}x {t.peak_extra / 2**20:14.1f}")
    print()
    print(f"ours vs scikit-learn, same layout (wall): engine layout {sk.wall / mine.wall:.2f}x, "
          f"C-contiguous {sk_c.wall / mine_c.wall:.2f}x; by CPU seconds: {sk.cpu / mine.cpu:.2f}x, "
          f"{sk_c.cpu / mine_c.cpu:.2f}x; ours vs XGBoost (wall): {booster.wall / mine.wall:.2f}x")
    bound = numba.get_num_threads() * (X.shape[1] * (DEFAULT_BLOCK + 16) * 4 + DEFAULT_BLOCK * 10 * len(ours.classes))
    print(f"our scratch memory by construction: {bound / 2**20:.1f} MB ({numba.get_num_threads()} threads x one "
          f"{DEFAULT_BLOCK}-pixel block), independent of the number of pixels")


if __name__ == "__main__":
    main()
