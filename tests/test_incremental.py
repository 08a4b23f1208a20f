"""serve rebuilding only what a change touches (carehomes/incremental.py, carehomes/watch.py; issue 24)."""
from __future__ import annotations

import os
import re
import shutil
import threading
import time
import urllib.request
from pathlib import Path
from threading import Thread

import pytest

from carehomes.incremental import FULL, Live, changes, snapshot, sync_tree, touched
from carehomes.localserver import site_server
from carehomes.schema import ROOT
from carehomes.watch import RELOAD_JS, STATE_PATH, ServeState, live_handler, watching

PROV = ROOT / "providers"
HOME = {"location_id": "1-1", "slug": "rose-court", "name": "Rose Court", "locality": "Herefordshire",
        "address": {"town": "Leominster"}, "beds": {"registered": 20}, "_yes_filters": ["care_nursing"]}
NEEDS = ("care_nursing", "band_dementia")


def test_one_profile_edited_touches_its_page_rows_card_and_lists():
    new = {**HOME, "phone": "01432 000000"}
    assert touched([PROV / "rose-court.yaml"], HOME, new, needs=NEEDS) == {
        "homes/rose-court/", "data:1-1", "card:rose-court", "list:letter/r", "list:town/leominster",
        "list:area/Herefordshire", "list:need/care_nursing"}


def test_a_home_that_moves_town_and_meets_a_new_need_touches_the_lists_it_left_and_joined():
    new = {**HOME, "address": {"town": "Ross-on-Wye"}, "_yes_filters": ["care_nursing", "band_dementia"]}
    out = touched([PROV / "rose-court.yaml"], HOME, new, needs=NEEDS)
    assert {"list:town/leominster", "list:town/ross on wye", "list:need/band_dementia"} <= out
    assert "counts" not in out


def test_a_renamed_home_touches_both_its_letters_and_a_new_slug_both_pages():
    new = {**HOME, "name": "The Willows", "slug": "the-willows"}
    out = touched([PROV / "the-willows.yaml"], HOME, new, needs=NEEDS)
    assert {"list:letter/r", "list:letter/w", "homes/rose-court/", "homes/the-willows/", "card:the-willows"} <= out


def test_a_home_added_removed_or_with_other_beds_changes_the_counts():
    assert "counts" in touched([PROV / "rose-court.yaml"], None, HOME, needs=NEEDS)
    assert "counts" in touched([PROV / "rose-court.yaml"], HOME, None, needs=NEEDS)
    assert "counts" in touched([PROV / "rose-court.yaml"], HOME, {**HOME, "beds": {"registered": 21}}, needs=NEEDS)


def test_a_closed_home_is_in_no_list():
    out = touched([PROV / "rose-court.yaml"], HOME, {**HOME, "cqc": {"status": "Deregistered"}}, needs=NEEDS)
    assert "counts" in out and "list:town/leominster" in out  # it left the list, so the list is touched


@pytest.mark.parametrize("path", [ROOT / "schema" / "datapackage.json", ROOT / "content" / "index.md",
                                  ROOT / "overrides" / "main.html", ROOT / "mkdocs.yml", PROV / "_template.yaml",
                                  PROV / "notes.txt"])
def test_anything_but_a_profile_rebuilds_the_whole_site(path):
    assert touched([path], HOME, HOME) == {FULL}


def test_two_profiles_at_once_or_nothing_known_rebuild_the_whole_site():
    assert touched([PROV / "a.yaml", PROV / "b.yaml"], HOME, HOME) == {FULL}
    assert touched([PROV / "a.yaml"], None, None) == {FULL}
    assert touched([], HOME, HOME) == {FULL}


def test_a_profile_outside_the_providers_folders_is_not_one_of_this_sites(tmp_path):
    assert touched([tmp_path / "rose-court.yaml"], HOME, HOME) == {FULL}
    assert touched([tmp_path / "rose-court.yaml"], HOME, HOME, providers=[tmp_path]) != {FULL}


def test_snapshots_show_files_added_saved_and_removed(tmp_path):
    (tmp_path / "providers").mkdir()
    a, b = tmp_path / "providers" / "a.yaml", tmp_path / "providers" / "b.yaml"
    a.write_text("x")
    b.write_text("y")
    (tmp_path / "mkdocs.yml").write_text("site_name: x")
    before = snapshot(tmp_path)
    assert set(before) == {a, b, tmp_path / "mkdocs.yml"}
    b.unlink()
    c = tmp_path / "providers" / "c.yaml"
    c.write_text("z")
    os.utime(a, ns=(before[a] + 10**9, before[a] + 10**9))
    assert changes(before, snapshot(tmp_path)) == [a, b, c]
    assert changes(before, before) == []


