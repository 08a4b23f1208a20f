"""build.py github: the workflows' actions on GitHub's REST API (carehomes/github.py), against a loopback stub."""
from __future__ import annotations

import base64
import json
import os
import threading

import pytest
from github_stub import GitHubStub

from carehomes import github as gh
from carehomes.cli import main


@pytest.fixture
def stub(monkeypatch):
    with GitHubStub("council/carehomes") as s:
        monkeypatch.setenv("GITHUB_API_URL", s.base)
        monkeypatch.setenv("GITHUB_REPOSITORY", "council/carehomes")
        monkeypatch.setenv("GITHUB_TOKEN", "default-token")
        monkeypatch.delenv("SYNC_PR_TOKEN", raising=False)
        monkeypatch.delenv("GITHUB_SERVER_URL", raising=False)
        monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
        yield s


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["github", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_label_is_created_then_left_then_updated(stub, capsys):
    assert run(capsys, "label", "stewards", "--color", "1d76db", "--description", "For stewards") == (0, "", "label stewards: created\n")
    assert run(capsys, "label", "stewards", "--color", "1D76DB", "--description", "For stewards")[2] == "label stewards: unchanged\n"
    assert run(capsys, "label", "stewards", "--color", "ff0000", "--description", "For stewards")[2] == "label stewards: updated\n"
    assert stub.labels["stewards"] == {"name": "stewards", "color": "ff0000", "description": "For stewards"}


def test_one_pull_request_per_branch_is_opened_then_updated_with_the_sync_token(stub, capsys, monkeypatch):
    monkeypatch.setenv("SYNC_PR_TOKEN", "bot-token")
    code, out, err = run(capsys, "pull-request", "--head", "cqc-sync", "--base", "main", "--title", "CQC weekly sync",
                         "--body", "week 1", "--label", "stewards")
    assert (code, out, err) == (0, "https://github.com/council/carehomes/pull/1\n", "pull request #1 opened from cqc-sync\n")
    code, out, err = run(capsys, "pull-request", "--head", "cqc-sync", "--base", "main", "--title", "CQC weekly sync",
                         "--body", "week 2", "--label", "stewards")
    assert (code, err) == (0, "pull request #1 updated from cqc-sync\n")
    [pr] = stub.pulls()
    assert pr["body"] == "week 2" and pr["labels"] == [{"name": "stewards"}]
    assert {token for *_, token, _ in stub.log} == {"bot-token"}


def test_without_the_sync_token_the_pull_request_says_so_and_a_warning_is_printed(stub, capsys):
    code, out, err = run(capsys, "pull-request", "--head", "b", "--base", "main", "--title", "T", "--body", "Text.")
    assert code == 0
    assert stub.pulls()[0]["body"] == "Text." + gh.DEFAULT_TOKEN_NOTE
    assert err.startswith("warning: SYNC_PR_TOKEN is not set: the pull request is opened with the default token, so its "
                          "checks do not start by themselves; its description says so (see docs/deployment.md)\n")


def test_the_labelled_issue_is_opened_updated_and_closed_and_none_is_opened_to_say_all_is_well(stub, capsys, tmp_path):
    body = tmp_path / "body.md"
    body.write_text("2 homes")
    assert run(capsys, "issue", "--label", "old", "--title", "Two", "--body-file", str(body))[2] == "issue #1 opened\n"
    stub.add_issue("Another issue", "", "someone", ["old"])  # a second one is left alone: the oldest is the one
    assert run(capsys, "issue", "--label", "old", "--title", "One", "--body", "1 home")[2] == "issue #1 updated\n"
    assert run(capsys, "issue", "--label", "old", "--title", "None", "--body", "none", "--close")[2] == "issue #1 closed\n"
    assert (stub.issues[1]["title"], stub.issues[1]["state"], stub.issues[2]["state"]) == ("None", "closed", "open")
    stub.issues[2]["state"] = "closed"
    code, out, err = run(capsys, "issue", "--label", "old", "--title", "None", "--body", "none", "--close")
    assert (code, out, err) == (0, "", "no open issue labelled old; none opened\n") and len(stub.issues) == 2


def test_issues_prints_the_open_issues_with_a_label_oldest_first(stub, capsys):
    stub.add_issue("Claim: Aston House", "### The home you manage\n\naston-house", "sam", ["claim"])
    stub.add_issue("Update vacancies", "...", "someone")
    stub.add_issue("Claim: Eastbank", "", "jo", ["claim"])
    code, out, err = run(capsys, "issues", "--label", "claim")
    assert (code, err) == (0, "")
    assert json.loads(out) == [{"number": 1, "body": "### The home you manage\n\naston-house"}, {"number": 3, "body": ""}]


def test_issues_reads_every_page_and_refuses_more_than_it_can_list(stub, capsys):
    """GitHub gives at most 100 a page: 230 open claims (and a pull request in their pages) take three pages, asked
    for by number; more than gh.MAX_ISSUES is an error, never a list cut short."""
    for n in range(1, 231):
        stub.add_issue(f"Claim {n}", f"claim {n}", "sam", ["claim"])
        if n == 150:
            with stub.lock:
                stub._new({"title": "A pull request", "body": "", "labels": [{"name": "claim"}], "head": {"ref": "x"},
                           "pull_request": {}})
    code, out, err = run(capsys, "issues", "--label", "claim")
    assert (code, err) == (0, "") and stub.pages_asked == [1, 2, 3]
    assert [i["number"] for i in json.loads(out)] == [*range(1, 151), *range(152, 232)]
    for n in range(231, 231 + gh.MAX_ISSUES):
        stub.add_issue(f"Claim {n}", "", "sam", ["claim"])
    code, out, err = run(capsys, "issues", "--label", "claim")
    assert (code, out, err) == (1, "", f"more than {gh.MAX_ISSUES} open issues are labelled claim; close the ones that are done "
                                       "(or remove the label from them), then run this again\n")


@pytest.mark.slow  # pages through a stub GitHub API (over half a second: the fast set stays under 30 s)
def test_comments_prints_one_accounts_comments_oldest_first_from_every_page(stub, capsys):
    """claim.yml binds a claim with the workflow's own first reply: a comment by anyone else is never listed."""
    stub.add_issue("Claim: Aston House", "...", "sam")
    for n in range(1, 131):
        if n % 2:
            assert run(capsys, "comment", "1", "--body", f"reply {n}")[0] == 0  # the workflow's token: github-actions[bot]
        else:
            stub.add_comment(1, f"<!-- claim for: other-{n} -->\n", "sam")
    stub.add_comment(1, "by a bot of another name", "github-actions")
    code, out, err = run(capsys, "comments", "1", "--by", "github-actions[bot]")
    assert (code, err) == (0, "") and json.loads(out) == [{"body": f"reply {n}"} for n in range(1, 131, 2)]
    asked = [q for m, p, _, q in stub.log if m == "GET" and p.endswith("/issues/1/comments")]
    assert len(asked) == 2
    for _ in range(gh.MAX_COMMENTS):
        stub.add_comment(1, "more", "sam")
    assert run(capsys, "comments", "1", "--by", "github-actions[bot]") == (
        1, "", f"issue #1 has more than {gh.MAX_COMMENTS} comments, more than are read; a steward handles it by hand\n")
    stub.answer("GET", "/issues/1/comments", [{"body": "x", "user": {"login": 7}}])
    assert run(capsys, "comments", "1", "--by", "github-actions[bot]") == (
        1, "", "GitHub's API: GET /repos/council/carehomes/issues/1/comments: unexpected answer: item 1's user's login is 7, "
        "not text; check that GITHUB_API_URL is GitHub's API, or try again later\n")


def test_comment_close_and_dispatch(stub, capsys):
    stub.add_issue("Update vacancies", "...", "someone")
    assert run(capsys, "comment", "1", "--body", "Thank you.")[:2] == (0, "https://github.com/council/carehomes/issues/1#issuecomment-1\n")
    assert run(capsys, "close", "1") == (0, "", "closed #1\n")
    assert run(capsys, "dispatch", "publish.yml", "--ref", "main") == (0, "", "started publish.yml on main\n")
    assert stub.comments_on(1) == ["Thank you."] and stub.issues[1]["state_reason"] == "completed"
    assert stub.dispatches == [{"workflow": "publish.yml", "ref": "main"}]


def test_refusals_are_one_line_naming_the_request_and_what_to_do(stub, capsys, monkeypatch, tmp_path):
    assert run(capsys, "comment", "7", "--body", "x") == (1, "", "GitHub's API: POST /repos/council/carehomes/issues/7/comments: "
                                                           "HTTP 404 (Not Found); the repository or number does not exist, "
                                                           "or the token cannot see it\n")
    monkeypatch.setenv("GITHUB_TOKEN", "")
    assert run(capsys, "close", "1") == (1, "", "no token: give the step env: GITHUB_TOKEN: ${{ github.token }}\n")
    monkeypatch.setenv("GITHUB_API_URL", "https://api.example.org")
    assert run(capsys, "close", "1")[2] == ("GITHUB_API_URL 'https://api.example.org' is not GitHub's API (https://api.github.com); "
                                            "only that, or a loopback address for tests, is used\n")
    monkeypatch.setenv("GITHUB_API_URL", stub.base)
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    monkeypatch.setenv("GITHUB_REPOSITORY", "not a repository")
    assert run(capsys, "close", "1")[2].startswith("GITHUB_REPOSITORY 'not a repository' is not owner/name; ")
    monkeypatch.setenv("GITHUB_REPOSITORY", "council/carehomes")
    assert run(capsys, "comment", "1", "--body-file", str(tmp_path / "missing.md"))[2] == \
        f"{tmp_path / 'missing.md'}: cannot be read (No such file or directory)\n"
    stub.add_issue("x", "", "someone")
    assert run(capsys, "comment", "1", "--body", "x" * 70_000)[2] == \
        "--body is 70,000 characters; GitHub takes at most 65,536: shorten it\n"


def test_the_token_never_leaves_github_and_is_not_on_the_command_line():
    env = gh.git_env("secret-token", {"PATH": "/usr/bin", "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "a.b", "GIT_CONFIG_VALUE_0": "c"})
    assert env["GIT_CONFIG_COUNT"] == "2" and env["GIT_CONFIG_KEY_0"] == "a.b"
    assert env["GIT_CONFIG_KEY_1"] == "http.https://github.com/.extraheader"
    assert env["GIT_CONFIG_VALUE_1"] == "AUTHORIZATION: basic " + base64.b64encode(b"x-access-token:secret-token").decode()
    api = gh.GitHub("http://127.0.0.1:9", "council/carehomes", "t")
    assert api.session.policy.secret_origin == "http://127.0.0.1:9" and api.session.policy.hosts == frozenset()


def test_a_redirected_write_is_not_followed(capsys, monkeypatch):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[str] = []

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(self.path)
            self.send_response(307)
            self.send_header("Location", "http://127.0.0.2:9/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        monkeypatch.setenv("GITHUB_API_URL", base)
        monkeypatch.setenv("GITHUB_REPOSITORY", "council/carehomes")
        monkeypatch.setenv("GITHUB_TOKEN", "t")
        assert run(capsys, "comment", "1", "--body", "x") == (
            1, "", f"GitHub's API: {base}/repos/council/carehomes/issues/1/comments: HTTP 307: a POST request is not "
            "redirected; not followed\n")
        assert seen == ["/repos/council/carehomes/issues/1/comments"]
    finally:
        server.shutdown()
        server.server_close()


def test_github_git_sends_the_pull_request_token_unless_told_to_use_the_default_one(stub, capfd, monkeypatch):
    monkeypatch.setenv("SYNC_PR_TOKEN", "bot-token")
    monkeypatch.setenv("GITHUB_TOKEN", "default-token")
    key = "http.https://github.com/.extraheader"

    def header(*extra: str) -> str:
        assert main(["github", "git", *extra, "--", "config", "--get", key]) == 0
        return capfd.readouterr().out.strip()

    assert header() == "AUTHORIZATION: basic " + base64.b64encode(b"x-access-token:bot-token").decode()
    assert header("--default-token") == "AUTHORIZATION: basic " + base64.b64encode(b"x-access-token:default-token").decode()
    assert main(["github", "git"]) == 2
    assert capfd.readouterr().err == "github git: give git's arguments after --, e.g. python3 build.py github git -- push origin HEAD:main\n"


NOT_REGULAR = ": is not a regular file (a device, pipe or folder); give a file holding the text\n"


def test_a_body_file_is_a_regular_file_read_no_further_than_the_limit(stub, capsys, tmp_path):
    stub.add_issue("x", "", "someone")
    assert run(capsys, "comment", "1", "--body-file", str(tmp_path)) == (1, "", f"{tmp_path}{NOT_REGULAR}")
    if os.path.exists(os.devnull):  # a device: /dev/zero would never end
        assert run(capsys, "comment", "1", "--body-file", os.devnull) == (1, "", f"{os.devnull}{NOT_REGULAR}")
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * (gh.MAX_BODY_BYTES + 1))
    assert run(capsys, "comment", "1", "--body-file", str(big)) == (
        1, "", f"{big} is more than 262,144 bytes; GitHub takes at most 65,536 characters: shorten it\n")
    big.write_text("\u00e9" * gh.MAX_BODY, encoding="utf-8")  # twice as many bytes as characters: taken
    assert run(capsys, "comment", "1", "--body-file", str(big))[0] == 0
    assert stub.comments_on(1) == ["\u00e9" * gh.MAX_BODY]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_body_file_that_is_a_pipe_is_refused_without_waiting_for_a_writer(stub, capsys, tmp_path):
    fifo = tmp_path / "body.md"
    os.mkfifo(fifo)
    done = threading.Event()

    def writer() -> None:  # should a reader wait for a writer, this one comes after 5 s: the test fails, never hangs
        if not done.wait(5):
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass

    threading.Thread(target=writer, daemon=True).start()
    try:
        assert run(capsys, "comment", "1", "--body-file", str(fifo)) == (1, "", f"{fifo}{NOT_REGULAR}")
    finally:
        done.set()


def unexpected(request: str, problem: str) -> str:
    return (f"GitHub's API: {request}: unexpected answer: {problem}; check that GITHUB_API_URL is GitHub's API, "
            "or try again later\n")


@pytest.mark.parametrize("answer, problem", [
    ([], "it is a list, not an object"), ("x", "it is a string, not an object"), (5, "it is 5, not an object"),
    (True, "it is true or false, not an object")])
def test_a_label_answer_that_is_not_an_object_is_one_line(stub, capsys, answer, problem):
    stub.answer("GET", "/labels/x", answer)
    assert run(capsys, "label", "x", "--color", "112233") == (
        1, "", unexpected("GET /repos/council/carehomes/labels/x", problem))
    assert [m for m, *_ in stub.log] == ["GET"]


PR = ("pull-request", "--head", "sync", "--base", "main", "--title", "T", "--body", "B", "--label", "stewards")


@pytest.mark.parametrize("method, path, answer, problem", [
    ("GET", "/pulls", {"a": 1}, "it is an object, not a list"),
    ("GET", "/pulls", [None], "item 1 is empty or null, not an object"),
    ("GET", "/pulls", [{}], "item 1's number is missing, not a positive whole number"),
    ("GET", "/pulls", [{"number": "x"}], "item 1's number is a string, not a positive whole number"),
    ("GET", "/pulls", [{"number": 1.5}], "item 1's number is 1.5, not a positive whole number"),
    ("GET", "/pulls", [{"number": True}], "item 1's number is true or false, not a positive whole number"),
    ("GET", "/pulls", [{"number": 0}], "item 1's number is 0, not a positive whole number"),
    ("POST", "/pulls", [], "it is a list, not an object"),
    ("POST", "/pulls", b"", "it is empty or null, not an object"),
    ("POST", "/pulls", {}, "its number is missing, not a positive whole number"),
    ("POST", "/pulls", {"number": "7\n::error::x"}, "its number is a string, not a positive whole number"),
    ("POST", "/pulls", {"number": 7}, "its html_url is missing, not a plain address on https://github.com "
                                      "(only letters, digits and ._/#- after it)"),
    ("POST", "/pulls", {"number": 7, "html_url": 12}, "its html_url is 12, not a plain address on https://github.com "
                                                      "(only letters, digits and ._/#- after it)")])
def test_a_pull_request_answer_not_shaped_as_githubs_is_one_line_and_nothing_more_is_done(stub, capsys, monkeypatch,
                                                                                         method, path, answer, problem):
    monkeypatch.setenv("SYNC_PR_TOKEN", "bot-token")
    stub.answer(method, path, answer, 201 if method == "POST" else 200)
    assert run(capsys, *PR) == (1, "", unexpected(f"{method} /repos/council/carehomes/pulls", problem))
    assert [m for m, *_ in stub.log] == ["GET", "POST"][: 1 + (method == "POST")]  # no PATCH #1, no label


ISSUE = ("issue", "--label", "old", "--title", "T", "--body", "B")


@pytest.mark.parametrize("answer, problem", [
    ({"a": 1}, "it is an object, not a list"), (["x"], "item 1 is a string, not an object"),
    ([5], "item 1 is 5, not an object"), ([{}], "item 1's number is missing, not a positive whole number"),
    ([{"number": None}], "item 1's number is empty or null, not a positive whole number"),
    ([{"number": "1; rm -rf"}], "item 1's number is a string, not a positive whole number"),
    ([{"number": 1.5}], "item 1's number is 1.5, not a positive whole number"),
    ([{"number": True}], "item 1's number is true or false, not a positive whole number"),
    ([{"number": -1}], "item 1's number is -1, not a positive whole number"),
    ([{"number": 1, "body": {"x": "\x1b[31m"}}], "item 1's body is an object, not text")])
def test_an_issue_list_not_shaped_as_githubs_is_one_line_and_no_issue_is_changed(stub, capsys, answer, problem):
    stub.add_issue("Old", "", "someone", ["old"])
    stub.answer("GET", "/issues", answer)
    for args in (ISSUE, ("issues", "--label", "claim")):
        assert run(capsys, *args) == (1, "", unexpected("GET /repos/council/carehomes/issues", problem))
    assert [m for m, *_ in stub.log] == ["GET", "GET"] and stub.issues[1]["title"] == "Old"  # 1.5 or true is not #1


def test_an_issue_or_comment_answer_not_shaped_as_githubs_is_one_line(stub, capsys):
    stub.answer("POST", "/issues", "x", 201)
    assert run(capsys, *ISSUE) == (1, "", unexpected("POST /repos/council/carehomes/issues", "it is a string, not an object"))
    stub.add_issue("Old", "", "someone", ["old"])
    stub.answer("PATCH", "/issues/1", [1])
    assert run(capsys, *ISSUE) == (1, "", unexpected("PATCH /repos/council/carehomes/issues/1", "it is a list, not an object"))
    for answer, problem in (([1], "it is a list, not an object"), ("s", "it is a string, not an object"),
                            (5, "it is 5, not an object"), ({"id": 1}, "its html_url is missing, not a plain address on "
                                                                       "https://github.com (only letters, digits and ._/#- after it)")):
        stub.answer("POST", "/issues/1/comments", answer, 201)
        assert run(capsys, "comment", "1", "--body", "hi") == (1, "", unexpected("POST /repos/council/carehomes/issues/1/comments", problem))


@pytest.mark.parametrize("answer, said", [
    (b"[" * 100_000, ""), (b"[" * 100_000 + b"]" * 100_000, ""), ({"message": "m", "errors": 5}, " (m)"),
    ({"message": ["a"], "errors": [None, "x", {"message": 5}, {"message": "e"}]}, " (e)"), (b"\xff\xfe", "")],
    ids=["deep", "deep-closed", "errors-not-a-list", "odd-messages", "not-utf8"])
def test_a_refusal_whose_body_is_odd_is_still_one_line(stub, capsys, answer, said):
    stub.answer("POST", "/issues/1/comments", answer, 403)
    assert run(capsys, "comment", "1", "--body", "x") == (
        1, "", f"GitHub's API: POST /repos/council/carehomes/issues/1/comments: HTTP 403{said}; the token may not do this: "
        "check the job's permissions: block and the token's scopes (docs/deployment.md)\n")


HOSTILE = "https://x\n::set-output name=a::b\n\x1b[31m<img src=x onerror=alert(1)>](javascript:alert(1))"


@pytest.mark.parametrize("url", [
    HOSTILE, "https://github.com/council/carehomes/pull/7\n::error::x", "https://github.com/council/carehomes/pull/7<b>",
    "https://github.com/a/b/pull/7)[x](javascript:alert(1)", "https://github.com/a/b/pull/7 x", "https://github.com\x1b[2J/a",
    "https://github.com.evil.example/a/b/pull/7", "https://evil.example/a/b/pull/7", "http://github.com/a/b/pull/7",
    "javascript:alert(1)", "//github.com/a/b/pull/7", "https://github.com", ""])
def test_an_address_that_is_not_a_plain_one_on_github_is_neither_printed_nor_summarised(stub, capsys, monkeypatch, tmp_path, url):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("SYNC_PR_TOKEN", "bot-token")
    stub.answer("POST", "/pulls", {"number": 7, "html_url": url}, 201)
    assert run(capsys, *PR) == (1, "", unexpected("POST /repos/council/carehomes/pulls", "its html_url is not a plain address "
                                                  "on https://github.com (only letters, digits and ._/#- after it)"))
    assert not (tmp_path / "summary.md").exists()


def test_addresses_are_on_the_configured_server(stub, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("GITHUB_SERVER_URL", "http://127.0.0.1:9/")  # the tests' loopback GitHub
    stub.add_issue("x", "", "someone")
    assert run(capsys, "comment", "1", "--body", "x")[2] == unexpected(
        "POST /repos/council/carehomes/issues/1/comments",
        "its html_url is not a plain address on http://127.0.0.1:9 (only letters, digits and ._/#- after it)")
    stub.answer("POST", "/issues", {"number": 2, "html_url": "http://127.0.0.1:9/council/carehomes/issues/2"}, 201)
    assert run(capsys, *ISSUE) == (0, "http://127.0.0.1:9/council/carehomes/issues/2\n", "issue #2 opened\n")
    assert (tmp_path / "summary.md").read_text() == "- Issue #2 opened: http://127.0.0.1:9/council/carehomes/issues/2\n"


@pytest.mark.parametrize("server, problem", [
    ("https://evil.example", "is not GitHub (https://github.com); only that, or a loopback address for tests, is used"),
    ("https://*.github.com", "is not GitHub (https://github.com); only that, or a loopback address for tests, is used"),
    ("https://github.com.evil.example", "is not GitHub (https://github.com); only that, or a loopback address for tests, is used"),
    ("http://github.com", "is plain http; only https is allowed (plain http only to 127.0.0.1 or localhost, for tests)"),
    ("github.com", "is not an https address")])
def test_git_sends_the_token_to_no_server_but_github(stub, capfd, monkeypatch, server, problem):
    monkeypatch.setenv("GITHUB_SERVER_URL", server)
    assert main(["github", "git", "--", "config", "--get-regexp", "http"]) == 1
    assert capfd.readouterr() == ("", f"GITHUB_SERVER_URL '{server}' {problem}\n")
    with pytest.raises(gh.GitHubError):
        gh.git_env("t", {"GITHUB_SERVER_URL": server})
    assert main(["github", "close", "1"]) == 1 and capfd.readouterr().err == f"GITHUB_SERVER_URL '{server}' {problem}\n"
    assert gh.git_env("t", {"GITHUB_SERVER_URL": "http://127.0.0.1:9/"})["GIT_CONFIG_KEY_0"] == "http.http://127.0.0.1:9/.extraheader"


def test_a_repository_workflow_or_number_that_names_no_such_thing_is_refused_before_any_request(stub, capsys, monkeypatch):
    """owner/.. and owner/. are no repository names (the path would climb out of /repos/owner/), '..' no workflow's
    file name, and -5 or 0 no issue number: each is one line, and nothing is sent."""
    before = len(stub.log)
    for repo in ("council/..", "council/."):
        monkeypatch.setenv("GITHUB_REPOSITORY", repo)
        assert run(capsys, "close", "1")[2].startswith(f"GITHUB_REPOSITORY '{repo}' is not owner/name; ")
    monkeypatch.setenv("GITHUB_REPOSITORY", "council/carehomes")
    for workflow in ("..", "../../x.yml", "publish"):
        assert run(capsys, "dispatch", workflow, "--ref", "main") == (
            1, "", f"workflow '{workflow}' is not a workflow's file name, e.g. publish.yml (or its number)\n")
    for number in ("-5", "0", "99999999999"):
        with pytest.raises(SystemExit):
            run(capsys, "comment", number, "--body", "x")
        assert "is not an issue or pull request number (a whole number from 1)" in capsys.readouterr().err
    assert len(stub.log) == before


def test_a_token_no_header_can_carry_is_one_line_naming_the_variable(stub, capsys, monkeypatch):
    """A token with a line break (a secret pasted with its newline) or a character outside ASCII gave "cannot
    connect (ValueError)"; it is named, and nothing is sent."""
    before = len(stub.log)
    for token in ("abc\n", "ab c", "t\u00e9"):
        monkeypatch.setenv("GITHUB_TOKEN", token)
        assert run(capsys, "close", "1") == (1, "", "GITHUB_TOKEN holds a space, a line break or a character no token "
                                                    "has; set it to the token alone\n")
    assert len(stub.log) == before
