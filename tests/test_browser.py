"""Real-browser tests: Debian's Chromium driven by Playwright, with axe-core for WCAG 2.2 AA.

CI installs chromium (see .ci/run); a missing browser fails these tests rather than skipping them.
"""
from __future__ import annotations

import threading
from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import expect, sync_playwright

from carehomes.localserver import site_server
from conftest import ROOT

pytestmark = pytest.mark.browser  # real Chromium; `build.py test --fast` leaves these out

CHROMIUM = "/usr/bin/chromium"
AXE = Path(axe_playwright_python.__file__).with_name("axe.min.js")
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def site(built_site):
    server = site_server(built_site[0])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
    yield pg
    ctx.close()
    assert errors == [], errors


def axe_violations(pg) -> list[str]:
    pg.add_script_tag(path=str(AXE))
    result = pg.evaluate("opts => axe.run(document, opts)", {"runOnly": {"type": "tag", "values": WCAG}})
    return [f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]]


def wait_results(pg):
    expect(pg.locator("#results-status")).not_to_have_text("Searching…", timeout=10000)
    expect(pg.locator("#results-status")).not_to_be_empty()


PAGES = ["", "find/", "find/?care=Nursing", "homes/example-full/", "homes/aston-house/", "homes/example-hostile/",
         "browse/", "browse/a/", "browse/area-herefordshire/", "open-data/", "for-providers/", "market/",
         "choosing-a-care-home/", "paying-for-care/", "compare/"]


@pytest.mark.parametrize("path", PAGES)
def test_wcag_22_aa_with_axe(site, page, path):
    page.goto(site + path)
    if path.startswith("find"):
        wait_results(page)
    assert axe_violations(page) == []


def test_compare_page_accessible_with_homes(site, page):
    page.goto(site + "homes/example-full/")
    page.get_by_role("button", name="Add to shortlist").click()
    page.goto(site + "homes/aston-house/")
    page.get_by_role("button", name="Add to shortlist").click()
    page.goto(site + "compare/")
    expect(page.locator("#compare-status")).to_have_text("Comparing 2 homes.")
    assert axe_violations(page) == []


def test_journey_tracheostomy_with_nursing_vacancy(site, page):
    page.goto(site + "find/")
    wait_results(page)
    page.get_by_label("Tracheostomy").check()
    page.get_by_label("Bed with nursing free").check()
    expect(page.locator("#results-status")).to_have_text("1 home matches.")
    assert "need=Tracheostomy" in page.url and "free=nursing" in page.url
    page.get_by_role("link", name="Example Full House (fictional)").click()
    expect(page.locator("h1")).to_have_text("Example Full House (fictional)")
    expect(page.get_by_role("row", name="Tracheostomy Yes 2 0")).to_be_visible()


def test_skip_to_results_link(site, page):
    page.goto(site + "find/?care=Nursing")
    wait_results(page)
    page.get_by_role("link", name="Skip to the results").click()
    assert page.evaluate("document.activeElement.id") == "results-status"


def test_journey_search_by_postcode(site, page):
    page.goto(site)
    page.get_by_label("Search by home name, town or postcode").fill("HR1 1TJ")
    page.get_by_role("button", name="Search").click()
    wait_results(page)
    expect(page.locator("#results li h2").first).to_have_text("Aston House")


def test_journey_shortlist_two_and_compare(site, page):
    page.goto(site + "find/?q=hereford")
    wait_results(page)
    cards = page.locator("#results > li")
    names = [cards.nth(i).locator("h2").inner_text() for i in range(2)]
    for i in range(2):
        cards.nth(i).get_by_role("button", name="Add to shortlist").click()
    expect(page.locator("#shortlist-link")).to_have_text("Compare your shortlist (2 homes)")
    page.locator("#shortlist-link").click()
    expect(page.locator("#compare-status")).to_have_text("Comparing 2 homes.")
    headers = page.locator("#compare-table thead th a").all_inner_texts()
    assert headers == names
    page.get_by_role("button", name=f"Remove {names[0]} from your shortlist").click()
    expect(page.locator("#compare-table thead th a")).to_have_count(1)


def test_journey_shared_filter_link(site, page):
    page.goto(site + "find/?care=Nursing&band=Dementia&sort=rating")
    wait_results(page)
    expect(page.get_by_label("With nursing", exact=True)).to_be_checked()
    expect(page.get_by_label("Dementia")).to_be_checked()
    expect(page.get_by_label("Sort by")).to_have_value("rating")
    status = page.locator("#results-status").inner_text()
    count = int(status.split()[0])
    expected = 0
    import yaml
    for f in (ROOT / "providers").glob("[!_]*.yaml"):
        d = yaml.safe_load(f.read_text())
        expected += bool(d["care"].get("nursing") and d["care"]["user_bands"].get("dementia"))
    assert count == expected + 1  # plus the fictional example-full home


