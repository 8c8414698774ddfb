"""GETs handed straight to urllib3's connection pool, without requests' per-call work.

A small file or a small call costs its CPU in Python, and with several transfer
threads in one process that CPU is serialised by the GIL: through requests' adapter a
``files_retrieve`` of 30 KB took 2.0 ms, on urllib3's pool 1.3 ms. A GET here is sent
as the adapter would send it — the pool it would choose (same TLS context, same
certificate checks), the session's headers, no redirect followed, no retry down
there, streamed, the same timeouts — and comes back as a ``requests.Response`` or as
the exception requests would raise, so the client's one mapping of failures to its
own errors (``Client._http``) is unchanged. Requests with a body, through a proxy or
with cookies to send take requests' own path: they are few, and each has more rules.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.cookies import extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers, select_proxy
from urllib3.exceptions import (
    ClosedPoolError,
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.exceptions import InvalidHeader as Urllib3InvalidHeader
from urllib3.exceptions import ProxyError as Urllib3ProxyError
from urllib3.exceptions import SSLError as Urllib3SSLError
from urllib3.util import Timeout

Verify = bool | str


class DirectGet:
    """The GET path of one client: its session's settings, its adapter's pools."""

    def __init__(self, session: requests.Session, adapter: HTTPAdapter) -> None:
        self.session = session
        self.adapter = adapter
        # What requests derives from the URL and the TLS settings to pick a pool: the
        # same for every call to one endpoint, so worked out once per (URL, settings).
        self._pool_keys: dict[tuple[str, Verify, Any], dict[str, Any]] = {}
        self._timeouts: dict[tuple[float, float], Timeout] = {}
        self._lock = threading.Lock()

    def applies(self, url: str) -> bool:
        """Whether a GET of ``url`` may go this way: no proxy for it, no cookie to send."""
        proxies = self.session.proxies
        if proxies and select_proxy(url, proxies) is not None:
            return False
        return not self.session.cookies

    def get(self, base: str, url: str, timeout: tuple[float, float],
            verify: Verify) -> requests.Response:
        """GET ``url`` (``base`` with its query string), streamed, as requests would."""
        cert = self.session.cert
        try:
            pool = self.adapter.poolmanager.connection_from_host(
                **self._pool_key(base, verify, cert))
            self.adapter.cert_verify(pool, url, verify, cert)  # type: ignore[no-untyped-call]
            raw = pool.urlopen("GET", _path_and_query(url), body=None,
                               headers=self.session.headers,
                               redirect=False, assert_same_host=False, preload_content=False,
                               decode_content=False, retries=self.adapter.max_retries,
                               timeout=self._timeout(timeout), chunked=False)
        except Exception as exc:
            mapped = _as_requests_error(exc)
            if mapped is exc:
                raise
            raise mapped from exc
        return self._response(url, raw)

    def _pool_key(self, base: str, verify: Verify, cert: Any) -> dict[str, Any]:
        key = (base, verify, cert)
        found = self._pool_keys.get(key)
        if found is None:
            probe = requests.PreparedRequest()
            probe.prepare(method="GET", url=base)
            host_params, pool_kwargs = self.adapter.build_connection_pool_key_attributes(
                probe, verify, cert)
            found = {**host_params, "pool_kwargs": pool_kwargs}
            with self._lock:
                self._pool_keys[key] = found
        return found

    def _timeout(self, timeout: tuple[float, float]) -> Timeout:
        found = self._timeouts.get(timeout)
        if found is None:
            connect, read = timeout
            found = self._timeouts[timeout] = Timeout(connect=connect, read=read)
        return found

    def _response(self, url: str, raw: Any) -> requests.Response:
        """What requests' adapter builds from urllib3's answer (``build_response``)."""
        response = requests.Response()
        response.status_code = raw.status
        response.headers = CaseInsensitiveDict(raw.headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = raw
        response.reason = raw.reason
        response.url = url
        response.connection = self.adapter
        if raw.headers.get("Set-Cookie"):  # kept both ways, as on requests' path
            request = requests.PreparedRequest()
            request.prepare(method="GET", url=url, headers=self.session.headers)
            response.request = request
            extract_cookies_to_jar(response.cookies, request, raw)  # type: ignore[no-untyped-call]
            extract_cookies_to_jar(self.session.cookies, request, raw)  # type: ignore[no-untyped-call]
        return response


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path or '/'}?{parts.query}" if parts.query else parts.path or "/"


def _as_requests_error(exc: Exception) -> Exception:
    """The exception requests' adapter raises for what urllib3 raised (``send``)."""
    if isinstance(exc, (ProtocolError, OSError)):
        return requests.exceptions.ConnectionError(exc)
    if isinstance(exc, MaxRetryError):
        reason = exc.reason
        if isinstance(reason, ConnectTimeoutError) and not isinstance(reason, NewConnectionError):
            return requests.exceptions.ConnectTimeout(exc)
        if isinstance(reason, ResponseError):
            return requests.exceptions.RetryError(exc)
        if isinstance(reason, Urllib3ProxyError):
            return requests.exceptions.ProxyError(exc)
        if isinstance(reason, Urllib3SSLError):
            return requests.exceptions.SSLError(exc)
        return requests.exceptions.ConnectionError(exc)
    if isinstance(exc, ClosedPoolError):
        return requests.exceptions.ConnectionError(exc)
    if isinstance(exc, Urllib3ProxyError):
        return requests.exceptions.ProxyError(exc)
    if isinstance(exc, Urllib3SSLError):
        return requests.exceptions.SSLError(exc)
    if isinstance(exc, ReadTimeoutError):
        return requests.exceptions.ReadTimeout(exc)
    if isinstance(exc, Urllib3InvalidHeader):
        return requests.exceptions.InvalidHeader(exc)
    return exc
