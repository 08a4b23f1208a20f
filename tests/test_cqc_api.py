"""import-cqc --api end to end, against a local stub serving the real saved Oldham API responses."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import time

import pytest
import yaml
from conftest import run_build
from cqc_stub import KEY, OLDHAM, CQCStub

REGISTERED = 104  # registered Oldham care homes (44, 2 also agencies) and agencies only (60) in the saved responses
LISTED = 219  # care homes (87) and home care agencies (135) the two lists give for Oldham, registered or not; 3 in both
PROVIDERS_OF_REGISTERED = 94
LISTS = 2  # one list page of each kind: careHome=Y, then gacServiceTypeDescription=Homecare agencies


@pytest.fixture
def stub():
    if not OLDHAM.exists():
        pytest.fail(f"the saved CQC API responses are missing: {OLDHAM}")
    with CQCStub() as s:
        yield s


def sync(stub, tmp_path, *args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("CQC_")}
    base.update(CQC_API_BASE=stub.base, CQC_API_KEY=KEY, CQC_API_BACKOFF="0.01")
    base.update({k: str(v) for k, v in env.items()})
    return run_build("import-cqc", "--api", "--providers", str(tmp_path / "providers"), *args, env=base)


def profiles(tmp_path):
    return {f.name: f.read_text() for f in sorted((tmp_path / "providers").glob("[!_]*.yaml"))}


def load(tmp_path, name):
    return yaml.safe_load((tmp_path / "providers" / name).read_text())


def rated_good(stub) -> str:
    return next(i for i, d in sorted(stub.details.items()) if d.get("careHome") == "Y"
                and d["registrationStatus"] == "Registered"
                and (d.get("currentRatings") or {}).get("overall", {}).get("rating") == "Good"
                and d.get("mainPhoneNumber"))


def test_missing_key_is_a_clear_error(stub, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CQC_")}
    r = run_build("import-cqc", "--api", "--local-authority", "Oldham", "--providers", str(tmp_path / "p"), env=env)
    assert r.returncode == 1
    assert r.stderr.strip() == ("import-cqc --api: no API key: set the environment variable CQC_API_KEY to your CQC "
                                "API subscription key (get one free at https://api-portal.service.cqc.org.uk/)")
    assert "Traceback" not in r.stderr and stub.log == []


def test_refused_key(stub, tmp_path):
    r = sync(stub, tmp_path, "--local-authority", "Oldham", CQC_API_KEY="wrong")
    assert r.returncode == 1
    assert r.stderr.startswith("import-cqc --api: the list of care homes in Oldham (GET /locations), page 1: "
                               "the API refused the key (HTTP 401); check CQC_API_KEY\n")


@pytest.mark.slow  # builds a site
def test_full_sync_then_incremental(stub, tmp_path):
    r = sync(stub, tmp_path, "--local-authority", "Oldham")
    assert r.returncode == 0, r.stderr
    assert stub.log[0].startswith("/public/v1/locations?localAuthority=Oldham&careHome=Y&page=1&perPage=1000")
    # one list page of each kind, every listed location, the provider of every registered one
    assert len(stub.log) == LISTS + LISTED + PROVIDERS_OF_REGISTERED
    assert f"full sync: {LISTED} locations listed, {LISTED} locations and 8 providers fetched, " \
           f"{LISTS + LISTED + PROVIDERS_OF_REGISTERED} requests" in r.stdout
    first = profiles(tmp_path)
    assert len(first) == REGISTERED and f"{REGISTERED} new profiles created" in r.stdout
    assert f"locations: {LISTED}/{LISTED}" in r.stderr  # progress, one line at a time off a terminal
    # the facts, as the saved response gives them
    lid = rated_good(stub)
    doc = stub.details[lid]
    name = next(n for n, t in first.items() if f"location_id: {lid}\n" in t)
    p = load(tmp_path, name)
    assert p["cqc"]["rating"] == "Good"
    assert p["cqc"]["rating_date"] == dt.date.fromisoformat(doc["currentRatings"]["overall"]["reportDate"])
    kq = {q["name"]: q["rating"] for q in doc["currentRatings"]["overall"]["keyQuestionRatings"]}
    assert p["cqc"]["rating_safe"] == kq["Safe"] and p["cqc"]["rating_well_led"] == kq["Well-led"]
    # each key question's rating with the date of the report that gave it, as CQC gives it (CQC rates each question at
    # its own inspection: Park Hills' Effective and Caring are of 11 August 2018, its overall rating of 26 August 2022)
    older = set()
    for each in first:
        synced = load(tmp_path, each)
        overall = (stub.details[synced["location_id"]].get("currentRatings") or {}).get("overall") or {}
        for q in overall.get("keyQuestionRatings") or []:
            key = q["name"].lower().replace("-", "_")
            assert synced["cqc"][f"rating_{key}_date"] == dt.date.fromisoformat(q["reportDate"]), (each, key)
            if q["reportDate"] != overall["reportDate"]:
                older.add(each)
    assert "park-hills-private-nursing-home.yaml" in older and len(older) >= 10
    assert p["cqc"]["phone"].replace(" ", "") == doc["mainPhoneNumber"]
    assert "contact" not in p  # the regulator's phone is not passed off as the home's own
    assert p["cqc"]["registered_manager"] is True and p["cqc"]["status"] == "Registered"
    assert p["cqc"]["imported"] == dt.datetime.now(dt.UTC).date()
    # homes CQC registered but has not inspected say so; deregistered homes we never had are not created
    shaw = load(tmp_path, "shaw-house-care-home.yaml")
    assert shaw["cqc"]["rating"] == "Not yet rated" and "rating_safe" not in shaw["cqc"]
    assert not any("registrationStatus: Deregistered" in t for t in first.values())
    state = json.loads((tmp_path / "cqc-sync.json").read_text())
    assert state["local_authority"] == "Oldham" and len(state["locations"]) == LISTED
    assert not (tmp_path / ".cqc-sync-cache").exists()
    check = run_build("check", str(tmp_path / "providers"))
    assert check.returncode == 0, check.stdout + check.stderr
    # real data: CQC's postcode for Boston House (OL8 1XR) is not live in Code-Point Open (October 2025)
    assert "boston-house.yaml:14: warning: address.postcode: 'OL8 1XR' is not a live postcode" in check.stdout

    rel = run_build("release", "--providers", str(tmp_path / "providers"), "--releases", str(tmp_path / "releases"))
    assert rel.returncode == 0, rel.stderr

    # a steward's comment, then CQC changes one rating and deregisters one home
    target = tmp_path / "providers" / name
    target.write_text(target.read_text().replace("name:", "# checked by the council\nname:", 1))
    gone_id = next(i for i in sorted(stub.details) if i != lid and f"location_id: {i}\n" in "".join(first.values()))
    gone_name = next(n for n, t in first.items() if f"location_id: {gone_id}\n" in t)
    before = profiles(tmp_path)
    stub.log.clear()
    stub.set_rating(lid, "Requires improvement", "2026-11-20")
    stub.deregister(gone_id, "2026-11-25")
    r = sync(stub, tmp_path)  # the area is remembered
    assert r.returncode == 0, r.stderr
    after = profiles(tmp_path)
    assert [n for n in after if after[n] != before[n]] == sorted([name, gone_name])
    # tens of requests, not thousands: the two kinds' lists, changes, the two locations, one provider at most
    assert len(stub.log) <= LISTS + 4 and sum("/changes/location?" in p for p in stub.log) == 1
    assert f"updated: {doc['name']} ({name}): cqc.rating: Good -> Requires improvement; " \
           f"cqc.rating_date: {p['cqc']['rating_date'].isoformat()} -> 2026-11-20" in r.stdout
    assert f"deregistered: {stub.details[gone_id]['name']} ({gone_name})" in r.stdout
    assert f"rating changed: {doc['name']} ({name}): Good -> Requires improvement (published 2026-11-20)" in r.stdout
    assert "incremental sync" in r.stdout
    q = load(tmp_path, name)
    assert "# checked by the council\nname:" in after[name]
    assert q["cqc"]["rating"] == "Requires improvement" and q["cqc"]["previous_rating"] == "Good"
    assert q["cqc"]["previous_rating_date"] == p["cqc"]["rating_date"]
    g = load(tmp_path, gone_name)
    assert g["cqc"]["status"] == "Deregistered" and g["cqc"]["status_date"] == dt.date(2026, 11, 25)
    for cmd in (["check"], ["fmt", "--check"]):  # what the pull request's checks will run
        done = run_build(*cmd, str(tmp_path / "providers"))
        assert done.returncode == 0, done.stdout + done.stderr

    # the changelog and the feed say so
    site = run_build("build", "--providers", str(tmp_path / "providers"), "--out", str(tmp_path / "site"),
                     "--no-search", "--releases", str(tmp_path / "releases"))
    assert site.returncode == 0, site.stderr
    feed = (tmp_path / "site" / "data" / "changes.atom").read_text()
    assert f"{doc['name']}: CQC rating changed from Good to Requires improvement (published 2026-11-20)." in feed
    assert f"{stub.details[gone_id]['name']}: CQC registration status changed from Registered to Deregistered on 2026-11-25." in feed

    # a new home in the area: one more profile, nothing else touched
    stub.log.clear()
    stub.add_location(lid, "1-99999999999", "Stub New House")
    r = sync(stub, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "new: Stub New House (stub-new-house.yaml)" in r.stdout
    assert set(profiles(tmp_path)) - set(after) == {"stub-new-house.yaml"}
    assert all(profiles(tmp_path)[n] == after[n] for n in after)

    # --full asks for everything again and finds nothing more to change
    r = sync(stub, tmp_path, "--full")
    assert r.returncode == 0 and "0 updated" in r.stdout and "full sync" in r.stdout


@pytest.mark.slow  # syncs Oldham's whole register (222 services) from the stub over HTTP
def test_paging_reads_every_page(stub, tmp_path):
    stub.max_per_page = 20
    r = sync(stub, tmp_path, "--local-authority", "Oldham", "--dry-run")
    assert r.returncode == 0, r.stderr
    lists = [p for p in stub.log if p.startswith("/public/v1/locations?")]
    assert len(lists) == 5 + 7  # 87 care homes, then 135 agencies, 20 a page
    assert sum("careHome=Y" in p for p in lists) == 5
    assert sum("gacServiceTypeDescription=Homecare" in p for p in lists) == 7
    assert f"{REGISTERED} new profiles would be created" in r.stdout
    assert not (tmp_path / "providers").exists() or not profiles(tmp_path)
    assert not (tmp_path / "cqc-sync.json").exists()


@pytest.mark.slow  # waits out real retry delays
def test_429_waits_for_retry_after_and_5xx_is_retried(stub, tmp_path):
    lid = rated_good(stub)
    stub.fail(f"/locations/{lid}$", "429", times=1, retry_after="1")  # whole seconds, as HTTP writes it
    stub.fail("/locations\\?", "500", times=2)
    start = time.monotonic()
    r = sync(stub, tmp_path, "--local-authority", "Oldham")
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - start >= 1  # Retry-After, not the backoff of 0.01 s
    # the care homes' list: two 500s, then its answer; then the home care agencies' list, once
    assert stub.count(f"/locations/{lid}$") == 2 and stub.count("/locations\\?") == 4
    assert len(profiles(tmp_path)) == REGISTERED


@pytest.mark.slow  # waits out a real timeout
def test_a_hang_times_out_and_is_retried(stub, tmp_path):
    lid = rated_good(stub)
    stub.fail(f"/locations/{lid}$", "hang", times=1, hang_seconds=5)
    r = sync(stub, tmp_path, "--local-authority", "Oldham", CQC_API_TIMEOUT="0.5")
    assert r.returncode == 0, r.stderr
    assert stub.count(f"/locations/{lid}$") == 2 and len(profiles(tmp_path)) == REGISTERED


@pytest.mark.slow  # syncs Oldham's whole register (222 services) from the stub over HTTP
def test_interrupted_sync_changes_nothing_and_resumes(stub, tmp_path):
    lid = rated_good(stub)
    stub.fail(f"/locations/{lid}$", "500", times=-1)
    r = sync(stub, tmp_path, "--local-authority", "Oldham", CQC_API_RETRIES="1")
    assert r.returncode == 1
    cache = tmp_path / ".cqc-sync-cache"
    saved = len(list(cache.glob("r-*.json")))
    assert r.stderr.splitlines()[-2:] == [
        f"import-cqc --api: location {lid} (GET /locations/{lid}): HTTP 500 (server error), 2 attempts",
        (f"The sync did not finish and no profile was changed. {saved} responses are saved in {cache}: "
         "run the same command again to resume.")]
    assert "Traceback" not in r.stderr
    assert not profiles(tmp_path) and not (tmp_path / "cqc-sync.json").exists()
    stub.faults.clear()
    stub.log.clear()
    r = sync(stub, tmp_path, "--local-authority", "Oldham")
    assert r.returncode == 0, r.stderr
    assert f"{saved} responses already saved" in r.stderr
    assert len(stub.log) == LISTS + LISTED + PROVIDERS_OF_REGISTERED - saved  # only what was missing
    assert len(profiles(tmp_path)) == REGISTERED and not cache.exists()


def test_malformed_json_names_the_location(stub, tmp_path):
    lid = rated_good(stub)
    stub.fail(f"/locations/{lid}$", "malformed", times=-1)
    r = sync(stub, tmp_path, "--local-authority", "Oldham", CQC_API_RETRIES="1")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"import-cqc --api: location {lid} (GET /locations/{lid}): the response is not valid JSON, 2 attempts\n" in r.stderr
    assert not profiles(tmp_path)


@pytest.mark.slow  # syncs Oldham's whole register (222 services) from the stub over HTTP
def test_unexpected_fields_name_the_location_and_field(stub, tmp_path):
    lid = rated_good(stub)
    other = next(i for i, d in sorted(stub.details.items()) if d.get("careHome") == "Y" and i != lid
                 and d["registrationStatus"] == "Registered" and d.get("currentRatings"))
    stub.details[lid]["reports"] = "see website"
    stub.details[other]["currentRatings"]["overall"]["rating"] = "Superb"
    r = sync(stub, tmp_path, "--local-authority", "Oldham")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    lines = lines[lines.index("import-cqc --api: unexpected responses:"):]
    assert sorted(lines[1:3]) == sorted([f"  location {lid}: field 'reports' is a text, expected a list",
                                         f"  location {other}: currentRatings.overall.rating: unknown CQC rating 'Superb'"])
    assert not profiles(tmp_path)


def test_a_file_and_api_together_are_refused(tmp_path):
    r = run_build("import-cqc", "x.csv", "--api")
    assert r.returncode == 2
    assert r.stderr.strip() == "import-cqc --api reads the live CQC API: give no FILE and no --as-of"


@pytest.mark.slow  # a real build.py process, interrupted
def test_ctrl_c_changes_nothing_and_the_next_run_resumes(stub, tmp_path):
    import signal
    import subprocess
    import sys

    from conftest import ROOT
    lid = rated_good(stub)
    stub.fail(f"/locations/{lid}$", "hang", times=1, hang_seconds=20)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CQC_")}
    env.update(CQC_API_BASE=stub.base, CQC_API_KEY=KEY, CQC_API_TIMEOUT="2", CQC_API_CONCURRENCY="1")
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "import-cqc", "--api", "--local-authority", "Oldham",
                             "--providers", str(tmp_path / "providers")], env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not stub.count(f"/locations/{lid}$") and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "Traceback" not in err
    assert "import-cqc --api: interrupted\nThe sync did not finish and no profile was changed." in err
    assert not (tmp_path / "providers").exists() or not profiles(tmp_path)
    before = len(stub.log)
    r = sync(stub, tmp_path)  # no successful sync yet, so no area remembered
    assert r.returncode == 1 and "--local-authority" in r.stderr
    r = sync(stub, tmp_path, "--local-authority", "Oldham")
    assert r.returncode == 0, r.stderr
    assert re.search(r"Resuming the sync started \S+: (1 response|[02-9]\d* responses|1\d+ responses) already saved", r.stderr)
    assert len(stub.log) - before < LISTS + LISTED + PROVIDERS_OF_REGISTERED
    assert len(profiles(tmp_path)) == REGISTERED


def test_unknown_area_is_named(stub, tmp_path):
    r = sync(stub, tmp_path, "--local-authority", "Herefordshire")
    assert r.returncode == 1
    assert r.stderr.startswith("import-cqc --api: the CQC API lists no care homes or home care agencies for local "
                               "authority 'Herefordshire'; "
                               "write the name as CQC does, e.g. 'Herefordshire, County of' or 'Oldham'\n")


def test_a_retry_after_longer_than_allowed_stops_with_a_clear_error(stub, tmp_path):
    stub.fail("/locations\\?", "429", times=1, retry_after="9999")
    r = sync(stub, tmp_path, "--local-authority", "Oldham", CQC_API_MAX_WAIT="60")
    assert r.returncode == 1
    assert r.stderr.startswith("import-cqc --api: the list of care homes in Oldham (GET /locations), page 1: the API asks "
                               "us to wait 9999 s (HTTP 429), longer than CQC_API_MAX_WAIT=60\n")


def test_retry_after_forms_settings_and_progress():
    import email.utils
    import io

    from carehomes.progress import Progress
    from carehomes.sources.cqc_api import Settings, SyncError, _retry_after
    assert _retry_after("120") == 120 and _retry_after(None) is None and _retry_after("soon") is None
    later = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=90), usegmt=True)
    assert 80 < _retry_after(later) <= 90
    with pytest.raises(SyncError) as err:
        Settings.from_env({"CQC_API_KEY": "k", "CQC_API_TIMEOUT": "ten"})
    assert str(err.value) == "CQC_API_TIMEOUT='ten' is not a number"
    s = Settings.from_env({"CQC_API_KEY": "k", "CQC_API_CONCURRENCY": "99"})
    assert s.base == "https://api.service.cqc.org.uk/public/v1" and s.concurrency == 16
    from carehomes.sources.cqc_api import Cache, Client
    s.partner_code = "P1"
    assert Client(s, Cache.__new__(Cache)).url("/locations", {"page": 1}) == \
        "https://api.service.cqc.org.uk/public/v1/locations?page=1&partnerCode=P1"

    class Tty(io.StringIO):
        def isatty(self):
            return True
    out = Tty()
    p = Progress("locations", 3, out)
    p.last -= 1  # as if a moment had passed
    p.step()
    p.step()
    p.step()
    text = out.getvalue()
    assert text.startswith("\rlocations: 1/3, about ") and text.endswith("\rlocations: 3/3".ljust(61) + "\n")
    log = io.StringIO()
    p = Progress("locations", 3, log, every=60)
    for _ in range(3):
        p.step()
    assert log.getvalue() == "locations: 3/3\n"  # off a terminal: every minute here, and at the end


def test_a_sync_that_confirms_a_home_unchanged_keeps_its_facts_current(tmp_path):
    """A weekly sync leaves unchanged homes' files alone; the state file says when they were last confirmed."""
    import shutil

    from conftest import FIXTURES, TODAY

    from carehomes.load import parse_profile
    from carehomes.sources.cqc_api import checked_dates
    from carehomes.views import HomeView
    prov = tmp_path / "providers"
    prov.mkdir()
    shutil.copy(FIXTURES / "profiles" / "example-full.yaml", prov)
    data = parse_profile((prov / "example-full.yaml").read_text(), "x.yaml")[0].data
    assert HomeView(data, TODAY).register_stale  # imported 2025-08-26: more than 3 months before TODAY
    (tmp_path / "cqc-sync.json").write_text(json.dumps({"last_sync": "2026-11-16T05:23:00Z",
                                                         "locations": [data["location_id"]]}))
    checked = checked_dates([str(prov / "example-full.yaml")])
    assert checked == {data["location_id"]: dt.date(2026, 11, 16)}
    view = HomeView(data, TODAY, checked_on=checked[data["location_id"]])
    assert view.register_date == dt.date(2026, 11, 16) and view.register_stale is None
    (tmp_path / "cqc-sync.json").write_text("{not json")
    assert checked_dates([str(prov / "example-full.yaml")]) == {}


