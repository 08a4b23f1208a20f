"""Every weekly loop run end to end (tests/workflow_harness.py): the workflows of this repository run as a
GitHub runner runs them, against a local bare repository, the loopback CQC, OS and FSA stubs and a loopback stand-in for
GitHub's REST API, and what each posts on GitHub is read as a steward would read it."""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import FIXTURES
from github_stub import GitHubStub
from helpers import REAL, mkdocs_with
from workflow_harness import DEFAULT_TOKEN, Environment, Harness, push_change, seed_origin

pytestmark = pytest.mark.slow  # clones and build.py runs in subprocesses



def formatted(name: str) -> str:
    """A fixture profile in the standard form, as `fmt --check` in the workflows wants it."""
    from carehomes.editing import format_text

    return format_text((FIXTURES / "profiles" / name).read_text())


FULL = formatted("example-full.yaml")  # maintainers: example-manager
MINIMAL = formatted("example-minimal.yaml")  # no vacancies given
TODAY = dt.date.today().isoformat()


def kept(**secrets: str) -> Environment:
    """An environment as docs/deployment.md sets it up: these secrets, usable from main only."""
    return Environment(secrets, branches=["main"])


@pytest.fixture
def github():
    with GitHubStub("council/carehomes") as stub:
        yield stub


def freshness_issue(github: GitHubStub) -> dict:
    issues = github.plain_issues()
    assert len(issues) == 1, issues
    return issues[0]


def test_freshness_opens_one_issue_updates_it_and_closes_it_when_every_home_is_fresh(tmp_path, github):
    old = (dt.date.today() - dt.timedelta(days=13)).isoformat()  # the workflow counts up to today
    origin = seed_origin(tmp_path, {"example-full.yaml": FULL.replace("  confirmed: 2026-11-20\n", f"  confirmed: {old}\n"),
                                    "example-minimal.yaml": MINIMAL})
    harness = Harness(tmp_path, origin, github=github)
    run = harness.run("freshness.yml", "schedule", {"schedule": "0 7 * * 1"})
    assert run.result == "success", run.log()
    issue = freshness_issue(github)
    assert issue["title"] == "Vacancies to confirm: 1 home more than 7 days old, 1 never given"
    assert issue["state"] == "open" and [lab["name"] for lab in issue["labels"]] == ["vacancies-out-of-date"]
    assert f"| Example Full House \\(fictional\\) | {old} (13 days) | @example-manager | [Update vacancies](" in issue["body"]
    assert "## Never given" in issue["body"] and "| Example Minimal \\(fictional\\) | never |" in issue["body"]
    assert github.labels["vacancies-out-of-date"]["color"] == "D93F0B"

    push_change(origin, tmp_path, "main", lambda w: _edit(w / "providers" / "example-full.yaml",
                                                          f"  confirmed: {old}\n", f"  confirmed: {TODAY}\n"))
    assert harness.run("freshness.yml", "schedule", {}).result == "success"
    issue = freshness_issue(github)  # the same issue, not a second one
    assert issue["title"] == "Vacancies to confirm: 1 home never given" and issue["state"] == "open"
    assert "Example Full House" not in issue["body"]

    push_change(origin, tmp_path, "main", lambda w: (w / "providers" / "example-minimal.yaml").unlink(), "gone")
    run_closed = harness.run("freshness.yml", "schedule", {})
    assert run_closed.result == "success", run_closed.log()
    issue = freshness_issue(github)
    assert issue["state"] == "closed" and issue["state_reason"] == "completed"
    assert issue["title"] == "Vacancies: every home confirmed them in the last 7 days"
    assert issue["body"].startswith("Every one is up to date: 1 home confirmed its vacancies in the last 7 days.\n")
    assert run_closed.jobs["stale"].summary == f"- Issue #{issue['number']} closed: {issue['html_url']}\n"
    assert harness.run("freshness.yml", "schedule", {}).result == "success"
    assert len(github.issues) == 1, "nothing to say: no new issue"
    assert {token for _, _, token, _ in github.log} == {DEFAULT_TOKEN}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


# --- issue forms: provider-update.yml ------------------------------------------------------------

def form_issue(github: GitHubStub, author: str, answers: str, title: str) -> dict:
    """An issue a home sent with a form, on the stub, and the issues event GitHub sends for it."""
    issue = github.add_issue(title, answers, author, ["provider-update"])
    return {"action": "opened", "issue": {**issue, "state": "open"}, "repository": {"full_name": github.repo},
            "sender": {"login": author}}


VACANCIES = ("### Your home's page name\n\nexample-full\n\n### Beds with nursing free now\n\n1\n\n"
             "### Beds without nursing free now\n\n0\n\n### Availability confirmed on\n\n_No response_")
DETAILS = "### Your home's page name\n\nexample-full\n\n### Lead manager\n\nAlex Example"


@pytest.fixture
def homes(tmp_path) -> Path:
    return seed_origin(tmp_path, {"example-full.yaml": FULL, "example-minimal.yaml": MINIMAL})


def test_a_maintainers_vacancies_are_committed_to_main_published_and_the_issue_answered(tmp_path, github, homes):
    before = _show(homes, "main")
    payload = form_issue(github, "example-manager", VACANCIES, "Update vacancies: Example Full House (fictional)")
    run = Harness(tmp_path, homes, github=github).run("provider-update.yml", "issues", payload)
    assert run.result == "success", run.log()
    number = payload["issue"]["number"]
    assert _show(homes, "main~1") == before, "one commit on main"
    assert "    available: 1\n" in _show(homes, "main", "providers/example-full.yaml")
    assert _show(homes, "main", "--format=%s").strip() == f"Update vacancies for example-full (issue #{number})"
    assert github.dispatches == [{"workflow": "publish.yml", "ref": "main"}]
    [reply] = github.comments_on(number)
    assert reply.startswith("Thank you. The page for **Example Full House") and "| 2 | 1 |" in reply
    assert reply.rstrip().endswith("The site shows the change within a few minutes.")
    assert github.issues[number]["state"] == "closed" and not github.pulls()


