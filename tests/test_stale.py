"""stale and the weekly freshness workflow, on copies of real profiles."""
from __future__ import annotations

import datetime as dt
import shutil

import yaml

from conftest import FIXTURES, ROOT, run_build

REPO = "https://github.com/example-council/care-homes"


def providers(tmp_path):
    prov = tmp_path / "providers"
    prov.mkdir()
    for slug in ("aston-house", "blackwells", "cedar-lodge"):
        shutil.copy(ROOT / "providers" / f"{slug}.yaml", prov)
    shutil.copy(FIXTURES / "profiles" / "example-full.yaml", prov)  # vacancies confirmed 2026-11-20
    shutil.copy(FIXTURES / "profiles" / "example-minimal.yaml", prov)
    csv = tmp_path / "v.csv"
    csv.write_text("home,nursing_free,residential_free,confirmed\naston-house,,2,2026-11-01\nblackwells,,0,2026-11-16\n"
                   "cedar-lodge,,1,2026-11-17\n")
    assert run_build("vacancies", "--from-csv", str(csv), "--providers", str(prov)).returncode == 0
    aston = prov / "aston-house.yaml"
    aston.write_text(aston.read_text() + "maintainers:\n- aston-manager\n- deputy-manager\n")
    return prov


def test_stale_lists_homes_with_vacancies_older_than_7_days(tmp_path):
    prov = providers(tmp_path)
    r = run_build("stale", "--providers", str(prov), "--on", "2026-11-24")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "2 homes with vacancies more than 7 days old:"
    assert lines[1] == ("aston-house: confirmed 2026-11-01 (23 days ago); maintainers: aston-manager, deputy-manager; update: "
                        f"{REPO}/issues/new?template=update-vacancies.yml&home=aston-house&title=Update%20vacancies%3A%20Aston%20House")
    assert lines[2].startswith("blackwells: confirmed 2026-11-16 (8 days ago); maintainers: none (phone or email the home); update: ")
    assert lines[3:6] == ["2 homes confirmed their vacancies in the last 7 days.", "1 home has never told us its vacancies:",
                         "example-minimal: never confirmed; maintainers: none (phone or email the home); update: "
                         f"{REPO}/issues/new?template=update-vacancies.yml&home=example-minimal&title=Update%20vacancies%3A%20Example%20Minimal%20%28fictional%29"], \
        "cedar-lodge (7 days) and example-full (4 days) are not stale; example-minimal never gave vacancies"
    r = run_build("stale", "--providers", str(prov), "--on", "2026-11-02")
    assert r.stdout.splitlines()[:2] == ["None more than 7 days old: 4 homes confirmed their vacancies in the last 7 days.",
                                         "1 home has never told us its vacancies:"]
    (prov / "example-minimal.yaml").unlink()
    r = run_build("stale", "--providers", str(prov), "--on", "2026-11-02")
    assert r.stdout.splitlines()[0] == "None more than 7 days old: 4 homes confirmed their vacancies in the last 7 days."


def test_stale_counts_an_answer_old_by_the_sites_own_age_as_its_pages_do(tmp_path):
    """A site whose mkdocs.yml says vacancies are out of date after 14 days (staleness.availability) flags them so on
    its pages; stale, and so the weekly issue, asked homes confirmed 8 days ago to confirm again, after the schema's 7."""
    prov = providers(tmp_path)
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\nextra:\n  directory:\n    staleness:\n      availability: 14 days\n")
    r = run_build("stale", "--providers", str(prov), "--on", "2026-11-24", "--config", str(config))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "1 home with vacancies more than 14 days old:" and lines[1].startswith("aston-house: confirmed 2026-11-01")
    assert lines[2] == "3 homes confirmed their vacancies in the last 14 days."  # blackwells (8 days) among them
    title = run_build("stale", "--providers", str(prov), "--on", "2026-11-24", "--config", str(config), "--format", "title")
    assert title.stdout.startswith("Vacancies to confirm: 1 home more than 14 days old")


def test_homes_that_never_gave_vacancies_are_never_up_to_date(tmp_path):
    """The bundled homes come from the CQC register: none has given vacancies, so none is up to date."""
    n = len([f for f in (ROOT / "providers").glob("*.yaml") if not f.name.startswith("_")])
    assert n == 88 and not any("confirmed:" in f.read_text().split("\ncqc:")[0] for f in (ROOT / "providers").glob("[!_]*.yaml"))
    r = run_build("stale", "--on", "2026-11-24")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "88 homes have never told us their vacancies:" and len(lines) == 89 + 89  # and 88 not claimed
    assert lines[1].startswith("ashfield-house-leominister: never confirmed; maintainers: none (phone or email the home); update: ")
    assert "up to date" not in r.stdout and "No home" not in r.stdout
    r = run_build("stale", "--on", "2026-11-24", "--format", "markdown")
    assert r.returncode == 0, r.stderr
    assert "up to date" not in r.stdout and "Every home" not in r.stdout
    assert "## Never given\n\n88 homes have never told us their vacancies, so their pages show them as not known yet.\n\n" in r.stdout
    assert r.stdout.count(" | never | ") == 88 and "more: `python3 build.py stale` lists them all" not in r.stdout


