"""Spread independent per-home work over every core when there is enough of it."""
from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from concurrent.futures import Future, InvalidStateError, ProcessPoolExecutor
from typing import Any

from .fsutil import ctrl_c_after

PARALLEL_FROM = 2000  # below this, starting worker processes costs more than it saves
LATER = 5  # the steps started first and wanted last yield their cores to this process's steps (Beside's nice)


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector off for a step that makes millions of objects and next to no reference cycles
    (loading and checking the profiles, taking back the workers' results, the open data): its passes over the
    growing heap were up to four fifths of the time to take back a national set of pieces (1.0 s of CPU to
    0.2 s). Reference counting still frees everything; the few cycles are collected by the next full collection
    once it is on again. The objects made meanwhile are handed to the collector's oldest generation, not to its
    youngest: otherwise the first allocation after the block walks every one of them (nationally 0.2 s with
    the main process alone, just after the workers' results came back)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            _to_oldest_generation()
            gc.enable()


_KEEPING: list[bool] = []  # in a worker: keep_freed_memory done


def keep_freed_memory() -> None:
    """In a worker process about to make and free chunk after chunk of results (Linux, glibc): memory it frees is
    kept for the next chunk instead of given back to the system and touched anew (page faults), and blocks up to
    32 MB (a chunk's pickled results, 7 MB nationally) come from that memory rather than from a mapping of their
    own each time. Nationally the check workers' page faults 156,000 -> 90,000 and their system CPU 0.6-0.8 s ->
    0.3-0.4 s. The memory goes back when the worker ends. Elsewhere, nothing."""
    if _KEEPING or not sys.platform.startswith("linux"):
        return
    _KEEPING.append(True)
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: free memory at the heap's top is kept up to 1 GB
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: blocks under 32 MB from the heap, not a mapping each
    except (OSError, AttributeError):  # not glibc
        pass


def _to_oldest_generation() -> None:
    """Every object the collector tracks in its younger generations moved to its oldest, without a pass over them
    (gc.freeze moves them aside, gc.unfreeze puts them in the oldest): the next full collection looks at them, as
    it would have. Left as it is when a caller holds a freeze of its own (serve's build), which must stay."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def map_chunks(fn: Callable[[tuple], Any], items: Sequence, *extra: Any, workers: int | None = None,
               chunks_per_worker: int = 1, finer_end: int = 1) -> list:
    """``fn((chunk, *extra))`` for contiguous chunks of ``items``; results in the items' order.

    Runs in this process for small sets, and in worker processes (one per core) for large ones. ``finer_end``:
    the last ``workers`` chunks are each cut into that many (see chunk_bounds).
    """
    return list(iter_chunks(fn, items, *extra, workers=workers, chunks_per_worker=chunks_per_worker, finer_end=finer_end))


def iter_chunks(fn: Callable[[tuple], Any], items: Sequence, *extra: Any, workers: int | None = None,
                chunks_per_worker: int = 1, finer_end: int = 1) -> Iterator[Any]:
    """``map_chunks``, each chunk's result given as soon as it and those before it are done (the caller works on
    one while the workers make the next, and holds no more of them than it keeps)."""
    workers = workers or (os.cpu_count() or 1)
    if len(items) < PARALLEL_FROM or workers < 2:
        yield fn((items, *extra))
        return
    jobs = [(items[a:b], *extra) for a, b in chunk_bounds(len(items), workers, chunks_per_worker, finer_end)]
    with worker_pool(workers) as pool:
        yield from pool.map(fn, jobs)


def chunk_bounds(n: int, workers: int, chunks_per_worker: int = 1, finer_end: int = 1) -> list[tuple[int, int]]:
    """(start, end) of each contiguous chunk of ``n`` items, in order, covering them once: ``workers *
    chunks_per_worker`` chunks of equal size (the last may be smaller), the last ``workers`` of them each cut into
    ``finer_end`` smaller ones. Chunks go to whichever worker is free, so the workers finish at most one chunk
    apart: small chunks at the end leave a core idle for less time while the other finishes (nationally the load
    and check's last chunk was 0.4 s of one core)."""
    size = -(-n // (workers * chunks_per_worker)) if n else 1
    bounds = [(i, min(i + size, n)) for i in range(0, n, size)]
    if finer_end > 1:
        tail = bounds[-workers:]
        del bounds[-workers:]
        for a, b in tail:
            step = -(-(b - a) // finer_end)
            bounds.extend((i, min(i + step, b)) for i in range(a, b, step))
    return bounds


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes that leave Ctrl+C to this process and end with it (``_worker_start``)."""
    return _Pool(workers, initializer=_worker_start, initargs=(os.getpid(),))


class _Pool(ProcessPoolExecutor):
    """A ProcessPoolExecutor whose workers never meet a Ctrl+C before they can ignore it: where processes fork, the
    pool starts them within its first ``submit``, which here holds SIGINT back in this thread (``_ctrl_c_held``), so
    each worker starts with it blocked and unblocks it only once it ignores it (``_ignore_ctrl_c``). Otherwise a
    Ctrl+C in the moment after the fork, while Python's own after-fork handlers run in the new process, printed
    "Exception ignored in ... KeyboardInterrupt" with a traceback from each worker. This process gets the Ctrl+C as
    soon as the submit returns."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        with _ctrl_c_held():
            future = super().submit(fn, *args, **kwargs)
        future.__class__ = _Future
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """As ProcessPoolExecutor's, with a Ctrl+C or SIGTERM that comes while it waits for the workers held until
        they have ended (then raised): a second one (Ctrl+C twice, SIGTERM then Ctrl+C) cut the wait short, leaving
        the pool's own thread to end the workers after Python, leaving, had closed the queue it ends them through,
        and the process waited for them for ever (a build of 3,000 homes stopped twice at 0.5 s hung)."""
        with ctrl_c_after():
            super().shutdown(wait=wait, cancel_futures=cancel_futures)


class _Future(Future):
    """A pool's future that a worker's abrupt end (SIGTERM to the process group) finds cancelled (the pool's map
    cancels what is left when Ctrl+C or SIGTERM stops the main process) without a traceback: Python 3.11's pool
    thread set the broken pool's error on it and died of InvalidStateError ("Exception in thread", fixed in
    Python 3.12, gh-107219)."""

    def set_exception(self, exception: BaseException | None) -> None:
        try:
            super().set_exception(exception)
        except InvalidStateError:
            if not self.cancelled():
                raise


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """SIGINT and SIGTERM blocked in this thread within the block (and in the processes and threads it starts
    meanwhile, which inherit the mask); delivered when the block ends. Nothing where the system has no signal masks
    (Windows). SIGTERM too: one in the moment after a fork was raised inside Python's own after-fork handlers, in
    the worker or in this process, where it was lost ("Exception ignored in: <function _releaseLock>"), and the
    command went on."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def map_forked(fn: Callable[[tuple], Any], items: Sequence, *extra: Any, workers: int | None = None,
               meanwhile: Callable[[], Any] | None = None) -> list:
    """``fn((chunk, *extra))`` for one contiguous chunk of ``items`` per core; results in the items' order. As
    map_chunks, but each chunk and ``extra`` are handed to their worker as Beside hands its call over: where
    processes fork (Linux) nothing is pickled on the way in (nationally the home pages' views: 0.7 s of CPU);
    only the results come back pickled. Runs in this process for small sets. ``meanwhile()`` is run in this
    process while the workers work (after ``fn`` for small sets), so that this process does not wait idle."""
    workers = workers or (os.cpu_count() or 1)
    if len(items) < PARALLEL_FROM or workers < 2:
        done = [fn((items, *extra))]
        if meanwhile is not None:
            meanwhile()
        return done
    jobs: list[Beside] = []
    try:
        for a, b in chunk_bounds(len(items), workers):
            jobs.append(Beside(fn, (items[a:b], *extra), items=len(items), workers=workers))
        if meanwhile is not None:
            meanwhile()
        return [job.result() for job in jobs]
    finally:
        for job in jobs:
            job.close()


class Beside:
    """``fn(*args)`` run in one worker process while this process goes on (for large sets), or here when
    ``result()`` is asked for (small sets, one core): two independent steps on two cores. Use it in a
    ``with`` block, so the worker stops even when this process's own step fails."""

    def __init__(self, fn: Callable[..., Any], *args: Any, items: int = PARALLEL_FROM, workers: int | None = None,
                 nice: int = 0) -> None:
        """``nice``: how much less the worker's claim on a core is than this process's (``os.nice``, where the
        system has it): for a step whose result is wanted only later, so that the steps this process waits for
        first keep their cores, and it takes what they leave."""
        self._call = (fn, args)
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future | None = None
        if items >= PARALLEL_FROM and (workers or os.cpu_count() or 1) >= 2:
            # handed over as the worker's start-up arguments: where processes fork (Linux), the worker has them
            # already, with nothing pickled (nationally 0.8 s of CPU for the workbook's tables); elsewhere pickled
            self._pool = _Pool(1, initializer=_hold, initargs=(fn, args, os.getpid(), nice))
            self._future = self._pool.submit(_run_held)

    def __enter__(self) -> Beside:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def result(self) -> Any:
        """What ``fn`` returned (its exception raised here, as if it had run in this process)."""
        if self._future is None:
            fn, args = self._call
            return fn(*args)
        try:
            return self._future.result()
        finally:
            self.close()

    def close(self) -> None:
        """Stop the worker (its work dropped if not yet asked for); safe to call twice."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


_HELD: list[tuple[Callable[..., Any], tuple]] = []  # in a Beside worker: its call


def _hold(fn: Callable[..., Any], args: tuple, parent: int, nice: int = 0) -> None:
    """A Beside worker's start: keep its call, leave Ctrl+C to the main process and end with it; ``nice``: lower
    its priority by that much (Beside)."""
    _worker_start(parent)
    if nice and hasattr(os, "nice"):
        os.nice(nice)
    _HELD.append((fn, args))


def _run_held() -> Any:
    """The call a Beside worker was started with."""
    fn, args = _HELD.pop()
    return fn(*args)


def _worker_start(parent: int) -> None:
    """A worker's start: Ctrl+C left to the process that started it (``parent``), and ended with it; the objects it
    has from the fork left out of its garbage collector's passes (leave_inherited_alone)."""
    _ignore_ctrl_c()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the main process's handler: a worker ends when told to
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})  # born blocked (_ctrl_c_held)
    _hold_sigterm_while_sending()
    end_with_parent(parent)
    leave_inherited_alone()


def _hold_sigterm_while_sending() -> None:
    """In a pool's worker: SIGTERM held back while it writes a result to the pipe it shares with its siblings, and
    delivered after. A worker killed half way through a result (SIGTERM to the process group: a CI job cancelled,
    ``timeout``) left part of a message in the pipe; the pool's thread in the main process waited for the rest for
    ever, holding the build's lock, and every later build waited on it (1 time in 3 on a national build). The
    worker's ``_sendback_result`` (Python's, looked up by name at each result) is wrapped here only."""
    from concurrent.futures import process

    send = process._sendback_result
    if not hasattr(signal, "pthread_sigmask") or getattr(send, "held", False):
        return

    def held(*args: Any, **kwargs: Any) -> Any:
        # this worker never reads results, yet holds the pipe's read end from the fork: closed, so that a result too
        # large for the pipe, written after the main process has died (kill -9, out of memory), fails at once rather
        # than waiting for ever with the SIGTERM that ends a worker with its parent held back, and the lock with it
        reader = getattr(args[0] if args else kwargs.get("result_queue"), "_reader", None)
        if reader is not None and not getattr(reader, "closed", True):
            reader.close()
        before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        try:
            return send(*args, **kwargs)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)

    held.held = True  # type: ignore[attr-defined]
    process._sendback_result = held


def leave_inherited_alone() -> None:
    """In a worker process: every object it holds at its start (where processes fork, the main process's profiles
    and views) kept out of the cyclic garbage collector's passes for the worker's life (gc.freeze, as Python's
    documentation advises for a forked child). A pass would otherwise walk them all, and write to each one's header,
    which makes the worker copy the memory pages it shares with the main process."""
    gc.freeze()


def _ignore_ctrl_c() -> None:
    """Workers leave Ctrl+C to the main process, which stops quietly (no traceback from each worker); a worker started
    with SIGINT blocked (_Pool) unblocks it once it is ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def end_with_parent(parent: int) -> None:
    """Linux: this process is sent SIGTERM when ``parent`` (the process that started it, its id taken before
    the start) ends, however it ends (Ctrl+C, SIGTERM), rather than working on, or waiting for ever to hand back
    what no one will read, holding what it inherited (serve's port). When ``parent`` has ended already, before
    that was asked, this process ends now (on every system)."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # taken in by another process: the parent is gone, and no signal will come
        os.kill(os.getpid(), signal.SIGTERM)