def test_a_details_update_becomes_one_pull_request_for_a_steward_with_the_sync_token(tmp_path, github, homes):
    payload = form_issue(github, "example-manager", DETAILS, "Update details: Example Full House (fictional)")
    harness = Harness(tmp_path, homes, github=github, environments={"forms": kept(SYNC_PR_TOKEN="bot-token")})
    run = harness.run("provider-update.yml", "issues", payload)
    assert run.jobs["apply"].environment == "forms"
    assert run.result == "success", run.log()
    [pr] = github.pulls()
    number = payload["issue"]["number"]
    assert pr["base"]["ref"] == "main" and pr["state"] == "open"
    assert pr["body"] == f"Sent with the form in #{number}. A steward checks the change and merges it; merging closes #{number}.\n"
    assert github.issues[number]["state"] == "open", "the issue closes when the pull request is merged"
    assert "Alex Example" in _show(homes, pr["head"]["ref"], "providers/example-full.yaml")
    assert "Alex Example" not in _show(homes, "main", "providers/example-full.yaml"), "nothing reaches main unreviewed"
    [reply] = github.comments_on(number)
    assert reply.startswith("Thank you. Someone from the council will check this change")
    assert reply.rstrip().endswith(f"For the council, the change to check (a pull request): {pr['html_url']}")
    assert [t for m, p, t, _ in github.log if m == "POST" and p.endswith("/pulls")] == ["bot-token"]
    assert [t for m, p, t, _ in github.log if p.endswith("/comments")] == [DEFAULT_TOKEN]
    assert not github.dispatches


def test_without_the_sync_token_the_pull_request_says_its_checks_did_not_start(tmp_path, github, homes):
    payload = form_issue(github, "example-manager", DETAILS, "Update details: Example Full House (fictional)")
    run = Harness(tmp_path, homes, github=github).run("provider-update.yml", "issues", payload)
    assert run.result == "success", run.log()
    [pr] = github.pulls()
    assert "**The pull-request checks did not start by themselves.**" in pr["body"]
    assert "closing and reopening this pull request" in pr["body"] and "`SYNC_PR_TOKEN`" in pr["body"]
    step = run.jobs["apply"].step("Publish, or open a pull request, and reply on the issue")
    assert "warning: SYNC_PR_TOKEN is not set" in step.output
    assert run.jobs["apply"].summary == (
        "- Warning: SYNC_PR_TOKEN is not set: the pull request is opened with the default token, so its checks do not "
        "start by themselves; its description says so (see docs/deployment.md)\n"
        f"- Pull request #{pr['number']} opened from provider-update/issue-{payload['issue']['number']}: {pr['html_url']}\n")


def test_a_stranger_is_told_why_and_nothing_changes(tmp_path, github, homes):
    before = _show(homes, "main")
    payload = form_issue(github, "stranger", VACANCIES, "Update vacancies: Example Full House (fictional)")
    run = Harness(tmp_path, homes, github=github).run("provider-update.yml", "issues", payload)
    assert run.result == "success", run.log()
    assert run.jobs["apply"].step("Apply the update").outcome == "failure"  # continue-on-error: the reply still goes
    assert run.jobs["apply"].step("Check every profile, as for a pull request").outcome == "skipped"
    [reply] = github.comments_on(payload["issue"]["number"])
    assert reply.startswith("This update was not made.\n\n- stranger cannot update the page for Example Full House")
    assert "example-manager" in reply
    assert github.issues[payload["issue"]["number"]]["state"] == "open"
    assert _show(homes, "main") == before and not github.pulls() and not github.dispatches


def test_an_issue_that_is_not_a_form_is_left_alone(tmp_path, github, homes):
    issue = github.add_issue("The map is slow", "It takes a minute to load.", "someone")
    run = Harness(tmp_path, homes, github=github).run("provider-update.yml", "issues",
                                                     {"action": "opened", "issue": issue, "sender": {"login": "someone"}})
    assert run.jobs["apply"].result == "skipped" and not github.comments


# --- a manager claims their home: claim.yml ------------------------------------------------------

CLAIM = ("### The home you manage\n\nexample-minimal\n\n### Your name\n\nSam @everyone Manager\n\n### Your role\n\n"
         "Registered manager\n\n### Your work email\n\nsam@minimal.example.org\n\n### Your phone number\n\n07700 900123")


def test_a_claim_gets_the_register_number_and_only_a_stewards_label_opens_one_pull_request(tmp_path, github):
    from carehomes.editing import format_text

    minimal = format_text(MINIMAL + "cqc:\n  phone: 01632 960001\n")
    origin = seed_origin(tmp_path, {"example-full.yaml": FULL, "example-minimal.yaml": minimal})
    before = _show(origin, "main")
    harness = Harness(tmp_path, origin, github=github, environments={"forms": kept(SYNC_PR_TOKEN="bot-token")})
    issue = github.add_issue("Claim: Example Minimal (fictional)", CLAIM, "sam-manager", ["claim"])
    number = issue["number"]

    def event(action: str, sender: str, label: str | None = None) -> dict:
        return {"action": action, "issue": {**github.issues[number]}, "sender": {"login": sender},
                **({"label": {"name": label}} if label else {})}

    assert harness.run("claim.yml", "issues", event("labeled", "sam-manager", "claim")).jobs["claim"].result == "skipped"
    run = harness.run("claim.yml", "issues", event("opened", "sam-manager"))
    assert run.result == "success", run.log()
    [reply] = github.comments_on(number)
    assert "ring **Example Minimal \\(fictional\\)** on **01632 960001**, the CQC register's number for the home" in reply
    assert "07700" not in reply and "@everyone" not in reply and "Sam ＠everyone Manager" in reply
    second = github.add_issue("Claim: Example Minimal (fictional)", CLAIM, "jo-deputy", ["claim"])["number"]
    run = harness.run("claim.yml", "issues", {"action": "opened", "issue": {**github.issues[second]}, "sender": {"login": "jo-deputy"}})
    assert run.result == "success", run.log()
    assert f"already waiting in request #{number}: someone from the council is checking it" in github.comments_on(second)[0]
    github.issues[second]["state"] = "closed"

    github.issues[number]["labels"].append({"name": "claim-approved"})
    run = harness.run("claim.yml", "issues", event("labeled", "stranger", "claim-approved"))
    assert run.result == "success", run.log()
    assert github.comments_on(number)[-1].startswith("The label `claim-approved` was added by stranger, who is not a council steward")
    assert not github.pulls() and _show(origin, "main") == before

    run = harness.run("claim.yml", "issues", event("labeled", "council-steward", "claim-approved"))
    assert run.result == "success", run.log()
    [pr] = github.pulls()
    assert pr["head"]["ref"] == f"claim/issue-{number}" and pr["base"]["ref"] == "main"
    assert pr["title"] == f"Add sam-manager as maintainer of example-minimal (claim, issue #{number})"
    assert _show(origin, pr["head"]["ref"], "providers/example-minimal.yaml").endswith("maintainers:\n- sam-manager\n")
    assert _show(origin, "main") == before, "nothing reaches main unreviewed"
    assert github.comments_on(number)[-1].rstrip().endswith(f"For the council, the change to accept (a pull request): {pr['html_url']}")
    assert [t for m, p, t, _ in github.log if m == "POST" and p.endswith("/pulls")] == ["bot-token"]
    assert len(github.comments_on(number)) == 3


