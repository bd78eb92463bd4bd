"""Take the documentation screenshot: the widget with a live prediction over generated cells.

Run with a display that has OpenGL (e.g. ``xvfb-run -a python -m pixframework.napari.screenshot
docs/images/napari-live.png``). It starts an embedded server, uploads
:func:`pixframework.synthetic.cells`, paints a few strokes per class as a user would, switches
Live update on and saves the whole window once the prediction is shown.

Exit status 0 on success, 3 when no OpenGL context could be made (the caller may skip).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

NO_OPENGL = 3
FEATURES = [("gaussian_smoothing", 1.0), ("gaussian_smoothing", 3.5), ("laplacian_of_gaussian", 1.6),
            ("gaussian_gradient_magnitude", 1.6), ("difference_of_gaussians", 3.5),
            ("hessian_of_gaussian_eigenvalues", 1.6), ("structure_tensor_eigenvalues", 1.6)]  # fmt: skip


def _wait(app: Any, condition: Callable[[], bool], what: str, widget: Any, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        app.processEvents()
        time.sleep(0.01)
        if time.monotonic() > end:
            raise TimeoutError(f"timed out waiting for {what}; widget status: {widget.status.text()!r}")


def take(path: Path, *, size: tuple[int, int] = (1440, 1060)) -> Path:
    """Build the scene and write the screenshot (PNG) to ``path``; returns ``path``."""
    import napari
    from qtpy.QtWidgets import QApplication

    from ..synthetic import cells, sparse_strokes
    from ._qt.class_list import ClassesGroup
    from ._qt.features_group import FeaturesGroup
    from ._qt.groups import TrainingGroup
    from ._qt.widget import PixelClassifierWidget

    image, truth = cells((320, 320), seed=7)
    viewer = napari.Viewer(title="pixframework: pixel classification", show=True)
    app = QApplication.instance()
    _check_opengl()
    viewer.window._qt_window.resize(*size)
    widget = PixelClassifierWidget(viewer)
    viewer.window.add_dock_widget(widget, name="Pixel classification", area="right")
    model = widget.model
    features = widget.group(FeaturesGroup)
    classes = widget.group(ClassesGroup).class_list
    with tempfile.TemporaryDirectory(prefix="pixf-shot-") as root:
        try:
            model.start_embedded(root)
            _wait(app, lambda: model.connected and features.feature_matrix.rowCount() > 0, "the server", widget)
            model.open_project("cells.pixf", create=True)
            _wait(app, lambda: model.project is not None and len(model.classes) == 2, "the project", widget)
            model.rename_class(1, "background")
            model.rename_class(2, "cell")
            layer = viewer.add_image(image, name="cells")
            model.add_layer(layer)
            _wait(app, lambda: model.shown is not None, "the image", widget)
            features.select(FEATURES)
            labels = model.shown.layer
            labels.brush_size = 4
            for value, points in sparse_strokes(truth, per_class=5, length=18, seed=3):
                for point in points:
                    labels.paint(point, value)
            app.processEvents()
            widget.group(TrainingGroup).live_check.setChecked(True)
            _wait(app, lambda: model.live.last is not None and model.jobs.idle, "the live prediction", widget)
            classes.select(2)
            for _ in range(20):  # let the canvas draw the new layers
                app.processEvents()
                time.sleep(0.02)
            for toast in QApplication.allWidgets():  # napari's notices would float over the canvas
                if type(toast).__name__ == "NapariQtNotification":
                    toast.hide()
            app.processEvents()
            path.parent.mkdir(parents=True, exist_ok=True)
            viewer.screenshot(str(path), canvas_only=False)
            print(f"status: {widget.status.text()}")
            print(f"layers: {', '.join(layer.name for layer in viewer.layers)}")
        finally:
            widget.shutdown()
            viewer.close()
    return path


def _check_opengl() -> None:
    """Exit with :data:`NO_OPENGL` when the canvas has no working OpenGL context."""
    from vispy.gloo import gl

    try:
        version = gl.glGetParameter(gl.GL_VERSION)
    except Exception as exc:  # noqa: BLE001 (any failure means: no usable context)
        print(f"no OpenGL context: {exc}", file=sys.stderr)
        sys.exit(NO_OPENGL)
    if not version:
        print("no OpenGL context (GL_VERSION is empty)", file=sys.stderr)
        sys.exit(NO_OPENGL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="PNG file to write")
    parser.add_argument("--size", default="1440x1060", help="window size WIDTHxHEIGHT in pixels (default: %(default)s)")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    written = take(args.path, size=(width, height))
    pixels = np.asarray(__import__("imageio").v3.imread(written))
    print(f"wrote {written} ({pixels.shape[1]} x {pixels.shape[0]} px)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
