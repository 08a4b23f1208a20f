"""Documents derived from the schema: the profile template, the editor JSON Schema, the data dictionary."""
from __future__ import annotations

import argparse
import html
import json
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .kinds import Kind, default_kind, kind_template_path, kinds, profile_key
from .schema import OWNERS, ROOT, Field, Schema, load_schema
from .validate import DEFAULT_MAX_ITEM_LENGTH

JSON_SCHEMA_PATH = "schema/profile.schema.json"

TYPE_WORDS = {
    "string": "text", "integer": "whole number", "number": "number", "boolean": "yes or no",
    "date": "date, YYYY-MM-DD", "list": "list of text",
}


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.isdigit():
        return f"'{value}'"  # as 'fmt' writes text that looks like a number
    if isinstance(value, str):
        needs_quotes = (not value or value[0] in "!&*{}[]|>'\"%@`#,?:-" or ": " in value or " #" in value
                        or value.lower() in ("yes", "no", "true", "false", "on", "off", "null", "~")
                        or value.replace(".", "", 1).lstrip("-").isdigit())
        return json.dumps(value, ensure_ascii=False) if needs_quotes else value
    return str(value)


def constraint_words(f: Field) -> str:
    """Constraints in plain English, e.g. 'one of: Good, ...', '0 to 5'."""
    c = f.constraints
    parts = []
    if "enum" in c:
        parts.append("one of: " + ", ".join(c["enum"]))
    if "minimum" in c and "maximum" in c:
        parts.append(f"{c['minimum']} to {c['maximum']}")
    if f.decimal_places is not None:
        parts.append(f"at most {f.decimal_places} decimal places")
    if "maxLength" in c:
        parts.append(f"at most {c['maxLength']} {'items' if f.type == 'list' else 'characters'}")
    if f.format == "uri":
        parts.append("starts with https:// or http://")
    if f.format == "email":
        parts.append("an email address")
    if c.get("unique"):
        parts.append("unique")
    return "; ".join(parts)


def template_paths(schema: Schema | None = None) -> dict[str, Kind]:
    """Each kind's template file (``providers/_template.yaml`` for the first kind), by path."""
    schema = schema or load_schema()
    return {kind_template_path(k, schema): k for k in kinds(schema)}


def _kind_tree(tree: dict, paths: set[str], prefix: str = "") -> dict:
    """The schema's tree cut down to the fields whose paths are in ``paths``."""
    out: dict = {}
    for key, node in tree.items():
        if isinstance(node, dict):
            inner = _kind_tree(node, paths, f"{prefix}{key}.")
            if inner:
                out[key] = inner
        elif f"{prefix}{key}" in paths:
            out[key] = node
    return out


def _own_fields(tree: dict, own: dict[str, Field], prefix: str = "") -> None:
    """Each field of ``tree`` (the schema's, the first kind's words) replaced by the kind's own of the same path."""
    for key, node in tree.items():
        if isinstance(node, dict):
            _own_fields(node, own, f"{prefix}{key}.")
        elif f"{prefix}{key}" in own:
            tree[key] = own[f"{prefix}{key}"]


