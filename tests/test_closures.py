"""The closures a first import keeps (providers/_closed.yaml): counted by the market page and the report, never listed.

From the commissioner review: Oldham's register of 20 March 2025 records two nursing homes (235 beds) deregistered in the
year before it; the market page said no home had closed, and the report counted 120 new beds and a change 'not known'."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from carehomes import closures
from carehomes.market import market_html
from carehomes.report import DEFAULTS, bed_changes, report_html, signals
from carehomes.views import HomeView
from conftest import ROOT, run_build
from test_commissioner_oldham import OLDHAM, oldham_area_views

OLDHAM_AREA = ROOT / "areas" / "oldham" / "providers"
AS_AT = dt.date(2025, 3, 20)


def words(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def kept() -> closures.Closed:
    found, wrong = closures.read(OLDHAM_AREA)
    assert wrong is None and found is not None
    return found


def test_oldhams_folder_keeps_the_services_cqc_closed_in_the_year_before_its_register():
    closed = kept()
    assert (closed.since, closed.until) == (dt.date(2024, 3, 20), AS_AT)
    assert [(s["name"], s["cqc"]["status_date"]) for s in closed.services] == [
        ("Shawside Care Home", dt.date(2025, 2, 27)), ("High Regard Healthcare - Main Office", dt.date(2024, 12, 10)),
        ("Divine Call Limited", dt.date(2024, 9, 26)), ("Nobilis Care Oldham", dt.date(2024, 9, 19)),
        ("Acorn Lodge Nursing Home", dt.date(2024, 9, 18)), ("Heritage Personnel Services", dt.date(2024, 8, 20)),
        ("Avonleigh Gardens", dt.date(2024, 4, 2))]


def test_the_market_page_counts_them_from_cqcs_own_dates():
    views, today = oldham_area_views()
    page = words(market_html(views, today, before=kept()))
    assert ("From CQC's own dates, in the year to 20 March 2025: 2 care homes closed, with 235 registered beds, 235 of them "
            "in homes with nursing: Shawside Care Home (150 beds, 27 February 2025) and Acorn Lodge Nursing Home (85 beds, "
            "18 September 2024); 4 care homes were newly registered, with 120 registered beds, none of them in homes with "
            "nursing. A home registered again, after a change of provider for example, counts as neither.") in page
    # said as the dates and places CQC gives, never as a fact CQC does not record
    assert ("Beech House Care Home, Miller House Care Home, Royton House Care Home and Shaw House Care Home were registered "
            "by the provider of Shawside Care Home, at its postcode (OL2 8SP), within 6 months of its closing.") in page
    # "No home in this directory had closed" is of the homes listed: it points to the count above
    assert ("No home in this directory had closed by 20 March 2025, the date of CQC's register. The care homes CQC closed "
            "before this directory listed them are counted under the change since the last release, above.") in page
    # without the file, no such sentence: what closed before the first import is not known
    assert "From CQC's own dates" not in words(market_html(views, today))


def test_the_report_counts_the_beds_lost_exactly_and_lists_the_closures_without_pages():
    views, today = oldham_area_views()
    rows = bed_changes(views, today - dt.timedelta(days=365), today, None, kept())
    assert rows == [["Care home with nursing", "2", "235", "0", "0", "-235"],
                    ["Care home without nursing", "0", "0", "4", "120", "+120"]]
    # without it, a floor and a change not known, as before
    assert bed_changes(views, today - dt.timedelta(days=365), today)[0][1:3] == ["not known", "not known"]
    page = report_html(signals(views, today, dict(DEFAULTS)), views, today, dict(DEFAULTS), "https://x.org/", None, kept())
    text = words(page)
    assert "the imports kept each service CQC deregistered from 20 March 2024 before it was listed here" in text
    assert "Shawside Care Home 1-6355044561 no page here: closed before it was listed 2025-02-27 150 150" in text
    # a service registered again is no closure (its new registration is no new home)
    assert ("Avonleigh Gardens 1-117977107 registered again as Avonleigh Gardens: not counted as a closure no page here: "
            "closed before it was listed") in text
    assert "Nobilis Care Oldham 1-9075180925 registered again as Apex Prime Care - Oldham" in text
    assert "homes/shawside-care-home" not in page and "There is no earlier release to compare with: homes CQC" not in page


def _service(lid: str, day: dt.date, beds: int | None = 30) -> dict:
    return {"location_id": lid, "name": f"Home {lid}", "cqc": {"status": "Deregistered", "status_date": day},
            **({"beds": {"registered": beds}} if beds is not None else {})}


def test_a_whole_register_starts_a_span_and_later_ones_join_it_while_their_year_reaches_it():
    first = closures.merged(None, [_service("1-1", dt.date(2024, 6, 1))], AS_AT, set(), whole=True)
    assert first is not None and (first.since, first.until) == (dt.date(2024, 3, 20), AS_AT)
    later = closures.merged(first, [_service("1-2", dt.date(2025, 6, 1))], dt.date(2025, 9, 1), set(), whole=True)
    assert later is not None
    assert (later.since, later.until, [s["location_id"] for s in later.services]) == (dt.date(2024, 3, 20), dt.date(2025, 9, 1),
                                                                                     ["1-2", "1-1"])
    # a sync of the changes alone joins a span, and never starts one (the code review: it claimed a whole year)
    synced = closures.merged(first, [_service("1-3", dt.date(2025, 4, 1))], dt.date(2025, 4, 2), set(), whole=False)
    assert synced is not None and synced.since == first.since and len(synced.services) == 2
    assert closures.merged(None, [_service("1-3", dt.date(2025, 4, 1))], dt.date(2025, 4, 2), set(), whole=False) is None
    # a register older than the span (--allow-older) leaves the file as it is (it claimed a span with a hole in it)
    assert closures.merged(first, [], dt.date(2023, 6, 1), set(), whole=True) is None
    # a whole register a year or more after the last starts a span anew: the year before it
    gap = closures.merged(first, [_service("1-4", dt.date(2026, 6, 1))], dt.date(2026, 9, 1), set(), whole=True)
    assert gap is not None and (gap.since, [s["location_id"] for s in gap.services]) == (dt.date(2025, 9, 1), ["1-4"])
    # a service the folder now holds a profile of (listed after all) is no longer kept
    assert [s["location_id"] for s in closures.merged(first, [], AS_AT, {"1-1"}, whole=True).services] == []


def test_a_service_kept_as_closed_that_is_listed_since_is_counted_by_its_profile_alone():
    """From the code review: Acorn Lodge kept as closed, then imported as registered again under its own ID, was still
    counted among the closures (85 beds lost) though its profile and page are up."""
    from carehomes.market import kept_closures

    views, today = oldham_area_views()
    before = kept()
    shawside = HomeView({**before.services[0], "slug": "shawside-care-home",
                         "cqc": {**before.services[0]["cqc"], "status": "Registered"}}, today)
    assert [v.name for v in kept_closures(before, today, views)][:2] == ["Shawside Care Home",
                                                                         "High Regard Healthcare - Main Office"]
    assert "Shawside Care Home" not in [v.name for v in kept_closures(before, today, [*views, shawside])]
    rows = bed_changes([*views, shawside], today - dt.timedelta(days=365), today, None, before)
    assert rows[0] == ["Care home with nursing", "1", "85", "0", "0", "-85"]


def test_registered_beds_not_known_are_never_counted_as_0():
    views, today = oldham_area_views()
    before = closures.Closed(dt.date(2024, 3, 20), AS_AT, [
        {**s, "beds": {}} if s["name"] == "Acorn Lodge Nursing Home" else s for s in kept().services])
    rows = bed_changes(views, today - dt.timedelta(days=365), today, None, before)
    assert rows[0] == ["Care home with nursing", "2", "150 or more", "0", "0", "not known"]
    unknown = closures.Closed(dt.date(2024, 3, 20), AS_AT, [{k: v for k, v in s.items() if k != "beds"}
                                                             for s in kept().services])
    assert ("2 care homes closed, with registered beds not known: Shawside Care Home (beds not known, 27 February 2025) "
            "and Acorn Lodge Nursing Home (beds not known, 18 September 2024)") in words(market_html(views, today, before=unknown))


@pytest.mark.parametrize("text, said", [
    ("since: [\n", "line 2, column 1: is not valid YAML"),
    ("since: 2024-01-01\nuntil: 2023-01-01\nservices: []\n", "is not as import-cqc writes it"),
    ("since: 2024-01-01\nuntil: 2025-01-01\nservices:\n- location_id: 1-1\n", "is not as import-cqc writes it"),
    # the code review: an entry without a name, or with a number for it, was a traceback from build and report
    ("since: 2024-01-01\nuntil: 2025-01-01\nservices:\n- location_id: 1-1\n  cqc: {status: Deregistered, status_date: "
     "2024-05-01}\n", "is not as import-cqc writes it"),
    ("since: 2024-01-01\nuntil: 2025-01-01\nservices:\n- location_id: 1-1\n  name: 123\n  cqc: {status: Deregistered, "
     "status_date: 2024-05-01}\n", "is not as import-cqc writes it"),
    ("a: &x [*x]\n", "holds anchors or aliases (& and *), which the import never writes"),
    ("a: " + "[" * 40 + "]" * 40 + "\n", "is nested deeper than the import ever writes"),
])
def test_a_closures_file_that_cannot_be_read_is_a_warning_naming_it(tmp_path, text, said):
    folder = tmp_path / "providers"
    folder.mkdir()
    (folder / "example-minimal.yaml").write_text((ROOT / "tests" / "fixtures" / "profiles" / "example-minimal.yaml").read_text())
    (folder / closures.FILE).write_text(text)
    found, wrong = closures.read(folder)
    assert found is None and wrong is not None and wrong.startswith(said)
    done = run_build("check", str(folder))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    [line] = [s for s in done.stdout.splitlines() if closures.FILE in s]
    assert line == f"{folder / closures.FILE}: warning: {wrong}"
    assert line.endswith("the closures it holds are not counted: remove it, or import again the register this folder was "
                         "first filled from, which writes it afresh")
    for command in (("report", "--providers", str(folder), "--out", str(tmp_path / "r")),
                    ("build", "--providers", str(folder), "--out", str(tmp_path / "s"), "--no-search")):
        done = run_build(*command)
        assert done.returncode == 0 and "Traceback" not in done.stderr and closures.FILE in done.stdout, done.stderr


def test_a_link_or_a_folder_in_its_place_is_never_followed(tmp_path):
    folder = tmp_path / "providers"
    folder.mkdir()
    (folder / closures.FILE).symlink_to("/etc/passwd")
    assert closures.read(folder)[1].startswith("is a link, where the import writes a file")
    (folder / closures.FILE).unlink()
    (folder / closures.FILE).mkdir()
    assert closures.read(folder)[1].startswith("is a folder, where the import writes a file")


def test_the_oldham_site_and_report_commands_count_them(tmp_path):
    out = tmp_path / "report"
    done = run_build("report", "--area", "oldham", "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    text = words((out / "commissioner-report.html").read_text(encoding="utf-8"))
    assert "Care home with nursing 2 235 0 0 -235" in text and OLDHAM.is_dir()


# --- the second review of the fixes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("edit", [
    lambda t: t.replace("status_date: 2025-02-27", "status_date: 2025-02-30"),  # a day that does not exist
    lambda t: t.replace("since: 2024-03-20", "since: !!int abc"),
    lambda t: t.replace("since: 2024-03-20", "since: 2024-03-20 10:00:00"),  # a time of day beside dates
    lambda t: t.replace("status_date: 2025-02-27", "status_date: 2025-02-27 10:00:00"),
    lambda t: "since: " + "9" * 5000 + "\n",
])
def test_a_hand_edited_value_yaml_cannot_build_is_a_warning_never_a_traceback(tmp_path, edit):
    """From the second review: each was a ValueError or TypeError traceback from check, data, report and build (and a
    serve that read it died)."""
    folder = tmp_path / "providers"
    folder.mkdir()
    (folder / "example-minimal.yaml").write_text((ROOT / "tests" / "fixtures" / "profiles" / "example-minimal.yaml").read_text())
    (folder / closures.FILE).write_text(edit((OLDHAM_AREA / closures.FILE).read_text()))
    found, wrong = closures.read(folder)
    assert found is None and wrong is not None and wrong.endswith("which writes it afresh")
    for command in (("check", str(folder)), ("report", "--providers", str(folder), "--out", str(tmp_path / "r"))):
        done = run_build(*command)
        assert done.returncode == 0 and "Traceback" not in done.stderr and closures.FILE in done.stdout, done.stderr


def test_beds_outside_the_schemas_range_are_not_known_never_counted():
    text = (OLDHAM_AREA / closures.FILE).read_text().replace("registered: 150", "registered: -150")
    data = __import__("yaml").safe_load(text)
    kept_ = [closures.entry(s) for s in data["services"]]
    assert kept_[0] is not None and "beds" not in kept_[0] and kept_[0]["name"] == "Shawside Care Home"


def test_a_span_that_ends_before_the_data_is_a_floor_and_the_market_page_says_nothing():
    """From the second review: a later import of registered services alone (no closures in its source) left the span
    ending on 20 March 2025, and the report counted "the 365 days to 1 December 2025" as complete (1 home, -150)."""
    views, _ = oldham_area_views()
    later = dt.date(2025, 12, 1)
    views = [HomeView({**v.d, "cqc": {**v.d["cqc"], "imported": later}}, later) for v in views]
    rows = bed_changes(views, later - dt.timedelta(days=365), later, None, kept())
    assert rows[0][1:3] == ["1 or more", "150 or more"] and rows[0][5] == "not known", rows
    page = words(report_html([], views, later, dict(DEFAULTS), "https://x.org/", None, kept()))
    assert "The imports kept each service CQC deregistered from 20 March 2024 to 20 March 2025" in page
    assert "the homes closed and beds lost are a floor" in page
    assert "From CQC's own dates" not in words(market_html(views, later, before=kept()))


def test_a_window_longer_than_the_span_counts_the_kept_closures_as_a_floor():
    """From the second review: with recent_days 730 the report said closures were 'not known' and 'This is the first
    import', though the market page named two."""
    views, today = oldham_area_views()
    rows = bed_changes(views, today - dt.timedelta(days=730), today, None, kept())
    assert rows[0][1:3] == ["2 or more", "235 or more"], rows
    page = words(report_html([], views, today, {**DEFAULTS, "recent_days": 730}, "https://x.org/", None, kept()))
    assert "This is the first import" not in page and "Shawside Care Home 1-6355044561" in page


