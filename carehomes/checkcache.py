"""Each profile's check, and each home's page and find page listing, remembered between runs (issue 24: rebuild
only what changed).

``data`` and ``build`` load, check and cut into pieces every profile (nationally 10 s of CPU, most of
``data``). Most runs follow a run on nearly the same files, so each profile's result (its parsed profile,
its problems and its pieces) is kept as an entry named by a hash of its bytes and of the path shown in
messages, in a SQLite file (a store, in ``checks/``) named by a hash of everything else the result depends on
but the day: the package's modules a check runs (``CHECK_CODE``), ``schema/``, and the Python and library versions
(``_checks_digest``). A changed profile, or a change to that code or the schema, finds nothing kept and is checked
again; a change to the rest of the code (the pages, the search, the commands) keeps every check. The rules use the day
only to refuse a date after it (``validate.day_bound``), so an entry is taken on the day it was checked and, when it
had no such problem, on every later day: the first run of a day (the daily publish) checks only what changed.

Two more stores keep, for ``build``, each home's listing in the find page's index (search.recall_listings; the store
named by the code a listing is made by, ``LISTING_CODE``: ``open_listings``), and each home page and its home.json
(render.render_homes) and the page shell each site's last build rendered (named by all of the package's code and
templates: ``open_pages``), each named by a hash of everything it is made from but the day. A page or listing is
kept with each age held open as a mark filled in on the day it is written (ages.fill_ages) and the staleness
decisions it made ("rated more than 2 years ago": HomeView.held_open), and is taken on another day when each
decision is the same. Anything no run has taken for ``UNUSED_DAYS`` days (a profile's earlier text) is removed.

Beside the generations, whatever the code: the last postcode lookups published (``lookup/``, named by what each is
made from: outputs.postcode_lookup) and each site's last feed of changes (``feed/``, by its address), for a build
with no site of its own to take them from (a fresh checkout: the publish workflow). The feed is the one thing the
cache changes in what a build publishes, by design: there, the unreleased changes keep the day the site first
published them, as they do in a build that replaces the site, where a build with the cache off dates them that day.

Kept in ``$CAREHOMES_CACHE`` or else ``$XDG_CACHE_HOME/carehomes`` (``~/.cache/carehomes``): outside the
repository, where a pull request cannot put files. ``CAREHOMES_CACHE=off`` turns it off (the tests do, except
their own). An entry holds plain values only (tuples, lists, dicts, text, numbers, dates), read with an
unpickler that makes no other type, and becomes a result again only when it has the shape ``to_entry`` gives
it (``from_entries``). Anything wrong with the folder or a generation (missing, read-only, full, locked, an
entry that cannot be read back) means the profiles are checked again: the cache can make a run quicker,
never different or failing. Only the six most recently used stores are kept (two versions of the code: each
one's checks, listings and pages).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import json
import pickle
import sqlite3
import sys
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from .fsutil import write_bytes_atomic
from .load import Profile
from .outputs.oruk_tabular import ServiceLines
from .outputs.pieces import HomePieces
from .problems import Problem

CACHE_ENV = "CAREHOMES_CACHE"
OFF = frozenset(("off", "0", "no", "false"))
KEPT_GENERATIONS = 6  # two versions of the code: each one's checks, listings and pages
_PACKAGE = Path(__file__).resolve().parent
_ROOT = _PACKAGE.parent


def cache_root() -> Path | None:
    """Where the generations are kept: ``$CAREHOMES_CACHE``, else ``$XDG_CACHE_HOME/carehomes`` or
    ``~/.cache/carehomes``; None when turned off (``CAREHOMES_CACHE=off``) or when there is no home folder."""
    given = os.environ.get(CACHE_ENV, "").strip()
    if given.lower() in OFF:
        return None
    if given:
        return Path(given).expanduser().absolute()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "carehomes"
    home = os.environ.get("HOME", "").strip()
    return Path(home) / ".cache" / "carehomes" if home and os.path.isabs(home) else None


SKIPPED = (".swp", ".swo", ".orig", ".rej", ".bak", "~")  # an editor's or a patch's leftovers: not read


# The code a profile's check runs (checking.check_paths' workers: reading, the rules, the open data pieces): the
# modules ``carehomes.checking`` imports, and theirs, with the packages they are in. A kept check is named by these
# alone (_checks_digest), so that a change to the pages, the search or the commands keeps every profile's check
# (nationally 8 s of CPU); a listing by LISTING_CODE, a home page by all of the package (_code_digest).
# tests/test_structure.py and tests/test_checkcache.py find the modules by reading their imports and by running a
# check or a listing, and fail when a list misses one.
CHECK_CODE = ("__init__.py", "ages.py", "blockyaml.py", "checkcache.py", "checking.py", "checks_external.py", "face.py",
              "fsutil.py", "jsontext.py", "kinds.py", "load.py", "merge.py", "outputs/__init__.py",
              "outputs/geojson.py", "outputs/oruk.py", "outputs/oruk_api.py", "outputs/oruk_openapi.py",
              "outputs/oruk_tabular.py", "outputs/pieces.py", "outputs/tables.py", "outputs/typed.py", "parallel.py",
              "problems.py", "records.py", "safetext.py", "schema.py", "sources/__init__.py", "sources/nhs_ods.py",
              "sources/postcodes.py", "text.py", "validate.py", "yamlio.py")
# Likewise the code a home's find page listing is made by (search.Listed, search.listing_text: ``carehomes.search``'s
# imports, and theirs): a change to the pages' code or templates (render.py, homepage.py) keeps every listing.
LISTING_CODE = ("__init__.py", "ages.py", "blockyaml.py", "checkcache.py", "configfile.py", "face.py", "finding.py",
                "forms.py", "fsutil.py", "jsontext.py", "kinds.py", "load.py", "merge.py", "outputs/__init__.py",
                "outputs/geojson.py", "outputs/oruk.py", "outputs/oruk_api.py", "outputs/oruk_openapi.py",
                "outputs/oruk_tabular.py", "outputs/pieces.py", "outputs/tables.py", "outputs/typed.py", "problems.py",
                "records.py", "safetext.py", "schema.py", "search.py", "search_index.py", "sources/__init__.py",
                "sources/nhs_ods.py", "sources/postcodes.py", "text.py", "validate.py", "views.py", "yamlio.py")


def _files_as_loaded() -> dict[str, tuple[int, int]]:
    """Each file of the package's and of schema/'s size and time of change, by path: taken as this module is imported,
    with the package's code (``_LOADED``)."""
    out = {}
    for path in [*_PACKAGE.rglob("*"), *(_ROOT / "schema").rglob("*")]:
        try:
            if path.is_file() and "__pycache__" not in path.parts:
                st = path.stat()
                out[str(path)] = (st.st_size, st.st_mtime_ns)
        except OSError:
            continue
    return out


