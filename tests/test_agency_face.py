"""Home care agencies' public face (issue 20, requirement 4): the page, card and compare wording, the find
page's filters (kind, care given, taking new clients honouring staleness, never "no" for unknown) and the
words a page uses for its kind, built in-process from the fictional agencies in tests/fixtures/agencies/."""
from __future__ import annotations

import base64
import datetime as dt
import json
from html import escape as html_escape

import pytest
import yaml
from conftest import FIXTURES, ROOT, TODAY

from carehomes.face import face_of
from carehomes.finding import kind_counts, kinds_present, search_words, site_words, sort_ranks
from carehomes.load import parse_profile
from carehomes.render import _md_env
from carehomes.schema import load_schema
from carehomes.search import known_counts
from carehomes.views import HomeView

AGENCIES = FIXTURES / "agencies"


def _view(path) -> HomeView:
    p, problems = parse_profile(path.read_text(encoding="utf-8"), path.name)
    assert p is not None, problems
    return HomeView(p.data, TODAY, load_schema())


@pytest.fixture(scope="module")
def agencies() -> dict[str, HomeView]:
    return {p.stem.removeprefix("example-agency-"): _view(p) for p in sorted(AGENCIES.glob("*.yaml"))}


@pytest.fixture(scope="module")
def homes() -> list[HomeView]:
    return [_view(p) for p in sorted((FIXTURES / "profiles").glob("*.yaml"))]


def test_an_agency_card_says_taking_new_clients_area_and_rate(agencies):
    assert agencies["covers"].card_lines() == [
        "Home care agency", "CQC rating: Good (1 March 2025, 1 year 8 months ago)",
        "Taking new clients: yes, about 20 hours a week (confirmed 22 November 2026, 1 day ago)", "Covers OL1, OL2", "£24.50 to £29 an hour"]
    assert agencies["unknown"].card_lines()[2:] == ["Taking new clients: not provided yet", "Area covered: not provided yet",
                                                    "Hourly rate: not provided yet"]
    assert agencies["near"].card_lines()[2] == ("Taking new clients: yes, about 10 hours a week (confirmed 31 October 2026, 23 days ago). "
                                                "May be out of date")
    card = json.loads(base64.b64decode(agencies["covers"].card_meta()))
    assert (card["office"], card["covers"]) == (True, ["OL1", "OL2"])
    assert "covers" not in json.loads(base64.b64decode(agencies["near"].card_meta()))


def test_a_care_home_that_is_also_an_agency_gives_care_at_its_address_not_an_office(agencies):
    """Park Hills in Oldham is a nursing home and a home care agency: its card said "office 1.7 miles away", as if
    its address were only an agency's office. Its distance is the home's; the districts it covers still rank it."""
    d = {**agencies["covers"].d, "kinds": ["care_home", "home_care_agency"]}
    both = HomeView(d, TODAY, load_schema())
    assert (both.office_only, both.covers_an_area) == (False, True)
    card = json.loads(base64.b64decode(both.card_meta()))
    assert "office" not in card and card["covers"] == ["OL1", "OL2"]
    assert (agencies["covers"].office_only, agencies["covers"].covers_an_area) == (True, True)


def test_a_group_cqc_gave_a_fact_of_says_the_registers_date_beside_its_own():
    """Caremark (Oldham) showed "Care given" and "Contact and office" from CQC's register with no date at all, though
    the register was dated 20 March 2025: a group with registerDate says it when a fact it shows is CQC's."""
    path = ROOT / "areas" / "oldham" / "providers" / "caremark-oldham.yaml"
    v = _view(path)
    groups = {g.id: g for g in v.groups()}
    register = ("CQC information dated", dt.date(2025, 3, 20), "1 year 8 months ago")
    assert groups["given"].date is None and groups["given"].also == register
    assert groups["contact"].date is None and groups["contact"].also == register
    assert groups["registration"].also is None and groups["registration"].date == dt.date(2025, 3, 20)  # said once
    # the agency's own phone, and no fact of CQC's: its contact group has no register date to give
    d = {**v.d, "contact": {"phone": "0161 000 0009"}, "cqc": {k: x for k, x in v.d["cqc"].items() if k not in ("phone", "website")},
         "address": {}}
    own = {g.id: g for g in HomeView(d, TODAY, load_schema()).groups()}["contact"]
    assert [f.owner for f in own.known_facts] == ["provider"] and own.also is None
    from carehomes.render import _env, home_page, profile_page
    for template in (profile_page(), _env().get_template("profile.html")):  # the page as Python and Jinja make it
        html = home_page(v, template, ("<title>t</title><a href='/homes/_shell/'>", "</main>t"), "care@example.org")[0]
        assert ('<h2 id="given">Care given</h2>\n<p class="ch-source">Source: Care Quality Commission register. CQC information dated: '
                '<time datetime="2025-03-20">20 March 2025</time> (1 year 8 months ago).</p>') in html


def test_the_quality_group_says_the_registers_date_for_not_yet_rated_and_the_manager():
    """Miller House (a care home) and 54 Taylor Street (an agency) in Oldham, not yet rated: their "Quality" group
    said "Not yet rated by CQC" and "Registered manager in post: Yes" with no date at all, and a rated home's said
    only its rating's date (Millfield: 26 September 2023), though CQC's register says both as at 20 March 2025."""
    register = ("CQC information dated", dt.date(2025, 3, 20), "1 year 8 months ago")
    for slug, rated in (("miller-house-care-home", None), ("54-taylor-street", None), ("millfield", dt.date(2023, 9, 26))):
        v = _view(ROOT / "areas" / "oldham" / "providers" / f"{slug}.yaml")
        quality = {g.id: g for g in v.groups()}["quality"]
        assert (quality.date, quality.also) == (rated, register), slug


def test_a_list_pages_line_dates_the_rating_and_says_dormant():
    """The A to Z and other list pages said "CQC: Good" for a rating of 2018 (Caremark (Oldham)) with no date, "CQC:
    Good" for Choices Homecare South Kirklees, dormant since 2023, and "Requires improvement" for Chadderton Total
    Care's earlier registration's rating, as if its own: each line now says them as the card does."""
    from carehomes.render import browse_item
    lines = {slug: browse_item(_view(ROOT / "areas" / "oldham" / "providers" / f"{slug}.yaml")).split('class="ch-note">')[1]
             for slug in ("caremark-oldham", "choices-homecare-south-kirklees", "chadderton-total-care", "54-taylor-street")}
    assert lines == {
        "caremark-oldham": "Unit 7a County End Business Centre, Jackson Street, Springhead, Oldham, OL4 4TZ. CQC: Good (30 May 2018)</span></li>",
        "choices-homecare-south-kirklees": ("Unity 563 Chambers Business Centre, Chapel Road, Oldham, OL8 4QQ. CQC: Good (19 November 2022). "
                                            "Not providing care at the moment, CQC says</span></li>"),
        "chadderton-total-care": ("Middlewood Court, Chadderton, Oldham, OL9 9SR. CQC: Requires improvement (13 April 2023), "
                                  "given to an earlier registration</span></li>"),
        "54-taylor-street": ("54 Taylor Street, Chadderton, Oldham, OL9 9HH. CQC: Not yet rated (as at 20 March 2025). "
                             "Not providing care at the moment, CQC says</span></li>")}


