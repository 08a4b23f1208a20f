"""Fetch OS Code-Point Open from its publisher (``build.py fetch-postcodes``) for the postcode lookup.

The OS open data downloads service names the current release of a product
(``GET .../products/CodePointOpen`` answers ``{"version": "2025-10", ...}``) and answers a download
request with a redirect to its storage host. Both go through the project's hardened client
(``carehomes.httpclient``): https only, redirects only to the hosts configured in mkdocs.yml
(``extra.directory.codepoint.hosts``), a deadline and a byte limit. What arrives must be a zip of
Code-Point's layout (``Doc/metadata.txt`` and ``Data/CSV/<area>.csv``) within size bounds, with names
that are safe as file names, naming a release date no older than the one used last (recorded in
``codepoint-release.json`` in the data folder). It is installed whole or not at all: each area file gzip-compressed as
``Data/CSV/<area>.csv.gz`` (the layout ``postcodes`` reads), the folder swapped in atomically.

Settings (``extra.directory.codepoint`` in mkdocs.yml): ``url`` (the download request),
``hosts`` (where it may redirect), ``min_bytes`` and ``max_bytes`` (the zip's size bounds). The
environment variable CAREHOMES_CODEPOINT_URL overrides ``url`` (for tests and mirrors).
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import lzma
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .. import httpclient
from ..fsutil import replace_dir
from ..safetext import plain

DEFAULT_URL = "https://api.os.uk/downloads/v1/products/CodePointOpen/downloads?area=GB&format=CSV&redirect"
DEFAULT_HOSTS = ("omseprd1stdstordownload.blob.core.windows.net",)  # where OS's downloads redirect to
ENV_URL = "CAREHOMES_CODEPOINT_URL"
STATE_NAME = "codepoint-release.json"
MIN_BYTES = 5 * 1024 * 1024  # the real GB zip is about 20 MB
MAX_BYTES = 200 * 1024 * 1024
MAX_UNZIPPED = 2 * 1024 * 1024 * 1024  # the real CSVs are about 160 MB: a zip declaring more is refused
MAX_DOC = 10 * 1024 * 1024  # the real Doc/ files are about 280 KB unpacked
MAX_MEMBERS = 2000
NAME_PART_BYTES = 255  # the longest file name most file systems allow
_NOT_IN_NAMES = frozenset('\\:*?"<>|')  # characters Windows (and so a copy of the folder there) refuses in a name
_AREA_CSV = re.compile(r"Data/CSV/([a-z]{1,2})\.csv", re.I)
_ROW = re.compile(rb'"[A-Z0-9 ]{5,8}",\d+,\d+,\d+,')
_VERSION = re.compile(r"\d{4}-\d{2}(-\d{2})?")
_DATE_LINES = ("RM UPDATE DATE", "COPYRIGHT DATE")
AGAIN = "nothing was installed; run fetch-postcodes again later, or see docs/deployment.md"


class FetchError(Exception):
    """A download that could not be used: one line saying what was wrong and what to do."""


@dataclass(frozen=True)
class Settings:
    url: str = DEFAULT_URL
    hosts: tuple[str, ...] = DEFAULT_HOSTS
    min_bytes: int = MIN_BYTES
    max_bytes: int = MAX_BYTES

    @property
    def product_url(self) -> str:
        """The product's description (its current release): the download address without its query
        and its last '/downloads'."""
        base = self.url.split("?", 1)[0].rstrip("/")
        return base[: -len("/downloads")] if base.endswith("/downloads") else base

    def policy(self) -> httpclient.Policy:
        return httpclient.Policy(name="Code-Point Open", hosts=frozenset(h.lower() for h in self.hosts),
                                 max_bytes=self.max_bytes, request_deadline=900.0, run_deadline=1800.0)


def settings(directory: dict[str, Any], env: dict[str, str] | None = None, config: str = "mkdocs.yml") -> Settings:
    """The download settings from ``extra.directory`` of the settings file ``config`` (as shown in messages) and
    CAREHOMES_CODEPOINT_URL. Raises FetchError naming every bad setting and where it was set."""
    env = dict(os.environ if env is None else env)
    raw = directory.get("codepoint") or {}
    where = f"{config}: extra.directory.codepoint"
    if not isinstance(raw, dict):
        raise FetchError(f"{where} must be a mapping with url: and hosts: indented under it")
    problems = []
    url = env.get(ENV_URL) or raw.get("url") or DEFAULT_URL
    hosts = raw.get("hosts", list(DEFAULT_HOSTS))
    if not isinstance(url, str) or httpclient.address_problem(url):
        why, shown = httpclient.address_problem(str(url)) or "must be text", f"'{httpclient.quoted(str(url))}'"
        problems.append(f"the environment variable {ENV_URL} {shown} {why}; correct it, or unset it to use "
                        f"extra.directory.codepoint.url in {config}" if env.get(ENV_URL) else f"{where}.url {shown} {why}")
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        problems.append(f"{where}.hosts must be a list of host names, like [{DEFAULT_HOSTS[0]}]")
    sizes = {}
    for key, default in (("min_bytes", MIN_BYTES), ("max_bytes", MAX_BYTES)):
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(f"{where}.{key} must be a whole number of bytes, like {default}")
        sizes[key] = value
    if not problems and sizes["min_bytes"] > sizes["max_bytes"]:
        problems.append(f"{where}.min_bytes is more than max_bytes")
    if problems:
        raise FetchError("; ".join(problems))
    return Settings(str(url), tuple(hosts), sizes["min_bytes"], sizes["max_bytes"])


@dataclass(frozen=True)
class Release:
    """What was installed: OS's release name, the date the zip names, and the zip itself."""

    version: str
    date: dt.date
    sha256: str
    size: int
    areas: int

    def to_json(self) -> str:
        return json.dumps({"version": self.version, "date": self.date.isoformat(), "sha256": self.sha256,
                           "bytes": self.size, "areas": self.areas}, indent=2) + "\n"


