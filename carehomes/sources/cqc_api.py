"""Sync regulator facts from the live CQC public API (``build.py import-cqc --api``).

A full sync lists the area's care homes (``GET /locations``, every page), then fetches each
location (``GET /locations/{id}``) and each registered home's provider (``GET /providers/{id}``).
Later syncs ask CQC what changed since the last one (``GET /changes/location``) and fetch only
those locations and any new to the area. The time of the last successful sync is kept in a small
state file in the repository (``cqc-sync.json`` beside ``providers/``).

On a real network: a few requests at once, a timeout on each, retries with growing waits on
timeouts and 5xx, and on 429 a wait of as long as ``Retry-After`` says. Every good response is
saved in ``.cqc-sync-cache/`` until the sync finishes, so an interrupted sync resumes; profiles
are written only when every response is in (all or nothing). Requests go through the project's one
hardened client (``carehomes.httpclient``): https only, redirects only within the API's own host and
the key only to the API's own origin, a deadline per request and per run, a byte limit per answer
and a JSON depth limit; every record's shape is checked (``cqc_shape``) before it is read.

Settings from the environment: CQC_API_KEY (required), CQC_API_BASE, CQC_API_TIMEOUT, CQC_API_RETRIES,
CQC_API_BACKOFF, CQC_API_MAX_WAIT, CQC_API_CONCURRENCY, CQC_API_PARTNER_CODE, CQC_API_DEADLINE,
CQC_API_RUN_DEADLINE, CQC_API_MAX_BYTES.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import os
import random
import shutil
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .. import apply, httpclient
from ..fsutil import DONE_BEFORE_STOP, not_written
from ..kinds import kinds
from ..progress import Progress
from ..safetext import plain, web_address
from ..yamlio import NotWritten
from . import cqc_files, cqc_shape
from .cqc_files import JSON_FACTS, RATING_QUESTIONS, UNRATED, _field, _history, _read, extra_facts  # noqa: F401 (re-exported)

DEFAULT_BASE = "https://api.service.cqc.org.uk/public/v1"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
STATE_NAME = "cqc-sync.json"
CACHE_NAME = ".cqc-sync-cache"
MAX_CACHE_AGE = 2 * 24 * 3600  # an interrupted sync older than this starts again
PER_PAGE = 1000  # the most the API gives in one page
FORMAT = "live API sync"


class SyncError(Exception):
    """A sync that cannot finish; the message says what failed and what to do."""


class SettingsError(SyncError):
    """Every problem with the CQC_API_* environment variables, one message each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Settings:
    """How to reach the API; every number can be set from the environment (see ``from_env``)."""

    base: str = DEFAULT_BASE
    key: str = ""
    timeout: float = 30.0  # seconds for each request
    retries: int = 5  # further attempts after a timeout, 5xx, 429 or broken response
    backoff: float = 2.0  # first wait in seconds, doubled each retry
    max_wait: float = 600.0  # longest Retry-After we honour
    concurrency: int = 4
    partner_code: str = ""  # CQC gives clients that send one a higher request rate
    deadline: float = 120.0  # seconds for one request, the whole answer included
    run_deadline: float = 4 * 3600.0  # seconds for every request of one sync
    max_bytes: int = 32 * 1024 * 1024  # the largest answer read (a full list page is about 200 KB)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        key = env.get("CQC_API_KEY", "").strip()
        if not key:
            raise SyncError("no API key: set the environment variable CQC_API_KEY to your CQC API subscription key "
                            "(get one free at https://api-portal.service.cqc.org.uk/)")
        s = cls(base=(env.get("CQC_API_BASE") or DEFAULT_BASE).rstrip("/"), key=key,
                partner_code=env.get("CQC_API_PARTNER_CODE", "").strip())
        problems = []
        if not web_address(s.base):
            problems.append(f"CQC_API_BASE {s.base!r} is not an http(s) address")
        elif httpclient.address_problem(s.base):
            problems.append(f"CQC_API_BASE {s.base!r} {httpclient.address_problem(s.base)}")
        for name, attr, kind, ok, words in (
                ("CQC_API_TIMEOUT", "timeout", float, lambda v: v > 0, "more than 0 seconds"),
                ("CQC_API_RETRIES", "retries", int, lambda v: v >= 0, "0 or more"),
                ("CQC_API_BACKOFF", "backoff", float, lambda v: v >= 0, "0 or more seconds"),
                ("CQC_API_MAX_WAIT", "max_wait", float, lambda v: v >= 0, "0 or more seconds"),
                ("CQC_API_CONCURRENCY", "concurrency", int, lambda v: v >= 1, "1 or more"),
                ("CQC_API_DEADLINE", "deadline", float, lambda v: v > 0, "more than 0 seconds"),
                ("CQC_API_RUN_DEADLINE", "run_deadline", float, lambda v: v > 0, "more than 0 seconds"),
                ("CQC_API_MAX_BYTES", "max_bytes", int, lambda v: v >= 1024, "1024 or more")):
            if env.get(name):
                try:
                    value = kind(env[name])
                except ValueError:
                    problems.append(f"{name}={env[name]!r} is not a number")
                    continue
                if not ok(value):  # NaN fails every comparison, so it is refused too
                    problems.append(f"{name}={env[name]!r} must be {words}")
                setattr(s, attr, value)
        if problems:
            raise SettingsError(problems)
        s.concurrency = min(s.concurrency, 16)
        return s

    def policy(self) -> httpclient.Policy:
        """The client's rules for the CQC API: redirects only within the API's own host, the key only
        to the API's own origin."""
        return httpclient.Policy(name="the CQC API", secret_origin=httpclient.origin(self.base),
                                 secret_headers=frozenset({KEY_HEADER}), request_deadline=self.deadline,
                                 run_deadline=self.run_deadline, max_bytes=self.max_bytes, timeout=self.timeout)


