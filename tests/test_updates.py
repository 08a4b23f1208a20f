"""apply-update and vacancies --from-csv, end to end through build.py on copies of real profiles."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pytest
import yaml

from carehomes.cli import main
from carehomes.updates import UNITS_TYPED, parse_body
from conftest import git
from conftest import FIXTURES, ROOT, run_build
from helpers import ctrl_c_on_first_write

ON = "2026-11-30"
REAL = ["aston-house", "blackwells", "bowley-court", "cedar-lodge", "dulas-court", "eastbank", "lyndale",
        "mill-house", "moor-court", "market-lodge"]




@pytest.fixture
def repo(tmp_path):
    """A repository holding ten real profiles (aston-house given a made-up maintainer) and a fictional one."""
    r = tmp_path / "repo"
    (r / "providers").mkdir(parents=True)
    for slug in REAL:
        shutil.copy(ROOT / "providers" / f"{slug}.yaml", r / "providers")
    aston = r / "providers" / "aston-house.yaml"
    aston.write_text(aston.read_text().replace("beds:\n", "beds:  # the manager's own note\n") + "maintainers:\n- aston-manager\n")
    shutil.copy(FIXTURES / "profiles" / "example-full.yaml", r / "providers")  # maintainers: example-manager
    (r / "stewards.yaml").write_text((ROOT / "stewards.yaml").read_text().replace("example-council-steward", "Council-Steward"))
    shutil.copy(ROOT / "mkdocs.yml", r)
    git(r, "init", "-q", "-b", "main")
    git(r, "add", "-A")
    git(r, "commit", "-qm", "base")
    return r


def body(answers: dict[str, str], home: str = "aston-house") -> str:
    """An issue body as GitHub writes it from the vacancies form."""
    order = {"Your home's page name": home, "Beds with nursing free now": "_No response_",
             "Beds without nursing free now": "_No response_", "Availability confirmed on": "_No response_"}
    order.update(answers)
    return "".join(f"### {k}\n\n{v}\n\n" for k, v in order.items()).rstrip("\n")


def apply(repo, text: str, author: str, *extra: str):
    f = repo.parent / "body.md"
    f.write_text(text)
    result = repo.parent / "result.json"
    result.unlink(missing_ok=True)
    r = run_build("apply-update", "--body", str(f), "--author", author, "--repo", str(repo), "--issue", "12",
                  "--on", ON, "--result", str(result), *extra)
    return r, (json.loads(result.read_text()) if result.exists() else None)


def test_maintainer_vacancy_update_changes_only_vacancies_and_date_keeping_comments(repo):
    aston = repo / "providers" / "aston-house.yaml"
    before = aston.read_text()
    issue = (FIXTURES / "issue-forms" / "update-vacancies.md").read_text()  # as GitHub writes the form's answers
    assert issue == body({"Beds without nursing free now": "2"})
    r, res = apply(repo, issue, "Aston-Manager")
    assert r.returncode == 0, r.stdout + r.stderr
    after = aston.read_text()
    assert after == before.replace("  registered: 16\n", "  registered: 16\n  residential:\n    available: 2\n  confirmed: 2026-11-30\n")
    assert "beds:  # the manager's own note\n" in after and after.startswith("# Aston House\n")
    assert git(repo, "status", "--porcelain") == " M providers/aston-house.yaml\n", "only that profile changed"
    assert res["status"] == "applied" and res["mode"] == "commit" and res["home"] == "aston-house"
    assert [(c["field"], c["before"], c["after"]) for c in res["changed"]] == [
        ("beds.residential.available", None, 2), ("beds.confirmed", None, "2026-11-30")]
    assert res["commit_message"] == "Update vacancies for aston-house (issue #12)"
    assert r.stdout.startswith("Thank you. The page for **Aston House** now says:")
    assert run_build("check", str(repo / "providers")).returncode == 0
    # the same issue again (a re-run, or an edit that changes nothing): nothing changes
    r, res = apply(repo, body({"Beds without nursing free now": "2"}), "aston-manager")
    assert r.returncode == 0 and res["status"] == "unchanged" and res["changed"] == []
    assert aston.read_text() == after


def test_a_stranger_is_refused_and_nothing_changes(repo):
    before = (repo / "providers" / "aston-house.yaml").read_text()
    r, res = apply(repo, body({"Beds without nursing free now": "2"}), "someone-else")
    assert r.returncode == 1
    assert res["status"] == "refused" and res["errors"] == [
        "someone-else cannot update the page for Aston House: only the GitHub accounts that look after it can "
        "(aston-manager). If you work at this home, ask Herefordshire Council (example) to add your username, or send them the update"]
    assert r.stdout.splitlines()[2] == (  # the council's address as it is: a full-width ＠ is no address to write to
        "- someone-else cannot update the page for Aston House: only the GitHub accounts that look after it can "
        "\\(aston-manager\\). If you work at this home, ask "
        "Herefordshire Council \\(example\\) to add your username, or send them the update")
    assert (repo / "providers" / "aston-house.yaml").read_text() == before
    r, res = apply(repo, body({"Beds with nursing free now": "1"}, home="blackwells"), "aston-manager")
    assert res["status"] == "refused" and res["errors"] == [  # unclaimed: claim it first, which the form cannot do
        "aston-manager cannot update the page for Blackwells: nobody has claimed it yet. If you work at this home, claim "
        "it first with the \"Claim it\" link at the bottom of its page (someone from the council rings the home to check), then "
        "send this form again; or send the update to Herefordshire Council (example)"]
    # the reply says it whole: it was cut at 300 characters, before the council's address and phone
    assert r.stdout.splitlines()[2].endswith("or send the update to Herefordshire Council \\(example\\)"), r.stdout


def test_a_stranger_on_a_page_nobody_has_claimed_is_given_the_pages_claim_form(repo):
    """From the forms review: someone sending a form for a page nobody has claimed was told to use "the "Claim it" link at
    the bottom of its page", with no link to it (CONTRIBUTING.md's route is the claim form). Now the reply links the
    page's own claim form, built as the page builds its "Claim it" link (the agency's form for an agency), and says it
    in words only while the repository is the example. A page already looked after takes no claim (claim refuses
    it), so its reply still names the council."""
    from carehomes.views import HomeView

    settings = repo / "mkdocs.yml"
    settings.write_text(settings.read_text().replace("https://github.com/example-council/care-homes",
                                                     "https://github.com/herefordshire-council/care-homes"))
    r, res = apply(repo, body({"Beds with nursing free now": "1"}, home="blackwells"), "aston-manager")
    link = ("https://github.com/herefordshire-council/care-homes/issues/new?template=claim-home.yml&home=blackwells"
            "&title=Claim%3A%20Blackwells")
    assert res["status"] == "refused" and res["errors"] == [
        f"aston-manager cannot update the page for Blackwells: nobody has claimed it yet. If you work at this home, claim it "
        f"first with its claim form, {link} (the \"Claim it\" link at the bottom of its page opens it too; someone from "
        "the council rings the home to check), then send this form again; or send the update to Herefordshire Council "
        "(example)"]
    assert r.stdout.splitlines()[2] == (
        f"- aston-manager cannot update the page for Blackwells: nobody has claimed it yet. If you work at this home, claim "
        f"it first with its claim form, <{link}> \\(the \"Claim it\" link at the bottom of its page opens it too; someone "
        "from the council rings the home to check\\), then send this form again; or send the update to Herefordshire "
        "Council \\(example\\)")
    data = yaml.safe_load((repo / "providers" / "blackwells.yaml").read_text())
    page = HomeView(data, dt.date(2026, 11, 30), repo_edit="https://github.com/herefordshire-council/care-homes/edit/main/")
    assert page.form_url(page.kind_words["claim_form"]) == link  # the page's own "Claim it"
    r, res = apply(repo, body({"Beds without nursing free now": "2"}), "someone-else")
    assert res["errors"][0].endswith("ask Herefordshire Council (example) to add your username, or send them the update")


def test_a_bad_value_gets_the_exact_error_for_that_form_field(repo):
    before = (repo / "providers" / "aston-house.yaml").read_text()
    r, res = apply(repo, body({"Beds without nursing free now": "two"}), "aston-manager")
    assert r.returncode == 1 and res["status"] == "invalid"
    two = "Beds without nursing free now: must be a whole number in figures, such as 3 or 0 for none, not 'two'"
    assert res["errors"] == [two]
    assert r.stdout.splitlines()[:3] == ["This update was not made.", "", f"- {two}"]
    # CONTRIBUTING.md shows managers this reply ("If the reply says something is wrong"): it is the one they get
    quoted = re.findall(r"^> (.+)$", (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"), re.M)
    assert quoted == ["Beds with nursing free now: must be a whole number in figures, such as 3 or 0 for none, not 'two'"]
    assert apply(repo, body({"Beds with nursing free now": "two"}), "aston-manager")[1]["errors"] == quoted
    r, res = apply(repo, body({"Beds without nursing free now": "3", "Availability confirmed on": "3/12/26"}), "aston-manager")
    assert res["errors"] == ["Availability confirmed on: must be a date written like 2026-11-20 or 20/11/2026 (the year in "
                             "full), not '3/12/26'"]  # both ways the form takes a date, not only YYYY-MM-DD
    r, res = apply(repo, body({}), "aston-manager")
    assert res["errors"] == ["Nothing was filled in; give at least one answer (Beds with nursing free now, Beds without "
                             "nursing free now or Availability confirmed on)"]
    r, res = apply(repo, body({"Beds with nursing free now": "3", "Availability confirmed on": "2026-02-30"}), "aston-manager")
    assert res["errors"] == [
        "Availability confirmed on: '2026-02-30' is not a real date; check the day and month",
        "Beds with nursing free now: is 3 but CQC does not register this home for care with nursing ('Care home with "
        "nursing' is no); count these beds in 'Beds without nursing free now', or ask the council to import the "
        "latest CQC register"]
    r, res = apply(repo, body({"Beds with nursing free now": "31", "Beds without nursing free now": "0"}, home="example-full"),
                   "example-manager")
    assert res["errors"] == ["Beds with nursing free now: is 31 but 'Beds with nursing' is 30; free beds cannot be more "
                             "than the beds there are"]
    assert (repo / "providers" / "aston-house.yaml").read_text() == before
    assert git(repo, "status", "--porcelain") == ""


def test_details_update_goes_to_a_pull_request_and_stamps_dates(repo):
    text = ("### Your home's page name\n\nexample-full\n\n### Lead manager\n\nAlex Example\n\n"
            "### Weekend admissions from hospital\n\nNo\n\n### Tracheostomy: can accept\n\nYes\n\n"
            "### Tracheostomy: beds with nursing\n\n2\n\n### Tracheostomy: beds without nursing\n\n0\n\n"
            "### Spinal rehabilitation: can accept\n\nNo\n\n### Palliative care: can accept\n\nYes\n\n"
            "### Palliative care: beds with nursing\n\n6\n\n### Palliative care: beds without nursing\n\n2\n\n"
            "### Weekly fee with nursing, from\n\n1200\n\n### Weekly fee with nursing, to\n\n1420.50\n\n"
            "### Weekly fee without nursing, from\n\n890\n\n### Weekly fee without nursing, to\n\n1100\n\n"
            "### Council rate accepted\n\nYes\n\n### Top-ups may apply\n\nYes\n\n"
            "### About the home\n\nA *small* home.\n\nWith a garden.")  # each dated set's answers all given, as it is dated
    r, res = apply(repo, text, "example-manager")
    assert r.returncode == 0, r.stdout
    assert res["mode"] == "pull-request" and res["branch"] == "provider-update/issue-12"
    data = yaml.safe_load((repo / "providers" / "example-full.yaml").read_text())
    assert data["contact"]["manager"] == "Alex Example" and data["care"]["weekend_admissions"] is False
    assert data["capabilities"]["tracheostomy"]["accepted"] is True
    assert data["capabilities"]["confirmed"] == dt.date(2026, 11, 30) and data["fees"]["date"] == dt.date(2026, 11, 30)
    assert data["fees"]["nursing_from"] == 1200 and data["description"] == "A *small* home.\n\nWith a garden."
    assert "Someone from the council will check this change" in res["comment"]
    fee = next(line for line in res["comment"].splitlines() if line.startswith("| Weekly fee with nursing, from |"))
    assert fee.endswith(" | £1,200 |"), fee  # a sum of money as the page shows it, not '1200'


def test_a_new_total_of_beds_leaves_the_date_of_the_free_beds_as_it_was(repo):
    """'Beds with nursing' (the beds there are) in the details form set 'Availability confirmed on' to the day it was
    sent: the free beds of 2026-11-20 then looked checked that day, and the weekly reminder skipped the home."""
    full = repo / "providers" / "example-full.yaml"
    text = "### Your home's page name\n\nexample-full\n\n### Beds with nursing\n\n28"
    r, res = apply(repo, text, "example-manager")
    assert r.returncode == 0 and res["status"] == "applied", r.stdout
    assert [(c["field"], c["before"], c["after"]) for c in res["changed"]] == [("beds.nursing.total", 30, 28)]
    beds = yaml.safe_load(full.read_text())["beds"]
    assert beds["confirmed"] == dt.date(2026, 11, 20) and beds["nursing"] == {"total": 28, "available": 2}


def test_a_box_left_empty_never_dates_the_earlier_number_as_checked_now(repo):
    """'Beds without nursing free now' left empty kept the page's 0 of 2026-11-20 and dated it 2026-11-30 with the
    other box's number: an unknown read as checked. A home CQC does not register for that kind of bed is not asked."""
    full = repo / "providers" / "example-full.yaml"  # nursing: 2 free, residential: 0 free, confirmed 2026-11-20
    before = full.read_text()
    for answers in ({"Beds with nursing free now": "1"}, {"Beds with nursing free now": "1", "Availability confirmed on": "2026-11-29"}):
        r, res = apply(repo, body(answers, home="example-full"), "example-manager")
        assert r.returncode == 1 and res["errors"] == [
            "Beds without nursing free now: is empty, but your page still says 0 (from 2026-11-20), and the new date would "
            "show that as checked now; type the number free now (0 if none), even if it has not changed"]
    r, res = apply(repo, body({"Availability confirmed on": "2026-11-29"}, home="example-full"), "example-manager")
    assert [e.split(":")[0] for e in res["errors"]] == ["Beds with nursing free now", "Beds without nursing free now"]
    assert full.read_text() == before
    r, res = apply(repo, body({"Beds without nursing free now": "3"}), "aston-manager")  # aston-house: no nursing
    assert r.returncode == 0 and res["status"] == "applied"


