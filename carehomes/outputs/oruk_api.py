"""oruk/: the homes as a static Open Referral UK API (UK profile of HSDS 3.0), for ORUK tools.

ORUK tools read an API, not a file: from a base URL they read ``/`` (``version``, ``openapi_url``),
then ``/services``, ``/services/{id}``, ``/taxonomies``, ``/taxonomy_terms`` and
``/service_at_locations``. With the base URL ``<site>/oruk``, each path is a folder holding an
``index.html`` whose text is the JSON response:

- Every path but ``/service_at_locations/{id}`` (NOT_STATIC): HSDS 3.0 tags it optional (``/``,
  ``/services`` and ``/services/{id}`` are the required ones), and its record is the service at
  location with its service nested, all of which is in ``/services/{service_id}``; one file per record
  was half of a national site's API files (15,403 of 30,823, 114 MB). The list item names
  ``service_id``; the published description (``static_openapi``) leaves the path out and the root's
  ``note`` says where the record is. The queryable API (``serve-api``) answers it.

- A static host cannot answer ``/oruk/services`` from a ``.json`` file: GitHub Pages and
  ``python -m http.server`` map an extensionless path only to ``services.html`` (GitHub Pages) or
  to the folder ``services/`` with its ``index.html`` (both; the bare path is redirected with 301
  to the trailing slash, which HTTP clients follow). ``services/index.json`` is never served for
  ``/services/``, and a file ``services`` could not sit beside the folder ``services/`` that holds
  ``/services/{id}``. So ``<path>/index.html`` is the one name both kinds of host answer.
- The body is JSON; GitHub Pages labels it ``text/html`` (it picks the type from the extension and
  cannot be configured), the project's own server (``serve``) labels it ``application/json``.
- A static host ignores query strings, so ``page``, ``per_page`` and the filters cannot be honoured:
  every list is one page (``total_pages`` 1) holding all items, as the profile's paging allows. The
  root document says so (``note``) and names the queryable API (``serve-api``, see
  carehomes/oruk_server.py) when mkdocs.yml sets ``extra.directory.oruk_api_url``.
- The root's ``openapi_url`` is the corrected description published beside it (``oruk/openapi.json``,
  see outputs/oruk_openapi.py) when the site's address is known.

List items carry only one-to-one fields (and, for services, the organisation), as the profile's
``service_list`` and ``service_at_location_list`` schemas define; full records are at ``{id}``.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from ..fsutil import write_new
from ..jsontext import compact
from ..safetext import json_for_html
from ..schema import load_schema
from .oruk import TAXONOMY  # the one taxonomy this directory defines

VERSION = "HSDS-UK-3.0"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
PROFILE_URL = "https://github.com/openreferral/uk-profile"
NOT_STATIC = "/service_at_locations/{id}"  # optional in HSDS 3.0; the static copy does not answer it
# One-to-one fields of a service, in the profile's order (compiled/service_list.json), plus the organisation.
SERVICE_LIST_FIELDS = ("id", "organization_id", "name", "description", "url", "email", "status", "fees", "accreditations",
                       "minimum_age", "maximum_age", "assured_date", "assurer_email", "alert", "last_modified", "organization")


def paged(items: list[Any], page: int, per_page: int) -> dict:
    """One page of a list response, with the profile's paging fields (the static API and serve-api)."""
    total = len(items)
    pages = max(1, math.ceil(total / per_page))
    contents = items[(page - 1) * per_page: page * per_page]
    return {"total_items": total, "total_pages": pages, "page_number": page, "size": len(contents),
            "first_page": page == 1, "last_page": page >= pages, "empty": not contents, "contents": contents}


def page(items: list[dict]) -> dict:
    """A paginated list response holding every item on its one page."""
    return paged(items, 1, max(len(items), 1))


def _one_to_one(record: dict) -> dict:
    """A record without its arrays (its one-to-many parts)."""
    return {k: v for k, v in record.items() if not isinstance(v, list)}


def service_list_item(svc: dict) -> dict:
    """A service as the ``/services`` list shows it: one-to-one fields and the organisation."""
    return {k: svc[k] for k in SERVICE_LIST_FIELDS if k in svc}


def _service_at_locations(services: list[dict]) -> tuple[list[dict], list[dict]]:
    """(list items, full records) of every service at location."""
    items, full = [], []
    for svc in services:
        own = {k: v for k, v in svc.items() if k != "service_at_locations"}
        for sal in svc.get("service_at_locations", []):
            items.append(_sal_item(svc, sal))
            full.append({**sal, "service": own})
    return items, full


