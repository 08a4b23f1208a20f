"""What an audit of Oldham's pages against CQC's own responses found (December 2026): CQC shows on a service
re-registered after a change of provider, legal entity or address the rating it gave the earlier registration (its
"continuing regulatory history"; the current key questions name that registration as ``organisationId``), and asks a
service showing such a rating to make clear it was not given to it. The pages showed those ratings as the service's own:
Park Hills Private Nursing Home, registered on 31 January 2024, "Good (26 August 2022)" with no word that CQC gave it to
the home's earlier registration, CQC location 1-113831768. Each profile and page is checked here against CQC's response,
read independently."""
from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import CQC, ROOT, TODAY

from carehomes.ages import nice_date
from carehomes.pipeline import check_paths, views_of
from carehomes.schema import load_schema
from carehomes.sources.cqc_files import extra_facts
from carehomes.views import HomeView

PROVIDERS = ROOT / "areas" / "oldham" / "providers"
RESPONSES = CQC / "oldham-api-json-2025" / "location_details"
needs_responses = pytest.mark.skipif(not RESPONSES.is_dir(), reason="the shared Oldham CQC responses are not on this machine")


@functools.lru_cache(maxsize=1)
def _profiles() -> dict[str, dict]:
    return {d["slug"]: d for d in (yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(PROVIDERS.glob("[!_]*.yaml")))}


def _response(location_id: str) -> dict:
    return json.loads((RESPONSES / f"location_{location_id}.json").read_text(encoding="utf-8"))


def _given_to_in_response(doc: dict) -> str | None:
    """The earlier registration CQC's response names for the current rating, read here without the importer: the one
    every key question rated by the overall rating's own report (the report it links to) names."""
    overall = (doc.get("currentRatings") or {}).get("overall") or {}
    questions = [q for q in overall.get("keyQuestionRatings") or [] if q.get("reportLinkId") == overall.get("reportLinkId")]
    if not questions:  # no current rating (a service CQC has not rated), or none of its questions of that report
        assert not overall.get("rating") or not overall.get("keyQuestionRatings"), doc["locationId"]
        return None
    named = {q.get("organisationId") for q in questions}
    assert len(named) == 1, doc["locationId"]
    [other] = named
    return other if other != doc["locationId"] else None


@pytest.fixture(scope="module")
def oldham() -> dict[str, HomeView]:
    checked = check_paths([PROVIDERS], on=TODAY)
    return {v.slug: v for v in views_of(checked.profiles, TODAY, load_schema(), None, {}) if not v.closed}


@pytest.mark.slow  # reads every Oldham profile and its saved API response
@needs_responses
def test_each_oldham_profile_names_the_earlier_registration_cqc_gave_its_rating_to_as_cqc_does():
    found = {}
    for slug, d in _profiles().items():
        doc = _response(d["location_id"])
        assert d["cqc"].get("rating_given_to") == _given_to_in_response(doc), slug
        assert extra_facts(doc)["cqc.rating_given_to"] == _given_to_in_response(doc), slug
        if d["cqc"].get("rating_given_to"):
            found[slug] = d["cqc"]["rating_given_to"]
    assert found == {"apex-prime-care-oldham": "1-9075180925", "avonleigh-gardens": "1-117977107",
                     "care-quality-services-oldham": "1-4126051126", "chadderton-total-care": "1-120641405",
                     "fernbank": "1-2711314834", "my-support-worker-nw-ltd": "1-7648533300",
                     "park-hills-private-nursing-home": "1-113831768"}


@pytest.mark.slow  # reads every Oldham profile and its saved API response
@needs_responses
def test_a_rating_this_registration_was_given_is_its_own_though_some_key_questions_are_an_earlier_ones():
    """Unicorn1care Ltd (registered 25 September 2020): its overall rating, Good, is of its own report of 13 May 2021,
    which rated Safe, Responsive and Well-led; Caring and Effective are kept from its earlier registration's report of
    18 April 2019 and name that registration. The overall rating is not the earlier registration's."""
    doc = _response("1-9588358014")
    overall = doc["currentRatings"]["overall"]
    assert (doc["registrationDate"], overall["rating"], overall["reportDate"]) == ("2020-09-25", "Good", "2021-05-13")
    assert sorted(q["name"] for q in overall["keyQuestionRatings"] if q.get("organisationId")) == ["Caring", "Effective"]
    assert extra_facts(doc)["cqc.rating_given_to"] is None
    assert _profiles()["unicorn1care-ltd"]["cqc"].get("rating_given_to") is None