def test_one_box_corrected_on_the_day_free_beds_were_confirmed_keeps_the_other_and_goes_in(repo):
    """As a details form's dated sets (the provider review): free beds confirmed earlier the same day, a second form
    giving one number, its date left empty, was refused as if the other would look checked anew; it was checked that
    day. The other number keeps its value and the date stays; a day later the rule holds."""
    full = repo / "providers" / "example-full.yaml"  # nursing: 2 free, residential: 0 free
    full.write_text(full.read_text().replace("  confirmed: 2026-11-20\n", f"  confirmed: {ON}\n", 1))
    r, res = apply(repo, body({"Beds with nursing free now": "1"}, home="example-full"), "example-manager",
                   "--on", "2026-12-01")
    assert r.returncode == 1 and res["errors"] == [
        f"Beds without nursing free now: is empty, but your page still says 0 (from {ON}), and the new date would "
        "show that as checked now; type the number free now (0 if none), even if it has not changed"]
    r, res = apply(repo, body({"Beds with nursing free now": "1"}, home="example-full"), "example-manager")
    assert r.returncode == 0 and res["status"] == "applied", r.stdout
    beds = yaml.safe_load(full.read_text())["beds"]
    assert beds["confirmed"] == dt.date(2026, 11, 30) and beds["nursing"]["available"] == 1 and beds["residential"]["available"] == 0


@pytest.mark.parametrize("text", ["Hello\n-SUM(1)\n+cmd\n\ttab=1+1", "A garden.\n\tWith a lift.", "A garden.\n  With a lift.",
                                  "A plain line."])
def test_a_new_description_reads_back_from_the_profile_as_it_was_checked(text, tmp_path):
    """The hostile-input review: a description with a line starting with a tab, written over a description in the
    folded style (>-), which ruamel.yaml keeps, read back with a blank line before it (a new paragraph on the page),
    though the reply and the check had the text as typed. Such a text is written quoted; the others keep the style."""
    from carehomes.updates import edit_profile

    profile = tmp_path / "example-full.yaml"
    profile.write_text((ROOT / "tests" / "fixtures" / "profiles" / "example-full.yaml").read_text())
    edit = edit_profile(profile, {"description": text}, dt.date(2026, 11, 30))
    assert edit.problems == [] and edit.text is not None
    assert yaml.safe_load(edit.text)["description"] == text
    assert ("description: >-" in edit.text) == ("\t" not in text)


def test_a_number_whose_reading_would_be_a_guess_is_refused_saying_why(repo):
    """The hostile-input review: '1,15' was read as £115 and '1.250' as £1.25 (thousands as much of Europe writes them),
    both published without a word. A comma is read only between groups of three figures; three figures after a sum's
    point are asked about; the answers read as they are meant go in."""
    fees = {"Weekly fee with nursing, to": "1420.50", "Weekly fee without nursing, from": "890",
            "Weekly fee without nursing, to": "1100", "Council rate accepted": "Yes", "Top-ups may apply": "Yes"}
    r, res = apply(repo, details_body({**fees, "Weekly fee with nursing, from": "1,15"}), "example-manager")
    assert r.returncode == 1 and res["errors"] == [
        "Weekly fee with nursing, from: '1,15' has a comma where none goes: use a point (1.15), or leave the comma out"], res
    # the reviews of the rule: '1.250,00' as much of Europe writes £1,250 and '1,25,000' as India groups figures were told
    # to type 1.25 and 1.25,000: asked about, never read one way
    for typed in ("1.250,00", "1,25,000", "1.234.567"):
        r, res = apply(repo, details_body({**fees, "Weekly fee with nursing, from": typed}), "example-manager")
        assert res["errors"] == [f"Weekly fee with nursing, from: '{typed}' could be read more than one way: type it with a "
                                 "comma only between groups of three figures, and a point only before the pence (such as "
                                 "1250, 1,250 or 1,250.50)"], res
    r, res = apply(repo, details_body({**fees, "Weekly fee with nursing, from": "£1.250"}), "example-manager")
    assert r.returncode == 1 and res["errors"] == [
        "Weekly fee with nursing, from: '£1.250' could be 1,250 or 1.25: type 1250, or 1.25"], res
    r, res = apply(repo, "### Your home's page name\n\nexample-full\n\n### Weekly fee with nursing, from\n\n12,5", "example-manager")
    assert res["status"] == "invalid" and res["errors"][0].startswith("Weekly fee with nursing, from: '12,5' has a comma"), res
    r, res = apply(repo, body({"Beds with nursing free now": "1,5", "Beds without nursing free now": "0"}, home="example-full"),
                   "example-manager")  # a whole number: no pence to put a point before
    assert res["errors"] == ["Beds with nursing free now: '1,5' has a comma where none goes: type a whole number, with no "
                             "point, and a comma only between groups of three figures (such as 1250 or 1,250)"], res
    for typed, said in (("1150.499999999999999999", "has 18 figures after its point; this answer takes at most 2: type 1150.50"),
                        ("850.555", "has 3 figures after its point; this answer takes at most 2: type 850.56"),
                        ("99999999999999999999.99", "is too long a number: no answer here has more than 9 figures before its point"),
                        ("£12 50", "has a space where none goes: type it with a comma only between groups of three "
                                   "figures, and a point only before the pence (such as 1250, 1,250 or 1,250.50)")):
        r, res = apply(repo, details_body({**fees, "Weekly fee with nursing, from": typed}), "example-manager")
        assert res["errors"] == [f"Weekly fee with nursing, from: '{typed}' {said}"], res
    r, res = apply(repo, details_body({**fees, "Weekly fee with nursing, from": "£1,250.00"}), "example-manager")
    assert r.returncode == 0 and res["status"] == "applied", res
    assert yaml.safe_load((repo / "providers" / "example-full.yaml").read_text())["fees"]["nursing_from"] == 1250


def test_a_whole_number_with_commas_between_groups_of_three_is_read_and_judged_by_its_range(repo):
    """From the forms review: apply-update's help says numbers may have commas between groups of three figures (1,250),
    and a fee of '£1,250' was read, but free beds of '1,000' were refused as "must be a whole number in figures, such as
    3 ... not '1,000'"; and a fee typed with words was told "write 950 (no words, £ or commas)", though £ and commas are
    read. Now a whole number's commas between groups of three are read, and the number judged as any other; commas
    elsewhere, words, points and a minus are refused as before, and the fee's reply asks only for no words."""
    from carehomes.schema import load_schema
    from carehomes.updates import form_value

    def free(typed: str) -> list[str]:
        r, res = apply(repo, body({"Beds with nursing free now": typed, "Beds without nursing free now": "0"},
                                  home="example-full"), "example-manager")
        return res["errors"]

    assert free("1,000") == [
        "Beds with nursing free now: is 1000 but 'Beds with nursing' is 30; free beds cannot be more than the beds there are",
        "Beds without nursing free now: free beds add up to 1000 (nursing 1000, residential 0) but 'Registered beds' is 40; "
        "free beds cannot be more than the beds there are"]
    assert free("12,345") == ["Beds with nursing free now: is 12345, above the highest allowed value 1000"]
    assert free("1,00") == ["Beds with nursing free now: '1,00' has a comma where none goes: type a whole number, with no "
                            "point, and a comma only between groups of three figures (such as 1250 or 1,250)"]
    assert free("10,00") == ["Beds with nursing free now: '10,00' has a comma where none goes: type a whole number, with no "
                             "point, and a comma only between groups of three figures (such as 1250 or 1,250)"]
    assert free("1,000.5") == ["Beds with nursing free now: must be a whole number in figures, such as 3 or 0 for none, "
                               "not '1,000.5'"]
    assert free("three") == ["Beds with nursing free now: must be a whole number in figures, such as 3 or 0 for none, "
                             "not 'three'"]
    assert free("-1,000") == ["Beds with nursing free now: is -1000, below the lowest allowed value 0"]
    assert free("0,000") == ["Beds with nursing free now: must be a whole number in figures, such as 3 or 0 for none, "
                             "not '0,000'"]  # no grouped number: it was read as 0 (the hostile review)
    hours, beds = load_schema().by_path["homecare.hours_available"], load_schema().by_path["beds.nursing.available"]
    assert (form_value(hours, "1,200 hours"), form_value(hours, "１，２００ｈ"), form_value(beds, "1 000")) == (1200, 1200, 1000)
    r, res = apply(repo, details_body({"Weekly fee with nursing, from": "£950 a week"}), "example-manager")
    assert res["errors"][0] == ("Weekly fee with nursing, from: must be the number alone, not '£950 a week'; write 950 "
                                "(the number alone, with no words)"), res


def test_an_answer_the_same_as_a_yes_written_yes_in_the_profile_is_no_change(repo):
    """The hostile-input review: a profile writing 'council_rate_accepted: yes' (as check and fmt --check accept) and a
    form answering Yes was a change, 'yes' to 'Yes', sent to a steward, and the file rewritten 'true'."""
    profile = repo / "providers" / "example-full.yaml"
    assert "council_rate_accepted: yes\n" in profile.read_text()
    before = profile.read_text()
    r, res = apply(repo, "### Your home's page name\n\nexample-full\n\n### Council rate accepted\n\nYes\n\n"
                   "### Fees dated\n\n2026-04-01", "example-manager")
    assert res["status"] == "unchanged", res
    assert profile.read_text() == before


@pytest.mark.parametrize("text", ["No", "on", "Yes", "1:00", "2026-01-01", "12"])
def test_a_text_answer_that_yaml_would_read_as_no_text_is_kept_as_text(text, tmp_path):
    """The code review: "Lead manager: No" was written bare, which the profiles' reader (YAML 1.1) reads as no, and the
    manager was told to put it in quotes; it is written quoted, as what was typed."""
    from carehomes.updates import edit_profile

    profile = tmp_path / "example-full.yaml"
    profile.write_text((ROOT / "tests" / "fixtures" / "profiles" / "example-full.yaml").read_text())
    edit = edit_profile(profile, {"contact.manager": text, "description": text, "cqc.specialisms": ["Dementia", text]},
                        dt.date(2026, 11, 30))
    assert edit.problems == [] and edit.text is not None, edit.problems
    data = yaml.safe_load(edit.text)
    assert data["contact"]["manager"] == text and data["description"] == text
    assert data["cqc"]["specialisms"] == ["Dementia", text]  # a list's items too


def test_a_heading_of_no_question_is_named_and_a_curled_apostrophe_is_read(repo):
    """The hostile-input review: '### Maintainers' (no question of the forms) was read into the answer above it without
    a word, as part of a description, or as a page name that was then "not a home"; '### Your home’s page name', its
    apostrophe curled by an editor, was "empty"."""
    about = details_body({"About the home": "A garden.\n\n### Maintainers\n\nevil"})
    r, res = apply(repo, about, "example-manager")
    assert res["status"] == "invalid" and "'### Maintainers' is not a question of these forms, so it was read as part of the " \
        "answer above it; delete it, or write it without the ###" in res["errors"], res
    profile = repo / "providers" / "example-full.yaml"
    assert "evil" not in profile.read_text()
    for mark in ("\u2019", "\u02bc", "`"):
        curled = (f"### Your home{mark}s\u00a0page name\n\nexample-full\n\n### Beds with nursing free now\n\n2\n\n"
                  "### Beds without nursing free now\n\n0")
        for heading in (f"### Your home{mark}s\u00a0page name", f"### your HOME{mark}s page\u200b name ###", f"###Your home{mark}s page name"):
            assert parse_body(curled.replace(curled.split("\n")[0], heading))[0]["Your home's page name"] == "example-full"
        r, res = apply(repo, curled, "example-manager")
        assert res["status"] in ("applied", "unchanged") and not res["errors"], res
    # before the first question: its answer was dropped without a word (the review of the rule)
    r, res = apply(repo, "### Maintainers\n\nevil\n\n### Your home's page name\n\nexample-full\n\n### Lead manager\n\nAlice",
                   "example-manager")
    assert res["status"] == "invalid" and res["errors"][0] == ("'### Maintainers' is not a question of these forms, so its "
                                                               "answer was not read; delete it"), res


def test_a_question_whose_heading_was_taken_out_of_the_issue_counts_as_left_empty(repo):
    """The hostile-input review: a body with a question's heading removed (an author may edit the issue; the workflow
    runs again on an edit) escaped the rule on answers left empty: a free-beds number alone dated the page's other
    number today, committed to main, and one fee alone dated every fee."""
    full = repo / "providers" / "example-full.yaml"  # nursing: 2 free, residential: 0 free, confirmed 2026-11-20
    before = full.read_text()
    r, res = apply(repo, "### Your home's page name\n\nexample-full\n\n### Beds with nursing free now\n\n5", "example-manager")
    assert r.returncode == 1 and res["errors"] == [
        "Beds without nursing free now: is empty, but your page still says 0 (from 2026-11-20), and the new date would "
        "show that as checked now; type the number free now (0 if none), even if it has not changed"], res
    r, res = apply(repo, "### Your home's page name\n\nexample-full\n\n### Weekly fee with nursing, from\n\n1250",
                   "example-manager")
    assert r.returncode == 1 and [e.split(":")[0] for e in res["errors"]] == ["Fees dated"], res
    assert full.read_text() == before
    # every question of the set there: applied, as from the form
    r, res = apply(repo, "### Your home's page name\n\nexample-full\n\n### Beds with nursing free now\n\n5\n\n"
                   "### Beds without nursing free now\n\n0", "example-manager")
    assert r.returncode == 0 and res["status"] == "applied", res


def test_a_steward_may_update_any_home_named_by_location_id_or_page_address(repo):
    lid = yaml.safe_load((repo / "providers" / "blackwells.yaml").read_text())["location_id"]
    r, res = apply(repo, body({"Beds without nursing free now": "1"}, home=lid), "council-steward")
    assert r.returncode == 0 and res["home"] == "blackwells" and res["mode"] == "commit"
    r, res = apply(repo, body({"Beds without nursing free now": "0"}, home="https://example-council.github.io/care-homes/homes/lyndale/"),
                   "council-steward")
    assert r.returncode == 0 and res["home"] == "lyndale"


def test_a_home_typed_by_its_name_is_found_and_a_misspelt_one_is_offered(repo):
    """'Aston House' (as the page shows it) was 'not a home in the directory': a home's page name is its file name."""
    aston = repo / "providers" / "aston-house.yaml"
    for typed in ("Aston House", "aston house ", "Aston-House"):
        r, res = apply(repo, body({"Beds without nursing free now": "2"}, home=typed), "aston-manager")
        assert (r.returncode, res["home"], res["status"]) == (0, "aston-house", "applied"), typed
        git(repo, "checkout", "-q", "--", str(aston))
    r, res = apply(repo, body({"Beds without nursing free now": "2"}, home="Aston Hosue"), "aston-manager")
    assert res["errors"] == ["Your home's page name: 'Aston Hosue' is not a home in the directory (did you mean aston-house, "
                             "the page of Aston House?); use the link on your home's page, which fills it in, or give your "
                             "CQC location ID"]
    r, res = apply(repo, body({"Beds without nursing free now": "2"}, home="Market"), "council-steward")
    assert res["errors"] == ["Your home's page name: 'Market' is not a home in the directory (did you mean market-lodge, "
                             "the page of Market Lodge?); use the link on your home's page, which fills it in, or give your "
                             "CQC location ID"]
    # a name that is not the page name: found when one home has it, and not when two have
    r, res = apply(repo, body({"Beds with nursing free now": "1", "Beds without nursing free now": "0"},
                              home="Example Full House (fictional)"), "example-manager")
    assert (r.returncode, res["home"]) == (0, "example-full"), r.stdout
    shutil.copy(repo / "providers" / "example-full.yaml", repo / "providers" / "example-full-copy.yaml")
    r, res = apply(repo, body({"Beds with nursing free now": "1", "Beds without nursing free now": "0"},
                              home="Example Full House (fictional)"), "example-manager")
    assert res["errors"] == [
        "Your home's page name: 'Example Full House (fictional)' is not a home in the directory (did you mean example-full, "
        "the page of Example Full House (fictional) or example-full-copy, the page of Example Full House (fictional)?); "
        "use the link on your home's page, which fills it in, or give your CQC location ID"]


