"""Acute trusts as NHS organisation (ODS) codes, checked against the real ODS trust list."""
from __future__ import annotations

import csv
import io

import pytest
from conftest import ROOT, SHARED, TODAY, run_build
from helpers import search_index

from carehomes.sources import nhs_ods
from carehomes.views import HomeView

ETR = SHARED / "data" / "nhs-ods" / "etr.csv"


@pytest.fixture(scope="module")
def etr():
    if not ETR.exists():
        pytest.fail(f"the real NHS ODS data is missing: {ETR}")
    return nhs_ods.read_etr(ETR)


def test_real_trust_file(etr):
    assert len(etr) == 273 and sum(t.open for t in etr) == 205
    rlq = next(t for t in etr if t.code == "RLQ")
    assert (rlq.name, rlq.icb, rlq.opened.isoformat(), rlq.closed) == ("Wye Valley NHS Trust", "QGH", "1994-04-01", None)
    rwq = next(t for t in etr if t.code == "RWQ")
    assert rwq.closed.isoformat() == "2011-06-30"


def test_kept_list_is_made_from_the_real_file(etr):
    assert nhs_ods.TRUSTS_PATH.read_text() == nhs_ods.trusts_csv(etr), \
        "run: python -m carehomes.sources.nhs_ods ../shared/data/nhs-ods/etr.csv"


@pytest.mark.parametrize("upper, nice", [
    ("WYE VALLEY NHS TRUST", "Wye Valley NHS Trust"),
    ("GUY'S AND ST THOMAS' NHS FOUNDATION TRUST", "Guy's and St Thomas' NHS Foundation Trust"),
    ("THE SHREWSBURY AND TELFORD HOSPITAL NHS TRUST", "The Shrewsbury and Telford Hospital NHS Trust"),
    ("UNIVERSITY HOSPITALS OF NORTH MIDLANDS NHS TRUST", "University Hospitals of North Midlands NHS Trust"),
])
def test_names_in_ordinary_capitals(upper, nice):
    assert nhs_ods.nice_name(upper) == nice


@pytest.mark.parametrize("code, message", [
    ("RLQ", None),
    ("rlq", "'rlq' is not an NHS trust code; did you mean 'RLQ' (Wye Valley NHS Trust)?"),
    ("Wye Valley NHS Trust", ("'Wye Valley NHS Trust' is a name; give the trust's NHS organisation code instead: "
                             "did you mean 'RLQ' (Wye Valley NHS Trust)?")),
    ("Worcestershire Acute Hospitals", ("'Worcestershire Acute Hospitals' is a name; give the trust's NHS organisation "
                                       "code instead: did you mean 'RWP' (Worcestershire Acute Hospitals NHS Trust)?")),
    ("RWQ", ("'RWQ' (Worcestershire Mental Health Partnership NHS Trust) closed on 2011-06-30; remove it or give the "
            "code of the trust that took over its hospitals")),
    ("QQQQ", "'QQQQ' is not an NHS trust code; give the NHS organisation code of the trust, such as RLQ for Wye Valley NHS Trust"),
])
def test_code_messages(code, message):
    assert nhs_ods.code_problem(code) == message


def test_check_reports_trust_codes_with_their_line(tmp_path):
    providers = tmp_path / "providers"
    providers.mkdir()
    text = (ROOT / "providers" / "aston-house.yaml").read_text()
    text = text.replace("beds:\n", "  acute_trusts:\n  - RLQ\n  - Wye Valley\n  - RWQ\nbeds:\n", 1)
    (providers / "aston-house.yaml").write_text(text)
    line = text.splitlines().index("  acute_trusts:") + 1
    proc = run_build("check", "providers", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        (f"providers/aston-house.yaml:{line}: care.acute_trusts: item 2 'Wye Valley' is a name; give the trust's NHS "
        "organisation code instead: did you mean 'RLQ' (Wye Valley NHS Trust)?"),
        (f"providers/aston-house.yaml:{line}: care.acute_trusts: item 3 'RWQ' (Worcestershire Mental Health Partnership "
        "NHS Trust) closed on 2011-06-30; remove it or give the code of the trust that took over its hospitals"),
    ]


def test_page_shows_trusts_by_name():
    view = HomeView({"location_id": "1-1", "slug": "x", "name": "X", "locality": "Herefordshire",
                     "care": {"acute_trusts": ["RLQ", "RTE"]}}, TODAY)
    assert view.trust_names == ["Wye Valley NHS Trust", "Gloucestershire Hospitals NHS Foundation Trust"]
    care = next(g for g in view.groups() if g.id == "care")
    fact = next(f for f in care.facts if f.label == "Hospitals (acute trusts) the home works with")
    assert fact.text == "Wye Valley NHS Trust; Gloucestershire Hospitals NHS Foundation Trust"


def test_published_data_names_the_trusts(tmp_path):
    proc = run_build("data", "--out", str(tmp_path / "data"), "--providers", str(ROOT / "tests" / "fixtures" / "profiles"))
    assert proc.returncode == 0, proc.stderr + proc.stdout
    rows = list(csv.DictReader(io.StringIO((tmp_path / "data" / "nhs-trusts.csv").read_text())))
    assert {"code": "RLQ", "name": "Wye Valley NHS Trust", "icb": "QGH", "opened": "1994-04-01", "closed": ""} in rows
    homes = list(csv.DictReader(io.StringIO((tmp_path / "data" / "care-homes.csv").read_text())))
    assert [h["acute_trusts"] for h in homes if h["slug"] == "example-full"] == ["RLQ"]
    import json

    pkg = json.loads((tmp_path / "data" / "datapackage.json").read_text())
    res = next(r for r in pkg["resources"] if r["name"] == "nhs-trusts")
    assert res["path"] == "nhs-trusts.csv" and res["schema"]["primaryKey"] == ["code"]
    assert any("Organisation Data Service" in s["title"] for s in pkg["sources"])


def test_profile_page_and_find_filter(built_site):
    out, _ = built_site
    html = (out / "homes" / "example-full" / "index.html").read_text()
    assert "<dd>Wye Valley NHS Trust</dd>" in html
    indexed = search_index(out)
    assert indexed["example-full"]["filters"]["trust"] == ["Wye Valley NHS Trust"]
    assert indexed["example-hostile"]["filters"]["trust"] == ["Alder Hey Children's NHS Foundation Trust"]
