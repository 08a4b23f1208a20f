"""Edits providers make often: the canonical format (fmt) and the weekly vacancy update.

Both keep every comment: they work on ruamel.yaml's round-trip documents.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from .load import parse_profile
from .problems import Problem
from .schema import Schema, load_schema
from .validate import check_profile
from .yamlio import roundtrip, rt_set, write_text_atomic


def _order(node: Any, tree: dict | None) -> None:
    """Put keys in schema order (unknown keys last, for check to report); comments move with keys."""
    if not isinstance(node, dict) or tree is None:
        return
    order = list(tree.keys())
    keys = sorted(node.keys(), key=lambda k: order.index(k) if k in order else len(order))
    for k in keys:
        node.move_to_end(k)
    for k in keys:
        sub = tree.get(k)
        _order(node[k], sub if isinstance(sub, dict) else None)


def format_text(text: str, schema: Schema | None = None) -> str:
    """A profile's text in canonical form."""
    schema = schema or load_schema()
    y = roundtrip(preserve_quotes=False)
    doc = y.load(text)
    if doc is None:
        return text
    _order(doc, schema.tree)
    buf = io.StringIO()
    y.dump(doc, buf)
    return buf.getvalue()


def fmt_files(files: list[Path], check: bool) -> tuple[list[Path], list[str]]:
    """Format files (or, with check, only list those not in canonical form). Returns (changed, errors)."""
    from ruamel.yaml import YAMLError

    changed, errors = [], []
    for f in files:
        text = f.read_text(encoding="utf-8")
        try:
            new = format_text(text)
        except YAMLError as exc:
            errors.append(f"{f}: cannot be formatted until its YAML is fixed ({str(exc).splitlines()[0]}); run 'python3 build.py check'")
            continue
        if new != text:
            changed.append(f)
            if not check:
                write_text_atomic(f, new)
    return changed, errors


def set_vacancies(path: Path, nursing: int | None, residential: int | None, on: dt.date,
                  display: str | None = None) -> list[Problem]:
    """Set free beds and today's confirmed date in place; refuse to write if the result is invalid.

    ``nursing``/``residential`` None leaves that count as it is (``--unchanged`` passes both None).
    """
    y = roundtrip()
    text = path.read_text(encoding="utf-8")
    doc = y.load(text)
    for kind, value in (("nursing", nursing), ("residential", residential)):
        if value is not None:
            rt_set(doc, ("beds", kind, "available"), value)
    rt_set(doc, ("beds", "confirmed"), on)
    buf = io.StringIO()
    y.dump(doc, buf)
    new = buf.getvalue()
    profile, problems = parse_profile(new, display or str(path))
    if profile is not None:
        problems = check_profile(profile, on=on)
    if not problems:
        write_text_atomic(path, new)
    return problems
