"""A manager claims their home: the "Claim this home" form, the reply naming the number a steward rings,
and the approval label honoured only from a steward (build.py claim, in-process)."""
from __future__ import annotations

import json
import shutil

import pytest
import yaml

from carehomes import forms
from carehomes.claims import bound_home, check_claim, register_phone
from conftest import FIXTURES, ROOT, git, run_build

TEMPLATES = ROOT / ".github" / "ISSUE_TEMPLATE"
ANSWERS = {"The home you manage": "aston-house", "Your name": "Sam Manager", "Your role": "Registered manager",
           "Your work email": "sam@aston.example.org"}


@pytest.fixture
def repo(tmp_path):
    """Two real profiles (aston-house with the CQC register's number, eastbank with none), a fictional home
    with a maintainer and its own number, and a steward."""
    r = tmp_path / "repo"
    (r / "providers").mkdir(parents=True)
    for slug in ("aston-house", "eastbank"):
        shutil.copy(ROOT / "providers" / f"{slug}.yaml", r / "providers")
    aston = r / "providers" / "aston-house.yaml"
    aston.write_text(aston.read_text().replace("cqc:\n", "cqc:\n  phone: 01432 111222\n", 1))
    shutil.copy(FIXTURES / "profiles" / "example-full.yaml", r / "providers")  # maintainers: example-manager
    (r / "stewards.yaml").write_text("stewards:\n  - Council-Steward\n")
    shutil.copy(ROOT / "mkdocs.yml", r)
    git(r, "init", "-q", "-b", "main")
    git(r, "add", "-A")
    git(r, "commit", "-qm", "base")
    return r


def body(**change: str) -> str:
    """An issue body as GitHub writes it from the claim form."""
    answers = {**ANSWERS, **change}
    return "".join(f"### {k}\n\n{v or '_No response_'}\n\n" for k, v in answers.items()).rstrip("\n")


def test_the_claim_form_is_generated_with_the_home_and_who_the_manager_is():
    site_url = forms.settings_for_blocks(ROOT / "mkdocs.yml")["site_url"]
    assert (TEMPLATES / forms.CLAIM).read_text() == forms.form_text(forms.CLAIM, site_url=site_url), "run: python3 build.py docs"
    form = yaml.safe_load((TEMPLATES / forms.CLAIM).read_text())
    # a manager without a GitHub account is sent to the site's For providers page by a link, when the site has an address
    assert form["body"][0]["attributes"]["value"].endswith(
        f'No GitHub account? Email or phone the council instead (see the ["For providers" page]({site_url.rstrip("/")}'
        '/for-providers/)).')
    for unusable in ("", "  ", "javascript:alert(1)", "https://x.org/a) [b](https://y.org", "https://x.org/\"a", "https:///nohost"):
        assert forms.claim_form(None, forms.CLAIM, unusable)["body"][0]["attributes"]["value"].endswith(
            'No GitHub account? Email or phone the council instead (see the "For providers" page).')
    assert form["name"] == "Claim this home" and form["labels"] == ["claim"] and form["title"] == "Claim: "
    inputs = [b for b in form["body"] if b["type"] == "input"]
    assert [b["id"] for b in inputs] == ["home", "claimant_name", "claimant_role", "claimant_email"]  # no phone: public, unused
    assert [b["attributes"]["label"] for b in inputs] == list(ANSWERS)
    assert all(b["validations"]["required"] for b in inputs)
    assert form["body"][0]["attributes"]["value"].split("\n\n")[0].endswith(  # a steward still checks details
        "After that, the **Update vacancies** form changes your page within a few minutes, without waiting for the "
        "council. The council checks what you send with **Update this home's details** before it goes on the site.")
    assert inputs[3]["attributes"]["placeholder"] == "enquiries@example.org"  # the schema's example for contact.email
    assert "### Your home's page name" not in body(), "the provider-update workflow must not pick a claim up"
    url = forms.form_url("https://github.com/council/homes", forms.CLAIM, "aston-house", "Aston House")
    assert url == "https://github.com/council/homes/issues/new?template=claim-home.yml&home=aston-house&title=Claim%3A%20Aston%20House"


