"""The build's structure: no import cycles, docs/architecture.md names the real modules, the site swap is
atomic and serialised, and ``data`` never removes what ``build`` published."""
from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, run_build
from helpers import parsed

from carehomes.fsutil import PublishError, builds_dir, locked, replace_dir
from carehomes.releases import changelog, diff

PACKAGE = ROOT / "carehomes"


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str, root: Path = ROOT) -> set[str]:
    """Every carehomes module ``path`` imports, at any level (function-level imports included)."""
    is_package = path.name == "__init__.py"
    here = module.split(".") if is_package else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "carehomes")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "carehomes":
                continue
            for alias in node.names:  # "from . import docs" imports a module
                sub = root / (target.replace(".", "/") + f"/{alias.name}.py")
                found.add(f"{target}.{alias.name}" if sub.exists() else target)
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """carehomes module -> the carehomes modules it imports (a package's __init__ counts as the package)."""
    modules = {_module_name(p, root): p for p in (root / "carehomes").rglob("*.py")}
    return {m: {t for t in _imports(p, m, root) if t in modules and t != m} for m, p in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                return stack[stack.index(t):] + [t]
            if t not in state:
                found = visit(t)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


@pytest.fixture(scope="module")
def package_graph() -> dict[str, set[str]]:
    """import_graph() of the package, worked out once for the tests that read it (they never change it)."""
    return import_graph()


# helpers.parsed parses each module of the package once a process: the tests that read every module run on one
# xdist worker (test_kinds' scan too), so the package is parsed once a run, not once on each worker
PACKAGE_SOURCE = pytest.mark.xdist_group("package-source")


@PACKAGE_SOURCE
def test_no_import_cycles(package_graph):
    graph = package_graph
    assert graph.get("carehomes.pipeline")
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_cycle_finder_finds_function_level_cycles(tmp_path):
    pkg = tmp_path / "carehomes"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub.c import x\n")
    (pkg / "sub" / "c.py").write_text("from ..b import y\n")
    (pkg / "b.py").write_text("import json\n\n\ndef f():\n    from . import a\n    return a\n")
    graph = import_graph(tmp_path)
    assert graph["carehomes.b"] == {"carehomes.a"}
    assert _cycle(graph) == ["carehomes.a", "carehomes.sub.c", "carehomes.b", "carehomes.a"]
    (pkg / "b.py").write_text("import json\n")
    assert _cycle(import_graph(tmp_path)) is None


@PACKAGE_SOURCE
def test_stage_modules_do_only_their_stage(package_graph):
    graph = package_graph
    assert "carehomes.publish" not in graph["carehomes.render"]  # pages do not make data
    assert not {"carehomes.sources.cqc_files", "carehomes.apply"} & graph["carehomes.render"]
    assert "carehomes.publish" not in graph["carehomes.outputs.oruk"]
    fan_in = sum("carehomes.publish" in deps for deps in graph.values())
    assert fan_in <= 3, fan_in


def test_architecture_names_every_module_and_only_real_ones():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## How it fits together", 1)[1].split("\n## ", 1)[0]
    bullet = re.search(r"^- `carehomes/` holds.*?(?=^- |\Z)", section, re.DOTALL | re.MULTILINE).group(0)
    named = {n for n in re.findall(r"`([a-z_/]+)`", bullet) if not n.endswith("/")}  # folders end with /
    modules = {p.relative_to(PACKAGE).with_suffix("").as_posix() for p in PACKAGE.rglob("*.py")
               if p.name != "__init__.py"}
    assert modules - named == set(), "modules docs/architecture.md does not name"
    assert named - modules == set(), "docs/architecture.md names modules that do not exist"


def test_diff_compares_records():
    old = {"1-1": {"location_id": "1-1", "name": "A", "cqc": {"status": "Registered", "rating": "Good"}, "beds": {"registered": 30}},
           "1-2": {"location_id": "1-2", "name": "B"}}
    new = {"1-1": {"location_id": "1-1", "name": "A", "cqc": {"status": "Deregistered", "rating": ""}, "beds": {"registered": 32}},
           "1-3": {"location_id": "1-3", "name": "C"}}
    assert [c.sentence() for c in diff(old, new)] == [
        "C was added.",
        "B was removed from the directory.",
        "A: CQC registration status changed from Registered to Deregistered.",
        "A: CQC rating changed from Good to none.",
        "A: registered beds changed from 30 to 32.",
    ]


def test_diff_names_a_renamed_home_and_dates_a_deregistration():
    old = {"1-1": {"location_id": "1-1", "name": "Anbridge Care Home", "cqc": {"status": "Registered"}},
           "1-2": {"location_id": "1-2", "name": "Abbey Hey", "cqc": {"status": "Registered"}}}
    new = {"1-1": {"location_id": "1-1", "name": "Anbridge House", "cqc": {"status": "Registered"}},
           "1-2": {"location_id": "1-2", "name": "Abbey Hey", "cqc": {"status": "Deregistered", "status_date": "2025-03-27"}}}
    assert [c.sentence() for c in diff(old, new)] == [
        "Anbridge Care Home is now called Anbridge House.",
        "Abbey Hey: CQC registration status changed from Registered to Deregistered on 2025-03-27.",
    ]


def test_diff_says_a_home_is_back_on_the_register_and_no_news_of_a_status_first_given():
    """A home missing from the latest register, or deregistered, that is registered again was never in the changelog
    or the feed (a status of Registered was taken as no news, whatever it was before)."""
    old = {"1-1": {"location_id": "1-1", "name": "A", "cqc": {"status": "Not in latest register", "status_date": "2026-10-01"}},
           "1-2": {"location_id": "1-2", "name": "B", "cqc": {"status": "Deregistered", "status_date": "2025-01-01"}},
           "1-3": {"location_id": "1-3", "name": "C"}}
    new = {"1-1": {"location_id": "1-1", "name": "A", "cqc": {"status": "Registered"}},
           "1-2": {"location_id": "1-2", "name": "B", "cqc": {"status": "Registered"}},
           "1-3": {"location_id": "1-3", "name": "C", "cqc": {"status": "Registered"}}}
    assert [c.sentence() for c in diff(old, new)] == [
        "A: CQC registration status changed from Not in latest register to Registered.",
        "B: CQC registration status changed from Deregistered to Registered.",
    ]


def test_changelog_reads_an_older_release_leniently(tmp_path):
    import datetime as dt

    rel = tmp_path / "2026-01-01"
    rel.mkdir()
    (rel / "care-homes.csv").write_text("location_id,name,beds_registered,a_retired_column\n1-1,'=A,30,x\n1-2,B,many,y\n")
    current = {"1-1": {"location_id": "1-1", "name": "=A", "beds": {"registered": 31}},
               "1-2": {"location_id": "1-2", "name": "B"}}
    entries = changelog([(dt.date(2026, 1, 1), rel)], current, dt.date(2026, 2, 1))
    assert [c.sentence() for c in entries[0].changes] == ["=A: registered beds changed from 30 to 31.",
                                                          "B: registered beds changed from many to unknown."]


# --- the site swap ---------------------------------------------------------------------------

def test_swap_is_a_link_flip_with_normal_permissions(tmp_path):
    target = tmp_path / "site"
    old_umask = os.umask(0o022)
    try:
        with replace_dir(target) as out:
            (out / "index.html").write_text("one")
    finally:
        os.umask(old_umask)
    assert target.is_symlink() and (target / "index.html").read_text() == "one"
    assert oct(target.resolve().stat().st_mode & 0o777) == "0o755"
    first = target.resolve()
    with replace_dir(target) as out:
        (out / "index.html").write_text("two")
    assert (target / "index.html").read_text() == "two"
    assert not first.exists()  # the old build is moved aside at once after the flip ...
    trash = builds_dir(target) / f".trash-{first.name}"
    for _ in range(100):  # ... and removed by a separate process, so the build does not wait for it
        if not trash.exists():
            break
        time.sleep(0.05)
    assert not trash.exists()
    with pytest.raises(RuntimeError), replace_dir(target) as out:
        (out / "index.html").write_text("three")
        raise RuntimeError("stage failed")
    assert (target / "index.html").read_text() == "two"
    assert [p.name for p in builds_dir(target).iterdir() if not p.name.startswith(".")] == [target.resolve().name]


def test_leftovers_of_interrupted_builds_are_removed_and_a_real_folder_adopted(tmp_path):
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("old")
    for name in (".site-new-abc", ".site-old-abc"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "big").write_text("x")
    (tmp_path / ".site-builds" / "20260101T000000-1-2").mkdir(parents=True)  # killed mid-build
    (tmp_path / ".site-builds" / ".trash-20250101T000000-1-2" / "homes").mkdir(parents=True)  # removal cut short
    os.symlink(".site-builds/nowhere", tmp_path / ".site-link-x")  # killed before the flip
    seen = []
    with replace_dir(target) as out:
        seen.append((target / "index.html").read_text())  # the old site is served throughout
        (out / "index.html").write_text("new")
    assert seen == ["old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site-builds", "site"]
    assert len([p for p in (tmp_path / ".site-builds").iterdir() if not p.name.startswith(".")]) == 1
    leftover = tmp_path / ".site-builds" / ".trash-20250101T000000-1-2"  # removed in the background: the build never waits
    for _ in range(200):
        if not leftover.exists():
            break
        time.sleep(0.05)
    assert not leftover.exists()
    assert (target / "index.html").read_text() == "new"


@pytest.mark.slow  # starts a build.py process
def test_a_build_killed_while_its_engine_runs_leaves_nothing_in_tmp_and_its_docs_folder_goes_with_the_next(tmp_path):
    """A build killed where no handler runs (SIGKILL; a SIGTERM to serve during its full rebuild) left the engine's
    docs folder in /tmp for good: it is made beside the new build, where the next build's clean_leftovers removes it."""
    import signal

    prov, tmp, site = tmp_path / "providers", tmp_path / "tmp", tmp_path / "site"
    prov.mkdir()
    tmp.mkdir()
    for name in ("aston-house.yaml", "tithe-barn.yaml"):
        shutil.copy(ROOT / "providers" / name, prov)
    env = {**os.environ, "CAREHOMES_NO_VENV": "1", "CAREHOMES_CACHE": "off", "TMPDIR": str(tmp)}
    build = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "--providers", str(prov), "--out", str(site)],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 60
        while not list(builds_dir(site).glob("*-docs-*/docs")) and build.poll() is None and time.monotonic() < end:
            time.sleep(0.002)
        assert list(builds_dir(site).glob("*-docs-*")), "the engine's docs folder was never seen beside the build"
        build.send_signal(signal.SIGKILL)
    finally:
        build.kill()
        build.wait()
    assert list(tmp.iterdir()) == []
    r = run_build("build", "--providers", str(prov), "--out", str(site), env=env)
    assert r.returncode == 0, r.stderr
    assert [p.name for p in builds_dir(site).iterdir() if not p.name.startswith(".")] == [site.resolve().name]
    assert list(tmp.iterdir()) == []


