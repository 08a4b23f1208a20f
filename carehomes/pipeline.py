"""Load and check a set of profiles, in parallel when there are many."""
from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .load import Profile, load_profile, profile_files
from .problems import Problem
from .validate import check_files, check_profile

PARALLEL_FROM = 2000  # below this, starting worker processes costs more than it saves


@dataclass
class Checked:
    profiles: list[Profile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


CROSS_FILE_KEYS = ("location_id", "slug")


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
                                  {k: profile.lines[k] for k in CROSS_FILE_KEYS if k in profile.lines})
            profiles.append(profile)
    return profiles, problems


def check_paths(paths: list[Path], base: Path | None = None, on: dt.date | None = None,
                workers: int | None = None, keep_data: bool = True) -> Checked:
    """Load and check every profile under ``paths``; collect every problem.

    With ``keep_data=False`` (the check command) the profiles returned hold only their
    location ID and slug.
    """
    base = base or Path.cwd()
    files = profile_files(paths)
    result = Checked(files=len(files))
    workers = workers or (os.cpu_count() or 1)
    if len(files) >= PARALLEL_FROM and workers > 1:
        size = -(-len(files) // (workers * 4))
        batches = [(files[i:i + size], base, on, keep_data) for i in range(0, len(files), size)]
        with ProcessPoolExecutor(workers) as pool:
            for profiles, problems in pool.map(_check_batch, batches):
                result.profiles.extend(profiles)
                result.problems.extend(problems)
    else:
        result.profiles, result.problems = _check_batch((files, base, on, keep_data))
    result.problems.extend(check_files(result.profiles))
    result.problems.sort()
    return result
