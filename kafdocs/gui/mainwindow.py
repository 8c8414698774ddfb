"""The main window: folders, documents, transfers. Network and disk work never runs here."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QSystemTrayIcon,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from kafdocs import logfile
from kafdocs.api import BadAnswer, Client, ClientFacts, instance_url
from kafdocs.api.streams import b64_length
from kafdocs.i18n import _, ngettext
from kafdocs.transfer import FolderQueued, JobRecord, Summary, Transfers
from kafdocs.transfer.cache import cache_target
from kafdocs.transfer.download import expected_size, modified_timestamp, web_link
from kafdocs.transfer.folders import Folder, count_documents, list_folders
from kafdocs.transfer.helper import HelperTransfers
from kafdocs.transfer.paths import expand_paths
from kafdocs.transfer.upload import (
    OnDuplicate,
    UploadRequest,
    find_duplicates,
    keep_both_names,
)

from .about import AboutDialog
from .drops import (
    DuplicateDialog,
    UploadDialog,
    accept_file_drag,
    file_sizes,
    take_file_drop,
)
from .formatting import bytes_text, duration_text
from .messages import describe
from .models import RECORD_ROLE, DocumentModel, FolderModel
from .settings import Settings
from .tasks import TaskRunner
from .transfers import OverallBar, ProgressDelegate, TransferModel
from .views import DocumentView, FolderView

log = logging.getLogger(__name__)
LONG_BATCH_SECONDS = 10.0
CLOSE_WAIT_SECONDS = 0.5  # the most closing the window waits for the transfers to end


class MainWindow(QMainWindow):
    def __init__(self, client: Client, settings: Settings, tasks: TaskRunner,
                 queue: Transfers | None = None) -> None:
        super().__init__()
        self.client, self.settings, self.tasks = client, settings, tasks
        # Transfers run in a helper process: their threads never take the GIL from ours.
        self.queue = queue or HelperTransfers(client, settings.get("transfer/workers"))
        self.can_create = self.can_delete = True
        self.cache_dir = Path(platformdirs.user_cache_dir("kafdocs")) / "open"
        self._open_when_fetched: set[Path] = set()
        self.setWindowTitle(_("kafdocs — {address}").format(address=instance_url(client.endpoint)))
        self.setAcceptDrops(True)
        self._build_models()
        self._build_views()
        self._build_actions()
        self._build_transfer_panel()
        self._build_status_bar()
        self._restore()
        self.refresh_folders()
        self._load_permissions()

    # -- construction -------------------------------------------------------
    def _build_models(self) -> None:
        self.folders = FolderModel(self)
        self.documents = DocumentModel(self.tasks, self)
        self.documents.set_client(self.client)
        self.documents.loading_changed.connect(self._loading)
        self.documents.failed.connect(lambda e: self.show_error(describe(e)))
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.documents)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.transfers = TransferModel(self.queue, self)
        self.transfers.batch_finished.connect(self._batch_finished)
        self.transfers.jobs_finished.connect(self._open_fetched)
        self.transfers.learned.connect(self._learned)
        self.transfers.refreshed.connect(self._update_overall)
        self._reload_timer = QTimer(self, singleShot=True, interval=400)
        self._reload_timer.timeout.connect(self.refresh_documents)

    def _build_views(self) -> None:
        self.folder_view = FolderView()
        self.folder_view.setModel(self.folders)
        self.folder_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.folder_view.selectionModel().currentChanged.connect(self._folder_changed)
        self.folder_view.files_dropped.connect(self._dropped_on_folder)
        self.folder_view.setAccessibleName(_("Folders"))
        self.folder_view.setSpacing(2)

        self.filter = QLineEdit()
        self.filter.setPlaceholderText(_("Filter documents (Ctrl+F)"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)

        self.table = DocumentView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self.documents.sort)
        for column, width in enumerate((250, 250, 150, 80, 130)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(self.open_document)
        self.table.files_dropped.connect(lambda paths: self.start_upload(paths, None))
        self.table.cached_path = self._cached_path
        self.table.prepare = self._prepare_drag
        self.table.setAccessibleName(_("Documents"))

        right = QWidget()
        layout = QVBoxLayout(right)
        layout.setContentsMargins(0, 0, 0, 0)
        self.folder_title = QLabel()
        self.folder_title.setObjectName("folderTitle")
        font = self.folder_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.folder_title.setFont(font)
        top = QHBoxLayout()
        top.addWidget(self.folder_title, 1)
        top.addWidget(self.filter, 1)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self.hint = QLabel(_("Drop files here to file them in this folder."))
        self.hint.setEnabled(False)
        layout.addWidget(self.hint)

        self.splitter = QSplitter()
        self.splitter.addWidget(self.folder_view)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([240, 900])
        self.setCentralWidget(self.splitter)
        self.setTabOrder(self.folder_view, self.filter)
        self.setTabOrder(self.filter, self.table)

    def _action(self, text: str, shortcut: Any, slot: Any, icon: QStyle.StandardPixmap) -> QAction:
        action = QAction(self.style().standardIcon(icon), text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{text.replace('…', '')} ({action.shortcut().toString()})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.upload_action = self._action(_("Upload…"), "Ctrl+U", self.choose_upload,
                                          sp.SP_ArrowUp)
        self.download_action = self._action(_("Download…"), "Ctrl+D",
                                            self.download_selected, sp.SP_ArrowDown)
        self.download_folder_action = self._action(
            _("Download folder…"), "Ctrl+Shift+D", self.download_folder,
            sp.SP_DirOpenIcon)
        self.refresh_action = self._action(_("Refresh"), QKeySequence.StandardKey.Refresh,
                                           self.refresh, sp.SP_BrowserReload)
        self.delete_action = self._action(_("Delete"), QKeySequence.StandardKey.Delete,
                                          self.delete_selected, sp.SP_TrashIcon)
        self._action(_("Find"), QKeySequence.StandardKey.Find,
                     lambda: self.filter.setFocus(), sp.SP_FileDialogContentsView)
        self._build_menus()
        toolbar = QToolBar(_("Actions"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setMovable(False)
        for action in (self.upload_action, self.download_action, self.download_folder_action,
                       self.refresh_action, self.delete_action):
            toolbar.addAction(action)
        self.addToolBar(toolbar)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(_("&File"))
        for action in (self.upload_action, self.download_action, self.download_folder_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(_("&Quit"), QKeySequence.StandardKey.Quit, self.close)
        view_menu = self.menuBar().addMenu(_("&View"))
        view_menu.addAction(self.refresh_action)
        language_menu = view_menu.addMenu(_("&Language (from the next start)"))
        names = {"": _("System language"), "en": "English", "fr": "Français"}
        current = self.settings.get("language")
        for code, name in names.items():
            action = language_menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(code == current)
            action.triggered.connect(lambda _=False, c=code: self._choose_language(c))

        help_menu = self.menuBar().addMenu(_("&Help"))
        help_menu.addAction(_("Open the log folder"), self.open_log_folder)
        help_menu.addAction(_("&About kafdocs"), self.show_about)

    def open_log_folder(self) -> None:
        """For support: the folder of the log files, in the file manager."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(logfile.log_folder())))

    def show_about(self) -> None:
        dialog = AboutDialog(self.client, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _choose_language(self, code: str) -> None:
        self.settings.set("language", code)
        QMessageBox.information(self, _("Language"),
                                _("The new language applies the next time kafdocs starts."))

    def _build_transfer_panel(self) -> None:
        self.transfer_view = QTableView()
        self.transfer_view.setModel(self.transfers)
        self.transfer_view.setItemDelegateForColumn(3, ProgressDelegate(self.transfer_view))
        self.transfer_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.transfer_view.verticalHeader().hide()
        self.transfer_view.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((240, 125, 90, 140, 90, 80)):
            self.transfer_view.setColumnWidth(column, width)
        self.overall_bar = OverallBar()
        self.overall_bar.hide()
        self.overall_label = QLabel(_("No transfers"))
        # A label that grows with its text would re-lay out (and repaint) the whole
        # window ten times a second during transfers.
        self.overall_label.setFixedWidth(self.overall_label.fontMetrics().horizontalAdvance(
            "00000 of 00000 files — 000.0 MB of 000.0 MB") + 12)
        buttons = QHBoxLayout()
        buttons.addWidget(self.overall_label)
        buttons.addWidget(self.overall_bar)
        buttons.addStretch(1)
        for text, slot in ((_("Cancel"), self.cancel_selected_transfers),
                           (_("Cancel all"), self.queue.cancel_all),
                           (_("Retry failed"), self.queue.retry_failed),
                           (_("Clear finished"), self.transfers.clear_finished)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.transfer_view)
        self.dock = QDockWidget(_("Transfers"), self)
        self.dock.setObjectName("transfersDock")
        self.dock.setWidget(panel)
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)

    def _build_status_bar(self) -> None:
        who = self.client.login_result.get("username") or self.client.username
        self.who = QLabel(_("Signed in as {user} at {address}").format(
            user=who, address=instance_url(self.client.endpoint)))
        self.statusBar().addPermanentWidget(self.who)
        self.loading_label = QLabel()
        self.statusBar().addWidget(self.loading_label)
        if self.client.login_result.get("insecure"):
            self.show_error(_("Warning: this connection is not encrypted (http)."))
        if self.client.login_result.get("keyring_problem"):
            self.show_error(_("Your access key was not remembered: {reason}. kafdocs will "
                              "ask for it at the next start.").format(
                reason=self.client.login_result["keyring_problem"]))

    def _restore(self) -> None:
        self.resize(1180, 760)
        geometry = self.settings.get("window/geometry")
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = self.settings.get("window/state")
        if not state.isEmpty():
            self.restoreState(state)
        splitter = self.settings.get("window/splitter")
        if not splitter.isEmpty():
            self.splitter.restoreState(splitter)

    # -- folders and documents ----------------------------------------------
    def refresh(self) -> None:
        self.refresh_folders()
        self.refresh_documents()

    def refresh_folders(self) -> None:
        def load() -> list[Folder]:
            return list_folders(self.client)

        self._loading(True)
        self.tasks.run(load, self._folders_loaded, self._background_error)

    def _folders_loaded(self, folders: list[Folder]) -> None:
        self._loading(False)
        current = self.current_folder()
        self.folders.set_folders(folders)
        wanted = current.id if current else self.settings.get("browse/last_folder")
        row = self.folders.row_of(wanted)
        self.folder_view.setCurrentIndex(self.folders.index(max(row, 0)))
        for folder in folders:
            self.tasks.run(lambda f=folder: (f.id, count_documents(self.client, f.id)),
                           lambda r: self.folders.set_count(*r), lambda e: None)

    def current_folder(self) -> Folder | None:
        index = self.folder_view.currentIndex()
        return index.data(RECORD_ROLE) if index.isValid() else None

    def _folder_changed(self) -> None:
        folder = self.current_folder()
        if folder is None:
            return
        self.folder_title.setText(folder.name)
        self.settings.set("browse/last_folder", folder.id)
        self.documents.set_folder(folder.id)

    def refresh_documents(self) -> None:
        self.documents.reload()

    def _loading(self, loading: bool) -> None:
        self.loading_label.setText(_("Loading…") if loading else "")

    def _load_permissions(self) -> None:
        def fetch() -> dict[str, Any]:
            return self.client.describe("Documents")

        def apply(described: dict[str, Any]) -> None:
            self.can_create = bool(described.get("createable", True))
            self.can_delete = bool(described.get("deleteable", True))
            self.upload_action.setEnabled(self.can_create)
            self.delete_action.setEnabled(self.can_delete)
            if not self.can_create:
                self.hint.setText(_("Your CRM user may not create documents."))

        self.tasks.run(fetch, apply, self._background_error)

    # -- uploads ------------------------------------------------------------
    def choose_upload(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(self, _("Choose files to upload"),
                                                self.settings.get("upload/last_dir"))
        if files:
            self.settings.set("upload/last_dir", str(Path(files[0]).parent))
            self.start_upload([Path(f) for f in files], None)

    def _dropped_on_folder(self, paths: list[Path], row: int) -> None:
        folder = self.folders.folders[row] if 0 <= row < len(self.folders.folders) else None
        self.start_upload(paths, folder)

    def dragEnterEvent(self, event: Any) -> None:
        accept_file_drag(event)

    def dropEvent(self, event: Any) -> None:
        if paths := take_file_drop(event):
            self.start_upload(paths, None)

    def start_upload(self, paths: list[Path], folder: Folder | None) -> None:
        """Expand the drop and look for name conflicts in the background, then ask."""
        folder = folder or self.current_folder()
        if folder is None:
            self.show_error(_("Choose a folder first."))
            return
        if not self.can_create:
            self.show_error(_("Your CRM user may not create documents."))
            return

        def prepare() -> tuple[Any, dict[Path, int], dict[str, list[dict[str, Any]]],
                               dict[str, str]]:
            found = expand_paths(paths)
            taken = find_duplicates(self.client, folder.id, [p.name for p in found.files])
            return (found, file_sizes(found.files), taken,
                    keep_both_names(self.client, folder.id, taken) if taken else {})

        self.statusBar().showMessage(_("Preparing the upload…"), 3000)
        self.tasks.run(prepare, lambda r: self._confirm_upload(folder, *r),
                       self._background_error)

    def _confirm_upload(self, folder: Folder, found: Any, sizes: dict[Path, int],
                        taken: dict[str, list[dict[str, Any]]],
                        keep_as: dict[str, str]) -> None:
        """``taken``: the folder's documents by file name; ``keep_as``: the name to keep
        both under, for each of those names."""
        for path, reason in found.rejected:
            self.show_error(_("Not uploaded: {name} ({reason})").format(name=path.name,
                                                                        reason=reason))
        files = self._within_limit(sizes)
        if not files:
            return
        dialog = UploadDialog(self.client, self.tasks, folder.name, len(files),
                              sum(sizes[f] for f in files), self)
        if not dialog.exec():
            return
        policies = self._ask_duplicates([f for f in files if f.name in taken])
        chosen = [(path, policies.get(path, OnDuplicate.KEEP)) for path in files]
        self.queue.upload([UploadRequest(path, folder.id, link_to=dialog.link_to,
                                         on_duplicate=policy,
                                         duplicates=tuple(taken.get(path.name, [])),
                                         file_name=keep_as.get(path.name)
                                         if policy is OnDuplicate.KEEP else None)
                           for path, policy in chosen if policy is not OnDuplicate.SKIP])

    def _within_limit(self, sizes: dict[Path, int]) -> list[Path]:
        """The files the server can take, from sizes read in the background."""
        limit = self.client.max_upload
        if not limit:
            return list(sizes)
        keep = []
        for path, size in sizes.items():
            if b64_length(size) + 4096 > limit:
                self.show_error(_("{name} is too large for this server (limit {limit}).")
                                .format(name=path.name, limit=bytes_text(limit * 3 / 4)))
            else:
                keep.append(path)
        return keep

    def _ask_duplicates(self, conflicts: list[Path]) -> dict[Path, OnDuplicate]:
        policies: dict[Path, OnDuplicate] = {}
        for n, path in enumerate(conflicts):
            dialog = DuplicateDialog(path.name, len(conflicts) - n - 1, self.can_delete, self)
            dialog.exec()
            policies[path] = dialog.policy
            if dialog.apply_all.isChecked():
                policies.update(dict.fromkeys(conflicts[n + 1:], dialog.policy))
                break
        return policies

    # -- downloads ----------------------------------------------------------
    def selected_records(self) -> list[dict[str, Any]]:
        return self.table.selected_records()

    def _choose_dir(self, title: str) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self, title,
                                                  self.settings.get("transfer/last_dir"))
        if not chosen:
            return None
        self.settings.set("transfer/last_dir", chosen)
        return Path(chosen)

    def download_selected(self) -> None:
        records = self.selected_records()
        if not records:
            self.show_error(_("Select the documents to download first."))
            return
        dest = self._choose_dir(_("Download to…"))
        if dest is None:
            return
        self.queue.download(records, dest)

    def download_folder(self) -> None:
        folder = self.current_folder()
        if folder is None:
            return
        dest = self._choose_dir(_("Download the folder “{folder}” to…").format(folder=folder.name))
        if dest is None:
            return
        self.start_folder_download(folder, dest)

    def start_folder_download(self, folder: Folder, dest: Path) -> None:
        self.statusBar().showMessage(_("Listing “{folder}”…").format(folder=folder.name), 5000)

        def planned(queued: FolderQueued) -> None:
            if not queued.to_fetch:
                self.statusBar().showMessage(
                    _("“{folder}” is already up to date.").format(folder=folder.name), 5000)

        # Listing a big folder takes seconds: the call waits in a background task.
        self.tasks.run(lambda: self.queue.download_folder(folder, dest), planned,
                       self._background_error)

    def _cache_target(self, record: dict[str, Any]) -> Path:
        """Raises BadAnswer for a record whose id cannot name a cache folder."""
        return cache_target(self.cache_dir, self.client.endpoint, record)

    def _cached_path(self, record: dict[str, Any]) -> Path | None:
        """A cached copy that is complete and of the current version (stat only)."""
        try:
            path = self._cache_target(record)
            info = path.stat()
        except (OSError, BadAnswer):
            return None
        stamp = modified_timestamp(record)
        fresh = stamp is None or int(info.st_mtime) == int(stamp)
        return path if fresh and info.st_size == expected_size(record) else None

    def open_document(self, index: Any = None) -> None:
        record = self.proxy.index(index.row(), 0).data(RECORD_ROLE) if index else None
        if record is None:
            return
        if record.get("filelocationtype") == "E":
            self._open_link(record)
            return
        cached = self._cached_path(record)
        if cached is not None:
            self._open_path(cached)
            return
        try:
            target = self._cache_target(record)
        except BadAnswer as exc:
            self.show_error(describe(exc))
            return
        self._open_when_fetched.add(target)
        self.queue.fetch(record, self.cache_dir)

    def _open_link(self, record: dict[str, Any]) -> None:
        """An external-link document: only a web address, and only once the user saw it."""
        url = web_link(record)
        if url is None:
            self.show_error(_("This document links to an address kafdocs does not open: "
                              "{address}").format(address=str(record.get("filename"))[:200]))
            return
        box = QMessageBox(QMessageBox.Icon.Question, _("Open a web link"),
                          _("This document is a link to a web page:\n\n{address}\n\n"
                            "Open it in your browser?").format(address=url),
                          QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
                          self)
        box.setTextFormat(Qt.TextFormat.PlainText)  # the address is data, never markup
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if box.exec() == QMessageBox.StandardButton.Open:
            QDesktopServices.openUrl(QUrl(url, QUrl.ParsingMode.StrictMode))
        box.deleteLater()

    def _open_path(self, path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _open_fetched(self, jobs: list[JobRecord]) -> None:
        """Open the documents that were fetched into the cache to be opened."""
        for job in jobs:
            path = Path(job.meta.get("folder", "")) / job.label
            if path in self._open_when_fetched:
                self._open_when_fetched.discard(path)
                self._open_path(path)

    def _prepare_drag(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            if record.get("filelocationtype") != "E" and record.get("imageattachmentids"):
                try:
                    self._cache_target(record)
                except BadAnswer as exc:
                    self.show_error(describe(exc))
                    continue
                self.queue.fetch(record, self.cache_dir)
        self.statusBar().showMessage(
            _("Preparing the files for drag and drop — drag them again in a moment."),
            6000)

    # -- delete -------------------------------------------------------------
    def delete_selected(self) -> None:
        records = self.selected_records()
        if not records or not self.can_delete:
            return
        answer = QMessageBox.question(
            self, _("Delete documents"),
            ngettext("Delete {count} document from the CRM? This cannot be undone.",
                     "Delete {count} documents from the CRM? This cannot be undone.",
                     len(records)).format(count=len(records)))
        if answer != QMessageBox.StandardButton.Yes:
            return

        def delete() -> None:
            for record in records:
                self.client.delete(record["id"])

        self.tasks.run(delete, lambda _: self.refresh(), self._background_error)

    # -- transfers ----------------------------------------------------------
    def cancel_selected_transfers(self) -> None:
        for index in self.transfer_view.selectionModel().selectedRows():
            self.queue.cancel(self.transfers.job_id(index.row()))

    def _update_overall(self) -> None:
        done, total, ended, count = self.transfers.overall()
        if not count:
            return
        self.overall_bar.show()
        self.overall_bar.set_value(int(done * 100 / total) if total else
                                   int(ended * 100 / count))
        self.overall_label.setText(
            ngettext("{ended} of {count} file — {done} of {total}",
                     "{ended} of {count} files — {done} of {total}", count)
            .format(ended=ended, count=count, done=bytes_text(done), total=bytes_text(total)))

    def _batch_finished(self, summary: Summary) -> None:
        """One batch ended: its own counts, or the one reason it stopped early."""
        if summary.halted:
            text = ngettext(
                "Transfers stopped: the server cannot be reached. {count} transfer was not "
                "started; click “Retry failed” when the server is back.",
                "Transfers stopped: the server cannot be reached. {count} transfers were not "
                "started; click “Retry failed” when the server is back.",
                summary.not_started).format(count=summary.not_started)
        else:
            text = _("Transfers finished: {counts} ({duration}).").format(
                counts=summary.counts(), duration=duration_text(summary.seconds))
        self.statusBar().showMessage(text, 15000)
        if any(r.record.kind == "upload" for r in self.transfers.rows):
            self._reload_timer.start()
        if summary.seconds >= LONG_BATCH_SECONDS or summary.halted:
            self.notify(text)

    def _learned(self, facts: ClientFacts) -> None:
        """What the transfers found out about the server: the up-front size check uses
        it now, the next session from the saved connection."""
        self.client.learn(facts)
        if self.client.max_upload:
            self.settings.remember_upload_limit(self.client.endpoint, self.client.username,
                                                self.client.max_upload)

    def notify(self, text: str) -> None:
        """Tell a user who looked away that a long batch ended."""
        QApplication.alert(self)
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            tray = QSystemTrayIcon(self.windowIcon(), self)
            tray.show()
            tray.showMessage("kafdocs", text)
            QTimer.singleShot(10000, tray.deleteLater)

    # -- errors and closing -------------------------------------------------
    def show_error(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)
        log.info("shown to the user: %s", text)

    def _background_error(self, error: BaseException) -> None:
        self._loading(False)
        self.show_error(describe(error))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.queue.busy:
            answer = QMessageBox.question(
                self, _("Transfers in progress"),
                _("Transfers are still running. Cancel them and quit?"))
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.settings.set("window/geometry", self.saveGeometry())
        self.settings.set("window/state", self.saveState())
        self.settings.set("window/splitter", self.splitter.saveState())
        # The window goes at once: the helper cancels and cleans up on its own, and
        # background tasks still on the network are waited for after the event loop.
        self.queue.shutdown(cancel=True, timeout=CLOSE_WAIT_SECONDS)
        event.accept()
