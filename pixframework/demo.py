"""The embedded demo: the whole workflow on generated images, no server and no download.

Generates three cell images with known ground truth, labels two of them with a few scripted
strokes, trains a random forest on ilastik's default features, predicts all three (the third was
never labelled), exports the results and writes a picture: image | labels | prediction.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .palette import rgb

Report = Callable[[str], None]


def _gray(image: np.ndarray) -> np.ndarray:
    lo, hi = np.percentile(image, (0.5, 99.5))
    g = np.clip((image.astype(np.float32) - lo) / max(hi - lo, 1e-6), 0, 1)
    return np.repeat((g * 255).astype(np.uint8)[..., None], 3, axis=-1)


def _colorize(base: np.ndarray, classes: np.ndarray, colors: list[str], alpha: float) -> np.ndarray:
    out = base.astype(np.float32)
    for index, color in enumerate(colors, start=1):
        where = classes == index
        out[where] = (1 - alpha) * out[where] + alpha * np.array(rgb(color), np.float32)
    return out.astype(np.uint8)


def picture(rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]], colors: list[str]) -> np.ndarray:
    """RGB picture with one row per image: raw | labels over raw | segmentation over raw."""
    gap = 4
    tiles = []
    for image, labels, seg in rows:
        gray = _gray(image)
        panels = [gray, _colorize(gray, labels, colors, 1.0), _colorize(gray, seg, colors, 0.45)]
        spacer = np.full((gray.shape[0], gap, 3), 255, np.uint8)
        tiles.append(np.concatenate([panels[0], spacer, panels[1], spacer, panels[2]], axis=1))
        tiles.append(np.full((gap, tiles[-1].shape[1], 3), 255, np.uint8))
    return np.concatenate(tiles[:-1], axis=0)


def run_demo(output: str | Path = "pixf-demo", *, size: int = 384, seed: int = 0, report: Report = print) -> dict[str, Any]:
    """Run the whole workflow embedded; returns a summary with per-image accuracy and file paths."""
    from .io.dispatch import write_image
    from .project import Project
    from .synthetic import cells, sparse_strokes

    started = time.perf_counter()
    output = Path(output)
    (output / "images").mkdir(parents=True, exist_ok=True)
    truths: dict[str, np.ndarray] = {}
    with Project.create(output / "demo.pixf", overwrite=True) as project:
        project.add_class("background")
        project.add_class("cell")
        for i in range(3):
            image, truth = cells((size, size), seed=seed + i)
            path = write_image(output / "images" / f"cells-{i + 1}.tif", image, "yx")
            name = project.add_image(path)
            truths[name] = truth
        n_strokes = 0
        for name in project.images[:2]:
            for value, points in sparse_strokes(truths[name], seed=seed + 100 + len(truths)):
                project.paint(name, value, points, radius=2)
                n_strokes += 1
        labelled = sum(sum(c.values()) for c in project.label_counts().values())
        report(f"labelled {labelled} pixels with {n_strokes} strokes on 2 of {len(truths)} images")
        t = time.perf_counter()
        info = project.train()
        report(f"trained {info['classifier']} on {sum(info['samples'].values())} samples x {info['features']} features in {time.perf_counter() - t:.1f} s")
        colors = [c["color"] for c in project.classes]
        rows, accuracy, exported = [], {}, []
        for name in project.images:
            seg = project.predict(name, output="segmentation")
            accuracy[name] = float(np.mean(seg == truths[name]))
            rows.append((project.read_image(name)[..., 0], project.get_labels(name), seg))
            for kind in ("probabilities", "segmentation"):
                exported.append(project.export(name, str(output / "results" / "{nickname}_{result_type}.tif"), output=kind))
            labelled_note = "labelled" if project.get_labels(name).any() else "never labelled"
            report(f"  {name}: pixel accuracy {accuracy[name]:.1%} against the ground truth ({labelled_note})")
    png = output / "demo.png"
    write_image(png, picture(rows, colors), "yxc")
    seconds = time.perf_counter() - started
    report(f"picture (image | labels | prediction): {png}")
    report(f"results: {output / 'results'}; project: {output / 'demo.pixf'}; total {seconds:.1f} s")
    return {"accuracy": accuracy, "picture": str(png), "exported": exported, "project": str(output / "demo.pixf"), "seconds": seconds}
