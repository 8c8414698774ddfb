"""The webservice client: one method per operation, typed errors, transparent re-login.

A ``Client`` is safe to share between threads: the HTTP connection pool is sized for
several workers, the session name is swapped under a lock, and logins of one user
are serialised process-wide (a new challenge spoils the previous token).
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import logging
import random
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlencode, urlsplit

import requests
import urllib3
from requests.cookies import extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import NewConnectionError

from kafdocs import __version__
from kafdocs.i18n import N_, _

from . import envelope, servertime
from .direct import DirectGet
from .errors import (
    AccessDenied,
    ApiError,
    AuthError,
    BadAnswer,
    Cancelled,
    ConnectionFailed,
    CorruptFile,
    HttpError,
    NoHttps,
    NoWebservice,
    ProxyAuthRequired,
    Redirected,
    RequestTimeout,
    ServerFault,
    SessionExpired,
    TooLarge,
    TransportError,
    UnknownOperation,
    Unreachable,
)
from .logs import install_redaction, redact
from .query import Query
from .retry import DEFAULT_RETRY, Failure, RetryPolicy, classify
from .servertime import LOGIN, OBSERVED, SETTING, UNKNOWN, ServerZone, is_zone
from .streams import CancelCheck, FilesRetrieveScanner, MultipartFileBody, Progress
from .tls import TrustAdapter, certificate_error, trust_context
from .url import endpoint_url, instance_url, redirect_target
from .values import number

log = logging.getLogger(__name__)
USER_AGENT = f"kafdocs/{__version__}"
DEFAULT_TIMEOUT = (10.0, 120.0)  # connect, read (between two packets)
LARGE_BODY = 512 * 1024  # above this, a "missing parameter" answer means post_max_size
DOWNLOAD_CHUNK = 1 << 20
ANSWER_CHUNK = 64 * 1024
MAX_ANSWER = 8 * 1024 * 1024  # bytes of an answer that is not a file (a query page, a record)
ERROR_EXCERPT = 4096  # bytes read of a body that comes with an HTTP error

_login_locks: dict[tuple[str, str], threading.Lock] = {}
_login_locks_guard = threading.Lock()


def _login_lock(endpoint: str, user: str) -> threading.Lock:
    with _login_locks_guard:
        return _login_locks.setdefault((endpoint, user), threading.Lock())


@dataclass(frozen=True)
class FileInfo:
    """One file of a files_retrieve answer; its bytes went to the caller's sink."""

    fileid: str
    filename: str
    filetype: str
    filesize: int
    written: int


def decode_label(record: dict[str, Any]) -> dict[str, Any]:
    """The one place where ``label`` (HTML-entity encoded by the server) is decoded.

    Field values arrive raw and are never unescaped.
    """
    record = _record(record, "retrieve")
    if isinstance(record.get("label"), str):
        record["label"] = html.unescape(record["label"])
    return record


@dataclass(frozen=True)
class ClientSpec:
    """What another process needs to act as the same signed-in client (picklable).

    The desktop app's transfer helper starts from it with the app's session, so it
    needs no login of its own; secrets stay out of the repr.
    """

    endpoint: str
    username: str
    access_key: str = field(repr=False)
    verify: bool | str = True
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    max_upload: int | None = None
    session: str = field(default="", repr=False)
    user_id: str = ""
    server_version: str = ""
    file_upload_supported: bool | None = None
    retry_policy: RetryPolicy = DEFAULT_RETRY
    server_zone: ServerZone = UNKNOWN


class _NoRedirects(requests.Session):
    """A session that sees no redirect anywhere: nothing is followed, and no 3xx body is
    read to prepare a follow-up request (requests does both by default)."""

    def get_redirect_target(self, resp: requests.Response) -> None:
        return None


@dataclass(frozen=True)
class ClientFacts:
    """What a client learns about its server while working (picklable).

    The app's transfer helper learns them on the app's behalf; they travel back with
    the transfer events so the app's own client knows them too.
    """

    max_upload: int | None = None  # bytes of request body the server accepts
    file_upload_supported: bool | None = None
    server_zone: ServerZone | None = None  # once observed (servertime.py)