def test_the_weekly_issue_lists_at_most_100_homes_that_never_gave_vacancies(tmp_path):
    from carehomes.stale import Freshness, StaleHome, markdown_report

    never = [StaleHome(f"home-{i:03d}", f"Home {i:03d}", None, None, ()) for i in range(1234)]
    body = markdown_report(Freshness([], never, 1234, []), REPO, dt.date(2026, 11, 24))
    assert "1234 homes have never told us their vacancies" in body and body.count(" | never | ") == 100
    assert body.endswith("\nAnd 1,134 more: `python3 build.py stale` lists them all.\n") and "| Home 099 |" in body and "| Home 100 |" not in body
    assert len(body) < 65_536


def test_stale_and_the_weekly_issue_list_the_homes_nobody_has_claimed(tmp_path):
    prov = providers(tmp_path)  # aston-house and example-full have maintainers
    r = run_build("stale", "--providers", str(prov), "--on", "2026-11-24")
    assert r.stdout.splitlines()[6:] == [
        "3 homes have no maintainer yet, so only the council can update their pages; a home's manager claims it with the "
        "'Claim this home' form:",
        f"blackwells: Blackwells; claim: {REPO}/issues/new?template=claim-home.yml&home=blackwells&title=Claim%3A%20Blackwells",
        f"cedar-lodge: Cedar Lodge; claim: {REPO}/issues/new?template=claim-home.yml&home=cedar-lodge&title=Claim%3A%20Cedar%20Lodge",
        f"example-minimal: Example Minimal (fictional); claim: {REPO}/issues/new?template=claim-home.yml&home=example-minimal"
        "&title=Claim%3A%20Example%20Minimal%20%28fictional%29"]
    r = run_build("stale", "--providers", str(prov), "--on", "2026-11-24", "--format", "markdown")
    assert r.stdout.endswith(
        "\n\n## Not claimed\n\n3 homes have no maintainer yet, so only the council can update their pages: Blackwells, "
        "Cedar Lodge, Example Minimal \\(fictional\\).\n\nIf you manage one of these homes, select **Claim it** on its page "
        "(the \"Claim this home\" form): once someone from the council has phoned the home to check that you manage it, you update the page yourself.\n\n")  # print's own newline
    from carehomes.stale import Freshness, StaleHome, markdown_report

    many = [StaleHome(f"home-{i:03d}", f"Home {i:03d}", None, None, ()) for i in range(150)]
    body = markdown_report(Freshness([], [], 150, [], many), REPO, dt.date(2026, 11, 24))
    assert "150 homes have no maintainer yet" in body and "Home 099 and 50 more (`python3 build.py stale` lists them all)." in body


def test_stale_refuses_a_missing_folder_or_config_in_one_line(tmp_path):
    r = run_build("stale", "--providers", str(tmp_path / "nowhere"))
    assert (r.returncode, r.stdout, r.stderr) == (1, "", f"--providers {tmp_path / 'nowhere'}: no such folder; give the folder of profiles, e.g. providers/\n")
    r = run_build("stale", "--config", str(tmp_path / "none.yml"))
    assert (r.returncode, r.stdout, r.stderr) == (1, "", f"{tmp_path / 'none.yml'}: no such config file; give an existing mkdocs.yml with --config\n")


