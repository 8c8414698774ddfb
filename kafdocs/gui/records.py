"""The Records section: find an account, a contact or a product by name, show its
documents in the document table, and a product's pictures as thumbnails.

Searching runs on the server (transfer/crmrecords.py), a moment after the typing stops;
an answer to an older text is dropped. Files dropped on a record are filed and linked to
it, documents dragged from the table onto it are linked (nothing is uploaded again),
pictures dropped on a product's thumbnails become its pictures: the window hands those
to the upload flow and the transfers. Pictures are fetched and decoded off the GUI
thread. The webservice cannot remove a link: the record's bar says so where a user
would look for it.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any, BinaryIO

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QImage,
    QPainter,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kafdocs.api import Client, KafdocsError
from kafdocs.i18n import _, ngettext
from kafdocs.transfer.crmrecords import CrmRecord, image_ids, search_records

from .drops import DOCUMENTS_MIME, accept_file_drag, dropped_documents, take_file_drop
from .messages import describe
from .tasks import TaskRunner

DEBOUNCE_MS = 300
THUMBNAIL = 96  # pixels, the longer side of a picture's thumbnail
PICTURE_MAX = 25 * 1024 * 1024  # bytes of a picture fetched for its thumbnail
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
_COLOURS = {"Accounts": "#2f6fb0", "Contacts": "#3c8d4f", "Products": "#b5651d"}


@lru_cache(maxsize=8)
def module_icon(module: str) -> QIcon:
    """A small drawing per kind of record: a building, a person, a box."""
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(_COLOURS.get(module, "#777777"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    if module == "Contacts":
        painter.drawEllipse(QPointF(16, 10), 6.5, 6.5)
        painter.drawRoundedRect(QRectF(5, 18, 22, 12), 6, 6)
    elif module == "Products":
        painter.drawRoundedRect(QRectF(5, 9, 22, 19), 2, 2)
        painter.setBrush(colour.lighter(150))
        painter.drawRect(QRectF(5, 9, 22, 5))
        painter.drawRect(QRectF(14, 9, 4, 19))
    else:  # an account: a building with windows
        painter.drawRect(QRectF(7, 4, 18, 26))
        painter.setBrush(QColor("white"))
        for x in (10, 18):
            for y in (8, 14, 20):
                painter.drawRect(QRectF(x, y, 4, 3))
    painter.end()
    return QIcon(pixmap)


def dropped_on(widget: QListWidget, event: QDropEvent | QDragMoveEvent) -> CrmRecord | None:
    """The record under the cursor (none on the list's blank: a drop must aim)."""
    item = widget.itemAt(event.position().toPoint())
    return item.data(RECORD_ROLE) if item is not None else None


def accept_drag(event: QDragEnterEvent | QDragMoveEvent) -> None:
    """Files from the desktop, or documents from the table (to link: a copy, not a move)."""
    if event.mimeData().hasFormat(DOCUMENTS_MIME):
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
    else:
        accept_file_drag(event)


class RecordList(QListWidget):
    """The records found; each takes files (filed and linked) and documents (linked)."""

    files_dropped = Signal(object, list)  # CrmRecord, paths
    documents_dropped = Signal(object, list)  # CrmRecord, document records

    def __init__(self) -> None:
        super().__init__()
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setIconSize(QSize(24, 24))
        self.setSpacing(1)
        self.setWordWrap(True)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        accept_drag(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        accept_drag(event)
        if event.isAccepted() and dropped_on(self, event) is None:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        record = dropped_on(self, event)
        documents = dropped_documents(event.mimeData())
        if documents:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            if record is not None:
                self.documents_dropped.emit(record, documents)
            return
        paths = take_file_drop(event)
        if paths and record is not None:
            self.files_dropped.emit(record, paths)


class RecordsPanel(QWidget):
    """The Records section beside the folders: a search field and what it found."""

    chosen = Signal(object)  # CrmRecord

    def __init__(self, client: Client, tasks: TaskRunner, parent: QWidget | None = None,
                 debounce_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self.client, self.tasks = client, tasks
        title = QLabel(_("Records"))
        title.setObjectName("recordsTitle")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.field = QLineEdit()
        self.field.setPlaceholderText(_("Find an account, a contact, a product…"))
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName(_("Find a record"))
        self.field.setToolTip(_("Part of a name; case and accents do not matter. Drop files "
                                "or documents on a record to link them to it."))
        self.results = RecordList()
        self.results.setAccessibleName(_("Records found"))
        self.results.currentItemChanged.connect(self._current_changed)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.field)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        self._generation = 0
        self._timer = QTimer(self, singleShot=True, interval=debounce_ms)
        self._timer.timeout.connect(self.search)
        self.field.textChanged.connect(lambda _text: self._timer.start())
        self.field.returnPressed.connect(self.search)

    @property
    def files_dropped(self) -> SignalInstance:
        return self.results.files_dropped

    @property
    def documents_dropped(self) -> SignalInstance:
        return self.results.documents_dropped

    def search(self) -> None:
        """Ask the server for the records matching the field (the debounce's end)."""
        self._timer.stop()
        self._generation += 1
        generation, text, client = self._generation, self.field.text().strip(), self.client
        if len(text) < 2:
            self.results.clear()
            self.status.setText("")
            return
        self.status.setText(_("Searching…"))
        self.tasks.run(lambda: search_records(client, text),
                       lambda found: self._found(generation, text, found),
                       lambda error: self._failed(generation, error), owner=self)

    def _found(self, generation: int, text: str, found: list[CrmRecord]) -> None:
        if generation != self._generation:
            return  # an answer to an older text
        self.results.blockSignals(True)
        self.results.clear()
        for record in found:
            self.results.addItem(record_item(record))
        self.results.blockSignals(False)
        self.status.setText(
            ngettext("{count} record", "{count} records", len(found)).format(count=len(found))
            if found else _("No account, contact or product matches “{text}”.")
            .format(text=text))

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self.status.setText(describe(error))

    def _current_changed(self, item: QListWidgetItem | None, _previous: Any) -> None:
        if item is not None:
            self.chosen.emit(item.data(RECORD_ROLE))

    def forget_choice(self) -> None:
        """A folder was chosen: no record is current any more (the list stays)."""
        self.results.blockSignals(True)
        self.results.setCurrentRow(-1)
        self.results.clearSelection()
        self.results.blockSignals(False)


def record_item(record: CrmRecord) -> QListWidgetItem:
    """Two lines: the name, then the kind of record and what tells it from homonyms."""
    second = " · ".join(v for v in (record.kind, record.details) if v)
    item = QListWidgetItem(module_icon(record.module), f"{record.name}\n{second}")
    item.setToolTip(f"{record.name}\n{second}\n{record.id}")
    item.setData(RECORD_ROLE, record)
    return item


def record_title(record: CrmRecord) -> str:
    return _("{name} — {kind}").format(name=record.name, kind=record.kind)


# -- a product's pictures -------------------------------------------------------------
def thumbnail(client: Client, file_id: str, side: int = THUMBNAIL) -> QImage:
    """A picture of a product, fetched and decoded (call it off the GUI thread)."""
    buffer = io.BytesIO()

    def sink(_index: int) -> BinaryIO:
        return buffer

    infos = client.files_retrieve(file_id, sink, max_bytes=PICTURE_MAX)
    image = QImage.fromData(buffer.getvalue())
    if image.isNull():
        name = infos[0].filename if infos else file_id
        raise KafdocsError(_("{name} cannot be shown: it is not a picture").format(name=name))
    return image.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)


class ProductPictures(QListWidget):
    """A product's pictures as thumbnails; pictures dropped here are added to them."""

    pictures_dropped = Signal(list)  # paths

    def __init__(self, client: Client, tasks: TaskRunner) -> None:
        super().__init__()
        self.client, self.tasks = client, tasks
        self.product_id = ""
        self._ids: list[str] = []  # the product's pictures, in its order
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.setGridSize(QSize(THUMBNAIL + 24, THUMBNAIL + 28))
        self.setMovement(QListView.Movement.Static)
        self.setFixedHeight(THUMBNAIL + 48)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setAccessibleName(_("Pictures of the product"))
        self.setToolTip(_("Drop pictures here (JPEG, PNG, GIF, BMP) to add them to the "
                          "product."))
        self._generation = 0

    def load(self, product_id: str) -> None:
        """Show the pictures of ``product_id`` (each fetched in the background)."""
        self._generation += 1
        generation, client = self._generation, self.client
        self.product_id = product_id
        self.clear()
        self.tasks.run(lambda: image_ids(client.retrieve(product_id)),
                       lambda ids: self._listed(generation, ids),
                       lambda error: self._note(generation, describe(error)), owner=self)

    def _listed(self, generation: int, ids: list[str]) -> None:
        if generation != self._generation:
            return
        if not ids:
            self._note(generation, _("No pictures yet: drop pictures here to add them."))
        self._ids = ids
        for file_id in ids:
            self._fetch(generation, file_id)

    def _fetch(self, generation: int, file_id: str) -> None:
        client = self.client
        self.tasks.run(lambda: thumbnail(client, file_id),
                       lambda image: self._arrived(generation, file_id, image),
                       lambda error: self._note(generation, describe(error)), owner=self)

    def _arrived(self, generation: int, file_id: str, image: QImage) -> None:
        if generation != self._generation:
            return
        item = QListWidgetItem(QIcon(QPixmap.fromImage(image)), "")
        item.setToolTip(file_id)
        item.setData(RECORD_ROLE, file_id)
        place = self._ids.index(file_id)  # in the product's order, whenever it arrives
        self.insertItem(sum(self._ids.index(i) < place for i in self.pictures), item)

    def _note(self, generation: int, text: str) -> None:
        if generation == self._generation:
            item = QListWidgetItem(text)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(item)

    @property
    def pictures(self) -> list[str]:
        """The file ids of the thumbnails shown."""
        return [i.data(RECORD_ROLE) for i in map(self.item, range(self.count()))
                if i.data(RECORD_ROLE)]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        accept_file_drag(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        accept_file_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if paths := take_file_drop(event):
            self.pictures_dropped.emit(paths)


class RecordBar(QWidget):
    """Above the table while a record is shown: what it is, its pictures for a product,
    and the truth about unlinking."""

    def __init__(self, client: Client, tasks: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record: CrmRecord | None = None
        self.details = QLabel()
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.unlink = QPushButton(_("Unlink…"))
        self.unlink.setEnabled(False)
        self.unlink.setToolTip(_("The CRM's webservice cannot remove a link between a "
                                 "document and a record: remove it on the record's page in "
                                 "the CRM."))
        self.pictures = ProductPictures(client, tasks)
        row = QHBoxLayout()
        row.addWidget(self.details, 1)
        row.addWidget(self.unlink)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.pictures)
        # as tall as it needs, never more: the document table takes the rest
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def show_record(self, record: CrmRecord) -> None:
        self.record = record
        self.details.setText(" · ".join(v for v in (record.details, record.id) if v))
        self.pictures.setVisible(record.is_product)
        if record.is_product:
            self.pictures.load(record.id)
        self.show()

    def hint(self) -> str:
        """What dropping on the table does while this record is shown."""
        assert self.record is not None
        return _("Drop files here to file them and link them to {name}.").format(
            name=self.record.name)

