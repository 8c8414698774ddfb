"""Find the CRM record (an account, a contact, a product) that documents are linked to,
by its name.

People know their customers by name, not by id: typing part of a name lists the records
that match — each with its kind and what tells it from its homonyms, as in the Records
section (the same search, transfer/crmrecords.py) — searched off the GUI thread, a
moment after the typing stops; picking one gives its id.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kafdocs.api import Client, KafdocsError, Query
from kafdocs.i18n import _
from kafdocs.transfer.crmrecords import CrmRecord, search_records

from .records import RECORD_ROLE, record_item
from .tasks import TaskRunner


class RecordPicker(QWidget):
    """A search box, its results and the record chosen (``record_id``, ``label``)."""

    changed = Signal()

    def __init__(self, client: Client, tasks: TaskRunner, record_id: str = "",
                 label: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client, self.tasks = client, tasks
        self.record_id, self.label = record_id, label
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search accounts, contacts and products by name"))
        self.results = QListWidget()
        self.results.setMaximumHeight(120)
        self.results.itemSelectionChanged.connect(self._chosen)
        self.chosen = QLabel()
        self.unlink = QPushButton(_("Do not link"))
        self.unlink.clicked.connect(self.clear)
        self._timer = QTimer(self, singleShot=True, interval=300)
        self._timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        row = QHBoxLayout()
        row.addWidget(self.chosen, 1)
        row.addWidget(self.unlink)
        layout.addLayout(row)
        self._show_chosen()

    def clear(self) -> None:
        self.results.clearSelection()
        self.record_id, self.label = "", ""
        self._show_chosen()
        self.changed.emit()

    def _run_search(self) -> None:
        text = self.search.text().strip()
        self.results.clear()
        if len(text) < 2:
            return
        try:
            Query("Accounts").where("accountname", "LIKE", f"%{text}%")
        except KafdocsError:
            return  # text VTQL cannot express: nothing to find
        self.tasks.run(lambda: search_records(self.client, text), self._show_results,
                       lambda e: self.chosen.setText(str(e)), owner=self)

    def _show_results(self, found: list[CrmRecord]) -> None:
        self.results.clear()
        for record in found:
            self.results.addItem(record_item(record))

    def _chosen(self) -> None:
        items = self.results.selectedItems()
        if items:
            record: CrmRecord = items[0].data(RECORD_ROLE)
            self.record_id = record.id
            self.label = record.name
            self._show_chosen()
            self.changed.emit()

    def _show_chosen(self) -> None:
        self.chosen.setText(_("Will be linked to: {record}").format(record=self.label)
                            if self.record_id else _("Not linked to a customer"))
        self.unlink.setVisible(bool(self.record_id))
