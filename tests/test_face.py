"""The public face declared once (schema/face.json): a fact, a card line, a compare row or a filter is one entry."""
from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, TODAY

from carehomes.search_index import card as search_index_card
from carehomes.face import FORMATS, FaceError, face_of, load_face
from carehomes.load import parse_profile
from carehomes.render import _md_env, render_homes
from carehomes.schema import Schema, load_schema
from carehomes.search import known_counts
from carehomes.views import HomeView
from carehomes.ages import nice_date

SCHEMA_DIR = ROOT / "schema"


def full() -> dict:
    path = FIXTURES / "profiles" / "example-full.yaml"
    profile, problems = parse_profile(path.read_text(encoding="utf-8"), str(path))
    assert profile, problems
    return copy.deepcopy(profile.data)


def schema_copy(tmp_path: Path, package_edit=None, face_edit=None) -> Schema:
    """A copy of schema/ with an edit to datapackage.json and to face.json, loaded as the build loads it."""
    folder = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, folder)
    for name, edit in (("datapackage.json", package_edit), ("face.json", face_edit)):
        if edit:
            doc = json.loads((folder / name).read_text(encoding="utf-8"))
            edit(doc)
            (folder / name).write_text(json.dumps(doc), encoding="utf-8")
    load_schema.cache_clear()
    try:
        return load_schema(folder / "datapackage.json")
    finally:
        load_schema.cache_clear()


def care_home(doc: dict) -> dict:
    return doc["kinds"]["care_home"]


def add_languages(pkg: dict) -> None:
    fields = pkg["resources"][0]["schema"]["fields"]
    at = next(i for i, f in enumerate(fields) if f["profilePath"] == "care.weekend_admissions") + 1
    fields.insert(at, {"name": "languages_spoken", "title": "Languages spoken", "type": "list", "owner": "provider",
                       "profilePath": "care.languages_spoken", "description": "Languages staff speak with residents.",
                       "example": ["English", "Welsh"]})


def show_languages(face: dict) -> None:
    k = care_home(face)
    next(g for g in k["page"] if g["id"] == "care")["facts"].append(
        {"path": "care.languages_spoken", "format": "list", "short": "which languages its staff speak"})
    k["card"].append({"id": "languages", "path": "care.languages_spoken", "format": "list", "template": "{label}: {value}"})
    k["compare"].append({"id": "languages", "path": "care.languages_spoken", "format": "list"})


def test_a_new_fact_on_page_card_and_compare_is_one_schema_and_face_edit(tmp_path):
    schema = schema_copy(tmp_path, add_languages, show_languages)
    data = full()
    data["care"]["languages_spoken"] = ["English", "Welsh"]
    v = HomeView(data, TODAY, schema)
    care = next(g for g in v.groups() if g.id == "care")
    fact = next(f for f in care.facts if f.label == "Languages spoken")  # the schema's title is the label
    assert (fact.text, fact.owner) == ("English; Welsh", "provider")
    assert v.card_lines()[-1] == "Languages spoken: English; Welsh"
    assert v.compare_cells()["languages"] == "English; Welsh"
    assert ["languages", "Languages spoken", ""] in face_of(schema).for_script()["compare"]
    # the page itself, as the build writes it
    render_homes([v], tmp_path / "site", ("<html><body>", "</body></html>"), "council@example.org")
    page = (tmp_path / "site" / "homes" / v.slug / "index.html").read_text(encoding="utf-8")
    assert "<dt>Languages spoken</dt><dd>English; Welsh</dd>" in page
    card = search_index_card(v, {})["meta"]["card"]
    assert json.loads(base64.b64decode(card))["lines"][-1] == "Languages spoken: English; Welsh"  # the card, in the search index
    assert json.loads((tmp_path / "site" / "homes" / v.slug / "home.json").read_text())["compare"]["languages"] == "English; Welsh"
    # not given: named in the "not known yet" block, no card line (it has no unknown wording), compare says not known
    del data["care"]["languages_spoken"]
    v = HomeView(data, TODAY, schema)
    provider = next(u for u in v.unknowns() if u.owner == "provider")
    assert "which languages its staff speak" in provider.items
    assert not any(line.startswith("Languages") for line in v.card_lines())
    assert v.compare_cells()["languages"] is None


def add_assessments_filter(face: dict) -> None:
    care_home(face)["facets"].append(
        {"key": "assess", "control": "checks", "legend": "Assessments", "question": "assesses people at weekends",
         "options": [{"id": "assess", "filter": "assess", "path": "care.weekend_assessments", "label": "Assesses at weekends"}]})


