"""Find the CRM record (an account, a contact) that documents are linked to, by its name.

People know their customers by name, not by id: typing part of a name lists the accounts
and contacts that match (searched off the GUI thread, a moment after the typing stops),
and picking one gives its id.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kafdocs.api import Client, KafdocsError, Query
from kafdocs.i18n import _

from .tasks import TaskRunner


def search_records(client: Client, text: str) -> list[tuple[str, str]]:
    """Accounts and Contacts whose name contains ``text``: (id, label) pairs."""
    pattern = f"%{text.strip()}%"
    found: list[tuple[str, str]] = []
    accounts = client.query(Query("Accounts").select("accountname")
                            .where("accountname", "LIKE", pattern).limit(20))
    found += [(r["id"], r.get("accountname", "")) for r in accounts]
    contacts = client.query(Query("Contacts").select("firstname", "lastname")
                            .where("lastname", "LIKE", pattern)
                            .or_where("firstname", "LIKE", pattern).limit(20))
    found += [(r["id"], f"{r.get('firstname', '')} {r.get('lastname', '')}".strip())
              for r in contacts]
    return found


class RecordPicker(QWidget):
    """A search box, its results and the record chosen (``record_id``, ``label``)."""

    changed = Signal()

    def __init__(self, client: Client, tasks: TaskRunner, record_id: str = "",
                 label: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client, self.tasks = client, tasks
        self.record_id, self.label = record_id, label
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search accounts and contacts by name"))
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

    def _show_results(self, found: list[tuple[str, str]]) -> None:
        self.results.clear()
        for record_id, label in found:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, record_id)
            self.results.addItem(item)

    def _chosen(self) -> None:
        items = self.results.selectedItems()
        if items:
            self.record_id = items[0].data(Qt.ItemDataRole.UserRole)
            self.label = items[0].text()
            self._show_chosen()
            self.changed.emit()

    def _show_chosen(self) -> None:
        self.chosen.setText(_("Will be linked to: {record}").format(record=self.label)
                            if self.record_id else _("Not linked to a customer"))
        self.unlink.setVisible(bool(self.record_id))
