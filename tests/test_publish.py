"""Open data: tables, JSON, datapackage.json, formula neutralising and the round trip."""
from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carehomes.load import parse_profile
from carehomes.outputs.tables import read_tables
from carehomes.publish import build_tables, release_date, write_data
from carehomes.records import canonical, get_path
from carehomes.text import neutralise, restore
from carehomes.schema import load_schema
from carehomes.validate import check_profile, invisible
from carehomes.yamlio import dump_profile
import pytest
from conftest import FIXTURES, TODAY


def fixture_profiles():
    out = []
    for path in sorted((FIXTURES / "profiles").glob("*.yaml")):
        p, _ = parse_profile(path.read_text(), path.name)
        out.append(p)
    return out


def test_formula_cells_are_neutralised():
    for bad in ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "'=x"]:
        assert neutralise(bad).startswith("'")
        assert restore(neutralise(bad)) == bad
    assert neutralise("Aston House") == "Aston House"
    assert neutralise("'Mollies' House") == "'Mollies' House"


def test_hostile_text_in_csv(tmp_path):
    [p, _] = fixture_profiles()
    p.data["name"] = "=cmd|' /C calc'!A0"
    p.data["care"]["acute_trusts"] = ["@evil", "Fine Trust"]
    tables = build_tables([p])
    assert "'=cmd|' /C calc'!A0" in tables["care-homes.csv"]
    assert "'@evil;Fine Trust" in tables["care-homes.csv"]
    assert read_tables(tables["care-homes.csv"], tables["capabilities.csv"])[0]["name"] == "=cmd|' /C calc'!A0"


@pytest.mark.slow  # frictionless validates a whole package
def test_published_package_passes_frictionless(tmp_path):
    import frictionless  # imported here, by the slow tests that use it: not on collection by each worker (0.3 s)

    write_data(fixture_profiles(), tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    pkg = json.loads((tmp_path / "datapackage.json").read_text())
    assert pkg["resources"][0]["hash"].startswith("sha256:")
    records = json.loads((tmp_path / "care-homes.json").read_text())
    assert [r["location_id"] for r in records] == ["1-000000101", "1-000000201"]
    assert records[0]["beds"]["nursing"] == {"total": 30, "available": 2}


def test_output_is_byte_identical_between_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_data(fixture_profiles(), tmp_path / "a")
    write_data(list(reversed(fixture_profiles())), tmp_path / "b")
    written = sorted(f.relative_to(tmp_path / "a") for f in (tmp_path / "a").rglob("*") if f.is_file())
    assert len(written) > 20 and written == sorted(f.relative_to(tmp_path / "b") for f in (tmp_path / "b").rglob("*") if f.is_file())
    for name in written:  # oruk-tabular/ included
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


@pytest.mark.parametrize("forked", [False, True])
def test_the_files_are_the_same_whichever_process_makes_the_database(monkeypatch, forked):
    """The build makes the engine's pages while its data is made (``meanwhile``), and the database beside with the
    workbook then, not in its own process: every file is the same bytes either way, and ``meanwhile`` runs once."""
    from carehomes import parallel
    from carehomes.publish import data_files

    if forked:  # as for a national set: the workbook and the database in a worker process
        monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    profiles, released = fixture_profiles(), dt.date(2026, 11, 23)
    called: list[int] = []
    alone = data_files(profiles, released=released, homepage="", title="", entries=[])
    beside = data_files(profiles, released=released, homepage="", title="", entries=[], meanwhile=lambda: called.append(1))
    assert called == [1] and list(alone) == list(beside) and alone == beside and len(alone["care-homes.db"]) > 10_000


def test_capability_rows_cover_every_capability():
    tables = build_tables(fixture_profiles())
    rows = tables["capabilities.csv"].strip().splitlines()
    assert len(rows) == 1 + 2 * len(load_schema().capabilities)
    assert "1-000000101,tracheostomy,true,2,0" in rows
    assert "1-000000101,spinal_rehabilitation,false,," in rows


# --- property: YAML -> tables -> JSON keeps the meaning ----------------------------------

SAFE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp", "Co", "Cn")),
                    min_size=1, max_size=30).map(str.strip).filter(bool)
# less what check refuses as invisible beyond those categories (U+17B4, a Khmer vowel that is a mark, drawn nowhere)
SAFE_TEXT = SAFE_TEXT.filter(lambda t: invisible(t, multiline=False) is None)
TRICKY = st.sampled_from(["=1+1", "+44", "-x", "@x", "'=y", "''=z", "a;b", "yes", "123", "2025-01-01", "null", "é ü", "<script>"])


