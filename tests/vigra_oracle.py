"""Test oracle: Debian's python3-vigra (the library ilastik is built on), run in a subprocess.

The test process (our venv) calls :func:`run` with a command and arrays; the same file is executed
by Debian's ``/usr/bin/python3`` (which has ``vigra`` and ``numpy`` but nothing of ours), arrays
travel as ``.npy`` files. What the subprocess computes is written from ilastik's definitions only
(lazyflow's ``OpPixelFeaturesPresmoothed``, ``ParallelVigraRfLazyflowClassifier``), with vigra's own
filters and random forest; it never imports pixframework.

Commands (``python3 vigra_oracle.py COMMAND FOLDER``, arguments in ``FOLDER/args.json``):

- ``features``: ilastik desktop features of ``image.npy`` (spatial axes then channels last) for
  ``entries`` ``[[feature_id, scale, in_2d], ...]`` in ilastik's channel order -> ``out.npy``.
- ``predict``: ilastik's forest average over ``forests`` ``[[file, group], ...]`` (weighted by tree
  count) of ``features.npy`` -> ``out.npy``.
- ``train``: one vigra forest per entry of ``tree_counts`` on ``features.npy``/``labels.npy``,
  written with vigra's HDF5 export to ``file`` as ``Forest0000``, ``Forest0001``, ...
- ``pipeline``: ``features`` then ``predict`` on ``image.npy`` in one process (ilastik's reference
  pipeline); ``out.npy`` holds the probabilities, ``seconds.json`` the time features and
  prediction took in the subprocess (wall and CPU).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

DEBIAN_PYTHON = "/usr/bin/python3"


def skip_reason() -> str | None:
    """Why the oracle cannot run here, or ``None`` when Debian's python3-vigra is usable."""
    if not os.path.exists(DEBIAN_PYTHON):
        return f"{DEBIAN_PYTHON} not found (the vigra oracle needs Debian's python3-vigra)"
    probe = subprocess.run([DEBIAN_PYTHON, "-c", "import vigra"], capture_output=True, text=True)
    if probe.returncode != 0:
        return "python3-vigra is not installed (apt-get install python3-vigra); the vigra oracle is unavailable"
    return None


def run(command: str, arrays: dict[str, np.ndarray], *, report: dict | None = None, **args: object) -> np.ndarray | None:
    """Run ``command`` in Debian's python with vigra; returns ``out.npy`` if the command writes one.

    :param report: filled with the subprocess's ``seconds.json`` when it writes one.
    """
    with tempfile.TemporaryDirectory(prefix="vigra-oracle-") as folder:
        for name, array in arrays.items():
            np.save(os.path.join(folder, f"{name}.npy"), array)
        Path(folder, "args.json").write_text(json.dumps(args))
        done = subprocess.run([DEBIAN_PYTHON, __file__, command, folder], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"vigra oracle {command} failed:\n{done.stderr}")
        seconds = os.path.join(folder, "seconds.json")
        if report is not None and os.path.exists(seconds):
            report.update(json.loads(Path(seconds).read_text()))
        out = os.path.join(folder, "out.npy")
        return np.load(out) if os.path.exists(out) else None


# ----------------------------------------------------------------- inside Debian's python (vigra)


def _presmoothed(vigra, view, scale):
    if scale > 1.0:
        pre_sigma, sigma = math.sqrt(scale**2 - 1.0), 1.0
    else:
        pre_sigma, sigma = scale, scale
    return vigra.filters.gaussianSmoothing(view, pre_sigma, window_size=3.5), sigma


