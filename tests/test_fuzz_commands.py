"""Every command on hostile input: a message and exit status 0 or 1, never a traceback, a signal
death or a hang; and ``build`` never fails on profiles that ``check`` accepted (issue 9, requirement 5).

The real commands run in-process (``build.py ...`` in a temporary folder, conftest.run_build; the
Ctrl+C tests start real processes) on a curated list of known-nasty inputs (deep nesting, huge numbers
and strings, control characters, YAML tags, anchors, merge keys, odd file names, links, damaged CSV and
JSON) and on seeded hypothesis inputs.
Several inputs go into one run where the command takes a folder, to keep the cost bounded; the
long generated part is marked ``slow`` (left out by ``build.py test --fast``).
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import git as _git
from conftest import FIXTURES, NATIONAL, ROOT, TODAY, run_build
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

TIMEOUT = 120  # seconds for one command on a handful of files: longer is a hang
MINIMAL = (FIXTURES / "profiles" / "example-minimal.yaml").read_text(encoding="utf-8")
FULL = (FIXTURES / "profiles" / "example-full.yaml").read_text(encoding="utf-8")
RUNS = {"count": 0, "inputs": 0}  # for the report at the end of the session


class Hang(BaseException):
    """The command ran past its time (a BaseException, so no ``except Exception`` in the command hides it)."""


def _hang(signum: int, frame: object) -> None:
    raise Hang


def in_process(*args: str, cwd: Path, timeout: int, env: dict) -> subprocess.CompletedProcess:
    """``build.py ARGS`` run in this process (conftest.run_build) with stdout and stderr as bytes, as a
    subprocess gives them; raises Hang after ``timeout`` seconds. The Ctrl+C tests below start real processes."""
    old = signal.signal(signal.SIGALRM, _hang)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        done = run_build(*args, cwd=cwd, env=env)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return subprocess.CompletedProcess(done.args, done.returncode, *(text.encode("utf-8", "surrogateescape")
                                                                      for text in (done.stdout, done.stderr)))


def run(*args: str, cwd: Path, codes: tuple[int, ...] = (0, 1), timeout: int = TIMEOUT,
        inputs: int = 1) -> subprocess.CompletedProcess:
    """Run ``build.py ARGS`` in ``cwd`` and assert it ended by itself, in time, with one of ``codes``
    and without a Python traceback."""
    RUNS["count"] += 1
    t0 = time.perf_counter()
    RUNS["inputs"] += inputs
    try:
        proc = in_process(*args, cwd=cwd, timeout=timeout, env=dict(os.environ, SOURCE_DATE_EPOCH="1795392000"))
    except Hang:
        pytest.fail(f"build.py {' '.join(args)!r} still running after {timeout} s: a hang")
    print(f"{time.perf_counter() - t0:5.1f} s  build.py {' '.join(args)[:80]!r} -> {proc.returncode}")
    out = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    assert proc.returncode >= 0, f"build.py {args!r} was killed by signal {-proc.returncode}:\n{out[-3000:]}"
    assert proc.returncode not in (134, 139), f"build.py {args!r} crashed ({proc.returncode}):\n{out[-3000:]}"
    assert "Traceback" not in out, f"build.py {args!r} printed a traceback:\n{out[-5000:]}"
    assert proc.returncode in codes, f"build.py {args!r} exited {proc.returncode}:\n{out[-3000:]}"
    return proc


def profile(slug: str, extra: str = "", n: int = 0) -> str:
    """A minimal fictional profile with its own slug and location ID, plus ``extra`` lines."""
    return (f"location_id: 1-{900000000 + n}\nslug: {slug}\nexample: true\nname: Fuzz Home {n} (fictional)\n"
            f"locality: Exampleshire\n{extra}")


def _deep_map(depth: int) -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v: 1\n"


# Known-nasty profile contents (file name -> bytes); each one of them once broke a command somewhere.
NASTY_PROFILES: dict[str, bytes] = {
    "brackets.yaml": ("name: " + "[" * 30_000 + "]" * 30_000 + "\n").encode(),
    "braces.yaml": ("{" * 30_000).encode(),
    "deep-map.yaml": (profile("deep-map", n=1) + "care:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(60))).encode(),
    "deep-flow.yaml": (profile("deep-flow", n=2) + "description: " + "[" * 5000 + "1" + "]" * 5000 + "\n").encode(),
    "big-int.yaml": profile("big-int", "beds:\n  registered: " + "9" * 5000 + "\n", 3).encode(),
    "big-int-id.yaml": ("location_id: " + "1" * 5000 + "\nslug: big-int-id\nname: x\nlocality: y\n").encode(),
    "big-float.yaml": profile("big-float", "address:\n  latitude: 1e99999\n  longitude: -1e-99999\n", 4).encode(),
    "nan.yaml": profile("nan", "address:\n  latitude: .nan\n  longitude: .inf\n"
                        "fees:\n  nursing_from: .nan\n  date: 2026-01-01\n", 5).encode(),
    "huge-item.yaml": profile("huge-item", "care:\n  nursing: yes\n  acute_trusts:\n    - " + "A" * 131_073 + "\n", 6).encode(),
    "huge-name.yaml": ("location_id: 1-900000007\nslug: huge-name\nexample: true\nname: " + "n" * 200_000
                       + "\nlocality: Exampleshire\n").encode(),
    "huge-description.yaml": profile("huge-description", "description: " + "word " * 45_000 + "\n", 8).encode(),
    "too-big.yaml": profile("too-big", "# " + "x" * 300_000 + "\n", 9).encode(),
    "fffe.yaml": profile("fffe", n=10).replace("Fuzz Home", "Fuzz \ufffe\uffff Home").encode(),
    "nul.yaml": profile("nul", n=11).replace("Fuzz Home", "Fuzz\x00Home").encode(),
    "controls.yaml": profile("controls", "description: bell\x07 esc\x1b[31m c1\x85\x9b del\x7f\n", 12)
    .replace("Fuzz Home", "Fuzz\u200b\u202eHome\u00ad").encode(),
    "bom-padding.yaml": b"",  # filled in below: BOM + comments to exactly 256 KB
    "crlf.yaml": profile("crlf", "care:\r\n  residential: yes\r\n", 14).replace("\n", "\r\n").replace("\r\r", "\r").encode(),
    "lone-cr.yaml": profile("lone-cr", "care:\n  residential: yes\n", 15).replace("\n", "\r").encode(),
    "anchor.yaml": profile("anchor", "contact:\n  manager: &who Sam\n  phone: *who\n", 16).encode(),
    "laughs.yaml": (b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                    b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                    b"e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"),
    "alias-only.yaml": b"*alias\n",
    "python-tag.yaml": profile("python-tag", "description: !!python/object/apply:os.system ['echo pwned']\n", 17).encode(),
    "tags.yaml": profile("tags", "description: !custom x\ncontact:\n  phone: !!binary aGVsbG8=\n"
                         "beds: !!set {a, b}\n", 18).encode(),
    "merge-key.yaml": profile("merge-key", "base: &b {nursing: yes}\ncare:\n  <<: *b\n  residential: yes\n", 19).encode(),
    "duplicate.yaml": profile("duplicate", "name: Second Name\nslug: other\n", 20).encode(),
    "sexagesimal.yaml": profile("sexagesimal", "beds:\n  registered: 1:00\n  nursing:\n    total: 010\n", 21).encode(),
    "bad-dates.yaml": profile("bad-dates", "beds:\n  confirmed: 2026-02-30\ncqc:\n  rating_date: 99999-01-01\n"
                              "  registered_since: 0000-00-00\nfees:\n  date: 2026-13-45T25:61:61\n", 22).encode(),
    "odd-dates.yaml": profile("odd-dates", "beds:\n  confirmed: 9999-12-31\ncqc:\n  imported: 0001-01-01\n"
                              "capabilities:\n  confirmed: 2026-01-01 10:00:00+99:00\n", 23).encode(),
    "list.yaml": b"- a\n- b\n",
    "scalar.yaml": b"just text\n",
    "empty.yaml": b"",
    "null.yaml": b"~\n",
    "number.yaml": b"123\n",
    "documents.yaml": ("%YAML 1.1\n---\n" + profile("documents", n=24) + "---\nname: two\n...\n").encode(),
    "complex-key.yaml": profile("complex-key", "? [a, b]\n: c\n~: nothing\n1: one\ntrue: yes\n", 25).encode(),
    "many-keys.yaml": profile("many-keys", "".join(f"k{i}: {i}\n" for i in range(2_000)), 26).encode(),
    "latin1.yaml": profile("latin1", n=27).replace("Fuzz Home", "Caf\xe9 Court").encode("latin-1"),
    "surrogate.yaml": profile("surrogate", n=28).encode() + b"description: \xed\xa0\x80\xff\xfe\n",
    "tabs.yaml": profile("tabs", "care:\n\tnursing:\tyes\n", 29).encode(),
    "long-line.yaml": ("name: " + "a" * 250_000).encode(),
    "wrong-types.yaml": profile("wrong-types", "care: [1, 2]\nbeds: yes\ncqc: 12\naddress: ''\nmaintainers: {a: b}\n"
                                "fees:\n  nursing_from: -1e308\n  date: yesterday\nuser_rating:\n  score: 1e308\n"
                                "  out_of: 0\n", 30).encode(),
    "slug-escape.yaml": profile("../../etc/passwd", n=31).encode(),
    "bad-urls.yaml": profile("bad-urls", "contact:\n  website: javascript:alert(1)\n  email: \"a@b\\nBcc: c@d\"\n"
                             "  phone: '=HYPERLINK(\"http://x\")'\ncqc:\n  report_url: file:///etc/passwd\n", 32).encode(),
    # odd file names
    "new\nline.yaml": profile("new-line", n=33).encode(),
    "co:lon.yaml": profile("co-lon", n=34).encode(),
    "per%cent%0A.yaml": profile("per-cent", n=35).encode(),
    "-dash.yaml": profile("-dash", n=36).encode(),
    "::warning file=x::pwned.yaml": profile("warning", n=37).encode(),
    "twin.yaml": profile("twin", n=38).encode(),
    "twin.yml": profile("twin", n=39).encode(),
    "upper.YAML": profile("upper", n=40).encode(),
    "typo.yxml": profile("typo", n=41).encode(),
    "\u00fcml\u00e4ut \ufeff.yaml": profile("umlaut", n=42).encode(),
}
_PAD = "\ufeff" + profile("bom-padding", n=13)
NASTY_PROFILES["bom-padding.yaml"] = (_PAD + "#" * (256 * 1024 - len(_PAD.encode()) - 1) + "\n").encode()
assert len(NASTY_PROFILES["bom-padding.yaml"]) == 256 * 1024


def write_nasty(folder: Path, outside: Path) -> int:
    """Write every NASTY_PROFILES file into ``folder``, plus links out of it and a FIFO; return their number."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in NASTY_PROFILES.items():
        (folder / name).write_bytes(data)
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.yaml").write_text("token: ghp_not_a_real_token\n", encoding="utf-8")
    (folder / "link-out.yaml").symlink_to(outside / "secret.yaml")
    (folder / "link-zero.yaml").symlink_to("/dev/zero")
    (folder / "link-loop.yaml").symlink_to(folder / "link-loop.yaml")
    (folder / "link-dangling.yaml").symlink_to(folder / "no-such-file.yaml")
    (folder / "folder.yaml").mkdir()
    os.mkfifo(folder / "fifo.yaml")  # opening it for reading would wait for ever
    return len(NASTY_PROFILES) + 6


