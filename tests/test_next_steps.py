"""A next step on every empty result (issue 21, requirement 1): who to ring about a home the find page can
only offer as not confirmed, and home-page shortcuts that say why their list would be empty. The wording
is the build's (x-directory.find); the find page only places it (tests/js, tests/test_browser_search.py)."""
from __future__ import annotations

import base64
import json

from conftest import TODAY
from markupsafe import Markup

from carehomes.render import empty_shortcut, find_ring, find_ring_link
from carehomes.safetext import tel_href
from carehomes.schema import load_schema
from carehomes.views import HomeView

SCHEMA = load_schema()


def home(slug: str, **extra: dict) -> HomeView:
    data = {"location_id": "1-000000001", "slug": slug, "name": slug.title(), "locality": "Exampleshire",
            "care": {"nursing": True}, **extra}
    return HomeView(data, TODAY, SCHEMA)


def card(v: HomeView) -> dict:
    return json.loads(base64.b64decode(v.card_meta()))


def test_the_card_says_who_to_ring_the_homes_number_before_cqcs():
    both = home("a", contact={"phone": "01432 000001"}, cqc={"phone": "01432 999999", "report_url": "https://www.cqc.org.uk/location/1-000000001"})
    assert (card(both)["ring"], card(both)["cqc"]) == ("Ring the home: 01432 000001", "https://www.cqc.org.uk/location/1-000000001")
    assert card(home("b", cqc={"phone": "01432 999999"}))["ring"] == "Ring 01432 999999 (the number CQC holds)"
    # an agency's own number: "Ring the agency", its own noun (it said "Ring the home" whatever the service)
    agency = home("e", kinds=["home_care_agency"], contact={"phone": "0161 300 7771"})
    assert card(agency)["ring"] == "Ring the agency: 0161 300 7771"
    neither = card(home("c"))
    assert "ring" not in neither, "the find page then offers the council's placement line"
    assert neither["cqc"] == "https://www.cqc.org.uk/location/1-000000001"


def test_the_councils_placement_line_is_the_last_resort_never_a_placeholder():
    assert find_ring(SCHEMA, {"placement_phone": "01432 260000"}) == "Ring the council's placement team: 01432 260000"
    assert find_ring(SCHEMA, {"placement_phone": "01234 567891"}) == "", "the example number is never shown as real"
    assert find_ring(SCHEMA, {}) == ""


def test_who_to_ring_is_a_tel_link_of_digits_and_plus_only_built_with_the_card():
    """The number in the card's "Ring ..." line and the council's placement line is a tel: link the build makes (the
    find page places it, withLink); the href holds only digits and a leading +, and a number that is not one links nothing."""
    own = card(home("a", contact={"phone": "01432 000001"}, cqc={"phone": "01432 999999"}))
    assert own["ringLink"] == ["01432 000001", "tel:01432000001"] and own["ringLink"][0] in own["ring"]
    assert card(home("b", cqc={"phone": "01432 999999"}))["ringLink"] == ["01432 999999", "tel:01432999999"]
    assert "ringLink" not in card(home("c"))
    # a number from outside the schema's checks (CQC's files) that is not a number is text, never a link
    odd = card(home("d", cqc={"phone": '0143"><script>alert(1)</script>'}))
    assert "ringLink" not in odd and odd["ring"].startswith("Ring 0143")
    assert json.loads(find_ring_link({"placement_phone": "01432 260000"})) == ["01432 260000", "tel:01432260000"]
    assert find_ring_link({"placement_phone": "01234 567891"}) == "" and find_ring_link({}) == ""
    assert [tel_href(x) for x in ("+44 (0)1432 260-000", "(01432) 260000", "0143", "tel:0143", "01432 260000 ext 2")] == [
        "tel:+441432260000", "tel:01432260000", None, None, None]


def test_the_compare_pages_phone_row_links_the_number():
    v = home("a", contact={"phone": "01432 000001"})
    extras = v.compare_extras()
    assert v.compare_cells()["phone"] == "01432 000001" and extras["links"]["phone"] == ["01432 000001", "tel:01432000001"]
    cqc = home("b", cqc={"phone": "01432 999999"})
    assert cqc.compare_extras()["links"]["phone"] == ["01432 999999", "tel:01432999999"]
    assert cqc.compare_extras()["notes"]["phone"] == "as held by CQC; the home has not given its own"


def test_a_shortcut_nobody_has_given_the_fact_for_says_why_and_offers_another_list():
    views = [home("a"), home("b")]
    note = empty_shortcut(views, SCHEMA)
    assert note("free", "find/?care=Nursing", "homes with nursing care") == Markup(
        '<span class="ch-shortcut-empty">No home has told us yet whether it has beds free now, so this list shows those '
        'that have not said: ring each to ask. Or see <a href="find/?care=Nursing">homes with nursing care</a>.</span>')
    assert note("care_nursing", "find/", "x") == "", "every home has given it: the shortcut stands alone"
    views[0].d["beds"] = {"nursing": {"available": 0}}
    assert empty_shortcut(views, SCHEMA)("free_nursing", "find/", "x") == "", "one home has told us: its list is a real answer"


def test_a_home_is_untold_only_on_facts_it_has_not_given_so_a_no_is_never_ring_to_check():
    said = home("a", care={"nursing": True, "weekend_admissions": False},
                capabilities={"tracheostomy": {"accepted": False}, "palliative_care": {"accepted": True}},
                beds={"nursing": {"available": 0}})
    untold = said.untold
    assert not {"weekend", "need_tracheostomy", "need_palliative_care", "care_nursing", "free_nursing"} & set(untold), "yes or no: told"
    assert {"need_spinal_rehabilitation", "free_residential", "rating", "fee"} <= set(untold)
    assert "weekend" in home("b").untold
