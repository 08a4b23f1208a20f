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
import json

import pytest
import yaml
from conftest import ROOT, TODAY

from carehomes.face import face_of
from carehomes.finding import site_words
from carehomes.kinds import kind
from carehomes.pipeline import check_paths, views_of
from carehomes.render import browse_lists, need_choices
from carehomes.schema import load_schema
from carehomes.views import HomeView

PROVIDERS = ROOT / "areas" / "oldham" / "providers"
BANDS = {"older_people": "Older people", "dementia": "Dementia", "learning_disability_autism": "Learning disabilities or autism",
         "mental_health": "Mental health", "physical_disability": "Physical disability",
         "sensory_impairment": "Sensory impairment", "younger_adults": "Younger adults", "children": "Children (0-18 years)"}


def _profiles() -> dict[str, dict]:
    """Each Oldham profile as its YAML says, by slug."""
    return {d["slug"]: d for d in (yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(PROVIDERS.glob("*.yaml")))}


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