# The code a run runs is what it loaded at its start; a store is named by the files when first opened. A file changed
# between (a git checkout or pull while a build runs) would have this run's results kept under the new code's name,
# for the next run to take: _digest refuses then (OSError), and this run keeps nothing in that store.
_LOADED = _files_as_loaded()


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A hash of what a home page or a page shell depends on besides its profile and the day: the package's
    Python files and templates, every file under schema/ (but hidden files and editors' leftovers) and the Python and
    library versions (PyYAML's with or without libyaml, whose messages differ; Jinja2's and MarkupSafe's, whose
    escaping and filters a page uses). Raises OSError when a file cannot be read. Worked out once a process: a file
    edited while a build runs is that build's business, not the cache's (the next build hashes it again)."""
    return _digest([*_PACKAGE.rglob("*.py"), *(_PACKAGE / "templates").rglob("*")])


@lru_cache(maxsize=1)
def _checks_digest() -> str:
    """``_code_digest`` of what a profile's check depends on: the package's CHECK_CODE, schema/ and the versions."""
    return _digest([_PACKAGE / name for name in CHECK_CODE])


@lru_cache(maxsize=1)
def _listings_digest() -> str:
    """``_code_digest`` of what a find page listing depends on: the package's LISTING_CODE, schema/ and the versions."""
    return _digest([_PACKAGE / name for name in LISTING_CODE])


def _digest(code: list[Path]) -> str:
    """A hash of the files ``code`` and those under schema/ (but hidden files and editors' leftovers), and of the
    Python and library versions."""
    import yaml

    h = hashlib.blake2b(digest_size=16)
    for path in sorted([*code, *(_ROOT / "schema").rglob("*")]):
        if "__pycache__" in path.parts or path.name.startswith(".") or path.name.endswith(SKIPPED):
            continue
        _unchanged(path)
        if path.is_file():
            h.update(str(path.relative_to(_ROOT)).encode("utf-8", "surrogateescape") + b"\0")
            h.update(path.read_bytes() + b"\0")
    try:
        import orjson
        orjson_version = getattr(orjson, "__version__", "?")
    except ImportError:
        orjson_version = "none"
    libyaml = getattr(yaml, "__with_libyaml__", False)
    from importlib.metadata import version

    h.update(f"{sys.version}\0{yaml.__version__}\0{libyaml}\0{orjson_version}\0{version('jinja2')}\0"
             f"{version('markupsafe')}".encode())
    return h.hexdigest()


def _unchanged(path: Path) -> None:
    """OSError when ``path`` is not as it was when this run loaded its code (``_LOADED``): changed, or gone."""
    was = _LOADED.get(str(path))
    if was is not None:
        st = path.stat()
        if (st.st_size, st.st_mtime_ns) != was:
            raise OSError(f"{path} changed since this run started")


def entry_name(raw: bytes, shown: str) -> str:
    """A profile's entry in its generation: a hash of its bytes and of the path its messages show."""
    h = hashlib.blake2b(raw, digest_size=20)
    h.update(b"\0" + shown.encode("utf-8", "surrogateescape"))
    return h.hexdigest()


BUSY_WAIT = 2.0  # seconds to wait for another run's write to the same generation


def _connect(store: Path) -> sqlite3.Connection:
    """A connection to a generation's store, waiting up to ``BUSY_WAIT`` for another process writing to it."""
    db = sqlite3.connect(store, timeout=BUSY_WAIT, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")  # a result lost in a crash is only checked again
    return db


def _create_checks(db: sqlite3.Connection) -> None:
    """The table of kept checks (entries), in SQLite pages of 64 KB (an entry is about 10 KB: nationally 150 MB
    kept in 0.2 s, not 0.75 s in 4 KB pages with a write-ahead log): each entry's name, the day it was checked,
    whether it holds on later days (``validate.day_bound``) and the result; and apart, in a small table (marking
    an entry taken rewrites no page of results), the last day a run took each (taken)."""
    db.execute("PRAGMA page_size=65536")
    db.execute("CREATE TABLE IF NOT EXISTS entries (name TEXT PRIMARY KEY, checked TEXT NOT NULL, "
               "later INTEGER NOT NULL, result BLOB NOT NULL)")
    db.execute("CREATE TABLE IF NOT EXISTS taken (name TEXT PRIMARY KEY, day TEXT NOT NULL)")
    db.execute("CREATE INDEX IF NOT EXISTS taken_day ON taken (day)")
    # each home page's body (its page less the shell's head and tail, which are the same on every page of a
    # generation) with its age marks and the staleness decisions it holds on (render.held_home_parts), taken as
    # entries are; each site's last page shell (render.shell_key)
    db.execute("CREATE TABLE IF NOT EXISTS pages (name TEXT PRIMARY KEY, decided TEXT NOT NULL, page BLOB NOT NULL, "
               "summary BLOB NOT NULL)")
    db.execute("CREATE TABLE IF NOT EXISTS shells (name TEXT PRIMARY KEY, head TEXT NOT NULL, tail TEXT NOT NULL)")
    # what each site's last build wrote as its home pages (read_written): its folder, day, inputs, each page's name and
    # when they were written
    db.execute("CREATE TABLE IF NOT EXISTS written (name TEXT PRIMARY KEY, build TEXT NOT NULL, day TEXT NOT NULL, "
               "inputs TEXT NOT NULL, pages TEXT NOT NULL, made INTEGER NOT NULL)")
    # each home's listing in the find page's index, with its ages held open and its decisions (search.listing_text)
    db.execute("CREATE TABLE IF NOT EXISTS listings (name TEXT PRIMARY KEY, listing TEXT NOT NULL)")


CHECKS = "checks"  # the cache's folder of generations
LOOKUPS = "lookup"  # the cache's folder of postcode lookups (outputs.postcode_lookup), kept whatever the code
FEEDS = "feed"  # the cache's folder of the feeds of changes each site last published (outputs.atom)
TAKEN = ("entries", "pages", "listings")  # the tables whose rows a run marks as taken (taken), the others' removed
UNUSED_DAYS = 14  # an entry, page or listing no run has taken for this many days is removed


def kept_feed(site_url: str) -> Path | None:
    """Where the feed of changes (data/changes.atom) the site at ``site_url`` last built is kept, by a hash of that
    address, so that a build with no site to replace (a fresh checkout: the publish workflow) dates the unreleased
    changes by the day they were first published, not by its own (outputs.atom.entry_date); None when the cache is off."""
    root = cache_root()
    name = hashlib.blake2b(site_url.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
    return None if root is None else root / FEEDS / f"{name}.atom"


def keep_feed(feed: Path, kept: Path | None) -> None:
    """Keep the feed a build published (``feed``) at ``kept`` (kept_feed), whole or not at all; a cache that cannot
    be written is left as it is."""
    if kept is None:
        return
    try:
        write_bytes_atomic(kept, feed.read_bytes())  # no temporary file left, whatever fails
    except OSError:
        pass


def kept_lookups() -> Path | None:
    """The cache's folder of kept postcode lookups (``outputs.postcode_lookup.write_lookup``'s ``kept``: made from
    Code-Point alone, so named by its files and that module's code, not by this package's); None when the cache is off."""
    root = cache_root()
    return None if root is None else root / LOOKUPS


def open_checks(on: dt.date) -> Path | None:
    """The store of kept checks of this code's checking (a SQLite file in ``checks/`` named by _checks_digest), made
    if need be and marked as used now, less what no run has taken since ``UNUSED_DAYS`` before ``on``; the stores
    beyond the ``KEPT_GENERATIONS`` most recently used are removed. None when the cache is off or cannot be used: its
    folder or file cannot be made or written, a file of the package cannot be read, or another run holds the store's
    lock for more than ``BUSY_WAIT`` (one stopped with Ctrl+Z in the middle of a write): then this run checks every
    profile rather than wait on it chunk after chunk."""
    return _open(on, _checks_digest)


def open_pages(on: dt.date) -> Path | None:
    """``open_checks``' store of kept home pages and page shells: named by all of this code (_code_digest)."""
    return _open(on, _code_digest)


def open_listings(on: dt.date) -> Path | None:
    """``open_checks``' store of kept find page listings: named by the code they are made by (_listings_digest)."""
    return _open(on, _listings_digest)


def _open(on: dt.date, digest: Callable[[], str]) -> Path | None:
    """The store named by ``digest()``, opened as open_checks says."""
    root = cache_root()
    if root is None:
        return None
    try:
        folder = root / CHECKS
        store = folder / f"{digest()}.sqlite"
        folder.mkdir(parents=True, exist_ok=True)
        with closing(_connect(store)) as db:
            _create_checks(db)
            db.execute("BEGIN IMMEDIATE")  # can this run write to it now?
            since = (on - dt.timedelta(days=UNUSED_DAYS)).isoformat()
            for table in TAKEN:
                db.execute(f"DELETE FROM {table} WHERE name IN (SELECT name FROM taken WHERE day < ?)", (since,))
            db.execute("DELETE FROM taken WHERE day < ?", (since,))
            db.execute("COMMIT")
        os.utime(store)
        _prune(folder)
        for old in root.glob("*.sqlite*"):  # a generation of a day, as versions before December 2026 kept pages
            old.unlink()
    except (OSError, sqlite3.Error):
        return None
    return store


def _prune(root: Path) -> None:
    """Remove every generation but the ``KEPT_GENERATIONS`` most recently used."""
    try:
        found = sorted(((p.stat().st_mtime, p) for p in root.glob("*.sqlite")), reverse=True)
    except OSError:
        return
    for _, store in found[KEPT_GENERATIONS:]:
        for path in (store, *(store.with_name(store.name + end) for end in ("-journal", "-wal", "-shm"))):
            try:
                path.unlink()
            except OSError:
                pass


BATCH = 1000  # rows a caller looks up and keeps at a time (nationally 17 MB of home pages)


def _read(store: Path, table: str, names: list[str], columns: str = "*", where: str = "",
          args: tuple = ()) -> list[tuple]:
    """The ``columns`` of the rows of ``table`` whose name is in ``names`` (and ``where``, with ``args``); none
    when the store cannot be read."""
    try:
        with closing(_connect(store)) as db:
            return db.execute(f"SELECT {columns} FROM {table} WHERE name IN (SELECT value FROM json_each(?)){where}",
                              (json.dumps(names), *args)).fetchall()
    except sqlite3.Error:
        return []


def _take(store: Path, table: str, names: list[str], columns: str, on: dt.date, where: str = "",
          args: tuple = ()) -> list[tuple]:
    """``_read``'s rows of a table of TAKEN, each marked as taken on ``on`` (_mark_taken)."""
    day = on.isoformat()
    rows = _read(store, table, names, f"name, (SELECT day FROM taken WHERE taken.name = {table}.name), {columns}",
                 where, args)
    _mark_taken(store, [row[0] for row in rows if row[1] != day], day)
    return [(row[0], *row[2:]) for row in rows]


def _write(store: Path, table: str, rows: list[tuple], on: dt.date | None = None) -> None:
    """Keep ``rows`` in ``table`` and, with ``on``, mark them taken that day (a table of TAKEN: its rows' first
    column is the name), all in one transaction; nothing when the store cannot be written."""
    if not rows:
        return
    try:
        with closing(_connect(store)) as db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
            if on is not None:
                db.executemany("INSERT OR REPLACE INTO taken VALUES (?, ?)", [(row[0], on.isoformat()) for row in rows])
            db.execute("COMMIT")
    except sqlite3.Error:
        pass


def read_entries(store: Path, names: list[str], on: dt.date) -> dict[str, bytes]:
    """The kept entries of ``names`` that hold on ``on`` (checked that day, or before it with no problem that depends
    on the day), by name; each marked as taken on ``on``. Nothing when the store cannot be read."""
    day = on.isoformat()
    rows = _take(store, "entries", names, "result", on, " AND (checked = ? OR (later = 1 AND checked < ?))", (day, day))
    return {name: result for name, result in rows if type(result) is bytes}


def mark_taken(store: Path, names: list[str], on: dt.date) -> None:
    """Note that a run used these pages on ``on`` without reading them (linked from the build it replaces, written from
    them on an earlier day), so that they are kept for the day one is read again."""
    _mark_taken(store, names, on.isoformat())


def _mark_taken(store: Path, names: list[str], day: str) -> None:
    """Note that a run took these entries or pages on ``day``: one not marked is at worst made again after
    UNUSED_DAYS days."""
    _write(store, "taken", [(name, day) for name in names])


def write_entries(store: Path, entries: list[tuple[str, bool, bytes]], on: dt.date) -> None:
    """Keep entries (name, whether it holds on later days, bytes) checked on ``on``."""
    _write(store, "entries", [(name, on.isoformat(), int(later), blob) for name, later, blob in entries], on)


Decided = list[tuple[str, str, bool]]  # the staleness decisions a kept page holds on (HomeView.held_open)


def read_pages(store: Path, names: list[str], on: dt.date) -> dict[str, tuple[Decided, bytes, bytes]]:
    """The kept home pages of ``names`` (those there are, in the store of pages: open_pages): name -> (the
    staleness decisions it holds on, the page's body, summary), as render.held_home_parts gives them, in UTF-8 with
    their ages' marks (nationally 140 MB neither decoded on reading nor encoded again on writing; the shell's 154 MB
    not kept at all); each marked as taken on ``on``."""
    out = {}
    for name, decided, page, summary in _take(store, "pages", names, "decided, page, summary", on):
        held = _decided(decided)
        if held is not None and type(page) is bytes and type(summary) is bytes:
            out[name] = (held, page, summary)
    return out


def _decided(text: Any) -> Decided | None:
    """Staleness decisions as write_pages keeps them, or None when they are not (a page then made again)."""
    try:
        held = json.loads(text)
    except (TypeError, ValueError, RecursionError):  # RecursionError: lists nested too deep for the decoder
        return None
    return decided_of(held)


def decided_of(held: Any) -> Decided | None:
    """Staleness decisions read back from JSON (lists of threshold, date and whether passed), or None when they are
    not that."""
    if type(held) is not list or not all(type(d) is list and len(d) == 3 and type(d[0]) is str and type(d[1]) is str
                                         and type(d[2]) is bool for d in held):
        return None
    return [(key, when, passed) for key, when, passed in held]


def write_pages(store: Path, pages: list[tuple[str, Decided, bytes, bytes]], on: dt.date) -> None:
    """Keep home pages (name, the staleness decisions it holds on, the page's body, summary), in UTF-8, made on ``on``."""
    _write(store, "pages", [(name, json.dumps(decided), page, summary) for name, decided, page, summary in pages], on)


def read_listings(store: Path, names: list[str], on: dt.date) -> dict[str, str]:
    """The kept find page listings of ``names`` (those there are): name -> its JSON text (search.recall_listings);
    each marked as taken on ``on``."""
    return {name: listing for name, listing in _take(store, "listings", names, "listing", on) if type(listing) is str}


def write_listings(store: Path, listings: list[tuple[str, str]], on: dt.date) -> None:
    """Keep find page listings (name, JSON text) made on ``on``."""
    _write(store, "listings", listings, on)


def read_shell(store: Path, site: str) -> tuple[str, str] | None:
    """The page shell (head, tail) the last build of ``site`` (render.shell_key) with this code rendered (in the
    store of checks)."""
    rows = _read(store, "shells", [site])
    return (rows[0][1], rows[0][2]) if rows and type(rows[0][1]) is str and type(rows[0][2]) is str else None


def write_shell(store: Path, site: str, shell: tuple[str, str]) -> None:
    """Keep the page shell a build of ``site`` rendered, for the next build's early home pages."""
    _write(store, "shells", [(site, *shell)])


def read_written(store: Path, site: str) -> Written | None:
    """What the last build of ``site`` (its key: render.written_key) with this code wrote as its home pages
    (write_written); None when nothing is kept or it cannot be read."""
    rows = _read(store, "written", [site], "build, day, inputs, pages, made")
    if not rows or not all(type(x) is str for x in rows[0][:4]) or type(rows[0][4]) is not int:
        return None
    build, day, inputs, pages, made = rows[0]
    return Written(build, day, inputs, dict(filter(None, map(_page_line, pages.split("\n")))), made)


def _page_line(line: str) -> tuple[str, Page] | None:
    """A line of a kept ``written`` row's pages (slug, page name, its two files' inode numbers and sizes, what its
    words depend on and the day they were written, tab-separated) read; None when it is not one (an earlier version's line: that page is then
    written again, not linked)."""
    parts = line.split("\t")
    if len(parts) != 8 or not all(n.isdigit() and n.isascii() for n in parts[2:6]):
        return None
    page, size, summary, summary_size = map(int, parts[2:6])
    return parts[0], Page(parts[1], (page, size, summary, summary_size), parts[6], parts[7])


def write_written(store: Path, site: str, written: Written) -> None:
    """Keep what a build of ``site`` wrote as its home pages, for the next build to link those it would write again."""
    _write(store, "written", [(site, written.build, written.day, written.inputs,
                               "\n".join(f"{slug}\t{page.name}\t{chr(9).join(map(str, page.files))}\t{page.fill}\t{page.written}"
                                         for slug, page in sorted(written.pages.items())),
                               written.made)])


def forget_written(store: Path) -> None:
    """Forget what every site's last build wrote (write_written): a site's pages were written again in place
    (serve's preview of an edit), so its folder no longer holds the pages its record names."""
    try:
        with closing(_connect(store)) as db:
            db.execute("DELETE FROM written")
    except sqlite3.Error:
        pass


@dataclass(frozen=True)
class Written:
    """A build's home pages: the name of its folder (in the site's builds folder), the day their ages were filled
    in (ISO), what every page shared (render.page_inputs), each home's page (Page) by its slug, and when the last was
    written (time.time_ns: a page changed since is not linked, render._linked_home)."""

    build: str
    day: str
    inputs: str
    pages: dict[str, Page]
    made: int


class Page(NamedTuple):
    """A home page written: its name (page_name), its index.html's and home.json's inode numbers and sizes (the next
    build links them only while they are the files written: render._linked_home), and what its words depend on besides
    its name, the days of its ages' marks and the staleness decisions it holds on (render.fill_of; "" unknown), and the
    day its files were written (ISO; a page linked keeps it: render._written_lately)."""

    name: str
    files: tuple[int, int, int, int]
    fill: str
    written: str


def page_name(inputs: str, data: dict, checked_on: dt.date | None) -> str:
    """A home page's name in a generation: a hash of what every page of the build shares (``inputs``:
    render.page_inputs) and of what this one's view is made of (its profile's data, the day a sync last
    confirmed it). The code is the generation's; a page kept from another day is taken when the staleness decisions
    it holds on are the same (read_pages), its ages filled in on the day (ages.fill_ages). A find page listing's name
    is made the same way (search.Recalled)."""
    h = hashlib.blake2b(_dump((data, checked_on)), digest_size=20)
    h.update(b"\0" + inputs.encode("utf-8", "surrogateescape"))
    return h.hexdigest()


# The only types an entry's pickle may make besides Python's own containers, text, numbers and bytes: the dates a
# profile's YAML gives (C types, which no pickle can change). Every other object a result holds (a Profile, its
# Problems, its HomePieces) is kept as a tuple of its fields and made again by ``from_entries``, so that an entry
# cannot name a class of this package, whose attributes a pickle could set for the rest of the run.
_ALLOWED = frozenset({("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"),
                      ("datetime", "timezone")})


class _Reader(pickle.Unpickler):
    """An unpickler that makes only the types in ``_ALLOWED``."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not a type a kept check holds")
        return super().find_class(module, name)


def _load(blob: bytes) -> Any:
    return _Reader(io.BytesIO(blob)).load()


def _dump(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


Result = tuple[Profile | None, list[Problem], HomePieces | None]  # one profile's: its profile, problems and pieces


def to_entry(result: Result, cross: Profile | None) -> bytes:
    """An entry's bytes for a profile's result, with ``cross`` (what the rules across files need of its profile):
    its problems, its pieces, ``cross`` and, pickled apart, the whole profile, read back only by a caller that keeps
    it (nationally half of the time to read every entry back)."""
    profile, problems, pieces = result
    return _dump(([_problem_fields(p) for p in problems],
                  None if pieces is None else (*pieces[:-1], tuple(pieces.tabular)),
                  None if cross is None else (cross.path, cross.data, cross.lines),
                  None if profile is None else _dump((profile.path, profile.data, profile.lines))))


def _problem_fields(p: Problem) -> tuple:
    """A problem's fields, in order."""
    return (p.path, p.line, p.field, p.message, p.column, p.severity)


class _NotAnEntry(Exception):
    """An entry not as ``to_entry`` writes them."""


def _expect(ok: bool) -> None:
    if not ok:
        raise _NotAnEntry


def _problem(t: Any) -> Problem:
    _expect(type(t) is tuple and len(t) == 6)
    path, line, field, message, column, severity = t
    _expect(type(path) is str and type(line) is int and type(field) is str and type(message) is str
            and (column is None or type(column) is int) and severity in ("error", "warning"))
    return Problem(path, line, field, message, column, severity)


def _profile(t: Any) -> Profile:
    _expect(type(t) is tuple and len(t) == 3 and type(t[0]) is str and type(t[1]) is dict and type(t[2]) is dict)
    return Profile(t[0], t[1], t[2])


def _pieces(t: Any) -> HomePieces:
    _expect(type(t) is tuple and len(t) == len(HomePieces._fields))
    key, kinds, rows, text, caps, oruk, geo, typed, tabular = t
    _expect(type(key) is str and type(kinds) is tuple and type(rows) is tuple and len(rows) == len(kinds)
            and all(type(k) is str for k in kinds) and all(type(r) is str for r in rows) and type(text) is str
            and type(caps) is str and type(oruk) is bytes and (geo is None or type(geo) is str)
            and type(typed) is dict and all(type(k) is str and type(v) is list for k, v in typed.items())
            and type(tabular) is tuple and len(tabular) == 2 and all(type(part) is tuple for part in tabular))
    return HomePieces(key, kinds, rows, text, caps, oruk, geo, typed, ServiceLines(*tabular))


def from_entries(blobs: list[bytes], keep: bool) -> list[Result | None]:
    """The result each entry of ``blobs`` keeps (its whole profile when ``keep``, else what the rules across files
    need); None for one that cannot be read back (cut short, or not an entry as ``to_entry`` writes them). The cache
    is trusted as a user's own files are (an entry of the right shape is published as it is); this guards against
    damage, and against an entry making anything but plain values. The profiles are read back after all the
    entries' problems and pieces, so that they lie together in memory rather than each between its pieces and the
    next's: the steps that read every profile's fields (the market page, the find page's index) touch fewer memory
    pages (nationally, reading ten fields of every profile took three to five times as long with each profile read
    back between its pieces)."""
    opened = [_opened(blob) for blob in blobs]
    return [None if o is None else _finished(o, keep) for o in opened]


def _opened(blob: bytes) -> tuple | None:
    """An entry's problems, pieces, the part of its profile the rules across files need, and its whole profile's
    bytes; None when it cannot be read back."""
    try:
        entry = _load(blob)
        _expect(type(entry) is tuple and len(entry) == 4 and type(entry[0]) is list)
        _expect((entry[2] is None) == (entry[3] is None) and (entry[3] is None or type(entry[3]) is bytes))
        return entry
    except Exception:  # noqa: BLE001  anything wrong with a kept entry means: check the profile again
        return None


def _finished(entry: tuple, keep: bool) -> Result | None:
    """An opened entry's result (``from_entries``); None when it is not one ``to_entry`` writes."""
    try:
        problems, pieces, cross, whole = entry
        profile = None if cross is None else _profile(_load(whole) if keep else cross)
        return profile, [_problem(p) for p in problems], None if pieces is None else _pieces(pieces)
    except Exception:  # noqa: BLE001  anything wrong with a kept entry means: check the profile again
        return None
