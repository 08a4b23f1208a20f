"""Federation: merging councils' packages into one regional package and site."""
from __future__ import annotations

import json
import os
import re
import shutil

import pytest
from conftest import FIXTURES, NATIONAL, ROOT, run_build


def publish(tmp_path, name, providers):
    out = tmp_path / name / "data"
    r = run_build("data", "--providers", str(providers), "--out", str(out))
    assert r.returncode == 0, r.stderr
    return out / "datapackage.json"


@pytest.mark.slow  # imports a county from the national register and builds its site
def test_merge_herefordshire_with_a_second_area(tmp_path, shared_data):
    import frictionless  # imported here, by the slow tests that use it: not on collection by each worker (0.3 s)

    here = publish(tmp_path, "here", ROOT / "providers")
    profiles = tmp_path / "shrop-profiles"  # its data beside its profiles, not among them (data --out refuses that)
    assert run_build("import-cqc", str(NATIONAL), "--local-authority", "Shropshire", "--providers", str(profiles)).returncode == 0
    shrop = publish(tmp_path, "shrop", profiles)
    r = run_build("merge", str(here), str(shrop), "--out", str(tmp_path / "region"))
    assert r.returncode == 0, r.stderr
    n_shrop = len(list(profiles.glob("*.yaml")))
    assert r.stdout.startswith(f"Merged {88 + n_shrop:,} homes from 2 packages:")
    assert frictionless.validate(str(tmp_path / "region" / "data" / "datapackage.json")).valid
    check = run_build("check", str(tmp_path / "region" / "providers"))  # one 2021 postcode has ended since
    assert [line.split(": ", 1)[1] for line in check.stdout.splitlines()] == [
        "warning: address.postcode: 'SY5 7JR' is not a live postcode; check it on the home's letters"]
    b = run_build("build", "--providers", str(tmp_path / "region" / "providers"), "--out", str(tmp_path / "region" / "site"), "--no-search")
    assert b.returncode == 0, b.stderr
    market = (tmp_path / "region" / "site" / "market" / "index.html").read_text()
    assert "grouped by local authority area" in market and "Shropshire" in market


@pytest.mark.slow  # publishes the bundled data
def test_conflicts_are_reported_and_the_first_package_wins_a_tie(tmp_path):
    a = publish(tmp_path, "a", ROOT / "providers")
    b_dir = tmp_path / "b" / "data"
    b_dir.mkdir(parents=True)
    for f in a.parent.iterdir():
        if f.is_dir():  # oruk-tabular/: not read by merge
            shutil.copytree(f, b_dir / f.name)
            continue
        if f.suffix in (".xlsx", ".db"):  # the workbook and the database: copied as they are
            shutil.copy(f, b_dir / f.name)
            continue
        text = f.read_text()
        if f.name == "care-homes.csv":
            text = text.replace("1-10048660596,aston-house,,Aston House,Herefordshire,,,45 Hampton Park Road,Hereford,HR1 1TJ,52.049615,-2.687262,,,,,false,true,true,false,true,true,false,false,true,false,,,,16,",
                                "1-10048660596,aston-house,,Aston House,Herefordshire,,,45 Hampton Park Road,Hereford,HR1 1TJ,52.049615,-2.687262,,,,,false,true,true,false,true,true,false,false,true,false,,,,18,")
            assert ",18," in text
        (b_dir / f.name).write_text(text)
    pkg = json.loads((b_dir / "datapackage.json").read_text())
    for res in pkg["resources"]:
        res.pop("hash", None)
        res.pop("bytes", None)
    (b_dir / "datapackage.json").write_text(json.dumps(pkg))
    r = run_build("merge", str(a), str(b_dir / "datapackage.json"), "--out", str(tmp_path / "m"))
    assert r.returncode == 0, r.stderr
    b = b_dir / "datapackage.json"
    assert (f"  conflict: 1-10048660596 (Aston House): beds.registered is 16 in {a} (register data dated 2021-03-31) but "
            f"18 in {b} (register data dated 2021-03-31); kept 16 from {a}, the first listed: both have the same date"
            ) in r.stdout.splitlines()
    assert "  88 locations were in more than one package; 1 field differed" in r.stdout.splitlines()


def test_a_foreign_package_is_refused(tmp_path):
    bad = tmp_path / "datapackage.json"
    bad.write_text(json.dumps({"resources": [{"name": "care-homes", "path": "x.csv", "schema": {"fields": [{"name": "id"}]}},
                                             {"name": "capabilities", "path": "y.csv", "schema": {"fields": []}}]}))
    r = run_build("merge", str(bad), "--out", str(tmp_path / "m"))
    assert r.returncode == 1 and "care-homes columns differ from this schema" in r.stderr
    assert not (tmp_path / "m").exists()


# --- Packages are untrusted (issue 9, item 1 and requirement 4) ---------------------------------
# Each test tampers with a real published package (the fixture profiles) and runs merge as a user would.


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    base = tmp_path_factory.mktemp("published")
    return publish(base, "a", FIXTURES / "profiles").parent


@pytest.fixture
def pkg(tmp_path, published):
    """A copy of the published package in tmp_path/pkg/data, without sizes and hashes (so it can be edited)."""
    folder = tmp_path / "pkg" / "data"
    shutil.copytree(published, folder)
    edit_descriptor(folder, lambda d: d)
    return folder


def edit_descriptor(folder, change):
    desc = folder / "datapackage.json"
    data = json.loads(desc.read_text())
    for res in data["resources"]:
        res.pop("hash", None)
        res.pop("bytes", None)
    desc.write_text(json.dumps(change(data) or data))


def edit_csv(folder, name, change):
    f = folder / name
    f.write_bytes(change(f.read_bytes()))


def merge_fails(tmp_path, *packages):
    """Run merge, expect a refusal: exit 1, no traceback, nothing written. Returns the message lines."""
    out = tmp_path / "out"
    r = run_build("merge", *map(str, packages), "--out", str(out))
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert not out.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".out-")] == []
    lines = r.stderr.splitlines()
    assert lines[-1] == f"Nothing was merged; {out} is unchanged."
    return lines[:-1]


def test_a_slug_cannot_write_outside_the_output_folder(tmp_path, pkg):
    victim = tmp_path / "providers" / "aston-house.yaml"
    victim.parent.mkdir()
    victim.write_text("location_id: 1-10048660596\n")
    edit_csv(pkg, "care-homes.csv", lambda b: b.replace(b",example-full,", b",../../providers/aston-house,"))
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'care-homes.csv'}:2: slug: '../../providers/aston-house' may only use lower-case letters, digits "
        "and single hyphens, like example-house"]
    assert victim.read_text() == "location_id: 1-10048660596\n"


