"""The one reader: every command reads profiles with the same rules and messages.

Each test reproduces an attack or a user's report with real files, run as a user runs the commands.
"""
from __future__ import annotations

import codecs
import json
import os
import shutil
import subprocess

import pytest

from carehomes.load import MAX_BYTES, decode_profile
from carehomes.problems import Problem
from conftest import git as _git
from conftest import FIXTURES, ROOT, run_build

MINIMAL = (FIXTURES / "profiles" / "example-minimal.yaml").read_text(encoding="utf-8")
TORBAY = ("philpearson-api-devon-2021-02", "cqc_care_homes.csv")


def providers(tmp_path, files: dict[str, bytes | str]):
    """A providers folder in tmp_path holding the fictional minimal profile and ``files``."""
    prov = tmp_path / "providers"
    prov.mkdir()
    (prov / "example-minimal.yaml").write_text(MINIMAL, encoding="utf-8")
    for name, content in files.items():
        (prov / name).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return prov


def profile_text(slug: str, extra: str = "") -> str:
    return MINIMAL.replace("example-minimal", slug).replace("1-000000201", "1-000000777") + extra


def lines_for(output: str, name: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"providers/{name}:")]


def assert_no_traceback(r: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in r.stdout + r.stderr and r.returncode >= 0, r.stdout + r.stderr


BAD_FILES = {
    "tab-after-colon.yaml": profile_text("tab-after-colon").replace("name: ", "name:\t"),
    "tab-indent.yaml": profile_text("tab-indent", "beds:\n\tregistered: 3\n"),
    "unclosed.yaml": profile_text("unclosed").replace("name: ", 'name: "'),
    "no-space.yaml": profile_text("no-space").replace("name: ", "name:"),
    "latin1.yaml": profile_text("latin1").encode("utf-8").replace(b"Minimal", b"Caf\xe9"),
    "utf16.yaml": codecs.BOM_UTF16_LE + profile_text("utf16").encode("utf-16-le"),
    "nested.yaml": "location_id: " + "[" * 30000 + "]" * 30000 + "\n",
    "huge-int.yaml": profile_text("huge-int", "beds:\n  registered: " + "9" * 5000 + "\n"),
    "sexagesimal.yaml": profile_text("sexagesimal", "beds:\n  registered: 1:00\n"),
    "empty.yaml": "",
    "list.yaml": "- a\n- b\n",
    "python-tag.yaml": "location_id: !!python/object:os.system ls\n",
}


@pytest.mark.slow  # runs four commands over every bad file (over half a second: the fast set stays under 30 s)
def test_bad_files_give_checks_message_in_fmt_vacancies_and_import(tmp_path, shared_data):
    prov = providers(tmp_path, BAD_FILES)
    check = run_build("check", "providers", cwd=tmp_path)
    assert_no_traceback(check)
    assert check.returncode == 1
    fmt = run_build("fmt", "--check", "providers", cwd=tmp_path)
    assert_no_traceback(fmt)
    assert fmt.returncode == 1
    for name in BAD_FILES:
        expected = lines_for(check.stdout, name)
        assert expected, name
        assert lines_for(fmt.stdout, name) == expected, name
        vac = run_build("vacancies", name[:-5], "--residential", "1", "--providers", "providers", cwd=tmp_path)
        assert_no_traceback(vac)
        assert vac.returncode == 1 and lines_for(vac.stdout, name) == expected, name
        assert vac.stderr.strip() == f"providers/{name} was not changed."
        assert (prov / name).read_bytes() == (BAD_FILES[name].encode() if isinstance(BAD_FILES[name], str) else BAD_FILES[name])
    assert lines_for(check.stdout, "latin1.yaml") == [
        "providers/latin1.yaml:5:18: file: is not UTF-8 text: byte 122 (0xE9, which Windows writes for é) cannot be read; save the file as UTF-8"]
    assert lines_for(check.stdout, "tab-after-colon.yaml") == [
        "providers/tab-after-colon.yaml:5:6: yaml: there is a tab after 'name:'; use spaces, not tabs"]
    assert lines_for(check.stdout, "nested.yaml") == [
        "providers/nested.yaml:1: location_id: is nested more than 10 levels deep; compare it with providers/_template.yaml"]
    imp = run_build("import-cqc", str(shared_data.joinpath(*TORBAY)), "--local-authority", "Torbay",
                    "--providers", "providers", "--dry-run", cwd=tmp_path)
    assert_no_traceback(imp)
    assert imp.returncode == 1 and "it is not a readable profile" in imp.stderr
    first = imp.stderr.splitlines()[1].strip()
    assert first in check.stdout.splitlines(), first


def test_deep_nesting_does_not_crash_check_or_build(tmp_path):
    prov = providers(tmp_path, {"nested.yaml": BAD_FILES["nested.yaml"]})
    assert (prov / "nested.yaml").stat().st_size == 60014
    for args in (("check", "providers"), ("build", "--providers", "providers", "--out", "site", "--no-search")):
        r = run_build(*args, cwd=tmp_path)
        assert r.returncode == 1, (r.returncode, r.stderr)  # a segmentation fault is -11
        assert "providers/nested.yaml:1: location_id: is nested more than 10 levels deep" in r.stdout
    assert not (tmp_path / "site").exists()


def test_size_limit_counts_the_byte_order_mark_the_same_everywhere(tmp_path):
    base = codecs.BOM_UTF8 + profile_text("padded").encode("utf-8")
    exact = base + b"#" * (MAX_BYTES - len(base) - 1) + b"\n"
    assert len(exact) == MAX_BYTES
    prov = providers(tmp_path, {"padded.yaml": exact, "over.yaml": exact.replace(b"padded", b"overxx").replace(b"777", b"778") + b"\n"})
    r = run_build("check", "providers", cwd=tmp_path)
    assert r.stdout.splitlines() == [
        "providers/over.yaml:1: file: is larger than 256 KB (262,144 bytes); a profile should be a few KB"]
    r = run_build("fmt", "--check", "providers", cwd=tmp_path)
    assert lines_for(r.stdout, "over.yaml") == [
        "providers/over.yaml:1: file: is larger than 256 KB (262,144 bytes); a profile should be a few KB"]
    assert lines_for(r.stdout, "padded.yaml") == [  # read, not refused: only its byte-order mark is not standard
        "providers/padded.yaml: is not in the standard format: it starts with a byte-order mark (an invisible character "
        "some Windows editors write). Run python3 build.py fmt to put it right (if you edited it on GitHub, a steward can "
        "do this for you)"]
    r = run_build("vacancies", "padded", "--unchanged", "--providers", "providers", cwd=tmp_path)
    assert r.returncode == 1 and r.stdout.splitlines() == [  # the file is read; the result would be too big
        "providers/padded.yaml:1: file: is larger than 256 KB (262,144 bytes); a profile should be a few KB"]
    assert (prov / "padded.yaml").read_bytes() == exact


def test_links_out_of_the_folder_are_refused_and_never_read(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(profile_text("outside"), encoding="utf-8")
    prov = providers(tmp_path, {})
    os.symlink("/dev/zero", prov / "zero.yaml")
    os.symlink(outside, prov / "outside.yaml")
    expected = [f"providers/outside.yaml:1: file: is a link to {outside}, outside providers; a profile must be a real file in that folder, so it was not read",
                "providers/zero.yaml:1: file: is a link to /dev/zero, outside providers; a profile must be a real file in that folder, so it was not read"]
    r = run_build("check", "providers", cwd=tmp_path)
    assert r.returncode == 1 and r.stdout.splitlines() == expected
    r = run_build("fmt", "providers", cwd=tmp_path)
    assert r.returncode == 1 and r.stdout.splitlines() == expected
    r = run_build("vacancies", "zero", "--nursing", "1", "--providers", "providers", cwd=tmp_path)
    assert r.returncode == 1 and r.stdout.splitlines() == expected[1:]
    r = run_build("data", "--providers", "providers", "--out", "out", cwd=tmp_path)
    assert r.returncode == 1 and not (tmp_path / "out").exists()


def test_only_yaml_files_are_profiles_and_look_alikes_are_reported(tmp_path):
    twin = MINIMAL.replace("Example Minimal", "Another Home")
    providers(tmp_path, {"a.YAML": profile_text("a"), "b.yml": profile_text("b"), "c.yxml": profile_text("c"),
                         "example-minimal.yml": twin, "notes.txt": "not a profile\n"})
    r = run_build("check", "providers", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "providers/a.YAML:1: file: is not read as a profile: profile names end in '.yaml' (lower case); rename it to a.yaml",
        "providers/b.yml:1: file: is not read as a profile: profile names end in '.yaml' (lower case); rename it to b.yaml",
        "providers/c.yxml:1: file: is not read as a profile: profile names end in '.yaml' (lower case); rename it to c.yaml",
        "providers/example-minimal.yml:1: file: is not read as a profile, and example-minimal.yaml is already there; keep one of the two (profile names end in '.yaml') and delete the other",
    ]
    assert r.stderr.strip() == "4 problems in 4 files (checked 1). Fix each line above and run the check again."
    r = run_build("data", "--providers", "providers", "--out", "out", cwd=tmp_path)
    assert r.returncode == 1 and not (tmp_path / "out").exists(), "the .yml twin never publishes a page"


def test_file_names_cannot_inject_workflow_commands(tmp_path):
    name = "evil\n::warning file=x,line=1::pwned\r%0A.yaml"
    providers(tmp_path, {name: "name: [broken\n"})
    r = run_build("check", "--format", "github", "providers", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "::error file=providers/evil%0A%3A%3Awarning file=x%2Cline=1%3A%3Apwned%0D%250A.yaml,line=2,col=1,"
        "title=yaml::did not find expected ',' or ']'; compare this line with providers/_template.yaml"]
    text = run_build("check", "providers", cwd=tmp_path)
    assert text.stdout.splitlines() == [
        "providers/evil\\n::warning file=x,line=1::pwned\\r%0A.yaml:2:1: yaml: did not find expected ',' or ']'; "
        "compare this line with providers/_template.yaml"]


def test_github_format_escapes_every_part():
    p = Problem("a,b:c%d\r\n.yaml", 3, "f:g,h", "50% off\nnext: line", 2, "warning")
    assert p.github() == "::warning file=a%2Cb%3Ac%25d%0D%0A.yaml,line=3,col=2,title=f%3Ag%2Ch::50%25 off%0Anext: line"


def test_vacancies_cannot_exceed_registered_beds(tmp_path):
    prov = tmp_path / "providers"
    prov.mkdir()
    shutil.copy(ROOT / "providers" / "aston-house.yaml", prov)  # residential, 16 registered beds
    before = (prov / "aston-house.yaml").read_bytes()
    r = run_build("vacancies", "aston-house", "--residential", "25", "--providers", "providers", cwd=tmp_path)
    assert r.returncode == 1
    assert [line.split(": ", 1)[1] for line in r.stdout.splitlines()] == [
        "beds.residential.available: is 25 but beds.registered is 16; free beds cannot be more than the beds there are"]
    assert (prov / "aston-house.yaml").read_bytes() == before


def test_value_read_as_a_comment_warns_but_passes(tmp_path):
    providers(tmp_path, {"comment.yaml": profile_text("comment", "contact:\n  manager: #Jane Smith\n")})
    r = run_build("check", "providers", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    assert r.stdout.splitlines() == [
        "providers/comment.yaml:8: warning: contact.manager: is empty because YAML reads the text after '#' as a comment. "
        "Is this a comment? If '#Jane Smith' is the value, put the text in quotes: manager: \"#Jane Smith\""]
    assert r.stderr.strip() == "Checked 2 profiles: no problems and 1 warning."




@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "repo"
    (r / "providers").mkdir(parents=True)
    shutil.copy(FIXTURES / "profiles" / "example-full.yaml", r / "providers")  # maintainers: example-manager
    (r / "stewards.yaml").write_text("stewards:\n  - Council-Steward\n")
    _git(r, "init", "-q", "-b", "main")
    _git(r, "add", "-A")
    _git(r, "commit", "-qm", "base")
    return r


def ownership(repo):
    """Commit the working tree on a branch (check-ownership judges commits, never the working tree)."""
    _git(repo, "checkout", "-qB", "pr")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "change", "--allow-empty")
    return run_build("check-ownership", "--repo", str(repo), "--author", "example-manager", "--base", "main")


def test_ownership_reads_with_checks_rules(repo):
    p = repo / "providers" / "example-full.yaml"
    text = p.read_bytes()
    padded = codecs.BOM_UTF8 + text + b"#" * (MAX_BYTES - len(text) - 4) + b"\n"
    assert len(padded) == MAX_BYTES
    p.write_bytes(padded)  # a byte-order mark and padding to exactly the limit: check and check-ownership agree
    assert run_build("check", str(p)).returncode == 0
    r = ownership(repo)
    assert r.returncode == 0, r.stdout + r.stderr
    p.write_bytes(padded + b"\n")
    r = ownership(repo)
    assert r.returncode == 1 and r.stdout.splitlines() == [
        "providers/example-full.yaml:1: file: is larger than 256 KB (262,144 bytes); a profile should be a few KB; "
        "the change cannot be judged until then"]
    p.write_bytes(text.replace(b"Example Full House", b"Caf\xe9 House"))
    r = ownership(repo)
    assert r.returncode == 1 and r.stdout.splitlines() == [
        "providers/example-full.yaml:6:10: file: is not UTF-8 text: byte 190 (0xE9, which Windows writes for é) cannot be read; save the file as UTF-8; "
        "the change cannot be judged until then"]
    p.unlink()
    os.symlink("/dev/zero", p)
    r = ownership(repo)
    assert_no_traceback(r)
    assert r.returncode == 1 and r.stdout.splitlines() == [  # a committed link is never followed
        "providers/example-full.yaml: is a symbolic link or a submodule, not an ordinary file, so the change "
        "cannot be judged; ask the council to review it"]


def test_merge_reads_what_it_writes_with_the_one_reader(tmp_path):
    out = tmp_path / "pkg" / "data"
    assert run_build("data", "--providers", str(FIXTURES / "profiles"), "--out", str(out)).returncode == 0
    csv_path = out / "care-homes.csv"
    csv_path.write_text(csv_path.read_text(encoding="utf-8").replace("Example Minimal", "Example\u200bMinimal"), encoding="utf-8")
    desc = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    for res in desc["resources"]:  # as if published so: merge refuses a file that does not match its hash
        res.pop("hash", None)
        res.pop("bytes", None)
    (out / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    r = run_build("merge", str(out / "datapackage.json"), "--out", str(tmp_path / "region"))
    assert_no_traceback(r)
    assert r.returncode == 1
    assert "name: contains the invisible character U+200B ZERO WIDTH SPACE; retype the text without it" in r.stderr
    assert not (tmp_path / "region").exists()


def test_reads_are_bounded_and_only_regular_files(tmp_path):
    from carehomes.load import load_profile, read_profile_bytes

    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(64 * 1024 * 1024)  # 64 MB of zero bytes (sparse): only the limit + 1 is read
    raw, found = read_profile_bytes(big, "big.yaml")
    assert found == [] and raw is not None and len(raw) == MAX_BYTES + 1
    assert [str(p) for p in load_profile(big, tmp_path)[1]] == [
        "big.yaml:1: file: is larger than 256 KB (262,144 bytes); a profile should be a few KB"]
    os.mkfifo(tmp_path / "pipe.yaml")  # nobody writes to it: reading it would wait for ever
    assert [str(p) for p in load_profile(tmp_path / "pipe.yaml", tmp_path)[1]] == [
        "pipe.yaml:1: file: is not a regular file (a device, pipe or folder); a profile must be a text file"]


@pytest.mark.parametrize("snippet", [
    "name:\t# c\n", "name: x\t# c\n", "name: x\tb\n", "name: [x,\ty]\n", "acute_trusts:\n- x\t\n", "name: 'x'\t\n",
    "name: \"x\ty\"\n", "description: |\n  x\ty\n", "name: x\n  \tcont\n", "name: {b:\t1}\n", "name: x\n\n\t\nb: 1\n",
    "name: 1\t\n", "name: x  # c\tc\n", "name: 'x\n\ty'\n", "name: it's\tx\n", "name:\tx\n", "name: x\n\tslug: y\n",
])
def test_what_the_loader_accepts_ruamel_can_edit(snippet):
    """One rule: fmt and vacancies (ruamel.yaml) never fail on a file check accepts."""
    from carehomes.editing import format_text
    from carehomes.load import parse_profile

    profile, found = parse_profile(snippet, "p.yaml")
    if profile is not None:
        format_text(snippet)  # raises ProblemsFound if ruamel.yaml cannot read it
    else:
        assert found and all("tab" in p.message for p in found)


@pytest.mark.parametrize("raw, expected", [
    # a Word or Notepad (ANSI) curly quote: the character is named, so a person can find it on the line
    (b"name: x\ndescription: The \x93best\x94 home\n",
     "p.yaml:2:18: file: is not UTF-8 text: byte 25 (0x93, which Windows writes for \u201c) cannot be read; save the file as UTF-8"),
    (b"name: \x81\n", "p.yaml:1:7: file: is not UTF-8 text: byte 6 (0x81) cannot be read; save the file as UTF-8"),
    # a character that cannot be seen is named in words
    (b"name: a\xa0b\n", "p.yaml:1:8: file: is not UTF-8 text: byte 7 (0xA0, which Windows writes for a no-break space) "
                         "cannot be read; save the file as UTF-8"),
    (b"name: a\xadb\n", "p.yaml:1:8: file: is not UTF-8 text: byte 7 (0xAD, which Windows writes for a soft hyphen) "
                         "cannot be read; save the file as UTF-8"),
])
def test_a_byte_that_is_not_utf8_is_named_as_windows_writes_it(raw, expected):
    assert [str(p) for p in decode_profile(raw, "p.yaml")[1]] == [expected]


def test_a_profile_named_twice_is_read_once_not_a_clash_with_itself(tmp_path):
    """providers and providers/aston-house.yaml (or providers and ./providers/) gave 'location_id: ... is also used by
    providers/aston-house.yaml; each home has one profile, so merge the two', of the file and itself, and data refused
    to publish (the hostile review): a file given twice, by any path, is read once."""
    prov = tmp_path / "providers"
    prov.mkdir()
    shutil.copy(ROOT / "providers" / "aston-house.yaml", prov)
    shutil.copy(ROOT / "providers" / "ashfield-house-leominister.yaml", prov)
    (tmp_path / "linked.yaml").symlink_to(prov / "aston-house.yaml")
    r = run_build("check", str(prov), str(prov / "aston-house.yaml"), f"{tmp_path}/./providers/", str(tmp_path / "linked.yaml"))
    assert (r.returncode, r.stderr.strip()) == (0, "Checked 2 profiles: no problems."), r.stdout + r.stderr
    r = run_build("data", "--providers", str(prov), f"{prov}/", "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr


def test_a_number_yaml_misreads_is_said_with_every_other_problem_of_the_file(tmp_path):
    """1_000 (or 010, 1:00, 0x10) stopped the file's reading, so check said only that, then the javascript: link and the
    30th of February once it was fixed, one run at a time (the hostile review): every problem at once, in line order,
    the misread number's field not reported twice. An alias still stops the reading there (nothing else is read)."""
    head = (ROOT / "providers" / "aston-house.yaml").read_text().split("beds:")[0]
    f = tmp_path / "providers" / "aston-house.yaml"
    f.parent.mkdir()
    f.write_text(head.replace("https://", "javascript://", 1) if "https://" in head else head + "contact:\n  website: javascript:alert(1)\n")
    f.write_text(f.read_text() + "beds:\n  registered: 1_000\ncqc:\n  registered_since: 2026-02-30\n")
    r = run_build("check", str(f))
    lines = r.stdout.splitlines()
    assert r.returncode == 1 and len(lines) == 3, r.stdout
    assert "website: links must start with https:// or http://" in lines[0]
    assert "beds.registered: '1_000' is written in a form YAML reads as another number" in lines[1]
    assert "cqc.registered_since: '2026-02-30' is not a real date" in lines[2]
    assert r.stderr.startswith("3 problems in 1 file")
    before = f.read_text()
    assert run_build("fmt", str(f)).returncode != 0 and f.read_text() == before  # never written back without it
    f.write_text(before.replace("registered: 1_000", "registered: &n 10\n  other: *n"))
    lines = run_build("check", str(f)).stdout.splitlines()
    assert len(lines) == 1 and "anchors and aliases" in lines[0]


def test_a_tab_is_said_with_every_other_problem_of_the_file(tmp_path):
    """A tab stopped the file's reading before YAML saw it, so check said only the tab, then a key twice and a misspelt
    status once it was gone, one run at a time (the provider review). The file is read for its other problems with each
    tab of an indentation as two spaces (as fmt indents): every problem at once, in line order; what that reading makes
    of the tab's own line is left to the tab's problem. A key twice stops the reading there, as it does without a tab."""
    f = tmp_path / "providers" / "aston-house.yaml"
    f.parent.mkdir()
    text = (ROOT / "providers" / "aston-house.yaml").read_text()
    f.write_text(text.replace("  town: Hereford\n", "\ttown: Hereford\n", 1).replace("  status: Registered\n", "  status: Registerd\n", 1))
    r = run_build("check", str(f))
    lines = r.stdout.splitlines()
    assert r.returncode == 1 and len(lines) == 2, r.stdout
    assert lines[0].endswith(":11:1: yaml: this line is indented with a tab; use spaces, not tabs")
    assert "cqc.status: 'Registerd' is not allowed; did you mean 'Registered'?" in lines[1]
    f.write_text(f.read_text().replace("cqc:\n", "contact:\n  phone: 01432 000000\n  phone: 01432 111111\ncqc:\n", 1))
    lines = run_build("check", str(f)).stdout.splitlines()
    assert len(lines) == 2 and "contact.phone: appears twice" in lines[1], lines
    f.write_text(text.replace("    dementia: false\n", "\tdementia: false\n", 1))  # a tab as wide as the lines around it
    lines = run_build("check", str(f)).stdout.splitlines()
    assert len(lines) == 1 and "indented with a tab" in lines[0], lines
    assert run_build("fmt", str(f)).returncode != 0 and "\t" in f.read_text()  # never written back


def test_a_small_decimals_zeros_are_no_length_of_the_number():
    """0.00012055059424835052 (a longitude Python writes so) was refused as "a number 21 digits long": a property test
    found it in a fresh clone's run. Its digits are counted from the first that is not 0; a number that long is still
    refused."""
    from carehomes.load import parse_profile

    head = "location_id: 1-000000301\nname: x\nlocality: y\naddress:\n"
    _, found = parse_profile(head + "  longitude: 0.00012055059424835052\n  latitude: -0.000000000000000000001\n", "t.yaml")
    assert found == []
    _, found = parse_profile(head + "  latitude: 52.000000000000000000001\n", "t.yaml")
    assert [str(p) for p in found] == ["t.yaml:5: address.latitude: is a number 23 digits long; no field takes a number "
                                       "that large, so write the real figure"]
