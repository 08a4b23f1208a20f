"""Outside text in messages is quoted: it mentions nobody, links nowhere and starts no workflow command."""
from __future__ import annotations

import datetime as dt
import io
import shutil

import pytest

from conftest import FIXTURES, ROOT

from carehomes import cli, prbody
from carehomes.apply import Report
from carehomes.safetext import outside, plain
from carehomes.sources import cqc_files
from carehomes.stale import Freshness, StaleHome, markdown_report
from carehomes.updates import Result, vacancies_from_csv

HOSTILE = ["Home\n::error title=x::y", "::add-mask::secret", "'@x (@x <@x \"@x @org/team", "https://evil.example",
           "[x](https://evil) ![i](http://e/x.png) <https://e> www.evil.example", "#1 GH-2",
           "\x1b[31mred\x1b[0m", "abc\u202eevil", "##[error]x", "a|b *c* _d_ `e`"]


def test_outside_quotes_every_hostile_form_exactly():
    assert [outside(v) for v in HOSTILE] == [
        "Home ::error title=x::y",  # one line: a command needs its own line
        "\\::add-mask::secret",
        "'＠x \\(＠x &lt;＠x \"＠x ＠org/team",
        "https\\[:\\]//evil.example",
        "\\[x\\]\\(https\\[:\\]//evil\\) \\!\\[i\\]\\(http\\[:\\]//e/x.png\\) &lt;https\\[:\\]//e&gt; www\\[.\\]evil.example",
        "＃1 GH\u20112",
        "\\\\x1b\\[31mred\\\\x1b\\[0m",
        "abc\\\\u202eevil",
        "\\#\\#\\[error\\]x",
        "a\\|b \\*c\\* \\_d\\_ \\`e\\`",
    ]
    assert outside("x" * 400) == "x" * 297 + "..."
    assert outside("care@home.example") == "care＠home.example"  # no mailto link either


@pytest.mark.parametrize("typed, quoted", [
    ("_https://evil.example", "\\_https\\[:\\]//evil.example"),
    ("1https://evil.example", "1https\\[:\\]//evil.example"),
    ("_www.evil.example", "\\_www\\[.\\]evil.example"),
    ("*www.evil.example", "\\*www\\[.\\]evil.example"),
    ("~www.evil.example", "\\~www\\[.\\]evil.example"),
])
def test_outside_breaks_an_address_with_no_word_boundary_before_it(typed, quoted):
    """GitHub links 'https://' after a digit or '_' and 'www.' after '_', '*', '~' or '(': a website answer of
    '_https://evil.example' came back in the reply as a live link ('\\_https://evil.example'); the breaks were made
    only at a word boundary."""
    assert outside(typed) == quoted
    assert outside(f"Website: '{typed}' must start with https://") == f"Website: '{quoted}' must start with https\\[:\\]//"


def test_plain_keeps_outside_text_on_one_line_and_runs_no_command():
    assert [plain(v) for v in HOSTILE[:2] + HOSTILE[6:9]] == [
        "Home\\n::error title=x::y", "\\::add-mask::secret", "\\x1b[31mred\\x1b[0m", "abc\\u202eevil", "\\##[error]x"]
    assert plain("  ::stop-commands::tok\r\n") == "  \\::stop-commands::tok\\r\\n"
    assert plain("Aston House", 5) == "As..."


def test_the_reply_comment_mentions_nobody_and_links_nowhere():
    bad = "Evil\n::error title=x::y '@x (@x <@x \"@x @org/team [x](https://evil) #1"
    res = Result("applied", home="h", name=bad, mode="commit", issue=3,
                 changed=[{"label": "Website", "before": "https://evil.example", "after": "\x1b[2J\u202egood"}])
    assert res.comment() == (
        "Thank you. The page for **Evil ::error title=x::y '＠x \\(＠x &lt;＠x \"＠x ＠org/team "
        "\\[x\\]\\(https\\[:\\]//evil\\) ＃1** now says:\n\n| What | Before | Now |\n|---|---|---|\n"
        "| Website | https\\[:\\]//evil.example | \\\\x1b\\[2J\\\\u202egood |\n\n"
        "The site shows the change within a few minutes.\n")
    refused = Result("invalid", errors=["Your home's page name: '::add-mask::x\n##[error]y @x' is not a home"])
    assert refused.comment() == ("This update was not made.\n\n- Your home's page name: '::add-mask::x \\#\\#\\[error\\]y ＠x' "
                                 "is not a home\n\n" "To correct your answers, select the 3 dots (**...**) at the top right of "
                                 "your request, then **Edit**. Change the answers and select **Update comment**. We check "
                                 "them again straight away.\n")


