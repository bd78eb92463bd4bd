"""Names and path text given by users, checked once where they enter pixframework.

Image and class names end up in file names (``{nickname}`` in export templates), in JSON and on
screens, so they must be one path component: no separators, no ``.``/``..``, no control
characters, at most 255 bytes (the file-name limit of common file systems). Paths (of projects
and images) are checked for the same reasons component by component.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import ValidationError

#: bytes in one file-name component on ext4, XFS, APFS, NTFS (UTF-8 encoded)
MAX_NAME_BYTES = 255
#: bytes in a whole path (Linux PATH_MAX)
MAX_PATH_BYTES = 4096
# control characters, format characters (bidi overrides that make names read differently),
# line/paragraph separators, surrogates
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def _bad_character(text: str) -> str | None:
    for ch in text:
        if unicodedata.category(ch) in _INVISIBLE:
            return f"U+{ord(ch):04X}"
    return None


def check_name(name: object, what: str) -> str:
    """``name`` if it is a valid image or class name, else a :class:`ValidationError` saying why.

    :param what: ``"image name"``, ``"class name"``: how the message names it.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"{what} must be a non-empty text, got {name!r}")
    if name != name.strip():
        raise ValidationError(f"{what} {name!r} starts or ends with spaces; remove them")
    bad = _bad_character(name)
    if bad is not None:
        raise ValidationError(f"{what} {name!r} contains the invisible or control character {bad}")
    if "/" in name or "\\" in name:
        raise ValidationError(f"{what} {name!r} may not contain '/' or '\\' (names become parts of file names)")
    if set(name) == {"."}:
        raise ValidationError(f"{what} {name!r} may not consist of dots only")
    size = len(name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        raise ValidationError(f"{what} is {size} bytes long (UTF-8); at most {MAX_NAME_BYTES} are allowed")
    return name


def name_from_stem(stem: str, fallback: str) -> str:
    """A valid name made from a file name stem (control characters replaced, shortened), or ``fallback``."""
    text = "".join("_" if unicodedata.category(ch) in _INVISIBLE else ch for ch in stem).strip()
    text = re.sub(r"[/\\]", "_", text)
    while len(text.encode("utf-8")) > MAX_NAME_BYTES:
        text = text[:-1]
    return text if text and set(text) != {"."} else fallback


def check_path_text(path: object, what: str) -> str:
    """``path`` if its text can name a file: non-empty, no control characters, components of at
    most 255 bytes and the whole at most 4096 bytes (checked before the file system is asked).
    """
    if not isinstance(path, str) or not path.strip():
        raise ValidationError(f"{what} is empty; give a path")
    bad = _bad_character(path)
    if bad is not None:
        raise ValidationError(f"{what} {path!r} contains the control character {bad}")
    size = len(path.encode("utf-8"))
    if size > MAX_PATH_BYTES:
        raise ValidationError(f"{what} is {size} bytes long; at most {MAX_PATH_BYTES} are allowed")
    for part in re.split(r"[/\\]", path):
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            raise ValidationError(
                f"{what} has a component of {len(part.encode('utf-8'))} bytes ({part[:40]}...); "
                f"file systems allow at most {MAX_NAME_BYTES}"
            )
    return path
