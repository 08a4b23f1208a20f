"""Search: a Pagefind index of the home pages, and postcode districts for sorting by distance.

Pagefind splits its index into small chunks, so a search or a filter on 15,000 homes fetches
tens of kilobytes rather than the whole list. Only pages marked ``data-pagefind-body`` (the
home pages) are indexed.

A distance search on a big site needs the position of each home near the person, not Pagefind's
whole index. After indexing, two small files per postcode district are written from Pagefind's own
fragments (so they say exactly what a search result says):

- ``search/cards/<DISTRICT>.json``: each home's result card, ``{"url", "meta"}`` as in its fragment.
  A distance search with no words and no filters reads these for the nearest districts and does
  not load Pagefind at all (its index of 15,000 pages alone is over 240 KB).
- ``search/near/<DISTRICT>.json``: each home as ``[Pagefind page id, latitude, longitude, A to Z rank]``.
  With words or filters, Pagefind says which homes match (its results' ids, no fragment loaded),
  these say where they are, and a fragment is loaded only for each home drawn.

And two for the find page's first load:

- ``search/towns.json``: the town filter's names, suggested as a person types where there are too many
  for a list in the page (``finding.TOWN_SELECT_MAX``).
- ``search/first.json``: the first ``FIRST_CARDS`` homes A to Z, each card as in its fragment. The find
  page opened with no words, filters or other order shows these and loads Pagefind (its WebAssembly,
  script and index, over half the page's weight) only when a search or "Show more" needs it.
"""
from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .face import face_of
from .finding import a_to_z, sort_ranks, town_key, towns

if TYPE_CHECKING:
    from .views import HomeView


def districts(views: list["HomeView"]) -> dict[str, list[float]]:
    """Postcode district (outward code) -> mean latitude, longitude and number of homes."""
    sums: dict[str, list[float]] = {}
    for v in views:
        lat, lon, d = v.get("address.latitude"), v.get("address.longitude"), v.district
        if lat is None or lon is None or not d:
            continue
        s = sums.setdefault(d, [0.0, 0.0, 0])
        s[0] += lat
        s[1] += lon
        s[2] += 1
    return {d: [round(a / n, 3), round(b / n, 3), int(n)] for d, (a, b, n) in sorted(sums.items())}


def postcode_area(district: str) -> str:
    """'HR1' -> 'HR'; 'M1' -> 'M'."""
    m = re.match(r"[A-Z]+", district)
    return m.group(0) if m else district


def write_districts(views: list["HomeView"], site_dir: Path) -> None:
    """search/areas.json (postcode area -> centre) and search/districts/<AREA>.json (district -> centre,
    homes), so a distance search fetches only the areas near the person, not every district."""
    folder = site_dir / "search" / "districts"
    folder.mkdir(parents=True, exist_ok=True)
    shards: dict[str, dict] = {}
    for d, value in districts(views).items():
        shards.setdefault(postcode_area(d), {})[d] = value
    areas = {}
    for area, ds in sorted(shards.items()):
        n = sum(v[2] for v in ds.values())
        areas[area] = [round(sum(v[0] * v[2] for v in ds.values()) / n, 3), round(sum(v[1] * v[2] for v in ds.values()) / n, 3), n]
        (folder / f"{area}.json").write_text(json.dumps(ds, separators=(",", ":")), encoding="utf-8")
    (site_dir / "search" / "areas.json").write_text(json.dumps(areas, separators=(",", ":")), encoding="utf-8")


def known_counts(views: list[HomeView]) -> dict[str, int]:
    """For each find-page filter (keyed by its Pagefind filter name, as in ``data-filter``, or its count key,
    as in ``data-known``: the face's facets), how many homes have given that fact at all, yes or no: 0 means
    no home has told us, not that no home can."""
    if not views:
        return {}
    known = dict.fromkeys(face_of(views[0].s).known_values(), 0)  # the site's face: every kind's filters
    for v in views:  # each page by its own kind's face: two kinds may share a filter (band_dementia), each by its own field
        for key, value in v.own_known_values().items():
            known[key] += v.value(value) is not None
    return dict(sorted(known.items()))


