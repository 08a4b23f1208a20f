"""fmt and vacancies: edits that keep comments and leave valid profiles."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

import yaml

from carehomes.cli import main
from carehomes.editing import format_text, set_vacancies
from conftest import FIXTURES, ROOT, run_build


def test_fmt_orders_keys_by_schema_and_keeps_comments():
    messy = ("# Header comment stays at the top.\n"
             "name: Messy Home (fictional)  # the name\n"
             "beds:\n    confirmed: 2026-11-20  # checked by phone\n    nursing: {available: 1, total: 4}\n"
             "location_id: '1-000000401'\nslug: \"messy\"\nexample: true\nlocality: Exampleshire\n"
             "maintainers:\n    - someone\n")
    out = format_text(messy)
    assert out == ("# Header comment stays at the top.\n"
                   "location_id: 1-000000401\nslug: messy\nexample: true\nname: Messy Home (fictional)  # the name\n"
                   "locality: Exampleshire\nbeds:\n  nursing: {total: 4, available: 1}\n"
                   "  confirmed: 2026-11-20    # checked by phone\nmaintainers:\n- someone\n")
    assert format_text(out) == out, "formatting twice changes nothing"


@pytest.mark.slow  # formats every bundled profile (over half a second: the fast set stays under 30 s)
def test_bundled_profiles_are_formatted():
    r = run_build("fmt", "--check")
    assert r.returncode == 0, r.stdout + r.stderr


def test_fmt_check_lists_unformatted_files(tmp_path):
    shutil.copy(FIXTURES / "profiles" / "example-full.yaml", tmp_path)
    r = run_build("fmt", "--check", str(tmp_path))
    assert r.returncode == 1
    assert r.stdout.strip() == (f"{tmp_path / 'example-full.yaml'}: is not in the standard format: line 29 is indented by "
                                "4 spaces; the standard form has 2. Run python3 build.py fmt to put it right (if you edited "
                                "it on GitHub, a steward can do this for you)")
    assert run_build("fmt", str(tmp_path)).returncode == 0
    r = run_build("fmt", "--check", str(tmp_path))
    assert r.returncode == 0 and r.stderr == "1 file is in the standard format.\n"


@pytest.mark.parametrize("edit, why", [
    # from the providers' review: each failed the pull request's check with no line named, and check passed them
    (lambda t: t.replace("  manager: Sam Example\n", '  manager: "Sam Example"\n'),
     "line 21 is '  manager: \"Sam Example\"'; the standard form is '  manager: Sam Example'"),
    (lambda t: t.replace("  weekend_assessments: yes\n  weekend_admissions: no\n",
                         "  weekend_admissions: no\n  weekend_assessments: yes\n"),
     "line 30 is '  weekend_admissions: no'; the standard form is '  weekend_assessments: yes' (the fields are in another "
     "order)"),
    (lambda t: t.replace("\n", "\r\n"), "its lines end the Windows way (CRLF)"),
    (lambda t: t.replace("  manager: Sam Example\n", "  manager: Sam Example   \n"),  # it said "indented by 2; has 2"
     "line 21 ends with spaces; the standard form has none there"),
    (lambda t: t.replace("  manager: Sam Example\n", "  manager:   Sam Example\n"),
     "line 21 is '  manager:   Sam Example'; the standard form is '  manager: Sam Example'"),
])
def test_fmt_check_says_which_line_differs_and_how(tmp_path, edit, why):
    shutil.copy(FIXTURES / "profiles" / "example-full.yaml", tmp_path)
    assert run_build("fmt", str(tmp_path)).returncode == 0
    f = tmp_path / "example-full.yaml"
    f.write_bytes(edit(f.read_text()).encode("utf-8"))
    r = run_build("fmt", "--check", str(tmp_path))
    assert r.returncode == 1 and r.stdout == (f"{f}: is not in the standard format: {why}. Run python3 build.py fmt to put "
                                              "it right (if you edited it on GitHub, a steward can do this for you)\n")
    assert run_build("check", str(tmp_path)).returncode == 0


def test_vacancies_on_a_real_profile_keep_comments(tmp_path):
    prov = tmp_path / "providers"
    prov.mkdir()
    src = (ROOT / "providers" / "aston-house.yaml").read_text()
    (prov / "aston-house.yaml").write_text(src.replace("beds:\n", "beds:  # updated by the manager\n"))
    r = run_build("vacancies", "aston-house", "--residential", "2", "--providers", str(prov))
    assert r.returncode == 0, r.stderr
    text = (prov / "aston-house.yaml").read_text()
    assert text.startswith("# Aston House\n# Created from the CQC register")
    assert "beds:  # updated by the manager\n" in text
    data = yaml.safe_load(text)
    assert data["beds"] == {"registered": 16, "residential": {"available": 2}, "confirmed": dt.date.today()}
    assert list(data) == list(yaml.safe_load(src)), "key order kept"
    r = run_build("vacancies", "aston-house", "--unchanged", "--providers", str(prov))
    assert r.returncode == 0 and yaml.safe_load((prov / "aston-house.yaml").read_text())["beds"]["residential"] == {"available": 2}


def test_vacancies_takes_the_day_the_beds_were_checked_never_before_the_pages(tmp_path):
    """From the providers' review: the single-home command could only date its counts today (the sheet takes a
    confirmed column), so beds checked on Friday and entered on Monday looked checked on Monday."""
    prov = tmp_path / "providers"
    prov.mkdir()
    shutil.copy(ROOT / "providers" / "aston-house.yaml", prov)
    day = dt.date.today() - dt.timedelta(days=3)
    r = run_build("vacancies", "aston-house", "--residential", "1", "--date", day.isoformat(), "--providers", str(prov))
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith(f"{prov / 'aston-house.yaml'}: vacancies confirmed as checked on ")
    assert yaml.safe_load((prov / "aston-house.yaml").read_text())["beds"]["confirmed"] == day
    before = (prov / "aston-house.yaml").read_text()
    older = day - dt.timedelta(days=1)
    r = run_build("vacancies", "aston-house", "--residential", "2", "--confirmed", older.isoformat(), "--providers", str(prov))
    assert r.returncode == 1 and r.stdout == (
        f"{prov / 'aston-house.yaml'}:1: --confirmed: {older.isoformat()} is before the day the page says its free beds "
        f"were checked ({day.isoformat()}); give that day or a later one\n")
    later = dt.date.today() + dt.timedelta(days=5)
    r = run_build("vacancies", "aston-house", "--residential", "2", "--confirmed", later.isoformat(), "--providers", str(prov))
    assert r.returncode == 2 and "is after today" in r.stderr and "Traceback" not in r.stderr
    assert (prov / "aston-house.yaml").read_text() == before


def test_vacancies_refuses_an_invalid_result(tmp_path):
    prov = tmp_path / "providers"
    prov.mkdir()
    shutil.copy(ROOT / "providers" / "aston-house.yaml", prov)
    before = (prov / "aston-house.yaml").read_text()
    r = run_build("vacancies", "aston-house", "--nursing", "2", "--providers", str(prov))
    assert r.returncode == 1
    assert "beds.nursing.available: is 2 but CQC does not register this home for care with nursing" in r.stdout
    assert (prov / "aston-house.yaml").read_text() == before
    r = run_build("vacancies", "nope", "--nursing", "1", "--providers", str(prov))
    assert r.returncode == 2 and "no such profile" in r.stderr


def test_set_vacancies_over_total_is_refused(tmp_path):
    f = tmp_path / "example-full.yaml"
    shutil.copy(FIXTURES / "profiles" / "example-full.yaml", f)
    problems, dropped = set_vacancies(f, {"nursing": 31, "residential": 0}, dt.date(2026, 11, 23), display="example-full.yaml")
    assert dropped == []
    assert [str(p) for p in problems] == [
        "example-full.yaml:36: beds.nursing.available: is 31 but beds.nursing.total is 30; free beds cannot be more than the beds there are"]


def test_vacancies_refuses_unchanged_with_new_numbers(tmp_path):
    prov = tmp_path / "providers"
    prov.mkdir()
    shutil.copy(ROOT / "providers" / "aston-house.yaml", prov)
    before = (prov / "aston-house.yaml").read_text()
    r = run_build("vacancies", "aston-house", "--unchanged", "--residential", "3", "--providers", str(prov))
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == ("--unchanged confirms the free beds already in the profile; give it without --nursing and "
                        "--residential, or leave it out to set new numbers\n")
    assert (prov / "aston-house.yaml").read_text() == before


def test_no_count_of_beds_of_a_kind_of_care_the_home_is_not_registered_for_and_0_is_not_applicable(tmp_path):
    prov = tmp_path / "providers"
    prov.mkdir()
    shutil.copy(ROOT / "providers" / "aston-house.yaml", prov)  # care: nursing: false, residential: true
    aston = prov / "aston-house.yaml"
    before = aston.read_text()
    # a 0 alone for a kind of care the home is not registered for: true, but nothing to store, so nothing changes
    r = run_build("vacancies", "aston-house", "--nursing", "0", "--providers", str(prov))
    assert r.returncode == 1 and aston.read_text() == before
    assert r.stdout == (f"{prov / 'aston-house.yaml'}:1: --nursing: 0 is not applicable: CQC does not "
                        "register this home for care with nursing (care.nursing is no), so nothing is stored for it, and "
                        "nothing else was given; give the free beds of a kind of care the home is registered for "
                        "(--residential N), or --unchanged to confirm today that nothing changed\n")
    # with the free beds it is registered for, the 0 is left out, said in one line, as the stewards' sheet does
    r = run_build("vacancies", "aston-house", "--nursing", "0", "--residential", "1", "--providers", str(prov))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == (f"{prov / 'aston-house.yaml'}: --nursing: 0 is not applicable: CQC does not register "
                        "this home for care with nursing (care.nursing is no), so nothing is stored for it\n")
    assert r.stderr.endswith("vacancies confirmed today (nursing: not applicable, residential: 1)\n")
    beds = yaml.safe_load(aston.read_text())["beds"]
    assert beds == {"registered": 16, "residential": {"available": 1}, "confirmed": dt.date.today()}
    # the free beds it is registered for alone: nothing said of nursing ("nursing: as before", where there are none)
    r = run_build("vacancies", "aston-house", "--residential", "2", "--providers", str(prov))
    assert r.returncode == 0 and r.stderr.endswith("vacancies confirmed today (residential: 2)\n"), r.stderr
    aston.write_text(before)
    # likewise beds without nursing at a home CQC registers only for nursing care
    aston.write_text(before.replace("  nursing: false\n  residential: true\n", "  nursing: true\n  residential: false\n"))
    r = run_build("vacancies", "aston-house", "--residential", "2", "--providers", str(prov))
    assert r.returncode == 1
    assert r.stdout.splitlines()[0].endswith(
        "beds.residential.available: is 2 but CQC does not register this home for care without nursing "
        "(care.residential is no); count these beds in beds.nursing.available, or ask the council to import the latest "
        "CQC register")
    r = run_build("vacancies", "aston-house", "--nursing", "2", "--providers", str(prov))
    assert r.returncode == 0, r.stdout + r.stderr


def test_vacancies_refuses_what_check_refuses_including_trust_codes(tmp_path):
    prov = tmp_path / "providers"
    prov.mkdir()
    aston = prov / "aston-house.yaml"
    aston.write_text((ROOT / "providers" / "aston-house.yaml").read_text().replace(
        "  residential: true\n", "  residential: true\n  acute_trusts:\n  - XYZ\n"))
    before = aston.read_text()
    r = run_build("vacancies", "aston-house", "--residential", "1", "--providers", str(prov))
    assert r.returncode == 1 and aston.read_text() == before
    assert r.stdout.splitlines()[0].endswith(
        "care.acute_trusts: item 1 'XYZ' is not an NHS trust code; did you mean 'RXY' (Kent and Medway Mental Health NHS Trust)?")


def test_a_crlf_profile_is_written_back_with_one_kind_of_line_end(tmp_path, capsys):
    """ruamel.yaml kept the CR of each comment line but wrote values with LF: fmt and vacancies left a
    file ending its lines both ways, and fmt --check then called it standard."""
    src = (ROOT / "providers" / "aston-house.yaml").read_text()
    for folder in ("fmt", "vacancies"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "aston-house.yaml").write_bytes(src.replace("\n", "\r\n").encode())
    assert main(["fmt", "--check", str(tmp_path / "fmt")]) == 1
    assert main(["fmt", str(tmp_path / "fmt")]) == 0
    assert main(["vacancies", "aston-house", "--residential", "2", "--providers", str(tmp_path / "vacancies")]) == 0
    capsys.readouterr()
    assert (tmp_path / "fmt" / "aston-house.yaml").read_bytes() == src.encode()
    raw = (tmp_path / "vacancies" / "aston-house.yaml").read_bytes()
    assert b"\r" not in raw and raw.startswith(b"# Aston House\n# Created from the CQC register")
    assert main(["fmt", "--check", str(tmp_path / "fmt"), str(tmp_path / "vacancies")]) == 0


def test_vacancies_refuses_to_date_a_count_not_given_as_checked_today(tmp_path):
    """From a provider's review: `vacancies waverley-house --nursing 5` wrote today's date beside a residential count of
    3 from a month before, which then read as checked today. The form refuses this; so does the command now."""
    f = tmp_path / "example-full.yaml"
    shutil.copy(FIXTURES / "profiles" / "example-full.yaml", f)
    before = f.read_bytes()
    problems, dropped = set_vacancies(f, {"nursing": 5}, dt.date(2026, 11, 23), display="example-full.yaml")
    assert [str(p) for p in problems] == [
        "example-full.yaml:1: --residential: not given, but the profile still says 0 (confirmed 2026-11-20), and today's "
        "date would show that as checked today; give --residential with the number free now (--residential 0 if there "
        "are still none)"]
    assert f.read_bytes() == before and dropped == []
    problems, _ = set_vacancies(f, {"nursing": 5, "residential": 0}, dt.date(2026, 11, 23), display="example-full.yaml")
    assert problems == [] and "available: 5" in f.read_text(encoding="utf-8")


def test_vacancies_on_a_home_care_agency_points_to_its_own_sheet_not_to_changing_its_kind(tmp_path):
    """From a provider's review: `vacancies caremark-oldham --unchanged` said beds.confirmed "is a field of a care home,
    which this profile is not; add it to the profile's kinds", at a line the file never had: a manager might make
    the agency a care home. It says what the agency is and where its availability is updated."""
    prov = tmp_path / "providers"
    prov.mkdir()
    shutil.copy(ROOT / "areas" / "oldham" / "providers" / "caremark-oldham.yaml", prov)
    before = (prov / "caremark-oldham.yaml").read_bytes()
    r = run_build("vacancies", "caremark-oldham", "--unchanged", "--providers", str(prov))
    assert r.returncode == 1 and (prov / "caremark-oldham.yaml").read_bytes() == before
    assert (r.stdout + r.stderr).splitlines() == [(
        f"{prov / 'caremark-oldham.yaml'}:1: kinds: is a home care agency, not a care home: this command sets a care home's "
        "free beds. Update its availability with its own sheet (vacancies --from-csv FILE, see "
        "docs/imports-sheets-and-map.md) or the update form on its page"), f"{prov / 'caremark-oldham.yaml'} was not changed."]


@pytest.mark.parametrize("typed", ["two", "3.0", "£3", "-1"])
def test_vacancies_names_a_number_not_in_figures_in_plain_words(tmp_path, typed):
    """argparse said "argument --residential: invalid int value: 'two'" after a usage block."""
    r = run_build("vacancies", "aston-house", "--residential", typed, "--providers", str(tmp_path))
    assert r.returncode == 2 and r.stderr.splitlines()[-1] == (
        f"build.py vacancies: error: argument --residential: '{typed}' is not a number of free beds; give it in figures, "
        "such as 3 (0 if none)")


def test_vacancies_says_a_count_too_large_for_the_schema_in_its_words(tmp_path):
    """`vacancies --nursing 99999999` said "is not a number" (the reader took at most six digits): a number in figures
    too large for any home is now read, and the check names the schema's highest allowed value."""
    prov = tmp_path / "providers"
    prov.mkdir()
    shutil.copy(ROOT / "providers" / "ashfield-house-leominister.yaml", prov)
    before = (prov / "ashfield-house-leominister.yaml").read_bytes()
    r = run_build("vacancies", "ashfield-house-leominister", "--nursing", "99999999", "--providers", str(prov))
    assert r.returncode == 1 and (prov / "ashfield-house-leominister.yaml").read_bytes() == before
    assert (r.stdout + r.stderr).splitlines()[0].endswith(
        ":30: beds.nursing.available: is 99999999, above the highest allowed value 1000")
    r = run_build("vacancies", "ashfield-house-leominister", "--nursing", "\uff12", "--providers", str(prov))  # full-width 2
    assert r.returncode == 0 and "available: 2" in (prov / "ashfield-house-leominister.yaml").read_text(encoding="utf-8")
    (prov / "ashfield-house-leominister.yaml").write_bytes(before)
    r = run_build("vacancies", "ashfield-house-leominister", "--nursing", "9" * 5000, "--providers", str(prov))
    assert r.returncode == 2 and r.stderr.splitlines()[-1] == (
        "build.py vacancies: error: argument --nursing: '99999999999999999999...' is 5000 digits long, more free beds "
        "than any service has; give the number free now, such as 3 (0 if none)")


