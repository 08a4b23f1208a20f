"""Live postcodes and their positions from Ordnance Survey's Code-Point Open.

Code-Point Open has one gzip-compressed CSV per postcode area (``hr.csv.gz`` for HR), no header
row, postcodes in fixed-width quoted form (``"HR1 1AA"``, ``"NP253SS"``) and positions as British
National Grid eastings and northings (EPSG:27700). Only the area files a question needs are read,
line by line, and only the postcodes asked about are kept, so memory stays small even for the
whole country. Grid positions become WGS84 latitude and longitude with pyproj (EPSG:27700 to
EPSG:4326); without PROJ's optional OSTN15 grid file pyproj uses the published Helmert
parameters, good to a few metres, which is ample for distances between homes and postcodes.
"""
from __future__ import annotations

import bisect
import gzip
import json
import math
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..schema import ROOT, shared_folder

SHARED_CODEPOINT = Path("data") / "postcodes" / "codepoint-open-2025-10"  # in the shared data (schema.shared_folder)
ENV_DIR = "CAREHOMES_CODEPOINT"
# where build.py fetch-postcodes installs it (see sources/codepoint.py; git ignores .codepoint/, the publish workflow caches it whole)
FETCHED_DIR = ROOT / ".codepoint" / "current"
NO_POSITION_QUALITY = 90   # Code-Point's quality 90: the postcode has no coordinates
EARTH_RADIUS_KM = 6371.0088
ATTRIBUTION = ("Contains OS data © Crown copyright and database right {year}. "  # attribution() fills in the year
               "Contains Royal Mail data © Royal Mail copyright and database right {year}. "
               "Contains National Statistics data © Crown copyright and database right {year}.")
_AREA = re.compile(r"[A-Z]{1,2}")


@dataclass(frozen=True)
class Place:
    """A live postcode: its grid position, its WGS84 position and Code-Point's quality (10 best)."""

    postcode: str          # as Code-Point writes it, e.g. "HR1 1AA"
    easting: int
    northing: int
    quality: int
    lat: float | None = None
    lon: float | None = None

    @property
    def has_position(self) -> bool:
        return self.quality < NO_POSITION_QUALITY and (self.easting or self.northing) != 0


OUTWARD, INWARD = "[A-Z]{1,2}[0-9][A-Z0-9]?", "[0-9][A-Z]{2}"  # a postcode's two halves: area and district; sector digit, unit
KEY = re.compile(OUTWARD + INWARD)  # a whole postcode as postcode_key writes it: HR11AA


def postcode_key(text: str) -> str:
    """A postcode without spaces, in capitals: how Code-Point postcodes are compared."""
    return re.sub(r"\s+", "", text).upper()


def area_of(postcode: str) -> str | None:
    """The postcode area: the leading letters ("HR4 9ER" -> "HR", "B1 1AA" -> "B")."""
    m = _AREA.match(postcode_key(postcode))
    return m.group(0) if m else None


def data_dir() -> Path:
    """Where Code-Point Open is: $CAREHOMES_CODEPOINT; else .codepoint/current/ once fetch-postcodes has
    installed it; else data/postcodes/... of the shared data ($CAREHOMES_SHARED, else ../shared beside the repository:
    a clone elsewhere named it and was given no postcode warnings)."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env)
    return FETCHED_DIR if (FETCHED_DIR / "Data" / "CSV").is_dir() else shared_folder() / SHARED_CODEPOINT


def missing_areas(areas: list[str] | str | None, folder: Path | None = None) -> list[str]:
    """The configured postcode areas (``extra.directory.postcode_areas``) with no data to publish; for
    "all", ["all"] when there is no data at all."""
    if areas == "all":
        return [] if available_areas(folder) else ["all"]
    return [a for a in sorted({str(a).upper() for a in areas or []}) if not has_area(a, folder)]


def missing_message(missing: list[str], folder: Path | None = None, config: str = "mkdocs.yml",
                    area: str | None = None) -> str:
    """One line: which areas have no lookup, what distance search loses, and how to get the data
    (``config`` is the settings file that asks for them, ``area`` the --area it belongs to)."""
    which = "every postcode area" if missing == ["all"] else f"postcode area{'s' * (len(missing) != 1)} {', '.join(missing)}"
    them = "them" if len(missing) > 1 else "it"
    return (f"{config}: extra.directory.postcode_areas asks for {which}, but {folder or data_dir()} has no "
            f"Code-Point Open data for {them}, so the site's distance search from a full postcode there gives "
            "no distances; get the data with: "
            f"python3 build.py fetch-postcodes{f' --area {area}' if area else ''}")


def area_file(area: str, folder: Path | None = None) -> Path:
    return (folder or data_dir()) / "Data" / "CSV" / f"{area.lower()}.csv.gz"


def has_area(area: str, folder: Path | None = None) -> bool:
    """Whether the data for this postcode area is present (checks only judge areas we have)."""
    return area_file(area, folder).is_file()


def available_areas(folder: Path | None = None) -> list[str]:
    """Every postcode area with a data file, in capitals, sorted."""
    base = (folder or data_dir()) / "Data" / "CSV"
    return sorted(p.name.split(".")[0].upper() for p in base.glob("*.csv.gz")) if base.is_dir() else []


def _line_starts(key: str) -> set[bytes]:
    """How a Code-Point line for this postcode key can start: the postcode quoted, with or without
    its space, then a comma (``"HR1 1AA",``, ``"B1 1AY",``, ``"AB10 1AB",``, ``"NP253SS",``)."""
    if len(key) < 5:
        return set()
    return {f'"{form}",'.encode() for form in (key[:-3] + " " + key[-3:], key)}


class DamagedFile(OSError):
    """A Code-Point Open file that cannot be read to its end (cut short, not gzip): the message names it and what to
    do; ``path`` is the file, ``problem`` what is wrong and what to do without the file's name."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


