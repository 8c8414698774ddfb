"""The preview pane: the selected document's PDF pages, picture, text or table.

The file comes through the document cache (doccache.py): a current copy is shown at
once; otherwise the transfers fetch it, and the fetch is cancelled when the selection
moves on first. Files above a size (a setting, 50 MB by default) wait for *Preview
anyway*. Decoding and rendering run on the TaskRunner's threads (rendering.py); only
the finished image or text reaches the GUI thread. Answers for a document no longer
selected are dropped (a generation counter).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeDatabase,
    QModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QFontDatabase,
    QIcon,
    QImage,
    QKeySequence,
    QPainter,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kafdocs.api import BadAnswer
from kafdocs.api.values import number
from kafdocs.i18n import _, ngettext
from kafdocs.transfer import JobRecord, JobState

from .doccache import DocumentCache
from .formatting import bytes_text
from .messages import describe
from .models import mime_comment
from .rendering import (
    CannotShow,
    Kind,
    PdfPage,
    Table,
    Text,
    kind_of,
    read_table,
    read_text,
    render_image,
    render_pdf_page,
    warm_up,
)
from .settings import MIB, PREVIEW_MAX_MB, Settings
from .tasks import TaskRunner

Record = dict[str, Any]
RESIZE_MS = 200  # a new rendering once the pane stopped changing size


class ImageView(QWidget):
    """A picture scaled to fit, centred, never enlarged past its own size."""

    def __init__(self) -> None:
        super().__init__()
        self.image = QImage()
        self._shown = QPixmap()
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

    def set_image(self, image: QImage) -> None:
        self.image = image
        self._shown = QPixmap()
        self.update()

    def resizeEvent(self, event: Any) -> None:
        self._shown = QPixmap()
        super().resizeEvent(event)

    def paintEvent(self, event: Any) -> None:
        if self.image.isNull():
            return
        if self._shown.isNull():
            ratio = self.devicePixelRatioF()
            box = QSize(int(self.width() * ratio), int(self.height() * ratio))
            image = self.image
            if image.width() > box.width() or image.height() > box.height():
                image = image.scaled(box, Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation)
            self._shown = QPixmap.fromImage(image)
            self._shown.setDevicePixelRatio(ratio)
        size = self._shown.deviceIndependentSize().toSize()
        painter = QPainter(self)
        painter.drawPixmap((self.width() - size.width()) // 2,
                           (self.height() - size.height()) // 2, self._shown)


class RowsModel(QAbstractTableModel):
    """The rows of a CSV file, read-only; the first row as the header."""

    def __init__(self, rows: list[list[str]]) -> None:
        super().__init__()
        self.header = rows[0] if rows else []
        self.rows = rows[1:]
        self.width = max((len(r) for r in rows), default=0)

    def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.width

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            row = self.rows[index.row()]
            return row[index.column()] if index.column() < len(row) else ""
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.header[section] if section < len(self.header) else ""
        return section + 2  # the file's line number


class PreviewPane(QWidget):
    """Shows the one selected document; says why when it cannot."""

    shown = Signal(str)  # what is shown now: a Kind's value, "message", "fetching"...

    def __init__(self, cache: DocumentCache, tasks: TaskRunner, settings: Settings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cache, self.tasks, self.settings = cache, tasks, settings
        self.record: Record | None = None
        self.state = "message"
        self._generation = 0
        self._waiting: Path | None = None  # the copy being fetched for the preview
        self._path: Path | None = None  # the copy shown
        self._forced: set[str] = set()  # ids shown although large (Preview anyway)
        self._page = 0
        self._resized = QTimer(self, singleShot=True, interval=RESIZE_MS)
        self._resized.timeout.connect(self._rerender)
        self._rendered_width = 0
        cache.arrived.connect(self._arrived)
        self._build()
        self.show_records([])
        tasks.run(warm_up, owner=self)

    # -- construction -------------------------------------------------------------
    def _build(self) -> None:
        self.stack = QStackedWidget()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # names are data, not markup
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.anyway = QPushButton(_("Preview anyway"))
        self.anyway.clicked.connect(self._preview_anyway)
        box = self.message_page = QWidget()
        column = QVBoxLayout(box)
        column.addStretch(1)
        column.addWidget(self.icon)
        column.addWidget(self.message)
        column.addWidget(self.anyway, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(1)
        self.stack.addWidget(box)

        self.picture = ImageView()
        self.stack.addWidget(self.picture)

        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.stack.addWidget(self.text)

        self.table = QTableView()
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.stack.addWidget(self.table)

        self.previous = QToolButton()
        self.previous.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.previous.setToolTip(_("Previous page (Page Up)"))
        self.previous.clicked.connect(lambda: self.turn(-1))
        self.next = QToolButton()
        self.next.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
        self.next.setToolTip(_("Next page (Page Down)"))
        self.next.clicked.connect(lambda: self.turn(1))
        self.page_label = QLabel()
        self.note = QLabel()  # "only the start is shown", the page number...
        self.note.setEnabled(False)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.previous)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next)
        bar.addStretch(1)
        bar.addWidget(self.note)
        self.bar = QWidget()
        self.bar.setLayout(bar)
        for keys, step in ((QKeySequence.StandardKey.MoveToPreviousPage, -1),
                           (QKeySequence.StandardKey.MoveToNextPage, 1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda s=step: self.turn(s))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.bar)
        self.setMinimumWidth(160)
        self.setAccessibleName(_("Preview"))

    # -- what to show ---------------------------------------------------------------
    def show_records(self, records: list[Record]) -> None:
        """The selection changed: preview the one document selected, if it can be."""
        single = records[0] if len(records) == 1 else None
        if single is not None and self.record is not None \
                and single.get("id") == self.record.get("id") and single == self.record:
            return  # the same document again (a refresh): keep what is shown
        self._stop_waiting()
        self._generation += 1
        self.record, self._path, self._page = single, None, 0
        if single is None:
            self._say(_("Select a document to see it here.") if not records else
                      ngettext("{count} document selected", "{count} documents selected",
                               len(records)).format(count=len(records)))
            return
        self._start(single)

    def _start(self, record: Record) -> None:
        name = str(record.get("filename") or "")
        if record.get("filelocationtype") == "E":
            self._say(_("A link to a web page:\n{address}").format(address=name[:300]),
                      icon="link")
            return
        if not record.get("imageattachmentids"):
            self._say(_("This document has no file."))
            return
        kind = kind_of(name, str(record.get("filetype") or ""))
        if kind is Kind.OTHER:
            self._say(_("{name}\n{type}, {size}\nNo preview for this kind of file: "
                        "double-click to open it.").format(
                name=name, type=mime_comment(str(record.get("filetype") or "")) or _("File"),
                size=bytes_text(number(record.get("filesize")) or 0)), icon="file")
            return
        size = number(record.get("filesize")) or 0
        cap = self.settings.get(PREVIEW_MAX_MB) * MIB
        if size > cap and str(record.get("id")) not in self._forced:
            self._say(_("This file is large ({size}): it is previewed only when you ask.")
                      .format(size=bytes_text(size)), icon="file", anyway=True)
            return
        generation = self._generation
        self._say(_("Preparing the preview…"), state="rendering")  # not the last one's
        try:
            self.cache.local(record, lambda path: self._local(generation, record, path))
        except BadAnswer as exc:
            self._say(describe(exc))

    def _local(self, generation: int, record: Record, path: Path | None) -> None:
        """The copy there is: shown; none usable: fetched, then shown."""
        if generation != self._generation:
            return
        if path is not None:
            self._render(path)
            return
        self._waiting = self.cache.fetch(record, background=True)  # the pane says how it went
        self._say(_("Fetching the file for the preview…"), state="fetching")

    def _preview_anyway(self) -> None:
        if self.record is not None:
            self._forced.add(str(self.record.get("id")))
            self._generation += 1
            self._start(self.record)

    def _stop_waiting(self) -> None:
        if self._waiting is not None:
            self.cache.cancel_fetch(self._waiting)
            self._waiting = None

    def _arrived(self, path: Path, job: JobRecord) -> None:
        if path != self._waiting:
            return
        self._waiting = None
        if job.state is JobState.DONE:
            self._render(path)
        elif job.state is not JobState.CANCELLED:
            self._say(_("The file could not be fetched: {reason}").format(reason=job.message))

    # -- rendering in the background -----------------------------------------------------
    def _render(self, path: Path) -> None:
        assert self.record is not None
        self._path = path
        kind = kind_of(str(self.record.get("filename") or ""),
                       str(self.record.get("filetype") or ""))
        box = self._pixels()
        work: dict[Kind, Callable[[], Any]] = {
            Kind.PDF: lambda: render_pdf_page(path, self._page, box.width()),
            Kind.IMAGE: lambda: render_image(path, box),
            Kind.TEXT: lambda: read_text(path),
            Kind.TABLE: lambda: read_table(path),
        }
        generation = self._generation
        self._rendered_width = box.width()
        self.tasks.run(work[kind], lambda result: self._show(generation, result),
                       lambda error: self._failed(generation, error), owner=self)

    def _pixels(self) -> QSize:
        ratio = self.devicePixelRatioF()
        return QSize(max(int(self.stack.width() * ratio), 200),
                     max(int(self.stack.height() * ratio), 200))

    def _show(self, generation: int, result: Any) -> None:
        if generation != self._generation:
            return
        self.bar.setVisible(True)
        self.previous.setVisible(isinstance(result, PdfPage))
        self.next.setVisible(isinstance(result, PdfPage))
        self.page_label.setVisible(isinstance(result, PdfPage))
        if isinstance(result, PdfPage):
            self._page = result.number
            self.picture.set_image(result.image)
            self.page_label.setText(_("Page {page} of {count}").format(
                page=result.number + 1, count=result.count))
            self.previous.setEnabled(result.number > 0)
            self.next.setEnabled(result.number + 1 < result.count)
            self.note.setText("")
            self._set_state(Kind.PDF.value, self.picture)
        elif isinstance(result, QImage):
            self.picture.set_image(result)
            self.note.setText("")
            self._set_state(Kind.IMAGE.value, self.picture)
        elif isinstance(result, Text):
            self.text.setPlainText(result.text)
            self.note.setText(_("The start of the file (64 KB)") if result.truncated else "")
            self._set_state(Kind.TEXT.value, self.text)
        elif isinstance(result, Table):
            self.table.setModel(RowsModel(result.rows))
            self.note.setText(_("The first rows of the file") if result.truncated else "")
            self._set_state(Kind.TABLE.value, self.table)

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self._say(_("This file cannot be shown: {reason}").format(
                reason=failure_reason(error)))

    def turn(self, step: int) -> None:
        """Another page of the PDF shown."""
        if self.state == Kind.PDF.value and self._path is not None:
            self._page = max(0, self._page + step)
            self._generation += 1
            self._render(self._path)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.state == Kind.PDF.value:
            self._resized.start()

    def _rerender(self) -> None:
        """A PDF page drawn again for the new width, when it changed noticeably."""
        width = self._pixels().width()
        if self.state == Kind.PDF.value and self._path is not None and \
                abs(width - self._rendered_width) > self._rendered_width // 5:
            self._generation += 1
            self._render(self._path)

    # -- messages ---------------------------------------------------------------------
    def _say(self, text: str, icon: str = "", anyway: bool = False,
             state: str = "message") -> None:
        self.message.setText(text)
        pixmaps = {"file": QStyle.StandardPixmap.SP_FileIcon,
                   "link": QStyle.StandardPixmap.SP_DriveNetIcon}
        if icon:
            self.icon.setPixmap(self._type_icon(icon, pixmaps[icon]))
        self.icon.setVisible(bool(icon))
        self.anyway.setVisible(anyway)
        self.bar.setVisible(False)
        self._set_state(state, self.message_page)

    def _type_icon(self, kind: str, fallback: QStyle.StandardPixmap) -> QPixmap:
        """The file type's icon from the desktop theme, large; the style's otherwise."""
        icon = QIcon()
        if kind == "file" and self.record is not None:
            found = QMimeDatabase().mimeTypeForFile(str(self.record.get("filename") or ""),
                                                    QMimeDatabase.MatchMode.MatchExtension)
            icon = QIcon.fromTheme(found.iconName(), QIcon.fromTheme(found.genericIconName()))
        if icon.isNull():
            icon = QApplication.style().standardIcon(fallback)
        return icon.pixmap(96, 96)

    def _set_state(self, state: str, page: QWidget) -> None:
        self.state = state
        self.stack.setCurrentWidget(page)
        self.shown.emit(state)


def failure_reason(error: BaseException) -> str:
    """Why a file could not be shown, in the user's words."""
    if isinstance(error, CannotShow):
        return str(error)
    if isinstance(error, OSError):
        return _("the copy on this computer cannot be read ({reason})").format(
            reason=error.strerror or error)
    return describe(error)
