"""Shared helpers for the tests."""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from carehomes.devtools import CHROMIUM as WHOLE_CHROMIUM  # noqa: E402
from carehomes.devtools import HEADLESS_SHELL, SHARED_ENV, shared_folder  # noqa: E402

SHARED = shared_folder()
CQC = SHARED / "data" / "cqc"
NATIONAL = CQC / "virtuk-hsca-care-homes-2021-03" / "cqc_care_homes_england_2021-03_cqc_columns_only.csv"
FIXTURES = ROOT / "tests" / "fixtures"
# The browser tests' Chromium: Debian's headless build when installed (build.py test installs it), else the whole
# browser of the same version; CAREHOMES_CHROMIUM names another (the whole browser, to compare).
CHROMIUM = os.environ.get("CAREHOMES_CHROMIUM") or (HEADLESS_SHELL if Path(HEADLESS_SHELL).exists() else WHOLE_CHROMIUM)
TODAY = dt.date(2026, 11, 23)
# No check results kept between runs (carehomes.checkcache) unless a test asks for them: a test that replaces a
# function of the check must see it called. tests/test_checkcache.py turns the cache on in folders of its own.
os.environ["CAREHOMES_CACHE"] = "off"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--count-builds", action="store_true",
                     help="say how many whole sites the run built (pipeline.build_site) and in how many seconds")


# What a run spends on sites: every pipeline.build_site call (the fixtures', the in-process CLI's, the tests' own),
# counted in each process; under pytest-xdist each worker sends its counts to the controller (workeroutput).
BUILDS = {"count": 0, "seconds": 0.0}
BUILDS_BY_TEST: dict[str, list[float]] = {}  # the test (or fixture's first test) -> [builds, seconds]


def _count_builds() -> None:
    import time

    from carehomes import pipeline

    real = pipeline.build_site

    def counted(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            took = time.perf_counter() - start
            BUILDS["count"] += 1
            BUILDS["seconds"] += took
            test = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" ", 1)[0]
            row = BUILDS_BY_TEST.setdefault(test, [0, 0.0])
            row[0] += 1
            row[1] += took

    pipeline.build_site = counted  # type: ignore[assignment]