def test_a_new_claim_is_answered_with_the_register_number_for_the_steward(repo):
    res = check_claim(body(), "sam-manager", repo, 7)
    assert res.status == "waiting" and res.phone == "01432 111222"
    assert res.comment() == (
        "<!-- claim for: aston-house -->\n"  # binds the claim to the home the steward is asked to ring (bound_home)
        "Thank you, Sam Manager. Someone from the council will ring the home to check that you work there. We say "
        "here when they have.\n\n**For the council steward:** ring **Aston House** on **01432 111222**, the CQC register's "
        "number for the home, not a number given in this issue, and ask for Sam Manager (Registered manager). If they "
        "confirm it, add the label `claim-approved` to this issue: the automation then opens a pull request adding "
        "sam-manager as a maintainer of Aston House.\n")
    assert "07700" not in res.comment(), "never the number typed in the claim"
    assert (repo / "providers" / "aston-house.yaml").read_text().count("maintainers") == 0, "nothing written yet"


def test_the_number_comes_from_the_register_else_the_homes_page_else_the_councils_records(repo):
    assert register_phone({"cqc": {"phone": "01432 1"}, "contact": {"phone": "01432 2"}}) == ("01432 1", "the CQC register's number for the home")
    assert register_phone({"contact": {"phone": "01432 2"}}) == ("01432 2", "the number on the home's page (the CQC register gives none)")
    res = check_claim(body(**{"The home you manage": "eastbank"}), "sam-manager", repo, 7)
    assert res.status == "waiting" and res.phone is None
    assert ("neither the CQC register nor the home's page gives a phone number for **Eastbank**: find the home's number "
            "in the council's own records (not a number given in this issue)") in res.comment()


def test_hostile_answers_are_quoted_in_the_reply(repo):
    res = check_claim(body(**{"Your name": "@everyone see https://evil.example/x #1", "Your role": "**boss**"}), "sam-manager", repo, 7)
    assert res.status == "waiting"
    text = res.comment()
    assert "@everyone" not in text and "https://" not in text and "**boss**" not in text


def test_a_role_with_a_hidden_character_is_refused_as_the_name_is(repo):
    """The role is free text, so it was never checked: 'Manager' with U+202E reached the steward's instruction,
    where it turns the words after it around."""
    res = check_claim(body(**{"Your role": "Manager\u202e (do not ring)"}), "sam-manager", repo, 7)
    assert (res.status, res.errors) == ("invalid", [
        "Your role: contains the invisible character U+202E RIGHT-TO-LEFT OVERRIDE; retype the text without it: "
        "'Manager\\u202e (do not ring)'"])


def test_unknown_homes_second_claims_and_bad_answers_get_a_clear_reply(repo):
    res = check_claim(body(**{"The home you manage": "no-such-home"}), "sam-manager", repo, 7)
    assert res.status == "invalid"
    assert res.comment() == ("This claim cannot go ahead yet.\n\n- The home you manage: 'no-such-home' is not a home in the "
                             "directory; use the \"Claim it\" link on your home's page, which fills it in, or give your CQC "
                             "location ID\n")
    second = check_claim(body(**{"The home you manage": "example-full"}), "sam-manager", repo, 8)
    assert second.status == "invalid" and second.errors[0].startswith(
        "The page for Example Full House (fictional) is already looked after by example-manager, so it cannot be claimed again here. "
        "If you now manage it, ask ")
    assert second.comment().endswith("ask Herefordshire Council \\(example\\) to change "
                                     "who looks after its page\n"), "the council's address as it is, not with a full-width ＠"
    own = check_claim(body(**{"The home you manage": "example-full"}), "Example-Manager", repo, 9)
    assert own.errors == ["Example-Manager already looks after the page for Example Full House (fictional): use the Update "
                          "vacancies and Update this home's details links on its page"]
    bad = check_claim(body(**{"Your work email": "sam at aston", "Your role": ""}), "sam-manager", repo, 10)
    assert bad.errors == ["Your role: is empty; edit this request and fill it in",
                          "Your work email: 'sam at aston' is not an email address; write it like enquiries@example.org"]
    # a claim opened with the form that asked for a phone number is read as before: its number neither needed nor kept
    before = check_claim(body() + "\n\n### Your phone number\n\n07700 900123", "sam-manager", repo, 11)
    assert before.errors == [] and "07700" not in repr(before.claimant) and before.claimant["Your work email"] == ANSWERS["Your work email"]
    assert check_claim("just words", "sam-manager", repo).errors == [
        "This request was not made with the form 'Claim this home' or 'Claim this agency'; open the form with the \"Claim it\" "
        "link on your page in the directory"]