def test_a_home_registered_and_closed_in_the_year_is_gained_and_lost_both():
    """From the second review: a home registered on 1 January and closed on 10 April counted 40 beds lost, none gained."""
    views, today = oldham_area_views()
    brief = {"location_id": "1-999", "name": "Brief House", "locality": "Oldham",
             "care": {"nursing": False, "residential": True}, "beds": {"registered": 40},
             "cqc": {"status": "Deregistered", "status_date": dt.date(2025, 3, 1), "registered_since": dt.date(2025, 1, 1),
                     "imported": today}}
    before = closures.Closed(kept().since, kept().until, [*kept().services, brief])
    rows = bed_changes(views, today - dt.timedelta(days=365), today, None, before)
    assert rows[1] == ["Care home without nursing", "1", "40", "5", "160", "+120"], rows
    assert ("3 care homes closed, with 275 registered beds, 235 of them in homes with nursing" in
            words(market_html(views, today, before=before)))


def test_the_report_and_the_market_page_count_to_the_same_day():
    """From the second review: a sync dated after every profile's register date added a closure to the file: the report
    counted it in "the 365 days to 20 March 2025" (no upper bound) and the market page did not."""
    from carehomes.market import closures_as_at

    views, today = oldham_area_views()
    after = {"location_id": "1-998", "name": "After House", "locality": "Oldham", "care": {"nursing": False},
             "beds": {"registered": 40}, "cqc": {"status": "Deregistered", "status_date": dt.date(2025, 4, 10)}}
    before = closures.Closed(kept().since, dt.date(2025, 4, 15), [*kept().services, after])
    assert closures_as_at(views, before) == dt.date(2025, 4, 15)
    assert "After House" not in words(report_html([], views, today, dict(DEFAULTS), "https://x.org/", None, before))
    # the report as the report command makes it: as at the newest date, the closure counted, as the market page does
    at = closures_as_at(views, before)
    assert at is not None and "After House" in words(report_html([], views, at, dict(DEFAULTS), "https://x.org/", None, before))
    assert "in the year to 15 April 2025: 3 care homes closed" in words(market_html(views, today, before=before))


def test_the_closures_file_named_on_its_own_is_said_to_be_no_profile():
    done = run_build("check", str(OLDHAM_AREA / closures.FILE))
    assert done.returncode == 1 and done.stdout == (
        f"areas/oldham/providers/{closures.FILE}: is the closures file import-cqc writes (the services CQC closed before they were "
        "listed: docs/commissioners.md), not a profile; give its folder, and check reads it with the profiles\n")
