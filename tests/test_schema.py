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
    assert template == {"care_home": "providers/_template.yaml", "home_care_agency": "providers/_template-home-care-agency.yaml"}[kind_id]
    text = (ROOT / template).read_text()
    assert text == docs.template_text(kind=k), "run: python3 build.py docs"
    profile, found = parse_profile(text, template)
    assert found == [] and check_profile(profile, on=TODAY) == []
    for f in k.fields:
        assert profile.lines.get(f.path), f"template lacks {f.path}"
    # each need's answer and beds (a providers' review: the template held only capabilities.confirmed, so a manager
    # told to copy a field's line from it found no tracheostomy or palliative care)
    needs = {p for p in load_schema().by_path if p.startswith("capabilities.")}
    assert all(profile.lines.get(p) for p in needs) == (kind_id == "care_home") and len(needs) > 20
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
    # and the column its date is in, as datapackage.json's dateField does (the page named none)
    assert ("bed with nursing. Dated by <code>fees_date</code>. In profiles: <code>fees.nursing_from</code>." in text
            and "this need. Dated by <code>care-homes.capabilities_confirmed</code>." in text
            and "at weekends. Not dated in this data. In profiles: <code>care.weekend_admissions</code>." in text)


@pytest.mark.parametrize("edit, message", [
    (lambda t: "{", ":1: is not valid JSON (Expecting property name enclosed in double quotes, column 2); a missing comma "
                    "or quote is the usual cause"),
    (lambda t: "[]", ": is a list in [ ]; a data package is an entry in { }"),
    (lambda t: t.replace('"name": "care-homes"', '"name": ["care-homes"]', 1),
     ": resources[0].name: is a list in [ ]; give text in quotes"),
    (lambda t: t.replace('"x-directory": {', '"x-directory": {"owners": "x", "unused": {', 1)[:-2] + "}}\n",
     ": x-directory.owners: is text in quotes; give an entry in { }"),
])
def test_a_wrong_schema_is_named_by_its_entry_not_a_traceback(tmp_path, edit, message):
    """Changing schema/datapackage.json at random gave 14 kinds of traceback (from every command: it is read on
    import); each wrong type is named where it is (found by the same changes, none left in 370 tries)."""
    from carehomes.schema import SchemaError

    text = (ROOT / "schema" / "datapackage.json").read_text(encoding="utf-8")
    path = tmp_path / "datapackage.json"
    path.write_text(edit(text), encoding="utf-8")
    with pytest.raises(SchemaError) as e:
        load_schema(path)
    assert str(e.value) == f"{path}{message}"


def test_a_field_with_no_name_and_a_missing_part_are_named(tmp_path):
    from carehomes.schema import SchemaError

    package = json.loads((ROOT / "schema" / "datapackage.json").read_text(encoding="utf-8"))
    del package["resources"][0]["schema"]["fields"][2]["name"]
    path = tmp_path / "datapackage.json"
    path.write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(SchemaError) as e:
        load_schema(path)
    assert str(e.value) == f"{path}: resources[0].schema.fields[2]: has no name; every field of a table has a name and a type"
    package = json.loads((ROOT / "schema" / "datapackage.json").read_text(encoding="utf-8"))
    del package["resources"][0]["schema"]["fields"][2]["profilePath"]
    path.write_text(json.dumps(package), encoding="utf-8")
    load_schema.cache_clear()
    with pytest.raises(SchemaError) as e:
        load_schema(path)
    assert str(e.value) == f"{path}: 'profilePath' is missing; see the description of each part in the file, and docs/architecture.md"


def test_build_py_with_a_wrong_schema_says_so_without_a_traceback(tmp_path):
    import shutil
    import subprocess
    import sys

    # a process: the schema is read when the package is imported, before cli.main
    shutil.copy(ROOT / "build.py", tmp_path / "build.py")
    shutil.copytree(ROOT / "carehomes", tmp_path / "carehomes", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    path = tmp_path / "schema" / "datapackage.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"x-directory": {', '"x-directory": [', 1), encoding="utf-8")
    done = subprocess.run([sys.executable, "build.py", "check"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "CAREHOMES_NO_VENV": "1", "HOME": str(tmp_path)}, timeout=120)
    assert (done.returncode, done.stdout) == (1, ""), done.stderr
    assert done.stderr.startswith(f"{path}:") and "is not valid JSON" in done.stderr and "Traceback" not in done.stderr, done.stderr
