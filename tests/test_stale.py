"""stale and the weekly freshness workflow, on copies of real profiles."""
from __future__ import annotations

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
    assert lines[2].startswith("blackwells: confirmed 2026-11-16 (8 days ago); maintainers: no maintainer: phone or email the home; update: ")
    assert len(lines) == 3, "cedar-lodge (7 days) and example-full (4 days) are not stale; example-minimal never gave vacancies"
    r = run_build("stale", "--providers", str(prov), "--on", "2026-11-02")
    assert r.stdout.strip() == "No home's vacancies are more than 7 days old."


def test_stale_markdown_mentions_maintainers_with_one_click_links(tmp_path):
    prov = providers(tmp_path)
    r = run_build("stale", "--providers", str(prov), "--on", "2026-11-24", "--format", "markdown")
    assert r.returncode == 0
    assert ("| Aston House | 2026-11-01 (23 days) | @aston-manager @deputy-manager | [Update vacancies]("
            f"{REPO}/issues/new?template=update-vacancies.yml&home=aston-house&title=Update%20vacancies%3A%20Aston%20House) |") in r.stdout
    assert "| Blackwells | 2026-11-16 (8 days) | no maintainer yet (council to phone) |" in r.stdout
    assert "select **Update vacancies** on its row" in r.stdout


def test_stale_reports_a_broken_profile_and_bad_date(tmp_path):
    prov = providers(tmp_path)
    (prov / "broken.yaml").write_text("name: [oops\n")
    r = run_build("stale", "--providers", str(prov), "--on", "2026-11-24")
    assert r.returncode == 1 and "broken.yaml:2" in r.stderr and "Traceback" not in r.stderr
    r = run_build("stale", "--on", "24/11/2026")
    assert r.returncode == 2 and r.stderr.strip() == "--on 24/11/2026: write the date as YYYY-MM-DD"


def test_freshness_workflow_runs_weekly_and_keeps_one_issue():
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "freshness.yml").read_text())
    on = wf.pop(True)
    assert on["schedule"] == [{"cron": "0 7 * * 1"}] and "workflow_dispatch" in on
    assert wf["permissions"] == {"contents": "read", "issues": "write"}
    steps = wf["jobs"]["stale"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "${{" not in runs
    assert 'python3 build.py stale --format markdown > "$RUNNER_TEMP/stale.md"' in runs
    assert "gh issue list --label" in runs and "gh issue edit" in runs and "gh issue create" in runs
