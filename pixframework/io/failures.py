"""Turn library exceptions raised while reading or writing image files into domain errors.

Format modules wrap every call into tifffile, zarr, h5py, OpenCV, Pillow or numpy with
:func:`reading` or :func:`writing`, so a bad file never leaks a raw library exception: the
caller sees :class:`~pixframework.errors.NotFound`, :class:`~pixframework.errors.CorruptData`,
:class:`~pixframework.errors.ValidationError`, ... naming the path and the underlying reason.
"""

from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from typing import Callable, ContextManager, Iterator

from ..errors import (
    CorruptData,
    LimitExceeded,
    NotFound,
    PermissionDenied,
    PixfError,
    ValidationError,
)

_MAX_REASON = 300
_NEEDS_CODECS = "imagecodecs"


def reason(exc: BaseException) -> str:
    """A one-line description of ``exc`` (type and message, shortened)."""
    text = " ".join(str(exc).split()) or "no details"
    if len(text) > _MAX_REASON:
        text = text[: _MAX_REASON - 3] + "..."
    return f"{type(exc).__name__}: {text}"


def require_existing(path: str, what: str = "image file") -> None:
    """Raise :class:`NotFound` unless ``path`` exists (file or directory)."""
    if not os.path.exists(path):
        raise NotFound(f"{what} not found: {path!r}")


def read_failure(path: str, exc: Exception, action: str = "read") -> PixfError:
    """The domain error for ``exc`` raised while reading ``path``."""
    if isinstance(exc, PixfError):
        return exc
    if isinstance(exc, PermissionError):
        return PermissionDenied(f"cannot {action} {path!r}: permission denied")
    if isinstance(exc, FileNotFoundError) and not os.path.exists(path):
        return NotFound(f"image file not found: {path!r}")
    if _NEEDS_CODECS in str(exc):
        return ValidationError(
            f"cannot {action} {path!r}: its compression needs the optional package 'imagecodecs' "
            f"(pip install imagecodecs); {reason(exc)}"
        )
    return CorruptData(
        f"cannot {action} {path!r}: the file is damaged or not in the expected format ({reason(exc)})"
    )


def write_failure(path: str, exc: Exception, action: str = "write") -> PixfError:
    """The domain error for ``exc`` raised while writing ``path``."""
    if isinstance(exc, PixfError):
        return exc
    if isinstance(exc, PermissionError):
        return PermissionDenied(f"cannot {action} {path!r}: permission denied")
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return LimitExceeded(f"cannot {action} {path!r}: no space left on the device")
    if isinstance(exc, (NotADirectoryError, IsADirectoryError)):
        return ValidationError(f"cannot {action} {path!r}: a file or directory is in the way ({reason(exc)})")
    return ValidationError(f"cannot {action} {path!r}: {reason(exc)}")


@contextmanager
def _translated(
    path: str, action: str, failure: Callable[[str, Exception, str], PixfError]
) -> Iterator[None]:
    try:
        yield
    except MemoryError:
        raise
    except Exception as exc:
        error = failure(path, exc, action)
        if error is exc:
            raise
        raise error from exc


def reading(path: str, action: str = "read") -> ContextManager[None]:
    """Context in which any exception becomes the matching domain error for reading ``path``."""
    return _translated(path, action, read_failure)


def writing(path: str, action: str = "write") -> ContextManager[None]:
    """Context in which any exception becomes the matching domain error for writing ``path``."""
    return _translated(path, action, write_failure)