def test_distance_sort_from_postcode(site, page):
    import json
    import math

    import yaml
    page.goto(site + "find/?sort=distance&near=hr9+7bq")
    wait_results(page)
    expect(page.locator("#results-status")).to_contain_text("Distances are measured from the middle of the homes in postcode area HR9")
    centre = json.loads(page.evaluate("fetch('../search/districts/HR.json').then(r => r.text())"))["HR9"]
    homes = [yaml.safe_load(f.read_text()) for f in (ROOT / "providers").glob("[!_]*.yaml")]
    nearest = min(homes, key=lambda h: math.dist((h["address"]["latitude"], h["address"]["longitude"] * math.cos(math.radians(52))),
                                                  (centre[0], centre[1] * math.cos(math.radians(52)))))
    first = page.locator("#results > li").first
    expect(first.locator("h2")).to_have_text(nearest["name"])
    expect(first).to_contain_text("km away")


def test_without_javascript_every_home_is_reachable(site, browser):
    ctx = browser.new_context(java_script_enabled=False)
    pg = ctx.new_page()
    pg.goto(site + "find/")
    pg.get_by_role("link", name="browse all 91 homes from A to Z or by area").click()
    pg.get_by_role("link", name="Herefordshire", exact=True).click()
    links = pg.locator("ul.ch-list a")
    assert links.count() == 88
    links.filter(has_text="Aston House").click()
    expect(pg.locator("h1")).to_have_text("Aston House")
    ctx.close()


def test_keyboard_only_filters(site, page):
    page.goto(site + "find/")
    wait_results(page)
    page.locator("#q").focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "care-nursing":
            break
    assert page.evaluate("document.activeElement.id") == "care-nursing"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Space")
    expect(page.get_by_label("With nursing", exact=True)).to_be_checked()
    wait_results(page)
    assert "care=Nursing" in page.url


@pytest.mark.parametrize("path", ["", "find/", "homes/example-full/", "compare/", "browse/a/", "open-data/"])
def test_320px_viewport_has_no_sideways_scroll(site, browser, path):
    ctx = browser.new_context(viewport={"width": 320, "height": 640})
    pg = ctx.new_page()
    pg.goto(site + path)
    pg.wait_for_timeout(300)
    width = pg.evaluate("document.documentElement.scrollWidth")
    ctx.close()
    assert width <= 320, f"{path} is {width}px wide at 320px"


def test_hostile_home_runs_no_script(site, page):
    page.goto(site + "homes/example-hostile/")
    expect(page.locator("h1")).to_contain_text("<img src=x onerror=alert('name')>")
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:", "vbscript:"))]
    page.goto(site + "find/?q=evil")
    wait_results(page)
    expect(page.locator("#results li h2").first).to_contain_text("<img src=x")


# ---- the schema's value lists at their edges (fictional homes, see conftest.EDGE_HOMES) -------------

@pytest.fixture(scope="module")
def edge(edge_site):
    server = site_server(edge_site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def result_names(pg) -> list[str]:
    wait_results(pg)
    return sorted(pg.locator("#results h2 a").all_inner_texts())


@pytest.mark.parametrize("sort", ["name", "fee"])
def test_fee_up_to_includes_a_fee_on_the_band_edge(edge, page, sort):
    # lowest fees £1,199.99, £1,200 and £1,200.01 (Edge 1 to 3); Edge 4 gives none
    page.goto(edge + f"find/?maxfee=1200&sort={sort}")
    assert result_names(page) == ["Edge 1 (fictional)", "Edge 2 (fictional)"]
    page.goto(edge + f"find/?maxfee=1100&sort={sort}")
    assert page.locator("#results-status").inner_text() == "No homes match. Try removing a filter." or result_names(page) == []
    page.goto(edge + f"find/?maxfee=1300&sort={sort}")
    assert result_names(page) == ["Edge 1 (fictional)", "Edge 2 (fictional)", "Edge 3 (fictional)"]


def test_every_rating_can_be_chosen(edge, page):
    from carehomes.schema import load_schema

    values = load_schema().values
    page.goto(edge + "find/")
    wait_results(page)
    page.get_by_label("Inspected but not rated").check()
    assert result_names(page) == ["Edge 2 (fictional)"]
    page.get_by_label("Inspected but not rated").uncheck()
    page.get_by_label(values.no_rating).check()
    assert result_names(page) == ["Edge 4 (fictional)"]
    expect(page.locator("#results li").first).to_contain_text(f"CQC rating: {values.no_rating}")
    page.goto(edge + "find/?sort=rating")
    wait_results(page)
    expect(page.locator("#results h2 a")).to_have_text(["Edge 1 (fictional)", "Edge 2 (fictional)", "Edge 3 (fictional)", "Edge 4 (fictional)"])