def test_a_body_saved_with_a_byte_order_mark_keeps_its_first_answer():
    """'\\ufeff### Your home's page name' was no heading: the reply said the page name was empty."""
    text = "\ufeff### Your home's page name\r\n\r\naston-house\r\n\r\n### Weekend admissions from hospital\r\n\r\nYes\r\n"
    assert parse_body(text) == ({"Your home's page name": "aston-house", "Weekend admissions from hospital": "Yes"}, [])


def test_line_separators_pasted_into_an_answer_are_line_breaks_not_one_yaml_error_hiding_the_rest(repo):
    """U+2028 (pasted from Word or a PDF) in "About the home" stopped the whole check with "yaml: contains the character
    U+2028 LINE SEPARATOR", naming no question and hiding the other answers' problems."""
    text = ("### Your home's page name\n\naston-house\n\n### About the home\n\nA friendly home.\u2028Near the river.\u2029"
            "Visitors welcome.\x85Parking.\n\n### Lead manager\n\nAnn\u202e\n\n### Website\n\nnot a link")
    r, res = apply(repo, text, "aston-manager")
    assert res["status"] == "invalid" and not any("yaml" in e.lower() for e in res["errors"]), res["errors"]
    assert [e.split(":")[0] for e in res["errors"]] == ["Website", "Lead manager"]
    r, res = apply(repo, text.replace("\u202e", "").replace("not a link", "https://example.org"), "aston-manager")
    assert res["status"] == "applied", res
    about = yaml.safe_load((repo / "providers" / "aston-house.yaml").read_text())["description"]
    assert about == "A friendly home.\nNear the river.\n\nVisitors welcome.\nParking."


def test_hostile_form_text_is_refused_or_escaped(repo):
    before = {p.name: p.read_text() for p in (repo / "providers").iterdir()}
    r, res = apply(repo, body({}, home="../../stewards"), "aston-manager")
    assert res["errors"] == ["Your home's page name: '../../stewards' is not a home in the directory; use the link on "
                             "your home's page, which fills it in, or give your CQC location ID"]
    r, res = apply(repo, body({"Beds without nursing free now": "2\n\n### Your home's page name\n\nblackwells"}), "aston-manager")
    assert res["status"] == "invalid" and res["errors"] == [
        "Your home's page name: appears twice in this issue; keep only one of them"]
    assert "select the 3 dots (**...**) at the top right of your request, then **Edit**" in res["comment"]  # editing mends it
    r, res = apply(repo, "Please update my beds, thanks <script>alert(1)</script>", "aston-manager")
    assert res["errors"] == ["This request was not made with the form 'Update vacancies', 'Update this home's details', "
                             "'Update this home care agency's availability' or 'Update this home care agency's details'; "
                             "open the form from your page in the directory"]
    text = ("### Your home's page name\n\naston-house\n\n### Lead manager\n\n@everyone <img src=x onerror=alert(1)>\u202e\n\n"
            "### Website\n\njavascript:alert(1)")
    r, res = apply(repo, text, "aston-manager")
    assert res["status"] == "invalid"
    assert res["errors"][0].startswith("Website: links must start with https:// or http://")
    assert res["errors"][1] == ("Lead manager: contains the invisible character U+202E RIGHT-TO-LEFT OVERRIDE; "
                                "retype the text without it: '...e <img src=x onerror=alert(1)>\\u202e'")
    r, res = apply(repo, text.replace("\u202e", "").replace("javascript:alert(1)", "https://example.org"), "aston-manager")
    assert res["status"] == "applied"
    assert "<img" not in res["comment"] and "&lt;img" in res["comment"] and "@everyone" not in res["comment"]
    (repo / "body.md").write_text("x")
    r, _ = apply(repo, "### Your home's page name\n\n" + "a" * 70000, "aston-manager")
    assert r.returncode == 1 and "longer than 64 KB" in r.stdout
    assert {p.name for p in (repo / "providers").iterdir()} == set(before)
    for name, text in before.items():
        if name != "aston-house.yaml":
            assert (repo / "providers" / name).read_text() == text


@pytest.mark.parametrize("text", ["", "Please update my beds, thanks", "### Your home's page name\n\n" + "a" * 70000],
                         ids=["empty", "typed", "too-long"])
def test_a_request_with_no_answers_is_told_to_open_a_form_not_to_edit_its_answers(repo, text):
    """An issue whose text is not a form's (emptied, typed by hand, or too long to be one) was told to open the form and
    then "To correct your answers, select the 3 dots ... Edit": it has no answers to correct."""
    r, res = apply(repo, text, "aston-manager")
    assert res["status"] == "invalid" and res["no_answers"] is True, r.stdout[:300]
    assert res["comment"] == (f"This update was not made.\n\n- {res['errors'][0]}\n\nAt the bottom of your page in the "
                              "directory, under **Update this page**, select the form you need: it opens with your page "
                              "filled in. You can close this request.\n")
    r, res = apply(repo, body({"Beds without nursing free now": "two"}), "aston-manager")
    assert res["no_answers"] is False and "To correct your answers, select the 3 dots" in res["comment"]


def test_a_care_homes_answer_is_named_by_its_own_forms_question_not_an_agencys(repo):
    """The description is asked by both kinds' forms: a care home's reply named it "About the agency"."""
    text = "### Your home's page name\n\naston-house\n\n### About the home\n\n"
    r, res = apply(repo, text + "a" * 3001, "Council-Steward")
    assert res["errors"] == ["About the home: is 3,001 characters long; shorten it to 3,000 or fewer"]
    r, res = apply(repo, text + "A family-run home.", "Council-Steward")
    assert res["status"] == "applied" and [c["label"] for c in res["changed"]] == ["About the home"]
    assert "| About the home | not given | A family-run home. |" in res["comment"]


def test_apply_update_usage_errors(repo, tmp_path):
    r = run_build("apply-update", "--body", str(tmp_path / "none.md"), "--author", "x", "--repo", str(repo))
    assert r.returncode == 2 and r.stderr.strip().endswith("none.md: cannot be read (No such file or directory)")
    r = run_build("apply-update", "--body", "/dev/zero", "--author", "x", "--repo", str(repo))  # endless: never read whole
    assert (r.returncode, r.stderr.strip()) == (2, "/dev/zero: is not a regular file (a device, pipe or folder); give the "
                                                   "file holding the issue's body")
    assert "Traceback" not in r.stderr
    bad = tmp_path / "latin1.md"
    bad.write_bytes(b"### Your home's page name\n\naston-house\n\n### Lead manager\n\nJos\xe9\n")
    r = run_build("apply-update", "--body", str(bad), "--author", "aston-manager", "--repo", str(repo))
    assert (r.returncode, r.stderr.strip()) == (2, f"{bad}:7: is not UTF-8 text: byte 61 (0xE9, which Windows writes for é) cannot be read; save the "
                                                   "issue's body as UTF-8 (GitHub's own text always is)")
    assert "maintainers" in (repo / "providers" / "aston-house.yaml").read_text()
    assert "manager:" not in (repo / "providers" / "aston-house.yaml").read_text()  # never 'Jos\ufffd'


@pytest.mark.parametrize("command", ["apply-update", "claim"])
def test_a_wrong_repo_is_said_before_the_providers_answer_is_read(repo, tmp_path, command):
    """A --repo that is not the directory's repository was read as "'aston-house' is not a home in the directory", a
    reply that would tell the provider their right answer was wrong (the hostile review): one line naming --repo."""
    issue = tmp_path / "issue.md"
    issue.write_text(body({"Beds without nursing free now": "2"}))
    for where, said in ((tmp_path / "none", f"{tmp_path / 'none'}: no such folder; give the repository's folder with --repo"),
                        (tmp_path, f"{tmp_path}: has no providers/ folder, so it is not the directory's repository; give "
                                   "the repository's folder with --repo")):
        r = run_build(command, "--body", str(issue), "--author", "aston-manager", "--repo", str(where),
                      "--result", str(tmp_path / "result.json"))
        assert (r.returncode, r.stdout, r.stderr.strip()) == (2, "", said)
        assert not (tmp_path / "result.json").exists()


# --- vacancies --from-csv ---------------------------------------------------------------------------


def csv_rows(rows: list[str]) -> str:
    return "home,nursing_free,residential_free,confirmed\n" + "\n".join(rows) + "\n"


NURSING_ONLY = {"bowley-court", "market-lodge"}  # care.residential: false, so their free beds are beds with nursing


def ten_homes(repo, bad: str | None = None) -> str:
    rows = [f"{slug},{i % 3},," if slug in NURSING_ONLY else f"{slug},,{i % 3},"
            for i, slug in enumerate(REAL[:9])] + ["example-full,2,1,2026-11-29"]
    if bad:
        rows[4] = bad
    return csv_rows(rows)


def test_csv_of_ten_homes_with_one_bad_row_changes_nothing_and_names_the_row(repo):
    before = {p.name: p.read_text() for p in (repo / "providers").iterdir()}
    f = repo.parent / "vacancies.csv"
    f.write_text(ten_homes(repo, bad="dulas-court,,two,"))
    r = run_build("vacancies", "--from-csv", str(f), "--providers", str(repo / "providers"), cwd=repo.parent)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "vacancies.csv:6: residential_free: must be a whole number in figures, such as 3 or 0 for none, not 'two'"]
    assert r.stderr.strip() == "1 problem in " + str(f) + ": nothing was changed. Correct the rows above and run the command again."
    assert {p.name: p.read_text() for p in (repo / "providers").iterdir()} == before
    f.write_text(ten_homes(repo))
    r = run_build("vacancies", "--from-csv", str(f), "--providers", str(repo / "providers"), cwd=repo.parent)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(r.stdout.splitlines()) == 10
    today = dt.date.today()
    for i, slug in enumerate(REAL[:9]):
        beds = yaml.safe_load((repo / "providers" / f"{slug}.yaml").read_text())["beds"]
        kind = "nursing" if slug in NURSING_ONLY else "residential"
        assert beds[kind]["available"] == i % 3 and beds["confirmed"] == today
    full = yaml.safe_load((repo / "providers" / "example-full.yaml").read_text())["beds"]
    assert (full["nursing"]["available"], full["residential"]["available"], full["confirmed"]) == (2, 1, dt.date(2026, 11, 29))
    assert "beds:  # the manager's own note" in (repo / "providers" / "aston-house.yaml").read_text()
    assert run_build("check", str(repo / "providers")).returncode == 0
    r = run_build("vacancies", "--from-csv", str(f), "--providers", str(repo / "providers"), cwd=repo.parent)
    assert r.returncode == 0 and r.stdout == "" and "0 profiles changed, 10 already up to date" in r.stderr


def test_a_sheet_offers_pages_spelt_nearly_so_for_its_first_rows_only(repo, monkeypatch, capsys):
    """Looking for a page spelt nearly so is 20 ms a row nationally: a sheet of thousands of wrong rows (the columns
    in another order) is offered them for its first NEAR_OFFERED rows only."""
    from carehomes import updates

    monkeypatch.setattr(updates, "NEAR_OFFERED", 1)
    f = repo.parent / "v.csv"
    f.write_text(csv_rows(["aston-hose,,1,", "lyndal,,1,"]))
    monkeypatch.chdir(repo.parent)
    assert main(["vacancies", "--from-csv", "v.csv", "--providers", str(repo / "providers")]) == 1
    assert capsys.readouterr().out.splitlines()[:2] == [
        "v.csv:2: home: 'aston-hose' is not a home in repo/providers (did you mean aston-house, the page of Aston House?); "
        "give the page name (such as aston-house) or the CQC location ID",
        "v.csv:3: home: 'lyndal' is not a home in repo/providers; give the page name (such as aston-house) or the CQC "
        "location ID"]


def test_a_sheet_finds_a_home_as_the_form_does_by_its_name_or_its_pages_address(repo, capsys, monkeypatch):
    """'Aston House' on a stewards' sheet was 'not a home ... (did you mean aston-house, the page of Aston House?)'
    while the form took it: a sheet's home is found as a form's is (find_home), and a name two homes have is refused
    on both, offering each of its pages."""
    monkeypatch.chdir(repo.parent)
    f = repo.parent / "v.csv"
    f.write_text(csv_rows(["Aston House,,1,", "https://example-council.github.io/care-homes/homes/lyndale/,,2,",
                           "Example Full House (fictional),1,0,"]))
    assert main(["vacancies", "--from-csv", "v.csv", "--providers", str(repo / "providers")]) == 0, capsys.readouterr()
    assert [yaml.safe_load((repo / "providers" / f"{slug}.yaml").read_text())["beds"]["residential"]["available"]
            for slug in ("aston-house", "lyndale", "example-full")] == [1, 2, 0]
    capsys.readouterr()
    shutil.copy(repo / "providers" / "example-full.yaml", repo / "providers" / "example-full-copy.yaml")
    f.write_text(csv_rows(["Example Full House (fictional),1,0,", "aston house,,1,"]))
    assert main(["vacancies", "--from-csv", "v.csv", "--providers", str(repo / "providers")]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "v.csv:2: home: 'Example Full House (fictional)' is not a home in repo/providers (did you mean example-full, the "
        "page of Example Full House (fictional) or example-full-copy, the page of Example Full House (fictional)?); give "
        "the page name (such as aston-house) or the CQC location ID"]


