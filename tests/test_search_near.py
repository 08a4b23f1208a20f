"""The find page's search files, written from the build's views (search.py, search_index.py): the distance
search's files per postcode district (search/near/ and search/cards/), the first results (search/first.json)
and the facet and word index (search/facets/): what they hold and how big they are."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from carehomes.finding import a_to_z, name_key, towns
from carehomes.search import FACET_SHARD, FIRST_CARDS, Listed, first_cards, gaps, near_summaries, place_of, word_shard
from carehomes.search_index import card, filters, home_words
from carehomes.sources.postcodes import postcode_position
from conftest import ROOT
from helpers import bundled_views


@pytest.fixture(scope="module")
def site_views():
    return bundled_views()


def near_files(site: Path, kind: str = "near") -> dict[str, list]:
    return {f.stem: json.loads(f.read_text(encoding="utf-8")) for f in sorted((site / "search" / kind).glob("*.json"))}


def decoded(values: dict[str, list[int]]) -> dict[str, list[int]]:
    return {v: [sum(g[:i + 1]) for i in range(len(g))] for v, g in values.items()}


def test_every_home_is_in_its_districts_summary_once_numbered_a_to_z(built_site, site_views):
    site = built_site[0]
    near = near_files(site)
    listed = [(district, home) for district, homes in near.items() for home in homes]
    numbers = [home[0] for _, home in listed]
    assert len(numbers) == len(set(numbers))
    # every home with a postcode district is listed under it, by its A to Z number, and nothing else
    assert sorted(numbers) == [i for i, v in enumerate(site_views) if v.district]
    unfiled = [v.slug for v in site_views if not v.district]
    assert len(numbers) + len(unfiled) == built_site[1].homes and len(unfiled) <= 1
    for district, (n, lat, lon) in listed:
        v = site_views[n]
        assert v.district == district
        if v.get("address.latitude") is not None:
            assert abs(lat - v.get("address.latitude")) < 1e-5 and abs(lon - v.get("address.longitude")) < 1e-5
        elif postcode_position(v.get("address.postcode")):  # no position of its own: its postcode's
            at = postcode_position(v.get("address.postcode"))
            assert (lat, lon) == (round(at[0], 5), round(at[1], 5))
        else:
            assert lat is None and lon is None
    for homes in near.values():
        assert [h[0] for h in homes] == sorted(h[0] for h in homes)


def test_the_cards_are_each_homes_card_in_the_summaries_order(built_site, site_views):
    """A plain distance search draws these: each home's card (search_index.card), in its district's order."""
    site = built_site[0]
    near, cards, labels = near_files(site), near_files(site, "cards"), towns(site_views)
    assert cards.keys() == near.keys()
    for district, homes in near.items():
        assert cards[district] == [card(site_views[h[0]], labels) for h in homes]
        assert all(c["url"] == f"homes/{c['meta']['slug']}/" for c in cards[district])
    # untrusted text stays text: the hostile fixture's name is carried as it is, for the page's textContent
    names = [c["meta"]["title"] for cs in cards.values() for c in cs]
    assert any("<" in n for n in names)


def test_the_summaries_are_small(built_site):
    """About 25 bytes a home, so sorting the ~150 homes nearest a postcode reads about 4 KB."""
    near = near_files(built_site[0])
    for district, homes in near.items():
        size = (built_site[0] / "search" / "near" / f"{district}.json").stat().st_size
        assert size <= 2 + 32 * len(homes), (district, size, len(homes))
    total = sum((built_site[0] / "search" / "near" / f"{d}.json").stat().st_size for d in near)
    assert total / sum(len(h) for h in near.values()) < 28


def test_the_district_centres_count_the_placed_homes_of_each_summary(built_site):
    """The page picks districts by the counts in search/districts/<AREA>.json; they agree with the summaries."""
    site = built_site[0]
    centres = {}
    for f in (site / "search" / "districts").glob("*.json"):
        centres.update(json.loads(f.read_text()))
    for district, homes in near_files(site).items():
        placed = sum(1 for h in homes if h[1] is not None)
        assert centres.get(district, [0, 0, 0])[2] == placed


def test_no_home_is_further_from_its_districts_or_areas_middle_than_the_reach_the_page_is_given(built_site):
    """The page loads the areas and districts that could hold the nearest homes by each one's middle less its reach
    (directory-text.js nearestFirst). It took every area as 40 km across: TN is 90, and a search from Sevenoaks (TN13)
    left out its own homes, nearest of all, for Orpington's (the national review). Each reach holds every home of its
    district and of its area, measured as the page measures."""
    from carehomes.search import postcode_area
    from carehomes.sources.postcodes import distance_km

    def km(a: tuple[float, float], b: tuple[float, float]) -> float:
        return distance_km(*a, *b)

    site = built_site[0]
    areas = json.loads((site / "search" / "areas.json").read_text(encoding="utf-8"))
    centres = {}
    for f in (site / "search" / "districts").glob("*.json"):
        centres.update(json.loads(f.read_text()))
    checked = 0
    for district, homes in near_files(site).items():
        for h in homes:
            if h[1] is None:
                continue
            for lat, lon, _, reach in (centres[district], areas[postcode_area(district)]):
                assert km((lat, lon), (h[1], h[2])) <= reach, (district, h)
            checked += 1
    assert checked > 80 and all(len(v) == 4 and v[3] > 0 for v in areas.values())
    assert km((51.276, 0.179), (51.276, 0.179)) == 0 and abs(km((51.5, -0.12), (52.0, -0.12)) - 55.6) < 0.1  # half a degree


@dataclass
class View:
    """The few parts of a HomeView the summaries read."""
    slug: str
    name: str
    district: str | None
    where: dict[str, Any] = field(default_factory=dict)

    def get(self, path: str) -> Any:
        return self.where.get(path)


class Few(Listed):
    """A Listing of stand-in views (no cards, filters or words needed by the summaries)."""

    def __init__(self, views: list[View]) -> None:
        self.views = a_to_z(views)  # type: ignore[arg-type]
        self.cards = [{"url": v.slug, "meta": {}} for v in self.views]
        self.places = [place_of(v) for v in self.views]


def test_summaries_round_positions_keep_unknown_unknown_and_number_a_to_z():
    views = [View("b", "The Beeches", "HR1", {"address.latitude": 52.0567891, "address.longitude": -2.7123456}),
             View("a", "aston house", "HR1"),
             View("c", "Cedars", "M1", {"address.latitude": 53.47, "address.longitude": -2.23}),
             View("d", "Beacon (no postcode)", None)]
    # A to Z ignoring case and a leading "The": aston house 0, Beacon 1, The Beeches 2, Cedars 3
    assert near_summaries(Few(views)) == {"HR1": [[0, None, None], [2, 52.05679, -2.71235]], "M1": [[3, 53.47, -2.23]]}


def test_first_results_are_the_first_homes_a_to_z_with_their_cards(built_site, site_views):
    """The find page opens on these without reading the index: the first FIRST_CARDS homes A to Z, each card."""
    site = built_site[0]
    first = json.loads((site / "search" / "first.json").read_text(encoding="utf-8"))
    labels = towns(site_views)
    assert built_site[1].homes > FIRST_CARDS == len(first)
    assert first == [card(v, labels) for v in site_views[:FIRST_CARDS]]
    names = [c["meta"]["title"] for c in first]
    assert names == sorted(names, key=lambda n: (name_key(n), n))
    assert (site / "search" / "first.json").stat().st_size < 20 * 1024
    facets = json.loads((site / "search" / "facets.json").read_text(encoding="utf-8"))
    assert facets["homes"] == len(site_views)


def test_first_cards_keep_the_name_order():
    views = [View("c", "Cedars", "M1"), View("b", "The Beeches", "HR1"), View("a", "aston house", None)]
    assert [c["url"] for c in first_cards(Few(views))] == ["a", "b", "c"]
    many = [View(f"h{i:02}", f"Home {i:02}", "HR1") for i in range(FIRST_CARDS + 5)]
    assert [c["url"] for c in first_cards(Few(many))] == [f"h{i:02}" for i in range(FIRST_CARDS)]


def test_first_cards_are_the_find_pages_first_page():
    script = (Path(__file__).parent.parent / "overrides" / "assets" / "directory-find.js").read_text(encoding="utf-8")
    assert f"const PAGE = {FIRST_CARDS};" in script


def test_gaps_are_the_first_number_then_the_steps():
    assert gaps([3, 4, 9]) == [3, 1, 5]
    assert gaps([0]) == [0]
    assert gaps([]) == []


def test_facet_index_holds_each_homes_filters_cards_and_words_in_name_order(built_site, site_views):
    """search/facets/: each home numbered A to Z; each filter's values list exactly the homes whose filters
    (search_index.filters) have that value; a card file per FACET_SHARD homes; each word (search_index.home_words)
    in the file of its first two letters, listing exactly the homes found by it."""
    site = built_site[0]
    folder, labels = site / "search" / "facets", towns(site_views)
    own = [filters(v, labels) for v in site_views]
    found = [home_words(v, labels) for v in site_views]
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert index["homes"] == len(site_views) and index["shard"] == FACET_SHARD
    cards = [c for n in range(-(-len(site_views) // FACET_SHARD)) for c in json.loads((folder / f"c{n}.json").read_text(encoding="utf-8"))]
    assert cards == [card(v, labels) for v in site_views]
    assert set(index["filters"]) == {name for f in own for name in f}
    for name, n in index["filters"].items():
        values = json.loads((folder / f"f{n}.json").read_text(encoding="utf-8"))
        assert decoded(values) == {v: [i for i, f in enumerate(own) if v in f.get(name, [])]
                                   for v in {v for f in own for v in f.get(name, [])}}, name
    assert index["sorts"]["name"] is None  # name order is the numbering itself: no file
    words = {w for ws in found for w in ws}
    assert index["words"] == sorted({word_shard(w) for w in words})
    held = {}
    for key in index["words"]:
        for word, homes in decoded(json.loads((folder / f"w{key}.json").read_text(encoding="utf-8"))).items():
            assert word_shard(word) == key
            held[word] = homes
    assert held == {w: [i for i, ws in enumerate(found) if w in ws] for w in words}
    assert {"kington", "hr5", "3ba", "hr53ba"} <= words
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["index.json"] + [f"f{n}.json" for n in index["filters"].values()] + [f"c{n}.json" for n in range(-(-len(cards) // FACET_SHARD))]
        + [f"s{n}.json" for n in index["sorts"].values() if n is not None] + [f"w{k}.json" for k in index["words"]])
    assert sum(p.stat().st_size for p in folder.iterdir()) < 200 * 1024


def test_words_are_read_as_the_page_reads_them():
    """One normalisation for the build and the page: tests/js/words.json, also read by the node tests."""
    from carehomes.search_index import words

    cases = json.loads((ROOT / "tests" / "js" / "words.json").read_text(encoding="utf-8"))
    assert len(cases) >= 10
    for text, expected in cases:
        assert words(text) == expected, text
    assert word_shard("marys") == "ma" and word_shard("y") == "y"
