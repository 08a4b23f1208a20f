"""build.py github: the workflows' actions on GitHub's REST API (carehomes/github.py), against a loopback stub."""
from __future__ import annotations

import json

import base64

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
