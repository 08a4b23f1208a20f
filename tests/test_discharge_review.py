"""What a review of Oldham as a hospital discharge coordinator and a social worker would use it found (December 2026),
checked on the real Oldham profiles (areas/oldham/providers/) against CQC's saved API responses:

1. the compare table's "Phone" row said "Not provided yet" for every Oldham service, though CQC holds a phone
   number for each and the card and the page give it ("the number CQC holds");
2. the find page said "With nursing (44 of 104 services have told us)", and a nursing search with weekend admissions
   began "Only 44 of 104 services have told us whether it offers this type of care: With nursing.": a fact only care
   homes give (CQC's, for all 44) counted out of every service, the 60 agencies as if they had not said;
3. a distance search listing services "not confirmed" (personal care near OL8: no agency has said) said neither that
   they were nearest first, from where, nor that an agency's distance is to its office (tests/test_browser_oldham.py)."""
from __future__ import annotations

import json
import re

import pytest
from conftest import CQC, ROOT, TODAY

from carehomes.pipeline import check_paths, views_of
from carehomes.schema import load_schema
from carehomes.face import face_of
from carehomes.search import answerable_counts, answering_kinds, known_counts, write_facets
from carehomes.views import HomeView

PROVIDERS = ROOT / "areas" / "oldham" / "providers"
RESPONSES = CQC / "oldham-api-json-2025" / "location_details"
needs_responses = pytest.mark.skipif(not RESPONSES.is_dir(), reason="the shared Oldham CQC responses are not on this machine")


@pytest.fixture(scope="module")
def oldham() -> list[HomeView]:
    """The views of Oldham's listed services, as the build makes them."""
    checked = check_paths([PROVIDERS], on=TODAY)
    return [v for v in views_of(checked.profiles, TODAY, load_schema(), None, {}) if not v.closed]


def _cqc(location_id: str) -> dict:
    return json.loads((RESPONSES / f"location_{location_id}.json").read_text(encoding="utf-8"))


# --- 1. the compare table's phone: CQC's number, said as CQC's, where the service has given none ----------------

@needs_responses
def test_the_compare_tables_phone_is_cqcs_number_said_as_cqcs(oldham):
    by_slug = {v.slug: v for v in oldham}
    summary = by_slug["blue-tree-care-limited"].summary()
    assert (summary["compare"]["phone"], summary["notes"]["phone"]) == (
        "0161 633 0704", "as held by CQC; the agency has not given its own")
    summary = by_slug["coppice-nursing-home"].summary()
    assert (summary["compare"]["phone"], summary["notes"]["phone"]) == (
        "0161 626 8522", "as held by CQC; the home has not given its own")
    for v in oldham:  # every listed service: the digits CQC holds, never "not provided" while CQC has a number
        held = re.sub(r"\D", "", _cqc(v.d["location_id"]).get("mainPhoneNumber") or "")
        cell = v.summary()["compare"]["phone"]
        if held:
            assert cell is not None and re.sub(r"\D", "", cell) == (held if held.startswith("0") else "0" + held), v.slug


# --- 2. a count on a fact only care homes give is out of the care homes ----------------------------------------

def test_a_fact_only_care_homes_give_is_counted_out_of_the_care_homes(oldham):
    """"With nursing" is CQC's word on each care home; no home care agency gives it (search/facets.json "of")."""
    known, of = known_counts(oldham), answerable_counts(oldham)
    homes = sum(1 for v in oldham if "care_home" in v.summary()["kinds"])
    agencies = sum(1 for v in oldham if "home_care_agency" in v.summary()["kinds"])
    assert (len(oldham), homes, agencies) == (104, 44, 62)
    assert (known["care_nursing"], of["care_nursing"]) == (44, 44)
    assert (known["weekend"], of["weekend"]) == (0, 44)
    # no agency has said; the 9 CQC records as dormant are not known to be not taking new clients now either: CQC said
    # so in March 2025, past the register's staleness age (views.taking_now; test_a_dormant_agency_is_not_taking_...)
    assert sum(v.get("cqc.dormant") is True for v in oldham if "home_care_agency" in v.summary()["kinds"]) == 9
    assert (known["taking"], of["taking"]) == (0, 62)
    assert of["band_dementia"] == 104  # both kinds give it


