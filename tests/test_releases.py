"""Releases, changelog, Atom feed, GeoJSON, sitemap and the market page."""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET

import yaml

from carehomes.pipeline import check_paths
from carehomes.publish import data_files
from carehomes.releases import SNAPSHOT_NAME, list_releases, snapshot
from carehomes.pipeline import build_site
import pytest
from conftest import FIXTURES, ROOT, TODAY, run_build

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.slow  # builds sites
def test_changed_profile_gives_changelog_entry_and_feed_item(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-23
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    releases = tmp_path / "releases"
    first = check_paths([prov], on=TODAY)
    import datetime as dt
    snapshot(data_files(first.profiles), releases, dt.date(2026, 10, 1))
    f = prov / "example-full.yaml"
    f.write_text(f.read_text().replace("  rating: Good\n", "  rating: Requires improvement\n").replace("  rating_date: 2025-03-14\n", "  rating_date: 2026-09-20\n").replace("  registered: 40\n", "  registered: 30\n"))
    (prov / "example-minimal.yaml").unlink()
    checked = check_paths([prov], on=TODAY)
    out = tmp_path / "site"
    build_site(checked.profiles, out, today=TODAY, index=False, releases_dir=releases)
    page = (out / "open-data" / "index.html").read_text()
    assert "Changes since the release of 2026-10-01" in page
    assert "Example Full House (fictional): CQC rating changed from Good to Requires improvement (published 2026-09-20)." in page
    assert "Example Full House (fictional): registered beds changed from 40 to 30." in page
    assert "Example Minimal (fictional) was removed from the directory." in page
    feed = ET.parse(out / "data" / "changes.atom").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Changes since the release of 2026-10-01", "First release: 2 homes"]
    assert "CQC rating changed from Good to Requires improvement (published 2026-09-20)" in entries[0].find(f"{ATOM}content").text
    assert (out / "data" / "releases" / "2026-10-01" / "care-homes.csv").read_text().count("\n") == 3
    assert 'href="../data/releases/2026-10-01/care-homes.csv"' in page
    market = (out / "market" / "index.html").read_text()
    assert '<h3 id="change-since-release">Change since the release of 2026-10-01</h3>' in market
    assert 'href="../market/change-since-release.csv" download' in market
    assert (out / "market" / "change-since-release.csv").read_text().splitlines()[1:] == [
        "Exampleton,1,1,0,30,0,40,0,-10,0", "Unknown,0,1,-1,0,0,not known,1,not known,1",  # no home now: 0 beds
        "Total,1,2,-1,30,0,40,1,-10,1"]
    assert all((out / "market" / f"{t}.csv").is_file() for t in ("capacity-by-kind", "quality", "fees", "homes-and-beds", "needs"))


@pytest.mark.slow  # builds a site
def test_a_folder_in_releases_not_named_by_its_day_is_named_by_build_not_passed_over(tmp_path):
    """A copied or renamed snapshot ('2026-10-01 copy') was left out of the changelog without a word."""
    from carehomes.releases import stray_folders

    rel = tmp_path / "releases"
    for name in ("2026-10-01 copy", ".git", "notes"):
        (rel / name).mkdir(parents=True)
    (rel / "README.md").write_text("x")
    said = "not a release snapshot (a snapshot's folder is named by its day, YYYY-MM-DD), so the changelog leaves it out; " \
           "rename it by its day, or move it out of the releases folder"
    assert stray_folders(rel) == [f"{rel / '2026-10-01 copy'}: {said}", f"{rel / 'notes'}: {said}"]
    assert stray_folders(tmp_path / "none") == []
    r = run_build("build", "--providers", str(FIXTURES / "profiles"), "--releases", str(rel), "--out", str(tmp_path / "site"),
                  "--no-search")
    assert r.returncode == 0, r.stderr
    assert f"warning: {rel / '2026-10-01 copy'}: {said}\n" in r.stderr


def test_a_stray_folder_named_with_a_line_break_or_an_escape_is_warned_of_in_one_line(tmp_path):
    """A folder's name is written into the build's warning as it is: a line break in it started a line of its own (a
    second, made-up warning), and a terminal escape reached the terminal (ESC[31m turned its text red). Both are
    shown as escapes, in one line."""
    from carehomes.releases import stray_folders

    rel = tmp_path / "releases"
    (rel / "x\nwarning: forged").mkdir(parents=True)
    (rel / "esc\x1b[31mred").mkdir()
    said = "not a release snapshot (a snapshot's folder is named by its day, YYYY-MM-DD), so the changelog leaves it out; " \
           "rename it by its day, or move it out of the releases folder"
    assert stray_folders(rel) == [f"{rel}/esc\\x1b[31mred: {said}", f"{rel}/x\\nwarning: forged: {said}"]


def test_release_command_refuses_twice_a_day(tmp_path):
    rel = tmp_path / "releases"
    assert run_build("release", "--providers", str(FIXTURES / "profiles"), "--releases", str(rel)).returncode == 0
    r = run_build("release", "--providers", str(FIXTURES / "profiles"), "--releases", str(rel))
    assert r.returncode == 1 and "a release is made once a day" in r.stderr


@pytest.mark.slow  # builds a site
def test_geojson_and_version(tmp_path):
    checked = check_paths([ROOT / "providers"], on=TODAY)
    files = data_files(checked.profiles)
    gj = json.loads(files["care-homes.geojson"])
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 88
    aston = next(f for f in gj["features"] if f["id"] == "1-10048660596")
    assert aston["geometry"] == {"type": "Point", "coordinates": [-2.687262, 52.049615]}
    pkg = json.loads(files["datapackage.json"])
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d{1,2}", pkg["version"]) and pkg["schemaVersion"] == "2.1.0"
    assert gj["metadata"]["version"] == pkg["version"]


@pytest.mark.slow  # builds a site
def test_sitemap_and_market_page(tmp_path):
    checked = check_paths([ROOT / "providers", FIXTURES / "profiles"], on=TODAY)
    out = tmp_path / "site"
    build_site(checked.profiles, out, today=TODAY, index=False)
    sm = (out / "sitemap.xml").read_text()
    assert "homes/aston-house/</loc>" in sm and "market/</loc>" in sm
    market = (out / "market" / "index.html").read_text()
    herefordshire = [yaml.safe_load(f.read_text()) for f in (ROOT / "providers").glob("[!_]*.yaml")]
    assert re.search(rf"<strong>CQC data as at \d{{1,2}} [A-Z][a-z]+ \d{{4}}</strong>: {len(herefordshire) + 2} registered care homes", market)
    assert market.count('role="img"') == 3 and market.count("<title id=") == 3 and market.count("<desc id=") == 3
    hereford_beds = sum(h["beds"]["registered"] for h in herefordshire if h["locality"] == "Herefordshire")
    # two localities (Herefordshire and the fictional Exampleshire): grouped by local authority area
    assert f'<th scope="row">Herefordshire</th><td>{hereford_beds:,}</td>' in market
    # columns: all areas, Herefordshire (no home has answered: not known, never a gap), then the fictional Exampleshire
    assert ('<th scope="row">Tracheostomy</th><td>1 of 90</td><td><span class="ch-unknown">Not known</span></td>'
            "<td>1 home can (beds: 2 / 0); 1 told us</td>") in market
    # the fictional full home answered "no" to spinal rehabilitation: a real gap in Exampleshire
    assert ('<th scope="row">Spinal rehabilitation</th><td>1 of 90</td><td><span class="ch-unknown">Not known</span></td>'
            '<td><strong class="ch-gap">No home can</strong>; 1 told us</td>') in market
    assert ('<th scope="row">Non-weight bearing</th><td>0 of 90</td><td><span class="ch-unknown">Not known</span></td>'
            '<td><span class="ch-unknown">Not known</span></td>') in market
    assert market.count("ch-gap") == 1 and market.count('<span class="ch-unknown">Not known</span>') == 10 + 7
    # registered managers: the real register extract does not say; the fictional full home has one
    assert ("Homes with no registered manager in post according to CQC: 0 of the 1 whose CQC data says. "
            "For 89 homes it is not known.") in market
    assert "0 homes have no registered manager" not in market
    assert ('<th scope="row">Herefordshire</th><td>88</td><td>29</td><td>61</td><td>2,150</td><td>not known</td><td>not known</td>') in market
    assert ('<th scope="row">Exampleshire</th><td>2</td><td>1 (1 not known)</td><td>1 (1 not known)</td>'
            "<td>40 (1 home not known)</td><td>30 (1 home)</td><td>10 (1 home)</td>") in market
    assert ('<th scope="row">Herefordshire</th><td>not known</td><td>not known</td><td>0 of 88</td><td>no reports</td>'
            "<td>no reports</td>") in market
    assert '<th scope="row">CQC ratings more than 2 years old on 23 November 2026 (the day the site was built, as each home page flags them)</th><td>0 of 1 with a rating date (89 without)</td>' in market


def test_market_page_with_no_answers_says_not_known(tmp_path):
    """The bundled real homes alone: nothing the homes give is known, and the page never turns that into 0 or 'no'."""
    from carehomes.market import market_html
    from carehomes.views import HomeView

    views = [HomeView(p.data, TODAY) for p in check_paths([ROOT / "providers"], on=TODAY).profiles]
    market = market_html(views, TODAY)
    assert "ch-gap" not in market and market.count('<span class="ch-unknown">Not known</span>') == 10 * 12
    assert ('<th scope="row">Tracheostomy</th><td>0 of 88</td>' + '<td><span class="ch-unknown">Not known</span></td>' * 12
            + "</tr>") in market
    assert ("Whether a registered manager is in post is not known for all 88 homes: the CQC data we hold does not say. "
            "No home in this directory had closed by 31 March 2021, the date of CQC's register.") in market.replace("&#x27;", "'")
    assert '<th scope="row">Vacancies more than 7 days old</th><td>no home has told us its vacancies</td>' in market
    assert '<th scope="row">CQC ratings more than 2 years old on 23 November 2026 (the day the site was built, as each home page flags them)</th><td>not known: no home has a rating date</td>' in market
    assert '<th scope="row">Hereford</th><td>35</td><td>14</td><td>21</td><td>991</td><td>not known</td><td>not known</td>' in market


def test_newest_fact_reads_dates_datetimes_and_iso_text_and_skips_what_is_not_a_date():
    import datetime as dt

    from carehomes.records import set_path
    from carehomes.releases import newest_fact
    from carehomes.schema import load_schema

    schema = load_schema()
    dated = [f.path for f in schema.home_fields if f.type == "date"]
    assert len(dated) >= 3, dated

    def record(values: dict) -> dict:
        out: dict = {}
        for path, value in values.items():
            set_path(out, path.split("."), value)
        return out

    assert newest_fact({}, schema) is None
    assert newest_fact(record({dated[0]: None, dated[1]: "not a date"}), schema) is None
    assert newest_fact(record({dated[0]: dt.date(2024, 1, 2), dated[1]: "2025-03-04T10:00:00"}), schema) == dt.date(2025, 3, 4)
    assert newest_fact(record({dated[0]: dt.datetime(2026, 5, 6, 7, 8), dated[2]: "2025-03-04"}), schema) == dt.date(2026, 5, 6)


def test_a_releases_folder_that_cannot_be_read_is_one_message_for_build_report_and_release(tmp_path, monkeypatch):
    """A releases folder this user may not list ended build with 'The build failed ... [Errno 13]' and report and
    release with whatever the OSError said: each now says which folder and what to do, and writes nothing."""
    from pathlib import Path

    rel = tmp_path / "releases"
    rel.mkdir()
    real = Path.iterdir

    def refused(self):
        if self == rel:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "iterdir", refused)
    said = f"{rel}: the releases folder cannot be read (Permission denied); give this user permission to read it, or name another with --releases"
    for args in (("build", "--out", str(tmp_path / "site"), "--no-search"), ("report", "--out", str(tmp_path / "r")),
                 ("release",)):
        r = run_build(*args, "--providers", str(FIXTURES / "profiles"), "--releases", str(rel))
        assert r.returncode == 1 and said in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
    assert not (tmp_path / "site").exists() and not (tmp_path / "r" / "commissioner-report.html").exists()


