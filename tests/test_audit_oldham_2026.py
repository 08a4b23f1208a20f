"""What a second fact-check of Oldham's pages and open data against CQC's own responses found (December 2026).

The nine services CQC's responses record as dormant ("dormancy": "Y": registered, giving no care at the moment) said
so on their pages and result cards, but not in the compare table: Flourishlife Care Ltd's column (dormant since
18 June 2024) read as an ordinary agency's, its rating "Not yet rated by CQC", its manager "Yes", its care "Personal
care", beside agencies that are giving care."""
from __future__ import annotations

import json

import pytest
import yaml
from conftest import CQC, ROOT, TODAY

from carehomes.pipeline import check_paths, views_of
from carehomes.schema import load_schema
from carehomes.views import HomeView

PROVIDERS = ROOT / "areas" / "oldham" / "providers"
RESPONSES = CQC / "oldham-api-json-2025" / "location_details"


@pytest.fixture(scope="module")
def oldham() -> dict[str, HomeView]:
    checked = check_paths([PROVIDERS], on=TODAY)
    return {v.slug: v for v in views_of(checked.profiles, TODAY, load_schema(), None, {}) if not v.closed}


def _dormancy_in_response(location_id: str) -> bool | None:
    """CQC's own flag, read here without the importer: Y dormant, N not, anything else not known."""
    doc = json.loads((RESPONSES / f"location_{location_id}.json").read_text(encoding="utf-8"))
    return {"Y": True, "N": False}.get(doc.get("dormancy"))


@pytest.mark.slow  # reads every Oldham profile and its saved API response
def test_every_oldham_compare_column_says_whether_cqc_records_the_service_as_dormant(oldham, shared_data):
    dormant = set()
    for slug, v in oldham.items():
        said = _dormancy_in_response(yaml.safe_load((PROVIDERS / f"{slug}.yaml").read_text(encoding="utf-8"))["location_id"])
        assert said is not None, slug
        assert v.compare_cells()["dormant"] == ("No" if said else "Yes"), slug
        if said:
            dormant.add(slug)
    assert len(dormant) == 9 and "flourishlife-care-ltd" in dormant


def test_a_care_homes_compare_column_says_it_is_dormant_and_not_known_when_cqc_does_not_say(oldham):
    v = oldham["abbey-hey-care-home"]
    assert v.compare_cells()["dormant"] == "Yes"  # providing care at the moment: not "Not providing ...: No"
    d = json.loads(json.dumps(v.d, default=str))
    d["cqc"]["dormant"] = True
    assert HomeView(d, TODAY, v.s).compare_cells()["dormant"] == "No"
    del d["cqc"]["dormant"]  # a register that does not say (the HSCA file): not known, never "No"
    assert HomeView(d, TODAY, v.s).compare_cells()["dormant"] is None


def test_a_mobile_number_is_grouped_as_mobiles_are_written():
    """A UK mobile number is written 07xxx xxxxxx (Ofcom's and GOV.UK's grouping: the first five digits together); CQC's
    07309035692 (Neonate House Limited) was shown as '0730 903 5692', grouped as a London-style landline."""
    from carehomes.sources.cqc_files import _phone

    assert _phone("07309035692") == "07309 035692"
    assert _phone("7467544908") == "07467 544908"  # the API's number with its leading zero dropped
    assert _phone("+44 7467 544908") == "07467 544908"
    assert (_phone("01616246671"), _phone("01457874300"), _phone("08001234567")) == \
        ("0161 624 6671", "01457 874300", "0800 123 4567")  # landlines and others as they were


@pytest.mark.slow  # reads every Oldham profile and its saved API response
def test_every_oldham_phone_is_cqcs_number_in_its_own_grouping(shared_data):
    for path in sorted(PROVIDERS.glob("[!_]*.yaml")):
        d = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc = json.loads((RESPONSES / f"location_{d['location_id']}.json").read_text(encoding="utf-8"))
        raw = "".join(c for c in doc.get("mainPhoneNumber") or "" if c.isdigit())
        shown = d["cqc"].get("phone")
        assert (shown or "").replace(" ", "") == ("0" + raw if raw and not raw.startswith("0") else raw), d["slug"]
        if shown and shown.startswith("07"):
            assert shown[5] == " " and len(shown) == 12, (d["slug"], shown)


def test_not_yet_rated_says_as_at_when(oldham):
    """Beech House (registered 25 February 2025) was "Not yet rated by CQC" on its card and compare column with no date,
    though that is so only as at the CQC data of 20 March 2025, 21 months before; a rating says its own date."""
    v = oldham["beech-house-care-home"]
    assert v.rating == "Not yet rated"
    when = "20 March 2025, 1 year 8 months ago"
    assert f"CQC rating: Not yet rated by CQC (as at {when})" in v.card_lines()
    assert v.compare_cells()["rating"] == f"Not yet rated by CQC (as at {when})"
