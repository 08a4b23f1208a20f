"""map_chunks and map_forked: the places that spreads per-home work over the cores."""
from __future__ import annotations

import os

from carehomes.parallel import PARALLEL_FROM, map_chunks, map_forked


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


def test_map_forked_runs_small_sets_here_and_large_ones_one_chunk_a_worker_in_order():
    assert map_forked(_describe, [1, 2, 3], 10, workers=2) == [([11, 12, 13], os.getpid())]
    items = list(range(PARALLEL_FROM + 5))
    parts = map_forked(_describe, items, 1, workers=2)
    assert len(parts) == 2
    assert [x for chunk, _ in parts for x in chunk] == [i + 1 for i in items]
    assert os.getpid() not in {pid for _, pid in parts} and parts[0][1] != parts[1][1]
    assert map_forked(_describe, items, 1, workers=1) == [([i + 1 for i in items], os.getpid())]


def _wait_for(args):
    """A worker's chunk: waits until the file named in ``extra`` exists (made by ``meanwhile`` in the parent)."""
    import time
    from pathlib import Path

    chunk, flag = args
    for _ in range(500):
        if Path(flag).exists():
            return len(chunk), os.getpid()
        time.sleep(0.01)
    return -1, os.getpid()


def test_map_forked_runs_meanwhile_here_while_the_workers_work(tmp_path):
    """The home pages' workers write while this process makes the browse lists (render.render_pages): ``meanwhile``
    runs here before the results are waited for (each worker waits for the file it makes), and after fn for small sets."""
    flag = tmp_path / "made"
    ran: list[int] = []

    def meanwhile():
        ran.append(os.getpid())
        flag.touch()

    items = list(range(PARALLEL_FROM + 5))
    parts = map_forked(_wait_for, items, str(flag), workers=2, meanwhile=meanwhile)
    assert [n for n, _ in parts] == [-(-len(items) // 2), len(items) // 2] and ran == [os.getpid()]
    flag.unlink()
    order: list[str] = []
    assert map_forked(lambda args: order.append("fn") or len(args[0]), [1, 2], workers=2,
                      meanwhile=lambda: order.append("meanwhile")) == [2] and order == ["fn", "meanwhile"]


def _slow_big():
    import time

    time.sleep(1)
    return b"x" * (4 << 20)  # more than a pipe holds: with no one to read it, its worker waits for ever


def test_a_worker_ends_when_the_process_that_started_it_is_ended(tmp_path):
    """serve's rest (Live.follow_apart) runs in a child process that Ctrl+C or serve's end (SIGTERM) stops at once;
    a Beside worker it had started (the workbook beside the database, nationally) ignores Ctrl+C and was left
    running, then waiting for ever, holding what it inherited (serve's port among it). Workers end with their parent."""
    import multiprocessing
    import signal
    import time

    import pytest

    from carehomes.parallel import Beside

    if not hasattr(os, "fork") or not os.sys.platform.startswith("linux"):
        pytest.skip("checked where a parent's end is signalled to its children (Linux)")
    pids = tmp_path / "workers"
    pid = os.fork()
    if pid == 0:
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            with Beside(_slow_big, items=PARALLEL_FROM, workers=2):
                time.sleep(0.3)
                pids.write_text(" ".join(str(p.pid) for p in multiprocessing.active_children()))
                os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C
                time.sleep(10)
        finally:
            os._exit(1)
    os.waitpid(pid, 0)
    workers = [int(p) for p in pids.read_text().split()]
    assert workers
    end = time.monotonic() + 10
    while any(os.path.exists(f"/proc/{p}") and "State:\tZ" not in open(f"/proc/{p}/status").read() for p in workers):
        if time.monotonic() > end:
            for p in workers:
                os.kill(p, signal.SIGKILL)
            raise AssertionError("a worker outlived the process that started it")
        time.sleep(0.05)


def _signals_of_a_worker() -> tuple[bool, int]:
    import signal

    return signal.getsignal(signal.SIGINT) == signal.SIG_IGN, os.getppid()


def test_worker_pool_workers_leave_ctrl_c_to_their_parent():
    """worker_pool (map_chunks, the postcode lookup's areas): its workers ignore Ctrl+C, which the process that
    started them handles once (no traceback from each worker), and are its children."""
    from carehomes.parallel import worker_pool

    with worker_pool(2) as pool:
        ignored, parent = pool.submit(_signals_of_a_worker).result(timeout=60)
    assert ignored and parent == os.getpid()


def _priority():
    return os.getpid(), os.nice(0)


def test_a_beside_worker_started_nice_yields_its_core_and_a_small_set_runs_here_unchanged():
    from carehomes.parallel import Beside

    with Beside(_priority, items=PARALLEL_FROM, workers=2, nice=3) as job:
        pid, nice = job.result()
    assert pid != os.getpid() and nice == min(os.nice(0) + 3, 19)
    with Beside(_priority, items=1, workers=2, nice=3) as job:  # in this process: its priority left alone
        assert job.result() == (os.getpid(), os.nice(0))
