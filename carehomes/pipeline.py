"""Load and check a set of profiles, in parallel when there are many."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .checks_external import check_external
from .load import Profile, load_profile, profile_files
from .parallel import map_chunks
from .problems import Problem
from .validate import check_files, check_profile


@dataclass
class Checked:
    profiles: list[Profile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


CROSS_FILE_KEYS = ("location_id", "slug", "address", "care")  # address, care: checks_external


def _check_batch(args: tuple[list[Path], Path, dt.date | None, bool]) -> tuple[list[Profile], list[Problem]]:
    files, base, on, keep = args
    profiles, problems = [], []
    for f in files:
        profile, found = load_profile(f, base)
        problems.extend(found)
        if profile:
            problems.extend(check_profile(profile, on=on))
            if not keep:  # only what the rules across files need, so less travels back from workers
                profile = Profile(profile.path, {k: profile.data.get(k) for k in CROSS_FILE_KEYS},
                                  {k: n for k, n in profile.lines.items() if k.split(".")[0] in CROSS_FILE_KEYS})
            profiles.append(profile)
    return profiles, problems


def check_paths(paths: list[Path], base: Path | None = None, on: dt.date | None = None,
                workers: int | None = None, keep_data: bool = True, external: bool = False) -> Checked:
    """Load and check every profile under ``paths``; collect every problem.

    With ``keep_data=False`` (the check command) the profiles returned hold only what the rules
    across files need. Acute trusts are checked against the NHS trust list; with ``external=True``
    (the check command) postcodes are also checked against Code-Point Open: see checks_external.
    """
    base = base or Path.cwd()
    files = profile_files(paths)
    result = Checked(files=len(files))
    for profiles, problems in map_chunks(_check_batch, files, base, on, keep_data, workers=workers, chunks_per_worker=4):
        result.profiles.extend(profiles)
        result.problems.extend(problems)
    result.problems.extend(check_files(result.profiles))
    result.problems.extend(check_external(result.profiles, live_postcodes=external))
    result.problems.sort()
    return result
