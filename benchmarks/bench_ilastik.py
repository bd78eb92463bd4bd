"""Headless prediction of an ilastik project: ``pixf --headless`` vs the vigra reference pipeline.

The project: a 100-tree forest (4 vigra forests of 25 trees, as ilastik splits them over 4
threads) trained by vigra on ilastik desktop's full default feature set (49 channels) of strokes
on scikit-image's ``camera``, stored in an ``.ilp`` as ilastik stores it. The input: ``camera``
mirrored to 2048 x 2048 (no download).

Contenders, in the same run:

- pixframework: ``pixf --headless --project=X.ilp ... input.tif`` (in-process ``cli.main``), i.e.
  read the .ilp, compute the desktop features, predict with the converted forest, write the
  probabilities (compressed HDF5, ilastik's default);
- vigra: the reference pipeline in Debian's ``python3-vigra`` (ilastik's filters: presmoothing,
  window-2 filters; then ilastik's weighted forest average), timed inside its subprocess so file
  transfer is not counted against it.

Both results are compared (argmax agreement, mean absolute difference). Timings: wall and CPU
seconds (CPU: all threads of the process; less disturbed on a shared machine); read the ratios.

    python benchmarks/bench_ilastik.py              # 2048 x 2048
    python benchmarks/bench_ilastik.py --size 512   # quick check
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import vigra_oracle  # noqa: E402
from vigra_projects import full_selection, vigra_project  # noqa: E402


def camera(size: int) -> np.ndarray:
    import skimage.data

    base = skimage.data.camera()
    reps = -(-size // base.shape[0])
    tiled = np.block([[base if (i + j) % 2 == 0 else base[:, ::-1] for j in range(reps)] for i in range(reps)])
    return np.ascontiguousarray(tiled[:size, :size])


def strokes(shape: tuple[int, int], image: np.ndarray) -> np.ndarray:
    """Short strokes on three intensity classes (dark, middle, bright), about 2,000 pixels."""
    labels = np.zeros(shape, np.uint8)
    rng = np.random.default_rng(0)
    levels = np.digitize(image, np.quantile(image, [0.33, 0.66])) + 1
    for _ in range(120):
        y, x = rng.integers(2, shape[0] - 2), rng.integers(2, shape[1] - 20)
        labels[y, x : x + 16] = levels[y, x : x + 16]
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2048, help="input edge in pixels (default 2048)")
    parser.add_argument("--trees", type=int, default=100)
    args = parser.parse_args()
    reason = vigra_oracle.skip_reason()
    if reason:
        sys.exit(f"cannot run: {reason}")
    import tifffile

    from pixframework.cli import main as pixf

    selection = full_selection()
    work = Path(tempfile.mkdtemp(prefix="bench-ilastik-"))
    train = camera(512).astype(np.float32)
    counts = [args.trees // 4 + (1 if i < args.trees % 4 else 0) for i in range(4)]
    print(f"training {args.trees} trees ({counts}) with vigra on ilastik's 49 desktop features ...", flush=True)
    ilp = vigra_project(work / "project.ilp", train[..., None], "yx", strokes(train.shape, train), selection, counts)
    image = camera(args.size)
    tifffile.imwrite(work / "input.tif", image)

    wall, cpu = time.perf_counter(), time.process_time()
    code = pixf(["--headless", f"--project={ilp}", "--export_source=Probabilities", "--output_format=numpy",
                 f"--output_filename_format={work}/out/{{nickname}}.npy", str(work / "input.tif")])
    ours_wall, ours_cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert code == 0
    ours = np.load(work / "out" / "input.npy")

    seconds: dict = {}
    forests = [[str(ilp), f"PixelClassification/ClassifierForests/Forest{i:04d}"] for i in range(len(counts))]
    reference = vigra_oracle.run("pipeline", {"image": image.astype(np.float32)[..., None]}, report=seconds,
                                 entries=selection.entries(), forests=forests)

    agreement = float(np.mean(ours.argmax(-1) == reference.argmax(-1)))
    mad = float(np.mean(np.abs(ours - reference)))
    print(f"\n{args.size} x {args.size}, {args.trees} trees, 49 ilastik desktop features")
    print(f"  {'':28s} {'wall s':>8s} {'CPU s':>8s}")
    print(f"  {'pixf --headless (all steps)':28s} {ours_wall:8.2f} {ours_cpu:8.2f}")
    print(f"  {'vigra reference pipeline':28s} {seconds['wall']:8.2f} {seconds['cpu']:8.2f}")
    print(f"  ratio (vigra / pixframework): wall {seconds['wall'] / ours_wall:.1f}x, CPU {seconds['cpu'] / ours_cpu:.1f}x")
    print(f"  agreement with vigra: argmax {100 * agreement:.3f}%, mean |difference| {mad:.2e}")


if __name__ == "__main__":
    main()
