"""Commissioner intelligence on real data: the Oldham CQC API responses (read only) and the bundled Herefordshire homes.

Issue 25's done-when checks and issue 21's 'current services only': registered homes counted as at the
data's date, no page for a service closed before its first import, signals that find the homes at risk."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest

from carehomes.load import parse_profile
from carehomes.market import Tables, data_date, market_html
from carehomes.records import closed
from carehomes.siteconfig import config_problems
from carehomes.report import DEFAULTS, providers, report_csv, report_html, signals
from carehomes.sources.cqc_files import import_cqc
from carehomes.views import HomeView
from conftest import CQC, ROOT, TODAY, run_build

OLDHAM = CQC / "oldham-api-json-2025"  # $CAREHOMES_SHARED, else ../shared (conftest.SHARED)
# one xdist worker runs the module, so its module-scoped import of Oldham (0.3 s) is made once a run, not on each worker
pytestmark = pytest.mark.xdist_group("commissioner-oldham")


def views_of(folder: Path, today: dt.date = TODAY) -> list[HomeView]:
    return [HomeView(parse_profile(f.read_text(encoding="utf-8"), str(f))[0].data, today) for f in sorted(folder.glob("[!_]*.yaml"))]


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


def test_the_json_import_keeps_key_questions_rating_history_and_the_managers_absence(oldham):
    _, views = oldham
    stoneleigh = next(v for v in views if v.name == "Stoneleigh House")
    assert stoneleigh.get("cqc.rating_history")[:3] == ["2022-02-23 Requires improvement", "2021-01-27 Requires improvement", "2019-04-11 Good"]
    assert stoneleigh.get("cqc.rating_safe") == "Requires improvement"
    ashbourne = next(v for v in views if v.name == "Ashbourne House Care Home")
    assert (ashbourne.get("cqc.registered_manager"), ashbourne.get("cqc.manager_absent_since")) == (False, dt.date(2024, 1, 18))


def test_the_market_page_counts_registered_homes_as_at_the_datas_date(oldham):
    _, views = oldham
    assert data_date(views) == dt.date(2025, 3, 20)
    page = market_html(views, TODAY)
    assert ('<strong>CQC data as at 20 March 2025</strong>: 44 registered care homes with 1,574 registered beds, grouped by town.') in page
    assert "closed home" not in page and "Shawside" not in page
    assert '<th scope="row">Overall</th><td>0</td><td>34</td><td>6</td><td>0</td><td>4</td>' in page, "Good 34, RI 6 among registered homes"
    # which of them CQC gave an earlier registration (commissioner review: said only in the tables of concern)
    assert ("<p>4 of the 40 rated homes show a rating CQC gave to an earlier registration of the home (Good 3, Requires "
            "improvement 1), for example before a change of provider: CQC shows it until it rates the new registration.</p>"
            ) in page


def test_the_market_page_and_report_warn_when_the_register_they_are_as_at_is_past_its_age(oldham, oldham_import):
    """Oldham's register of 20 March 2025 is 1 year 8 months old on 23 November 2026: each service page warned, but the
    market page and the report gave the date alone. Within the register's staleness age (3 months) neither warns."""
    _, views = oldham
    said = ("The CQC figures are from CQC&#x27;s register of 20 March 2025, 1 year 8 months ago. Since then, services may "
            "have opened, closed, changed their beds or been inspected. We show this warning when CQC&#x27;s data is more "
            "than 3 months old.")
    page = market_html(views, TODAY)
    assert ('<div class="admonition warning" role="note"><p class="admonition-title">The CQC information may be out of date</p>'
            f"<p>{said}</p></div>") in page
    report = report_html(signals(views, dt.date(2025, 3, 20), dict(DEFAULTS)), views, dt.date(2025, 3, 20), dict(DEFAULTS), "https://x.org/")
    assert f'<p role="note"><strong>The CQC information may be out of date.</strong> {said}</p>' in report
    fresh = views_of(oldham_import[1], dt.date(2025, 6, 19))  # 2 months 30 days after the register
    assert "may be out of date" not in market_html(fresh, dt.date(2025, 6, 19))
    assert "may be out of date" not in report_html([], fresh, dt.date(2025, 3, 20), dict(DEFAULTS), "https://x.org/")
    assert "may be out of date" in market_html(views_of(oldham_import[1], dt.date(2025, 6, 21)), dt.date(2025, 6, 21))


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
    # dated when it fell, the first inspection that gave the lower rating, not the latest of them (a review read
    # "Rating fell (2022-02-23)" as a recent decline); the market page's table says from what, to what, and when
    assert (fell.value, fell.date) == ("Good (2019-04-11) to Requires improvement (2021-01-27, 2022-02-23)", "2021-01-27")
    assert fell.shown == "from Good to Requires improvement on 27 January 2021"
    assert by[("Stoneleigh House", "Safe rating fell")].date == "2019-04-11"
    assert by[("Chadderton Total Care", "Repeated Requires improvement")].shown.startswith("5 inspections in a row, from ")
    # the public table says which ratings CQC gave to an earlier registration, as the home's page does (a registration
    # of 2023 read as seven years of one home's Requires improvement)
    assert by[("Chadderton Total Care", "Repeated Requires improvement")].shown.endswith(", all given to an earlier registration")
    from carehomes.report import concern_rows
    _, rows, _ = concern_rows(views, found, "", "Home")
    chadderton = next(r[2] for r in rows if ">Chadderton Total Care<" in r[0])
    assert "Rated Requires improvement (13 April 2023, given to an earlier registration)" in chadderton
    assert "Safe rating fell (from Good to Requires improvement on 17 April 2019, given to an earlier registration)" in chadderton
    assert by[("Ashbourne House Care Home", "No registered manager")].date == "2024-01-18"
    assert by[("Chadderton Total Care", "Repeated Requires improvement")].value.startswith("Requires improvement at 5 inspections in a row")
    assert {h for h, sig in by if sig == "New registration"} == {"Beech House Care Home", "Miller House Care Home",
                                                                 "Royton House Care Home", "Shaw House Care Home"}
    # a registration showing an earlier one's rating is not a new home (the commissioner review: the report said so of
    # Avonleigh Gardens under its closures, and listed it as a new registration in its signals)
    assert by[("Avonleigh Gardens", "Registered again")].value == (
        "registered 2024-03-26, 59 beds, showing the rating of an earlier registration (CQC location 1-117977107)")
    assert by[("Stoneleigh House", "Old rating")].value == "1121 days old on 2025-03-20", "ages run from the data's date"
    rows = list(csv.DictReader(io.StringIO(report_csv(found))))
    assert rows and all(r["data_as_at"] == "2025-03-20" and r["provider_id"] and r["cqc_link"].startswith("https://www.cqc.org.uk/location/")
                        and r["source"] for r in rows)
    group = next(p for p in providers(views, found) if p.provider_id == "1-101667914")
    assert (len(group.homes), group.beds) == (4, 120)
    assert group.homes_with_signals == 4
    page = report_html(found, views, today, dict(DEFAULTS), "https://x.org/")
    assert "Shawside" not in page and "1-146777373" not in page, "the closed Boston House (another one is open)"
    assert ('<tr><th scope="row">Care home without nursing</th><td>not known</td><td>not known</td><td>4</td><td>120</td>'
            '<td>not known</td></tr></tbody></table>') in page  # Avonleigh Gardens registered again: not new
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
    # a home outside every locality falls back to its postal town, said to be none of the council's localities (the
    # commissioner review read Oldham's "Manchester" as a sixth locality)
    assert '<tr><th scope="row">Ludlow (not in a listed locality)</th>' in page


