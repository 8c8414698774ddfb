"""Documents opened or dragged out of the table: the app's local copies of them.

A copy is fetched by the transfers into the cache (``transfer/cache.py`` says where,
from server data it validates), then opened with the user's application once it
arrives; a complete, current copy is opened at once. External-link documents open in
the browser, web addresses only, once the user saw the address.

An opened copy is the user's to edit, as with Cyberduck's or WinSCP's "edit": kafdocs
says it is a copy, watches it, and when it is saved offers to upload it as a new
version of its document (or, as the user chose, does it at once). A copy changed and
not uploaded is never fetched over: opening the document again opens it, and offers.
Whether a copy changed is decided off the GUI thread (``copy_state``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QFileSystemWatcher, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QCheckBox, QFileDialog, QMessageBox, QWidget

from kafdocs.api import BadAnswer, Client
from kafdocs.i18n import _
from kafdocs.transfer import JobRecord, JobState, Transfers
from kafdocs.transfer.cache import CURRENT, EDITED, FETCH, cache_target, copy_state
from kafdocs.transfer.download import (
    entry_for,
    expected_size,
    modified_timestamp,
    skip_reason,
    web_link,
)
from kafdocs.transfer.manifest import Manifest
from kafdocs.transfer.upload import UploadRequest

from .messages import describe
from .opener import NoApplicationBox, can_open, launch, show_in_folder
from .settings import DOWNLOAD_DIR, UPLOAD_SAVED, Settings
from .tasks import TaskRunner


def default_root() -> Path:
    return Path(platformdirs.user_cache_dir("kafdocs")) / "open"


SAY_MS = 10_000
PREFETCH_BYTES = 10_000_000  # a selected document this small is fetched for its first drag
PREFETCH_COUNT = 20  # the most documents fetched ahead for one selection
SETTLE_MS = 1000  # a saved file is looked at once it has been quiet this long


@dataclass
class Opened:
    """A copy the user opened: its document, and the state last offered for upload."""

    record: dict[str, Any]
    offered: tuple[int, int] | None = None  # (size, mtime_ns) the user was asked about
    sending: tuple[int, int] | None = None  # being uploaded as a new version


class DocumentCache(QObject):
    said = Signal(str, int)  # a sentence for the status bar, and for how many ms
    warned = Signal(str)  # what went wrong: kept in the window's message bar until dismissed
    arrived = Signal(object, object)  # a copy's Path, the JobRecord that fetched it (ended)

    def __init__(self, client: Client, transfers: Transfers, tasks: TaskRunner,
                 settings: Settings, window: QWidget, root: Path | None = None) -> None:
        super().__init__(window)
        self.client, self.transfers, self.window = client, transfers, window
        self.tasks, self.settings = tasks, settings
        self.root = root or default_root()
        self._open_when_fetched: set[Path] = set()
        self._fetching: set[Path] = set()  # copies asked for and not arrived yet
        self._for_drag: set[Path] = set()  # copies a drag is waiting for
        self.opened: dict[Path, Opened] = {}
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._touched)
        self.watcher.directoryChanged.connect(self._touched)
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._look)

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
        """Open the document: its copy now, or once fetched; a link in the browser.
        A copy the user changed is opened as it is, never fetched over."""
        if record.get("filelocationtype") == "E":
            self._open_link(record)
            return
        try:
            target = self.target(record)
        except BadAnswer as exc:
            self.warned.emit(describe(exc))
            return
        zone = self.client.server_zone
        self.tasks.run(lambda: copy_state(target, record, zone),
                       lambda state: self._open_as(record, target, state),
                       lambda e: self.warned.emit(describe(e)), owner=self)

    def _open_as(self, record: dict[str, Any], path: Path, state: str) -> None:
        if state == CURRENT:
            self._show(record, path)
        elif state == EDITED:
            self._show(record, path, _("Your copy of “{title}” has changes that are not in "
                                       "the CRM; it was opened as it is.").format(
                title=_title(record)))
            self._check(path)
        else:
            self._open_when_fetched.add(path)
            self.watch(record, path)
            self.fetch(record)  # or the one on its way (fetched ahead) opens on arrival

    def local(self, record: dict[str, Any], found: Callable[[Path | None], None]) -> None:
        """The copy to look at (the preview): ``found(path)`` with the current copy, or
        the user's changed one (never fetched over); ``found(None)`` when it must be
        fetched. Decided in the background (disk work). Raises BadAnswer for a record
        whose id cannot name a cache folder."""
        target = self.target(record)
        zone = self.client.server_zone
        self.tasks.run(lambda: copy_state(target, record, zone),
                       lambda state: found(None if state == FETCH else target),
                       lambda e: self.warned.emit(describe(e)), owner=self)

    def fetch(self, record: dict[str, Any], background: bool = False) -> Path:
        """Fetch a copy, once however often it is wanted before it arrives; where it
        will be. ``background``: not asked for (ahead of a drag, for the preview): no
        row in the transfers, forgotten once ended, a failure said only to whoever came
        to wait for it (an open, a drag, the preview), cancelled by a new version of the
        document (service.py). Raises BadAnswer for a record whose id cannot name a
        cache folder."""
        target = self.target(record)
        if target not in self._fetching:
            self._fetching.add(target)
            self.transfers.fetch(record, self.root, background)
        return target

    def fetching(self, target: Path) -> list[int]:
        """The jobs fetching this copy now."""
        return [job.id for job in self.transfers.table if not job.state.final
                and Path(job.meta.get("folder", "")) / job.label == target]

    def cancel_fetch(self, target: Path) -> None:
        """Nobody looks at this copy any more (the selection moved on): stop fetching it,
        unless the user asked to open or drag it."""
        if target not in self._open_when_fetched and target not in self._for_drag:
            for job_id in self.fetching(target):
                self.transfers.cancel(job_id)

    def _show(self, record: dict[str, Any], path: Path, text: str = "") -> None:
        """Open the copy with its application, once the desktop said it has one."""
        self.watch(record, path)
        self.tasks.run(lambda: can_open(path),
                       lambda known: self._launch(record, path, known, text),
                       lambda e: self._launch(record, path, None, text), owner=self)

    def _launch(self, record: dict[str, Any], path: Path, known: bool | None,
                text: str) -> None:
        if known is False or not launch(path):
            self._no_application(record, path)
            return
        text = text or _("Opened a copy of “{title}”: changes you save in it are not in the "
                         "CRM until you upload them — kafdocs will offer to.").format(
            title=_title(record))
        # after the transfers' "finished" line of the same moment, which says less
        QTimer.singleShot(0, self, lambda: self.said.emit(text, SAY_MS))

    def _no_application(self, record: dict[str, Any], path: Path) -> None:
        """Nothing opens this type: say so, and offer the folder or another place."""
        box = NoApplicationBox(path, _title(record), self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered() -> None:
            if box.clickedButton() is box.show_button and not show_in_folder(path):
                self.warned.emit(_("No file manager could be started. The copy is in "
                                   "this folder: {folder}").format(folder=path.parent))
            elif box.clickedButton() is box.save_button:
                self.save_as(path)

        box.finished.connect(answered)
        box.open()
        self.no_application_box = box  # for tests

    def save_as(self, path: Path) -> None:
        """A copy of the file where the user chooses (copied off the GUI thread)."""
        start = Path(self.settings.start_folder(DOWNLOAD_DIR)) / path.name
        chosen, _filter = QFileDialog.getSaveFileName(self.window, _("Save a copy as"),
                                                      str(start))
        if not chosen:
            return
        dest = Path(chosen)
        self.settings.set(DOWNLOAD_DIR, str(dest.parent))
        self.tasks.run(lambda: shutil.copyfile(path, dest),
                       lambda _done: self.said.emit(_("Saved as {path}").format(path=dest),
                                                    SAY_MS),
                       lambda e: self.warned.emit(describe(e)), owner=self)

    def prefetch(self, records: list[dict[str, Any]]) -> None:
        """Small documents just selected are fetched ahead, quietly: the first drag out
        of the table then carries their files. Larger ones wait for a drag."""
        if len(records) > PREFETCH_COUNT:
            return
        for record in records:
            if has_file(record) and 0 < expected_size(record) <= PREFETCH_BYTES \
                    and self.cached(record) is None:
                with suppress(BadAnswer):  # not asked for: nothing to say
                    self.fetch(record, background=True)

    def prepare_drag(self, records: list[dict[str, Any]]) -> None:
        """Fetch the copies a drag out of the table needs; the next drag carries them.
        The hint stays until they are all here, then says so."""
        for record in records:
            if has_file(record):
                try:
                    self._for_drag.add(self.fetch(record))
                except BadAnswer as exc:
                    self.warned.emit(describe(exc))
        if self._for_drag:
            self.said.emit(_("Preparing the files for drag and drop — drag them again in a "
                             "moment."), 0)

    def fetched(self, jobs: list[JobRecord]) -> None:
        """Open the documents fetched to be opened; take note of new versions sent."""
        for job in jobs:
            path = Path(job.meta.get("folder", "")) / job.label
            self._fetching.discard(path)
            self.arrived.emit(path, job)
            if job.meta.get("background"):  # no row, never retried: forgotten once ended
                self.transfers.forget(job.batch)
                if job.state is not JobState.DONE and (
                        path in self._for_drag or path in self._open_when_fetched):
                    self.warned.emit(_("“{name}” could not be fetched from the CRM: {reason}")
                                     .format(name=job.label, reason=job.message))
            if path in self._for_drag:
                self._for_drag.discard(path)
                if not self._for_drag:  # the hint goes; what failed is said on its own
                    text = _("The files are ready: drag them out again.") \
                        if job.state is JobState.DONE else ""
                    # after the transfers' "finished" line of the same moment
                    QTimer.singleShot(0, self, lambda t=text: self.said.emit(t, SAY_MS))
            if path in self._open_when_fetched:
                self._open_when_fetched.discard(path)
                if job.state is JobState.DONE:
                    self._show(self.opened[path].record, path)
            self._version_sent(job)

    # -- opened copies saved by the user --------------------------------------------
    def watch(self, record: dict[str, Any], path: Path) -> None:
        """Watch the copy, and its folder: editors often save by replacing the file."""
        self.opened.setdefault(path, Opened(record)).record = record
        self.watcher.addPaths([str(path.parent), *([str(path)] if path.exists() else [])])

    def _touched(self, _changed: str) -> None:
        self._settle.start()

    def _look(self) -> None:
        for path in list(self.opened):
            self._check(path)

    def _check(self, path: Path) -> None:
        """In the background: has the copy been saved with changes since kafdocs wrote it?"""
        opened = self.opened[path]
        zone = self.client.server_zone

        def saved() -> tuple[int, int] | None:
            if copy_state(path, opened.record, zone) != EDITED:
                return None
            info = os.stat(path)
            return (info.st_size, info.st_mtime_ns)

        self.tasks.run(saved, lambda state: self._saved(path, state), lambda e: None,
                       owner=self)

    def _saved(self, path: Path, state: tuple[int, int] | None) -> None:
        opened = self.opened.get(path)
        if path.exists() and str(path) not in self.watcher.files():
            self.watcher.addPath(str(path))  # replaced by the editor: watch the new file
        if opened is None or state is None or state in (opened.offered, opened.sending):
            return
        opened.offered = state
        if self.settings.get(UPLOAD_SAVED):
            self._send(path, opened, state)
            return
        self._offer(path, opened, state)

    def _offer(self, path: Path, opened: Opened, state: tuple[int, int]) -> None:
        record = opened.record
        box = QMessageBox(QMessageBox.Icon.Question, _("Changes to a copy"),
                          _("You saved changes to “{file}”, a copy of the document “{title}” "
                            "({number}) opened from the CRM.\n\nUpload it as a new version "
                            "of this document?").format(
                              file=path.name, title=_title(record),
                              number=record.get("note_no") or record.get("id")),
                          QMessageBox.StandardButton.NoButton, self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        upload = box.addButton(_("Upload new version"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(_("Not now"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(upload)
        always = QCheckBox(_("From now on, upload saved copies without asking"))
        box.setCheckBox(always)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered() -> None:
            if box.clickedButton() is upload:
                if always.isChecked():
                    self.settings.set(UPLOAD_SAVED, True)
                self._send(path, opened, state)

        box.finished.connect(answered)
        box.open()
        self.offer_box = box  # for tests and for the window to find it

    def _send(self, path: Path, opened: Opened, state: tuple[int, int]) -> None:
        """The saved copy, as it was when the user was asked, as the new version."""
        record = opened.record
        opened.sending = state
        self.transfers.upload([UploadRequest(path, str(record.get("folderid", "")),
                                             replace_id=str(record["id"]), expect=state)])
        self.said.emit(_("Uploading your changes to “{title}” as a new version…").format(
            title=_title(record)), SAY_MS)

    def _version_sent(self, job: JobRecord) -> None:
        """A copy sent as a new version is the CRM's current file again: recorded so."""
        path = Path(job.meta.get("path", ""))
        opened = self.opened.get(path)
        if job.kind != "upload" or opened is None or opened.sending is None \
                or job.meta.get("doc_id") != opened.record.get("id"):
            return
        sent, opened.sending = opened.sending, None
        if job.state is not JobState.DONE:
            opened.offered = None  # ask again at the next save
            return
        client, doc_id = self.client, str(opened.record["id"])

        def record_sent() -> dict[str, Any]:
            record = client.retrieve(doc_id)
            entry = entry_for(record, path.name, path)
            Manifest(path.parent).record(  # the stat of what was sent, not of a later save
                replace(entry, local_size=sent[0], local_mtime_ns=sent[1]))
            return record

        def done(record: dict[str, Any]) -> None:
            opened.record = record
            self.said.emit(_("Your changes to “{title}” are in the CRM as its new version.")
                           .format(title=_title(record)), SAY_MS)

        self.tasks.run(record_sent, done, lambda e: self.warned.emit(describe(e)),
                       owner=self)

    def _open_link(self, record: dict[str, Any]) -> None:
        """An external-link document: only a web address, and only once the user saw it."""
        url = web_link(record)
        if url is None:
            self.warned.emit(_("This document links to an address kafdocs does not open: "
                               "{address}").format(address=str(record.get("filename"))[:200]))
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


def has_file(record: dict[str, Any]) -> bool:
    """A document with a stored file (not a web link, not empty): it can be dragged out."""
    return skip_reason(record) is None


def _title(record: dict[str, Any]) -> str:
    return str(record.get("notes_title") or record.get("filename") or record.get("id"))