def test_a_cqc_rating_is_counted_out_of_every_service_cqc_rates(oldham, tmp_path):
    """CQC rates home care agencies as well as care homes, and the rating filter finds both: its count was out of the 44
    care homes ("of": 44, "ofKinds": care homes), so a site without ratings said "Rating not in our data: 44 of 44 care
    homes have no known CQC rating." of 104 services, and an agency with no rating was never offered when a search on
    the rating was relaxed (the agencies' face declared no rating facet: an agencies-only site had no rating filter)."""
    known, of = known_counts(oldham), answerable_counts(oldham)
    rated = sum(1 for v in oldham if v.get("cqc.rating"))
    assert (known["rating"], of["rating"], rated) == (104, 104, 104)
    assert "rating" not in answering_kinds(oldham)
    assert "rating" in {f.key for f in face_of(load_schema()).facets_for(["home_care_agency"])}
    # with no rating known (a register file gives none), the count is of every service, in the site's words
    unrated = [_profile(v, cqc={k: x for k, x in v.d["cqc"].items() if k != "rating"}) for v in oldham]
    agency = next(v for v in unrated if v.summary()["kinds"] == ["home_care_agency"])
    assert "rating" in agency.untold  # offered, "not confirmed", when a rating search is relaxed
    write_facets(unrated, tmp_path)
    facets = json.loads((tmp_path / "search" / "facets.json").read_text(encoding="utf-8"))
    assert (facets["homes"], facets["known"]["rating"]) == (104, 0)
    assert "rating" not in facets["of"] and "rating" not in facets["ofKinds"]


# --- 4. personal care: an agency's own answer, else CQC's registration for the regulated activity -----------------

def _fact(v: HomeView, label: str):
    return next(f for g in v.groups() for f in g.facts if f.label == label)


def _profile(v: HomeView, **parts) -> HomeView:
    """The service's view with some of its own answers added (a copy: the module's views are shared)."""
    return HomeView({**json.loads(json.dumps(v.d, default=str)), **parts}, TODAY, v.s)


@needs_responses
def test_personal_care_is_cqcs_registration_said_as_cqcs_where_the_agency_has_not_answered(oldham):
    """CQC registers 61 of Oldham's 62 agencies for the regulated activity 'Personal care' (its API records); no agency
    has given its own answer, so the page's 'Care it gives', the compare row and the find page's filter took each as not
    known, and "No service has told us yet whether it gives this care: Personal care" was said of every search for it.
    Now each is CQC's yes, said as CQC's; the agency CQC does not register for it stays not known, never no."""
    agencies = [v for v in oldham if "home_care_agency" in v.summary()["kinds"]]
    registered = {v.slug for v in agencies
                  if any(a["name"] == "Personal care" for a in _cqc(v.d["location_id"]).get("regulatedActivities") or [])}
    assert (len(agencies), len(registered)) == (62, 61)
    assert {v.slug for v in oldham if "given_personal_care" in v.yes_filters} == registered
    assert known_counts(oldham)["given_personal_care"] == 61 and answerable_counts(oldham)["given_personal_care"] == 62
    taylor = next(v for v in agencies if v.slug == "54-taylor-street")
    fact = _fact(taylor, "Care it gives")
    assert (fact.text, fact.note, fact.owner) == ("Personal care", "as CQC registers it; the agency has not given its own answer", "cqc")
    assert (taylor.compare_cells()["services"], taylor.compare_extras()["notes"]["services"]) == (
        "Personal care", "as CQC registers it; the agency has not given its own answer")
    # still asked of the agency, whose own answer would say night sitting, live-in care...: the home care review
    assert [u.owner for u in taylor.unknowns() if "the care it gives" in u.items] == ["provider"]
    grace = next(v for v in agencies if v.slug not in registered)  # CQC registers it for another activity only
    assert grace.get("cqc.regulated_activities") == ["Treatment of disease, disorder or injury"]
    assert _fact(grace, "Care it gives").text is None and grace.compare_cells()["services"] is None
    assert "given_personal_care" not in grace.yes_filters and "given_personal_care" in grace.untold  # not known, not no
    assert "the care it gives" in next(u for u in grace.unknowns() if u.owner == "provider").items


