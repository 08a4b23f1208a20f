"""The national-scale shortcuts of issue 24 (check and data): each gives what the slow way gave; and the
profile reader's values and refusals pinned to PyYAML's, for any later shortcut in parsing."""
from __future__ import annotations

import contextlib
import html
import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from conftest import FIXTURES, ROOT, TODAY

from carehomes.load import _Loader, parse_profile
from carehomes.outputs import sqlite as sqlite_out
from carehomes.outputs.sqlite import _add_table, database
from carehomes.outputs.typed import Table
from carehomes.parallel import PARALLEL_FROM, Beside

TEXTS = [
    "name: Oak House\nbeds: 12\nrating: Good\n",
    "a: {b: [1, 2.5, yes, no, ~, null, 2020-01-02, 2026-02-30, '12', \"x\"]}\n1: one\n2020-01-01: day\n",
    "list:\n  - name: a\n    when: 2021-03-04 10:11:12\n  - [x, y]\n  - '12'\n  - 7\n=: odd key\n",  # tags: refused (HOSTILE)
    "empty:\nquoted_yes: 'yes'\nplain_yes: yes\nfloat: 1e3\nnan: .nan\nkey: ''\n",
]


def _pyyaml(text: str):
    """What PyYAML constructs, with each key the text written (the reader's one change: 'no:' is 'no', not False)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        _keys_as_written(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _keys_as_written(node: yaml.Node) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                key.tag = "tag:yaml.org,2002:str"
            _keys_as_written(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _keys_as_written(item)


@pytest.mark.parametrize("text", TEXTS)
def test_profiles_parse_to_exactly_what_pyyaml_constructs(text):
    profile, problems = parse_profile(text, "p.yaml")
    assert profile is not None, problems
    expected = _pyyaml(text)
    assert profile.data == expected or repr(profile.data) == repr(expected)  # nan != nan
    assert repr(profile.data) == repr(expected)  # the same types too: True not 1, dates not text


@pytest.mark.parametrize("text, message", [
    ("name: !foo x\n", "p.yaml:1:7: yaml: tags (such as '!foo') are not used in profiles: remove '!foo' and write the "
     "value as it is, in quotes if it starts with '!'"),
    ("? [a, b]\n: 1\n", "p.yaml:1:3: yaml: found unhashable key; compare this line with providers/_template.yaml"),
])
def test_what_pyyaml_refuses_is_still_refused_with_its_message(text, message):
    profile, problems = parse_profile(text, "p.yaml")
    assert profile is None and [str(p) for p in problems] == [message]


def _table() -> Table:
    fields = [{"name": "location_id", "type": "string", "constraints": {"unique": True}},
              {"name": "phone", "type": "string", "format": "phone"}, {"name": "beds", "type": "integer"},
              {"name": "fee", "type": "number"}, {"name": "nursing", "type": "boolean"},
              {"name": "inspected", "type": "date"}, {"name": "bands", "type": "list", "delimiter": ";"},
              {"name": "note", "type": "string"}]
    rows = [["1-1", "01234 567890", 12, 800.5, True, dt.date(2024, 5, 6), ["Dementia", "Older people"], "é ok"],
            ["1-2", None, None, None, False, None, [], None]]
    return Table("care-homes", "Care homes", "", fields, rows, ["location_id"], [])


def test_database_rows_are_what_sqlite_utils_insert_all_stored(tmp_path, monkeypatch):
    ours = tmp_path / "ours.db"
    ours.write_bytes(database([_table()], []))

    def insert_all(db, name, t):  # the way before: one dictionary a row, through sqlite-utils
        db.table(name).insert_all(({f["name"]: sqlite_out._value(f, v) for f, v in zip(t.fields, row, strict=True)}
                                   for row in t.rows), batch_size=500)

    monkeypatch.setattr(sqlite_out, "_insert_rows", insert_all)
    theirs = tmp_path / "theirs.db"
    theirs.write_bytes(database([_table()], []))
    dump = ["\n".join(sqlite3.connect(f).iterdump()) for f in (ours, theirs)]
    assert dump[0] == dump[1]
    row = sqlite3.connect(ours).execute("select * from care_homes order by location_id").fetchall()[0]
    assert row == ("1-1", "01234 567890", 12, 800.5, 1, "2024-05-06", '["Dementia", "Older people"]', "é ok")


def test_database_refuses_a_repeated_key_as_before(tmp_path):
    t = _table()
    t.rows[1][0] = "1-1"
    db = sqlite_utils.Database(tmp_path / "x.db")
    with pytest.raises(sqlite3.IntegrityError):
        _add_table(db, t)


def _pid(x: int) -> tuple[int, int]:
    return x * 2, os.getpid()


def _fails(x: int) -> None:
    raise ValueError(f"bad {x}")


def test_beside_runs_small_sets_here_and_large_ones_in_a_worker():
    with Beside(_pid, 4, items=3, workers=2) as here:
        assert here.result() == (8, os.getpid())
    with Beside(_pid, 5, items=PARALLEL_FROM, workers=2) as there:
        doubled, pid = there.result()
    assert doubled == 10 and pid != os.getpid()
    with Beside(_pid, 5, items=PARALLEL_FROM, workers=1) as one_core:
        assert one_core.result() == (10, os.getpid())


def test_beside_raises_the_workers_error_here():
    with Beside(_fails, 3, items=PARALLEL_FROM, workers=2) as job, pytest.raises(ValueError, match="bad 3"):
        job.result()


def test_profiles_yaml_loader_is_libyaml():
    assert issubclass(_Loader, yaml.CSafeLoader)


def test_the_changelog_entry_id_is_made_once_an_entry_not_once_a_change(monkeypatch):
    """An entry's id hashes every change's sentence: made once a change it was quadratic (a first release of 15,403
    homes took 40 s in the database alone). Each change's sentence is now worded twice at most (the row, the id)."""
    from carehomes import releases

    changes = [releases.Change("added", f"1-{i}", f"Home {i}") for i in range(300)]
    entries = [releases.Entry(dt.date(2026, 12, 1), "First", changes[:5]),
               releases.Entry(dt.date(2026, 12, 2), "Later", changes, since=dt.date(2026, 12, 1))]
    calls = 0
    sentence = releases.Change.sentence

    def counted(self):
        nonlocal calls
        calls += 1
        return sentence(self)

    monkeypatch.setattr(releases.Change, "sentence", counted)
    db = sqlite_utils.Database(memory=True)
    sqlite_out._changelog(db, entries)
    assert calls <= 2 * 305
    assert db["changes"].count == 305
    assert {r["id"] for r in db["changes"].rows} == {entries[0].id, entries[1].id}


ONE_PASS = [ROOT / "providers", FIXTURES / "profiles", FIXTURES / "hostile", FIXTURES / "agencies"]


@pytest.mark.slow  # an old way against a new one
def test_data_in_one_pass_is_the_same_bytes_as_in_two(monkeypatch):
    """check_paths(pieces=True) (the data command, the build) makes each profile's pieces of the open data in
    the worker that loads and checks it: every file the same bytes as data_files making them afresh, here
    and with worker processes (and the workbook and the ORUK tabular form beside)."""
    from carehomes import parallel
    from carehomes.pipeline import check_paths
    from carehomes.publish import data_files

    day, home = dt.date(2026, 11, 23), "https://example.org/"
    here = check_paths(ONE_PASS, on=TODAY, pieces=True)
    assert here.ok and here.pieces is not None and len(here.pieces) == len(here.profiles) > 90
    expected = data_files(here.profiles, released=day, homepage=home)
    assert data_files(here.profiles, released=day, homepage=home, made=here.pieces) == expected
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 10)
    there = check_paths(ONE_PASS, on=TODAY, keep_data=False, pieces=True, workers=2)
    assert set(there.profiles[0].data) == {"location_id", "slug", "address", "care"}  # the rest never came back
    got = data_files(there.profiles, released=day, homepage=home, made=there.pieces)
    assert list(got) == list(expected)
    for name, data in expected.items():
        assert got[name] == data, name


def test_one_pass_check_says_the_same_and_makes_no_pieces_when_a_profile_is_wrong(tmp_path):
    text = (FIXTURES / "profiles" / "example-full.yaml").read_text(encoding="utf-8")
    (tmp_path / "example-full.yaml").write_text(text.replace("slug: example-full", "slug: Example Full"), encoding="utf-8")
    (tmp_path / "example-minimal.yaml").write_text((FIXTURES / "profiles" / "example-minimal.yaml").read_text(encoding="utf-8"),
                                                    encoding="utf-8")
    from carehomes.pipeline import check_paths

    both = check_paths([tmp_path], on=TODAY)
    one = check_paths([tmp_path], on=TODAY, keep_data=False, pieces=True)
    assert not one.ok and one.problems == both.problems and one.pieces is None


