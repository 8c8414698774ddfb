"""Help → About: what a support person asks first, in one text the user can copy."""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kafdocs import __version__, logfile
from kafdocs.api import Client, instance_url
from kafdocs.i18n import _


def about_text(client: Client) -> str:
    """Versions of everything involved, the server and where the log is; no secret."""
    result = client.login_result
    log = logfile.current()
    rows = [
        (_("kafdocs version"), __version__),
        (_("Server"), instance_url(client.endpoint)),
        (_("Server version"), client.server_version or _("not told by the server")),
        (_("Webservice API version"), str(result.get("version") or _("not told by the server"))),
        (_("Signed in as"), client.username),
        (_("Qt version"), f"{qVersion()} (PySide6 {PySide6.__version__})"),
        (_("Python version"), platform.python_version()),
        (_("System"), platform.platform()),
        (_("Log file"), str(log) if log else _("none (the log folder cannot be written)")),
    ]
    return "\n".join(_("{label}: {value}").format(label=label, value=value)  # FR: " : "
                     for label, value in rows)


class AboutDialog(QDialog):
    def __init__(self, client: Client, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("About kafdocs"))
        self.setMinimumWidth(560)
        title = QLabel(_("kafdocs {version} — the documents of your Kafinea CRM on your "
                         "desktop.").format(version=__version__))
        title.setWordWrap(True)
        self.details = QPlainTextEdit(about_text(client))
        self.details.setReadOnly(True)
        self.details.setMinimumHeight(self.details.fontMetrics().lineSpacing() * 11)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(_("Copy to clipboard"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.details)
        layout.addWidget(buttons)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())
        self.copy_button.setText(_("Copied"))
