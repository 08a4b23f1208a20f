"""Serve a built site on this computer (for `serve`, the browser tests and the benchmark)."""
from __future__ import annotations

import functools
import http.server
import os
from pathlib import Path


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def guess_type(self, path: str | os.PathLike[str]) -> str:
        """The static ORUK API's responses (oruk/**/index.html, see outputs/oruk_api.py) are JSON."""
        if "/oruk/" in Path(path).as_posix() and Path(path).name == "index.html":
            return "application/json"
        return super().guess_type(path)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def site_server(directory: Path, host: str = "127.0.0.1", port: int = 0) -> http.server.ThreadingHTTPServer:
    """A threaded static file server for ``directory`` that logs nothing; port 0 picks a free port.
    Raises OSError when the port is taken."""
    return http.server.ThreadingHTTPServer((host, port), functools.partial(_Quiet, directory=str(directory)))
