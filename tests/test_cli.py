"""The command line as a user runs it: python3 build.py ..."""
from __future__ import annotations

import shutil

import pytest
from conftest import FIXTURES, ROOT, run_build, run_process
from helpers import no_releases


def copy_fixtures(tmp_path):
    prov = tmp_path / "providers"
    shutil.copytree(FIXTURES / "profiles", prov)
    return prov


def test_check_bundled_data_is_clean():
    r = run_build("check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stderr.strip() == "Checked 88 profiles: no problems."


@pytest.mark.slow  # real build.py processes
def test_the_real_process_exits_with_the_commands_status_guarded_and_without_a_traceback(tmp_path):
    """The other tests run the commands in-process (run_build); these run python3 build.py itself."""
    (tmp_path / "::error::x.yaml").write_text("name: [broken\n")
    r = run_process("check", "::error::x.yaml", cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stdout.splitlines() == ["\\::error::x.yaml:2:1: yaml: did not find expected ',' or ']'; "
                                     "compare this line with providers/_template.yaml"]
    assert r.stderr == "1 problem in 1 file (checked 1). Fix each line above and run the check again.\n"
    r = run_process("check", "--nope")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == ["usage: build.py check [-h] [--format {text,github}] [--area NAME] [paths ...]",
                                     "build.py check: error: unrecognized arguments: --nope; see: python3 build.py check --help"]
    r = run_process("check", str(FIXTURES / "profiles"))
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "Checked 2 profiles: no problems.\n")


def test_check_reports_every_problem_and_exits_1(tmp_path):
    prov = copy_fixtures(tmp_path)
    text = (prov / "example-full.yaml").read_text()
    text = text.replace("    available: 2\n", "    available: 35\n").replace("  phone: 01432 000000", "  phnoe: 01432 000000")
    (prov / "example-full.yaml").write_text(text)
    (prov / "example-minimal.yaml").write_text((prov / "example-minimal.yaml").read_text().replace("slug: example-minimal", "slug: other"))
    r = run_build("check", "providers", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "providers/example-full.yaml:19: contact.phnoe: is not a known field; did you mean 'phone'?",
        "providers/example-full.yaml:36: beds.nursing.available: is 35 but beds.nursing.total is 30; free beds cannot be more than the beds there are",
        "providers/example-minimal.yaml:3: slug: is 'other' but the file is named example-minimal.yaml; rename the file to other.yaml or change the slug",
    ]
    assert r.stderr.strip() == "3 problems in 2 files (checked 2). Fix each line above and run the check again."
    g = run_build("check", "--format", "github", "providers", cwd=tmp_path)
    assert g.stdout.splitlines()[0] == "::error file=providers/example-full.yaml,line=19,title=contact.phnoe::is not a known field; did you mean 'phone'?"


def test_check_named_file_and_missing_path(tmp_path):
    prov = copy_fixtures(tmp_path)
    assert run_build("check", str(prov / "example-minimal.yaml")).returncode == 0
    r = run_build("check", str(tmp_path / "nope.yaml"))
    assert r.returncode == 2 and "no such file or folder" in r.stderr


@pytest.mark.slow  # frictionless validates two whole packages
def test_data_writes_valid_package_and_keeps_old_on_failure(tmp_path):
    import frictionless  # imported here, by the slow tests that use it: not on collection by each worker (0.3 s)

    prov = copy_fixtures(tmp_path)
    out = tmp_path / "site" / "data"
    r = run_build("data", "--providers", str(prov), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert frictionless.validate(str(out / "datapackage.json")).valid
    before = {f.relative_to(out): f.read_bytes() for f in out.rglob("*") if f.is_file()}  # oruk-tabular/ too
    assert frictionless.validate(str(out / "oruk-tabular" / "datapackage.json")).valid
    (prov / "example-full.yaml").write_text("name: [broken\n")
    r = run_build("data", "--providers", str(prov), "--out", str(out))
    assert r.returncode == 1 and "nothing was published" in r.stderr
    assert {f.relative_to(out): f.read_bytes() for f in out.rglob("*") if f.is_file()} == before
    assert [p.name for p in out.parent.iterdir()] == ["data"], "no temporary folders left behind"


@pytest.mark.slow  # imports CQC files (over half a second: the fast set stays under 30 s)
def test_import_cli_reports_and_errors(tmp_path, shared_data):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n")
    r = run_build("import-cqc", str(bad), "--providers", str(tmp_path / "p"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"{bad}: is not a CQC register file this tool knows")
    r = run_build("import-cqc", str(shared_data / "philpearson-api-devon-2021-02" / "cqc_care_homes.csv"),
                  "--local-authority", "Torbay", "--providers", str(tmp_path / "p"), "--dry-run")
    assert r.returncode == 0 and "85 new profiles would be created" in r.stdout
    assert not (tmp_path / "p").exists() or not list((tmp_path / "p").glob("*.yaml"))


def test_docs_are_current():
    r = run_build("docs", "--check")
    assert r.returncode == 0, r.stderr


def test_bundled_profiles_are_the_real_register():
    """Bundled data: only what the CQC register and the FSA's ratings say (no invented provider facts)."""
    allowed_top = {"location_id", "slug", "name", "locality", "address", "care", "beds", "cqc", "food_hygiene"}
    for f in sorted((ROOT / "providers").glob("[!_]*.yaml")):
        import yaml
        data = yaml.safe_load(f.read_text())
        assert set(data) <= allowed_top, f.name
        assert "example" not in data
        assert set(data["beds"]) == {"registered"}


def test_every_option_has_help():
    import argparse

    from carehomes.cli import parser
    sub = next(a for a in parser()._actions if a.dest == "command")
    bare = [f"{name} {'/'.join(a.option_strings) or a.dest}" for name, p in sub.choices.items()  # type: ignore[union-attr]
            for a in p._actions if not a.help and not isinstance(a, argparse._HelpAction)]
    assert bare == []
    r = run_build("import-cqc", "--help")
    assert "remembered" in " ".join(r.stdout.split())


def test_serve_refuses_a_port_out_of_range_before_building(tmp_path):
    for port, why in (("99999", "99999 is not a port; use a port from 1 to 65535 (or 0 for any free port)"),
                      ("-1", "-1 is not a port; use a port from 1 to 65535 (or 0 for any free port)"),
                      ("http", "'http' is not a number; use a port from 1 to 65535, e.g. 8001")):
        r = run_build("serve", "--port", port, "--out", str(tmp_path / "site"))
        assert r.returncode == 2 and "Traceback" not in r.stderr
        assert r.stderr.splitlines()[-1] == f"build.py serve: error: argument --port: {why}"
        assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("command", ["serve", "serve-api"])
def test_an_empty_host_is_refused_not_every_network(tmp_path, command):
    """serve --host '' listened on every address of the computer, for anyone on its network, and said so as
    http://:43511/ (hostile-input review)."""
    r = run_build(command, "--host", "", "--out" if command == "serve" else "--site", str(tmp_path / "site"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.splitlines()[-1] == (f"build.py {command}: error: argument --host: an empty address listens on every "
                                         "network this computer is on; give one, e.g. 127.0.0.1 (this computer only) or "
                                         "0.0.0.0 (every network, on purpose)")
    assert not (tmp_path / "site").exists()


def test_a_wrong_face_file_is_one_message_not_a_traceback(tmp_path, monkeypatch):
    """A face.json entry build cannot word a page with (a fallback without its path, a formatter that does not exist)
    was a FaceError traceback from build: it is its one line, naming the file and entry, exit 1."""
    from carehomes import pipeline
    from carehomes.face import FaceError

    said = "schema/face.json: kinds.care_home.page[5].facts[0].fallback: has no path; add it (see the description at the top of the file)"

    def wrong(*args, **kwargs):
        raise FaceError(said)

    monkeypatch.setattr(pipeline, "build_site", wrong)
    r = run_build("build", "--out", str(tmp_path / "site"), "--releases", no_releases(tmp_path / "none"))
    assert (r.returncode, r.stderr) == (1, said + "\n") and not (tmp_path / "site").exists()


def test_serve_on_a_port_in_use_says_so_before_building(tmp_path, capsys):
    """The port in use was found only after the build (97 s for the national site), and 8001 was suggested
    whatever the port was."""
    import socket

    from carehomes.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port), "--out", str(tmp_path / "site"), "--no-search"]) == 1
    assert capsys.readouterr().err == (f"Cannot serve on 127.0.0.1:{port} (Address already in use); nothing was built; "
                                       "try another port, e.g. python3 build.py serve --port 0 (any free port)\n")
    assert not (tmp_path / "site").exists()


def test_serve_on_a_host_that_is_no_address_says_so_before_building(tmp_path, capsys):
    from carehomes.cli import main

    assert main(["serve", "--host", "nope..invalid", "--out", str(tmp_path / "site"), "--no-search"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Cannot serve on nope..invalid (") and err.endswith(
        "); give an address of this computer with --host, e.g. 127.0.0.1\n")
    assert not (tmp_path / "site").exists()


def test_local_server_answers_a_missing_page_with_the_sites_404_page(tmp_path):
    import urllib.error
    import urllib.request
    from threading import Thread

    from carehomes.localserver import site_server
    (tmp_path / "index.html").write_text("<p>home</p>")
    (tmp_path / "404.html").write_text("<h1>Page not found</h1>")
    server = site_server(tmp_path)
    Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert urllib.request.urlopen(base + "/").read() == b"<p>home</p>"
        for method in ("GET", "HEAD"):
            try:
                urllib.request.urlopen(urllib.request.Request(base + "/no-such-home/", method=method))
            except urllib.error.HTTPError as exc:
                assert exc.code == 404 and exc.headers["Content-Type"] == "text/html; charset=utf-8"
                assert exc.read() == (b"<h1>Page not found</h1>" if method == "GET" else b"")
            else:
                raise AssertionError("a missing page must answer 404")
        (tmp_path / "404.html").unlink()  # a site without one: Python's own error page, still 404
        try:
            urllib.request.urlopen(base + "/gone")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404 and b"Error code: 404" in exc.read()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("live", [False, True], ids=["plain", "serve"])
def test_local_server_answers_an_address_no_file_can_have_with_the_404_page(tmp_path, capsys, live):
    """/%00 and /%ED%A0%80 (a NUL; a lone surrogate) raised ValueError in the standard handler: a traceback in serve's
    output and the connection dropped without an answer. They are missing pages like any other."""
    import http.client
    from threading import Thread

    from carehomes.localserver import site_server
    from carehomes.watch import ServeState, live_handler
    (tmp_path / "index.html").write_text("<p>home</p>")
    (tmp_path / "404.html").write_text("<h1>Page not found</h1>")
    server = site_server(tmp_path, handler=live_handler(ServeState()) if live else None)
    Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        for path in ("/%00", "/index.html%00.txt", "/find/%00/", "/%ED%A0%80", "/find/%ED%A0%80/"):
            for headers in ({}, {"Accept-Encoding": "gzip"}):
                for method in ("GET", "HEAD"):
                    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
                    conn.request(method, path, headers=headers)
                    answer = conn.getresponse()
                    assert (answer.status, answer.read()) == (404, b"<h1>Page not found</h1>" if method == "GET" else b""), path
                    conn.close()
    finally:
        server.shutdown()
        server.server_close()
    assert capsys.readouterr().err == ""


def test_local_server_also_serves_the_site_at_its_published_path(tmp_path):
    """mkdocs writes the 404 page's links from site_url (/care-homes/assets/...): served here too, so the
    page that `serve` shows for a missing page has its styles."""
    import urllib.error
    import urllib.request
    from threading import Thread

    from carehomes.localserver import site_server, url_prefix
    assert [url_prefix(u) for u in ("https://example-council.github.io/care-homes/", "https://x.example",
                                    "https://x.example/a/b", "", "/")] == ["/care-homes/", "/", "/a/b/", "/", "/"]
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "site.css").write_text("body{}")
    (tmp_path / "index.html").write_text("<p>home</p>")
    (tmp_path / "404.html").write_text('<link href="/care-homes/assets/site.css">')
    server = site_server(tmp_path, prefix="/care-homes/")
    Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for path in ("/assets/site.css", "/care-homes/assets/site.css", "/care-homes/assets/site.css?v=1"):
            assert urllib.request.urlopen(base + path).read() == b"body{}", path
        assert urllib.request.urlopen(base + "/care-homes/").read() == b"<p>home</p>"
        assert urllib.request.urlopen(base + "/care-homes").read() == b"<p>home</p>"
        for path in ("/care-homes?v=1", "/care-homes#top", "/care-homes/?v=1", "/care-homes//?v=1"):  # a query: a 404 before
            assert urllib.request.urlopen(base + path).read() == b"<p>home</p>", path
        try:
            urllib.request.urlopen(base + "/care-homesx/assets/site.css")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
        else:
            raise AssertionError("only the whole path segment is the prefix")
    finally:
        server.shutdown()


REQUIRED = {"merge": ["--out", "o", "p"], "check-ownership": ["--author", "a", "--base", "b"],
            "apply-update": ["--body", "f", "--author", "a"], "claim": ["--body", "f", "--author", "a"],
            "github": ["close", "1"]}


def test_an_unknown_option_names_the_commands_own_usage(capsys):
    """argparse said 'usage: build.py [-h] COMMAND ...' for 'vacancies --bogus': no word of the command's options."""
    from carehomes.cli import _command_parser, main, parser

    for command in ("check", "data", "import-cqc", "build", "serve", "serve-api", "release", "report", "merge", "fmt",
                    "vacancies", "check-ownership", "apply-update", "claim", "stale", "docs", "github", "test"):
        with pytest.raises(SystemExit) as stop:
            main([command, *REQUIRED.get(command, []), "--bogus"])
        assert stop.value.code == 2
        usage = _command_parser(parser(), command).format_usage()
        assert capsys.readouterr().err == (f"{usage}build.py {command}: error: unrecognized arguments: --bogus; "
                                           f"see: python3 build.py {command} --help\n")


@pytest.mark.slow  # runs serve (over half a second: the fast set stays under 30 s)
def test_serve_gives_the_collector_back_when_it_ends_without_watching(tmp_path, monkeypatch):
    """serve freezes the garbage collector on what the build left (watch.keep_built) before it says it is serving;
    when it cannot watch (the engine failed after the build) and is then stopped with Ctrl+C, it must unfreeze it
    as watch does (tests and other callers go on in the same process)."""
    import gc
    import threading
    import types

    import carehomes.cli as cli
    from carehomes.incremental import Live

    def built(args):
        args.checked, args.pieces = [], None
        return 0

    def no_engine(self, profiles, pieces=None):
        raise RuntimeError("the engine could not run")

    class Stopped(threading.Event):
        def wait(self, timeout=None):
            raise KeyboardInterrupt

    monkeypatch.setattr(cli, "cmd_build", built)
    monkeypatch.setattr(Live, "start", no_engine)
    monkeypatch.setattr(cli, "threading", types.SimpleNamespace(Thread=threading.Thread, Event=Stopped, current_thread=threading.current_thread, main_thread=threading.main_thread))
    assert gc.get_freeze_count() == 0
    try:
        assert cli.main(["serve", "--port", "0", "--out", str(tmp_path / "site"), "--no-search"]) == 0
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