def test_a_care_homes_card_is_what_it_was(homes):
    card = json.loads(base64.b64decode(homes[0].card_meta()))
    assert set(card) <= {"address", "lines", "cqc", "ring", "ringLink"} and "office" not in card  # no agency keys


def test_taking_new_clients_filter_honours_staleness_and_never_says_no_for_unknown(agencies):
    assert [agencies[k].taking_now for k in ("covers", "near", "elsewhere", "unknown")] == [True, None, False, None]
    assert "taking" in agencies["covers"].yes_filters
    assert not any("taking" in agencies[k].yes_filters for k in ("near", "elsewhere", "unknown"))
    known = known_counts(list(agencies.values()))
    assert known["taking"] == 2  # covers (yes) and elsewhere (no), both this week; near is stale, unknown has not said
    assert known["covers"] == 2 and known["given_personal_care"] == 1
    assert agencies["elsewhere"].compare_cells()["taking"] == "No (confirmed 21 November 2026, 2 days ago)"
    assert agencies["unknown"].compare_cells()["taking"] is None  # the compare page words it "Not provided yet"
    [taking] = [g for g in agencies["near"].groups() if g.id == "taking"]
    assert taking.stale == ("The agency last confirmed whether it is taking new clients on 31 October 2026 (23 days ago), more than 7 days ago. "
                            "This may be out of date: phone the agency to check.")


def test_an_agencys_old_rates_area_and_care_given_are_said_to_be_maybe_out_of_date(agencies):
    """An agency's rates, area covered and care given were dated but never flagged as old, while a care home's fees
    and the needs it can meet were: each group now warns past its staleness age (fees, capabilities), in its own
    declared words (staleText), and says nothing while fresh or undated."""
    covers = agencies["covers"]
    long_ago = "2024-05-02"
    d = {**covers.d, "coverage": {**covers.d.get("coverage", {}), "confirmed": long_ago},
         "homecare": {**covers.d["homecare"], "services_confirmed": long_ago,
                      "hourly_rate": {**covers.d["homecare"].get("hourly_rate", {}), "updated": long_ago}}}
    groups = {g.id: g for g in HomeView(d, TODAY, load_schema()).groups()}
    when = "2 May 2024 (2 years 6 months ago)"
    assert groups["coverage"].stale == (f"The agency last confirmed the area it covers on {when}, more than 1 year ago. "
                                        "This may be out of date: ask the agency.")
    assert groups["given"].stale == (f"The agency last confirmed the care it gives on {when}, more than 1 year ago. "
                                     "This may be out of date: ask the agency.")
    assert groups["rates"].stale == (f"The agency last confirmed its rates and the funding it accepts on {when}, more than "
                                     "1 year ago. This may be out of date: ask the agency.")
    fresh = {g.id: g.stale for g in covers.groups()}
    assert fresh["coverage"] is None and fresh["given"] is None and fresh["rates"] is None
    assert {g.id: g.stale for g in agencies["unknown"].groups()}["rates"] is None  # never confirmed: nothing to age


def test_a_dormant_agency_is_never_found_as_taking_new_clients(agencies):
    """CQC records it as dormant (registered, not providing care now): whatever it said this week, the find page's
    "Taking new clients" filter never matches it, nor a relaxed search re-offers it as not confirmed, and the hours
    it can start sort as none; the same agency not dormant is found as before."""
    covers = agencies["covers"]
    dormant = HomeView({**covers.d, "cqc": {**covers.d["cqc"], "dormant": True}}, covers.today, covers.s)
    assert covers.taking_now is True and "taking" in covers.yes_filters
    assert dormant.taking_now is False and dormant.hours_now == 0
    assert "taking" not in dormant.yes_filters and "taking" not in dormant.untold
    assert known_counts([dormant])["taking"] == 1  # known (no), so never kept as "ring to check" in a relaxed search
    # its card still says what it said, beside CQC's dormant line
    assert dormant.card_lines()[1] == "Not providing care at the moment, CQC says"
    unsaid = HomeView({**agencies["unknown"].d, "cqc": {"dormant": True}}, covers.today, covers.s)
    assert unsaid.taking_now is False and "taking" not in unsaid.yes_filters


def test_kind_facet_and_shared_dementia_filter(agencies, homes):
    views = [*homes, *agencies.values()]
    assert kinds_present(views) == ["care_home", "home_care_agency"] and kinds_present(homes) == ["care_home"]
    assert kind_counts(views) == {"kind_care_home": len(homes), "kind_home_care_agency": 4}
    assert site_words(views).listing == "care homes and home care agencies" and site_words(homes).listing == "care homes"
    site = face_of(load_schema())
    kind = next(f for f in site.facets if f.key == "kind")
    assert [(o.filter, o.label) for o in kind.options] == [("kind_care_home", "Care home"), ("kind_home_care_agency", "Care at home")]
    assert "kind" not in [f.key for f in site.facets_for(["care_home"])]  # a site of care homes alone looks as before
    assert [f.key for f in site.facets_for(["care_home"])] == [f.key for f in face_of(load_schema(), "care_home").facets]
    assert "kind" in [f.key for f in site.facets_for(["care_home", "home_care_agency"])]
    # the type of service is the first choice after the distance, not after every care home filter (a family looking
    # for care at home passed 40 of them, on a phone by keyboard, to reach "Care at home")
    assert [f.key for f in site.facets_for(["care_home", "home_care_agency"])][:3] == ["within", "kind", "care"]
    # "dementia" in the search box finds care homes registered for it and agencies that give dementia care
    assert "band_dementia" in agencies["covers"].yes_filters and "band_dementia" in agencies["near"].yes_filters
    # each card found by the word says whose word it is, as its kind reads the filter (face.json "matched")
    assert ["dementia", "band_dementia", {"care_home": "registered with CQC to support dementia",
            "home_care_agency": "gives care at home for dementia (its own answer, else its CQC registration)"}] in site.need_words()
    assert site.questions["band_dementia"] == "is registered with CQC to support Dementia"
    assert [s.key for s in site.sorts_for(["home_care_agency"])] == ["name", "rating", "distance", "hours"]