def _value(f, schema):
    c = f.constraints
    if f.type == "boolean":
        return st.booleans()
    if f.type == "integer":
        return st.integers(c.get("minimum", 0), c.get("maximum", 10**6))
    if f.type == "number":
        lo, hi = c.get("minimum", 0), c.get("maximum", 10**6)
        if f.decimal_places is not None:  # pounds and pence: whole pence, as check takes them
            return st.integers(int(lo * 100), int(hi * 100)).map(lambda pence: round(pence / 100, f.decimal_places))
        return st.one_of(st.integers(int(lo) + 1, int(hi) - 1), st.floats(lo, hi, allow_nan=False))
    if f.type == "date":
        return st.dates(dt.date(1990, 1, 1), TODAY)
    if f.type == "list":
        item = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True) if f.item_pattern else \
            st.one_of(SAFE_TEXT, TRICKY).filter(lambda t: ";" not in t)
        return st.lists(item, min_size=1, max_size=3, unique=True)
    if "enum" in c:
        return st.sampled_from(c["enum"])
    if "pattern" in c or f.format:
        return st.just(f.example)
    return st.one_of(SAFE_TEXT, TRICKY).map(lambda t: t[: c.get("maxLength", 1000)])


@st.composite
def profiles(draw):
    s = load_schema()
    data: dict = {}
    # a care home's fields: another kind's (an agency's homecare, coverage) are not its to hold
    others = {f.path for name, fields in s.resource_fields.items() if name != "care-homes" for f in fields} - {f.path for f in s.home_fields}
    for path, f in s.by_path.items():
        if path in others or path == "kinds":  # a profile without kinds is a care home
            continue
        if f.required or draw(st.booleans()):
            node = data
            *parents, last = path.split(".")
            for k in parents:
                node = node.setdefault(k, {})
            node[last] = draw(_value(f, s))
    data["slug"] = "t"
    data["location_id"] = "1-000000301"  # not the template's made-up ID, which check refuses
    # a field written as the schema's example (pattern, format) holds the template's made-up text, which check
    # refuses in a real home: such a profile is an example
    made_up = [f for f in s.by_path.values() if isinstance(f.example, str) and not f.example_is_real and f.type == "string"]
    if any(get_path(data, f.path.split(".")) == f.example for f in made_up):
        data["example"] = True
    if data.get("example") and not data["name"].endswith("(fictional)"):
        data["name"] = data["name"][:180] + " (fictional)"
    elif not data.get("example") and "(fictional)" in data["name"].lower():
        data["example"] = True
    # keep the rules across fields: dates present, beds within totals, fees ordered
    for group in ("beds", "capabilities", "fees", "staffing", "food_hygiene", "user_rating"):
        if group in data:
            key = "confirmed" if group in ("beds", "capabilities") else "date"
            data[group][key] = draw(st.dates(dt.date(2000, 1, 1), TODAY))
    for kind in ("nursing", "residential"):
        b = data.get("beds", {}).get(kind)
        if b and "available" in b:
            b["total"] = max(b.get("total", 0), b["available"])
        f = data.get("fees", {})
        if f"{kind}_from" in f and f"{kind}_to" in f and f[f"{kind}_from"] > f[f"{kind}_to"]:
            f[f"{kind}_from"], f[f"{kind}_to"] = f[f"{kind}_to"], f[f"{kind}_from"]
    for code, cap in data.get("capabilities", {}).items():
        if code == "confirmed":
            continue
        cap["accepted"] = True
        for key, kind in (("nursing_beds", "nursing"), ("residential_beds", "residential")):
            if key in cap:
                data.setdefault("beds", {"confirmed": TODAY}).setdefault(kind, {})
                total = data["beds"][kind].get("total", 0)
                data["beds"][kind]["total"] = max(total, cap[key], data["beds"][kind].get("available", 0))
    beds = data.get("beds", {})
    if "registered" in beds:  # free beds, and beds of each type, never more than the registered beds
        n, r = (beds.get(kind, {}).get("available", 0) for kind in ("nursing", "residential"))
        if n + r > 1000:
            beds["residential"]["available"] = r = 1000 - n
        tn, tr = (beds.get(kind, {}).get("total", 0) for kind in ("nursing", "residential"))
        if tn + tr > 1000:  # more than any home is registered for: CQC's figure left out (not known)
            del beds["registered"]
        else:
            beds["registered"] = max(beds["registered"], n + r, tn + tr)
    for kind in ("nursing", "residential"):  # beds of a kind of care the home is registered for (validate._rules)
        counts = data.get("beds", {}).get(kind, {})
        if (counts.get("total") or "available" in counts) and data.get("care", {}).get(kind) is False:
            data["care"][kind] = True
    ur = data.get("user_rating")
    if ur and "score" in ur:
        ur["out_of"] = max(ur.get("out_of", 1), ur["score"], 1)
        ur.setdefault("source", "x")
    cqc = data.get("cqc", {})
    if "rating" in cqc:
        cqc.setdefault("rating_date", TODAY)
    for key in [k for k in cqc if k.startswith("rating_history")]:  # each item 'YYYY-MM-DD Rating', as CQC's (check's rule)
        cqc[key] = list(dict.fromkeys(f"{draw(st.dates(dt.date(2009, 1, 1), TODAY)).isoformat()} "
                                      f"{draw(st.sampled_from(s.values.graded_ratings))}" for _ in cqc[key])) or None
        if cqc[key] is None:
            del cqc[key]
    if cqc.get("status", "Registered") != "Registered":
        cqc.setdefault("status_date", TODAY)
    if "dormant_since" in cqc and cqc.get("dormant") is not True:  # CQC dates only a dormant location's dormancy
        del cqc["dormant_since"]
    return data


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles())
def test_round_trip_keeps_meaning(data):
    text = dump_profile(data)
    profile, found = parse_profile(text, "t.yaml")
    # no error; a warning only for tricky text check rightly warns of ('<script>' in a description: shown as typed)
    assert [str(p) for p in found if p.severity != "warning"] == []
    assert [str(p) for p in check_profile(profile, on=TODAY) if p.severity != "warning"] == []
    assert all("HTML tag" in p.message for p in found)
    tables = build_tables([profile])
    [back] = read_tables(tables["care-homes.csv"], tables["capabilities.csv"])
    expected = canonical(profile.data)
    assert back == expected
    assert json.loads(tables["care-homes.json"]) == [expected]
    assert canonical(data) == expected