@needs_responses
def test_a_key_question_rated_before_this_registration_began_is_said_to_be_an_earlier_ones(oldham):
    """Unicorn1care's page said "Effective: Good (published 18 April 2019, ...)" as if CQC had rated this registration,
    which began on 25 September 2020; CQC's entries for Effective and Caring name the earlier registration. A key
    question rated before the registration began says it was given to an earlier one; those of its own report do not."""
    doc = _response("1-9588358014")
    earlier = {q["name"] for q in doc["currentRatings"]["overall"]["keyQuestionRatings"] if q.get("organisationId")}
    [fact] = [f for g in oldham["unicorn1care-ltd"].groups() if g.id == "quality" for f in g.facts
              if f.label == "Each part of the CQC rating"]
    parts = dict(part.split(": ", 1) for part in fact.text.split("; "))
    assert {name for name, said in parts.items() if said.endswith(", given to an earlier registration)")} == earlier
    assert parts["Safe"] == "Good"  # rated by the overall rating's own report: no date, no note


@needs_responses
def test_a_rating_given_to_an_earlier_registration_says_so_on_the_page_card_and_compare_row(oldham):
    doc = _response("1-18437805065")  # Park Hills Private Nursing Home
    assert doc["registrationDate"] == "2024-01-31" and doc["currentRatings"]["overall"]["reportDate"] == "2022-08-26"
    v = oldham["park-hills-private-nursing-home"]
    [fact] = [f for g in v.groups() if g.id == "quality" for f in g.facts if f.label == "CQC rating given to"]
    assert fact.text == "its earlier registration, CQC location 1-113831768"
    assert fact.href == "https://www.cqc.org.uk/location/1-113831768"
    assert fact.note == ("not to its registration of 31 January 2024: CQC shows the earlier registration's rating here "
                         "until it rates this one")
    # its previous rating, older than the current one, was given to an earlier registration too
    [previous] = [f for g in v.groups() if g.id == "quality" for f in g.facts if f.label == "Previous CQC rating"]
    assert (previous.text, previous.note) == ("Good", "published 11 August 2018, 8 years 3 months ago, given to an earlier registration")
    assert v.compare_cells()["rating"] == ("Good (26 August 2022, 4 years 2 months ago), given to an earlier registration, "
                                           "more than 2 years old")
    assert ("CQC rating: Good (26 August 2022, 4 years 2 months ago), given to an earlier registration. This rating is more "
            "than 2 years old") in v.card_lines()
    # and first of all at the top of its page, in its key facts (from the same card line's words)
    from carehomes.render import _env, home_page, profile_page

    for template in (profile_page(), _env().get_template("profile.html")):  # the page as Python and Jinja make it
        page = home_page(v, template, ("", ""), "")[0]
        assert "<li>CQC rating: Good (26 August 2022, 4 years 2 months ago), given to an earlier registration. This rating is more than 2 years old</li>" in page


def test_a_rating_cqc_gave_this_registration_says_nothing_of_another(oldham):
    v = oldham["abbey-hey-care-home"]
    assert v.get("cqc.rating_given_to") is None
    assert not [f for g in v.groups() for f in g.facts if f.label == "CQC rating given to"]
    assert v.compare_cells()["rating"] == "Good (7 February 2024, 2 years 9 months ago), more than 2 years old"
    assert all("earlier registration" not in (f.note or "") for g in v.groups() for f in g.facts)
    d = json.loads(json.dumps(v.d, default=str))  # the same home, its registration date not known
    d["cqc"]["rating_given_to"] = "1-000000009"
    del d["cqc"]["registered_since"]
    [fact] = [f for g in HomeView(d, TODAY, v.s).groups() for f in g.facts if f.label == "CQC rating given to"]
    assert fact.note == ("not to its current registration: CQC shows the earlier registration's rating here until it "
                         "rates this one")


