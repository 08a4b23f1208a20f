"""Checks of profiles against outside open data: live postcodes (OS Code-Point Open) and
NHS trust codes (NHS ODS). Called once for all profiles by ``pipeline.check_paths``."""
from __future__ import annotations

import datetime as dt
import math

from .load import Profile
from .problems import Problem
from .schema import Schema
from .sources import nhs_ods, postcodes
from .validate import check_profile, postcode_problem

MAX_KM_FROM_POSTCODE = 1.0


def check_external(profiles: list[Profile], live_postcodes: bool = True) -> list[Problem]:
    """Every problem the outside data shows in these profiles. The trust list is kept in schema/,
    so trusts are always checked; postcodes only when asked (the check command), because
    Code-Point Open is a large outside file and postcodes end over time, which should not stop
    a build."""
    return (check_postcodes(profiles) if live_postcodes else []) + check_trusts(profiles)


def check_one(profile: Profile, schema: Schema | None = None, on: dt.date | None = None) -> list[Problem]:
    """All that check says of one profile edited on its own (vacancies, a form update): its fields and
    rules, and its trust codes; not postcodes, which come from CQC and which nobody edits here."""
    return check_profile(profile, schema, on=on) + check_trusts([profile])


def _address(p: Profile) -> dict:
    address = p.data.get("address")
    return address if isinstance(address, dict) else {}


# The address comes from the CQC register, which nobody may edit here, and postcodes end over time:
# a postcode Code-Point Open no longer lists is reported to stewards, but does not stop a build or a
# pull request (the weekly CQC sync would otherwise be blocked by the regulator's own data).
POSTCODE_SEVERITY = "warning"


def check_postcodes(profiles: list[Profile]) -> list[Problem]:
    """A postcode that is not live in Code-Point Open (where its area's data is present), and
    coordinates more than MAX_KM_FROM_POSTCODE from the postcode's position; nothing for a postcode not written as one
    (the profile's check names it, and what to write)."""
    wanted = {p.path: pc for p in profiles if isinstance(pc := _address(p).get("postcode"), str)
              and postcodes.area_of(pc) and postcode_problem(pc) is None}  # one not of a postcode's form is check's error alone
    try:
        found = postcodes.lookup(wanted.values())
    except postcodes.DamagedFile as exc:  # nothing to say of any postcode, and the file to mend
        return [Problem(str(exc.path), 0, "", f"{exc.problem}; no postcode was checked", severity=POSTCODE_SEVERITY)]
    out = []
    for p in profiles:
        pc = wanted.get(p.path)
        key = postcodes.postcode_key(pc) if pc else None
        if key is None or key not in found:
            continue  # no postcode, or no data for its area: nothing to say
        place = found[key]
        if place is None:
            out.append(Problem(p.path, p.line("address.postcode"), "address.postcode",
                               f"'{pc}' is not a live postcode; check it on the home's letters", severity=POSTCODE_SEVERITY))
            continue
        lat, lon = _address(p).get("latitude"), _address(p).get("longitude")
        if not place.has_position or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                                             for v in (lat, lon)):
            continue  # none given, or not a number the schema check already reports (.inf): no distance to work out
        assert place.lat is not None and place.lon is not None
        km = postcodes.distance_km(float(lat), float(lon), place.lat, place.lon)  # type: ignore[arg-type]
        if km > MAX_KM_FROM_POSTCODE:
            out.append(Problem(p.path, p.line("address.latitude"), "address.latitude",
                               f"{lat}, {lon} is {km:.1f} km from postcode {pc} ({place.lat}, {place.lon}); "
                               "correct the coordinates or the postcode", severity=POSTCODE_SEVERITY))
    return out


def check_trusts(profiles: list[Profile]) -> list[Problem]:
    """Acute trusts must be NHS organisation codes of trusts that are open."""
    out = []
    for p in profiles:
        care = p.data.get("care")
        trusts = care.get("acute_trusts") if isinstance(care, dict) else None
        if not isinstance(trusts, list):
            continue
        for i, code in enumerate(trusts, 1):
            if isinstance(code, str):
                problem = nhs_ods.code_problem(code)
                if problem:
                    out.append(Problem(p.path, p.line("care.acute_trusts"), "care.acute_trusts", f"item {i} {problem}"))
    return out
