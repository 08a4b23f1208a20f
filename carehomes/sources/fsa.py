"""Food hygiene ratings from the Food Standards Agency's FHRS open-data XML files.

``read_fhrs`` streams one FHRS XML file (one local authority) into ``Establishment`` records;
``match_homes`` decides, for each care home, which establishment is its kitchen: a steward's
pinned ``food_hygiene.fhrs_id`` always wins, otherwise the home's postcode, then its name, must
point at exactly one "Hospitals/Childcare/Caring Premises" establishment. Anything less certain
is reported as ambiguous or unmatched and never written. ``import_fsa`` applies the matches to
profiles with ruamel round-trip, so comments and key order stay as they were.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
import xml.parsers.expat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..apply import ALLOW_OLDER, DatedFact, rollbacks
from ..fsutil import ctrl_c_after
from ..kinds import kinds_of
from ..load import display_path, profile_files, yaml_mapping
from ..records import get_path
from ..safetext import plain
from ..schema import Schema, load_schema
from ..validate import errors_added, today as england_today
from ..yamlio import plain_value, rt_delete, rt_dump, rt_load, rt_set, write_texts_atomic

CARING_PREMISES = "Hospitals/Childcare/Caring Premises"
CARING_PREMISES_ID = "5"
# RatingValue as the FHRS files spell it (compared without spaces or case: the FSA's API writes
# "Awaiting Inspection") -> the profile's value. The schema has no values for Scotland's FHIS results
# (Pass, Improvement Required), so they are refused rather than guessed at.
RATINGS = {"0": "0", "1": "1", "2": "2", "3": "3", "4": "4", "5": "5",
           "awaitinginspection": "Awaiting inspection", "exempt": "Exempt"}
AWAITING_PUBLICATION = "awaitingpublication"  # rated, but the rating is not public yet: the profile is left as it is
SCOTTISH = {"pass", "improvementrequired", "passandeatsafe"}
RATING_WORDS = "0 to 5, AwaitingInspection, AwaitingPublication or Exempt"
MAX_FILE_BYTES = 64 * 1024 * 1024  # the largest council's file is about 20 MB (fsa_fetch downloads no more)
NAME_MATCH = 0.85   # normalised names at least this similar are the same home
NAME_MARGIN = 0.1   # ... and the runner-up must be this much less similar
CONTAINED = 0.9     # score when every word of one name is in the other
PREMISES_PENALTY = 0.1  # a name found only in the address counts for less than the business name
BUSINESS_URL = "https://ratings.food.gov.uk/business/{fhrs_id}"
FIELDS = ("food_hygiene.rating", "food_hygiene.date", "food_hygiene.fhrs_id")  # what apply_match writes: each the FSA's in the schema
_WANTED = {"FHRSID", "BusinessName", "BusinessType", "BusinessTypeID", "AddressLine1", "AddressLine2",
           "AddressLine3", "AddressLine4", "PostCode", "RatingValue", "RatingDate", "ExtractDate", "LocalAuthorityCode",
           "LocalAuthorityName"}
_STOP_WORDS = {"the", "ltd", "limited", "plc", "llp", "and"}
_STOP_PHRASES = ("care home with nursing", "residential care home", "care home", "nursing home",
                 "residential home", "rest home", "care centre", "kitchen")


class FsaError(Exception):
    """A file that cannot be read as FHRS open data, with what to do about it."""


@dataclass(frozen=True)
class Establishment:
    """One food business as an FHRS file describes it."""

    fhrs_id: int
    name: str
    business_type: str
    business_type_id: str
    address: str
    premises: str             # AddressLine1: often the home's name when the business is its operator
    postcode: str | None
    rating: str | None        # "0".."5", "Awaiting inspection", "Exempt"; None for anything else
    rating_date: dt.date | None
    rating_value: str = ""    # RatingValue and RatingDate as the file gives them, for messages
    rating_date_text: str = ""
    source: str = ""          # the file it came from, as given on the command line
    lines: tuple[str, ...] = ()  # AddressLine1 to AddressLine4 as the file gives them (a street is in any of them)
    authority: tuple[str, str] = ("", "")  # LocalAuthorityCode and LocalAuthorityName: whose file it came in

    @property
    def caring(self) -> bool:
        return self.business_type_id == CARING_PREMISES_ID or self.business_type == CARING_PREMISES

    @property
    def url(self) -> str:
        return BUSINESS_URL.format(fhrs_id=self.fhrs_id)


@dataclass
class FhrsFile:
    path: Path
    extract_date: dt.date | None
    establishments: list[Establishment]
    left_out: int = 0  # records whose FHRSID is not a number (_fhrs_id): not read, and said so

    def other_councils(self, codes: list[int]) -> list[str]:
        """The councils whose establishments this file holds that are not among ``codes`` (the site's
        fsa_authorities), each as "Herefordshire (895)"; empty when ``codes`` is."""
        wanted = {str(c) for c in codes}
        found = {e.authority for e in self.establishments
                 if e.authority[0] and e.authority[0].strip().lstrip("0") not in wanted}  # "0895" is 895
        return [f"{plain(name, 60) if name else 'a council'} ({plain(code, 12)})" for code, name in sorted(found)] if codes else []


def postcode_key(text: Any) -> str | None:
    """A postcode with spaces removed and in capitals, for comparing ("HR4 9ER" -> "HR49ER")."""
    if not isinstance(text, str):
        return None
    key = re.sub(r"\s+", "", text).upper()
    return key or None


def _iso_date(text: str | None) -> dt.date | None:
    """A date written YYYY-MM-DD (a real time of day after it, 'T00:00:00' or 'T10:30:00.000Z', is allowed), else
    None: a time that is no time ('T99:99') makes the whole value unreadable, not a date."""
    s = (text or "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(T[0-9:.]+Z?)?", s):
        return None
    try:
        day = dt.date.fromisoformat(s[:10])
        if len(s) > 10:
            dt.time.fromisoformat(s[11:].removesuffix("Z"))
        return day
    except ValueError:
        return None


def rating_key(value: str) -> str:
    """A RatingValue compared without spaces or case ("Awaiting Inspection" -> "awaitinginspection")."""
    return re.sub(r"\s+", "", value).lower()


def fact_problems(est: Establishment, on: dt.date) -> list[str]:
    """What is wrong with an establishment's rating and date, before they are written to a home."""
    out = []
    key = rating_key(est.rating_value)
    if key in SCOTTISH:
        out.append(f"RatingValue '{plain(est.rating_value, 40)}' is a Scottish FHIS result, which this directory has no value for "
                   f"(it publishes the FHRS ratings {RATING_WORDS})")
    elif key not in RATINGS and key != AWAITING_PUBLICATION:
        out.append(f"RatingValue '{plain(est.rating_value, 40)}' is not a food hygiene rating ({RATING_WORDS})" if est.rating_value
                   else "RatingValue is empty")
    if est.rating_date_text and est.rating_date is None:
        out.append(f"RatingDate '{plain(est.rating_date_text, 40)}' is not a real date written YYYY-MM-DD")
    elif est.rating_date is not None and est.rating_date > on:
        out.append(f"RatingDate '{plain(est.rating_date_text, 40)}' is in the future (today is {on.isoformat()})")
    elif est.rating_date is None and est.rating in ("0", "1", "2", "3", "4", "5"):
        out.append(f"RatingValue '{plain(est.rating_value, 40)}' has no RatingDate; a rating needs the date of the inspection")
    return out