def test_a_site_of_several_kinds_counts_services_in_the_kinds_words(homes, agencies):
    both = dict(agencies["covers"].d, kinds=["care_home", "home_care_agency"])
    views = [*homes, *agencies.values(), HomeView(both, TODAY, load_schema())]
    words = site_words(views)
    assert words.summary(len(views)) == f"{len(views)} services ({len(homes) + 1} care homes and 5 home care agencies; 1 is both)"
    assert (words.one, words.many, words.find) == ("service", "services", "Find care")
    assert words.count(1) == "1 service"
    alone = site_words(homes)  # a site of care homes alone words its count as it always has
    assert (alone.summary(len(homes)), alone.find, alone.listing) == (f"{len(homes)} homes", "Find a care home", "care homes")
    assert site_words(list(agencies.values())).summary(4) == "4 agencies"
    assert site_words(list(agencies.values())).find == "Find a home care agency"


def test_hours_sort_ranks_agencies_taking_clients_now(agencies, homes):
    ranks = sort_ranks([*homes, *agencies.values()])
    assert ranks["example-agency-covers"]["hours"] == 0 and ranks["example-agency-elsewhere"]["hours"] == 1
    assert "hours" not in ranks["example-agency-near"] and "hours" not in ranks[homes[0].slug]


def test_compare_shows_one_kinds_rows_at_a_time(agencies, homes):
    script = face_of(load_schema()).for_script()
    assert list(script["kinds"]) == ["care_home", "home_care_agency"]
    rows = {r[0]: r for r in script["kinds"]["home_care_agency"]["compare"]}
    assert rows["taking"] == ["taking", "Taking new clients", ""]  # the agency's own: not provided yet
    # each kind's table asks only its own homes' filters, never the type of service (the home care review)
    labels = {k: script["kinds"][k]["filterLabels"] for k in script["kinds"]}
    assert "taking" in labels["home_care_agency"] and "taking" not in labels["care_home"] and "weekend" not in labels["home_care_agency"]
    assert not any(f.startswith("kind_") for k in labels for f in labels[k]) and not any(f.startswith("kind_") for f in script["filterLabels"])
    assert "beds" not in [r[0] for r in script["kinds"]["home_care_agency"]["compare"]]
    assert script["compareApart"] == ("Compare care homes with care homes and home care agencies with home care agencies: "
                                      "each kind is in a table of its own, with its own rows.")
    assert agencies["covers"].summary()["kind"] == "home_care_agency" and homes[0].summary()["kind"] == "care_home"
    assert script["coverage"]["covers"] == "Covers {district}" and script["coverage"]["office"] == "Office {distance} away"


def test_the_update_box_speaks_the_kinds_words(agencies, homes):
    assert agencies["covers"].kind_words == {"noun": "agency", "plural": "Home care agencies",
                                             "update_link": "Update whether it is taking new clients",
                                             "availability_form": "update-home-care-agency-availability.yml",
                                             "details_form": "update-home-care-agency-details.yml",
                                             "claim_form": "claim-home-care-agency.yml"}
    assert homes[0].kind_words == {"noun": "home", "plural": "Care homes", "update_link": "Update vacancies",
                                   "availability_form": "update-vacancies.yml", "details_form": "update-details.yml",
                                   "claim_form": "claim-home.yml"}
    env = _md_env(ROOT / "carehomes" / "templates")
    v = agencies["covers"]
    v.repo_edit = "https://github.com/example/directory/edit/main/"
    page = env.get_template("profile.html").render(h=v, groups=v.groups(), unknowns=v.unknowns(), town="Chadderton", ranks={},
                                                   search_words="", values=v.s.values, nice_date=str, contact_email="x@example.org",
                                                   json_ld="{}")
    assert "Is this your agency? Update this page" in page and "Home care agencies keep their own details" in page
    assert ">Update whether it is taking new clients</a>" in page and ">Update this agency's details</a>" in page
    assert "?template=claim-home-care-agency.yml&amp;home=example-agency-covers" in page  # "Is this your agency? Claim it"
    assert "care home" not in page.lower() and "this home" not in page
    assert [u.lead for u in v.unknowns()][0] == "This agency has not told us yet"


def test_market_page_and_report_count_home_care_capacity_by_area(agencies, homes):
    from carehomes.market import Tables, homecare_rows, market_html
    from carehomes.report import homecare_html, report_html, signals

    header, rows = homecare_rows(list(agencies.values()))
    assert header[0] == "Postcode district covered" and header[-1] == "Hours of care a week they can start"
    assert rows == [["OL1", "1", "1", "0", "0", "20"], ["OL2", "1", "1", "0", "0", "20"], ["OL8", "1", "0", "1", "0", "none"],
                    ["Area not given", "2", "0", "0", "2", "not known"]]  # "near" said yes 23 days ago: not known, never no
    # hours of a district none of whose agencies has said whether it is taking clients are not known, never "none" (0)
    from carehomes.market import hours_text
    near, said_no = agencies["near"], next(v for v in agencies.values() if v.taking_now is False)
    assert (hours_text([near]), hours_text([said_no]), hours_text([near, said_no])) == ("not known", "none", "none (1 not known)")
    tables = Tables("../")
    views = [*homes, *agencies.values()]
    assert ": 2 registered care homes with" in market_html(views, TODAY, tables=tables)  # the care home tables count care homes only
    page = homecare_html(views, TODAY, tables)
    assert '<h2 id="home-care">Home care capacity by area</h2>' in page
    assert "4 registered home care agencies. 1 said in the last 7 days that they are taking new clients, with 20 hours" in page
    assert '<a href="../homes/example-agency-near/">Example Nearby Homecare (fictional)</a>' in page
    assert "Rated Requires improvement (1 June 2024)" in page and "Example Covers Care (fictional)</a>" not in page
    assert homecare_html(homes, TODAY) == ""  # a site of care homes alone: the market page as it was
    quiet = [HomeView({**v.d, "homecare": {**v.d.get("homecare", {}), "taking_new_clients": False}}, v.today, v.s)
             for v in agencies.values()]  # no agency taking new clients: said so, not "with none hours"
    assert "4 registered home care agencies. None has said in the last 7 days that it is taking new clients; " in homecare_html(quiet, TODAY)
    both = [*homes, *agencies.values()]
    report = report_html(signals(both, TODAY, {}), both, TODAY, {}, "https://example.org/")
    assert '<a href="https://example.org/homes/example-agency-near/">Example Nearby Homecare (fictional)</a>' in report
    assert "Home care capacity by area" in report