def read_state(folder: Path) -> dict[str, Any] | None:
    """The release last installed in ``folder`` ({"version", "date", ...}), or None if none was."""
    path = folder / STATE_NAME
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise FetchError(f"{path}: cannot be read as the record of the last release; delete the folder "
                         f"{folder} and run fetch-postcodes again") from None
    again = f"delete the folder {folder} and run fetch-postcodes again"
    if not isinstance(state, dict) or not _VERSION.fullmatch(str(state.get("version"))) \
            or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(state.get("date"))):
        raise FetchError(f"{path}: has no version and date of a release; {again}")
    try:
        dt.date.fromisoformat(state["date"])
    except ValueError:
        raise FetchError(f"{path}: names the date {state['date']}, which is not a real date; {again}") from None
    return state


def current_version(session: httpclient.Session, s: Settings) -> str:
    """The release OS offers now, from the product's description ("2025-10")."""
    url = s.product_url
    resp = _get(session, url, "the product's description")
    try:
        info = httpclient.decode_json(resp.body, 16, resp.url)
    except httpclient.HttpError as exc:
        raise FetchError(f"{exc}; the OS downloads service did not describe Code-Point Open; {AGAIN}") from None
    version = info.get("version") if isinstance(info, dict) else None
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise FetchError(f"{httpclient.quoted(url)}: names no release (its 'version' is "
                         f"{httpclient.quoted(repr(version), 40)}, not like 2025-10); {AGAIN}")
    return version


def _get(session: httpclient.Session, url: str, what: str) -> httpclient.Response:
    try:
        resp = session.get(url, {"Accept": "*/*", "User-Agent": "carehomes-directory"})
    except httpclient.HttpError as exc:
        raise FetchError(f"{exc}; {AGAIN}") from None
    if resp.status != 200:
        raise FetchError(f"{httpclient.quoted(resp.url)}: HTTP {resp.status} for {what}; {AGAIN}")
    return resp


def metadata_date(text: str) -> dt.date | None:
    """The release date Code-Point's ``Doc/metadata.txt`` names (its Royal Mail update date, else its
    copyright date), written YYYYMMDD there."""
    for label in _DATE_LINES:
        m = re.search(rf"^{label}:\s*(\d{{8}})\s*$", text, re.M)
        if m:
            try:
                return dt.datetime.strptime(m.group(1), "%Y%m%d").date()
            except ValueError:
                return None
    return None