def test_localities_must_map_names_to_postcode_districts():
    assert config_problems({"extra": {"directory": {"localities": ["Leominster"]}}}) == [
        "extra.directory.localities must map each locality to its postcode districts, like Leominster: [HR6]"]
    # which locality is wrong is named (the message said only what a locality must be)
    assert config_problems({"extra": {"directory": {"localities": {"Leominster": "HR6", "Kington": ["HR5"], "Ledbury": None,
                                                                   "Bromyard": []}}}}) == [
        f"extra.directory.localities: '{name}' must have a list of its postcode districts, like Leominster: [HR6] (a list, "
        "in square brackets, of at least one)" for name in ("Leominster", "Ledbury", "Bromyard")]
    assert config_problems({"extra": {"directory": {"localities": {"Leominster": ["HR6"]}}}}) == []
    # a code mistyped matched no home without a word (the hostile review): each is a district or a sector
    assert config_problems({"extra": {"directory": {"localities": {"Saltdean": ["BN2  8"], "Woodingdean": ["BN2 6XX"],
                                                                   "Hove": ["bn3", "BN41 2"], "City": ["EC1A"]}}}}) == [
        f"extra.directory.localities.{name}: {code!r} is not a postcode district (HR6) nor a sector (HR1 2, one space, one "
        "digit); write it as one" for name, code in (("Saltdean", "BN2  8"), ("Woodingdean", "BN2 6XX"))]
    assert config_problems({"extra": {"directory": {"fsa_authorities": 895}}}) == config_problems(
        {"extra": {"directory": {"fsa_authorities": {895: "x"}}}}) == [
        "extra.directory.fsa_authorities must be a list of the FSA's local authority codes (whole numbers), like [895] for "
        "Herefordshire, or [] for none"]
    assert config_problems({"extra": {"directory": {"fsa_authorities": [875, 895]}}}) == []
    # a district named twice went, without a word, to the name sorting last; an empty one caught every postcode
    assert config_problems({"extra": {"directory": {"localities": {"Leominster": ["HR6", " "], "Kington": ["hr6"],
                                                                   "Hereford": ["HR1", "HR1 2"]}}}}) == [
        "extra.directory.localities.Leominster has an empty postcode district; give districts or sectors, like [HR6, 'HR1 2']",
        "extra.directory.localities: HR6 is in both Leominster and Kington; a postcode district or sector belongs to one "
        "locality: name it in one of them"]


