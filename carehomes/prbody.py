"""The description of the CQC sync pull request, written by the project rather than pasted in a fence.

The importer's report (``import-cqc --api``'s output, already quoted with ``safetext.plain``) goes inside
a code fence longer than any run of backticks in it, so no line of the report can close the fence and
turn the rest into Markdown (mentions, links, images). Standard library only: the workflow runs it as
``python3 -m carehomes.prbody REPORT`` without the project's virtual environment.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

INTRO = "Weekly sync of the regulator's facts from the CQC API. Review the changes below, then merge."
FSA_INTRO = ("Weekly refresh of the food hygiene ratings from the Food Standards Agency's open data. "
             "Review the changes below, then merge.")
MAX_REPORT = 60_000  # characters of report in the body (GitHub refuses a body over 65,536)


def fenced(text: str) -> str:
    """``text`` as a Markdown code block whose fence (three backticks or more) is longer than any run of
    backticks inside it, so nothing in the text can end the block."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip(chr(10))}\n{fence}"


def sync_pr_body(report: str, intro: str = INTRO) -> str:
    """The pull request's description: the intro, then the report in a fence nothing can close; a report
    longer than GitHub takes is cut at a line, saying so (the whole report is in the workflow's log)."""
    if len(report) > MAX_REPORT:
        cut = report.rfind("\n", 0, MAX_REPORT)
        report = report[: cut if cut > 0 else MAX_REPORT] + "\n... (the report is cut here; the workflow's log has all of it)"
    return f"{intro}\n\n{fenced(report)}\n"


def main(argv: list[str] | None = None) -> int:
    """``python3 -m carehomes.prbody [--fsa] REPORT``: print the body for the report file (--fsa: the food
    hygiene refresh's, else the CQC sync's)."""
    args = sys.argv[1:] if argv is None else list(argv)
    intro = FSA_INTRO if args[:1] == ["--fsa"] else INTRO
    args = args[1:] if args[:1] == ["--fsa"] else args
    if len(args) != 1:
        print("usage: python3 -m carehomes.prbody [--fsa] REPORT.txt", file=sys.stderr)
        return 2
    try:
        report = Path(args[0]).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        print(f"{args[0]}: cannot be read ({exc.strerror})", file=sys.stderr)
        return 1
    sys.stdout.write(sync_pr_body(report, intro))
    return 0


if __name__ == "__main__":
    sys.exit(main())
