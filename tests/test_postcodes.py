"""Live postcodes from OS Code-Point Open (real files in ../shared and real slices of them)."""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil

import pytest
from conftest import ROOT, SHARED, run_build

from carehomes.load import load_profile
from carehomes.outputs import postcode_lookup
from carehomes.sources import postcodes

CODEPOINT = SHARED / "data" / "postcodes" / "codepoint-open-2025-10"


@pytest.fixture(autouse=True)
def real_codepoint(monkeypatch):
    if not (CODEPOINT / "Data" / "CSV" / "hr.csv.gz").exists():
        pytest.fail(f"the real Code-Point Open data is missing: {CODEPOINT}")
    monkeypatch.delenv(postcodes.ENV_DIR, raising=False)


def test_postcodes_in_each_written_form():
    found = postcodes.lookup(["HR1 1AA", "hr11aa", "B1 1AY", "AB10 1AB", "NP25 3SS", "HR9 9ZZ"])
    assert found["HR11AA"].postcode == "HR1 1AA" and (found["HR11AA"].easting, found["HR11AA"].northing) == (351418, 240501)
    assert found["B11AY"].postcode == "B1 1AY"          # six characters, one space
    assert found["AB101AB"].postcode == "AB10 1AB"      # eight characters with its space
    assert found["NP253SS"].postcode == "NP25 3SS"
    assert found["HR99ZZ"] is None                       # not live
    assert postcodes.lookup(["ZZ1 1AA"]) == {}           # no data for the area: nothing said


def test_grid_to_wgs84_agrees_with_cqc_coordinates():
    """pyproj's EPSG:27700 -> 4326 puts Aston House's postcode within 50 m of CQC's position."""
    profile, _ = load_profile(ROOT / "providers" / "aston-house.yaml", ROOT)
    place = postcodes.lookup([profile.data["address"]["postcode"]])["HR11TJ"]
    km = postcodes.distance_km(place.lat, place.lon, profile.data["address"]["latitude"], profile.data["address"]["longitude"])
    assert km < 0.05
    assert round(postcodes.distance_km(52.0, -2.0, 53.0, -2.0), 1) == 111.2


def test_every_bundled_postcode_is_live_and_near_its_coordinates():
    proc = run_build("check")
    assert proc.returncode == 0, proc.stdout


def _profile(tmp_path, old: str, new: str) -> None:
    providers = tmp_path / "providers"
    providers.mkdir(exist_ok=True)
    text = (ROOT / "providers" / "aston-house.yaml").read_text()
    assert old in text
    (providers / "aston-house.yaml").write_text(text.replace(old, new))


def test_check_reports_a_postcode_that_is_not_live(tmp_path):
    _profile(tmp_path, "postcode: HR1 1TJ", "postcode: HR9 9ZZ")
    proc = run_build("check", "providers", cwd=tmp_path)
    assert proc.returncode == 0, "a warning: the address is CQC's, which a pull request cannot change"
    assert proc.stdout.splitlines() == [
        "providers/aston-house.yaml:12: warning: address.postcode: 'HR9 9ZZ' is not a live postcode; check it on the home's letters"]


@pytest.mark.parametrize("written, said", [
    ("HR1 1ZZZ", "'HR1 1ZZZ' is not a UK postcode; write the full postcode, like HR1 1TJ"),
    ("hr1 1tj", "'hr1 1tj' should be written 'HR1 1TJ' (capitals, one space)"),
])
def test_a_postcode_not_written_as_one_is_one_problem_not_also_a_dead_postcode(tmp_path, written, said):
    """A steward typed 'EX20 1ZZZ': check said it was not a UK postcode, and again, as a warning, that it was not live."""
    _profile(tmp_path, "postcode: HR1 1TJ", f"postcode: {written}")
    proc = run_build("check", "providers", cwd=tmp_path)
    assert proc.stdout.splitlines() == [f"providers/aston-house.yaml:12: address.postcode: {said}"]