def test_two_localities_of_one_name_written_two_ways_are_refused():
    """Localities 'Oldham' and ' Oldham' were two columns of the market page's needs table that its CSV's header and
    data package both named 'Oldham: homes that can' (frictionless: the package is invalid, its field names not
    unique); 'Oldham' and 'oldham' two columns a reader cannot tell apart."""
    assert config_problems({"extra": {"directory": {"localities": {"Oldham": ["OL1"], " Oldham": ["OL2"],
                                                                   "Chadderton": ["OL9"], "CHADDERTON ": ["OL8"],
                                                                   " ": ["OL4"]}}}}) == [
        "extra.directory.localities names 'Oldham' and ' Oldham', one name written two ways; name each locality once",
        "extra.directory.localities names 'Chadderton' and 'CHADDERTON ', one name written two ways; name each locality "
        "once",
        "extra.directory.localities has a locality with no name; name each, like Leominster: [HR6]"]
    assert config_problems({"extra": {"directory": {"localities": {"Oldham": ["OL1"], "Oldham East": ["OL2"]}}}}) == []


def test_a_locality_named_as_the_market_tables_own_rows_is_refused():
    """A locality named 'Total' was a row of the market page's tables beside their own Total row (a reader could not
    tell which was the sum), and one named 'Unknown' took in the homes whose address gives no town as well."""
    assert config_problems({"extra": {"directory": {"localities": {"total": ["OL1"], "Unknown ": ["OL2"],
                                                                   "Total Care Area": ["OL3"]}}}}) == [
        "extra.directory.localities names a locality 'total', which the market page's tables call their own 'Total' "
        "row; give it the place's name",
        "extra.directory.localities names a locality 'Unknown ', which the market page's tables call their own "
        "'Unknown' row; give it the place's name"]


OLDHAM_AREA = ROOT / "areas" / "oldham" / "providers"  # the committed Oldham profiles: 44 care homes, 62 agencies, 2 of both kinds


def oldham_area_views() -> tuple[list[HomeView], dt.date]:
    """Every Oldham profile (care homes and agencies, as ``build.py report --area oldham`` reads them), as at its data's date."""
    views = views_of(OLDHAM_AREA)
    today = data_date(views)
    assert today is not None
    return [HomeView(v.d, today) for v in views], today


def test_the_reports_beds_lost_and_gained_counts_care_homes_not_agencies():
    """The report on the whole area (homes and agencies) counted the nine agencies CQC registered in the year as
    'Homes registered' of 'Service type not known' with 0 beds gained: an agency has no beds and no care home service type."""
    views, today = oldham_area_views()
    page = report_html(signals(views, today, dict(DEFAULTS)), views, today, dict(DEFAULTS), "https://x.org/")
    table = page.split("<h2>Beds lost and gained</h2>")[1].split("</table>")[0]
    assert ('<th scope="row">Care home without nursing</th><td>not known</td><td>not known</td><td>4</td><td>120</td>'
            '<td>not known</td></tr></tbody>') in table
    assert "Service type not known" not in table
    # what the net change counts, said, so that it is not read as the market page's change since a release (which
    # counts a home still open changing its beds too: the commissioner review found -17 here beside -28 there)
    assert '<th scope="col">Net change in beds from closures and new homes</th>' in table
    assert "not a change in the registered beds of a home still open" in page


def test_a_first_imports_beds_lost_are_not_known_never_a_net_gain():
    """The first import's report said Oldham's care homes closed 0 homes and lost 0 beds in the year to 2025-03-20, a net
    gain of +179 beds: CQC's file has Acorn Lodge Nursing Home (85 beds, 2024-09-18), Shawside Care Home (150, 2025-02-27)
    and the old registration of Avonleigh Gardens (59) deregistered in that year, never listed here as a first import makes
    no page for a closed home. With no earlier release the closures, the beds lost and the net change are not known; a
    closed home a profile holds counts as a floor."""
    views, today = oldham_area_views()
    page = report_html(signals(views, today, dict(DEFAULTS)), views, today, dict(DEFAULTS), "https://x.org/")
    section = page.split("<h2>Beds lost and gained</h2>")[1].split("</table>")[0]
    assert "<td>+179</td>" not in section and not re.search(r"</th><td>0</td>", section)  # never 0 closed
    # the nursing homes' row is there, though no nursing home registered: its closures are not known, not left out
    assert ('<th scope="row">Care home with nursing</th><td>not known</td><td>not known</td><td>0</td><td>0</td>'
            "<td>not known</td></tr>") in section
    # Avonleigh Gardens (59 beds, registered 26 March 2024) has its earlier registration's rating: a home registered
    # again, as after a change of provider, not 59 beds gained; the four new homes of 25 February 2025 are (120 beds)
    assert ('<th scope="row">Care home without nursing</th><td>not known</td><td>not known</td><td>4</td><td>120</td>'
            "<td>not known</td></tr>") in section
    assert ("<p>Avonleigh Gardens (59 beds) is not counted as a new home or as beds gained. CQC registered it on 26 March "
            "2024 but shows the rating of an earlier registration (CQC location 1-117977107), so it is most likely a home "
            "already open, registered again, for example after a change of provider.</p>") in page
    assert ("There is no earlier release to compare with: homes CQC deregistered before the first import were never listed "
            "here, so how many homes closed in these days, their beds and the net change in beds are not known") in section
    # a home listed here and closed since (its profile kept, marked closed): counted, as the least that closed
    shut = next(v for v in views if v.name == "Boston House")
    d = {**shut.d, "cqc": {**shut.d["cqc"], "status": "Deregistered", "status_date": dt.date(2025, 3, 1)}}
    views = [HomeView(d, today) if v is shut else v for v in views]
    page = report_html(signals(views, today, dict(DEFAULTS)), views, today, dict(DEFAULTS), "https://x.org/")
    section = page.split("<h2>Beds lost and gained</h2>")[1].split("</table>")[0]
    assert ('<th scope="row">Care home without nursing</th><td>1 or more</td><td>17 or more</td><td>4</td><td>120</td>'
            '<td>not known</td></tr>') in section
    # with a release to compare with, every closure since is in the profiles: the counts and the net change are known
    previous = (dt.date(2025, 2, 1), {v.d["location_id"]: {"cqc_status": "Registered", "cqc_imported": "2025-02-01"} for v in views})
    page = report_html(signals(views, today, dict(DEFAULTS)), views, today, dict(DEFAULTS), "https://x.org/", previous)
    section = page.split("<h2>Beds lost and gained</h2>")[1].split("</table>")[0]
    assert ('<th scope="row">Care home without nursing</th><td>1</td><td>17</td><td>4</td><td>120</td><td>+103</td></tr>') in section
    assert "There is no earlier release" not in section


