"""Paths given on the command line: a file where a folder belongs, a folder where a file belongs,
a missing or empty folder, damaged release snapshots. Always one line saying what and what to do,
exit 1, nothing written; never a traceback."""
from __future__ import annotations

import csv
import io

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from carehomes.cli import main
from carehomes.releases import ReleaseError, list_releases
from conftest import FIXTURES, ROOT, SHARED, run_build

CQC_CSV = SHARED / "data" / "cqc" / "virtuk-hsca-care-homes-2021-03" / "cqc_care_homes_england_2021-03_cqc_columns_only.csv"
FHRS = SHARED / "data" / "fsa"


def providers(tmp_path: Path) -> Path:
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    return prov


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """The command run in this process (faster than a subprocess): exit code, stdout, stderr."""
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def tree(folder: Path) -> dict[str, bytes]:
    return {str(f.relative_to(folder)): f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file()}


@pytest.mark.parametrize("argv, flag", [
    (["build", "--no-search"], "--out"),
    (["data"], "--out"),
    (["report"], "--out"),
    (["release"], "--releases"),
])
def test_a_file_where_an_output_folder_belongs(tmp_path, capsys, argv, flag):
    prov = providers(tmp_path)
    file = tmp_path / "file"
    file.write_text("keep me")
    code, out, err = run(capsys, *argv, "--providers", str(prov), flag, str(file))
    assert (code, out) == (1, "")
    assert err == f"{flag} {file}: is a file, not a folder; move it away or give another folder with {flag}\n"
    assert file.read_text() == "keep me"


@pytest.mark.parametrize("argv, flag", [(["build", "--no-search"], "--out"), (["data"], "--out"),
                                        (["report"], "--out"), (["release"], "--releases")])
def test_a_file_above_an_output_folder(tmp_path, capsys, argv, flag):
    prov = providers(tmp_path)
    (tmp_path / "file").write_text("keep me")
    target = tmp_path / "file" / "out"
    code, _, err = run(capsys, *argv, "--providers", str(prov), flag, str(target))
    assert code == 1
    assert err == (f"{flag} {target}: {tmp_path / 'file'} is a file, not a folder, so {target} cannot be made; "
                   f"give another folder with {flag}\n")


@pytest.mark.parametrize("argv", [["build", "--no-search"], ["report"]])
def test_a_file_where_the_releases_folder_belongs(tmp_path, capsys, argv):
    prov = providers(tmp_path)
    file = tmp_path / "releases"
    file.write_text("x")
    code, _, err = run(capsys, *argv, "--providers", str(prov), "--out", str(tmp_path / "out"), "--releases", str(file))
    assert code == 1
    assert err == f"--releases {file}: is a file, not a folder; give the folder of release snapshots, e.g. releases/\n"
    assert not (tmp_path / "out").exists()


def test_import_cqc_providers_is_a_file(tmp_path, capsys):
    code, _, err = run(capsys, "import-cqc", str(CQC_CSV), "--providers", str(CQC_CSV), "--local-authority",
                       "Herefordshire", "--as-of", "2021-03-31", "--dry-run")
    assert code == 1
    assert err == f"--providers {CQC_CSV}: is a file, not a folder; give the folder of profiles, e.g. providers/\n"


@pytest.mark.slow  # reads a whole CQC register
def test_import_cqc_dry_run_into_a_missing_folder_writes_nothing(tmp_path, capsys):
    target = tmp_path / "nowhere" / "providers"
    code, out, _ = run(capsys, "import-cqc", str(CQC_CSV), "--providers", str(target), "--local-authority",
                       "Herefordshire", "--as-of", "2021-03-31", "--dry-run")
    assert code == 0
    assert "new: " in out
    assert list(tmp_path.iterdir()) == [], "a dry run makes no folder"


@pytest.mark.parametrize("argv", [
    ["import-fsa", str(FHRS / "FHRS895en-GB.xml"), "--dry-run"],
    ["import-fsa", str(FHRS / "FHRS895en-GB.xml")],
    ["vacancies", "aston-house", "--nursing", "1"],
    ["vacancies", "--from-csv", str(CQC_CSV)],
    ["stale"],
    ["import-cqc", str(CQC_CSV), "--local-authority", "Herefordshire", "--as-of", "2021-03-31", "--dry-run"],
])
def test_providers_folder_must_be_a_folder(tmp_path, capsys, argv):
    missing = tmp_path / "nonexistent"
    file = tmp_path / "file"
    file.write_text("x")
    if argv[0] != "import-cqc":  # import-cqc may start a new folder of profiles
        code, _, err = run(capsys, *argv, "--providers", str(missing))
        assert code == 1
        assert err == f"--providers {missing}: no such folder; give the folder of profiles, e.g. providers/\n"
        assert not missing.exists()
    code, _, err = run(capsys, *argv, "--providers", str(file))
    assert code == 1
    assert err == f"--providers {file}: is a file, not a folder; give the folder of profiles, e.g. providers/\n"


def test_import_fsa_given_a_folder(tmp_path, capsys):
    prov = providers(tmp_path)
    code, _, err = run(capsys, "import-fsa", str(FHRS), "--providers", str(prov), "--dry-run")
    assert code == 1
    assert err == f"{FHRS}: is a folder; give the XML files in it, e.g. {FHRS / 'FHRS895en-GB.xml'}\n"


# --- finding profiles ----------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["build", "data"])
def test_missing_providers_folder(tmp_path, capsys, command):
    code, out, err = run(capsys, command, "--providers", "/nonexistent", "--out", str(tmp_path / "out"))
    assert code == 1
    assert out == "/nonexistent: no such file or folder; give a profile (.yaml) or the folder of profiles, e.g. providers/\n"
    assert not (tmp_path / "out").exists()


