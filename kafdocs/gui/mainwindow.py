"""The main window: folders, documents, transfers. Network and disk work never runs here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QStyle,
    QSystemTrayIcon,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from kafdocs import logfile
from kafdocs.api import Client, ClientFacts, instance_url
from kafdocs.i18n import _, ngettext
from kafdocs.transfer import Transfers
from kafdocs.transfer.cache import remove_stale_parts_in_cache
from kafdocs.transfer.crmrecords import CrmRecord, LinkOutcome, link_documents
from kafdocs.transfer.download import remove_stale_parts
from kafdocs.transfer.folders import Folder, count_documents, list_folders
from kafdocs.transfer.helper import HelperTransfers
from kafdocs.transfer.manage import Rights, rights
from kafdocs.transfer.product_images import ImageRequest
from kafdocs.transfer.sources import FolderDocuments, RecordDocuments, SearchResults

from .about import AboutDialog
from .columns import ColumnWidths
from .details import DetailsPanel
from .doccache import DocumentCache
from .drops import accept_file_drag, take_file_drop
from .folder_download import FolderDownloads
from .formatting import names_list
from .manage import DocumentActions
from .messagebar import MessageBar
from .messages import describe
from .models import RECORD_ROLE, DocumentModel, FolderModel
from .preview import PreviewPane
from .records import RecordBar, RecordsPanel, record_title
from .search import SearchBox
from .settings import (
    CONTENT_SPLITTER,
    DOWNLOAD_DIR,
    LANGUAGE,
    SHOW_PREVIEW,
    TRANSFER_WORKERS,
    TRANSFERS_FOLDED,
    UPLOAD_SAVED,
    WINDOW_GEOMETRY,
    WINDOW_SPLITTER,
    WINDOW_STATE,
    Settings,
)
from .tasks import TaskRunner
from .transfer_panel import TransferPanel
from .transfers import TransferModel
from .uploads import UploadFlow
from .views import DocumentView, FolderView
from .watched import WatchedFolders

log = logging.getLogger(__name__)
CLOSE_WAIT_SECONDS = 0.5  # the most closing the window waits for the transfers to end
SAY_MS = 10_000
STALE_PART_SECONDS = 60  # a .part untouched this long is no running download's
KEEP_DOWNLOAD_FOLDERS = 50
ASK_YES_NO = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
SELECTION_MS = 80  # the preview follows the selection once it settles (arrow keys held)


class MainWindow(QMainWindow):
    """Builds the window and wires its parts: the folder list and document table here,
    the transfer panel (transfer_panel.py), the upload flow and its questions
    (uploads.py), the local copies of documents (doccache.py), the search field
    (search.py), the preview (preview.py), the details (details.py) and the desk
    actions — rename, describe, move, delete, new folder — (manage.py) in their own
    modules. The table shows one DocumentSource: a folder, search results...
    A new part (records...) is a module of its own, wired here."""

    def __init__(self, client: Client, settings: Settings, tasks: TaskRunner,
                 queue: Transfers | None = None) -> None:
        super().__init__()
        self.client, self.settings, self.tasks = client, settings, tasks
        # Transfers run in a helper process: their threads never take the GIL from ours.
        self.queue = queue or HelperTransfers(client, settings.get(TRANSFER_WORKERS))
        self.uploads = UploadFlow(client, tasks, self.queue, settings, self)
        self.uploads.said.connect(self.say)
        self.uploads.warned.connect(self.show_error)
        self.cache = DocumentCache(client, self.queue, tasks, settings, self)
        self.cache.said.connect(self.say)
        self.cache.warned.connect(self.show_error)
        self.folder_downloads = FolderDownloads(client, self.queue, tasks, settings, self)
        self.folder_downloads.said.connect(self.say)
        self.folder_downloads.warned.connect(self.show_error)
        self.watched = WatchedFolders(self, client, self.queue, settings, tasks, self.notify)
        self.desk = DocumentActions(client, tasks, self)
        self.desk.said.connect(self.say)
        self.desk.warned.connect(self.show_error)
        self.desk.changed.connect(self._documents_changed)
        self.desk.removed.connect(self._documents_removed)
        self.desk.folders_touched.connect(self.recount)
        self.desk.folder_created.connect(lambda _folder: self.refresh_folders())
        self.setWindowTitle(_("kafdocs — {address}").format(address=instance_url(client.endpoint)))
        self.setAcceptDrops(True)
        self.record: CrmRecord | None = None  # shown instead of a folder, when chosen
        self.signing_out = False  # closed by File → Sign out: the app asks to sign in again
        self._build_models()
        self._build_views()
        self._build_actions()
        self._build_transfer_panel()
        self._build_status_bar()
        self._restore()
        self.refresh_folders()
        self._load_permissions()
        self.watched.apply()
        QTimer.singleShot(0, self, self._clean_stale_parts)  # once the cache root is set

    # -- the parts, as the tests and the next modules see them ----------------
    @property
    def transfers(self) -> TransferModel:
        return self.panel.model

    @property
    def transfer_view(self) -> QTableView:
        return self.panel.view

    @property
    def dock(self) -> TransferPanel:
        return self.panel

    @property
    def cache_dir(self) -> Path:
        return self.cache.root

    @cache_dir.setter
    def cache_dir(self, root: Path) -> None:
        self.cache.root = root

    @property
    def can_create(self) -> bool:
        return self.uploads.can_create

    @property
    def can_delete(self) -> bool:
        return self.uploads.can_delete

    # -- construction -------------------------------------------------------
    def _build_models(self) -> None:
        self.folders = FolderModel(self)
        self.documents = DocumentModel(self.tasks, self)
        self.documents.set_client(self.client)
        self.documents.loading_changed.connect(self._show_count)
        self.documents.rowsInserted.connect(self._show_count)
        self.documents.modelReset.connect(self._show_count)
        self.documents.rowsRemoved.connect(self._show_count)
        self.documents.failed.connect(lambda e: self.show_error(describe(e)))
        self.documents.title_edited.connect(self.desk.rename)
        self.documents.source_changed.connect(self._show_source_title)
        self._selection_timer = QTimer(self, singleShot=True, interval=SELECTION_MS)
        self._selection_timer.timeout.connect(self._selection_settled)
        self._reload_timer = QTimer(self, singleShot=True, interval=400)
        self._reload_timer.timeout.connect(self.refresh_documents)
        self._reload_timer.timeout.connect(lambda: self.recount(
            {f.id for f in self.folders.folders}))

    def _build_views(self) -> None:
        self.folder_view = FolderView()
        self.folder_view.setModel(self.folders)
        self.folder_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.folder_view.selectionModel().currentChanged.connect(self._folder_changed)
        self.folder_view.clicked.connect(lambda _index: self._folder_changed())
        self.folder_view.files_dropped.connect(self._dropped_on_folder)
        self.folder_view.documents_dropped.connect(
            lambda records, row: self.desk.move(records, self.folders.folders[row]))
        self.folder_view.clicked.connect(lambda _index: self.show_folder())
        self.folder_view.setAccessibleName(_("Folders"))
        self.folder_view.setSpacing(2)

        self.search = SearchBox()
        self.search.searched.connect(self.start_search)
        self.search.cleared.connect(self.show_folder)

        self.table = DocumentView()
        self.table.setModel(self.documents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.documents.modelReset.connect(self._selection_changed)
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.table)
        back.setContext(Qt.ShortcutContext.WidgetShortcut)
        back.activated.connect(self._escape)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self.documents.sort)
        self.columns = ColumnWidths(self.table, self.documents, self.settings)
        self.table.doubleClicked.connect(self.open_document)
        self.table.open_requested.connect(self.open_document)
        self.table.files_dropped.connect(self._dropped_on_table)
        self.table.dropped_on_document.connect(
            lambda path, record: self.uploads.offer_new_version(path, record,
                                                                self.current_folder()))
        self.table.cached_path = self.cache.cached
        self.table.prepare = self.cache.prepare_drag
        self.table.setAccessibleName(_("Documents"))
        self.table.end_requested.connect(self.documents.load_to_end)
        self.documents.reached_end.connect(self.table.go_to_last)

        right = QWidget()
        layout = QVBoxLayout(right)
        layout.setContentsMargins(0, 0, 0, 0)
        self.folder_title = QLabel()
        self.folder_title.setObjectName("folderTitle")
        font = self.folder_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.folder_title.setFont(font)
        self.folder_title.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label = QLabel()
        self.count_label.setObjectName("documentCount")
        top = QHBoxLayout()
        top.addWidget(self.folder_title)
        top.addWidget(self.count_label, 1)
        layout.addLayout(top)
        self.message_bar = MessageBar()
        layout.addWidget(self.message_bar)
        self.record_bar = RecordBar(self.client, self.tasks)
        self.record_bar.hide()
        self.record_bar.pictures.pictures_dropped.connect(self.add_pictures)
        layout.addWidget(self.record_bar)
        layout.addWidget(self.table)
        self.hint = QLabel(self._folder_hint())
        self.hint.setEnabled(False)
        layout.addWidget(self.hint)

        self.records = RecordsPanel(self.client, self.tasks)
        self.records.chosen.connect(self.show_record)
        self.records.files_dropped.connect(self._dropped_on_record)
        self.records.documents_dropped.connect(self.link_to_record)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.folder_view)
        left.addWidget(self.records)
        left.setSizes([420, 300])
        self.preview = PreviewPane(self.cache, self.tasks, self.settings)
        self.details = DetailsPanel(self.client, self.tasks)
        self.details.edit_description.connect(lambda record: self.desk.ask_description([record]))
        self.details.warned.connect(self.show_error)
        self.side = QSplitter(Qt.Orientation.Vertical)
        self.side.addWidget(self.preview)
        self.side.addWidget(self.details)
        self.side.setSizes([400, 340])
        self.side.setVisible(self.settings.get(SHOW_PREVIEW))
        self.content = QSplitter()
        self.content.addWidget(right)
        self.content.addWidget(self.side)
        self.content.setStretchFactor(0, 1)
        self.content.setSizes([700, 320])  # every document column fits (columns.py)

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.content)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([250, 1030])  # "Marketing & Communication (4)" fits
        self.setCentralWidget(self.splitter)

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
        self.delete_action = self._action(
            _("Delete…"), QKeySequence.StandardKey.Delete,
            self.delete_selected, sp.SP_TrashIcon)
        self.rename_action = self._action(_("Rename"), "F2", self.rename_current,
                                          sp.SP_FileDialogDetailedView)
        self.describe_action = self._action(
            _("Edit description…"), "Ctrl+E",
            lambda: self.desk.ask_description(self.selected_records()), sp.SP_FileDialogInfoView)
        self.move_action = self._action(
            _("Move to…"), "Ctrl+M",
            lambda: self.desk.ask_move(self.selected_records(), self.folders.folders),
            sp.SP_DirLinkIcon)
        self.new_folder_action = self._action(_("New folder…"), "Ctrl+Shift+N",
                                              self.desk.ask_new_folder, sp.SP_FileDialogNewFolder)
        self.find_action = self._action(_("Search all folders"), "Ctrl+K",
                                        lambda: self.search.focus(here=False),
                                        sp.SP_FileDialogContentsView)
        self.find_here_action = self._action(_("Search this folder"),
                                             QKeySequence.StandardKey.Find,
                                             lambda: self.search.focus(here=True),
                                             sp.SP_FileDialogContentsView)
        self.preview_action = self._action(_("Preview"), "F3", self._toggle_preview,
                                           sp.SP_FileDialogContentsView)
        for action in (self.rename_action, self.describe_action, self.move_action,
                       self.new_folder_action):
            action.setEnabled(False)  # until describe said what this user may do
        self.preview_action.setCheckable(True)
        self.preview_action.setChecked(self.settings.get(SHOW_PREVIEW))
        self.new_version_action = self._action(
            _("Upload new version…"), "Ctrl+Shift+U",
            lambda: self.uploads.new_version(self.single_record()), sp.SP_FileDialogNewFolder)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for entry in (self.download_action, self.new_version_action, None, self.rename_action,
                      self.describe_action, self.move_action, self.delete_action):
            self.table.addAction(entry or self._separator())
        self._selection_changed()
        self._build_menus()
        toolbar = QToolBar(_("Actions"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setMovable(False)
        for action in (self.upload_action, self.download_action, self.download_folder_action,
                       self.refresh_action, self.delete_action):
            toolbar.addAction(action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(self.search)
        self.addToolBar(toolbar)
        for first, second in ((self.search.field, self.search.scope),
                              (self.search.scope, self.folder_view),
                              (self.folder_view, self.table)):
            self.setTabOrder(first, second)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(_("&File"))
        for action in (self.upload_action, self.new_version_action, self.download_action,
                       self.download_folder_action):
            file_menu.addAction(action)
        self.upload_saved_action = file_menu.addAction(
            _("Upload saved copies of opened documents without asking"))
        self.upload_saved_action.setCheckable(True)
        self.upload_saved_action.setChecked(self.settings.get(UPLOAD_SAVED))
        self.upload_saved_action.toggled.connect(
            lambda on: self.settings.set(UPLOAD_SAVED, on))
        file_menu.aboutToShow.connect(  # the question's "from now on" box may have set it
            lambda: self.upload_saved_action.setChecked(
                self.settings.get(UPLOAD_SAVED)))
        file_menu.addSeparator()
        file_menu.addAction(self.new_folder_action)
        self.watched_action = file_menu.addAction(
            _("&Watched folders…"), lambda: self.watched.open_dialog(self.folders.folders))
        file_menu.addSeparator()
        self.sign_out_action = file_menu.addAction(_("Sign &out…"), self.sign_out)
        file_menu.addAction(_("&Quit"), QKeySequence.StandardKey.Quit, self.close)
        edit_menu = self.menuBar().addMenu(_("&Edit"))
        for entry in (self.rename_action, self.describe_action, self.move_action,
                      self.delete_action, None, self.find_action, self.find_here_action):
            edit_menu.addAction(entry) if entry else edit_menu.addSeparator()
        view_menu = self.menuBar().addMenu(_("&View"))
        view_menu.addAction(self.refresh_action)
        view_menu.addAction(self.preview_action)
        language_menu = view_menu.addMenu(_("&Language (from the next start)"))
        names = {"": _("System language"), "en": "English", "fr": "Français"}
        current = self.settings.get(LANGUAGE)
        self.languages = QActionGroup(self)  # one ticked: the choice, not the one before
        for code, name in names.items():
            action = language_menu.addAction(name)
            action.setCheckable(True)
            self.languages.addAction(action)
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
        self.settings.set(LANGUAGE, code)
        QMessageBox.information(self, _("Language"),
                                _("The new language applies the next time kafdocs starts."))

    def _build_transfer_panel(self) -> None:
        self.panel = TransferPanel(self.queue, self)
        self.panel.announced.connect(self._announce)
        self.panel.uploads_ended.connect(self._uploads_ended)
        self.panel.model.jobs_finished.connect(self.cache.fetched)
        self.panel.model.batch_finished.connect(self.folder_downloads.batch_finished)
        self.panel.model.learned.connect(self._learned)
        self.panel.retrying.connect(self._forget_upload_limit)
        self.panel.model.rowsInserted.connect(self._remember_download_folders)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.panel)
        previous: QWidget = self.table
        for widget in (self.panel.fold, *self.panel.buttons, self.panel.view):
            self.setTabOrder(previous, widget)
            previous = widget

    def _build_status_bar(self) -> None:
        who = self.client.login_result.get("username") or self.client.username
        self.who = QLabel(_("Signed in as {user} at {address}").format(
            user=who, address=instance_url(self.client.endpoint)))
        self.statusBar().addPermanentWidget(self.who)
        if self.client.login_result.get("insecure"):
            self.show_error(_("Warning: this connection is not encrypted (http)."))
        if self.client.login_result.get("keyring_problem"):
            self.show_error(_("Your access key was not remembered: {reason}. kafdocs will "
                              "ask for it at the next start.").format(
                reason=self.client.login_result["keyring_problem"]))

    def _restore(self) -> None:
        self.resize(1280, 760)
        geometry = self.settings.get(WINDOW_GEOMETRY)
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = self.settings.get(WINDOW_STATE)
        if not state.isEmpty():
            self.restoreState(state)
        for option, splitter in ((WINDOW_SPLITTER, self.splitter),
                                 (CONTENT_SPLITTER, self.content)):
            saved = self.settings.get(option)
            if not saved.isEmpty():
                splitter.restoreState(saved)
        self.panel.set_folded(self.settings.get(TRANSFERS_FOLDED))

    # -- folders and documents ----------------------------------------------
    def refresh(self) -> None:
        self.refresh_folders()
        self.refresh_documents()

    def refresh_folders(self) -> None:
        def load() -> list[Folder]:
            return list_folders(self.client)

        self.tasks.run(load, self._folders_loaded, self._background_error)

    def _folders_loaded(self, folders: list[Folder]) -> None:
        current = self.current_folder()
        self.folders.set_folders(folders)
        names = {f.id: f.name for f in folders}
        self.documents.set_folder_names(names)  # a record's list, search results
        self.details.folder_names = names
        wanted = current.id if current else self.settings.last_folder(
            self.client.endpoint, self.client.username)
        row = self.folders.row_of(wanted)
        selection = self.folder_view.selectionModel()
        selection.blockSignals(self.record is not None)  # a record shown stays shown
        self.folder_view.setCurrentIndex(self.folders.index(max(row, 0)))
        selection.blockSignals(False)
        if self.record is not None:
            selection.clearSelection()
        self.recount({f.id for f in folders})

    def recount(self, folder_ids: set[str]) -> None:
        """Count these folders' documents again (after uploads, moves, deletions)."""
        for folder_id in folder_ids:
            self.tasks.run(self._counter(folder_id), lambda r: self.folders.set_count(*r),
                           lambda e: None, owner=self)

    def _counter(self, folder_id: str) -> Callable[[], tuple[str, int]]:
        return lambda: (folder_id, count_documents(self.client, folder_id))

    def current_folder(self) -> Folder | None:
        index = self.folder_view.currentIndex()
        return index.data(RECORD_ROLE) if index.isValid() else None

    def _folder_changed(self) -> None:
        folder = self.current_folder()
        if folder is None:
            return
        self.settings.remember_folder(self.client.endpoint, self.client.username, folder.id)
        self.search.set_folder_name(folder.name)
        self.show_folder()

    def show_folder(self) -> None:
        """Browse the folder selected in the list, leaving a search or a record shown."""
        folder = self.current_folder()
        self.search.clear()
        self._leave_record()
        if folder is not None and self.documents.folder_id != folder.id:
            self.documents.set_source(FolderDocuments.of(folder.id))
        else:
            self._show_source_title()

    def _leave_record(self) -> None:
        if self.record is not None:
            self.record = None
            self.records.forget_choice()
            self.record_bar.hide()

    def _escape(self) -> None:
        """Escape in the table: from search results back to the folder."""
        if self.search.active:
            self.show_folder()

    def start_search(self, text: str, here: bool) -> None:
        folder = self.current_folder() if here and self.record is None else None
        self._leave_record()
        self.documents.set_source(SearchResults.of(text, folder.id if folder else ""))

    def _show_source_title(self, *_args: Any) -> None:
        """The title above the table: the folder's name, what was searched and found, or
        the record shown."""
        source = self.documents.source
        if isinstance(source, RecordDocuments) and self.record is not None:
            self.folder_title.setText(record_title(self.record))
            self.hint.setText(self.record_bar.hint())
        elif isinstance(source, SearchResults):
            where = self.folders.folders[self.folders.row_of(source.folder_id)].name \
                if self.folders.row_of(source.folder_id) >= 0 else ""
            self.folder_title.setText(  # how many it found: the count beside it
                _("“{text}” in “{folder}”").format(text=source.text, folder=where) if where
                else _("“{text}” in all folders").format(text=source.text))
            self.hint.setText(_("Search results: Escape or a click on a folder goes back to "
                                "the folder."))
        else:
            folder = self.current_folder()
            self.folder_title.setText(folder.name if folder else "")
            self.hint.setText(self._folder_hint() if self.can_create else
                              _("Your CRM user may not create documents."))

    def refresh_documents(self) -> None:
        """The rows shown stay until the new listing replaces them: a refresh that
        fails (the server is down) leaves the last good one."""
        self.documents.reload(keep=True)

    @staticmethod
    def _folder_hint() -> str:
        return _("Drop files here to file them in this folder.")

    # -- records ------------------------------------------------------------
    def show_record(self, record: CrmRecord) -> None:
        """A record chosen in the Records section: its documents in the table, a
        product's pictures above them."""
        self.record = record
        self.search.clear()
        self.folder_view.selectionModel().clearSelection()
        self.record_bar.show_record(record)
        self.documents.set_source(RecordDocuments(record.id))  # the title follows

    def choose_upload(self) -> None:
        """Upload…: into the folder shown, or filed and linked to the record shown."""
        if self.record is None:
            self.uploads.choose(self.current_folder())
        elif paths := self.uploads.ask_files():
            self._dropped_on_record(self.record, paths)

    def _dropped_on_table(self, paths: list[Path]) -> None:
        if self.record is not None:
            self._dropped_on_record(self.record, paths)
        else:
            self.start_upload(paths, None)

    def _dropped_on_record(self, record: CrmRecord, paths: list[Path]) -> None:
        """Files dropped on a record: filed in a folder the user chooses, and linked."""
        self.uploads.start_for_record(paths, record, self.folders.folders)

    def link_to_record(self, record: CrmRecord, documents: list[dict[str, Any]]) -> None:
        """Documents dragged from the table onto a record: linked, not uploaded again."""
        ids = [str(d["id"]) for d in documents]

        def done(outcome: LinkOutcome) -> None:
            self.say(link_sentence(record, outcome), 10000)
            if self.record is not None and self.record.id == record.id:
                self.refresh_documents()

        self.tasks.run(lambda: link_documents(self.client, record.id, ids), done,
                       self._background_error)

    def add_pictures(self, paths: list[Path]) -> None:
        """Pictures dropped on a product's thumbnails: they become its pictures."""
        if self.record is not None and self.record.is_product:
            self.queue.upload([ImageRequest(path, self.record.id) for path in paths])

    def _uploads_ended(self) -> None:
        self._reload_timer.start()
        if self.record is not None and self.record.is_product:
            self.record_bar.pictures.load(self.record.id)

    def _show_count(self) -> None:
        """How much of the folder is listed: the scroll bar covers the rows loaded so
        far only, so a large folder says "1,200 of 20,000 loaded" until complete."""
        model, locale = self.documents, QLocale()
        # a short first page is most likely the whole list: said so while it is counted
        short = model.counting and 0 < model.rowCount() < model.page_size
        if (model.complete and not model.loading) or short:
            count = model.rowCount() if short else model.total
            text = ngettext("{count} document", "{count} documents", count).format(
                count=locale.toString(count))
        elif model.rowCount() == 0:
            text = _("Loading…")
        elif model.counting:
            text = _("{loaded} shown, counting…").format(loaded=locale.toString(model.rowCount()))
        else:
            text = _("{loaded} of {total} loaded").format(
                loaded=locale.toString(model.rowCount()), total=locale.toString(model.total))
        self.count_label.setText(text)

    def _load_permissions(self) -> None:
        """What describe allows: each action is offered only where the server takes it."""
        def apply(allowed: Rights) -> None:
            self.uploads.can_create, self.uploads.can_delete = allowed.create, allowed.delete
            self.uploads.can_update = allowed.update
            self.desk.rights = allowed
            self.documents.titles_editable = allowed.update
            self.details.can_edit = allowed.update
            self.upload_action.setEnabled(allowed.create)
            self.delete_action.setEnabled(allowed.delete)
            for action in (self.rename_action, self.describe_action, self.move_action):
                action.setEnabled(allowed.update)
            self.new_folder_action.setEnabled(allowed.create_folders)
            self.new_folder_action.setToolTip(allowed.folder_refusal or _("New folder…"))
            self.new_folder_action.setStatusTip(allowed.folder_refusal)
            self._show_source_title()
            self._selection_changed()

        self.tasks.run(lambda: rights(self.client), apply, self._background_error)

    # -- the selected documents: preview, details, desk actions --------------------
    def _selection_changed(self, *_args: Any) -> None:
        """"Upload new version…" needs one document that holds a file, and the right;
        the preview and the details follow once the selection settles."""
        record = self.single_record()
        self.new_version_action.setEnabled(
            record is not None and record.get("filelocationtype") != "E"
            and self.uploads.can_update)
        self._selection_timer.start()

    def _selection_settled(self) -> None:
        records = self.selected_records()
        self.details.show_records(records)
        if self.side.isVisible():
            self.preview.show_records(records)
        self.cache.prefetch(records)  # small ones, so that the first drag carries them

    def _documents_changed(self, records: list[dict[str, Any]]) -> None:
        """Renamed, described or moved: shown as the server now has them; moved out of the
        folder shown, gone from the list."""
        folder_id = self.documents.folder_id
        left = {str(r.get("id")) for r in records if folder_id and r.get("folderid") != folder_id}
        self.documents.replace([r for r in records if str(r.get("id")) not in left])
        self.documents.remove(left)
        self._selection_changed()

    def _documents_removed(self, ids: set[str]) -> None:
        self.documents.remove(ids)
        self._selection_changed()

    def rename_current(self) -> None:
        """F2: the title of the current document, edited in place."""
        index = self.table.currentIndex()
        if index.isValid() and self.desk.rights.update:
            column = self.documents.columns.index("notes_title")
            self.table.edit(self.documents.index(index.row(), column))

    def _separator(self) -> QAction:
        separator = QAction(self)
        separator.setSeparator(True)
        return separator

    def _toggle_preview(self, shown: bool) -> None:
        self.settings.set(SHOW_PREVIEW, shown)
        self.side.setVisible(shown)
        self._selection_changed()

    def start_upload(self, paths: list[Path], folder: Folder | None) -> None:
        self.uploads.start(paths, folder or self.current_folder())

    def _dropped_on_folder(self, paths: list[Path], row: int) -> None:
        folder = self.folders.folders[row] if 0 <= row < len(self.folders.folders) else None
        self.start_upload(paths, folder)

    def dragEnterEvent(self, event: Any) -> None:
        accept_file_drag(event)

    def dropEvent(self, event: Any) -> None:
        if paths := take_file_drop(event):
            self.start_upload(paths, None)

    def single_record(self) -> dict[str, Any] | None:
        records = self.selected_records()
        return records[0] if len(records) == 1 else None

    # -- downloads ----------------------------------------------------------
    def selected_records(self) -> list[dict[str, Any]]:
        return self.table.selected_records()

    def _choose_dir(self, title: str) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(
            self, title, self.settings.start_folder(DOWNLOAD_DIR))
        if not chosen:
            return None
        self.settings.set(DOWNLOAD_DIR, chosen)
        return Path(chosen)

    def download_selected(self) -> None:
        records = self.selected_records()
        if not records:
            self.say(_("Select the documents to download first."), SAY_MS)
            return
        dest = self._choose_dir(_("Download to…"))
        if dest is None:
            return
        self.queue.download(records, dest)

    def download_folder(self) -> None:
        folder = self.current_folder()
        if folder is not None:
            self.folder_downloads.ask(folder)

    def start_folder_download(self, folder: Folder, dest: Path, mirror: bool = False) -> None:
        self.folder_downloads.start(folder, dest, mirror)

    def open_document(self, index: Any = None) -> None:
        record = self.documents.index(index.row(), 0).data(RECORD_ROLE) if index else None
        if record is not None:
            self.cache.open(record)

    def delete_selected(self) -> None:
        """Delete: the documents named, default No, the recycle bin said (manage.py)."""
        self.desk.ask_delete(self.selected_records())

    # -- transfers ----------------------------------------------------------
    def cancel_selected_transfers(self) -> None:
        self.panel.cancel_selected()

    def _announce(self, text: str, notify: bool, problem: bool) -> None:
        """A batch ended: said in the status bar, or kept in the message bar when some
        of it failed or it stopped early."""
        if problem:
            self.show_error(text)
        else:
            self.say(text, 15000)
        if notify:
            self.notify(text)

    def _learned(self, facts: ClientFacts) -> None:
        """What the transfers found out about the server: the up-front size check uses
        it now, the next session from the saved connection."""
        zone = self.client.server_zone
        self.client.learn(facts)
        if self.client.server_zone != zone:  # times shown in the user's zone change
            self.documents.layoutChanged.emit()
        if self.client.max_upload:
            self.settings.remember_upload_limit(self.client.endpoint, self.client.username,
                                                self.client.max_upload)

    def _remember_download_folders(self, _parent: Any, first: int, last: int) -> None:
        """Where downloads run, so that what a killed one left is cleaned next time."""
        known = self.settings.download_folders()
        cache = str(self.cache.root)
        new = {str(row.record.meta.get("folder") or "")
               for row in self.transfers.rows[first:last + 1] if row.record.kind == "download"}
        new = {f for f in new if f and not f.startswith(cache)} - set(known)
        if new:
            self.settings.set_download_folders([*known, *sorted(new)][-KEEP_DOWNLOAD_FOLDERS:])

    def _clean_stale_parts(self) -> None:
        """The hidden ``.part`` files that downloads killed midway (with the app) left
        in the app's cache and in the folders downloads ran into: removed at start."""
        folders = [Path(f) for f in self.settings.download_folders()]
        self.settings.set_download_folders([])
        root = self.cache.root

        def clean() -> int:
            return remove_stale_parts_in_cache(root, STALE_PART_SECONDS) + sum(
                remove_stale_parts(folder, STALE_PART_SECONDS) for folder in folders)

        self.tasks.run(clean, lambda n: log.info("removed %d unfinished downloads", n),
                       lambda e: log.warning("cleaning unfinished downloads: %s", e))

    def _forget_upload_limit(self) -> None:
        """Retrying checks the server's limit again (it may have been raised): the
        size refused before is forgotten here, in the saved connection and by the
        transfers, and learned again if the server still refuses."""
        self.client.forget_limits()
        self.settings.remember_upload_limit(self.client.endpoint, self.client.username, 0)

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
        """Something the user has to know or act on: kept until dismissed."""
        self.message_bar.show_message(text)
        log.info("shown to the user: %s", text)

    def say(self, text: str, msecs: int) -> None:
        """The status bar's passing message (0 ms: until replaced), from the window or
        one of its parts."""
        self.statusBar().showMessage(text, msecs)
        log.info("said to the user: %s", text)

    def _background_error(self, error: BaseException) -> None:
        self.show_error(describe(error))

    def sign_out(self) -> None:
        """File → Sign out…: the window closes (asking first about transfers under way)
        and the app offers the sign-in dialog, for this connection or another one."""
        self.signing_out = True
        if not self.close():
            self.signing_out = False  # the user kept the window

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.watched.may_close():  # asked; answered by keeping on, or quitting
            event.ignore()
            return
        names = [r.label for r in self.queue.table
                 if not r.state.final and not r.meta.get("background")]  # not fetched ahead
        if names:
            answer = QMessageBox.question(
                self, _("Transfers in progress"),
                ngettext("This transfer is not finished:\n\n{names}\n\nCancel it and quit?",
                         "These {count} transfers are not finished:\n\n{names}\n\n"
                         "Cancel them and quit?", len(names)).format(
                    count=len(names), names=names_list(names)),
                ASK_YES_NO, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.settings.set(WINDOW_GEOMETRY, self.saveGeometry())
        self.settings.set(WINDOW_STATE, self.saveState())
        self.settings.set(WINDOW_SPLITTER, self.splitter.saveState())
        self.settings.set(CONTENT_SPLITTER, self.content.saveState())
        self.settings.set(TRANSFERS_FOLDED, self.panel.folded)
        # The window goes at once: the helper cancels and cleans up on its own, and
        # background tasks still on the network are waited for after the event loop.
        self.queue.shutdown(cancel=True, timeout=CLOSE_WAIT_SECONDS)
        event.accept()


def link_sentence(record: CrmRecord, outcome: LinkOutcome) -> str:
    """What became of documents dragged onto a record, in one sentence."""
    parts = []
    if outcome.linked:
        parts.append(ngettext("{count} document linked to {record}.",
                              "{count} documents linked to {record}.", len(outcome.linked))
                     .format(count=len(outcome.linked), record=record.name))
    if outcome.already:
        parts.append(ngettext("{count} was already linked.", "{count} were already linked.",
                              len(outcome.already)).format(count=len(outcome.already)))
    for _doc_id, reason in outcome.failed:
        parts.append(reason)
    return " ".join(parts)
