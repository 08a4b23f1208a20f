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
    if isinstance(value, list):  # each text item as a text is written ("Shaw, No, Royton": No read as no: the re-review)
        value = [_kept_style(None, item) for item in value]
    node = doc
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        if key not in node or (not last and not isinstance(node[key], dict)):
            new = _kept_style(None, value) if last else CommentedMap()
            order = list((schema.children(keys[:depth]) or {}).keys())
            pos = _position(list(node.keys()), key, order)
            node.insert(pos, key, new)
        elif last:
            node[key] = _kept_style(node[key], value)
        node = node[key]


_PYYAML = yaml.resolver.Resolver()  # how a profile's plain values are read (YAML 1.1: yes and no are not text)


def _kept_style(old: Any, value: Any) -> Any:
    """``value`` to put where ``old`` was (None: a new key): ruamel.yaml writes a new text in the old one's block style (a
    description's ``>-``), in which some texts do not read back as they were (a line starting with a tab read with a
    blank line before it, a NEL as a space: the hostile-input review), and writes bare a text that PyYAML, which reads the
    profiles, takes for something else ("Lead manager: No" read as no: the code review); such a text is written
    quoted (single quotes where it is all printable, as ruamel quotes '5'; else double), which reads back exactly."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString, SingleQuotedScalarString

    if not isinstance(value, str) or isinstance(value, ScalarString):
        return value
    if _PYYAML.resolve(yaml.ScalarNode, value, (True, False)) != "tag:yaml.org,2002:str":
        # "No", "on", "1:00": text ruamel writes bare, which PyYAML reads as no text; quoted as ruamel quotes '5'
        return SingleQuotedScalarString(value) if value.isprintable() else DoubleQuotedScalarString(value)
    if not isinstance(old, ScalarString):
        return value
    buf = io.StringIO()
    try:
        roundtrip().dump({"k": type(old)(value)}, buf)
        same = yaml.load(buf.getvalue(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) == {"k": value}  # noqa: S506
    except Exception:  # ruamel.yaml raises many exception types: written quoted, which always reads back
        same = False
    return value if same else DoubleQuotedScalarString(value)


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
    _delete_keeping_comments(chain[-1], keys[-1], chain[-2] if len(chain) > 1 else None, keys[-2] if len(keys) > 1 else None)
    for depth in range(len(chain) - 1, 0, -1):
        if len(chain[depth]) == 0:
            _delete_keeping_comments(chain[depth - 1], keys[depth - 1], chain[depth - 2] if depth > 1 else None,
                                     keys[depth - 2] if depth > 1 else None)
    return True


def _trailing(node: Any, key: Any) -> tuple[Any, Any]:
    """The map and key whose comment token holds the comment lines after ``node[key]`` (its last leaf's, for a group)."""
    while isinstance(node[key], dict) and len(node[key]):
        node, key = node[key], list(node[key].keys())[-1]
    return node, key


def _delete_keeping_comments(node: Any, key: Any, parent: Any = None, parent_key: Any = None) -> None:
    """``del node[key]`` in a round-trip map, keeping the comment lines after it: ruamel holds the comment above a
    key with the key before it, so deleting a key took the next key's comment with it (a template's "# Phone. ..."
    gone with the website above it). Those lines go, each at its own indent, after the key before (its last leaf), or
    to the start of the map where the key was its first (``parent[parent_key]``); lines indented deeper than the key
    were inside what is deleted (an emptied group's) and go with it."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    keys = list(node.keys())
    at = keys.index(key)
    host, leaf = _trailing(node, key)
    item = host.ca.items.get(leaf) if hasattr(host, "ca") else None
    token = item[2] if item and len(item) > 2 else None
    after = token.value.split("\n", 1)[1] if token is not None and "\n" in token.value else ""
    lines = [(len(line) - len(line.lstrip()), line.strip()) for line in after.split("\n") if line.strip().startswith("#")]
    own = node.ca.items.get(key) if hasattr(node, "ca") else None  # an emptied group's start comments (under its key)
    if own and len(own) > 3 and own[3] and isinstance(node[key], dict) and not len(node[key]):
        lines = [(getattr(t, "column", 0) or 0, line.strip()) for t in own[3] for line in str(t.value).split("\n")
                 if line.strip().startswith("#")] + lines
    indent = _column(node)  # deeper lines were inside what was deleted (an emptied group's): gone with it
    lines = [(col, line) for col, line in lines if col <= indent]
    del node[key]
    if not lines:
        return
    if at > 0:
        host, leaf = _trailing(node, keys[at - 1])
        if not hasattr(host, "ca"):
            return
        item = host.ca.items.setdefault(leaf, [None, None, None, None])
        text = "".join(f"{' ' * col}{line}\n" for col, line in lines)
        if item[2] is None:
            item[2] = CommentToken("\n" + text, CommentMark(0), None)
        else:
            item[2].value = item[2].value + ("" if item[2].value.endswith("\n") else "\n") + text
    elif parent is not None and hasattr(parent, "ca"):  # the map's first key: its start, under its own key
        item = parent.ca.items.setdefault(parent_key, [None, None, None, None])
        if item[3] is None:
            item[3] = []
        item[3].extend(CommentToken(line + "\n", CommentMark(col), None) for col, line in lines)


def _column(node: Any) -> int:
    """The column a round-trip map's keys start at (0 when it cannot be known)."""
    try:
        return int(node.lc.col or 0)
    except (AttributeError, TypeError, ValueError):
        return 0


def _position(existing: list[str], key: str, order: list[str]) -> int:
    if key not in order:
        return len(existing)
    rank = order.index(key)
    for i, k in enumerate(existing):
        if k in order and order.index(k) > rank:
            return i
    return len(existing)


def plain_value(value: Any) -> Any:
    """ruamel scalars (ScalarFloat, quoted strings...) to plain Python values for comparing, as the profile is read
    (an unquoted yes is True; a quoted 'yes', a ScalarString, stays text)."""
    if isinstance(value, bool) or value is None:
        return value
    # a word PyYAML (YAML 1.1, as every profile is read: load.py) reads as yes or no, which ruamel.yaml (YAML 1.2) reads as
    # text when written without quotes: a profile's "top_ups: yes" was taken for a change when a form answered Yes
    if type(value) is str and _PYYAML.resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:bool":
        return yaml.constructor.SafeConstructor.bool_values[value.lower()]
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
