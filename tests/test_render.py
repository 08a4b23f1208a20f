"""The site build without a browser: pages, sizes, escaping, dates and the build's safety."""
from __future__ import annotations

import base64
import datetime as dt
import json
import re
import shutil

import pytest
from conftest import FIXTURES, ROOT, TODAY, run_build
from helpers import search_index

from carehomes.ages import Age, nice_date
from carehomes.load import parse_profile
from carehomes.publish import release_date
from carehomes.safetext import markdown_lite, refused_links, safe_url
from carehomes.views import HomeView


@pytest.fixture
def built(built_site):
    return built_site


def test_every_home_has_a_page_and_summary(built):
    out, report = built
    assert report.homes == 91
    slugs = [p.stem for p in (ROOT / "providers").glob("[!_]*.yaml")]
    for slug in slugs:
        assert (out / "homes" / slug / "index.html").exists(), slug
        assert json.loads((out / "homes" / slug / "home.json").read_text())["slug"] == slug
    assert not (out / "homes" / "_shell").exists()
    for page in ("index.html", "find/index.html", "compare/index.html", "browse/index.html", "open-data/index.html",
                 "for-providers/index.html", "choosing-a-care-home/index.html", "choosing-home-care/index.html",
                 "paying-for-care/index.html", "data/datapackage.json", "search/areas.json", "search/districts/HR.json", "search/facets.json", "search/facets/index.json", "search/first.json"):
        assert (out / page).exists(), page


def test_profile_page_size_and_content(built):
    out, _ = built
    html = (out / "homes" / "aston-house" / "index.html").read_text()
    assert len(html.encode()) <= 60_000
    assert "<title>Aston House - " in html
    assert 'href="https://github.com/example-council/care-homes/edit/main/providers/aston-house.yaml"' in html
    assert "https://www.openstreetmap.org/?mlat=52.049615&amp;mlon=-2.687262" in html
    # known facts first; everything missing in one block, never as "no" or 0 (bundled real profile: CQC register only)
    assert "Not provided yet" not in html and "<dd>No</dd>" not in html
    assert '<li><a href="#not-known">What we do not know yet</a></li>' in html
    assert html.index('id="registration"') < html.index('id="not-known"')
    assert 'id="vacancies"' not in html and 'id="fees"' not in html and 'id="needs"' not in html
    assert ("<li><strong>This home has not told us yet:</strong> beds free now, how many of its beds have nursing and how many do not, which needs it can meet, "
            "its fees, contact details (phone, email, website), manager&#39;s name, weekend assessments and admissions, "
            "which hospitals it works with, how many staff leave each year, a rating from residents and families, "
            "a description of the home.</li>") in html
    # the rating is not in this block: its own row says "Rating not in our data: see the CQC page", with the link
    assert ("<li><strong>The CQC information we hold does not say:</strong> whether a registered manager "
            "is in post, the provider that runs it.</li>") in html
    assert ('<p>Ask the home, or <a href="https://www.cqc.org.uk/location/1-10048660596" rel="nofollow noopener">'
            "see its CQC page</a>.</p>") in html
    assert "<li>Beds free now: not provided yet</li>" in html
    assert "<dt>Food hygiene rating</dt><dd>5 out of 5" in html
    assert "Source: Care Quality Commission register." in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1))
    assert ld["name"] == "Aston House" and ld["address"]["postalCode"] == "HR1 1TJ"


def test_known_none_and_not_known_on_profiles(built):
    """A 'no' the home gave is shown as No; what nobody gave is listed once, by who has not given it."""
    out, _ = built
    full = (out / "homes" / "example-full" / "index.html").read_text()
    # the fictional full home answered 3 of the needs (spinal rehabilitation: no); the rest are not known
    assert '<tr><th scope="row">Spinal rehabilitation</th><td>No</td><td></td><td></td></tr>' in full
    assert '<th scope="row">Non-weight bearing' not in full
    assert "<dt>Weekend admissions from hospital</dt><dd>No</dd>" in full
    assert "<dt>Beds without nursing free now</dt><dd>0</dd>" in full, "a 0 the home gave is a real 0"
    assert ("<ul><li><strong>This home has not told us yet:</strong> whether it can meet the other 7 needs on the list.</li></ul>") in full
    minimal = (out / "homes" / "example-minimal" / "index.html").read_text()
    assert "<li><strong>The Food Standards Agency ratings we hold do not say:</strong> its food hygiene rating.</li>" in minimal
    assert ("<li><strong>The CQC information we hold does not say:</strong> address, where it is on a map, type of home, "
            "who it is registered to support, whether a registered manager is in post, the provider that runs it, "
            "its registration status, when it was registered, how many beds are registered.</li>") in minimal
    assert 'id="about"' not in minimal and "<dd>No</dd>" not in minimal and "<dd>0</dd>" not in minimal
    # the rating has its own row, linking to CQC, rather than a place in this block
    assert "Rating not in our data: see the CQC page" in minimal


OLD_FSA_LINE = "<li><strong>The Food Standards Agency ratings we hold do not say:</strong> its food hygiene rating.</li>"
NOT_HELD_FSA_LINE = ('<li><strong>This directory does not hold food hygiene ratings:</strong> look up its food hygiene rating on '
                     '<a href="https://ratings.food.gov.uk/" rel="noopener">the Food Standards Agency&#39;s website</a>.</li>')


def test_a_site_gathering_no_food_hygiene_ratings_says_so_and_links_to_the_fsas_search(built):
    """From a family reading Oldham's pages (no FSA data imported there: fsa_authorities: []): "The Food Standards
    Agency ratings we hold do not say" read as if the FSA had no rating. A site whose settings list no FSA authority
    says it holds none and links to the FSA's own search; one that lists them (the top level's: the built site) keeps
    its line. From the site's settings alone (siteconfig.ungathered), never from other homes' profiles."""
    from carehomes.render import home_page, profile_page
    from carehomes.siteconfig import read_config, ungathered

    assert ungathered(read_config(ROOT / "mkdocs.yml").directory) == frozenset()
    assert ungathered(read_config(ROOT / "areas" / "oldham" / "mkdocs.yml").directory) == {"fsa"}
    assert ungathered({}) == ungathered({"fsa_authorities": None}) == {"fsa"} and ungathered({"fsa_authorities": [557]}) == set()
    out, _ = built
    minimal = (out / "homes" / "example-minimal" / "index.html").read_text()
    assert OLD_FSA_LINE in minimal and "ratings.food.gov.uk" not in minimal
    data = parse_profile((FIXTURES / "profiles" / "example-minimal.yaml").read_text(), "x.yaml")[0].data
    page, _ = home_page(HomeView(data, TODAY, ungathered=frozenset({"fsa"})), profile_page(), ("<main>", "</main>"), "a@example.org")
    assert NOT_HELD_FSA_LINE in page and OLD_FSA_LINE not in page
    assert page.count("The CQC information we hold does not say") == 1  # the other owners' lines as they were
    full = parse_profile((FIXTURES / "profiles" / "example-full.yaml").read_text(), "x.yaml")[0].data
    page, _ = home_page(HomeView(full, TODAY, ungathered=frozenset({"fsa"})), profile_page(), ("<main>", "</main>"), "a@example.org")
    assert "<dt>Food hygiene rating</dt><dd>5 out of 5" in page and "does not hold food hygiene" not in page  # a rating held



def test_the_open_data_pages_attribution_names_the_fsa_when_a_service_holds_its_rating():
    """The open data review: with fsa_authorities: [] (Oldham's) and a rating imported anyway, datapackage.json, the
    workbook and the database named the FSA as a source but the open data page's attribution left it out, so a
    re-user copying the page's lines under-credited it. The page now asks whether any service holds an FSA fact, as
    the package does (typed.owners_holding)."""
    from carehomes.render import owners_held
    from carehomes.schema import load_schema

    schema = load_schema()
    full = parse_profile((FIXTURES / "profiles" / "example-full.yaml").read_text(), "x.yaml")[0].data
    minimal = parse_profile((FIXTURES / "profiles" / "example-minimal.yaml").read_text(), "x.yaml")[0].data
    assert full["food_hygiene"]["rating"] and "food_hygiene" not in minimal
    assert owners_held([HomeView(minimal, TODAY)], schema) == {"cqc"}
    assert owners_held([HomeView(minimal, TODAY), HomeView(full, TODAY, ungathered=frozenset({"fsa"}))], schema) == {"cqc", "fsa"}

def test_facets_say_how_many_homes_have_given_each_fact(built):
    """search/facets.json 'known': per find-page filter, homes that gave the fact at all (yes or no)."""
    out, _ = built
    facets = json.loads((out / "search" / "facets.json").read_text())
    assert facets["homes"] == 91
    known = facets["known"]
    # only the fictional full home has answered needs: tracheostomy yes, spinal rehabilitation no; nobody the rest
    assert known["need_tracheostomy"] == 1 and known["need_spinal_rehabilitation"] == 1 and known["need_non_weight_bearing"] == 0
    # the 88 real homes come from the CQC register: care type and bands known; vacancies, fees, ratings not
    assert known["care_nursing"] == 89 and known["band_dementia"] == 89
    assert (known["free"], known["free_nursing"], known["fee"], known["rating"], known["weekend"], known["trust"]) == (1, 1, 1, 1, 1, 2)
    assert known["location"] == 89
    filters = {m for m in re.findall(r'data-filter="(\w+)"', (out / "find" / "index.html").read_text())}
    assert filters and filters <= set(known), "every filter on the find page has a known count"


