"""Current services only (issue 21, requirement 8): a home CQC deregistered keeps its page, marked closed,
and leaves the find page, the lists and the counts; the open data keeps it. Real Oldham CQC records
(tests/fixtures/cqc-oldham-closed: Acorn Lodge deregistered 2024-09-18, Boston House in 2011, Stoneleigh
House registered). A service already deregistered when it is first imported is counted, never imported."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import CLOSED_HOME, OLDHAM_CLOSED, TODAY, listed_then_closed
from helpers import search_index

from carehomes import closures
from carehomes.pipeline import check_paths
from carehomes.render import browse_lists, render_homes, stats
from carehomes.report import recent_closures, report_html, signals
from carehomes.search import write_facets
from carehomes.sources.cqc_files import import_cqc
from carehomes.views import HomeView

EDIT = "https://github.com/example/directory/edit/main/"


@pytest.fixture(scope="module")
def oldham_imported(tmp_path_factory) -> tuple[str, Path]:
    """The three real records imported after a first import that had Acorn Lodge still registered, once a module (two
    imports): the summary of the second import and the folder of profiles, which the tests only read."""
    work = tmp_path_factory.mktemp("closed")
    report = listed_then_closed(work / "providers", work)
    return report.summary(), work / "providers"


# one xdist worker runs the module, so oldham_imported is made once a run, not on each worker
pytestmark = pytest.mark.xdist_group("closed-oldham")


@pytest.fixture
def oldham(oldham_imported) -> tuple[str, list[HomeView]]:
    """The summary of the second import, then the homes' views, checked and made afresh for each test (the tests
    change their views)."""
    summary, folder = oldham_imported
    checked = check_paths([folder], on=TODAY)
    assert checked.problems == []
    views = sorted((HomeView(p.data, TODAY, repo_edit=EDIT) for p in checked.profiles), key=lambda v: v.slug)
    return summary, views


def test_a_first_import_counts_every_closed_service_and_imports_none(tmp_path):
    """Acorn Lodge closed on the data's day, Boston House 14 years before: neither gets a profile (issue 21). Acorn Lodge,
    within the year before the register, is kept in _closed.yaml, so that the market page and the report count its
    closure (the commissioner review: a first year knew no closure)."""
    summary = import_cqc(OLDHAM_CLOSED, tmp_path / "providers").summary().splitlines()
    assert summary[:6] == ["CQC API (JSON) file dated 2024-09-18 (the newest date in it, as the file gives no date of its "
                           "own; give --as-of YYYY-MM-DD if CQC dated it):", "  1 new profile created", "  0 updated, 0 unchanged",
                           "  0 no longer on the register (flagged, not deleted)",
                           "  2 not imported: deregistered before it was ever listed here",
                           "  1 of them closed in the year before the register's date: kept in _closed.yaml (no page), so "
                           "that the market page and the commissioner report count them as closures"]
    assert summary[-2:] == ["  closed, not imported: Boston House (1-146777373, deregistered 2011-06-29)",
                            "  closed, not imported: Acorn Lodge Nursing Home (1-151959980, deregistered 2024-09-18)"]
    assert sorted(p.name for p in (tmp_path / "providers").iterdir()) == ["_closed.yaml", "stoneleigh-house.yaml"]
    kept, wrong = closures.read(tmp_path / "providers")
    assert wrong is None and kept is not None
    assert (kept.since, kept.until) == (dt.date(2023, 9, 19), dt.date(2024, 9, 18))
    assert [(s["name"], s["cqc"]["status_date"], s["beds"]["registered"]) for s in kept.services] == [
        ("Acorn Lodge Nursing Home", dt.date(2024, 9, 18), 85)]
    # check, fmt and the site leave it out: it is no profile
    assert check_paths([tmp_path / "providers"], on=TODAY).problems == []


def test_a_listed_home_that_closes_keeps_its_profile_marked_closed(oldham):
    summary, views = oldham
    lines = summary.splitlines()
    assert lines[3:5] == ["  0 no longer on the register (flagged, not deleted)", "  1 deregistered by CQC (kept, marked closed)"]
    assert "  deregistered: Acorn Lodge Nursing Home (acorn-lodge-nursing-home.yaml) on 2024-09-18" in lines
    assert "  closed, not imported: Boston House (1-146777373, deregistered 2011-06-29)" in summary.splitlines()
    assert [(v.name, v.closed) for v in views] == [("Acorn Lodge Nursing Home", True), ("Stoneleigh House", False)]


def test_a_closed_home_keeps_its_page_marked_closed_without_shortlist_or_beds(oldham, tmp_path):
    _, views = oldham
    for v in views:  # as if each had told us its free beds before Acorn Lodge closed
        v.d["beds"] |= {"nursing": {"available": 2}, "confirmed": dt.date(2024, 9, 1)}
    render_homes(views, tmp_path / "site", ("<html><body>", "</body></html>"), "council@example.org")
    acorn = (tmp_path / "site" / "homes" / "acorn-lodge-nursing-home" / "index.html").read_text(encoding="utf-8")
    open_home = (tmp_path / "site" / "homes" / "stoneleigh-house" / "index.html").read_text(encoding="utf-8")
    assert '<p class="admonition-title">Closed: CQC deregistered this home on 18 September 2024.</p>' in acorn
    assert ('<a href="https://www.cqc.org.uk/location/1-151959980/reports" rel="nofollow noopener">See this home on the CQC '
            "website</a>") in acorn
    for gone in ("ch-shortlist", "beds free", "Beds free", "update-vacancies",
                 'id="vacancies"', 'id="not-known"'):
        assert gone not in acorn, gone
        assert gone in open_home or gone == "Beds free", gone
    # kept for the record, it offers no claim or update forms (nobody runs it to claim it): a mistake goes to the council
    assert "Update this home's details" not in acorn and "Claim it" not in acorn
    assert ('<h2 id="update">Spotted a mistake?</h2>\n<p>If this home is still open, or anything here is wrong, '
            '<a href="mailto:') in acorn
    assert "CQC rating: Good (15 July 2021, " in acorn  # its history stays on the page
    assert "ch-closed" not in open_home


def test_closed_homes_leave_the_lists_the_counts_and_the_find_pages_data(oldham, tmp_path):
    _, views = oldham
    st = stats(views, TODAY)
    assert (st["homes"], st["closed"]) == ("1", "1")
    assert st["beds"] == f"{views[1].get('beds.registered'):,}"  # Stoneleigh's beds only
    listed = {v.name for pages in browse_lists(views, views[0].s).values() for page in pages for v in page.homes}
    assert listed == {"Stoneleigh House"}
    write_facets([v for v in views if not v.closed], tmp_path)  # as the build's search stage is given them
    assert json.loads((tmp_path / "search" / "facets.json").read_text())["homes"] == 1


def test_the_report_signals_a_closure_only_since_the_last_release(oldham):
    _, views = oldham
    today = dt.date(2024, 9, 18)
    thresholds = {"recent_days": 365}

    def names(found: list) -> list[tuple[str, str]]:
        return [(s.home, s.signal) for s in found if s.signal == "Not on the CQC register"]

    assert names(signals(views, today, thresholds, (dt.date(2024, 9, 1), {}))) == [("Acorn Lodge Nursing Home", "Not on the CQC register")]
    assert names(signals(views, today, thresholds, (dt.date(2024, 9, 30), {}))) == [], "closed before the last release: history"


def test_the_built_site_keeps_the_closed_page_and_data_but_not_in_search_or_lists(edge_site):
    """The edge site holds the 4 fictional edge homes and Acorn Lodge, closed (conftest.CLOSED_HOME)."""
    import csv

    page = (edge_site / "homes" / CLOSED_HOME / "index.html").read_text(encoding="utf-8")
    assert "Closed: CQC deregistered this home on 18 September 2024." in page
    find = (edge_site / "find" / "index.html").read_text(encoding="utf-8")
    assert "Browse all 4 homes without searching" in find and "Acorn Lodge" not in find
    assert "Manchester" not in find, "its town is not offered as a filter"
    home = (edge_site / "index.html").read_text(encoding="utf-8")
    assert "<strong>4 care homes</strong>" in home
    assert not any("Acorn Lodge" in p.read_text(encoding="utf-8") for p in (edge_site / "browse").rglob("*.html"))
    facets = json.loads((edge_site / "search" / "facets.json").read_text())
    assert facets["homes"] == 4
    indexed = search_index(edge_site)
    assert len(indexed) == 4 and CLOSED_HOME not in indexed
    assert not any("M35" in f.name for f in (edge_site / "search" / "near").iterdir())
    with (edge_site / "data" / "care-homes.csv").open(encoding="utf-8") as f:
        rows = {r["slug"]: r for r in csv.DictReader(f)}
    assert (rows[CLOSED_HOME]["cqc_status"], rows[CLOSED_HOME]["cqc_status_date"]) == ("Deregistered", "2024-09-18")
    opendata = (edge_site / "open-data" / "index.html").read_text(encoding="utf-8")
    assert "4 homes, and 1 closed home kept in the files with their CQC status and the date it changed." in opendata


def test_a_closure_with_no_date_is_judged_by_the_last_release(oldham):
    """No status date (a home missing from the register, say): news only if the last release still held it
    as registered; already closed there, or with no release to tell, it is history, not a signal."""
    _, views = oldham
    acorn = views[0]
    del acorn.d["cqc"]["status_date"]
    lid, today, thresholds = acorn.d["location_id"], dt.date(2024, 10, 1), {"recent_days": 365}

    def names(previous: tuple[dt.date, dict[str, dict]] | None) -> list[tuple[str, str, str]]:
        return [(s.home, s.signal, s.date) for s in signals(views, today, thresholds, previous) if s.signal == "Not on the CQC register"]

    assert names((dt.date(2024, 9, 1), {lid: {"cqc_status": "Registered"}})) == [("Acorn Lodge Nursing Home", "Not on the CQC register", "")]
    assert names((dt.date(2024, 9, 1), {lid: {"cqc_status": "Deregistered"}})) == [], "closed at the last release: history"
    assert names((dt.date(2024, 9, 1), {})) == [], "not in the last release: not news"
    assert names(None) == [], "no release: when it closed cannot be told"
    assert [v.name for v in recent_closures(views, dt.date(2024, 9, 1), (dt.date(2024, 9, 1), {lid: {"cqc_status": ""}}))] == [
        "Acorn Lodge Nursing Home"]


def test_a_closure_since_a_release_is_judged_by_the_releases_cqc_data_not_the_day_it_was_made(oldham):
    """The steward makes a release on 28 November 2026 from a register dated 1 September 2024; CQC's later file
    says Acorn Lodge closed on 18 September 2024. That is news since the release, though the date CQC gives is
    before the day the release was made: the release held it still on the register, and its CQC data is older."""
    _, views = oldham
    lid, stoneleigh = views[0].d["location_id"], views[1].d["location_id"]
    today, thresholds = dt.date(2024, 9, 18), {"recent_days": 365}
    held = (dt.date(2026, 11, 28), {lid: {"cqc_status": "Registered", "cqc_imported": "2024-09-01"},
                                    stoneleigh: {"cqc_status": "Registered", "cqc_imported": "2024-09-01"}})
    without = (dt.date(2026, 11, 28), {stoneleigh: {"cqc_status": "Registered", "cqc_imported": "2024-09-01"}})
    for previous in (held, without):  # held as registered; or not held, closed after the release's CQC data date
        assert [(s.home, s.date) for s in signals(views, today, thresholds, previous)
                if s.signal == "Not on the CQC register"] == [("Acorn Lodge Nursing Home", "2024-09-18")]
    page = report_html([], views, today, thresholds, "https://example.org/", without)
    assert ("<caption>Closed since the last release (2026-11-28, CQC data as at 2024-09-01), most recent first "
            "(CQC data as at 2024-09-18)</caption>") in page
    assert "No home closed" not in page


def test_a_compare_row_of_beds_a_home_is_not_registered_for_says_so_not_not_provided(oldham):
    """A home without nursing compared beside one with: its "Beds free with nursing" cell said "Not provided yet", as
    if it might have such beds and had not said; CQC does not register it for them (care.nursing: no)."""
    _, (acorn, stoneleigh) = oldham
    v = next(x for x in (acorn, stoneleigh) if not x.closed)
    for flag, row, other in (("nursing", "nursing_free", "residential_free"), ("residential", "residential_free", "nursing_free")):
        v.d["care"] = {**(v.d.get("care") or {}), "nursing": flag != "nursing", "residential": flag == "nursing"}
        v.d.pop("beds", None)
        v.d["beds"] = {"registered": 20}
        fresh = type(v)(v.d, v.today, v.s, v.repo_edit, v.limits, v.checked_on)
        cells = fresh.summary()["compare"]
        assert cells[row] == "CQC does not register it for this care", (flag, cells)  # CQC's fact, not a guess at the home's
        assert cells[other] is None  # offered, but not said: the page's own "not provided yet"
        fresh.d["beds"] = {"registered": 20, flag: {"available": 1}, "confirmed": v.today}  # a value given is still shown
        again = type(v)(fresh.d, v.today, v.s, v.repo_edit, v.limits, v.checked_on)
        assert again.summary()["compare"][row] == "1"


def test_a_closed_home_on_a_shortlist_is_compared_marked_closed_with_its_cqc_page_and_no_beds(oldham):
    """Shortlisted (in localStorage or a shared link) before it closed: its home.json says so, and no bed count."""
    _, (acorn, stoneleigh) = oldham
    for v in (acorn, stoneleigh):
        v.d["beds"] |= {"nursing": {"available": 2}, "confirmed": dt.date(2024, 9, 1)}
    gone = acorn.summary()
    assert (gone["closed"], gone["cqc"]) == ("Closed (CQC deregistered on 18 September 2024)",
                                             "https://www.cqc.org.uk/location/1-151959980/reports")
    assert [gone["compare"][k] for k in ("nursing_free", "residential_free", "confirmed")] == ["Closed: no beds"] * 3
    assert gone["compare"]["beds"] == str(acorn.get("beds.registered")), "its registered beds stay: the record"
    assert "closed" not in stoneleigh.summary() and stoneleigh.summary()["compare"]["nursing_free"] == "2"
    del acorn.d["cqc"]["status_date"]
    assert acorn.summary()["closed"] == "Closed (CQC deregistered)"