def test_a_home_cqc_has_not_yet_rated_counts_as_not_yet_rated_for_each_key_question():
    """The quality table said Overall: 4 Not yet rated, and Safe... Well-led: 4 'Not known' for the same four new homes
    (Beech, Miller, Royton and Shaw House, registered 2025-02-25): CQC has not rated them on any question, which is known."""
    views, today = oldham_area_views()
    page = market_html(views, today)
    table = page.split("<caption>Homes by CQC rating, overall")[1].split("</table>")[0]
    # Outstanding, Good, Requires improvement, Inadequate, Not yet rated, Not known
    assert '<th scope="row">Overall</th><td>0</td><td>34</td><td>6</td><td>0</td><td>4</td><td>0</td></tr>' in table
    assert '<th scope="row">Safe</th><td>0</td><td>32</td><td>8</td><td>0</td><td>4</td><td>0</td></tr>' in table
    assert '<th scope="row">Well-led</th><td>0</td><td>34</td><td>6</td><td>0</td><td>4</td><td>0</td></tr>' in table


def test_the_home_care_section_says_which_agencies_are_dormant_and_how_cqc_rates_them():
    """The market page counted 62 home care agencies as capacity without saying that CQC records 9 of them as dormant
    (registered, not providing care), nor how CQC rates the agencies (27 not yet rated) or how many have no registered
    manager: it gave those only for the care homes."""
    from carehomes.report import homecare_html

    views, today = oldham_area_views()
    tables = Tables("../")
    page = homecare_html(views, today, tables)
    assert ("62 registered home care agencies (2 of them also care homes). 9 of the 62 were dormant on CQC's register "
            "of 20 March 2025: registered, but not providing care at the time (counted among the 62).") in page
    # the ratings counted include those CQC gave an earlier registration, as the tables of concern say (commissioner review)
    assert ("4 of the 35 rated agencies show a rating CQC gave to an earlier registration of the agency (Good 2, Requires "
            "improvement 2), for example before a change of provider: CQC shows it until it rates the new registration."
            ) in page
    quality = page.split("<caption>Home care agencies by CQC rating, overall")[1].split("</table>")[0]
    # Outstanding, Good, Requires improvement, Inadequate, Not yet rated, Not known
    assert '<th scope="row">Overall</th><td>4</td><td>26</td><td>5</td><td>0</td><td>27</td><td>0</td></tr>' in quality
    assert '<th scope="row">Well-led</th><td>5</td><td>24</td><td>6</td><td>0</td><td>27</td><td>0</td></tr>' in quality
    assert "Agencies with no registered manager in post according to CQC: 5 of the 62 whose CQC data says." in page
    assert "agency-quality" in tables.files
    # the 9 counted as not taking new clients are CQC's dormant agencies, not an agency's own answer (an audit's note)
    assert ("an answer more than 7 days old counts as not known, and an agency CQC records as dormant counts as not "
            "taking new clients, whatever it last said.</p>") in page
    assert '<tr><th scope="row">Area not given</th><td>62</td><td>0</td><td>9</td><td>53</td>' in page


def test_the_report_on_an_area_of_two_kinds_speaks_of_services_not_homes():
    """'145 signals for 77 homes' counted 41 home care agencies among the 77 'homes', and the providers table's 'Homes'
    column listed agencies (The Reablement Team among Medlock Court's); the report says how many of each kind."""
    views, today = oldham_area_views()
    found = signals(views, today, dict(DEFAULTS))
    page = report_html(found, views, today, dict(DEFAULTS), "https://x.org/")
    assert "145 signals for 77 services (38 care homes and 41 home care agencies; 2 are both)." in page
    assert "signals for 77 homes" not in page
    providers_table = page.split("<h2>Providers</h2>")[1]
    assert ('<caption>Registered services by provider, those with most services signalled first (CQC data as at 2025-03-20)</caption>'
            in providers_table)
    assert '<th scope="col">Services</th>' in providers_table and "12 for 4 services" in providers_table