def test_a_folder_named_like_a_profile(tmp_path, capsys, monkeypatch):
    prov = providers(tmp_path)
    (prov / "sub.yaml").mkdir()
    monkeypatch.chdir(tmp_path)
    msg = ("providers/sub.yaml: is a folder, not a profile file; profiles are .yaml files directly in the folder of "
           "profiles (folders inside it are not read): rename or move this folder\n")
    code, out, err = run(capsys, "check", "providers")
    assert (code, out) == (1, msg)
    assert err == "1 problem in 1 file (checked 2). Fix each line above and run the check again.\n"
    code, out, err = run(capsys, "check", "providers/sub.yaml")
    assert (code, out) == (1, msg)
    assert err == "1 problem in 1 file (checked 0). Fix each line above and run the check again.\n"


def test_profiles_put_in_a_folder_inside_the_profiles_folder_are_a_problem_not_left_out_unseen(tmp_path, capsys, monkeypatch):
    """providers/new/x.yaml was never read: check said 'no problems' and build published the site without the home."""
    prov = providers(tmp_path)
    (prov / "new").mkdir()
    shutil.move(str(prov / "example-full.yaml"), prov / "new")
    (prov / "_old").mkdir()  # a folder starting with _ is kept unread, as a file is
    shutil.copy(prov / "new" / "example-full.yaml", prov / "_old")
    (prov / "notes").mkdir()  # a folder without profiles is none of check's business
    (prov / "notes" / "a.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "check", "providers")
    assert (code, out) == (1, "providers/new: holds .yaml files, but profiles are read only directly in providers "
                              "(folders inside it are not read), so these homes would not be published: move the files "
                              "up a folder, or start the folder's name with _ to keep it unread\n")
    code, out, err = run(capsys, "build", "--providers", "providers", "--out", "site", "--no-search")
    assert code == 1 and out.startswith("providers/new: holds .yaml files") and not (tmp_path / "site").exists()


def test_build_never_replaces_the_folder_it_runs_in_its_inputs_or_a_folder_of_other_files(tmp_path, capsys, monkeypatch):
    """--out is replaced as a whole: 'build --out .' in a repository moved the repository aside and deleted it."""
    repo = tmp_path / "repo"
    providers(repo)
    config = str(ROOT / "mkdocs.yml")
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "thesis.docx").write_text("years of work")
    (repo / "releases").mkdir()  # none yet (a --releases given that is not there is refused)
    monkeypatch.chdir(repo)
    before = tree(tmp_path)
    whole = "--out is replaced as a whole (everything in it is deleted)"
    cases = {
        ".": f"--out .: is the folder this command runs in, and {whole}; give a folder of its own, e.g. --out site",
        "..": f"--out ..: holds the folder this command runs in, and {whole}; give a folder of its own, e.g. --out site",
        "providers": f"--out providers: holds providers, which this command reads, and {whole}; give a folder of its "
                     "own, e.g. --out site",
        "../papers": f"--out ../papers: is a folder with other files in it (thesis.docx), not an earlier output (it has "
                     f"not all of index.html, sitemap.xml and data/datapackage.json), and {whole}; give a new or empty folder",
    }
    for out, message in cases.items():
        code, stdout, err = run(capsys, "build", "--providers", "providers", "--config", config, "--out", out,
                                "--no-search", "--releases", "releases")
        assert (code, stdout, err) == (1, "", message + "\n"), out
    code, _, err = run(capsys, "fetch-postcodes", "--dir", "..", "--config", config)
    assert (code, err) == (1, "--dir ..: holds the folder this command runs in, and --dir is replaced as a whole "
                              "(everything in it is deleted); give a folder of its own, e.g. --dir .codepoint/current\n")
    assert tree(tmp_path) == before and not list(tmp_path.glob(".*-builds"))


@pytest.mark.slow  # builds two sites
def test_build_may_replace_an_empty_folder_or_one_holding_data_output(tmp_path, capsys, monkeypatch):
    repo = tmp_path / "repo"
    prov = providers(repo)
    config = str(ROOT / "mkdocs.yml")
    monkeypatch.chdir(repo)
    (repo / "site" / "data").mkdir(parents=True)  # data's output, then build over it: allowed, as are empty folders
    (repo / "site" / "data" / "datapackage.json").write_text("{}")
    (repo / "empty").mkdir()
    (repo / "releases").mkdir()  # none yet (a --releases given that is not there is refused)
    for out in ("site", "empty"):
        code, _, err = run(capsys, "build", "--providers", "providers", "--config", config, "--out", out,
                           "--no-search", "--releases", "releases")
        assert code == 0 and (repo / out / "index.html").is_file() and (repo / out).is_symlink(), err
    assert (repo / "providers").is_dir() and tree(prov) == tree(FIXTURES / "profiles")


