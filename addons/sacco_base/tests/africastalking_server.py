"""A local HTTP server that answers like Africa's Talking's SMS API, for tests.

It speaks the documented format (form-encoded POST to /version1/messaging, JSON answer
with SMSMessageData.Recipients) so the real ``africastalking`` SDK talks to it unchanged.
"""

import itertools
import json
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

from sacco_core.africastalking import build_send_response

from .local_http_server import LocalHttpServer


class AfricasTalkingTestServer(LocalHttpServer):
    """Records every request; ``status_code_for`` decides each recipient's status code."""

    def __init__(self):
        self.requests = []
        self.http_status = 201
        self.status_code_for = lambda number: 101
        self._ids = itertools.count(1)
        super().__init__()

    def _answer(self, form):
        recipients = [
            {
                "number": number,
                "status_code": self.status_code_for(number),
                "message_id": f"ATXid_{next(self._ids):06d}",
                "cost": "KES 0.8000",
            }
            for number in form["to"].split(",")
        ]
        return build_send_response(recipients)

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                server.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "form": form}
                )
                if server.http_status >= 400:
                    body, content_type = b"The gateway is unavailable", "text/plain"
                else:
                    body = json.dumps(server._answer(form)).encode()
                    content_type = "application/json"
                self.send_response(server.http_status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler
