"""A read-only Open Referral UK API that answers queries: ``python3 build.py serve-api``.

The static API under ``site/oruk/`` (outputs/oruk_api.py) cannot filter or page: a static host
ignores query strings. This app serves the UK profile's nine operations from the same published
records (the built site's ``data/oruk-services.json``, read once at start; nothing is written), with
their query parameters: ``page``, ``per_page``, ``search``, ``taxonomy_term_id``, ``taxonomy_id``,
``postcode`` with ``proximity`` (metres), ``modified_after``, and the profile's ``minimum_age``,
``maximum_age``, ``start_time``, ``end_time`` and ``day``. Every parameter is checked against the
bounds in outputs/oruk_openapi.py; an unknown, repeated or invalid one is a 400 with a message
saying what to send instead. Filters compare values in memory; no query is built from the text. The
root document, ``/openapi.json`` and single records take no parameters and ignore a query (a cache
buster, a key a proxy adds), as the static copy does: nothing there can be answered unfiltered.

A filter on something the records do not carry (care homes publish no ages or opening times) matches
no record, so a consumer gets an empty page rather than unfiltered data. A home counts as modified on
the newest date its record carries (vacancies or capabilities confirmed, CQC import, fees, ...).
Postcodes become a point with the site's own postcode lookup (``site/postcodes/``, see
sources/postcodes.py); an unknown postcode is a 400.

Every answer is ``application/json`` with ``Access-Control-Allow-Origin: *``. The app is stateless,
so a council runs as many copies as it needs (docs/oruk-api.md).
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import sys
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .fsutil import NotRegularFile, read_regular
from .outputs import oruk_openapi as spec
from .outputs.oruk_api import (PROFILE_URL, VERSION, _one_to_one, _service_at_locations, data_licence, paged, published_sources,
                                service_list_item, taxonomies_and_terms)
from .outputs.postcode_lookup import LOOKUP_DIR, sector_file
from .safetext import UNSAFE_IN_ADDRESS, plain
from .sources.postcodes import KEY as POSTCODE_KEY, area_of, distance_km, postcode_key

SERVICES_FILE = Path("data") / "oruk-services.json"
ENV_SITE = "CAREHOMES_SITE"  # the built site's folder, for app_from_env (uvicorn --factory)
ENV_API_URL = "CAREHOMES_ORUK_API_URL"  # the API's public address, for app_from_env
STARTUP_FAILURE = 3  # uvicorn's exit status for an app that cannot start: its supervisor stops, not restarting workers
DEFAULT_PER_PAGE = 50
MAX_SERVICES_BYTES = 512 * 1024 * 1024  # England's records are about 150 MB
MAX_LOOKUP_BYTES = 1024 * 1024  # one postcode sector's or area's districts: a few KB
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PAGING = ("page", "per_page")
FILTERS = ("search", "taxonomy_term_id", "taxonomy_id", "postcode", "proximity", "modified_after",
           "minimum_age", "maximum_age", "start_time", "end_time", "day")
ALLOWED = {"/services": PAGING + FILTERS, "/service_at_locations": PAGING + FILTERS,
           "/taxonomies": PAGING, "/taxonomy_terms": PAGING}


class DataMissing(Exception):
    """The site's ORUK records cannot be read, or the API's address is not one; the message says what to do."""


def api_url_problem(api_url: str, option: str = "--api-url") -> str | None:
    """Why the API's public address (``--api-url``, or the ``option`` that gave it, named in its root document) is not an
    http(s) address, or None."""
    try:
        parts = urllib.parse.urlsplit(api_url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or UNSAFE_IN_ADDRESS.search(api_url):
        return (f"{option} {api_url[:80]!r}: is not an http:// or https:// address; give the API's public address, "
                "e.g. https://oruk.example.gov.uk/")
    return None


class BadQuery(Exception):
    """A query parameter that is not valid; the message names it and says what to send."""


@dataclass
class Entry:
    """One service with what its filters compare, worked out once."""

    item: dict                 # the service as /services lists it
    words: str                 # lower-case text a search looks in
    term_ids: frozenset[str]
    taxonomy_ids: frozenset[str]
    point: tuple[float, float] | None
    modified: str | None       # the newest YYYY-MM-DD the record carries
    record: dict = field(repr=False)


@dataclass
class Catalogue:
    """Everything the API answers, indexed by id."""

    site: Path
    services: list[Entry]
    service_at_locations: list[tuple[dict, Entry]]
    taxonomies: list[dict]
    terms: list[dict]
    full: dict[str, dict[str, dict]]  # endpoint -> id -> full record


def _dates(node: Any) -> Iterable[str]:
    """Every YYYY-MM-DD text inside a record."""
    if isinstance(node, dict):
        for v in node.values():
            yield from _dates(v)
    elif isinstance(node, list):
        for v in node:
            yield from _dates(v)
    elif isinstance(node, str) and _DATE.fullmatch(node[:10]) and len(node) in (10, 19, 20, 25):
        yield node[:10]


def _entry(svc: dict) -> Entry:
    sals = svc.get("service_at_locations") or []
    location = (sals[0].get("location") or {}) if sals else {}
    address = (location.get("addresses") or [{}])[0]
    text = [svc.get("name"), svc.get("description"), (svc.get("organization") or {}).get("name"),
            address.get("address_1"), address.get("city"), address.get("postal_code")]
    terms = [a.get("taxonomy_term") or {} for a in svc.get("attributes") or []]
    lat, lon = location.get("latitude"), location.get("longitude")
    return Entry(service_list_item(svc), " ".join(str(t) for t in text if t).casefold(),
                 frozenset(a["taxonomy_term_id"] for a in svc.get("attributes") or [] if a.get("taxonomy_term_id")),
                 frozenset(t["taxonomy_id"] for t in terms if t.get("taxonomy_id")),
                 (float(lat), float(lon)) if isinstance(lat, (int, float)) and isinstance(lon, (int, float)) else None,
                 max(_dates(svc), default=None), svc)


def _records(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _texts(record: dict, names: Iterable[str]) -> str | None:
    """The first of ``names`` that ``record`` gives as something other than a text, or None."""
    return next((n for n in names if n in record and not isinstance(record[n], str)), None)


def service_problem(svc: dict) -> str | None:
    """What in one service record is not the shape the API indexes (its field and what is wrong), or None."""
    if not isinstance(svc.get("organization") or {}, dict):
        return "organization is not a record"
    sals = svc.get("service_at_locations", [])
    if not _records(sals):
        return "service_at_locations is not a list of records"
    for i, sal in enumerate(sals):
        where = f"service_at_locations[{i}]"
        if missing := next((k for k in ("id", "service_id", "location_id") if k not in sal), None):
            return f"{where} has no {missing}"
        if bad := _texts(sal, ("id", "service_id", "location_id")):
            return f"{where}.{bad} is not a text"
        if sal["service_id"] != svc["id"]:
            return f"{where}.service_id is {plain(sal['service_id'], 40)!r}, not the service's own id"
        location = sal.get("location", {})
        if not isinstance(location, dict):
            return f"{where}.location is not a record"
        if not _records(location.get("addresses") or []):
            return f"{where}.location.addresses is not a list of records"
    attributes = svc.get("attributes", [])
    if not isinstance(attributes, list):
        return "attributes is not a list of records"
    for i, attr in enumerate(attributes):
        if not isinstance(attr, dict):
            return f"attributes[{i}] is not a record"
        if bad := _texts(attr, ("taxonomy_term_id",)):
            return f"attributes[{i}].{bad} is not a text"
        term = attr.get("taxonomy_term") or {}
        if not isinstance(term, dict):
            return f"attributes[{i}].taxonomy_term is not a record"
        if term and (missing := next((k for k in ("id", "name") if k not in term), None)):
            return f"attributes[{i}].taxonomy_term has no {missing}"
        if bad := _texts(term, ("id", "name", "taxonomy_id")):
            return f"attributes[{i}].taxonomy_term.{bad} is not a text"
    return None


def load(site: Path, give_site: str = "give --site") -> Catalogue:
    """The site's published ORUK records (``data/oruk-services.json``), ready to answer queries. ``give_site`` says how
    the folder is given (``set CAREHOMES_SITE to`` for app_from_env)."""
    path = site / SERVICES_FILE
    if site.exists() and not site.is_dir():
        raise DataMissing(f"{site}: is a file, not a folder; {give_site} the folder of a built site (site/)")
    if not site.is_dir():
        raise DataMissing(f"{site}: no such folder; build the site first (python3 build.py build) or {give_site} "
                          "the folder of a built site")
    try:
        raw = read_regular(path, MAX_SERVICES_BYTES)  # never a device or pipe (endless, or never answering)
    except FileNotFoundError:
        raise DataMissing(f"{path}: not found; build the site first (python3 build.py build) or {give_site} "
                          "the folder of a built site") from None
    except NotRegularFile:
        raise DataMissing(f"{path}: is not a regular file (a device, pipe or folder); build the site again") from None
    except OSError as exc:
        raise DataMissing(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_SERVICES_BYTES:
        raise DataMissing(f"{path}: is larger than {MAX_SERVICES_BYTES // 1024 ** 2:,} MB, so it is not this directory's "
                          "ORUK service package; build the site again")
    try:
        services = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataMissing(f"{path}: is not the ORUK service package ({exc}); build the site again") from None
    except RecursionError:
        raise DataMissing(f"{path}: is nested too deeply to be the ORUK service package; build the site again") from None
    if not isinstance(services, list) or not all(isinstance(s, dict) and isinstance(s.get("id"), str) for s in services):
        raise DataMissing(f"{path}: is not the ORUK service package (a list of services, each with an id); build the site again")
    first: dict[str, int] = {}
    for n, svc in enumerate(services, 1):
        if (problem := service_problem(svc)) is None and svc["id"] in first:
            problem = f"the same id as service {first[svc['id']]} (one id would list two services but find one)"
        if problem:
            raise DataMissing(f"{path}: service {n} (id {plain(svc['id'], 60)!r}): {problem}; this is not the ORUK service "
                              "package this directory publishes: build the site again (python3 build.py build)")
        first[svc["id"]] = n
    entries = [_entry(s) for s in services]
    by_id = {e.record["id"]: e for e in entries}
    sal_items, sal_full = _service_at_locations(services)
    taxonomies, terms = taxonomies_and_terms(services)
    return Catalogue(site, entries, [(item, by_id[item["service_id"]]) for item in sal_items],
                     [_one_to_one(t) for t in taxonomies], terms,
                     {"services": {k: e.record for k, e in by_id.items()},
                      "service_at_locations": {r["id"]: r for r in sal_full},
                      "taxonomies": {t["id"]: t for t in taxonomies}, "taxonomy_terms": {t["id"]: t for t in terms}})


# --- query parameters -------------------------------------------------------------------------

def _one(request: Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """The query's parameters, each given once and each known, or BadQuery."""
    seen: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in allowed:
            shown = name if len(name) <= 40 else name[:40] + "..."
            raise BadQuery(f"unknown query parameter {shown!r}; {request.scope['path']} accepts: {', '.join(allowed)}")
        if name in seen:
            raise BadQuery(f"{name} is given more than once; give it once")
        seen[name] = value
    return seen


