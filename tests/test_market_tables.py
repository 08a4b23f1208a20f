"""The market page's tables as CSV files beside the page, and the change since the last release (issue 25, requirement 4)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil

import pytest
import yaml

from carehomes.market import Tables, integer, market_html, table_csv
from carehomes.pipeline import check_paths
from carehomes.publish import data_files
from carehomes.releases import list_releases, release_records, snapshot
from carehomes.views import HomeView
from conftest import FIXTURES, ROOT, TODAY

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
    assert rows[0] == ["Town", "Homes", "With nursing", "With nursing: not known", "Without nursing", "Without nursing: not known",
                       "Registered beds", "Registered beds: homes not known", "Beds with nursing (homes' own figures)",
                       "Beds with nursing (homes' own figures): homes that gave it", "Beds without nursing (homes' own figures)",
                       "Beds without nursing (homes' own figures): homes that gave it"]
    # "30 (1 home)" on the page: the beds and the homes that gave them, each a column
    assert rows[1:] == [["Exampleton", "1", "1", "0", "1", "0", "40", "0", "30", "1", "10", "1"],
                        ["Unknown", "1", "not known", "1", "not known", "1", "not known", "1", "not known", "0", "not known", "0"],  # never "0" for none given
                        ["Total", "2", "1", "1", "1", "1", "40", "1", "30", "1", "10", "1"]]  # a total row, as every other table
    assert tables.files["quality"].endswith("\r\n") and "<" not in "".join(tables.files.values())


def test_csv_cells_are_the_text_shown_and_never_run_as_formulas():
    """Under a column of numbers a whole number is written as one (no commas, its sign); under a column of words
    (a town's name) text that looks like a number is written as shown, and one that starts like a formula is not run."""
    text = table_csv(["Area", integer("=Beds")], [['=HYPERLINK("x")', "1,574"], ["Total", "+3"], ["1,234", "5"],
                                                   ["+44", "&lt;b&gt; <strong>No home can</strong>; 2 told us"],
                                                   ["-2 (1 home not known)", "-2 (1 home not known)"]])
    assert text == ("Area,'=Beds\r\n"
                    "\"'=HYPERLINK(\"\"x\"\")\",1574\r\n"
                    "Total,+3\r\n"
                    "\"1,234\",5\r\n"
                    "'+44,<b> No home can; 2 told us\r\n"
                    "'-2 (1 home not known),'-2 (1 home not known)\r\n")


def test_a_locality_named_like_a_formula_is_escaped_on_the_page_and_neutralised_in_the_csv():
    tables = Tables()
    page = market_html(views_of(FIXTURES / "profiles"), TODAY, {"=1+1 <b>": ["HR1"]}, tables=tables)
    assert '<th scope="row">=1+1 &lt;b&gt;</th>' in page and "=1+1 <b>" not in page
    assert [r[0] for r in csv_rows(tables.files["capacity-by-kind"])] == ["Locality", "'=1+1 <b>", "Unknown", "Total"]


def test_a_locality_named_like_a_number_keeps_its_name_in_the_csv():
    """A town's name is words: "1,234" is written as the page shows it, not as the number 1234."""
    tables = Tables()
    page = market_html(views_of(FIXTURES / "profiles"), TODAY, {"1,234": ["HR1"]}, tables=tables)
    assert '<th scope="row">1,234</th>' in page
    assert [r[0] for r in csv_rows(tables.files["capacity-by-kind"])] == ["Locality", "1,234", "Unknown", "Total"]


def test_the_change_is_not_known_without_an_earlier_release():
    tables = Tables()
    page = market_html(views_of(FIXTURES / "profiles"), TODAY, tables=tables)
    assert '<h3 id="change-since-release">Change since the last release</h3>' in page
    assert "there is no earlier release, so the change is not known." in page
    assert csv_rows(tables.files["change-since-release"]) == [
        ["Town", "Homes now", "Homes at the last release", "Change in homes", "Registered beds now", "Registered beds now: homes not known",
         "Registered beds at the last release", "Registered beds at the last release: homes not known", "Change in registered beds",
         "Change in registered beds: homes not known"],
        ["Exampleton", "1", "not known", "not known", "40", "0", "not known", "not known", "not known", "not known"],
        ["Unknown", "1", "not known", "not known", "not known", "1", "not known", "not known", "not known", "not known"],
        ["Total", "2", "not known", "not known", "40", "1", "not known", "not known", "not known", "not known"]]


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
    # each change a plain integer ("+0" is 0, "-1" is -1 with no apostrophe), each "(1 home not known)" a column of its own
    assert csv_rows(tables.files["change-since-release"])[1:] == [
        ["Exampleton", "1", "1", "0", "46", "0", "40", "0", "6", "0"],
        ["Unknown", "0", "1", "-1", "0", "0", "not known", "1", "not known", "1"],  # no homes now: 0 beds, known
        ["Total", "1", "2", "-1", "46", "0", "40", "1", "6", "1"]]


def test_a_home_closed_at_the_release_does_not_count_then(tmp_path):
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    records = {k: dict(v) for k, v in ((str(p.data["location_id"]), p.data) for p in check_paths([prov], on=TODAY).profiles)}
    full = next(r for r in records.values() if r.get("beds"))
    full["cqc"] = {**full["cqc"], "status": "Deregistered"}
    tables = Tables()
    market_html(views_of(prov), TODAY, previous=(dt.date(2026, 10, 1), records), tables=tables)
    # no home then: 0 beds then, and the change is the 40 beds now (it said "not known" of both, while the Total row
    # counted them: the commissioner review)
    assert csv_rows(tables.files["change-since-release"])[1] == ["Exampleton", "1", "0", "1", "40", "0", "0", "0", "40", "0"]


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
    assert "1 homes listed here have" not in page
    assert ("1 home in this directory had closed by 23 November 2026, the date of CQC&#x27;s register. Its page stays up, "
            "marked closed. It is not counted on this page.") in page


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
    page_tables = [*TABLES[:8], "homes-of-concern", *TABLES[8:]]  # the site's page names its homes of concern too
    assert [r["path"] for r in pkg["resources"]] == [f"{t}.csv" for t in page_tables]
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
    assert csv_rows(files["needs"])[0][3] == f"{header}: homes that can"
    assert pkg["title"] == 'A "quoted" <b>site</b> \U0001F600: care market overview tables'
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["type", "note"])[:5]


def test_a_cell_of_two_numbers_is_a_column_for_each_and_a_change_is_a_plain_integer(tmp_path):
    """Commissioners loading market/*.csv into a spreadsheet or pandas got "14 (560 beds)", "0 of 88", "+6" and
    "'-10 (1 home not known)" as text: nothing to sum. Each number of a cell is now a column of its own (the homes
    and their beds; the count and what it is out of; a sum and the homes not known in it), a change a plain integer
    (a negative one with no formula apostrophe, while a locality named like a formula keeps its apostrophe), a fee the
    number the home gives; the page's cells are as they were."""
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    snapshot(data_files(check_paths([prov], on=TODAY).profiles), tmp_path / "releases", dt.date(2026, 10, 1))
    f = prov / "example-full.yaml"
    f.write_text(f.read_text().replace("  registered: 40\n", "  registered: 30\n"))
    date, folder = list_releases(tmp_path / "releases")[-1]
    tables = Tables()
    page = market_html(views_of(prov), TODAY, {"-Town": ["HR1"]}, previous=(date, release_records(folder)), tables=tables)
    assert '<th scope="row">Total</th><td>2</td><td>2</td><td>+0</td><td>30 (1 home not known)</td><td>40 (1 home not known)</td><td>-10 (2 homes not known)</td>' in page
    change = {r[0]: r[1:] for r in csv_rows(tables.files["change-since-release"])}
    assert change["Locality"][-2:] == ["Change in registered beds", "Change in registered beds: homes not known"]
    assert change["Total"] == ["2", "2", "0", "30", "1", "40", "1", "-10", "2"]
    assert list(change)[1] == "'-Town"  # text starting like a formula: still neutralised
    kinds = csv_rows(tables.files["capacity-by-kind"])
    assert kinds[0][4:7] == ["With nursing: homes", "With nursing: beds", "With nursing: homes not known"]
    assert kinds[1][:7] == ["'-Town", "1", "30", "0", "1", "30", "0"]  # on the page "1 (30 beds)"
    fees = csv_rows(tables.files["fees"])
    assert fees[0][1:5] == ["Weekly fee with nursing: lowest", "Weekly fee with nursing: highest", "Weekly fee with nursing: homes giving it",
                            "Weekly fee with nursing: homes"]
    assert fees[1][1:5] == ["1150", "1420.5", "1", "1"]  # on the page "£1,150 to £1,420 (1 of 1 homes)"
    vacancies = {r[0]: r[1:] for r in csv_rows(tables.files["vacancies"])}
    assert vacancies["'-Town"] == ["2", "1", "0", "1", "1", "1", "0", "2026-11-20"]
    assert vacancies["Unknown"] == ["not known", "0", "not known", "0", "0", "1", "no reports", "no reports"]
    needs = {r[0]: r[1:] for r in csv_rows(tables.files["needs"])}
    assert needs["Need"][:6] == ["Homes that told us (all areas)", "Homes (all areas)", "'-Town: homes that can", "'-Town: beds with nursing",
                                 "'-Town: beds without nursing", "'-Town: homes that told us"]
    assert needs["Tracheostomy"][:6] == ["1", "2", "1", "2", "0", "1"]  # "1 home can (beds: 2 / 0); 1 told us"
    assert needs["Spinal rehabilitation"][2:6] == ["0", "0", "0", "1"]  # "No home can; 1 told us": a real gap
    assert needs["Non-weight bearing"][2:10] == ["Not known", "Not known", "Not known", "0"] * 2  # no home told us
    freshness = {r[0]: r[1:] for r in csv_rows(tables.files["freshness"])}
    assert freshness["Measure"] == ["Homes", "Of homes"] and freshness["Homes that have added their own information"] == ["1", "2"]


def test_a_cell_of_numbers_is_never_written_as_its_text_alone():
    """A column of two numbers given a cell of text (a row builder that forgot its values) is an error, not a CSV row
    one column short."""
    from carehomes.market import Cell, Column, Part

    header = ["Area", Column("Homes reporting", Part("Homes reporting", "integer"), Part("Homes", "integer"))]
    assert table_csv(header, [["A", Cell("1 of 2", 1, 2)]]) == "Area,Homes reporting,Homes\r\nA,1,2\r\n"
    with pytest.raises(ValueError, match="is text"):
        table_csv(header, [["A", "1 of 2"]])
    with pytest.raises(ValueError, match="has 1 values for its 2 columns"):
        table_csv(header, [["A", Cell("1", 1)]])


@pytest.mark.slow  # validates every table of a whole site with frictionless
def test_the_built_sites_market_tables_are_typed_and_valid(built_site):
    """market/datapackage.json typed every column "string": a typed reader got "29 (1,073 beds)" for Herefordshire's
    homes with nursing. Each column is now typed, "not known" is a missing value (null, never 0) and frictionless reads
    every table of the built site (the bundled homes, grouped by council beside the fixtures' Exampleshire) with its
    types: Herefordshire's "With nursing: homes" and "beds" are the 29 and 1073 of the page's "29 (1,073 beds)"."""
    import re

    from frictionless import Package, validate

    site, _ = built_site
    report = validate(str(site / "market" / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "type", "note"])[:5]
    page = (site / "market" / "index.html").read_text(encoding="utf-8")
    shown = re.search(r'<th scope="row">Herefordshire</th><td>\d+</td><td>[\d,]+</td><td>(\d+) \(([\d,]+) beds\)</td>', page)
    assert shown is not None and "," in shown[2]
    tables = {r.name: r for r in Package(str(site / "market" / "datapackage.json")).resources}
    area = "Local authority area"

    def row(table: str, name: str) -> dict:
        return next(r for r in tables[table].read_rows() if r[area] == name)

    herefordshire = row("capacity-by-kind", "Herefordshire")
    assert (herefordshire["With nursing: homes"], herefordshire["With nursing: beds"]) == (int(shown[1]), int(shown[2].replace(",", "")))
    assert herefordshire["Council rate accepted"] is None and herefordshire["Council rate accepted: not known"] == herefordshire["Homes"] == 88
    types = {f.name: f.type for f in tables["capacity-by-kind"].schema.fields}
    assert types[area] == "string" and {t for n, t in types.items() if n != area} == {"integer"}
    assert row("fees", "Exampleshire")["Weekly fee with nursing: highest"] == 1420.5  # the fixtures' full home's fee
    assert row("fees", "Herefordshire")["Weekly fee with nursing: lowest"] is None
    assert row("vacancies", "Exampleshire")["Newest report"] == dt.date(2026, 11, 20)
    assert row("vacancies", "Herefordshire")["Newest report"] is None  # "no reports"
    assert isinstance(row("change-since-release", "Total")["Homes now"], int)
    needs = next(r for r in tables["needs"].read_rows() if r["Need"] == "Tracheostomy")
    assert (needs["Exampleshire: homes that can"], needs["Herefordshire: homes that can"]) == (1, None)  # "Not known"
    fields = {f.name: f for r in tables.values() for f in r.schema.fields}
    assert "over those whose beds CQC gives" in fields["With nursing: beds"].description
    # the register its figures come from is named, with the credit its licence asks for (it named four sources, not
    # CQC: the commissioner review); the FSA's ratings, which no table counts, are not
    sources = json.loads((site / "market" / "datapackage.json").read_text(encoding="utf-8"))["sources"]
    assert [s["title"] for s in sources][0].startswith("Care Quality Commission: register of regulated services")
    assert "Contains public sector information from the Care Quality Commission" in json.dumps(sources) and not any(s["title"].startswith("Food Standards Agency") for s in sources)


