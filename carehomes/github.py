"""GitHub's REST API for the workflows: open or update one pull request or issue, comment, label, close,
start a workflow and push with a token, instead of the ``gh`` tool (which partly uses GraphQL).

Every request goes through the hardened client (``httpclient``): the address is ``GITHUB_API_URL``
(default https://api.github.com; plain http only to a loopback address, for the tests' stub), the token
(``Authorization``) is sent only to that origin and redirects are never followed; ``git`` sends it only to
``GITHUB_SERVER_URL`` (https://github.com, or loopback). Every answer is checked for the shape GitHub
gives it before it is used: numbers are positive whole numbers, and an address printed or put in the
run's summary (``html_url``) is a plain one on GITHUB_SERVER_URL, so no answer can add a workflow
command, a terminal escape or markup to what is printed or posted. The repository is
``GITHUB_REPOSITORY`` (owner/name). The token is ``GITHUB_TOKEN``; what opens a pull request or pushes
its branch uses ``SYNC_PR_TOKEN`` first when it is set, because GitHub does not start the pull-request
checks for a pull request opened or pushed with the workflow's default token, and a pull request
opened without it says so in its description. Every failure is a ``GitHubError`` of one line.
"""
from __future__ import annotations

import base64
import json
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote, urlencode, urlsplit

from . import httpclient
from .fsutil import NotRegularFile, read_regular

API = "https://api.github.com"
SERVER = "https://github.com"
PR_TOKEN = "SYNC_PR_TOKEN"
MAX_BODY = 65_536  # characters GitHub takes in an issue, pull request or comment body
MAX_BODY_BYTES = 4 * MAX_BODY  # the most a body file of MAX_BODY characters can take in UTF-8
PLAIN_PATH = re.compile(r"/[A-Za-z0-9._/#-]*")  # all an html_url of GitHub's needs after its server
REPOSITORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}/(?!\.\.?$)[A-Za-z0-9._-]{1,100}")  # not owner/. nor owner/..
WORKFLOW = re.compile(r"(?!\.\.?$)[A-Za-z0-9._-]{1,100}\.ya?ml|[0-9]{1,20}")  # a workflow's file name, or its ID
DEFAULT_TOKEN_NOTE = (
    "\n\n---\n**The pull-request checks did not start by themselves.** This pull request was opened with the "
    "workflow's default token because the `SYNC_PR_TOKEN` secret is not set, and GitHub starts no workflow for "
    "what that token does. A steward starts the checks by closing and reopening this pull request; setting "
    "`SYNC_PR_TOKEN` (see docs/deployment.md) makes them start by themselves.\n")


T = TypeVar("T")


class GitHubError(Exception):
    """A request or setting that failed: one line naming what and what to do."""


class Unexpected(Exception):
    """An answer not shaped as GitHub's: what is wrong with it (``GitHub.ask`` names the request)."""


@dataclass(frozen=True)
class Item:
    """An issue or pull request as GitHub answered: its number and its page's address."""

    number: int
    url: str


