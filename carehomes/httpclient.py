"""One hardened HTTP client for every answer from outside (the CQC API now; file downloads later).

Each source has a ``Policy``: the origins its requests may start at, the hosts a redirect may lead
to, which headers are secret and the one origin they may go to, a deadline per request and per run,
a byte limit per answer and the deepest JSON it accepts. The rules:

* https only; plain http only to a loopback address (127.0.0.1, ::1, localhost: the test stubs),
  and never from https down to http;
* redirects are followed by this module (never by urllib, which copies every header) and only to
  the policy's hosts; a secret header (an API key) is sent only to its own origin, so after a
  redirect elsewhere it is not sent at all;
* the request's deadline covers connecting, the headers and the whole body: a watchdog closes
  the connection when it passes, so a server that sends a byte a second cannot hold a run;
* the body is read in chunks and refused as soon as it passes the byte limit;
* JSON nesting is measured before parsing (a sum over the brackets outside strings), so a 200,000-deep
  answer never reaches ``json.loads``' recursion.

Every failure is an ``HttpError`` whose message is one line naming the URL (quoted) and what was
wrong; ``retry`` says whether trying again may help. Only the standard library is used.
"""
from __future__ import annotations

import http.client
import ipaddress
import itertools
import json
import operator
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from .jsontext import no_constant
from .safetext import plain

LOOPBACK_NAMES = ("localhost",)
REDIRECTS = (301, 302, 303, 307, 308)
CHUNK = 64 * 1024


class HttpError(Exception):
    """One request that failed: a one-line message; ``retry`` is True when trying again may help
    (a timeout, a broken connection, a 5xx), ``status`` the HTTP status if there was one."""

    def __init__(self, url: str, problem: str, *, retry: bool = False, status: int | None = None) -> None:
        super().__init__(f"{quoted(url)}: {problem}")
        self.url, self.problem, self.retry, self.status = url, problem, retry, status


class RunDeadline(HttpError):
    """The whole run has used its time: no more requests."""


def quoted(text: str, limit: int = 200) -> str:
    """Outside text as shown in a message: one line, control characters escaped, at most ``limit``
    characters (so a URL or ID from an answer cannot start a line or a workflow command in a log)."""
    return plain(text[:limit]) + ("…" if len(text) > limit else "")


def origin(url: str) -> str:
    """scheme://host:port of a URL, with the default port written out ('' if it has no host)."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme.lower(), 0)
    except ValueError:
        return ""
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}" if parts.hostname else ""


def is_loopback(host: str) -> bool:
    """True for localhost and loopback IP addresses (127.0.0.0/8, ::1)."""
    host = host.lower().strip("[]")
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def address_problem(url: str) -> str | None:
    """Why this address may not be used ('' scheme, plain http to a real host...), or None if it may."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return "is not a valid address"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return "is not an https address"
    if scheme == "http" and not is_loopback(parts.hostname):
        return "is plain http; only https is allowed (plain http only to 127.0.0.1 or localhost, for tests)"
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        return "holds spaces or control characters"
    return None


@dataclass(frozen=True)
class Policy:
    """What one source may do. ``hosts``: where a redirect may lead (besides the start URL's own
    host); ``secret_headers`` go only to ``secret_origin`` (scheme://host:port)."""

    name: str
    secret_origin: str = ""
    secret_headers: frozenset[str] = frozenset()
    hosts: frozenset[str] = frozenset()
    request_deadline: float = 120.0  # seconds for one request, body included
    run_deadline: float = 3 * 3600.0  # seconds for every request of one run
    max_bytes: int = 32 * 1024 * 1024
    max_depth: int = 64
    max_redirects: int = 5
    timeout: float = 30.0  # seconds of silence on the socket