@needs_responses
def test_an_agencys_own_answer_on_personal_care_comes_before_cqcs(oldham):
    taylor = next(v for v in oldham if v.slug == "54-taylor-street")
    said_no = _profile(taylor, homecare={"services": {"personal_care": False}})
    assert "given_personal_care" not in said_no.yes_filters and "given_personal_care" not in said_no.untold
    fact = _fact(said_no, "Care it gives")  # one no among care not answered: that one, never "None of these"
    # what it has not answered is said not known, never left to read as a no
    assert (fact.text, fact.note, fact.owner) == (
        "Not personal care", "not known: dementia care, live-in care, night sitting, reablement and hospital discharge, end of life care, learning disability, mental health, younger adults", "provider")
    said_yes = _profile(taylor, homecare={"services": {"personal_care": True, "live_in": False}})
    assert (_fact(said_yes, "Care it gives").text, _fact(said_yes, "Care it gives").note) == (
        "Personal care", "not: live-in care; not known: dementia care, night sitting, reablement and hospital discharge, end of life care, learning disability, mental health, younger adults")
    services = [f.path.rsplit(".", 1)[1] for f in taylor.s.by_path.values()
                if f.path.startswith("homecare.services.") and f.type == "boolean"]
    none = _profile(taylor, homecare={"services": dict.fromkeys(services, False)})
    assert _fact(none, "Care it gives").text == "None of these"


@needs_responses
def test_an_agency_that_answered_other_care_keeps_cqcs_personal_care_with_it(oldham):
    """An agency that told us some of the care it gives (dementia, not live-in) but not personal care: the page listed
    only its own answers, while the filter still said yes to personal care from CQC's registration."""
    taylor = next(v for v in oldham if v.slug == "54-taylor-street")
    partial = _profile(taylor, homecare={"services": {"dementia": True, "live_in": False}})
    assert "given_personal_care" in partial.yes_filters
    fact = _fact(partial, "Care it gives")
    assert (fact.text, fact.note, fact.owner) == (
        "Dementia care, Personal care (as CQC registers it; the agency has not given its own answer)",
        "not: live-in care; not known: night sitting, reablement and hospital discharge, end of life care, learning disability, mental health, younger adults", "provider")
    assert partial.compare_cells()["services"] == fact.text
    only_no = _profile(taylor, homecare={"services": {"live_in": False}})
    assert _fact(only_no, "Care it gives").text == "Personal care (as CQC registers it; the agency has not given its own answer)"


# --- 5. the manager: the home's own lead manager, else CQC's registered manager, said as CQC's --------------------

@needs_responses
def test_the_manager_is_cqcs_registered_manager_said_as_cqcs_where_the_service_has_given_none(oldham):
    """CQC names the registered manager of 95 of Oldham's 104 services; no service has given its own, so every page said
    the manager's name was not known. Now CQC's name is shown, said as CQC's; the service's own comes first."""
    named = [v for v in oldham if v.get("cqc.registered_managers")]
    assert len(named) == 95
    for v in named:
        managers = {" ".join(filter(None, (p.get("personTitle"), p.get("personGivenName"), p.get("personFamilyName"))))
                    for a in _cqc(v.d["location_id"]).get("regulatedActivities") or [] for p in a.get("contacts") or []
                    if "Registered Manager" in p.get("personRoles", [])}
        assert set(v.get("cqc.registered_managers")) == managers, v.slug
    coppice = next(v for v in oldham if v.slug == "coppice-nursing-home")
    fact = _fact(coppice, "Manager")
    assert fact.text == " and ".join(coppice.get("cqc.registered_managers")) and fact.owner == "cqc"
    assert fact.note == "registered manager as held by CQC; the home has not given its own"
    agency = next(v for v in named if v.slug == "54-taylor-street")
    assert (_fact(agency, "Manager").text, _fact(agency, "Manager").note) == (
        "Miss Mandisi Anita Shoko", "registered manager as held by CQC; the agency has not given its own")
    several = next(v for v in named if len(v.get("cqc.registered_managers")) == 3)
    a, b, c = several.get("cqc.registered_managers")
    assert _fact(several, "Manager").text == f"{a}, {b} and {c}"
    own = _profile(coppice, contact={"manager": "Jo Example"})
    assert (_fact(own, "Manager").text, _fact(own, "Manager").note, _fact(own, "Manager").owner) == ("Jo Example", None, "provider")


