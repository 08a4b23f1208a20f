"""Releases, changelog, Atom feed, GeoJSON, sitemap and the market page."""
from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET

import yaml

from carehomes.pipeline import check_paths
from carehomes.publish import data_files
from carehomes.releases import snapshot
from carehomes.pipeline import build_site
from conftest import FIXTURES, ROOT, TODAY, run_build

ATOM = "{http://www.w3.org/2005/Atom}"


def test_changed_profile_gives_changelog_entry_and_feed_item(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-23
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    releases = tmp_path / "releases"
    first = check_paths([prov], on=TODAY)
    import datetime as dt
    snapshot(data_files(first.profiles), releases, dt.date(2026, 10, 1))
    f = prov / "example-full.yaml"
    f.write_text(f.read_text().replace("  rating: Good\n", "  rating: Requires improvement\n").replace("  registered: 40\n", "  registered: 30\n"))
    (prov / "example-minimal.yaml").unlink()
    checked = check_paths([prov], on=TODAY)
    out = tmp_path / "site"
    build_site(checked.profiles, out, today=TODAY, index=False, releases_dir=releases)
    page = (out / "open-data" / "index.html").read_text()
    assert "Changes since the release of 2026-10-01" in page
    assert "Example Full House (fictional): CQC rating changed from Good to Requires improvement." in page
    assert "Example Full House (fictional): registered beds changed from 40 to 30." in page
    assert "Example Minimal (fictional) was removed from the directory." in page
    feed = ET.parse(out / "data" / "changes.atom").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Changes since the release of 2026-10-01", "First release: 2 homes"]
    assert "CQC rating changed from Good to Requires improvement" in entries[0].find(f"{ATOM}content").text
    assert (out / "data" / "releases" / "2026-10-01" / "care-homes.csv").read_text().count("\n") == 3
    assert 'href="../data/releases/2026-10-01/care-homes.csv"' in page


def test_release_command_refuses_twice_a_day(tmp_path):
    rel = tmp_path / "releases"
    assert run_build("release", "--providers", str(FIXTURES / "profiles"), "--releases", str(rel)).returncode == 0
    r = run_build("release", "--providers", str(FIXTURES / "profiles"), "--releases", str(rel))
    assert r.returncode == 1 and "a release is made once a day" in r.stderr


def test_geojson_and_version(tmp_path):
    checked = check_paths([ROOT / "providers"], on=TODAY)
    files = data_files(checked.profiles)
    gj = json.loads(files["care-homes.geojson"])
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 88
    aston = next(f for f in gj["features"] if f["id"] == "1-10048660596")
    assert aston["geometry"] == {"type": "Point", "coordinates": [-2.687262, 52.049615]}
    pkg = json.loads(files["datapackage.json"])
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d{1,2}", pkg["version"]) and pkg["schemaVersion"] == "1.0.0"
    assert gj["metadata"]["version"] == pkg["version"]


def test_sitemap_and_market_page(tmp_path):
    checked = check_paths([ROOT / "providers", FIXTURES / "profiles"], on=TODAY)
    out = tmp_path / "site"
    build_site(checked.profiles, out, today=TODAY, index=False)
    sm = (out / "sitemap.xml").read_text()
    assert "homes/aston-house/</loc>" in sm and "market/</loc>" in sm
    market = (out / "market" / "index.html").read_text()
    herefordshire = [yaml.safe_load(f.read_text()) for f in (ROOT / "providers").glob("[!_]*.yaml")]
    assert f"Figures for {len(herefordshire) + 2} care homes" in market
    assert market.count('role="img"') == 3 and market.count("<title id=") == 3 and market.count("<desc id=") == 3
    hereford_beds = sum(h["beds"]["registered"] for h in herefordshire if h["locality"] == "Herefordshire")
    # two localities (Herefordshire and the fictional Exampleshire): grouped by local authority area
    assert f'<th scope="row">Herefordshire</th><td>{hereford_beds:,}</td>' in market
    assert "No home" in market and "Tracheostomy" in market
    # columns: Herefordshire (no answers yet: a gap), then the fictional Exampleshire
    assert re.search(r'<th scope="row">Tracheostomy</th><td><strong class="ch-gap">No home</strong></td><td>1 home \(2 / 0 beds\)</td>', market)
