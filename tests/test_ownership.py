"""check-ownership against real temporary git repositories."""
from __future__ import annotations

import os
import shutil

import pytest
from conftest import git
from conftest import FIXTURES, run_build




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


def ownership(repo, author, *extra, commit=True):
    """Commit everything (as a pull request's branch would), then judge HEAD against main."""
    if commit:
        git(repo, "checkout", "-qB", "pr")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "change", "--allow-empty")
    return run_build("check-ownership", "--repo", str(repo), "--author", author, "--base", "main", *extra)


def test_maintainer_may_change_own_provider_fields(repo):
    p = repo / "providers" / "example-full.yaml"
    p.write_text(p.read_text().replace("    available: 2\n", "    available: 1\n").replace("nursing_from: 1150", "nursing_from: 1175"))
    r = ownership(repo, "Example-Manager")
    assert r.returncode == 0, r.stdout
    assert r.stderr.strip() == "Example-Manager may make every change since main."


def test_someone_elses_profile_is_refused(repo):
    p = repo / "providers" / "example-minimal.yaml"
    p.write_text(p.read_text() + "description: Changed by a stranger.\n")
    r = ownership(repo, "example-manager")
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "providers/example-minimal.yaml: example-manager does not look after this page (those who do: nobody yet); "
        "ask the council to add you, or report the change with 'Report incorrect details'"]


def test_adding_yourself_as_maintainer_does_not_work(repo):
    p = repo / "providers" / "example-minimal.yaml"
    p.write_text(p.read_text() + "maintainers:\n- intruder\n")
    r = ownership(repo, "intruder")
    assert r.returncode == 1 and "intruder does not look after this page" in r.stdout


def test_regulator_and_council_fields_are_refused_even_in_own_profile(repo):
    p = repo / "providers" / "example-full.yaml"
    p.write_text(p.read_text().replace("  rating: Good\n", "  rating: Outstanding\n").replace("locality: Exampleshire", "locality: Elsewhere"))
    r = ownership(repo, "example-manager")
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "providers/example-full.yaml:7: locality (Locality): only the council may change this field; put it back to 'Exampleshire'",
        "providers/example-full.yaml:56: cqc.rating (CQC overall rating): only CQC (set only by the register import) may change this field; put it back to 'Good'",
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
        "build.py: only the council may change this file; a provider changes only their own profile",
        "providers/example-minimal.yaml: only the council may remove a profile; ask the council if your home has closed",
        "providers/example-new.yaml: only the council may add a profile; ask the council to add your home",
        "schema/datapackage.json: only the council may change this file; a provider changes only their own profile",
    ]
    assert ownership(repo, "council-steward").returncode == 0


def test_stewards_come_from_the_base_revision(repo):
    (repo / "stewards.yaml").write_text("stewards:\n  - council-steward\n  - sneaky\n")
    (repo / "build.py").write_text("# changed\n")
    r = ownership(repo, "sneaky")
    assert r.returncode == 1 and "stewards.yaml: only the council may change this file" in r.stdout


def test_bad_base_is_a_clear_error(repo):
    r = run_build("check-ownership", "--repo", str(repo), "--author", "x", "--base", "no-such-branch")
    assert r.returncode == 2 and r.stderr.startswith("check-ownership: ") and "Traceback" not in r.stderr


# --- Fail closed (issue 9, item 2 and requirement 2): each attack replayed in a real repository ---

FULL = "providers/example-full.yaml"
CANNOT_JUDGE_NEW = "; the change cannot be judged until then"  # after check's own message for the file


