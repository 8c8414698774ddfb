"""Download folder…: where to, whether to mirror the folder (remembered per folder), and
what the run did — new, updated, renamed, removed, kept because changed locally, failed —
said once its transfers end (``transfer/sync.py`` does the work)."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kafdocs.api import Client
from kafdocs.i18n import _, ngettext
from kafdocs.transfer import FolderQueued, Summary, Transfers
from kafdocs.transfer.cache import endpoint_key
from kafdocs.transfer.folders import Folder
from kafdocs.transfer.sync import SyncOutcome, SyncReport

from .messages import describe
from .settings import DOWNLOAD_DIR, MIRRORED_FOLDERS, Settings
from .tasks import TaskRunner

SAY_MS = 15_000


class FolderDownloadDialog(QDialog):
    """Where the folder goes, and whether copies of documents that left it are removed."""

    def __init__(self, folder_name: str, dest: str, mirror: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Download the folder “{folder}”").format(folder=folder_name))
        self.setMinimumWidth(520)
        self.dest = QLineEdit(dest)
        self.dest.setPlaceholderText(_("The folder on this computer to download into"))
        self.choose = QPushButton(_("Choose…"))
        self.choose.clicked.connect(self._choose)
        where = QHBoxLayout()
        where.addWidget(self.dest, 1)
        where.addWidget(self.choose)
        self.mirror = QCheckBox(_("Mirror the CRM folder"))
        self.mirror.setChecked(mirror)
        # A check box does not wrap: the explanation, long in French, is a label that does.
        note = QLabel(_("Copies of documents that left this folder in the CRM go to the "
                        "trash, only if not changed on this computer; your own files and "
                        "changed copies are kept and listed."))
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Download"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.dest.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Download into:")))
        layout.addLayout(where)
        layout.addWidget(self.mirror)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self._update()

    def _choose(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.windowTitle(), self.dest.text())
        if chosen:
            self.dest.setText(chosen)

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.dest.text().strip()))


class FolderDownloads(QObject):
    """Asks, starts the folder download off the GUI thread, and reports when it ends."""

    said = Signal(str, int)  # a sentence for the status bar, and for how many ms
    warned = Signal(str)  # what went wrong: kept in the window's message bar
    reported = Signal(object)  # the SyncOutcome, once the run's summary has been given

    def __init__(self, client: Client, transfers: Transfers, tasks: TaskRunner,
                 settings: Settings, window: QWidget) -> None:
        super().__init__(window)
        self.client, self.transfers, self.tasks = client, transfers, tasks
        self.settings, self.window = settings, window
        self.pending: dict[int, SyncReport] = {}  # by batch, until its transfers end

    def ask(self, folder: Folder) -> None:
        dialog = FolderDownloadDialog(folder.name, self.settings.start_folder(DOWNLOAD_DIR),
                                      self._key(folder) in self._mirrored(), self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                dest = dialog.dest.text().strip()
                self.settings.set(DOWNLOAD_DIR, dest)
                self._remember(folder, dialog.mirror.isChecked())
                self.start(folder, Path(dest), dialog.mirror.isChecked())

        dialog.finished.connect(answered)
        dialog.open()
        self.dialog = dialog  # for tests

    def start(self, folder: Folder, dest: Path, mirror: bool = False) -> None:
        self.said.emit(_("Listing “{folder}”…").format(folder=folder.name), 0)  # until done
        transfers = self.transfers

        def failed(error: BaseException) -> None:
            self.said.emit("", 0)
            self.warned.emit(describe(error))

        # Listing a big folder takes seconds: the call waits in a background task.
        self.tasks.run(lambda: transfers.download_folder(folder, dest, mirror), self._planned,
                       failed, owner=self)

    def _planned(self, queued: FolderQueued) -> None:
        if not queued.to_fetch:
            self._report(SyncOutcome.of(queued.report, []))
            return
        self.said.emit(ngettext("“{folder}”: {count} document to download, {current} already "
                                "up to date.",
                                "“{folder}”: {count} documents to download, {current} already "
                                "up to date.", queued.to_fetch).format(
            folder=queued.report.folder, count=queued.to_fetch, current=queued.up_to_date),
            SAY_MS)
        self.pending[queued.batch] = queued.report
        self.batch_finished(None)  # its fetches may have ended before this answer came

    def batch_finished(self, _summary: Summary | None) -> None:
        """A batch ended: the folder downloads among the ended ones say what they did."""
        table = self.transfers.table
        for batch in [b for b in self.pending if table.batch_ended(b)]:
            report = self.pending.pop(batch)
            self._report(SyncOutcome.of(report, [r for r in table if r.batch == batch]))

    def _report(self, outcome: SyncOutcome) -> None:
        if outcome.nothing_changed:
            self.said.emit(_("“{folder}” is already up to date: nothing to download.").format(
                folder=outcome.report.folder), SAY_MS)
        else:
            self._say(outcome)
        self.reported.emit(outcome)

    def _say(self, outcome: SyncOutcome) -> None:
        self.said.emit(outcome.line(), SAY_MS)
        details = outcome.details()
        if details:  # removed, kept, not from the CRM, failed: worth a look
            icon = QMessageBox.Icon.Warning if outcome.failed else QMessageBox.Icon.Information
            box = QMessageBox(icon, _("Folder download"), outcome.line(),
                              QMessageBox.StandardButton.Ok, self.window)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setInformativeText("\n".join(details[:12]))
            if len(details) > 12:
                box.setDetailedText("\n".join(details))
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            self.details_box = box  # for tests

    # -- "Mirror", remembered per folder of each CRM ---------------------------------
    def _key(self, folder: Folder) -> str:
        return f"{endpoint_key(self.client.endpoint)}:{folder.id}"

    def _mirrored(self) -> set[str]:
        try:
            return {str(key) for key in json.loads(self.settings.get(MIRRORED_FOLDERS))}
        except (TypeError, ValueError):
            return set()

    def _remember(self, folder: Folder, mirror: bool) -> None:
        keys = self._mirrored()
        (keys.add if mirror else keys.discard)(self._key(folder))
        self.settings.set(MIRRORED_FOLDERS, json.dumps(sorted(keys)))
