"""Documentation is checked like code: the README and docs/ name only commands, options, modules and
files that exist, their links resolve, and the command reference is the generated one."""
from __future__ import annotations

import argparse
import importlib
import os
import re

import pytest
import yaml
from conftest import ROOT

from carehomes.cli import parser
from carehomes.docs import COMMANDS_PATH, commands_text

DOCS = ["README.md", "CONTRIBUTING.md", "SECURITY.md"] + sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md"))
OTHER_TOOLS_OPTIONS = {"--keep", "--search-only", "--detail", "--ignore-scripts", "--runs", "--homes", "--record",  # bench/national.py's, npm's
                       "--each",  # bench/positions.py's
                       "--dist", "--durations", "--pdb", "--count-builds"}  # pytest's, pytest-xdist's and tests/conftest.py's
FILE_SUFFIXES = ("json", "yml", "yaml", "py", "md", "js", "css", "html", "csv", "xml", "db", "xlsx", "txt", "atom", "geojson", "png")


def _commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _options(command: argparse.ArgumentParser) -> set[str]:
    return {o for a in command._actions for o in a.option_strings}


def _read(name: str) -> str:
    path = ROOT / name
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _python_files_outside_the_package() -> set[str]:
    """The names of the repository's other Python files (build.py, bench/, tests/, tools/)."""
    names = set()
    for _folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if not d.startswith(".") and d not in ("carehomes", "site", "node_modules")]
        names.update(f for f in files if f.endswith(".py"))
    return names


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_readme_is_short_and_keeps_the_two_commands():
    readme = _read("README.md")
    assert len(readme.encode("utf-8")) < 8192, "README.md must stay under 8 KB: move reference text into docs/"
    blocks = re.findall(r"^```\n(.*?)\n```$", readme, flags=re.M | re.S)
    assert blocks[:2] == ["python3 build.py serve", "python3 build.py test"]  # .ci/run runs exactly these


def test_command_reference_is_the_generated_one():
    assert _read(COMMANDS_PATH) == commands_text(parser()), f"{COMMANDS_PATH} is out of date; run: python3 build.py docs"