@pytest.mark.parametrize("locality", ["Not known", "NOT KNOWN"])
def test_a_locality_named_like_the_not_known_wording_is_read_as_its_name_not_as_no_value(tmp_path, locality):
    """The tables' missing values (the not-known wording) were the whole table's: a locality named "Not known" (a town
    or a council's own name) was read back as no locality at all. A column of text has only the empty cell as no value."""
    from frictionless import Package

    from carehomes.render import market_page
    from carehomes.schema import load_schema

    _, files = market_page(views_of(FIXTURES / "profiles"), TODAY, {locality: ["HR1"]}, [], load_schema(), "X")
    for name, body in files.items():
        (tmp_path / (name if name == "datapackage.json" else f"{name}.csv")).write_text(body, encoding="utf-8")
    tables = {r.name: r for r in Package(str(tmp_path / "datapackage.json")).resources}
    assert [r["Locality"] for r in tables["capacity-by-kind"].read_rows()] == [locality, "Unknown", "Total"]
    assert [r["Locality"] for r in tables["vacancies"].read_rows()] == [locality, "Unknown"]
    freshness = tables["freshness"].read_rows()
    assert all(r["Measure"] for r in freshness)


def test_the_tables_package_describes_each_column_in_plain_words_and_the_agencies_as_agencies():
    """Oldham's market/datapackage.json said 'Homes whose data does not say whether they CQC registers for care with
    nursing' (homes-and-beds), and, of the home care agencies' ratings table, 'Homes whose rating our data does not
    have'."""
    import json

    from carehomes.market import quality_rows
    from carehomes.render import market_page
    from carehomes.schema import load_schema

    _, files = market_page(views_of(FIXTURES / "profiles"), TODAY, None, [], load_schema(), "Exampleshire care directory")
    fields = {f["name"]: f.get("description") for r in json.loads(files["datapackage.json"])["resources"]
              if r["name"] == "homes-and-beds" for f in r["schema"]["fields"]}
    assert fields["With nursing"] == "Homes that are registered by CQC for care with nursing, of those whose data says."
    assert fields["With nursing: not known"] == ("Homes whose data does not say whether they are registered by CQC for care "
                                                 "with nursing.")
    header, _ = quality_rows(views_of(FIXTURES / "profiles"), "agencies")
    assert header[-1].parts[0].description == "Agencies whose rating our data does not have."


def test_the_change_since_a_release_counts_care_homes_not_the_agencies_it_holds_too(tmp_path):
    """From the closures' second review: a release of Oldham holds its agencies too, and the market page counted them
    as homes then: "44 homes now, 104 at the release, -60", of one register."""
    oldham = ROOT / "areas" / "oldham" / "providers"
    profiles = check_paths([oldham], on=TODAY).profiles
    snapshot(data_files(profiles), tmp_path / "releases", dt.date(2026, 10, 1))
    date, folder = list_releases(tmp_path / "releases")[-1]
    views = [HomeView(p.data, TODAY) for p in profiles]
    tables = Tables()
    market_html(views, TODAY, previous=(date, release_records(folder)), tables=tables)
    total = csv_rows(tables.files["change-since-release"])[-1]
    assert total[:4] == ["Total", "44", "44", "0"], total


def test_a_locality_the_council_names_with_no_care_home_is_a_row_of_0(tmp_path):
    """A locality whose last care home closed dropped out of the capacity table altogether, so a gap never showed as 0
    (the commissioner review: Saddleworth, its one home deregistered). Each locality the council names is a row."""
    from carehomes.render import market_page
    from carehomes.schema import load_schema

    _, files = market_page(views_of(FIXTURES / "profiles"), TODAY, {"Exampleton": ["HR1"], "Nowhere Vale": ["HR9"]}, [],
                           load_schema(), "X")
    rows = csv_rows(files["capacity-by-kind"])
    nowhere = next(r for r in rows if r[0] == "Nowhere Vale")
    assert nowhere[1:3] == ["0", "0"] and "not known" not in nowhere, rows[0]
    assert [r[0] for r in rows[1:]] == ["Exampleton", "Unknown", "Nowhere Vale", "Total"]
    # its needs: no home can meet them, a gap certain, not "Not known" (the accessibility review)
    needs = csv_rows(files["needs"])
    at = needs[0].index("Nowhere Vale: homes that can")
    assert all(r[at:at + 4] == ["0", "0", "0", "0"] for r in needs[1:]), needs[1]
    page, _ = market_page(views_of(FIXTURES / "profiles"), TODAY, {"Exampleton": ["HR1"], "Nowhere Vale": ["HR9"]}, [],
                          load_schema(), "X")
    assert '<strong class="ch-gap">No home can</strong>; no care home here' in page
    fees = next(r for r in csv_rows(files["fees"]) if r[0] == "Nowhere Vale")
    assert fees[1:] == ["", "", "0", "0", "", "", "0", "0"] and "<td>no homes</td>" in page  # no fee to know


