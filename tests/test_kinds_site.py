"""The proof that a kind of service is data (issue 19, requirement 4): a copy of schema/ that declares a
made-up day centre (in datapackage.json's x-directory.kinds and in face.json) builds a whole site with both
kinds, and the care homes' pages and files are what they are without it."""
from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, TODAY
from helpers import search_index
from test_kinds import day_centre_schema

from carehomes.load import Profile, parse_profile
from carehomes.pipeline import build_site
from carehomes.schema import Schema, load_schema

CENTRE = ("location_id: 1-000000301\nslug: example-centre\nexample: true\nname: Example Centre (fictional)\n"
          "locality: Exampleshire\nkinds: [day_centre]\nplaces:\n  total: 12\n")
CENTRE_FACE = {
    "page": [{"id": "places", "title": "Places", "source": "{provider}",
              "facts": [{"path": "places.total", "format": "count", "short": "how many places it has"},
                        {"path": "locality", "format": "text", "label": "Local authority area"}]}],
    "card": [{"id": "places", "path": "places.total", "format": "count", "template": "{value} places a day",
              "unknown": "Places: {notProvided}"}],
    "compare": [{"id": "places", "path": "places.total", "format": "count", "label": "Places a day"}],
    "facets": [{"key": "places", "control": "checks", "legend": "Day centre places", "question": "has said its places a day",
                "options": [{"id": "places-given", "filter": "has_places", "path": "places.total", "value": "yes",
                             "label": "Has said its places a day"}]}],
    "sorts": [{"key": "name", "label": "Name (A to Z)", "words": "A to Z by name", "rank": {"value": "name"}}],
}


def _schema_folder(folder: Path) -> Schema:
    """A copy of schema/ with the day centre declared in the data package and in face.json."""
    shutil.copytree(ROOT / "schema", folder)
    pkg = day_centre_schema().package
    (folder / "datapackage.json").write_text(json.dumps(pkg, indent=1), encoding="utf-8")
    face = json.loads((folder / "face.json").read_text(encoding="utf-8"))
    face["kinds"]["day_centre"] = CENTRE_FACE
    (folder / "face.json").write_text(json.dumps(face, indent=1), encoding="utf-8")
    return Schema(pkg, folder)


def _profiles(with_centre: bool) -> list[Profile]:
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((FIXTURES / "profiles").glob("*.yaml"))]
    texts += [("example-centre.yaml", CENTRE)] if with_centre else []
    out = []
    for name, text in texts:
        p, problems = parse_profile(text, name)
        assert p is not None, problems
        out.append(p)
    return out