def test_a_source_date_epoch_that_is_no_day_is_one_message_before_any_work(tmp_path, monkeypatch):
    """SOURCE_DATE_EPOCH=abc, 1e9 or a number past the year 9999 ended data and build in a traceback (int() or
    fromtimestamp() in release_date), and -1 dated the open data 1969.12.31; an empty one is unset, as before."""
    from conftest import FIXTURES, run_build

    out = tmp_path / "data"
    for value in ("abc", "1e9", "-1", "99999999999999999999", "253402300800"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
        for command in (["data", "--out", str(out)], ["build", "--out", str(tmp_path / "site")],
                        ["release", "--releases", str(tmp_path / "releases")]):
            done = run_build(*command, "--providers", str(FIXTURES / "profiles"))
            assert (done.returncode, done.stderr) == (2, (
                f"SOURCE_DATE_EPOCH='{value}': is not a day to date the release with (the seconds since 1 January 1970, "
                "UTC, in figures, as 'date +%s' prints them, such as 1764979200 for 6 December 2025); set it to such a "
                "number, or unset it to date the release today\n")), (value, command, done.stderr)
        assert not any(tmp_path.iterdir())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", " 1764979200 ")
    assert run_build("data", "--out", str(out), "--providers", str(FIXTURES / "profiles")).returncode == 0
    assert json.loads((out / "datapackage.json").read_text(encoding="utf-8"))["version"] == "2025.12.6"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")
    assert run_build("check", str(FIXTURES / "profiles")).returncode == 0


def test_a_source_date_epoch_of_thousands_of_figures_is_the_same_one_message(monkeypatch):
    """5,000 nines passed the check's isdigit() and ended every dated command in a traceback: Python's int() refuses a
    number of more than 4,300 figures ('Exceeds the limit (4300 digits) for integer string conversion'). Leading
    zeros are still a number of seconds."""
    from carehomes.publish import source_date_problem

    for value in ("9" * 5000, "1" + "0" * 4400):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
        assert (source_date_problem() or "").startswith(f"SOURCE_DATE_EPOCH='{value[:30]}")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0" * 5000 + "1764979200")
    assert source_date_problem() is None and release_date() == dt.date(2025, 12, 6)
