"""A stand-in Saleor on a loopback port, over real HTTP: the fake Saleor of the tests (captured
answers, stateful gift cards and vouchers) behind a threaded HTTP server, with its own signing key
whose JWKS it serves, so an app in other processes installs on it and calls it like a Saleor."""

from __future__ import annotations

import copy
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

import httpx

from plugin.install.manifest import manifest_template
from plugin.saleor import canned
from plugin.saleor.fake import FakeSaleor
from plugin.saleor.fake_rewards import RewardsSaleorState
from plugin.saleor.testing import TestSigner


class StandInSaleor:
    """`with StandInSaleor() as saleor:` serves `saleor.api_url` until the block ends."""

    def __init__(self) -> None:
        self.signer = TestSigner()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        host, port = self._server.server_address[:2]
        self.api_url = f"http://{host}:{port}/graphql/"
        self.fake = FakeSaleor(api_url=self.api_url, jwks=self.signer.jwks)
        self.shop = RewardsSaleorState().install(self.fake)
        # The captured app's answer to "who am I", as this app (installed from its manifest).
        whoami = copy.deepcopy(canned.answer("AppWhoami", {}))
        whoami["app"]["identifier"] = manifest_template()["id"]
        self.fake.on("AppWhoami", data=whoami)
        self._lock = threading.Lock()  # the fake keeps plain dicts: one request at a time
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> StandInSaleor:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes
               ) -> httpx.Response:
        request = httpx.Request(method, self.api_url.split("/graphql/")[0] + path,
                                headers=headers, content=body)
        with self._lock:
            response = self.fake.transport.handle_request(request)
            response.read()
        return response

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        saleor = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                response = saleor.answer(self.command, self.path, headers, body)
                self.send_response(response.status_code)
                self.send_header("Content-Type",
                                 response.headers.get("content-type", "application/json"))
                self.send_header("Content-Length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

            do_GET = do_POST = _serve

            def log_message(self, format: str, *args: object) -> None:
                pass  # the fake records every request itself

        return Handler
