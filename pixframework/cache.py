"""A small thread-safe LRU cache bounded by bytes (features and predictions of a project)."""

from __future__ import annotations

import os
import threading
import uuid
from collections import OrderedDict
from typing import Any, Callable, Hashable

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


class ProjectCache:
    """One project's part of the shared cache: whole-image feature planes and predicted regions.

    Keys carry a token of their owner, so projects sharing the cache never see each other's entries.
    Feature planes are keyed by image and selection; predictions also by region and model generation,
    so a new model or a changed selection never serves stale values.
    """

    def __init__(self, lru: ByteLRU | None = None):
        self._lru = lru if lru is not None else shared_cache()
        self._owner = uuid.uuid4().hex

    def fits(self, nbytes: int) -> bool:
        """Whether an array of ``nbytes`` can be cached at all."""
        return self._lru.fits(nbytes)

    def feature_planes(self, image_id: str, selection_key: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """Cached whole-image feature planes of one selection (computed on a miss)."""
        key = (self._owner, "features", image_id, selection_key)
        planes = self._lru.get(key)
        if planes is None:
            planes = compute()
            self._lru.put(key, planes)
        return planes

    def cached_feature_planes(self, image_id: str, selection_key: str) -> np.ndarray | None:
        """The feature planes of one selection if they are cached already (never computes them)."""
        return self._lru.get((self._owner, "features", image_id, selection_key))

    def prediction(
        self, image_id: str, region: tuple[slice, ...], generation: int, compute: Callable[[], np.ndarray]
    ) -> np.ndarray:
        """Cached class probabilities of a region for one model generation (computed on a miss)."""
        key = (self._owner, "prediction", image_id, tuple((s.start, s.stop) for s in region), generation)
        probabilities = self._lru.get(key)
        if probabilities is None:
            probabilities = compute()
            self._lru.put(key, probabilities)
        return probabilities

    def drop_predictions(self) -> None:
        """Forget every prediction (labels or the model changed)."""
        self._drop(lambda key: key[1] == "prediction")

    def drop_image(self, image_id: str) -> None:
        """Forget everything about one image (it was removed)."""
        self._drop(lambda key: key[2] == image_id)

    def clear(self) -> None:
        self._drop(lambda key: True)

    def _drop(self, predicate: Callable[[tuple], bool]) -> None:
        self._lru.discard(lambda key: isinstance(key, tuple) and key[0] == self._owner and predicate(key))