def test_sync_tree_writes_only_what_differs_and_removes_what_is_gone(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    (src / "x").mkdir(parents=True)
    (dst / "x").mkdir(parents=True)
    (src / "same.txt").write_text("1")
    (dst / "same.txt").write_text("1")
    (src / "x" / "new.txt").write_text("2")
    (dst / "old.txt").write_text("3")
    assert sync_tree(src, dst) == 1
    assert (dst / "old.txt").exists()
    assert sync_tree(src, dst, delete=True) == 1
    assert sorted(p.relative_to(dst).as_posix() for p in dst.rglob("*.txt")) == ["same.txt", "x/new.txt"]


def test_serve_adds_the_reload_script_as_pages_are_sent_and_never_to_the_files(tmp_path):
    page = "<html><body><form id=\"find-form\"></form></body></html>"
    (tmp_path / "find").mkdir()
    (tmp_path / "find" / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "data.json").write_text("{}", encoding="utf-8")
    state = ServeState()
    server = site_server(tmp_path, port=0, handler=live_handler(state))
    Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(base + "/find/") as r:
            sent = r.read().decode("utf-8")
            assert r.headers["Cache-Control"] == "no-store"
        assert sent == page.replace("</body>", RELOAD_JS + "</body>")
        assert "Search is updating" not in sent  # the find page's index is written with the page: nothing to wait for
        assert (tmp_path / "find" / "index.html").read_text(encoding="utf-8") == page
        with urllib.request.urlopen(base + "/data.json") as r:
            assert r.read() == b"{}"
        state.bump()
        with urllib.request.urlopen(base + STATE_PATH) as r:
            assert r.read() == b'{"version": 1}'
    finally:
        server.shutdown()
        server.server_close()


def _files(site: Path) -> dict[str, bytes]:
    site = site.resolve()
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def incremental_and_full(tmp_path_factory):
    """Six bundled homes built, then changed in place (one renamed and moved town, one removed, one added)
    and brought up to date incrementally; and a full build of the changed profiles."""
    from carehomes.pipeline import build_site, check_paths

    work = tmp_path_factory.mktemp("incremental")
    prov = work / "providers"
    prov.mkdir()
    bundled = sorted(p for p in PROV.glob("*.yaml") if not p.name.startswith("_"))
    for p in bundled[:6]:
        shutil.copy(p, prov / p.name)
    checked = check_paths([prov])
    kwargs = {"config_path": ROOT / "mkdocs.yml", "releases_dir": ROOT / "releases"}
    build_site(checked.profiles, work / "inc", **kwargs)
    live = Live(work / "inc", [prov], ROOT / "mkdocs.yml", ROOT / "releases")
    live.start(checked.profiles)
    edited, removed, added = prov / bundled[0].name, prov / bundled[1].name, prov / bundled[6].name
    text = edited.read_text(encoding="utf-8")
    page = (work / "inc" / "homes" / edited.stem / "index.html").read_bytes()
    edited.write_text(text.replace("\nname: ", "\nname: Broken ", 1) + "beds:\n  registered: many\n", encoding="utf-8")
    broken = live.apply([edited])
    assert (work / "inc" / "homes" / edited.stem / "index.html").read_bytes() == page
    town = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("  town:"))
    edited.write_text(text.replace(f"  town: {town}", "  town: Kington").replace("\nname: ", "\nname: Zeta ", 1), encoding="utf-8")
    removed.unlink()
    shutil.copy(bundled[6], added)
    outputs, problems = live.apply([edited, removed, added])
    preview = _files(work / "inc")
    live.follow()
    build_site(check_paths([prov]).profiles, work / "full", **kwargs)
    return {"broken": broken, "outputs": outputs, "problems": problems, "preview": preview, "inc": _files(work / "inc"),
            "full": _files(work / "full"), "slugs": [p.stem for p in (edited, removed, added)]}


@pytest.mark.slow  # builds two sites of its own
def test_the_incremental_site_equals_a_full_build_file_by_file(incremental_and_full):
    """Every file, search index included: no bytes a build makes differently twice."""
    inc, full = incremental_and_full["inc"], incremental_and_full["full"]
    assert incremental_and_full["problems"] == []
    assert sorted(inc.keys() ^ full.keys()) == []
    assert sorted(n for n in inc.keys() & full.keys() if inc[n] != full[n]) == []
    assert any(n.startswith("search/facets/w") for n in full)