def test_check_reports_coordinates_far_from_the_postcode(tmp_path):
    _profile(tmp_path, "latitude: 52.049615", "latitude: 52.149615")
    proc = run_build("check", "providers", cwd=tmp_path)
    assert proc.stdout.splitlines() == [
        ("providers/aston-house.yaml:13: warning: address.latitude: 52.149615, -2.687262 is 11.1 km from postcode HR1 1TJ "
        "(52.049615, -2.687262); correct the coordinates or the postcode")]


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_coordinates_that_are_not_finite_are_reported_once_by_the_schema_not_measured(tmp_path, value):
    """-.inf made the distance from the postcode a Python traceback (math domain error)."""
    _profile(tmp_path, "latitude: 52.049615", f"latitude: {value}")
    proc = run_build("check", "providers", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    said = {".inf": "is inf, above the highest allowed value 60.9", "-.inf": "is -inf, below the lowest allowed value 49.8",
            ".nan": "must be a number, not .nan"}[value]
    assert proc.stdout.splitlines()[0] == f"providers/aston-house.yaml:13: address.latitude: {said}", proc.stdout


def test_only_areas_with_data_are_judged(tmp_path):
    """A real slice of the HR file; the home's postcode moved to SY, whose file is absent."""
    folder = tmp_path / "codepoint" / "Data" / "CSV"
    folder.mkdir(parents=True)
    with gzip.open(CODEPOINT / "Data" / "CSV" / "hr.csv.gz", "rt") as src:
        lines = [ln for ln in src if ln.startswith('"HR1 1')]
    assert 100 < len(lines) < 1000
    with gzip.open(folder / "hr.csv.gz", "wt") as out:
        out.writelines(lines)
    env = {**os.environ, postcodes.ENV_DIR: str(tmp_path / "codepoint")}
    _profile(tmp_path, "postcode: HR1 1TJ", "postcode: SY9 9ZZ")
    assert run_build("check", "providers", cwd=tmp_path, env=env).returncode == 0
    _profile(tmp_path, "postcode: HR1 1TJ", "postcode: HR1 1ZZ")
    proc = run_build("check", "providers", cwd=tmp_path, env=env)
    assert proc.stdout.splitlines() == [
        "providers/aston-house.yaml:12: warning: address.postcode: 'HR1 1ZZ' is not a live postcode; check it on the home's letters"]
    assert postcodes.available_areas(tmp_path / "codepoint") == ["HR"]


@pytest.mark.parametrize("where", ["nowhere", "codepoint-open-2025-1O", "codepoint/Data"])
def test_check_warns_when_the_code_point_folder_it_is_given_has_no_data(tmp_path, where):
    """A misspelt $CAREHOMES_CODEPOINT (or its Data subfolder given) turned check's postcode checks off without a word,
    though build warns of it (the hostile review): check says so, once, and still passes."""
    (tmp_path / "codepoint" / "Data" / "CSV").mkdir(parents=True)
    (tmp_path / "codepoint" / "Data" / "CSV" / "hr.csv.gz").write_bytes((CODEPOINT / "Data" / "CSV" / "hr.csv.gz").read_bytes())
    _profile(tmp_path, "postcode: HR1 1TJ", "postcode: HR1 1ZZ")  # not live: found only with the data
    folder = tmp_path / where
    proc = run_build("check", "providers", cwd=tmp_path, env={**os.environ, postcodes.ENV_DIR: str(folder)})
    assert (proc.returncode, proc.stdout) == (0, "")
    assert proc.stderr.splitlines() == [
        f"warning: $CAREHOMES_CODEPOINT is {folder}, which has no Code-Point Open data (no Data/CSV/*.csv.gz in it), so no "
        "postcode was checked; set it to the folder unzipped from Code-Point Open (the one holding Data/), or unset it",
        "Checked 1 profile: no problems."]
    proc = run_build("check", "providers", cwd=tmp_path, env={**os.environ, postcodes.ENV_DIR: str(tmp_path / "codepoint")})
    assert "$CAREHOMES_CODEPOINT" not in proc.stderr and "'HR1 1ZZ' is not a live postcode" in proc.stdout


@pytest.mark.parametrize("damage", ["cut short", "not gzip"])
def test_a_damaged_code_point_file_is_a_warning_in_check_and_a_message_from_the_lookup(tmp_path, damage):
    folder = tmp_path / "codepoint" / "Data" / "CSV"
    folder.mkdir(parents=True)
    whole = (CODEPOINT / "Data" / "CSV" / "hr.csv.gz").read_bytes()
    (folder / "hr.csv.gz").write_bytes(whole[:20_000] if damage == "cut short" else b"HR1 1AA,10,1,2\n")
    reason = ("Compressed file ended before the end-of-stream marker was reached" if damage == "cut short"
              else "Not a gzipped file (b'HR')")
    _profile(tmp_path, "postcode: HR1 1TJ", "postcode: HR1 1TJ")
    proc = run_build("check", "providers", cwd=tmp_path, env={**os.environ, postcodes.ENV_DIR: str(tmp_path / "codepoint")})
    assert proc.returncode == 0 and proc.stderr == "Checked 1 profile: no problems and 1 warning.\n"
    assert proc.stdout.splitlines() == [
        f"{folder / 'hr.csv.gz'}: warning: this Code-Point Open file is damaged ({reason}); fetch Code-Point Open "
        "again (python3 build.py fetch-postcodes) or put back the file; no postcode was checked"]
    with pytest.raises(postcodes.DamagedFile) as caught:  # build says "The build failed, so ... was left as it was"
        postcode_lookup.write_lookup(tmp_path / "site", ["HR"], tmp_path / "codepoint")
    assert isinstance(caught.value, OSError) and str(caught.value) == f"{folder / 'hr.csv.gz'}: {caught.value.problem}"


def test_area_files_are_read_in_bounded_pieces(tmp_path):
    folder = tmp_path / "Data" / "CSV"
    folder.mkdir(parents=True)
    shutil.copy(CODEPOINT / "Data" / "CSV" / "hr.csv.gz", folder / "hr.csv.gz")
    pieces = list(postcodes._lines(folder / "hr.csv.gz", chunk=4096))
    assert len(pieces) > 100 and max(len(p) for p in pieces) < 100
    assert sum(len(p) for p in pieces) == 6544   # as Doc/metadata.txt says
    assert sum(1 for _ in postcodes.iter_area("HR", tmp_path)) == 6544


def test_seven_character_postcodes_written_without_their_space(tmp_path):
    """SOURCE.md says Code-Point may write "NP253SS"; both forms are found."""
    folder = tmp_path / "Data" / "CSV"
    folder.mkdir(parents=True)
    with gzip.open(CODEPOINT / "Data" / "CSV" / "np.csv.gz", "rt") as src:
        line = next(ln for ln in src if ln.startswith('"NP25 3SS"'))
    with gzip.open(folder / "np.csv.gz", "wt") as out:
        out.write(line.replace('"NP25 3SS"', '"NP253SS"'))
    found = postcodes.lookup(["NP25 3SS", "NP25 3ST"], tmp_path)
    assert found["NP253SS"].postcode == "NP253SS" and found["NP253ST"] is None


def test_a_damaged_code_point_line_names_no_file(tmp_path):
    """A line that is not a postcode (cut short, a path in it, not ASCII, lower case, an inward code of other
    characters) or whose position is off the National Grid writes no file named after it, counts in no district's
    centre and stops no build; the live postcodes beside it are published."""
    import json

    folder = tmp_path / "codepoint" / "Data" / "CSV"
    folder.mkdir(parents=True)
    lines = ['"HR1 1AA",10,351418,240501', '"../../evil 1AA",10,351418,240501', '"A",10,1,2', '"",10,1,2',
             '"HR1/1AB",10,1,2', '"HR1 1AB",x,1,2', '"HR\u00e9 1AA",10,1,2', '"HR1 1/.",10,1,2', '"HR1 XAA",10,1,2',
             '"hr1 1ae",10,351418,240501', '"HR1 1AF",10,' + "9" * 400 + ',2', '"HR1 1AG",10,-5,240501',
             '"HR1 1AD",10,351857,241364']
    with gzip.open(folder / "hr.csv.gz", "wt") as out:
        out.write("\n".join(lines) + "\n")
    report = postcode_lookup.write_lookup(tmp_path / "site", ["HR"], tmp_path / "codepoint")
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json"))
    assert written == ["site/postcodes/.made-from.json", "site/postcodes/HR/HR1-1.json",
                       "site/postcodes/HR/districts.json", "site/postcodes/areas.json"]
    assert report["files"] == 1 and report["postcodes"] == 2
    sector = json.loads((tmp_path / "site/postcodes/HR/HR1-1.json").read_text())
    assert list(sector) == ["1AA", "1AD"]
    centres = json.loads((tmp_path / "site/postcodes/HR/districts.json").read_text())
    assert centres == {"HR1": [round((sector["1AA"][0] + sector["1AD"][0]) / 2, 4),
                               round((sector["1AA"][1] + sector["1AD"][1]) / 2, 4)]}


def test_a_postcode_ended_since_does_not_stop_the_data_or_build(tmp_path):
    """Postcodes end over time (68 of the 2021 national register's are no longer live in 2025):
    'check' reports them, 'data' and 'build' still publish."""
    _profile(tmp_path, "postcode: HR1 1TJ", "postcode: HR9 9ZZ")
    proc = run_build("data", "--providers", "providers", "--out", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.slow  # writes the postcode lookup (over 0.4 s: the fast set stays under 30 s)
def test_published_lookup_for_the_configured_areas(tmp_path):
    import json

    report = postcode_lookup.write_lookup(tmp_path, ["hr", "SY", "WR", "NP", "GL", "ZZ"])
    assert report["areas"] == ["GL", "HR", "NP", "SY", "WR"] and report["missing"] == ["ZZ"]
    assert report["largest"] <= postcode_lookup.MAX_CHUNK_BYTES
    files = list((tmp_path / "postcodes").rglob("*.json"))
    assert max(f.stat().st_size for f in files) <= 30_000
    index = json.loads((tmp_path / "postcodes" / "areas.json").read_text())
    assert index["areas"] == ["GL", "HR", "NP", "SY", "WR"] and "Royal Mail" in index["attribution"]
    assert postcode_lookup.sector_file("hr3 5aa") == "postcodes/HR/HR3-5.json"
    sector = json.loads((tmp_path / postcode_lookup.sector_file("HR3 5AA")).read_text())
    assert sector["5AA"] == [52.0748, -3.1252]   # Kington
    assert "9ZZ" not in json.loads((tmp_path / postcode_lookup.sector_file("HR9 9ZZ")).read_text())
    hr = sum(len(json.loads(f.read_text())) for f in (tmp_path / "postcodes" / "HR").glob("HR*-*.json"))
    assert hr == 6544


def test_built_site_publishes_the_lookup(built_site):
    out, _ = built_site
    assert (out / "postcodes" / "HR" / "HR1-1.json").exists()
    assert not (out / "postcodes" / "B").exists()


def test_lookup_is_reused_from_the_site_it_replaces_only_when_unchanged(tmp_path):
    first, second, third = tmp_path / "one", tmp_path / "two", tmp_path / "three"
    made = postcode_lookup.write_lookup(first, ["HR"])
    again = postcode_lookup.write_lookup(second, ["HR"], previous=first)
    assert again == made
    files = sorted(p.relative_to(first) for p in (first / "postcodes").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in (second / "postcodes").rglob("*") if p.is_file())
    sector = postcode_lookup.sector_file("HR3 5AA")
    assert (second / sector).read_bytes() == (first / sector).read_bytes()
    assert (second / sector).stat().st_ino == (first / sector).stat().st_ino  # linked, not written again
    # other areas, or a lookup made by other code, are written afresh
    other = postcode_lookup.write_lookup(third, ["HR", "SY"], previous=second)
    assert other["areas"] == ["HR", "SY"] and (third / postcode_lookup.sector_file("SY1 1AA")).is_file()
    assert (third / sector).stat().st_ino != (second / sector).stat().st_ino
    made_from = second / "postcodes" / postcode_lookup.MADE_FROM
    made_from.write_text(made_from.read_text().replace('"code": "', '"code": "x'))
    fresh = tmp_path / "four"
    postcode_lookup.write_lookup(fresh, ["HR"], previous=second)
    assert (fresh / sector).stat().st_ino != (second / sector).stat().st_ino
    assert (fresh / sector).read_bytes() == (first / sector).read_bytes()


def test_a_lookup_this_process_published_is_copied_into_a_build_elsewhere_only_when_unchanged(tmp_path, monkeypatch):
    """The tests' builds into new folders: the lookup remember_lookup noted, when made alike, copied (not linked)."""
    monkeypatch.setattr(postcode_lookup, "_PUBLISHED", {})
    first, second, third = tmp_path / "one", tmp_path / "two", tmp_path / "three"
    made = postcode_lookup.write_lookup(first, ["HR"])
    postcode_lookup.remember_lookup(first / "postcodes")
    sector = postcode_lookup.sector_file("HR3 5AA")
    (first / sector).write_text('{"5AA":[1,2]}')  # marked: a copy of the remembered lookup carries the mark
    assert postcode_lookup.write_lookup(second, ["HR"]) == made  # no previous site
    assert (second / sector).read_text() == '{"5AA":[1,2]}' and (second / sector).stat().st_ino != (first / sector).stat().st_ino
    made_from = first / "postcodes" / postcode_lookup.MADE_FROM
    made_from.write_text(made_from.read_text().replace('"code": "', '"code": "x'))  # made by other code
    postcode_lookup.write_lookup(third, ["HR"])
    assert (third / sector).read_text() != '{"5AA":[1,2]}' and "5AA" in json.loads((third / sector).read_text())
    shutil.rmtree(first)  # the remembered folder gone: written afresh, without an error
    assert postcode_lookup.write_lookup(tmp_path / "four", ["HR"]) == made
    assert (tmp_path / "four" / sector).read_bytes() == (third / sector).read_bytes()


@pytest.mark.slow  # writes the HR lookup five times (0.55 s): the fast set stays under 30 s
def test_a_lookup_kept_in_the_cache_is_linked_into_a_build_with_no_site_to_reuse_it_from(tmp_path, monkeypatch):
    """A fresh checkout (the publish workflow) has no site to reuse the lookup from: the one the last build kept in
    the cache's folder is linked, when made from the same Code-Point files and code; otherwise written afresh and
    kept beside it, the two most recently used kept."""
    monkeypatch.setattr(postcode_lookup, "_PUBLISHED", {})
    kept = tmp_path / "cache" / "lookup"
    one, two = tmp_path / "one", tmp_path / "two"
    made = postcode_lookup.write_lookup(one, ["HR"], kept=kept)
    [held] = [p for p in kept.iterdir()]  # its temporary folder renamed into place, none left over
    sector = postcode_lookup.sector_file("HR3 5AA")
    kept_sector = held / sector.removeprefix(postcode_lookup.LOOKUP_DIR + "/")
    assert kept_sector.stat().st_ino == (one / sector).stat().st_ino
    assert postcode_lookup.write_lookup(two, ["HR"], kept=kept) == made  # no previous site, nothing remembered
    assert (two / sector).stat().st_ino == kept_sector.stat().st_ino  # linked, not written again
    assert sorted(p.relative_to(two) for p in two.rglob("*")) == sorted(p.relative_to(one) for p in one.rglob("*"))
    # other areas: written afresh and kept beside; a third set of areas: the least recently used removed
    postcode_lookup.write_lookup(tmp_path / "three", ["HR", "SY"], kept=kept)
    assert len(list(kept.iterdir())) == 2
    os.utime(held, ns=(1, 1))  # the HR lookup used long ago
    postcode_lookup.write_lookup(tmp_path / "four", ["SY"], kept=kept)
    assert len(list(kept.iterdir())) == 2 and not held.exists()
    five = tmp_path / "five"
    assert postcode_lookup.write_lookup(five, ["HR"], kept=kept) == made  # written afresh
    assert (five / sector).read_bytes() == (one / sector).read_bytes()
    # a kept lookup made by other code is not taken; a cache that cannot be written stops no build
    for made_from in kept.glob(f"*/{postcode_lookup.MADE_FROM}"):
        made_from.write_text(made_from.read_text().replace('"code": "', '"code": "x'))
    six = tmp_path / "six"
    postcode_lookup.write_lookup(six, ["HR"], kept=kept)
    assert (six / sector).stat().st_ino != (five / sector).stat().st_ino
    assert (six / sector).read_bytes() == (one / sector).read_bytes()
    seven = tmp_path / "seven"  # and kept anew in the damaged one's place
    postcode_lookup.write_lookup(seven, ["HR"], kept=kept)
    assert (seven / sector).stat().st_ino == (six / sector).stat().st_ino
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert postcode_lookup.write_lookup(tmp_path / "eight", ["HR"], kept=blocked) == made


def _files(lookup):
    """A published lookup's files, by path, with their bytes."""
    return {str(p.relative_to(lookup)): p.read_bytes() for p in sorted(lookup.rglob("*")) if p.is_file()}


@pytest.mark.slow  # writes the HR lookup again for each damage (1.0-1.4 s): the fast set stays under 30 s
def test_a_kept_lookup_cut_short_or_damaged_is_not_taken_and_is_kept_anew(tmp_path, monkeypatch):
    """A kept lookup whose MADE_FROM says what it was made from but whose files are not all there (cut short: an area
    folder or a file gone, or a folder being removed by another build's pruning meanwhile) or whose counts are
    damaged is not taken: the build publishes the whole lookup, as without the cache, with no traceback; and keeps
    it anew."""
    monkeypatch.setattr(postcode_lookup, "_PUBLISHED", {})
    kept = tmp_path / "cache" / "lookup"
    postcode_lookup.write_lookup(tmp_path / "one", ["HR", "SY"], kept=kept)
    whole = _files(tmp_path / "one")
    [held] = kept.iterdir()
    made_from = json.loads((held / postcode_lookup.MADE_FROM).read_text())
    damages = [lambda: shutil.rmtree(held / "SY"), lambda: (held / "HR" / "HR1-1.json").unlink(),
               lambda: ((held / "HR" / "HR1-1").mkdir(), (held / "HR" / "HR1-1.json").rename(held / "HR" / "HR1-1" / "x.json")),
               lambda: (held / postcode_lookup.MADE_FROM).write_text(json.dumps({**made_from, "counts": [["x", 1]]})),
               lambda: (held / postcode_lookup.MADE_FROM).write_text(json.dumps({**made_from, "counts": 7}))]
    for i, damage in enumerate(damages):
        damage()
        site = tmp_path / f"site{i}"
        assert postcode_lookup.write_lookup(site, ["HR", "SY"], kept=kept)["files"] == 112, i
        assert _files(site) == whole, i
        assert _files(held) == {k.removeprefix("postcodes/"): v for k, v in whole.items()
                                if not k.endswith("areas.json")}, i  # kept anew


def test_pruning_the_kept_lookups_removes_nothing_but_kept_lookups(tmp_path, monkeypatch):
    """The cache's lookup/ folder may be a link elsewhere (made by whoever can write to the cache): pruning removes
    only folders named as kept lookups, never another folder there; and a folder a killed build left (its temporary
    one, never renamed) once it is an hour old."""
    monkeypatch.setattr(postcode_lookup, "_PUBLISHED", {})
    elsewhere = tmp_path / "projects"
    for name in ("one", "two", "three", ".hidden-123"):
        (elsewhere / name).mkdir(parents=True)
        (elsewhere / name / "precious.txt").write_text("mine")
        os.utime(elsewhere / name, ns=(1, 1))
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "lookup").symlink_to(elsewhere)
    killed = elsewhere / f".{'0' * 32}-4242"  # a killed build's, a day old; another build's, just begun
    begun = elsewhere / f".{'1' * 32}-4243"
    for temp in (killed, begun):
        (temp / "HR").mkdir(parents=True)
    os.utime(killed, ns=(1, 1))
    for areas in (["HR"], ["SY"], ["WR"]):
        postcode_lookup.write_lookup(tmp_path / "-".join(areas), areas, kept=tmp_path / "cache" / "lookup")
    assert sorted(p.name for p in elsewhere.iterdir() if not re.fullmatch("[0-9a-f]{32}", p.name)) == [
        begun.name, ".hidden-123", "one", "three", "two"]
    assert all((elsewhere / name / "precious.txt").read_text() == "mine" for name in ("one", "two", "three", ".hidden-123"))
    assert len([p for p in elsewhere.iterdir() if re.fullmatch("[0-9a-f]{32}", p.name)]) == 2


@pytest.mark.parametrize("cross_device", [False, True])
def test_keeping_a_lookup_never_writes_into_a_file_a_killed_build_left_linked(tmp_path, monkeypatch, cross_device):
    """A build killed while keeping its lookup leaves its temporary folder (named by its process id), holding links to
    its lookup's files, which may be those of a published site; a later build whose process has the same id (a
    container starts its processes with the same ids) keeps its own lookup without writing into those files."""
    monkeypatch.setattr(postcode_lookup, "_PUBLISHED", {})
    kept = tmp_path / "cache" / "lookup"
    published = tmp_path / "published" / "HR1-1.json"
    published.parent.mkdir()
    published.write_text('{"site": "published before"}')
    made_from = postcode_lookup._made_from(["HR"], None)
    temp = kept / f".{postcode_lookup._kept_name(made_from)}-{os.getpid()}"
    (temp / "HR").mkdir(parents=True)
    os.link(published, temp / "HR" / "HR1-1.json")
    if cross_device:  # the cache on another file system: copied, not linked
        monkeypatch.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(OSError(18, "Invalid cross-device link")))
    postcode_lookup.write_lookup(tmp_path / "site", ["HR"], kept=kept)
    assert published.read_text() == '{"site": "published before"}'
    [held] = kept.iterdir()
    assert _files(held)["HR/HR1-1.json"] == (tmp_path / "site" / "postcodes" / "HR" / "HR1-1.json").read_bytes()