@pytest.mark.slow  # frictionless validates a release (over half a second: the fast set stays under 30 s)
def test_a_release_snapshot_s_datapackage_describes_only_its_own_files_and_validates(tmp_path):
    """A snapshot keeps the tables (care-homes.csv, capabilities.csv, home-care-agencies.csv for Oldham's agencies) and
    datapackage.json; that package described the workbook, database, JSON, GeoJSON and ORUK files as well, which a
    snapshot does not keep, so 'frictionless validate' of an earlier release (data/releases/<date>/) failed on each."""
    import datetime as dt

    from frictionless import Package

    files = data_files(check_paths([ROOT / "areas" / "oldham" / "providers"]).profiles)
    folder = snapshot(files, tmp_path / "releases", dt.date(2026, 10, 1))
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    kept = sorted(p.name for p in folder.iterdir() if p.name != "datapackage.json")
    assert kept == ["capabilities.csv", "care-homes.csv", "home-care-agencies.csv"]
    assert sorted(r["path"] for r in package["resources"]) == kept
    published = json.loads(files["datapackage.json"])
    same = ("resources", "description")
    assert {k: v for k, v in package.items() if k not in same} == {k: v for k, v in published.items() if k not in same}
    assert [r for r in published["resources"] if r["path"] in kept] == package["resources"]
    report = Package(str(folder / "datapackage.json")).validate()
    assert report.valid, report.flatten(["type", "note"])[:5]
    # its description says what the snapshot is, not the site's feed, workbook and ORUK API beside the published one
    assert "Also published with these files" in published["description"] and "oruk/" in published["description"]
    said = published["description"].split(" Also published with these files:")[0]
    assert package["description"] == (f"{said} The release of 2026-10-01, kept as it was published: care-homes.csv, "
                                      "capabilities.csv, home-care-agencies.csv and this datapackage.json.")