def pytest_configure(config: pytest.Config) -> None:
    if not (SHARED / "data").is_dir():
        pytest.exit(f"the tests need the project's shared data sets in {SHARED}/data (see README, 'Shared data'); "
                    f"put them there or set {SHARED_ENV} to their folder", returncode=2)
    if config.getoption("count_builds"):
        _count_builds()


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which sends workeroutput to the controller
def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "workeroutput"):  # an xdist worker: its counts go to the controller
        session.config.workeroutput["builds"] = dict(BUILDS)
        session.config.workeroutput["builds_by_test"] = dict(BUILDS_BY_TEST)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Every test has run: collect the garbage until a pass finds none (pytest's own end does five passes, as one may
    not find everything), then freeze what is left (gc.freeze), so that pytest's five full collections
    (unraisableexception, looking for exceptions raised in __del__) and the interpreter's at exit pass over nothing
    already found alive. A worker's heap is 200,000-500,000 objects by then: those passes cost each xdist worker 2-5 s
    between its last test and the end of the run. These passes still run while pytest's unraisable hook is in place,
    so an exception raised in a __del__ is reported as before."""
    import gc

    for _ in range(5):
        if not gc.collect():  # nothing unreachable: no __del__ ran, so no new garbage either
            break
    gc.freeze()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # xdist's hook, on the controller: a worker's counts
    for key, value in getattr(node, "workeroutput", {}).get("builds", {}).items():
        BUILDS[key] += value
    for test, (count, seconds) in getattr(node, "workeroutput", {}).get("builds_by_test", {}).items():
        row = BUILDS_BY_TEST.setdefault(test, [0, 0.0])
        row[0] += count
        row[1] += seconds


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    if config.getoption("count_builds") and not hasattr(config, "workeroutput"):
        terminalreporter.write_line(f"whole-site builds (pipeline.build_site): {BUILDS['count']} "
                                    f"in {BUILDS['seconds']:.1f} s of build time; the tests that built most:")
        ranked = sorted(BUILDS_BY_TEST.items(), key=lambda item: -item[1][1])
        for test, (count, seconds) in ranked[:25]:
            terminalreporter.write_line(f"  {seconds:6.1f} s  {count:3d}  {test}")


def run_process(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Start ``python3 build.py ARGS`` as a real process, as a user would: for the few smoke tests whose
    point is the process itself (exit status, no traceback, guarded output, signals). A test that calls it is
    marked @pytest.mark.slow."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=600)


CSV_FIELD_LIMIT = 131_072  # Python's own default

# cli.parser() costs 8-17 ms (argparse makes a help formatter and looks up its translations for each of its ~160
# options), and the tests run about 700 commands in-process: 6-12 s of the fast set's CPU. run_build builds it once a
# process and reuses it while everything it is built from is the same object: cli's and commandhelp's module globals
# (the cmd_* functions, ROOT, ENGINES, parser itself: a test that monkeypatches one gets a parser built afresh) and
# the schema's default kind (the vacancies options). The objects are kept, so an id is never reused. cli.main called
# directly still builds its own.
_PARSER: list = []  # [(the objects it was built from, the parser)]


def _cli_parser():
    from carehomes import cli, commandhelp, kinds

    made_from = (*vars(cli).values(), *vars(commandhelp).values(), kinds.default_kind())
    if _PARSER and len(_PARSER[0][0]) == len(made_from) and all(a is b for a, b in zip(_PARSER[0][0], made_from, strict=True)):
        return _PARSER[0][1]
    _PARSER[:] = [(made_from, cli.parser())]
    return _PARSER[0][1]


def run_build(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``build.py ARGS`` in this process (``carehomes.cli.main``): its exit status and what it wrote to
    stdout and stderr, as run_process gives them. ``cwd`` and ``env`` (the whole environment, as for a
    process) hold during the command and are put back after it; an exception that escapes main is written
    on stderr as Python would (a traceback, exit status 1), so tests that forbid tracebacks still see it."""
    from carehomes import cli

    real_parser, made = cli.parser, _cli_parser()
    # the bytes a pipe would carry: stdout strict, stderr backslashreplace, as Python sets them for a process
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", newline="\n")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace", newline="\n")
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    # a fresh process's CSV field limit: a library loaded by an earlier test (frictionless) may have raised it
    saved_limit = csv.field_size_limit(CSV_FIELD_LIMIT)
    code: int
    try:
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cli.parser = lambda: made  # type: ignore[assignment]
                code = cli.main(list(args))
            except SystemExit as exc:  # argparse's usage errors and --help
                code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
                if not isinstance(exc.code, int | None):
                    print(exc.code, file=sys.stderr)
            except Exception:
                traceback.print_exc()
                code = 1
    finally:
        cli.parser = real_parser  # type: ignore[assignment]
        csv.field_size_limit(saved_limit)
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    texts = []
    for stream in (out, err):
        stream.flush()
        text = stream.buffer.getvalue().decode("utf-8", errors="surrogateescape")  # type: ignore[attr-defined]
        texts.append(text.replace("\r\n", "\n").replace("\r", "\n"))  # text=True's universal newlines
    return subprocess.CompletedProcess(["build.py", *args], code, *texts)


@pytest.fixture
def run_cli():
    """run_build as a fixture: ``run_cli("check", ...)`` gives returncode, stdout and stderr."""
    return run_build


def git(repo: Path, *args: str) -> str:
    """Run git in a test repository with a fixed author and no user settings; its output."""
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                               "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin", "HOME": str(repo)}).stdout


@pytest.fixture
def shared_data() -> Path:
    if not NATIONAL.exists():  # CI always has ../shared beside the clone; say so loudly if not
        pytest.fail(f"the real CQC data is missing: {NATIONAL}")
    return CQC


def _bundled_site(tmp_path_factory, engine: str):
    from carehomes.pipeline import build_site, check_paths

    out = tmp_path_factory.mktemp(f"site-{engine}") / "site"
    checked = check_paths([ROOT / "providers", FIXTURES / "profiles", FIXTURES / "hostile"], on=TODAY)
    # the hostile profile's javascript: and data: links are shown as plain text, and its <script> and <i> as typed;
    # check warns of them, nothing else
    assert [(p.path.rsplit("/", 1)[-1], p.severity, p.field) for p in checked.problems] == [
        ("example-hostile.yaml", "warning", "description")] * 3
    return out, build_site(checked.profiles, out, today=TODAY, engine=engine)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The bundled Herefordshire homes plus the fictional fixtures (full, minimal, hostile), built once."""
    return _bundled_site(tmp_path_factory, "mkdocs")


@pytest.fixture(scope="session")
def zensical_site(tmp_path_factory):
    """built_site's homes, built with zensical (build --engine zensical)."""
    return _bundled_site(tmp_path_factory, "zensical")


