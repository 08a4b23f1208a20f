"""Where a build's time goes (``build --timings``): each stage's time, the files and bytes it wrote
and the peak memory while it ran.

Peak memory is the resident set size the operating system reports, not tracemalloc (which slows
Python several times over and sees neither C libraries nor worker processes): on Linux the build
process's peak is reset before each stage (``/proc/self/clear_refs``) and read back from
``VmHWM`` in ``/proc/self/status``, so each stage shows its own peak; elsewhere it is
``resource.getrusage(RUSAGE_SELF).ru_maxrss``, the peak so far. Worker processes
are shown apart as ``ru_maxrss`` of ``RUSAGE_CHILDREN``: the largest finished child so far.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .parallel import Beside

try:
    import resource
except ImportError:  # Windows: no getrusage
    resource = None  # type: ignore[assignment]

PEAK_HOW = ("peak memory: resident set size from the operating system (Linux: VmHWM of this process, "
            "reset at each stage; elsewhere getrusage ru_maxrss, the peak so far); workers: getrusage "
            "RUSAGE_CHILDREN ru_maxrss, shown when a worker process of that stage peaked above every one before")


@dataclass
class Stage:
    """One stage's figures."""

    name: str
    seconds: float
    files: int
    bytes: int
    peak_mb: float
    workers_mb: float


def _maxrss_mb(who: int) -> float:
    """getrusage's ru_maxrss in MB (kilobytes on Linux, bytes on macOS); 0 where there is none."""
    if resource is None:
        return 0.0
    rss = resource.getrusage(who).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _reset_peak() -> bool:
    """Reset this process's peak resident set (Linux 4.0 and later); False where that cannot be done."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_mb(reset: bool) -> float:
    """This process's peak resident set since the last reset (VmHWM), else since it started."""
    if reset:
        try:
            for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except (OSError, ValueError, IndexError):
            pass
    return _maxrss_mb(resource.RUSAGE_SELF) if resource is not None else 0.0


def folder_totals(folder: Path, skip: tuple[str, ...] = ()) -> tuple[int, int]:
    """Files and bytes under ``folder`` (0, 0 when it is not there), less the files and folders named ``skip``
    directly in it."""
    files = size = 0
    stack = [str(folder)]
    top = True
    while stack:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for e in entries:
                if top and e.name in skip:
                    continue
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                elif e.is_file(follow_symlinks=False):
                    files += 1
                    size += e.stat(follow_symlinks=False).st_size
        top = False
    return files, size


@dataclass
class Span:
    """Work done beside the stages (``timed``): when it began and ended (``time.perf_counter``, one clock for every
    process of the machine), its CPU seconds, the process it ran in, and the files and bytes it wrote when asked."""

    began: float
    ended: float
    cpu: float
    pid: int
    counted: tuple[int, int] | None = None


def timed(count: Path | None, fn: Callable[..., Any], *args: Any) -> tuple[Any, Span]:
    """``fn(*args)`` and its Span, for a step run beside the stages (a ``parallel.Beside`` worker); ``count``: the
    folder it writes, whose files and bytes are counted here afterwards, by the process that wrote them, rather
    than by the build's own process after the step."""
    began, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    ended, used = time.perf_counter(), time.process_time() - cpu
    return result, Span(began, ended, used, os.getpid(), folder_totals(count) if count is not None else None)


def _count_less(folder: Path, skip: tuple[str, ...]) -> tuple[tuple[int, int], Span]:
    """folder_totals(folder, skip) with its Span (a worker's whole task)."""
    return timed(None, folder_totals, folder, skip)


@dataclass
class Counted:
    """What a stage's block may say of its own files, so that the stage walks nothing after its block: ``files``,
    the files and bytes counted where they were written; or ``later`` (``count_later``)."""

    files: tuple[int, int] | None = None
    later: tuple[tuple[str, ...], int] | None = None

    def count_later(self, skip: tuple[str, ...], items: int) -> None:
        """The stage's files are everything in its folder less the names ``skip`` at its top (what later stages
        write), counted by a worker process (``parallel.Beside``, for ``items`` >= its threshold) while the later
        stages go on, rather than by the build's process between them; a file named in ``skip`` that is there
        when the block ends (sitemap.xml, which a later stage rewrites) is counted then. ``Timings.settle`` puts
        the count into the stage."""
        self.later = (skip, items)