def test_the_needs_table_shows_the_largest_areas_by_beds_and_its_csv_every_one():
    """The needs table kept "the 12 largest" of Herefordshire's 15 towns by homes and then A to Z: Ludlow's 7 beds over
    Withington's 28, and its CSV lost the other three towns a gap analysis needs (the commissioner review)."""
    from carehomes.render import market_page
    from carehomes.schema import load_schema

    page, files = market_page(views_of(ROOT / "providers"), TODAY, None, [], load_schema(), "X")
    header = csv_rows(files["needs"])[0]
    towns = [h.removesuffix(": homes that can") for h in header if h.endswith(": homes that can")]
    table = page[page.index("Homes able to meet each need"):]
    table = table[:table.index("</table>")]
    shown = [t for t in towns if f">{t}</th>" in table]
    capacity = csv_rows(files["homes-and-beds"])
    beds = {row[0]: int(row[capacity[0].index("Registered beds")]) for row in capacity[1:-1]}
    assert len(towns) == len(beds) == 15 and len(shown) == 12, (towns, shown)
    assert "Withington" in shown and "Ludlow" not in shown
    assert min(beds[t] for t in shown) >= max(beds[t] for t in towns if t not in shown), (shown, beds)


def test_homes_from_registers_of_several_dates_are_said_and_warned_of_by_the_oldest(tmp_path):
    """A merge of two councils' open data (Oldham's register of 20 March 2025, Herefordshire's of 31 March 2021) was
    labelled "CQC data as at 20 March 2025" throughout, its warning saying the register was 1 year 8 months old, though
    88 of its 132 homes were 5 years 8 months old (the commissioner review). It says so, and warns by the oldest."""
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    minimal = prov / "example-minimal.yaml"  # as at CQC's register of 2021; example-full's is of 26 August 2025
    minimal.write_text(minimal.read_text(encoding="utf-8") + "cqc:\n  imported: 2021-03-31\n", encoding="utf-8")
    views = views_of(prov)

    page = market_html(views, TODAY)
    assert "<strong>CQC data as at 26 August 2025</strong>" in page
    assert ("The profiles come from CQC registers of more than one date: 1 of these care homes are as at an older "
            "one, back to 31 March 2021.") in page
    assert "Some of the CQC figures are from CQC&#x27;s register of 31 March 2021, 5 years 7 months ago." in page
    assert "had closed by the dates of the CQC registers its profiles come from (31 March 2021 to 26 August 2025)." in page
    assert "Capacity by town and kind, CQC data as at 31 March 2021 to 26 August 2025" in page  # a caption
    one = market_html(views_of(FIXTURES / "profiles"), TODAY)  # one register date: as before
    assert "more than one date" not in one and "Some of the" not in one


def test_an_area_the_release_held_no_council_of_is_not_known_then_not_0(tmp_path):
    """A merge adding Oldham to Herefordshire's directory, built beside a release of Herefordshire alone, said Oldham
    had gained 44 homes and 1,574 beds since (the accessibility review): the release never held it. Its "then", and
    the Total's, are not known; an area of a council the release held, with no home then, is 0 then (a first home)."""
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    records = {k: dict(v) for k, v in ((str(p.data["location_id"]), p.data) for p in check_paths([prov], on=TODAY).profiles)}
    minimal = next(k for k, r in records.items() if "minimal" in str(r.get("slug")))
    del records[minimal]  # the release held one home, of Exampleshire
    other = prov / "example-minimal.yaml"  # now of another council the release never held
    other.write_text(other.read_text(encoding="utf-8").replace("locality: Exampleshire", "locality: Otherham"), encoding="utf-8")
    tables = Tables()
    market_html(views_of(prov), TODAY, previous=(dt.date(2026, 10, 1), records), tables=tables)
    rows = {r[0]: r for r in csv_rows(tables.files["change-since-release"])[1:]}
    assert rows["Otherham"][1:4] == ["1", "not known", "not known"] and rows["Total"][2:4] == ["not known", "not known"], rows
    assert rows["Exampleshire"][1:4] == ["1", "1", "0"], rows
