"""What a review of Oldham's pages against CQC's records found (December 2026), checked on the real Oldham profiles
(areas/oldham/providers/, imported from CQC's API responses) against what those profiles and CQC's responses say,
read here independently:

1. the "by need" lists and the find page's need filters held care homes only for every need but dementia (CQC
   registers 34 Oldham agencies for learning disabilities or autism, 58 for older people, 38 for mental health);
2. a location that is a care home and a home care agency was named only a care home in its page's key facts, its
   card and its compare data;
3. each key question's rating was shown under the overall rating's date, though CQC rated some questions at an
   earlier inspection (Park Hills: Effective and Caring on 11 August 2018, not 26 August 2022)."""
from __future__ import annotations

import base64
import functools
import html
import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import CQC, ROOT, TODAY, run_build
from helpers import no_releases

from carehomes.face import face_of
from carehomes.finding import site_words
from carehomes.kinds import kind
from carehomes.pipeline import check_paths, views_of
from carehomes.render import browse_lists, need_choices
from carehomes.schema import load_schema
from carehomes.sources.cqc_files import extra_facts
from carehomes.views import HomeView

PROVIDERS = ROOT / "areas" / "oldham" / "providers"
RESPONSES = CQC / "oldham-api-json-2025" / "location_details"
needs_responses = pytest.mark.skipif(not RESPONSES.is_dir(), reason="the shared Oldham CQC responses are not on this machine")
BANDS = {"older_people": "Older people", "dementia": "Dementia", "learning_disability_autism": "Learning disabilities or autism",
         "mental_health": "Mental health", "physical_disability": "Physical disability",
         "sensory_impairment": "Sensory impairment", "younger_adults": "Younger adults", "children": "Children (0-18 years)"}
QUESTIONS = {"Safe": "safe", "Effective": "effective", "Caring": "caring", "Responsive": "responsive", "Well-led": "well_led"}


@functools.lru_cache(maxsize=1)
def _profiles() -> dict[str, dict]:
    """Each Oldham profile as its YAML says, by slug (read once: callers only read it)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return {d["slug"]: d for d in (yaml.load(p.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (a safe loader)
                                    for p in sorted(PROVIDERS.glob("[!_]*.yaml")))}


@pytest.fixture(scope="module")
def oldham() -> list[HomeView]:
    """The views of Oldham's listed services, as the build makes them."""
    checked = check_paths([PROVIDERS], on=TODAY)
    return [v for v in views_of(checked.profiles, TODAY, load_schema(), None, {}) if not v.closed]


def _registered_for(band: str) -> set[str]:
    """The services CQC registers for a band, of any kind, by the profiles alone (no Oldham agency has yet given an
    answer of its own to a need, which would come first)."""
    out = set()
    for slug, d in _profiles().items():
        assert not ((d.get("homecare") or {}).get("services")), slug  # else this reading is not the whole answer
        if d["cqc"].get("status") == "Registered" and ((d.get("care") or {}).get("user_bands") or {}).get(band) is True:
            out.add(slug)
    return out


# --- 1. every service of any kind in each need list and need filter ------------------------------------------

def test_each_need_list_holds_every_service_of_any_kind_registered_for_it(oldham):
    needs = {page.label: {v.slug for v in page.homes} for page in browse_lists(oldham, load_schema())["needs"]}
    for band, label in BANDS.items():
        assert needs.get(label, set()) == _registered_for(band), label
    agencies = {v.slug for v in oldham if "home_care_agency" in v.d.get("kinds", [])}
    homes_only = {v.slug for v in oldham} - agencies
    # the reviewer's figures: care homes as before, and CQC's agencies beside them (2 of which are care homes too)
    counts = {label: (len(needs[label] & homes_only), len(needs[label] & agencies), len(needs[label])) for label in
              ("Learning disabilities or autism", "Older people", "Mental health", "Dementia")}
    assert counts == {"Learning disabilities or autism": (1, 34, 35), "Older people": (41, 58, 99),
                      "Mental health": (16, 38, 54), "Dementia": (38, 52, 90)}


