"""fetch-postcodes: OS Code-Point Open from a loopback stand-in for OS's downloads service, a zip built
here from real rows of ../shared's Code-Point Open; and build --production without the data."""
from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SHARED
from download_stub import DownloadStub
from helpers import REAL, config_with

from carehomes import cli
from carehomes.outputs import postcode_lookup
from carehomes.sources import codepoint, postcodes

CODEPOINT = SHARED / "data" / "postcodes" / "codepoint-open-2025-10"
PRODUCT = "/downloads/v1/products/CodePointOpen"
DOWNLOAD = PRODUCT + "/downloads?area=GB&format=CSV&redirect"
FILE = "/blob/codepo_gb.zip"


def real_zip(metadata: str | None = None, areas: tuple[str, ...] = ("hr",)) -> bytes:
    """A zip of Code-Point Open's layout: Doc/ files and Data/CSV/<area>.csv with the real rows."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ("metadata.txt", "licence.txt", "Code-Point_Open_Column_Headers.csv"):
            data = (CODEPOINT / "Doc" / name).read_bytes()
            if name == "metadata.txt" and metadata is not None:
                data = metadata.encode()
            z.writestr(f"Doc/{name}", data)
        for area in areas:
            z.writestr(f"Data/CSV/{area}.csv", gzip.decompress((CODEPOINT / "Data" / "CSV" / f"{area}.csv.gz").read_bytes()))
    return buf.getvalue()


def config(tmp_path: Path, stub: DownloadStub, hosts: list[str]) -> Path:
    path = tmp_path / "mkdocs.yml"
    path.write_text(json.dumps({"extra": {"directory": {"codepoint": {
        "url": stub.url(DOWNLOAD), "hosts": hosts, "min_bytes": 1000, "max_bytes": 5_000_000}}}}))
    return path


def serve(stub: DownloadStub, body: bytes, version: str = "2025-10") -> None:
    stub.routes[PRODUCT] = (200, {"Content-Type": "application/json"}, json.dumps({"id": "CodePointOpen", "version": version}).encode())
    stub.routes[DOWNLOAD] = (307, {"Location": stub.url(FILE, "localhost")}, b"")
    stub.routes[FILE] = (200, {"Content-Type": "application/zip"}, body)


def fetch(tmp_path: Path, cfg: Path, *extra: str) -> int:
    return cli.main(["fetch-postcodes", "--config", str(cfg), "--dir", str(tmp_path / "cp" / "current"), *extra])


@pytest.fixture(autouse=True)
def no_url_override(monkeypatch):
    monkeypatch.delenv(codepoint.ENV_URL, raising=False)


def test_fetch_follows_the_redirect_to_an_allowed_host_and_installs_the_lookup_data(tmp_path, capsys):
    with DownloadStub() as stub:
        serve(stub, real_zip())
        cfg = config(tmp_path, stub, ["localhost"])
        assert fetch(tmp_path, cfg) == 0
        err = capsys.readouterr().err
        assert err.startswith("Code-Point Open 2025-10 (dated 2025-10-17, ") and err.endswith(f"1 postcode areas) installed in {tmp_path / 'cp' / 'current'}.\n")
        assert stub.log == [PRODUCT, DOWNLOAD, FILE]
        folder = tmp_path / "cp" / "current"
        state = json.loads((folder / codepoint.STATE_NAME).read_text())
        assert (state["version"], state["date"], state["areas"]) == ("2025-10", "2025-10-17", 1)
        assert (folder / "Doc" / "metadata.txt").read_bytes() == (CODEPOINT / "Doc" / "metadata.txt").read_bytes()
        assert gzip.decompress((folder / "Data" / "CSV" / "hr.csv.gz").read_bytes()) == gzip.decompress(
            (CODEPOINT / "Data" / "CSV" / "hr.csv.gz").read_bytes())
        place = postcodes.lookup(["HR6 8AA"], folder)["HR68AA"]
        assert place is not None and round(place.lat, 2) == 52.23
        site = tmp_path / "site"
        assert postcode_lookup.write_lookup(site, ["HR"], folder)["missing"] == []
        assert json.loads((site / "postcodes" / "areas.json").read_text())["date"] == "2025-10-17"
        assert "8AA" in json.loads((site / "postcodes" / "HR" / "HR6-8.json").read_text())
        # the same release again: nothing is downloaded
        assert fetch(tmp_path, cfg) == 0
        assert capsys.readouterr().err == f"Code-Point Open 2025-10 (dated 2025-10-17) is already in {folder}; nothing was downloaded.\n"
        assert stub.log[3:] == [PRODUCT]
        assert cli.main(["fetch-postcodes", "--config", str(cfg), "--release"]) == 0
        assert capsys.readouterr().out == "2025-10\n"


def test_a_redirect_to_a_host_not_allowed_is_refused(tmp_path, capsys):
    with DownloadStub() as stub:
        serve(stub, real_zip())
        assert fetch(tmp_path, config(tmp_path, stub, ["example.org"])) == 1
        assert capsys.readouterr().err == (
            f"{stub.url(DOWNLOAD)}: redirects to {stub.url(FILE, 'localhost')}, which is on a host Code-Point Open is "
            f"not allowed to redirect to; not followed; {codepoint.AGAIN}\n")
        assert FILE not in stub.log and not (tmp_path / "cp").exists()


def test_an_older_release_is_refused_and_the_installed_one_kept(tmp_path, capsys):
    with DownloadStub() as stub:
        serve(stub, real_zip())
        cfg = config(tmp_path, stub, ["localhost"])
        assert fetch(tmp_path, cfg) == 0
        folder = tmp_path / "cp" / "current"
        # OS names a newer release, but the zip inside is dated before the one installed
        older = (CODEPOINT / "Doc" / "metadata.txt").read_text(encoding="latin-1").replace("RM UPDATE DATE: 20251017", "RM UPDATE DATE: 20250717")
        serve(stub, real_zip(older), version="2026-01")
        capsys.readouterr()
        assert fetch(tmp_path, cfg) == 1
        assert capsys.readouterr().err == (
            f"{stub.url(FILE, 'localhost')}: the zip is dated 2025-07-17 (Doc/metadata.txt), older than 2025-10-17 used "
            f"last ({folder / codepoint.STATE_NAME}); {codepoint.AGAIN} (or give --allow-older)\n")
        # OS itself names an older release: refused before any download
        serve(stub, real_zip(), version="2025-07")
        stub.log.clear()
        assert fetch(tmp_path, cfg) == 1
        assert capsys.readouterr().err == (
            f"{stub.url(PRODUCT)}: offers release 2025-07, older than 2025-10 used last ({folder / codepoint.STATE_NAME}); "
            f"{codepoint.AGAIN} (or give --allow-older)\n")
        assert stub.log == [PRODUCT]
        assert json.loads((folder / codepoint.STATE_NAME).read_text())["date"] == "2025-10-17"


@pytest.mark.parametrize(("body", "problem"), [
    (b"PK\x03\x04" + b"not a zip at all" * 100, "is not a readable zip file (File is not a zip file); the download is "
     "damaged or is not Code-Point Open"),
    (b"x" * 10, "the download is 10 bytes, outside the expected 1,000 to 5,000,000 for Code-Point Open"),
])
def test_a_bad_download_is_refused_with_one_line(tmp_path, capsys, body, problem):
    with DownloadStub() as stub:
        serve(stub, body)
        assert fetch(tmp_path, config(tmp_path, stub, ["localhost"])) == 1
        err = capsys.readouterr().err
        assert err == f"{stub.url(FILE, 'localhost')}: {problem}; {codepoint.AGAIN}\n"
        assert not (tmp_path / "cp").exists()


def test_a_zip_without_code_points_layout_is_refused(tmp_path, capsys):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "x" * 2000)
        z.writestr("../escape.csv", "x")
    with DownloadStub() as stub:
        serve(stub, buf.getvalue())
        assert fetch(tmp_path, config(tmp_path, stub, ["localhost"])) == 1
        assert capsys.readouterr().err == (f"{stub.url(FILE, 'localhost')}: the zip holds the unsafe name "
                                           f"'../escape.csv' (it leads out of its folder); {codepoint.AGAIN}\n")


def test_a_production_build_without_the_lookup_fails_and_a_local_one_warns(tmp_path, monkeypatch, capsys):
    empty = tmp_path / "none"
    empty.mkdir()
    monkeypatch.setenv(postcodes.ENV_DIR, str(empty))
    out = tmp_path / "site"
    (tmp_path / "cfg").mkdir()
    config = config_with(tmp_path / "cfg", **REAL)  # real contacts: only the lookup is missing
    assert cli.main(["build", "--production", "--out", str(out), "--no-search", "--config", str(config)]) == 1
    gap = ("extra.directory.postcode_areas asks for postcode areas GL, HR, NP, SY, WR, but {empty} has no "
           "Code-Point Open data for them, so the site's distance search from a full postcode there gives no "
           "distances; get the data with: python3 build.py fetch-postcodes")
    assert capsys.readouterr().err == (f"{config}: {gap.format(empty=empty)}\n--production: the site was not built, so "
                                       f"that no site is published without its distance search; {out} is unchanged.\n")
    assert not out.exists()
    # with an example contact as well, both are said at once (the lookup was said only once the contacts were mended)
    (tmp_path / "cfg2").mkdir()
    config = config_with(tmp_path / "cfg2", **{**REAL, "contact_phone": '"01234 567890"'})
    assert cli.main(["build", "--production", "--out", str(out), "--no-search", "--config", str(config)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{config}: extra.directory.contact_phone, the directory team's phone, is still the example 01234 567890; "
        "set the council's real one there, then build again",
        f"{config}: {gap.format(empty=empty)}",
        "--production: the site was not built, so that no placeholder contact is published and no site is published "
        f"without its distance search; {out} is unchanged."]
    assert not out.exists()
    monkeypatch.chdir(ROOT)  # a local build says the same as a warning, naming the settings file it read
    assert cli._postcode_gap(ROOT / "mkdocs.yml") == f"mkdocs.yml: {gap.format(empty=empty)}"
    oldham = cli._postcode_gap(ROOT / "areas" / "oldham" / "mkdocs.yml", "oldham")  # an area's: its file, its --area
    assert oldham == (f"areas/oldham/mkdocs.yml: extra.directory.postcode_areas asks for postcode areas M, OL, but {empty} "
                      "has no Code-Point Open data for them, so the site's distance search from a full postcode there "
                      "gives no distances; get the data with: python3 build.py fetch-postcodes --area oldham")


def test_the_publish_workflow_fetches_caches_and_builds_for_production():
    import yaml

    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text())
    steps = wf["jobs"]["build"]["steps"]
    names = [s.get("name", "") for s in steps]
    release = steps[names.index("Ask OS for the current Code-Point Open release")]
    assert release["id"] == "codepoint" and "python3 build.py fetch-postcodes --release" in release["run"]
    cache = steps[names.index("Cache Code-Point Open")]
    assert cache["uses"].startswith("actions/cache@")
    assert cache["with"] == {"path": ".codepoint", "key": "codepoint-open-${{ steps.codepoint.outputs.release }}",
                             "restore-keys": "codepoint-open-"}
    fetch = names.index("Fetch Code-Point Open (unless cached)")
    build = names.index("Build the site")
    assert names.index("Cache Code-Point Open") < fetch < build
    assert steps[fetch]["run"] == 'python3 build.py fetch-postcodes ${AREA:+--area "$AREA"}'  # the area's Code-Point settings
    assert steps[build]["run"].startswith("python3 build.py build --production")
    fetch_postcodes = cli._command_parser(cli.parser(), "fetch-postcodes")
    assert postcodes.FETCHED_DIR == ROOT / ".codepoint" / "current" == Path(fetch_postcodes.get_default("dir"))


def with_member(raw: bytes, name: str, data: bytes) -> bytes:
    """``raw`` (a zip) with one more member."""
    buf = io.BytesIO(raw)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return buf.getvalue()


def patched(raw: bytes, name: str, *, flags: int = 0, method: int | None = None, first_byte: int | None = None) -> bytes:
    """``raw`` with what zipfile cannot write done to member ``name``: ``flags`` set in its general purpose bits (1:
    encrypted), its compression ``method`` changed (6: implode), in its local header and the central directory; or
    the first byte of its data replaced by ``first_byte``."""
    out = bytearray(raw)
    for sig, flags_at, name_len_at, name_at in ((b"PK\x03\x04", 6, 26, 30), (b"PK\x01\x02", 8, 28, 46)):
        i = out.find(sig)
        while i != -1:
            size = int.from_bytes(out[i + name_len_at:i + name_len_at + 2], "little")
            if out[i + name_at:i + name_at + size] == name.encode():
                out[i + flags_at] |= flags
                if method is not None:
                    out[i + flags_at + 2:i + flags_at + 4] = method.to_bytes(2, "little")
                if first_byte is not None and sig == b"PK\x03\x04":
                    extra = int.from_bytes(out[i + 28:i + 30], "little")
                    out[i + name_at + size + extra] = first_byte
            i = out.find(sig, i + 4)
    return bytes(out)


def installed(tmp_path: Path) -> tuple[str, bytes, bytes]:
    """What is installed in the test's --dir: its record, Doc/licence.txt and the HR area file."""
    folder = tmp_path / "cp" / "current"
    return ((folder / codepoint.STATE_NAME).read_text(), (folder / "Doc" / "licence.txt").read_bytes(),
            (folder / "Data" / "CSV" / "hr.csv.gz").read_bytes())


