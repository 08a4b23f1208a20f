"""Since when CQC records a service as dormant (registered, giving no care at the moment).

CQC's API gives the date a location became dormant ("dormancy": "Y", "dormancyStartDate": "2024-06-18"), but the
directory imported only the yes/no: Flourishlife Care Ltd's page, card and compare column said "dormant" without
since when, though a discharge team needs to know whether it is a week or three years. The date is now imported
(cqc.dormant_since: only for a dormant location; a date beside "N" is dropped, a kept one cleared) and said, from
face.json's words, with its age, wherever the face says dormant; with no date CQC gave, nothing is said of since when.
"""
from __future__ import annotations

import ast
import csv
import datetime as dt
import json

import pytest
import yaml
from conftest import CQC, ROOT, TODAY
from test_importer import write_rows
from test_validate import problems

from carehomes.pipeline import check_paths, views_of
from carehomes.schema import load_schema
from carehomes.sources.cqc_files import ImportError_, import_cqc, read_register
from carehomes.views import HomeView

RESPONSES = CQC / "oldham-api-json-2025" / "location_details"
PROVIDERS = ROOT / "areas" / "oldham" / "providers"
FLOURISHLIFE, TAYLOR, BLUEBIRD, ABBEY_HEY = "1-19573984858", "1-19058360435", "1-20396464281", "1-1145266322"


def response(location_id: str) -> dict:
    return json.loads((RESPONSES / f"location_{location_id}.json").read_text(encoding="utf-8"))


def saved(folder, *docs: dict):
    (folder / "location_details").mkdir(parents=True, exist_ok=True)
    for doc in docs:
        (folder / "location_details" / f"location_{doc['locationId']}.json").write_text(json.dumps(doc), encoding="utf-8")
    return folder


def regulator(folder) -> dict[str, dict]:
    return {r.location_id: r.regulator for r in read_register(folder)[1]}


def test_a_saved_response_gives_since_when_only_for_a_dormant_location(tmp_path, shared_data):
    """Flourishlife's own response: dormant since 18 June 2024. 54 Taylor Street without the key, and Bluebird Care
    Oldham with it empty: dormant, since not known (None, never a guess). Abbey Hey Care Home, not dormant, with a
    date put beside its "N": not dormant, and no date kept."""
    assert (response(FLOURISHLIFE)["dormancy"], response(FLOURISHLIFE)["dormancyStartDate"]) == ("Y", "2024-06-18")
    taylor = response(TAYLOR)
    del taylor["dormancyStartDate"]
    bluebird = dict(response(BLUEBIRD), dormancyStartDate="")
    abbey = response(ABBEY_HEY)
    assert abbey["dormancy"] == "N" and "dormancyStartDate" not in abbey  # as every response not dormant is
    abbey["dormancyStartDate"] = "2023-01-01"
    got = regulator(saved(tmp_path / "api", response(FLOURISHLIFE), taylor, bluebird, abbey))
    assert {lid: (r["cqc.dormant"], r["cqc.dormant_since"]) for lid, r in got.items()} == {
        FLOURISHLIFE: (True, dt.date(2024, 6, 18)), TAYLOR: (True, None), BLUEBIRD: (True, None), ABBEY_HEY: (False, None)}
    # a date that is not one is named, for a dormant location; beside "N" it is not read at all
    abbey["dormancyStartDate"] = "soon"
    assert regulator(saved(tmp_path / "n", abbey))[ABBEY_HEY]["cqc.dormant_since"] is None
    with pytest.raises(ImportError_) as exc:
        read_register(saved(tmp_path / "bad", dict(response(FLOURISHLIFE), dormancyStartDate="soon")))
    assert f"location_{FLOURISHLIFE}.json: field 'dormancyStartDate': 'soon' is not a date" in str(exc.value)


def test_a_location_no_longer_dormant_loses_its_date(tmp_path, shared_data):
    """Imported dormant since 18 June 2024; CQC's next response says "N" (its old date still beside it): the profile
    keeps no date, so no "since" is said beside "No". The market file's "N" (it gives no date) clears one too."""
    providers = tmp_path / "providers"
    import_cqc(saved(tmp_path / "first", response(FLOURISHLIFE)), providers, as_of=dt.date(2025, 3, 20))
    profile = next(providers.glob("*.yaml"))
    assert yaml.safe_load(profile.read_text())["cqc"]["dormant_since"] == dt.date(2025 - 1, 6, 18)
    woke = dict(response(FLOURISHLIFE), dormancy="N")
    import_cqc(saved(tmp_path / "again", woke), providers, as_of=dt.date(2025, 3, 21))
    cqc = yaml.safe_load(profile.read_text())["cqc"]
    assert cqc["dormant"] is False and "dormant_since" not in cqc
    src = CQC / "mooperd-cqc-companies-2025-08" / "Locations-head.csv"
    records = read_register(src)[1]
    assert {r.regulator["cqc.dormant"] for r in records} == {True, False}
    assert all(r.regulator["cqc.dormant_since"] is None for r in records if r.regulator["cqc.dormant"] is False)
    assert all("cqc.dormant_since" not in r.regulator for r in records if r.regulator["cqc.dormant"] is True)  # kept as held


