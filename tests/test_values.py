"""The schema owns the directory's value lists; nothing else re-declares them, and their edges work."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import EDGE_HOMES, ROOT, TODAY
from helpers import search_index

from carehomes.schema import load_schema
from carehomes.views import HomeView

VALUES = load_schema().values

# Where a value list must never be written out: the pages, the JavaScript, the hand-written
# pages, and the Python that builds pages and reports (the schema module itself reads them).
SCANNED = sorted([*(ROOT / "carehomes" / "templates").glob("*"), *(ROOT / "overrides").rglob("*.html"),
                  *(ROOT / "overrides" / "assets").glob("*.js"), *(ROOT / "content").glob("*.md"),
                  *(ROOT / "carehomes" / n for n in ("views.py", "market.py", "report.py", "search.py", "render.py", "homepage.py"))])


def schema_values() -> dict[str, str]:
    """Every fixed value the schema declares -> where it is declared."""
    s = load_schema()
    out: dict[str, str] = {}
    for f in s.home_fields + s.capability_fields:
        for v in f.constraints.get("enum", []):
            if not str(v).isdigit():  # "0" to "5" (food hygiene) are numbers, not wording to keep in one place
                out[str(v)] = f"{f.name} enum"
        if f.path.startswith("care.user_bands."):
            out[f.title] = f"{f.name} title"
    for c in s.capabilities:
        out[c.label] = f"capability {c.code} label"
    for o in VALUES.owners.values():
        for v in (o.source, o.changed_by, o.meaning):
            out[v] = f"x-directory.owners.{o.code}"
    out[VALUES.no_rating] = "x-directory.labels.noRating"
    out[VALUES.not_provided] = "x-directory.labels.notProvided"
    u = VALUES.unknowns
    for key, v in (("notKnown", u.not_known), ("noHomeCan", u.no_home_can), ("heading", u.heading), ("cqcLink", u.cqc_link),
                   ("missingAsKind", u.missing_as_kind),
                   *((f"missingBy.{c}", m) for c, m in u.missing_by.items())):
        out[v] = f"x-directory.unknowns.{key}"
    for code, n in u.not_held_by.items():
        out[n.lead] = out[n.link] = out[n.url] = f"x-directory.unknowns.notHeldBy.{code}"
    out[VALUES.rating_stale_age] = "x-directory.staleness.ratingAge"
    for key, v in _words(VALUES.compare):  # the compare page's words, and the cells the build words (closedNoBeds)
        out.setdefault(v, f"x-directory.compare.{key}")
    return out


def page_words() -> dict[str, str]:
    """The find page's and the shortlist's words too (x-directory.find, .shortlist; not the unit codes, 'km'): the
    Python that builds pages and reports words nothing of them itself either."""
    out = schema_values()
    for block in ("find", "shortlist"):
        for key, v in _words(getattr(VALUES, block)):
            if not key.startswith("units."):
                out.setdefault(v, f"x-directory.{block}.{key}")
    return out


def _words(block: dict, at: str = "") -> list[tuple[str, str]]:
    """(dotted key, text) of every text in a block of wording, nested ones too (unknownBy.cqc), but its description."""
    out: list[tuple[str, str]] = []
    for key, v in block.items():
        if isinstance(v, dict):
            out += _words(v, f"{at}{key}.")
        elif isinstance(v, str) and key != "description":
            out.append((f"{at}{key}", v))
    return out


def literal_hits(text: str, value: str) -> bool:
    """A phrase (with a space, 12+ characters) anywhere; a shorter value as a quoted string or an element's whole text."""
    if " " in value and len(value) >= 12:
        return value in text
    v = re.escape(value)
    return re.search(rf"([\"']){v}\1|>{v}<", text) is not None


