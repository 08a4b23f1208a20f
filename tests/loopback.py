"""The loopback HTTP server every stub of an outside service runs on (CQC, GitHub, OS, FSA)."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class QuietServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that says nothing when a client goes before its answer is sent (a browser or test
    client closing the connection: socketserver printed the BrokenPipeError's traceback into the test run)."""

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def start(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """Serve ``handler`` on 127.0.0.1 at a free port, in a background thread."""
    server = QuietServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    # polled every 2 ms, so shutdown() at the end of a test returns at once (the default waits up to 0.5 s; 20 ms
    # cost the fast set about 2 s of waiting over its 115 stubs, one worker or the other idle)
    threading.Thread(target=server.serve_forever, args=(0.002,), daemon=True).start()
    return server


def stop(server: ThreadingHTTPServer) -> None:
    """Stop serving and close the port."""
    server.shutdown()
    server.server_close()


class Stub:
    """A stub of an outside service, served on loopback while in ``with``: a subclass answers every request of
    the HTTP methods in ``METHODS`` in ``handle`` (a request of another method gets the server's 501)."""

    METHODS: tuple[str, ...] = ("GET",)
    server: ThreadingHTTPServer | None = None

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        stub = self

        def answer(request: BaseHTTPRequestHandler) -> None:
            stub.handle(request)

        def quiet(request: BaseHTTPRequestHandler, *args: object) -> None:
            pass

        methods: dict[str, object] = {f"do_{m}": answer for m in self.METHODS}
        self.server = start(type("Handler", (BaseHTTPRequestHandler,), {**methods, "log_message": quiet}))
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None
        stop(self.server)

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]
