"""A webservice that answers what a test scripts: the hostile or intercepted server.

It signs anyone in (getchallenge, login, logout answer as vtiger does) and serves, per
operation, a crafted answer: any status, headers and body, a body from a generator
(huge or endless), or a JSON result. Every request is recorded, so a test can check
what the client sent, and where. Listens on 127.0.0.1, port 0; plain HTTP or TLS.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SESSION = "0123456789abcdef01234"


@dataclass
class Answer:
    status: int = 200
    body: bytes | Callable[[], Iterable[bytes]] = b""
    headers: dict[str, str] = field(default_factory=dict)
    length: int | None = None  # Content-Length to announce; None: the body's, or chunked


@dataclass
class Seen:
    method: str
    operation: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes


def ok(result: Any) -> Answer:
    return Answer(body=json.dumps({"success": True, "result": result}).encode())


DEFAULTS = {
    "getchallenge": ok({"token": "6b0ac1d3099ea", "serverTime": 1, "expireTime": 301}),
    "login": ok({"sessionName": SESSION, "userId": "19x1", "version": "0.22",
                 "vtigerVersion": "8.0.2"}),
    "logout": ok({"message": "successfull"}),
}


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.answers: dict[str, Answer | Callable[[Seen], Answer]] = dict(DEFAULTS)
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.scheme = "https" if tls else "http"
        self.thread = threading.Thread(target=self.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}/crm/"

    def on(self, operation: str, answer: Answer | Callable[[Seen], Answer]) -> None:
        self.answers[operation] = answer

    def operations(self) -> list[str]:
        with self.lock:
            return [s.operation for s in self.seen]

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    server: HostileServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        if method == "POST" and "urlencoded" in self.headers.get("Content-Type", ""):
            params.update({k: v[0] for k, v in parse_qs(body.decode("latin-1")).items()})
        seen = Seen(method, params.get("operation", ""), params, dict(self.headers), body)
        with self.server.lock:
            self.server.seen.append(seen)
        scripted = self.server.answers.get(seen.operation, Answer(404, b"no such page"))
        answer = scripted(seen) if callable(scripted) else scripted
        self.send_response(answer.status)
        for name, value in {"Content-Type": "application/json", **answer.headers}.items():
            self.send_header(name, value)
        if isinstance(answer.body, bytes):
            self.send_header("Content-Length", str(answer.length if answer.length is not None
                                                   else len(answer.body)))
            self.end_headers()
            self._write(answer.body)
            return
        if answer.length is not None:
            self.send_header("Content-Length", str(answer.length))
            self.end_headers()
            for chunk in answer.body():
                if not self._write(chunk):
                    return
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in answer.body():
            if chunk and not self._write(b"%x\r\n%s\r\n" % (len(chunk), chunk)):
                return
        self._write(b"0\r\n\r\n")

    def _write(self, data: bytes) -> bool:
        """False once the client has gone (it stopped reading, as it should)."""
        try:
            self.wfile.write(data)
            return True
        except OSError:
            self.close_connection = True
            return False


class AuthProxy(ThreadingHTTPServer):
    """A proxy that wants credentials: every request and tunnel gets 407; counted."""

    daemon_threads = True

    def __init__(self) -> None:
        self.asked: list[str] = []
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.thread = threading.Thread(target=self.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> AuthProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _ProxyHandler(BaseHTTPRequestHandler):
    server: AuthProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _refuse(self) -> None:
        self.server.asked.append(f"{self.command} {self.path}")
        body = b"<html>407 Proxy Authentication Required</html>"
        self.send_response(407)
        self.send_header("Proxy-Authenticate", 'Basic realm="office proxy"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_CONNECT = do_GET = do_POST = _refuse