class Client:
    def __init__(
        self,
        url: str,
        username: str,
        access_key: str,
        *,
        verify: bool | str = True,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        pool_size: int = 16,
        max_upload: int | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self.endpoint = endpoint_url(url)
        self.username = username
        self._access_key = access_key
        self.timeout = timeout
        self.max_upload = max_upload  # bytes of request body the server accepts, if known
        self.retry_policy = retry  # how idempotent requests are repeated (see retry.py)
        self.max_answer = MAX_ANSWER  # a larger answer is refused, not read into memory
        self.user_id = ""
        self.server_version = ""
        self.login_result: dict[str, Any] = {}
        self.server_zone = UNKNOWN  # where record times are local: servertime.py
        self._session = ""
        self._state_lock = threading.Lock()
        self._describe_cache: dict[str, dict[str, Any]] = {}
        self._file_upload_supported: bool | None = None
        self._revise_supported: bool | None = None  # None: not tried yet
        self.http = _NoRedirects()
        # The environment (proxies, CA bundle) is read once, here: requests would scan
        # os.environ on every call, about 1 ms each, which adds up over many small files.
        self.http.trust_env = False
        self.http.proxies.update(requests.utils.get_environ_proxies(self.endpoint))
        self.http.verify = verify
        if verify is False:  # the caller says so once, in its own words (see commands)
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        self.http.headers["User-Agent"] = USER_AGENT
        # No retries down there: what is repeated is decided once, in retry.py.
        secure = self.endpoint.startswith("https:")
        adapter = TrustAdapter(trust_context(verify) if secure else None, pool_connections=2,
                               pool_maxsize=pool_size)
        self.http.mount("https://", adapter)
        self.http.mount("http://", adapter)
        self._adapter = adapter
        self._direct = DirectGet(self.http, adapter)
        self._prepared_endpoint = ("", "")  # (endpoint, as requests writes it in a URL)
        install_redaction()

    def spec(self) -> ClientSpec:
        with self._state_lock:
            verify = True if self.http.verify is None else self.http.verify
            return ClientSpec(self.endpoint, self.username, self._access_key,
                              verify, self.timeout, self.max_upload, self._session,
                              self.user_id, self.server_version, self._file_upload_supported,
                              self.retry_policy, self.server_zone)

    @classmethod
    def from_spec(cls, spec: ClientSpec) -> Client:
        client = cls(spec.endpoint, spec.username, spec.access_key, verify=spec.verify,
                     timeout=spec.timeout, max_upload=spec.max_upload, retry=spec.retry_policy)
        client._session, client.user_id = spec.session, spec.user_id
        client.server_version = spec.server_version
        client._file_upload_supported = spec.file_upload_supported
        client.server_zone = spec.server_zone
        return client

    def facts(self) -> ClientFacts:
        observed = self.server_zone if self.server_zone.source == OBSERVED else None
        return ClientFacts(self.max_upload, self._file_upload_supported, observed)

    def learn(self, facts: ClientFacts) -> None:
        """Take in what another client of the same server found out."""
        if facts.max_upload is not None:
            self._learn_limit(facts.max_upload)
        if facts.file_upload_supported is not None:
            self._file_upload_supported = facts.file_upload_supported
        if facts.server_zone is not None and self.server_zone.source != SETTING:
            self.server_zone = facts.server_zone

    # -- the server's clock (servertime.py) ---------------------------------
    def set_server_zone(self, name: str) -> None:
        """The user's choice of the server's zone; ``""`` goes back to learning it.

        Raises ValueError for a name that is no zone (``Europe/Paris``, ``UTC+09:00``).
        """
        if name and not is_zone(name):
            raise ValueError(name)
        with self._state_lock:
            self.server_zone = (ServerZone(name, SETTING) if name
                                else servertime.from_login(self.login_result))

    def _observe_clock(self, record: Any, sent: float) -> None:
        """The first record written in the session (created, or changed: its
        ``modifiedtime`` is the server's "now") shows the zone the server uses."""
        answered = time.time()
        with self._state_lock:
            if self.server_zone.source in (SETTING, OBSERVED) or not isinstance(record, dict):
                return
            seen = servertime.observed(record.get("modifiedtime"), sent, answered,
                                       self.server_zone)
            if seen is not None:
                if seen.name != self.server_zone.name:
                    log.info("the server's record times are in %s, not %s as its login "
                             "said", seen.name or "this computer's zone",
                             self.server_zone.name or "unknown")
                self.server_zone = seen

    def forget_limits(self) -> None:
        """Check the server's upload limit again: an administrator may have raised it
        since a file was refused. The next upload asks ``describe`` and, if refused,
        learns the limit anew."""
        with self._state_lock:
            self.max_upload = None
            self._describe_cache.pop("Documents", None)

    def __repr__(self) -> str:  # never show the key or the session
        return f"Client({self.endpoint!r}, user={self.username!r})"

    # -- session ------------------------------------------------------------
    def login(self) -> dict[str, Any]:
        """getchallenge → md5(token + access key) → login. Serialised per user."""
        with _login_lock(self.endpoint, self.username):
            return self._login_locked()

    def _login_locked(self) -> dict[str, Any]:
        try:
            result = self._challenge_and_login()
        except AuthError as exc:
            if exc.code not in ("INVALID_AUTH_TOKEN", "INVALID_USER_CREDENTIALS"):
                raise
            # Another process of this user (the app's transfer helper, a script) may have
            # asked for a challenge in between: stock vtiger keeps only the newest token,
            # so our digest no longer matches. Once more, a moment later; a wrong key
            # fails the same way twice.
            time.sleep(random.uniform(0.05, 0.2))
            result = self._challenge_and_login()
        session = result.get("sessionName") or result.get("sessionId")
        if not session:
            raise ServerFault(_("The login answer has no session"))
        with self._state_lock:
            self._session = str(session)
            self.user_id = str(result.get("userId", ""))
            self.server_version = str(
                result.get("kafineaVersion") or result.get("vtigerVersion") or ""
            )
            self.login_result = {
                k: v for k, v in result.items() if k not in ("sessionName", "sessionId")
            }
            if self.server_zone.source in ("", LOGIN):
                self.server_zone = servertime.from_login(self.login_result)
        log.info("signed in to %s as %s", self.endpoint, self.username)
        return self.login_result

    def _challenge_and_login(self) -> dict[str, Any]:
        try:
            challenge = self._send("getchallenge", {"username": self.username})
        except AccessDenied as exc:
            raise AuthError(exc.code, f"Unknown user name {self.username!r}", "login") from None
        token = str(_record(challenge, "getchallenge").get("token", ""))
        digest = hashlib.md5((token + self._access_key).encode()).hexdigest()
        return _record(self._send("login", {"username": self.username, "accessKey": digest},
                                  post=True), "login")

    def logout(self) -> None:
        with self._state_lock:
            session, self._session = self._session, ""
        if session:
            try:  # vtiger ends the session named in the body, not the one in the URL
                self._send("logout", {"sessionName": session}, post=True, session=session)
            except (ApiError, ServerFault, ConnectionFailed, RequestTimeout) as exc:
                log.info("logout failed: %s", exc.__class__.__name__)

    def close(self) -> None:
        self.logout()
        self.http.close()

    def __enter__(self) -> Client:
        if not self._session:
            self.login()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def signed_in(self) -> bool:
        return bool(self._session)

    def _current_session(self) -> str:
        with self._state_lock:
            session = self._session
        if not session:
            self.login()
            with self._state_lock:
                session = self._session
        return session

    def _relogin(self, stale: str) -> None:
        """Log in again unless another thread already replaced the stale session."""
        with _login_lock(self.endpoint, self.username):
            with self._state_lock:
                if self._session and self._session != stale:
                    return
            log.info("session ended on the server; signing in again")
            self._login_locked()

    def call(self, operation: str, params: dict[str, str], *, post: bool = False) -> Any:
        """Any operation, by name; re-logs in once if the session expired."""
        return self._with_session(
            lambda session: self._send(operation, params, post=post, session=session)
        )

    def _with_session(self, attempt: Callable[[str], Any]) -> Any:
        session = self._current_session()
        try:
            return attempt(session)
        except SessionExpired:
            self._relogin(session)
            return attempt(self._current_session())

    # -- transport ----------------------------------------------------------
    def _send(
        self, operation: str, params: dict[str, str], *, post: bool = False, session: str = ""
    ) -> Any:
        query = {"operation": operation}
        if session:
            query["sessionName"] = session
        if not post:
            return self._get(operation, {**query, **params})
        resp = self._http("POST", operation, params=query, data=params)
        try:
            return envelope.parse_body(self._read(resp, operation), operation)
        except AccessDenied as exc:
            self._raise_if_dropped(exc, params, len(resp.request.body or b""))
            raise

    def _get(self, operation: str, params: dict[str, str]) -> Any:
        """GET operations are idempotent: an exchange that broke on the way is asked
        again as the retry policy says, here and nowhere else (see retry.py)."""
        attempt = 1
        while True:
            try:
                resp = self._http("GET", operation, params=params)
                return envelope.parse_body(self._read(resp, operation), operation)
            except TransportError as exc:
                if not self.retry_policy.should_retry(exc, attempt):
                    exc.retried = classify(exc) is Failure.LOST  # not to be repeated again
                    raise
                log.info("%s failed (%s); asking again", operation, exc.__class__.__name__)
                time.sleep(self.retry_policy.delay(attempt))
                attempt += 1

    def _raise_if_dropped(self, exc: ApiError, sent: dict[str, str] | list[str], size: int) -> None:
        """PHP's post_max_size drops every field: a large POST "missing" one of ours.

        vtiger then fails on the null where a field was needed: "… denied for <field>",
        "… denied for id" when the element is gone, a bare "… denied" for a lost
        elementType (and no PHP warning says why when display_errors is off).
        """
        _, found, missing = exc.message.rpartition(" for ")
        field = {"": "elementType", "id": "element"}.get(missing if found else "", missing)
        if size > LARGE_BODY and exc.code == "ACCESS_DENIED" and (
                missing in sent or field in sent):
            self._learn_limit(size - 1)
            raise TooLarge(size) from exc

    def _learn_limit(self, limit: int) -> None:
        """Remember a refused size, so larger files are refused before sending."""
        self.max_upload = min(self.max_upload or limit, limit)

    def _send_prepared(self, method: str, params: dict[str, str] | None = None,
                       data: Any = None, headers: dict[str, str] | None = None
                       ) -> requests.Response:
        """``Session.request`` without what it redoes on every call for nothing here.

        The session's settings are fixed when the client is made (no environment read
        per call, no redirects, no hooks, no auth), and the endpoint is a clean URL: so
        the request is prepared from them directly and handed to the adapter, which
        still sends it, maps urllib3's errors to requests' and builds the response;
        cookies still go both ways (a load balancer may pin a session by cookie). About
        1 ms of CPU less per call, which is half of a small file's cost.
        """
        endpoint, url = self._prepared_endpoint
        if endpoint != self.endpoint:  # the first call, or the address was changed
            url = requests.Request("GET", self.endpoint).prepare().url or self.endpoint
            self._prepared_endpoint = (self.endpoint, url)
        base, url = url, f"{url}?{urlencode(params)}" if params else url
        verify = True if self.http.verify is None else self.http.verify
        if method == "GET" and data is None and not headers and self._direct.applies(url):
            return self._direct.get(base, url, self.timeout, verify)  # direct.py: why
        prepared = requests.PreparedRequest()
        prepared.method = method
        prepared.url = url
        prepared.headers = CaseInsensitiveDict(self.http.headers)  # type: ignore[arg-type]
        if headers:
            prepared.headers.update(headers)
        prepared.prepare_body(data, None)
        prepared.prepare_cookies(self.http.cookies)
        resp = self._adapter.send(prepared, stream=True, timeout=self.timeout,
                                  verify=verify, cert=self.http.cert,
                                  proxies=self.http.proxies)
        if resp.raw is not None and resp.raw.headers.get("Set-Cookie"):
            extract_cookies_to_jar(self.http.cookies, prepared, resp.raw)  # type: ignore[no-untyped-call]
        return resp

    def _http(self, method: str, operation: str, **kw: Any) -> requests.Response:
        started = time.monotonic()
        try:
            # Streamed always: no body is read whole before its size was checked.
            resp = self._send_prepared(method, **kw)
        except requests.exceptions.SSLError as exc:
            if _speaks_plain_http(exc):
                raise NoHttps(instance_url(self.endpoint)) from None
            raise certificate_error(_innermost(exc), urlsplit(self.endpoint).netloc) from None
        except requests.exceptions.ProxyError as exc:
            if "407" in str(_innermost(exc)):
                raise ProxyAuthRequired() from None
            raise ConnectionFailed(
                _("Could not reach {endpoint} through the proxy: {reason}").format(
                    endpoint=self.endpoint, reason=_reason(exc))
            ) from None
        except requests.exceptions.ConnectTimeout as exc:
            raise Unreachable(
                _("Could not reach {endpoint}: {reason}").format(
                    endpoint=self.endpoint, reason=_reason(exc)
                )
            ) from None
        except requests.exceptions.Timeout as exc:
            raise RequestTimeout(
                _("The server did not answer {operation} in time ({reason})").format(
                    operation=operation, reason=_reason(exc)
                )
            ) from None
        except requests.exceptions.ConnectionError as exc:
            error = Unreachable if _no_connection(exc) else ConnectionFailed
            raise error(
                _("Could not reach {endpoint}: {reason}").format(
                    endpoint=self.endpoint, reason=_reason(exc)
                )
            ) from None
        except requests.exceptions.RequestException as exc:
            raise ConnectionFailed(
                _("{operation} failed: {reason}").format(operation=operation, reason=_reason(exc))
            ) from None
        log.debug(
            "%s %s → HTTP %s in %.0f ms",
            method,
            operation,
            resp.status_code,
            (time.monotonic() - started) * 1000,
        )
        if resp.is_redirect:
            resp.close()
            raise Redirected(resp.status_code,
                             *redirect_target(self.endpoint, resp.headers["location"]))
        if resp.status_code != 200:
            body = _excerpt_of(resp)
            if resp.status_code == 413:
                raise TooLarge(len(resp.request.body or b"") if resp.request else 0)
            if resp.status_code == 407:
                raise ProxyAuthRequired()
            if resp.status_code == 404:
                raise NoWebservice(instance_url(self.endpoint))
            raise HttpError(resp.status_code, envelope.excerpt(body))
        return resp

    def _read(self, resp: requests.Response, operation: str) -> bytes:
        """The body of an answer that is not a file, refused past ``max_answer`` bytes
        (a server sending 200 MB of JSON made kafdocs use gigabytes of memory)."""
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in _iter_body(resp, operation, ANSWER_CHUNK):
                size += len(chunk)
                if size > self.max_answer:
                    raise BadAnswer(_("The server's answer to {operation} is larger than "
                                      "{limit} MB: kafdocs stopped reading it").format(
                                          operation=operation,
                                          limit=round(self.max_answer / 1e6)))
                chunks.append(chunk)
        finally:
            resp.close()
        return b"".join(chunks)

    # -- operations ---------------------------------------------------------
    def listtypes(self) -> dict[str, Any]:
        types: dict[str, Any] = self.call("listtypes", {})
        return types

    def describe(self, module: str) -> dict[str, Any]:
        """Cached per module: describe answers do not change during a session."""
        if module not in self._describe_cache:
            self._describe_cache[module] = self.call("describe", {"elementType": module})
        return self._describe_cache[module]

    def id_prefix(self, module: str) -> str:
        return str(self.describe(module)["idPrefix"])

    def retrieve(self, record_id: str) -> dict[str, Any]:
        return decode_label(self.call("retrieve", {"id": record_id}))

    def create(self, module: str, element: dict[str, Any]) -> dict[str, Any]:
        return self._write("create", {"elementType": module, "element": _json(element)})

    def update(self, element: dict[str, Any]) -> dict[str, Any]:
        """``element`` must be the whole record (retrieve, change, update)."""
        return self._write("update", {"element": _json(element)})

    def revise(self, element: dict[str, Any]) -> dict[str, Any]:
        """A partial update: only the fields sent change (``""`` clears one); ``id`` needed."""
        return self._write("revise", {"element": _json(element)})

    def _write(self, operation: str, params: dict[str, str]) -> dict[str, Any]:
        """create, update, revise: the record written, whose time shows the server's zone."""
        sent = time.time()
        record = decode_label(self.call(operation, params, post=True))
        self._observe_clock(record, sent)
        return record

    def change(self, record_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Change these fields of a record and no other; the record as it now is.

        ``revise`` where the server has it (vtiger 6.1 and later). Otherwise ``update``
        with the whole record as just retrieved and these fields changed: ``update``
        wants every field, and a field left out could be blanked.
        """
        if self._revise_supported is not False:
            try:
                return self.revise({"id": record_id, **fields})
            except UnknownOperation:
                self._revise_supported = False
        record = self.retrieve(record_id)
        for computed in ("label", "imageattachmentids"):  # not fields: refused in a write
            record.pop(computed, None)
        return self.update({**record, **fields, "id": record_id})

    def delete(self, record_id: str) -> None:
        self.call("delete", {"id": record_id}, post=True)

    def query(self, query: Query | str) -> list[dict[str, Any]]:
        result = self.call("query", {"query": str(query)})
        if not isinstance(result, list):
            raise ServerFault(_("The query answer is not a list"))
        return [_record(row, "query") for row in result]

    def count(self, query: Query) -> int:
        return _count_of(self.query(query.count()))

    def iter_query(self, query: Query, page_size: int = 100) -> QueryPager:
        return QueryPager(self, query, page_size)

    def query_related(
        self, record_id: str, related_label: str, query: Query | str
    ) -> list[dict[str, Any]]:
        """The records related to ``record_id`` under ``related_label``, filtered by
        ``query`` — written without the final ``;`` (``Query.vtql(related=True)``): the
        server appends its own condition."""
        text = query.vtql(related=True) if isinstance(query, Query) else query
        result = self.call(
            "query_related", {"id": record_id, "relatedLabel": related_label, "query": text}
        )
        if not isinstance(result, list):
            raise ServerFault(_("The query answer is not a list"))
        return [_record(row, "query_related") for row in result]

    def iter_related(self, record_id: str, related_label: str, query: Query,
                     page_size: int = 100) -> QueryPager:
        """A related list past the row cap, paged as ``iter_query`` pages a query."""
        return QueryPager(self, query, page_size, related=(record_id, related_label))

    def retrieve_related(self, record_id: str, related_type: str,
                         related_label: str) -> list[dict[str, Any]]:
        """The whole records of a related list, in one answer (capped like a query)."""
        result = self.call("retrieve_related", {"id": record_id, "relatedType": related_type,
                                                "relatedLabel": related_label})
        if not isinstance(result, list):
            raise ServerFault(_("The query answer is not a list"))
        return [_record(row, "retrieve_related") for row in result]

    def add_related(self, source_id: str, related_id: str,
                    relation_label: str = "Documents") -> None:
        """Put ``related_id`` in the related list of ``source_id`` (a record → its
        document; the reverse links nothing visible). The server registers the label as
        ``relationIdLabel`` and answers success whatever happened: confirm with
        ``query_related``. There is no operation to undo a link."""
        self.call(
            "add_related",
            {
                "sourceRecordId": source_id,
                "relatedRecordId": related_id,
                "relationIdLabel": relation_label,
            },
            post=True,
        )

    def extendsession(self) -> Any:
        """Provided for completeness: real servers refuse it to non-browser clients."""
        return self.call("extendsession", {}, post=True)

    # -- files --------------------------------------------------------------
    def supports_file_upload(self) -> bool:
        """Kafinea's FileUpload exists; stock vtiger answers an HTML fatal error. Asked once."""
        if self._file_upload_supported is None:
            try:
                self.call("FileUpload", {}, post=True)
                self._file_upload_supported = True
            except UnknownOperation:
                self._file_upload_supported = False
            except ApiError:
                self._file_upload_supported = True  # it exists; it only lacked parameters
        return self._file_upload_supported

    def file_upload(
        self,
        parent_id: str,
        path: Path,
        *,
        file_name: str | None = None,
        attachment_type: str = "Attachment",
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
    ) -> Any:
        """Kafinea's FileUpload, streamed from disk as base64 in a multipart body."""
        path = Path(path)
        fields = {
            "parentId": parent_id,
            "attachmentType": attachment_type,
            "fileName": file_name or path.name,
        }

        def body() -> MultipartFileBody:
            return MultipartFileBody(
                fields,
                "fileContents",
                path,
                file_name=fields["fileName"],
                base64=True,
                progress=progress,
                cancelled=cancelled,
            )

        return self._post_stream("FileUpload", body, [*fields, "fileContents"])

    def create_with_file(
        self,
        module: str,
        element: dict[str, Any],
        path: Path,
        *,
        file_name: str | None = None,
        content_type: str | None = None,
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
    ) -> dict[str, Any]:
        """Stock vtiger's way: ``create`` with the raw file as a multipart part ``filename``."""
        fields = {"elementType": module, "element": _json(element)}
        return self._write_with_file("create", fields, list(fields), Path(path), file_name,
                                     content_type, progress, cancelled)

    def replace_file(
        self,
        doc_id: str,
        path: Path,
        *,
        file_name: str | None = None,
        content_type: str | None = None,
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
    ) -> None:
        """A new file for an existing Document: same id, number, folder, title and links.

        Kafinea: ``FileUpload`` with the document as ``parentId``. Stock vtiger (no
        FileUpload): ``revise {id}`` as multipart with exactly one file part named
        ``filename`` — any other name stores a second attachment without updating the
        document's file fields. Either way the old attachment is dropped by the server
        once the new one is stored; confirm with ``retrieve`` (the server's answer says
        nothing certain about the file). Beware: stock vtiger answers success to an
        empty part and leaves the document without a file — refuse empty files there.
        """
        path = Path(path)
        if self.supports_file_upload():
            self.file_upload(doc_id, path, file_name=file_name, progress=progress,
                             cancelled=cancelled)
            return
        fields = {"element": _json({"id": doc_id, "filelocationtype": "I"})}
        # a body dropped for its size leaves no element: the server misses its "id"
        self._write_with_file("revise", fields, ["element", "id"], path, file_name,
                              content_type, progress, cancelled)

    def add_product_image(
        self,
        product_id: str,
        path: Path,
        *,
        file_name: str | None = None,
        content_type: str | None = None,
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
    ) -> None:
        """One more picture for a Product (pictures are added, never replaced).

        Kafinea: ``FileUpload`` with ``attachmentType=Image`` and the product as
        ``parentId``. Stock vtiger: ``revise {id}`` as multipart with the file in a part
        named exactly ``imagename[]`` — a part named ``imagename`` makes the server die
        half-way and can leave a broken product. Either way a file the server does not
        take for a picture is dropped without a word: compare the product's
        ``imageattachmentids`` before and after to know whether it was kept.
        """
        path = Path(path)
        if self.supports_file_upload():
            self.file_upload(product_id, path, file_name=file_name, attachment_type="Image",
                             progress=progress, cancelled=cancelled)
            return
        fields = {"element": _json({"id": product_id})}
        self._write_with_file("revise", fields, ["element", "id"], path, file_name,
                              content_type, progress, cancelled, part="imagename[]")

    def _write_with_file(
        self,
        operation: str,
        fields: dict[str, str],
        names: list[str],
        path: Path,
        file_name: str | None,
        content_type: str | None,
        progress: Progress | None,
        cancelled: CancelCheck | None,
        *,
        part: str = "filename",
    ) -> dict[str, Any]:
        """A write operation with the raw file as the one multipart part ``part``
        (``filename`` for a document's file, ``imagename[]`` for a product's picture).

        A file over the ``maxUploadFileSize`` that ``describe`` states (for Documents,
        the server's one upload limit) is refused before sending: over its limit stock
        vtiger drops the body without a word.
        """
        limit = self.max_upload_file_size("Documents")
        if limit is not None and path.stat().st_size > limit:
            self._learn_limit(limit)
            raise TooLarge(path.stat().st_size, limit)

        def body() -> MultipartFileBody:
            return MultipartFileBody(
                fields,
                part,
                path,
                file_name=file_name or path.name,
                content_type=content_type or "application/octet-stream",
                base64=False,
                progress=progress,
                cancelled=cancelled,
            )

        sent = time.time()
        record = decode_label(self._post_stream(operation, body, names))
        self._observe_clock(record, sent)
        return record

    def max_upload_file_size(self, module: str) -> int | None:
        """The file size limit ``describe`` states for a module's file field, if any."""
        try:
            fields = self.describe(module).get("fields", [])
        except ApiError:
            return None
        for described in fields if isinstance(fields, list) else []:
            kind = described.get("type") if isinstance(described, dict) else None
            if isinstance(kind, dict) and kind.get("name") == "file":
                limit = str(kind.get("maxUploadFileSize", ""))
                return int(limit) if limit.isdigit() else None
        return None

    def _post_stream(
        self, operation: str, make_body: Callable[[], MultipartFileBody], names: list[str]
    ) -> Any:
        first = make_body()
        if self.max_upload is not None and len(first) > self.max_upload:
            raise TooLarge(len(first), self.max_upload)

        def attempt(session: str) -> Any:
            body = make_body()
            resp = self._http(
                "POST",
                operation,
                data=body,
                params={"operation": operation, "sessionName": session},
                headers={"Content-Type": body.content_type},
            )
            try:
                return envelope.parse_body(self._read(resp, operation), operation)
            except AccessDenied as exc:
                self._raise_if_dropped(exc, names, len(body))
                raise
            except TooLarge as exc:
                self._learn_limit(exc.limit or len(body) - 1)
                raise

        try:
            return self._with_session(attempt)
        except ConnectionFailed:
            if cancelled_now(first):
                raise Cancelled(_("{operation} cancelled").format(operation=operation)) from None
            raise

    def files_retrieve(
        self,
        file_id: str,
        open_sink: Callable[[int], BinaryIO] | None = None,
        *,
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
        max_bytes: int | None = None,
    ) -> list[FileInfo]:
        """Stream a file's base64 out of the JSON answer into ``open_sink(index)``.

        The answer is a list (usually of one file). Without ``open_sink`` the bytes go
        to in-memory buffers, available as ``.buffers`` — fine for small files only.
        A file stops with ``CorruptFile`` once it passes ``max_bytes`` (the size the
        caller was told) or the size the answer itself announced.
        """
        buffers: list[io.BytesIO] = []

        def memory_sink(index: int) -> BinaryIO:
            buffers.append(io.BytesIO())
            return buffers[-1]

        sink = open_sink or memory_sink
        infos: list[FileInfo] = self._with_session(
            lambda session: self._files_retrieve_once(session, file_id, sink, progress,
                                                      cancelled, max_bytes)
        )
        self.buffers = buffers
        return infos

    def _files_retrieve_once(
        self,
        session: str,
        file_id: str,
        open_sink: Callable[[int], BinaryIO],
        progress: Progress | None,
        cancelled: CancelCheck | None,
        max_bytes: int | None,
    ) -> list[FileInfo]:
        params = {"operation": "files_retrieve", "sessionName": session, "id": file_id}
        resp = self._http("GET", "files_retrieve", params=params)
        scanner = FilesRetrieveScanner(open_sink, progress, max_bytes)
        try:
            for chunk in _iter_body(resp, "files_retrieve"):
                if cancelled and cancelled():
                    raise Cancelled(_("Download cancelled"))
                scanner.feed(chunk)
                if scanner.done:
                    break
        finally:
            resp.close()
        if scanner.state == "seek":
            envelope.raise_no_envelope(bytes(scanner.prefix) + scanner.pending, "files_retrieve")
        envelope.check_prefix(bytes(scanner.prefix))
        if not scanner.done:
            raise ConnectionFailed(_("The download was cut off before the end of the answer"))
        result = envelope.unwrap(scanner.result(), "files_retrieve")
        if not isinstance(result, list):
            raise ServerFault(_("The files_retrieve answer is not a list"))
        return [_file_info(item, scanner) for item in result]


def _file_info(item: Any, scanner: FilesRetrieveScanner) -> FileInfo:
    if not isinstance(item, dict):
        raise BadAnswer(_("The files_retrieve answer holds something that is not a file"))
    marker = re.fullmatch(r"#([0-9]{1,6})", str(item.get("filecontents", "")))
    index = int(marker.group(1)) if marker else -1
    written = scanner.sinks[index].written if 0 <= index < len(scanner.sinks) else 0
    size = number(item.get("filesize") or 0)
    if size is None:
        raise BadAnswer(_("The server sent a file size that is not a number: {value}")
                        .format(value=repr(item.get("filesize"))[:40]))
    info = FileInfo(
        str(item.get("fileid", "")),
        str(item.get("filename", "")),
        str(item.get("filetype", "")),
        size,
        written,
    )
    if size != written:
        raise CorruptFile(
            _("{filename}: the server announced {size} bytes but sent {written}").format(
                filename=info.filename, size=size, written=written
            )
        )
    return info


def _record(value: Any, operation: str) -> dict[str, Any]:
    """A record (a JSON object) where the answer must hold one."""
    if not isinstance(value, dict):
        raise BadAnswer(_("The answer to {operation} holds something else than a record")
                        .format(operation=operation))
    return value


def _iter_body(resp: requests.Response, operation: str,
               chunk: int = DOWNLOAD_CHUNK) -> Iterator[bytes]:
    with _reading(operation):
        yield from resp.iter_content(chunk)


def _excerpt_of(resp: requests.Response) -> bytes:
    """The first bytes of an error's body, for the message; the rest is never read."""
    try:
        return next(resp.iter_content(ERROR_EXCERPT), b"")[:ERROR_EXCERPT]
    except requests.exceptions.RequestException:
        return b""
    finally:
        resp.close()


@contextmanager
def _reading(operation: str) -> Iterator[None]:
    """Faults while an answer's body arrives, in the client's own terms."""
    try:
        yield
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError) as exc:
        raise ConnectionFailed(
            _("The answer to {operation} was cut off: {reason}").format(
                operation=operation, reason=_reason(exc)
            )
        ) from None
    except requests.exceptions.Timeout as exc:
        raise RequestTimeout(
            _("The answer to {operation} stalled: {reason}").format(
                operation=operation, reason=_reason(exc)
            )
        ) from None


def _no_connection(exc: requests.exceptions.ConnectionError) -> bool:
    """Refused, or the host name unknown: no connection was ever opened."""
    inner = exc.args[0] if exc.args else None
    return isinstance(getattr(inner, "reason", inner), NewConnectionError)


def cancelled_now(body: MultipartFileBody) -> bool:
    return bool(body.cancelled and body.cancelled())


def _json(element: dict[str, Any]) -> str:
    return json.dumps(element, ensure_ascii=False, separators=(",", ":"))


def _innermost(exc: BaseException) -> BaseException:
    """The cause at the bottom of a requests error (urllib3 and ssl wrap it)."""
    inner = exc
    for _depth in range(6):
        nested = getattr(inner, "reason", None)
        if not isinstance(nested, BaseException) and inner.args:
            nested = inner.args[0]
        if not isinstance(nested, BaseException):
            break
        inner = nested
    return inner


# What OpenSSL says when the answer to its greeting is plain HTTP, not TLS.
_PLAIN_HTTP = ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG",
               "UNKNOWN_PROTOCOL", "HTTP_REQUEST")


