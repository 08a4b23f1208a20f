"""The published Open Referral UK data: data/oruk-services.json and the static API under oruk/,
served by a plain static server and validated against the UK profile's OpenAPI description and
compiled schemas in ../shared/data/openreferral-uk/uk-profile-hsds3."""
from __future__ import annotations

import functools
import http.server
import json
import threading
import urllib.error
import urllib.request

import jsonschema
import pytest
from conftest import FIXTURES, ROOT, SHARED, TODAY
from loopback import QuietServer
from referencing import Registry, Resource

from carehomes.localserver import site_server
from carehomes.outputs.oruk import service
from carehomes.outputs.oruk_api import NOT_STATIC, OPENAPI_URL, VERSION
from carehomes.pipeline import check_paths
from carehomes.schema import load_schema

UK = SHARED / "data" / "openreferral-uk" / "uk-profile-hsds3" / "schema"
UPSTREAM = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
V = jsonschema.Draft202012Validator


def _retrieve(uri: str) -> Resource:
    """The profile's schemas refer to each other by their GitHub address: read them from ../shared instead."""
    assert uri.startswith(UPSTREAM), f"unexpected reference {uri}"
    return Resource.opaque(json.loads((UK / uri.removeprefix(UPSTREAM)).read_text(encoding="utf-8")))


@functools.cache
def registry() -> Registry:
    assert (UK / "openapi.json").exists(), f"the ORUK schemas are missing: {UK}"
    return Registry(retrieve=_retrieve)  # type: ignore[call-arg]


# openapi.json (uk-profile ecdfabf) describes GET /service_at_locations/{id} with compiled/service.json,
# though its own description says "fully nested service_at_location": an upstream slip (a
# service_at_location has no name or status). That one response is checked against
# compiled/service_at_location.json instead; test_openapi_slip_is_still_there notices a fix upstream.
SLIP = "/service_at_locations/{id}"


def response_validator(path: str) -> jsonschema.protocols.Validator:
    """A validator for the 200 JSON response of GET ``path`` (an OpenAPI path template) in openapi.json."""
    if path == SLIP:
        return compiled("service_at_location")
    pointer = "/paths/" + path.replace("~", "~0").replace("/", "~1") + "/get/responses/200/content/application~1json/schema"
    return V({"$ref": UPSTREAM + "openapi.json#" + pointer}, registry=registry(), format_checker=V.FORMAT_CHECKER)


def compiled(name: str) -> jsonschema.protocols.Validator:
    return V({"$ref": UPSTREAM + f"compiled/{name}.json"}, registry=registry(), format_checker=V.FORMAT_CHECKER)


def removed_fields(doc, where: str = "") -> list[str]:
    """Fields the UK profile removes from HSDS 3.0, wherever they occur."""
    out = []
    if isinstance(doc, dict):
        if "link_entity" in doc and "taxonomy_term_id" in doc:
            out.append(f"{where}: attribute.link_entity")
        if "taxonomy_id" in doc and "code" in doc:
            out.append(f"{where}: taxonomy_term.code")
        if "phones" in doc and "status" in doc:
            out.append(f"{where}: service.phones")
        for k, v in doc.items():
            out.extend(removed_fields(v, f"{where}/{k}"))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.extend(removed_fields(v, f"{where}/{i}"))
    return out


