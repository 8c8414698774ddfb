"""Item models for folders and documents; documents load page by page in the background."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QMimeDatabase,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QApplication, QStyle

from kafdocs.api import Client
from kafdocs.api.servertime import UNKNOWN
from kafdocs.i18n import _
from kafdocs.transfer.details import users_names
from kafdocs.transfer.folders import Folder
from kafdocs.transfer.sources import DocumentSource, FolderDocuments

from .formatting import date_text, size_text
from .tasks import TaskRunner

Index = QModelIndex | QPersistentModelIndex
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
# Roles as plain ints: views ask data() for ~7 roles per visible cell on every repaint,
# and reading Qt.ItemDataRole.X costs more than the rest of the call.
DISPLAY = Qt.ItemDataRole.DisplayRole.value
TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
EDIT = Qt.ItemDataRole.EditRole.value  # F2: the editor starts from the title, not empty
ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
RIGHT_ALIGNED = (Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value
DOCUMENT_ROLES = frozenset({DISPLAY, EDIT, TOOLTIP, ALIGNMENT, RECORD_ROLE})


_mime_db = QMimeDatabase()


@lru_cache(maxsize=512)
def mime_comment(mime: str) -> str:
    """"PDF document" rather than "application/pdf", in the user's language."""
    if not mime:
        return ""
    found = _mime_db.mimeTypeForName(mime)
    return found.comment() if found.isValid() and found.comment() else mime


