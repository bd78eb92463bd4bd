"""Blockwise prediction of big volumes: throughput, peak memory, and linear scaling.

Generates a uint8 volume in a zarr store (no download), trains a random forest on sparse labels with
the default 3D feature set, then predicts the whole volume blockwise into zarr, each size in its own
process so peak RSS is that size's alone. Prints voxels/s, peak RSS, and the time ratio 512^3 / 256^3
(ideal: 8; bar: <= 9 with peak RSS < 2 GiB).

    python benchmarks/bench_blockwise.py            # 256^3 and 512^3
    python benchmarks/bench_blockwise.py --sizes 96 192   # quick check
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def make_volume(path: Path, edge: int) -> None:
    """A cells volume written chunk-slab by chunk-slab so generating it stays small in memory."""
    import zarr

    from pixframework.synthetic import cells

    arr = zarr.create_array(store=str(path), shape=(edge,) * 3, chunks=(64, 64, 64), dtype="uint8", zarr_format=3)
    tile = 128 if edge >= 128 else edge
    base, _ = cells((tile,) * 3, seed=7)
    base = (base.astype(np.float32) / base.max() * 255).astype(np.uint8)
    for z in range(0, edge, tile):
        for y in range(0, edge, tile):
            for x in range(0, edge, tile):
                sl = (slice(z, min(z + tile, edge)), slice(y, min(y + tile, edge)), slice(x, min(x + tile, edge)))
                arr[sl] = base[tuple(slice(0, s.stop - s.start) for s in sl)]


def train_project(workdir: Path) -> Path:
    from pixframework import Project
    from pixframework.synthetic import cells, sparse_strokes

    image, truth = cells((96, 96, 96), seed=7)
    image = (image.astype(np.float32) / image.max() * 255).astype(np.uint8)
    with Project.create(workdir / "bench.pixf", overwrite=True) as p:
        p.add_class("background")
        p.add_class("cell")
        name = p.add_image(image, axes="zyx")
        for value, points in sparse_strokes(truth, per_class=8, seed=1):
            p.paint(name, value, points, radius=1)
        p.train()
    return workdir / "bench.pixf"


def child(project: str, volume: str, out: str) -> None:
    from pixframework import Project

    p = Project.open(project)
    name = p.add_image(volume, axes="zyx")
    t = time.perf_counter()
    p.export(name, out, output="probabilities", format="zarr")
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "peak_rss": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        project = train_project(workdir)
        results = {}
        for edge in args.sizes:
            volume = workdir / f"vol{edge}.zarr"
            make_volume(volume, edge)
            out = workdir / f"pred{edge}.zarr"
            proc = subprocess.run([sys.executable, __file__, "--child", str(project), str(volume), str(out)],
                                  capture_output=True, text=True, check=True)
            results[edge] = json.loads(proc.stdout.strip().splitlines()[-1])
            r = results[edge]
            print(f"{edge}^3: {r['seconds']:.1f} s, {edge**3 / r['seconds'] / 1e6:.2f} Mvoxel/s, "
                  f"peak RSS {r['peak_rss'] / 2**30:.2f} GiB", flush=True)
        sizes = sorted(results)
        if len(sizes) >= 2:
            a, b = sizes[0], sizes[-1]
            ratio = results[b]["seconds"] / results[a]["seconds"]
            print(f"time ratio {b}^3 / {a}^3 = {ratio:.2f} for {(b / a) ** 3:.0f}x the voxels "
                  f"(bar <= {1.125 * (b / a) ** 3:.0f})")


if __name__ == "__main__":
    main()
