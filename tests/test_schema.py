"""The schema is the single source of truth: everything derived from it must match it."""
from __future__ import annotations

import csv
import io
import json

import pytest

from carehomes import docs
from carehomes.kinds import kind, kind_template_path, kinds
from carehomes.load import parse_profile
from carehomes.publish import build_tables
from carehomes.schema import OWNERS, load_schema
from carehomes.validate import check_profile, check_value
from conftest import ROOT, TODAY


def all_fields():
    s = load_schema()
    return s.home_fields + s.capability_fields


def test_every_field_is_documented():
    for f in all_fields():
        assert f.title and f.title != f.name, f.name
        assert len(f.description) > 15, f"{f.name} needs a description"
        assert f.owner in OWNERS, f"{f.name} has owner {f.owner!r}"
        assert f.example is not None, f"{f.name} needs an example"


def test_examples_pass_their_own_field_rules():
    s = load_schema()
    for path, f in s.by_path.items():
        assert check_value(f, f.example) is None, (path, f.example)


def test_package_metadata():
    pkg = load_schema().package
    assert pkg["licenses"][0]["name"] == "OGL-UK-3.0"
    assert pkg["version"] and pkg["sources"]
    for res in pkg["resources"]:
        assert res["schema"]["primaryKey"], res["name"]


def test_csv_columns_are_the_schema_fields():
    """The published CSV headers are the field names in schema/datapackage.json, read here as plain JSON."""
    raw = json.loads((ROOT / "schema" / "datapackage.json").read_text(encoding="utf-8"))
    declared = {r["path"]: [f["name"] for f in r["schema"]["fields"]] for r in raw["resources"]}
    tables = build_tables([], load_schema())
    assert {"care-homes.csv", "capabilities.csv"} <= set(declared)
    for path, names in declared.items():
        assert next(csv.reader(io.StringIO(tables[path]))) == names


@pytest.mark.parametrize("kind_id", ["care_home", "home_care_agency"])
def test_template_is_generated_from_schema_and_valid(kind_id):
    k = kind(kind_id)
    template = kind_template_path(k)
    assert template == {"care_home": docs.TEMPLATE_PATH, "home_care_agency": "providers/_template-home-care-agency.yaml"}[kind_id]
    text = (ROOT / template).read_text()
    assert text == docs.template_text(kind=k), "run: python3 build.py docs"
    profile, found = parse_profile(text, template)
    assert found == [] and check_profile(profile, on=TODAY) == []
    for f in k.fields:
        assert profile.lines.get(f.path), f"template lacks {f.path}"
    others = {p for other in kinds() if other.id != kind_id for p in (f.path for f in other.fields)} - {f.path for f in k.fields}
    assert [p for p in profile.lines if p in others] == []  # a care home's template holds no agency fields, and back
    assert ("kinds" in profile.data) == (kind_id != "care_home")


def test_editor_json_schema_is_generated_from_schema():
    on_disk = json.loads((ROOT / docs.JSON_SCHEMA_PATH).read_text())
    assert on_disk == docs.json_schema(), "run: python3 build.py docs"
    assert on_disk["properties"]["beds"]["properties"]["nursing"]["properties"]["available"]["type"] == "integer"
    assert on_disk["additionalProperties"] is False


def test_data_dictionary_names_every_field():
    text = docs.data_dictionary_html()
    for f in all_fields():
        assert f"<td><code>{f.name}</code></td>" in text, f.name
        assert f"In profiles: <code>{f.path}</code>" in text, f.name