def test_district_centres_for_an_outward_code_alone(tmp_path):
    import json

    postcode_lookup.write_lookup(tmp_path, ["HR"])
    centres = json.loads((tmp_path / "postcodes" / "HR" / postcode_lookup.DISTRICTS_FILE).read_text())
    assert set(centres) == {f"HR{n}" for n in range(1, 10)}
    kington = json.loads((tmp_path / postcode_lookup.sector_file("HR5 3AT")).read_text())["3AT"]
    assert postcodes.distance_km(*centres["HR5"], *kington) < 10  # HR5 is Kington's district
    assert postcodes.distance_km(*centres["HR1"], *centres["HR5"]) > 20
    assert postcode_lookup.district_centres({"HR2": [51.0, -3.0, 1], "HR1": [104.2, -4.2, 2]}) == {
        "HR1": [52.1, -2.1], "HR2": [51.0, -3.0]}


def test_the_attribution_names_the_year_of_the_code_point_release_in_use(tmp_path):
    from carehomes.sources import postcodes

    (tmp_path / "codepoint-release.json").write_text('{"date": "2027-01-20"}')
    assert postcodes.attribution(tmp_path) == (
        "Contains OS data © Crown copyright and database right 2027. "
        "Contains Royal Mail data © Royal Mail copyright and database right 2027. "
        "Contains National Statistics data © Crown copyright and database right 2027.")
    assert "database right 2025." in postcodes.attribution(tmp_path / "none")  # no record: the bundled release (2025-10-17)
    assert "{year}" not in postcodes.attribution(tmp_path / "none")


