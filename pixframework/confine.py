"""Confinement: every file the server reads or writes stays inside its data root.

One :class:`Confinement` (a root directory) answers every question of the kind "may this path be
touched?": paths clients name (projects, images, export templates after rendering), paths that
files point to (HDF5 external links, external storage, virtual datasets; zarr chunks and folders
that are symbolic links; files a TIFF references), and the paths a project file records.

How it is enforced:

- :meth:`Confinement.resolve` turns a client path into a real path (symlinks followed) inside
  the root, or refuses it; :meth:`Confinement.check` does the same for a path found in a file.
- While a confinement is *applied* (:func:`applied`, a context variable, so it follows a call into
  asyncio tasks and :func:`asyncio.to_thread` as zarr uses them), a Python audit hook checks every
  file the process opens, lists, renames or deletes from Python code: a symlinked zarr chunk or a
  plugin format following a reference cannot read outside the root even if it never asks. Code
  loading (imports, byte-code caches) and the interpreter's own installation are exempt.
- C libraries that open files themselves (HDF5) ask :func:`check_file` explicitly.

Embedded use (CLI, Python) applies no confinement: there the user's own permissions are the limit.
"""

from __future__ import annotations

import contextvars
import importlib
import os
import site
import sys
import threading
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import Any, Iterator

from .errors import PermissionDenied, ValidationError
from .names import check_path_text

PROJECT_SUFFIX = ".pixf"

_active: contextvars.ContextVar["Confinement | None"] = contextvars.ContextVar("pixf_confinement", default=None)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class Confinement:
    """Paths kept inside ``root`` (which must exist); see the module docstring."""

    def __init__(self, root: str | os.PathLike):
        real = Path(root).resolve()
        if not real.is_dir():
            raise ValidationError(f"data root {root} is not a directory")
        self.root = real
        _install_audit_hook()

    def __repr__(self) -> str:
        return f"Confinement({str(self.root)!r})"

    def contains(self, path: str | os.PathLike) -> bool:
        """Whether the real location of ``path`` (symlinks followed) is the root or below it."""
        return _inside(os.path.realpath(path), str(self.root))

    def resolve(self, path: object, what: str = "path") -> Path:
        """The real location of a path a client named (relative to the root, or absolute inside it).

        Any ``..`` component is refused outright (even one that would stay inside). Parts after a
        container file that do not exist on disk (``stack.h5/volumes/raw``) are kept as given.

        :raises ValidationError: empty path, control characters, over-long components.
        :raises PermissionDenied: ``..``, or a location outside the data root.
        """
        text = check_path_text(path, what)
        if ".." in PurePath(text).parts:
            raise PermissionDenied(f"{what} {text!r} may not contain '..'; give a path inside the server's data root")
        given = Path(text)
        real = (given if given.is_absolute() else self.root / given).resolve()
        if not _inside(str(real), str(self.root)):
            raise PermissionDenied(f"{what} {text!r} is outside the server's data root")
        return real

    def check(self, path: str | os.PathLike, what: str = "path") -> Path:
        """The real location of ``path`` (relative paths are taken relative to the root), or
        :class:`PermissionDenied` if it is outside the root."""
        given = Path(path)
        real = (given if given.is_absolute() else self.root / given).resolve()
        if not _inside(str(real), str(self.root)):
            raise PermissionDenied(f"{what} {self.relative(path)!r} is outside the server's data root")
        return real

    def relative(self, path: str | os.PathLike) -> str:
        """``path`` relative to the root with ``/`` separators (as clients name it); outside paths
        are shown by their file name only, so messages never reveal the server's layout."""
        target = Path(os.path.realpath(path))
        if _inside(str(target), str(self.root)):
            return target.relative_to(self.root).as_posix() or "."
        return f".../{target.name}"

    def project_dir(self, path: object) -> Path:
        """The directory of a project a client names (``.pixf`` appended when missing): strictly
        inside the root, so creating, overwriting or opening it never touches the root or its parent.

        :raises PermissionDenied: the root itself, anything beside it, or outside it.
        """
        text = check_path_text(path, "project path").rstrip("/")
        if not text or PurePath(text).name in ("", ".", ".."):
            raise PermissionDenied(
                f"project path {path!r} names the data root itself; give a project name such as 'cells.pixf'"
            )
        if not text.endswith(PROJECT_SUFFIX):
            text += PROJECT_SUFFIX
        real = self.resolve(text, "project path")
        if real == self.root:
            raise PermissionDenied(f"project path {path!r} names the data root itself")
        return real


# --------------------------------------------------------------------------- applying a confinement


def current() -> Confinement | None:
    """The confinement applied to the running call, or ``None`` (embedded use)."""
    return _active.get()


