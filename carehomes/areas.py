"""Areas: one directory's data and settings. The default area is the top level (providers/, releases/,
mkdocs.yml, built into site/); every other is a folder in areas/ (areas/NAME/providers/, releases/,
mkdocs.yml that INHERITs the top-level one, and its sync state), built into site-NAME/. See docs/areas.md."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .safetext import plain
from .schema import ROOT

NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


class AreaError(ValueError):
    """An --area that is not there; the message lists the areas there are."""


@dataclass(frozen=True)
class Area:
    """Where an area's files are: its config, profiles, release snapshots and built site."""

    name: str  # "" for the default area (the top level)
    config: Path
    providers: Path
    releases: Path
    site: Path

    @property
    def report(self) -> Path:
        """Where ``report`` writes the commissioner report: report/ beside the site, report-NAME/ for an area."""
        return self.site.parent / (f"report-{self.name}" if self.name else "report")


def default_area(root: Path = ROOT) -> Area:
    """The top level: providers/, releases/, mkdocs.yml, built into site/."""
    return Area("", root / "mkdocs.yml", root / "providers", root / "releases", root / "site")


def area_names(root: Path = ROOT) -> list[str]:
    """The areas in ``root``/areas/: each folder with a mkdocs.yml, by name."""
    folder = root / "areas"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if NAME.fullmatch(p.name) and (p / "mkdocs.yml").is_file())


def find_area(name: str | None, root: Path = ROOT) -> Area:
    """The area called ``name`` (None, --area not given: the default, the top level); AreaError listing the areas
    otherwise, an empty name too (``--area "$AREA"`` with AREA unset never stands for the top level's)."""
    if name is None:
        return default_area(root)
    names = area_names(root)
    there = ", ".join(names) if names else "none yet"
    if not name.strip():
        raise AreaError(f"--area is empty; give an area's name (the areas are: {there}), or leave --area out for the "
                        "default, providers/ and mkdocs.yml at the top level")
    if not NAME.fullmatch(name):  # never an area, whatever is in areas/: say why, not that it is not there
        shown = plain(name, 60)
        like = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
        try:  # its folder there, with settings: the user made it and means it
            there_too = "/" not in name and name not in (".", "..") and (root / "areas" / name / "mkdocs.yml").is_file()
        except (OSError, ValueError):  # a name too long for a file's, a NUL in it
            there_too = False
        hint = f", e.g. {like}" if like else ""
        if there_too:
            hint = f"; rename its folder areas/{shown}/" + (f" to areas/{like}/" if like else "")
        raise AreaError(f"--area {shown}: is not an area's name, which is lower-case letters, digits and hyphens (its "
                        f"folder's name in areas/){hint}; the areas are: {there} (without --area: the default, providers/ "
                        "and mkdocs.yml at the top level). To add one, see docs/areas.md")
    if name not in names:
        name = plain(name, 60)
        raise AreaError(f"--area {name}: there is no such area (no areas/{name}/mkdocs.yml); the areas are: {there} "
                        "(without --area: the default, providers/ and mkdocs.yml at the top level). "
                        "To add one, see docs/areas.md")
    folder = root / "areas" / name
    return Area(name, folder / "mkdocs.yml", folder / "providers", folder / "releases", root / f"site-{name}")
