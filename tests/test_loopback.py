"""The tests' own loopback server: a client that goes before its answer is sent is no traceback in the test run."""
from __future__ import annotations

import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler

import loopback


def _served(error: type[Exception]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            raise error("raised by the handler")

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def _get(port: int) -> None:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
    except (urllib.error.URLError, ConnectionError):
        pass


def test_a_client_gone_is_said_nothing_of_and_any_other_error_is_still_printed(capfd):
    for error, said in ((BrokenPipeError, False), (ConnectionResetError, False), (ValueError, True)):
        done = threading.Event()

        class Server(loopback.QuietServer):
            ended = done

            def shutdown_request(self, request: object) -> None:  # after handle_error, in the request's thread
                super().shutdown_request(request)  # type: ignore[arg-type]
                self.ended.set()

        server = Server(("127.0.0.1", 0), _served(error))
        threading.Thread(target=server.serve_forever, args=(0.002,), daemon=True).start()
        try:
            _get(server.server_address[1])
            assert done.wait(5)
        finally:
            loopback.stop(server)
        err = capfd.readouterr().err
        assert ("Traceback" in err and "raised by the handler" in err) == said, (error, err)