class _Plain(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="module", params=["plain", "serve"])
def api(request, built_site):
    """The built site behind a plain static server (python -m http.server) and the project's own."""
    site, _ = built_site
    server = (QuietServer(("127.0.0.1", 0), functools.partial(_Plain, directory=str(site)))
              if request.param == "plain" else site_server(site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/oruk", site
    server.shutdown()
    server.server_close()


def get(url: str):
    """GET ``url`` as an ORUK tool would (following the trailing-slash redirect); the JSON and content type."""
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.status == 200
        return json.loads(r.read().decode("utf-8")), r.headers.get("Content-Type")


def test_root_names_version_and_openapi(api):
    base, site = api
    root, _ = get(base + "/")
    # the corrected description published beside it (upstream's describes /service_at_locations/{id} wrongly)
    assert root["version"] == VERSION == "HSDS-UK-3.0" and root["openapi_url"] != OPENAPI_URL
    assert root["openapi_url"] == "https://example-council.github.io/care-homes/oruk/openapi.json"
    assert "cannot filter or page" in root["note"]
    # the static copy does not answer /service_at_locations/{id} (optional in HSDS 3.0): its description leaves
    # the path out and both it and the root say where the full record is
    published = json.loads((site / "oruk" / "openapi.json").read_text(encoding="utf-8"))
    assert SLIP == NOT_STATIC and NOT_STATIC not in published["paths"] and "/services/{id}" in published["paths"]
    assert NOT_STATIC in root["note"] and "/services/{service_id}" in root["note"]
    assert NOT_STATIC in published["info"]["description"] and "/services/{service_id}" in published["info"]["description"]
    # its server is the static copy's own address: without one a tool took the host alone (the open data review)
    assert published["servers"] == [{"url": "https://example-council.github.io/care-homes/oruk",
                                     "description": "The static copy (no query parameters)"}]
    assert published["info"]["license"]["url"] == "https://creativecommons.org/licenses/by-sa/4.0/"  # CC BY-SA, as named
    for path in published["paths"]:  # every path it describes is answered
        folder = site / "oruk" / path.strip("/").removesuffix("{id}")
        assert (folder / "index.html").is_file() if "{id}" not in path else any(folder.glob("*/index.html")), path
    assert list(response_validator("/").iter_errors(root)) == []


def test_every_endpoint_answers_json_valid_against_the_openapi(api):
    base, site = api
    checked = 0
    for endpoint, item_path, full_schema in (("services", "/services/{id}", "service"),
                                             ("taxonomies", "/taxonomies/{id}", None),
                                             ("taxonomy_terms", "/taxonomy_terms/{id}", None),
                                             ("service_at_locations", "/service_at_locations/{id}", "service_at_location")):
        listing, kind = get(f"{base}/{endpoint}")  # no trailing slash: the static host redirects
        errors = [e.message for e in response_validator(f"/{endpoint}").iter_errors(listing)]
        assert errors == [], endpoint
        assert listing["total_items"] == len(listing["contents"]) > 0 and listing["total_pages"] == 1
        assert removed_fields(listing) == []
        for item in listing["contents"]:
            if endpoint == "service_at_locations":  # not in the static copy: the full record is in its service
                with pytest.raises(urllib.error.HTTPError, match="404"):
                    get(f"{base}/{endpoint}/{item['id']}")
                svc, _ = get(f"{base}/services/{item['service_id']}")
                own = {k: v for k, v in svc.items() if k != "service_at_locations"}
                record = next({**sal, "service": own} for sal in svc["service_at_locations"] if sal["id"] == item["id"])
            else:
                record, _ = get(f"{base}/{endpoint}/{item['id']}")
            assert record["id"] == item["id"]
            assert [e.message for e in response_validator(item_path).iter_errors(record)] == [], f"{endpoint}/{item['id']}"
            if full_schema:
                assert [e.message for e in compiled(full_schema).iter_errors(record)] == []
            assert removed_fields(record) == []
            checked += 1
    assert checked >= 91 * 2


def test_service_list_items_are_list_items(api):
    base, _ = api
    listing, _ = get(base + "/services")
    assert len(listing["contents"]) == 91
    for item in listing["contents"]:
        assert not {"service_at_locations", "attributes", "cost_options", "contacts", "x_care_home"} & set(item)
        assert [e.message for e in compiled("service_list").iter_errors(item)] == []


def test_project_server_labels_the_api_json(built_site):
    site, _ = built_site
    server = site_server(site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _, kind = get(f"http://127.0.0.1:{server.server_address[1]}/oruk/services/")
        assert kind == "application/json"
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/", timeout=10) as r:
            assert r.headers.get("Content-Type").startswith("text/html")
    finally:
        server.shutdown()
        server.server_close()


def test_published_service_package_validates(built_site):
    site, _ = built_site
    services = json.loads((site / "data" / "oruk-services.json").read_text(encoding="utf-8"))
    assert len(services) == 91
    assert [e.message for e in compiled("service_package").iter_errors(services)] == []
    assert removed_fields(services) == []
    api_services = sorted(p.parent.name for p in (site / "oruk" / "services").glob("*/index.html"))
    assert api_services == sorted(s["id"] for s in services)


def test_organisations_carry_the_real_provider_name_or_none(built_site):
    site, _ = built_site
    services = json.loads((site / "data" / "oruk-services.json").read_text(encoding="utf-8"))
    named = {s["name"]: s["organization"]["name"] for s in services if "organization" in s}
    assert named == {"Example Full House (fictional)": "Example Care Group Ltd (fictional)"}
    assert not any("Provider of" in json.dumps(s) for s in services)
    # The bundled register file names no providers, so the real homes have no organisation rather than an invented one.
    assert all("organization_id" not in s for s in services if s["name"] not in named)


def test_every_service_keeps_its_providers_cqc_id():
    """A provider CQC names by ID alone (86 of Oldham's 94) has no organisation, but its ID stays in the service's
    extension object (each kind's), as in the tables' provider_id: a consumer can still group a provider's services (a
    review found the ID in no ORUK file for 95 of Oldham's 104 services)."""
    checked = check_paths(sorted((ROOT / "areas" / "oldham" / "providers").glob("[!_]*.yaml")), on=TODAY)
    services = [(p.data, service(p.data)) for p in checked.profiles]
    assert len(services) == 104 and all(d["provider"]["cqc_id"] for d, _ in services)
    for d, svc in services:
        extensions = [v for k, v in svc.items() if k.startswith("x_")]
        assert extensions and all(x["provider"]["cqc_id"] == d["provider"]["cqc_id"] for x in extensions), d["name"]
    unnamed = [svc for d, svc in services if "organization" not in svc]
    assert len(unnamed) == 95 and all(x["provider"] == {"cqc_id": d["provider"]["cqc_id"]}
                                      for d, svc in services if "organization" not in svc
                                      for k, x in svc.items() if k.startswith("x_"))


def test_taxonomy_term_ids_come_from_the_schemas_codes_not_their_words():
    """A need's term is named by its code, a user band's by its path: rewording a label in the schema keeps every term's
    and attribute's ID (they were the UUID of the English label: a review found 'term:need:Palliative care (with
    Macmillan and GP support)')."""
    from carehomes.outputs.oruk import uid

    checked = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY)
    svc = service(checked.profiles[0].data)
    by_type = {}
    for a in svc["attributes"]:
        by_type.setdefault(a["link_type"], []).append(a)
    codes = {c.label: c.code for c in load_schema().capabilities}
    assert by_type["need"] and all(a["taxonomy_term_id"] == uid("term", "need", codes[a["taxonomy_term"]["name"]])
                                   and a["id"] == uid("attribute", svc["id"], "need", codes[a["taxonomy_term"]["name"]])
                                   for a in by_type["need"])
    bands = {f.title: f.path for f in load_schema().home_fields if f.path.startswith("care.user_bands.")}
    assert by_type["service_user_band"] and all(
        a["taxonomy_term_id"] == uid("term", "service_user_band", bands[a["taxonomy_term"]["name"]]) for a in by_type["service_user_band"])
    assert all(a["taxonomy_term_id"] != uid("term", a["link_type"], a["taxonomy_term"]["name"]) for a in svc["attributes"])


def test_last_modified_is_the_newest_dated_fact():
    """ORUK's last_modified says when a service's information last changed: its newest dated fact (a confirmation by the
    home, CQC's register), none when it has no date (the open data review found no record had one)."""
    checked = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY)
    data = checked.profiles[0].data
    svc = service(data)
    dates = sorted(str(v)[:10] for v in _dates_in(data))
    assert svc["last_modified"] == f"{dates[-1]}T00:00:00.000Z"
    newer = json.loads(json.dumps(data, default=str))
    newer["beds"]["confirmed"] = "2099-01-02"
    assert service(newer)["last_modified"] == "2099-01-02T00:00:00.000Z"
    bare = {k: v for k, v in newer.items() if k in ("slug", "name", "location_id", "locality", "address", "care")}
    assert "last_modified" not in service(bare)


def _dates_in(value):
    """Every date (or ISO date text) anywhere in a record."""
    import datetime as dt
    import re

    if isinstance(value, dict):
        for v in value.values():
            yield from _dates_in(v)
    elif isinstance(value, dt.date) or (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        yield value


def test_full_profile_maps_to_oruk_objects():
    checked = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY)
    svc = service(checked.profiles[0].data)
    assert svc["organization"]["name"] == "Example Care Group Ltd (fictional)"
    assert svc["organization"]["organization_identifiers"][0]["identifier"] == "1-000000102"
    loc = svc["service_at_locations"][0]["location"]
    assert loc["external_identifier"] == "1-000000101" and loc["addresses"][0]["postal_code"] == "HR1 9ZZ"
    assert [c["amount"] for c in svc["cost_options"]] == [1150, 1420.5, 890, 1100]
    assert {a["taxonomy_term"]["name"] for a in svc["attributes"] if a["link_type"] == "need"} == {
        "Tracheostomy", "Palliative care (with Macmillan and GP support)"}
    assert svc["x_care_home"]["beds"]["nursing"] == {"total": 30, "available": 2}
    assert svc["x_care_home"]["contact"] == {"phone": "01432 000000"} and "phones" not in svc
    assert service(checked.profiles[0].data)["id"] == svc["id"], "identifiers are stable"


def test_no_assured_date_claimed_for_a_record_nobody_checked_as_a_whole():
    """ORUK's assured_date is when the service's information was last checked: the CQC register's date dates only
    CQC's facts (kept in the extension), not the home's fees, beds or description, so no assured_date is written."""
    checked = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY)
    svc = service(checked.profiles[0].data)
    assert "assured_date" not in svc and "assurer_email" not in svc
    assert svc["x_care_home"]["cqc"]["imported"] == "2025-08-26"  # CQC's facts dated by CQC's register
    assert svc["x_care_home"]["beds"]["confirmed"] == "2026-11-20"  # the home's dated by the home


