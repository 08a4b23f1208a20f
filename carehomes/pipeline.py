"""The build, stage by stage: this module is its table of contents.

    load -> check -> publish data -> releases and feed -> pages -> search -> sitemap

``check_paths`` loads and checks the profiles (on every core for large sets); ``build_site`` runs
the stages after it, each in its own module, into a new folder that replaces the site in one
atomic step only when every stage succeeded.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .fsutil import replace_dir
from .load import Profile, load_profile, profile_files
from .outputs.atom import atom
from .outputs.sitemap import write_sitemap
from .parallel import map_chunks
from .problems import Problem
from .publish import data_files, release_date, write_files
from .releases import changelog, copy_releases, current_records, list_releases
from .render import read_config, render_pages
from .schema import ROOT, Schema, load_schema
from .search import write_search
from .validate import check_files, check_profile
from .views import HomeView


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
    for profiles, problems in map_chunks(_check_batch, files, base, on, keep_data, workers=workers, chunks_per_worker=4):
        result.profiles.extend(profiles)
        result.problems.extend(problems)
    result.problems.extend(check_files(result.profiles))
    result.problems.sort()
    return result


@dataclass
class BuildReport:
    homes: int
    pages: int
    data: dict[str, int]
    search: str


def build_site(profiles: list[Profile], site_dir: Path, *, config_path: Path | None = None,
               today: dt.date | None = None, schema: Schema | None = None, index: bool = True,
               releases_dir: Path | None = None) -> BuildReport:
    """Build the whole site from checked profiles into ``site_dir``: replaced only when everything succeeded."""
    schema = schema or load_schema()
    cfg = read_config(config_path or ROOT / "mkdocs.yml")
    today = today or dt.date.today()
    released = release_date()  # once, so every file and page of this build carries the same date
    views = sorted((HomeView(p.data, today, schema, cfg.edit_base) for p in profiles), key=lambda v: v.slug)
    with replace_dir(site_dir) as out:
        # publish data (held in memory: mkdocs empties the site folder, so files are written after the pages)
        files = data_files(profiles, schema, released)
        # releases and feed
        releases = list_releases(releases_dir or ROOT / "releases")
        entries = changelog(releases, current_records([p.data for p in profiles]), released, schema)
        files["changes.atom"] = atom(entries, cfg.raw.get("site_url", "/"), cfg.raw.get("site_name", ""), released).encode("utf-8")
        # pages
        pages = render_pages(views, out, schema=schema, cfg=cfg, data_sizes={n: len(b) for n, b in files.items()},
                             entries=entries, releases=releases, released=released)
        sizes = write_files(files, out / "data")
        copy_releases(releases, out / "data" / "releases")
        # search
        search = write_search(views, out, index)
        # sitemap
        write_sitemap(out, cfg.raw.get("site_url", ""))
    return BuildReport(len(views), pages, sizes, search)