def _lines(path: Path, chunk: int = 1 << 20) -> Iterator[list[bytes]]:
    """The lines of a gzip file, a megabyte at a time (memory stays bounded); DamagedFile when it cannot be read
    to its end."""
    rest = b""
    try:
        with gzip.open(path, "rb") as fh:
            while True:
                block = fh.read(chunk)
                if not block:
                    break
                lines = (rest + block).split(b"\n")
                rest = lines.pop()
                yield lines
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DamagedFile(path, f"this Code-Point Open file is damaged ({exc}); fetch Code-Point Open again "
                                "(python3 build.py fetch-postcodes) or put back the file") from None
    if rest:
        yield [rest]


def _chosen(lines: list[bytes], starts: set[bytes], sizes: list[int]) -> list[bytes]:
    """``[ln for n in sizes for ln in lines if ln[:n] in starts]``: the lines starting with one of ``starts``
    (of the lengths ``sizes``), in that order. Code-Point's files are sorted by postcode, so in a sorted block
    each start's lines are found by bisection instead of by looking at all 1.5 million lines (0.27 s -> 0.07 s
    of CPU for a national check); a block that is not sorted is looked through line by line."""
    if lines != sorted(lines):
        return [ln for n in sizes for ln in lines if ln[:n] in starts]
    out: list[bytes] = []
    for n in sizes:
        found = []
        for start in starts:
            if len(start) != n:
                continue
            i = bisect.bisect_left(lines, start)
            while i < len(lines) and lines[i][:n] == start:
                found.append(i)
                i += 1
        out.extend(lines[i] for i in sorted(found))
    return out


def _rows(area: str, folder: Path | None = None, wanted: set[str] | None = None) -> Iterator[tuple[str, int, int, int]]:
    """(postcode, quality, easting, northing) for each line of one area file, streamed (only the
    postcodes in ``wanted``, as keys, if given)."""
    starts = set().union(*(_line_starts(k) for k in wanted)) if wanted is not None else set()
    sizes = sorted({len(s) for s in starts})
    for lines in _lines(area_file(area, folder)):
        chosen = lines if wanted is None else _chosen(lines, starts, sizes)
        for line in chosen:
            parts = line.decode("ascii", "replace").split(",", 4)
            try:
                yield parts[0].strip('"'), int(parts[1]), int(parts[2]), int(parts[3])
            except (ValueError, IndexError):
                continue


def iter_area(area: str, folder: Path | None = None, wanted: set[str] | None = None) -> Iterator[Place]:
    """Stream the postcodes of one area file (only those in ``wanted``, as keys, if given)."""
    for postcode, quality, easting, northing in _rows(area, folder, wanted):
        yield Place(postcode, easting, northing, quality)


@lru_cache(maxsize=1)
def _transformer():  # noqa: ANN202 - a pyproj Transformer
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def to_wgs84(places: list[Place]) -> list[Place]:
    """The same places with latitude and longitude (places without a position keep None)."""
    located = [p for p in places if p.has_position]
    if not located:
        return places
    lons, lats = _transformer().transform([p.easting for p in located], [p.northing for p in located])
    done = {id(p): Place(p.postcode, p.easting, p.northing, p.quality, round(lat, 6), round(lon, 6))
            for p, lat, lon in zip(located, lats, lons, strict=True)}
    return [done.get(id(p), p) for p in places]


