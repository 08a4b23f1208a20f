"""The commissioner report: every signal, with the fact and date that triggered it."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from carehomes.load import parse_profile
from carehomes.report import ConfigError, DEFAULTS, load_thresholds, report_csv, report_html, signals
from carehomes.views import HomeView
from conftest import FIXTURES, TODAY, run_build


def view(edit=lambda d: None):
    data = parse_profile((FIXTURES / "profiles" / "example-full.yaml").read_text(), "x.yaml")[0].data
    edit(data)
    return HomeView(data, TODAY)


def test_every_signal_names_its_fact_and_date():
    def worst(d):
        d["name"] = "=Bad Home (fictional)"
        d["cqc"].update(rating="Inadequate", rating_date=dt.date(2023, 1, 5), registered_manager=False,
                        status="Not in latest register", status_date=dt.date(2026, 9, 1))
        d["staffing"]["staff_turnover_percent"] = 45
        d["beds"]["registered"] = 30
    found = signals([view(worst), view()], TODAY, dict(DEFAULTS), (dt.date(2026, 10, 1), {"1-000000101": {"beds_registered": "40"}}))
    got = [(s.signal, s.fact, s.value, s.date) for s in found]
    assert got == [
        ("Not on the CQC register", "cqc.status", "Not in latest register", "2026-09-01"),
        ("Rated Inadequate", "cqc.rating", "Inadequate", "2023-01-05"),
        ("No registered manager", "cqc.registered_manager", "no", "2025-08-26"),
        ("Sudden drop in beds", "beds.registered", "30 (was 40 in the release of 2026-10-01)", "2025-08-26"),
        ("High nurse turnover", "staffing.nurse_turnover_percent", "31%", "2026-09-30"),
        ("High staff turnover", "staffing.staff_turnover_percent", "45%", "2026-09-30"),
        ("Rating out of date", "cqc.rating_date", "1418 days old", "2023-01-05"),
        ("High nurse turnover", "staffing.nurse_turnover_percent", "31%", "2026-09-30"),
    ]
    text = report_csv(found)
    assert next(csv.reader(io.StringIO(text.splitlines()[1])))[0] == "'=Bad Home (fictional)"
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


def test_report_command_writes_html_and_csv(tmp_path):
    r = run_build("report", "--providers", str(FIXTURES / "profiles"), "--out", str(tmp_path / "out"), "--releases", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("1 signal for 1 homes:")
    assert "High nurse turnover" in (tmp_path / "out" / "commissioner-report.csv").read_text()
    assert (tmp_path / "out" / "commissioner-report.html").read_text().startswith("<!doctype html>")
