"""A local stand-in for the CQC public API, serving the real saved Oldham responses.

It answers at the API's own paths (``/locations`` with paging and filters, ``/locations/{id}``,
``/providers/{id}``, ``/changes/location``) on 127.0.0.1, and can be told to change a rating,
add or deregister a location, or misbehave (429 with Retry-After, 500, hang, malformed JSON, a redirect,
a byte a second, an answer over any size limit, deeply nested JSON, any body). Every request is logged
with its headers, so tests can count what a sync asked for and see which headers reached the stub.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

import loopback
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from carehomes.devtools import shared_folder

OLDHAM = shared_folder() / "data" / "cqc" / "oldham-api-json-2025"  # $CAREHOMES_SHARED, else ../shared
KEY = "stub-key"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _ts(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


@dataclass
class Fault:
    """Misbehaviour for requests whose path matches ``pattern`` (a regex), ``times`` times (-1: always)."""

    pattern: str
    kind: str  # "429", "500", "404", "hang", "malformed", "redirect", "drip", "huge", "deep", "body"
    times: int = 1
    retry_after: str = "1"
    hang_seconds: float = 30.0
    drip_seconds: float = 1.0  # drip: the pause between two bytes
    location: str = ""  # redirect: where to
    body: bytes = b""  # body: the bytes to answer with (status 200)


class CQCStub(loopback.Stub):
    """The stub API. ``with CQCStub() as stub:`` starts it; ``stub.base`` is its address."""

    def __init__(self, data: Path = OLDHAM, key: str = KEY) -> None:
        self.key = key
        self.details: dict[str, dict] = {}
        for f in sorted((data / "location_details").glob("*.json")):
            doc = json.loads(f.read_text(encoding="utf-8"))
            self.details[doc["locationId"]] = doc
        self.providers: dict[str, dict] = {}
        for f in sorted((data / "provider_details").glob("*.json")):
            doc = json.loads(f.read_text(encoding="utf-8"))
            self.providers[doc["providerId"]] = doc
        self.order = [i["locationId"] for i in json.loads((data / "locations.json").read_text())["locations"]]
        self.changes: list[tuple[dt.datetime, str]] = []
        self.faults: list[Fault] = []
        self.log: list[str] = []
        self.last_asked = dt.datetime.min.replace(tzinfo=dt.UTC)  # the second of the latest request
        self.headers: list[dict[str, str]] = []  # the headers of each request, in order
        self.lock = threading.Lock()
        self.max_per_page = 1000  # the API's own cap; lower it to test paging

    # --- control ---------------------------------------------------------------------------

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/public/v1"

    def changed(self, location_id: str) -> None:
        """Record a change now, as CQC's change feed would, in a later second than any request so far: a sync
        names its window's end (a whole second) before it asks, so the change falls in the next window only."""
        while _now() <= self.last_asked:
            time.sleep(0.02)
        with self.lock:
            self.changes.append((_now(), location_id))

    def set_rating(self, location_id: str, rating: str, published: str) -> None:
        """Publish a new overall rating; the old one moves into the history, as CQC does."""
        doc = self.details[location_id]
        old = doc.get("currentRatings")
        if old and old.get("overall"):
            doc.setdefault("historicRatings", []).insert(
                0, {"overall": {"rating": old["overall"]["rating"]}, "reportDate": old["overall"].get("reportDate"),
                    "reportLinkId": old["overall"].get("reportLinkId")})
        doc["currentRatings"] = {"overall": {"rating": rating, "reportDate": published, "reportLinkId": "stub-report",
                                             "keyQuestionRatings": [{"name": q, "rating": rating, "reportDate": published}
                                                                    for q in ("Safe", "Effective", "Caring", "Responsive", "Well-led")]},
                                 "reportDate": published}
        doc["lastReport"] = {"publicationDate": published}
        self.changed(location_id)

    def deregister(self, location_id: str, on: str) -> None:
        doc = self.details[location_id]
        doc["registrationStatus"] = "Deregistered"
        doc["deregistrationDate"] = on
        self.changed(location_id)

    def add_location(self, like: str, location_id: str, name: str) -> dict:
        """A new care home registered in the area, copied from an existing one with a new ID and name."""
        doc = copy.deepcopy(self.details[like])
        doc.update(locationId=location_id, name=name, registrationDate=_now().date().isoformat())
        for key in ("currentRatings", "historicRatings", "reports", "lastInspection", "lastReport", "assessment"):
            doc.pop(key, None)
        self.details[location_id] = doc
        self.order.append(location_id)
        self.changed(location_id)
        return doc

    def fail(self, pattern: str, kind: str, times: int = 1, **kw: Any) -> None:
        self.faults.append(Fault(pattern, kind, times, **kw))

    def count(self, pattern: str = "") -> int:
        return sum(1 for p in self.log if re.search(pattern, p))

    # --- serving ---------------------------------------------------------------------------

    def _fault(self, path: str) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.times != 0 and re.search(f.pattern, path):
                    f.times -= 1 if f.times > 0 else 0
                    return f
        return None

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        with self.lock:
            self.log.append(h.path)
            self.last_asked = _now()
            self.headers.append(dict(h.headers.items()))
        fault = self._fault(h.path)
        if fault and fault.kind == "redirect":
            return self._send(h, 302, b"", {"Location": fault.location})
        if h.headers.get("Ocp-Apim-Subscription-Key") != self.key:
            return self._send(h, 401, {"statusCode": 401, "message": "Access denied due to missing subscription key."})
        if fault and fault.kind in ("drip", "huge"):
            return self._stream(h, fault)
        if fault and fault.kind == "deep":
            return self._send(h, 200, b"[" * 200_000 + b"]" * 200_000)
        if fault and fault.kind == "body":
            return self._send(h, 200, fault.body)
        if fault and fault.kind == "429":
            return self._send(h, 429, {"statusCode": 429, "message": "Rate limit is exceeded."},
                              {"Retry-After": fault.retry_after})
        if fault and fault.kind == "404":
            return self._send(h, 404, {"statusCode": 404, "message": "Resource not found"})
        if fault and fault.kind == "500":
            return self._send(h, 500, {"statusCode": 500, "message": "Internal server error"})
        if fault and fault.kind == "hang":
            time.sleep(fault.hang_seconds)
            return
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        path = url.path.removeprefix("/public/v1")
        status, body = self.route(path, q)
        if fault and fault.kind == "malformed":
            raw = json.dumps(body).encode()[: max(10, len(json.dumps(body)) // 2)]
            return self._send(h, 200, raw)
        self._send(h, status, body)

    def _has_type(self, location_id: str, service_type: str) -> bool:
        """The list filter gacServiceTypeDescription: the location has this service type (by CQC's name for it)."""
        types = self.details.get(location_id, {}).get("gacServiceTypes")
        if not isinstance(types, list):  # a fuzzed record's value: no type the stub can filter on
            return False
        return any(service_type.lower() in (str(s.get("name", "")).lower(), str(s.get("description", "")).lower())
                   for s in types if isinstance(s, dict))

    def route(self, path: str, q: dict[str, str]) -> tuple[int, Any]:
        page, per = int(q.get("page", 1)), min(int(q.get("perPage", 500)), self.max_per_page)
        if path == "/locations":
            la = q.get("localAuthority", "").lower()
            ids = [i for i in self.order
                   if (not la or str(self.details.get(i, {}).get("localAuthority", "")).lower() == la)
                   and (q.get("careHome") != "Y" or self.details.get(i, {}).get("careHome") == "Y")
                   and ("gacServiceTypeDescription" not in q or self._has_type(i, q["gacServiceTypeDescription"]))]
            return 200, self._page("locations", [{"locationId": i, "locationName": self.details[i].get("name"),
                                                  "postalCode": self.details[i].get("postalCode")} for i in ids],
                                   page, per, "/locations", q)
        if path == "/changes/location":
            start, end = _ts(q.get("startTimestamp", "")), _ts(q.get("endTimestamp", ""))
            if not start or not end:
                return 400, {"statusCode": 400, "message": "startTimestamp and endTimestamp are required"}
            with self.lock:
                ids = list(dict.fromkeys(i for t, i in self.changes if start <= t <= end))
            return 200, self._page("changes", ids, page, per, "/changes/location", q)
        m = re.fullmatch(r"/locations/([^/]+)", path)
        if m:
            doc = self.details.get(m[1])
            return (200, doc) if doc else (404, {"statusCode": 404, "message": f"Location {m[1]} not found"})
        m = re.fullmatch(r"/providers/([^/]+)", path)
        if m:
            doc = self.providers.get(m[1])
            return (200, doc) if doc else (404, {"statusCode": 404, "message": f"Provider {m[1]} not found"})
        return 404, {"statusCode": 404, "message": "Resource not found"}

    @staticmethod
    def _page(key: str, items: list, page: int, per: int, path: str, q: dict[str, str]) -> dict:
        pages = max(1, -(-len(items) // per))
        rest = "&".join(f"{k}={v}" for k, v in q.items() if k not in ("page", "perPage"))

        def uri(n: int) -> str:
            return f"{path}?page={n}&perPage={per}" + (f"&{rest}" if rest else "")
        return {"total": len(items), "firstPageUri": uri(1), "page": page,
                "previousPageUri": uri(page - 1) if page > 1 else None, "lastPageUri": uri(pages),
                "nextPageUri": uri(page + 1) if page < pages else None, "perPage": per, "totalPages": pages,
                key: items[(page - 1) * per: page * per]}

    @staticmethod
    def _stream(h: BaseHTTPRequestHandler, fault: Fault) -> None:
        """drip: a valid start of JSON, then a space every ``drip_seconds``; huge: 1 GB of JSON text as fast as it goes
        (no Content-Length, so only counting the bytes read can stop it). Ends when the client hangs up."""
        try:
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(b'{"locations": [')
            block = b'"x", ' * 13_000
            end = time.monotonic() + fault.hang_seconds
            sent = 0
            while time.monotonic() < end and sent < 2**30:
                if fault.kind == "drip":
                    h.wfile.write(b" ")
                    h.wfile.flush()
                    time.sleep(fault.drip_seconds)
                else:
                    h.wfile.write(block)
                    sent += len(block)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(raw)))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass
