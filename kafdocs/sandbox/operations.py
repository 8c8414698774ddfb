"""The webservice operations, each reading its parameters where vtiger reads them."""

from __future__ import annotations

import json
import mimetypes
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pybase64

from . import query as vtquery
from . import vtql, wire
from .errors import FatalError, WSError, access_denied, internal_error
from .forms import CHUNK, Form, Value
from .records import module_or_denied, present, resolve_id, ws_id
from .schema import DOCUMENT_FOLDERS, DOCUMENTS, MODULES, RELATABLE, USERS, Module
from .sessions import Sessions
from .store import Store, now_text

B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
NOT_B64 = bytes(b for b in range(256) if b not in B64_ALPHABET)


@dataclass
class Config:
    row_cap: int = 100
    max_post: int = 64 * 1024 * 1024
    flavour: str = "kafinea"  # kafinea | vendor-doc | vtiger
    latency: float = 0.0
    bandwidth: int = 0  # bytes per second for bodies, each way; 0 = unlimited

    def pace(self, size: int) -> None:
        """Simulate a slow link: sleep as long as ``size`` bytes take to travel."""
        if self.bandwidth:
            time.sleep(size / self.bandwidth)


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


Result = object | Iterator[bytes]


class Backend:
    def __init__(self, store: Store, sessions: Sessions, config: Config) -> None:
        self.store = store
        self.sessions = sessions
        self.config = config
        self.operations: dict[str, Operation] = {
            "getchallenge": Operation("GET", ("username",), self.getchallenge, True),
            "login": Operation("POST", ("username", "accessKey"), self.login, True),
            "logout": Operation("POST", (), self.logout),
            "extendsession": Operation("POST", (), self.extendsession, True),
            "listtypes": Operation("GET", (), self.listtypes),
            "describe": Operation("GET", ("elementType",), self.describe),
            "retrieve": Operation("GET", ("id",), self.retrieve),
            "create": Operation("POST", ("elementType", "element"), self.create),
            "update": Operation("POST", ("element",), self.update),
            "delete": Operation("POST", ("id",), self.delete),
            "query": Operation("GET", ("query",), self.query),
            "query_related": Operation("GET", ("query", "id", "relatedLabel"),
                                       self.query_related),
            "add_related": Operation("POST", ("sourceRecordId", "relatedRecordId"),
                                     self.add_related),
            "files_retrieve": Operation("GET", ("id",), self.files_retrieve),
        }
        if config.flavour != "vtiger":
            self.operations["FileUpload"] = Operation(
                "POST", ("parentId", "attachmentType", "fileName", "fileContents"),
                self.file_upload)

    # -- dispatch -----------------------------------------------------------
    def dispatch(self, call: Call) -> Result:
        name = call.request("operation") or ""
        op = self.operations.get(name)
        if op is None:
            raise FatalError("Unknown operation requested")
        session = call.request("sessionName")
        if not session or session.lower() == "null":
            if not op.prelogin:
                raise WSError("AUTHENTICATION_REQUIRED", "Authencation required")
        elif name not in ("getchallenge", "login", "extendsession"):
            call.user_id = self.sessions.check(session)
        if op.kind == "POST" and call.method != "POST":
            raise access_denied()
        args = []
        for param in op.params:
            value = self._param(call, op.kind, param)
            if value is None:
                raise access_denied(param)
            args.append(value)
        return op.handler(call, *args)

    @staticmethod
    def _param(call: Call, kind: str, name: str) -> str | Value | None:
        if kind == "GET":
            return call.get.get(name)
        value = call.form.fields.get(name)
        if value is None:
            return None
        return value if name == "fileContents" else value.text()

    # -- session ------------------------------------------------------------
    def _user(self, name: str) -> dict[str, str] | None:
        found = self.store.fetch("SELECT crmid FROM users WHERE user_name = ?", (name,))
        return self.store.row(USERS, found[0][0]) if found else None

    def getchallenge(self, call: Call, username: str) -> object:
        user = self._user(username)
        if user is None:
            raise access_denied_username()
        return self.sessions.challenge(int(user["crmid"]))

    def login(self, call: Call, username: str, access_key: str) -> object:
        user = self._user(username)
        if user is None:
            raise WSError("INVALID_AUTH_TOKEN", "Specified token is invalid or expired")
        name = self.sessions.login(int(user["crmid"]), user["accesskey"], access_key)
        session_key, version_key = (
            ("sessionId", "kafineaVersion") if self.config.flavour == "vendor-doc"
            else ("sessionName", "vtigerVersion")
        )
        return {
            "username": user["user_name"], "first_name": user["first_name"],
            "last_name": user["last_name"], "email": user["email1"],
            "time_zone": user["time_zone"], "hour_format": "24",
            "date_format": user["date_format"], "is_admin": user["is_admin"],
            "call_duration": "5", "other_event_duration": "5",
            session_key: name, "userId": ws_id(USERS, user["crmid"]),
            "version": "0.22", version_key: "8.0.2",
        }

    def logout(self, call: Call) -> object:
        self.sessions.logout(call.request("sessionName") or "")
        return {"message": "successfull"}

    def extendsession(self, call: Call) -> object:
        raise WSError("AUTHENTICATION_FAILURE", "Authencation Failed")

    # -- metadata -----------------------------------------------------------
    def listtypes(self, call: Call) -> object:
        return {
            "types": list(MODULES),
            "information": {
                m.name: {"isEntity": m.is_entity, "label": m.label, "singular": m.singular}
                for m in MODULES.values()
            },
        }

    def describe(self, call: Call, element_type: str) -> object:
        module = module_or_denied(element_type)
        fields = [f.describe(entity=module.is_entity) for f in module.fields]
        fields.append({
            "name": "id", "label": module.id_label, "mandatory": False,
            "type": {"name": "autogenerated"}, "nullable": False, "editable": False,
            "default": "",
        })
        writable = module is not USERS
        return {
            "label": module.label, "name": module.name, "createable": writable,
            "updateable": writable, "deleteable": writable, "retrieveable": True,
            "fields": fields, "idPrefix": module.prefix, "isEntity": module.is_entity,
            "allowDuplicates": module is not DOCUMENT_FOLDERS,
            "labelFields": ",".join(module.label_fields),
        }

    # -- records ------------------------------------------------------------
    def _record(self, module: Module, crmid: int) -> dict[str, str]:
        row = self.store.row(module, crmid)
        if row is None:
            raise access_denied()
        return present(self.store, module, [row], label=True)[0]

    def retrieve(self, call: Call, record_id: str) -> object:
        return self._record(*resolve_id(self.store, record_id))

    def create(self, call: Call, element_type: str, element_text: str) -> object:
        module = module_or_denied(element_type)
        element = _element(element_text)
        if module is USERS:
            raise access_denied()
        if module is DOCUMENT_FOLDERS:
            return self._create_folder(element)
        values = self._validated(module, element, call.user_id)
        now = now_text()
        values.update(createdtime=now, modifiedtime=now, source="WEBSERVICE",
                      modifiedby=ws_id(USERS, call.user_id))
        upload = call.form.files.get("filename")
        if module is DOCUMENTS:
            values = {"folderid": ws_id(DOCUMENT_FOLDERS, 1), "starred": "0", "tags": "",
                      "notecontent": "", "filestatus": "1", "fileversion": "",
                      "filelocationtype": "", "filename": "", "filesize": "", "filetype": "",
                      **values, "filedownloadcount": "0"}
            if upload is not None and values["filelocationtype"] == "I":
                name = re.sub(r"\s", "_", Path(upload.filename or "file").name)
                values.update(filename=name, filesize=str(upload.size),
                              filetype=upload.content_type or "application/octet-stream",
                              filedownloadcount="")
        crmid = self.store.insert(module, values)
        if module is DOCUMENTS and upload is not None and values["filelocationtype"] == "I":
            tmp = self.store.new_blob_path()
            with tmp.open("wb") as out:
                for block in upload.chunks():
                    out.write(block)
            self.store.add_attachment(crmid, values["filename"], values["filetype"],
                                      upload.size, tmp)
        return self._record(module, crmid)

    def _create_folder(self, element: dict[str, object]) -> object:
        if self.config.flavour == "vtiger":  # the stock bug on createdby
            if not element.get("createdby"):
                raise WSError("MANDATORY_FIELDS_MISSING", "createdby does not have a value")
            raise WSError("REFERENCE_INVALID", "Invalid reference specified for createdby")
        name = str(element.get("foldername") or "")
        if not name:
            raise WSError("MANDATORY_FIELDS_MISSING", "foldername does not have a value")
        (seq,) = self.store.fetch("SELECT count(*) + 1 FROM folders")[0]
        crmid = self.store.insert(DOCUMENT_FOLDERS, {
            "foldername": name, "description": str(element.get("description") or ""),
            "createdby": "", "sequence": str(seq)})
        return self._record(DOCUMENT_FOLDERS, crmid)

    def _validated(self, module: Module, element: dict[str, object],
                   user_id: int) -> dict[str, str]:
        """Keep the known, writable fields; check mandatory ones and references."""
        values: dict[str, str] = {}
        for field in module.fields:
            raw = element.get(field.name)
            text = "" if raw is None else str(raw) if not isinstance(raw, bool) else str(int(raw))
            if field.mandatory and not text:
                raise WSError("MANDATORY_FIELDS_MISSING", f"{field.name} does not have a value")
            if field.name not in element or field.name in ("createdtime", "modifiedtime",
                                                             "modifiedby", "source"):
                continue
            if field.is_reference and text:
                self._check_reference(field.name, text, field.refers_to or ("Users",))
            values[field.name] = text
        return values

    def _check_reference(self, name: str, value: str, targets: tuple[str, ...]) -> None:
        try:
            module, _ = resolve_id(self.store, value)
        except WSError:
            module = None
        if module is None or module.name not in targets:
            raise WSError("REFERENCE_INVALID", f"Invalid reference specified for {name}")

    def update(self, call: Call, element_text: str) -> object:
        element = _element(element_text)
        module, crmid = resolve_id(self.store, str(element.get("id") or ""))
        if module is USERS:
            raise access_denied()
        if module is DOCUMENT_FOLDERS:
            values = {k: str(element[k]) for k in ("foldername", "description") if k in element}
            if not values.get("foldername"):
                raise WSError("MANDATORY_FIELDS_MISSING", "foldername does not have a value")
        else:
            values = self._validated(module, element, call.user_id)
            for frozen in ("note_no", "account_no", "contact_no", "filedownloadcount"):
                values.pop(frozen, None)
            values.update(modifiedtime=now_text(), modifiedby=ws_id(USERS, call.user_id))
        self.store.update(module, crmid, values)
        return self._record(module, crmid)

    def delete(self, call: Call, record_id: str) -> object:
        module, crmid = resolve_id(self.store, record_id)
        if module is USERS:
            raise access_denied()
        if module is DOCUMENT_FOLDERS:
            if crmid == 1:
                raise WSError("OPERATION_NOT_SUPPORTED", "The default folder cannot be deleted")
            held = self.store.fetch("SELECT count(*) FROM documents WHERE folderid = ?",
                                    (ws_id(module, crmid),))[0][0]
            if held:
                raise WSError("OPERATION_NOT_SUPPORTED",
                              "Folder is not empty: move or delete its documents first")
        for blob in self.store.delete(module, crmid):
            blob.unlink(missing_ok=True)
        return {"status": "successful"}

    # -- queries ------------------------------------------------------------
    def query(self, call: Call, text: str) -> object:
        return self._run(vtql.parse(text))

    def _run(self, parsed: vtql.Query) -> object:
        module, found = vtquery.run(self.store, parsed, self.config.row_cap)
        if isinstance(found, int):
            return [{"count": str(found)}]
        return present(self.store, module, found, label=False)

    def query_related(self, call: Call, text: str, record_id: str, label: str) -> object:
        _, crmid = resolve_id(self.store, record_id)
        m = re.search(r"FROM\s+(\S+)", text)
        if label != "Documents" or m is None or m.group(1) != label:
            raise WSError("UNKOWN_ENTITY", "Relation specified is incorrect")
        if text.rstrip().endswith(";"):
            raise WSError("QUERY_SYNTAX_ERROR", "Syntax Error on line 1: token ';' "
                          "Unexpected SEMICOLON(;), expected one of: ")
        related = self.store.related_documents(crmid)
        if not related:
            return []
        ids = "id IN (" + ",".join(f"'{ws_id(DOCUMENTS, d)}'" for d in related) + ")"
        if "WHERE" in text:  # the server splits on this literal, case-sensitively
            head, tail = text.split("WHERE", 1)
            return self._run(vtql.parse(f"{head} WHERE {ids} AND {tail};"))
        tail = re.search(r"\s(ORDER|LIMIT)\s", text, re.IGNORECASE)
        at = tail.start() if tail else len(text)
        return self._run(vtql.parse(f"{text[:at]} WHERE {ids} {text[at:]};"))

    def add_related(self, call: Call, source_id: str, related_id: str) -> object:
        label = call.request("relatedLabel") or call.request("relationIdLabel") or "Documents"
        source, source_crmid = resolve_id(self.store, source_id)
        related, related_crmid = resolve_id(self.store, related_id)
        if source.name not in RELATABLE or related is not DOCUMENTS or label != "Documents":
            raise WSError("UNKOWN_ENTITY", "Relation specified is incorrect")
        self.store.relate(source_crmid, related_crmid)
        return {"message": "successfull"}

    # -- files --------------------------------------------------------------
    def file_upload(self, call: Call, parent_id: str, kind: str, file_name: str,
                    contents: Value) -> object:
        _, docid = resolve_id(self.store, parent_id, DOCUMENTS)
        declared = (self.store.row(DOCUMENTS, docid) or {}).get("filetype", "")
        if kind not in ("Attachment", "Image"):
            raise access_denied("attachmentType")
        tmp = self.store.new_blob_path()
        try:
            size = _decode_base64_to(contents, tmp)
            name = Path(file_name.replace("\\", "/")).name or "file"
            # the type the document declared wins; else a guess from the name
            mime = declared or mimetypes.guess_type(name)[0] or "application/octet-stream"
            attid = self.store.add_attachment(docid, name, mime, size, tmp)
        finally:
            tmp.unlink(missing_ok=True)
        self.store.update(DOCUMENTS, docid, {
            "filename": name, "filesize": str(size), "filetype": mime,
            "filelocationtype": "I", "modifiedtime": now_text()})
        return {"id": ws_id(DOCUMENTS, attid), "filename": name, "filesize": str(size)}

    def files_retrieve(self, call: Call, file_id: str) -> Iterator[bytes]:
        m = re.match(r"^\d+x(\d+)$", file_id)
        found = self.store.attachment(int(m.group(1))) if m else None
        if found is None or not found[3].exists():
            raise WSError("RECORD_NOT_FOUND", "Record you are trying to access is not found")
        name, mime, _, path = found
        size = path.stat().st_size
        head = wire.dumps({"fileid": m.group(1), "filename": name, "filetype": mime,
                           "filesize": size})[:-1] + b',"filecontents":"'
        return _stream_file(b'{"success":true,"result":[' + head, path, b'"}]}')


