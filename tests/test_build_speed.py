"""The national-scale shortcuts of issue 24 in the build's later stages (pages, ORUK API, sitemap, --timings'
counting): each gives what the slow way gave."""
from __future__ import annotations

import json
import os
from types import SimpleNamespace
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT, TODAY
from helpers import no_releases

from carehomes import cli, pipeline
from carehomes.face import face_of
from carehomes.outputs.oruk import service
from carehomes.outputs.oruk_api import api_files
from carehomes.outputs.postcode_lookup import write_lookup
from carehomes.outputs.sitemap import page_folders
from carehomes.pipeline import build_site, check_paths, write_oruk_api
from carehomes.schema import load_schema
from carehomes.search import write_search
from carehomes.parallel import PARALLEL_FROM
from carehomes.timings import Timings, folder_totals


def _old_pages(site: Path) -> list[str]:
    """How write_sitemap found the pages before: every index.html of the site, less two folders."""
    return sorted(p.parent.relative_to(site).as_posix() for p in site.rglob("index.html")
                  if not p.relative_to(site).as_posix().startswith(("data/", "oruk/")))


def _write(path: Path, text: str = "x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_sitemap_finds_the_pages_the_old_walk_found(tmp_path):
    for rel in ["index.html", "homes/a/index.html", "homes/a/home.json", "browse/town-x/index.html", "find/index.html",
                "data/index.html", "data/x/index.html", "oruk/index.html", "oruk/services/1/index.html",
                "postcodes/HR/HR1-1.json", "database/index.html", "oruks/index.html",
                "deep/a/b/c/index.html", "homes/b/other.html"]:
        _write(tmp_path / rel)
    os.symlink(tmp_path / "homes", tmp_path / "linked")  # a linked folder is not walked, by either way
    assert sorted(page_folders(tmp_path)) == _old_pages(tmp_path) == [
        ".", "browse/town-x", "database", "deep/a/b/c", "find", "homes/a", "oruks"]


def test_sitemap_of_the_bundled_site_lists_what_the_old_walk_found(built_site):
    site, _ = built_site
    site = site.resolve()
    assert sorted(page_folders(site)) == _old_pages(site)
    homes = frozenset(f"homes/{p.name}" for p in (site / "homes").iterdir())  # the build's own home pages, not opened
    assert sorted(page_folders(site, homes)) == _old_pages(site)


def test_sitemap_takes_the_home_pages_the_build_wrote_without_opening_their_folders(tmp_path):
    for rel in ["index.html", "homes/a/index.html", "homes/b/index.html", "browse/a/index.html"]:
        _write(tmp_path / rel)
    (tmp_path / "homes" / "b" / "index.html").unlink()  # not opened: the build said it wrote it
    assert sorted(page_folders(tmp_path, frozenset({"homes/a", "homes/b", "homes/gone"}))) == [
        ".", "browse/a", "homes/a", "homes/b"]  # a known page with no folder is not listed


def test_need_words_of_the_same_length_keep_one_order():
    words = face_of(load_schema()).need_words()
    assert words == sorted(words, key=lambda w: (-len(w[0]), w))  # not a set's order, which moves from run to run


def test_timings_counts_only_where_a_stage_writes_and_the_whole_site_once(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    t = Timings()
    with t.stage("pages", out):
        _write(out / "homes" / "a" / "index.html", "page")
        _write(out / "sitemap.xml", "old")
    with t.stage("data", out, ("data",)):
        _write(out / "data" / "a.csv", "1,2,3")
    with t.stage("search", out):  # the whole folder: before is what the stages so far counted
        _write(out / "pagefind" / "x.pf", "12")
    with t.stage("sitemap", out, ("sitemap.xml", "robots.txt")):
        _write(out / "sitemap.xml", "longer")
        _write(out / "robots.txt", "r")
    got = {s.name: (s.files, s.bytes) for s in t.stages}
    assert got == {"pages": (2, 7), "data": (1, 5), "search": (1, 2), "sitemap": (1, 4)}
    assert sum(f for f, _ in got.values()) == folder_totals(out)[0] and sum(b for _, b in got.values()) == folder_totals(out)[1]


def test_timings_under_counts_nothing_written_elsewhere(tmp_path):
    out = tmp_path / "site"
    t = Timings()
    with t.stage("postcode lookup", out, ("postcodes",)):
        _write(out / "elsewhere.txt")
    assert (t.stages[0].files, t.stages[0].bytes) == (0, 0)


def test_the_oruk_api_written_by_a_worker_is_every_file_of_api_files(tmp_path):
    profiles = check_paths([FIXTURES / "profiles"], on=TODAY).profiles
    services = [service(dict(p.data)) for p in profiles]
    raw = json.dumps(services).encode("utf-8")
    assert write_oruk_api(raw, tmp_path / "oruk", "https://example.org/", "") == len(want := api_files(services, "https://example.org/"))
    got = {p.relative_to(tmp_path / "oruk").as_posix(): p.read_bytes() for p in (tmp_path / "oruk").rglob("*") if p.is_file()}
    assert got == want


def test_write_api_keeps_the_last_record_of_an_id_as_api_files_does(tmp_path):
    from carehomes.outputs.oruk_api import write_api

    profiles = check_paths([FIXTURES / "profiles"], on=TODAY).profiles
    services = [service(dict(p.data)) for p in profiles][:3]
    services.append({**services[0], "name": "The same id again"})
    want = api_files(services, "https://example.org/", "https://api.example.org/")
    assert write_api(services, tmp_path / "oruk", "https://example.org/", "https://api.example.org/") == len(want)
    got = {p.relative_to(tmp_path / "oruk").as_posix(): p.read_bytes() for p in (tmp_path / "oruk").rglob("*") if p.is_file()}
    assert got == want and b"The same id again" in want[f"services/{services[0]['id']}/index.html"]


def test_a_failed_build_leaves_no_oruk_folder_beside_it(tmp_path, monkeypatch):
    def half_done(services_json: bytes, folder: Path, *args: str) -> int:
        write_oruk_api(services_json, folder, *args)
        raise RuntimeError("the ORUK API broke")

    monkeypatch.setattr(pipeline, "prepare_pages", lambda *args, **kwargs: SimpleNamespace(close=lambda: None))  # no pages
    monkeypatch.setattr(pipeline, "finish_pages", lambda *args, **kwargs: 0)
    monkeypatch.setattr(pipeline, "write_oruk_api", half_done)
    profiles = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY).profiles
    with pytest.raises(RuntimeError, match="the ORUK API broke"):
        build_site(profiles, tmp_path / "site", today=TODAY, releases_dir=tmp_path / "none", index=False)
    builds = tmp_path / ".site-builds"
    assert not [p.name for p in builds.iterdir() if not p.name.startswith(".")], "neither the build nor its oruk folder"


@pytest.mark.slow  # builds a site
def test_a_failed_build_leaves_no_postcode_folder_beside_it(tmp_path, monkeypatch):
    def half_done(site: Path, *args: Any) -> dict:
        write_lookup(site, *args)
        raise RuntimeError("the lookup broke")

    monkeypatch.setattr(pipeline, "prepare_pages", lambda *args, **kwargs: SimpleNamespace(close=lambda: None))  # no pages
    monkeypatch.setattr(pipeline, "finish_pages", lambda *args, **kwargs: 0)
    monkeypatch.setattr(pipeline, "write_lookup", half_done)
    profiles = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY).profiles
    with pytest.raises(RuntimeError, match="the lookup broke"):
        build_site(profiles, tmp_path / "site", today=TODAY, releases_dir=tmp_path / "none", index=False)
    assert not [p.name for p in (tmp_path / ".site-builds").iterdir() if not p.name.startswith(".")]