def test_the_importer_leaves_out_a_rating_with_no_other_registration_named():
    doc = {"locationId": "1-100000001", "registrationStatus": "Registered",
           "currentRatings": {"overall": {"rating": "Good", "reportDate": "2024-01-01", "keyQuestionRatings": [
               {"name": "Safe", "rating": "Good", "reportDate": "2024-01-01", "organisationId": "1-100000001"},
               {"name": "Caring", "rating": "Good", "reportDate": "2024-01-01"}]}}}
    assert extra_facts(doc)["cqc.rating_given_to"] is None
    questions = doc["currentRatings"]["overall"]["keyQuestionRatings"]
    questions[1]["organisationId"] = "1-100000002"  # one of the overall rating's report names another: not known whose
    assert extra_facts(doc)["cqc.rating_given_to"] is None
    questions[0]["organisationId"] = "1-100000002"
    assert extra_facts(doc)["cqc.rating_given_to"] == "1-100000002"
    questions[0]["organisationId"] = "1-100000003"  # two others: not known which
    assert extra_facts(doc)["cqc.rating_given_to"] is None
    # a key question kept from an earlier registration's report, the overall rating of this one's own report
    questions[0].pop("organisationId")
    questions[1]["reportDate"] = "2019-01-01"
    assert extra_facts(doc)["cqc.rating_given_to"] is None
    # the overall rating's report named by its link, not its date
    doc["currentRatings"]["overall"]["reportLinkId"] = "r-old"
    questions[1]["reportLinkId"] = "r-old"
    assert extra_facts(doc)["cqc.rating_given_to"] == "1-100000002"


def test_the_example_of_the_field_is_no_real_services():
    assert Path(ROOT / "providers" / "_template.yaml").read_text(encoding="utf-8").count("rating_given_to: 1-000000002") == 1


def _previous_given_to_in_response(doc: dict) -> str | None:
    """The earlier registration CQC's response names (its entry's organisationId) for the newest rated entry of its rating
    history older than the current rating, read here without the importer; None for a service CQC has not rated."""
    current = (doc.get("currentRatings") or {}).get("overall") or {}
    if current.get("rating") in (None, "Not yet rated", "Inspected but not rated"):
        return None
    rated = [h for h in doc.get("historicRatings") or [] if h.get("reportDate") and (h.get("overall") or {}).get("rating")
             not in (None, "Not yet rated", "Inspected but not rated") and h["reportDate"] < current["reportDate"]]
    if not rated:
        return None
    other = max(rated, key=lambda h: h["reportDate"]).get("organisationId")
    return other if other and other != doc["locationId"] else None


@pytest.mark.slow  # reads every Oldham profile and its saved API response
@needs_responses
def test_each_oldham_profile_names_the_earlier_registration_cqc_gave_its_previous_rating_to_as_cqc_does():
    """CQC's rating history names, entry by entry, the registration each past rating was given to. Complete Care and
    Enablement Services (registered 27 February 2020) and Meridian Health and Social Care - Manchester (12 October 2020)
    hold their own current ratings, and previous ratings (Outstanding, 26 April 2019; Good, 4 January 2019) CQC gave
    their earlier registrations, as does Unicorn1care Ltd (Requires improvement, 18 April 2019): the profiles said
    nothing of it, nor could a page."""
    found = {}
    for slug, d in _profiles().items():
        doc = _response(d["location_id"])
        assert d["cqc"].get("previous_rating_given_to") == _previous_given_to_in_response(doc), slug
        assert extra_facts(doc)["cqc.previous_rating_given_to"] == _previous_given_to_in_response(doc), slug
        if d["cqc"].get("previous_rating_given_to"):
            found[slug] = (d["cqc"]["previous_rating_given_to"], d["cqc"].get("rating_given_to"))
    assert found == {"apex-prime-care-oldham": ("1-9075180925", "1-9075180925"),
                     "avonleigh-gardens": ("1-117977107", "1-117977107"),
                     "care-quality-services-oldham": ("1-4126051126", "1-4126051126"),
                     "chadderton-total-care": ("1-120641405", "1-120641405"),
                     "complete-care-and-enablement-services": ("1-841756281", None),
                     "meridian-health-and-social-care-manchester": ("1-1221269650", None),
                     "park-hills-private-nursing-home": ("1-113831768", "1-113831768"),
                     "unicorn1care-ltd": ("1-4815596978", None)}


