"""The questions of an upload: confirm the drop (and link it to a customer), and what to
do with a file whose name is already in the folder. Both are opened, not exec'd: the
upload flow (uploads.py) goes on when they finish, and they are deleted after use."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kafdocs.api import Client
from kafdocs.i18n import _, ngettext
from kafdocs.transfer.upload import OnDuplicate

from .formatting import bytes_text
from .record_picker import RecordPicker
from .tasks import TaskRunner


class UploadDialog(QDialog):
    """Confirms a drop and lets the user file it on a customer in the same gesture."""

    def __init__(self, client: Client, tasks: TaskRunner, folder_name: str, count: int,
                 size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Upload documents"))
        self.setMinimumWidth(440)
        summary = QLabel(ngettext("Upload {count} file ({size}) to the folder “{folder}”.",
                                  "Upload {count} files ({size}) to the folder “{folder}”.",
                                  count).format(count=count, size=bytes_text(size),
                                                folder=folder_name))
        summary.setWordWrap(True)
        self.picker = RecordPicker(client, tasks)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Upload"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(QLabel(_("Also link to a CRM record (optional):")))
        layout.addWidget(self.picker)
        layout.addWidget(buttons)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setFocus()

    @property
    def link_to(self) -> str | None:
        return self.picker.record_id or None


class DuplicateDialog(QDialog):
    """Asked when a dropped file's name is already in the folder; may apply to all."""

    def __init__(self, file_name: str, others: int, can_replace: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("File already in the folder"))
        text = QLabel(_("A document with the file name “{name}” is already in this folder.")
                      .format(name=file_name))
        text.setWordWrap(True)
        self.group = QButtonGroup(self)
        row = QHBoxLayout()
        choices = [(OnDuplicate.KEEP, _("Keep both")),
                   (OnDuplicate.REPLACE, _("Replace")),
                   (OnDuplicate.SKIP, _("Skip"))]
        self.choice_buttons: dict[OnDuplicate, QRadioButton] = {}
        for policy, label in choices:
            button = QRadioButton(label)
            button.setEnabled(policy is not OnDuplicate.REPLACE or can_replace)
            self.group.addButton(button)
            self.choice_buttons[policy] = button
            row.addWidget(button)
        self.choice_buttons[OnDuplicate.KEEP].setChecked(True)
        self.apply_all = QCheckBox(ngettext("Do the same for the other conflict",
                                            "Do the same for the {count} other conflicts",
                                            others).format(count=others))
        self.apply_all.setChecked(True)
        self.apply_all.setVisible(others > 0)
        ok = QPushButton(_("Continue"))
        ok.setDefault(True)
        ok.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(row)
        layout.addWidget(self.apply_all)
        layout.addWidget(ok)

    @property
    def policy(self) -> OnDuplicate:
        return next(p for p, b in self.choice_buttons.items() if b.isChecked())