@needs_responses
def test_a_service_whose_manager_cqc_records_as_absent_shows_no_manager(oldham):
    """CQC records no registered manager at 9 of Oldham's services: none is named, from CQC or anyone; the page says the
    home has not told us its manager's name."""
    absent = [v for v in oldham if v.get("cqc.registered_manager") is False]
    assert len(absent) == 9
    for v in absent:
        assert _cqc(v.d["location_id"]).get("registeredManagerAbsentDate") and v.get("cqc.registered_managers") is None
        assert _fact(v, "Manager").text is None, v.slug
        assert "manager's name" in next(u for u in v.unknowns() if u.owner == "provider").items


def test_a_page_never_asks_for_places_of_a_type_cqc_does_not_register_the_home_for():
    """Alexandra (Oldham) is registered for nursing care only: with its beds with nursing free given, its page listed
    "beds without nursing free now" among what the home has not told us, though it has none to give (a form's 0 for
    them is not applicable, and nothing is stored). A home registered for both still lists the one not given."""
    import copy
    import datetime as dt

    from carehomes.load import parse_profile

    p, _ = parse_profile((PROVIDERS / "alexandra-oldham.yaml").read_text(encoding="utf-8"), "alexandra-oldham.yaml")
    assert p is not None and p.data["care"]["nursing"] is True and p.data["care"]["residential"] is False
    d = copy.deepcopy(p.data)
    d.setdefault("beds", {}).setdefault("nursing", {})["available"] = 2
    d["beds"]["confirmed"] = TODAY - dt.timedelta(days=1)
    v = HomeView(d, TODAY, load_schema())
    labels = [f.label for g in v.groups() for f in g.facts]
    asked = next(u for u in v.unknowns() if u.owner == "provider").items
    assert "Beds with nursing free now" in labels and "Beds without nursing free now" not in labels
    assert "beds without nursing free now" not in asked and "Beds without nursing in total" not in labels
    d["care"]["residential"] = True  # registered for both: the one not given is asked for
    both = HomeView(d, TODAY, load_schema())
    assert "beds without nursing free now" in next(u for u in both.unknowns() if u.owner == "provider").items



def test_a_home_without_nursing_is_not_asked_for_its_fee_with_nursing_nor_its_nurses_turnover():
    """The open data review: Neville House (Oldham), registered without nursing, gave whether it accepts the council's
    rate and its staff turnover; its page then asked for its "weekly fee with nursing" and "registered nurses who left
    in a year", which it cannot have. The nursing places' ``about`` facts are not asked of a home without them; its
    fee without nursing still is, and a home with nursing is still asked for both."""
    import copy
    import datetime as dt

    from carehomes.load import parse_profile

    p, _ = parse_profile((PROVIDERS / "neville-house-residential-home.yaml").read_text(encoding="utf-8"), "n.yaml")
    assert p is not None and p.data["care"]["nursing"] is False and p.data["care"]["residential"] is True
    d = copy.deepcopy(p.data)
    d["fees"] = {"council_rate_accepted": False, "date": TODAY - dt.timedelta(days=3)}
    d["staffing"] = {"staff_turnover_percent": 20, "date": TODAY - dt.timedelta(days=3)}
    v = HomeView(d, TODAY, load_schema())
    asked = next(u for u in v.unknowns() if u.owner == "provider").items
    assert "weekly fee without nursing" in asked
    assert "weekly fee with nursing" not in asked and "registered nurses who left in a year" not in asked
    d["care"]["nursing"] = True
    both = next(u for u in HomeView(d, TODAY, load_schema()).unknowns() if u.owner == "provider").items
    assert "weekly fee with nursing" in both and "registered nurses who left in a year" in both

