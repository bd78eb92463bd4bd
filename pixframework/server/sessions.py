"""Server-side sessions: which client works on which open project.

Several sessions may hold the same project: they share one in-memory :class:`~pixframework.project.Project`,
whose own lock serialises every call, so concurrent label edits are applied one after the other and
none is lost. A project is closed when its last session closes. Sessions idle for longer than the
timeout are closed by a reaper thread (saving the project), so a crashed client leaves nothing
locked; the only lock a call ever holds is released when that call returns.

A session belongs to the principal (token name) that opened it: other users can neither use, save
nor close it, nor see it listed; administrators see and may close every session.

Each session has a public client name (``<principal>/<6 hex>``): the project's events name it as
the client of the changes the session's calls make (the core reads it from
:func:`~pixframework.events.acting_as`, set here for every call), and undo steps through that
client's edits only. Watchers (event streams) belong to a session and end when it closes.
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

from ..confine import Confinement
from ..errors import Conflict, LimitExceeded, NotFound, PermissionDenied
from ..events import Watcher, acting_as
from ..limits import DEFAULT_LIMITS, Limits
from .auth import LOCAL, Principal
from .periodic import Periodic
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
    owner: Principal = LOCAL
    #: the public name events give this session's changes (``<owner>/<6 hex>``)
    client: str = ""
    created: float = field(default_factory=time.time)
    last_used: float = field(default_factory=time.monotonic)
    active_calls: int = 0
    watchers: set[Watcher] = field(default_factory=set)

    @property
    def project(self) -> Any:
        return self.shared.project


class SessionManager:
    """Open projects and sessions of one server.

    :param data_root: directory all client paths are relative to; every project is confined to it.
    :param limits: ``idle_timeout`` (seconds without calls before a session is closed, 0: never),
        ``max_sessions`` (more gives :class:`LimitExceeded`), and the work limits of the projects.
    :param max_watchers: most event streams open at once (each holds a server thread).
    """

    def __init__(self, data_root: Path, *, limits: Limits = DEFAULT_LIMITS, max_watchers: int = 16):
        self.confinement = Confinement(data_root)
        self.data_root = self.confinement.root
        self.limits = limits
        self.idle_timeout = float(limits.idle_timeout)
        self.max_sessions = int(limits.max_sessions)
        self.max_watchers = int(max_watchers)
        self._lock = threading.Lock()  # guards the two tables; held only for dictionary work
        self._open_lock = threading.Lock()  # serialises opening/closing projects (slow disk work)
        self._sessions: dict[str, Session] = {}
        self._projects: dict[Path, SharedProject] = {}
        self._reaper = Periodic("pixf-session-reaper", min(max(self.idle_timeout / 4, 0.05), 10.0), self.reap_idle)

    # ------------------------------------------------------------------ open / close
    def open(
        self, path: str, *, create: bool = False, overwrite: bool = False, peer: str = "", owner: Principal = LOCAL
    ) -> Session:
        """Start a session of ``owner`` on the project at ``path`` (relative to the data root), creating it if asked.

        :raises PermissionDenied: path outside the data root, or naming the root itself.
        :raises Conflict: creating a project that another session holds open.
        :raises LimitExceeded: too many sessions.
        """
        from ..project import Project

        key = self._project_dir(path, create)
        with self._open_lock:
            with self._lock:
                if len(self._sessions) >= self.max_sessions:
                    raise LimitExceeded(f"the server already has {self.max_sessions} sessions open; close one first")
                shared = self._projects.get(key)
            if shared is not None and create:
                raise Conflict(f"project {path!r} is open in another session; it cannot be created anew now")
            if shared is None:
                if not create and not key.exists():
                    raise NotFound(f"no project at {path!r} under the server's data root")
                options = {"confinement": self.confinement, "limits": self.limits}
                project = Project.create(key, overwrite=overwrite, **options) if create else Project.open(key, **options)
                shared = SharedProject(key, project)
            session = Session(secrets.token_urlsafe(18), shared, self.confinement.relative(key), peer, owner)
            with self._lock:
                names = {s.client for s in self._sessions.values()}
                while not session.client or session.client in names:
                    session.client = f"{owner.name}/{secrets.token_hex(3)}"
                shared.holders.add(session.id)
                self._projects[shared.key] = shared
                self._sessions[session.id] = session
        log.info("session %s opened %s for %s", session.id, session.path, peer or "?")
        return session

    def _project_dir(self, path: str, create: bool) -> Path:
        """The real directory of a project a client names: as given if it exists, else with ``.pixf``."""
        if not create:
            given = self.confinement.resolve(path, "project path")
            if given.is_dir() and given != self.data_root:
                return given
        return self.confinement.project_dir(path)

    def close(
        self, session_id: str, *, save: bool = True, reason: str = "closed by client", caller: Principal | None = None
    ) -> bool:
        """End a session; closes its project (saving it first if ``save``) when no other session holds it.

        :param caller: who asks (``None``: the server itself); must own the session or be an admin.
        :returns: whether the project itself was closed.
        :raises NotFound: unknown session.
        :raises PermissionDenied: the session belongs to another user.
        """
        with self._open_lock:
            with self._lock:
                session = self._lookup(session_id, caller)
                del self._sessions[session_id]
                shared = session.shared
                shared.holders.discard(session_id)
                last = not shared.holders
                if last:
                    self._projects.pop(shared.key, None)
            log.info("session %s on %s ended (%s)", session_id, session.path, reason)
            for watcher in list(session.watchers):
                watcher.close()
            if last:
                shared.cancel_trainings()
                shared.project.close(save=save)
        return last

    def cancel_trainings(self) -> int:
        """Ask every running training to stop (at its next step); returns on how many projects."""
        with self._lock:
            return sum(shared.cancel_trainings() for shared in self._projects.values())

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
    def _lookup(self, session_id: str, caller: Principal | None = None) -> Session:
        session = self._sessions.get(session_id)
        if session is None:
            raise NotFound(
                f"unknown session {session_id!r}: it was closed, expired after being idle, "
                "or belongs to a server that restarted; open the project again"
            )
        if caller is not None and caller != session.owner and not caller.is_admin:
            raise PermissionDenied(
                f"session {session_id!r} was opened by another user; open the project yourself (OpenProject)"
            )
        return session

    @contextmanager
    def use(self, session_id: str, caller: Principal | None = None) -> Iterator[Session]:
        """Mark a session busy for the duration of a call (the reaper never closes a busy session).

        :param caller: who calls (``None``: the server itself); only the owner may use a session,
            an administrator may use any.
        """
        with self._lock:
            session = self._lookup(session_id, caller)
            session.active_calls += 1
            session.last_used = time.monotonic()
        note_session(session_id)
        try:
            with acting_as(session.client):
                yield session
        finally:
            with self._lock:
                session.active_calls -= 1
                session.last_used = time.monotonic()

    # ------------------------------------------------------------------ watchers
    def watch(
        self, session_id: str, after_revision: int | None, log: str | None, caller: Principal | None = None
    ) -> tuple[Session, Watcher]:
        """A watcher of the session's project, ended when the session closes (:meth:`unwatch` it when done).

        :raises LimitExceeded: the server already streams ``max_watchers`` event streams.
        """
        with self.use(session_id, caller) as session:
            with self._lock:
                if sum(len(s.watchers) for s in self._sessions.values()) >= self.max_watchers:
                    raise LimitExceeded(
                        f"the server already streams {self.max_watchers} event watches; close one first"
                    )
                watcher = session.project.watch(after_revision, log=log)
                session.watchers.add(watcher)
        return session, watcher

    def unwatch(self, session: Session, watcher: Watcher) -> None:
        watcher.close()
        with self._lock:
            session.watchers.discard(watcher)

    def close_watchers(self) -> None:
        """End every event stream (the server is stopping: they would hold its shutdown)."""
        with self._lock:
            watchers = [w for s in self._sessions.values() for w in s.watchers]
        for watcher in watchers:
            watcher.close()

    def list(self, caller: Principal | None = None) -> list[Session]:
        """Sessions ``caller`` may see (its own; every session for an admin or ``None``), oldest first."""
        with self._lock:
            visible = [s for s in self._sessions.values() if caller is None or caller.is_admin or s.owner == caller]
        return sorted(visible, key=lambda s: s.created)

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
                s.id
                for s in self._sessions.values()
                if s.active_calls == 0 and not s.watchers and now - s.last_used > self.idle_timeout  # a watching client is there
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
        if self.idle_timeout > 0:
            self._reaper.start()

    def stop_reaper(self) -> None:
        self._reaper.stop()
