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
