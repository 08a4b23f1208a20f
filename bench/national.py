#!/usr/bin/env python3
"""Benchmark on the whole national CQC file (15,403 homes). Run by hand; prints figures.

    python bench/national.py [--keep DIR] [--site] [--search-only] [--detail] [--runs N] [--homes N]
                             [--record FILE]

Imports every home into a temporary folder, then times `check` and `data`
(and, with --site, the whole site build) as a user runs them, each in its own
process, reporting the median wall time of --runs runs (default 3), whether it is
within issue 24's target for that command or OVER it, and the peak memory of
those processes; with --site, the build runs with --timings (its
stages' medians are printed), Hugo renders the same homes as bare pages in the
same run (Debian's hugo; skipped, saying so, when it is not installed) so the
build is also given as a ratio to Hugo, and a browser measures what each search
in QUERIES fetches. --homes N takes the first N homes (by file name) only, for a
quicker run. --record FILE writes the figures as JSON. With --keep DIR the import
is skipped when DIR already holds the profiles; --search-only measures the
searches again on the site already built there; --detail splits each search's
bytes by kind of file.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT.parent / "shared/data/cqc/virtuk-hsca-care-homes-2021-03/cqc_care_homes_england_2021-03_cqc_columns_only.csv"


FIGURES: dict[str, Any] = {}  # what --record writes
# issue 24's targets (wall seconds, medians, quiet machine), and the medians before its work on check and data
# (commit abd1df9, 15,403 homes, the shared 2-core machine, 4 December 2026; docs/performance.md)
TARGETS = {"import-cqc": 15.0, "check": 5.0, "data": 5.0}
BEFORE = {"import-cqc": (7.9, 8.5), "check": (8.6, 7.1), "data": (19.6, 20.0)}  # (wall s, CPU s)


KEPT: list[Path] = []  # the folder the runs keep each profile's check in (carehomes.checkcache), once known


def _run_env() -> dict[str, str]:
    """The environment a timed command runs in: this one, without the venv re-launch, and writing Python's bytecode
    cache as a stock machine does (a sandbox's PYTHONDONTWRITEBYTECODE=1 made every command compile the project's
    modules again, about 0.07 s a command), keeping checks in the benchmark's own folder (KEPT)."""
    env = {**os.environ, "CAREHOMES_NO_VENV": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if KEPT:
        env["CAREHOMES_CACHE"] = str(KEPT[0])
    return env


def forget_checks() -> None:
    """Empty the folder of kept checks: the next data or build is a first run, checking every profile."""
    if KEPT:
        shutil.rmtree(KEPT[0], ignore_errors=True)


def forget_pages() -> None:
    """Remove every kept store but this code's checks and find page listings (carehomes.checkcache's
    _checks_digest, _listings_digest): the next build is as after a change to the pages' code (render.py,
    homepage.py, the templates...), each profile's check and listing taken as kept and every page made again."""
    if not KEPT:
        return
    from carehomes import checkcache

    keep = (checkcache._checks_digest(), checkcache._listings_digest())
    for store in (KEPT[0] / checkcache.CHECKS).glob("*.sqlite*"):
        if not store.name.startswith(keep):
            store.unlink()


def edited_name(text: str, n: int) -> str:
    """A profile's text with its name edited: "Edited <n> " put before it (in place of an earlier edit's)."""
    return re.sub(r"(?m)^name: (Edited \d+ )?", f"name: Edited {n} ", text, count=1)


class OneEdit:
    """Before each timed run, one profile's name edited (``edited_name``, a new one each time), as a steward who
    edits a fact and then publishes does; its bytes put back by ``restore``. With the checks and pages kept from
    the run before, the run checks that one profile and renders its page again, and takes the others' as kept."""

    def __init__(self, prov: Path) -> None:
        self.path = min(prov.glob("*.yaml"))
        self.original = self.path.read_bytes()
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
        self.path.write_text(edited_name(self.original.decode("utf-8"), self.count), encoding="utf-8")

    def restore(self) -> None:
        self.path.write_bytes(self.original)


def run_once(*args: str, as_of: dt.date | None = None) -> tuple[float, float, float, int, str, str]:
    """One run of build.py ARGS (``as_of``: as if today were that day, bench/as_of.py): wall seconds, CPU seconds (user + system, os.wait4's, which include the
    worker processes it waited for: the figure a busy shared machine disturbs least), that process's own
    peak memory in MB (os.wait4's ru_maxrss; its workers', which Python's pools wait for, are within
    RUSAGE_CHILDREN only), the exit code, stdout and stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        script = [str(ROOT / "bench" / "as_of.py"), as_of.isoformat()] if as_of else [str(ROOT / "build.py")]
        proc = subprocess.Popen([sys.executable, *script, *args], stdout=out, stderr=err, env=_run_env())
        _, status, usage = os.wait4(proc.pid, 0)
        took = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return took, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")


def _out_of(args: tuple[str, ...]) -> Path | None:
    """The folder a build.py command's --out names (None without one)."""
    return Path(args[args.index("--out") + 1]) if "--out" in args[:-1] else None


def wait_for_removal(out: Path | None, limit: float = 300.0) -> float:
    """Wait until the output an earlier run replaced in ``out`` has been removed (fsutil.remove_later deletes it in a
    process of its own after the command ends: nationally 54,000 files, several seconds of the kernel's time), so
    that a run is not timed while the one before it is still cleaning up; returns the seconds waited."""
    if out is None:
        return 0.0
    start = time.perf_counter()
    builds = out.parent / f".{out.name}-builds"
    while time.perf_counter() - start < limit and builds.is_dir() and any(
            p.name.startswith(".trash-") for p in builds.iterdir()):
        time.sleep(0.1)
    return time.perf_counter() - start


def mount_of(folder: Path, mounts: str) -> tuple[str, str, str]:
    """(device, mount point, file system type) of the mount holding ``folder``, from /proc/mounts' text ``mounts``
    (the longest mount point it is under; ("", "", "") when none)."""
    best = ("", "", "")
    where = str(folder.resolve())
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        if (where == point or where.startswith(point.rstrip("/") + "/")) and len(point) > len(best[1]):
            best = (fields[0], point, fields[2])
    return best


def filesystem_note(folder: Path, mounts: str, journals: list[str]) -> str:
    """What the benchmark says of the file system its runs write to: its type and, for ext4 without a journal
    (no /proc/fs/jbd2/<device>-* entry among ``journals``), a warning: such an ext4 skips every recently deleted
    inode when it makes a file or folder (fs/ext4/ialloc.c, recently_deleted), so each run, Hugo's included,
    creates its files several times more slowly after the last run's 54,000 were deleted, by an amount that
    depends on what was deleted in the minutes before."""
    device, point, kind = mount_of(folder, mounts)
    if not kind:
        return "file system: unknown"
    said = f"file system: {kind} on {device} (mounted at {point})"
    name = device.rsplit("/", 1)[-1]
    if kind == "ext4" and not any(j.startswith(name + "-") for j in journals):
        said += (" WITHOUT A JOURNAL: making a file right after many were deleted costs several times more there, "
                 "so figures vary with the runs before; for figures like a stock machine's, give --keep a folder on a "
                 "journaled file system (docs/performance.md)")
    return said


CODE_FOLDERS = ("carehomes", "overrides", "schema", "bench", "content")  # and CODE_FILES: what the runs run and read
CODE_FILES = ("build.py", "mkdocs.yml", "requirements.txt", "pyproject.toml")


def code_state() -> dict[str, tuple[int, int]]:
    """Each file of the code the runs run and the site's own pages (CODE_FOLDERS, CODE_FILES): its size and time of
    change."""
    files = [*(ROOT / f for f in CODE_FILES), *(f for d in CODE_FOLDERS for f in (ROOT / d).rglob("*")
                                               if f.is_file() and "__pycache__" not in f.parts)]
    out = {}
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        out[f.relative_to(ROOT).as_posix()] = (st.st_size, st.st_mtime_ns)
    return out


def changed_since(before: dict[str, tuple[int, int]]) -> list[str]:
    """The files of the code added, removed or changed since ``before`` (code_state's), by path."""
    now = code_state()
    return sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))


