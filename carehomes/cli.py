"""The command line: ``python3 build.py COMMAND``."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .fsutil import PublishError, replace_dir
from .pipeline import check_paths
from .schema import ROOT

PROVIDERS = ROOT / "providers"
SITE = ROOT / "site"


def _say(msg: str) -> None:
    print(msg, file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths] or [PROVIDERS]
    missing = [p for p in paths if not p.exists()]
    if missing:
        _say("\n".join(f"{p}: no such file or folder" for p in missing))
        return 2
    result = check_paths(paths, keep_data=False)
    for p in result.problems:
        print(p.github() if args.format == "github" else str(p))
    if result.problems:
        files = len({p.path for p in result.problems})
        _say(f"{len(result.problems)} problem{'s' * (len(result.problems) != 1)} in {files} "
             f"file{'s' * (files != 1)} (checked {result.files}). Fix each line above and run the check again.")
        return 1
    _say(f"Checked {result.files} profile{'s' * (result.files != 1)}: no problems.")
    return 0


def cmd_data(args: argparse.Namespace) -> int:
    from .publish import write_data

    out = Path(args.out)
    result = _checked_or_report(args.providers, f"nothing was published; {out} is unchanged")
    if result is None:
        return 1
    try:
        sizes = write_data(result.profiles, out)  # file by file, atomically; other files in out are kept
    except OSError as exc:
        _say(f"Writing the open data into {out} failed: {exc}")
        return 1
    for name, size in sorted(sizes.items()):
        _say(f"wrote {out / name} ({size:,} bytes)")
    return 0


def _checked_or_report(providers: list[str], consequence: str):
    """Check the profiles; on problems print them, say what was not done, and return None."""
    result = check_paths([Path(p) for p in providers])
    if not result.ok:
        for p in result.problems:
            print(p)
        _say(f"{len(result.problems)} problem{'s' * (len(result.problems) != 1)}: {consequence}.")
        return None
    return result


def cmd_build(args: argparse.Namespace) -> int:
    from .pipeline import build_site

    out = Path(args.out)
    result = _checked_or_report(args.providers, f"the site was not built; {out} is unchanged")
    if result is None:
        return 1
    start = time.perf_counter()
    try:
        report = build_site(result.profiles, out, config_path=Path(args.config), index=not args.no_search,
                            releases_dir=Path(args.releases))
    except PublishError as exc:
        _say(f"The site was not built: {exc}")
        return 1
    except (RuntimeError, OSError) as exc:
        _say(f"The build failed, so {out} was left as it was:\n{exc}")
        return 1
    _say(f"Built {out}: {report.homes:,} homes, {report.pages:,} generated pages, {report.search}, "
         f"in {time.perf_counter() - start:.1f} s.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .localserver import site_server

    code = cmd_build(args)
    if code:
        return code
    try:
        httpd = site_server(Path(args.out), args.host, args.port)
    except OSError as exc:
        _say(f"Cannot serve on {args.host}:{args.port} ({exc.strerror}); try another port: python3 build.py serve --port 8001")
        return 1
    with httpd:
        _say(f"Serving the site at http://{args.host}:{httpd.server_address[1]}/ (press Ctrl+C to stop)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from .publish import data_files, release_date
    from .releases import snapshot

    result = _checked_or_report(args.providers, "no release was made")
    if result is None:
        return 1
    try:
        target = snapshot(data_files(result.profiles), Path(args.releases), release_date(), force=args.force)
    except FileExistsError as exc:
        _say(str(exc))
        return 1
    _say(f"Release snapshot written to {target}. Commit it so that later builds compare with it.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    import datetime as dt

    from .render import read_config
    from .report import ConfigError, load_thresholds, previous_release, report_csv, report_html, signals
    from .views import HomeView

    out = Path(args.out)
    result = _checked_or_report(args.providers, f"no report was written; {out} is unchanged")
    if result is None:
        return 1
    try:
        thresholds = load_thresholds(Path(args.config))
    except ConfigError as exc:
        _say(str(exc))
        return 2
    today = dt.date.today()
    views = [HomeView(p.data, today) for p in result.profiles]
    found = signals(views, today, thresholds, previous_release(Path(args.releases)))
    site_url = read_config(ROOT / "mkdocs.yml").raw.get("site_url", "")
    out.mkdir(parents=True, exist_ok=True)
    from .yamlio import write_text_atomic

    write_text_atomic(out / "commissioner-report.html", report_html(found, views, today, thresholds, site_url))
    write_text_atomic(out / "commissioner-report.csv", report_csv(found))
    _say(f"{len(found)} signal{'s' * (len(found) != 1)} for {len({s.location_id for s in found})} homes: "
         f"{out / 'commissioner-report.html'} and {out / 'commissioner-report.csv'}")
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from .merge import MergeError, merge, write_profiles
    from .publish import write_data

    out = Path(args.out)
    try:
        homes, report = merge([Path(p) for p in args.packages])
        with replace_dir(out) as tmp:
            profiles = write_profiles(homes, tmp / "providers")
            write_data(profiles, tmp / "data")
            (tmp / "merge-report.txt").write_text(report.text(len(homes)) + "\n", encoding="utf-8")
    except MergeError as exc:
        _say(str(exc))
        return 1
    print(report.text(len(homes)))
    _say(f"Wrote {out / 'data'} and {out / 'providers'}; build a site with: python3 build.py build --providers {out / 'providers'}")
    return 0


def cmd_import_cqc(args: argparse.Namespace) -> int:
    import datetime as dt

    from .sources.cqc_files import ImportError_, import_cqc

    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        _say(f"--as-of {args.as_of}: write the date as YYYY-MM-DD")
        return 2
    try:
        report = import_cqc(Path(args.file), Path(args.providers), args.local_authority,
                            allow_mass_removal=args.allow_mass_removal, dry_run=args.dry_run, as_of=as_of)
    except ImportError_ as exc:
        _say(f"{args.file}: {exc}")
        return 1
    print(report.summary())
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from . import docs

    outputs = {ROOT / docs.TEMPLATE_PATH: docs.template_text(), ROOT / docs.JSON_SCHEMA_PATH: docs.json_schema_text()}
    stale = [p for p, text in outputs.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            _say(f"{p.relative_to(ROOT)} is out of date with schema/datapackage.json; run: python3 build.py docs")
        return 1 if stale else 0
    for p in stale:
        p.write_text(outputs[p], encoding="utf-8")
        _say(f"wrote {p.relative_to(ROOT)}")
    return 0


def cmd_fmt(args: argparse.Namespace) -> int:
    from .editing import fmt_files
    from .load import profile_files

    files = profile_files([Path(p) for p in args.paths] or [PROVIDERS])
    if not args.paths:
        files.append(PROVIDERS / "_template.yaml")
    changed, errors = fmt_files(files, check=args.check)
    for e in errors:
        _say(e)
    for f in changed:
        print(f"{f}: {'is not in the standard format; run: python3 build.py fmt' if args.check else 'formatted'}")
    if args.check and not changed and not errors:
        _say(f"{len(files)} files are in the standard format.")
    return 1 if errors or (args.check and changed) else 0


def cmd_vacancies(args: argparse.Namespace) -> int:
    import datetime as dt

    from .editing import set_vacancies

    path = Path(args.providers) / f"{args.slug}.yaml"
    if not path.exists():
        _say(f"{path}: no such profile; the slug is the file name without .yaml")
        return 2
    if not args.unchanged and args.nursing is None and args.residential is None:
        _say("give --nursing N and/or --residential N, or --unchanged to confirm today that nothing changed")
        return 2
    problems = set_vacancies(path, args.nursing, args.residential, dt.date.today())
    if problems:
        for p in problems:
            print(p)
        _say(f"{path} was not changed.")
        return 1
    _say(f"{path}: vacancies confirmed today" + ("" if args.unchanged else f" (nursing: {args.nursing if args.nursing is not None else 'as before'}, "
                                                  f"residential: {args.residential if args.residential is not None else 'as before'})"))
    return 0


def cmd_check_ownership(args: argparse.Namespace) -> int:
    from .ownership import GitError, check_ownership

    try:
        problems = check_ownership(Path(args.repo), args.author, args.base)
    except GitError as exc:
        _say(f"check-ownership: {exc}")
        return 2
    for p in problems:
        print(p)
    if problems:
        _say(f"{len(problems)} change{'s' * (len(problems) != 1)} by {args.author} need a council steward.")
        return 1
    _say(f"{args.author} may make every change since {args.base}.")
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    from .devtools import run_tests

    return run_tests(fast=args.fast, pytest_args=args.pytest_args)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description="Care home directory: check profiles, publish open data, build the site.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    c = sub.add_parser("check", help="validate profiles and report every problem")
    c.add_argument("paths", nargs="*", help="profiles or folders (default: providers/)")
    c.add_argument("--format", choices=["text", "github"], default="text",
                   help="github prints workflow annotations for pull requests")
    c.set_defaults(func=cmd_check)

    d = sub.add_parser("data", help="write the open data files (CSV, JSON, datapackage.json)")
    d.add_argument("--providers", nargs="+", default=[str(PROVIDERS)])
    d.add_argument("--out", default=str(SITE / "data"))
    d.set_defaults(func=cmd_data)

    i = sub.add_parser("import-cqc", help="create or refresh profiles from a CQC register file")
    i.add_argument("file", help="a CQC file: HSCA care directory CSV, CQC market CSV, API CSV or API JSON folder")
    i.add_argument("--local-authority", help="only homes in this local authority, e.g. Herefordshire")
    i.add_argument("--providers", default=str(PROVIDERS), help="folder of profiles to create or refresh")
    i.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date of the register data (default: newest date in the file)")
    i.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    i.add_argument("--allow-mass-removal", action="store_true",
                   help="allow flagging more than half the homes as missing from the register")
    i.set_defaults(func=cmd_import_cqc)
    for name, helptext in (("build", "check the profiles and build the whole site into site/"),
                           ("serve", "build the site, then serve it on this computer to look at")):
        b = sub.add_parser(name, help=helptext)
        b.add_argument("--providers", nargs="+", default=[str(PROVIDERS)])
        b.add_argument("--out", default=str(SITE))
        b.add_argument("--config", default=str(ROOT / "mkdocs.yml"))
        b.add_argument("--no-search", action="store_true", help="skip the Pagefind search index")
        b.add_argument("--releases", default=str(ROOT / "releases"), help="folder of release snapshots to compare with")
        if name == "serve":
            b.add_argument("--host", default="127.0.0.1")
            b.add_argument("--port", type=int, default=8000)
        b.set_defaults(func=cmd_build if name == "build" else cmd_serve)

    r = sub.add_parser("release", help="snapshot the data as a release in releases/<date>/ (for stewards)")
    r.add_argument("--providers", nargs="+", default=[str(PROVIDERS)])
    r.add_argument("--releases", default=str(ROOT / "releases"))
    r.add_argument("--force", action="store_true", help="replace today's snapshot")
    r.set_defaults(func=cmd_release)

    rp = sub.add_parser("report", help="commissioner early-warning report (HTML and CSV; not published)")
    rp.add_argument("--providers", nargs="+", default=[str(PROVIDERS)])
    rp.add_argument("--out", default=str(ROOT / "report"))
    rp.add_argument("--config", default=str(ROOT / "signals.yaml"), help="thresholds (default: signals.yaml)")
    rp.add_argument("--releases", default=str(ROOT / "releases"), help="compare beds with the latest release here")
    rp.set_defaults(func=cmd_report)

    m = sub.add_parser("merge", help="combine several councils' published packages into one")
    m.add_argument("packages", nargs="+", help="datapackage.json files, the first listed wins any conflict")
    m.add_argument("--out", required=True, help="folder for the merged data/ and providers/")
    m.set_defaults(func=cmd_merge)

    f = sub.add_parser("fmt", help="write profiles in the standard format (key order, quoting, indentation)")
    f.add_argument("paths", nargs="*", help="profiles or folders (default: providers/ and the template)")
    f.add_argument("--check", action="store_true", help="only report files that are not formatted")
    f.set_defaults(func=cmd_fmt)

    v = sub.add_parser("vacancies", help="update a home's free beds and confirm them today")
    v.add_argument("slug", help="the profile's file name without .yaml")
    v.add_argument("--nursing", type=int, metavar="N", help="beds with nursing free now")
    v.add_argument("--residential", type=int, metavar="N", help="beds without nursing free now")
    v.add_argument("--unchanged", action="store_true", help="nothing changed: just confirm today's date")
    v.add_argument("--providers", default=str(PROVIDERS))
    v.set_defaults(func=cmd_vacancies)

    o = sub.add_parser("check-ownership", help="refuse changes the author may not make (for pull requests)")
    o.add_argument("--author", required=True, help="the pull request author's username")
    o.add_argument("--base", required=True, help="the git revision to compare with, e.g. origin/main")
    o.add_argument("--repo", default=str(ROOT), help="the repository folder")
    o.set_defaults(func=cmd_check_ownership)

    g = sub.add_parser("docs", help="regenerate providers/_template.yaml and the editor JSON Schema from schema/")
    g.add_argument("--check", action="store_true", help="fail if they are out of date instead of writing")
    g.set_defaults(func=cmd_docs)

    t = sub.add_parser("test", help="run the whole test suite: ruff, mypy and pytest (browser tests included)")
    t.add_argument("--fast", action="store_true", help="skip the browser tests")
    t.add_argument("pytest_args", nargs="*", help="extra arguments for pytest, after --")
    t.set_defaults(func=cmd_test)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)
