"""The webservice's operation table and dispatch, as vtiger's webservice.php runs it.

Each operation reads its parameters from one place only: ``$_GET`` for GET-type
operations, ``$_POST`` for POST-type ones. A parameter sent the other way is simply
missing (None), and the operation then fails the way vtiger's code fails on a null.
The handlers live in modules named after what they do.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from . import files, metadata, query_ops, record_ops, relations, session_ops
from .errors import UNKNOWN_OPERATION, FatalError, WSError
from .forms import Form, Value
from .sessions import Sessions
from .store import Store


@dataclass
class Config:
    row_cap: int = 100
    max_post: int = 64 * 1024 * 1024
    flavour: str = "kafinea"  # kafinea | vendor-doc | vtiger
    latency: float = 0.0
    bandwidth: int = 0  # bytes per second for bodies, each way; 0 = unlimited
    # PHP's start-up warning before the answer to an over-size POST; a server with
    # display_errors off at start-up (stock vtiger) prints none. None: by flavour.
    startup_warnings: bool | None = None
    time_zone: str | None = None  # the server's zone for record times; None: this machine's
    request_timeout: float = 60.0  # a client silent this long mid-request is dropped

    def pace(self, size: int) -> None:
        """Simulate a slow link: sleep as long as ``size`` bytes take to travel."""
        if self.bandwidth:
            time.sleep(size / self.bandwidth)

    @property
    def stock(self) -> bool:
        """Stock vtiger: no FileUpload, and its folder bug on ``createdby``."""
        return self.flavour == "vtiger"

    @property
    def warns_on_large_post(self) -> bool:
        return not self.stock if self.startup_warnings is None else self.startup_warnings


@dataclass
class Call:
    """One request as PHP sees it: $_GET, $_POST/$_FILES, and the method."""

    method: str
    get: dict[str, str]
    form: Form
    user_id: int = 0

    def request(self, name: str) -> str | None:
        """$_REQUEST: the body wins over the query string."""
        value = self.form.fields.get(name)
        return value.text() if value is not None else self.get.get(name)


@dataclass(frozen=True)
class Operation:
    kind: str  # GET or POST: where the parameters are read
    params: tuple[str, ...]
    handler: Callable[..., object]
    prelogin: bool = False
    raw: tuple[str, ...] = ()  # parameters handed over as a Value (large, streamed)


Result = object | Iterator[bytes]


class Backend:
    def __init__(self, store: Store, sessions: Sessions, config: Config) -> None:
        self.store = store
        self.sessions = sessions
        self.config = config
        table = {
            "getchallenge": Operation("GET", ("username",), session_ops.getchallenge, True),
            "login": Operation("POST", ("username", "accessKey"), session_ops.login, True),
            "logout": Operation("POST", ("sessionName",), session_ops.logout),
            "extendsession": Operation("POST", (), session_ops.extendsession, True),
            "listtypes": Operation("GET", (), metadata.listtypes),
            "describe": Operation("GET", ("elementType",), metadata.describe),
            "retrieve": Operation("GET", ("id",), record_ops.retrieve),
            "create": Operation("POST", ("elementType", "element"), record_ops.create),
            "update": Operation("POST", ("element",), record_ops.update),
            "revise": Operation("POST", ("element",), record_ops.revise),
            "delete": Operation("POST", ("id",), record_ops.delete),
            "query": Operation("GET", ("query",), query_ops.query),
            "query_related": Operation("GET", ("query", "id", "relatedLabel"),
                                       relations.query_related),
            "retrieve_related": Operation("GET", ("id", "relatedType", "relatedLabel"),
                                          relations.retrieve_related),
            "relatedtypes": Operation("GET", ("elementType",), relations.relatedtypes),
            "add_related": Operation("POST", ("sourceRecordId", "relatedRecordId",
                                              "relationIdLabel"), relations.add_related),
            "files_retrieve": Operation("GET", ("id",), files.files_retrieve),
        }
        if not config.stock:
            table["fileupload"] = Operation(
                "POST", ("parentId", "attachmentType", "fileName", "fileContents"),
                files.file_upload, raw=("fileContents",))
        self.operations = table

    def now(self) -> str:
        return self.store.now_text()

    # -- dispatch -----------------------------------------------------------
    def operation(self, call: Call) -> Operation:
        """Operation names are looked up case-insensitively (a MySQL comparison)."""
        op = self.operations.get((call.request("operation") or "").lower())
        if op is None:
            raise FatalError(UNKNOWN_OPERATION)
        return op

    def dispatch(self, call: Call) -> Result:
        op = self.operation(call)
        session = call.request("sessionName")
        if session and session.lower() != "null" and op.handler is not session_ops.extendsession:
            call.user_id = self.sessions.check(session)
        elif not op.prelogin:
            raise WSError("AUTHENTICATION_REQUIRED", "Authencation required")
        args = [self._param(call, op, param) for param in op.params]
        return op.handler(self, call, *args)

    @staticmethod
    def _param(call: Call, op: Operation, name: str) -> str | Value | None:
        if op.kind == "GET":
            return call.get.get(name)
        value = call.form.fields.get(name)
        if value is None:
            return None
        return value if name in op.raw else value.text()
