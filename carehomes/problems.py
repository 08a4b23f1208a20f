"""A problem found in a profile, and the ways of printing one."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .safetext import shown


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, at a line, about a field."""

    path: str
    line: int
    field: str
    message: str
    column: int | None = None
    severity: str = "error"  # or "warning": reported, but the file is still used

    def __str__(self) -> str:
        if not self.line:  # about a path as a whole (a folder, a missing file): no line, no field
            return f"{_visible(self.path)}: {'warning: ' if self.severity == 'warning' else ''}{_visible(self.message)}"
        where = f"{_visible(self.path)}:{self.line}" + (f":{self.column}" if self.column else "")
        kind = "warning: " if self.severity == "warning" else ""
        return f"{where}: {kind}{_visible(self.field)}: {_visible(self.message)}"

    def github(self) -> str:
        """A GitHub Actions workflow command that annotates the line (every part escaped)."""
        col = f",col={self.column}" if self.column else ""
        if not self.line:
            return f"::{self.severity} file={_gh_escape(self.path, data=False)}::{_gh_escape(self.message, data=True)}"
        msg = _gh_escape(self.message, data=True)
        title = _gh_escape(self.field, data=False)
        return f"::{self.severity} file={_gh_escape(self.path, data=False)},line={self.line}{col},title={title}::{msg}"


def _gh_escape(text: str, data: bool) -> str:
    """Escape as GitHub's workflow commands require: %, CR and LF always; ':' and ',' in properties.
    Other control characters (an ANSI colour, a right-to-left override) are shown as escapes."""
    text = re.sub(r"[^\r\n]+", lambda m: shown(m.group()), text)
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if not data:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _visible(text: str) -> str:
    """Line breaks and other control characters shown as escapes, so one problem stays one line."""
    return shown(text)


class ProblemsFound(Exception):
    """Raised by a stage that refuses to go on; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