def good_profiles(folder: Path, count: int = 2) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"good-{n}.yaml").write_text(profile(f"good-{n}", "care:\n  residential: yes\n", 500 + n), encoding="utf-8")


# ---- profiles: check, fmt, vacancies, build ---------------------------------------------------------

@pytest.mark.slow  # builds a site
def test_nasty_profiles_are_messages_for_check_fmt_vacancies_and_build(tmp_path):
    providers = tmp_path / "providers"
    count = write_nasty(providers, tmp_path / "outside")
    good_profiles(providers)
    before = {p.name: p.read_bytes() for p in providers.iterdir() if p.is_file() and not p.is_symlink()
              and p.name != "fifo.yaml"}
    checked = run("check", "providers", cwd=tmp_path, codes=(1,), inputs=count)
    text = checked.stdout.decode("utf-8", "replace")
    assert "brackets.yaml:1" in text and "huge-item.yaml" in text
    github = run("check", "--format", "github", "providers", cwd=tmp_path, codes=(1,), inputs=count).stdout.decode()
    assert "ghp_not_a_real_token" not in github
    assert all(line.startswith("::error ") or line.startswith("::warning ") or not line.startswith("::")
               for line in github.splitlines())
    run("fmt", "--check", "providers", cwd=tmp_path, inputs=count)
    run("fmt", "providers", cwd=tmp_path, inputs=count)
    for name in ("brackets.yaml", "nul.yaml", "latin1.yaml", "too-big.yaml", "python-tag.yaml"):
        assert (providers / name).read_bytes() == before[name], f"fmt changed {name}, which the reader refuses"
    rows = "home,nursing_free,residential_free\n" + "".join(f"{Path(n).stem},1,1\n" for n in NASTY_PROFILES)
    (tmp_path / "vacancies.csv").write_text(rows, encoding="utf-8")
    run("vacancies", "--from-csv", "vacancies.csv", "--providers", "providers", cwd=tmp_path, inputs=len(NASTY_PROFILES))
    for slug in ("brackets", "huge-item", "bom-padding", "fifo", "link-zero"):
        run("vacancies", slug, "--nursing", "1", "--residential", "0", "--providers", "providers", cwd=tmp_path)
    (tmp_path / "releases").mkdir()  # none yet (a --releases given that is not there is refused)
    built = run("build", "--providers", "providers", "--out", "site", "--no-search", "--releases", "releases",
                cwd=tmp_path, codes=(1,), inputs=count)
    assert "the site was not built" in built.stderr.decode()
    assert not (tmp_path / "site").exists()