@pytest.mark.slow  # the same sites
def test_the_preview_already_has_the_edited_and_added_pages_and_not_the_removed(incremental_and_full):
    edited, removed, added = incremental_and_full["slugs"]
    preview, full = incremental_and_full["preview"], incremental_and_full["full"]
    assert b"Zeta " in preview[f"homes/{edited}/index.html"]
    assert f"homes/{added}/index.html" in preview
    assert f"homes/{removed}/index.html" not in preview
    # the find page's index is already the full build's: it finds the edit when the browser reloads
    index = sorted(n for n in full if n.startswith(("search/facets/", "search/near/", "search/cards/", "search/first.json")))
    assert sorted(n for n in preview if n.startswith(("search/facets/", "search/near/", "search/cards/", "search/first.json"))) == index
    assert len(index) > 20 and [n for n in index if preview[n] != full[n]] == []
    assert {f"homes/{s}/" for s in (edited, removed, added)} <= incremental_and_full["outputs"]
    assert "list:town/kington" in incremental_and_full["outputs"] and "counts" in incremental_and_full["outputs"]
    assert any(n.startswith("browse/town-kington") for n in full)


@pytest.mark.slow  # the same sites
def test_a_profile_saved_with_an_error_is_reported_and_its_page_left_as_it_was(incremental_and_full):
    outputs, problems = incremental_and_full["broken"]
    assert outputs == frozenset()
    assert [p.field for p in problems if p.severity == "error"] == ["beds"]


class _FakeLive:
    """What watch() asks of a Live: apply (with the outputs a real one would give) and follow."""

    def __init__(self, providers: Path, follow_started: threading.Event, follow_may_end: threading.Event):
        self.providers, self.index, self.config = [providers], True, providers.parent / "mkdocs.yml"
        self.site = providers.parent / "site"
        self.applied: list[list[Path]] = []
        self.started, self.may_end = follow_started, follow_may_end

    def apply(self, changed):
        self.applied.append(changed)
        if all(p.suffix == ".yaml" and p.parent == self.providers[0] for p in changed):
            page = self.site / "homes" / changed[0].stem
            if changed[0].exists():  # as a real one does: a page written, or a deleted profile's removed
                page.mkdir(parents=True, exist_ok=True)
            elif page.is_dir():
                page.rmdir()
            return frozenset({f"homes/{changed[0].stem}/", "counts"}), []
        return frozenset({FULL}), []

    def follow(self):
        self.started.set()
        self.may_end.wait(5)
        return "0 data and API files rewritten"

    follow_apart = follow  # a real Live's runs follow in a child process


def _until(check, limit=5.0):
    end = time.monotonic() + limit
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


@pytest.mark.slow  # watches a folder and builds a site three times (1.4 s)
def test_watch_previews_a_profile_then_reloads_again_and_builds_all_for_the_rest(tmp_path):
    from carehomes.watch import watch, watched

    prov = tmp_path / "providers"
    prov.mkdir()
    (prov / "rose-court.yaml").write_text("a")
    (tmp_path / "mkdocs.yml").write_text("site_name: x")
    started, may_end, stop = threading.Event(), threading.Event(), threading.Event()
    live, state, said, builds = _FakeLive(prov, started, may_end), ServeState(), [], []
    # the snapshot taken before the watcher starts, as serve takes it: an edit made before its first poll is still seen
    before = snapshot(tmp_path, watched([prov, live.config], tmp_path))
    thread = threading.Thread(target=watch, args=(live, state, tmp_path, lambda: builds.append(1) or live, said.append, stop, 0.01),
                              kwargs={"before": before})
    thread.start()
    try:
        os.utime(prov / "rose-court.yaml", ns=(time.time_ns() + 10**9,) * 2)
        _until(started.is_set)
        assert state.version == 1
        assert said[0].startswith("Rebuilt homes/rose-court/ in ") and said[0].endswith(" s; the rest follows.")
        may_end.set()
        _until(lambda: state.version == 2)  # once more when the rest is done
        assert said[-1].startswith("Updated the rest of the site (0 data and API files rewritten) in ")
        (prov / "rose-court.yaml").unlink()  # a deleted profile's page is said to be removed, not rebuilt
        _until(lambda: state.version == 4)  # the preview, then the rest (which no longer waits)
        assert said[-2].startswith("Removed homes/rose-court/ in ") and said[-2].endswith(" s; the rest follows.")
        os.utime(tmp_path / "mkdocs.yml", ns=(time.time_ns() + 2 * 10**9,) * 2)
        _until(lambda: builds == [1] and state.version == 5)
        assert said[-1] == "mkdocs.yml changed: building the whole site again ..."
        # a schema edit was built again by this process, with the schema it had read (load_schema's cache): the pages
        # kept their old words. It is said to need serve started again, and nothing is built
        (tmp_path / "schema").mkdir()
        (tmp_path / "schema" / "datapackage.json").write_text("{}")
        _until(lambda: len(said) == 6)
        assert said[-1] == ("schema/datapackage.json changed: serve keeps to the schema it read when it started; stop it "
                            "(Ctrl+C) and start it again to build with the new schema")
        time.sleep(0.1)
        assert builds == [1] and state.version == 5 and len(said) == 6
    finally:
        stop.set()
        may_end.set()
        thread.join(5)


