"""The commissioner report: every signal, with the fact and date that triggered it."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from carehomes.load import parse_profile
from carehomes.report import ConfigError, DEFAULTS, load_thresholds, report_csv, report_html, signals, unchecked
from carehomes.views import HomeView
from conftest import FIXTURES, ROOT, TODAY, run_build


def view(edit=lambda d: None):
    data = parse_profile((FIXTURES / "profiles" / "example-full.yaml").read_text(), "x.yaml")[0].data
    edit(data)
    return HomeView(data, TODAY)


def test_every_signal_names_its_fact_and_date():
    def worst(d):
        d["name"] = "=Bad Home (fictional)"
        d["cqc"].update(rating="Inadequate", rating_date=dt.date(2023, 1, 5), registered_manager=False)
        d["staffing"]["staff_turnover_percent"] = 45
        d["beds"]["registered"] = 30

    def closed_on(day):
        def edit(d):
            d["name"] = f"Closed {day} (fictional)"
            d["cqc"].update(rating="Inadequate", registered_manager=False, status="Not in latest register", status_date=day)
        return edit
    found = signals([view(worst), view(), view(closed_on(dt.date(2026, 10, 15))), view(closed_on(dt.date(2026, 9, 1)))],
                    TODAY, dict(DEFAULTS), (dt.date(2026, 10, 1), {"1-000000101": {"beds_registered": "40"}}))
    got = [(s.signal, s.fact, s.value, s.date) for s in found]
    assert got == [
        ("Not on the CQC register", "cqc.status", "Not in latest register", "2026-10-15"),
        ("Rated Inadequate", "cqc.rating", "Inadequate", "2023-01-05"),
        ("No registered manager", "cqc.registered_manager", "no", "2025-08-26"),
        ("Sudden drop in beds", "beds.registered", "30 (was 40 in the release of 2026-10-01)", "2025-08-26"),
        ("High nurse turnover", "staffing.nurse_turnover_percent", "31%", "2026-09-30"),
        ("High nurse turnover", "staffing.nurse_turnover_percent", "31%", "2026-09-30"),
        ("High staff turnover", "staffing.staff_turnover_percent", "45%", "2026-09-30"),
        ("Old rating", "cqc.rating_date", "1418 days old on 2026-11-23", "2023-01-05"),
    ], ("a closed home raises only its closure, and only since the last release: its rating and manager are history; "
        "within a severity the signals go most serious first (report.SERIOUSNESS), then the most beds")
    text = report_csv(found)
    assert next(csv.reader(io.StringIO(text.splitlines()[2])))[0] == "'=Bad Home (fictional)"
    page = report_html(found, [], TODAY, DEFAULTS, "https://x.org/")
    assert "=Bad Home (fictional)" in page


def test_report_escapes_hostile_names():
    def hostile(d):
        d["name"] = "<script>alert(1)</script> Home (fictional)"
        d["cqc"].update(rating="Inadequate", rating_date=dt.date(2023, 1, 5))

    found = signals([view(hostile)], TODAY, dict(DEFAULTS), None)
    assert found and all(s.home.startswith("<script>") for s in found), "the markup reaches the report"
    page = report_html(found, [], TODAY, DEFAULTS, "https://x.org/")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Home (fictional)" in page
    assert "<script>alert" not in page


def test_thresholds_come_from_config(tmp_path):
    cfg = tmp_path / "signals.yaml"
    cfg.write_text("nurse_turnover_percent_above: 40\n")
    assert [s.signal for s in signals([view()], TODAY, load_thresholds(cfg))] == []
    cfg.write_text("nurse_turnover: 40\n")
    with pytest.raises(ConfigError, match="'nurse_turnover' is not a threshold"):
        load_thresholds(cfg)


def test_every_wrong_threshold_is_named_at_once(tmp_path):
    """Only the first was said: a file with three wrong lines took three runs to mend."""
    cfg = tmp_path / "signals.yaml"
    cfg.write_text("nurse_turnover: 40\nrecent_days: 30\nbed_drop_percent: soon\nstaff_turnover_percent_above: -1\n")
    with pytest.raises(ConfigError) as err:
        load_thresholds(cfg)
    assert str(err.value).splitlines() == [
        f"{cfg}: 'nurse_turnover' is not a threshold; use one of {', '.join(DEFAULTS)}",
        f"{cfg}: bed_drop_percent must be a number of 0 or more, not 'soon'",
        f"{cfg}: staff_turnover_percent_above must be a number of 0 or more, not -1"]


def test_a_key_that_is_not_a_name_is_said_in_yamls_words(tmp_path):
    """A key that is null (~) was said as 'None' (Python's word), a number as '5'."""
    cfg = tmp_path / "signals.yaml"
    cfg.write_text("~: 40\n5: 1\ntrue: 2\n")
    with pytest.raises(ConfigError) as err:
        load_thresholds(cfg)
    assert str(err.value).splitlines() == [f"{cfg}: {key} is not a threshold; use one of {', '.join(DEFAULTS)}"
                                           for key in ("a blank key", "the key 5", "the key true")]


@pytest.mark.parametrize("value,shown", [(".nan", "nan"), (".inf", "inf"), ("1.0e+999", "inf"), ("-.inf", "-inf"),
                                         ("-5", "-5"), ("soon", "'soon'"), ("1e999", "'1e999'"),
                                         ("1e9", "'1e9' (YAML reads 1e9 as text; write it with a point, as in 1.0e9, or in full)")])
def test_a_threshold_that_is_not_a_finite_number_of_0_or_more_is_refused(tmp_path, value, shown):
    cfg = tmp_path / "signals.yaml"
    cfg.write_text(f"bed_drop_min_beds: 3\nbed_drop_percent: {value}\n")
    with pytest.raises(ConfigError) as err:
        load_thresholds(cfg)
    assert str(err.value) == f"{cfg}: bed_drop_percent must be a number of 0 or more, not {shown}"


def test_a_threshold_yaml_reads_as_another_number_is_refused_as_a_profiles_is(tmp_path):
    """030 was taken for 24 and 1:00 for 60 without a word (YAML 1.1's base 8 and base 60), so the report flagged a
    home whose turnover was under the threshold written (the hostile review): each is named, with its line."""
    cfg = tmp_path / "signals.yaml"
    cfg.write_text("staff_turnover_percent_above: 030\nrating_older_than_days: 1:00\nrecent_days: 0x1E\nbed_drop_percent: 1_0\n"
                   "bed_drop_min_beds: 3\n")
    with pytest.raises(ConfigError) as err:
        load_thresholds(cfg)
    end = "; write the threshold as a plain number, like 30"
    assert str(err.value).splitlines() == [
        f"{cfg}, line 1: staff_turnover_percent_above: '030' starts with 0, so YAML reads it as a number in base 8{end}",
        f"{cfg}, line 2: rating_older_than_days: '1:00' is read by YAML as a time in base 60, not as written{end}",
        f"{cfg}, line 3: recent_days: '0x1E' is written in a form YAML reads as another number{end}",
        f"{cfg}, line 4: bed_drop_percent: '1_0' is written in a form YAML reads as another number{end}"]
    cfg.write_text("staff_turnover_percent_above: 30\nrating_older_than_days: 730\nbed_drop_percent: 10.5\n")
    assert load_thresholds(cfg)["staff_turnover_percent_above"] == 30


def test_a_span_too_long_for_a_calendar_is_refused_not_a_traceback(tmp_path):
    """recent_days: 800000 or inadequate_within_years: 10000 passed as finite numbers of 0 or more, then the report
    counted that many days back from today: OverflowError (date value out of range), a traceback and no report."""
    cfg = tmp_path / "signals.yaml"
    cfg.write_text("recent_days: 800000\ninadequate_within_years: 10000\nrating_older_than_days: 99999999999999999999\n")
    (tmp_path / "none").mkdir()  # no release
    r = run_build("report", "--providers", str(FIXTURES / "profiles"), "--releases", str(tmp_path / "none"),
                  "--signals", str(cfg), "--out", str(tmp_path / "out"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.splitlines()[:2] == [
        f"{cfg}: recent_days must be a number from 0 to 36525 (100 years), not 800000",
        f"{cfg}: inadequate_within_years must be a number from 0 to 100, not 10000"]
    assert not (tmp_path / "out").exists()
    cfg.write_text("recent_days: 36525\ninadequate_within_years: 100\n")
    assert load_thresholds(cfg)["inadequate_within_years"] == 100


def test_report_refuses_thresholds_written_twice_or_that_no_count_can_meet(tmp_path):
    """A threshold written twice was taken at its last value without a word (a profile's key written twice is refused),
    and a drop of 1000% of the beds, a run of 0 or 2.5 inspections, were taken as given: signals that could never be raised."""
    cfg = tmp_path / "signals.yaml"
    cfg.write_text("recent_days: 30\nbed_drop_percent: 1000\nrecent_days: 10\nrepeated_rating_inspections: 2.5\n"
                   "bed_drop_min_beds: 1.5\n")
    with pytest.raises(ConfigError) as exc:
        load_thresholds(cfg)
    assert str(exc.value).splitlines() == [
        f"{cfg}, line 3: recent_days is written twice (first on line 1); YAML would keep only the last one without a "
        "word, so delete the one you do not mean",
        f"{cfg}: bed_drop_percent must be a number from 0 to 100 (per cent of the beds), not 1000",
        f"{cfg}: repeated_rating_inspections must be a whole number of 1 or more, not 2.5",
        f"{cfg}: bed_drop_min_beds must be a whole number of 0 or more, not 1.5"]
    cfg.write_text("repeated_rating_inspections: 0\n")
    with pytest.raises(ConfigError, match="repeated_rating_inspections must be a whole number of 1 or more, not 0$"):
        load_thresholds(cfg)
    cfg.write_text("repeated_rating_inspections: 3\nbed_drop_percent: 100\nbed_drop_min_beds: 0\n")
    assert load_thresholds(cfg)["repeated_rating_inspections"] == 3


def test_report_refuses_a_missing_or_unreadable_thresholds_file_in_one_line(tmp_path):
    out = tmp_path / "out"
    cases = {tmp_path / "none.yml": f"{tmp_path / 'none.yml'}: no such thresholds file; give an existing signals.yaml with --signals",
             tmp_path / "nan.yml": f"{tmp_path / 'nan.yml'}: bed_drop_percent must be a number of 0 or more, not nan",
             tmp_path / "bad.yml": f"{tmp_path / 'bad.yml'}:2: is not valid YAML (expected the node content, but found '<stream end>'); "
                                   "write one 'name: number' per line",
             tmp_path / "latin.yml": f"{tmp_path / 'latin.yml'}: is not UTF-8 text: byte 18 (0xA3, which Windows writes for £); "
                                     "give a signals.yaml file saved as UTF-8 text with --signals"}
    (tmp_path / "nan.yml").write_text("bed_drop_percent: .NaN\n")
    (tmp_path / "bad.yml").write_text("bed_drop_percent: [\n")
    (tmp_path / "latin.yml").write_bytes("bed_drop_percent: \u00a310\n".encode("latin-1"))
    for cfg, message in cases.items():
        r = run_build("report", "--providers", str(FIXTURES / "profiles"), "--out", str(out), "--releases", str(tmp_path), "--signals", str(cfg))
        assert (r.returncode, r.stderr) == (2, message + "\n"), cfg
        assert not out.exists(), "no report is written with thresholds the council did not set"


def test_a_release_of_other_services_is_said_and_not_compared_with(tmp_path):
    """report --providers OTHER-AREA without --releases compared with the top level's release, which holds none of them:
    every closure after that release's older CQC date was listed as 'since the last release', without a word."""
    releases = tmp_path / "releases"
    assert run_build("release", "--providers", str(ROOT / "providers"), "--releases", str(releases)).returncode == 0
    [made] = [p.name for p in releases.iterdir()]
    r = run_build("report", "--providers", str(FIXTURES / "profiles"), "--out", str(tmp_path / "out"), "--releases", str(releases))
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines()[0] == (
        f"warning: {releases}: its last release ({made}) holds none of these 2 services, so it is another area's; "
        "closures and changes in beds are counted over the last 365 days instead (give this area's releases with --releases)")
    page = (tmp_path / "out" / "commissioner-report.html").read_text()
    assert "since the last release" not in page and "in the 365 days to" in page


def test_report_command_writes_html_and_csv(tmp_path):
    r = run_build("report", "--providers", str(FIXTURES / "profiles"), "--out", str(tmp_path / "out"), "--releases", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("1 signal for 1 home:")
    assert "High nurse turnover" in (tmp_path / "out" / "commissioner-report.csv").read_text()
    assert (tmp_path / "out" / "commissioner-report.html").read_text().startswith("<!doctype html>")


def test_known_none_and_not_known_are_told_apart():
    """A home whose facts are all known and clear raises nothing and leaves nothing unchecked; a home that gave
    nothing raises nothing either, but the report says which signals could not be checked."""
    full = view(lambda d: d["staffing"].update(nurse_turnover_percent=12))
    assert signals([full], TODAY, dict(DEFAULTS)) == [] and unchecked([full]) == []
    assert "<p>Every fact the signals use is known for every home.</p>" in report_html([], [full], TODAY, DEFAULTS, "https://x.org/")
    minimal = HomeView(parse_profile((FIXTURES / "profiles" / "example-minimal.yaml").read_text(), "m.yaml")[0].data, TODAY)
    assert signals([minimal], TODAY, dict(DEFAULTS)) == []
    assert [u.text for u in unchecked([full, minimal])] == [
        "cqc.status for 1 of 2 homes", "cqc.rating for 1 of 2 homes", "cqc.rating_date for 1 of 2 homes",
        "cqc.registered_manager for 1 of 2 homes", "beds.registered for 1 of 2 homes",
        "staffing.staff_turnover_percent for 1 of 2 homes", "staffing.nurse_turnover_percent for 1 of 2 homes"]
    page = report_html([], [full, minimal], TODAY, DEFAULTS, "https://x.org/")
    assert ('<tr><th scope="row"><code>cqc.registered_manager</code></th><td>No registered manager</td><td>1 of 2</td></tr>') in page
    assert "<h2>Not known: signals that could not be checked</h2>" in page


def test_not_known_counts_only_the_homes_that_can_hold_the_fact():
    """An agency has no registered beds or staff turnover to give (its kind has no such field), and a home CQC has
    not yet rated has no rating date: neither is counted as not having given it ('beds.registered for 60 of 104
    homes' was Oldham's report, the 60 being agencies)."""
    full = view(lambda d: d["staffing"].update(nurse_turnover_percent=12))
    agency = HomeView(parse_profile((FIXTURES / "agencies" / "example-agency-unknown.yaml").read_text(), "a.yaml")[0].data, TODAY)
    agency.d["cqc"] = {"status": "Registered", "rating": "Not yet rated", "registered_manager": True}
    unrated = view(lambda d: (d["cqc"].update(rating="Not yet rated"), d["cqc"].pop("rating_date")))
    assert [u.text for u in unchecked([full, agency, unrated])] == []
    agency.d["cqc"] = {"status": "Registered", "rating": "Good"}
    assert [u.text for u in unchecked([full, agency, unrated])] == [
        "cqc.rating_date for 1 of 2 homes", "cqc.registered_manager for 1 of 3 homes"]


def test_report_on_the_bundled_homes_says_what_is_not_known(tmp_path):
    """The real register extract has no ratings or managers: 0 signals, and the report says why, never 'no concerns'."""
    r = run_build("report", "--providers", str(ROOT / "providers"), "--out", str(tmp_path / "out"), "--releases", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines()[1] == (
        "Not known, so not checked: cqc.rating for 88 of 88 homes; cqc.rating_date for 88 of 88 homes; "
        "cqc.registered_manager for 88 of 88 homes; staffing.staff_turnover_percent for 88 of 88 homes; "
        "staffing.nurse_turnover_percent for 88 of 88 homes")
    page = (tmp_path / "out" / "commissioner-report.html").read_text()
    assert ('<tr><th scope="row"><code>cqc.registered_manager</code></th><td>No registered manager</td><td>88 of 88</td></tr>') in page
    assert ('<tr><th scope="row"><code>cqc.rating</code></th><td>Rated Inadequate, Rated Requires improvement</td>'
            "<td>88 of 88</td></tr>") in page
    assert "cqc.status</code>" not in page, "every bundled home has a registration status"


def _agencies_answering(folder, answers: dict[str, tuple[dt.date, int]]):
    """Oldham's profiles of these agencies (CQC data of 20 March 2025), each taking new clients with its hours, as
    confirmed on its date."""
    folder.mkdir()
    for slug, (on, hours) in answers.items():
        text = (ROOT / "areas" / "oldham" / "providers" / f"{slug}.yaml").read_text()
        (folder / f"{slug}.yaml").write_text(text + f"homecare:\n  taking_new_clients: yes\n  hours_available: {hours}\n"
                                                     f"  confirmed: {on.isoformat()}\n")


def test_an_agencys_answer_is_as_old_as_the_days_since_it_gave_it_not_the_cqc_datas_date(tmp_path):
    """The report measured every age from the CQC data's date (20 March 2025 for Oldham): an agency's answer given
    since, 30 days before the report, read as said "in the last 7 days" (Oldham with four answers of 0, 7, 8 and 61
    days: "4 said in the last 7 days ... 33 hours", where the market page said 2 and 22)."""
    today = dt.date.today()
    _agencies_answering(tmp_path / "providers", {"apex-prime-care-oldham": (today, 10),
                                                 "amber-case-management-limited": (today - dt.timedelta(days=30), 5)})
    r = run_build("report", "--providers", str(tmp_path / "providers"), "--out", str(tmp_path / "out"), "--releases", str(tmp_path))
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "out" / "commissioner-report.html").read_text()
    assert "CQC data as at 2025-03-20" in page  # CQC's facts are still as at its data's date
    # and the page says which date each is aged from (it said "every age is measured from it")
    assert (f"(the newest register date in the profiles; CQC's facts are aged from it, and what\nthe services say themselves, "
            f"such as an agency taking new clients, from the day of this report, {today.isoformat()})") in page
    assert "1 said in the last 7 days that they are taking new clients, with 10 hours of care a week between them" in page


def test_the_report_counts_an_agencys_answer_out_of_date_after_the_sites_own_age(tmp_path, monkeypatch):
    """The report said "an answer more than 7 days old counts as not known" (the schema's) on a site whose pages
    flag it after mkdocs.yml's extra.directory.staleness.availability."""
    from carehomes import cli
    from carehomes.areas import Area

    today = dt.date.today()
    _agencies_answering(tmp_path / "providers", {"apex-prime-care-oldham": (today, 10),
                                                 "amber-case-management-limited": (today - dt.timedelta(days=30), 5)})
    (tmp_path / "mkdocs.yml").write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\nextra:\n  directory:\n    staleness:\n"
                                         "      availability: 60 days\n")
    monkeypatch.setattr(cli, "find_area", lambda name=None, root=None: Area(
        "here", tmp_path / "mkdocs.yml", tmp_path / "providers", tmp_path, tmp_path / "site"))
    r = run_build("report", "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "out" / "commissioner-report.html").read_text()
    assert "2 said in the last 60 days that they are taking new clients, with 15 hours of care a week between them" in page
    assert "an answer more than 60 days old counts as not known" in page


def test_a_wrong_threshold_is_said_in_yamls_words_and_an_alias_bomb_is_never_printed(tmp_path):
    """A value that was not a number was printed as Python's repr ('not None', 'not [1, 2]'), and an alias of an alias
    ('*a' nine times, nine deep: a thousand million items) was printed whole: report never ended."""
    cfg = tmp_path / "signals.yaml"
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    cfg.write_text("\n".join(lines) + "\nrecent_days: *i\nbed_drop_percent:\nbed_drop_min_beds: yes\n"
                   "inadequate_within_years: {x: 1}\n")
    with pytest.raises(ConfigError) as err:
        load_thresholds(cfg)
    # refused as it is read, before any value is looked at (configfile.SettingsLoader), as mkdocs.yml is
    assert str(err.value) == (f"{cfg}:6: is not valid YAML (its aliases (*name) repeat it to more than 200,000 values, more "
                              "than any settings file holds); write one 'name: number' per line")
    cfg.write_text("a: &a [1, 2]\nrecent_days: *a\nbed_drop_percent:\nbed_drop_min_beds: yes\ninadequate_within_years: {x: 1}\n")
    with pytest.raises(ConfigError) as err:
        load_thresholds(cfg)
    said = [line.split(": ", 1)[1] for line in str(err.value).splitlines() if "must be" in line]
    assert said == ["recent_days must be a number of 0 or more, not a list",
                    "bed_drop_percent must be a number of 0 or more, not blank",
                    "bed_drop_min_beds must be a number of 0 or more, not true",
                    "inadequate_within_years must be a number of 0 or more, not a group of settings"]


def test_every_table_of_the_report_scrolls_in_its_own_region_inside_main():
    """axe on the report in Chromium: no main landmark and content outside every landmark; at 375 px the signals
    table's nine columns made the whole page 1,002 px wide. Each table is now in a keyboard-scrollable region named by
    its caption (as the home care section's were already), inside the page's one <main>."""
    from html.parser import HTMLParser

    class Tables(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.open: list[tuple[str, dict]] = []
            self.tables: list[dict] = []  # the attributes of each table's parent, and its caption
            self.mains = 0
            self.outside_main: list[str] = []
            self.caption: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            if tag == "main":
                self.mains += 1
            elif tag in ("h1", "h2", "p", "table") and not any(t == "main" for t, _ in self.open):
                self.outside_main.append(tag)
            if tag == "table":
                self.tables.append({"parent": self.open[-1] if self.open else None, "caption": ""})
            if tag == "caption":
                self.caption = []
            if tag not in ("br", "meta", "link"):
                self.open.append((tag, dict(attrs)))

        def handle_endtag(self, tag):
            if tag == "caption" and self.caption is not None:
                self.tables[-1]["caption"] = "".join(self.caption)
                self.caption = None
            while self.open and self.open.pop()[0] != tag:
                pass

        def handle_data(self, data):
            if self.caption is not None:
                self.caption.append(data)

    def bad(d):
        d["cqc"].update(rating="Inadequate", rating_date=dt.date(2023, 1, 5), registered_since=TODAY - dt.timedelta(days=30))
    views = [view(bad), view()]
    page = report_html(signals(views, TODAY, dict(DEFAULTS)), views, TODAY, dict(DEFAULTS), "https://x.org/")
    found = Tables()
    found.feed(page)
    assert found.mains == 1 and found.outside_main == []
    assert len(found.tables) >= 3
    for t in found.tables:
        tag, attrs = t["parent"]
        assert (tag, attrs.get("class"), attrs.get("role"), attrs.get("tabindex")) == ("div", "ch-table-wrap", "region", "0"), t
        assert attrs.get("aria-label") == t["caption"] and t["caption"], t
    assert ".ch-table-wrap{overflow-x:auto" in page


def test_signals_go_most_serious_first_within_a_severity_then_the_most_beds():
    """From the commissioner review: within a severity the report sorted by area and name, so an agency's 'No registered
    manager' came before Elizabeth House's 'Requires improvement at 4 inspections in a row', and Chadderton Total Care
    (146 beds, 5 in a row) was not first. Every signal has its place in the order of seriousness."""
    from carehomes.report import SERIOUSNESS, SEVERITY

    assert set(SERIOUSNESS) == set(SEVERITY)
    order = sorted(SEVERITY, key=lambda s: (SEVERITY[s], SERIOUSNESS[s]))
    assert order.index("Repeated Requires improvement") < order.index("Rated Requires improvement") < order.index(
        "No registered manager") < order.index("Old rating")