def test_a_previous_rating_says_it_was_given_to_an_earlier_registration_only_where_cqc_says_so(oldham):
    """The mark on a previous rating comes from CQC's entry for that rating, not from the current one's: a service rated
    by CQC itself since it registered may show a previous rating CQC gave its earlier registration."""
    v = oldham["abbey-hey-care-home"]  # its own ratings: Good (7 February 2024), before it Requires improvement (2022)

    def previous(view: HomeView) -> tuple[str | None, str | None]:
        [fact] = [f for g in view.groups() if g.id == "quality" for f in g.facts if f.label == "Previous CQC rating"]
        return fact.text, fact.note

    text, note = previous(v)
    assert text and note and note.startswith("published ") and "earlier registration" not in note
    d = json.loads(json.dumps(v.d, default=str))  # the same home, had CQC given that rating to an earlier registration
    d["cqc"]["previous_rating_given_to"] = "1-000000009"
    assert previous(HomeView(d, TODAY, v.s)) == (text, f"{note}, given to an earlier registration")
    d = json.loads(json.dumps(oldham["park-hills-private-nursing-home"].d, default=str))  # its current one inherited,
    del d["cqc"]["previous_rating_given_to"]  # its previous one's entry naming no registration: nothing is inferred
    assert "earlier registration" not in (previous(HomeView(d, TODAY, v.s))[1] or "")


def test_a_home_care_agencys_page_shows_its_previous_cqc_rating_as_a_care_homes_does(oldham):
    """CQC rates agencies as it rates care homes: a family comparing agencies sees the rating before the current one
    too, marked where CQC gave it to an earlier registration (Complete Care and Enablement Services: Outstanding,
    26 April 2019, its earlier registration's; its current rating is its own)."""
    v = oldham["complete-care-and-enablement-services"]
    assert [k.id for k in v.kinds] == ["home_care_agency"] and v.get("cqc.rating_given_to") is None
    [fact] = [f for g in v.groups() if g.id == "quality" for f in g.facts if f.label == "Previous CQC rating"]
    assert (fact.text, fact.note) == ("Outstanding", "published 26 April 2019, 7 years 6 months ago, given to an earlier "
                                                     "registration")
    agencies = [w for w in oldham.values() if "home_care_agency" in [k.id for k in w.kinds] and w.get("cqc.previous_rating")]
    shown = [w for w in agencies
             if any(f.label == "Previous CQC rating" for g in w.groups() for f in g.facts)]
    assert len(shown) == len(agencies) > 10


@pytest.mark.slow  # reads every Oldham profile and its saved API response
@needs_responses
def test_each_oldham_profile_holds_the_other_name_cqc_gives_and_is_found_by_it():
    """CQC's alsoKnownAs (a trading name) was not imported: "Visiting Angels" and "C24 Homecare" found nothing."""
    from carehomes.search_index import home_words
    from carehomes.finding import towns

    profiles = _profiles()
    given = {slug: _response(d["location_id"]).get("alsoKnownAs") for slug, d in profiles.items()}
    assert {slug: (d.get("cqc") or {}).get("also_known_as") for slug, d in profiles.items()} == {
        slug: " ".join(a.split()) if a and a.strip() else None for slug, a in given.items()}
    assert {slug for slug, a in given.items() if a} == {"complex-care-experts", "roxhsana-ltd"}
    views = {v.slug: v for v in views_of(check_paths([PROVIDERS]).profiles, TODAY, load_schema(), None, {})}
    labels = towns(list(views.values()))
    assert {"c24", "homecare"} <= home_words(views["complex-care-experts"], labels)
    assert {"visiting", "angels"} <= home_words(views["roxhsana-ltd"], labels)
    facts = {f.label: f.text for g in views["roxhsana-ltd"].groups() for f in g.facts}
    assert facts["Also known as"] == "Visiting Angels Manchester East\u2019"  # as CQC writes it, its stray quote too
    assert "Also known as" not in {f.label for g in views["alexandra-oldham"].groups() for f in g.facts}