def test_a_schema_change_starts_serve_again_after_the_rest_it_was_writing(tmp_path):
    """serve reads the schema once a process: a change to schema/ is taken by ``restart`` (serve started again in its
    place, cli._serve_again), once the background step has finished; none is built here. One that cannot start is
    said, and serve goes on watching."""
    from carehomes.watch import watch, watched

    prov = tmp_path / "providers"
    prov.mkdir()
    (prov / "rose-court.yaml").write_text("a")
    (tmp_path / "mkdocs.yml").write_text("site_name: x")
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "datapackage.json").write_text("{}")
    started, may_end, stop = threading.Event(), threading.Event(), threading.Event()
    live, state, said, builds, restarted = _FakeLive(prov, started, may_end), ServeState(), [], [], []
    before = snapshot(tmp_path, watched([prov, live.config], tmp_path))
    thread = threading.Thread(target=watch, args=(live, state, tmp_path, lambda: builds.append(1) or live, said.append, stop, 0.01),
                              kwargs={"before": before, "restart": lambda: restarted.append(list(said)) or "the schema is broken"})
    thread.start()
    try:
        os.utime(prov / "rose-court.yaml", ns=(time.time_ns() + 10**9,) * 2)
        _until(started.is_set)  # the rest is being written when the schema changes
        (tmp_path / "schema" / "datapackage.json").write_text('{"title": "x"}')
        _until(lambda: said[-1] == "schema/datapackage.json changed: starting serve again to read the new schema ...")
        time.sleep(0.1)
        assert restarted == [] and thread.is_alive()  # not while the rest is written
        may_end.set()
        _until(lambda: len(restarted) == 1)
        assert restarted[0][-1].startswith("Updated the rest of the site")  # once the rest was written
        # a restart that could not start (a schema the new serve would stop on) is said, and serve goes on watching
        _until(lambda: said[-1] == "the schema is broken\nserve goes on with the schema it read when it started; save "
                                   "the schema again once it is mended")
        assert thread.is_alive() and builds == []
        (tmp_path / "schema" / "datapackage.json").write_text('{"title": "y"}')
        _until(lambda: len(restarted) == 2)
    finally:
        stop.set()
        may_end.set()
        thread.join(5)


def test_sync_files_writes_from_memory_and_leaves_no_empty_folder(tmp_path):
    from carehomes.incremental import sync_files

    (tmp_path / "services" / "gone").mkdir(parents=True)
    (tmp_path / "services" / "gone" / "index.html").write_text("{}")
    (tmp_path / "services" / "kept.json").write_text("1")
    assert sync_files({"services/kept.json": b"1", "services/new/index.html": b"{}"}, tmp_path, delete=True) == 2
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "services", "services/kept.json", "services/new", "services/new/index.html"]


def test_serve_past_midnight_ages_the_pages_it_rebuilds_from_the_day_of_the_rebuild(tmp_path, monkeypatch):
    import datetime as dt

    from carehomes.pipeline import check_paths

    prov = tmp_path / "providers"
    prov.mkdir()
    for slug in ("aston-house", "eastbank"):
        shutil.copy(PROV / f"{slug}.yaml", prov)
    aston = prov / "aston-house.yaml"
    aston.write_text(aston.read_text(encoding="utf-8").replace("  imported: 2021-03-31\n", "  imported: 2026-12-01\n"), encoding="utf-8")
    days = [dt.date(2026, 12, 3)]
    live = Live(tmp_path / "site", [prov], ROOT / "mkdocs.yml", ROOT / "releases", index=False, clock=lambda: days[-1])
    monkeypatch.setattr(live, "_engine_pages", lambda **kw: ("", ""))  # no engine: only the homes' pages are looked at
    live.start(check_paths([prov]).profiles)
    assert live.today == dt.date(2026, 12, 3) and not live.new_day
    days.append(dt.date(2026, 12, 4))  # past midnight: the next rebuild is the 4th's
    live.apply([prov / "aston-house.yaml"])
    page = (tmp_path / "site" / "homes" / "aston-house" / "index.html").read_text(encoding="utf-8")
    assert "1 December 2026</time> (3 days ago)" in page and "2 days ago" not in page
    assert (live.today, live.released, live.new_day) == (days[-1], days[-1], True)
    assert {v.today for v in live.views.values()} == {days[-1]}  # every page follow() rewrites is the new day's


