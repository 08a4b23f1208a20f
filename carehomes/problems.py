"""A problem found in a profile, and the ways of printing one."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, at a line, about a field."""

    path: str
    line: int
    field: str
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" + (f":{self.column}" if self.column else "")
        return f"{where}: {self.field}: {self.message}"

    def github(self) -> str:
        """A GitHub Actions workflow command that annotates the line."""
        col = f",col={self.column}" if self.column else ""
        msg = _gh_escape(self.message, data=True)
        title = _gh_escape(self.field, data=False)
        return f"::error file={self.path},line={self.line}{col},title={title}::{msg}"


def _gh_escape(text: str, data: bool) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if not data:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


class ProblemsFound(Exception):
    """Raised by a stage that refuses to go on; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