def test_data_command_in_one_pass_publishes_all_or_nothing(tmp_path, capsys):
    from carehomes.cli import main

    prov, out = tmp_path / "p", tmp_path / "out"
    prov.mkdir()
    for name in ("example-full.yaml", "example-minimal.yaml"):
        (prov / name).write_text((FIXTURES / "profiles" / name).read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["data", "--providers", str(prov), "--out", str(out)]) == 0
    before = {f: f.read_bytes() for f in out.rglob("*") if f.is_file()}
    assert len(before) == 30 and b"example-minimal" in (out / "care-homes.csv").read_bytes()
    (prov / "example-minimal.yaml").write_text("name: [broken\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["data", "--providers", str(prov), "--out", str(out)]) == 1
    said = capsys.readouterr()
    assert "example-minimal.yaml:2:1: yaml: did not find expected" in said.out and f"1 problem: nothing was published; {out} is unchanged." in said.err
    assert {f: f.read_bytes() for f in out.rglob("*") if f.is_file()} == before


@pytest.mark.parametrize("parts", [("service", "1-000000101"), ("cost", "1-1", "nursing", "from"), ("term", "care_type", "Café é 😀"),
                                   ("organization", "cqc", None), (), (12, 3.5, "")])
def test_oruk_ids_are_the_uuid5_they_were(parts):
    import uuid

    from carehomes.outputs.oruk import NAMESPACE, uid

    assert uid(*parts) == str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def test_oruk_ids_are_the_uuid5_they_were_for_every_version_and_variant_digit():
    """uid sets the version and variant on the digest's hex digits: the same ids as uuid.uuid5 for 2,000 names,
    which reach every value of the digit whose top bits become the variant."""
    import hashlib
    import uuid

    from carehomes.outputs.oruk import NAMESPACE, uid

    seen = set()
    for n in range(2000):
        parts = ("attribute", f"home-{n}", "care_type", "é" * (n % 3))
        expected = str(uuid.uuid5(NAMESPACE, ":".join(parts)))
        assert uid(*parts) == expected
        seen.add(hashlib.sha1(NAMESPACE.bytes + ":".join(parts).encode("utf-8")).hexdigest()[16])  # the variant's digit
    assert len(seen) == 16


@pytest.mark.slow  # makes every home's page twice, an old way and a new, to compare them
def test_a_home_page_made_while_its_view_remembers_is_byte_for_byte_the_page_made_without():
    """render.home_page makes each page with the view remembering its field reads and derived values (face, kinds,
    kind_words, description_html...): every bundled and fixture home's page and home.json, open or closed, as
    worked out afresh at every read."""
    from conftest import FIXTURES as fixtures

    from carehomes.pipeline import check_paths, views_of
    from carehomes.render import SHELL_TITLE, _env, _home_parts, _shell_of, home_page
    from carehomes.schema import load_schema
    from carehomes.siteconfig import read_config, staleness
    from carehomes.views import HomeView

    cfg = read_config(ROOT / "mkdocs.yml")
    checked = check_paths([ROOT / "providers", fixtures / "profiles", fixtures / "hostile"], on=TODAY)
    views = views_of(checked.profiles, TODAY, load_schema(), cfg.edit_base, staleness(cfg.directory))
    views += [HomeView({**v.d, "cqc": {**(v.d.get("cqc") or {}), "status": "Deregistered"}}, v.today, v.s, v.repo_edit,
                       v.limits, v.checked_on) for v in views[:10]]  # closed: a page that leaves groups out
    tpl = _env().get_template("profile.html")
    shell = (f"<title>{SHELL_TITLE}</title><a href='/homes/_shell/'>", f"</main>{SHELL_TITLE}")
    assert any(v.closed for v in views) and len(views) > 80
    for v in views:
        body, summary = _home_parts(v, tpl, "care@example.org")
        head, tail = _shell_of(v, shell)
        assert home_page(v, tpl, shell, "care@example.org") == (head.decode() + body + tail.decode(), summary), v.slug
        assert v._memo is None  # forgotten after the page: the view is shared with every other output


@pytest.mark.slow  # writes the find page's index twice, an old way and a new, to compare them
def test_the_find_pages_index_written_while_the_views_remember_is_byte_for_byte_the_index_written_without(tmp_path):
    """The build writes search/ with every view remembering (pipeline._write_search_beside): the same files."""
    from helpers import bundled_views

    from carehomes.search import write_search
    from carehomes.views import remembering

    views = bundled_views()
    write_search(views, tmp_path / "plain")
    with remembering(views):
        write_search(views, tmp_path / "remembered")
    assert all(v._memo is None for v in views)
    files = {p.relative_to(tmp_path / "plain") for p in (tmp_path / "plain").rglob("*") if p.is_file()}
    assert len(files) > 50
    assert files == {p.relative_to(tmp_path / "remembered") for p in (tmp_path / "remembered").rglob("*") if p.is_file()}
    for f in files:
        assert (tmp_path / "plain" / f).read_bytes() == (tmp_path / "remembered" / f).read_bytes(), f


@pytest.mark.slow  # makes the content pages twice, an old way and a new, to compare them
def test_the_content_pages_made_while_the_views_remember_are_byte_for_byte_those_made_without(tmp_path):
    """prepare_pages makes the browse lists and the engine's Markdown pages (find, browse, market...) with every view
    remembering: the same lists and files."""
    from helpers import bundled_views

    from carehomes.publish import release_date
    from carehomes.render import _md_pages, browse_lists
    from carehomes.schema import load_schema
    from carehomes.siteconfig import read_config
    from carehomes.views import remembering

    views, schema, cfg, released = bundled_views(), load_schema(), read_config(ROOT / "mkdocs.yml"), release_date()
    made = {}
    for name in ("plain", "remembered"):
        with remembering(views) if name == "remembered" else contextlib.nullcontext():
            lists = browse_lists(views, schema)
            _md_pages(views, schema, cfg, tmp_path / name, {}, [], [], released, "mkdocs", lists)
        made[name] = ({k: [(p.key, p.title, [v.slug for v in p.homes]) for p in ps] for k, ps in lists.items()},
                      {p.relative_to(tmp_path / name): p.read_bytes() for p in (tmp_path / name).rglob("*") if p.is_file()})
    assert all(v._memo is None for v in views)
    assert len(made["plain"][1]) > 20 and made["plain"][0]["letters"]
    assert made["plain"] == made["remembered"]


def test_what_a_page_does_not_know_is_worded_as_before():
    """HomeView.unknowns counts which short names have every fact missing once a page (it compared each missing
    fact with every fact: 8% of a page's time): the same lines for every bundled and fixture home, some facts
    sharing a short name given and some not."""
    from helpers import bundled_views, unknowns_as_before

    from carehomes.views import HomeView

    views = bundled_views()
    views += [HomeView({**v.d, "contact": {"phone": "01432 123456"}}, v.today, v.s, v.repo_edit, v.limits, v.checked_on)
              for v in views[:5]]  # a phone but no email or website: one of three contact details given
    mixed = 0
    for v in views:
        groups = v.groups()
        assert v.unknowns(groups) == unknowns_as_before(v, groups), v.slug
        shorts: dict[str, set[bool]] = {}
        for f in (f for g in groups for f in g.facts if f.short):
            shorts.setdefault(f.short, set()).add(bool(f.missing))
        mixed += any(len(said) == 2 for said in shorts.values())
    assert mixed  # a short name both given and missing on one page: the case the count must get right


# --- profiles in plain block YAML, read without libyaml's nodes (carehomes/blockyaml.py) -------------------------

def _both_ways(text: str) -> tuple[object, object]:
    """parse_profile's answer (values with their types, key lines in order, problems) the quick way and the full way:
    bench/reader_check.py's comparison, which runs it by hand on the national set."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("reader_check", ROOT / "bench" / "reader_check.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.both_ways(text)


def _every_profile() -> list:
    return sorted(p for folder in (ROOT / "providers", FIXTURES) for p in folder.rglob("*.yaml"))


def test_every_profile_here_reads_the_same_both_ways():
    """Every profile in providers/ and the fixtures (profiles, hostile, agencies...), the templates included: the same
    values, types, key lines and problems; and nearly all of them take the quick way."""
    from carehomes.load import _BLOCK

    files = _every_profile()
    quick = 0
    for f in files:
        text = f.read_bytes().decode("utf-8", "replace").removeprefix("\ufeff")
        got, expected = _both_ways(text)
        assert got == expected, f
        quick += _BLOCK.read(text) is not None
    assert len(files) > 95 and quick > len(files) * 0.8


HOSTILE = [
    "a: &x 1\nb: *x\n", "a: &x\n  b: 1\nc: *x\n", "base: &b\n  x: 1\nother:\n  <<: *b\n  y: 2\n", "<<: {a: 1}\n",
    "a: !!str 12\n", "a: !!int '7'\n", "a: !foo x\n", "!!map\na: 1\n", "a: !!binary aGk=\n", "a: !!python/name:os.system\n",
    "a: 1\na: 2\n", "a:\n  b: 1\n  b: 2\n", "a: 1\nb:\n  - x: 1\n    x: 2\n",
    "n: 123456789012345678901\n", "n: 12345678901234567890\n", "n: 1.23456789012345678901e5\n", "n: 0x1F\n", "n: 010\n",
    "n: 1:00\n", "n: 1_000\n", "n: -0\n", "n: +12\n", "n: .inf\n", "n: -.INF\n", "n: .nan\n", "n: 1e3\n", "n: 1.0e+3\n",
    "d: 2021-03-04\n", "d: 2026-02-30\n", "d: 2021-03-04 10:11:12\n", "d: 2021-03-04T10:11:12.5+01:00\n", "d: 2021-3-4\n",
    "d: '2021-03-04'\n", "\ufeffname: x\n", "name: x\r\nbeds: 2\r\n", "name: x\rbeds: 2\n", "a:\r\n  - x\r\n  - y\r\n",
    "name:\tx\n", "\tname: x\n", "a:\n\t- x\n", "name: 'a\tb'\n", "name: x\t\n",
    "name: x # comment\n", "name: #comment\n", "name: '#x'\n", "name: a#b\n",
    "name: a: b\n", "name: a:\n", "name: http://x.org/a\n", "name: 'It''s'\n", 'name: "a \\"b\\""\n', "name: 'open\n",
    "yes: 1\n", "null: 1\n", "1: one\n", "2020-01-01: day\n", "=: odd\n", "? a\n: 1\n", "'a': 1\n", "a b: 1\n",
    "a:\n- x\n- y\nb: 1\n", "a:\n  - x\n   - y\n", "a:\n  - b: 1\n    c: 2\n  - d: 3\n", "a:\n  -   b: 1\n      c: 2\n",
    "a:\n  - - x\n", "a:\n  -\n    b: 1\n", "a:\n  b: 1\n c: 2\n", "a: 1\n  b: 2\n", "a: x\n  more text\n",
    "description: >\n  folded\n  text\n", "description: |\n  kept\n", "a: [1, 2]\n", "a: {b: 1}\n", "a: [\n",
    "---\na: 1\n", "a: 1\n...\n", "%YAML 1.1\n---\na: 1\n", "a: 1\n---\nb: 2\n", "", "# only a comment\n", "- a\n- b\n",
    "just text\n", "  a: 1\n  b: 2\n", "a:\n    b: 1\n", "a: x\x85y\n", "a: x\u2028y\n", "a: \x00\n", "a: x\x7f\n",
    "a: caf\xe9 \U0001f600\n", "a: x\xa0\n", "a: \xa0x\n", "a: 'x' y\n", "a: -\n", "a: - x\n", "a: -1\n", "a: ~\n",
    "a: Yes\nb: OFF\nc: y\nd: n\n", "a:\n", "a:\nb:\n  c:\n", "a:    x    \n", "a: x\n\n\n   \n# c\n  # c\nb: y\n",
    "a:\n" + "".join(" " * (2 * i) + f"k{i}:\n" for i in range(1, 14)),
    "a: " + "[" * 200 + "\n", "a: x" + "[" * 200 + "\n",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_yaml_reads_the_same_both_ways(text):
    got, expected = _both_ways(text)
    assert got == expected


@pytest.mark.slow  # an old way against a new one, on many mutated profiles
def test_mutated_profiles_read_the_same_both_ways():
    """Real profiles with characters YAML cares about put in, text cut out, lines repeated and re-indented (a fixed seed)."""
    import random

    rnd = random.Random(24)
    texts = [f.read_text(encoding="utf-8") for f in sorted((ROOT / "providers").glob("*.yaml"))[:40]]
    bits = [": ", ":", " #", "#", "- ", "-", "'", '"', "''", "\t", "\r", "\r\n", " ", "&a ", "*a", "!!str ", "[", "{", "]",
            "|", ">", "\\", "yes", "0x1F", "010", "1:00", "~", "<<: ", "2026-02-30", "\ufeff", "\x85", "é", "\x00", "\n",
            "\n  ", "\n- ", "---", "?", "1_000", ".inf", "12345678901234567890123", "-1", "a: b", "\xa0", "@", "`", "true:"]
    for _ in range(1500):
        text = rnd.choice(texts)
        for _ in range(rnd.randint(1, 3)):
            at, what = rnd.randint(0, len(text)), rnd.random()
            if what < 0.6:
                text = text[:at] + rnd.choice(bits) + text[at:]
            elif what < 0.75:
                text = text[:at] + text[at + rnd.randint(1, 4):]
            else:
                lines = text.split("\n")
                i = rnd.randrange(len(lines))
                if what < 0.9:
                    lines.insert(i, lines[rnd.randrange(len(lines))])
                else:
                    lines[i] = " " * rnd.randint(0, 6) + lines[i].lstrip(" ")
                text = "\n".join(lines)
        got, expected = _both_ways(text)
        assert got == expected, text


def test_capability_rows_of_a_home_without_capabilities_are_what_the_loop_made():
    """capability_rows' shortcut for a home with no capabilities group (most homes nationally) against the loop
    over every need and field it skips, for every profile here with its capabilities, without them, and with odd ones."""
    from carehomes.outputs.tables import capability_rows, cell
    from carehomes.schema import load_schema

    schema = load_schema()

    def loop(data):
        found = data.get("capabilities")
        caps = found if isinstance(found, dict) else {}
        rows = []
        for code in schema.capability_codes:
            item = caps.get(code)
            entry = item if isinstance(item, dict) else {}
            rows.append([cell(f, data.get("location_id")) if f.name == "location_id" else code if f.name == "capability"
                         else cell(f, entry.get(f.path.rsplit(".", 1)[1])) for f in schema.capability_fields])
        return rows

    checked = 0
    for f in _every_profile():
        profile, _ = parse_profile(f.read_text(encoding="utf-8", errors="replace"), f.name)
        if profile is None or not isinstance(profile.data, dict):
            continue
        for caps in (profile.data.get("capabilities"), None, {}, [], "x", {"dementia": None}):
            data = {**profile.data, "capabilities": caps}
            assert capability_rows(data, schema) == loop(data), f
            checked += 1
        assert capability_rows({"location_id": "=1+2"}, schema) == loop({"location_id": "=1+2"})
    assert checked > 500


def test_codepoint_lines_chosen_by_bisection_are_those_the_scan_chose():
    """postcodes._chosen against the scan of every line it replaces: sorted blocks (bisection), unsorted ones (the scan),
    starts of two lengths, a line matching two starts, repeated lines, starts before, after and between the lines."""
    import random

    from carehomes.sources.postcodes import _chosen, _line_starts

    rnd = random.Random(5)
    for _ in range(300):
        keys = {f"{rnd.choice(['B', 'HR', 'NP', 'AB'])}{rnd.randint(1, 25)}{rnd.randint(0, 9)}{rnd.choice('ABZ')}{rnd.choice('ABZ')}"
                for _ in range(rnd.randint(1, 40))}
        lines = [f'"{k[:-3]} {k[-3:]}",10,1,2'.encode() if rnd.random() < 0.5 else f'"{k}",10,1,2'.encode()
                 for k in keys for _ in range(rnd.randint(1, 2))]
        lines += [b'"ZZ1 1ZZ",10,1,2', b'"A",1', b"", b'"B1 1A",x']
        if rnd.random() < 0.7:
            lines.sort()
        else:
            rnd.shuffle(lines)
        wanted = set(rnd.sample(sorted(keys), k=min(len(keys), rnd.randint(0, 8)))) | {"B11AA", "ZZ11ZZ", "A"}
        starts = set().union(*(_line_starts(k) for k in wanted)) | {b'"B1 1A",'}
        sizes = sorted({len(s) for s in starts})
        assert _chosen(lines, starts, sizes) == [ln for n in sizes for ln in lines if ln[:n] in starts]


def test_typed_rows_of_a_home_without_capabilities_are_what_the_loop_made():
    """record_rows' shortcut for a record without a capabilities group against the loop over every need and field."""
    from carehomes.outputs.typed import record_rows, typed_value
    from carehomes.records import canonical, flatten
    from carehomes.schema import load_schema

    schema = load_schema()

    def loop(record):
        get = flatten(record).get
        return [[record.get("location_id") if f.name == "location_id" else code if f.name == "capability"
                 else typed_value(f, get(f"capabilities.{code}.{f.path.rsplit('.', 1)[1]}")) for f in schema.capability_fields]
                for code in schema.capability_codes]

    checked = 0
    for f in _every_profile():
        profile, _ = parse_profile(f.read_text(encoding="utf-8", errors="replace"), f.name)
        if profile is None or not isinstance(profile.data, dict):
            continue
        for caps in (profile.data.get("capabilities"), None, {}, [], ""):
            record = {**canonical(profile.data, schema), "capabilities": caps}
            rows = record_rows(record, schema)
            if "capabilities" in rows:
                assert rows["capabilities"] == loop(record), f
                checked += 1
    assert checked > 300


def _services_of(folders: list) -> list[dict]:
    from carehomes.pipeline import check_paths
    from carehomes.outputs.oruk import service
    from carehomes.records import canonical, flatten
    from carehomes.schema import load_schema

    schema = load_schema()
    checked = check_paths(folders, on=TODAY)
    out = []
    for p in sorted(checked.profiles, key=lambda p: str(p.data.get("location_id"))):
        record = canonical(p.data, schema)
        out.append(service(record, schema, is_canonical=True, flat=flatten(record)))
    return out


def test_the_oruk_tabular_form_from_each_homes_lines_is_the_same_bytes_as_from_the_services():
    """The ORUK tabular form is put together from each home's CSV lines, made in the worker beside its other
    pieces (oruk_tabular.service_lines) from its service object: the same files, byte for byte, as
    tabular_files made them from every service read back from its JSON, for every profile here and for
    services altered to reach each kind of cell (text needing an apostrophe, numbers, booleans, a shared
    organisation named differently, a term in no taxonomy, a repeated term with another taxonomy)."""
    import copy
    import json

    from carehomes.outputs.oruk_tabular import service_lines, tabular_files, tabular_files_joined

    day = dt.date(2026, 12, 4)
    services = _services_of(ONE_PASS)
    assert len(services) > 90
    odd = copy.deepcopy(services[:6])
    odd[0]["name"], odd[0]["description"], odd[0]["email"] = "=SUM(A1)", "'=quoted", "-"
    odd[1]["name"], odd[1]["description"], odd[1]["url"] = "'", "", "@x"
    odd[2]["organization"] = copy.deepcopy(odd[3].get("organization") or {"id": "org-1", "name": "Org"})
    odd[2]["organization"]["name"] = "+ a different name, seen first"
    for i, s in enumerate(odd):
        for attr in s.get("attributes", [])[:2]:
            term = attr.get("taxonomy_term")
            if term:
                term["taxonomy_id"] = None if i == 4 else f"other-{i}" if i == 5 else term.get("taxonomy_id")
        for c in s.get("cost_options", [])[:1]:
            c["amount"] = [1.0, 2.5, 7, True, "\t3"][i % 5]
    for group in (services, odd, services + odd):
        old = tabular_files([json.loads(json.dumps(s, ensure_ascii=False)) for s in group], day, "https://example.org/")
        assert tabular_files_joined([service_lines(s) for s in group], day, "https://example.org/") == old


def test_profiles_found_from_the_folders_listing_are_those_found_path_by_path(tmp_path):
    """find_profiles takes each entry's kind from the folder's listing (os.scandir) and sorts by name: the same
    files in the same order, and the same problems, as sorting the paths and asking each whether it is a folder."""
    from carehomes import load

    prov = tmp_path / "prov"
    prov.mkdir()
    for name in ("b.yaml", "a.yaml", "A.yaml", "é.yaml", "a-b.yaml", "a.yml", "c.YAML", "_template.yaml", ".hidden.yaml",
                 "notes.txt", "z.yaml"):
        (prov / name).write_text("name: x\n", encoding="utf-8")
    (prov / "folder.yaml").mkdir()
    (prov / "nested").mkdir()
    (prov / "nested" / "inner.yaml").write_text("name: x\n", encoding="utf-8")
    (prov / "empty").mkdir()
    (prov / "to-nested.yaml").symlink_to(prov / "nested")
    (prov / "dangling.yaml").symlink_to(prov / "nowhere")
    (prov / "link.yaml").symlink_to(prov / "a.yaml")

    def path_by_path(paths):  # the loop as it was, with Path.iterdir and Path.is_dir
        files, problems = [], []
        for p in paths:
            for f in sorted(f for f in p.iterdir() if not f.name.startswith(("_", "."))):
                if f.is_dir():
                    if f.name.endswith(load.PROFILE_SUFFIX) or load.LOOKALIKE.search(f.name):
                        problems.append(load._folder_not_profile(f))
                    elif load._holds_profiles(f):
                        problems.append(load._profiles_in_a_folder(f, p))
                elif f.name.endswith(load.PROFILE_SUFFIX):
                    files.append(f)
                elif load.LOOKALIKE.search(f.name):
                    problems.append(load._lookalike(f))
        return files, problems

    assert load.find_profiles([prov]) == path_by_path([prov])
    assert load.find_profiles([ROOT / "providers"]) == path_by_path([ROOT / "providers"])


def test_database_cells_converted_a_kind_of_column_at_a_time_are_what_value_made():
    """_cell's converters for yes/no, date and ID columns store what _value stored, field by field."""
    fields = [{"name": "nursing", "type": "boolean"}, {"name": "inspected", "type": "date"}, {"name": "provider_id", "type": "string"},
              {"name": "code", "type": "integer"}, {"name": "location_id", "type": "string"}, {"name": "flag_id", "type": "boolean"},
              {"name": "day_id", "type": "date"}]
    values = [None, True, False, 0, 1, dt.date(2024, 5, 6), "1-101", 12, 3.5, "", "é"]
    for f in fields:
        convert = sqlite_out._cell(f)
        for v in values:
            try:
                expected = sqlite_out._value(f, v)
            except (AttributeError, TypeError, ValueError) as exc:
                with pytest.raises(type(exc)):
                    convert(v)
                continue
            assert convert(v) == expected and type(convert(v)) is type(expected), (f, v)


def _form_url_as_before(repo, template, slug=None, name=None, schema=None):
    """forms.form_url as it was before 4 December 2026: the whole query urlencoded at every link."""
    from urllib.parse import quote, urlencode

    from carehomes.forms import HOME_ID, form_title

    params = {"template": template}
    if slug:
        params[HOME_ID] = slug
        params["title"] = form_title(template, schema) + (name or slug)
    return f"{repo.rstrip('/')}/issues/new?" + urlencode(params, quote_via=quote)


@pytest.mark.parametrize("name", [None, "", "Oak House", "St. Mary's & Joseph's (Care) Ltd", "Café Ñandú 100% / #1?",
                                  "a+b=c;d,e", "  spaced  ", "émoji 🏠", "new\nline"])
def test_form_links_are_what_urlencode_made(name):
    """forms.form_url quotes the link's fixed part once a build (_form_head): the same link for any name."""
    from carehomes.forms import CLAIM, DETAILS, VACANCIES, form_url, kind_forms
    from carehomes.schema import load_schema

    schema = load_schema()
    templates = [VACANCIES, DETAILS, CLAIM, *kind_forms(schema)]
    for repo in ("https://github.com/example-council/care-homes", "https://github.com/x/y/"):
        for template in templates:
            for slug in (None, "oak-house", "a-b-2"):
                assert form_url(repo, template, slug, name, schema) == _form_url_as_before(repo, template, slug, name, schema)


BROWSE_AS_BEFORE = """<p>{{ intro }}</p>
<nav aria-label="Browse homes"><p><a href="../../browse/">All the lists: A to Z, towns, needs and areas</a></p></nav>
{% if homes %}
<ul class="ch-list">
{% for h in homes %}<li><a href="../../homes/{{ h.slug }}/">{{ h.name }}</a> <span class="ch-note">{{ h.address_line }}{% if h.browse_cqc %}. {{ h.browse_cqc }}{% endif %}</span></li>
{% endfor %}</ul>
{% else %}<p>No homes.</p>{% endif %}
"""


def test_browse_pages_with_each_homes_line_made_once_are_byte_for_byte_as_before(tmp_path):
    """render_browse makes each home's line once (browse_item.html) and joins them: every list page of the bundled and
    fixture homes (hostile names and addresses among them), and an empty list, as browse.html made them home by home."""
    from helpers import bundled_views

    from carehomes.finding import ListPage
    from carehomes.render import _env, _fill, browse_lists, render_browse
    from carehomes.schema import load_schema

    views, schema = bundled_views(), load_schema()
    lists = browse_lists(views, schema)
    lists["empty"] = [ListPage("empty-list", "Homes nowhere", "Nowhere", [])]
    shell = ("<title>SHELLTITLE</title><a href='/homes/_shell/'>", "</main>")
    assert render_browse(views, tmp_path, shell, schema, lists) == sum(len(g) for g in lists.values()) > 20
    old = _env().from_string(BROWSE_AS_BEFORE)
    for group in lists.values():
        for page in group:
            n, url = len(page.homes), f"browse/{page.key}/"
            intro = f"{n} home{'s' * (n != 1)}, A to Z." + (f" {page.note}" if page.note else "")  # whose word, for a need
            before = (_fill(shell[0], page.title, url) + old.render(homes=page.homes, intro=intro)
                      + _fill(shell[1], page.title, url))
            assert (tmp_path / "browse" / page.key / "index.html").read_text(encoding="utf-8") == before, page.key


def test_browse_lines_and_pages_made_in_python_are_what_their_templates_make():
    """render.browse_item and browse_body make templates/browse_item.html and browse.html in plain Python: for every
    bundled and fixture home (hostile names and addresses among them), odd ratings and names, and lists of none,
    one and several homes, the same text as the templates through render._env()."""
    from helpers import bundled_views
    from markupsafe import Markup

    from carehomes.render import _env, browse_body, browse_item
    from carehomes.views import HomeView

    views = bundled_views()
    odd = [{"name": 'A & <B> "C"', "slug": "a-b-c"}, {"cqc": {"rating": "<i>Good</i> & 'fine'"}}, {"cqc": {"rating": ""}},
           {"cqc": {"rating": None}}, {"cqc": {"rating": 3}}, {"address": {"street": "1 <Road>", "town": "Ross & Wye"}}]
    views += [HomeView({**views[i].d, **o}, views[i].today, views[i].s) for i, o in enumerate(odd)]
    env = _env()
    item, page = env.get_template("browse_item.html"), env.get_template("browse.html")
    for v in views:
        assert browse_item(v) == item.render(h=v), v.slug
        assert browse_item(v, "Care home & <agency>") == item.render(h=v, kind="Care home & <agency>"), v.slug  # several kinds
    lines = [browse_item(v) for v in views]
    for some in ([], lines[:1], lines):
        for intro in ("1 home, A to Z.", "<b>2 homes</b> & more"):
            assert browse_body(intro, some) == page.render(items=[Markup(x) for x in some], intro=intro, many="homes")
            for many in ("services", "agencies", "<b>&"):
                assert browse_body(intro, some, many) == page.render(items=[Markup(x) for x in some], intro=intro, many=many)


def test_each_pages_count_keys_worked_out_once_a_set_of_faces_are_what_each_page_worked_out():
    """HomeView.own_known_values is made once for each set of faces (views._OWN_KNOWN): for every bundled and fixture
    home, of each kind and of several, the keys and values the page worked out afresh before 4 December 2026."""
    from helpers import bundled_views

    from carehomes import views as views_module

    from carehomes.views import HomeView

    views = bundled_views()
    for path in sorted((FIXTURES / "agencies").glob("*.yaml")):  # home care agencies, some also a care home
        profile, problems = parse_profile(path.read_text(encoding="utf-8"), path.name)
        assert profile is not None, problems
        views.append(HomeView(profile.data, TODAY, views[0].s))
    views_module._OWN_KNOWN.clear()
    assert len({tuple(f.kind for f in v.faces) for v in views}) > 1  # more than one set of faces
    for v in views:
        site = v.site_face.known_values()
        before: dict[str, str] = {}
        for face in reversed(v.faces):
            before.update({k: x for k, x in face.known_values().items() if k in site})
        assert v.own_known_values() == before and list(v.own_known_values()) == list(before), v.slug


def test_homes_by_rating_counted_in_one_pass_a_question_are_the_counts_of_one_pass_a_rating():
    """market.quality_rows counts each key question's ratings in one pass over the homes: the same rows as one
    pass a rating (before 4 December 2026), for the bundled homes and for odd values (none, a list, a number)."""
    from helpers import bundled_views

    from carehomes.market import QUESTIONS, VALUES, _not_known, quality_rows
    from carehomes.views import HomeView

    def as_before(views):  # and a column for CQC's "Not yet rated" (or another word for no rating) where a home has it
        ratings = list(VALUES.ratings[:4]) + [r for r in VALUES.ratings[4:] if any(v.get(f"cqc.{p}") == r for v in views for p, _ in QUESTIONS)]
        header = ["CQC rating", *ratings, _not_known().capitalize()]
        return header, [[label, *(f"{sum(1 for v in views if v.get(f'cqc.{path}') == r):,}" for r in ratings),
                         f"{sum(1 for v in views if v.get(f'cqc.{path}') not in ratings):,}"] for path, label in QUESTIONS]

    views = bundled_views()
    odd = [HomeView({**views[0].d, "cqc": {"rating": value, **{p: value for p, _ in QUESTIONS if "." not in p}}}, TODAY)
           for value in (None, ["Good"], 3, "good", "Requires improvement", "Inadequate", "Not yet rated")]
    for vs in (views, odd, views + odd, []):
        assert quality_rows(vs) == as_before(vs)
    assert any(n != "0" for row in quality_rows(views)[1] for n in row[1:-1])  # some homes rated


def test_a_homes_bands_from_the_schemas_band_fields_listed_once_are_as_before():
    """HomeView.bands reads the schema's CQC service user band fields listed once a schema (views._per_schema), not
    found among every field at every home: the same titles in the same order for every bundled and fixture home."""
    from helpers import bundled_views

    views = bundled_views()
    assert any(v.bands for v in views)
    for v in views:
        assert v.bands == [f.title for f in v.s.home_fields if f.path.startswith("care.user_bands.") and v.get(f.path)], v.slug


def test_a_shortcuts_empty_note_asks_only_until_a_home_has_told_us_and_says_what_the_counts_said():
    """render.empty_shortcut works out, for each key a page asks about, whether any home has given the fact, stopping
    at the first (it counted every key over every home: search.known_counts): the same note as from the counts, for
    every count key and one that is none, with homes that have told us, none that have, and no homes."""
    import html

    from markupsafe import Markup

    from helpers import bundled_views

    from carehomes.face import face_of
    from carehomes.render import empty_shortcut
    from carehomes.schema import load_schema
    from carehomes.search import known_counts
    from carehomes.views import HomeView

    schema = load_schema()
    views = bundled_views()
    bare = [HomeView({k: v.d[k] for k in ("slug", "name", "location_id", "locality")}, TODAY, schema) for v in views[:3]]
    keys = [*face_of(schema).known_values(), "no_such_key"]
    for homes in (views, bare, bare + views[-1:], []):
        known = known_counts([v for v in homes if not v.closed])
        questions = face_of(schema).for_script()["questions"]
        note = empty_shortcut(homes, schema)
        for key in keys:  # the note as it was made from the counts
            for href, label in (("find/", "all"), ("find/?a=1&b=<2>", "all <homes> & 'more'")):
                if known.get(key) != 0:
                    before = Markup("")
                else:
                    link = f'<a href="{html.escape(href, quote=True)}">{html.escape(label)}</a>'
                    text = html.escape(str(schema.values.find["shortcutEmpty"]).replace("{home}", "home").replace("{question}", questions.get(key, key)))
                    before = Markup('<span class="ch-shortcut-empty">' + text.replace("{link}", link) + "</span>")
                assert note(key, href, label) == before and type(note(key, href, label)) is Markup, key
    assert any(empty_shortcut(bare, schema)(key, "x", "y") for key in keys)  # a real note where no home has told us


@pytest.mark.parametrize("text", ["Ross-on-Wye", "Ross On Wye", "St. Mary's", "Café Ñandú", "", "  The  Oaks ", "12 Elm Rd"])
def test_names_and_towns_made_plain_once_are_what_making_them_plain_gives(text):
    """finding._plain remembers its answers (each name and town is made plain several times a build): the same."""
    from carehomes.finding import _plain

    assert _plain(text) == _plain.__wrapped__(text) == _plain(text)


def test_the_pages_leave_earlier_objects_to_the_collector_afterwards_and_a_callers_freeze_as_it_was():
    """prepare_pages and finish_pages freeze the objects made before them (the garbage collector's full passes skip them while the pages are
    made) and unfreezes them after, even when the block fails; a freeze made by the caller is neither doubled nor undone."""
    import gc

    from carehomes.render import _earlier_objects_left_alone

    assert gc.get_freeze_count() == 0
    with _earlier_objects_left_alone():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), _earlier_objects_left_alone():
        raise RuntimeError("a page failed")
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with _earlier_objects_left_alone():
            pass
        # the caller's freeze kept (not unfrozen: 0), nothing more frozen (more); a frozen object freed meanwhile
        # (the interpreter's own) lowers the count a little
        assert 0 < gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()


