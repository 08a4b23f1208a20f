"""Food hygiene ratings kept fresh: ``build.py import-fsa --fetch``.

Downloads the council's FHRS open-data file(s) from the FSA (one per local authority code in
mkdocs.yml's ``extra.directory.fsa_authorities``; Herefordshire is 895) through the project's
hardened client, then applies them with ``fsa.import_fsa``'s rules. A file whose ExtractDate is
older than the one imported before (recorded per authority in ``fsa-sync.json`` beside the
providers folder) is refused: the FSA's data never rolls back. The report ends with what a steward
reads in the weekly pull request: which ratings changed, which homes were newly matched and which
lost their match. The environment variable CAREHOMES_FSA_URL overrides the address (with ``{code}``).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import httpclient
from ..siteconfig import fsa_codes
from ..safetext import plain
from ..yamlio import write_text_atomic
from .fsa import MAX_FILE_BYTES, FsaError, FsaReport, import_fsa, read_fhrs

DEFAULT_URL = "https://ratings.food.gov.uk/api/open-data-files/FHRS{code}en-GB.xml"
ENV_URL = "CAREHOMES_FSA_URL"
STATE_NAME = "fsa-sync.json"
MAX_BYTES = MAX_FILE_BYTES  # the largest council's file is about 20 MB
SETTING = "mkdocs.yml: extra.directory.fsa_authorities"


@dataclass(frozen=True)
class Download:
    code: int
    url: str
    path: Path
    extract_date: dt.date | None


def authorities(directory: dict[str, Any], config: str = "mkdocs.yml") -> list[int]:
    """The FSA local authority codes to fetch, or FsaError saying how to set them in ``config`` (the settings
    file they were read from: an area's is areas/NAME/mkdocs.yml)."""
    codes = directory.get("fsa_authorities")
    setting = f"{config}: extra.directory.fsa_authorities"
    if codes is None or codes == []:
        raise FsaError(f"{setting} {'is not set' if codes is None else 'is an empty list'}; list your council's FSA local "
                       "authority codes, like fsa_authorities: [895] for Herefordshire (they are in the FSA's open data "
                       "file names, FHRS895en-GB.xml)")
    listed = fsa_codes(codes)
    if listed is None:
        raise FsaError(f"{setting} must be a list of FSA local authority codes (whole numbers), like [895]")
    return sorted(set(listed))


def url_for(code: int, env: dict[str, str] | None = None) -> str:
    pattern = dict(os.environ if env is None else env).get(ENV_URL) or DEFAULT_URL
    return pattern.replace("{code}", str(code))


def policy() -> httpclient.Policy:
    """Only the FSA's own host (or the override's), https, a byte limit and deadlines."""
    return httpclient.Policy(name="the FSA open data", max_bytes=MAX_BYTES, request_deadline=300.0, run_deadline=1800.0)


def state_path(providers: Path) -> Path:
    return providers.absolute().parent / STATE_NAME


def read_state(path: Path) -> dict[str, str]:
    """Authority code (as text) -> the ExtractDate of its file imported last."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        raise FsaError(f"{path}: cannot be read as the record of the FSA files imported; restore it from git "
                       "(git checkout -- fsa-sync.json) and run import-fsa --fetch again") from None
    dates = data.get("extract_dates") if isinstance(data, dict) else None
    if not isinstance(dates, dict) or not all(isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in dates.values()):
        raise FsaError(f"{path}: has no extract_dates; restore it from git and run import-fsa --fetch again")
    return {str(k): v for k, v in dates.items()}


def download(code: int, folder: Path, session: httpclient.Session) -> Download:
    """Fetch one authority's file into ``folder``; FsaError (one line) on any failure."""
    url = url_for(code)
    pattern = os.environ.get(ENV_URL)
    if pattern and "{code}" not in pattern:  # every authority's file would be fetched from one address
        raise FsaError(f"{ENV_URL} {httpclient.quoted(pattern)} has no {{code}}, so every council's file would be fetched "
                       "from that one address; put {code} where the FSA local authority code goes, like "
                       f"{DEFAULT_URL}")
    problem = httpclient.address_problem(url)
    if problem:
        raise FsaError(f"{ENV_URL} {httpclient.quoted(url)} {problem}")
    try:
        resp = session.get(url, {"Accept": "application/xml, text/xml", "User-Agent": "carehomes-directory"})
    except httpclient.HttpError as exc:
        raise FsaError(f"{exc}; nothing was imported: run import-fsa --fetch again later") from None
    if resp.status != 200:
        raise FsaError(f"{httpclient.quoted(resp.url)}: HTTP {resp.status}; nothing was imported: check the FSA local "
                       f"authority code {code} in {SETTING}, or run import-fsa --fetch again later")
    path = folder / f"FHRS{code}en-GB.xml"
    path.write_bytes(resp.body)
    try:
        extract = read_fhrs(path).extract_date
    except FsaError as exc:
        raise FsaError(f"{httpclient.quoted(resp.url)}: {exc}") from None
    return Download(code, resp.url, path, extract)


def fetch_and_import(providers: Path, codes: list[int], *, dry_run: bool = False, allow_older: bool = False,
                     session: httpclient.Session | None = None, on: dt.date | None = None) -> tuple[FsaReport, list[Download]]:
    """Download every authority's file, refuse one older than imported before, and import them all
    (all or nothing, as ``import_fsa``); the state file is updated only when profiles were written."""
    session = session or httpclient.Session(policy())
    state_file = state_path(providers)
    state = read_state(state_file)
    with tempfile.TemporaryDirectory(prefix="fsa-") as tmp:
        got = [download(code, Path(tmp), session) for code in codes]
        for d in got:
            before = state.get(str(d.code))
            if d.extract_date is None:
                raise FsaError(f"{httpclient.quoted(d.url)}: has no ExtractDate in its header, so its age cannot be "
                               "checked; nothing was imported: run import-fsa --fetch again later")
            if before and d.extract_date.isoformat() < before and not allow_older:
                raise FsaError(f"{httpclient.quoted(d.url)}: its ExtractDate {d.extract_date.isoformat()} is older than "
                               f"{before}, the file imported last ({state_file}); nothing was imported: the FSA may be "
                               "serving an old copy, so run import-fsa --fetch again later (or give --allow-older)")
        try:
            report = import_fsa([d.path for d in got], providers, dry_run=dry_run, allow_older=allow_older, on=on)
        except FsaError as exc:
            text = str(exc)
            for d in got:
                text = text.replace(str(d.path), d.url)
            raise FsaError(text) from None
        for f in report.files:  # the report names what was fetched, not the temporary copy
            f.path = Path(f.path.name)
    if not dry_run:
        dates = {**state, **{str(d.code): d.extract_date.isoformat() for d in got if d.extract_date}}
        write_text_atomic(state_file, json.dumps({"extract_dates": dict(sorted(dates.items()))}, indent=2) + "\n")
    return report, got


def steward_summary(report: FsaReport) -> str:
    """What changed, for the weekly pull request: ratings changed, homes newly matched, homes that lost a match."""
    changed = set(report.changed)
    rated, new, lost = [], [], []
    for m in sorted(report.matches, key=lambda m: m.home.path.name):
        home, est = m.home, m.establishment
        who = f"{plain(home.path.name)}: {plain(home.name)}"
        if est is not None and home.path in changed:
            now = f"{plain(est.rating or 'no rating')} ({est.rating_date.isoformat() if est.rating_date else 'no date'})"
            if home.fhrs_id is None:
                new.append(f"  {who}: FHRS ID {est.fhrs_id}, rating {now} ({m.reason}); {est.url}")
            elif home.fhrs_id != est.fhrs_id:
                new.append(f"  {who}: FHRS ID {est.fhrs_id} instead of {home.fhrs_id}, rating {now} ({m.reason}); {est.url}")
            else:
                was = f"{plain(home.rating if home.rating is not None else 'no rating')} " \
                      f"({home.rating_date.isoformat() if home.rating_date else 'no date'})"
                rated.append(f"  {who}: {was} -> {now}; {est.url}")
        elif est is None and home.fhrs_id is not None:
            lost.append(f"  {who}: FHRS ID {home.fhrs_id} is no longer its match: {plain(m.reason)} "
                        "(the profile keeps its last rating; pin food_hygiene.fhrs_id or correct it)")
    lines = []
    for title, rows, none in (("Ratings changed", rated, "no rating changed"),
                              ("Homes newly matched", new, "no home newly matched"),
                              ("Homes that lost a match", lost, "no home lost its match")):
        lines.append(f"{title} ({len(rows)}):" if rows else f"{title}: none ({none}).")
        lines += rows
    return "\n".join(lines)