@pytest.mark.parametrize(("member", "change", "why"), [
    ("Data/CSV/hr.csv", {"flags": 1}, "it is encrypted"),
    ("Doc/licence.txt", {"flags": 1}, "it is encrypted"),
    ("Doc/metadata.txt", {"flags": 1}, "it is encrypted"),
    ("Data/CSV/hr.csv", {"method": 6}, "it is compressed with method 6, which cannot be unpacked here"),
    ("Doc/licence.txt", {"method": 6}, "it is compressed with method 6, which cannot be unpacked here"),
    ("Doc/licence.txt", {"first_byte": 0xFF}, "it is damaged: Error -3 while decompressing data: invalid block type"),
    ("Data/CSV/hr.csv", {"first_byte": 0xFF}, "it is damaged: Error -3 while decompressing data: invalid block type"),
])
def test_a_member_that_cannot_be_unpacked_is_named_and_the_installed_release_kept(tmp_path, capsys, member, change, why):
    with DownloadStub() as stub:
        serve(stub, real_zip())
        cfg = config(tmp_path, stub, ["localhost"])
        assert fetch(tmp_path, cfg) == 0
        before = installed(tmp_path)
        serve(stub, patched(real_zip(), member, **change), version="2026-01")
        capsys.readouterr()
        assert fetch(tmp_path, cfg) == 1
        assert capsys.readouterr().err == (f"{stub.url(FILE, 'localhost')}: '{member}' in the zip cannot be unpacked "
                                           f"({why}); {codepoint.AGAIN}\n")
        assert installed(tmp_path) == before
        assert [p.name for p in (tmp_path / "cp" / ".current-builds").iterdir() if not p.name.startswith(".")] == [
            (tmp_path / "cp" / "current").resolve().name]


