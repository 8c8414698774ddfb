"""The transfer panel's model: one row per job record, refreshed a few times a second.

The rows show records of the transfers' ``JobTable``; this model keeps no job state
of its own, only what a view needs (row positions, recent speed samples).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
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

from kafdocs.api import ClientFacts
from kafdocs.i18n import _, pgettext
from kafdocs.transfer import FINAL_EVENTS, Inbox, JobEvent, JobRecord, JobState, Transfers

from .formatting import bytes_text, duration_text

Index = QModelIndex | QPersistentModelIndex
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 2
REFRESH_MS = 100
RUNNING = (JobState.RUNNING, JobState.RETRYING)


@dataclass
class Row:
    record: JobRecord
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
    batch_finished = Signal(object)  # a batch's Summary, when that batch ends
    refreshed = Signal()  # at most every REFRESH_MS, after rows changed
    jobs_finished = Signal(list)  # the records that ended since the last refresh
    learned = Signal(object)  # ClientFacts the transfers' client found out

    def __init__(self, transfers: Transfers, parent: Any = None) -> None:
        super().__init__(parent)
        self.transfers = transfers
        self.table = transfers.table
        self.rows: list[Row] = []  # rows the views know about
        self._pending: list[Row] = []  # new rows, inserted at the next refresh in one go
        self.by_id: dict[int, Row] = {}
        self._dirty: set[int] = set()
        self._finished: list[JobRecord] = []
        self._ending: set[int] = set()  # batches a job of which ended since the last refresh
        self._reported: set[int] = set()  # ended batches already summed up
        self._facts: list[ClientFacts] = []
        self.inbox: Inbox[JobEvent] = Inbox()  # drained by _flush, every REFRESH_MS
        transfers.subscribe(self.inbox)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._flush)
        self._timer.start()

    def _on_event(self, event: JobEvent) -> None:
        """Cheap, whatever the number of jobs: no scan of all rows, no view update here.

        The views hear of changes in ``_flush``, at most every REFRESH_MS.
        """
        if event.facts is not None:
            self._facts.append(event.facts)
        record = self.table.get(event.job_id)
        if record is None:  # forgotten
            return
        if event.kind in FINAL_EVENTS:
            self._finished.append(record)
        if record.meta.get("background"):
            return  # fetched ahead of a drag: no row, no summary, nothing to say
        row = self.by_id.get(event.job_id)
        if row is None:
            row = Row(record, index=len(self.rows) + len(self._pending))
            self._pending.append(row)
            self.by_id[event.job_id] = row
        if event.kind == "queued":
            row.samples.clear()
            self._reported.discard(record.batch)
        row.samples.append((time.monotonic(), event.done))
        self._dirty.add(row.index)
        if event.kind in FINAL_EVENTS:
            self._ending.add(record.batch)

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
        for facts in self._facts:
            self.learned.emit(facts)
        self._facts.clear()
        ending, self._ending = self._ending, set()
        for batch in sorted(ending):
            if self.table.batch_ended(batch) and batch not in self._reported:
                self._reported.add(batch)
                self.batch_finished.emit(self.table.summary(batch))

    # -- totals for the status line -----------------------------------------
    def overall(self) -> tuple[int, int, int, int]:
        """(bytes done, bytes total, jobs ended, jobs) over the current list."""
        records = [r.record for r in self.rows]
        done = sum(r.total if r.state is JobState.DONE else r.done for r in records)
        total = sum(r.total for r in records)
        ended = sum(r.state.final for r in records)
        return done, total, ended, len(records)

    def clear_finished(self) -> None:
        """Forget every ended job — done, skipped, failed or cancelled — here and
        wherever it ran; the waiting and running ones stay."""
        self._flush()
        for batch in sorted({r.record.batch for r in self.rows}):
            self.transfers.forget(batch)
        keep = [r for r in self.rows if self.table.get(r.record.id) is not None]
        self.beginResetModel()
        self.rows = keep
        for i, row in enumerate(keep):
            row.index = i
        self.by_id = {r.record.id: r for r in keep}
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
        record = row.record
        column = index.column()
        if role == PROGRESS_ROLE or (role == Qt.ItemDataRole.DisplayRole and column == 3):
            percent = progress_percent(record)
            if percent is None or role == PROGRESS_ROLE:
                return percent
            return f"{percent} %"
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return record.message or record.label
        return None

    def _text(self, row: Row, column: int) -> str:
        record = row.record
        running = record.state in RUNNING
        if column == 0:
            return record.label
        if column == 1:
            return (pgettext("direction", "Upload") if record.kind == "upload"
                    else pgettext("direction", "Download"))
        if column == 2:
            return self.state_text(record.state)
        if column == 4:
            return bytes_text(row.speed()) + "/s" if running and row.speed() else ""
        if column == 5:
            speed = row.speed()
            if running and speed > 0 and record.total > record.done:
                return duration_text((record.total - record.done) / speed)
            return ""
        if column == 6:
            return details_text(record)
        return ""

    def state_text(self, state: JobState) -> str:
        words = {
            JobState.QUEUED: _("Waiting"), JobState.RUNNING: _("Running"),
            JobState.RETRYING: _("Retrying"), JobState.DONE: _("Done"),
            JobState.FAILED: _("Failed"), JobState.SKIPPED: _("Skipped"),
            JobState.CANCELLED: _("Cancelled"),
        }
        return words[state]

    def job_id(self, row: int) -> int:
        return self.rows[row].record.id


def progress_percent(record: JobRecord) -> int | None:
    """The bar's value; None (no bar) for a job that ended without doing its work: a
    failed upload may have sent every byte and still filed nothing."""
    if record.state is JobState.DONE:
        return 100
    if record.state.final:
        return None
    percent = int(record.done * 100 / record.total) if record.total else 0
    return min(percent, 99)  # 100 % only once the server confirmed it


def details_text(record: JobRecord) -> str:
    """What became of the job, in words: where a download was saved (the file name
    alone says nothing new), else the job's own message."""
    folder = record.meta.get("folder")
    if record.kind != "download" or record.state is not JobState.DONE or not folder:
        return record.message
    path = str(Path(folder) / record.label)
    if record.meta.get("change") == "updated":
        return _("updated: {path}").format(path=path)
    return _("saved as {path}").format(path=path)


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
