"""The find page's own index (search/facets/, issue 24 requirements 2 and 4), in Chromium on both engines' sites:
for words, filters and every order, and distance with filters, the page lists the homes an independent Python
computation over the views lists (filters and words as docs/find-page.md documents them), in the same order;
and a search reads only the index's files, never Pagefind's."""
from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
from playwright.sync_api import expect
import test_browser
from helpers import bundled_views
from test_browser import wait_results

from carehomes.face import face_of
from carehomes.finding import towns
from carehomes.search_index import filters as filters_of
from carehomes.search_index import home_words, words

browser, site, page = test_browser.browser, test_browser.site, test_browser.page

pytestmark = pytest.mark.browser

SORTS = ["name", "rating", "free", "fee"]

ASK = """async (combos) => {
  const base = new URL(document.getElementById("find").dataset.base || "../", location.href);
  const facets = await import(new URL("assets/directory-facets.js", base).href);
  const sorts = await import(new URL("assets/directory-sort.js", base).href);
  const ix = await facets.facetIndex((n) => fetch(new URL("search/facets/" + n, base)).then((r) => { if (!r.ok) throw new Error(n); return r.json(); }),
    (u) => new URL(u, base).pathname);
  const out = [];
  for (const [term, filters, sort] of combos) {
    const found = await sorts.sortedSearch(ix, term, filters, sort);
    out.push([await Promise.all(found[0].map((x) => x.data().then((d) => d.meta.slug))), found[1]]);
  }
  return out;
}"""


def keeps(own: dict[str, list[str]], f: Any) -> bool:
    """Whether a home with filters ``own`` matches a filter object: every key holds; a value is one value,
    {any|all|none: [values]} or {not: value}; the keys all / any / none / not combine filter objects."""
    def cond(name: str, c: Any) -> bool:
        if isinstance(c, str):
            return c in own.get(name, [])
        if isinstance(c, list):
            return all(cond(name, x) for x in c)
        if "any" in c:
            return any(cond(name, x) for x in c["any"])
        if "all" in c:
            return all(cond(name, x) for x in c["all"])
        if "none" in c:
            return not any(cond(name, x) for x in c["none"])
        return not cond(name, c["not"])
    for k, v in f.items():
        if k == "all" and not all(keeps(own, x) for x in v):
            return False
        if k == "any" and not any(keeps(own, x) for x in v):
            return False
        if k == "none" and any(keeps(own, x) for x in v):
            return False
        if k == "not" and keeps(own, v):
            return False
        if k not in ("all", "any", "none", "not") and not cond(k, v):
            return False
    return True


def expected(views: list, term: str, f: dict, sort: str) -> tuple[list[str], int]:
    """The slugs the find page should list, in order, and how many of them come last for want of a value:
    the homes (A to Z) found by every word of ``term`` and kept by ``f``; a sort lists the homes with a value
    for it by that value (ties A to Z), then those without, A to Z; best rating first, by the schema's order."""
    labels = towns(views)
    wanted = set(words(term))
    kept = [v for v in views if wanted <= home_words(v, labels) and keeps(filters_of(v, labels), f)]
    if sort == "name":
        return [v.slug for v in kept], 0
    values = views[0].s.values
    if sort == "rating":
        order = values.rating_choices
        ranked = sorted(kept, key=lambda v: order.index(filters_of(v, labels)["rating"][0]))
        return [v.slug for v in ranked], sum(filters_of(v, labels)["rating"] == [values.no_rating] for v in kept)
    spec = next(s for s in face_of(views[0].s).sorts if s.key == sort)
    known = [v for v in kept if v.value(spec.rank) is not None]
    known.sort(key=lambda v: -v.value(spec.rank) if spec.descending else v.value(spec.rank))  # stable: ties A to Z
    rest = [v for v in kept if v.value(spec.rank) is None]
    return [v.slug for v in known + rest], len(rest)


