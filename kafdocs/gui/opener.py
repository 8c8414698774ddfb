"""Opening a local copy with the user's application — and what to offer when there is
none for its type: show the file in its folder, or save it where the user wants.

Whether an application exists is asked of the desktop (``xdg-mime``, else ``gio``, on
Linux) off the GUI thread; elsewhere the launcher itself says when it failed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QMimeDatabase, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from kafdocs.i18n import _

ASK_SECONDS = 3


def can_open(path: Path) -> bool | None:
    """Whether the desktop has an application for ``path``'s type (process work: not on
    the GUI thread); None when it cannot tell."""
    if not sys.platform.startswith("linux"):
        return None
    mime = QMimeDatabase().mimeTypeForFile(str(path))
    types = [mime.name(), *mime.allAncestors()]
    for command in (["xdg-mime", "query", "default"], ["gio", "mime"]):
        if shutil.which(command[0]) is None:
            continue
        try:
            return any(_default_for(command, kind) for kind in types)
        except (OSError, subprocess.SubprocessError):
            return None
    return None


def _default_for(command: list[str], kind: str) -> bool:
    done = subprocess.run([*command, kind], capture_output=True, text=True,
                          timeout=ASK_SECONDS, check=False)
    answer = done.stdout.strip()
    if command[0] == "gio":  # "Default application for “x”: app.desktop" / "No default…"
        return done.returncode == 0 and answer.startswith("Default application")
    return done.returncode == 0 and answer.endswith(".desktop")


def launch(path: Path) -> bool:
    """Open ``path`` with its application; False when none could be started."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def show_in_folder(path: Path) -> bool:
    """The file manager at the file (selected where the platform allows it); False
    when none could be started."""
    try:
        if sys.platform == "win32":
            subprocess.Popen(["explorer", "/select,", str(path)])
        elif sys.platform == "darwin":
            subprocess.Popen(["open", "-R", str(path)])
        else:
            return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))
    except OSError:
        return False
    return True


class NoApplicationBox(QMessageBox):
    """Said when no application opens the file: what it is, and what can be done."""

    def __init__(self, path: Path, title: str, parent: QWidget | None = None) -> None:
        kind = QMimeDatabase().mimeTypeForFile(str(path)).comment() or path.suffix
        super().__init__(QMessageBox.Icon.Information, _("No application for this file"),
                         _("No application on this computer opens “{name}” ({kind}), the "
                           "document “{title}”.\n\nYou can show the file in its folder, or "
                           "save a copy where you want it, to open it another way.").format(
                             name=path.name, kind=kind, title=title),
                         QMessageBox.StandardButton.Close, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # names are data, not markup
        self.show_button: QPushButton = self.addButton(_("Show in folder"),
                                                       QMessageBox.ButtonRole.ActionRole)
        self.save_button: QPushButton = self.addButton(_("Save as…"),
                                                       QMessageBox.ButtonRole.ActionRole)
        self.setDefaultButton(self.save_button)
