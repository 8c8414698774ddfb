"""The questions of an upload: confirm the drop (and link it to a customer), what to do
with a file whose name is already in the folder, and whether a file becomes the new
version of a document. All are opened, not exec'd: the upload flow (uploads.py) goes on
when they finish, and they are deleted after use."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kafdocs.api import Client
from kafdocs.api.servertime import ServerZone
from kafdocs.i18n import _, ngettext
from kafdocs.transfer.crmrecords import CrmRecord
from kafdocs.transfer.folders import Folder
from kafdocs.transfer.paths import flattened_title
from kafdocs.transfer.upload import OnDuplicate

from .formatting import bytes_text, date_text, names_list, size_text
from .record_picker import RecordPicker
from .tasks import TaskRunner


class DroppedFile(NamedTuple):
    path: Path
    size: int
    subfolder: str  # the subfolder of a dropped folder it came from; "" otherwise


class UploadDialog(QDialog):
    """Confirms a drop and lets the user file it on a customer in the same gesture.

    A drop of several files or of a folder lists them (name, size, subfolder) before
    anything is sent, says what becomes of subfolders, and what was left out and why.
    """

    def __init__(self, client: Client, tasks: TaskRunner, folder_name: str, count: int,
                 size: int, parent: QWidget | None = None, *,
                 files: list[DroppedFile] | None = None,
                 left_out: list[tuple[Path, str]] | None = None) -> None:
        super().__init__(parent)
        files, left_out = files or [], left_out or []
        self.setWindowTitle(_("Upload documents"))
        self.setMinimumWidth(520)
        summary = QLabel(ngettext("Upload {count} file ({size}) to the folder “{folder}”.",
                                  "Upload {count} files ({size}) to the folder “{folder}”.",
                                  count).format(count=count, size=bytes_text(size),
                                                folder=folder_name))
        summary.setWordWrap(True)
        self.picker = RecordPicker(client, tasks)
        buttons = upload_buttons(self)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        self.file_list = self._file_list(files)
        layout.addWidget(self.file_list)
        self.file_list.setVisible(len(files) > 1 or any(f.subfolder for f in files))
        self.subfolder_note = QLabel()
        self.subfolder_note.setWordWrap(True)
        in_subfolder = next((f for f in files if f.subfolder), None)
        if in_subfolder is not None:
            self.subfolder_note.setText(_(
                "Files of subfolders are filed in “{folder}” too; their title starts with "
                "their subfolder, for example “{title}”.").format(
                folder=folder_name,
                title=flattened_title(in_subfolder.path, in_subfolder.subfolder)))
        self.subfolder_note.setVisible(in_subfolder is not None)
        layout.addWidget(self.subfolder_note)
        self.left_out_note = QLabel()
        self.left_out_note.setWordWrap(True)
        self.left_out_note.setTextFormat(Qt.TextFormat.PlainText)
        if left_out:
            self.left_out_note.setText(ngettext(
                "Not sent ({count} item):\n{names}", "Not sent ({count} items):\n{names}",
                len(left_out)).format(count=len(left_out), names=names_list(
                    [_("{name} — {reason}").format(name=path.name, reason=reason)
                     for path, reason in left_out])))
        self.left_out_note.setVisible(bool(left_out))
        layout.addWidget(self.left_out_note)
        layout.addWidget(QLabel(_("Also link to a CRM record (optional):")))
        layout.addWidget(self.picker)
        layout.addWidget(buttons)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setFocus()

    @property
    def link_to(self) -> str | None:
        return self.picker.record_id or None

    @staticmethod
    def _file_list(files: list[DroppedFile]) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setAccessibleName(_("Files to upload"))
        tree.setRootIsDecorated(False)
        tree.setHeaderLabels([_("Name"), _("Size"), _("Subfolder")])
        tree.setMaximumHeight(180)
        for dropped in files:
            item = QTreeWidgetItem([dropped.path.name, size_text(dropped.size),
                                    dropped.subfolder])
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            tree.addTopLevelItem(item)
        tree.header().setStretchLastSection(True)
        tree.setColumnWidth(0, 240)
        tree.setColumnWidth(1, 80)
        return tree


class RecordUploadDialog(QDialog):
    """Files dropped on a record: which folder to file them in (the last one used
    first); they will be linked to the record."""

    def __init__(self, record: CrmRecord, folders: list[Folder], folder_id: str,
                 count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("File and link documents"))
        self.setMinimumWidth(440)
        summary = QLabel(ngettext(
            "File {count} dropped item and link it to {record} ({kind}).",
            "File {count} dropped items and link them to {record} ({kind}).",
            count).format(count=count, record=record.name, kind=record.kind))
        summary.setWordWrap(True)
        self.folder = QComboBox()
        self.folder.setAccessibleName(_("Folder to file in"))
        for folder in folders:
            self.folder.addItem(folder.name, folder.id)
        self.folder.setCurrentIndex(max(0, self.folder.findData(folder_id)))
        buttons = upload_buttons(self)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(QLabel(_("In the folder:")))
        layout.addWidget(self.folder)
        layout.addWidget(buttons)
        self.folders = {f.id: f for f in folders}

    @property
    def chosen(self) -> Folder | None:
        return self.folders.get(self.folder.currentData())


def document_line(record: dict[str, Any], zone: ServerZone) -> str:
    """One document as a person recognises it: title, number, size, last change."""
    return _("“{title}” — {number}, {size}, modified {date}").format(
        title=record.get("notes_title") or record.get("filename") or record.get("id"),
        number=record.get("note_no") or record.get("id"), size=size_text(record.get("filesize")),
        date=date_text(record.get("modifiedtime"), zone))


class DuplicateDialog(QDialog):
    """Asked when a dropped file's name is already in the folder; may apply to all.

    It shows the documents that have the name: "Replace" makes the file a new version
    of exactly the one the user sees selected (they pick it when there are several).
    Cancel, Escape or closing the window cancel the whole drop: nothing is sent.
    """

    def __init__(self, file_name: str, documents: list[dict[str, Any]], keep_as: str,
                 others: int, can_replace: bool, zone: ServerZone,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.documents = documents
        self.setWindowTitle(_("File already in the folder"))
        self.setMinimumWidth(520)
        text = QLabel(ngettext("A document with the file name “{name}” is already in this "
                               "folder:",
                               "{count} documents with the file name “{name}” are already in "
                               "this folder:", len(documents)).format(name=file_name,
                                                                      count=len(documents)))
        text.setWordWrap(True)
        self.listing = QListWidget()
        for record in documents:
            self.listing.addItem(QListWidgetItem(document_line(record, zone)))
        self.listing.setMaximumHeight(24 + 22 * min(len(documents), 5))
        if len(documents) == 1:
            self.listing.setCurrentRow(0)
        self.group = QButtonGroup(self)
        choices = [(OnDuplicate.KEEP, _("Keep both (the new one as “{name}”)").format(
                        name=keep_as)),
                   (OnDuplicate.REPLACE, _("Replace: send it as a new version of the "
                                           "document selected above")),
                   (OnDuplicate.SKIP, _("Skip this file"))]
        self.choice_buttons: dict[OnDuplicate, QRadioButton] = {}
        column = QVBoxLayout()
        for policy, label in choices:
            button = QRadioButton(label)
            button.setEnabled(policy is not OnDuplicate.REPLACE or can_replace)
            self.group.addButton(button)
            self.choice_buttons[policy] = button
            column.addWidget(button)
        self.choice_buttons[OnDuplicate.KEEP].setChecked(True)
        self.apply_all = QCheckBox(ngettext("Do the same for the other conflict",
                                            "Do the same for the {count} other conflicts",
                                            others).format(count=others))
        self.apply_all.setChecked(True)
        self.apply_all.setVisible(others > 0)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Continue"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            _("Cancel the upload"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.group.buttonToggled.connect(self._update)
        self.listing.itemSelectionChanged.connect(self._update)
        self.listing.itemClicked.connect(self._document_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.listing)
        layout.addLayout(column)
        layout.addWidget(self.apply_all)
        layout.addWidget(self.buttons)
        self._update()

    def _document_clicked(self) -> None:
        """Clicking a document means "that one gets the new version"."""
        replace = self.choice_buttons[OnDuplicate.REPLACE]
        if replace.isEnabled():
            replace.setChecked(True)

    def _update(self) -> None:
        """Replace needs a document chosen: Continue waits for it."""
        ready = self.policy is not OnDuplicate.REPLACE or self.replace_id is not None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ready)

    @property
    def policy(self) -> OnDuplicate:
        return next(p for p, b in self.choice_buttons.items() if b.isChecked())

    @property
    def replace_id(self) -> str | None:
        """The document the user chose to receive the new version."""
        rows = [index.row() for index in self.listing.selectedIndexes()]
        return str(self.documents[rows[0]]["id"]) if rows else None


class NewVersionDialog(QDialog):
    """Confirms that a local file becomes the new version of one document.

    ``offer_new_document``: the file was dropped on the document's row, so filing it as a
    document of its own is offered too (``choice`` is then ``NEW_DOCUMENT``).
    """

    NEW_VERSION, NEW_DOCUMENT = "version", "document"

    def __init__(self, file_name: str, size: int, record: dict[str, Any], zone: ServerZone,
                 offer_new_document: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = ""
        self.setWindowTitle(_("Upload a new version"))
        self.setMinimumWidth(520)
        text = QLabel(_("Send “{file}” ({size}) as the new version of this document?")
                      .format(file=file_name, size=bytes_text(size)))
        text.setWordWrap(True)
        document = QLabel(document_line(record, zone))
        document.setWordWrap(True)
        document.setTextFormat(Qt.TextFormat.PlainText)
        note = QLabel(_("The document keeps its number, folder, title, description and "
                        "links; its current file “{current}” is replaced in the CRM.")
                      .format(current=record.get("filename") or "-"))
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        version = self.buttons.addButton(_("Upload new version"),
                                         QDialogButtonBox.ButtonRole.AcceptRole)
        version.clicked.connect(lambda: self._chosen(self.NEW_VERSION))
        if offer_new_document:
            separate = self.buttons.addButton(_("Add as a new document"),
                                              QDialogButtonBox.ButtonRole.ActionRole)
            separate.clicked.connect(lambda: self._chosen(self.NEW_DOCUMENT))
        self.buttons.rejected.connect(self.reject)
        version.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(document)
        layout.addWidget(note)
        layout.addWidget(self.buttons)

    def _chosen(self, choice: str) -> None:
        self.choice = choice
        self.accept()


def upload_buttons(dialog: QDialog) -> QDialogButtonBox:
    """Upload and Cancel, answering the dialog."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Upload"))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons
