"""The proof that a kind of service is data (issue 19, requirement 4): a copy of schema/ that declares a
made-up day centre (in datapackage.json's x-directory.kinds and in face.json) builds a whole site with both
kinds, and the care homes' pages and files are what they are without it."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, TODAY
from test_kinds import day_centre_schema

from carehomes.load import Profile, parse_profile
from carehomes.pipeline import build_site
from carehomes.schema import Schema, load_schema

CENTRE = ("location_id: 1-000000301\nslug: example-centre\nexample: true\nname: Example Centre (fictional)\n"
          "locality: Exampleshire\nkinds: [day_centre]\nplaces:\n  total: 12\n")
CENTRE_FACE = {
    "page": [{"id": "places", "title": "Places", "source": "{provider}",
              "facts": [{"path": "places.total", "format": "count", "short": "how many places it has"},
                        {"path": "locality", "format": "text", "label": "Local authority area"}]}],
    "card": [{"id": "places", "path": "places.total", "format": "count", "template": "{value} places a day",
              "unknown": "Places: {notProvided}"}],
    "compare": [{"id": "places", "path": "places.total", "format": "count", "label": "Places a day"}],
    "facets": [{"key": "places", "control": "checks", "legend": "Day centre places", "question": "has said its places a day",
                "options": [{"id": "places-given", "filter": "has_places", "path": "places.total", "value": "yes",
                             "label": "Has said its places a day"}]}],
    "sorts": [{"key": "name", "label": "Name (A to Z)", "words": "A to Z by name", "rank": {"value": "name"}}],
}


def _schema_folder(folder: Path) -> Schema:
    """A copy of schema/ with the day centre declared in the data package and in face.json."""
    shutil.copytree(ROOT / "schema", folder)
    pkg = day_centre_schema().package
    (folder / "datapackage.json").write_text(json.dumps(pkg, indent=1), encoding="utf-8")
    face = json.loads((folder / "face.json").read_text(encoding="utf-8"))
    face["kinds"]["day_centre"] = CENTRE_FACE
    (folder / "face.json").write_text(json.dumps(face, indent=1), encoding="utf-8")
    return Schema(pkg, folder)


def _profiles(with_centre: bool) -> list[Profile]:
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((FIXTURES / "profiles").glob("*.yaml"))]
    texts += [("example-centre.yaml", CENTRE)] if with_centre else []
    out = []
    for name, text in texts:
        p, problems = parse_profile(text, name)
        assert p is not None, problems
        out.append(p)
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.mark.slow
def test_a_site_with_a_second_kind_builds_with_no_code_change(tmp_path):
    schema = _schema_folder(tmp_path / "schema")
    both = tmp_path / "both"
    build_site(_profiles(True), both, today=TODAY, schema=schema, index=False, releases_dir=tmp_path / "none")
    homes = tmp_path / "homes"
    build_site(_profiles(False), homes, today=TODAY, schema=load_schema(), index=False, releases_dir=tmp_path / "none")
    import re, base64
    t = (both / "homes/example-centre/index.html").read_text()
    print(re.findall(r'data-pagefind-[a-z]+="[^"]*"[^>]*', t))
    m = re.search(r'<article.*?</article>', t, re.S)
    print(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(0)))[:3000])
    print((both / "homes/example-centre/home.json").read_text())
    print(base64.b64decode(re.search(r'data-v="([^"]+)"', t).group(1)))
    f = (both / "find/index.html").read_text()
    print(re.findall(r'.{200}has_places.{100}', f))
    print(re.findall(r'id="directory-face">.*?</script>', (both / "compare/index.html").read_text())[0][:3000])
    assert False
