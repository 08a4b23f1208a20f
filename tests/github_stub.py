"""A local stand-in for the part of GitHub's REST API the workflows use (``carehomes/github.py``).

It keeps one repository's issues, pull requests (numbered together, as GitHub does), comments, labels and
workflow dispatches in memory, answers at GitHub's paths on 127.0.0.1, and logs every request with its
method, path, token and JSON body, so a test reads what a steward would see on GitHub. ``answer`` makes
one request get an answer GitHub would never give (a list for an object, a number that is text...).
"""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler

import loopback
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


class GitHubStub(loopback.Stub):
    """``with GitHubStub("council/carehomes") as gh:`` starts it; ``gh.base`` is its GITHUB_API_URL."""

    METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")

    def __init__(self, repo: str = "council/carehomes") -> None:
        self.repo = repo
        self.issues: dict[int, dict[str, Any]] = {}  # issues and pull requests, by number
        self.comments: list[dict[str, Any]] = []
        self.labels: dict[str, dict[str, Any]] = {}
        self.dispatches: list[dict[str, Any]] = []
        self.pages_asked: list[int] = []  # the page of each GET /issues
        self.log: list[tuple[str, str, str, Any]] = []  # method, path, token, body
        self.canned: dict[tuple[str, str], tuple[int, Any]] = {}  # (method, path below the repository): status, answer
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- what a steward sees ----------------------------------------------------------------

    def pulls(self, state: str = "all") -> list[dict[str, Any]]:
        return [i for i in self.issues.values() if "head" in i and state in ("all", i["state"])]

    def plain_issues(self, state: str = "all") -> list[dict[str, Any]]:
        return [i for i in self.issues.values() if "head" not in i and state in ("all", i["state"])]

    def comments_on(self, number: int) -> list[str]:
        return [c["body"] for c in self.comments if c["number"] == number]

    def add_issue(self, title: str, body: str, user: str, labels: list[str] | None = None) -> dict[str, Any]:
        """An issue someone opened on GitHub (an issue form's), as the event payload shows it."""
        with self.lock:
            return self._new({"title": title, "body": body, "labels": [{"name": n} for n in labels or []],
                              "user": {"login": user}})

    def add_comment(self, number: int, body: str, user: str) -> dict[str, Any]:
        """A comment someone wrote on GitHub (every comment the API is asked to post is the workflow's: github-actions[bot])."""
        with self.lock:
            made = {"number": number, "body": body, "user": {"login": user, "type": "User"},
                    "html_url": f"{self.issues[number]['html_url']}#issuecomment-{len(self.comments) + 1}"}
            self.comments.append(made)
            return made

    def answer(self, method: str, path: str, body: Any, status: int = 200) -> None:
        """From now on answer ``method path`` (below /repos/OWNER/NAME) with ``body``: bytes as they are, else its JSON."""
        self.canned[(method, path)] = (status, body)

    # --- serving ----------------------------------------------------------------------------

    def _new(self, fields: dict[str, Any]) -> dict[str, Any]:
        number = max(self.issues, default=0) + 1
        item = {"number": number, "state": "open", "state_reason": None, "labels": [], "user": {"login": "github-actions[bot]"},
                "created_at": "2026-11-23T09:00:00Z", "html_url": f"https://github.com/{self.repo}/issues/{number}", **fields}
        self.issues[number] = item
        return item

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        body = json.loads(raw) if raw else None
        token = (h.headers.get("Authorization") or "").removeprefix("Bearer ")
        with self.lock:
            self.log.append((h.command, url.path, token, body))
            if not token:
                return self._send(h, 401, {"message": "Requires authentication"})
            prefix = f"/repos/{self.repo}"
            if not url.path.startswith(prefix + "/"):
                return self._send(h, 404, {"message": "Not Found"})
            q = {k: v[-1] for k, v in parse_qs(url.query).items()}
            path = unquote(url.path.removeprefix(prefix))
            status, answer = self.canned.get((h.command, path)) or self.route(h.command, path, q, body or {})
        self._send(h, status, answer)

    def route(self, method: str, path: str, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        m = re.fullmatch(r"/labels/(.+)", path)
        if m:
            label = self.labels.get(m[1])
            if not label:
                return 404, {"message": "Not Found"}
            if method == "PATCH":
                label.update(body)
            return 200, label
        if path == "/labels" and method == "POST":
            if body["name"] in self.labels:
                return 422, {"message": "Validation Failed", "errors": [{"code": "already_exists"}]}
            self.labels[body["name"]] = dict(body)
            return 201, self.labels[body["name"]]
        if path == "/pulls" and method == "GET":
            owner = self.repo.split("/")[0]
            return 200, [p for p in self.pulls(q.get("state", "open"))
                         if not q.get("head") or f"{owner}:{p['head']['ref']}" == q["head"]]
        if path == "/pulls" and method == "POST":
            if any(p["head"]["ref"] == body["head"] for p in self.pulls("open")):
                return 422, {"message": "Validation Failed", "errors": [{"message": f"A pull request already exists for {body['head']}."}]}
            pr = self._new({"title": body["title"], "body": body.get("body", ""), "head": {"ref": body["head"]},
                            "base": {"ref": body["base"]}})
            pr["html_url"] = f"https://github.com/{self.repo}/pull/{pr['number']}"
            return 201, pr
        m = re.fullmatch(r"/(pulls|issues)/(\d+)", path)
        if m and int(m[2]) in self.issues:
            item = self.issues[int(m[2])]
            if method == "PATCH":
                item.update({k: v for k, v in body.items() if k in ("title", "body", "state", "state_reason")})
            return 200, item
        if path == "/issues" and method == "GET":
            wanted = set(filter(None, q.get("labels", "").split(",")))
            listed = [i for i in self.issues.values() if q.get("state", "open") in ("all", i["state"])
                      and wanted <= {lab["name"] for lab in i["labels"]}]
            per_page, page = int(q.get("per_page", "30")), int(q.get("page", "1"))  # GitHub's pages: 30 unless asked
            self.pages_asked.append(page)
            return 200, listed[(page - 1) * per_page:page * per_page]
        if path == "/issues" and method == "POST":
            return 201, self._new({"title": body["title"], "body": body.get("body", ""),
                                   "labels": [{"name": n} for n in body.get("labels", [])]})
        m = re.fullmatch(r"/issues/(\d+)/(labels|comments)", path)
        if m and int(m[1]) in self.issues and m[2] == "comments" and method == "GET":
            listed = [c for c in self.comments if c["number"] == int(m[1])]
            per_page, page = int(q.get("per_page", "30")), int(q.get("page", "1"))
            return 200, listed[(page - 1) * per_page:page * per_page]
        if m and int(m[1]) in self.issues and method == "POST":
            item = self.issues[int(m[1])]
            if m[2] == "labels":
                for name in body["labels"]:
                    self.labels.setdefault(name, {"name": name, "color": "ededed", "description": ""})
                    if name not in {lab["name"] for lab in item["labels"]}:
                        item["labels"].append({"name": name})
                return 200, item["labels"]
            made = {"number": item["number"], "body": body["body"], "user": {"login": "github-actions[bot]", "type": "Bot"},
                    "html_url": f"{item['html_url']}#issuecomment-{len(self.comments) + 1}"}
            self.comments.append(made)
            return 201, made
        m = re.fullmatch(r"/actions/workflows/([^/]+)/dispatches", path)
        if m and method == "POST":
            self.dispatches.append({"workflow": m[1], **body})
            return 204, None
        return 404, {"message": "Not Found"}

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(raw)))
            h.end_headers()
            h.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass
