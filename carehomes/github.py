"""GitHub's REST API for the workflows: open or update one pull request or issue, comment, label, close,
start a workflow and push with a token, instead of the ``gh`` tool (which partly uses GraphQL).

Every request goes through the hardened client (``httpclient``): the address is ``GITHUB_API_URL``
(default https://api.github.com; plain http only to a loopback address, for the tests' stub), the token
(``Authorization``) is sent only to that origin and redirects are never followed. The repository is
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
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from . import httpclient

API = "https://api.github.com"
SERVER = "https://github.com"
PR_TOKEN = "SYNC_PR_TOKEN"
MAX_BODY = 65_536  # characters GitHub takes in an issue, pull request or comment body
REPOSITORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}")
DEFAULT_TOKEN_NOTE = (
    "\n\n---\n**The pull-request checks did not start by themselves.** This pull request was opened with the "
    "workflow's default token because the `SYNC_PR_TOKEN` secret is not set, and GitHub starts no workflow for "
    "what that token does. A steward starts the checks by closing and reopening this pull request; setting "
    "`SYNC_PR_TOKEN` (see docs/deployment.md) makes them start by themselves.\n")


class GitHubError(Exception):
    """A request or setting that failed: one line naming what and what to do."""


@dataclass
class GitHub:
    """One repository on GitHub's REST API, with one token."""

    base: str
    repo: str
    token: str
    session: httpclient.Session = field(init=False)

    def __post_init__(self) -> None:
        self.session = httpclient.Session(httpclient.Policy(
            name="GitHub's API", secret_origin=httpclient.origin(self.base), secret_headers=frozenset({"Authorization"}),
            request_deadline=60.0, run_deadline=600.0, max_bytes=8 * 1024 * 1024))

    def call(self, method: str, path: str, payload: dict[str, Any] | None = None,
             query: dict[str, str] | None = None, *, missing_ok: bool = False) -> Any:
        """The JSON answer to ``method path`` (path below /repos/OWNER/NAME when it starts with '/'), None for
        an empty answer or, with ``missing_ok``, a 404. Any other status but 2xx is a GitHubError."""
        where = f"/repos/{self.repo}{path}" if path.startswith("/") else f"/{path}"
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


def _message(raw: bytes) -> str:
    """GitHub's own explanation of a refusal (its 'message' and any error messages), quoted, or ''."""
    try:
        doc = json.loads(raw.decode("utf-8", errors="replace"))
    except ValueError:
        return ""
    if not isinstance(doc, dict):
        return ""
    parts = [str(doc.get("message", ""))] + [str(e.get("message", "")) for e in doc.get("errors", []) if isinstance(e, dict)]
    said = "; ".join(p for p in parts if p)
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
    base = (env.get("GITHUB_API_URL") or API).rstrip("/")
    problem = httpclient.address_problem(base)
    if not problem and base != API and not httpclient.is_loopback(urlsplit(base).hostname or ""):
        problem = f"is not GitHub's API ({API}); only that, or a loopback address for tests, is used"
    if problem:
        raise GitHubError(f"GITHUB_API_URL '{httpclient.quoted(base)}' {problem}")
    repo = env.get("GITHUB_REPOSITORY", "")
    if not REPOSITORY.fullmatch(repo):
        raise GitHubError(f"GITHUB_REPOSITORY '{httpclient.quoted(repo)}' is not owner/name; "
                          "a workflow sets it, elsewhere set it, e.g. GITHUB_REPOSITORY=council/care-homes")
    token = (env.get(PR_TOKEN) if pr_token else "") or env.get("GITHUB_TOKEN", "")
    if not token:
        raise GitHubError("no token: give the step env: GITHUB_TOKEN: ${{ github.token }}"
                          + (f" (and {PR_TOKEN}: ${{{{ secrets.{PR_TOKEN} }}}})" if pr_token else ""))
    return GitHub(base, repo, token)


def uses_pr_token(env: dict[str, str] | None = None) -> bool:
    """True when SYNC_PR_TOKEN is set, so what the automation opens starts the pull-request checks."""
    return bool((os.environ if env is None else env).get(PR_TOKEN))


