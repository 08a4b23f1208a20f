"""Reading mkdocs.yml (or a --config file) as mkdocs does: INHERIT resolved, the child deep-merged over its parent."""
from __future__ import annotations

import codecs
import os
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .fsutil import NotRegularFile, read_regular
from .safetext import plain
from .text import undecodable

MAX_CONFIG_BYTES = 1 << 20  # a settings file is a few KB
_READ_AS = {"timestamp": "a date", "int": "a whole number", "float": "a number", "bool": "yes or no"}  # YAML's types, in words
_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone surrogate (YAML's "\\ud800"): UTF-8 cannot write it


class ConfigFileError(RuntimeError):
    """A site config file that cannot be read; the message names the file and what to do."""


@dataclass
class ConfigChain:
    """A config's settings with INHERIT resolved, the files read (the config first), and whether any used a tag."""

    raw: dict[str, Any]
    files: list[Path] = field(default_factory=list)
    tagged: bool = False


def merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """``child`` over ``parent`` as mkdocs merges INHERIT: mappings merged key by key, anything else replaced."""
    out = dict(parent)
    for key, value in child.items():
        old = out.get(key)
        out[key] = merge(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
    return out


def load_config_file(path: Path) -> dict[str, Any]:
    """The settings of ``path`` with its INHERIT chain resolved (each parent relative to its child's folder)."""
    return load_config_chain(path).raw


def _text_setting(path: Path, key: str) -> str | None:
    """A text setting of mkdocs.yml (INHERIT resolved), without spaces around it; None when the file or the setting is
    not there, or it is not text."""
    if not path.exists():
        return None
    value = load_config_file(path).get(key)
    return value.strip() or None if isinstance(value, str) else None


def site_url(path: Path) -> str | None:
    """The site's address (``site_url``); None when the file or the setting is not there."""
    return _text_setting(path, "site_url")


def site_name(path: Path) -> str | None:
    """The site's name (``site_name``), the data package's title; None when the file or the setting is not there."""
    return _text_setting(path, "site_name")


def directory_settings(path: Path) -> dict[str, Any]:
    """The council's settings, ``extra.directory`` (INHERIT resolved); empty when not set."""
    return directory_of(load_config_file(path))


def directory_of(raw: dict[str, Any]) -> dict[str, Any]:
    """``extra.directory`` of settings already read (load_config_file); empty when not set, or when ``extra`` or it is
    not an entry of settings (the build's check of the settings names that: never a traceback here)."""
    extra = raw.get("extra")
    directory = extra.get("directory") if isinstance(extra, dict) else None
    return dict(directory) if isinstance(directory, dict) else {}


def load_config_chain(path: Path) -> ConfigChain:
    """load_config_file, also saying which files were read and whether a tag (!ENV, !!python/...) was read as empty."""
    chain = ConfigChain({})
    chain.raw = _load(path, [], chain)
    return chain


MAX_SETTINGS_DEPTH = 40  # mkdocs.yml's nav, theme and extensions are a few levels deep
MAX_SETTINGS_NODES = 200_000  # values once every alias (*name) is written out: a few hundred in a real mkdocs.yml


class SettingsLoader(yaml.SafeLoader):
    """A SafeLoader for a settings file (mkdocs.yml, --config, --signals) that refuses, as a YAML error naming the line,
    nesting deeper than MAX_SETTINGS_DEPTH (PyYAML reads nesting by recursion: 5,000 brackets were a RecursionError
    and 3,000 lines of traceback) and aliases that multiply to more than MAX_SETTINGS_NODES values (a "billion
    laughs" file under extra.directory ran the engine out of memory), as profiles refuse both."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        depth = self.__dict__.get("_depth", 0)
        if depth >= MAX_SETTINGS_DEPTH:
            raise yaml.composer.ComposerError(None, None, f"is nested more than {MAX_SETTINGS_DEPTH} levels deep, deeper "
                                              "than any setting", self.peek_event().start_mark)
        self._depth = depth + 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth = depth
        sizes: dict[int, int] = self.__dict__.setdefault("_sizes", {})
        if node is not None and id(node) not in sizes:  # an alias gives the node it names, whose size counts again where it is used
            sizes[id(node)] = 1 + (sum(sizes.get(id(n), 1) for n in node.value) if isinstance(node, yaml.SequenceNode) else
                                   sum(sizes.get(id(k), 1) + sizes.get(id(v), 1) for k, v in node.value)
                                   if isinstance(node, yaml.MappingNode) else 0)
            if sizes[id(node)] > MAX_SETTINGS_NODES:
                raise yaml.composer.ComposerError(None, None, f"its aliases (*name) repeat it to more than "
                                                  f"{MAX_SETTINGS_NODES:,} values, more than any settings file holds",
                                                  node.start_mark)
        return node


def yaml_problem(path: Path | str, exc: yaml.YAMLError) -> str:
    """A YAML error as one line naming the file, line and column and what is wrong ("found '<stream end>'" told no one
    where, and named the file "<unicode string>")."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    where = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
    return f"{where}: is not valid YAML: {plain(problem, 160)}{f' ({plain(context, 80)})' if context else ''}"


class _RepeatedKey(Exception):
    """A key written twice in one mapping of a settings file: (the key as written again, the line of the first, the line
    of the second, the first as written)."""


def _loader(chain: ConfigChain) -> type[yaml.SafeLoader]:
    """A loader that reads any tag (!ENV, !!python/name:...) as empty, noting it: the build needs only plain settings."""
    class _Loose(SettingsLoader):
        def flatten_mapping(self, node: yaml.MappingNode) -> None:
            """Refuse a key written twice in a mapping (YAML keeps the last without a word: a setting added near the top
            was undone by the template's own further down), before its merge keys (<<) are flattened into it: each
            mapping once, as written, whether it is read itself or first merged into another (then flattened there)."""
            checked = self.__dict__.setdefault("_checked", set())
            if id(node) not in checked:
                checked.add(id(node))
                seen: dict[Any, yaml.ScalarNode] = {}
                for key, _ in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                        value = self.construct_object(key, deep=True)  # true and True, 1 and 1.0 are one key; 1 and '1' two
                        if isinstance(value, Hashable) and value in seen:
                            first = seen[value]
                            raise _RepeatedKey(key.value, first.start_mark.line + 1, key.start_mark.line + 1, first.value)
                        if isinstance(value, Hashable):
                            seen[value] = key
            super().flatten_mapping(node)

        def construct_scalar(self, node: yaml.ScalarNode | yaml.MappingNode) -> Any:
            """A scalar, refusing a lone surrogate ("\\ud800"): no page or file can be written with one."""
            value = super().construct_scalar(node)
            if isinstance(value, str) and _SURROGATE.search(value):
                raise yaml.constructor.ConstructorError(None, None, f"'{plain(node.value, 80)}' holds a character that is "
                                                        "not text (a lone surrogate, written \\ud800 to \\udfff)", node.start_mark)
            return value

        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            """A value, or a message naming its line when it cannot be what it is (2026-02-30, !!int abc, !!bool maybe):
            never Python's ValueError."""
            try:
                return super().construct_object(node, deep)
            except (ValueError, KeyError, AttributeError, TypeError) as exc:
                what = _READ_AS.get(node.tag.rsplit(":", 1)[-1], f"its tag {node.tag}")
                why = f" ({plain(exc, 80)})" if isinstance(exc, ValueError) and not isinstance(exc, UnicodeError) else ""
                raise yaml.constructor.ConstructorError(None, None, f"'{plain(node.value, 80)}' cannot be read as {what}{why}",
                                                        node.start_mark) from None

    def tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
        chain.tagged = True

    def env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        """mkdocs's !ENV: ``!ENV NAME`` or ``!ENV [NAME, OTHER, default]``, the first variable set, else the
        default (a site_name read as empty broke the feed's writer)."""
        chain.tagged = True
        items = [node] if isinstance(node, yaml.ScalarNode) else list(node.value) if isinstance(node, yaml.SequenceNode) else []
        words = [str(loader.construct_scalar(n)) if isinstance(n, yaml.ScalarNode) else "" for n in items]
        names, default = (words, None) if len(words) < 2 else (words[:-1], words[-1])
        return next((os.environ[n] for n in names if n in os.environ), default)

    _Loose.add_multi_constructor("", tag)
    _Loose.add_constructor("!ENV", env)
    return _Loose


def _decoded(path: Path, raw: bytes) -> str:
    """A settings file's text, UTF-8 with or without a byte-order mark; one saved as UTF-16 or in a Windows code page
    (Notepad's "Unicode", Excel's "ANSI": a pound sign or an e-acute as one byte) is refused naming the line and byte,
    as a profile is (Python's "'utf-8' codec can't decode byte 0xe9 in position 190" named neither nor what to do)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ConfigFileError(f"{path}: is saved as UTF-16, not UTF-8; save it as UTF-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigFileError(f"{path}, line {line}: is not UTF-8 text: {undecodable(raw, exc.start)} cannot be read; "
                              "save the file as UTF-8") from None


def _load(path: Path, seen: list[Path], chain: ConfigChain) -> dict[str, Any]:
    try:
        where = path.resolve()
    except (RuntimeError, OSError):  # a symbolic link to itself, or through others back to itself (Python 3.11)
        raise ConfigFileError(f"{path}: is a symbolic link that leads back to itself, never to a file; give the site's "
                              "mkdocs.yml") from None
    if where in seen:
        trail = " -> ".join(str(p) for p in [*seen, where])
        raise ConfigFileError(f"{seen[-1]}: INHERIT makes a loop ({trail}); remove INHERIT from one of these files")
    try:
        raw_bytes = read_regular(path, MAX_CONFIG_BYTES)
        if len(raw_bytes) > MAX_CONFIG_BYTES:
            raise ConfigFileError(f"{path}: is larger than {MAX_CONFIG_BYTES // 1024 // 1024} MB, too large to be a "
                                  "settings file; give the site's mkdocs.yml")
        text = _decoded(path, raw_bytes)
    except FileNotFoundError:
        if seen:
            raise ConfigFileError(f"{seen[-1]}: INHERIT names {path}, which does not exist; "
                                  "give the parent config's path relative to this file's folder") from None
        raise ConfigFileError(f"{path}: no such config file; give an existing mkdocs.yml with --config") from None
    except NotRegularFile:
        raise ConfigFileError(f"{path}: is not a regular file (a device, pipe or folder); give the site's mkdocs.yml") from None
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    chain.files.append(path)
    try:
        raw = yaml.load(text, Loader=_loader(chain))  # noqa: S506 (a SafeLoader that reads tags as empty)
    except yaml.reader.ReaderError as exc:  # PyYAML names a character it refuses by its place in the text, not its line
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigFileError(f"{path}, line {line}: holds the character U+{exc.character:04X}, which a settings file "
                              "may not hold (a control character, often pasted in by mistake); retype that line without it"
                              ) from None
    except yaml.YAMLError as exc:
        raise ConfigFileError(f"{yaml_problem(path, exc)}; fix that line") from None
    except _RepeatedKey as exc:
        key, first, again, first_key = exc.args
        as_written = "" if first_key == key else f", as '{plain(str(first_key), 80)}'"
        raise ConfigFileError(f"{path}, line {again}: the setting '{plain(str(key), 80)}' is written twice in the same place "
                              f"(first on line {first}{as_written}); YAML would keep only the last one without a word, so "
                              "delete the one you do not mean") from None
    raw = raw if raw is not None else {}
    if not isinstance(raw, dict):
        raise ConfigFileError(f"{path}: must be a mapping of settings (site_name: ..., theme: ...), not {type(raw).__name__}")
    parent = raw.pop("INHERIT", None)
    if parent is None:
        return raw
    if not isinstance(parent, str) or not parent:
        raise ConfigFileError(f"{path}: INHERIT must be the path of a parent config file, like INHERIT: mkdocs.yml")
    return merge(_own_place(_load(path.parent / parent, [*seen, where], chain)), raw)


PLACE_SETTINGS = ("fsa_authorities", "localities")  # extra.directory settings of one place, never inherited


def _own_place(parent: dict[str, Any]) -> dict[str, Any]:
    """A parent's settings as a file that INHERITs them takes them: without the settings of the parent's own place
    (PLACE_SETTINGS: its FSA authority codes and localities), so an area that does not set them has none, as
    docs/areas.md says, rather than the top level's (Brighton's FSA fetch downloaded Herefordshire's file, 895)."""
    extra = parent.get("extra")
    if not isinstance(extra, dict):
        return parent
    directory = extra.get("directory")
    if not isinstance(directory, dict) or not any(key in directory for key in PLACE_SETTINGS):
        return parent
    left = {key: value for key, value in directory.items() if key not in PLACE_SETTINGS}
    return {**parent, "extra": {**extra, "directory": left}}
