"""A fault-injecting HTTP proxy between a client and the sandbox, over real sockets.

Each request is matched against a list of planned faults (by operation); a fault is
used once (or ``times`` times), then requests pass through untouched.
"""

from __future__ import annotations

import http.client
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WARNING = (b"<br />\n<b>Warning</b>:  Undefined array key \"VT\" in "
           b"<b>/var/www/html/include/utils.php</b> on line <b>12</b><br />\n")


@dataclass
class Fault:
    operation: str
    kind: str  # see Handler._apply
    times: int = 1
    arg: float = 0.0
    min_body: int = 0  # only requests with at least this many body bytes


class FaultProxy(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.faults: list[Fault] = []
        self.seen: list[tuple[str, str]] = []  # (operation, fault kind or "")
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def add(self, operation: str, kind: str, times: int = 1, arg: float = 0.0,
            min_body: int = 0) -> None:
        with self.lock:
            self.faults.append(Fault(operation, kind, times, arg, min_body))

    def take(self, operation: str, body_size: int) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.operation in (operation, "*") and fault.times > 0 \
                        and body_size >= fault.min_body:
                    fault.times -= 1
                    self.seen.append((operation, fault.kind))
                    return fault
            self.seen.append((operation, ""))
            return None

    def faults_used(self) -> list[str]:
        return [kind for _, kind in self.seen if kind]

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    server: FaultProxy
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._proxy("GET")

    def do_POST(self) -> None:
        self._proxy("POST")

    def _reset(self) -> None:
        """Close with RST, as a crashed peer or a cut cable does."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _proxy(self, method: str) -> None:
        operation = parse_qs(urlsplit(self.path).query).get("operation", [""])[0]
        length = int(self.headers.get("Content-Length") or 0)
        fault = self.server.take(operation, length)
        kind = fault.kind if fault else ""
        if kind == "reset_request":  # read part of the upload, then drop the line
            self.rfile.read(min(length, 65536))
            self._reset()
            return
        body = self.rfile.read(length) if length else b""
        if kind == "delay":
            time.sleep(fault.arg)
        canned = {
            "status_500": (500, b"<html><body><h1>500 Internal Server Error</h1></body></html>"),
            "status_502": (502, b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"),
            "status_503": (503, b"<html><body><h1>503 Service Unavailable</h1></body></html>"),
            "empty": (200, b""),
            "not_envelope": (200, b'{"status": "ok", "data": []}'),
            "html_page": (200, b"<html><head><title>Kafinea - Login</title></head>"
                               b"<body>Please log in</body></html>"),
        }
        if kind in canned:
            status, payload = canned[kind]
            self._send(status, payload, "text/html; charset=UTF-8")
            return
        status, headers, answer = self._forward(method, body)
        if kind == "php_warning":
            answer = WARNING * 40 + answer
        if kind == "announce_more":  # a whole answer whose filesize says one byte more
            answer = re.sub(rb'"filesize":(\d+)',
                            lambda m: b'"filesize":%d' % (int(m.group(1)) + 1), answer, count=1)
        if kind == "truncate":  # announce the whole body, send half, close
            self._send(status, answer[: len(answer) // 2], headers.get("Content-type", ""),
                       length=len(answer))
            self._reset()
            return
        if kind == "reset_response":  # headers and part of the body, then RST
            self._send(status, answer[: max(1, len(answer) // 3)],
                       headers.get("Content-type", ""), length=len(answer))
            self._reset()
            return
        self._send(status, answer, headers.get("Content-type", "application/json"))

    def _forward(self, method: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(*self.server.target, timeout=60)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("host", "connection")}
        conn.request(method, self.path, body=body or None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, dict(resp.getheaders()), data

    def _send(self, status: int, payload: bytes, ctype: str, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-type", ctype or "application/json")
        self.send_header("Content-Length", str(len(payload) if length is None else length))
        self.end_headers()
        self.wfile.write(payload)
