"""The command line: ``python3 build.py COMMAND``."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shlex
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, TextIO, cast

from .areas import Area, AreaError, find_area
from .commandhelp import describe
from .configfile import ConfigFileError, directory_of, load_config_file
from .kinds import default_kind
from .fsutil import (DONE_BEFORE_STOP, NotRegularFile, PublishError, UnsafePath, input_folder_problem, is_slug, not_written, output_file_problem, output_folder_problem, read_folder_problem, read_regular, replace_dir, replace_problem,
                     replaced_folder_problem, safe_slug_path)
from . import closures
from .load import display_path, errors
from .checking import check_paths
from .engines import ENGINES
from .github import MAX_COMMENTS, MAX_ISSUES
from .safetext import plain, unrun
from .schema import ROOT, SchemaError
from .text import reader_error, typed_whole, undecodable, writable
from .validate import today as england_today

PROVIDERS = ROOT / "providers"


def _say(msg: str) -> None:
    print(msg, file=sys.stderr)


class _Guarded:
    """stdout or stderr with no line a GitHub Actions runner reads as a workflow command (``::error``,
    ``::add-mask::``, ``::stop-commands::``, the legacy ``##[``): such a line, from any outside value that
    slipped through unquoted, is written ``\\::``. Only ``command`` writes our own annotations."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.blank = True  # the line written so far is empty or spaces: a command could still start it

    def write(self, text: str) -> int:
        parts = re.split(r"(?<=[\r\n])", text)
        out = []
        for part in parts:
            if self.blank:
                part = unrun(part)
            out.append(part)
            if part:
                self.blank = part.endswith(("\n", "\r")) or (self.blank and part.isspace())
        text = "".join(out)
        try:
            return self.stream.write(text)
        except UnicodeEncodeError:  # a file name that is not UTF-8, on a stream that will not write it as it is
            return self.stream.write(writable(text))

    def command(self, line: str) -> None:
        """Write one of our own workflow commands (``Problem.github()``), whose every value is escaped."""
        if not self.blank:
            self.stream.write("\n")
        self.stream.write(line + "\n")
        self.blank = True

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, ...: the stream's own
        return getattr(self.stream, name)


def _command(line: str) -> None:
    """Print a workflow command of ours to stdout, past the guard that stops any other."""
    out: Any = sys.stdout
    if isinstance(out, _Guarded):
        out.command(line)
    else:
        print(line)


def _refused(*problems: str | None) -> bool:
    """Say each path problem found (see fsutil's ``*_folder_problem``); True when there was one."""
    found = [p for p in problems if p]
    for p in found:
        _say(p)
    return bool(found)


def cmd_check(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths]
    missing = [p for p in paths if not p.exists()]
    if missing:
        _say("\n".join(f"{p}: no such file or folder; give a profile (.yaml) or a folder of them, e.g. providers/"
                       for p in missing))
        return 2
    result = check_paths(paths, keep_data=False, external=True)
    result.problems.extend(closures.problems(paths))
    for p in result.problems:
        if args.format == "github":
            _command(p.github())
        else:
            print(p)
    for warning in _map_warnings(Path(args.config) if args.config else None) + _codepoint_warnings():
        _say(f"warning: {warning}")
    warnings = len(result.problems) - len(errors(result.problems))
    also = f" and {warnings} warning{'s' * (warnings != 1)}" if warnings else ""
    if not result.ok:
        found = errors(result.problems)
        files = len({p.path for p in found})
        _say(f"{len(found)} problem{'s' * (len(found) != 1)}{also} in {files} "
             f"file{'s' * (files != 1)} (checked {result.files}). Fix each line above and run the check again.")
        return 1
    _say(f"Checked {result.files} profile{'s' * (result.files != 1)}: no problems{also}.")
    return 0


def _codepoint_warnings() -> list[str]:
    """check's warning when $CAREHOMES_CODEPOINT names a folder with no Code-Point Open data: its postcode checks were
    then left out without a word (a folder misspelt, or its Data subfolder given: the hostile review), as build warns."""
    from .sources.postcodes import ENV_DIR, available_areas

    folder = os.environ.get(ENV_DIR)
    if not folder or available_areas(Path(folder)):
        return []
    return [f"${ENV_DIR} is {folder}, which has no Code-Point Open data (no Data/CSV/*.csv.gz in it), so no postcode was "
            "checked; set it to the folder unzipped from Code-Point Open (the one holding Data/), or unset it"]


def _map_warnings(config: Path | None) -> list[str]:
    """check's warnings about mkdocs.yml's map settings (none when it cannot be read: build says why)."""
    from .configfile import ConfigFileError
    from .forms import directory_settings
    from .siteconfig import map_warnings

    try:
        return map_warnings(directory_settings(config))
    except (ConfigFileError, OSError, ValueError, AttributeError):
        return []


def _home_folder() -> list[Path]:
    """The user's home folder, or none when it cannot be known (no HOME and no password entry)."""
    try:
        return [Path.home()]
    except (RuntimeError, KeyError, OSError):
        return []


def _project_folders(providers: list[str], snapshots: bool = False) -> list[tuple[Path, str, bool]]:
    """The folders an output folder given to data, report or release must not be, or be inside (read_folder_problem):
    the folders of profiles and anything in them (a report or data files there are committed with the profiles: a
    review's report --out providers put the unpublished commissioner report where it is published), the schema, the
    code; and but for release's snapshots (``snapshots``: one dated folder added, in releases/ or an area's, even from
    within it as --releases .), the release snapshots, the areas and a folder of everything itself (the repository,
    the folder the command runs in, your home folder, the root), among whose files its own would be strewn."""
    inside = [*((Path(p), "a folder of profiles", True) for p in providers), (ROOT / "schema", "the schema", True),
              (ROOT / "carehomes", "the code", True)]
    if snapshots:  # a release adds one dated folder and writes over nothing: only where that folder must not be
        return inside
    return [*inside, (ROOT / "releases", "the release snapshots", True),
            (ROOT / "areas", "the areas' profiles, settings and release snapshots", True),
            (ROOT, "the repository", False), (Path.cwd(), "the folder this command runs in", False),
            *((home, "your home folder", False) for home in _home_folder()),
            (Path(Path.cwd().anchor or "/"), "the file system's root", False)]


def cmd_data(args: argparse.Namespace) -> int:
    from .publish import site_name, site_url, write_data

    out = Path(args.out)  # its .. worked out in main (_out_path)
    if _refused(output_folder_problem(out, "--out"), read_folder_problem(out, "--out", _project_folders(args.providers), "site/data")):
        return 1
    # one pass: each profile's pieces of the data are made where it is loaded and checked
    result = _checked_or_report(args.providers, f"nothing was published; {out} is unchanged", keep_data=False, pieces=True)
    if result is None:
        return 1
    try:
        # file by file, atomically; other files in out are kept; the package's homepage is the area's site_url; it
        # describes only the files written here (no feed, release snapshots or ORUK API: build's) and its database
        # holds no changelog (the releases and changes tables, which build makes with the feed)
        sizes = write_data(result.profiles, out, homepage=site_url(Path(args.config)), made=result.pieces,
                           title=site_name(Path(args.config)), site=False)
    except OSError as exc:
        _say(f"Writing the open data into {out} failed, so every file in it was left as it was:\n{not_written(exc, out)}")
        return 1
    for name, size in sorted(sizes.items()):
        _say(f"wrote {out / name} ({size:,} bytes)")
    return 0


def _bad_date(flag: str, text: str) -> str:
    """What is wrong with a date option: a day that does not exist (2026-02-30), or not written YYYY-MM-DD."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return f"{flag} {text}: is not a real date; check the day and month (YYYY-MM-DD)"
    return f"{flag} {text}: write the date as YYYY-MM-DD"


def _positive(text: str) -> int:
    """An issue or pull request number given as an argument: a whole number from 1 (argparse's type)."""
    if not re.fullmatch(r"[0-9]{1,9}", text) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not an issue or pull request number (a whole number from 1)")
    return int(text)


def _day_option(flag: str, text: str | None, what: str, left_out: str = "for today") -> dt.date | str:
    """A date option's day (today when not given), or what is wrong with it: not a real date written YYYY-MM-DD,
    after tomorrow (a day still to come somewhere in the world: the day ``what`` happened cannot be later), or
    before validate.EARLIEST_YEAR (a year typed with two digits). ``left_out``: what leaving the option out gives."""
    from .validate import EARLIEST_YEAR

    today = england_today()
    if not text:
        return today
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return _bad_date(flag, text)
    if day > today + dt.timedelta(days=1):
        return f"{flag} {text}: is after today ({today.isoformat()}); give the day {what}, or leave {flag} out {left_out}"
    if day.year < EARLIEST_YEAR:
        return f"{flag} {text}: is before {EARLIEST_YEAR}; write the year in full (YYYY-MM-DD)"
    return day


def _checked_or_report(providers: list[str], consequence: str, keep_data: bool = True, pieces: bool = False):
    """Check the profiles (``keep_data``, ``pieces``: as check_paths); on problems print them, say what was
    not done, and return None."""
    result = check_paths([Path(p) for p in providers], keep_data=keep_data, pieces=pieces)
    result.problems.extend(closures.problems([Path(p) for p in providers]))
    for p in result.problems:
        print(p)
    if not result.ok:
        n = len(errors(result.problems))
        _say(f"{n} problem{'s' * (n != 1)}: {consequence}.")
        return None
    return result


# an earlier build's site that --out may replace: its home page, sitemap and open data's package together (an
# index.html alone is any web folder's, /var/www/html or a GitHub Pages docs/; a data/datapackage.json alone is also in
# data's and merge's output, beside files of their own), or data's output alone (site/data/, data's default)
SITE_MARKS = (("index.html", "sitemap.xml", "data/datapackage.json"),)
SITE_ALONE = ("data",)


def _out_path(text: str) -> Path:
    """An output folder as given, or with its ``..`` worked out when it ends in one after another part
    (``site/sub/..`` is ``site``, as written, not through a link): a build's own folders are named after the
    folder's last part, and ``..`` is no name. A plain ``..`` is kept as given, for the messages."""
    path = Path(text)
    return Path(os.path.normpath(path)) if path.name == ".." and len(path.parts) > 1 else path


def cmd_build(args: argparse.Namespace) -> int:
    from .pipeline import build_site
    from .releases import ReleaseError
    from .siteconfig import not_a_site
    from .timings import Timings

    out = Path(args.out)  # its .. worked out in main (_out_path)
    inputs = [*map(Path, args.providers), Path(args.config), Path(args.releases)]
    # a --releases given that is not there is refused: a mistyped one would publish a site with no changelog
    if _refused(replaced_folder_problem(out, "--out", SITE_MARKS, inputs, alone=SITE_ALONE),
                _releases_problem(Path(args.releases), args, missing=True)):
        return 1
    try:
        foreign = not_a_site(Path(args.config))
    except ConfigFileError as exc:
        if not Path(args.config).exists():  # nothing to build with: said now, not after every profile is checked
            _say(f"The build failed, so {out} was left as it was:\n{exc}")
            return 1
        foreign = None  # the build says what is wrong with it, with the rest
    if foreign:
        _say(f"The build failed, so {out} was left as it was:\n{foreign}")
        return 1
    gap = _postcode_gap(Path(args.config), getattr(args, "area", None))
    if args.production and _production_refused(Path(args.config), out, gap):
        return 1
    timings = Timings(enabled=args.timings)
    with timings.stage("load and check"):
        # each profile's pieces of the open data made in the same pass (the data stage joins them)
        result = _checked_or_report(args.providers, f"the site was not built; {out} is unchanged", pieces=True)
    if result is None:
        return 1
    args.checked = result.profiles  # serve keeps them, to rebuild only what an edit touches
    args.pieces = result.pieces  # and their open data pieces
    start = time.perf_counter()
    try:
        report = build_site(result.profiles, out, config_path=Path(args.config), index=not args.no_search,
                            releases_dir=Path(args.releases), engine=args.engine, timings=timings, made=result.pieces)
    except PublishError as exc:
        _say(f"The site was not built: {exc}")
        return 1
    except ReleaseError as exc:
        _say(f"{_repair_said(exc, args)}\nThe site was not built; {out} is unchanged.")
        return 1
    except OSError as exc:
        _say(f"The build failed, so {out} was left as it was:\n{not_written(exc, out)}")
        return 1
    except RuntimeError as exc:
        _say(f"The build failed, so {out} was left as it was:\n{exc}")
        return 1
    from .forms import placeholder_warnings
    from .render import find_place_warnings
    from .schema import load_schema
    from .siteconfig import (gathering_warnings, map_warnings, place_warnings, staleness_warnings, title_warnings,
                             unknown_setting_warnings)

    raw = load_config_file(Path(args.config))  # read once for every warning below (INHERIT resolved)
    directory = directory_of(raw)
    shown = "mkdocs.yml" if Path(args.config) == ROOT / "mkdocs.yml" else args.config
    datas = [p.data for p in result.profiles]
    places = (place_warnings(directory, datas, shown) + gathering_warnings(directory, datas, shown)
              + title_warnings(raw, shown) + unknown_setting_warnings(directory, shown) + find_place_warnings(directory, load_schema(), shown))
    from .releases import stray_folders

    strays = stray_folders(Path(args.releases))
    for warning in placeholder_warnings(directory, shown) + map_warnings(directory) + staleness_warnings(directory) + places + strays + ([gap] if gap else []):
        _say(f"warning: {warning}")
    _say(f"Built {out} with {args.engine}: {report.counted}, {report.pages:,} generated pages, {report.search}, "
         f"in {time.perf_counter() - start:.1f} s.")
    if args.timings:
        _say(timings.table())
    return 0


def _postcode_gap(config: Path, area: str | None = None) -> str | None:
    """Why the site would have no postcode lookup for some configured areas, or None (a bad setting:
    the build itself says why)."""
    from .forms import directory_settings
    from .sources.postcodes import missing_areas, missing_message

    try:
        areas = directory_settings(config).get("postcode_areas")
    except (ConfigFileError, OSError, ValueError, AttributeError):
        return None
    if areas is not None and areas != "all" and not (isinstance(areas, list) and all(isinstance(a, str) for a in areas)):
        return None
    missing = missing_areas(areas)
    return missing_message(missing, config=display_path(config), area=area) if missing else None


def cmd_fetch_postcodes(args: argparse.Namespace) -> int:
    from .forms import directory_settings
    from .sources import codepoint

    dest = Path(args.dir)
    if not args.release and _refused(replaced_folder_problem(dest, "--dir", ("Data/CSV",), [Path(args.config)], ".codepoint/current")):
        return 1
    replaced = None if args.release else replace_problem(dest, "--dir")  # before a download, not after it
    if replaced:
        _say(f"{replaced}; nothing was installed")
        return 1
    try:
        settings = codepoint.settings(directory_settings(Path(args.config)), config=display_path(Path(args.config)))
        if args.release:
            print(codepoint.release_name(settings))
            return 0
        _say(codepoint.fetch(settings, dest, allow_older=args.allow_older))
    except codepoint.FetchError as exc:
        _say(str(exc))
        return 1
    except PublishError as exc:
        _say(f"{exc}; nothing was installed")
        return 1
    except OSError as exc:
        _say(f"{plain(str(exc.filename or dest))}: cannot be written ({exc.strerror or exc}); nothing was installed")
        return 1
    return 0


def _production_refused(config: Path, out: Path, gap: str | None) -> bool:
    """``--production``: say every reason and refuse when a council contact or the repository in the config is
    still an example, or a configured postcode area has no lookup (``gap``), all at once (a config that cannot be
    read is left to the build to report)."""
    from .forms import directory_settings, production_problems

    try:
        problems = production_problems(directory_settings(config), str(config))
    except (ConfigFileError, OSError, ValueError, AttributeError):
        problems = []
    for problem in problems:
        _say(problem)
    if gap:
        _say(gap)
    if problems or gap:
        why = " and ".join(([] if not problems else ["no placeholder contact is published"])
                           + ([] if not gap else ["no site is published without its distance search"]))
        _say(f"--production: the site was not built, so that {why}; {out} is unchanged.")
    return bool(problems or gap)


def _repair_said(exc: Exception, args: argparse.Namespace) -> str:
    """A release error's words with its repair command (releases.DAMAGED's) for the area and releases folder this
    command was given: 'release --force' alone made the top level's snapshot and left the damaged one as it was (the
    diff review)."""
    from .releases import REPAIR_COMMAND

    command = REPAIR_COMMAND
    if getattr(args, "area", None):
        command += f" --area {shlex.quote(str(args.area))}"
    if "releases" not in getattr(args, "area_filled", ("releases",)):
        command += f" --releases {shlex.quote(str(args.releases))}"
    return str(exc).replace(REPAIR_COMMAND, command)


def _releases_problem(folder: Path, args: argparse.Namespace, missing: bool = False) -> str | None:
    """A --releases path that is there but is not a folder; with ``missing``, also one given that is not there (the
    report would compare with no release, and say so as a fact; a build would publish no changelog, its feed empty).
    The area's own releases/ missing, --releases not given, means none yet."""
    if folder.exists() and not folder.is_dir():
        return f"--releases {folder}: is a file, not a folder; give the folder of release snapshots, e.g. releases/"
    own = getattr(args, "area_releases", None)  # the area's own folder, given by name: none yet, as when left out
    if missing and not folder.exists() and "releases" not in getattr(args, "area_filled", ()) and not (
            own is not None and folder.absolute() == Path(own).absolute()):
        return (f"--releases {folder}: there is no such folder; give the folder of release snapshots (the area's is "
                f"{display_path(Path(own)) if own is not None else 'releases'}/), or leave --releases out")
    return None


def _port(text: str) -> int:
    """An argparse type: a TCP port 0-65535 (0 lets the computer pick a free one)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; use a port from 1 to 65535, e.g. 8001") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port; use a port from 1 to 65535 "
                                         "(or 0 for any free port)")
    return port


def _host(text: str) -> str:
    """An argparse type: an address to listen on, never empty (an empty --host listened on every address of the
    computer, for anyone on its network, and said so as http://:8000/)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty address listens on every network this computer is on; give one, "
                                         "e.g. 127.0.0.1 (this computer only) or 0.0.0.0 (every network, on purpose)")
    return text.strip()


def _no_address(host: str, exc: OSError) -> str | None:
    """What to say when ``host`` is no address of this computer (getaddrinfo's negative codes): another port would
    not help; None for any other failure to listen."""
    if exc.errno is None or exc.errno >= 0:
        return None
    reason = str(exc.strerror or exc).split(" (while", 1)[0]
    return f"Cannot serve on {host} ({reason}); give an address of this computer with --host, e.g. 127.0.0.1"


def _serve_again(port: int) -> str:
    """serve started again in this process's place, with its arguments and on the port it serves on (one ``--port 0``
    chose): a changed schema is read only by a new process. Returns (not started) why not: the schema or the face it
    declares cannot be read, which would stop the new serve before it serves (this one goes on), or exec failed."""
    from .face import face_of
    from .schema import SCHEMA_PATH, load_schema

    try:
        face_of(load_schema.__wrapped__(SCHEMA_PATH))  # read afresh, not this process's copy
    except ValueError as exc:  # SchemaError, FaceError: each names the file, the entry and what to do
        return str(exc)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(sys.executable, [sys.executable, *sys.argv, "--port", str(port)])
    except OSError as exc:
        return f"serve could not be started again ({exc.strerror or exc})"
    return ""  # never reached: execv does not return


def cmd_serve(args: argparse.Namespace) -> int:
    from .incremental import Live, snapshot
    from .localserver import site_server, url_prefix
    from .siteconfig import read_config
    from .watch import ServeState, keep_built, live_handler, watch, watched, watching

    if _refused(_releases_problem(Path(args.releases), args, missing=True)):  # said before the port is taken
        return 1
    before = snapshot(ROOT, watched([*map(Path, args.providers), Path(args.config)], ROOT))  # a file saved during the build is a change
    prefix = url_prefix(str(read_config(Path(args.config)).raw.get("site_url") or ""))
    state = ServeState()
    try:  # the port first: a port in use is said at once, not after a build of minutes
        httpd = site_server(Path(args.out), args.host, args.port, prefix, live_handler(state))
    except OSError as exc:
        _say(_no_address(args.host, exc) or f"Cannot serve on {args.host}:{args.port} ({exc.strerror}); nothing was "
             "built; try another port, e.g. python3 build.py serve --port 0 (any free port)")
        return 1
    code = cmd_build(args)
    if code:
        httpd.server_close()
        return code

    def started() -> Live | None:
        """The site as just built, ready to be updated in place (None: the engine could not run)."""
        live = Live(Path(args.out), [Path(p) for p in args.providers], Path(args.config), Path(args.releases),
                    engine=args.engine, index=not args.no_search)
        try:
            live.start(args.checked, args.pieces)
        except (RuntimeError, OSError) as exc:
            _say(f"Watching stopped: {exc}")
            return None
        return live

    def full_build() -> Live | None:
        return started() if cmd_build(args) == 0 else None

    live = started()
    keep_built(True)  # before saying so: the first collection of a national build takes a second
    try:
        with httpd:
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
            _say(f"Serving the site at http://{args.host}:{httpd.server_address[1]}/ (press Ctrl+C to stop); "
                 f"watching {watching([*map(Path, args.providers), Path(args.config)], ROOT)} for changes")
            stop = threading.Event()
            try:
                if live is None:
                    stop.wait()
                else:
                    watch(live, state, ROOT, full_build, _say, stop, before=before,
                          restart=lambda: _serve_again(httpd.server_address[1]))
            except KeyboardInterrupt:
                pass
            httpd.shutdown()
    finally:  # the collector as it was, however serve ends (watch gives it back too; without watching, here)
        keep_built(False)
    return 0


def cmd_serve_api(args: argparse.Namespace) -> int:
    import socket

    import uvicorn

    from .oruk_server import DataMissing, create_app

    try:
        app = create_app(Path(args.site), args.api_url)
    except DataMissing as exc:
        _say(str(exc))
        return 1
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", proxy_headers=True,
                            server_header=False, date_header=True)
    server = uvicorn.Server(config)
    try:
        sock = socket.create_server((args.host, args.port))
    except OSError as exc:
        _say(_no_address(args.host, exc) or f"Cannot serve on {args.host}:{args.port} ({os.strerror(exc.errno) if exc.errno else exc}); "
             "try another port: python3 build.py serve-api --port 8002")
        return 1
    port = sock.getsockname()[1]
    _say(f"Serving the Open Referral UK API at http://{args.host}:{port}/ (press Ctrl+C to stop)")
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from .publish import data_files, release_date, site_name, site_url
    from .releases import ReleaseError, check_new_release, list_releases, snapshot

    folder = Path(args.releases)
    # the snapshots' own folder may be anywhere but among the profiles, the schema or the code (_project_folders)
    if _refused(output_folder_problem(folder, "--releases"),
                read_folder_problem(folder, "--releases", _project_folders(args.providers, snapshots=True), "releases")):
        return 1
    result = _checked_or_report(args.providers, "no release was made")
    if result is None:
        return 1
    try:
        # a damaged or misdated snapshot is refused before another is added, and so is a release older than the last
        # (with --force, today's is passed over: it is replaced whole, damaged or not)
        check_new_release(list_releases(folder, replacing=release_date() if args.force else None), release_date())
        target = snapshot(data_files(result.profiles, homepage=site_url(Path(args.config)), title=site_name(Path(args.config))),
                          folder, release_date(), force=args.force)
    except ReleaseError as exc:
        _say(f"{_repair_said(exc, args)}\nNo release was made.")
        return 1
    except FileExistsError as exc:
        _say(str(exc))
        return 1
    except OSError as exc:
        _say(f"{not_written(exc, folder, '--releases')}; no release was made")
        return 1
    _say(f"Release snapshot written to {target}. Commit it so that later builds compare with it.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .siteconfig import read_config, staleness
    from .market import closures_as_at
    from .report import ConfigError, load_thresholds, previous_release, report_csv, report_html, signalled, signals, unchecked
    from .views import HomeView

    from .releases import ReleaseError

    out = Path(args.out)
    config = Path(args.signals)
    if _refused(output_folder_problem(out, "--out"), read_folder_problem(out, "--out", _project_folders(args.providers), "report"),
                _releases_problem(Path(args.releases), args, missing=True),
                f"--signals {config}: is a folder, not a file; give the thresholds file, e.g. signals.yaml"
                if config.is_dir() else None):
        return 1
    site = read_config(Path(args.config))
    if "site_name" not in site.raw:  # signals.yaml, as --config named before --signals did
        _say(f"--config {args.config}: is not the site's settings (mkdocs.yml has a site_name); give the site's mkdocs.yml "
             "with --config, and the report's thresholds with --signals")
        return 1
    result = _checked_or_report(args.providers, f"no report was written; {out} is unchanged")
    if result is None:
        return 1
    try:
        thresholds = load_thresholds(config)
    except ConfigError as exc:
        _say(str(exc))
        return 2
    # each view as at the day of the report, with the site's own staleness thresholds, as the pages have them: what a
    # service says itself (an agency taking new clients) is out of date by the days since it said it, not by the CQC data's
    # date (answers given after that date read as fresh however old they are); CQC's facts (the signals, the ages of
    # ratings) are measured from the CQC data's date, given to each step as ``today``
    views = [HomeView(p.data, england_today(), staleness=staleness(site.directory)) for p in result.profiles]
    before = closures.of_profiles([p.path for p in result.profiles])  # the closures the imports kept (check said if unreadable)
    # as at the CQC data's date, so ages read as CQC published them (a sync's closure kept after every profile's date too)
    today = closures_as_at(views, before) or england_today()
    try:
        previous = previous_release(Path(args.releases))
        if previous and views and not any(v.d.get("location_id") in previous[1] for v in views):
            _say(f"warning: {args.releases}: its last release ({previous[0]}) holds none of these {len(views):,} services, so it "
                 f"is another area's; closures and changes in beds are counted over the last {int(thresholds['recent_days']):,} "
                 "days instead (give this area's releases with --releases)")
            previous = None
        found = signals(views, today, thresholds, previous, site.directory.get("localities"))
    except ReleaseError as exc:
        _say(f"{_repair_said(exc, args)}\nNo report was written; {out} is unchanged.")
        return 1
    site_url = site.raw.get("site_url", "")
    from .yamlio import write_texts_atomic


    try:
        out.mkdir(parents=True, exist_ok=True)
        write_texts_atomic([(out / "commissioner-report.html", report_html(found, views, today, thresholds, site_url, previous,
                                                                           before)),
                            (out / "commissioner-report.csv", report_csv(found))])  # the two of one run, or neither
    except OSError as exc:
        _say(f"{not_written(exc, out)}; the report was not written")
        return 1
    _say(f"{signalled(found, views)}: {out / 'commissioner-report.html'} and {out / 'commissioner-report.csv'}")
    gaps = unchecked(views)
    if gaps:
        _say("Not known, so not checked: " + "; ".join(u.text for u in gaps))
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from .kinds import counted
    from .merge import MergeError, check_out_folder, merge, merged_profiles, write_profiles
    from .publish import write_data

    out = Path(args.out)
    try:
        check_out_folder(out)
        homes, report = merge([Path(p) for p in args.packages])
        planned = merged_profiles(homes)  # every home checked and every file name known before writing
        with replace_dir(out) as tmp:
            profiles = write_profiles(planned, tmp)
            # the packages' homes, not this folder's site: no homepage, and no feed, snapshots or ORUK API beside it
            write_data(profiles, tmp / "data", homepage="", title="", site=False)
            (tmp / "merge-report.txt").write_text(writable(report.text(counted(homes))) + "\n", encoding="utf-8")
    except MergeError as exc:
        _say(f"{exc}\nNothing was merged; {out} is unchanged.")
        return 1
    except OSError as exc:
        _say(f"{not_written(exc, out)}; {out} is unchanged.")
        return 1
    print(report.text(counted(homes)))
    _say(f"Wrote {out / 'data'} and {out / 'providers'}; build a site with: python3 build.py build --providers "
         f"{out / 'providers'} --config YOUR-mkdocs.yml (a copy of mkdocs.yml with your site's name, address, contacts, "
         "postcode areas and whether it holds food hygiene ratings: without --config the site is this folder's own)")
    return 0


def _import_folder_problem(providers: Path, dry_run: bool) -> str | None:
    """An import's --providers: an existing folder, or (unless a dry run, which writes nothing) one that can be made."""
    if providers.exists() or providers.is_symlink():
        return input_folder_problem(providers, "--providers")
    return None if dry_run else output_folder_problem(providers, "--providers")


PLACE_WORDS = {"city", "county", "of", "the", "council", "borough", "metropolitan", "district", "royal", "and"}


def _place_words(name: str) -> set[str]:
    """The words that tell places apart: 'Herefordshire, County of' -> {'herefordshire'}."""
    return set(re.findall(r"[a-z]+", name.lower())) - PLACE_WORDS


def _other_area_problem(local_authority: str | None, providers: Path, area: str | None) -> str | None:
    """import-cqc --local-authority X into an area's own profiles folder (not given with --providers) whose
    mkdocs.yml names another place (area: or council:): what is wrong and what to do, or None."""
    from .siteconfig import read_config
    from .sources.cqc_api import STATE_NAME, SyncError, read_state

    if not local_authority or not _place_words(local_authority):
        return None
    try:
        found = find_area(area)
        if providers.resolve() != found.providers.resolve() or not found.config.is_file():
            return None
        if not any(not p.name.startswith(("_", ".")) for p in providers.rglob("*.yaml")):
            return None  # an empty folder (a new council's first import): nothing of another place to mix with
        synced = read_state(providers.resolve().parent / STATE_NAME).get("local_authority")
        if isinstance(synced, str) and _place_words(synced) == _place_words(local_authority):
            return None  # the CQC sync of this folder has followed this council before
        directory = read_config(found.config).directory
    except (AreaError, ConfigFileError, OSError, SyncError):
        return None  # said elsewhere (an unknown area, a broken mkdocs.yml or sync state)
    names = [str(directory.get(k) or "") for k in ("area", "council")]
    wanted = _place_words(local_authority)
    if any(words and (words <= wanted or wanted <= words) for words in map(_place_words, names)):
        return None
    place = names[0] or names[1] or "another place"
    slug = "-".join(sorted(wanted, key=local_authority.lower().find))
    where = f"areas/{found.name}/providers/" if found.name else "providers/"
    config = display_path(found.config)
    return (f"--local-authority {local_authority}: {where} holds the profiles of {place} ({config}), not of "
            f"{local_authority}; nothing was imported. To start a directory for {local_authority}, make its own area "
            f"(docs/areas.md): areas/{slug}/mkdocs.yml, then import-cqc --area {slug} FILE --local-authority "
            f"{shlex.quote(local_authority)}. If {local_authority} is part of this area, name it in {config}'s area:, or give "
            f"--providers {where} to import into it anyway")


def cmd_import_cqc(args: argparse.Namespace) -> int:
    import csv
    import json

    from .problems import ProblemsFound
    from .sources.cqc_files import ImportError_, import_cqc
    from .yamlio import NotWritten

    if args.max_removals < 0 or not 0 <= args.max_removal_percent <= 100:
        _say("--max-removals must be 0 or more and --max-removal-percent between 0 and 100")
        return 2
    if _refused(_import_folder_problem(Path(args.providers), args.dry_run),
                None if "providers" not in getattr(args, "area_filled", ()) else
                _other_area_problem(args.local_authority, Path(args.providers), getattr(args, "area", None))):
        return 1
    if args.api:
        from .sources import cqc_api

        if args.file or args.as_of:
            _say("import-cqc --api reads the live CQC API: give no FILE and no --as-of")
            return 2
        return cqc_api.main(Path(args.providers), args.local_authority, full=args.full, dry_run=args.dry_run,
                            allow_mass_removal=args.allow_mass_removal, state_file=Path(args.state) if args.state else None,
                            allow_older=args.allow_older, max_removals=args.max_removals,
                            max_removal_share=args.max_removal_percent / 100)
    if not args.file:
        _say("import-cqc: give a CQC FILE, or --api to sync from the live CQC API")
        return 2
    if args.full or args.state:
        _say("--full and --state go with --api")
        return 2
    as_of = _day_option("--as-of", args.as_of, "the register was published", "for the newest date in the file") if args.as_of else None
    if isinstance(as_of, str):
        _say(as_of)
        return 2
    try:
        report = import_cqc(Path(args.file), Path(args.providers), args.local_authority,
                            allow_mass_removal=args.allow_mass_removal, dry_run=args.dry_run, as_of=as_of,
                            allow_older=args.allow_older, max_removals=args.max_removals,
                            max_removal_share=args.max_removal_percent / 100,
                            one_authority="providers" in getattr(args, "area_filled", ()))  # an area's folder, the top level's too
    except ImportError_ as exc:
        _say(f"{args.file}: {exc}")
        return 1
    except NotWritten as exc:
        _say(f"{not_written(exc, Path(args.providers), '--providers')}; nothing was imported")
        return 1
    except csv.Error as exc:  # a field over the csv module's limit, a NUL, ... (the reader leaves these to us)
        _say(f"{args.file}: cannot be read as CSV ({reader_error(exc)}); nothing was imported. Export the CQC sheet as CSV again")
        return 1
    except json.JSONDecodeError as exc:
        _say(f"{args.file}: is not valid JSON ({reader_error(exc)}); nothing was imported")
        return 1
    except RecursionError:
        _say(f"{args.file}: is nested too deeply to be a CQC register file (JSON lists or objects inside each "
             "other thousands of times); nothing was imported")
        return 1
    except ProblemsFound as exc:
        for p in exc.problems:
            print(p)
        _say(f"Nothing was imported: fix the profile problem{'s' * (len(exc.problems) != 1)} above first.")
        return 1
    print(report.summary())
    return 0


def cmd_import_fsa(args: argparse.Namespace) -> int:
    from .sources.fsa import FsaError, import_fsa
    from .yamlio import NotWritten

    if args.fetch and args.files:
        _say("import-fsa --fetch downloads the council's files from the FSA: give no FILE")
        return 2
    if not args.fetch and not args.files:
        _say("import-fsa: give FHRS XML files, e.g. FHRS895en-GB.xml, or --fetch to download the council's from the FSA")
        return 2
    folders = [f"{f}: is a folder; give the XML files in it, e.g. {Path(f) / 'FHRS895en-GB.xml'}"
               for f in args.files if Path(f).is_dir()]
    if _refused(*folders, input_folder_problem(Path(args.providers), "--providers")):
        return 1
    if args.fetch:
        return _import_fsa_fetch(args)
    try:
        report = import_fsa([Path(f) for f in args.files], Path(args.providers), dry_run=args.dry_run,
                            allow_older=args.allow_older)
    except FsaError as exc:
        _say(str(exc))
        return 1
    except NotWritten as exc:
        _say(f"{not_written(exc, Path(args.providers), '--providers')}; nothing was imported")
        return 1
    _other_councils(report.files, Path(args.config))
    print(report.summary())
    return 0


def _other_councils(files: list[Any], config: Path) -> None:
    """Warn of each FHRS file that holds another council's ratings than the site's fsa_authorities list (Herefordshire's
    file imported into Brighton and Hove's area matched none of its homes, without a word of why)."""
    from .configfile import ConfigFileError
    from .forms import directory_settings
    from .siteconfig import fsa_codes

    try:
        codes = fsa_codes(directory_settings(config).get("fsa_authorities")) if config.is_file() else None
    except ConfigFileError:  # the settings' own problems are the build's to say
        return
    if codes is None:
        return
    for f in files:
        others = f.other_councils(codes)
        if others:
            listed = ", ".join(str(c) for c in codes)
            wanted = " or ".join(f"FHRS{c}en-GB.xml" for c in codes)
            _say(f"warning: {display_path(f.path)} holds the food hygiene ratings of {', '.join(others)}, "
                 f"not of the council{'s' * (len(codes) != 1)} {display_path(config)} lists (fsa_authorities: [{listed}]); a "
                 f"file matches only its own council's homes: give {wanted}, or list its code in fsa_authorities if the "
                 "directory is that council's")


def _import_fsa_fetch(args: argparse.Namespace) -> int:
    from .forms import directory_settings
    from .sources.fsa import FsaError
    from .sources.fsa_fetch import authorities, fetch_and_import, steward_summary
    from .yamlio import NotWritten

    try:
        codes = authorities(directory_settings(Path(args.config)), display_path(Path(args.config)))
        report, _ = fetch_and_import(Path(args.providers), codes, dry_run=args.dry_run, allow_older=args.allow_older)
    except FsaError as exc:
        _say(str(exc))
        return 1
    except NotWritten as exc:
        _say(f"{not_written(exc, Path(args.providers), '--providers')}; nothing was imported")
        return 1
    except OSError as exc:
        _say(f"{exc.filename or args.providers}: cannot be written ({exc.strerror or exc}); run import-fsa --fetch again")
        return 1
    print(steward_summary(report))
    print()
    print(report.summary())
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from . import docs, forms

    outputs = {ROOT / path: docs.template_text(kind=k) for path, k in docs.template_paths().items()}
    outputs[ROOT / docs.JSON_SCHEMA_PATH] = docs.json_schema_text()
    area = find_area(args.area, ROOT)  # the area the repository publishes (its variable AREA): its council's words
    forms_and_contributing = forms.generated_files(ROOT, config=area.config)  # the issue forms, and CONTRIBUTING.md's
    outputs.update(forms_and_contributing)  # council contact and form links: made from the schema and the area's settings
    commands = ROOT / docs.COMMANDS_PATH
    outputs[commands] = docs.commands_text(parser())
    reference = ROOT / docs.FIELD_REFERENCE_PATH  # every field, for stewards and developers
    if reference.exists():
        outputs[reference] = docs.fill_field_reference(reference.read_text(encoding="utf-8"))
    stale = [p for p, text in outputs.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.screenshots:
        from .screenshots import write_screenshots

        for p in write_screenshots(ROOT):
            _say(f"wrote {p.relative_to(ROOT)}")
    if args.check:
        for p in stale:
            settings = area.config.relative_to(ROOT) if area.config.is_relative_to(ROOT) else area.config
            made_from = ("the commands in carehomes/cli.py" if p == commands else
                         f"schema/datapackage.json and {settings}" if p in forms_and_contributing else "schema/datapackage.json")
            _say(f"{p.relative_to(ROOT)} is out of date with {made_from}; run: python3 build.py docs"
                 f"{f' --area {area.name}' if area.name else ''}")
        return 1 if stale else 0
    for p in stale:
        try:
            p.parent.mkdir(exist_ok=True)  # docs/ in a checkout that has none yet
            p.write_text(outputs[p], encoding="utf-8")
        except OSError as exc:
            exc.filename = str(p.relative_to(ROOT))
            _say(not_written(exc, p.relative_to(ROOT).parent, ""))  # the command to run again is this one
            return 1
        _say(f"wrote {p.relative_to(ROOT)}")
    return 0


def cmd_fmt(args: argparse.Namespace) -> int:
    from .editing import fmt_files
    from .load import find_profiles
    from .yamlio import NotWritten

    paths = [Path(p) for p in args.paths] or [PROVIDERS]
    missing = [p for p in paths if not p.exists()]
    if missing:
        _say("\n".join(f"{p}: no such file or folder; give a profile (.yaml) or a folder of them, e.g. providers/"
                       for p in missing))
        return 2
    files, problems = find_profiles(paths)
    if not args.paths:
        from .docs import template_paths

        files.extend(PROVIDERS / Path(t).name for t in template_paths())  # every kind's template
    try:
        changed, found = fmt_files(files, check=args.check)
    except NotWritten as exc:  # each file is written whole, one at a time: those before it are formatted, it is as it was
        _say(f"{exc.filename}: cannot be written ({exc.strerror}), so it and the profiles after it were not formatted; "
             "free some space on its disk or make its folder writable, and run fmt again")
        return 1
    problems = sorted(problems + found)
    for p in problems:
        print(p)
    if problems:
        n = len({p.path for p in problems})
        _say(f"{n} file{'s were' if n != 1 else ' was'} not formatted: fix the problem{'s' * (len(problems) != 1)} above "
             "('python3 build.py check' lists them too).")
    for f, why in changed:
        print(f"{f}: " + (f"is not in the standard format: {why}. Run python3 build.py fmt to put it right (if you edited it "
                          "on GitHub, a steward can do this for you)" if args.check else "formatted"))
    if args.check and not changed and not problems:
        _say(f"{len(files)} file{'s are' if len(files) != 1 else ' is'} in the standard format.")
    return 1 if problems or (args.check and changed) else 0


def cmd_vacancies(args: argparse.Namespace) -> int:
    from .editing import set_vacancies
    from .yamlio import NotWritten

    if _refused(input_folder_problem(Path(args.providers), "--providers")):
        return 1
    if args.from_csv:
        return cmd_vacancies_csv(args)
    if not args.slug:
        _say("give the home's page name (its file name without .yaml), its CQC location ID or its name, or --from-csv FILE")
        return 2
    # as the forms and the sheets name it ('Aston House', 1-1234567); near_home: the forms' suggestion (a page of that
    # name, one it starts, or one spelt nearly so)
    from .updates import find_home, near_home

    found = find_home(Path(args.providers), args.slug)
    if found is None and not is_slug(args.slug) and not re.search(r"[/\\]|\.\.", args.slug):
        _say(f"'{args.slug[:80]}': no home has that page name, CQC location ID or name"
             f"{near_home(Path(args.providers), args.slug)}; check the spelling, or give its page name or CQC location ID")
        return 2
    try:
        path = found or safe_slug_path(Path(args.providers), args.slug)  # the one slug rule: never a path outside providers
    except UnsafePath as exc:
        _say(f"{exc}; give the profile's file name without .yaml, its CQC location ID or its name")
        return 2
    if not (path.exists() or path.is_symlink()):  # a link is read (and refused) by the loader, with its message
        _say(f"{path}: no such profile{near_home(Path(args.providers), args.slug)}; give the page name, as the page's "
             "address has it after homes/ (the file name without .yaml)")
        return 2
    kind = default_kind()
    free = {c.key: getattr(args, c.key) for c in kind.capacity if c.available}
    options = [f"--{key}" for key in free]
    if args.unchanged and any(n is not None for n in free.values()):
        _say(f"--unchanged confirms the free {kind.unit} already in the profile; give it without {' and '.join(options)}, "
             "or leave it out to set new numbers")
        return 2
    if not args.unchanged and all(n is None for n in free.values()):
        _say(f"give {' and/or '.join(o + ' N' for o in options)}, or --unchanged to confirm today that nothing changed")
        return 2
    day = _day_option("--confirmed", args.confirmed, "the free beds were checked")
    if isinstance(day, str):
        _say(day)
        return 2
    try:
        problems, dropped = set_vacancies(path, free, day)
    except NotWritten as exc:
        _say(f"{not_written(exc, Path(args.providers), '--providers')}; {path} was not changed")
        return 1
    if problems:
        for p in problems:
            print(p)
        _say(f"{path} was not changed.")
        return 1
    from .load import yaml_mapping
    from .updates import not_applicable_words, unregistered

    option = {c.available: f"--{c.key}" for c in kind.capacity if c.available}  # the option the steward typed
    for dotted in dropped:
        print(f"{path}: {not_applicable_words(dotted, option[dotted])}")
    # a type CQC does not register the home for is left unsaid (the profile as written, read again: a small file)
    off = unregistered(yaml_mapping(path.read_text(encoding="utf-8"), str(path)) or {})
    said = {c.key: "not applicable" if c.available in dropped else free[c.key] for c in kind.capacity if c.available
            and (free[c.key] is not None or c.available in dropped or c.available not in off)}
    from .ages import nice_date

    when = "today" if day == england_today() else f"as checked on {nice_date(day)}"
    _say(f"{path}: vacancies confirmed {when}" + ("" if args.unchanged else " (" + ", ".join(
        f"{key}: {n if n is not None else 'as before'}" for key, n in said.items()) + ")"))
    return 0


def cmd_vacancies_csv(args: argparse.Namespace) -> int:
    from .updates import vacancies_from_csv, write_edits
    from .yamlio import NotWritten

    keys = [c.key for c in default_kind().capacity if c.available]
    if args.slug or any(getattr(args, k) is not None for k in keys) or args.unchanged or args.confirmed:
        _say(f"--from-csv takes every home from the file (each row's day in its confirmed column); leave out the slug, "
             f"{', '.join('--' + k for k in keys)}, --unchanged and --confirmed")
        return 2
    edits, problems = vacancies_from_csv(Path(args.from_csv), Path(args.providers), england_today())
    if problems:
        print("\n".join(problems))
        # a problem of the whole file (not found, a workbook, too big) has no row to correct: its line says what to do
        rows = any(re.match(re.escape(display_path(Path(args.from_csv))) + r":\d+: ", p) for p in problems)
        _say(f"{len(problems)} problem{'s' * (len(problems) != 1)} in {args.from_csv}: nothing was changed."
             + (" Correct the rows above and run the command again." if rows else ""))
        return 1
    try:
        written = write_edits(edits)
    except NotWritten as exc:
        _say(f"{not_written(exc, Path(args.providers), '--providers')}; nothing was changed")
        return 1
    agencies = any(e.sheet and e.sheet != default_kind().id for e in edits)  # a sheet is of one kind
    for f in written:
        print(f"{f}: {'new clients and hours' if agencies else 'vacancies'} updated")
    for note in (n for e in edits for n in e.not_applicable):
        print(note)
    one, many = ("agency", "agencies") if agencies else ("home", "homes")
    _say(f"{len(edits)} {one if len(edits) == 1 else many} in {args.from_csv}: {len(written)} profile"
         f"{'s' * (len(written) != 1)} changed, {len(edits) - len(written)} already up to date.")
    return 0


def cmd_apply_update(args: argparse.Namespace) -> int:
    from .updates import apply_update

    on = _day_option("--on", args.on, "the update was sent")
    if isinstance(on, str):
        _say(on)
        return 2
    edited = _day_option("--edited-on", args.edited_on, "the issue was last edited", "for the day it was sent") \
        if args.edited_on else on
    if isinstance(edited, str):
        _say(edited)
        return 2
    if edited < on:
        _say(f"--edited-on {edited.isoformat()}: is before --on {on.isoformat()}, the day the update was sent; "
             "give the day the issue was last edited (its updated_at), or leave --edited-on out")
        return 2
    area = find_area(args.area, Path(args.repo))
    if _repo_problem(Path(args.repo), area.providers):
        return 2
    body = _issue_body(args.body)
    if body is None:
        return 2
    if args.result and not _result_writable(Path(args.result)):
        return 2
    result = apply_update(body, args.author, Path(args.repo), on, args.issue, area=area, today=edited)
    if args.result and not _wrote_result(Path(args.result), result.to_json()):
        return 2
    print(result.comment(), end="")
    if result.status == "applied":
        _say(f"{result.path}: {len(result.changed)} field{'s' * (len(result.changed) != 1)} changed; "
             f"{'commit to the main branch' if result.mode == 'commit' else 'open a pull request for a steward'}")
    return 0 if result.status in ("applied", "unchanged") else 1


def _repo_problem(repo: Path, providers: Path) -> bool:
    """Whether ``--repo`` is not the directory's repository (no such folder, or no profiles' folder in it), said in one
    line when it is not: a wrong --repo was read as "not a home in the directory" and blamed on the provider's answer
    (the hostile review)."""
    if not repo.is_dir():
        _say(f"{repo}: no such folder; give the repository's folder with --repo")
        return True
    if not providers.is_dir():
        where = providers.relative_to(repo) if providers.is_relative_to(repo) else providers
        _say(f"{repo}: has no {where}/ folder, so it is not the directory's repository; give the repository's folder "
             "with --repo")
        return True
    return False


def _result_writable(path: Path) -> bool:
    """Whether ``--result`` can be written, looked at before the command changes a profile (a result that cannot be
    written after the change would leave it changed with nothing to tell the workflow); said in one line when not."""
    problem = output_file_problem(path)
    if problem:
        _say(f"{problem}; nothing was changed")
    return problem is None


def _wrote_result(path: Path, text: str) -> bool:
    """Write a command's JSON result for its workflow (``--result``); False, said in one line, when it cannot."""
    from .yamlio import write_text_atomic

    try:
        write_text_atomic(path, text)
    except OSError as exc:
        _say(f"{path}: cannot be written ({exc.strerror})")
        return False
    return True


def cmd_claim(args: argparse.Namespace) -> int:
    from .claims import check_claim

    area = find_area(args.area, Path(args.repo))
    if _repo_problem(Path(args.repo), area.providers):
        return 2
    body = _issue_body(args.body)
    if body is None:
        return 2
    open_claims = _open_claims(Path(args.open_claims)) if args.open_claims else []
    replies = _replies(Path(args.replies)) if args.replies else None
    if open_claims is None or (args.replies and replies is None) or (args.result and not _result_writable(Path(args.result))):
        return 2
    result = check_claim(body, args.author, Path(args.repo), args.issue, args.approved_by, area=area,
                         open_claims=open_claims, replies=replies)
    if args.result and not _wrote_result(Path(args.result), result.to_json()):
        return 2
    print(result.comment(), end="")
    if result.status == "approved":
        _say(f"{result.path}: {args.author} added as a maintainer; open a pull request for a steward")
    return 0 if result.status in ("waiting", "approved") else 1


MAX_ISSUE_FILE = 1 << 20  # bytes of an issue's body read at most (GitHub keeps 65,536 characters; the checks say so)
# `github issues` lists at most github.MAX_ISSUES issues, each body at most 65,536 characters, each at most 6 bytes
# as JSON (a control character written as \u0001)
MAX_OPEN_CLAIMS = MAX_ISSUES * 65_536 * 6
MAX_REPLIES = MAX_COMMENTS * 65_536 * 6  # what `github comments` prints at most, likewise


def _issue_body(path: str) -> str | None:
    """The text of an issue's body saved in ``path``: a regular file (fsutil.read_regular), read no further than
    MAX_ISSUE_FILE (apply_update and check_claim refuse a body longer than GitHub keeps, in their own words); None,
    having said why, when it is not one."""
    try:
        raw = read_regular(path, MAX_ISSUE_FILE)
    except NotRegularFile:
        _say(f"{path}: is not a regular file (a device, pipe or folder); give the file holding the issue's body")
        return None
    except OSError as exc:
        _say(f"{path}: cannot be read ({exc.strerror})")
        return None
    if len(raw) > MAX_ISSUE_FILE:
        _say(f"{path}: is more than {MAX_ISSUE_FILE:,} bytes; an issue's body is at most 65,536 characters")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:  # never read with stand-ins: a '\ufffd' would be written into the profile
        line = raw.count(b"\n", 0, exc.start) + 1
        _say(f"{path}:{line}: is not UTF-8 text: {undecodable(raw, exc.start)} cannot be read; "
             "save the issue's body as UTF-8 (GitHub's own text always is)")
        return None


def _open_claims(path: Path) -> list[tuple[int, str]] | None:
    """(number, text) of each open claim issue in ``path`` (what ``github issues --label claim`` prints);
    None, having said why, when the file cannot be read or is not that list."""
    try:
        raw = read_regular(path, MAX_OPEN_CLAIMS)
        if len(raw) > MAX_OPEN_CLAIMS:
            _say(f"--open-claims {path}: is more than {MAX_OPEN_CLAIMS:,} bytes, more than the open claims GitHub lists; "
                 "write it with: python3 build.py github issues --label claim")
            return None
        found = json.loads(raw)
        if not isinstance(found, list) or not all(isinstance(i, dict) and type(i.get("number")) is int and i["number"] > 0
                                                  and isinstance(i.get("body"), (str, type(None))) for i in found):
            raise ValueError("not a list of issues")
        return [(i["number"], i.get("body") or "") for i in found]
    except OSError as exc:  # NotRegularFile's strerror says what it is
        _say(f"--open-claims {path}: cannot be read ({exc.strerror})")
    except (ValueError, TypeError, KeyError, RecursionError):  # RecursionError: JSON nested thousands deep
        _say(f"--open-claims {path}: is not a JSON list of issues with a number and a body; write it with: "
             "python3 build.py github issues --label claim")
    return None


def _replies(path: Path) -> list[str] | None:
    """The text of each of the workflow's replies on a claim in ``path`` (what ``github comments N --by
    github-actions[bot]`` prints), oldest first; None, having said why, when the file cannot be read or is not that."""
    again = "write it with: python3 build.py github comments ISSUE --by 'github-actions[bot]'"
    try:
        raw = read_regular(path, MAX_REPLIES)
        if len(raw) > MAX_REPLIES:
            _say(f"--replies {path}: is more than {MAX_REPLIES:,} bytes, more than GitHub lists; {again}")
            return None
        found = json.loads(raw)
        if not isinstance(found, list) or not all(isinstance(c, dict) and isinstance(c.get("body"), str) for c in found):
            raise ValueError("not a list of comments")
        return [c["body"] for c in found]
    except OSError as exc:
        _say(f"--replies {path}: cannot be read ({exc.strerror})")
    except (ValueError, TypeError, RecursionError):  # RecursionError: JSON nested thousands deep
        _say(f"--replies {path}: is not a JSON list of comments with a body; {again}")
    return None


def cmd_stale(args: argparse.Namespace) -> int:
    from . import forms
    from .stale import issue_title, markdown_report, stale_homes, text_report

    today = _day_option("--on", args.on, "the list is for")
    if isinstance(today, str):
        _say(today)
        return 2
    providers = Path(args.providers)
    if _refused(input_folder_problem(providers, "--providers")):
        return 1
    from .siteconfig import staleness, staleness_problems
    from .views import VALUES

    directory = forms.directory_settings(Path(args.config))  # a bad config: main() says why
    repo = forms.repository(directory)
    # the age past which an answer is out of date: the site's own (mkdocs.yml's staleness.availability), as its pages flag it
    limit = VALUES.with_staleness(staleness(directory)).staleness["availability"]
    for problem in staleness_problems(directory.get("staleness")):  # build refuses it; the weekly list still goes out
        _say(f"warning: {args.config}: {problem}; this list counts availability as out of date after {limit.words} until it is")
    found = stale_homes(providers, today, limit)
    for p in found.problems:
        _say(str(p))
    print(markdown_report(found, repo, today) if args.format == "markdown" else
          issue_title(found) if args.format == "title" else
          len(found.stale) + len(found.never) if args.format == "count" else text_report(found, repo))
    return 1 if found.problems else 0


def cmd_check_ownership(args: argparse.Namespace) -> int:
    from .ownership import GitError, check_ownership

    area = find_area(args.area, Path(args.repo))  # an area's providers may change only its profiles
    try:
        problems = check_ownership(Path(args.repo), args.author, args.base, head=args.head,
                                   providers=f"areas/{area.name}/providers" if area.name else "providers")
    except GitError as exc:
        _say(f"check-ownership: {exc}")
        return 2
    for p in problems:
        print(p)
    if problems:
        _say(f"{len(problems)} change{'s' * (len(problems) != 1)} by {args.author} {'need' if len(problems) != 1 else 'needs'} a council steward.")
        return 1
    _say(f"{args.author} may make every change since {args.base}.")
    return 0


def _body(args: argparse.Namespace) -> str:
    """The text of --body, or of the file --body-file (GitHubError when it cannot be read or is too long)."""
    from .github import check_body, read_body

    return check_body(args.body, "--body") if args.body is not None else read_body(args.body_file)


def cmd_github(args: argparse.Namespace) -> int:
    """The workflows' actions on GitHub, through its REST API (carehomes/github.py)."""
    from . import github as gh

    try:
        if args.action == "git":
            git_args = args.git_args[1:] if args.git_args[:1] == ["--"] else args.git_args
            if not git_args:
                _say("github git: give git's arguments after --, e.g. python3 build.py github git -- push origin HEAD:main")
                return 2
            return gh.run_git(git_args, pr_token=not args.default_token)
        api = gh.from_env(pr_token=args.action == "pull-request")
        if args.action == "label":
            done = gh.ensure_label(api, args.name, args.color, args.description)
            _say(f"label {args.name}: {done}")
        elif args.action == "pull-request":
            body = _body(args)
            if not gh.uses_pr_token():
                body += gh.DEFAULT_TOKEN_NOTE
                warning = (f"{gh.PR_TOKEN} is not set: the pull request is opened with the default token, so its "
                           "checks do not start by themselves; its description says so (see docs/deployment.md)")
                _say(f"warning: {warning}")
                gh.summary(f"- Warning: {warning}")
            pr, opened = gh.open_or_update_pull_request(api, args.head, args.base, args.title, gh.check_body(body, "the description"), args.label)
            done = f"pull request #{pr.number} {'opened' if opened else 'updated'} from {args.head}"
            _say(done)
            gh.summary(f"- {done[0].upper()}{done[1:]}: {pr.url}")
            print(pr.url)
        elif args.action == "issue":
            issue, done = gh.open_or_update_issue(api, args.label, args.title, _body(args), close=args.close)
            _say(f"issue #{issue.number} {done}" if issue else f"no open issue labelled {args.label}; none opened")
            if issue:
                gh.summary(f"- Issue #{issue.number} {done}: {issue.url}")
                print(issue.url)
        elif args.action == "issues":
            print(json.dumps(gh.open_issues(api, args.label), ensure_ascii=False))
        elif args.action == "comments":
            print(json.dumps(gh.comments_by(api, args.number, args.by), ensure_ascii=False))
        elif args.action == "comment":
            address = gh.comment(api, args.number, _body(args))
            _say(f"commented on #{args.number}")
            print(address)
        elif args.action == "close":
            gh.close_issue(api, args.number)
            _say(f"closed #{args.number}")
        elif args.action == "dispatch":
            gh.dispatch(api, args.workflow, args.ref)
            _say(f"started {args.workflow} on {args.ref}")
    except gh.GitHubError as exc:
        _say(str(exc))
        return 1
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    from .devtools import run_tests

    return run_tests(fast=args.fast, pytest_args=args.pytest_args)


def _area_option(p: argparse.ArgumentParser) -> None:
    """``--area NAME``: the command reads (and writes) that area's files; see _area_paths."""
    p.add_argument("--area", metavar="NAME", help="the area whose profiles, settings, releases and site to use: a folder "
                   "in areas/, e.g. oldham (default: the top level's; options given here win; see docs/areas.md)")


# Each command's path options that --area sets when they are not given: option -> the area's path
AREA_PATHS: dict[str, dict[str, Callable[[Area], Any]]] = {
    "check": {"paths": lambda a: [str(a.providers)], "config": lambda a: a.config if a.name else None},
    "data": {"providers": lambda a: [str(a.providers)], "out": lambda a: a.site / "data", "config": lambda a: a.config},
    "import-cqc": {"providers": lambda a: a.providers},
    "import-fsa": {"providers": lambda a: a.providers, "config": lambda a: a.config},
    "fetch-postcodes": {"config": lambda a: a.config},
    "build": {"providers": lambda a: [str(a.providers)], "out": lambda a: a.site, "config": lambda a: a.config,
              "releases": lambda a: a.releases},
    "serve-api": {"site": lambda a: a.site},
    "release": {"providers": lambda a: [str(a.providers)], "releases": lambda a: a.releases, "config": lambda a: a.config},
    "report": {"providers": lambda a: [str(a.providers)], "releases": lambda a: a.releases, "config": lambda a: a.config,
               "out": lambda a: a.report},
    "vacancies": {"providers": lambda a: a.providers},
    "stale": {"providers": lambda a: a.providers, "config": lambda a: a.config},
}
AREA_PATHS["serve"] = AREA_PATHS["build"]


def _area_paths(args: argparse.Namespace) -> None:
    """Fill in each path option the command was not given from its area (--area NAME, or the top level);
    AreaError when there is no such area."""
    paths = AREA_PATHS.get(args.command)
    if paths is None:
        return
    area = find_area(getattr(args, "area", None))
    args.area_filled = [option for option in paths if not getattr(args, option, None)]  # not given: the area's
    args.area_releases = area.releases
    for option in args.area_filled:
        given = paths[option](area)
        setattr(args, option, given if isinstance(given, list) or given is None else str(given))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description="Care home directory: check profiles, publish open data, build the site.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    c = sub.add_parser("check", help="validate profiles and report every problem")
    c.add_argument("paths", nargs="*", help="profiles or folders (default: providers/)")
    c.add_argument("--format", choices=["text", "github"], default="text",
                   help="github prints workflow annotations for pull requests")
    _area_option(c)
    c.set_defaults(func=cmd_check)

    d = sub.add_parser("data", help="write the open data files (CSV, JSON, datapackage.json)")
    d.add_argument("--providers", nargs="+",
                   help="folders or files of profiles to publish (default: providers/)")
    d.add_argument("--out", help="folder to write the data files into (default: site/data/)")
    _area_option(d)
    d.set_defaults(func=cmd_data)

    i = sub.add_parser("import-cqc", help="create or refresh profiles from a CQC register file or the live CQC API")
    i.add_argument("file", nargs="?", help="a CQC file: HSCA active locations (CQC's .ods or .xlsx as it comes, or CSV), CQC care directory "
                   "CSV, CQC market CSV, API CSV or API JSON folder")
    i.add_argument("--api", action="store_true",
                   help="sync from the live CQC API (key in CQC_API_KEY; only changes since the last sync)")
    i.add_argument("--full", action="store_true", help="with --api: fetch every home, not only the changes")
    i.add_argument("--state", help="with --api: the sync state file (default: cqc-sync.json beside the providers folder)")
    i.add_argument("--local-authority", help="only homes in this local authority, e.g. Herefordshire; with --api "
                   "it is remembered (in the state file) for later --api syncs, so you give it once")
    i.add_argument("--providers", help="folder of profiles to create or refresh (default: providers/)")
    _area_option(i)
    i.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date of the register data (default: newest date in the file)")
    i.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    i.add_argument("--allow-mass-removal", action="store_true",
                   help="allow flagging more homes as missing from the register than --max-removals / --max-removal-percent")
    i.add_argument("--max-removals", type=int, default=5, metavar="N",
                   help="refuse to flag more than N homes as gone (default 5) ...")
    i.add_argument("--max-removal-percent", type=float, default=10.0, metavar="P",
                   help="... or P%% of the homes, whichever is more (default 10)")
    i.add_argument("--allow-older", action="store_true",
                   help="import a file dated before the CQC facts already imported")
    i.set_defaults(func=cmd_import_cqc)
    fs = sub.add_parser("import-fsa", help="add food hygiene ratings from Food Standards Agency FHRS XML files")
    fs.add_argument("files", nargs="*", metavar="FILE", help="FHRS open-data XML files, e.g. FHRS895en-GB.xml")
    fs.add_argument("--fetch", action="store_true", help="download the council's files from the FSA instead "
                    "(authority codes: extra.directory.fsa_authorities in mkdocs.yml)")
    fs.add_argument("--config", help="where the council's FSA authority codes are set: --fetch downloads their files, and a FILE "
                    "of another council's is warned of (default: mkdocs.yml)")
    fs.add_argument("--providers", help="folder of profiles to update (default: providers/)")
    _area_option(fs)
    fs.add_argument("--dry-run", action="store_true", help="report the matches, write nothing")
    fs.add_argument("--allow-older", action="store_true",
                    help="write a rating dated before the one a profile already holds")
    fs.set_defaults(func=cmd_import_fsa)
    fp = sub.add_parser("fetch-postcodes", help="download OS Code-Point Open for the postcode lookup (distance search)")
    fp.add_argument("--dir", default=str(ROOT / ".codepoint" / "current"),
                    help="where to install it (default: .codepoint/current/, which build reads)")
    fp.add_argument("--config", help="where the download address is set: extra.directory.codepoint (default: mkdocs.yml)")
    _area_option(fp)
    fp.add_argument("--release", action="store_true", help="only print the release OS offers now, e.g. 2025-10")
    fp.add_argument("--allow-older", action="store_true", help="install a release older than the one used last")
    fp.set_defaults(func=cmd_fetch_postcodes)
    for name, helptext in (("build", "check the profiles and build the whole site into site/"),
                           ("serve", "build the site, then serve it on this computer to look at")):
        b = sub.add_parser(name, help=helptext)
        b.add_argument("--providers", nargs="+",
                       help="folders or files of profiles to publish (default: providers/)")
        b.add_argument("--out", help="folder to build the site into (default: site/; with --area NAME: site-NAME/)")
        b.add_argument("--config", help="the site's settings: name, address, council details (default: mkdocs.yml)")
        _area_option(b)
        b.add_argument("--no-search", action="store_true", help="skip the find page's search index (search/facets/, near/, cards/)")
        b.add_argument("--production", action="store_true",
                       help="publishing: refuse to build while a council contact or the repository in mkdocs.yml is still an example, "
                            "or a configured postcode area has no lookup (otherwise only a warning)")
        b.add_argument("--timings", action="store_true",
                       help="print each stage's time, files and bytes written and peak memory, and what worker processes did beside "
                            "the stages, when, and their CPU (see docs/performance.md)")
        b.add_argument("--releases", help="folder of release snapshots to compare with (default: releases/)")
        b.add_argument("--engine", choices=ENGINES, default="mkdocs",
                       help="what renders the pages' frame from mkdocs.yml: mkdocs (mkdocs-material) or zensical")
        if name == "serve":
            b.add_argument("--host", type=_host, default="127.0.0.1",
                           help="address to listen on (default: 127.0.0.1, this computer only)")
            b.add_argument("--port", type=_port, default=8000,
                           help="port from 1 to 65535 (default: 8000; 0 picks any free port and prints it)")
        b.set_defaults(func=cmd_build if name == "build" else cmd_serve)

    sa = sub.add_parser("serve-api", help="serve the Open Referral UK API with queries and paging, from a built site")
    sa.add_argument("--site", help="the built site whose data/oruk-services.json to serve (default: site/)")
    _area_option(sa)
    sa.add_argument("--host", type=_host, default="127.0.0.1",
                    help="address to listen on (default: 127.0.0.1, this computer only)")
    sa.add_argument("--port", type=_port, default=8001,
                    help="port from 1 to 65535 (default: 8001; 0 picks any free port and prints it)")
    sa.add_argument("--api-url", default="", help="the API's public address, e.g. https://oruk.example.gov.uk/ "
                    "(default: the address each request was sent to)")
    sa.set_defaults(func=cmd_serve_api)

    r = sub.add_parser("release", help="snapshot the data as a release in releases/<date>/ (for stewards)")
    r.add_argument("--providers", nargs="+",
                   help="folders or files of profiles to snapshot (default: providers/)")
    r.add_argument("--releases", help="folder that holds the dated snapshots (default: releases/)")
    _area_option(r)
    r.add_argument("--force", action="store_true", help="replace today's snapshot (a damaged one too)")
    r.set_defaults(func=cmd_release)

    rp = sub.add_parser("report", help="commissioner early-warning report (HTML and CSV; not published)")
    rp.add_argument("--providers", nargs="+",
                    help="folders or files of profiles to report on (default: providers/)")
    rp.add_argument("--out", help="folder to write the report into (default: report/, or report-NAME/ with --area NAME)")
    rp.add_argument("--signals", default=str(ROOT / "signals.yaml"), help="thresholds (default: signals.yaml)")
    rp.add_argument("--config", help="the site's settings, for its staleness ages, localities and address (default: mkdocs.yml)")
    rp.add_argument("--releases", help="compare beds with the latest release here (default: releases/)")
    _area_option(rp)
    rp.set_defaults(func=cmd_report)

    m = sub.add_parser("merge", help="combine several councils' published packages into one")
    m.add_argument("packages", nargs="+", help="datapackage.json files, or the folders that hold them (a site's data/); the newer dated fact wins a conflict, else the first listed")
    m.add_argument("--out", required=True, help="folder for the merged data/ and providers/")
    m.set_defaults(func=cmd_merge)

    f = sub.add_parser("fmt", help="write profiles in the standard format (key order, quoting, indentation)")
    f.add_argument("paths", nargs="*", help="profiles or folders (default: providers/ and the template)")
    f.add_argument("--check", action="store_true", help="only report files that are not formatted")
    f.set_defaults(func=cmd_fmt)

    kind = default_kind()  # a care home's free beds, with and without nursing
    v = sub.add_parser("vacancies", help=f"update a home's free {kind.unit} and confirm them today")
    v.add_argument("slug", nargs="?", help="the home: its page name (the profile's file name without .yaml), its CQC "
                   "location ID, or its name when no other home has it")
    free_columns = [str(c.free_column) for c in kind.capacity if c.free_column]
    v.add_argument("--from-csv", metavar="FILE", help=f"a spreadsheet (CSV) with the columns home, {', '.join(free_columns)} "
                   "(care homes) or home, taking_new_clients, hours_available (home care agencies), and optionally "
                   "confirmed: every row is checked before anything changes")
    for place in kind.capacity:
        if place.available:
            v.add_argument(f"--{place.key}", type=_free_count(kind.unit), metavar="N", help=f"{kind.unit} {place.label} free now")
    v.add_argument("--unchanged", action="store_true", help="nothing changed: just confirm today's date")
    v.add_argument("--confirmed", "--date", metavar="YYYY-MM-DD", help="the day the free beds were checked, when not today "
                   "(no later than today, nor before the day the page already holds)")
    v.add_argument("--providers", help="folder of profiles to update (default: providers/)")
    _area_option(v)
    v.set_defaults(func=cmd_vacancies)

    o = sub.add_parser("check-ownership", help="refuse changes the author may not make (for pull requests)")
    o.add_argument("--author", required=True, help="the pull request author's username")
    o.add_argument("--base", required=True, help="the git revision to compare with, e.g. origin/main")
    o.add_argument("--head", default="HEAD", help="the committed revision to judge (default HEAD; the working tree is never read)")
    o.add_argument("--repo", default=str(ROOT), help="the repository folder")
    _area_option(o)
    o.set_defaults(func=cmd_check_ownership)

    a = sub.add_parser("apply-update", help="apply an update sent with an issue form (for the provider-update workflow)")
    a.add_argument("--body", required=True, metavar="FILE", help="the issue's text, saved to a file")
    a.add_argument("--author", required=True, metavar="USER", help="the username of the issue's author")
    a.add_argument("--issue", type=int, metavar="N", help="the issue number")
    a.add_argument("--result", metavar="FILE", help="write what was done as JSON to this file")
    a.add_argument("--on", metavar="YYYY-MM-DD", help="the date the update was sent (default: today)")
    a.add_argument("--edited-on", metavar="YYYY-MM-DD", help="the date the issue's text was last edited, which a date "
                   "in an answer may not be after (default: --on)")
    a.add_argument("--repo", default=str(ROOT), help="the repository folder (its providers/ and stewards.yaml)")
    _area_option(a)
    a.set_defaults(func=cmd_apply_update)

    cl = sub.add_parser("claim", help="check a 'Claim this home' (or 'Claim this agency') issue, or approve it (for the claim workflow)")
    cl.add_argument("--body", required=True, metavar="FILE", help="the issue's text, saved to a file")
    cl.add_argument("--author", required=True, metavar="USER", help="the username of the issue's author (the new maintainer)")
    cl.add_argument("--issue", type=int, metavar="N", help="the issue number")
    cl.add_argument("--approved-by", metavar="USER", help="who added the claim-approved label: a steward's approval "
                    "adds the author to the home's maintainers")
    cl.add_argument("--result", metavar="FILE", help="write what was done as JSON to this file")
    cl.add_argument("--repo", default=str(ROOT), help="the repository folder (its providers/ and stewards.yaml)")
    cl.add_argument("--open-claims", metavar="FILE", help="the open claim issues, as JSON (github issues --label claim "
                    "writes it): a home already claimed in an earlier one is not claimed again")
    cl.add_argument("--replies", metavar="FILE", help="the workflow's own comments on the issue, as JSON (github comments N "
                    "--by 'github-actions[bot]' writes it): the claim stays for the home its first reply asked a steward "
                    "to ring, and is never approved for another")
    _area_option(cl)
    cl.set_defaults(func=cmd_claim)

    st = sub.add_parser("stale", help="list homes whose vacancies are more than 7 days old or were never given")
    st.add_argument("--providers", help="folder of profiles to look at (default: providers/)")
    st.add_argument("--config", help="where the repository address is set (default: mkdocs.yml)")
    _area_option(st)
    st.add_argument("--format", choices=["text", "markdown", "title", "count"], default="text",
                    help="text (default) for reading here; markdown for the weekly GitHub issue's text; title for its title; "
                    "count for the number of homes listed (0: the issue is closed)")
    st.add_argument("--on", metavar="YYYY-MM-DD", help="count days up to this date (default: today)")
    st.set_defaults(func=cmd_stale)

    g = sub.add_parser("docs", help="regenerate the files made from schema/, mkdocs.yml and these commands "
                       "(profile template, editor JSON Schema, issue forms, docs/commands.md)")
    g.add_argument("--check", action="store_true", help="fail if they are out of date instead of writing")
    g.add_argument("--screenshots", action="store_true", help="also photograph the issue forms for CONTRIBUTING.md (needs chromium)")
    g.add_argument("--area", metavar="NAME", help="the area the repository publishes (its variable AREA): the issue forms "
                   "and CONTRIBUTING.md take its council's contact and its site's address from areas/NAME/mkdocs.yml "
                   "(default: the top level's mkdocs.yml; see docs/areas.md)")
    g.set_defaults(func=cmd_docs)

    gh = sub.add_parser("github", help="open or update a pull request or issue, comment, label, push (for the workflows)",
                        description="GitHub's REST API at GITHUB_API_URL for GITHUB_REPOSITORY, with GITHUB_TOKEN "
                        "(SYNC_PR_TOKEN first for pull-request and git); see docs/deployment.md")
    ghs = gh.add_subparsers(dest="action", required=True, metavar="ACTION",
                           help="what to do on GitHub: label, pull-request, issue, issues, comments, comment, close, dispatch or git")
    gl = ghs.add_parser("label", help="create a label, or set its colour and description")
    gl.add_argument("name")
    gl.add_argument("--color", required=True, help="six hex digits, e.g. 1d76db")
    gl.add_argument("--description", default="")
    gp = ghs.add_parser("pull-request", help="open, or update, the one open pull request from a branch; prints its address")
    gp.add_argument("--head", required=True, help="the branch with the changes")
    gp.add_argument("--base", required=True, help="the branch to merge into, e.g. main")
    gp.add_argument("--title", required=True)
    gp.add_argument("--label", action="append", default=[], help="a label to add (repeat for more)")
    gi = ghs.add_parser("issue", help="open, or update, the one open issue with a label; prints its address")
    gi.add_argument("--label", required=True, help="the label that marks the issue")
    gi.add_argument("--title", required=True)
    gi.add_argument("--close", action="store_true", help="update and close the open issue; open none")
    gs = ghs.add_parser("issues", help=f"print the open issues with a label (number and text) as JSON, oldest first (every page of them, at most {MAX_ISSUES})")
    gs.add_argument("--label", required=True)
    gm = ghs.add_parser("comments", help="print the text of the comments on an issue by one account as JSON, oldest first "
                        f"(every page of them, at most {MAX_COMMENTS} comments read)")
    gm.add_argument("number", type=_positive)
    gm.add_argument("--by", required=True, metavar="LOGIN", help="whose comments, e.g. github-actions[bot] (the workflows' replies)")
    gc = ghs.add_parser("comment", help="comment on an issue or pull request")
    gc.add_argument("number", type=_positive)
    for q in (gp, gi, gc):
        body = q.add_mutually_exclusive_group(required=True)
        body.add_argument("--body", help="the text")
        body.add_argument("--body-file", metavar="FILE", help="a file holding the text (Markdown)")
    gx = ghs.add_parser("close", help="close an issue as done")
    gx.add_argument("number", type=_positive)
    gd = ghs.add_parser("dispatch", help="start a workflow, e.g. publish.yml")
    gd.add_argument("workflow")
    gd.add_argument("--ref", required=True, help="the branch to run it on")
    gg = ghs.add_parser("git", help="run git with the token sent to GitHub only, e.g. github git -- push origin HEAD:main")
    gg.add_argument("--default-token", action="store_true", help="use GITHUB_TOKEN even when SYNC_PR_TOKEN is set")
    gg.add_argument("git_args", nargs=argparse.REMAINDER, help="git's arguments, after --")
    gh.set_defaults(func=cmd_github)

    t = sub.add_parser("test", help="run the whole test suite: ruff, mypy, the workflow and script linters, node --test and pytest (browser tests included)")
    t.add_argument("--fast", action="store_true", help="skip the browser tests")
    t.add_argument("pytest_args", nargs="*", help="extra arguments for pytest, after --")
    t.set_defaults(func=cmd_test)
    describe(sub)  # each command's long description, for --help and docs/commands.md
    return p


_CTRL_C: list[int] = []  # a Ctrl+C this process was given (ctrl_c)


def _interrupted() -> int:
    """Say that the command was interrupted: Ctrl+C, exit status 130; SIGTERM (a CI job cancelled, a container or
    service stopped, ``kill``), 143, the shells' codes for them."""
    _say(" ".join(["Stopped." if signal.SIGTERM in _CTRL_C else "Interrupted.", *DONE_BEFORE_STOP]))
    DONE_BEFORE_STOP.clear()  # said once: the next command run in this process has its own
    return stopped_status()


def stopped_status() -> int:
    """The exit status of a command interrupted: 143 when SIGTERM stopped it, else (Ctrl+C) 130."""
    return 143 if signal.SIGTERM in _CTRL_C else 130


def ctrl_c(signum: int, frame: Any) -> None:
    """SIGINT's and SIGTERM's handler once a command runs: KeyboardInterrupt, as Python's own, and remembered, so that an error
    the interruption causes on its way out (inside an import: TypeError 'expected a message argument' from
    ``from warnings import deprecated`` in pathspec, seen once in a test) is still said as "Interrupted."."""
    _CTRL_C.append(signum)
    raise KeyboardInterrupt


_SIGTERM_BEFORE: list[Any] = []  # SIGTERM's handler before main set its own (_python_ctrl_c)
_SIGINT_BEFORE: list[Any] = []  # and SIGINT's (build.py's _interrupted_early)


def _handlers_back() -> None:
    """SIGTERM's and SIGINT's handlers back to what they were when a command ends (main called in a process that
    goes on, as the tests call it: a process it forks later would otherwise raise KeyboardInterrupt on SIGTERM rather
    than end). SIGINT's too: a second Ctrl+C or SIGTERM after the command had said "Stopped." raised
    KeyboardInterrupt with a traceback on main's or build.py's way out; build.py's own handler now ends it quietly."""
    if threading.current_thread() is threading.main_thread():
        if _SIGTERM_BEFORE:
            signal.signal(signal.SIGTERM, _SIGTERM_BEFORE.pop())
        if _SIGINT_BEFORE:
            signal.signal(signal.SIGINT, _SIGINT_BEFORE.pop())


def _python_ctrl_c() -> None:
    """Ctrl+C, and SIGTERM, raise KeyboardInterrupt from here on (build.py stopped quietly before this point), so a
    command stopped either way cleans up as it goes: SIGTERM's default ended a national build at once, leaving its
    half-made build folder (440 MB) until the next build. Worker processes take SIGTERM's default back
    (parallel._worker_start): their parent's end is sent to them as SIGTERM."""
    if threading.current_thread() is threading.main_thread():
        _CTRL_C.clear()
        DONE_BEFORE_STOP.clear()  # a batch's word from an earlier command run in this process is not this one's
        before_int = signal.signal(signal.SIGINT, ctrl_c)
        _SIGINT_BEFORE[:] = [signal.default_int_handler if before_int is None else before_int]
        before = signal.signal(signal.SIGTERM, ctrl_c)
        _SIGTERM_BEFORE[:] = [signal.SIG_DFL if before is None else before]


def _command_parser(p: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    """One command's parser, whose usage line lists that command's options."""
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            return cast(argparse.ArgumentParser, action.choices[command])
    return p


PATH_OPTIONS = ("out", "providers", "config", "releases", "state", "result", "dir", "open_claims", "replies", "paths", "site", "repo",
                "from_csv")  # not body: apply-update's is a file, but github comment's is the comment's text


MAX_DIGITS = 12  # a free places count longer than this is refused before the check (int() of 4,300 digits fails)


def _free_count(unit: str) -> Callable[[str], int]:
    """A free places option's reader: a whole number in figures ('3', not 'two', '3.0' or '£3'), 0 or more, or the
    option named with what to give instead (argparse's own words are "invalid int value"). A number too large for
    any home is read as given, so that the check names the schema's highest allowed value; only one longer than
    ``MAX_DIGITS`` digits is refused here."""
    def read(text: str) -> int:
        digits = typed_whole(text)  # full-width '１２', as a form and a sheet take it
        if digits is None or digits.startswith("-"):
            raise argparse.ArgumentTypeError(f"'{text}' is not a number of free {unit}; give it in figures, such as 3 (0 if none)")
        if len(digits) > MAX_DIGITS:
            raise argparse.ArgumentTypeError(f"'{text[:20]}...' is {len(digits)} digits long, more free {unit} than any "
                                             "service has; give the number free now, such as 3 (0 if none)")
        return int(digits)
    return read


DATED = frozenset(("data", "build", "serve", "release"))  # the commands that date a release (SOURCE_DATE_EPOCH)
KEPT: list[argparse.Namespace] = []  # the last command's arguments, with what it kept on them (main)


def main(argv: list[str] | None = None) -> int:
    """Run one command. Ctrl+C ends it quietly with exit status 130; a closed output pipe
    (``build.py check | head``) with 141, the shells' codes for those signals."""
    real = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = cast(TextIO, _Guarded(real[0])), cast(TextIO, _Guarded(real[1]))
    try:
        _python_ctrl_c()
        p = parser()
        args, extra = p.parse_known_args(argv)
        if extra:  # argparse names no command here: say the command's own usage and where its options are
            _command_parser(p, args.command).error(
                f"unrecognized arguments: {' '.join(extra)}; see: python3 build.py {args.command} --help")
        given = {name: getattr(args, name, None) for name in PATH_OPTIONS}
        empty = [name for name, value in given.items() if value == "" or (isinstance(value, list) and "" in value)]
        if empty:  # an unset shell variable: never the default folder, nor the folder the command runs in
            _command_parser(p, args.command).error("a path given is empty; give a path" if empty[0] == "paths"
                                                   else f"--{empty[0].replace('_', '-')} is empty; give a path")
        _area_paths(args)
        if args.command in DATED:  # before any work: a release date that cannot be read ended them in a traceback
            from .publish import source_date_problem

            if _refused(source_date_problem()):
                return 2
        if isinstance(getattr(args, "out", None), str):  # serve's server and rebuilds use the same folder as build
            args.out = str(_out_path(args.out))
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the try, not at exit
        KEPT[:] = [args]  # what the command kept on args (build's profiles) outlives it: build.py ends with os._exit
        return code
    except ConfigFileError as exc:  # mkdocs.yml missing or unreadable, for any command that reads it
        _say(str(exc))
        return 1
    except AreaError as exc:
        _say(str(exc))
        return 2
    except ValueError as exc:  # schema/face.json wrong, for any command that words a page (face is imported only then)
        from .face import FaceError
        if not isinstance(exc, (FaceError, SchemaError)):  # or schema/datapackage.json, read again by a command
            if _CTRL_C:  # raised by the interruption on its way out: it was the Ctrl+C
                return _interrupted()
            raise
        _say(str(exc))  # it names the file, the entry, what is wrong and what to do
        return 1
    except KeyboardInterrupt:
        return _interrupted()
    except BrokenPipeError:
        # stdout's reader went away; point stdout at /dev/null so Python's exit flush cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception:
        if _CTRL_C:  # an error raised by the interruption on its way out: it was the Ctrl+C
            return _interrupted()
        raise
    finally:
        while True:  # first: a signal from here on is not a KeyboardInterrupt outside any handler (one that comes
            try:     # as the handlers are put back, the command having ended, is let go)
                _handlers_back()
                break
            except KeyboardInterrupt:
                continue
        sys.stdout, sys.stderr = real