def test_a_new_filter_is_one_facet_entry(tmp_path):
    schema = schema_copy(tmp_path, face_edit=add_assessments_filter)
    yes, no, unsaid = full(), full(), full()
    yes["care"]["weekend_assessments"] = True
    no["care"]["weekend_assessments"] = False
    unsaid["care"].pop("weekend_assessments", None)
    views = [HomeView(d, TODAY, schema) for d in (yes, no, unsaid)]
    assert "assess" in views[0].yes_filters and "assess" not in views[1].yes_filters + views[2].yes_filters
    assert known_counts(views)["assess"] == 2  # yes and no are both told; the third has not said
    script = face_of(schema).for_script()
    care_home_fields = [f.key for f in face_of(schema, "care_home").facets if f.control != "none"]
    assert script["filters"]["assess"] == ["assess"] and care_home_fields[-1] == "assess" and "assess" in script["fields"]
    assert script["questions"]["assess"] == "assesses people at weekends"
    find = _md_env(ROOT / "carehomes" / "templates").get_template("find.md").render(
        stats={"homes": "3", "published": "3 December 2026", "cqc_dated": "unknown", "fsa_dated": None}, localities=[], lists={"letters": [], "towns": [], "needs": [], "areas": []},
        map={"tiles": "", "attribution": "", "host": ""}, face=face_of(schema), towns=[], ratings=schema.values.rating_choices,
        fee_steps=schema.values.fee_choices, values=schema.values, up="../", ring_council="")
    assert ('<fieldset data-kind="care_home"><legend>Assessments</legend>\n<div class="ch-check"><input type="checkbox" id="assess" name="assess" '
            'value="yes" data-filter="assess"><label for="assess">Assesses at weekends</label></div>') in find


def test_the_bundled_face_wording():
    """Cards and compare cells are finished in Python, with their "not known" wording; unknown is never no or 0."""
    data = full()
    v = HomeView(data, TODAY, load_schema())
    assert v.card_lines() == ["Care home with and without nursing", "CQC rating: Good (14 March 2025, 1 year 8 months ago)",
                              "Beds free: 2 with nursing, 0 without nursing (confirmed 20 November 2026, 3 days ago)",
                              "Fees from £890 a week"]
    data["beds"] = {"confirmed": dt.date(2026, 11, 1), "nursing": {"available": 0}}
    data.pop("fees", None)
    data["cqc"]["rating_date"] = dt.date(2020, 1, 2)
    v = HomeView(data, TODAY, load_schema())
    assert v.card_lines()[1:] == ["CQC rating: Good (2 January 2020, 6 years 10 months ago). This rating is more than 2 years old",
                                  "Beds free: 0 with nursing, without nursing: not provided yet (confirmed 1 November 2026, 22 days ago). "
                                  "May be out of date", "Fees: not provided yet"]
    cells = v.compare_cells()
    assert (cells["nursing_free"], cells["residential_free"], cells["fee_nursing"], cells["council_rate"]) == ("0", None, None, None)
    assert cells["rating"] == "Good (2 January 2020, 6 years 10 months ago), more than 2 years old"
    assert cells["confirmed"] == "1 November 2026, 22 days ago (may be out of date)"
    data["cqc"].pop("rating")
    assert HomeView(data, TODAY, load_schema()).card_lines()[1] == "CQC rating: Rating not in our data (see the CQC page)"