@pytest.mark.slow  # builds two sites
def test_a_site_names_release_snapshots_in_its_package_only_when_it_has_some(tmp_path):
    """The published datapackage.json's description said "releases/<date>/ (every earlier release's ...)" on every
    site, though an area without a release (Oldham's) publishes no data/releases/ folder."""
    import datetime as dt

    checked = check_paths([FIXTURES / "profiles"], on=TODAY)
    none, some = tmp_path / "none", tmp_path / "some"
    snapshot(data_files(checked.profiles), some, dt.date(2026, 10, 1))
    for releases in (none, some):
        build_site(checked.profiles, tmp_path / f"site-{releases.name}", today=TODAY, index=False, releases_dir=releases)
    without = json.loads((tmp_path / "site-none" / "data" / "datapackage.json").read_text(encoding="utf-8"))["description"]
    with_some = json.loads((tmp_path / "site-some" / "data" / "datapackage.json").read_text(encoding="utf-8"))["description"]
    assert not (tmp_path / "site-none" / "data" / "releases").exists() and "releases/" not in without
    assert (tmp_path / "site-some" / "data" / "releases" / "2026-10-01").is_dir()
    assert "releases/<date>/ (every earlier release's care-homes.csv, home-care-agencies.csv, capabilities.csv" in with_some
    assert "changes.atom" in without and "oruk/" in without