def _two_homes(tmp_path: Path, github: GitHubStub) -> tuple[Path, Harness, str]:
    """Two claimable fictional homes, each with a register number (A: example-minimal, B: example-other)."""
    from carehomes.editing import format_text

    a = format_text(MINIMAL + "cqc:\n  phone: 01632 960001\n")
    b = format_text(MINIMAL.replace("1-000000201", "1-000000299").replace("example-minimal", "example-other")
                    .replace("Example Minimal", "Example Other") + "cqc:\n  phone: 01632 960002\n")
    origin = seed_origin(tmp_path, {"example-full.yaml": FULL, "example-minimal.yaml": a, "example-other.yaml": b})
    return origin, Harness(tmp_path, origin, github=github, secrets={"SYNC_PR_TOKEN": "bot-token"}), _show(origin, "main")


def _claim_event(github: GitHubStub, number: int, action: str, sender: str, label: str | None = None) -> dict:
    return {"action": action, "issue": {**github.issues[number]}, "sender": {"login": sender},
            **({"label": {"name": label}} if label else {})}


MOVED = ("This claim was opened for **Example Minimal \\(fictional\\)**, and a claim stays for the home it was opened for, "
         "so it cannot be changed to **Example Other \\(fictional\\)**. To claim **Example Other \\(fictional\\)**, open "
         "a new claim with the \"Claim it\" link on its page; to go on with this claim for **Example Minimal "
         "\\(fictional\\)**, edit this request back to name it.\n")


def test_a_claim_edited_to_name_another_home_is_never_approved_for_it(tmp_path, github):
    """The steward rang home A, as the first reply asked; the claimant then edited the issue to name home B just
    before the label. The label grants neither: B was never rung, and the claim no longer asks for A."""
    origin, harness, before = _two_homes(tmp_path, github)
    number = github.add_issue("Claim: Example Minimal (fictional)", CLAIM, "sam-manager", ["claim"])["number"]
    run = harness.run("claim.yml", "issues", _claim_event(github, number, "opened", "sam-manager"))
    assert run.result == "success", run.log()
    [first] = github.comments_on(number)
    assert first.startswith("<!-- claim for: example-minimal -->\nThank you, Sam ＠everyone Manager.")
    assert "ring **Example Minimal \\(fictional\\)** on **01632 960001**" in first
    # the claimant's own comment with a mark for B counts for nothing: only the workflow's account's replies bind
    github.add_comment(number, "<!-- claim for: example-other -->\nring Example Other", "sam-manager")

    github.issues[number]["body"] = CLAIM.replace("example-minimal", "example-other")
    run = harness.run("claim.yml", "issues", _claim_event(github, number, "edited", "sam-manager"))
    assert run.result == "success", run.log()
    assert github.comments_on(number)[-1].rstrip("\n") == MOVED.rstrip("\n")  # jq -r adds a line break
    github.issues[number]["labels"].append({"name": "claim-approved"})
    run = harness.run("claim.yml", "issues", _claim_event(github, number, "labeled", "council-steward", "claim-approved"))
    assert run.result == "success", run.log()
    assert github.comments_on(number)[-1].rstrip("\n") == (
        "The label `claim-approved` was added, but nothing was changed: this claim was opened for **Example Minimal "
        "\\(fictional\\)**, and a claim stays for the home it was opened for, so it cannot be changed to **Example Other "
        "\\(fictional\\)**, and an approval is only for the home a steward was asked to ring. To claim **Example Other "
        "\\(fictional\\)**, open a new claim with the \"Claim it\" link on its page; to go on with this claim for "
        "**Example Minimal \\(fictional\\)**, edit this request back to name it; once a steward has confirmed it with "
        "**Example Minimal \\(fictional\\)**, they remove the label and add it again.")
    assert not github.pulls() and _show(origin, "main") == before
    assert _git_branches(origin) == ["main"], "no claim branch was pushed"
    assert not any("01632 960002" in c for c in github.comments_on(number)), "B's number was never given to ring"


def test_a_claim_edited_for_the_same_home_is_still_approved(tmp_path, github):
    origin, harness, before = _two_homes(tmp_path, github)
    number = github.add_issue("Claim: Example Minimal (fictional)", CLAIM, "sam-manager", ["claim"])["number"]
    assert harness.run("claim.yml", "issues", _claim_event(github, number, "opened", "sam-manager")).result == "success"
    # the role corrected, and the home named by its CQC location ID rather than its slug: the same home
    github.issues[number]["body"] = (CLAIM.replace("Registered manager", "Registered manager since 2024")
                                     .replace("\nexample-minimal\n", "\n1-000000201\n"))
    run = harness.run("claim.yml", "issues", _claim_event(github, number, "edited", "sam-manager"))
    assert run.result == "success", run.log()
    assert github.comments_on(number)[-1].startswith("<!-- claim for: example-minimal -->\n")
    assert "ask for Sam ＠everyone Manager (Registered manager since 2024)" in github.comments_on(number)[-1]
    github.issues[number]["labels"].append({"name": "claim-approved"})
    run = harness.run("claim.yml", "issues", _claim_event(github, number, "labeled", "council-steward", "claim-approved"))
    assert run.result == "success", run.log()
    [pr] = github.pulls()
    assert pr["title"] == f"Add sam-manager as maintainer of example-minimal (claim, issue #{number})"
    assert _show(origin, pr["head"]["ref"], "providers/example-minimal.yaml").endswith("maintainers:\n- sam-manager\n")
    assert _show(origin, "main") == before


