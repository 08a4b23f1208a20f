"""The distance search's files per postcode district (search/near/ and search/cards/), and the find page's
first results (search/first.json): what they hold and how big they are."""
from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from carehomes.finding import name_key
from carehomes.search import FACET_SHARD, FIRST_CARDS, FRAGMENT_SIGNATURE, first_cards, gaps, home_fragments, near_summaries


def fragments(site: Path) -> dict[str, dict]:
    """Pagefind page id -> its fragment (the page's url, meta and filters), decoded here independently."""
    out = {}
    for f in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(f.read_bytes())
        assert raw.startswith(b"pagefind_dcd")
        out[f.stem] = json.loads(raw[len(b"pagefind_dcd"):])
    return out


def near_files(site: Path, kind: str = "near") -> dict[str, list]:
    return {f.stem: json.loads(f.read_text(encoding="utf-8")) for f in sorted((site / "search" / kind).glob("*.json"))}


def test_every_home_is_in_its_districts_summary_once_with_what_pagefind_holds(built_site):
    site = built_site[0]
    frags, near = fragments(site), near_files(site)
    listed = [(district, home) for district, homes in near.items() for home in homes]
    ids = [home[0] for _, home in listed]
    assert len(ids) == len(set(ids))
    # every indexed home with a postcode district is listed, and nothing else
    assert set(ids) == {pid for pid, f in frags.items() if f["filters"].get("district")}
    # the only ones left out have no postcode (a fictional fixture): no district to file them under
    unfiled = [f["url"] for f in frags.values() if not f["filters"].get("district")]
    assert len(ids) + len(unfiled) == built_site[1].homes and len(unfiled) <= 1
    names = {pid: f["meta"]["title"] for pid, f in frags.items()}
    for district, (pid, lat, lon, _rank) in listed:
        f = frags[pid]
        assert f["filters"]["district"] == [district]
        if "lat" in f["meta"]:
            assert abs(lat - float(f["meta"]["lat"])) < 1e-5 and abs(lon - float(f["meta"]["lon"])) < 1e-5
        else:
            assert lat is None and lon is None
    # the rank is the place in the site's A to Z order (a tie in distance falls back on it), and each
    # district lists its homes in that order
    by_rank = [names[pid] for pid, *_ in sorted((h for _, h in listed), key=lambda h: h[3])]
    assert by_rank == sorted(by_rank, key=lambda n: (name_key(n), n))
    assert len({h[3] for _, h in listed}) == len(listed)
    for homes in near.values():
        assert [h[3] for h in homes] == sorted(h[3] for h in homes)


def test_the_cards_are_pagefinds_own_url_and_meta_in_the_summaries_order(built_site):
    """A plain distance search draws these instead of loading fragments: they must say exactly what the
    fragments say (the same url, relative to the site, and every meta field)."""
    site = built_site[0]
    frags, near, cards = fragments(site), near_files(site), near_files(site, "cards")
    assert cards.keys() == near.keys()
    for district, homes in near.items():
        assert len(cards[district]) == len(homes)
        for (pid, *_), card in zip(homes, cards[district], strict=True):
            assert card == {"url": frags[pid]["url"].lstrip("/"), "meta": frags[pid]["meta"]}
            assert card["url"] == f"homes/{card['meta']['slug']}/"
    # untrusted text stays text: the hostile fixture's name is carried as it is, for the page's textContent
    names = [c["meta"]["title"] for cs in cards.values() for c in cs]
    assert any("<" in n for n in names)


def test_the_summaries_are_small(built_site):
    """About 35 bytes a home, so sorting the ~150 homes nearest a postcode reads about 5 KB."""
    near = near_files(built_site[0])
    for district, homes in near.items():
        size = (built_site[0] / "search" / "near" / f"{district}.json").stat().st_size
        assert size <= 2 + 40 * len(homes), (district, size, len(homes))
    total = sum((built_site[0] / "search" / "near" / f"{d}.json").stat().st_size for d in near)
    assert total / sum(len(h) for h in near.values()) < 38