def test_the_one_slug_rule_keeps_paths_in_their_folder(tmp_path):
    from carehomes.fsutil import SLUG_MAX, UnsafePath, is_slug, safe_slug_path
    from carehomes.schema import load_schema

    slug = next(f for f in load_schema().home_fields if f.name == "slug")
    assert slug.constraints == {"required": True, "unique": True, "pattern": "[a-z0-9]+(-[a-z0-9]+)*", "maxLength": SLUG_MAX}
    assert safe_slug_path(tmp_path, "aston-house") == tmp_path / "aston-house.yaml"
    for bad in ("../x", "a/b", "/etc/passwd", "..", ".", "", "a" * 81, "A", "a--b", "-a", "a-", "a\nb", None, 7, "é"):
        assert not is_slug(bad)
        with pytest.raises(UnsafePath):
            safe_slug_path(tmp_path, bad)


@pytest.mark.parametrize("path, why", [
    ("../../../etc/passwd", "the path goes up out of the package folder with '..'"),
    ("/etc/passwd", "the path is absolute; only files inside the package folder are read"),
    ("https://example.org/care-homes.csv", "the path is a URL; only files inside the package folder are read"),
    ("file:///etc/passwd", "the path is a URL; only files inside the package folder are read"),
    ("sub\\..\\..\\x.csv", "the path contains a backslash or a NUL character"),
    (["care-homes.csv", "more.csv"], "the path must be a single file name inside the package folder"),
])
def test_resource_paths_stay_inside_the_package(tmp_path, pkg, path, why):
    def change(d):
        d["resources"][0]["path"] = path
    edit_descriptor(pkg, change)
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'datapackage.json'}: resource 'care-homes' has path {str(path)!r}, which is refused: {why}"]


def test_a_symlink_out_of_the_package_is_refused(tmp_path, pkg, published):
    outside = tmp_path / "elsewhere.csv"
    shutil.copy(published / "care-homes.csv", outside)
    (pkg / "care-homes.csv").unlink()
    (pkg / "care-homes.csv").symlink_to(outside)
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'datapackage.json'}: resource 'care-homes' has path 'care-homes.csv', which is refused: "
        "the path leads outside the package folder (through a symbolic link)"]


def test_booleans_are_read_with_the_packages_true_and_false_values(tmp_path, pkg, published):
    # True, TRUE and 1 are true in a Frictionless table schema; before, 'True' was read as false
    original = (published / "care-homes.csv").read_text()
    edit_csv(pkg, "care-homes.csv", lambda b: b.replace(b",true,", b",True,", 3).replace(b",true,", b",1,", 2)
             .replace(b",false,", b",FALSE,", 2).replace(b",false,", b",0,"))
    assert (pkg / "care-homes.csv").read_text() != original
    r = run_build("merge", str(pkg / "datapackage.json"), "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "data" / "care-homes.csv").read_text() == original


def test_declared_true_values_are_used_and_others_refused(tmp_path, pkg):
    def change(d):
        for res in d["resources"]:
            for f in res.get("schema", {}).get("fields", []):
                if f["type"] == "boolean":
                    f["trueValues"], f["falseValues"] = ["yes"], ["no"]
    edit_descriptor(pkg, change)
    for name in ("care-homes.csv", "capabilities.csv"):
        edit_csv(pkg, name, lambda b: re.sub(rb"(?<=,)true(?=,|\n)", b"yes", re.sub(rb"(?<=,)false(?=,|\n)", b"no", b)))
    header = (pkg / "care-homes.csv").read_text().splitlines()[0].split(",")
    assert run_build("merge", str(pkg / "datapackage.json"), "--out", str(tmp_path / "ok")).returncode == 0
    edit_csv(pkg, "care-homes.csv", lambda b: b.replace(b",yes,", b",true,", 1))
    row = (pkg / "care-homes.csv").read_text().splitlines()[1].split(",")
    column = header[row.index("true")]
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'care-homes.csv'}:2: {column}: is 'true', which is neither a true value (yes) nor a false value (no)"]


def test_missing_column_and_short_row_are_errors(tmp_path, pkg):
    lines = (pkg / "care-homes.csv").read_text().splitlines(keepends=True)
    lines[0] = lines[0].replace(",nursing,", ",")
    (pkg / "care-homes.csv").write_text("".join(lines))
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'care-homes.csv'}:1: the header does not match datapackage.json (missing column: nursing); "
        "the file must have every column the package describes, in its order"]
    lines[0] = lines[0].replace(",residential,", ",nursing,residential,")
    lines[2] = lines[2].rstrip("\n").rsplit(",", 1)[0] + "\n"
    (pkg / "care-homes.csv").write_text("".join(lines))
    n = len(lines[0].split(","))
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'care-homes.csv'}:3: has {n - 1} values but the header has {n} columns"]


def test_a_location_id_listed_twice_is_an_error(tmp_path, pkg):
    lines = (pkg / "care-homes.csv").read_text().splitlines(keepends=True)
    (pkg / "care-homes.csv").write_text("".join(lines + [lines[1].replace(",example-full,", ",example-full-2,")]))
    lid = lines[1].split(",")[0]
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'care-homes.csv'}:{len(lines) + 1}: location_id: '{lid}' is listed twice (first on line 2); "
        "a package holds each home once"]


def test_capability_rows_must_belong_to_a_home_once(tmp_path, pkg):
    lines = (pkg / "capabilities.csv").read_text().splitlines(keepends=True)
    extra = [lines[1], "1-999999999,tracheostomy,true,,\n", lines[1].replace(lines[1].split(",")[1], "flying")]
    (pkg / "capabilities.csv").write_text("".join(lines + extra))
    n = len(lines)
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'capabilities.csv'}:{n + 1}: capability: {lines[1].split(',')[1]} for {lines[1].split(',')[0]} is "
        "listed twice (first on line 2); list each capability of a home once",
        f"{pkg / 'capabilities.csv'}:{n + 3}: capability: 'flying' is not one of this schema's capabilities",
        f"{pkg / 'capabilities.csv'}:{n + 2}: location_id: '1-999999999' is not a home in {pkg / 'care-homes.csv'}"]