class FolderModel(QAbstractListModel):
    """The document folders, with their document counts once known."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.folders: list[Folder] = []

    def set_folders(self, folders: list[Folder]) -> None:
        self.beginResetModel()
        self.folders = list(folders)
        self.endResetModel()

    def set_count(self, folder_id: str, count: int) -> None:
        for row, folder in enumerate(self.folders):
            if folder.id == folder_id:
                self.folders[row] = Folder(folder.id, folder.name, folder.description, count)
                index = self.index(row)
                self.dataChanged.emit(index, index)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.folders)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.folders):
            return None
        folder = self.folders[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return folder.name if folder.count is None else f"{folder.name} ({folder.count})"
        if role == Qt.ItemDataRole.ToolTipRole:
            return folder.description or folder.name
        if role == Qt.ItemDataRole.DecorationRole:
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_DirIcon)
        if role == RECORD_ROLE:
            return folder
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDropEnabled if index.isValid() else base

    def row_of(self, folder_id: str) -> int:
        return next((i for i, f in enumerate(self.folders) if f.id == folder_id), -1)


FIELDS = ("notes_title", "filename", "filetype", "filesize", "modifiedtime", "assigned_user_id")
FOLDER = "folderid"  # the column shown when a list spans several folders (search results)


class DocumentModel(QAbstractTableModel):
    """The documents of one source (a folder, a search...), fetched a page at a time as
    the view scrolls.

    ``canFetchMore``/``fetchMore`` drive the paging; each page is a background
    request (``ORDER BY x LIMIT offset, size``) with the source's count. Sorting reloads
    from the server in the new order, so it is right for the whole list, not only the
    rows already loaded. vtiger sorts by ONE column: rows tied on it may move between
    pages, so a row already shown is not added twice; when the count changed between
    two pages (documents added or removed), the list is read again. A newer source
    drops whatever an older one still had on its way.
    """

    loading_changed = Signal(bool)
    total_changed = Signal(int)
    failed = Signal(object)
    source_changed = Signal(object)  # the new DocumentSource, or None
    title_edited = Signal(dict, str)  # the record, its new title (typed in the table)
    reached_end = Signal()  # every row asked for by ``load_to_end`` has arrived

    def __init__(self, tasks: TaskRunner, parent: Any = None, page_size: int = 100) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.client: Client | None = None
        self.page_size = page_size
        self.rows: list[dict[str, Any]] = []
        self.total = 0
        self.source: DocumentSource | None = None
        self.columns: tuple[str, ...] = FIELDS
        self.folder_names: dict[str, str] = {}
        self.owners: dict[str, str] = {}
        self.titles_editable = False
        self._order: tuple[str, bool] = ("notes_title", False)
        self._loading = False
        self._counting = False  # a full first page is shown; its list's count is on its way
        self._generation = 0
        self._ids: set[str] = set()
        self._offset = 0  # rows received from the server so far: the next page's offset
        self._exhausted = False
        self._to_end = False  # keep fetching pages until the last (End, Ctrl+End)

    # -- loading ------------------------------------------------------------
    def set_client(self, client: Client | None) -> None:
        self.client = client
        self.owners = {}

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def folder_id(self) -> str:
        """The folder shown, "" when the list is not a folder's."""
        return self.source.folder_id if isinstance(self.source, FolderDocuments) else ""

    def set_folder(self, folder_id: str) -> None:
        self.set_source(FolderDocuments.of(folder_id))

    def set_source(self, source: DocumentSource | None) -> None:
        self.source = source
        self.source_changed.emit(source)
        self.reload()

    def set_folder_names(self, names: dict[str, str]) -> None:
        """Folder names by id, for the Folder column of lists that span folders."""
        self.folder_names = dict(names)
        if FOLDER in self.columns and self.rows:
            column = self.columns.index(FOLDER)
            self.dataChanged.emit(self.index(0, column), self.index(len(self.rows) - 1, column))

    @property
    def counting(self) -> bool:
        """The first page is shown and the list's count not known yet (``total`` is the
        rows shown until it is)."""
        return self._counting

    def reload(self, keep: bool = False) -> None:
        """Read the list again from its first page. ``keep``: the rows shown stay until
        that page replaces them, so a refresh that fails leaves the last good listing
        (another source, another order: the table empties at once)."""
        self._generation += 1
        self._to_end = False
        self._counting = False
        if not keep:
            self._clear(0)
        if self._loading:
            self._set_loading(False)  # what was on its way is for an older list
        if self.client is not None and self.source is not None:
            self._fetch(first=True)

    def _clear(self, total: int) -> None:
        self.beginResetModel()
        self.rows, self.total = [], total
        self._ids, self._offset, self._exhausted = set(), 0, False
        across = self.source is not None and self.source.across_folders
        self.columns = (*FIELDS[:1], FOLDER, *FIELDS[1:]) if across else FIELDS
        self.endResetModel()

    @property
    def complete(self) -> bool:
        """Every row of the list is here (or the list shrank while it was read)."""
        return not self._counting and (self._exhausted or self._offset >= self.total)

    def load_to_end(self) -> None:
        """Fetch page after page until the last row; ``reached_end`` then."""
        if self.complete and not self._loading:
            self.reached_end.emit()
            return
        self._to_end = True
        self.fetchMore()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return (not parent.isValid() and not self._loading and self.client is not None
                and not self._exhausted and self._offset < self.total)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._fetch(first=False)

    def _fetch(self, first: bool) -> None:
        """One page in the background, with the list's count (to page on, and to see the
        list change between pages). The first page comes alone and is shown while the
        count is asked: a search's count reads every match, which made its first results
        wait for it. (A short first page is not taken for the whole list: servers cap
        their answers at different sizes.)"""
        generation, client, source, order = (
            self._generation, self.client, self.source, self._order)
        offset = 0 if first else self._offset
        assert client is not None and source is not None
        size = self.page_size

        def page() -> tuple[int | None, list[dict[str, Any]]]:
            total = None if first else source.count(client)
            return total, source.page(client, order, offset, size)

        self._set_loading(True)
        self.tasks.run(page, lambda r: self._arrived(generation, r[0], r[1], first),
                       lambda e: self._load_failed(generation, e), owner=self)

    def _arrived(self, generation: int, total: int | None, rows: list[dict[str, Any]],
                 first: bool) -> None:
        if generation != self._generation:
            return
        if not first and total != self.total:  # the folder changed: pages have shifted
            self._set_loading(False)
            self.reload(keep=True)
            return
        more = first and bool(rows)  # shown now, counted next
        if first:  # what was shown until now (kept during a refresh) goes
            self._clear(len(rows))
            self._counting = more
        if not more:
            self._set_loading(False)
            if first:
                self.total_changed.emit(self.total)
        self._offset += len(rows)
        self._exhausted = not rows  # the folder shrank meanwhile: stop asking
        fresh = [r for r in rows if str(r.get("id")) not in self._ids]
        if fresh:
            start = len(self.rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self.rows.extend(fresh)
            self._ids.update(str(r.get("id")) for r in fresh)
            self.endInsertRows()
        self._load_owners(fresh)
        if more:
            self._count(generation)
        else:
            self._go_on_to_end()

    def _count(self, generation: int) -> None:
        client, source = self.client, self.source
        assert client is not None and source is not None
        self.tasks.run(lambda: source.count(client), lambda n: self._counted(generation, n),
                       lambda e: self._load_failed(generation, e), owner=self)

    def _counted(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        self._counting = False
        self.total = total
        self._set_loading(False)
        self.total_changed.emit(total)
        self._go_on_to_end()

    def _go_on_to_end(self) -> None:
        """End or Ctrl+End asked for every row: the next page, or the end reached."""
        if self._to_end:
            if self.canFetchMore():
                self._fetch(first=False)
            else:
                self._to_end = False
                self.reached_end.emit()

    def _load_failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self._counting = False
            self._set_loading(False)
            self._to_end = False
            self.failed.emit(error)

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        self.loading_changed.emit(loading)

    def _load_owners(self, rows: list[dict[str, Any]]) -> None:
        unknown = {r.get("assigned_user_id", "") for r in rows} - set(self.owners) - {""}
        if not unknown or self.client is None:
            return
        client = self.client
        self.owners.update(dict.fromkeys(unknown, ""))

        def names() -> dict[str, str]:
            return users_names(client, unknown)

        def show(found: dict[str, str]) -> None:
            self.owners.update(found)
            if self.rows:
                column = self.columns.index("assigned_user_id")
                self.dataChanged.emit(self.index(0, column),
                                      self.index(len(self.rows) - 1, column))

        self.tasks.run(names, show, lambda e: None, owner=self)

    # -- sorting ------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self._order = (self.columns[column], order == Qt.SortOrder.DescendingOrder)
        self.reload()

    # -- model interface ----------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.columns):
            return column_title(self.columns[section])
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if role not in DOCUMENT_ROLES or not 0 <= index.row() < len(self.rows):
            return None  # also for an invalid index, whose row is -1
        record = self.rows[index.row()]
        field = self.columns[index.column()]
        if role == DISPLAY:
            return self._display(record, field)
        if role == TOOLTIP:
            return f"{record.get('notes_title', '')}\n{record.get('filename', '')}"
        if role == ALIGNMENT:
            return RIGHT_ALIGNED if field == "filesize" else None
        if role == EDIT:
            return str(record.get(field, ""))
        return record

    def _display(self, record: dict[str, Any], field: str) -> str:
        value = record.get(field, "")
        if field == "filesize":
            return size_text(value) if record.get("filelocationtype") != "E" else ""
        if field == "modifiedtime":
            return date_text(value, self.client.server_zone if self.client else UNKNOWN)
        if field == "assigned_user_id":
            return self.owners.get(str(value)) or ""
        if field == "filename" and record.get("filelocationtype") == "E":
            return _("Link: {url}").format(url=value)
        if field == "filetype":
            return mime_comment(str(value))
        if field == FOLDER:
            return self.folder_names.get(str(value), "")
        return str(value)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if not index.isValid():
            return base
        base |= Qt.ItemFlag.ItemIsDragEnabled
        if self.titles_editable and self.columns[index.column()] == "notes_title":
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """A title typed in the table: the change is asked for, not made here; the row
        changes when the server has taken it (``replace``)."""
        if role != Qt.ItemDataRole.EditRole or not 0 <= index.row() < len(self.rows):
            return False
        record, title = self.rows[index.row()], str(value).strip()
        if title and title != record.get("notes_title"):
            self.title_edited.emit(record, title)
        return False

    def record(self, row: int) -> dict[str, Any]:
        return self.rows[row]

    # -- changes made by the user's actions ------------------------------------
    def replace(self, records: list[dict[str, Any]]) -> None:
        """Show the server's new version of these documents, where they are listed."""
        fresh = {str(r.get("id")): r for r in records}
        for row, old in enumerate(self.rows):
            new = fresh.get(str(old.get("id")))
            if new is not None:
                files = old.get("imageattachmentids")  # an answer may leave it out
                self.rows[row] = {**({"imageattachmentids": files} if files else {}), **new}
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def remove(self, ids: set[str]) -> None:
        """Documents that left the list (deleted, or moved out of the folder shown)."""
        for row in range(len(self.rows) - 1, -1, -1):
            if str(self.rows[row].get("id")) in ids:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self.rows[row]
                self._offset = max(0, self._offset - 1)
                self.total = max(0, self.total - 1)  # before the views hear of it
                self.endRemoveRows()
        self._ids -= ids


def column_title(field: str) -> str:
    return {"notes_title": _("Title"), FOLDER: _("Folder"), "filename": _("File name"),
            "filetype": _("Type"), "filesize": _("Size"), "modifiedtime": _("Modified"),
            "assigned_user_id": _("Owner")}.get(field, field)