def test_a_dormant_service_is_temporarily_closed_not_active():
    """CQC's dormant (registered, giving no care at the moment: 54 Taylor Street, Oldham) is ORUK's "temporarily
    closed": "active" would tell a reuser filtering on status that it is giving care."""
    checked = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY)
    data = dict(checked.profiles[0].data)
    assert service(data)["status"] == "active"
    data["cqc"] = {**data["cqc"], "dormant": True}
    svc = service(data)
    assert svc["status"] == "temporarily closed"
    assert not list(response_validator("/services/{id}").iter_errors(svc))
    data["cqc"] = {**data["cqc"], "status": "Deregistered"}
    assert service(data)["status"] == "defunct"  # closed for good wins over dormant


def test_validation_catches_a_broken_record():
    checked = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY)
    svc = service(checked.profiles[0].data)
    svc["id"] = "not-a-uuid"
    svc["status"] = "open"
    del svc["service_at_locations"][0]["location"]["addresses"][0]["postal_code"]
    messages = sorted(e.message for e in response_validator("/services/{id}").iter_errors(svc))
    assert messages == ["'not-a-uuid' is not a 'uuid'", "'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']",
                        "'postal_code' is a required property"]
    svc["phones"] = []
    svc["attributes"][0]["link_entity"] = "service"
    svc["attributes"][0]["taxonomy_term"]["code"] = "x"
    assert removed_fields(svc) == [": service.phones", "/attributes/0: attribute.link_entity",
                                   "/attributes/0/taxonomy_term: taxonomy_term.code"]