def _speaks_plain_http(exc: requests.exceptions.SSLError) -> bool:
    inner = _innermost(exc)
    return isinstance(inner, ssl.SSLError) and str(inner.reason) in _PLAIN_HTTP


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests error, in words, without session-bearing URLs."""
    inner = _innermost(exc)
    text = str(inner)
    for needle, words in _FRIENDLY:
        if needle in text or needle in inner.__class__.__name__:
            return _(words)
    text = re.sub(r"<[^>]+>:?\s*", "", text)
    return redact(text)[:200]


_FRIENDLY = (
    ("Connection refused", N_("connection refused (is the server running?)")),
    ("NameResolution", N_("host name not found")),
    ("Name or service not known", N_("host name not found")),
    ("Connection reset", N_("connection reset by the server")),
    ("RemoteDisconnected", N_("the server closed the connection")),
    ("IncompleteRead", N_("the answer was cut off")),
    ("CERTIFICATE_VERIFY_FAILED", N_("certificate verification failed")),
)


class QueryPager:
    """Iterate a query past the row cap with ``LIMIT offset, size``, every row once.

    vtiger sorts by one column only, and rows that tie on it may come back in another
    order from one page to the next; records added or removed meanwhile shift the
    pages. So rows already seen are dropped by id, and when fewer distinct rows than
    the count arrived, the count is asked again and the pages are read once more for
    the rows that were missed.
    The first pass stops on an empty page or a page with nothing new (a server ignoring
    LIMIT must not keep it paging for ever); the offset advances by the rows actually
    received, so a smaller server cap is fine.
    """

    REREADS = 2  # further passes when rows were missed

    def __init__(self, client: Client, query: Query, page_size: int = 100, *,
                 related: tuple[str, str] | None = None) -> None:
        self.client = client
        self.query = query if query.ordering else query.order_by("id")
        self.page_size = page_size
        self.related = related  # (record id, relation label): a query_related list
        self.total = self._count()

    def _rows(self, query: Query) -> list[dict[str, Any]]:
        if self.related:
            return self.client.query_related(*self.related, query)
        return self.client.query(query)

    def _count(self) -> int:
        if self.related:  # a record with nothing related answers [] even to a count
            rows = self.client.query_related(*self.related, self.query.count())
            return _count_of(rows) if rows else 0
        return self.client.count(self.query)


    def pages(self) -> Iterator[list[dict[str, Any]]]:
        seen: set[Any] = set()
        reach = self.total  # how far a pass reads: later ones, a page past the rows found
        for attempt in range(1 + self.REREADS):
            offset = 0
            while offset < min(self.total, reach):
                rows = self._rows(self.query.limit(self.page_size, offset))
                fresh = [row for row in rows if row.get("id") not in seen]
                if not rows or (not fresh and not attempt):
                    break
                seen.update(row.get("id") for row in fresh)
                offset += len(rows)
                if fresh:
                    yield fresh
            if len(seen) >= self.total:
                return
            self.total, reach = self._count(), offset + self.page_size

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for page in self.pages():
            yield from page


def _count_of(rows: list[dict[str, Any]]) -> int:
    """The number in the answer to ``SELECT count(*)``."""
    found = number(rows[0].get("count")) if rows else None
    if found is None:
        raise BadAnswer(_("The server's answer to a count is not a number"))
    return found