def write_facets(views: list["HomeView"], site_dir: Path) -> None:
    """search/facets.json: which values the sorting filters have (the face's sorts with a filter), so the
    find page can sort by searching one band at a time without downloading every Pagefind filter file to
    find out; ``homes`` and ``known`` (homes that have given each filter's fact at all) let it tell
    "no home has told us" from "no home matches"."""
    sorts = [s for s in face_of(views[0].s).sorts if s.filter and s.filter_value] if views else []
    facets: dict[str, Any] = {s.filter: {} for s in sorts if s.filter}
    for v in views:
        for s in sorts:
            value = v.value(s.filter_value or "")
            facets[s.filter or ""][value] = facets[s.filter or ""].get(value, 0) + 1
    facets["homes"] = len(views)
    facets["known"] = known_counts(views)
    (site_dir / "search").mkdir(exist_ok=True)
    (site_dir / "search" / "facets.json").write_text(json.dumps(facets, sort_keys=True, separators=(",", ":")), encoding="utf-8")


def write_towns(views: list["HomeView"], site_dir: Path) -> None:
    """search/towns.json: the town filter's names in the find page's order; with more than
    finding.TOWN_SELECT_MAX the page suggests from this file as a person types, rather than carrying them all."""
    names = sorted(towns(views).values(), key=town_key)
    (site_dir / "search").mkdir(exist_ok=True)
    (site_dir / "search" / "towns.json").write_text(json.dumps(names, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def index_site(site_dir: Path, output: Path | None = None) -> str:
    """Run Pagefind over the built site's home pages, into ``site_dir/pagefind`` (or ``output``); returns its
    summary line."""
    proc = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site_dir), "--force-language", "en",
                           "--glob", "homes/**/*.html", *(["--output-path", str(output)] if output else [])],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"pagefind failed:\n{proc.stdout}\n{proc.stderr}")
    found = re.findall(r"Indexed (\d+) pages?", proc.stdout)
    return f"Pagefind indexed {found[-1] if found else '?'} pages"


FRAGMENT_SIGNATURE = b"pagefind_dcd"  # Pagefind's fragments: gzip of this signature then the page's JSON
HOME_URL = re.compile(r"(?:.*/)?homes/([a-z0-9]+(?:-[a-z0-9]+)*)/(?:index\.html)?")