@pytest.mark.parametrize("edit, message", [
    (lambda f: care_home(f)["page"][0]["facts"][0].update(format="stars"),
     "kinds.care_home.page[0].facts[0].format: 'stars' is not a formatter; use one of " + ", ".join(sorted(FORMATS))),
    (lambda f: care_home(f)["compare"][0].update(path="care.languages"),
     "kinds.care_home.compare[0].path: 'care.languages' is not a field of the schema; use a profilePath from schema/datapackage.json"),
    (lambda f: care_home(f).pop("sorts"), "kinds.care_home: has no sorts; add it (see the description at the top of the file)"),
    (lambda f: care_home(f)["page"][1].update(source="{regulator}"),
     "kinds.care_home.page[1].source: names an owner that does not exist; use {cqc}, {provider}, {council}, {fsa}"),
    (lambda f: care_home(f)["facets"][3].update(each="care.nothing"),
     "kinds.care_home.facets[3].each: 'care.nothing' holds no yes/no fields; name a group of them, like care.user_bands, or capabilities"),
    (lambda f: care_home(f)["facets"][0].update(miles=[5, "ten"]),
     "kinds.care_home.facets[0].miles: a radius filter needs its distances in miles, numbers above 0, like [5, 10, 20]"),
    (lambda f: care_home(f)["facets"][1].update(browseTitle="{many} with {care}: {label}"),
     'kinds.care_home.facets[1].browseTitle: a list page\'s title names {many} and {label}, like "{many} for: {label}"'),
    (lambda f: care_home(f).update(keyFacts=[{"id": "weekend", "path": "care.weekend_admissions"}]),
     "kinds.care_home.keyFacts[0]: has no format; add it (see the description at the top of the file)"),
    (lambda f: care_home(f).update(keyFacts={"id": "weekend"}),
     "kinds.care_home.keyFacts: is an entry in { }; give a list in [ ]"),
    # a value of the wrong type is named where it is, never a traceback (found by changing face.json at random)
    (lambda f: care_home(f)["page"][3]["facts"][2].update(path=[1]),
     "kinds.care_home.page[3].facts[2].path: is a list in [ ]; give text in quotes"),
    (lambda f: care_home(f)["sorts"].__setitem__(4, "x"), "kinds.care_home.sorts[4]: is text in quotes; give an entry in { }"),
    (lambda f: care_home(f)["card"][3].update(unknown=-1.5), "kinds.care_home.card[3].unknown: is a number; give text in quotes"),
    (lambda f: care_home(f)["facets"][1]["options"][0].update(words=["nursing", 1]),
     "kinds.care_home.facets[1].options[0].words[1]: is a number; give text in quotes"),
    (lambda f: care_home(f).update(search=[1]), "kinds.care_home.search: is a list in [ ]; give an entry in { }"),
    (lambda f: care_home(f)["page"][3]["facts"][0].update(note="x"),
     'kinds.care_home.page[3].facts[0].note: is an entry in { } with the path of its date and its text, like {"path": '
     '"cqc.rating_date", "text": "published {date}"}'),
    (lambda f: f["kinds"].update(care_home=None),
     "kinds.care_home: is an entry in { }; put the kind's page, card, compare, facets and sorts in one"),
    (lambda f: care_home(f).update(keyFacts=["weekend"]), "kinds.care_home.keyFacts[0]: is text in quotes; give an entry in { }"),
    (lambda f: care_home(f).update(also=["beds", "taking"]),  # a card line of its own kind, the one read as the card reads it
     "kinds.care_home.also[1]: 'taking' is not one of the kind's card lines; name one of care, dormant, rating, beds, fee"),
    # a count's requires naming no filter of the kind would keep every home that has not told us, as before it
    (lambda f: care_home(f)["facets"][2]["known"][1].update(requires="care_nurisng"),
     "kinds.care_home.facets[2].known[1].requires: 'care_nurisng' is not a filter of this kind's facets; name one of "
     "band_children, band_dementia, band_learning_disability_autism, band_mental_health, band_older_people, "
     "band_physical_disability, band_sensory_impairment, band_younger_adults, care_nursing, care_residential, "
     "need_cognitive_difficulties, need_elderly_mentally_infirm, need_intermediate_care, need_intermediate_care_medical, "
     "need_non_weight_bearing, need_palliative_care, need_short_term_placements, need_specialist_rehabilitation, "
     "need_spinal_rehabilitation, need_tracheostomy, weekend"),
    (lambda f: care_home(f)["facets"][2]["known"][1].update(requires=["care_nursing"]),
     "kinds.care_home.facets[2].known[1].requires: is a list in [ ]; give text in quotes"),
    (lambda f: care_home(f)["page"][1].update(registerDate=True),
     'kinds.care_home.page[1].registerDate: names how the CQC register\'s date is labelled, as text, like "CQC data dated"'),
    (lambda f: care_home(f)["page"][0].update(staleText="Old."),
     "kinds.care_home.page[0].staleText: is the warning's words, with {date} (when the group was confirmed) and {limit} (its "
     "staleness age)"),
    (lambda f: care_home(f)["page"][0].update(staleText="Said {date}, over {limit} ago.", stale="homecare"),
     "kinds.care_home.page[0].staleText: needs the group's date and a stale naming a staleness age"),
    # words with a stray or misspelt brace were printed on every page as they were ("Not yet rated (as at {date")
    (lambda f: care_home(f)["page"][0].update(staleText="Said {date}, over {limit}} ago."),
     "kinds.care_home.page[0].staleText: is the warning's words, with {date} (when the group was confirmed) and {limit} (its "
     "staleness age)"),
    (lambda f: care_home(f)["card"][2].update(notYetRated="as at {date"),
     "kinds.care_home.card[2].notYetRated: is the words saying when CQC's 'Not yet rated' was so, with {date} (the CQC "
     'register data\'s date), like "as at {date}"'),
    (lambda f: care_home(f)["card"][2].update(notYetRated=""),
     "kinds.care_home.card[2].notYetRated: is the words saying when CQC's 'Not yet rated' was so, with {date} (the CQC "
     'register data\'s date), like "as at {date}"'),
    # a note for No alone that is misspelt, or has no note to say, would be dropped without a word
    (lambda f: care_home(f)["compare"][6].update(noteWith="No"),
     'kinds.care_home.compare[6].noteWith: is "no" (its note said beside No alone), with a note'),
    (lambda f: care_home(f)["compare"][6].pop("note"),
     'kinds.care_home.compare[6].noteWith: is "no" (its note said beside No alone), with a note'),
    (lambda f: care_home(f)["page"][3]["facts"][0].update(note={"path": "cqc.rating_date", "text": "published {dat}"}),
     "kinds.care_home.page[3].facts[0].note.text: is the note's words, naming only {date}, {age}, {register}, {given} or {earlier}, each "
     'in single braces, like "published {date}, {age}"'),
    (lambda f: care_home(f)["facets"][1].update(matched="registered with CQC"),
     'kinds.care_home.facets[1].matched: why a need word found a card names {label} once and whose word it is, like '
     '"registered with CQC to support {label}"'),
    (lambda f: care_home(f)["page"][0]["facts"][0].update(fallback={"path": "cqc.phone"}),  # was a KeyError traceback
     "kinds.care_home.page[0].facts[0].fallback: has no note; add it (see the description at the top of the file)"),
    (lambda f: care_home(f)["facets"][1].update(browseTitle="{many} for: {label}}"),
     'kinds.care_home.facets[1].browseTitle: a list page\'s title names {many} and {label}, like "{many} for: {label}"'),
    (lambda f: care_home(f)["page"][0]["facts"][0].update(fallback={"path": "cqc.phone", "holds": "Personal care", "note": "x"}),
     "kinds.care_home.page[0].facts[0].fallback.holds: 'cqc.phone' is not a list field; holds names an item of a list, like "
     "cqc.regulated_activities"),
    (lambda f: care_home(f)["page"][0]["facts"][0].update(fallback={"path": "cqc.regulated_activities", "holds": ["Personal care"],
                                                                     "note": "x"}),
     'kinds.care_home.page[0].facts[0].fallback.holds: names the item of cqc.regulated_activities that says yes, as text, like '
     '"Personal care"'),
])
def test_a_wrong_face_entry_is_named(tmp_path, edit, message):
    schema = schema_copy(tmp_path, face_edit=edit)
    with pytest.raises(FaceError) as e:
        load_face(schema)
    assert str(e.value) == f"{tmp_path / 'schema' / 'face.json'}: {message}"


