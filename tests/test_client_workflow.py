"""One workflow, run embedded (Project) and remote (RemoteProject over a real server): same results.

The same function drives both; everything it returns (image info, classes, labels, features,
classifier, probabilities, segmentation, uncertainty, exported file, results after reopening)
must be identical, and the same bad calls raise the same exception classes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest
import tifffile
from skimage import data as skdata
from skimage.filters import threshold_otsu
from test_server_support import running_server

from pixframework.client import connect
from pixframework.errors import Conflict, NotFound, NotTrained, ValidationError
from pixframework.project import Project

FEATURES = [("gaussian_smoothing", 0.7), ("gaussian_smoothing", 1.6), ("laplacian_of_gaussian", 1.0),
            ("gaussian_gradient_magnitude", 1.0), ("hessian_of_gaussian_eigenvalues", 1.6)]  # fmt: skip
VIEWPORT = (slice(40, 168), slice(64, 256))


def _images(root: Path) -> np.ndarray:
    """Write the file image into the data root; return the array image (uploaded remotely)."""
    (root / "images").mkdir()
    tifffile.imwrite(root / "images" / "coins.tif", skdata.coins())
    return skdata.coins()[::-1, ::-1].copy()  # a second image with the same layout


def workflow(open_project: Callable[[str, bool], Any], image_path: str, array: np.ndarray, out_dir: str) -> dict[str, Any]:
    """Drive a project through the whole workflow; return what a user would look at.

    ``image_path`` and ``out_dir`` are as the project sees them: absolute when embedded, relative to
    the data root when remote.
    """
    out: dict[str, Any] = {"errors": []}

    def expect(exc_type: type, call: Callable[[], Any]) -> None:
        with pytest.raises(exc_type) as excinfo:
            call()
        out["errors"].append((type(excinfo.value).__name__, str(excinfo.value).replace(image_path, "<path>")))

    p = open_project("wf.pixf", True)
    coins = p.add_image(image_path)
    flipped = p.add_image(array, name="flipped", axes="yx")
    out["images"] = p.images
    out["info"] = [{k: v for k, v in p.image_info(n).items() if k != "source"} for n in p.images]
    np.testing.assert_array_equal(p.read_image(coins, (slice(0, 10), slice(None)))[..., 0], skdata.coins()[:10])
    out["classes"] = [p.add_class("background", "#102030"), p.add_class("coin"), p.add_class("spare", (1, 2, 3))]
    p.rename_class("coin", "coins")
    p.set_class_color(2, "#ff8800")
    p.remove_class("spare")
    out["class_list"] = p.classes
    expect(NotFound, lambda: p.paint(coins, "spare", [[1, 1]], 1))
    expect(ValidationError, lambda: p.set_labels(coins, np.ones((3, 3, 3), np.uint8)))
    expect(NotTrained, lambda: p.predict(coins))
    expect(NotFound, lambda: p.image_info("nope"))
    expect(Conflict, lambda: p.add_class("coins"))
    # strokes well inside the background and inside coins (checked against an Otsu mask)
    out["painted"] = [
        p.paint(coins, "background", [[184, 64]], radius=4),
        p.paint(coins, "background", [[98, 98], [96, 92]], radius=3),
        p.paint(coins, "background", [[143, 372]], radius=3),
        p.paint(coins, "coins", [[189, 323]], radius=4),
        p.paint(flipped, "background", [[94, 374]], radius=3),
        p.paint(flipped, "background", [[139, 320]], radius=2.5),
    ]
    block = np.zeros((8, 8), np.uint8)
    block[2:6, 2:6] = 2
    p.set_labels(flipped, block, offset=(250, 320))
    p.set_labels(flipped, np.ones((4, 4), np.uint8), offset=(10, 10))
    p.erase(flipped, [[11, 11]], radius=1)
    p.clear_labels(coins, "coins")
    p.paint(coins, 2, [[189, 323]], radius=4)
    p.paint(coins, 2, [[118, 286]], radius=3)
    p.paint(coins, 2, [[269, 251], [269, 253]], radius=3)
    p.paint(coins, "background", [[234, 133]], radius=3)
    out["labels"] = [p.get_labels(n) for n in p.images]
    out["label_window"] = p.get_labels(flipped, (slice(248, 260), slice(318, 330)))
    p.select_features(FEATURES)
    out["features"] = p.features.to_json()
    p.set_classifier("random_forest", n_estimators=12, random_state=3, threads=1)
    out["classifier"] = p.classifier
    fractions: list[float] = []
    summary = p.train(progress=lambda f, m: fractions.append(f))
    assert fractions and fractions == sorted(fractions) and p.is_trained
    out["summary"] = {k: v for k, v in summary.items() if k != "seconds"}
    out["probabilities"] = p.predict(coins, region=VIEWPORT)
    out["segmentation"] = p.predict(flipped, output="segmentation")
    out["uncertainty"] = p.predict(coins, region=(slice(0, 64), slice(None)), output="uncertainty")
    expect(ValidationError, lambda: p.predict(coins, output="nonsense"))
    expect(ValidationError, lambda: p.predict(coins, region=(slice(0, 999), slice(0, 4))))
    written = p.export(coins, out_dir + "/{nickname}_{result_type}.tif", output="segmentation")
    out["export_name"] = Path(written).name
    p.close()
    again = open_project("wf.pixf", False)
    out["reopened"] = (again.images, again.classes, again.is_trained, [again.get_labels(n) for n in again.images])
    out["reopened_probabilities"] = again.predict(coins, region=VIEWPORT)
    again.close(save=False)
    return out


def _embedded(root: Path) -> dict[str, Any]:
    array = _images(root)

    def open_project(name: str, create: bool) -> Project:
        return Project.create(root / name) if create else Project.open(root / name)

    return workflow(open_project, str(root / "images" / "coins.tif"), array, str(root / "out"))


def _remote(root: Path) -> dict[str, Any]:
    array = _images(root)
    with running_server(root) as (_, address), connect(address) as client:

        def open_project(name: str, create: bool) -> Any:
            return client.create_project(name) if create else client.open_project(name)

        return workflow(open_project, "images/coins.tif", array, "out")


_RESULTS: dict[str, dict[str, Any]] = {}


def results(mode: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if mode not in _RESULTS:
        root = tmp_path_factory.mktemp(mode)
        _RESULTS[mode] = (_embedded if mode == "embedded" else _remote)(root)
        _RESULTS[mode]["root"] = root
    return _RESULTS[mode]


@pytest.mark.parametrize("mode", ["embedded", "remote"])
def test_workflow_runs(mode: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    out = results(mode, tmp_path_factory)
    assert out["images"] == ["coins", "flipped"]
    assert out["class_list"] == [{"name": "background", "color": "#102030", "index": 1},
                                 {"name": "coins", "color": "#ff8800", "index": 2}]  # fmt: skip
    assert out["probabilities"].shape == (128, 192, 2) and out["probabilities"].dtype == np.float32
    np.testing.assert_allclose(out["probabilities"].sum(-1), 1, atol=1e-5)
    coin_mask = skdata.coins() > threshold_otsu(skdata.coins())
    segmentation = out["segmentation"][::-1, ::-1]
    assert np.mean((segmentation == 2) == coin_mask) > 0.8  # a sensible classifier, not just any output
    exported = tifffile.imread(out["root"] / "out" / out["export_name"])
    assert exported.shape == skdata.coins().shape and set(np.unique(exported)) <= {1, 2}
    assert out["reopened"][2] is True
    np.testing.assert_array_equal(out["reopened_probabilities"], out["probabilities"])


def test_embedded_and_remote_give_identical_results(tmp_path_factory: pytest.TempPathFactory) -> None:
    embedded = results("embedded", tmp_path_factory)
    remote = results("remote", tmp_path_factory)
    keys = sorted(set(embedded) - {"root"})
    assert keys == sorted(set(remote) - {"root"})
    for key in keys:
        a, b = embedded[key], remote[key]
        _assert_same(a, b, key)


def _assert_same(a: Any, b: Any, where: str) -> None:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), where
        assert a.dtype == b.dtype and a.shape == b.shape, where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), f"{where}: {a!r} != {b!r}"
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert isinstance(b, dict) and sorted(a) == sorted(b), f"{where}: {a!r} != {b!r}"
        for k in a:
            _assert_same(a[k], b[k], f"{where}.{k}")
    else:
        assert a == b and type(a) is type(b), f"{where}: {a!r} != {b!r}"