def test_serve_rebuilds_a_page_with_the_food_hygiene_line_of_its_sites_settings(tmp_path, monkeypatch):
    """The page serve writes for an edit says what a full build's says: on a site whose settings list no FSA authority
    (Oldham's) that the directory holds no food hygiene ratings, with the FSA's search; on the top level's, as before."""
    from carehomes.pipeline import check_paths

    prov = tmp_path / "providers"
    prov.mkdir()
    shutil.copy(PROV / "chesfield-house.yaml", prov)  # no food hygiene rating matched
    lines = {}
    for name, config in (("top", ROOT / "mkdocs.yml"), ("oldham", ROOT / "areas" / "oldham" / "mkdocs.yml")):
        live = Live(tmp_path / name, [prov], config, ROOT / "releases", index=False)
        monkeypatch.setattr(live, "_engine_pages", lambda **kw: ("", ""))  # no engine: only the home's page is looked at
        live.start(check_paths([prov]).profiles)
        live.apply([prov / "chesfield-house.yaml"])
        page = (tmp_path / name / "homes" / "chesfield-house" / "index.html").read_text(encoding="utf-8")
        lines[name] = [line for line in re.findall(r"<li><strong>[^<]*</strong>[^\n]*?</li>", page) if "food hygiene" in line]
    assert lines == {"top": ["<li><strong>The Food Standards Agency ratings we hold do not say:</strong> its food hygiene rating.</li>"],
                     "oldham": ['<li><strong>This directory does not hold food hygiene ratings:</strong> look up its food hygiene '
                                'rating on <a href="https://ratings.food.gov.uk/" rel="noopener">the Food Standards Agency&#39;s '
                                "website</a>.</li>"]}


@pytest.mark.slow  # builds two small sites of its own and runs serve's watcher on one
def test_an_edit_while_the_rest_of_an_earlier_one_runs_is_previewed_before_that_rest_ends(tmp_path, monkeypatch):
    """The rest follows in a child process (Live.follow_apart): it holds no lock the next preview needs. Nationally,
    in a thread, the next edit showed 7 s after its save (docs/performance.md, 4 December 2026)."""
    from carehomes.pipeline import build_site, check_paths
    from carehomes.watch import watch, watched

    prov = tmp_path / "providers"
    prov.mkdir()
    for slug in ("aston-house", "eastbank"):
        shutil.copy(PROV / f"{slug}.yaml", prov)
    kwargs = {"config_path": ROOT / "mkdocs.yml", "releases_dir": ROOT / "releases"}
    checked = check_paths([prov], pieces=True)
    build_site(checked.profiles, tmp_path / "site", made=checked.pieces, **kwargs)
    live = Live(tmp_path / "site", [prov], ROOT / "mkdocs.yml", ROOT / "releases")
    live.start(checked.profiles, checked.pieces)  # as serve does: the rest makes only the edited homes' data pieces
    gate, real = tmp_path / "gate", Live._browse

    def held(self, views):  # the rest's first step (the list pages, under the lock): says it began, waits for the gate
        (tmp_path / f"began-{os.getpid()}").write_text("")
        end = time.monotonic() + 30
        while not gate.exists() and time.monotonic() < end:
            time.sleep(0.01)
        return real(self, views)

    monkeypatch.setattr(Live, "_browse", held)

    def rename(slug: str, name: str) -> None:  # one change a poll can see: written aside, dated, then moved in
        path, aside = prov / f"{slug}.yaml", tmp_path / f"{slug}.yaml"
        aside.write_text(path.read_text(encoding="utf-8").replace("\nname: ", f"\nname: {name} ", 1), encoding="utf-8")
        os.utime(aside, ns=(time.time_ns() + 10**9,) * 2)  # (written then dated in place, a poll between the two saw two
        os.replace(aside, path)                            # edits, the second previewed once more: a third version)

    def shows(slug: str, name: str) -> bool:
        page = tmp_path / "site" / "homes" / slug / "index.html"
        return name in page.read_text(encoding="utf-8") and name.lower().split()[-1] in _words(tmp_path / "site")

    state, said, stop = ServeState(), [], threading.Event()
    before = snapshot(tmp_path, watched([prov, ROOT / "mkdocs.yml"], tmp_path))
    thread = threading.Thread(target=watch, args=(live, state, tmp_path, lambda: None, said.append, stop, 0.01, before))
    thread.start()
    try:
        rename("aston-house", "Edited Alpha")
        _until(lambda: len(list(tmp_path.glob("began-*"))) == 1, 30)  # the rest of the first edit is running
        rename("eastbank", "Edited Bravo")
        # previewed, page and find index, and the browser told, while the first edit's rest still runs
        _until(lambda: shows("eastbank", "Edited Bravo") and state.version == 2, 30)
        assert not [s for s in said if s.startswith("Updated the rest")]
        gate.write_text("")
        _until(lambda: len([s for s in said if s.startswith("Updated the rest")]) == 2, 60)  # the first's rest, the second's
        assert [s.split(" (")[0] for s in said if s.startswith("Updated the rest")] == ["Updated the rest of the site"] * 2
        assert state.version == 4, said  # two previews and two rests: nothing previewed twice
    finally:
        gate.write_text("")
        stop.set()
        thread.join(60)
    build_site(check_paths([prov]).profiles, tmp_path / "full", **kwargs)
    inc, full = _files(tmp_path / "site"), _files(tmp_path / "full")
    assert sorted(inc.keys() ^ full.keys()) == [] and sorted(n for n in inc if inc[n] != full[n]) == []