def _filesystem_note(folder: Path) -> str:
    """filesystem_note from this machine's /proc ("file system: unknown" where it has none)."""
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8")
        journals = [p.name for p in Path("/proc/fs/jbd2").iterdir()] if Path("/proc/fs/jbd2").is_dir() else []
    except OSError:
        return "file system: unknown"
    return filesystem_note(folder, mounts, journals)


def run(label: str, *args: str, runs: int = 1, target: float | None = None,
        before: Callable[[], None] | None = None, as_of: dt.date | None = None) -> float:
    """The median wall time of ``runs`` runs of build.py ARGS, printed with the median CPU time and the peak
    memory, and whether that median is within ``target`` (wall seconds) or over it; the median of each stage's
    seconds too when the command printed a --timings table. ``before``: called before each run (not timed);
    ``as_of``: run as if today were that day (bench/as_of.py)."""
    times: list[float] = []
    cpus: list[float] = []
    stages: dict[str, list[float]] = {}
    peak, code, stdout, stderr = 0.0, 0, "", ""
    waited = 0.0
    for _ in range(runs):
        waited += wait_for_removal(_out_of(args))
        if before is not None:
            before()
        took, cpu, mb, code, stdout, stderr = run_once(*args, as_of=as_of)
        times.append(took)
        cpus.append(cpu)
        peak = max(peak, mb)
        for name, secs in timing_rows(stderr).items():
            stages.setdefault(name, []).append(secs)
        if code:
            break
    took = statistics.median(times)
    # a command that exited 0 is not thereby fast enough: say which side of its target the median is on
    status = f"FAILED ({code})" if code else "finished" if target is None else "within target" if took <= target else "OVER target"
    spread = f" (runs: {', '.join(f'{t:.1f}' for t in times)})" if len(times) > 1 else ""
    cpu = statistics.median(cpus)
    print(f"{label:<34} {took:7.2f} s   CPU {cpu:6.2f} s   peak {peak:7.0f} MB   {status}{spread}")
    if waited >= 0.05:
        print(f"    (waited {waited:.1f} s in all before the runs for earlier runs' replaced output to be removed)")
    FIGURES[label] = {"median_s": round(took, 2), "runs_s": [round(t, 2) for t in times], "peak_mb": round(peak),
                      "cpu_median_s": round(cpu, 2), "cpu_runs_s": [round(c, 2) for c in cpus]}
    if stages:
        FIGURES[label]["stages_median_s"] = {n: round(statistics.median(v), 2) for n, v in stages.items()}
        print("    stages (median s): " + "; ".join(f"{n} {statistics.median(v):.2f}" for n, v in stages.items()))
        print("    last run's table:\n" + "\n".join("    " + line for line in timings_table(stderr)))
    if code:
        print(stdout[-2000:], stderr[-2000:], sep="\n")
    return took


