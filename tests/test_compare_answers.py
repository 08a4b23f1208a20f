"""The compare page's "You searched for" rows read each filter as the find page does.

Oldham's shortlist made with "Leave out those CQC says are not providing care at the moment" ticked (Care Quality
Services Oldham, Support to Lead, Blue Tree Care Limited, each "dormancy": "N" in CQC's register) was compared with a
row "You searched for: Leave out those CQC says are not providing care at the moment | No | No | No" under
"Providing care at the moment (CQC) | Yes | Yes | Yes": home.json's answers read the option's field (cqc.dormant, as
stored: no for the providing ones) and not its derived value (providing_now), as the find page's filter does; the
"Taking new clients (confirmed in the last week)" row likewise read the stored answer, however old. Each answer is now
the find page's own read (Face.filter_reads), and the providing filter has no row of its own: its fact is the
compare row "Providing care at the moment (CQC)" (the option's shownBy).
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import TODAY
from helpers import oldham_views

from carehomes.face import face_of
from carehomes.schema import load_schema
from carehomes.views import HomeView


@pytest.fixture(scope="module")
def oldham() -> dict[str, HomeView]:
    return oldham_views()


def test_the_providing_filter_has_no_row_of_its_own_its_fact_is_the_dormant_row(oldham):
    face = face_of(load_schema(), "home_care_agency")
    assert "providing" not in face.filter_labels() and "providing" not in face.for_script()["filterLabels"]
    assert face.filter_labels()["taking"] == "Taking new clients (confirmed in the last {recent})"
    for slug in ("care-quality-services-oldham", "support-to-lead", "blue-tree-care-limited"):
        v = oldham[slug]
        assert v.get("cqc.dormant") is False and "providing" in v.yes_filters
        assert "providing" not in v.compare_extras()["answers"] and v.compare_cells()["dormant"] == "Yes"
    assert "providing" not in json.loads(json.dumps(oldham["support-to-lead"].summary()))["answers"]  # home.json


def test_every_answer_is_the_find_pages_filter(oldham):
    """Yes exactly where the find page lists the service for that filter, for every Oldham service; never yes for a
    dormant agency (Flourishlife Care Ltd) where the find page leaves it out."""
    for v in oldham.values():
        answers = v.compare_extras()["answers"]
        for key, said in answers.items():
            assert (said == "Yes") == (key in v.yes_filters), (v.slug, key, said)
    dormant = oldham["flourishlife-care-ltd"]
    assert dormant.get("cqc.dormant") is True and "providing" not in dormant.yes_filters
    assert dormant.compare_cells()["dormant"] == "No"


def _agency(v: HomeView, taking: bool | None, confirmed: dt.date | None, dormant: bool = False) -> HomeView:
    d = json.loads(json.dumps(v.d, default=str))
    d.setdefault("homecare", {})
    d["homecare"]["taking_new_clients"] = taking
    d["homecare"]["confirmed"] = confirmed.isoformat() if confirmed else None
    d["cqc"]["dormant"] = dormant
    d["cqc"]["imported"] = (TODAY - dt.timedelta(days=3)).isoformat()  # CQC's word of dormancy is "now" within its age
    return HomeView(d, TODAY, v.s)


def test_taking_new_clients_is_yes_only_when_said_in_the_last_week(oldham):
    """The "Taking new clients (confirmed in the last week)" row: yes said 2 days ago is Yes; yes said 3 weeks ago is
    not known (never no: the row "Taking new clients" says it, dated); no said 2 days ago is No; a dormant agency's
    yes is No, on a register within its staleness age, as the find page counts it."""
    v = oldham["support-to-lead"]
    fresh, old = TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=21)
    assert _agency(v, True, fresh).compare_extras()["answers"]["taking"] == "Yes"
    assert _agency(v, True, old).compare_extras()["answers"]["taking"] is None
    assert _agency(v, False, fresh).compare_extras()["answers"]["taking"] == "No"
    assert _agency(v, True, fresh, dormant=True).compare_extras()["answers"]["taking"] == "No"
    assert _agency(v, None, None).compare_extras()["answers"]["taking"] is None
