"""Tie a napari Labels layer to the labels of one project image on the server.

napari emits a paint event *before* it writes the pixels of a single click, so the link notes the
changed box and compares layer and mirror from the event loop (a zero-delay timer); that also
merges a burst of events into one upload. Uploads run on the widget's job queue, in order.

Boxes that could not be sent (server away) are remembered and sent again by :meth:`LabelLink.resync`
once the server is back, on top of the server's labels at that moment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from qtpy.QtCore import QObject, QTimer

from .connection import is_connection_lost
from .jobs import JobQueue
from .label_sync import LabelChange, LabelMirror, Region, changed_region


class LabelLink(QObject):
    """One Labels layer <-> one image's labels on the server.

    :param layer: the napari Labels layer the user paints in (data over spatial axes ``(z)yx``).
    :param image: the project image name.
    :param server_labels: the image's labels as the server has them now.
    :param jobs: the queue that runs client calls.
    :param project: returns the current :class:`~pixframework.client.RemoteProject` (it changes on reconnect).
    :param online: returns whether the server is believed reachable.
    :param on_sent: called on the main thread after a change reached the server.
    :param on_error: called on the main thread with an exception from a failed upload.
    """

    def __init__(
        self,
        layer: Any,
        image: str,
        server_labels: np.ndarray,
        jobs: JobQueue,
        *,
        project: Callable[[], Any],
        online: Callable[[], bool],
        on_sent: Callable[[], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        super().__init__()
        self.layer = layer
        self.image = image
        self.mirror = LabelMirror(server_labels)
        self.unsent: list[Region] = []  # boxes whose changes did not reach the server
        self._jobs = jobs
        self._project = project
        self._online = online
        self._on_sent = on_sent
        self._on_error = on_error
        self._boxes: list[Region | None] = []  # from paint events, not yet compared
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._flush)
        layer.events.paint.connect(self._on_paint)

    @property
    def busy(self) -> bool:
        """Paint events wait to be compared."""
        return self._timer.isActive() or bool(self._boxes)

    def detach(self) -> None:
        """Stop listening to the layer (it is being removed)."""
        self._timer.stop()
        self.layer.events.paint.disconnect(self._on_paint)

    def _on_paint(self, event: Any) -> None:
        self._boxes.append(changed_region(getattr(event, "value", None), self.mirror.shape))
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        boxes, self._boxes = self._boxes, []
        if not boxes:
            return
        region = None if any(b is None for b in boxes) else _union(boxes)
        self.push(self.mirror.diff(self.layer.data, region))

    def push(self, change: LabelChange) -> None:
        """Send ``change`` (or keep it for later when offline); the mirror takes it at once, since
        uploads run in order and later diffs must build on it."""
        if change.empty:
            return
        self.mirror.accept(change)
        if not self._online():
            self.unsent.append(change.region)
            return
        project, image = self._project(), self.image

        def failed(exc: BaseException) -> None:
            if is_connection_lost(exc):
                self.unsent.append(change.region)
            self._on_error(exc)

        self._jobs.submit(lambda: change.send(project, image), lambda _: self._on_sent(), failed)

    def push_local(self) -> None:
        """Send every difference between the layer and the mirror (e.g. after napari's undo, which
        emits no paint event)."""
        self.push(self.mirror.diff(self.layer.data))

    def pull(self, server_labels: np.ndarray) -> None:
        """Show the server's labels (after a refresh, or when class indices moved)."""
        self.mirror.replace(server_labels)
        self.layer.data = np.array(server_labels, copy=True)

    def resync(self, server_labels: np.ndarray) -> None:
        """After a reconnect: the server's labels are the truth, plus what was painted while away."""
        self.mirror.replace(server_labels)
        boxes, self.unsent = self.unsent, []
        for box in boxes:
            self.push(self.mirror.diff(self.layer.data, box))


def _union(regions: list[Region]) -> Region:
    """Smallest box holding every box of ``regions``."""
    return tuple(
        slice(min(r[d].start for r in regions), max(r[d].stop for r in regions))
        for d in range(len(regions[0]))
    )
