"""The command line as a user runs it: python3 build.py ..."""
from __future__ import annotations

import shutil

import frictionless

from conftest import FIXTURES, ROOT, run_build


def copy_fixtures(tmp_path):
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    return prov


def test_check_bundled_data_is_clean():
    r = run_build("check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stderr.strip() == "Checked 88 profiles: no problems."


def test_check_reports_every_problem_and_exits_1(tmp_path):
    prov = copy_fixtures(tmp_path)
    text = (prov / "example-full.yaml").read_text()
    text = text.replace("    available: 2\n", "    available: 35\n").replace("  phone: 01432 000000", "  phnoe: 01432 000000")
    (prov / "example-full.yaml").write_text(text)
    (prov / "example-minimal.yaml").write_text((prov / "example-minimal.yaml").read_text().replace("slug: example-minimal", "slug: other"))
    r = run_build("check", "providers", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "providers/example-full.yaml:19: contact.phnoe: is not a known field; did you mean 'phone'?",
        "providers/example-full.yaml:36: beds.nursing.available: is 35 but beds.nursing.total is 30; free beds cannot be more than the beds there are",
        "providers/example-minimal.yaml:3: slug: is 'other' but the file is named example-minimal.yaml; rename the file to other.yaml or change the slug",
    ]
    assert r.stderr.strip() == "3 problems in 2 files (checked 2). Fix each line above and run the check again."
    g = run_build("check", "--format", "github", "providers", cwd=tmp_path)
    assert g.stdout.splitlines()[0] == "::error file=providers/example-full.yaml,line=19,title=contact.phnoe::is not a known field; did you mean 'phone'?"


def test_check_named_file_and_missing_path(tmp_path):
    prov = copy_fixtures(tmp_path)
    assert run_build("check", str(prov / "example-minimal.yaml")).returncode == 0
    r = run_build("check", str(tmp_path / "nope.yaml"))
    assert r.returncode == 2 and "no such file or folder" in r.stderr


def test_data_writes_valid_package_and_keeps_old_on_failure(tmp_path):
    prov = copy_fixtures(tmp_path)
    out = tmp_path / "site" / "data"
    r = run_build("data", "--providers", str(prov), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert frictionless.validate(str(out / "datapackage.json")).valid
    before = {f.relative_to(out): f.read_bytes() for f in out.rglob("*") if f.is_file()}  # oruk-tabular/ too
    assert frictionless.validate(str(out / "oruk-tabular" / "datapackage.json")).valid
    (prov / "example-full.yaml").write_text("name: [broken\n")
    r = run_build("data", "--providers", str(prov), "--out", str(out))
    assert r.returncode == 1 and "nothing was published" in r.stderr
    assert {f.relative_to(out): f.read_bytes() for f in out.rglob("*") if f.is_file()} == before
    assert [p.name for p in out.parent.iterdir()] == ["data"], "no temporary folders left behind"


def test_import_cli_reports_and_errors(tmp_path, shared_data):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n")
    r = run_build("import-cqc", str(bad), "--providers", str(tmp_path / "p"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"{bad}: is not a CQC register file this tool knows")
    r = run_build("import-cqc", str(shared_data / "philpearson-api-devon-2021-02" / "cqc_care_homes.csv"),
                  "--local-authority", "Torbay", "--providers", str(tmp_path / "p"), "--dry-run")
    assert r.returncode == 0 and "85 new profiles would be created" in r.stdout
    assert not (tmp_path / "p").exists() or not list((tmp_path / "p").glob("*.yaml"))


def test_docs_are_current():
    r = run_build("docs", "--check")
    assert r.returncode == 0, r.stderr


def test_bundled_profiles_are_the_real_register():
    """Bundled data: only what the CQC register and the FSA's ratings say (no invented provider facts)."""
    allowed_top = {"location_id", "slug", "name", "locality", "address", "care", "beds", "cqc", "food_hygiene"}
    for f in sorted((ROOT / "providers").glob("[!_]*.yaml")):
        import yaml
        data = yaml.safe_load(f.read_text())
        assert set(data) <= allowed_top, f.name
        assert "example" not in data
        assert set(data["beds"]) == {"registered"}
