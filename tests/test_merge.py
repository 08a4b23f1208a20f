"""Federation: merging councils' packages into one regional package and site."""
from __future__ import annotations

import json

import frictionless

from conftest import NATIONAL, ROOT, run_build


def publish(tmp_path, name, providers):
    out = tmp_path / name / "data"
    r = run_build("data", "--providers", str(providers), "--out", str(out))
    assert r.returncode == 0, r.stderr
    return out / "datapackage.json"


def test_merge_herefordshire_with_a_second_area(tmp_path, shared_data):
    here = publish(tmp_path, "here", ROOT / "providers")
    assert run_build("import-cqc", str(NATIONAL), "--local-authority", "Shropshire", "--providers", str(tmp_path / "shrop")).returncode == 0
    shrop = publish(tmp_path, "shrop", tmp_path / "shrop")
    r = run_build("merge", str(here), str(shrop), "--out", str(tmp_path / "region"))
    assert r.returncode == 0, r.stderr
    n_shrop = len(list((tmp_path / "shrop").glob("*.yaml")))
    assert r.stdout.startswith(f"Merged {88 + n_shrop:,} homes from 2 packages:")
    assert frictionless.validate(str(tmp_path / "region" / "data" / "datapackage.json")).valid
    check = run_build("check", str(tmp_path / "region" / "providers"))  # one 2021 postcode has ended since
    assert [line.split(": ", 1)[1] for line in check.stdout.splitlines()] == [
        "address.postcode: 'SY5 7JR' is not a live postcode; check it on the home's letters"]
    b = run_build("build", "--providers", str(tmp_path / "region" / "providers"), "--out", str(tmp_path / "region" / "site"), "--no-search")
    assert b.returncode == 0, b.stderr
    market = (tmp_path / "region" / "site" / "market" / "index.html").read_text()
    assert "grouped by local authority area" in market and "Shropshire" in market


def test_conflicts_are_reported_and_first_package_wins(tmp_path):
    a = publish(tmp_path, "a", ROOT / "providers")
    b_dir = tmp_path / "b" / "data"
    b_dir.mkdir(parents=True)
    for f in a.parent.iterdir():
        text = f.read_text()
        if f.name == "care-homes.csv":
            text = text.replace("1-10048660596,aston-house,,Aston House,Herefordshire,,,45 Hampton Park Road,Hereford,HR1 1TJ,52.049615,-2.687262,,,,,false,true,true,false,true,true,false,false,true,false,,,,16,",
                                "1-10048660596,aston-house,,Aston House,Herefordshire,,,45 Hampton Park Road,Hereford,HR1 1TJ,52.049615,-2.687262,,,,,false,true,true,false,true,true,false,false,true,false,,,,18,")
            assert ",18," in text
        (b_dir / f.name).write_text(text)
    pkg = json.loads((b_dir / "datapackage.json").read_text())
    for res in pkg["resources"]:
        res.pop("hash", None)
        res.pop("bytes", None)
    (b_dir / "datapackage.json").write_text(json.dumps(pkg))
    r = run_build("merge", str(a), str(b_dir / "datapackage.json"), "--out", str(tmp_path / "m"))
    assert r.returncode == 0, r.stderr
    assert f"  conflict: 1-10048660596 (Aston House): beds.registered is 16 in {a} but 18 in {b_dir / 'datapackage.json'}; kept 16" in r.stdout.splitlines()
    assert "  88 homes were in more than one package; 1 field differed" in r.stdout.splitlines()


def test_a_foreign_package_is_refused(tmp_path):
    bad = tmp_path / "datapackage.json"
    bad.write_text(json.dumps({"resources": [{"name": "care-homes", "path": "x.csv", "schema": {"fields": [{"name": "id"}]}},
                                             {"name": "capabilities", "path": "y.csv", "schema": {"fields": []}}]}))
    r = run_build("merge", str(bad), "--out", str(tmp_path / "m"))
    assert r.returncode == 1 and "care-homes columns differ from this schema" in r.stderr
    assert not (tmp_path / "m").exists()