@dataclass
class GitHub:
    """One repository on GitHub's REST API, with one token."""

    base: str
    repo: str
    token: str
    server: str = SERVER  # where GitHub's pages are (GITHUB_SERVER_URL): every html_url must be there
    session: httpclient.Session = field(init=False)

    def __post_init__(self) -> None:
        self.session = httpclient.Session(httpclient.Policy(
            name="GitHub's API", secret_origin=httpclient.origin(self.base), secret_headers=frozenset({"Authorization"}),
            request_deadline=60.0, run_deadline=600.0, max_bytes=8 * 1024 * 1024))

    def call(self, method: str, path: str, payload: dict[str, Any] | None = None,
             query: dict[str, str] | None = None, *, missing_ok: bool = False) -> Any:
        """The JSON answer to ``method path`` (path below /repos/OWNER/NAME when it starts with '/'), None for
        an empty answer or, with ``missing_ok``, a 404. Any other status but 2xx is a GitHubError."""
        where = self.where(path)
        url = self.base + where + (f"?{urlencode(query)}" if query else "")
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
                   "Authorization": f"Bearer {self.token}", "User-Agent": "carehomes-build"}
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        try:
            resp = self.session.send(method, url, headers, body)
        except httpclient.HttpError as exc:
            raise GitHubError(f"GitHub's API: {exc}") from None
        if resp.status == 404 and missing_ok:
            return None
        if not 200 <= resp.status < 300:
            raise GitHubError(f"GitHub's API: {method} {where}: HTTP {resp.status}{_message(resp.body)}; {_advice(resp.status)}")
        if not resp.body.strip():
            return None
        try:
            return httpclient.decode_json(resp.body, 32, url)
        except httpclient.HttpError as exc:
            raise GitHubError(f"GitHub's API: {exc}") from None

    def ask(self, method: str, path: str, read: Callable[[Any], T], payload: dict[str, Any] | None = None,
            query: dict[str, str] | None = None, *, missing_ok: bool = False) -> T:
        """``read`` of ``call``'s answer: an answer it finds Unexpected is a GitHubError naming the request."""
        answer = self.call(method, path, payload, query, missing_ok=missing_ok)
        try:
            return read(answer)
        except Unexpected as exc:
            raise GitHubError(f"GitHub's API: {method} {self.where(path)}: unexpected answer: {exc}; check that "
                              "GITHUB_API_URL is GitHub's API, or try again later") from None

    def where(self, path: str) -> str:
        """The API's path for ``path``: below /repos/OWNER/NAME when it starts with '/'."""
        return f"/repos/{self.repo}{path}" if path.startswith("/") else f"/{path}"

    def item(self, answer: Any) -> Item:
        """The issue or pull request in an answer: an object with a positive number and a plain html_url here."""
        found = obj(answer, "it")
        return Item(number(found, "its"), self.address(found, "its"))

    def address(self, found: dict[str, Any], whose: str) -> str:
        """The object's html_url: a plain address on this GitHub (GITHUB_SERVER_URL), or Unexpected."""
        url = found.get("html_url")
        if not (isinstance(url, str) and url.startswith(self.server + "/") and PLAIN_PATH.fullmatch(url[len(self.server):])):
            shape = "" if isinstance(url, str) else f" {kind(url) if 'html_url' in found else 'missing'},"
            raise Unexpected(f"{whose} html_url is{shape} not a plain address on {self.server} "
                             "(only letters, digits and ._/#- after it)")
        return url


def kind(value: Any) -> str:
    """What a JSON value is, for a message (never the value itself, except a number)."""
    if value is None:
        return "empty or null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return str(value) if abs(value) < 1e15 else "a huge number"
    return "an object" if isinstance(value, dict) else "a list" if isinstance(value, list) else "a string"


def obj(value: Any, what: str) -> dict[str, Any]:
    """``value`` if it is a JSON object, or Unexpected."""
    if not isinstance(value, dict):
        raise Unexpected(f"{what} is {kind(value)}, not an object")
    return value


def objects(value: Any) -> list[dict[str, Any]]:
    """``value`` if it is a JSON list of objects, or Unexpected."""
    if not isinstance(value, list):
        raise Unexpected(f"it is {kind(value)}, not a list")
    return [obj(v, f"item {n}") for n, v in enumerate(value, 1)]


def number(found: dict[str, Any], whose: str) -> int:
    """The object's number: a positive whole number (not true, 1.5 or "1"), or Unexpected."""
    value = found.get("number")
    if type(value) is not int or value < 1:
        raise Unexpected(f"{whose} number is {kind(value) if 'number' in found else 'missing'}, not a positive whole number")
    return value


def issues(answer: Any) -> list[dict[str, Any]]:
    """The issues (not pull requests) in a list of both, oldest first: each one's number and text."""
    found = []
    for n, item in enumerate(objects(answer), 1):
        if "pull_request" not in item:
            body = item.get("body")
            if body is not None and not isinstance(body, str):
                raise Unexpected(f"item {n}'s body is {kind(body)}, not text")
            found.append({"number": number(item, f"item {n}'s"), "body": body or ""})
    return sorted(found, key=lambda i: i["number"])