def _git_branches(origin: Path) -> list[str]:
    from workflow_harness import _git

    return _git(origin, "for-each-ref", "--format=%(refname:short)", "refs/heads").split()


def _show(origin: Path, rev: str, *more: str) -> str:
    from workflow_harness import _git

    if more and not more[0].startswith("-"):
        return _git(origin, "show", f"{rev}:{more[0]}")
    return _git(origin, "log", "-1", *(more or ("--format=%H",)), rev)


# --- the CQC weekly sync: cqc-sync.yml --------------------------------------------------------------

@pytest.fixture
def cqc():
    from cqc_stub import CQCStub

    with CQCStub() as stub:
        yield stub


def cqc_harness(tmp_path: Path, origin: Path, github: GitHubStub, cqc) -> Harness:
    from cqc_stub import KEY

    return Harness(tmp_path, origin, github=github, environments={"weekly-sync": kept(CQC_API_KEY=KEY, SYNC_PR_TOKEN="bot-token")},
                   variables={"CQC_LOCAL_AUTHORITY": "Oldham"}, env={"CQC_API_BASE": cqc.base})


def test_the_first_cqc_sync_opens_one_pull_request_with_every_home(tmp_path, github, cqc):
    origin = seed_origin(tmp_path, {})
    run = cqc_harness(tmp_path, origin, github, cqc).run("cqc-sync.yml", "schedule", {"schedule": "23 5 * * 1"})
    assert run.result == "success", run.log()
    [pr] = github.pulls()
    assert (pr["title"], pr["head"]["ref"], pr["base"]["ref"], pr["state"]) == ("CQC weekly sync", "cqc-sync", "main", "open")
    assert [lab["name"] for lab in pr["labels"]] == ["stewards"] and github.labels["stewards"]["color"] == "1d76db"
    assert pr["body"].startswith("Weekly sync of the regulator's facts from the CQC API. Review the changes below, then merge.\n\n"
                                 f"```text\nCQC live API sync dated {TODAY}:\n  104 new profiles created\n")
    added = _show(origin, "cqc-sync", "--format=", "--name-only").split()
    # Oldham's homes and agencies, and the closures the first import keeps (docs/commissioners.md)
    assert "cqc-sync.json" in added and sum(f.startswith("providers/") and f.endswith(".yaml") and "/_" not in f
                                            for f in added) == 104
    assert "providers/_closed.yaml" in added
    assert "SYNC_PR_TOKEN" not in pr["body"], "the sync token was used: no note"
    assert {t for m, p, t, _ in github.log if p.endswith("/pulls") and m == "POST"} == {"bot-token"}
    assert run.jobs["sync"].environment == "weekly-sync"


def test_a_sync_run_by_hand_from_another_branch_never_reads_the_environments_secrets(tmp_path, github, cqc):
    """Anyone who may push a branch may change its copy of cqc-sync.yml and run it by hand: the environment
    weekly-sync, usable from main only (docs/deployment.md), stops that job before its first step, so neither the CQC
    key nor the bot's token reaches it, and nothing is asked of CQC or GitHub."""
    origin = seed_origin(tmp_path, {})
    push_change(origin, tmp_path, "refs/heads/try-this", lambda w: (w / "README.md").write_text("changed\n"))
    run = cqc_harness(tmp_path, origin, github, cqc).run("cqc-sync.yml", "workflow_dispatch", {"inputs": {}},
                                                        ref="refs/heads/try-this")
    job = run.jobs["sync"]
    assert (run.result, job.environment, job.steps) == ("failure", "weekly-sync", [])
    assert job.error == 'Branch "try-this" is not allowed to deploy to weekly-sync due to environment protection rules.'
    assert cqc.log == [] and github.log == []


def test_the_cqc_sync_updates_its_pull_request_the_next_week_and_opens_none_when_nothing_changed(tmp_path, github, cqc,
                                                                                                 monkeypatch):
    from cqc_stub import KEY

    from carehomes.cli import main

    monkeypatch.setenv("CQC_API_KEY", KEY)
    monkeypatch.setenv("CQC_API_BASE", cqc.base)
    origin = seed_origin(tmp_path, {})
    push_change(origin, tmp_path, "main", lambda w: main(["import-cqc", "--api", "--local-authority", "Oldham",
                                                          "--providers", str(w / "providers")]), "the first sync, merged")
    harness = cqc_harness(tmp_path, origin, github, cqc)
    care_homes = [i for i in cqc.order if cqc.details[i].get("careHome") == "Y"]
    first, second = (cqc.details[i]["name"] for i in care_homes[:2])
    cqc.set_rating(care_homes[0], "Inadequate", TODAY)
    assert harness.run("cqc-sync.yml", "schedule", {}).result == "success"
    [week1] = github.pulls("open")
    assert "  0 new profiles created\n  1 updated" in week1["body"] and first in week1["body"]

    cqc.set_rating(care_homes[1], "Outstanding", TODAY)  # the steward has not merged it yet
    run = harness.run("cqc-sync.yml", "schedule", {})
    assert run.result == "success", run.log()
    [week2] = github.pulls()  # the same pull request, its description and branch updated
    assert week2["number"] == week1["number"] and "  2 updated" in week2["body"]
    assert first in week2["body"] and second in week2["body"]
    diff = _show(origin, "cqc-sync", "--format=", "-p")
    assert "Inadequate" in diff and "Outstanding" in diff

    merge(github, origin, week2)
    run = harness.run("cqc-sync.yml", "schedule", {})
    assert run.result == "success", run.log()
    assert run.jobs["sync"].step("Open or update the pull request").output.strip() == "No profile changed; no pull request."
    assert len(github.pulls()) == 1 and not github.pulls("open")