def _records(path: Path) -> Iterator[dict[str, str]]:
    """Stream the flat fields of each EstablishmentDetail (and the header's ExtractDate).

    Uses expat directly so the file is never held whole, and refuses DTDs and entities
    (an untrusted file cannot expand entities or reach other files).
    """
    parser = xml.parsers.expat.ParserCreate()
    done: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    header: dict[str, str] = {}
    stack: list[str] = []
    text: list[str] = []

    def refuse(*_: Any) -> None:
        raise FsaError("the file declares a DTD or entities, which FHRS files never do; download it again from the FSA")

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal current
        if not stack:
            roots.add(name)
        stack.append(name)
        text.clear()
        if name == "EstablishmentDetail":
            current = {}

    def end(name: str) -> None:
        nonlocal current
        stack.pop()
        value = "".join(text).strip()
        text.clear()
        if name == "EstablishmentDetail" and current is not None:
            done.append(current)
            current = None
        elif name in _WANTED and value:
            held = current if current is not None else header
            if held.get(name, value) != value:  # which of the two the FSA meant is not known
                raise FsaError(f"line {parser.CurrentLineNumber}: an establishment gives {name} twice "
                               f"('{plain(held[name], 40)}' and '{plain(value, 40)}'), which FHRS files never do; this "
                               "file is damaged: download it again from the FSA")
            held[name] = value

    roots: set[str] = set()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    size = 0
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(1 << 16)
            size += len(chunk)
            if size > MAX_FILE_BYTES:  # one endless text or tag would be held whole
                raise FsaError(f"is larger than {MAX_FILE_BYTES // 1024 ** 2} MB, which no council's FHRS file is (the "
                               "largest is about 20 MB); give one council's file, e.g. FHRS895en-GB.xml")
            try:
                parser.Parse(chunk, not chunk)
            except xml.parsers.expat.ExpatError as exc:
                raise FsaError(f"line {exc.lineno}: {xml.parsers.expat.errors.messages[exc.code]}; this is not an FHRS "
                               "XML file, or it is damaged: download it again from the FSA") from None
            except (ValueError, LookupError) as exc:  # an encoding expat cannot read ("multi-byte", "unknown encoding")
                raise FsaError(f"its XML declaration names an encoding the FSA's files never use ({exc}); this is not an "
                               "FHRS XML file, or it is damaged: download it again from the FSA") from None
            if header:
                yield {"__header__": "1", **header}
                header = {}
            yield from done
            done.clear()
            if not chunk:
                break
    if roots and roots != {"FHRSEstablishment"}:
        raise FsaError(f"is not an FHRS open-data file (its root element is {min(roots)}, not FHRSEstablishment)")


