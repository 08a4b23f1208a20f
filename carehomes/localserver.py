"""Serve a built site on this computer (for `serve`, the browser tests and the benchmark)."""
from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import re
import urllib.parse
from pathlib import Path
from typing import BinaryIO

# What GitHub Pages compresses: text, JSON (the find page's search index), JavaScript, XML and SVG.
COMPRESSED = re.compile(r"text/.*|application/(json|javascript|xml|atom\+xml|manifest\+json|.*\+json)|image/svg\+xml")
# A file name with a content hash in it (main.484c7ddc.min.css) changes name
# when it changes, so browsers may keep it for a year; everything else for 10 minutes, as GitHub Pages does.
FINGERPRINTED = re.compile(r"[._-][0-9a-f]{7,}[._]")
LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=600"


def cache_control(url_path: str, status: int = 200) -> str:
    """The Cache-Control header for a response: a year for fingerprinted files, 10 minutes for pages
    and other files, and none for errors (a page added later must not stay missing)."""
    if status >= 400:
        return "no-store"
    name = urllib.parse.urlsplit(url_path).path.rsplit("/", 1)[-1]
    return LONG_CACHE if FINGERPRINTED.search(name) else SHORT_CACHE


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip (not given as q=0)."""
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*") and params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            return True
    return False


@functools.lru_cache(maxsize=1024)
def _gzipped(path: str, mtime_ns: int, size: int) -> bytes:
    """A file's bytes gzipped (level 6, as web servers use), kept while the file is unchanged."""
    with open(path, "rb") as f:
        return gzip.compress(f.read(), compresslevel=6, mtime=0)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    prefix = "/"  # the path of the site's published address (site_url), also served here

    def translate_path(self, path: str) -> str:
        """``/care-homes/x`` is ``/x`` when the site is published at ``.../care-homes/``: pages written
        with absolute links (the 404 page's, which mkdocs writes from site_url) work here too."""
        bare = path.split("?", 1)[0].split("#", 1)[0]  # /care-homes?v=1 is the prefix too (it was a 404)
        if self.prefix != "/" and (bare + "/").startswith(self.prefix):
            path = "/" + path[len(self.prefix) - 1:].lstrip("/")
        return super().translate_path(path)

    def parse_request(self) -> bool:
        """An address no file can have (a NUL, %00, or a lone surrogate, %ED%A0%80) is a missing page: the standard
        handler let its ValueError out, printed a traceback and dropped the connection without an answer."""
        if not super().parse_request():
            return False
        path = self.translate_path(self.path)
        try:
            if "\x00" in path:
                raise ValueError(path)
            os.fsencode(path)
        except ValueError:  # UnicodeEncodeError is one
            self.send_error(404)
            return False
        return True

    def send_response(self, code: int, message: str | None = None) -> None:
        self._status = code
        super().send_response(code, message)

    def end_headers(self) -> None:
        """Every response says how long it may be cached (see cache_control)."""
        self.send_header("Cache-Control", cache_control(self.path, getattr(self, "_status", 200)))
        super().end_headers()

    def send_head(self) -> BinaryIO | None:
        """A text file gzipped when the browser accepts it, as GitHub Pages sends it; anything else
        (folders without a slash, listings, missing files, images) as the standard handler does."""
        path = self.translate_path(self.path)
        url_path = urllib.parse.urlsplit(self.path).path
        if os.path.isdir(path) and url_path.endswith("/"):
            path = os.path.join(path, "index.html")
        if not accepts_gzip(self.headers.get("Accept-Encoding")) or url_path.endswith("/") and not path.endswith("index.html"):
            return super().send_head()
        try:
            st = os.stat(path)
        except OSError:
            return super().send_head()
        ctype = self.guess_type(path)
        if not os.path.isfile(path) or not COMPRESSED.fullmatch(ctype.split(";")[0].strip()):
            return super().send_head()
        body = _gzipped(path, st.st_mtime_ns, st.st_size)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(int(st.st_mtime)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)

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


def site_server(directory: Path, host: str = "127.0.0.1", port: int = 0, prefix: str = "/",
                handler: type[_Quiet] | None = None) -> http.server.ThreadingHTTPServer:
    """A threaded static file server for ``directory`` that logs nothing; port 0 picks a free port.
    The site is served at ``/`` and also at ``prefix`` (see ``url_prefix``). Raises OSError when the
    port is taken. ``handler``: a subclass of the quiet handler to use (serve's adds the reload script, watch.py)."""
    made = type("_Handler", (handler or _Quiet,), {"prefix": prefix})
    return http.server.ThreadingHTTPServer((host, port), functools.partial(made, directory=str(directory)))
