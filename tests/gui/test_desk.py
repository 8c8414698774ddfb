"""Find, look at and manage documents in the window: search, preview, details, rename,
describe, move (by drag onto a folder), delete, new folder — against the sandbox."""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QBuffer, Qt
from PySide6.QtGui import QColor, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from kafdocs.api import Client, Query
from kafdocs.gui.drops import documents_mime
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.models import FOLDER
from kafdocs.gui.search import SearchBox
from kafdocs.gui.settings import PREVIEW_MAX_MB
from kafdocs.sandbox.app import Sandbox
from kafdocs.transfer import FINAL_EVENTS, JobEvent, JobState, TransferService
from kafdocs.transfer.sources import FolderDocuments, SearchResults
from tests.conftest import ACCESS_KEY
from tests.gui.conftest import Desktop, select_folder
from tests.gui.test_mainwindow import auto_accept
from tests.transfer.conftest import add_document, attach_file


def jpeg_turned(width: int, height: int) -> bytes:
    """A JPEG stored ``width`` x ``height`` whose EXIF says: turn it 90° to show it."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPEG")
    data = bytes(buffer.data())
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) + \
        struct.pack("<HHII", 0x0112, 3, 1, 6) + struct.pack("<I", 0)  # Orientation = 6
    exif = b"Exif\x00\x00" + tiff
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + data[2:]


@pytest.fixture
def crm(sandbox: Sandbox) -> Iterator[Client]:
    with Client(sandbox.url, "admin", ACCESS_KEY) as client:
        yield client


@pytest.fixture
def extra(sandbox: Sandbox, crm: Client) -> dict[str, dict]:
    """Documents of every kind the preview knows, in the folder "Default"."""
    made = {
        "photo": add_document(crm, sandbox, "22x1", "photo.jpg", jpeg_turned(400, 200),
                              title="Photo tournée", filetype="image/jpeg"),
        "latin": add_document(crm, sandbox, "22x1", "ancien.txt",
                              "Relevé de l'été, façade côté rue\n".encode("cp1252") * 20,
                              title="Texte ancien", filetype="text/plain"),
        "csv": add_document(crm, sandbox, "22x1", "ventes.csv",
                            "mois;ventes\njanvier;12\nfévrier;15\n".encode(),
                            title="Ventes", filetype="text/csv"),
        "zip": add_document(crm, sandbox, "22x1", "archive.zip", b"PK\x05\x06" + bytes(18),
                            title="Archive", filetype="application/zip"),
        "broken": add_document(crm, sandbox, "22x1", "abîmé.pdf", b"%PDF-1.4\ngarbage",
                               title="PDF abîmé", filetype="application/pdf"),
        "not_a_picture": add_document(crm, sandbox, "22x1", "photo.png", b"not a picture",
                                      title="Fausse photo", filetype="image/png"),
    }
    return made


@pytest.fixture
def win(qtbot, window_factory, gui_client, extra, desktop) -> MainWindow:
    """A window whose transfers run in this process (quicker to start than the helper)."""
    window = window_factory(TransferService(gui_client))
    qtbot.waitUntil(lambda: window.desk.rights.update and window.documents.titles_editable)
    return window


def row_of(win: MainWindow, title: str) -> int:
    return next(r for r, rec in enumerate(win.documents.rows) if rec["notes_title"] == title)


def choose(qtbot, win: MainWindow, *titles: str) -> None:
    """Select these documents of the table, as a click and Ctrl+clicks would."""
    win.table.clearSelection()
    for title in titles:
        index = win.documents.index(row_of(win, title), 0)
        win.table.selectionModel().select(index, win.table.selectionModel().SelectionFlag.Select
                                          | win.table.selectionModel().SelectionFlag.Rows)
    flags = win.table.selectionModel().SelectionFlag
    win.table.selectionModel().setCurrentIndex(
        win.documents.index(row_of(win, titles[-1]), 0), flags.NoUpdate)
    assert sorted(r["notes_title"] for r in win.selected_records()) == sorted(titles)
    qtbot.waitUntil(lambda: not win._selection_timer.isActive())  # preview and details told


def preview(qtbot, win: MainWindow, title: str, state: str) -> None:
    choose(qtbot, win, title)
    qtbot.waitUntil(lambda: win.preview.record is not None
                    and win.preview.record["notes_title"] == title
                    and win.preview.state == state, timeout=15_000)


def answer(qtbot, win: MainWindow, text: str | None = None, yes: bool = True) -> None:
    """Answer the question the desk actions opened."""
    qtbot.waitUntil(lambda: win.desk.dialog is not None)
    dialog = win.desk.dialog
    if isinstance(dialog, QMessageBox):
        dialog.button(QMessageBox.StandardButton.Yes if yes
                      else QMessageBox.StandardButton.No).click()
    else:
        assert isinstance(dialog, QInputDialog)
        if text is not None:
            dialog.setTextValue(text)
        dialog.accept() if yes else dialog.reject()


def server(crm: Client, doc_id: str) -> dict:
    return crm.retrieve(doc_id)


# -- search -----------------------------------------------------------------------
def test_search_lists_every_folder_with_a_folder_column_and_escape_goes_back(
        qtbot, win: MainWindow) -> None:
    select_folder(qtbot, win, "Factures 2026")
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.search.field)
    qtbot.keyClicks(win.search.field, "lefevre")
    qtbot.waitUntil(lambda: isinstance(win.documents.source, SearchResults)
                    and not win.documents.loading and win.documents.rowCount() == 1)
    assert win.documents.rows[0]["notes_title"] == "Avenant n°2 Lefèvre"
    assert win.documents.columns[1] == FOLDER
    assert win.documents.index(0, 1).data() == "Contrats"
    assert win.folder_title.text() == "“lefevre” in all folders"
    assert win.count_label.text() == "1 document"
    qtbot.keyClick(win.search.field, Qt.Key.Key_Escape)
    assert isinstance(win.documents.source, FolderDocuments)
    assert win.folder_title.text() == "Factures 2026" and win.search.field.text() == ""
    qtbot.waitUntil(lambda: win.documents.rowCount() == 9)


def test_search_in_this_folder_replaces_the_old_filter_of_loaded_rows(
        qtbot, win: MainWindow) -> None:
    select_folder(qtbot, win, "Factures 2026")
    win.find_here_action.trigger()
    assert win.search.here and "Factures 2026" in win.search.scope.currentText()
    win.search.field.setText("003")
    qtbot.waitUntil(lambda: isinstance(win.documents.source, SearchResults)
                    and not win.documents.loading)
    assert [r["notes_title"] for r in win.documents.rows] == ["Facture F2026-003"]
    assert FOLDER not in win.documents.columns
    win.folder_view.clicked.emit(win.folder_view.currentIndex())  # the folder list: back
    assert isinstance(win.documents.source, FolderDocuments)


def test_typing_is_debounced_and_only_the_last_text_is_searched(qtbot) -> None:
    box = SearchBox(debounce_ms=50)
    qtbot.addWidget(box)
    searched: list[str] = []
    box.searched.connect(lambda text, here: searched.append(text))
    for text in ("f", "fa", "fac", "fact"):
        box.field.setText(text)
    qtbot.waitUntil(lambda: searched != [])
    assert searched == ["fact"]
    box.field.setText("")
    with qtbot.waitSignal(box.cleared):
        pass


def test_actions_work_on_search_results(qtbot, win: MainWindow, crm: Client) -> None:
    """A result moved to another folder stays listed with its new folder; a result
    deleted leaves the list and the count."""
    win.start_search("facture f2026-00", here=False)
    qtbot.waitUntil(lambda: isinstance(win.documents.source, SearchResults)
                    and not win.documents.loading and win.documents.rowCount() == 8)
    moved = win.documents.rows[row_of(win, "Facture F2026-001")]
    drop_documents(win, [moved], "Contrats")
    qtbot.waitUntil(lambda: win.documents.index(row_of(win, "Facture F2026-001"), 1).data()
                    == "Contrats", timeout=10_000)
    assert win.documents.rowCount() == 8 and isinstance(win.documents.source, SearchResults)
    choose(qtbot, win, "Facture F2026-002")
    gone = win.selected_records()[0]["id"]
    win.delete_action.trigger()
    answer(qtbot, win, yes=True)
    qtbot.waitUntil(lambda: win.documents.rowCount() == 7, timeout=10_000)
    assert crm.query(Query("Documents").where("id", "=", gone)) == []
    assert win.count_label.text() == "7 documents"


def test_the_first_rows_show_while_the_list_is_counted(qtbot, win: MainWindow,
                                                       monkeypatch) -> None:
    """A search's count reads every match: the rows found first do not wait for it."""
    import threading
    held = threading.Event()
    count = SearchResults.count

    def slow_count(source, client):
        assert held.wait(10)
        return count(source, client)

    monkeypatch.setattr(SearchResults, "count", slow_count)
    win.documents.page_size = 3
    win.table.setFixedHeight(60)  # full with 3 rows: the view asks for no more
    win.start_search("facture f2026", here=False)
    qtbot.waitUntil(lambda: win.documents.rowCount() == 3)
    assert win.count_label.text() == "3 shown, counting…"
    held.set()
    qtbot.waitUntil(lambda: win.count_label.text() == "3 of 8 loaded")


