"""Search that means what it says (issue 19, requirement 3), in Chromium on both engines' sites: a word naming
a need matches need fields only, no word matches a postcode or an address by its first letters, words match
whole words, each card says why it is listed, and a chosen sort is honoured with a postcode in the box."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
import test_browser
from test_browser import all_homes, every_result, wait_results

# the browser suite's fixtures: the bundled site on each engine, served, and a page in Chromium
browser, site, page = test_browser.browser, test_browser.site, test_browser.page

pytestmark = pytest.mark.browser


def status(pg) -> str:
    wait_results(pg)
    return pg.locator("#results-status").inner_text()


@pytest.mark.one_engine
@pytest.mark.parametrize("word, wrong", [("bariatric", "The Garth Care Home with Nursing"), ("epilepsy", "The Manor Rest Home"),
                                         ("respite", "Stable Cottage"), ("parkinsons", "Park House")])
def test_a_need_no_home_names_finds_no_postcode_or_street(site, page, word, wrong):
    """The issue's cases: 'bariatric' found HR5 3BA, 'epilepsy' HR2 6EP, 'respite' HR9 6RE, 'parkinsons' a Park road."""
    page.goto(site + "find/?q=" + word)
    assert wrong not in every_result(page)
    assert status(page) == f"No homes match “{word}”. Check the spelling, try fewer words, or choose from the filters."


@pytest.mark.one_engine
def test_a_need_word_is_the_need_and_each_card_says_why(site, page):
    homes = all_homes()
    expected = sum(bool(((h.get("care") or {}).get("user_bands") or {}).get("dementia"))
                   and ((h.get("address") or {}).get("town") or "").lower() == "kington" for h in homes)
    assert expected >= 2
    page.goto(site + "find/?q=Kington+dementia")
    assert status(page).startswith(f"{expected} homes match")
    whys = page.locator("#results > li .ch-why").all_inner_texts()
    assert len(whys) == expected and all(w.startswith("Matched on: ") and w.endswith("town; registered with CQC to support dementia") for w in whys), whys
    page.goto(site + "find/?q=Aston+House")
    expect(page.locator("#results > li .ch-why")).to_have_text(["Matched on: name"])


@pytest.mark.one_engine
def test_words_match_whole_words_only(site, page):
    page.goto(site + "find/?q=Hamp")  # the first letters of Hampton Park Road, Hampton Grange
    assert status(page) == "No homes match “Hamp”. Check the spelling, try fewer words, or choose from the filters."
    page.goto(site + "find/?q=Hampton")
    # whole words of names and towns: not Brockhampton Court, nor Aston House on Hampton Park Road (a street is not search text)
    assert every_result(page) == ["Hampton Grange Nursing Home", "Hampton House Residential Care Home", "Sophie House"]
    expect(page.locator("#results > li .ch-why")).to_have_text(["Matched on: name", "Matched on: name; town", "Matched on: town"])  # Hampton House is in Hampton Bishop


@pytest.mark.one_engine
def test_a_chosen_sort_is_honoured_with_a_postcode_in_the_box(site, page):
    page.goto(site + "find/?q=HR1+1TJ")
    assert "nearest first. Distances are measured in a straight line from HR1 1TJ." in status(page)
    expect(page.locator("#sort")).to_have_value("distance")
    page.locator("#sort").select_option("rating")
    expect(page.locator("#results-status")).to_have_text(re.compile(
        r"^\d+ homes match, best CQC rating first\..* The postcode in the search box does not narrow the list\. Distances "
        r"are measured in a straight line from HR1 1TJ\.$"))
    assert "sort=rating" in page.url
    page.reload()
    expect(page.locator("#sort")).to_have_value("rating")