def test_the_find_page_has_a_heading_for_its_filters_and_its_results(built):
    """A screen reader user going by headings went from the page's title to "Browse all ..." past the filters and the
    results, the page's two main parts: each now has a heading (for screen readers alone; the page shows them as
    a panel and a list), in the order the page reads."""
    out, _ = built
    page = (out / "find" / "index.html").read_text(encoding="utf-8")
    headings = [(level, re.sub(r"<[^>]+>", "", text).strip()) for level, text in re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", page, re.S)]
    main = [h for h in headings if h[1] in ("Filters", "Results") or h[1].startswith(("Find a", "Browse all"))]
    assert [level for level, _ in main] == ["1", "2", "2", "2"]
    assert [text for _, text in main][1:3] == ["Filters", "Results"] and main[3][1].startswith("Browse all 91 ")
    assert page.index('id="filters-title"') < page.index('id="filter-panel"') < page.index('id="results-title"') < page.index('id="results"')
    assert re.search(r"\.ch-visually-hidden \{ position: absolute !important;.*clip-path: inset\(50%\)",
                     (out / "assets" / "directory.css").read_text(encoding="utf-8"))


def test_a_home_page_says_its_name_once_then_its_address(built):
    """The lede under the heading held the home's name again, hidden (Pagefind's title, long gone): a screen reader read
    "Aston House" then "Aston House, ..." (the accessibility review)."""
    out, _ = built
    page = (out / "homes" / "aston-house" / "index.html").read_text(encoding="utf-8")
    lede = re.search(r'<p class="ch-lede">(.*?)</p>', page, re.S)
    assert lede and "Aston House" not in lede[1] and "<span" not in lede[1] and lede[1].strip()
    assert page.count("<h1") == 1 and re.search(r"<h1[^>]*>Aston House</h1>", page)


def test_stale_flags(built):
    out, _ = built
    full = (out / "homes" / "example-full" / "index.html").read_text()
    # beds confirmed 2026-11-20 (3 days before TODAY): fresh; rating 2025-03-14: under two years;
    # but the register facts (2025-08-26) are more than the configured 3 months old
    assert full.count("Possibly out of date") == 1
    assert ("These Care Quality Commission (CQC) facts may be out of date. They are from the CQC register of 26 August 2025 "
            "(1 year 2 months ago), more than 3 months ago. Check the CQC page for what CQC says now.") in full
    # every dated group says how old its date is, in words, as at the build's day
    assert 'Vacancies confirmed: <time datetime="2026-11-20">20 November 2026</time> (3 days ago).' in full
    assert 'CQC rating published: <time datetime="2025-03-14">14 March 2025</time> (1 year 8 months ago).' in full
    data = parse_profile((FIXTURES / "profiles" / "example-full.yaml").read_text(), "x.yaml")[0].data
    view = HomeView(data, TODAY + dt.timedelta(days=800))
    assert view.availability_stale and view.rating_stale
    groups = {g.id: g for g in view.groups()}
    assert groups["vacancies"].stale.startswith("The home last confirmed its free beds on 20 November 2026 (2 years 2 months ago), "
                                                "more than 7 days ago.")
    assert groups["quality"].stale.startswith("This CQC rating may be out of date. It was published on 14 March 2025 (3 years 10 months ago), more than 2 years ago.")


def test_hostile_profile_is_harmless(built):
    out, _ = built
    html = (out / "homes" / "example-hostile" / "index.html").read_text()
    body = html.split('<div class="ch-profile"', 1)[1]
    assert "<script>alert" not in body and "<img src=x" not in body and "<b onmouseover" not in body
    assert "javascript:" not in body and "data:text/html" not in body
    assert "&lt;script&gt;alert(&#x27;desc&#x27;)&lt;/script&gt;" in body
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "</script>" not in ld and json.loads(ld)["address"]["streetAddress"] == "</script><script>alert('street')</script>"
    for page in (out / "browse").rglob("index.html"):
        assert "<img src=x" not in page.read_text()
    assert "{{ 7*7 }}" in body, "provider text is never run as a template"


def test_a_picture_in_markdown_is_a_link_to_it_never_an_image():
    """``![text](url)`` is a link with its text (no "!" left over, no img element); with no text its words are
    "picture"; with an address no link may have, its text alone; ``[](url)`` stays as written."""
    assert markdown_lite("See ![our garden](https://x.org/g.jpg).") == (
        '<p>See <a href="https://x.org/g.jpg" rel="nofollow noopener">our garden</a>.</p>')
    assert markdown_lite("![](https://x.org/g.jpg)") == '<p><a href="https://x.org/g.jpg" rel="nofollow noopener">picture</a></p>'
    assert markdown_lite("![x](javascript:alert(1))") == "<p>x</p>"
    assert markdown_lite("[](https://x.org)") == "<p>[](https://x.org)</p>"
    assert "<img" not in markdown_lite('![a"><img src=x onerror=alert(1)>](https://x.org/g.jpg)')


def test_markdown_lite_allows_only_safe_links():
    assert markdown_lite("[a](https://x.org/p?a=1&b=2)") == '<p><a href="https://x.org/p?a=1&amp;b=2" rel="nofollow noopener">a</a></p>'
    assert markdown_lite("[a](javascript:alert(1))") == "<p>a</p>"  # the whole link goes, its parentheses too
    assert markdown_lite("[our site](https://example.org/a_(b)) more") == (
        '<p><a href="https://example.org/a_(b)" rel="nofollow noopener">our site</a> more</p>')
    assert markdown_lite("[a](JAVASCRIPT:x)") == "<p>a</p>"
    assert markdown_lite("[a](data:text/html,x)") == "<p>a</p>"
    assert markdown_lite("[call](tel:01432000000) [mail](mailto:a@b.org)").count("<a href=") == 2
    # a link is shown as check says: '<x>' made a link to '&lt;x&gt;' that check called plain text, and an address
    # written with '&#x27;' was read as one with a quote (so shown as text) that check called a link
    written = "[mail](mailto:a@b.org?subject=<x>) [s](https://x.org/&#x27;)"
    assert [url for url, _ in refused_links(written)] == ["mailto:a@b.org?subject=<x>"]
    assert markdown_lite(written) == ('<p>mail (mailto:a@b.org?subject=&lt;x&gt;) '
                                      '<a href="https://x.org/&amp;#x27;" rel="nofollow noopener">s</a></p>')
    assert markdown_lite("- one\n- **two**\n\nNext *para*") == "<ul><li>one</li><li><strong>two</strong></li></ul>\n<p>Next <em>para</em></p>"
    assert safe_url("https://ok.org") == "https://ok.org" and safe_url("vbscript:x") is None and safe_url("https:///x") is None


def test_markdown_lite_keeps_the_lines_and_lists_a_provider_types():
    """A list under a line of text, a numbered list and a second line were joined into one run-on paragraph ('<p>We
    offer: - nursing care - respite stays 1. Ground floor rooms 2. Garden views</p>'), though the docs said lists
    worked: a list was made only when every line of a block was a '- ' line, never a numbered one, and a single
    line break became a space. A bullet may now follow a line of text directly, a numbered list too when it starts
    at 1 (as CommonMark has it), and a line break is a <br>; a year or a number alone at a line's start is text."""
    assert markdown_lite("We offer:\n- nursing care\n- respite stays\n1. Ground floor rooms\n2. Garden views") == (
        "<p>We offer:</p>\n<ul><li>nursing care</li><li>respite stays</li></ul>\n"
        "<ol><li>Ground floor rooms</li><li>Garden views</li></ol>")
    assert markdown_lite("Gofal cartref\u2026\nSecond line.") == "<p>Gofal cartref\u2026<br>\nSecond line.</p>"
    assert markdown_lite("* one\n* *two*\n\n*Italic* words") == "<ul><li>one</li><li><em>two</em></li></ul>\n<p><em>Italic</em> words</p>"
    assert markdown_lite("3) Three\n4) Four") == '<ol start="3"><li>Three</li><li>Four</li></ol>'
    assert markdown_lite("1. First\n\n2. Second") == '<ol><li>First</li></ol>\n<ol start="2"><li>Second</li></ol>'
    # an indented line goes on in its item; any other line ends the list
    assert markdown_lite("- rooms\n  with a view\nCall us.") == "<ul><li>rooms<br>\nwith a view</li></ul>\n<p>Call us.</p>"
    # a year, a number with no words after it, a numbered line under text not starting at 1, a dash alone: text
    assert markdown_lite("2026. A good year") == "<p>2026. A good year</p>"
    assert markdown_lite("3. ") == "<p>3.</p>" and markdown_lite("- ") == "<p>-</p>"
    assert markdown_lite("Rooms:\n2. Garden\n-\n-5 degrees") == "<p>Rooms:<br>\n2. Garden<br>\n-<br>\n-5 degrees</p>"
    # bold and italic still run over a line break, as when the lines were joined; everything stays escaped
    assert markdown_lite("**very\ngood** and *a\nb*") == "<p><strong>very<br>\ngood</strong> and <em>a<br>\nb</em></p>"
    assert markdown_lite("- <b>x</b>\n1. <script>\n<i>y</i>") == (
        "<ul><li>&lt;b&gt;x&lt;/b&gt;</li></ul>\n<ol><li>&lt;script&gt;</li></ol>\n<p>&lt;i&gt;y&lt;/i&gt;</p>")


def test_a_link_the_page_cannot_make_shows_its_address_or_is_said_to_leave_it_out():
    """'Visit [our website](www.coppice.example) or call' was shown as 'Visit our website or call', the address
    gone, while check and the apply-update reply said it was 'shown as plain text'. An address with no scheme, or
    one no link may have, is now shown escaped in brackets after the words; one of another scheme (javascript:,
    data:) is left out, the words alone, and refused_links (what check quotes) gives exactly what the page shows."""
    written = "Visit [our website](www.coppice.example) or call"
    assert markdown_lite(written) == "<p>Visit our website (www.coppice.example) or call</p>"
    assert refused_links(written) == [("www.coppice.example", "our website (www.coppice.example)")]
    assert markdown_lite("[click](javascript:alert(1))") == "<p>click</p>"
    assert refused_links("[click](javascript:alert(1)) [x](Data:text/html,y)") == [
        ("javascript:alert(1)", "click"), ("Data:text/html,y", "x")]
    assert markdown_lite("[a](https:///x) [b](www.x.example:8080/a)") == "<p>a (https:///x) b (www.x.example:8080/a)</p>"
    assert markdown_lite("![garden](www.x.example/g.jpg) ![](ftp://x.example/g)") == "<p>garden (www.x.example/g.jpg) picture</p>"
    assert markdown_lite('[x](www.x.example/"onmouseover=y)') == "<p>x (www.x.example/&quot;onmouseover=y)</p>"


def test_a_link_is_found_in_the_text_as_typed_so_the_page_and_its_warning_agree():
    """The hostile review: links were found in the escaped text, so an address of 466 characters with 17 '&' (each
    '&amp;', past the 500-character limit) or words holding "'" and '&' were shown as written Markdown, and check, which
    reads the text as typed, warned of nothing; '[<<<...](javascript:...)' showed its javascript: address while the
    warning said it was left out. A refused link's words are quoted as the page shows them, without bold's stars."""
    address = "https://www.google.com/maps/place/?" + "&".join(f"p{i}=abcdefghijklmnopqrstu" for i in range(17))
    assert markdown_lite(f"[Find us]({address})") == (
        f'<p><a href="{address.replace("&", "&amp;")}" rel="nofollow noopener">Find us</a></p>') and len(address) < 500
    words = "Read what families say at Tom's, Ann's & Bob's home " + "x" * 120
    assert markdown_lite(f"[{words}](https://example.org/r)") == (
        f'<p><a href="https://example.org/r" rel="nofollow noopener">{words.replace("&", "&amp;").replace(chr(39), "&#x27;")}</a></p>')
    hostile = "[" + "<" * 60 + "](javascript:alert(1))"
    assert markdown_lite(hostile) == "<p>" + "&lt;" * 60 + "</p>" and refused_links(hostile) == [("javascript:alert(1)", "<" * 60)]
    assert markdown_lite("[**bold**](javascript:x)") == "<p><strong>bold</strong></p>"
    assert refused_links("[**bold**](javascript:x) [*it*](www.x.org/*b*)") == [("javascript:x", "bold"), ("www.x.org/*b*", "it (www.x.org/*b*)")]


def test_stars_in_a_link_address_are_part_of_it_not_bold_or_italic():
    """'[a](https://x.org/*b*/)' was linked to 'https://x.org/<em>b</em>/' (bold and italic were marked after the
    links were made, inside their href too), and an address shown as text lost its stars to italics. A link's
    address is now kept as written; its words, and words around it, are still marked."""
    assert markdown_lite("[a](https://x.org/*b*/) and *c*") == (
        '<p><a href="https://x.org/*b*/" rel="nofollow noopener">a</a> and <em>c</em></p>')
    assert markdown_lite("[a](https://x.org/**b**/)") == '<p><a href="https://x.org/**b**/" rel="nofollow noopener">a</a></p>'
    assert markdown_lite("**see [our *big* site](https://x.org)** now") == (
        '<p><strong>see <a href="https://x.org" rel="nofollow noopener">our <em>big</em> site</a></strong> now</p>')
    assert markdown_lite("[x](www.a.example/*b*) *i*") == "<p>x (www.a.example/*b*) <em>i</em></p>"
    assert markdown_lite("[](https://x.org/*a*)") == "<p>[](https://x.org/*a*)</p>"
    assert markdown_lite("a\x000\x00 [b](https://x.org)") == (  # a NUL typed holds no link's place
        '<p>a\ufffd0\ufffd <a href="https://x.org" rel="nofollow noopener">b</a></p>')


def test_the_open_data_page_says_which_tables_are_empty_before_anyone_downloads_them(built):
    """The bundled site lists care homes alone: its home care agencies' table and JSON are published with no rows (their
    columns are the same everywhere), and the table of files says so, so nobody downloads them to find nothing."""
    import html
    import re

    out, _ = built
    page = html.unescape(re.sub(r"<[^>]+>", "", (out / "open-data" / "index.html").read_text())).replace("\n", "")
    assert ("home-care-agencies.csvOne row per home care agency. Empty for now: this directory has no home care agencies "
            "yet. The file has column headings only.") in page
    assert ("home-care-agencies.jsonOne object per home care agency, shaped like the profiles. Empty for now: this "
            "directory has no home care agencies yet. The file is an empty list.") in page
    assert (out / "data" / "home-care-agencies.csv").read_text().count("\n") == 1  # as said: its header row alone
    assert page.count("Empty for now") == 2  # the care homes' tables and the needs table have rows


def test_open_data_and_provider_pages_are_generated_from_schema(built):
    out, _ = built
    from carehomes.schema import load_schema

    od = (out / "open-data" / "index.html").read_text()
    fp = (out / "for-providers" / "index.html").read_text()
    s = load_schema()
    for f in s.home_fields + s.capability_fields:
        assert f"<code>{f.name}</code>" in od, f"data dictionary lacks {f.name}"
    # the site gathers food hygiene ratings (fsa_authorities: [895]): their attribution is asked for
    assert "Food hygiene ratings: contains public sector information from the Food Standards Agency" in od
    from carehomes.cli import ROOT as root

    reference = (root / "docs" / "data.md").read_text()  # moved off the managers' page (issue 21)
    for path in s.by_path:
        if not path.startswith("capabilities.") or path == "capabilities.confirmed":
            assert f"`{path}`" in reference, f"field reference lacks {path}"
    assert "Field in your file" not in fp and "Every field a profile can hold" not in fp
    assert "/blob/main/docs/data.md#field-reference" in fp or "the field reference" in fp
    assert "Open Government Licence v3.0" in od and "care-homes.csv" in od
    import json as _json
    version = _json.loads((out / "data" / "datapackage.json").read_text())["version"]
    assert f"Version {version}, published" in od


def test_browse_lists_every_home(built):
    out, _ = built
    text = "".join(p.read_text() for p in (out / "browse").glob("*/index.html") if p.parent.name.startswith("area-"))
    for slug in [p.stem for p in (ROOT / "providers").glob("[!_]*.yaml")]:
        assert f'href="../../homes/{slug}/"' in text


@pytest.mark.slow  # builds a site
def test_failed_check_leaves_previous_site(tmp_path):
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    out = tmp_path / "site"
    r = run_build("build", "--providers", str(prov), "--out", str(out), "--no-search")
    assert r.returncode == 0, r.stderr
    # --no-search: the find page's counts and towns, no index
    assert ", not indexed, in " in r.stderr and (out / "search" / "facets.json").is_file()
    assert not (out / "search" / "facets").exists() and not (out / "search" / "first.json").exists()
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    (prov / "example-minimal.yaml").write_text("location_id: 1-000000201\nslug: example-minimal\nname: x\nlocality: y\nbeds:\n  registered: lots\n")
    r = run_build("build", "--providers", str(prov), "--out", str(out), "--no-search")
    assert r.returncode == 1
    assert "beds.registered: must be a whole number in figures, such as 3 or 0 for none, not 'lots'" in r.stdout
    assert f"the site was not built; {out} is unchanged." in r.stderr
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site-builds", "providers", "site"]
    assert len([p for p in (tmp_path / ".site-builds").iterdir() if not p.name.startswith(".")]) == 1


def test_an_empty_folder_of_profiles_is_refused_and_nothing_published(tmp_path):
    """Almost certainly a mistake (a wrong --providers): a site of 0 homes is never published over one."""
    (tmp_path / "providers").mkdir()
    r = run_build("build", "--providers", str(tmp_path / "providers"), "--out", str(tmp_path / "site"))
    assert r.returncode == 1, r.stderr
    assert "no profiles in this folder (no .yaml files)" in r.stdout + r.stderr
    assert not (tmp_path / "site").exists()


def test_rating_shown_only_as_cqc_says(built):
    out, _ = built
    for page in (out / "homes").glob("*/index.html"):
        assert "not rated yet" not in page.read_text().lower(), page
    aston = (out / "homes" / "aston-house" / "index.html").read_text()
    assert ('<li>Rating not in our data: <a href="https://www.cqc.org.uk/location/1-10048660596" '
            'rel="nofollow noopener">see the CQC page</a></li>') in aston
    assert "<li>CQC information dated 31 March 2021 (5 years 7 months ago)</li>" in aston
    home = (out / "index.html").read_text()
    assert "The CQC information may be out of date" in home
    # and where families search and browse, whose cards and lists give CQC's ratings with no register date beside them
    warning = ('<p class="ch-stale" role="note"><strong>The CQC information may be out of date:</strong> it is from CQC\'s '
               "register of 26 August 2025 (1 year 2 months ago).</p>")
    for page in ("find", "browse"):
        assert warning in (out / page / "index.html").read_text(), page
    # the footer keeps the day the data was published apart from the dates of its sources, with their ages
    released = nice_date(release_date())
    dates = (f"Data published {released}. CQC register dated 26 August 2025 (1 year 2 months ago). Food hygiene ratings "
             "from inspections dated")
    assert f'<p class="ch-dates">{dates}' in home
    assert f'<p class="ch-dates">{dates}' in (out / "find" / "index.html").read_text()
    assert (f'How old each fact is ("3 days ago") is as at {released}, the day this data was published.'
            in (out / "compare" / "index.html").read_text().replace("&quot;", '"').replace("&#34;", '"'))
    data = parse_profile((FIXTURES / "profiles" / "example-full.yaml").read_text(), "x.yaml")[0].data
    data["cqc"].update(rating="Not yet rated", phone="01432 000000")
    del data["cqc"]["rating_date"]
    del data["contact"]["phone"]
    view = HomeView(data, TODAY, staleness={"register": Age(24, "month")})
    groups = {g.id: g for g in view.groups()}
    facts = {f.label: f for g in groups.values() for f in g.facts}
    assert facts["CQC overall rating"].text == "Not yet rated by CQC" and facts["CQC overall rating"].href is None
    assert facts["Phone"].text == "01432 000000" and facts["Phone"].note == "as held by CQC; the home has not given its own"
    assert groups["registration"].stale is None  # 24 months configured


def test_name_order_town_labels_and_search_words():
    from carehomes.finding import name_key, search_words, towns

    assert sorted(["The Orchard", "Merrivale Farm", "Dulas Court", "the Acorns", "Ashgrove"], key=name_key) == \
        ["the Acorns", "Ashgrove", "Dulas Court", "Merrivale Farm", "The Orchard"]
    data = {"slug": "x", "name": "X", "location_id": "1-1", "locality": "Herefordshire",
            "address": {"town": "Ross-on-wye", "postcode": "HR9 7BQ"}, "provider": {"name": "Acme Care Ltd"},
            "care": {"nursing": True, "residential": False, "user_bands": {"dementia": True}}}
    views = [HomeView(data, TODAY), HomeView({**data, "address": {"town": "Ross On Wye"}}, TODAY)]
    labels = towns(views)
    assert labels == {"ross on wye": "Ross-on-Wye"}
    words = search_words(views[0], labels)
    for w in ("ross on wye", "HR9 7BQ", "HR97BQ", "Acme Care Ltd"):
        assert w in words, w
    # a need is a filter, never search text (schema/face.json needWords): the find page reads "dementia" as band_dementia
    assert "nursing" not in words.lower() and "dementia" not in words.lower() and "residential" not in words
    assert "band_dementia" in views[0].yes_filters and "care_nursing" in views[0].yes_filters


def test_a_service_is_found_by_the_place_its_street_line_ends_with():
    """CQC names a district or village before the post town ("Ivy Mill, Crown Street, Failsworth", town Manchester): a
    search for Failsworth found none of Oldham's 11 services there (family review). The place is a search word; a road,
    a building or a house number never is, so "Albert" or "Hereford" finds no home on an Albert Street or a Hereford
    Road."""
    from carehomes.finding import search_words, street_place, towns

    assert [street_place(s) for s in ("Ivy Mill, Crown Street, Failsworth", "Perth Street, Royton", "Suite 17 Greengate,, Middleton",
                                      "Hollinwood Business Centre, Albert Street", "Prospect House, Featherstall Road South",
                                      "Marle House, Oldham Broadway Business Park", "12 High Street", "Flat 2, 10-12",
                                      "Martha House, Hampton Green", "Royton House, 77 Oldham Road, Shaw")] == \
        ["Failsworth", "Royton", "Middleton", None, None, None, None, None, None, "Shaw"]
    data = {"slug": "x", "name": "X", "location_id": "1-1", "locality": "Oldham",
            "address": {"street": "Unit 3, Fields New Road, Chadderton", "town": "Oldham", "postcode": "OL9 8NP"}}
    view = HomeView(data, TODAY)
    words = search_words(view, towns([view]))
    assert "Chadderton" in words and "Fields" not in words and "Unit" not in words
    oldham = [HomeView(parse_profile(p.read_text(encoding="utf-8"), p.name)[0].data, TODAY)
              for p in sorted((ROOT / "areas" / "oldham" / "providers").glob("*.yaml"))]
    labels = towns(oldham)
    assert sum("Failsworth" in search_words(v, labels) for v in oldham) == 11


def test_static_list_pages_stay_small_on_a_national_sized_list(built, tmp_path):
    """A letter with 450 homes (long names and addresses) is split into pages of 200, each under 60 KB."""
    from carehomes.render import render_browse
    from carehomes.schema import load_schema

    out, _ = built
    shell = ((out / "browse" / "a" / "index.html").read_text(), "")  # a whole page as the frame: an overestimate
    views = [HomeView({"slug": f"aaa-home-{i:03d}", "name": f"Aaa {'Long Name ' * 5}{i:03d}", "location_id": f"1-{i}",
                       "locality": "Somewhere", "address": {"street": "The Very Long Street Name, Long Village" * 2,
                                                              "town": "Long Town Name", "postcode": "HR1 1AA"}}, TODAY)
             for i in range(450)]
    render_browse(views, tmp_path, shell, load_schema())
    pages = sorted((tmp_path / "browse").glob("a-*/index.html"))
    assert [p.parent.name for p in pages] == ["a-1", "a-2", "a-3"]
    for p in pages:
        assert len(p.read_bytes()) < 60_000, (p, len(p.read_bytes()))
    assert sum(p.read_text().count('href="../../homes/aaa-home-') for p in pages) == 450


def test_areas_spelt_alike_get_pages_of_their_own():
    """Two areas whose names make the same page name are not merged into one page (issue 9)."""
    from carehomes.finding import a_to_z
    from carehomes.render import browse_areas

    views = [HomeView({"slug": s, "name": n, "location_id": f"1-{i}", "locality": a}, TODAY)
             for i, (s, n, a) in enumerate([("a", "A Home", "Telford & Wrekin"), ("b", "B Home", "Telford and Wrekin"),
                                            ("c", "C Home", "Telford & Wrekin")])]
    areas = browse_areas(a_to_z(views))
    assert {k: (label, [v.slug for v in homes]) for k, (label, homes) in areas.items()} == {
        "area-telford-and-wrekin": ("Telford & Wrekin", ["a", "c"]),
        "area-telford-and-wrekin-2": ("Telford and Wrekin", ["b"])}


def _inheriting_config(folder, **extra_lines: str):
    """A config in ``folder`` that INHERITs the project's mkdocs.yml (by a relative path) and overrides the theme."""
    import os

    folder.mkdir(parents=True, exist_ok=True)
    child = folder / "bad.yml"
    child.write_text(f"INHERIT: {os.path.relpath(ROOT / 'mkdocs.yml', folder)}\ndocs_dir: {ROOT / 'content'}\n"
                     f"theme:\n  custom_dir: {ROOT / 'overrides'}\n  palette:\n    primary: red\n"
                     + "".join(extra_lines.values()), encoding="utf-8")
    return child


def test_read_config_resolves_inherit_as_mkdocs_does(tmp_path):
    from carehomes.siteconfig import read_config

    (tmp_path / "sub").mkdir()
    (tmp_path / "base.yml").write_text("site_name: Base\nnav: [a.md, b.md]\ntheme:\n  name: material\n  palette: {primary: indigo}\n"
                                       "extra:\n  directory:\n    area: Herefordshire\n    map: {tiles: 'https://t.example/{z}/{x}/{y}.png'}\n")
    (tmp_path / "sub" / "mid.yml").write_text("INHERIT: ../base.yml\nextra:\n  directory:\n    council: Mid Council\n")
    (tmp_path / "sub" / "child.yml").write_text("INHERIT: mid.yml\nnav: [c.md]\ntheme:\n  palette: {primary: red}\n")
    raw = read_config(tmp_path / "sub" / "child.yml").raw
    assert raw == {"site_name": "Base", "nav": ["c.md"], "theme": {"name": "material", "palette": {"primary": "red"}},
                   "extra": {"directory": {"area": "Herefordshire", "council": "Mid Council",
                                           "map": {"tiles": "https://t.example/{z}/{x}/{y}.png"}}}}


def test_a_settings_file_that_is_a_symlink_loop_is_one_clear_message(tmp_path):
    """report --config loop (a symbolic link to a link back to it) ended in a RuntimeError traceback from resolve()."""
    from carehomes.configfile import ConfigFileError
    from carehomes.siteconfig import read_config

    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    (tmp_path / "child.yml").write_text("INHERIT: loop1\n")
    for given, named in ((tmp_path / "loop1", tmp_path / "loop1"), (tmp_path / "child.yml", tmp_path / "loop1")):
        with pytest.raises(ConfigFileError) as err:
            read_config(given)
        assert str(err.value) == (f"{named}: is a symbolic link that leads back to itself, never to a file; give the "
                                  "site's mkdocs.yml")


def test_a_settings_file_saved_by_notepad_or_excel_is_one_clear_message_naming_the_line(tmp_path):
    """mkdocs.yml saved as UTF-16 (Notepad's "Unicode") or Windows-1252 (a pound sign or an e-acute as one byte) was
    "cannot be read ('utf-8' codec can't decode byte 0xe9 in position 190: invalid continuation byte)", and a NUL was
    "position 188 ... fix the line shown" with no line shown: now each names the line and what to do, as a profile's
    message does; UTF-8 with a byte-order mark and Windows line ends are read as they are."""
    from carehomes.configfile import ConfigFileError
    from carehomes.siteconfig import read_config

    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("site_name: ", "site_name: Caf\u00e9 \u00a3 ", 1)
    line = text[:text.index("site_name: ")].count("\n") + 1
    byte = text.index("\u00e9")  # one byte a character before it in Windows-1252, as in UTF-8 (ASCII)
    config = tmp_path / "mkdocs.yml"
    for saved, said in (
            (("\ufeff" + text).encode("utf-16-le"), f"{config}: is saved as UTF-16, not UTF-8; save it as UTF-8"),
            (text.encode("utf-16"), f"{config}: is saved as UTF-16, not UTF-8; save it as UTF-8"),
            (text.encode("cp1252"), f"{config}, line {line}: is not UTF-8 text: byte {byte:,} (0xE9, which Windows writes for é) "
                                    "cannot be read; save the file as UTF-8"),
            (text.replace("Caf", "Ca\0f", 1).encode(), f"{config}, line {line}: holds the character U+0000, which a "
             "settings file may not hold (a control character, often pasted in by mistake); retype that line without it")):
        config.write_bytes(saved)
        with pytest.raises(ConfigFileError) as err:
            read_config(config)
        assert str(err.value) == said
    for saved in (b"\xef\xbb\xbf" + text.encode(), text.replace("\n", "\r\n").encode()):
        config.write_bytes(saved)
        assert read_config(config).raw["site_name"].startswith("Caf\u00e9 \u00a3 ")


def test_inherit_loops_and_missing_parents_are_one_clear_message(tmp_path):
    from carehomes.configfile import ConfigFileError
    from carehomes.siteconfig import read_config

    (tmp_path / "a.yml").write_text("INHERIT: b.yml\n")
    (tmp_path / "b.yml").write_text("INHERIT: a.yml\n")
    with pytest.raises(ConfigFileError) as err:
        read_config(tmp_path / "a.yml")
    assert str(err.value) == (f"{tmp_path / 'b.yml'}: INHERIT makes a loop ({tmp_path / 'a.yml'} -> {tmp_path / 'b.yml'} -> "
                              f"{tmp_path / 'a.yml'}); remove INHERIT from one of these files")
    (tmp_path / "c.yml").write_text("INHERIT: gone.yml\n")
    with pytest.raises(ConfigFileError) as err:
        read_config(tmp_path / "c.yml")
    assert str(err.value) == (f"{tmp_path / 'c.yml'}: INHERIT names {tmp_path / 'gone.yml'}, which does not exist; "
                              "give the parent config's path relative to this file's folder")


def test_a_setting_written_twice_is_one_clear_message_not_the_last_one_kept(tmp_path):
    """A setting added near the top of mkdocs.yml (oruk_api_url: ...) while the template's own (oruk_api_url: "") was
    still further down was undone without a word: YAML keeps the last. A key written twice in one mapping, at any
    depth, is now refused, naming both lines; the same key in two different mappings, or a YAML merge key, is not."""
    from carehomes.configfile import ConfigFileError
    from carehomes.siteconfig import read_config

    top = tmp_path / "top.yml"
    top.write_text('site_name: X\noruk_api_url: "https://api.example.org"\nextra:\n  a: 1\noruk_api_url: ""\n')
    with pytest.raises(ConfigFileError) as err:
        read_config(top)
    assert str(err.value) == (f"{top}, line 5: the setting 'oruk_api_url' is written twice in the same place (first on "
                              "line 2); YAML would keep only the last one without a word, so delete the one you do not mean")
    deep = tmp_path / "deep.yml"
    deep.write_text("site_name: X\nextra:\n  directory:\n    locality: A\n    locality: B\n")
    with pytest.raises(ConfigFileError, match=r"deep\.yml, line 5: the setting 'locality' is written twice .* line 4\)"):
        read_config(deep)
    fine = tmp_path / "fine.yml"
    fine.write_text("site_name: X\nbase: &b\n  a: 1\nextra:\n  <<: *b\n  a: 2\n  b:\n    a: 3\n")
    assert read_config(fine).raw["extra"] == {"a": 2, "b": {"a": 3}}


def test_a_setting_written_twice_is_the_key_yaml_reads_not_its_spelling_nor_a_merge_in_a_merge(tmp_path):
    """A mapping merged (<<) into another before it was read itself was checked after the merge had flattened its own
    merge into it: 'a' of an anchor and 'a' overriding it, in two places, was refused as written twice. Keys compared
    as written refused 1 and '1' (two keys to YAML) and let true and True, null and ~, 1 and 1.0 through (one key:
    the last kept without a word)."""
    from carehomes.configfile import ConfigFileError
    from carehomes.siteconfig import read_config

    nested = tmp_path / "nested.yml"
    nested.write_text("site_name: X\nbase: &base\n  a: 1\ntop:\n  <<: &mid\n    <<: *base\n    a: 2\nother: *mid\n")
    assert read_config(nested).raw["other"] == {"a": 2}
    two = tmp_path / "two.yml"
    two.write_text("site_name: X\nextra:\n  1: a\n  '1': b\n")
    assert read_config(two).raw["extra"] == {1: "a", "1": "b"}
    for first, again in (("true", "True"), ("null", "~"), ("1", "1.0"), ("yes", "on")):
        one = tmp_path / "one.yml"
        one.write_text(f"site_name: X\nextra:\n  {first}: a\n  {again}: b\n")
        with pytest.raises(ConfigFileError) as err:
            read_config(one)
        assert str(err.value) == (f"{one}, line 4: the setting '{again}' is written twice in the same place (first on line 3, "
                                  f"as '{first}'); YAML would keep only the last one without a word, so delete the one you do "
                                  "not mean")


@pytest.mark.parametrize("text, said", [
    ("extra:\n  n: 2026-02-30\n", "'2026-02-30' cannot be read as a date (day is out of range for month)"),
    ("extra:\n  n: !!int many\n", "'many' cannot be read as a whole number (invalid literal for int() with base 10: 'many')"),
    ("extra:\n  n: !!bool maybe\n", "'maybe' cannot be read as yes or no"),
    ('extra:\n  n: "a \\ud800"\n', "'a \\ud800' holds a character that is not text (a lone surrogate, written \\ud800 to \\udfff)"),
])
def test_a_value_yaml_cannot_read_as_its_type_is_a_message_naming_its_line(tmp_path, text, said):
    """A day that does not exist, or a value its tag cannot be (!!int many), was Python's ValueError, KeyError or
    AttributeError with a traceback; a lone surrogate ("\\ud800") was read, then no page or file could be written
    (UnicodeEncodeError in the open data's writer)."""
    from carehomes.configfile import ConfigFileError
    from carehomes.siteconfig import read_config

    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: X\n" + text)
    with pytest.raises(ConfigFileError) as err:
        read_config(config)
    assert str(err.value) == f"{config}, line 3, column 6: is not valid YAML: {said}; fix that line"


@pytest.mark.parametrize("text, said", [
    ("extra:\n  n: " + "[" * 5000 + "]" * 5000 + "\n", "line 3, column 44: is not valid YAML: is nested more than 40 levels "
     "deep, deeper than any setting; fix that line"),
    ("extra:\n  a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"  {n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefg", "bcdefgh", strict=True)),
     "line 8, column 6: is not valid YAML: its aliases (*name) repeat it to more than 200,000 values, more than any "
     "settings file holds; fix that line"),
    ("site_name: [\n", None),
])
def test_a_settings_file_too_deep_a_billion_laughs_or_cut_short_is_one_line(tmp_path, text, said):
    """Nesting 5,000 deep was a RecursionError (3,000 lines of traceback), a "billion laughs" under extra ran the engine
    out of memory, and YAML cut short named the file "<unicode string>" (hostile-input review): each is one line naming
    the file, line and column. The report's --signals file reads the same way."""
    from carehomes.configfile import ConfigFileError
    from carehomes.report import ConfigError, load_thresholds
    from carehomes.siteconfig import read_config

    config = tmp_path / "mkdocs.yml"
    config.write_text(text if text.startswith("site_name") else "site_name: X\n" + text)
    with pytest.raises(ConfigFileError) as err:
        read_config(config)
    assert str(err.value) == (f"{config}, {said}" if said else f"{config}, line 2, column 1: is not valid YAML: expected the "
                              "node content, but found '<stream end>' (while parsing a flow node); fix that line")
    if said:
        signals = tmp_path / "signals.yaml"
        signals.write_text(text)
        with pytest.raises(ConfigError, match=r"is not valid YAML \((is nested more than 40|its aliases)"):
            load_thresholds(signals)


SMALL = ("--providers", str(FIXTURES / "profiles"))  # the two fictional homes: enough for a test of the settings


def test_a_directory_setting_that_is_a_list_is_one_clear_message_from_build(tmp_path):
    """extra.directory written as a list made a traceback (TypeError) in the postcode lookup's check, before the
    build's own check of the settings could name it."""
    config = _inheriting_config(tmp_path, odd="extra:\n  directory: [1, 2]\n")
    done = run_build("build", "--config", str(config), "--out", str(tmp_path / "site"), "--no-search", *SMALL)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.endswith(f"The build failed, so {tmp_path / 'site'} was left as it was:\n"
                                f"{config}: extra.directory must be a mapping (council:, area:, map: ... indented under it)\n")


def test_odd_directory_settings_are_one_clear_message_from_build(tmp_path):
    """Settings the build reads, of the wrong kind: every one named with its file, no traceback."""
    config = _inheriting_config(tmp_path, odd="extra:\n  directory:\n    cqc_stale_months: soon\n    map: 5\n    area: [a, b]\n"
                                                      "    staleness: {rating: soon, beds: 3 days}\n")
    done = run_build("build", "--config", str(config), "--out", str(tmp_path / "site"), "--no-search", *SMALL)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (f"The build failed, so {tmp_path / 'site'} was left as it was:\n"
            f"{config}: extra.directory.area must be text; write it in quotes, like area: \"...\"\n"
            f"{config}: extra.directory.cqc_stale_months must be a whole number of months, like cqc_stale_months: 3\n"
            f"{config}: extra.directory.staleness.rating must be a number of days, months or years, like rating: 6 months\n"
            f"{config}: extra.directory.staleness.beds is not a staleness setting; use one of availability, capabilities, "
            "fees, rating, register, foodHygiene\n"
            f"{config}: extra.directory.map must be a mapping with tiles: and attribution: indented under it\n") in done.stderr
    assert not (tmp_path / "site").exists()


@pytest.mark.slow  # builds a site
def test_a_config_without_a_map_builds_the_find_page(tmp_path):
    config = _inheriting_config(tmp_path, nomap="extra:\n  directory:\n    map: {tiles: ''}\n")
    done = run_build("build", "--config", str(config), "--out", str(tmp_path / "site"), "--no-search", *SMALL)
    assert done.returncode == 0, done.stderr
    find = (tmp_path / "site" / "find" / "index.html").read_text(encoding="utf-8")
    assert "data-map-tiles" not in find and "the map server" in find


def test_settings_mkdocs_refuses_are_one_clear_message_from_build(tmp_path):
    config = _inheriting_config(tmp_path, nav="nav: 5\n")
    done = run_build("build", "--config", str(config), "--out", str(tmp_path / "site"), "--no-search", *SMALL)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert (f"The build failed, so {tmp_path / 'site'} was left as it was:\n"
            f"mkdocs could not build the pages from {config}: Aborted with a configuration error!; fix the setting it names\n") in done.stderr


def test_a_broken_content_template_is_one_clear_message_from_build(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    (tmp_path / "content" / "index.md").write_text("# Hello\n\n{% if %}\n", encoding="utf-8")
    config = _inheriting_config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace(str(ROOT / "content"), str(tmp_path / "content")), encoding="utf-8")
    done = run_build("build", "--config", str(config), "--out", str(tmp_path / "site"), "--no-search", *SMALL)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert (f"The build failed, so {tmp_path / 'site'} was left as it was:\n{tmp_path / 'content' / 'index.md'}, line 3: "
            "Expected an expression, got 'end of statement block'; content pages are Jinja templates: fix the {{ ... }} or {% ... %} there\n"
            ) in done.stderr


@pytest.mark.parametrize("page, said", [
    # a failing expression was a Python traceback; a page that includes itself named no file
    ("# Hello\n\nHomes: {{ stats.homes / 2 }}\n", "{index}, line 3: TypeError: unsupported operand type(s) for /: 'str' and "
     "'int'; content pages are Jinja templates: fix the {{{{ ... }}}} or {{% ... %}} there\n"),
    ("# Hello\n\n{% include 'index.md' %}\n", "{index}: includes or extends itself (or a page that leads back to it), so it "
     "never ends; remove that {{% include %}} or {{% extends %}}\n"),
])
def test_a_content_page_that_fails_as_it_renders_is_one_clear_message_from_build(tmp_path, page, said):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    (tmp_path / "content" / "index.md").write_text(page, encoding="utf-8")
    config = _inheriting_config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace(str(ROOT / "content"), str(tmp_path / "content")), encoding="utf-8")
    done = run_build("build", "--config", str(config), "--out", str(tmp_path / "site"), "--no-search", *SMALL)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert (f"The build failed, so {tmp_path / 'site'} was left as it was:\n"
            + said.format(index=tmp_path / "content" / "index.md")) in done.stderr


def test_zensical_gets_merged_settings_unless_a_tag_needs_its_own_inherit(tmp_path):
    from carehomes.engines import zensical_config
    from carehomes.siteconfig import read_config

    (tmp_path / "base.yml").write_text("site_name: Base\ntheme:\n  name: material\n  custom_dir: overrides\n  features: [a, b]\n")
    (tmp_path / "child.yml").write_text("INHERIT: base.yml\ntheme:\n  features: [b]\n")
    assert zensical_config(read_config(tmp_path / "child.yml")) == {
        "site_name": "Base", "theme": {"name": "material", "custom_dir": str(tmp_path / "overrides"), "features": ["b"]},
        "docs_dir": "docs", "site_dir": "site", "plugins": [{"search": {"enabled": False}}]}
    (tmp_path / "tagged.yml").write_text("INHERIT: base.yml\nsite_name: !ENV [NAME, Base]\n")
    assert zensical_config(read_config(tmp_path / "tagged.yml")) == {
        "INHERIT": str(tmp_path / "tagged.yml"), "docs_dir": "docs", "site_dir": "site",
        "plugins": [{"search": {"enabled": False}}], "theme": {"custom_dir": str(tmp_path / "overrides")}}


def _beds_view(care: dict, beds: dict) -> HomeView:
    return HomeView({"slug": "a-home", "name": "A Home", "location_id": "1-1", "locality": "Herefordshire",
                     "care": care, "beds": {"confirmed": dt.date(2026, 11, 30), **beds}}, TODAY)


@pytest.mark.parametrize("care,beds,total,has_free,text", [
    # (confirmed a week after TODAY: its age is said plainly)
    # both kinds offered, one not given: no total, never "0 beds free"
    ({"nursing": True, "residential": True}, {"nursing": {"available": 0}}, None, None,
     "0 beds free with nursing on 30 November 2026 (7 days in the future); beds free without nursing: not known"),
    # a known free bed is a free bed, whatever the other kind
    ({"nursing": True, "residential": True}, {"nursing": {"available": 2}}, None, True,
     "2 beds free with nursing on 30 November 2026 (7 days in the future); beds free without nursing: not known"),
    # the kind of care not known counts as maybe offered
    ({"nursing": True}, {"nursing": {"available": 1}}, None, True,
     "1 bed free with nursing on 30 November 2026 (7 days in the future); beds free without nursing: not known"),
    ({}, {"residential": {"available": 0}}, None, None,
     "0 beds free without nursing on 30 November 2026 (7 days in the future); beds free with nursing: not known"),
    # a kind the home does not offer has no free beds to give
    ({"nursing": True, "residential": False}, {"nursing": {"available": 0}}, 0, False, "0 beds free on 30 November 2026 (7 days in the future)"),
    ({"nursing": False, "residential": True}, {"residential": {"available": 1}}, 1, True, "1 bed free on 30 November 2026 (7 days in the future)"),
    ({"nursing": True, "residential": True}, {"nursing": {"available": 0}, "residential": {"available": 3}}, 3, True,
     "3 beds free on 30 November 2026 (7 days in the future)"),
    ({"nursing": True, "residential": True}, {"nursing": {"available": 0}, "residential": {"available": 0}}, 0, False,
     "0 beds free on 30 November 2026 (7 days in the future)"),
    ({"nursing": True, "residential": False}, {}, None, None, "Beds free now: not provided yet"),
])
def test_free_beds_total_only_when_every_kind_offered_is_known(care, beds, total, has_free, text):
    from carehomes.finding import sort_ranks
    from carehomes.search import known_counts

    view = _beds_view(care, beds)
    assert (view.free_total, view.has_free, view.free_text) == (total, has_free, text)
    assert view.free_band == ("unknown" if total is None else "2-4" if total == 3 else str(total))
    assert known_counts([view])["free"] == (0 if has_free is None else 1)
    assert ("free" in sort_ranks([view])["a-home"]) == (total is not None), "only a known total is ranked by free beds"


def test_the_key_fact_of_free_beds_past_the_staleness_age_says_it_may_be_out_of_date():
    """A home's key facts said "1 bed free on 28 November 2026 (8 days ago)" with nothing more, while its card said
    "May be out of date" (and an agency's key fact does): the first line a discharge nurse reads must say it too."""
    def view(on: dt.date, beds: dict) -> HomeView:
        return HomeView({"slug": "a-home", "name": "A Home", "location_id": "1-1", "locality": "Oldham",
                         "care": {"nursing": True, "residential": True}, "beds": {"confirmed": on, **beds}}, dt.date(2026, 12, 6))

    both = {"nursing": {"available": 1}, "residential": {"available": 0}}
    assert view(dt.date(2026, 11, 28), both).free_text == "1 bed free on 28 November 2026 (8 days ago). May be out of date"
    assert view(dt.date(2026, 11, 29), both).free_text == "1 bed free on 29 November 2026 (7 days ago)"  # 7 days: not yet
    assert view(dt.date(2024, 12, 6), {"nursing": {"available": 2}}).free_text == (
        "2 beds free with nursing on 6 December 2024 (2 years ago); beds free without nursing: not known. May be out of date")


@pytest.mark.slow  # builds a site
def test_one_kind_of_free_beds_known_is_not_a_total_on_the_site(tmp_path):
    """The reviewer's case: a nursing and residential home that gave only its free beds with nursing (the day before the
    build's: a fixed day went out of date, "May be out of date", a week later)."""
    from carehomes.ages import nice_date
    from carehomes.validate import today

    day = today() - dt.timedelta(days=1)
    said = re.escape(nice_date(day))
    prov = tmp_path / "providers"
    prov.mkdir()
    text = (ROOT / "providers" / "highwell-house-care-home-with-nursing.yaml").read_text()
    assert "care:\n  nursing: true\n  residential: true\n" in text and "beds:\n  registered: 34\n" in text
    (prov / "highwell-house-care-home-with-nursing.yaml").write_text(
        text.replace("beds:\n  registered: 34\n", f"beds:\n  registered: 34\n  confirmed: {day}\n  nursing:\n    available: 0\n"))
    waverley = (ROOT / "providers" / "waverley-house.yaml").read_text()
    assert "care:\n  nursing: true\n  residential: true\n" in waverley
    (prov / "waverley-house.yaml").write_text(waverley.replace("beds:\n", f"beds:\n  confirmed: {day}\n  nursing:\n    available: 2\n", 1))
    out = tmp_path / "site"
    done = run_build("build", "--providers", str(prov), "--out", str(out))
    assert done.returncode == 0, done.stderr
    page = (out / "homes" / "highwell-house-care-home-with-nursing" / "index.html").read_text()
    assert re.search(rf"<li>0 beds free with nursing on {said} \([^)]+\); beds free without nursing: not known</li>", page)
    assert "0 beds free on" not in page
    # the result card's line is finished by the build: 0 is 0, the kind not given is "not provided yet", never 0
    indexed = search_index(out)
    card = json.loads(base64.b64decode(indexed["highwell-house-care-home-with-nursing"]["card"]["meta"]["card"]))
    assert card["lines"][2].startswith(f"Beds free: 0 with nursing, without nursing: not provided yet (confirmed {nice_date(day)}, ")  # its age follows
    highwell = indexed["highwell-house-care-home-with-nursing"]["filters"]
    assert highwell["freeband"] == ["unknown"] and "free" not in highwell
    waverley = (out / "homes" / "waverley-house" / "index.html").read_text()
    assert indexed["waverley-house"]["filters"]["free"] == ["nursing"], "2 beds with nursing free: 'any bed free' matches"
    assert re.search(rf"<li>2 beds free with nursing on {said} \([^)]+\); beds free without nursing: not known</li>", waverley)
    facets = json.loads((out / "search" / "facets.json").read_text())
    assert facets["freeband"] == {"unknown": 2}
    assert (facets["known"]["free"], facets["known"]["free_nursing"], facets["known"]["free_residential"]) == (1, 2, 0)


TILES_HOW = "give an https:// address with {z}, {x} and {y} in it, like https://tile.openstreetmap.org/{z}/{x}/{y}.png"


@pytest.mark.parametrize("url, problem", [
    ("http://127.0.0.1.tiles.example/{z}/{x}/{y}.png", "'http://127.0.0.1.tiles.example/{z}/{x}/{y}.png' is not https:// "
     "(only a tile server on this computer, for tests, may use http://)"),
    ("ftp://tiles.example/{z}/{x}/{y}.png", "'ftp://tiles.example/{z}/{x}/{y}.png' is not https:// (only a tile server on "
     "this computer, for tests, may use http://)"),
    ("https://10.0.0.1/{z}/{x}/{y}.png", "'https://10.0.0.1/{z}/{x}/{y}.png' has no real host name ('10.0.0.1' is not a "
     "public name or address)"),
    ("https://tiles/{z}/{x}/{y}.png", "'https://tiles/{z}/{x}/{y}.png' has no real host name ('tiles' is not a public "
     "name or address)"),
    ("https://user:pw@tiles.example/{z}/{x}/{y}.png", "'https://user:pw@tiles.example/{z}/{x}/{y}.png' has a user name or "
     "password in it"),
    ("https://tiles.example/{z}/{x}.png", "'https://tiles.example/{z}/{x}.png' has no {y}"),
    ('https://tiles.example/{z}/{x}/{y}.png" onload="alert(1)', "has spaces, quotes or other characters no address has"),
    ("javascript:alert(1)//{z}/{x}/{y}", "'javascript:alert(1)//{z}/{x}/{y}' is not https:// (only a tile server on this "
     "computer, for tests, may use http://)"),
])
def test_a_tile_server_must_be_https_with_a_real_host(url, problem):
    from carehomes.siteconfig import config_problems

    raw = {"extra": {"directory": {"map": {"tiles": url}}}}
    assert config_problems(raw) == [f"extra.directory.map.tiles {problem}; {TILES_HOW}"]


@pytest.mark.parametrize("url", ["https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://{s}.tiles.example:8443/{z}/{x}/{y}",
                                 "http://127.0.0.1:8765/{z}/{x}/{y}.png", "http://localhost/{z}/{x}/{y}.png",
                                 "http://[::1]:9000/{z}/{x}/{y}.png", "https://8.8.8.8/{z}/{x}/{y}.png"])
def test_https_tile_servers_and_loopback_ones_for_tests_are_accepted(url):
    from carehomes.siteconfig import config_problems

    assert config_problems({"extra": {"directory": {"map": {"tiles": url}}}}) == []


@pytest.mark.parametrize("key", ["repository", "oruk_api_url"])
def test_the_repository_and_the_oruk_api_must_be_https_addresses(key):
    """Every home page links to the repository's forms and the ORUK package names its API: a javascript: address
    would be published as a link on every page."""
    from carehomes.siteconfig import config_problems

    like = "https://github.com/your-council/care-homes" if key == "repository" else "https://api.example.gov.uk/oruk"
    for bad in ("javascript:alert(11)//", "http://github.com/council/care-homes", "https://localhost/x", "github.com/x"):
        assert config_problems({"extra": {"directory": {key: bad}}}) == [
            f"extra.directory.{key} '{bad}' is not an https:// address of a real host; give one like {key}: \"{like}\""]
    assert config_problems({"extra": {"directory": {key: "https://github.com/herefordshire-council/care-homes"}}}) == []
    assert config_problems({"extra": {"directory": {key: ""}}}) == []
    assert config_problems({"extra": {"directory": {key: {"a": 1}}}}) == [
        f"extra.directory.{key} must be text; write it in quotes, like {key}: \"...\""]


def test_the_councils_emails_and_phones_must_be_an_email_address_and_a_phone_number():
    """The For providers page put them into its Markdown as written: an email holding '"><script>' ran as script there,
    and 'Care Team <care@...>' made a broken link."""
    from carehomes.siteconfig import config_problems

    hostile = {"contact_email": '"><script>alert(1)</script>@x.org', "placement_email": "Care Team <care@x.gov.uk>",
               "contact_phone": "<b onmouseover=alert(1)>0123</b>", "placement_phone": "ring us"}
    assert config_problems({"extra": {"directory": hostile}}) == [
        "extra.directory.contact_email '\"><script>alert(1)</script>@x.org' is not an email address; give the address "
        "alone, like contact_email: care.directory@your-council.gov.uk",
        "extra.directory.placement_email 'Care Team <care@x.gov.uk>' is not an email address; give the address alone, "
        "like placement_email: care.placements@your-council.gov.uk",
        "extra.directory.contact_phone '<b onmouseover=alert(1)>0123</b>' is not a phone number; write only its digits, "
        "spaces and + ( ) -, like contact_phone: \"01432 260000\"",
        "extra.directory.placement_phone 'ring us' is not a phone number; write only its digits, spaces and + ( ) -, "
        "like placement_phone: \"01432 260000\""]
    fine = {"contact_email": "care.homes@herefordshire.gov.uk", "placement_email": "", "contact_phone": "(01432) 260-000",
            "placement_phone": "+44 1432 260101"}
    assert config_problems({"extra": {"directory": fine}}) == []


def test_the_sites_name_and_the_councils_are_never_markup():
    """mkdocs-material writes site_name into every page's header and title as it is (a <script> in it ran on every page;
    a " ended our feed link's title attribute); the For providers page's Markdown names the council as written."""
    from carehomes.siteconfig import config_problems

    raw = {"site_name": "<script>alert(1)</script> Care homes", "extra": {"directory": {
        "council": "<b onmouseover=alert(1)>Council</b>", "area": 'The "Shire'}}}
    assert config_problems(raw) == [
        "site_name '<script>alert(1)</script> Care homes' holds <, >, \", [ or ], which a page would read as HTML or a "
        "link; write the name without them",
        "extra.directory.council '<b onmouseover=alert(1)>Council</b>' holds <, >, \", [ or ], which a page would read "
        "as HTML or a link; write the name without them",
        "extra.directory.area 'The \"Shire' holds <, >, \", [ or ], which a page would read as HTML or a link; write the "
        "name without them"]
    # a Markdown link in a name was a link on the open data and for-providers pages, javascript: too (the hostile review)
    assert config_problems({"site_name": "Care [x](javascript:alert(8))", "extra": {"directory": {
        "council": "O'Brien [x](javascript:alert(7))"}}}) == [
        "site_name 'Care [x](javascript:alert(8))' holds <, >, \", [ or ], which a page would read as HTML or a link; "
        "write the name without them",
        "extra.directory.council 'O'Brien [x](javascript:alert(7))' holds <, >, \", [ or ], which a page would read as "
        "HTML or a link; write the name without them"]
    assert config_problems({"site_name": "Telford & Wrekin's care homes", "extra": {"directory": {
        "council": "Telford & Wrekin Council", "area": "Telford & Wrekin"}}}) == []


def test_the_map_attribution_is_text_and_https_links_never_markup():
    from carehomes.render import _md_env
    from carehomes.siteconfig import attribution_html, config_problems, map_warnings

    assert attribution_html(None) == ('\u00a9 <a href="https://www.openstreetmap.org/copyright" rel="noopener">'
                                      'OpenStreetMap</a> contributors')
    hostile = [{"text": "<img src=x onerror=alert(1)>"}, {"text": "Tiles & co", "url": "https://tiles.example/?a=1&b=\"2"}]
    raw = {"extra": {"directory": {"map": {"attribution": hostile}}}}
    assert config_problems(raw) == ["extra.directory.map.attribution item 2: url must be an https:// address of a real "
                                    "host, like https://www.openstreetmap.org/copyright"]
    hostile[1]["url"] = "https://tiles.example/?a=1&b=2"
    assert config_problems(raw) == []
    assert attribution_html(hostile) == ('&lt;img src=x onerror=alert(1)&gt; <a href="https://tiles.example/?a=1&amp;b=2" '
                                         'rel="noopener">Tiles &amp; co</a>')
    for bad in ([{"text": "x", "url": "javascript:alert(1)"}], [{"text": "x", "url": "http://tiles.example/"}]):
        assert config_problems({"extra": {"directory": {"map": {"attribution": bad}}}}) == [
            "extra.directory.map.attribution item 1: url must be an https:// address of a real host, like "
            "https://www.openstreetmap.org/copyright"]
    assert config_problems({"extra": {"directory": {"map": {"attribution": [{"html": "<b>x</b>"}]}}}}) == [
        "extra.directory.map.attribution item 1 must be text: and, if it is a link, url:, like {text: OpenStreetMap, "
        "url: 'https://www.openstreetmap.org/copyright'}"]
    old = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a><script>alert(1)</script>'
    assert attribution_html(old) == ("&amp;copy; &lt;a href=&quot;https://www.openstreetmap.org/copyright&quot;&gt;"
                                     "OpenStreetMap&lt;/a&gt;&lt;script&gt;alert(1)&lt;/script&gt;")
    assert map_warnings({"map": {"attribution": old}}) == [
        "mkdocs.yml: extra.directory.map.attribution has HTML in it, which is shown as plain text, never as markup; "
        "write it as a list of text and links instead, like attribution: [{text: '\u00a9'}, {text: OpenStreetMap, "
        "url: 'https://www.openstreetmap.org/copyright'}, {text: contributors}]"]
    assert map_warnings({"map": {"attribution": "OpenStreetMap contributors"}}) == []
    # the page's attribute holds the finished HTML, escaped once more as an attribute value
    page = _md_env(ROOT).from_string('<div data-map-attribution="{{ a }}">').render(a=attribution_html(old))
    assert "<script" not in page and "<a " not in page and '"https' not in page


def test_the_projects_map_settings_give_the_openstreetmap_link(tmp_path):
    from carehomes.render import _map_config
    from carehomes.siteconfig import config_problems, map_warnings, read_config

    cfg = read_config(ROOT / "mkdocs.yml")
    assert config_problems(cfg.raw) == [] and map_warnings(cfg.directory) == []
    assert _map_config(cfg) == {"tiles": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "host": "tile.openstreetmap.org",
                                "attribution": '\u00a9 <a href="https://www.openstreetmap.org/copyright" rel="noopener">'
                                               'OpenStreetMap</a> contributors'}


@pytest.mark.slow
def test_a_hostile_map_config_cannot_reach_the_find_page(tmp_path):
    config = _inheriting_config(tmp_path, bad="extra:\n  directory:\n    map: {tiles: 'http://127.0.0.1.tiles.example/{z}/{x}/{y}.png'}\n")
    done = run_build("build", "--config", str(config), "--out", str(tmp_path / "site"), "--no-search", *SMALL)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert (f"{config}: extra.directory.map.tiles 'http://127.0.0.1.tiles.example/{{z}}/{{x}}/{{y}}.png' is not https:// "
            f"(only a tile server on this computer, for tests, may use http://); {TILES_HOW}\n") in done.stderr
    config = _inheriting_config(tmp_path, old="extra:\n  directory:\n    map:\n      attribution: '<img src=x onerror=alert(1)>'\n")
    done = run_build("build", "--config", str(config), "--out", str(tmp_path / "site"), "--no-search", *SMALL)
    assert done.returncode == 0, done.stderr
    assert "warning: mkdocs.yml: extra.directory.map.attribution has HTML in it, which is shown as plain text" in done.stderr
    find = (tmp_path / "site" / "find" / "index.html").read_text(encoding="utf-8")
    assert 'data-map-attribution="&amp;lt;img src=x onerror=alert(1)&amp;gt;"' in find and "<img src=x" not in find


def test_check_warns_about_an_old_html_attribution(tmp_path, monkeypatch, capsys):
    from carehomes import cli, forms

    (tmp_path / "mkdocs.yml").write_text("extra:\n  directory:\n    map:\n      attribution: '<b>Tiles</b> &copy; us'\n")
    monkeypatch.setattr(forms, "ROOT", tmp_path)
    assert cli.main(["check", str(ROOT / "providers" / "aston-house.yaml")]) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: mkdocs.yml: extra.directory.map.attribution has HTML in it, which is shown as plain "
                          "text, never as markup; write it as a list of text and links instead, like attribution: ")
    monkeypatch.setattr(forms, "ROOT", ROOT)
    assert cli.main(["check", str(ROOT / "providers" / "aston-house.yaml")]) == 0
    assert "warning" not in capsys.readouterr().err