# The engines that render the pages' frame (render.ENGINES). A test that takes `engine_site` or
# `engine_edge_site` runs once on each engine's site (its id says which: test_x[mkdocs], test_x[zensical]).
ENGINES = ("mkdocs", "zensical")


@pytest.fixture(scope="session", params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def engine_site(engine, request):
    """built_site (mkdocs) or zensical_site, one built once for the whole run."""
    return request.getfixturevalue("built_site" if engine == "mkdocs" else "zensical_site")


# Fictional homes on the edges of the schema's value lists: lowest weekly fee just under, on and
# just over a fee band edge (£1,200), and each kind of missing rating.
EDGE_HOMES = {
    "edge-fee-under": {"fee": 1199.99, "rating": "Good"},
    "edge-fee-on": {"fee": 1200, "rating": "Inspected but not rated"},
    "edge-fee-over": {"fee": 1200.01, "rating": "Not yet rated"},
    "edge-no-rating": {"fee": None, "rating": None},
}


def edge_profiles(folder: Path) -> Path:
    """Write the EDGE_HOMES as profiles into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, (slug, home) in enumerate(EDGE_HOMES.items(), 1):
        text = (f"location_id: 1-00000090{n}\nslug: {slug}\nexample: true\nname: Edge {n} (fictional)\nlocality: Exampleshire\n"
                "care:\n  residential: yes\n")
        if home["rating"]:
            text += f"cqc:\n  rating: {home['rating']}\n  rating_date: 2025-03-14\n"
        if home["fee"] is not None:
            text += f"fees:\n  residential_from: {home['fee']}\n  date: 2026-04-01\n"
        (folder / f"{slug}.yaml").write_text("# FICTIONAL: fee band and rating edges for the tests.\n" + text, encoding="utf-8")
    return folder


OLDHAM_CLOSED = FIXTURES / "cqc-oldham-closed"  # Acorn Lodge deregistered 2024-09-18, Boston House 2011, Stoneleigh open


def listed_then_closed(folder: Path, work: Path):
    """Import the real Oldham records (OLDHAM_CLOSED) into ``folder`` as a home listed and then deregistered:
    first a copy (in ``work``) with Acorn Lodge still registered, dated 1 September 2024, then the real records.
    The second import's report is returned (a first import of a closed service makes no profile)."""
    import json
    import shutil

    from carehomes.sources.cqc_files import import_cqc

    before = work / "cqc-oldham-before-closure"
    shutil.copytree(OLDHAM_CLOSED, before)
    acorn = before / "location_1-151959980.json"
    doc = json.loads(acorn.read_text(encoding="utf-8"))
    doc["registrationStatus"] = "Registered"
    del doc["deregistrationDate"]
    acorn.write_text(json.dumps(doc), encoding="utf-8")
    import_cqc(before, folder, as_of=dt.date(2024, 9, 1))
    return import_cqc(OLDHAM_CLOSED, folder)


def closed_profile(folder: Path) -> Path:
    """A real closed home in ``folder``: Acorn Lodge Nursing Home (Oldham), listed and then deregistered by CQC
    on 18 September 2024, as a re-import of its CQC record makes it (``listed_then_closed``)."""
    listed_then_closed(folder, folder.parent)
    for f in folder.glob("*.yaml"):
        if f.name != CLOSED_HOME + ".yaml":
            f.unlink()
    return folder


CLOSED_HOME = "acorn-lodge-nursing-home"  # the edge site's closed home


def _edge_site(tmp_path_factory, engine: str) -> Path:
    from carehomes.pipeline import build_site, check_paths

    work = tmp_path_factory.mktemp(f"edge-{engine}")
    checked = check_paths([edge_profiles(work / "providers"), closed_profile(work / "closed")], on=TODAY)
    assert checked.problems == []
    out = work / "site"
    build_site(checked.profiles, out, today=TODAY, releases_dir=work / "no-releases", engine=engine)
    return out


@pytest.fixture(scope="session")
def edge_site(tmp_path_factory):
    """A small site of the EDGE_HOMES and one real closed home (CLOSED_HOME), built and indexed once."""
    return _edge_site(tmp_path_factory, "mkdocs")


@pytest.fixture(scope="session")
def engine_edge_site(engine, tmp_path_factory, request):
    """edge_site built with each engine."""
    return request.getfixturevalue("edge_site") if engine == "mkdocs" else _edge_site(tmp_path_factory, engine)


# The fast suite (`build.py test --fast`, under 30 s on 2 cores) is every test not marked `slow` (or `browser`);
# the whole suite stays under 300 s. A test is slow by what it costs, not by its module: marked here when it
# takes a fixture that builds the bundled site or starts a browser (SLOW_FIXTURES, directly or through another
# fixture) or is a hypothesis test; marked by hand (@pytest.mark.slow with a comment saying why) when it starts
# build.py as a process (run_process), builds sites of its own, starts Java, validates whole packages with
# frictionless, waits out real deadlines or imports or syncs a whole real register (Oldham's 222 services, the national file). Everything else in every module runs in the fast set: run the CLI
# in-process (run_build / run_cli) and build the smallest providers folder that shows the behaviour.
SLOW_FIXTURES = {"built_site", "zensical_site", "engine_site", "edge_site", "engine_edge_site", "browser"}


def _costly(item: pytest.Item) -> bool:
    """Whether a test costs a whole site, a browser, a build.py process or hypothesis's many examples."""
    if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    if item.get_closest_marker("browser") or item.get_closest_marker("hypothesis"):
        return True
    return bool(getattr(getattr(item, "obj", None), "is_hypothesis_test", False))


# Under pytest-xdist (`build.py test` runs three workers, devtools.PYTEST_WORKERS) the browser tests are two
# xdist_groups, one an engine: a worker runs each engine's browser tests, one Chromium each and that engine's site
# served once, while the third runs the rest (and each takes the rest's tests when its group is done). Browser tests
# that take no engine (another area's site) go with zensical's, the shorter (about 120 s against mkdocs' 125 s).
# tryfirst: xdist reads the group marks in its own hook of this name.
BROWSER_GROUP = "browser"


def browser_group(item: pytest.Item) -> str:
    """The xdist_group of a browser test: "browser-mkdocs" for the tests of mkdocs-material's site, else
    "browser-zensical"."""
    engine = getattr(getattr(item, "callspec", None), "params", {}).get("engine")
    return f"{BROWSER_GROUP}-{'mkdocs' if engine == 'mkdocs' else 'zensical'}"


# A browser test of the find page's own behaviour (tests/test_browser.py's ``sized`` page) runs on each engine and
# each screen size, but not on all four pairs: the script and the styles it tests are the project's, the same on both
# engines, so two pairs cover each engine and each size once: mkdocs-material (the site as published today) on a
# phone, zensical on a desktop. The frame's own differences are tested on every pair elsewhere (axe, 320 px, the
# journeys). CAREHOMES_EVERY_PAIR=1 runs all four (by hand, before changing the theme or the page's layout).
SIZED_PAIRS = {("mkdocs", "phone"), ("zensical", "desktop")}


# Likewise a browser test marked ``one_engine`` runs on one engine, not both: the find or compare page's own behaviour
# (its sorts, filters, words, distances and messages, on the desktop page), and axe on the pages that are one more
# state of a page axe checks on both engines (another home, another list, another search). The engine is chosen by
# the test's name and its other parameters (zlib.crc32: about half go to each; a test always gets the same one).
# The journeys, axe on each kind of page, the keyboard, 320 px screens, no JavaScript and hostile text still run on
# both. CAREHOMES_EVERY_PAIR=1 runs these on both too.


def one_engine(name: str, params: dict) -> str:
    """The engine a ``one_engine`` test named ``name`` with these parameters runs on."""
    import zlib

    values = {k: v for k, v in params.items() if k != "engine"}
    # plain values only: another object's text (its address) could differ between xdist's workers, which must agree
    assert all(isinstance(v, (str, int, float, bool, type(None))) for v in values.values()), (name, values)
    key = "|".join([name, *(f"{k}={v}" for k, v in sorted(values.items()))])
    return ENGINES[zlib.crc32(key.encode("utf-8")) % len(ENGINES)]


def _other_pair(item: pytest.Item) -> bool:
    params = getattr(getattr(item, "callspec", None), "params", {})
    if "engine" in params and item.get_closest_marker("one_engine"):
        return params["engine"] != one_engine(getattr(item, "originalname", item.name), params)
    return "sized" in params and "engine" in params and (params["engine"], params["sized"]) not in SIZED_PAIRS


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("CAREHOMES_EVERY_PAIR") != "1":
        dropped = [item for item in items if _other_pair(item)]
        if dropped:
            items[:] = [item for item in items if not _other_pair(item)]
            config.hook.pytest_deselected(items=dropped)
    grouped = config.pluginmanager.hasplugin("xdist")
    for item in items:
        if _costly(item):
            item.add_marker(pytest.mark.slow)
        if grouped and item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group(browser_group(item)))
