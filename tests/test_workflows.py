"""The repository automation: workflow files parse and hold every required step, pinned."""
from __future__ import annotations

import re

import yaml
from conftest import ROOT

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


def test_pull_request_workflow_steps():
    wf = load("pull-request.yml")
    assert "pull_request" in wf["on"] and "pull_request_target" not in wf["on"]
    assert wf["permissions"] == {"contents": "read"}
    runs = "\n".join(r for _, _, r in steps(wf["jobs"]["check"]))
    assert "python3 build.py check --format github" in runs
    assert "python3 build.py fmt --check" in runs
    assert "check-ownership" in runs and '--author "$AUTHOR"' in runs and "$RUNNER_TEMP/base/build.py" in runs
    assert '--base "origin/$BASE_REF" --head HEAD' in runs  # committed content only, never the working tree
    assert "python3 build.py build" in runs
    uploads = [s for s in wf["jobs"]["check"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert uploads and uploads[0]["with"]["path"] == "site/"
    assert "${{" not in runs, "untrusted values reach shell commands only through env"


def test_publish_workflow_deploys_pages_from_main():
    wf = load("publish.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["permissions"]["pages"] == "write" and wf["permissions"]["id-token"] == "write"
    build = steps(wf["jobs"]["build"])
    assert any("python3 build.py build" in r for _, _, r in build)
    assert any(u.startswith("actions/upload-pages-artifact@") for _, u, _ in build)
    assert any(u.startswith("actions/deploy-pages@") for _, u, _ in steps(wf["jobs"]["deploy"]))


def test_contributor_files_exist_and_ask_for_the_source():
    assert "Where the information comes from" in (ROOT / ".github" / "pull_request_template.md").read_text()
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "incorrect-details.yml").read_text())
    ids = {b.get("id"): b for b in form["body"]}
    assert ids["source"]["validations"]["required"] is True
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    assert {h["entry"] for h in hooks} == {"python3 build.py check", "python3 build.py fmt"}
    assert "you don't need programming" in (ROOT / "CONTRIBUTING.md").read_text().lower()
    assert (ROOT / "providers" / "_template.yaml").read_text().startswith("# yaml-language-server: $schema=../schema/profile.schema.json")


def test_cqc_sync_workflow_opens_one_pull_request_weekly():
    wf = load("cqc-sync.yml")
    assert wf["on"]["schedule"][0]["cron"].split()[2:] == ["*", "*", "1"]  # weekly
    assert "workflow_dispatch" in wf["on"]
    assert wf["permissions"] == {"contents": "write", "pull-requests": "write"}
    job = wf["jobs"]["sync"]
    named = {n: (u, r) for n, u, r in steps(job)}
    sync = job["steps"][[n for n, _, _ in steps(job)].index("Sync from the CQC API")]
    assert sync["env"]["CQC_API_KEY"] == "${{ secrets.CQC_API_KEY }}"
    assert "python build.py import-cqc --api" in sync["run"] and "pipefail" in sync["run"]
    assert "python build.py check" in named["Check the synced profiles"][1]
    pr = named["Open or update the pull request"][1]
    assert "git add -- providers/ cqc-sync.json" in pr  # never build output
    assert "git push --force origin cqc-sync" in pr and "git push origin main" not in pr
    assert "gh pr create" in pr and "gh pr edit cqc-sync" in pr and "--label stewards" in pr
    assert "cqc-report.txt" in pr and "merge" not in pr.replace("then merge.", "")  # it never merges itself
    assert "${{" not in "\n".join(r for _, _, r in steps(job)), "values reach shell commands only through env"