def _words(site: Path) -> str:
    """Every word the find page's own index finds (search/facets/w*.json), as one text."""
    return " ".join(p.read_text(encoding="utf-8") for p in sorted((site / "search" / "facets").glob("w*.json")))


def test_the_rest_failing_in_its_child_process_is_said_here_with_its_reason(tmp_path, monkeypatch):
    live = Live(tmp_path / "site", [tmp_path], ROOT / "mkdocs.yml", ROOT / "releases")

    def fails(self):
        raise OSError("No space left on device: 'site/data/homes.csv'")

    monkeypatch.setattr(Live, "follow", fails)
    with pytest.raises(RuntimeError, match="No space left on device: 'site/data/homes.csv'"):
        live.follow_apart()
    monkeypatch.setattr(Live, "follow", lambda self: "2 data and API files rewritten")
    assert live.follow_apart() == "2 data and API files rewritten"


def test_the_new_day_is_kept_for_the_next_rest_when_the_child_process_fails(tmp_path, monkeypatch):
    """follow_apart hands the new day to its child; when that child fails (or is stopped) before it has rewritten
    every home's page for the day, the next rest must still do so, as follow itself leaves new_day set when it fails."""
    live = Live(tmp_path / "site", [tmp_path], ROOT / "mkdocs.yml", ROOT / "releases")
    live.new_day = True

    def fails(self):
        raise OSError("No space left on device: 'site/homes/rose-court/index.html'")

    monkeypatch.setattr(Live, "follow", fails)
    with pytest.raises(RuntimeError, match="No space left on device"):
        live.follow_apart()
    assert live.new_day
    monkeypatch.setattr(Live, "follow", lambda self: "0 data and API files rewritten")
    live.follow_apart()
    assert not live.new_day


def test_a_search_file_whose_write_failed_is_written_at_the_next_update(tmp_path, monkeypatch):
    """search.put with serve's ``held`` (the value last written to each file) must not count a value as written
    when its write failed (a full disk): the next update, with the same value, writes it."""
    import carehomes.search as search

    path, held = tmp_path / "first.json", {}
    assert search.put(path, [1], in_place=True, held=held)
    real = search.write_bytes_atomic

    def full(p, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(search, "write_bytes_atomic", full)
    with pytest.raises(OSError):
        search.put(path, [1, 2], in_place=True, held=held)
    monkeypatch.setattr(search, "write_bytes_atomic", real)
    assert search.put(path, [1, 2], in_place=True, held=held)
    assert path.read_text() == "[1,2]"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="serve runs the rest in this process where it cannot fork")
def test_the_rests_child_ends_when_serve_ended_before_it_asked_to_end_with_it(tmp_path):
    """Live.follow_apart's child asks to be ended with serve (parallel.end_with_parent); serve may have ended between the
    fork and that request (Ctrl+C at that moment), and then the signal never comes: the child must end itself
    rather than write the site on."""
    import signal

    from carehomes.parallel import end_with_parent

    pid = os.fork()
    if pid == 0:
        try:
            end_with_parent(os.getppid() + 10**6)  # not its parent: as if serve had ended and it was taken in by another
            (tmp_path / "wrote on").write_text("")
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM
    assert not (tmp_path / "wrote on").exists()


