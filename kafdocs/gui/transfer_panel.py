"""The transfer panel: a dock with one row per transfer, the overall progress and the
buttons to cancel, retry and clear. It reads the transfers' record table through its
model and tells the window, in sentences, what a batch came to."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kafdocs.i18n import _, ngettext
from kafdocs.transfer import Summary, Transfers

from .formatting import bytes_text, duration_text
from .transfers import OverallBar, ProgressDelegate, TransferModel

LONG_BATCH_SECONDS = 10.0  # a batch this long is announced to a user who looked away


class TransferPanel(QDockWidget):
    announced = Signal(str, bool)  # what a batch came to; True: worth a notification
    uploads_ended = Signal()  # a batch ended while uploads were listed: documents changed

    def __init__(self, transfers: Transfers, parent: Any = None) -> None:
        super().__init__(_("Transfers"), parent)
        self.transfers = transfers
        self.model = TransferModel(transfers, self)
        self.model.batch_finished.connect(self._batch_finished)
        self.model.refreshed.connect(self._update_overall)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setItemDelegateForColumn(3, ProgressDelegate(self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((240, 125, 90, 140, 90, 80)):
            self.view.setColumnWidth(column, width)
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
        for text, slot in ((_("Cancel"), self.cancel_selected),
                           (_("Cancel all"), transfers.cancel_all),
                           (_("Retry failed"), transfers.retry_failed),
                           (_("Clear finished"), self.model.clear_finished)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.view)
        self.setObjectName("transfersDock")
        self.setWidget(panel)
        self.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)

    def cancel_selected(self) -> None:
        for index in self.view.selectionModel().selectedRows():
            self.transfers.cancel(self.model.job_id(index.row()))

    def _update_overall(self) -> None:
        done, total, ended, count = self.model.overall()
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
        self.announced.emit(batch_text(summary),
                            summary.seconds >= LONG_BATCH_SECONDS or bool(summary.halted))
        if any(row.record.kind == "upload" for row in self.model.rows):
            self.uploads_ended.emit()


def batch_text(summary: Summary) -> str:
    if summary.halted:
        return ngettext(
            "Transfers stopped: the server cannot be reached. {count} transfer was not "
            "started; click “Retry failed” when the server is back.",
            "Transfers stopped: the server cannot be reached. {count} transfers were not "
            "started; click “Retry failed” when the server is back.",
            summary.not_started).format(count=summary.not_started)
    return _("Transfers finished: {counts} ({duration}).").format(
        counts=summary.counts(), duration=duration_text(summary.seconds))