def _words_by_the_loop(text: str) -> list[str]:
    """search_index.words as it was: every text decomposed (NFKD) and its marks dropped, one character at a time."""
    import unicodedata

    from carehomes.search_index import APOSTROPHES, WORD

    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.category(c).startswith("M"))
    return WORD.findall(APOSTROPHES.sub("", plain.lower()))


@pytest.mark.parametrize("text", ["Ross-on-Wye", "St. Mary's", "St Mary\u2019s", "Café Ñandú", "", "  The  Oaks ", "12 Elm_Rd",
                                  "Bryn-y-Môr", "ﬁeld Ⅻ ½", "İstanbul", "Straße", "ÅNGSTRÖM", "a\u0301b", "\t~!@#$%^&*()_+`\x7f"])
def test_words_of_an_ascii_text_without_decomposing_it_are_the_words_decomposing_gives(text):
    """search_index.words takes a text of ASCII alone as it is (nothing to decompose, no mark to drop): the same words."""
    from carehomes.search_index import words

    assert words(text) == _words_by_the_loop(text)


def test_every_homes_words_filters_and_the_known_counts_made_the_quick_way_are_what_the_slow_way_made():
    """The find page's index (search.py, search_index.py), nationally with less CPU: each home's words (ASCII without
    NFKD), filters (values kept once by a dict; untold added at once) and the known counts (counted from untold) are
    what the loops made, with the views remembering and without; untold and yes_filters, read
    with each field's path split once; kind_paths once a set of kinds; the card's
    JSON by one encoder."""
    from helpers import bundled_views

    from carehomes.face import face_of
    import base64
    import json

    from carehomes.finding import search_words, town_of, towns
    from carehomes.search import known_counts
    from carehomes.search_index import _text, filters, home_words
    from carehomes.views import remembering

    def filters_by_the_loop(view, labels):
        out: dict[str, list[str]] = {}

        def add(name, value):
            text = _text(value)
            if text and text not in out.setdefault(name, []):
                out[name].append(text)
        if "locality" in view.d:
            add("locality", view.d["locality"])
        town = town_of(view, labels)
        if town:
            add("town", town)
        if view.district:
            add("district", view.district)
        for key in view.yes_filters:
            add(key, "yes")
        for key in view.untold:
            add("untold", key)
        for kind in ("nursing", "residential"):
            if view.free(kind):
                add("free", kind)
        for name in view.trust_names:
            add("trust", name)
        for s in view.site_face.sorts:
            if s.filter:
                add(s.filter, view.value(s.filter_value or ""))
        return {k: v for k, v in out.items() if v}

    def known_by_the_loop(views):
        known = dict.fromkeys(face_of(views[0].s).known_values(), 0)
        for v in views:
            for key, value in v.own_known_values().items():
                known[key] += v.value(value) is not None
        return dict(sorted(known.items()))

    views = bundled_views()
    labels = towns(views)
    assert any(v.untold for v in views) and len({len(v.untold) for v in views}) > 1
    for remember in (False, True):
        with remembering(views) if remember else contextlib.nullcontext(views):
            assert known_counts(views) == known_by_the_loop(views)
            assert any(v != 0 for v in known_counts(views).values())
            for v in views:
                assert v.untold == [key for key, value in v.own_known_values().items() if v.value(value) is None], v.slug
                assert v.yes_filters == _yes_by_the_loop(v), v.slug
                assert list(filters(v, labels).items()) == list(filters_by_the_loop(v, labels).items()), v.slug
                assert home_words(v, labels) == set(_words_by_the_loop(f"{v.name} {search_words(v, labels)}")), v.slug
                card = json.loads(base64.b64decode(v.card_meta()))
                assert v.card_meta() == base64.b64encode(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).decode("ascii")
                assert v.kind_paths == v._kind_paths(), v.slug  # once a set of kinds: what this home's kinds say
                if remember:
                    assert v.untold is v.untold  # made once a home while the views remember
        assert all(v._memo is None for v in views)


