"""The hardened HTTP client (carehomes.httpclient) and import-cqc's refusal of hostile answers.

Each test runs the import in-process against loopback stubs (tests/cqc_stub.py) that redirect, drip,
send too much, nest too deep or send malformed records: each gives a message naming what was wrong,
no traceback, no key sent elsewhere and nothing written.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml
from cqc_stub import KEY, OLDHAM, CQCStub

from carehomes import cli, httpclient
from carehomes.sources import cqc_api

KEY_HEADER = cqc_api.KEY_HEADER
SMALL = 4  # registered care homes in the small copy of the Oldham responses


def small_copy(folder: Path, n: int = SMALL) -> Path:
    """The first ``n`` registered Oldham care homes, with every provider, as the stub's data."""
    if not OLDHAM.exists():
        pytest.fail(f"the saved CQC API responses are missing: {OLDHAM}")
    (folder / "location_details").mkdir(parents=True)
    shutil.copytree(OLDHAM / "provider_details", folder / "provider_details")
    items = []
    for f in sorted((OLDHAM / "location_details").glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        if doc.get("careHome") == "Y" and doc.get("registrationStatus") == "Registered" and len(items) < n:
            shutil.copy(f, folder / "location_details" / f.name)
            items.append({"locationId": doc["locationId"], "locationName": doc["name"]})
    (folder / "locations.json").write_text(json.dumps({"locations": items}), encoding="utf-8")
    return folder


@pytest.fixture
def small(tmp_path_factory):
    return small_copy(tmp_path_factory.mktemp("small"))


@pytest.fixture
def stub(small):
    with CQCStub(small) as s:
        yield s


def run_api(monkeypatch, capsys, stub, tmp_path, **env) -> tuple[int, str, str]:
    """import-cqc --api in-process against the stub: (exit code, stdout, stderr)."""
    for k in list(os.environ):
        if k.startswith("CQC_"):
            monkeypatch.delenv(k)
    settings = {"CQC_API_BASE": stub.base, "CQC_API_KEY": KEY, "CQC_API_BACKOFF": "0.01", **env}
    for k, v in settings.items():
        monkeypatch.setenv(k, str(v))
    code = cli.main(["import-cqc", "--api", "--local-authority", "Oldham", "--providers", str(tmp_path / "providers")])
    out, err = capsys.readouterr()
    return code, out, err


def written(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "providers").glob("*")) + \
        (["cqc-sync.json"] if (tmp_path / "cqc-sync.json").exists() else [])


def first_line(err: str) -> str:
    return err.splitlines()[0]


def test_a_sync_through_the_client_still_works(monkeypatch, capsys, stub, tmp_path):
    code, out, err = run_api(monkeypatch, capsys, stub, tmp_path)
    assert code == 0, err
    assert f"{SMALL} new profiles created" in out
    assert all(h.get(KEY_HEADER) == KEY for h in stub.headers)


def test_a_redirect_to_another_host_is_refused_and_the_key_not_sent(monkeypatch, capsys, stub, small, tmp_path):
    with CQCStub(small) as elsewhere:
        target = elsewhere.base.replace("127.0.0.1", "localhost") + "/locations?page=1"
        stub.fail("/locations\\?", "redirect", times=-1, location=target)
        code, _, err = run_api(monkeypatch, capsys, stub, tmp_path)
        assert code == 1 and "Traceback" not in err
        assert first_line(err) == (
            f"import-cqc --api: the list of care homes in Oldham (GET /locations), page 1: "
            f"{stub.base}/locations?localAuthority=Oldham&careHome=Y&page=1&perPage=1000: redirects to "
            f"{target}, which is on a host the CQC API is not allowed to redirect to; not followed")
        assert elsewhere.log == [] and written(tmp_path) == []


def test_the_key_goes_only_to_its_own_origin(stub, small):
    """A redirect the policy allows (same host, other port; or an allowed host) is followed without the key."""
    with CQCStub(small) as other:
        policy = httpclient.Policy("the test", secret_origin=httpclient.origin(stub.base),
                                   secret_headers=frozenset({KEY_HEADER}), hosts=frozenset({"localhost"}))
        session = httpclient.Session(policy)
        for target in (other.base + "/locations", other.base.replace("127.0.0.1", "localhost") + "/locations"):
            stub.fail("/start$", "redirect", location=target)
            resp = session.get(stub.base + "/start", {KEY_HEADER: KEY, "Accept": "application/json"})
            assert resp.status == 401 and resp.url == target  # the other server never had the key
        assert [h.get(KEY_HEADER) for h in stub.headers] == [KEY, KEY]
        assert [KEY_HEADER in h for h in other.headers] == [False, False]
        assert all(h.get("Accept") == "application/json" for h in other.headers)