def test_a_homes_id_changed_in_its_table_alone_is_said_with_the_rows_that_name_the_old_one(tmp_path, pkg):
    """A home's location ID made wrong in care-homes.csv alone gave a line for each of its capabilities' rows ("is not a
    home"), and the cause ("'BAD ID' is not in the right form") only once they were gone (the hostile review): the rows
    are one line, and what check finds in the homes read is said with it."""
    import csv
    import io
    rows = list(csv.reader(io.StringIO((pkg / "care-homes.csv").read_text(), newline="")))
    named = [r.split(",")[0] for r in (pkg / "capabilities.csv").read_text().splitlines()[1:]]
    at = next(i for i, r in enumerate(rows) if i and r[0] == named[0])
    old = rows[at][0]
    rows[at][0] = "BAD ID"
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    (pkg / "care-homes.csv").write_text(text.getvalue(), newline="")
    its = [i + 2 for i, lid in enumerate(named) if lid == old]
    assert len(its) > 2
    found = merge_fails(tmp_path, pkg / "datapackage.json")
    assert found == [
        f"{pkg / 'capabilities.csv'}:{its[0]}: location_id: '{old}' is not a home in {pkg / 'care-homes.csv'} (lines "
        f"{its[1]} to {its[-1]} name it too)",
        f"{pkg / 'care-homes.csv'}:{at + 1}: location_id: 'BAD ID' is not in the right form; write it like 1-000000001"]


def test_bad_values_are_reported_with_file_and_line(tmp_path, pkg):
    lines = (pkg / "care-homes.csv").read_text().splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    row = lines[1].rstrip("\n").split(",")
    row[header.index("beds_registered")] = "9" * 5000  # beyond Python's int-from-text limit
    row[header.index("latitude")] = "nan"
    row[header.index("beds_confirmed")] = "2026-02-30"
    lines[1] = ",".join(row) + "\n"
    (pkg / "care-homes.csv").write_text("".join(lines))
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'care-homes.csv'}:2: latitude: is 'nan', not a number",
        f"{pkg / 'care-homes.csv'}:2: beds_registered: is '{'9' * 57}...', not a whole number",
        f"{pkg / 'care-homes.csv'}:2: beds_confirmed: is '2026-02-30', a day that does not exist"]
    lines[1] = ",".join(r if r != "2026-02-30" else "30/02/2026" for r in row) + "\n"
    (pkg / "care-homes.csv").write_text("".join(lines))
    assert merge_fails(tmp_path, pkg / "datapackage.json")[-1] == (
        f"{pkg / 'care-homes.csv'}:2: beds_confirmed: is '30/02/2026', not a date written YYYY-MM-DD")