def _text(page: str) -> str:
    """A page's words without its markup, scripts and styles."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def _same(path: Path) -> str:
    """A page's own content and data (it carries nothing of other homes: no site-wide rank). The site's chrome
    (menu titles such as "Find care" for a site of several kinds, and the shortlist's words for its script, which say
    "services" there) is the site's, not the home's."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".html":
        return text
    article = re.search(r"<article\b.*?</article>", text, re.S)
    assert article, path
    return re.sub(r'<script type="application/json" id="directory-values">.*?</script>', "", article.group(0), flags=re.S)


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.mark.slow
def test_a_site_with_a_second_kind_builds_with_no_code_change(tmp_path):
    schema = _schema_folder(tmp_path / "schema")
    both = tmp_path / "both"
    build_site(_profiles(True), both, today=TODAY, schema=schema, releases_dir=tmp_path / "none")
    homes = tmp_path / "homes"
    build_site(_profiles(False), homes, today=TODAY, schema=load_schema(), index=False, releases_dir=tmp_path / "none")
    centre = (both / "homes/example-centre/index.html").read_text(encoding="utf-8")
    assert '<li>12 places a day</li>' in centre  # the key facts: its card lines
    assert re.search(r">Places a day<.*?>12<", centre, re.S) and ">Places<" in centre  # its page group
    indexed = search_index(both)["example-centre"]
    assert indexed["filters"]["has_places"] == ["yes"]
    assert "beds" not in _text(centre).lower()
    assert json.loads(base64.b64decode(indexed["card"]["meta"]["card"])) == {"address": "Exampleshire", "lines": ["12 places a day"],
                                                                        "cqc": "https://www.cqc.org.uk/location/1-000000301"}
    assert json.loads((both / "homes/example-centre/home.json").read_text(encoding="utf-8"))["compare"] == {"places": "12"}
    find = (both / "find/index.html").read_text(encoding="utf-8")
    assert re.search(r'<legend>Day centre places</legend>\s*<div class="ch-check"><input type="checkbox" id="places-given" '
                     r'name="places" value="yes" data-filter="has_places">', find)
    assert json.loads((both / "search/facets.json").read_text(encoding="utf-8"))["known"]["has_places"] == 1
    script = json.loads(html.unescape(re.search(r'id="directory-face">(.*?)</script>',
                                                (both / "compare/index.html").read_text(encoding="utf-8")).group(1)))
    homes_script = json.loads(html.unescape(re.search(r'id="directory-face">(.*?)</script>',
                                                      (homes / "compare/index.html").read_text(encoding="utf-8")).group(1)))
    assert script["compare"] == [*homes_script["compare"], ["places", "Places a day", ""]]  # its own fact: not provided yet
    kinds = {"kind": [*homes_script["filters"]["kind"], "kind_day_centre"]}  # the choice of kind names every kind
    assert script["filters"] == {**homes_script["filters"], **kinds, "places": ["has_places"]}
    assert [(r["location_id"], r["places_total"]) for r in _rows(both / "data/day-centres.csv")] == [("1-000000301", "12")]
    services = {s["name"]: s for s in json.loads((both / "data/oruk-services.json").read_text(encoding="utf-8"))}
    assert services["Example Centre (fictional)"]["x_day_centre"] == {"places": {"total": 12}, "locality": "Exampleshire"}
    oruk = [p for p in (both / "oruk").rglob("*") if p.is_file() and "Example Centre (fictional)" in p.read_text(encoding="utf-8")]
    assert oruk, "the static ORUK API serves the day centre"
    # the care homes' outputs are what they are without the day centre
    for name in ("care-homes.csv", "care-homes.json", "capabilities.csv"):
        assert (both / "data" / name).read_bytes() == (homes / "data" / name).read_bytes(), name
    for p in _profiles(False):
        slug = p.data["slug"]
        for name in ("index.html", "home.json"):
            assert _same(both / "homes" / slug / name) == _same(homes / "homes" / slug / name), (slug, name)


AGENCIES = FIXTURES / "agencies"


@pytest.fixture(scope="module")
def agency_site(tmp_path_factory) -> Path:
    """The fixture care homes and the fictional agencies (tests/fixtures/agencies/), built once."""
    out = tmp_path_factory.mktemp("agencies") / "site"
    profiles = _profiles(False)
    for p in sorted(AGENCIES.glob("*.yaml")):
        parsed, problems = parse_profile(p.read_text(encoding="utf-8"), p.name)
        assert parsed is not None, problems
        profiles.append(parsed)
    build_site(profiles, out, today=TODAY, schema=load_schema(), releases_dir=out.parent / "none")
    return out


def _card(site: Path, slug: str) -> dict:
    return json.loads(base64.b64decode(search_index(site)[slug]["card"]["meta"]["card"]))


