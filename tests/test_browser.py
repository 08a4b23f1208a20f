"""Real-browser tests: Debian's Chromium driven by Playwright, with axe-core for WCAG 2.2 AA.

CI installs chromium (see .ci/run); a missing browser fails these tests rather than skipping them.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import threading
from pathlib import Path

import axe_playwright_python
import pytest
import yaml
from conftest import CHROMIUM, CLOSED_HOME, FIXTURES, ROOT, TODAY
from playwright.sync_api import TimeoutError as PlaywrightTimeout, expect, sync_playwright

from carehomes.localserver import site_server, url_prefix
from carehomes.siteconfig import read_config

pytestmark = pytest.mark.browser  # real Chromium; `build.py test --fast` leaves these out

AXE = Path(axe_playwright_python.__file__).with_name("axe.min.js")
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def site(engine_site):
    """The bundled site served on 127.0.0.1, once per engine (conftest.ENGINES): every test that
    takes it runs on the mkdocs-material site and on the zensical one."""
    # served as `serve` serves it: also under site_url's path, where the 404 page's links point
    server = site_server(engine_site[0], prefix=url_prefix(read_config(ROOT / "mkdocs.yml").raw["site_url"]))
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
    # axe reads each element's colours as they are at that moment: a state a click has just begun (mkdocs-material's
    # .md-button fades its colours over 125 ms) is measured once every finite transition and animation has ended
    pg.evaluate("""() => Promise.all(document.getAnimations()
        .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
        .map(a => a.finished.catch(() => null)))""")
    pg.add_script_tag(path=str(AXE))
    # every WCAG rule runs; resultTypes only spares axe listing each passing node (what axe-playwright-python does)
    result = pg.evaluate("opts => axe.run(document, opts)", {"runOnly": {"type": "tag", "values": WCAG},
                                                             "resultTypes": ["violations"]})
    return [f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]]


def wait_results(pg):
    """Until the count is shown (the find page writes it once the first homes are drawn)."""
    import re
    expect(pg.locator("#results-status")).to_have_text(re.compile(r"^(?!Searching)\S.*", re.S), timeout=10000)


# Each kind of page on both engines; one more state of a kind of page (another search, home or list) on one
# (conftest.one_engine): the engine makes the frame and the Markdown pages, the project's templates the rest.
MORE = pytest.mark.one_engine
PAGES = ["", "find/", "find/?care=Nursing", pytest.param("find/?q=HR1+2ER", marks=MORE),
         pytest.param("find/?sort=fee&town=Hereford", marks=MORE), "homes/example-full/",
         pytest.param("homes/aston-house/", marks=MORE), "homes/example-hostile/", "browse/", "browse/a/",
         pytest.param("browse/area-herefordshire/", marks=MORE), pytest.param("browse/town-ross-on-wye/", marks=MORE),
         pytest.param("browse/need-band-dementia/", marks=MORE), "open-data/", "for-providers/", "market/",
         "choosing-a-care-home/", pytest.param("choosing-home-care/", marks=MORE), "paying-for-care/", "compare/",
         "compare/?homes=aston-house,example-full"]


@pytest.mark.parametrize("path", PAGES)
def test_wcag_22_aa_with_axe(site, page, path):
    page.goto(site + path)
    if path.startswith("find"):
        wait_results(page)
    assert axe_violations(page) == []


def test_compare_page_accessible_with_homes(site, page):
    page.goto(site + "homes/example-full/")
    page.get_by_role("button", name="Add Example Full House (fictional) to shortlist").click()
    page.goto(site + "homes/aston-house/")
    page.get_by_role("button", name="Add Aston House to shortlist").click()
    page.goto(site + "compare/")
    expect(page.locator("#compare-status")).to_have_text("Comparing 2 homes.")
    assert axe_violations(page) == []


@MORE
def test_words_typed_slowly_are_searched_once_typing_pauses(site, page):
    """The accessibility review: typing "Herefrod" at 400 ms a key changed the live region 17 times ("Searching…", "No
    homes match “H”", ...), talking over the typing. It is searched once typing pauses, and says only its count."""
    page.goto(site + "find/")
    wait_results(page)
    page.evaluate("""() => { window.__said = []; const s = document.getElementById('results-status');
        new MutationObserver(() => window.__said.push(s.textContent)).observe(s, {childList: true, subtree: true, characterData: true}); }""")
    page.locator("#q").press_sequentially("Herefrod", delay=400)
    expect(page.locator("#results-status")).to_contain_text("Did you mean Hereford?", timeout=5000)
    said = page.evaluate("window.__said")
    assert len(said) == 1 and said[0].startswith("No homes match “Herefrod”"), said


@MORE
def test_a_misspelt_town_is_put_right_in_one_click(site, page):
    """A family typing "Leominstr" got "No homes match. Try removing a filter." with no filter chosen: a dead end. The
    count's line now says the words matched nothing and offers the listed town one letter off, a link that searches
    again with it (and is a real address, for a new tab)."""
    # each text the status held, as a screen reader is told of it (a MutationObserver's batches)
    page.add_init_script("""window.__said = []; document.addEventListener('DOMContentLoaded', () => {
        const s = document.getElementById('results-status');
        if (s) new MutationObserver(() => window.__said.push(s.textContent)).observe(s, {childList: true, subtree: true, characterData: true});
    });""")
    page.goto(site + "find/?q=Leominstr")
    status = page.locator("#results-status")
    expect(status).to_have_text("No homes match “Leominstr”. Check the spelling, try fewer words, or choose from the filters. "
                                "Did you mean Leominster?")
    # written once, the town in the same sentence (appended after, the whole status was announced twice)
    assert [s for s in page.evaluate("window.__said") if s.startswith("No homes")] == [status.inner_text()]
    link = status.get_by_role("link", name="Leominster")
    assert link.get_attribute("href") == "?q=Leominster"
    link.click()
    expect(status).to_have_text(re.compile(r"^\d+ homes match, A to Z by name\.$"))
    assert page.locator("#q").input_value() == "Leominster" and page.url.endswith("find/?q=Leominster")
    assert page.locator("#results li").count() > 0
    # a need among the words is kept; a word that matches a home is never "put right" (Leominister is in a home's
    # name), the word that matches nothing is; a new tab (Ctrl+click) opens the address, this page left as it is
    page.goto(site + "find/?q=dementia+Leominister+Ledbuy")
    expect(status).to_have_text("No homes match “dementia Leominister Ledbuy”. Check the spelling, try fewer words, "
                                "or choose from the filters. Did you mean Ledbury?")
    link = status.get_by_role("link", name="Ledbury")
    assert link.get_attribute("href") == "?q=dementia+Leominister+Ledbury"  # the other words as typed (they were lower-cased)
    with page.context.expect_page() as opened:
        link.click(modifiers=["Control"])
    opened.value.close()
    assert page.url.endswith("find/?q=dementia+Leominister+Ledbuy")
    # a filter chosen is said as before; with a town chosen, no town is offered (it would match nothing there either)
    page.goto(site + "find/?q=Ledbuy&care=Nursing")
    expect(status).to_have_text("No homes match. Try removing a filter. Did you mean Ledbury?")
    page.goto(site + "find/?q=Ledbuy&town=Hereford")
    expect(status).to_have_text("No homes match. Try removing a filter.")
    page.goto(site + "find/?q=Zzzzzz")
    expect(status).to_have_text("No homes match “Zzzzzz”. Check the spelling, try fewer words, or choose from the filters.")
    # the tab's title is the first sentence, whatever the words typed hold ("St. Ledbuy" cut it at "St")
    page.goto(site + "find/?q=St.+Ledbuy")
    expect(status).to_contain_text("Did you mean Ledbury?")
    assert page.title().startswith("No homes match “St. Ledbuy” - Find a care home - ")
    # a word said back is cut at 60 characters, never inside an emoji
    page.goto(site + "find/?q=" + "a" * 58 + "%F0%9F%98%80" * 3)
    expect(status).to_have_text("No homes match “" + "a" * 58 + "\U0001F600…”. Check the spelling, try fewer words, "
                                "or choose from the filters.")


def test_journey_tracheostomy_with_nursing_vacancy(site, page):
    page.goto(site + "find/")
    wait_results(page)
    page.locator("#need-fold > summary").click()  # a folded group of boxes: opened, as a person opens it
    page.get_by_label("Tracheostomy").check()
    page.get_by_label("Bed with nursing free").check()
    # the one home that has said both first; then, not confirmed, the homes that may have a nursing bed and have not
    # said either (never one without nursing: CQC's registration has told us it has none)
    expect(page.locator("#results-status")).to_contain_text(re.compile(r"1 home matches every filter, A to Z by name\. Then (\d+) homes"))
    then = int(re.search(r"Then (\d+) homes", page.locator("#results-status").inner_text())[1])
    maybe_nursing = [h for h in all_homes() if (h.get("care") or {}).get("nursing") is not False
                     and ((h.get("capabilities") or {}).get("tracheostomy") or {}).get("accepted") is None]
    assert then == len(maybe_nursing) < len(all_homes()) - 1
    assert "need=Tracheostomy" in page.url and "free=nursing" in page.url
    expect(page.locator("#results > li h3").first).to_have_text("Example Full House (fictional)")
    page.get_by_role("link", name="Example Full House (fictional)").click()
    expect(page.locator("h1")).to_have_text("Example Full House (fictional)")
    expect(page.get_by_role("row", name="Tracheostomy Yes 2 0")).to_be_visible()


def test_journey_shortlist_two_and_compare(site, page):
    page.goto(site + "find/?q=hereford")
    wait_results(page)
    cards = page.locator("#results > li")
    names = [cards.nth(i).locator("h3").inner_text() for i in range(2)]
    for i in range(2):
        cards.nth(i).get_by_role("button", name=f"Add {names[i]} to shortlist").click()
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


@pytest.mark.one_engine
def test_distance_sort_from_an_outward_code_uses_the_district_centre(site, page):
    """An outward code alone measures from the middle of that district's postcodes; one that is no
    district says so."""
    import json
    import math

    import yaml
    page.goto(site + "find/?sort=distance&near=hr9&unit=km")
    wait_results(page)
    # HR's postcodes are published: the middle of the district's postcodes, not of its homes
    expect(page.locator("#results-status")).to_contain_text("Distances are measured from the middle of postcode district HR9.")
    centre = json.loads(page.evaluate("fetch('../postcodes/HR/districts.json').then(r => r.text())"))["HR9"]
    homes = [yaml.safe_load(f.read_text()) for f in (ROOT / "providers").glob("[!_]*.yaml")]
    nearest = min(homes, key=lambda h: math.dist((h["address"]["latitude"], h["address"]["longitude"] * math.cos(math.radians(52))),
                                                  (centre[0], centre[1] * math.cos(math.radians(52)))))
    first = page.locator("#results > li").first
    expect(first.locator("h3")).to_have_text(nearest["name"])
    expect(first).to_contain_text("km away")
    page.goto(site + "find/?q=HR99")
    wait_results(page)
    expect(page.locator("#results-status")).to_have_text("HR99 is not a postcode district; check it.")
    # the box is marked wrong and names the line that says why, until a search finds its place (accessibility review)
    expect(page.locator("#q")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#q")).to_have_attribute("aria-describedby", "results-status q-hint")
    page.locator("#q").fill("HR9")
    page.locator("#q").press("Enter")
    wait_results(page)
    expect(page.locator("#q")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#q")).to_have_attribute("aria-describedby", "q-hint")
    # the tab's title says what the search found: the count's first sentence, then the page's own title
    expect(page).to_have_title(re.compile(r"^\d+ homes, nearest first - Find a care home - "))
    page.goto(site + "find/")
    wait_results(page)
    assert page.title().startswith("Find a care home - ")  # no search: the page's own title


def haversine_miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in miles (Earth radius 6371 km), worked out here independently of the page."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h)) / 1.609344


@pytest.mark.one_engine
def test_distance_from_the_exact_postcode_typed(site, engine_site, page):
    origin = json.loads((engine_site[0] / "postcodes" / "HR" / "HR3-5.json").read_text())["5AA"]
    placed = [h for h in all_homes() if (h.get("address") or {}).get("latitude") is not None]
    unplaced = [h for h in all_homes() if (h.get("address") or {}).get("latitude") is None]
    expected = sorted(placed, key=lambda h: (haversine_miles(origin, (h["address"]["latitude"], h["address"]["longitude"])), h["name"]))
    page.goto(site + "find/?q=HR3+5AA")
    wait_results(page)
    total = json.loads((engine_site[0] / "search" / "facets.json").read_text())["homes"]
    status = page.locator("#results-status").inner_text()
    # every home, none dropped; measured from the postcode itself, not the district's middle
    assert status.startswith(f"{total} homes, nearest first. Distances are measured in a straight line from HR3 5AA."), status
    if unplaced:
        assert f"{len(unplaced)} home" in status and "listed last" in status
    names = page.locator("#results > li h3").all_inner_texts()
    assert names == [h["name"] for h in expected][:len(names)]
    kington = [h["name"] for h in placed if h["address"].get("town") == "Kington"]
    assert len(kington) == 4 and sorted(names[:4]) == sorted(kington)
    first = page.locator("#results > li").first.inner_text()
    miles = float(re.search(r"([0-9.]+) miles away", first).group(1))
    assert 9 <= miles <= 11 and abs(miles - haversine_miles(origin, (expected[0]["address"]["latitude"], expected[0]["address"]["longitude"]))) < 0.06
    # switching to km is remembered in the link
    page.get_by_label("Distances in").select_option("km")
    expect(page.locator("#results > li").first).to_contain_text(f"{miles * 1.609344:.1f} km away", timeout=10000)
    assert "unit=km" in page.url
    page.goto(page.url)
    wait_results(page)
    expect(page.get_by_label("Distances in")).to_have_value("km")
    expect(page.locator("#results > li").first).to_contain_text("km away")
    assert axe_violations(page) == []


@pytest.mark.one_engine
def test_distance_on_a_big_site_sorts_the_nearest_districts_and_counts_the_rest(site, engine_site, page):
    """With more matches than the page fetches (SORT_ALL, lowered to 10 here), it sorts the homes in the
    nearest districts and says how many more match further away: none is dropped silently."""
    look_big(page)
    page.goto(site + "find/?q=HR3+5AA")
    wait_results(page)
    total = json.loads((engine_site[0] / "search" / "facets.json").read_text())["homes"]
    status = page.locator("#results-status").inner_text()
    m = re.match(r"(\d+) homes, nearest first\. .* (\d+) more homes match further away: choose a town or area, or add filters, to see them\.$", status)
    assert m, status
    assert int(m.group(1)) + int(m.group(2)) == total and 10 <= int(m.group(1)) < total
    kington = sorted(h["name"] for h in all_homes() if (h.get("address") or {}).get("town") == "Kington")
    assert sorted(page.locator("#results > li h3").all_inner_texts()[:4]) == kington


def look_big(page) -> dict[str, list[str]]:
    """Make the site look big to the find page (SORT_ALL lowered to 10) and note the files its searches fetch."""
    def smaller(route):
        resp = route.fetch()
        body = resp.text()
        assert "SORT_ALL = 150" in body
        route.fulfill(response=resp, body=body.replace("SORT_ALL = 150", "SORT_ALL = 10"))
    page.route(re.compile(r".*/assets/directory-find\.js.*"), smaller)  # the find page's module
    fetched: dict[str, list[str]] = {"facets": [], "near": [], "cards": [], "pagefind": []}
    def note(request):
        if "/search/facets/" in request.url:
            fetched["facets"].append(request.url)
        if "/pagefind/" in request.url:
            fetched["pagefind"].append(request.url)
        elif "/search/near/" in request.url:
            fetched["near"].append(request.url)
        elif "/search/cards/" in request.url:
            fetched["cards"].append(request.url)
    page.on("request", note)
    return fetched


@pytest.mark.one_engine
def test_plain_distance_on_a_big_site_reads_the_nearest_cards_without_the_index(site, engine_site, page):
    """No words, no filters: the nearest districts' cards (search/cards/) are sorted; the index (search/facets/)
    is not read at all, and the order is right by the real coordinates."""
    fetched = look_big(page)
    origin = json.loads((engine_site[0] / "postcodes" / "HR" / "HR3-5.json").read_text())["5AA"]
    page.goto(site + "find/?q=HR3+5AA")
    wait_results(page)
    expect(page.locator("#results")).to_have_attribute("aria-busy", "false")
    status = page.locator("#results-status").inner_text()
    shown = int(re.match(r"(\d+) homes, nearest first\.", status).group(1))
    cards = page.locator("#results > li")
    drawn = cards.count()
    assert drawn == min(20, shown) and fetched["cards"]
    assert fetched["pagefind"] == [] and fetched["near"] == [] and fetched["facets"] == []
    slugs = [re.search(r"/homes/([^/]+)/", h).group(1) for h in page.locator("#results > li h3 a").evaluate_all("as => as.map(a => a.href)")]
    where = {h["slug"]: h.get("address") or {} for h in all_homes() if h.get("slug")}
    miles = [haversine_miles(origin, (where[s]["latitude"], where[s]["longitude"])) for s in slugs]
    assert miles == sorted(miles)
    for i in range(drawn):
        printed = float(re.search(r"([0-9.]+) miles away", cards.nth(i).inner_text()).group(1))
        assert abs(printed - miles[i]) < 0.051, (slugs[i], printed, miles[i])
    # the cards are the index's: with a filter (through the index), each home drawn both ways has the same card
    def drawn_cards() -> dict[str, str]:
        return dict(page.locator("#results > li").evaluate_all(
            "lis => lis.map(li => [li.querySelector('h3 a').href.split('/homes/')[1], li.innerText])"))
    first = drawn_cards()
    page.goto(site + "find/?q=HR3+5AA&locality=Herefordshire")
    wait_results(page)
    again = drawn_cards()
    assert len(first.keys() & again.keys()) >= 10 and all(first[k] == again[k] for k in first.keys() & again.keys())
    assert fetched["near"] and any("/search/facets/c" in u for u in fetched["facets"]) and fetched["pagefind"] == []


@pytest.mark.one_engine
def test_distance_with_a_filter_on_a_big_site_keeps_the_indexs_filter(site, page):
    """With nursing chosen, the homes sorted are exactly the nursing homes the index finds in the nearest
    districts, and those shown plus those counted further away are every nursing home."""
    page.goto(site + "find/?care=Nursing")
    wait_results(page)
    nursing = int(page.locator("#results-status").inner_text().split()[0])
    fetched = look_big(page)
    page.goto(site + "find/?care=Nursing&sort=distance&near=HR3+5AA")
    wait_results(page)
    status = page.locator("#results-status").inner_text()
    # the nursing homes nearest first, then those whose type of care is not known, not confirmed, then how many more
    # nursing homes are further away (it was left unsaid in a list with homes not confirmed)
    m = re.match(r"(\d+) homes? match(?:es)? every filter, nearest first\. Then (\d+) homes? that match(?:es)? every other "
                 r"filter .* (\d+) more homes? match(?:es)? further away", status)
    assert m, status
    assert int(m.group(1)) + int(m.group(3)) == nursing and fetched["near"]
    drawn = page.locator("#results > li").count()
    cards = {u for u in fetched["facets"] if "/search/facets/c" in u}
    assert drawn == min(20, int(m.group(1)) + int(m.group(2))) and 0 < len(cards) <= drawn and fetched["pagefind"] == []
    slugs = page.locator("#results > li h3 a").evaluate_all("as => as.map(a => a.href.split('/homes/')[1].split('/')[0])")
    for i, slug in enumerate(slugs):
        home = next(h for h in all_homes() if h.get("slug") == slug)
        assert home["care"]["nursing"] is True if i < int(m.group(1)) else home["care"].get("nursing") is None, slug


@pytest.mark.one_engine
def test_an_area_not_published_falls_back_to_the_district_middle_and_says_so(site, page):
    def without_hr(route):
        resp = route.fetch()
        index = resp.json()
        index["areas"] = [a for a in index["areas"] if a != "HR"]
        route.fulfill(response=resp, body=json.dumps(index))
    page.route(re.compile(r".*/postcodes/areas\.json$"), without_hr)
    page.goto(site + "find/?q=HR3+5AA")
    wait_results(page)
    expect(page.locator("#results-status")).to_contain_text(
        "nearest first. Distances are measured from the middle of the homes in postcode area HR, because exact postcodes for that area are not published here.")
    # no bundled home is in district HR3, so the middle of the area's homes is used, and named as such
    expect(page.locator("#results > li")).to_have_count(20)
    # and so is the map's mark of where distances are measured from (it said "Your search: HR3 5AA")
    page.route(re.compile(r"^https://tile\.openstreetmap\.org/"), lambda r: r.fulfill(status=200, content_type="image/png", body=STUB_TILE))
    page.get_by_role("button", name="Show these homes on a map").click()
    expect(page.locator("#map .ch-origin-label")).to_have_text("Middle of the homes in HR")


@pytest.mark.parametrize(("typed", "message"), [
    ("HR99 9ZZ", "HR99 9ZZ is not a live postcode; check it."),
    ("ZE1 0AA", "ZE1 0AA is outside the postcode areas this site covers (GL, HR, NP, SY, WR); check it, or sort another way."),
])
@pytest.mark.one_engine
def test_a_postcode_that_does_not_exist_says_so(site, page, typed, message):
    page.goto(site + "find/?sort=distance&near=" + typed.replace(" ", "+"))
    expect(page.locator("#results-status")).to_have_text(message, timeout=10000)
    expect(page.locator("#results > li")).to_have_count(0)


@pytest.mark.parametrize(("typed", "district"), [("HR9 9ZZ", "HR9"), ("hr3 5zz", "HR3")])
@pytest.mark.one_engine
def test_a_postcode_not_live_in_a_known_district_is_measured_from_its_middle_saying_so(site, page, typed, district):
    """A home's own postcode from CQC's register of years ago (EX8 2HS, ended since) found nothing: "not a live
    postcode" and no home (the Devon review). A postcode not live in a district the lookup knows is measured from
    the middle of that district, and the count says so, and to check it."""
    page.goto(site + "find/?sort=distance&near=" + typed.replace(" ", "+"))
    expect(page.locator("#results-status")).to_contain_text(
        f"homes, nearest first. {typed.upper()} is not a live postcode (check it), so distances are measured from the "
        f"middle of postcode district {district}.", timeout=10000)
    expect(page.locator("#results > li")).to_have_count(20)
    expect(page.locator("#results > li").first).to_contain_text("miles away")


@pytest.mark.one_engine
def test_filters_say_how_many_homes_told_us(site, engine_site, page):
    known = json.loads((engine_site[0] / "search" / "facets.json").read_text())
    page.goto(site + "find/")
    wait_results(page)
    # the count is the control's description; its name stays the fact alone
    weekend = page.get_by_label("Accepts people from hospital at weekends", exact=True)
    expect(weekend).to_have_accessible_description(f"(known for {known['known']['weekend']} of {known['homes']} homes)")
    expect(page.get_by_label("Tracheostomy", exact=True)).to_have_accessible_description(
        f"(known for {known['known']['need_tracheostomy']} of {known['homes']} homes)")
    # a nursing bed is asked only of the homes not registered without nursing (face.json known[].requires): out of those
    might = sum((h.get("care") or {}).get("nursing") is not False for h in all_homes())
    assert known["of"]["free_nursing"] == might < known["homes"]
    expect(page.locator("#free-nursing-known")).to_have_text(f" (known for {known['known']['free_nursing']} of {might} homes)")


@pytest.mark.one_engine
def test_empty_result_names_the_filter_no_home_told_us_about(edge, page):
    """Nobody has said: the homes matching every other filter are listed to ring, not a dead end (issue 21)."""
    page.goto(edge + "find/?need=Tracheostomy")
    expect(page.locator("#results-status")).to_have_text("No home has told us yet whether it can meet this need: Tracheostomy. "
                                                         "4 homes match every other filter. Not confirmed: ring each home to check.", timeout=10000)
    expect(page.locator("#results > li")).to_have_count(4)
    expect(page.locator("#results > li .ch-unconfirmed a")).to_have_count(4)  # the CQC page: no home here has a number
    # with no number to ring, the card says where the number is (it said "ring to check" and gave none: the review)
    expect(page.locator("#results > li .ch-unconfirmed a").first).to_have_text("No phone number in our data: see its CQC page")
    expect(page.get_by_role("button", name="Remove filter: Tracheostomy")).to_be_visible()
    assert axe_violations(page) == []


@pytest.mark.one_engine
def test_a_rating_nobody_has_says_rating_not_in_our_data(edge, page):
    """Only the edge homes' own ratings exist: 'Outstanding' is a true no match; the closed home is never listed."""
    page.goto(edge + "find/?rating=Outstanding")
    expect(page.locator("#results-status")).to_have_text("No homes match. Try removing a filter.", timeout=10000)
    page.goto(edge + "find/?q=acorn")
    expect(page.locator("#results-status")).to_have_text(
        "No homes match “acorn”. Check the spelling, try fewer words, or choose from the filters.", timeout=10000)


@pytest.mark.one_engine
def test_every_card_with_a_number_says_who_to_ring_as_a_tel_link(site, page):
    """A nurse phoning round for a bed had a number only on cards "not confirmed": a home that had confirmed its
    vacancies gave none on its card (nor on the printed list), so each meant opening its page."""
    page.goto(site + "find/?q=Example+Full+House")
    wait_results(page)
    card = page.locator("#results > li").filter(has_text="Example Full House (fictional)")
    expect(card.locator("li.ch-ring")).to_have_text("Ring the home: 01432 000000")
    expect(card.locator("li.ch-ring").get_by_role("link", name="01432 000000", exact=True)).to_have_attribute(
        "href", "tel:01432000000")
    expect(card.locator(".ch-unconfirmed")).to_have_count(0)
    page.goto(site + "find/")
    wait_results(page)
    cards = page.locator("#results > li")
    for i in range(cards.count()):  # each card rings its own number at most once, or none when it has none
        assert cards.nth(i).locator("a[href^='tel:']").count() <= 1


def test_the_discharge_search_ends_on_homes_to_ring(site, page):
    """Issue 21: near HR1 2ER, a nursing bed free, weekend admissions, tracheostomy. Few homes have given
    those facts and none gives all three, so the nursing homes nearest first, each to ring or look up."""
    page.goto(site + "find/?q=HR1+2ER&care=Nursing&free=nursing&weekend=yes&need=Tracheostomy")
    wait_results(page)
    text = page.locator("#results-status").inner_text()
    assert "homes whether each can meet this need: Tracheostomy." in text and "We know for only " in text, text
    # nearest first, as the count says, from the postcode (it said neither)
    assert text.endswith("match every other filter, nearest first. Not confirmed: ring each home to check. "
                         "Distances are measured in a straight line from HR1 2ER."), text
    cards = page.locator("#results > li")
    assert cards.count() >= 10
    expect(cards.locator(".ch-unconfirmed strong").first).to_have_text("Not confirmed: ring to check")
    assert cards.locator(".ch-unconfirmed").count() == cards.count()
    # each card's CQC page, and the number to ring as a tel: link of digits only (the build's, placed)
    hrefs = cards.locator(".ch-unconfirmed a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert all(h.startswith("https://www.cqc.org.uk/") or re.fullmatch(r"tel:\+?[0-9]+", h) for h in hrefs), hrefs
    assert sum(h.startswith("https://www.cqc.org.uk/") for h in hrefs) == cards.count()
    distances = [float(t.split()[0]) for t in cards.locator("li", has_text="away (approximately)").all_inner_texts()]
    assert distances == sorted(distances), "nearest first"
    # Example Full House said no to weekend admissions: never offered as "ring to check" for them
    expect(cards.filter(has_text="Example Full House (fictional)")).to_have_count(0)
    # without that filter it is offered: it has a nursing bed free and takes tracheostomy, but has not said
    # whether it meets cognitive difficulties (and says so with its own number); spinal rehabilitation it said no to
    page.goto(site + "find/?q=HR1+2ER&care=Nursing&free=nursing&need=Tracheostomy&need=Cognitive+difficulties")
    wait_results(page)
    full = page.locator("#results > li").filter(has_text="Example Full House (fictional)")
    expect(full.locator(".ch-unconfirmed")).to_contain_text("Ring the home: 01432 000000")
    expect(full.locator(".ch-unconfirmed").get_by_role("link", name="01432 000000", exact=True)).to_have_attribute("href", "tel:01432000000")
    page.goto(site + "find/?q=HR1+2ER&care=Nursing&free=nursing&need=Tracheostomy&need=Spinal+rehabilitation")
    wait_results(page)
    expect(page.locator("#results-status")).to_contain_text("Not confirmed: ring each home to check.")
    expect(page.locator("#results > li").filter(has_text="Example Full House (fictional)")).to_have_count(0)


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


@pytest.mark.one_engine
def test_back_undoes_the_last_filter_and_forward_puts_it_back(site, page):
    """Each filter chosen, and a search typed (one entry however often it pauses), is a history entry: Back shows
    the search before it, its boxes and count as they were; Forward the one after (it replaced the entry, so Back
    left the find page altogether)."""
    page.goto(site + "find/")
    wait_results(page)
    counts = [page.locator("#results-status").inner_text()]
    urls = [page.url]
    for label in ("With nursing", "Bed with nursing free"):
        page.get_by_label(label, exact=True).check()
        page.wait_for_function("() => !document.getElementById('results-status').textContent.startsWith('Searching')")
        wait_results(page)
        counts.append(page.locator("#results-status").inner_text())
        urls.append(page.url)
    assert "care=Nursing" in urls[1] and urls[2].startswith(urls[1] + "&")
    page.locator("#q").press_sequentially("hereford", delay=20)
    page.wait_for_timeout(400)  # a pause: the search runs
    page.locator("#q").press_sequentially(" road", delay=20)
    expect(page).to_have_url(re.compile(r"q=hereford\+road"))
    wait_results(page)
    page.go_back()  # the typed search, one entry
    expect(page).to_have_url(urls[2])
    expect(page.locator("#q")).to_have_value("")
    wait_results(page)
    expect(page.locator("#results-status")).to_have_text(counts[2])
    page.go_back()
    expect(page).to_have_url(urls[1])
    expect(page.get_by_label("Bed with nursing free", exact=True)).not_to_be_checked()
    expect(page.get_by_label("With nursing", exact=True)).to_be_checked()
    wait_results(page)
    expect(page.locator("#results-status")).to_have_text(counts[1])
    page.go_back()
    expect(page.get_by_label("With nursing", exact=True)).not_to_be_checked()
    wait_results(page)
    expect(page.locator("#results-status")).to_have_text(counts[0])
    assert page.url == urls[0]
    page.go_forward()
    expect(page.get_by_label("With nursing", exact=True)).to_be_checked()
    wait_results(page)
    expect(page.locator("#results-status")).to_have_text(counts[1])


# two frames (the focus's style change starts any transition), then every animation and transition finished: the
# drawer's 0.25 s slide only when it moves, not a fixed 350 ms after every Tab
SETTLED = ("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => "
           "Promise.allSettled(document.getAnimations().map(a => a.finished)).then(() => done(true)))))")

FOCUSED = """() => { const e = document.activeElement, r = e.getBoundingClientRect();
    const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1), y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
    const at = document.elementFromPoint(x, y);
    return {text: e.innerText.trim(), shown: r.right > 0 && r.left < innerWidth && r.bottom > 0 && r.top < innerHeight
            && !!at && (e.contains(at) || at.contains(e))}; }"""


@pytest.mark.parametrize("path", ["homes/example-full/", "browse/a/", "open-data/"])
def test_on_a_phone_the_keyboard_skips_to_the_content_or_sees_the_menu_it_goes_through(site, browser, path):
    """At 375 px the theme's menu is a drawer off the screen whose links stayed in the Tab order: on a home's page
    (which had no "Skip to content": the theme makes it from the page's contents, and a home's page is cut from a
    shell with none) the first 11 stops were out of sight. The first stop skips to the content; the menu's button
    opens the menu, and Tab through it then sees each link on the screen."""
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    pg = ctx.new_page()
    pg.goto(site + path)
    pg.keyboard.press("Tab")
    assert pg.evaluate(FOCUSED) == {"text": "Skip to content", "shown": True}
    pg.keyboard.press("Tab")  # the menu's button, named "Menu" (the accessibility review: it had no name and no stop)
    assert pg.evaluate("document.activeElement.getAttribute('aria-labelledby')") == "ch-menu-name"
    pg.keyboard.press("Enter")  # the menu opens (closed, it is out of the Tab order)
    seen = []
    for _ in range(40):  # the menu's links (and, on a page with headings, the page's contents under its own)
        pg.keyboard.press("Tab")
        pg.evaluate(SETTLED)  # the drawer slides in (and out) over 0.25 s
        seen.append(pg.evaluate(FOCUSED))
        if not pg.evaluate("document.activeElement.closest('.md-sidebar--primary')"):
            break  # out of the menu: it slid away, and the content's first link is seen
    assert [s["text"] for s in seen if not s["shown"]] == [], seen
    assert "For providers" in [s["text"] for s in seen] and len(seen) >= 11, seen
    pg.goto(site + path)
    pg.keyboard.press("Tab")
    pg.keyboard.press("Enter")  # the skip link: the next stop is in the content, not the menu
    pg.keyboard.press("Tab")
    focused = pg.evaluate("document.activeElement.closest('.md-content') !== null")
    ctx.close()
    assert focused


@pytest.mark.parametrize("path", ["find/", "choosing-a-care-home/"])
def test_on_a_phone_the_closed_menu_is_out_of_the_tab_order(site, browser, path):
    """A reviewer at 375 px: with the menu closed, Tab went through its 12 links, off the screen (focus unseen, the page
    shifting), before the page's first. Closed below the theme's 76.25em it is inert: from "Skip to content" Tab
    reaches the page within 3 stops (the find page's search box) and never the menu; opened, its links are stops;
    beside the page on a wide screen they always are, and the window narrowed takes them out again."""
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    pg = ctx.new_page()
    pg.goto(site + path)
    if path == "find/":
        wait_results(pg)
    where = "(() => { const e = document.activeElement; return [e.id || e.tagName, !!e.closest('.md-sidebar--primary')]; })()"
    pg.keyboard.press("Tab")
    stops = [pg.evaluate(where)]  # "Skip to content"
    for _ in range(3):
        pg.keyboard.press("Tab")
        stops.append(pg.evaluate(where))
    in_menu = [s for s in stops if s[1]]
    first = pg.evaluate("document.querySelector('.md-content').contains(document.activeElement)")
    pg.get_by_role("button", name="Menu", exact=True).focus()
    pg.keyboard.press("Enter")
    pg.keyboard.press("Tab")
    opened = pg.evaluate(where)[1]
    pg.keyboard.press("Escape")
    closed = pg.evaluate("document.querySelector('.md-sidebar--primary').inert")
    pg.set_viewport_size({"width": 1280, "height": 800})
    pg.evaluate(SETTLED)  # the media query's change is told at the next frame
    wide = pg.evaluate("document.querySelector('.md-sidebar--primary').inert")
    pg.set_viewport_size({"width": 375, "height": 740})
    pg.evaluate(SETTLED)
    narrowed = pg.evaluate("document.querySelector('.md-sidebar--primary').inert")
    ctx.close()
    assert in_menu == [] and first, stops
    if path == "find/":
        assert stops[:2] == [["A", False], ["ch-menu", False]] and ["q", False] in stops, stops
    assert (opened, closed, wide, narrowed) == (True, True, False, True)


def test_on_a_phone_escape_closes_the_menu_drawer(site, browser):
    """A menu drawn over the page closes with Escape, whether it was opened by a tap or reached by the keyboard (a
    review found Escape did nothing: the theme closes its drawer only by a tap beside it)."""
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    pg = ctx.new_page()
    pg.goto(site + "choosing-a-care-home/")
    pg.get_by_role("button", name="Menu", exact=True).click()
    pg.evaluate(SETTLED)
    opened = pg.locator(".md-sidebar--primary").evaluate("e => e.getBoundingClientRect().left")
    pg.keyboard.press("Escape")
    pg.evaluate(SETTLED)
    tapped = pg.evaluate("[document.getElementById('__drawer').checked, document.querySelector('.md-sidebar--primary').getBoundingClientRect().right]")
    pg.goto(site + "choosing-a-care-home/")
    pg.keyboard.press("Tab")
    pg.keyboard.press("Tab")  # the menu's button
    pg.keyboard.press("Enter")
    pg.keyboard.press("Tab")  # into the menu
    pg.evaluate(SETTLED)
    within = pg.evaluate("!!document.activeElement.closest('.md-sidebar--primary')")
    pg.keyboard.press("Escape")
    pg.evaluate(SETTLED)
    keyboard = pg.evaluate("[!!document.activeElement.closest('.md-sidebar--primary'), document.querySelector('.md-sidebar--primary').getBoundingClientRect().right]")
    # back to the button that opens it (the accessibility review: nothing was focused, and the next Tab reopened it)
    back = pg.evaluate("document.activeElement.getAttribute('aria-labelledby')")
    ctx.close()
    assert opened == 0 and tapped == [False, 0], (opened, tapped)
    assert within and keyboard == [False, 0] and back == "ch-menu-name", (keyboard, back)


def test_on_a_phone_the_menu_button_is_a_named_button_and_escape_goes_back_to_it(site, browser):
    """From the accessibility review: the theme's menu button (a label with an icon) had no name, no role and no tab
    stop (WCAG 4.1.2). Enter and Space open it, and it says whether the menu is open. It is a real button in the
    label's place (a label given role="button" was axe's aria-allowed-role on every page), drawn where the label was;
    without the script the theme's label still opens the menu."""
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    pg = ctx.new_page()
    pg.goto(site + "choosing-a-care-home/")
    button = pg.get_by_role("button", name="Menu", exact=True)
    expect(button).to_have_attribute("aria-expanded", "false")
    made = button.evaluate("""e => [e.tagName, e.type, e.getAttribute('aria-controls') === document.querySelector('.md-sidebar--primary').id,
        e.nextElementSibling.matches('label[for=__drawer][hidden]'), document.querySelectorAll('[role=button]').length]""")
    place = button.bounding_box()
    button.focus()
    seen = []
    for key in ("Enter", "Escape", " "):
        pg.keyboard.press(key)
        pg.evaluate(SETTLED)
        seen.append((pg.evaluate("document.getElementById('__drawer').checked"), button.get_attribute("aria-expanded"),
                     pg.evaluate("document.activeElement.id")))
    pg.keyboard.press("Escape")
    button.click()  # a tap
    pg.evaluate(SETTLED)
    tapped = pg.evaluate("document.getElementById('__drawer').checked")
    ctx.close()
    assert made == ["BUTTON", "button", True, True, 0], made
    assert seen == [(True, "true", "ch-menu"), (False, "false", "ch-menu"), (True, "true", "ch-menu")] and tapped, (seen, tapped)
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, java_script_enabled=False)
    pg = ctx.new_page()
    pg.goto(site + "choosing-a-care-home/")
    label = pg.locator("label.md-header__button[for='__drawer']")
    label_place = label.bounding_box()
    label.click()
    pg.wait_for_timeout(350)  # the drawer slides in over 0.25 s (no frames are awaited here: the page runs no script)
    opened = [pg.locator("#__drawer").is_checked(), (pg.locator(".md-sidebar--primary").bounding_box() or {}).get("x")]
    ctx.close()
    assert place == label_place and opened == [True, 0], (place, label_place, opened)


@pytest.mark.parametrize("path", ["", "find/", "homes/example-full/", "choosing-a-care-home/"])
def test_on_a_phone_axe_finds_no_role_a_label_may_not_take(site, browser, path):
    """A reviewer's axe at 375 px, every rule (not only WCAG's): aria-allowed-role (minor) on every page, the menu
    button being the theme's label given role="button"."""
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    pg = ctx.new_page()
    pg.goto(site + path)
    if path.startswith("find"):
        wait_results(pg)
    pg.add_script_tag(path=str(AXE))
    result = pg.evaluate("() => axe.run(document, {runOnly: {type: 'rule', values: ['aria-allowed-role']}, resultTypes: ['violations']})")
    ctx.close()
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]] == []


def test_on_a_phone_the_keyboard_leaving_the_open_menu_closes_it(site, browser):
    """The task review: opened by Enter and left by Tab past its last link, the menu stayed drawn over the page, with
    the search box and its button focused behind it and its shade (WCAG 2.4.11). Leaving it closes it; Shift+Tab then
    goes back to the menu's button, the menu closed (out of the Tab order: it is off the screen)."""
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    pg = ctx.new_page()
    pg.goto(site + "find/")
    button = pg.get_by_role("button", name="Menu", exact=True)
    button.focus()
    pg.keyboard.press("Enter")
    pg.evaluate(SETTLED)
    links = pg.locator(".md-sidebar--primary a[href]:visible").count()
    assert pg.evaluate("document.getElementById('__drawer').checked") and links
    for _ in range(links + 1):  # the site's name, then each link, then out of the drawer
        pg.keyboard.press("Tab")
    pg.evaluate(SETTLED)
    out = pg.evaluate("[document.getElementById('__drawer').checked, !!document.activeElement.closest('.md-sidebar--primary')]")
    pg.keyboard.press("Shift+Tab")
    pg.evaluate(SETTLED)
    back = pg.evaluate("[document.getElementById('__drawer').checked, document.activeElement.getBoundingClientRect().left >= 0,"
                       " document.activeElement.id]")
    ctx.close()
    assert out == [False, False] and back == [False, True, "ch-menu"], (out, back)


def test_a_focused_or_hovered_link_keeps_aa_contrast(site, browser):
    """The task review: a focused link took the theme's accent, #526cfe, 4.26:1 on white ("Clear all" on the find page,
    a home's phone link: axe's color-contrast, once focused). Each link focused reads at 4.5:1 or more."""
    def luminance(rgb: str) -> float:
        parts = [int(x) / 255 for x in re.findall(r"\d+", rgb)[:3]]
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in parts]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = ctx.new_page()
    pg.goto(site + "choosing-a-care-home/")
    link = pg.locator("article a[href]").first
    link.focus()
    pg.evaluate(SETTLED)
    colour = link.evaluate("e => getComputedStyle(e).color")
    ratio = 1.05 / (luminance(colour) + 0.05)
    ctx.close()
    assert ratio >= 4.5, (colour, ratio)