def test_search_in_this_folder_finds_a_document_not_loaded_yet_on_stock_vtiger(
        qtbot, flavoured) -> None:
    """Issue 21.4: the old filter saw only the rows loaded; the search asks the server."""
    win = flavoured("vtiger")
    win.documents.page_size = 3  # the folder's 9 invoices: 3 loaded, as a big folder's 100
    win.table.setFixedHeight(60)  # full with 3 rows: the view asks for no more
    select_folder(qtbot, win, "Factures 2026")
    assert win.documents.rowCount() == 3 and not win.documents.complete
    assert "Facture F2026-008" not in [r["notes_title"] for r in win.documents.rows]
    win.find_here_action.trigger()
    win.search.field.setText("f2026-008")
    qtbot.waitUntil(lambda: isinstance(win.documents.source, SearchResults)
                    and not win.documents.loading and win.documents.rowCount() == 1,
                    timeout=10_000)
    assert win.documents.rows[0]["notes_title"] == "Facture F2026-008"
    assert win.folder_title.text() == "“f2026-008” in “Factures 2026”"


# -- preview ------------------------------------------------------------------------
def test_pdf_preview_shows_the_first_page(qtbot, win: MainWindow) -> None:
    select_folder(qtbot, win, "Contrats")
    preview(qtbot, win, "Conditions générales de vente", "pdf")
    page = win.preview.picture.image
    assert not page.isNull() and page.height() > page.width()  # an A4 page, upright
    assert win.preview.page_label.text() == "Page 1 of 1"
    assert not win.preview.next.isEnabled()