def _yes_by_the_loop(v) -> list[str]:
    """A page's yes filters, option by option: each of its kinds' faces answers each filter by the first of its options
    naming it that the page has answered (an agency's own answer, then CQC's registration); yes to either kind is yes."""
    yes = []
    for face in v.faces:
        answers: dict[str, object] = {}
        for o in face.options:
            if answers.get(o.filter) is None:
                answers[o.filter] = v.value(o.reads)
        yes += [key for key, answer in answers.items() if answer]
    yes += [o.filter for o in v.site_face.options if o.path.startswith("kind:") and v.value(o.reads)]
    return list(dict.fromkeys(yes))


def test_each_sorts_homes_placed_by_their_rank_are_the_order_sorting_by_rank_made():
    """search.homes_by_rank places each home at its rank, in one pass: the order the sort a key at a time made."""
    import random

    from carehomes.search import homes_by_rank

    rng = random.Random(24)
    slugs = [f"home-{i}" for i in range(300)]
    number = {s: i for i, s in enumerate(slugs)}
    ranks: dict[str, dict[str, int]] = {s: {} for s in slugs}
    for key in ("name", "free", "fee", "empty"):
        ranked = rng.sample(slugs, {"name": 300, "free": 120, "fee": 7, "empty": 0}[key])
        for i, s in enumerate(ranked):
            ranks[s][key] = i
    keys = sorted({key for r in ranks.values() for key in r})
    before = {key: [number[slug] for slug, _ in sorted(((s, r[key]) for s, r in ranks.items() if key in r), key=lambda x: x[1])]
              for key in keys}
    assert homes_by_rank(ranks, number) == before and sorted(before) == ["fee", "free", "name"]
    assert homes_by_rank({}, {}) == {}