@dataclass
class Timings:
    """Stage figures of one build; when not ``enabled``, ``stage`` only runs its block."""

    enabled: bool = True
    stages: list[Stage] = field(default_factory=list)
    start: float = field(default_factory=time.perf_counter)
    counting: float = 0.0  # seconds spent counting files for the table, in no stage
    beside: list[tuple[str, Span, str | None]] = field(default_factory=list)  # work done beside the stages, and where
    _whole: tuple[Path, tuple[int, int]] | None = None  # a folder's totals, kept up to date by the stages since
    _later: list[tuple[Stage, Path, Beside]] = field(default_factory=list)  # stages a worker is counting (settle)

    def _count(self, *paths: Path) -> tuple[int, int]:
        began = time.perf_counter()
        files = size = 0
        for path in paths:
            if path.is_file():
                files, size = files + 1, size + path.stat().st_size
            else:
                n, b = folder_totals(path)
                files, size = files + n, size + b
        self.counting += time.perf_counter() - began
        return files, size

    @contextmanager
    def stage(self, name: str, out: Path | None = None, under: tuple[str, ...] | None = None) -> Iterator[Counted]:
        """Time the block as stage ``name``; files and bytes are what appeared under ``out`` during it
        (counted after the clock stops; 0 for a stage that writes nothing or holds its files in memory).
        ``under``: the only files and folders of ``out`` the stage writes, so only they are counted (a national
        site is 95,000 files: walking it whole after every stage took 2.5 s); without it, the whole of ``out``.
        The block may set the ``Counted`` it is given when the files were counted where they were written."""
        told = Counted()
        if not self.enabled:
            yield told
            return
        paths = [out / u for u in under] if out is not None and under is not None else [out] if out is not None else []
        if out is not None and under is None and self._whole and self._whole[0] == out:
            before = self._whole[1]  # the whole folder as last counted, with what the stages since added
        else:
            before = self._count(*paths)
        children = _maxrss_mb(resource.RUSAGE_CHILDREN) if resource is not None else 0.0
        reset = _reset_peak()
        began = time.perf_counter()
        yield told
        took = time.perf_counter() - began
        peak = _peak_mb(reset)
        if told.files is not None:
            after = (before[0] + told.files[0], before[1] + told.files[1])
        elif told.later is not None and out is not None:
            after = self._count(*(out / n for n in told.later[0] if (out / n).is_file()))  # the rest: settle
        else:
            after = self._count(*paths)
        files, size = after[0] - before[0], after[1] - before[1]
        if out is not None and under is None:
            self._whole = (out, after)
        elif out is not None and self._whole and self._whole[0] == out:
            self._whole = (out, (self._whole[1][0] + files, self._whole[1][1] + size))
        workers = _maxrss_mb(resource.RUSAGE_CHILDREN) if resource is not None else 0.0
        self.stages.append(Stage(name, took, files, size, peak, workers if workers > children else 0.0))
        if told.later is not None and out is not None:
            forked = time.perf_counter()
            self._later.append((self.stages[-1], out, Beside(_count_less, out, told.later[0], items=told.later[1])))
            self.counting += time.perf_counter() - forked

    def note_beside(self, name: str, span: Span, where: str | None = None) -> None:
        """Record work done beside the stages (its ``timed`` Span), for the table's last part; ``where``: where it ran,
        when not a worker process or this one when asked for (this process, while a stage waits on a worker)."""
        if self.enabled:
            self.beside.append((name, span, where))

    def settle(self) -> None:
        """Wait for the counts ``count_later`` started and put each into its stage (the wait is counting time);
        the worker's own time is in the table's last part. Call it before the folder can change again."""
        while self._later:
            stage, out, job = self._later.pop(0)
            began = time.perf_counter()
            try:
                (files, size), span = job.result()
            finally:
                job.close()
            self.counting += time.perf_counter() - began
            stage.files, stage.bytes = stage.files + files, stage.bytes + size
            if self._whole and self._whole[0] == out:
                self._whole = (out, (self._whole[1][0] + files, self._whole[1][1] + size))
            self.note_beside(f"counting: {stage.name}", span)

    def drop_later(self) -> None:
        """Stop the counts ``count_later`` started and not yet settled (a failed build's), dropping them."""
        while self._later:
            self._later.pop()[2].close()

    def table(self) -> str:
        """The figures as a table, one stage a line, then the total, the work done beside the stages and how
        memory was measured."""
        self.settle()
        lines = [f"{'stage':<28} {'seconds':>8} {'files':>8} {'bytes':>13} {'peak MB':>8} {'workers MB':>10}"]
        for s in self.stages:
            workers = f"{s.workers_mb:10.0f}" if s.workers_mb else f"{'-':>10}"
            lines.append(f"{s.name:<28} {s.seconds:8.2f} {s.files:8,} {s.bytes:13,} {s.peak_mb:8.0f} {workers}")
        lines.append(f"{'(counting files for this)':<28} {self.counting:8.2f}")
        total = time.perf_counter() - self.start
        peak = max((s.peak_mb for s in self.stages), default=0.0)
        most = max((s.workers_mb for s in self.stages), default=0.0)
        lines.append(f"{'total (with counting)':<28} {total:8.2f} {sum(s.files for s in self.stages):8,} "
                     f"{sum(s.bytes for s in self.stages):13,} {peak:8.0f} {f'{most:.0f}' if most else '-':>10}")
        lines.extend(self._beside_lines())
        lines.append(PEAK_HOW)
        return "\n".join(lines)

    def _beside_lines(self) -> list[str]:
        """The table's part for the work done beside the stages: when each began and ended (seconds since the
        start) and its CPU; a step of a small set runs in this process when its result is asked for."""
        if not self.beside:
            return []
        lines = [BESIDE_HOW]
        here = os.getpid()
        for name, span, said in self.beside:
            where = said or ("this process, when asked for" if span.pid == here else "a worker process")
            lines.append(f"  {name:<26} {span.began - self.start:8.2f} {span.ended - self.start:8.2f} "
                         f"{span.cpu:8.2f}  {where}")
        return lines


BESIDE_HOW = ("beside the stages (each stage above that waits for one shows only the wait; from and to: seconds "
              "since the start; CPU: its own):\n"
              f"  {'step':<26} {'from':>8} {'to':>8} {'CPU':>8}")