def test_the_cqc_sync_of_an_area_changes_only_that_areas_folder(tmp_path, github, cqc):
    """The repository variable AREA=oldham: the sync refreshes areas/oldham/ (its profiles, as imported from the
    shared responses of March 2025, and its own cqc-sync.json) and nothing at the top level; the file import of
    those responses and the live sync agree on every one of its 104 profiles. The secrets are the repository's, as a
    deployment set up before the environments has them: a job that names an environment still reads them."""
    from cqc_stub import KEY

    origin = seed_origin(tmp_path, {})
    harness = Harness(tmp_path, origin, github=github, secrets={"CQC_API_KEY": KEY, "SYNC_PR_TOKEN": "bot-token"},
                      variables={"CQC_LOCAL_AUTHORITY": "Oldham", "AREA": "oldham"}, env={"CQC_API_BASE": cqc.base})
    run = harness.run("cqc-sync.yml", "schedule", {"schedule": "23 5 * * 1"})
    assert run.result == "success", run.log()
    [pr] = github.pulls()
    assert pr["body"].startswith("Weekly sync of the regulator's facts from the CQC API. Review the changes below, then merge.\n\n"
                                 f"```text\nCQC live API sync dated {TODAY}:\n  0 new profiles created\n  0 updated, 104 with "
                                 "only the register's date changed (cqc.imported), 0 unchanged\n")
    changed = _show(origin, "cqc-sync", "--format=", "--name-only").split()
    # each profile the summary counts (dated by this sync), its closures file and its sync state
    assert "areas/oldham/cqc-sync.json" in changed and len(changed) == 104 + 2
    assert all(f.startswith("areas/oldham/providers/") or f == "areas/oldham/cqc-sync.json" for f in changed), changed


def merge(github: GitHubStub, origin: Path, pr: dict) -> None:
    """A steward merges the pull request (its branch fast-forwards main)."""
    from workflow_harness import _git

    _git(origin, "update-ref", "refs/heads/main", f"refs/heads/{pr['head']['ref']}")
    github.issues[pr["number"]]["state"] = "closed"


# --- pull requests: pull-request.yml and ownership.yml ------------------------------------------

def pull_request(origin: Path, tmp_path: Path, number: int, author: str, change) -> dict:
    """A pull request from a fork, published as refs/pull/N/head, and its event payload."""
    from workflow_harness import _git

    base = _git(origin, "rev-parse", "main").strip()
    head = push_change(origin, tmp_path, f"refs/pull/{number}/head", change, f"change {number}")
    return {"action": "opened", "number": number,
            "pull_request": {"number": number, "title": "My change", "user": {"login": author},
                             "head": {"sha": head, "ref": "patch-1", "repo": {"full_name": f"{author}/carehomes"}},
                             "base": {"sha": base, "ref": "main", "repo": {"full_name": "council/carehomes"}}},
            "repository": {"full_name": "council/carehomes"}, "sender": {"login": author}}


def fewer_beds(work: Path) -> None:
    _edit(work / "providers" / "example-full.yaml", "    available: 2\n", "    available: 1\n")


def test_a_maintainers_pull_request_passes_its_checks_and_the_ownership_check(tmp_path, github, homes):
    payload = pull_request(homes, tmp_path, 5, "example-manager", fewer_beds)
    harness = Harness(tmp_path, homes, github=github)
    checks = harness.run("pull-request.yml", "pull_request", payload, ref="refs/pull/5/merge",
                         sha=payload["pull_request"]["head"]["sha"])
    assert checks.result == "success", checks.log()
    preview = checks.artifacts / "site-preview"
    assert (preview / "index.html").exists() and "    available: 1" not in (preview / "index.html").read_text()
    assert "Checked 2 profiles: no problems." in checks.jobs["check"].step("Check profiles").output
    owner = harness.run("ownership.yml", "pull_request_target", payload, sha=payload["pull_request"]["base"]["sha"])
    assert owner.result == "success", owner.log()
    assert owner.jobs["ownership"].step("Check ownership").output.strip().endswith(
        f"example-manager may make every change since {payload['pull_request']['base']['sha']}.")
    assert not github.log, "checks post nothing on GitHub"


def test_a_pull_request_breaking_an_areas_profile_fails_its_check_naming_the_line(tmp_path, github, homes):
    """From the providers' review: the check of a pull request read only providers/, so an Oldham agency's broken website passed
    it, to fail the publish after the merge; an area's profile out of the standard form passed too."""
    def maybe(work: Path) -> None:
        _edit(work / "areas" / "oldham" / "providers" / "caremark-oldham.yaml", "name: Caremark (Oldham)\n",
              "name: Caremark (Oldham)\nwebsite: not a link\n")
        _edit(work / "areas" / "oldham" / "providers" / "apex-prime-care-oldham.yaml", "name: ", "name:  ")
    payload = pull_request(homes, tmp_path, 9, "example-manager", maybe)
    checks = Harness(tmp_path, homes, github=github).run("pull-request.yml", "pull_request", payload, ref="refs/pull/9/merge",
                                                          sha=payload["pull_request"]["head"]["sha"])
    assert checks.result == "failure"
    step = checks.jobs["check"].step("Check profiles")
    assert step.outcome == "failure" and "Checked 2 profiles: no problems." in step.output
    assert "::error file=areas/oldham/providers/caremark-oldham.yaml,line=" in step.output
    assert "website" in step.output
    fmt = checks.jobs["check"].step("Check formatting")
    assert fmt.outcome == "failure"
    assert ("areas/oldham/providers/apex-prime-care-oldham.yaml: is not in the standard format: line 7 is 'name:  Apex "
            "Prime Care - Oldham'; the standard form is 'name: Apex Prime Care - Oldham'.") in fmt.output
    assert ("areas/oldham/providers/caremark-oldham.yaml: is not in the standard format: line 8 is 'website: not a link'; "
            "the standard form is 'locality: Oldham' (the fields are in another order).") in fmt.output


