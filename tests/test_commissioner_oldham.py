"""Commissioner intelligence on real data: the Oldham CQC API responses (read only) and the bundled Herefordshire homes.

Issue 25's done-when checks and issue 21's 'current services only': registered homes counted as at the
data's date, no page for a service closed before its first import, signals that find the homes at risk."""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from carehomes.load import parse_profile
from carehomes.market import data_date, market_html
from carehomes.records import closed
from carehomes.siteconfig import config_problems
from carehomes.report import DEFAULTS, providers, report_csv, report_html, signals
from carehomes.sources.cqc_files import import_cqc
from carehomes.views import HomeView
from conftest import ROOT, TODAY

OLDHAM = ROOT.parent / "shared" / "data" / "cqc" / "oldham-api-json-2025"
if not OLDHAM.is_dir():  # a worktree beside the main checkout
    OLDHAM = Path("/work/shared/data/cqc/oldham-api-json-2025")
needs_oldham = pytest.mark.skipif(not OLDHAM.is_dir(), reason="the shared Oldham CQC responses are not on this machine")
# one xdist worker runs the module, so its module-scoped import of Oldham (0.3 s) is made once a run, not on each worker
pytestmark = pytest.mark.xdist_group("commissioner-oldham")


def views_of(folder: Path, today: dt.date = TODAY) -> list[HomeView]:
    return [HomeView(parse_profile(f.read_text(encoding="utf-8"), str(f))[0].data, today) for f in sorted(folder.glob("*.yaml"))]


@pytest.fixture(scope="module")
def oldham_import(tmp_path_factory):
    """The import of the Oldham folder (every kind): its report and the folder of profiles it made, once a module."""
    folder = tmp_path_factory.mktemp("oldham") / "providers"
    return import_cqc(OLDHAM, folder), folder


@pytest.fixture(scope="module")
def oldham(oldham_import):
    """The import of the Oldham folder, and the views of its care homes (the agencies it imports too are
    tested in test_agencies.py; the market page and the report of agencies are built on their own)."""
    report, folder = oldham_import
    return report, [v for v in views_of(folder) if "care_home" in v.d.get("kinds", ["care_home"])]


@needs_oldham
def test_a_first_import_lists_the_current_homes_and_counts_every_closed_one(oldham):
    """Issue 21's done-when: 44 current care homes listed, the 43 closed ones reported without pages
    (Shawside closed three weeks before the data, Boston House 14 years before: neither is imported)."""
    report, views = oldham
    assert report.held["care homes"] == 44 and len(views) == 44
    lines = report.summary().splitlines()
    assert ("  115 not imported: deregistered before it was ever listed here (43 care homes, 73 home care agencies; "
            "a location of two kinds counts in both)") in lines
    assert "  closed, not imported: Boston House (1-146777373, deregistered 2011-06-29)" in lines
    assert "Shawside Care Home (1-6355044561, deregistered 2025-02-27)" in report.closed
    assert not any(closed(v.d) for v in views)


@needs_oldham
def test_the_json_import_keeps_key_questions_rating_history_and_the_managers_absence(oldham):
    _, views = oldham
    stoneleigh = next(v for v in views if v.name == "Stoneleigh House")
    assert stoneleigh.get("cqc.rating_history")[:3] == ["2022-02-23 Requires improvement", "2021-01-27 Requires improvement", "2019-04-11 Good"]
    assert stoneleigh.get("cqc.rating_safe") == "Requires improvement"
    ashbourne = next(v for v in views if v.name == "Ashbourne House Care Home")
    assert (ashbourne.get("cqc.registered_manager"), ashbourne.get("cqc.manager_absent_since")) == (False, dt.date(2024, 1, 18))


@needs_oldham
def test_the_market_page_counts_registered_homes_as_at_the_datas_date(oldham):
    _, views = oldham
    assert data_date(views) == dt.date(2025, 3, 20)
    page = market_html(views, TODAY)
    assert ('<strong>CQC data as at 2025-03-20</strong>: 44 registered care homes with 1,574 registered beds, grouped by town.') in page
    assert "closed home" not in page and "Shawside" not in page
    assert '<th scope="row">Overall</th><td>0</td><td>34</td><td>6</td><td>0</td><td>4</td>' in page, "Good 34, RI 6 among registered homes"


