"""Thread count resolution and a tiny parallel-for over row ranges for GIL-free (numba ``nogil``) kernels.

The engine's kernels release the GIL, so plain Python threads run them in parallel. Work is split
into a few more chunks than threads and handed out dynamically, so a core that is busy with
someone else's process does not hold up the whole call. The calling thread always takes part,
so progress never depends on the shared pool being free (no deadlock when several callers,
e.g. blockwise workers, use the engine at once).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from ..errors import ValidationError

THREADS_ENV = "PIXF_THREADS"
CHUNKS_PER_THREAD = 2

_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0


def resolve_threads(threads: int | None = None) -> int:
    """Number of threads to use: ``threads`` if given, else ``$PIXF_THREADS``, else ``os.cpu_count()``.

    :raises ValidationError: for a non-positive or non-integer count.
    """
    if threads is None:
        env = os.environ.get(THREADS_ENV, "").strip()
        if env:
            try:
                threads = int(env)
            except ValueError:
                raise ValidationError(f"{THREADS_ENV} must be a positive integer, got {env!r}") from None
        else:
            threads = os.cpu_count() or 1
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValidationError(f"threads must be a positive integer, got {threads!r}")
    return threads


def _get_pool(workers: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < workers:
            # the old pool finishes its queued work and is then collected
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool_size = max(workers, os.cpu_count() or 1)
            _pool = ThreadPoolExecutor(max_workers=_pool_size, thread_name_prefix="pixf-features")
        return _pool


def parallel_for(
    body: Callable[[int, int], None], n_items: int, threads: int, min_chunk: int = 1, chunks: int | None = None
) -> None:
    """Run ``body(start, stop)`` over ``range(n_items)`` split into chunks, on up to ``threads`` threads.

    :param body: called with disjoint ``[start, stop)`` ranges covering ``range(n_items)``; must be
        thread-safe for disjoint ranges (numba ``nogil`` kernels writing disjoint rows are).
    :param min_chunk: smallest useful range, so tiny inputs are not split into costly pieces.
    :param chunks: number of chunks (default: a few per thread); chunks are handed out in order.
    :raises: the first exception raised by ``body`` (after all chunks have stopped).
    """
    if n_items <= 0:
        return
    wanted = chunks if chunks is not None else threads * CHUNKS_PER_THREAD
    n_chunks = max(1, min(wanted, n_items // max(1, min_chunk)))
    if threads <= 1 or n_chunks == 1:
        body(0, n_items)
        return
    bounds = [n_items * i // n_chunks for i in range(n_chunks + 1)]
    next_chunk = iter(range(n_chunks))
    take_lock = threading.Lock()
    errors: list[BaseException] = []

    def worker() -> None:
        while not errors:
            with take_lock:
                i = next(next_chunk, None)
            if i is None:
                return
            try:
                body(bounds[i], bounds[i + 1])
            except BaseException as exc:  # handed to the caller below
                errors.append(exc)
                return

    helpers = min(threads, n_chunks) - 1
    pool = _get_pool(helpers)
    futures = [pool.submit(worker) for _ in range(helpers)]
    worker()
    for f in futures:
        # helpers still queued behind other callers' work are not needed any more
        if not f.cancel():
            f.result()
    if errors:
        raise errors[0]
