"""schema.org JSON-LD on the home pages: only types and properties of the current vocabulary."""
from __future__ import annotations

import json
import re

import yaml
from conftest import ROOT
from npmtools import Vocabulary, vocabulary

LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def problems(node: dict, vocab: Vocabulary, where: str = "") -> list[str]:
    """Every type or property in ``node`` (and the nodes in it) that the vocabulary lacks."""
    out = []
    kind = node.get("@type")
    if not isinstance(kind, str) or not vocab.exists(kind):
        return [f"{where}: @type {kind!r} is not a schema.org type"]
    allowed = vocab.properties(kind)
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if key not in allowed:
            out.append(f"{where}: {key} is not a property of {kind}")
        if isinstance(value, dict):
            out.extend(problems(value, vocab, f"{where}/{key}"))
    return out


def home_documents(site) -> dict[str, dict]:
    docs = {}
    for page in sorted((site / "homes").glob("*/index.html")):
        [text] = LD.findall(page.read_text(encoding="utf-8"))
        docs[page.parent.name] = json.loads(text)
    return docs


def test_vocabulary_check_can_fail():
    vocab = vocabulary()
    assert not vocab.exists("NursingHome")
    assert problems({"@type": "NursingHome"}, vocab) == [": @type 'NursingHome' is not a schema.org type"]
    assert problems({"@type": "MedicalBusiness", "medicalSpecialty": "Nursing"}, vocab) == [
        ": medicalSpecialty is not a property of MedicalBusiness"]


def test_every_home_uses_only_schema_org_terms(built_site):
    site, _ = built_site
    vocab = vocabulary()
    docs = home_documents(site)
    assert len(docs) >= 90
    found = [p for slug, doc in docs.items() for p in problems(doc, vocab, slug)]
    assert found == []
    for slug, doc in docs.items():
        assert doc["@context"] == "https://schema.org"
        assert vocab.is_a(doc["@type"], "LocalBusiness"), slug
        assert "aggregateRating" not in doc  # a CQC rating is not an average of reviews


def test_nursing_homes_are_medical_businesses(built_site):
    site, _ = built_site
    docs = home_documents(site)
    nursing = {p.stem for p in (ROOT / "providers").glob("*.yaml")
               if not p.stem.startswith("_") and (yaml.safe_load(p.read_text(encoding="utf-8")).get("care") or {}).get("nursing") is True}
    assert len(nursing) == 29
    medical = {slug for slug, d in docs.items() if d["@type"] == "MedicalBusiness" and not slug.startswith("example-")}
    assert medical == nursing


def test_telephone_url_address_and_geo_only_where_given(built_site):
    site, _ = built_site
    docs = home_documents(site)
    full, minimal = docs["example-full"], docs["example-minimal"]
    assert full["telephone"] and full["url"].startswith("https://")
    assert full["address"]["@type"] == "PostalAddress" and full["geo"]["@type"] == "GeoCoordinates"
    assert {"telephone", "url", "address", "geo", "email"}.isdisjoint(minimal)
    real = [d for s, d in docs.items() if not s.startswith("example-")]
    assert all("geo" in d and "address" in d for d in real)
    # The bundled register file gives no provider names, so no home of it claims one.
    assert not any("parentOrganization" in d for d in real)
    assert full["parentOrganization"] == {"@type": "Organization", "name": "Example Care Group Ltd (fictional)"}
