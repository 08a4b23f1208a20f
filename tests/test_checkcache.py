"""Each profile's check kept between runs (carehomes.checkcache): a run that takes kept results publishes exactly
what a run that checks every profile afresh publishes, an edited profile (or a new schema or code, or a day that
may change its problems) is checked again, and nothing wrong with the cache folder or an entry in it changes a result or fails a command."""
from __future__ import annotations

import base64
import datetime as dt
import json
import os
import pickle
import shutil
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from carehomes import checkcache, checking, parallel, validate
from carehomes.checking import check_paths
from conftest import FIXTURES, ROOT, TODAY

PROVIDERS = ROOT / "providers"
EPOCH = {"SOURCE_DATE_EPOCH": "1764547200"}


@pytest.fixture
def kept(tmp_path, monkeypatch) -> Path:
    """The cache turned on, in a folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(checkcache.CACHE_ENV, str(folder))
    return folder


@pytest.fixture
def checked_afresh(monkeypatch) -> list[str]:
    """The profiles checked afresh from here on (not taken from the cache), by the path shown in messages."""
    calls: list[str] = []
    real = checking._checked_bytes

    def counted(raw, shown, on, schema):
        calls.append(shown)
        return real(raw, shown, on, schema)

    monkeypatch.setattr(checking, "_checked_bytes", counted)
    return calls


def _entries(folder: Path) -> dict[str, bytes]:
    [store] = (folder / checkcache.CHECKS).glob("*.sqlite")
    with sqlite3.connect(store) as db:
        return dict(db.execute("SELECT name, result FROM entries"))


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _some_profiles(tmp_path: Path, n: int = 6) -> Path:
    folder = tmp_path / "providers"
    folder.mkdir()
    for f in sorted(p for p in PROVIDERS.glob("*.yaml") if not p.name.startswith("_"))[:n]:
        shutil.copy(f, folder / f.name)
    return folder


# the tests that take data_afresh (module-scoped: the bundled homes' open data made with the cache off) run on one
# xdist worker, so it is made once a run, not on each worker
DATA_AFRESH = pytest.mark.xdist_group("checkcache-data-afresh")


@DATA_AFRESH
def test_open_data_from_kept_results_is_byte_for_byte_the_data_checked_afresh(kept, checked_afresh, run_cli, tmp_path,
                                                                             data_afresh):
    env = {**os.environ, **EPOCH}
    assert run_cli("data", "--out", str(tmp_path / "first"), env=env).returncode == 0
    profiles = len(list(PROVIDERS.glob("[!_]*.yaml")))
    assert len(checked_afresh) == profiles and len(_entries(kept)) == profiles
    checked_afresh.clear()
    assert run_cli("data", "--out", str(tmp_path / "again"), env=env).returncode == 0
    assert checked_afresh == []  # every result taken as kept
    assert _files(tmp_path / "again") == _files(tmp_path / "first") == data_afresh


@pytest.mark.slow
def test_a_site_built_from_kept_results_and_pages_equals_one_built_afresh(kept, checked_afresh, built_site, tmp_path,
                                                                           monkeypatch):
    from carehomes import render, search
    from carehomes.pipeline import build_site

    inputs = [ROOT / "providers", FIXTURES / "profiles", FIXTURES / "hostile"]  # as built_site, checked afresh
    checked = check_paths(inputs, on=TODAY, pieces=True)
    build_site(checked.profiles, tmp_path / "first", today=TODAY, made=checked.pieces)
    checked_afresh.clear()
    rendered: list[str] = []
    real, card = render.held_home_parts, search.card
    monkeypatch.setattr(render, "held_home_parts", lambda v, *args: rendered.append(v.slug) or real(v, *args))
    monkeypatch.setattr(search, "card", lambda v, *args: rendered.append(v.slug) or card(v, *args))
    monkeypatch.setattr(render, "EARLY_FROM", 0)  # the home pages kept written early (as nationally), in this process
    taken: list[int] = []
    take = render.EarlyHomes.take
    monkeypatch.setattr(render.EarlyHomes, "take", lambda self, *args: (lambda got: taken.append(len(got or ())) or got)(take(self, *args)))
    checked = check_paths(inputs, on=TODAY, pieces=True)
    build_site(checked.profiles, tmp_path / "site", today=TODAY, made=checked.pieces)
    assert checked_afresh == [] and rendered == []  # every check, home page and find page listing as kept
    assert taken == [len(checked.profiles)]  # every home page written early, under the last build's shell
    afresh = _files(built_site[0])
    again = _files(tmp_path / "site")
    assert again.keys() == afresh.keys()
    assert [name for name in again if again[name] != afresh[name]] == []
    # the shell of another mkdocs.yml guessed, under which every page is kept: written early by workers, then
    # dropped (removed in the background), and every page taken as kept under the shell the engine made
    monkeypatch.undo()  # the cache still on (kept), the pages counted again, the early pages in worker processes
    monkeypatch.setenv(checkcache.CACHE_ENV, str(kept))
    monkeypatch.setattr(render, "EARLY_FROM", 0)
    other = tmp_path / "mkdocs.yml"
    other.write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("site_name: ", "site_name: Another ", 1),
                     encoding="utf-8")
    shutil.copytree(ROOT / "overrides", tmp_path / "overrides")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    monkeypatch.setattr(render, "shell_key", lambda cfg, engine, views: "one key for both")
    build_site(checked.profiles, tmp_path / "named", today=TODAY, made=checked.pieces, config_path=other)
    dropped: list[int] = []
    remove_later = render.remove_later
    monkeypatch.setattr(render, "remove_later", lambda folder: dropped.append(len(list(folder.rglob("index.html"))))
                        or remove_later(folder))
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    monkeypatch.setattr(render, "home_page", lambda v, *args: rendered.append(v.slug) or real(v, *args))
    rendered.clear()
    build_site(checked.profiles, tmp_path / "again", today=TODAY, made=checked.pieces)
    assert len(dropped) == 1 and rendered == []  # the early pages dropped; every page as kept, none rendered
    assert _files(tmp_path / "again") == afresh
    builds = tmp_path / ".again-builds"
    assert builds.is_dir() and not [p.name for p in builds.iterdir() if p.name.endswith("-homes") and
                                    not p.name.startswith(".trash-")]


@pytest.mark.slow
def test_the_next_days_site_built_from_what_today_kept_equals_one_built_afresh_that_day(kept, checked_afresh, tmp_path,
                                                                                           monkeypatch):
    """The daily publish: every check, page and listing kept from the day before is taken (no fact of these homes
    passes a staleness age overnight), and the site is byte for byte the one built that day with nothing kept."""
    from carehomes import render, search
    from carehomes.pipeline import build_site

    inputs = [ROOT / "providers", FIXTURES / "profiles", FIXTURES / "hostile"]
    checked = check_paths(inputs, on=TODAY, pieces=True)
    build_site(checked.profiles, tmp_path / "today", today=TODAY, made=checked.pieces)
    tomorrow = TODAY + dt.timedelta(days=1)
    checked_afresh.clear()
    made: list[str] = []
    real, card = render.held_home_parts, search.card
    monkeypatch.setattr(render, "held_home_parts", lambda v, *args: made.append(v.slug) or real(v, *args))
    monkeypatch.setattr(search, "card", lambda v, *args: made.append(v.slug) or card(v, *args))
    checked = check_paths(inputs, on=tomorrow, pieces=True)
    build_site(checked.profiles, tmp_path / "tomorrow", today=tomorrow, made=checked.pieces)
    assert checked_afresh == [] and made == []
    monkeypatch.setenv(checkcache.CACHE_ENV, "off")
    checked = check_paths(inputs, on=tomorrow, pieces=True)
    build_site(checked.profiles, tmp_path / "afresh", today=tomorrow, made=checked.pieces)
    assert made and checked_afresh
    kept_site, afresh = _files(tmp_path / "tomorrow"), _files(tmp_path / "afresh")
    assert kept_site.keys() == afresh.keys()
    assert [name for name in kept_site if kept_site[name] != afresh[name]] == []
    assert _files(tmp_path / "today") != afresh  # the day's words did change


def _set_field(path: Path, field: str, value: str) -> None:
    """A profile with a top-level or address line (``field: value``, two-space indented for address) set."""
    import re

    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(rf"(?m)^(\s*){field}: .*$", rf"\g<1>{field}: {value}", text, count=1), encoding="utf-8")


def _find_index(views: list, out: Path) -> dict[str, bytes]:
    """The find page's files for ``views`` (remembering, as the pipeline's worker has them), by name."""
    from carehomes.search import write_search
    from carehomes.views import remembering

    with remembering(views):
        write_search([v for v in views if not v.closed], out)
    return _files(out)


def test_the_find_pages_listings_are_kept_and_made_again_only_where_something_changed(kept, tmp_path, monkeypatch):
    from carehomes import search

    carded: list[str] = []
    real = search.card
    monkeypatch.setattr(search, "card", lambda v, labels: carded.append(v.slug) or real(v, labels))
    filled: list[str] = []
    real_fill = search.filled_card
    monkeypatch.setattr(search, "filled_card", lambda card, today: filled.append(card["url"]) or real_fill(card, today))
    folder = _some_profiles(tmp_path, 4)
    made = iter(range(100))

    def index() -> dict[str, bytes]:
        return _find_index(_views(folder), tmp_path / f"find-{next(made)}")

    def afresh() -> dict[str, bytes]:
        monkeypatch.setenv(checkcache.CACHE_ENV, "off")
        try:
            return index()
        finally:
            monkeypatch.setenv(checkcache.CACHE_ENV, str(kept))

    first = index()
    assert len(carded) == 4 and any(name.startswith("search/facets/c") for name in first)
    carded.clear()
    filled.clear()
    assert index() == first and carded == []  # every listing kept
    assert len(filled) == 4 == len(set(filled))  # each kept card filled in once, where it is read back
    one, two = sorted(folder.glob("*.yaml"))[:2]
    _set_field(one, "name", "Renamed Example Home")
    again = index()
    assert carded == [one.stem] and again == afresh() and again != first
    carded.clear()
    # the town label every page shows for a town is worked out from every home's spelling of it ("Ross-on-Wye" once
    # one of them is hyphenated): a home whose own profile did not change is listed again when its label did
    _set_field(one, "town", "Ross On Wye")
    index()
    carded.clear()
    _set_field(two, "town", "Ross-on-Wye")
    again = index()
    assert sorted(carded) == sorted([one.stem, two.stem]) and again == afresh()
    assert b'"Ross-on-Wye"' in again["search/towns.json"]


def test_a_listing_kept_from_another_day_says_that_days_ages_and_is_made_again_when_a_staleness_decision_changes(
        kept, tmp_path, monkeypatch):
    """As a page: the find page's files from listings kept from earlier days are byte for byte those made afresh on
    the day, and the listing of a home whose facts passed a staleness age that day alone is made again."""
    from carehomes import ages, search

    carded: list[str] = []
    real = search.card
    monkeypatch.setattr(search, "card", lambda v, labels: carded.append(v.slug) or real(v, labels))
    folder = _some_profiles(tmp_path, 3)
    aging = folder / "example-full.yaml"  # free beds confirmed 3 days before TODAY: more than 7 days old from day 5
    shutil.copy(FIXTURES / "profiles" / "example-full.yaml", aging)
    _set_field(aging, "confirmed", (TODAY - dt.timedelta(days=3)).isoformat())
    _set_field(aging, "rating_date", "2024-12-04")  # its rating more than 2 years old from day 12
    made = iter(range(100))

    def index(on: dt.date) -> dict[str, bytes]:
        return _find_index(_views(folder, on), tmp_path / f"find-{next(made)}")

    index(TODAY)
    assert len(carded) == 4
    for later, again in ((1, []), (4, []), (5, [aging.stem]), (11, []), (12, [aging.stem]), (13, []), (26, [])):
        on = TODAY + dt.timedelta(days=later)
        carded.clear()
        kept_files = index(on)
        assert carded == again, later
        with monkeypatch.context() as m:
            m.setenv(checkcache.CACHE_ENV, "off")
            fresh = index(on)
        assert kept_files == fresh, later
        assert not any(ages.AGE_OPEN.encode() in data for data in fresh.values())


def _unreal_marks(text: bytes) -> bytes:
    """Text held open (ages.age_mark) with each mark's date made one that is no real date (a damaged kept page or card)."""
    import re

    from carehomes import ages

    marked = re.compile(f"{ages.AGE_OPEN}[0-9-]{{10}}{ages.AGE_CLOSE}".encode())
    assert marked.search(text)
    return marked.sub(f"{ages.AGE_OPEN}0000-00-00{ages.AGE_CLOSE}".encode(), text)


