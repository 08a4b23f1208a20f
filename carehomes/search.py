"""Search: a Pagefind index of the home pages, and postcode districts for sorting by distance.

Pagefind splits its index into small chunks, so a search or a filter on 15,000 homes fetches
tens of kilobytes rather than the whole list. Only pages marked ``data-pagefind-body`` (the
home pages) are indexed.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .views import HomeView


def districts(views: list["HomeView"]) -> dict[str, list[float]]:
    """Postcode district (outward code) -> mean latitude, longitude and number of homes."""
    sums: dict[str, list[float]] = {}
    for v in views:
        lat, lon, d = v.get("address.latitude"), v.get("address.longitude"), v.district
        if lat is None or lon is None or not d:
            continue
        s = sums.setdefault(d, [0.0, 0.0, 0])
        s[0] += lat
        s[1] += lon
        s[2] += 1
    return {d: [round(a / n, 3), round(b / n, 3), int(n)] for d, (a, b, n) in sorted(sums.items())}


def postcode_area(district: str) -> str:
    """'HR1' -> 'HR'; 'M1' -> 'M'."""
    return re.match(r"[A-Z]+", district).group(0)


def write_districts(views: list["HomeView"], site_dir: Path) -> None:
    """search/areas.json (postcode area -> centre) and search/districts/<AREA>.json (district -> centre,
    homes), so a distance search fetches only the areas near the person, not every district."""
    folder = site_dir / "search" / "districts"
    folder.mkdir(parents=True, exist_ok=True)
    shards: dict[str, dict] = {}
    for d, value in districts(views).items():
        shards.setdefault(postcode_area(d), {})[d] = value
    areas = {}
    for area, ds in sorted(shards.items()):
        n = sum(v[2] for v in ds.values())
        areas[area] = [round(sum(v[0] * v[2] for v in ds.values()) / n, 3), round(sum(v[1] * v[2] for v in ds.values()) / n, 3), n]
        (folder / f"{area}.json").write_text(json.dumps(ds, separators=(",", ":")), encoding="utf-8")
    (site_dir / "search" / "areas.json").write_text(json.dumps(areas, separators=(",", ":")), encoding="utf-8")


def write_facets(views: list["HomeView"], site_dir: Path) -> None:
    """search/facets.json: which values the sorting filters have, so the find page can sort by
    searching one band at a time without downloading every Pagefind filter file to find out."""
    facets: dict[str, dict[str, int]] = {"rating": {}, "freeband": {}, "feeband": {}}
    for v in views:
        for key, value in (("rating", v.rating_label), ("freeband", v.free_band), ("feeband", v.fee_band)):
            facets[key][value] = facets[key].get(value, 0) + 1
    (site_dir / "search").mkdir(exist_ok=True)
    (site_dir / "search" / "facets.json").write_text(json.dumps(facets, sort_keys=True, separators=(",", ":")), encoding="utf-8")


def index_site(site_dir: Path) -> str:
    """Run Pagefind over the built site; returns its summary line."""
    proc = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site_dir), "--force-language", "en",
                           "--glob", "homes/**/*.html"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"pagefind failed:\n{proc.stdout}\n{proc.stderr}")
    found = re.findall(r"Indexed (\d+) pages?", proc.stdout)
    return f"Pagefind indexed {found[-1] if found else '?'} pages"


def write_search(views: list["HomeView"], site_dir: Path, index: bool = True) -> str:
    """The search stage: postcode districts, sorting facets and (with ``index``) the Pagefind index.
    Returns what was done, for the build's summary line."""
    write_districts(views, site_dir)
    write_facets(views, site_dir)
    if not index:
        return "not indexed"
    return index_site(site_dir) if views else "no search index (no homes)"