def _fhrs_id(text: str) -> int | None:
    """An FHRSID as a number: ASCII digits alone (int() would also take "488_493", "+5" or other scripts' digits,
    none of which the FSA writes), at most 12 of them; None for any other text (the record is left out)."""
    text = text.strip()
    return int(text) if 0 < len(text) <= 12 and text.isascii() and text.isdigit() else None


def read_fhrs(path: Path) -> FhrsFile:
    """Read one FHRS open-data XML file. Raises FsaError with a plain message if it cannot."""
    if not path.exists():
        raise FsaError("no such file; give the path of an FHRS XML file such as FHRS895en-GB.xml")
    if not path.is_file():  # a device or pipe could be endless, or never answer
        raise FsaError("is not a regular file (a device, pipe or folder); give the path of an FHRS XML file such as "
                       "FHRS895en-GB.xml")
    extract: dt.date | None = None
    out: list[Establishment] = []
    seen_root = False
    left_out = 0
    for rec in _records(path):
        if "__header__" in rec:
            extract = _iso_date(rec.get("ExtractDate")) or extract
            seen_root = True
            continue
        seen_root = True
        fhrs_id = _fhrs_id(rec.get("FHRSID", ""))
        if fhrs_id is None:
            left_out += 1
            continue
        address = ", ".join(rec[k] for k in ("AddressLine1", "AddressLine2", "AddressLine3", "AddressLine4") if rec.get(k))
        out.append(Establishment(
            fhrs_id=fhrs_id, name=rec.get("BusinessName", ""), business_type=rec.get("BusinessType", ""),
            business_type_id=rec.get("BusinessTypeID", ""), address=address,
            premises=rec.get("AddressLine1", ""), postcode=postcode_key(rec.get("PostCode")),
            rating=RATINGS.get(rating_key(rec.get("RatingValue", ""))), rating_date=_iso_date(rec.get("RatingDate")),
            rating_value=rec.get("RatingValue", ""),
            rating_date_text=rec.get("RatingDate", ""), source=str(path),
            lines=tuple(rec[k] for k in ("AddressLine1", "AddressLine2", "AddressLine3", "AddressLine4") if rec.get(k)),
            authority=(rec.get("LocalAuthorityCode", ""), rec.get("LocalAuthorityName", ""))))
    if not seen_root:
        raise FsaError("has no FHRS establishments (no FHRSEstablishment header or EstablishmentDetail records)")
    if not out and left_out:  # a damaged file would otherwise import as a success that changed nothing
        raise FsaError(f"none of its {left_out:,} establishment record{'s' * (left_out != 1)} can be read: "
                       f"{'their' if left_out != 1 else 'its'} FHRSID is not a number; download the file again from the FSA")
    return FhrsFile(path, extract, out, left_out)


