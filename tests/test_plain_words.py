"""The public pages' words in plain English (a content design review, as GOV.UK's and the NHS's content designers
would do it): what a worried daughter, a discharge nurse and a care home manager read on Oldham's pages.

Found on the built Oldham site (6 December 2026): a home's key facts said "CQC register data dated"; its quality
facts "CQC rating for each key question" (CQC's own jargon); an agency CQC records as dormant said "Dormant (CQC)"
and "records it as dormant" before saying what that means; the claim box named a "council steward"; the header said
"Beds free now: not known" where the card and the list of missing facts say the home has not told us ("not provided
yet"); the warnings buried "may be out of date" after the dates; the home page's empty shortcut said "so this list
would be empty" at the end of its sentence; and "Show more services (20 more of 84)" read as 20 out of 84.
"""
from __future__ import annotations

import html
import re

import pytest
from conftest import ROOT, TODAY

from carehomes.pipeline import check_paths, views_of
from carehomes.render import SHELL_TITLE, home_page, profile_page
from carehomes.schema import load_schema
from carehomes.views import HomeView

OLDHAM = ROOT / "areas" / "oldham" / "providers"
# words a non-expert would not understand, or would misread, anywhere on a home's or an agency's page
JARGON = ("register data", "key question", "steward", "records it as dormant", "Dormant (CQC)", "CQC: dormant")


@pytest.fixture(scope="module")
def oldham() -> dict[str, HomeView]:
    checked = check_paths([OLDHAM], on=TODAY)
    return {v.slug: v for v in views_of(checked.profiles, TODAY, load_schema(), "https://example.org/edit/", {})}


def words(v: HomeView) -> str:
    """The page's text as a reader sees it: tags out, entities read, white space as single spaces."""
    page, _ = home_page(v, profile_page(), (f"<title>{SHELL_TITLE}</title>", f"</main>{SHELL_TITLE}"), "care@example.org")
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.parametrize("slug", ["coppice-nursing-home", "abbey-hey-care-home", "bluebird-care-oldham", "54-taylor-street"])
def test_a_page_says_no_jargon(oldham, slug):
    text = words(oldham[slug])
    assert not [j for j in JARGON if j.lower() in text.lower()], text


def test_a_homes_page_says_its_facts_plainly(oldham):
    text = words(oldham["coppice-nursing-home"])
    assert "CQC information dated 20 March 2025" in text
    assert "Beds free now: not provided yet" in text and "Beds free now: not known" not in text
    assert "Each part of the CQC rating Safe: Good;" in text
    assert "The CQC information we hold does not say: the provider that runs it." in text
    assert "(someone from the council rings the home once to check)" in text
    assert re.search(r"This CQC rating may be out of date\. It was published on 16 July 2019 \([^)]+\), more than 2 years "
                     r"ago\. Check the CQC report", text)
    assert "These Care Quality Commission (CQC) facts may be out of date. They are from the CQC register of 20 March 2025" in text


def test_a_dormant_agency_says_what_dormant_means_first(oldham):
    v = oldham["bluebird-care-oldham"]
    assert v.card_lines()[1].startswith("Not providing care at the moment, CQC says")
    assert v.dormant_text.startswith("The Care Quality Commission (CQC) says this agency is registered but not providing "
                                     "care at the moment (")
    assert "CQC calls this dormant. Check with the agency or the council" in v.dormant_text
    assert "Not providing care at the moment (CQC) Yes: registered but not providing care at the moment" in words(v)


def test_the_find_pages_words_put_the_point_first():
    find = load_schema().values.find
    assert find["shortcutEmpty"].startswith("No {home} has told us yet")
    assert find["showMore"] == "Show {n} more {homes} ({total} not shown yet)"


def test_the_market_page_says_which_needs_not_capability_questions(oldham):
    from carehomes.market import market_html

    page = market_html(list(oldham.values()), TODAY)
    assert "<p>0 of 44 homes have told us which needs they can meet.</p>" in page and "capability questions" not in page


def test_the_for_providers_page_names_no_steward_before_its_stewards_section():
    """CONTRIBUTING.md is the site's "For providers" page: a care home manager reads "someone from the council" and
    "the council checks"; "steward" is left to the section for council stewards and developers, at its end."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for_homes = text.split("## For council stewards and developers")[0]
    assert "steward" not in for_homes.lower()
    assert "Someone from the council rings your home on the number the Care Quality" in for_homes
    # the claim's reply says it is confirmed before the account can update (the pull request is merged, closing it)
    assert "We close it when your account can update\n   your page. From then on, the vacancies form" in for_homes


MANAGER_JARGON = ("steward", "maintainer", "pull request", "merged", "profile", "slug", "yaml", "apply-update")


def test_the_forms_a_manager_fills_in_say_no_jargon():
    """The claim and update forms (a care home manager on a phone reads them): "someone from the council", not "a council
    steward"; the account "update[s] the page", not "is added as the home's maintainer"; and each update form says the
    page must be claimed first (apply-update refuses anyone else), which only the "For providers" page said."""
    from carehomes import forms

    for template in (*forms.kind_forms(), *forms.claim_forms()):
        text = forms.form_text(template)
        said = "\n".join(line for line in text.splitlines() if not line.startswith("#")).lower()
        assert not [j for j in MANAGER_JARGON if j in said], (template, said)
        if template in forms.kind_forms():
            intro = forms.form(template)["body"][0]["attributes"]["value"]
            assert "You need to have claimed your " in intro and "**Claim it** at the bottom" in intro, template
    details = forms.form(forms.DETAILS)["body"][0]["attributes"]["value"]
    assert "Someone from the council checks the change before it goes on the site. We close this request" in details


def test_the_replies_to_an_update_say_no_jargon():
    """apply-update's replies on the manager's request: "Someone from the council will check", not "A council steward";
    what happens next as it happens (merging the pull request closes the request; no note is added); how to correct an
    answer in GitHub's own words (the 3 dots, Edit, Update comment), as the "For providers" page says it."""
    from carehomes.updates import Result

    change = [{"field": "contact.phone", "label": "Phone", "before": None, "after": "01432 123456"}]
    replies = [Result("applied", name="Aston House", mode="pull-request", changed=change).comment(),
               Result("applied", name="Aston House", mode="commit", changed=change).comment(),
               Result("invalid", errors=["Phone: must be a UK number"]).comment()]
    assert not [j for j in MANAGER_JARGON for r in replies if j in r.lower()], replies
    assert "We close this request when they accept the change, and the site shows it a few minutes later." in replies[0]
    assert "select the 3 dots (**...**) at the top right of your request, then **Edit**" in replies[2]
    assert "select **Update comment**" in replies[2]


def test_the_replies_to_a_claim_say_what_happens_next_plainly():
    """A claim's replies to the manager: "someone from the council", the account "update[s] the page", not "a pull request
    adds X as a maintainer; once it is merged" (merging the pull request closes the claim's issue)."""
    from carehomes.claims import Claim

    done = Claim("approved", home="aston-house", name="Aston House", author="sam-manager").comment()
    waiting = Claim("waiting", home="aston-house", name="Aston House", author="sam-manager", phone="01432 111222",
                          phone_source="the CQC register's number").comment()
    assert not [j for j in MANAGER_JARGON if j in done.lower()], done
    assert "When it has, this request is closed." in done
    assert "steward" not in waiting.split("**For the council steward:**")[0].lower(), waiting