def test_two_options_of_a_filter_with_one_value_are_refused(tmp_path):
    """A shared link names the ticked boxes by value: two options of a filter saying "yes" reopen both ticked."""
    schema = schema_copy(tmp_path, face_edit=lambda f: [o.pop("value") for o in f["kinds"]["home_care_agency"]["facets"][1]["options"]])
    with pytest.raises(FaceError) as e:
        load_face(schema, "home_care_agency")
    assert str(e.value) == (f"{tmp_path / 'schema' / 'face.json'}: kinds.home_care_agency.facets[1].options[1].value: 'yes' is also "
                            "option 0's value; give each option of a filter its own value, as a shared link names the ticked ones by it")


def test_a_face_file_that_is_not_json_names_its_line(tmp_path):
    schema = schema_copy(tmp_path)
    (tmp_path / "schema" / "face.json").write_text('{\n  "kinds": {,\n}\n', encoding="utf-8")
    with pytest.raises(FaceError) as e:
        load_face(schema)
    assert str(e.value).startswith(f"{tmp_path / 'schema' / 'face.json'}, line 2: is not valid JSON (")


# --- ages in words (issue 21, requirement 5) ---------------------------------------------------------


@pytest.mark.parametrize(("when", "today", "words"), [
    ("2021-03-31", "2026-12-03", "5 years 8 months ago"),
    ("2024-12-03", "2026-12-03", "2 years ago"),
    ("2025-11-03", "2026-12-03", "1 year 1 month ago"),
    ("2026-11-30", "2026-12-03", "3 days ago"),
    ("2026-12-02", "2026-12-03", "1 day ago"),
    ("2026-12-03", "2026-12-03", "today"),
    ("2026-11-04", "2026-12-03", "29 days ago"),
    ("2026-11-03", "2026-12-03", "1 month ago"),
    ("2026-01-31", "2026-02-28", "1 month ago"),        # a month end: the last day of February completes the month
    ("2026-01-31", "2026-02-27", "27 days ago"),
    ("2024-01-31", "2024-02-29", "1 month ago"),        # leap year
    ("2024-02-29", "2025-02-28", "1 year ago"),         # a leap day's anniversary in a common year
    ("2024-02-29", "2028-02-28", "3 years 11 months ago"),
    ("2024-02-29", "2028-02-29", "4 years ago"),
    ("2026-12-04", "2026-12-03", "1 day in the future"),  # a future date said plainly
    ("2027-01-10", "2026-12-03", "38 days in the future"),
])
def test_age_words(when, today, words):
    from carehomes.ages import age_words

    assert age_words(when, dt.date.fromisoformat(today)) == words


def test_dated_and_no_date():
    from carehomes.ages import age_words, dated

    assert dated("2021-03-31", dt.date(2026, 12, 3)) == "31 March 2021 (5 years 8 months ago)"
    assert age_words(None, dt.date(2026, 12, 3)) == "" and dated("not a date", dt.date(2026, 12, 3)) == ""


@pytest.mark.parametrize(("limit", "when", "today", "passed"), [
    ("7 days", "2026-11-26", "2026-12-03", False), ("7 days", "2026-11-25", "2026-12-03", True),
    ("3 months", "2026-09-03", "2026-12-03", False), ("3 months", "2026-09-02", "2026-12-03", True),
    ("3 months", "2026-02-28", "2026-05-31", False), ("3 months", "2026-02-27", "2026-05-31", True),
    ("1 year", "2024-02-29", "2025-02-28", False), ("1 year", "2024-02-28", "2025-02-28", False),
    ("1 year", "2024-02-27", "2025-02-28", True), ("2 years", "2026-12-10", "2026-12-03", False),
])
def test_staleness_thresholds_in_calendar_time(limit, when, today, passed):
    from carehomes.ages import parse_age

    age = parse_age(limit)
    assert age is not None and age.passed(dt.date.fromisoformat(when), dt.date.fromisoformat(today)) is passed


