"""An independent brush: which pixels a stroke paints, pixel by pixel in plain Python.

The definition (docs/project.md, "Brush strokes"): pixel ``i`` has its centre at coordinate ``i``;
a pixel is painted when its centre lies within ``radius`` of the polyline through the points
(the distance to the nearest point of any segment), and the pixel under each point (the one whose
``[i - 0.5, i + 0.5)`` cell holds it) is always painted. Written from that sentence, slowly and
without numpy tricks, as the oracle for :func:`pixframework.painting.stroke_mask`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np


def _distance_to_segment(p: Sequence[float], a: Sequence[float], b: Sequence[float]) -> float:
    ab = [bi - ai for ai, bi in zip(a, b)]
    length2 = sum(v * v for v in ab)
    t = 0.0 if length2 == 0 else sum((pi - ai) * v for pi, ai, v in zip(p, a, ab)) / length2
    t = min(1.0, max(0.0, t))
    nearest = [ai + t * v for ai, v in zip(a, ab)]
    return math.sqrt(sum((pi - ni) ** 2 for pi, ni in zip(p, nearest)))


def brush_pixels(points: Sequence[Sequence[float]], radius: float, shape: Sequence[int]) -> np.ndarray:
    """Boolean mask over the whole image of the pixels the stroke paints."""
    points = [[float(v) for v in p] for p in points]
    segments = list(zip(points[:-1], points[1:])) or [(points[0], points[0])]
    painted = np.zeros(tuple(shape), bool)
    reach = [range(max(0, math.floor(min(p[d] for p in points) - radius) - 1),
                   min(n, math.ceil(max(p[d] for p in points) + radius) + 2)) for d, n in enumerate(shape)]  # fmt: skip
    for pixel in itertools.product(*reach):
        if any(_distance_to_segment(pixel, a, b) <= radius + 1e-9 for a, b in segments):
            painted[pixel] = True
    for p in points:
        under = tuple(math.floor(v + 0.5) for v in p)
        if all(0 <= i < n for i, n in zip(under, shape)):
            painted[under] = True
    return painted
