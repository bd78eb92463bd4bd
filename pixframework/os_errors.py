"""Operating-system failures (and running out of memory) as domain errors with plain messages.

The server's status mapping and the CLI call :func:`as_domain_error` for any exception that is not
already a :class:`~pixframework.errors.PixfError`, so "file name too long", "not a directory",
"permission denied", "disk full" or "address in use" reach the user as what they are instead of
an internal error.
"""

from __future__ import annotations

import errno
from typing import Callable

from .errors import Conflict, LimitExceeded, NotFound, PermissionDenied, PixfError, ValidationError

#: errno -> (domain error, what happened; ``{name}`` is the file)
_BY_ERRNO: dict[int, tuple[type[PixfError], str]] = {
    errno.ENAMETOOLONG: (ValidationError, "the file name {name} is too long: each part of a path may have at most 255 bytes"),
    errno.ENOTDIR: (ValidationError, "{name}: a part of this path is a file, not a folder"),
    errno.EISDIR: (ValidationError, "{name} is a folder, not a file"),
    errno.ELOOP: (ValidationError, "{name}: too many levels of symbolic links"),
    errno.EINVAL: (ValidationError, "{name}: invalid file name or argument"),
    errno.ENOENT: (NotFound, "{name} does not exist"),
    errno.EEXIST: (Conflict, "{name} already exists"),
    errno.ENOTEMPTY: (Conflict, "{name} is a folder that is not empty"),
    errno.EACCES: (PermissionDenied, "permission denied for {name}"),
    errno.EPERM: (PermissionDenied, "operation not permitted on {name}"),
    errno.EROFS: (PermissionDenied, "{name} is on a read-only file system"),
    errno.ENOSPC: (LimitExceeded, "no space left on the device holding {name}"),
    errno.EDQUOT: (LimitExceeded, "disk quota exceeded writing {name}"),
    errno.EFBIG: (LimitExceeded, "{name} would be larger than the file system allows"),
    errno.EMFILE: (LimitExceeded, "too many open files (opening {name})"),
    errno.ENFILE: (LimitExceeded, "too many open files on the system (opening {name})"),
    errno.EADDRINUSE: (Conflict, "the address {name} is already in use (another server?); choose another port"),
    errno.EADDRNOTAVAIL: (ValidationError, "the address {name} does not belong to this machine"),
}


def as_domain_error(exc: BaseException, show: Callable[[str], str] = str) -> PixfError | None:
    """The domain error for an OS failure or exhausted memory, or ``None`` for anything else.

    :param show: how to print a file name (the server shows paths relative to its data root).
    """
    if isinstance(exc, PixfError):
        return exc
    if isinstance(exc, MemoryError):
        return LimitExceeded(
            "not enough memory for this request; ask for less at once (a smaller region or image, fewer features)"
        )
    if isinstance(exc, OSError) and exc.errno in _BY_ERRNO:
        cls, text = _BY_ERRNO[exc.errno]
        name = show(str(exc.filename)) if exc.filename is not None else "the file"
        if exc.filename2 is not None:
            name += f" (and {show(str(exc.filename2))})"
        return cls(text.format(name=repr(name) if exc.filename is not None else name))
    return None