def test_staleness_settings_one_reader_and_the_old_key_warned():
    """mkdocs.yml extra.directory.staleness over the schema's thresholds; the old cqc_stale_months still read, with a warning."""
    from carehomes.siteconfig import staleness, staleness_warnings

    assert staleness({}) == {} and staleness_warnings({}) == []
    assert staleness({"staleness": {"register": "6 months", "rating": "3 years"}}) == {"register": Age(6, "month"), "rating": Age(3, "year")}
    old = {"cqc_stale_months": 4}
    assert staleness(old) == {"register": Age(4, "month")}
    assert staleness_warnings(old) == [
        "mkdocs.yml: extra.directory.cqc_stale_months is replaced by extra.directory.staleness.register; "
        "write staleness: {register: 4 months} instead (read as that this time)"]
    assert staleness({"cqc_stale_months": 4, "staleness": {"register": "1 year"}}) == {"register": Age(1, "year")}
    data = parse_profile((FIXTURES / "profiles" / "example-full.yaml").read_text(), "x.yaml")[0].data
    assert HomeView(data, TODAY).register_stale is not None
    assert HomeView(data, TODAY, staleness=staleness({"staleness": {"register": "2 years"}})).register_stale is None


def test_an_override_changes_the_market_pages_wording():
    """The market page words and counts staleness with the thresholds the homes' pages use (mkdocs.yml's overrides)."""
    from carehomes.market import market_html

    data = parse_profile((FIXTURES / "profiles" / "example-full.yaml").read_text(), "x.yaml")[0].data
    plain = market_html([HomeView(data, TODAY)], TODAY)
    assert "Vacancies more than 7 days old" in plain and "CQC ratings more than 2 years old" in plain
    later = market_html([HomeView(data, TODAY, staleness={"availability": Age(14, "day"), "rating": Age(3, "year")})], TODAY)
    assert "Vacancies more than 14 days old" in later and "CQC ratings more than 3 years old" in later
    assert "Vacancies confirmed more than 14 days ago count as out of date." in later


