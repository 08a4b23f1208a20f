"""A loopback stand-in for a file publisher (OS's downloads service, FSA's open data files).

``routes`` maps a request path (query included) to ``(status, headers, body)``; anything else is 404.
The same server answers as 127.0.0.1 and as localhost, so a redirect from one to the other is a
redirect to another host. Every request path is logged.
"""
from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import loopback
from typing import Self


class DownloadStub:
    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.log: list[str] = []
        self.server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> Self:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub.log.append(self.path)
                status, headers, body = stub.routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = loopback.start(Handler)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None
        loopback.stop(self.server)