def test_a_search_file_written_with_os_write_is_what_write_bytes_wrote(tmp_path):
    """search.put writes a new file with os.open/os.write and json.dumps' encoder made once: the bytes write_bytes wrote."""
    import json

    from carehomes.search import put

    for i, value in enumerate([[], {"a": [1, 2.5, None, True]}, {"title": "Café “Ñ” \u2028", "meta": "x" * 200_000}, "\x00"]):
        put(tmp_path / f"{i}.json", value)
        assert (tmp_path / f"{i}.json").read_bytes() == json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    (tmp_path / "old.json").write_bytes(b"x" * 1000)
    put(tmp_path / "old.json", [1])
    assert (tmp_path / "old.json").read_bytes() == b"[1]"  # a longer file left from before is cut to the new bytes


def test_the_homes_of_each_filter_value_and_word_gathered_in_one_pass_are_what_the_loop_gathered():
    """search.homes_by_value (no sort of each home's filters, no setdefault a value): the same homes under every filter's
    value and word, in the same order, as facet_index's loop gathered them (it sorts every key as it writes them)."""
    from helpers import bundled_views

    from carehomes.search import Listed, homes_by_value, word_shard

    listed = Listed(bundled_views())
    by_filter: dict[str, dict[str, list[int]]] = {}
    for i, own in enumerate(listed.filters):
        for name, values in sorted(own.items()):
            for value in values:
                by_filter.setdefault(name, {}).setdefault(value, []).append(i)
    by_word: dict[str, dict[str, list[int]]] = {}
    for i, found in enumerate(listed.words):
        for word in found:
            by_word.setdefault(word_shard(word), {}).setdefault(word, []).append(i)
    quick = homes_by_value(listed)
    assert quick == (by_filter, by_word) and len(by_word) > 20 and "untold" in by_filter
    assert all(homes == sorted(homes) for found in quick[1].values() for homes in found.values())


