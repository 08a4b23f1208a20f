"""Edits providers make often: the canonical format (fmt) and the weekly vacancy update.

Both keep every comment: they work on ruamel.yaml's round-trip documents, made only from files
the one loader (``load.load_text``) has accepted, so they refuse what ``check`` refuses, with the
same messages, and never print a traceback.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

from .checks_external import check_one
from .kinds import default_kind, kinds_of
from .load import char_name, display_path, errors, load_text, parse_profile, read_profile_bytes
from .problems import Problem, ProblemsFound
from .records import get_path
from .safetext import plain
from .text import and_list, with_article
from .schema import Schema, load_schema
from .validate import check_profile, unseen
from .yamlio import rt_dump, rt_parse, rt_set, write_text_atomic


def _order(node: Any, tree: dict | None) -> None:
    """Put keys in schema order (unknown keys last, for check to report); comments move with keys."""
    if not isinstance(node, dict) or tree is None:
        return
    order = list(tree.keys())
    keys = sorted(node.keys(), key=lambda k: order.index(k) if k in order else len(order))
    for k in keys:
        node.move_to_end(k)  # type: ignore[attr-defined]  # ruamel's CommentedMap is ordered
    for k in keys:
        sub = tree.get(k)
        _order(node[k], sub if isinstance(sub, dict) else None)


def format_text(text: str, schema: Schema | None = None, shown: str = "<text>") -> str:
    """A profile's text in canonical form (the text must be one the loader accepts)."""
    schema = schema or load_schema()
    doc = rt_parse(text, shown, preserve_quotes=False)
    if doc is None:
        return text
    _order(doc, schema.tree)
    return _dump(doc, shown, preserve_quotes=False)


def _dump(doc: Any, shown: str, preserve_quotes: bool = True) -> str:
    return rt_dump(doc, shown, preserve_quotes)


