"""A hospital discharge coordinator's searches on the real Oldham area in Chromium (tests/test_discharge_review.py
says what the review found): a nursing bed with weekend admission near OL8, and care at home near OL8."""
from __future__ import annotations

import threading

import pytest
from conftest import run_build
from playwright.sync_api import expect
import test_browser
from test_browser import wait_results

from carehomes.localserver import site_server

browser = test_browser.browser  # Debian's Chromium, once for the module

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def oldham(tmp_path_factory):
    """areas/oldham/ built with `build --area oldham` (mkdocs, indexed) and served on 127.0.0.1, once."""
    work = tmp_path_factory.mktemp("oldham-discharge")
    done = run_build("build", "--area", "oldham", "--engine", "mkdocs", "--out", str(work / "site"),
                     "--releases", str(work / "no-releases"))
    assert done.returncode == 0, done.stderr
    server = site_server(work / "site")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_a_nursing_bed_with_weekend_admission_near_ol8_counts_only_the_care_homes(oldham, browser):
    """"With nursing" is CQC's word on each of the 44 care homes and no fact a home care agency gives: it said "44 of
    104 services have told us", and a search for it with weekend admissions began "Only 44 of 104 services have told
    us whether it offers this type of care: With nursing.", though every care home's is known."""
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    pg.goto(oldham + "find/?q=OL8+1AA&care=Nursing&weekend=yes")
    wait_results(pg)
    expect(pg.locator("#care-nursing-known")).to_have_text(" (44 of 44 services have told us)")
    expect(pg.locator("#weekend-known")).to_have_text(" (0 of 44 services have told us)")
    # Park Hills is a care home with nursing and a home care agency: its distance is its office's too
    expect(pg.locator("#results-status")).to_have_text(
        "No service has told us yet whether it accepts people from hospital at weekends. 8 services match every other "
        "filter, nearest first. Not confirmed: ring each service to check. Distances are measured in a straight line "
        "from OL8 1AA. No home care agency listed here has given the area it covers yet, so agencies are listed by the "
        "distance to their office, not to the area they visit.")
    pg.close()


def test_care_at_home_near_ol8_not_confirmed_still_says_nearest_first_and_by_the_office(oldham, browser):
    """No agency has said whether it gives personal care, so the search lists those matching the rest as not confirmed:
    its count said only that, not that they were in distance order, from where, nor that an agency's distance is to
    its office, not to where it visits (all of which the same search with every filter confirmed says)."""
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    pg.goto(oldham + "find/?q=OL8+1AA+personal+care+dementia&kind=home_care_agency")
    wait_results(pg)
    expect(pg.locator("#results-status")).to_have_text(
        "No service has told us yet whether it gives this care: Personal care. 52 services match every other filter, "
        "nearest first. Not confirmed: ring each service to check. Distances are measured in a straight line from OL8 1AA. "
        "No home care agency listed here has given the area it covers yet, so agencies are listed by the distance to "
        "their office, not to the area they visit.")
    first = pg.locator("#results > li").first.inner_text()
    assert "office 0.2 miles away" in first and "Ring 0161 726 5908 (the number CQC holds)" in first, first
    pg.close()
