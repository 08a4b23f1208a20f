"""Spread independent per-home work over every core when there is enough of it."""
from __future__ import annotations

import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

PARALLEL_FROM = 2000  # below this, starting worker processes costs more than it saves


def map_chunks(fn: Callable[[tuple], Any], items: Sequence, *extra: Any, workers: int | None = None,
               chunks_per_worker: int = 1) -> list:
    """``fn((chunk, *extra))`` for contiguous chunks of ``items``; results in the items' order.

    Runs in this process for small sets, and in worker processes (one per core) for large ones.
    """
    workers = workers or (os.cpu_count() or 1)
    if len(items) < PARALLEL_FROM or workers < 2:
        return [fn((items, *extra))]
    size = -(-len(items) // (workers * chunks_per_worker))
    jobs = [(items[i:i + size], *extra) for i in range(0, len(items), size)]
    with ProcessPoolExecutor(workers, initializer=_ignore_ctrl_c) as pool:
        return list(pool.map(fn, jobs))


def _ignore_ctrl_c() -> None:
    """Workers leave Ctrl+C to the main process, which stops quietly (no traceback from each worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