def home_fragments(site_dir: Path, filters: dict[str, dict[str, list[str]]] | None = None
                   ) -> dict[str, tuple[str, dict[str, Any]]]:
    """Home slug -> (its Pagefind page id, its result card ``{"url", "meta"}``), read from the fragments
    Pagefind wrote into ``site_dir/pagefind/fragment`` (the page id, a search result's ``id``, is the
    fragment's file name; the url is made relative to the site, without its leading slash). ``filters``,
    when given, is filled with each home's Pagefind filters (slug -> {filter: [values]})."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for f in sorted((site_dir / "pagefind" / "fragment").glob("*.pf_fragment")):
        raw = gzip.decompress(f.read_bytes())
        if raw.startswith(FRAGMENT_SIGNATURE):
            raw = raw[len(FRAGMENT_SIGNATURE):]
        fragment = json.loads(raw)
        url = str(fragment.get("url", ""))
        m = HOME_URL.fullmatch(url)
        if m:
            out[m.group(1)] = (f.name[:-len(".pf_fragment")], {"url": url.lstrip("/"), "meta": fragment.get("meta") or {}})
            if filters is not None:
                filters[m.group(1)] = fragment.get("filters") or {}
    return out


def near_summaries(views: list["HomeView"], ids: dict[str, str]) -> dict[str, list[list[Any]]]:
    """Postcode district -> its homes, each ``[Pagefind id, latitude, longitude, A to Z rank]`` (position
    ``None`` when not known; the rank is the home's place in the site's name order, which breaks ties in
    distance, in fewer bytes than its name), in that order. A home Pagefind has no page for is a build
    error, since the find page would never show it in a distance search."""
    missing = sorted(v.slug for v in views if v.district and v.slug not in ids)
    if missing:
        raise RuntimeError(f"the search index has no page for {len(missing)} home(s): {', '.join(missing[:10])}; "
                           "rebuild the site (Pagefind indexes homes/<slug>/index.html)")
    out: dict[str, list[list[Any]]] = {}
    for rank, v in enumerate(a_to_z(views)):
        if not v.district:
            continue
        lat, lon = v.get("address.latitude"), v.get("address.longitude")
        placed = lat is not None and lon is not None
        out.setdefault(v.district, []).append([ids[v.slug], round(lat, 5) if placed else None,
                                               round(lon, 5) if placed else None, rank])
    return dict(sorted(out.items()))


def write_near(views: list["HomeView"], site_dir: Path,
               fragments: dict[str, tuple[str, dict[str, Any]]] | None = None) -> int:
    """search/near/<DISTRICT>.json and search/cards/<DISTRICT>.json for every postcode district with
    homes (after Pagefind has run; ``fragments`` as home_fragments reads them), in the same order;
    returns how many districts."""
    fragments = home_fragments(site_dir) if fragments is None else fragments
    summaries = near_summaries(views, {slug: pid for slug, (pid, _) in fragments.items()})
    card_of = {pid: card for pid, card in fragments.values()}
    for kind in ("near", "cards"):
        (site_dir / "search" / kind).mkdir(parents=True, exist_ok=True)
    for district, homes in summaries.items():
        cards = [card_of[h[0]] for h in homes]
        for kind, value in (("near", homes), ("cards", cards)):
            (site_dir / "search" / kind / f"{district}.json").write_text(
                json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return len(summaries)


FIRST_CARDS = 20  # the find page's first page of results (PAGE in directory-find.js)


def first_cards(views: list["HomeView"], fragments: dict[str, tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """The result cards of the first FIRST_CARDS homes in the site's name order (the find page's default
    order, Pagefind's sort "name"), as their fragments have them; homes Pagefind has no page for are left out."""
    return [fragments[v.slug][1] for v in a_to_z(views) if v.slug in fragments][:FIRST_CARDS]


def write_first(views: list["HomeView"], site_dir: Path,
                fragments: dict[str, tuple[str, dict[str, Any]]] | None = None) -> None:
    """search/first.json: the find page's first results, so its first load needs no Pagefind (after Pagefind has run)."""
    cards = first_cards(views, home_fragments(site_dir) if fragments is None else fragments)
    (site_dir / "search" / "first.json").write_text(json.dumps(cards, ensure_ascii=False, separators=(",", ":")),
                                                    encoding="utf-8")


FACET_SHARD = 16  # homes a card file holds (search/facets/c<n>.json): a page of 20 results reads a few small files


def gaps(ranks: list[int]) -> list[int]:
    """Sorted ranks as their first value then the gaps between them ([3, 4, 9] -> [3, 1, 5]): short numbers gzip well."""
    return [r - (ranks[i - 1] if i else 0) for i, r in enumerate(ranks)]


