"""map_chunks and map_forked: the places that spreads per-home work over the cores."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

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
    """The home pages' workers write while this process makes the browse lists (render.prepare_pages): ``meanwhile``
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


@pytest.mark.slow  # starts processes and waits for them to end
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


def _keeping(args):
    from carehomes import parallel

    chunk, _ = args
    parallel.keep_freed_memory()
    parallel.keep_freed_memory()  # once a process is enough: a second call does nothing
    return list(parallel._KEEPING), os.getpid()


def test_workers_keep_their_freed_memory_and_this_process_is_left_as_it_is():
    """checking's workers call parallel.keep_freed_memory (glibc: freed memory kept for the next chunk): it runs once
    a process, in workers only when they call it, and never fails (a system without glibc's mallopt is left alone)."""
    from carehomes import parallel

    before = list(parallel._KEEPING)
    parts = map_chunks(_keeping, list(range(PARALLEL_FROM + 5)), 0, workers=2)
    assert {pid for _, pid in parts} and os.getpid() not in {pid for _, pid in parts}
    import sys

    assert all(kept == ([True] if sys.platform.startswith("linux") else []) for kept, _ in parts)
    assert parallel._KEEPING == before  # this process: untouched


@pytest.mark.slow  # fills the collector's generations (over 0.4 s: the fast set stays under 30 s)
def test_objects_made_with_the_collector_off_go_to_its_oldest_generation_and_their_cycles_are_still_collected():
    """no_cycle_collection hands what was made meanwhile to the collector's oldest generation (no pass over it when the
    block ends); a cycle made inside is still collected by a full collection; a caller's own freeze stays as it was."""
    import gc
    import weakref

    from carehomes.parallel import no_cycle_collection

    class Node:
        pass

    gc.collect()
    with no_cycle_collection():
        assert not gc.isenabled()
        made = [[i] for i in range(50_000)]
        ring = Node()
        ring.me = ring  # type: ignore[attr-defined]
        ring_ref = weakref.ref(ring)  # dead once the ring is collected (and it does not keep the ring alive)
        del ring
    assert gc.isenabled()
    assert gc.get_count()[0] < 1000 and gc.get_freeze_count() == 0  # none left young to be walked
    assert len(made) == 50_000
    gc.collect()
    assert ring_ref() is None  # not a scan of gc.get_objects(): a worker's heap is 200,000-500,000 objects
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with no_cycle_collection():
            _ = [[i] for i in range(1000)]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_a_profile_pickled_and_copied_is_the_same_profile():
    """load.Profile pickles as its three fields (what the check workers send back): the same path, data and lines
    after a round trip, a copy and a deep copy."""
    import copy
    import pickle

    from carehomes.load import Profile

    p = Profile("providers/oak.yaml", {"name": "Oak", "address": {"postcode": "AB1 2CD"}, "care": None}, {"name": 1, "address.postcode": 3})
    for again in (pickle.loads(pickle.dumps(p)), pickle.loads(pickle.dumps(p, protocol=2)), copy.copy(p), copy.deepcopy(p)):
        assert type(again) is Profile and again == p and again.line("address.postcode.x") == 3
    assert copy.deepcopy(p).data is not p.data


def _priority():
    return os.getpid(), os.nice(0)


def test_a_beside_worker_started_nice_yields_its_core_and_a_small_set_runs_here_unchanged():
    from carehomes.parallel import Beside

    with Beside(_priority, items=PARALLEL_FROM, workers=2, nice=3) as job:
        pid, nice = job.result()
    assert pid != os.getpid() and nice == min(os.nice(0) + 3, 19)
    with Beside(_priority, items=1, workers=2, nice=3) as job:  # in this process: its priority left alone
        assert job.result() == (os.getpid(), os.nice(0))


def test_chunk_bounds_cover_every_item_once_in_order_with_finer_chunks_at_the_end():
    from carehomes.parallel import chunk_bounds

    for n in (*range(0, 60), 963, 15403):
        for workers in (1, 2, 3, 4):
            for per in (1, 2, 8):
                for finer in (1, 2, 4):
                    bounds = chunk_bounds(n, workers, per, finer)
                    assert [i for a, b in bounds for i in range(a, b)] == list(range(n))
                    assert all(b > a for a, b in bounds)
    assert chunk_bounds(15403, 2, 8) == [(i, min(i + 963, 15403)) for i in range(0, 15403, 963)]  # as before
    bounds = chunk_bounds(15403, 2, 8, 4)
    assert len(bounds) == 22 and {b - a for a, b in bounds[:14]} == {963} and max(b - a for a, b in bounds[14:]) <= 241