def test_filler_words_are_no_words_to_match_and_a_postcode_taken_out_sorts_a_to_z_again(site, browser):
    """The national review: "care homes in Leeds" and "homes in Truro" found nothing ("in" and "homes" had to be words of
    a home), "dementia near M20 2LR" listed two homes named "Near ..." 67 and 159 miles away; and a town typed in place
    of a postcode searched found nothing ("Enter a postcode"), the sort left on distance."""
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    pg = ctx.new_page()
    status = pg.locator("#results-status")
    counts = {}
    for q in ("Leominster", "care homes in Leominster", "homes near Leominster", "dementia Leominster", "dementia near Leominster"):
        pg.goto(site + "find/?q=" + q.replace(" ", "+"))
        wait_results(pg)
        counts[q] = status.inner_text().split(" ")[0]
    assert counts["Leominster"] == counts["care homes in Leominster"] == counts["homes near Leominster"] != "No", counts
    assert counts["dementia Leominster"] == counts["dementia near Leominster"] != "No", counts
    pg.goto(site + "find/")
    wait_results(pg)
    pg.locator("#q").fill("HR6 8AA")
    pg.locator("#q").press("Enter")
    expect(status).to_contain_text("nearest first", timeout=10000)
    assert pg.locator("#sort").input_value() == "distance"
    pg.locator("#q").fill("")
    pg.locator("#q").press_sequentially("Leominster")
    pg.locator("#q").press("Enter")
    expect(status).to_contain_text(f"{counts['Leominster']} homes match", timeout=10000)
    sort = pg.locator("#sort").input_value()
    ctx.close()
    assert sort == "name"