def _integer(q: dict[str, str], name: str, default: int, top: int) -> int:
    text = q.get(name)
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]{1,7}", text) or not 1 <= int(text) <= top:
        raise BadQuery(f"{name}={text[:20]!r}: give a whole number from 1 to {top}")
    return int(text)


def _number(q: dict[str, str], name: str, low: float, top: float, unit: str = "") -> float | None:
    text = q.get(name)
    if text is None:
        return None
    try:
        value = float(text) if len(text) <= 30 else math.nan
    except ValueError:
        value = math.nan
    if not low <= value <= top:  # NaN fails too
        raise BadQuery(f"{name}={text[:20]!r}: give a number from {low:g} to {top:g}{unit}")
    return value


def _text(q: dict[str, str], name: str, top: int) -> str | None:
    text = q.get(name)
    if text is not None and len(text) > top:
        raise BadQuery(f"{name} is {len(text)} characters long; give at most {top}")
    return text


def _time(q: dict[str, str], name: str) -> str | None:
    text = q.get(name)
    if text is None:
        return None
    try:
        if not re.fullmatch(r"\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)?", text):
            raise ValueError(text)
        dt.time.fromisoformat(text[:8])
    except ValueError:
        raise BadQuery(f"{name}={text[:20]!r}: give a time as HH:MM:SS, e.g. 09:30:00") from None
    return text