def test_the_district_centres_count_the_placed_homes_of_each_summary(built_site):
    """The page picks districts by the counts in search/districts/<AREA>.json; they agree with the summaries."""
    site = built_site[0]
    centres = {}
    for f in (site / "search" / "districts").glob("*.json"):
        centres.update(json.loads(f.read_text()))
    for district, homes in near_files(site).items():
        placed = sum(1 for h in homes if h[1] is not None)
        assert centres.get(district, [0, 0, 0])[2] == placed


def write_fragment(folder: Path, pid: str, url: str, signature: bool = True) -> None:
    body = json.dumps({"url": url, "meta": {"title": "x"}, "filters": {}}).encode()
    (folder / f"{pid}.pf_fragment").write_bytes(gzip.compress((FRAGMENT_SIGNATURE if signature else b"") + body))


def test_home_fragments_reads_the_home_pages_only(tmp_path):
    folder = tmp_path / "pagefind" / "fragment"
    folder.mkdir(parents=True)
    write_fragment(folder, "en_aaa", "/homes/aston-house/")
    write_fragment(folder, "en_bbb", "/sub/site/homes/the-elms-2/index.html", signature=False)
    write_fragment(folder, "en_ccc", "/find/")
    write_fragment(folder, "en_ddd", "/homes/../evil/")
    ids = {slug: pid for slug, (pid, _) in home_fragments(tmp_path).items()}
    assert ids == {"aston-house": "en_aaa", "the-elms-2": "en_bbb"}


@dataclass
class View:
    """The few parts of a HomeView the summaries read."""
    slug: str
    name: str
    district: str | None
    where: dict[str, Any] = field(default_factory=dict)

    def get(self, path: str) -> Any:
        return self.where.get(path)


def test_summaries_round_positions_keep_unknown_unknown_and_rank_a_to_z():
    views = [View("b", "The Beeches", "HR1", {"address.latitude": 52.0567891, "address.longitude": -2.7123456}),
             View("a", "aston house", "HR1"),
             View("c", "Cedars", "M1", {"address.latitude": 53.47, "address.longitude": -2.23}),
             View("d", "Beacon (no postcode)", None)]
    got = near_summaries(views, {"a": "en_1", "b": "en_2", "c": "en_3"})  # type: ignore[arg-type]
    # A to Z ignoring case and a leading "The": aston house 0, Beacon 1, The Beeches 2, Cedars 3
    assert got == {"HR1": [["en_1", None, None, 0], ["en_2", 52.05679, -2.71235, 2]],
                   "M1": [["en_3", 53.47, -2.23, 3]]}


def test_a_home_missing_from_the_index_is_a_build_error_naming_it():
    views = [View("aston-house", "Aston House", "HR1"), View("cedars", "Cedars", "M1")]
    with pytest.raises(RuntimeError) as err:
        near_summaries(views, {"aston-house": "en_1"})  # type: ignore[arg-type]
    assert str(err.value) == ("the search index has no page for 1 home(s): cedars; "
                              "rebuild the site (Pagefind indexes homes/<slug>/index.html)")


def test_first_results_are_pagefinds_first_homes_a_to_z_with_their_cards(built_site):
    """The find page opens on these instead of loading Pagefind: the first FIRST_CARDS homes in the order
    Pagefind's "name" sort gives (the build's A to Z rank), each card exactly as its fragment has it."""
    site = built_site[0]
    first = json.loads((site / "search" / "first.json").read_text(encoding="utf-8"))
    frags = fragments(site)
    def rank(f: dict) -> int:  # what Pagefind's sort "name" reads: the rank on the home's page
        page = (site / f["url"].lstrip("/") / "index.html").read_text(encoding="utf-8")
        return int(re.search(r'data-pagefind-sort="name\[data-v\]" data-v="(\d+)"', page).group(1))  # type: ignore[union-attr]
    homes = sorted(frags.values(), key=rank)
    assert built_site[1].homes > FIRST_CARDS == len(first)
    assert first == [{"url": f["url"].lstrip("/"), "meta": f["meta"]} for f in homes[:FIRST_CARDS]]
    names = [c["meta"]["title"] for c in first]
    assert names == sorted(names, key=lambda n: (name_key(n), n))
    assert (site / "search" / "first.json").stat().st_size < 20 * 1024
    facets = json.loads((site / "search" / "facets.json").read_text(encoding="utf-8"))
    assert facets["homes"] == len(frags), "the page counts every home from facets.json, Pagefind lists them"