def test_a_single_key_does_not_leave_the_page(site, browser):
    """From the accessibility review: the theme went to the next page on "n" or "." and the previous on "p" or ","
    pressed anywhere but in a field, losing a search (WCAG 2.1.4); typed in the search box they are letters."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = ctx.new_page()
    pg.goto(site + "find/?q=HR1%202ER")
    expect(pg.locator("#results-status")).to_have_text(re.compile(r"^(?!Searching)\S.*", re.S), timeout=10000)
    pg.locator("#results > li a").first.focus()
    for key in ("n", ".", "p", ","):
        pg.keyboard.press(key)
    pg.wait_for_timeout(300)
    stayed = pg.url
    pg.locator("#q").fill("")
    pg.locator("#q").press_sequentially("np")
    typed = pg.locator("#q").input_value()
    ctx.close()
    assert stayed.startswith(site + "find/") and typed == "np", (stayed, typed)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_compare_bar_leaves_the_footers_last_link_in_view(site, browser, width):
    """From the accessibility review: with a shortlist, the fixed "Compare" bar covered the footer's last line, a focused
    link there wholly hidden (WCAG 2.4.11) and the licence's credit unseen."""
    ctx = browser.new_context(viewport={"width": width, "height": 700})
    pg = ctx.new_page()
    pg.goto(site + "find/")
    expect(pg.locator("#results-status")).to_have_text(re.compile(r"^(?!Searching)\S.*", re.S), timeout=10000)
    pg.locator("#results button.ch-shortlist").first.click()
    expect(pg.locator("#shortlist-bar")).to_be_visible()
    last = pg.locator(".md-footer a").last
    last.focus()
    pg.evaluate(SETTLED)
    covered = last.evaluate("e => { const r = e.getBoundingClientRect(); const bar = document.getElementById('shortlist-bar')"
                            ".getBoundingClientRect(); return r.bottom > bar.top && r.top < bar.bottom; }")
    ctx.close()
    assert not covered


