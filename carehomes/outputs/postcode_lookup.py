"""The published postcode lookup under the site's ``postcodes/``, for distance search from an exact
postcode: Code-Point Open's live postcodes (read by ``sources/postcodes``) as small JSON files, one per
postcode sector, and each area's district centres."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from itertools import compress, groupby
from operator import add, and_, itemgetter, not_
from pathlib import Path
from typing import Any

import orjson

from ..jsontext import compact_bytes
from ..sources import postcodes as postcodes_source
from ..sources.postcodes import (
    NO_POSITION_QUALITY,
    _lines,
    _transformer,
    area_file,
    area_of,
    available_areas,
    has_area,
    postcode_key,
)

LOOKUP_DIR = "postcodes"
LOOKUP_FORMAT = 1
MAX_CHUNK_BYTES = 30_000
PARALLEL_AREAS = 10  # more areas than this are written by one process per core


def sector_file(postcode: str) -> str:
    """Where a postcode's position is published, relative to the site: ``postcodes/HR/HR1-1.json``
    for HR1 1AA (one file per postcode sector: the outward code and the inward code's digit)."""
    key = postcode_key(postcode)
    return f"{LOOKUP_DIR}/{area_of(key)}/{key[:-3]}-{key[-3]}.json"


DISTRICTS_FILE = "districts.json"  # postcodes/<AREA>/districts.json: district -> the middle of its postcodes


def district_centres(sums: dict[str, list[float]]) -> dict[str, list[float]]:
    """Postcode district (``HR3``) -> the mean position of its located postcodes, 4 decimal places;
    ``sums`` maps each district to ``[sum of latitudes, sum of longitudes, postcodes]`` (each position
    already rounded to 4 places, as published)."""
    return {d: [round(s[0] / s[2], 4), round(s[1] / s[2], 4)] for d, s in sorted(sums.items())}


# A postcode as Code-Point writes it, without its space: outward code (area, district digit, maybe a letter or digit),
# inward code (a digit, two letters). A line whose postcode is not of this form, or whose position is off the
# National Grid, is damaged: left out, so it names no file, counts in no district's centre and stops no build.
_POSTCODE = postcodes_source.KEY
# A block's postcodes (one a line) each quoted or not, with up to two spaces between outward and inward code: those
# the line-by-line reading would take, with the same key once the quotes and spaces are taken out.
_QUOTED = f'"?{postcodes_source.OUTWARD} {{0,2}}{postcodes_source.INWARD}"?'
_CLEAN_POSTCODES = re.compile(f"(?:{_QUOTED}\n)*{_QUOTED}".encode())
GRID_EAST, GRID_NORTH = 700_000, 1_300_000  # the National Grid's extent in metres (EPSG:27700)
_Rows = tuple[list[str], list[int], list[int], list[int]]
_FIRST, _NUMBERS = itemgetter(0), (itemgetter(1), itemgetter(2), itemgetter(3))  # a line's columns


def _area_rows(area: str, folder: Path | None) -> _Rows:
    """One area file's postcodes (as keys: ``HR11AA``), qualities, eastings and northings, as four lists (damaged
    lines left out: ``_POSTCODE``). A megabyte of lines is read a column at a time when every line in it is well
    formed (_clean_rows), else a line at a time (_each_row); 1.7 million lines nationally, 3.6 s of CPU to 2.9 with
    the gzip reading (``sources/postcodes._rows`` makes a tuple a line, for lookups)."""
    keys: list[str] = []
    quality: list[int] = []
    east: list[int] = []
    north: list[int] = []
    for lines in _lines(area_file(area, folder)):
        block = _clean_rows(lines) or _each_row(lines)
        keys += block[0]
        quality += block[1]
        east += block[2]
        north += block[3]
    return keys, quality, east, north


def _clean_rows(lines: list[bytes]) -> _Rows | None:
    """``lines`` as _each_row reads them, a column at a time; None unless every line is well formed: a postcode
    (_CLEAN_POSTCODES), then three whole numbers, a position on the National Grid."""
    rows = [line.split(b",", 4) for line in lines]
    try:
        postcodes = b"\n".join(map(_FIRST, rows))
        quality, east, north = (list(map(int, map(column, rows))) for column in _NUMBERS)
    except (IndexError, ValueError):  # a line of fewer than four columns, or not a whole number
        return None
    if not _CLEAN_POSTCODES.fullmatch(postcodes):
        return None
    if min(east) < 0 or max(east) > GRID_EAST or min(north) < 0 or max(north) > GRID_NORTH:
        return None
    return postcodes.replace(b'"', b"").replace(b" ", b"").decode("ascii").split("\n"), quality, east, north


def _each_row(lines: list[bytes]) -> _Rows:
    """The postcodes, qualities, eastings and northings of ``lines``, each split once, damaged ones left out."""
    keys: list[str] = []
    quality: list[int] = []
    east: list[int] = []
    north: list[int] = []
    for line in lines:
        parts = line.split(b",", 4)
        try:
            q, e, n = int(parts[1]), int(parts[2]), int(parts[3])
        except (ValueError, IndexError):
            continue
        key = parts[0].strip(b'"').decode("ascii", "replace").replace(" ", "")
        if not (_POSTCODE.fullmatch(key) and 0 <= e <= GRID_EAST and 0 <= n <= GRID_NORTH):
            continue
        keys.append(key)
        quality.append(q)
        east.append(e)
        north.append(n)
    return keys, quality, east, north


def _write_area(job: tuple[str, Path, Path | None]) -> tuple[int, int, int]:
    """Write one postcode area's sector files; returns (files, postcodes, largest file in bytes). Nationally
    1.7 million postcodes, each converted and rounded once, a column at a time (map and itertools, not a loop a
    postcode): a position is rounded to 4 places as a whole number of ten-thousandths (``round(x * 10000)``: the
    same number as ``round(x, 4)``, but for a tie the multiplication moves, and 0.0 rather than -0.0), which also
    makes each district's sums exact; the files are written by orjson (the same bytes as the standard library's).
    14.8 s of CPU to 9.3 s, then (the same machine, quiet) 10.0 s to 8.1."""
    area, base, folder = job
    keys, quality, east, north = _area_rows(area, folder)
    placed = list(map(and_, map(NO_POSITION_QUALITY.__gt__, quality), map(bool, map(add, east, north))))  # not (0, 0)
    if not all(placed):
        east, north = list(compress(east, placed)), list(compress(north, placed))
    lons, lats = _transformer().transform(east, north) if east else ([], [])
    lat_units = list(map(round, map(_UNITS.__mul__, lats)))  # ten-thousandths of a degree
    lon_units = list(map(round, map(_UNITS.__mul__, lons)))
    where: list[tuple[float, float] | None] = list(zip(map(_UNITS.__rtruediv__, lat_units), map(_UNITS.__rtruediv__, lon_units), strict=True))
    located = [key for key, yes in zip(keys, placed, strict=True) if yes] if len(where) < len(keys) else keys
    for i in compress(range(len(keys)), map(not_, placed)):  # in order: a few a file (836 nationally)
        where.insert(i, None)
    sums: dict[str, list[int]] = {}  # district -> [sum of latitudes, sum of longitudes, postcodes], in units
    start = 0
    for district, group in groupby(map(_DISTRICT, located)):  # Code-Point's lines are sorted
        end = start + len(list(group))
        s = sums.setdefault(district, [0, 0, 0])
        s[0] += sum(lat_units[start:end])
        s[1] += sum(lon_units[start:end])
        s[2] += end - start
        start = end
    sectors: dict[str, dict[str, tuple[float, float] | None]] = {}
    start = 0
    for sector, group in groupby(map(_SECTOR, keys)):  # likewise a run a sector (merged if not)
        end = start + len(list(group))
        sectors.setdefault(sector, {}).update(zip(map(_INWARD, keys[start:end]), where[start:end], strict=True))
        start = end
    (base / area).mkdir(parents=True, exist_ok=True)
    (base / area / DISTRICTS_FILE).write_bytes(compact_bytes(district_centres(
        {d: [s[0] / _UNITS, s[1] / _UNITS, s[2]] for d, s in sums.items()})))
    largest = 0
    for sector, entries in sorted(sectors.items()):
        text = orjson.dumps(entries, option=orjson.OPT_SORT_KEYS)
        if len(text) > MAX_CHUNK_BYTES:
            raise RuntimeError(f"postcode sector {sector[:-1]}-{sector[-1]} needs {len(text):,} bytes, more than {MAX_CHUNK_BYTES:,}")
        with open(base / area / f"{sector[:-1]}-{sector[-1]}.json", "wb") as fh:
            fh.write(text)
        largest = max(largest, len(text))
    return len(sectors), len(keys), largest


_UNITS = 10000.0  # ten-thousandths of a degree: 4 decimal places, about 10 m
# A key's district (``HR11AA`` -> ``HR1``), sector (``HR11``) and inward code (``1AA``)
_DISTRICT, _SECTOR, _INWARD = itemgetter(slice(None, -3)), itemgetter(slice(None, -2)), itemgetter(slice(-3, None))


MADE_FROM = ".made-from.json"  # what a published lookup was made from, so the next build can reuse it
# Where this process last published a lookup made from each set of sources (remember_lookup): a later build in
# this process into another folder (the tests' sites; serve rebuilds its own folder, reused as ``previous``) copies
# it when the site it replaces has none to reuse: copied, not linked, so no two sites share a file.
_PUBLISHED: dict[str, Path] = {}


def _key(made_from: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in made_from.items() if k != "counts"}, sort_keys=True)