def test_a_package_folder_whose_name_is_not_utf8_is_named_in_the_report(tmp_path, published):
    """A package in a folder whose name has a byte that is not UTF-8 was merged, then the report naming it could not be
    written: a traceback (the hostile review). The byte is written as \\xe9."""
    folder = tmp_path / os.fsdecode(b"pkg-caf\xe9")
    shutil.copytree(published, folder)
    out = tmp_path / "out"
    r = run_build("merge", str(folder / "datapackage.json"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert f"  {tmp_path}/pkg-caf\\xe9/datapackage.json: " in (out / "merge-report.txt").read_text(encoding="utf-8")


def test_a_warning_check_lets_pass_is_reported_and_never_stops_the_merge(tmp_path, pkg):
    """A description whose link is shown as text is a warning: check passes and data publishes it, but merge refused
    the package that came of it ("Nothing was merged"), without even calling it a warning."""
    import csv
    import io
    rows = list(csv.reader(io.StringIO((pkg / "care-homes.csv").read_text(), newline="")))
    rows[1][rows[0].index("description")] = "Ask us for [our brochure][ref]."
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    (pkg / "care-homes.csv").write_text(text.getvalue(), newline="")
    out = tmp_path / "out"
    r = run_build("merge", str(pkg / "datapackage.json"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    warning = (f"  warning: {pkg / 'care-homes.csv'}:2: description: '[our brochure][ref]' is shown as it is written, "
               "not as a link: write the address in the link itself, like [our website](https://www.example.org)")
    assert warning in r.stdout.splitlines() and warning in (out / "merge-report.txt").read_text().splitlines()
    assert "Ask us for [our brochure][ref]." in "".join(p.read_text() for p in (out / "providers").glob("*.yaml"))
    # the site built from it is the aggregator's, with their own settings: built with this folder's mkdocs.yml it
    # was Herefordshire's (its name, contacts and food hygiene words on Oldham's homes)
    assert r.stderr.splitlines()[-1] == (
        f"Wrote {out / 'data'} and {out / 'providers'}; build a site with: python3 build.py build --providers "
        f"{out / 'providers'} --config YOUR-mkdocs.yml (a copy of mkdocs.yml with your site's name, address, contacts, "
        "postcode areas and whether it holds food hygiene ratings: without --config the site is this folder's own)")


def test_a_field_over_the_csv_limit_and_bad_utf8_are_messages(tmp_path, pkg):
    edit_csv(pkg, "care-homes.csv", lambda b: b.replace(b",example-full,", b',"' + b"x" * 200_000 + b'",'))
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'care-homes.csv'}:2: cannot be read as CSV (field larger than field limit (131072)); the package is damaged"]
    edit_csv(pkg, "care-homes.csv", lambda b: b.replace(b"x" * 200_000, b"caf\xe9"))
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'care-homes.csv'}:2: is not UTF-8 text; the package must be saved as UTF-8"]


@pytest.mark.parametrize("text, message", [
    ("not json", "cannot be read as a data package (Expecting value: line 1 column 1 (char 0))"),
    ("  \n", "is empty, so it is not a data package descriptor; give the datapackage.json the council published"),
    ('[{"name": "care-homes"}]', "is a JSON list, not a data package descriptor (a JSON object with 'resources')"),
    ('"text"', "is a JSON string, not a data package descriptor (a JSON object with 'resources')"),
    ("[" * 100_000 + "]" * 100_000, "is nested too deeply to be a data package descriptor"),
    ('{"resources": {"name": "care-homes"}}', "has no list of 'resources'; is it a care homes directory package?"),
    ('{"resources": [{"name": "care-homes", "schema": "schema.json"}]}',
     "resource 'care-homes' must give its schema (a list of fields) inside datapackage.json"),
    # the hostile-input review: Python's own words told the reader to change Python; NaN and a key given twice (which
    # tools read differently) were taken without a word
    ('{"resources": [], "bytes": ' + "9" * 5000 + "}", "cannot be read as a data package (it holds a number 5,000 digits "
     "long, which no real record does)"),
    ('{"resources": [], "version": NaN}', "cannot be read as a data package (NaN is not a JSON number (JSON has no NaN or "
     "Infinity))"),
    ('{"resources": [], "resources": [{"name": "care-homes"}]}', "cannot be read as a data package (the key 'resources' is "
     "given twice in one object; keep one)"),
    ('{"resources": [], "maximum": 1e999}', "cannot be read as a data package (it holds the number 1e999, too large to read, "
     "which no real record does)"),
    ('{"resources": [], "minimum": -1e-400}', "cannot be read as a data package (it holds the number -1e-400, too small to "
     "read, which no real record does)"),
], ids=["not-json", "empty", "list", "string", "deep", "resources-not-list", "schema-elsewhere", "huge-integer", "nan", "key-twice",
        "infinite", "underflow"])
def test_a_broken_descriptor_is_a_message(tmp_path, text, message):
    desc = tmp_path / "datapackage.json"
    desc.write_text(text)
    assert merge_fails(tmp_path, desc) == [f"{desc}: {message}"]
    desc.write_bytes(b"\xff\xfe{}")
    assert merge_fails(tmp_path, desc) == [f"{desc}: is not UTF-8 text, so it is not a data package descriptor"]


def test_a_file_changed_after_publishing_is_refused(tmp_path, published):
    folder = tmp_path / "pkg"
    shutil.copytree(published, folder)
    edit_csv(folder, "care-homes.csv", lambda b: b.replace(b",true,", b",TRUE,", 1))
    lines = merge_fails(tmp_path, folder / "datapackage.json")
    assert lines == [f"{folder / 'care-homes.csv'}: does not match the sha256 hash in datapackage.json; "
                     "the file was changed after it was published, so ask for a fresh copy of the package"]


def test_out_must_not_be_a_folder_with_other_files(tmp_path, pkg):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    r = run_build("merge", str(pkg / "datapackage.json"), "--out", str(out))
    assert r.returncode == 1 and r.stderr == (
        f"{out}: is a folder with other files in it, and merge replaces --out as a whole; give a new folder "
        f"(or the folder of an earlier merge)\nNothing was merged; {out} is unchanged.\n")
    assert (out / "keep.txt").read_text() == "mine"


def test_contained_file_refuses_loops_folders_and_missing_files(tmp_path):
    from carehomes.fsutil import UnsafePath, contained_file

    (tmp_path / "loop.csv").symlink_to(tmp_path / "loop.csv")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ok.csv").write_text("x")
    (tmp_path / "inside.csv").symlink_to(tmp_path / "sub" / "ok.csv")
    assert contained_file(tmp_path, "sub/ok.csv") == tmp_path / "sub" / "ok.csv"
    assert contained_file(tmp_path, "inside.csv") == tmp_path / "sub" / "ok.csv"  # a link that stays inside is fine
    for rel, why in (("loop.csv", "the path is a loop of symbolic links"), ("sub", "the path is not a regular file")):
        with pytest.raises(UnsafePath, match=why):
            contained_file(tmp_path, rel)
    with pytest.raises(FileNotFoundError):
        contained_file(tmp_path, "missing.csv")


def test_merging_again_into_the_same_folder_replaces_it(tmp_path, pkg):
    out = tmp_path / "out"
    for _ in range(2):
        r = run_build("merge", str(pkg / "datapackage.json"), "--out", str(out))
        assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["data", "merge-report.txt", "providers"]
    (tmp_path / "file").write_text("x")
    r = run_build("merge", str(pkg / "datapackage.json"), "--out", str(tmp_path / "file"))
    assert r.returncode == 1 and r.stderr == (f"{tmp_path / 'file'}: is not a folder; give a new folder for --out\n"
                                              f"Nothing was merged; {tmp_path / 'file'} is unchanged.\n")


def test_a_missing_data_file_is_named(tmp_path, pkg):
    (pkg / "capabilities.csv").unlink()
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'datapackage.json'}: resource 'capabilities' names 'capabilities.csv', which is missing from the package folder"]
    assert merge_fails(tmp_path, tmp_path / "nothing" / "datapackage.json") == [
        f"{tmp_path / 'nothing' / 'datapackage.json'}: no such file; give the path of a package's datapackage.json"]
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    assert merge_fails(tmp_path, tmp_path / "pipe.json", tmp_path / "zero.json", tmp_path) == [  # each was 'no such file'
        *(f"{p}: is not a regular file (a device, pipe or folder); give the path of a package's datapackage.json"
          for p in (tmp_path / "pipe.json", tmp_path / "zero.json")),
        f"{tmp_path}: is a folder with no datapackage.json in it; give the path of a package's datapackage.json, or the "
        "folder that holds it"]


def test_a_packages_folder_stands_for_its_datapackage_json(tmp_path, pkg):
    """A site's data/ folder given, as a reuser would, is the package it holds (it was refused as not a file)."""
    from carehomes.merge import merge

    by_file, _ = merge([pkg / "datapackage.json"])
    by_folder, report = merge([pkg])
    assert by_folder == by_file and by_folder
    assert report.text(f"{len(by_folder):,} homes").startswith(f"Merged {len(by_folder):,} homes from 1 package:\n")  # not "1 packages"


def test_merge_keeps_every_slug_but_a_true_clash_and_says_so():
    from carehomes.merge import keep_slugs

    first = [({"location_id": "1-9", "slug": "the-laurels"}, "here/datapackage.json"),
             ({"location_id": "1-5", "slug": "oak-lodge-15"}, "here/datapackage.json")]
    second = [({"location_id": "1-1", "slug": "the-laurels"}, "shrop/datapackage.json"),  # another home, same slug
              ({"location_id": "1-4", "slug": "oak-lodge"}, "shrop/datapackage.json"),
              ({"location_id": "1-6", "slug": "oak-lodge"}, "shrop/datapackage.json")]
    homes = first + second
    lines = keep_slugs(homes)
    # the earlier package's homes keep their pages, though their location IDs sort later
    assert [h["slug"] for h, _ in homes] == ["the-laurels", "oak-lodge-15", "the-laurels-11", "oak-lodge", "oak-lodge-16"]
    assert lines == [
        "1-1 in shrop/datapackage.json: the-laurels -> the-laurels-11 (the-laurels is also the page of 1-9 in "
        "here/datapackage.json, which keeps it)",
        "1-6 in shrop/datapackage.json: oak-lodge -> oak-lodge-16 (oak-lodge is also the page of 1-4 in "
        "shrop/datapackage.json, which keeps it)"]


def test_a_new_slug_never_takes_another_homes_slug():
    from carehomes.merge import keep_slugs

    homes = [({"location_id": "1-1", "slug": "rose"}, "a"), ({"location_id": "1-2", "slug": "rose"}, "a"),
             ({"location_id": "1-3", "slug": "rose-12"}, "b")]
    keep_slugs(homes)
    assert [h["slug"] for h, _ in homes] == ["rose", "rose-12-2", "rose-12"]  # rose-12 stays with 1-3


@pytest.mark.parametrize("key, value, said", [
    ("hash", ["sha256:00"], "gives its hash as \"['sha256:00']\", not a text such as 'sha256:<hex digits>'"),
    ("bytes", "123", "gives its bytes as '123', not a whole number"),
    ("bytes", True, "gives its bytes as 'True', not a whole number")])
def test_a_size_or_hash_of_the_wrong_kind_is_named_as_such(tmp_path, published, key, value, said):
    """A descriptor's bytes or hash of the wrong kind is named as what it is, not read as a size or an algorithm."""
    folder = tmp_path / "pkg"
    shutil.copytree(published, folder)
    desc = json.loads((folder / "datapackage.json").read_text())
    next(r for r in desc["resources"] if r["path"] == "care-homes.csv")[key] = value
    (folder / "datapackage.json").write_text(json.dumps(desc))
    assert merge_fails(tmp_path, folder / "datapackage.json") == [
        f"{folder / 'care-homes.csv'}: datapackage.json {said}; ask for a fresh copy of the package"]


def test_the_merged_package_is_not_titled_as_the_site_merge_runs_beside(tmp_path, pkg):
    """The merged package took the title and homepage of the mkdocs.yml where merge was run: Herefordshire's and
    Oldham's packages merged were 'Herefordshire care homes directory' at Herefordshire's address, in the
    descriptor, the GeoJSON and the ORUK tabular form."""
    from carehomes.schema import load_schema

    r = run_build("merge", str(pkg / "datapackage.json"), "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    data = tmp_path / "out" / "data"
    desc = json.loads((data / "datapackage.json").read_text())
    assert desc["title"] == load_schema().package["title"] == "Care homes directory" and "homepage" not in desc
    assert json.loads((data / "care-homes.geojson").read_text())["metadata"]["title"] == "Care homes directory"
    assert "homepage" not in json.loads((data / "oruk-tabular" / "datapackage.json").read_text())


@pytest.mark.parametrize("name, column, cell", [
    ("care-homes.csv", "name", '=HYPERLINK("http://evil.example","Click")'),
    ("care-homes.csv", "cqc_specialisms", "Dementia;+1+1"),
    ("care-homes.csv", "phone", "\t01432 260000"),
])
def test_a_formula_the_publisher_would_have_guarded_is_refused(tmp_path, pkg, name, column, cell):
    """A published package writes a value starting like a formula after an apostrophe; one without it (a file saved by a
    spreadsheet, or made by hand) was merged as the home's name and republished."""
    import csv
    import io
    rows = list(csv.reader(io.StringIO((pkg / name).read_text(), newline="")))
    rows[1][rows[0].index(column)] = cell
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    (pkg / name).write_text(text.getvalue(), newline="")
    first = cell.split(";")[-1][:1]
    guarded = f" ('{first}...)" if first.isprintable() else ""
    shown = repr(cell if len(cell) <= 60 else cell[:57] + "...")
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / name}:2: {column}: is {shown}, which a spreadsheet would run as a formula; a published package writes a "
        f"value starting with {first!r} after an apostrophe{guarded}, so the file was changed after it was published "
        "(saved by a spreadsheet?): ask for a fresh copy of the package"]