@pytest.mark.parametrize("path", ["", "find/"])
def test_on_a_phone_the_menu_of_the_home_and_find_pages_holds_the_sites_pages(site, browser, path):
    """The home and find pages leave the menu out beside their content (hide: navigation), and the theme left it out
    of the phone's drawer too: at 320 px the menu button opened an empty drawer, and "Paying for care" could not be
    reached from either page, by touch or by keyboard."""
    ctx = browser.new_context(viewport={"width": 320, "height": 640})
    pg = ctx.new_page()
    pg.goto(site + path)
    pg.get_by_role("button", name="Menu", exact=True).click()
    pg.wait_for_timeout(350)  # the drawer slides in over 0.25 s
    paying = pg.locator(".md-sidebar--primary").get_by_role("link", name="Paying for care")
    expect(paying).to_be_visible()
    # on the screen and on top (not under the overlay), where a finger can press it
    assert paying.evaluate("e => { const r = e.getBoundingClientRect(); const at = document.elementFromPoint(r.left + r.width / 2, "
                           "r.top + r.height / 2); return r.left >= 0 && r.right <= innerWidth && !!at && e.contains(at); }")
    pg.goto(site + path)
    pg.keyboard.press("Tab")  # "Skip to content"
    pg.keyboard.press("Tab")  # the menu's button, which opens the menu
    pg.keyboard.press("Enter")
    seen = []
    for _ in range(20):
        pg.keyboard.press("Tab")
        pg.evaluate(SETTLED)
        seen.append(pg.evaluate(FOCUSED))
        if seen[-1]["text"] == "Paying for care":
            break
    ctx.close()
    assert seen[-1] == {"text": "Paying for care", "shown": True}, seen


@pytest.mark.parametrize("path", ["", "find/", "homes/example-full/", "compare/", "browse/a/", "open-data/"])
def test_320px_viewport_has_no_sideways_scroll(site, browser, path):
    ctx = browser.new_context(viewport={"width": 320, "height": 640})
    pg = ctx.new_page()
    pg.goto(site + path)
    pg.wait_for_timeout(300)
    width = pg.evaluate("document.documentElement.scrollWidth")
    ctx.close()
    assert width <= 320, f"{path} is {width}px wide at 320px"


@pytest.mark.parametrize("path", ["homes/example-hostile/", "find/?q=evil"])
def test_a_name_of_one_long_word_breaks_in_its_shortlist_button(site, browser, path):
    """'Add <name> to shortlist' with a name of one 192-letter word made a home's page and the find page about 1,900px
    wide on a 320px phone: the button did not break the word."""
    ctx = browser.new_context(viewport={"width": 320, "height": 640})
    pg = ctx.new_page()
    pg.goto(site + path)
    pg.wait_for_selector("button.ch-shortlist:not([hidden])")
    pg.evaluate("() => { document.querySelector('button.ch-shortlist').textContent = 'Add ' + 'Longname'.repeat(24) + "
                "' to shortlist'; }")
    width = pg.evaluate("document.documentElement.scrollWidth")
    ctx.close()
    assert width <= 320, f"{path} is {width}px wide at 320px"


def test_a_market_table_wider_than_a_phone_keeps_its_caption_and_row_labels_in_view(site, browser):
    """At 375 px the market page's tables scroll sideways in their region: each caption ran off the screen with the
    table (it was cut off), and the row labels scrolled away from their numbers."""
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    pg = ctx.new_page()
    pg.goto(site + "market/")
    look = pg.evaluate("""() => [...document.querySelectorAll('.ch-table-wrap')].map(w => {
        const cap = w.querySelector('caption'), th = w.querySelector('tbody th[scope=row]');
        const wide = w.scrollWidth > w.clientWidth + 1;
        w.scrollLeft = w.scrollWidth;
        const edge = w.getBoundingClientRect().left;
        return {wide, caption: cap ? Math.round(cap.getBoundingClientRect().right) <= innerWidth : true,
                label: th ? Math.round(th.getBoundingClientRect().left) === Math.round(edge) : true}; })""")
    stops = pg.evaluate("[...document.querySelectorAll('.ch-table-wrap')].map(w => [w.scrollWidth > w.clientWidth + 1, "
                        "w.getAttribute('tabindex')])")
    pg.set_viewport_size({"width": 1280, "height": 800})
    pg.evaluate(SETTLED)
    wide_screen = pg.evaluate("[...document.querySelectorAll('.ch-table-wrap')].map(w => [w.scrollWidth > w.clientWidth + 1, "
                              "w.getAttribute('tabindex')])")
    ctx.close()
    assert any(t["wide"] for t in look), "no market table is wider than a phone: the test shows nothing"
    assert [t for t in look if t["wide"] and not (t["caption"] and t["label"])] == []
    # a tab stop for each table that scrolls, none for one that fits (the accessibility review: 12 stops at 1280 px)
    for seen in (stops, wide_screen):
        assert all((tab == "0") == wide for wide, tab in seen), seen
    assert any(not wide for wide, _ in wide_screen), wide_screen


def test_a_shortcuts_empty_note_is_a_sentence_under_its_button_with_its_link_in_the_text(site, page):
    """A home-page shortcut whose list would be empty says why under its button (render.empty_shortcut, as a new
    council's site shows it for 'Short stays and respite' and 'Homes with a bed free now'). Its other list is a link
    in that sentence: it was drawn as a second full-width button, splitting the sentence into three blocks
    ('... Instead:', the button, ', and ring each to check.')."""
    page.goto(site)
    page.evaluate("""() => document.querySelector('.ch-quick').insertAdjacentHTML('beforeend',
        '<li><a href="find/?free=any">Homes with a bed free now</a><span class="ch-shortcut-empty">This list would be '
        + 'empty: no home has told us yet whether it has beds free now. Instead, see <a href="find/?care=Nursing">homes '
        + 'with nursing care</a>, and ring each to check.</span></li>')""")
    look = page.evaluate("""() => { const li = document.querySelector('.ch-quick').lastElementChild;
        const style = el => { const s = getComputedStyle(el); return [s.display, s.borderTopWidth, s.textDecorationLine]; };
        return {button: style(li.firstElementChild), note: getComputedStyle(li.lastElementChild).display,
                link: style(li.lastElementChild.querySelector('a'))}; }""")
    assert look == {"button": ["block", "2px", "none"], "note": "block", "link": ["inline", "0px", "underline"]}


@pytest.mark.parametrize("path, selector, display", [
    ("", "ul.ch-quick", "grid"), ("homes/example-full/", "ul.ch-badges", "flex"), ("homes/example-full/", ".ch-toc ul", "flex"),
    ("browse/", "ul.ch-letters", "flex"), ("browse/", "ul.ch-columns", None)])
def test_lists_drawn_as_chips_rows_columns_or_a_grid_are_drawn_so_and_not_indented(site, sized, path, selector, display):
    """The theme's list rules ("ul:not([hidden])" shown as flow-root, "[dir=ltr] ul" and "ul li" indented) outranked
    the bare classes: the home page's shortcuts stood one a row, a home's key facts were full-width boxes, and the
    letters, columns and the page's contents were indented from the text."""
    sized.goto(site + path)
    look = sized.evaluate("""sel => { const ul = document.querySelector(sel); const s = getComputedStyle(ul);
        const lefts = [...ul.children].map(li => Math.round(li.getBoundingClientRect().left));
        const text = Math.round(document.querySelector('.md-content h1').getBoundingClientRect().left);
        const narrow = [...ul.children].every(li => li.getBoundingClientRect().width < 0.9 * ul.getBoundingClientRect().width);
        return {display: s.display, indent: lefts[0] - text, columns: new Set(lefts).size, narrow}; }""", selector)
    assert (look["display"] if display else None, look["indent"]) == (display, 0), look  # columns: any block container
    if selector == "ul.ch-quick":  # two columns wide, one on a phone
        assert look["columns"] == (2 if sized.viewport_size["width"] >= 700 else 1), look
    if selector == "ul.ch-badges" and sized.viewport_size["width"] >= 700:  # chips as wide as their words, not full-width boxes
        assert look["narrow"], look


