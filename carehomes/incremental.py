"""Rebuilding only what a change touches, for ``serve`` (issue 24, requirement 3).

``touched`` says, from the paths that changed and a profile's data before and after, which outputs
a change reaches: the home's page (``homes/<slug>/``), its rows in the open data (``data:<id>``),
its card in the find data (``card:<slug>``), the lists it is in or left (``list:<kind>/<name>``) and,
when a home comes or goes or changes what the front pages count, ``counts``. Anything that is not
a profile (schema/, overrides/, content/, mkdocs.yml) touches the whole site (``FULL``).

``Live`` holds what the last build knew (profiles, views, the page shell) and updates the built
site in place in two steps:

1. ``preview`` (``apply``): the edited homes' pages, written atomically from the cached shell, and the
   find page's own index (search/facets/, near/, cards/, first.json; each home's card, filters and words
   kept from the last listing unless the home changed), written atomically where their bytes changed, so
   the browser can reload at once and the find page already finds the edit;
2. ``follow``: what depends on every home, written only where its bytes changed: first the list pages
   (a home's own page shows nothing of other homes) and the find page's counts, towns and postcode
   districts (search/facets.json, towns.json, districts/); then the open data, the engine's
   pages (counts, file sizes, changelog), the ORUK API and the sitemap.

After ``follow`` the site equals a full build of the same inputs, file by file (tests/test_incremental.py).
``serve`` runs it in a child process (``follow_apart``), so the next edit's preview waits for nothing.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .finding import letter, town_key
from .forms import real_contact
from .fsutil import write_bytes_atomic
from .kinds import kinds
from .closures import of_profiles
from .load import Profile, errors, find_profiles, load_profile
from .parallel import end_with_parent
from .problems import Problem
from .records import closed, get_path
from .schema import ROOT

TRACE = os.environ.get("CAREHOMES_SERVE_TRACE", "") not in ("", "0")  # serve's timeline on stderr (docs/performance.md)
_T0 = time.perf_counter()


def trace(what: str) -> None:
    """With CAREHOMES_SERVE_TRACE=1, one line of serve's timeline on stderr: seconds since the start, the
    thread (main: polling and previews; follow: the rest in the background), the process's CPU seconds so far."""
    if TRACE:
        print(f"[trace {time.perf_counter() - _T0:9.3f} s, CPU {time.process_time():8.3f} s, "
              f"{threading.current_thread().name}] {what}", file=sys.stderr, flush=True)


FULL = "site"  # the whole site: a change that is not one profile's
WATCHED = ("providers", "content", "schema", "overrides", "mkdocs.yml")
COUNTED = ("cqc.status", "locality")  # (records.closed reads cqc.status) and each kind's registered capacity (kinds.py)


def _get(data: dict[str, Any] | None, dotted: str) -> Any:
    return get_path(data or {}, dotted.split("."))


def _lists_of(data: dict[str, Any], needs: Iterable[str]) -> set[str]:
    """The list pages a profile is in, by list (a long list's pages are one list): its letter, town,
    area and each need in ``needs`` it says yes to (a closed home is in none)."""
    if closed(data):
        return set()
    name, town, area = str(data.get("name") or ""), _get(data, "address.town"), data.get("locality")
    out = {f"list:letter/{letter(name)}"}
    if isinstance(town, str) and town_key(town):
        out.add(f"list:town/{town_key(town)}")
    else:
        out.add("list:town/none")
    if area:
        out.add(f"list:area/{area}")
    yes = set(data.get("_yes_filters") or ())
    out |= {f"list:need/{k}" for k in needs if k in yes}
    return out


def touched(changed: Iterable[Path], old: dict[str, Any] | None = None, new: dict[str, Any] | None = None,
            providers: Iterable[Path] = (ROOT / "providers",), needs: Iterable[str] = ()) -> frozenset[str]:
    """The outputs a change reaches (see the module's docstring). ``changed``: the paths that changed;
    ``old``/``new``: the one profile's data before and after (None when it was added or removed; a
    ``_yes_filters`` list, as HomeView.yes_filters, says which needs in ``needs`` it meets; ``providers``:
    the folders of profiles)."""
    paths = [Path(p).absolute() for p in changed]
    profiles = [p for p in paths if is_profile(p, providers)]
    if not paths or len(profiles) != len(paths) or len(profiles) > 1 or (old is None and new is None):
        return frozenset({FULL})
    out: set[str] = set()
    for data in (old, new):
        if data is not None:
            out |= {f"homes/{data.get('slug')}/", f"data:{data.get('location_id')}", f"card:{data.get('slug')}"}
            out |= _lists_of(data, needs)
    counted = COUNTED + tuple(k.registered for k in kinds() if k.registered)
    if old is None or new is None or any(_get(old, k) != _get(new, k) for k in counted):
        out.add("counts")
    return frozenset(out)


