"""The Atom feed: stable entry ids across rebuilds, discoverable from every page, readable as a page."""
from __future__ import annotations

import datetime as dt
import shutil
import xml.etree.ElementTree as ET

import pytest
from conftest import FIXTURES, TODAY

from carehomes.pipeline import build_site, check_paths
from carehomes.publish import data_files
from carehomes.releases import snapshot

ATOM = "{http://www.w3.org/2005/Atom}"
FEED_LINK = '<link rel="alternate feed" type="application/atom+xml" title="Herefordshire care homes directory: data changes" href="'


def _two_days(tmp_path, monkeypatch):
    """The same unreleased change built on 23 and 24 November: both sites."""
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    releases = tmp_path / "releases"
    snapshot(data_files(check_paths([prov], on=TODAY).profiles), releases, dt.date(2026, 10, 1))
    f = prov / "example-full.yaml"
    f.write_text(f.read_text().replace("  rating: Good\n", "  rating: Requires improvement\n"))
    checked = check_paths([prov], on=TODAY)
    sites = []
    for day, epoch in ((TODAY, "1795392000"), (TODAY + dt.timedelta(days=1), "1795478400")):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        out = tmp_path / f"site-{day.isoformat()}"
        build_site(checked.profiles, out, today=day, index=False, releases_dir=releases)
        sites.append(out)
    return sites


def _entries(site):
    feed = ET.parse(site / "data" / "changes.atom").getroot()
    return [(e.find(f"{ATOM}id").text, e.find(f"{ATOM}title").text, e.find(f"{ATOM}link").get("href"))
            for e in feed.findall(f"{ATOM}entry")]


@pytest.mark.slow  # builds sites
def test_same_changes_keep_their_entry_id_across_days(tmp_path, monkeypatch):
    day1, day2 = _two_days(tmp_path, monkeypatch)
    first, second = _entries(day1), _entries(day2)
    assert [t for _, t, _ in first] == ["Changes since the release of 2026-10-01", "First release: 2 homes"]
    assert first == second
    assert "2026-11-23" not in first[0][0] and "2026-11-24" not in second[0][0]
    assert first[0][0].startswith("https://example-council.github.io/care-homes/open-data/#changes-since-2026-10-01-")
    assert first[0][2] == "https://example-council.github.io/care-homes/changes/#unreleased"
    # A different change set is a different entry.
    changed = tmp_path / "other"
    (tmp_path / "providers" / "example-minimal.yaml").unlink()
    build_site(check_paths([tmp_path / "providers"], on=TODAY).profiles, changed, today=TODAY, index=False,
               releases_dir=tmp_path / "releases")
    assert _entries(changed)[0][0] != first[0][0]


@pytest.mark.slow  # builds a site
def test_changes_page_shows_the_feed_entries(tmp_path, monkeypatch):
    day1, _ = _two_days(tmp_path, monkeypatch)
    page = (day1 / "changes" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="unreleased">Changes since the release of 2026-10-01</h2>' in page
    assert "Example Full House (fictional): CQC rating changed from Good to Requires improvement (published 2025-03-14)." in page
    assert 'href="../data/changes.atom"' in page
    assert '<h2 id="release-2026-10-01">First release: 2 homes</h2>' in page


def test_every_page_type_links_the_feed_in_its_head(built_site):
    site, _ = built_site
    pages = {"index.html": "data/changes.atom", "404.html": "/care-homes/data/changes.atom", "find/index.html": "../data/changes.atom",
             "open-data/index.html": "../data/changes.atom", "changes/index.html": "../data/changes.atom",
             "browse/index.html": "../data/changes.atom", "market/index.html": "../data/changes.atom",
             "homes/example-full/index.html": "../../data/changes.atom"}
    for rel, href in pages.items():
        text = (site / rel).read_text(encoding="utf-8")
        head = text[:text.index("</head>")]
        assert FEED_LINK + href + '">' in head, rel
    page = (site / "open-data" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../data/changes.atom">the feed of changes</a>' in page
    assert '<a href="../changes/">Changes to the data</a>' in page


def _feed(prov, releases_dir, day):
    """changes.atom as a build on ``day`` writes it (releases.changelog, outputs.atom), without the pages."""
    from carehomes.outputs.atom import atom
    from carehomes.releases import changelog, current_records, list_releases

    profiles = check_paths([prov], on=day).profiles
    entries = changelog(list_releases(releases_dir), current_records([p.data for p in profiles]), day)
    return atom(entries, "https://example.org/", "Homes", day)


def _feed_entries(text):
    feed = ET.fromstring(text)
    return [(e.find(f"{ATOM}id").text, e.find(f"{ATOM}title").text, e.find(f"{ATOM}updated").text)
            for e in feed.findall(f"{ATOM}entry")]


@pytest.mark.slow  # builds feeds of several days
def test_feed_dates_and_ids_stay_the_same_across_days_and_the_release(tmp_path):
    prov, releases = tmp_path / "providers", tmp_path / "releases"
    shutil.copytree(FIXTURES / "profiles", prov)
    snapshot(data_files(check_paths([prov], on=TODAY).profiles), releases, dt.date(2026, 10, 1))
    f = prov / "example-full.yaml"
    f.write_text(f.read_text().replace("  rating: Good\n", "  rating: Requires improvement\n"))
    day1, day2 = _feed(prov, releases, TODAY), _feed(prov, releases, TODAY + dt.timedelta(days=30))
    assert day1 == day2  # the whole feed, its own <updated> included
    unreleased = _feed_entries(day1)[0]
    assert unreleased[1] == "Changes since the release of 2026-10-01"
    assert unreleased[2] == "2026-11-20T00:00:00Z"  # the newest dated fact of the home changed (its beds confirmed)
    # the changes are released on 1 December: the same entry (id and date), now under the release's title
    snapshot(data_files(check_paths([prov], on=TODAY).profiles), releases, dt.date(2026, 12, 1))
    after = _feed_entries(_feed(prov, releases, dt.date(2026, 12, 2)))
    assert after[0] == (unreleased[0], "Release of 2026-12-01", unreleased[2])
    assert [e[1] for e in after] == ["Release of 2026-12-01", "First release: 2 homes"]


def test_an_entry_is_dated_by_the_newest_fact_of_the_homes_it_names(tmp_path):
    prov, releases = tmp_path / "providers", tmp_path / "releases"
    shutil.copytree(FIXTURES / "profiles", prov)
    snapshot(data_files(check_paths([prov], on=TODAY).profiles), releases, dt.date(2026, 10, 1))
    f = prov / "example-full.yaml"
    f.write_text(f.read_text().replace("  rating: Good\n", "  rating: Requires improvement\n")
                 .replace("  rating_date: 2025-03-14\n", "  rating_date: 2026-11-22\n"))
    assert _feed_entries(_feed(prov, releases, TODAY))[0][2] == "2026-11-22T00:00:00Z"
