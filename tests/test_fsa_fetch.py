"""import-fsa --fetch: the real Herefordshire FHRS file served by a loopback stand-in for the FSA."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, SHARED
from download_stub import DownloadStub

from carehomes import cli
from carehomes.sources import fsa_fetch

HEREFORDSHIRE = SHARED / "data" / "fsa" / "FHRS895en-GB.xml"
PATH = "/api/open-data-files/FHRS895en-GB.xml"
RECORD = r"<EstablishmentDetail><FHRSID>{id}</FHRSID>.*?</EstablishmentDetail>"


def served(extract: str = "2020-11-13") -> bytes:
    """The real file with a week's news: Aston House (488493) re-rated 4 on 2020-11-10, the kitchen of
    1-2 Markyes Close (489341) gone from the register, and the header's ExtractDate as given."""
    text = HEREFORDSHIRE.read_text(encoding="utf-8")
    aston = re.search(RECORD.format(id=488493), text).group(0)
    new = aston.replace("<RatingValue>5</RatingValue>", "<RatingValue>4</RatingValue>").replace(
        "<RatingDate>2020-02-14</RatingDate>", "<RatingDate>2020-11-10</RatingDate>")
    text = text.replace(aston, new)
    text = re.sub(RECORD.format(id=489341), "", text, count=1)
    return text.replace("<ExtractDate>2020-11-13</ExtractDate>", f"<ExtractDate>{extract}</ExtractDate>").encode()


@pytest.fixture
def providers(tmp_path: Path) -> Path:
    out = tmp_path / "repo" / "providers"
    out.mkdir(parents=True)
    for slug in ("aston-house", "ashfield-house-leominister", "aspire-living-1-2-markyes-close"):
        text = (ROOT / "providers" / f"{slug}.yaml").read_text()
        if slug == "ashfield-house-leominister":  # never matched before
            text = re.sub(r"^food_hygiene:\n(  .*\n)*", "", text, flags=re.M)
        (out / f"{slug}.yaml").write_text(text)
    return out


def run(tmp_path: Path, stub: DownloadStub, providers: Path, monkeypatch, *extra: str, codes: object = (895,)) -> int:
    cfg = tmp_path / "mkdocs.yml"
    cfg.write_text(json.dumps({"extra": {"directory": {"fsa_authorities": list(codes) if isinstance(codes, tuple) else codes}}}))
    monkeypatch.setenv(fsa_fetch.ENV_URL, stub.url("/api/open-data-files/FHRS{code}en-GB.xml"))
    return cli.main(["import-fsa", "--fetch", "--config", str(cfg), "--providers", str(providers), *extra])


def test_fetch_applies_the_fsa_file_and_tells_a_steward_what_changed(tmp_path, providers, monkeypatch, capsys):
    with DownloadStub() as stub:
        stub.routes[PATH] = (200, {"Content-Type": "application/xml"}, served())
        assert run(tmp_path, stub, providers, monkeypatch) == 0
        out = capsys.readouterr().out
        assert out.split("\n\n")[0].splitlines() == [
            "Ratings changed (1):",
            "  aston-house.yaml: Aston House: 5 (2020-02-14) -> 4 (2020-11-10); https://ratings.food.gov.uk/business/488493",
            "Homes newly matched (1):",
            "  ashfield-house-leominister.yaml: Ashfield House - Leominister: FHRS ID 488967, rating 4 (2020-01-14) "
            "(postcode and name); https://ratings.food.gov.uk/business/488967",
            "Homes that lost a match (1):",
            "  aspire-living-1-2-markyes-close.yaml: Aspire Living - 1-2 Markyes Close: FHRS ID 489341 is no longer its "
            "match: no caring premises at HR97BZ or with its name nearby (the profile keeps its last rating; pin "
            "food_hygiene.fhrs_id or correct it)",
        ]
        assert "FHRS file FHRS895en-GB.xml (2020-11-13): 1,993 establishments, 176 caring premises" in out
        assert stub.log == [PATH]
    aston = (providers / "aston-house.yaml").read_text()
    assert "  rating: '4'\n  date: 2020-11-10\n  fhrs_id: 488493\n" in aston
    assert "fhrs_id: 488967" in (providers / "ashfield-house-leominister.yaml").read_text()
    assert json.loads((providers.parent / "fsa-sync.json").read_text()) == {"extract_dates": {"895": "2020-11-13"}}