def test_scanned_files_exist():
    assert len(SCANNED) >= 15 and all(p.is_file() for p in SCANNED)


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_schema_value_is_redeclared(path: Path):
    text = path.read_text(encoding="utf-8")
    values = page_words() if path.suffix == ".py" else schema_values()
    found = [f"{value!r} ({where})" for value, where in values.items() if literal_hits(text, value)]
    assert found == [], f"{path.relative_to(ROOT)} re-declares {', '.join(found)}: read it from the schema (schema.Values)"


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_threshold_or_old_wording_is_redeclared(path: Path):
    text = path.read_text(encoding="utf-8")
    numbers = {VALUES.rating_stale_days, VALUES.fee_first, VALUES.fee_last}
    assert [n for n in numbers if re.search(rf"(?<![\w.]){n}(?![\w.])", text)] == []
    assert re.findall(r"(?i)not rated yet|\bnot rated\b|no rating known", text) == []
    assert VALUES.rating_stale_age not in text


def test_the_detector_finds_what_it_should():
    assert literal_hits('var R = ["Outstanding", "Good"];', "Good")
    assert literal_hits("<label>Good</label>", "Good")
    assert literal_hits("rates it Outstanding, Good, Requires improvement or Inadequate.", "Requires improvement")
    assert not literal_hits("Registered manager in post", "Registered")
    assert literal_hits("status in (None, 'Registered')", "Registered")
    # a cell the build words, written in views.py beside the schema's own (CLOSED_NO_BEDS, until December 2026)
    values = schema_values()
    assert values[VALUES.closed_no_beds] == "x-directory.compare.closedNoBeds"
    assert literal_hits('CLOSED_NO_BEDS = "Closed: no beds"  # a closed home\'s compare cell', VALUES.closed_no_beds)
    assert values[VALUES.compare["unknownBy"]["cqc"]] == "x-directory.compare.unknownBy.cqc"
    assert page_words()[VALUES.find["notConfirmed"]] == "x-directory.find.notConfirmed" and "km" not in page_words()


def test_value_lists_are_consistent():
    assert VALUES.ratings[0] == "Outstanding" and VALUES.rating_choices[-1] == VALUES.no_rating
    assert VALUES.graded_ratings == [r for r in VALUES.ratings if r not in VALUES.ungraded_ratings]
    assert set(VALUES.ratings_of_concern) <= set(VALUES.graded_ratings)
    assert VALUES.registered_status in VALUES.statuses
    assert set(VALUES.owners) == {f.owner for f in load_schema().home_fields}
    assert VALUES.fee_choices[0] == VALUES.fee_first and VALUES.fee_choices[-1] == VALUES.fee_last


def test_wrong_values_are_named():
    pkg = json.loads(json.dumps(load_schema().package))
    pkg["x-directory"]["ratingsOfConcern"] = ["Requires Improvement"]
    from carehomes.schema import Schema
    with pytest.raises(ValueError) as e:
        Schema(pkg)
    assert str(e.value) == ("schema/datapackage.json: x-directory: Requires Improvement must be (or, for labels.noRating, "
                            "must not be) a value of the cqc_rating or cqc_status enum")
    pkg["x-directory"]["ratingsOfConcern"] = ["Requires improvement"]
    del pkg["x-directory"]["compare"]["closedNoBeds"]  # a closed home's compare cell is the schema's words, or none
    with pytest.raises(ValueError) as e:
        Schema(pkg)
    assert str(e.value) == ("schema/datapackage.json: x-directory: 'compare.closedNoBeds' is missing or wrong; "
                            "see the description in x-directory")
    del pkg["x-directory"]["staleness"]
    with pytest.raises(ValueError) as e:
        Schema(pkg)
    assert str(e.value) == "schema/datapackage.json: x-directory: 'staleness' is missing or wrong; see the description in x-directory"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ratings.food.gov.uk", "//ratings.food.gov.uk/", "data:text/html,x",
                                 " https://ratings.food.gov.uk/", "ftp://ratings.food.gov.uk/"])
