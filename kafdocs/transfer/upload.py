"""The upload chain: create the Document, send its file, confirm; never leave it empty."""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kafdocs.api import AccessDenied, Client, CorruptFile, FileChanged, KafdocsError, Query
from kafdocs.i18n import _

from .engine import Job, JobContext, Skipped
from .mime import detect_mime

log = logging.getLogger(__name__)


class OnDuplicate(enum.Enum):
    SKIP = "skip"
    KEEP = "keep"  # keep both
    REPLACE = "replace"


class UnreadableFile(KafdocsError):
    """The local file cannot be uploaded (not a regular file, no permission)."""


class EmptyFileRefused(KafdocsError):
    """Stock vtiger answers success to an empty file part but stores no file."""


@dataclass(frozen=True)
class UploadRequest:
    path: Path
    folder_id: str
    title: str | None = None
    link_to: str | None = None  # a CRM record (Account, Contact...) to relate the document to
    on_duplicate: OnDuplicate = OnDuplicate.KEEP
    expect: tuple[int, int] | None = None  # (size, mtime_ns) the caller saw settle, if any


def check_uploadable(path: Path) -> os.stat_result:
    """The file's state as its sending begins, or a clear reason why it cannot be sent."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise UnreadableFile(f"{path.name}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile(_("{name} is not a regular file").format(name=path.name))
    if not os.access(path, os.R_OK):
        raise UnreadableFile(_("{name}: permission denied").format(name=path.name))
    return info


def check_unchanged(path: Path, before: os.stat_result) -> None:
    """Refuse a file that is no longer the one whose sending began: it may arrive torn.

    A scanner or an export still writing, or a user saving again, changes the size or
    the modification time; the caller rolls the document back and tries again later.
    """
    try:
        now = os.stat(path)
    except OSError:
        now = None
    if now is None or (now.st_size, now.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise _changed(path)


def _changed(path: Path) -> FileChanged:
    return FileChanged(_("{name} changed while it was being sent; it will be sent again "
                         "once it stops changing").format(name=path.name))


def server_names(name: str) -> list[str]:
    """How a name may be stored: stock vtiger turns white space into ``_``."""
    return list(dict.fromkeys([name, "_".join(name.split(" "))]))


def find_duplicates(client: Client, folder_id: str, file_name: str) -> list[dict[str, Any]]:
    query = (Query("Documents").select("id", "notes_title", "filename")
             .where("folderid", "=", folder_id).where("filename", "IN", server_names(file_name)))
    wanted = set(server_names(file_name))
    return [r for r in client.query(query) if r.get("filename") in wanted]


def upload_job(client: Client, request: UploadRequest) -> Job:
    """The upload chain as a queue job; its size is read when it runs, not here."""

    def run(ctx: JobContext) -> str:
        record = upload(client, request, ctx)
        ctx.meta["doc_id"] = record["id"]
        return _("filed as {number} ({id})").format(number=record.get("note_no") or "-",
                                                     id=record["id"])

    return Job(label=request.path.name, run=run, kind="upload",
               meta={"path": str(request.path), "folder_id": request.folder_id})


def upload(client: Client, request: UploadRequest, ctx: JobContext) -> dict[str, Any]:
    """Run the chain for one file; returns the confirmed document record."""
    path = request.path
    source = check_uploadable(path)
    if request.expect is not None and request.expect != (source.st_size, source.st_mtime_ns):
        raise _changed(path)  # not the file the caller saw complete: maybe half-written
    size = source.st_size
    if size == 0 and not client.supports_file_upload():
        raise EmptyFileRefused(_("{name}: the file is empty and this server cannot store "
                                 "empty files").format(name=path.name))
    ctx.set_total(size)
    duplicates = find_duplicates(client, request.folder_id, path.name)
    if duplicates and request.on_duplicate is OnDuplicate.SKIP:
        raise Skipped(_("A document with the file name {name!r} is already in this folder")
                      .format(name=path.name))
    ctx.check()
    element = {
        "notes_title": request.title or path.stem or path.name,
        "folderid": request.folder_id, "filename": path.name, "filetype": detect_mime(path),
        "filesize": str(size), "filestatus": "1", "filelocationtype": "I",
        "assigned_user_id": client.user_id,
    }
    if client.supports_file_upload():
        record = _create_then_upload(client, element, source, path, ctx)
    else:
        record = client.create_with_file("Documents", element, path,
                                         content_type=element["filetype"],
                                         progress=ctx.progress, cancelled=ctx.cancelled)
        _with_cleanup(client, record["id"], lambda: _confirm(client, record["id"], source, path))
    complete(client, request, record, [old["id"] for old in duplicates])
    return record


def complete(client: Client, request: UploadRequest, record: dict[str, Any],
             duplicates: list[str]) -> None:
    """The steps after the file is confirmed: the link, then the replaced documents.

    Both may be repeated safely (a watched folder finishes a chain a crash interrupted):
    ``add_related`` accepts an existing link, a replaced document may be gone already.
    """
    if request.link_to:
        link_to = request.link_to
        _with_cleanup(client, record["id"], lambda: _link(client, link_to, record["id"]))
    if request.on_duplicate is OnDuplicate.REPLACE:
        for old in duplicates:  # only now that the new one is confirmed
            with contextlib.suppress(AccessDenied):  # deleted already
                client.delete(old)


def _create_then_upload(client: Client, element: dict[str, str], source: os.stat_result,
                        path: Path, ctx: JobContext) -> dict[str, Any]:
    record = client.create("Documents", element)

    def send_and_confirm() -> dict[str, Any]:
        ctx.check()
        client.file_upload(record["id"], path, file_name=path.name, progress=ctx.progress,
                           cancelled=ctx.cancelled)
        return _confirm(client, record["id"], source, path)

    return _with_cleanup(client, record["id"], send_and_confirm)


class LinkFailed(KafdocsError):
    """The record to link the document to is not there or cannot hold documents."""


def _link(client: Client, record_id: str, doc_id: str) -> None:
    """add_related says "successfull" whatever happened: the link is confirmed by
    reading the record's related documents."""
    client.add_related(record_id, doc_id, "Documents")
    query = Query("Documents").select("id").where("id", "=", doc_id)
    if not any(row.get("id") == doc_id for row in client.query_related(
            record_id, "Documents", query)):
        raise LinkFailed(_("The document could not be linked to the record {id}: it does not "
                           "exist or cannot hold documents").format(id=record_id))


def _with_cleanup(client: Client, doc_id: str, step: Any) -> Any:
    """Run ``step``; if it fails or is cancelled, delete the new document and re-raise."""
    try:
        return step()
    except BaseException as original:
        try:
            client.delete(doc_id)
        except Exception as exc:
            log.warning("could not delete the incomplete document %s: %s", doc_id, exc)
        raise original


def _confirm(client: Client, doc_id: str, source: os.stat_result,
             path: Path) -> dict[str, Any]:
    """The document holds the whole file, as it was when its sending began."""
    check_unchanged(path, source)
    size = source.st_size
    record = client.retrieve(doc_id)
    if not record.get("imageattachmentids"):
        raise CorruptFile(_("The server accepted the file but the document has no file attached"))
    stored = str(record.get("filesize", ""))
    if stored.isdigit() and int(stored) != size:
        raise CorruptFile(_("The server stored {stored} bytes instead of {size}")
                          .format(stored=stored, size=size))
    return record