def test_csv_lists_every_bad_row_by_line(repo):
    lid = yaml.safe_load((repo / "providers" / "blackwells.yaml").read_text())["location_id"]
    f = repo.parent / "v.csv"
    rows = ["aston-house,=1+1,2,", "", f"{lid},,1,", "nope,,1,", "@SUM(A1),,1,", "bowley-court,,-3,",
            "eastbank,,1,2099-01-01", "eastbank,,1,", "lyndale,,1,31/02/2026", "aston-house,4,,", "aston-hose,,1,",
            "\tbrockhampton-court,,1,", "aston\u202e-house,,1,", "lyn\x00dale,,1,"]
    f.write_text(csv_rows(rows))
    r = run_build("vacancies", "--from-csv", str(f), "--providers", str(repo / "providers"), cwd=repo.parent)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "v.csv:2: nursing_free: '=1+1' looks like a spreadsheet formula; type the value itself",
        "v.csv:5: home: 'nope' is not a home in repo/providers; give the page name (such as aston-house) or the CQC location ID",
        "v.csv:6: home: '@SUM(A1)' looks like a spreadsheet formula; type the value itself",
        "v.csv:7: residential_free: is -3, below the lowest allowed value 0",
        f"v.csv:8: confirmed: 2099-01-01 is in the future (today is {dt.date.today().isoformat()}); give the date the fact was true",
        "v.csv:9: home: eastbank is also on line 8; keep one row for each home",
        "v.csv:10: confirmed: '31/02/2026' is not a real date; check the day and month",
        "v.csv:11: home: aston-house is also on line 2; keep one row for each home",
        "v.csv:11: nursing_free: is 4 but CQC does not register this home for care with nursing (care.nursing is no); "
        "count these beds in residential_free, or ask the council to import the latest CQC register",
        "v.csv:12: home: 'aston-hose' is not a home in repo/providers (did you mean aston-house, the page of Aston House?); "
        "give the page name (such as aston-house) or the CQC location ID",
        "v.csv:13: home: '\\tbrockhampton-court' looks like a spreadsheet formula; type the value itself",  # its tab shown
        # a right-to-left override or a NUL was dropped before matching, and the home was found as if typed plainly
        "v.csv:14: home: 'aston\\u202e-house' holds a character you cannot see (a control character, or one that turns "
        "text right to left); type the page name or the CQC location ID again",
        "v.csv:15: home: 'lyn\\x00dale' holds a character you cannot see (a control character, or one that turns text right "
        "to left); type the page name or the CQC location ID again",
    ]


def test_csv_row_lists_all_its_problems_in_the_words_of_a_sheet(repo):
    """A formula, a repeated home or a day that does not exist was said alone, hiding the row's other cells;
    a number too long was answered in YAML's words ('remove the quotes: available: ...'); full-width digits,
    which a form takes, were refused."""
    before = {p.name: p.read_text() for p in (repo / "providers").iterdir()}
    f = repo.parent / "v.csv"
    f.write_text(csv_rows(["eastbank,,+3,", "eastbank,x,y,2026-02-30", "lyndale,,12345678901234567890,",
                           "dulas-court,,\uff12,"]))
    r = run_build("vacancies", "--from-csv", str(f), "--providers", str(repo / "providers"), cwd=repo.parent)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "v.csv:2: residential_free: '+3' looks like a spreadsheet formula; type the value itself",
        "v.csv:3: home: eastbank is also on line 2; keep one row for each home",
        "v.csv:3: confirmed: '2026-02-30' is not a real date; check the day and month",
        "v.csv:3: nursing_free: must be a whole number in figures, such as 3 or 0 for none, not 'x'",
        "v.csv:3: residential_free: must be a whole number in figures, such as 3 or 0 for none, not 'y'",
        "v.csv:4: residential_free: is 12345678901234567890, above the highest allowed value 1000",
    ]
    assert {p.name: p.read_text() for p in (repo / "providers").iterdir()} == before


def test_a_number_too_long_for_any_field_is_said_as_such_not_as_text(repo):
    """A count in more figures than any field takes (a form's answer of 10 to 20 digits, a sheet's cell of more than
    20) was answered 'must be a number, not text; write the number only', though it was a number and only that."""
    before = {p.name: p.read_text() for p in (repo / "providers").iterdir()}
    res = apply(repo, body({"Beds without nursing free now": "12345678901"}), "aston-manager")[1]
    assert res["errors"] == ["Beds without nursing free now: is 12345678901, above the highest allowed value 1000"]
    res = apply(repo, body({"Beds without nursing free now": "1" * 25}), "aston-manager")[1]
    assert res["errors"] == ["Beds without nursing free now: is a number 25 digits long; no field takes a number that "
                             "large, so write the real figure"]
    f = repo.parent / "v.csv"
    f.write_text(csv_rows(["lyndale,,123456789012345678901,"]))
    r = run_build("vacancies", "--from-csv", str(f), "--providers", str(repo / "providers"), cwd=repo.parent)
    assert r.returncode == 1
    assert r.stdout.splitlines()[0] == ("v.csv:2: residential_free: is a number 21 digits long; no field takes a number "
                                        "that large, so write the real figure")
    assert {p.name: p.read_text() for p in (repo / "providers").iterdir()} == before


def test_csv_cell_under_no_column_name_is_refused_not_dropped(repo, capsys, monkeypatch):
    """A filled cell right of the named columns was dropped unseen: 'aston-house,,1,000' set 1 free bed."""
    before = {p.name: p.read_text() for p in (repo / "providers").iterdir()}
    f = repo.parent / "v.csv"
    f.write_text("home,nursing_free,residential_free\naston-house,,1,000\neastbank,,2,,\nlyndale;x,,1\n"
                 "dulas-court,,1,,,note\n")
    monkeypatch.chdir(repo.parent)
    assert main(["vacancies", "--from-csv", "v.csv", "--providers", str(repo / "providers")]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "v.csv:2: column D: '000' is under no column name (the first row names 3 columns, A to C); delete it, "
        "name its column in the first row, or put a value that holds a comma in quotes",
        "v.csv:4: home: 'lyndale;x' is not a home in repo/providers (did you mean lyndale, the page of Lyndale?); "
        "give the page name (such as aston-house) "
        "or the CQC location ID",
        "v.csv:5: column F: 'note' is under no column name (the first row names 3 columns, A to C); delete it, "
        "name its column in the first row, or put a value that holds a comma in quotes",
    ]
    assert err == "3 problems in v.csv: nothing was changed. Correct the rows above and run the command again.\n"
    assert {p.name: p.read_text() for p in (repo / "providers").iterdir()} == before


@pytest.mark.parametrize("rest", ['"lyndale,,1\neastbank,,2\n', '"lyndale,,1\n'])
def test_csv_quote_never_closed_is_said_not_taken_for_a_home_of_that_name(repo, capsys, monkeypatch, rest):
    """A row opening a quote it never closes: the rest of the sheet was read as one cell, and the reply was
    "'lyndale,,1' is not a home" (import-cqc says the quote is not closed)."""
    before = {p.name: p.read_text() for p in (repo / "providers").iterdir()}
    (repo.parent / "v.csv").write_text("home,nursing_free,residential_free\n" + rest)
    monkeypatch.chdir(repo.parent)
    assert main(["vacancies", "--from-csv", "v.csv", "--providers", str(repo / "providers")]) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines() == [f"v.csv:2: a quote (\") is not closed, so 'lyndale,,1' and what follows it, to line "
                                f"{rest.count(chr(10)) + 1}, were read as one cell; close the quote or delete it"]
    assert {p.name: p.read_text() for p in (repo / "providers").iterdir()} == before


def test_csv_from_excel_with_bom_semicolons_and_crlf(repo):
    f = repo.parent / "excel.csv"
    f.write_bytes(b"\xef\xbb\xbfHome;Nursing_free;Residential_free\r\naston-house;;3\r\n;;\r\n")
    r = run_build("vacancies", "--from-csv", str(f), "--providers", str(repo / "providers"), cwd=repo.parent)
    assert r.returncode == 0, r.stdout + r.stderr
    assert yaml.safe_load((repo / "providers" / "aston-house.yaml").read_text())["beds"]["residential"]["available"] == 3
    # Excel's "Unicode Text": UTF-16 with its byte order mark, tab-separated
    f.write_bytes("Home\tNursing_free\tResidential_free\r\naston-house\t\t2\r\n".encode("utf-16"))
    r = run_build("vacancies", "--from-csv", str(f), "--providers", str(repo / "providers"), cwd=repo.parent)
    assert r.returncode == 0, r.stdout + r.stderr
    assert yaml.safe_load((repo / "providers" / "aston-house.yaml").read_text())["beds"]["residential"]["available"] == 2
    f.write_text("name,free\naston-house,1\n")
    r = run_build("vacancies", "--from-csv", str(f), "--providers", str(repo / "providers"), cwd=repo.parent)
    assert r.returncode == 1 and r.stdout.strip() == (
        "excel.csv:1: the first row must name the columns home, nursing_free, residential_free for care homes or "
        "home, taking_new_clients, hours_available for home care agencies (and optionally confirmed); it names none "
        "of nursing_free, residential_free, taking_new_clients, hours_available")


def sheet(repo, capsys, name: str, content: str | bytes) -> tuple[int, str, str]:
    """Run vacancies --from-csv in-process on a sheet; the exit code, stdout and stderr."""
    from carehomes import cli

    f = repo.parent / name
    f.write_bytes(content if isinstance(content, bytes) else content.encode())
    code = cli.main(["vacancies", "--from-csv", str(f), "--providers", str(repo / "providers")])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("head, column, where", [
    ("home,nursing_free,residential_free,home", "home", "A and D"),
    ("home,residential_free,nursing_free,Residential_Free ", "residential_free", "B and D"),
])
def test_a_sheet_naming_a_column_twice_changes_nothing(repo, capsys, head, column, where):
    before = {p.name: p.read_text() for p in (repo / "providers").iterdir()}
    code, out, err = sheet(repo, capsys, "twice.csv", f"{head}\naston-house,,3,blackwells\n")
    assert code == 1 and out.splitlines() == [
        f"{repo.parent / 'twice.csv'}:1: the first row names the column {column} twice (columns {where}); "
        "keep one column of each name and delete the other"]
    assert {p.name: p.read_text() for p in (repo / "providers").iterdir()} == before


@pytest.mark.parametrize("size", [80_000, 1_000_000])
def test_a_long_first_line_is_refused_at_once(repo, capsys, size):
    import time

    start = time.perf_counter()
    code, out, _ = sheet(repo, capsys, "long.csv", (',"' * size)[:size] + "\naston-house,,3\n")
    assert time.perf_counter() - start < 1.0
    assert code == 1 and out.splitlines() == [
        f"{repo.parent / 'long.csv'}:1: the first row is longer than 4,096 characters, too long to be a row of column "
        "names; the first row must name the columns home, nursing_free, residential_free for care homes or home, "
        "taking_new_clients, hours_available for home care agencies (and optionally confirmed)"]


@pytest.mark.slow  # writes a sheet too big (over half a second: the fast set stays under 30 s)
def test_a_sheet_too_big_or_too_long_is_refused_saying_how_to_split_it(repo, capsys):
    code, out, _ = sheet(repo, capsys, "big.csv", "home,nursing_free,residential_free\n" + "x" * 10_000_000 + "\n")
    assert code == 1 and out.splitlines() == [
        f"{repo.parent / 'big.csv'}: is 10.0 MB, more than the 10 MB a vacancy sheet may be; split it into smaller "
        "sheets (one for each area, say) and run the command for each"]
    code, out, _ = sheet(repo, capsys, "rows.csv", "home,nursing_free,residential_free\n" + "aston-house,,1\n" * 50_001)
    assert code == 1 and out.splitlines() == [
        f"{repo.parent / 'rows.csv'}: has more than the 50,000 rows a vacancy sheet may have; split it into smaller "
        "sheets (one for each area, say) and run the command for each"]
    code, out, _ = sheet(repo, capsys, "ok.csv", "home,nursing_free,residential_free,notes,\n"
                         + "aston-house,,1,,\n" + "\n" * 49_998)
    assert code == 0, out


# --- the workflow ------------------------------------------------------------------------------------


def load_workflow(name):
    data = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())
    data["on"] = data.pop(True, data.get("on"))
    return data