def test_a_file_too_large_is_refused_by_its_size_before_it_is_read(tmp_path, pkg, monkeypatch):
    """A file over the limit was read (up to 512 MB into memory, 48 s on a shared machine) before it was refused."""
    from carehomes import merge

    os.truncate(pkg / "capabilities.csv", merge.MAX_DATA_BYTES + 1)
    read = merge.read_regular
    monkeypatch.setattr(merge, "read_regular", lambda path, limit: pytest.fail("read") if path.name == "capabilities.csv"
                        else read(path, limit))
    with pytest.raises(merge.MergeError) as err:
        merge.merge([pkg / "datapackage.json"])
    assert err.value.problems == [
        f"{pkg / 'capabilities.csv'}: is larger than 512 MB, more than merge reads of one file; no care directory's "
        "table is near that size, so check that the package holds its own files"]


def test_an_older_release_merges_its_columns_and_says_which_it_lacks(tmp_path):
    """releases/2026-11-23 (published before the key questions' ratings, 27 more CQC columns and food_hygiene_pinned
    were added, and while a food hygiene rating was a whole number) was refused: 'columns differ from this schema ...
    rebuild it with the same schema version', though both say schemaVersion 1.0.0 and no one can rebuild a release."""
    import csv

    old = ROOT / "releases" / "2026-11-23"
    out = tmp_path / "out"
    r = run_build("merge", str(old / "datapackage.json"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    older = [line for line in r.stdout.splitlines() if line.startswith("  older package: ")]
    assert len(older) == 1 and older[0].startswith(
        f"  older package: {old / 'datapackage.json'}: its care-homes table was published before 29 of this schema's "
        "columns were added, so they are empty (not known) for its homes: cqc_rating_safe, cqc_rating_safe_date, ")
    with open(old / "care-homes.csv", newline="", encoding="utf-8") as f:
        before = {row["location_id"]: row for row in csv.DictReader(f)}
    with open(out / "data" / "care-homes.csv", newline="", encoding="utf-8") as f:
        after = {row["location_id"]: row for row in csv.DictReader(f)}
    assert before.keys() == after.keys() and len(before) == 88
    assert all(after[lid][c] == row[c] for lid, row in before.items() for c in row)  # every published cell as it was


def test_a_food_hygiene_rating_published_as_a_whole_number_is_read_as_its_text(tmp_path, pkg):
    """Before 'Exempt' and 'Awaiting inspection', food_hygiene_rating was an integer column: 'has type integer, this
    schema has string'."""
    def change(d):
        next(f for f in d["resources"][0]["schema"]["fields"] if f["name"] == "food_hygiene_rating")["type"] = "integer"
    edit_descriptor(pkg, change)
    before = (pkg / "care-homes.csv").read_text()
    rated = [line for line in before.splitlines() if ",5,20" in line or ",4,20" in line]
    assert rated  # the fixtures hold homes rated 5 or 4 (the cell before the rating's date)
    r = run_build("merge", str(pkg / "datapackage.json"), "--out", str(tmp_path / "ok"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "ok" / "data" / "care-homes.csv").read_text().splitlines() == before.splitlines()
    edit_csv(pkg, "care-homes.csv", lambda b: b.replace(rated[0].encode(), rated[0].replace(",5,20", ",Exempt,20").replace(
        ",4,20", ",Exempt,20").encode()))
    assert merge_fails(tmp_path, pkg / "datapackage.json")[0].endswith("food_hygiene_rating: is 'Exempt', not a whole number")


def test_a_package_with_a_column_this_schema_lacks_is_told_to_update(tmp_path, pkg):
    def change(d):
        d["resources"][0]["schema"]["fields"].append({"name": "x_new", "type": "string"})
    edit_descriptor(pkg, change)
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'datapackage.json'}: care-homes columns differ from this schema (missing: none; extra: 'x_new'); it is "
        "newer than this project's schema: merge it with an up-to-date copy of this project"]
    def reorder(d):
        fields = d["resources"][0]["schema"]["fields"]
        fields.pop()
        fields[3], fields[4] = fields[4], fields[3]
    edit_descriptor(pkg, reorder)
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'datapackage.json'}: care-homes columns differ from this schema (missing: none; extra: none; out of "
        "order: 'name' comes before 'locality' in this schema); a package may leave out only columns added since it was "
        "published, keeping the others in order; ask its publisher for one published with this schema"]


