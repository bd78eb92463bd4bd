"""Tie a napari Labels layer to the labels of one project image on the server.

napari emits a paint event *before* it writes the pixels of a single click, so the link notes the
changed box and compares layer and mirror at the next turn of the main loop; that also merges a
burst of events into one upload. Uploads run on the model's job queue, in order.

The layer only ever shows what the server has or will have:

- values that are not a class of the project (napari lets the brush take any number) are taken
  out of the layer at once and reported, never sent;
- a change the server refuses is undone in the layer (the server's labels of that box are read
  back);
- boxes that could not be sent because the server was away are remembered and sent again by
  :meth:`LabelLink.resync` once it is back, on top of the server's labels at that moment.

No Qt here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .connection import is_connection_lost
from .jobs import JobQueue
from .label_sync import LabelChange, LabelMirror, Region, changed_region
from .loop import MainLoop, Timer


class LabelLink:
    """One Labels layer <-> one image's labels on the server.

    :param layer: the napari Labels layer the user paints in (data over spatial axes ``(z)yx``).
    :param image: the project image name.
    :param server_labels: the image's labels as the server has them now.
    :param project: returns the current :class:`~pixframework.client.RemoteProject` (it changes on reconnect).
    :param online: returns whether the server is believed reachable.
    :param n_classes: returns how many classes the project has (label values 1..n are classes).
    :param on_sent: called on the main thread after a change reached the server.
    :param on_error: called on the main thread with an exception from a failed upload.
    :param on_not_a_class: called with the label values removed because they are not classes.
    """

    def __init__(
        self,
        layer: Any,
        image: str,
        server_labels: np.ndarray,
        jobs: JobQueue,
        loop: MainLoop,
        *,
        project: Callable[[], Any],
        online: Callable[[], bool],
        n_classes: Callable[[], int],
        on_sent: Callable[[], None],
        on_error: Callable[[BaseException], None],
        on_not_a_class: Callable[[list[int]], None],
    ) -> None:
        self.layer = layer
        self.image = image
        self.mirror = LabelMirror(server_labels)
        self.unsent: list[Region] = []  # boxes whose changes did not reach the server
        self._jobs, self._loop = jobs, loop
        self._project, self._online, self._n_classes = project, online, n_classes
        self._on_sent, self._on_error, self._on_not_a_class = on_sent, on_error, on_not_a_class
        self._boxes: list[Region | None] = []  # from paint events, not yet compared
        self._timer: Timer | None = None
        layer.events.paint.connect(self._on_paint)

    @property
    def busy(self) -> bool:
        """Paint events wait to be compared."""
        return self._timer is not None or bool(self._boxes)

    def detach(self) -> None:
        """Stop listening to the layer (it is being removed)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.layer.events.paint.disconnect(self._on_paint)

    def _on_paint(self, event: Any) -> None:
        self._boxes.append(changed_region(getattr(event, "value", None), self.mirror.shape))
        if self._timer is None:
            self._timer = self._loop.call_later(0, self._flush)

    def _flush(self) -> None:
        self._timer = None
        boxes, self._boxes = self._boxes, []
        if not boxes:
            return
        region = None if any(b is None for b in boxes) else _union(boxes)
        self.push(self.mirror.diff(self.layer.data, region))

    def push(self, change: LabelChange) -> None:
        """Send ``change`` (or keep it for later when offline); the mirror takes it at once, since
        uploads run in order and later diffs must build on it."""
        change = self._without_unknown_classes(change)
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
            else:
                self._undo_refused(project, change.region)
            self._on_error(exc)

        self._jobs.submit(lambda: change.send(project, image), lambda _: self._on_sent(), failed)

    def _without_unknown_classes(self, change: LabelChange) -> LabelChange:
        """Take label values above the class count out of the layer and of ``change``."""
        if change.paint is None:
            return change
        unknown = change.paint > self._n_classes()
        if not unknown.any():
            return change
        values = sorted(int(v) for v in np.unique(change.paint[unknown]))
        view = self.layer.data[change.region]
        view[unknown] = self.mirror.labels[change.region][unknown]
        self.layer.refresh()
        change.paint = np.where(unknown, 0, change.paint)
        if not change.paint.any():
            change.paint = None
        self._on_not_a_class(values)
        return change

    def _undo_refused(self, project: Any, region: Region) -> None:
        """Show the server's labels again where it refused a change."""
        image = self.image
        self._jobs.submit(
            lambda: project.get_labels(image, region=region),
            lambda labels: self._restore(region, labels),
        )

    def _restore(self, region: Region, server: np.ndarray) -> None:
        # pixels changed again since (layer != mirror) keep the newer value and are diffed later
        untouched = self.layer.data[region] == self.mirror.labels[region]
        self.mirror.labels[region] = server
        np.copyto(self.layer.data[region], server, where=untouched)
        self.layer.refresh()

    def apply_patch(self, region: Region, patch: np.ndarray) -> None:
        """The server's labels of ``region`` changed (an event): show them where nothing waits to be sent."""
        if self.mirror.apply_patch(region, patch, self.layer.data):
            self.layer.refresh()

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