def test_stale_markdown_mentions_maintainers_with_one_click_links(tmp_path):
    prov = providers(tmp_path)
    r = run_build("stale", "--providers", str(prov), "--on", "2026-11-24", "--format", "markdown")
    assert r.returncode == 0
    assert ("| Aston House | 2026-11-01 (23 days) | @aston-manager @deputy-manager | [Update vacancies]("
            f"{REPO}/issues/new?template=update-vacancies.yml&home=aston-house&title=Update%20vacancies%3A%20Aston%20House) |") in r.stdout
    assert "| Blackwells | 2026-11-16 (8 days) | no maintainer yet (council to phone) |" in r.stdout
    assert ("If you look after one of these homes, select **Update vacancies** on its row, fill in today's answers and "
            "submit the form. It takes a minute, and your home comes off this list.\n") in r.stdout  # the form opens empty
    assert ("\n## Never given\n\n1 home has never told us its vacancies, so its page shows them as not known yet.\n\n"
            "| Home | Vacancies confirmed | Maintainers | Update |\n|---|---|---|---|\n| Example Minimal \\(fictional\\) | never | no maintainer yet (council to phone) | ") in r.stdout
    assert ("\n\n2 homes confirmed their vacancies in the last 7 days.\n\n## Never given") in r.stdout
    assert r.stdout.startswith("The homes below last confirmed their vacancies more than 7 days before 24 November 2026, or "
                               "never have. On their pages, discharge teams see them marked as out of date or not known.\n\n")
    r = run_build("stale", "--providers", str(prov), "--on", "2026-11-02", "--format", "markdown")
    assert "None is more than 7 days old: 4 homes confirmed their vacancies in the last 7 days.\n\n## Never given\n" in r.stdout
    (prov / "example-minimal.yaml").unlink()
    r = run_build("stale", "--providers", str(prov), "--on", "2026-11-02", "--format", "markdown")
    assert r.stdout.startswith("Every one is up to date: 4 homes confirmed their vacancies in the last 7 days.\n"), r.stdout
    assert "below" not in r.stdout and "on its row" not in r.stdout  # no advice about rows when there is no table


def test_stale_reports_a_broken_profile_and_bad_date(tmp_path):
    prov = providers(tmp_path)
    (prov / "broken.yaml").write_text("name: [oops\n")
    r = run_build("stale", "--providers", str(prov), "--on", "2026-11-24")
    assert r.returncode == 1 and "broken.yaml:2" in r.stderr and "Traceback" not in r.stderr
    r = run_build("stale", "--on", "24/11/2026")
    assert r.returncode == 2 and r.stderr.strip() == "--on 24/11/2026: write the date as YYYY-MM-DD"
    r = run_build("stale", "--on", "2026-02-30")  # said 'write the date as YYYY-MM-DD', as it was
    assert r.returncode == 2 and r.stderr.strip() == "--on 2026-02-30: is not a real date; check the day and month (YYYY-MM-DD)"