def test_first_cards_keep_the_name_order_and_leave_out_homes_not_indexed():
    views = [View("c", "Cedars", "M1"), View("b", "The Beeches", "HR1"), View("a", "aston house", None),
             View("z", "Zeal (not indexed)", "HR2")]
    cards = {slug: (f"en_{slug}", {"url": f"homes/{slug}/", "meta": {"title": slug}}) for slug in "abc"}
    assert first_cards(views, cards) == [cards["a"][1], cards["b"][1], cards["c"][1]]  # type: ignore[arg-type]
    many = [View(f"h{i:02}", f"Home {i:02}", "HR1") for i in range(FIRST_CARDS + 5)]
    got = first_cards(many, {v.slug: ("en", {"url": v.slug, "meta": {}}) for v in many})  # type: ignore[arg-type]
    assert [c["url"] for c in got] == [f"h{i:02}" for i in range(FIRST_CARDS)]


def test_first_cards_are_the_find_pages_first_page():
    script = (Path(__file__).parent.parent / "overrides" / "assets" / "directory-find.js").read_text(encoding="utf-8")
    assert f"const PAGE = {FIRST_CARDS};" in script


def test_gaps_are_the_first_number_then_the_steps():
    assert gaps([3, 4, 9]) == [3, 1, 5]
    assert gaps([0]) == [0]
    assert gaps([]) == []


def test_facet_index_holds_what_pagefind_holds_in_name_order(built_site):
    """search/facets/: each home numbered by Pagefind's "name" sort; each filter's values list exactly the homes
    whose fragment has that value; a card file per FACET_SHARD homes with their cards as their fragments have them."""
    site = built_site[0]
    folder, frags = site / "search" / "facets", fragments(site)
    def rank(f: dict) -> int:
        page = (site / f["url"].lstrip("/") / "index.html").read_text(encoding="utf-8")
        return int(re.search(r'data-pagefind-sort="name\[data-v\]" data-v="(\d+)"', page).group(1))  # type: ignore[union-attr]
    homes = sorted(frags.values(), key=rank)
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert index["homes"] == len(homes) and index["shard"] == FACET_SHARD
    cards = [c for n in range(-(-len(homes) // FACET_SHARD)) for c in json.loads((folder / f"c{n}.json").read_text(encoding="utf-8"))]
    assert cards == [{"url": f["url"].lstrip("/"), "meta": f["meta"]} for f in homes]
    assert set(index["filters"]) == {name for f in homes for name in f["filters"]}
    for name, n in index["filters"].items():
        values = json.loads((folder / f"f{n}.json").read_text(encoding="utf-8"))
        decoded = {v: [sum(g[:i + 1]) for i in range(len(g))] for v, g in values.items()}
        assert decoded == {v: [i for i, f in enumerate(homes) if v in f["filters"].get(name, [])]
                           for v in {v for f in homes for v in f["filters"].get(name, [])}}, name
    assert index["sorts"]["name"] is None  # name order is the numbering itself: no file
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["index.json"] + [f"f{n}.json" for n in index["filters"].values()] + [f"c{n}.json" for n in range(-(-len(cards) // FACET_SHARD))]
        + [f"s{n}.json" for n in index["sorts"].values() if n is not None])
    assert sum(p.stat().st_size for p in folder.iterdir()) < 120 * 1024