def test_the_lookup_publishes_each_position_as_rounding_it_one_at_a_time_would(tmp_path):
    """The lookup converts and rounds a column at a time; each published position is what converting that postcode
    alone and rounding it to 4 places gives (HR: 6,544 real postcodes), a postcode without one is null, and each
    district's centre is the mean of its published positions, to 4 places."""
    report = postcode_lookup.write_lookup(tmp_path, ["HR"])
    transformer = postcodes._transformer()
    published: dict[str, list[float] | None] = {}
    for path in (tmp_path / "postcodes" / "HR").glob("HR*.json"):
        sector = path.stem.replace("-", "")
        published.update({sector + inward[1:]: where for inward, where in json.loads(path.read_text()).items()})
    rows = {}
    with gzip.open(postcodes.area_file("HR"), "rt") as fh:
        for line in fh:
            cells = line.split(",")
            rows[cells[0].strip('"').replace(" ", "")] = (int(cells[1]), int(cells[2]), int(cells[3]))
    assert len(published) == len(rows) == report["postcodes"] > 6_000
    sums: dict[str, list[float]] = {}
    for key, (quality, east, north) in rows.items():
        if quality >= postcodes.NO_POSITION_QUALITY or not (east or north):
            assert published[key] is None, key
            continue
        lon, lat = transformer.transform(east, north)
        assert published[key] == [round(lat, 4), round(lon, 4)], key
        s = sums.setdefault(key[:-3], [0.0, 0.0, 0])
        s[0], s[1], s[2] = s[0] + published[key][0], s[1] + published[key][1], s[2] + 1
    centres = json.loads((tmp_path / "postcodes" / "HR" / "districts.json").read_text())
    assert centres.keys() == sums.keys()
    for district, (lat, lon, n) in sums.items():
        assert abs(centres[district][0] - lat / n) <= 0.00006 and abs(centres[district][1] - lon / n) <= 0.00006, district