def combos(views: list) -> list[tuple[str, dict, str]]:
    """Words alone and with filters and orders, every value of every filter alone, the common filters in every
    order, pairs, any-of, and the find page's relaxed search ("matches it, or has not told us")."""
    labels = towns(views)
    values: dict[str, set[str]] = {}
    for v in views:
        for name, vs in filters_of(v, labels).items():
            values.setdefault(name, set()).update(vs)
    out: list[tuple[str, dict, str]] = [("", {}, sort) for sort in SORTS]
    out += [("", {name: value}, "name") for name, vs in sorted(values.items()) if name not in ("district", "locality") for value in sorted(vs)]
    out += [("", {"care_nursing": "yes"}, sort) for sort in SORTS] + [("", {"band_dementia": "yes", "care_nursing": "yes"}, sort) for sort in SORTS]
    out += [("", {"rating": {"any": sorted(values["rating"])[:2]}, "care_residential": "yes"}, sort) for sort in SORTS]
    out += [("", {"free": {"any": ["nursing", "residential"]}}, "name"), ("", {"feeband": {"any": sorted(values["feeband"])}}, "fee")]
    out += [("", {"care_nursing": "yes", "all": [{"any": [{"need_tracheostomy": "yes"}, {"untold": untold}]}]}, "name")
            for untold in sorted(values.get("untold", []))[:5]]
    out += [("hereford", {}, sort) for sort in SORTS] + [("Ross-on-Wye", {"care_nursing": "yes"}, "fee")]
    out += [("house", {}, "name"), ("House Hereford", {}, "rating"), ("hr4", {}, "name"), ("HR4 9AA", {}, "name"),
            ("st marys", {}, "name"), ("St Mary's", {}, "name"), ("kington", {"band_dementia": "yes"}, "name"),
            ("zzyzx", {}, "name"), ("hous", {}, "name"), ("Café", {}, "name")]
    out += [("", {"need_nobody_has": "yes"}, "name"), ("", {"town": "Nowhere"}, "rating")]
    return out


@pytest.mark.one_engine
def test_the_index_lists_what_the_views_say_for_words_filters_and_every_order(site, engine_site, page):
    page.goto(site + "find/")
    wait_results(page)
    views = bundled_views()
    asked = combos(views)
    assert len(asked) > 60
    answers = page.evaluate(ASK, [list(c) for c in asked])
    for (term, f, sort), (slugs, unknown) in zip(asked, answers, strict=True):
        assert (slugs, unknown) == expected(views, term, f, sort), (term, f, sort)
    assert answers[0][0] and len(answers[0][0]) == engine_site[1].homes
    assert len({tuple(a[0]) for a in answers}) > 40  # many different lists
    assert [len(a[0]) for a in answers[-2:]] == [0, 0]
    assert sum(1 for (term, _, _), a in zip(asked, answers, strict=True) if term and a[0]) >= 8  # words that find homes


def miles(a: list[float], b: list[float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h)) / 1.609344


@pytest.mark.one_engine
@pytest.mark.parametrize(("term", "query"), [("", "care=Nursing"), ("house", ""), ("hereford", "band=Dementia"),
                                             ("", "care=Residential&rating=Good")])
def test_distance_with_words_or_filters_lists_the_nearest_matching_homes(site, engine_site, page, term, query):
    """Through the index and search/near/: the homes the views say match, nearest first (ties A to Z)."""
    views = bundled_views()
    labels = towns(views)
    origin = json.loads((engine_site[0] / "postcodes" / "HR" / "HR1-2.json").read_text())["2ER"]
    page.goto(site + f"find/?q={term}+HR1+2ER&{query}")
    wait_results(page)
    params = dict(p.split("=") for p in query.split("&") if p)
    f: dict[str, Any] = {}
    for key in ("care", "band"):
        if key in params:
            f[f"{key}_{params[key].lower()}"] = "yes"
    if "rating" in params:
        f["rating"] = {"any": [params["rating"]]}
    kept = [v for v in views if set(words(term)) <= home_words(v, labels) and keeps(filters_of(v, labels), f)]
    # a fact some homes have not given (a rating only when few homes' data holds one): those that match first, then
    # those that have not told us, not confirmed (directory-text.relaxable)
    untold = {k: sum(1 for v in views if k in filters_of(v, labels).get("untold", [])) for k in f}
    relax = [k for k in f if untold[k] and (k != "rating" or (len(views) - untold[k]) * 2 < len(views))]
    relaxed = {k: c for k, c in f.items() if k not in relax} | {"all": [{"any": [{k: f[k]}, {"untold": k}]} for k in relax]} \
        if relax else None
    after = [v for v in views if relaxed and v not in kept and set(words(term)) <= home_words(v, labels)
             and keeps(filters_of(v, labels), relaxed)]

    def away(v) -> float:
        lat = v.get("address.latitude")
        return miles(origin, [lat, v.get("address.longitude")]) if lat is not None else 9999
    want = [v.slug for v in sorted(kept, key=away) + sorted(after, key=away)]  # stable: ties A to Z
    shown = page.locator("#results > li h3 a").evaluate_all("as => as.map(a => a.href.split('/homes/')[1].split('/')[0])")
    assert kept and shown == want[:len(shown)] and len(shown) == min(20, len(want))
    if after:
        expect(page.locator("#results-status")).to_contain_text(re.compile(
            rf"(^|\. ){len(kept)} homes? match(es)? every filter, nearest first\. Then {len(after)} homes? that match every other filter"))
    else:
        expect(page.locator("#results-status")).to_contain_text(re.compile(rf"^{len(want)} homes?, nearest first\."))