def test_image_preview_is_turned_as_its_exif_says(qtbot, win: MainWindow) -> None:
    select_folder(qtbot, win, "Default")
    preview(qtbot, win, "Photo tournée", "image")
    shown = win.preview.picture.image
    assert shown.height() > shown.width()  # stored 400 x 200, shown upright: 200 x 400


def test_text_preview_detects_the_encoding(qtbot, win: MainWindow) -> None:
    select_folder(qtbot, win, "Default")
    preview(qtbot, win, "Texte ancien", "text")
    assert "Relevé de l'été, façade côté rue" in win.preview.text.toPlainText()


def test_csv_preview_is_a_table(qtbot, win: MainWindow) -> None:
    select_folder(qtbot, win, "Default")
    preview(qtbot, win, "Ventes", "table")
    model = win.preview.table.model()
    assert model.headerData(1, Qt.Orientation.Horizontal) == "ventes"
    assert model.index(1, 0).data() == "février"


def test_unknown_type_shows_its_icon_and_says_so(qtbot, win: MainWindow) -> None:
    select_folder(qtbot, win, "Default")
    preview(qtbot, win, "Archive", "message")
    assert "No preview for this kind of file" in win.preview.message.text()
    assert "archive.zip" in win.preview.message.text() and win.preview.icon.isVisible()
    assert win.preview._waiting is None  # the preview fetched nothing for nothing


@pytest.mark.parametrize(("title", "said"), [
    ("PDF abîmé", "the file is damaged or is not really a PDF"),
    ("Fausse photo", "the picture is damaged, or of a kind this computer cannot show")])