def is_profile(path: Path, providers: Iterable[Path]) -> bool:
    """Whether ``path`` is (or was) a profile: a .yaml file, not the template, in one of the ``providers`` folders."""
    path = Path(path).absolute()
    return path.suffix == ".yaml" and not path.name.startswith(("_", ".")) and any(
        path.parent == Path(d).absolute() or path == Path(d).absolute() for d in providers)


def snapshot(root: Path, watched: Iterable[str] = WATCHED) -> dict[Path, int]:
    """Every watched file's modification time (ns), for polling: a file added, removed or saved
    shows as a difference between two snapshots (``changes``)."""
    return {Path(p): t for p, t in mtimes(root, watched).items()}


def mtimes(root: Path, watched: Iterable[str] = WATCHED) -> dict[str, int]:
    """``snapshot`` keyed by each path's text, as serve polls (no Path made for each file: 15,403 profiles take
    0.08 s rather than 0.2). os.scandir, whose entries carry what the stat needs."""
    out: dict[str, int] = {}
    for name in watched:
        top = root / name
        if top.is_file():
            out[str(top)] = top.stat().st_mtime_ns
            continue
        folders = [str(top)] if top.is_dir() else []
        while folders:
            with os.scandir(folders.pop()) as entries:
                for e in entries:
                    try:
                        if e.is_dir(follow_symlinks=False):
                            folders.append(e.path)
                        elif e.is_file():
                            out[e.path] = e.stat().st_mtime_ns
                        else:  # a pipe, socket or device (or a link to nothing) saved among the profiles: a change too,
                            out[e.path] = e.stat(follow_symlinks=False).st_mtime_ns  # which the rebuild names, as check does
                    except OSError:
                        continue
    return out


def changes(before: dict[Path, int] | dict[str, int], after: dict[Path, int] | dict[str, int]) -> list[Path]:
    """The paths added, removed or changed between two snapshots (or ``mtimes``), in order."""
    keys: set[Any] = set(before) | set(after)
    return sorted(Path(p) for p in keys if before.get(p) != after.get(p))


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless it already holds exactly that; whether it wrote."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, data)
    return True


def sync_files(files: dict[str, bytes], dst: Path, delete: bool = False) -> int:
    """Make ``dst`` hold ``files`` (name -> bytes), writing only those whose bytes differ (and, with ``delete``,
    removing files not among them); how many files it wrote or removed."""
    n = sum(write_if_changed(dst / name, data) for name, data in files.items())
    if delete and dst.is_dir():
        keep = {Path(name).as_posix() for name in files}
        gone = []
        for folder, _, names in os.walk(dst):  # os.walk, not Path.rglob: nationally 30,823 ORUK files, 0.3 s not 1.1
            rel = Path(folder).relative_to(dst).as_posix()
            gone += [os.path.join(folder, name) for name in names if (name if rel == "." else f"{rel}/{name}") not in keep]
        for p in sorted(gone):
            _unlink(Path(p), dst)
            n += 1
    return n


def _unlink(path: Path, top: Path) -> None:
    """Remove a file, then each folder above it up to ``top`` that it leaves empty."""
    path.unlink()
    for folder in path.parents:
        if folder == top or not folder.is_relative_to(top) or any(folder.iterdir()):
            break
        folder.rmdir()


def sync_tree(src: Path, dst: Path, delete: bool = False) -> int:
    """Make ``dst`` hold ``src``'s files, writing only those whose bytes differ (and, with ``delete``,
    removing files ``src`` does not have); how many files it wrote or removed."""
    n = 0
    have = {p.relative_to(src) for p in src.rglob("*") if p.is_file()}
    for rel in sorted(have):
        n += write_if_changed(dst / rel, (src / rel).read_bytes())
    if delete and dst.is_dir():
        for p in sorted(dst.rglob("*")):
            if p.is_file() and p.relative_to(dst) not in have:
                _unlink(p, dst)
                n += 1
    return n