@pytest.mark.parametrize("resource", ["care-homes", "capabilities"])
def test_a_column_named_twice_is_named(tmp_path, pkg, resource):
    """A descriptor naming a column twice was refused as 'columns differ from this schema (missing: none; extra:
    none)', which says nothing of what differs."""
    def change(d):
        fields = next(r for r in d["resources"] if r["name"] == resource)["schema"]["fields"]
        fields.insert(2, dict(fields[2]))
    edit_descriptor(pkg, change)
    column = "example" if resource == "care-homes" else "accepted"
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'datapackage.json'}: {resource} columns differ from this schema (missing: none; extra: none; named more "
        f"than once: '{column}'); a package may leave out only columns added since it was published, keeping the others "
        "in order; ask its publisher for one published with this schema"]


def test_only_a_column_whose_type_was_widened_is_read_as_the_text_of_a_whole_number(tmp_path, pkg):
    """Every text column declared a whole number was read as one and written back as its text: an address '0012' (or a
    slug '007') declared an integer was merged as '12', a change to a published value no report named."""
    def change(d):
        next(f for f in d["resources"][0]["schema"]["fields"] if f["name"] == "address_street")["type"] = "integer"
    edit_descriptor(pkg, change)
    edit_csv(pkg, "care-homes.csv", lambda b: b.replace(b",2 Example Road,", b",0012,"))
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'datapackage.json'}: care-homes field 'address_street' has type 'integer', this schema has type 'string'; "
        "ask its publisher for a package published with this schema"]


# --- the same location in two packages: its facts' dates, its kinds, the report's words ---------------------------

FULL = (FIXTURES / "profiles" / "example-full.yaml").read_text(encoding="utf-8")


def package_of(tmp_path, name, *texts):
    """A package published from profiles given as YAML text (fictional homes), as the data command writes it."""
    import datetime as dt

    from carehomes.load import parse_profile
    from carehomes.publish import data_files, write_files

    profiles = []
    for i, text in enumerate(texts):
        p, problems = parse_profile(text, f"{name}-{i}.yaml")
        assert p is not None, problems
        profiles.append(p)
    write_files(data_files(profiles, released=dt.date(2026, 12, 1)), tmp_path / name)
    return tmp_path / name / "datapackage.json"


def merged(*packages):
    from carehomes.merge import merge

    homes, report = merge(list(packages))
    return {h["location_id"]: h for h in homes}, report


def test_a_conflict_is_worded_for_people_not_as_python_values(tmp_path):
    """The report said "is None in ... but True in ...; kept None": Python's words for not known, yes and no."""
    a = package_of(tmp_path, "a", FULL)
    b = package_of(tmp_path, "b", FULL.replace("  weekend_admissions: no\n", "  weekend_admissions: yes\n")
                   .replace("slug: example-full\n", "slug: example-full-house\n")  # each site's own page name: no conflict
                   .replace("  manager: Sam Example\n", "").replace("phone: 01432 000000", "phone: 01432 000001"))
    _, report = merged(a, b)
    who = "1-000000101 (Example Full House (fictional))"
    assert report.conflicts == [
        f"{who}: contact.phone is '01432 000000' in {a} but '01432 000001' in {b}; kept '01432 000000' from {a}, "
        "the first listed, as contact.phone has no date of its own",
        f"{who}: contact.manager is 'Sam Example' in {a} but not known in {b}; kept 'Sam Example' from {a}, the only "
        "one known",
        f"{who}: care.weekend_admissions is no in {a} but yes in {b}; kept no from {a}, the first listed, as "
        "care.weekend_admissions has no date of its own"]
    assert not re.search(r"\b(None|True|False)\b", report.text("1 home"))


def test_a_text_that_differs_is_quoted_as_written_on_one_line(tmp_path):
    """A description of two lines with an apostrophe was said as Python writes it: 'Line one\\nit\\'s "q"'."""
    def with_description(text):
        return FULL.split("description:")[0] + "description: " + json.dumps(text) + "\n"

    a = package_of(tmp_path, "a", with_description('Line one\nit\'s "q"'))
    b = package_of(tmp_path, "b", with_description("x" * 2500))
    _, report = merged(a, b)
    assert report.conflicts == [
        f"1-000000101 (Example Full House (fictional)): description is 'Line one\\nit's \"q\"' in {a} but "
        f"'{'x' * 197}...' in {b}; kept 'Line one\\nit's \"q\"' from {a}, the first listed, as description has no date of its own"]


@pytest.mark.parametrize("key,value,said", [
    ("type", None, "no type"), ("type", ["date"], 'type ["date"]'), ("type", "datetime", "type 'datetime'"),
    ("format", "any", "format 'any'")])
def test_a_date_column_declared_otherwise_is_said_without_python_words(tmp_path, pkg, key, value, said):
    """A date column published with no type, or with a list for its type, was said "has type 'None', this schema has
    'date'" or "has type \"['date']\"", and a format where ours has none "this schema has None"."""
    def change(d):
        res = next(r for r in d["resources"] if r["name"] == "care-homes")
        f = next(f for f in res["schema"]["fields"] if f["name"] == "fees_date")
        if value is None:
            f.pop(key, None)
        else:
            f[key] = value
    edit_descriptor(pkg, change)
    ours = "type 'date'" if key == "type" else "no format"
    assert merge_fails(tmp_path, pkg / "datapackage.json") == [
        f"{pkg / 'datapackage.json'}: care-homes field 'fees_date' has {said}, this schema has {ours}; ask its publisher "
        "for a package published with this schema"]


