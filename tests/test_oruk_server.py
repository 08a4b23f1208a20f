"""serve-api: the queryable Open Referral UK API (carehomes/oruk_server.py), in-process, no network.

The app serves the bundled homes' published records (data/oruk-services.json written here as the build
writes it) and the site's postcode lookup for HR; the ORUK validator's endpoint checks are replayed
against it, and schemathesis runs against it with the query parameters on."""
from __future__ import annotations

import datetime as dt
import asyncio
import json
import os
import shutil
import threading
import warnings

import pytest
import schemathesis
from conftest import ROOT
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from test_oruk import UK, V, registry
from test_oruk_schemathesis import _inline

from carehomes.cli import main
from carehomes.oruk_server import DataMissing, create_app
from carehomes.outputs.oruk_api import STATIC_NOTE, root_document
from carehomes.outputs.oruk_openapi import OPENAPI_FILE, corrected, dumps
from carehomes.pipeline import check_paths
from carehomes.publish import data_files
from carehomes.outputs.postcode_lookup import write_lookup

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

UPSTREAM_OPENAPI = UK / "openapi.json"
# one xdist worker runs the module, so its module-scoped site (the bundled homes checked, the API's data and the
# postcode lookup written) is made once a run, not on each worker
pytestmark = pytest.mark.xdist_group("oruk-server")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = tmp_path_factory.mktemp("api") / "site"
    (site / "data").mkdir(parents=True)
    checked = check_paths([ROOT / "providers"])
    (site / "data" / "oruk-services.json").write_bytes(data_files(checked.profiles)["oruk-services.json"])
    write_lookup(site, ["HR"])
    return site


@pytest.fixture(scope="module")
def client(site):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TestClient(create_app(site))


@pytest.fixture(scope="module")
def services(site):
    return json.loads((site / "data" / "oruk-services.json").read_text(encoding="utf-8"))


def get(client, url: str, status: int = 200):
    r = client.get(url)
    assert r.status_code == status, (url, r.text)
    assert r.headers["content-type"] == "application/json" and r.headers["access-control-allow-origin"] == "*", url
    return r.json()


def test_unknown_taxonomy_term_is_an_empty_page(client):
    assert get(client, "/services?taxonomy_term_id=nonexistent") == {
        "total_items": 0, "total_pages": 1, "page_number": 1, "size": 0, "first_page": True, "last_page": True,
        "empty": True, "contents": []}
    assert get(client, "/service_at_locations?taxonomy_id=nonexistent")["contents"] == []


def test_page_two_of_five_holds_items_six_to_ten(client, services):
    body = get(client, "/services?page=2&per_page=5")
    assert [s["id"] for s in body["contents"]] == [s["id"] for s in services[5:10]]
    assert {k: v for k, v in body.items() if k != "contents"} == {
        "total_items": 88, "total_pages": 18, "page_number": 2, "size": 5, "first_page": False, "last_page": False, "empty": False}
    last = get(client, "/services?page=18&per_page=5")
    assert last["size"] == 3 and last["last_page"] and [s["id"] for s in last["contents"]] == [s["id"] for s in services[85:]]
    beyond = get(client, "/services?page=19&per_page=5")
    assert beyond["contents"] == [] and beyond["total_items"] == 88 and beyond["empty"]
    assert get(client, "/services")["size"] == 50  # the default page size


