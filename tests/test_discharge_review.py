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
from carehomes.search import answerable_counts, known_counts
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
    assert (known["taking"], of["taking"]) == (0, 62)
    assert of["band_dementia"] == 104  # both kinds give it
