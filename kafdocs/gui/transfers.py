"""The transfer panel's model: one row per job, refreshed a few times a second."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QWidget,
)

from kafdocs.i18n import _, pgettext
from kafdocs.transfer import FINAL_EVENTS, Inbox, Job, JobEvent, Transfers

from .formatting import bytes_text, duration_text

Index = QModelIndex | QPersistentModelIndex
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 2
REFRESH_MS = 100


@dataclass
class Row:
    job: Job
    state: str = "queued"
    done: int = 0
    total: int = 0
    message: str = ""
    index: int = 0  # position in the model
    samples: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=20))

    def speed(self) -> float:
        """A rolling average over the last few seconds, as qutebrowser does."""
        if len(self.samples) < 2:
            return 0.0
        (t0, b0), (t1, b1) = self.samples[0], self.samples[-1]
        return (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0


class TransferModel(QAbstractTableModel):
    COLUMNS = 7
    batch_finished = Signal(object)  # the queue's Summary, when a batch ends
    refreshed = Signal()  # at most every REFRESH_MS, after rows changed
    jobs_finished = Signal(list)  # the jobs that finished since the last refresh

    def __init__(self, queue: Transfers, parent: Any = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.rows: list[Row] = []  # rows the views know about
        self._pending: list[Row] = []  # new rows, inserted at the next refresh in one go
        self.by_id: dict[int, Row] = {}
        self._dirty: set[int] = set()
        self._finished: list[Job] = []
        self._open = 0  # rows not in a final state
        self.inbox: Inbox[JobEvent] = Inbox()  # drained by _flush, every REFRESH_MS
        queue.subscribe(self.inbox)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._flush)
        self._timer.start()
        self._batch_started = 0.0
        self._batch_done = False

    def _on_event(self, event: JobEvent) -> None:
        """Cheap, whatever the number of jobs: no scan of all rows, no view update here.

        The views hear of changes in ``_flush``, at most every REFRESH_MS.
        """
        row = self.by_id.get(event.job_id)
        if row is None:
            job = self.queue.jobs.get(event.job_id)
            if job is None:
                return
            row = Row(job, total=event.total)
            row.index = len(self.rows) + len(self._pending)
            self._pending.append(row)
            self.by_id[event.job_id] = row
            self._open += 1
        was_final = row.state in FINAL_EVENTS
        if event.kind == "queued":
            row.samples.clear()
            self._batch_started = self._batch_started or time.monotonic()
        if event.kind != "progress":
            row.state = event.kind
            row.message = event.message if event.kind not in ("queued", "started") else ""
        self._open += was_final - (row.state in FINAL_EVENTS)
        row.done, row.total = event.done, max(event.total, row.job.total)
        row.samples.append((time.monotonic(), event.done))
        self._dirty.add(row.index)
        if event.kind == "finished":
            self._finished.append(row.job)
        if event.kind in FINAL_EVENTS and self._batch_started and not self._open \
                and not self.queue.busy:
            self._batch_done = True

    def _flush(self) -> None:
        for event in self.inbox.drain():
            self._on_event(event)
        if self._pending:
            start = len(self.rows)
            self.beginInsertRows(QModelIndex(), start, start + len(self._pending) - 1)
            self.rows.extend(self._pending)
            self._pending.clear()
            self.endInsertRows()
        if self._dirty:
            first, last = min(self._dirty), max(self._dirty)
            self._dirty.clear()
            self.dataChanged.emit(self.index(first, 0), self.index(last, self.COLUMNS - 1))
            self.refreshed.emit()
        if self._finished:
            finished, self._finished = self._finished, []
            self.jobs_finished.emit(finished)
        if self._batch_done:
            self._batch_done = False
            self.batch_finished.emit((self.queue.summary(),
                                      time.monotonic() - self._batch_started))
            self._batch_started = 0.0

    # -- totals for the status line -----------------------------------------
    def overall(self) -> tuple[int, int, int, int]:
        """(bytes done, bytes total, jobs ended, jobs) over the current list."""
        done = sum(r.done if r.state != "finished" else r.total for r in self.rows)
        total = sum(r.total for r in self.rows)
        ended = sum(r.state in FINAL_EVENTS for r in self.rows)
        return done, total, ended, len(self.rows)

    def clear_finished(self) -> None:
        self._flush()
        keep = [r for r in self.rows if r.state not in ("finished", "skipped")]
        self.beginResetModel()
        self.rows = keep
        for i, row in enumerate(keep):
            row.index = i
        self.by_id = {r.job.id: r for r in keep}
        self.endResetModel()

    # -- model interface ----------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return [_("Name"), _("Direction"), _("Status"), _("Progress"),
                    _("Speed"), _("Remaining"), _("Details")][section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == PROGRESS_ROLE or (role == Qt.ItemDataRole.DisplayRole and column == 3):
            percent = 100 if row.state == "finished" else (
                int(row.done * 100 / row.total) if row.total else 0)
            return percent if role == PROGRESS_ROLE else f"{percent} %"
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.message or row.job.label
        return None

    def _text(self, row: Row, column: int) -> str:
        running = row.state in ("started", "progress", "retrying")
        if column == 0:
            return row.job.label
        if column == 1:
            return (pgettext("direction", "Upload") if row.job.kind == "upload"
                    else pgettext("direction", "Download"))
        if column == 2:
            return self.state_text(row.state)
        if column == 4:
            return bytes_text(row.speed()) + "/s" if running and row.speed() else ""
        if column == 5:
            speed = row.speed()
            if running and speed > 0 and row.total > row.done:
                return duration_text((row.total - row.done) / speed)
            return ""
        if column == 6:
            return row.message
        return ""

    def state_text(self, state: str) -> str:
        words = {
            "queued": _("Waiting"), "started": _("Running"),
            "progress": _("Running"), "retrying": _("Retrying"),
            "finished": _("Done"), "failed": _("Failed"),
            "skipped": _("Skipped"), "cancelled": _("Cancelled"),
        }
        return words.get(state, state)

    def job_id(self, row: int) -> int:
        return self.rows[row].job.id


class ProgressDelegate(QStyledItemDelegate):
    """Draws the progress column as a native progress bar."""

    def paint(self, painter: Any, option: QStyleOptionViewItem, index: Index) -> None:
        value = index.data(PROGRESS_ROLE)
        if value is None:
            super().paint(painter, option, index)
            return
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(option.rect.adjusted(2, 3, -2, -3))
        bar.minimum, bar.maximum, bar.progress = 0, 100, int(value)
        bar.text, bar.textVisible = f"{value} %", True
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class OverallBar(QWidget):
    """The batch's progress bar. QProgressBar.setValue repaints synchronously (and with
    it every dirty region of the window); this one only schedules a paint."""

    def __init__(self) -> None:
        super().__init__()
        self.value = 0
        self.setMinimumSize(160, 18)
        self.setMaximumWidth(260)

    def set_value(self, value: int) -> None:
        if value != self.value:
            self.value = value
            self.update()

    def paintEvent(self, event: Any) -> None:
        bar = QStyleOptionProgressBar()
        bar.initFrom(self)
        bar.minimum, bar.maximum, bar.progress = 0, 100, self.value
        bar.text, bar.textVisible = f"{self.value} %", True
        bar.state |= QStyle.StateFlag.State_Horizontal
        painter = QPainter(self)
        self.style().drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, self)