@pytest.mark.parametrize(("query", "message"), [
    ("page=0", "page='0': give a whole number from 1 to 100000"),
    ("page=two", "page='two': give a whole number from 1 to 100000"),
    ("per_page=101", "per_page='101': give a whole number from 1 to 100"),
    ("per_page=-1", "per_page='-1': give a whole number from 1 to 100"),
    ("page=1&page=2", "page is given more than once; give it once"),
    ("perpage=5", "unknown query parameter 'perpage'; /services accepts: page, per_page, search, taxonomy_term_id, "
                  "taxonomy_id, postcode, proximity, modified_after, minimum_age, maximum_age, start_time, end_time, day"),
    ("search=" + "a" * 201, "search is 201 characters long; give at most 200"),
    ("proximity=5000", "proximity needs a postcode: give postcode=... as well, e.g. postcode=HR1 2AB&proximity=5000"),
    ("postcode=HR1 2AB&proximity=0", "proximity='0': give a number from 1 to 1e+06 metres"),
    ("postcode=nowhere", "postcode='nowhere': is not a UK postcode; give one such as HR1 2AB (or a district such as HR1)"),
    ("postcode=ZZ1 1ZZ", "postcode='ZZ1 1ZZ': is not a postcode this directory knows the position of (it publishes the "
                         "areas in postcodes/areas.json); check it, or give a nearby one"),
    ("modified_after=yesterday", "modified_after='yesterday': give a date and time as YYYY-MM-DDTHH:MM:SSZ, e.g. 2025-01-31T00:00:00Z"),
    ("start_time=9am", "start_time='9am': give a time as HH:MM:SS, e.g. 09:30:00"),
    ("day=Monday", "day='Monday': give one of MO, TU, WE, TH, FR, SA, SU"),
])
def test_invalid_parameter_is_400_saying_what_to_send(client, query, message):
    assert get(client, f"/services?{query}", 400) == {"error": message}


