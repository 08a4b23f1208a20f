"""The command line: ``python build.py COMMAND``."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .fsutil import replace_dir
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
    result = check_paths(paths)
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
    result = check_paths([Path(p) for p in args.providers])
    if not result.ok:
        for p in result.problems:
            print(p)
        _say(f"{len(result.problems)} problem{'s' * (len(result.problems) != 1)}: nothing was published; {out} is unchanged.")
        return 1
    with replace_dir(out) as tmp:
        sizes = write_data(result.profiles, tmp)
    for name, size in sorted(sizes.items()):
        _say(f"wrote {out / name} ({size:,} bytes)")
    return 0


def _checked_or_report(providers: list[str], out: Path):
    result = check_paths([Path(p) for p in providers])
    if not result.ok:
        for p in result.problems:
            print(p)
        _say(f"{len(result.problems)} problem{'s' * (len(result.problems) != 1)}: the site was not built; {out} is unchanged.")
        return None
    return result


def cmd_build(args: argparse.Namespace) -> int:
    from .render import build_site

    out = Path(args.out)
    result = _checked_or_report(args.providers, out)
    if result is None:
        return 1
    start = time.perf_counter()
    report = build_site(result.profiles, out, config_path=Path(args.config), index=not args.no_search)
    _say(f"Built {out}: {report.homes:,} homes, {report.pages:,} generated pages, {report.search}, "
         f"in {time.perf_counter() - start:.1f} s.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import functools
    import http.server

    code = cmd_build(args)
    if code:
        return code
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *a: object) -> None:  # noqa: A002 - the base class's name
            pass

    handler = functools.partial(Quiet, directory=str(Path(args.out)))
    with http.server.ThreadingHTTPServer((args.host, args.port), handler) as httpd:
        _say(f"Serving the site at http://{args.host}:{httpd.server_address[1]}/ (press Ctrl+C to stop)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


def cmd_import_cqc(args: argparse.Namespace) -> int:
    import datetime as dt

    from .importer import ImportError_, import_cqc

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
            _say(f"{p.relative_to(ROOT)} is out of date with schema/datapackage.json; run: python build.py docs")
        return 1 if stale else 0
    for p in stale:
        p.write_text(outputs[p], encoding="utf-8")
        _say(f"wrote {p.relative_to(ROOT)}")
    return 0


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
        if name == "serve":
            b.add_argument("--host", default="127.0.0.1")
            b.add_argument("--port", type=int, default=8000)
        b.set_defaults(func=cmd_build if name == "build" else cmd_serve)

    g = sub.add_parser("docs", help="regenerate providers/_template.yaml and the editor JSON Schema from schema/")
    g.add_argument("--check", action="store_true", help="fail if they are out of date instead of writing")
    g.set_defaults(func=cmd_docs)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    start = time.perf_counter()
    code = args.func(args)
    if getattr(args, "verbose", False):
        _say(f"took {time.perf_counter() - start:.2f} s")
    return code
