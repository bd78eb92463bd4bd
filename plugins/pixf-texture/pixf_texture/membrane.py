"""Membrane projections (2D), after the Trainable Weka Segmentation feature of that name.

At scale ``s`` a thin line kernel of half-length ``L = ceil(3 s)`` pixels (weight ``1 - d`` at
distance ``d < 1`` from the line, normalised to sum 1) is rotated through 12 orientations (every
15 degrees); the image is filtered with each, and the 12 responses are summarised per pixel by
their mean, standard deviation, median, maximum and minimum. Thin bright or dark curves (cell
membranes, fibres) give a high maximum and a high standard deviation whatever their direction.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import fft

from .kernels import gaussian_radius

N_ORIENTATIONS = 12
PROJECTIONS = ("mean", "std", "median", "max", "min")


@lru_cache(maxsize=64)
def line_kernels(scale: float) -> tuple[np.ndarray, ...]:
    """The rotated line kernels at ``scale`` (float32, each ``(2L+3, 2L+3)``, summing to 1)."""
    half = gaussian_radius(scale)
    r = half + 1
    y, x = np.mgrid[-r : r + 1, -r : r + 1].astype(np.float64)
    kernels = []
    for k in range(N_ORIENTATIONS):
        theta = math.pi * k / N_ORIENTATIONS
        along = x * math.cos(theta) - y * math.sin(theta)
        across = x * math.sin(theta) + y * math.cos(theta)
        weight = np.clip(1.0 - np.abs(across), 0.0, None) * (np.abs(along) <= half)
        kernels.append((weight / weight.sum()).astype(np.float32))
    return tuple(kernels)


def _line_responses(data: np.ndarray, scale: float, threads: int) -> np.ndarray:
    """``(12, *data.shape)`` float32: ``data`` (mirrored at its edges) filtered with each line kernel.

    One forward FFT of the image serves all 12 kernels (the kernels are symmetric, so
    convolution equals correlation); padding to the full linear size avoids wrap-around.
    """
    kernels = line_kernels(float(scale))
    r = kernels[0].shape[0] // 2
    padded = np.pad(data, r, mode="reflect")  # numpy "reflect" is pixframework's mirror rule
    size = tuple(fft.next_fast_len(n + 2 * r, real=True) for n in padded.shape)
    spectrum = fft.rfft2(padded, s=size, workers=threads)
    h, w = data.shape
    stack = np.empty((len(kernels), h, w), np.float32)
    for k, kernel in enumerate(kernels):
        full = fft.irfft2(spectrum * fft.rfft2(kernel, s=size, workers=threads), s=size, workers=threads)
        stack[k] = full[2 * r : 2 * r + h, 2 * r : 2 * r + w]
    return stack


def membrane_projections(src: Any, scale: float, out: np.ndarray, **_: Any) -> None:
    """``out`` = mean, std, median, max, min over orientations of the line-filtered image (2D)."""
    stack = _line_responses(src.data, scale, int(getattr(src, "threads", 1)))
    np.mean(stack, axis=0, out=out[0])
    np.std(stack, axis=0, out=out[1])
    stack.sort(axis=0)
    middle = N_ORIENTATIONS // 2
    np.add(stack[middle - 1], stack[middle], out=out[2])
    out[2] *= 0.5
    out[3] = stack[-1]
    out[4] = stack[0]


def halo(scale: float, ndim: int) -> int:
    """The kernels' radius ``ceil(3 s) + 1``."""
    return gaussian_radius(scale) + 1


def output_names(ndim: int) -> list[str]:
    return list(PROJECTIONS)