@pytest.mark.slow  # builds a site
def test_check_and_build_accept_the_same_nasty_but_valid_profiles(tmp_path):
    """Values at the edges that are valid: check passes, so build must too (the CSV field limit, U+FFFE
    and the like once broke the build after check had passed)."""
    providers = tmp_path / "providers"
    good_profiles(providers, 1)
    edges = {
        "long-trusts": "care:\n  nursing: yes\n  acute_trusts:\n" + "".join(f"    - R{i:02d}\n" for i in range(40)),
        "long-text": "description: " + ("A long description with <script>alert(1)</script> & \"quotes\" =SUM(A1) " * 2000) + "\n",
        "unicode": "contact:\n  manager: 'Zoë Ñandú 李 \U0001F600 '\ndescription: \"emoji \U0001F3E0 and RTL \u05e9\u05dc\u05d5\u05dd\"\n",
        "formula": "contact:\n  manager: '=cmd|'' /C calc''!A0'\n  phone: '+44 1432 000000'\ndescription: '@SUM(1)'\n",
        "zeroes": "beds:\n  registered: 0\n  nursing:\n    total: 0\n    available: 0\n  confirmed: 2026-11-20\n",
        "huge-beds": "beds:\n  registered: 99999999999999999999\n  confirmed: 2026-11-20\n",
    }
    for n, (slug, extra) in enumerate(edges.items()):
        (providers / f"{slug}.yaml").write_text(profile(slug, extra, 600 + n), encoding="utf-8")
    checked = run("check", "providers", cwd=tmp_path, inputs=len(edges))
    ok = [p for p in edges if f"{p}.yaml:" not in checked.stdout.decode() or b"warning:" in checked.stdout]
    if checked.returncode:  # leave out the ones check refused: the property is about the rest
        for slug in edges:
            if f"providers/{slug}.yaml:" in checked.stdout.decode() and f"{slug}.yaml" not in ok:
                (providers / f"{slug}.yaml").unlink()
        run("check", "providers", cwd=tmp_path, codes=(0,))
    (tmp_path / "releases").mkdir()  # none yet (a --releases given that is not there is refused)
    run("build", "--providers", "providers", "--out", "site", "--no-search", "--releases", "releases",
        cwd=tmp_path, codes=(0,), inputs=len(edges))
    assert (tmp_path / "site" / "data" / "care-homes.csv").exists()


# ---- import-cqc: CSV (care directory and market) and API JSON ---------------------------------------

def _csv_header(path: Path) -> str:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return f.readline().rstrip("\r\n")


def _hsca_row(header: list[str], **cells: str) -> list[str]:
    base = {"Location ID": "1-900000001", "Location HSCA start date": "2010-10-01", "Care home?": "Y",
            "Location Name": "Fuzz House (fictional)", "Location Local Authority": "Exampleshire",
            "Location Postal Code": "HR1 9ZZ", "Service type - Care home service without nursing": "Y"}
    base.update(cells)
    return [base.get(h, "") for h in header]


