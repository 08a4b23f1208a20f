"""Write profiles as YAML: new ones in canonical form, existing ones round-trip with comments kept."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from .fsutil import write_set
from .problems import Problem, ProblemsFound
from .schema import Schema, load_schema

_BaseDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[misc, valid-type]
    """Never write anchors and aliases: profiles must not contain them (see load.py)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_profile(data: dict, header: str = "") -> str:
    """Canonical YAML text for a profile (keys already in schema order)."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100, indent=2)
    lines = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return lines + body


class NotWritten(OSError):
    """A profile (or a set of them) that could not be written: the OSError's errno, words and file, raised by
    ``write_texts_atomic`` with every file left as it was, so a command can say so (``fsutil.not_written``) and not
    mistake it for a file it could not read."""


def write_text_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new text, never half of it."""
    write_texts_atomic([(path, text)])


def write_texts_atomic(texts: Iterable[tuple[Path, str]]) -> None:
    """Write files that belong together (an import's profiles, a vacancy sheet's homes) as a set (``fsutil.write_set``):
    a full disk or a folder that cannot be written half way raises NotWritten (an OSError naming the file) with every
    file as it was (an import into a folder on a disk that filled wrote 43 of its 88 new profiles, then stopped with a
    traceback)."""
    try:
        write_set((path, text.encode("utf-8")) for path, text in texts)
    except OSError as exc:
        raise NotWritten(exc.errno, exc.strerror, exc.filename) from exc


def _represent_float(representer: Any, data: Any) -> Any:
    """ruamel.yaml writes a float back in the form it was read, and fails (ValueError) on one that
    rounded to zero or infinity, such as ``1e-99999``: those are written plainly instead (``-0.0``)."""
    try:
        return representer.represent_scalar_float(data)
    except ValueError:
        return representer.represent_float(float(data))


def roundtrip(preserve_quotes: bool = True) -> Any:
    """A ruamel.yaml instance that keeps comments and key order, writing the canonical style
    (2-space indents, list items under their key); ``fmt`` passes preserve_quotes=False."""
    from ruamel.yaml import YAML
    from ruamel.yaml.scalarfloat import ScalarFloat

    y = YAML()
    y.representer.add_representer(ScalarFloat, _represent_float)
    y.representer.ignore_aliases = lambda data: True  # one value set at two places is written twice: no &id001 (load.py)
    y.preserve_quotes = preserve_quotes
    y.width = 100
    y.indent(mapping=2, sequence=2, offset=0)
    return y


def rt_parse(text: str, shown: str, preserve_quotes: bool = True) -> Any:
    """ruamel.yaml's round-trip document of text the loader accepted; ProblemsFound if it cannot read it.

    Line ends are made LF first: ruamel.yaml keeps a CR in a comment's text but writes values with LF,
    so a CRLF file written back would end its lines both ways."""
    try:
        return roundtrip(preserve_quotes).load(text.replace("\r\n", "\n").replace("\r", "\n"))
    except Exception as exc:  # ruamel.yaml raises many exception types; none may reach the user as a traceback
        mark = getattr(exc, "problem_mark", None)
        what = (getattr(exc, "problem", None) or (str(exc).splitlines() or [""])[0] or type(exc).__name__).rstrip(".")
        raise ProblemsFound([Problem(shown, mark.line + 1 if mark else 1, "yaml",
                                    f"cannot be edited ({what}); compare this line with providers/_template.yaml")]) from None


def rt_load(path: Path, shown: str | None = None) -> Any:
    """A profile as a round-trip document, read only after the one loader (``load.load_text``) accepts it."""
    from .load import errors, load_text

    text, problems = load_text(path, shown=shown)
    if text is None:
        raise ProblemsFound(errors(problems))
    return rt_parse(text, shown or str(path))


def rt_dump(doc: Any, shown: str = "<profile>", preserve_quotes: bool = True) -> str:
    """The text of a round-trip document; ProblemsFound (naming ``shown``) if ruamel.yaml cannot write it."""
    buf = io.StringIO()
    try:
        roundtrip(preserve_quotes).dump(doc, buf)
    except Exception as exc:  # ruamel.yaml raises many exception types; never a traceback
        raise ProblemsFound([Problem(shown, 1, "yaml", f"cannot be written back ({exc}); run 'python3 build.py check'")]) from None
    return buf.getvalue()


def rt_set(doc: Any, keys: tuple[str, ...], value: Any, schema: Schema | None = None) -> None:
    """Set a nested value in a round-trip document, adding groups and keys in schema order."""
    from ruamel.yaml.comments import CommentedMap

    schema = schema or load_schema()
    node = doc
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        if key not in node or (not last and not isinstance(node[key], dict)):
            new = value if last else CommentedMap()
            order = list((schema.children(keys[:depth]) or {}).keys())
            pos = _position(list(node.keys()), key, order)
            node.insert(pos, key, new)
        elif last:
            node[key] = value
        node = node[key]


def rt_delete(doc: Any, keys: tuple[str, ...]) -> bool:
    """Remove a nested key; drop groups it leaves empty. Returns True if anything was removed."""
    chain = [doc]
    for key in keys[:-1]:
        nxt = chain[-1].get(key) if isinstance(chain[-1], dict) else None
        if not isinstance(nxt, dict):
            return False
        chain.append(nxt)
    if keys[-1] not in chain[-1]:
        return False
    del chain[-1][keys[-1]]
    for depth in range(len(chain) - 1, 0, -1):
        if len(chain[depth]) == 0:
            del chain[depth - 1][keys[depth - 1]]
    return True


def _position(existing: list[str], key: str, order: list[str]) -> int:
    if key not in order:
        return len(existing)
    rank = order.index(key)
    for i, k in enumerate(existing):
        if k in order and order.index(k) > rank:
            return i
    return len(existing)


def plain_value(value: Any) -> Any:
    """ruamel scalars (ScalarFloat, quoted strings...) to plain Python values for comparing."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list):
        return [plain_value(v) for v in value]
    return value