@pytest.mark.one_engine
def test_words_and_filters_read_only_the_index_files_they_need_and_a_missing_one_is_told(site, page):
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(site + "find/?q=hereford&care=Nursing&band=Dementia&sort=rating")
    wait_results(page)
    expect(page.locator("#results")).to_have_attribute("aria-busy", "false")
    assert re.match(r"\d+ homes? match", page.locator("#results-status").inner_text())
    index = [u.split("/search/facets/")[1] for u in fetched if "/search/facets/" in u]
    assert "whe.json" in index and any(n.startswith("f") for n in index) and any(n.startswith("c") for n in index)
    assert not any(n.startswith("w") and n != "whe.json" for n in index) and not any("/pagefind/" in u for u in fetched)
    assert "Matched on: town" in page.locator("#results > li").first.inner_text()
    # a word no word file holds the first letters of: no match, without asking for a file that is not there
    fetched.clear()
    page.goto(site + "find/?q=qqqx")
    wait_results(page)
    expect(page.locator("#results-status")).to_have_text("No homes match “qqqx”. Check the spelling, try fewer words, or choose from the filters.")
    assert not any("/search/facets/wqq" in u for u in fetched)
    # a word file that cannot be read: the page says so, never a silent empty list
    page.route(re.compile(r".*/search/facets/whe\.json$"), lambda route: route.fulfill(status=404, body="not found"))
    page.goto(site + "find/?q=hereford")
    wait_results(page)
    expect(page.locator("#results-status")).to_have_text("Search could not load. You can browse all homes in the lists below instead.")
    assert page.locator("#results > li").count() == 0


def tab_stops_through_the_filters(pg) -> int:
    """How many Tab presses take the keyboard from the Filters summary to the panel's Apply filters button."""
    pg.locator("#filter-panel > summary").focus()
    for n in range(1, 200):
        pg.keyboard.press("Tab")
        if pg.evaluate("() => !!(document.activeElement && document.activeElement.closest('#filter-panel .ch-buttons'))"):
            return n
    raise AssertionError("Apply filters was never reached by Tab")


@pytest.mark.one_engine
def test_the_long_filter_groups_fold_so_the_panel_takes_few_tab_presses(site, browser):
    """At 1280 px every box of every filter group was a tab stop: 54 presses to get through the panel. The long groups
    (needs, CQC registration) are folded, each one stop saying how many of its boxes are ticked; one with a box ticked
    opens, and each keeps its fieldset and legend."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.goto(site + "find/")
    wait_results(pg)
    stops = tab_stops_through_the_filters(pg)
    print(f"Tab presses through the filter panel at 1280 px: {stops}")
    assert stops <= 25, stops
    need = pg.locator("details.ch-fold").filter(has=pg.locator("legend", has_text="Needs the home can meet"))
    expect(need).to_have_count(1)
    assert need.get_attribute("open") is None
    summary = need.locator("summary")
    expect(summary).to_have_text("Needs the home can meet")
    # still a group named by its legend, to a screen reader, once open
    summary.click()
    expect(pg.get_by_role("group", name="Needs the home can meet")).to_be_visible()
    pg.get_by_label("Tracheostomy", exact=True).check()
    pg.get_by_label("Palliative care", exact=True).check()
    wait_results(pg)
    expect(summary).to_have_text("Needs the home can meet (2 chosen)")
    assert test_browser.axe_violations(pg) == []
    # a shared link with a box ticked opens its group as the page opens; the others stay folded
    pg.goto(site + "find/?need=Tracheostomy")
    wait_results(pg)
    expect(need).to_have_attribute("open", "")
    expect(summary).to_have_text("Needs the home can meet (1 chosen)")
    expect(pg.locator("details.ch-fold[open]")).to_have_count(1)
    ctx.close()