@pytest.mark.parametrize("date", ["2025-13-45", "2025-02-30"])
def test_a_damaged_record_of_the_last_release_is_one_line(tmp_path, capsys, date):
    with DownloadStub() as stub:
        serve(stub, real_zip())
        cfg = config(tmp_path, stub, ["localhost"])
        assert fetch(tmp_path, cfg) == 0
        folder = tmp_path / "cp" / "current"
        state = folder / codepoint.STATE_NAME
        state.write_text(state.read_text().replace("2025-10-17", date))
        serve(stub, real_zip(), version="2026-01")
        capsys.readouterr()
        assert fetch(tmp_path, cfg) == 1
        assert capsys.readouterr().err == (f"{state}: names the date {date}, which is not a real date; delete the folder "
                                           f"{folder} and run fetch-postcodes again\n")


@pytest.mark.parametrize(("name", "shown", "why"), [
    ("Doc/\x1b]0;pwned\x07\x1b[2J\n##[error]injected\n" + "a" * 300,
     "Doc/\\x1b]0;pwned\\x07\\x1b[2J\\n##[error]injected\\n" + "a" * 43 + "…", "it holds a control or invisible character"),
    ("Doc/evil\x1b[31mred\nline2", "Doc/evil\\x1b[31mred\\nline2", "it holds a control or invisible character"),
    ("Doc/right\u202etxt.exe", "Doc/right\\u202etxt.exe", "it holds a control or invisible character"),
    ("Doc/a|b?.txt", "Doc/a|b?.txt", "it holds ? |, not allowed in a file name"),
    ("Doc/" + "é" * 128, "Doc/" + "é" * 76 + "…", "a part of it is longer than 255 bytes"),
])
def test_an_unsafe_name_in_the_zip_is_refused_and_shown_escaped(tmp_path, capsys, name, shown, why):
    with DownloadStub() as stub:
        serve(stub, with_member(real_zip(), name, b"x"))
        assert fetch(tmp_path, config(tmp_path, stub, ["localhost"])) == 1
        err = capsys.readouterr().err
        assert err == f"{stub.url(FILE, 'localhost')}: the zip holds the unsafe name '{shown}' ({why}); {codepoint.AGAIN}\n"
        assert not (tmp_path / "cp").exists()


