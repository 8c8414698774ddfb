"""The details of the selected document, under the preview: what the CRM knows of it.

The fields the listing already holds show at once; the folder's and the owner's names
and the records the document is linked to are asked in the background
(transfer/details.py). *Open in the CRM* opens the document's page in the browser.
The fields are a small table in a read-only text view: it wraps long titles and
descriptions and scrolls by itself. Every value from the server is escaped there.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from kafdocs.api import Client
from kafdocs.api.values import number
from kafdocs.i18n import _, ngettext
from kafdocs.transfer.details import DocumentDetails, document_details, web_page

from .formatting import bytes_text, date_text
from .models import mime_comment
from .tasks import TaskRunner

Record = dict[str, Any]
FIELDS = ("title", "number", "folder", "file", "type", "size", "owner", "created", "modified",
          "description", "linked")
PENDING = "…"  # asked in the background


class DetailsPanel(QWidget):
    edit_description = Signal(dict)  # the record whose description the user wants to edit
    loaded = Signal(object)  # DocumentDetails, once the background part arrived
    warned = Signal(str)  # what went wrong: kept in the window's message bar

    def __init__(self, client: Client, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client, self.tasks = client, tasks
        self.record: Record | None = None
        self.folder_names: dict[str, str] = {}
        self.can_edit = True
        self.values: dict[str, str] = {}  # what each field shows now, as plain text
        self._generation = 0
        self.titles = {"title": _("Title"), "number": _("Number"), "folder": _("Folder"),
                       "file": _("File name"), "type": _("Type"), "size": _("Size"),
                       "owner": _("Owner"), "created": _("Created"),
                       "modified": _("Modified"), "description": _("Description"),
                       "linked": _("Linked to")}
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.setFrameShape(QTextBrowser.Shape.NoFrame)
        # a form beside the preview, not a white page (blank when nothing is selected)
        self.view.viewport().setAutoFillBackground(False)
        self.view.setStyleSheet("QTextBrowser { background: transparent; }")
        self.open_crm = QPushButton(_("Open in the CRM"))
        self.open_crm.setToolTip(_("The document's page in the CRM, in your browser"))
        self.open_crm.clicked.connect(self.open_in_crm)
        self.describe = QPushButton(_("Edit description…"))
        self.describe.clicked.connect(
            lambda: self.record is not None and self.edit_description.emit(self.record))
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_crm)
        buttons.addWidget(self.describe)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.setAccessibleName(_("Details"))
        self.show_records([])

    @property
    def summary(self) -> str:
        """What is shown when no single document is selected."""
        return self.view.toPlainText() if self.record is None else ""

    def show_records(self, records: list[Record]) -> None:
        self._generation += 1
        self.record = records[0] if len(records) == 1 else None
        self.open_crm.setVisible(self.record is not None)
        self.describe.setVisible(self.record is not None)
        if self.record is None:
            self.values = {}
            total = sum(number(r.get("filesize")) or 0 for r in records)
            self.view.setPlainText(ngettext("{count} document selected, {size}",
                                            "{count} documents selected, {size}",
                                            len(records)).format(count=len(records),
                                                                 size=bytes_text(total))
                                   if records else "")
            return
        self.describe.setEnabled(self.can_edit)
        self._fill(self.record)
        generation, record = self._generation, self.record
        self.tasks.run(lambda: document_details(self.client, record),
                       lambda found: self._arrived(generation, found),
                       lambda error: self._unknown(generation), owner=self)

    def _fill(self, r: Record) -> None:
        link = r.get("filelocationtype") == "E"
        zone = self.client.server_zone  # record times are the server's local times
        size = number(r.get("filesize"))
        self.values = {
            "title": r.get("notes_title", ""), "number": r.get("note_no", ""),
            "folder": self.folder_names.get(str(r.get("folderid", "")), ""),
            "file": (_("Link: {url}").format(url=r.get("filename", "")) if link
                     else r.get("filename", "")),
            "type": mime_comment(str(r.get("filetype") or "")),
            "size": bytes_text(size) if size is not None and not link else "",
            "owner": PENDING, "created": date_text(r.get("createdtime", ""), zone),
            "modified": date_text(r.get("modifiedtime", ""), zone),
            "description": r.get("notecontent", ""), "linked": PENDING,
        }
        self._show()

    def _show(self) -> None:
        rows = "".join(
            f"<tr><td style='padding-right:12px; color:gray'>"
            f"{html.escape(self.titles[name])}</td>"
            f"<td>{html.escape(str(self.values.get(name) or '—')).replace(chr(10), '<br>')}"
            "</td></tr>" for name in FIELDS)
        self.view.setHtml(f"<table cellspacing='3'>{rows}</table>")

    def _arrived(self, generation: int, details: DocumentDetails) -> None:
        if generation != self._generation:
            return
        if details.folder:
            self.values["folder"] = details.folder
        self.values["owner"] = details.owner or "—"
        if details.linked is None:
            self.values["linked"] = _("unknown (the server does not tell)")
        else:
            self.values["linked"] = "\n".join(f"{x.name} ({x.kind})"
                                              for x in details.linked) or _("no record")
        self._show()
        self.loaded.emit(details)

    def _unknown(self, generation: int) -> None:
        if generation == self._generation:
            for name in ("owner", "linked"):
                self.values[name] = _("unknown (the server does not tell)")
            self._show()

    def open_in_crm(self) -> None:
        if self.record is not None:
            address = web_page(self.client, str(self.record.get("id", "")))
            if address and not QDesktopServices.openUrl(QUrl(address)):
                self.warned.emit(_("No web browser could be started to show the document "
                                   "in the CRM. Its page is: {address}").format(
                                       address=address))
