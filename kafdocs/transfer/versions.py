"""A new version of a document: its file replaced, its id, number, folder, title,
description and links kept.

What the server does at each failure decides what is safe here. The server acts only
once it holds the whole request: a body cut on the way, a request over the size limit,
a proxy error or a cancel leave the previous file in place. Once it acts, it stores the
new file and drops the old one in one step. So the document always holds a whole
file — the previous one or the new one — provided that:

- the file sent is whole: it is sent from a private snapshot, so a program saving it
  again meanwhile cannot tear it (the server cannot give the old file back);
- nothing is sent that the server would store as "no file": stock vtiger answers
  success to an empty file part and leaves the document without a file, so empty
  files are refused there before anything is sent.

An answer lost after the server acted is not a failure: the document is read back,
and if it holds the new file, the version is confirmed without sending it again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kafdocs.api import AccessDenied, Client, CorruptFile, KafdocsError, TooLarge, TransportError
from kafdocs.i18n import _

from .download import expected_size, file_ids
from .engine import JobContext
from .localfile import check_expected, check_uploadable, refuse_empty, snapshot
from .mime import detect_mime


class AmbiguousReplace(KafdocsError):
    """Several documents have the name: which one gets the new version must be said."""


class DocumentGone(KafdocsError):
    """The document to replace no longer exists, or the user may not change it."""


def document_before(client: Client, doc_id: str) -> dict[str, Any]:
    try:
        return client.retrieve(doc_id)
    except AccessDenied:
        raise DocumentGone(_("The document {id} no longer exists in the CRM, or you may not "
                             "change it: nothing was sent").format(id=doc_id)) from None


def only_one(duplicates: list[dict[str, Any]], name: str) -> str:
    """The one document of that name that a plain "replace" may mean."""
    if len(duplicates) == 1:
        return str(duplicates[0]["id"])
    listed = ", ".join(f"{d.get('note_no') or d['id']} “{d.get('notes_title', '')}”"
                       for d in duplicates[:5])
    raise AmbiguousReplace(
        _("{count} documents in this folder have the file name {name}: {documents}. Nothing "
          "was replaced; choose the document with: kafdocs replace DOCUMENT_ID FILE")
        .format(count=len(duplicates), name=name, documents=listed))


def replace(client: Client, doc_id: str, path: Path, ctx: JobContext,
            expect: tuple[int, int] | None = None) -> dict[str, Any]:
    """Make ``path`` the new file of document ``doc_id``; returns the confirmed record."""
    source = check_uploadable(path)
    check_expected(path, source, expect)
    refuse_empty(client, path, source.st_size)
    before = document_before(client, doc_id)
    ctx.set_total(source.st_size)
    with snapshot(path, source) as copy:
        ctx.check()

        def send() -> None:
            client.replace_file(doc_id, copy, file_name=path.name,
                                content_type=detect_mime(path), progress=ctx.progress,
                                cancelled=ctx.cancelled)

        return _send_and_confirm(client, doc_id, before, source, send)


def _send_and_confirm(client: Client, doc_id: str, before: dict[str, Any],
                      source: os.stat_result, send: Callable[[], None]) -> dict[str, Any]:
    try:
        send()
    except TransportError as exc:
        if isinstance(exc, TooLarge):
            raise
        after = client.retrieve(doc_id)  # the server may have acted, the answer got lost
        if holds_new_file(before, after, source.st_size):
            return after
        raise
    return confirm_new_version(client, doc_id, before, source.st_size)


def holds_new_file(before: dict[str, Any], after: dict[str, Any], size: int) -> bool:
    return bool(file_ids(after)) and file_ids(after) != file_ids(before) \
        and expected_size(after) == size


def confirm_new_version(client: Client, doc_id: str, before: dict[str, Any],
                        size: int) -> dict[str, Any]:
    """The document holds a new file of the size sent."""
    after = client.retrieve(doc_id)
    if not file_ids(after):
        raise CorruptFile(_("The server accepted the new version but the document has no "
                            "file attached"))
    if file_ids(after) == file_ids(before) and after.get("modifiedtime") == \
            before.get("modifiedtime"):
        raise CorruptFile(_("The server did not store the new version; the document keeps "
                            "its previous file"))
    if expected_size(after) != size:
        raise CorruptFile(_("The server stored {stored} bytes instead of {size}; send the "
                            "new version again").format(stored=expected_size(after), size=size))
    return after