def test_doc_files_have_a_size_cap_of_their_own(tmp_path, capsys, monkeypatch):
    assert codepoint.MAX_DOC == 10 * 1024 * 1024  # the real Doc/ is about 280 KB
    monkeypatch.setattr(codepoint, "MAX_DOC", 200_000)  # 10 MB in use: a test zip stays small
    body = with_member(real_zip(), "Doc/bomb.txt", b"\0" * 200_000)
    total = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(body)).infolist() if m.filename.startswith("Doc/"))
    with DownloadStub() as stub:
        serve(stub, body)
        assert fetch(tmp_path, config(tmp_path, stub, ["localhost"])) == 1
        assert capsys.readouterr().err == (f"{stub.url(FILE, 'localhost')}: the zip's Doc/ files are {total:,} bytes "
                                           f"unpacked, more than the 200,000 Code-Point Open's ever are; {codepoint.AGAIN}\n")
        assert not (tmp_path / "cp").exists()


def test_a_bad_address_names_where_it_was_set(tmp_path, capsys, monkeypatch):
    cfg = tmp_path / "other.yml"
    cfg.write_text(json.dumps({"extra": {"directory": {"codepoint": {"url": "ftp://example.org/x"}}}}))
    assert fetch(tmp_path, cfg) == 1
    assert capsys.readouterr().err == f"{cfg}: extra.directory.codepoint.url 'ftp://example.org/x' is not an https address\n"
    monkeypatch.setenv(codepoint.ENV_URL, "http://example.org/\x1b[2J")
    assert fetch(tmp_path, cfg) == 1
    assert capsys.readouterr().err == (
        f"the environment variable {codepoint.ENV_URL} 'http://example.org/\\x1b[2J' is plain http; only https is "
        f"allowed (plain http only to 127.0.0.1 or localhost, for tests); correct it, or unset it to use "
        f"extra.directory.codepoint.url in {cfg}\n")


