"""*File → Watched folders…*: the folders of this computer whose new files are filed by themselves.

Each entry names a folder on disk, the CRM folder its files go to, an optional record to
link them to, what happens to a file once filed, and whether it is on. The list lives in
the settings; the watching itself runs with the app's transfers (``kafdocs.transfer.watch``),
never on the GUI thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import suppress
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSystemTrayIcon,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kafdocs.api import Client
from kafdocs.i18n import _, ngettext
from kafdocs.transfer import Transfers
from kafdocs.transfer.folders import Folder
from kafdocs.transfer.watch import FAILED, FILED, AfterFiling, WatchEvent, WatchSettings

from .record_picker import RecordPicker
from .settings import WATCHED_FOLDERS, Settings, documents_folder
from .tasks import TaskRunner


@dataclass(frozen=True)
class WatchedFolder:
    """One watched folder as the settings keep it (JSON): names for people, ids for the CRM."""

    directory: str
    folder_id: str
    folder_name: str
    link_to: str = ""
    link_label: str = ""
    after: str = AfterFiling.MOVE.value
    recursive: bool = False
    enabled: bool = True

    def watch_settings(self) -> WatchSettings:
        return WatchSettings(Path(self.directory), self.folder_id, self.link_to or None,
                             AfterFiling(self.after), self.recursive)


def load_watched(settings: Settings) -> list[WatchedFolder]:
    """The saved list; an entry that no longer reads (an older or damaged one) is dropped."""
    try:
        rows = json.loads(settings.get(WATCHED_FOLDERS))
    except (TypeError, ValueError):
        return []
    watched = []
    for row in rows if isinstance(rows, list) else []:
        try:
            folder = WatchedFolder(**row)
            AfterFiling(folder.after)
        except (TypeError, ValueError):
            continue
        watched.append(folder)
    return watched


def save_watched(settings: Settings, watched: list[WatchedFolder]) -> None:
    settings.set(WATCHED_FOLDERS, json.dumps([asdict(w) for w in watched], ensure_ascii=False))


def after_label(after: str) -> str:
    return {AfterFiling.MOVE.value: _("Move into “{filed}”").format(filed=FILED),
            AfterFiling.DELETE.value: _("Delete"),
            AfterFiling.KEEP.value: _("Keep in place")}[after]


class WatchedFolders(QObject):
    """The window's watched folders: kept in the settings, watched by the app's transfers
    (in their helper process, never on the GUI thread), failures told to the user.

    Closing the window while folders are watched asks whether to keep watching from the
    system tray (minimised where there is no tray) or to stop.
    """

    news = Signal(object)  # a WatchEvent, emitted from a transfer thread

    def __init__(self, window: QWidget, client: Client, transfers: Transfers,
                 settings: Settings, tasks: TaskRunner, notify: Callable[[str], None]) -> None:
        super().__init__(window)
        self.window, self.client, self.transfers = window, client, transfers
        self.settings, self.tasks = settings, tasks
        self.notify = notify
        self.tray: QSystemTrayIcon | None = None
        self.quitting = False  # the user chose to stop watching and quit
        self.news.connect(self._on_news)  # queued onto the GUI thread
        transfers.subscribe_watch(self._relay)

    def _relay(self, event: WatchEvent) -> None:  # a transfer thread
        with suppress(RuntimeError):  # the window is gone
            self.news.emit(event)

    @property
    def wanted(self) -> list[WatchSettings]:
        return [w.watch_settings() for w in load_watched(self.settings) if w.enabled]

    def apply(self) -> None:
        """Hand the enabled folders to the transfers; those that cannot be watched say why."""
        wanted = self.wanted
        self.tasks.run(lambda: self.transfers.watch(wanted), self._applied, self._not_applied,
                       owner=self)

    def _applied(self, problems: dict[str, str]) -> None:
        for directory, reason in problems.items():
            self.notify(_("The folder {directory} is not watched: {reason}")
                        .format(directory=directory, reason=reason))

    def _not_applied(self, error: BaseException) -> None:
        self.notify(_("The watched folders could not be started: {error}").format(error=error))

    def open_dialog(self, folders: list[Folder]) -> None:
        dialog = WatchedFoldersDialog(load_watched(self.settings), folders, self.client,
                                      self.tasks, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save(dialog.watched))
        dialog.open()

    def _save(self, watched: list[WatchedFolder]) -> None:
        save_watched(self.settings, watched)
        self.apply()

    def _on_news(self, event: WatchEvent) -> None:
        if event.kind == "failed":
            self.notify(_("{name} could not be filed: {reason} It was moved into “{failed}”.")
                        .format(name=event.path, reason=event.reason.rstrip(".") + ".",
                                failed=FAILED))
        elif event.kind == "problem":
            self.notify(_("The watched folder {directory} cannot be read ({reason}); kafdocs "
                          "keeps trying.").format(directory=event.directory,
                                                  reason=event.reason))

    # -- closing the window while watching --------------------------------------------
    def may_close(self) -> bool:
        """True if the window may close now; else the question is asked, answered later."""
        if self.quitting or not self.wanted:
            return True
        box = QMessageBox(QMessageBox.Icon.Question, _("Folders are being watched"),
                          _("kafdocs files what arrives in your watched folders only while it "
                            "runs. Keep watching in the background?"),
                          parent=self.window)
        keep = box.addButton(_("Keep watching"), QMessageBox.ButtonRole.AcceptRole)
        stop = box.addButton(_("Stop watching and quit"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self._answered(button, keep, stop))
        box.open()
        return False

    def _answered(self, button: QAbstractButton, keep: QAbstractButton,
                  stop: QAbstractButton) -> None:
        if button is keep:
            self.keep_in_background()
        elif button is stop:
            self.quit()

    def keep_in_background(self) -> None:
        """Hide into the system tray, or minimise where there is none."""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            self.window.showMinimized()
            return
        if self.tray is None:
            self.tray = QSystemTrayIcon(self.window.windowIcon(), self)
            menu = QMenu(self.window)
            menu.addAction(_("Show kafdocs"), self.show_window)
            menu.addAction(_("Stop watching and quit"), self.quit)
            self.tray.setContextMenu(menu)
            self.tray.activated.connect(lambda reason: self.show_window())
        count = len(self.wanted)
        self.tray.setToolTip(ngettext("kafdocs is watching {count} folder",
                                      "kafdocs is watching {count} folders", count)
                             .format(count=count))
        self.tray.show()
        self.window.hide()

    def show_window(self) -> None:
        self.window.showNormal()
        self.window.activateWindow()
        if self.tray is not None:
            self.tray.hide()

    def quit(self) -> None:
        self.quitting = True
        if self.tray is not None:
            self.tray.hide()
        self.window.close()


class WatchedFoldersDialog(QDialog):
    """The list of watched folders; ``watched`` holds the edited list once accepted."""

    COLUMNS = 4

    def __init__(self, watched: list[WatchedFolder], folders: list[Folder], client: Client,
                 tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.watched = list(watched)
        self.folders, self.client, self.tasks = folders, client, tasks
        self.setWindowTitle(_("Watched folders"))
        self.setMinimumSize(720, 320)
        intro = QLabel(_("While kafdocs runs, the files that arrive in these folders of your "
                         "computer are filed into the CRM by themselves, once complete."))
        intro.setWordWrap(True)
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setHorizontalHeaderLabels([_("Folder on this computer"), _("CRM folder"),
                                              _("Linked to"), _("After filing")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._toggled)
        self.table.itemDoubleClicked.connect(lambda item: self.edit())
        self.add_button = QPushButton(_("Add…"))
        self.edit_button = QPushButton(_("Edit…"))
        self.remove_button = QPushButton(_("Remove"))
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.remove_button.clicked.connect(self.remove)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        side = QVBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            side.addWidget(button)
        side.addStretch()
        row = QHBoxLayout()
        row.addWidget(self.table, 1)
        row.addLayout(side)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self._fill()

    def _fill(self) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.watched))
        for row, entry in enumerate(self.watched):
            where = QTableWidgetItem(entry.directory)
            where.setFlags(where.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            where.setCheckState(Qt.CheckState.Checked if entry.enabled
                                else Qt.CheckState.Unchecked)
            where.setToolTip(_("Tick to watch this folder, untick to pause it"))
            cells = [where, QTableWidgetItem(entry.folder_name),
                     QTableWidgetItem(entry.link_label or entry.link_to or "—"),
                     QTableWidgetItem(after_label(entry.after))]
            for column, item in enumerate(cells):
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        self._selection_changed()

    def _toggled(self, item: QTableWidgetItem) -> None:
        if item.column() == 0:
            enabled = item.checkState() == Qt.CheckState.Checked
            self.watched[item.row()] = replace(self.watched[item.row()], enabled=enabled)

    def _selection_changed(self) -> None:
        chosen = self._current() is not None
        self.edit_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)

    def _current(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def add(self) -> None:
        editor = WatchedFolderEditor(None, self.folders, self.client, self.tasks, self)
        editor.accepted.connect(lambda: self._added(editor))
        editor.open()

    def _added(self, editor: WatchedFolderEditor) -> None:
        self.watched.append(editor.entry())
        self._fill()
        self.table.selectRow(len(self.watched) - 1)

    def edit(self) -> None:
        row = self._current()
        if row is None:
            return
        editor = WatchedFolderEditor(self.watched[row], self.folders, self.client, self.tasks,
                                     self)
        editor.accepted.connect(lambda: self._edited(row, editor))
        editor.open()

    def _edited(self, row: int, editor: WatchedFolderEditor) -> None:
        self.watched[row] = editor.entry()
        self._fill()
        self.table.selectRow(row)

    def remove(self) -> None:
        row = self._current()
        if row is not None:
            del self.watched[row]
            self._fill()


class WatchedFolderEditor(QDialog):
    """One watched folder: where, into which CRM folder, linked to what, and afterwards."""

    def __init__(self, entry: WatchedFolder | None, folders: list[Folder], client: Client,
                 tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(_("Watched folder"))
        self.setMinimumWidth(520)
        self.folders = folders
        self.directory = QLineEdit(entry.directory if entry else "")
        self.directory.setPlaceholderText(_("A folder where a scanner or a program saves files"))
        browse = QPushButton(_("Browse…"))
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.directory, 1)
        where.addWidget(browse)
        self.folder = QComboBox()
        for folder in folders:
            self.folder.addItem(folder.name, folder.id)
        if entry is not None:
            self.folder.setCurrentIndex(max(0, self.folder.findData(entry.folder_id)))
        self.link = RecordPicker(client, tasks, entry.link_to if entry else "",
                                 entry.link_label if entry else "")
        self.after = QComboBox()
        for after in AfterFiling:
            self.after.addItem(after_label(after.value), after.value)
        self.after.setCurrentIndex(self.after.findData(entry.after if entry
                                                       else AfterFiling.MOVE.value))
        self.recursive = QCheckBox(_("Also watch the folders inside it"))
        self.recursive.setChecked(bool(entry and entry.recursive))
        self.enabled = QCheckBox(_("Watch this folder"))
        self.enabled.setChecked(entry.enabled if entry else True)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        self.problem.hide()
        form = QFormLayout()
        form.addRow(_("Folder on this computer:"), where)
        form.addRow(_("File into the CRM folder:"), self.folder)
        form.addRow(_("Also link to a CRM record (optional):"), self.link)
        form.addRow(_("After filing:"), self.after)
        form.addRow("", self.recursive)
        form.addRow("", self.enabled)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check_and_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, _("Folder to watch"),
                                                  self.directory.text() or documents_folder())
        if chosen:
            self.directory.setText(chosen)

    def _check_and_accept(self) -> None:
        """Only what can be watched: a folder, a CRM folder, a record id if any."""
        problem = ""
        if not self.directory.text().strip():
            problem = _("Choose the folder to watch.")
        elif self.folder.currentIndex() < 0:
            problem = _("Choose the CRM folder the files go to.")
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        if not problem:
            self.accept()

    def entry(self) -> WatchedFolder:
        return WatchedFolder(
            directory=self.directory.text().strip(), folder_id=self.folder.currentData(),
            folder_name=self.folder.currentText(), link_to=self.link.record_id,
            link_label=self.link.label, after=self.after.currentData(),
            recursive=self.recursive.isChecked(), enabled=self.enabled.isChecked())
