"""The Records section against the sandbox: find a record, its documents, drop files
on it, drag documents onto it, a product's pictures."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialog

from kafdocs.gui import records as records_module
from kafdocs.gui import upload_dialogs
from kafdocs.gui.drops import documents_mime
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.records import RECORD_ROLE
from kafdocs.sandbox.demo import png
from kafdocs.transfer import JobState
from kafdocs.transfer.crmrecords import record_documents
from tests.gui.conftest import select_folder
from tests.gui.test_mainwindow import drop_files

BAKERY, OVEN = "11x42", "14x60"


def find(qtbot, win: MainWindow, text: str, count: int) -> None:
    win.records.field.setText(text)
    qtbot.waitUntil(lambda: win.records.results.count() == count, timeout=10_000)


def row_of(win: MainWindow, record_id: str) -> int:
    results = win.records.results
    return next(r for r in range(results.count())
                if results.item(r).data(RECORD_ROLE).id == record_id)


def choose(qtbot, win: MainWindow, record_id: str) -> None:
    win.records.results.setCurrentRow(row_of(win, record_id))
    qtbot.waitUntil(lambda: not win.documents._loading and win.documents.source is not None
                    and getattr(win.documents.source, "record_id", "") == record_id, timeout=10_000)


def at_row(win: MainWindow, record_id: str) -> QPoint:
    results = win.records.results
    return results.visualItemRect(results.item(row_of(win, record_id))).center()


def test_record_search_tells_the_kind_and_the_homonyms_apart(qtbot, window: MainWindow,
                                                             monkeypatch) -> None:
    asked: list[str] = []
    search = records_module.search_records
    monkeypatch.setattr(records_module, "search_records",
                        lambda client, text: asked.append(text) or search(client, text))
    for typed in ("d", "du", "dup", "dupre"):  # typing: one search, once it stops
        window.records.field.setText(typed)
    qtbot.waitUntil(lambda: window.records.results.count() == 3, timeout=10_000)
    assert asked == ["dupre"]
    texts = [window.records.results.item(r).text() for r in range(3)]
    assert "Boulangerie Dupré\nAccount · Lyon" in texts
    assert "Amélie Dupré\nContact · Lyon · amelie.dupre@dupre.fr · Boulangerie Dupré" in texts
    assert not window.records.results.item(0).icon().isNull()
    window.records.field.setText("zzz nobody")
    qtbot.waitUntil(lambda: "No account, contact or product matches"
                    in window.records.status.text(), timeout=10_000)


def test_a_record_shows_its_documents_in_the_table_and_says_unlinking_is_not_possible(
        qtbot, window: MainWindow, gui_client) -> None:
    find(qtbot, window, "Boulangerie", 1)
    choose(qtbot, window, BAKERY)
    expected = {r["id"] for r in record_documents(gui_client, BAKERY)}
    assert expected and {r["id"] for r in window.documents.rows} == expected
    assert window.folder_title.text() == "Boulangerie Dupré — Account"
    assert not window.record_bar.unlink.isEnabled()
    assert "cannot remove a link" in window.record_bar.unlink.toolTip()
    assert not window.record_bar.pictures.isVisible()  # an account has no pictures
    select_folder(qtbot, window, "Factures 2026")  # back to the folders
    assert window.record is None and not window.record_bar.isVisible()
    assert window.documents.rowCount() == 9


def test_files_dropped_on_a_record_are_filed_in_the_chosen_folder_and_linked(
        qtbot, window: MainWindow, settings, gui_client, tmp_path: Path,
        monkeypatch) -> None:
    contracts = next(f for f in window.folders.folders if f.name == "Contrats")
    settings.set("records/last_folder", contracts.id)
    asked: list[tuple[type, object]] = []

    def accept(dialog: QDialog) -> None:
        asked.append((type(dialog), getattr(dialog, "chosen", None)))
        dialog.done(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(upload_dialogs.RecordUploadDialog, "open", accept)
    monkeypatch.setattr(upload_dialogs.UploadDialog, "open", accept)
    find(qtbot, window, "Boulangerie", 1)
    scan = tmp_path / "Kbis boulangerie.pdf"
    scan.write_bytes(b"%PDF-1.4 " + os.urandom(500))
    drop_files(window.records.results, [scan], at_row(window, BAKERY))
    qtbot.waitUntil(lambda: any(j.state is JobState.DONE for j in window.queue.jobs.values()),
                    timeout=15_000)
    (job,) = window.queue.jobs.values()
    # the folder was asked once, the last one used chosen first; nothing else was asked
    assert asked == [(upload_dialogs.RecordUploadDialog, contracts)]
    assert job.meta["doc_id"] in {r["id"] for r in record_documents(gui_client, BAKERY)}
    assert gui_client.retrieve(job.meta["doc_id"])["folderid"] == contracts.id


def test_dragging_documents_onto_a_record_links_them_without_uploading(
        qtbot, window: MainWindow, gui_client) -> None:
    select_folder(qtbot, window, "Factures 2026")
    before = {r["id"] for r in record_documents(gui_client, BAKERY)}
    dragged = [r for r in window.documents.rows if r["id"] not in before][:2]
    find(qtbot, window, "Boulangerie", 1)
    mime = documents_mime(dragged, [])  # kept: the event does not own it
    event = QDropEvent(at_row(window, BAKERY).toPointF(), Qt.DropAction.CopyAction,
                       mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.records.results.dropEvent(event)
    assert event.isAccepted()
    linked = {d["id"] for d in dragged}
    qtbot.waitUntil(lambda: "2 documents linked to Boulangerie Dupré"
                    in window.statusBar().currentMessage(), timeout=10_000)
    assert linked <= {r["id"] for r in record_documents(gui_client, BAKERY)}
    assert window.queue.jobs == {}  # nothing uploaded again


def test_a_products_pictures_show_and_dropped_pictures_join_them(
        qtbot, window: MainWindow, tmp_path: Path) -> None:
    find(qtbot, window, "FS-200", 1)
    choose(qtbot, window, OVEN)
    pictures = window.record_bar.pictures
    assert pictures.isVisible()
    qtbot.waitUntil(lambda: len(pictures.pictures) == 2, timeout=10_000)
    assert pictures.item(0).icon().availableSizes()  # a decoded thumbnail
    photo, notice = tmp_path / "four de face.png", tmp_path / "notice.txt"
    photo.write_bytes(png(40, 30, 77))
    notice.write_text("pas une photo")
    drop_files(pictures, [photo, notice])
    qtbot.waitUntil(lambda: len(window.queue.jobs) == 2 and all(
        j.state.final for j in window.queue.jobs.values()), timeout=15_000)
    states = {j.label: j for j in window.queue.jobs.values()}
    assert states["four de face.png"].state is JobState.DONE
    assert states["notice.txt"].state is JobState.FAILED
    assert "not added to the product's pictures" in states["notice.txt"].message
    qtbot.waitUntil(lambda: len(pictures.pictures) == 3, timeout=10_000)


def test_upload_while_a_record_is_shown_files_and_links_to_it(
        qtbot, window: MainWindow, gui_client, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(upload_dialogs.RecordUploadDialog, "open",
                        lambda dialog: dialog.done(QDialog.DialogCode.Accepted))
    chosen = tmp_path / "attestation.pdf"
    chosen.write_bytes(b"%PDF-1.4 " + os.urandom(300))
    monkeypatch.setattr(window.uploads, "ask_files", lambda: [chosen])
    find(qtbot, window, "Amélie", 1)
    choose(qtbot, window, "12x50")
    window.upload_action.trigger()
    qtbot.waitUntil(lambda: any(j.state is JobState.DONE for j in window.queue.jobs.values()),
                    timeout=15_000)
    (job,) = window.queue.jobs.values()
    assert job.meta["doc_id"] in {r["id"] for r in record_documents(gui_client, "12x50")}
    qtbot.waitUntil(lambda: job.meta["doc_id"] in {r["id"] for r in window.documents.rows},
                    timeout=10_000)  # the record's list shows it once the upload ended


def test_refreshing_keeps_the_record_shown(qtbot, window: MainWindow) -> None:
    find(qtbot, window, "Boulangerie", 1)
    choose(qtbot, window, BAKERY)
    shown = window.documents.rowCount()
    window.refresh_action.trigger()  # folders and documents read again
    qtbot.waitUntil(lambda: not window.documents._loading and window.documents.rowCount()
                    == shown and all(f.count is not None for f in window.folders.folders),
                    timeout=10_000)
    assert window.record is not None and window.record.id == BAKERY
    assert getattr(window.documents.source, "record_id", "") == BAKERY
    assert window.folder_title.text() == "Boulangerie Dupré — Account"


def test_a_product_without_documents_nor_pictures_says_so(qtbot, window: MainWindow) -> None:
    find(qtbot, window, "LOG-BP", 1)
    choose(qtbot, window, "14x64")
    pictures = window.record_bar.pictures
    qtbot.waitUntil(lambda: pictures.count() == 1, timeout=10_000)
    assert pictures.pictures == [] and "No pictures yet" in pictures.item(0).text()
    assert window.documents.rowCount() == 0
    assert "count" not in window.statusBar().currentMessage()  # no error shown
