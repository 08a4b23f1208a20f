"""Records: a care home as a nested dict shaped like a profile, and the helpers every stage shares.

Sources turn outside data into records, checks read them, outputs write them. These helpers
only walk and reshape dicts; they know nothing about files or formats.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from .load import to_plain
from .schema import Schema, load_schema


def get_path(data: dict, keys: Iterable[str]) -> Any:
    """The value at ``keys`` in nested dicts, or None when any step is missing."""
    node: Any = data
    for k in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(k)
    return node


CURRENT_STATUSES = (None, "Registered")  # no status: a home added by hand, taken as open


def closed(data: dict) -> bool:
    """Whether the profile is of a service no longer on the CQC register (deregistered, or missing from
    the latest register). A closed home keeps its profile and its open data row, with its status and
    date, but leaves the counts, the market page, the report's ordinary signals and the browse lists."""
    cqc = data.get("cqc")
    return (cqc.get("status") if isinstance(cqc, dict) else None) not in CURRENT_STATUSES


def canonical(data: dict, schema: Schema | None = None) -> dict:
    """A profile with keys in schema order, empty values and groups dropped, dates as text."""
    schema = schema or load_schema()

    def walk(node: dict, tree: dict) -> dict:
        out: dict = {}
        for key, sub in tree.items():
            if key not in node or node[key] is None:
                continue
            value = node[key]
            if isinstance(sub, dict):
                if isinstance(value, dict):
                    inner = walk(value, sub)
                    if inner:
                        out[key] = inner
            elif value != [] and value != "":
                out[key] = to_plain(value)
        return out

    return walk(data, schema.tree)


def flatten(data: dict, prefix: str = "", out: dict | None = None) -> dict[str, Any]:
    """{'beds': {'nursing': {'total': 3}}} -> {'beds.nursing.total': 3} (one walk instead of a lookup per field)."""
    out = {} if out is None else out
    for k, v in data.items():
        if isinstance(v, dict):
            flatten(v, f"{prefix}{k}.", out)
        else:
            out[f"{prefix}{k}"] = v
    return out


def typed_dates(data: dict, schema: Schema | None = None, prefix: str = "") -> dict:
    """ISO text back to dates (for writing YAML that holds real dates, not quoted strings)."""
    schema = schema or load_schema()
    out: dict[str, Any] = {}
    for k, v in data.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict):
            out[k] = typed_dates(v, schema, path + ".")
        elif schema.by_path.get(path) and schema.by_path[path].type == "date" and isinstance(v, str):
            out[k] = dt.date.fromisoformat(v)
        else:
            out[k] = v
    return out


def set_path(data: dict, keys: Iterable[str], value: Any) -> None:
    """Set ``value`` at ``keys``, making the dicts on the way."""
    keys = tuple(keys)
    node = data
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node[keys[-1]] = value