def test_hostile_home_runs_no_script(site, page):
    page.goto(site + "homes/example-hostile/")
    expect(page.locator("h1")).to_contain_text("<img src=x onerror=alert('name')>")
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:", "vbscript:"))]
    page.goto(site + "find/?q=evil")
    wait_results(page)
    expect(page.locator("#results li h3").first).to_contain_text("<img src=x")


# ---- the schema's value lists at their edges (fictional homes, see conftest.EDGE_HOMES) -------------

@pytest.fixture(scope="module")
def edge(engine_edge_site):
    server = site_server(engine_edge_site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def result_names(pg) -> list[str]:
    wait_results(pg)
    return sorted(pg.locator("#results h3 a").all_inner_texts())


@pytest.mark.one_engine
@pytest.mark.parametrize("sort", ["name", "fee"])
def test_fee_up_to_includes_a_fee_on_the_band_edge(edge, page, sort):
    # lowest fees £1,199.99, £1,200 and £1,200.01 (Edge 1 to 3); Edge 4 gives none
    # Edge 4, which has given no fee, after those that match, not confirmed (no fee is never read as within a budget)
    page.goto(edge + f"find/?maxfee=1200&sort={sort}")
    assert result_names(page) == ["Edge 1 (fictional)", "Edge 2 (fictional)", "Edge 4 (fictional)"]
    expect(page.locator("#results > li").nth(2).locator(".ch-unconfirmed")).to_have_count(1)
    page.goto(edge + f"find/?maxfee=1100&sort={sort}")
    assert result_names(page) == ["Edge 4 (fictional)"] and "Not confirmed" in page.locator("#results-status").inner_text()
    page.goto(edge + f"find/?maxfee=1300&sort={sort}")
    assert result_names(page) == ["Edge 1 (fictional)", "Edge 2 (fictional)", "Edge 3 (fictional)", "Edge 4 (fictional)"]


@pytest.mark.one_engine
def test_a_sort_no_home_has_a_value_for_lists_each_home_once(edge, page):
    """No edge home has given its free beds: the index then ignores the sort and returns every home,
    which the find page also fetches as the homes without a value; each is listed once, A to Z."""
    page.goto(edge + "find/?sort=free")
    wait_results(page)
    expect(page.locator("#results-status")).to_have_text(  # not "4 homes ... are listed last" (a review)
        "4 homes match. None of them has said in the last week how many beds are free, so they are listed A to Z, "
        "not most beds free first.")
    assert page.locator("#results h3 a").all_inner_texts() == [f"Edge {n} (fictional)" for n in range(1, 5)]


@pytest.mark.one_engine
def test_a_shortlisted_home_that_closed_is_compared_marked_closed(edge, page):
    """Acorn Lodge (conftest.CLOSED_HOME) was shortlisted, by a shared link, before CQC deregistered it."""
    from carehomes.views import NOT_PROVIDED

    page.goto(edge + f"compare/?homes=edge-fee-under,{CLOSED_HOME}")
    expect(page.locator("#compare-status")).to_have_text(
        "2 homes from the shared link added to your shortlist. Comparing 2 homes. 1 home has closed since it was shortlisted: "
        "see its CQC page, or remove it.", timeout=10000)
    mark = page.locator("thead th .ch-closed")
    expect(mark).to_have_count(1)
    expect(mark).to_have_text("Closed (CQC deregistered on 18 September 2024). See the CQC page")
    expect(mark.get_by_role("link")).to_have_attribute("href", "https://www.cqc.org.uk/location/1-151959980/reports")
    free = page.locator("tbody tr", has=page.get_by_role("rowheader", name="Beds free with nursing")).locator("td")
    expect(free).to_have_text([NOT_PROVIDED, "Closed: no beds"])
    assert axe_violations(page) == []


@pytest.mark.one_engine
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
    # "see the CQC page" on a card is a real link (issue 21)
    cqc = page.locator("#results li").first.get_by_role("link", name="see the CQC page")
    assert re.match(r"https://www\.cqc\.org\.uk/", cqc.get_attribute("href") or "")
    page.goto(edge + "find/?sort=rating")
    wait_results(page)
    expect(page.locator("#results h3 a")).to_have_text(["Edge 1 (fictional)", "Edge 2 (fictional)", "Edge 3 (fictional)", "Edge 4 (fictional)"])


# ---- issue 13: the find page, shortlist and compare, at a phone's and a desktop's width ---------------


SIZES = {"phone": (375, 740), "desktop": (1280, 900)}


def all_homes() -> list[dict]:
    """Every profile the test site is built from, read straight from the YAML files."""
    files = [*(ROOT / "providers").glob("[!_]*.yaml"), *(FIXTURES / "profiles").glob("*.yaml"), *(FIXTURES / "hostile").glob("*.yaml")]
    return [yaml.safe_load(f.read_text()) for f in files]


def pins_expected(shown: list[str], homes: list[dict], many: str = "homes") -> list[str]:
    """The map pins' names for the results ``shown`` (their names, in the list's order): one pin a point, named by its
    home, or for several homes at the very same point "2 homes at this point: A, B" (the schema's words)."""
    at: dict[tuple, list[str]] = {}
    where = {h["name"]: ((h.get("address") or {}).get("latitude"), (h.get("address") or {}).get("longitude")) for h in homes}
    for name in shown:
        if None not in where[name]:
            at.setdefault(where[name], []).append(name)
    return sorted(names[0] if len(names) == 1 else f"{len(names)} {many} at this point: {', '.join(names)}" for names in at.values())


def az(name: str) -> str:
    """A to Z as a person files names: case and punctuation ignored, and a leading "The"."""
    words = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("'", "")).split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def in_az_order(homes: list[dict]) -> list[str]:
    return [h["name"] for h in sorted(homes, key=lambda h: (az(h["name"]), h["slug"]))]


@pytest.fixture(params=list(SIZES))
def sized(request, browser):
    w, h = SIZES[request.param]
    ctx = browser.new_context(viewport={"width": w, "height": h})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    ctx.close()
    assert errors == [], errors


def every_result(pg) -> list[str]:
    """Names of all results, pressing "Show more homes" until there are no more."""
    wait_results(pg)
    more = pg.locator("#more")
    while more.is_visible():
        n = pg.locator("#results > li").count()
        more.click()
        expect(pg.locator("#results > li")).not_to_have_count(n)
    return pg.locator("#results > li h3").all_inner_texts()


def test_default_order_is_a_to_z(site, sized):
    sized.goto(site + "find/")
    names = every_result(sized)
    assert names == in_az_order(all_homes())
    expect(sized.locator("#results-status")).to_have_text(f"{len(names)} homes match, A to Z by name.")
    expect(sized.get_by_label("Sort by")).to_have_value("name")


def _minus_free_total(h: dict) -> int | None:
    """Minus a home's free beds, or None unless each kind it offers (or may offer: care not known) has a count given
    in the 7 days (the schema's availability staleness, which mkdocs.yml leaves) before the site's day."""
    import datetime as dt
    confirmed = (h.get("beds") or {}).get("confirmed")
    if not isinstance(confirmed, dt.date) or (TODAY - confirmed).days > 7:
        return None
    free = {k: ((h.get("beds") or {}).get(k) or {}).get("available") for k in ("nursing", "residential")}
    counted = [k for k in free if (h.get("care") or {}).get(k) is not False or free[k] is not None]
    if all(free[k] is None for k in free) or any(free[k] is None for k in counted):
        return None
    return -sum(n or 0 for n in free.values())


@pytest.mark.parametrize("sort,key,words", [
    ("fee", lambda h: min([v for v in ((h.get("fees") or {}).get("nursing_from"), (h.get("fees") or {}).get("residential_from")) if v is not None], default=None),
     "have not given their fees"),
    ("free", lambda h: _minus_free_total(h), "have not said in the last week how many beds are free"),
])
def test_sorts_put_unknowns_last_and_say_so(site, sized, sort, key, words):
    homes = all_homes()
    expected = [h["name"] for h in sorted(homes, key=lambda h: (key(h) is None, key(h) or 0, az(h["name"])))]
    unknown = sum(key(h) is None for h in homes)
    sized.goto(site + f"find/?sort={sort}")
    assert every_result(sized) == expected
    if unknown < len(homes):
        expect(sized.locator("#results-status")).to_contain_text(f"{unknown} homes {words} and are listed last, A to Z.")
    else:  # the bundled homes give no fees or beds free: none is "listed last" when none has a value (a review)
        # in the face's words of none ("None of them has given its fees"), not "Each of them has not given its fees"
        one = words.replace("have not given their", "has given its").replace("have not said", "has said")
        expect(sized.locator("#results-status")).to_have_text(re.compile(
            rf"^{unknown} homes match\. None of them {one}, so they are listed A to Z, not (most beds free|lowest fee) first\."))


def test_rating_sort_best_first_unknown_last(site, sized):
    homes = all_homes()
    order = ["Outstanding", "Good", "Requires improvement", "Inadequate", "Inspected but not rated", "Not yet rated"]
    rank = {r: i for i, r in enumerate(order)}
    expected = [h["name"] for h in sorted(homes, key=lambda h: (rank.get((h.get("cqc") or {}).get("rating"), len(order)), az(h["name"])))]
    sized.goto(site + "find/?sort=rating")
    assert every_result(sized) == expected
    unknown = sum((h.get("cqc") or {}).get("rating") is None for h in homes)
    expect(sized.locator("#results-status")).to_contain_text(f"{unknown} homes have no CQC rating known and are listed last")


def _count(pg) -> int:
    wait_results(pg)
    text = pg.locator("#results-status").inner_text()
    if text.startswith("No homes"):
        return 0
    told = re.search(r"(?:^|\. )(\d+) homes?\b", text)  # after "We know for only ..." when few have said
    assert told, text
    return int(told[1])


def test_free_text_finds_names_towns_postcodes_providers_and_needs(site, sized):
    homes = all_homes()

    def town(h):
        return re.sub(r"[^a-z]+", " ", ((h.get("address") or {}).get("town") or "").lower()).strip()
    cases = {
        "dementia": sum(bool(((h.get("care") or {}).get("user_bands") or {}).get("dementia")) for h in homes),
        "nursing": sum(bool((h.get("care") or {}).get("nursing")) for h in homes),
        "residential": sum(bool((h.get("care") or {}).get("residential")) for h in homes),
        "tracheostomy": sum(bool(((h.get("capabilities") or {}).get("tracheostomy") or {}).get("accepted")) for h in homes),
        "Ross on Wye": sum(town(h) == "ross on wye" for h in homes),
        "Ross-on-Wye": sum(town(h) == "ross on wye" for h in homes),
        "Example Care Group": 1,
    }
    assert cases["dementia"] > 10 and cases["Ross on Wye"] == 13 and cases["tracheostomy"] == 1
    for words, expected in cases.items():
        sized.goto(site + "find/?q=" + words.replace(" ", "+"))
        assert _count(sized) == expected, words
    sized.goto(site + "find/?q=Aston+House")
    wait_results(sized)
    expect(sized.locator("#results > li h3").first).to_have_text("Aston House")


def test_postcode_in_the_home_page_search_is_a_distance_search(site, sized):
    sized.goto(site)
    sized.get_by_label("Home name, town, postcode or need").fill("HR1 1TJ")
    sized.get_by_role("button", name="Search").click()
    wait_results(sized)
    expect(sized.locator("#results-status")).to_contain_text("nearest first. Distances are measured in a straight line from HR1 1TJ.")
    origin = json.loads(sized.evaluate("fetch('../postcodes/HR/HR1-1.json').then(r => r.text())"))["1TJ"]
    placed = [h for h in all_homes() if (h.get("address") or {}).get("latitude") is not None]
    nearest = min(placed, key=lambda h: (haversine_miles(origin, (h["address"]["latitude"], h["address"]["longitude"])), h["name"]))
    expect(sized.locator("#results > li h3").first).to_have_text(nearest["name"])
    expect(sized.locator("#results > li").first).to_contain_text("miles away")
    expect(sized.get_by_role("button", name="Remove filter: Nearest to HR1 1TJ")).to_be_visible()


def test_words_and_a_postcode_together_narrow_then_sort_by_distance(site, sized):
    sized.goto(site + "find/?q=Kington+HR1+1TJ")
    wait_results(sized)
    status = sized.locator("#results-status")
    expect(status).to_contain_text("nearest first. Distances are measured in a straight line from HR1 1TJ.")
    origin = json.loads(sized.evaluate("fetch('../postcodes/HR/HR1-1.json').then(r => r.text())"))["1TJ"]
    kington = [h for h in all_homes() if "kington" in (h.get("address") or {}).get("town", "").lower()]
    assert kington, "the bundled data has homes in Kington"
    names = every_result(sized)
    assert sorted(names) == sorted(h["name"] for h in kington)
    by_distance = sorted(kington, key=lambda h: (haversine_miles(origin, (h["address"]["latitude"], h["address"]["longitude"])), h["name"]))
    assert names == [h["name"] for h in by_distance]
    # each chip removes its own part of the search box
    sized.get_by_role("button", name="Remove filter: Nearest to HR1 1TJ").click()
    wait_results(sized)
    expect(sized.get_by_label("Home name, town, postcode or need")).to_have_value("Kington")
    expect(status).to_contain_text("A to Z")
    # the postcode alone, removed: every home A to Z, not an empty list asking for a postcode
    sized.goto(site + "find/?q=HR4+9AA")
    wait_results(sized)
    sized.get_by_role("button", name="Remove filter: Nearest to HR4 9AA").click()
    expect(status).to_have_text(re.compile(r"^\d+ homes match, A to Z by name\.$"))
    assert sized.locator("#results li").count() > 0 and "sort=distance" not in sized.url