def test_a_failed_build_leaves_no_search_folder_beside_it(tmp_path, monkeypatch):
    def half_done(views: list, site: Path, index: bool, localities: dict) -> str:
        write_search(views, site, index, localities)
        raise RuntimeError("the index broke")

    monkeypatch.setattr(pipeline, "prepare_pages", lambda *args, **kwargs: SimpleNamespace(close=lambda: None))  # no pages
    monkeypatch.setattr(pipeline, "finish_pages", lambda *args, **kwargs: 0)
    monkeypatch.setattr(pipeline, "write_search", half_done)
    profiles = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY).profiles
    with pytest.raises(RuntimeError, match="the index broke"):
        build_site(profiles, tmp_path / "site", today=TODAY, releases_dir=tmp_path / "none")
    assert not [p.name for p in (tmp_path / ".site-builds").iterdir() if not p.name.startswith(".")]


@pytest.mark.slow  # builds a site
def test_a_build_moves_the_api_and_the_lookup_written_beside_it_into_the_site(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "prepare_pages", lambda *args, **kwargs: SimpleNamespace(close=lambda: None))  # no pages
    monkeypatch.setattr(pipeline, "finish_pages", lambda *args, **kwargs: 0)
    profiles = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY).profiles
    build_site(profiles, tmp_path / "site", today=TODAY, releases_dir=tmp_path / "none", index=False)
    builds = [p for p in (tmp_path / ".site-builds").iterdir() if not p.name.startswith(".")]
    assert builds == [(tmp_path / "site").resolve()], "the build alone: no -oruk, -search or -lookup folder left beside it"
    assert (tmp_path / "site" / "oruk" / "services" / "index.html").is_file()
    assert json.loads((tmp_path / "site" / "search" / "facets.json").read_text(encoding="utf-8"))["homes"] == 1  # the search, too
    assert json.loads((tmp_path / "site" / "postcodes" / "areas.json").read_text(encoding="utf-8"))["format"] == 1