@pytest.mark.slow  # runs two builds (over half a second: the fast set stays under 30 s)
def test_builds_are_serialised_by_a_lock(tmp_path):
    target = tmp_path / "site"
    events = []

    def second() -> None:
        with replace_dir(target) as out:
            events.append("second builds")
            (out / "index.html").write_text("second")

    with locked(target):
        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.5)
        events.append("first done")
    t.join(10)
    assert events == ["first done", "second builds"]
    assert (target / "index.html").read_text() == "second"


@pytest.mark.slow  # a second real process holds the lock
def test_lock_is_held_across_processes(tmp_path):
    target = tmp_path / "site"
    # the other process holds the lock until told (a line on its stdin), not for a fixed time
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path; from carehomes.fsutil import locked\n"
            "with locked(Path(sys.argv[2])):\n    print('locked', flush=True); sys.stdin.readline()\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(ROOT), str(target)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    events = []

    def build() -> None:
        with replace_dir(target) as out:
            events.append("built")
            (out / "x").write_text("x")

    try:
        assert proc.stdout.readline().strip() == "locked"
        t = threading.Thread(target=build)
        t.start()
        t.join(0.5)
        assert t.is_alive() and events == [], "the build went ahead while another process held the lock"
        events.append("released")
        proc.stdin.write("\n")
        proc.stdin.flush()
        t.join(10)
        assert events == ["released", "built"] and (target / "x").read_text() == "x"
    finally:
        proc.stdin.close()
        proc.wait(10)