def test_whether_a_kind_covers_an_area_worked_out_once_a_kind_is_what_reading_its_fields_says():
    """HomeView.covers_an_area asks each kind once (views._covers_an_area), not its 80 fields a home: the same answer."""
    from carehomes.kinds import kinds
    from carehomes.views import _covers_an_area

    every = kinds()
    assert [_covers_an_area(k) for k in every] == [any(f.path == "coverage.districts" for f in k.fields) for k in every]
    assert any(_covers_an_area(k) for k in every) and not all(_covers_an_area(k) for k in every)
    assert [_covers_an_area(k) for k in every] == [_covers_an_area(k) for k in every]


def test_an_agencys_kind_paths_office_and_filters_worked_out_once_are_what_its_own_fields_say():
    """The shortcuts kept a set of kinds or faces at a time (kind_paths, office_only, untold, yes_filters) on home care
    agencies and on a service that is both kinds: what each view's own fields and faces say."""
    from carehomes.load import parse_profile
    from carehomes.schema import load_schema
    from carehomes.views import HomeView, remembering

    views = []
    for path in sorted((FIXTURES / "agencies").glob("*.yaml")):
        p, problems = parse_profile(path.read_text(encoding="utf-8"), path.name)
        assert p is not None, problems
        views.append(HomeView(p.data, TODAY, load_schema()))
    views.append(HomeView(dict(views[0].d, kinds=["care_home", "home_care_agency"]), TODAY, load_schema()))
    assert len(views) > 3 and any(v.kind_paths for v in views) and any(v.office_only for v in views)
    for remember in (False, True):
        with remembering(views) if remember else contextlib.nullcontext(views):
            for v in views:
                assert v.kind_paths == v._kind_paths(), v.slug
                assert v.covers_an_area is any(f.path == "coverage.districts" for k in v.kinds for f in k.fields), v.slug
                assert v.office_only is all(k.point for k in v.kinds), v.slug
                assert v.untold == [key for key, value in v.own_known_values().items() if v.value(value) is None], v.slug
                assert v.yes_filters == _yes_by_the_loop(v), v.slug


def test_write_new_gives_write_bytes_bytes_and_mode_and_finishes_short_writes(tmp_path, monkeypatch):
    """fsutil.write_new (pages, home.json, the find page's index, the ORUK API) writes what Path.write_bytes writes,
    with the same permissions, replacing a longer file whole; and when the system writes less than asked (a pipe,
    a full buffer) it carries on until every byte is there."""
    from pathlib import Path

    from carehomes.fsutil import write_new

    data = "Tŷ Gwyn care home — £1,050 a week\n".encode() * 500
    old = os.umask(0o022)
    try:
        Path(tmp_path / "a").write_bytes(data)
        (tmp_path / "b").write_bytes(b"x" * (len(data) * 2))  # longer: must be cut
        write_new(str(tmp_path / "b"), data)
        write_new(str(tmp_path / "c"), data)
    finally:
        os.umask(old)
    for name in "bc":
        assert (tmp_path / name).read_bytes() == data
        assert (tmp_path / name).stat().st_mode == (tmp_path / "a").stat().st_mode
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, view: real_write(fd, bytes(view[:7])))  # 7 bytes a call at most
    write_new(str(tmp_path / "d"), data)
    assert (tmp_path / "d").read_bytes() == data


def test_line_writer_writes_every_row_as_the_csv_module_does():
    """tables.line_writer joins a row of text cells needing no quoting itself and leaves every other row to the csv
    module: the same line, byte for byte, as csv_writer writes, for rows of text made of every character that
    matters (comma, quote, CR, LF, NUL, space, apostrophe, tab, non-ASCII), empty rows and cells, and cells that
    are not text (numbers, yes/no, None)."""
    import io
    import random

    from carehomes.outputs.tables import csv_writer, line_writer

    def by_csv(row):
        buf = io.StringIO()
        csv_writer(buf).writerow(row)
        return buf.getvalue()

    rng = random.Random(24)
    alphabet = [",", '"', "\r", "\n", "\0", " ", "'", "\t", "=", "a", "Z", "é", "’", "1", ";", ""]
    rows = [[], [""], ["", ""], [" "], [","], ['"'], ["a"], [None], [None, None], [1, 2.5, True, None, "x"], ["a", 3],
            ["1-101", "", "", "nursing"], ["a\r\nb", "c"], ["x\0y", "z"]]
    rows += [["".join(rng.choice(alphabet) for _ in range(rng.randrange(4))) for _ in range(rng.randrange(1, 6))]
             for _ in range(5000)]
    line = line_writer()
    for row in rows:
        assert line.writerow(row) == by_csv(row), row
        assert line.writerow(tuple(row)) == by_csv(row), row


