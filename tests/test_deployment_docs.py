"""docs/deployment.md is checked like code: every workflow, secret, variable, command and file it names exists,
and every workflow and every secret or variable the workflows use is in it."""
from __future__ import annotations

import re

import yaml
from conftest import ROOT
from test_docs import _commands

DOC = ROOT / "docs" / "deployment.md"
WF = ROOT / ".github" / "workflows"


def _used(kind: str) -> set[str]:
    return {m for f in WF.glob("*.yml") for m in re.findall(rf"\b{kind}\.(\w+)", f.read_text())}


def test_every_workflow_named_exists_and_every_workflow_is_described():
    text = DOC.read_text()
    named = set(re.findall(r"\.github/workflows/([\w.-]+\.yml)", text))
    assert named, "the guide names no workflow"
    for name in named:
        assert (WF / name).exists(), f"docs/deployment.md names .github/workflows/{name}, which does not exist"
    rows = set(re.findall(r"^\| `\.github/workflows/([\w.-]+\.yml)` \|", text, flags=re.M))
    assert rows == {f.name for f in WF.glob("*.yml")}, "the table of workflows and .github/workflows/ differ"


def test_every_secret_and_variable_is_documented_and_every_one_documented_is_used():
    text = DOC.read_text()
    table = dict(re.findall(r"^\| `(\w+)` \| (secret|variable)", text, flags=re.M))
    assert {k for k, v in table.items() if v == "secret"} == _used("secrets") - {"GITHUB_TOKEN"}
    assert {k for k, v in table.items() if v == "variable"} == _used("vars")


def test_every_command_and_file_the_guide_names_exists():
    text = DOC.read_text()
    for cmd in re.findall(r"python3? build\.py ([a-z][a-z-]*)", text):
        assert cmd in _commands(), f"docs/deployment.md names `build.py {cmd}`, which is not a command"
    for path in re.findall(r"`((?:\.github|carehomes|tests|schema|providers)/[\w./-]+)`", text):
        assert (ROOT / path).exists(), f"docs/deployment.md names {path}, which does not exist"


def test_every_environment_that_keeps_a_secret_is_set_up_in_the_guide_with_its_workflows_and_secrets():
    """The table under "Environments" says which workflows name each environment and which secrets to keep in it,
    as the workflows have them, so that a council following it puts every secret where its job reads it."""
    named: dict[str, tuple[set[str], set[str]]] = {}
    for f in WF.glob("*.yml"):
        for job in yaml.safe_load(f.read_text())["jobs"].values():
            secrets = set(re.findall(r"\bsecrets\.(\w+)", yaml.safe_dump(job))) - {"GITHUB_TOKEN"}
            env = job.get("environment")
            if secrets and isinstance(env, str):
                workflows, kept = named.setdefault(env, (set(), set()))
                workflows.add(f.name)
                kept |= secrets
    assert named, "no job keeps its secrets in an environment"
    rows = re.findall(r"^\| `([\w-]+)` \| (`\.github/workflows/.*?) \| (.*?) \|", DOC.read_text(), flags=re.M)
    table = {env: (set(re.findall(r"workflows/([\w.-]+\.yml)", used)), set(re.findall(r"`(\w+)`", secrets)))
             for env, used, secrets in rows}
    assert table == named


def test_every_schedule_in_the_guide_is_the_workflows_own():
    """The table of workflows says when each scheduled one runs ("Mondays 05:23 UTC", "every day at 03:17 UTC"):
    a steward waits for the run on that day, so the words follow each workflow's cron."""
    days = dict(enumerate(["Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays"]))
    text = DOC.read_text()
    for f in WF.glob("*.yml"):
        triggers = yaml.safe_load(f.read_text())[True]  # YAML 1.1 reads the key on: as True
        for entry in (triggers.get("schedule") or []) if isinstance(triggers, dict) else []:
            minute, hour, day_of_month, month, weekday = entry["cron"].split()
            assert (day_of_month, month) == ("*", "*"), f"{f.name}: a schedule the guide cannot word: {entry['cron']}"
            at = f"{int(hour):02d}:{int(minute):02d} UTC"
            words = f"every day at {at}" if weekday == "*" else f"{days[int(weekday)]} {at}"
            row = re.search(rf"^\| `\.github/workflows/{re.escape(f.name)}` \| ([^|]*) \|", text, flags=re.M)
            assert row and words in row[1], f"docs/deployment.md's table should say {f.name} runs {words}"


def test_the_guide_has_the_council_make_every_label_a_form_or_a_claim_needs():
    """GitHub adds a form's label to its issue only when the repository has that label, and a steward approves a claim
    with a label: the workflows make only their own (`github label`), so the guide's setup names these."""
    from carehomes.claims import APPROVED

    needed = {label for f in (ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.yml")
              for label in yaml.safe_load(f.read_text()).get("labels") or []} | {APPROVED}
    step = re.search(r"^- \*\*Issues → Labels → New label\*\*(.*?)(?=^\S|^- )", DOC.read_text(), flags=re.M | re.S)
    assert step, "docs/deployment.md's settings have no step making the labels"
    named = set(re.findall(r"`([\w-]+)`", step[1]))
    assert needed <= named, f"the step lacks {sorted(needed - named)}"