def test_settings_of_another_place_than_the_profiles_are_warned_of():
    """A council that imports its own homes and builds with the top-level (Herefordshire) settings is told: the site
    would be titled for Herefordshire while listing Leeds, and a search from an LS postcode would be outside its areas."""
    from carehomes.siteconfig import place_warnings

    leeds = [{"locality": "Leeds", "address": {"postcode": p}} for p in ("LS6 2AA", "LS6 3BB", "WF3 1AA", "", None)]
    here = {"area": "Herefordshire", "postcode_areas": ["HR", "SY", "WR", "NP", "GL"]}
    assert place_warnings(here, leeds, "mkdocs.yml") == [
        "mkdocs.yml: extra.directory.area is 'Herefordshire', but the profiles are in 'Leeds'; build with your area's settings "
        "(--config, or --area: see docs/areas.md), or set area, council and the contacts there",
        "mkdocs.yml: extra.directory.postcode_areas is [HR, SY, WR, NP, GL], but profiles have postcodes in LS (2), WF (1): a "
        "search from a postcode there is outside the site's areas; add them to postcode_areas"]
    assert place_warnings({"area": "Leeds City Council", "postcode_areas": ["LS", "WF"]}, leeds) == []
    assert place_warnings({"area": "Devon", "postcode_areas": "all"}, [{"locality": "East Devon"}]) == []  # a county's district
    assert place_warnings(here, []) == [] and place_warnings({}, leeds) == []
    bundled = [parse_profile(p.read_text(encoding="utf-8"), p.name)[0].data for p in sorted((ROOT / "providers").glob("[!_]*.yaml"))]
    assert len(bundled) == 88 and place_warnings(here, bundled) == []


