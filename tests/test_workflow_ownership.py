"""The ownership workflow (.github/workflows/ownership.yml) run step by step as a GitHub runner runs it,
against a local bare repository and a realistic pull_request_target event: a pull request whose code or
workflow file tries to move refs, write git hooks or print a passing verdict is refused, and its code never runs."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, ROOT, git
from github_stub import GitHubStub
from workflow_harness import Harness

WORKFLOW = ".github/workflows/ownership.yml"
CODE = ("build.py", "requirements.txt", "carehomes", "schema", ".github")  # the base branch's code, as committed

pytestmark = pytest.mark.slow  # several clones and two build.py runs for each pull request


@pytest.fixture
def origin(tmp_path) -> Path:
    """A bare repository like GitHub's: main holds the project's code, two fictional homes and stewards.yaml."""
    seed = tmp_path / "seed"
    for name in CODE:
        src, dst = ROOT / name, seed / name
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dst)
    (seed / "providers").mkdir()
    shutil.copy(FIXTURES / "profiles" / "example-full.yaml", seed / "providers")  # maintainers: example-manager
    shutil.copy(FIXTURES / "profiles" / "example-minimal.yaml", seed / "providers")
    (seed / "stewards.yaml").write_text("stewards:\n  - council-steward\n")
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", "-A")
    git(seed, "commit", "-qm", "base")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    return bare


def open_pull_request(origin: Path, tmp_path: Path, number: int, change) -> str:
    """Commit ``change(folder)`` on a branch of a fork and publish it as refs/pull/N/head; its commit."""
    fork = tmp_path / f"fork-{number}"
    git(tmp_path, "clone", "-q", str(origin), str(fork))
    change(fork)
    git(fork, "add", "-A")
    git(fork, "commit", "-qm", "my change")
    git(fork, "push", "-q", "origin", f"HEAD:refs/pull/{number}/head")
    return git(fork, "rev-parse", "HEAD").strip()


def steward_commits_to_main(origin: Path, tmp_path: Path) -> None:
    """Main moves on after the pull request was opened (another home's profile changes)."""
    work = tmp_path / "steward"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    p = work / "providers" / "example-minimal.yaml"
    p.write_text(p.read_text() + "description: Updated by the council.\n")
    git(work, "commit", "-qam", "council update")
    git(work, "push", "-q", "origin", "HEAD:main")


def event(origin: Path, number: int, author: str, head: str) -> dict:
    """A pull_request_target payload, with the hostile text a pull request controls in its title and branch name."""
    base = git(origin, "rev-parse", "main").strip()
    return {"action": "synchronize", "number": number,
            "pull_request": {"number": number, "title": '"; touch /tmp/pwned; echo "', "user": {"login": author},
                             "head": {"sha": head, "ref": "$(touch /tmp/pwned)", "repo": {"full_name": f"{author}/carehomes"}},
                             "base": {"sha": base, "ref": "main", "repo": {"full_name": "council/carehomes"}}},
            "repository": {"full_name": "council/carehomes"}, "sender": {"login": author}}


def run_job(origin: Path, tmp_path: Path, payload: dict) -> tuple[list[tuple[str, int, str]], Path]:
    """Run the ownership job with the workflow harness as the runner does: the workflow file as the base commit
    holds it (that is what pull_request_target runs), each step in order; each step that ran, its exit status and
    output, and the workspace. The job's own rules are checked first: every step runs and must pass, the checkout
    is of the base commit without a token, and there is no other action and no cache."""
    base = payload["pull_request"]["base"]["sha"]
    job = yaml.safe_load(git(origin, "show", f"{base}:{WORKFLOW}"))["jobs"]["ownership"]
    for step in job["steps"]:
        name, uses, given = step.get("name") or step.get("uses"), step.get("uses", ""), step.get("with") or {}
        assert "if" not in step and "continue-on-error" not in step, f"{name}: every step must run and must pass"
        assert not uses or uses.startswith(("actions/checkout@", "actions/setup-python@")), f"{name}: no other action"
        assert "cache" not in given, f"{name}: no cache"
        if uses.startswith("actions/checkout@"):
            assert given["ref"] == "${{ github.event.pull_request.base.sha }}" and given["persist-credentials"] is False
    with GitHubStub() as github:
        run = Harness(tmp_path, origin, github=github).run("ownership.yml", "pull_request_target", payload, sha=base)
    assert run.started, f"GitHub starts no ownership run on '{payload['action']}', so the last verdict on the head stands"
    assert not github.log, "the ownership job posts nothing on GitHub"
    ran = run.jobs["ownership"]
    assert ran.workspace is not None
    return [(s.name, s.code, s.output) for s in ran.steps if s.outcome != "skipped"], ran.workspace


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_the_ownership_job_runs_this_repositorys_workflow(origin):
    base = git(origin, "rev-parse", "main").strip()
    assert git(origin, "show", f"{base}:{WORKFLOW}") == (ROOT / WORKFLOW).read_text()


def test_a_maintainers_own_profile_edit_passes_the_ownership_job(origin, tmp_path):
    head = open_pull_request(origin, tmp_path, 5, lambda f: edit(f / "providers" / "example-full.yaml",
                                                                   "    available: 2\n", "    available: 1\n"))
    steward_commits_to_main(origin, tmp_path)  # judged against the merge with today's main, not a stale base
    payload = event(origin, 5, "Example-Manager", head)
    ran, _ = run_job(origin, tmp_path, payload)
    assert [(n, code) for n, code, _ in ran][-1] == ("Check ownership", 0), ran
    assert ran[-1][2].strip().endswith(f"Example-Manager may make every change since {payload['pull_request']['base']['sha']}.")


def test_a_strangers_edit_of_another_homes_profile_is_refused_by_the_ownership_job(origin, tmp_path):
    head = open_pull_request(origin, tmp_path, 6, lambda f: edit(f / "providers" / "example-full.yaml",
                                                                   "    available: 2\n", "    available: 9\n"))
    ran, _ = run_job(origin, tmp_path, event(origin, 6, "stranger", head))
    assert (ran[-1][0], ran[-1][1]) == ("Check ownership", 1)
    assert "providers/example-full.yaml: stranger does not look after this page (those who do: example-manager)" in ran[-1][2]


HOSTILE = '''import os, pathlib, subprocess, sys
pathlib.Path({marker!r}).write_text("the pull request's code ran")
subprocess.run(["git", "update-ref", "refs/remotes/origin/main", "HEAD"])
pathlib.Path(".git/hooks/post-checkout").write_text("#!/bin/sh\\ntouch {marker}\\n")
print("stranger may make every change since origin/main.", file=sys.stderr)
sys.exit(0)
'''


def test_a_hostile_pull_request_cannot_move_refs_write_hooks_or_change_the_verdict(origin, tmp_path):
    marker = tmp_path / "hostile-code-ran"

    def hostile(fork: Path) -> None:
        (fork / "build.py").write_text(HOSTILE.format(marker=str(marker)))
        edit(fork / "carehomes" / "ownership.py", '    if author.lower() in stewards(root, base):\n        return []\n',
             "    return []\n")
        wf = fork / WORKFLOW
        wf.write_text(re.sub(r"(?s)    steps:.*", f"    steps:\n      - run: python3 build.py; touch {marker}\n", wf.read_text()))
        (fork / "stewards.yaml").write_text("stewards:\n  - council-steward\n  - stranger\n")
        edit(fork / "providers" / "example-full.yaml", "    available: 2\n", "    available: 9\n")

    head = open_pull_request(origin, tmp_path, 7, hostile)
    payload = event(origin, 7, "stranger", head)
    ran, workspace = run_job(origin, tmp_path, payload)
    name, code, out = ran[-1]
    assert (name, code) == ("Check ownership", 1), ran
    refused = sorted(line.split(":")[0] for line in out.splitlines() if "only the council may change" in line
                     or "does not look after this page" in line)
    assert refused == [WORKFLOW, "build.py", "carehomes/ownership.py", "providers/example-full.yaml", "stewards.yaml"]
    assert "1 change" not in out and "5 changes by stranger need a council steward." in out
    assert not marker.exists(), "the pull request's code must never run"
    hooks = {p.name for p in (workspace / ".git" / "hooks").iterdir()} if (workspace / ".git" / "hooks").exists() else set()
    assert all(h.endswith(".sample") for h in hooks), hooks
    assert git(workspace, "rev-parse", "HEAD").strip() == payload["pull_request"]["base"]["sha"]  # nothing of the PR checked out
    assert git(workspace, "rev-parse", "refs/remotes/origin/main").strip() == payload["pull_request"]["base"]["sha"]
    assert git(workspace, "status", "--porcelain", "--untracked-files=no") == ""  # no tracked file changed
    assert not os.path.exists("/tmp/pwned")


def test_a_pull_request_moved_to_another_base_is_judged_again_against_that_base(origin, tmp_path):
    """The verdict is a check on the head commit, and moving a pull request to another base branch (GitHub's
    'edited' event) pushes no commit. A stranger whose pending claim branch lists them as a maintainer opens a
    pull request against that branch (judged against it, it passes), then moves it to main: judged again, against
    main, where they maintain nothing, it is refused; without the new run the passing verdict would still stand."""
    claim = tmp_path / "claim"
    git(tmp_path, "clone", "-q", str(origin), str(claim))
    p = claim / "providers" / "example-minimal.yaml"
    p.write_text(p.read_text() + "maintainers:\n  - stranger\n")
    git(claim, "commit", "-qam", "Add stranger as maintainer of example-minimal (claim, issue #3)")
    git(claim, "push", "-q", "origin", "HEAD:refs/heads/claim/issue-3")
    claim_base = git(origin, "rev-parse", "claim/issue-3").strip()

    def own_edit(fork: Path) -> None:
        git(fork, "checkout", "-q", claim_base)
        q = fork / "providers" / "example-minimal.yaml"
        q.write_text(q.read_text() + "description: A home I now say I run.\n")

    head = open_pull_request(origin, tmp_path, 8, own_edit)
    opened = event(origin, 8, "stranger", head)
    opened["action"] = "opened"
    opened["pull_request"]["base"].update(sha=claim_base, ref="claim/issue-3")
    ran, _ = run_job(origin, tmp_path / "on-the-claim-branch", opened)
    assert (ran[-1][0], ran[-1][1]) == ("Check ownership", 0), ran  # against the claim branch, the stranger maintains it

    moved = event(origin, 8, "stranger", head)  # the same head; the base is main now
    moved.update(action="edited", changes={"base": {"ref": {"from": "claim/issue-3"}, "sha": {"from": claim_base}}})
    ran, _ = run_job(origin, tmp_path / "moved-to-main", moved)
    assert (ran[-1][0], ran[-1][1]) == ("Check ownership", 1), ran
    assert "providers/example-minimal.yaml: stranger does not look after this page" in ran[-1][2]