def test_the_report_command_counts_services_by_kind(tmp_path):
    done = run_build("report", "--area", "oldham", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert f"145 signals for 77 services (38 care homes and 41 home care agencies; 2 are both): {tmp_path}" in done.stdout + done.stderr


def test_the_reports_rows_say_what_each_service_is_and_an_agencys_beds_do_not_apply():
    """commissioner-report.csv had no column saying whether a row was a care home or an agency, so an agency's empty
    beds cell read as a home whose beds are not known; the HTML said "not known" where beds do not apply."""
    views, today = oldham_area_views()
    found = signals(views, today, dict(DEFAULTS))
    rows = list(csv.DictReader(io.StringIO(report_csv(found))))
    assert list(rows[0])[:3] == ["home", "location_id", "kind"]
    kinds = {r["kind"] for r in rows}
    assert {"Home care agency", "Care home without nursing"} <= kinds and "" not in kinds
    agency = next(s for s in found if s.kind == "Home care agency")
    assert (agency.beds, agency.beds_apply) == ("", False)
    page = report_html(found, views, today, dict(DEFAULTS), "https://x.org/")
    row = page.split(f'/homes/{agency.slug}/">')[1].split("</tr>")[0]
    assert "<small>Home care agency, " in row and "</small></td><td>not applicable</td>" in row


def test_the_providers_table_says_beds_do_not_apply_to_home_care_and_never_counts_not_known_as_0():
    from carehomes.report import ProviderRow

    views, today = oldham_area_views()
    rows = providers(views, signals(views, today, dict(DEFAULTS)))
    home_care_only = next(p for p in rows if p.care_homes == 0)
    assert home_care_only.beds_text(home_care_only.beds, home_care_only.beds_not_known) == "not applicable"
    page = report_html(signals(views, today, dict(DEFAULTS)), views, today, dict(DEFAULTS), "https://x.org/")
    assert "<td>not applicable</td><td>not applicable</td>" in page.split("<h2>Providers</h2>")[1]
    row = ProviderRow("P", "1-1", ["A", "B"], 30, 0, 0, 0, care_homes=2, beds_not_known=1, nursing_not_known=2)
    assert (row.beds_text(row.beds, row.beds_not_known), row.beds_text(row.nursing_beds, row.nursing_not_known)) == (
        "30 (1 home not known)", "not known")  # none of its care homes gave it: not "0 (2 homes not known)"



def test_the_rating_age_chart_says_it_measures_from_the_cqc_datas_date():
    """The chart counted 30 ratings over 2 years old (from the CQC data's date, 2025-03-20) and said they are flagged on
    the homes' pages, while the freshness table beside it counted 40 of 40 (from the day of the build, as the pages do)."""
    views = views_of(OLDHAM_AREA, dt.date(2026, 12, 5))
    page = market_html(views, dt.date(2026, 12, 5))
    assert ("Homes by the age of their latest CQC rating on 20 March 2025, the date of the CQC data. A home&#x27;s page flags a "
            "rating over 2 years old on the day the site was built, so it may flag more") in page
    assert "CQC ratings more than 2 years old on 5 December 2026 (the day the site was built" in page
    # out of the homes with a rating date (40 of Oldham's 44), which the cell says: not out of every home
    assert "flags them)</th><td>40 of 40 with a rating date (4 without)</td>" in page
    one = market_html([v for v in views if v.slug == "abbey-hey-care-home"], dt.date(2026, 12, 5))  # not "1 ... homes"
    assert ": 1 registered care home with " in one


def test_the_home_care_tables_say_the_sites_own_age_for_an_out_of_date_answer():
    """The home care table (the market page's and the report's) said "more than 7 days old" (the schema's) while the pages,
    and the counts under those words, use the site's own limit (extra.directory.staleness in mkdocs.yml)."""
    from carehomes.report import homecare_html
    from carehomes.siteconfig import staleness

    views, today = oldham_area_views()
    fortnight = [HomeView(v.d, today, None, None, staleness({"staleness": {"availability": "14 days"}})) for v in views]
    report = homecare_html(fortnight, today)  # the market page's home care section, and the report's
    assert "Not known or more than 14 days old" in report
    assert "an answer more than 14 days old counts as not known" in report and "7 days" not in report
    assert "an answer more than 7 days old counts as not known" in homecare_html(views, today)


def test_agencies_whose_only_signal_is_an_old_rating_are_counted_not_listed_among_those_of_concern():
    """'Agencies of concern' listed 34 of Oldham's agencies, 24 of them only for a rating over 2 years old (some rated
    Outstanding), burying the ten with a real concern."""
    from carehomes.report import concern_rows, homecare_html
    from carehomes.market import agencies, current

    views, today = oldham_area_views()
    vs = agencies(current(views))
    header, rows, only_old = concern_rows(vs, signals(vs, today, {}))
    assert (len(rows), only_old) == (10, 24)
    assert all(any(not part.startswith("Old rating") for part in r[2].split("; ")) for r in rows)
    page = homecare_html(views, today)
    # listed for no registered manager alone, not for a rating: the caption said "with a CQC rating signal"
    assert [r[1:] for r in rows if "Work4U" in r[0]] == [["Not yet rated by CQC", "No registered manager (19 September 2023)"]]
    assert ("<caption>Home care agencies with a signal (a rating of concern, a fall in rating, no registered manager or another), as at "
            "20 March 2025</caption>") in page and "rating signal" not in page
    assert ("24 more agencies are not listed. Their only signal is a CQC rating more than 2 years old, which on its own "
            "says nothing about the care." in page) and "The council's own report for its commissioners, which is not published, lists every signal." in page
    report = report_html(signals(views, today, dict(DEFAULTS)), views, today, dict(DEFAULTS), "https://x.org/")
    assert "The signals table above lists every signal." in report and "council's commissioner report" not in report
    assert report.index("<caption>Signals, most serious first") < report.index('<h2 id="home-care">')
    assert '<caption>Signals, most serious first; within each signal, the care homes with most beds first, then home care agencies (CQC data as at 2025-03-20)</caption><thead><tr><th scope="col">Service</th>' in report


def test_the_reports_agencies_of_concern_follow_its_own_thresholds():
    """'Agencies of concern' computed its signals again with the default thresholds, so with a signals.yaml of its
    own the report's two tables disagreed: a rating counted as old in one and not in the other."""
    from carehomes.market import agencies, current

    views, today = oldham_area_views()
    never_old = {**DEFAULTS, "rating_older_than_days": 100_000}
    report = report_html(signals(views, today, never_old), views, today, never_old, "https://x.org/")
    assert "Old rating" not in report and "more agencies have no signal but" not in report
    sooner = {**DEFAULTS, "rating_older_than_days": 400}
    found = signals(views, today, sooner)
    report = report_html(found, views, today, sooner, "https://x.org/")
    slugs = {v.slug for v in agencies(current(views))}
    old_only = {s.slug for s in found if s.slug in slugs and s.signal == "Old rating"} - {
        s.slug for s in found if s.signal not in ("Old rating", "New registration")}
    assert f"{len(old_only)} more agencies are not listed. Their only signal is a CQC rating more than 400 days old" in report
    assert len(old_only) > 24  # more agencies' ratings are old at 400 days than at 2 years


def test_the_reports_area_is_the_market_pages_locality(tmp_path):
    """The report's Area was each profile's council ('Oldham' on every row) where the market page groups by the
    council's localities (areas/oldham/mkdocs.yml: Chadderton, Saddleworth...)."""
    done = run_build("report", "--area", "oldham", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "commissioner-report.csv").read_text(encoding="utf-8"))))
    areas = {r["locality"] for r in rows}
    assert {"Chadderton", "Saddleworth", "Royton, Shaw and Crompton"} <= areas, areas


