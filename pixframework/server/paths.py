"""Client-given paths, resolved safely inside the server's data root."""

from __future__ import annotations

from pathlib import Path, PurePath

from ..errors import PermissionDenied, ValidationError


def resolve_in_root(root: Path, path: str, *, what: str = "path") -> Path:
    """The real location of ``path`` (relative to ``root``), refusing anything that leaves the root.

    Absolute paths are accepted only when they lie inside the root. Any ``..`` component is refused
    outright (even one that would stay inside), and symlinks are followed before the check, so a
    link pointing out of the root is refused too. Parts after a container file that do not exist
    on disk (``stack.h5/volumes/raw``) are kept as given.

    :raises ValidationError: empty path or a NUL character.
    :raises PermissionDenied: ``..``, or a location outside the data root.
    """
    if not isinstance(path, str) or not path.strip():
        raise ValidationError(f"{what} is empty; give a path relative to the server's data root")
    if "\x00" in path:
        raise ValidationError(f"{what} {path!r} contains a NUL character")
    if ".." in PurePath(path).parts:
        raise PermissionDenied(f"{what} {path!r} may not contain '..'; give a path inside the server's data root")
    real_root = Path(root).resolve()
    given = Path(path)
    real = (given if given.is_absolute() else real_root / given).resolve()
    if not real.is_relative_to(real_root):
        raise PermissionDenied(f"{what} {path!r} is outside the server's data root")
    return real


def relative_to_root(root: Path, path: str | Path) -> str:
    """``path`` relative to the data root with ``/`` separators (as clients name it)."""
    real_root = Path(root).resolve()
    target = Path(path).resolve()
    return target.relative_to(real_root).as_posix() if target.is_relative_to(real_root) else str(path)
