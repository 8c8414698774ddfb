"""The upload chain: create the Document, send its file, confirm; never leave it empty.

A file whose name is already in the folder is skipped, filed beside it, or sent as a
new version of exactly one of those documents (``versions.py``).
"""

from __future__ import annotations

import enum
import logging
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from kafdocs.api import Client, CorruptFile, KafdocsError, Query
from kafdocs.api.retry import Failure, classify
from kafdocs.api.values import number
from kafdocs.i18n import _

from .crmrecords import link_document
from .engine import Job, JobContext, Skipped
from .localfile import check_expected, check_unchanged, check_uploadable, refuse_empty
from .mime import detect_mime
from .naming import numbered
from .storednames import server_names, utf8_column
from .versions import only_one, replace

log = logging.getLogger(__name__)
T = TypeVar("T")


class OnDuplicate(enum.Enum):
    SKIP = "skip"
    KEEP = "keep"  # keep both
    REPLACE = "replace"  # a new version of the one document of that name


@dataclass(frozen=True)
class UploadRequest:
    path: Path
    folder_id: str
    title: str | None = None
    link_to: str | None = None  # a CRM record (Account, Contact...) to relate the document to
    on_duplicate: OnDuplicate = OnDuplicate.KEEP
    expect: tuple[int, int] | None = None  # (size, mtime_ns) the caller saw settle, if any
    replace_id: str | None = None  # the document this file is a new version of, if chosen
    # the folder's documents with this file name, when the caller looked them up for the
    # whole drop (find_duplicates); None: looked up when the job runs, if its policy needs
    duplicates: tuple[dict[str, Any], ...] | None = field(default=None, hash=False)
    file_name: str | None = None  # the name to file under ("keep both": "NAME (2)")

    @property
    def name(self) -> str:
        return self.file_name or self.path.name


NAMES_PER_QUERY = 50


def find_duplicates(client: Client, folder_id: str,
                    names: Collection[str]) -> dict[str, list[dict[str, Any]]]:
    """The folder's documents whose file has one of ``names``, as the server may store
    it, by name (names with none are left out): one query per 50 names, for a whole drop."""
    variants: dict[str, set[str]] = {}  # a name as the server may store it -> our names
    for name in names:
        for variant in server_names(name):
            variants.setdefault(variant, set()).add(name)
    found: dict[str, list[dict[str, Any]]] = {}
    wanted = sorted(variants)
    for start in range(0, len(wanted), NAMES_PER_QUERY):
        query = (Query("Documents")
                 .select("id", "notes_title", "note_no", "filename", "filesize", "modifiedtime")
                 .where("folderid", "=", folder_id)
                 .where("filename", "IN", wanted[start:start + NAMES_PER_QUERY]))
        for row in client.query(query):
            for name in sorted(variants.get(str(row.get("filename")), ())):
                found.setdefault(name, []).append(row)
    return found


def keep_both_names(client: Client, folder_id: str, taken: Collection[str],
                    tries: int = 20) -> dict[str, str]:
    """For each name already in the folder, the name to keep both under: the first free
    ``NAME (2)``, ``NAME (3)``… (one batched lookup for all of them)."""
    candidates = {name: [numbered(name, n) for n in range(2, tries + 2)] for name in taken}
    used = set(find_duplicates(client, folder_id,
                               [c for names in candidates.values() for c in names]))
    chosen = {}
    for name in sorted(taken):
        free = [c for c in candidates[name] if c not in used]
        chosen[name] = free[0] if free else numbered(name, tries + 2 + len(used))
        used.add(chosen[name])
    return chosen


def _duplicates_of(client: Client, request: UploadRequest) -> list[dict[str, Any]]:
    """The documents the request's policy must know of: "keep both" needs none."""
    if request.on_duplicate is OnDuplicate.KEEP:
        return []
    if request.duplicates is not None:
        return list(request.duplicates)
    name = request.path.name
    return find_duplicates(client, request.folder_id, [name]).get(name, [])


def stored_as(record: dict[str, Any], path: Path) -> str:
    """The name the server gave the file, when it is not the one sent."""
    name = str(record.get("filename") or "")
    return name if name and name != path.name else ""


def upload_job(client: Client, request: UploadRequest) -> Job:
    """The upload chain as a queue job; its size is read when it runs, not here."""

    def run(ctx: JobContext) -> str:
        record, new_version = file_document(client, request, ctx)
        ctx.meta["doc_id"] = record["id"]
        number = record.get("note_no") or "-"
        message = (_("new version of {number} ({id})") if new_version
                   else _("filed as {number} ({id})")).format(number=number, id=record["id"])
        if not new_version and request.name != request.path.name:
            message = _("kept both as {name}; {filed}").format(name=request.name,
                                                               filed=message)
        renamed = stored_as(record, Path(request.name))
        if renamed:
            ctx.meta["stored_name"] = renamed
            message += " " + _("(stored as {name})").format(name=renamed)
        return message

    meta = {"path": str(request.path), "folder_id": request.folder_id}
    if request.replace_id:
        meta["replace_id"] = request.replace_id  # a copy of it fetched ahead yields to it
    return Job(label=request.path.name, run=run, kind="upload", meta=meta)


