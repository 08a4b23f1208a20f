"""The agencies' capacity sheet: `vacancies --from-csv` with the columns home, taking_new_clients, hours_available,
confirmed, on real Oldham profiles (issue 20, requirement 3)."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml

from conftest import ROOT

OLDHAM = ROOT / "areas" / "oldham" / "providers"
AGENCIES = ["apex-prime-care-oldham", "blossom-care-and-support-ltd", "ambercare-north-west-ltd"]
HOMES = ["abbey-hey-care-home", "park-hills-private-nursing-home"]  # a care home; a care home that is also an agency
APEX_ID = "1-19666435449"
HEAD = "home,taking_new_clients,hours_available,confirmed\n"


@pytest.fixture
def providers(tmp_path):
    folder = tmp_path / "providers"
    folder.mkdir()
    for slug in AGENCIES + HOMES:
        shutil.copy(OLDHAM / f"{slug}.yaml", folder)
    return folder


def run(providers, capsys, content: str | bytes, name: str = "agencies.csv") -> tuple[int, list[str], str]:
    """vacancies --from-csv in-process: the exit code, stdout's lines and stderr."""
    from carehomes import cli

    f = providers.parent / name
    f.write_bytes(content if isinstance(content, bytes) else content.encode())
    code = cli.main(["vacancies", "--from-csv", str(f), "--providers", str(providers)])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.strip()


def homecare(providers, slug: str) -> dict:
    return yaml.safe_load((providers / f"{slug}.yaml").read_text()).get("homecare", {})


def test_an_agencies_sheet_sets_new_clients_and_hours_and_dates_them(providers, capsys):
    code, out, err = run(providers, capsys, HEAD + f"apex-prime-care-oldham,yes,20,\n{AGENCIES[1]},No,,23/11/2026\n"
                                                  "park-hills-private-nursing-home,TRUE,5,\n")
    assert code == 0, out
    assert out == [f"{providers / slug}.yaml: new clients and hours updated"
                   for slug in ("apex-prime-care-oldham", AGENCIES[1], "park-hills-private-nursing-home")]
    assert err == f"3 agencies in {providers.parent / 'agencies.csv'}: 3 profiles changed, 0 already up to date."
    today = dt.date.today()
    assert homecare(providers, "apex-prime-care-oldham") == {"taking_new_clients": True, "hours_available": 20, "confirmed": today}
    assert homecare(providers, AGENCIES[1]) == {"taking_new_clients": False, "confirmed": dt.date(2026, 11, 23)}
    assert homecare(providers, "park-hills-private-nursing-home")["hours_available"] == 5
    text = (providers / "apex-prime-care-oldham.yaml").read_text()
    assert text.startswith("# Apex Prime Care - Oldham\n")  # the comments stay
    code, out, err = run(providers, capsys, HEAD + f"{APEX_ID},yes,20,\n")  # by CQC location ID: nothing new
    assert code == 0 and out == [] and err.endswith(": 0 profiles changed, 1 already up to date.")
    assert err.startswith("1 agency in ")


def test_a_bad_agencies_sheet_changes_nothing_and_names_every_row(providers, capsys):
    before = {p.name: p.read_text() for p in providers.iterdir()}
    rows = ["apex-prime-care-oldham,yes,20,", f"{APEX_ID},no,,", "abbey-hey-care-home,yes,3,", "nope,yes,1,",
            f"{AGENCIES[1]},maybe,-2,", f"{AGENCIES[2]},=1,,", f"{AGENCIES[2]},yes,lots,31/02/2026"]
    code, out, err = run(providers, capsys, HEAD + "\n".join(rows) + "\n", "v.csv")
    shown = providers.parent / "v.csv"
    assert code == 1
    assert out == [
        f"{shown}:3: home: apex-prime-care-oldham is also on line 2; keep one row for each home care agency",
        f"{shown}:4: home: abbey-hey-care-home is not a home care agency (it is a care home); put it on a sheet with "
        "the columns home, nursing_free, residential_free",
        f"{shown}:5: home: 'nope' is not a home care agency in {providers}; give the page name (its file name without "
        ".yaml) or the CQC location ID",
        f"{shown}:6: taking_new_clients: must be yes or no, not 'maybe'",
        f"{shown}:6: hours_available: is -2, below the lowest allowed value 0",
        f"{shown}:7: taking_new_clients: '=1' looks like a spreadsheet formula; type the value itself",
        f"{shown}:8: home: {AGENCIES[2]} is also on line 7; keep one row for each home care agency",
        f"{shown}:8: confirmed: '31/02/2026' is not a real date; check the day and month",
        f"{shown}:8: hours_available: must be a whole number in figures, such as 3 or 0 for none, not 'lots'",
    ]
    assert err == f"9 problems in {shown}: nothing was changed. Correct the rows above and run the command again."
    assert {p.name: p.read_text() for p in providers.iterdir()} == before


def test_an_agency_on_the_care_homes_sheet_is_sent_to_its_own(providers, capsys):
    code, out, _ = run(providers, capsys, "home,nursing_free,residential_free\napex-prime-care-oldham,1,\n"
                                          "park-hills-private-nursing-home,1,\n", "homes.csv")
    assert code == 1 and out == [
        f"{providers.parent / 'homes.csv'}:2: home: apex-prime-care-oldham is not a care home (it is a home care agency); "
        "put it on a sheet with the columns home, taking_new_clients, hours_available"]


@pytest.mark.parametrize("head, message", [
    ("home,nursing_free,hours_available", "the first row names columns of care homes (nursing_free) and of home care "
     "agencies (hours_available); a sheet is for one kind of service: put each kind on a sheet of its own and run the "
     "command for each"),
    ("home,taking_new_clients,confirmed", "the first row must name the columns home, taking_new_clients, "
     "hours_available (and optionally confirmed); missing: hours_available"),
    ("agency,new clients", "the first row must name the columns home, nursing_free, residential_free for care homes or "
     "home, taking_new_clients, hours_available for home care agencies (and optionally confirmed); it names none of "
     "nursing_free, residential_free, taking_new_clients, hours_available"),
])
def test_the_first_row_chooses_one_kind_of_sheet(providers, capsys, head, message):
    code, out, _ = run(providers, capsys, f"{head}\napex-prime-care-oldham,yes,1\n", "h.csv")
    assert code == 1 and out == [f"{providers.parent / 'h.csv'}:1: {message}"]


def test_an_agencies_sheet_from_excel_semicolons_bom_and_utf16(providers, capsys):
    code, out, _ = run(providers, capsys, b"\xef\xbb\xbfHome;Taking_New_Clients;Hours_Available\r\n"
                                          b"apex-prime-care-oldham;Yes;12\r\n;;\r\n")
    assert code == 0, out
    assert homecare(providers, "apex-prime-care-oldham")["hours_available"] == 12
    code, out, _ = run(providers, capsys, "home\ttaking_new_clients\thours_available\r\n"
                                          "apex-prime-care-oldham\tno\t0\r\n".encode("utf-16"))
    assert code == 0, out
    assert homecare(providers, "apex-prime-care-oldham")["taking_new_clients"] is False
