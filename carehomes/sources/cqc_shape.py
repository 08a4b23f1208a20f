"""The shape of a CQC API record, checked before any field of it is read.

Every field the importer reads from a location (``cqc_files.parse_api_location`` and
``cqc_api.extra_facts``) or a provider record is listed in ``LOCATION`` / ``PROVIDER`` with the JSON
type it must have; ``problems`` lists every field that has another (each as ``field 'a.b[2].c' is
a list, expected an object``), so a malformed answer is refused with a message, never a traceback.
null is "not known" wherever a field may be missing; an item of a list must be of the item's type; a
number may be written as text (the parser then reads it and names a value that is not a number).
Text may not hold control characters (other than tabs and line breaks) and location and provider
IDs must look like CQC's, so no outside text can start a new line or a workflow command in a log.
Fields not listed are not read, so they are not checked.
"""
from __future__ import annotations

import re
from typing import Any

ID = re.compile(r"[0-9A-Z][0-9A-Z-]{2,19}")  # CQC's IDs: 1-123456789 for social care, ODS codes for the NHS
MAX_TEXT = 10_000  # characters in one text field
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

TEXT, NUMBER, WHOLE = "text", "number", "whole number"
KEY_QUESTIONS = [{"name": TEXT, "rating": TEXT, "reportDate": TEXT, "status": TEXT, "organisationId": TEXT}]
Spec = Any  # a kind name, a dict (an object's fields) or a one-item list (a list of that)

LOCATION: dict[str, Spec] = {
    "locationId": TEXT, "providerId": TEXT, "careHome": TEXT, "name": TEXT, "alsoKnownAs": TEXT, "registrationStatus": TEXT,
    "registrationDate": TEXT, "deregistrationDate": TEXT, "registeredManagerAbsentDate": TEXT,
    "postalAddressLine1": TEXT, "postalAddressLine2": TEXT, "postalAddressTownCity": TEXT, "postalCode": TEXT,
    "localAuthority": TEXT, "mainPhoneNumber": TEXT, "website": TEXT, "dormancy": TEXT, "dormancyStartDate": TEXT,
    "onspdLatitude": NUMBER, "onspdLongitude": NUMBER, "numberOfBeds": WHOLE,
    "gacServiceTypes": [{"description": TEXT, "name": TEXT}],
    "specialisms": [{"name": TEXT}],
    "regulatedActivities": [{"name": TEXT, "contacts": [{"personRoles": [TEXT], "personTitle": TEXT, "personGivenName": TEXT,
                                                        "personFamilyName": TEXT}]}],
    "currentRatings": {"reportDate": TEXT, "overall": {"rating": TEXT, "reportDate": TEXT, "reportLinkId": TEXT,
                                                       "keyQuestionRatings": KEY_QUESTIONS}},
    "historicRatings": [{"reportDate": TEXT, "organisationId": TEXT, "overall": {"rating": TEXT, "keyQuestionRatings": KEY_QUESTIONS}}],
    "assessment": [{"assessmentPlanPublishedDateTime": TEXT,
                    "ratings": {"asgRatings": [{"status": TEXT, "rating": TEXT, "assessmentDate": TEXT,
                                                "keyQuestionRatings": KEY_QUESTIONS}]}}],
    "reports": [{"reportDate": TEXT}],
    "lastReport": {"publicationDate": TEXT},
    "lastInspection": {"date": TEXT},
}
PROVIDER: dict[str, Spec] = {"providerId": TEXT, "name": TEXT}


def describe(value: Any) -> str:
    """What kind of JSON value this is, in words ('a list', 'null')."""
    if isinstance(value, bool):
        return "true/false"
    return {list: "a list", dict: "an object", str: "a text", type(None): "null", int: "a number",
            float: "a number"}.get(type(value), "a value")


def _expected(spec: Spec) -> str:
    if isinstance(spec, dict):
        return "an object"
    if isinstance(spec, list):
        return "a list"
    return {TEXT: "a text", NUMBER: "a number", WHOLE: "a whole number 0 or more"}[spec]


def _fits(value: Any, spec: Spec) -> bool:
    if isinstance(spec, dict):
        return isinstance(value, dict)
    if isinstance(spec, list):
        return isinstance(value, list)
    if spec == TEXT:
        return isinstance(value, str)
    if isinstance(value, str):  # a number written as text is read (and its value checked) by the parser
        return True
    return isinstance(value, int | float) and not isinstance(value, bool)


def _walk(value: Any, spec: Spec, path: str, out: list[str]) -> None:
    if not _fits(value, spec):
        out.append(f"field '{path}' is {describe(value)}, expected {_expected(spec)}")
        return
    if isinstance(spec, dict):
        for key, sub in spec.items():
            if value.get(key) is not None:
                _walk(value[key], sub, f"{path}.{key}", out)
    elif isinstance(spec, list):
        for n, item in enumerate(value):
            _walk(item, spec[0], f"{path}[{n}]", out)
    elif spec == TEXT and len(value) > MAX_TEXT:
        out.append(f"field '{path}' is {len(value):,} characters long, more than {MAX_TEXT:,}")
    elif spec == TEXT and _CONTROL.search(value):
        out.append(f"field '{path}' holds a control character ({_CONTROL.search(value)[0]!r})")  # type: ignore[index]


def problems(doc: Any, spec: dict[str, Spec] = LOCATION) -> list[str]:
    """Every field of a record (``LOCATION`` or ``PROVIDER``) whose type is not the one it must have,
    and an ID that is not like CQC's; [] if the record can be read."""
    if not isinstance(doc, dict):
        return [f"is {describe(doc)}, not a CQC API record"]
    out: list[str] = []
    for key, sub in spec.items():
        if doc.get(key) is not None:
            _walk(doc[key], sub, key, out)
    for key in ("locationId", "providerId"):
        value = doc.get(key)
        if key in spec and isinstance(value, str) and not out_has(out, key) and not ID.fullmatch(value.strip()):
            out.append(f"field '{key}' is {show_id(value)}, not a CQC ID (like 1-123456789)")
    return out


def out_has(found: list[str], key: str) -> bool:
    return any(p.startswith(f"field '{key}' ") for p in found)


def show_id(value: str) -> str:
    """An ID from outside, quoted safely for a message: repr (control characters escaped), at most 40."""
    return repr(value[:40]) + ("…" if len(value) > 40 else "")