@pytest.mark.slow  # builds a site
def test_the_open_data_page_links_a_release_s_agencies_table(tmp_path):
    """A release of an area with agencies keeps home-care-agencies.csv (published under data/releases/<date>/), but
    the open data page linked only care-homes.csv, capabilities.csv and datapackage.json: the agencies' earlier
    table had no link. A release without agencies (Herefordshire's) is linked as before."""
    import datetime as dt

    checked = check_paths([ROOT / "areas" / "oldham" / "providers"], on=TODAY)
    releases = tmp_path / "releases"
    snapshot(data_files(checked.profiles), releases, dt.date(2026, 10, 1))
    (releases / "2026-09-01").mkdir()
    for name in ("care-homes.csv", "capabilities.csv", "datapackage.json"):
        shutil.copy(releases / "2026-10-01" / name, releases / "2026-09-01" / name)
    out = tmp_path / "site"
    build_site(checked.profiles, out, today=TODAY, index=False, releases_dir=releases)
    page = (out / "open-data" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="\.\./data/releases/([-0-9]+/[a-z-]+\.[a-z]+)"', page) == [
        "2026-10-01/care-homes.csv", "2026-10-01/home-care-agencies.csv", "2026-10-01/capabilities.csv",
        "2026-10-01/datapackage.json",
        "2026-09-01/care-homes.csv", "2026-09-01/capabilities.csv", "2026-09-01/datapackage.json"]
    assert (out / "data" / "releases" / "2026-10-01" / "home-care-agencies.csv").is_file()