def commit_to_main(repo, message="base change"):
    git(repo, "checkout", "-q", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def provider_takeover(text: str) -> str:
    """A provider's change to fields they may not change: rating, name, registered beds, maintainers."""
    return (text.replace("  rating: Good\n", "  rating: Outstanding\n").replace("  registered: 40\n", "  registered: 60\n")
            .replace("name: Example Full House (fictional)", "name: Example Best House (fictional)")
            .replace("maintainers:\n  - example-manager\n", "maintainers:\n  - example-manager\n  - friend\n"))


def test_the_takeover_is_refused_when_readable(repo):
    p = repo / FULL
    changed = provider_takeover(p.read_text())
    assert changed.count("Outstanding") == 1 and "registered: 60" in changed and "- friend" in changed
    p.write_text(changed)
    r = ownership(repo, "example-manager")
    assert r.returncode == 1
    assert [line.split(": ", 2)[1].split(" (")[0] for line in r.stdout.splitlines()] == ["name", "beds.registered", "cqc.rating", "maintainers"]


def test_bom_and_padding_to_the_size_limit_cannot_slip_a_change_through(repo):
    # Before: the BOM was counted here but not by 'check', so this reached "may make every change"
    p = repo / FULL
    body = provider_takeover(p.read_text()).encode("utf-8")
    pad = 256 * 1024 - 3 - len(body)
    p.write_bytes(b"\xef\xbb\xbf" + body + b"#" * (pad - 1) + b"\n")
    assert p.stat().st_size == 256 * 1024
    r = ownership(repo, "example-manager")
    assert r.returncode == 1 and "may make every change" not in r.stderr
    assert r.stdout and all(line.startswith(f"{FULL}") for line in r.stdout.splitlines())


def test_a_new_version_that_cannot_be_read_is_refused(repo):
    p = repo / FULL
    p.write_text(provider_takeover(p.read_text()).replace("  rating: Outstanding\n", "  rating: [Outstanding\n"))
    r = ownership(repo, "example-manager")
    assert r.returncode == 1
    [line] = r.stdout.splitlines()
    assert line.startswith(f"{FULL}:") and line.endswith(CANNOT_JUDGE_NEW)


@pytest.mark.parametrize("content, why", [
    (b"location_id: 1-000000101\n" + b"# padding\n" * 40_000, "256 KB"),
    (b"location_id: 1-000000101\nname: Caf\xe9\n", "UTF-8"),
    (b"\x00\x01\x02\x89PNG\r\n\x1a\n" * 100, ""),
], ids=["too-big", "not-utf8", "binary"])
def test_too_big_not_utf8_or_binary_new_versions_are_refused(repo, content, why):
    (repo / FULL).write_bytes(content)
    r = ownership(repo, "example-manager")
    assert r.returncode == 1
    [line] = r.stdout.splitlines()
    assert line.startswith(f"{FULL}:") and line.endswith(CANNOT_JUDGE_NEW)
    assert why in line


def test_an_old_version_that_cannot_be_read_is_refused(repo):
    p = repo / FULL
    good = p.read_text()
    p.write_text(good + "broken: [\n")
    commit_to_main(repo)
    p.write_text(good)
    r = ownership(repo, "example-manager")
    assert r.returncode == 1
    [line] = r.stdout.splitlines()
    assert line.startswith(f"{FULL}:")
    assert line.endswith(" (in the version at main); the change cannot be judged, so ask the council to review it")


def test_a_symlink_is_refused(repo):
    p = repo / FULL
    p.unlink()
    p.symlink_to("/etc/passwd")
    r = ownership(repo, "example-manager")
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        f"{FULL}: is a symbolic link or a submodule, not an ordinary file, so the change cannot be judged; "
        "ask the council to review it"]


def test_fields_outside_the_schema_are_refused(repo):
    p = repo / FULL
    p.write_text(p.read_text().replace("  rating: Good\n", "  rating: Good\n  rating_override: Outstanding\n"))
    r = ownership(repo, "example-manager")
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        f"{FULL}:57: cqc.rating_override: is not a field of the schema, so this change cannot be judged; "
        "remove it (python3 build.py check lists the fields)"]


@pytest.mark.parametrize("entry, author, shown", [("yes", "true", "True"), ("2026-01-01", "2026-01-01", "datetime.date(2026, 1, 1)")])
def test_stewards_are_matched_as_written_text(repo, entry, author, shown):
    (repo / "stewards.yaml").write_text(f"stewards:\n  - Council-Steward\n  - {entry}\n")
    commit_to_main(repo)
    (repo / "build.py").write_text("# changed\n")
    r = ownership(repo, author)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == (f"check-ownership: stewards.yaml at main: entry 2 ({shown}) is read as a number, true/false or a "
                        "date, not a user name; put quotes around it (- \"010\") so it is matched as written\n")


def test_a_stewards_file_that_is_not_yaml_is_said_with_its_own_example_not_the_profiles(repo):
    """A stewards.yaml YAML cannot read was told to "compare this line with providers/_template.yaml", a profile's hint
    (the hostile review): it names the file's own example."""
    (repo / "stewards.yaml").write_text("stewards:\n  - Council-Steward\n  - [unclosed\n")
    commit_to_main(repo)
    (repo / "build.py").write_text("# changed\n")
    r = ownership(repo, "Council-Steward")
    assert r.returncode == 2 and "providers/_template.yaml" not in r.stderr
    assert ("write it as the example at the top of stewards.yaml is: 'stewards:', then one '- username' a line (in the "
            "version at main); a council steward must fix stewards.yaml\n") in r.stderr


def test_a_steward_written_as_an_octal_number_stops_the_check(repo):
    # '- 010' was read as 8, so user '8' became a steward; the loader now refuses such a number outright
    (repo / "stewards.yaml").write_text("stewards:\n  - Council-Steward\n  - 010\n")
    commit_to_main(repo)
    (repo / "build.py").write_text("# changed\n")
    r = ownership(repo, "8")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("check-ownership: stewards.yaml:3:")
    assert r.stderr.endswith(" (in the version at main); a council steward must fix stewards.yaml\n")


def test_a_quoted_steward_is_matched_as_written(repo):
    (repo / "stewards.yaml").write_text('stewards:\n  - "010"\n')
    commit_to_main(repo)
    (repo / "build.py").write_text("# changed\n")
    assert ownership(repo, "010").returncode == 0
    assert ownership(repo, "8", commit=False).returncode == 1