def test_vacancies_for_a_slug_spelt_nearly_offers_the_page():
    """From a provider's review: the forms offer the page meant; `vacancies waverly-house` did not."""
    r = run_build("vacancies", "waverly-house", "--residential", "1")
    assert r.returncode == 2 and r.stderr.splitlines() == [
        f"{ROOT / 'providers' / 'waverly-house.yaml'}: no such profile (did you mean waverley-house, the page of Waverley "
        "House?); give the page name, as the page's address has it after homes/ (the file name without .yaml)"]


def test_vacancies_takes_a_home_by_its_name_or_cqc_location_id_as_the_forms_do(tmp_path):
    """From the provider review: a steward on the phone typed `vacancies "Aston House"` and was told it "is not a valid
    page name"; `vacancies 1-10048660596` said "no such profile". Both name one home, as the forms and sheets take them."""
    prov = tmp_path / "providers"
    prov.mkdir()
    for slug in ("aston-house", "blackwells"):
        shutil.copy(ROOT / "providers" / f"{slug}.yaml", prov)
    for named, free in (("Aston House", "1"), ("1-10048660596", "2"), ("aston house", "3")):
        r = run_build("vacancies", named, "--residential", free, "--providers", str(prov))
        assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
        assert yaml.safe_load((prov / "aston-house.yaml").read_text())["beds"]["residential"]["available"] == int(free)
    r = run_build("vacancies", "Aston Hous", "--residential", "1", "--providers", str(prov))
    assert r.returncode == 2 and r.stderr.strip() == ("'Aston Hous': no home has that page name, CQC location ID or name "
                                                      "(did you mean aston-house, the page of Aston House?); check the spelling, or give its page name or CQC "
                                                      "location ID")
    r = run_build("vacancies", "../../etc/passwd", "--residential", "1", "--providers", str(prov))
    assert r.returncode == 2 and "is not a valid page name" in r.stderr and "Traceback" not in r.stderr