def test_the_find_pages_need_filters_are_the_lists(oldham):
    """The find page's filter for a need (the search index's filter file, from each page's yes_filters) holds the
    services its list holds; the filter is offered once, under 'Registered with CQC to support', and also on a site of
    agencies alone."""
    schema = load_schema()
    needs = {page.key: {v.slug for v in page.homes} for page in browse_lists(oldham, schema)["needs"]}
    for key, _ in need_choices(schema):
        assert {v.slug for v in oldham if key in v.yes_filters} == needs.get("need-" + key.replace("_", "-"), set()), key
    site = face_of(schema)
    for present in (["care_home", "home_care_agency"], ["home_care_agency"]):
        shown = [o.filter for f in site.facets_for(present) for o in f.options]
        assert len(shown) == len(set(shown)), shown  # "Care given at home: Mental health" is the same filter
        assert {f"band_{b}" for b in BANDS} <= set(shown), present
    assert site.filter_labels()["band_learning_disability_autism"] == "Learning disabilities or autism"


def test_a_site_of_agencies_alone_lists_them_by_need(oldham):
    agencies = [v for v in oldham if [k.id for k in v.kinds] == ["home_care_agency"]]
    assert site_words(agencies).many == "agencies"
    lists = {page.label: len(page.homes) for page in browse_lists(agencies, load_schema())["needs"]}
    assert lists == {"Older people": 56, "Dementia": 50, "Learning disabilities or autism": 34, "Mental health": 37,
                     "Physical disability": 50, "Sensory impairment": 38, "Younger adults": 55, "Children (0-18 years)": 9}


# --- 2. a location of two kinds says both --------------------------------------------------------------------

def test_a_care_home_that_is_an_agency_too_says_both_kinds_in_its_card_and_compare_data(oldham):
    by_slug = {v.slug: v for v in oldham}
    agency = kind("home_care_agency", load_schema()).title.lower()  # the schema's words for the kind, not these
    for slug, care in (("park-hills-private-nursing-home", "Care home with nursing"),
                       ("stoneswood-residential-home", "Care home without nursing")):
        v = by_slug[slug]
        said = f"{care} and {agency}"
        assert v.kind_text == said
        assert v.card_lines()[0] == said
        assert json.loads(base64.b64decode(v.card_meta()))["lines"][0] == said
        summary = v.summary()
        assert summary["compare"]["care"] == said
        assert (summary["kind"], summary["kinds"]) == ("care_home", ["care_home", "home_care_agency"])
    # one kind: as before
    assert by_slug["abbey-hey-care-home"].card_lines()[0] == "Care home without nursing"
    assert by_slug["abbey-hey-care-home"].summary()["kinds"] == ["care_home"]
    assert by_slug["apex-prime-care-oldham"].card_lines()[0] == "Home care agency"


# --- 3. each key question with its own date ------------------------------------------------------------------

def _cqcs_question_dates(location_id: str) -> dict[str, str]:
    """Each key question's report date as CQC's response gives it (currentRatings.overall.keyQuestionRatings)."""
    doc = json.loads((RESPONSES / f"location_{location_id}.json").read_text(encoding="utf-8"))
    overall = (doc.get("currentRatings") or {}).get("overall") or {}
    return {QUESTIONS[q["name"]]: q["reportDate"] for q in overall.get("keyQuestionRatings") or []}


