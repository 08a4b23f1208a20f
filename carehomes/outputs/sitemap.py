"""sitemap.xml (every page of the built site, home pages included: mkdocs lists only its own, each with
the date of its newest fact) and robots.txt (which points crawlers at the sitemap)."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape


def write_sitemap(site_dir: Path, site_url: str, lastmod: dict[str, dt.date | None] | None = None,
                  default: dt.date | None = None) -> int:
    """Write sitemap.xml listing every page under ``site_dir``; returns the number of pages.

    ``lastmod`` maps a page's folder (``homes/<slug>``) to the date of its newest fact (None: it has none,
    so no lastmod); every other page takes ``default`` (the newest fact of all homes, as the lists and
    search pages show them all)."""
    base = site_url.rstrip("/") + "/"
    lastmod = lastmod or {}
    pages = sorted(page_folders(site_dir, frozenset(lastmod)))
    urls = []
    for p in pages:
        when = lastmod[p] if p in lastmod else default
        mod = f"<lastmod>{when.isoformat()}</lastmod>" if when else ""
        urls.append(f"<url><loc>{xml_escape(base + ('' if p == '.' else p + '/'))}</loc>{mod}</url>")
    (site_dir / "sitemap.xml").write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                                          f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(urls)}</urlset>\n', encoding="utf-8")
    (site_dir / "sitemap.xml.gz").unlink(missing_ok=True)
    return len(pages)


# top-level folders whose index.html files are no pages (oruk/: JSON), or which hold none: the find page's index
# (search/) and the postcode lookup (postcodes/), each moved in whole by the pipeline, never where the pages are
NOT_PAGES = ("data", "oruk", "search", "postcodes")


def page_folders(site_dir: Path, known: frozenset[str] = frozenset()) -> list[str]:
    """Each folder of ``site_dir`` with an index.html, relative (``.``, ``homes/abbey-care``), outside NOT_PAGES:
    os.scandir, not walking those folders at all (a national site has 95,000 files, most of them data); a folder in
    ``known`` (the home pages the build wrote: homes/<slug>) is taken as a page without being opened (nationally
    15,400 folders, 0.15 s at the end of the build)."""
    found: list[str] = []
    stack = [("", str(site_dir))]
    while stack:
        rel, path = stack.pop()
        with os.scandir(path) as entries:
            for e in entries:
                if e.name == "index.html":
                    found.append(rel.rstrip("/") or ".")
                if e.is_dir(follow_symlinks=False) and not (rel == "" and e.name in NOT_PAGES):
                    if f"{rel}{e.name}" in known:
                        found.append(f"{rel}{e.name}")
                    else:
                        stack.append((f"{rel}{e.name}/", e.path))
    return found


def robots_txt(site_url: str) -> str:
    """robots.txt: every page may be crawled; the sitemap's absolute address (when the site's is known)."""
    sitemap = f"Sitemap: {site_url.rstrip('/')}/sitemap.xml\n" if site_url else ""
    return "User-agent: *\nAllow: /\n" + sitemap