def test_freshness_workflow_runs_weekly_and_keeps_one_issue():
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "freshness.yml").read_text())
    on = wf.pop(True)
    assert on["schedule"] == [{"cron": "0 7 * * 1"}] and "workflow_dispatch" in on
    assert wf["permissions"] == {} and wf["jobs"]["stale"]["permissions"] == {"contents": "read", "issues": "write"}
    steps = wf["jobs"]["stale"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "${{" not in runs
    assert 'python3 build.py stale --format markdown ${AREA:+--area "$AREA"} > "$RUNNER_TEMP/stale.md"' in runs
    assert 'python3 build.py stale --format title ${AREA:+--area "$AREA"} > "$RUNNER_TEMP/title.txt"' in runs
    assert wf["jobs"]["stale"]["env"] == {"AREA": "${{ inputs.area || vars.AREA }}"}  # the area (docs/areas.md)
    assert 'python3 build.py github issue --label "$label" --title "$(cat "$RUNNER_TEMP/title.txt")"' in runs
    assert 'close=(--close)' in runs  # run end to end in tests/test_workflow_runs.py


def test_the_freshness_issue_title_says_what_its_lists_hold():
    from carehomes.stale import Freshness, StaleHome, issue_title

    old = StaleHome("a", "A", dt.date(2026, 1, 1), 300, ())
    never = StaleHome("b", "B", None, None, ())
    assert issue_title(Freshness([old, old], [never], 3, [])) == "Vacancies to confirm: 2 homes more than 7 days old, 1 never given"
    assert issue_title(Freshness([old], [], 3, [])) == "Vacancies to confirm: 1 home more than 7 days old"
    assert issue_title(Freshness([], [never, never], 2, [])) == "Vacancies to confirm: 2 homes never given"
    assert issue_title(Freshness([], [never], 2, [])) == "Vacancies to confirm: 1 home never given"
    assert issue_title(Freshness([], [], 2, [])) == "Vacancies: every home confirmed them in the last 7 days"
    assert issue_title(Freshness([], [], 0, [])) == "Vacancies: no profile could be read"


def test_stale_prints_the_issue_title(capsys):
    from carehomes.cli import main

    assert main(["stale", "--format", "title", "--on", "2026-11-23"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("Vacancies to confirm: ") and out.endswith(" never given"), out


def test_a_day_still_to_come_or_before_1900_is_refused_by_stale_apply_update_and_import_cqc(tmp_path):
    """--on is the day a list is for, or an update was sent, --as-of the day a register was published: a day after tomorrow, or before 1900 (a year typed with
    two digits), is refused in one line before anything is read or written."""
    today = dt.date.today()
    for command, what in (("stale", "the list is for"), ("apply-update", "the update was sent")):
        extra = ("--body", str(tmp_path / "no-body.md"), "--author", "x") if command == "apply-update" else ()
        r = run_build(command, "--on", "9999-12-31", *extra, cwd=tmp_path)
        assert (r.returncode, r.stderr.strip()) == (2, f"--on 9999-12-31: is after today ({today.isoformat()}); give the "
                                                       f"day {what}, or leave --on out for today"), r.stderr
        r = run_build(command, "--on", "0026-11-23", *extra, cwd=tmp_path)
        assert (r.returncode, r.stderr.strip()) == (2, "--on 0026-11-23: is before 1900; write the year in full (YYYY-MM-DD)")
    r = run_build("import-cqc", "register.csv", "--as-of", "2999-01-01", cwd=tmp_path)
    assert (r.returncode, r.stderr.strip()) == (2, f"--as-of 2999-01-01: is after today ({today.isoformat()}); give the "
                                                   "day the register was published, or leave --as-of out for the newest date in the file")
    tomorrow = (today + dt.timedelta(days=1)).isoformat()  # today somewhere in the world
    assert "after today" not in run_build("stale", "--on", tomorrow, "--providers", str(tmp_path / "none"), cwd=tmp_path).stderr


def test_a_closed_home_is_neither_asked_for_vacancies_nor_offered_a_claim(tmp_path):
    """Real Oldham records: Acorn Lodge, listed and then deregistered by CQC, keeps its page marked closed, which
    takes no vacancies and no claim; the weekly issue lists only Stoneleigh House."""
    from conftest import CLOSED_HOME, listed_then_closed

    listed_then_closed(tmp_path / "providers", tmp_path)
    r = run_build("stale", "--providers", str(tmp_path / "providers"), "--on", "2026-11-24")
    assert r.returncode == 0, r.stderr
    assert CLOSED_HOME not in r.stdout
    title = run_build("stale", "--providers", str(tmp_path / "providers"), "--on", "2026-11-24", "--format", "title")
    assert title.stdout.strip() == "Vacancies to confirm: 1 home never given"


def test_stale_warns_of_a_staleness_setting_it_cannot_read_and_says_which_age_it_uses(tmp_path):
    prov = providers(tmp_path)
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\nextra:\n  directory:\n    staleness:\n      availability: a fortnight\n")
    r = run_build("stale", "--providers", str(prov), "--on", "2026-11-24", "--config", str(config))
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert r.stderr.splitlines() == [
        f"warning: {config}: extra.directory.staleness.availability must be a number of days, months or years, like "
        "availability: 6 months; this list counts availability as out of date after 7 days until it is"]
    assert r.stdout.splitlines()[0] == "2 homes with vacancies more than 7 days old:"


def test_a_service_cqc_records_as_dormant_is_not_asked_for_its_availability(tmp_path):
    """The weekly freshness issue asked Oldham's nine dormant services (registered, providing no care at the moment)
    to confirm their availability every week, though their pages say they give no care now and the find page never
    finds them as taking new clients. They are named once, as not asked."""
    import shutil

    from carehomes.stale import markdown_report, stale_homes, text_report

    folder = tmp_path / "p"
    shutil.copytree(ROOT / "areas" / "oldham" / "providers", folder)
    found = stale_homes(folder, dt.date(2026, 12, 6))
    listed = {h.name for h in found.stale + found.never}
    assert len(found.dormant) == 9 and "Bluebird Care Oldham" in found.dormant and not listed & set(found.dormant)
    assert "Park Hills Private Nursing Home" in listed  # an ordinary one still is
    line = ("Not asked: 9 services CQC records as dormant (registered, providing no care at the moment): 54 Taylor Street, "
            "Blossom Care and Support Ltd, Bluebird Care Oldham,")
    assert text_report(found, "o/r").splitlines()[-1].startswith(line)
    assert line in markdown_report(found, "o/r", dt.date(2026, 12, 6))
    (folder / "bluebird-care-oldham.yaml").write_text((folder / "bluebird-care-oldham.yaml").read_text(encoding="utf-8")
                                                       .replace("dormant: true", "dormant: false"), encoding="utf-8")
    again = stale_homes(folder, dt.date(2026, 12, 6))
    assert "Bluebird Care Oldham" not in again.dormant and "Bluebird Care Oldham" in {h.name for h in again.never}