def template_text(schema: Schema | None = None, kind: Kind | None = None) -> str:
    """The fully commented profile template of a kind (the first: ``providers/_template.yaml``)."""
    schema = schema or load_schema()
    kind = kind or default_kind(schema)
    first = kind.id == default_kind(schema).id
    what = kind.title.lower()
    # the kind's own fields, as its table words them ("Name of agency", not the first kind's "Name of care home")
    own = {f.path: f for f in kind.fields}
    paths = set(own) | (set() if first else {profile_key(schema)})
    if kind.needs_resource == "capabilities":  # each need's answer and beds: the kind's fields name only their date
        paths |= {p for p in schema.by_path if p.startswith("capabilities.")}
    tree = _kind_tree(schema.tree, paths)
    _own_fields(tree, own)
    out = [
        f"# yaml-language-server: $schema=../{JSON_SCHEMA_PATH}",
        "#",
        f"# TEMPLATE: every field a {what} profile can hold. This file is not a {'home' if first else what},",
        "# and every value in it is a made-up example.",
        "#",
        f"# To add a {'home' if first else what}, copy this file to providers/<page-name>.yaml (an area's",
        "# own folder: areas/NAME/providers/), keep the lines you can answer, change the",
        "# values and delete the rest. Only the fields marked REQUIRED must be there;",
        "# anything you leave out shows as 'not provided yet'. A line left as this file's",
        "# made-up example is refused by check.",
        "#",
        "# Who changes what:",
    ]
    noun = "home" if first else what.split()[-1]  # "agency": who the provider is, in the kind's words
    out += [f"#   [{k}] {v.replace('The home', f'The {noun}')}" for k, v in OWNERS.items()]
    out += [
        "#",
        "# Dates are written YYYY-MM-DD. Yes/no questions take yes or no.",
        "# This file is generated from schema/datapackage.json: do not edit it by hand.",
        "",
    ]

    def emit(tree: dict, prefix: str, indent: int) -> None:
        pad = "  " * indent
        for key, node in tree.items():
            path = f"{prefix}{key}"
            if isinstance(node, dict):
                if prefix == "capabilities." and key in schema.capability_codes:
                    label = next(c.label for c in schema.capabilities if c.code == key)
                    out.append(f"{pad}# Capability: {label}")
                out.append(f"{pad}{key}:")
                emit(node, path + ".", indent + 1)
                continue
            f: Field = node
            words = [f"{'REQUIRED' if f.required else 'Optional'}", f"[{f.owner}]", TYPE_WORDS[f.type]]
            cons = constraint_words(f)
            if cons:
                words.append(cons)
            note = f"{f.title}. {f.description}" if not path.startswith("capabilities.") else f.description
            for line in textwrap.wrap(note, 88 - len(pad)):
                out.append(f"{pad}# {line}")
            out.append(f"{pad}# ({', '.join(words)})")
            value = f.example
            if f.name == "example":
                value = True
            if path == profile_key(schema):
                value = [kind.id]
            if isinstance(value, list):
                out.append(f"{pad}{key}:")
                out.extend(f"{pad}- {_yaml_scalar(v)}" for v in value)
            elif f.name == "description":  # kept line for line (|-), as the page shows it: a folded >- joins the lines
                out.append(f"{pad}{key}: |-")
                out.append(f"{pad}  {value}")
            else:
                out.append(f"{pad}{key}: {_yaml_scalar(value)}")

    emit(tree, "", 0)
    return "\n".join(out) + "\n"


def _json_type(f: Field) -> dict[str, Any]:
    c = f.constraints
    out: dict[str, Any] = {"title": f.title, "description": f"{f.description} [owner: {f.owner}]"}
    if f.type == "string":
        out["type"] = "string"
        if "pattern" in c:
            out["pattern"] = f"^(?:{c['pattern']})$"
        if "maxLength" in c:
            out["maxLength"] = c["maxLength"]
        if "enum" in c:
            out["enum"] = c["enum"]
        if f.format == "uri":
            out["pattern"] = "^https?://"
        if f.format == "email":
            out["format"] = "email"
    elif f.type in ("integer", "number"):
        out["type"] = f.type
        for k in ("minimum", "maximum"):
            if k in c:
                out[k] = c[k]
    elif f.type == "boolean":
        out["type"] = "boolean"
    elif f.type == "date":
        out["type"] = "string"
        out["format"] = "date"
        out["pattern"] = r"^\d{4}-\d{2}-\d{2}$"
    elif f.type == "list":
        item: dict[str, Any] = {"type": "string", "pattern": "^[^;]+$", "maxLength": DEFAULT_MAX_ITEM_LENGTH}
        if f.item_pattern:
            item["pattern"] = f"^(?:{f.item_pattern})$"
        out.update({"type": "array", "items": item, "uniqueItems": True})
        if "maxLength" in c:
            out["maxItems"] = c["maxLength"]
    out["examples"] = [f.example] if f.example is not None else []
    return out


def json_schema(schema: Schema | None = None) -> dict:
    """JSON Schema (draft-07) for a YAML profile, for editors such as VS Code's YAML extension."""
    schema = schema or load_schema()

    def walk(tree: dict, prefix: str) -> dict:
        props, required = {}, []
        for key, node in tree.items():
            if isinstance(node, dict):
                props[key] = walk(node, f"{prefix}{key}.")
            else:
                props[key] = _json_type(node)
                if node.required:
                    required.append(key)
        obj: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
        if required:
            obj["required"] = required
        return obj

    root = walk(schema.tree, "")
    return {"$schema": "http://json-schema.org/draft-07/schema#",
            "$id": "profile.schema.json",
            "title": "Care home profile",
            "description": f"Generated from schema/datapackage.json (version {schema.package.get('version')}); do not edit.",
            **root}