def test_a_stewards_label_adds_the_author_as_maintainer_and_a_strangers_changes_nothing(repo):
    aston = repo / "providers" / "aston-house.yaml"
    before = aston.read_text()
    refused = check_claim(body(), "sam-manager", repo, 7, approver="sam-manager")
    assert refused.status == "refused" and aston.read_text() == before
    assert refused.comment() == ("The label `claim-approved` was added by sam-manager, who is not a council steward "
                                 "(stewards.yaml), so nothing was changed. Only a steward approves a claim, after ringing the home.\n")
    done = check_claim(body(), "sam-manager", repo, 7, approver="council-steward")
    assert done.status == "approved" and done.branch == "claim/issue-7"
    assert done.comment() == ("Someone from the council has confirmed that you work at **Aston House**. The council now "
                              "lets your GitHub account (sam-manager) update the home's page. When it has, this request is "
                              "closed. From then on, the **Update vacancies** form on the home's page changes it within a "
                              "few minutes. The council checks what you send with **Update this home's details** before it "
                              "goes on the site.\n")
    assert done.commit_message == "Add sam-manager as maintainer of aston-house (claim, issue #7)"
    after = aston.read_text()
    assert after.startswith(before.rstrip("\n")) and after.endswith("maintainers:\n- sam-manager\n")
    assert run_build("check", str(aston)).returncode == 0


def test_a_claim_stays_for_the_home_its_first_reply_asked_a_steward_to_ring(repo, tmp_path):
    """The workflow's first reply asking a steward to ring a home binds the claim to it: an edit naming another home
    is told to open a new claim, and a steward's label then changes nothing, for either home."""
    aston, eastbank = (repo / "providers" / f"{s}.yaml" for s in ("aston-house", "eastbank"))
    before = aston.read_text(), eastbank.read_text()
    first = check_claim(body(), "sam-manager", repo, 7, replies=[]).comment()
    assert bound_home(["This claim cannot go ahead yet.", first, "<!-- claim for: eastbank -->\n..."]) == "aston-house"
    assert bound_home(["Thank you. <!-- claim for: eastbank -->\n", "x\n<!-- claim for: eastbank -->\n"]) is None  # only at the start
    moved = check_claim(body(**{"The home you manage": "eastbank"}), "sam-manager", repo, 7, replies=[first])
    assert (moved.status, moved.bound, moved.home) == ("moved", "aston-house", "eastbank")
    assert moved.comment() == (
        "This claim was opened for **Aston House**, and a claim stays for the home it was opened for, so it cannot be "
        "changed to **Eastbank**. To claim **Eastbank**, open a new claim with the \"Claim it\" link on its page; to go on "
        "with this claim for **Aston House**, edit this request back to name it.\n")
    assert bound_home([moved.comment()]) is None  # it asks nobody to ring Eastbank
    label = check_claim(body(**{"The home you manage": "eastbank"}), "sam-manager", repo, 7, "council-steward", replies=[first])
    assert label.status == "moved" and label.comment() == (
        "The label `claim-approved` was added, but nothing was changed: this claim was opened for **Aston House**, and a "
        "claim stays for the home it was opened for, so it cannot be changed to **Eastbank**, and an approval is only for "
        "the home a steward was asked to ring. To claim **Eastbank**, open a new claim with the \"Claim it\" link on its "
        "page; to go on with this claim for **Aston House**, edit this request back to name it; once a steward has confirmed "
        "it with **Aston House**, they remove the label and add it again.\n")
    assert (aston.read_text(), eastbank.read_text()) == before
    # the same home, named another way and with the role corrected, goes ahead
    same = check_claim(body(**{"The home you manage": "Aston House", "Your role": "Deputy manager"}), "sam-manager", repo, 7,
                       "council-steward", replies=[first, moved.comment()])
    assert same.status == "approved" and aston.read_text().endswith("maintainers:\n- sam-manager\n")