def test_results_first_on_the_first_screen(site, sized):
    sized.goto(site + "find/")
    wait_results(sized)
    height = sized.viewport_size["height"]
    for sel in ("#q", "#results-status", "#results > li:first-child h3"):
        box = sized.locator(sel).bounding_box()
        assert box and box["y"] + box["height"] <= height, f"{sel} is below the first screen: {box}"
    panel = sized.locator("#filter-panel")
    if sized.viewport_size["width"] >= 1000:
        expect(panel).to_have_attribute("open", "")
    else:
        expect(panel).not_to_have_attribute("open", "")
        expect(sized.get_by_label("With nursing", exact=True)).to_be_hidden()
    expect(sized.locator("#results-status")).to_have_attribute("aria-live", "polite")


def test_active_filters_summary_each_removable(site, sized):
    sized.goto(site + "find/?care=Nursing&town=Hereford")
    wait_results(sized)
    both = _count(sized)
    chip = sized.get_by_role("button", name="Remove filter: With nursing")
    expect(chip).to_be_visible()
    expect(sized.get_by_role("button", name="Remove filter: Hereford")).to_be_visible()
    expect(sized.locator("#filter-count")).to_have_text(" (2 on)")
    chip.click()
    expect(sized.get_by_role("button", name="Remove filter: With nursing")).to_have_count(0)
    assert "care=" not in sized.url and "town=Hereford" in sized.url
    assert sized.evaluate("document.activeElement.className") == "ch-chip"  # focus stays in the summary
    hereford = sum(re.sub(r"[^a-z]", "", ((h.get("address") or {}).get("town") or "").lower()) == "hereford" for h in all_homes())
    expect(sized.locator("#results-status")).to_have_text(f"{hereford} homes match, A to Z by name.")
    assert hereford > both


@pytest.mark.one_engine
def test_town_filter_from_the_addresses(site, page):
    page.goto(site + "find/")
    wait_results(page)
    options = page.locator("#town option").all_inner_texts()
    assert options.count("Ross-on-Wye") == 1 and "Ross On Wye" not in options and "Hereford" in options
    page.get_by_label("Town", exact=True).select_option("Ross-on-Wye")
    expect(page.locator("#results-status")).to_have_text("13 homes match, A to Z by name.")
    assert page.get_by_label("Area", exact=True).count() == 1  # two areas in the test data (Herefordshire, Exampleshire)


@MORE
def test_a_cleared_shortlist_can_be_put_back(site, page):
    """"Clear the shortlist" emptied it at once, with no way back: a tap on the wrong button lost a family's list. The
    status now offers to undo it, which puts every home back, in its order, and says so."""
    page.goto(site + "compare/?homes=aston-house,example-full")
    status = page.locator("#compare-status")
    expect(status).to_have_text(re.compile(r"Comparing 2 homes\."))
    page.get_by_role("button", name="Clear the shortlist").click()
    expect(status).to_have_text(re.compile(r"^Your shortlist was cleared\. Your shortlist is empty\. Add homes from the search or a home's page\.$"))
    # the button just after the status, not in it (a button in role=status is read as part of its sentence)
    expect(page.locator("#compare-undo").get_by_role("button", name="Undo clearing your shortlist")).to_be_visible()
    assert "homes=" not in page.url
    page.keyboard.press("Tab")  # from the status (focused): the button is the next stop
    expect(page.get_by_role("button", name="Undo clearing your shortlist")).to_be_focused()
    page.keyboard.press("Enter")
    expect(status).to_have_text(re.compile(r"^2 homes put back on your shortlist\. Comparing 2 homes\."))
    assert page.url.endswith("compare/?homes=aston-house,example-full")
    expect(page.get_by_role("button", name="Undo clearing your shortlist")).to_have_count(0)
    # the code review: Clear, Undo and Clear at once: the Undo's homes, read after, put the list back over the Clear
    page.evaluate("""async () => {
        document.getElementById('clear-shortlist').click();
        await new Promise(r => setTimeout(r, 0));
        document.getElementById('undo-clear').click();
        document.getElementById('clear-shortlist').click();
    }""")
    page.wait_for_timeout(800)
    assert page.evaluate("JSON.parse(localStorage.getItem('carehomes.shortlist') || '[]')") == []
    expect(status).to_have_text(re.compile(r"^Your shortlist was cleared\. Your shortlist is empty"))
    # a shared link's homes cleared before they were read: "2 homes from the shared link added" is never said later
    held: list = []
    seen: list = []  # the link's homes are looked up first (is each the site's?), then read for the table: those held

    def hold(route):
        seen.append(route.request.url)
        (route.continue_() if len(seen) <= 2 else held.append(route))
    page.route("**/home.json", hold)
    page.goto(site + "compare/?homes=aston-house,example-full")
    page.get_by_role("button", name="Clear the shortlist").click()
    for route in held:
        route.continue_()
    page.unroute("**/home.json")
    page.get_by_role("button", name="Undo clearing your shortlist").click()
    expect(status).to_have_text(re.compile(r"^2 homes put back on your shortlist\. Comparing 2 homes\."))
    # ten cleared, one shortlisted since in another tab: Undo puts the ten back and names the one it cannot keep
    ten = sorted(p.stem for p in (ROOT / "providers").glob("[!_]*.yaml"))[:11]
    page.goto(site + "compare/?homes=" + ",".join(ten[:10]))
    expect(status).to_have_text(re.compile(r"Comparing 10 homes\."))
    page.get_by_role("button", name="Clear the shortlist").click()
    page.evaluate("slug => localStorage.setItem('carehomes.shortlist', JSON.stringify([{slug: slug, name: 'Another Home'}]))", ten[10])
    page.get_by_role("button", name="Undo clearing your shortlist").click()
    expect(status).to_have_text(re.compile(r"^10 homes put back on your shortlist\. A shortlist holds at most 10, so it has "
                                           r"no room for what you shortlisted since: Another Home\. Comparing 10 homes\."))


@MORE
def test_a_short_screen_keeps_no_header_or_compare_bar_on_screen(site, browser):
    """At 400% zoom (a 1280 by 1024 screen is 320 by 256 CSS pixels) the sticky header and the Compare bar stayed on
    screen as the find page scrolled, leaving 141 px to read in (WCAG 1.4.10; the accessibility review): on a
    screen under 30em high both scroll away with the page."""
    ctx = browser.new_context(viewport={"width": 320, "height": 256})
    pg = ctx.new_page()
    try:
        pg.goto(site + "compare/?homes=aston-house")
        expect(pg.locator("#compare-status")).to_contain_text("Comparing 1 home.")
        pg.goto(site + "find/")
        wait_results(pg)
        expect(pg.locator("#shortlist-bar")).to_be_visible()
        pg.mouse.wheel(0, 1500)
        pg.wait_for_timeout(300)
        header, bar = pg.evaluate("""() => [document.querySelector('.md-header').getBoundingClientRect().bottom,
                                           document.getElementById('shortlist-bar').getBoundingClientRect().top]""")
        assert header <= 0 and bar >= 256, (header, bar)  # both off the screen: the whole height is the page's
        # nor "Back to top", which the theme shows as the page is scrolled up, over a home's name and address
        pg.mouse.wheel(0, -200)
        pg.wait_for_timeout(300)
        assert pg.locator(".md-top").count() == 0 or not pg.locator(".md-top").is_visible()
    finally:
        ctx.close()


def test_hidden_controls_stay_hidden(site, sized):
    sized.goto(site + "compare/")
    expect(sized.locator("#compare-status")).to_contain_text("Your shortlist is empty")
    expect(sized.get_by_role("button", name="Clear the shortlist")).to_be_hidden()
    expect(sized.get_by_role("button", name="Copy link to this shortlist")).to_be_hidden()
    sized.goto(site + "find/?q=Example+Care+Group")
    wait_results(sized)
    expect(sized.locator("#more")).to_be_hidden()
    assert sized.evaluate("getComputedStyle(document.getElementById('more')).display") == "none"


def test_without_javascript_every_home_in_two_clicks(site, browser):
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 740})
    pg = ctx.new_page()
    pg.goto(site + "find/")
    visible_controls = pg.locator("main input:visible, main select:visible, main button:visible")
    assert visible_controls.count() == 0  # nothing that would do nothing
    lists = pg.locator(".ch-browse a[href*='browse/']")
    hrefs = sorted({a for a in lists.evaluate_all("els => els.map(e => e.href)") if not a.endswith("/browse/")})
    # each list's page, fetched as the browser would (its homes are links in its HTML, no script needed): every home is
    # on the A to Z lists (a letter's pages, finding.letter's keys), and every list holds only homes
    on_letters: set[str] = set()
    on_lists: set[str] = set()
    for href in hrefs:
        answer = ctx.request.get(href)
        assert answer.ok, href
        homes = set(re.findall(r'<li><a href="\.\./\.\./homes/([a-z0-9-]+)/">', answer.text()))
        assert homes, href
        on_lists |= homes
        if re.search(r"/browse/(?:[a-z]|0-9)(?:-\d+)?/$", href):
            on_letters |= homes
    assert on_letters == on_lists == {h["slug"] for h in all_homes()}
    # and a family gets there by clicking: the town, then the home
    pg.goto(site + "find/")
    pg.get_by_role("link", name="Hereford", exact=True).click()
    pg.get_by_role("link", name="Aston House").click()
    expect(pg.locator("h1")).to_have_text("Aston House")
    # the compare page says that comparing needs JavaScript, and not how to add to a shortlist it cannot have
    pg.goto(site + "compare/")
    expect(pg.locator("main")).to_contain_text("Comparing homes needs JavaScript", use_inner_text=True)
    expect(pg.get_by_text("to your shortlist from")).to_be_hidden()
    expect(pg.get_by_text("How old each fact is")).to_be_hidden()
    ctx.close()


@pytest.mark.one_engine
def test_a_homes_two_buttons_do_not_touch_at_320_px_with_wider_text_spacing(site, browser):
    """WCAG 1.4.12's text spacing at 320 px: "Add ... to shortlist" and "Compare your shortlist" stacked with no gap,
    two targets that read as one."""
    pg = browser.new_page(viewport={"width": 320, "height": 900})
    pg.goto(site + "homes/aston-house/")
    pg.add_style_tag(content="* { line-height: 1.5 !important; letter-spacing: .12em !important; "
                             "word-spacing: .16em !important; } p { margin-bottom: 2em !important; }")
    first, second = (pg.locator(".ch-actions > .md-button").nth(i).bounding_box() for i in range(2))
    assert first and second and second["y"] >= first["y"] + first["height"] + 8, (first, second)
    assert pg.evaluate("document.documentElement.scrollWidth") <= 320
    # the find page's order: its choice under its label, whole ("Distance from a po" was cut: the accessibility review)
    pg.goto(site + "find/?q=HR4+9AA")
    wait_results(pg)
    pg.add_style_tag(content="* { line-height: 1.5 !important; letter-spacing: .12em !important; "
                             "word-spacing: .16em !important; } p { margin-bottom: 2em !important; }")
    natural, width, right = pg.evaluate("""(() => { const s = document.getElementById('sort'), c = s.cloneNode(true);
        c.style.cssText = 'position:absolute;visibility:hidden;width:auto'; document.body.appendChild(c);
        const w = c.getBoundingClientRect().width; c.remove(); const r = s.getBoundingClientRect();
        return [w, r.width, r.right]; })()""")
    assert width >= natural - 1 and right <= 320, (natural, width, right)  # not squeezed beside its label, nor past the edge
    pg.close()


def test_static_list_pages_are_a_to_z(site, page):
    page.goto(site + "browse/town-hereford/")
    names = page.locator("ul.ch-list a").all_inner_texts()
    assert names == sorted(names, key=az) and len(names) > 20
    page.goto(site + "browse/need-band-dementia/")
    expected = in_az_order([h for h in all_homes() if ((h.get("care") or {}).get("user_bands") or {}).get("dementia")])
    assert page.locator("ul.ch-list a").all_inner_texts() == expected


