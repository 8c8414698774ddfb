"""Listing a folder as a user sees it: how much is loaded, End, a refresh that fails,
errors that stay until dismissed, what a folder download found."""

from __future__ import annotations

import socket
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.models import RECORD_ROLE
from kafdocs.sandbox.schema import DOCUMENTS
from tests.gui.conftest import select_folder


def dead_endpoint() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/webservice.php"


def test_a_large_folder_says_how_much_is_loaded_and_end_loads_the_rest(
        qtbot, sandbox, window_factory) -> None:
    for n in range(340):
        sandbox.server.store.insert(DOCUMENTS, {
            "notes_title": f"Relevé {n:04d}", "folderid": "22x1", "filestatus": "1",
            "assigned_user_id": "19x1", "filesize": "10", "filename": f"r{n}.pdf"})
    window: MainWindow = window_factory()
    select_folder(qtbot, window, "Default")
    assert window.count_label.text() == "100 of 341 loaded"
    window.table.setFocus()
    window.table.selectRow(0)
    QTest.keyClick(window.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.count_label.text() == "341 documents", timeout=10_000)
    last = window.table.currentIndex()
    assert last.row() == 340 and window.table.selectionModel().isRowSelected(340)
    assert window.table.viewport().rect().intersects(window.table.visualRect(last))
    assert len(window.table.selected_records()) == 1


def test_a_refresh_with_the_server_down_keeps_the_listing_and_says_so_once(
        qtbot, window: MainWindow) -> None:
    select_folder(qtbot, window, "Contrats")
    assert window.tasks.wait(10_000)  # what the window asks at start (its rights) is in
    shown = [r["id"] for r in window.documents.rows]
    alive = window.client.endpoint
    window.client.endpoint = dead_endpoint()
    window.refresh_action.trigger()  # F5: folders and documents both fail
    qtbot.waitUntil(lambda: window.message_bar.isVisible(), timeout=10_000)
    window.tasks.wait(10_000)  # both failures arrived
    qtbot.waitUntil(lambda: not window.documents.loading)
    assert [r["id"] for r in window.documents.rows] == shown  # was: an empty table
    assert window.folders.rowCount() == 6 and window.folder_title.text() == "Contrats"
    assert len(window.message_bar.messages) == 1, window.message_bar.messages
    (said,) = window.message_bar.messages  # was: twice, for 10 s, cut by "Signed in as"
    assert said.startswith("Could not reach http://127.0.0.1")
    assert window.message_bar.text.text() == said
    window.client.endpoint = alive
    window.message_bar.close_button.click()
    assert not window.message_bar.isVisible() and window.message_bar.messages == []
    window.refresh_action.trigger()
    qtbot.waitUntil(lambda: window.documents.total == len(shown) and not window.documents.loading)
    assert not window.message_bar.isVisible(), window.message_bar.messages


def test_a_folder_download_says_what_it_found_and_a_rerun_that_it_is_up_to_date(
        qtbot, window: MainWindow, tmp_path: Path) -> None:
    folder = next(f for f in window.folders.folders if f.name == "Fiches produits")
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    with qtbot.waitSignal(window.transfers.batch_finished, timeout=15_000):
        window.start_folder_download(folder, tmp_path)
        assert said == ["Listing “Fiches produits”…"]
    assert "“Fiches produits”: 3 documents to download, 0 already up to date." in said
    assert "Listing" not in window.statusBar().currentMessage()  # was: for 5 s, whatever
    details = {window.transfers.index(r, 6).data() for r in range(3)}
    assert all(d.startswith(f"saved as {tmp_path / 'Fiches produits'}") for d in details)
    window.start_folder_download(folder, tmp_path)
    qtbot.waitUntil(lambda: "Listing" not in window.statusBar().currentMessage(),
                    timeout=15_000)
    assert window.statusBar().currentMessage() == (
        "“Fiches produits” is already up to date: nothing to download.")


def test_a_refresh_keeps_the_documents_selected(qtbot, window: MainWindow) -> None:
    """A finished upload (or F5) lists the folder again: what the user selected, and
    reads in the preview, stays selected instead of vanishing under the mouse."""
    select_folder(qtbot, window, "Contrats")
    window.table.selectRow(1)
    window.table.selectionModel().select(
        window.documents.index(3, 0),
        window.table.selectionModel().SelectionFlag.Select
        | window.table.selectionModel().SelectionFlag.Rows)
    chosen = [r["id"] for r in window.table.selected_records()]
    assert len(chosen) == 2
    with qtbot.waitSignal(window.documents.modelReset, timeout=10_000):
        window.refresh_documents()
    qtbot.waitUntil(lambda: not window.documents.loading, timeout=10_000)
    assert [r["id"] for r in window.table.selected_records()] == chosen
    assert window.table.currentIndex().data(RECORD_ROLE)["id"] == chosen[0]
