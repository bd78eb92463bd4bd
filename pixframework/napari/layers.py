"""napari layers the widget shows: the raw image, the labels, and the live prediction.

Prediction layers cover only the predicted region: their data is the region's array and their
``translate`` puts it at the region's place over the image (in the reference layer's world units).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..palette import rgb

Region = tuple[slice, ...]

PREFIX = "pixf"


def layer_axes(layer: Any) -> str:
    """Axes string (``yx``, ``yxc``, ``zyx``, ``zyxc``) of a napari Image layer's data, for ``add_image``."""
    ndim = np.ndim(layer.data)
    if getattr(layer, "rgb", False):
        return "yxc" if ndim == 3 else "zyxc"
    return {2: "yx", 3: "zyx"}.get(ndim, "")


def label_colormap(classes: Sequence[dict[str, Any]]) -> Any:
    """A napari colormap giving each class index its class colour (0 transparent)."""
    from napari.utils.colormaps import DirectLabelColormap

    colors: dict[Any, Any] = {0: "transparent", None: "transparent"}
    for c in classes:
        colors[int(c["index"])] = c["color"]
    return DirectLabelColormap(color_dict=colors)


def class_colormap(classes: Sequence[dict[str, Any]]) -> Any:
    """Colormap for an Image of class indices 0..C with contrast limits ``(0, C + 1)``: index ``k``
    gets class ``k``'s colour, 0 is transparent (steps, no blending between classes)."""
    from napari.utils.colormaps import Colormap

    colors = [[0.0, 0.0, 0.0, 0.0]] + [[*(v / 255 for v in rgb(c["color"])), 1.0] for c in classes]
    controls = np.linspace(0.0, 1.0, len(colors) + 1)
    return Colormap(colors, controls=controls, interpolation="zero", name=f"{PREFIX}-classes-{len(classes)}")


def probability_colormap(name: str, color: str) -> Any:
    """Black to the class colour (used with additive blending, as ilastik overlays probabilities)."""
    from napari.utils.colormaps import Colormap

    r, g, b = (v / 255 for v in rgb(color))
    return Colormap([[0, 0, 0, 1], [r, g, b, 1]], name=f"{PREFIX}-{name}")


def show_image(viewer: Any, name: str, pixels: np.ndarray) -> list[Any]:
    """Add an image read from the server (canonical ``(z)yxc``); returns the layers added.

    One channel shows as a grey image, three as RGB, others as one layer per channel.
    """
    channels = pixels.shape[-1]
    if channels == 1:
        return [viewer.add_image(pixels[..., 0], name=name)]
    if channels == 3:
        return [viewer.add_image(pixels, name=name, rgb=True)]
    added = viewer.add_image(pixels, name=name, channel_axis=-1)
    return list(added) if isinstance(added, (list, tuple)) else [added]


def placement(reference: Any, region: Region) -> dict[str, Any]:
    """``scale`` and ``translate`` that put an array of ``region`` over ``reference``'s data."""
    scale = np.asarray(reference.scale, dtype=float)[-len(region) :]
    translate = np.asarray(reference.translate, dtype=float)[-len(region) :]
    offset = np.array([s.start for s in region], dtype=float)
    return {"scale": scale, "translate": translate + offset * scale}


class PredictionLayers:
    """The live prediction of one image: a probability layer per class, segmentation, uncertainty.

    Layers are created on first use and updated in place afterwards, keeping the user's visibility
    and opacity choices.
    """

    def __init__(self, viewer: Any):
        self.viewer = viewer
        self.layers: dict[str, Any] = {}

    def _alive(self, key: str) -> Any:
        layer = self.layers.get(key)
        if layer is not None and layer in self.viewer.layers:
            return layer
        self.layers.pop(key, None)
        return None

    def update(
        self,
        reference: Any,
        region: Region,
        classes: Sequence[dict[str, Any]],
        probabilities: np.ndarray,
        segmentation: np.ndarray,
        uncertainty: np.ndarray,
    ) -> None:
        """Show a prediction of ``region`` (arrays over the region, probabilities ``(*region, C)``)."""
        where = placement(reference, region)
        active = self.viewer.layers.selection.active  # new layers become active; the brush should stay
        wanted = {f"probability {c['name']}" for c in classes} | {"segmentation", "uncertainty"}
        for key in [k for k in self.layers if k not in wanted]:
            self._remove(key)
        for i, c in enumerate(classes):
            key = f"probability {c['name']}"
            cmap = probability_colormap(c["name"], c["color"])
            self._put_image(
                key, probabilities[..., i], where, colormap=cmap, blending="additive", opacity=0.5
            )
        self._put_image("uncertainty", uncertainty[..., 0], where, colormap="inferno", visible=False)
        # an Image, not a Labels layer: a brush can never pick the (hidden) segmentation as its target
        self._put_image(
            "segmentation", segmentation, where, colormap=class_colormap(classes), opacity=0.4, visible=False,
            contrast_limits=(0, len(classes) + 1), interpolation2d="nearest",
        )  # fmt: skip
        if (
            active is not None
            and active in self.viewer.layers
            and self.viewer.layers.selection.active is not active
        ):
            self.viewer.layers.selection.active = active

    def _put_image(self, key: str, data: np.ndarray, where: dict[str, Any], **style: Any) -> None:
        style.setdefault("contrast_limits", (0.0, 1.0))
        layer = self._alive(key)
        if layer is None:
            self.layers[key] = self.viewer.add_image(data, name=f"{PREFIX} {key}", **where, **style)
            return
        layer.data = data
        layer.scale, layer.translate = where["scale"], where["translate"]
        layer.contrast_limits = style["contrast_limits"]
        if "colormap" in style:
            layer.colormap = style["colormap"]

    def _remove(self, key: str) -> None:
        layer = self._alive(key)
        if layer is not None:
            self.viewer.layers.remove(layer)
        self.layers.pop(key, None)

    def clear(self) -> None:
        """Remove every prediction layer (another image was chosen, or live update was switched off)."""
        for key in list(self.layers):
            self._remove(key)
