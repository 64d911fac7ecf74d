"""Stand-ins for the bureau's GET /v1/health on loopback, over TLS with a certificate a test made
(trustme): what the doctor asks of a bureau, served by the standard library's HTTP server."""

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import trustme


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        body = json.dumps({"ok": True}).encode()
        self.send_response(self.server.status if self.path == "/v1/health" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args) -> None:
        pass


class Bureaus:
    """Servers started with start(), all stopped when the `with` block ends."""

    def __init__(self):
        self.servers: list[ThreadingHTTPServer] = []

    def __enter__(self) -> "Bureaus":
        return self

    def __exit__(self, *_exc) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def start(self, cert: trustme.LeafCert | None = None, status: int = 200) -> str:
        """The url of a new server answering /v1/health with `status`, over TLS with `cert` when given."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
        server.status = status  # type: ignore[attr-defined]
        if cert is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(context)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()  # a quick shutdown
        self.servers.append(server)
        return f"{'https' if cert else 'http'}://127.0.0.1:{server.server_address[1]}"
