"""Drops as plain functions of what they carry: files from the desktop (taken as copies,
uploaded by the upload flow, uploads.py), or documents dragged out of the table
(moved onto a folder, linked to a record...).

A drag out of the table carries its documents as JSON under ``DOCUMENTS_MIME``, plus
the files of their cached copies for the desktop. Inside the window it is never taken
for files to upload: the documents are in the CRM already.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QMimeData, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent

DOCUMENTS_MIME = "application/x-kafdocs-documents"


def documents_mime(records: list[dict[str, Any]], paths: list[Path]) -> QMimeData:
    """What a drag of documents carries: the documents, and their copies' files."""
    mime = QMimeData()
    mime.setData(DOCUMENTS_MIME, QByteArray(json.dumps(records).encode()))
    if paths:
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def dropped_documents(mime: QMimeData) -> list[dict[str, Any]]:
    """The documents a drag out of the table carries; none for other drags."""
    if not mime.hasFormat(DOCUMENTS_MIME):
        return []
    try:
        records = json.loads(bytes(mime.data(DOCUMENTS_MIME).data()))
    except ValueError:
        return []
    return [r for r in records if isinstance(r, dict) and isinstance(r.get("id"), str)] \
        if isinstance(records, list) else []


def accept_documents_drag(event: QDragEnterEvent | QDragMoveEvent) -> bool:
    """Take a drag of documents as a move; False for any other drag."""
    if event.mimeData().hasFormat(DOCUMENTS_MIME):
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        return True
    return False


def local_paths(mime: QMimeData) -> list[Path]:
    """The local files and folders carried by a drop; remote URLs are ignored."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def accept_file_drag(event: QDragEnterEvent | QDragMoveEvent) -> None:
    """Take drags that carry files, always as copies; refuse anything else (documents
    dragged out of the table included: they are in the CRM already)."""
    if event.mimeData().hasUrls() and not event.mimeData().hasFormat(DOCUMENTS_MIME):
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
    else:
        event.ignore()


def take_file_drop(event: QDropEvent) -> list[Path]:
    """The local paths of a drop, accepted as a copy; empty (and ignored) otherwise."""
    dragged_out = event.mimeData().hasFormat(DOCUMENTS_MIME)
    paths = [] if dragged_out else local_paths(event.mimeData())
    if paths:
        event.setDropAction(Qt.DropAction.CopyAction)  # external drops are always copies
        event.accept()
    else:
        event.ignore()
    return paths