def test_an_approval_of_a_claim_no_reply_has_bound_changes_nothing_and_names_the_number(repo):
    """A label on a claim with no reply naming the home to ring (one answered before replies were marked) grants
    nothing; its reply is the one that binds it, so the steward rings that number and labels it again."""
    aston = repo / "providers" / "aston-house.yaml"
    before = aston.read_text()
    res = check_claim(body(), "sam-manager", repo, 7, "council-steward", replies=["Thank you, Sam Manager. (an old reply)"])
    assert res.status == "unbound" and aston.read_text() == before
    reply = res.comment()
    assert reply.startswith(
        "<!-- claim for: aston-house -->\nThe label `claim-approved` was added, but nothing was changed: no earlier reply on "
        "this issue named the home a steward was to ring, so the approval cannot be matched to one. This reply does: if the "
        "home confirms, remove the label and add it again.\n\nThank you, Sam Manager.")
    assert "ring **Aston House** on **01432 111222**" in reply and bound_home([reply]) == "aston-house"
    assert check_claim(body(), "sam-manager", repo, 7, "stranger", replies=[]).status == "refused"  # a stranger's label, as ever
    assert check_claim(body(), "sam-manager", repo, 7, "council-steward", replies=[reply]).status == "approved"


def test_claim_replies_file_is_read_or_refused_in_one_line(repo, tmp_path, capsys):
    from carehomes.cli import main

    f, replies = tmp_path / "body.md", tmp_path / "replies.json"
    f.write_text(body(**{"The home you manage": "eastbank"}))
    replies.write_text(json.dumps([{"body": "<!-- claim for: aston-house -->\nThank you."}]))
    args = ["claim", "--body", str(f), "--author", "sam-manager", "--repo", str(repo), "--issue", "7", "--replies", str(replies)]
    assert main([*args, "--approved-by", "council-steward"]) == 1
    assert capsys.readouterr().out.startswith("The label `claim-approved` was added, but nothing was changed: this claim "
                                              "was opened for **Aston House**")
    assert "maintainers" not in (repo / "providers" / "eastbank.yaml").read_text()
    for wrong in ('{"body": "x"}', '[{"body": 5}]', '["x"]', "not json", "[" * 100_000 + "]" * 100_000):  # nested: no traceback
        replies.write_text(wrong)
        assert main(args) == 2
        assert capsys.readouterr().err == (f"--replies {replies}: is not a JSON list of comments with a body; write it with: "
                                           "python3 build.py github comments ISSUE --by 'github-actions[bot]'\n")


def test_claim_command_writes_the_reply_and_json(repo, tmp_path):
    f = tmp_path / "body.md"
    f.write_text(body())
    out = tmp_path / "result.json"
    r = run_build("claim", "--body", str(f), "--author", "sam-manager", "--repo", str(repo), "--issue", "7", "--result", str(out))
    assert r.returncode == 0, r.stderr
    result = json.loads(out.read_text())
    assert result["status"] == "waiting" and result["comment"] == r.stdout and result["phone"] == "01432 111222"
    r = run_build("claim", "--body", str(f), "--author", "sam-manager", "--repo", str(repo), "--issue", "7",
                  "--approved-by", "stranger", "--result", str(out))
    assert r.returncode == 1 and json.loads(out.read_text())["status"] == "refused" and "Traceback" not in r.stderr
    r = run_build("claim", "--body", str(tmp_path / "missing.md"), "--author", "x", "--repo", str(repo))
    assert r.returncode == 2 and r.stderr.strip().endswith("missing.md: cannot be read (No such file or directory)")