@dataclass
class Response:
    url: str  # where the answer came from, after any redirect
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass
class Session:
    """Requests under one policy, sharing the run's deadline (set when the session starts)."""

    policy: Policy
    started: float = field(default_factory=time.monotonic)
    ssl_context: ssl.SSLContext | None = None

    def remaining(self) -> float:
        return self.policy.run_deadline - (time.monotonic() - self.started)

    def check_redirect(self, current: str, target: str) -> None:
        """Refuse a redirect that leaves the policy: plain http, a host not allowed, a bad address."""
        problem = address_problem(target)
        if not problem and urlsplit(current).scheme.lower() == "https" and urlsplit(target).scheme.lower() != "https":
            problem = "is plain http after https"
        host = (urlsplit(target).hostname or "").lower() if not problem else ""
        if not problem and host != (urlsplit(current).hostname or "").lower() and host not in self.policy.hosts:
            problem = f"is on a host {self.policy.name} is not allowed to redirect to"
        if problem:
            raise HttpError(current, f"redirects to {quoted(target)}, which {problem}; not followed")

    def get(self, url: str, headers: dict[str, str]) -> Response:
        """GET ``url`` (following allowed redirects) and return the whole answer, whatever its status.
        Raises HttpError (one line) on any failure, RunDeadline when the run is out of time."""
        problem = address_problem(url)
        if problem:
            raise HttpError(url, f"the address {problem}")
        secret = {k.lower() for k in self.policy.secret_headers}
        for _ in range(self.policy.max_redirects + 1):
            sent = {k: v for k, v in headers.items() if k.lower() not in secret or origin(url) == self.policy.secret_origin}
            resp = self._once(url, sent)
            if resp.status not in REDIRECTS:
                return resp
            location = resp.headers.get("Location")
            if not location:
                raise HttpError(url, f"HTTP {resp.status} with no Location", status=resp.status)
            target = urljoin(url, location.strip())
            self.check_redirect(url, target)
            url = target
        raise HttpError(url, f"more than {self.policy.max_redirects} redirects; not followed")

    def send(self, method: str, url: str, headers: dict[str, str], body: bytes | None = None) -> Response:
        """One request of any method (POST, PATCH...) to ``url`` and its whole answer, whatever its status.
        A redirect is not followed (a write must reach the address it was meant for); secret headers go
        only to the policy's origin. Raises HttpError (one line) on any failure."""
        problem = address_problem(url)
        if problem:
            raise HttpError(url, f"the address {problem}")
        secret = {k.lower() for k in self.policy.secret_headers}
        sent = {k: v for k, v in headers.items() if k.lower() not in secret or origin(url) == self.policy.secret_origin}
        resp = self._once(url, sent, method, body)
        if resp.status in REDIRECTS:
            raise HttpError(url, f"HTTP {resp.status}: a {method} request is not redirected; not followed", status=resp.status)
        return resp

    def _once(self, url: str, headers: dict[str, str], method: str = "GET", body: bytes | None = None) -> Response:
        """One request and its whole body, within the request's and the run's deadlines."""
        left = self.remaining()
        if left <= 0:
            raise RunDeadline(url, f"the run's deadline of {self.policy.run_deadline:g} s has passed; "
                              "no more requests were made")
        budget = min(self.policy.request_deadline, left)
        run_limited = budget < self.policy.request_deadline
        parts = urlsplit(url)
        conn: http.client.HTTPConnection
        timeout = min(self.policy.timeout, budget)
        if parts.scheme.lower() == "https":
            conn = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=timeout,
                                               context=self.ssl_context or ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
        expired = threading.Event()

        def watchdog() -> None:
            expired.set()
            sock = conn.sock
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        timer = threading.Timer(budget, watchdog)
        timer.daemon = True
        start = time.monotonic()
        timer.start()

        def late() -> HttpError:
            if run_limited:
                return RunDeadline(url, f"the run's deadline of {self.policy.run_deadline:g} s passed "
                                   "during this request")
            return HttpError(url, f"no complete answer within {budget:g} s", retry=True)

        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            length = resp.getheader("Content-Length", "")
            if length.strip().isdigit() and int(length) > self.policy.max_bytes:
                raise HttpError(url, f"the response is {int(length):,} bytes, more than the limit of "
                                f"{self.policy.max_bytes:,}; nothing was read", status=resp.status)
            chunks, total = [], 0
            while True:
                if expired.is_set() or time.monotonic() - start > budget:
                    raise late()
                chunk = resp.read1(CHUNK) if resp.status not in REDIRECTS else b""
                if not chunk:
                    break
                total += len(chunk)
                if total > self.policy.max_bytes:
                    raise HttpError(url, f"the response is more than the limit of {self.policy.max_bytes:,} "
                                    "bytes; reading stopped there", status=resp.status)
                chunks.append(chunk)
            if expired.is_set():
                raise late()
            return Response(url, resp.status, resp.headers, b"".join(chunks))
        except HttpError:
            raise
        except (TimeoutError, socket.timeout):
            if expired.is_set():
                raise late() from None
            raise HttpError(url, f"no answer within {timeout:g} s", retry=True) from None
        except ssl.SSLCertVerificationError as exc:
            raise HttpError(url, f"the server's certificate is not valid ({quoted(str(exc.verify_message))})") from None
        except (http.client.HTTPException, OSError, ValueError) as exc:
            if expired.is_set():
                raise late() from None
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or type(exc).__name__
            raise HttpError(url, f"cannot connect ({quoted(str(reason))})", retry=True) from None
        finally:
            timer.cancel()
            conn.close()


# --- JSON ------------------------------------------------------------------------------------

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_WEIGHTS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


def too_deep(raw: bytes, max_depth: int) -> bool:
    """True if the JSON text nests arrays/objects more than ``max_depth`` deep. Strings are removed
    and only brackets kept, an opening one weighing 2 and a closing one 0: after k brackets the
    running sum less k is the depth there. All of it runs in C, however deep or long the text."""
    weights = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS).translate(_WEIGHTS)
    if not weights:
        return False
    return max(map(operator.sub, itertools.accumulate(weights), itertools.count(1))) > max_depth


def decode_json(raw: bytes, max_depth: int, url: str) -> Any:
    """The JSON value of an answer, or HttpError naming the URL: not UTF-8, nested too deep, not JSON."""
    if too_deep(raw, max_depth):
        raise HttpError(url, f"the response nests more than {max_depth} levels deep; not read")
    try:
        return json.loads(raw.decode("utf-8-sig"), parse_constant=no_constant)
    except UnicodeDecodeError:
        raise HttpError(url, "the response is not valid JSON (not UTF-8 text)", retry=True) from None
    except (ValueError, RecursionError):
        raise HttpError(url, "the response is not valid JSON", retry=True) from None
