"""Hostile input to the public pages, in Chromium on both engines' sites: addresses a person (or a link) can make up
and what this browser's storage holds, which any page of the site's origin can write (a GitHub Pages owner's other
sites share it). Each page says something plain, with no script error, no HTML made from the input, only safe links."""
from __future__ import annotations

import json
import urllib.parse

import pytest
import test_browser
from test_browser import wait_results

# the browser suite's fixtures: the bundled site on each engine, served, and a page in Chromium (which fails a test
# on any script error or dialog)
browser, site, page = test_browser.browser, test_browser.site, test_browser.page

pytestmark = pytest.mark.browser

# every link a page holds: http(s), mailto, tel, or an address of the site (relative, or from its root)
SAFE_LINKS = """() => Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))
    .filter(h => !/^(https?:|mailto:|tel:|\\/|\\.\\.?(\\/|$)|#|\\?|[a-z0-9-]+\\/)/i.test(h) || /^\\s*(javascript|data|vbscript):/i.test(h))"""


def test_a_long_word_in_the_search_box_never_widens_the_find_page_on_a_phone(site, browser):
    """Its chip ("Words: aaaa...") held the word unbroken: at 320 px the page was 2,436 px wide and scrolled
    sideways (WCAG 1.4.10). It wraps inside the chip now."""
    ctx = browser.new_context(viewport={"width": 320, "height": 700})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        for q in ("a" * 300, "OL1 1AA " + "b" * 300, "<b>" + "x" * 200):
            pg.goto(site + "find/?q=" + urllib.parse.quote_plus(q))
            wait_results(pg)
            assert pg.locator("#active-filters").is_visible()
            wide, screen = pg.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert wide <= screen, (q[:12], wide, screen)
            if q == "a" * 300:  # the words said back, 60 characters at most
                said = pg.locator("#results-status").inner_text()
                assert said.startswith("No homes match “") and len(said.split("“")[1].split("”")[0]) == 60, said
    finally:
        ctx.close()
    assert errors == []


def test_the_compare_page_shows_each_service_once_and_only_the_sites_own_filters(site, page):
    """A stored shortlist naming a service twice compared it twice; a stored search naming "constructor" or
    "toString" as a filter added rows "You searched for: function Object() { [native code] }", that text in each cell."""
    FULL = "Example Full House (fictional)"  # tests/fixtures/profiles/example-full.yaml
    page.goto(site + "robots.txt")
    page.evaluate("""([list, search]) => { localStorage.setItem('carehomes.shortlist', list); localStorage.setItem('carehomes.search', search); }""", [
        json.dumps([{"slug": "aston-house", "name": "<img src=x onerror=alert(1)>"}, {"slug": "aston-house", "name": "again"},
                    {"slug": "../../etc/passwd", "name": "x"}, {"slug": "javascript:alert(1)", "name": "y"}, {"slug": "example-full", "name": "z"}]),
        json.dumps({"from": "<img src=x onerror=alert(1)>", "at": None, "unit": "__proto__",
                    "filters": ["__proto__", "constructor", "toString", "hasOwnProperty", "band_dementia", "band_dementia"]})])
    page.goto(site + "compare/")
    status = page.locator("#compare-status")
    status.filter(has_text="Comparing").wait_for()
    assert status.inner_text().startswith("Comparing 2 homes.")
    assert [a.inner_text() for a in page.locator("#compare-table thead th a").all()] == ["Aston House", FULL]
    rows = page.locator("#compare-table tbody th[scope=row]").all_inner_texts()
    assert [r for r in rows if r.startswith("You searched for")] == ["You searched for: Dementia"]
    assert "[native code]" not in page.locator("#compare-table").inner_text()
    assert page.locator("#compare-table img").count() == 0
    assert page.evaluate(SAFE_LINKS) == []
    assert json.loads(page.evaluate("() => localStorage.getItem('carehomes.shortlist')")) == [
        {"slug": "aston-house", "name": "Aston House"}, {"slug": "example-full", "name": FULL}]


@pytest.mark.one_engine  # the find page's own reading of its address
@pytest.mark.parametrize("query", [
    "q=%3Cscript%3Ealert(1)%3C/script%3E", "q=javascript:alert(1)", "q=data:text/html,%3Cscript%3Ealert(1)%3C/script%3E",
    "sort=__proto__&kind=__proto__&kind=constructor&town=__proto__&unit=__proto__&maxfee=constructor&rating=toString",
    "q=a&q=b&sort=name&sort=rating&town=Nowhere&town=Hereford", "near=abc", "q=HR1+2ER&within=-1&miles=1e309&unit=NaN",
    "q=%E2%80%AE%E2%80%8Bevil%E0%A4%A%", "q=__proto__+constructor+toString", "q=dementia+" + "dementia+" * 3000],
    ids=["script", "javascript", "data-url", "inherited-names", "repeated", "near-text", "bad-numbers", "bidi-bad-escape",
         "inherited-words", "dementia-3001-times"])
def test_a_made_up_find_address_says_something_plain(site, page, query):
    """No script error (the page fixture fails the test on one), no element made from the address, only safe links,
    and a count or a message, never an empty or stuck page."""
    page.goto(site + "find/?" + query + "#%3Cimg%20src=x%20onerror=alert(1)%3E")
    wait_results(page)
    assert page.locator("#results-status").inner_text().strip()
    assert page.locator("#results img, #active-filters img, #results script").count() == 0
    assert page.evaluate(SAFE_LINKS) == []