def normalise_name(name: str) -> str:
    """A business name reduced for comparing: no accents, case, punctuation, 'Ltd', 'The',
    'Care Home' or 'Nursing Home' ("The Elms Care Home Ltd." -> "elms")."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"^.*\bt/a\b", " ", text)  # "July VII Limited t/a Wykenhurst" trades as Wykenhurst
    text = text.replace("&", " and ").replace("'", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    for phrase in _STOP_PHRASES:
        text = re.sub(rf"\b{phrase}\b", " ", text)
    words = [w for w in text.split() if w not in _STOP_WORDS]
    return " ".join(words)


def name_similarity(a: str, b: str) -> float:
    """How alike two business names are, 0 to 1, after normalising both.

    Names of two or more words that all appear in the other name ("Woodpecker Lodge" and
    "Woodpecker Lodge - Craegmoor") score at least CONTAINED.
    """
    na, nb = normalise_name(a), normalise_name(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    ratio = difflib.SequenceMatcher(None, na, nb).ratio()
    wa, wb = set(na.split()), set(nb.split())
    contained = min(len(wa), len(wb)) >= 2 and (wa <= wb or wb <= wa)
    return max(ratio, CONTAINED) if contained else ratio


def postcode_sector(key: str | None) -> str | None:
    """The sector of a normalised postcode ("HR74DF" -> "HR74"): all but its last two letters."""
    return key[:-2] if key and len(key) >= 5 else None


@dataclass
class Home:
    """What matching needs to know about one profile."""

    path: Path
    name: str
    postcode: str | None
    fhrs_id: int | None
    pinned: bool
    rating: Any = None               # the food hygiene rating the profile holds, and its date
    rating_date: dt.date | None = None
    street: str | None = None        # address.street, as the profile gives it


@dataclass
class Match:
    home: Home
    kind: str                         # matched, pinned, ambiguous, none
    establishment: Establishment | None = None
    candidates: list[Establishment] = field(default_factory=list)
    reason: str = ""


def street_key(text: Any) -> str | None:
    """A street address reduced for comparing ("4-10 Lyndhurst Road" -> "4 10 lyndhurst road"): no accents, case or
    punctuation; None unless it holds a house number (at one postcode a street's name alone is every address's)."""
    if not isinstance(text, str):
        return None
    key = " ".join(re.sub(r"[^a-z0-9]+", " ", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
                          .lower().replace("&", " and ")).split())
    return key if any(c.isdigit() for c in key) else None


def same_street(home: Home, among: list[Establishment]) -> list[Establishment]:
    """The establishments among ``among`` one of whose address lines is the home's street address, house number and
    all (street_key): the home's kitchen when it is the only caring premises there, whatever its business name (a
    care home run as "Residential Home", or by a trust: "Brighton Housing Trust" at 9 Portland Road)."""
    street = street_key(home.street)
    return [e for e in among if street and street in {street_key(line) for line in e.lines}] if street else []


def likeness(home: Home, est: Establishment) -> float:
    """How alike the home's name is to the business's name or, when the business is the operator
    ("Priory Care Homes Ltd" at "Charles Court Care Home, ..."), to its first address line."""
    by_address = name_similarity(home.name, est.premises) - PREMISES_PENALTY if est.premises else 0.0
    return max(name_similarity(home.name, est.name), by_address)


def _best(home: Home, among: list[Establishment]) -> tuple[Establishment | None, list[Establishment], int]:
    """The one establishment whose name clearly is the home's, the candidates by likeness, and
    how many names are alike enough."""
    scored = sorted(((likeness(home, e), e) for e in among), key=lambda t: (-t[0], t[1].fhrs_id))
    best_score, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    close = sum(s >= NAME_MATCH for s, _ in scored)
    clear = best_score >= NAME_MATCH - 1e-9 and best_score - runner_up >= NAME_MARGIN - 1e-9
    return (best if clear else None), [e for _, e in scored], close


STREET_MATCH = "postcode and street address"  # a match whose names differ: listed in the summary, for a steward to look at


def match_home(home: Home, by_id: dict[int, Establishment], by_postcode: dict[str, list[Establishment]],
               by_sector: dict[str, list[Establishment]]) -> Match:
    """Which establishment is this home's kitchen, if the data says so without guessing.

    A pinned FHRS ID wins. Otherwise the caring premises at the home's postcode are compared by
    name; if there are none there, those in the same postcode sector are, and a name must match
    clearly (score NAME_MATCH or more, NAME_MARGIN ahead of any other). At the home's postcode, when no
    name matches, the one caring premises whose address is the home's street address, house number and
    all, is the home's (same_street).
    """
    if home.pinned and home.fhrs_id is not None:
        est = by_id.get(home.fhrs_id)
        if est is None:
            return Match(home, "none", reason=f"pinned FHRS ID {home.fhrs_id} is not in the files read")
        return Match(home, "pinned", est)
    if not home.postcode:
        return Match(home, "none", reason="the profile has no postcode")
    here = [e for e in by_postcode.get(home.postcode, []) if e.caring]
    if here:
        best, ranked, close = _best(home, here)
        if best:
            return Match(home, "matched", best, reason="postcode and name")
        at_street = same_street(home, here)
        if len(at_street) == 1 and (close == 0 or (close == 1 and ranked[0] is at_street[0])):  # else names say otherwise
            if home.fhrs_id is None or home.fhrs_id == at_street[0].fhrs_id:
                return Match(home, "matched", at_street[0], reason=STREET_MATCH)
            return Match(home, "ambiguous", candidates=at_street, reason=(  # never another kitchen by an address alone
                f"the profile holds FHRS ID {home.fhrs_id}, and the caring premises at its street address is another; "
                "pin the one that is its kitchen"))
        reason = (f"{close} caring premises at this postcode have names like the home's" if close > 1 else
                  "the caring premises at this postcode have names unlike the home's")
        return Match(home, "ambiguous", candidates=ranked, reason=reason)
    sector = postcode_sector(home.postcode) or ""
    near = [e for e in by_sector.get(sector, []) if e.caring]
    if near:
        best, ranked, close = _best(home, near)
        if best:
            return Match(home, "matched", best, reason="name, in the same postcode sector")
        if close > 1:
            return Match(home, "ambiguous", candidates=ranked[:close],
                         reason=f"no caring premises at its postcode; {close} nearby have names like the home's")
    return Match(home, "none", reason=f"no caring premises at {home.postcode} or with its name nearby")


def match_homes(homes: list[Home], establishments: Iterable[Establishment]) -> list[Match]:
    """Match every home; an establishment claimed by two homes is ambiguous for both, and one a steward has pinned to
    a home is never given to another by postcode and name (the pin vouches for that home only: a second home
    sharing the kitchen is pinned too, by hand)."""
    by_id: dict[int, Establishment] = {}
    by_postcode: dict[str, list[Establishment]] = {}
    by_sector: dict[str, list[Establishment]] = {}
    copies: dict[int, list[Establishment]] = {}  # FHRS ID -> each copy of it in the files read
    for e in establishments:
        by_id[e.fhrs_id] = e
        copies.setdefault(e.fhrs_id, []).append(e)
        if e.postcode:
            by_postcode.setdefault(e.postcode, []).append(e)
            by_sector.setdefault(postcode_sector(e.postcode) or "", []).append(e)
    matches = [match_home(h, by_id, by_postcode, by_sector) for h in homes]
    claims: dict[int, list[Match]] = {}  # FHRS ID -> the homes matched to it by postcode and name
    pinned: dict[int, list[str]] = {}  # FHRS ID -> the profiles a steward pinned it to
    for m in matches:
        if m.kind == "matched" and m.establishment:
            claims.setdefault(m.establishment.fhrs_id, []).append(m)
        elif m.kind == "pinned" and m.establishment:
            pinned.setdefault(m.establishment.fhrs_id, []).append(m.home.path.name)
    for fhrs_id, ms in claims.items():
        by_name = [m for m in ms if m.reason != STREET_MATCH]
        if by_name and len(by_name) < len(ms):  # a home at the same address whose name is the kitchen's keeps it
            for m in ms:
                if m.reason == STREET_MATCH:
                    m.candidates, m.establishment, m.kind = [m.establishment] if m.establishment else [], None, "ambiguous"
                    m.reason = (f"FHRS ID {fhrs_id} at its street address is matched by name to "
                                f"{' and '.join(n.home.path.name for n in by_name)}; if this home shares that kitchen, pin it here")
            ms = by_name
        if len(ms) > 1 or fhrs_id in pinned:
            for m in ms:
                assert m.establishment is not None
                m.candidates, m.establishment, m.kind = [m.establishment], None, "ambiguous"
                m.reason = (f"FHRS ID {fhrs_id} matches {len(ms)} homes at this postcode" if fhrs_id not in pinned else
                            f"FHRS ID {fhrs_id} is pinned to {' and '.join(pinned[fhrs_id])}; if this home shares that "
                            "kitchen, pin it here too")
    for m in matches:  # an establishment the files give twice, with different ratings: which is its rating is not known
        ids = {m.establishment.fhrs_id} if m.establishment is not None else {e.fhrs_id for e in m.candidates}
        found = copies.get(next(iter(ids)), []) if len(ids) == 1 else []
        if len({(e.rating_value, e.rating_date_text) for e in found}) > 1:
            m.candidates, m.establishment, m.kind = found, None, "ambiguous"
            m.reason = (f"FHRS ID {found[0].fhrs_id} is in the files read {len(found)} times with different ratings, so "
                        "which is its rating is not known; give each council's file once, as downloaded from the FSA")
    return matches


@dataclass
class FsaReport:
    files: list[FhrsFile]
    matches: list[Match]
    changed: list[Path] = field(default_factory=list)
    dry_run: bool = False
    unpublished: list[Match] = field(default_factory=list)  # rated, rating not public yet: left as they are
    older: list[DatedFact] = field(default_factory=list)  # older than the profile's, applied with --allow-older

    def of(self, kind: str) -> list[Match]:
        return [m for m in self.matches if m.kind == kind]

    def summary(self) -> str:
        """The report printed by ``import-fsa``: counts, then every home that was not matched."""
        lines = []
        for f in self.files:
            caring = sum(e.caring for e in f.establishments)
            when = f.extract_date.isoformat() if f.extract_date else "no extract date"
            skipped = (f"; {f.left_out:,} record{'s' * (f.left_out != 1)} left out, {'their' if f.left_out != 1 else 'its'} FHRSID "
                       "not a number (is it the FSA's file as downloaded?)") if f.left_out else ""
            n = len(f.establishments)
            lines.append(f"FHRS file {f.path.name} ({when}): {n:,} establishment{'s' * (n != 1)}, {caring} caring premises{skipped}")
        counts = {k: len(self.of(k)) for k in ("matched", "pinned", "ambiguous", "none")}
        lines.append(f"{len(self.matches)} home{'s' * (len(self.matches) != 1)}: matched {counts['matched']}, pinned {counts['pinned']}, "
                     f"ambiguous {counts['ambiguous']}, none {counts['none']}")
        verb = "would change" if self.dry_run else "changed"
        lines.append(f"{len(self.changed)} profile{'s' * (len(self.changed) != 1)} {verb}")
        if self.unpublished:
            lines.append("Awaiting publication (the FSA has not published the new rating yet; left as they are):")
        for m in self.unpublished:
            assert m.establishment is not None
            lines.append(f"  {plain(m.home.path.name)}: {plain(m.home.name)}: FHRS ID {plain(m.establishment.fhrs_id)}")
        if self.older:
            lines.append(f"Older than the rating the profile holds ({'would be ' * self.dry_run}applied with --allow-older):")
        lines += [f"  {plain(fact)}" for fact in self.older]
        by_street = sorted((m for m in self.of("matched") if m.reason == STREET_MATCH), key=lambda m: m.home.path.name)
        if by_street:
            lines.append("Matched by postcode and street address, their names unlike (look at each; pin another with "
                         "food_hygiene.fhrs_id and pinned: yes):")
        for m in by_street:
            assert m.establishment is not None
            e = m.establishment
            lines.append(f"  {plain(m.home.path.name)}: {plain(m.home.name)}, {plain(m.home.street)}: FHRS ID "
                         f"{plain(e.fhrs_id)}: {plain(e.name)}, {plain(e.address)} (rating {plain(e.rating or 'none')})")
        for kind, title in (("ambiguous", "Ambiguous (not written; pin food_hygiene.fhrs_id with pinned: yes to choose)"),
                            ("none", "No match (not written)")):
            ms = self.of(kind)
            if ms:
                lines.append(f"{title}:")
            for m in sorted(ms, key=lambda m: m.home.path.name):
                lines.append(f"  {plain(m.home.path.name)}: {plain(m.home.name)} ({plain(m.home.postcode or 'no postcode')}): {plain(m.reason)}")
                for e in m.candidates:
                    lines.append(f"    candidate FHRS ID {plain(e.fhrs_id)}: {plain(e.name)}, {plain(e.address)} (rating {plain(e.rating or 'none')})")
        return "\n".join(lines)


def _home(path: Path, data: dict) -> Home:
    fhrs = get_path(data, ["food_hygiene", "fhrs_id"])
    date = get_path(data, ["food_hygiene", "date"])
    return Home(path, str(data.get("name") or path.stem), postcode_key(get_path(data, ["address", "postcode"])),
                fhrs if isinstance(fhrs, int) and not isinstance(fhrs, bool) else None,
                get_path(data, ["food_hygiene", "pinned"]) is True, get_path(data, ["food_hygiene", "rating"]),
                date if isinstance(date, dt.date) else None, get_path(data, ["address", "street"]))


def read_homes(providers: Path) -> list[Home]:
    """The homes in a folder of profiles. Raises FsaError naming a profile that cannot be read."""
    homes = []
    for f in profile_files([providers]):
        try:
            data = yaml_mapping(f.read_text(encoding="utf-8"), str(f))
        except UnicodeDecodeError:
            data = None
        if data is None:
            raise FsaError(f"cannot read {f}: it is not a readable profile; run 'python3 build.py check' and fix it first")
        if any(FIELDS[0] in k.field_paths for k in kinds_of(data)):  # a kind with a kitchen: a care home
            homes.append(_home(f, data))  # (an agency at a day centre's address was given its kitchen, and refused)
    return homes


def apply_match(path: Path, est: Establishment, schema: Schema) -> str | None:
    """New profile text with the establishment's food hygiene facts (None if already current)."""
    doc = rt_load(path)
    values: dict[str, Any] = dict(zip(FIELDS, (est.rating, est.rating_date, est.fhrs_id), strict=True))
    changed = False
    for dotted, value in values.items():
        if schema.by_path[dotted].owner != "fsa":
            raise AssertionError(f"the FSA import tried to set {dotted}, which the schema does not give to the FSA")
        keys = tuple(dotted.split("."))
        current = plain_value(get_path(doc, keys))
        if value is None:
            if current is not None and rt_delete(doc, keys):
                changed = True
        elif current != value:
            rt_set(doc, keys, value, schema)
            changed = True
    return rt_dump(doc) if changed else None


