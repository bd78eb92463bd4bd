"""Live update: retrain when something changed, predict the visible region, show it as layers.

Every change the model should learn from (labels, classes, features, classifier) bumps
:attr:`LiveUpdate.version`. A scheduled update is one job on the widget's queue under the key
``"live"``, so a burst of strokes or camera moves collapses into one request; the job trains when
the model is older than the version it was scheduled for, then predicts probabilities,
segmentation and uncertainty of the region the canvas shows. No Qt here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .jobs import JobQueue
from .layers import PredictionLayers
from .loop import MainLoop, Timer
from .viewport import WHOLE_PLANE_PIXELS, camera_of, visible_region

#: seconds of camera stillness before the visible region is predicted again
CAMERA_SETTLE_S = 0.15


class LiveUpdate:
    """Keeps prediction layers of the shown image up to date while enabled.

    :param viewer: the napari viewer (camera and dims are watched).
    :param jobs: the queue that runs client calls.
    :param loop: the main loop (for the camera-settle timer).
    :param context: returns ``(project, image, labels layer)`` of what is shown, or ``None``.
    :param on_result: called on the main thread with each result dict (after the layers are updated).
    :param on_error: called on the main thread with an exception from a failed update.
    """

    def __init__(
        self,
        viewer: Any,
        jobs: JobQueue,
        loop: MainLoop,
        *,
        context: Callable[[], tuple[Any, str, Any] | None],
        on_result: Callable[[dict[str, Any]], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self.viewer = viewer
        self.enabled = False
        self.version = 0  # bumped by every change the model should learn from
        self.trained_version = -1
        #: planes up to this many pixels are predicted whole
        self.whole_plane_pixels = WHOLE_PLANE_PIXELS
        self.last: dict[str, Any] | None = None  # the result shown last
        self.layers = PredictionLayers(viewer)
        self._jobs = jobs
        self._context = context
        self._on_result = on_result
        self._on_error = on_error
        self._loop = loop
        self._timer: Timer | None = None
        self._watched = [camera_of(viewer).events.center, camera_of(viewer).events.zoom, viewer.dims.events.current_step]
        for emitter in self._watched:
            emitter.connect(self._on_view_changed)

    def set_enabled(self, on: bool) -> None:
        """Start showing predictions (and schedule one), or remove the prediction layers."""
        self.enabled = on
        if on:
            self.schedule()
        else:
            self.stop()
            self.layers.clear()
            self.last = None

    def changed(self) -> None:
        """Something the model learns from changed: a new model is needed; update if enabled."""
        self.version += 1
        self.schedule()

    def note_trained(self, version: int) -> None:
        """A training that saw the state of ``version`` finished."""
        self.trained_version = max(self.trained_version, version)

    def forget(self) -> None:
        """The shown image went away: drop its layers."""
        self.layers.clear()
        self.last = None

    def close(self) -> None:
        """Stop for good: no timer, no more listening to the camera."""
        self.stop()
        watched, self._watched = self._watched, []
        for emitter in watched:
            emitter.disconnect(self._on_view_changed)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_view_changed(self, event: Any = None) -> None:
        if self.enabled:  # restart the settle timer: predict once the camera stood still
            self.stop()
            self._timer = self._loop.call_later(CAMERA_SETTLE_S, self._settled)

    def _settled(self) -> None:
        self._timer = None
        self.schedule(only_if_moved=True)

    def schedule(self, only_if_moved: bool = False) -> None:
        """Queue one update of the visible region (replacing a queued one)."""
        context = self._context() if self.enabled else None
        if context is None:
            return
        project, image, layer = context
        region = visible_region(
            self.viewer, layer, layer.data.shape, whole_plane_pixels=self.whole_plane_pixels
        )
        last = self.last
        if (
            only_if_moved
            and last is not None
            and last["region"] == region
            and last["version"] == self.version
        ):
            return
        version = self.version

        def work() -> dict[str, Any]:
            summary = None
            if version > self.trained_version:
                summary = project.train()
                self.note_trained(version)
            outputs = {
                name: project.predict(image, region=region, output=name)
                for name in ("probabilities", "segmentation", "uncertainty")
            }
            return {
                "image": image,
                "region": region,
                "version": version,
                "summary": summary,
                "classes": project.classes,
                **outputs,
            }

        self._jobs.submit(work, self._show, self._on_error, key="live")

    def _show(self, result: dict[str, Any]) -> None:
        context = self._context() if self.enabled else None
        if context is None or context[1] != result["image"]:
            return  # the user moved on while this was computed
        layer = context[2]
        self.last = result
        self.layers.update(
            layer,
            result["region"],
            result["classes"],
            result["probabilities"],
            result["segmentation"],
            result["uncertainty"],
        )
        self._on_result(result)