def test_a_not_held_lines_link_is_http_or_https_only(url):
    """The link a page gives for facts the site does not gather (x-directory.unknowns.notHeldBy) is a web address or
    the schema is refused, naming it: never javascript:, data: or a path on the site."""
    from carehomes.schema import Schema

    pkg = json.loads(json.dumps(load_schema().package))
    pkg["x-directory"]["unknowns"]["notHeldBy"]["fsa"]["url"] = url
    with pytest.raises(ValueError) as e:
        Schema(pkg)
    assert str(e.value) == ("schema/datapackage.json: x-directory: 'unknowns.notHeldBy.fsa (a text with {link} and an http or "
                            "https url)' is missing or wrong; see the description in x-directory")
    pkg["x-directory"]["unknowns"]["notHeldBy"]["fsa"]["url"] = "http://ratings.food.gov.uk/"
    assert Schema(pkg).values.unknowns.not_held_by["fsa"].url == "http://ratings.food.gov.uk/"


# ---- fee band edges ------------------------------------------------------------------------------

@pytest.mark.parametrize("fee, band", [(1199.99, "01200"), (1200, "01200"), (1200.01, "01300"), (1101, "01200"),
                                       (1100, "01100"), (0, "00000"), (99.5, "00100")])
def test_fee_band_rounds_up(fee, band):
    assert VALUES.fee_band(fee) == band


@pytest.mark.parametrize("limit", VALUES.fee_choices)
def test_up_to_a_fee_includes_the_edge_and_nothing_above(limit):
    bands = set(VALUES.fee_bands_up_to(limit))
    step = VALUES.fee_step
    assert VALUES.fee_band(limit - 0.01) in bands and VALUES.fee_band(limit) in bands
    assert VALUES.fee_band(limit + 0.01) not in bands and VALUES.fee_band(limit + step) not in bands
    assert VALUES.fee_band(0) in bands


def test_home_fee_band_and_rating_label():
    v = HomeView({"slug": "x", "name": "X", "location_id": "1-1", "fees": {"residential_from": 1200, "nursing_from": 1300},
                  "cqc": {"rating": "Inspected but not rated"}}, TODAY)
    assert v.fee_band == "01200" and v.fee_band in VALUES.fee_bands_up_to(1200)
    assert v.rating_label == "Inspected but not rated"
    none = HomeView({"slug": "y", "name": "Y", "location_id": "1-2"}, TODAY)
    assert none.fee_band == "none" and none.rating_label == VALUES.no_rating


# ---- the built pages carry the schema's lists -----------------------------------------------------

def test_find_page_offers_every_rating_a_home_can_have(edge_site):
    find = (edge_site / "find" / "index.html").read_text(encoding="utf-8")
    offered = re.findall(r'name="rating" value="([^"]*)"', find)
    assert offered == VALUES.rating_choices
    indexed = search_index(edge_site)
    filtered = {slug: indexed[slug]["filters"]["rating"] for slug in EDGE_HOMES}
    assert filtered == {"edge-fee-under": ["Good"], "edge-fee-on": ["Inspected but not rated"],
                        "edge-fee-over": ["Not yet rated"], "edge-no-rating": [VALUES.no_rating]}
    assert all(v[0] in offered for v in filtered.values())
    no_rating_page = (edge_site / "homes" / "edge-no-rating" / "index.html").read_text(encoding="utf-8")
    assert re.search(rf'<li>{VALUES.no_rating}: <a href="https://www.cqc.org.uk/location/[^"]+" rel="nofollow noopener">see the CQC page</a></li>',
                     no_rating_page)  # never "not rated": the link says where the rating is
    not_yet_page = (edge_site / "homes" / "edge-fee-over" / "index.html").read_text(encoding="utf-8")
    assert f"<li>CQC rating: {VALUES.not_yet_rated} by CQC" in not_yet_page
    facets = json.loads((edge_site / "search" / "facets.json").read_text())
    assert set(facets["rating"]) <= set(offered)
    assert facets["feeband"] == {"01200": 2, "01300": 1, "none": 1}