@pytest.mark.slow
def test_agencies_are_found_with_care_homes_and_told_apart(agency_site):
    covers = (agency_site / "homes/example-agency-covers/index.html").read_text(encoding="utf-8")
    text = _text(covers)
    assert "<li>Taking new clients: yes, about 20 hours a week (confirmed 22 November 2026, 1 day ago)</li>" in covers  # key facts
    assert "Each part of the CQC rating Safe: Good; Effective: Good; Caring: Outstanding" in text
    assert "Office address (not the area it covers) 1 Example Office Row, Chadderton, OL9 9ZZ" in text
    assert "Is this your agency?" in text or "edit" not in covers  # the update box only with a repository
    body = _text(covers[covers.index('class="ch-badges"'):covers.index("application/ld+json")]).lower()
    assert "beds" not in body and "care home" not in body and " home " not in body.replace("home care agenc", ""), body
    indexed = search_index(agency_site)
    for f in ("kind_home_care_agency", "taking", "band_dementia", "given_personal_care"):
        assert indexed["example-agency-covers"]["filters"][f] == ["yes"], f
    near = (agency_site / "homes/example-agency-near/index.html").read_text(encoding="utf-8")
    assert "taking" not in indexed["example-agency-near"]["filters"]  # said yes 23 days ago: out of date, so not filtered on
    assert "phone the agency to check" in _text(near)
    assert indexed["example-full"]["filters"]["kind_care_home"] == ["yes"]
    assert "kind_home_care_agency" not in indexed["example-full"]["filters"]
    assert {"oldham", "shaw"} <= set(indexed["example-agency-covers"]["words"])  # found by the towns it covers
    # the find page: the choice of kind with counts, the agencies' filters and sort, the list named by both kinds
    find = (agency_site / "find/index.html").read_text(encoding="utf-8")
    assert re.search(r'<legend>Type of service</legend>\s*<div class="ch-check"><input type="checkbox" id="kind-care-home" name="kind" '
                     r'value="care_home" data-filter="kind_care_home"><label for="kind-care-home">Care home</label><span class="ch-known"> \(2\)</span>', find)
    assert '<label for="kind-home-care-agency">Care at home</label><span class="ch-known"> (4)</span>' in find
    assert '<label for="taking">Taking new clients (confirmed in the last week)</label>' in find
    assert '<option value="hours">Hours of care it can start (most first)</option>' in find
    assert 'aria-label="Matching care homes and home care agencies"' in find
    facets = json.loads((agency_site / "search/facets.json").read_text(encoding="utf-8"))
    assert (facets["known"]["taking"], facets["known"]["covers"], facets["hoursband"]) == (2, 2, {"known": 2, "unknown": 4})
    # a count on a fact one kind gives is out of that kind's services, and says which ("known for 0 of 2 care homes")
    assert facets["ofKinds"]["weekend"] == ["care home", "care homes"]
    assert facets["ofKinds"]["taking"] == facets["ofKinds"]["covers"] == ["home care agency", "home care agencies"]
    assert set(facets["ofKinds"]) == set(facets["of"]), "every count out of fewer than all says of what"
    # the home page's shortcut to a list nobody has told us of asks it of that kind ("service" was every agency too)
    shortcuts = re.findall(r'class="ch-shortcut-empty">([^<]*)', (agency_site / "index.html").read_text(encoding="utf-8"))
    assert shortcuts == ["No care home has told us yet whether it can meet this need: Short-term placements, so this "
                         "list shows those that have not said: ring each to ask. Or see "]
    # compare: each agency's cells are its own kind's rows; the page carries each kind's rows
    summary = json.loads((agency_site / "homes/example-agency-covers/home.json").read_text(encoding="utf-8"))
    assert summary["kind"] == "home_care_agency" and summary["compare"]["covers"] == "OL1, OL2" and "beds" not in summary["compare"]
    script = json.loads(html.unescape(re.search(r'id="directory-face">(.*?)</script>',
                                                (agency_site / "compare/index.html").read_text(encoding="utf-8")).group(1)))
    assert [r[0] for r in script["kinds"]["home_care_agency"]["compare"]][:8] == ["distance", "address", "filtered", "rating", "manager", "manager_name", "dormant", "taking"]
    # OL1 1AA: the agency covering OL1 ranks first though its office is furthest; the others by office distance
    districts = json.loads((agency_site / "search/districts/OL.json").read_text(encoding="utf-8"))
    at = districts["OL1"][:2]
    found = []
    for slug in ("covers", "near", "elsewhere", "unknown"):
        meta = indexed[f"example-agency-{slug}"]["card"]["meta"]
        found.append({"card": _card(agency_site, f"example-agency-{slug}"), "at": [float(meta["lat"]), float(meta["lon"])], "title": slug})
    script_js = ("import { byCoverageThenDistance, km, officeDistanceText, readCard } from './overrides/assets/directory-text.js';\n"
                 f"const at = {json.dumps(at)}, found = {json.dumps(found)};\n"
                 "found.forEach((x) => { x.km = km(at, x.at); });\n"
                 "found.sort(byCoverageThenDistance('OL1'));\n"
                 "const find = { units: { mi: 'miles' }, noLocation: '' };\n"
                 "console.log(JSON.stringify(found.map((x) => [x.title, officeDistanceText(x.km, 'mi', find)])));")
    import subprocess
    out = subprocess.run(["node", "--input-type=module", "-e", script_js], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    order = json.loads(out)
    assert [t for t, _ in order] == ["covers", "near", "elsewhere", "unknown"]  # covering OL1 first, then by office distance
    assert all(re.fullmatch(r"Office \d+\.\d miles away", d) for _, d in order)


@pytest.mark.slow
def test_the_for_providers_page_tells_an_agencys_manager_what_applies_only_where_agencies_are_listed(agency_site, built_site):
    page = (agency_site / "for-providers" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<h2 id="if-you-run-a-home-care-agency">If you run a home care agency', page), page[:200]
    assert re.search(r"<h1 [^>]*>Updating your care home's or home care agency's page", page), "the heading names each kind"
    assert "template=update-home-care-agency-availability.yml" in page and "There are no beds to update." in page
    assert '<a href="#if-you-run-a-home-care-agency">If you run a home care agency</a>' in page  # from the introduction
    bundled = (built_site[0] / "for-providers" / "index.html").read_text(encoding="utf-8")  # care homes alone
    assert "home care agency" not in bundled and "Update vacancies" in bundled
    assert re.search(r"<h1 [^>]*>Updating your care home's page", bundled)


@pytest.mark.slow
def test_open_data_page_counts_services_of_each_kind(agency_site):
    """The open data page counts what the files hold by kind, as the home page does: an aggregator reading
    "6 homes" beside a care-homes.csv of 2 rows would look for 4 missing homes (Oldham's said "104 homes")."""
    text = _text((agency_site / "open-data/index.html").read_text(encoding="utf-8"))
    assert "(schema version 2.1.0). 6 services (2 care homes and 4 home care agencies). " in text
    # and says where each kind's facts are in the ORUK records, and who supplied the rest, in the site's words
    assert "are in x_care_home or x_home_care_agency in the JSON" in text
    assert "Details supplied by the services themselves to " in text and "Care home details supplied" not in text
    assert "Each location as a point on a map" in text


def test_the_not_found_page_says_what_the_site_lists(agency_site, built_site):
    """The theme's 404.html (rendered by the engine from mkdocs.yml alone) said "a care home" and "Browse all care homes",
    and its script "Search for homes named ...", on a site of care homes and agencies too: the build puts the site's
    words in its placeholders."""
    def text(site: Path) -> str:
        return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", (site / "404.html").read_text(encoding="utf-8"))))

    mixed, homes = text(agency_site), text(built_site[0])
    assert "If you followed a link to a service, it may have closed or changed its name." in mixed
    assert " Find care " in mixed and "Search for a service by name" in mixed
    assert "Browse all care homes and home care agencies by area" in mixed
    assert "If you followed a link to a care home, it may have closed or changed its name." in homes
    assert " Find a care home " in homes and "Search for a care home by name" in homes and "Browse all care homes by area" in homes
    for site, many in ((agency_site, "services"), (built_site[0], "homes")):
        page = (site / "404.html").read_text(encoding="utf-8")
        assert f'data-search="Search for {many} named “{{words}}”"' in page
        assert not re.search(r"\{(aKind|find|listing|homes)\}", page)


@pytest.mark.slow  # builds a site
def test_the_find_pages_fresh_answer_words_follow_the_sites_own_availability_age(tmp_path):
    """The find page said "Taking new clients (confirmed in the last week)" and "have not said in the last week how many
    beds are free" whatever the site's availability age: one whose mkdocs.yml sets 14 days filtered on 14 days under a
    week's words. The words now say the site's own span ({recent} in face.json: Age.recent)."""
    from carehomes.pipeline import check_paths

    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "    staleness:\n" in text
    (tmp_path / "mkdocs.yml").write_text(text.replace("    staleness:\n", "    staleness:\n      availability: 14 days\n", 1),
                                         encoding="utf-8")
    shutil.copytree(ROOT / "overrides", tmp_path / "overrides")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    checked = check_paths([FIXTURES / "profiles", AGENCIES], on=TODAY)
    out = tmp_path / "site"
    build_site(checked.profiles, out, today=TODAY, releases_dir=tmp_path / "none", config_path=tmp_path / "mkdocs.yml",
               index=False)
    find = (out / "find" / "index.html").read_text(encoding="utf-8")
    assert "Taking new clients (confirmed in the last 14 days)" in find
    assert "have not said in the last 14 days how many beds are free" in find
    assert "is taking new clients (said in the last 14 days)" in find
    assert "last week" not in find and not [p for p in out.rglob("*.html") if "{recent}" in p.read_text(encoding="utf-8")]