def test_finer_chunks_at_the_end_keep_the_results_in_order():
    items = list(range(PARALLEL_FROM + 5))
    parts = map_chunks(_describe, items, 1, workers=2, chunks_per_worker=3, finer_end=4)
    assert len(parts) == 4 + 2 * 4
    assert [x for chunk, _ in parts for x in chunk] == [i + 1 for i in items]


_FORK_MASKS: list[str] = []  # a folder where each forked child writes whether SIGINT is blocked in it (the test below)


def _note_child_mask() -> None:
    if _FORK_MASKS:
        blocked = {signal.SIGINT, signal.SIGTERM} <= signal.pthread_sigmask(signal.SIG_BLOCK, [])  # SIGTERM too
        Path(_FORK_MASKS[0], f"{os.getpid()}.txt").write_text("blocked" if blocked else "open")


def _mask_and_handler(_: object = None) -> tuple[bool, bool]:
    return (bool({signal.SIGINT, signal.SIGTERM} & signal.pthread_sigmask(signal.SIG_BLOCK, [])),
            signal.getsignal(signal.SIGINT) == signal.SIG_IGN and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL)


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask") or not hasattr(os, "register_at_fork"), reason="POSIX signal masks")
def test_a_worker_is_born_with_ctrl_c_held_back_until_it_ignores_it(tmp_path):
    """A Ctrl+C in the moment after a fork, while Python's own after-fork handlers run in the new worker, was raised
    there ("Exception ignored in ... KeyboardInterrupt" and a traceback): the pools' workers now start with SIGINT
    blocked, unblock it once they ignore it, and the main process's mask is as it was."""
    from carehomes.parallel import Beside, worker_pool

    if not _FORK_MASKS:
        os.register_at_fork(after_in_child=_note_child_mask)
    _FORK_MASKS[:] = [str(tmp_path)]
    try:
        before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
        with worker_pool(2) as pool:
            in_workers = list(pool.map(_mask_and_handler, range(4)))
        with Beside(_mask_and_handler, None, items=10_000, workers=2) as beside:
            in_workers.append(beside.result())
        assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before
    finally:
        _FORK_MASKS.clear()
    born = [p.read_text() for p in tmp_path.glob("*.txt")]
    assert len(born) >= 3 and set(born) == {"blocked"}, born  # at each fork, before any of our code ran in the child
    assert set(in_workers) == {(False, True)}  # then ignored, and no longer blocked


@pytest.mark.slow  # starts worker processes and waits for them to end
def test_a_ctrl_c_while_a_pool_ends_is_held_until_its_workers_have_ended():
    """A second Ctrl+C (or SIGTERM then Ctrl+C) while a stopped command's pool waited for its workers cut the wait
    short: the pool's own thread ended the workers only after Python, leaving, had closed the queue it ends them
    through, and build.py waited for them for ever (a build of 3,000 homes stopped twice at 0.5 s hung)."""
    import time

    from carehomes.parallel import worker_pool

    pool = worker_pool(2)
    for _ in range(2):
        pool.submit(time.sleep, 0.5)
    workers = list(pool._processes.values())
    thread = pool._executor_manager_thread
    real_join = thread.join

    def join(*args, **kwargs):
        signal.raise_signal(signal.SIGINT)  # the second Ctrl+C, just as the pool begins to wait
        return real_join(*args, **kwargs)
    thread.join = join
    with pytest.raises(KeyboardInterrupt):
        pool.shutdown()
    assert not [w for w in workers if w.is_alive()]  # waited for, then the Ctrl+C raised