def test_every_dated_group_says_its_age_and_an_override_changes_the_wording():
    from carehomes.ages import parse_age

    data = full()
    data["fees"]["date"] = dt.date(2025, 5, 2)
    data["capabilities"]["confirmed"] = dt.date(2024, 11, 1)
    data["food_hygiene"] = {"rating": 5, "date": dt.date(2019, 6, 4), "fhrs_id": 1}
    v = HomeView(data, TODAY, load_schema())
    groups = {g.id: g for g in v.groups()}
    assert {k: g.age for k, g in groups.items() if g.date} == {
        "vacancies": "3 days ago", "care": groups["care"].age, "needs": "2 years ago", "quality": "1 year 8 months ago",
        "fees": "1 year 6 months ago", "registration": groups["registration"].age}
    assert groups["fees"].stale == ("The home last confirmed its fees on 2 May 2025 (1 year 6 months ago), more than 1 year ago. "
                                    "This may be out of date: ask the home.")
    assert groups["needs"].stale == ("The home last confirmed the needs it can meet on 1 November 2024 (2 years ago), more than "
                                     "1 year ago. This may be out of date: ask the home.")
    food = next(f for f in groups["quality"].facts if f.label == v.s.by_path["food_hygiene.rating"].title)
    assert food.note == ("rated 4 June 2019, 7 years 5 months ago, so it may have changed; "
                         f"source: {v.s.values.owner_source('fsa')}")
    rating = next(f for f in groups["quality"].facts if f.label == v.s.by_path["cqc.rating"].title)
    assert rating.note == "published 14 March 2025, 1 year 8 months ago"
    users = next(f for f in groups["quality"].facts if f.label == "Rating from residents and families")
    assert users.note == "from Example reviews (fictional), 1 October 2026, 1 month ago"
    assert groups["quality"].stale is None
    # a deployment's override (mkdocs.yml extra.directory.staleness) changes the page's wording
    later = {"fees": parse_age("2 years"), "rating": parse_age("1 year"), "foodHygiene": parse_age("10 years")}
    v = HomeView(data, TODAY, load_schema(), staleness={k: a for k, a in later.items() if a})
    groups = {g.id: g for g in v.groups()}
    assert groups["fees"].stale is None
    assert groups["quality"].stale == ("This CQC rating may be out of date. It was published on 14 March 2025 (1 year 8 months ago), "
                                       "more than 1 year ago. Check the CQC report for any newer inspection.")
    assert v.card_lines()[1] == "CQC rating: Good (14 March 2025, 1 year 8 months ago). This rating is more than 1 year old"
    food = next(f for f in groups["quality"].facts if f.label == v.s.by_path["food_hygiene.rating"].title)
    assert food.note == f"rated 4 June 2019, 7 years 5 months ago; source: {v.s.values.owner_source('fsa')}"


def test_compare_shows_what_families_compare():
    """Issue 21, requirement 4: rating with its date and a real link to the CQC page, food hygiene with its date,
    fees from/to with council rate and top-ups, free beds with their date; distance and the needs filtered for
    are the browser's, from the home's position and its answers."""
    data = full()
    data["food_hygiene"] = {"rating": 5, "date": dt.date(2019, 6, 3), "fhrs_id": 123}
    data["fees"].update({"nursing_from": 1100, "nursing_to": 1350, "council_rate_accepted": True, "top_ups": False})
    v = HomeView(data, TODAY, load_schema())
    cells, extras = v.compare_cells(), v.compare_extras()
    assert (cells["food"], extras["notes"]["food"]) == ("5 out of 5", "rated 3 June 2019, 7 years 5 months ago, so it may have changed; source: Food Standards Agency food hygiene ratings")
    assert (cells["fee_nursing"], cells["council_rate"], cells["top_ups"]) == ("£1,100 to £1,350 a week", "Yes", "No")
    assert cells["rating"] == "Good (14 March 2025, 1 year 8 months ago)"
    assert extras["links"]["rating"] == ["See the CQC page", v.cqc_url] and v.cqc_url.startswith("https://www.cqc.org.uk/")
    assert cells["distance"] is None and cells["filtered"] is None
    assert extras["at"] == [data["address"]["latitude"], data["address"]["longitude"]]
    assert extras["answers"]["band_dementia"] in ("Yes", "No") and extras["answers"]["care_nursing"] == "Yes"
    script = face_of(load_schema()).for_script()
    assert script["compareRows"] == {"distance": "distance", "filtered": "filtered"}
    assert script["filterLabels"]["care_nursing"] == "With nursing"
    assert [r[0] for r in script["compare"]][:6] == ["distance", "address", "care", "filtered", "rating", "food"]


def test_no_rating_links_the_cqc_page_on_cards_and_compare():
    data = full()
    data["cqc"].pop("rating")
    v = HomeView(data, TODAY, load_schema())
    assert v.compare_extras()["links"]["rating"] == ["see the CQC page", v.cqc_url]
    assert v.compare_cells()["rating"] == "Rating not in our data: see the CQC page"
    card = json.loads(base64.b64decode(v.card_meta()))
    assert card["lines"][1] == "CQC rating: Rating not in our data (see the CQC page)"
    assert card["links"] == {"1": ["see the CQC page", v.cqc_url]}


