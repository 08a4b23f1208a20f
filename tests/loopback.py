"""The loopback HTTP server every stub of an outside service runs on (CQC, GitHub, OS, FSA)."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def start(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """Serve ``handler`` on 127.0.0.1 at a free port, in a background thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    # polled every 20 ms, so shutdown() at the end of a test returns at once (the default waits up to 0.5 s)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return server


def stop(server: ThreadingHTTPServer) -> None:
    """Stop serving and close the port."""
    server.shutdown()
    server.server_close()