def test_an_empty_folder_is_refused(tmp_path, capsys, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    msg = ("empty: no profiles in this folder (no .yaml files); an empty folder is almost certainly a mistake: "
           "give the folder that holds the profiles, e.g. providers/, or, for a new area, import its services into it "
           "first (python3 build.py import-cqc --area NAME FILE --local-authority \"CQC's name for it\": docs/areas.md)\n")
    code, out, _ = run(capsys, "check", "empty")
    assert (code, out) == (1, msg)
    site = tmp_path / "site"
    code, out, err = run(capsys, "build", "--no-search", "--providers", "empty", "--out", str(site))
    assert (code, out) == (1, msg)
    assert err == f"1 problem: the site was not built; {site} is unchanged.\n"
    assert not site.exists()


def test_fmt_a_file_that_is_not_yaml(tmp_path, capsys, monkeypatch):
    (tmp_path / "some.csv").write_text("a,b\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "fmt", "--check", "some.csv")
    assert code == 1
    assert out == ("some.csv: is not a YAML profile (profile names end in '.yaml'); give a profile or the folder of "
                   "profiles, e.g. providers/\n")


def test_paths_outside_the_working_folder_are_shown_as_given(tmp_path, capsys):
    prov = providers(tmp_path)
    (prov / "sub.yaml").mkdir()
    code, out, _ = run(capsys, "check", str(prov))
    assert out.startswith(f"{prov / 'sub.yaml'}: is a folder")


# --- release snapshots -----------------------------------------------------------------------------

def snapshot_folder(releases: Path, date: str, homes: bytes | None = b"garbage\n", package: bool = False) -> Path:
    d = releases / date
    d.mkdir(parents=True)
    if homes is not None:
        (d / "care-homes.csv").write_bytes(homes)
    if package:
        (d / "capabilities.csv").write_text("location_id,capability\n")
        (d / "datapackage.json").write_text("{}")
    return d


def test_damaged_snapshots_are_refused_and_a_later_one_is_kept(tmp_path):
    rel = tmp_path / "releases"
    shutil.copytree(ROOT / "releases" / "2026-11-23", rel / "2099-01-01")  # made for a later day: not damaged
    garbage = snapshot_folder(rel, "2026-11-01", package=True)
    snapshot_folder(rel, "2026-11-02", homes=b"location_id,name\n,Nameless\n", package=True)
    snapshot_folder(rel, "2026-11-03", homes=b"location_id,name\n\xff\n", package=True)
    (rel / "2026-13-45").mkdir()
    (rel / "notes").mkdir()  # not a snapshot: left alone
    with pytest.raises(ReleaseError) as exc:
        list_releases(rel)
    assert str(exc.value).splitlines() == [
        f"{garbage / 'care-homes.csv'}:1: has no column location_id or name; it is not a care-homes.csv made by the "
        "release command",
        f"{rel / '2026-11-02' / 'care-homes.csv'}:2: has no location_id; the file is damaged",
        f"{rel / '2026-11-03' / 'care-homes.csv'}: is not UTF-8 text: byte 17 (0xFF, which Windows "
        "writes for ÿ); the file is damaged",
        f"{rel / '2026-13-45'}: is not a date; name a release snapshot's folder by the day it was made (YYYY-MM-DD), "
        "or remove it",
        "A damaged release snapshot was changed by hand or left half-written by an interrupted release (Ctrl+C, a full "
        "disk). To repair today's, make it again with: python3 build.py release --force; to repair an older one, restore "
        "it from git (git checkout -- <folder>) or remove its folder",
    ]


def test_a_snapshot_whose_numbers_are_not_numbers_is_refused_by_build_report_and_release(tmp_path, capsys):
    """The market page and the report count with a release's numbers: a cell that is not a number of the field's
    kind and at least its minimum is a damaged file, named with its line and column, the first of each column."""
    rel = tmp_path / "releases"
    d = rel / "2026-11-23"
    shutil.copytree(ROOT / "releases" / "2026-11-23", d)
    lines = (d / "care-homes.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    beds, lat = header.index("beds_registered"), header.index("latitude")

    def damage(n: int, column: int, text: str) -> None:
        row = next(csv.reader([lines[n]]))
        row[column] = text
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(row)
        lines[n] = buf.getvalue()

    damage(1, beds, "abc")
    damage(2, beds, "16.5")  # the first of the column is said, not every one
    damage(3, lat, "1e400")
    damage(4, header.index("longitude"), "1" + "0" * 400)  # a number of its kind: a limit may be newer than the snapshot
    (d / "care-homes.csv").write_text("".join(lines), encoding="utf-8")
    expected = [f"{d / 'care-homes.csv'}:2: beds_registered is 'abc', not a whole number; the file is damaged",
                f"{d / 'care-homes.csv'}:4: latitude is '1e400', not a number; the file is damaged",
                f"{d / 'care-homes.csv'}:5: longitude is '{('1' + '0' * 400)[:40]}', not a number; the file is damaged"]
    with pytest.raises(ReleaseError) as exc:
        list_releases(rel)
    assert str(exc.value).splitlines()[:-1] == expected
    prov = providers(tmp_path)
    for args in (["report", "--providers", str(prov), "--releases", str(rel)], ["release", "--providers", str(prov), "--releases", str(rel)]):
        r = run_build(*args)
        assert r.returncode == 1 and "Traceback" not in r.stderr and expected[0] in r.stderr, (args, r.stderr)


def test_a_snapshot_holding_a_formula_is_refused_not_republished(tmp_path):
    """build publishes release snapshots as they are: a name changed by hand to '=HYPERLINK(...)' was accepted by build,
    report and release and served under data/releases/ (hostile-input review). release writes such a value after an
    apostrophe, so one without is a changed file; a negative number (a longitude) is a number, not a formula."""
    rel = tmp_path / "releases"
    d = rel / "2026-11-23"
    shutil.copytree(ROOT / "releases" / "2026-11-23", d)
    rows = list(csv.reader(io.StringIO((d / "care-homes.csv").read_text(encoding="utf-8"))))
    name, longitude = rows[0].index("name"), rows[0].index("longitude")
    assert all(r[longitude].startswith("-") for r in rows[1:] if r[longitude])  # Herefordshire is west of Greenwich
    rows[2][name] = '=HYPERLINK("http://example.invalid","Aston House")'
    rows[3][name] = "'=1+1"  # as release writes it: fine
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    (d / "care-homes.csv").write_text(buf.getvalue(), encoding="utf-8")
    with pytest.raises(ReleaseError) as exc:
        list_releases(rel)
    assert str(exc.value).splitlines()[:-1] == [
        f"{d / 'care-homes.csv'}:3: name is '=HYPERLINK(\"http://example.invalid\",\"...', which a spreadsheet would run "
        "as a formula; release writes such a value after an apostrophe, so the file was changed after it was made (by hand, "
        "or saved by a spreadsheet): restore it from git"]


def test_a_snapshot_cut_short_or_with_cells_added_is_refused_not_a_traceback(tmp_path):
    """A care-homes.csv cut short in its last row (a copy or a commit that stopped half way), or with a row
    given more cells than the first line names columns: the file and line, never a traceback from build."""
    rel = tmp_path / "releases"
    d = rel / "2026-11-23"
    shutil.copytree(ROOT / "releases" / "2026-11-23", d)
    text = (d / "care-homes.csv").read_text(encoding="utf-8")
    columns = len(next(csv.reader([text.splitlines()[0]])))
    (d / "care-homes.csv").write_text(text[:text.index("\n", text.index("\n") + 1) + 1] + "1-1,Cut Short\n", encoding="utf-8")
    expected = f"{d / 'care-homes.csv'}:3: has 2 cells where the first line names {columns} columns; the file is damaged"
    with pytest.raises(ReleaseError) as exc:
        list_releases(rel)
    assert str(exc.value).splitlines()[0] == expected
    prov = providers(tmp_path)
    r = run_build("build", "--providers", str(prov), "--releases", str(rel), "--out", str(tmp_path / "site"), "--no-search")
    assert r.returncode == 1 and "Traceback" not in r.stderr and expected in r.stderr, r.stderr
    lines = text.splitlines(keepends=True)
    lines[1] = lines[1].rstrip("\r\n") + ",extra\r\n"
    (d / "care-homes.csv").write_text("".join(lines), encoding="utf-8", newline="")
    with pytest.raises(ReleaseError) as exc:
        list_releases(rel)
    assert str(exc.value).splitlines()[0] == (f"{d / 'care-homes.csv'}:2: has {columns + 1} cells where the first line "
                                              f"names {columns} columns; the file is damaged")


def test_snapshot_without_its_files(tmp_path):
    rel = tmp_path / "releases"
    d = snapshot_folder(rel, "2026-11-01", homes=None)
    with pytest.raises(ReleaseError) as exc:
        list_releases(rel)
    assert str(exc.value).splitlines()[:3] == [
        f"{d / name}: is missing; a release snapshot has care-homes.csv, capabilities.csv, datapackage.json"
        for name in ("care-homes.csv", "capabilities.csv", "datapackage.json")]


def test_the_bundled_releases_are_readable():
    assert [d.isoformat() for d, _ in list_releases(ROOT / "releases")] == ["2026-11-23"]


@pytest.mark.slow  # builds a site
def test_build_with_a_damaged_snapshot_publishes_nothing(tmp_path):
    prov = providers(tmp_path)
    rel = tmp_path / "releases"
    shutil.copytree(ROOT / "releases", rel)
    site = tmp_path / "site"
    r = run_build("build", "--no-search", "--providers", str(prov), "--out", str(site), "--releases", str(rel))
    assert r.returncode == 0, r.stderr
    before = tree(site)
    future = snapshot_folder(rel, "2099-01-01")
    r = run_build("build", "--no-search", "--providers", str(prov), "--out", str(site), "--releases", str(rel))
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.splitlines()[0] == f"{future / 'capabilities.csv'}: is missing; a release snapshot has care-homes.csv, capabilities.csv, datapackage.json"
    assert r.stderr.splitlines()[-1] == f"The site was not built; {site} is unchanged."
    assert tree(site) == before
    r = run_build("release", "--providers", str(prov), "--releases", str(rel))
    assert (r.returncode, r.stderr.splitlines()[-1]) == (1, "No release was made.")
    assert sorted(p.name for p in rel.iterdir()) == ["2026-11-23", "2099-01-01"]


def test_a_release_made_with_a_later_date_is_kept_and_no_release_may_come_before_it(tmp_path, capsys, monkeypatch):
    prov, rel = providers(tmp_path), tmp_path / "releases"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "4070908800")  # 2099-01-01: a release made for a later day
    assert run(capsys, "release", "--providers", str(prov), "--releases", str(rel))[0] == 0
    assert [d.isoformat() for d, _ in list_releases(rel)] == ["2099-01-01"]  # every later build reads it
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-23
    code, _, err = run(capsys, "release", "--providers", str(prov), "--releases", str(rel))
    assert (code, err) == (1, f"{rel / '2099-01-01'}: the newest release is dated 2099-01-01, after this release's date "
                              "(2026-11-23); releases follow each other in time: remove the wrongly dated snapshot, or make "
                              "this release on that day or later (SOURCE_DATE_EPOCH)\nNo release was made.\n")
    assert sorted(p.name for p in rel.iterdir()) == ["2099-01-01"]


def test_a_build_with_no_such_config_file_says_so_before_checking_a_profile(tmp_path, capsys):
    """A --config that names no file stops the build at once (nationally a profile check is 5 s), with what was built
    left as it was: the profile's own error is not reached."""
    prov = providers(tmp_path)
    (prov / "broken.yaml").write_text("name: [\n", encoding="utf-8")
    code, _, err = run(capsys, "build", "--providers", str(prov), "--out", str(tmp_path / "site"), "--config", str(tmp_path / "nope.yml"))
    assert (code, err) == (1, f"The build failed, so {tmp_path / 'site'} was left as it was:\n"
                              f"{tmp_path / 'nope.yml'}: no such config file; give an existing mkdocs.yml with --config\n")
    assert not (tmp_path / "site").exists()


def test_config_paths(tmp_path, capsys):
    code, _, err = run(capsys, "stale", "--config", str(tmp_path / "nope.yml"))
    assert (code, err) == (1, f"{tmp_path / 'nope.yml'}: no such config file; give an existing mkdocs.yml with --config\n")
    prov = providers(tmp_path)
    code, _, err = run(capsys, "report", "--providers", str(prov), "--out", str(tmp_path / "out"), "--signals", str(tmp_path))
    assert (code, err) == (1, f"--signals {tmp_path}: is a folder, not a file; give the thresholds file, e.g. signals.yaml\n")
    assert not (tmp_path / "out").exists()


def test_report_tells_the_site_settings_and_the_thresholds_apart(tmp_path, capsys):
    """--config meant the thresholds for report alone, and the site's mkdocs.yml for every other command: given
    mkdocs.yml it said 11 lines of "'site_name' is not a threshold". Now --config is the site's settings, as
    everywhere, --signals the thresholds, and each file given to the other is one line saying which option it is for."""
    prov, out = providers(tmp_path), tmp_path / "out"
    code, _, err = run(capsys, "report", "--providers", str(prov), "--out", str(out), "--config", str(ROOT / "signals.yaml"))
    assert (code, err) == (1, f"--config {ROOT / 'signals.yaml'}: is not the site's settings (mkdocs.yml has a site_name); "
                              "give the site's mkdocs.yml with --config, and the report's thresholds with --signals\n")
    code, _, err = run(capsys, "report", "--providers", str(prov), "--out", str(out), "--signals", str(ROOT / "mkdocs.yml"))
    assert (code, err) == (2, f"{ROOT / 'mkdocs.yml'}: is the site's settings (it has a site_name), not the report's thresholds; "
                              "give a signals.yaml with --signals, and the site's mkdocs.yml with --config\n")
    assert not out.exists()
    # a mkdocs.yml with mkdocs's !ENV tags, which plain YAML cannot read: said the same, not "is not valid YAML"
    tagged = tmp_path / "tagged.yml"
    tagged.write_text("site_name: !ENV [SITE_NAME, 'Care homes']\nextra:\n  directory:\n    council: Somewhere\n")
    code, _, err = run(capsys, "report", "--providers", str(prov), "--out", str(out), "--signals", str(tagged))
    assert (code, err) == (2, f"{tagged}: is the site's settings (it has a site_name), not the report's thresholds; "
                              "give a signals.yaml with --signals, and the site's mkdocs.yml with --config\n")
    # a symbolic link that leads back to itself: one line, not the system's "[Errno 40]"
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    code, _, err = run(capsys, "report", "--providers", str(prov), "--out", str(out), "--signals", str(loop))
    assert (code, err) == (2, f"{loop}: is a symbolic link that leads back to itself, never to a file; give a signals.yaml "
                              "with --signals\n")
    assert not out.exists()
    code, _, err = run(capsys, "report", "--providers", str(prov), "--out", str(out), "--config", str(ROOT / "mkdocs.yml"),
                       "--signals", str(ROOT / "signals.yaml"))
    assert code == 0, err
    assert (out / "commissioner-report.html").is_file()


def test_a_problem_about_a_whole_path_has_no_line():
    from carehomes.problems import Problem

    p = Problem("empty", 0, "file", "no profiles in this folder")
    assert str(p) == "empty: no profiles in this folder"
    assert p.github() == "::error file=empty::no profiles in this folder"
    assert str(Problem("a.yaml", 3, "name", "is missing")) == "a.yaml:3: name: is missing"


def test_a_site_name_or_address_that_is_not_text_is_a_message_not_a_traceback(tmp_path, capsys):
    """'site_name: 42' or an empty one reached the feed's writer: AttributeError."""
    import os

    for value, why in (("42", "must be text; write it in quotes, like site_name: \"...\""),
                       ("[a, b]", "must be text; write it in quotes, like site_name: \"...\""),
                       ("", "is empty; give the site's name, like site_name: \"...\"")):
        config = tmp_path / "mkdocs.yml"
        config.write_text(f"INHERIT: {os.path.relpath(ROOT / 'mkdocs.yml', tmp_path)}\nsite_name: {value}\n"
                          f"site_url: 7\n", encoding="utf-8")
        code, _, err = run(capsys, "build", "--config", str(config), "--providers", str(FIXTURES / "profiles"),
                           "--out", str(tmp_path / "site"), "--no-search")
        lines = [f"{config}: site_name {why}", f"{config}: site_url must be text; write it in quotes, like site_url: \"...\""]
        assert (code, err) == (1, f"The build failed, so {tmp_path / 'site'} was left as it was:\n"
                                  + "".join(f"{line}\n" for line in sorted(lines, key=lambda x: "empty" not in x))), value
    assert not (tmp_path / "site").exists()


def test_env_tags_in_the_settings_are_read_as_mkdocs_reads_them(tmp_path, monkeypatch):
    """'site_name: !ENV [NAME, default]' was read as empty: the build's feed writer stopped with a traceback."""
    from carehomes.configfile import ConfigFileError
    from carehomes.siteconfig import read_config

    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: !ENV [NU_SITE, NU_OTHER, Env Care]\nsite_url: !ENV NU_URL\n", encoding="utf-8")
    monkeypatch.delenv("NU_SITE", raising=False)
    monkeypatch.delenv("NU_OTHER", raising=False)
    monkeypatch.setenv("NU_URL", "https://example.org/care/")
    cfg = read_config(config)
    assert (cfg.raw["site_name"], cfg.raw["site_url"], cfg.tagged) == ("Env Care", "https://example.org/care/", True)
    monkeypatch.setenv("NU_OTHER", "Other Name")
    assert read_config(config).raw["site_name"] == "Other Name"
    monkeypatch.delenv("NU_URL")
    with pytest.raises(ConfigFileError) as err:
        read_config(config)
    assert str(err.value) == f"{config}: site_url is empty; give the site's address, like site_url: \"...\""


def test_a_deleted_current_folder_is_one_message_not_a_traceback(tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    done = subprocess.run(["sh", "-c", f'cd "{gone}" && rmdir "{gone}" && exec "$0" "$1" check', sys.executable,
                           str(ROOT / "build.py")], capture_output=True, text=True, env={**os.environ, "CAREHOMES_NO_VENV": "1"})
    assert (done.returncode, done.stdout, done.stderr) == (
        2, "", "build.py: the current folder no longer exists (deleted or moved); cd into the project folder again and rerun\n")


# --- output folders the project reads, and paths given empty or with .. ----------------------------------------

@pytest.mark.parametrize("inside, what", [("schema", "the schema"), ("releases/2026-11-23", "the release snapshots"),
                                          ("carehomes", "the code"), ("PROVIDERS", "a folder of profiles")])
def test_data_never_writes_over_a_folder_the_project_reads(tmp_path, capsys, inside, what):
    """data writes its files one by one over any of the same name: --out schema replaced the schema's
    datapackage.json (every later build stopped), --out releases/<date> rewrote a published snapshot."""
    prov = providers(tmp_path)
    out = prov if inside == "PROVIDERS" else ROOT / inside
    folder = prov if inside.startswith("PROVIDERS") else ROOT / inside.split("/")[0]
    before = tree(folder)
    code, stdout, err = run(capsys, "data", "--providers", str(prov), "--out", str(out))
    where = "is" if out == folder else "is inside"
    assert (code, stdout, err) == (1, "", f"--out {out}: {where} {folder}, {what}, whose files it would write over; "
                                          "give a folder of its own, e.g. --out site/data\n")
    assert tree(folder) == before


@pytest.mark.parametrize("command, flag, usual", [("data", "--out", "site/data"), ("report", "--out", "report"),
                                                 ("release", "--releases", "releases")])
def test_data_report_and_release_write_nothing_in_or_under_the_profiles_folder(tmp_path, capsys, command, flag, usual):
    """A report or data files among the profiles are committed with them: report --out providers put the unpublished
    commissioner report where the profiles are published, release --releases providers wrote providers/<date>/, and
    data --out providers/x wrote 20 files there, and check still said no problems (hostile-input review)."""
    prov = providers(tmp_path)
    before = tree(prov)
    for out in (prov, prov / "x"):
        code, stdout, err = run(capsys, command, "--providers", str(prov), flag, str(out))
        where = "is" if out == prov else "is inside"
        assert (code, stdout, err) == (1, "", f"{flag} {out}: {where} {prov}, a folder of profiles, whose files it would "
                                              f"write over; give a folder of its own, e.g. {flag} {usual}\n")
    assert tree(prov) == before


def test_release_may_add_its_snapshot_to_the_folder_it_runs_in(tmp_path, capsys, monkeypatch):
    """release --releases . from within the snapshots' folder adds one dated folder and writes over nothing: it is not a
    folder of everything to refuse (a code review found the new refusal took it)."""
    prov = providers(tmp_path)
    rel = tmp_path / "releases"
    rel.mkdir()
    monkeypatch.chdir(rel)
    code, out, err = run(capsys, "release", "--providers", str(prov), "--releases", ".")
    assert code == 0, err
    from carehomes.publish import release_date

    assert [p.name for p in rel.iterdir()] == [release_date().isoformat()]


@pytest.mark.parametrize("where, what", [("HERE", "the folder this command runs in"), ("HOME", "your home folder")])
def test_data_never_strews_its_files_over_a_folder_of_everything(tmp_path, capsys, monkeypatch, where, what):
    """data --out was refused for the folders the project reads but took the repository itself, the home folder or
    / and wrote its 13 files and folders among what was there (build refuses such folders)."""
    prov = providers(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(here)  # the repository and / are refused the same way; not tried here, where a failure would write there
    out = {"HERE": here, "HOME": home}[where]
    before = sorted(p.name for p in out.iterdir())
    code, stdout, err = run(capsys, "data", "--providers", str(prov), "--out", str(out))
    assert (code, stdout, err) == (1, "", f"--out {out}: is {out}, {what}, whose files it would write over; "
                                          "give a folder of its own, e.g. --out site/data\n")
    assert sorted(p.name for p in out.iterdir()) == before


@pytest.mark.parametrize("made", ["a web folder", "docs with data's output in it", "merge's output"])
def test_build_replaces_no_folder_that_is_not_its_own_site(tmp_path, capsys, made):
    """An index.html alone is any web folder's (/var/www/html, a GitHub Pages docs/), and a data/datapackage.json is
    also in data's and merge's output beside files of their own: the other files would be deleted."""
    www = tmp_path / "www"
    (www / "data").mkdir(parents=True)
    if made == "a web folder":
        (www / "data").rmdir()
        (www / "index.html").write_text("<p>mine</p>")
    else:
        (www / "data" / "datapackage.json").write_text("{}")
        (www / ("index.html" if made.startswith("docs") else "providers")).mkdir()
    (www / "precious.txt").write_text("keep")
    before = tree(www)
    code, _, err = run(capsys, "build", "--providers", str(providers(tmp_path)), "--out", str(www))
    names = ", ".join(sorted(p.name for p in www.iterdir()))
    assert code == 1 and err == (f"--out {www}: is a folder with other files in it ({names}), not an "
                                 "earlier output (it has not all of index.html, sitemap.xml and data/datapackage.json), and --out is replaced "
                                 "as a whole "
                                 "(everything in it is deleted); give a new or empty folder\n")
    assert tree(www) == before


def test_a_link_loop_given_as_a_folder_is_one_line(tmp_path, capsys):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for argv in (["data", "--out", str(loop), "--providers", str(providers(tmp_path))], ["data", "--providers", str(loop), "--out", str(tmp_path / "o")]):
        code, _, err = run(capsys, *argv)
        assert code == 1 and len(err.splitlines()) == 1 and "Traceback" not in err, (argv, err)


def test_data_never_writes_into_an_areas_folder(tmp_path, capsys):
    area = next(p for p in sorted((ROOT / "areas").iterdir()) if (p / "releases").is_dir() or (p / "providers").is_dir())
    out = area / ("releases" if (area / "releases").is_dir() else "providers") / "x"
    code, _, err = run(capsys, "data", "--providers", str(providers(tmp_path)), "--out", str(out))
    assert code == 1 and err == (f"--out {out}: is inside {ROOT / 'areas'}, the areas' profiles, settings and release "
                                 "snapshots, whose files it would write over; give a folder of its own, e.g. --out site/data\n")
    assert not out.exists()


@pytest.mark.parametrize("argv", [["build", "--out", ""], ["data", "--out", ""], ["check", ""],
                                  ["data", "--providers", "providers", ""], ["import-cqc", "x.csv", "--state", ""]])
def test_an_empty_path_is_refused_never_the_default_or_this_folder(capsys, argv):
    """An unset shell variable (--out "$SITE") must not mean site/ or the folder the command runs in."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    flag = argv[argv.index("") - 1]
    said = f"{flag} is empty" if flag.startswith("--") else "--providers is empty" if argv[0] == "data" else "a path given is empty"
    assert exc.value.code == 2 and capsys.readouterr().err.endswith(f"error: {said}; give a path\n")


def test_an_out_folder_with_dot_dot_in_it_is_worked_out_first(tmp_path):
    from carehomes.cli import _out_path

    (tmp_path / "sub").mkdir()
    assert _out_path(str(tmp_path / "sub" / "..")) == tmp_path
    assert _out_path(str(tmp_path / "new" / ".." / "site")) == tmp_path / "new" / ".." / "site"  # named "site"
    assert _out_path("site") == Path("site") and _out_path("..") == Path("..")
    (tmp_path / "link").symlink_to(tmp_path / "sub")
    assert _out_path(str(tmp_path / "link" / "..")) == tmp_path, "as written, not through the link"


def test_a_site_address_that_is_not_a_web_address_is_refused_not_linked_in_the_report(tmp_path, capsys, monkeypatch):
    """mkdocs.yml's site_url 'javascript:alert(document.domain)//' stopped the build (mkdocs refuses it, in its own
    words), but the commissioner report took it as its links' start: every home's link ran the script when clicked
    ('javascript:alert(document.domain)/homes/x/'). Now any command that reads the settings names it, and the report
    is not written."""
    import os

    from carehomes import cli
    from carehomes.areas import Area
    from carehomes.configfile import ConfigFileError
    from carehomes.siteconfig import read_config

    config = tmp_path / "mkdocs.yml"
    why = ("is not the site's web address (http:// or https://, then the host); give the address the site is published "
           "at, like site_url: \"https://www.example.org/care-homes/\"")
    for value in ("javascript:alert(document.domain)//", "data:text/html,x", "https://", "//evil.example/", "www.example.org",
                  "https://example.org/a b", "http://[::1"):
        config.write_text(f"INHERIT: {os.path.relpath(ROOT / 'mkdocs.yml', tmp_path)}\nsite_url: \"{value}\"\n", encoding="utf-8")
        with pytest.raises(ConfigFileError) as err:
            read_config(config)
        assert str(err.value) == f"{config}: site_url '{value}' {why}", value
    for value in ("https://example-council.github.io/care-homes/", "http://127.0.0.1:8000/", "HTTPS://Example.org"):
        config.write_text(f"INHERIT: {os.path.relpath(ROOT / 'mkdocs.yml', tmp_path)}\nsite_url: \"{value}\"\n", encoding="utf-8")
        assert read_config(config).raw["site_url"] == value
    config.write_text(f"INHERIT: {os.path.relpath(ROOT / 'mkdocs.yml', tmp_path)}\n"
                      "site_url: \"javascript:alert(document.domain)//\"\n", encoding="utf-8")
    monkeypatch.setattr(cli, "find_area", lambda name, *a: Area("x", config, FIXTURES / "profiles", tmp_path / "releases",
                                                                  tmp_path / "site"))
    code, _, err = run(capsys, "report", "--area", "x", "--out", str(tmp_path / "report"))
    assert (code, err) == (1, f"{config}: site_url 'javascript:alert(document.domain)//' {why}\n")
    assert not (tmp_path / "report").exists()


def test_settings_that_are_not_this_directorys_are_refused_before_mkdocs_runs(tmp_path, capsys):
    """An empty mkdocs.yml, or one of mkdocs' own with only site_name, was built from mkdocs' defaults: docs/ as the
    pages (a Jinja error in docs/engines.md when run at the top level) or 'the pages made a folder search/'."""
    for text, what in (("", "is empty"), ("site_name: Example\n", "has no extra.directory settings"),
                       # nothing under directory: (or an unset !ENV, read as empty) failed as 'the pages made a folder search/'
                       ("extra:\n  directory:\n", "has no extra.directory settings"),
                       ("extra:\n  directory: !ENV [NO_SUCH_VARIABLE]\n", "has no extra.directory settings"),
                       ("extra:\n  directory: {}\n", "has no extra.directory settings")):
        config = tmp_path / "mkdocs.yml"
        config.write_text(text, encoding="utf-8")
        code, _, err = run(capsys, "build", "--config", str(config), "--providers", str(FIXTURES / "profiles"),
                           "--out", str(tmp_path / "site"), "--no-search")
        assert (code, err) == (1, f"The build failed, so {tmp_path / 'site'} was left as it was:\n{config}: {what}, so it "
                                  "is not this directory's settings: start from the repository's mkdocs.yml, or for an "
                                  "area write INHERIT: ../../mkdocs.yml and then only what differs (docs/areas.md)\n"), text
    assert not (tmp_path / "site").exists()


def test_report_refuses_a_releases_folder_that_is_not_there_and_writes_nothing(tmp_path):
    """From the commissioner review: `report --releases /nonexistent` compared with no release and said so as a fact
    (the closures window then the recent days: 2 signals where the real releases give 0). A folder given is read."""
    prov, out = providers(tmp_path), tmp_path / "report"
    r = run_build("report", "--providers", str(prov), "--releases", str(tmp_path / "relases"), "--out", str(out))
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert (f"--releases {tmp_path / 'relases'}: there is no such folder; give the folder of release snapshots (the "
            "area's is releases/), or leave --releases out") in r.stderr
    assert not out.exists()
    (tmp_path / "releases").mkdir()
    assert run_build("report", "--providers", str(prov), "--releases", str(tmp_path / "releases"), "--out", str(out)).returncode == 0


def test_build_and_serve_refuse_a_releases_folder_given_that_is_not_there_and_write_nothing(tmp_path, capsys, monkeypatch):
    """`build --releases relases` (mistyped) published a site whose changelog and feed were empty, without a word:
    refused as report refuses it. The area's own releases/ missing, --releases not given, is no release yet."""
    from carehomes import cli
    from carehomes.areas import Area

    prov, site, typo = providers(tmp_path), tmp_path / "site", tmp_path / "relases"
    said = (f"--releases {typo}: there is no such folder; give the folder of release snapshots (the area's is "
            "releases/), or leave --releases out\n")
    for command in ("build", "serve"):
        port = ["--port", "0"] if command == "serve" else []
        assert run(capsys, command, "--providers", str(prov), "--out", str(site), "--no-search", *port,
                   "--releases", str(typo)) == (1, "", said), command
        assert not site.exists() and not typo.exists()
    r = run_build("build", "--providers", str(prov), "--out", str(site), "--no-search", "--releases", str(typo))
    assert (r.returncode, r.stdout, r.stderr) == (1, "", said)
    assert not site.exists() and not list(tmp_path.glob(".*-builds"))
    # the area's releases/, not given: none yet is no problem (this build stops at its settings, before any page)
    config = tmp_path / "mkdocs.yml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setattr(cli, "find_area", lambda name, *a: Area("x", config, prov, tmp_path / "releases", site))
    code, _, err = run(capsys, "build", "--area", "x", "--no-search")
    assert code == 1 and err.startswith(f"The build failed, so {site} was left as it was:\n{config}: is empty"), err


def test_a_missing_or_wrong_input_says_what_to_give(tmp_path, capsys):
    """'no such file or folder', 'no such file' and, for a file given as the site, 'no such folder' said what was wrong
    but not what to give (hostile-input review)."""
    missing = tmp_path / "missing.yaml"
    assert run(capsys, "check", str(missing)) == (
        2, "", f"{missing}: no such file or folder; give a profile (.yaml) or a folder of them, e.g. providers/\n")
    csv_file = tmp_path / "missing.csv"
    code, _, err = run(capsys, "import-cqc", str(csv_file), "--providers", str(tmp_path / "p"))
    assert code != 0 and err.endswith(f"{csv_file}: no such file; check its name and folder, and give the CQC register "
                                      "file you saved (or a folder of CQC API responses)\n"), err
    site_file = tmp_path / "site.txt"
    site_file.write_text("x")
    code, _, err = run(capsys, "serve-api", "--site", str(site_file))
    assert code != 0 and err.endswith(f"{site_file}: is a file, not a folder; give --site the folder of a built site (site/)\n"), err


def test_a_damaged_snapshots_repair_command_and_a_missing_releases_folder_name_the_area_and_folder_given(tmp_path):
    """The diff review: the damaged-snapshot advice said 'python3 build.py release --force', which, run as written after
    a build with --releases R (or --area oldham), made the top level's snapshot and left the damaged one as it was; and a
    mistyped --releases under --area oldham was told 'the area's is releases/' (it is areas/oldham/releases/), while
    the area's own folder named before its first release was refused."""
    releases = tmp_path / "R"
    assert run_build("release", "--releases", str(releases)).returncode == 0
    (day,) = releases.iterdir()
    (day / "care-homes.csv").write_text("")
    r = run_build("build", "--releases", str(releases), "--out", str(tmp_path / "site"))
    assert r.returncode == 1
    assert f"make it again with: python3 build.py release --force --releases {releases}; to repair an older one" in r.stderr
    r = run_build("build", "--area", "oldham", "--releases", str(releases), "--out", str(tmp_path / "site"))
    assert f"python3 build.py release --force --area oldham --releases {releases};" in r.stderr
    r = run_build("build", "--area", "oldham", "--releases", str(tmp_path / "typo"), "--out", str(tmp_path / "site"))
    assert r.returncode == 1 and r.stderr.strip() == (
        f"--releases {tmp_path / 'typo'}: there is no such folder; give the folder of release snapshots (the area's is "
        "areas/oldham/releases/), or leave --releases out")
    assert not (ROOT / "areas" / "oldham" / "releases").exists()
    r = run_build("build", "--area", "oldham", "--releases", str(ROOT / "areas" / "oldham" / "releases"),
                  "--out", str(tmp_path / "oldham"))
    assert r.returncode == 0, r.stderr  # the area's own, none yet: as when left out