def test_the_radius_filter_is_a_facet_with_its_choices():
    """Issue 21, requirement 3: within 5 / 10 / 20 miles, declared in face.json; the find page's radios start
    disabled with the hint saying why (a postcode is needed); the separate postcode box is gone."""
    schema = load_schema()
    face = face_of(schema)
    assert face.for_script()["radius"] == {"key": "within", "miles": [5.0, 10.0, 20.0], "hint": (
        "Type a postcode in the search box (or use your location) to choose a distance."),
        "labels": {"5": "Within 5 miles", "10": "Within 10 miles", "20": "Within 20 miles"}}
    assert "within" in face.for_script()["fields"]
    find = _md_env(ROOT / "carehomes" / "templates").get_template("find.md").render(
        stats={"homes": "3", "published": "3 December 2026", "cqc_dated": "unknown", "fsa_dated": None}, localities=[],
        lists={"letters": [], "towns": [], "needs": [], "areas": []}, map={"tiles": "", "attribution": "", "host": ""}, face=face,
        towns=[], ratings=schema.values.rating_choices, fee_steps=schema.values.fee_choices, values=schema.values, up="../",
        ring_council="")
    assert ('<input type="radio" id="within-10" name="within" value="10" data-miles="10" disabled>'
            '<label for="within-10">Within 10 miles</label>') in find
    assert 'id="near"' not in find and "Postcode to measure distance from" not in find
    assert find.index('id="skip-results"') < find.index('id="filter-panel"')
    assert 'id="shortlist-bar"' in find


def test_the_report_row_claims_a_report_only_when_the_data_has_one_and_a_managers_absence_has_its_date():
    """A service CQC has not reported on (as far as its profile says: no report address or date) links CQC's page for
    it without "Read the CQC report"; "Registered manager in post: No" says since when, when CQC gives the date."""
    data = full()
    v = HomeView(data, TODAY, load_schema())
    quality = {f.label: f for f in next(g for g in v.groups() if g.id == "quality").facts}
    assert quality["CQC report"].text == "Read the CQC report"
    for key in ("report_url", "report_date"):
        data["cqc"].pop(key, None)
    data["cqc"].update(registered_manager=False, manager_absent_since=dt.date(2024, 1, 18))
    v = HomeView(data, TODAY, load_schema())
    quality = {f.label: f for f in next(g for g in v.groups() if g.id == "quality").facts}
    assert (quality["CQC report"].text, quality["CQC report"].href) == (
        "No report in our data: see its page on CQC's website", f"https://www.cqc.org.uk/location/{data['location_id']}")
    manager = quality["Registered manager in post (CQC)"]
    # as at the register's date, not an absence measured to today: CQC may have registered one since
    assert (manager.text, manager.note) == ("No", "no registered manager since 18 January 2024, as at CQC's register of "
                                             f"{nice_date(v.register_date)}")
    assert v.register_date and "ago" not in manager.note


def test_a_groups_source_names_who_gave_what_it_shows_and_cqcs_phone_is_cqcs():
    """From the faithfulness review: a profile as imported (CQC's facts alone) named "the Food Standards Agency, the
    council and the home" as the Quality group's sources and "the home" in the compare page's Sources. A group now
    names the owners of the facts it shows, in the order shown; a phone taken from CQC's (the fallback) is CQC's."""
    data = full()
    v = HomeView(data, TODAY, load_schema())
    groups = {g.id: g for g in v.groups()}
    assert groups["quality"].source == "Care Quality Commission register, the home and Food Standards Agency food hygiene ratings"
    sources = v.compare_cells()["sources"]  # the FSA's rating sits in the same compare table: its source is named
    assert sources.startswith("Care Quality Commission register (dated ") and "; Food Standards Agency food hygiene ratings (rated " in sources
    imported = {k: data[k] for k in ("location_id", "slug", "name", "locality", "address", "cqc")}
    imported["cqc"] = {**data["cqc"], "phone": "01432 000000"}
    v = HomeView(imported, TODAY, load_schema())
    groups = {g.id: g for g in v.groups()}
    assert groups["quality"].source == "Care Quality Commission register"
    phone = next(f for f in groups["contact"].facts if f.label == "Phone")
    assert (phone.text, phone.owner, phone.note) == ("01432 000000", "cqc", "as held by CQC; the home has not given its own")
    assert groups["contact"].source == "Care Quality Commission register"
    assert v.compare_cells()["sources"].startswith("Care Quality Commission register (dated ") and "the home" not in v.compare_cells()["sources"]


def test_a_need_lists_title_says_who_says_so():
    """From the Herefordshire review: "Homes for: Dementia" presented CQC's registration of 2021 as what a home offers;
    each list's title (browseTitle) and the sentence after its count (browseNote) say whose word puts a service on it."""
    from carehomes.render import browse_lists

    views = [HomeView(full(), TODAY, load_schema())]
    pages = {p.key: p for p in browse_lists(views, load_schema())["needs"]}
    assert (pages["need-band-dementia"].title, pages["need-band-dementia"].note) == (
        "Homes for: Dementia", "A care home is listed as CQC registers it to support this group of people.")
    assert pages["need-care-nursing"].title == "Homes registered with CQC for care: With nursing"
    assert any(p.title.startswith("Homes that have said they can meet this need: ") for p in pages.values())
    # with agencies on the site, the list says whose word puts each kind on it (an agency's own answer comes first)
    agency = parse_profile((FIXTURES / "agencies" / "example-agency-covers.yaml").read_text(encoding="utf-8"), "a")[0].data
    mixed = {p.key: p for p in browse_lists([*views, HomeView(agency, TODAY, load_schema())], load_schema())["needs"]}
    assert mixed["need-band-dementia"].note == ("A care home is listed as CQC registers it to support this group of people. "
                                                "A home care agency is listed by its own answer where it has given one "
                                                "(the care it gives at home), else as CQC registers it.")


