"""check-ownership against real temporary git repositories."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import FIXTURES, run_build


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin", "HOME": str(repo)})


@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "repo"
    (r / "providers").mkdir(parents=True)
    full = (FIXTURES / "profiles" / "example-full.yaml").read_text()  # maintainers: example-manager
    (r / "providers" / "example-full.yaml").write_text(full)
    shutil.copy(FIXTURES / "profiles" / "example-minimal.yaml", r / "providers")
    (r / "stewards.yaml").write_text("stewards:\n  - Council-Steward\n")
    (r / "build.py").write_text("# stand-in\n")
    git(r, "init", "-q", "-b", "main")
    git(r, "add", "-A")
    git(r, "commit", "-qm", "base")
    return r


def ownership(repo, author):
    return run_build("check-ownership", "--repo", str(repo), "--author", author, "--base", "main")


def test_maintainer_may_change_own_provider_fields(repo):
    p = repo / "providers" / "example-full.yaml"
    p.write_text(p.read_text().replace("    available: 2\n", "    available: 1\n").replace("nursing_from: 1150", "nursing_from: 1175"))
    git(repo, "commit", "-qam", "vacancies")
    r = ownership(repo, "Example-Manager")
    assert r.returncode == 0, r.stdout
    assert r.stderr.strip() == "Example-Manager may make every change since main."


def test_someone_elses_profile_is_refused(repo):
    p = repo / "providers" / "example-minimal.yaml"
    p.write_text(p.read_text() + "description: Changed by a stranger.\n")
    r = ownership(repo, "example-manager")
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "providers/example-minimal.yaml: example-manager is not a maintainer of this profile (maintainers: nobody yet); "
        "ask the council to add you, or report the change with 'Report incorrect details'"]


def test_adding_yourself_as_maintainer_does_not_work(repo):
    p = repo / "providers" / "example-minimal.yaml"
    p.write_text(p.read_text() + "maintainers:\n- intruder\n")
    r = ownership(repo, "intruder")
    assert r.returncode == 1 and "intruder is not a maintainer of this profile" in r.stdout


def test_regulator_and_council_fields_are_refused_even_in_own_profile(repo):
    p = repo / "providers" / "example-full.yaml"
    p.write_text(p.read_text().replace("  rating: Good\n", "  rating: Outstanding\n").replace("locality: Exampleshire", "locality: Elsewhere"))
    r = ownership(repo, "example-manager")
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "providers/example-full.yaml:7: locality: only the council may change this field; put it back to 'Exampleshire'",
        "providers/example-full.yaml:56: cqc.rating: only CQC (set only by the register import) may change this field; put it back to 'Good'",
    ]


def test_adding_deleting_and_code_changes_need_a_steward(repo):
    (repo / "providers" / "example-new.yaml").write_text("location_id: 1-000000999\n")
    (repo / "providers" / "example-minimal.yaml").unlink()
    (repo / "build.py").write_text("# changed\n")
    (repo / "schema").mkdir()
    (repo / "schema" / "datapackage.json").write_text("{}")
    r = ownership(repo, "example-manager")
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "build.py: only council stewards may change this file; a provider changes only their own profile",
        "providers/example-minimal.yaml: only council stewards may remove a profile; ask the council if your home has closed",
        "providers/example-new.yaml: only council stewards may add a profile; ask the council to add your home",
        "schema/datapackage.json: only council stewards may change this file; a provider changes only their own profile",
    ]
    assert ownership(repo, "council-steward").returncode == 0


def test_stewards_come_from_the_base_revision(repo):
    (repo / "stewards.yaml").write_text("stewards:\n  - council-steward\n  - sneaky\n")
    (repo / "build.py").write_text("# changed\n")
    r = ownership(repo, "sneaky")
    assert r.returncode == 1 and "stewards.yaml: only council stewards may change this file" in r.stdout


def test_bad_base_is_a_clear_error(repo):
    r = run_build("check-ownership", "--repo", str(repo), "--author", "x", "--base", "no-such-branch")
    assert r.returncode == 2 and r.stderr.startswith("check-ownership: ") and "Traceback" not in r.stderr