def _sal_item(svc: dict, sal: dict, listed: dict | None = None) -> dict:
    """A service at location as the ``/service_at_locations`` list shows it; ``listed``: its service's
    service_list_item when already made (the same object in both lists, so the same bytes)."""
    return {"id": sal["id"], "service_id": sal["service_id"], "location_id": sal["location_id"],
            "location": _one_to_one(sal.get("location", {})), "service": service_list_item(svc) if listed is None else listed}


def taxonomies_and_terms(services: list[dict]) -> tuple[list[dict], list[dict]]:
    """(taxonomies, taxonomy terms) used by the services' attributes, each once, in a stable order."""
    terms: dict[str, dict] = {}
    for svc in services:
        for attr in svc.get("attributes", []):
            term = attr.get("taxonomy_term")
            if term:
                terms.setdefault(term["id"], term)
    ordered = sorted(terms.values(), key=lambda t: (t["name"], t["id"]))
    taxonomy_ids = sorted({t["taxonomy_id"] for t in ordered if t.get("taxonomy_id")})
    return [taxonomy(tid, [t for t in ordered if t.get("taxonomy_id") == tid]) for tid in taxonomy_ids], ordered


def taxonomy(tid: str, terms: list[dict]) -> dict:
    """The taxonomy ``tid`` (this directory's), with its ``terms``."""
    return {"id": tid, "name": TAXONOMY,
            "description": "Care types, service user bands and NHS Quick Guide needs, as this directory's profiles record them.",
            "taxonomy_terms": terms}


_record_text = json.JSONEncoder(ensure_ascii=False).encode  # a service's line in data/oruk-services.json


def _json(doc: Any) -> bytes:
    # compact, so the C encoder writes the 15,000 files of a national site (indent would use the slow one).
    # A static host labels these index.html files text/html, so no provider text may read as markup.
    return (json_for_html(compact(doc)) + "\n").encode("utf-8")


def _html_safe(text: bytes) -> bytes:
    """json_for_html on JSON in UTF-8 (``<``, ``>`` and ``&`` are one byte each and in no other character's bytes)."""
    return text.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")


def _record_json(record: dict, text: bytes | None = None) -> bytes:
    """A record's file (``{endpoint}/{id}/index.html``): its JSON as data/oruk-services.json writes a service (one
    line, ``json.dumps(record, ensure_ascii=False)``), made safe for HTML. ``text``: that line already made (a
    service's, from the package: outputs.oruk.service_texts), so a national site's 15,403 records are not encoded
    again (0.6 s of CPU)."""
    return _html_safe(text if text is not None else _record_text(record).encode("utf-8")) + b"\n"


STATIC_NOTE = ("This is a static copy of the API: it cannot filter or page, and ignores every query parameter "
               "(page, per_page, search, taxonomy_term_id, postcode, ...). Each list is one page holding every record. "
               "It does not answer /service_at_locations/{id} (optional in HSDS 3.0): each full service at location is "
               "in its service's service_at_locations, at /services/{service_id} (service_id is in the "
               "/service_at_locations list).")
STATIC_DESCRIPTION = (" The static copy of this API (oruk/ on the directory's site) does not answer GET "
                      "/service_at_locations/{id}, optional in HSDS 3.0, so this description leaves it out: each full "
                      "service at location is in its service's service_at_locations, at /services/{service_id}.")


def static_openapi(doc: dict) -> dict:
    """The corrected description (outputs/oruk_openapi.py) as the static copy publishes it: without NOT_STATIC."""
    return {**doc, "info": {**doc["info"], "description": doc["info"]["description"] + STATIC_DESCRIPTION},
            "paths": {path: item for path, item in doc["paths"].items() if path != NOT_STATIC}}


def data_licence(sources: list[dict] | None = None) -> dict[str, Any]:
    """The records' licence and the attribution their sources ask for, as datapackage.json states them (its
    licenses and each source's 'Contains ...' sentence): the API's root says them too, because an aggregator
    that harvests the API never reads the open data page. The profile's root has no field for them; extra ones
    are allowed. ``sources``: the published datapackage.json's (which names a source of one owner's facts, the FSA,
    only when the data holds them: tables.package_descriptor); None: the schema's, every one."""
    pkg = load_schema().package
    licence = pkg["licenses"][0]
    return {"data_licence": {"name": licence["title"], "url": licence["path"]},
            "attribution": [{"source": s["title"], "url": s["path"], "text": d[d.index("Contains"):]}
                            for s in (pkg["sources"] if sources is None else sources)
                            if isinstance(s, dict) and isinstance(d := s.get("description", ""), str) and "Contains" in d
                            and isinstance(s.get("title"), str) and isinstance(s.get("path"), str)]}