def test_a_second_claim_of_a_home_names_the_pending_one_and_the_first_goes_ahead(repo, tmp_path, capsys, monkeypatch):
    from carehomes.cli import main

    others = [(3, body(**{"The home you manage": "eastbank"})), (4, body(**{"The home you manage": "nowhere"})), (5, body(**{"The home you manage": "https://example.org/homes/aston-house/"})), (9, body())]
    res = check_claim(body(), "jo-deputy", repo, 7, open_claims=[*others, (7, body())])
    assert res.status == "invalid" and res.errors == [
        "A claim for Aston House is already waiting in request #5: someone from the council is checking it. Comment on #5 "
        "instead of claiming the home a second time; this request can be closed"]
    assert check_claim(body(), "sam-manager", repo, 5, open_claims=others).status == "waiting"  # the first claim is #5
    assert check_claim(body(), "sam-manager", repo, 7, "Council-Steward", open_claims=others).status == "invalid"  # never approved
    assert "maintainers" not in yaml.safe_load((repo / "providers" / "aston-house.yaml").read_text())
    f, claims = tmp_path / "body.md", tmp_path / "open.json"
    f.write_text(body())
    claims.write_text(json.dumps([{"number": n, "body": b} for n, b in others]))
    args = ["claim", "--body", str(f), "--author", "jo-deputy", "--repo", str(repo), "--issue", "7"]
    assert main([*args, "--open-claims", str(claims)]) == 1
    assert "already waiting in request #5" in capsys.readouterr().out
    for wrong in ('{"number": 5}', '[{"number": true, "body": ""}]', '[{"number": "5"}]', '[{"number": 5, "body": {}}]', '[5]',
                  "[" * 100_000 + "]" * 100_000):  # nested thousands deep: the same line, not a RecursionError's traceback
        claims.write_text(wrong)
        assert main([*args, "--open-claims", str(claims)]) == 2
        assert capsys.readouterr().err == (f"--open-claims {claims}: is not a JSON list of issues with a number and a body; "
                                           "write it with: python3 build.py github issues --label claim\n")
    monkeypatch.setattr("carehomes.cli.MAX_OPEN_CLAIMS", 10)  # a list read no further than its limit is refused whole
    claims.write_text(json.dumps([{"number": 1, "body": "x"}]))
    assert main([*args, "--open-claims", str(claims)]) == 2
    assert capsys.readouterr().err == (f"--open-claims {claims}: is more than 10 bytes, more than the open claims GitHub "
                                       "lists; write it with: python3 build.py github issues --label claim\n")
    assert main(["claim", "--body", "/dev/zero", "--author", "jo-deputy", "--repo", str(repo), "--issue", "7"]) == 2
    assert capsys.readouterr().err == ("/dev/zero: is not a regular file (a device, pipe or folder); give the file "
                                       "holding the issue's body\n")


def test_an_areas_claim_is_checked_and_approved_in_that_areas_profiles(repo, tmp_path):
    """claim.yml passes the repository variable AREA: the claimed home is areas/NAME/providers/<slug>.yaml."""
    area = repo / "areas" / "east"
    (area / "providers").mkdir(parents=True)
    (area / "mkdocs.yml").write_text("INHERIT: ../../mkdocs.yml\n")
    (repo / "providers" / "aston-house.yaml").rename(area / "providers" / "aston-house.yaml")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the east area")
    f, out = tmp_path / "body.md", tmp_path / "result.json"
    f.write_text(body())
    claim = ["claim", "--body", str(f), "--author", "sam-manager", "--repo", str(repo), "--issue", "7", "--result", str(out)]
    assert run_build(*claim).returncode == 1
    assert json.loads(out.read_text())["errors"][-1].startswith("The home you manage: 'aston-house' is not a home in the directory")
    r = run_build(*claim, "--area", "east", "--approved-by", "council-steward")
    assert r.returncode == 0, r.stderr
    assert r.stderr == "areas/east/providers/aston-house.yaml: sam-manager added as a maintainer; open a pull request for a steward\n"
    assert (area / "providers" / "aston-house.yaml").read_text().endswith("maintainers:\n- sam-manager\n")