def test_a_strangers_pull_request_fails_the_ownership_check_naming_the_profile(tmp_path, github, homes):
    payload = pull_request(homes, tmp_path, 6, "stranger", fewer_beds)
    run = Harness(tmp_path, homes, github=github).run("ownership.yml", "pull_request_target", payload,
                                                      sha=payload["pull_request"]["base"]["sha"])
    assert run.result == "failure"
    step = run.jobs["ownership"].step("Check ownership")
    assert step.outcome == "failure"
    assert "providers/example-full.yaml: stranger does not look after this page (those who do: example-manager)" in step.output
    assert "1 change by stranger needs a council steward." in step.output.splitlines()


# --- the FSA weekly refresh: fsa-sync.yml -----------------------------------------------------------

FSA_HOMES = ("aston-house", "ashfield-house-leominister", "aspire-living-1-2-markyes-close")


def fsa_profiles() -> dict[str, str]:
    """Three real Herefordshire homes: one whose rating changes, one never matched, one whose kitchen leaves
    the register (test_fsa_fetch.served)."""
    import re

    from conftest import ROOT

    profiles = {}
    for slug in FSA_HOMES:
        text = (ROOT / "providers" / f"{slug}.yaml").read_text()
        if slug == "ashfield-house-leominister":
            text = re.sub(r"^food_hygiene:\n(  .*\n)*", "", text, flags=re.M)
        profiles[f"{slug}.yaml"] = text
    return profiles


def fsa_homes(tmp_path: Path) -> Path:
    """An origin with fsa_profiles() in providers/."""
    return seed_origin(tmp_path, fsa_profiles())


def test_the_fsa_sync_opens_one_pull_request_a_steward_reads_and_none_when_nothing_changed(tmp_path, github):
    from download_stub import DownloadStub
    from test_fsa_fetch import PATH, served

    origin = fsa_homes(tmp_path)
    with DownloadStub() as fsa:
        fsa.routes[PATH] = (200, {"Content-Type": "application/xml"}, served())
        harness = Harness(tmp_path, origin, github=github, environments={"weekly-sync": kept(SYNC_PR_TOKEN="bot-token")},
                          env={"CAREHOMES_FSA_URL": fsa.url("/api/open-data-files/FHRS{code}en-GB.xml")})
        run = harness.run("fsa-sync.yml", "schedule", {"schedule": "41 5 * * 2"})
        assert run.result == "success", run.log()
        assert fsa.log == [PATH]
        [pr] = github.pulls()
        assert (pr["title"], pr["head"]["ref"], pr["base"]["ref"], pr["state"]) == ("FSA food hygiene refresh", "fsa-sync",
                                                                                    "main", "open")
        assert [lab["name"] for lab in pr["labels"]] == ["stewards"]
        body = pr["body"]
        assert "Ratings changed (1):\n  aston-house.yaml: Aston House: 5 (2020-02-14) -> 4 (2020-11-10)" in body
        assert "Homes newly matched (1):\n  ashfield-house-leominister.yaml: Ashfield House - Leominister: FHRS ID 488967" in body
        assert "Homes that lost a match (1):\n  aspire-living-1-2-markyes-close.yaml: Aspire Living - 1-2 Markyes Close: " \
               "FHRS ID 489341 is no longer its match" in body
        assert "SYNC_PR_TOKEN" not in body, "the sync token was used: no note"
        assert {t for m, p, t, _ in github.log if p.endswith("/pulls") and m == "POST"} == {"bot-token"}
        changed = _show(origin, "fsa-sync", "--format=", "--name-only").split()
        assert sorted(changed) == ["fsa-sync.json", "providers/ashfield-house-leominister.yaml", "providers/aston-house.yaml"]
        assert "  rating: '4'\n  date: 2020-11-10\n" in _show(origin, "fsa-sync", "providers/aston-house.yaml")
        assert _show(origin, "main", "--format=%s").strip() == "base", "nothing reaches main unreviewed"

        merge(github, origin, pr)  # the same file again next week: nothing to propose
        again = harness.run("fsa-sync.yml", "schedule", {})
        assert again.result == "success", again.log()
        assert again.jobs["sync"].step("Open or update the pull request").output.strip() == "No rating changed; no pull request."
        assert len(github.pulls()) == 1 and not github.pulls("open")


# --- publishing: publish.yml, in a fresh clone with no ../shared, Code-Point Open from the loopback OS stub

def publish_origin(tmp_path: Path) -> Path:
    """An origin whose mkdocs.yml has the council's real contacts (build --production refuses examples),
    one postcode area and Code-Point Open's hosts and sizes for the small test zip from the stub."""
    import re

    text = mkdocs_with(**REAL, postcode_areas="[HR]")
    text, n = re.subn(r"^      hosts: .*$", "      hosts: [localhost]\n      min_bytes: 1000", text, flags=re.M)
    assert n == 1
    return seed_origin(tmp_path, {"example-full.yaml": FULL, "example-minimal.yaml": MINIMAL}, extra={"mkdocs.yml": text})


@contextmanager
def publishing(tmp_path: Path, github) -> Iterator[Harness]:
    """A harness on publish_origin's origin, with the OS stub serving the small Code-Point Open zip meanwhile."""
    from download_stub import DownloadStub
    from test_codepoint_fetch import DOWNLOAD, real_zip, serve

    origin = publish_origin(tmp_path)
    with DownloadStub() as os_stub:
        serve(os_stub, real_zip())
        yield Harness(tmp_path, origin, github=github, env={"CAREHOMES_CODEPOINT_URL": os_stub.url(DOWNLOAD)})


def test_publish_in_a_fresh_clone_fetches_code_point_open_and_the_site_finds_hr6_8aa(tmp_path, github):
    import json

    with publishing(tmp_path, github) as harness:
        run = harness.run("publish.yml", "push", {"ref": "refs/heads/main"})
    assert run.result == "success", run.log()
    build = run.jobs["build"]
    assert build.workspace is not None and not (build.workspace.parent / "shared").exists(), "no ../shared on a runner"
    assert build.step("Ask OS for the current Code-Point Open release").outputs == {"release": "2025-10"}
    assert (build.workspace / ".codepoint" / "current" / "Data" / "CSV" / "hr.csv.gz").exists()
    assert run.deployed is not None
    areas = json.loads((run.deployed / "postcodes" / "areas.json").read_text())
    assert areas["missing"] == [] and areas["date"] == "2025-10-17"
    hr6 = json.loads((run.deployed / "postcodes" / "HR" / "HR6-8.json").read_text())
    assert [round(x, 2) for x in hr6["8AA"]] == [52.23, -2.74], "HR6 8AA's position: the site gives distances from it"
    assert (run.deployed / "data" / "care-homes.csv").read_text().count("\n") == 3  # the header and two homes
    assert "Built " in build.step("Build the site").output