def _message(raw: bytes) -> str:
    """GitHub's own explanation of a refusal (its 'message' and any error messages), quoted, or ''."""
    try:
        doc = httpclient.decode_json(raw, 8, "")
    except httpclient.HttpError:
        return ""
    if not isinstance(doc, dict):
        return ""
    errors = doc.get("errors")
    parts = [doc.get("message")] + ([e.get("message") for e in errors if isinstance(e, dict)] if isinstance(errors, list) else [])
    said = "; ".join(p for p in parts if isinstance(p, str) and p)
    return f" ({httpclient.quoted(said)})" if said else ""


def _advice(status: int) -> str:
    """What to do about a refused request."""
    if status == 401:
        return "the token is missing, expired or wrong: check the secret the workflow passes"
    if status == 403:
        return "the token may not do this: check the job's permissions: block and the token's scopes (docs/deployment.md)"
    if status == 404:
        return "the repository or number does not exist, or the token cannot see it"
    if status == 422:
        return "GitHub refused the values sent"
    return "try again later" if status >= 500 or status == 429 else "see GitHub's message"


def from_env(env: dict[str, str] | None = None, *, pr_token: bool = False) -> GitHub:
    """The repository and token a workflow step was given; ``pr_token``: prefer SYNC_PR_TOKEN."""
    env = dict(os.environ if env is None else env)
    base = github_address(env, "GITHUB_API_URL", API, "GitHub's API")
    server = github_address(env, "GITHUB_SERVER_URL", SERVER, "GitHub")
    repo = env.get("GITHUB_REPOSITORY", "")
    if not REPOSITORY.fullmatch(repo):
        raise GitHubError(f"GITHUB_REPOSITORY '{httpclient.quoted(repo)}' is not owner/name; "
                          "a workflow sets it, elsewhere set it, e.g. GITHUB_REPOSITORY=council/care-homes")
    named = PR_TOKEN if pr_token and env.get(PR_TOKEN) else "GITHUB_TOKEN"
    token = env.get(named, "")
    if not token:
        raise GitHubError("no token: give the step env: GITHUB_TOKEN: ${{ github.token }}"
                          + (f" (and {PR_TOKEN}: ${{{{ secrets.{PR_TOKEN} }}}})" if pr_token else ""))
    if not re.fullmatch(r"[\x21-\x7e]{1,1000}", token):  # what an HTTP header can carry; no token has anything else
        raise GitHubError(f"{named} holds a space, a line break or a character no token has; set it to the token alone")
    return GitHub(base, repo, token, server)


def github_address(env: dict[str, str], name: str, default: str, what: str) -> str:
    """The address in ``env[name]`` (``default`` when unset): ``default`` itself, or a loopback address for
    the tests' stubs, since a token goes to it; anything else is a GitHubError."""
    url = (env.get(name) or default).rstrip("/")
    problem = httpclient.address_problem(url)
    if not problem and url != default and not httpclient.is_loopback(urlsplit(url).hostname or ""):
        problem = f"is not {what} ({default}); only that, or a loopback address for tests, is used"
    if problem:
        raise GitHubError(f"{name} '{httpclient.quoted(url)}' {problem}")
    return url


def uses_pr_token(env: dict[str, str] | None = None) -> bool:
    """True when SYNC_PR_TOKEN is set, so what the automation opens starts the pull-request checks."""
    return bool((os.environ if env is None else env).get(PR_TOKEN))


def check_body(text: str, what: str) -> str:
    """A body GitHub will take, or GitHubError."""
    if len(text) > MAX_BODY:
        raise GitHubError(f"{what} is {len(text):,} characters; GitHub takes at most {MAX_BODY:,}: shorten it")
    return text


def read_body(path: str) -> str:
    """The text of a body file: a regular file (never a device or pipe, which could be endless or never
    answer) of at most MAX_BODY_BYTES, of which no more than one byte past that is read; else GitHubError."""
    try:
        raw = read_regular(path, MAX_BODY_BYTES)
    except NotRegularFile:
        raise GitHubError(f"{path}: is not a regular file (a device, pipe or folder); give a file holding the text") from None
    except OSError as exc:
        raise GitHubError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_BODY_BYTES:
        raise GitHubError(f"{path} is more than {MAX_BODY_BYTES:,} bytes; GitHub takes at most {MAX_BODY:,} characters: shorten it")
    return check_body(raw.decode("utf-8", errors="replace"), path)