def nasty_register_files(folder: Path) -> list[Path]:
    """Damaged CQC care directory CSVs, one problem each."""
    folder.mkdir(parents=True, exist_ok=True)
    header = next(csv.reader([_csv_header(NATIONAL)]))

    def table(*rows: list[str]) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([header, *rows])
        return buf.getvalue()

    good = _hsca_row(header)
    text = {
        "unbalanced-quote": table(good).replace("Fuzz House", '"Fuzz House', 1) + "1-900000002,2010-10-01,Y,\"Other\n",
        "huge-field": table(_hsca_row(header, **{"Location Name": "x" * 300_000})),
        "huge-number": table(_hsca_row(header, **{"Location HSCA start date": "9" * 5000, "Location Latitude": "1e99999",
                                                 "Location Longitude": "-" + "9" * 5000})),
        "bad-dates": table(_hsca_row(header, **{"Location HSCA start date": "2021-02-30"}),
                           _hsca_row(header, **{"Location ID": "1-900000003", "Location HSCA start date": "31/12/99999"})),
        "controls": table(_hsca_row(header, **{"Location Name": "Bell\x07 \u202eevil\ufffe \x85", "Location ID": "1-9\u200b"})),
        "formula": table(_hsca_row(header, **{"Location Name": "=HYPERLINK(\"http://x\")"})),
        "header-only": table(),
        "empty": "",
        "lone-cr": table(good, _hsca_row(header, **{"Location ID": "1-900000004"})).replace("\n", "\r"),
    }
    files = [folder / f"{name}.csv" for name in text]
    for f, body in zip(files, text.values(), strict=True):
        f.write_text(body, encoding="utf-8")
    raw = {"nul.csv": table(good).encode().replace(b"Fuzz", b"Fu\x00zz"),
           "latin1.csv": table(_hsca_row(header, **{"Location Name": "Caf\xe9 Court"})).encode("latin-1"),
           "bom-crlf.csv": b"\xef\xbb\xbf" + table(good).replace("\n", "\r\n").encode(),
           "binary.csv": bytes(range(256)) * 64}
    for name, data in raw.items():
        (folder / name).write_bytes(data)
        files.append(folder / name)
    market = ('"Location Name","Location ID","Care homes beds","Location HSCA start date","Location Local Authority",'
              '"Location Latest Overall Rating","Publication Date","Care home?"\n'
              '"Fuzz","1-900000005","' + "9" * 5000 + '","32/13/2020","Exampleshire","Good","2020-99-99","Y"\n'
              '"Fuzz 2","1-900000006","12","2020-01-01T99:00","Exampleshire","Excellent!","yesterday","Y"\n')
    (folder / "market.csv").write_text(market, encoding="utf-8")
    files.append(folder / "market.csv")
    return files


def nasty_api_folder(folder: Path) -> Path:
    """A folder of CQC API JSON documents: deep nesting, huge numbers, not JSON, wrong types."""
    details = folder / "location_details"
    details.mkdir(parents=True)
    docs = {
        "deep": "[" * 100_000 + "]" * 100_000,
        "deep-object": '{"a":' * 50_000 + "1" + "}" * 50_000,
        "huge-number": json.dumps({"locationId": "1-900000007", "name": "Fuzz"})[:-1] + ', "numberOfBeds": ' + "9" * 5000
        + ', "onspdLatitude": 1e999999, "registrationDate": "' + "2" * 300 + '"}',
        "nan": '{"locationId": "1-900000008", "name": NaN, "numberOfBeds": Infinity, "careHome": "Y"}',
        "list": "[1, 2, 3]",
        "string": '"text"',
        "not-json": "{'locationId': 1-2",
        "wrong-types": json.dumps({"locationId": ["1-9"], "name": {"a": 1}, "careHome": True, "numberOfBeds": "many",
                                   "currentRatings": [1], "regulatedActivities": "x", "gacServiceTypes": 7,
                                   "registrationDate": 20200101, "postalCode": None, "type": 5}),
        "latin1": None,
    }
    for name, body in docs.items():
        if body is not None:
            (details / f"location_{name}.json").write_text(body, encoding="utf-8")
    (details / "location_latin1.json").write_bytes(b'{"locationId": "1-900000009", "name": "Caf\xe9"}')
    (details / "location_nul.json").write_bytes(b'{"locationId": "1-9000\x0000010"}')
    return folder


def test_import_cqc_on_damaged_register_files_and_api_json(tmp_path):
    providers = tmp_path / "providers"
    good_profiles(providers, 1)
    before = {p.name: p.read_bytes() for p in providers.iterdir()}
    files = nasty_register_files(tmp_path / "csv")
    for f in files:
        run("import-cqc", str(f), "--providers", "providers", "--dry-run", cwd=tmp_path)
    api = nasty_api_folder(tmp_path / "api")
    run("import-cqc", str(api), "--providers", "providers", "--local-authority", "Exampleshire", cwd=tmp_path,
        inputs=11)
    assert {p.name: p.read_bytes() for p in providers.iterdir() if p.name in before} == before
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    run("import-cqc", str(deep), "--providers", "providers", "--dry-run", cwd=tmp_path)


# ---- merge and check-ownership --------------------------------------------------------------------------

def _package(folder: Path) -> Path:
    from carehomes.pipeline import check_paths
    from carehomes.publish import write_data

    write_data(check_paths([FIXTURES / "profiles"]).profiles, folder)
    desc = json.loads((folder / "datapackage.json").read_text())
    for res in desc["resources"]:
        res.pop("hash", None)
        res.pop("bytes", None)
    (folder / "datapackage.json").write_text(json.dumps(desc))
    return folder / "datapackage.json"