def test_a_damaged_file_says_so_in_plain_words(qtbot, win: MainWindow, title: str,
                                               said: str) -> None:
    select_folder(qtbot, win, "Default")
    choose(qtbot, win, title)
    qtbot.waitUntil(lambda: win.preview.message.text().startswith("This file cannot be shown"),
                    timeout=15_000)
    assert win.preview.message.text() == f"This file cannot be shown: {said}"
    assert "PDFium" not in win.preview.message.text()


def test_a_large_file_waits_for_preview_anyway(qtbot, win: MainWindow) -> None:
    win.settings.set(PREVIEW_MAX_MB, 0)
    select_folder(qtbot, win, "Contrats")
    preview(qtbot, win, "Conditions générales de vente", "message")
    assert "large" in win.preview.message.text() and win.preview.anyway.isVisible()
    assert win.preview._waiting is None
    win.preview.anyway.click()
    qtbot.waitUntil(lambda: win.preview.state == "pdf", timeout=15_000)


def test_several_documents_selected_are_counted(qtbot, win: MainWindow) -> None:
    select_folder(qtbot, win, "Contrats")
    choose(qtbot, win, "Conditions générales de vente", "Bon de commande Moreau")
    qtbot.waitUntil(lambda: "2 documents selected" in win.preview.message.text())
    assert win.details.summary.startswith("2 documents selected")


def test_moving_on_cancels_the_fetch_of_the_previous_preview(
        qtbot, make_sandbox: Callable[..., Sandbox], settings, tasks, tmp_path) -> None:
    box = make_sandbox(demo_data=True, bandwidth=200_000)
    with Client(box.url, "admin", ACCESS_KEY) as client:
        big = add_document(client, box, "22x1", "gros.pdf", None, title="Gros PDF",
                           filetype="application/pdf")
        attach_file(box, big["id"], b"%PDF-1.4\n" + bytes(3_000_000))
        window = MainWindow(client, settings, tasks, TransferService(client))
        window.cache_dir = tmp_path / "cache"
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.folders.rowCount() > 0)
        select_folder(qtbot, window, "Default")
        ended: list[JobEvent] = []
        window.queue.subscribe(lambda e: ended.append(e) if e.kind in FINAL_EVENTS else None)
        preview(qtbot, window, "Gros PDF", "fetching")
        qtbot.waitUntil(lambda: any(j.state is JobState.RUNNING
                                    for j in window.queue.jobs.values()), timeout=10_000)
        (big_job,) = [j.id for j in window.queue.jobs.values() if j.label == "gros.pdf"]
        assert window.transfers.rowCount() == 0  # fetched for a look: no transfer row
        preview(qtbot, window, "Note de bienvenue", "text")
        qtbot.waitUntil(lambda: any(e.job_id == big_job for e in ended), timeout=10_000)
        assert [e.kind for e in ended if e.job_id == big_job] == ["cancelled"]
        window.queue.shutdown(cancel=True)


def test_previews_are_drawn_off_the_gui_thread(qtbot, win: MainWindow, monkeypatch) -> None:
    """PDF pages and pictures are decoded by the TaskRunner, never on the GUI thread."""
    import threading

    from kafdocs.gui import preview as preview_module
    threads: list[bool] = []

    def on_a_thread(render: Callable) -> Callable:
        def recorded(*args):
            threads.append(threading.current_thread() is threading.main_thread())
            return render(*args)
        return recorded

    for name in ("render_pdf_page", "render_image"):
        monkeypatch.setattr(preview_module, name, on_a_thread(getattr(preview_module, name)))
    select_folder(qtbot, win, "Default")
    preview(qtbot, win, "Photo tournée", "image")
    select_folder(qtbot, win, "Contrats")
    preview(qtbot, win, "Conditions générales de vente", "pdf")
    assert threads == [False, False]


def test_the_preview_pane_is_hidden_and_stays_hidden(qtbot, win: MainWindow,
                                                     window_factory) -> None:
    """View → Preview (F3) is remembered: a window opened later starts without it."""
    assert win.side.isVisible() and win.preview_action.isChecked()
    win.preview_action.trigger()
    assert not win.side.isVisible()
    later = window_factory(TransferService(win.client))
    assert not later.preview_action.isChecked() and not later.side.isVisible()
    later.preview_action.trigger()
    assert later.side.isVisible()


