"""Label classes and label blocks of an ilastik pixel-classification project.

``PixelClassification/LabelNames`` and ``LabelColors`` hold the classes; ``LabelSets/labelsNNN``
holds one group per lane with ``blockNNNN`` datasets: the non-zero labels of a block, cut to their
bounding box, with a ``blockSlice`` attribute ``"[start:stop,...]"`` placing it in the lane. Blocks
written since ilastik 1.4.0b8 carry ``axistags`` naming their axes; older ones are in the order
ilastik kept labels in when saving (see :func:`saved_label_axes`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import h5py
import numpy as np

from ..errors import CorruptData
from ..palette import default_color
from .axes import LaneLayout, axes_from_axistags, ilastik_label_axes
from .hdf5 import attr_text, dataset, read_numbers, read_texts, reading
from .lanes import numbered

GROUP = "PixelClassification"
_VERSION = re.compile(r"^\s*(\d+)\.(\d+)(?:\.(\d+))?\.?(?:(a|b|rc|post|dev)\.?(\d+))?")
_PHASES = {"dev": 0, "a": 1, "b": 2, "rc": 3, None: 4, "post": 5}
#: ilastik 1.3.3post2 ... 1.4.0b7 saved labels in the lane's original axis order (no axistags on blocks)
_ORIGINAL_ORDER = ((1, 3, 3, 5, 2), (1, 4, 0, 2, 7))


def version_key(text: str | None) -> tuple[int, ...] | None:
    """Comparable key of an ilastik version (``"1.4.0b7"``, ``"1.3.3post2"``), ``None`` if unparsable."""
    match = _VERSION.match(text or "")
    if match is None:
        return None
    major, minor, patch, phase, number = match.groups()
    return (int(major), int(minor), int(patch or 0), _PHASES[phase], int(number or 0))


def read_classes(ilp: h5py.File) -> tuple[list[str] | None, list[str] | None]:
    """Class names and ``#rrggbb`` colours; ``None`` for what the project does not store."""
    group = ilp.get(GROUP)
    if not isinstance(group, h5py.Group):
        return None, None
    names_ds = dataset(group, "LabelNames")
    names = None
    if names_ds is not None:
        empty = bool(names_ds.attrs.get("isEmpty", False))
        names = [] if empty else read_texts(names_ds)
    colors_ds = dataset(group, "LabelColors")
    colors = None
    if colors_ds is not None and not bool(colors_ds.attrs.get("isEmpty", False)):
        colors = [_color(c, colors_ds.name) for c in _color_rows(read_numbers(colors_ds, "iu"))]
    return names, colors


def _color_rows(values: np.ndarray) -> list[np.ndarray]:
    if values.ndim == 2 and values.shape[1] in (3, 4):
        return list(values[:, :3])
    if values.ndim == 1:  # packed 0xAARRGGBB (Qt's QRgb)
        return [np.array([(v >> 16) & 255, (v >> 8) & 255, v & 255]) for v in values.astype(np.int64)]
    raise CorruptData(f"label colours have shape {values.shape}; expected (classes, 3)")


def _color(rgb: np.ndarray, what: str) -> str:
    if np.any(rgb < 0) or np.any(rgb > 255):
        raise CorruptData(f"{what}: colour {rgb.tolist()} is outside 0..255")
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in rgb))


def class_list(
    names: list[str] | None, colors: list[str] | None, max_label: int
) -> tuple[list[tuple[str, str]], list[str]]:
    """``(name, colour)`` per class, filling in what ilastik would (``Label N``), and notes about it."""
    notes = []
    if not names:
        names = [f"Label {k}" for k in range(1, max_label + 1)]
        if names:
            notes.append(
                f"the project stores no class names; named them {', '.join(names)} (as ilastik does)"
            )
    if colors is None or len(colors) < len(names):
        colors = list(colors or []) + [default_color(i) for i in range(len(colors or []), len(names))]
    seen: dict[str, int] = {}
    classes = []
    for name, color in zip(names, colors):
        unique = name if name.strip() else "unnamed"
        if unique in seen:
            seen[unique] += 1
            unique = f"{unique} ({seen[unique]})"
            notes.append(f"class name {name!r} is used twice; the second one is called {unique!r}")
        seen.setdefault(unique, 1)
        classes.append((unique, color))
    return classes, notes


def label_sets(ilp: h5py.File) -> dict[int, h5py.Group]:
    """Lane index -> its ``labelsNNN`` group (position in numeric order, as ilastik reads them)."""
    group = ilp.get(f"{GROUP}/LabelSets")
    if not isinstance(group, h5py.Group):
        return {}
    sets = {}
    for position, (_, name) in enumerate(numbered(group)):
        member = group[name]
        if not isinstance(member, h5py.Group):
            raise CorruptData(f"{member.name} should be a group of label blocks")
        sets[position] = member
    return sets