@needs_responses
def test_the_profiles_keep_each_key_questions_date_as_cqc_gives_it():
    differ = []
    for slug, d in _profiles().items():
        cqc = d["cqc"]
        given = _cqcs_question_dates(d["location_id"])
        for q in QUESTIONS.values():
            if given:
                assert str(cqc.get(f"rating_{q}_date")) == given[q], (slug, q)
        if any(str(cqc.get(f"rating_{q}_date")) != str(cqc.get("rating_date")) for q in QUESTIONS.values() if cqc.get(f"rating_{q}")):
            differ.append(slug)
    # 21 rated in CQC's older framework, and 2 (Franklin House, Treetops) in its newer one
    assert len(differ) == 23 and {"park-hills-private-nursing-home", "abbey-hey-care-home", "franklin-house-limited",
                                  "treetops-nursing-home"} <= set(differ)
    park = _profiles()["park-hills-private-nursing-home"]["cqc"]
    assert [str(park[f"rating_{q}_date"]) for q in QUESTIONS.values()] == [
        "2022-08-26", "2018-08-11", "2018-08-11", "2022-08-26", "2022-08-26"]


@needs_responses
def test_a_question_the_newer_framework_did_not_assess_keeps_the_date_it_was_last_rated():
    """Treetops' 2024 assessment (published 17 September 2024) looked at every key question but Effective ("Not
    Assessed"), whose Good is the one of its report of 18 December 2020 (historicRatings); an assessed one is dated by
    the assessment. A question the history does not rate as it is now rated is not known, never guessed."""
    doc = json.loads((RESPONSES / "location_1-5203053560.json").read_text(encoding="utf-8"))
    facts = extra_facts(doc)
    assert str(facts["cqc.rating_date"]) == "2024-09-17"
    assert {q: str(facts[f"cqc.rating_{q}_date"]) for q in QUESTIONS.values()} == {
        "safe": "2024-09-17", "effective": "2020-12-18", "caring": "2024-09-17", "responsive": "2024-09-17",
        "well_led": "2024-09-17"}
    for h in doc["historicRatings"]:  # the history rated Effective otherwise: its date is not known
        for q in h["overall"].get("keyQuestionRatings") or []:
            if q["name"] == "Effective":
                q["rating"] = "Requires improvement"
    assert extra_facts(doc)["cqc.rating_effective_date"] is None
    q = next(q for a in doc["assessment"] for r in a["ratings"]["asgRatings"] for q in r["keyQuestionRatings"] if q["name"] == "Safe")
    del q["status"]  # no status: whether the assessment rated it is not known
    assert extra_facts(doc)["cqc.rating_safe_date"] is None


def test_a_page_dates_each_question_rated_at_another_inspection(oldham):
    by_slug = {v.slug: v for v in oldham}

    def questions(slug: str) -> tuple[str, str | None]:
        [fact] = [f for g in by_slug[slug].groups() if g.id == "quality" for f in g.facts if f.label == "Each part of the CQC rating"]
        return fact.text or "", fact.note

    text, note = questions("park-hills-private-nursing-home")
    # rated in 2018, more than the rating's limit (2 years) old, as the overall rating would say of itself, and before
    # this registration began (31 January 2024): given to an earlier one
    assert re.fullmatch(r"Safe: Good; Effective: Good \(published 11 August 2018, 8 years 3 months ago, more than 2 years old, "
                        r"given to an earlier registration\); Caring: Good \(published 11 August 2018, 8 years 3 months ago, more "
                        r"than 2 years old, given to an earlier registration\); Responsive: Good; Well-led: Good", text), text
    assert note is None
    text, _ = questions("abbey-hey-care-home")
    assert [q.split(" (")[0] for q in text.split("; ") if "(published 11 July 2018" in q] == [
        "Effective: Good", "Caring: Good", "Responsive: Good"]
    v = by_slug["park-hills-private-nursing-home"]  # a question rated within the limit: no warning
    d = json.loads(json.dumps(v.d, default=str))
    d["cqc"]["rating_caring_date"] = "2025-06-01"
    [fact] = [f for g in HomeView(d, TODAY, v.s).groups() if g.id == "quality" for f in g.facts if f.label == "Each part of the CQC rating"]
    assert "Caring: Good (published 1 June 2025, 1 year 5 months ago); " in (fact.text or ""), fact.text
    text, _ = questions("stoneswood-residential-home")  # every question from the overall rating's report: no dates
    assert text == "Safe: Good; Effective: Good; Caring: Good; Responsive: Good; Well-led: Good"