def test_the_freshness_issue_quotes_names_and_mentions_only_valid_logins():
    evil = StaleHome("evil", "Evil @x [x](https://evil) #1\n::error::y", dt.date(2026, 11, 1), 23,
                     ("jo-example", "@org/team", "x](https://evil)"))
    md = markdown_report(Freshness([evil], [], 1, []), "https://github.com/c/r", dt.date(2026, 11, 24))
    row = next(line for line in md.splitlines() if line.startswith("| Evil"))
    assert row.split(" | [Update vacancies](")[0] == (
        "| Evil ＠x \\[x\\]\\(https\\[:\\]//evil\\) ＃1 ::error::y | 2026-11-01 (23 days) | "
        "@jo-example ＠org/team x\\]\\(https\\[:\\]//evil\\)")
    assert not any(line.lstrip().startswith(("::", "##[")) for line in md.splitlines())


def test_the_cqc_import_report_quotes_names_and_values():
    r = Report("API sync", dt.date(2026, 11, 1))
    r.new = ["Evil\n::error title=x::y (evil.yaml)"]
    r.changed = {"Bad\x1b[2J\u202e (bad.yaml)": ["cqc.rating"]}
    r.values = {"Bad\x1b[2J\u202e (bad.yaml)": [("cqc.rating", "Good", "##[error]\n::add-mask::x")]}
    r.missing = ["::warning::gone (gone.yaml)"]
    assert r.summary().splitlines()[4:] == [
        "  new: Evil\\n::error title=x::y (evil.yaml)",
        "  updated: Bad\\x1b[2J\\u202e (bad.yaml): cqc.rating: Good -> \\##[error]\\n::add-mask::x",
        "  rating changed: Bad\\x1b[2J\\u202e (bad.yaml): Good -> \\##[error]\\n::add-mask::x",
        "  not on register: \\::warning::gone (gone.yaml)",
    ]


def test_an_api_location_id_cannot_start_a_workflow_command():
    rec = cqc_files.Record("1-1\n::error title=x::y", "Herefordshire", {"name": "X"})
    try:
        cqc_files._parse_rows([("record 1", {})], lambda row: rec)
    except cqc_files.ImportError_ as exc:
        message = str(exc)
    assert message.startswith("has rows that cannot be read; nothing was changed")
    assert "record 1: '1-1\\n::error title=x::y' is not a CQC location ID" in message
    assert not any(line.lstrip().startswith("::") for line in message.splitlines())


def test_check_output_starts_no_workflow_command(tmp_path, capsys):
    prov = tmp_path / "providers"
    prov.mkdir()
    shutil.copy(FIXTURES / "profiles" / "example-minimal.yaml", prov / "evil.yaml")
    text = (prov / "evil.yaml").read_text().replace("location_id: 1-000000201", 'location_id: "1-1\\n::error title=x::y"')
    text = text.replace("name: Example Minimal (fictional)", 'name: "Evil\\n::error title=x::y\\e[2J @x"\nwebsite: "::add-mask::x"')
    (prov / "evil.yaml").write_text(text.replace("slug: example-minimal", "slug: evil"))
    for fmt in ("text", "github"):
        assert cli.main(["check", str(prov), "--format", fmt]) == 1
        out, err = capsys.readouterr()
        lines = (out + err).splitlines()
        commands = [line for line in lines if line.lstrip().startswith(("::", "##["))]
        assert commands == ([] if fmt == "text" else [line for line in out.splitlines() if line.startswith("::error file=")])
        assert "\x1b" not in out + err
        assert "location_id: contains a line break" in out or "title=location_id::contains a line break" in out