def test_merge_on_hostile_packages(tmp_path):
    good = _package(tmp_path / "good" / "data")
    damaged = {
        "deep": lambda d, c: ("[" * 50_000 + "]" * 50_000, c),
        "huge-number": lambda d, c: (d.replace('"resources"', '"x": ' + "9" * 5000 + ', "resources"', 1), c),
        "traversal": lambda d, c: (d, c.replace("example-full", "../../providers/aston-house", 1)),
        "unbalanced": lambda d, c: (d, c.replace("Example Full", '"Example Full', 1)),
        "nul-latin1": lambda d, c: (d, c.replace("Example Full", "Caf\xe9\x00", 1)),
        "huge-field": lambda d, c: (d, c.replace("Example Full", "x" * 200_000, 1)),
        "path-out": lambda d, c: (d.replace('"care-homes.csv"', '"../../../etc/passwd"', 1), c),
    }
    packages = []
    for name, damage in damaged.items():
        folder = tmp_path / name / "data"
        shutil.copytree(good.parent, folder)
        desc, rows = damage(good.read_text(), (good.parent / "care-homes.csv").read_text(encoding="utf-8"))
        (folder / "datapackage.json").write_text(desc, encoding="utf-8")
        (folder / "care-homes.csv").write_bytes(rows.encode("utf-8", "surrogatepass").replace(b"\xc3\xa9", b"\xe9"))
        packages.append(folder / "datapackage.json")
    for pkg in packages:
        run("merge", str(pkg), str(good), "--out", "out", cwd=tmp_path)
    run("merge", *map(str, packages), "--out", "all", cwd=tmp_path, inputs=len(packages))
    assert not (tmp_path / "providers").exists()




@pytest.mark.slow  # git repositories and many ownership checks
def test_check_ownership_on_nasty_profiles(tmp_path):
    repo = tmp_path / "repo"
    good_profiles(repo / "providers", 1)
    (repo / "stewards.yaml").write_text("stewards:\n  - a-steward\n", encoding="utf-8")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    _git(repo, "tag", "base")
    for name, data in NASTY_PROFILES.items():  # the provider changes their own profile into each nasty one in turn
        (repo / "providers" / "good-0.yaml").write_bytes(data)
        _git(repo, "commit", "-qam", name[:20])
    count = write_nasty(repo / "providers", tmp_path / "outside")
    (repo / "providers" / "fifo.yaml").unlink()  # git cannot hold a FIFO
    (repo / "providers" / "folder.yaml").rmdir()
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "every nasty file at once")
    run("check-ownership", "--author", "fuzz", "--base", "main~1", "--repo", str(repo), cwd=tmp_path, codes=(1,),
        inputs=count)
    run("check-ownership", "--author", "8", "--base", "base", "--repo", str(repo), cwd=tmp_path, codes=(1,),
        inputs=len(NASTY_PROFILES))
    run("check-ownership", "--author", "fuzz", "--base", "no-such-ref", "--head", "$(x)", "--repo", str(repo),
        cwd=tmp_path, codes=(1, 2))


def _catches_sigint(pid: int) -> bool:
    """Whether process ``pid`` has a handler for SIGINT (Linux: the SigCgt mask in /proc/PID/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True  # not Linux, or gone: nothing better to wait for
    mask = next((int(line.split()[1], 16) for line in status.splitlines() if line.startswith("SigCgt:")), 0)
    return bool(mask & (1 << (signal.SIGINT - 1)))


def _past_build_pys_handler(pid: int) -> bool:
    """Whether build.py in process ``pid`` has set its own Ctrl+C handler: its first import after it, hashlib, has
    loaded _hashlib (Linux: /proc/PID/maps). Python's own handler is set earlier, while the interpreter starts, where
    a signal still ends it with a bare KeyboardInterrupt (a loaded machine can stay there for more than 0.1 s)."""
    try:
        return "_hashlib" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return True  # not Linux, or gone: nothing better to wait for


# ---- Ctrl+C -----------------------------------------------------------------------------------------------

@pytest.mark.slow  # real build.py processes, interrupted
@pytest.mark.parametrize("command", ["check", "build", "import-cqc"])
def test_ctrl_c_ends_the_real_command_quietly_with_130(tmp_path, command):
    """Ctrl+C (SIGINT to the whole process group, as a terminal sends it) while the command loads or works."""
    providers = tmp_path / "providers"
    providers.mkdir()
    for src in sorted((ROOT / "providers").glob("[!_]*.yaml")):
        for copy in range(24 if command == "check" else 1):  # enough work for check to still be running at 1 s on a fast machine
            shutil.copy(src, providers / (src.name if not copy else f"{src.stem}-{copy}.yaml"))
    if command == "build":
        good_profiles(providers, 300)  # valid homes besides the bundled ones: pages take a while to write
    (tmp_path / "releases").mkdir()  # none yet (a --releases given that is not there is refused)
    args = {"check": ["check", "providers"],
            "build": ["build", "--providers", "providers", "--out", "site", "--releases", "releases"],
            "import-cqc": ["import-cqc", str(NATIONAL), "--providers", "providers"]}[command]
    for when in ("loading", "working"):
        proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), *args], cwd=tmp_path, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        # either way, once build.py has set its own Ctrl+C handler (SIGINT caught, /proc/PID/status SigCgt, and the
        # import after it loaded), however slow the machine: a signal before that ends the interpreter before any of
        # our code can run
        deadline = time.monotonic() + TIMEOUT
        while not (_catches_sigint(proc.pid) and _past_build_pys_handler(proc.pid)) and proc.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.01)
        if when == "loading":
            time.sleep(0.1)
        elif command == "build":  # wait until the new build folder exists: the build is writing pages, however fast
            deadline = time.monotonic() + TIMEOUT
            while not any(p.is_dir() for p in (tmp_path / ".site-builds").glob("*")) and time.monotonic() < deadline:
                assert proc.poll() is None, "the build ended before it began writing"
                time.sleep(0.02)
            time.sleep(0.2)
        else:
            time.sleep(1.0 if command == "check" else 2.0)
        assert proc.poll() is None, f"{command} ended before it was interrupted ({when}); give it more work"
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
        assert b"Traceback" not in out + err, err.decode()[-3000:]
        assert (proc.returncode, err.decode().splitlines()[-1:]) == (130, ["Interrupted."]), (when, err.decode()[-2000:])
        assert not (tmp_path / "site").exists()
        # nor the build begun: an interrupted command ends as Python ends, its workers stopped (build.py ends a
        # successful one at once; ended so after a Ctrl+C, a national build's workers went on writing pages)
        assert not [p for p in (tmp_path / ".site-builds").glob("*") if p.is_dir()], when



def _catches(pid: int, sig: int) -> bool:
    """Whether process ``pid`` has a handler for ``sig`` (Linux: the SigCgt mask in /proc/PID/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True  # not Linux, or gone: nothing better to wait for
    mask = next((int(line.split()[1], 16) for line in status.splitlines() if line.startswith("SigCgt:")), 0)
    return bool(mask & (1 << (sig - 1)))


@pytest.mark.slow  # a real build.py process, stopped
def test_sigterm_stops_a_build_as_ctrl_c_does_with_143(tmp_path):
    """SIGTERM (a CI job cancelled, a container stopped, kill) ended a build at once by its default action: the
    published site was whole, but the half-made build folder (440 MB nationally) stayed until the next build. It now
    stops the build as Ctrl+C does, its workers with it, and says so."""
    providers = tmp_path / "providers"
    providers.mkdir()
    for src in sorted((ROOT / "providers").glob("[!_]*.yaml")):
        shutil.copy(src, providers / src.name)
    good_profiles(providers, 600)  # pages that take a while to write, however fast the machine
    (tmp_path / "releases").mkdir()  # none yet (a --releases given that is not there is refused)
    # the command starts with no signal blocked, whatever this test process has blocked (a child inherits the mask)
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "--providers", "providers", "--out", "site",
                             "--releases", "releases"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_SETMASK, []))
    deadline = time.monotonic() + TIMEOUT
    while not (_catches(proc.pid, signal.SIGTERM) and any(p.is_dir() for p in (tmp_path / ".site-builds").glob("*"))) \
            and time.monotonic() < deadline:
        assert proc.poll() is None, "the build ended before it began writing"
        time.sleep(0.02)
    time.sleep(0.2)
    assert proc.poll() is None, "the build ended before it was stopped; give it more work"
    os.killpg(proc.pid, signal.SIGTERM)
    out, err = proc.communicate(timeout=TIMEOUT)
    assert b"Traceback" not in out + err, err.decode()[-3000:]
    # 143, or the signal itself when one more came as it ended (the group's SIGTERM held by a worker pool's wait and
    # raised again once its handler was put back): a quiet stop either way, said once its clean-up was done
    assert proc.returncode in (143, -signal.SIGTERM), (proc.returncode, err.decode()[-2000:])
    assert err.decode().splitlines()[-1:] == ["Stopped."], err.decode()[-2000:]
    assert not (tmp_path / "site").exists()
    assert not [p for p in (tmp_path / ".site-builds").glob("*") if p.is_dir()]