def test_a_care_home_that_is_also_an_agency_is_one_page_with_both_kinds():
    text = (FIXTURES / "profiles" / "example-full.yaml").read_text(encoding="utf-8")
    text += ("kinds: [care_home, home_care_agency]\ncoverage:\n  districts: [HR1]\n  confirmed: 2026-11-20\n"
             "homecare:\n  taking_new_clients: true\n  hours_available: 5\n  confirmed: 2026-11-22\n")
    p, problems = parse_profile(text, "example-full.yaml")
    assert p is not None, problems
    v = HomeView(p.data, TODAY, load_schema())
    assert v.face.kind == "care_home" and [f.kind for f in v.faces] == ["care_home", "home_care_agency"]
    ids = [g.id for g in v.groups()]
    assert ids[:3] == ["vacancies", "care", "needs"] and {"taking", "coverage", "given", "rates"} <= set(ids)
    assert ids.count("quality") == 1 and ids.count("contact") == 1
    assert {"kind_care_home", "kind_home_care_agency", "taking", "care_nursing"} <= set(v.yes_filters)
    assert v.card_lines()[0].startswith("Care home")  # its card is the care home's


def _both(homecare: str | None) -> tuple[HomeView, HomeView]:
    """The fixture's full care home made a home care agency too, with ``homecare`` (YAML lines, or None: no answer),
    and the same profile as an agency alone: the agency's own card words the answer the first shows as well."""
    text = (FIXTURES / "profiles" / "example-full.yaml").read_text(encoding="utf-8") + (homecare or "")
    views = []
    for kinds in ("[care_home, home_care_agency]", "[home_care_agency]"):
        p, problems = parse_profile(text + f"kinds: {kinds}\n", "example-full.yaml")
        assert p is not None, problems
        views.append(HomeView(p.data, TODAY, load_schema()))
    return views[0], views[1]


@pytest.mark.parametrize(("homecare", "line"), [
    ("homecare:\n  taking_new_clients: true\n  hours_available: 5\n  confirmed: 2026-11-22\n",
     "Taking new clients: yes, about 5 hours a week (confirmed 22 November 2026, 1 day ago)"),
    ("homecare:\n  taking_new_clients: false\n  confirmed: 2026-10-31\n",
     "Taking new clients: no (confirmed 31 October 2026, 23 days ago). May be out of date"),
    (None, "Taking new clients: not provided yet"),  # not known, never "no"
])
def test_a_care_home_that_is_also_an_agency_shows_the_agencys_answer_on_its_card_key_facts_and_compare_column(homecare, line):
    """Park Hills (Oldham) is a care home and a home care agency: one page, one card and one compare column, the care
    home's. Its card, its page's key facts and its compare column showed only the care home's side, so an agency's
    answer a family found it by ("Taking new clients", confirmed in the last week) was nowhere on them. Each now adds
    the agency's card line (face.json ``also``), dated, with "May be out of date", in the agency's own card's words."""
    both, alone = _both(homecare)
    assert [x for x in alone.card_lines() if x.startswith("Taking new clients")] == [line]  # the agency's own card
    lines = both.card_lines()
    assert lines[0] == "Care home with and without nursing and home care agency" and lines[-1] == line and lines.count(line) == 1
    assert lines[:-1] == _both(None)[0].card_lines()[:-1]  # the care home's own lines as they were
    assert both.key_extra == ["Weekend admissions from hospital: No", line]
    summary = both.summary()
    assert summary["compare"]["care"] == lines[0] and summary["notes"]["care"] == line
    assert summary["kind"] == "care_home" and "taking" not in summary["compare"]  # compared with the care homes, in their rows
    card = json.loads(base64.b64decode(both.card_meta()))
    assert card["lines"] == lines and all(int(i) < len(lines) - 1 for i in card.get("links", {}))  # no link moved onto it
    from carehomes.render import _env, home_page, profile_page
    for template in (profile_page(), _env().get_template("profile.html")):  # the page as Python and Jinja make it
        page = home_page(both, template, ("<title>t</title><a href='/homes/_shell/'>", "</main>t"), "care@example.org")[0]
        badges = page[page.index('<ul class="ch-badges"'):page.index("</ul>", page.index('<ul class="ch-badges"'))]
        badges = badges.split('<li class="ch-ring">')[0]  # who to ring last (test_face's)
        assert badges.endswith(f"<li>Weekend admissions from hospital: No</li>\n<li>{html_escape(line)}</li>\n"), badges


def test_a_care_home_that_is_also_an_agency_is_asked_for_the_agencys_facts_as_an_agency(agencies, homes):
    """Park Hills (Oldham) is a care home and a home care agency. Its "What we do not know yet" block said "This home has
    not told us yet: beds free now, ..., whether it is taking new clients, how many hours of care a week it can start,
    the area it covers, ..., a description of the home": the agency's facts asked of it as a home. They are a second
    line, led by the schema's words for the kind (x-directory.unknowns.missingAsKind with the kind's title), in both
    page writers; a page of one kind keeps its lines."""
    both, alone = _both(None)
    leads = [u.lead for u in both.unknowns()]
    assert leads[:2] == ["This home has not told us yet", "As a home care agency, it has not told us yet"]
    assert leads[1] == both.s.values.unknowns.missing_as_kind.replace("{aKind}", "a home care agency")
    home, agency = both.unknowns()[:2]
    agencys = ["whether it is taking new clients", "how many hours of care a week it can start", "the area it covers"]
    assert agency.items[:3] == agencys and agency.owner == "provider"
    assert not set(agencys) & set(home.items) and home.items == ["whether it can meet the other 7 needs on the list"]
    # the agency alone and the care home alone: one line for the provider, as before
    for v in (alone, *homes, *agencies.values()):
        assert not any(u.lead.startswith("As ") for u in v.unknowns()), v.slug
    assert [u.lead for u in alone.unknowns()][0] == "This agency has not told us yet"
    assert set(agencys) <= set(alone.unknowns()[0].items)
    from carehomes.render import _env, home_page, profile_page
    shell = ("<title>t</title><a href='/homes/_shell/'>", "</main>t")
    pages = [home_page(both, template, shell, "care@example.org")[0] for template in (profile_page(), _env().get_template("profile.html"))]
    assert pages[0] == pages[1]  # the Python page writer and the template agree
    assert ("</li><li><strong>As a home care agency, it has not told us yet:</strong> whether it is taking new clients, how "
            "many hours of care a week it can start, the area it covers, ") in pages[0]