def test_a_pools_future_cancelled_takes_a_broken_pools_error_quietly():
    """SIGTERM to the process group ended the workers as the main process, stopping, cancelled the futures left: the
    pool's thread (Python 3.11) died of InvalidStateError setting the broken pool's error on a cancelled future
    ("Exception in thread ... InvalidStateError: CANCELLED", after "Stopped."; Python 3.12 ignores it, gh-107219)."""
    import time
    from concurrent.futures.process import BrokenProcessPool

    from carehomes.parallel import worker_pool

    with worker_pool(1) as pool:
        pool.submit(time.sleep, 0.2)
        waiting = pool.submit(time.sleep, 0)
        if waiting.cancel():  # not yet handed to the worker
            waiting.set_exception(BrokenProcessPool("a worker ended"))  # as the pool's thread does
            assert waiting.cancelled()
        done = pool.submit(time.sleep, 0)
    with pytest.raises(Exception, match="FINISHED"):
        done.set_exception(BrokenProcessPool("a worker ended"))  # a future not cancelled still says so


class _TermWhilePickled:
    """A result whose pickling (in the worker, as it is sent back) sends the worker SIGTERM: a process group stopped
    while a worker writes its result."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __reduce__(self):
        os.kill(os.getpid(), signal.SIGTERM)
        return (_TermWhilePickled, (self.value,))


def _term_while_sending(value: int) -> _TermWhilePickled:
    return _TermWhilePickled(value)


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no signal masks on this system (Windows)")
def test_a_worker_told_to_stop_while_it_sends_a_result_sends_it_whole_first():
    """A worker killed half way through writing its result left part of a message in the pipe, and the pool's thread
    in the main process waited for the rest for ever (a review's SIGTERM to a national build's process group hung it
    1 time in 3, holding its lock). SIGTERM is held while a result is written: the result arrives whole, then the
    worker ends, and the pool says it is broken rather than hanging."""
    from concurrent.futures.process import BrokenProcessPool

    from carehomes.parallel import worker_pool

    pool = worker_pool(1)
    try:
        first = pool.submit(_term_while_sending, 41)
        assert first.result(timeout=30).value == 41  # sent whole before the SIGTERM that came during it was taken
        with pytest.raises(BrokenProcessPool):
            pool.submit(_term_while_sending, 42).result(timeout=30)
    finally:
        pool.shutdown(wait=True)


_PARENT = r'''
import fcntl, os, sys, time
sys.path.insert(0, sys.argv[1])
from carehomes import parallel

def big(_):
    time.sleep(1.5)
    return b"x" * (8 << 20)  # far more than a pipe holds: the write waits for a reader

if __name__ == "__main__":
    lock = open(sys.argv[2], "a+b")
    fcntl.flock(lock, fcntl.LOCK_EX)  # as a build holds its site's lock, which its workers inherit
    pool = parallel.worker_pool(1)
    future = pool.submit(big, 0)
    time.sleep(0.3)
    print(" ".join(str(p) for p in pool._processes), flush=True)
    future.result()
'''


@pytest.mark.slow  # waits for processes to start, stop and end (4 s): the fast set stays under 30 s
@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask") or not hasattr(signal, "SIGKILL"), reason="POSIX signals only")
def test_a_worker_whose_parent_dies_while_it_sends_a_large_result_ends_and_frees_the_lock(tmp_path):
    """With SIGTERM held while a result is written (above), a worker whose main process was killed (kill -9, out of
    memory) as it wrote a result larger than the pipe waited for ever: it held the pipe's read end itself, so the write
    never failed, and the SIGTERM that ends a worker with its parent stayed pending, and the build's lock with it (a
    review's reproduction). The worker closes its copy of the read end: it ends, and the lock is free."""
    import fcntl
    import subprocess
    import sys
    import time

    from conftest import ROOT

    script, lock = tmp_path / "parent.py", tmp_path / ".lock"
    script.write_text(_PARENT)
    parent = subprocess.Popen([sys.executable, str(script), str(ROOT), str(lock)], stdout=subprocess.PIPE, text=True)
    worker = int(parent.stdout.readline().split()[0])
    time.sleep(0.5)
    os.kill(parent.pid, signal.SIGSTOP)  # the main process stops reading, then dies as the worker writes
    time.sleep(1.8)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    deadline, free = time.monotonic() + 20, False
    with open(lock, "a+b") as f:
        while time.monotonic() < deadline and not free:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                free = True
            except BlockingIOError:
                time.sleep(0.2)
    alive = os.path.exists(f"/proc/{worker}") and "State:\tZ" not in open(f"/proc/{worker}/status").read()
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert free and not alive