def import_fsa(files: list[Path], providers: Path, *, dry_run: bool = False, schema: Schema | None = None,
               on: dt.date | None = None, allow_older: bool = False) -> FsaReport:
    """Read FHRS files, match every home in ``providers`` and write the food hygiene fields.

    Every matched establishment's rating and date are checked, and every changed profile is
    checked with the rules of ``check``; on any problem FsaError lists them all and nothing is written.
    A rating dated before the one a profile holds is such a problem unless ``allow_older``."""
    schema = schema or load_schema()
    read: list[FhrsFile] = []
    problems = []
    for f in files:
        try:
            read.append(read_fhrs(f))
        except FsaError as exc:
            problems.append(f"{f}: {exc}")
    if problems:
        raise FsaError("\n".join(problems))
    establishments = [e for f in read for e in f.establishments]
    report = FsaReport(read, match_homes(read_homes(providers), establishments), dry_run=dry_run)
    on = on or england_today()
    texts: dict[Path, str] = {}
    refused_older = False
    for m in report.matches:
        est = m.establishment
        if est is None:
            continue
        found = fact_problems(est, on)
        if found:
            problems += [f"{est.source}: FHRS ID {plain(est.fhrs_id)} ({plain(est.name)}), the kitchen of {plain(m.home.path.name)}: {p}"
                         for p in found]
            continue
        if rating_key(est.rating_value) == AWAITING_PUBLICATION:
            report.unpublished.append(m)
            continue
        text = apply_match(m.home.path, est, schema)
        fact = DatedFact(f"FHRS ID {est.fhrs_id} ({plain(est.name, 120)}), {plain(m.home.path.name)}", m.home.rating,
                         m.home.rating_date, est.rating, est.rating_date)  # the file's text, never a line of its own
        if text is not None and rollbacks([fact]):
            if not allow_older:
                problems.append(f"{est.source}: an older rating: {fact}")
                refused_older = True
                continue
            report.older.append(fact)
        if text is not None:
            problems += [f"{p} (after the import of FHRS ID {est.fhrs_id} from {est.source})"
                         for p in new_problems(m.home.path, text, schema, on)]
            texts[m.home.path] = text
    if problems:
        older = f" For an older rating, {ALLOW_OLDER}." if refused_older else ""
        raise FsaError("\n".join(problems) + f"\nNothing was imported: {len(problems)} problem{'s' * (len(problems) != 1)} "
                       "above. Download the files again from the FSA, or pin another FHRS ID, and run import-fsa again."
                       + older)
    report.changed = list(texts)
    if not dry_run:
        done = f"Every profile the import changes ({len(texts):,}) was written before it stopped."
        with ctrl_c_after(done):  # every rating or, before this, none (a full disk too: OSError, nothing changed)
            write_texts_atomic(texts.items())
    return report


def new_problems(path: Path, text: str, schema: Schema, on: dt.date) -> list[str]:
    """The problems ``check`` finds in a profile's new text that it did not find in the old one."""
    return [str(p) for p in errors_added(path, text, display_path(path), schema, on)]