def test_maintainers_are_matched_as_written_text(repo):
    p = repo / "providers" / "example-minimal.yaml"
    p.write_text(p.read_text() + "maintainers:\n- 010\n")
    commit_to_main(repo)
    p.write_text(p.read_text() + "description: Changed.\n")
    r = ownership(repo, "8")
    assert r.returncode == 1 and "may make every change" not in r.stderr
    # the loader refuses '010' in a profile, so the base version cannot be judged and the change is refused
    assert r.stdout.startswith("providers/example-minimal.yaml:") and "(in the version at main)" in r.stdout


def test_an_untracked_gitignore_cannot_hide_a_committed_file(repo):
    (repo / "providers" / "example-new.yaml").write_text("location_id: 1-000000999\n")
    git(repo, "checkout", "-qB", "pr")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "new home")
    (repo / "providers" / ".gitignore").write_text("*\n")  # untracked, ignores everything in providers/
    r = ownership(repo, "example-manager", commit=False)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "providers/example-new.yaml: only the council may add a profile; ask the council to add your home"]


def test_the_working_tree_is_not_judged_only_commits(repo):
    p = repo / FULL
    good = p.read_text()
    p.write_text(good.replace("  rating: Good\n", "  rating: Outstanding\n"))
    git(repo, "checkout", "-qB", "pr")
    git(repo, "commit", "-qam", "rating")
    p.write_text(good)  # put back in the working tree only: the commit still changes the rating
    r = ownership(repo, "example-manager", commit=False)
    assert r.returncode == 1 and "cqc.rating (CQC overall rating): only CQC" in r.stdout


def test_head_names_the_commit_to_judge(repo):
    (repo / "build.py").write_text("# changed\n")
    git(repo, "checkout", "-qb", "pr")
    git(repo, "commit", "-qam", "code")
    git(repo, "checkout", "-q", "main")
    assert ownership(repo, "example-manager", commit=False).returncode == 0
    r = ownership(repo, "example-manager", "--head", "pr", commit=False)
    assert r.returncode == 1 and r.stdout.startswith("build.py: only the council may change this file")
    r = ownership(repo, "example-manager", "--head", "no-such-branch", commit=False)
    assert r.returncode == 2 and r.stderr == f"check-ownership: no-such-branch is not a commit in {repo}; fetch it first (git fetch origin)\n"


def test_a_file_name_cannot_inject_lines_into_the_log(repo):
    (repo / "providers" / "x\n::warning file=a::boom.yaml").write_text("location_id: 1-000000999\n")
    r = ownership(repo, "example-manager")
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "'providers/x\\n::warning file=a::boom.yaml': only the council may change this file; "
        "a provider changes only their own profile"]


def test_a_missing_repository_is_a_message(tmp_path):
    r = run_build("check-ownership", "--repo", str(tmp_path / "nowhere"), "--author", "x", "--base", "main")
    assert r.returncode == 2
    assert r.stderr == f"check-ownership: {tmp_path / 'nowhere'}: no such folder; give the repository's folder with --repo\n"
    r = run_build("check-ownership", "--repo", str(tmp_path), "--author", "x", "--base", "main")
    assert r.returncode == 2
    assert r.stderr == f"check-ownership: {tmp_path} is not a git repository; give the repository's folder with --repo\n"


def test_only_slug_named_yaml_files_count_as_profiles(repo):
    for name in ("example-full.yml", "Example-Full.yaml", "example-full.YAML", "_template.yaml", ".example.yaml"):
        (repo / "providers" / name).write_text("location_id: 1-000000101\n")
    r = ownership(repo, "example-manager")
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        f"providers/{name}: only the council may change this file; a provider changes only their own profile"
        for name in sorted([".example.yaml", "Example-Full.yaml", "_template.yaml", "example-full.YAML", "example-full.yml"])]


def test_an_unreadable_stewards_file_stops_the_check(repo):
    (repo / "stewards.yaml").write_text("stewards: [council-steward\n")
    commit_to_main(repo)
    (repo / "build.py").write_text("# changed\n")
    r = ownership(repo, "council-steward")
    assert r.returncode == 2 and r.stderr.startswith("check-ownership: stewards.yaml:2:")
    assert r.stderr.endswith(" (in the version at main); a council steward must fix stewards.yaml\n")
    (repo / "stewards.yaml").write_text("stewards: council-steward\n")
    commit_to_main(repo)
    r = ownership(repo, "council-steward")
    assert r.returncode == 2 and r.stderr == ("check-ownership: stewards.yaml at main cannot be read as 'stewards:' "
                                              "followed by a list of user names; a council steward must fix it\n")


def test_without_a_stewards_file_nobody_is_a_steward(repo):
    (repo / "stewards.yaml").unlink()
    commit_to_main(repo)
    (repo / "build.py").write_text("# changed\n")
    r = ownership(repo, "council-steward")
    assert r.returncode == 1 and r.stdout.startswith("build.py: only the council may change this file")


def test_a_revision_that_is_not_utf8_is_a_message(repo):
    r = run_build("check-ownership", "--repo", str(repo), "--author", "x", "--base", os.fsdecode(b"ma\xffin"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.startswith("check-ownership: ma")