def check_body(text: str, what: str) -> str:
    """A body GitHub will take, or GitHubError."""
    if len(text) > MAX_BODY:
        raise GitHubError(f"{what} is {len(text):,} characters; GitHub takes at most {MAX_BODY:,}: shorten it")
    return text


def ensure_label(gh: GitHub, name: str, color: str, description: str) -> str:
    """Create the label, or give it this colour and description; 'created', 'updated' or 'unchanged'."""
    have = gh.call("GET", f"/labels/{quote(name, safe='')}", missing_ok=True)
    if have is None:
        gh.call("POST", "/labels", {"name": name, "color": color, "description": description})
        return "created"
    if str(have.get("color", "")).lower() == color.lower() and have.get("description") == description:
        return "unchanged"
    gh.call("PATCH", f"/labels/{quote(name, safe='')}", {"color": color, "description": description})
    return "updated"


def open_or_update_pull_request(gh: GitHub, head: str, base: str, title: str, body: str,
                                labels: list[str]) -> tuple[dict[str, Any], bool]:
    """The one open pull request from branch ``head``, its title and description set (opened when there
    is none), with ``labels`` added; the pull request and whether it was opened now."""
    owner = gh.repo.split("/")[0]
    found = gh.call("GET", "/pulls", query={"head": f"{owner}:{head}", "state": "open", "per_page": "10"}) or []
    if found:
        pr = gh.call("PATCH", f"/pulls/{int(found[0]['number'])}", {"title": title, "body": body})
    else:
        pr = gh.call("POST", "/pulls", {"title": title, "head": head, "base": base, "body": body,
                                        "maintainer_can_modify": True})
    if labels:
        gh.call("POST", f"/issues/{int(pr['number'])}/labels", {"labels": labels})
    return pr, not found


def open_or_update_issue(gh: GitHub, label: str, title: str, body: str, *, close: bool = False) -> tuple[dict[str, Any] | None, str]:
    """The one open issue with ``label``: opened or updated with this title and body; with ``close`` it is
    updated and closed, and none is opened. The issue (None if none) and 'opened', 'updated', 'closed' or 'none'."""
    found = [i for i in gh.call("GET", "/issues", query={"labels": label, "state": "open", "per_page": "100"}) or []
             if "pull_request" not in i]
    if found:
        number = int(sorted(found, key=lambda i: int(i["number"]))[0]["number"])
        change: dict[str, Any] = {"title": title, "body": body}
        if close:
            change.update(state="closed", state_reason="completed")
        return gh.call("PATCH", f"/issues/{number}", change), "closed" if close else "updated"
    if close:
        return None, "none"
    return gh.call("POST", "/issues", {"title": title, "body": body, "labels": [label]}), "opened"


def open_issues(gh: GitHub, label: str) -> list[dict[str, Any]]:
    """The open issues with ``label`` (not pull requests), oldest first: each one's number and text."""
    found = gh.call("GET", "/issues", query={"labels": label, "state": "open", "per_page": "100"}) or []
    return sorted(({"number": int(i["number"]), "body": str(i.get("body") or "")} for i in found if "pull_request" not in i),
                  key=lambda i: i["number"])


def comment(gh: GitHub, number: int, body: str) -> dict[str, Any]:
    """Post a comment on an issue or pull request."""
    return gh.call("POST", f"/issues/{number}/comments", {"body": body})


def close_issue(gh: GitHub, number: int) -> dict[str, Any]:
    """Close an issue as done."""
    return gh.call("PATCH", f"/issues/{number}", {"state": "closed", "state_reason": "completed"})


def dispatch(gh: GitHub, workflow: str, ref: str) -> None:
    """Start a workflow (its file name, e.g. publish.yml) on a branch."""
    gh.call("POST", f"/actions/workflows/{quote(workflow, safe='')}/dispatches", {"ref": ref})


def git_env(token: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a git command that sends ``token`` to GitHub only (GITHUB_SERVER_URL), as
    actions/checkout does: an extra header in git's configuration from the environment, never in a
    file, a remote's address or the command line."""
    env = dict(os.environ if env is None else env)
    server = (env.get("GITHUB_SERVER_URL") or SERVER).rstrip("/")
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