def _card_with_line(card: str, line: str) -> str:
    """A card as views.card_meta writes it (base64 of JSON) with ``line`` added to its lines."""
    drawn = json.loads(base64.b64decode(card))
    return base64.b64encode(json.dumps({**drawn, "lines": [*drawn["lines"], line]}, ensure_ascii=False).encode()).decode("ascii")


def _changed(part: int, change: Callable[[Any], Any]) -> Callable[[str], str]:
    """A kept listing's JSON with one of its parts (card, filters, words, key, untold, values, decisions) changed."""
    def bad(good: str) -> str:
        t = json.loads(good)
        t[part] = change(t[part])
        return json.dumps(t)
    return bad


BAD_LISTINGS: dict[str, Callable[[str], str]] = {
    "empty": lambda good: "", "not JSON": lambda good: "not json", "cut short": lambda good: good[: len(good) // 2],
    "null": lambda good: "null", "too short": lambda good: json.dumps(json.loads(good)[:5]),
    "a title not text": _changed(0, lambda card: {**card, "meta": {**card["meta"], "title": 1}}),
    "a card without its url": _changed(0, lambda card: {"meta": card["meta"]}),
    "a filter not a list": _changed(1, lambda own: {**own, "town": "x"}),
    "a word not text": _changed(2, lambda words: [*words, 1]),
    "a word that is a path": _changed(2, lambda words: [*words, "../../x/y"]),
    "a key not text": _changed(3, lambda key: [key]),
    "untold not text": _changed(4, lambda untold: [None]),
    "an untold fact of no kind": _changed(4, lambda untold: [*untold, "no_such_key"]),
    "a value of a list": _changed(5, lambda values: {k: [1] for k in values}),
    "values missing": _changed(5, lambda values: {}),
    "decisions not a list": _changed(6, lambda decided: {"rating": True}),
    "a decision of no threshold": _changed(6, lambda decided: [["no-such-age", "2020-01-01", True]]),
    "a decision's date not a date": _changed(6, lambda decided: [["rating", "2020-13-45", True]]),
    "a decision that is not today's": _changed(6, lambda decided: [["rating", "2026-11-22", True]]),
    "a card that is not base64": _changed(0, lambda card: {**card, "meta": {**card["meta"], "card": "@@@"}}),
    "a card with a mark of no real date": _changed(0, lambda card: {**card, "meta": {**card["meta"], "card": _card_with_line(
        card["meta"]["card"], "Rated \ue0000000-00-00\ue001")}}),
    "a title with a mark left": _changed(0, lambda card: {**card, "meta": {**card["meta"], "title": "A\ue000 home"}}),
    "a rank as text": _changed(5, lambda values: {**values, "fee_from": "cheap"}),
    "a band as a number": _changed(5, lambda values: {**values, "free_band": 3}),  # let by the checks: the index
}                                                                                   # made again without the cache


@pytest.mark.slow  # writes the find page's index three times with a kept store
def test_a_listing_that_cannot_be_trusted_is_made_again(kept, tmp_path):
    folder = _some_profiles(tmp_path, 2)
    first = _find_index(_views(folder), tmp_path / "first")
    [store] = (kept / checkcache.CHECKS).glob("*.sqlite")
    with sqlite3.connect(store) as db:
        rows = list(db.execute("SELECT name, listing FROM listings ORDER BY name"))
    assert len(rows) == 2
    for n, (bad, change) in enumerate(BAD_LISTINGS.items()):
        with sqlite3.connect(store) as db:
            db.execute("UPDATE listings SET listing = ? WHERE name = ?", (change(rows[0][1]), rows[0][0]))
        assert _find_index(_views(folder), tmp_path / f"again-{n}") == first, bad
        with sqlite3.connect(store) as db:  # and kept again as it should be
            assert list(db.execute("SELECT name, listing FROM listings ORDER BY name")) == rows, bad


def test_a_listing_is_kept_as_json_gives_it_back_or_not_at_all(tmp_path, monkeypatch):
    """search.listing_text: a listing a later build takes whole (search._listing gives back its card, filters,
    words, key, untold and values as they were), and none for a value JSON would not give back as it is (a number
    that is not finite, which orjson would write as null; a date, which it would write as text; a key not text)."""
    from carehomes import search
    from carehomes.views import remembering

    views = [v for v in _views(_some_profiles(tmp_path, 2)) if not v.closed]
    with remembering(views):
        listed = search.Listed(views, cache := {}, held_on=TODAY)
        names, ranks = search.recalled_values(views), search.ranked_values(views)
        v, held = listed.views[0], cache[listed.views[0].slug]
        text = search.listing_text(held, v, names, ranks)
        assert text is not None
        back = search._listing(text, v, held[1], names, ranks)
        assert back is not None
        made, untold, values, card = back
        assert made[2:6] == (held[2], held[3], held[4], held[5]) and made[8] == held[8]
        assert card == search.filled_card(held[2], TODAY) == listed.cards[0]
        assert untold == v.untold and values == {name: v.value(name) for name in names}
        real = type(v).value
        for odd in (float("nan"), float("inf"), dt.date(2026, 1, 1), {1: "a"}):
            monkeypatch.setattr(type(v), "value", lambda self, name, odd=odd: odd if name == names[0] else real(self, name))
            assert search.listing_text(held, v, names, ranks) is None, odd


def _views(folder: Path, today: dt.date = TODAY) -> list:
    from carehomes.pipeline import views_of
    from carehomes.schema import load_schema

    return views_of(check_paths([folder], on=today).profiles, today, load_schema(), None, {})


def _rendered(monkeypatch) -> list[str]:
    """The slugs of the home pages rendered from here on (not taken as kept)."""
    from carehomes import render

    rendered: list[str] = []
    real = render.held_home_parts
    monkeypatch.setattr(render, "held_home_parts", lambda v, *args: rendered.append(v.slug) or real(v, *args))
    return rendered


def test_a_home_page_is_made_again_when_its_profile_or_the_shell_changes(kept, tmp_path, monkeypatch):
    from carehomes import render

    rendered = _rendered(monkeypatch)
    folder = _some_profiles(tmp_path, 4)
    shell = ("<html><body>", "</body></html>")

    def pages(views: list, shell: tuple[str, str] = shell) -> dict[str, bytes]:
        out = tmp_path / f"site-{len(list(tmp_path.glob('site-*')))}"
        render.render_homes(views, out, shell, "care@example.org")
        return _files(out)

    first = pages(_views(folder))
    assert len(rendered) == 4
    rendered.clear()
    assert pages(_views(folder)) == first and rendered == []  # all four kept
    edited = sorted(folder.glob("*.yaml"))[1]
    edited.write_text(edited.read_text(encoding="utf-8").replace("\nname: ", "\nname: Renamed ", 1), encoding="utf-8")
    again = pages(_views(folder))
    assert rendered == [edited.stem] and sum(b"Renamed " in page for page in again.values()) == 2  # page, home.json
    rendered.clear()
    other = pages(_views(folder), ("<html><body class=new>", "</body></html>"))
    assert len(rendered) == 4 and all(b"class=new" in page for name, page in other.items() if name.endswith(".html"))
    rendered.clear()  # views of a schema loaded from elsewhere (the generation hashes schema/ only): none kept
    from test_face import schema_copy

    copied = schema_copy(tmp_path / "copy", face_edit=lambda doc: None)
    views = _views(folder)
    for v in views:
        v.s = copied
    pages(views)
    pages(views)
    assert len(rendered) == 8


BAD_PAGES: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "decisions nested too deep to read": ("decided", lambda decided: "[" * 100_000 + "]" * 100_000),
    "decisions not JSON": ("decided", lambda decided: "not json"),
    "decisions not a list": ("decided", lambda decided: '{"rating": true}'),
    "a page not bytes": ("page", lambda page: page.decode("utf-8")),
    "a page with a mark of no real date": ("page", _unreal_marks),
    "a page with a mark cut short": ("page", lambda page: page.replace(ages_close(), b"", 1)),
    "a home.json with a mark of no real date": ("summary", _unreal_marks),
}