def test_read_only_site_is_reported_not_worked_around(tmp_path):
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("old")
    target.chmod(0o555)
    try:
        with pytest.raises(PublishError) as err, replace_dir(target):
            pass
        assert str(err.value) == (f"{target} is read-only, so {target} cannot be replaced; "
                                  f"make it writable (chmod u+w {target}) or give another folder with --out")
        assert not target.is_symlink() and (target / "index.html").read_text() == "old"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    finally:
        target.chmod(0o755)


def test_build_command_reports_read_only_site(tmp_path):
    target = tmp_path / "site"
    target.mkdir()
    target.chmod(0o555)
    try:
        r = run_build("build", "--providers", str(FIXTURES / "profiles"), "--out", str(target), "--no-search")
    finally:
        target.chmod(0o755)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1] == (
        f"The site was not built: {target} is read-only, so {target} cannot be replaced; "
        f"make it writable (chmod u+w {target}) or give another folder with --out")
    assert "Traceback" not in r.stderr


@pytest.mark.slow  # builds a site
def test_data_after_build_keeps_the_feed_and_releases(tmp_path):
    out = tmp_path / "site"
    releases = tmp_path / "releases"
    r = run_build("release", "--providers", str(FIXTURES / "profiles"), "--releases", str(releases))
    assert r.returncode == 0, r.stderr
    r = run_build("build", "--providers", str(FIXTURES / "profiles"), "--out", str(out), "--no-search",
                  "--releases", str(releases))
    assert r.returncode == 0, r.stderr
    published = sorted(p.relative_to(out).as_posix() for p in (out / "data").rglob("*"))
    assert "data/changes.atom" in published
    assert any(p.startswith("data/releases/") for p in published)
    r = run_build("data", "--providers", str(FIXTURES / "profiles"), "--out", str(out / "data"))
    assert r.returncode == 0, r.stderr
    assert sorted(p.relative_to(out).as_posix() for p in (out / "data").rglob("*")) == published
    shutil.rmtree(releases)