# ---- regressions: each crash the fuzzing found, by its exact message -----------------------------------------

@pytest.mark.parametrize("caused", [TypeError("expected a message argument"), ValueError("half-read")])
def test_an_error_the_ctrl_c_causes_on_its_way_out_is_said_as_the_interruption(tmp_path, monkeypatch, capsys, caused):
    """Seen once in the test above: Ctrl+C inside an import of mkdocs (pathspec's `from warnings import deprecated`)
    came out as "TypeError: expected a message argument" with a traceback. Whatever error the interruption raises on
    its way out, the command says "Interrupted." (exit 130); the same error without a Ctrl+C is still raised."""
    import signal

    from carehomes import cli

    def interrupted(args):
        try:
            cli.ctrl_c(signal.SIGINT, None)  # the handler the command runs under, as the signal calls it
        except KeyboardInterrupt:
            raise caused from None

    monkeypatch.setattr(cli, "cmd_check", interrupted)
    monkeypatch.chdir(tmp_path)
    before = signal.getsignal(signal.SIGINT)
    assert cli.main(["check", str(ROOT / "providers")]) == 130
    assert capsys.readouterr().err == "Interrupted.\n"
    assert signal.getsignal(signal.SIGINT) is before  # main's handler put back once the command has ended

    def failing(args):
        raise caused

    monkeypatch.setattr(cli, "cmd_check", failing)
    with pytest.raises(type(caused)):
        cli.main(["check", str(ROOT / "providers")])


def test_vacancy_sheet_with_a_field_over_the_csv_limit_is_one_message(tmp_path, monkeypatch):
    from carehomes.updates import vacancies_from_csv

    monkeypatch.chdir(tmp_path)

    good_profiles(tmp_path / "providers", 1)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("home,nursing_free,residential_free\ngood-0,1,1\n" + "x" * 131_073 + ",1,1\n", encoding="utf-8")
    edits, problems = vacancies_from_csv(sheet, tmp_path / "providers", TODAY)
    assert (edits, problems) == ([], ["sheet.csv:3: cannot be read as CSV (field larger than field limit (131072)); "
                                      "save the sheet as CSV again"])


def test_vacancy_sheet_rows_split_by_lone_carriage_returns_and_control_characters_shown_escaped(tmp_path, monkeypatch):
    from carehomes.updates import vacancies_from_csv

    monkeypatch.chdir(tmp_path)

    good_profiles(tmp_path / "providers", 1)
    sheet = tmp_path / "sheet.csv"
    sheet.write_bytes(b'home,nursing_free,residential_free\r"a\rb\x1b[31m",1,1\rgood-0,1,1\r')
    edits, problems = vacancies_from_csv(sheet, tmp_path / "providers", TODAY)
    assert problems == ["sheet.csv:2: home: 'a\\rb\\x1b[31m' holds a character you cannot see (a control character, or "
                        "one that turns text right to left); type the page name or the CQC location ID again"]


def test_vacancy_sheet_naming_a_profile_the_reader_refuses_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    from carehomes.updates import vacancies_from_csv

    monkeypatch.chdir(tmp_path)

    providers = tmp_path / "providers"
    providers.mkdir()
    (providers / "deep.yaml").write_bytes(NASTY_PROFILES["brackets.yaml"])
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("home,nursing_free,residential_free\ndeep,1,1\n", encoding="utf-8")
    _, problems = vacancies_from_csv(sheet, providers, TODAY)
    assert problems == [
        "sheet.csv:2: name: is nested more than 10 levels deep; compare it with providers/_template.yaml (in providers/deep.yaml)"]


