"""Progress of long jobs on stderr: done / total and a rough time left.

On a terminal the line is redrawn in place; elsewhere (CI logs) a line is printed every few seconds.
"""
from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


class Progress:
    """done / total with a rough time left: redrawn on a terminal, a line every few seconds otherwise."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None, every: float = 5.0,
                 quiet_below: int = 0) -> None:
        self.label, self.total, self.done = label, total, 0
        self.quiet = total < quiet_below  # short jobs say nothing
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.every, self.start, self.last = every, time.monotonic(), time.monotonic()
        self.lock = threading.Lock()

    def step(self, n: int = 1) -> None:
        with self.lock:
            self.done += n
            now = time.monotonic()
            if self.quiet:
                return
            if now - self.last >= (0.2 if self.tty else self.every) or self.done == self.total:
                self.last = now
                self._show(now)

    def _show(self, now: float) -> None:
        elapsed = now - self.start
        left = elapsed / self.done * (self.total - self.done) if self.done else 0
        text = f"{self.label}: {self.done}/{self.total}" + (f", about {left:.0f} s left" if self.done < self.total else "")
        if self.tty:
            self.stream.write("\r" + text.ljust(60) + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