def test_a_home_removed_while_the_new_days_rest_runs_has_no_page_after_it(tmp_path, monkeypatch):
    """On a new day follow_apart's child rewrites every home's page from the homes as they were at the fork; a home
    removed (or renamed) meanwhile, its page removed by the preview, must not be left with the child's page."""
    live = Live(tmp_path / "site", [tmp_path], ROOT / "mkdocs.yml", ROOT / "releases")
    live.new_day = True
    gate, page = tmp_path / "gate", tmp_path / "site" / "homes" / "gone" / "index.html"

    def new_days_pages(self):  # the child: waits for the preview below, then writes the page of the home it still has
        end = time.monotonic() + 30
        while not gate.exists() and time.monotonic() < end:
            time.sleep(0.01)
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text("the new day's page")
        return "0 data and API files rewritten"

    monkeypatch.setattr(Live, "follow", new_days_pages)
    rest = Thread(target=live.follow_apart)
    rest.start()
    _until(lambda: not live.new_day, 30)  # forked
    with live.lock:  # the preview of the home's removal (Live.apply): no view, its folder removed
        live.previewed.add("gone")
    gate.write_text("")
    rest.join(30)
    assert not page.parent.exists()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="serve runs the rest in this process where it cannot fork")
@pytest.mark.slow  # forks serve's rest (over half a second: the fast set stays under 30 s)
def test_ctrl_c_during_the_rest_is_no_failure_to_report(tmp_path, monkeypatch):
    """Ctrl+C reaches serve's whole process group: the rest's child ends at once (SIGINT) while serve stops. That
    is serve stopping, not the rest failing: watch must not say 'Updating the rest of the site failed'."""
    import signal

    from carehomes.incremental import RestStopped
    from carehomes.watch import watch

    live = Live(tmp_path / "site", [tmp_path], ROOT / "mkdocs.yml", ROOT / "releases")

    def ctrl_c(self):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)

    monkeypatch.setattr(Live, "follow", ctrl_c)
    with pytest.raises(RestStopped):
        live.follow_apart()
    # watch's rest, as after a preview: nothing said of a failure
    prov = tmp_path / "providers"
    prov.mkdir()
    (prov / "rose-court.yaml").write_text("a")
    (tmp_path / "mkdocs.yml").write_text("site_name: x")
    started, stop = threading.Event(), threading.Event()

    class Stopped(_FakeLive):
        def follow_apart(self):
            started.set()
            raise RestStopped("the background step was stopped (signal 2)")

    state, said = ServeState(), []
    thread = threading.Thread(target=watch, args=(Stopped(prov, started, started), state, tmp_path, lambda: None,
                                                  said.append, stop, 0.01))
    thread.start()
    try:
        # touched again until seen: a touch before the watcher's first look (a loaded machine) is what it starts from
        end, n = time.monotonic() + 10, 1
        while not started.is_set():
            assert time.monotonic() < end, "timed out"
            os.utime(prov / "rose-court.yaml", ns=(time.time_ns() + n * 10**9,) * 2)
            n += 1
            started.wait(0.1)
        time.sleep(0.1)
    finally:
        stop.set()
        thread.join(5)
    assert said and [s for s in said if "failed" in s] == []


def test_serve_says_the_profiles_and_settings_it_watches(tmp_path):
    """serve named providers/ and mkdocs.yml whatever it watched: a new council serving its own folder (--providers,
    --config, or --area) was told its edits to the top level's would be seen, and not that its own are."""
    assert watching([ROOT / "providers", ROOT / "mkdocs.yml"], ROOT) == \
        "providers/, mkdocs.yml, content/, schema/ and overrides/"
    (tmp_path / "providers").mkdir()
    assert watching([tmp_path / "providers", tmp_path / "mkdocs.yml"], ROOT) == \
        f"{tmp_path}/providers/, {tmp_path}/mkdocs.yml, content/, schema/, overrides/ and mkdocs.yml"
    assert watching([ROOT / "areas" / "oldham" / "providers", ROOT / "areas" / "oldham" / "mkdocs.yml"], ROOT) == \
        "areas/oldham/providers/, areas/oldham/mkdocs.yml, content/, schema/, overrides/ and mkdocs.yml"