def test_the_compare_columns_sources_name_the_agency_for_the_agencys_facts():
    """Park Hills (Oldham), a care home and a home care agency, as imported (the register's facts alone) with an agency's
    answer (made up here): its compare column's Sources cell said "the home" (any fact the service gave counted as the
    home's) with only the care home's dates, beside the agency's "Taking new clients: yes ... (confirmed ...)" it adds.
    It names the agency for the agency's facts, dated as the agency's own column dates them, as the page's "Source: The
    agency." does; the home only for facts the home gave."""
    text = (ROOT / "areas" / "oldham" / "providers" / "park-hills-private-nursing-home.yaml").read_text(encoding="utf-8")
    # past the register's staleness age, said where families compare (a review: only the page warned)
    register = "Care Quality Commission register (dated 20 March 2025, 1 year 8 months ago; may be out of date)"
    answer = "homecare:\n  taking_new_clients: true\n  hours_available: 5\n  confirmed: 2026-11-22\n"
    beds = "beds:\n  registered: 17\n  nursing:\n    total: 17\n    available: 2\n  confirmed: 2026-11-20\n"

    def sources(yaml: str) -> str:
        p, problems = parse_profile(yaml, "park-hills-private-nursing-home.yaml")
        assert p is not None, problems
        v = HomeView(p.data, TODAY, load_schema())
        assert [f.kind for f in v.faces] == ["care_home", "home_care_agency"]
        return v.summary()["compare"]["sources"]

    assert sources(text) == register  # as imported: CQC's alone
    assert sources(text + answer) == f"{register}; the agency (taking new clients confirmed 22 November 2026, 1 day ago)"
    both = text.replace("beds:\n  registered: 17\n", beds) + answer
    assert sources(both) == (f"{register}; the home (beds confirmed 20 November 2026, 3 days ago); "
                             "the agency (taking new clients confirmed 22 November 2026, 1 day ago)")
    assert sources(text + "coverage:\n  districts: [OL8]\n  confirmed: 2026-11-20\n") == f"{register}; the agency"
    assert sources(text + "contact:\n  email: office@example.org\n") == f"{register}; the home"  # a fact both kinds have


def test_a_location_of_one_kind_adds_no_other_kinds_lines(agencies, homes):
    for v in (*homes, *agencies.values()):
        assert v.also_specs == () and "care" not in v.summary()["notes"]
    assert homes[0].key_extra == [homes[0].key_extra[0]] and "Taking" not in " ".join(homes[0].card_lines())
    assert [s.id for s in face_of(load_schema(), "home_care_agency").also] == ["taking"]


def test_an_agency_is_found_by_the_towns_it_covers(agencies):
    assert search_words(agencies["covers"], {}).split()[-4:] == ["Oldham", "oldham", "Shaw", "shaw"]
    assert "Shaw" not in search_words(agencies["near"], {})


@pytest.mark.parametrize("own, band", [("dementia", "dementia"), ("learning_disability", "learning_disability_autism"),
                                        ("mental_health", "mental_health"), ("younger_adults", "younger_adults")])
def test_an_agencys_need_is_its_own_answer_else_cqcs_registration_never_no_for_want_of_one(own, band):
    """An agency answers each need a care home's CQC band names (band_<band>, the find page's filter and the need list)
    by its own answer (homecare.services.<own>, face.json's 'given' facet) when it has given one, else by CQC's
    registration (care.user_bands.<band>, the 'band' facet after it: as a care home's reads CQC's registration); with
    neither it is not known, not no. Until December 2026 only dementia was asked of an agency (from CQC's specialisms)."""
    v = _view(AGENCIES / "example-agency-unknown.yaml")  # its own copy: this test changes it
    key = f"band_{band}"
    assert v.get(f"homecare.services.{own}") is None and v.get(f"care.user_bands.{band}") is None
    assert key not in v.yes_filters and key in v.untold
    v.d.setdefault("care", {}).setdefault("user_bands", {})[band] = True  # CQC registers it for the need
    assert key in v.yes_filters and key not in v.untold
    v.d.setdefault("homecare", {}).setdefault("services", {})[own] = False  # the agency says it does not
    assert key not in v.yes_filters and key not in v.untold
    v.d["care"]["user_bands"][band] = False  # CQC does not register it, the agency says it does
    v.d["homecare"]["services"][own] = True
    assert key in v.yes_filters and key not in v.untold
    assert f"given_{own}" not in v.yes_filters  # one filter for one need, never a second key for it


@pytest.mark.parametrize("band", ["older_people", "physical_disability", "sensory_impairment", "children"])
def test_an_agency_is_asked_the_needs_it_has_no_answer_of_its_own_for_by_cqcs_registration(band):
    """Older people, physical disability, sensory impairment, children: CQC's registration of the agency, as a care
    home's (until December 2026 never asked of an agency, so its lists and filters held care homes only)."""
    v = _view(AGENCIES / "example-agency-unknown.yaml")
    key = f"band_{band}"
    assert key not in v.yes_filters and key in v.untold
    v.d.setdefault("care", {})["user_bands"] = {band: True}
    assert key in v.yes_filters and key not in v.untold


def test_the_search_box_offers_the_sites_own_town_and_postcode_as_examples(agencies):
    """Not Herefordshire's on Oldham's page: the town most services are in, and the first of them's postcode."""
    from carehomes.finding import search_example

    assert search_example(list(agencies.values())) == ("Oldham", "OL8 1ZZ")  # Elsewhere is first A to Z in Oldham
    assert search_example([]) == ("", "")  # never another council's example


def test_the_find_page_knows_which_kinds_each_sort_and_the_coverage_note_fit(agencies, homes):
    """The find page offers a sort only for the kinds it fits and says the coverage note only when agencies can be
    listed: the build tells it each sort's kind, the field of kinds and the coverage note's kinds; and "Show more"
    is the build's words with what the site lists (services on a site of several kinds)."""
    script = face_of(load_schema()).for_script()
    assert {k: s["kind"] for k, s in script["sorts"].items()} == {
        "name": "", "rating": "", "free": "care_home", "fee": "care_home", "distance": "", "hours": "home_care_agency"}
    assert script["kindField"] == "kind" and script["coverage"]["kinds"] == ["home_care_agency"]
    assert face_of(load_schema(), "care_home").for_script()["coverage"] == {"kinds": []}
    values = load_schema().values
    mixed, alone = site_words([*homes, *agencies.values()]), site_words(homes)
    assert values.for_script(mixed.one, mixed.many)["find"]["showMore"] == "Show {n} more services ({total} not shown yet)"
    assert values.for_script(alone.one, alone.many)["find"]["showMore"] == "Show {n} more homes ({total} not shown yet)"