def test_food_hygiene_ratings_on_a_site_whose_settings_say_it_gathers_none_are_warned_of():
    """Profiles given FSA ratings by hand (import-fsa FILE) on a site with no fsa_authorities: every other home's page
    would say the directory holds no food hygiene ratings, which it does. The build says so and what to set."""
    from carehomes.siteconfig import gathering_warnings

    bundled = [parse_profile(p.read_text(encoding="utf-8"), p.name)[0].data for p in sorted((ROOT / "providers").glob("[!_]*.yaml"))]
    rated = sum(1 for d in bundled if (d.get("food_hygiene") or {}).get("rating") is not None)
    assert rated == 66
    assert gathering_warnings({"fsa_authorities": []}, bundled, "areas/x/mkdocs.yml") == [
        "areas/x/mkdocs.yml: extra.directory.fsa_authorities lists no FSA local authority, but 66 profiles carry a food "
        "hygiene rating: the pages of the others say this directory holds no food hygiene ratings; list the FSA's codes "
        "for the council there (fsa_authorities: [895] for Herefordshire; see docs/deployment.md)"]
    assert gathering_warnings({}, [{"name": "A"}, {"food_hygiene": {"rating": 5}}])[0].startswith(
        "mkdocs.yml: extra.directory.fsa_authorities lists no FSA local authority, but 1 profile carries a food hygiene rating: ")
    assert gathering_warnings({"fsa_authorities": [895]}, bundled) == []  # the site gathers them
    assert gathering_warnings({"fsa_authorities": []}, [{"food_hygiene": {"fhrs_id": 1}}, {"food_hygiene": None}, {}]) == []