def test_a_date_column_whose_format_is_frictionless_default_merges(tmp_path, pkg):
    """"format": "default" is Frictionless's word for a column with no format of its own: it was refused as "has
    format 'default', this schema has no format"."""
    def change(d):
        res = next(r for r in d["resources"] if r["name"] == "care-homes")
        next(f for f in res["schema"]["fields"] if f["name"] == "fees_date")["format"] = "default"
    edit_descriptor(pkg, change)
    from carehomes.merge import merge

    homes, _ = merge([pkg / "datapackage.json"])
    assert homes


def test_the_newer_dated_fact_wins_with_the_facts_its_date_dates(tmp_path):
    """The first package listed won every conflict, though the second's fees were confirmed six months later."""
    a = package_of(tmp_path, "a", FULL.replace("staffing:\n  staff_turnover_percent: 24.5\n  nurse_turnover_percent: 31\n"
                                               "  date: 2026-09-30\n", ""))
    b = package_of(tmp_path, "b", FULL.replace("  nursing_from: 1150\n", "  nursing_from: 1200\n")
                   .replace("  top_ups: yes\n", "").replace("  date: 2026-04-01", "  date: 2026-10-01")
                   .replace("  rating: Good\n", "  rating: Outstanding\n").replace("  imported: 2025-08-26", "  imported: 2026-11-30")
                   .replace("  nurse_turnover_percent: 31\n", "  nurse_turnover_percent: 30\n")
                   .replace("  score: 9.2\n", "  score: 9.4\n"))
    who = "1-000000101 (Example Full House (fictional))"
    for first, second in ((a, b), (b, a)):
        homes, report = merged(first, second)
        home = homes["1-000000101"]
        assert home["fees"] == {"nursing_from": 1200, "nursing_to": 1420.5, "residential_from": 890, "residential_to": 1100,
                                "council_rate_accepted": True, "date": "2026-10-01"}  # the newer fees, as a whole
        assert (home["cqc"]["rating"], home["cqc"]["imported"]) == ("Outstanding", "2026-11-30")
        assert home["user_rating"]["score"] == (9.2 if first == a else 9.4)  # the same date: the first listed
        assert home["staffing"]["date"] == "2026-09-30"  # a knows none of them (no date, no figures): b's, in either order
    _, report = merged(a, b)
    assert report.conflicts == [
        f"{who}: cqc.rating is 'Good' in {a} (register data dated 2025-08-26) but 'Outstanding' in {b} (register data "
        f"dated 2026-11-30); kept 'Outstanding' from {b}, the newer",
        f"{who}: cqc.imported is 2025-08-26 in {a} but 2026-11-30 in {b}; kept 2026-11-30 from {b}, the newer",
        f"{who}: staffing.staff_turnover_percent is not known in {a} (turnover figures to: not known) but 24.5 in {b} "
        f"(turnover figures to 2026-09-30); kept 24.5 from {b}, the only one known",
        f"{who}: staffing.nurse_turnover_percent is not known in {a} (turnover figures to: not known) but 30 in {b} "
        f"(turnover figures to 2026-09-30); kept 30 from {b}, the only one known",
        f"{who}: staffing.date is not known in {a} but 2026-09-30 in {b}; kept 2026-09-30 from {b}, the only one known",
        f"{who}: user_rating.score is 9.2 in {a} (user rating on 2026-10-01) but 9.4 in {b} (user rating on 2026-10-01); "
        f"kept 9.2 from {a}, the first listed: both have the same date",
        f"{who}: fees.nursing_from is 1150 in {a} (fees dated 2026-04-01) but 1200 in {b} (fees dated 2026-10-01); kept "
        f"1200 from {b}, the newer",
        f"{who}: fees.top_ups is yes in {a} (fees dated 2026-04-01) but not known in {b} (fees dated 2026-10-01); kept "
        f"not known from {b}, the newer",
        f"{who}: fees.date is 2026-04-01 in {a} but 2026-10-01 in {b}; kept 2026-10-01 from {b}, the newer"]


def test_a_newer_date_without_the_facts_it_dates_does_not_take_the_older_facts_away(tmp_path):
    """A second package's fees dated six months later but with no figures at all (only fees.date) won as "the newer",
    so the merged home lost every fee the first package gave: not known is no newer fact."""
    fees = ("  nursing_from: 1150\n", "  nursing_to: 1420.5\n", "  residential_from: 890\n", "  residential_to: 1100\n",
            "  council_rate_accepted: yes\n", "  top_ups: yes\n")
    a = package_of(tmp_path, "a", FULL)
    text = FULL.replace("  date: 2026-04-01", "  date: 2026-10-01")
    for line in fees:
        assert line in text
        text = text.replace(line, "")
    b = package_of(tmp_path, "b", text)
    who = "1-000000101 (Example Full House (fictional))"
    for first, second in ((a, b), (b, a)):
        homes, report = merged(first, second)
        fee = homes["1-000000101"]["fees"]
        assert (fee["nursing_from"], fee["top_ups"], fee["date"]) == (1150, True, "2026-04-01"), (first, fee)
    _, report = merged(b, a)
    assert (f"{who}: fees.date is 2026-10-01 in {b} but 2026-04-01 in {a}; kept 2026-04-01 from {a}, the only one known"
            in report.conflicts)


HOME_ONLY = ("location_id: 1-000000402\nslug: example-both\nexample: true\nname: Example Both (fictional)\n"
             "locality: Exampleshire\nbeds:\n  registered: 30\ncqc:\n  imported: 2026-11-01\n")
BOTH = HOME_ONLY.replace("beds:", "kinds: [care_home, home_care_agency]\nbeds:") + (
    "coverage:\n  districts: [OL1, OL2]\n  confirmed: 2026-11-01\n"
    "homecare:\n  taking_new_clients: yes\n  hours_available: 20\n  confirmed: 2026-11-20\n"
    "  hourly_rate:\n    from: 24.5\n    updated: 2026-10-01\n")
AGENCY_ONLY = BOTH.replace("[care_home, home_care_agency]", "[home_care_agency]").replace("beds:\n  registered: 30\n", "")


def test_a_fact_only_the_second_package_knows_is_taken_dated_or_not(tmp_path):
    """The first listed won even where it knew nothing: a home whose first package had no phone and no turnover figures
    kept "not known" for both though the second gave them. A fact the first does not know is the second's."""
    a = package_of(tmp_path, "a", FULL.replace("  phone: 01432 000000\n", "").replace(
        "staffing:\n  staff_turnover_percent: 24.5\n  nurse_turnover_percent: 31\n  date: 2026-09-30\n", ""))
    b = package_of(tmp_path, "b", FULL)
    homes, report = merged(a, b)
    home = homes["1-000000101"]
    assert home["contact"]["phone"] == "01432 000000" and home["staffing"]["nurse_turnover_percent"] == 31
    assert f"kept '01432 000000' from {b}, the only one known" in report.text("1 home")
    homes, _ = merged(b, a)  # the other way round: the first knows them, and keeps them
    assert homes["1-000000101"]["contact"]["phone"] == "01432 000000"


