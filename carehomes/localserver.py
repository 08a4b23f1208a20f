"""Serve a built site on this computer (for `serve`, the browser tests and the benchmark)."""
from __future__ import annotations

import functools
import http.server
import os
import urllib.parse
from pathlib import Path


class _Quiet(http.server.SimpleHTTPRequestHandler):
    prefix = "/"  # the path of the site's published address (site_url), also served here

    def translate_path(self, path: str) -> str:
        """``/care-homes/x`` is ``/x`` when the site is published at ``.../care-homes/``: pages written
        with absolute links (the 404 page's, which mkdocs writes from site_url) work here too."""
        if self.prefix != "/" and (path + "/").startswith(self.prefix):
            path = "/" + path[len(self.prefix):]
        return super().translate_path(path)

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        """The static ORUK API's responses (oruk/**/index.html, see outputs/oruk_api.py) are JSON."""
        if "/oruk/" in Path(path).as_posix() and Path(path).name == "index.html":
            return "application/json"
        return super().guess_type(path)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A missing page gets the site's own 404.html (status 404) when the built site has one."""
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def url_prefix(site_url: str) -> str:
    """The path part of a site address, between slashes: '/care-homes/' for
    'https://example-council.github.io/care-homes/', '/' when there is none."""
    path = urllib.parse.urlsplit(site_url or "").path.strip("/")
    return f"/{path}/" if path else "/"


def site_server(directory: Path, host: str = "127.0.0.1", port: int = 0, prefix: str = "/") -> http.server.ThreadingHTTPServer:
    """A threaded static file server for ``directory`` that logs nothing; port 0 picks a free port.
    The site is served at ``/`` and also at ``prefix`` (see ``url_prefix``). Raises OSError when the
    port is taken."""
    handler = type("_Handler", (_Quiet,), {"prefix": prefix})
    return http.server.ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(directory)))
