"""Commissioner intelligence on real data: the Oldham CQC API responses (read only) and the bundled Herefordshire homes.

Issue 25's done-when checks and issue 21's 'current services only': registered homes counted as at the
data's date, closures of the last 12 months with their beds, signals that find the homes at risk."""
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


def views_of(folder: Path, today: dt.date = TODAY) -> list[HomeView]:
    return [HomeView(parse_profile(f.read_text(encoding="utf-8"), str(f))[0].data, today) for f in sorted(folder.glob("*.yaml"))]


@pytest.fixture(scope="module")
def oldham(tmp_path_factory):
    """The import of the Oldham folder, and the views of its care homes (the agencies it imports too are
    tested in test_agencies.py; the market page and the report of agencies are built on their own)."""
    folder = tmp_path_factory.mktemp("oldham") / "providers"
    report = import_cqc(OLDHAM, folder)
    return report, [v for v in views_of(folder) if "care_home" in v.d.get("kinds", ["care_home"])]


@needs_oldham
def test_a_first_import_counts_long_closed_homes_and_keeps_recent_closures(oldham):
    report, views = oldham
    assert report.held["care homes"] == 47, "87 care homes: 44 registered, 3 closed within 12 months, 40 before"
    assert ("  108 not imported: deregistered more than 365 days before the data's date and never listed here "
            "(closed services get no profile; recent closures are kept, marked closed)") in report.summary().splitlines()
    assert "  closed, not imported: Boston House (1-146777373, deregistered 2011-06-29)" in report.summary().splitlines()
    assert sorted(v.name for v in views if closed(v.d)) == ["Acorn Lodge Nursing Home", "Avonleigh Gardens", "Shawside Care Home"]


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
    assert "3 closed homes are not counted." in page
    assert "Shawside" not in page
    assert '<th scope="row">Overall</th><td>0</td><td>32</td><td>6</td><td>0</td><td>6</td>' in page, "Good 32, RI 6 among registered homes"


@needs_oldham
def test_the_report_finds_the_homes_at_risk_and_none_that_closed_long_ago(oldham):
    _, views = oldham
    today = data_date(views)
    assert today is not None
    views = [HomeView(v.d, today) for v in views]
    found = signals(views, today, dict(DEFAULTS))
    closed_ids = {v.d["location_id"] for v in views if closed(v.d)}
    assert {s.signal for s in found if s.location_id in closed_ids} == {"Not on the CQC register"}
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
    assert ('<tr><th scope="row">Shawside Care Home<br><small>1-6355044561</small></th><td>2025-02-27</td><td>150</td><td>150</td>') in page
    assert "Boston House<br><small>1-146777373" not in page
    assert ('<tr><th scope="row">Care home with nursing</th><td>2</td><td>235</td><td>0</td><td>0</td><td>-235</td></tr>') in page
    assert "<title>Care market early-warning report, CQC data as at 2025-03-20</title>" in page


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
