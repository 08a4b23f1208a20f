"""Search: the find page's own index of the homes, and postcode districts for sorting by distance.

Everything is written from the build's own views (search_index: each home's card, filters and words), with
the homes numbered in the site's name order; a search loads only the files it needs, never the whole list:

- ``search/facets/``: ``index.json`` (the manifest), one file per filter (``f<n>.json``), per sort order
  (``s<n>.json``), per 16 result cards (``c<n>.json``) and per first two letters of a word (``w<key>.json``);
  directory-facets.js answers words, filters and sorts from them.
- ``search/near/<DISTRICT>.json``: each home as ``[number, latitude, longitude]``: with words or filters, the
  facet index says which homes match, these say where they are, and a card is loaded only for each home drawn.
- ``search/cards/<DISTRICT>.json``: each home's result card, ``{"url", "meta"}``, in the same order. A distance
  search with no words and no filters reads these for the nearest districts alone.

And two for the find page's first load:

- ``search/towns.json``: the town filter's names, suggested as a person types where there are too many
  for a list in the page (``finding.TOWN_SELECT_MAX``).
- ``search/first.json``: the first ``FIRST_CARDS`` homes A to Z, each card as above, so the find page opened
  with no words, filters or other order reads no index at all.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import math
import re
import shutil
from collections import Counter
from collections.abc import Hashable, Iterable
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from .face import face_of
from .finding import locality_word, name_key, position_of, prime_positions, site_words, sort_ranks, town_key, town_of, towns
from .fsutil import write_bytes_atomic, write_new
from .sources.postcodes import distance_km
from .kinds import kinds as all_kinds
from .jsontext import compact_bytes
from .ages import filled
from .search_index import WORD, card, filters, home_words

if TYPE_CHECKING:
    from .views import HomeView


def _middle(points: list[tuple[float, float]]) -> list[float]:
    """[latitude, longitude] of the points' middle (their mean, to 3 places), the number of points and the km from that
    middle to the farthest of them, rounded up to 0.1 km, so that no home of theirs is nearer a place than its
    distance to the middle less that: the find page loads every district and area that could hold a nearer home."""
    lat = round(sum(p[0] for p in points) / len(points), 3)
    lon = round(sum(p[1] for p in points) / len(points), 3)
    # sources.postcodes' haversine: its Earth 9 m larger than the find page's (km: 6371 km), never a shorter reach
    reach = max(distance_km(lat, lon, *p) for p in points)
    return [lat, lon, len(points), math.ceil(reach * 10 + 1e-9) / 10]


def _district_places(views: list["HomeView"]) -> dict[str, list[tuple[float, float]]]:
    """Postcode district (outward code) -> the positions of its homes (placed as place_of places them), A to Z."""
    places: dict[str, list[tuple[float, float]]] = {}
    prime_positions(views)
    for v in views:
        d = v.district
        if not d or (at := position_of(v)) is None:
            continue
        places.setdefault(d, []).append(at)
    return dict(sorted(places.items()))


def districts(views: list["HomeView"]) -> dict[str, list[float]]:
    """Postcode district (outward code) -> its homes' middle, their number and the km from it to the farthest
    (_middle)."""
    return {d: _middle(points) for d, points in _district_places(views).items()}


def postcode_area(district: str) -> str:
    """'HR1' -> 'HR'; 'M1' -> 'M'."""
    m = re.match(r"[A-Z]+", district)
    return m.group(0) if m else district


def write_districts(views: list["HomeView"], site_dir: Path) -> None:
    """search/areas.json (postcode area -> its homes' middle, their number and its reach: _middle) and
    search/districts/<AREA>.json (district -> the same), so a distance search fetches only the areas that could hold
    the nearest homes, not every district. An area's reach is its own: TN is 90 km across, and taking every area as
    40 km across left Sevenoaks's own homes out of a search from TN13 (the national review)."""
    folder = site_dir / "search" / "districts"
    folder.mkdir(parents=True, exist_ok=True)
    shards: dict[str, dict] = {}
    places: dict[str, list[tuple[float, float]]] = {}  # each area's homes' positions, its districts' together
    for d, points in _district_places(views).items():
        shards.setdefault(postcode_area(d), {})[d] = _middle(points)
        places.setdefault(postcode_area(d), []).extend(points)
    areas = {}
    for area, ds in sorted(shards.items()):
        areas[area] = _middle(places[area])
        (folder / f"{area}.json").write_text(json.dumps(ds, separators=(",", ":")), encoding="utf-8")
    (site_dir / "search" / "areas.json").write_text(json.dumps(areas, separators=(",", ":")), encoding="utf-8")


def known_counts(views: list[HomeView]) -> dict[str, int]:
    """For each find-page filter (keyed by its filter name, as in ``data-filter``, or its count key,
    as in ``data-known``: the face's facets), how many homes have given that fact at all, yes or no: 0 means
    no home has told us, not that no home can."""
    return _counts(views)[0]


def answerable_counts(views: list[HomeView]) -> dict[str, int]:
    """For each of known_counts' keys, how many homes are of a kind that gives that fact at all (the 44 care homes
    of Oldham's 104 services for "with nursing", a free bed or weekend admissions): what "n of total have told us"
    counts out of, so a fact only care homes give is never said to be untold by every home care agency."""
    return _answerable(views)[0]


def answering_kinds(views: list[HomeView]) -> dict[str, tuple[str, str]]:
    """For each of known_counts' keys that not every home answers (answerable_counts less than all), the one kind every
    home answering it is, as (one, many): ("care home", "care homes") for "with nursing" among Oldham's care homes and
    agencies (the 2 that are both among them), so that "known for 0 of 44" says 44 of what, and "no care home has
    told us" who has not; a key answered by homes of no one kind in common is left out (the site's words then serve).
    One pass over the views without reading a fact (nationally a few hundredths of a second)."""
    return _answerable(views)[1]


def _answerable(views: list[HomeView]) -> tuple[dict[str, int], dict[str, tuple[str, str]]]:
    """(answerable_counts, answering_kinds). Each page counts by its own kind's face: two kinds may share a filter
    (band_dementia), each by its own field; one dict of count keys for all the homes of the same kinds."""
    if not views:
        return {}, {}
    of = dict.fromkeys(face_of(views[0].s).known_values(), 0)  # the site's face: every kind's filters
    groups: dict[int, list[Any]] = {}
    for v in views:
        own = v.own_known_values()
        held = groups.get(id(own))
        if held is None:
            held = groups[id(own)] = [own, 0, set()]
        held[1] += 1
        held[2].update(k.id for k in v.kinds)  # the kinds it is (the views of one set of faces are of the same kinds)
    answering: dict[str, set[str]] = {}  # key -> the kinds every home that gives it is (a care home and agency is both)
    for own, n, of_kinds in groups.values():
        for key in own:
            of[key] += n
            answering[key] = answering[key] & of_kinds if key in answering else set(of_kinds)
    words = {k.id: (str(k.title).lower(), str(k.plural).lower()) for k in all_kinds(views[0].s)}
    return (dict(sorted(of.items())),
            {key: words[next(iter(ks))] for key, ks in sorted(answering.items()) if len(ks) == 1 and of[key] != len(views)})


def _counts(views: list[HomeView]) -> tuple[dict[str, int], dict[str, int], dict[str, tuple[str, str]]]:
    """(known_counts, answerable_counts, answering_kinds), in one pass: every count key of a home's own kinds, less
    those it has not told (untold: the same reading, made once a home while the views remember, for its filters too).
    A count whose fact requires a yes/no filter (face.json known[].requires: a bed with nursing free, of a home with
    nursing) is out of the homes that do not answer that filter no, and known of those: "1 of 91 homes" for a nursing
    bed counted the 59 homes CQC registers without nursing, which cannot have one (the accessibility review)."""
    of, answering = _answerable(views)
    known = dict(of)
    for key, n in Counter(chain.from_iterable(v.untold for v in views)).items():
        known[key] -= n
    for key, need in (face_of(views[0].s).requires if views else {}).items():
        if key not in of:
            continue
        for v in views:
            own = v.own_known_values()
            read = own.get(need)
            if key in own and read is not None and v.value(read) is False:  # it cannot have it
                of[key] -= 1
                if key not in v.untold:
                    known[key] -= 1
    return known, of, answering


def write_facets(views: list["HomeView"], site_dir: Path) -> None:
    """search/facets.json: which values the sorting filters have (the face's sorts with a filter), so the
    find page can sort by searching one band at a time without downloading every filter file to
    find out; ``homes`` and ``known`` (homes that have given each filter's fact at all) let it tell
    "no home has told us" from "no home matches"; ``of`` (answerable_counts, where not every home) is what a
    count is out of."""
    sorts = [s for s in face_of(views[0].s).sorts if s.filter and s.filter_value] if views else []
    facets: dict[str, Any] = {s.filter: {} for s in sorts if s.filter}
    for v in views:
        for s in sorts:
            value = v.value(s.filter_value or "")
            facets[s.filter or ""][value] = facets[s.filter or ""].get(value, 0) + 1
    facets["homes"] = len(views)
    known, of, answering = _counts(views)
    facets["known"] = known
    # out of how many each count is, where fewer than every home is of a kind that gives that fact, and of what kind
    facets["of"] = {key: n for key, n in of.items() if n != len(views)}
    facets["ofKinds"] = {key: list(words) for key, words in answering.items()}  # [one, many]: "care home", "care homes"
    (site_dir / "search").mkdir(exist_ok=True)
    (site_dir / "search" / "facets.json").write_text(json.dumps(facets, sort_keys=True, separators=(",", ":")), encoding="utf-8")


def write_towns(views: list["HomeView"], site_dir: Path) -> None:
    """search/towns.json: the town filter's names in the find page's order; with more than
    finding.TOWN_SELECT_MAX the page suggests from this file as a person types, rather than carrying them all."""
    names = sorted(towns(views).values(), key=town_key)
    (site_dir / "search").mkdir(exist_ok=True)
    (site_dir / "search" / "towns.json").write_text(json.dumps(names, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def place_of(view: "HomeView") -> tuple[str | None, float | None, float | None]:
    """A home's postcode district, latitude and longitude as search/near/ gives them (5 decimals; both None
    unless known). A home whose record gives no position (CQC's care directory file gives none) is placed at its
    postcode's, from OS Code-Point Open, as CQC's own positions are, so a distance search can find it; its own
    page still says its map position is not known."""
    at = position_of(view)
    if at is None:
        return view.district, None, None
    return view.district, round(at[0], 5), round(at[1], 5)


class Listed:
    """The homes on the find page (every view not closed) in the site's name order, each numbered by its place
    (the facet index's, search/near/'s and the word index's number), with its card, filters and words."""

    def __init__(self, views: list["HomeView"], cache: dict[str, tuple[Any, ...]] | None = None,
                 labels: dict[str, str] | None = None, held_on: dt.date | None = None,
                 filled: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] | None = None,
                 localities: dict[str, list[str]] | None = None) -> None:
        """``cache`` (serve's, and the build's kept listings: recall_listings): slug -> (view, town label, card,
        filters, words, A to Z key, place, sort values, staleness decisions) from an earlier listing, reused for a
        home whose view and town label are the same objects and text, and refilled. ``labels``: finding.towns(views),
        when the caller has them. ``held_on`` (the build's, to keep listings across days): each listing made here is
        made with its view held open (HomeView.held_open: ages as marks, each staleness decision noted, with those of
        the values a kept listing holds), its card's marks filled in on that day (``filled_card``) in ``cards``; ``filled``:
        slug -> (a listing of ``cache``, its card filled in on ``held_on``), for the kept listings (Recalled.filled),
        filled in once when they were read back. ``localities``: the council's localities named by postcode sectors
        (finding.sector_localities), whose names a home's words hold (listing_label)."""
        self.held_on = held_on
        names = recalled_values(views) if held_on is not None else []
        labels = towns(views) if labels is None else labels
        cache = {} if cache is None else cache
        prime_positions(v for v in views if (held := cache.get(v.slug)) is None or held[0] is not v)
        # A to Z (finding.a_to_z), each home's key kept in the cache with its view
        keys = {v.slug: held[5] if (held := cache.get(v.slug)) and held[0] is v else (name_key(v.name), v.slug) for v in views}
        self.views = sorted(views, key=lambda v: keys[v.slug])
        self.cards: list[dict[str, Any]] = []
        self.filters: list[dict[str, list[str]]] = []
        self.words: list[set[str]] = []
        self.places: list[tuple[str | None, float | None, float | None]] = []  # postcode district, latitude, longitude
        self.ranked: dict[str, dict[str, Any]] = {}  # slug -> each sort's value (sort_ranks), filled as asked, kept with the view
        for v in self.views:
            locality = locality_word(v, localities)
            label = _label_of(town_of(v, labels), locality)
            held = cache.get(v.slug)
            if held is None or held[0] is not v or held[1] != label:
                if held_on is None:
                    held = (v, label, card(v, labels), filters(v, labels), home_words(v, labels, locality), keys[v.slug],
                            place_of(v), {}, None)
                else:
                    with v.held_open() as decided:
                        held = (v, label, card(v, labels), filters(v, labels), home_words(v, labels, locality), keys[v.slug],
                                place_of(v), {}, decided)
                        # the values a kept listing holds (listing_text): their decisions noted too
                        values = {name: v.value(name) for name in names}
                        untold = v.untold
                    # and remembered outside as a kept listing's are (Recalled), not worked out again for the counts,
                    # the facets, the sorts and listing_text (nationally about 0.3 s of a first build's CPU)
                    v.recall(untold, values)
                cache[v.slug] = held
            self.places.append(held[6])
            self.ranked[v.slug] = held[7]
            if held_on is None:
                self.cards.append(held[2])
            else:
                done = filled.get(v.slug) if filled else None
                self.cards.append(done[1] if done is not None and done[0] is held else filled_card(held[2], held_on))
            self.filters.append(held[3])
            self.words.append(held[4])
        for slug in set(cache) - {v.slug for v in self.views}:
            del cache[slug]


def listing_label(view: "HomeView", labels: dict[str, str], localities: dict[str, list[str]] | None) -> str | None:
    """What a home's listing is made from besides its view, by which an earlier one is known to be the same: its town's
    label (finding.town_of) and the name of the locality named by postcode sectors it is in (finding.locality_word)."""
    return _label_of(town_of(view, labels), locality_word(view, localities))


def _label_of(town: str | None, locality: str | None) -> str | None:
    """listing_label from the home's town label and its sector locality's name, each worked out once."""
    return town if locality is None else f"{town or ''}\0{locality}"


def filled_card(card: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """A result card made held open (Listed's ``held_on``) with its ages worded on ``today``: in its meta's text and in
    the card the find page draws (views.card_meta: base64 of JSON, decoded to be filled in). ValueError when its card
    is not base64 or a mark is left in it (not one age_mark makes: a kept listing damaged, made again: _listing)."""
    meta: dict[str, str] = {}
    for key, value in card["meta"].items():
        raw = base64.b64decode(value, validate=True) if key == "card" else value.encode("utf-8")
        done = filled(raw, today)
        if done is None:
            raise ValueError(f"a mark is left in the card's {key}")
        meta[key] = value if done is raw else base64.b64encode(done).decode("ascii") if key == "card" else done.decode("utf-8")
    return {"url": card["url"], "meta": meta}


def _fills(card: dict[str, Any], today: dt.date) -> dict[str, Any] | None:
    """A kept card filled in on ``today`` (``filled_card``), or None when it is not one that can be."""
    try:
        return filled_card(card, today)
    except ValueError:
        return None


def near_summaries(listed: Listed) -> dict[str, list[list[Any]]]:
    """Postcode district -> its homes, each ``[number, latitude, longitude]`` (the number is the home's place in
    the site's name order, which breaks ties in distance; position ``None`` when not known), in that order."""
    out: dict[str, list[list[Any]]] = {}
    for number, (district, lat, lon) in enumerate(listed.places):
        if district:
            out.setdefault(district, []).append([number, lat, lon])
    return dict(sorted(out.items()))


def write_near(listed: Listed, site_dir: Path, in_place: bool = False, held: dict[str, Any] | None = None) -> int:
    """search/near/<DISTRICT>.json and search/cards/<DISTRICT>.json for every postcode district with homes, in
    the same order (a district no home is in any longer has none); returns how many districts."""
    summaries = near_summaries(listed)
    for kind in ("near", "cards"):
        _clear(site_dir / "search" / kind, {f"{d}.json" for d in summaries}, held)
    for district, homes in summaries.items():
        put(site_dir / "search" / "near" / f"{district}.json", homes, in_place, held)
        put(site_dir / "search" / "cards" / f"{district}.json", [listed.cards[h[0]] for h in homes], in_place, held)
    return len(summaries)


def put(path: Path, value: Any, in_place: bool = False, held: dict[str, Any] | None = None) -> bool:
    """Write ``value`` as compact JSON to ``path``; ``in_place`` (serve's update of a live site): only when its
    bytes changed, and atomically, so the find page never reads half a file. ``held`` (serve's, with
    ``in_place``): path -> the value last written there; a value equal to it is not even made into JSON
    (nationally most of the 5,500 files an edit leaves as they were). Whether it wrote."""
    key = str(path)
    if held is not None and key in held and held[key] == value:
        return False
    data = compact_bytes(value)
    if not in_place:
        write_new(key, data)
        return True
    try:
        same = path.read_bytes() == data
    except OSError:
        same = False
    if not same:
        write_bytes_atomic(path, data)
    if held is not None:  # only once the file holds it: a failed write is tried again at the next update
        held[key] = value
    return not same


def _clear(folder: Path, keep: set[str], held: dict[str, Any] | None = None) -> None:
    """Make ``folder`` and remove its JSON files not named in ``keep`` (left from an earlier build or update)."""
    if folder.exists():
        for old in folder.glob("*.json"):
            if old.name not in keep:
                old.unlink()
                if held is not None:
                    held.pop(str(old), None)
    folder.mkdir(parents=True, exist_ok=True)


FIRST_CARDS = 20  # the find page's first page of results (PAGE in directory-find.js)


def first_cards(listed: Listed) -> list[dict[str, Any]]:
    """The result cards of the first FIRST_CARDS homes in the site's name order (the find page's default order)."""
    return listed.cards[:FIRST_CARDS]


def write_first(listed: Listed, site_dir: Path, in_place: bool = False, held: dict[str, Any] | None = None) -> None:
    """search/first.json: the find page's first results, so its first load reads no index."""
    put(site_dir / "search" / "first.json", first_cards(listed), in_place, held)


FACET_SHARD = 16  # homes a card file holds (search/facets/c<n>.json): a page of 20 results reads a few small files


def gaps(ranks: list[int]) -> list[int]:
    """Sorted ranks as their first value then the gaps between them ([3, 4, 9] -> [3, 1, 5]): short numbers gzip well."""
    return [b - a for a, b in zip([0, *ranks[:-1]], ranks, strict=True)] if ranks else []


def word_shard(word: str) -> str:
    """The word index file a word is in: its first two characters (search/facets/w<key>.json)."""
    return word[:2]


def homes_by_rank(ranks: dict[str, dict[str, int]], number: dict[str, int]) -> dict[str, list[int]]:
    """Sort key -> the numbers of the homes ranked in it (finding.sort_ranks: slug -> {key: rank}), by rank: one
    pass over the ranks (not one pass and a sort of every home a key)."""
    at: dict[str, dict[int, int]] = {}
    for slug, own in ranks.items():
        n = number[slug]
        for key, rank in own.items():
            held = at.get(key)
            if held is None:
                held = at[key] = {}
            held[rank] = n
    return {key: [held[r] for r in sorted(held)] for key, held in at.items()}


def homes_by_value(listed: Listed) -> tuple[dict[str, dict[str, list[int]]], dict[str, dict[str, list[int]]]]:
    """Filter -> value -> the numbers of the homes with it, and word file key -> word -> the numbers of the homes
    found by it, each in number order (facet_index sorts every key and value as it writes them)."""
    by_filter: dict[str, dict[str, list[int]]] = {}
    for i, own in enumerate(listed.filters):  # no (filter, value) pair made a value: nationally 460,000 of them
        for name, values in own.items():
            held = by_filter.get(name)
            if held is None:
                held = by_filter[name] = {}
            for value in values:
                homes = held.get(value)
                if homes is None:
                    held[value] = [i]
                else:
                    homes.append(i)
    by_word: dict[str, dict[str, list[int]]] = {}
    for word, homes in _numbers(listed.words).items():
        by_word.setdefault(word_shard(word), {})[word] = homes
    return by_filter, by_word


def _numbers(each: Iterable[Iterable[Hashable]]) -> dict[Any, list[int]]:
    """Key -> the numbers (places in ``each``) of the homes that have it, in number order: one dict lookup a key."""
    out: dict[Any, list[int]] = {}
    for i, keys in enumerate(each):
        for key in keys:
            homes = out.get(key)
            if homes is None:
                out[key] = [i]
            else:
                homes.append(i)
    return out


def facet_index(listed: Listed) -> dict[str, Any]:
    """The find page's own index, from the build's views and sort ranks. Homes are numbered in the site's name
    order. Returns ``{"manifest", "filters", "sorts", "cards", "words"}``:

    - manifest: ``{"homes", "shard", "filters": {filter: file number}, "sorts": {sort key: file number or
      null for name order}, "words": [word file keys]}``;
    - filters: per file number, ``{value: gaps of the numbers of the homes with it}``;
    - sorts: per file number, the numbers of the homes with a value for that sort, in its order;
    - cards: per shard, the result cards (``{"url", "meta"}``, search_index.card) of FACET_SHARD homes;
    - words: word file key -> ``{word: gaps of the numbers of the homes found by it}`` (search_index.home_words)."""
    ordered = listed.views
    number = {v.slug: i for i, v in enumerate(ordered)}
    by_filter, by_word = homes_by_value(listed)
    names = sorted(by_filter)
    ranked = listed.ranked

    def value_of(v: "HomeView", rank: str) -> Any:
        own = ranked[v.slug]
        if rank not in own:
            own[rank] = v.value(rank)
        return own[rank]

    ranks = sort_ranks(ordered, in_order=True, value_of=value_of)
    placed = homes_by_rank(ranks, number)
    sorts: list[list[int]] = []
    sort_files: dict[str, int | None] = {}
    for key in sorted(placed):
        order = placed[key]
        if order == list(range(len(ordered))):
            sort_files[key] = None  # the name order: no file
        else:
            sort_files[key] = len(sorts)
            sorts.append(order)
    cards = [listed.cards[i:i + FACET_SHARD] for i in range(0, len(ordered), FACET_SHARD)]
    return {"manifest": {"homes": len(ordered), "shard": FACET_SHARD, "filters": {n: i for i, n in enumerate(names)},
                         "sorts": sort_files, "words": sorted(by_word)},
            "filters": [{value: gaps(homes) for value, homes in sorted(by_filter[n].items())} for n in names],
            "sorts": sorts, "cards": cards,
            "words": {key: {w: gaps(homes) for w, homes in sorted(found.items())} for key, found in sorted(by_word.items())}}


def facet_files(listed: Listed) -> dict[str, Any]:
    """search/facets/'s files by name: index.json (the manifest), f<n>.json (a filter's values), s<n>.json (a
    sort's order), c<n>.json (cards) and w<key>.json (words), as facet_index makes them."""
    index = facet_index(listed)
    files: dict[str, Any] = {"index.json": index["manifest"]}
    for prefix, key in (("f", "filters"), ("s", "sorts"), ("c", "cards")):
        files.update({f"{prefix}{i}.json": value for i, value in enumerate(index[key])})
    files.update({f"w{key}.json": value for key, value in index["words"].items()})
    return files


def write_facet_index(listed: Listed, site_dir: Path, in_place: bool = False, held: dict[str, Any] | None = None) -> int:
    """search/facets/ (facet_files), replacing any earlier; returns how many files."""
    files = facet_files(listed)
    folder = site_dir / "search" / "facets"
    _clear(folder, set(files), held)
    for name, value in files.items():
        put(folder / name, value, in_place, held)
    return len(files)


def write_search(views: list["HomeView"], site_dir: Path, index: bool = True,
                 localities: dict[str, list[str]] | None = None) -> str:
    """The search stage (views: the homes on the find page): postcode districts, sorting facets, towns and
    (with ``index``; ``build --no-search`` skips it) the find page's own index. Returns what was done, for the build's summary line.
    Each home's listing is taken as kept from an earlier build where it can be (recall_listings; the views must
    remember, as the pipeline's do), and the others are kept for the next. ``localities``: Listed's."""
    recalled = recall_listings(views, localities) if index else None
    if recalled is not None:
        try:
            return _write_search(views, site_dir, index, recalled, localities)
        except Exception:  # a kept listing the checks let by that the index could not take: every one made afresh
            for v in views:
                v.forget()
            shutil.rmtree(site_dir / "search", ignore_errors=True)
            recalled.drop()
    return _write_search(views, site_dir, index, recalled, localities)


def _write_search(views: list["HomeView"], site_dir: Path, index: bool, recalled: Recalled | None,
                  localities: dict[str, list[str]] | None = None) -> str:
    # the index first: a listing made held open to be kept (Listed's held_on) leaves its untold and values remembered,
    # which the facets' counts and sorts then read rather than work out again
    files = write_index(views, site_dir, recalled.cache if recalled else None, labels=recalled.labels if recalled else None,
                        held_on=views[0].today if recalled else None,
                        filled=recalled.filled if recalled else None, localities=localities) if index and views else 0
    write_districts(views, site_dir)
    write_facets(views, site_dir)
    write_towns(views, site_dir)
    if not index:
        return "not indexed"
    if not views:
        return "no search index (no homes)"
    if recalled:
        recalled.keep(views)
    return f"search index of {site_words(views).count(len(views))} ({files} files)"


def ranked_values(views: list["HomeView"]) -> list[str]:
    """The values finding.sort_ranks orders homes by (each sort's rank field but the name's): numbers."""
    return [s.rank for s in face_of(views[0].s).sorts if s.rank and s.rank != "name"] if views else []


def recalled_values(views: list["HomeView"]) -> list[str]:
    """What a kept listing holds of a home's values (by ``HomeView.value``'s names), besides its card, filters and
    words: each sort's filter value (write_facets) and each sort's rank field (ranked_values)."""
    sorts = face_of(views[0].s).sorts if views else []
    return list(dict.fromkeys([*(s.filter_value for s in sorts if s.filter and s.filter_value), *ranked_values(views)]))


_SCALARS = (str, int, float, bool)
_STR, _LIST = frozenset((str,)), frozenset((list,))


def _texts(value: Any) -> bool:
    """Whether ``value`` is a list of text only."""
    return type(value) is list and set(map(type, value)) <= _STR


def listing_text(held: tuple[Any, ...], view: "HomeView", names: list[str], ranks: list[str]) -> str | None:
    """A home's listing as kept (JSON: card, filters, words, A to Z key, untold, ``names``' values, of which
    ``ranks`` are numbers, and the staleness decisions it holds on), from its entry in Listed's cache, made held open
    (Listed's ``held_on``); None when it holds what JSON would not give back as it is (a date, a number that is not
    finite, a key that is not text, text that is not Unicode), or was not made held open. Written by orjson (a
    fifth of the CPU of json.dumps), and not read back here to see whether a later build could take it: the build
    that reads it checks it whole (``_listing``) and makes afresh any it cannot take, as it would one never kept
    (nationally, on a first build, reading each back was 1.3 s of CPU at the end of the find page's index)."""
    if held[8] is None:
        return None
    values = {name: view.value(name) for name in names}
    if any(type(x) is float and not math.isfinite(x) for x in values.values()):  # orjson would write null
        return None
    try:
        return orjson.dumps([held[2], held[3], sorted(held[4]), held[5][0], view.untold, values, held[8]],
                            default=_not_kept, option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS).decode("utf-8")
    except TypeError:  # a value JSON has no type for (orjson.JSONEncodeError is a TypeError)
        return None


def _not_kept(value: Any) -> Any:
    raise TypeError("not a JSON value")


def _listing(text: str, view: "HomeView", label: str | None, names: list[str],
             ranks: list[str]) -> tuple[tuple[Any, ...], list[str], dict[str, Any], dict[str, Any]] | None:
    """A kept listing (listing_text) as Listed's cache entry for ``view`` (whose town label is ``label``) with its
    untold, its values and its card filled in on the view's day (filled_card); None unless every part has the exact
    shape and types listing_text writes (a kept file is not trusted to), each word is one the find page could be
    searched by (no "/" to put into a file's name), each untold fact one of the home's own kinds' and each of
    ``ranks`` a number; and when the staleness decisions it holds on are not the same on the view's day
    (HomeView.holds_on). Its place (postcode district and position, part of file names) is read from the view
    again, not kept."""
    from .checkcache import decided_of

    try:
        t = orjson.loads(text)  # a third of json.loads' CPU (nationally 15,403 listings a build)
    except orjson.JSONDecodeError:
        return None
    if type(t) is not list or len(t) != 7:
        return None
    card, own, found, key, untold, values, decisions = t
    decided = decided_of(decisions)
    if decided is None or not view.holds_on(decided):
        return None
    if not (type(card) is dict and list(card) == ["url", "meta"] and type(card["url"]) is str
            and type(meta := card["meta"]) is dict and set(map(type, meta.values())) <= _STR and "card" in meta
            and (done := _fills(card, view.today)) is not None
            and type(own) is dict and set(map(type, own.values())) <= _LIST
            and set(map(type, chain.from_iterable(own.values()))) <= _STR
            and _texts(found) and all(map(WORD.fullmatch, found)) and type(key) is str
            and _texts(untold) and set(untold) <= view.own_known_values().keys()
            and type(values) is dict and list(values) == names
            and all(x is None or type(x) in _SCALARS for x in values.values())
            and all(values[n] is None or type(values[n]) in (int, float) for n in ranks)):
        return None
    return (view, label, card, own, set(found), (key, view.slug), place_of(view), {}, decided), untold, values, done


class Recalled:
    """The build's kept listings for one write_search: Listed's cache filled from the store for the homes whose
    listing is kept (their untold and values put in their views' memory: HomeView.recall), and ``keep`` to store
    the others' once the index is written."""

    def __init__(self, views: list["HomeView"], store: Path, localities: dict[str, list[str]] | None = None) -> None:
        from . import checkcache

        self.store, self.labels, self.names, self.ranks = store, towns(views), recalled_values(views), ranked_values(views)
        first = views[0]
        shared = repr(("find page listing", first.repo_edit, sorted(first.limits.items())))
        town = {v.slug: listing_label(v, self.labels, localities) for v in views}
        self.keys = {v.slug: checkcache.page_name(f"{shared}\0{town[v.slug]!r}", v.d, v.checked_on) for v in views}
        self.cache: dict[str, tuple[Any, ...]] = {}
        self.filled: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}  # slug -> (its kept listing, its card filled in)
        for start in range(0, len(views), checkcache.BATCH):
            batch = views[start:start + checkcache.BATCH]
            found = checkcache.read_listings(store, [self.keys[v.slug] for v in batch], first.today)
            for v in batch:
                text = found.get(self.keys[v.slug])
                made = _listing(text, v, town[v.slug], self.names, self.ranks) if text is not None else None
                if made is not None:
                    self.cache[v.slug] = made[0]
                    self.filled[v.slug] = (made[0], made[3])
                    v.recall(made[1], made[2])
        self.kept = dict(self.cache)  # what Listed will find (it refills the rest)

    def drop(self) -> None:
        """Take none of the kept listings after all (the index is to be made afresh), and keep every one anew."""
        self.cache.clear()
        self.kept.clear()
        self.filled.clear()

    def keep(self, views: list["HomeView"]) -> None:
        """Store the listings made afresh in this build (those Listed's cache now holds that were not kept)."""
        from . import checkcache

        rows = []
        for v in views:
            held = self.cache.get(v.slug)
            if held is not None and self.kept.get(v.slug) is not held:
                text = listing_text(held, v, self.names, self.ranks)
                if text is not None:
                    rows.append((self.keys[v.slug], text))
        for start in range(0, len(rows), checkcache.BATCH):
            checkcache.write_listings(self.store, rows[start:start + checkcache.BATCH], views[0].today)


def recall_listings(views: list["HomeView"], localities: dict[str, list[str]] | None = None) -> Recalled | None:
    """The kept listings of these views (Recalled), or None when nothing can be kept: no views, no cache (checkcache),
    or views not made alike (views_alike). ``localities``: Listed's."""
    from . import checkcache
    from .views import views_alike

    if not views or not views_alike(views):
        return None
    store = checkcache.open_listings(views[0].today)
    return Recalled(views, store, localities) if store is not None else None


def write_index(views: list["HomeView"], site_dir: Path, cache: dict[str, tuple[Any, ...]] | None = None,
                in_place: bool = False, held: dict[str, Any] | None = None, labels: dict[str, str] | None = None,
                held_on: dt.date | None = None, filled: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] | None = None,
                localities: dict[str, list[str]] | None = None) -> int:
    """What the find page's searches read, from one listing of the homes: the distance search's district files,
    the first results and the facet and word index (a full build, and serve's update with its ``cache`` of
    listings, ``in_place``, and ``held``, each file's value as last written: ``put``); returns how many files.
    ``held_on``: listings made held open and filled in on that day (Listed), as the build keeps them; ``filled``: the
    kept listings' cards filled in (Recalled.filled); ``localities``: Listed's."""
    listed = Listed(views, cache, labels, held_on, filled, localities)
    districts_written = write_near(listed, site_dir, in_place, held)
    write_first(listed, site_dir, in_place, held)
    return 2 * districts_written + 1 + write_facet_index(listed, site_dir, in_place, held)
