"""A loopback stand-in for a file publisher (OS's downloads service, FSA's open data files).

``routes`` maps a request path (query included) to ``(status, headers, body)``; anything else is 404.
The same server answers as 127.0.0.1 and as localhost, so a redirect from one to the other is a
redirect to another host. Every request path is logged.
"""
from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import loopback


class DownloadStub(loopback.Stub):
    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.log: list[str] = []

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        self.log.append(h.path)
        status, headers, body = self.routes.get(h.path, (404, {}, b"not found"))
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
