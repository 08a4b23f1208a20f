"""sitemap.xml (every page of the built site, home pages included: mkdocs lists only its own, each with
the date of its newest fact) and robots.txt (which points crawlers at the sitemap)."""
from __future__ import annotations

import datetime as dt
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
    pages = sorted(p.parent.relative_to(site_dir).as_posix() for p in site_dir.rglob("index.html")
                   if not p.relative_to(site_dir).as_posix().startswith(("data/", "oruk/")))
    urls = []
    for p in pages:
        when = lastmod[p] if p in lastmod else default
        mod = f"<lastmod>{when.isoformat()}</lastmod>" if when else ""
        urls.append(f"<url><loc>{xml_escape(base + ('' if p == '.' else p + '/'))}</loc>{mod}</url>")
    (site_dir / "sitemap.xml").write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                                          f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(urls)}</urlset>\n', encoding="utf-8")
    (site_dir / "sitemap.xml.gz").unlink(missing_ok=True)
    return len(pages)


def robots_txt(site_url: str) -> str:
    """robots.txt: every page may be crawled; the sitemap's absolute address (when the site's is known)."""
    sitemap = f"Sitemap: {site_url.rstrip('/')}/sitemap.xml\n" if site_url else ""
    return "User-agent: *\nAllow: /\n" + sitemap
