"""sitemap.xml: every page of the built site, home pages included (mkdocs lists only its own)."""
from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape as xml_escape


def write_sitemap(site_dir: Path, site_url: str) -> int:
    """Write sitemap.xml listing every page under ``site_dir``; returns the number of pages."""
    base = site_url.rstrip("/") + "/"
    pages = sorted(p.parent.relative_to(site_dir).as_posix() for p in site_dir.rglob("index.html")
                   if not p.relative_to(site_dir).as_posix().startswith(("pagefind/", "data/")))
    urls = "".join(f"<url><loc>{xml_escape(base + ('' if p == '.' else p + '/'))}</loc></url>" for p in pages)
    (site_dir / "sitemap.xml").write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                                          f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n', encoding="utf-8")
    (site_dir / "sitemap.xml.gz").unlink(missing_ok=True)
    return len(pages)
