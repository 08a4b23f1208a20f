"""Load YAML profiles with the line of every key, using libyaml's C parser."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from .problems import Problem

try:  # libyaml is about seven times faster; fall back so a missing wheel still works
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader  # type: ignore[misc]

MAX_BYTES = 256 * 1024
MAX_DEPTH = 10  # profiles are at most 4 levels deep; deeper input is refused before it is built


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that keeps impossible dates (2026-02-30) as text for the validator to report."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except ValueError:
        return node.value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


@dataclass
class Profile:
    """A parsed profile: its data, where each key is, and the file it came from."""

    path: str
    data: dict
    lines: dict[str, int] = field(default_factory=dict)

    def line(self, dotted: str) -> int:
        """Line of a key, or of its nearest parent that is in the file."""
        while dotted:
            if dotted in self.lines:
                return self.lines[dotted]
            dotted = dotted.rpartition(".")[0]
        return 1

    @property
    def slug(self) -> str:
        return Path(self.path).stem


def display_path(path: Path, base: Path | None = None) -> str:
    """A path as people see it in messages: relative to the working folder where possible."""
    base = base or Path.cwd()
    try:
        return os.path.relpath(path, base) if path.is_absolute() else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


def parse_profile(text: str, path: str) -> tuple[Profile | None, list[Problem]]:
    """Parse one profile's text. Returns the profile (or None) and any problems."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None, [Problem(path, 1, "file", f"is larger than {MAX_BYTES // 1024} KB; a profile should be a few KB")]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem(path, 1, "file", "is empty; copy providers/_template.yaml to start a profile")]
        problems: list[Problem] = []
        lines: dict[str, int] = {}
        _walk(node, "", lines, problems, path, set(), 1)
        if problems:
            return None, problems
        if not isinstance(node, yaml.MappingNode):
            return None, [Problem(path, node.start_mark.line + 1, "file",
                                  "must be a list of 'key: value' lines, starting with location_id:")]
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, None)
        what = (exc.problem or "could not be read").rstrip(".")
        return None, [Problem(path, line, "yaml", f"{what}; {_yaml_hint(what)}", col)]
    except yaml.YAMLError as exc:  # ReaderError: characters YAML forbids
        pos = getattr(exc, "position", None)
        line = text.count("\n", 0, pos) + 1 if isinstance(pos, int) else 1
        return None, [Problem(path, line, "yaml", f"{getattr(exc, 'reason', exc)}; remove the special character")]
    finally:
        loader.dispose()
    return Profile(path, data, lines), []


def _yaml_hint(what: str) -> str:
    if "mapping values are not allowed" in what or "could not find expected ':'" in what:
        return "check the indentation, and put text containing ': ' in quotes"
    if "tab" in what or "'\\t'" in what:
        return "indent with spaces, not tabs"
    if "found undefined alias" in what or "anchor" in what:
        return "anchors and aliases (& and *) are not used in profiles"
    return "compare this line with providers/_template.yaml"


def _walk(node: yaml.Node, prefix: str, lines: dict[str, int], problems: list[Problem],
          path: str, seen: set[int], line: int, depth: int = 0) -> bool:
    """Record key lines; refuse aliases (a YAML 'billion laughs' bomb), duplicate keys and deep nesting.

    Returns True when the nesting is too deep, so the callers stop walking at once."""
    if depth > MAX_DEPTH:
        problems.append(Problem(path, line, prefix.split(".")[0] or "yaml",
                                f"is nested more than {MAX_DEPTH} levels deep; compare it with providers/_template.yaml"))
        return True
    if id(node) in seen:
        problems.append(Problem(path, line, prefix or "yaml",
                                "anchors and aliases (& and *) are not allowed in profiles; write the value out"))
        return False
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys_here: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            line = key_node.start_mark.line + 1
            dotted = f"{prefix}.{key}" if prefix else key
            if key == "<<":
                problems.append(Problem(path, line, dotted, "merge keys ('<<') are not allowed in profiles; write the keys out"))
                continue
            if key in keys_here:
                problems.append(Problem(path, line, dotted,
                                        f"appears twice (first on line {keys_here[key]}); keep one of them"))
                continue
            keys_here[key] = line
            lines[dotted] = line
            if _walk(value_node, dotted, lines, problems, path, seen, line, depth + 1):
                return True
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[f"{prefix}.{i}"] = item.start_mark.line + 1
            if _walk(item, f"{prefix}.{i}", lines, problems, path, seen, item.start_mark.line + 1, depth + 1):
                return True
    return False


def yaml_mapping(text: str, path: str = "<text>") -> dict | None:
    """The mapping a YAML text holds, read with the same guards as profiles; None if it is not one."""
    profile, _ = parse_profile(text, path)
    return profile.data if profile and isinstance(profile.data, dict) else None


def load_profile(file: Path, base: Path | None = None) -> tuple[Profile | None, list[Problem]]:
    """Read and parse one profile file."""
    shown = display_path(file, base)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, 1, "file", f"cannot be read ({exc.strerror})")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, [Problem(shown, line, "file", "is not UTF-8 text; save it as UTF-8")]
    return parse_profile(text, shown)


def profile_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders to the profiles in them (``*.yaml``, not ``_template.yaml`` and friends)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.glob("*.y*ml") if not f.name.startswith(("_", "."))))
        else:
            out.append(p)
    return out


def to_plain(value: Any) -> Any:
    """Dates to ISO text, recursively, so data can be written as JSON."""
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