def published_sources(package: bytes | None) -> list[dict] | None:
    """The sources a published datapackage.json (its bytes) names; None when not given or not readable."""
    try:
        found = json.loads(package)["sources"] if package else None
    except (ValueError, TypeError, KeyError, RecursionError):
        return None
    return found if isinstance(found, list) else None


def static_url(site_url: str) -> str:
    """The static API's address on a site at ``site_url``: SITE/oruk."""
    return site_url.rstrip("/") + "/oruk"


def root_document(site_url: str = "", api_url: str = "", sources: list[dict] | None = None) -> dict:
    """The static API's ``/``: its version, the description it follows, what it cannot do, and the licence."""
    doc: dict[str, Any] = {"version": VERSION, "profile": PROFILE_URL,
                           "openapi_url": static_url(site_url) + "/openapi.json" if site_url else OPENAPI_URL,
                           "note": STATIC_NOTE + (" To filter or page, use the queryable API at its address, queryable_api_url."
                                                  if api_url else " No queryable copy of this API is configured."),
                           **data_licence(sources)}
    if api_url:
        doc["queryable_api_url"] = api_url
    return doc


def static_openapi_text(site_url: str = "") -> bytes:
    """oruk/openapi.json: static_openapi of the corrected description, written as it is, with the static copy's address
    as its server when the site's is known (without one, OpenAPI takes the document's host alone, and a tool driven by
    the description called https://host/services, not the site's oruk/ under its path: the open data review)."""
    from .oruk_openapi import dumps, openapi_text

    doc = static_openapi(json.loads(openapi_text()))
    if site_url:
        doc = {**doc, "servers": [{"url": static_url(site_url), "description": "The static copy (no query parameters)"}]}
    return dumps(doc).encode("utf-8")


def _responses(services: list[dict]) -> list[tuple[str, list[dict], list[dict]]]:
    """(endpoint, list items, records answered at ``{id}``) of each list the static API publishes."""
    taxonomies, terms = taxonomies_and_terms(services)
    listed = [service_list_item(s) for s in services]  # each once, for both lists
    return [("services", listed, services),
            ("taxonomies", [_one_to_one(t) for t in taxonomies], taxonomies),
            ("taxonomy_terms", terms, terms),
            ("service_at_locations", [_sal_item(s, sal, item) for s, item in zip(services, listed, strict=True)
                                      for sal in s.get("service_at_locations", [])], [])]


def api_files(services: list[dict], site_url: str = "", api_url: str = "", sources: list[dict] | None = None) -> dict[str, bytes]:
    """Every response of the static API, keyed by file path under ``oruk/`` (see the module's notes),
    and its OpenAPI description (``openapi.json``, static_openapi_text); ``sources``: as root_document."""
    files = {"index.html": _json(root_document(site_url, api_url, sources)), "openapi.json": static_openapi_text(site_url)}
    for endpoint, items, records in _responses(services):
        files[f"{endpoint}/index.html"] = _json(page(items))
        for record in records:
            files[f"{endpoint}/{record['id']}/index.html"] = _record_json(record)
    return files


def write_api(services: list[dict], folder: Path, site_url: str = "", api_url: str = "",
              texts: list[bytes] | None = None, sources: list[dict] | None = None) -> int:
    """api_files written into ``folder`` (a new folder no one reads yet: made here, and its parents), each record's
    bytes made and written in one pass with one mkdir a record folder (nationally 15,000 of them): the same files.
    ``texts``: each service's JSON line as data/oruk-services.json holds it (outputs.oruk.service_texts), in the
    order of ``services``, written as they are. Returns the files written."""
    if texts is not None and len(texts) != len(services):
        raise ValueError(f"{len(texts)} service texts for {len(services)} services")
    folder.mkdir(parents=True, exist_ok=True)
    base = str(folder) + os.sep
    write_new(base + "index.html", _json(root_document(site_url, api_url, sources)))
    write_new(base + "openapi.json", static_openapi_text(site_url))
    written = 2
    for endpoint, items, records in _responses(services):
        top = base + endpoint + os.sep
        os.makedirs(top, exist_ok=True)
        write_new(top + "index.html", _json(page(items)))
        written += 1
        own = texts if texts is not None and endpoint == "services" else None
        for i, record in enumerate(records):
            where = top + record["id"]
            try:
                os.mkdir(where)
            except FileExistsError:  # two records of one id: the last one's file, as api_files keeps
                written -= 1
            write_new(where + os.sep + "index.html", _record_json(record, own[i] if own is not None else None))
            written += 1
    return written