def test_api_csv_gives_the_date_day_first(tmp_path, shared_data):
    """The Devon API records saved as CSV slash their dates: Bindon Residential Home dormant since 6 February 2019; a
    row not dormant with a date (even an unreadable one) beside its "N" gives none, and is not refused for it."""
    lines = (CQC / "philpearson-api-devon-2021-02" / "cqc_care_homes.csv").read_text(encoding="utf-8-sig").splitlines()
    rows = list(csv.DictReader(lines))
    bindon = next(r for r in rows if r["name"] == "Bindon Residential Home")
    assert (bindon["dormancy"], bindon["dormancyStartDate"]) == ("Y", "06/02/2019")
    other = next(r for r in rows if r["dormancy"] == "N" and r["registrationStatus"] == "Registered"
                 and ast.literal_eval(r["gacServiceTypes"]))
    other = dict(other, dormancyStartDate="31/31/2020")
    write_rows(tmp_path / "api.csv", [bindon, other])
    got = {r.location_id: r.regulator for r in read_register(tmp_path / "api.csv")[1]}
    assert got[bindon["locationId"]]["cqc.dormant_since"] == dt.date(2019, 2, 6)
    assert (got[other["locationId"]]["cqc.dormant"], got[other["locationId"]]["cqc.dormant_since"]) == (False, None)


@pytest.fixture(scope="module")
def flourishlife() -> HomeView:
    checked = check_paths([PROVIDERS], on=TODAY)
    return next(v for v in views_of(checked.profiles, TODAY, load_schema(), None, {}) if v.slug == "flourishlife-care-ltd")


def test_flourishlifes_page_card_and_compare_say_since_when(flourishlife):
    """What a discharge nurse reads of Flourishlife Care Ltd (Oldham) on 23 November 2026: dormant since 18 June 2024,
    2 years 5 months ago, on its card, at the top of its page, in its Registration facts and in its compare column."""
    v = flourishlife
    # as at the register that says so, not "2 years 5 months ago", which a register of March 2025 cannot say (a review)
    since = "since 18 June 2024, as at CQC's register of 20 March 2025"
    assert v.get("cqc.dormant_since") == dt.date(2024, 6, 18)
    assert v.card_lines()[1] == f"Not providing care at the moment, CQC says ({since})"
    assert v.dormant_text == ("The Care Quality Commission (CQC) says this agency is registered but not providing care at "
                              "the moment (since 18 June 2024; CQC information dated 20 March 2025, 1 year 8 months ago). "
                              "CQC calls "
                              "this dormant. Check with the agency or the council before you count on a place.")
    fact = next(f for g in v.groups() for f in g.facts if f.label == "Not providing care at the moment (CQC)")
    assert (fact.text, fact.note) == ("Yes: registered but not providing care at the moment", since)
    assert (v.compare_cells()["dormant"], v.compare_extras()["notes"]["dormant"]) == ("No", since)
    assert v.summary()["notes"]["dormant"] == since  # home.json, which the compare page reads


def test_an_unknown_start_says_nothing_of_since_when(flourishlife):
    """Dormant with no date CQC gave: the same words as before, no "since"; a location not dormant says nothing."""
    v = flourishlife
    d = json.loads(json.dumps(v.d, default=str))
    del d["cqc"]["dormant_since"]
    u = HomeView(d, TODAY, v.s)
    assert u.card_lines()[1] == "Not providing care at the moment, CQC says"
    assert u.dormant_text.startswith("The Care Quality Commission (CQC) says this agency is registered but not providing "
                                     "care at the moment (CQC information dated 20 March 2025, 1 year 8 months ago). CQC")
    assert u.compare_cells()["dormant"] == "No" and "dormant" not in u.compare_extras()["notes"]
    assert next(f for g in u.groups() for f in g.facts if f.label == "Not providing care at the moment (CQC)").note is None


def test_check_takes_the_date_as_any_other():
    """A past date is taken; one in the future (the day after the check's) is refused, as every date is
    (tests/test_validate.py: one written DD/MM/YYYY too)."""
    assert problems("cqc:\n  dormant: true\n  dormant_since: 2024-06-18\n") == []
    assert problems("cqc:\n  dormant: true\n  dormant_since: 2026-11-24\n") == [
        "providers/t.yaml:8: cqc.dormant_since: 2026-11-24 is in the future (today is 2026-11-23); give the date the fact "
        "was true"]


def test_a_date_beside_no_is_never_said(flourishlife):
    """A hand-edited profile saying dormant: no beside a dormant_since (the template's own examples are such a pair; the
    import never writes one) had its compare column read "No" with "since 18 June 2024" under it."""
    d = json.loads(json.dumps(flourishlife.d, default=str))
    d["cqc"]["dormant"] = False
    u = HomeView(d, TODAY, flourishlife.s)
    # a Yes said as at CQC's register, as a No is ("at the moment" read as today: the accessibility review)
    assert u.compare_cells()["dormant"] == "Yes" and u.compare_extras()["notes"]["dormant"] == "as at CQC's register of 20 March 2025"
    assert not any("since 18 June 2024" in line for line in u.card_lines())