def test_the_find_page_says_whose_word_a_filter_is_where_the_kinds_differ():
    """On a site of care homes and agencies, "Registered with CQC to support" finds an agency by its own answer where
    it has given one: the find page says so under the legend (described by it), as the list pages do; a site of care
    homes alone, where the legend is the whole truth, shows no note."""
    from carehomes.render import _facet_notes

    schema = load_schema()
    site = face_of(schema)
    both = ["care_home", "home_care_agency"]
    notes = _facet_notes(site.facets_for(both), site.browse_notes(both, shared_only=True))
    assert notes == {"band": "A care home is listed as CQC registers it to support this group of people. A home care agency "
                             "is listed by its own answer where it has given one (the care it gives at home), else as CQC "
                             "registers it."}
    assert _facet_notes(site.facets_for(["care_home"]), site.browse_notes(["care_home"], shared_only=True)) == {}
    find = _md_env(ROOT / "carehomes" / "templates").get_template("find.md").render(
        stats={"homes": "3", "published": "3 December 2026", "cqc_dated": "unknown", "fsa_dated": None}, localities=[],
        lists={"letters": [], "towns": [], "needs": [], "areas": []}, map={"tiles": "", "attribution": "", "host": ""},
        face=site, facets=site.facets_for(both), facet_notes=notes, towns=[], ratings=schema.values.rating_choices,
        fee_steps=schema.values.fee_choices, values=schema.values, up="../", ring_council="")
    # a long group, folded (face.json fold): its summary names it, and its fieldset keeps the legend and the note
    assert ('<details class="ch-fold" id="band-fold"><summary><span class="ch-caret" aria-hidden="true"></span>Registered with CQC to '
            'support<span class="ch-fold-count"></span></summary><fieldset aria-describedby="band-note"><legend class="ch-sep">Registered '
            'with CQC to support</legend>'
            '<p id="band-note" class="ch-hint">A care home is listed as CQC registers it') in find


@pytest.mark.parametrize("kind", ["care_home", "home_care_agency"])
def test_each_question_reads_after_whether_it(kind):
    """The find page asks a fact nobody has given as "No service has told us yet whether it {question}." (and "Only
    3 of 62 ... whether each {question}"): a question is what follows "whether it", never a second "whether" ("whether
    it has said whether it gives this care") nor what the service has said ("whether it has given its fees")."""
    schema = load_schema()
    sentence = str(schema.values.find["noHomeToldUs"])
    for key, question in load_face(schema, kind).questions.items():
        said = sentence.replace("{home}", "service").replace("{question}", question)
        assert "whether" not in question and not question.startswith(("has said", "has given", "has told")), (key, said)


def test_a_care_homes_key_facts_say_weekend_admissions_known_or_not():
    """A discharge team looks for weekend admissions first: it was only inside the long "has not told us yet" list
    at the foot of a page. The key facts say it (face.json keyFacts): the home's answer, else not provided yet."""
    from carehomes.render import _env, home_page, profile_page

    data = full()
    assert HomeView(data, TODAY, load_schema()).key_extra == ["Weekend admissions from hospital: No"]
    data["care"].pop("weekend_admissions")
    v = HomeView(data, TODAY, load_schema())
    assert v.key_extra == [f"Weekend admissions from hospital: {load_schema().values.not_provided.lower()}"]
    shell = ("<title>t</title><a href='/homes/_shell/'>", "</main>t")
    for template in (profile_page(), _env().get_template("profile.html")):
        page = home_page(v, template, shell, "care@example.org")[0]
        badges = page[page.index('<ul class="ch-badges"'):]
        badges = badges[:badges.index('<li class="ch-ring">')]  # who to ring last (its own test)
        assert badges.endswith(f"<li>Weekend admissions from hospital: {load_schema().values.not_provided.lower()}</li>\n")


def test_a_pages_key_facts_say_who_to_ring_with_a_tel_link_and_a_stale_rating_as_its_card_does():
    """The home care review: a discharge coordinator on a phone (375 px) found the number to ring 2,200-2,600 px down a
    page (its contact group), though the result cards say "Ring ..."; and a care home's key facts gave a rating of 2020
    with no "more than 2 years old", which its card says. Both page writers (Python and Jinja) now say both."""
    from carehomes.render import _env, home_page, profile_page

    data = full()
    v = HomeView(data, TODAY, load_schema())
    shell = ("<title>t</title><a href='/homes/_shell/'>", "</main>t")
    stale = HomeView({**data, "cqc": {**data["cqc"], "rating_date": dt.date(2020, 2, 26)}}, TODAY, load_schema())
    none = HomeView({**data, "contact": {k: x for k, x in data["contact"].items() if k != "phone"},
                     "cqc": {k: x for k, x in data["cqc"].items() if k != "phone"}}, TODAY, load_schema())
    for template in (profile_page(), _env().get_template("profile.html")):
        badges = home_page(v, template, shell, "care@example.org")[0].split('<ul class="ch-badges"')[1].split("</ul>")[0]
        assert badges.endswith('<li class="ch-ring">Ring the home: <a href="tel:01432000000">01432 000000</a></li>\n'), badges
        assert "more than" not in badges
        badges = home_page(stale, template, shell, "care@example.org")[0].split('<ul class="ch-badges"')[1].split("</ul>")[0]
        assert "(26 February 2020, " in badges and "). This rating is more than 2 years old</li>" in badges
        # no number of its own nor CQC's: where to look, as its card says it (the 2021 register's homes have none)
        assert ('<li class="ch-ring"><a href="https://www.cqc.org.uk/location/1-000000101" rel="nofollow noopener">No phone '
                'number in our data: see its CQC page</a></li>\n</ul>') in home_page(none, template, shell, "care@example.org")[0]