def test_the_find_pages_sentences_say_services_on_a_site_of_several_kinds(agencies, homes):
    """The find page's map button, its 'no location' and 'only within' notes, its map and search failures and a card
    with no name are the schema's words (x-directory.find) with what the site lists: never 'homes' on a site that
    lists agencies too. The script only fills in numbers and places."""
    values = load_schema().values
    mixed, alone = site_words([*homes, *agencies.values()]), site_words(homes)
    find = values.for_script(mixed.one, mixed.many)["find"]
    assert find["mapShow"] == "Show these services on a map"
    assert find["noLocationMany"] == "{n} services have no location given and are listed last."
    assert find["noLocationOne"] == "1 service has no location given and is listed last."
    assert find["onlyWithin"] == "Only the services {within} of {from}."
    assert find["fromMiddle"] == "Distances are measured from the middle of the services in postcode area {area}."
    assert find["mapFailed"] == "The map could not load. The list below has every service."
    assert find["notLoaded"] == "Search could not load. You can browse all services in the lists below instead."
    assert find["notWorking"] == "Search is not working right now. You can browse all services instead (the lists below)."
    assert find["noTitle"] == "Unnamed service" and find["distance"] == "{distance} away (approximately)"
    assert values.for_script(alone.one, alone.many)["find"]["mapShow"] == "Show these homes on a map"


def test_the_find_pages_counts_and_labels_say_services_on_a_site_of_several_kinds(agencies, homes):
    """The find page's counts, its 'none match' and 'further away' notes, its filters' labels and its map hint are
    the schema's words (x-directory.find) with what the site lists: never 'homes' on a site that lists agencies too,
    and as before on a site of care homes."""
    values = load_schema().values
    mixed, alone = site_words([*homes, *agencies.values()]), site_words(homes)
    find = values.for_script(mixed.one, mixed.many)["find"]
    assert find["noneMatch"] == "No services match. Try removing a filter."
    assert find["noneWithin"] == "No services {within} match. Choose a wider distance or remove a filter."
    assert (find["matchOne"], find["matchMany"]) == ("1 service matches", "{n} services match")
    assert find["furtherMany"] == ("These are the services in the postcode districts nearest to you; {n} more services match further "
                                   "away: choose a town or area, or add filters, to see them.")
    assert find["furtherOne"].endswith("; 1 more service matches further away: choose a town or area, or add filters, to see it.")
    assert find["freeAll"] == "Show all services" and find["mapLabel"] == "Map of the services listed below"
    assert find["mapHint"].startswith("The map shows the services listed below;")
    assert [k for k, v in find.items() if k != "description" and isinstance(v, str) and "{home" in v] == []
    assert values.for_script(alone.one, alone.many)["find"]["noneMatch"] == "No homes match. Try removing a filter."


def test_the_compare_pages_sentences_say_services_on_a_site_of_several_kinds(agencies, homes):
    """Every sentence of the compare page is the schema's (x-directory.compare) with what the site lists, and one of
    them with its article ('a service'): never 'homes' on a site that lists agencies too, and as before on a site of
    care homes. The script only fills in numbers and names."""
    values = load_schema().values
    mixed, alone = site_words([*homes, *agencies.values()]), site_words(homes)
    compare = values.for_script(mixed.one, mixed.many)["compare"]
    assert compare["empty"] == "Your shortlist is empty. Add services from the search or a service's page."
    assert (compare["comparingOne"], compare["comparingMany"]) == ("Comparing 1 service.", "Comparing {n} services.")
    assert compare["loadingMany"] == "Loading {n} services…" and compare["sharedOne"] == "1 service from the shared link added to your shortlist."
    assert compare["goneMany"] == "{n} services could not be found and may have left the directory, so they are off your shortlist."
    assert compare["closedOne"] == "1 service has closed since it was shortlisted: see its CQC page, or remove it."
    assert compare["closedMany"] == "{n} services have closed since they were shortlisted: see their CQC page, or remove them."
    assert (compare["captionOne"], compare["captionMany"]) == ("Your shortlist: 1 service", "Your shortlist: {n} services")
    assert compare["tableLabel"] == "Shortlisted services side by side (scrolls sideways)"
    assert compare["copied"] == "Link copied. Paste it into an email or a note; it holds only the names of the services."
    assert [k for k, v in compare.items() if k != "description" and ("{home" in v or "{aHome}" in v)] == []
    home = values.for_script(alone.one, alone.many)["compare"]
    assert home["empty"] == "Your shortlist is empty. Add homes from the search or a home's page."
    assert home["comparingOne"] == "Comparing 1 home."

def test_the_shortlists_words_say_services_on_a_site_of_several_kinds(agencies, homes):
    """The shortlist's buttons, notes and counts (the find page's link and bar, "your shortlist is full") are the
    schema's words (x-directory.shortlist) with what the site lists: they said "homes" on Oldham's site of care homes
    and agencies. A service's page carries them too (the page shell: shortlist_json), without the description."""
    values = load_schema().values
    mixed, alone = site_words([*homes, *agencies.values()]), site_words(homes)
    shortlist = values.for_script(mixed.one, mixed.many)["shortlist"]
    assert shortlist["full"] == "Your shortlist is full ({n} services). Remove one first."
    assert (shortlist["linkOne"], shortlist["linkMany"]) == ("Compare your shortlist (1 service)", "Compare your shortlist ({n} services)")
    assert (shortlist["bar"], shortlist["barOne"], shortlist["barMany"]) == ("Compare ({n})", "shortlisted service", "shortlisted services")
    assert (shortlist["add"], shortlist["remove"]) == ("Add {name} to shortlist", "Remove {name} from shortlist")
    assert shortlist["added"] == "{name} added to your shortlist. {n} on your shortlist."
    assert [k for k, v in shortlist.items() if k != "description" and "{home" in v] == []
    page = json.loads(values.shortlist_json(mixed.one, mixed.many))
    assert page == {"shortlist": {k: v for k, v in shortlist.items() if k != "description"}}
    home = values.for_script(alone.one, alone.many)["shortlist"]
    assert (home["full"], home["linkMany"], home["barOne"]) == (
        "Your shortlist is full ({n} homes). Remove one first.", "Compare your shortlist ({n} homes)", "shortlisted home")


