"""The HTTP side of the sandbox: PHP's request handling in front of the operations.

Unlike PHP, it looks at the session before it keeps a body: a request with a bad
session, or none, is read and thrown away as it arrives, never stored, so an
unauthenticated 60 MB upload costs no memory or disk.
"""

from __future__ import annotations

import itertools
import logging
import re
import selectors
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
from .errors import AUTH_REQUIRED, FatalError, WSError
from .forms import (
    MEMORY_LIMIT,
    BadRequest,
    Form,
    Value,
    parse_multipart,
    parse_urlencoded,
    read_exact,
)
from .operations import Backend, Call, Config
from .schema import USERS
from .sessions import Sessions
from .store import Store

log = logging.getLogger(__name__)
ENDPOINT = "/webservice.php"
SMALL_ANSWER = 1 << 20
LENGTH_REQUIRED = "Length Required"
_SESSION_IN_URL = re.compile(r"(sessionName|accessKey)=[^&\s]+")


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], data_dir: Path, config: Config,
                 sessions: Sessions) -> None:
        self.store = Store(data_dir, config.time_zone)
        self.tmp_dir = Path(data_dir) / "tmp"
        shutil.rmtree(self.tmp_dir, ignore_errors=True)
        self.tmp_dir.mkdir(mode=0o700)
        self.config = config
        self.backend = Backend(self.store, sessions, config)
        self.requests_served = 0
        self._count_lock = threading.Lock()
        self._stopping = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
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

    def serve(self) -> None:
        """Accept requests until ``stop()``, which wakes this loop at once (serve_forever
        would take up to a poll interval to notice)."""
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self and not self._stopping.is_set():
                        self._handle_request_noblock()

    def stop(self) -> None:
        self._stopping.set()
        self._wake_w.send(b"x")

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-request is normal life for a server, not a crash."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            log.debug("client %s went away: %s", client_address, exc)
        else:
            log.exception("error while serving %s", client_address)

    def server_close(self) -> None:
        super().server_close()
        self._wake_r.close()
        self._wake_w.close()
        self.store.close()


class Rejected(Exception):
    """The request fails whatever its body holds: the rest of it is not kept."""

    def __init__(self, error: WSError) -> None:
        super().__init__(error.message)
        self.error = error


class SessionGuard:
    """Keeps a body only once a valid session was seen (URL or an earlier field), or
    while it is small; a bad session rejects the request at once."""

    def __init__(self, backend: Backend, call: Call) -> None:
        self.backend = backend
        self.call = call
        self.session_ok = False
        self.exempt = False  # a pre-login operation, or one that PHP fails earlier
        self._check_operation(call.get.get("operation"))
        self._check_session(call.get.get("sessionName"))

    def _check_operation(self, name: str | None) -> None:
        if name is None:
            return
        try:
            op = self.backend.operation(Call("POST", {"operation": name}, Form()))
        except FatalError:
            self.exempt = True  # the unknown-operation page comes first
            return
        self.exempt = self.exempt or op.prelogin

    def _check_session(self, name: str | None) -> None:
        if self.exempt or not name or name.lower() == "null":
            return
        try:
            self.backend.sessions.check(name)
        except WSError as exc:
            raise Rejected(exc) from None
        self.session_ok = True

    def field_done(self, name: str, value: Value) -> None:
        if name == "operation":
            self._check_operation(value.text())
        elif name == "sessionName" and not self.session_ok:
            self._check_session(value.text())

    def grew(self, size: int) -> None:
        if size > MEMORY_LIMIT and not (self.session_ok or self.exempt):
            raise Rejected(WSError(*AUTH_REQUIRED))


class Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""

    def setup(self) -> None:
        self.timeout = self.server.config.request_timeout  # a silent client is dropped
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
        call = Call(method, dict(parse_qsl(url.query, keep_blank_values=True)), Form())
        prefix = b""
        try:
            if method == "POST":
                prefix = self._read_form(call)
        except ConnectionAbortedError:
            self.close_connection = True
            return
        except BadRequest as exc:
            self.close_connection = True
            status = 411 if exc.args[0] == LENGTH_REQUIRED else 400
            self._send(status, f"<html><body><h1>{status} {exc}</h1></body></html>".encode(),
                       "text/html; charset=UTF-8")
            return
        except Rejected as exc:
            self._send(200, wire.failure(exc.error.code, exc.error.message), "application/json")
            return
        try:
            self._answer(call, prefix)
        finally:
            call.form.close()

    def _content_length(self) -> int:
        text = self.headers.get("Content-Length")
        if text is None:
            raise BadRequest(LENGTH_REQUIRED)
        if not text.strip().isdigit():
            raise BadRequest("bad Content-Length")
        return int(text)

    def _read_form(self, call: Call) -> bytes:
        """Fill ``call.form`` from the body; returns what PHP printed before the answer."""
        length = self._content_length()
        config = self.server.config
        chunks = read_exact(self.rfile, length, config.pace if config.bandwidth else None)
        try:
            guard = SessionGuard(self.server.backend, call)
            if length > config.max_post:  # PHP drops every field, and may warn first
                _drain(chunks)
                return (wire.post_too_large_warning(length, config.max_post)
                        if config.warns_on_large_post else b"")
            call.form = self._parse(chunks, guard)
        except Rejected:
            _drain(chunks)
            raise
        return b""

    def _parse(self, chunks: Iterator[bytes], guard: SessionGuard) -> Form:
        ctype = self.headers.get("Content-Type", "")
        tmp = self.server.tmp_dir
        if ctype.startswith("multipart/form-data"):
            boundary = ctype.partition("boundary=")[2].split(";")[0].strip().strip('"')
            return parse_multipart(chunks, boundary.encode("latin-1"), tmp, guard)
        if ctype.startswith("application/x-www-form-urlencoded"):
            return parse_urlencoded(chunks, tmp, guard)
        _drain(chunks)
        return Form()

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


def _drain(chunks: Iterator[bytes]) -> None:
    """Read the rest of a body without keeping it, so the client gets its answer."""
    for _ in chunks:
        pass