class Cache:
    """Good responses of one sync, on disk, so an interrupted sync resumes where it stopped."""

    def __init__(self, folder: Path, run: dict[str, Any]) -> None:
        self.folder, self.run = folder, run
        meta = folder / "run.json"
        self.resumed = 0
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            folder.unlink()  # not a cache this sync made: nothing is written through a link into another folder
        if meta.exists():
            try:
                old = json.loads(meta.read_text(encoding="utf-8"))
                fresh = isinstance(old, dict) and time.time() - float(old.get("started", 0)) < MAX_CACHE_AGE
            except (ValueError, TypeError, OSError, RecursionError):  # damaged: started afresh
                old, fresh = None, False
            if fresh and isinstance(old, dict) and all(old.get(k) == v for k, v in run.items() if k not in ("end", "started")):
                self.run = old
                self.resumed = len(list(folder.glob("r-*.json")))
            else:
                shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "run.json").write_text(json.dumps(self.run, indent=1), encoding="utf-8")

    def _file(self, url: str) -> Path:
        return self.folder / f"r-{hashlib.sha256(url.encode()).hexdigest()[:32]}.json"

    def get(self, url: str) -> Any:
        f = self._file(url)
        if not f.exists():
            return None
        try:
            return json.loads(f.read_text(encoding="utf-8"))
        except ValueError:
            return None

    def put(self, url: str, value: Any) -> None:
        f = self._file(url)
        tmp = f.with_suffix(".tmp")
        tmp.write_text(json.dumps(value), encoding="utf-8")
        os.replace(tmp, f)

    def saved(self) -> int:
        return len(list(self.folder.glob("r-*.json")))

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


NOT_FOUND = {"__not_found__": True}