@pytest.mark.slow  # syncs Oldham's whole register (222 services) from the stub over HTTP
def test_changes_feed_answering_404_means_nothing_changed(stub, tmp_path):
    assert sync(stub, tmp_path, "--local-authority", "Oldham").returncode == 0
    before = profiles(tmp_path)
    stub.log.clear()
    stub.fail("/changes/location", "404")
    r = sync(stub, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "incremental sync: 219 locations listed, 0 locations and 0 providers fetched, 3 requests" in r.stdout
    assert profiles(tmp_path) == before and len(stub.log) == 3  # the two lists and the changes


@pytest.mark.slow  # many API syncs
def test_removal_limits_apply_to_the_api_sync_too(stub, tmp_path):
    r = sync(stub, tmp_path, "--local-authority", "Oldham")
    assert r.returncode == 0, r.stderr
    # two registered homes vanish from CQC's list (a partial answer, or homes really gone)
    have = [i for i in stub.order if stub.details[i]["registrationStatus"] == "Registered"
            and stub.details[i].get("careHome") == "Y"][:2]
    stub.order = [i for i in stub.order if i not in have]
    before = profiles(tmp_path)
    r = sync(stub, tmp_path, "--full", "--max-removals", "1", "--max-removal-percent", "0")
    assert r.returncode == 1
    assert (f"\nimport-cqc --api: would flag 2 of {REGISTERED} homes as no longer registered. "
            "Is this a partial file? Nothing was changed; use --allow-mass-removal if it is right\n") in r.stderr
    assert profiles(tmp_path) == before
    bad = sync(stub, tmp_path, "--max-removals", "-1")
    assert bad.returncode == 2 and "--max-removals must be 0 or more" in bad.stderr
    r = sync(stub, tmp_path, "--full")  # within the default limits (5 homes or 10%)
    assert r.returncode == 0, r.stderr
    assert "2 no longer on the register (flagged, not deleted)" in r.stdout


def test_bad_settings_are_refused_before_any_request(stub, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CQC_")}
    env.update(CQC_API_KEY=KEY, CQC_API_BASE="notaurl", CQC_API_RETRIES="0")
    r = run_build("import-cqc", "--api", "--dry-run", "--local-authority", "X", "--providers", str(tmp_path / "p"),
                  env=env)
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == "import-cqc --api: CQC_API_BASE 'notaurl' is not an http(s) address\n"
    r = sync(stub, tmp_path, "--local-authority", "Oldham", CQC_API_RETRIES="-3", CQC_API_TIMEOUT="0",
             CQC_API_BACKOFF="-1", CQC_API_MAX_WAIT="-5", CQC_API_CONCURRENCY="0")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr.splitlines() == [
        "import-cqc --api: CQC_API_TIMEOUT='0' must be more than 0 seconds",
        "import-cqc --api: CQC_API_RETRIES='-3' must be 0 or more",
        "import-cqc --api: CQC_API_BACKOFF='-1' must be 0 or more seconds",
        "import-cqc --api: CQC_API_MAX_WAIT='-5' must be 0 or more seconds",
        "import-cqc --api: CQC_API_CONCURRENCY='0' must be 1 or more"]
    assert stub.log == [] and not (tmp_path / ".cqc-sync-cache").exists()


def test_settings_problems_are_all_collected():
    from carehomes.sources.cqc_api import Settings, SettingsError
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"CQC_API_KEY": "k", "CQC_API_BASE": "ftp://x", "CQC_API_TIMEOUT": "nan",
                           "CQC_API_RETRIES": "abc"})
    assert err.value.problems == ["CQC_API_BASE 'ftp://x' is not an http(s) address",
                                  "CQC_API_TIMEOUT='nan' must be more than 0 seconds",
                                  "CQC_API_RETRIES='abc' is not a number"]
    s = Settings.from_env({"CQC_API_KEY": "k", "CQC_API_BASE": "http://127.0.0.1:9/v1/", "CQC_API_RETRIES": "0",
                           "CQC_API_BACKOFF": "0", "CQC_API_MAX_WAIT": "0"})
    assert (s.base, s.retries, s.backoff, s.max_wait) == ("http://127.0.0.1:9/v1", 0, 0, 0)