def test_a_report_published_before_this_registration_says_it_was_about_the_earlier_one(oldham):
    """Fernbank, registered on 14 July 2023: "latest report published 7 April 2021", with no word that the report was
    of its earlier registration (CQC's history carried over), though its rating row says so."""
    notes = {slug: next((f.note for g in v.groups() for f in g.facts if f.label == "CQC report"), None)
             for slug, v in oldham.items()}
    earlier = {slug for slug, v in oldham.items()
               if v.get("cqc.report_date") and v.get("cqc.registered_since") and v.get("cqc.report_date") < v.get("cqc.registered_since")}
    assert "fernbank" in earlier
    # its link already says whose report it is ("Read the CQC report of its earlier registration"): the note does not
    # say it again, nor nest brackets in the brackets it is shown in
    assert notes["fernbank"] == ("latest report published 7 April 2021, " + oldham["fernbank"].age(dt.date(2021, 4, 7))
                                 + "; this registration began 14 July 2023")
    assert notes["care-quality-services-oldham"] == (  # from the review of its CQC links
        "latest report published 7 September 2021, " + oldham["care-quality-services-oldham"].age(dt.date(2021, 9, 7)) + "; this registration began 24 January 2023")
    assert {slug for slug, n in notes.items() if n and n.endswith(f"; this registration began {nice_date(oldham[slug].get('cqc.registered_since'))}")} == earlier
    assert all(oldham[slug].report_of_earlier for slug in earlier) and not any("(" in str(n) for n in notes.values())
    # a report of before this registration that our data links on this registration's own page says whose it was
    d = oldham["fernbank"].d
    own = HomeView({**d, "cqc": {k: v for k, v in d["cqc"].items() if k not in ("rating_given_to", "previous_rating_given_to")}
                    | {"report_url": f"https://www.cqc.org.uk/location/{d['location_id']}/reports"}}, TODAY, load_schema())
    report = next(f for g in own.groups() for f in g.facts if f.label == "CQC report")
    assert (report.text, report.href, report.note) == (
        "Read the CQC report", f"https://www.cqc.org.uk/location/{d['location_id']}/reports",
        "latest report published 7 April 2021, " + own.age(dt.date(2021, 4, 7))
        + ", about its earlier registration; this registration began 14 July 2023")


OWN, EARLIER = "https://www.cqc.org.uk/location/1-14443163311", "https://www.cqc.org.uk/location/1-4126051126"


def test_its_cqc_page_is_this_registrations_never_the_earlier_one_whose_rating_it_shows(oldham):
    """From a review: Care Quality Services Oldham (CQC location 1-14443163311, registered on 24 January 2023) shows the
    rating CQC gave its earlier registration, CQC location 1-4126051126, whose reports our data links as the report of
    that rating (cqc.report_url). Every link to its CQC page went there too: the page's "Ask the agency, or see its CQC
    page" (and the compare table's and the find page card's, below); this registration's own CQC page was linked
    nowhere. Only the links that say they are the earlier registration's go to it."""
    from carehomes.render import _env, home_page, profile_page

    v = oldham["care-quality-services-oldham"]
    assert (v.d["location_id"], v.get("cqc.rating_given_to")) == ("1-14443163311", "1-4126051126")
    assert v.get("cqc.report_url") == f"{EARLIER}/reports"  # the data say what CQC does: the report of its rating
    facts = {f.label: f for g in v.groups() for f in g.facts}
    assert (facts["CQC rating given to"].text, facts["CQC rating given to"].href) == (
        "its earlier registration, CQC location 1-4126051126", EARLIER)
    assert (facts["CQC report"].text, facts["CQC report"].href) == ("Read the CQC report of its earlier registration", f"{EARLIER}/reports")
    for template in (profile_page(), _env().get_template("profile.html")):  # the page as Python and Jinja make it
        page = home_page(v, template, ("", ""), "")[0]
        assert re.findall(r'href="(https://www\.cqc\.org\.uk/[^"]*)"', page) == [EARLIER, f"{EARLIER}/reports", OWN]
        assert f'<p>Ask the agency, or <a href="{OWN}" rel="nofollow noopener">see its CQC page</a>.</p>' in page


def test_the_compare_rating_rows_cqc_page_is_this_registrations(oldham):
    """The same review: the compare table's rating row, "See the CQC page", went to the earlier registration's reports."""
    v = oldham["care-quality-services-oldham"]
    assert v.compare_cells()["rating"].endswith(", given to an earlier registration, more than 2 years old")
    assert v.compare_extras()["links"]["rating"] == ["See the CQC page", OWN]
    assert v.summary()["links"]["rating"] == ["See the CQC page", OWN]  # home.json, as the compare page reads it