def facet_index(views: list["HomeView"], fragments: dict[str, tuple[str, dict[str, Any]]],
                filters: dict[str, dict[str, list[str]]]) -> dict[str, Any]:
    """The find page's own index for searches with filters and no words, from Pagefind's fragments (so a
    filter means exactly what it means to Pagefind: ``filters`` as home_fragments fills it) and the build's sort ranks. Homes are numbered in
    the site's name order (those Pagefind has a page for). Returns ``{"manifest", "filters", "sorts", "cards"}``:

    - manifest: ``{"homes", "shard", "filters": {filter: file number}, "sorts": {sort key: file number or
      null for name order}}``;
    - filters: per file number, ``{value: gaps of the numbers of the homes with it}``;
    - sorts: per file number, the numbers of the homes with a value for that sort, in its order;
    - cards: per shard, the result cards (``{"url", "meta"}`` as in the fragments) of FACET_SHARD homes."""
    ordered = [v for v in a_to_z(views) if v.slug in fragments]
    number = {v.slug: i for i, v in enumerate(ordered)}
    by_filter: dict[str, dict[str, list[int]]] = {}
    for i, v in enumerate(ordered):
        for name, values in sorted((filters.get(v.slug) or {}).items()):
            for value in values:
                by_filter.setdefault(name, {}).setdefault(str(value), []).append(i)
    names = sorted(by_filter)
    ranks = sort_ranks(ordered)
    keys = sorted({key for r in ranks.values() for key in r})
    sorts: list[list[int]] = []
    sort_files: dict[str, int | None] = {}
    for key in keys:
        order = [number[slug] for slug, _ in sorted(((s, r[key]) for s, r in ranks.items() if key in r), key=lambda x: x[1])]
        if order == list(range(len(ordered))):
            sort_files[key] = None  # the name order: no file
        else:
            sort_files[key] = len(sorts)
            sorts.append(order)
    cards = [[fragments[v.slug][1] for v in ordered[i:i + FACET_SHARD]] for i in range(0, len(ordered), FACET_SHARD)]
    return {"manifest": {"homes": len(ordered), "shard": FACET_SHARD, "filters": {n: i for i, n in enumerate(names)},
                         "sorts": sort_files},
            "filters": [{value: gaps(homes) for value, homes in sorted(by_filter[n].items())} for n in names],
            "sorts": sorts, "cards": cards}


def write_facet_index(views: list["HomeView"], site_dir: Path,
                      fragments: dict[str, tuple[str, dict[str, Any]]] | None = None,
                      filters: dict[str, dict[str, list[str]]] | None = None) -> int:
    """search/facets/: index.json (the manifest), f<n>.json (a filter's values), s<n>.json (a sort's order) and
    c<n>.json (cards), as facet_index makes them (after Pagefind has run); returns how many files."""
    if fragments is None or filters is None:
        filters = {}
        fragments = home_fragments(site_dir, filters)
    index = facet_index(views, fragments, filters)
    folder = site_dir / "search" / "facets"
    if folder.exists():
        for old in folder.glob("*.json"):
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    files = {"index.json": index["manifest"]}
    for prefix in ("f", "s", "c"):
        key = {"f": "filters", "s": "sorts", "c": "cards"}[prefix]
        files.update({f"{prefix}{i}.json": value for i, value in enumerate(index[key])})
    for name, value in files.items():
        (folder / name).write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return len(files)


def write_search(views: list["HomeView"], site_dir: Path, index: bool = True) -> str:
    """The search stage: postcode districts, sorting facets and (with ``index``) the Pagefind index.
    Returns what was done, for the build's summary line."""
    write_districts(views, site_dir)
    write_facets(views, site_dir)
    write_towns(views, site_dir)
    if not index:
        return "not indexed"
    if not views:
        return "no search index (no homes)"
    done = index_site(site_dir)
    write_from_index(views, site_dir)
    return done


def write_from_index(views: list["HomeView"], site_dir: Path) -> None:
    """What is made from Pagefind's index once it has run, from one reading of its fragments: the distance
    search's district files, the first results and the facet index (a full build and serve's update alike)."""
    filters: dict[str, dict[str, list[str]]] = {}
    fragments = home_fragments(site_dir, filters)
    write_near(views, site_dir, fragments)
    write_first(views, site_dir, fragments)
    write_facet_index(views, site_dir, fragments, filters)
