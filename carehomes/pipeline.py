"""The build, stage by stage: this module is its table of contents.

    load -> check -> publish data -> releases and feed -> pages -> ORUK API -> search -> sitemap

Publishing data (``publish.data_files``, also the ``data`` command) writes every file under data/,
the Open Referral UK service package and its tabular form (data/oruk-tabular/) included.

``check_paths`` (in ``checking``, which the check and data commands import without the build's stages)
loads and checks the profiles (on every core for large sets); ``build_site`` runs the stages after it, each in its own module, into a new folder that replaces the site in one
atomic step only when every stage succeeded.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .finding import sector_localities, site_words
from .fsutil import current_build, replace_dir
from .checking import CROSS_FILE_KEYS, Checked, check_paths  # noqa: F401  (the build's first stage, named here)
from .checkcache import keep_feed, kept_feed, kept_lookups
from .closures import of_profiles
from .load import Profile
from .outputs.atom import atom, published_dates
from .outputs.oruk import service_texts
from .outputs.oruk_api import write_api
from .outputs.sitemap import robots_txt, write_sitemap
from .parallel import LATER, Beside, no_cycle_collection
from .publish import HomePieces, data_files, release_date, write_files
from .releases import changelog, copy_releases, current_records, list_releases, newest_fact
from .render import PagesBegun, finish_pages, market_page, prepare_pages
from .siteconfig import read_config, staleness, ungathered
from .schema import ROOT, Schema, load_schema
from .search import write_search
from .sources.cqc_api import checked_dates
from .outputs.postcode_lookup import LOOKUP_DIR, remember_lookup, write_lookup
from .ages import Age
from .timings import Timings, timed
from .views import HomeView, remembering
from .validate import today as england_today


@dataclass
class BuildReport:
    homes: int
    pages: int
    data: dict[str, int]
    search: str
    counted: str = ""  # the homes in the site's words: "104 homes", "104 services (44 care homes and ...)"


def views_of(profiles: list[Profile], today: dt.date, schema: Schema, edit_base: str | None,
             limits: dict[str, Age], ungathered: frozenset[str] = frozenset()) -> list[HomeView]:
    """Each profile's view, by slug, as every page shows it (with the date a weekly sync found it unchanged,
    from cqc-sync.json beside its folder; ``ungathered``: the owners whose facts the site does not gather,
    siteconfig.ungathered)."""
    checked = checked_dates([p.path for p in profiles])
    return sorted((HomeView(p.data, today, schema, edit_base, limits, checked.get(str(p.data.get("location_id"))), ungathered)
                   for p in profiles), key=lambda v: v.slug)


def write_oruk_api(services_json: bytes, folder: Path, site_url: str, api_url: str, sources: list[dict] | None = None) -> int:
    """The static Open Referral UK API (oruk/) into ``folder``, from the records of data/oruk-services.json
    (run beside the data and the pages: a worker process, for a large set), each service's file from its line there
    as it is, its root crediting ``sources`` (those data/datapackage.json names); returns the files written."""
    services = json.loads(services_json)
    texts = service_texts(services_json)
    return write_api(services, folder, site_url, api_url, texts if texts is not None and len(texts) == len(services) else None,
                     sources)



def move_in(folder: Path, out: Path, name: str, what: str) -> None:
    """Move ``folder``, written beside the new build, into it as ``out/name`` (one rename); a clear error when the
    pages already made that folder (a content page or folder of that name)."""
    if (out / name).exists():
        raise RuntimeError(f"the pages made a folder {name}/ in the site, where the {what} goes: rename the content "
                           f"page or folder named {name} (in mkdocs.yml's docs_dir)")
    folder.rename(out / name)


def _write_search_beside(views: list[HomeView], folder: Path, index: bool, localities: dict[str, list[str]]) -> str:
    """search.write_search into ``folder`` (made here): the find page's files, as ``folder/search/``; each view
    remembers what it works out meanwhile (nationally 5.4 s of CPU to 4.1), with no cyclic collector passes (4.3 s
    to 3.1 with docs/performance.md's other changes)."""
    folder.mkdir(parents=True, exist_ok=True)
    with no_cycle_collection(), remembering(views):  # millions of small objects, next to no cycles
        return write_search(views, folder, index, localities)


def _sitemap_dates(views: list[HomeView], schema: Schema) -> dict[str, dt.date | None]:
    """Each home page's lastmod for the sitemap (``homes/<slug>``): its newest fact (worked out beside the pages)."""
    return {f"homes/{v.slug}": newest_fact(v.d, schema) for v in views}


def _write_data_beside(files: dict[str, bytes], releases: list[tuple[dt.date, Path]], folder: Path) -> dict[str, int]:
    """The open data and the release snapshots into ``folder/data`` (moved into the new build after the pages);
    returns name -> bytes, as publish.write_files."""
    sizes = write_files(files, folder / "data", atomic=False)  # a new build, published whole by the swap
    copy_releases(releases, folder / "data" / "releases")
    return sizes


def _move_data_in(folder: Path, out: Path) -> bool:
    """``folder/data`` into the new build as ``out/data``: one rename; merged file by file into a data/ folder the
    pages made (a content folder named data, whose files the open data's files of the same name replace, as
    when the data was written after the pages). True when moved whole."""
    if not (out / "data").exists():
        (folder / "data").rename(out / "data")
        return True
    shutil.copytree(folder / "data", out / "data", dirs_exist_ok=True)
    return False


def _taken_in(t: Timings, stage: str, beside: Beside, folder: Path, out: Path, name: str, what: str,
              step: str | None = None) -> Any:
    """The stage that waits for a step written beside (``beside``, timed) and moves its ``folder`` into the new build
    as ``out/name`` (move_in); --timings shows the wait and the rename, and notes the step's own span as ``step``
    (the stage's name unless given). The step's result."""
    with t.stage(stage, out, (name,)) as told:
        result, span = beside.result()
        t.note_beside(step or stage, span)
        move_in(folder, out, name, what)
        told.files = span.counted
    return result


def _market_taken(t: Timings, marketing: Beside) -> tuple[str, dict[str, str]]:
    """The market page made beside (render.market_page), its own span noted for --timings."""
    made, span = marketing.result()
    t.note_beside("market page", span)
    return made


SITEMAP_FILES = ("sitemap.xml", "sitemap.xml.gz", "robots.txt")
BESIDE_NAMES = ("data", "oruk", "search", LOOKUP_DIR)  # folders written beside the pages, moved in after them


def build_site(profiles: list[Profile], site_dir: Path, *, config_path: Path | None = None,
               today: dt.date | None = None, schema: Schema | None = None, index: bool = True,
               releases_dir: Path | None = None, engine: str = "mkdocs", timings: Timings | None = None,
               made: list[HomePieces] | None = None) -> BuildReport:
    """Build the whole site from checked profiles into ``site_dir`` with ``engine`` (mkdocs or zensical,
    engines.ENGINES): replaced only when everything succeeded. ``timings`` collects each stage's figures;
    ``made``: the profiles' open data pieces, when check_paths made them (``publish.data_files``)."""
    t = timings or Timings(enabled=False)
    site_dir = Path(site_dir).absolute()  # mkdocs reads a relative site_dir from mkdocs.yml's folder, not the cwd
    with t.stage("settings and views"):
        schema = schema or load_schema()
        cfg = read_config(config_path or ROOT / "mkdocs.yml")
        today = today or england_today()
        released = release_date()  # once, so every file and page of this build carries the same date
        limits = staleness(cfg.directory)  # the schema's staleness thresholds with mkdocs.yml's overrides
        views = views_of(profiles, today, schema, cfg.edit_base, limits, ungathered(cfg.directory))
        before = of_profiles([p.path for p in profiles])  # the closures the first import kept: the market page counts them
    # the feed the site last published: the site being replaced's, else the one the cache kept (a fresh checkout)
    kept_feed_at = kept_feed(str(cfg.raw.get("site_url") or ""))
    published_feed = site_dir / "data" / "changes.atom"
    if not published_feed.is_file() and kept_feed_at is not None:
        published_feed = kept_feed_at
    with replace_dir(site_dir) as out:
        live = current_build(site_dir)  # the build being replaced: home pages it wrote today from the same inputs are linked
        # Steps written by workers beside the stages (for a large set), each into a folder beside the new build
        # (the engine empties its site folder), moved into it in one rename once the pages are done (the stages
        # that wait for them show only the wait and the rename; --timings gives each one's own time); each folder
        # is removed by the next build's clean_leftovers if this one is killed. From the views alone, so started
        # first, beside the releases and the data made in memory (this process alone on one core before):
        # - the find page's index (search.py; a closed home leaves the find page);
        # - postcodes/: exact-postcode distance search (reused from the site being replaced when unchanged; a
        #   first national build writes 11,001 files from 1.7 million postcodes);
        # - the sitemap's dates (each home's newest fact);
        # - once the releases are listed, the market overview page (render.market_page).
        # Then, from the data, beside the pages (whose engine part uses one core):
        # - the static Open Referral UK API, from the same records as data/oruk-services.json;
        # - the open data and the release snapshots written (data/).
        staged = out.parent / f"{out.name}-oruk"
        found = out.parent / f"{out.name}-search"
        lookup_site = out.parent / f"{out.name}-lookup"
        data_site = out.parent / f"{out.name}-data"
        homes = len(views)
        counting = t.enabled  # each worker counts what it wrote, for --timings
        try:
            with ExitStack() as stack, \
                 Beside(timed, found / "search" if counting else None, _write_search_beside,
                        [v for v in views if not v.closed], found, index, sector_localities(cfg.directory), items=homes,
                        nice=LATER) as finding, \
                 Beside(timed, lookup_site / LOOKUP_DIR if counting else None, write_lookup, lookup_site,
                        cfg.directory.get("postcode_areas"), None, site_dir if site_dir.is_dir() else None,
                        kept_lookups(), items=homes, nice=LATER) as lookup, \
                 Beside(timed, None, _sitemap_dates, views, schema, items=homes, nice=LATER) as dating:
                # releases (first: the database holds the changelog)
                with t.stage("releases and changes"):
                    releases = list_releases(releases_dir or ROOT / "releases")
                    entries = changelog(releases, current_records([p.data for p in profiles]), released, schema)
                # the market overview page, from the views and the last release: beside the data, for the pages
                with Beside(timed, None, market_page, views, released, cfg.directory.get("localities"), releases,
                            schema, str(cfg.raw.get("site_name") or ""), before, items=homes) as marketing:
                    # publish data (held in memory: written beside the pages, moved in after them), the tables, JSON,
                    # GeoJSON, workbook, database, ORUK service package and ORUK tabular form (data/oruk-tabular/); while
                    # the workbook is made beside, this process begins the pages: the lists and the engine's pages, all
                    # but the open data page's table of files (render.prepare_pages; nationally it waited 1.5-2 s there)
                    begun: list[PagesBegun] = []
                    # the static ORUK API, beside the rest as soon as the records it is made from are (started in the data
                    # stage: it was the last thing a build after an edit waited for, started only after the data)
                    oruk: list[Beside] = []

                    def start_oruk_api(services_json: bytes, sources: list[dict]) -> None:
                        oruk.append(stack.enter_context(Beside(
                            timed, staged if counting else None, write_oruk_api, services_json, staged,
                            cfg.raw.get("site_url") or "", str(cfg.directory.get("oruk_api_url") or ""), sources,
                            items=homes, nice=LATER)))  # wanted only after the pages

                    def begin_pages() -> None:
                        made_now, span = timed(None, lambda: prepare_pages(
                            views, out, schema=schema, cfg=cfg, entries=entries, releases=releases, released=released,
                            engine=engine, made_market=lambda: _market_taken(t, marketing), live=live, before=before))
                        begun.append(made_now)
                        t.note_beside("pages begun (engine)", span, "this process, in the data stage")

                    try:
                        with t.stage("data (in memory)", out):  # and the engine's pages, made meanwhile: its files
                            files = data_files(profiles, schema, released, cfg.raw.get("site_url") or None, entries, made,
                                               str(cfg.raw.get("site_name") or "") or None, meanwhile=begin_pages,
                                               with_services=start_oruk_api, releases=bool(releases))
                            # feed: the unreleased changes keep the day the site being replaced first published them
                            files["changes.atom"] = atom(entries, cfg.raw.get("site_url", "/"), cfg.raw.get("site_name", ""),
                                                         released, published_dates(published_feed)).encode("utf-8")
                            if not begun:  # data_files asks for it before its workbook (this only if it did not)
                                begin_pages()
                    except BaseException:
                        for b in begun:
                            b.close()
                        raise
                    with Beside(timed, data_site / "data" if counting else None, _write_data_beside, files, releases,
                                data_site, items=homes) as data_written:
                        # pages
                        with t.stage("pages", out) as told:  # the pages begun, finished: the homes' and the lists'
                            pages = finish_pages(begun[0], {n: len(b) for n, b in files.items()})
                            told.count_later(BESIDE_NAMES + SITEMAP_FILES, homes)  # by a worker, while the stages below go on
                        with t.stage("write data and releases", out, ("data",)) as told:  # the wait and the rename
                            sizes, span = data_written.result()
                            t.note_beside("open data written", span)
                            if _move_data_in(data_site, out):
                                told.files = span.counted
                        _taken_in(t, "ORUK API", oruk[0], staged, out, "oruk", "static ORUK API")  # likewise
                search = _taken_in(t, "search", finding, found / "search", out, "search", "find page's index",
                                   "find page's index")
                _taken_in(t, "postcode lookup", lookup, lookup_site / LOOKUP_DIR, out, LOOKUP_DIR, "postcode lookup")
                # sitemap and robots.txt; each home page's lastmod is its newest fact
                with t.stage("sitemap and robots.txt", out, SITEMAP_FILES):
                    lastmod, span = dating.result()
                    t.note_beside("sitemap's dates", span)
                    write_sitemap(out, cfg.raw.get("site_url", ""), lastmod, max((d for d in lastmod.values() if d), default=None))
                    (out / "robots.txt").write_text(robots_txt(cfg.raw.get("site_url", "")), encoding="utf-8")
            t.settle()  # the pages' files, counted by a worker meanwhile
        finally:
            t.drop_later()  # a failed build's counts (after a success, none are left)
            for folder in (staged, found, lookup_site, data_site):  # a failed build's (after a success, empty or gone)
                shutil.rmtree(folder, ignore_errors=True)
    remember_lookup(site_dir / LOOKUP_DIR)  # for this process's next build into another folder
    keep_feed(site_dir / "data" / "changes.atom", kept_feed_at)
    return BuildReport(len(views), pages, sizes, search, site_words(views).summary(len(views)))