def test_beds_free_said_long_ago_are_not_found_as_free_now_but_still_shown_dated():
    """The find page's "Beds free now" and "most beds free first" took a count of any age: a home that said "2 beds
    with nursing free" two years ago was found as having a bed free now, above homes that said so yesterday, while an
    agency's "Taking new clients" leaves an answer older than the availability staleness age out. Now the same: older
    than that age, the count is not known for the filters, the sort and the find page's counts; its page and card
    still say it, with its date and "may be out of date"."""
    import copy
    import datetime as dt

    from carehomes.finding import towns
    from carehomes.load import parse_profile
    from carehomes.search_index import filters

    p, _ = parse_profile((ROOT / "tests" / "fixtures" / "profiles" / "example-full.yaml").read_text(encoding="utf-8"), "x.yaml")
    assert p is not None
    fresh, old = copy.deepcopy(p.data), copy.deepcopy(p.data)
    fresh["beds"]["confirmed"] = TODAY - dt.timedelta(days=1)
    old["beds"]["confirmed"] = TODAY - dt.timedelta(days=730)
    now, then = HomeView(fresh, TODAY, load_schema()), HomeView(old, TODAY, load_schema())
    assert now.free("nursing") == then.free("nursing") == old["beds"]["nursing"]["available"] > 0
    assert "nursing" in filters(now, towns([now])).get("free", [])
    assert "free" not in filters(then, towns([then]))
    assert (now.has_free_now, then.has_free_now) == (True, None)
    assert now.free_total_now == now.free_total and then.free_total_now is None
    assert then.free_band == "unknown" and now.free_band != "unknown"
    assert then.value("free_total_now") is None and then.value("free_nursing_now") is None
    assert then.free_text.endswith("(2 years ago). May be out of date") and str(then.free_total) in then.free_text


@pytest.mark.parametrize("nursing, residential, said", [
    (True, True, "Care home with and without nursing"), (True, False, "Care home with nursing"),
    (True, None, "Care home with nursing"), (False, True, "Care home without nursing"),
    (None, True, "Care home (nursing not known)"), (False, None, "Care home"), (None, None, "Care home")])
def test_a_home_whose_nursing_registration_is_not_known_is_never_said_to_be_without_nursing(nursing, residential, said):
    """A profile with care.nursing left out and care.residential: true was headed, carded and compared as "Care home
    without nursing", word for word what care.nursing: false gives: a discharge team would read an unknown as no."""
    import copy

    from carehomes.load import parse_profile

    p, _ = parse_profile((PROVIDERS / "alexandra-oldham.yaml").read_text(encoding="utf-8"), "alexandra-oldham.yaml")
    assert p is not None
    d = copy.deepcopy(p.data)
    d["care"] = {k: v for k, v in (("nursing", nursing), ("residential", residential)) if v is not None}
    v = HomeView(d, TODAY, load_schema())
    assert v.care_type_text == said
    assert v.kind_text == said  # the page's heading, its card and its compare row
    assert [f.text for g in v.groups() for f in g.facts if f.label.startswith("Type of home")] == (
        [said] if nursing or residential else [None])  # the page's fact: not known when CQC's registration says neither


def test_a_dormant_agency_is_not_taking_new_clients_while_cqc_said_so_lately_not_twenty_months_on(oldham):
    """CQC's dormancy flag (registered, giving no care at the moment: a new registration is dormant until it begins) made
    an agency "not taking new clients" and 0 hours on the find page and the market page however old the register was:
    Bluebird Care Oldham, dormant since it registered on 26 November 2024, as at CQC's data of March 2025."""
    import copy

    v = next(x for x in oldham if x.slug == "bluebird-care-oldham")
    assert v.get("cqc.dormant") is True and v.register_stale
    assert (v.taking_now, v.hours_now, v.hours_band) == (None, None, "unknown")
    d = copy.deepcopy(v.d)
    d["cqc"]["imported"] = TODAY  # CQC's word of today: not providing care, so not taking new clients
    fresh = HomeView(d, TODAY, v.s)
    assert (fresh.taking_now, fresh.hours_now, fresh.hours_band) == (False, 0, "known")
    assert any(f.label.startswith("Not providing care") for g in v.groups() for f in g.facts)  # the page still says it