def test_an_area_that_keeps_the_top_levels_description_is_warned_of(tmp_path):
    """A Devon officer wrote areas/devon/mkdocs.yml as docs/areas.md shows (site_name, council, area...): every page of
    Devon's site then said 'Find a care home in Herefordshire' in its description, inherited from the top level."""
    from carehomes.configfile import load_config_file
    from carehomes.siteconfig import title_warnings

    (tmp_path / "top.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    area = tmp_path / "devon.yml"
    area.write_text("INHERIT: top.yml\nsite_name: Devon care directory\nextra:\n  directory:\n    area: Devon\n", encoding="utf-8")
    assert title_warnings(load_config_file(area), "areas/devon/mkdocs.yml") == [
        "areas/devon/mkdocs.yml: site_description 'Find a care home in Herefordshire, check its vacancies, needs it can meet, "
        "qu...' does not name Devon (extra.directory.area), and every page's description for search engines says it; write "
        "site_description for Devon in areas/devon/mkdocs.yml"]
    area.write_text("INHERIT: top.yml\nextra:\n  directory:\n    area: Devon County Council\n", encoding="utf-8")
    assert [w.split(" '")[0] for w in title_warnings(load_config_file(area))] == ["mkdocs.yml: site_name", "mkdocs.yml: site_description"]
    area.write_text("INHERIT: top.yml\nsite_name: Devon care directory\nsite_description: Care homes in Devon.\n"
                    "extra:\n  directory:\n    area: Devon\n", encoding="utf-8")
    assert title_warnings(load_config_file(area)) == []
    for bundled in (ROOT / "mkdocs.yml", ROOT / "areas" / "oldham" / "mkdocs.yml"):
        assert title_warnings(load_config_file(bundled)) == [], bundled


def test_a_setting_no_command_reads_is_warned_of_with_the_one_it_looks_like():
    """A Devon officer's 'placment_phone:' was read as nothing: the build warned only that placement_phone was still the
    example, never of the line they had written."""
    from carehomes.configfile import load_config_file
    from carehomes.siteconfig import unknown_setting_warnings

    assert unknown_setting_warnings({"area": "Devon", "placment_phone": "0345 155 1007", "theme_colour": "red"},
                                    "areas/devon/mkdocs.yml") == [
        "areas/devon/mkdocs.yml: extra.directory.placment_phone is not a setting, so it does nothing; did you mean "
        "placement_phone? the settings are in docs/stewards.md",
        "areas/devon/mkdocs.yml: extra.directory.theme_colour is not a setting, so it does nothing; the settings are in "
        "docs/stewards.md"]
    for bundled in (ROOT / "mkdocs.yml", ROOT / "areas" / "oldham" / "mkdocs.yml"):
        assert unknown_setting_warnings((load_config_file(bundled)["extra"]["directory"])) == [], bundled


def test_html_set_aside_from_the_engine_is_put_back_once_in_the_page_it_wrote(tmp_path):
    """The market page's tables and the browse page's lists skip the engine's Markdown (which parsed their HTML only
    to pass it through) and are put back where the engine kept their place; a page that lost it fails clearly."""
    from carehomes.render import SetAside

    aside = SetAside()
    token = aside.put('<table><tr><td>Hereford</td></tr></table>', "market.md")
    assert token.startswith("<!--") and token.endswith("-->")
    (tmp_path / "market").mkdir()
    (tmp_path / "market" / "index.html").write_text(f"<main>\n{token}\n</main>", encoding="utf-8")
    aside.restore(tmp_path)
    assert (tmp_path / "market" / "index.html").read_text(encoding="utf-8") == \
        "<main>\n<table><tr><td>Hereford</td></tr></table>\n</main>"
    aside.restore(tmp_path)  # put back once: a second call changes nothing
    assert "Hereford" in (tmp_path / "market" / "index.html").read_text(encoding="utf-8")
    lost = SetAside()
    lost.put("<p>lost</p>", "market.md")
    with pytest.raises(RuntimeError, match=r"^the engine's page made from market\.md does not hold, once, the place kept "
                                           r"for its tables and lists \(an HTML comment\)"):
        lost.restore(tmp_path)  # its place is not in the page


def test_a_place_set_aside_for_html_given_later_is_put_back_by_a_later_restore(tmp_path):
    """The open data page's table of files is given once the files are made, after the engine has written the page
    (the build makes the engine's pages while the workbook is made): a restore before then leaves its place."""
    from carehomes.render import SetAside

    aside = SetAside()
    now, later = aside.put("<p>now</p>", "open-data.md"), aside.put(None, "open-data.md")
    (tmp_path / "open-data").mkdir()
    page = tmp_path / "open-data" / "index.html"
    page.write_text(f"{now}\n{later}", encoding="utf-8")
    aside.restore(tmp_path)
    assert page.read_text(encoding="utf-8") == f"<p>now</p>\n{later}"
    aside.fill(str(later), "<table></table>")
    aside.restore(tmp_path)
    assert page.read_text(encoding="utf-8") == "<p>now</p>\n<table></table>"


def test_the_market_and_browse_pages_hold_their_html_not_its_placeholder(built):
    built, _ = built
    for page, wanted in (("market/index.html", '<a href="../market/'), ("browse/index.html", '<a href="../browse/')):
        text = (built / page).read_text(encoding="utf-8")
        assert "carehomes: set aside" not in text and wanted in text


@pytest.mark.parametrize("page", [
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ lipsum.__globals__['os'].environ }}",
])
def test_a_content_page_cannot_reach_python_itself(tmp_path, page):
    """Content pages are edited by people who do not program and reviewed as text: they run in Jinja's sandbox, so a
    page that reaches for Python's insides (server-side template injection) fails the build with one message naming
    the page and line, and nothing is published."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    (tmp_path / "content" / "index.md").write_text(f"# Hello\n\n{page}\n", encoding="utf-8")
    config = _inheriting_config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace(str(ROOT / "content"), str(tmp_path / "content")), encoding="utf-8")
    done = run_build("build", "--config", str(config), "--out", str(tmp_path / "site"), "--no-search", *SMALL)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "site").exists()
    first = page.split(".")[1].split("[")[0].split("(")[0]  # the first attribute the page reaches for
    assert (f"The build failed, so {tmp_path / 'site'} was left as it was:\n{tmp_path / 'content' / 'index.md'}, line 3: "
            f"access to attribute '{first}' of ") in done.stderr
    assert ("is unsafe; a content page may use the values it is given ({{ stats.homes }}, {{ area }}) and their methods, "
            "not Python's insides (names with _): take that part out\n") in done.stderr


@pytest.mark.slow  # renders every content page (over half a second: the fast set stays under 30 s)
def test_content_pages_still_call_the_values_methods_in_the_sandbox(tmp_path):
    """The bundled content pages use their values' methods (values.or_list) and filters: the sandbox allows them."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    (tmp_path / "content" / "index.md").write_text(
        "# Hello\n\nIn {{ area.upper() }}: {{ values.or_list(values.graded_ratings) }}; {{ '{} homes'.format(stats.homes) }}\n",
        encoding="utf-8")
    config = _inheriting_config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace(str(ROOT / "content"), str(tmp_path / "content")), encoding="utf-8")
    done = run_build("build", "--config", str(config), "--out", str(tmp_path / "site"), "--no-search", *SMALL)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Outstanding, Good, Requires improvement or Inadequate" in page and " homes" in page