def unlike(data: bytes, new: str) -> str:
    """Where a file's bytes first differ from its standard form ``new``, in words a person editing it on GitHub's web
    editor can act on: 'line 12 is 'manager: "Sarah Jones"'; the standard form is 'manager: Sarah Jones''."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "it starts with a byte-order mark (an invisible character some Windows editors write)"
    if b"\r" in data:
        return "its lines end the Windows way (CRLF)"
    old_lines, new_lines = data.decode("utf-8", "replace").split("\n"), new.split("\n")
    for n, (a, b) in enumerate(zip(old_lines, new_lines, strict=False), 1):
        if a != b:
            if a.strip() and b.strip() and a.strip() == b.strip():
                lead_a, lead_b = len(a) - len(a.lstrip()), len(b) - len(b.lstrip())
                if lead_a == lead_b:  # the same words, the same indent: spaces or a tab at its end
                    return f"line {n} ends with spaces; the standard form has none there"
                return f"line {n} is indented by {lead_a} spaces; the standard form has {lead_b}"
            if not b.strip():
                return f"line {n} is '{plain(a, 80)}'; the standard form has an empty line there"
            if not a.strip():
                return f"line {n} is empty; the standard form has '{plain(b, 80)}' there"
            moved = " (the fields are in another order)" if b in old_lines else ""
            return f"line {n} is '{plain(a, 80)}'; the standard form is '{plain(b, 80)}'{moved}"
    n = min(len(old_lines), len(new_lines)) + 1
    return (f"it has more lines from line {n} on" if len(old_lines) > len(new_lines) else
            f"it ends before line {n} (the standard form ends with one line break)")


YAML_ESCAPES = {"\x85": "\\N", "\xa0": "\\_", "\u2028": "\\L", "\u2029": "\\P"}  # YAML's one-letter escapes of them


def escapes_undone(text: str, new: str, shown: str) -> Problem | None:
    """A problem when ``new`` (``text`` formatted) holds an invisible character ``text`` held only as an escape in
    quotes ("\\u202e"): ruamel.yaml writes a character it counts as printable as itself, so fmt would hide in the file and
    its diff a character check refuses (the steward review: a right-to-left override). Named by the field whose value
    holds it and that field's line, as check names it (the hostile review: found in the text, a comment's "\\u200b" was
    named, and "\\L" never). None when there is none."""
    before = Counter(text[i] for i in unseen(text))  # those it held as themselves already (a comment's): not undone
    hidden = Counter(new[i] for i in unseen(new)) - before
    if not hidden:
        return None
    c = min(hidden)
    code = ord(c)
    spelled = [f"\\x{code:02x}"] if code < 0x100 else []
    spelled += [f"\\u{code:04x}", f"\\U{code:08x}"] + ([YAML_ESCAPES[c]] if c in YAML_ESCAPES else [])
    profile = parse_profile(text, shown)[0]
    field = _holding(profile.data, c) if profile is not None else None
    line = profile.line(field) if profile is not None and field else 1
    rows = text.splitlines()
    pattern = re.compile("|".join(map(re.escape, spelled)), re.I)
    at = pattern.search(rows[line - 1] if 0 < line <= len(rows) else "") or pattern.search(text)  # its field's line first
    written = at.group(0) if at else f"\\u{code:04x}"
    return Problem(shown, line, field or "yaml",
                   f"holds the invisible character {char_name(c)}, written as {written}; fmt would write the character "
                   "itself, which nobody can see in the file or in a diff; retype the text without it (check refuses it "
                   "too), then run fmt again")


def _holding(data: Any, c: str, path: str = "") -> str | None:
    """The dotted path of the first text in ``data`` holding the character ``c`` (a list's item: the list's path)."""
    if isinstance(data, str):
        return path if c in data else None
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found = _holding(value, c, path if isinstance(data, list) else f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


def fmt_files(files: list[Path], check: bool) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """Format files (or, with check, only list those not in canonical form). Returns (changed, problems): each changed
    file with where it first differs from its standard form (``unlike``).

    A file the loader refuses is left as it is and its problems are returned, as check reports them."""
    changed: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    for f in files:
        shown = display_path(f)
        text, found = load_text(f, shown=shown)
        if text is None:
            problems.extend(errors(found))
            continue
        try:
            new = format_text(text, shown=shown)
        except ProblemsFound as exc:
            problems.extend(exc.problems)
            continue
        unescaped = escapes_undone(text, new, shown)
        if unescaped:  # left as it was: check's problem with the text, said at once
            problems.append(unescaped)
            continue
        data = read_profile_bytes(f, shown)[0]
        if new != text or data != new.encode("utf-8"):  # a byte-order mark, CRLF
            changed.append((f, unlike(data or b"", new)))
            if not check:
                write_text_atomic(f, new)
    return changed, problems


def left_as_was(doc: dict[str, Any], kind: Any, given: dict[str, int | None]) -> list[tuple[str, str]]:
    """(option, what to do) for each free-beds count not given that the profile still holds, of a kind of care CQC
    registers the home for (or does not say): today's date would show it as checked today (updates.still_held)."""
    from .updates import still_held  # the forms' rule; here, as fmt needs none of updates

    out = []
    since = get_path(doc, tuple(kind.confirmed.split("."))) if kind.confirmed else None
    held = still_held(doc, kind, [c.available for c in kind.capacity if c.available and c.available not in given])
    for c in kind.capacity:
        if c.available not in held:
            continue
        old = held[c.available]
        when = f" (confirmed {since})" if since else ""
        same = f"--{c.key} 0 if there are still none" if old == 0 else f"--{c.key} {old} if it has not changed, 0 if none"
        out.append((f"--{c.key}", f"not given, but the profile still says {old}{when}, and today's date would show that as "
                                  f"checked today; give --{c.key} with the number free now ({same})"))
    return out