@pytest.mark.one_engine
@pytest.mark.parametrize("words", ["", "+nursing"])
def test_a_postcode_sorted_a_to_z_shows_each_home_with_its_distance(site, page, words):
    """A postcode then "Name (A to Z)" drew 20 cards named "Unnamed home" linking to "undefined" (the page's first cards
    lost on the way to their distances), and a home beyond the widest distance filter said "no location given" though
    its position is known: the Devon review. Every card is a home, A to Z as without the postcode, each with its distance
    from the postcode."""
    page.goto(site + f"find/?q={words.lstrip('+')}&sort=name")
    a_to_z = every_result(page)
    page.goto(site + f"find/?q=HR6+8AA{words}&sort=name")
    # with the word "nursing", the 2 homes whose type of care is not known after the rest, not confirmed: the postcode
    # said not to narrow the list all the same (it was left unsaid in a list with homes not confirmed)
    assert status(page).endswith("The postcode in the search box does not narrow the list. Distances are measured in a "
                                 "straight line from HR6 8AA."), status(page)
    assert ("Then 2 homes that match every other filter but have not told us." in status(page)) == bool(words), status(page)
    assert every_result(page) == a_to_z and "Unnamed home" not in a_to_z
    hrefs = page.locator("#results > li h3 a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    assert all(re.fullmatch(r"/homes/[a-z0-9-]+/", h) for h in hrefs), hrefs
    placed = {h["name"] for h in all_homes() if (h.get("address") or {}).get("latitude") is not None}
    cards = page.locator("#results > li").all()
    for card in cards:
        name, text = card.locator("h3").inner_text(), card.inner_text()
        if name in placed:
            assert re.search(r"\d+\.\d miles away", text), text
    far = [c.inner_text() for c in cards if re.search(r"(\d+\.\d) miles away", c.inner_text())
           and float(re.search(r"(\d+\.\d) miles away", c.inner_text())[1]) > 20]
    assert far or words, "no home further than the widest distance filter: the case is not tried"


@pytest.mark.one_engine
def test_homes_that_have_not_told_us_follow_the_few_that_have_not_confirmed(site, page):
    """A filter on a fact few homes have given (free beds: one of the test site's homes) listed only the home that
    said yes, every home that had not answered gone without a word (weekend admissions on the Devon site: one home 19
    miles away, 64 nearer ones left out). The home that said yes comes first; after it, those that have not told us,
    each not confirmed, with who to ring; the count says both."""
    page.goto(site + "find/?q=HR6+8AA&free=any")
    text = status(page)
    names = every_result(page)
    assert names[0] == "Example Full House (fictional)", names
    told = re.search(r"We know for only (\d+) of (\d+) homes whether each has beds free now\. 1 home matches every filter, "
                     r"nearest first\. Then (\d+) homes that match every other filter but have not told us\. Not confirmed: "
                     r"ring each home to check\. Distances are measured in a straight line from HR6 8AA\.$", text)
    assert told, text
    assert int(told[3]) == len(names) - 1 and int(told[3]) > 20
    assert page.title().startswith("1 home matches every filter, nearest first - ")
    cards = page.locator("#results > li")
    assert cards.nth(0).locator(".ch-unconfirmed").count() == 0
    assert all(cards.nth(i).locator(".ch-unconfirmed").inner_text().startswith("Not confirmed: ring to check")
               for i in range(1, 5))
    page.goto(site + "find/?free=any&sort=name")
    assert re.search(r"1 home matches every filter, A to Z by name\. Then \d+ homes that match", status(page)), status(page)
    # within a distance the one that said yes is 11.6 miles away: those within 5 miles are all not confirmed, and the
    # count says so (it counted the one beyond the distance as listed first: the accessibility review)
    page.goto(site + "find/?q=HR6+8AA&free=any&within=5")
    text = status(page)
    assert re.fullmatch(r"We know for only 1 of 91 homes whether each has beds free now\. (\d+) homes match every other "
                        r"filter, nearest first\. Not confirmed: ring each home to check\. Only the homes within 5 miles of "
                        r"HR6 8AA\. Distances are measured in a straight line from HR6 8AA\.", text), text
    within = every_result(page)
    assert "Example Full House (fictional)" not in within and len(within) == int(text.split(". ")[1].split()[0])
    assert page.locator("#results > li .ch-unconfirmed").count() == len(within)


@pytest.fixture(scope="module")
def agency_site(tmp_path_factory):
    """The fixture care homes and the fictional agencies (tests/fixtures/agencies/), built, indexed and served once."""
    import threading

    from conftest import FIXTURES, TODAY

    from carehomes.localserver import site_server
    from carehomes.pipeline import build_site, check_paths

    work = tmp_path_factory.mktemp("agency-browser")
    checked = check_paths([FIXTURES / "profiles", FIXTURES / "agencies"], on=TODAY)
    assert checked.problems == []
    build_site(checked.profiles, work / "site", today=TODAY, releases_dir=work / "no-releases")
    server = site_server(work / "site")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_care_at_home_with_dementia_near_ol1_lists_the_agency_covering_ol1_first(agency_site, page):
    """Issue 20's find page: "OL1 1AA, care at home, dementia" lists the agencies whose covered area includes OL1
    first, labelled so, each with only its office's distance; agencies without an area follow by office distance."""
    page.goto(agency_site + "find/?q=OL1+1AA+dementia&kind=home_care_agency")
    text = status(page)
    # the agencies that have not said whether they care for people with dementia after them, not confirmed
    assert text.startswith("2 services match every filter, nearest first. Then 2 services that match every other filter "
                           "but have not told us.") and "agencies that cover OL1 are listed first" in text, text
    assert every_result(page)[:2] == ["Example Covers Care (fictional)", "Example Nearby Homecare (fictional)"]
    first, second = page.locator("#results > li").all()[:2]
    expect(first.locator(".ch-covers")).to_have_text("Covers OL1")
    assert second.locator(".ch-covers").count() == 0
    for card in (first, second):
        assert re.search(r"^Office \d+\.\d miles away$", card.inner_text(), re.M), card.inner_text()
        assert "miles away (approximately)" not in card.inner_text()
    expect(page.locator("#kind-home-care-agency")).to_be_checked()
    expect(page.locator("#kind-care-home")).not_to_be_checked()
    # a town it says it covers finds it, and its card says why
    page.goto(agency_site + "find/?q=Shaw")
    assert every_result(page) == ["Example Covers Care (fictional)"]
    expect(page.locator("#results > li .ch-why")).to_have_text(["Matched on: area covered"])


def test_the_compare_pages_phone_row_is_a_tel_link(agency_site, page):
    """A discharge coordinator rings from the compare table: the phone row's number is a link that dials it (the
    build's tel: link, digits only), its words the number as given; an agency with no number says not provided."""
    page.goto(agency_site + "compare/?homes=example-agency-covers,example-agency-unknown")
    expect(page.locator("#compare-status")).to_contain_text("Comparing 2 services.")
    row = page.locator("#compare-table tbody tr", has=page.locator("th", has_text=re.compile(r"^Phone$")))
    cells = row.locator("td")
    expect(cells.nth(0).get_by_role("link", name="0161 000 0001", exact=True)).to_have_attribute("href", "tel:01610000001")
    expect(cells.nth(1).get_by_role("link")).to_have_count(0)


def test_only_the_sorts_that_fit_the_kinds_chosen_are_offered(agency_site, page):
    """"Beds free" is no order of home care agencies, nor "hours it can start" of care homes: with only agencies
    chosen the beds sort is not offered, and a link that asked for it is listed A to Z (and says so)."""
    page.goto(agency_site + "find/?kind=home_care_agency&sort=free")
    assert status(page).endswith("A to Z by name."), status(page)
    expect(page.locator("#sort")).to_have_value("name")
    expect(page.locator("#sort option[value='free']")).to_be_disabled()
    expect(page.locator("#sort option[value='fee']")).to_be_disabled()
    expect(page.locator("#sort option[value='hours']")).to_be_enabled()
    assert "sort=free" not in page.url
    page.locator("#sort").select_option("hours")
    expect(page.locator("#results-status")).to_contain_text("most hours of care a week first")
    # only care homes: the hours sort stops fitting and falls back to A to Z; the beds sort is offered again
    page.evaluate("document.getElementById('filter-panel').open = true")
    page.locator("#kind-home-care-agency").uncheck()
    page.locator("#kind-care-home").check()
    expect(page.locator("#sort")).to_have_value("name")
    expect(page.locator("#sort option[value='hours']")).to_be_disabled()
    expect(page.locator("#sort option[value='free']")).to_be_enabled()
    # no kind chosen: every sort
    page.locator("#kind-care-home").uncheck()
    expect(page.locator("#sort option[value='hours']")).to_be_enabled()
    expect(page.locator("#sort option[value='free']")).to_be_enabled()


@pytest.mark.one_engine
def test_show_more_says_the_sites_own_word_from_the_build(site, page):
    page.goto(site + "find/")
    wait_results(page)
    expect(page.locator("#more")).to_have_text(re.compile(r"^Show 20 more homes \(\d+ not shown yet\)$"))