def test_positions_primed_for_the_homes_without_their_own_convert_only_their_postcodes(monkeypatch):
    """A site with no positions of its own (CQC's care directory gives none) placed each service by converting its
    whole postcode area's file (postcodes._area_positions): nationally all 1.7 million of Great Britain's postcodes,
    12.8 s and 419 MB, to place 15,000. Primed with the postcodes it will ask for, only those are converted, and each
    answer is the one converting the whole area gives; a postcode not primed is still answered."""
    from carehomes import finding

    asked = ["HR1 4SG", "hr14sg", "HR2 7JE", "HR9 9ZZ", "HR4 0LR"]  # HR9 9ZZ is not live
    whole = {pc: postcodes._area_positions("HR", str(postcodes.data_dir())).get(postcodes.postcode_key(pc)) for pc in asked}
    monkeypatch.setattr(postcodes, "_PRIMED", {})
    postcodes._area_positions.cache_clear()
    converted: list[int] = []
    real = postcodes.to_wgs84
    monkeypatch.setattr(postcodes, "to_wgs84", lambda places: (converted.append(len(places)), real(places))[1])

    class View:  # just what finding.prime_positions reads
        def __init__(self, postcode: str, lat: float | None = None) -> None:
            self.facts = {"address.postcode": postcode, "address.latitude": lat, "address.longitude": lat}

        def get(self, key: str):
            return self.facts.get(key)

    finding.prime_positions([View(pc) for pc in asked] + [View("HR6 8AA", 52.2)])  # a home with its own: not read
    assert converted == [3]  # HR1 4SG (twice written), HR2 7JE, HR4 0LR: the live ones of the one area asked about
    assert {pc: postcodes.postcode_position(pc) for pc in asked} == whole and whole["HR1 4SG"] is not None
    assert whole["HR9 9ZZ"] is None and converted == [3]  # answered from what was primed, nothing converted again
    assert postcodes.postcode_position("HR6 8AA") is not None and len(converted) == 2  # not primed: its area's file


