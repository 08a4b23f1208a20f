"""The Open Referral UK export validates against the ORUK schemas in ../shared."""
from __future__ import annotations

import json

import jsonschema
import pytest

from carehomes.outputs.oruk import export, service
from carehomes.pipeline import check_paths
from conftest import FIXTURES, ROOT, SHARED, TODAY

COMPILED = SHARED / "data" / "openreferral-uk" / "uk-profile-hsds3" / "schema" / "compiled" / "service.json"


@pytest.fixture(scope="module")
def validator():
    assert COMPILED.exists(), f"the ORUK schemas are missing: {COMPILED}"
    V = jsonschema.Draft202012Validator
    return V(json.loads(COMPILED.read_text()), format_checker=V.FORMAT_CHECKER)


def test_every_home_validates(validator):
    checked = check_paths([ROOT / "providers", FIXTURES / "profiles", FIXTURES / "hostile"], on=TODAY)
    doc = export(checked.profiles, "2026.11.23")
    assert doc["total_items"] == 91
    errors = [(s["name"], e.message) for s in doc["contents"] for e in validator.iter_errors(s)]
    assert errors == []


def test_full_profile_maps_to_oruk_objects(validator):
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
    assert svc["phones"][0]["number"] == "01432 000000"
    assert service(checked.profiles[0].data)["id"] == svc["id"], "identifiers are stable"


def test_validation_catches_a_broken_export(validator):
    checked = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY)
    svc = service(checked.profiles[0].data)
    svc["id"] = "not-a-uuid"
    svc["status"] = "open"
    del svc["service_at_locations"][0]["location"]["addresses"][0]["postal_code"]
    messages = sorted(e.message for e in validator.iter_errors(svc))
    assert messages == ["'not-a-uuid' is not a 'uuid'", "'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']",
                        "'postal_code' is a required property"]
