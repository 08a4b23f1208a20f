"""Profiles written in plain block YAML, read without building libyaml's nodes (issue 24, requirement 5).

Almost every profile is lines of ``key: value`` and ``- item``, indented by spaces, with plain or simply
quoted one-line values. ``BlockReader.read`` reads exactly that shape line by line, and gives up (None) on
anything else: flow brackets, block scalars (``|``, ``>``), anchors, aliases, tags, multi-line values,
comments after a value, duplicate keys, odd indentation, keys that are not plain names, numbers YAML
reads surprisingly, tabs and characters libyaml refuses. ``load.parse_profile`` then reads the file
the full way (libyaml's nodes and PyYAML's constructor), which makes every message and refusal.

Values are PyYAML's: each plain scalar's tag comes from PyYAML's own implicit resolvers (the same
regular expressions in the same order), and every value that is not text is made by PyYAML's own
constructor for its tag. Each key's line, and each list item's, is recorded as ``load._walk`` records
them. tests/test_fast_paths.py compares both ways on every profile the project holds, hostile YAML
and mutated profiles.
"""
from __future__ import annotations

import re
from typing import Any, Callable

import yaml

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"

# one line: indentation, an optional '- ' (the dash and the spaces after it), an optional plain key, the rest
_LINES = re.compile(r"^( *)(?:(-)( +|$))?(?:([A-Za-z_][A-Za-z0-9_]*):(?: +|$))?(.*)$", re.MULTILINE)
# what libyaml reads as something other than a plain scalar when it starts a value
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_SINGLE = re.compile(r"'(?:[^']|'')*'")
_DOUBLE = re.compile(r'"[^"\\]*"')
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
# anything but the characters libyaml reads (tabs, line breaks other than \n, U+FEFF, controls) sends the file the full way
_UNSAFE = re.compile("[^\n -~\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")

_MADE = frozenset((_NULL, _BOOL, _INT, _FLOAT, "tag:yaml.org,2002:timestamp"))
_REMEMBERED = 4096  # at most this many keys and values are remembered (a process reading hostile files stays small)
KEY, DASH, SCALAR = 0, 1, 2


class _Unsupported(Exception):
    """The text is not in the plain block shape: read it the full way."""


class _Values(yaml.constructor.SafeConstructor):
    """PyYAML's constructors for one scalar at a time."""


_VALUES = _Values()


class BlockReader:
    """Reads plain block YAML with a loader's constructors (``yaml_constructors``) and implicit resolvers
    (``yaml_implicit_resolvers``); ``max_depth`` and ``max_digits``: deeper nesting and longer numbers are
    left to the full way, which refuses them."""

    def __init__(self, constructors: dict[str, Callable], resolvers: dict[Any, list], max_depth: int,
                 max_digits: int) -> None:
        self.constructors = constructors
        self.max_depth = max_depth
        self.max_digits = max_digits
        self.wildcard = list(resolvers.get(None, []))
        self.resolvers = {k: list(v) + self.wildcard for k, v in resolvers.items() if k is not None}
        # a value starting with none of these is text as it stands (no resolver, no indicator, no quote)
        self.special = None if self.wildcard else _INDICATORS | {"'", '"'} | set(self.resolvers)
        # each key seen: its one copy when YAML reads it as text, else "" (true, null...); and each key's dotted path
        # (its line's key in ``lines``), one copy of each: every profile's keys are then the same objects, which
        # pickle writes once a chunk of results (nationally the profiles a worker sends back 1.1 MB -> 0.4 MB a
        # thousand homes, their pickling and unpickling about twice as quick)
        self.keys: dict[str, str] = {}
        self.paths: dict[str, str] = {}
        self.made: dict[str, Any] = {}  # values that are not text (true, 12, 2021-03-31), made once each

    def read(self, text: str) -> tuple[dict, dict[str, int]] | None:
        """The mapping ``text`` holds and the line of each key and list item, or None when the text is
        not plain block YAML (or anything in it needs a message)."""
        if "\r" in text:
            text = text.replace("\r\n", "\n")
            if "\r" in text:
                return None
        if _UNSAFE.search(text):
            return None
        toks = _tokens(text)
        if not toks or toks[0][0] != 0 or toks[0][1] != KEY:
            return None
        reader = _Reader(self, toks)
        try:
            data, end = reader.mapping(0, 0, "", 1)
        except _Unsupported:
            return None
        if end != len(toks):
            return None
        return data, reader.lines


def _tokens(text: str) -> list[tuple[int, int, int, str, str]]:
    """(indent, kind, line, key, value) for each line that is not blank or a comment; a '- ' line gives two.
    Empty when a line cannot be in plain block YAML."""
    lines = _LINES.findall(text)  # one match a line, found in C
    if len(lines) != text.count("\n") + 1:
        return []  # never expected: every line matches once
    toks: list[tuple[int, int, int, str, str]] = []
    append = toks.append
    no = 0
    for indent, dash, gap, key, value in lines:
        no += 1
        if not dash and not key and (not value or value[0] == "#"):
            continue  # a blank line or a comment
        col = len(indent)
        value = value.rstrip(" ")
        if dash:
            append((col, DASH, no, "", ""))
            col += 1 + len(gap)
            if not key:
                if not value:
                    return []  # '-' alone: the item is on the lines below
                if value[0] == "-" and (len(value) == 1 or value[1] == " "):
                    return []  # '- - x'
                append((col, SCALAR, no, "", value))
                continue
        elif not key:
            return []  # a line without a key: a multi-line value, '---', a quoted key...
        append((col, KEY, no, key, value))
    return toks


