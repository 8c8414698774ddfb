"""Documents opened or dragged out of the table: the app's local copies of them.

A copy is fetched by the transfers into the cache (``transfer/cache.py`` says where,
from server data it validates), then opened with the user's application once it
arrives; a complete, current copy is opened at once. External-link documents open in
the browser, web addresses only, once the user saw the address.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from kafdocs.api import BadAnswer, Client
from kafdocs.i18n import _
from kafdocs.transfer import JobRecord, Transfers
from kafdocs.transfer.cache import cache_target
from kafdocs.transfer.download import expected_size, modified_timestamp, web_link

from .messages import describe

SAY_MS = 10_000


def default_root() -> Path:
    return Path(platformdirs.user_cache_dir("kafdocs")) / "open"


class DocumentCache(QObject):
    said = Signal(str, int)  # a sentence for the status bar, and for how many ms

    def __init__(self, client: Client, transfers: Transfers, window: QWidget,
                 root: Path | None = None) -> None:
        super().__init__(window)
        self.client, self.transfers, self.window = client, transfers, window
        self.root = root or default_root()
        self._open_when_fetched: set[Path] = set()

    def target(self, record: dict[str, Any]) -> Path:
        """Raises BadAnswer for a record whose id cannot name a cache folder."""
        return cache_target(self.root, self.client.endpoint, record)

    def cached(self, record: dict[str, Any]) -> Path | None:
        """A cached copy that is complete and of the current version (stat only)."""
        try:
            path = self.target(record)
            info = path.stat()
        except (OSError, BadAnswer):
            return None
        stamp = modified_timestamp(record, self.client.server_zone)
        fresh = stamp is None or int(info.st_mtime) == int(stamp)
        return path if fresh and info.st_size == expected_size(record) else None

    def open(self, record: dict[str, Any]) -> None:
        """Open the document: its copy now, or once fetched; a link in the browser."""
        if record.get("filelocationtype") == "E":
            self._open_link(record)
            return
        cached = self.cached(record)
        if cached is not None:
            open_path(cached)
            return
        try:
            target = self.target(record)
        except BadAnswer as exc:
            self.said.emit(describe(exc), SAY_MS)
            return
        self._open_when_fetched.add(target)
        self.transfers.fetch(record, self.root)

    def prepare_drag(self, records: list[dict[str, Any]]) -> None:
        """Fetch the copies a drag out of the table needs; the next drag carries them."""
        for record in records:
            if record.get("filelocationtype") != "E" and record.get("imageattachmentids"):
                try:
                    self.target(record)
                except BadAnswer as exc:
                    self.said.emit(describe(exc), SAY_MS)
                    continue
                self.transfers.fetch(record, self.root)
        self.said.emit(
            _("Preparing the files for drag and drop — drag them again in a moment."), 6000)

    def fetched(self, jobs: list[JobRecord]) -> None:
        """Open the documents that were fetched into the cache to be opened."""
        for job in jobs:
            path = Path(job.meta.get("folder", "")) / job.label
            if path in self._open_when_fetched:
                self._open_when_fetched.discard(path)
                open_path(path)

    def _open_link(self, record: dict[str, Any]) -> None:
        """An external-link document: only a web address, and only once the user saw it."""
        url = web_link(record)
        if url is None:
            self.said.emit(_("This document links to an address kafdocs does not open: "
                             "{address}").format(address=str(record.get("filename"))[:200]),
                           SAY_MS)
            return
        box = QMessageBox(QMessageBox.Icon.Question, _("Open a web link"),
                          _("This document is a link to a web page:\n\n{address}\n\n"
                            "Open it in your browser?").format(address=url),
                          QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
                          self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)  # the address is data, never markup
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if box.exec() == QMessageBox.StandardButton.Open:
            QDesktopServices.openUrl(QUrl(url, QUrl.ParsingMode.StrictMode))
        box.deleteLater()


def open_path(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