@pytest.mark.slow  # builds a site
def test_a_content_page_where_the_oruk_api_goes_is_a_clear_error_not_a_traceback(tmp_path, capsys):
    content = tmp_path / "content"
    (content / "oruk").mkdir(parents=True)
    (content / "index.md").write_text("# Home\n", encoding="utf-8")
    (content / "oruk" / "index.md").write_text("# Our ORUK page\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("docs_dir: content", f"docs_dir: {content}")
                      .replace("custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}"), encoding="utf-8")
    out = tmp_path / "site"
    assert cli.main(["build", "--providers", str(FIXTURES / "profiles" / "example-full.yaml"), "--out", str(out),
                     "--config", str(config), "--no-search", "--releases", no_releases(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert err.endswith(f"The build failed, so {out} was left as it was:\nthe pages made a folder oruk/ in the site, where "
                        "the static ORUK API goes: rename the content page or folder named oruk (in mkdocs.yml's docs_dir)\n"), err
    assert "Traceback" not in err and not out.exists()


def test_state_folders_are_the_old_way_s_resolved_grandparents(tmp_path, monkeypatch):
    from carehomes.sources.cqc_api import state_folders

    for rel in ["a/providers/x.yaml", "a/providers/y.yaml", "b/providers/z.yaml", "c/elsewhere/t.yaml"]:
        _write(tmp_path / rel)
    os.symlink(tmp_path / "b" / "providers", tmp_path / "a" / "linked")  # a linked folder: resolved to b/
    os.symlink(tmp_path / "c" / "elsewhere" / "t.yaml", tmp_path / "a" / "providers" / "t.yaml")  # a linked profile
    monkeypatch.chdir(tmp_path / "a")
    paths = [str(tmp_path / "a/providers/x.yaml"), tmp_path / "a/providers/y.yaml", str(tmp_path / "a/linked/z.yaml"),
             str(tmp_path / "a/providers/t.yaml"), "providers/x.yaml", "../b/providers/../providers/z.yaml",
             str(tmp_path / "a/providers/missing.yaml")]
    old = {Path(p).resolve().parent.parent for p in paths}
    assert state_folders(paths) == old == {tmp_path / "a", tmp_path / "b", tmp_path / "c"}


def test_timings_count_later_counts_in_a_worker_what_the_walk_would_have_counted(tmp_path):
    """A stage whose files a worker counts while the later stages go on (the pages, nationally): the same figures
    as counting after the block, less the folders later stages write; a file later rewritten (sitemap.xml) counted
    as it was when the block ended."""
    out = tmp_path / "site"
    out.mkdir()
    t = Timings()
    with t.stage("pages", out) as told:
        for i in range(3):
            _write(out / "homes" / f"h{i}" / "index.html", "page")
        _write(out / "sitemap.xml", "old")
        told.count_later(("data", "sitemap.xml", "robots.txt"), items=PARALLEL_FROM)  # in a worker process
    with t.stage("data", out, ("data",)):
        _write(out / "data" / "a.csv", "1,2,3")
    with t.stage("sitemap", out, ("sitemap.xml", "robots.txt")):
        _write(out / "sitemap.xml", "longer")
        _write(out / "robots.txt", "r")
    t.settle()
    got = {s.name: (s.files, s.bytes) for s in t.stages}
    assert got == {"pages": (4, 15), "data": (1, 5), "sitemap": (1, 4)}
    assert (sum(f for f, _ in got.values()), sum(b for _, b in got.values())) == folder_totals(out)
    (name, span, _), = t.beside
    assert name == "counting: pages" and span.pid != os.getpid() and span.ended >= span.began
    assert "counting: pages" in t.table()


def test_the_open_data_written_beside_is_moved_in_or_merged_into_a_data_folder_the_pages_made(tmp_path):
    from carehomes.pipeline import _move_data_in, _write_data_beside

    files = {"a.csv": b"1,2\n", "sub/b.json": b"{}"}
    for merged in (False, True):
        out, beside = tmp_path / f"site{merged}", tmp_path / f"beside{merged}"
        out.mkdir()
        if merged:  # a content folder named data: its own files stay, the open data's replace theirs
            _write(out / "data" / "index.html", "page")
            _write(out / "data" / "a.csv", "old")
        assert _write_data_beside(files, [], beside) == {"a.csv": 4, "sub/b.json": 2}
        assert _move_data_in(beside, out) is not merged
        got = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        assert got == {"data/a.csv": b"1,2\n", "data/sub/b.json": b"{}", **({"data/index.html": b"page"} if merged else {})}


def test_the_oruk_api_takes_each_service_file_from_its_line_in_the_package_as_api_files_makes_it(tmp_path):
    """The build's ORUK worker writes each /services/{id} file from the service's line in data/oruk-services.json
    (not encoded again): the same bytes as api_files, hostile text made safe for a host that says text/html."""
    from carehomes.outputs.oruk import service_package, service_texts
    from carehomes.outputs.pieces import home_pieces
    from carehomes.schema import load_schema

    profiles = check_paths([FIXTURES / "profiles"], on=TODAY).profiles
    schema = load_schema()
    hostile = dict(profiles[0].data, name='<script>alert("x")</script> & Co\n</p>', location_id="1-HOSTILE")
    lines = [home_pieces(d, schema).oruk for d in [p.data for p in profiles] + [hostile]]
    package = service_package(lines)
    assert service_texts(package) == lines and service_texts(service_package([])) == []
    assert service_texts(b'[{"id": "x"}]') is None  # not the package's form: encoded again
    services = json.loads(package)
    assert write_oruk_api(package, tmp_path / "oruk", "https://example.org/", "") == len(want := api_files(services, "https://example.org/"))
    got = {p.relative_to(tmp_path / "oruk").as_posix(): p.read_bytes() for p in (tmp_path / "oruk").rglob("*") if p.is_file()}
    assert got == want
    mine = [v for k, v in got.items() if k.startswith("services/") and k != "services/index.html"
            and json.loads(v)["name"].startswith("<script>")]
    assert len(mine) == 1 and b"<" not in mine[0] and b"&" not in mine[0].replace(b"\\u0026", b"")