# A release is made whole or not at all: its files are written in a hidden folder beside the day's, which is put in
# place (or swapped with the day's, for --force) only when every one is on the disk. A Ctrl+C (SIGINT to the process
# group at 0.33 s) left a reviewer's releases/<today>/care-homes.csv at 0 bytes, and a full disk left a dated folder
# without its datapackage.json: every build stopped after that, and release --force refused to repair it.

RELEASE_DAY = "2026-11-23"
DAMAGED_SAID = ("A damaged release snapshot was changed by hand or left half-written by an interrupted release (Ctrl+C, a "
                "full disk). To repair today's, make it again with: python3 build.py release --force --releases {rel}; to "
                "repair an older one, restore it from git (git checkout -- <folder>) or remove its folder")


def _tree(folder):
    return {str(f.relative_to(folder)): f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file()}


def _stop_after_first_file(monkeypatch, stop: BaseException) -> list[str]:
    """The snapshot's first file is written, then ``stop`` is raised as the second is (a Ctrl+C, a full disk)."""
    from carehomes import fsutil

    real, written = fsutil._write_synced, []

    def write(path, data):
        if written:
            raise stop
        written.append(path.name)
        return real(path, data)
    monkeypatch.setattr(fsutil, "_write_synced", write)
    return written


def _release(rel, *more: str, providers=FIXTURES / "profiles"):
    return run_build("release", "--providers", str(providers), "--releases", str(rel), *more)


