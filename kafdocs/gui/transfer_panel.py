"""The transfer panel: a dock with one row per transfer, the overall progress and the
buttons to cancel, retry and clear. It reads the transfers' record table through its
model and tells the window, in sentences, what a batch came to."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kafdocs.i18n import _, ngettext
from kafdocs.transfer import Summary, Transfers

from .formatting import bytes_text, duration_text
from .transfers import OverallBar, ProgressDelegate, TransferModel

LONG_BATCH_SECONDS = 10.0  # a batch this long is announced to a user who looked away


class TransferPanel(QDockWidget):
    """Collapsible: when it lists nothing, or when the user folds it, it is one line."""

    # what a batch came to; worth a notification; something failed or it stopped early
    announced = Signal(str, bool, bool)
    uploads_ended = Signal()  # uploads ended since the last time: the documents changed
    retrying = Signal()  # "Retry failed" was asked for, before the jobs are queued again

    def __init__(self, transfers: Transfers, parent: Any = None) -> None:
        super().__init__(_("Transfers"), parent)
        self.transfers = transfers
        self._uploads_told: set[int] = set()  # ended uploads uploads_ended was sent for
        self.model = TransferModel(transfers, self)
        self.model.batch_finished.connect(self._batch_finished)
        self.model.refreshed.connect(self._update_overall)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.model.rowsInserted.connect(self._rows_inserted)  # after the view heard of them
        self.model.rowsInserted.connect(self._show_state)
        self.model.modelReset.connect(self._show_state)
        self.view.setItemDelegateForColumn(3, ProgressDelegate(self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it
        self.view.setAccessibleName(_("Transfers"))
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((240, 110, 90, 130, 90, 80)):
            self.view.setColumnWidth(column, width)
        self.fold = QToolButton()
        self.fold.setCheckable(True)
        self.fold.setAutoRaise(True)
        self.fold.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.fold.toggled.connect(self._show_state)
        self.overall_bar = OverallBar()
        self.overall_bar.hide()
        self.overall_label = QLabel(_("No transfers"))
        # A label that grows with its text would re-lay out (and repaint) the whole
        # window ten times a second during transfers.
        self.overall_label.setFixedWidth(self.overall_label.fontMetrics().horizontalAdvance(
            "00000 of 00000 files — 000.0 MB of 000.0 MB") + 12)
        buttons = QHBoxLayout()
        buttons.addWidget(self.fold)
        buttons.addWidget(self.overall_label)
        buttons.addWidget(self.overall_bar)
        buttons.addStretch(1)
        self.buttons: list[QPushButton] = []
        for text, slot in ((_("Cancel"), self.cancel_selected),
                           (_("Cancel all"), transfers.cancel_all),
                           (_("Retry failed"), self.retry_failed),
                           (_("Clear finished"), self.model.clear_finished)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            buttons.addWidget(button)
            self.buttons.append(button)
        self.panel = QWidget()
        layout = QVBoxLayout(self.panel)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        self.setObjectName("transfersDock")
        self.setWidget(self.panel)
        self.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self._show_state()

    @property
    def folded(self) -> bool:
        return self.fold.isChecked()

    def set_folded(self, folded: bool) -> None:
        self.fold.setChecked(folded)

    def _show_state(self) -> None:
        """The list and its buttons only when there is something to list and the user
        did not fold it: an empty panel is one line ("No transfers")."""
        empty = self.model.rowCount() == 0
        if empty:
            self.overall_label.setText(_("No transfers"))
            self.overall_bar.hide()
        self.fold.setVisible(not empty)
        for button in self.buttons:
            button.setVisible(not empty)
        self.fold.setArrowType(Qt.ArrowType.RightArrow if self.folded
                               else Qt.ArrowType.DownArrow)
        self.fold.setToolTip(_("Show the list of transfers") if self.folded
                             else _("Hide the list of transfers"))
        shown = not empty and not self.folded
        self.view.setVisible(shown)
        # A dock keeps the height it had: a folded one is held to its one line.
        self.panel.setMaximumHeight(16_777_215 if shown else self.panel.minimumSizeHint().height())

    def _rows_inserted(self, _parent: QModelIndex, first: int, _last: int) -> None:
        """New transfers are shown: the list scrolls to the first row of a new batch."""
        rows = self.model.rows
        if first == 0 or rows[first].record.batch != rows[first - 1].record.batch:
            index = QPersistentModelIndex(self.model.index(first, 0))

            def scroll() -> None:  # once the view laid the new rows out (it does lazily)
                if index.isValid():
                    self.view.scrollTo(self.model.index(index.row(), 0),
                                       QAbstractItemView.ScrollHint.PositionAtTop)

            QTimer.singleShot(0, self.view, scroll)

    def cancel_selected(self) -> None:
        for index in self.view.selectionModel().selectedRows():
            self.transfers.cancel(self.model.job_id(index.row()))

    def retry_failed(self) -> None:
        """The listeners hear first: what was learned from the failures (a size
        refused) is to be checked again, not kept."""
        self.retrying.emit()
        self.transfers.retry_failed()

    def _update_overall(self) -> None:
        done, total, ended, count = self.model.overall()
        if not count:
            return
        self.overall_bar.show()
        self.overall_bar.set_value(int(done * 100 / total) if total else
                                   int(ended * 100 / count))
        self.overall_label.setText(
            _("Files: {ended} of {count} — {done} of {total}")  # no noun to agree with
            .format(ended=ended, count=count, done=bytes_text(done), total=bytes_text(total)))

    def _batch_finished(self, summary: Summary) -> None:
        """One batch ended: its own counts, or the one reason it stopped early."""
        self.announced.emit(batch_text(summary),
                            summary.seconds >= LONG_BATCH_SECONDS or bool(summary.halted),
                            bool(summary.failed or summary.halted))
        ended = {row.record.id for row in self.model.rows
                 if row.record.kind == "upload" and row.record.state.final}
        if ended - self._uploads_told:  # not for every later batch (a preview's fetch)
            self._uploads_told |= ended
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