def set_vacancies(path: Path, free: dict[str, int | None], on: dt.date,
                  display: str | None = None) -> tuple[list[Problem], list[str]]:
    """Set free beds and today's confirmed date in place; refuse to write if the result is invalid. Returns the
    problems (nothing written when there are any) and the paths of the 0s not stored.

    ``free`` maps a capacity key of the first kind ('nursing', 'residential') to its count; a key left
    out or None leaves that count as it is (``--unchanged`` passes none). A 0 for a kind of care CQC does not
    register the home for is true but not applicable: nothing is stored for it, as the stewards' sheet and the
    forms do (updates.not_applicable); when nothing else was given, nothing is written.
    """
    from .updates import closed_words, dates_nothing, not_applicable, not_applicable_words  # the sheet's rules; here, as fmt needs none of updates

    kind = default_kind()
    shown = display or display_path(path)
    text, found = load_text(path, shown=shown)
    if text is None:
        return errors(found), []
    try:
        doc = rt_parse(text, shown)
        if not isinstance(doc, dict):
            return [Problem(shown, 1, "file", "must be a list of 'key: value' lines, starting with location_id:")], []
        mine = kinds_of(doc)
        if kind not in mine:  # an agency's availability is no free beds: its own sheet or form, never a kind changed
            return [Problem(shown, 1, "kinds", f"is {and_list([with_article(k.title.lower()) for k in mine])}, not "
                                               f"{with_article(kind.title.lower())}: this command sets a "
                                               f"{kind.title.lower()}'s free beds. Update its availability with its own "
                                               "sheet (vacancies --from-csv FILE, see docs/imports-sheets-and-map.md) or "
                                               "the update form on its page")], []
        shut = closed_words(doc)
        if shut:  # a closed home's page takes no vacancies
            return [Problem(shown, 1, "cqc.status", shut)], []
        given = {c.available: free[c.key] for c in kind.capacity if c.available and free.get(c.key) is not None}
        kept, dropped = not_applicable(given, doc)
        if dropped and not kept:  # named by the option the steward typed (--nursing), as when the 0 is left out
            option = {str(c.available): f"--{c.key}" for c in kind.capacity if c.available}
            said = not_applicable_words(dropped[0], option[dropped[0]]).split(": ", 1)[1]
            others = " or ".join(f"{option[str(c.available)]} N" for c in kind.capacity
                                 if c.available and str(c.available) not in dropped)
            return [Problem(shown, 1, option[dropped[0]], f"{said}, and nothing else was given; give the free beds of a "
                                                          f"kind of care the home is registered for{f' ({others})' if others else ''}, "
                                                          "or --unchanged to confirm today that nothing changed")], []
        if given:  # one date covers every count: one left as it was would look checked today (updates.left_empty)
            stale = left_as_was(doc, kind, given)
            if stale:
                return [Problem(shown, 1, option, text) for option, text in stale], []
        held = get_path(doc, tuple(kind.confirmed.split("."))) if kind.confirmed else None
        if isinstance(held, dt.date) and on < held:  # older news never replaces newer (the sheet's rule)
            return [Problem(shown, 1, "--confirmed", f"{on.isoformat()} is before the day the page says its free beds "
                                                     f"were checked ({held.isoformat()}); give that day or a later one")], []
        for dotted, count in kept.items():
            rt_set(doc, tuple(dotted.split(".")), count)
        empty: list[list[str]] = []
        if kind.confirmed:
            rt_set(doc, tuple(kind.confirmed.split(".")), on)
            empty = dates_nothing(doc, {kind.confirmed}, load_schema())  # --unchanged, with no free beds held
        new = _dump(doc, shown)
    except ProblemsFound as exc:
        return exc.problems, []
    except (TypeError, AttributeError):  # 'beds' or a bed group is not a group of fields
        profile, _ = parse_profile(text, shown)
        problems = check_profile(profile, on=on) if profile else []
        group = (kind.confirmed or kind.unit).split(".")[0]
        return problems or [Problem(shown, 1, group, "must be a group of 'key: value' lines; compare it with providers/_template.yaml")], []
    profile, problems = parse_profile(new, shown)
    if profile is not None:
        problems = check_one(profile, on=on)
    problems = errors(problems)
    if not problems and empty:  # after the file's own problems (too large...), which come first
        option = {str(c.available): f"--{c.key}" for c in kind.capacity if c.available}
        problems = [Problem(shown, 1, "--unchanged", "the profile gives no free beds yet, so there is nothing to confirm; "
                                                     f"give {' or '.join(option[f] + ' N' for f in empty[0])} (0 if none)")]
    if not problems:
        write_text_atomic(path, new)
    return problems, ([] if problems else dropped)
