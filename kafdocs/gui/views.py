"""Views that take drops from the desktop and give documents to it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from .doccache import has_file
from .drops import (
    accept_documents_drag,
    accept_file_drag,
    documents_mime,
    dropped_documents,
    take_file_drop,
)
from .models import RECORD_ROLE


class FolderView(QListView):
    """The folder list; files dropped on a folder are uploaded into it, documents
    dragged from the table onto a folder are moved into it. While either is dragged
    over the list, the folder under the cursor is outlined: the one they go to."""

    files_dropped = Signal(list, int)  # paths, row (-1: no folder under the cursor)
    documents_dropped = Signal(list, int)  # records, row

    def __init__(self) -> None:
        super().__init__()
        self.drop_row = -1  # the folder files being dragged would go to; -1: none
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setItemDelegate(DropTargetDelegate(self))
        # A long name elides ("Marketing & Co…", its tooltip says it all) rather than
        # scrolling the list sideways.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.dragMoveEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if not accept_documents_drag(event):
            accept_file_drag(event)
        self._mark(self.indexAt(event.position().toPoint()).row()
                   if event.isAccepted() else -1)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._mark(-1)

    def dropEvent(self, event: QDropEvent) -> None:
        self._mark(-1)
        row = self.indexAt(event.position().toPoint()).row()
        records = dropped_documents(event.mimeData())
        if records:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            if row >= 0:
                self.documents_dropped.emit(records, row)
            return
        paths = take_file_drop(event)
        if paths:
            self.files_dropped.emit(paths, row)

    def _mark(self, row: int) -> None:
        if row != self.drop_row:
            self.drop_row = row
            self.viewport().update()


class DropTargetDelegate(QStyledItemDelegate):
    """Outlines the folder under the cursor of a drag (``FolderView.drop_row``). A folder
    is as wide as the list, never wider: its name elides."""

    def __init__(self, view: FolderView) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(0, super().sizeHint(option, index).height())

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        if index.row() != self.view.drop_row:
            return
        color = option.palette.color(QPalette.ColorRole.Highlight)
        painter.save()
        fill = QColor(color)
        fill.setAlpha(60)
        painter.setBrush(fill)
        painter.setPen(QPen(color, 2))
        painter.drawRoundedRect(option.rect.adjusted(1, 1, -1, -1), 4, 4)
        painter.restore()


class DocumentView(QTableView):
    """The document table; documents dragged out are saved where they are dropped,
    moved when dropped on a folder of the list, linked when dropped on a record.

    Files must exist when a drag starts, so documents come from the open cache; a drag
    of documents not all cached carries the documents only (enough to move or link them); if
    nothing took it, ``prepare`` fetches the missing copies and the user drags again.
    One file dropped on a document's row may become its new version
    (``dropped_on_document``); anything else dropped is uploaded into the folder.
    """

    files_dropped = Signal(list)
    dropped_on_document = Signal(object, dict)  # a path, the record of the row
    end_requested = Signal()  # End or Ctrl+End: the last row, once every row is loaded
    open_requested = Signal(object)  # Enter: the current row's index, to open it

    def __init__(self) -> None:
        super().__init__()
        self.cached_path: Callable[[dict[str, Any]], Path | None] = lambda r: None
        self.prepare: Callable[[list[dict[str, Any]]], None] = lambda rs: None
        self._extend_to_end = False
        self._kept: tuple[list[str], str | None] | None = None  # selection across a reset
        self.setAcceptDrops(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter opens the current document; End goes to the folder's last document,
        not to the last row loaded so far."""
        modifiers = event.modifiers()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and self.state() != QAbstractItemView.State.EditingState \
                and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            return
        if event.key() == Qt.Key.Key_End and not modifiers & ~(
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier):
            self._extend_to_end = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
            self.end_requested.emit()
            return
        super().keyPressEvent(event)

    def go_to_last(self) -> None:
        """The last row current, shown and selected (from the current one with Shift)."""
        model, selection = self.model(), self.selectionModel()
        last = model.index(model.rowCount() - 1, 0)
        if not last.isValid():
            return
        flag = QItemSelectionModel.SelectionFlag
        current = self.currentIndex()
        if self._extend_to_end and current.isValid():
            selection.select(QItemSelection(current, last), flag.Select | flag.Rows)
            selection.setCurrentIndex(last, flag.NoUpdate)
        else:
            selection.setCurrentIndex(last, flag.ClearAndSelect | flag.Rows)
        self.scrollTo(last)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is not None:
            model.modelAboutToBeReset.connect(self._remember_selection)
            model.rowsInserted.connect(self._restore_selection)

    def _remember_selection(self) -> None:
        """A refresh lists the rows again (F5, a finished upload, a watched folder's
        file): the documents selected stay selected once they are listed again,
        instead of the selection and the preview vanishing under the user's eyes."""
        ids = [str(r.get("id")) for r in self.selected_records()]
        current = self.currentIndex().data(RECORD_ROLE)
        self._kept = (ids, str(current.get("id")) if current else None) if ids else None

    def _restore_selection(self) -> None:
        """On the first rows after a reset: select again those that were selected."""
        if self._kept is None:
            return
        (ids, current), self._kept = self._kept, None
        model = self.model()
        where = {str(model.index(r, 0).data(RECORD_ROLE).get("id")): r
                 for r in range(model.rowCount())}
        selection = QItemSelection()
        for row in (where[i] for i in ids if i in where):
            selection.select(model.index(row, 0), model.index(row, model.columnCount() - 1))
        if selection.isEmpty():
            return
        flag = QItemSelectionModel.SelectionFlag
        if current in where:
            self.selectionModel().setCurrentIndex(model.index(where[current], 0),
                                                  flag.NoUpdate)
        self.selectionModel().select(selection, flag.ClearAndSelect | flag.Rows)

    def selected_records(self) -> list[dict[str, Any]]:
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        return [self.model().index(r, 0).data(RECORD_ROLE) for r in rows]

    def startDrag(self, supported: Qt.DropAction) -> None:
        """Always a drag (a drag that does not start lets the mouse extend the
        selection): the files of the selected documents when all are here — web links
        have none and do not hold the others back — else the documents only."""
        records = self.selected_records()
        if not records:
            return
        with_files = [r for r in records if has_file(r)]
        paths = [self.cached_path(r) for r in with_files]
        missing = [r for r, p in zip(with_files, paths, strict=True) if p is None]
        drag = QDrag(self)
        drag.setMimeData(documents_mime(records, [] if missing else
                                        [p for p in paths if p is not None]))
        taken = drag.exec(Qt.DropAction.CopyAction | Qt.DropAction.MoveAction,
                          Qt.DropAction.CopyAction)
        if taken == Qt.DropAction.IgnoreAction and missing:
            self.prepare(missing)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._take_drag(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._take_drag(event)

    def _take_drag(self, event: QDragEnterEvent | QDragMoveEvent) -> None:
        if event.source() is self:  # our own documents dragged out: not an upload
            event.ignore()
        else:
            accept_file_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if event.source() is self:
            event.ignore()
        elif paths := take_file_drop(event):
            row = self.indexAt(event.position().toPoint())
            record = row.data(RECORD_ROLE) if row.isValid() else None
            if len(paths) == 1 and record is not None:
                self.dropped_on_document.emit(paths[0], record)
            else:
                self.files_dropped.emit(paths)