def test_the_output_guard_stops_a_workflow_command_from_any_line():
    buf = io.StringIO()
    guard = cli._Guarded(buf)
    guard.write("ok\n::error::x\n  ##[group]y\nfine ::a\n")
    guard.write("  ")
    guard.write("::stop-commands::tok\n")
    guard.command("::error file=a.yaml,line=1::ours")
    assert buf.getvalue() == "ok\n\\::error::x\n  \\##[group]y\nfine ::a\n  \\::stop-commands::tok\n::error file=a.yaml,line=1::ours\n"


def test_check_quotes_the_value_holding_a_line_break(tmp_path, capsys):
    prov = tmp_path / "providers"
    prov.mkdir()
    shutil.copy(FIXTURES / "profiles" / "example-minimal.yaml", prov / "evil.yaml")
    text = (prov / "evil.yaml").read_text().replace("location_id: 1-000000201", 'location_id: "1-1\\n::error title=x::y"')
    (prov / "evil.yaml").write_text(text.replace("slug: example-minimal", "slug: evil"))
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("location_id:"))
    assert cli.main(["check", str(prov)]) == 1
    out = capsys.readouterr().out
    assert (f"{prov / 'evil.yaml'}:{line}: location_id: contains a line break, which is not allowed here; "
            "write it on one line: '1-1\\n::error title=x::y'") in out.splitlines()
    assert cli.main(["check", str(prov), "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert (f",line={line},title=location_id::contains a line break, which is not allowed here; "
            "write it on one line: '1-1\\n::error title=x::y'") in out


def test_a_vacancy_sheet_cell_is_quoted_on_one_line(tmp_path):
    (tmp_path / "providers").mkdir()
    sheet = tmp_path / "v.csv"
    sheet.write_text('home,nursing_free,residential_free\n"x\n::error title=x::y @x",1,2\n', encoding="utf-8")
    edits, problems = vacancies_from_csv(sheet, tmp_path / "providers", dt.date(2026, 11, 24))
    assert edits == [] and len(problems) == 1
    assert problems[0].endswith(": home: 'x\\n::error title=x::y @x' is not a home in "
                                f"{tmp_path / 'providers'}; give the page name (such as aston-house) or the CQC location ID")
    assert "\n" not in problems[0]


def test_the_sync_pull_request_body_is_a_fence_no_report_line_can_close():
    report = "CQC API sync\n  new: Evil\n```\n@x [x](https://evil) #1\n`````\n"
    assert prbody.sync_pr_body(report) == (
        "Weekly sync of the regulator's facts from the CQC API. Review the changes below, then merge.\n\n"
        "``````text\nCQC API sync\n  new: Evil\n```\n@x [x](https://evil) #1\n`````\n``````\n")
    assert prbody.fenced("no backticks") == "```text\nno backticks\n```"
    long = prbody.sync_pr_body("a line\n" * 10_000)
    assert len(long) < 65_536 and long.endswith("a line\n... (the report is cut here; the workflow's log has all of it)\n```\n")


def test_the_sync_workflow_writes_the_body_with_prbody(tmp_path, capsys):
    step = (ROOT / ".github" / "workflows" / "cqc-sync.yml").read_text()
    assert 'python3 -m carehomes.prbody "$RUNNER_TEMP/cqc-report.txt" > "$RUNNER_TEMP/body.md"' in step
    assert "echo '```'" not in step
    (tmp_path / "r.txt").write_text("  new: A ```` B\n")
    assert prbody.main([str(tmp_path / "r.txt")]) == 0
    assert capsys.readouterr().out.endswith("\n\n`````text\n  new: A ```` B\n`````\n")
    assert prbody.main([str(tmp_path / "missing.txt")]) == 1
    assert capsys.readouterr().err == f"{tmp_path / 'missing.txt'}: cannot be read (No such file or directory)\n"