def test_fee_choices_and_script_values(edge_site):
    find = (edge_site / "find" / "index.html").read_text(encoding="utf-8")
    choices = re.findall(r'<option value="(\d+)" data-bands="([^"]*)">£', find)
    assert [int(v) for v, _ in choices] == VALUES.fee_choices
    # each choice carries the fee bands it holds: the rule lives in Python only
    assert all(bands.split() == VALUES.fee_bands_up_to(int(v)) for v, bands in choices)
    for page in ("find", "compare"):
        text = (edge_site / page / "index.html").read_text(encoding="utf-8")
        m = re.search(r'<script type="application/json" id="directory-values">(.*?)</script>', text)
        assert m, f"{page} page lacks the directory values"
        # the find page without the compare page's words, which its scripts never read
        assert json.loads(m.group(1)) == {k: v for k, v in VALUES.for_script().items() if page == "compare" or k != "compare"}
    scripts = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "overrides" / "assets").glob("directory*.js")}
    assert [name for name, text in scripts.items() if "VALUES.compare" in text] == ["directory-compare.js"]
    # a home's page (the page shell) carries the shortlist's words alone, for its button: the script has no words of
    # its own for it (x-directory.shortlist); a browse list, made in the same shell, has no such button and no words
    page = next((edge_site / "homes").glob("*/index.html"))
    m = re.search(r'<script type="application/json" id="directory-values">(.*?)</script>', page.read_text(encoding="utf-8"))
    assert m, f"{page} lacks the shortlist's words"
    assert json.loads(m.group(1)) == {"shortlist": VALUES.for_script()["shortlist"]}
    listed = next((edge_site / "browse").glob("[a-z]/index.html")).read_text(encoding="utf-8")
    assert 'id="directory-values"' not in listed and "ch-shortlist" not in listed


def test_published_package_keeps_the_value_lists(edge_site):
    pkg = json.loads((edge_site / "data" / "datapackage.json").read_text())
    assert pkg["x-directory"] == load_schema().package["x-directory"]


def test_links_into_the_find_page_use_values_it_offers(edge_site):
    """Shortcut links (find/?band=Dementia) name a band, need or rating by its schema label: each must be a choice."""
    import html
    from urllib.parse import parse_qsl

    find = (edge_site / "find" / "index.html").read_text(encoding="utf-8")
    offered = {(n, html.unescape(v)) for n, v in re.findall(r'<input[^>]*name="(\w+)" value="([^"]*)"', find)}
    offered |= {("maxfee", v) for v in re.findall(r'<option value="(\d+)">', find)}
    links = [(p, q) for p in SCANNED for q in re.findall(r'href="(?:\.\./)*find/\?([^"#]+)"', p.read_text(encoding="utf-8"))]
    assert len(links) >= 4
    for path, query in links:
        for name, value in parse_qsl(html.unescape(query)):
            if "{{" in value:  # filled by the build (kind={{ id }}): checked on a built site of both kinds, test_oldham_review
                continue
            assert (name, value) in offered, f"{path.relative_to(ROOT)}: find/?{query}: {name}={value} is not a choice on the find page"


def test_the_find_pages_told_us_wording_names_what_the_site_lists():
    """The find page's notes are finished by the build with the site's own words (finding.SiteWords): "homes" on a
    site of care homes, "services" on one of several kinds; the page's script only places the numbers."""
    for one, many in (("home", "homes"), ("service", "services")):
        find = VALUES.for_script(one, many)["find"]
        assert find["knownCount"] == f"known for {{n}} of {{total}} {many}"
        assert find["noHomeToldUs"] == f"No {one} has told us yet whether it {{question}}."
        # known, not "told us": a count may hold CQC's registration (an agency's personal care), said as known
        assert find["fewToldUs"] == f"We know for only {{n}} of {{total}} {many} whether each {{question}}."
        assert "{home" not in json.dumps({k: v for k, v in find.items() if k != "description"})
    assert VALUES.for_script() == VALUES.for_script("home", "homes")
    assert '"knownCount":"known for {n} of {total} services"' in VALUES.script_json("service", "services")
