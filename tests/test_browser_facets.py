"""The find page's own facet index (search/facets/, issue 24 requirement 4), in Chromium on both engines' sites:
for every filter the bundled site has, and in every order, it lists the same homes in the same order as Pagefind,
and a search with filters and no words draws its homes without loading Pagefind."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
import test_browser
from test_browser import wait_results

browser, site, page = test_browser.browser, test_browser.site, test_browser.page

pytestmark = pytest.mark.browser

SORTS = ["name", "rating", "free", "fee"]

BOTH = """async (combos) => {
  const base = new URL(document.getElementById("find").dataset.base || "../", location.href);
  const facets = await import(new URL("assets/directory-facets.js", base).href);
  const sorts = await import(new URL("assets/directory-sort.js", base).href);
  const pf = await import(new URL("pagefind/pagefind.js", base).href);
  await pf.options({ baseUrl: base.pathname });
  await pf.init();
  const ix = await facets.facetIndex((n) => fetch(new URL("search/facets/" + n, base)).then((r) => (r.ok ? r.json() : null)),
    (u) => new URL(u, base).pathname);
  const urls = (found) => Promise.all(found[0].map((x) => x.data().then((d) => d.url)));
  const out = [];
  for (const [filters, sort] of combos) {
    const mine = await sorts.sortedSearch(ix, "carehomelisting", filters, sort);
    const theirs = await sorts.sortedSearch(pf, "carehomelisting", filters, sort);
    out.push([await urls(mine), mine[1], await urls(theirs), theirs[1]]);
  }
  return out;
}"""


def combos(site_dir) -> list[tuple[dict, str]]:
    """Every value of every filter alone (A to Z), the common ones in every order, pairs, any-of, and the find
    page's relaxed search ("matches it, or has not told us")."""
    folder = site_dir / "search" / "facets"
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    values = {name: sorted(json.loads((folder / f"f{n}.json").read_text(encoding="utf-8"))) for name, n in index["filters"].items()}
    out: list[tuple[dict, str]] = [({}, sort) for sort in SORTS]
    out += [({name: value}, "name") for name, vs in values.items() for value in vs]
    out += [({"care_nursing": "yes"}, sort) for sort in SORTS] + [({"band_dementia": "yes", "care_nursing": "yes"}, sort) for sort in SORTS]
    out += [({"rating": {"any": values["rating"][:2]}, "care_residential": "yes"}, sort) for sort in SORTS]
    out += [({"free": {"any": ["nursing", "residential"]}}, "name"), ({"feeband": {"any": values["feeband"]}}, "fee")]
    out += [({"care_nursing": "yes", "all": [{"any": [{"need_tracheostomy": "yes"}, {"untold": untold}]}]}, "name")
            for untold in values.get("untold", [])[:5]]
    out += [({"need_nobody_has": "yes"}, "name"), ({"town": "Nowhere"}, "rating")]
    return out


def test_the_facet_index_lists_what_pagefind_lists_in_every_order(site, engine_site, page):
    page.goto(site + "find/")
    wait_results(page)
    asked = combos(engine_site[0])
    assert len(asked) > 60
    answers = page.evaluate(BOTH, asked)
    for (filters, sort), (mine, mine_unknown, theirs, theirs_unknown) in zip(asked, answers, strict=True):
        assert (mine, mine_unknown) == (theirs, theirs_unknown), (filters, sort)
    homes = len(answers[0][0])
    assert homes == engine_site[1].homes and len({tuple(a[0]) for a in answers}) > 40  # every home, many different lists
    assert [len(a[0]) for a in answers[-2:]] == [0, 0]


def test_filters_without_words_draw_homes_without_loading_pagefind(site, page):
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(site + "find/?care=Nursing&band=Dementia&sort=rating")
    wait_results(page)
    expect(page.locator("#results")).to_have_attribute("aria-busy", "false")
    status, homes = page.locator("#results-status").inner_text(), page.locator("#results > li h2 a").all_inner_texts()
    assert [u for u in fetched if "/pagefind/" in u] == []
    assert any("/search/facets/f" in u for u in fetched) and any("/search/facets/c" in u for u in fetched)
    assert status.endswith("homes match, best CQC rating first.") or "listed last" in status, status
    # "Show more" reads more cards, still without Pagefind
    if page.locator("#more").is_visible():
        page.locator("#more").click()
        expect(page.locator("#results > li")).not_to_have_count(len(homes))
        assert [u for u in fetched if "/pagefind/" in u] == []
    # the same search with a word every home has goes through Pagefind and lists the same homes
    page.goto(site + "find/?q=carehomelisting&care=Nursing&band=Dementia&sort=rating")
    wait_results(page)
    assert page.locator("#results > li h2 a").all_inner_texts()[:len(homes)] == homes
    assert page.locator("#results-status").inner_text() == status
    assert [u for u in fetched if "/pagefind/" in u]