def ensure_label(gh: GitHub, name: str, color: str, description: str) -> str:
    """Create the label, or give it this colour and description; 'created', 'updated' or 'unchanged'."""
    have = gh.ask("GET", f"/labels/{quote(name, safe='')}", lambda a: None if a is None else obj(a, "it"), missing_ok=True)
    if have is None:
        gh.call("POST", "/labels", {"name": name, "color": color, "description": description})
        return "created"
    if str(have.get("color", "")).lower() == color.lower() and have.get("description") == description:
        return "unchanged"
    gh.call("PATCH", f"/labels/{quote(name, safe='')}", {"color": color, "description": description})
    return "updated"


def open_or_update_pull_request(gh: GitHub, head: str, base: str, title: str, body: str,
                                labels: list[str]) -> tuple[Item, bool]:
    """The one open pull request from branch ``head``, its title and description set (opened when there
    is none), with ``labels`` added; the pull request and whether it was opened now."""
    owner = gh.repo.split("/")[0]
    found = gh.ask("GET", "/pulls", lambda a: [number(p, f"item {n}'s") for n, p in enumerate(objects(a), 1)],
                   query={"head": f"{owner}:{head}", "state": "open", "per_page": "10"})
    if found:
        pr = gh.ask("PATCH", f"/pulls/{found[0]}", gh.item, {"title": title, "body": body})
    else:
        pr = gh.ask("POST", "/pulls", gh.item, {"title": title, "head": head, "base": base, "body": body,
                                                "maintainer_can_modify": True})
    if labels:
        gh.call("POST", f"/issues/{pr.number}/labels", {"labels": labels})
    return pr, not found


def open_or_update_issue(gh: GitHub, label: str, title: str, body: str, *, close: bool = False) -> tuple[Item | None, str]:
    """The one open issue with ``label``: opened or updated with this title and body; with ``close`` it is
    updated and closed, and none is opened. The issue (None if none) and 'opened', 'updated', 'closed' or 'none'."""
    found = open_issues(gh, label)
    if found:
        change: dict[str, Any] = {"title": title, "body": body}
        if close:
            change.update(state="closed", state_reason="completed")
        return gh.ask("PATCH", f"/issues/{found[0]['number']}", gh.item, change), "closed" if close else "updated"
    if close:
        return None, "none"
    return gh.ask("POST", "/issues", gh.item, {"title": title, "body": body, "labels": [label]}), "opened"


PER_PAGE = 100  # items GitHub gives a page at most
MAX_ISSUES = 500  # open issues with one label listed at most (5 pages); more is an error, never a list cut short