def test_the_home_care_table_says_its_answers_are_the_agencies_own_not_as_at_the_cqc_date():
    """The table was titled 'as at 2025-03-20' (CQC's data) while it counts agencies' answers given since."""
    from carehomes.report import homecare_html

    views, today = oldham_area_views()
    assert ("Home care agencies by postcode district covered (CQC data as at 20 March 2025; taking new clients and hours as "
            "each agency last said)") in homecare_html(views, today)


def test_an_agencys_new_registration_says_no_beds_and_its_closure_row_says_beds_do_not_apply():
    """Nine Oldham agencies registered in the year read 'registered 2024-04-29, beds not known' in the report's signals,
    and an agency CQC deregistered had 'not known' beds and beds with nursing in the closures table: an agency has no
    beds to know (the signals table already says 'not applicable')."""
    views, today = oldham_area_views()
    found = signals(views, today, dict(DEFAULTS))
    new = {s.home: s.value for s in found if s.signal == "New registration"}
    assert new["54 Taylor Street"] == "registered 2024-04-29"
    assert new["Beech House Care Home"] == "registered 2025-02-25, 30 beds" and "Avonleigh Gardens" not in new
    assert not any("beds" in value for s in found if s.signal == "New registration" and not s.beds_apply
                   for value in [s.value])
    agency = next(v for v in views if v.slug == "bluebird-care-oldham")
    agency.d["cqc"] = {**agency.d["cqc"], "status": "Deregistered", "status_date": dt.date(2025, 1, 10)}
    page = report_html(signals(views, today, dict(DEFAULTS)), views, today, dict(DEFAULTS), "https://x.org/")
    closures = page.split("<h2>Closures</h2>")[1].split("</table>")[0]
    assert '<th scope="col">Service</th><th scope="col">Closed on</th>' in closures
    assert ("<td>2025-01-10</td><td>not applicable</td><td>not applicable</td>") in closures
    assert "not known</td><td>not known" not in closures


