"""A threaded HTTP server on 127.0.0.1 that the provider test servers build on.

Subclasses give ``_handler_class()`` (the request handler speaking the provider's format);
the server listens on a free port from construction and serves inside ``with``.
"""

import threading
from http.server import ThreadingHTTPServer


class LocalHttpServer:
    def __init__(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _handler_class(self):
        raise NotImplementedError

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