def test_openapi_slip_is_still_there():
    spec = json.loads((UK / "openapi.json").read_text(encoding="utf-8"))
    schema = spec["paths"][SLIP]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": UPSTREAM + "compiled/service.json"}


def test_api_files_are_outside_sitemap(built_site):
    site, _ = built_site
    assert "/oruk/" not in (site / "sitemap.xml").read_text(encoding="utf-8")


def test_api_files_served_as_html_hold_no_markup():
    """A static host labels the API's index.html files text/html: provider text must not read as markup."""
    from carehomes.outputs.oruk_api import api_files

    checked = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY)
    data = dict(checked.profiles[0].data)
    hostile = '<script>alert(1)</script> & <img src=x onerror=alert(2)> "Care" Ltd'
    data["name"] = hostile
    files = api_files([service(data)])
    for path, raw in files.items():
        assert not {b"<", b">", b"&"} & {raw[i:i + 1] for i in range(len(raw))}, path
    one = next(raw for path, raw in files.items() if path.startswith("services/") and path.count("/") == 2)
    assert json.loads(one)["name"] == hostile  # the same text to any JSON reader


def test_homes_of_one_provider_share_one_organisation():
    checked = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY)
    first = dict(checked.profiles[0].data)
    second = {**first, "location_id": "1-999999999", "name": "Second Home (fictional)", "slug": "second-home"}
    a, b = service(first), service(second)
    assert a["id"] != b["id"]
    assert a["organization_id"] == b["organization_id"] and a["organization"] == b["organization"]
    assert a["organization"]["description"] == ("A care provider registered with the Care Quality Commission "
                                                "(provider ID 1-000000102).")
    without_id = {**second, "provider": {k: v for k, v in second["provider"].items() if k != "cqc_id"}}
    c = service(without_id)  # no provider ID: the name alone does not prove it is the same organisation
    assert c["organization_id"] != a["organization_id"] and "organization_identifiers" not in c["organization"]