class Client:
    """GET JSON from the API with retries, caching and a request count."""

    def __init__(self, settings: Settings, cache: Cache, sleep: Callable[[float], None] = time.sleep) -> None:
        self.s, self.cache, self.sleep = settings, cache, sleep
        self.requests = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()  # set on Ctrl-C: requests in flight give up at their next step
        self.session = httpclient.Session(settings.policy())

    def url(self, path: str, params: dict[str, Any] | None = None) -> str:
        params = dict(params or {})
        if self.s.partner_code:
            params["partnerCode"] = self.s.partner_code
        query = urllib.parse.urlencode(params)
        return self.s.base + path + (f"?{query}" if query else "")

    def get(self, path: str, params: dict[str, Any] | None = None, what: str = "", *, missing_ok: bool = True) -> Any:
        """The decoded JSON, or None for 404 (an error unless ``missing_ok``: a list that must exist answering
        404 means a wrong CQC_API_BASE); raises SyncError naming ``what`` when it cannot."""
        url = self.url(path, params)
        cached = self.cache.get(url)
        if cached is not None and (missing_ok or cached != NOT_FOUND):
            return None if cached == NOT_FOUND else cached
        what = what or f"GET {path}"
        problem = ""
        for attempt in range(self.s.retries + 1):
            if self.stop.is_set():
                raise SyncError(f"{what}: stopped")
            wait_for = self.s.backoff * 2 ** attempt * (0.75 + random.random() / 2)
            headers = {KEY_HEADER: self.s.key, "Accept": "application/json",
                       "User-Agent": "carehomes-directory (import-cqc --api)"}
            with self.lock:
                self.requests += 1
            try:
                resp = self.session.get(url, headers)
                if resp.status == 200:
                    value = httpclient.decode_json(resp.body, self.session.policy.max_depth, resp.url)
                    self.cache.put(url, value)
                    return value
            except httpclient.HttpError as exc:
                if not exc.retry:
                    raise SyncError(f"{what}: {exc}") from None
                problem = exc.problem
            else:
                if resp.status == 404 and not missing_ok:
                    raise SyncError(f"{what}: HTTP 404 from {url}; check CQC_API_BASE") from None
                if resp.status == 404:
                    self.cache.put(url, NOT_FOUND)
                    return None
                if resp.status in (401, 403):
                    raise SyncError(f"{what}: the API refused the key (HTTP {resp.status}); check CQC_API_KEY") from None
                if resp.status == 429:
                    retry_after = _retry_after(resp.headers.get("Retry-After"))
                    if retry_after is not None and retry_after > self.s.max_wait:
                        raise SyncError(f"{what}: the API asks us to wait {retry_after:.0f} s (HTTP 429), "
                                        f"longer than CQC_API_MAX_WAIT={self.s.max_wait:.0f}") from None
                    problem = "HTTP 429 (too many requests)"
                    wait_for = retry_after if retry_after is not None else wait_for
                elif resp.status >= 500:
                    problem = f"HTTP {resp.status} (server error)"
                else:
                    raise SyncError(f"{what}: the API answered HTTP {resp.status} for {url}") from None
            if attempt < self.s.retries:
                if self.sleep is time.sleep:
                    self.stop.wait(wait_for)
                else:
                    self.sleep(wait_for)
        tries = self.s.retries + 1
        raise SyncError(f"{what}: {problem}, {tries} attempt{'s' * (tries != 1)}")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number of seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


# --- the sync -------------------------------------------------------------------------------

@dataclass
class Fetched:
    """What the API said for one sync: location documents, providers, the area's listed IDs."""

    locations: dict[str, dict] = field(default_factory=dict)
    providers: dict[str, dict] = field(default_factory=dict)
    listed: list[str] = field(default_factory=list)
    full: bool = True


def _responses(n: int) -> str:
    """'1 response is' / '3 responses are', for the resume messages."""
    return f"{n} response is" if n == 1 else f"{n} responses are"