def test_an_agencys_compare_sources_name_who_gave_each_fact_and_when(agencies, homes):
    """From the discharge coordinators' review: the agencies' compare table had no Sources row, so a rate or an area
    covered was shown with no owner and no date. Its Sources row names the register with its date and the agency
    with the date of each dated fact it gave in the table, in the table's order; a care home's is what it was."""
    rows = [r[0] for r in face_of(load_schema(), "home_care_agency").for_script()["compare"]]
    assert rows[-1] == "sources"
    assert agencies["covers"].compare_cells()["sources"] == (
        "Care Quality Commission register (dated 1 November 2026, 22 days ago); the agency ("
        "taking new clients and hours of care a week it can start confirmed 22 November 2026, 1 day ago; "
        "postcode districts covered confirmed 20 November 2026, 3 days ago; "
        "care it gives and shortest visit confirmed 1 November 2026, 22 days ago; "
        "hourly rate confirmed 1 October 2026, 1 month ago)")
    # it said which care it gives (dementia), but not the personal care the table shows (CQC's): that date is left out
    assert agencies["near"].compare_cells()["sources"] == (
        "Care Quality Commission register (dated 1 November 2026, 22 days ago); the agency ("
        "taking new clients and hours of care a week it can start confirmed 31 October 2026, 23 days ago)")
    assert agencies["unknown"].compare_cells()["sources"] == "Care Quality Commission register"  # the agency gave nothing
    full = next(h for h in homes if h.slug == "example-full")
    assert full.compare_cells()["sources"].endswith("; the home (beds confirmed 20 November 2026, 3 days ago)")


@pytest.mark.parametrize("example, hint", [
    (("Oldham", "OL8 1ZZ"), "For example Oldham, dementia or OL8 1ZZ."),
    (("Oldham", ""), "For example Oldham or dementia."),
    (("", "OL8 1ZZ"), "For example dementia or OL8 1ZZ."),
    (("", ""), "For example dementia, or a full postcode."),  # a register without addresses: not Herefordshire's
])
def test_the_find_pages_hint_offers_only_the_examples_the_site_has(example, hint):
    """A council imported from CQC's market file (no addresses) was offered 'For example Hereford, dementia or HR4 9AA'."""
    import jinja2

    from carehomes.schema import ROOT

    line = next(t for t in (ROOT / "carehomes" / "templates" / "find.md").read_text(encoding="utf-8").splitlines() if 'id="q-hint"' in t)
    shown = jinja2.Environment().from_string(line).render(example=example, nouns=("service", "services"))
    assert hint + " A postcode shows the nearest services first." in shown


def test_an_agencys_page_says_how_old_its_rating_and_report_are_as_a_care_homes_does(agencies):
    """An agency's Quality group said "Good (published 1 March 2025)" and "latest report published 1 March 2025" with no
    age, where a care home's say "published 1 March 2025, 1 year 8 months ago" (face.json's notes)."""
    [quality] = [g for g in agencies["covers"].groups() if g.id == "quality"]
    notes = {f.label: f.note for f in quality.facts}
    assert notes["CQC overall rating"] == "published 1 March 2025, 1 year 8 months ago"
    covers = agencies["covers"]
    reported = HomeView({**covers.d, "cqc": {**covers.d["cqc"], "report_url": "https://www.cqc.org.uk/location/1-1/reports",
                                             "report_date": dt.date(2025, 3, 1)}}, covers.today, covers.s)
    [quality] = [g for g in reported.groups() if g.id == "quality"]
    assert {f.label: f.note for f in quality.facts}["CQC report"] == "latest report published 1 March 2025, 1 year 8 months ago"


def test_a_care_home_that_is_also_an_agency_names_the_agency_as_the_source_of_the_agencys_answers():
    """Park Hills (Oldham) is a care home and a home care agency: its page's "Taking new clients" and "Care given"
    (the agency's groups) said "Source: The home.", though the answer is the provider's as the agency (owner provider,
    worded by the kind that asks it). Each group names its owner as the page of the kind it belongs to does: the
    agency's groups as an agency's own page does ("The agency"), the care home's as a care home's ("The home")."""
    both, alone = _both("homecare:\n  taking_new_clients: true\n  hours_available: 5\n  confirmed: 2026-11-22\n"
                        "  services:\n    personal_care: true\n  services_confirmed: 2026-11-22\n")
    mine = {g.id: g.source for g in both.groups()}
    own = {g.id: g.source for g in alone.groups()}
    assert mine["taking"] == own["taking"] == "The agency"
    assert mine["given"] == own["given"] and mine["given"].startswith("The agency")
    home = {g.id: g.source for g in _both(None)[0].groups()}
    assert mine["vacancies"] == home["vacancies"] == "The home"  # the care home's own groups as they were
    assert "The home" in mine["contact"]  # a group both kinds have is the care home's (the page's own kind's)


def test_a_care_homes_page_names_every_cqc_specialism():
    """A care home's page said only the service user bands CQC's specialisms map to ("Registered to support"), so
    Coppice Nursing Home's "Eating disorders", which maps to none, was on no page, though an agency's page and every
    download name it: a discharge team placing someone with an eating disorder could not see it."""
    v = _view(ROOT / "areas" / "oldham" / "providers" / "coppice-nursing-home.yaml")
    care = {f.label: f.text for f in {g.id: g for g in v.groups()}["care"].facts}
    assert care["Specialisms (CQC)"] == ("Caring for adults over 65 yrs; Dementia; Eating disorders; Mental health conditions; "
                                         "Physical disabilities; Sensory impairment")
    # a register that gives no specialisms (the bundled 2021 file): no line, nor a "not known" one
    home = _view(next(p for p in sorted((ROOT / "providers").glob("*.yaml")) if not p.name.startswith("_")))
    assert home.get("cqc.specialisms") is None
    assert not any(f.label == "Specialisms (CQC)" for g in home.groups() for f in g.facts)


def test_a_part_of_the_area_named_finds_an_agency_by_its_office_or_the_districts_it_covers(agencies, homes):
    """The home care review: a place typed in the search box is the council's part of the area of that name
    (render.find_places, from mkdocs.yml's localities), found by the district filter: a care home's, and an
    agency's office's and those it says it covers."""
    from carehomes.render import find_places
    from carehomes.search_index import filters

    covers = agencies["covers"]  # office in OL9; covers OL1 and OL2
    assert filters(covers, {})["district"] == ["OL9", "OL1", "OL2"]
    assert filters(homes[0], {})["district"] == [homes[0].district]
    places = json.loads(find_places({"localities": {"Saddleworth": ["OL3"], "Royton, Shaw and Crompton": ["ol2"],
                                                    "Leominster town": ["HR6 8", "HR6 9"], "": ["OL9"], "Nowhere": []}}))
    # the longest name first, in the find page's words; a part named by sectors, or by nothing, left out
    assert places == [["royton shaw and crompton", "Royton, Shaw and Crompton", ["OL2"]], ["saddleworth", "Saddleworth", ["OL3"]]]
    assert find_places({}) == "" and find_places({"localities": ["OL1"]}) == ""
    # a part named as a listed town is (in the find page's words) carries that town's label: its name finds both
    assert json.loads(find_places({"localities": {"Exeter": ["EX1", "EX2"], "Golden Valley": ["HR2"]}}, ["Exmouth", "EXETER"])) == [
        ["golden valley", "Golden Valley", ["HR2"]], ["exeter", "Exeter", ["EX1", "EX2"], "EXETER"]]