def test_a_question_whose_date_is_not_known_says_so(oldham):
    v = next(v for v in oldham if v.slug == "park-hills-private-nursing-home")
    d = json.loads(json.dumps(v.d, default=str))
    del d["cqc"]["rating_caring_date"]
    spec = next(f for g in face_of(v.s, "care_home").page if g.id == "quality" for f in g.facts if f.format == "key_questions")
    fact = HomeView(d, TODAY, v.s).fact(spec)
    assert fact is not None and "Caring: Good (date not in our data)" in (fact.text or "") and fact.note is None
    for q in QUESTIONS.values():  # a profile imported before the dates were kept: said once, never the overall's date
        d["cqc"].pop(f"rating_{q}_date", None)
    fact = HomeView(d, TODAY, v.s).fact(spec)
    assert fact is not None and fact.text == "Safe: Good; Effective: Good; Caring: Good; Responsive: Good; Well-led: Good"
    assert fact.note == "when CQC rated each is not in our data"


def test_a_question_cqc_gave_no_rating_is_named_not_left_out(oldham):
    """Kings Manor (Devon) showed "Safe: Inspected but not rated; Responsive: ...; Well-led: ..." and nothing of
    Effective and Caring, which CQC's data gives "No published rating" (the Devon review): each is named, after the
    others, as not in the data we hold, never as a rating."""
    v = next(v for v in oldham if v.slug == "stoneswood-residential-home")
    d = json.loads(json.dumps(v.d, default=str))
    del d["cqc"]["rating_effective"], d["cqc"]["rating_caring"]
    spec = next(f for g in face_of(v.s, "care_home").page if g.id == "quality" for f in g.facts if f.format == "key_questions")
    fact = HomeView(d, TODAY, v.s).fact(spec)
    assert fact is not None and fact.text == ("Safe: Good; Responsive: Good; Well-led: Good; Effective: no rating in the CQC "
                                              "data we hold; Caring: no rating in the CQC data we hold")
    for q in QUESTIONS.values():
        d["cqc"].pop(f"rating_{q}", None)
    assert HomeView(d, TODAY, v.s).fact(spec) is None  # none rated: the line is left out, as ifKnown says


# --- the site as built ---------------------------------------------------------------------------------------