def test_a_damaged_area_file_places_no_home_and_is_read_once(tmp_path, monkeypatch):
    """A home with no position of its own whose area's file is damaged is placed nowhere (check warns of the file);
    each such home read the damaged file again (52 ms a home), and priming gave up on every area for it."""
    folder = tmp_path / "codepoint" / "Data" / "CSV"
    folder.mkdir(parents=True)
    (folder / "hr.csv.gz").write_bytes((CODEPOINT / "Data" / "CSV" / "hr.csv.gz").read_bytes()[:20_000])
    shutil.copy(CODEPOINT / "Data" / "CSV" / "sy.csv.gz", folder / "sy.csv.gz")
    monkeypatch.setenv(postcodes.ENV_DIR, str(tmp_path / "codepoint"))
    monkeypatch.setattr(postcodes, "_PRIMED", {})
    monkeypatch.setattr(postcodes, "_DAMAGED", set())
    read: list[str] = []
    real = postcodes._rows
    monkeypatch.setattr(postcodes, "_rows", lambda area, *a, **k: (read.append(area), real(area, *a, **k))[1])
    postcodes.prime_positions(["HR1 4SG", "SY1 1AA", "SY2 6LG"])
    assert [postcodes.postcode_position(pc) for pc in ("HR1 4SG", "HR1 1TJ")] == [None, None]
    assert postcodes.postcode_position("SY2 6LG") is not None  # the other area's file is whole: primed
    assert read == ["HR", "SY"]  # each file once, priming: the damaged one not again for each home that asks
