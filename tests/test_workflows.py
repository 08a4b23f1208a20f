"""The repository automation: workflow files parse and hold every required step, pinned."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT

from carehomes import devtools

WF = ROOT / ".github" / "workflows"


def load(name):
    data = yaml.safe_load((WF / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key 'on' as true
    return data


def steps(job):
    return [(s.get("name", ""), s.get("uses", ""), s.get("run", "")) for s in job["steps"]]


def test_every_action_is_pinned_to_a_commit():
    for f in WF.glob("*.yml"):
        for uses in re.findall(r"uses:\s*(\S+)", f.read_text()):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), f"{f.name}: {uses} is not pinned to a commit"


def test_pull_request_workflow_runs_the_pull_requests_code_without_judging_ownership():
    wf = load("pull-request.yml")
    assert "pull_request" in wf["on"] and "pull_request_target" not in wf["on"]
    assert wf["permissions"] == {} and wf["jobs"]["check"]["permissions"] == {"contents": "read"}
    runs = "\n".join(r for _, _, r in steps(wf["jobs"]["check"]))
    assert "python3 build.py check --format github" in runs
    assert "python3 build.py fmt --check" in runs
    assert "python3 build.py build" in runs
    assert "check-ownership" not in runs, "a job that runs the pull request's code cannot give the ownership verdict"
    uploads = [s for s in wf["jobs"]["check"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert uploads and uploads[0]["with"]["path"] == "site/"


def test_ownership_is_judged_by_the_base_branch_only():
    wf = load("ownership.yml")
    assert list(wf["on"]) == ["pull_request_target"], "the workflow and its code come from the base branch"
    assert wf["permissions"] == {}
    # a base moved by editing the pull request pushes no commit: judged again, never skipped (a skipped required check passes)
    assert set(wf["on"]["pull_request_target"]["types"]) == {"opened", "synchronize", "reopened", "edited"}
    job = wf["jobs"]["ownership"]
    assert job["name"] == "Check ownership" and job["permissions"] == {"contents": "read"} and "if" not in job
    checkout, setup = job["steps"][0], job["steps"][1]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"] == {"ref": "${{ github.event.pull_request.base.sha }}", "fetch-depth": 0, "persist-credentials": False}
    assert setup["uses"].startswith("actions/setup-python@") and "cache" not in setup["with"]
    assert [s["uses"] for s in job["steps"] if "uses" in s] == [checkout["uses"], setup["uses"]]  # no cache action, nothing else
    runs = "\n".join(r for _, _, r in steps(job))
    assert 'git -c core.hooksPath=/dev/null fetch --no-tags --no-recurse-submodules --no-write-fetch-head origin' in runs
    assert '"+refs/pull/$PR/head:refs/pr/head"' in runs
    assert "checkout" not in runs and "switch" not in runs and "worktree" not in runs, "the pull request is never checked out"
    assert 'git merge-tree --write-tree --no-messages "$BASE_SHA" "$HEAD_SHA"' in runs
    assert ('python3 build.py check-ownership --repo "$GITHUB_WORKSPACE" --author "$AUTHOR" --base "$BASE_SHA" '
            '--head "$merged"') in runs
    env = {k: v for s in job["steps"] for k, v in (s.get("env") or {}).items()}
    assert env["HEAD_SHA"] == "${{ github.event.pull_request.head.sha }}"  # exact commits, never names the pull request controls
    assert env["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert "secrets." not in (WF / "ownership.yml").read_text()


def test_untrusted_values_reach_the_shell_only_through_env_with_least_permissions():
    for f in sorted(WF.glob("*.yml")):
        wf = load(f.name)
        assert wf["permissions"] == {}, f"{f.name}: give each job only the permissions it needs"
        for name, job in wf["jobs"].items():
            assert "permissions" in job, f"{f.name}: job {name} must say which permissions it needs"
            for s in job["steps"]:
                assert "${{" not in s.get("run", ""), f"{f.name}: {s.get('name')}: expressions reach the shell only through env"
            checkouts = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
            assert all(s["with"]["persist-credentials"] is False for s in checkouts), f"{f.name}: the checkout keeps no token"
        runs = "\n".join(s.get("run", "") for job in wf["jobs"].values() for s in job["steps"])
        assert not re.search(r"(?<![\w/])python (?!3)", runs), f"{f.name}: run python3, as everywhere else"


def test_publish_workflow_deploys_pages_from_main():
    wf = load("publish.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert wf["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    build = steps(wf["jobs"]["build"])
    assert any("python3 build.py build" in r for _, _, r in build)
    assert any(u.startswith("actions/upload-pages-artifact@") for _, u, _ in build)
    assert any(u.startswith("actions/deploy-pages@") for _, u, _ in steps(wf["jobs"]["deploy"]))


def test_publish_workflow_rebuilds_the_site_every_day():
    """A page's ages ("confirmed today", "8 days ago") and its "Possibly out of date" flags are worded at the build
    (docs/face.md: "the site is built and published every day"); publish.yml ran only on a push, so a week without one
    left vacancies confirmed on Monday reading "today" and unflagged on Friday."""
    crons = [c["cron"] for c in load("publish.yml")["on"].get("schedule") or []]
    assert crons, "publish.yml has no schedule"
    assert all(re.fullmatch(r"\d+ \d+ \* \* \*", c) for c in crons), crons  # every day, once


def test_contributor_files_exist_and_ask_for_the_source():
    assert "Where the information comes from" in (ROOT / ".github" / "pull_request_template.md").read_text()
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "incorrect-details.yml").read_text())
    ids = {b.get("id"): b for b in form["body"]}
    assert ids["source"]["validations"]["required"] is True
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    assert {h["entry"] for h in hooks} == {"python3 build.py check", "python3 build.py fmt"}
    # each hook and the editor's schema cover an area's profiles too (areas/oldham/providers/), not the template
    for h in hooks:
        files = re.compile(h["files"])
        assert files.search("providers/aston-house.yaml") and files.search("areas/oldham/providers/abbey-hey-care-home.yaml")
        assert not files.search("areas/oldham/mkdocs.yml") and not files.search("providers/sub/x.yaml")
    assert not re.compile(next(h["files"] for h in hooks if h["id"] == "profiles-check")).search("providers/_template.yaml")
    editor = json.loads((ROOT / ".vscode" / "settings.json").read_text())["yaml.schemas"]["./schema/profile.schema.json"]
    assert {"providers/*.yaml", "areas/*/providers/*.yaml"} <= set(editor)
    assert "you don't need programming" in (ROOT / "CONTRIBUTING.md").read_text().lower()
    assert (ROOT / "providers" / "_template.yaml").read_text().startswith("# yaml-language-server: $schema=../schema/profile.schema.json")


def test_cqc_sync_workflow_opens_one_pull_request_weekly():
    wf = load("cqc-sync.yml")
    assert wf["on"]["schedule"][0]["cron"].split()[2:] == ["*", "*", "1"]  # weekly
    assert "workflow_dispatch" in wf["on"]
    job = wf["jobs"]["sync"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    named = {n: (u, r) for n, u, r in steps(job)}
    sync = job["steps"][[n for n, _, _ in steps(job)].index("Sync from the CQC API")]
    assert sync["env"]["CQC_API_KEY"] == "${{ secrets.CQC_API_KEY }}"
    assert "python3 build.py import-cqc --api" in sync["run"] and "pipefail" in sync["run"]
    assert "python3 build.py check" in named["Check the synced profiles"][1]
    pr = named["Open or update the pull request"][1]
    assert 'git add -- "${FOLDER}providers/" "${FOLDER}cqc-sync.json"' in pr  # never build output
    assert 'FOLDER="${AREA:+areas/$AREA/}"' in pr and job["env"]["AREA"] == "${{ inputs.area || vars.AREA }}"
    assert "python3 build.py github git -- push --force origin cqc-sync" in pr and "push origin main" not in pr
    assert "python3 build.py github pull-request --head cqc-sync" in pr and "--label stewards" in pr
    assert "cqc-report.txt" in pr and "merge" not in pr.replace("then merge.", "")  # it never merges itself
    assert "${{" not in "\n".join(r for _, _, r in steps(job)), "values reach shell commands only through env"


def test_workflows_use_the_projects_own_github_commands_and_one_pull_request_token():
    for f in sorted(WF.glob("*.yml")):
        text = f.read_text()
        assert not re.search(r"(?m)^\s*(?:[^#\n]*[;&|(]\s*)?gh\s", text) and "GH_TOKEN" not in text, f"{f.name}: use build.py github, not gh"
        if "github pull-request" in text:
            assert "SYNC_PR_TOKEN: ${{ secrets.SYNC_PR_TOKEN }}" in text, f"{f.name}: open pull requests with SYNC_PR_TOKEN"


def test_only_the_ownership_workflow_reports_a_check_named_check_ownership():
    """GitHub matches a required check by name and takes the newest run of it: a job of another workflow (one that
    runs a pull request's own code) named "Check ownership" would stand in for the verdict (SECURITY.md)."""
    named = [(f.name, job_id) for f in sorted(WF.glob("*.yml")) for job_id, job in load(f.name)["jobs"].items()
             if str(job.get("name", job_id)).strip().lower() == "check ownership"]
    assert named == [("ownership.yml", "ownership")]


# Where each secret is kept (docs/deployment.md, "Environments"): the jobs any GitHub user starts with an issue (the forms)
# never have the CQC key within reach, and a council can ask for a reviewer on the weekly syncs without holding every form.
ENVIRONMENTS = {"weekly-sync": {"CQC_API_KEY", "SYNC_PR_TOKEN"}, "forms": {"SYNC_PR_TOKEN"}}


def test_every_job_that_reads_a_secret_names_the_environment_that_keeps_it():
    used: dict[str, set[str]] = {name: set() for name in ENVIRONMENTS}
    for f in sorted(WF.glob("*.yml")):
        for job_id, job in load(f.name)["jobs"].items():
            secrets = set(re.findall(r"\bsecrets\.(\w+)", yaml.safe_dump(job))) - {"GITHUB_TOKEN"}
            named = job.get("environment")
            named = named.get("name") if isinstance(named, dict) else named
            if not secrets:
                assert named not in ENVIRONMENTS, f"{f.name}: job {job_id} reads no secret, so it names no environment that keeps one"
                continue
            assert named in ENVIRONMENTS, (
                f"{f.name}: job {job_id} reads {sorted(secrets)}: name the environment that keeps them ({sorted(ENVIRONMENTS)})")
            assert secrets <= ENVIRONMENTS[named], f"{f.name}: job {job_id} reads {sorted(secrets - ENVIRONMENTS[named])}, not kept in {named}"
            used[named] |= secrets
    assert used == ENVIRONMENTS, "an environment keeps a secret no job reads"


def test_zizmor_as_an_auditor_finds_nothing_in_the_workflows():
    """build.py test runs zizmor with the auditor persona (devtools.ZIZMOR_ARGS), the one that reports a secret read by
    a job with no environment (secrets-outside-env): the default persona says nothing of it."""
    assert devtools.ZIZMOR_ARGS[devtools.ZIZMOR_ARGS.index("--persona") + 1] == "auditor"
    zizmor = Path(sys.executable).parent / "zizmor"
    assert zizmor.exists(), f"zizmor is missing from {zizmor.parent}: install requirements.txt"
    done = subprocess.run([str(zizmor), *devtools.ZIZMOR_ARGS, "--format", "plain"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