def test_database_columns_left_as_they_are_store_what_converting_every_value_stored(tmp_path, monkeypatch):
    """_insert_rows converts only the columns whose converter changes one of their values (_changing): every other
    column (a number column's numbers, a yes/no column's True and False or 0 and 1, an ID column's text, an empty
    date or list column) is stored as it is. The database's rows are the same as converting every value, for
    columns holding each kind of value, alone and mixed."""
    import decimal

    fields = [{"name": "location_id", "type": "string"}, {"name": "nursing", "type": "boolean"},
              {"name": "inspected", "type": "date"}, {"name": "languages", "type": "list"}, {"name": "beds", "type": "integer"},
              {"name": "fee", "type": "number"}, {"name": "provider_id", "type": "integer"}, {"name": "name", "type": "string"}]
    columns = {  # values for each column: alone they may be left as they are; mixed with the others not
        "location_id": [["1-1", None], ["1-2", 7]], "nursing": [[True, False, None], [1, 0, None], [True, None, 2]],
        "inspected": [[None, None], [None, dt.date(2024, 5, 6)]], "languages": [[None], [["English", "Welsh"], None]],
        "beds": [[3, None, True], [3, decimal.Decimal("2.5")], [4, [1, 2]]], "fee": [[1.5, 700, None], [1.5, {"a": 1}]],
        "provider_id": [["1-9", None], [12, None]], "name": [["x", None, "é"]]}

    def rows_stored(rows, convert_all):
        if convert_all:
            monkeypatch.setattr(sqlite_out, "_changing", lambda cells, rows: cells)
        else:
            monkeypatch.undo()
        db = sqlite_utils.Database(tmp_path / f"{len(list(tmp_path.iterdir()))}.db")
        _add_table(db, Table("care-homes", "Homes", "", fields, rows, ["location_id"], []))
        return list(db.conn.execute("select * from care_homes")), [
            list(r) for r in db.conn.execute("select " + ", ".join(f"typeof([{f['name']}])" for f in fields) + " from care_homes")]

    for i, f in enumerate(fields):
        for values in columns[f["name"]]:
            rows = [[f"1-{n}", *([None] * (len(fields) - 1))] for n in range(len(values))]
            for row, v in zip(rows, values, strict=True):
                row[i] = v if i else row[i]
            assert rows_stored(rows, False) == rows_stored(rows, True), (f["name"], values)


def test_database_columns_empty_in_every_row_are_left_out_of_the_insert_and_the_file_is_the_same(tmp_path, monkeypatch):
    """_insert_rows leaves a column empty in every row out of its statement (nationally 58 of the care homes' 88):
    the database file is the same bytes as binding every value, with columns empty everywhere, empty in some rows,
    and every column empty; and a table with no rows is still made."""
    fields = [{"name": "location_id", "type": "string"}, {"name": "nursing", "type": "boolean"},
              {"name": "inspected", "type": "date"}, {"name": "languages", "type": "list"}, {"name": "beds", "type": "integer"},
              {"name": "fee", "type": "number"}, {"name": "name", "type": "string"}]
    tables = {
        "some empty everywhere": [["1-1", True, None, None, 3, None, "A"], ["1-2", None, None, None, None, None, "B"]],
        "each empty somewhere": [["1-1", None, dt.date(2024, 5, 6), ["English"], None, 1.5, None],
                                 [None, False, None, None, 2, None, "é"]],
        "all empty": [[None] * 7, [None] * 7],
        "no rows": []}

    def every_value_bound(db, name, t):
        cells = [(c, cell) for c, cell in enumerate(sqlite_out._cell(f) for f in t.fields) if cell is not None]
        rows = [[cell(v) if (cell := dict(cells).get(c)) else v for c, v in enumerate(row)] for row in t.rows]
        with db.conn:
            db.conn.executemany(f"INSERT INTO [{name}] VALUES ({', '.join('?' * len(t.fields))})", rows)

    for label, rows in tables.items():
        made = []
        for bind_all in (False, True):
            if bind_all:
                monkeypatch.setattr(sqlite_out, "_insert_rows", every_value_bound)
            path = tmp_path / f"{len(made)}-{label}.db"
            db = sqlite_utils.Database(path)
            _add_table(db, Table("care-homes", "Homes", "", fields, rows, [], []))
            db.vacuum()
            db.close()
            made.append(path.read_bytes())
            monkeypatch.undo()
        assert made[0] == made[1], label
        assert sqlite_utils.Database(tmp_path / f"0-{label}.db")["care_homes"].count == len(rows)


def test_the_service_package_joined_as_bytes_is_what_json_array_wrote():
    """oruk.service_package joins each service's UTF-8 JSON as bytes: the same file as json_array over the JSON
    texts, encoded once (as it was written before), with no services, one, and many with text beyond ASCII."""
    import json

    from carehomes.outputs.oruk import service_package
    from carehomes.outputs.tables import json_array

    services = [{"id": "a", "name": "Café Ñandú ’s"}, {"id": "b", "name": "Oak\nHouse", "n": [1, 2.5, None]}, {}]
    for group in ([], services[:1], services, services * 3):
        texts = [json.dumps(s, ensure_ascii=False) for s in group]
        assert service_package([t.encode("utf-8") for t in texts]) == (json_array(texts) + "\n").encode("utf-8")


def test_the_lines_kept_for_the_rules_across_files_are_those_of_their_top_level_keys():
    """checking.cross_file_lines keeps a key's line when its first part is one of CROSS_FILE_KEYS, as splitting
    every key did: for every profile here and for keys that only start like one (addresses, careful, slugs)."""
    from carehomes.checking import CROSS_FILE_KEYS, cross_file_lines
    from carehomes.load import find_profiles, load_profile

    files, _ = find_profiles(ONE_PASS)
    every = [p.lines for f in files if (p := load_profile(f)[0]) is not None]
    every.append({k: n for n, k in enumerate(["addresses", "address", "address.postcode", "careful", "care", "care.x.y",
                                              "slugs", "slug", "location_id", "location_ids.x", "", ".", "name", "x.care"])})
    assert len(every) > 90
    for lines in every:
        assert cross_file_lines(lines) == {k: n for k, n in lines.items() if k.split(".")[0] in CROSS_FILE_KEYS}


def test_a_cards_lines_and_links_in_one_pass_are_what_the_two_loops_made():
    """HomeView._card (card_meta's lines and links in one pass over the card's lines): the lines and links the two
    loops made, each home with and without remembering, and the card's JSON as before."""
    import base64
    import json
    from typing import Any

    from helpers import bundled_views

    def old_lines(v: Any) -> list[str]:
        out = []
        for spec in v.face.card:
            shown = v.shown(spec)
            text = spec.template.replace("{label}", spec.label).replace("{value}", shown.text) if shown else spec.unknown
            if text:
                out.append(text)
        return out

    def old_links(v: Any) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        lines = 0
        for spec in v.face.card:
            shown = v.shown(spec)
            text = spec.template.replace("{label}", spec.label).replace("{value}", shown.text) if shown else spec.unknown
            if not text:
                continue
            if shown and shown.href and (shown.link or shown.text) in text:
                out[str(lines)] = [shown.link or shown.text, shown.href]
            lines += 1
        return out

    views = bundled_views()
    for v in views:
        want = (old_lines(v), old_links(v))
        assert (v.card_lines(), v.card_links()) == want == v._card(), v.slug
        with v.remembering():
            assert (v.card_lines(), v.card_links()) == want == v._card(), v.slug
            card = json.loads(base64.b64decode(v.card_meta()))
            assert card["lines"] == want[0] and card.get("links", {}) == want[1], v.slug
    assert any(v.card_links() for v in views) and any(not v.card_links() for v in views)


def test_the_oruk_lists_made_with_each_service_item_once_are_what_making_each_again_gave():
    """oruk_api._responses makes each service's list item once for /services and /service_at_locations: the same
    items (and bytes) as _sal_item made afresh for every service at location."""
    from carehomes.outputs.oruk import service
    from carehomes.outputs.oruk_api import _json, _responses, _sal_item, page, service_list_item
    from carehomes.pipeline import check_paths

    services = [service(dict(p.data)) for p in check_paths([FIXTURES / "profiles", ROOT / "providers"], on=TODAY).profiles]
    got = dict((endpoint, items) for endpoint, items, _ in _responses(services))
    assert got["services"] == [service_list_item(s) for s in services]
    sal = [_sal_item(s, x) for s in services for x in s.get("service_at_locations", [])]
    assert got["service_at_locations"] == sal and len(sal) >= len(services) > 50
    assert _json(page(got["service_at_locations"])) == _json(page(sal))



def _market_as_before():
    """market's cell helpers as they were before 4 December 2026's round 2 (each reading a home's value two or three
    times), for the comparison below."""
    from carehomes.market import REGISTERED, _not_known

    def known_sum(vs, path):
        given = [v.get(path) for v in vs if v.get(path) is not None]
        return sum(given) if given or not vs else None  # no homes: 0 (the commissioner review)

    def given(vs, path):
        g = [v.get(path) for v in vs if v.get(path) is not None]
        return f"{sum(g):,} ({len(g)} home{'s' * (len(g) != 1)})" if g else _not_known()

    def count(vs, path, yes=True):
        n = sum(1 for v in vs if v.get(path) is not None and bool(v.get(path)) == yes)
        unknown = sum(1 for v in vs if v.get(path) is None)
        if vs and unknown == len(vs):  # none given: "not known", never a 0 (the rule since, not a reading of it)
            return _not_known()
        return f"{n:,}" + (f" ({unknown:,} {_not_known()})" if unknown else "")

    def total(vs, path):
        unknown = sum(1 for v in vs if v.get(path) is None)
        known = known_sum(vs, path)
        if known is None:
            return _not_known()
        return f"{known:,}" + (f" ({unknown:,} home{'s' * (unknown != 1)} {_not_known()})" if unknown else "")

    def homes_beds(vs, path):
        yes = [v for v in vs if v.get(path)]
        unknown = sum(1 for v in vs if v.get(path) is None)
        beds = known_sum(yes, REGISTERED)
        return (f"{len(yes):,} ({f'beds {_not_known()}' if beds is None and yes else f'{beds or 0:,} beds'})"  # 'beds not known' (carddir)
                + (f"; {unknown:,} {_not_known()}" if unknown else ""))

    def capabilities(views, names, areas):
        from carehomes.market import KIND, NeedCell
        cap = []
        for c in views[0].s.capabilities:
            row = {"label": c.label.split(" (")[0], "cells": [],
                   "told": sum(1 for v in views if v.get(f"capabilities.{c.code}.accepted") is not None)}
            for a in names:
                told = [v for v in areas[a] if v.get(f"capabilities.{c.code}.accepted") is not None]
                homes = [v for v in told if v.get(f"capabilities.{c.code}.accepted")]
                row["cells"].append(NeedCell(len(homes), len(told), tuple(known_sum(homes, f"capabilities.{c.code}.{n.needs_field}")
                                                                          for n in KIND.capacity if n.needs_field), not areas[a]))
            cap.append(row)
        return cap

    return known_sum, given, count, total, homes_beds, capabilities