class _Reader:
    def __init__(self, config: BlockReader, toks: list) -> None:
        self.toks = toks
        self.n = len(toks)
        self.lines: dict[str, int] = {}
        self.config = config
        self.max_depth = config.max_depth
        self.special = config.special
        self.keys = config.keys
        self.paths = config.paths

    def mapping(self, i: int, indent: int, prefix: str, depth: int) -> tuple[dict, int]:
        if depth >= self.max_depth:
            raise _Unsupported
        toks, n, lines = self.toks, self.n, self.lines
        out: dict = {}
        while i < n:
            col, kind, no, key, value = toks[i]
            if col < indent:
                break
            if col > indent or kind != KEY:
                raise _Unsupported
            text_key = self.keys.get(key)
            if text_key is None:
                text_key = key if self.tag(key) == _STR else ""
                if len(self.keys) < _REMEMBERED:
                    self.keys[key] = text_key
            if key in out or not text_key:
                raise _Unsupported  # a duplicate key; a key YAML reads as true, null...
            key = text_key  # the one copy
            dotted = self.path(f"{prefix}.{key}") if prefix else key
            lines[dotted] = no
            i += 1
            if value:
                out[key] = self.scalar(value)
                continue
            nxt = toks[i] if i < n else None
            if nxt is not None and nxt[0] > indent:
                if nxt[1] == KEY:
                    out[key], i = self.mapping(i, nxt[0], dotted, depth + 1)
                else:
                    out[key], i = self.sequence(i, nxt[0], dotted, depth + 1)
            elif nxt is not None and nxt[0] == indent and nxt[1] == DASH:  # a list under its key, not indented
                out[key], i = self.sequence(i, indent, dotted, depth + 1)
            else:
                out[key] = self.scalar("")
        return out, i

    def sequence(self, i: int, indent: int, prefix: str, depth: int) -> tuple[list, int]:
        if depth >= self.max_depth:
            raise _Unsupported
        toks, n, lines = self.toks, self.n, self.lines
        out: list = []
        while i < n:
            col, kind, no, _, _ = toks[i]
            if col < indent or col == indent and kind == KEY:
                break
            if col > indent or kind != DASH:
                raise _Unsupported
            dotted = self.path(f"{prefix}.{len(out)}")
            lines[dotted] = no
            col, kind, _, _, value = toks[i + 1]  # a dash line always has its item
            if kind == SCALAR:
                out.append(self.scalar(value))
                i += 2
            else:
                item, i = self.mapping(i + 1, col, dotted, depth + 1)
                out.append(item)
        return out, i

    def path(self, dotted: str) -> str:
        """The one copy of a dotted path (at most _REMEMBERED of them are kept)."""
        paths = self.paths
        kept = paths.get(dotted)
        if kept is None:
            if len(paths) >= _REMEMBERED:
                return dotted
            kept = paths[dotted] = dotted
        return kept

    def tag(self, value: str) -> str:
        config = self.config
        for tag, regexp in config.resolvers.get(value[0] if value else "", config.wildcard):
            if regexp.match(value):
                return tag
        return _STR

    def scalar(self, value: str) -> Any:
        first = value[:1]
        special = self.special
        if special is not None and first not in special:  # most values: text as it stands
            if " #" in value or ": " in value or value[-1] == ":":
                raise _Unsupported  # a comment, or a mapping YAML would refuse
            return value
        if first == "'":
            if not _SINGLE.fullmatch(value):
                raise _Unsupported
            return value[1:-1].replace("''", "'")
        if first == '"':
            if not _DOUBLE.fullmatch(value):
                raise _Unsupported
            return value[1:-1]
        if first in _INDICATORS and (first != "-" or value[1:2] in ("", " ")):
            raise _Unsupported
        if " #" in value or ": " in value or value.endswith(":"):
            raise _Unsupported  # a comment, or a mapping YAML would refuse
        made = self.config.made
        if value in made:
            return made[value]
        tag = self.tag(value)
        if tag == _STR:
            return value
        if tag == _INT or tag == _FLOAT:
            if len(value) > self.config.max_digits and sum(ch.isdigit() for ch in value) > self.config.max_digits:
                raise _Unsupported
            if tag == _INT and not _PLAIN_INT.fullmatch(value) or tag == _FLOAT and (":" in value or "_" in value):
                raise _Unsupported  # base 60, base 8: load._scalar_problem words the message
        construct = self.config.constructors.get(tag)
        if construct is None or tag not in _MADE:
            raise _Unsupported
        result = construct(_VALUES, yaml.ScalarNode(tag, value))
        if len(made) < _REMEMBERED:
            made[value] = result
        return result