def upload(client: Client, request: UploadRequest, ctx: JobContext) -> dict[str, Any]:
    """Run the chain for one file; returns the confirmed document record."""
    return file_document(client, request, ctx)[0]


def file_document(client: Client, request: UploadRequest,
                  ctx: JobContext) -> tuple[dict[str, Any], bool]:
    """The confirmed document, and whether it is a new version of an existing one."""
    path = request.path
    if request.replace_id:
        return _new_version(client, request, request.replace_id, ctx), True
    source = check_uploadable(path)
    check_expected(path, source, request.expect)
    size = source.st_size
    refuse_empty(client, path, size)
    ctx.set_total(size)
    duplicates = _duplicates_of(client, request)
    if duplicates and request.on_duplicate is OnDuplicate.SKIP:
        raise Skipped(_("A document with the file name {name!r} is already in this folder")
                      .format(name=path.name))
    if duplicates and request.on_duplicate is OnDuplicate.REPLACE:
        return _new_version(client, request, only_one(duplicates, path.name), ctx), True
    return _create(client, request, source, ctx), False


def _new_version(client: Client, request: UploadRequest, doc_id: str,
                 ctx: JobContext) -> dict[str, Any]:
    record = replace(client, doc_id, request.path, ctx, request.expect)
    if request.link_to:  # a failed link never deletes a document that was there before
        link_document(client, request.link_to, doc_id)
    return record


def _create(client: Client, request: UploadRequest, source: os.stat_result,
            ctx: JobContext) -> dict[str, Any]:
    path, size, name = request.path, source.st_size, request.name
    ctx.check()
    element = {
        "notes_title": request.title or Path(name).stem or name,
        "folderid": request.folder_id, "filename": name, "filetype": detect_mime(path),
        "filesize": str(size), "filestatus": "1", "filelocationtype": "I",
        "assigned_user_id": client.user_id,
    }
    if client.supports_file_upload():
        record = _create_then_upload(client, request, element, source, path, ctx)
    else:
        record = _created(client, request, element, lambda: client.create_with_file(
            "Documents", element, path, file_name=name, content_type=element["filetype"],
            progress=ctx.progress, cancelled=ctx.cancelled))
        _with_cleanup(client, record["id"], lambda: _confirm(client, record["id"], source, path))
    complete(client, request, record)
    return record


def _created(client: Client, request: UploadRequest, element: dict[str, str],
             create: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``create`` the document. When its answer is lost on the way, the server may have
    made it all the same, and the engine repeats the whole job: a document this attempt
    left (this user's, same file name, title and size, not in the folder before) is
    deleted first, so that a repeated job never files the file twice.

    "Before" is the folder's documents of that name the caller looked up for the whole
    drop (``request.duplicates``); without them nothing can be told apart from an
    earlier upload of the same file, and nothing is deleted.
    """
    try:
        return create()
    except KafdocsError as exc:
        if classify(exc) is not Failure.LOST or request.duplicates is None:
            raise
        before = {str(d.get("id")) for d in request.duplicates}
        try:
            for row in _same_file(client, element):
                if str(row["id"]) not in before:
                    log.info("removing %s, made by an attempt whose answer was lost",
                             row["id"])
                    client.delete(str(row["id"]))
        except KafdocsError as lookup:
            log.warning("could not look for a document left by a lost answer: %s", lookup)
        raise


def _same_file(client: Client, element: dict[str, str]) -> list[dict[str, Any]]:
    """The folder's documents of this user that look like ``element``: its file name as
    the server may store it, its title (the server may cut it to 50 characters) and size."""
    query = (Query("Documents").select("id", "notes_title", "filesize", "assigned_user_id")
             .where("folderid", "=", element["folderid"])
             .where("filename", "IN", server_names(element["filename"])))
    title = element["notes_title"]
    return [row for row in client.query(query)
            if row.get("assigned_user_id") == element["assigned_user_id"]
            and str(row.get("filesize")) == element["filesize"]
            and utf8_column(title).startswith(str(row.get("notes_title") or ""))]


def complete(client: Client, request: UploadRequest, record: dict[str, Any]) -> None:
    """The step after a new document's file is confirmed: the link to a CRM record, if
    asked; the document is deleted if the link fails.

    It may be repeated safely (a watched folder finishes a chain a crash interrupted):
    ``add_related`` accepts an existing link.
    """
    if request.link_to:
        link_to = request.link_to
        _with_cleanup(client, record["id"], lambda: link_document(client, link_to, record["id"]))


def _create_then_upload(client: Client, request: UploadRequest, element: dict[str, str],
                        source: os.stat_result, path: Path, ctx: JobContext) -> dict[str, Any]:
    record = _created(client, request, element, lambda: client.create("Documents", element))

    def send_and_confirm() -> dict[str, Any]:
        ctx.check()
        client.file_upload(record["id"], path, file_name=element["filename"],
                           progress=ctx.progress, cancelled=ctx.cancelled)
        return _confirm(client, record["id"], source, path)

    return _with_cleanup(client, record["id"], send_and_confirm)


def _with_cleanup(client: Client, doc_id: str, step: Callable[[], T]) -> T:
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
    stored = number(record.get("filesize"))
    if stored is not None and stored != size:
        raise CorruptFile(_("The server stored {stored} bytes instead of {size}")
                          .format(stored=stored, size=size))
    return record