def test_an_agency_the_last_release_held_as_registered_is_a_closure_whatever_date_cqc_gives(tmp_path):
    """The report read only the release's care-homes.csv: an agency the last release held as registered, now off the
    register with no closing date (or one before the release), was never listed as closed, as a care home is."""
    from carehomes.report import previous_release, recent_closures

    assert run_build("release", "--area", "oldham", "--releases", str(tmp_path / "releases")).returncode == 0
    previous = previous_release(tmp_path / "releases")
    views, today = oldham_area_views()
    agency = next(v for v in views if v.slug == "bluebird-care-oldham")
    assert [k.id for k in agency.kinds] == ["home_care_agency"]
    assert previous is not None and previous[1]["1-20396464281"]["cqc_status"] == "Registered"  # from home-care-agencies.csv
    agency.d["cqc"] = {k: v for k, v in agency.d["cqc"].items() if k != "status_date"} | {"status": "Deregistered"}
    assert [v.slug for v in recent_closures(views, today, previous)] == ["bluebird-care-oldham"]
    page = report_html(signals(views, today, dict(DEFAULTS), previous), views, today, dict(DEFAULTS), "https://x.org/", previous)
    assert "Bluebird Care" in page.split("<h2>Closures</h2>")[1].split("</table>")[0]


def test_the_providers_table_never_makes_one_provider_of_homes_whose_provider_is_not_known():
    """Herefordshire's register extract gives no provider: the report's providers table listed all 88 homes, 2,150 beds,
    as one provider 'not known', the largest in the county. Each home whose provider is not known is its own row, last."""
    views = [HomeView(v.d, dt.date(2021, 3, 31)) for v in views_of(ROOT / "providers") if not v.d.get("example")]
    today = dt.date(2021, 3, 31)
    rows = providers(views, signals(views, today, dict(DEFAULTS)))
    assert len(rows) == 88 and all(len(p.homes) == 1 for p in rows)
    assert sum(p.beds for p in rows) == 2150
    page = report_html(signals(views, today, dict(DEFAULTS)), views, today, dict(DEFAULTS), "https://x.org/")
    assert "<td>88: " not in page and "<td>2,150</td>" not in page
    assert "88 registered homes." in page and "registered services" not in page


def test_a_fall_in_rating_says_which_ratings_cqc_gave_to_an_earlier_registration(oldham_import):
    """A new registration shows its earlier one's ratings (CQC's continuing regulatory history): Chadderton Total Care
    (registered 8 September 2023) shows five Requires improvement ratings of 2016-2023, every one of them given to
    location 1-120641405. The report said its 'Safe rating fell' and 'Repeated Requires improvement' as if this
    registration's; each such date now says it was given to an earlier registration, and a date of this registration's
    own ratings never does. Checked against CQC's own entries (historicRatings' organisationId) for every service."""
    import json

    _, folder = oldham_import
    views = views_of(folder)
    today = data_date(views)
    assert today is not None
    by = {(s.home, s.signal): s.value for s in signals([HomeView(v.d, today) for v in views], today, dict(DEFAULTS))}
    assert by[("Chadderton Total Care", "Safe rating fell")] == (
        "Good (2018-02-24, given to an earlier registration) to Requires improvement (2019-04-17, 2020-11-28 and "
        "2023-04-13, given to an earlier registration)")
    assert by[("Chadderton Total Care", "Repeated Requires improvement")] == (
        "Requires improvement at 5 inspections in a row (2016-03-12, 2018-02-24, 2019-04-17, 2020-11-28 and 2023-04-13, "
        "given to an earlier registration)")
    assert by[("Apex Prime Care - Oldham", "Rating fell")] == (
        "Good (2021-05-12, given to an earlier registration) to Requires improvement (2023-06-06, given to an earlier "
        "registration)")
    assert by[("Stoneleigh House", "Rating fell")] == "Good (2019-04-11) to Requires improvement (2021-01-27, 2022-02-23)"
    checked = 0
    for v in views:
        doc = json.loads((OLDHAM / "location_details" / f"location_{v.d['location_id']}.json").read_text(encoding="utf-8"))
        for entry in doc.get("historicRatings") or []:
            if entry.get("overall", {}).get("rating") in ("Inspected but not rated", None):
                continue  # never in a rating history
            day = dt.date.fromisoformat(entry["reportDate"])
            earlier = entry.get("organisationId") not in (None, v.d["location_id"])
            assert bool(v.given_on(day)) == earlier, (v.name, day)
            checked += 1
    assert checked > 100


def test_oldhams_report_puts_the_longest_run_of_concern_at_the_largest_home_first():
    views, today = oldham_area_views()
    found = signals(views, today, dict(DEFAULTS))
    assert [(s.home, s.signal, s.beds) for s in found[:3]] == [
        ("Chadderton Total Care", "Repeated Requires improvement", "146"),
        ("Stoneleigh House", "Repeated Requires improvement", "31"),
        ("Elizabeth House", "Repeated Requires improvement", "30")]