def test_fmt_never_turns_an_escaped_invisible_character_into_the_character_itself(tmp_path):
    """The steward review: description: "bidi \\u202e rtl" (which check refuses) was rewritten by fmt with the right-to-left
    override itself in the file, which nobody sees in the file or its diff. fmt now leaves the file as it was and says
    why; a control character (\\0), which ruamel.yaml writes escaped, is formatted as before."""
    f = tmp_path / "aston-house.yaml"
    shutil.copy(ROOT / "providers" / "aston-house.yaml", f)
    before = f.read_text(encoding="utf-8") + 'description: "bidi \\u202E rtl"\n'
    f.write_text(before, encoding="utf-8")
    r = run_build("fmt", str(f))
    line = before.count("\n")
    assert r.returncode == 1 and f.read_text(encoding="utf-8") == before
    assert f"aston-house.yaml:{line}: description: holds the invisible character U+202E RIGHT-TO-LEFT OVERRIDE, written as " \
           "\\u202E; fmt would write the character itself, which nobody can see in the file or in a diff; retype the text " \
           "without it (check refuses it too), then run fmt again" in r.stdout
    # the same character already in the file as itself (a comment's, another value's): the escape is still not undone
    held = "# copied from the website\u202e\n" + before
    f.write_text(held, encoding="utf-8")
    r = run_build("fmt", str(f))
    assert r.returncode == 1 and f.read_text(encoding="utf-8") == held and "written as \\u202E" in r.stdout
    # named by its field and line as check names it, not by a comment's escape, and YAML's one-letter escapes too
    abbey = (ROOT / "areas" / "oldham" / "providers" / "abbey-hey-care-home.yaml").read_text(encoding="utf-8")
    lines = abbey.split("\n")
    name_at = next(i for i, x in enumerate(lines) if x.startswith("name: ")) + 1
    street_at = next(i for i, x in enumerate(lines) if x.startswith("  street: ")) + 1
    f.write_text("\n".join('name: "Abbey\\LHey"' if i == name_at - 1 else x for i, x in enumerate(lines)), encoding="utf-8")
    r = run_build("fmt", str(f))
    assert r.returncode == 1 and f"aston-house.yaml:{name_at}: name: holds the invisible character U+2028 LINE SEPARATOR, " \
        "written as \\L;" in r.stdout
    street = "\n".join('  street: "Delamere\\u200bStreet"' if i == street_at - 1 else x for i, x in enumerate(lines))
    f.write_text("# see \\u200b notes\n" + street, encoding="utf-8")
    r = run_build("fmt", str(f))
    assert r.returncode == 1 and f"aston-house.yaml:{street_at + 1}: address.street: holds the invisible character U+200B " \
        "ZERO WIDTH SPACE, written as \\u200b;" in r.stdout
    f.write_text(before.replace("\\u202E", "\\0"), encoding="utf-8")
    assert run_build("fmt", str(f)).returncode == 0 and "\\0" in f.read_text(encoding="utf-8")
