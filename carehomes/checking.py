"""Loading and checking every profile (the check command, and the first stage of data and build): each
profile loaded and checked on every core for large sets, with its pieces of the open data made where it was
loaded (``pieces=True``), then the rules across files.

Kept apart from ``pipeline`` (the build's later stages) so that ``check`` and ``data`` start without importing
the pages, search and feeds (nationally 0.1 s before the workers start).
"""
from __future__ import annotations

import datetime as dt
import multiprocessing
from dataclasses import dataclass, field
from pathlib import Path

from .checks_external import check_external
from .load import Profile, display_paths, errors, find_profiles, load_profile
from .parallel import keep_freed_memory, map_chunks, no_cycle_collection
from .problems import Problem
from .outputs.pieces import HomePieces, home_pieces
from .schema import load_schema
from .validate import check_files, check_profile


@dataclass
class Checked:
    profiles: list[Profile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    pieces: list[HomePieces] | None = None  # each profile's open data pieces (check_paths(pieces=True))

    @property
    def ok(self) -> bool:
        """No errors (warnings do not stop a build)."""
        return not errors(self.problems)


CROSS_FILE_KEYS = ("location_id", "slug", "address", "care")  # address, care: checks_external
_CROSS_FILE_GROUPS = tuple(f"{k}." for k in CROSS_FILE_KEYS)  # a key under one of them: its dotted path starts so


def cross_file_lines(lines: dict[str, int]) -> dict[str, int]:
    """The lines of the keys the rules across files read (CROSS_FILE_KEYS and the keys under them), in order."""
    return {k: n for k, n in lines.items() if k in CROSS_FILE_KEYS or k.startswith(_CROSS_FILE_GROUPS)}


def _check_batch(args: tuple[list[Path], Path, dt.date | None, bool, bool]) -> tuple[list[Profile], list[Problem], list[HomePieces]]:
    if multiprocessing.parent_process() is not None:  # a worker: chunk after chunk of results made and freed
        keep_freed_memory()
    # a batch makes millions of objects and next to no reference cycles: the cyclic collector's passes over the
    # growing results were 7% of its CPU
    with no_cycle_collection():
        return _check_files(*args)


def _check_files(files: list[Path], base: Path, on: dt.date | None, keep: bool,
                 make: bool) -> tuple[list[Profile], list[Problem], list[HomePieces]]:
    profiles, problems, made = [], [], []
    schema = load_schema() if make else None
    for f, shown in zip(files, display_paths(files, base), strict=True):
        profile, found = load_profile(f, base, shown=shown)
        problems.extend(found)
        if profile:
            own = check_profile(profile, on=on)
            problems.extend(own)
            if schema and not errors(found + own):  # its open data pieces, while the profile is here
                made.append(home_pieces(profile.data, schema))
            if not keep:  # only what the rules across files need, so less travels back from workers
                profile = Profile(profile.path, {k: profile.data.get(k) for k in CROSS_FILE_KEYS},
                                  cross_file_lines(profile.lines))
            profiles.append(profile)
    return profiles, problems, made


def check_paths(paths: list[Path], base: Path | None = None, on: dt.date | None = None,
                workers: int | None = None, keep_data: bool = True, external: bool = False,
                pieces: bool = False) -> Checked:
    """Load and check every profile under ``paths``; collect every problem.

    With ``keep_data=False`` (the check command) the profiles returned hold only what the rules
    across files need. Acute trusts are checked against the NHS trust list; with ``external=True``
    (the check command) postcodes are also checked against Code-Point Open: see checks_external.
    With ``pieces=True`` (the data command, the build) each profile's pieces of the open data
    (``outputs.pieces.home_pieces``) are made in the same pass, where it was loaded, into ``Checked.pieces``
    (None there when any profile has an error: then nothing is published).
    """
    base = base or Path.cwd()
    made: list[HomePieces] = []
    # listing the profiles and taking back the workers' results (nationally with pieces: 1.0 s of CPU to 0.2 s)
    with no_cycle_collection():
        files, misnamed = find_profiles(paths)
        result = Checked(files=len(files), problems=misnamed)
        for profiles, problems, pieces_made in map_chunks(_check_batch, files, base, on, keep_data, pieces,
                                                          workers=workers, chunks_per_worker=8, finer_end=4):
            result.profiles.extend(profiles)
            result.problems.extend(problems)
            made.extend(pieces_made)
    result.problems.extend(check_files(result.profiles))
    result.problems.extend(check_external(result.profiles, live_postcodes=external))
    result.problems.sort()
    if pieces and result.ok:
        result.pieces = made
    return result