def test_a_location_of_one_kind_in_one_package_and_two_in_another_keeps_both(tmp_path):
    """A care home in the first package that is a care home and a home care agency in the second lost its agency: its
    kinds were a conflict ("kinds is None ... kept None") and its agency facts dropped."""
    home, both, agency = (package_of(tmp_path, n, text) for n, text in (("home", HOME_ONLY), ("both", BOTH),
                                                                         ("agency", AGENCY_ONLY)))
    who = "1-000000402 (Example Both (fictional))"
    for first, second, was, gained in ((home, both, "care home", "home care agency"),
                                       (agency, both, "home care agency", "care home")):
        homes, report = merged(first, second)
        kept = homes["1-000000402"]
        assert kept["kinds"] == ["care_home", "home_care_agency"]
        assert kept["beds"] == {"registered": 30}  # the care home's facts, from the package that has them
        assert kept["coverage"] == {"districts": ["OL1", "OL2"], "confirmed": "2026-11-01"}
        assert kept["homecare"] == {"taking_new_clients": True, "hours_available": 20, "confirmed": "2026-11-20",
                                    "hourly_rate": {"from": 24.5, "updated": "2026-10-01"}}
        assert report.conflicts == []
        assert report.kinds == [f"{who}: {was} in {first}, care home and home care agency in {second}; kept as care home "
                                f"and home care agency, its {gained} facts from {second}"]
        assert f"  kinds of service combined: {report.kinds[0]}" in report.text("1 home").splitlines()
    homes, report = merged(both, home)  # the first holds both kinds already: nothing to combine, nothing differs
    assert homes["1-000000402"]["kinds"] == ["care_home", "home_care_agency"] and homes["1-000000402"]["homecare"]
    assert (report.kinds, report.conflicts) == ([], [])


def test_facts_that_do_not_pass_check_together_leave_the_first_whole(tmp_path):
    """Each package's facts pass check, but the newer free beds (9) and the first's undated total (8) do not: the
    first package's record is kept whole, and the report says why."""
    a = package_of(tmp_path, "a", FULL.replace("    total: 30\n    available: 2\n", "    total: 8\n    available: 2\n"))
    b = package_of(tmp_path, "b", FULL.replace("    available: 2\n", "    available: 9\n")
                   .replace("  confirmed: 2026-11-20", "  confirmed: 2026-11-27"))
    homes, report = merged(a, b)
    assert homes["1-000000101"]["beds"]["nursing"] == {"total": 8, "available": 2}
    who = "1-000000101 (Example Full House (fictional))"
    assert report.apart == [
        f"{who}: its facts in {b} and in {a} do not pass check together (beds.nursing.available: is 9 but "
        "beds.nursing.total is 8; free beds cannot be more than the beds there are), so those kept before are kept, every one"]
    why = "the first listed, as the two do not pass check together"
    assert report.conflicts == [
        f"{who}: beds.nursing.total is 8 in {a} but 30 in {b}; kept 8 from {a}, {why}",
        f"{who}: beds.nursing.available is 2 in {a} (availability confirmed on 2026-11-20) but 9 in {b} (availability "
        f"confirmed on 2026-11-27); kept 2 from {a}, {why}",
        f"{who}: beds.confirmed is 2026-11-20 in {a} but 2026-11-27 in {b}; kept 2026-11-20 from {a}, {why}"]
    assert f"  not combined: {report.apart[0]}" in report.text("1 home").splitlines()


def test_the_merged_package_describes_only_the_files_in_its_folder(tmp_path, pkg):
    """Its datapackage.json said it was published with changes.atom, releases/<date>/ and a static ORUK API under oruk/
    on the site (and oruk-tabular/datapackage.json that its records are served there): merge writes none of them."""
    out = tmp_path / "out"
    r = run_build("merge", str(pkg / "datapackage.json"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    describes_only_its_folder(out / "data")


def test_the_data_commands_package_describes_only_the_files_it_writes(published):
    """`data` alone wrote a datapackage.json saying it was published with changes.atom, releases/<date>/ and a static
    ORUK API under oruk/ on the site, which only `build` publishes, and a care-homes.db described as holding "releases
    and changes (the changelog)" whose releases and changes tables were empty (data makes no changelog). It names only
    the files it writes (as merge's package, publish's site=False), and its database has no changelog tables."""
    describes_only_its_folder(published)


def describes_only_its_folder(data):
    """The package in ``data`` names no file its folder does not hold, and its database no table it does not have."""
    import sqlite3

    held = {p.relative_to(data).as_posix() for p in data.rglob("*")}
    desc = json.loads((data / "datapackage.json").read_text())
    tabular = json.loads((data / "oruk-tabular" / "datapackage.json").read_text())
    texts = [desc["description"], *(res.get("description", "") for res in desc["resources"]), tabular["description"]]
    texts = [re.sub(r"https?://\S+", "", text) for text in texts]  # the addresses of sources and licences
    named = {m for text in texts for m in re.findall(r"(?<![\w@:/])[\w<>{}-]+(?:\.(?:csv|json|atom|db|xlsx|geojson|html)\b"
                                                     r"|/[\w<>{}./-]*)", text)} - {"yes/no", "TRUE/FALSE", "1/0"}
    assert "care-homes-excel.csv" in named and "oruk-tabular/" in named
    # a file the description names is in the folder (the ORUK tabular form's tables, in oruk-tabular/)
    assert {n for n in named if not (n.rstrip("/") in held or f"oruk-tabular/{n}" in held)} == set()
    assert {res["path"] for res in desc["resources"]} <= held
    assert not any("on the site" in text or "changes.atom" in text or "releases/" in text for text in texts)
    db = sqlite3.connect(data / "care-homes.db")
    tables = {row[0] for row in db.execute("select name from sqlite_master where type = 'table'")}
    described = {row[0] for row in db.execute("select table_name from dictionary_tables")}
    assert tables == {"care_homes", "home_care_agencies", "capabilities", "nhs_trusts", "dictionary_tables", "dictionary_columns",
                      "licence_and_sources"}
    assert described == tables - {"dictionary_tables", "dictionary_columns"}
    assert {row[0] for row in db.execute("select distinct table_name from dictionary_columns")} == described
    db.close()
    said = next(res["description"] for res in desc["resources"] if res["path"] == "care-homes.db")
    assert "releases" not in said and "changes" not in said and "nhs_trusts" in said