def access_denied_username() -> WSError:
    return WSError("ACCESS_DENIED", "username does not exists")


def _element(text: str) -> dict[str, object]:
    try:
        element = json.loads(text)
    except ValueError as exc:
        raise internal_error() from exc
    if not isinstance(element, dict):
        raise internal_error()
    return element


def _decode_base64_to(value: Value, target: Path) -> int:
    """Decode like PHP's lenient base64_decode: skip foreign bytes, stop at padding."""
    size, carry = 0, b""
    with target.open("wb") as out:
        for block in value.chunks():
            data = carry + block.split(b"=", 1)[0].translate(None, NOT_B64)
            whole = len(data) - len(data) % 4
            decoded = pybase64.b64decode(data[:whole])
            out.write(decoded)
            size += len(decoded)
            carry = data[whole:]
            if b"=" in block:
                break
        if len(carry) > 1:
            decoded = pybase64.b64decode(carry + b"=" * (-len(carry) % 4))
            out.write(decoded)
            size += len(decoded)
    return size


def _stream_file(head: bytes, path: Path, tail: bytes) -> Iterator[bytes]:
    """The files_retrieve answer, base64-encoded chunk by chunk with ``/`` escaped."""
    yield head
    with path.open("rb") as f:
        while block := f.read(CHUNK // 4 * 3):
            yield pybase64.b64encode(block).replace(b"/", b"\\/")
    yield tail