def ages_close() -> bytes:
    from carehomes import ages

    return ages.AGE_CLOSE.encode()


@pytest.mark.parametrize("bad", BAD_PAGES)
def test_a_home_page_that_cannot_be_trusted_is_made_again(kept, tmp_path, monkeypatch, bad):
    """A kept page damaged (its staleness decisions, its page or its home.json) is made again, never published with a
    mark left in it nor failing the build."""
    from carehomes import ages, render

    rendered = _rendered(monkeypatch)
    folder = _some_profiles(tmp_path, 2)
    made = iter(range(100))

    def pages() -> dict[str, bytes]:
        out = tmp_path / f"site-{next(made)}"
        render.render_homes(_views(folder), out, ("<html><body>", "</body></html>"), "care@example.org")
        return _files(out)

    first = pages()
    [store] = (kept / checkcache.CHECKS).glob("*.sqlite")
    column, change = BAD_PAGES[bad]
    with sqlite3.connect(store) as db:
        name, value = db.execute(f"SELECT name, {column} FROM pages ORDER BY name").fetchone()
        db.execute(f"UPDATE pages SET {column} = ? WHERE name = ?", (change(value), name))
    rendered.clear()
    again = pages()
    assert again == first and len(rendered) == 1
    assert not any(ages.AGE_OPEN.encode() in data or ages.AGE_CLOSE.encode() in data for data in again.values())
    rendered.clear()
    assert pages() == first and rendered == []  # kept again as it should be


def test_a_home_page_kept_from_another_day_says_that_days_ages_and_is_made_again_when_a_staleness_decision_changes(
        kept, tmp_path, monkeypatch):
    """A page holds each age open (a mark filled in on the day it is written) and notes each staleness decision it
    made: the next day it is taken with that day's words, byte for byte the page made afresh that day; on the day a
    fact passes its staleness age ("may be out of date") that home's page alone is made again."""
    from carehomes import ages, render

    rendered = _rendered(monkeypatch)
    folder = _some_profiles(tmp_path, 4)
    aging = sorted(folder.glob("*.yaml"))[0]  # the register's facts 80 days old: 3 months (92 days) from the 12th day
    _set_field(aging, "imported", (TODAY - dt.timedelta(days=80)).isoformat())
    shell = ("<html><body>", "</body></html>")

    def pages(on: dt.date) -> dict[str, bytes]:
        out = tmp_path / f"site-{len(list(tmp_path.glob('site-*')))}"
        render.render_homes(_views(folder, on), out, shell, "care@example.org")
        return _files(out)

    def afresh(on: dt.date) -> dict[str, bytes]:
        with monkeypatch.context() as m:
            m.setenv(checkcache.CACHE_ENV, "off")
            return pages(on)

    pages(TODAY)
    assert len(rendered) == 4
    for later, made in ((1, []), (2, []), (11, []), (12, [aging.stem]), (13, []), (26, [])):
        on = TODAY + dt.timedelta(days=later)
        rendered.clear()
        kept_pages = pages(on)
        assert rendered == made, later
        rendered.clear()
        fresh = afresh(on)
        assert kept_pages == fresh, later
        assert not any(ages.AGE_OPEN.encode() in page for page in fresh.values())
    assert b"may be out of date" in fresh[f"homes/{aging.stem}/index.html"]
    assert ages.age_words(TODAY - dt.timedelta(days=80), TODAY + dt.timedelta(days=26)).encode() in \
        fresh[f"homes/{aging.stem}/index.html"]


def test_a_home_page_is_made_again_when_the_site_starts_or_stops_gathering_food_hygiene_ratings(kept, tmp_path, monkeypatch):
    """fsa_authorities set or not (siteconfig.ungathered) changes no profile and not the shell: a page kept under the
    other setting must not be taken, or a build would keep saying "ratings we hold do not say" (render.page_inputs)."""
    from carehomes import render

    rendered = _rendered(monkeypatch)
    folder = _some_profiles(tmp_path, 4)

    def pages(ungathered: frozenset[str]) -> dict[str, bytes]:
        views = _views(folder)
        for v in views:
            v.ungathered = ungathered
        out = tmp_path / f"site-{len(list(tmp_path.glob('site-*')))}"
        render.render_homes(views, out, ("<html><body>", "</body></html>"), "care@example.org")
        return _files(out)

    gathered = pages(frozenset())
    rendered.clear()
    none = pages(frozenset({"fsa"}))
    assert len(rendered) == 4 and none != gathered
    held = [n for n, page in gathered.items() if b"The Food Standards Agency ratings we hold do not say" in page]
    assert held and all(b"This directory does not hold food hygiene ratings" in none[n] for n in held)
    rendered.clear()
    assert pages(frozenset({"fsa"})) == none and rendered == []  # kept under the same setting
    assert pages(frozenset()) == gathered and rendered == []  # and under the first


def test_an_edited_profile_alone_is_checked_again_and_its_edit_published(kept, checked_afresh, tmp_path):
    folder = _some_profiles(tmp_path)
    before = check_paths([folder], base=tmp_path, pieces=True, on=TODAY)
    edited = sorted(folder.glob("*.yaml"))[2]
    text = edited.read_text(encoding="utf-8")
    name = before.profiles[2].data["name"]
    edited.write_text(text.replace(f"name: {name}", "name: Renamed House", 1), encoding="utf-8")
    checked_afresh.clear()
    after = check_paths([folder], base=tmp_path, pieces=True, on=TODAY)
    assert checked_afresh == [f"providers/{edited.name}"]
    assert after.profiles[2].data["name"] == "Renamed House"
    assert sum("Renamed House" in p.json for p in after.pieces) == 1
    assert [p.data for p in after.profiles] == [p.data for p in check_paths(
        [folder], base=tmp_path, pieces=True, on=TODAY, workers=1).profiles]