def test_discharge_coordinator_journey(site, browser, sized):
    """Postcode on the home page, nursing + a town, three named homes shortlisted, link copied,
    opened in a fresh browser, printed."""
    pg = sized
    pg.context.grant_permissions(["clipboard-read", "clipboard-write"])
    pg.goto(site)
    pg.get_by_label("Home name, town, postcode or need").fill("HR4 9AA")
    pg.get_by_role("button", name="Search").click()
    wait_results(pg)
    pg.locator("#filter-panel > summary").click() if not pg.get_by_label("With nursing", exact=True).is_visible() else None
    pg.get_by_label("With nursing", exact=True).check()
    wait_results(pg)
    pg.get_by_label("Town", exact=True).select_option("Hereford")
    expect(pg.get_by_role("button", name="Remove filter: Hereford")).to_be_visible()
    wait_results(pg)
    cards = pg.locator("#results > li")
    names = [cards.nth(i).locator("h3").inner_text() for i in range(3)]
    for name in names:
        pg.get_by_role("button", name=f"Add {name} to shortlist").click()
        expect(pg.get_by_role("button", name=f"Remove {name} from shortlist")).to_be_visible()
    pg.locator("#shortlist-link").click()
    expect(pg.locator("#compare-status")).to_have_text("Comparing 3 homes.")
    pg.get_by_role("button", name="Copy link to this shortlist").click()
    expect(pg.locator("#copy-status")).to_contain_text("Link copied")
    link = pg.evaluate("navigator.clipboard.readText()")
    assert "compare/?homes=" in link and link.startswith(site)

    fresh = browser.new_context(viewport=pg.viewport_size)
    other = fresh.new_page()
    other.goto(link)
    expect(other.locator("#compare-table thead th a")).to_have_count(3)
    assert other.locator("#compare-table thead th a").all_inner_texts() == names
    expect(other.locator("#compare-status")).to_contain_text("3 homes from the shared link added to your shortlist")
    # row labels stay in view when the table scrolls sideways
    assert other.locator("#compare-table th[scope=row]").first.evaluate("e => getComputedStyle(e).position") == "sticky"
    # print view: date, key facts, phone, sources; no buttons
    other.emulate_media(media="print")
    expect(other.locator("#print-date")).to_be_visible()
    expect(other.locator("#print-date")).to_contain_text("Printed on")
    for label in ("Phone", "Sources", "CQC rating", "Food hygiene rating", "Weekly fee with nursing", "Accepts the council's usual rate"):
        expect(other.get_by_role("rowheader", name=label, exact=True)).to_be_visible()
    assert other.locator("button:visible").count() == 0
    assert axe_violations(other) == []
    other.emulate_media(media="screen")
    # Remove keeps focus in the table and says what happened
    other.get_by_role("button", name=f"Remove {names[1]} from your shortlist").click()
    expect(other.locator("#compare-status")).to_have_text(f"{names[1]} removed from your shortlist. Comparing 2 homes.")
    expect(other.locator("#compare-table thead th a")).to_have_count(2)
    assert other.evaluate("document.activeElement.getAttribute('aria-label')") == f"Remove {names[2]} from your shortlist"
    assert "homes=" in other.url and other.url.split("homes=")[1].count(",") == 1
    fresh.close()


def test_screenshots_for_review(site, sized, tmp_path_factory):
    """Screenshots of the find and compare pages at both widths, for a person to look at."""
    out = Path(tmp_path_factory.getbasetemp()) / "screens"
    out.mkdir(exist_ok=True)
    w = sized.viewport_size["width"]
    sized.goto(site + "find/?q=HR1+2ER&care=Nursing")
    wait_results(sized)
    sized.screenshot(path=str(out / f"find-{w}.png"))
    sized.goto(site + "compare/?homes=aston-house,example-full,blackwells")
    expect(sized.locator("#compare-status")).to_contain_text("Comparing 3 homes")
    sized.screenshot(path=str(out / f"compare-{w}.png"))


STUB_TILE = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                          "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f1d6a40000000049454e44ae426082")


def stub_tiles(page, site: str) -> None:
    """The site as served; the map's tile server (mkdocs.yml's) answered by STUB_TILE; every other address refused
    (tests never use the network)."""
    def route(r):
        if r.request.url.startswith(site):
            return r.continue_()
        if r.request.url.startswith("https://tile.openstreetmap.org/"):
            return r.fulfill(status=200, content_type="image/png", body=STUB_TILE)
        return r.abort()
    page.route("**/*", route)


def open_map(page, site: str, query: str):
    """The find page searched with ``query`` and its map opened (tiles from stub_tiles, set first): its pins, the
    first of them drawn."""
    page.goto(site + "find/?" + query)
    wait_results(page)
    page.get_by_role("button", name="Show these homes on a map").click()
    pins = page.locator("#map .leaflet-marker-icon")
    expect(pins.first).to_be_visible()
    return pins


def test_map_only_on_request_with_local_stub_tiles(site, sized):
    """No request leaves the site until the person opens the map; tiles then come from the server set in
    mkdocs.yml, answered here by a stub (tests never use the network); markers are keyboard-reachable."""
    outside: list[str] = []
    tiles: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(site):
            return r.continue_()
        if url.startswith("https://tile.openstreetmap.org/"):
            tiles.append(url)
            return r.fulfill(status=200, content_type="image/png", body=STUB_TILE)
        outside.append(url)
        return r.abort()
    sized.route("**/*", route)
    sized.goto(site + "find/?town=Hereford&care=Nursing")
    wait_results(sized)
    sized.wait_for_timeout(300)
    assert tiles == [] and outside == []
    assert sized.evaluate("typeof window.L") == "undefined"  # Leaflet not even loaded yet
    sized.get_by_role("button", name="Show these homes on a map").click()
    markers = sized.locator("#map .leaflet-marker-icon")
    expect(markers.first).to_be_visible()
    shown = sized.locator("#results > li h3").all_inner_texts()
    pins = pins_expected(shown, all_homes())
    assert sorted(markers.evaluate_all("els => els.map(e => e.alt)")) == pins and len(pins) < len(shown)
    assert tiles and outside == []
    one = markers.and_(sized.locator(":not([alt*=' at this point: '])")).first
    one.focus()
    assert sized.evaluate("document.activeElement.classList.contains('leaflet-marker-icon')")
    sized.keyboard.press("Enter")
    expect(sized.locator(".leaflet-popup-content a")).to_have_text(one.get_attribute("alt"))
    # the popup's link is the next stop, not 20 pins later; Escape closes it and goes back to its pin
    expect(sized.locator(".leaflet-popup-content a")).to_be_focused()
    sized.keyboard.press("Escape")
    expect(sized.locator(".leaflet-popup")).to_have_count(0)
    assert sized.evaluate("document.activeElement.alt") == one.get_attribute("alt")
    # Tab on from the popup's last stop (its close button) goes to the next pin, the popup closing; back from its first
    # stop, to its own pin (the accessibility review: Tab went on to the zoom buttons, skipping the pins after it)
    order = markers.evaluate_all("els => els.map(e => e.alt)")
    sized.keyboard.press("Enter")
    expect(sized.locator(".leaflet-popup-content a")).to_be_focused()
    sized.keyboard.press("Tab")
    expect(sized.locator(".leaflet-popup-close-button")).to_be_focused()
    sized.keyboard.press("Tab")
    expect(sized.locator(".leaflet-popup")).to_have_count(0)
    at = order.index(one.get_attribute("alt"))
    assert sized.evaluate("document.activeElement.alt") == order[min(at + 1, len(order) - 1)]
    one.focus()
    sized.keyboard.press("Enter")
    expect(sized.locator(".leaflet-popup-content a")).to_be_focused()
    sized.keyboard.press("Shift+Tab")
    expect(sized.locator(".leaflet-popup")).to_have_count(0)
    assert sized.evaluate("document.activeElement.alt") == one.get_attribute("alt")
    # Escape with the keyboard elsewhere on the map (another pin) closes an open popup too, back to its pin
    sized.keyboard.press("Enter")
    expect(sized.locator(".leaflet-popup")).to_have_count(1)
    markers.nth(order.index(one.get_attribute("alt")) - 1 if order.index(one.get_attribute("alt")) else 1).focus()
    sized.keyboard.press("Escape")
    expect(sized.locator(".leaflet-popup")).to_have_count(0)
    assert sized.evaluate("document.activeElement.alt") == one.get_attribute("alt")
    # homes at the very same point share a pin (stacked pins showed a mouse only the top one): its popup lists each
    # home's link, the first of them next by keyboard, and Escape from any goes back to the pin
    spot = markers.and_(sized.locator("[alt*=' at this point: ']")).first
    named = spot.get_attribute("alt")
    spot.focus()
    sized.keyboard.press("Enter")
    links = sized.locator(".leaflet-popup-content .ch-spot li a")
    expect(sized.locator(".leaflet-popup-content .ch-spot p")).to_have_text(named.split(": ")[0] + ":")
    assert ", ".join(links.all_inner_texts()) == named.split(" at this point: ", 1)[1]
    assert all(a.startswith(site + "homes/") for a in links.evaluate_all("els => els.map(e => e.href)"))
    expect(links.first).to_be_focused()
    sized.keyboard.press("Tab")
    expect(links.nth(1)).to_be_focused()
    assert all(b["height"] >= 24 for b in (links.nth(i).bounding_box() or {"height": 0} for i in range(links.count())))
    sized.keyboard.press("Escape")
    expect(sized.locator(".leaflet-popup")).to_have_count(0)
    assert sized.evaluate("document.activeElement.alt") == named
    one.focus()
    sized.keyboard.press("Enter")
    expect(sized.locator(".leaflet-popup-content a")).to_be_focused()
    expect(sized.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap contributors")
    # the attribution is HTML the build wrote from mkdocs.yml's text and https link, not the setting itself
    link = sized.locator(".leaflet-control-attribution a[href='https://www.openstreetmap.org/copyright']")
    expect(link).to_have_text("OpenStreetMap")
    assert link.get_attribute("rel") == "noopener"
    # WCAG 2.5.8 target size: markers of homes close together overlap. The exception "Equivalent"
    # applies: every marker's home is a full-size link in the list beside it. Every other rule runs.
    # axe judges the settled page: Leaflet fades its popup in, and text caught mid-fade has too little contrast
    sized.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    sized.add_script_tag(path=str(AXE))
    result = sized.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, rules: {'target-size': {enabled: false}}, "
                             "resultTypes: ['violations']})", WCAG)
    assert [v["id"] for v in result["violations"]] == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
    assert [v for v in axe_violations(sized) if "leaflet-marker-icon" not in v] == []


def test_the_map_marks_where_a_postcode_search_measures_from(site, page):
    """After a postcode search the map showed the homes but not the postcode: its place is a circle, not a pin (never
    taken for a home), labelled on the map with the schema's words ("Your search: HR1 1TJ"), its accessible name."""
    stub_tiles(page, site)
    markers = open_map(page, site, "q=HR1+1TJ")
    label = "Your search: HR1 1TJ"
    origin = page.locator("#map path.ch-origin")
    expect(origin).to_have_count(1)
    expect(page.get_by_role("img", name=label)).to_have_count(1)
    expect(page.locator("#map .ch-origin-label")).to_have_text(label)
    expect(page.locator("#map .ch-origin-label")).to_be_visible()
    # the homes' pins are the homes, one a point, and the origin is none of them
    shown = page.locator("#results > li h3").all_inner_texts()
    assert sorted(markers.evaluate_all("els => els.map(e => e.alt)")) == pins_expected(shown, all_homes())
    # on the map's view (fitted to the homes and the origin)
    box, ring = page.locator("#map").bounding_box(), origin.bounding_box()
    assert box and ring and box["x"] <= ring["x"] and ring["x"] + ring["width"] <= box["x"] + box["width"]
    assert box["y"] <= ring["y"] and ring["y"] + ring["height"] <= box["y"] + box["height"]
    # named once (an accessibility review heard it three times: the name, a description of the label, the label),
    # each pin too (its title repeated its name), and its label inside the map at a phone's width
    assert origin.get_attribute("aria-describedby") is None
    assert page.locator("#map .ch-origin-label").get_attribute("aria-hidden") == "true"
    assert markers.evaluate_all("els => els.filter(e => e.title).length") == 0
    page.set_viewport_size({"width": 320, "height": 800})
    try:  # the map lays itself out again after the resize: on a busy machine later than a fixed wait
        page.wait_for_function("() => { const m = document.querySelector('#map').getBoundingClientRect(), "
                               "t = document.querySelector('#map .ch-origin-label').getBoundingClientRect(); "
                               "return t.left >= m.left && t.right <= m.right + 1; }", timeout=15000)  # 5 s: once too few
    except PlaywrightTimeout:
        pass  # the assertion below says where the label is
    box, tip = page.locator("#map").bounding_box(), page.locator("#map .ch-origin-label").bounding_box()
    assert box and tip and box["x"] <= tip["x"] and tip["x"] + tip["width"] <= box["x"] + box["width"] + 1, (box, tip)
    page.set_viewport_size({"width": 1280, "height": 900})
    # every rule but target size, which homes' pins close together fail (see the test above: each is a link in the list)
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, rules: {'target-size': {enabled: false}}, "
                           "resultTypes: ['violations']})", WCAG)
    assert [v["id"] for v in result["violations"]] == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
    # no postcode, nothing to mark
    open_map(page, site, "town=Hereford")
    expect(page.locator("#map .ch-origin")).to_have_count(0)