@pytest.mark.parametrize("where", ["a folder", "under a file"])
def test_an_approved_claim_whose_result_cannot_be_written_changes_nothing(repo, tmp_path, where):
    """--result is looked at first: a profile changed with no result for the workflow would never be committed, and
    the next run would find nothing to do."""
    aston = repo / "providers" / "aston-house.yaml"
    before = aston.read_text()
    f = tmp_path / "body.md"
    f.write_text(body())
    out = tmp_path / "results" if where == "a folder" else tmp_path / "body.md" / "result.json"
    if where == "a folder":
        out.mkdir()
    r = run_build("claim", "--body", str(f), "--author", "sam-manager", "--repo", str(repo), "--issue", "7",
                  "--approved-by", "council-steward", "--result", str(out))
    why = "it is a folder" if where == "a folder" else f"{f} is a file, not a folder"
    assert (r.returncode, r.stdout, r.stderr) == (2, "", f"{out}: cannot be written ({why}); nothing was changed\n")
    assert aston.read_text() == before


def test_a_claim_approved_on_a_full_disk_tells_the_claimant_there_is_nothing_for_them_to_do(repo, monkeypatch):
    """Its reply said "This claim cannot go ahead yet" with the runner's own words for a full disk; the run succeeded."""
    import errno
    import os

    from carehomes import fsutil

    aston = repo / "providers" / "aston-house.yaml"
    before = aston.read_text()

    def full(texts, written):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(fsutil, "_write_beside_then_replace", full)
    done = check_claim(body(), "sam-manager", repo, 7, approver="council-steward")
    assert done.status == "failed" and aston.read_text() == before
    assert done.errors[0].endswith("the disk is full (no space left on it). Free some space on the disk that holds "
                                   f"{aston.parent}, or give --repo a folder on another disk, and run the command again")
    assert done.comment().startswith("This claim was confirmed, but not completed, because of a problem on our side: "
                                     "the directory could not save it. You do not need to do anything: someone from the "
                                     "council will put it right.")
    assert "disk" not in done.comment()


def test_a_home_cqc_has_deregistered_cannot_be_claimed(repo):
    """Its page is kept marked closed: nobody is asked to ring it."""
    aston = repo / "providers" / "aston-house.yaml"
    aston.write_text(aston.read_text().replace("cqc:\n", "cqc:\n  status: Deregistered\n  status_date: 2026-10-01\n", 1)
                     .replace("  status: Registered\n", "", 1))
    res = check_claim(body(), "sam-manager", repo, 7)
    assert res.status != "waiting" and res.errors == [
        "CQC's register says Aston House was deregistered on 1 October 2026, so its page is kept marked closed and takes "
        "no updates or claims; if it is still open, ask CQC to correct its register, or tell Herefordshire Council (example)"]
    assert "ring" not in res.comment()


def test_a_closed_home_with_a_long_name_keeps_whom_to_tell_in_the_claim_reply(repo):
    """A name may be 200 characters; the reply cut each reason at 400, and the closed home's lost the council's
    contacts, the one thing the claimant can do. Markup in the name stays escaped."""
    aston = repo / "providers" / "aston-house.yaml"
    name = "Aston House *" + "A" * 180 + " <b>"
    aston.write_text(aston.read_text().replace("name: Aston House\n", f"name: '{name}'\n", 1)
                     .replace("cqc:\n", "cqc:\n  status: Deregistered\n  status_date: 2026-10-01\n", 1)
                     .replace("  status: Registered\n", "", 1))
    res = check_claim(body(), "sam-manager", repo, 7)
    line = next(x for x in res.comment().splitlines() if "deregistered" in x)
    assert line.startswith("- CQC's register says Aston House \\*AAA") and "&lt;b&gt;" in line
    assert line.endswith("or tell Herefordshire Council \\(example\\)")


def test_a_claim_naming_no_page_says_the_other_answers_problems_at_once(repo):
    """From the provider review: a claim with a wrong page name was told only that; its empty role and bad email came
    only with the next try."""
    res = check_claim(body(**{"The home you manage": "nowhere-home", "Your role": "", "Your work email": "sam.example.org"}),
                      "sam-manager", repo, 7)
    assert [e.split(":")[0] for e in res.errors] == ["The home you manage", "Your role", "Your work email"]
    assert res.errors[1] == "Your role: is empty; edit this request and fill it in"
