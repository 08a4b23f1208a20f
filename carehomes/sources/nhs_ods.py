"""NHS trusts by their NHS organisation (ODS) codes. Filled in below."""
from __future__ import annotations


def code_problem(code: str) -> str | None:
    return None
