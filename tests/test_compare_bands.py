"""The compare table's "Registered to support" says CQC's "Services for everyone", as the service's page does.

Support to Lead (Oldham) is registered by CQC for dementia, learning disabilities, mental health, physical
disabilities, sensory impairment and "Services for everyone"; the importer stores the groups CQC did not name beside
"Services for everyone" as not known, never no. Its page's "Specialisms (CQC)" says "Services for everyone", but its
compare cell listed the five groups alone, as if it did not support older people; Bridging the Gap, for which CQC
lists "Services for everyone" alone, had an empty cell. The row (and a care home page's "Registered to support (CQC)")
now adds the item its everyone names where CQC lists it, and says the groups not known in its note.
"""
from __future__ import annotations

import json

import pytest
from conftest import TODAY
from helpers import oldham_views

from carehomes.views import HomeView


@pytest.fixture(scope="module")
def oldham() -> dict[str, HomeView]:
    return oldham_views()


def test_support_to_lead_is_compared_as_registered_for_everyone_with_the_groups_not_known(oldham):
    v = oldham["support-to-lead"]
    assert "Services for everyone" in v.get("cqc.specialisms") and v.get("care.user_bands.older_people") is None
    assert v.compare_cells()["bands"] == ("Dementia, Learning disabilities or autism, Mental health, Physical disability, "
                                          "Sensory impairment, Services for everyone")
    assert v.compare_extras()["notes"]["bands"] == "not known: older people, younger adults, children (0-18 years)"
    summary = json.loads(json.dumps(v.summary()))  # home.json, which the compare page places
    assert summary["compare"]["bands"].endswith(", Services for everyone") and summary["notes"]["bands"].startswith("not known: ")


def test_bridging_the_gap_registered_for_everyone_alone_is_not_an_empty_cell(oldham):
    v = oldham["bridging-the-gap-limited-oldham"]
    assert v.get("cqc.specialisms") == ["Services for everyone"]
    assert v.compare_cells()["bands"] == "Services for everyone"
    assert v.compare_extras()["notes"]["bands"] == (
        "not known: older people, dementia, learning disabilities or autism, mental health, physical disability, "
        "sensory impairment, younger adults, children (0-18 years)")


def test_a_service_cqc_names_every_group_of_is_compared_as_before(oldham):
    v = oldham["care-quality-services-oldham"]
    assert v.compare_cells()["bands"] == ("Older people, Dementia, Mental health, Physical disability, Sensory impairment, "
                                          "Younger adults")
    assert "bands" not in v.compare_extras()["notes"]


def test_a_care_homes_page_says_services_for_everyone_as_its_compare_cell_does(oldham):
    home = next(v for v in oldham.values() if v.face.kind == "care_home" and v.get("care.user_bands.older_people"))
    d = json.loads(json.dumps(home.d, default=str))
    d["cqc"]["specialisms"] = ["Dementia", "Services for everyone"]
    d["care"]["user_bands"] = {"dementia": True}
    u = HomeView(d, TODAY, home.s)
    fact = next(f for g in u.groups() for f in g.facts if f.label == "Registered to support (CQC)")
    assert (fact.text, fact.note) == ("Dementia, Services for everyone", "not known: older people, learning disabilities or "
                                      "autism, mental health, physical disability, sensory impairment, younger adults, "
                                      "children (0-18 years)")
    assert (u.compare_cells()["bands"], u.compare_extras()["notes"]["bands"]) == (fact.text, fact.note)
