"""The market page's tables as CSV files beside the page, and the change since the last release (issue 25, requirement 4)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import shutil

import pytest
import yaml

from carehomes.market import Tables, market_html, table_csv
from carehomes.pipeline import check_paths
from carehomes.publish import data_files
from carehomes.releases import list_releases, release_records, snapshot
from carehomes.views import HomeView
from conftest import FIXTURES, TODAY

TABLES = ["capacity-by-kind", "quality", "fees", "homes-and-beds", "change-since-release", "vacancies", "needs", "rating-age",
          "freshness"]


def views_of(folder) -> list[HomeView]:
    return [HomeView(p.data, TODAY) for p in check_paths([folder], on=TODAY).profiles]


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_each_table_has_a_csv_linked_under_it():
    tables = Tables("../")
    page = market_html(views_of(FIXTURES / "profiles"), TODAY, tables=tables)
    assert list(tables.files) == TABLES
    for table_id in TABLES:
        if table_id == "rating-age":  # a chart's numbers: its own table is in its figure
            continue
        assert (f'</table></div><p class="ch-download"><a href="../market/{table_id}.csv" download>Download this table as CSV</a> '
                f"({table_id}.csv)</p>") in page
    # the ages of the CQC ratings were a chart and its table with no file: no other CSV holds them
    assert ('</table></figure>\n<p class="ch-download"><a href="../market/rating-age.csv" download>Download this chart\'s numbers '
            "as CSV</a> (rating-age.csv)</p>") in page
    assert csv_rows(tables.files["rating-age"])[0] == ["Age of rating", "Homes"]
    assert page.count('class="ch-download"') == len(TABLES)
    rows = csv_rows(tables.files["homes-and-beds"])
    assert rows[0] == ["Town", "Homes", "With nursing", "Without nursing", "Registered beds", "Beds with nursing (homes' own figures)",
                       "Beds without nursing (homes' own figures)"]
    assert rows[1:] == [["Exampleton", "1", "1", "1", "40", "30 (1 home)", "10 (1 home)"],
                        ["Unknown", "1", "not known", "not known", "not known", "not known", "not known"]]  # never "0" for none given
    assert tables.files["quality"].endswith("\r\n") and "<" not in "".join(tables.files.values())


def test_csv_cells_are_the_text_shown_and_never_run_as_formulas():
    text = table_csv(["Area", "=Beds"], [['=HYPERLINK("x")', "1,574"], ["Total", "+3"], ["-2 (1 home not known)", "&lt;b&gt; <strong>No home can</strong>; 2 told us"]])
    assert text == ("Area,'=Beds\r\n"
                    "\"'=HYPERLINK(\"\"x\"\")\",1574\r\n"
                    "Total,+3\r\n"
                    "'-2 (1 home not known),<b> No home can; 2 told us\r\n")


def test_a_locality_named_like_a_formula_is_escaped_on_the_page_and_neutralised_in_the_csv():
    tables = Tables()
    page = market_html(views_of(FIXTURES / "profiles"), TODAY, {"=1+1 <b>": ["HR1"]}, tables=tables)
    assert '<th scope="row">=1+1 &lt;b&gt;</th>' in page and "=1+1 <b>" not in page
    assert [r[0] for r in csv_rows(tables.files["capacity-by-kind"])] == ["Locality", "'=1+1 <b>", "Unknown", "Total"]


def test_the_change_is_not_known_without_an_earlier_release():
    tables = Tables()
    page = market_html(views_of(FIXTURES / "profiles"), TODAY, tables=tables)
    assert '<h3 id="change-since-release">Change since the last release</h3>' in page
    assert "there is no earlier release, so the change is not known." in page
    assert csv_rows(tables.files["change-since-release"]) == [
        ["Town", "Homes now", "Homes at the last release", "Change in homes", "Registered beds now", "Registered beds at the last release",
         "Change in registered beds"],
        ["Exampleton", "1", "not known", "not known", "40", "not known", "not known"],
        ["Unknown", "1", "not known", "not known", "not known", "not known", "not known"],
        ["Total", "2", "not known", "not known", "40 (1 home not known)", "not known", "not known"]]


def test_the_change_since_the_newest_release_counts_registered_homes_and_beds(tmp_path):
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    snapshot(data_files(check_paths([prov], on=TODAY).profiles), tmp_path / "releases", dt.date(2026, 10, 1))
    (prov / "example-minimal.yaml").unlink()
    f = prov / "example-full.yaml"
    f.write_text(f.read_text().replace("  registered: 40\n", "  registered: 46\n"))
    date, folder = list_releases(tmp_path / "releases")[-1]
    tables = Tables()
    page = market_html(views_of(prov), TODAY, previous=(date, release_records(folder)), tables=tables)
    assert '<h3 id="change-since-release">Change since the release of 2026-10-01</h3>' in page
    assert ('<th scope="row">Exampleton</th><td>1</td><td>1</td><td>+0</td><td>46</td><td>40</td><td>+6</td>') in page
    assert csv_rows(tables.files["change-since-release"])[1:] == [
        ["Exampleton", "1", "1", "+0", "46", "40", "+6"],
        ["Unknown", "0", "1", "-1", "not known", "not known", "not known"],
        ["Total", "1", "2", "-1", "46", "40 (1 home not known)", "'+6 (1 home not known)"]]


def test_a_home_closed_at_the_release_does_not_count_then(tmp_path):
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    records = {k: dict(v) for k, v in ((str(p.data["location_id"]), p.data) for p in check_paths([prov], on=TODAY).profiles)}
    full = next(r for r in records.values() if r.get("beds"))
    full["cqc"] = {**full["cqc"], "status": "Deregistered"}
    tables = Tables()
    market_html(views_of(prov), TODAY, previous=(dt.date(2026, 10, 1), records), tables=tables)
    assert csv_rows(tables.files["change-since-release"])[1] == ["Exampleton", "1", "0", "+1", "40", "not known", "not known"]


def test_the_market_pages_towns_are_the_lists_towns():
    """Leominster's 9 homes and Near Leominster's 1 (Herefordshire's addresses) were 10 in Leominster on the market
    page and 9 and 1 on the browse lists and the find page: each town is counted as the address names it."""
    from carehomes.finding import listed, town_of
    from conftest import ROOT

    views = views_of(ROOT / "providers")
    tables = Tables("../")
    market_html(views, TODAY, tables=tables)
    market = {row[0]: int(row[1]) for row in csv_rows(tables.files["homes-and-beds"])[1:] if row[0] != "Total"}
    labels = listed(views).labels
    lists: dict[str, int] = {}
    for v in views:
        town = town_of(v, labels) or ""
        lists[town] = lists.get(town, 0) + 1
    assert (market["Leominster"], market["Near Leominster"]) == (9, 1)
    assert {t: n for t, n in market.items() if t in lists} == {t: n for t, n in lists.items() if t in market}


def test_spellings_of_one_town_are_one_market_row():
    """Devon's register spells one town 'Ottery St. Mary' and 'Ottery St Mary': the market page gave it two rows, where
    the find page and the browse lists (finding.town_key) group them as one."""
    from carehomes.finding import town_key
    from carehomes.market import town_name

    spellings = ["Ottery St. Mary", "Ottery St Mary", "OTTERY ST MARY", "Ottery  St.Mary", "ottery st. mary "]
    assert {town_name(s) for s in spellings} == {"Ottery St Mary"} and len({town_key(s) for s in spellings}) == 1
    assert [town_name(s) for s in ("Ross On Wye", "ross-on-wye", "Near Leominster", "", None)] == [
        "Ross-on-Wye", "Ross-on-Wye", "Near Leominster", "Unknown", "Unknown"]


def test_a_key_question_cqc_did_not_rate_at_an_inspected_but_not_rated_inspection_is_not_counted_as_inspected():
    """Devon's Kings Manor Care Home (CQC API, January 2021): overall 'Inspected but not rated', Safe, Responsive and
    Well-led 'Inspected but not rated', Effective and Caring 'No published rating' (so no value in the profile). The
    quality table counted its Effective and Caring as 'Inspected but not rated', which CQC did not say: only a home not
    yet rated at all has every key question not yet rated."""
    from carehomes.market import quality_rows
    data = yaml.safe_load((FIXTURES / "profiles" / "example-minimal.yaml").read_text(encoding="utf-8"))
    data["cqc"] = {**data.get("cqc", {}), "rating": "Inspected but not rated", "rating_date": "2020-12-24",
                   "rating_safe": "Inspected but not rated", "rating_safe_date": "2020-12-24"}
    for key in ("effective", "caring", "responsive", "well_led"):
        data["cqc"].pop(f"rating_{key}", None)
        data["cqc"].pop(f"rating_{key}_date", None)
    header, rows = quality_rows([HomeView(data, TODAY)])
    counts = {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows}
    assert counts["Overall"]["Inspected but not rated"] == "1" and counts["Safe"]["Inspected but not rated"] == "1"
    assert counts["Effective"]["Inspected but not rated"] == "0" and counts["Effective"]["Not known"] == "1"
    assert counts["Well-led"]["Not known"] == "1"


def test_the_closed_homes_left_out_are_the_ones_the_quality_section_counts_off_the_register(tmp_path):
    """The page said '1 closed home is not counted' at its top and '0 profiles are for homes no longer on the CQC
    register' under Quality: it counted closed profiles among the registered homes it had already kept."""
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    f = prov / "example-full.yaml"
    data = yaml.safe_load(f.read_text())
    data["cqc"] = {**data["cqc"], "status": "Deregistered", "status_date": "2026-10-01"}
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    page = market_html(views_of(prov), TODAY)
    assert "1 closed home is not counted." in page
    assert "1 profiles are for homes" not in page
    assert "1 profile is for a home no longer on the CQC register dated " in page


def test_the_change_since_a_release_says_the_releases_cqc_data_date(tmp_path):
    """Herefordshire's market page said 'Change since the release of 2026-11-23' and +0 homes and beds in every town: that
    release holds CQC's register of 31 March 2021, as the site does now, so the table compares the register with itself
    and cannot show a change in the market; the page never said so. It now says the release's CQC data date, and when
    it is now's."""
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    snapshot(data_files(check_paths([prov], on=TODAY).profiles), tmp_path / "releases", dt.date(2026, 10, 1))
    date, folder = list_releases(tmp_path / "releases")[-1]
    page = market_html(views_of(prov), TODAY, previous=(date, release_records(folder)), tables=Tables())
    assert ("That release's CQC data is as at 26 August 2025, the same as now: CQC's register has not been imported again "
            "since, so this cannot show a change in the market.</p>") in page
    assert "<caption>Homes and registered beds by town, now and at 2026-10-01 (CQC data as at 26 August 2025 in both)</caption>" in page
    f = prov / "example-full.yaml"
    f.write_text(f.read_text().replace("  imported: 2025-08-26\n", "  imported: 2025-11-03\n"))
    page = market_html(views_of(prov), TODAY, previous=(date, release_records(folder)), tables=Tables())
    assert "That release's CQC data is as at 26 August 2025: the change is the register's from then to 3 November 2025.</p>" in page
    assert "(CQC data as at 3 November 2025 now, 26 August 2025 then)</caption>" in page
    page = market_html(views_of(prov), TODAY, tables=Tables())
    assert "That release's CQC data" not in page, "no release, no release date"


@pytest.mark.slow  # validates every table with frictionless (0.8 s)
def test_the_tables_are_described_by_a_data_package_with_their_date_and_sources(tmp_path):
    """A market CSV shared with another council lost what it counts and as at when (the caption and the CQC data's date
    are on the page only). market/datapackage.json names each CSV with its caption as its title, the date the figures
    are counted as at, the licence and the sources (not the FSA's: the market page counts no food hygiene rating), and
    frictionless validates every table against it."""
    import json

    from frictionless import Package

    from carehomes.render import market_page
    from carehomes.schema import load_schema

    views = views_of(FIXTURES / "profiles")
    text, files = market_page(views, TODAY, None, [], load_schema(), "Exampleshire care directory")
    assert '<a href="../market/datapackage.json">datapackage.json</a>' in text
    for name, body in files.items():
        (tmp_path / (name if name == "datapackage.json" else f"{name}.csv")).write_text(body, encoding="utf-8")
    pkg = json.loads(files["datapackage.json"])
    assert pkg["title"] == "Exampleshire care directory: care market overview tables"
    assert [r["path"] for r in pkg["resources"]] == [f"{t}.csv" for t in TABLES]
    titles = {r["name"]: r["title"] for r in pkg["resources"]}
    assert titles["rating-age"].startswith("Homes by the age of their latest CQC rating, as at ")
    assert titles["quality"].startswith("Homes by CQC rating, overall and for each key question, as at ")
    assert "as at 20" in pkg["description"] and pkg["licenses"][0]["name"] == "OGL-UK-3.0"
    assert [s["title"] for s in pkg["sources"] if "Food" in s["title"]] == []
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["type", "note"])[:5]