def test_a_dir_that_cannot_be_replaced_names_dir(tmp_path, capsys):
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("keep")
    link = tmp_path / "link"
    link.symlink_to(other)
    with DownloadStub() as stub:
        serve(stub, real_zip())
        cfg = config(tmp_path, stub, ["localhost"])
        assert cli.main(["fetch-postcodes", "--config", str(cfg), "--dir", str(link)]) == 1
        assert capsys.readouterr().err == (f"{link} is a link to {other}, which this tool did not make; remove the link or "
                                           "give another folder with --dir; nothing was installed\n")
        assert stub.log == [] and sorted(p.name for p in tmp_path.iterdir()) == ["link", "mkdocs.yml", "other"]
        if Path("/proc/self").is_dir():  # a folder of the system's: no chmod to suggest
            assert cli.main(["fetch-postcodes", "--config", str(cfg), "--dir", "/proc/carehomes-x"]) == 1
            assert capsys.readouterr().err == ("/proc is read-only, so /proc/carehomes-x cannot be made; give another "
                                               "folder with --dir; nothing was installed\n")
            assert stub.log == []


def test_two_members_that_would_be_one_file_are_refused(tmp_path, capsys):
    """hr.csv and HR.CSV are one area's file: which one was installed depended on the zip's order, said nowhere."""
    with DownloadStub() as stub:
        serve(stub, with_member(real_zip(), "data/csv/HR.CSV", b'"HR1 1AA",10,1,2\n'))
        assert fetch(tmp_path, config(tmp_path, stub, ["localhost"])) == 1
        assert capsys.readouterr().err == (f"{stub.url(FILE, 'localhost')}: the zip holds both 'Data/CSV/hr.csv' and "
                                           f"'data/csv/HR.CSV', which would be one file; {codepoint.AGAIN}\n")
        assert not (tmp_path / "cp").exists()