def test_a_locality_named_by_postcode_sectors_is_found_by_its_homes_words():
    """Brighton and Hove's Saltdean (BN2 8), Rottingdean (BN2 7) and Woodingdean (BN2 6) share BN2 with Brighton: the
    find page's places filter by whole districts, and "Saltdean" found nothing ("check the spelling") though the market
    page counted 5 homes there. Each home's words now hold the name of the locality named by sectors it is in, the
    longest code first, as the market page counts it; the kept listing of a home is made again when that name changes."""
    from carehomes.finding import locality_word, sector_localities
    from carehomes.search import Listed, listing_label

    directory = {"localities": {"Brighton": ["BN1", "BN2"], "Saltdean": ["bn2 8"], "Deans": ["BN2 8", "BN2 6"],
                                "Rottingdean": ["BN2 7", "BN41"], "Hove": ["BN3"]}}
    localities = sector_localities(directory)
    assert localities == {"Saltdean": ["BN2 8"], "Deans": ["BN2 8", "BN2 6"], "Rottingdean": ["BN2 7", "BN41"]}
    assert sector_localities({}) == sector_localities({"localities": {"Hove": ["BN3"]}}) == {}
    homes = [_view(path) for path in sorted((ROOT / "providers").glob("[!_]*.yaml"))[:4]]
    for view, postcode in zip(homes, ("BN2 8FE", "BN2 6AB", "BN41 1XP", "BN1 3AG"), strict=True):
        view.d["address"]["postcode"] = postcode
    assert [locality_word(v, localities) for v in homes] == ["Saltdean", "Deans", "Rottingdean", None]
    assert locality_word(homes[0], None) is None
    listed = Listed(homes, localities=localities)
    by_slug = {v.slug: words for v, words in zip(listed.views, listed.words, strict=True)}
    assert "saltdean" in by_slug[homes[0].slug] and "deans" in by_slug[homes[1].slug]
    assert "rottingdean" in by_slug[homes[2].slug] and not {"saltdean", "deans", "rottingdean"} & by_slug[homes[3].slug]
    assert not {"saltdean"} & set().union(*Listed(homes).words)
    labels = {}
    assert listing_label(homes[0], labels, localities) != listing_label(homes[0], labels, None)
    assert listing_label(homes[3], labels, localities) == listing_label(homes[3], labels, None)


def test_a_locality_the_find_page_cannot_find_by_its_name_is_warned_of():
    """The review of the place search: "Nursing Vale" (taken as the need first), "St. Mary's" beside "St Marys" (one name
    in the find page's words) and a locality named by sectors were accepted without a word, and never found."""
    from carehomes.render import find_place_warnings

    said = find_place_warnings({"localities": {"Nursing Vale": ["OL8"], "St. Mary's": ["OL1"], "St Marys": ["OL4"],
                                               "Sector place": ["OL11 2"], "Saddleworth": ["OL3"]}}, load_schema(), "x.yml")
    assert said == [
        "x.yml: extra.directory.localities: 'Nursing Vale' holds the words 'nursing', which the find page reads as a need, "
        "so typing the name does not find the locality; name it another way",
        "x.yml: extra.directory.localities: \"St. Mary's\" and 'St Marys' are one name on the find page, which finds only "
        "the first; name them apart"]  # a locality named by sectors is found by its homes' words
    oldham = yaml.safe_load((ROOT / "areas" / "oldham" / "mkdocs.yml").read_text(encoding="utf-8"))
    assert find_place_warnings(oldham["extra"]["directory"], load_schema()) == []


def test_a_sites_need_words_are_those_of_the_kinds_it_holds():
    """The hostile review: on a site of care homes, "home care dementia" found nothing, the agencies' phrase a filter
    no home has; and the find page carried every agency need's words besides. The words a site takes are its own
    kinds' (its kind's phrase too: "care homes Leominster" is its homes in Leominster)."""
    face = face_of(load_schema())
    every = {w[0]: w[1] for w in face.need_words()}
    homes = {w[0]: w[1] for w in face.need_words(["care_home"])}
    both = {w[0]: w[1] for w in face.need_words(["care_home", "home_care_agency"])}
    assert every == both and every["home care"] == "kind_home_care_agency" and every["reablement and hospital discharge"]
    assert homes["care homes"] == "kind_care_home" and homes["dementia"] == "band_dementia" and homes["nursing home"] == "care_nursing"
    assert not {"home care", "domiciliary care", "reablement and hospital discharge", "live in care"} & set(homes)


def test_care_shown_from_cqcs_registration_is_still_asked_of_the_agency():
    """The home care review: Apex Prime Care's page says "Care it gives: Personal care (as CQC registers it; the agency
    has not given its own answer)", and its "What we do not know yet" left out the care it gives, so night sitting,
    live-in care and the rest read as answered. The fact shown from CQC's registration in its place is still asked of
    the agency (face.json askedOnFallback); once the agency answers, it is not."""
    path = ROOT / "areas" / "oldham" / "providers" / "apex-prime-care-oldham.yaml"
    v = _view(path)
    assert "services" not in (v.d.get("homecare") or {})
    care = next(f for g in v.groups() for f in g.facts if f.label == "Care it gives")
    assert care.text == "Personal care" and care.owner == "cqc" and care.asked_of == "provider"
    told = next(u for u in v.unknowns() if u.owner == "provider").items
    assert "the care it gives" in told
    assert "the care it gives" not in " ".join(i for u in v.unknowns() if u.owner == "cqc" for i in u.items)
    p, _ = parse_profile(path.read_text(encoding="utf-8"), path.name)
    data = {**p.data, "homecare": {**(p.data.get("homecare") or {}), "services": {"personal_care": True, "night_sitting": False},
                                   "confirmed": TODAY}}
    answered = HomeView(data, TODAY, load_schema())
    assert "the care it gives" not in next(u for u in answered.unknowns() if u.owner == "provider").items
