"""Dropping onto the window: what a dropped folder sends, and seeing where it lands."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QMimeData, Qt, QUrl
from PySide6.QtGui import QDrag, QDragLeaveEvent, QDragMoveEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog

from kafdocs.gui import upload_dialogs
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.models import RECORD_ROLE
from kafdocs.transfer import FINAL_EVENTS, JobEvent, TransferService
from tests.gui.conftest import select_folder
from tests.gui.test_mainwindow import drop_files


def test_a_dropped_folder_is_listed_first_and_sends_no_hidden_file_nor_outside_link(
        qtbot, window: MainWindow, tmp_path: Path, monkeypatch, gui_client) -> None:
    shown: list[tuple[list[list[str]], str, str]] = []

    def look_then_accept(dialog) -> None:  # read before it goes (deleted once answered)
        files = dialog.file_list
        shown.append(([[files.topLevelItem(n).text(c) for c in range(3)]
                       for n in range(files.topLevelItemCount())],
                      dialog.subfolder_note.text(), dialog.left_out_note.text()))
        dialog.done(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(upload_dialogs.UploadDialog, "open", look_then_accept)
    (tmp_path / "passwd").write_text("root:x:0:0")
    dropped = tmp_path / "Chantier Dupré"
    (dropped / "photos").mkdir(parents=True)
    (dropped / "a.txt").write_text("compte rendu")
    (dropped / "photos" / "a.txt").write_text("légendes")
    (dropped / ".cache-secret").write_text("token")
    (dropped / "secret").symlink_to(tmp_path / "passwd")
    select_folder(qtbot, window, "Ressources humaines")
    drop_files(window.table, [dropped])
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=10_000)
    ((rows, subfolder_note, left_out_note),) = shown
    assert [(name, sub) for name, _size, sub in rows] == [("a.txt", ""), ("a.txt", "photos")]
    assert rows[0][1] == "12 bytes"
    assert subfolder_note == (
        "Files of subfolders are filed in “Ressources humaines” too; their title starts "
        "with their subfolder, for example “photos/a”.")
    assert left_out_note == (
        "Not sent (2 items):\n• .cache-secret — hidden file\n"
        "• secret — a link to somewhere outside the dropped folder")
    qtbot.waitUntil(lambda: len(window.queue.jobs) == 2 and all(
        j.state.final for j in window.queue.jobs.values()), timeout=15_000)
    folder = window.current_folder().id
    titles = {r["notes_title"] for r in gui_client.query(
        f"SELECT notes_title FROM Documents WHERE folderid = '{folder}';")}
    assert {"a", "photos/a"} <= titles and "passwd" not in titles


@pytest.fixture
def in_process(qtbot, window_factory, gui_client) -> MainWindow:
    window = window_factory(TransferService(gui_client))
    select_folder(qtbot, window, "Contrats")
    return window


class Drags:
    """QDrag.exec, answered at once as if dropped nowhere; what each drag carried."""

    def __init__(self, monkeypatch) -> None:
        self.carried: list[QMimeData] = []
        monkeypatch.setattr(QDrag, "exec", lambda drag, *args: self(drag, *args))

    def __call__(self, drag: QDrag, *args) -> Qt.DropAction:
        self.carried.append(drag.mimeData())
        return Qt.DropAction.IgnoreAction


def rows_of(win: MainWindow, predicate) -> list[int]:
    return [r for r in range(win.documents.rowCount())
            if predicate(win.documents.index(r, 0).data(RECORD_ROLE))]


def test_small_documents_are_fetched_when_selected_so_the_first_drag_carries_them(
        qtbot, in_process: MainWindow, monkeypatch) -> None:
    win = in_process
    drags = Drags(monkeypatch)
    first, second = rows_of(win, lambda r: bool(r.get("imageattachmentids")))[:2]
    selection = win.table.selectionModel()
    win.table.selectRow(first)
    selection.select(win.documents.index(second, 0), QItemSelectionModel.SelectionFlag.Select
                     | QItemSelectionModel.SelectionFlag.Rows)
    records = win.selected_records()
    qtbot.waitUntil(lambda: all(win.cache.cached(r) for r in records), timeout=15_000)
    assert win.transfers.rowCount() == 0  # fetched quietly: no rows, no "finished" line
    assert "Transfers finished" not in win.statusBar().currentMessage()
    win.table.startDrag(Qt.DropAction.CopyAction)  # the first drag
    (mime,) = drags.carried
    assert sorted(Path(u.toLocalFile()).name for u in mime.urls()) == sorted(
        r["filename"] for r in records)


def test_a_document_fetched_ahead_that_cannot_be_fetched_says_nothing_and_is_forgotten(
        qtbot, in_process: MainWindow) -> None:
    win = in_process
    ended: list[JobEvent] = []
    win.queue.subscribe(lambda e: ended.append(e) if e.kind in FINAL_EVENTS else None)
    row = rows_of(win, lambda r: bool(r.get("imageattachmentids")))[0]
    source = win.documents.rows[row]
    source["imageattachmentids"] = "15x999999"  # its file replaced since it was listed
    win.table.selectRow(row)
    qtbot.waitUntil(lambda: bool(ended) and win.queue.jobs == {}, timeout=15_000)
    assert [e.kind for e in ended] == ["failed"]
    assert win.transfers.rowCount() == 0 and win.message_bar.messages == []
    assert win.statusBar().currentMessage() == ""


def test_a_web_link_in_the_selection_does_not_hold_back_the_others(
        qtbot, in_process: MainWindow, monkeypatch) -> None:
    win = in_process
    drags = Drags(monkeypatch)
    stored = rows_of(win, lambda r: bool(r.get("imageattachmentids")))[0]
    link = next(r for r in range(win.documents.rowCount()) if r != stored)
    source = win.documents.rows[link]
    source.update(filelocationtype="E", filename="https://www.example.com/offre")
    win.table.selectRow(stored)
    qtbot.waitUntil(lambda: win.cache.cached(win.selected_records()[0]) is not None,
                    timeout=15_000)
    win.table.selectionModel().select(win.documents.index(link, 0),
                                      QItemSelectionModel.SelectionFlag.Select
                                      | QItemSelectionModel.SelectionFlag.Rows)
    win.table.startDrag(Qt.DropAction.CopyAction)
    (mime,) = drags.carried
    stored_name = win.documents.index(stored, 0).data(RECORD_ROLE)["filename"]
    assert [Path(u.toLocalFile()).name for u in mime.urls()] == [stored_name]


def test_a_drag_never_changes_the_selection(qtbot, in_process: MainWindow,
                                            monkeypatch) -> None:
    win = in_process
    monkeypatch.setattr("kafdocs.gui.doccache.PREFETCH_BYTES", 0)  # nothing ready to drag
    drags = Drags(monkeypatch)
    win.show()
    win.table.selectRow(0)
    win.table.selectionModel().select(win.documents.index(1, 0),
                                      QItemSelectionModel.SelectionFlag.Select
                                      | QItemSelectionModel.SelectionFlag.Rows)
    before = win.selected_records()
    viewport = win.table.viewport()
    start = win.table.visualRect(win.documents.index(0, 1)).center()
    end = win.table.visualRect(win.documents.index(4, 1)).center()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     start)
    for step in range(1, 11):  # until a drag starts: then the system has the mouse
        QTest.mouseMove(viewport, start + (end - start) * step / 10)
        if drags.carried:
            break
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       end)
    assert len(drags.carried) == 1  # a drag started at once, of what was selected
    assert win.selected_records() == before  # was: extended to the rows moved over
    qtbot.waitUntil(lambda: "drag them again" in win.statusBar().currentMessage())
    qtbot.waitUntil(lambda: win.statusBar().currentMessage()  # the hint stayed until then
                    == "The files are ready: drag them out again.", timeout=15_000)


def drag_over(view, pos, leave: bool = False) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile("/tmp/scan.pdf")])
    if leave:
        view.dragLeaveEvent(QDragLeaveEvent())
        return
    event = QDragMoveEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                           Qt.KeyboardModifier.NoModifier)
    view.dragMoveEvent(event)
    assert event.isAccepted()


def test_the_folder_under_a_drag_is_highlighted(qtbot, window: MainWindow) -> None:
    view = window.folder_view
    row = window.folders.row_of(next(f.id for f in window.folders.folders
                                     if f.name == "Factures 2026"))
    rect = view.visualRect(window.folders.index(row))
    before = view.viewport().grab(rect).toImage()
    drag_over(view, rect.center())
    assert view.drop_row == row  # was: no sign of where the files would go
    marked = view.viewport().grab(rect).toImage()
    assert marked != before
    other = view.visualRect(window.folders.index(row + 1))
    drag_over(view, other.center())
    assert view.drop_row == row + 1
    drag_over(view, other.center(), leave=True)
    assert view.drop_row == -1 and view.viewport().grab(rect).toImage() == before