def test_publish_checks_again_only_the_profiles_changed_since_the_last_publish(tmp_path, github):
    """The build takes each profile's check and page kept by the last publish on main (actions/cache): the second run
    restores the first's store and adds an entry and a page for the one profile edited between them; a branch's run saves its own, which
    main never restores."""
    import sqlite3
    from contextlib import closing

    def entries(run, table: str = "entries") -> set[str]:
        """The names in ``table`` of the kept stores (checkcache: the checks, the listings and the pages apart)."""
        names: set[str] = set()
        for store in (run.jobs["build"].workspace.parent / "temp" / "carehomes-cache" / "checks").glob("*.sqlite"):
            with closing(sqlite3.connect(store)) as db:
                names |= {name for (name,) in db.execute(f"SELECT name FROM {table}")}
        return names

    with publishing(tmp_path, github) as harness:
        origin = harness.origin
        first = harness.run("publish.yml", "push", {"ref": "refs/heads/main"})
        assert first.result == "success", first.log()
        restore = "Restore the last publish's checks and pages"
        assert first.jobs["build"].step(restore).output.startswith("Cache not found")
        kept, pages = entries(first), entries(first, "pages")
        assert len(kept) == len(pages) == 2
        push_change(origin, tmp_path, "other", lambda w: (w / "providers" / "example-minimal.yaml").unlink(), "other")
        branch = harness.run("publish.yml", "workflow_dispatch", {"inputs": {}}, ref="refs/heads/other")
        assert branch.result == "success", branch.log()
        push_change(origin, tmp_path, "main", lambda w: (w / "providers" / "example-full.yaml").write_text(
            (w / "providers" / "example-full.yaml").read_text(encoding="utf-8").replace("\nname: ", "\nname: Renamed ", 1),
            encoding="utf-8"), "edit")
        began = time.time()
        second = harness.run("publish.yml", "push", {"ref": "refs/heads/main"})
    assert second.result == "success", second.log()
    assert second.jobs["build"].step(restore).output == "Cache restored from key: profile-checks-1001"
    again = entries(second)
    assert kept < again and len(again) == 3  # the edited profile's entry added to the first run's two
    assert pages < entries(second, "pages") and len(entries(second, "pages")) == 3  # and its page
    assert [c.key for c in harness.caches] == ["codepoint-open-2025-10", "profile-checks-1001", "profile-checks-1002",
                                               "profile-checks-1003"]
    # the postcode lookup restored with them, and linked into the site, not made again from Code-Point
    build = second.jobs["build"].workspace
    [kept] = (build.parent / "temp" / "carehomes-cache" / "lookup").iterdir()
    lookup = build / "site" / "postcodes"
    published = [p for p in lookup.rglob("*-*.json") if not p.name.startswith(".")]
    assert published and all((kept / p.relative_to(lookup)).stat().st_ino == p.stat().st_ino for p in published)
    assert all(p.stat().st_mtime < began for p in published)  # the restored copy's (the first run's) files
    # and the feed of changes the first run published, which a build with no site to replace reads for the day each
    # change was first published (saved with the checks, so restored with them)
    first_feed = (first.jobs["build"].workspace / "site" / "data" / "changes.atom").read_bytes()
    saved = next(c for c in harness.caches if c.key == "profile-checks-1001")
    assert saved.paths[2].name == "feed" and saved.copies is not None
    assert [f.read_bytes() for f in (saved.copies / "2").iterdir()] == [first_feed]


def test_publish_without_the_os_stub_fails_with_one_line_saying_what_is_missing(tmp_path, github):
    from download_stub import DownloadStub
    from test_codepoint_fetch import DOWNLOAD

    from carehomes.sources import codepoint

    origin = publish_origin(tmp_path)
    with DownloadStub() as gone:
        url = gone.url(DOWNLOAD)  # a loopback address where nothing answers once the stub has stopped
    run = Harness(tmp_path, origin, github=github, env={"CAREHOMES_CODEPOINT_URL": url}).run(
        "publish.yml", "push", {"ref": "refs/heads/main"})
    assert run.result == "failure"
    build = run.jobs["build"]
    failed = [s for s in build.steps if s.outcome == "failure"]
    assert [s.name for s in failed] == ["Fetch Code-Point Open (unless cached)"], build.log()
    assert build.step("Build the site").outcome == "skipped" and run.jobs["deploy"].result == "skipped"
    assert run.deployed is None
    product = url.split("/downloads?")[0]
    assert failed[0].output == f"{product}: cannot connect (Connection refused); {codepoint.AGAIN}\n"


