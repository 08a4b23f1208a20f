"""The OpenAPI description this directory's ORUK APIs point to: the UK profile's, corrected.

The UK profile's ``openapi.json`` (uk-profile ecdfabf) describes ``GET /service_at_locations/{id}``
with the schema of a service (``compiled/service.json``), so a correct service_at_location fails it
(176 errors on this directory's records); and it types ``start_time`` and ``end_time`` as ``time``,
which is no JSON Schema type. ``corrected`` makes a copy that fixes both, states the bounds the query
API (``serve-api``, see ``carehomes/oruk_server.py``) enforces, offers ``modified_after`` (and
``postcode``/``proximity`` on ``/services``) and declares the 400 and 404 answers. The copy is kept in
``schema/openreferral-uk/openapi.json`` (served by ``serve-api`` at ``/openapi.json``, and published
as ``oruk/openapi.json`` without the one path the static copy does not answer: outputs/oruk_api.py); ``tests/test_oruk_server.py`` fails when it is not exactly
``corrected`` of the upstream file.
"""
from __future__ import annotations

import copy
import json
from typing import Any

from ..schema import ROOT

OPENAPI_FILE = ROOT / "schema" / "openreferral-uk" / "openapi.json"
UPSTREAM = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
MAX_SEARCH = 200      # characters of a search
MAX_ID = 100          # characters of a taxonomy (term) identifier
MAX_POSTCODE = 10     # characters of a postcode ("SW1A  1AA" with spaces)
# a postcode (HR1 2AB, HR12AB) or a postcode district (HR1): what the query API accepts, as written
POSTCODE_PATTERN = r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]?( ?[0-9][A-Za-z]{2})?$"
MAX_PROXIMITY = 1_000_000  # metres (1,000 km: the whole of Great Britain)
MAX_AGE = 150
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # HSDS schedule.byday codes
LISTS = ("/services", "/taxonomies", "/taxonomy_terms", "/service_at_locations")
ERROR = {"type": "object", "required": ["error"],
         "properties": {"error": {"type": "string", "description": "What was wrong with the request and how to put it right."}}}


def _bounds() -> dict[str, dict]:
    """Each query parameter's schema as the query API enforces it."""
    return {"page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "search": {"type": "string", "maxLength": MAX_SEARCH},
            "taxonomy_term_id": {"type": "string", "maxLength": MAX_ID},
            "taxonomy_id": {"type": "string", "maxLength": MAX_ID},
            "postcode": {"type": "string", "maxLength": MAX_POSTCODE, "pattern": POSTCODE_PATTERN},
            "proximity": {"type": "number", "minimum": 1, "maximum": MAX_PROXIMITY},
            "modified_after": {"type": "string", "format": "date-time"},
            "minimum_age": {"type": "number", "minimum": 0, "maximum": MAX_AGE},
            "maximum_age": {"type": "number", "minimum": 0, "maximum": MAX_AGE},
            "start_time": {"type": "string", "format": "time"},
            "end_time": {"type": "string", "format": "time"},
            "day": {"type": "string", "enum": list(DAYS)}}


def _error_response(text: str) -> dict:
    return {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def corrected(upstream: dict) -> dict:
    """The UK profile's OpenAPI description with the corrections this module's notes list."""
    doc = copy.deepcopy(upstream)
    doc["info"]["description"] = (upstream["info"].get("description", "") + ". Corrected copy published by the care home "
                                  "directory: GET /service_at_locations/{id} is described by compiled/service_at_location.json "
                                  "(upstream names compiled/service.json), start_time and end_time are strings of format time, "
                                  "query parameters carry the bounds the API enforces, 400 and 404 answers are declared, and "
                                  "the licence links to CC BY-SA 4.0, which it names.")
    # the profile's licence is CC BY-SA 4.0 (its name, and the tabular package's link), upstream's link is CC BY's
    if doc["info"].get("license", {}).get("url") == "https://creativecommons.org/licenses/by/4.0/":
        doc["info"]["license"]["url"] = "https://creativecommons.org/licenses/by-sa/4.0/"
    params = doc["components"]["parameters"]
    for name, schema in _bounds().items():
        params[name]["schema"] = schema
    params["proximity"]["description"] = ("Return services within this many metres of the centroid of the given postcode "
                                          "(needs postcode).")
    doc["components"]["schemas"]["Error"] = ERROR
    paths = doc["paths"]
    paths["/service_at_locations/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": UPSTREAM + "compiled/service_at_location.json"}
    extra = {"/services": ["modified_after", "postcode", "proximity"], "/service_at_locations": ["modified_after"]}
    for path, item in paths.items():
        get = item["get"]
        if path in LISTS:
            get["parameters"] = get.get("parameters", []) + [{"$ref": f"#/components/parameters/{n}"} for n in extra.get(path, [])]
            get["responses"]["400"] = _error_response("A query parameter is not valid (out of its bounds, of the wrong type, "
                                                      "unknown, given twice, or an unknown postcode).")
        elif path != "/":
            get["responses"]["404"] = _error_response("No record has this id.")
    return doc


def openapi_text() -> bytes:
    """The corrected description as published (schema/openreferral-uk/openapi.json)."""
    return OPENAPI_FILE.read_bytes()


def dumps(doc: Any) -> str:
    """How the corrected description is written: indented, so a diff shows each change."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
