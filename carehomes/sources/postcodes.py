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

import gzip
import hashlib
import json
import math
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..schema import ROOT

DEFAULT_DIR = ROOT.parent / "shared" / "data" / "postcodes" / "codepoint-open-2025-10"
ENV_DIR = "CAREHOMES_CODEPOINT"
FETCHED_DIR = ROOT / ".codepoint" / "current"  # where build.py fetch-postcodes installs it (see sources/codepoint.py)
NO_POSITION_QUALITY = 90   # Code-Point's quality 90: the postcode has no coordinates
EARTH_RADIUS_KM = 6371.0088
ATTRIBUTION = ("Contains OS data © Crown copyright and database right 2025. "
               "Contains Royal Mail data © Royal Mail copyright and database right 2025. "
               "Contains National Statistics data © Crown copyright and database right 2025.")
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


def postcode_key(text: str) -> str:
    """A postcode without spaces, in capitals: how Code-Point postcodes are compared."""
    return re.sub(r"\s+", "", text).upper()


def area_of(postcode: str) -> str | None:
    """The postcode area: the leading letters ("HR4 9ER" -> "HR", "B1 1AA" -> "B")."""
    m = _AREA.match(postcode_key(postcode))
    return m.group(0) if m else None


def data_dir() -> Path:
    """Where Code-Point Open is: $CAREHOMES_CODEPOINT; else .codepoint/current/ once fetch-postcodes has
    installed it; else ../shared/data/postcodes/... beside the repository."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env)
    return FETCHED_DIR if (FETCHED_DIR / "Data" / "CSV").is_dir() else DEFAULT_DIR


def missing_areas(areas: list[str] | str | None, folder: Path | None = None) -> list[str]:
    """The configured postcode areas (``extra.directory.postcode_areas``) with no data to publish; for
    "all", ["all"] when there is no data at all."""
    if areas == "all":
        return [] if available_areas(folder) else ["all"]
    return [a for a in sorted({str(a).upper() for a in areas or []}) if not has_area(a, folder)]


def missing_message(missing: list[str], folder: Path | None = None) -> str:
    """One line: which areas have no lookup, what distance search loses, and how to get the data."""
    which = "every postcode area" if missing == ["all"] else f"postcode area{'s' * (len(missing) != 1)} {', '.join(missing)}"
    return (f"mkdocs.yml: extra.directory.postcode_areas asks for {which}, but {folder or data_dir()} has no "
            "Code-Point Open data for it, so the site's distance search from a full postcode (like HR6 8AA) gives "
            "no distances there; get the data with: "
            "python3 build.py fetch-postcodes")


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


def _lines(path: Path, chunk: int = 1 << 20) -> Iterator[list[bytes]]:
    """The lines of a gzip file, a megabyte at a time (memory stays bounded)."""
    rest = b""
    with gzip.open(path, "rb") as fh:
        while True:
            block = fh.read(chunk)
            if not block:
                break
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            yield lines
    if rest:
        yield [rest]


def _rows(area: str, folder: Path | None = None, wanted: set[str] | None = None) -> Iterator[tuple[str, int, int, int]]:
    """(postcode, quality, easting, northing) for each line of one area file, streamed (only the
    postcodes in ``wanted``, as keys, if given)."""
    starts = set().union(*(_line_starts(k) for k in wanted)) if wanted is not None else set()
    sizes = sorted({len(s) for s in starts})
    for lines in _lines(area_file(area, folder)):
        chosen = lines if wanted is None else [ln for n in sizes for ln in lines if ln[:n] in starts]
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
    for pc in postcodes:
        area = area_of(pc)
        if area and has_area(area, folder):
            by_area.setdefault(area, set()).add(postcode_key(pc))
    found: dict[str, Place | None] = {}
    for area, keys in sorted(by_area.items()):
        places = to_wgs84(list(iter_area(area, folder, keys)))
        got = {postcode_key(p.postcode): p for p in places}
        for k in keys:
            found[k] = got.get(k)
    return found


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine on a sphere of the Earth's mean radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


# --- the published postcode lookup (for distance search from an exact postcode) -------------------

LOOKUP_DIR = "postcodes"
LOOKUP_FORMAT = 1
MAX_CHUNK_BYTES = 30_000
PARALLEL_AREAS = 10  # more areas than this are written by one process per core
DATA_DATE = "2025-10-17"  # Royal Mail update date in Code-Point Open's Doc/metadata.txt


def data_date(folder: Path | None = None) -> str:
    """The date of the Code-Point Open release in ``folder``: as fetch-postcodes recorded it
    (codepoint-release.json), else the bundled release's."""
    try:
        date = json.loads(((folder or data_dir()) / "codepoint-release.json").read_text(encoding="utf-8"))["date"]
    except (OSError, ValueError, KeyError, TypeError):
        return DATA_DATE
    return date if isinstance(date, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else DATA_DATE


def sector_file(postcode: str) -> str:
    """Where a postcode's position is published, relative to the site: ``postcodes/HR/HR1-1.json``
    for HR1 1AA (one file per postcode sector: the outward code and the inward code's digit)."""
    key = postcode_key(postcode)
    return f"{LOOKUP_DIR}/{area_of(key)}/{key[:-3]}-{key[-3]}.json"


DISTRICTS_FILE = "districts.json"  # postcodes/<AREA>/districts.json: district -> the middle of its postcodes


def district_centres(where: dict[str, list[float]]) -> dict[str, list[float]]:
    """Postcode district (``HR3``) -> the mean position of its located postcodes, 4 decimal places;
    ``where`` maps each postcode (``"HR3 5AA"``) to ``[latitude, longitude]``."""
    sums: dict[str, list[float]] = {}
    for pc, (lat, lon) in where.items():
        s = sums.setdefault(postcode_key(pc)[:-3], [0.0, 0.0, 0])
        s[0] += lat
        s[1] += lon
        s[2] += 1
    return {d: [round(s[0] / s[2], 4), round(s[1] / s[2], 4)] for d, s in sorted(sums.items())}


def _write_area(job: tuple[str, Path, Path | None]) -> tuple[int, int, int]:
    """Write one postcode area's sector files; returns (files, postcodes, largest file in bytes)."""
    area, base, folder = job
    rows = list(_rows(area, folder))
    located = [r for r in rows if r[1] < NO_POSITION_QUALITY and (r[2] or r[3])]
    lons, lats = _transformer().transform([r[2] for r in located], [r[3] for r in located]) if located else ([], [])
    where = {r[0]: [round(lat, 4), round(lon, 4)] for r, lat, lon in zip(located, lats, lons, strict=True)}
    sectors: dict[str, dict[str, list[float] | None]] = {}
    for r in rows:
        key = r[0].replace(" ", "")
        sectors.setdefault(f"{key[:-3]}-{key[-3]}", {})[key[-3:]] = where.get(r[0])
    (base / area).mkdir(parents=True, exist_ok=True)
    (base / area / DISTRICTS_FILE).write_text(json.dumps(district_centres(where), separators=(",", ":")), encoding="ascii")
    largest = 0
    for sector, entries in sorted(sectors.items()):
        text = json.dumps(dict(sorted(entries.items())), separators=(",", ":"))
        if len(text) > MAX_CHUNK_BYTES:
            raise RuntimeError(f"postcode sector {sector} needs {len(text):,} bytes, more than {MAX_CHUNK_BYTES:,}")
        (base / area / f"{sector}.json").write_text(text, encoding="ascii")
        largest = max(largest, len(text))
    return len(sectors), len(rows), largest


MADE_FROM = ".made-from.json"  # what a published lookup was made from, so the next build can reuse it


def _made_from(areas: list[str], folder: Path | None) -> dict[str, Any]:
    """What the lookup's files depend on: this module's code and each area file's size and time."""
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    sources = {a: [(st := area_file(a, folder).stat()).st_size, st.st_mtime_ns] for a in areas}
    return {"format": LOOKUP_FORMAT, "code": code, "sources": sources}


def _reuse(old: Path, new: Path, made_from: dict[str, Any]) -> list | None:
    """Hard-link (or copy) the previous build's lookup into ``new`` if it was made from the same
    code and files; its counts, or None when it must be written again."""
    try:
        before = json.loads((old / MADE_FROM).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(before, dict) or {k: before.get(k) for k in made_from} != json.loads(json.dumps(made_from)):
        return None
    counts = before.get("counts")
    if not isinstance(counts, list):
        return None
    try:
        for src in sorted(old.rglob("*.json")):
            if src.name in (MADE_FROM, "areas.json") or src.is_symlink():
                continue
            dst = new / src.relative_to(old)
            dst.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)
    except OSError:
        shutil.rmtree(new, ignore_errors=True)
        return None
    return counts


def write_lookup(site: Path, areas: list[str] | str | None, folder: Path | None = None,
                 previous: Path | None = None) -> dict:
    """Publish every live postcode of the chosen areas ("all" for every area with data) as small
    JSON files under ``site/postcodes/``, one per postcode sector, each at most MAX_CHUNK_BYTES.

    ``postcodes/areas.json``: ``{"format": 1, "date", "attribution", "areas": [published areas],
    "missing": [areas asked for but without data], "digits": 4}``. A sector file such as
    ``postcodes/HR/HR1-1.json`` maps each inward code to ``[latitude, longitude]`` (WGS84, 4
    decimal places, about 10 m), or to ``null`` for a live postcode without a position:
    ``{"1AA":[52.0607,-2.71],...}``. A postcode whose area is published but whose sector file or
    inward code is absent is not a live postcode. ``postcodes/HR/districts.json`` maps each district
    of the area to the middle of its postcodes, for a search by outward code alone (``HR3``). Returns counts for the build report.

    With ``previous`` (the site being replaced), its lookup is hard-linked rather than written again
    when it was made by the same code from the same Code-Point files (``.made-from.json``): on a
    national site that saves writing 10,880 files from 1.7 million postcodes.
    """
    wanted = available_areas(folder) if areas == "all" else sorted({str(a).upper() for a in areas or []})
    present = [a for a in wanted if has_area(a, folder)]
    base = site / LOOKUP_DIR
    made_from = _made_from(present, folder)
    counts = _reuse(previous / LOOKUP_DIR, base, made_from) if previous is not None else None
    if counts is None:
        jobs = [(area, base, folder) for area in present]
        if len(jobs) > PARALLEL_AREAS and (os.cpu_count() or 1) > 1:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(os.cpu_count()) as pool:
                counts = list(pool.map(_write_area, jobs, chunksize=4))
        else:
            counts = [_write_area(job) for job in jobs]
    files, postcodes_written = sum(c[0] for c in counts), sum(c[1] for c in counts)
    largest = max((c[2] for c in counts), default=0)
    base.mkdir(parents=True, exist_ok=True)
    (base / MADE_FROM).write_text(json.dumps({**made_from, "counts": counts}), encoding="utf-8")
    index = {"format": LOOKUP_FORMAT, "date": data_date(folder), "attribution": ATTRIBUTION, "areas": present,
             "missing": [a for a in wanted if a not in present], "digits": 4}
    (base / "areas.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    return {"areas": present, "missing": index["missing"], "files": files, "postcodes": postcodes_written, "largest": largest}