def test_a_float_that_rounds_to_zero_is_written_back_plainly(tmp_path):
    from carehomes.yamlio import rt_dump, rt_parse

    assert rt_dump(rt_parse("latitude: -1e-99999\nlongitude: 1e99999\nfee: 1.50\n", "p.yaml")) == \
        "latitude: -0.0\nlongitude: .inf\nfee: 1.50\n"


def test_thousands_of_unknown_fields_are_checked_quickly_and_hints_stop_after_50_problems():
    from carehomes.load import parse_profile
    from carehomes.validate import check_profile

    text = profile("many", "".join(f"nme{i}: 1\n" for i in range(5000)))
    parsed, _ = parse_profile(text, "p.yaml")
    start = time.perf_counter()
    problems = check_profile(parsed, on=TODAY)
    assert time.perf_counter() - start < 5
    assert str(problems[0]) == "p.yaml:6: nme0: is not a known field; did you mean 'name'?"
    assert str(problems[60]).startswith("p.yaml:66: nme60: is not a known field; fields allowed at the top level are: ")


def test_import_cqc_field_over_the_csv_limit_and_deep_json_are_messages(tmp_path):
    files = nasty_register_files(tmp_path / "csv")
    huge = next(f for f in files if f.name == "huge-field.csv")
    out = run("import-cqc", str(huge), "--providers", "providers", cwd=tmp_path, codes=(1,))
    assert out.stderr.decode().splitlines()[-2:] == [
        f"{huge}: has rows that cannot be read; nothing was changed (a row that cannot be read is never taken as a "
        "home that left the register):",
        '  line 2: cannot be read as CSV (field larger than field limit (131072)); is a quote (") not closed?']
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    out = run("import-cqc", "deep.json", "--providers", "providers", cwd=tmp_path, codes=(1,))
    assert out.stderr.decode().splitlines()[-1] == (
        "deep.json: is JSON nested more than 64 levels deep, so it is not a CQC register file or API record; "
        "nothing was imported")


@pytest.mark.slow  # builds sites
def test_build_with_a_relative_out_folder_writes_there(tmp_path):
    good_profiles(tmp_path / "providers", 1)
    (tmp_path / "releases").mkdir()  # none yet (a --releases given that is not there is refused)
    before = set(os.listdir(ROOT))
    run("build", "--providers", "providers", "--out", "site", "--no-search", "--releases", "releases", cwd=tmp_path,
        codes=(0,))
    assert (tmp_path / "site" / "index.html").is_file()
    assert set(os.listdir(ROOT)) == before  # mkdocs once put it in .site-builds/ beside mkdocs.yml


# ---- generated inputs (slow) -------------------------------------------------------------------------------

NASTY_CHARS = st.sampled_from(list(":-#'\"[]{}&*!|>%@`,?\n\r\t \x00\x07\x1b\x7f\x85\u00a0\u200b\u202e\u2028\ufeff\ufffe"
                                   "\U0001F600éß0123456789eE.+abcyesnoTrue~<"))
SCALARS = st.one_of(st.integers(-10**30, 10**30), st.floats(allow_nan=True), st.booleans(), st.none(), st.dates(),
                    st.text(NASTY_CHARS, max_size=40), st.text(max_size=20), st.just("9" * 5000), st.just("x" * 131_073))
FIELDS = ["name", "locality", "description", "contact.phone", "contact.website", "contact.email", "contact.manager",
          "address.postcode", "address.latitude", "address.longitude", "beds.registered", "beds.nursing.available",
          "beds.confirmed", "care.acute_trusts", "care.nursing", "cqc.rating", "cqc.rating_date", "fees.nursing_from",
          "fees.date", "maintainers", "staffing.staff_turnover_percent", "food_hygiene.rating", "user_rating.score",
          "capabilities.tracheostomy.accepted", "provider.name", "unknown.field"]


def _set(doc: dict, dotted: str, value: object) -> None:
    keys = dotted.split(".")
    for k in keys[:-1]:
        doc = doc.setdefault(k, {}) if isinstance(doc.get(k, {}), dict) else doc
    doc[keys[-1]] = value


@st.composite
def mutated_profile(draw, n: int) -> str:
    """The full example with a few fields set to nasty values (YAML written by PyYAML, so it parses)."""
    import yaml

    doc = yaml.safe_load(FULL)
    doc["slug"], doc["location_id"] = f"gen-{n}", f"1-{800000000 + n}"
    for _ in range(draw(st.integers(1, 4))):
        value = draw(SCALARS | st.lists(SCALARS, max_size=3))
        _set(doc, draw(st.sampled_from(FIELDS)), value)
    return yaml.safe_dump(doc, allow_unicode=draw(st.booleans()), width=10**6)


RAW = st.one_of(st.binary(max_size=300), st.text(NASTY_CHARS, max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
                st.builds(lambda depth, ch: (("name: " + ch * depth) if ch in "[{" else _deep_map(depth)).encode(),
                          st.integers(5, 40_000), st.sampled_from(["[", "{", "  "])))


@pytest.mark.slow
@seed(20261201)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                                HealthCheck.data_too_large])
@given(raw=st.lists(RAW, min_size=4, max_size=8), names=st.lists(st.text(NASTY_CHARS, min_size=1, max_size=12), min_size=8,
                                                                   max_size=8))
def test_generated_bytes_are_messages_for_check_and_fmt(tmp_path_factory, raw, names):
    tmp = tmp_path_factory.mktemp("raw")
    providers = tmp / "providers"
    providers.mkdir()
    for n, data in enumerate(raw):
        name = "".join(c for c in names[n] if c not in "/\x00") or "x"
        (providers / f"{n}-{name}.yaml").write_bytes(data)
    run("check", "--format", "github", "providers", cwd=tmp, inputs=len(raw))
    run("fmt", "providers", cwd=tmp, inputs=len(raw))