def test_provider_update_workflow_never_puts_the_issue_text_in_a_script():
    text = (ROOT / ".github" / "workflows" / "provider-update.yml").read_text()
    wf = load_workflow("provider-update.yml")
    assert wf["on"] == {"issues": {"types": ["opened", "edited"]}}
    steps = wf["jobs"]["apply"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "${{" not in runs, "untrusted values reach shell commands only through env"
    assert text.count("${{ github.event.issue.body }}") == 1
    save = next(s for s in steps if s.get("env", {}).get("BODY"))
    assert save["env"]["BODY"] == "${{ github.event.issue.body }}" and save["run"] == 'printf \'%s\' "$BODY" > "$RUNNER_TEMP/issue-body.md"'
    apply_step = next(s for s in steps if "apply-update" in s.get("run", ""))
    assert '--body "$RUNNER_TEMP/issue-body.md" --author "$AUTHOR"' in apply_step["run"]
    assert apply_step["env"]["AUTHOR"] == "${{ github.event.issue.user.login }}"
    assert "--result" in apply_step["run"] and apply_step["continue-on-error"] is True
    assert "python3 build.py check" in runs and "python3 build.py fmt --check" in runs
    for needed in ("github git --default-token -- push origin HEAD:main", "github dispatch publish.yml --ref main",
                   "github pull-request --head", "github comment", "--body-file", "github close"):
        assert needed in runs, needed
    assert wf["permissions"] == {}, "no permissions at workflow level: each job names its own"
    assert wf["jobs"]["apply"]["permissions"] == {"contents": "write", "issues": "write", "pull-requests": "write",
                                                 "actions": "write"}
    assert all(s.get("with", {}).get("persist-credentials") is False for s in steps if s.get("uses", "").startswith("actions/checkout@"))


def test_trust_codes_are_checked_against_the_nhs_list_before_writing_and_commas_separate_codes(repo):
    """The reviewer's body4.md: 'RLQ, XYZ' then 'zzz9' was written and check then failed."""
    aston = repo / "providers" / "aston-house.yaml"
    before = aston.read_text()
    r, res = apply(repo, body({"Acute trusts worked with": "RLQ, XYZ\nzzz9"}), "council-steward")
    assert r.returncode == 1 and res["status"] == "invalid"
    assert res["errors"] == [
        "Acute trusts worked with: item 2 'XYZ' is not an NHS trust code; did you mean 'RXY' "
        "(Kent and Medway Mental Health NHS Trust)?",
        "Acute trusts worked with: item 3 'zzz9' is not an NHS trust code; give the NHS organisation code of the trust, "
        "such as RLQ for Wye Valley NHS Trust",
    ]
    assert aston.read_text() == before
    # a trust's whole name, on its own line, is its code (providers' review: refused, with its code as a "did you mean");
    # a hospital's name is no trust's: the hint names where to look it up, an address GitHub's reply does not break up
    r, res = apply(repo, body({"Acute trusts worked with": "wye valley  NHS trust\nOur Local Cottage Hospital"}), "council-steward")
    assert res["errors"] == ["Acute trusts worked with: item 2 'Our Local Cottage Hospital' is a name; give the trust's NHS "
                             "organisation code instead: look the trust up in the NHS's Organisation Data Service "
                             "(odsportal.digital.nhs.uk)"]
    r, res = apply(repo, body({"Acute trusts worked with": "Wye Valley NHS Trust\nRWP"}), "council-steward")
    assert r.returncode == 0 and res["status"] == "applied", r.stdout
    assert [(c["field"], c["after"]) for c in res["changed"]] == [("care.acute_trusts", ["RLQ", "RWP"])]
    assert run_build("check", str(repo / "providers")).returncode == 0


def test_form_replies_use_plain_words_not_yaml(repo):
    aston = repo / "providers" / "aston-house.yaml"
    before = aston.read_text()
    # a full-width '２' (typed with a Japanese or Chinese keyboard) is the number 2; no talk of quotes
    r, res = apply(repo, body({"Beds without nursing free now": "２", "Availability confirmed on": "30/11/2026"}), "aston-manager")
    assert r.returncode == 0 and res["status"] == "applied", r.stdout
    assert [(c["field"], c["after"]) for c in res["changed"]] == [("beds.residential.available", 2),
                                                                  ("beds.confirmed", "2026-11-30")]
    aston.write_text(before)
    r, res = apply(repo, body({"Beds without nursing free now": "٢x"}), "aston-manager")
    assert res["errors"] == ["Beds without nursing free now: must be a whole number in figures, such as 3 or 0 for none, not '٢x'"]
    r, res = apply(repo, body({"Beds without nursing free now": "٣"}), "aston-manager")  # in the form's words, not the file's
    assert res["errors"] == ["Beds without nursing free now: must be written with the digits 0 to 9: type 3"], res
    # a superscript is no digit: '3²' (a slip on a phone's keyboard) is refused, not read as 32 beds; nor is a fee of '£9²'
    r, res = apply(repo, body({"Beds without nursing free now": "3²", "Weekly fee without nursing, from": "£9²"}), "aston-manager")
    assert res["errors"] == ["Beds without nursing free now: must be a number written with the digits 0 to 9, not '3²'",
                             "Weekly fee without nursing, from: must be a number, not '£9²'; write it in figures, like 950"]
    assert aston.read_text() == before
    r, res = apply(repo, body({"Beds without nursing free now": "2", "Availability confirmed on": "31/02/2026"}), "aston-manager")
    assert res["errors"] == ["Availability confirmed on: '31/02/2026' is not a real date; check the day and month"]
    # 0 beds with nursing at a home CQC registers only without nursing: not applicable, stored as nothing, said in the form's words
    r, res = apply(repo, body({"Beds with nursing free now": "0"}), "aston-manager")
    assert res["status"] == "unchanged" and res["errors"] == [] and res["notes"] == [
        "Beds with nursing free now: 0 is not applicable: CQC does not register this home for care with nursing ('Care home "
        "with nursing' is no), so nothing is stored for it"]
    r, res = apply(repo, body({"Beds with nursing free now": "1"}), "aston-manager")
    assert res["errors"] == [
        "Beds with nursing free now: is 1 but CQC does not register this home for care with nursing ('Care home with "
        "nursing' is no); count these beds in 'Beds without nursing free now', or ask the council to import the latest CQC register"]
    text = ("### Your home's page name\n\naston-house\n\n### Beds with nursing\n\n4\n\n"
            "### Weekly fee with nursing, from\n\n£1,250\n\n### Weekly fee without nursing, from\n\n£9x")
    r, res = apply(repo, text, "aston-manager")
    assert res["errors"] == [  # (in the order check finds them: types first, then rules across fields)
        "Weekly fee without nursing, from: must be a number, not '£9x'; write it in figures, like 950",
        "Beds with nursing: is 4 but CQC does not register this home for care with nursing ('Care home with nursing' is "
        "no); count these beds in 'Beds without nursing', or ask the council to import the latest CQC register"]
    assert not any(w in e for e in res["errors"] for w in ("quotes", "beds.", "yes/no", "YAML", "'- '"))
    assert aston.read_text() == before


# --- 0 free for a kind of bed the home is not registered for: not applicable, stored as nothing ----------


NOT_APPLICABLE_FORM = ("Beds without nursing free now: 0 is not applicable: CQC does not register this home for care "
                       "without nursing ('Care home without nursing' is no), so nothing is stored for it")
NOT_APPLICABLE_REPLY = "- " + NOT_APPLICABLE_FORM.replace("(", "\\(").replace(")", "\\)")  # as md_safe escapes it


def test_form_zero_for_a_kind_of_bed_not_registered_is_stored_as_nothing_and_said(repo):
    bowley = repo / "providers" / "bowley-court.yaml"  # care.residential: no
    r, res = apply(repo, body({"Beds with nursing free now": "1", "Beds without nursing free now": "0"}, home="bowley-court"),
                   "council-steward")
    assert r.returncode == 0, r.stdout + r.stderr
    assert res["status"] == "applied"
    beds = yaml.safe_load(bowley.read_text())["beds"]
    assert beds["nursing"]["available"] == 1 and "residential" not in beds
    assert [c["field"] for c in res["changed"]] == ["beds.nursing.available", "beds.confirmed"]
    assert NOT_APPLICABLE_REPLY in r.stdout.splitlines()
    assert res["notes"] == [NOT_APPLICABLE_FORM]
    # the 0 alone: nothing to store, and the reply says why
    r, res = apply(repo, body({"Beds without nursing free now": "0"}, home="bowley-court"), "council-steward")
    assert r.returncode == 0 and res["status"] == "unchanged"
    assert r.stdout == ("Nothing needed changing: the page for **Bowley Court** already says this.\n\n"
                        f"{NOT_APPLICABLE_REPLY}\n")
    # above 0 is refused, as before
    r, res = apply(repo, body({"Beds without nursing free now": "2"}, home="bowley-court"), "council-steward")
    assert res["status"] == "invalid" and res["errors"][0].startswith(
        "Beds without nursing free now: is 2 but CQC does not register this home for care without nursing")
    assert "residential" not in yaml.safe_load(bowley.read_text())["beds"]


def test_sheet_zero_for_a_kind_of_bed_not_registered_is_stored_as_nothing_and_said(repo):
    f = repo.parent / "v.csv"
    f.write_text(csv_rows(["bowley-court,2,0,", "market-lodge,1,,"]))
    r = run_build("vacancies", "--from-csv", str(f), "--providers", str(repo / "providers"), cwd=repo.parent)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[-1] == ("v.csv:2: residential_free: 0 is not applicable: CQC does not register this home "
                                         "for care without nursing (care.residential is no), so nothing is stored for it")
    beds = yaml.safe_load((repo / "providers" / "bowley-court.yaml").read_text())["beds"]
    assert beds["nursing"]["available"] == 2 and "residential" not in beds
    assert run_build("check", str(repo / "providers")).returncode == 0
    f.write_text(csv_rows(["bowley-court,2,1,"]))
    r = run_build("vacancies", "--from-csv", str(f), "--providers", str(repo / "providers"), cwd=repo.parent)
    assert r.returncode == 1 and r.stdout.startswith("v.csv:2: residential_free: is 1 but CQC does not register this home")


def east_area(repo) -> str:
    """Move Example Full House into an area of its own (areas/east/, docs/areas.md) and commit it; the area's name."""
    area = repo / "areas" / "east"
    (area / "providers").mkdir(parents=True)
    (area / "mkdocs.yml").write_text("INHERIT: ../../mkdocs.yml\nextra:\n  directory:\n    council: East Council (fictional)\n"
                                     "    contact_email: care@east-council.example.net\n    contact_phone: 01632 960123\n")
    (repo / "providers" / "example-full.yaml").rename(area / "providers" / "example-full.yaml")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the east area")
    return "east"


def test_an_areas_form_update_edits_that_areas_profile(repo):
    """The repository variable AREA (provider-update.yml passes --area): the home named is found in, and its
    file written in, areas/NAME/providers/; without --area the top level's providers/ has no such home."""
    east = east_area(repo)
    text = body({"Beds with nursing free now": "1", "Beds without nursing free now": "0"}, home="example-full")
    r, res = apply(repo, text, "example-manager")
    assert r.returncode == 1 and res["status"] == "invalid"
    assert res["errors"] == ["Your home's page name: 'example-full' is not a home in the directory; use the link on your "
                             "home's page, which fills it in, or give your CQC location ID"]
    r, res = apply(repo, text, "example-manager", "--area", east)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (res["status"], res["path"], res["mode"]) == ("applied", "areas/east/providers/example-full.yaml", "commit")
    assert git(repo, "status", "--porcelain") == " M areas/east/providers/example-full.yaml\n"
    r, res = apply(repo, body({}, home="example-full"), "stranger", "--area", east)
    assert "ask East Council (fictional) (care@east-council.example.net, 01632 960123) to add" in res["errors"][-1], \
        "the area's council, from its own settings"
    r, _ = apply(repo, text, "example-manager", "--area", "west")
    assert r.returncode == 2 and r.stderr.startswith("--area west: there is no such area (no areas/west/mkdocs.yml); the areas are: east")


def test_an_areas_maintainer_may_change_that_areas_profile_only_with_its_area(repo):
    """ownership.yml passes the repository variable AREA: a maintainer's change to areas/NAME/providers/ is theirs
    to make with --area NAME; without it the file is outside the providers' folder, so a steward's."""
    east_area(repo)
    base = git(repo, "rev-parse", "HEAD").strip()
    path = repo / "areas" / "east" / "providers" / "example-full.yaml"
    path.write_text(path.read_text().replace("    available: 2\n", "    available: 1\n"))
    git(repo, "commit", "-qam", "one bed fewer")
    r = run_build("check-ownership", "--repo", str(repo), "--author", "example-manager", "--base", base)
    assert r.returncode == 1
    assert r.stdout == ("areas/east/providers/example-full.yaml: only the council may change this file; "
                        "a provider changes only their own profile\n")
    r = run_build("check-ownership", "--repo", str(repo), "--author", "example-manager", "--base", base, "--area", "east")
    assert (r.returncode, r.stderr) == (0, f"example-manager may make every change since {base}.\n")
    r = run_build("check-ownership", "--repo", str(repo), "--author", "stranger", "--base", base, "--area", "east")
    assert r.returncode == 1 and r.stdout.startswith("areas/east/providers/example-full.yaml: stranger does not look after this page")


def test_ctrl_c_while_a_sheet_is_written_waits_for_every_home(repo, monkeypatch, capsys):
    from carehomes import updates

    f = repo.parent / "vacancies.csv"
    f.write_text(ten_homes(repo))
    written = ctrl_c_on_first_write(monkeypatch, updates)  # Ctrl+C as the first home is written
    assert main(["vacancies", "--from-csv", str(f), "--providers", str(repo / "providers")]) == 130
    assert capsys.readouterr().err.endswith("Interrupted. Every profile the update changes (10) was written before it "
                                            "stopped.\n") and len(written) == 10


@pytest.mark.parametrize("content, said", [
    ("home,nursing_free,residential_free\r\n", "v.csv:2: no home is listed under the first row; add a row for each home "
                                               "to update (home, nursing_free, residential_free)"),
    ("Home;Residential_free;Nursing_free\n;;\n\n", "v.csv:2: no home is listed under the first row; add a row for each "
                                                   "home to update (home, nursing_free, residential_free)"),
])
def test_a_sheet_with_no_rows_under_its_first_row_is_refused(repo, capsys, content, said):
    """A header-only export is most likely the wrong file: said, and exit 1 (a steward's script notices)."""
    before = {p.name: p.read_text() for p in (repo / "providers").iterdir()}
    code, out, err = sheet(repo, capsys, "v.csv", content)
    assert (code, out.strip()) == (1, f"{repo.parent}/{said}")
    assert err == f"1 problem in {repo.parent}/v.csv: nothing was changed. Correct the rows above and run the command again.\n"
    assert {p.name: p.read_text() for p in (repo / "providers").iterdir()} == before


def test_an_updates_result_in_a_folder_not_made_yet_is_written(repo):
    r = run_build("apply-update", "--body", str(FIXTURES / "issue-forms" / "update-vacancies.md"), "--author",
                  "Aston-Manager", "--repo", str(repo), "--issue", "12", "--on", ON, "--result",
                  str(repo.parent / "new" / "result.json"))
    assert r.returncode == 0, r.stderr
    assert json.loads((repo.parent / "new" / "result.json").read_text())["status"] == "applied"


def test_an_update_whose_result_cannot_be_written_changes_nothing(repo):
    """--result is looked at before the profile is changed (a folder named as the result left the vacancies written
    and the workflow with no result, so the change was never committed)."""
    aston = repo / "providers" / "aston-house.yaml"
    before = aston.read_text()
    f = repo.parent / "body.md"
    f.write_text(body({"Beds without nursing free now": "2"}))
    folder = repo.parent / "results"
    folder.mkdir()
    r = run_build("apply-update", "--body", str(f), "--author", "Aston-Manager", "--repo", str(repo), "--issue", "12",
                  "--on", ON, "--result", str(folder))
    assert (r.returncode, r.stdout, r.stderr) == (
        2, "", f"{folder}: cannot be written (it is a folder); nothing was changed\n")
    assert aston.read_text() == before


def test_a_year_typed_with_two_digits_is_refused(repo):
    """0026-11-23 is a real date to Python: a year before 1900 is no fact of a care service, in a sheet or a profile."""
    f = repo.parent / "v.csv"
    f.write_text(csv_rows(["eastbank,,1,0026-11-23"]))
    before = (repo / "providers" / "eastbank.yaml").read_text()
    r = run_build("vacancies", "--from-csv", str(f), "--providers", str(repo / "providers"), cwd=repo.parent)
    assert r.returncode == 1 and r.stdout.splitlines() == [
        "v.csv:2: confirmed: 0026-11-23 is before 1900; write the year in full (write it as YYYY-MM-DD or 23/11/2026)"]
    assert (repo / "providers" / "eastbank.yaml").read_text() == before
    profile = repo / "providers" / "eastbank.yaml"
    profile.write_text(before.replace("  registered:", "  confirmed: 0026-11-23\n  registered:", 1))
    r = run_build("check", str(profile))
    assert r.returncode == 1 and "beds.confirmed: 0026-11-23 is before 1900; write the year in full (YYYY-MM-DD)" in r.stdout


def test_a_date_given_long_before_the_day_is_said_back_in_words(repo):
    """From a provider's review: '12/5/2026' (meant as 5 December) was stored as 12 May 2026, seven months before,
    with no word in the reply. The reply now says the day as read and its age, and how dates are read."""
    r, res = apply(repo, body({"Beds without nursing free now": "2", "Availability confirmed on": "12/5/2026"}), "aston-manager")
    assert r.returncode == 0 and res["status"] == "applied"
    assert res["notes"] == ["Availability confirmed on: read as 12 May 2026, 6 months ago, so the page may show it as out of "
                            "date. If you meant another day, edit this request: dates are read day first, as 23/11/2026"]
    assert "- Availability confirmed on: read as 12 May 2026, 6 months ago" in r.stdout
    r, res = apply(repo, body({"Beds without nursing free now": "3", "Availability confirmed on": "28/11/2026"}), "aston-manager")
    assert res["status"] == "applied" and res["notes"] == []  # two days before: no note


@pytest.mark.parametrize("name, start", [("v.xlsx", b"PK\x03\x04\x14\x00\x06\x00"), ("v.ods", b"PK\x03\x04\n\x00\x00\x00"),
                                         ("v.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00")])
def test_a_workbook_given_for_the_csv_is_named_as_one(repo, capsys, name, start):
    """stewards.md says to save the sheet as CSV first; a steward who gives the workbook itself was told that its first
    row 'names none of nursing_free, ...', and then to 'correct the rows above'."""
    before = {p.name: p.read_text() for p in (repo / "providers").iterdir()}
    code, out, err = sheet(repo, capsys, name, start + b"\x00" * 64)
    assert code == 1 and out.splitlines() == [
        f"{repo.parent / name}: is a spreadsheet workbook (.xlsx, .xls or .ods), not CSV; save the sheet as CSV "
        "(in Excel: File, Save a copy, CSV UTF-8) and give that file"]
    assert err == f"1 problem in {repo.parent / name}: nothing was changed.\n"
    assert {p.name: p.read_text() for p in (repo / "providers").iterdir()} == before


def test_a_sheet_that_is_not_there_is_not_told_to_correct_its_rows(repo, capsys):
    from carehomes import cli

    assert cli.main(["vacancies", "--from-csv", str(repo.parent / "none.csv"), "--providers", str(repo / "providers")]) == 1
    out, err = capsys.readouterr()
    assert out == f"{repo.parent / 'none.csv'}: cannot be read (No such file or directory)\n"
    assert err == f"1 problem in {repo.parent / 'none.csv'}: nothing was changed.\n"


@pytest.mark.parametrize("typed, unit, read", [
    ("２", "", "2"), ("－３", "", "-3"), (" 4 ", "", "4"), ("２０ｈ", UNITS_TYPED["hours a week"], "20"),
    ("3²", "", None), ("²", "", None), ("½", "", None), ("٣", "", None), ("1⁰", "", None), ("2₂", "", None),
])
def test_a_whole_number_is_read_from_ascii_or_full_width_digits_only(typed, unit, read):
    from carehomes.text import typed_whole

    assert typed_whole(typed, unit) == read


def test_a_fee_typed_with_a_full_width_pound_sign_and_digits_is_read():
    from carehomes.schema import load_schema
    from carehomes.updates import form_value

    fee = load_schema().by_path["fees.residential_from"]
    assert (form_value(fee, "￡９５０"), form_value(fee, "£1,250"), form_value(fee, "£9²")) == (950, 1250, "£9²")


SENT = ("--on", "2026-12-02")  # the day the manager sent the form


def test_a_month_first_date_is_refused_when_it_would_date_the_free_beds_before_the_page_does(repo):
    """A manager sent '12/01/2026' on 2 December meaning 1 December: it was read as 12 January, applied, and the page
    said 2 beds free confirmed 10 months ago, over its answer of 1 December. An availability date before the page's is
    older news over newer: refused, with the day-first date she may mean. '11/30/2026' says which date it may be."""
    aston = repo / "providers" / "aston-house.yaml"
    r, res = apply(repo, body({"Beds without nursing free now": "3", "Availability confirmed on": "01/12/2026"}), "aston-manager", *SENT)
    assert res["status"] == "applied", res
    git(repo, "commit", "-qam", "vacancies of 1 December")
    before = aston.read_text()
    r, res = apply(repo, body({"Beds without nursing free now": "2", "Availability confirmed on": "12/01/2026"}), "aston-manager", *SENT)
    assert r.returncode == 1 and res["status"] == "invalid" and res["errors"] == [
        "Availability confirmed on: '12/01/2026' is read as 12 January 2026, before 1 December 2026, the date your page "
        "already gives, so the page would show older news as the latest; dates are read day first: for 1 December 2026, "
        "type 01/12/2026"]
    r, res = apply(repo, body({"Beds without nursing free now": "2", "Availability confirmed on": "2026-11-15"}), "aston-manager", *SENT)
    assert res["errors"] == [
        "Availability confirmed on: '2026-11-15' is read as 15 November 2026, before 1 December 2026, the date your page "
        "already gives, so the page would show older news as the latest; leave the date empty if you checked today, or "
        "type the day you checked, day first, as 23/11/2026"]
    r, res = apply(repo, body({"Beds without nursing free now": "2", "Availability confirmed on": "11/30/2026"}), "aston-manager", *SENT)
    assert res["errors"] == ["Availability confirmed on: '11/30/2026' is not a real date; dates are read day first: "
                             "for 30 November 2026, type 30/11/2026"]
    # an issue sent before the page's answer and edited after it (the workflow passes the day it was sent)
    r, res = apply(repo, body({"Beds without nursing free now": "2"}), "aston-manager", "--on", "2026-11-28")
    assert res["errors"] == ["Availability confirmed on: this request was sent on 28 November 2026, but your page already "
                             "has a newer answer, confirmed on 1 December 2026; to change it again, open a new form from "
                             "your page"]
    assert aston.read_text() == before and git(repo, "status", "--porcelain") == ""
    r, res = apply(repo, body({"Beds without nursing free now": "2", "Availability confirmed on": "01/12/2026"}), "aston-manager", *SENT)
    assert res["status"] == "applied"  # the same day again is no older


def test_a_request_edited_after_a_newer_answer_is_told_to_open_a_new_form_not_to_edit_it(repo):
    """From the forms review: a request sent on 5 December and edited on 7 December, after the page had a newer answer
    of 7 December, was told "to change it again, open a new form from your page", then "To correct your answers, select
    the 3 dots ... then Edit", which would only be refused again. When the page's newer answer is the only problem the
    reply says how to open a new form; a date typed before the page's still gets the Edit paragraph (typed again, it
    can go in)."""
    r, res = apply(repo, body({"Beds without nursing free now": "3"}), "aston-manager", "--on", "2026-12-07")
    assert res["status"] == "applied", res
    r, res = apply(repo, body({"Beds without nursing free now": "2"}), "aston-manager", "--on", "2026-12-05",
                   "--edited-on", "2026-12-07")
    assert r.returncode == 1 and res["no_answers"] is True
    assert r.stdout == (
        "This update was not made.\n\n- Availability confirmed on: this request was sent on 5 December 2026, but your page "
        "already has a newer answer, confirmed on 7 December 2026; to change it again, open a new form from your page\n\n"
        "At the bottom of your page in the directory, under **Update this page**, select the form you need: it opens with "
        "your page filled in. You can close this request.\n")
    r, res = apply(repo, body({"Beds without nursing free now": "2", "Availability confirmed on": "2026-12-06"}),
                   "aston-manager", "--on", "2026-12-07")
    assert r.returncode == 1 and res["no_answers"] is False
    assert r.stdout.endswith("\n\nTo correct your answers, select the 3 dots (**...**) at the top right of your request, "
                             "then **Edit**. Change the answers and select **Update comment**. We check them again "
                             "straight away.\n")


def test_csv_row_older_than_the_page_is_refused(repo, capsys):
    """A steward ran a sheet of phone calls of 2 December after the home's own form of 4 December: its older counts
    replaced the newer ones and the page dated them 2 December. Refused, and nothing changes."""
    aston = repo / "providers" / "aston-house.yaml"
    aston.write_text(aston.read_text().replace("  registered: 16\n", "  registered: 16\n  residential:\n    available: 0\n"
                                               "  confirmed: 2026-12-04\n"))
    before = aston.read_text()
    code, out, err = sheet(repo, capsys, "calls.csv", "\ufeffhome;nursing_free;residential_free;confirmed\r\n"
                                                     "aston-house;;3;02/12/2026\r\n")
    assert code == 1 and out.replace(f"{repo.parent}/", "") == ("calls.csv:2: confirmed: 2 December 2026 is before 4 December 2026, when aston-house's "
                                 "page was last confirmed; its newer answer is kept: take this row out, or correct its date\n")
    assert aston.read_text() == before
    code, out, err = sheet(repo, capsys, "calls.csv", "home,nursing_free,residential_free,confirmed\naston-house,,3,04/12/2026\n")
    assert code == 0 and yaml.safe_load(aston.read_text())["beds"]["residential"]["available"] == 3


# --- replies to answers found in a review of the provider journeys ---------------------------------


HTML_NOTE = ("About the home: '<b>' and '<i>' are HTML tags, which the page shows as typed, not as formatting: take them "
             "out. The page shows plain text, in which a blank line starts a new paragraph and **bold** or *italic* marks "
             "words")


def test_html_in_the_description_is_applied_and_the_reply_says_the_page_shows_it_as_typed(repo):
    """'We are a <b>lovely</b> home' was applied and the page showed '<b>' as text (safetext.markdown_lite escapes
    it), with no word to the manager. It is a warning, as check's on a description's links: applied, and said."""
    text = ("### Your home's page name\n\naston-house\n\n### About the home\n\n"
            "We are a <b>lovely</b> home.\n\nWith a <i>garden</i>.")
    r, res = apply(repo, text, "aston-manager")
    assert r.returncode == 0 and res["status"] == "applied", r.stdout
    assert yaml.safe_load((repo / "providers" / "aston-house.yaml").read_text())["description"] == (
        "We are a <b>lovely</b> home.\n\nWith a <i>garden</i>.")
    assert res["notes"] == [HTML_NOTE]
    assert ("- About the home: '&lt;b&gt;' and '&lt;i&gt;' are HTML tags, which the page shows as typed, not as formatting: "
            "take them out. The page shows plain text, in which a blank line starts a new paragraph and \\*\\*bold\\*\\* or "
            "\\*italic\\* marks words\n") in res["comment"]


def test_a_description_link_with_no_https_is_applied_and_the_reply_says_what_the_page_shows(repo):
    """'Visit [our website](www.coppice.example) or call' was applied and the page showed 'Visit our website or call',
    the address gone, while the reply said the address was 'shown as plain text'. The page shows 'our website
    (www.coppice.example)' now, and the reply quotes it; a javascript: address is said to be left out."""
    text = ("### Your home's page name\n\naston-house\n\n### About the home\n\n"
            "Visit [our website](www.coppice.example) or call.\n[click](javascript:alert(1))")
    r, res = apply(repo, text, "aston-manager")
    assert r.returncode == 0 and res["status"] == "applied", r.stdout
    assert res["notes"] == [
        "About the home: the link to 'www.coppice.example' is shown as plain text, not a link: the page shows 'our "
        "website (www.coppice.example)'. A link must be a whole web address starting https:// or http://, or a mailto: "
        "or tel: link, like [our website](https://www.example.org)",
        "About the home: the link to 'javascript:alert(1)' is left out, not shown: the page shows 'click' alone, not as "
        "a link. A link must be a whole web address starting https:// or http://, or a mailto: or tel: link, like "
        "[our website](https://www.example.org)"]


def test_a_description_with_emoji_typed_on_a_phone_is_applied_as_typed(repo):
    """'Our nurses' with a nurse emoji (a woman and a staff joined by U+200D ZERO WIDTH JOINER), a family, the rainbow
    flag and a red heart (U+FE0F) was refused as holding an invisible character; a zero-width space still is, the
    reply quoting the emoji as typed around it."""
    said = ("Our nurses \U0001f469\u200d\u2695\ufe0f and families \U0001f468\u200d\U0001f469\u200d\U0001f467 "
            "welcome everyone \U0001f3f3\ufe0f\u200d\U0001f308 with love \u2764\ufe0f")
    text = "### Your home's page name\n\naston-house\n\n### About the home\n\n"
    r, res = apply(repo, text + said.replace("with", "with\u200b"), "aston-manager")
    assert res["errors"] == ["About the home: contains the invisible character U+200B ZERO WIDTH SPACE; retype the text "
                             "without it: '...\U0001f469\u200d\U0001f467 welcome everyone \U0001f3f3\ufe0f\u200d\U0001f308 "
                             "with\\u200b love \u2764\ufe0f'"]
    r, res = apply(repo, text + said, "aston-manager")
    assert r.returncode == 0 and res["status"] == "applied" and res["errors"] == [], r.stdout
    assert yaml.safe_load((repo / "providers" / "aston-house.yaml").read_text())["description"] == said


def test_a_warning_on_a_fact_not_sent_never_stops_an_update(repo):
    """A description link the page shows as plain text (check's warning, the profile still used) refused every later
    vacancy update of the home, as if the manager had sent it; the vacancies command let it pass."""
    aston = repo / "providers" / "aston-house.yaml"
    aston.write_text(aston.read_text() + 'description: "See [our site](ftp://example.org)"\n')
    git(repo, "commit", "-qam", "a description check warns of")
    r, res = apply(repo, body({"Beds without nursing free now": "2"}), "aston-manager")
    assert (r.returncode, res["status"], res["errors"], res["notes"]) == (0, "applied", [], []), r.stdout


def test_our_example_web_address_reads_as_typed_and_the_managers_stays_unlinked(repo):
    """'example-home.co.uk' was answered 'must start with https[:]// (or http[:]//), like
    https[:]//www[.]example.org/example-house': the link-breaking for her text broke our own example too."""
    text = "### Your home's page name\n\naston-house\n\n### Website\n\nexample-home.co.uk"
    r, res = apply(repo, text, "aston-manager")
    assert res["errors"] == ["Website: 'example-home.co.uk' must start with https:// (or http://), like "
                             "https://www.example.org/example-house"]
    assert r.stdout.splitlines()[2] == ("- Website: 'example-home.co.uk' must start with `https://` \\(or "
                                        "`http://`\\), like `https://www.example.org/example-house`")
    r, res = apply(repo, text.replace("example-home.co.uk", "see www.evil.example/?to=https://evil.example"), "aston-manager")
    assert r.stdout.splitlines()[2] == ("- Website: links must start with `https://` or `http://`, not 'see "
                                        "www\\[.\\]evil.example/?to=https:'")  # no link in the reply
    r, res = apply(repo, text.replace("example-home.co.uk", "javascript:alert(1)"), "aston-manager")
    assert r.stdout.splitlines()[2] == "- Website: links must start with `https://` or `http://`, not 'javascript:'"


def test_a_website_written_www_is_kept_with_https_as_the_reply_shows(repo):
    """From the provider review: 'www.waverleyhouse.co.uk', as a website is often written, was refused. It is kept as
    https://www.waverleyhouse.co.uk, and the reply's table shows what was kept."""
    text = "### Your home's page name\n\naston-house\n\n### Website\n\nwww.example-home.co.uk"
    r, res = apply(repo, text, "aston-manager")
    assert res["status"] == "applied", r.stdout
    assert [(c["field"], c["after"]) for c in res["changed"]] == [("contact.website", "https://www.example-home.co.uk")]
    assert yaml.safe_load((repo / "providers" / "aston-house.yaml").read_text())["contact"]["website"] == "https://www.example-home.co.uk"
    # the reply's table shows it as kept, in code (no link), not as 'https[:]//www[.]example-home.co.uk', which a content
    # review found read as an error; an email the same, with its @ (no mention in code), not a full-width one
    assert "| Website | not given | `https://www.example-home.co.uk` |" in res["comment"], res["comment"]
    r, res = apply(repo, "### Your home's page name\n\naston-house\n\n### Email\n\nmanager@example-home.co.uk", "aston-manager")
    assert res["status"] == "applied" and "| Email | not given | `manager@example-home.co.uk` |" in res["comment"], res["comment"]
    from carehomes.updates import _cell

    for odd in ("https://x.example/a`b", "a|b", "a b", "a\\b"):  # what a code span or a table cell would take as its own
        assert not _cell(odd, code=True).startswith("`"), odd


def test_a_phone_number_written_plus_44_is_kept_as_the_page_writes_a_uk_number(repo):
    """'+44 (0)1432 260000' and '+44 1432 260000', common UK ways of writing a number, were refused with what to type;
    the directory keeps numbers starting 0, so they are kept as 01432 260000. A number of another country is refused."""
    for typed in ("+44 (0)1432 260000", "+44 1432 260000"):
        text = f"### Your home's page name\n\naston-house\n\n### Phone\n\n{typed}"
        r, res = apply(repo, text, "aston-manager")
        assert res["status"] in ("applied", "unchanged"), r.stdout
        assert yaml.safe_load((repo / "providers" / "aston-house.yaml").read_text())["contact"]["phone"] == "01432 260000"
    r, res = apply(repo, "### Your home's page name\n\naston-house\n\n### Phone\n\n+1 555 0100", "aston-manager")
    assert res["status"] == "invalid" and res["errors"][0].startswith("Phone: '+1 555 0100'"), res["errors"]


def test_an_issue_edited_later_is_checked_as_of_its_edit(repo):
    """Sent on 1 December with 'Availability confirmed on' 3/12/2026 (refused: in the future) and corrected on 4 December,
    the edit was still judged as of 1 December. --edited-on (the issue's updated_at) is the day a date may not pass."""
    answers = body({"Beds without nursing free now": "2", "Availability confirmed on": "3/12/2026"})
    r, res = apply(repo, answers, "aston-manager", "--on", "2026-12-01")
    assert res["errors"] == ["Availability confirmed on: 2026-12-03 is in the future (today is 2026-12-01); give the date "
                             "the fact was true"]
    r, res = apply(repo, answers, "aston-manager", "--on", "2026-12-01", "--edited-on", "2026-12-04")
    assert res["status"] == "applied", r.stdout
    assert [(c["field"], c["after"]) for c in res["changed"]] == [("beds.residential.available", 2),
                                                                  ("beds.confirmed", "2026-12-03")]
    git(repo, "checkout", "-q", "--", "providers")
    r, res = apply(repo, body({"Beds without nursing free now": "2"}), "aston-manager", "--on", "2026-12-01",
                   "--edited-on", "2026-12-04")
    assert [(c["field"], c["after"]) for c in res["changed"]][1] == ("beds.confirmed", "2026-12-01")  # left empty: sent
    r, res = apply(repo, answers, "aston-manager", "--on", "2026-12-04", "--edited-on", "2026-12-01")
    assert (r.returncode, r.stderr) == (2, "--edited-on 2026-12-01: is before --on 2026-12-04, the day the update was "
                                           "sent; give the day the issue was last edited (its updated_at), or leave "
                                           "--edited-on out\n")
    step = next(s for s in load_workflow("provider-update.yml")["jobs"]["apply"]["steps"] if "apply-update" in s.get("run", ""))
    assert '--on "${CREATED:0:10}" --edited-on "${UPDATED:0:10}"' in step["run"]
    assert (step["env"]["CREATED"], step["env"]["UPDATED"]) == ("${{ github.event.issue.created_at }}",
                                                                "${{ github.event.issue.updated_at }}")


def test_a_date_typed_in_full_width_figures_is_read_as_its_figures():
    """'２０２６－１１－３０' (a phone's Japanese or Chinese keyboard) was told it "is not a real date", though full-width
    figures are read as figures in every number box of the same form."""
    from carehomes.updates import date_typo, typed_date

    assert typed_date("２０２６－１１－３０") == typed_date("３０／１１／２０２６") == dt.date(2026, 11, 30)
    assert date_typo("２０２６－１１－３０") is None
    assert typed_date("٢٠٢٦-١١-٣٠") == "٢٠٢٦-١١-٣٠"  # other scripts' digits are not taken for figures
    assert date_typo("２０２６－０２－３０") == "'２０２６－０２－３０' is not a real date; check the day and month"


# --- a date alone where no free places were ever given; a home CQC has closed; one CQC records as dormant ----------


def test_a_date_alone_at_a_page_that_never_gave_free_beds_is_refused_by_the_form_the_sheet_and_the_command(repo):
    """Aston House has never given its free beds: a date alone would show them as checked and take it off the weekly
    list of homes never asked, with nothing on its page confirmed."""
    aston = repo / "providers" / "aston-house.yaml"
    before = aston.read_text()
    r, res = apply(repo, body({"Availability confirmed on": "01/11/2026"}), "aston-manager")
    assert r.returncode == 1 and res["status"] == "invalid"
    assert res["errors"] == ["Beds without nursing free now: is not given, here or on the page, so there is nothing for "
                             "the date to confirm; give the number (0 if none)"]
    sheet = repo.parent / "vacancies.csv"
    sheet.write_text("home,nursing_free,residential_free,confirmed\naston-house,,,\n")
    r = run_build("vacancies", "--from-csv", str(sheet), "--providers", str(repo / "providers"))
    assert r.returncode == 1
    assert r.stdout == (f"{sheet}:2: residential_free: is not given, here or on the page, so there is nothing for the "
                        "date to confirm; give the number (0 if none)\n")
    r = run_build("vacancies", "aston-house", "--unchanged", "--providers", str(repo / "providers"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stdout.splitlines()[0].endswith("aston-house.yaml:1: --unchanged: the profile gives no free beds yet, so "
                                             "there is nothing to confirm; give --residential N (0 if none)")
    assert aston.read_text() == before
    # once a number is given, the date alone confirms it, as before
    r, res = apply(repo, body({"Beds without nursing free now": "0"}), "aston-manager")
    assert res["status"] == "applied", res
    assert run_build("vacancies", "aston-house", "--unchanged", "--providers", str(repo / "providers")).returncode == 0


def _status(path, status: str, on: str) -> None:
    text = path.read_text()
    path.write_text(text.replace("cqc:\n  status: Registered\n", f"cqc:\n  status: {status}\n  status_date: {on}\n", 1))


CLOSED = ("CQC's register says Aston House was deregistered on 1 October 2026, so its page is kept marked closed and takes "
          "no updates or claims; if it is still open, ask CQC to correct its register")


def test_a_home_cqc_has_deregistered_takes_no_update_from_the_form_the_sheet_or_the_command(repo):
    """Its page is kept marked closed, without free beds: an update would be said to be on the site and is not."""
    aston = repo / "providers" / "aston-house.yaml"
    _status(aston, "Deregistered", "2026-10-01")
    before = aston.read_text()
    r, res = apply(repo, body({"Beds without nursing free now": "2"}), "aston-manager")
    assert r.returncode == 1 and res["status"] == "refused"
    assert res["errors"] == [CLOSED + ", or tell Herefordshire Council (example)"]
    r, res = apply(repo, "### Your home's page name\n\naston-house\n\n### Lead manager\n\nAlex Example", "aston-manager")
    assert res["status"] == "refused" and res["errors"][0].startswith(CLOSED)
    sheet = repo.parent / "vacancies.csv"
    sheet.write_text("home,nursing_free,residential_free,confirmed\naston-house,,2,\n")
    r = run_build("vacancies", "--from-csv", str(sheet), "--providers", str(repo / "providers"))
    assert r.returncode == 1 and r.stdout == f"{sheet}:2: home: {CLOSED}; take this row out\n"
    r = run_build("vacancies", "aston-house", "--residential", "2", "--providers", str(repo / "providers"))
    assert r.returncode == 1 and r.stdout.splitlines()[0].endswith(f"aston-house.yaml:1: cqc.status: {CLOSED}")
    assert aston.read_text() == before
    _status(repo / "providers" / "eastbank.yaml", "Not in latest register", "2026-11-02")
    r = run_build("vacancies", "eastbank", "--residential", "1", "--providers", str(repo / "providers"))
    assert r.returncode == 1 and r.stdout.splitlines()[0].endswith(
        "cqc.status: Eastbank is missing from the latest CQC register (since 2 November 2026), so its page is kept marked "
        "closed and takes no updates or claims; if it is still open, ask CQC to correct its register")


def test_a_reply_to_a_home_cqc_records_as_dormant_says_its_page_says_so(repo):
    aston = repo / "providers" / "aston-house.yaml"
    aston.write_text(aston.read_text().replace("  imported: 2021-03-31\n", "  imported: 2021-03-31\n  dormant: true\n"
                                               "  dormant_since: 2024-04-29\n", 1))
    r, res = apply(repo, body({"Beds without nursing free now": "2"}), "aston-manager")
    assert r.returncode == 0 and res["status"] == "applied"
    assert res["notes"] == ["CQC records Aston House as dormant, not providing care at the moment (since 29 April 2024): "
                            "its page and its card say so beside this answer. If it gives care again, tell CQC, so that "
                            "its register says so"]
    assert "    available: 2\n" in aston.read_text()


def test_a_closed_homes_message_is_one_line_and_a_status_check_refuses_is_named_as_such(repo):
    """closed_words put a profile's name in the sheet's terminal output as it was (a newline or an escape code in it
    broke the one-line message), and read a status the schema does not allow (a lower-case 'deregistered') as
    'missing from the latest CQC register': the profile's own problem is the status, which check names."""
    aston = repo / "providers" / "aston-house.yaml"
    _status(aston, "Deregistered", "2026-10-01")
    aston.write_text(aston.read_text().replace("\nname: Aston House\n", '\nname: "Aston\\nHouse \\e[31m"\n', 1))
    sheet = repo.parent / "vacancies.csv"
    sheet.write_text("home,nursing_free,residential_free,confirmed\naston-house,,2,\n")
    r = run_build("vacancies", "--from-csv", str(sheet), "--providers", str(repo / "providers"))
    assert r.returncode == 1 and len(r.stdout.splitlines()) == 1 and "\x1b" not in r.stdout
    assert r.stdout.startswith(f"{sheet}:2: home: CQC's register says Aston\\nHouse \\x1b[31m was deregistered on 1 October 2026")
    assert r.stdout.count("\\n") == 1  # the name's line break, shown
    r = run_build("vacancies", "aston-house", "--residential", "2", "--providers", str(repo / "providers"))
    assert r.returncode == 1 and len(r.stdout.splitlines()) == 1 and "\x1b" not in r.stdout
    aston.write_text(aston.read_text().replace("  status: Deregistered\n", "  status: deregistered\n", 1))
    r = run_build("vacancies", "aston-house", "--residential", "2", "--providers", str(repo / "providers"))
    assert r.returncode == 1 and "missing from the latest CQC register" not in r.stdout
    assert "cqc.status: 'deregistered' is not allowed; did you mean 'Deregistered'?" in r.stdout, r.stdout


def details_body(answers: dict[str, str], home: str = "example-full", form: str = "update-details.yml") -> str:
    """An issue body as GitHub writes it from a details form: every question, "_No response_" where left empty."""
    elements = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / form).read_text())["body"]
    labels = [e["attributes"]["label"] for e in elements if e.get("type") != "markdown"]
    given = {labels[0]: home, **answers}
    assert set(given) <= set(labels), set(given) - set(labels)
    return "\n\n".join(f"### {label}\n\n{given.get(label, '_No response_')}" for label in labels)


def test_a_details_update_that_leaves_out_an_answer_its_date_covers_is_refused_naming_it(repo):
    """From the provider review: with the fees and needs dated 1 April and 1 November, an update giving only the fee with
    nursing and one need dated today every fee and need the page held, as if checked then. Now each date's answers left
    empty are named, and the page is left as it was; typed again (or the date kept), the update goes in."""
    full = repo / "providers" / "example-full.yaml"
    before = full.read_text()
    r, res = apply(repo, details_body({"Weekly fee with nursing, from": "1250", "Tracheostomy: can accept": "Yes"}),
                   "example-manager")
    assert r.returncode == 1 and res["status"] != "applied", r.stdout
    [needs] = [e for e in res["errors"] if e.startswith("Capabilities confirmed on:")]
    assert needs.startswith("Capabilities confirmed on: you left empty answers your page shows as checked on 1 November "
                            "2026: ")
    assert "'Palliative care: can accept' (Yes)" not in needs and "Palliative care: can accept (Yes)" in needs
    assert needs.endswith("With this update they would look checked today. Fill each in again, even if they have not "
                          "changed. Or type 2026-11-01 in Capabilities confirmed on to keep the old date.")
    assert [e for e in res["errors"] if e.startswith("Fees dated:")] == [
        "Fees dated: you left empty answers your page shows as checked on 1 April 2026: Weekly fee with nursing, to "
        "(£1,420.50), Weekly fee without nursing, from (£890), Weekly fee without nursing, to (£1,100), Council rate "
        "accepted (Yes) and Top-ups may apply (Yes). With this update they would look checked today. Fill each in again, "
        "even if they have not changed. Or type 2026-04-01 in Fees dated to keep the old date."]
    assert full.read_text() == before
    # a date typed: the reply says that date, not today (a content review: it said "would date today")
    r, res = apply(repo, details_body({"Weekly fee with nursing, from": "1250", "Fees dated": "2026-11-25"}), "example-manager")
    assert r.returncode == 1 and "With this update they would look checked on 25 November 2026." in res["errors"][0], res
    # the fees' date kept as the page has it: only the fee changes, dated as before
    r, res = apply(repo, details_body({"Weekly fee with nursing, from": "1250", "Fees dated": "2026-04-01"}), "example-manager")
    assert r.returncode == 0 and res["status"] == "applied", r.stdout
    assert [(c["field"], c["after"]) for c in res["changed"]] == [("fees.nursing_from", 1250)]
    # every fee typed again: all of them dated today
    r, res = apply(repo, details_body({"Weekly fee with nursing, from": "1300", "Weekly fee with nursing, to": "1420.5",
                                       "Weekly fee without nursing, from": "890", "Weekly fee without nursing, to": "1100",
                                       "Council rate accepted": "Yes", "Top-ups may apply": "Yes"}), "example-manager")
    assert r.returncode == 0 and res["status"] == "applied", r.stdout
    assert yaml.safe_load(full.read_text())["fees"]["date"] == dt.date(2026, 11, 30)


def test_one_answer_corrected_on_the_day_its_set_was_dated_keeps_the_others_and_goes_in(repo):
    """From the forms review: with the fees and needs already dated the day of the update (an earlier update that day),
    a second form correcting one fee was refused with "you left empty an answer your page shows as checked on
    30 November 2026 ... With this update it would look checked today ... Or type 2026-11-30 in Fees dated to keep the
    old date": the old date was today. The date does not change, so the answers left empty keep their values and
    their date, which is true of them; the update goes in. A day later the rule holds as before."""
    full = repo / "providers" / "example-full.yaml"
    full.write_text(full.read_text().replace("  confirmed: 2026-11-01\n", "  confirmed: 2026-11-30\n")
                    .replace("  date: 2026-04-01\n", "  date: 2026-11-30\n"))
    answers = {"Weekly fee with nursing, from": "1250", "Tracheostomy: beds with nursing": "3"}
    r, res = apply(repo, details_body(answers), "example-manager", "--on", "2026-12-01")
    assert r.returncode == 1 and [e.split(":")[0] for e in res["errors"]] == ["Capabilities confirmed on", "Fees dated"]
    assert res["errors"][1] == (
        "Fees dated: you left empty answers your page shows as checked on 30 November 2026: Weekly fee with nursing, to "
        "(£1,420.50), Weekly fee without nursing, from (£890), Weekly fee without nursing, to (£1,100), Council rate "
        "accepted (Yes) and Top-ups may apply (Yes). With this update they would look checked today. Fill each in again, "
        "even if they have not changed. Or type 2026-11-30 in Fees dated to keep the old date.")
    r, res = apply(repo, details_body(answers), "example-manager")
    assert r.returncode == 0 and res["status"] == "applied", r.stdout
    assert [(c["field"], c["before"], c["after"]) for c in res["changed"]] == [
        ("fees.nursing_from", 1150, 1250), ("capabilities.tracheostomy.nursing_beds", 2, 3)]
    data = yaml.safe_load(full.read_text())
    assert data["fees"]["nursing_to"] == 1420.5 and data["fees"]["date"] == dt.date(2026, 11, 30)
    assert data["capabilities"]["palliative_care"]["nursing_beds"] == 6


def test_an_agencys_towns_given_without_its_districts_would_date_them_today_and_is_refused():
    from carehomes.schema import load_schema
    from carehomes.updates import left_undated

    data = {"coverage": {"districts": ["OL1", "OL2"], "towns": ["Oldham"], "confirmed": dt.date(2026, 6, 1)},
            "homecare": {"hourly_rate": {"from": 24.5, "updated": dt.date(2026, 6, 1)}}}
    answers = {"Your agency's page name": "x", "Postcode districts covered": None, "Towns covered": "Royton",
               "Areas covered confirmed on": None, "Hourly rate, from": None, "Hourly rates confirmed on": None}
    assert left_undated(answers, {"coverage.towns": ["Royton"]}, data, load_schema()) == [
        "Areas covered confirmed on: you left empty an answer your page shows as checked on 1 June 2026: Postcode "
        "districts covered (OL1; OL2). With this update it would look checked today. Fill it in again, even if it has not "
        "changed. Or type 2026-06-01 in Areas covered confirmed on to keep the old date."]
    # the date kept as the page has it, or both given: nothing to say; the rates' date is not touched by either
    kept = {"coverage.towns": ["Royton"], "coverage.confirmed": dt.date(2026, 6, 1)}
    assert left_undated(answers, kept, data, load_schema()) == []
    both = {**answers, "Postcode districts covered": "OL1"}
    assert left_undated(both, {"coverage.towns": ["Royton"], "coverage.districts": ["OL1"]}, data, load_schema()) == []
    # sent on the day the page's areas were confirmed: the date stays, so the districts are still as checked
    assert left_undated(answers, {"coverage.towns": ["Royton"]}, data, load_schema(), dt.date(2026, 6, 1)) == []


def test_towns_typed_on_one_line_are_a_list_of_towns():
    """From the provider review: 'Oldham, Chadderton, Royton and Shaw' was kept as one town. A comma or semicolon parts
    names as a new line does; 'and' does not ('Shaw and Crompton' is one town)."""
    from carehomes.schema import load_schema
    from carehomes.updates import form_value

    towns = load_schema().by_path["coverage.towns"]
    assert form_value(towns, "Oldham, Chadderton; Royton\nShaw and Crompton\n- Lees") == [
        "Oldham", "Chadderton", "Royton", "Shaw and Crompton", "Lees"]
    assert form_value(load_schema().by_path["coverage.districts"], "OL1, ol2 and OL4 4TZ") == ["OL1", "OL2", "OL4"]


def test_words_added_after_an_empty_answer_are_named_as_added_not_as_a_wrong_answer(repo):
    """From the provider review: a sign-off typed under the last question, left empty, was read as its answer: "must
    be a date ..., not '_No response_ Thanks, Jo (manager)'". Now the reply says what GitHub's words mean and what to
    do, and the other answers are still read and checked."""
    from carehomes.updates import parse_body

    text = body({"Beds with nursing free now": "two", "Availability confirmed on": "_No response_\n\nThanks, Jo (manager)"},
                home="example-full")
    answers, errors = parse_body(text)
    assert answers["Availability confirmed on"] is None
    assert errors == ["Availability confirmed on: you wrote 'Thanks, Jo (manager)' after '_No response_' (GitHub adds "
                      "'_No response_' when a question is left empty). If 'Thanks, Jo (manager)' is your answer, delete "
                      "'_No response_'. If it is a note or a signature, delete 'Thanks, Jo (manager)'"]
    r, res = apply(repo, text, "example-manager")
    assert r.returncode == 1 and res["errors"][0] == errors[0], r.stdout
    assert "Beds with nursing free now: must be a whole number in figures, such as 3 or 0 for none, not 'two'" in res["errors"]


def test_a_care_homes_form_sent_for_an_agencys_page_names_the_agencys_forms(repo):
    """From the provider review: the care home's vacancies form sent for an agency's page said "Availability confirmed on:
    is a field of a care home, which this profile is not; remove it, or ... (kinds: [care_home, home_care_agency])",
    of a question the sender had left empty. Now the reply says which forms the agency's page has."""
    agency = repo / "providers" / "caremark-oldham.yaml"
    agency.write_text((ROOT / "areas" / "oldham" / "providers" / "caremark-oldham.yaml").read_text() + "maintainers:\n- agency-manager\n")
    before = agency.read_text()
    r, res = apply(repo, body({"Beds with nursing free now": "2"}, home="caremark-oldham"), "agency-manager")
    assert r.returncode == 1 and res["errors"] == [
        "You used a care home's form (it asks 'Beds with nursing free now'), but Caremark (Oldham) is a home care agency. "
        "Open its page in the directory and use 'Update whether it is taking new clients' or 'Update this agency's "
        "details'"]
    assert "Edit" not in res["comment"] and "select the form you need" in res["comment"]  # no answer to correct
    assert agency.read_text() == before


def test_a_details_update_claiming_more_beds_than_cqc_registers_or_nursing_beds_is_said_to_the_steward(repo):
    """From the providers' review: Aston House (16 beds registered, no nursing) told 50 beds without nursing, and a need met
    with 3 beds with nursing, was thanked and sent to a steward, and then shown to discharge teams filtering on it."""
    aston = repo / "providers" / "aston-house.yaml"
    before = aston.read_text()
    r, res = apply(repo, details_body({"Beds without nursing": "50", "Tracheostomy: can accept": "Yes",
                                       "Tracheostomy: beds with nursing": "3", "Capabilities confirmed on": "2026-11-30"},
                                      home="aston-house"), "aston-manager")
    # said in the reply, for the steward who reviews the change before it is published (not refused: the same rules
    # must not stop CQC's own import when it lowers a home's beds)
    assert r.returncode == 0 and res["status"] == "applied" and res["mode"] == "pull-request", r.stdout
    assert [n for n in res["notes"] if "CQC" in n] == [
        "Beds without nursing: is 50 but 'Registered beds' is 16; a home cannot have more beds than CQC registers it for: "
        "give at most 16, or ask the council to import the latest CQC register",
        "Tracheostomy: beds with nursing: is 3 but CQC does not register this home for care with nursing ('Care home with nursing' "
        "is no); give 0, or ask the council to import the latest CQC register"], res["notes"]
    assert aston.read_text() != before


def test_an_answer_can_be_taken_off_the_page_with_remove(repo):
    """A provider could change an answer but never take one off their page (a website gone, fees no longer given):
    REMOVE typed in a details form's box, or "Remove the answer" chosen from its list, takes the fact off; a set's
    date goes with its last answer (check refuses a date that dates nothing), and the reply says what was removed."""
    fees = ("### Weekly fee with nursing, from\n\nREMOVE\n\n### Weekly fee with nursing, to\n\nremove\n\n"
            "### Weekly fee without nursing, from\n\nRemove.\n\n### Weekly fee without nursing, to\n\nREMOVE\n\n"
            "### Council rate accepted\n\nRemove the answer\n\n### Top-ups may apply\n\nRemove the answer")
    text = ("### Your home's page name\n\nexample-full\n\n### Website\n\nREMOVE\n\n"
            "### Weekend admissions from hospital\n\nRemove the answer\n\n" + fees)
    r, res = apply(repo, text, "example-manager")
    assert r.returncode == 0 and res["status"] == "applied", (r.stdout, res and res["errors"])
    data = yaml.safe_load((repo / "providers" / "example-full.yaml").read_text())
    assert "website" not in data["contact"] and "weekend_admissions" not in data["care"] and "fees" not in data
    assert data["contact"]["phone"]  # the rest as it was
    rows = [line for line in res["comment"].splitlines() if line.startswith("| ")]
    assert "| Website | `https://www.example.org/full` | not given |" in rows
    assert "| Fees dated | 2026-04-01 | not given |" in rows and "| Weekly fee with nursing, to | £1,420.50 | not given |" in rows


def test_a_date_typed_beside_the_last_answers_it_dates_taken_off_is_said_not_kept(repo):
    """Every fee taken off with a date typed for them: the date goes with them, as it would left empty, and the reply
    says so (it was dropped without a word)."""
    fees = ("### Weekly fee with nursing, from\n\nREMOVE\n\n### Weekly fee with nursing, to\n\nREMOVE\n\n"
            "### Weekly fee without nursing, from\n\nREMOVE\n\n### Weekly fee without nursing, to\n\nREMOVE\n\n"
            "### Council rate accepted\n\nRemove the answer\n\n### Top-ups may apply\n\nRemove the answer\n\n"
            "### Fees dated\n\n01/12/2026")
    r, res = apply(repo, "### Your home's page name\n\nexample-full\n\n" + fees, "example-manager")
    assert r.returncode == 0 and res["status"] == "applied", (r.stdout, res and res["errors"])
    assert "fees" not in yaml.safe_load((repo / "providers" / "example-full.yaml").read_text())
    assert "Fees dated: was not kept: every answer it dates was taken off, so the date goes from the page with them" \
        in res["notes"], res["notes"]


def test_remove_is_refused_where_it_cannot_take_an_answer_off(repo):
    """One fee of a set taken off while the others stay: the set's other answers are asked for again, as for a change
    (the set's date would show them as checked today); a date, or an answer of the vacancies form, cannot be removed; an
    answer the page does not hold is no change."""
    text = details_body({"Weekly fee with nursing, from": "REMOVE", "Weekly fee without nursing, from": "890",
                         "Weekly fee without nursing, to": "1100", "Council rate accepted": "Yes", "Top-ups may apply": "Yes"})
    r, res = apply(repo, text, "example-manager")
    assert res["status"] == "invalid" and res["errors"] == [
        "Fees dated: you left empty an answer your page shows as checked on 1 April 2026: Weekly fee with nursing, to "
        "(£1,420.50). With this update it would look checked today. Fill it in again, even if it has not changed. Or type "
        "2026-04-01 in Fees dated to keep the old date."]
    r, res = apply(repo, "### Your home's page name\n\nexample-full\n\n### Fees dated\n\nREMOVE", "example-manager")
    assert res["errors"] == ["Fees dated: a date cannot be taken off on its own (REMOVE): it goes from your page with the "
                             "last answer it dates; leave it empty, or type the date"]
    r, res = apply(repo, body({"Beds with nursing free now": "REMOVE"}, home="example-full"), "example-manager")
    assert res["errors"] == ["Beds with nursing free now: REMOVE takes an answer off your page only in the details form; "
                             "here, give the answer as it is now (0 for none)"]
    # an answer the page does not hold: no change, and no set's date stamped for it (the code review: a home giving
    # no needs was published as having confirmed them today)
    profile = repo / "providers" / "example-full.yaml"
    text = profile.read_text()
    profile.write_text(text.replace("  website: https://www.example.org/full\n", "").replace("  nursing_from: 1150\n", ""))
    r, res = apply(repo, "### Your home's page name\n\nexample-full\n\n### Website\n\nREMOVE\n\n"
                   "### Weekly fee with nursing, from\n\nREMOVE", "example-manager")
    assert res["status"] == "unchanged", res
    assert yaml.safe_load(profile.read_text())["fees"]["date"] == dt.date(2026, 4, 1)


def test_a_set_dated_by_its_own_date_goes_with_its_last_answer_and_comments_stay(repo):
    """The turnover figures' date (staffing.date) and the user rating's stayed when their answers were taken off; the
    comment above the next line of the file went with the line removed (ruamel holds it with the line before); and
    'remove the answer', 'ＲＥＭＯＶＥ' or '**REMOVE**' were published as the answer."""
    profile = repo / "providers" / "example-full.yaml"
    profile.write_text(profile.read_text().replace("  website: https://www.example.org/full\n",
                                                   "  # our new site is coming\n  website: https://www.example.org/full\n"
                                                   "  # reception, 8am to 8pm\n"))
    text = ("### Your home's page name\n\nexample-full\n\n### Website\n\n**REMOVE**\n\n"
            "### Annual staff turnover (%)\n\nremove the answer\n\n### Annual registered nurse turnover (%)\n\nＲＥＭＯＶＥ")
    r, res = apply(repo, text, "example-manager")
    assert res["status"] == "applied", res["errors"]
    after = profile.read_text()
    data = yaml.safe_load(after)
    assert "website" not in data["contact"] and "staffing" not in data
    assert "  # our new site is coming\n  # reception, 8am to 8pm\n  phone:" in after  # every comment kept, in place



def test_the_details_forms_say_how_to_take_an_answer_off():
    from carehomes import forms

    for template in ("update-details.yml", "update-home-care-agency-details.yml"):
        made = forms.form(template)
        assert "To take an answer off your page, type REMOVE in its box, or choose **Remove the answer** from its list." \
            in made["body"][0]["attributes"]["value"]
        lists = [b for b in made["body"] if b["type"] == "dropdown"]
        assert lists and all(b["attributes"]["options"][-1] == "Remove the answer" for b in lists)
    for template in ("update-vacancies.yml", "update-home-care-agency-availability.yml"):
        made = forms.form(template)
        assert "REMOVE" not in made["body"][0]["attributes"]["value"]
        assert all("Remove the answer" not in b["attributes"]["options"] for b in made["body"] if b["type"] == "dropdown")


def test_a_figure_given_without_its_date_is_said_in_the_forms_words(repo):
    """The steward review: turnover given on the details form without "Turnover figures to" was answered "staffing:
    figures are given without 'Turnover figures to'; add 'date: YYYY-MM-DD' under staffing (...)": the group's YAML
    name and an edit to the file, which a manager using the form cannot act on. Now the date's own question is named."""
    before = (repo / "providers" / "aston-house.yaml").read_text()
    r, res = apply(repo, details_body({"Annual staff turnover (%)": "20"}, home="aston-house"), "aston-manager")
    assert r.returncode == 1 and res["errors"] == [
        "Turnover figures to: is not answered, but the figures it dates are; answer it too (the last day of the 12 "
        "months the figures cover)"]
    assert (repo / "providers" / "aston-house.yaml").read_text() == before
