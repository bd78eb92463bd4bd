"""A small thread-safe LRU cache bounded by bytes (features and predictions of a project)."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any, Hashable

import numpy as np

CACHE_ENV = "PIXF_CACHE_MB"


def default_budget() -> int:
    """Bytes a project may keep cached: ``PIXF_CACHE_MB`` or a quarter of RAM, at most 8 GiB."""
    if os.environ.get(CACHE_ENV):
        return int(float(os.environ[CACHE_ENV]) * 2**20)
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        ram = 8 * 2**30
    return int(min(ram // 4, 8 * 2**30))


class ByteLRU:
    """Least-recently-used mapping of keys to numpy arrays, evicting beyond ``budget`` bytes."""

    def __init__(self, budget: int):
        self.budget = int(budget)
        self._items: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: np.ndarray) -> None:
        size = int(value.nbytes)
        if size > self.budget:
            return
        with self._lock:
            if key in self._items:
                self._bytes -= self._items.pop(key).nbytes
            self._items[key] = value
            self._bytes += size
            while self._bytes > self.budget:
                _, old = self._items.popitem(last=False)
                self._bytes -= old.nbytes

    def discard(self, predicate: Any) -> None:
        """Drop every entry whose key satisfies ``predicate(key)``."""
        with self._lock:
            for key in [k for k in self._items if predicate(k)]:
                self._bytes -= self._items.pop(key).nbytes

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def fits(self, nbytes: int) -> bool:
        return nbytes <= self.budget


_shared: ByteLRU | None = None
_shared_lock = threading.Lock()


def shared_cache() -> ByteLRU:
    """The process-wide cache all projects share, so a server with many open projects stays in one budget."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ByteLRU(default_budget())
        return _shared


class CacheView:
    """One owner's part of a shared :class:`ByteLRU`: same methods, keys kept apart by an owner token."""

    def __init__(self, lru: ByteLRU, owner: Hashable):
        self.lru = lru
        self.owner = owner

    def get(self, key: Hashable) -> Any:
        return self.lru.get((self.owner, key))

    def put(self, key: Hashable, value: np.ndarray) -> None:
        self.lru.put((self.owner, key), value)

    def discard(self, predicate: Any) -> None:
        """Drop this owner's entries whose key satisfies ``predicate(key)``."""
        self.lru.discard(lambda k: k[0] == self.owner and predicate(k[1]))

    def clear(self) -> None:
        self.discard(lambda key: True)

    def fits(self, nbytes: int) -> bool:
        return self.lru.fits(nbytes)
