"""Every weekly loop run end to end (tests/workflow_harness.py): the workflows of this repository run as a
GitHub runner runs them, against a local bare repository, the loopback CQC stub and a loopback stand-in for
GitHub's REST API, and what each posts on GitHub is read as a steward would read it."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import FIXTURES
from github_stub import GitHubStub
from workflow_harness import DEFAULT_TOKEN, Harness, push_change, seed_origin

pytestmark = pytest.mark.slow  # clones and build.py runs in subprocesses

FULL = (FIXTURES / "profiles" / "example-full.yaml").read_text()  # maintainers: example-manager
MINIMAL = (FIXTURES / "profiles" / "example-minimal.yaml").read_text()  # no vacancies given
TODAY = dt.date.today().isoformat()


@pytest.fixture
def github():
    with GitHubStub("council/carehomes") as stub:
        yield stub


def freshness_issue(github: GitHubStub) -> dict:
    issues = github.plain_issues()
    assert len(issues) == 1, issues
    return issues[0]


def test_freshness_opens_one_issue_updates_it_and_closes_it_when_every_home_is_fresh(tmp_path, github):
    origin = seed_origin(tmp_path, {"example-full.yaml": FULL, "example-minimal.yaml": MINIMAL})
    harness = Harness(tmp_path, origin, github=github)
    run = harness.run("freshness.yml", "schedule", {"schedule": "0 7 * * 1"})
    assert run.result == "success", run.log()
    issue = freshness_issue(github)
    assert issue["title"] == "Vacancies to confirm: 1 home more than 7 days old, 1 never given"
    assert issue["state"] == "open" and [lab["name"] for lab in issue["labels"]] == ["vacancies-out-of-date"]
    days = (dt.date.today() - dt.date(2026, 11, 20)).days
    assert f"| Example Full House \\(fictional\\) | 2026-11-20 ({days} days) | @example-manager | [Update vacancies](" in issue["body"]
    assert "## Never given" in issue["body"] and "| Example Minimal \\(fictional\\) | never |" in issue["body"]
    assert github.labels["vacancies-out-of-date"]["color"] == "D93F0B"

    push_change(origin, tmp_path, "main", lambda w: _edit(w / "providers" / "example-full.yaml",
                                                          "  confirmed: 2026-11-20\n", f"  confirmed: {TODAY}\n"))
    assert harness.run("freshness.yml", "schedule", {}).result == "success"
    issue = freshness_issue(github)  # the same issue, not a second one
    assert issue["title"] == "Vacancies to confirm: 1 home never given" and issue["state"] == "open"
    assert "Example Full House" not in issue["body"]

    push_change(origin, tmp_path, "main", lambda w: (w / "providers" / "example-minimal.yaml").unlink(), "gone")
    assert harness.run("freshness.yml", "schedule", {}).result == "success"
    issue = freshness_issue(github)
    assert issue["state"] == "closed" and issue["state_reason"] == "completed"
    assert issue["title"] == "Vacancies: every home confirmed them in the last 7 days"
    assert "Every home's vacancies are up to date." in issue["body"]
    assert harness.run("freshness.yml", "schedule", {}).result == "success"
    assert len(github.issues) == 1, "nothing to say: no new issue"
    assert {token for _, _, token, _ in github.log} == {DEFAULT_TOKEN}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))