@pytest.mark.slow
@seed(20261201)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                                HealthCheck.data_too_large])
@given(texts=st.tuples(*(mutated_profile(n) for n in range(6))))
def test_build_passes_whenever_check_passed_on_generated_profiles(tmp_path_factory, texts):
    """The property: profiles ``check`` accepts always build (those it refuses are left out first)."""
    from carehomes.load import errors
    from carehomes.pipeline import check_paths

    tmp = tmp_path_factory.mktemp("gen")
    providers = tmp / "providers"
    providers.mkdir()
    for n, text in enumerate(texts):
        (providers / f"gen-{n}.yaml").write_text(text, encoding="utf-8")
    refused = {Path(p.path).name for p in errors(check_paths([providers]).problems)}
    for name in refused:
        (providers / name).unlink(missing_ok=True)
    good_profiles(providers, 1)
    checked = run("check", "providers", cwd=tmp, inputs=len(texts))
    if checked.returncode == 0:
        (tmp / "releases").mkdir(exist_ok=True)  # none yet (a --releases given that is not there is refused)
        run("build", "--providers", "providers", "--out", "site", "--no-search", "--releases", "releases", cwd=tmp,
            codes=(0,), inputs=len(texts) - len(refused))


@pytest.mark.slow
@seed(20261201)
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cells=st.lists(st.tuples(st.text(NASTY_CHARS, max_size=20), st.text(NASTY_CHARS, max_size=8),
                                st.text(NASTY_CHARS, max_size=8), st.text(NASTY_CHARS, max_size=12)), min_size=1, max_size=6),
       header=st.sampled_from(["home,nursing_free,residential_free,confirmed", "home;nursing_free;residential_free",
                               "\ufeffhome\tnursing_free\tresidential_free", "x,y", ""]))
def test_generated_vacancy_sheets_and_registers_are_messages(tmp_path_factory, cells, header):
    tmp = tmp_path_factory.mktemp("csv")
    good_profiles(tmp / "providers", 2)
    sep = ";" if ";" in header else "\t" if "\t" in header else ","
    body = header + "\n" + "".join(sep.join(c) + "\n" for c in cells)
    (tmp / "sheet.csv").write_bytes(body.encode("utf-8", "surrogatepass"))
    run("vacancies", "--from-csv", "sheet.csv", "--providers", "providers", cwd=tmp, inputs=len(cells))
    hsca = _csv_header(NATIONAL) + "\n" + "".join(",".join(c) + "\n" for c in cells)
    (tmp / "register.csv").write_bytes(hsca.encode("utf-8", "surrogatepass"))
    run("import-cqc", "register.csv", "--providers", "providers", "--dry-run", cwd=tmp, inputs=len(cells))


def test_zz_report_how_many_inputs_ran():
    """Not a check: prints the number of command runs and inputs fed to them in this session (pytest -s)."""
    print(f"\nfuzz: {RUNS['count']} command runs on {RUNS['inputs']} inputs")


def test_a_vacancy_sheet_that_is_a_device_or_pipe_is_one_message_and_never_read(tmp_path, monkeypatch):
    """/dev/zero has no size to refuse it by and never ends; a pipe with no writer never answers: neither is read."""
    from carehomes.load import display_path
    from carehomes.updates import vacancies_from_csv

    good_profiles(tmp_path / "providers", 1)
    pipe = tmp_path / "sheet.csv"
    os.mkfifo(pipe)
    for sheet in (Path("/dev/zero"), pipe):
        assert vacancies_from_csv(sheet, tmp_path / "providers", TODAY) == ([], [
            f"{display_path(sheet)}: is not a regular file (a device, pipe or folder); give the spreadsheet saved as CSV"])


def test_a_command_run_in_a_process_that_goes_on_gives_sigterm_back(tmp_path, capsys):
    """main() set SIGTERM's handler and kept it: a process the test suite forked afterwards raised KeyboardInterrupt
    on SIGTERM instead of ending (test_the_rests_child_ends_when_serve_ended_before_it_asked_to_end_with_it failed
    when an earlier test in its worker had run a command)."""
    from carehomes.cli import main

    before = signal.getsignal(signal.SIGTERM)
    assert main(["check", str(ROOT / "providers" / "aston-house.yaml")]) == 0
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_second_interrupt_as_a_command_says_it_stopped_is_no_traceback(monkeypatch):
    """SIGTERM then Ctrl+C (or Ctrl+C twice): the second came while main said "Stopped.", raising KeyboardInterrupt
    out of main with a traceback from build.py. main now puts the handlers back on its way out whatever comes, and
    build.py ends with the stopped command's status, quietly."""
    import importlib.util

    from carehomes import cli

    def stopped(*args, **kwargs):
        cli._CTRL_C.append(signal.SIGTERM)
        raise KeyboardInterrupt

    def say(msg: str) -> None:
        if msg == "Stopped.":
            signal.raise_signal(signal.SIGINT)  # the second signal, while the first is being said

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(cli, "check_paths", stopped)
    monkeypatch.setattr(cli, "_say", say)
    with pytest.raises(KeyboardInterrupt):
        cli.main(["check", str(ROOT / "providers" / "aston-house.yaml")])
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before  # put back all the same

    spec = importlib.util.spec_from_file_location("build_script", ROOT / "build.py")
    build = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(build)  # sets build.py's early SIGINT handler: put back below
        monkeypatch.setenv("CAREHOMES_NO_VENV", "1")
        monkeypatch.setattr(sys, "argv", ["build.py", "check", str(ROOT / "providers" / "aston-house.yaml")])
        assert build.main() == 143
    finally:
        signal.signal(signal.SIGINT, before[0])