def timings_table(stderr: str) -> list[str]:
    """The lines of a build --timings table in a command's stderr (none when there is none)."""
    lines = stderr.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("stage ") and "peak MB" in line), None)
    return [] if start is None else lines[start:]


def timing_rows(stderr: str) -> dict[str, float]:
    """Stage name -> seconds from a build --timings table."""
    out = {}
    for line in timings_table(stderr)[1:]:
        m = re.match(r"(.+?) +(\d+\.\d\d)(?: +[\d,]+ +[\d,]+ |$)", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


HUGO_CONFIG = "baseURL = 'http://localhost/'\ndisableKinds = ['taxonomy', 'term', 'RSS']\n"
HUGO_SINGLE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>
<h1>{{ .Title }}</h1><dl>{{ range $k, $v := .Params }}<dt>{{ $k }}</dt><dd>{{ $v }}</dd>{{ end }}</dl>{{ .Content }}</body></html>
"""
HUGO_LIST = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>
"""


def hugo_site(profiles: Path, folder: Path) -> int:
    """A bare Hugo site of one page a home: the profile's YAML as the page's front matter (its name the title),
    every field printed by a one-line template, and an A to Z list. Returns the number of pages."""
    import yaml

    (folder / "content" / "homes").mkdir(parents=True, exist_ok=True)
    (folder / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    (folder / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (folder / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (folder / "layouts" / "_default" / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    (folder / "layouts" / "index.html").write_text(HUGO_LIST, encoding="utf-8")
    n = 0
    for f in sorted(profiles.glob("*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not data.get("name"):
            continue
        data = {("home_" + k if k in ("title", "date", "url", "slug") else k): v for k, v in data.items()}
        front = yaml.safe_dump({"title": str(data["name"]), **data}, sort_keys=False, default_flow_style=False)
        (folder / "content" / "homes" / f"{f.stem}.md").write_text(f"---\n{front}---\n", encoding="utf-8")
        n += 1
    return n


def run_hugo(profiles: Path, work: Path, runs: int) -> float | None:
    """The median seconds of ``runs`` Hugo builds of the same homes as bare pages; None (said) without hugo."""
    hugo = shutil.which("hugo")
    if not hugo:
        print("hugo: not found, so no ratio to Hugo; install Debian's: sudo apt-get install -y hugo")
        return None
    src = work / "hugo"
    shutil.rmtree(src, ignore_errors=True)
    pages = hugo_site(profiles, src)
    times = []
    for _ in range(runs):
        shutil.rmtree(src / "public", ignore_errors=True)
        start = time.perf_counter()
        proc = subprocess.run([hugo, "--quiet", "-s", str(src), "-d", str(src / "public")], capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode:
            print(f"hugo failed ({proc.returncode}): {proc.stderr[-1000:]}")
            return None
    version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()[1:2]
    took = statistics.median(times)
    print(f"{'hugo, the same homes bare':<34} {took:7.2f} s   {pages:,} pages, hugo {''.join(version)} "
          f"(runs: {', '.join(f'{t:.1f}' for t in times)})")
    FIGURES["hugo"] = {"median_s": round(took, 2), "runs_s": [round(t, 2) for t in times], "pages": pages}
    return took


def subset(prov: Path, homes: int, work: Path) -> Path:
    """A folder of the first ``homes`` profiles (by file name), hard-linked (check reads no symbolic link)."""
    out = work / f"providers-first-{homes}"
    if not out.is_dir():
        out.mkdir()
        for f in sorted(prov.glob("*.yaml"))[:homes]:
            os.link(f, out / f.name)
    return out


def folder_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--keep", help="use this folder instead of a temporary one (kept afterwards)")
    ap.add_argument("--site", action="store_true", help="also build the whole site (with --timings) and Hugo's bare pages")
    ap.add_argument("--detail", action="store_true", help="with the search figures, their bytes by kind of file")
    ap.add_argument("--search-only", action="store_true",
                    help="only measure the find page's searches on the site already built in --keep DIR")
    ap.add_argument("--runs", type=int, default=3, help="runs of each timed command; the median is reported (default 3)")
    ap.add_argument("--homes", type=int, help="only the first N homes (by file name), for a quicker run")
    ap.add_argument("--record", help="also write the figures to this JSON file")
    ap.add_argument("--edit-one", action="store_true",
                    help="also time one profile edited under serve until its new page is on disk, and the rest after it")
    args = ap.parse_args()
    if args.search_only and not args.keep:
        print("--search-only needs --keep DIR (the folder of a site built with --site --keep DIR).")
        return 2
    if args.runs < 1 or (args.homes is not None and args.homes < 1):
        print("--runs and --homes take a whole number of at least 1, e.g. --runs 3 --homes 2000")
        return 2
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="carehomes-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    prov, out = work / "providers", work / "site"
    if args.search_only:
        if not (out / "find" / "index.html").is_file():
            print(f"--search-only needs --keep DIR with a site built by --site (no {out / 'find' / 'index.html'}); "
                  "run once with --site --keep DIR first.")
            return 2
        measure_search(out, args.detail)
        return 0
    print(f"machine: {os.cpu_count()} cores; folder: {work}; median of {args.runs} run{'s' * (args.runs != 1)}")
    code_at_start = code_state()
    FIGURES["filesystem"] = _filesystem_note(work)
    print(FIGURES["filesystem"])
    if not any(prov.glob("*.yaml")):
        run("import-cqc (target <= 15 s)", "import-cqc", str(NATIONAL), "--providers", str(prov), target=TARGETS["import-cqc"])
    # the weekly refresh: the same register imported again over its profiles (every one found current, none written)
    run("import-cqc again, every profile current", "import-cqc", str(NATIONAL), "--providers", str(prov),
        target=TARGETS["import-cqc"])
    if args.homes:
        prov = subset(prov, args.homes, work)
    n = len(list(prov.glob("*.yaml")))
    print(f"profiles: {n:,} files" + (f" (the first {args.homes:,} only: --homes)" if args.homes else ""))
    FIGURES["homes"] = n
    run("check (target <= 5 s)", "check", str(prov), runs=args.runs, target=TARGETS["check"])
    KEPT.append(work / "kept-checks")
    edit = OneEdit(prov)
    try:
        run("data, first run (nothing kept)", "data", "--providers", str(prov), "--out", str(out / "data"),
            before=forget_checks)
        run("data, one profile edited (target <= 5 s)", "data", "--providers", str(prov), "--out", str(out / "data"),
            runs=args.runs, target=TARGETS["data"], before=edit)
        n, size = folder_size(out / "data")
        print(f"open data: {n} files, {size / 1e6:.1f} MB")
        if args.site:
            build, first, again, pages_code, next_day, fresh = site_runs(prov, out, args.runs, edit)
    finally:
        edit.restore()
    if args.site:
        waited = wait_for_removal(out)  # Hugo is not timed while the last build's replaced site is being removed
        if waited >= 0.05:
            print(f"    (waited {waited:.1f} s for the last build's replaced site to be removed before Hugo's runs)")
        hugo = run_hugo(prov, work, args.runs)
        if hugo:
            print(f"build / hugo: {build / hugo:.1f} times Hugo's time (target <= 3) after one profile edited; "
                  f"{again / hugo:.1f} times with every page made again (the postcode lookup kept); "
                  f"{pages_code / hugo:.1f} times after a change to the pages' code (each check and listing kept); "
                  f"{first / hugo:.1f} times on a first run (nothing kept); {next_day / hugo:.1f} times on the "
                  f"first build of the next day (what today's runs kept); {fresh / hugo:.1f} times a day later in a "
                  "fresh checkout (the cache alone kept: the publish workflow)")
            FIGURES["next_day_over_hugo"] = round(next_day / hugo, 2)
            FIGURES["fresh_checkout_over_hugo"] = round(fresh / hugo, 2)
            FIGURES["build_over_hugo"] = round(build / hugo, 2)
            FIGURES["all_again_over_hugo"] = round(again / hugo, 2)
            FIGURES["pages_code_over_hugo"] = round(pages_code / hugo, 2)
            FIGURES["first_build_over_hugo"] = round(first / hugo, 2)
        n, size = folder_size(out)
        print(f"site: {n:,} files, {size / 1e6:.1f} MB")
        FIGURES["site"] = {"files": n, "mb": round(size / 1e6, 1)}
        n, size = folder_size(out / "postcodes")
        print(f"postcode lookup: {n:,} files, {size / 1e6:.1f} MB (target <= 100 MB; every file <= 30 KB)")
        pages = [p.stat().st_size for p in (out / "homes").glob("*/index.html")] or [0]
        print(f"profile pages: {len(pages):,}; largest {max(pages) / 1e3:.1f} KB, mean {sum(pages) / len(pages) / 1e3:.1f} KB (target <= 60 KB)")
        measure_search(out, args.detail)
    if args.edit_one:
        measure_edit_one(prov, work / "site-serve", args.runs)
    summary()
    changed = changed_since(code_at_start)
    if changed:
        FIGURES["code_changed_meanwhile"] = changed
        print(f"WARNING: {len(changed)} file(s) of the code changed while the benchmark ran ({', '.join(changed[:5])}"
              f"{' ...' if len(changed) > 5 else ''}): its runs were not all of one version, and a change to the theme, "
              "templates, schema or package makes the next build render every page. Run it again from a clone that "
              "nobody edits (git clone . /tmp/bench-clone).")
    if args.record:
        Path(args.record).write_text(json.dumps(FIGURES, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {args.record}")
    return 0


ALL_AGAIN = "build whole site, every page again (lookup kept)"
PAGES_CODE = "build whole site, the pages' code changed (each check and listing kept)"
NEXT_DAY = "build whole site, the next day (what the runs above kept)"
FRESH_CHECKOUT = "build whole site, a day later in a fresh checkout (the cache alone kept)"


def fresh_checkout(out: Path) -> Callable[[], None]:
    """Before a run: the site in ``out`` removed, with the folder of its builds, as on the publish workflow's runner
    (a fresh checkout, with only the cache restored by actions/cache)."""
    def remove() -> None:
        wait_for_removal(out)
        shutil.rmtree(out.parent / f".{out.name}-builds", ignore_errors=True)
        if out.is_symlink() or out.is_file():
            out.unlink()
        else:
            shutil.rmtree(out, ignore_errors=True)
    return remove


def site_runs(prov: Path, out: Path, runs: int, edit: OneEdit) -> tuple[float, float, float, float, float, float]:
    """The whole site built with --timings: once with nothing kept; once more with the kept checks and pages forgotten but
    the site just built left in place, as after a change to the code or schema (every profile checked and every page
    rendered again; the postcode lookup, made from Code-Point alone, reused from the site being replaced: issue 24's
    "the postcode lookup reused when unchanged"); once with every kept store but the checks' and listings' removed,
    as after a change to the pages' code (PAGES_CODE: each profile's check and listing kept, every page made again);
    ``runs`` times each after one profile edited (``edit``); then once as if it were the next day (bench/as_of.py),
    with what those runs kept, as the daily publish would find it with the site in place; and once more a day later
    with the site removed, as the publish workflow finds it on a fresh runner with only the cache restored
    (FRESH_CHECKOUT). As a national site (mkdocs.yml with every postcode area, beside the original so that its
    relative paths still work). Each figure less what --timings spends counting files: (median after an edit, the
    first run, every page again, after a change to the pages' code, the next day, a day later in a fresh checkout)."""
    config = ROOT / ".mkdocs-national.yml"
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config.write_text(re.sub(r"postcode_areas: .*", "postcode_areas: all", text), encoding="utf-8")
    args = ("build", "--providers", str(prov), "--out", str(out), "--config", str(config), "--timings")
    figures = []
    sys.path.insert(0, str(ROOT))
    from carehomes import validate

    tomorrow = validate.today() + dt.timedelta(days=1)
    try:
        for label, times, before, as_of in (("build whole site, first run (nothing kept)", 1, forget_checks, None),
                                            (ALL_AGAIN, 1, forget_checks, None),
                                            (PAGES_CODE, 1, forget_pages, None),
                                            ("build whole site, one profile edited (target 3x Hugo)", runs, edit, None),
                                            (NEXT_DAY, 1, None, tomorrow),
                                            (FRESH_CHECKOUT, 1, fresh_checkout(out), tomorrow + dt.timedelta(days=1))):
            took = run(label, *args, runs=times, before=before, as_of=as_of)
            counting = FIGURES[label].get("stages_median_s", {}).get("(counting files for this)", 0.0)
            if counting:  # --timings counts the files each stage wrote; that is not the build's own time
                took -= counting
                print(f"    less --timings' counting ({counting:.1f} s): {took:.1f} s")
            figures.append(took)
    finally:
        config.unlink()
    return figures[3], figures[0], figures[1], figures[2], figures[4], figures[5]


def measure_edit_one(prov: Path, out: Path, runs: int) -> None:
    """``serve`` on ``prov``; then ``runs`` times: one profile's name edited, timed from the save to its new
    page on disk (the preview; the watcher polls every 0.5 s, which is in the figure), to the serve log saying
    it was rebuilt (the page and the find page's own index written) and to the serve log saying the rest of the
    site (data, lists, engine pages) is up to date."""
    import queue
    import threading

    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", "--providers", str(prov),
                             "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "CAREHOMES_NO_VENV": "1"})
    said: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in proc.stderr or []:
            said.put(line)

    threading.Thread(target=pump, daemon=True).start()

    def wait_for(text: str, limit: float = 1800) -> str:
        end = time.perf_counter() + limit
        while time.perf_counter() < end:
            try:
                line = said.get(timeout=1)
            except queue.Empty:
                if proc.poll() is not None:
                    raise RuntimeError("serve stopped") from None
                continue
            if text in line:
                return line
        raise RuntimeError(f"serve never said {text!r}")

    profile = sorted(prov.glob("*.yaml"))[len(list(prov.glob("*.yaml"))) // 2]
    original = profile.read_bytes()  # put back afterwards: the profiles (a --keep folder) are left as imported
    try:
        wait_for("Serving the site")
        slug = profile.stem
        page = out / "homes" / slug / "index.html"
        previews, indexed, rests = [], [], []
        for i in range(runs):
            name = f"Edited {i} "
            profile.write_text(edited_name(profile.read_text(encoding="utf-8"), i), encoding="utf-8")
            start = time.perf_counter()
            while name not in page.read_text(encoding="utf-8"):
                time.sleep(0.02)
            previews.append(time.perf_counter() - start)
            wait_for("Rebuilt homes/")  # said once the find page's own index is written too
            indexed.append(time.perf_counter() - start)
            said_rest = wait_for("Updated the rest of the site")
            rests.append(time.perf_counter() - start)
            print(f"  edit {i + 1}: page {previews[-1]:.2f} s, with the search index {indexed[-1]:.2f} s, "
                  f"the rest {rests[-1]:.1f} s ({said_rest.strip()})", flush=True)
        print(f"edit one profile under serve: new page on disk, median {statistics.median(previews):.2f} s "
              f"({', '.join(f'{t:.2f}' for t in previews)}; target <= 2 s); with the find page's index, median "
              f"{statistics.median(indexed):.2f} s ({', '.join(f'{t:.2f}' for t in indexed)}); the rest (data, lists, "
              f"engine pages) median {statistics.median(rests):.1f} s ({', '.join(f'{t:.1f}' for t in rests)})")
        FIGURES["edit_one"] = {"preview_s": [round(t, 2) for t in previews], "indexed_s": [round(t, 2) for t in indexed],
                               "rest_s": [round(t, 1) for t in rests]}
    finally:
        proc.terminate()
        proc.wait()
        profile.write_bytes(original)


def summary() -> None:
    """Import, check and data: before issue 24's work, now (this run's medians), and the targets."""
    print(f"{'command':<34} {'before wall':>12} {'before CPU':>11} {'now wall':>9} {'now CPU':>8} {'target':>7}")
    for label, figures in FIGURES.items():
        command = label.split(" ")[0].rstrip(",")
        if command not in TARGETS or not isinstance(figures, dict):
            continue
        wall, cpu = BEFORE[command]
        print(f"{label.split(' (target')[0]:<34} {wall:10.1f} s {cpu:9.1f} s {figures['median_s']:7.1f} s "
              f"{figures['cpu_median_s']:6.1f} s {TARGETS[command]:5.0f} s")


SEARCH_TARGET_KB, FIRST_LOAD_TARGET_KB = 150, 200  # issue 24 requirement 4: bodies, cold cache, in Chromium
QUERIES = [
    ("text 'park'", "find/?q=park"),
    ("postcode 'HR1 1TJ'", "find/?q=HR1+1TJ"),
    ("filter nursing + dementia, by rating", "find/?care=Nursing&band=Dementia&sort=rating"),
    ("filter area Leeds, nursing", "find/?locality=Leeds&care=Nursing"),
    ("all homes, no filter", "find/"),
    ("distance from 'M1 1AE' (city centre)", "find/?sort=distance&near=M1+1AE"),
    ("distance from 'HR3 5AA' (rural)", "find/?sort=distance&near=HR3+5AA"),
    ("postcode 'M1 1AE' in the search box", "find/?q=M1+1AE"),
    ("distance from 'M1 1AE' + nursing", "find/?sort=distance&near=M1+1AE&care=Nursing"),
    ("distance 'M1 1AE' + nursing, dementia", "find/?sort=distance&near=M1+1AE&care=Nursing&band=Dementia"),
    ("distance 'M1 1AE' + words 'park'", "find/?q=park&sort=distance&near=M1+1AE"),
    # a town and a postcode: up to 150 matches, each placed by its district (they loaded every match's card: 273 KB)
    ("town 'Leeds' + postcode 'LS6 2QT'", "find/?q=Leeds+LS6+2QT"),
    ("town 'York' + postcode 'YO31 8HE'", "find/?q=York+YO31+8HE"),
    ("words 'park' + nursing, by fee", "find/?q=park&care=Nursing&sort=fee"),
    ("3 filters: nursing, dementia, bed free", "find/?care=Nursing&band=Dementia&free=any"),
    ("5 filters + fee sort", "find/?care=Nursing&band=Dementia&band=Older+people&rating=Good&weekend=yes&sort=fee"),
]


DONE = """() => {
  const list = document.getElementById('results'), text = document.getElementById('results-status').textContent || '';
  if (list && list.hasAttribute('aria-busy')) return list.getAttribute('aria-busy') === 'false' && text !== '';
  return /match|No homes|nearest first|could not|not a live|outside the postcode|not working|Enter a postcode|told us/.test(text);
}"""


def kinds(sizes: dict[str, int]) -> dict[str, tuple[int, int]]:
    """The search's bytes and requests by kind of file (the index's words, filters, sorts and cards, the
    distance files, the postcode lookup...)."""
    out: dict[str, tuple[int, int]] = {}
    for url, size in sizes.items():
        m = re.search(r"/(search/facets/(?:index|[wfsc])|search/near/|search/cards/|search/|postcodes/)", url)
        if not m:
            continue
        kind = m.group(1).rstrip("/")
        b, n = out.get(kind, (0, 0))
        out[kind] = (b + size, n + 1)
    return dict(sorted(out.items()))


def measure_search(site: Path, detail: bool = False) -> None:
    """Bytes a person's browser fetches for a search or filter on the find page.

    Each query runs in a fresh browser context (cold cache), opening the find page with the
    query in its address. Counted: every request the search makes (the index's files in search/,
    the postcode lookup); the page's own HTML, CSS and theme JavaScript are listed apart.
    """
    import threading

    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from carehomes.localserver import site_server

    server = site_server(site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for label, path in QUERIES:
            ctx = browser.new_context()
            sizes: dict[str, int] = {}
            def finished(r: Any, sizes: dict[str, int] = sizes) -> None:
                sizes[r.url] = r.sizes()["responseBodySize"]

            ctx.on("requestfinished", finished)
            page = ctx.new_page()
            page.goto(base + path)
            # the page marks the results aria-busy="false" once a search has finished (its count written,
            # or why there is none); older pages only had their final wording to go by
            try:
                page.wait_for_function(DONE, timeout=60000)
            except PlaywrightTimeout:
                print(f"search {label:<38} did not finish in 60 s; status: {page.locator('#results-status').inner_text()[:60]!r}")
                ctx.close()
                continue
            page.wait_for_timeout(300)
            searching = ("/search/", "/postcodes/")
            search = sum(v for k, v in sizes.items() if any(s in k for s in searching))
            n = sum(1 for k in sizes if any(s in k for s in searching))
            other = sum(v for k, v in sizes.items() if not any(s in k for s in searching))
            status = page.locator("#results-status").inner_text()
            print(f"search {label:<38} {search / 1e3:7.1f} KB in {n:3} requests (target <= {SEARCH_TARGET_KB} KB); "
                  f"page itself {other / 1e3:.0f} KB   [{status[:32]}]")
            FIGURES.setdefault("searches_kb", {})[label] = round(search / 1e3, 1)
            if path == "find/":  # the find page opened with nothing chosen: its first load, all of it
                print(f"find page first load {(search + other) / 1e3:.1f} KB in {len(sizes)} requests (target <= {FIRST_LOAD_TARGET_KB} KB)")
                FIGURES["find_first_load_kb"] = round((search + other) / 1e3, 1)
            if detail:
                print("       " + "; ".join(f"{kind} {kb / 1e3:.1f} KB in {count}" for kind, (kb, count) in kinds(sizes).items()))
            ctx.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