def test_market_cells_reading_each_homes_value_once_are_what_reading_it_again_made():
    """The market page's cells (market._known_sum, _given, _count, _total, _homes_beds_of and the needs table's cells in
    overview) read each home's value once: for the bundled and fixture homes and homes with odd values (0, False, a
    float, a value for some homes only, none at all), every cell as the helpers that read it two or three times made."""
    from helpers import bundled_views

    from carehomes import market
    from carehomes.views import HomeView, remembering

    views = [v for v in bundled_views() if not v.closed]
    base = views[0]
    odd = [{"beds": {"registered": 0}, "care": {"nursing": False}}, {"beds": {"registered": 12}, "fees": {"council_rate_accepted": False}},
           {"fees": {"nursing_from": 900.5, "residential_to": 1200}}, {"fees": {"nursing_to": 1500, "residential_from": 700}},
           {"beds": None, "care": {"nursing": True, "user_bands": {"dementia": True}}}, {"capabilities": {"tracheostomy": {"accepted": False}}},
           {"capabilities": {"tracheostomy": {"accepted": True, "nursing_beds": 0}}}, {"beds": {"available": 3}}]
    views += [HomeView({**base.d, **o, "slug": f"odd-{i}", "locality": "Oddshire"}, base.today, base.s) for i, o in enumerate(odd)]
    known_sum, given, count, total, homes_beds, capabilities = _market_as_before()
    paths = ["beds.registered", "care.nursing", "care.residential", "fees.council_rate_accepted", "beds.available",
             "care.user_bands.dementia", "fees.nursing_from", "capabilities.tracheostomy.accepted", "no.such.field"]
    groups = [views, views[:1], views[-6:], views[-3:], views[-1:], []]
    with remembering(views):  # market._values reads each home's record, not its view's memory: the same values
        for path in paths:
            assert market._values(views, path) == [v.get(path) for v in views] == market._values(views, path), path
    for vs in groups:
        for path in paths:
            assert market._known_sum(vs, path) == known_sum(vs, path), path
            assert market._given(vs, path) == given(vs, path), path
            assert market._count(vs, path) == count(vs, path) and market._count(vs, path, False) == count(vs, path, False), path
            assert market._total(vs, path) == total(vs, path), path
            assert market._homes_beds_of(market._values(vs, path), market._values(vs, market.REGISTERED)) == homes_beds(vs, path), path
    o = market.overview(views, base.today)
    assert o["capabilities"] == capabilities(views, o["areas"], o["groups"])
    assert any(row["told"] for row in o["capabilities"]) and len(o["areas"]) > 1
    names, groups = o["areas"], o["groups"]

    def with_total(names, groups):  # each area's homes, then a 'Total' row of them all
        return [*((n, groups[n]) for n in names), ("Total", [v for n in names for v in groups[n]])]

    for some in (names, names[:1], names[-2:], []):  # the tables' rows from each area's values read once, and the total's
        rows = []
        for a, vs in with_total(some, groups):  # kind_rows and fee_rows as they were
            rows.append([html.escape(a), f"{len(vs):,}", total(vs, market.REGISTERED), homes_beds(vs, str(market.NURSING.flag)),
                         homes_beds(vs, str(market.RESIDENTIAL.flag)), *(homes_beds(vs, f"care.user_bands.{b}") for b in market.BANDS),
                         count(vs, "fees.council_rate_accepted")])
        assert market.kind_rows(some, groups)[1] == rows
        fees = []
        for a, vs in with_total(some, groups):
            cells = [html.escape(a)]
            for kind in (market.NURSING.key, market.RESIDENTIAL.key):
                lo = [v.get(f"fees.{kind}_from") for v in vs if v.get(f"fees.{kind}_from") is not None]
                hi = [v.get(f"fees.{kind}_to") for v in vs if v.get(f"fees.{kind}_to") is not None]
                cells.append("no homes" if not vs else market._not_known() if not lo and not hi else
                             f"£{min(lo or hi):,.0f} to £{max(hi or lo):,.0f} ({len(lo or hi)} of {len(vs)} homes)")
            fees.append(cells)
        assert market.fee_rows(some, groups)[1] == fees


def test_content_pages_and_lists_from_the_homes_listed_once_are_what_each_worked_out_for_itself(tmp_path):
    """prepare_pages works out the homes on the register, their A to Z order and their towns once (finding.listed) for
    the browse lists and the Markdown pages: the same lists and files as each working them out itself, and the find
    page's example as search_example made it alone."""
    from helpers import bundled_views

    from carehomes.finding import listed, search_example
    from carehomes.publish import release_date
    from carehomes.render import _md_pages, browse_lists
    from carehomes.schema import load_schema
    from carehomes.siteconfig import read_config

    from carehomes.views import HomeView

    views, schema, cfg, released = bundled_views(), load_schema(), read_config(ROOT / "mkdocs.yml"), release_date()
    views = sorted(views, key=lambda v: v.slug) + [  # the build's order (by slug), and homes off the register
        HomeView({**v.d, "slug": f"zz-closed-{i}", "cqc": {**(v.d.get("cqc") or {}), "status": "Deregistered"}}, v.today, v.s)
        for i, v in enumerate(views[:5])]
    assert any(v.closed for v in views)
    known = listed(views)
    made = {}
    for name, k in (("alone", None), ("shared", known)):
        lists = browse_lists(views, schema, k)
        _md_pages(views, schema, cfg, tmp_path / name, {}, [], [], released, "mkdocs", lists, k)
        made[name] = ({g: [(p.key, p.title, p.label, [v.slug for v in p.homes]) for p in ps] for g, ps in lists.items()},
                      {p.relative_to(tmp_path / name): p.read_bytes() for p in (tmp_path / name).rglob("*") if p.is_file()})
    assert made["alone"] == made["shared"] and len(made["alone"][1]) > 20 and made["alone"][0]["areas"]
    assert search_example(known.homes, known) == search_example(known.homes)
    assert search_example([], listed([])) == search_example([]) == ("", "")


def test_profiles_read_the_quick_way_share_one_copy_of_each_key_and_path():
    """blockyaml keeps one copy of each key and dotted path, so that pickle writes each once a chunk of results: two
    profiles' keys (and their lines' keys) are the same objects, the values equal to reading each alone; past the
    limit of remembered keys and paths a profile is still read the same (its own copies)."""
    import pickle

    from carehomes import blockyaml
    from carehomes.load import _BLOCK, _Loader

    text = (ROOT / "providers").glob("*.yaml").__next__().read_text(encoding="utf-8")
    first, again = _BLOCK.read(text), _BLOCK.read(text)
    assert first is not None and again is not None and first == again
    assert all(a is b for a, b in zip(first[1], again[1], strict=True))  # the lines' dotted paths
    assert all(a is b for a, b in zip(first[0], again[0], strict=True))  # the top-level keys
    apart = pickle.loads(pickle.dumps(first))  # the same, with keys of its own
    assert len(pickle.dumps([first, again])) < len(pickle.dumps([first, apart])) - 500
    fresh = blockyaml.BlockReader(_Loader.yaml_constructors, _Loader.yaml_implicit_resolvers, 10, 20)
    full = "".join(f"k{i}:\n  - x{i}\n  - y: {i}\n" for i in range(blockyaml._REMEMBERED + 10))
    assert fresh.read(full) == _BLOCK.read(full) and fresh.read(text) == first
    assert len(fresh.keys) <= blockyaml._REMEMBERED and len(fresh.paths) <= blockyaml._REMEMBERED


def test_display_paths_worked_out_a_folder_at_a_time_are_what_display_path_gives(tmp_path, monkeypatch):
    """load.display_paths against display_path file by file: profiles here, in the working folder, above and beside
    it, relative paths, odd parts ('..', '.', the root) and several folders mixed, from several working folders."""
    from carehomes.load import display_path, display_paths, find_profiles

    here, _ = find_profiles([ROOT / "providers"])
    (tmp_path / "w" / "in").mkdir(parents=True)
    odd = [tmp_path / "w" / "a.yaml", tmp_path / "w" / "in" / "b.yaml", tmp_path / "c.yaml", tmp_path / "w" / ".." / "d.yaml",
           tmp_path / "w" / "." / "e.yaml", Path("/"), Path("/f.yaml"), tmp_path / "..", Path("g.yaml"), Path("in/h.yaml"),
           Path("../i.yaml"), Path(".."), *here[:5], tmp_path / "w" / "in" / "j.yaml"]
    for base in (ROOT, ROOT / "providers", tmp_path, tmp_path / "w", tmp_path / "w" / "in", Path("/")):
        for files in (here, odd, odd[::-1]):
            assert display_paths(files, base) == [display_path(f, base) for f in files], base
    monkeypatch.chdir(tmp_path / "w")
    assert display_paths(odd) == [display_path(f) for f in odd]