def test_publish_with_the_area_variable_publishes_that_areas_homes_and_settings(tmp_path, github):
    """The repository variable AREA=oldham: publish checks, fetches OL's and M's postcodes for and builds areas/oldham/ into site/."""
    import json
    import re

    from conftest import ROOT
    from download_stub import DownloadStub
    from test_codepoint_fetch import DOWNLOAD, real_zip, serve
    from test_speed import REAL

    top = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    top, n = re.subn(r"^      hosts: .*$", "      hosts: [localhost]\n      min_bytes: 1000", top, flags=re.M)
    assert n == 1
    area = (ROOT / "areas" / "oldham" / "mkdocs.yml").read_text(encoding="utf-8")
    area = re.sub(r"^    (council|contact_email|contact_phone|placement_email|placement_phone): .*\n", "", area, flags=re.M)
    # the council's real name, contacts and repository
    area += "".join(f"    {key}: {value}\n" for key, value in {**REAL, "council": "Oldham Council"}.items())
    origin = seed_origin(tmp_path, {}, extra={"mkdocs.yml": top, "areas/oldham/mkdocs.yml": area})
    with DownloadStub() as os_stub:
        serve(os_stub, real_zip(areas=("ol", "m")))
        harness = Harness(tmp_path, origin, github=github, variables={"AREA": "oldham"},
                          env={"CAREHOMES_CODEPOINT_URL": os_stub.url(DOWNLOAD)})
        run = harness.run("publish.yml", "push", {"ref": "refs/heads/main"})
    assert run.result == "success", run.log()
    assert run.deployed is not None
    assert "<title>Find care in Oldham - Oldham care directory</title>" in (run.deployed / "index.html").read_text()
    assert (run.deployed / "data" / "care-homes.csv").read_text().count("\n") == 45  # the header and Oldham's 44 care homes
    assert json.loads((run.deployed / "postcodes" / "areas.json").read_text())["missing"] == []
    assert (run.deployed / "postcodes" / "OL" / "OL1-1.json").exists() and (run.deployed / "postcodes" / "M" / "M35-0.json").exists()
    assert (run.deployed / "data" / "home-care-agencies.csv").read_text().count("\n") == 63  # and its 62 agencies (2 both)
    assert "Built site with mkdocs: 104 services (44 care homes and 62 home care agencies; 2 are both)" in run.jobs["build"].step("Build the site").output


# --- the area setting (docs/areas.md): each workflow run once with the repository variable AREA=oldham ----

def oldham_with(profiles: dict[str, str], fsa: str | None = None) -> dict[str, str]:
    """seed_origin's extra files: the given profiles in areas/oldham/providers/ (and Oldham's settings with
    these FSA codes)."""
    import re

    from conftest import ROOT

    extra = {f"areas/oldham/providers/{name}": text for name, text in profiles.items()}
    if fsa is not None:
        area = (ROOT / "areas" / "oldham" / "mkdocs.yml").read_text(encoding="utf-8")
        extra["areas/oldham/mkdocs.yml"] = re.sub(r"^    fsa_authorities: .*$", f"    fsa_authorities: {fsa}", area, flags=re.M)
    return extra


def test_an_areas_form_update_is_committed_to_that_areas_profile(tmp_path, github):
    origin = seed_origin(tmp_path, {"example-minimal.yaml": MINIMAL}, extra=oldham_with({"example-full.yaml": FULL}))
    payload = form_issue(github, "example-manager", VACANCIES, "Update vacancies: Example Full House (fictional)")
    run = Harness(tmp_path, origin, github=github, variables={"AREA": "oldham"}).run("provider-update.yml", "issues", payload)
    assert run.result == "success", run.log()
    assert _show(origin, "main", "--format=", "--name-only").split() == ["areas/oldham/providers/example-full.yaml"]
    assert "    available: 1\n" in _show(origin, "main", "areas/oldham/providers/example-full.yaml")
    assert github.dispatches == [{"workflow": "publish.yml", "ref": "main"}]
    assert github.issues[payload["issue"]["number"]]["state"] == "closed"


def test_an_areas_maintainer_passes_the_ownership_check_for_that_areas_profile(tmp_path, github):
    origin = seed_origin(tmp_path, {}, extra=oldham_with({"example-full.yaml": FULL}))
    payload = pull_request(origin, tmp_path, 7, "example-manager", lambda w: _edit(
        w / "areas" / "oldham" / "providers" / "example-full.yaml", "    available: 2\n", "    available: 1\n"))
    run = Harness(tmp_path, origin, github=github, variables={"AREA": "oldham"}).run(
        "ownership.yml", "pull_request_target", payload, sha=payload["pull_request"]["base"]["sha"])
    assert run.result == "success", run.log()
    assert run.jobs["ownership"].step("Check ownership").output.strip().endswith(
        f"example-manager may make every change since {payload['pull_request']['base']['sha']}.")


def test_the_freshness_issue_of_an_area_lists_that_areas_homes(tmp_path, github):
    origin = seed_origin(tmp_path, {"example-minimal.yaml": MINIMAL})
    run = Harness(tmp_path, origin, github=github, variables={"AREA": "oldham"}).run("freshness.yml", "schedule", {})
    assert run.result == "success", run.log()
    issue = freshness_issue(github)
    # the 9 services CQC records as dormant (Bluebird Care Oldham among them) are named as not asked, not listed
    assert issue["title"] == "Vacancies and availability to confirm: 44 homes and 53 agencies never given"
    assert "| Abbey Hey Care Home | never |" in issue["body"] and "| Bluebird Care Oldham | never |" not in issue["body"]
    assert "Not asked: 9 services CQC records as dormant (registered, providing no care at the moment): 54 Taylor" in issue["body"]
    assert "Example Minimal" not in issue["body"], "the top level's homes are not this area's"


def test_the_fsa_sync_of_an_area_changes_only_that_areas_folder(tmp_path, github):
    from download_stub import DownloadStub
    from test_fsa_fetch import PATH, served

    origin = seed_origin(tmp_path, {}, extra=oldham_with(fsa_profiles(), fsa="[895]"))
    with DownloadStub() as fsa:
        fsa.routes[PATH] = (200, {"Content-Type": "application/xml"}, served())
        harness = Harness(tmp_path, origin, github=github, secrets={"SYNC_PR_TOKEN": "bot-token"}, variables={"AREA": "oldham"},
                          env={"CAREHOMES_FSA_URL": fsa.url("/api/open-data-files/FHRS{code}en-GB.xml")})
        run = harness.run("fsa-sync.yml", "schedule", {"schedule": "41 5 * * 2"})
    assert run.result == "success", run.log()
    [pr] = github.pulls()
    assert "Ratings changed (1):\n  aston-house.yaml: Aston House: 5 (2020-02-14) -> 4 (2020-11-10)" in pr["body"]
    changed = _show(origin, "fsa-sync", "--format=", "--name-only").split()
    assert sorted(changed) == ["areas/oldham/fsa-sync.json", "areas/oldham/providers/ashfield-house-leominister.yaml",
                               "areas/oldham/providers/aston-house.yaml"]
