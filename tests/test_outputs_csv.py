"""CSV for machines (RFC 4180) and for people (an Excel download that opens by double-click)."""
from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import FIXTURES

from carehomes.load import parse_profile
from carehomes.outputs.tables import EXCEL_CSV, FORMULA_NOTE
from carehomes.publish import write_data

NAME = "Résidence Zoë’s Cottage"  # é, ë and a curly apostrophe: what Windows-1252 decoding garbles


def _profiles():
    out = []
    for path in sorted((FIXTURES / "profiles").glob("*.yaml")):
        p, _ = parse_profile(path.read_text(encoding="utf-8"), path.name)
        out.append(p)
    out[0].data["name"] = NAME
    out[0].data["care"]["acute_trusts"] = ["=cmd|' /C calc'!A0", "Wye Valley NHS Trust"]
    return out


def excel_decode(raw: bytes) -> str:
    """Decode a CSV as Excel for Windows does on double-click: a UTF-8 byte order mark means UTF-8,
    anything else is read in the ANSI code page (Windows-1252 in the UK)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    return raw.decode("cp1252", errors="replace")


def test_package_csvs_are_rfc4180_crlf_without_bom(tmp_path):
    write_data(_profiles(), tmp_path)
    for name in ("care-homes.csv", "capabilities.csv"):
        raw = (tmp_path / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), name
        assert raw.endswith(b"\r\n"), name
        assert raw.count(b"\n") == raw.count(b"\r\n"), f"{name}: a line ends without CR"
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
        assert len({len(r) for r in rows}) == 1, f"{name}: rows of different lengths"


def test_excel_download_opens_with_accents_intact(tmp_path):
    write_data(_profiles(), tmp_path)
    raw = (tmp_path / EXCEL_CSV).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = excel_decode(raw)
    assert NAME in text
    # The same table, byte for byte, after the BOM.
    assert raw[3:] == (tmp_path / "care-homes.csv").read_bytes()
    # Without the BOM, Excel would garble the name: the test's decoder really tells the two apart.
    assert NAME not in excel_decode((tmp_path / "care-homes.csv").read_bytes())
    # Formulas stay neutralised in the Excel file.
    assert "'=cmd|' /C calc'!A0;Wye Valley NHS Trust" in text


@pytest.mark.slow  # frictionless validates a whole package
def test_both_csvs_pass_frictionless(tmp_path):
    import frictionless  # imported here, by the slow tests that use it: not on collection by each worker (0.3 s)

    write_data(_profiles(), tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    pkg = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    [homes] = [r for r in pkg["resources"] if r["name"] == "care-homes"]
    excel = frictionless.Resource(path=EXCEL_CSV, basepath=str(tmp_path), schema=frictionless.Schema.from_descriptor(homes["schema"]))
    report = frictionless.validate(excel)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    with excel:
        rows = excel.read_rows()
    assert rows[0]["name"] == NAME and excel.encoding == "utf-8-sig"


def test_formula_neutralisation_is_in_the_field_descriptions(tmp_path):
    write_data(_profiles(), tmp_path)
    pkg = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for r in pkg["resources"] if r.get("schema") for f in r["schema"]["fields"]}
    assert FORMULA_NOTE in fields["name"]["description"]
    assert FORMULA_NOTE in fields["acute_trusts"]["description"]
    assert FORMULA_NOTE not in fields["beds_registered"]["description"]


def test_open_data_page_explains_formula_apostrophe_and_excel_file(built_site):
    site, _ = built_site
    page = (site / "open-data" / "index.html").read_text(encoding="utf-8")
    assert "has one extra apostrophe" in page
    assert 'href="../data/care-homes-excel.csv"' in page