def test_the_market_page_names_the_care_homes_of_concern_as_it_names_the_agencies():
    """From the commissioner review: the market page said 6 homes were rated Requires improvement and 5 had no registered
    manager, but named none of them, while it named each agency of concern. Each home with a signal is now a row, most
    serious first, linking its page; a home whose only signal is an old rating is counted under the table."""
    from carehomes.render import market_page
    from carehomes.schema import load_schema

    views, today = oldham_area_views()
    text, files = market_page(views, today, None, [], load_schema())
    section = text.split('<h3 id="homes-of-concern">Care homes of concern</h3>')[1].split("</table>")[0]
    names = re.findall(r'<a href="[^"]*homes/([a-z0-9-]+)/">', section)
    assert names[:3] == ["chadderton-total-care", "stoneleigh-house", "elizabeth-house"]
    assert "agencies-of-concern" in files and "homes-of-concern" in files  # each table's CSV, by its id
    rows = list(csv.reader(io.StringIO(files["homes-of-concern"])))
    assert rows[0] == ["Home", "CQC rating", "Signals"] and rows[1][:2] == ["Chadderton Total Care", "Requires improvement"]
    assert "beech-house-care-home" not in names  # a new registration alone is no concern


def test_the_home_care_section_says_dormancy_counts_only_while_the_register_is_fresh(oldham_import):
    """A dormant agency counts as not taking new clients only while CQC's register is within its staleness age (as the
    find page and each card say since the twenty-fourth session); the market page still said it counted, whatever the
    register's age."""
    from carehomes.report import homecare_html

    said = "an agency CQC records as dormant counts as not taking new clients, whatever it last said"
    fresh = views_of(oldham_import[1], dt.date(2025, 4, 1))
    assert said in homecare_html(fresh, dt.date(2025, 4, 1))
    old = homecare_html(views_of(oldham_import[1], TODAY), TODAY)
    assert said not in old and ("CQC's register is more than 3 months old, so its dormant flags may be out of date: an "
                                "agency it records as dormant counts by what the agency last told us.") in old.replace("&#x27;", "'")


def test_a_signal_of_a_rating_cqc_gave_an_earlier_registration_says_so():
    """From the commissioner review: Apex Prime Care's 'Rated Requires improvement' line gave the rating alone, though
    CQC gave it to an earlier registration (1-9075180925); the 'Rating fell' line under it said so."""
    views, today = oldham_area_views()
    [apex] = [s for s in signals(views, today, dict(DEFAULTS)) if s.home == "Apex Prime Care - Oldham" and s.fact == "cqc.rating"]
    assert apex.value == "Requires improvement, given to an earlier registration (CQC location 1-9075180925)"


def test_the_report_says_why_providers_names_are_not_known():
    """From the commissioner review: nearly every provider's name was "not known" in the providers table, with no word
    why: Oldham's CQC location records give each provider's ID, and its name only where the provider's record was saved."""
    views, today = oldham_area_views()
    page = report_html(signals(views, today, dict(DEFAULTS)), views, today, dict(DEFAULTS), "https://x.org/")
    named = re.search(r"<p>We do not have the names of ([0-9,]+) of the ([0-9,]+) providers\. The CQC data we import gives "
                      r"only each provider's ID\. To find a name, search for the ID on the CQC website\.</p>", page)
    rows = page.split("by provider, those with most")[-1].split("</table>")[0]
    assert named is not None and int(named[1]) == rows.count("<th scope=\"row\">not known<br>")


def test_the_concern_tables_say_they_are_prompts_not_findings_and_only_above_a_table():
    """From a content review: the market page is public, and names services; the report they come from says it is not
    for publication. Each table of services of concern opens by saying its rows are prompts to look closer, not
    findings; with no table, nothing is said of rows there are not."""
    from carehomes.render import market_page
    from carehomes.report import CONCERN_PROMPT, homecare_html
    from carehomes.schema import load_schema

    views, today = oldham_area_views()
    text, _ = market_page(views, today, None, [], load_schema())
    prompt = f"<p>{CONCERN_PROMPT}</p>"
    assert text.count(prompt) == 2  # above the care homes' table and the agencies'
    assert text.index('id="homes-of-concern"') < text.index(prompt) < text.index("homes-of-concern.csv")
    good = [v for v in views if "home_care_agency" in v.d.get("kinds", []) and v.get("cqc.rating") == "Good"
            and v.get("cqc.registered_manager") is not False][:1]
    page = homecare_html(good, today)
    assert "No home care agency has a signal." in page or "more agency is not listed" in page
    assert CONCERN_PROMPT not in page


def test_a_rating_given_to_an_earlier_registration_links_that_registrations_reports(oldham):
    """From the commissioner review: Chadderton Total Care's "Read the CQC report" opened its own registration's reports
    page, where CQC lists none (its API record's reports are empty); the report of its rating is the earlier one's."""
    from carehomes.schema import load_schema

    _, views = oldham
    chadderton = next(v for v in views if v.name == "Chadderton Total Care")
    assert chadderton.get("cqc.report_url") == "https://www.cqc.org.uk/location/1-120641405/reports"
    view = HomeView(chadderton.d, TODAY, load_schema())
    quality = {f.label: f for f in next(g for g in view.groups() if g.id == "quality").facts}
    assert (quality["CQC report"].text, quality["CQC report"].href) == (
        "Read the CQC report of its earlier registration", "https://www.cqc.org.uk/location/1-120641405/reports")
    stoneleigh = next(v for v in views if v.name == "Stoneleigh House")  # its own registration's reports, as before
    assert stoneleigh.get("cqc.report_url") == f"https://www.cqc.org.uk/location/{stoneleigh.d['location_id']}/reports"