@pytest.mark.slow  # builds Oldham's site
def test_oldhams_site_lists_every_service_by_need_and_says_what_each_is(tmp_path):
    site = tmp_path / "site"
    done = run_build("build", "--area", "oldham", "--out", str(site), "--no-search", "--releases", no_releases(tmp_path / "none"))
    assert done.returncode == 0, done.stderr
    browse = _text(site / "browse" / "index.html")
    for label, n in (("Older people", 99), ("Learning disabilities or autism", 35), ("Mental health", 54), ("Dementia", 90)):
        assert f"{label} ({n})" in browse, label
    assert f"{len(_registered_for('mental_health'))} services, A to Z." in _text(site / "browse" / "need-band-mental-health" / "index.html")
    page = (site / "homes" / "park-hills-private-nursing-home" / "index.html").read_text(encoding="utf-8")
    assert '<ul class="ch-badges" aria-label="Key facts">\n<li>Care home with nursing and home care agency</li>' in page
    assert "Effective: Good (published 11 August 2018, " in _text(site / "homes" / "park-hills-private-nursing-home" / "index.html")
    home = json.loads((site / "homes" / "park-hills-private-nursing-home" / "home.json").read_text(encoding="utf-8"))
    assert home["kinds"] == ["care_home", "home_care_agency"] and home["compare"]["care"].endswith(" and home care agency")
    header = (site / "data" / "care-homes.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[header.index("cqc_rating_effective") + 1] == "cqc_rating_effective_date"
    rows = (site / "data" / "home-care-agencies.csv").read_text(encoding="utf-8")
    assert "cqc_rating_caring_date" in rows.splitlines()[0]
    # the home page promises no places free or fees that no service has given, and leads to each kind it lists
    front = _text(site / "index.html")
    assert ("Use it to find a service that can meet a person's needs and check each one's quality rating. No service has "
            "told us yet whether it has places free or what it charges: ring each to ask.") in front, front
    quick = (site / "index.html").read_text(encoding="utf-8")
    assert '<li><a href="find/?kind=care_home">Care homes</a></li>' in quick
    assert '<li><a href="find/?kind=home_care_agency">Home care agencies</a></li>' in quick
    find = (site / "find" / "index.html").read_text(encoding="utf-8")
    for kind_id in ("care_home", "home_care_agency"):  # each shortcut names a choice the find page offers
        assert re.search(rf'<input type="checkbox"[^>]*name="kind" value="{kind_id}"', find), kind_id


def _text(page: Path) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_a_dormant_service_says_so_at_the_top_of_its_page_and_on_its_card(oldham):
    """CQC records 54 Taylor Street as dormant: its card and the top of its page say it is not providing care now (it
    was said only in "Registration", near the bottom), since when (CQC's dormancyStartDate) and the register's date; a
    service not dormant says nothing."""
    from carehomes.render import _env

    v = next(v for v in oldham if v.slug == "54-taylor-street")
    assert v.card_lines()[1] == "Not providing care at the moment, CQC says (since 29 April 2024, as at CQC's register of 20 March 2025)"
    assert v.dormant_text == ("The Care Quality Commission (CQC) says this agency is registered but not providing care at the "
                              "moment (since 29 April 2024; CQC information dated 20 March 2025, 1 year "
                              "8 months ago). CQC calls this dormant. Check with the agency or the council before you count "
                              "on a place.")
    body = _env().get_template("profile.html").render(h=v, groups=v.groups(), unknowns=[], contact_email="x@example.org",
                                                       json_ld="{}")
    top = body.split('<ul class="ch-badges"')[0]
    assert '<p class="admonition-title">Not providing care at the moment</p>' in top and v.dormant_text in top
    other = next(v for v in oldham if v.get("cqc.dormant") is not True and not v.closed)
    assert other.dormant_text is None and not any("dormant" in line for line in other.card_lines())


def test_one_of_a_kind_is_counted_in_the_singular(oldham):
    """A site of one care home and one agency was built as '2 services (1 care homes and 1 home care agencies)'."""
    home = next(v for v in oldham if [k.id for k in v.kinds] == ["care_home"])
    agencies = [v for v in oldham if [k.id for k in v.kinds] == ["home_care_agency"]]
    assert site_words([home, agencies[0]]).summary(2) == "2 services (1 care home and 1 home care agency)"
    assert site_words([home, *agencies[:3]]).summary(4) == "4 services (1 care home and 3 home care agencies)"


@needs_responses
def test_an_agencys_page_says_what_cqc_registers_it_to_do_as_cqcs_record_lists_it(oldham):
    """The home care review: Grace 247 Care Manchester is registered only for "Treatment of disease, disorder or
    injury", not personal care, yet its page said nothing of it (the compare page's "Care it gives" reads the same
    list): a discharge coordinator could not tell. Each service's page now gives CQC's regulated activities, as CQC's
    own record lists them, read here from the saved responses."""
    said = {}
    for v in oldham:
        record = json.loads((RESPONSES / f"location_{v.d['location_id']}.json").read_text(encoding="utf-8"))
        cqc = [a["name"] for a in record.get("regulatedActivities") or []]
        facts = {f.label: f.text for g in v.groups() for f in g.facts}
        said[v.slug] = facts.get("What CQC registers it to do")
        assert sorted((said[v.slug] or "").split("; ")) == sorted(cqc or [""]), (v.slug, cqc, said[v.slug])  # in any order
    assert said["grace-247-care-manchester"] == "Treatment of disease, disorder or injury"
    assert len(said) == len(oldham) == 104