class RestStopped(RuntimeError):
    """follow_apart's child was ended by Ctrl+C or SIGTERM: serve is stopping (the whole process group has the
    Ctrl+C), not the rest failing."""


@dataclass
class Live:
    """What the last build knew, to update its site in place (``preview`` then ``follow``)."""

    site: Path
    providers: list[Path]
    config: Path
    releases_dir: Path
    engine: str = "mkdocs"
    index: bool = True
    clock: Callable[[], dt.date] = dt.date.today  # the day of each rebuild: a serve left past midnight ages pages anew
    today: dt.date = field(init=False)
    profiles: dict[Path, Profile] = field(default_factory=dict)
    views: dict[str, Any] = field(default_factory=dict)  # slug -> HomeView
    shell: tuple[str, str] = ("", "")
    lock: threading.Lock = field(default_factory=threading.Lock)
    listed: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # search.Listed's cache: slug -> card, filters, words
    held: dict[str, Any] = field(default_factory=dict)  # search index file -> the value last written (search.put)
    pieces: dict[Path, Any] = field(default_factory=dict)  # profile -> its open data pieces (publish.home_pieces), as checked
    previewed: set[str] = field(default_factory=set)  # the homes previewed since the last follow_apart began
    forgot_written: bool = False  # the record of the pages the build wrote is forgotten (_homes), since ``start``

    def __post_init__(self) -> None:
        from .publish import release_date
        from .schema import load_schema
        from .siteconfig import read_config, staleness, ungathered

        self.site = Path(self.site).resolve()
        self.providers = [Path(p).absolute() for p in self.providers]
        self.schema = load_schema()
        self.cfg = read_config(self.config)
        self.today = self.clock()
        self.released = release_date(self.today)
        self.new_day = False  # the day turned since the last follow: every home's page is rewritten (where it changed)
        self.limits = staleness(self.cfg.directory)  # the schema's staleness thresholds with mkdocs.yml's overrides
        self.ungathered = ungathered(self.cfg.directory)  # the owners whose facts the site does not gather (fsa_authorities)

    def _view(self, p: Profile) -> Any:
        from .pipeline import views_of

        return views_of([p], self.today, self.schema, self.cfg.edit_base, self.limits, self.ungathered)[0]

    def start(self, profiles: list[Profile], pieces: list[Any] | None = None) -> None:
        """Take the profiles of the build just made (``build_site``), their open data pieces when the check made
        them (``check_paths(pieces=True)``, in the same order: the rest makes only the edited homes' again) and
        the page shell."""
        from .pipeline import views_of

        self.profiles = {Path(p.path).absolute(): p for p in profiles}
        self.forgot_written = False  # the build just made recorded its pages
        if pieces is not None and len(pieces) == len(profiles):
            self.pieces = {Path(p.path).absolute(): made for p, made in zip(profiles, pieces, strict=True)}
        self.views = {v.slug: v for v in views_of(profiles, self.today, self.schema, self.cfg.edit_base, self.limits, self.ungathered)}
        self.shell = self._engine_pages(write=False, sizes={}, entries=[], releases=[])  # the shell needs no data
        if self.index:  # each home's card, filters and words, and each index file as the build wrote it, for the next preview
            self._search()

    def _turn_day(self) -> None:
        """Take the clock's day when it has turned since the last rebuild (serve left running past midnight):
        every view is made again for it, so ages ("3 days ago") and "may be out of date" are the new day's.
        Call with the lock held."""
        from .pipeline import views_of
        from .publish import release_date

        day = self.clock()
        if day == self.today:
            return
        self.today, self.released, self.new_day = day, release_date(day), True
        self.views = {v.slug: v for v in views_of(list(self.profiles.values()), self.today, self.schema, self.cfg.edit_base,
                                                  self.limits, self.ungathered)}

    def ordered_profiles(self) -> list[Profile]:
        """The profiles in the order a full build reads them (find_profiles)."""
        files, _ = find_profiles(self.providers)
        return [self.profiles[f.absolute()] for f in files if f.absolute() in self.profiles]

    def sorted_views(self) -> list[Any]:
        return sorted(self.views.values(), key=lambda v: v.slug)

    def apply(self, changed: list[Path]) -> tuple[frozenset[str], list[Problem]]:
        """Load and check the changed profiles and take them in (nothing is taken when one has an error);
        then write the pages of the homes they touch. Returns what was touched and the problems found."""
        from .checks_external import check_external
        from .validate import check_files, check_profile

        if not changed or not all(is_profile(p, self.providers) for p in changed):
            return frozenset({FULL}), []
        trace("preview: waiting for the lock")
        with self.lock:
            trace("preview: lock taken; loading and checking")
            self._turn_day()
            profiles = dict(self.profiles)
            problems: list[Problem] = []
            olds: dict[Path, Profile | None] = {}
            for path in changed:
                key = path.absolute()
                olds[key] = profiles.pop(key, None)
                self.pieces.pop(key, None)
                if path.exists() and not path.name.startswith(("_", ".")):
                    profile, found = load_profile(path, Path.cwd())
                    problems.extend(found)
                    if profile:
                        problems.extend(check_profile(profile))
                        profiles[key] = profile
            everyone = list(profiles.values())
            problems.extend(q for q in check_files(everyone) + check_external(everyone, live_postcodes=False)
                            if any(q.path == pr.path for pr in (profiles.get(c.absolute()) for c in changed) if pr))
            if errors(problems):
                return frozenset(), sorted(problems)
            trace("preview: checked; views")
            outputs: set[str] = set()
            needs = [k for k, _ in self._needs()]
            for key, old in olds.items():
                new = profiles.get(key)
                outputs |= touched([key], _with_yes(old, self), _with_yes(new, self), self.providers, needs) if (old or new) else set()
                if old is not None:
                    self.views.pop(old.data["slug"], None)
                if new is not None:
                    self.views[new.data["slug"]] = self._view(new)
            self.profiles = profiles
            slugs = [o.split("/")[1] for o in outputs if o.startswith("homes/")]
            self.previewed.update(slugs)
            trace("preview: pages")
            self._homes([self.views[s] for s in slugs if s in self.views])
            for s in slugs:
                if s not in self.views and (self.site / "homes" / s).is_dir():
                    shutil.rmtree(self.site / "homes" / s)
            trace("preview: pages written; search index")
            self._search()
            trace("preview: search index written")
            return frozenset(outputs), sorted(problems)

    def _search(self) -> None:
        """The find page's own index (search/facets/, near/, cards/, first.json), as a full build writes it, each
        file written where it changed; the counts and towns it shows beside it follow (``follow``)."""
        from .finding import sector_localities
        from .search import write_index

        current = [v for v in self.sorted_views() if not v.closed]
        if self.index and current:
            write_index(current, self.site, self.listed, in_place=True, held=self.held,
                        localities=sector_localities(self.cfg.directory))

    def _needs(self) -> list[tuple[str, str]]:
        from .render import need_choices

        return need_choices(self.schema)

    def _homes(self, views: list[Any]) -> None:
        """Write these homes' pages and home.json atomically; the record of what the site's last build wrote is
        forgotten first, as its folder no longer holds those pages (the next build links none: render.EarlyHomes)."""
        from . import checkcache
        from .render import home_page, profile_page

        store = checkcache.open_pages(views[0].today) if views and not self.forgot_written else None
        if store is not None:  # once a build: no later build's record can name this site's folder
            checkcache.forget_written(store)
            self.forgot_written = True
        tpl = profile_page()
        email = real_contact(self.cfg.directory, "contact_email")
        for v in views:
            page, summary = home_page(v, tpl, self.shell, email)
            folder = self.site / "homes" / v.slug
            write_if_changed(folder / "index.html", page.encode("utf-8"))
            write_if_changed(folder / "home.json", summary.encode("utf-8"))

    def _engine_pages(self, write: bool = True, sizes: dict[str, int] | None = None,
                      entries: list | None = None, releases: list | None = None) -> tuple[str, str]:
        """The engine's pages (front page, find, lists index, open data, changes, market) made in a temporary
        folder and, with ``write``, copied where their bytes changed; returns the page shell."""
        from .engines import run_mkdocs, run_zensical
        from .render import _md_pages, _shell

        views = self.sorted_views()
        if entries is None or releases is None or sizes is None:
            releases, entries, files = self._data()
            sizes = {n: len(b) for n, b in files.items()}
        with tempfile.TemporaryDirectory(prefix="carehomes-incr-") as work:
            docs_dir, out = Path(work) / "docs", Path(work) / "out"
            aside = _md_pages(views, self.schema, self.cfg, docs_dir, sizes, entries, releases, self.released, self.engine,
                              before=of_profiles([str(f) for f in find_profiles(self.providers)[0]]))
            if self.engine == "zensical":
                run_zensical(self.cfg, Path(work), out)
            else:
                run_mkdocs(self.cfg, docs_dir, out)
            aside.restore(out)
            shell = _shell(out)
            if write:
                sync_tree(out, self.site)
        return shell

    def _data(self) -> tuple[list, list, dict[str, bytes]]:
        from .outputs.atom import atom, published_dates
        from .publish import data_files, home_pieces
        from .releases import changelog, current_records, list_releases

        profiles = self.ordered_profiles()
        releases = list_releases(self.releases_dir)
        entries = changelog(releases, current_records([p.data for p in profiles]), self.released, self.schema)
        made = None
        if self.pieces:  # the build's pieces, each edited home's made again (nationally about 0.5 s of CPU saved)
            made = [self.pieces.get(Path(p.path).absolute()) or home_pieces(p.data, self.schema) for p in profiles]
        files = data_files(profiles, self.schema, self.released, self.cfg.raw.get("site_url") or None, entries, made,
                           str(self.cfg.raw.get("site_name") or "") or None, releases=bool(releases))
        files["changes.atom"] = atom(entries, self.cfg.raw.get("site_url", "/"), self.cfg.raw.get("site_name", ""),
                                     self.released, published_dates(self.site / "data" / "changes.atom")).encode("utf-8")
        return releases, entries, files

    def follow(self) -> str:
        """Everything that depends on every home, written where its bytes changed (see the module's docstring):
        first what the lists show, then the open data and what counts it. Returns what it did, for the serve log."""
        from .outputs.oruk_api import api_files, published_sources
        from .outputs.sitemap import write_sitemap
        from .releases import newest_fact
        from .search import write_districts, write_facets, write_towns
        from .views import remembering

        took: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            took[name] = time.perf_counter() - clock
            clock = time.perf_counter()
            trace(f"follow: {name} done")

        trace("follow: waiting for the lock")
        with ExitStack() as keep:  # each view remembers in both steps
            with self.lock:
                trace("follow: lock taken")
                self._turn_day()
                # each view works out a field or a find-page filter once in all the steps below (none changes them;
                # a later preview makes new views): nationally several seconds of CPU
                views = keep.enter_context(remembering(self.sorted_views()))
                if self.new_day:  # every home's page ages a day (no page carries another home's rank or label)
                    self._homes(views)
                    self.new_day = False
                    lap(f"{len(views):,} homes for the new day")
                self._browse(views)
                lap("lists")
                current = [v for v in views if not v.closed]
                write_districts(current, self.site)
                _prune_search(self.site, {v.district for v in current if v.district}, ("districts",))
                write_facets(current, self.site)
                write_towns(current, self.site)
                lap("search counts and districts")
            trace("follow: lock released; waiting for it again")
            with self.lock:
                trace("follow: lock taken")
                releases, entries, files = self._data()
                lap("data")
                self._engine_pages(True, {n: len(b) for n, b in files.items()}, entries, releases)
                lap("engine pages")
                wrote = sum(write_if_changed(self.site / "data" / n, b) for n, b in files.items())
                api = api_files(json.loads(files["oruk-services.json"]), self.cfg.raw.get("site_url") or "",
                                str(self.cfg.directory.get("oruk_api_url") or ""), published_sources(files.get("datapackage.json")))
                wrote += sync_files(api, self.site / "oruk", delete=True)
                lastmod = {f"homes/{v.slug}": newest_fact(v.d, self.schema) for v in views}  # after the engine's sitemap
                write_sitemap(self.site, self.cfg.raw.get("site_url", ""), lastmod, max((d for d in lastmod.values() if d), default=None))
                lap("data, ORUK API and sitemap written")
        trace("follow: lock released")
        return f"{wrote} data and API files rewritten; " + ", ".join(f"{k} {t:.1f} s" for k, t in took.items())

    def follow_apart(self) -> str:
        """``follow`` in a child process where the system can fork one (Linux, macOS; elsewhere in this one): the
        child has this Live as it is now, so the next edit's preview, here, neither waits for the lock nor
        shares the interpreter with the rest (nationally the rest is 20 s of CPU; in a thread it held the lock and
        slowed the preview and the polling, an edit showing 7 s after its save). Returns what follow said; raises
        RuntimeError when the child failed, RestStopped when it was stopped (Ctrl+C, SIGTERM)."""
        if not hasattr(os, "fork"):
            return self.follow()
        import signal

        with self.lock:  # the copy is taken between previews, never half way through one
            self._turn_day()
            new_day, self.new_day = self.new_day, False
            self.previewed = set()
            read, write = os.pipe()
            parent = os.getpid()
            pid = os.fork()
            if pid == 0:  # the child: follow, say how it went through the pipe, and end without returning
                code, said = 1, b"failed: "
                try:
                    os.close(read)
                    # Ctrl+C, and SIGTERM (serve ended: end_with_parent), stop this through KeyboardInterrupt, caught
                    # below without a traceback: the temporary folders and half-written files are removed on the way
                    # (ended at once, it left /tmp/carehomes-incr-* and could leave a .NAME.tmp-PID in the site)
                    signal.signal(signal.SIGINT, signal.default_int_handler)
                    signal.signal(signal.SIGTERM, signal.default_int_handler)
                    os.nice(10)  # the next preview, in the parent, comes first on a busy machine
                    end_with_parent(parent)  # serve ended (Linux: signalled; anywhere: already gone)
                    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # not the parent's (a thread may hold its lock)
                    self.lock, self.new_day = threading.Lock(), new_day
                    said, code = b"ok: " + self.follow().encode("utf-8"), 0
                except KeyboardInterrupt:  # Ctrl+C before SIGINT's default was set above
                    said = b"stopped: "
                except BaseException as exc:  # noqa: BLE001 - anything: the child must end here, saying why
                    said += (str(exc) or type(exc).__name__).encode("utf-8")
                finally:
                    try:
                        while said:
                            said = said[os.write(write, said):]
                    finally:
                        os._exit(code)
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            told = pipe.read().decode("utf-8", "replace")
        _, status = os.waitpid(pid, 0)
        if new_day and self.previewed:  # homes previewed while the child wrote every page for the new day
            with self.lock:
                self._homes([self.views[s] for s in sorted(self.previewed) if s in self.views])
                for s in sorted(self.previewed - self.views.keys()):  # removed or renamed meanwhile: the child's page
                    if (self.site / "homes" / s).is_dir():             # of the home as it was at the fork
                        shutil.rmtree(self.site / "homes" / s)
        if os.waitstatus_to_exitcode(status) == 0 and told.startswith("ok: "):
            return told[len("ok: "):]
        if new_day:  # the child may have stopped before every home's page was the new day's: the next rest does it
            with self.lock:
                self.new_day = True
        if told.startswith("failed: "):
            raise RuntimeError(told[len("failed: "):])
        if told.startswith("stopped: ") or os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGINT, signal.SIGTERM):
            raise RestStopped("the background step was stopped")
        raise RuntimeError(f"the background step stopped (exit status {os.waitstatus_to_exitcode(status)})")

    def _browse(self, views: list[Any]) -> None:
        """Every list page made in a temporary folder and copied where it changed; a list page no longer made
        (its town's last home left) is removed. browse/index.html is the engine's, not a list page."""
        from .render import render_browse

        with tempfile.TemporaryDirectory(prefix="carehomes-browse-") as tmp:
            made = Path(tmp) / "browse"
            made.mkdir()
            render_browse(views, Path(tmp), self.shell, self.schema)
            keys = {p.name for p in made.iterdir() if p.is_dir()}
            sync_tree(made, self.site / "browse")
        for folder in sorted((self.site / "browse").iterdir()):
            if folder.is_dir() and folder.name not in keys:
                shutil.rmtree(folder)


def _prune_search(site: Path, districts: set[str], kinds: Iterable[str]) -> None:
    """Remove the search files (search/<kind>/) of postcode districts, or for "districts" postcode areas,
    that no home is in any longer."""
    from .search import postcode_area

    areas = {postcode_area(d) for d in districts}
    for kind in kinds:
        keep = areas if kind == "districts" else districts
        for f in sorted((site / "search" / kind).glob("*.json")):
            if f.stem not in keep:
                f.unlink()


def _with_yes(p: Profile | None, live: Live) -> dict[str, Any] | None:
    """A profile's data with the needs it meets (as the list pages read them), for ``touched``."""
    if p is None:
        return None
    return {**p.data, "_yes_filters": list(live._view(p).yes_filters)}
