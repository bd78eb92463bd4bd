"""Server-side sessions: which client works on which open project.

Several sessions may hold the same project: they share one in-memory :class:`~pixframework.project.Project`,
whose own lock serialises every call, so concurrent label edits are applied one after the other and
none is lost. A project is closed when its last session closes. Sessions idle for longer than the
timeout are closed by a reaper thread (saving the project), so a crashed client leaves nothing
locked; the only lock a call ever holds is released when that call returns.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..errors import Conflict, LimitExceeded, NotFound
from ..store import project_path
from .paths import relative_to_root, resolve_in_root
from .status import note_session

log = logging.getLogger("pixframework.server")

@dataclass
class SharedProject:
    """One open project and the sessions holding it."""

    key: Path
    project: Any
    holders: set[str] = field(default_factory=set)
    #: one event per running training; setting it makes the training's next progress call raise
    trainings: set[threading.Event] = field(default_factory=set)

    def cancel_trainings(self) -> bool:
        """Ask every running training to stop; returns whether any was running."""
        running = list(self.trainings)
        for event in running:
            event.set()
        return bool(running)


@dataclass
class Session:
    """One client's handle on a project."""

    id: str
    shared: SharedProject
    path: str
    peer: str
    created: float = field(default_factory=time.time)
    last_used: float = field(default_factory=time.monotonic)
    active_calls: int = 0

    @property
    def project(self) -> Any:
        return self.shared.project


class SessionManager:
    """Open projects and sessions of one server.

    :param data_root: directory all client paths are relative to.
    :param idle_timeout: seconds without calls before a session is closed (0: never).
    :param max_sessions: most sessions open at once (more gives :class:`LimitExceeded`).
    """

    def __init__(self, data_root: Path, *, idle_timeout: float = 1800.0, max_sessions: int = 256):
        self.data_root = Path(data_root).resolve()
        self.idle_timeout = float(idle_timeout)
        self.max_sessions = int(max_sessions)
        self._lock = threading.Lock()  # guards the two tables; held only for dictionary work
        self._open_lock = threading.Lock()  # serialises opening/closing projects (slow disk work)
        self._sessions: dict[str, Session] = {}
        self._projects: dict[Path, SharedProject] = {}
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None

    # ------------------------------------------------------------------ open / close
    def open(self, path: str, *, create: bool = False, overwrite: bool = False, peer: str = "") -> Session:
        """Start a session on the project at ``path`` (relative to the data root), creating it if asked.

        :raises PermissionDenied: path outside the data root.
        :raises Conflict: creating a project that another session holds open.
        :raises LimitExceeded: too many sessions.
        """
        from ..project import Project

        real = resolve_in_root(self.data_root, path, what="project path")
        key = project_path(real)  # Project.create appends the suffix: the key names the same directory
        with self._open_lock:
            with self._lock:
                if len(self._sessions) >= self.max_sessions:
                    raise LimitExceeded(f"the server already has {self.max_sessions} sessions open; close one first")
                shared = self._projects.get(key) or self._projects.get(real)
            if shared is not None and create:
                raise Conflict(f"project {path!r} is open in another session; it cannot be created anew now")
            if shared is None:
                if not create and not real.exists() and not key.exists():
                    raise NotFound(f"no project at {path!r} under the server's data root")
                project = Project.create(real, overwrite=overwrite) if create else Project.open(real if real.exists() else key)
                shared = SharedProject(Path(project.path).resolve(), project)
            session = Session(secrets.token_urlsafe(18), shared, relative_to_root(self.data_root, shared.key), peer)
            with self._lock:
                shared.holders.add(session.id)
                self._projects[shared.key] = shared
                self._sessions[session.id] = session
        log.info("session %s opened %s for %s", session.id, session.path, peer or "?")
        return session

    def close(self, session_id: str, *, save: bool = True, reason: str = "closed by client") -> bool:
        """End a session; closes its project (saving it first if ``save``) when no other session holds it.

        :returns: whether the project itself was closed.
        :raises NotFound: unknown session.
        """
        with self._open_lock:
            with self._lock:
                session = self._lookup(session_id)
                del self._sessions[session_id]
                shared = session.shared
                shared.holders.discard(session_id)
                last = not shared.holders
                if last:
                    self._projects.pop(shared.key, None)
            log.info("session %s on %s ended (%s)", session_id, session.path, reason)
            if last:
                shared.cancel_trainings()
                shared.project.close(save=save)
        return last

    def close_all(self, *, save: bool = True, reason: str = "server stopping") -> None:
        """Close every session and project (on shutdown); a failure to save one does not stop the rest."""
        with self._lock:
            ids = list(self._sessions)
            for shared in self._projects.values():
                shared.cancel_trainings()
        for session_id in ids:
            try:
                self.close(session_id, save=save, reason=reason)
            except NotFound:
                pass
            except Exception:
                log.exception("could not close session %s cleanly", session_id)

    # ------------------------------------------------------------------ use
    def _lookup(self, session_id: str) -> Session:
        session = self._sessions.get(session_id)
        if session is None:
            raise NotFound(
                f"unknown session {session_id!r}: it was closed, expired after being idle, "
                "or belongs to a server that restarted; open the project again"
            )
        return session

    @contextmanager
    def use(self, session_id: str) -> Iterator[Session]:
        """Mark a session busy for the duration of a call (the reaper never closes a busy session)."""
        with self._lock:
            session = self._lookup(session_id)
            session.active_calls += 1
            session.last_used = time.monotonic()
        note_session(session_id)
        try:
            yield session
        finally:
            with self._lock:
                session.active_calls -= 1
                session.last_used = time.monotonic()

    def list(self) -> list[Session]:
        """All sessions, oldest first."""
        with self._lock:
            return sorted(self._sessions.values(), key=lambda s: s.created)

    def holders(self, session: Session) -> int:
        """How many sessions hold the same project as ``session``."""
        with self._lock:
            return len(session.shared.holders)

    # ------------------------------------------------------------------ idle sessions
    def reap_idle(self, now: float | None = None) -> list[str]:
        """Close sessions idle for longer than the timeout (saving their projects); returns their ids."""
        if self.idle_timeout <= 0:
            return []
        now = time.monotonic() if now is None else now
        with self._lock:
            expired = [
                s.id for s in self._sessions.values() if s.active_calls == 0 and now - s.last_used > self.idle_timeout
            ]
        closed = []
        for session_id in expired:
            try:
                self.close(session_id, save=True, reason=f"idle for more than {self.idle_timeout:g} s")
                closed.append(session_id)
            except NotFound:
                pass  # closed by its client meanwhile
            except Exception:
                log.exception("could not close idle session %s", session_id)
        return closed

    def start_reaper(self) -> None:
        """Run :meth:`reap_idle` in a daemon thread until :meth:`stop_reaper`."""
        if self.idle_timeout <= 0 or self._reaper is not None:
            return
        interval = min(max(self.idle_timeout / 4, 0.05), 10.0)

        def loop() -> None:
            while not self._stop.wait(interval):
                self.reap_idle()

        self._reaper = threading.Thread(target=loop, name="pixf-session-reaper", daemon=True)
        self._reaper.start()

    def stop_reaper(self) -> None:
        self._stop.set()
        if self._reaper is not None:
            self._reaper.join(timeout=5)
            self._reaper = None
