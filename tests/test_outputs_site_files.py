"""Files for crawlers and table readers: robots.txt, sitemap.xml's lastmod, every CSV's line ends."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_robots_txt_points_at_the_sitemap(built_site):
    site, _ = built_site
    assert (site / "robots.txt").read_text(encoding="utf-8") == (
        "User-agent: *\nAllow: /\nSitemap: https://example-council.github.io/care-homes/sitemap.xml\n")


def test_sitemap_dates_each_page_by_its_newest_fact(built_site):
    site, _ = built_site
    urls = {u.find(f"{SM}loc").text: getattr(u.find(f"{SM}lastmod"), "text", None)
            for u in ET.parse(site / "sitemap.xml").getroot().findall(f"{SM}url")}
    base = "https://example-council.github.io/care-homes/"
    assert urls[base + "homes/example-full/"] == "2026-11-20"  # beds confirmed on 20 November
    assert urls[base + "homes/example-minimal/"] is None  # no dated fact: no lastmod rather than a guess
    newest = max(d for d in urls.values() if d)
    assert urls[base] == newest and urls[base + "find/"] == newest
    dated = [d for d in urls.values() if d]
    assert len(dated) > 80 and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dated)


def test_every_published_csv_ends_its_lines_with_crlf(built_site):
    site, _ = built_site
    # releases/<date>/ are copies of snapshots as they were published (the first one before CRLF): never rewritten
    files = sorted(f for f in (site / "data").rglob("*.csv") if "releases" not in f.relative_to(site / "data").parts)
    assert {f.name for f in files} >= {"care-homes.csv", "capabilities.csv", "nhs-trusts.csv", "care-homes-excel.csv"}
    for f in files:
        data = f.read_bytes()
        assert data.endswith(b"\r\n") and data.count(b"\n") == data.count(b"\r\n"), f


def test_open_data_page_links_the_workbook_and_datasette_lite(built_site):
    site, _ = built_site
    page = (site / "open-data" / "index.html").read_text(encoding="utf-8")
    assert ('<a href="https://lite.datasette.io/?url=https://example-council.github.io/care-homes/data/care-homes.db">'
            "Explore in Datasette Lite</a>") in page
    assert '<a href="../data/care-homes.xlsx">care-homes.xlsx</a>' in page
    assert "select address_town, cqc_rating, count(*) as homes from care_homes" in page
