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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

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


def folder_totals(folder: Path) -> tuple[int, int]:
    """Files and bytes under ``folder`` (0, 0 when it is not there)."""
    files = size = 0
    stack = [str(folder)]
    while stack:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                elif e.is_file(follow_symlinks=False):
                    files += 1
                    size += e.stat(follow_symlinks=False).st_size
    return files, size


@dataclass
class Timings:
    """Stage figures of one build; when not ``enabled``, ``stage`` only runs its block."""

    enabled: bool = True
    stages: list[Stage] = field(default_factory=list)
    start: float = field(default_factory=time.perf_counter)
    counting: float = 0.0  # seconds spent counting files for the table, in no stage
    _whole: tuple[Path, tuple[int, int]] | None = None  # a folder's totals, kept up to date by the stages since

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
    def stage(self, name: str, out: Path | None = None, under: tuple[str, ...] | None = None) -> Iterator[None]:
        """Time the block as stage ``name``; files and bytes are what appeared under ``out`` during it
        (counted after the clock stops; 0 for a stage that writes nothing or holds its files in memory).
        ``under``: the only files and folders of ``out`` the stage writes, so only they are counted (a national
        site is 95,000 files: walking it whole after every stage took 2.5 s); without it, the whole of ``out``."""
        if not self.enabled:
            yield
            return
        paths = [out / u for u in under] if out is not None and under is not None else [out] if out is not None else []
        if out is not None and under is None and self._whole and self._whole[0] == out:
            before = self._whole[1]  # the whole folder as last counted, with what the stages since added
        else:
            before = self._count(*paths)
        children = _maxrss_mb(resource.RUSAGE_CHILDREN) if resource is not None else 0.0
        reset = _reset_peak()
        began = time.perf_counter()
        yield
        took = time.perf_counter() - began
        peak = _peak_mb(reset)
        after = self._count(*paths)
        files, size = after[0] - before[0], after[1] - before[1]
        if out is not None and under is None:
            self._whole = (out, after)
        elif out is not None and self._whole and self._whole[0] == out:
            self._whole = (out, (self._whole[1][0] + files, self._whole[1][1] + size))
        workers = _maxrss_mb(resource.RUSAGE_CHILDREN) if resource is not None else 0.0
        self.stages.append(Stage(name, took, files, size, peak, workers if workers > children else 0.0))

    def table(self) -> str:
        """The figures as a table, one stage a line, then the total and how memory was measured."""
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
        lines.append(PEAK_HOW)
        return "\n".join(lines)
