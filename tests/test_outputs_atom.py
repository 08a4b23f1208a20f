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


def _feed(prov, releases_dir, day, published=None):
    """changes.atom as a build on ``day`` writes it (releases.changelog, outputs.atom), without the pages;
    ``published``: the feed text the site published before."""
    from carehomes.outputs.atom import atom, published_dates
    from carehomes.releases import changelog, current_records, list_releases

    profiles = check_paths([prov], on=day).profiles
    entries = changelog(list_releases(releases_dir), current_records([p.data for p in profiles]), day)
    before = {}
    if published is not None:
        (prov.parent / "published.atom").write_text(published, encoding="utf-8")
        before = published_dates(prov.parent / "published.atom")
    return atom(entries, "https://example.org/", "Homes", day, before)


def _feed_entries(text):
    feed = ET.fromstring(text)
    return [(e.find(f"{ATOM}id").text, e.find(f"{ATOM}title").text, e.find(f"{ATOM}updated").text)
            for e in feed.findall(f"{ATOM}entry")]


def _released_then_changed(tmp_path, rating_date="2025-03-14"):
    """The fixtures released on 1 October 2026, then the full home's rating changed (its date ``rating_date``)."""
    prov, releases = tmp_path / "providers", tmp_path / "releases"
    shutil.copytree(FIXTURES / "profiles", prov)
    snapshot(data_files(check_paths([prov], on=TODAY).profiles), releases, dt.date(2026, 10, 1))
    f = prov / "example-full.yaml"
    f.write_text(f.read_text().replace("  rating: Good\n", "  rating: Requires improvement\n")
                 .replace("  rating_date: 2025-03-14\n", f"  rating_date: {rating_date}\n"))
    return prov, releases


def test_unreleased_changes_are_dated_by_the_day_they_were_first_published_not_by_a_fact(tmp_path):
    """A feed reader takes <updated> as when the entry changed: the changes appear on the day a build first
    publishes them, whatever the dates of the facts (a rating published before the release it follows, or a
    vacancy confirmed the day before), and keep that day while the same changes are republished."""
    prov, releases = _released_then_changed(tmp_path)
    day1 = _feed(prov, releases, TODAY)
    unreleased = _feed_entries(day1)[0]
    assert unreleased[1:] == ("Changes since the release of 2026-10-01", "2026-11-23T00:00:00Z")
    day2 = _feed(prov, releases, TODAY + dt.timedelta(days=30), published=day1)
    assert day2 == day1  # the whole feed, its own <updated> included
    fresh = _feed(prov, releases, TODAY + dt.timedelta(days=30))  # no feed published before: first seen today
    assert _feed_entries(fresh)[0] == (unreleased[0], unreleased[1], "2026-12-23T00:00:00Z")
    # a date the feed before gives that is before the release the changes follow is not believed
    assert _feed_entries(_feed(prov, releases, TODAY, published=day1.replace("2026-11-23T", "2026-09-01T")))[0][2] == (
        "2026-11-23T00:00:00Z")


def test_a_fact_newer_than_the_day_does_not_date_the_entry(tmp_path):
    prov, releases = _released_then_changed(tmp_path, rating_date="2026-11-22")
    assert _feed_entries(_feed(prov, releases, dt.date(2026, 11, 25)))[0][2] == "2026-11-25T00:00:00Z"


def test_a_release_entry_is_dated_by_its_release(tmp_path):
    """Released, the same entry (its id) takes the release's title and day: it changed then, and never after."""
    prov, releases = _released_then_changed(tmp_path, rating_date="2026-11-22")
    before = _feed(prov, releases, TODAY)
    unreleased = _feed_entries(before)[0]
    snapshot(data_files(check_paths([prov], on=TODAY).profiles), releases, dt.date(2026, 12, 1))
    after = _feed(prov, releases, dt.date(2026, 12, 9), published=before)
    assert _feed_entries(after) == [(unreleased[0], "Release of 2026-12-01", "2026-12-01T00:00:00Z"),
                                    ("https://example.org/open-data/#first-release-2026-10-01", "First release: 2 homes",
                                     "2026-10-01T00:00:00Z")]
    assert "<updated>2026-12-01T00:00:00Z</updated><link rel=\"self\"" in after