def json_schema_text(schema: Schema | None = None) -> str:
    return json.dumps(json_schema(schema), indent=2, ensure_ascii=False) + "\n"


def html_table(caption: str, header: list[str], rows: list[list[str]], row_headers: bool = False) -> str:
    """A wide table in a keyboard-scrollable region. Caption and headers are escaped here; cells
    are already-safe HTML. With ``row_headers`` each row's first cell is its header."""
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in header)
    first = '<th scope="row">{}</th>' if row_headers else "<td>{}</td>"
    body = "".join("<tr>" + first.format(r[0]) + "".join(f"<td>{c}</td>" for c in r[1:]) + "</tr>" for r in rows)
    return (f'<div class="ch-table-wrap" role="region" tabindex="0" aria-label="{html.escape(caption)}">'
            f'<table class="ch-table"><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


FIELD_REFERENCE_PATH = "docs/data.md"
FIELD_REFERENCE_BLOCK = "field-reference"


def field_reference_markdown(schema: Schema | None = None) -> str:
    """Every field a profile can hold (Markdown table), generated from the schema: for stewards and developers
    (docs/data.md); the managers' "For providers" page has the forms instead."""
    schema = schema or load_schema()

    def cell(text: str) -> str:
        return " ".join(text.split()).replace("|", "\\|")

    rows, seen_caps = [], False
    for path, f in schema.by_path.items():
        if path.startswith("capabilities.") and path != "capabilities.confirmed":
            if not seen_caps:
                seen_caps = True
                names = ", ".join(f"`{c.code}` ({c.label})" for c in schema.capabilities)
                keys = [q.split(".")[2] for q in schema.by_path if q.startswith(f"capabilities.{path.split('.')[1]}.")]
                rows.append([f"`capabilities.<need>.{keys[0]}`" + "".join(f", `.{k}`" for k in keys[1:]),
                             f"For each need: can the home accept it, and how many beds with and without nursing. Needs: {names}",
                             "yes or no; whole numbers", schema.values.owners["provider"].changed_by])
            continue
        cons = constraint_words(f)
        rows.append([f"`{f.path}`", f.description + (" **Required.**" if f.required else ""),
                     TYPE_WORDS[f.type] + (f"; {cons}" if cons else ""), schema.values.owners[f.owner].changed_by])
    head = "| Field in the file | What it means | How to write it | Who changes it |\n|---|---|---|---|\n"
    return head + "".join("| " + " | ".join(cell(c) for c in r) + " |\n" for r in rows)


def fill_field_reference(text: str, schema: Schema | None = None) -> str:
    """``text`` (docs/data.md) with its ``<!-- field-reference -->`` block made from the schema."""
    start, end = f"<!-- {FIELD_REFERENCE_BLOCK} -->\n", f"<!-- /{FIELD_REFERENCE_BLOCK} -->"
    before, found, rest = text.partition(start)
    if not found or end not in rest:
        return text
    return before + start + field_reference_markdown(schema) + end + rest.split(end, 1)[1]


def data_dictionary_html(schema: Schema | None = None, examples: Mapping[str, Any] | None = None) -> str:
    """The data dictionary as HTML tables, for the open data page. ``examples``: profile path -> the site's own value,
    given in place of a field's real example (``exampleIsReal``: Herefordshire, Hereford) so that Oldham's page gives
    Oldham's locality, not Herefordshire's."""
    schema = schema or load_schema()
    examples = examples or {}
    out = []
    from .outputs.tables import dated_words, resource_dates

    tables = {k.resource: list(k.fields) for k in kinds(schema)} | {"capabilities": schema.capability_fields}
    for res in schema.package["resources"]:
        if res["name"] not in tables:
            out.append(_lookup_table_html(res))
            continue
        fields = tables[res["name"]]
        dates = resource_dates(schema.package["resources"], res["name"], schema)  # as datapackage.json's dateField
        rows = []
        for f in fields:
            rules = "; ".join(filter(None, ["required" if f.required else "", constraint_words(f)]))
            example = examples.get(f.path, f.example) if f.example_is_real else f.example
            ex = ";".join(example) if isinstance(example, list) else example
            ex = ("true" if ex else "false") if isinstance(ex, bool) else ex
            dated = dated_words(f.owner, f.type, dates.get(f.name), lambda c: f"<code>{html.escape(c)}</code>")
            rows.append([f"<code>{f.name}</code>", f"<strong>{html.escape(f.title)}</strong>. {html.escape(f.description)}"
                         f"{dated} In profiles: <code>{html.escape(f.path)}</code>.", TYPE_WORDS[f.type], f.owner,
                         html.escape(rules), html.escape(str(ex))])
        out.append(f"<h3>{html.escape(res['title'])} (<code>{res['path']}</code>)</h3>\n<p>{html.escape(res.get('description', ''))}</p>\n")
        out.append(html_table(f"Columns of {res['path']}", ["Column", "Meaning", "Type", "Source", "Rules", "Example"], rows))
    return "\n".join(out)


def _lookup_table_html(res: dict) -> str:
    """A lookup table published beside the data (such as nhs-trusts.csv), for the data dictionary."""
    rows = [[f"<code>{html.escape(f['name'])}</code>", (f"<strong>{html.escape(f.get('title', f['name']))}</strong>. "
             f"{html.escape(f.get('description', ''))}"), TYPE_WORDS.get(f["type"], f["type"]), "NHS ODS",
             html.escape(", ".join(k for k, v in f.get("constraints", {}).items() if v is True)), html.escape(str(f.get("example", "")))]
            for f in res["schema"]["fields"]]
    return (f"<h3>{html.escape(res['title'])} (<code>{res['path']}</code>)</h3>\n<p>{html.escape(res.get('description', ''))}</p>\n"
            + html_table(f"Columns of {res['path']}", ["Column", "Meaning", "Type", "Source", "Rules", "Example"], rows))


COMMANDS_PATH = "docs/commands.md"


def _default_words(action: argparse.Action, root: Path) -> str:
    """An option's default for the reference: paths inside the repository relative to it, nothing for a switch."""
    if not action.option_strings:
        return "required" if action.nargs not in ("?", "*") else ""
    if action.required or isinstance(action, (argparse._StoreTrueAction, argparse._HelpAction)):
        return "required" if action.required else ""
    values = action.default if isinstance(action.default, list) else [action.default]
    words = []
    for v in values:
        if v is None or v == "":
            continue
        text = str(v)
        if text == str(root) or text.startswith(str(root) + "/"):
            text = Path(text).relative_to(root).as_posix()  # the repository itself is "."
        words.append(f"`{text}`")
    return " ".join(words)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _argument(action: argparse.Action) -> str:
    """How an argument is written: ``--format {text,github}``, ``--max-removals N``, ``paths``."""
    if not action.option_strings:
        return f"`{action.metavar or action.dest}`"
    name = "/".join(action.option_strings)
    if action.nargs == 0:
        return f"`{name}`"
    metavar = action.metavar or ("{" + ",".join(map(str, action.choices)) + "}" if action.choices else action.dest.upper())
    return f"`{name} {metavar}`"


def commands_text(parser: argparse.ArgumentParser, root: Path = ROOT) -> str:
    """The command reference, ``docs/commands.md``: every command of ``parser``, its help, its long
    description (``commandhelp``), its usage and its arguments with their help and defaults."""
    from .commandhelp import COMMON

    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help or "" for c in sub._choices_actions}
    out = ["# Commands", "",
           "<!-- Generated by `python3 build.py docs` from carehomes/cli.py and carehomes/commandhelp.py; do not edit. -->", "",
           f"All commands are `python3 build.py COMMAND`. {parser.description} `python3 build.py COMMAND --help` "
           "prints the same text as below; `python3 build.py docs --check` fails when this page is out of date.", "",
           "| Command | What it does |", "|---|---|"]
    out += [f"| [`{name}`](#{name}) | {_cell(helps.get(name, ''))} |" for name in sub.choices]
    out += ["", "## Rules every command shares", "", COMMON]
    for name, command in sub.choices.items():
        formatter = argparse.HelpFormatter(command.prog, width=10_000)
        formatter.add_usage(command.usage, command._actions, command._mutually_exclusive_groups, prefix="")
        out += ["", f"## {name}", "", f"{helps.get(name, '')[:1].upper()}{helps.get(name, '')[1:]}.", "", "```",
                f"python3 {formatter.format_help().strip()}", "```"]
        if command.description:
            out += ["", command.description]
        rows = [a for a in command._actions if not isinstance(a, argparse._HelpAction)]
        if rows:
            out += ["", "| Argument | What it means | Default |", "|---|---|---|"]
            out += [f"| {_argument(a)} | {_cell((a.help or '').replace('%%', '%'))} | {_default_words(a, root)} |" for a in rows]
    return "\n".join(out) + "\n"
