"""Prediction outputs derived from probabilities, and export file naming."""

from __future__ import annotations

import numpy as np

from .errors import ValidationError

OUTPUTS = ("probabilities", "segmentation", "uncertainty")
#: ilastik's {result_type} names, so existing output templates keep producing the same file names
RESULT_TYPE = {"probabilities": "Probabilities", "segmentation": "Simple Segmentation", "uncertainty": "Uncertainty"}


def check_output(output: str) -> str:
    if output not in OUTPUTS:
        raise ValidationError(f"unknown output {output!r}; choose one of {', '.join(OUTPUTS)}")
    return output


def segmentation(probabilities: np.ndarray) -> np.ndarray:
    """Class index ``1..C`` of the most probable class (``(..., C)`` -> ``(...)``, uint8 or uint16)."""
    n = probabilities.shape[-1]
    dtype = np.uint8 if n < 255 else np.uint16
    return (np.argmax(probabilities, axis=-1) + 1).astype(dtype)


def uncertainty(probabilities: np.ndarray) -> np.ndarray:
    """ilastik's uncertainty: ``1 - (p_first - p_second)``, one float32 channel (``(..., 1)``)."""
    if probabilities.shape[-1] < 2:
        return np.zeros(probabilities.shape[:-1] + (1,), np.float32)
    top2 = np.partition(probabilities, -2, axis=-1)[..., -2:]
    return (1.0 - (top2[..., 1] - top2[..., 0]))[..., np.newaxis].astype(np.float32)


def class_probabilities(proba: np.ndarray, model_classes: tuple[int, ...], n_classes: int) -> np.ndarray:
    """Spread a model's probability columns (one per label value it saw) over the project's classes 1..C.

    Classes the model never saw get probability 0.
    """
    result = np.zeros((proba.shape[0], n_classes), np.float32)
    for column, value in enumerate(model_classes):
        if 1 <= value <= n_classes:
            result[:, value - 1] = proba[:, column]
    return result


def derive(probabilities: np.ndarray, output: str) -> np.ndarray:
    """The requested output computed from class probabilities ``(..., C)``."""
    check_output(output)
    if output == "probabilities":
        return probabilities
    if output == "segmentation":
        return segmentation(probabilities)
    return uncertainty(probabilities)


def export_dtype(dtype: str | np.dtype | None) -> str | None:
    """The numpy name of the pixel type an export is converted to (``None``: the output's own type).

    :raises ValidationError: not a numpy type, or not an integer or float type.
    """
    if dtype is None:
        return None
    try:
        checked = np.dtype(dtype)
    except TypeError:
        raise ValidationError(f"{dtype!r} is not a pixel type; use e.g. uint8, uint16 or float32") from None
    if checked.kind not in "uif":
        raise ValidationError(f"cannot export to pixel type {checked}; use an integer or float type (uint8, float32, ...)")
    return checked.name


def convert_dtype(array: np.ndarray, output: str, dtype: str | np.dtype | None) -> np.ndarray:
    """Cast an output for export; probabilities/uncertainty to uint8 are scaled 0..1 -> 0..255."""
    if dtype is None:
        return array
    dtype = np.dtype(dtype)
    if output in ("probabilities", "uncertainty") and dtype.kind in "ui":
        top = min(np.iinfo(dtype).max, 255 if dtype.itemsize == 1 else 65535)
        return np.clip(np.rint(array * top), 0, top).astype(dtype)
    if output == "segmentation" and dtype.kind in "ui" and array.max(initial=0) > np.iinfo(dtype).max:
        raise ValidationError(f"segmentation has class indices above what {dtype} can hold")
    if dtype.kind not in "uif":
        raise ValidationError(f"cannot export to dtype {dtype}")
    return array.astype(dtype)


PLACEHOLDERS = ("dataset_dir", "nickname", "result_type")


def _placeholder_help() -> str:
    return ", ".join("{" + name + "}" for name in PLACEHOLDERS) + "; write {{ and }} for literal braces"


def parse_template(template: str) -> list[tuple[str, bool]]:
    """Split an export path template into ``(text, is_placeholder)`` parts.

    ``{name}`` is a placeholder (one of :data:`PLACEHOLDERS`), ``{{`` and ``}}`` are literal braces,
    a lone ``}`` is literal too.

    :raises ValidationError: an unclosed ``{`` or an unknown placeholder, saying where.
    """
    if not isinstance(template, str) or not template:
        raise ValidationError("the export path is empty; give a file name, e.g. '{nickname}_{result_type}.tif'")
    parts: list[tuple[str, bool]] = []
    text: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch in "{}" and template.startswith(ch * 2, i):
            text.append(ch)
            i += 2
        elif ch == "{":
            end = template.find("}", i + 1)
            name = template[i + 1 : end] if end >= 0 else ""
            if end < 0 or "{" in name:
                raise ValidationError(
                    f"the export path {template!r} has a '{{' at character {i + 1} without a closing '}}'; "
                    f"placeholders are {_placeholder_help()}"
                )
            if name not in PLACEHOLDERS:
                raise ValidationError(
                    f"unknown placeholder {{{name}}} in the export path {template!r}; use {_placeholder_help()}"
                )
            if text:
                parts.append(("".join(text), False))
                text = []
            parts.append((name, True))
            i = end + 1
        else:
            text.append(ch)
            i += 1
    if text:
        parts.append(("".join(text), False))
    return parts


def render_template(template: str, *, dataset_dir: str, nickname: str, output: str) -> str:
    """Fill ilastik's export placeholders ``{dataset_dir}``, ``{nickname}``, ``{result_type}``.

    Rendered once: values are inserted literally, so an image called ``br{ace`` is fine and a
    value can never introduce another placeholder.
    """
    values = {"dataset_dir": dataset_dir, "nickname": nickname, "result_type": RESULT_TYPE[check_output(output)]}
    return "".join(values[text] if is_placeholder else text for text, is_placeholder in parse_template(template))