def remember_lookup(lookup: Path) -> None:
    """Note a published lookup folder (``site/postcodes``) for write_lookup's later calls in this process."""
    try:
        made_from = json.loads((lookup / MADE_FROM).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(made_from, dict):
        _PUBLISHED[_key(made_from)] = lookup


def _made_from(areas: list[str], folder: Path | None) -> dict[str, Any]:
    """What the lookup's files depend on: the code of this module and of its reader (``sources/postcodes``),
    and each area file's size and time."""
    code = hashlib.sha256(Path(__file__).read_bytes() + Path(postcodes_source.__file__).read_bytes()).hexdigest()
    sources = {a: [(st := area_file(a, folder).stat()).st_size, st.st_mtime_ns] for a in areas}
    return {"format": LOOKUP_FORMAT, "code": code, "sources": sources}


def _lookup_files(old: str) -> list[tuple[str, list[str]]]:
    """Each folder of a lookup (relative to ``old``, "" for itself) with the JSON files in it to reuse: neither
    MADE_FROM nor areas.json (written anew), nor a link; os.scandir, not pathlib's rglob (nationally 11,000 files:
    a third of a second of CPU to under a tenth). A link to a folder is not followed."""
    found: list[tuple[str, list[str]]] = []
    stack = [""]
    while stack:
        rel = stack.pop()
        names: list[str] = []
        with os.scandir(os.path.join(old, rel)) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    stack.append(os.path.join(rel, e.name))
                elif e.name.endswith(".json") and e.name not in (MADE_FROM, "areas.json") and not e.is_symlink():
                    names.append(e.name)
        if names:
            found.append((rel, sorted(names)))
    return found


def _counts_if_alike(lookup: Path, made_from: dict[str, Any]) -> list | None:
    """The counts of the lookup in ``lookup`` when it was made from ``made_from`` (its MADE_FROM), else None."""
    try:
        before = json.loads((lookup / MADE_FROM).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(before, dict) or {k: before.get(k) for k in made_from} != json.loads(json.dumps(made_from)):
        return None
    counts = before.get("counts")
    areas = made_from.get("sources", {})
    if not (type(counts) is list and len(counts) == len(areas)
            and all(type(c) is list and len(c) == 3 and all(type(n) is int and n >= 0 for n in c) for c in counts)):
        return None  # damaged: the build report's sums would fail on it
    return counts


def _whole(files: list[tuple[str, list[str]]], made_from: dict[str, Any], counts: list) -> bool:
    """Whether a lookup's files (_lookup_files) are all those its counts say were written: in each area's folder, its
    sector files and districts.json, and nothing else (a lookup cut short, or a folder of the cache being removed by
    another build meanwhile, is not taken)."""
    return dict((folder, len(names)) for folder, names in files) == {
        area: c[0] + 1 for area, c in zip(made_from.get("sources", {}), counts, strict=True)}


def _reuse(old: Path, new: Path, made_from: dict[str, Any], link: bool = True) -> list | None:
    """Hard-link (or copy; ``link=False``: only copy) the previous build's lookup into ``new`` if it was made
    from the same code and files, and is whole (_whole); its counts, or None when it must be written again. A file
    already in ``new`` is never written over (it may be a link to a file of a published site): then None."""
    counts = _counts_if_alike(old, made_from)
    if counts is None:
        return None
    try:
        files = _lookup_files(str(old))
        if not _whole(files, made_from, counts):
            return None
        for folder, names in files:
            into = os.path.join(new, folder)
            os.makedirs(into, exist_ok=True)  # once a folder (nationally 125), not once a file (11,000)
            for name in names:
                src, dst = os.path.join(old, folder, name), os.path.join(into, name)
                if link:
                    try:
                        os.link(src, dst)
                        continue
                    except FileExistsError:
                        raise
                    except OSError:
                        pass  # another file system, or no hard links: copied
                if os.path.lexists(dst):
                    raise FileExistsError(dst)
                shutil.copy2(src, dst)
    except OSError:
        shutil.rmtree(new, ignore_errors=True)
        return None
    return counts


KEPT_LOOKUPS = 2  # lookups kept in the cache's folder (``kept``), the most recently used
_KEPT_NAME = re.compile(r"[0-9a-f]{32}")  # a kept lookup's folder (_kept_name): the only folders _keep removes,
_TEMP_NAME = re.compile(r"\.[0-9a-f]{32}-[0-9]+")  # with one a build was making there when it was killed
STALE_TEMP = 3600  # seconds after which such a folder is left over (a build makes one in a second or so)


def _kept_name(made_from: dict[str, Any]) -> str:
    """A lookup's folder in the cache: a hash of what it was made from."""
    return hashlib.blake2b(_key(made_from).encode("utf-8"), digest_size=16).hexdigest()


def _keep(base: Path, kept: Path, made_from: dict[str, Any], renew: bool = False) -> None:
    """Keep the lookup just published in ``base`` in the cache's folder ``kept`` (hard links; copies across file
    systems), for a later build with no site to reuse it from (a fresh checkout: the publish workflow) or after a
    change to other code; marked as used when kept already (``renew``: made again even so, when the build found it
    not whole). The ``KEPT_LOOKUPS`` most recently used are kept, the others removed, with what killed builds left
    there; nothing else in ``kept`` (only folders named as ``_kept_name`` names them, wherever ``kept`` leads) is
    removed. A cache that cannot be written is left as it is: the build goes on."""
    final = kept / _kept_name(made_from)
    try:
        if not renew and _counts_if_alike(final, made_from) is not None:
            os.utime(final)
        else:
            shutil.rmtree(final, ignore_errors=True)  # damaged, or cut short
            kept.mkdir(parents=True, exist_ok=True)
            temp = kept / f".{final.name}-{os.getpid()}"
            shutil.rmtree(temp, ignore_errors=True)  # left by a killed build whose process had this id
            try:
                if _reuse(base, temp, made_from) is not None:
                    shutil.copyfile(base / MADE_FROM, temp / MADE_FROM)
                    os.rename(temp, final)  # whole, or not at all (another build kept it first)
            finally:
                shutil.rmtree(temp, ignore_errors=True)
        held = sorted((p for p in kept.iterdir() if p.is_dir() and not p.is_symlink()
                       and (_KEPT_NAME.fullmatch(p.name) or _TEMP_NAME.fullmatch(p.name))),
                      key=lambda p: p.stat().st_mtime_ns, reverse=True)
        stale = time.time_ns() - STALE_TEMP * 10**9
        for old in [p for p in held if not p.name.startswith(".")][KEPT_LOOKUPS:] + \
                [p for p in held if p.name.startswith(".") and p.stat().st_mtime_ns < stale]:
            shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass


def write_lookup(site: Path, areas: list[str] | str | None, folder: Path | None = None,
                 previous: Path | None = None, kept: Path | None = None) -> dict:
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
    national site that saves writing 10,880 files from 1.7 million postcodes. Without one, the lookup this
    process last published from the same files (``remember_lookup``) is copied; else the one kept in the cache's
    folder ``kept`` (checkcache.kept_lookups) is hard-linked. The lookup published is kept there (``_keep``).
    """
    wanted = available_areas(folder) if areas == "all" else sorted({str(a).upper() for a in areas or []})
    present = [a for a in wanted if has_area(a, folder)]
    base = site / LOOKUP_DIR
    made_from = _made_from(present, folder)
    counts = _reuse(previous / LOOKUP_DIR, base, made_from) if previous is not None else None
    published = _PUBLISHED.get(_key(made_from))
    if counts is None and published is not None and published != base:
        counts = _reuse(published, base, made_from, link=False)
    refused = False  # the kept lookup found but not taken: made again by _keep
    if counts is None and kept is not None:
        counts = _reuse(kept / _kept_name(made_from), base, made_from)
        refused = counts is None
    if counts is None:
        jobs = [(area, base, folder) for area in present]
        if len(jobs) > PARALLEL_AREAS and (os.cpu_count() or 1) > 1:
            from ..parallel import worker_pool  # workers that leave Ctrl+C to the build and end with it

            with worker_pool(os.cpu_count() or 2) as pool:
                counts = list(pool.map(_write_area, jobs, chunksize=4))
        else:
            counts = [_write_area(job) for job in jobs]
    files, postcodes_written = sum(c[0] for c in counts), sum(c[1] for c in counts)
    largest = max((c[2] for c in counts), default=0)
    base.mkdir(parents=True, exist_ok=True)
    (base / MADE_FROM).write_text(json.dumps({**made_from, "counts": counts}), encoding="utf-8")
    index = {"format": LOOKUP_FORMAT, "date": postcodes_source.data_date(folder), "attribution": postcodes_source.attribution(folder), "areas": present,
             "missing": [a for a in wanted if a not in present], "digits": 4}
    (base / "areas.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    if kept is not None:
        _keep(base, kept, made_from, refused)
    return {"areas": present, "missing": index["missing"], "files": files, "postcodes": postcodes_written, "largest": largest}