@pytest.mark.parametrize("locality, header", [("=1+1 <b>", "'=1+1 <b>"), ("-Town", "'-Town"), ("Tab\tTown", "Tab\tTown"),
                                              ("  Spaced  ", "Spaced")])
@pytest.mark.slow  # validates the tables with frictionless, four times
def test_the_tables_package_names_each_column_as_its_csv_header_writes_it(tmp_path, locality, header):
    """A locality named like a formula ('=1+1 <b>', '-Town') or with a tab is written in the CSV's header with its
    apostrophe and its tab, and one with spaces around it without them: the package named it otherwise (no
    apostrophe, the tab as '\\t', the spaces kept), so frictionless found the package invalid (incorrect-label)."""
    import json

    from frictionless import Package

    from carehomes.render import market_page
    from carehomes.schema import load_schema

    views = views_of(FIXTURES / "profiles")
    text, files = market_page(views, TODAY, {locality: ["HR1"]}, [], load_schema(), 'A "quoted" <b>site</b> \U0001F600')
    for name, body in files.items():
        (tmp_path / (name if name == "datapackage.json" else f"{name}.csv")).write_text(body, encoding="utf-8")
    pkg = json.loads(files["datapackage.json"])
    needs = next(r for r in pkg["resources"] if r["name"] == "needs")
    assert [f["name"] for f in needs["schema"]["fields"]] == csv_rows(files["needs"])[0]
    assert csv_rows(files["needs"])[0][2] == header
    assert pkg["title"] == 'A "quoted" <b>site</b> \U0001F600: care market overview tables'
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["type", "note"])[:5]