def _stamp(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _paged(client: Client, path: str, params: dict[str, Any], key: str, what: str) -> list[Any]:
    """Every item of a paged list, checking the shape of each page."""
    items: list[Any] = []
    page = 1
    while True:
        body = client.get(path, {**params, "page": page, "perPage": PER_PAGE}, f"{what}, page {page}",
                          missing_ok=key == "changes")
        if body is None and key == "changes":
            return items  # the changes feed answers 404 when nothing changed
        if not isinstance(body, dict) or not isinstance(body.get(key), list):
            raise SyncError(f"{what}, page {page}: unexpected response: no '{key}' list")
        items.extend(body[key])
        pages = body.get("totalPages", 1)
        if not isinstance(pages, int) or isinstance(pages, bool):
            raise SyncError(f"{what}, page {page}: unexpected response: 'totalPages' is not a number")
        if page >= pages:
            return items
        page += 1


def _fetch_all(client: Client, jobs: list[tuple[str, str]], label: str, progress_stream: TextIO | None) -> dict[str, Any]:
    """GET many (id, path) at once with bounded concurrency; stop at the first failure."""
    out: dict[str, Any] = {}
    if not jobs:
        return out
    progress = Progress(label, len(jobs), progress_stream)
    kind = label.split()[0].rstrip("s")

    def one(ident: str, path: str) -> None:
        out[ident] = client.get(path, what=f"{kind} {plain(ident, 40)} (GET {plain(path, 80)})")
        progress.step()

    pool = ThreadPoolExecutor(max_workers=client.s.concurrency)
    try:
        futures = [pool.submit(one, i, p) for i, p in jobs]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        for f in done:
            exc = f.exception()
            if exc:
                raise exc
    except BaseException:
        client.stop.set()  # the other requests give up instead of retrying
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return out


def fetch(client: Client, local_authority: str, known: set[str] | None, since: str | None, end: str,
          progress_stream: TextIO | None = None) -> Fetched:
    """Ask the API for the area's locations of every kind held here (each kind's list filter: careHome=Y,
    then gacServiceTypeDescription=Homecare agencies), merged by location id: all of them, or (with
    ``since``) only what changed."""
    listed: list[str] = []
    asked = [k for k in kinds() if k.cqc_api_filter]
    for kind in asked:
        homes = kind.plural.lower()
        listing = _paged(client, "/locations", {"localAuthority": local_authority, **dict(kind.cqc_api_filter)}, "locations",
                         f"the list of {homes} in {local_authority} (GET /locations)")
        for n, item in enumerate(listing, 1):
            if not isinstance(item, dict) or not isinstance(item.get("locationId"), str):
                raise SyncError(f"the list of {homes} in {local_authority}, item {n}: unexpected response: no 'locationId'")
            if not cqc_shape.ID.fullmatch(item["locationId"]):
                raise SyncError(f"the list of {homes} in {local_authority}, item {n}: unexpected response: 'locationId' "
                                f"is {cqc_shape.show_id(item['locationId'])}, not a CQC location ID (like 1-123456789)")
            listed.append(item["locationId"])
    listed = list(dict.fromkeys(listed))  # a home can appear twice if the list shifts between pages, or in two kinds' lists
    if not listed:
        words = " or ".join(k.plural.lower() for k in asked)
        raise SyncError(f"the CQC API lists no {words} for local authority '{local_authority}'; "
                        "write the name as CQC does, e.g. 'Herefordshire, County of' or 'Oldham'")
    result = Fetched(listed=listed, full=since is None)
    if since is None:
        wanted = listed
    else:
        changes = _paged(client, "/changes/location", {"startTimestamp": since, "endTimestamp": end}, "changes",
                         f"the changes since {since} (GET /changes/location)")
        changed = {c for c in changes if isinstance(c, str)}
        wanted = [i for i in listed if i in changed or i not in (known or set())]
    docs = _fetch_all(client, [(i, f"/locations/{urllib.parse.quote(i)}") for i in wanted], "locations", progress_stream)
    for lid in wanted:
        doc = docs.get(lid)
        if doc is None:
            continue  # listed but gone since: the next sync sees it missing from the list
        if not isinstance(doc, dict):
            raise SyncError(f"location {plain(lid, 40)}: unexpected response: not a JSON object")
        if doc.get("locationId") != lid:
            raise SyncError(f"location {plain(lid, 40)}: unexpected response: field 'locationId' is {plain(repr(doc.get('locationId')), 60)}")
        result.locations[lid] = doc
    provider_ids = sorted({d["providerId"] for d in result.locations.values()
                           if isinstance(d.get("providerId"), str) and cqc_shape.ID.fullmatch(d["providerId"])
                           and str(d.get("registrationStatus", "")).lower() != "deregistered"})
    provs = _fetch_all(client, [(p, f"/providers/{urllib.parse.quote(p)}") for p in provider_ids], "providers",
                       progress_stream)
    wrong = [f"provider {pid}: {p}" for pid, doc in sorted(provs.items()) if doc is not None
             for p in cqc_shape.problems(doc, cqc_shape.PROVIDER)]
    if wrong:
        raise SyncError("unexpected response" + "s" * (len(wrong) > 1) + ":\n  " + "\n  ".join(wrong))
    for pid, doc in provs.items():
        if isinstance(doc, dict):
            result.providers[pid] = doc
    return result


# --- state -----------------------------------------------------------------------------------

def read_state(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise SyncError(f"{path} is not valid JSON; delete it to run a full sync") from None
    except OSError as exc:
        raise SyncError(f"{path} cannot be read ({exc.strerror or exc}); give a sync state file, or delete it to run a "
                        "full sync") from None
    if not isinstance(state, dict):
        raise SyncError(f"{path} is not a sync state file; delete it to run a full sync")
    # each value the sync reads, of the kind it writes: text, and a list of location IDs
    wrong = [key for key in ("local_authority", "api", "last_sync", "last_full_sync")
             if state.get(key) is not None and not isinstance(state[key], str)]
    locations = state.get("locations")
    if locations is not None and not (isinstance(locations, list) and all(isinstance(i, str) for i in locations)):
        wrong.append("locations")
    if wrong:
        raise SyncError(f"{path}: {', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not what a sync writes; "
                        "delete the file to run a full sync")
    return state


def state_folders(profile_paths: list[str]) -> set[Path]:
    """The folder holding each profile's providers folder (``Path(p).resolve().parent.parent``), each profile's
    folder resolved once rather than each profile's path (nationally 15,403 resolves, 0.45 s of CPU, to a few):
    only a profile that is itself a link is resolved on its own."""
    real: dict[str, str] = {}  # a profile's folder as given -> resolved
    found: set[str] = set()
    for p in profile_paths:
        folder = os.path.dirname(p)
        if os.path.islink(p):
            found.add(os.path.dirname(os.path.dirname(os.path.realpath(p))))
            continue
        resolved = real.get(folder)
        if resolved is None:
            resolved = real[folder] = os.path.realpath(folder)
        found.add(os.path.dirname(resolved))
    return {Path(f) for f in found}


def checked_dates(profile_paths: list[str]) -> dict[str, dt.date]:
    """Location ID -> the day a successful sync last confirmed its facts, from the state file beside
    each providers folder (a home unchanged since then keeps its older cqc.imported date)."""
    out: dict[str, dt.date] = {}
    for folder in sorted(state_folders(profile_paths)):
        try:
            state = read_state(folder / STATE_NAME)
            day = dt.date.fromisoformat(str(state.get("last_sync", ""))[:10])
        except (SyncError, ValueError):
            continue
        for lid in state.get("locations") or []:
            if isinstance(lid, str):
                out[lid] = max(day, out.get(lid, day))
    return out


def write_state(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def sync(providers: Path, local_authority: str | None = None, *, full: bool = False, dry_run: bool = False,
         allow_mass_removal: bool = False, state_file: Path | None = None, settings: Settings | None = None,
         out: TextIO | None = None, now: dt.datetime | None = None, allow_older: bool = False,
         max_removals: int = apply.MAX_REMOVALS,
         max_removal_share: float = apply.MAX_REMOVAL_SHARE) -> tuple[Any, Fetched, int]:
    """Run one sync and apply it to the profiles; returns the importer's report, what was fetched
    and the number of HTTP requests made."""
    settings = settings or Settings.from_env()
    state_file = state_file or providers.resolve().parent / STATE_NAME
    state = read_state(state_file)
    area = local_authority or state.get("local_authority")
    if not area:
        raise SyncError("say which area to sync with --local-authority NAME (it is remembered for later syncs)")
    same = (str(state.get("local_authority", "")).lower() == area.lower() and state.get("api") == settings.base
            and isinstance(state.get("last_sync"), str))
    incremental = same and not full
    started = now or dt.datetime.now(dt.UTC)
    run = {"api": settings.base, "local_authority": area, "since": state.get("last_sync") if incremental else None,
           "end": _stamp(started), "started": time.time()}
    cache = Cache(state_file.parent / CACHE_NAME, run)
    stream = out or sys.stderr
    if cache.resumed:
        stream.write(f"Resuming the sync started {cache.run['end']}: {cache.resumed} response{'s' * (cache.resumed != 1)} already saved\n")
    client = Client(settings, cache)
    known = set(state.get("locations") or []) if incremental else None
    try:
        fetched = fetch(client, area, known, cache.run["since"], cache.run["end"], stream)
        report = apply_to_profiles(fetched, providers, area, dry_run=dry_run, allow_mass_removal=allow_mass_removal,
                                   data_date=dt.date.fromisoformat(cache.run["end"][:10]), allow_older=allow_older,
                                   max_removals=max_removals, max_removal_share=max_removal_share)
    except KeyboardInterrupt:
        client.stop.set()
        if DONE_BEFORE_STOP:  # stopped as its profiles were put in place: every one was written, and the word says so
            raise
        raise SyncError(f"interrupted\nThe sync did not finish and no profile was changed. {_responses(cache.saved())} "
                        f"saved in {cache.folder}: run the same command again to resume.") from None
    except SyncError as exc:
        client.stop.set()
        raise SyncError(f"{exc}\nThe sync did not finish and no profile was changed. {_responses(cache.saved())} "
                        f"saved in {cache.folder}: run the same command again to resume.") from None
    if not dry_run:
        new_state = {
            "about": "The last successful sync of CQC regulator facts (python build.py import-cqc --api). "
                     "The next sync asks CQC only for changes since last_sync; delete this file or use --full "
                     "for a full sync.",
            "api": settings.base, "local_authority": area, "last_sync": cache.run["end"],
            "last_full_sync": cache.run["end"] if not incremental else state.get("last_full_sync"),
            "requests": client.requests, "locations": sorted(fetched.listed)}
        write_state(state_file, new_state)
    cache.remove()
    return report, fetched, client.requests


# --- the one adapter to the importer -----------------------------------------------------------

def apply_to_profiles(fetched: Fetched, providers: Path, local_authority: str, *, dry_run: bool,
                      data_date: dt.date, allow_mass_removal: bool = False, allow_older: bool = False,
                      max_removals: int = apply.MAX_REMOVALS, max_removal_share: float = apply.MAX_REMOVAL_SHARE) -> Any:
    """Turn API documents into importer records and apply them as the file importer does."""
    records = []
    skipped: dict[str, int] = {}
    problems: list[str] = []
    for lid, doc in sorted(fetched.locations.items()):
        shape = cqc_shape.problems(doc)
        if shape:
            problems.extend(f"location {lid}: {problem}" for problem in shape)
            continue
        try:
            rec = cqc_files.parse_api_location(doc, "iso")
        except cqc_files.RowProblems as exc:
            problems.extend(f"location {plain(lid, 40)}: {problem}" for problem in exc.problems)
            continue
        except (ValueError, SyntaxError, KeyError, AttributeError, TypeError) as exc:
            problems.append(f"location {plain(lid, 40)}: {plain(exc)}")
            continue
        if isinstance(rec, cqc_files.Skipped):
            skipped[rec.label] = skipped.get(rec.label, 0) + 1
            continue  # of no kind held here after all
        try:
            rec.regulator.update(extra_facts(doc))
        except ValueError as exc:
            problems.append(f"location {plain(lid, 40)}: {plain(exc)}")
            continue
        if not rec.regulator.get("name"):
            problems.append(f"location {plain(lid, 40)}: field 'name' is missing")
            continue
        prov = fetched.providers.get(str(doc.get("providerId")))
        if prov and cqc_files._text(prov.get("name")):
            rec.regulator["provider.name"] = cqc_files._text(prov.get("name"))
        records.append(rec)
    if problems:
        raise SyncError("unexpected response" + ("s" if len(problems) > 1 else "") + ":\n  " + "\n  ".join(problems))
    try:
        return apply.apply_records(records, providers, fmt=FORMAT, data_date=data_date, source="the CQC API",
                                      local_authority=local_authority, dry_run=dry_run,
                                      allow_mass_removal=allow_mass_removal, allow_older=allow_older,
                                      max_removals=max_removals, max_removal_share=max_removal_share,
                                      register_ids=None if fetched.full else set(fetched.listed), skipped=skipped)
    except apply.ImportError_ as exc:
        raise SyncError(str(exc)) from None
    except NotWritten as exc:  # the responses are kept in the sync cache: the same command resumes
        raise SyncError(f"{not_written(exc, providers, '--providers')}; nothing was changed") from None


# --- the command ---------------------------------------------------------------------------------

def main(providers: Path, local_authority: str | None, *, full: bool, dry_run: bool,
         allow_mass_removal: bool = False, state_file: Path | None = None, allow_older: bool = False,
         max_removals: int = apply.MAX_REMOVALS, max_removal_share: float = apply.MAX_REMOVAL_SHARE) -> int:
    """``build.py import-cqc --api``: print the report; a clear message and status 1 on failure."""
    try:
        report, fetched, requests = sync(providers, local_authority, full=full, dry_run=dry_run,
                                         allow_mass_removal=allow_mass_removal, state_file=state_file,
                                         allow_older=allow_older, max_removals=max_removals,
                                         max_removal_share=max_removal_share)
    except SettingsError as exc:
        for problem in exc.problems:
            print(f"import-cqc --api: {plain(problem)}", file=sys.stderr)
        return 1
    except SyncError as exc:
        print(f"import-cqc --api: {exc}", file=sys.stderr)
        return 130 if str(exc).startswith("interrupted") else 1
    kind = "full" if fetched.full else "incremental"
    print(report.summary())
    print(f"  {kind} sync: {len(fetched.listed)} locations listed, {len(fetched.locations)} locations and "
          f"{len(fetched.providers)} providers fetched, {requests} requests")
    return 0