def test_exchange_swaps_a_folder_and_a_link_in_one_step(tmp_path):
    from carehomes.fsutil import _exchange

    (tmp_path / "real").mkdir()
    os.symlink("elsewhere", tmp_path / "link")
    assert _exchange(tmp_path / "real", tmp_path / "link")  # Linux, as CI and the servers run
    assert (tmp_path / "real").is_symlink() and (tmp_path / "link").is_dir()


def _file_of(module: str) -> str:
    """A carehomes module's file, relative to the package (``carehomes.outputs`` -> ``outputs/__init__.py``)."""
    parts = module.split(".")[1:]
    return "/".join(parts) + ".py" if (PACKAGE / ("/".join(parts) + ".py")).is_file() else "/".join([*parts, "__init__.py"])


@PACKAGE_SOURCE
@pytest.mark.parametrize(("names", "start"), [("CHECK_CODE", "carehomes.checking"), ("LISTING_CODE", "carehomes.search")])
def test_a_kept_check_or_listing_is_named_by_all_the_code_it_imports_and_no_more(package_graph, names, start):
    """checkcache.CHECK_CODE names the kept checks' store, LISTING_CODE the find page listings': every module
    carehomes.checking (carehomes.search) imports, and theirs, with the packages they are in (whose __init__ runs on
    import). One missed, a change to it would leave checks or listings kept that it changes; one more, a change to it
    would make every one again for nothing."""
    from carehomes import checkcache

    found, todo = set(), [start]
    while todo:
        module = todo.pop()
        if module not in found:
            found.add(module)
            todo += package_graph[module]
    packages = {".".join(m.split(".")[:i]) for m in found for i in range(1, m.count(".") + 1)}
    assert sorted(getattr(checkcache, names)) == sorted({_file_of(m) for m in found | packages})