# -- details ------------------------------------------------------------------------
def test_details_show_the_linked_records_and_open_the_crm_page(qtbot, win: MainWindow) -> None:
    select_folder(qtbot, win, "Contrats")
    choose(qtbot, win, "Contrat d'installation photovoltaïque")
    qtbot.waitUntil(lambda: win.details.values["linked"] not in ("…", ""), timeout=10_000)
    values = win.details.values
    assert values["linked"].splitlines() == ["Énergies du Sud (Account)",
                                             "Panneau solaire 400 W (Product)"]
    assert values["folder"] == "Contrats" and values["owner"] != "—"
    assert values["number"].startswith("DOC")
    shown = win.details.view.toPlainText()
    assert "Énergies du Sud (Account)" in shown and "Linked to" in shown
    win.details.open_crm.click()
    number = win.details.record["id"].split("x")[1]
    assert Desktop.opened[-1].toString().endswith(
        f"/index.php?module=Documents&view=Detail&record={number}")


def test_details_show_times_as_the_table_does(qtbot, win: MainWindow) -> None:
    """Both convert the server's local times to the user's zone."""
    from kafdocs.api.servertime import ServerZone
    win.client.server_zone = ServerZone("Asia/Tokyo", "setting")  # far from this machine's
    select_folder(qtbot, win, "Contrats")
    choose(qtbot, win, "Bon de commande Moreau")
    column = win.documents.columns.index("modifiedtime")
    shown = win.documents.index(row_of(win, "Bon de commande Moreau"), column).data()
    assert win.details.values["modified"] == shown


def test_details_of_a_document_linked_to_nothing_say_so(qtbot, win: MainWindow) -> None:
    select_folder(qtbot, win, "Default")
    choose(qtbot, win, "Archive")
    qtbot.waitUntil(lambda: win.details.values["linked"] != "…", timeout=10_000)
    assert win.details.values["linked"] == "no record"


# -- changes ------------------------------------------------------------------------
def test_f2_renames_in_place(qtbot, win: MainWindow, crm: Client) -> None:
    select_folder(qtbot, win, "Contrats")
    choose(qtbot, win, "Bon de commande Moreau")
    record = win.documents.rows[row_of(win, "Bon de commande Moreau")]
    qtbot.keyClick(win.table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert editor is not None and editor is not win.table
    assert editor.text() == "Bon de commande Moreau"  # was: empty, typing wiped the title
    editor.setText("Bon de commande Moreau — signé")  # (keyClicks types ASCII only)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: server(crm, record["id"])["notes_title"] ==
                    "Bon de commande Moreau — signé", timeout=10_000)
    qtbot.waitUntil(lambda: any(r["id"] == record["id"] and
                                r["notes_title"] == "Bon de commande Moreau — signé"
                                for r in win.documents.rows))
    assert server(crm, record["id"])["filename"] == record["filename"]


def test_edit_description(qtbot, win: MainWindow, crm: Client) -> None:
    select_folder(qtbot, win, "Contrats")
    choose(qtbot, win, "Conditions générales de vente")
    doc_id = win.details.record["id"]
    win.details.describe.click()
    answer(qtbot, win, "Version de mars 2026\nvalidée")
    qtbot.waitUntil(lambda: server(crm, doc_id)["notecontent"] ==
                    "Version de mars 2026\nvalidée", timeout=10_000)
    qtbot.waitUntil(lambda: win.details.values["description"] ==
                    "Version de mars 2026\nvalidée")


def test_one_description_for_several_documents(qtbot, win: MainWindow, crm: Client) -> None:
    select_folder(qtbot, win, "Contrats")
    choose(qtbot, win, "Avenant n°2 Lefèvre", "Bon de commande Moreau")
    ids = [r["id"] for r in win.selected_records()]
    win.describe_action.trigger()
    qtbot.waitUntil(lambda: win.desk.dialog is not None)
    assert "these 2 documents" in win.desk.dialog.labelText()
    answer(qtbot, win, "Signé par les deux parties")
    qtbot.waitUntil(lambda: all(server(crm, i)["notecontent"] == "Signé par les deux parties"
                                for i in ids), timeout=10_000)