def lookup(postcodes: Iterable[str], folder: Path | None = None) -> dict[str, Place | None]:
    """Each postcode (by key) -> its Place, or None when it is not live. Postcodes whose area file
    is absent are left out: nothing can be said about them."""
    by_area: dict[str, set[str]] = {}
    present: dict[str, bool] = {}  # each area's file looked for once, not once a postcode (15,000 nationally)
    for pc in postcodes:
        area = area_of(pc)
        if area and area not in present:
            present[area] = has_area(area, folder)
        if area and present[area]:
            by_area.setdefault(area, set()).add(postcode_key(pc))
    found: dict[str, Place | None] = {}
    for area, keys in sorted(by_area.items()):
        places = to_wgs84(list(iter_area(area, folder, keys)))
        got = {postcode_key(p.postcode): p for p in places}
        for k in keys:
            found[k] = got.get(k)
    return found


@lru_cache(maxsize=None)
def _area_positions(area: str, folder: str) -> dict[str, tuple[float, float]]:
    """Every live postcode of one area with a position -> (latitude, longitude): the whole area file read once a
    process (a few tens of milliseconds), for the homes whose records give no position."""
    places = to_wgs84([p for p in iter_area(area, Path(folder)) if p.has_position])
    return {postcode_key(p.postcode): (p.lat, p.lon) for p in places if p.lat is not None and p.lon is not None}


# (folder, postcode key) -> its position or None, for the postcodes prime_positions was given
_PRIMED: dict[tuple[str, str], tuple[float, float] | None] = {}
_DAMAGED: set[tuple[str, str]] = set()  # (folder, area) whose file could not be read, once a process


def prime_positions(postcodes: Iterable[object]) -> None:
    """Read the positions of these postcodes ahead of postcode_position's questions: each area's file once, and only
    these postcodes converted to latitude and longitude (a site with no positions of its own and services in every
    postcode area converted all 1.7 million of Great Britain's, 12-14 s and 370 MB, to place 15,000: bench/positions.py)."""
    folder = data_dir()
    by_area: dict[str, list[str]] = {}  # the postcodes not yet primed, by area
    for key in {postcode_key(pc) for pc in postcodes if isinstance(pc, str)}:
        if (str(folder), key) not in _PRIMED and (area := area_of(key)):
            by_area.setdefault(area, []).append(key)
    for area, in_area in sorted(by_area.items()):
        try:
            found = lookup(in_area, folder)
        except (OSError, ValueError, EOFError):  # a damaged file: postcode_position says None for its postcodes
            _DAMAGED.add((str(folder), area))
            continue
        for key in in_area:
            if key in found:  # an area with no file is not primed: postcode_position says None itself
                place = found[key]
                _PRIMED[(str(folder), key)] = (place.lat, place.lon) if place and place.lat is not None and place.lon is not None else None


def postcode_position(postcode: object) -> tuple[float, float] | None:
    """Where a postcode is (its Code-Point Open position, as latitude and longitude), or None: not a postcode, not
    live, no position, or no data for its area. CQC's own positions are its postcode's (the ONS postcode directory's).
    A postcode prime_positions was given is answered from what it read; any other from its whole area's file."""
    if not isinstance(postcode, str):
        return None
    folder, key = str(data_dir()), postcode_key(postcode)
    if (folder, key) in _PRIMED:
        return _PRIMED[(folder, key)]
    area = area_of(postcode)
    if not area or not has_area(area):
        return None
    if (folder, area) in _DAMAGED:
        return None
    try:
        return _area_positions(area, folder).get(key)
    except (OSError, ValueError, EOFError):  # a damaged file: check says so; nothing is placed from it
        _DAMAGED.add((folder, area))  # nor read again by each home that asks (52 ms a call)
        return None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine on a sphere of the Earth's mean radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


DATA_DATE = "2025-10-17"  # Royal Mail update date in Code-Point Open's Doc/metadata.txt


def data_date(folder: Path | None = None) -> str:
    """The date of the Code-Point Open release in ``folder``: as fetch-postcodes recorded it
    (codepoint-release.json), else the bundled release's."""
    try:
        date = json.loads(((folder or data_dir()) / "codepoint-release.json").read_text(encoding="utf-8"))["date"]
    except (OSError, ValueError, KeyError, TypeError):
        return DATA_DATE
    return date if isinstance(date, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else DATA_DATE


def attribution(folder: Path | None = None) -> str:
    """The attribution Code-Point Open's licence asks for, with the year of the release in ``folder`` (data_date)."""
    return ATTRIBUTION.format(year=data_date(folder)[:4])
