"""Drops as plain functions of URLs: what a drop carries, and taking it as a copy.

What happens to the files then is the upload flow's (uploads.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent


def local_paths(mime: QMimeData) -> list[Path]:
    """The local files and folders carried by a drop; remote URLs are ignored."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def accept_file_drag(event: QDragEnterEvent | QDragMoveEvent) -> None:
    """Take drags that carry files, always as copies; refuse anything else."""
    if event.mimeData().hasUrls():
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
    else:
        event.ignore()


def take_file_drop(event: QDropEvent) -> list[Path]:
    """The local paths of a drop, accepted as a copy; empty (and ignored) otherwise."""
    paths = local_paths(event.mimeData())
    if paths:
        event.setDropAction(Qt.DropAction.CopyAction)  # external drops are always copies
        event.accept()
    else:
        event.ignore()
    return paths
