"""The open data's schema version says what its tables are (schema/versions.json).

Every published package says its schema's version as schemaVersion, so that a reuser can tell which columns and types
to expect. It said 1.0.0 from the first release (2026-11-23: care-homes of 63 columns, and capabilities) to 6 December
2026, by when care-homes had 28 more columns, food_hygiene_rating had become text, and two tables had been added: two
packages of the same schema version had different tables. schema/versions.json now records each version's columns, and
these tests fail when the tables change and the version does not."""
from __future__ import annotations

import json

from conftest import ROOT

from carehomes.schema import load_schema

VERSIONS = json.loads((ROOT / "schema" / "versions.json").read_text(encoding="utf-8"))["versions"]


def columns(package: dict) -> dict[str, list[str]]:
    """Each table of a package (its tabular resources) -> its columns as name:type."""
    return {r["name"]: [f"{f['name']}:{f.get('type', 'string')}" for f in r["schema"]["fields"]]
            for r in package["resources"] if "schema" in r}


def semver(text: str) -> tuple[int, int, int]:
    major, minor, patch = (int(n) for n in text.split("."))
    return major, minor, patch


def needed(before: dict[str, list[str]], after: dict[str, list[str]]) -> str:
    """The least version step from tables ``before`` to ``after``: 'major' when a table or column was removed,
    renamed or given another type, 'minor' when only added, '' when the same."""
    for table, cols in before.items():
        if not set(cols) <= set(after.get(table, [])):
            return "major"
    return "minor" if before != after else ""


def step(older: str, newer: str) -> str:
    (a, b, c), (x, y, z) = semver(older), semver(newer)
    return "major" if x > a else "minor" if (x, y) > (a, b) else "patch" if (x, y, z) > (a, b, c) else "none"


def test_the_schemas_version_is_the_newest_recorded_with_exactly_its_tables():
    package = load_schema().package
    newest = VERSIONS[0]
    assert package["version"] == newest["version"], (
        f"schema/datapackage.json says version {package['version']}, but the newest in schema/versions.json is "
        f"{newest['version']}: add an entry for it there, first")
    now = columns(package)
    if now != newest["fields"]:
        added = {t: sorted(set(c) - set(newest["fields"].get(t, []))) for t, c in now.items()}
        gone = {t: sorted(set(c) - set(now.get(t, []))) for t, c in newest["fields"].items()}
        raise AssertionError(
            f"the tables of schema/datapackage.json differ from those schema/versions.json records for version "
            f"{newest['version']} (added or retyped: {({t: c for t, c in added.items() if c})}; removed or retyped: "
            f"{({t: c for t, c in gone.items() if c})}): raise its version ({needed(newest['fields'], now)} step: a table or "
            "column added raises the minor version, one removed, renamed or retyped the major) and record the new one first "
            "in schema/versions.json, with what changed and its columns")


def test_each_recorded_version_is_a_step_of_the_size_its_changes_need():
    for newer, older in zip(VERSIONS, VERSIONS[1:], strict=False):  # each with the one before it
        need = needed(older["fields"], newer["fields"])
        took = step(older["version"], newer["version"])
        assert need, f"{newer['version']} records the same tables as {older['version']}: it is no new version of them"
        assert took in (("major",) if need == "major" else ("major", "minor")), (
            f"{older['version']} to {newer['version']} is a {took} step, but a column or table was "
            f"{'removed, renamed or retyped' if need == 'major' else 'added'}: that needs a {need} step")
        assert newer["date"] > older["date"] and newer["changes"].strip()


def test_the_first_release_published_the_columns_recorded_for_its_version():
    """The record of 1.0.0 is what the release of 2026-11-23 published, read back from its snapshot."""
    published = json.loads((ROOT / "releases" / "2026-11-23" / "datapackage.json").read_text(encoding="utf-8"))
    [first] = [v for v in VERSIONS if v["version"] == published["schemaVersion"]]
    assert columns(published) == first["fields"]


def test_the_data_guide_says_each_version_and_what_changed():
    guide = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    for v in VERSIONS:
        assert f"**{v['version']}**" in guide, f"docs/data.md does not say schema version {v['version']}"


def test_a_column_added_without_a_new_version_is_found():
    """The check above can fail: the schema with one column more, its version unchanged."""
    package = json.loads(json.dumps(load_schema().package))
    package["resources"][0]["schema"]["fields"].append({"name": "new_column", "type": "string"})
    assert needed(VERSIONS[0]["fields"], columns(package)) == "minor"
    package["resources"][0]["schema"]["fields"][-1]["type"] = "integer"
    del package["resources"][0]["schema"]["fields"][0]
    assert needed(VERSIONS[0]["fields"], columns(package)) == "major"
    assert step("1.0.0", "2.0.0") == "major" and step("2.0.0", "2.1.0") == "minor" and step("2.1.0", "2.1.0") == "none"