def test_on_a_phone_the_maps_pins_stay_under_the_compare_bar_and_the_header(site, browser):
    """A reviewer at 375 px, 3 services shortlisted and the map shown: Leaflet's pins (its marker pane's z-index, 600)
    were drawn over the fixed "Compare (3)" bar (z-index 4) and took its taps, and over the sticky header. The map box
    is its own stacking context: a pin scrolled under the bar or the header is hidden by it, the bar's button takes
    the tap, and the map still zooms and opens a pin's popup."""
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    pg = ctx.new_page()
    zooms: list[int] = []

    def route(r):
        url = r.request.url
        if url.startswith(site):
            return r.continue_()
        if url.startswith("https://tile.openstreetmap.org/"):
            zooms.append(int(url.split("/")[3]))
            return r.fulfill(status=200, content_type="image/png", body=STUB_TILE)
        return r.abort()
    pg.route("**/*", route)
    pg.goto(site + "find/")
    wait_results(pg)
    for i in range(3):
        pg.locator("#results button.ch-shortlist").nth(i).click()
    expect(pg.locator("#shortlist-bar-link")).to_contain_text("3")
    pg.get_by_role("button", name="Show these homes on a map").click()
    pins = pg.locator("#map .leaflet-marker-icon")
    expect(pins.first).to_be_visible()
    pg.evaluate(SETTLED)
    # the first pin scrolled to the bar's middle, then to the header's: what is there is the bar, the header
    on_top = """([sel, pin]) => { const bar = document.querySelector(sel).getBoundingClientRect(),
        r = document.querySelectorAll('#map .leaflet-marker-icon')[pin].getBoundingClientRect(), y = (bar.top + bar.bottom) / 2;
        scrollBy(0, (r.top + r.bottom) / 2 - y);
        const p = document.querySelectorAll('#map .leaflet-marker-icon')[pin].getBoundingClientRect(),
        at = document.elementFromPoint((p.left + p.right) / 2, y);
        return [Math.abs((p.top + p.bottom) / 2 - y) <= 1, !!at && !!at.closest(sel)]; }"""
    under_bar = pg.evaluate(on_top, ["#shortlist-bar", 0])
    link = pg.locator("#shortlist-bar-link").bounding_box()
    assert link
    centre = pg.evaluate("([x, y]) => { const at = document.elementFromPoint(x, y); return at && at.closest('#shortlist-bar-link') !== null; }",
                         [link["x"] + link["width"] / 2, link["y"] + link["height"] / 2])
    under_header = pg.evaluate(on_top, [".md-header", 0])
    # the map works: the + button zooms in (tiles of the next zoom level fetched), a pin's popup opens over the map
    pins.first.scroll_into_view_if_needed()
    before = max(zooms)
    pg.locator(".leaflet-control-zoom-in").click()
    for _ in range(50):  # the next level's tiles are fetched once the zoom has ended
        if max(zooms) > before:
            break
        pg.wait_for_timeout(100)
    zoomed = max(zooms)
    pg.evaluate(SETTLED)
    pins.first.scroll_into_view_if_needed()
    top = pins.evaluate_all("els => els.findIndex(e => { const r = e.getBoundingClientRect(); "
                            "return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === e; })")
    pins.nth(top).click()  # one not under a neighbour
    popup = pg.locator(".leaflet-popup-content a").first
    expect(popup).to_be_visible()
    opened = popup.evaluate("e => { const r = e.getBoundingClientRect(), at = document.elementFromPoint(r.left + r.width / 2, "
                            "r.top + r.height / 2); return !!at && e.contains(at); }")
    # the bar's button takes a tap over the map
    pg.evaluate(on_top, ["#shortlist-bar", 0])
    pg.mouse.click(link["x"] + link["width"] / 2, link["y"] + link["height"] / 2)
    expect(pg).to_have_url(re.compile(r"/compare/"))
    ctx.close()
    assert under_bar == [True, True] and centre and under_header == [True, True], (under_bar, centre, under_header)
    assert zoomed == before + 1 and opened, (before, zoomed, opened)


@pytest.mark.one_engine
def test_sorts_with_filters_on_the_sorted_value(site, page):
    """A rating filter that includes 'Rating not in our data' keeps those homes (after the rated ones); a fee
    limit leaves out homes whose fees are not known."""
    homes = all_homes()
    good = in_az_order([h for h in homes if (h.get("cqc") or {}).get("rating") == "Good"])
    none = in_az_order([h for h in homes if (h.get("cqc") or {}).get("rating") is None])
    from urllib.parse import quote_plus

    from carehomes.schema import load_schema

    page.goto(site + "find/?sort=rating&rating=Good&rating=" + quote_plus(load_schema().values.no_rating))
    assert every_result(page) == good + none
    page.goto(site + "find/?sort=fee&maxfee=2000")
    # the one home whose fees are known and within it, then, not confirmed, those whose fees are not known
    assert every_result(page)[0] == "Example Full House (fictional)"
    expect(page.locator("#results-status")).to_contain_text(re.compile(
        r"^We know for only 1 of 91 homes whether each .*\. 1 home matches every filter, lowest fee first\. Then 90 homes that match"))
    assert page.locator("#results > li").nth(0).locator(".ch-unconfirmed").count() == 0
    expect(page.locator("#results > li").nth(1).locator(".ch-unconfirmed")).to_have_count(1)


def test_phone_apply_filters_folds_the_panel_and_goes_to_the_count(site, browser):
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    pg = ctx.new_page()
    pg.goto(site + "find/")
    wait_results(pg)
    pg.locator("#filter-panel > summary").click()
    pg.locator("#need-fold > summary").click()  # a folded group of boxes: opened, as a person opens it
    pg.get_by_label("Tracheostomy").check()
    expect(pg.locator("#results-status")).to_contain_text("1 home matches every filter, A to Z by name.")
    # the box ticked searched already: Apply does not search again, so the count is not written (and read out) twice
    # as the person is taken to it (the accessibility review)
    pg.evaluate("window.__writes = []; new MutationObserver(() => window.__writes.push("
                "document.querySelector('#results-status').textContent)).observe(document.querySelector('#results-status'), "
                "{childList: true, characterData: true, subtree: true})")
    pg.get_by_role("button", name="Apply filters").click()
    expect(pg.locator("#filter-panel")).not_to_have_attribute("open", "")
    expect(pg.locator("#results-status")).to_contain_text("1 home matches every filter, A to Z by name.")
    assert pg.evaluate("document.activeElement.id") == "results-status"
    pg.wait_for_timeout(300)
    assert pg.evaluate("window.__writes") == []
    box = pg.locator("#results-status").bounding_box()
    assert box and 0 <= box["y"] < 740
    # Escape folds the filters away too, back to their button (the accessibility review)
    pg.locator("#filter-panel > summary").click()
    pg.get_by_label("Tracheostomy").focus()
    pg.keyboard.press("Escape")
    expect(pg.locator("#filter-panel")).not_to_have_attribute("open", "")
    assert pg.evaluate("document.activeElement === document.querySelector('#filter-panel > summary')")
    ctx.close()


def test_no_console_errors_or_failed_requests_on_page_load(site, page):
    """The home page, find, open data and a home's page load with nothing failing in the console: no
    404 such as mkdocs-material's fetch of data/sitemap.xml beside the feed link (now rel="alternate feed")."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: problems.append(f"failed {r.url}"))
    for path in ("", "find/", "open-data/", "homes/aston-house/"):
        page.goto(site + path, wait_until="networkidle")
        assert page.locator("h1").first.is_visible(), path
    assert problems == []


def test_a_missing_homes_address_gets_a_page_that_helps(site, page):
    """A link to a home that closed or was renamed: status 404, the site's own page with its styles,
    a search for the name in the address, the ways to find a home, and nothing failing on the way."""
    problems: list[str] = []
    # the page's own 404 is the one failure expected (Chromium logs it as a console error too)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" and "/homes/old-" not in m.location.get("url", "") else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 and "/homes/old-" not in r.url else None)
    page.on("requestfailed", lambda r: problems.append(f"failed {r.url}"))
    response = page.goto(site + "homes/old-mill-house/", wait_until="networkidle")
    assert response and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")
    assert axe_violations(page) == []
    for name in ("Search for a care home", "Browse all care homes", "Go to the home page"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    page.get_by_role("link", name="Search for homes named \u201cold mill house\u201d").click()
    page.wait_for_url(re.compile(r"/find/\?q=old(%20|\+)mill(%20|\+)house$"))  # the find page rewrites %20 as +
    expect(page.locator("#q")).to_have_value("old mill house")
    wait_results(page)
    assert problems == []
    page.goto(site + "no-such-page/")  # not a home's address: no search is offered
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("#ch-not-found-search")).to_be_hidden()


def test_a_card_never_adds_an_unknown_kind_of_bed_in_as_0(browser, tmp_path):
    """Highwell gave 0 beds with nursing free, Waverley 2; neither said beds without nursing (both offer them);
    Aston House (residential only) gave 1. 'Any bed free' finds Waverley and Aston House, not Highwell."""
    from conftest import run_build

    from carehomes.ages import nice_date
    from carehomes.validate import today

    day = today() - dt.timedelta(days=1)  # a fixed day went out of date a week later (8 December 2026)
    prov = tmp_path / "providers"
    prov.mkdir()
    for slug, beds in (("highwell-house-care-home-with-nursing", "  nursing:\n    available: 0\n"),
                       ("waverley-house", "  nursing:\n    available: 2\n"), ("aston-house", "  residential:\n    available: 1\n")):
        text = (ROOT / "providers" / f"{slug}.yaml").read_text()
        (prov / f"{slug}.yaml").write_text(text.replace("beds:\n", f"beds:\n  confirmed: {day}\n" + beds, 1))
    done = run_build("build", "--providers", str(prov), "--out", str(tmp_path / "site"))
    assert done.returncode == 0, done.stderr
    server = site_server(tmp_path / "site")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        ctx = browser.new_context(viewport={"width": 1200, "height": 900})
        pg = ctx.new_page()
        pg.goto(f"http://127.0.0.1:{server.server_address[1]}/find/")
        wait_results(pg)
        cards = {pg.locator("#results > li").nth(i).locator("h3").inner_text(): pg.locator("#results > li").nth(i).inner_text()
                 for i in range(pg.locator("#results > li").count())}
        assert f"Beds free: 0 with nursing, without nursing: not provided yet (confirmed {nice_date(day)}, " in cards["Highwell House Care Home with Nursing"]
        assert f"Beds free: 2 with nursing, without nursing: not provided yet (confirmed {nice_date(day)}, " in cards["Waverley House"]
        assert f"Beds free: 1 without nursing (confirmed {nice_date(day)}, " in cards["Aston House"]
        pg.goto(f"http://127.0.0.1:{server.server_address[1]}/find/?free=any")
        # Highwell, whose beds without nursing are not known, after them, not confirmed: never counted in as 0 free
        assert every_result(pg) == ["Aston House", "Waverley House", "Highwell House Care Home with Nursing"]
        expect(pg.locator("#results > li").nth(2).locator(".ch-unconfirmed")).to_have_count(1)
        ctx.close()
    finally:
        server.shutdown()


ON_MAP = ("() => { const m = document.querySelector('#map').getBoundingClientRect(); "
          "return m.width === 300 && [...document.querySelectorAll('#map .leaflet-marker-icon, #map .ch-origin, "
          "#map .ch-origin-label')].every(e => { const r = e.getBoundingClientRect(); "
          "return r.left >= m.left - 1 && r.right <= m.right + 1 && r.top >= m.top - 1 && r.bottom <= m.bottom + 1; }); }")


@pytest.mark.one_engine
def test_the_map_follows_its_own_box_when_the_page_around_it_changes(site, page):
    """Leaflet takes a new size only when the window is resized: a map whose box changed otherwise (the page's own
    layout settling, a scroll bar coming or going) kept its old size, so after the page was narrowed its search's label
    was drawn 639 px to the left of the map (a test failed so in 2 of 6 runs). The map follows its own box, and until
    the person has moved the map a new size shows every pin again: narrowed with the window unchanged, every pin, the
    search's point and its label are on it (kept centred on the old middle, pins and the label were cut off at the
    sides: this test failed so in 1 of 2 whole runs on a loaded machine)."""
    stub_tiles(page, site)
    open_map(page, site, "q=HR1+1TJ")
    label = page.locator("#map .ch-origin-label")
    expect(label).to_be_visible()
    page.locator("#map").evaluate("m => { m.style.width = '300px'; }")  # the box alone: no resize event
    page.wait_for_function(ON_MAP, timeout=15000)
    box, tip = page.locator("#map").bounding_box(), label.bounding_box()
    assert box and tip and box["width"] == 300 and box["x"] <= tip["x"] and tip["x"] + tip["width"] <= box["x"] + 301


@pytest.mark.one_engine
def test_tabbing_through_the_pins_is_not_moving_the_map(site, page):
    """Tab goes from pin to pin without moving the map, so a new size of its box still fits every pin again (any key
    inside the map counted as the person moving it, and the narrowed map then kept its old middle)."""
    stub_tiles(page, site)
    open_map(page, site, "q=HR1+1TJ")
    page.locator("#map").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.locator("#map").evaluate("m => { m.style.width = '300px'; }")
    page.wait_for_function(ON_MAP, timeout=15000)


@pytest.mark.one_engine
def test_a_map_the_person_has_moved_keeps_their_view_when_its_box_changes(site, page):
    """Once the person has moved the map (here an arrow key), a new size keeps their view's middle where it was, as
    Leaflet does for a window resized, rather than fitting the results again under them."""
    stub_tiles(page, site)
    pins = open_map(page, site, "q=HR1+1TJ")
    page.locator("#map").focus()
    page.keyboard.press("ArrowRight")
    middle = ("() => { const m = document.querySelector('#map').getBoundingClientRect(), "
              "p = document.querySelector('#map .ch-origin').getBoundingClientRect(); "
              "return (p.left + p.width / 2) - (m.left + m.width / 2); }")
    page.wait_for_timeout(600)  # the pan's quarter second glide
    before = page.evaluate(middle)
    page.locator("#map").evaluate("m => { m.style.width = '300px'; }")
    page.wait_for_function("() => document.querySelector('#map').getBoundingClientRect().width === 300")
    page.wait_for_timeout(300)  # a frame for the observer, and a refit's would-be move
    assert abs(page.evaluate(middle) - before) <= 1, "the person's view moved when the map's box changed"
    assert pins.count() > 1