@needs_oldham
def test_oldham_profiles_say_what_cqcs_records_say_and_no_more(oldham, oldham_import):
    """From the faithfulness review: a rating CQC gives only in its newer assessment (Franklin House, Treetops) is
    the home's current rating, with the assessment's date as the latest report's; "Services for everyone" leaves the
    bands unknown, never "no" (Bridging the Gap); CQC's dormant flag is kept (nine agencies registered but not
    providing care)."""
    _, views = oldham
    franklin = next(v for v in views if v.get("location_id") == "1-5312102242")
    assert (franklin.get("cqc.rating"), franklin.get("cqc.rating_date"), franklin.get("cqc.report_date")) == (
        "Good", dt.date(2024, 8, 8), dt.date(2024, 8, 8))
    every = views_of(oldham_import[1])  # the agencies too
    gap = next(v for v in every if v.name == "Bridging the Gap Limited - Oldham")
    assert all(gap.get(f"care.user_bands.{b}") is None for b in ("older_people", "dementia", "younger_adults", "children"))
    assert sum(v.get("cqc.dormant") is True for v in every) == 9
    taylor = next(v for v in every if v.slug == "54-taylor-street")  # registered, never reported on: as the live sync says
    assert (taylor.get("cqc.rating"), taylor.get("cqc.report_url")) == ("Not yet rated", None)


@needs_oldham
def test_the_report_finds_the_homes_at_risk_and_none_that_closed_long_ago(oldham):
    _, views = oldham
    today = data_date(views)
    assert today is not None
    views = [HomeView(v.d, today) for v in views]
    found = signals(views, today, dict(DEFAULTS))
    assert (len(found), len({s.home for s in found})) == (77, 38), "119 signals for 81 homes when closed homes were imported"
    assert not any(s.signal == "Not on the CQC register" for s in found), "a closure before the first import is history"
    by = {(s.home, s.signal): s for s in found}
    assert {"Park House Residential Care Home", "Dryclough Manor"} <= {h for h, sig in by if sig == "Safe rated Requires improvement"}
    fell = by[("Stoneleigh House", "Rating fell")]
    assert (fell.value, fell.date) == ("Good (2019-04-11) to Requires improvement (2021-01-27, 2022-02-23)", "2022-02-23")
    assert by[("Ashbourne House Care Home", "No registered manager")].date == "2024-01-18"
    assert by[("Chadderton Total Care", "Repeated Requires improvement")].value.startswith("Requires improvement at 5 inspections in a row")
    assert {h for h, sig in by if sig == "New registration"} == {"Avonleigh Gardens", "Beech House Care Home", "Miller House Care Home",
                                                                 "Royton House Care Home", "Shaw House Care Home"}
    assert by[("Stoneleigh House", "Rating out of date")].value == "1121 days old on 2025-03-20", "ages run from the data's date"
    rows = list(csv.DictReader(io.StringIO(report_csv(found))))
    assert rows and all(r["data_as_at"] == "2025-03-20" and r["provider_id"] and r["cqc_link"].startswith("https://www.cqc.org.uk/location/")
                        and r["source"] for r in rows)
    group = next(p for p in providers(views, found) if p.provider_id == "1-101667914")
    assert (len(group.homes), group.beds) == (4, 120)
    assert group.homes_with_signals == 4
    page = report_html(found, views, today, dict(DEFAULTS), "https://x.org/")
    assert "Shawside" not in page and "1-146777373" not in page, "the closed Boston House (another one is open)"
    assert ('<tr><th scope="row">Care home without nursing</th><td>0</td><td>0</td><td>5</td><td>179</td><td>+179</td></tr>'
            '</tbody></table>') in page
    assert "<title>Care market early-warning report, CQC data as at 2025-03-20</title>" in page
    assert ("<h2>Closures</h2>\n<p>This is the first import: there is no earlier release to compare with. Locations CQC "
            "deregistered before it were never listed in this directory, so they are not counted as closures here; closures "
            "are counted from the next release on (python3 build.py release).</p>\n<h2>") in page  # Shawside is not "closed since"


def test_herefordshire_dementia_capacity_by_council_locality():
    views = views_of(ROOT / "providers")
    localities = {"Hereford": ["HR1", "HR2", "HR4"], "Leominster": ["HR6"], "Ross-on-Wye": ["HR9"]}
    page = market_html(views, TODAY, localities)
    assert "<th scope=\"col\">Dementia: homes (beds)</th>" in page
    assert "grouped by locality" in page
    for name in ("Hereford", "Leominster", "Ross-on-Wye", "Total"):
        assert f'<tr><th scope="row">{name}</th>' in page
    assert '<tr><th scope="row">Ludlow</th>' in page, "a home outside every locality falls back to its postal town"


def test_localities_must_map_names_to_postcode_districts():
    assert config_problems({"extra": {"directory": {"localities": {"Leominster": "HR6"}}}}) == [
        "extra.directory.localities must map each locality to its postcode districts, like Leominster: [HR6]"]
    assert config_problems({"extra": {"directory": {"localities": {"Leominster": ["HR6"]}}}}) == []