def test_a_cqc_register_within_its_age_gives_the_find_and_browse_pages_no_warning():
    from carehomes.render import TEMPLATES, _md_env

    warn = _md_env(TEMPLATES).get_template("cqc-stale.html")
    assert warn.render(stats={"cqc_stale": None}).strip() == ""
    assert warn.render().strip() == ""  # a page given no stats
    said = warn.render(stats={"cqc_stale": "They are from the register", "cqc_dated": "<1 May 2021>"})
    assert said.count('class="ch-stale"') == 1 and "&lt;1 May 2021&gt;" in said


def test_the_guide_to_care_at_home_on_a_site_of_care_homes_says_where_agencies_are_found(built):
    """A site that lists no home care agency still guides a family weighing care at home against a care home, and says
    plainly that it lists care homes only, sending them to the council and CQC rather than to an empty search."""
    out, _ = built
    page = (out / "choosing-home-care" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "This directory lists care homes only." in text
    assert "kind=home_care_agency" not in page and "Each agency&#39;s page" not in page and "Each agency's page" not in text
    assert 'href="https://www.cqc.org.uk/"' in page
    assert "Outstanding, Good, Requires improvement or Inadequate" in text  # the schema's graded ratings, not typed here


def test_the_data_dictionarys_real_examples_are_the_sites_own():
    """The content review: Oldham's open data page gave "Herefordshire" and "Hereford" as the examples of locality and
    town (the schema's real examples). A field whose example is a real place takes the site's own value; the others,
    and a field no service gives, keep the schema's."""
    from carehomes import docs
    from carehomes.render import site_examples
    from carehomes.schema import load_schema

    schema = load_schema()
    oldham = parse_profile((ROOT / "areas" / "oldham" / "providers" / "54-taylor-street.yaml").read_text(), "x.yaml")[0].data
    examples = site_examples([HomeView(oldham, TODAY)], schema)
    assert examples == {"locality": "Oldham", "address.town": oldham["address"]["town"]}
    page = docs.data_dictionary_html(schema, examples)
    row = page[page.index("<code>locality</code>"):]
    assert row[:row.index("</tr>")].endswith("<td>Oldham</td>") and "<td>Herefordshire</td>" not in page
    assert "<td>carehome.co.uk</td>" in page  # no service gives one: the schema's
    assert "<td>Herefordshire</td>" in docs.data_dictionary_html(schema)