def test_an_older_file_is_refused_and_nothing_written(tmp_path, providers, monkeypatch, capsys):
    (providers.parent / "fsa-sync.json").write_text(json.dumps({"extract_dates": {"895": "2020-11-20"}}))
    before = {p: p.read_text() for p in providers.iterdir()}
    with DownloadStub() as stub:
        stub.routes[PATH] = (200, {}, served())
        assert run(tmp_path, stub, providers, monkeypatch) == 1
        assert capsys.readouterr().err == (
            f"{stub.url(PATH)}: its ExtractDate 2020-11-13 is older than 2020-11-20, the file imported last "
            f"({providers.parent / 'fsa-sync.json'}); nothing was imported: the FSA may be serving an old copy, so run "
            "import-fsa --fetch again later (or give --allow-older)\n")
    assert {p: p.read_text() for p in providers.iterdir()} == before
    assert json.loads((providers.parent / "fsa-sync.json").read_text())["extract_dates"]["895"] == "2020-11-20"


def test_a_dry_run_writes_nothing_and_a_missing_file_is_named(tmp_path, providers, monkeypatch, capsys):
    before = {p: p.read_text() for p in providers.iterdir()}
    with DownloadStub() as stub:
        stub.routes[PATH] = (200, {}, served())
        assert run(tmp_path, stub, providers, monkeypatch, "--dry-run") == 0
        assert "Ratings changed (1):" in capsys.readouterr().out
        assert run(tmp_path, stub, providers, monkeypatch, codes=(895, 557)) == 1
        assert capsys.readouterr().err == (
            f"{stub.url('/api/open-data-files/FHRS557en-GB.xml')}: HTTP 404; nothing was imported: check the FSA local "
            "authority code 557 in mkdocs.yml: extra.directory.fsa_authorities, or run import-fsa --fetch again later\n")
    assert {p: p.read_text() for p in providers.iterdir()} == before
    assert not (providers.parent / "fsa-sync.json").exists()


@pytest.mark.parametrize(("codes", "message"), [
    ([], "{cfg}: extra.directory.fsa_authorities is an empty list; list your council's FSA local authority codes, like "
         "fsa_authorities: [895] for Herefordshire (they are in the FSA's open data file names, FHRS895en-GB.xml)"),
    (None, "{cfg}: extra.directory.fsa_authorities is not set; list your council's FSA local authority codes, like "
           "fsa_authorities: [895] for Herefordshire (they are in the FSA's open data file names, FHRS895en-GB.xml)"),
    (["895"], "{cfg}: extra.directory.fsa_authorities must be a list of FSA local authority codes (whole numbers), like [895]"),
])
def test_authority_codes_must_be_set(tmp_path, providers, monkeypatch, capsys, codes, message):
    with DownloadStub() as stub:
        assert run(tmp_path, stub, providers, monkeypatch, codes=codes) == 1
        assert capsys.readouterr().err == message.format(cfg=tmp_path / "mkdocs.yml") + "\n", "the settings file read is named"
        assert stub.log == []


def test_an_fsa_address_without_its_code_is_refused_before_any_fetch(tmp_path, providers, monkeypatch, capsys):
    """CAREHOMES_FSA_URL without {code} fetched the same file for every council, each read as its own."""
    before = {p: p.read_text() for p in providers.iterdir()}
    with DownloadStub() as stub:
        cfg = tmp_path / "mkdocs.yml"
        cfg.write_text(json.dumps({"extra": {"directory": {"fsa_authorities": [895, 557]}}}))
        fixed = stub.url("/api/open-data-files/FHRS895en-GB.xml")
        monkeypatch.setenv(fsa_fetch.ENV_URL, fixed)
        assert cli.main(["import-fsa", "--fetch", "--config", str(cfg), "--providers", str(providers)]) == 1
        assert capsys.readouterr().err == (
            f"CAREHOMES_FSA_URL {fixed} has no {{code}}, so every council's file would be fetched from that one "
            "address; put {code} where the FSA local authority code goes, like "
            "https://ratings.food.gov.uk/api/open-data-files/FHRS{code}en-GB.xml\n")
        assert stub.log == []
    assert {p: p.read_text() for p in providers.iterdir()} == before