@pytest.mark.slow  # runs serve's watcher (over half a second: the fast set stays under 30 s)
def test_a_change_left_out_for_an_error_is_taken_with_the_next_one(tmp_path):
    """A change the site was left without (a profile with an error, a whole build that failed) was forgotten: a
    profile renamed (mv) with its old slug in it, then fixed, kept the old name's page, lists and rows for good and
    every save after said its location ID was also used by the file gone; mkdocs.yml saved while a profile had an
    error was never built once the profile was fixed (the home pages kept the old site_name)."""
    from carehomes.problems import Problem
    from carehomes.watch import watch

    prov = tmp_path / "providers"
    prov.mkdir()
    old, new = prov / "rose-court.yaml", prov / "rose-hall.yaml"
    old.write_text("a")
    (tmp_path / "mkdocs.yml").write_text("site_name: x")
    stop = threading.Event()

    def save(text):  # each save a second on (a coarse clock gives two quick saves one modification time)
        new.write_text(text)
        os.utime(new, ns=(time.time_ns() + 10**9 * len(live.applied),) * 2)

    class Checking(_FakeLive):
        def apply(self, changed):
            result = self.result(changed)
            self.applied.append(changed)  # once the files are read: the test saves again as soon as it sees this
            return result

        def result(self, changed):
            if not all(p.suffix == ".yaml" for p in changed):
                return frozenset({FULL}), []
            if any(p.exists() and p.read_text() == "bad" for p in changed):
                return frozenset(), [Problem(str(changed[-1]), 1, "slug", "wrong")]
            return frozenset(f"homes/{p.stem}/" for p in changed), []

        def follow_apart(self):
            return "0 data and API files rewritten"

    live, state, said, builds = Checking(prov, threading.Event(), threading.Event()), ServeState(), [], []
    before = snapshot(tmp_path, ["providers", "mkdocs.yml"])
    thread = threading.Thread(target=watch, args=(live, state, tmp_path, lambda: builds.append(1) or None, said.append,
                                                  stop, 0.01), kwargs={"before": before})
    old.rename(new)  # both before the first poll, which compares with the snapshot taken before them
    new.write_text("bad")
    thread.start()
    try:
        _until(lambda: len(live.applied) == 1)
        save("good")
        _until(lambda: len(live.applied) == 2)
        assert live.applied[1] == [old, new]  # the old name's removal too, not the fixed file alone
        save("bad")
        _until(lambda: len(live.applied) == 3)
        os.utime(tmp_path / "mkdocs.yml", ns=(time.time_ns() + 10**9,) * 2)
        _until(lambda: builds == [1])  # the whole build fails on the profile's error
        save("good")
        _until(lambda: len(builds) == 2)  # the settings saved meanwhile are built once it is fixed
        assert set(live.applied[-1]) == {new, tmp_path / "mkdocs.yml"}
    finally:
        stop.set()
        thread.join(5)


def test_the_rests_child_stopped_by_sigterm_or_ctrl_c_leaves_no_temporary_folder(tmp_path, monkeypatch):
    """The child ended at once on SIGTERM (serve ended) or Ctrl+C, leaving its temporary folder (the engine's pages,
    /tmp/carehomes-incr-*) and, in a write, a half-written .NAME.tmp-PID file in the site."""
    import signal
    import tempfile

    from carehomes.incremental import RestStopped

    live = Live(tmp_path / "site", [tmp_path], ROOT / "mkdocs.yml", ROOT / "releases")
    for sig in (signal.SIGTERM, signal.SIGINT):
        def stopped(self, sig=sig):
            with tempfile.TemporaryDirectory(prefix="carehomes-incr-", dir=tmp_path):
                os.kill(os.getpid(), sig)
                time.sleep(5)

        monkeypatch.setattr(Live, "follow", stopped)
        with pytest.raises(RestStopped):
            live.follow_apart()
        assert list(tmp_path.glob("carehomes-incr-*")) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_pipe_saved_among_the_profiles_is_a_change_serve_sees(tmp_path):
    """A FIFO saved as providers/x.yaml while serve ran was never noticed (the poll kept regular files only), though
    check names it: it is a change now, which the rebuild names as check does ("is not a regular file")."""
    (tmp_path / "providers").mkdir()
    (tmp_path / "providers" / "a.yaml").write_text("name: A\n")
    before = snapshot(tmp_path, ("providers",))
    os.mkfifo(tmp_path / "providers" / "zz.yaml")
    assert changes(before, snapshot(tmp_path, ("providers",))) == [tmp_path / "providers" / "zz.yaml"]