def _modified_after(q: dict[str, str]) -> str | None:
    text = q.get("modified_after")
    if text is None:
        return None
    try:
        when = dt.datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00")) if len(text) <= 40 else None
    except ValueError:
        when = None
    if when is None or not re.fullmatch(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)", text):
        raise BadQuery(f"modified_after={text[:30]!r}: give a date and time as YYYY-MM-DDTHH:MM:SSZ, e.g. 2025-01-31T00:00:00Z")
    # the first day whose record's last_modified (that day at midnight, UTC) is at or after the instant given, in whatever
    # offset it is written: the date as written, offset dropped, gave two answers for one instant (the open data review)
    try:
        utc = when.astimezone(dt.timezone.utc)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before any date
        return dt.date.min.isoformat()
    day = utc.date() if utc.time() == dt.time(0) else utc.date() + dt.timedelta(days=1) if utc.date() < dt.date.max else None
    return day.isoformat() if day is not None else "9999-12-32"  # after the last day there is: nothing was modified since


def _point(site: Path, postcode: str) -> tuple[float, float]:
    """A postcode's position from the site's published postcode lookup, or BadQuery."""
    key = postcode_key(postcode)
    full = POSTCODE_KEY.fullmatch(key)
    if not re.fullmatch(spec.POSTCODE_PATTERN, postcode):
        raise BadQuery(f"postcode={postcode[:12]!r}: is not a UK postcode; give one such as HR1 2AB (or a district such as HR1)")
    area = area_of(key) or ""
    try:
        file = site / sector_file(key) if full else site / LOOKUP_DIR / area / "districts.json"
        where = json.loads(read_regular(file, MAX_LOOKUP_BYTES).decode("utf-8")).get(key[-3:] if full else key)
    except (OSError, ValueError):
        where = None
    if not (isinstance(where, list) and len(where) == 2):
        raise BadQuery(f"postcode={postcode[:12]!r}: is not a postcode this directory knows the position of "
                       f"(it publishes the areas in {LOOKUP_DIR}/areas.json); check it, or give a nearby one")
    return float(where[0]), float(where[1])