def _one_feature(vigra, plane, feature, scale):
    """ilastik desktop's feature of one channel: presmoothing (window 3.5), then window-2 filters."""
    axes = "zyx" if plane.ndim == 3 else "yx"
    view = vigra.taggedView(np.ascontiguousarray(plane, np.float32), axes)
    pre, s = _presmoothed(vigra, view, scale)
    f = vigra.filters
    if feature == "GaussianSmoothing":
        out = f.gaussianSmoothing(pre, s, window_size=2.0)
    elif feature == "LaplacianOfGaussian":
        out = f.laplacianOfGaussian(pre, s, window_size=2.0)
    elif feature == "GaussianGradientMagnitude":
        out = f.gaussianGradientMagnitude(pre, s, window_size=2.0)
    elif feature == "DifferenceOfGaussians":
        out = f.gaussianSmoothing(pre, s, window_size=2.0) - f.gaussianSmoothing(pre, 0.66 * s, window_size=2.0)
    elif feature == "StructureTensorEigenvalues":
        # what ilastik's fastfilters call computes: gradient at 0.5 s, tensor smoothed at s
        out = f.structureTensorEigenvalues(pre, 0.5 * s, s, window_size=2.0)
    elif feature == "HessianOfGaussianEigenvalues":
        out = f.hessianOfGaussianEigenvalues(pre, s, window_size=2.0)
    else:
        raise ValueError(feature)
    out = np.asarray(out, np.float32)
    return out if out.ndim > plane.ndim else out[..., None]


def _features(vigra, folder, args):
    image = np.load(os.path.join(folder, "image.npy")).astype(np.float32)
    blocks = []
    for feature, scale, in_2d in args["entries"]:
        per_channel = []
        for c in range(image.shape[-1]):
            plane = image[..., c]
            if in_2d and plane.ndim == 3:
                result = np.stack([_one_feature(vigra, plane[z], feature, scale) for z in range(plane.shape[0])])
            else:
                result = _one_feature(vigra, plane, feature, scale)
            per_channel.append(result)
        blocks.append(np.concatenate(per_channel, axis=-1))
    np.save(os.path.join(folder, "out.npy"), np.concatenate(blocks, axis=-1))


def _average(vigra, features, forests):
    """ilastik's ParallelVigraRfLazyflowClassifier: forests' probabilities weighted by tree count."""
    total, trees = None, 0
    for path, group in forests:
        forest = vigra.learning.RandomForest(path, group)
        part = forest.predictProbabilities(features) * forest.treeCount()
        total = part if total is None else total + part
        trees += forest.treeCount()
    return (total / trees).astype(np.float32)


def _predict(vigra, folder, args):
    features = np.ascontiguousarray(np.load(os.path.join(folder, "features.npy")), np.float32)
    np.save(os.path.join(folder, "out.npy"), _average(vigra, features, args["forests"]))


def _pipeline(vigra, folder, args):
    import time

    wall, cpu = time.perf_counter(), time.process_time()
    _features(vigra, folder, args)
    features = np.load(os.path.join(folder, "out.npy"))
    flat = np.ascontiguousarray(features.reshape(-1, features.shape[-1]), np.float32)
    proba = _average(vigra, flat, args["forests"]).reshape(features.shape[:-1] + (-1,))
    seconds = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    np.save(os.path.join(folder, "out.npy"), proba)
    Path(folder, "seconds.json").write_text(json.dumps(seconds))


def _train(vigra, folder, args):
    features = np.ascontiguousarray(np.load(os.path.join(folder, "features.npy")), np.float32)
    labels = np.load(os.path.join(folder, "labels.npy")).astype(np.uint32).reshape(-1, 1)
    for i, count in enumerate(args["tree_counts"]):
        forest = vigra.learning.RandomForest(treeCount=int(count))
        forest.learnRF(features, labels, int(args.get("seed", 0)) + i)
        forest.writeHDF5(args["file"], f"Forest{i:04d}")


def main() -> None:
    import vigra

    command, folder = sys.argv[1], sys.argv[2]
    args = json.loads(Path(folder, "args.json").read_text())
    {"features": _features, "predict": _predict, "train": _train, "pipeline": _pipeline}[command](vigra, folder, args)


if __name__ == "__main__":
    main()