def test_the_find_cards_and_the_reports_cqc_page_is_this_registrations(oldham):
    """The same review: the find page card's "Not confirmed: ring to check ... See the CQC page" (its meta's ``cqc``)
    went to the earlier registration's reports, as did the commissioner report's "CQC" link of its row. Each of the
    Oldham services CQC shows an earlier registration's rating on (Apex Prime Care, Park Hills Private Nursing Home...)
    links its own registration's page, or its own reports where CQC has published one of this registration."""
    from carehomes.report import cqc_link
    from carehomes.search_index import card

    v = oldham["care-quality-services-oldham"]
    meta = json.loads(base64.b64decode(card(v, {})["meta"]["card"]))
    assert meta["cqc"] == OWN and EARLIER not in json.dumps(meta)
    assert cqc_link(v) == OWN
    every = views_of(check_paths([PROVIDERS], on=TODAY).profiles, TODAY, load_schema(), None, {})  # closed ones too
    shown = [w for w in every if w.get("cqc.rating_given_to") or w.get("cqc.previous_rating_given_to")]
    assert len(shown) == 10 and sum(w.report_of_earlier for w in shown) == 7
    for w in shown:
        mine = f"https://www.cqc.org.uk/location/{w.d['location_id']}"
        assert w.cqc_url == cqc_link(w) == (mine if w.report_of_earlier else w.get("cqc.report_url")), w.slug
        assert w.cqc_url.startswith(mine), w.slug
        assert json.loads(base64.b64decode(card(w, {})["meta"]["card"]))["cqc"] == w.cqc_url, w.slug
        assert w.compare_extras()["links"]["rating"][1] == w.cqc_url, w.slug
    apex = next(w for w in every if w.slug == "apex-prime-care-oldham")
    assert (apex.get("cqc.rating_given_to"), apex.cqc_url) == ("1-9075180925", "https://www.cqc.org.uk/location/1-19666435449")


def test_the_compare_columns_registered_manager_no_says_since_when_as_the_page_does(oldham):
    """From a review: the page says "no registered manager since 10 March 2025, as at CQC's register of 20 March 2025";
    its compare column said "No" alone. The note is said beside No alone (face.json noteWith: no), never beside Yes."""
    v = oldham["complex-care-experts"]
    assert (v.summary()["compare"]["manager"], v.summary()["notes"]["manager"]) == (
        "No", "no registered manager since 10 March 2025, as at CQC's register of 20 March 2025")
    page = next(f.note for g in v.groups() for f in g.facts if f.label == "Registered manager in post (CQC)")
    assert page == v.summary()["notes"]["manager"]
    assert all("manager" not in x.summary()["notes"] for x in oldham.values() if x.get("cqc.registered_manager") is not False)
    # a dormancy start is never said of a service CQC does not record as dormant ("Providing care ...: Yes"), whose
    # note is the register's date alone
    assert all(x.summary()["notes"]["dormant"] == f"as at CQC's register of {nice_date(x.register_date)}"
               for x in oldham.values() if x.get("cqc.dormant") is False)


def test_a_care_home_not_yet_rated_says_as_at_when_in_its_key_facts_as_its_card_does(oldham):
    """Beech House Care Home (registered 25 February 2025): CQC's "Not yet rated" is true as at its register of 20 March
    2025, not for ever. The card said so; the page's key facts, its first lines, gave the bare words."""
    from carehomes.render import _env, home_page, profile_page

    v = oldham["beech-house-care-home"]
    assert (v.rating, str(v.register_date)) == ("Not yet rated", "2025-03-20")
    as_at = f"as at 20 March 2025, {v.age(v.register_date)}"
    assert f"CQC rating: Not yet rated by CQC ({as_at})" in v.card_lines()
    for template in (profile_page(), _env().get_template("profile.html")):  # the page as Python and Jinja make it
        page = home_page(v, template, ("", ""), "")[0]
        assert f"<li>CQC rating: Not yet rated by CQC ({as_at})</li>" in page
    rated = oldham["abbey-hey-care-home"]  # a rated home's date is its rating's own, said once
    assert rated.rating_as_at == "" and "as at" not in home_page(rated, profile_page(), ("", ""), "")[0].split("</ul>")[0]
