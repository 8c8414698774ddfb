"""The HTTP side of the sandbox: PHP's request handling in front of the operations."""

from __future__ import annotations

import itertools
import logging
import re
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from . import wire
from .errors import FatalError, WSError
from .forms import Form, parse_multipart, parse_urlencoded, read_exact
from .operations import Backend, Call, Config
from .schema import USERS
from .sessions import Sessions
from .store import Store

log = logging.getLogger(__name__)
ENDPOINT = "/webservice.php"
SMALL_ANSWER = 1 << 20
_SESSION_IN_URL = re.compile(r"(sessionName|accessKey)=[^&\s]+")


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], data_dir: Path, config: Config,
                 sessions: Sessions) -> None:
        self.store = Store(data_dir)
        self.tmp_dir = Path(data_dir) / "tmp"
        shutil.rmtree(self.tmp_dir, ignore_errors=True)
        self.tmp_dir.mkdir(parents=True)
        self.config = config
        self.backend = Backend(self.store, sessions, config)
        self.requests_served = 0
        self._count_lock = threading.Lock()
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def count_request(self) -> None:
        with self._count_lock:
            self.requests_served += 1

    def ensure_user(self, name: str, access_key: str) -> str:
        """Create the user, or give it this access key; returns its webservice id."""
        found = self.store.fetch("SELECT crmid FROM users WHERE user_name = ?", (name,))
        if found:
            self.store.update(USERS, found[0][0], {"accesskey": access_key})
            return f"{USERS.prefix}x{found[0][0]}"
        crmid = self.store.insert(USERS, {
            "user_name": name, "first_name": "", "last_name": name.capitalize(),
            "email1": f"{name}@example.com", "status": "Active", "is_admin": "on",
            "time_zone": "Europe/Paris", "date_format": "dd-mm-yyyy", "accesskey": access_key,
        })
        return f"{USERS.prefix}x{crmid}"

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-request is normal life for a server, not a crash."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            log.debug("client %s went away: %s", client_address, exc)
        else:
            log.exception("error while serving %s", client_address)

    def server_close(self) -> None:
        super().server_close()
        self.store.close()


class Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm
        # and delayed ACKs add 40 ms to every small answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        line = _SESSION_IN_URL.sub(r"\1=***", format % args)
        log.debug("%s %s", self.address_string(), line)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        self.server.count_request()
        if self.server.config.latency:
            time.sleep(self.server.config.latency)
        url = urlsplit(self.path)
        if url.path.rstrip("/") != ENDPOINT:
            self._send(404, b"<html><body><h1>Not Found</h1></body></html>",
                       "text/html; charset=UTF-8")
            return
        get = dict(parse_qsl(url.query, keep_blank_values=True))
        prefix, form = b"", Form()
        if method == "POST":
            try:
                prefix, form = self._read_form()
            except ConnectionAbortedError:
                self.close_connection = True
                return
            if form is None:
                return
        try:
            self._answer(Call(method, get, form), prefix)
        finally:
            form.close()

    def _read_form(self) -> tuple[bytes, Form | None]:
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            self._send(411, b"<html><body><h1>411 Length Required</h1></body></html>",
                       "text/html; charset=UTF-8")
            return b"", None
        length = int(length_text)
        config = self.server.config
        chunks = read_exact(self.rfile, length, config.pace if config.bandwidth else None)
        limit = self.server.config.max_post
        if length > limit:  # PHP drops every field, and warns before the output
            for _ in chunks:
                pass
            return wire.post_too_large_warning(length, limit), Form()
        ctype = self.headers.get("Content-Type", "")
        tmp = self.server.tmp_dir
        if ctype.startswith("multipart/form-data"):
            boundary = ctype.partition("boundary=")[2].split(";")[0].strip().strip('"')
            form = parse_multipart(chunks, boundary.encode("latin-1"), tmp)
        elif ctype.startswith("application/x-www-form-urlencoded"):
            form = parse_urlencoded(chunks, tmp)
        else:
            for _ in chunks:
                pass
            form = Form()
        return b"", form

    def _answer(self, call: Call, prefix: bytes) -> None:
        try:
            result = self.server.backend.dispatch(call)
        except WSError as exc:
            body = wire.failure(exc.code, exc.message)
        except FatalError as exc:
            self._send(200, prefix + wire.php_fatal(str(exc)), "text/html; charset=UTF-8")
            return
        except Exception:
            log.exception("operation failed")
            body = wire.failure("INTERNAL_SERVER_ERROR", "Unknown Error while processing request")
        else:
            if isinstance(result, Iterator):
                self._send_stream(result)
                return
            body = wire.success(result)
        ctype = "text/html; charset=UTF-8" if prefix else "application/json"
        self._send(200, prefix + body, ctype)

    def _headers(self, status: int, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-type", ctype)
        self.send_header("Expires", "Thu, 19 Nov 1981 08:52:00 GMT")
        self.send_header("Cache-Control", "no-store, no-cache, must-revalidate")
        self.send_header("Pragma", "no-cache")
        self.send_header("X-Powered-By", "PHP/8.2 (kafdocs sandbox)")

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self._headers(status, ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _paced(self, part: bytes) -> Iterator[bytes]:
        config = self.server.config
        if not config.bandwidth:
            yield part
            return
        for start in range(0, len(part), 64 * 1024):
            piece = part[start:start + 64 * 1024]
            config.pace(len(piece))
            yield piece

    def _send_stream(self, parts: Iterator[bytes]) -> None:
        """Chunked transfer encoding: the base64 length with escapes is unknown up front.

        A small answer is sent whole, with a Content-Length, as PHP's output buffer does.
        """
        first: list[bytes] = []
        size = 0
        for part in parts:
            first.append(part)
            size += len(part)
            if size > SMALL_ANSWER:
                break
        else:
            if not self.server.config.bandwidth:
                self._send(200, b"".join(first), "application/json")
                return
        parts = itertools.chain(first, parts)
        self._headers(200, "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for part in parts:
                for piece in self._paced(part):
                    self.wfile.write(b"%x\r\n" % len(piece))
                    self.wfile.write(piece)
                    self.wfile.write(b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True