@pytest.mark.parametrize("stop", ["ctrl-c", "full disk"])
def test_a_release_interrupted_half_way_leaves_the_releases_folder_as_it_was(tmp_path, monkeypatch, stop):
    """A new day's release stopped after its first file makes no dated folder; a --force over the day's snapshot
    stopped so leaves that snapshot byte for byte as it was; neither leaves a hidden folder behind."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795046400")  # 2026-11-19: an earlier release
    rel = tmp_path / "releases"
    assert _release(rel).returncode == 0
    before = _tree(rel)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-23
    raised = KeyboardInterrupt() if stop == "ctrl-c" else OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    written = _stop_after_first_file(monkeypatch, raised)
    r = _release(rel, providers=ROOT / "providers")
    full = (f"{rel / RELEASE_DAY / 'capabilities.csv'}: cannot be written: the disk is full (no space left on it). Free "
            f"some space on the disk that holds {rel}, or give --releases a folder on another disk, and run the command "
            "again; no release was made\n")
    assert (r.returncode, r.stderr) == ((130, "Interrupted.\n") if stop == "ctrl-c" else (1, full))
    assert written == ["care-homes.csv"]  # stopped half way, not before it began
    assert sorted(p.name for p in rel.iterdir()) == ["2026-11-19"] and _tree(rel) == before

    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")
    assert _release(rel).returncode == 0  # the day's snapshot, then one --force over it stopped half way
    before = _tree(rel)
    written = _stop_after_first_file(monkeypatch, raised)
    r = _release(rel, "--force", providers=ROOT / "providers")
    assert (r.returncode, r.stderr) == ((130, "Interrupted.\n") if stop == "ctrl-c" else (1, full))
    assert sorted(p.name for p in rel.iterdir()) == ["2026-11-19", RELEASE_DAY] and _tree(rel) == before


def test_release_force_repairs_a_damaged_snapshot_of_the_same_day(tmp_path, monkeypatch):
    """The reviewer's snapshot cut short by Ctrl+C (care-homes.csv of 0 bytes): build and release say what it is and
    what to do, and release --force, which refused with the same message, replaces it whole."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-23
    rel, fresh = tmp_path / "releases", tmp_path / "fresh"
    assert _release(rel).returncode == 0 and _release(fresh).returncode == 0
    homes = rel / RELEASE_DAY / "care-homes.csv"
    homes.write_bytes(b"")
    (rel / RELEASE_DAY / "datapackage.json").unlink()
    said = (f"{rel / RELEASE_DAY / 'datapackage.json'}: is missing; a release snapshot has care-homes.csv, capabilities.csv, "
            f"datapackage.json\n{homes}:1: has no column location_id or name; it is not a care-homes.csv made by the "
            f"release command\n{DAMAGED_SAID.format(rel=rel)}\n")
    r = _release(rel)
    assert (r.returncode, r.stderr) == (1, said + "No release was made.\n")
    r = run_build("build", "--providers", str(FIXTURES / "profiles"), "--releases", str(rel), "--out",
                  str(tmp_path / "site"), "--no-search")
    assert r.returncode == 1 and said in r.stderr and not (tmp_path / "site").exists()
    r = _release(rel, "--force")
    assert (r.returncode, r.stderr) == (0, f"Release snapshot written to {rel / RELEASE_DAY}. Commit it so that later builds "
                                           "compare with it.\n")
    assert _tree(rel) == _tree(fresh) and [d.isoformat() for d, _ in list_releases(rel)] == [RELEASE_DAY]