def test_other_addresses_and_methods_answer_json_with_cors(client, services):
    assert get(client, "/taxonomies?search=x", 400) == {"error": "unknown query parameter 'search'; /taxonomies accepts: page, per_page"}
    assert get(client, "/services/nope", 404) == {"error": "no service has the id 'nope'; list them at /services"}
    assert get(client, "/taxonomies/nope", 404) == {"error": "no taxonomy has the id 'nope'; list them at /taxonomies"}
    assert get(client, "/nothing-here", 404)["error"].startswith("no such address")
    # a closing slash is the static copy's own form of each address: the same answer, never a redirect to wherever the
    # Host header says (it was a 404: a client written against the static copy broke here, the open data review)
    r = client.get("/services/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert (r.status_code, "location" in r.headers) == (200, False) and r.json() == get(client, "/services")
    first = services[0]["id"]
    assert get(client, f"/services/{first}/") == get(client, f"/services/{first}")
    assert get(client, "/services//", 404)["error"].startswith("no such address")
    r = client.post("/services")
    assert (r.status_code, r.json(), r.headers["access-control-allow-origin"]) == (405, {"error": "this API is read-only: use GET"}, "*")
    pre = client.options("/services", headers={"Origin": "https://aggregator.example", "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == "*"
    assert "GET" in pre.headers["access-control-allow-methods"]
    assert get(client, "/")["openapi_url"] == "http://testserver/openapi.json"
    served = get(client, "/openapi.json")
    assert served.pop("servers") == [{"url": "http://testserver"}]  # its own address: a tool driven by it calls this API
    assert served == json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    one = services[3]
    assert get(client, f"/services/{one['id']}") == one


def test_a_404_names_the_public_address_given_with_api_url_not_the_host_header(site):
    """With --api-url the root document gave the public address, but a 404 named the address the request's Host header
    said (behind a proxy, the internal one; or any name a client sends)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        public = TestClient(create_app(site, "https://oruk.example.gov.uk/api/"))
    r = public.get("/nothing-here", headers={"Host": "internal-box:8001"})
    assert (r.status_code, r.json()) == (404, {"error": "no such address; the API's addresses are listed at "
                                                        "https://oruk.example.gov.uk/api/openapi.json"})
    assert public.get("/", headers={"Host": "internal-box:8001"}).json()["openapi_url"] == "https://oruk.example.gov.uk/api/openapi.json"


def test_documents_that_take_no_parameters_ignore_a_query(client, services):
    """The root, the description and single records answer as the static copy does whatever query a client or proxy
    adds (a cache buster, a key); only the lists, where a misspelt filter would give unfiltered data, refuse one."""
    assert get(client, "/?_=1700000000&key=abc&key=def")["openapi_url"] == "http://testserver/openapi.json"
    assert get(client, "/openapi.json?format=json") == get(client, "/openapi.json")
    assert get(client, f"/services/{services[3]['id']}?page=1") == services[3]
    assert get(client, "/services?_=1", 400)["error"].startswith("unknown query parameter '_'; /services accepts: page, ")


def test_a_query_that_is_not_utf8_is_answered_not_a_500(site):
    """h11 refuses such a request line, but httptools (uvicorn[standard]) and other servers pass the bytes on:
    the search finds nothing and an unknown name is refused, as for any other text (starlette's request.url raised)."""
    def call(query: bytes) -> tuple[int, dict]:
        sent: list[dict] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
                 "path": "/services", "raw_path": b"/services", "query_string": query, "root_path": "", "headers": [],
                 "server": ("127.0.0.1", 8001), "client": ("127.0.0.1", 50000)}
        asyncio.run(create_app(site)(scope, receive, send))
        return sent[0]["status"], json.loads(b"".join(m.get("body", b"") for m in sent[1:]))

    assert call(b"search=\xff\xfe") == (200, {"total_items": 0, "total_pages": 1, "page_number": 1, "size": 0,
                                              "first_page": True, "last_page": True, "empty": True, "contents": []})
    assert call(b"\xff=1") == (400, {"error": "unknown query parameter '\xff'; /services accepts: page, per_page, search, "
                                             "taxonomy_term_id, taxonomy_id, postcode, proximity, modified_after, "
                                             "minimum_age, maximum_age, start_time, end_time, day"})


def test_filters_select_the_matching_homes(client, services):
    nursing = next(a["taxonomy_term"] for s in services for a in s.get("attributes", []) if a["taxonomy_term"]["name"] == "Care home with nursing")
    with_nursing = {s["id"] for s in services if any(a["taxonomy_term_id"] == nursing["id"] for a in s.get("attributes", []))}
    got = get(client, f"/services?taxonomy_term_id={nursing['id']}&per_page=100")
    assert {s["id"] for s in got["contents"]} == with_nursing and 0 < len(with_nursing) < 88
    assert get(client, f"/services?taxonomy_id={nursing['taxonomy_id']}&per_page=1")["total_items"] == 88
    name = services[7]["name"]
    found = get(client, "/services?search=" + name.upper().replace(" ", "%20"))
    assert services[7]["id"] in {s["id"] for s in found["contents"]} and found["total_items"] < 88
    near = get(client, "/service_at_locations?postcode=hr1%202ab&proximity=3000&per_page=100")
    assert 0 < near["total_items"] < 88
    wider = get(client, "/service_at_locations?postcode=HR1 2AB&proximity=30000&per_page=1")["total_items"]
    assert near["total_items"] < wider
    assert get(client, "/services?modified_after=2021-03-01T00:00:00Z&per_page=1")["total_items"] == 88
    assert get(client, "/services?modified_after=2030-01-01T00:00:00Z")["total_items"] == 0
    # one instant written in any offset is one answer, by each record's own last_modified (the open data review: the
    # date as written was taken, the offset dropped); a record of that day at midnight UTC is "on or after" only then
    newest = max(s["last_modified"] for s in services)
    day = newest[:10]
    at_newest = get(client, f"/services?modified_after={day}T00:00:00Z")["total_items"]
    assert at_newest == sum(s["last_modified"] == newest for s in services) > 0
    next_day = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    for same in (f"{day}T01:00:00Z", f"{day}T03:00:00+02:00", f"{day}T00:00:00-01:00", f"{next_day}T00:30:00+01:00"):
        assert get(client, f"/services?modified_after={same.replace('+', '%2B')}")["total_items"] == 0, same
    assert get(client, f"/services?modified_after={day}T01:00:00%2B01:00")["total_items"] == at_newest  # midnight UTC
    # care homes publish no ages or opening times: such a filter matches none rather than being ignored
    assert get(client, "/services?minimum_age=18")["total_items"] == 0
    assert get(client, "/services?day=MO")["total_items"] == 0


def test_published_description_is_the_upstream_one_corrected():
    upstream = json.loads(UPSTREAM_OPENAPI.read_text(encoding="utf-8"))
    assert OPENAPI_FILE.read_text(encoding="utf-8") == dumps(corrected(upstream)), \
        "schema/openreferral-uk/openapi.json is out of date with outputs/oruk_openapi.py"
    fixed = corrected(upstream)["paths"]["/service_at_locations/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert fixed["schema"]["$ref"].endswith("/compiled/service_at_location.json")


def test_static_root_says_it_cannot_filter_and_names_the_queryable_api():
    plain = root_document("https://example-council.github.io/care-homes/")
    assert plain["openapi_url"] == "https://example-council.github.io/care-homes/oruk/openapi.json"
    assert plain["note"] == STATIC_NOTE + " No queryable copy of this API is configured." and "queryable_api_url" not in plain
    with_api = root_document("https://example-council.github.io/care-homes/", "https://oruk.example.gov.uk/")
    assert with_api["queryable_api_url"] == "https://oruk.example.gov.uk/" and "cannot filter or page" in with_api["note"]


LICENCE = {"name": "Open Government Licence v3.0", "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}
CQC_ATTRIBUTION = {"source": "Care Quality Commission: register of regulated services (CQC's register files and its API)",
                   "url": "https://www.cqc.org.uk/about-us/transparency/using-cqc-data",
                   "text": "Contains public sector information from the Care Quality Commission, licensed under the Open Government Licence v3.0."}


def test_both_roots_state_the_data_licence_and_attribution(client):
    """An aggregator harvesting the API never reads the open data page: the root says the licence (OGL) and what
    each source asks to be credited, as datapackage.json does (the API said nothing of either)."""
    for root in (root_document("https://example-council.github.io/care-homes/"), client.get("/").json()):
        assert root["data_licence"] == LICENCE
        assert root["attribution"][0] == CQC_ATTRIBUTION
        assert [a["source"] for a in root["attribution"]] == [
            "Care Quality Commission: register of regulated services (CQC's register files and its API)",
            "Food Standards Agency: food hygiene rating scheme (FHRS) open data",
            "NHS England Organisation Data Service (ODS): NHS trusts", "Ordnance Survey: Code-Point Open (postcode positions)"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "oruk.example.gov.uk", "https://", "https://x.example/a b"])
def test_serve_api_refuses_an_api_url_that_is_not_an_http_address(tmp_path, capsys, url):
    assert main(["serve-api", "--site", str(tmp_path), "--api-url", url]) == 1
    assert capsys.readouterr().err == (f"--api-url {url!r}: is not an http:// or https:// address; give the API's "
                                       "public address, e.g. https://oruk.example.gov.uk/\n")


def test_serve_api_with_a_host_that_is_no_address_says_so(site, capsys):
    assert main(["serve-api", "--site", str(site), "--host", "nope..invalid"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Cannot serve on nope..invalid (") and err.endswith(
        "); give an address of this computer with --host, e.g. 127.0.0.1\n")


def test_serve_api_without_a_built_site_says_so(tmp_path, capsys):
    assert main(["serve-api", "--site", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (f"{tmp_path / 'data' / 'oruk-services.json'}: not found; build the site first "
                                       "(python3 build.py build) or give --site the folder of a built site\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "oruk-services.json").write_text("{", encoding="utf-8")
    assert main(["serve-api", "--site", str(tmp_path)]) == 1
    assert "oruk-services.json: is not the ORUK service package (" in capsys.readouterr().err


@pytest.mark.parametrize("second,said", [
    ({"id": "b", "service_at_locations": "x"}, "service_at_locations is not a list of records"),
    ({"id": "b", "service_at_locations": [{"id": "s", "service_id": "c", "location_id": "l"}]},
     "service_at_locations[0].service_id is 'c', not the service's own id"),
    ({"id": "b", "service_at_locations": [{"id": "s", "service_id": "b", "location_id": "l", "location": []}]},
     "service_at_locations[0].location is not a record"),
    ({"id": "b", "service_at_locations": None}, "service_at_locations is not a list of records"),
    ({"id": "b", "service_at_locations": [{"location": {"latitude": "NaN"}}]}, "service_at_locations[0] has no id"),
    ({"id": "b", "attributes": [1]}, "attributes[0] is not a record"),
    ({"id": "b", "attributes": [{"taxonomy_term_id": ["t"]}]}, "attributes[0].taxonomy_term_id is not a text"),
    ({"id": "b", "attributes": [{"taxonomy_term": {"id": "t", "name": 5}}]}, "attributes[0].taxonomy_term.name is not a text"),
    ({"id": "b", "organization": "x"}, "organization is not a record"),
    ({"id": "a", "name": "A again"}, "the same id as service 1 (one id would list two services but find one)")])
def test_serve_api_refuses_damaged_service_records_naming_the_service_and_field(tmp_path, second, said):
    """A service record whose parts were not the shapes the API indexes (a list that was a text, an attribute that was
    a number, a service at location of another service) was a Python traceback at start; two services of one id were
    both listed, but only the later found by its id."""
    records = tmp_path / "data" / "oruk-services.json"
    records.parent.mkdir()
    records.write_text(json.dumps([{"id": "a", "name": "A"}, second]), encoding="utf-8")
    with pytest.raises(DataMissing) as err:  # serve-api says it in one line, exit 1 (not main: a bad case would serve)
        create_app(tmp_path)
    assert str(err.value) == (f"{records}: service 2 (id {second['id']!r}): {said}; this is not the ORUK service "
                              "package this directory publishes: build the site again (python3 build.py build)")


def _within(seconds: float, call):
    """What ``call()`` returns, failing (not hanging) when it has not returned after ``seconds``."""
    out: list = []
    worker = threading.Thread(target=lambda: out.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert out, f"still running after {seconds} s"
    return out[0]


def test_serve_api_refuses_records_that_are_a_pipe_a_device_or_nested_too_deeply(tmp_path, capsys):
    """The records are read as a bounded regular file: a pipe waited for a writer for ever, /dev/zero filled memory."""
    records = tmp_path / "data" / "oruk-services.json"
    records.parent.mkdir()
    os.mkfifo(records)
    assert _within(10, lambda: main(["serve-api", "--site", str(tmp_path)])) == 1
    records.unlink()
    records.symlink_to("/dev/zero")
    assert _within(10, lambda: main(["serve-api", "--site", str(tmp_path)])) == 1
    assert capsys.readouterr().err == 2 * (f"{records}: is not a regular file (a device, pipe or folder); build the site again\n")
    records.unlink()
    records.write_text("[" * 100_000, encoding="utf-8")
    assert main(["serve-api", "--site", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"{records}: is nested too deeply to be the ORUK service package; build the site again\n"


def test_a_postcode_file_that_is_a_pipe_is_an_unknown_postcode(site, tmp_path):
    """The lookup's files are read as bounded regular files too: a pipe held the server's one event loop for ever."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    sector = copy / "postcodes" / "HR" / "HR1-2.json"
    sector.unlink()
    os.mkfifo(sector)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        answer = _within(10, lambda: TestClient(create_app(copy)).get("/services?postcode=HR1 2AB"))
    assert (answer.status_code, answer.json()) == (400, {"error": "postcode='HR1 2AB': is not a postcode this directory "
                                                                 "knows the position of (it publishes the areas in "
                                                                 "postcodes/areas.json); check it, or give a nearby one"})


# --- the ORUK validator's checks (OpenReferralUK/oruk-validator, OpenApiValidationService.cs), replayed ---

def _validator(path: str, status: str = "200"):
    """The response schema of GET ``path`` in the description the root points to (the corrected copy)."""
    doc = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    schema = _inline(doc["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"], UK)
    return V({**schema, "components": doc["components"]}, registry=registry(), format_checker=V.FORMAT_CHECKER)


def _errors(path: str, body) -> list[str]:
    return [f"{path}: {e.message}" for e in _validator(path).iter_errors(body)]


def test_oruk_validator_checks_pass(client):
    """As the validator does: read ``/`` for the version, call every (required) operation of the description;
    a list with ``page`` is read at page 1, then at its middle and last page when it has more than one, each
    validated against its schema and each with items (an empty feed is a warning); the ids found in the
    lists are substituted into ``/{id}`` paths; any non-2xx answer of a required endpoint fails."""
    root = get(client, "/")
    assert root["version"] == "HSDS-UK-3.0" and root["openapi_url"].endswith("/openapi.json")
    doc = get(client, "/openapi.json")
    assert not any("Optional" in (item["get"].get("tags") or []) for item in doc["paths"].values())  # all nine required
    problems, ids = _errors("/", root), {}
    for path in (p for p in doc["paths"] if "{" not in p and p != "/"):
        first = get(client, path + "?page=1&per_page=10")
        problems += _errors(path, first)
        assert first["contents"], f"{path}: EMPTY_FEED_WARNING"
        pages = [first["total_pages"] // 2, first["total_pages"]] if first["total_pages"] > 2 else [first["total_pages"]]
        for n in pages if first["total_pages"] > 1 else []:
            problems += _errors(path, get(client, f"{path}?page={n}&per_page=10"))
        ids[path] = [item["id"] for item in first["contents"]]
    for path in (p for p in doc["paths"] if "{id}" in p):
        for one in ids[path.removesuffix("/{id}")][:3]:
            problems += _errors(path, get(client, path.replace("{id}", one)))
    assert problems == []


# --- schemathesis, with the query parameters on -------------------------------------------------

@pytest.fixture(scope="module")
def api_schema(site, client, services):
    import schemathesis

    schema = schemathesis.openapi.from_dict(_inline(json.loads(OPENAPI_FILE.read_text(encoding="utf-8")), UK))
    schema.app = create_app(site)
    _IDS["services"] = [s["id"] for s in services]
    for name in ("taxonomies", "taxonomy_terms", "service_at_locations"):
        _IDS[name] = [i["id"] for i in client.get(f"/{name}?per_page=100").json()["contents"]]
    return schema


_IDS: dict[str, list[str]] = {}
lazy_schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@lazy_schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_with_query_parameters(case):
    """Every check schemathesis has (negative data rejected with 400 included) against the app in-process."""
    if case.path_parameters and "id" in case.path_parameters:  # a real record, so the 200 schema is checked too
        endpoint = case.path.strip("/").split("/")[0]
        case.path_parameters["id"] = _IDS[endpoint][len(str(case.path_parameters["id"])) % len(_IDS[endpoint])]
    # A well-formed postcode may not exist, and proximity needs a postcode (OpenAPI cannot say so): both are
    # refused with 400 by design, so only there a schema-valid request may be rejected.
    by_design = [positive_data_acceptance] if {"postcode", "proximity"} & set(case.query or {}) else []
    case.call_and_validate(excluded_checks=by_design)


def test_app_from_env_names_the_variables_and_stops_uvicorn(tmp_path, monkeypatch, capsys):
    """The production factory is given its folder and address by environment variables, so its messages name them
    (they said --site and --api-url, options uvicorn does not have), and it exits with uvicorn's startup failure
    status rather than raising: a traceback from every worker, which uvicorn's supervisor started again and again."""
    import uvicorn.config

    from carehomes.oruk_server import STARTUP_FAILURE, app_from_env

    assert STARTUP_FAILURE == uvicorn.config.STARTUP_FAILURE
    monkeypatch.setenv("CAREHOMES_SITE", str(tmp_path / "nowhere"))
    monkeypatch.delenv("CAREHOMES_ORUK_API_URL", raising=False)
    with pytest.raises(SystemExit) as stopped:
        app_from_env()
    assert stopped.value.code == STARTUP_FAILURE
    assert capsys.readouterr().err == (f"{tmp_path / 'nowhere'}: no such folder; build the site first (python3 build.py build) "
                                       "or set CAREHOMES_SITE to the folder of a built site\n")
    monkeypatch.setenv("CAREHOMES_SITE", str(tmp_path))
    with pytest.raises(SystemExit):
        app_from_env()
    assert capsys.readouterr().err == (f"{tmp_path / 'data' / 'oruk-services.json'}: not found; build the site first "
                                       "(python3 build.py build) or set CAREHOMES_SITE to the folder of a built site\n")
    monkeypatch.setenv("CAREHOMES_ORUK_API_URL", "oruk.example.gov.uk")
    with pytest.raises(SystemExit):
        app_from_env()
    assert capsys.readouterr().err == ("CAREHOMES_ORUK_API_URL 'oruk.example.gov.uk': is not an http:// or https:// address; "
                                       "give the API's public address, e.g. https://oruk.example.gov.uk/\n")


@pytest.mark.slow  # starts uvicorn (over half a second: the fast set stays under 30 s)
def test_the_documented_production_command_stops_with_one_line_when_the_site_is_missing(tmp_path):
    """docs/oruk-api.md's uvicorn command, run as written (on 127.0.0.1 and a free port) with no built site: it ran
    for ever, each of its two workers printing a traceback, dying and being started again."""
    import re
    import subprocess
    import sys

    doc = (ROOT / "docs" / "oruk-api.md").read_text(encoding="utf-8")
    shown = re.search(r"^ +CAREHOMES_SITE=.*?--forwarded-allow-ips='\*'$", doc, flags=re.M | re.S)
    assert shown, "docs/oruk-api.md no longer shows the uvicorn command"
    command = shown.group(0).replace("\\\n", " ")
    assert "--host 0.0.0.0 --port 8000" in command and "--workers 2" in command
    command = command.replace("/srv/site", str(tmp_path / "site")).replace("--host 0.0.0.0 --port 8000", "--host 127.0.0.1 --port 0")
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["sh", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr and "failed to start, stopping the parent process" in done.stderr
    assert done.stderr.count(f"{tmp_path / 'site'}: no such folder; build the site first (python3 build.py build) "
                             "or set CAREHOMES_SITE to the folder of a built site\n") >= 1


def test_the_roots_credit_only_the_sources_the_published_data_holds(tmp_path):
    """A site gathering no food hygiene ratings (Oldham) published no FSA source in datapackage.json, but both API
    roots still asked for the FSA to be credited. Each root now credits the sources the site's own datapackage.json
    names: the static one written with the build (and serve's rebuild), the queryable one read from the site."""
    from carehomes.outputs.oruk_api import api_files, published_sources
    from carehomes.pipeline import write_oruk_api

    checked = check_paths([ROOT / "providers"])
    unrated = [p for p in checked.profiles if not p.data.get("food_hygiene")]
    given: list[tuple[bytes, list[dict]]] = []  # what the build starts its static API with, in the data stage
    files = data_files(unrated, with_services=lambda services, sources: given.append((services, sources)))
    named = [s["title"] for s in json.loads(files["datapackage.json"])["sources"]]
    assert "Food Standards Agency: food hygiene rating scheme (FHRS) open data" not in named
    [(services, sources)] = given
    assert services == files["oruk-services.json"] and sources == published_sources(files["datapackage.json"])
    write_oruk_api(services, tmp_path / "oruk", "", "", sources)
    static = json.loads((tmp_path / "oruk" / "index.html").read_text(encoding="utf-8"))
    rebuilt = json.loads(api_files(json.loads(files["oruk-services.json"]), "", "", published_sources(files["datapackage.json"]))["index.html"])
    site = tmp_path / "site"
    (site / "data").mkdir(parents=True)
    for name in ("oruk-services.json", "datapackage.json"):
        (site / "data" / name).write_bytes(files[name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        served = TestClient(create_app(site)).get("/").json()
    for root in (static, rebuilt, served):
        assert [a["source"] for a in root["attribution"]] == [
            "Care Quality Commission: register of regulated services (CQC's register files and its API)",
            "NHS England Organisation Data Service (ODS): NHS trusts", "Ordnance Survey: Code-Point Open (postcode positions)"]
    assert published_sources(b"[1, 2]") is None and published_sources(b"{not json") is None