@contextmanager
def applied(confinement: Confinement | None) -> Iterator[None]:
    """Apply ``confinement`` for the duration of the block (``None`` keeps whatever applies now)."""
    if confinement is None:
        yield
        return
    token = _active.set(confinement)
    try:
        yield
    finally:
        _active.reset(token)


def check_file(path: str | os.PathLike, what: str) -> None:
    """Refuse ``path`` if a confinement applies and the path leaves it (no-op otherwise).

    For code whose file access the audit hook cannot see (C libraries such as HDF5).
    """
    confinement = _active.get()
    if confinement is not None:
        confinement.check(path, what)


# --------------------------------------------------------------------------- the audit hook

#: audit events that touch a path, and the positions of their path arguments
_PATH_EVENTS: dict[str, tuple[int, ...]] = {
    "open": (0,),
    "os.listdir": (0,),
    "os.scandir": (0,),
    "os.rename": (0, 1),
    "os.remove": (0,),
    "os.mkdir": (0,),
    "os.rmdir": (0,),
    "os.link": (0, 1),
    "os.symlink": (1,),
    "os.truncate": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.utime": (0,),
    "shutil.rmtree": (0,),
    "shutil.copyfile": (0, 1),
    "shutil.copytree": (0, 1),
    "shutil.move": (0, 1),
}
# events whose trailing dir_fd arguments make their paths relative to a descriptor (already checked)
_DIR_FD_AT = {"os.remove": 1, "os.mkdir": 2, "os.rmdir": 1, "os.rename": 2, "os.link": 2, "os.symlink": 2,
              "shutil.rmtree": 1}  # fmt: skip
#: system files libraries read on their own (CPU counts, cgroup quotas); never /proc/<pid>, whose
#: environ and cmdline could hold the server's secrets
_SYSTEM_FILES = ("/dev/null", "/dev/urandom", "/proc/cpuinfo", "/proc/meminfo", "/sys/fs/cgroup", "/sys/devices/system/cpu")

_hook_lock = threading.Lock()
_hook_installed = False
_runtime: tuple[int, tuple[str, ...]] = (-1, ())


def _runtime_locations() -> tuple[str, ...]:
    """Where the interpreter and the imported packages live (cached until more modules are imported)."""
    global _runtime
    count = len(sys.modules)
    if _runtime[0] == count:
        return _runtime[1]
    places = {sys.prefix, sys.base_prefix, sys.exec_prefix, *_SYSTEM_FILES}
    try:
        places.update(site.getsitepackages())
        places.add(site.getusersitepackages())
    except AttributeError:  # virtualenvs with an old site.py
        pass
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None)
        if "." in name or not where:
            continue
        # a package is its directory, a plain module only its own file
        places.add(os.path.dirname(where) if os.path.basename(where).startswith("__init__.") else where)
    resolved = tuple(sorted({os.path.realpath(p) for p in places if p}))
    _runtime = (count, resolved)
    return resolved


_IMPORTLIB = os.path.dirname(importlib.__file__) + os.sep


def _loading_code() -> bool:
    """Whether the running code is importing a module or reading package metadata: the import
    system reads sources, writes byte-code caches and scans ``sys.path`` for entry points, and
    modules read their own data (e.g. time zones) while being imported."""
    frame = sys._getframe(2)
    for _ in range(256):
        if frame is None:
            return False
        name = frame.f_code.co_filename
        if name.startswith("<frozen importlib") or name.startswith(_IMPORTLIB):
            return True
        frame = frame.f_back
    return False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    positions = _PATH_EVENTS.get(event)
    if positions is None:
        return
    confinement = _active.get()
    if confinement is None:
        return
    fd_at = _DIR_FD_AT.get(event)
    if fd_at is not None and any(isinstance(a, int) and a >= 0 for a in args[fd_at:]):
        return  # relative to an open directory, whose own path was checked when it was opened
    for position in positions:
        if position >= len(args):
            continue
        raw = args[position]
        if raw is None or isinstance(raw, int):
            continue  # a file descriptor: opened (and checked) before
        if event == "open" and args[1] is None and not os.path.isabs(os.fsdecode(raw)):
            continue  # os.open of a name relative to a directory descriptor (shutil.rmtree's walk)
        try:
            real = os.path.realpath(os.fsdecode(raw))
        except (TypeError, ValueError):
            continue
        root = str(confinement.root)
        if _inside(real, root) or any(_inside(real, place) for place in _runtime_locations()) or _loading_code():
            continue
        raise PermissionDenied(
            f"access to {confinement.relative(real)!r} refused: it is outside the server's data root "
            "(a file inside the data root may not point out of it)"
        )


def _install_audit_hook() -> None:
    global _hook_installed
    with _hook_lock:
        if not _hook_installed:
            sys.addaudithook(_audit)  # cannot be removed again; a no-op while no confinement applies
            _hook_installed = True
