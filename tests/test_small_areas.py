"""A council trying the directory on its own area from the national CQC file: the smallest (the Isles of Scilly, one
care home) and a county of districts (Devon), each imported as docs/areas.md says."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from conftest import NATIONAL, run_build
from helpers import no_releases


def _rows(path: Path, local_authorities: set[str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if r["Location Local Authority"] in local_authorities]


def _extract(tmp: Path, local_authorities: set[str], per_authority: int = 2) -> Path:
    """A register file of the national file's own header and its first rows for each of ``local_authorities``."""
    with NATIONAL.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    taken: dict[str, int] = {}
    rows = []
    for r in _rows(NATIONAL, local_authorities):
        la = r["Location Local Authority"]
        if taken.get(la, 0) < per_authority:
            taken[la] = taken.get(la, 0) + 1
            rows.append(r)
    out = tmp / "register.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, header)
        w.writeheader()
        w.writerows(rows)
    return out


def _text(page: Path) -> str:
    """A page's words, without its tags, scripts and styles."""
    import html

    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def scilly(tmp_path_factory):
    """The Isles of Scilly's one care home (Park House), imported from the national file and built."""
    tmp = tmp_path_factory.mktemp("scilly")
    register = _extract(tmp, {"Isles of Scilly"})
    done = run_build("import-cqc", str(register), "--providers", str(tmp / "providers"), "--as-of", "2021-03-31",
                     "--local-authority", "Isles of Scilly")
    assert done.returncode == 0, done.stderr
    built = run_build("build", "--providers", str(tmp / "providers"), "--out", str(tmp / "site"),
                      "--releases", no_releases(tmp / "no-releases"))
    assert built.returncode == 0, built.stderr
    return tmp / "site", done.stdout


@pytest.mark.slow  # builds a site
def test_an_area_of_one_home_never_says_1_homes(scilly):
    site, imported = scilly
    assert "by kind: 1 care home\n" in imported  # the import's report
    pages = {p: _text(site / p) for p in ("index.html", "find/index.html", "browse/index.html", "open-data/index.html",
                                          "market/index.html")}
    assert "This directory lists 1 care home in " in pages["index.html"]
    assert "Browse all 1 home without searching" in pages["find/index.html"]
    assert "There is 1 home." in pages["browse/index.html"]
    assert re.search(r"\(schema version [0-9.]+\)\. 1 home\.", pages["open-data/index.html"])
    assert "is not known for the 1 home: the CQC data we hold does not say" in pages["market/index.html"]
    for page, words in pages.items():
        assert not re.search(r"\b1 (care )?homes\b", words), (page, re.findall(r".{60}\b1 (?:care )?homes\b.{20}", words))
