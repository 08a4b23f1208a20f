"""The workflow harness itself (tests/workflow_harness.py): runner files, expressions, if:, needs and outputs work
as on GitHub, so a workflow that passes here does what it says there."""
from __future__ import annotations

from pathlib import Path

import pytest
from github_stub import GitHubStub
from workflow_harness import Environment, Harness, evaluate, push_change, seed_origin

pytestmark = pytest.mark.slow  # clones and bash subprocesses

CONTEXT = {"github": {"event": {"issue": {"labels": [{"name": "Provider-Update"}, {"name": "bug"}], "number": 7,
                                          "body": "### Your home's page name\n\nx"}}, "token": "t"},
           "secrets": {"SYNC_PR_TOKEN": ""}, "inputs": {"full": False}, "steps": {"apply": {"outcome": "failure"}}}


@pytest.mark.parametrize("expression, value", [
    ("contains(github.event.issue.labels.*.name, 'provider-update')", True),
    ("contains(github.event.issue.body, '### Your home''s page name')", True),
    ("secrets.SYNC_PR_TOKEN || github.token", "t"),
    ("inputs.full && '--full' || ''", ""),
    ("github.event.issue.number == '7' && !(steps.apply.outcome == 'success')", True),
    ("format('#{0}: {1}', github.event.issue.number, 'x')", "#7: x"),
    ("github.event.missing.deeper", None),
])
def test_expressions_evaluate_as_on_github(expression, value):
    got = evaluate(expression, CONTEXT)
    assert got == value if not isinstance(value, bool) else got is value


WORKFLOW = """name: Harness check
on: workflow_dispatch
permissions: {}
env:
  GREETING: hello
jobs:
  first:
    runs-on: ubuntu-24.04
    permissions: {}
    outputs:
      count: ${{ steps.count.outputs.count }}
    steps:
      - id: count
        run: |
          echo "count=3" >> "$GITHUB_OUTPUT"
          { echo "text<<EOF"; echo "two"; echo "lines"; echo "EOF"; } >> "$GITHUB_OUTPUT"
          echo "LATER=from GITHUB_ENV" >> "$GITHUB_ENV"
          echo "## Summary" >> "$GITHUB_STEP_SUMMARY"
      - name: Env reaches later steps
        env:
          TEXT: ${{ steps.count.outputs.text }}
        run: |
          test "$LATER|$GREETING" = "from GITHUB_ENV|hello"
          test "$TEXT" = "$(printf 'two\\nlines')"
          test -f "$GITHUB_EVENT_PATH" && test -d "$RUNNER_TEMP" && test "$PWD" = "$GITHUB_WORKSPACE"
      - name: Fails but may
        id: may
        continue-on-error: true
        run: exit 3
      - name: Runs after a failure that may happen
        if: steps.may.outcome == 'failure'
        run: echo ran
      - name: Fails
        run: exit 1
      - name: Skipped after a failure
        run: echo never
      - name: Runs on failure
        if: failure()
        run: echo "cleaned up"
  second:
    needs: first
    runs-on: ubuntu-24.04
    permissions: {}
    steps:
      - run: echo never
"""


def test_runner_files_outputs_if_and_needs_work_as_on_github(tmp_path):
    origin = seed_origin(tmp_path, {})
    push_change(origin, tmp_path, "main", lambda w: (w / ".github" / "workflows" / "harness-check.yml").write_text(WORKFLOW))
    with GitHubStub() as github:
        run = Harness(tmp_path, origin, github=github).run("harness-check.yml", "workflow_dispatch", {"inputs": {}})
    first = run.jobs["first"]
    assert [(s.name, s.outcome, s.conclusion) for s in first.steps] == [
        ("Run echo \"count=3\" >> \"$GITHUB_OUTPUT\"", "success", "success"),
        ("Env reaches later steps", "success", "success"), ("Fails but may", "failure", "success"),
        ("Runs after a failure that may happen", "success", "success"), ("Fails", "failure", "failure"),
        ("Skipped after a failure", "skipped", "skipped"), ("Runs on failure", "success", "success")], first.log()
    assert first.step("Fails but may").code == 3 and first.step("Runs on failure").output == "cleaned up\n"
    assert first.outputs == {"count": "3"} and first.summary == "## Summary\n"
    assert (first.result, run.jobs["second"].result, run.result) == ("failure", "skipped", "failure")
    assert isinstance(first.workspace, Path)


SECRETS_WORKFLOW = """name: Environment check
on: workflow_dispatch
permissions: {}
jobs:
%s"""
JOB = """  %s:
    runs-on: ubuntu-24.04
    permissions: {}%s
    steps:
      - env:
          BOTH: ${{ secrets.BOTH }}
          ONLY_KEPT: ${{ secrets.ONLY_KEPT }}
          REPO: ${{ secrets.REPO }}
        run: echo "$BOTH|$ONLY_KEPT|$REPO"
"""


def test_a_job_reads_its_environments_secrets_over_the_repositorys_and_a_branch_rule_stops_it(tmp_path):
    """As GitHub gives secrets: a job that names an environment reads the repository's secrets, the environment's
    own winning over one of the same name (names of environments ignore case); a job that names none, or an
    environment nobody set up yet (GitHub makes it on first use, with no secrets and no rules), reads the
    repository's only. An environment usable from main only fails its job on another branch before any step."""
    jobs = (JOB % ("kept", "\n    environment: Weekly-Sync") + JOB % ("plain", "")
            + JOB % ("new", "\n    environment:\n      name: not-set-up-yet"))
    origin = seed_origin(tmp_path, {})
    push_change(origin, tmp_path, "main", lambda w: (w / ".github" / "workflows" / "env-check.yml").write_text(SECRETS_WORKFLOW % jobs))
    push_change(origin, tmp_path, "refs/heads/other", lambda w: (w / "README.md").write_text("x\n"))
    kept = Environment({"BOTH": "kept-both", "ONLY_KEPT": "kept"}, branches=["main"])
    with GitHubStub() as github:
        harness = Harness(tmp_path, origin, github=github, secrets={"BOTH": "repo-both", "REPO": "repo"},
                          environments={"weekly-sync": kept})
        run = harness.run("env-check.yml", "workflow_dispatch", {"inputs": {}})
        other = harness.run("env-check.yml", "workflow_dispatch", {"inputs": {}}, ref="refs/heads/other")
    seen = {name: (job.environment, job.steps[0].output.strip()) for name, job in run.jobs.items()}
    assert seen == {"kept": ("Weekly-Sync", "kept-both|kept|repo"), "plain": (None, "repo-both||repo"),
                    "new": ("not-set-up-yet", "repo-both||repo")}, run.log()
    assert (other.jobs["kept"].result, other.jobs["kept"].steps) == ("failure", [])
    assert other.jobs["kept"].error == 'Branch "other" is not allowed to deploy to Weekly-Sync due to environment protection rules.'
    assert other.jobs["plain"].result == other.jobs["new"].result == "success"