def test_a_redirect_to_plain_http_is_refused(monkeypatch, capsys, stub, tmp_path):
    session = httpclient.Session(cqc_api.Settings(key="k").policy())
    with pytest.raises(httpclient.HttpError) as exc:
        session.check_redirect("https://api.service.cqc.org.uk/public/v1/locations",
                               "http://api.service.cqc.org.uk/public/v1/locations")
    assert str(exc.value) == ("https://api.service.cqc.org.uk/public/v1/locations: redirects to "
                              "http://api.service.cqc.org.uk/public/v1/locations, which is plain http; only https is allowed "
                              "(plain http only to 127.0.0.1 or localhost, for tests); not followed")
    with pytest.raises(httpclient.HttpError, match="which is plain http after https; not followed"):
        session.check_redirect("https://localhost/x", "http://localhost/y")  # not even to a loopback address
    # from the loopback stub to plain http on a real host: refused before any connection
    stub.fail("/locations\\?", "redirect", times=-1, location="http://example.org/steal")
    code, _, err = run_api(monkeypatch, capsys, stub, tmp_path)
    assert code == 1 and "Traceback" not in err
    assert first_line(err).endswith("redirects to http://example.org/steal, which is plain http; only https is "
                                    "allowed (plain http only to 127.0.0.1 or localhost, for tests); not followed")
    assert written(tmp_path) == []


def test_the_api_address_must_be_https():
    with pytest.raises(cqc_api.SettingsError) as err:
        cqc_api.Settings.from_env({"CQC_API_KEY": "k", "CQC_API_BASE": "http://api.service.cqc.org.uk/public/v1"})
    assert err.value.problems == [
        "CQC_API_BASE 'http://api.service.cqc.org.uk/public/v1' is plain http; only https is allowed "
        "(plain http only to 127.0.0.1 or localhost, for tests)"]


# A byte every 0.1 s keeps each read alive (CQC_API_TIMEOUT is 30 s): only the deadlines can end the answer.
# They are short (0.5 s) so the tests wait 1 s, not the 60 s the stub would drip for.
@pytest.mark.slow  # waits out a real deadline
def test_a_dripping_answer_ends_at_the_request_deadline(monkeypatch, capsys, stub, tmp_path):
    stub.fail("/locations\\?", "drip", times=-1, hang_seconds=60, drip_seconds=0.1)
    start = time.monotonic()
    code, _, err = run_api(monkeypatch, capsys, stub, tmp_path, CQC_API_DEADLINE="0.5", CQC_API_RETRIES="1")
    assert 1 <= time.monotonic() - start < 10  # two attempts of 0.5 s each
    assert code == 1 and "Traceback" not in err
    assert first_line(err) == ("import-cqc --api: the list of care homes in Oldham (GET /locations), page 1: "
                               "no complete answer within 0.5 s, 2 attempts")
    assert written(tmp_path) == []


@pytest.mark.slow  # waits out a real deadline
def test_a_dripping_answer_ends_at_the_run_deadline(monkeypatch, capsys, stub, tmp_path):
    stub.fail("/locations\\?", "drip", times=-1, hang_seconds=60, drip_seconds=0.1)
    start = time.monotonic()
    code, _, err = run_api(monkeypatch, capsys, stub, tmp_path, CQC_API_RUN_DEADLINE="0.5", CQC_API_RETRIES="5")
    assert time.monotonic() - start < 5
    assert code == 1 and "Traceback" not in err
    assert first_line(err) == (
        f"import-cqc --api: the list of care homes in Oldham (GET /locations), page 1: "
        f"{stub.base}/locations?localAuthority=Oldham&careHome=Y&page=1&perPage=1000: the run's deadline of 0.5 s "
        "passed during this request")
    assert written(tmp_path) == [] and stub.count("/locations\\?") == 1