def open_issues(gh: GitHub, label: str) -> list[dict[str, Any]]:
    """The open issues with ``label`` (not pull requests), oldest first: each one's number and text. Every page of
    them, asked for by number (``page``), never by following an address an answer gives (its Link header); an issue
    two pages both hold (opened while they were read) is listed once. More than MAX_ISSUES is a GitHubError."""
    found: dict[int, dict[str, Any]] = {}
    for page in range(1, MAX_ISSUES // PER_PAGE + 2):
        listed, full = gh.ask("GET", "/issues", lambda a: (issues(a), len(objects(a)) >= PER_PAGE),
                              query={"labels": label, "state": "open", "per_page": str(PER_PAGE), "page": str(page)})
        found.update((i["number"], i) for i in listed)
        if len(found) > MAX_ISSUES:
            raise GitHubError(f"more than {MAX_ISSUES} open issues are labelled {label}; close the ones that are done "
                              "(or remove the label from them), then run this again")
        if not full:
            break
    return [found[n] for n in sorted(found)]


MAX_COMMENTS = 500  # comments on one issue read at most (5 pages); more is an error, never a list cut short


def comments_by(gh: GitHub, number: int, login: str) -> list[dict[str, str]]:
    """The text of each comment on issue ``number`` written by ``login`` (e.g. github-actions[bot], whose comments
    only a workflow posts: nobody else can write or edit one), oldest first, as ``{"body": text}``. Every page,
    asked for by number; more than MAX_COMMENTS comments in all is a GitHubError."""
    def page_of(answer: Any) -> tuple[list[dict[str, str]], int]:
        found: list[dict[str, str]] = []
        items = objects(answer)
        for n, item in enumerate(items, 1):
            user, body = obj(item.get("user"), f"item {n}'s user"), item.get("body")
            if not isinstance(user.get("login"), str):
                raise Unexpected(f"item {n}'s user's login is {kind(user.get('login'))}, not text")
            if body is not None and not isinstance(body, str):
                raise Unexpected(f"item {n}'s body is {kind(body)}, not text")
            if user["login"] == login:
                found.append({"body": body or ""})
        return found, len(items)

    found: list[dict[str, str]] = []
    seen = 0
    for page in range(1, MAX_COMMENTS // PER_PAGE + 2):
        listed, count = gh.ask("GET", f"/issues/{number}/comments", page_of,
                               query={"per_page": str(PER_PAGE), "page": str(page)})
        found += listed
        seen += count
        if seen > MAX_COMMENTS:
            raise GitHubError(f"issue #{number} has more than {MAX_COMMENTS} comments, more than are read; "
                              "a steward handles it by hand")
        if count < PER_PAGE:
            break
    return found


def comment(gh: GitHub, number: int, body: str) -> str:
    """Post a comment on an issue or pull request; the comment's address."""
    return gh.ask("POST", f"/issues/{number}/comments", lambda a: gh.address(obj(a, "it"), "its"), {"body": body})


def close_issue(gh: GitHub, number: int) -> None:
    """Close an issue as done."""
    gh.call("PATCH", f"/issues/{number}", {"state": "closed", "state_reason": "completed"})


def dispatch(gh: GitHub, workflow: str, ref: str) -> None:
    """Start a workflow (its file name, e.g. publish.yml) on a branch."""
    if not WORKFLOW.fullmatch(workflow):
        raise GitHubError(f"workflow '{httpclient.quoted(workflow)}' is not a workflow's file name, e.g. publish.yml "
                          "(or its number)")
    gh.call("POST", f"/actions/workflows/{quote(workflow, safe='')}/dispatches", {"ref": ref})


def git_env(token: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a git command that sends ``token`` to GitHub only (GITHUB_SERVER_URL), as
    actions/checkout does: an extra header in git's configuration from the environment, never in a
    file, a remote's address or the command line. GITHUB_SERVER_URL must be GitHub's own (or loopback, for
    tests), else GitHubError."""
    env = dict(os.environ if env is None else env)
    server = github_address(env, "GITHUB_SERVER_URL", SERVER, "GitHub")
    n = int(env.get("GIT_CONFIG_COUNT", "0") or 0) if str(env.get("GIT_CONFIG_COUNT", "0")).isdigit() else 0
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    env.update({"GIT_CONFIG_COUNT": str(n + 1), f"GIT_CONFIG_KEY_{n}": f"http.{server}/.extraheader",
                f"GIT_CONFIG_VALUE_{n}": f"AUTHORIZATION: basic {basic}", "GIT_TERMINAL_PROMPT": "0"})
    return env


def run_git(args: list[str], *, pr_token: bool = True, env: dict[str, str] | None = None) -> int:
    """Run ``git ARGS`` with the token (SYNC_PR_TOKEN first when ``pr_token``); git's exit status."""
    env = dict(os.environ if env is None else env)
    token = (env.get(PR_TOKEN) if pr_token else "") or env.get("GITHUB_TOKEN", "")
    if not token:
        raise GitHubError("no token: give the step env: GITHUB_TOKEN: ${{ github.token }}")
    try:
        return subprocess.run(["git", *args], env=git_env(token, env)).returncode
    except OSError as exc:
        raise GitHubError(f"git cannot be run ({exc.strerror})") from None


def summary(line: str, env: dict[str, str] | None = None) -> None:
    """Add a line to the workflow run's summary page (GITHUB_STEP_SUMMARY), when there is one."""
    path = (os.environ if env is None else env).get("GITHUB_STEP_SUMMARY")
    if path:
        try:
            with open(path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        except OSError:
            pass  # the summary is a convenience; the log says the same