def drop_documents(win: MainWindow, records: list[dict], folder: str) -> None:
    row = next(i for i, f in enumerate(win.folders.folders) if f.name == folder)
    where = win.folder_view.visualRect(win.folders.index(row)).center()
    mime = documents_mime(records, [])  # kept: the event does not own it
    event = QDropEvent(where.toPointF(), Qt.DropAction.MoveAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    win.folder_view.dropEvent(event)
    assert event.isAccepted() and event.dropAction() == Qt.DropAction.MoveAction


def test_dragging_documents_onto_a_folder_moves_them(qtbot, win: MainWindow,
                                                     crm: Client) -> None:
    select_folder(qtbot, win, "Contrats")
    records = [win.documents.rows[row_of(win, t)] for t in ("Avenant n°2 Lefèvre",
                                                           "Bon de commande Moreau")]
    drop_documents(win, records, "Ressources humaines")
    qtbot.waitUntil(lambda: win.documents.rowCount() == 3, timeout=10_000)
    target = next(f for f in win.folders.folders if f.name == "Ressources humaines")
    assert {server(crm, r["id"])["folderid"] for r in records} == {target.id}
    assert server(crm, records[0]["id"])["imageattachmentids"] == \
        records[0]["imageattachmentids"]
    counts = {"Ressources humaines": 4, "Contrats": 3}  # each recounted by a task of its own
    qtbot.waitUntil(lambda: all(f.count == counts[f.name] for f in win.folders.folders
                                if f.name in counts))


def test_move_to_reports_each_document_that_failed(qtbot, win: MainWindow,
                                                   crm: Client) -> None:
    select_folder(qtbot, win, "Contrats")
    choose(qtbot, win, "Avenant n°2 Lefèvre", "Bon de commande Moreau")
    gone = win.documents.rows[row_of(win, "Bon de commande Moreau")]
    crm.delete(gone["id"])  # by someone else, meanwhile
    win.move_action.trigger()
    qtbot.waitUntil(lambda: win.desk.dialog is not None)
    win.desk.dialog.setTextValue("Default")
    win.desk.dialog.accept()
    qtbot.waitUntil(lambda: isinstance(win.desk.dialog, QMessageBox), timeout=10_000)
    report = win.desk.dialog.text()
    assert "1 of 2 documents could not be moved" in report
    assert "Bon de commande Moreau: it was deleted" in report
    win.desk.dialog.accept()
    qtbot.waitUntil(lambda: win.documents.rowCount() == 4)


def test_delete_names_the_documents_defaults_to_no_and_mentions_the_recycle_bin(
        qtbot, win: MainWindow, crm: Client) -> None:
    select_folder(qtbot, win, "Contrats")
    choose(qtbot, win, "Avenant n°2 Lefèvre", "Bon de commande Moreau")
    ids = [r["id"] for r in win.selected_records()]
    win.delete_action.trigger()
    qtbot.waitUntil(lambda: win.desk.dialog is not None)
    box = win.desk.dialog
    assert "• Avenant n°2 Lefèvre" in box.text() and "• Bon de commande Moreau" in box.text()
    assert "recycle bin" in box.informativeText()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    answer(qtbot, win, yes=False)
    assert crm.retrieve(ids[0])
    win.delete_action.trigger()
    answer(qtbot, win, yes=True)
    qtbot.waitUntil(lambda: win.documents.rowCount() == 3, timeout=10_000)
    assert crm.query(Query("Documents").where("id", "IN", ids)) == []
    qtbot.waitUntil(lambda: next(f for f in win.folders.folders
                                 if f.name == "Contrats").count == 3)


def test_counts_and_list_follow_an_upload_without_refresh(qtbot, win: MainWindow, tmp_path,
                                                          monkeypatch) -> None:
    """Issue 15: a folder showed "(3)" while listing 5 documents until F5."""
    auto_accept(monkeypatch)
    select_folder(qtbot, win, "Ressources humaines")
    qtbot.waitUntil(lambda: all(f.count is not None for f in win.folders.folders))
    before = win.documents.rowCount()
    files = [tmp_path / "fiche de poste.txt", tmp_path / "planning.txt"]
    for path in files:
        path.write_text("kafdocs " + path.name)
    win.start_upload(files, None)
    qtbot.waitUntil(lambda: win.documents.rowCount() == before + 2, timeout=15_000)
    qtbot.waitUntil(lambda: next(f for f in win.folders.folders
                                 if f.name == "Ressources humaines").count == before + 2,
                    timeout=10_000)
    assert win.count_label.text() == f"{before + 2} documents"


@pytest.fixture
def flavoured(qtbot, make_sandbox: Callable[..., Sandbox], settings, tasks, tmp_path):
    made: list[MainWindow] = []

    def make(flavour: str) -> MainWindow:
        box = make_sandbox(demo_data=True, flavour=flavour)
        client = Client(box.url, "admin", ACCESS_KEY)
        client.login()
        window = MainWindow(client, settings, tasks, TransferService(client))
        window.cache_dir = tmp_path / "cache"
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.folders.rowCount() > 0 and window.desk.rights.update)
        assert window.rename_action.isEnabled()  # describe has answered
        made.append(window)
        return window

    yield make
    for window in made:
        window.queue.shutdown(cancel=True)
        window.client.close()
    tasks.wait(10_000)