def test_a_huge_answer_stops_at_the_byte_limit(monkeypatch, capsys, stub, tmp_path):
    stub.fail("/locations\\?", "huge", times=-1, hang_seconds=60)
    tracemalloc.start()
    try:
        code, _, err = run_api(monkeypatch, capsys, stub, tmp_path, CQC_API_MAX_BYTES=str(2**20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 1 and "Traceback" not in err
    assert first_line(err).endswith(": the response is more than the limit of 1,048,576 bytes; reading stopped there")
    assert peak < 8 * 2**20, peak  # the 1 GB answer was never held
    assert written(tmp_path) == [] and stub.count("/locations\\?") == 1  # not retried


def test_deep_json_is_refused_before_parsing(monkeypatch, capsys, stub, tmp_path):
    stub.fail("/locations\\?", "deep", times=-1)
    code, _, err = run_api(monkeypatch, capsys, stub, tmp_path)
    assert code == 1 and "Traceback" not in err
    assert first_line(err).endswith(": the response nests more than 64 levels deep; not read")
    assert written(tmp_path) == []
    # the same in a folder of saved records
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "deep.json").write_bytes(b'{"locationId": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["import-cqc", str(folder), "--providers", str(tmp_path / "providers")]) == 1
    err = capsys.readouterr().err
    assert f"{folder}/deep.json: is JSON nested more than 64 levels deep, not a location record" in err
    assert "Traceback" not in err and written(tmp_path) == []


def test_too_deep_counts_brackets_outside_strings():
    assert not httpclient.too_deep(b'{"a": [1, {"b": "[[[[[[[["}]}', 3)
    assert httpclient.too_deep(b'{"a": [1, {"b": [[]]}]}', 4)
    assert not httpclient.too_deep(b'{"a": [1, {"b": [[]]}]}', 5)
    assert not httpclient.too_deep(b'"\\"[[[["', 1)
    start = time.monotonic()
    assert httpclient.too_deep(b"[" * 1_000_000 + b"]" * 1_000_000, 64)
    assert time.monotonic() - start < 2


def test_malformed_records_name_the_location_and_field(monkeypatch, capsys, stub, tmp_path):
    a, b, c = sorted(stub.details)[:3]
    stub.details[a]["historicRatings"] = [["Good"]]
    stub.details[a]["postalCode"] = 12  # the hypothesis test found this one: text checks met a number
    stub.details[b]["currentRatings"] = {"overall": {"keyQuestionRatings": [None]}}
    stub.details[b]["specialisms"] = {"name": "Dementia"}
    stub.details[c]["numberOfBeds"] = {"value": 12}
    stub.details[c]["name"] = "Home\x1b[31m"
    code, _, err = run_api(monkeypatch, capsys, stub, tmp_path)
    assert code == 1 and "Traceback" not in err
    lines = err.splitlines()
    assert lines[lines.index("import-cqc --api: unexpected responses:"):][:7] == [
        "import-cqc --api: unexpected responses:",
        f"  location {a}: field 'postalCode' is a number, expected a text",
        f"  location {a}: field 'historicRatings[0]' is a list, expected an object",
        f"  location {b}: field 'specialisms' is an object, expected a list",
        f"  location {b}: field 'currentRatings.overall.keyQuestionRatings[0]' is null, expected an object",
        f"  location {c}: field 'name' holds a control character ('\\x1b')",
        f"  location {c}: field 'numberOfBeds' is an object, expected a whole number 0 or more"]
    assert written(tmp_path) == []


def test_a_location_id_cannot_inject_a_workflow_command(monkeypatch, capsys, stub, tmp_path):
    bad = "1-1\n::error title=pwned::boom"
    doc = dict(stub.details[stub.order[0]], locationId=bad)
    stub.details[bad] = doc
    stub.order.append(bad)
    code, _, err = run_api(monkeypatch, capsys, stub, tmp_path)
    assert code == 1 and "Traceback" not in err
    assert first_line(err) == (f"import-cqc --api: the list of care homes in Oldham, item {SMALL + 1}: unexpected "
                               "response: 'locationId' is '1-1\\n::error title=pwned::boom', not a CQC location ID "
                               "(like 1-123456789)")
    assert not any(line.startswith("::") for line in err.splitlines())
    # the same ID in a saved record of a folder
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "x.json").write_text(json.dumps(doc), encoding="utf-8")
    assert cli.main(["import-cqc", str(folder), "--providers", str(tmp_path / "providers")]) == 1
    err = capsys.readouterr().err
    assert f"{folder}/x.json: record: field 'locationId' is '1-1\\n::error title=pwned::boom', not a CQC ID" in err
    assert not any(line.startswith("::") for line in err.splitlines()) and written(tmp_path) == []


def test_quoted_escapes_control_characters():
    assert httpclient.quoted("a\nb\x1b\u2028c") == "a\\nb\\x1b\\u2028c"
    assert httpclient.quoted("x" * 300, 5) == "xxxxx…"


def test_a_bad_dormancy_names_its_field(monkeypatch, capsys, stub, tmp_path):
    a = sorted(stub.details)[0]
    stub.details[a]["dormancy"] = "Maybe"
    code, _, err = run_api(monkeypatch, capsys, stub, tmp_path)
    assert code == 1 and "Traceback" not in err
    assert (f"  location {a}: field 'dormancy': 'Maybe' is not Y or N; write Y for yes, N or nothing for no"
            in err.splitlines())
    assert written(tmp_path) == []


def test_the_sync_keeps_since_when_a_location_is_dormant(monkeypatch, capsys, stub, tmp_path):
    """The live sync reads CQC's dormancyStartDate as a saved response is read: a dormant home's date is kept
    (cqc.dormant_since), one beside "N" is not, and a dormant home CQC gives no date for has none."""
    a, b, c = sorted(stub.details)[:3]
    stub.details[a].update(dormancy="Y", dormancyStartDate="2024-06-18")
    stub.details[b].update(dormancy="N", dormancyStartDate="2023-01-01")
    stub.details[c].update(dormancy="Y")
    stub.details[c].pop("dormancyStartDate", None)
    code, _, err = run_api(monkeypatch, capsys, stub, tmp_path)
    assert code == 0, err
    held = {p["location_id"]: p["cqc"] for p in (yaml.safe_load(f.read_text(encoding="utf-8"))
                                                 for f in (tmp_path / "providers").glob("*.yaml"))}
    assert [(held[x]["dormant"], held[x].get("dormant_since")) for x in (a, b, c)] == [
        (True, dt.date(2024, 6, 18)), (False, None), (True, None)]