def test_a_profiles_problems_are_kept_with_it_and_reported_the_same(kept, checked_afresh, tmp_path, run_cli):
    folder = _some_profiles(tmp_path, 3)
    bad = sorted(folder.glob("*.yaml"))[0]
    bad.write_text(bad.read_text(encoding="utf-8").replace("location_id:", "location_id: not-an-id\nold_location_id:", 1),
                   encoding="utf-8")
    first = run_cli("data", "--providers", str(folder), "--out", str(tmp_path / "out"), cwd=tmp_path)
    checked_afresh.clear()
    again = run_cli("data", "--providers", str(folder), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert checked_afresh == []
    assert first.returncode == again.returncode == 1
    assert "providers/" + bad.name in first.stdout
    assert (first.stdout, first.stderr) == (again.stdout, again.stderr)
    assert not (tmp_path / "out").exists()


def test_results_kept_by_worker_processes_equal_those_checked_afresh(kept, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 4)  # the national path: chunks in two worker processes
    folder = _some_profiles(tmp_path, 12)
    marks = tmp_path / "checked-afresh.txt"
    real = checking._checked_bytes

    def marked(raw, shown, on, schema):  # called in the workers: each call leaves a line in a file
        with open(marks, "a", encoding="utf-8") as fh:
            fh.write(shown + "\n")
        return real(raw, shown, on, schema)

    monkeypatch.setattr(checking, "_checked_bytes", marked)
    first = check_paths([folder], base=tmp_path, pieces=True, on=TODAY, workers=2)
    assert len(marks.read_text(encoding="utf-8").splitlines()) == 12 and len(_entries(kept)) == 12
    marks.unlink()
    again = check_paths([folder], base=tmp_path, pieces=True, on=TODAY, workers=2)
    assert not marks.exists()  # every result taken as kept, in the workers
    monkeypatch.setenv(checkcache.CACHE_ENV, "off")
    afresh = check_paths([folder], base=tmp_path, pieces=True, on=TODAY, workers=2)
    for run in (first, again):
        assert [(p.path, p.data, p.lines) for p in run.profiles] == [(p.path, p.data, p.lines) for p in afresh.profiles]
        assert run.problems == afresh.problems and run.pieces == afresh.pieces


def _afresh_on(monkeypatch, folder: Path, base: Path, on: dt.date) -> checking.Checked:
    """``folder`` checked on ``on`` with the cache off."""
    with monkeypatch.context() as m:
        m.setenv(checkcache.CACHE_ENV, "off")
        return check_paths([folder], base=base, pieces=True, on=on)


def _same(run: checking.Checked, afresh: checking.Checked) -> None:
    assert [(p.path, p.data, p.lines) for p in run.profiles] == [(p.path, p.data, p.lines) for p in afresh.profiles]
    assert run.problems == afresh.problems and run.pieces == afresh.pieces


def test_a_check_is_taken_on_later_days_as_that_days_check_would_be(kept, checked_afresh, tmp_path, monkeypatch):
    """The daily publish checks only what changed: the rules use the day only to refuse a date after it."""
    folder = _some_profiles(tmp_path)
    check_paths([folder], base=tmp_path, pieces=True, on=TODAY)
    assert len(checked_afresh) == 6
    for later in range(1, 400, checkcache.UNUSED_DAYS):  # a run at least every UNUSED_DAYS keeps them
        on = TODAY + dt.timedelta(days=later)
        checked_afresh.clear()
        taken = check_paths([folder], base=tmp_path, pieces=True, on=on)
        assert checked_afresh == []
        _same(taken, _afresh_on(monkeypatch, folder, tmp_path, on))


def test_a_profile_dated_after_the_day_is_checked_again_each_day_until_that_date(kept, checked_afresh, tmp_path, monkeypatch):
    folder = _some_profiles(tmp_path, 2)
    ahead = sorted(folder.glob("*.yaml"))[0]
    _set_field(ahead, "imported", (TODAY + dt.timedelta(days=2)).isoformat())
    shown = f"providers/{ahead.name}"
    # (days after TODAY, checked afresh, refused as in the future): its own day's check taken again that day; checked
    # again each later day while its date was after the day it was last checked on; from its date on, taken
    for later, afresh, refused in ((0, 2, True), (0, 0, True), (1, 1, True), (2, 1, False), (3, 0, False), (17, 0, False)):
        on = TODAY + dt.timedelta(days=later)
        checked_afresh.clear()
        run = check_paths([folder], base=tmp_path, pieces=True, on=on)
        assert len(checked_afresh) == afresh and set(checked_afresh) <= {shown, f"providers/{sorted(folder.glob('*.yaml'))[1].name}"}
        if afresh == 1:
            assert checked_afresh == [shown]
        future = [p for p in run.problems if p.field == "cqc.imported"]
        assert bool(future) == refused and all(f"(today is {on.isoformat()})" in p.message for p in future)
        _same(run, _afresh_on(monkeypatch, folder, tmp_path, on))


def test_a_check_is_not_taken_on_a_day_before_the_one_it_was_checked_on(kept, checked_afresh, tmp_path):
    folder = _some_profiles(tmp_path, 2)
    check_paths([folder], base=tmp_path, pieces=True, on=TODAY)
    checked_afresh.clear()
    check_paths([folder], base=tmp_path, pieces=True, on=TODAY - dt.timedelta(days=1))
    assert len(checked_afresh) == 2


def test_an_entry_no_run_has_taken_for_two_weeks_is_removed(kept, checked_afresh, tmp_path):
    folder = _some_profiles(tmp_path, 3)
    check_paths([folder], base=tmp_path, pieces=True, on=TODAY)
    first = set(_entries(kept))
    edited = sorted(folder.glob("*.yaml"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    check_paths([folder], base=tmp_path, pieces=True, on=TODAY + dt.timedelta(days=10))
    assert len(_entries(kept)) == 4  # the edited profile's earlier entry too
    check_paths([folder], base=tmp_path, pieces=True, on=TODAY + dt.timedelta(days=checkcache.UNUSED_DAYS))
    assert len(_entries(kept)) == 4  # last taken on TODAY: kept for UNUSED_DAYS
    checked_afresh.clear()
    check_paths([folder], base=tmp_path, pieces=True, on=TODAY + dt.timedelta(days=1 + checkcache.UNUSED_DAYS))
    after = set(_entries(kept))
    assert checked_afresh == [] and len(after) == 3 and len(first - after) == 1


@pytest.mark.parametrize("later", [1, 27, 28, 29, 30, 31, 365, 366, 1000])
def test_the_rules_depend_on_the_day_only_through_a_date_after_it(later):
    """validate.day_bound's promise, which the kept checks rest on, over every bundled profile (both areas): a
    profile with no problem that names the day has the same problems on any later day."""
    from carehomes.load import load_profile

    on = TODAY
    for f in sorted([*PROVIDERS.glob("*.yaml"), *(ROOT / "areas").glob("*/providers/*.yaml")]):
        profile, found = load_profile(f)
        if profile is None:
            continue
        problems = validate.check_profile(profile, on=on)
        if not validate.day_bound(problems, on):
            assert validate.check_profile(profile, on=on + dt.timedelta(days=later)) == problems, f


def test_the_check_command_keeps_only_what_crosses_files_even_from_the_cache(kept, tmp_path):
    folder = _some_profiles(tmp_path, 3)
    first = check_paths([folder], base=tmp_path, pieces=True, on=TODAY, keep_data=False)  # nothing kept yet
    assert all(set(p.data) == set(checking.CROSS_FILE_KEYS) for p in first.profiles) and len(first.profiles) == 3
    small = check_paths([folder], base=tmp_path, pieces=True, on=TODAY, keep_data=False)  # every result kept
    assert all(set(p.data) == set(checking.CROSS_FILE_KEYS) for p in small.profiles)
    whole = check_paths([folder], base=tmp_path, pieces=True, on=TODAY)  # kept while checked for the first run
    assert all(len(p.data) > len(checking.CROSS_FILE_KEYS) for p in whole.profiles)


def _digest_of_a_copy(tmp_path: Path, monkeypatch) -> Callable[[], str]:
    """checkcache's code digest, uncached, of a copy of the package and schema/ in ``tmp_path`` (to change)."""
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    shutil.copytree(ROOT / "carehomes", tmp_path / "carehomes", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(checkcache, "_ROOT", tmp_path)
    monkeypatch.setattr(checkcache, "_PACKAGE", tmp_path / "carehomes")
    return checkcache._code_digest.__wrapped__


def test_a_changed_schema_or_code_file_starts_a_new_generation(tmp_path, monkeypatch):
    digest = _digest_of_a_copy(tmp_path, monkeypatch)
    first = digest()
    assert digest() == first
    schema = tmp_path / "schema" / "datapackage.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace('"description"', '"description" ', 1), encoding="utf-8")
    second = digest()
    assert second != first
    (tmp_path / "carehomes" / "views.py").write_text("# changed\n", encoding="utf-8")
    third = digest()
    assert third not in (first, second)
    template = tmp_path / "carehomes" / "templates" / "profile.html"  # a home page's readable source (homepage.py)
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert digest() not in (first, second, third)


def test_a_change_to_code_a_check_does_not_run_keeps_the_checks_but_not_the_pages(tmp_path, monkeypatch):
    """The kept checks' store is named by CHECK_CODE and schema/ (_checks_digest), the listings' by LISTING_CODE
    (_listings_digest), the pages' by all the code (_code_digest): a change to the pages' code (render.py) keeps every
    check and listing, one to the views (views.py) every check, and a change to a rule (validate.py) or the schema
    checks every profile again."""
    _digest_of_a_copy(tmp_path, monkeypatch)
    checks, pages = checkcache._checks_digest.__wrapped__, checkcache._code_digest.__wrapped__
    first = checks(), pages()
    assert first[0] != first[1]
    listings = checkcache._listings_digest.__wrapped__
    before = listings()
    (tmp_path / "carehomes" / "render.py").write_text("# changed\n", encoding="utf-8")
    assert checks() == first[0] and listings() == before and pages() != first[1]  # a listing is made without it
    (tmp_path / "carehomes" / "views.py").write_text("# changed\n", encoding="utf-8")
    second = checks(), pages()
    assert second[0] == first[0] and second[1] != first[1] and listings() != before
    (tmp_path / "carehomes" / "validate.py").write_text("# changed\n", encoding="utf-8")
    third = checks(), pages()
    assert third[0] != first[0] and third[1] not in (first[1], second[1])
    schema = tmp_path / "schema" / "datapackage.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace('"description"', '"description" ', 1), encoding="utf-8")
    assert checks() not in (first[0], third[0])


@pytest.mark.slow  # builds three sites
def test_a_build_after_a_change_to_the_pages_code_takes_every_check_and_listing_and_makes_every_page(
        kept, checked_afresh, tmp_path, monkeypatch):
    """The checks, the listings and the pages are kept in three stores: with the pages' code changed (another
    _code_digest), every profile's check and every listing is taken as kept and every page made again; with the
    search's code changed too, every listing made again; the site the same each time."""
    from carehomes import render, search
    from carehomes.pipeline import build_site

    folder = _some_profiles(tmp_path, 3)
    checked = check_paths([folder], on=TODAY, pieces=True)
    build_site(checked.profiles, tmp_path / "first", today=TODAY, made=checked.pieces)
    tables = {}
    for store in (kept / checkcache.CHECKS).glob("*.sqlite"):
        with closing(sqlite3.connect(store)) as db:
            tables[store.stem] = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("entries", "pages", "listings")}
    assert tables == {checkcache._checks_digest(): {"entries": 3, "pages": 0, "listings": 0},
                      checkcache._listings_digest(): {"entries": 0, "pages": 0, "listings": 3},
                      checkcache._code_digest(): {"entries": 0, "pages": 3, "listings": 0}}
    monkeypatch.setattr(checkcache, "_code_digest", lambda: "0" * 32)  # the pages' code changed, not the others'
    rendered: list[str] = []
    real, card = render.held_home_parts, search.card
    monkeypatch.setattr(render, "held_home_parts", lambda v, *args: rendered.append(v.slug) or real(v, *args))
    monkeypatch.setattr(search, "card", lambda v, *args: rendered.append(v.slug) or card(v, *args))
    checked_afresh.clear()
    checked = check_paths([folder], on=TODAY, pieces=True)
    build_site(checked.profiles, tmp_path / "again", today=TODAY, made=checked.pieces)
    assert checked_afresh == [] and sorted(rendered) == sorted(v.stem for v in folder.glob("*.yaml"))  # each page made
    rendered.clear()
    monkeypatch.setattr(checkcache, "_listings_digest", lambda: "1" * 32)  # the search's code changed too
    build_site(checked.profiles, tmp_path / "third", today=TODAY, made=checked.pieces)
    assert len(rendered) == 3  # each listing made; the pages as kept a moment ago
    assert _files(tmp_path / "third") == _files(tmp_path / "first")
    assert _files(tmp_path / "again") == _files(tmp_path / "first")


def _package_files_run(call: Callable[[], Any]) -> tuple[Any, set[str]]:
    """What ``call()`` gives, and the files of the package (relative to it) in which it ran a function."""
    import sys

    package = ROOT / "carehomes"
    ran: set[str] = set()

    def note(frame, event, arg) -> None:
        if event == "call" and frame.f_code.co_filename.startswith(str(package)):
            ran.add(Path(frame.f_code.co_filename).relative_to(package).as_posix())

    sys.setprofile(note)
    try:
        return call(), ran
    finally:
        sys.setprofile(None)


def test_a_check_runs_no_code_its_stores_name_leaves_out(kept, tmp_path):
    """What a kept check holds is made by CHECK_CODE alone: every function of the package that checking._remembered
    runs on the bundled profiles (reading, the rules, the open data pieces, keeping) is in a file it names."""
    files = sorted(p for p in PROVIDERS.glob("*.yaml") if not p.name.startswith("_"))
    store = checkcache.open_checks(TODAY)
    assert store is not None
    (profiles, rest), ran = _package_files_run(lambda: checking._remembered(files, ROOT, TODAY, store, True))
    assert len(profiles) == len(rest) == len(files) and all(not isinstance(r, bytes) for r in rest)  # each checked, none kept
    assert {"validate.py", "outputs/pieces.py", "checkcache.py"} <= ran
    assert ran <= set(checkcache.CHECK_CODE), sorted(ran - set(checkcache.CHECK_CODE))


def test_a_listing_is_made_by_no_code_its_stores_name_leaves_out(tmp_path):
    """What a kept listing holds is made by LISTING_CODE alone: every function of the package that making the
    bundled homes' listings runs (search.Listed held open, search.listing_text) is in a file it names."""
    from carehomes import search
    from carehomes.views import remembering

    views = [v for v in _views(PROVIDERS) if not v.closed]

    def listings() -> list[str | None]:
        search.Listed(views, cache := {}, held_on=TODAY)
        names, ranks = search.recalled_values(views), search.ranked_values(views)
        return [search.listing_text(cache[v.slug], v, names, ranks) for v in views]

    with remembering(views):
        texts, ran = _package_files_run(listings)
    assert len(texts) == len(views) and None not in texts
    assert {"search.py", "search_index.py", "views.py"} <= ran
    assert ran <= set(checkcache.LISTING_CODE), sorted(ran - set(checkcache.LISTING_CODE))


def test_only_the_six_most_recently_used_stores_are_kept_and_the_days_of_earlier_versions_removed(kept):
    folder = kept / checkcache.CHECKS
    folder.mkdir(parents=True)
    for age, name in enumerate("abcdefg"):
        old = folder / f"{name}.sqlite"
        old.write_bytes(b"")
        (folder / f"{name}.sqlite-journal").write_bytes(b"")
        os.utime(old, (1_000_000 - age, 1_000_000 - age))
    (kept / "0123abcd.sqlite").write_bytes(b"")  # a generation of a day, as earlier versions kept pages
    store = checkcache.open_checks(TODAY)
    assert store is not None
    assert sorted(p.name for p in folder.iterdir()) == sorted([store.name, *(f"{n}.sqlite{end}" for n in "abcde"
                                                                              for end in ("", "-journal"))])
    assert [p.name for p in kept.iterdir()] == [checkcache.CHECKS]
    pages, listings = checkcache.open_pages(TODAY), checkcache.open_listings(TODAY)  # the same code's: kept beside
    assert pages is not None and listings is not None and len({store, pages, listings}) == 3
    assert sorted(p.name for p in folder.glob("*.sqlite")) == sorted([store.name, pages.name, listings.name,
                                                                      "a.sqlite", "b.sqlite", "c.sqlite"])


class _Exploit:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def _setting(module: str, name: str, attribute: str, value: str) -> bytes:
    """A pickle that looks up ``module.name`` and sets ``attribute`` on it (BUILD on the class itself): were the
    class one of this package's, every later object of it in the run would see ``value``."""
    text = value.encode()
    return (b"\x80\x02c" + module.encode() + b"\n" + name.encode() + b"\nN(X" + len(attribute).to_bytes(4, "little")
            + attribute.encode() + b"X" + len(text).to_bytes(4, "little") + text + b"d\x86b.")


BAD_ENTRIES = {
    "a command": lambda good: pickle.dumps(_Exploit()),
    "one of our classes changed": lambda good: _setting("carehomes.outputs.pieces", "HomePieces", "json", "EVIL"),
    "a date type changed": lambda good: _setting("datetime", "date", "json", "EVIL"),
    "cut short": lambda good: good[: len(good) // 2],
    "not an entry": lambda good: pickle.dumps((1, 2)),
    "problems of the wrong shape": lambda good: pickle.dumps(([1, "x"], None, None, None)),
    "a problem's line as text": lambda good: pickle.dumps(([("p.yaml", "1", "f", "m", None, "error")], None, None, None)),
    "pieces of the wrong shape": lambda good: pickle.dumps(([], ("x",) * 9, ("p", {}, {}), pickle.dumps(("p", {}, {})))),
}


@pytest.mark.parametrize("entry", BAD_ENTRIES)
def test_an_entry_that_cannot_be_trusted_is_checked_again_and_replaced(kept, checked_afresh, tmp_path, entry, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = _some_profiles(tmp_path, 2)
    afresh = check_paths([folder], base=tmp_path, pieces=True, on=TODAY)
    [store] = (kept / checkcache.CHECKS).glob("*.sqlite")
    name, good = sorted(_entries(kept).items())[0]
    with sqlite3.connect(store) as db:
        db.execute("UPDATE entries SET result = ? WHERE name = ?", (BAD_ENTRIES[entry](good), name))
    checked_afresh.clear()
    again = check_paths([folder], base=tmp_path, pieces=True, on=TODAY)
    assert not (tmp_path / "pwned").exists()
    assert len(checked_afresh) == 1
    assert [p.data for p in again.profiles] == [p.data for p in afresh.profiles]
    assert again.pieces == afresh.pieces and again.problems == afresh.problems
    assert all("EVIL" not in p.json for p in again.pieces)
    assert _entries(kept)[name] == good


def test_several_bad_entries_in_one_chunk_are_each_checked_again_in_their_files_places(kept, checked_afresh, tmp_path,
                                                                                       monkeypatch):
    """A chunk's kept entries are read back together (checkcache.from_entries): several that cannot be, between good
    ones, are each checked again, and every result stays in its own file's place."""
    monkeypatch.chdir(tmp_path)
    folder = _some_profiles(tmp_path, 6)
    afresh = check_paths([folder], base=tmp_path, pieces=True, on=TODAY)
    [store] = (kept / checkcache.CHECKS).glob("*.sqlite")
    entries = sorted(_entries(kept).items())
    damaged = {entries[0][0]: b"", entries[2][0]: entries[2][1][:-1], entries[3][0]: pickle.dumps((1, 2, 3, 4)),
               entries[5][0]: b"\x80\x05" + b"x" * 5_000_000}
    with sqlite3.connect(store) as db:
        db.executemany("UPDATE entries SET result = ? WHERE name = ?", [(blob, name) for name, blob in damaged.items()])
    checked_afresh.clear()
    again = check_paths([folder], base=tmp_path, pieces=True, on=TODAY)
    assert len(checked_afresh) == 4
    assert [p.data for p in again.profiles] == [p.data for p in afresh.profiles]
    assert again.pieces == afresh.pieces and again.problems == afresh.problems
    assert _entries(kept) == dict(entries)


def test_an_entry_kept_under_another_files_name_is_checked_again(kept, checked_afresh, tmp_path, monkeypatch):
    """Two entries swapped in the store: each is of the right shape, but holds another profile's result. A build of
    one of the two files alone ('data --providers providers/x.yaml') published the other home."""
    monkeypatch.chdir(tmp_path)
    folder = _some_profiles(tmp_path, 2)
    files = sorted(folder.glob("*.yaml"))
    afresh = check_paths([folder], base=tmp_path, pieces=True, on=TODAY)
    [store] = (kept / checkcache.CHECKS).glob("*.sqlite")
    (a, good_a), (b, good_b) = sorted(_entries(kept).items())
    with sqlite3.connect(store) as db:
        db.executemany("UPDATE entries SET result = ? WHERE name = ?", [(good_b, a), (good_a, b)])
    checked_afresh.clear()
    alone = check_paths([files[0]], base=tmp_path, pieces=True, on=TODAY)
    assert [p.path for p in alone.profiles] == [f"providers/{files[0].name}"]
    assert alone.pieces == afresh.pieces[:1]
    assert checked_afresh == [f"providers/{files[0].name}"]
    checked_afresh.clear()
    again = check_paths([folder], base=tmp_path, pieces=True, on=TODAY)
    assert len(checked_afresh) == 1  # the other swapped entry; the first was kept anew above
    assert [p.data for p in again.profiles] == [p.data for p in afresh.profiles] and again.pieces == afresh.pieces
    assert _entries(kept) == {a: good_a, b: good_b}


def test_a_chunks_profiles_are_read_back_side_by_side(kept, tmp_path, monkeypatch):
    """checking._remembered sends a chunk's profiles apart from their problems and pieces, and checkcache.from_entries
    reads kept entries' problems and pieces first and then every profile, so that the profiles lie side by side in
    memory, not each between its pieces and the next's (the market page and the find page's index read every
    profile's fields: nationally three to five times as long with each profile between its pieces)."""
    folder = _some_profiles(tmp_path, 3)
    files = sorted(folder.glob("*.yaml"))
    afresh = check_paths([folder], base=tmp_path, pieces=True, on=TODAY)
    blobs = [blob for _, blob in sorted(_entries(kept).items())]
    loaded: list[str] = []
    real = checkcache._load
    monkeypatch.setattr(checkcache, "_load", lambda blob: loaded.append("entry" if blob in blobs else "profile") or real(blob))
    results = checkcache.from_entries(blobs, True)
    assert loaded == ["entry"] * 3 + ["profile"] * 3
    assert sorted(r[0].path for r in results if r and r[0]) == sorted(p.path for p in afresh.profiles)
    store = checkcache.open_checks(TODAY)
    assert store is not None
    files[0].write_text(files[0].read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    profiles, rest = checking._remembered(files, tmp_path, TODAY, store, True)
    assert [type(p).__name__ for p in profiles] == ["Profile", "NoneType", "NoneType"]  # the edited one checked afresh
    assert [type(r).__name__ for r in rest] == ["tuple", "bytes", "bytes"]  # its problems and pieces; the kept entries
    back = checking._read_back((profiles, rest), True)  # each in its file's place, the kept read back
    assert [Path(r[0].path).name for r in back] == [f.name for f in files]
    assert [r[0].data for r in back[1:]] == [p.data for p in afresh.profiles if Path(p.path).name != files[0].name]


@pytest.mark.slow  # waits out SQLite's busy timeout once (checkcache.BUSY_WAIT)
def test_a_run_does_not_wait_on_another_holding_the_stores_lock(kept, tmp_path, monkeypatch):
    """Another run stopped (Ctrl+Z) in the middle of writing its entries holds the store's lock: this run checks
    every profile without the cache rather than wait on it chunk after chunk (here 12 chunks in two workers, each
    with a profile edited since the entries were kept, so each would wait to write)."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 4)
    folder = _some_profiles(tmp_path, 12)
    check_paths([folder], base=tmp_path, pieces=True, on=TODAY, workers=2)
    for f in folder.glob("*.yaml"):
        f.write_text(f.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    [store] = (kept / checkcache.CHECKS).glob("*.sqlite")
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        start = time.perf_counter()
        again = check_paths([folder], base=tmp_path, pieces=True, on=TODAY, workers=2)
        took = time.perf_counter() - start
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert took < checkcache.BUSY_WAIT + 3
    monkeypatch.setenv(checkcache.CACHE_ENV, "off")
    afresh = check_paths([folder], base=tmp_path, pieces=True, on=TODAY, workers=2)
    assert again.pieces == afresh.pieces and [p.data for p in again.profiles] == [p.data for p in afresh.profiles]


def test_a_package_file_that_cannot_be_read_turns_the_cache_off_for_the_run(kept, tmp_path, monkeypatch, run_cli):
    def unreadable() -> str:
        raise PermissionError(13, "Permission denied", "carehomes/views.py")

    monkeypatch.setattr(checkcache, "_code_digest", unreadable)
    monkeypatch.setattr(checkcache, "_checks_digest", unreadable)
    env = {**os.environ, **EPOCH}
    done = run_cli("data", "--out", str(tmp_path / "out"), env=env)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert not kept.exists() or not list(kept.rglob("*.sqlite"))


def test_the_code_digest_leaves_out_editors_leftovers_and_other_files_of_the_package(tmp_path, monkeypatch):
    digest = _digest_of_a_copy(tmp_path, monkeypatch)
    first = digest()
    for leftover in ("schema/.datapackage.json.swp", "schema/datapackage.json~", "carehomes/views.py.orig",
                     "carehomes/notes.txt"):
        (tmp_path / leftover).write_text("x", encoding="utf-8")
    assert digest() == first


@pytest.fixture(scope="module")
def data_afresh(tmp_path_factory) -> dict[str, bytes]:
    """The bundled homes' open data with the cache off (SOURCE_DATE_EPOCH fixed), once for the module's tests."""
    from conftest import run_build

    out = tmp_path_factory.mktemp("afresh") / "data"
    done = run_build("data", "--out", str(out), env={**os.environ, **EPOCH, checkcache.CACHE_ENV: "off"})
    assert done.returncode == 0, done.stderr
    return _files(out)


@DATA_AFRESH
@pytest.mark.parametrize("where", ["a file", "a folder in the store's place", "a broken store"])
def test_a_cache_that_cannot_be_used_changes_nothing(tmp_path, run_cli, where, data_afresh):
    folder = tmp_path / "cache"
    if where == "a file":
        folder.write_text("not a folder", encoding="utf-8")
    elif where == "a folder in the store's place":  # as unusable as a read-only folder, which root can write
        (folder / checkcache.CHECKS / f"{checkcache._checks_digest()}.sqlite").mkdir(parents=True)
    else:
        (folder / checkcache.CHECKS).mkdir(parents=True)
        (folder / checkcache.CHECKS / f"{checkcache._checks_digest()}.sqlite").write_bytes(b"this is not a database" * 100)
    done = run_cli("data", "--out", str(tmp_path / "out"), env={**os.environ, **EPOCH, checkcache.CACHE_ENV: str(folder)})
    assert done.returncode == 0 and "Traceback" not in done.stderr and done.stdout == ""
    assert _files(tmp_path / "out") == data_afresh


@pytest.mark.parametrize(("env", "where"), [
    ({"CAREHOMES_CACHE": "off"}, None),
    ({"CAREHOMES_CACHE": "OFF", "HOME": "/home/x"}, None),
    ({"CAREHOMES_CACHE": "/tmp/kept"}, Path("/tmp/kept")),
    ({"CAREHOMES_CACHE": "~/kept", "HOME": "/home/x"}, Path("/home/x/kept")),
    ({"XDG_CACHE_HOME": "/var/cache/me", "HOME": "/home/x"}, Path("/var/cache/me/carehomes")),
    ({"XDG_CACHE_HOME": "relative", "HOME": "/home/x"}, Path("/home/x/.cache/carehomes")),
    ({"HOME": "/home/x"}, Path("/home/x/.cache/carehomes")),
    ({}, None),
])
def test_where_results_are_kept(monkeypatch, env, where):
    for name in ("CAREHOMES_CACHE", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert checkcache.cache_root() == where


def test_the_check_command_reads_and_writes_no_cache(kept, run_cli, tmp_path):
    folder = _some_profiles(tmp_path, 2)
    assert run_cli("check", str(folder), cwd=tmp_path).returncode == 0
    assert not kept.exists()


@pytest.fixture(scope="module")
def held_pages() -> dict[str, tuple[bytes, bytes, list]]:
    """Every bundled home's page held open (render.held_home_page) on TODAY, by slug, both areas."""
    from carehomes import render

    tpl = render.profile_page()
    return {v.slug: render.held_home_page(v, tpl, SHELL, "care@example.org") for v in _bundled_views(TODAY)}


SHELL = ("<html><body>", "</body></html>")


def _bundled_views(on: dt.date) -> list:
    from carehomes.pipeline import views_of
    from carehomes.schema import load_schema

    views = []
    for folder in (PROVIDERS, *sorted((ROOT / "areas").glob("*/providers"))):
        views += views_of(check_paths([folder], on=on).profiles, on, load_schema(), "https://example.org/edit/", {})
    return views


@pytest.mark.parametrize("later", [0, 1, 29, 31, 92, 366, 731])
def test_every_bundled_home_page_kept_from_another_day_is_the_page_made_that_day(later, held_pages):
    """render.held_home_page's promise, which the pages kept across days rest on, over every bundled home (both areas):
    a page held open on one day, where its staleness decisions hold on a later day, has its marks filled in that
    day byte for byte the page made that day with its words (a word of the day that does not pass through
    HomeView.age, or an age changed on its way into the page, capitalised or cut, would differ), and no mark left."""
    from carehomes import ages, render

    on = TODAY + dt.timedelta(days=later)
    tpl = render.profile_page()
    held = 0
    for v in _bundled_views(on):
        page, summary, decided = held_pages[v.slug]
        with v.remembering():
            body, summary_text = render._home_parts(v, tpl, "care@example.org")
            head, tail = render._shell_of(v, SHELL)
            plain = head.decode() + body + tail.decode(), summary_text
        assert ages.AGE_OPEN not in plain[0] + plain[1]
        if v.holds_on(decided):
            held += 1
            assert (ages.fill_ages(page, on).decode(), ages.fill_ages(summary, on).decode()) == plain, v.slug
    assert held > len(held_pages) / 2


@pytest.mark.parametrize("blocked", ["file", "loop"])
def test_a_feed_that_cannot_be_kept_stops_no_build(tmp_path, monkeypatch, blocked):
    """keep_feed runs once the new site is published: a cache whose feed/ cannot hold it (a file or a loop of links
    where the folder should be; likewise read-only) leaves it unkept, never failing the build that published it."""
    monkeypatch.setenv(checkcache.CACHE_ENV, str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    if blocked == "file":
        (tmp_path / "cache" / checkcache.FEEDS).write_text("not a folder")
    else:
        (tmp_path / "cache" / checkcache.FEEDS).symlink_to(checkcache.FEEDS)
    published = tmp_path / "changes.atom"
    published.write_text("<feed/>")
    checkcache.keep_feed(published, checkcache.kept_feed("https://example.org/"))


def test_code_changed_on_disk_after_it_was_loaded_names_no_store(kept, tmp_path, monkeypatch):
    """A store is named by the code on disk when first opened, but a run runs the code it loaded at its start: a file
    changed between (a git checkout or pull while a build runs) would keep the old code's listings under the new
    code's name, for the next build to publish. Such a run keeps nothing in the stores that file names (the others
    as before)."""
    _digest_of_a_copy(tmp_path, monkeypatch)
    monkeypatch.setattr(checkcache, "_LOADED", checkcache._files_as_loaded())  # the copy's files as this run loaded them
    for digest in (checkcache._checks_digest, checkcache._listings_digest, checkcache._code_digest):
        digest.cache_clear()
    changed = tmp_path / "carehomes" / "search_index.py"  # in LISTING_CODE, not CHECK_CODE
    changed.write_text(changed.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    assert checkcache.open_listings(TODAY) is None and checkcache.open_pages(TODAY) is None
    assert checkcache.open_checks(TODAY) is not None
    for digest in (checkcache._checks_digest, checkcache._listings_digest, checkcache._code_digest):
        digest.cache_clear()


def _inodes(site: Path) -> dict[str, int]:
    """Each home's page's file (its inode) by slug, in the build ``site`` links to now."""
    return {p.parent.name: p.stat().st_ino for p in (site / "homes").glob("*/index.html")}


@pytest.mark.slow  # builds the site of six homes several times
def test_a_build_the_same_day_links_the_pages_the_last_build_wrote_and_writes_only_the_edited_one(kept, tmp_path,
                                                                                                    monkeypatch):
    """A build after one edit read every other kept home page from the store, filled in its ages and wrote it again,
    though the build it replaces wrote the very same bytes that day (nationally 15,402 pages: 2.7 s of CPU). Those
    are now linked from it; the edited home's page is made again, and a page the build replaced holds no longer
    (serve's preview wrote it in place) is not linked, nor on a later day one whose words are not that day's."""
    from carehomes import incremental, render
    from carehomes.pipeline import build_site

    monkeypatch.setattr(render, "EARLY_FROM", 0)  # the national path: kept pages written early, beside the engine
    folder = _some_profiles(tmp_path)
    site = tmp_path / "site"

    def build(on: dt.date = TODAY) -> dict[str, int]:
        checked = check_paths([folder], on=on, pieces=True)
        build_site(checked.profiles, site, today=on, made=checked.pieces)
        return _inodes(site)

    first = build()
    again = build()  # the same day, nothing changed: every page the same file
    assert again == first and len(first) == 6
    edited = sorted(folder.glob("*.yaml"))[2]
    slug = next(s for s in first if edited.read_text(encoding="utf-8").count(f"slug: {s}\n"))
    edited.write_text(edited.read_text(encoding="utf-8").replace("\nname: ", "\nname: Edited ", 1), encoding="utf-8")
    after = build()
    assert {s for s in after if after[s] != again[s]} == {slug}  # only the edited home's page written again
    assert "<h1>Edited " in (site / "homes" / slug / "index.html").read_text(encoding="utf-8")
    fresh = tmp_path / "fresh"  # byte for byte what a build with nothing kept writes
    monkeypatch.setenv(checkcache.CACHE_ENV, "off")
    checked = check_paths([folder], on=TODAY, pieces=True)
    build_site(checked.profiles, fresh, today=TODAY, made=checked.pieces)
    monkeypatch.setenv(checkcache.CACHE_ENV, str(kept))
    assert _files(site / "homes") == _files(fresh / "homes")
    # serve previews the edit undone, writing that page in place; the profile is edited again before serve's next
    # full build, which must not link the page written in place (named as the edited page was): nothing is linked
    live = incremental.Live(site, [folder], ROOT / "mkdocs.yml", ROOT / "releases", index=False, clock=lambda: TODAY)
    live.start(check_paths([folder], on=TODAY).profiles)
    edited.write_text(edited.read_text(encoding="utf-8").replace("\nname: Edited ", "\nname: ", 1), encoding="utf-8")
    live.apply([edited])
    assert "<h1>Edited " not in (site / "homes" / slug / "index.html").read_text(encoding="utf-8")
    edited.write_text(edited.read_text(encoding="utf-8").replace("\nname: ", "\nname: Edited ", 1), encoding="utf-8")
    previewed = _inodes(site)
    assert not set(build().values()) & set(previewed.values())
    assert "<h1>Edited " in (site / "homes" / slug / "index.html").read_text(encoding="utf-8")
    # another day: a page whose words are that day's (an age in days) made again, one whose words are the same
    # linked (its ages in months or years, its staleness decisions the same): exactly those whose bytes are the same
    today = _inodes(site)
    said = {slug: (site / "homes" / slug / "index.html").read_bytes() + (site / "homes" / slug / "home.json").read_bytes()
            for slug in today}
    tomorrow = TODAY + dt.timedelta(days=1)
    next_day = build(tomorrow)
    same = {slug for slug in today
            if (site / "homes" / slug / "index.html").read_bytes() + (site / "homes" / slug / "home.json").read_bytes() == said[slug]}
    assert {slug for slug in today if next_day[slug] == today[slug]} == same and same and same != set(today)
    # a page gone from the build replaced: that home's made again, the others linked
    (site / "homes" / slug / "home.json").unlink()
    before = _inodes(site)
    now = build(tomorrow)
    assert {s for s in now if now[s] != before[s]} == {slug} and (site / "homes" / slug / "home.json").is_file()
    # a file system that links no files: every page read and written as before
    monkeypatch.setattr(os, "link", lambda *args, **kwargs: (_ for _ in ()).throw(OSError(1, "Operation not permitted")))
    before = _inodes(site)
    assert not set(build(tomorrow).values()) & set(before.values())
    monkeypatch.setenv(checkcache.CACHE_ENV, "off")
    checked = check_paths([folder], on=tomorrow, pieces=True)
    build_site(checked.profiles, fresh, today=tomorrow, made=checked.pieces)
    assert _files(site / "homes") == _files(fresh / "homes")


@pytest.mark.slow  # builds the site of six homes eleven times
def test_pages_linked_from_an_earlier_day_are_the_pages_that_day_makes(kept, tmp_path, monkeypatch):
    """The next day's build linked none of the pages the build it replaced wrote, and read and wrote all 15,403
    (nationally 1.5 s of the build's 10): most say the same on the next day, their facts months or years old. Now
    a page is linked from an earlier day's build when each of its ages is worded the same and each staleness
    decision is the same on the day: over a day, a month's end, a gap of a few weeks, a year, each build is byte for
    byte the build made with nothing kept that day, and pages are linked on each day after a day."""
    from carehomes import render
    from carehomes.pipeline import build_site

    monkeypatch.setattr(render, "EARLY_FROM", 0)
    folder = _some_profiles(tmp_path)
    site, fresh = tmp_path / "site", tmp_path / "fresh"
    before = None
    linked_on = []
    for day in (TODAY, TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=7), TODAY + dt.timedelta(days=38),
                TODAY + dt.timedelta(days=39), TODAY + dt.timedelta(days=405)):
        monkeypatch.setenv(checkcache.CACHE_ENV, str(kept))
        checked = check_paths([folder], on=day, pieces=True)
        build_site(checked.profiles, site, today=day, made=checked.pieces)
        now = _inodes(site)
        if before is not None and set(now.values()) & set(before.values()):
            linked_on.append(day)
        before = now
        monkeypatch.setenv(checkcache.CACHE_ENV, "off")
        checked = check_paths([folder], on=day, pieces=True)
        build_site(checked.profiles, fresh, today=day, made=checked.pieces)
        assert _files(site / "homes") == _files(fresh / "homes"), day
    assert TODAY + dt.timedelta(days=1) in linked_on and TODAY + dt.timedelta(days=39) in linked_on  # each after a day


@pytest.mark.slow  # builds the site of six homes four times
def test_a_page_changed_in_place_with_its_time_put_back_is_not_linked_on_later_days(kept, tmp_path, monkeypatch):
    """The code review: a page of the live site rewritten in place with its time of change put back (cp -p, rsync -t)
    passed as the file its build wrote, and from the next day on was linked for as long as its words were the same
    (it had been only until the day's end). A file is also compared with the size its build wrote, and a page is
    written again 7 to 13 days after it was written (render.LINK_DAYS), so that one changed keeping its size too is
    published two weeks at most."""
    from carehomes import render
    from carehomes.pipeline import build_site

    monkeypatch.setattr(render, "EARLY_FROM", 0)
    folder = _some_profiles(tmp_path)
    site = tmp_path / "site"

    def build(day: dt.date, out: Path = site) -> None:
        checked = check_paths([folder], on=day, pieces=True)
        build_site(checked.profiles, out, today=day, made=checked.pieces)

    build(TODAY)
    first = _inodes(site)
    build(TODAY + dt.timedelta(days=1))
    steady = sorted(s for s, ino in _inodes(site).items() if ino == first[s])  # linked: the same words on the next day
    slug, same_size = steady[:2]
    page, other = site / "homes" / slug / "index.html", site / "homes" / same_size / "index.html"

    def change(path: Path, old: bytes, new: bytes) -> None:  # the same file, another text, its time put back
        st = path.stat()
        with open(path, "r+b") as f:
            text = f.read().replace(old, new, 1)
            f.seek(0)
            f.write(text)
            f.truncate()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))

    change(page, b"<h1>", b"<h1>Changed ")
    change(other, b"<h1>", b"<h2>")  # the same size
    day = TODAY + dt.timedelta(days=1)
    before = _inodes(site)
    build(day)  # the same day: the page of another size written again, the other linked as it is
    assert b"<h1>Changed " not in page.read_bytes() and _inodes(site)[slug] != before[slug]
    assert b"<h2>" in other.read_bytes() and _inodes(site)[same_size] == before[same_size]
    monkeypatch.setattr(render, "LINK_DAYS", 1)  # as if LINK_DAYS had passed since it was written: written again
    build(day)
    assert b"<h2>" not in other.read_bytes()
    monkeypatch.setenv(checkcache.CACHE_ENV, "off")
    build(day, tmp_path / "fresh")
    assert _files(site / "homes") == _files(tmp_path / "fresh" / "homes")


def test_a_page_is_linked_on_a_later_day_only_when_its_words_and_decisions_are_the_same():
    """render._same_words, on what a page written on 1 March depends on (render.fill_of): an age in years and months
    the same on 2 March, not on 1 April; a staleness decision that no longer holds, or a fill that is not fill_of's
    (an earlier version's empty one, damaged JSON, a mark that is not a day), never linked."""
    from types import SimpleNamespace

    from carehomes import ages, render

    mark = ages.age_mark("2021-03-31").encode()
    fill = render.fill_of([["rating", "2021-03-31", True]], b"<p>Rated " + mark + b"</p>", b'{"a":"' + mark + b'"}')
    assert fill == '[["2021-03-31"],[["rating","2021-03-31",true]]]' and "\t" not in fill and "\n" not in fill
    written = dt.date(2026, 3, 1)

    def view(day: dt.date, holds: bool = True) -> SimpleNamespace:
        return SimpleNamespace(today=day, holds_on=lambda decided: holds and decided == [["rating", "2021-03-31", True]])

    assert render._same_words(view(dt.date(2026, 3, 2)), fill, written)  # "4 years 11 months ago" on both
    assert not render._same_words(view(dt.date(2026, 4, 1)), fill, written)  # "5 years ago"
    assert not render._same_words(view(dt.date(2026, 3, 2), holds=False), fill, written)
    for bad in ("", "[", "[[],[]", '[["2021-02-30"],[]]', '[[31],[]]', '[["2021-03-31"],[["rating"]]]', '{"a": 1}'):
        assert not render._same_words(view(dt.date(2026, 3, 2)), bad, written), bad


@pytest.mark.slow  # builds the site of six homes several times
def test_a_page_changed_in_the_build_replaced_since_it_was_written_is_not_linked(kept, tmp_path, monkeypatch):
    """The build replaced is the live site, which anyone may change after its build recorded its pages: a page edited
    by hand (or written by a serve whose cache was off, so that it forgot no record), a home.json appended to in
    place, a page made readable to its owner alone, a home.json swapped for a link to a file elsewhere. Each was
    linked into the next build the same day: the edit, the permissions and the other file published again. So was
    another home's page moved or linked there (as old as the page it replaced)."""
    from carehomes import render
    from carehomes.pipeline import build_site

    monkeypatch.setattr(render, "EARLY_FROM", 0)
    folder = _some_profiles(tmp_path)
    site = tmp_path / "site"

    def build(out: Path = site) -> dict[str, int]:
        checked = check_paths([folder], on=TODAY, pieces=True)
        build_site(checked.profiles, out, today=TODAY, made=checked.pieces)
        return _inodes(out)

    build()
    before = build()
    edited, appended, hidden, linked, moved, kept_home = sorted(before)
    page = site / "homes" / edited / "index.html"
    (site / "homes" / edited / "new.html").write_bytes(page.read_bytes().replace(b"<h1>", b"<h1>Edited "))
    os.replace(site / "homes" / edited / "new.html", page)
    with open(site / "homes" / appended / "home.json", "ab") as f:
        f.write(b" ")
    (site / "homes" / hidden / "index.html").chmod(0o600)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("{}", encoding="utf-8")
    (site / "homes" / linked / "home.json").unlink()
    (site / "homes" / linked / "home.json").symlink_to(elsewhere)
    os.link(site / "homes" / kept_home / "index.html", site / "homes" / moved / "other.html")  # as old as its own
    os.replace(site / "homes" / moved / "other.html", site / "homes" / moved / "index.html")
    before = _inodes(site)
    after = build()
    assert {s for s in after if after[s] != before[s]} == {edited, appended, hidden, linked, moved}
    monkeypatch.setenv(checkcache.CACHE_ENV, "off")
    fresh = tmp_path / "fresh"
    build(fresh)
    assert _files(site / "homes") == _files(fresh / "homes")
    assert not (site / "homes" / linked / "home.json").is_symlink()
    assert elsewhere.stat().st_nlink == 1
    modes = {p.relative_to(site).as_posix(): p.stat().st_mode for p in (site / "homes").rglob("*")}
    assert modes == {p.relative_to(fresh).as_posix(): p.stat().st_mode for p in (fresh / "homes").rglob("*")}