def test_a_user_who_may_not_change_documents_is_offered_no_change(
        qtbot, make_sandbox: Callable[..., Sandbox], settings, tasks, tmp_path,
        monkeypatch) -> None:
    """describe says what the user may do: the sandbox's answer, with the rights a
    read-only CRM profile gets (its admin user may do everything)."""
    box = make_sandbox(demo_data=True)
    real = Client.describe

    def read_only(client: Client, module: str) -> dict:
        answer = dict(real(client, module))
        answer.update(createable=False, updateable=False, deleteable=False)
        return answer

    monkeypatch.setattr(Client, "describe", read_only)
    client = Client(box.url, "admin", ACCESS_KEY)
    client.login()
    window = MainWindow(client, settings, tasks, TransferService(client))
    window.cache_dir = tmp_path / "cache"
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.desk.rights.folder_refusal.startswith("Your CRM user"),
                    timeout=10_000)
    for action in (window.rename_action, window.describe_action, window.move_action,
                   window.delete_action, window.new_folder_action, window.upload_action):
        assert not action.isEnabled(), action.text()
    assert window.new_folder_action.toolTip() == "Your CRM user may not create folders."
    select_folder(qtbot, window, "Contrats")
    choose(qtbot, window, "Bon de commande Moreau")
    assert not window.details.describe.isEnabled()
    assert not window.documents.flags(window.documents.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    records = [window.documents.rows[row_of(window, "Bon de commande Moreau")]]
    drop_documents(window, records, "Default")  # a drag onto a folder: refused, said why
    qtbot.waitUntil(lambda: "Your CRM user may not change documents."
                    in window.message_bar.messages)
    assert client.retrieve(records[0]["id"])["folderid"] == records[0]["folderid"]
    window.queue.shutdown(cancel=True)
    client.close()


def test_new_folder_where_the_server_can_create_folders(qtbot, flavoured) -> None:
    win = flavoured("kafinea")
    assert win.new_folder_action.isEnabled()
    win.new_folder_action.trigger()
    answer(qtbot, win, "Archives 2025")
    qtbot.waitUntil(lambda: any(f.name == "Archives 2025" for f in win.folders.folders),
                    timeout=10_000)


def test_new_folder_is_disabled_on_stock_vtiger_with_the_reason(qtbot, flavoured) -> None:
    win = flavoured("vtiger")
    assert not win.new_folder_action.isEnabled()
    assert "cannot create folders" in win.new_folder_action.toolTip()
    assert "known fault of vtiger" in win.new_folder_action.toolTip()


def test_open_in_the_crm_gives_the_address_when_no_browser_starts(
        qtbot, win: MainWindow, monkeypatch) -> None:
    monkeypatch.setattr(Desktop, "openUrl", classmethod(lambda cls, url: False))
    select_folder(qtbot, win, "Contrats")
    choose(qtbot, win, "Bon de commande Moreau")
    win.details.open_crm.click()  # was: nothing at all
    (said,) = win.message_bar.messages
    number = win.details.record["id"].split("x")[1]
    assert said.startswith("No web browser could be started to show the document in the CRM.")
    assert said.endswith(f"/index.php?module=Documents&view=Detail&record={number}")