def test_command_reference_has_every_command_and_option():
    text = commands_text(parser())
    sections = dict(re.findall(r"^## ([a-z][a-z-]*)\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S))
    commands = _commands()
    assert set(sections) == set(commands)
    for name, command in commands.items():
        for action in command._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            shown = action.option_strings[0] if action.option_strings else action.metavar or action.dest
            assert f"| `{shown}" in sections[name], f"docs/commands.md: `{name}` lacks {shown}"
            assert " ".join((action.help or "").replace("%%", "%").split()) in sections[name]
    assert "| `--max-removals N` | refuse to flag more than N homes as gone (default 5) ... | `5` |" in sections["import-cqc"]
    assert "| `--providers PROVIDERS [PROVIDERS ...]`" not in text  # nargs shows once, as the metavar
    assert str(ROOT) not in text, "defaults are written relative to the repository, the same on every computer"


def test_command_reference_writes_paths_relative_and_switches_without_default():
    p = argparse.ArgumentParser(prog="build.py", description="Tool.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    c = sub.add_parser("make", help="make the thing")
    c.add_argument("--out", default=str(ROOT / "site" / "data"), help="where")
    c.add_argument("--fast", action="store_true", help="quick")
    c.add_argument("--level", choices=["a", "b"], default="a", help="how much | how far")
    c.add_argument("--by", required=True, metavar="USER", help="who")
    text = commands_text(p)
    assert "| [`make`](#make) | make the thing |" in text
    assert "python3 build.py make [-h] [--out OUT] [--fast] [--level {a,b}] --by USER" in text
    assert "| `--out OUT` | where | `site/data` |" in text
    assert "| `--fast` | quick |  |" in text
    assert "| `--level {a,b}` | how much \\| how far | `a` |" in text
    assert "| `--by USER` | who | required |" in text


def test_docs_command_reports_a_stale_reference(tmp_path, monkeypatch, capsys):
    from carehomes import cli

    monkeypatch.setattr(cli, "ROOT", tmp_path)  # every generated file is missing there, so all are stale
    assert cli.main(["docs", "--check"]) == 1
    err = capsys.readouterr().err
    assert "docs/commands.md is out of date with the commands in carehomes/cli.py; run: python3 build.py docs\n" in err
    assert "providers/_template.yaml is out of date with schema/datapackage.json; run: python3 build.py docs\n" in err
    # the issue forms are made from mkdocs.yml's settings too (the claim forms' links), so a change there is named
    assert (".github/ISSUE_TEMPLATE/claim-home.yml is out of date with schema/datapackage.json and mkdocs.yml; "
            "run: python3 build.py docs\n") in err
    assert not (tmp_path / "docs").exists()


def test_every_command_named_in_the_docs_exists():
    commands = _commands()
    for name in DOCS:
        for cmd in re.findall(r"python3? build\.py ([a-z][a-z-]*)", _read(name)):
            assert cmd in commands, f"{name} names `build.py {cmd}`, which is not a command"


def test_every_option_named_in_the_docs_exists():
    commands = _commands()
    everywhere = set().union(*map(_options, commands.values())) | OTHER_TOOLS_OPTIONS
    for name in DOCS:
        text = _read(name)
        for cmd, rest in re.findall(r"build\.py ([a-z][a-z-]*)([^`\n]*)", text):
            for option in re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest):
                assert cmd not in commands or option in _options(commands[cmd]), \
                    f"{name} names `build.py {cmd} {option}`, which is not an option of {cmd}"
        for option in re.findall(r"`(--[a-z][a-z-]*)", text):
            assert option in everywhere, f"{name} names `{option}`, which no command has"


def test_every_module_named_in_the_docs_exists():
    package = ROOT / "carehomes"
    modules = {p.relative_to(package).with_suffix("").as_posix().replace("/", ".") for p in package.rglob("*.py")}
    modules = {m.removesuffix(".__init__") for m in modules}
    for name in DOCS:
        text = _read(name)
        for prefix, path in re.findall(r"`(carehomes/)?((?:sources/|outputs/)?[a-z_]+)\.py`", text):
            if not prefix and "/" not in path and f"{path}.py" in _python_files_outside_the_package():
                continue  # build.py, bench/national.py
            assert path.replace("/", ".") in modules, f"{name} names {path}.py, which is not a module of carehomes/"
        for dotted in re.findall(r"`(?:carehomes\.)?([a-z_]+(?:\.[A-Za-z_]+)+)(?:\(\w*\))?`", text):
            parts = dotted.split(".")
            if parts[0] not in modules or parts[-1] in FILE_SUFFIXES:
                continue  # not ours (`food_hygiene.fhrs_id`, `stewards.yaml`)
            depth = max(i for i in range(1, len(parts) + 1) if ".".join(parts[:i]) in modules)
            thing = importlib.import_module("carehomes." + ".".join(parts[:depth]))
            for attr in parts[depth:]:
                assert hasattr(thing, attr), f"{name} names {dotted}, which does not exist"
                thing = getattr(thing, attr)


def test_docs_name_only_files_that_exist():
    for name in DOCS:
        for path in re.findall(r"`((?:\.github|\.ci|schema|content|overrides|providers|tests|bench|docs|carehomes)/[\w./-]+)`", _read(name)):
            if "<" in path or "*" in path:
                continue
            assert (ROOT / path).exists(), f"{name} names {path}, which does not exist"


def test_links_between_the_docs_resolve():
    headings: dict[str, set[str]] = {}
    for name in DOCS:
        text = re.sub(r"^```.*?^```", "", _read(name), flags=re.M | re.S)
        headings[name] = {_slug(h) for h in re.findall(r"^#+ (.*)$", text, flags=re.M)}
    for name in DOCS:
        here = (ROOT / name).parent
        for target in re.findall(r"\]\(([^)\s]+)\)", _read(name)):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:, tel:
            path, _, anchor = target.partition("#")
            file = (here / path).resolve() if path else ROOT / name
            assert file.exists(), f"{name} links to {target}, which does not exist"
            if anchor:
                key = file.relative_to(ROOT).as_posix()
                assert anchor in headings.get(key, set()), f"{name} links to {target}: {key} has no heading #{anchor}"


def test_readme_links_to_the_docs():
    readme = _read("README.md")
    for page in ("docs/commands.md", "docs/architecture.md", "docs/data.md", "docs/stewards.md"):
        assert f"]({page})" in readme, f"README's 'Where to go next' lacks {page}"


@pytest.mark.slow
def test_open_data_page_documents_what_consumers_can_reuse(built_site):
    """The consumer documentation moved from the README onto the site's open data page."""
    site, _ = built_site
    page = (site / "open-data" / "index.html").read_text(encoding="utf-8")
    assert 'href="../postcodes/areas.json"' in page and (site / "postcodes" / "areas.json").exists()
    named = re.search(r"<code>(postcodes/HR/HR[0-9]+-[0-9]\.json)</code>", page)  # a Herefordshire home's sector
    assert named is not None and (site / named[1]).is_file()
    assert "is one page holding every item" in page and "<code>queryable_api_url</code>" in page
    assert "it never means no or 0" in page
    # the table of files has a caption and names each row by its file (the accessibility review)
    assert "<caption>The files, with what each holds, its format and size</caption>" in page
    assert '<th scope="row"><a href="../data/care-homes.csv">care-homes.csv</a></th>' in page


def test_help_shows_the_long_description_in_paragraphs_without_backticks(monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    shown = _commands()["vacancies"].format_help()
    # paragraphs kept apart; within one, the help's own wrapping may break a line anywhere
    assert re.search(r"or\s+the\s+old\s+count\s+would\s+read\s+as\s+checked\s+today\.\n\nvacancies --from-csv FILE is the stewards'",
                     shown), shown
    assert "`" not in shown


def test_every_test_named_in_the_docs_exists():
    """SECURITY.md and the other pages name tests as the proof of a promise: each must be a test function or module."""
    names = set()
    for path in (ROOT / "tests").rglob("*.py"):
        names.add(path.stem)
        names.update(re.findall(r"^\s*(?:async )?def (test_\w+)", path.read_text(encoding="utf-8"), flags=re.M))
    for name in DOCS:
        for test in re.findall(r"`(test_\w+)(?:\[[^\]`]*\])?`", _read(name)):
            assert test == "test_x" or test in names, f"{name} names {test}, which is no test in tests/"  # test_x: a pattern


def test_every_setting_named_in_the_docs_is_one_the_build_reads():
    """A setting the docs name (`extra.directory.X`, or a key under directory: in a settings example) that no command
    reads would do nothing in a council's mkdocs.yml: the build only warns of it (unknown_setting_warnings)."""
    from carehomes.siteconfig import DIRECTORY_KEYS

    for name in DOCS:
        text = _read(name)
        for key in re.findall(r"extra\.directory\.([a-z_]+)", text):
            assert key in DIRECTORY_KEYS, f"{name} names extra.directory.{key}, which is not a setting"
        for block in re.findall(r"^```ya?ml\n(.*?)^```", text, flags=re.M | re.S):
            directory = ((yaml.safe_load(block) or {}).get("extra") or {}).get("directory") or {}
            for key in directory:
                assert key in DIRECTORY_KEYS, f"{name}'s settings example sets directory: {key}, which is not a setting"


def test_the_area_settings_example_is_a_whole_one_to_copy():
    """docs/areas.md tells a council to write its area's mkdocs.yml "as above": the example held '...' where text was
    left out, so a copy published "Find a care home ... in Devon, ..." and stopped build at localities: {X: [..], ...}
    ("extra.directory.localities must map each locality ..."). It is Oldham's own settings, which build uses."""
    from carehomes.siteconfig import config_problems

    text = _read("docs/areas.md")
    example = next(yaml.safe_load(b) for b in re.findall(r"^```yaml\n(.*?)^```", text, flags=re.M | re.S)
                   if b.startswith("INHERIT:"))
    assert example == yaml.safe_load(_read("areas/oldham/mkdocs.yml"))
    assert config_problems(example) == []
    assert not re.search(r"\.\.\.(?!/)", yaml.safe_dump(example)), "no '...' left for a council to copy"


def test_every_schema_setting_named_in_the_docs_exists():
    """A path under the schema's x-directory that the docs name (`x-directory.find`, `x-directory.unknowns.notHeldBy`)
    is where a reader goes to change a wording: docs/face.md sent them to x-directory.values.find, which is not there."""
    import json

    directory = json.loads(_read("schema/datapackage.json"))["x-directory"]
    for name in DOCS:
        for dotted in re.findall(r"x-directory((?:\.[A-Za-z_]+)+)", _read(name)):
            node = directory
            for part in dotted.strip(".").split("."):
                assert isinstance(node, dict) and part in node, \
                    f"{name} names x-directory{dotted}, which schema/datapackage.json does not have"
                node = node[part]


def test_the_areas_guide_lists_every_command_that_takes_area():
    """docs/areas.md lists the commands that take --area NAME: a council choosing its area reads that list, not --help."""
    text = " ".join(_read("docs/areas.md").split())
    listed = re.search(r"on every command that reads the site's data: (.*?) \(the home a form names", text)
    assert listed, "docs/areas.md no longer lists the commands that take --area"
    taking = {name for name, command in _commands().items() if "--area" in _options(command)}
    assert set(re.findall(r"`([a-z][a-z-]*)`", listed[1])) == taking


def _required_packages() -> set[str]:
    """Each package requirements.txt pins, by its name there."""
    names = set()
    for line in _read("requirements.txt").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(re.split(r"[=<>!~\[ ;]", line, maxsplit=1)[0])
    return names


def _table_names(text: str) -> set[str]:
    """The packages a dependencies table's first column names (commas between; words in brackets left out)."""
    names = set()
    for row in re.findall(r"^\| ([^|]+) \|", text, flags=re.M):
        row = re.sub(r"\([^)]*\)", "", row).replace("npm:", "")
        names.update(n.strip().strip("`") for n in row.split(",") if n.strip() and n.strip() not in ("Package", "---"))
    return names


def test_every_dependency_is_said_why_and_no_other():
    """The design card: a dependency is added where a library does the job better, and the README says why. The table
    in docs/decisions/dependencies.md named pagefind months after it left requirements.txt, and eight packages
    requirements.txt pins not at all."""
    pinned = _required_packages()
    npm = set(yaml.safe_load(_read("tools/validators/package.json"))["dependencies"])
    table = _table_names(_read("docs/decisions/dependencies.md"))
    assert table == pinned | npm, (f"docs/decisions/dependencies.md: say why for {sorted((pinned | npm) - table)}; "
                                   f"no longer a dependency: {sorted(table - pinned - npm)}")
    readme = _read("README.md").split("## Dependencies", 1)[1].split("\n## ", 1)[0]
    missing = [n for n in sorted(pinned) if n not in readme]
    assert not missing, f"README.md's Dependencies names every package requirements.txt pins; it lacks {missing}"