@dataclass
class Query:
    page: int
    per_page: int
    keep: Callable[[Entry], bool]


def query(request: Request, catalogue: Catalogue) -> Query:
    """The list query of ``request``, checked; BadQuery names the first parameter that is wrong."""
    q = _one(request, ALLOWED[request.scope["path"].rstrip("/") or "/"])  # not request.url: it fails on a query that is not UTF-8
    page, per_page = _integer(q, "page", 1, spec.MAX_PAGE), _integer(q, "per_page", DEFAULT_PER_PAGE, spec.MAX_PER_PAGE)
    tests: list[Callable[[Entry], bool]] = []
    words = (_text(q, "search", spec.MAX_SEARCH) or "").casefold().split()
    if words:
        tests.append(lambda e: all(w in e.words for w in words))
    term, taxonomy = _text(q, "taxonomy_term_id", spec.MAX_ID), _text(q, "taxonomy_id", spec.MAX_ID)
    if term is not None:
        tests.append(lambda e: term in e.term_ids)
    if taxonomy is not None:
        tests.append(lambda e: taxonomy in e.taxonomy_ids)
    postcode = _text(q, "postcode", spec.MAX_POSTCODE)
    proximity = _number(q, "proximity", 1, spec.MAX_PROXIMITY, " metres")
    if proximity is not None and postcode is None:
        raise BadQuery("proximity needs a postcode: give postcode=... as well, e.g. postcode=HR1 2AB&proximity=5000")
    if postcode is not None:
        lat, lon = _point(catalogue.site, postcode)
        reach_km = (proximity or spec.MAX_PROXIMITY) / 1000
        tests.append(lambda e: e.point is not None and distance_km(lat, lon, *e.point) <= reach_km)
    since = _modified_after(q)
    if since is not None:
        tests.append(lambda e: e.modified is not None and e.modified >= since)
    # care homes publish no ages and no opening times: a filter on them matches no home
    ages = [_number(q, n, 0, spec.MAX_AGE) for n in ("minimum_age", "maximum_age")]
    times = [_time(q, n) for n in ("start_time", "end_time")]
    day = q.get("day")
    if day is not None and day not in spec.DAYS:
        raise BadQuery(f"day={day[:10]!r}: give one of {', '.join(spec.DAYS)}")
    if any(v is not None for v in (*ages, *times, day)):
        tests.append(lambda e: False)
    return Query(page, per_page, lambda e: all(t(e) for t in tests))


# --- the app ----------------------------------------------------------------------------------

def _json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _error(status: int, message: str) -> JSONResponse:
    return _json({"error": message}, status)


class _Cors:
    """``Access-Control-Allow-Origin: *`` on every answer, and CORS preflights answered (read-only GETs)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await Response(status_code=204, headers={
                "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
                "Access-Control-Allow-Headers": "*", "Access-Control-Max-Age": "86400",
                "Allow": "GET, HEAD, OPTIONS"})(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"access-control-allow-origin", b"*")]
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _sources(site: Path) -> list[dict] | None:
    """The sources the built site's data/datapackage.json names (the attribution its records need); None (the
    schema's, every one) when it cannot be read."""
    try:
        raw = read_regular(site / "data" / "datapackage.json", MAX_SERVICES_BYTES)
    except OSError:  # NotRegularFile is one
        return None
    return published_sources(raw)