def test_a_services_url_is_the_website_cqc_holds_until_it_gives_its_own():
    """Coppice Nursing Home (Oldham) has given no website of its own; CQC holds one, which its page shows (marked as
    CQC's). Its ORUK record had no url at all, so an aggregator reading url saw none; its phone, likewise CQC's, was
    in phones.csv. The home's own website wins when given; a link that is not http(s) is never a url."""
    from conftest import ROOT

    checked = check_paths([ROOT / "areas" / "oldham" / "providers" / "coppice-nursing-home.yaml"], on=TODAY)
    data = dict(checked.profiles[0].data)
    assert "website" not in (data.get("contact") or {})
    svc = service(data)
    assert svc["url"] == "https://www.bondcare.co.uk/care-homes/coppice-nursing-home/" == data["cqc"]["website"]
    assert not list(response_validator("/services/{id}").iter_errors(svc))
    data["contact"] = {**(data.get("contact") or {}), "website": "https://coppice.example.org/"}
    assert service(data)["url"] == "https://coppice.example.org/"
    data["contact"] = {}
    data["cqc"] = {**data["cqc"], "website": "javascript:alert(1)"}
    assert "url" not in service(data)


def test_an_agencys_extension_has_no_empty_care_group():
    """An agency's care group holds only its user bands, which are attributes: x_home_care_agency carried "care": {}
    for each of Oldham's agencies. A care home's keeps its care facts (nursing, weekend admissions...)."""
    from conftest import ROOT

    folder = ROOT / "areas" / "oldham" / "providers"
    checked = check_paths([folder / "54-taylor-street.yaml", folder / "coppice-nursing-home.yaml"], on=TODAY)
    agency, home = (service(dict(p.data)) for p in checked.profiles)
    assert "care" not in agency["x_home_care_agency"] and agency["x_home_care_agency"]["cqc"]["dormant"] is True
    assert home["x_care_home"]["care"]["nursing"] is True
    assert not list(response_validator("/services/{id}").iter_errors(agency))


def test_fee_answers_without_amounts_and_an_agencys_hourly_rate_are_in_the_oruk_record():
    """The open data review: a home's 'accepts the council's usual rate: no' and 'top-ups: no' (and fees.date) were in
    every table and on its page but nowhere in ORUK, and an agency's hourly rate was no cost option (cost_options.csv
    lacked it). The fees group is in x_care_home; the hourly rate is a cost option from the kind's oruk.costs."""
    import datetime as dt

    checked = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY)
    data = dict(checked.profiles[0].data)
    data["fees"] = {"council_rate_accepted": False, "top_ups": False, "date": dt.date(2026, 11, 2)}
    svc = service(data)
    assert svc["x_care_home"]["fees"] == {"council_rate_accepted": False, "top_ups": False, "date": "2026-11-02"}
    assert "cost_options" not in svc and "fees" not in svc  # no amount: no cost option, and no "see cost_options"
    assert not list(response_validator("/services/{id}").iter_errors(svc))

    folder = ROOT / "areas" / "oldham" / "providers"
    agency = dict(check_paths([folder / "54-taylor-street.yaml"], on=TODAY).profiles[0].data)
    agency["homecare"] = {**(agency.get("homecare") or {}),
                          "hourly_rate": {"from": 22.5, "to": 25, "updated": dt.date(2026, 10, 1)}}
    svc = service(agency)
    assert [(c["option"], c["amount"], c["amount_description"], c["valid_from"]) for c in svc["cost_options"]] == [
        ("Hourly rate, from", 22.5, "Pounds an hour", "2026-10-01"),
        ("Hourly rate, to", 25, "Pounds an hour", "2026-10-01")]
    assert svc["fees"] == "Hourly rates; see cost_options."
    assert len({c["id"] for c in svc["cost_options"]}) == 2
    assert not list(response_validator("/services/{id}").iter_errors(svc))