def name_problem(name: str) -> str | None:
    """Why a name in the zip is not safe to unpack as a file (it leads out of its folder, holds a control, invisible
    or Windows-reserved character, or a part longer than a file name may be), or None."""
    parts = name.split("/")
    if name.startswith("/") or ".." in parts:
        return "it leads out of its folder"
    if not all(c.isprintable() or c == " " for c in name):
        return "it holds a control or invisible character"
    reserved = sorted(_NOT_IN_NAMES.intersection(name))
    if reserved:
        return f"it holds {' '.join(reserved)}, not allowed in a file name"
    if any(len(p.encode("utf-8", "surrogatepass")) > NAME_PART_BYTES for p in parts):
        return f"a part of it is longer than {NAME_PART_BYTES} bytes"
    return None


def _shown(name: str) -> str:
    """A name from the zip as quoted in a message: escaped, at most 80 characters."""
    return f"'{httpclient.quoted(name, 80)}'"


def doc_files(z: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The zip's files directly in Doc/ (installed as they are; a folder inside Doc/ is not)."""
    return [m for m in z.infolist() if len(PurePosixPath(m.filename).parts) == 2
            and PurePosixPath(m.filename).parts[0] == "Doc" and not m.is_dir()]


_UNPACK_ERRORS = (zipfile.BadZipFile, EOFError, zlib.error, lzma.LZMAError, OSError, RuntimeError, NotImplementedError,
                  ValueError)


def _chunks(z: zipfile.ZipFile, m: zipfile.ZipInfo, where: str) -> Iterator[bytes]:
    """Member ``m`` unpacked a megabyte at a time; FetchError naming it (and why) when it cannot be: encrypted,
    compressed with a method zipfile lacks (implode), or damaged (a corrupt stream, a bad CRC, a cut file).
    The zip is in memory, so an OSError here is bz2's damaged stream, never the disk."""
    try:
        with z.open(m) as src:
            while chunk := src.read(1 << 20):
                yield chunk
    except _UNPACK_ERRORS as exc:
        why = ("it is encrypted" if m.flag_bits & 0x1 else
               f"it is compressed with method {m.compress_type}, which cannot be unpacked here"
               if isinstance(exc, NotImplementedError) else f"it is damaged: {plain(str(exc), 80)}")
        raise FetchError(f"{where}: {_shown(m.filename)} in the zip cannot be unpacked ({why}); {AGAIN}") from None


def check_zip(raw: bytes, url: str, s: Settings) -> tuple[zipfile.ZipFile, dt.date, dict[str, zipfile.ZipInfo]]:
    """The opened zip, the date it names and its area files (area -> member), or FetchError (one line)."""
    where = httpclient.quoted(url)
    if not s.min_bytes <= len(raw) <= s.max_bytes:
        raise FetchError(f"{where}: the download is {len(raw):,} bytes, outside the expected {s.min_bytes:,} to "
                         f"{s.max_bytes:,} for Code-Point Open; {AGAIN}")
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
        members = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise FetchError(f"{where}: is not a readable zip file ({plain(str(exc), 80)}); the download is damaged "
                         f"or is not Code-Point Open; {AGAIN}") from None
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED:
        raise FetchError(f"{where}: the zip holds {len(members):,} files of {sum(m.file_size for m in members):,} bytes "
                         f"unpacked, more than Code-Point Open ever has; {AGAIN}")
    areas: dict[str, zipfile.ZipInfo] = {}
    names = set()
    seen: dict[str, str] = {}  # each name in lower case -> as the zip writes it
    for m in members:
        name = m.filename
        why = name_problem(name)
        if why:
            raise FetchError(f"{where}: the zip holds the unsafe name {_shown(name)} ({why}); {AGAIN}")
        if name.lower() in seen:  # two members that would be one file (hr.csv and HR.CSV; Doc/ on a case-blind disk)
            raise FetchError(f"{where}: the zip holds both {_shown(seen[name.lower()])} and {_shown(name)}, which would be "
                             f"one file; {AGAIN}")
        seen[name.lower()] = name
        names.add(name)
        found = _AREA_CSV.fullmatch(name)
        if found:
            areas[found.group(1).lower()] = m
    if "Doc/metadata.txt" not in names or not areas:
        raise FetchError(f"{where}: is not Code-Point Open's layout (Doc/metadata.txt and Data/CSV/<area>.csv); "
                         f"it holds {', '.join(sorted(names)[:3]) or 'nothing'}{' ...' if len(names) > 3 else ''}; {AGAIN}")
    doc = sum(m.file_size for m in doc_files(z))
    if doc > MAX_DOC:
        raise FetchError(f"{where}: the zip's Doc/ files are {doc:,} bytes unpacked, more than the {MAX_DOC:,} "
                         f"Code-Point Open's ever are; {AGAIN}")
    date = metadata_date(b"".join(_chunks(z, z.getinfo("Doc/metadata.txt"), where)).decode("latin-1"))
    if date is None:
        raise FetchError(f"{where}: Doc/metadata.txt names no release date (no 'RM UPDATE DATE: YYYYMMDD' line); {AGAIN}")
    return z, date, areas


def install(z: zipfile.ZipFile, areas: dict[str, zipfile.ZipInfo], dest: Path, release: Release, url: str) -> None:
    """Unpack into a new folder (Doc/ as it is, each area CSV gzip-compressed) and swap it in for ``dest``;
    on any problem ``dest`` is left as it was."""
    where = httpclient.quoted(url)
    with replace_dir(dest, "--dir") as tmp:
        (tmp / "Doc").mkdir()
        (tmp / "Data" / "CSV").mkdir(parents=True)
        for m in doc_files(z):
            with open(tmp / "Doc" / PurePosixPath(m.filename).name, "wb") as out:
                _copy(z, m, where, out.write)
        for area, m in sorted(areas.items()):
            with gzip.open(tmp / "Data" / "CSV" / f"{area}.csv.gz", "wb", compresslevel=6) as out:
                _copy(z, m, where, out.write, _ROW)
        (tmp / STATE_NAME).write_text(release.to_json(), encoding="utf-8")


def _copy(z: zipfile.ZipFile, m: zipfile.ZipInfo, where: str, write: Callable[[bytes], object],
          start: re.Pattern[bytes] | None = None) -> None:
    """Member ``m`` given to ``write`` a megabyte at a time (never whole in memory); FetchError if it cannot be unpacked,
    or (given ``start``) if it is not empty and does not start with that pattern."""
    for i, chunk in enumerate(_chunks(z, m, where)):
        if i == 0 and start is not None and not start.match(chunk):
            raise FetchError(f"{where}: {_shown(m.filename)} does not start with a Code-Point row "
                             f"(\"HR1 1AA\",10,...); {AGAIN}")
        write(chunk)


def fetch(s: Settings, dest: Path, *, allow_older: bool = False, session: httpclient.Session | None = None) -> str:
    """Bring ``dest`` up to OS's current release; the line to print. Raises FetchError (one line)."""
    session = session or httpclient.Session(s.policy())
    state = read_state(dest)
    version = current_version(session, s)
    if state and not allow_older and version < str(state["version"]):
        raise FetchError(f"{httpclient.quoted(s.product_url)}: offers release {version}, older than {state['version']} "
                         f"used last ({dest / STATE_NAME}); {AGAIN} (or give --allow-older)")
    if state and state["version"] == version and (dest / "Data" / "CSV").is_dir():
        return f"Code-Point Open {version} (dated {state['date']}) is already in {dest}; nothing was downloaded."
    resp = _get(session, s.url, "the Code-Point Open download")
    z, date, areas = check_zip(resp.body, resp.url, s)
    if state and not allow_older and date < dt.date.fromisoformat(str(state["date"])):
        raise FetchError(f"{httpclient.quoted(resp.url)}: the zip is dated {date.isoformat()} (Doc/metadata.txt), older "
                         f"than {state['date']} used last ({dest / STATE_NAME}); {AGAIN} (or give --allow-older)")
    release = Release(version, date, hashlib.sha256(resp.body).hexdigest(), len(resp.body), len(areas))
    install(z, areas, dest, release, resp.url)
    return (f"Code-Point Open {version} (dated {date.isoformat()}, {len(resp.body):,} bytes, {len(areas)} postcode areas) "
            f"installed in {dest}.")


def release_name(s: Settings, session: httpclient.Session | None = None) -> str:
    """Only the release OS offers now (for the publish workflow's cache key)."""
    return current_version(session or httpclient.Session(s.policy()), s)