@pytest.mark.slow  # syncs Oldham's whole register (222 services) from the stub over HTTP
def test_list_answering_404_is_a_wrong_address_not_a_saved_response(stub, tmp_path):
    stub.fail("/locations\\?", "404", times=-1)
    r = sync(stub, tmp_path, "--local-authority", "Oldham", "--dry-run")
    assert (r.returncode, r.stdout) == (1, "")
    cache = tmp_path / ".cqc-sync-cache"
    url = f"{stub.base}/locations?localAuthority=Oldham&careHome=Y&page=1&perPage=1000"
    assert r.stderr.splitlines() == [
        f"import-cqc --api: the list of care homes in Oldham (GET /locations), page 1: HTTP 404 from {url}; "
        "check CQC_API_BASE",
        f"The sync did not finish and no profile was changed. 0 responses are saved in {cache}: "
        "run the same command again to resume."]
    assert not list(cache.glob("r-*.json")) and stub.count("/locations\\?") == 1
    # one saved response: the grammar is singular
    stub.faults.clear()
    lid = rated_good(stub)
    stub.fail(f"/locations/{lid}$", "500", times=-1)
    r = sync(stub, tmp_path, "--local-authority", "Oldham", "--dry-run", CQC_API_RETRIES="0", CQC_API_CONCURRENCY="1")
    assert r.returncode == 1
    saved = len(list(cache.glob("r-*.json")))
    expected = "1 response is" if saved == 1 else f"{saved} responses are"
    assert r.stderr.splitlines()[-1] == (f"The sync did not finish and no profile was changed. {expected} saved in "
                                         f"{cache}: run the same command again to resume.")
    # a dry run that finishes leaves no cache behind; one that stops keeps it to resume
    assert cache.exists()
    stub.faults.clear()
    r = sync(stub, tmp_path, "--local-authority", "Oldham", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("Resuming the sync started ")
    assert not cache.exists() and not (tmp_path / "cqc-sync.json").exists()


@pytest.mark.parametrize("state, said", [
    ('{"local_authority": ["x"]}', "{state}: local_authority is not what a sync writes; delete the file to run a full sync"),
    ('{"local_authority": "Oldham", "last_sync": "2026-01-01T00:00:00Z", "locations": 5}',
     "{state}: locations is not what a sync writes; delete the file to run a full sync"),
    ('{"locations": [{"a": 1}], "api": 1}', "{state}: api, locations are not what a sync writes; delete the file to run a full sync"),
    (None, "{state} cannot be read (Is a directory); give a sync state file, or delete it to run a full sync"),
])
def test_a_sync_state_file_of_other_values_is_one_message(stub, tmp_path, state, said):
    path = tmp_path / "cqc-sync.json"
    if state is None:
        path.mkdir()
    else:
        path.write_text(state)
    r = sync(stub, tmp_path, "--local-authority", "Oldham", "--state", str(path))
    assert (r.returncode, r.stderr) == (1, f"import-cqc --api: {said.format(state=path)}\n")
    assert not (tmp_path / "providers").exists()


@pytest.mark.slow  # syncs Oldham's whole register (222 services) from the stub twice
def test_a_damaged_or_linked_response_cache_is_started_afresh_and_nothing_written_through_a_link(stub, tmp_path):
    cache = tmp_path / ".cqc-sync-cache"
    cache.mkdir()
    (cache / "run.json").write_text('{"started": "abc"}')
    r = sync(stub, tmp_path, "--local-authority", "Oldham", "--dry-run")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep").write_text("mine")
    assert not cache.exists(), "a finished sync removes its cache"
    cache.symlink_to(other)
    r = sync(stub, tmp_path, "--local-authority", "Oldham", "--dry-run")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert [p.name for p in other.iterdir()] == ["keep"] and not cache.is_symlink()


@pytest.mark.slow  # syncs Oldham's whole register (222 services) from the stub over HTTP
def test_ctrl_c_as_a_sync_puts_its_profiles_in_place_says_they_all_are(stub, tmp_path, monkeypatch, capsys):
    """Ctrl+C once a sync's profiles were being put in place said "The sync did not finish and no profile was changed",
    though every one was written (code review): it says they were, as import-cqc from a file does, and resumes."""
    import signal

    from carehomes import apply
    from carehomes.cli import main

    real = apply.write_texts_atomic

    def press(writes):
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C as the batch starts being written
        return real(writes)

    monkeypatch.setattr(apply, "write_texts_atomic", press)
    for key in [k for k in os.environ if k.startswith("CQC_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("CQC_API_BASE", stub.base)
    monkeypatch.setenv("CQC_API_KEY", KEY)
    monkeypatch.setenv("CQC_API_BACKOFF", "0.01")
    code = main(["import-cqc", "--api", "--local-authority", "Oldham", "--providers", str(tmp_path / "providers")])
    err = capsys.readouterr().err
    assert code == 130 and err.endswith(f"Interrupted. The import had written all {REGISTERED} profiles it changes before "
                                        "it stopped; run it again to see its report (it finds nothing more to change).\n"), err
    assert "no profile was changed" not in err and len(profiles(tmp_path)) == REGISTERED