@dataclass(frozen=True)
class Block:
    """One stored label block, moved to pixframework's axes.

    :param offset: position of ``labels`` in the image, spatial ``(z)yx`` pixels.
    :param labels: class indices (0 = unlabelled), spatial ``(z)yx``.
    """

    name: str
    offset: tuple[int, ...]
    labels: np.ndarray


def parse_block_slice(text: str, what: str) -> tuple[slice, ...]:
    """``"[0:1,10:50,20:80,0:1]"`` -> slices (start and stop required, step 1)."""
    body = text.strip()
    if not (body.startswith("[") and body.endswith("]")):
        raise CorruptData(f"{what}: blockSlice {text!r} is not of the form [start:stop,...]")
    slices = []
    for part in body[1:-1].split(","):
        ends = part.split(":")
        try:
            start, stop = (int(e) for e in ends)
        except ValueError:
            raise CorruptData(f"{what}: blockSlice {text!r} is not of the form [start:stop,...]") from None
        slices.append(slice(start, stop))
    return tuple(slices)


def saved_label_axes(
    block: h5py.Dataset, lane_axes: str, lane_shape: tuple[int, ...], version: str | None
) -> str:
    """Axis order a block was saved in: its own ``axistags``; else the lane's original order for
    ilastik 1.3.3post2 ... 1.4.0b7; else ilastik's channel-last order for the lane."""
    tags = attr_text(block, "axistags")
    if tags is not None:
        return axes_from_axistags(tags, block.name)
    key = version_key(version)
    if key is not None and _ORIGINAL_ORDER[0] <= key <= _ORIGINAL_ORDER[1]:
        return lane_axes
    return ilastik_label_axes(lane_axes, lane_shape)


def read_blocks(group: h5py.Group, layout: LaneLayout, version: str | None, what: str) -> Iterator[Block]:
    """The blocks of one lane's label set, checked against the lane and converted to spatial axes.

    :raises CorruptData: a block outside the image, a block whose data does not match its
        ``blockSlice`` (truncated), non-integer labels, or a block that is not a dataset.
    """
    for name in sorted(group):
        item = group[name]
        if not isinstance(item, h5py.Dataset):
            raise CorruptData(
                f"{item.name}: label block is not a dataset (masked label blocks are not supported)"
            )
        text = attr_text(item, "blockSlice")
        if text is None:
            raise CorruptData(f"{item.name}: label block without a blockSlice attribute")
        slicing = parse_block_slice(text, item.name)
        axes = saved_label_axes(item, layout.axes, layout.shape, version)
        yield _to_spatial(item, slicing, axes, layout, what)


def _to_spatial(
    item: h5py.Dataset, slicing: tuple[slice, ...], axes: str, layout: LaneLayout, what: str
) -> Block:
    if len(slicing) != len(axes):
        raise CorruptData(
            f"{item.name}: blockSlice has {len(slicing)} entries but the labels of {what} have axes {axes!r}"
        )
    extents = []
    for letter, sl in zip(axes, slicing):
        size = 1 if letter == "c" else layout.size(letter)  # labels have one channel
        if not 0 <= sl.start < sl.stop <= size:
            raise CorruptData(
                f"{item.name}: blockSlice [{sl.start}:{sl.stop}] along {letter} is outside the image "
                f"({what} has {size} pixel{'s' if size != 1 else ''} along {letter})"
            )
        extents.append(sl.stop - sl.start)
    if tuple(item.shape) != tuple(extents):
        raise CorruptData(
            f"{item.name}: holds shape {tuple(item.shape)} but its blockSlice needs {tuple(extents)} "
            "(truncated or damaged label block)"
        )
    if item.dtype.kind not in "biu":
        raise CorruptData(f"{item.name}: labels must be integers, found dtype {item.dtype}")
    with reading(item.name):
        data = np.asarray(item[()])
    missing = set(layout.spatial) - set(axes)
    if missing:
        raise CorruptData(f"{item.name}: label axes {axes!r} lack {''.join(sorted(missing))}")
    # all non-spatial axes have extent 1 here (checked above), so index them away
    index = tuple(slice(None) if a in layout.spatial else 0 for a in axes)
    kept = [a for a in axes if a in layout.spatial]
    data = np.transpose(data[index], [kept.index(a) for a in layout.spatial])
    offset = tuple(slicing[axes.index(a)].start for a in layout.spatial)
    return Block(item.name, offset, data)
