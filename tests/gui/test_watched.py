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


def test_adding_a_watched_folder_through_its_editor(qtbot, gui_client, tasks,
                                                    tmp_path: Path) -> None:
    dialog = WatchedFoldersDialog([], FOLDERS, gui_client, tasks)
    qtbot.addWidget(dialog)
    dialog.add_button.click()
    editor = dialog.findChild(WatchedFolderEditor)
    editor.directory.setText(str(tmp_path))
    editor.folder.setCurrentIndex(1)
    editor.link.search.setText("Boulangerie")  # found by name, off the GUI thread
    qtbot.waitUntil(lambda: editor.link.results.count() == 1, timeout=10_000)
    editor.link.results.item(0).setSelected(True)
    editor.after.setCurrentIndex(editor.after.findData("keep"))
    press_ok(editor)
    assert dialog.watched == [WatchedFolder(str(tmp_path), "22x7", "Factures fournisseurs",
                                            link_to="11x42", link_label="Boulangerie Dupré",
                                            after="keep")]
    assert [dialog.table.item(0, c).text() for c in (1, 2, 3)] == [
        "Factures fournisseurs", "Boulangerie Dupré", "Keep in place"]


def test_the_editor_says_what_is_missing_instead_of_closing(qtbot, gui_client, tasks) -> None:
    editor = WatchedFolderEditor(None, FOLDERS, gui_client, tasks)
    qtbot.addWidget(editor)
    press_ok(editor)
    assert editor.problem.text() == "Choose the folder to watch."
    assert not editor.result()


def test_a_link_can_be_removed_in_the_editor(qtbot, gui_client, tasks) -> None:
    entry = WatchedFolder("/scans", "22x1", "Default", link_to="11x42",
                          link_label="Boulangerie Dupré")
    editor = WatchedFolderEditor(entry, FOLDERS, gui_client, tasks)
    qtbot.addWidget(editor)
    assert editor.link.chosen.text() == "Will be linked to: Boulangerie Dupré"
    editor.link.unlink.click()
    assert (editor.entry().link_to, editor.entry().link_label) == ("", "")


def test_unticking_pauses_a_folder_and_remove_forgets_it(qtbot, gui_client, tasks) -> None:
    watched = [WatchedFolder("/a", "22x1", "Default"), WatchedFolder("/b", "22x1", "Default")]
    dialog = WatchedFoldersDialog(watched, FOLDERS, gui_client, tasks)
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


# -- in the window, against the demo sandbox ----------------------------------------------
def set_up_watched_folder(qtbot, window, directory: Path, folder: str) -> None:
    """As a user does it: File → Watched folders…, Add…, fill in, OK, OK."""
    window.watched_action.trigger()
    dialog = window.findChild(WatchedFoldersDialog)
    dialog.add_button.click()
    editor = dialog.findChild(WatchedFolderEditor)
    editor.directory.setText(str(directory))
    editor.folder.setCurrentIndex(editor.folder.findText(folder))
    press_ok(editor)
    press_ok(dialog)


def filed_rows(window, name: str) -> list:
    return [r for r in window.transfers.rows
            if r.record.label == name and r.record.state.value == "finished"]


def test_a_folder_watched_in_the_app_files_a_new_file_shown_in_the_transfer_panel(
        qtbot, window, tmp_path: Path) -> None:
    inbox = tmp_path / "Scans"
    inbox.mkdir()
    set_up_watched_folder(qtbot, window, inbox, "Contrats")
    assert [(w.directory, w.folder_name) for w in load_watched(window.settings)] == [
        (str(inbox), "Contrats")]
    (inbox / "avenant signé.pdf").write_bytes(b"%PDF-1.4 avenant")
    qtbot.waitUntil(lambda: bool(filed_rows(window, "avenant signé.pdf")), timeout=30_000)
    assert (inbox / "Filed" / "avenant signé.pdf").exists()


def test_closing_while_watching_keeps_watching_in_the_background(
        qtbot, window, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMessageBox

    inbox = tmp_path / "Exports"
    inbox.mkdir()
    set_up_watched_folder(qtbot, window, inbox, "Contrats")
    window.close()
    question = window.findChild(QMessageBox)
    assert question.windowTitle() == "Folders are being watched"
    keep = next(b for b in question.buttons() if b.text() == "Keep watching")
    keep.click()
    assert window.isMinimized() or not window.isVisible()  # no tray offscreen: minimised
    (inbox / "relevé.csv").write_bytes(b"a;b\n")
    qtbot.waitUntil(lambda: bool(filed_rows(window, "relevé.csv")), timeout=30_000)
    window.watched.quit()  # "Stop watching and quit"
    assert not window.isVisible()


def test_a_failure_in_a_watched_folder_is_notified(qtbot, window) -> None:
    from kafdocs.gui.watched import WatchedFolders
    from kafdocs.transfer.watch import WatchEvent

    told: list[str] = []
    watched = WatchedFolders(window, window.client, window.queue, window.settings,
                             window.tasks, told.append)
    watched.news.emit(WatchEvent("failed", "scan.pdf", "/scans",
                                 reason="File too large for this server"))
    watched.news.emit(WatchEvent("filed", "ok.pdf", "/scans", number="DOC3"))
    assert told == ["scan.pdf could not be filed: File too large for this server. "
                    "It was moved into “Failed”."]


def test_the_upload_prompt_links_to_the_record_picked_by_name(qtbot, gui_client, tasks) -> None:
    from kafdocs.gui.upload_dialogs import UploadDialog

    dialog = UploadDialog(gui_client, tasks, "Contrats", 1, 2048)
    qtbot.addWidget(dialog)
    assert dialog.link_to is None
    dialog.picker.search.setText("Dupré")  # the account and its two contacts
    qtbot.waitUntil(lambda: dialog.picker.results.count() == 3, timeout=10_000)
    dialog.picker.results.item(0).setSelected(True)
    assert dialog.link_to == "11x42"
    dialog.picker.unlink.click()
    assert dialog.link_to is None