def test_the_home_pages_counts_of_homes_that_told_places_free_and_fees():
    """content/index.md promises beds free and fees only when a home has given them (stats free_told, fees_told):
    the fictional full home has, a home as CQC's register has it has not, and a closed home is not counted."""
    from carehomes.render import stats

    data = full()
    told = HomeView(data, TODAY, load_schema())
    assert told.has_free is not None and told.fee_from is not None
    bare = {k: v for k, v in data.items() if k not in ("beds", "fees")}
    views = [told, HomeView(bare, TODAY, load_schema())]
    assert (stats(views, TODAY)["free_told"], stats(views, TODAY)["fees_told"]) == (1, 1)
    assert (stats(views[1:], TODAY)["free_told"], stats(views[1:], TODAY)["fees_told"]) == (0, 0)


def test_one_end_of_a_fee_or_rate_alone_is_no_fixed_price():
    """From a provider's review: 'Weekly fee without nursing, from: £950' alone showed '£950 a week' (and '£24.50 an
    hour' for a rate's lowest alone), a fixed price the manager never gave."""
    from carehomes.face import fee_range, money_range

    assert fee_range(950, None) == "from £950 a week" and fee_range(None, 1150) == "up to £1,150 a week"
    assert fee_range(950, 1150) == "£950 to £1,150 a week" and fee_range(950, 950) == "£950 a week"
    assert fee_range(None, None) is None and money_range(24.5, None, "an hour") == "from £24.50 an hour"
    data = full()
    data["fees"] = {k: v for k, v in data["fees"].items() if not k.endswith("_to")}
    shown = [f.text for g in HomeView(data, TODAY, load_schema()).groups() if g.id == "fees" for f in g.known_facts]
    assert shown and all(t.startswith("from £") for t in shown if "£" in t), shown


def test_a_label_in_a_list_of_what_is_not_known_starts_lower_case_unless_an_abbreviation():
    """From a provider's review: "... accepts the council's usual rate, A top-up may be asked for ..."."""
    from carehomes.face import lower_first

    assert lower_first("A top-up may be asked for") == "a top-up may be asked for"
    assert lower_first("Weekend assessments") == "weekend assessments"
    assert (lower_first("CQC rating"), lower_first("UK-wide"), lower_first("")) == ("CQC rating", "UK-wide", "")


def test_a_compare_cell_not_known_says_whose_fact_is_missing():
    """From an audit: every empty compare cell said "Not provided yet", though a home owes no CQC or FSA fact (its
    page says "The CQC information we hold does not say"). Each row carries its cells' words when not known, by
    whose fact it is (x-directory.compare.unknownBy); a fact of the home's own keeps "Not provided yet" (empty)."""
    from carehomes.face import face_of
    from carehomes.schema import load_schema

    rows = {r[0]: r[2] for r in face_of(load_schema()).for_script()["compare"]}
    assert rows["manager"] == "Not in the CQC information we hold" and rows["food"] == "Not in the FSA ratings we hold"
    assert rows["nursing_free"] == "" and rows["fee_nursing"] == ""
    # who it is registered to support is CQC's to say: not known (CQC's care directory with an empty specialisms
    # cell) is not the home's "Not provided yet", as the home's own page already said
    assert rows["bands"] == "Not in the CQC information we hold"
    # on a site that gathers no food hygiene ratings (no fsa_authorities, as Oldham's), the cell says so: not as if
    # the FSA's own ratings said nothing of the home (x-directory.compare.notHeldBy)
    face = face_of(load_schema())
    bare = {r[0]: r[2] for r in face.for_script(frozenset({"fsa"}))["compare"]}
    assert bare["food"] == "This directory holds no food hygiene ratings"
    assert {k: v for k, v in bare.items() if k != "food"} == {k: v for k, v in rows.items() if k != "food"}
    by_kind = face.for_script(frozenset({"fsa"}))["kinds"]["care_home"]["compare"]
    assert [r[2] for r in by_kind if r[0] == "food"] == ["This directory holds no food hygiene ratings"]


@pytest.mark.parametrize("email, href", [
    ("hello@example.org", "mailto:hello@example.org"),
    # check accepts an apostrophe in an address (o'brien@...), which no link may hold as it is: it is written %27
    ("o'brien@example.org", "mailto:o%27brien@example.org"),
])
def test_an_email_address_check_accepts_is_a_link(email, href):
    doc = full()
    doc["contact"]["email"] = email
    shown = FORMATS["email"](HomeView(doc, load_schema()), email, None)
    assert shown is not None and (shown.text, shown.href) == (email, href)
