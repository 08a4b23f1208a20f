"""Reading mkdocs.yml (or a --config file) as mkdocs does: INHERIT resolved, the child deep-merged over its parent."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class ConfigFileError(RuntimeError):
    """A site config file that cannot be read; the message names the file and what to do."""


class _Loose(yaml.SafeLoader):
    """Reads any tag (!ENV, !!python/name:...) as empty: the build needs only plain settings."""


_Loose.add_multi_constructor("", lambda loader, suffix, node: None)


def merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """``child`` over ``parent`` as mkdocs merges INHERIT: mappings merged key by key, anything else replaced."""
    out = dict(parent)
    for key, value in child.items():
        old = out.get(key)
        out[key] = merge(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
    return out


def load_config_file(path: Path) -> dict[str, Any]:
    """The settings of ``path`` with its INHERIT chain resolved (each parent relative to its child's folder)."""
    return _load(path, [])


def _load(path: Path, seen: list[Path]) -> dict[str, Any]:
    where = path.resolve()
    if where in seen:
        chain = " -> ".join(str(p) for p in [*seen, where])
        raise ConfigFileError(f"{seen[-1]}: INHERIT makes a loop ({chain}); remove INHERIT from one of these files")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if seen:
            raise ConfigFileError(f"{seen[-1]}: INHERIT names {path}, which does not exist; "
                                  "give the parent config's path relative to this file's folder") from None
        raise ConfigFileError(f"{path}: no such config file; give an existing mkdocs.yml with --config") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigFileError(f"{path}: cannot be read ({exc})") from None
    try:
        raw = yaml.load(text, Loader=_Loose)
    except yaml.YAMLError as exc:
        raise ConfigFileError(f"{path}: is not valid YAML ({exc}); fix the line shown") from None
    raw = raw if raw is not None else {}
    if not isinstance(raw, dict):
        raise ConfigFileError(f"{path}: must be a mapping of settings (site_name: ..., theme: ...), not {type(raw).__name__}")
    parent = raw.pop("INHERIT", None)
    if parent is None:
        return raw
    if not isinstance(parent, str) or not parent:
        raise ConfigFileError(f"{path}: INHERIT must be the path of a parent config file, like INHERIT: mkdocs.yml")
    return merge(_load(path.parent / parent, [*seen, where]), raw)
