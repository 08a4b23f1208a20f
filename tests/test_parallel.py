"""map_chunks: the one place that spreads per-home work over the cores."""
from __future__ import annotations

import os

from carehomes.parallel import PARALLEL_FROM, map_chunks


def _describe(args):
    chunk, offset = args
    return [x + offset for x in chunk], os.getpid()


def test_small_sets_run_here_in_one_chunk():
    assert map_chunks(_describe, [1, 2, 3], 10, workers=2) == [([11, 12, 13], os.getpid())]


def test_large_sets_use_worker_processes_and_keep_order():
    items = list(range(PARALLEL_FROM + 5))
    parts = map_chunks(_describe, items, 1, workers=2, chunks_per_worker=3)
    assert len(parts) == 6
    assert [x for chunk, _ in parts for x in chunk] == [i + 1 for i in items]
    assert os.getpid() not in {pid for _, pid in parts}