def test_an_areas_fetch_names_the_areas_settings_file(tmp_path, monkeypatch, capsys):
    """Oldham has no FSA file (fsa_authorities: []): the message names areas/oldham/mkdocs.yml, not the top level's."""
    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    with DownloadStub() as stub:
        monkeypatch.setenv(fsa_fetch.ENV_URL, stub.url("/api/open-data-files/FHRS{code}en-GB.xml"))
        assert cli.main(["import-fsa", "--fetch", "--area", "oldham", "--providers", str(tmp_path), "--dry-run"]) == 1
        assert capsys.readouterr().err == (
            "areas/oldham/mkdocs.yml: extra.directory.fsa_authorities is an empty list; list your council's FSA local authority "
            "codes, like fsa_authorities: [895] for Herefordshire (they are in the FSA's open data file names, FHRS895en-GB.xml)\n")
        assert stub.log == []


def test_an_area_that_leaves_fsa_authorities_out_has_none_not_the_top_levels(tmp_path, monkeypatch, capsys):
    """A new area's settings that INHERIT the top level and do not set fsa_authorities have none (docs/areas.md): the
    fetch refuses, naming the area's file, rather than downloading the top level's council's file (Herefordshire's,
    895, fetched every week for Brighton and Hove and matched to none of its homes)."""
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\nextra:\n  directory:\n    area: Brighton and Hove\n")
    with DownloadStub() as stub:
        monkeypatch.setenv(fsa_fetch.ENV_URL, stub.url("/api/open-data-files/FHRS{code}en-GB.xml"))
        assert cli.main(["import-fsa", "--fetch", "--config", str(config), "--providers", str(tmp_path), "--dry-run"]) == 1
        assert capsys.readouterr().err == (
            f"{config}: extra.directory.fsa_authorities is not set; list your council's FSA local authority codes, like "
            "fsa_authorities: [895] for Herefordshire (they are in the FSA's open data file names, FHRS895en-GB.xml)\n")
        assert stub.log == []


def test_fetch_and_files_do_not_go_together(capsys):
    assert cli.main(["import-fsa", "--fetch", str(HEREFORDSHIRE)]) == 2
    assert capsys.readouterr().err == "import-fsa --fetch downloads the council's files from the FSA: give no FILE\n"
    assert cli.main(["import-fsa"]) == 2
    assert "or --fetch to download" in capsys.readouterr().err


def test_the_weekly_workflow_opens_one_pull_request_with_the_stewards_summary(tmp_path, capsys):
    import yaml

    from carehomes import prbody

    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "fsa-sync.yml").read_text())
    on = wf.pop(True)
    assert on["schedule"][0]["cron"].split()[2:] == ["*", "*", "2"] and "workflow_dispatch" in on  # weekly
    assert wf["permissions"] == {}
    job = wf["jobs"]["sync"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    runs = {s.get("name", ""): s for s in job["steps"]}
    fetch = runs["Fetch and apply the FSA files"]["run"]
    assert "pipefail" in fetch and "python3 build.py import-fsa --fetch ${AREA:+--area \"$AREA\"} | tee \"$RUNNER_TEMP/fsa-report.txt\"" in fetch
    assert job["env"] == {"AREA": "${{ inputs.area || vars.AREA }}"}  # the area (docs/areas.md), read only as "$AREA"
    pr = runs["Open or update the pull request"]
    assert pr["env"]["SYNC_PR_TOKEN"] == "${{ secrets.SYNC_PR_TOKEN }}" and pr["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    assert 'git add -- "${FOLDER}providers/" "${FOLDER}fsa-sync.json"' in pr["run"] and "build.py github git -- push --force origin fsa-sync" in pr["run"]
    assert "build.py github pull-request --head fsa-sync" in pr["run"]
    assert 'python3 -m carehomes.prbody --fsa "$RUNNER_TEMP/fsa-report.txt"' in pr["run"]
    assert "${{" not in "\n".join(s.get("run", "") for s in job["steps"])
    (tmp_path / "r.txt").write_text("Ratings changed (1):\n  a.yaml: A ``` B: 5 (2020-01-01) -> 4 (2020-11-10)\n")
    assert prbody.main(["--fsa", str(tmp_path / "r.txt")]) == 0
    assert capsys.readouterr().out == (f"{prbody.FSA_INTRO}\n\n````text\nRatings changed (1):\n"
                                       "  a.yaml: A ``` B: 5 (2020-01-01) -> 4 (2020-11-10)\n````\n")