def test_release_force_still_refuses_an_older_damaged_snapshot(tmp_path, monkeypatch):
    """--force passes over only the day's snapshot, which it replaces: another one damaged is still refused."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795046400")  # 2026-11-19
    rel = tmp_path / "releases"
    assert _release(rel).returncode == 0
    (rel / "2026-11-19" / "care-homes.csv").write_bytes(b"")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-23
    r = _release(rel, "--force")
    assert (r.returncode, r.stderr) == (1, f"{rel / '2026-11-19' / 'care-homes.csv'}:1: has no column location_id or name; "
                                           f"it is not a care-homes.csv made by the release command\n{DAMAGED_SAID.format(rel=rel)}\n"
                                           "No release was made.\n")
    assert sorted(p.name for p in rel.iterdir()) == ["2026-11-19"]


def test_a_half_written_release_a_kill_left_is_passed_over_by_the_build_and_removed_by_the_next_release(tmp_path, monkeypatch):
    """SIGKILL (or a power cut) while a release writes leaves its hidden folder: list_releases and the build's warning
    of stray folders pass over it, nothing publishes it, and the next release removes it."""
    from carehomes.releases import stray_folders

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-23
    rel = tmp_path / "releases"
    left = rel / f".{RELEASE_DAY}.new-0123abcd"
    left.mkdir(parents=True)
    (left / "care-homes.csv").write_bytes(b"")
    assert list_releases(rel) == [] and stray_folders(rel) == []
    assert _release(rel).returncode == 0
    assert sorted(p.name for p in rel.iterdir()) == [RELEASE_DAY]


def test_write_folder_swaps_whole_and_puts_back_an_old_folder_two_renames_were_cut_between(tmp_path, monkeypatch):
    """Where the system cannot swap two folders in one step (no renameat2), two renames are made: the folder is still
    replaced whole; and one cut between them (SIGKILL) is put back by the next writer before it writes."""
    from carehomes import fsutil

    target = tmp_path / "2026-11-23"
    fsutil.write_folder(target, [("a.csv", b"old a"), ("b.csv", b"old b")])
    monkeypatch.setattr(fsutil, "_exchange", lambda a, b: False)
    fsutil.write_folder(target, [("a.csv", b"new a")], replace=True)
    assert _tree(tmp_path) == {"2026-11-23/a.csv": b"new a"}
    with pytest.raises(FileExistsError):
        fsutil.write_folder(target, [("a.csv", b"again")])
    target.rename(tmp_path / ".2026-11-23.old-0123abcd")  # cut between the two renames: the old one, and the new
    (tmp_path / ".2026-11-23.new-0123abcd").mkdir()  # one of the same writer not yet in its place
    assert sorted(p.name for p in fsutil.clean_half_written(tmp_path, SNAPSHOT_NAME)) == [
        ".2026-11-23.new-0123abcd", ".2026-11-23.old-0123abcd"]
    assert _tree(tmp_path) == {"2026-11-23/a.csv": b"new a"}


def test_a_release_never_touches_hidden_folders_it_did_not_leave(tmp_path):
    """The hostile review: before each release, any '.NAME.old-<8 hex>' was put back as NAME when NAME was missing (a
    link out of the folder became a snapshot; junk became today's, then every build stopped), and deleted when NAME was
    there (someone's '.notes.old-20261201' backup), even by a release refused as made already. Only a snapshot's day's
    real folders are cleaned, an old one is put back only beside its own writer's new one, and a refused release
    changes nothing."""
    from carehomes import fsutil

    rel, outside = tmp_path / "releases", tmp_path / "victim"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep")
    rel.mkdir()
    (rel / "notes").mkdir()
    (rel / ".notes.old-20261201").mkdir()
    (rel / ".notes.old-20261201" / "a.txt").write_text("mine")
    (rel / ".2026-11-22.old-deadbeef").symlink_to(outside)
    (rel / ".2026-11-21.old-0badf00d").mkdir()  # alone: no new folder of its writer beside it
    (rel / ".2026-11-21.old-0badf00d" / "x").write_text("junk")
    before = _tree(rel), sorted(p.name for p in rel.iterdir())
    assert fsutil.clean_half_written(rel, SNAPSHOT_NAME) == []
    assert (_tree(rel), sorted(p.name for p in rel.iterdir())) == before
    assert _release(rel).returncode == 0
    (day,) = [p.name for p in rel.iterdir() if SNAPSHOT_NAME.fullmatch(p.name)]  # the release's
    assert sorted(p.name for p in rel.iterdir()) == sorted([".2026-11-21.old-0badf00d", ".2026-11-22.old-deadbeef",
                                                            ".notes.old-20261201", day, "notes"])
    assert (outside / "precious.txt").read_text() == "keep" and (rel / ".notes.old-20261201" / "a.txt").read_text() == "mine"
    (rel / f".{day}.new-0badf00d").mkdir()  # what a refused release finds is left as it is
    r = _release(rel)
    assert r.returncode == 1 and "exists" in r.stderr and (rel / f".{day}.new-0badf00d").is_dir()