def test_a_feed_that_cannot_be_read_gives_no_dates(tmp_path):
    from carehomes.outputs.atom import published_dates

    assert published_dates(tmp_path / "missing.atom") == {}
    (tmp_path / "cut.atom").write_text('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x', encoding="utf-8")
    assert published_dates(tmp_path / "cut.atom") == {}
    (tmp_path / "odd.atom").write_text('<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>a</id><updated>soon</updated>'
                                       '</entry><entry><id>b</id><updated>2026-11-23T00:00:00Z</updated></entry></feed>',
                                       encoding="utf-8")
    assert published_dates(tmp_path / "odd.atom") == {"b": dt.date(2026, 11, 23)}


def test_a_hostile_feed_gives_no_dates_and_stops_no_build(tmp_path, monkeypatch):
    """The feed the cache kept (checkcache.kept_feed) is whatever was put there: an encoding Python does not know, a
    named pipe (read, it would wait for ever), a file over MAX_FEED_BYTES, or deep or long XML, which is read in a
    bounded memory, gives no dates, without an error; a feed as atom writes it, its dates."""
    import os
    import threading

    from carehomes.outputs import atom as atom_module
    from carehomes.outputs.atom import published_dates

    entry = '<entry><id>b</id><updated>2026-11-23T00:00:00Z</updated></entry>'
    feed = f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">{entry}</feed>'
    for name, text in (("bogus", feed.replace("utf-8", "bogus")), ("utf-32", feed.replace("utf-8", "utf-32"))):
        (tmp_path / name).write_text(text)
        assert published_dates(tmp_path / name) == {}, name
    pipe = tmp_path / "pipe.atom"
    os.mkfifo(pipe)

    def write() -> None:  # waits for a reader
        try:
            pipe.write_text(feed)
        except BrokenPipeError:  # the reader gone first
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        assert published_dates(pipe) == {}
    finally:
        for _ in range(500):  # lets the writer go, however late it reaches its open
            os.close(os.open(pipe, os.O_RDONLY | os.O_NONBLOCK))
            writer.join(0.01)
            if not writer.is_alive():
                break
    long = tmp_path / "long.atom"
    long.write_text(feed.replace(entry, entry + "<x/>" * 100_000 + entry.replace(">b<", ">c<")))
    assert published_dates(long) == {"b": dt.date(2026, 11, 23), "c": dt.date(2026, 11, 23)}
    monkeypatch.setattr(atom_module, "MAX_FEED_BYTES", 100_000)
    assert published_dates(long) == {}


@pytest.mark.slow  # builds two sites
def test_a_rebuild_keeps_the_day_the_site_first_published_the_changes(tmp_path, monkeypatch):
    prov, releases = _released_then_changed(tmp_path)
    checked = check_paths([prov], on=TODAY)
    site = tmp_path / "site"
    for day, epoch in ((TODAY, "1795392000"), (TODAY + dt.timedelta(days=1), "1795478400")):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        build_site(checked.profiles, site, today=day, index=False, releases_dir=releases)
        feed = ET.parse(site / "data" / "changes.atom").getroot()
        assert feed.find(f"{ATOM}entry").findtext(f"{ATOM}updated") == "2026-11-23T00:00:00Z"
        assert feed.findtext(f"{ATOM}updated") == "2026-11-23T00:00:00Z"
    other = tmp_path / "elsewhere"  # a first build into another folder publishes them that day
    build_site(checked.profiles, other, today=TODAY + dt.timedelta(days=1), index=False, releases_dir=releases)
    assert ET.parse(other / "data" / "changes.atom").getroot().find(f"{ATOM}entry").findtext(f"{ATOM}updated") == (
        "2026-11-24T00:00:00Z")
    # with the cache on (the publish workflow keeps it), a build with no site to replace takes the feed the last
    # build of the same site kept there: a fresh checkout does not date the changes anew each day
    monkeypatch.setenv("CAREHOMES_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")
    build_site(checked.profiles, tmp_path / "first", today=TODAY, index=False, releases_dir=releases)
    fresh = tmp_path / "fresh-checkout"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795564800")  # two days later
    build_site(checked.profiles, fresh, today=TODAY + dt.timedelta(days=2), index=False, releases_dir=releases)
    assert ET.parse(fresh / "data" / "changes.atom").getroot().find(f"{ATOM}entry").findtext(f"{ATOM}updated") == (
        "2026-11-23T00:00:00Z")
    [kept] = (tmp_path / "cache" / "feed").iterdir()  # the one feed this site last built, no temporary file left
    assert kept.read_bytes() == (fresh / "data" / "changes.atom").read_bytes()
