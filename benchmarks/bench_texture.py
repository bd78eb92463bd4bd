"""Is the texture plugin worth having? Pixel accuracy on a texture mosaic, with and without it.

Builds mosaics of the textures bundled with scikit-image (brick, grass, gravel; no download): a
512 x 512 canvas cut into Voronoi cells, each cell showing one texture. Sparse labels (a few small
disks well inside each cell, about 0.5 % of the pixels) train a random forest (100 trees, as
ilastik) with

- ilastik's default feature set (49 channels), and
- the default set plus the pixf-texture filters (``TEXTURE_ENTRIES``),

and both predict every unlabelled pixel. Printed: pixel accuracy of each (mean and range over
several mosaics), for the textures as they are and with each texture's brightness equalised (same
mean and standard deviation, so only texture tells them apart), plus the feature time ratio.

    pip install ./plugins/pixf-texture
    python benchmarks/bench_texture.py              # 5 mosaics per variant
    python benchmarks/bench_texture.py --mosaics 2  # quick look
    python benchmarks/bench_texture.py --ablation   # also: the default set plus one texture filter at a time
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import ndimage
from skimage import data as skdata

from pixframework.classifiers import train_model
from pixframework.features import FeatureSelection, compute_features
from pixframework.registry import get_registry

TEXTURES = ("brick", "grass", "gravel")
SHAPE = (512, 512)
#: the texture plugin's entries added to the default set (filter, scale)
TEXTURE_ENTRIES = [
    ("gabor_energy", 1.6),
    ("gabor_energy", 3.5),
    ("local_binary_patterns", 1.0),
    ("local_binary_patterns", 2.0),
    ("local_binary_patterns", 3.5),
    ("local_variance", 1.6),
    ("local_variance", 3.5),
    ("local_variance", 5.0),
    ("membrane_projections", 1.6),
    ("membrane_projections", 3.5),
]


def textures(equalise: bool) -> list[np.ndarray]:
    """The bundled textures as float32; with ``equalise`` each gets mean 120 and standard deviation 35."""
    images = [getattr(skdata, name)().astype(np.float32) for name in TEXTURES]
    if equalise:
        images = [(im - im.mean()) / im.std() * 35.0 + 120.0 for im in images]
    return images


def mosaic(seed: int, equalise: bool, cells_per_texture: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """``(image float32, truth int 1..3)``: Voronoi cells, each filled with one texture."""
    rng = np.random.default_rng(seed)
    n = cells_per_texture * len(TEXTURES)
    seeds = rng.uniform(0, SHAPE[0], size=(n, 2))
    yy, xx = np.mgrid[: SHAPE[0], : SHAPE[1]]
    nearest = np.argmin((yy[..., None] - seeds[:, 0]) ** 2 + (xx[..., None] - seeds[:, 1]) ** 2, axis=-1)
    texture_of_cell = rng.permutation(np.arange(n) % len(TEXTURES))
    truth = texture_of_cell[nearest] + 1
    stack = textures(equalise)
    image = np.choose(truth - 1, stack).astype(np.float32)
    return image, truth


def sparse_labels(truth: np.ndarray, seed: int, disks_per_texture: int = 6, radius: int = 4) -> np.ndarray:
    """A few disks of ``radius`` pixels per texture, at least 12 pixels inside their cell."""
    rng = np.random.default_rng(seed + 1000)
    labels = np.zeros(truth.shape, np.uint8)
    yy, xx = np.mgrid[: truth.shape[0], : truth.shape[1]]
    for value in range(1, len(TEXTURES) + 1):
        inside = ndimage.distance_transform_edt(truth == value) > 12
        candidates = np.argwhere(inside)
        for y, x in candidates[rng.choice(len(candidates), disks_per_texture, replace=False)]:
            labels[(yy - y) ** 2 + (xx - x) ** 2 <= radius**2] = value
    return labels


def accuracy(image: np.ndarray, truth: np.ndarray, labels: np.ndarray, selection: FeatureSelection) -> float:
    """Pixel accuracy on the unlabelled pixels of a random forest trained on the labelled ones."""
    features = compute_features(image, selection, axes="yx")
    flat = features.reshape(-1, features.shape[-1])
    mask = labels.ravel() > 0
    model = train_model(
        "random_forest", flat[mask], labels.ravel()[mask], {"n_estimators": 100, "random_state": 0}
    )
    predicted = np.asarray(model.classes)[model.predict_proba(flat[~mask]).argmax(axis=1)]
    return float(np.mean(predicted == truth.ravel()[~mask]))


def feature_seconds(image: np.ndarray, selections: dict[str, FeatureSelection], repeats: int = 5) -> dict[str, float]:
    """Best-of-``repeats`` time to compute each selection on ``image``, interleaved so load hits all alike."""
    best = {key: float("inf") for key in selections}
    for _ in range(repeats):
        for key, selection in selections.items():
            started = time.perf_counter()
            compute_features(image, selection, axes="yx")
            best[key] = min(best[key], time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mosaics", type=int, default=5, help="mosaics per variant (different layouts and labels)"
    )
    parser.add_argument("--ablation", action="store_true", help="also add one texture filter at a time")
    args = parser.parse_args()
    registry = get_registry()
    missing = sorted({name for name, _ in TEXTURE_ENTRIES} - set(registry.filters))
    if missing:
        raise SystemExit(f"texture filters {missing} are not installed: pip install ./plugins/pixf-texture")
    default = FeatureSelection.default(registry)
    extended = FeatureSelection([*default.entries, *TEXTURE_ENTRIES], registry)
    print(f"features: default {default.n_features(2)} channels, with texture plugin {extended.n_features(2)}")
    selections = {"default": default, "texture": extended}
    if args.ablation:
        for name in dict.fromkeys(name for name, _ in TEXTURE_ENTRIES):
            entries = [e for e in TEXTURE_ENTRIES if e[0] == name]
            selections[f"+{name}"] = FeatureSelection([*default.entries, *entries], registry)
    for equalise in (False, True):
        results: dict[str, list[float]] = {key: [] for key in selections}
        for seed in range(args.mosaics):
            image, truth = mosaic(seed, equalise)
            labels = sparse_labels(truth, seed)
            for key, selection in selections.items():
                results[key].append(accuracy(image, truth, labels, selection))
        seconds = feature_seconds(mosaic(0, equalise)[0], selections)
        variant = "brightness equalised" if equalise else "textures as bundled"
        labelled = 100 * np.mean(sparse_labels(mosaic(0, equalise)[1], 0) > 0)
        print(f"\n{variant} ({args.mosaics} mosaics, {labelled:.2f} % of pixels labelled):")
        for key, values in results.items():
            r = np.asarray(values)
            ratio = seconds[key] / seconds["default"]
            print(
                f"  {key:24s} accuracy {r.mean():.3f} (min {r.min():.3f}, max {r.max():.3f}), feature time x{ratio:.2f}"
            )
        gain = np.asarray(results["texture"]) - np.asarray(results["default"])
        print(
            f"  texture plugin gain: {gain.mean():+.3f} (better on {int(np.sum(gain > 0))} of {len(gain)} mosaics)"
        )


if __name__ == "__main__":
    main()
