"""File → Watched folders…: the list, its editor, and the settings it is kept in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from kafdocs.gui.settings import Settings
from kafdocs.gui.watched import (
    WatchedFolder,
    WatchedFolderEditor,
    WatchedFoldersDialog,
    load_watched,
    save_watched,
)
from kafdocs.transfer.folders import Folder
from kafdocs.transfer.watch import AfterFiling, WatchSettings

FOLDERS = [Folder("22x1", "Default"), Folder("22x7", "Factures fournisseurs")]


def press_ok(dialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()


def test_adding_a_watched_folder_through_its_editor(qtbot, tmp_path: Path) -> None:
    dialog = WatchedFoldersDialog([], FOLDERS)
    qtbot.addWidget(dialog)
    dialog.add_button.click()
    editor = dialog.findChild(WatchedFolderEditor)
    editor.directory.setText(str(tmp_path))
    editor.folder.setCurrentIndex(1)
    editor.link.setText("11x42")
    editor.after.setCurrentIndex(editor.after.findData("keep"))
    press_ok(editor)
    assert dialog.watched == [WatchedFolder(str(tmp_path), "22x7", "Factures fournisseurs",
                                            link_to="11x42", after="keep")]
    assert dialog.table.item(0, 1).text() == "Factures fournisseurs"
    assert dialog.table.item(0, 3).text() == "Keep in place"


def test_the_editor_says_what_is_missing_instead_of_closing(qtbot) -> None:
    editor = WatchedFolderEditor(None, FOLDERS)
    qtbot.addWidget(editor)
    press_ok(editor)
    assert editor.problem.text() == "Choose the folder to watch."
    editor.directory.setText("/somewhere")
    editor.link.setText("Dupont")
    press_ok(editor)
    assert editor.problem.text().startswith("A record id looks like 11x42")
    assert not editor.result()


def test_unticking_pauses_a_folder_and_remove_forgets_it(qtbot) -> None:
    watched = [WatchedFolder("/a", "22x1", "Default"), WatchedFolder("/b", "22x1", "Default")]
    dialog = WatchedFoldersDialog(watched, FOLDERS)
    qtbot.addWidget(dialog)
    dialog.table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert [w.enabled for w in dialog.watched] == [False, True]
    dialog.table.selectRow(1)
    dialog.remove_button.click()
    assert [w.directory for w in dialog.watched] == ["/a"]


def test_watched_folders_are_kept_in_the_settings(settings: Settings, tmp_path: Path) -> None:
    entry = WatchedFolder(str(tmp_path), "22x7", "Factures", link_to="11x42",
                          after="delete", recursive=True)
    save_watched(settings, [entry])
    assert load_watched(settings) == [entry]
    assert entry.watch_settings() == WatchSettings(tmp_path, "22x7", "11x42",
                                                   AfterFiling.DELETE, True)
    settings.set("watch/folders", '[{"directory": "/x"}, "damaged"]')
    assert load_watched(settings) == []