def create_app(site: Path, api_url: str = "", *, give_site: str = "give --site", url_option: str = "--api-url") -> Starlette:
    """The ORUK API for the built site in ``site``; DataMissing when its records cannot be read or ``api_url`` is not
    an http(s) address (the messages name ``give_site`` and ``url_option``, the way each was given)."""
    problem = api_url_problem(api_url, url_option) if api_url else None
    if problem:
        raise DataMissing(problem)
    catalogue = load(site, give_site)
    description = spec.openapi_text()
    licence = data_licence(_sources(site))

    def base(request: Request) -> str:
        """The API's address: --api-url when given, else the one the request was sent to."""
        return api_url.rstrip("/") + "/" if api_url else str(request.base_url)

    async def root(request: Request) -> Response:
        return _json({"version": VERSION, "profile": PROFILE_URL, "openapi_url": base(request) + "openapi.json", **licence})

    described = json.loads(description)

    async def openapi(request: Request) -> Response:
        # with this API's own public address as its server: without one, a tool driven by the description called the
        # host's /services, not this API's under its path (the open data review)
        return _json({**described, "servers": [{"url": base(request).rstrip("/")}]})

    def listing(items: Callable[[Catalogue], list[tuple[dict, Entry | None]]]) -> Callable:
        async def endpoint(request: Request) -> Response:
            q = query(request, catalogue)
            kept = [item for item, entry in items(catalogue) if entry is None or q.keep(entry)]
            return _json(paged(kept, q.page, q.per_page))
        return endpoint

    def record(name: str) -> Callable:
        async def endpoint(request: Request) -> Response:
            found = catalogue.full[name].get(request.path_params["id"])
            if found is None:
                return _error(404, f"no {name.rstrip('s').replace('ie', 'y')} has the id {request.path_params['id'][:60]!r}; "
                                   f"list them at /{name}")
            return _json(found)
        return endpoint

    async def bad_query(request: Request, exc: Exception) -> Response:
        return _error(400, str(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        text = {404: f"no such address; the API's addresses are listed at {base(request)}openapi.json",
                405: "this API is read-only: use GET"}.get(status, "the request could not be answered")
        headers = {"Allow": "GET, HEAD, OPTIONS"} if status == 405 else None
        return JSONResponse({"error": text}, status_code=status, headers=headers)

    async def server_error(request: Request, exc: Exception) -> Response:
        return _error(500, "the API failed to answer; try again, and tell the directory's stewards if it goes on")

    routes = [Route("/", root), Route("/openapi.json", openapi),
              Route("/services", listing(lambda c: [(e.item, e) for e in c.services])),
              Route("/service_at_locations", listing(lambda c: list(c.service_at_locations))),
              Route("/taxonomies", listing(lambda c: [(t, None) for t in c.taxonomies])),
              Route("/taxonomy_terms", listing(lambda c: [(t, None) for t in c.terms]))]
    routes += [Route(f"/{name}/{{id}}", record(name)) for name in ("services", "service_at_locations", "taxonomies", "taxonomy_terms")]
    # each address with a closing slash too, the static copy's own form (services/ is its folder): a client written
    # against the static copy got 404 here (the open data review)
    routes += [Route(r.path + "/", r.endpoint) for r in list(routes) if r.path != "/"]
    app = Starlette(routes=routes, exception_handlers={BadQuery: bad_query, HTTPException: http_error, Exception: server_error})
    # an address it does not have is a JSON 404 rather than starlette's redirect, whose address it takes from the Host
    # header (each address with its closing slash is a route of its own, above)
    app.router.redirect_slashes = False
    app.add_middleware(_Cors)
    return app


def app_from_env() -> Starlette:
    """For a production server: ``uvicorn --factory carehomes.oruk_server:app_from_env`` with the built
    site's folder in $CAREHOMES_SITE (default ``site``) and the public address in $CAREHOMES_ORUK_API_URL.
    A site that cannot be read, or an address that is not one, is one line naming the variable and exit status
    STARTUP_FAILURE: a traceback from each worker, started again and again by uvicorn's supervisor, said --site."""
    try:
        return create_app(Path(os.environ.get(ENV_SITE) or "site"), os.environ.get(ENV_API_URL, ""),
                          give_site=f"set {ENV_SITE} to", url_option=ENV_API_URL)
    except DataMissing as exc:
        print(exc, file=sys.stderr, flush=True)
        raise SystemExit(STARTUP_FAILURE) from None
