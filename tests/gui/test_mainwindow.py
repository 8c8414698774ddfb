"""The main window against the sandbox: browse, drop to upload, download, cancel."""

from __future__ import annotations

import os
import threading
from collections import Counter
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog

from kafdocs.gui import upload_dialogs
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.transfer import JobState
from kafdocs.transfer.storednames import server_names
from tests.gui.conftest import select_folder


def drop_files(view, paths: list[Path], pos: QPoint | None = None) -> None:
    """A synthetic drop with real file URLs, handed to the view's drop handler."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    where = pos or view.viewport().rect().center()
    event = QDropEvent(where.toPointF(), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    view.dropEvent(event)
    assert event.isAccepted()


def auto_accept(monkeypatch) -> list:
    """Every question of an upload is answered at once, as by its default button."""
    shown: list = []

    def accept(self) -> None:
        shown.append(self)
        self.done(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(upload_dialogs.UploadDialog, "open", accept)
    monkeypatch.setattr(upload_dialogs.DuplicateDialog, "open", accept)
    return shown


def test_folders_listed_with_counts_and_documents_shown(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: all(f.count is not None for f in window.folders.folders))
    names = [window.folders.index(r).data() for r in range(window.folders.rowCount())]
    assert "Factures 2026 (9)" in names
    select_folder(qtbot, window, "Factures 2026")
    assert window.documents.rowCount() == 9
    assert window.folder_title.text() == "Factures 2026"
    assert "Signed in as admin" in window.who.text()


def test_dropping_files_uploads_them_into_the_current_folder(
        qtbot, window: MainWindow, tmp_path: Path, monkeypatch) -> None:
    shown = auto_accept(monkeypatch)
    select_folder(qtbot, window, "Ressources humaines")
    before = window.documents.rowCount()
    files = []
    for name in ("note été.txt", "scan.pdf"):
        files.append(tmp_path / name)
        files[-1].write_bytes(b"kafdocs " + os.urandom(2000))  # no picture to libmagic
    drop_files(window.table, files)
    qtbot.waitUntil(lambda: window.documents.rowCount() == before + 2, timeout=15_000)
    assert len(shown) == 1  # one prompt per drop
    names = {r["filename"] for r in window.documents.rows}
    assert "scan.pdf" in names and names & set(server_names("note été.txt"))


def test_dropping_on_a_folder_uploads_into_that_folder(
        qtbot, window: MainWindow, tmp_path: Path, monkeypatch, gui_client) -> None:
    auto_accept(monkeypatch)
    target = next(f for f in window.folders.folders if f.name == "Default")
    path = tmp_path / "dropped.txt"
    path.write_text("hello")
    rect = window.folder_view.visualRect(window.folders.index(
        window.folders.row_of(target.id)))
    drop_files(window.folder_view, [path], rect.center())
    qtbot.waitUntil(lambda: any(j.state is JobState.DONE for j in window.queue.jobs.values()),
                    timeout=15_000)
    rows = gui_client.query(f"SELECT * FROM Documents WHERE folderid = '{target.id}';")
    assert "dropped.txt" in {r["filename"] for r in rows}


def test_duplicate_prompt_applies_to_all(qtbot, window: MainWindow, tmp_path: Path,
                                         monkeypatch) -> None:
    from kafdocs.transfer.upload import OnDuplicate

    shown = auto_accept(monkeypatch)
    monkeypatch.setattr(upload_dialogs.DuplicateDialog, "policy",
                        property(lambda self: OnDuplicate.SKIP))
    select_folder(qtbot, window, "Factures 2026")
    files = []
    for n in (1, 2):
        files.append(tmp_path / f"Facture F2026-00{n}.pdf")
        files[-1].write_bytes(b"%PDF dup")
    window.start_upload(files, None)
    qtbot.waitUntil(lambda: len(shown) >= 2, timeout=10_000)
    assert sum(isinstance(d, upload_dialogs.DuplicateDialog) for d in shown) == 1
    assert window.queue.jobs == {}  # both skipped by one answer


def test_keep_both_files_the_new_document_as_name_2(qtbot, window: MainWindow, tmp_path: Path,
                                                    monkeypatch, gui_client) -> None:
    auto_accept(monkeypatch)  # the duplicate prompt's default: keep both
    select_folder(qtbot, window, "Factures 2026")
    path = tmp_path / "Facture F2026-001.pdf"
    path.write_bytes(b"%PDF again")
    window.start_upload([path], None)
    qtbot.waitUntil(lambda: any(j.state is JobState.DONE for j in window.queue.jobs.values()),
                    timeout=15_000)
    (job,) = window.queue.jobs.values()
    assert job.message.startswith("kept both as Facture F2026-001 (2).pdf; filed as DOC")
    names = {r["filename"] for r in gui_client.query(
        "SELECT filename FROM Documents WHERE filename LIKE 'Facture%F2026-001%';")}
    (kept,) = names - {"Facture F2026-001.pdf"}  # stock vtiger: Facture_F2026-001_(2).pdf
    assert kept in server_names("Facture F2026-001 (2).pdf") and len(names) == 2


def test_download_folder_puts_the_files_on_disk(qtbot, window: MainWindow,
                                               tmp_path: Path) -> None:
    folder = next(f for f in window.folders.folders if f.name == "Marketing & Communication")
    window.start_folder_download(folder, tmp_path / "out")
    qtbot.waitUntil(lambda: window.transfers.rowCount() == 4 and all(
        r.record.state.final for r in window.transfers.rows), timeout=15_000)
    files = sorted(p.name for p in (tmp_path / "out" / folder.name).iterdir()
                   if not p.name.startswith("."))
    assert files == ["Photo équipe été.png", "Plaquette « Énergie » 2026.pdf",
                     "logo_couleur.png"]
    states = {window.transfers.index(r, 2).data() for r in range(window.transfers.rowCount())}
    assert states == {"Done", "Skipped"}


def test_a_transfer_can_be_cancelled(qtbot, window: MainWindow, tmp_path: Path,
                                     gui_client, sandbox) -> None:
    from kafdocs.transfer.upload import UploadRequest

    sandbox.server.config.bandwidth = 10_000_000  # 4 s for this file: time to cancel
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(30_000_000))
    window.queue.upload([UploadRequest(big, "22x1")])
    qtbot.waitUntil(lambda: window.transfers.rowCount() == 1 and window.queue.jobs[1].done > 0,
                    timeout=15_000)
    job = window.queue.jobs[1]
    window.transfer_view.selectRow(0)
    window.cancel_selected_transfers()
    qtbot.waitUntil(lambda: job.state is JobState.CANCELLED, timeout=15_000)
    qtbot.waitUntil(lambda: window.transfers.index(0, 2).data() == "Cancelled")
    rows = gui_client.query("SELECT * FROM Documents WHERE filename = 'big.bin';")
    assert rows == []


def test_the_window_lists_a_folder_while_an_upload_is_held_in_flight(
        qtbot, window: MainWindow, sandbox, tmp_path: Path, monkeypatch) -> None:
    """The upload runs off the GUI thread: while the server holds its body half-read,
    the window shows the job running and lists another folder; then the upload ends.
    (How long the GUI thread stalls during a large upload: tests/perf/bench_gui.py.)"""
    from kafdocs.transfer.upload import UploadRequest

    held, release = threading.Event(), threading.Event()
    received: Counter[int] = Counter()

    def hold_large_bodies(size: int) -> None:  # the sandbox's pacing hook, per 64 KiB read
        received[threading.get_ident()] += size
        if received[threading.get_ident()] > 1_000_000:
            held.set()
            release.wait(60)

    monkeypatch.setattr(sandbox.server.config, "bandwidth", 1)  # turns the hook on
    monkeypatch.setattr(sandbox.server.config, "pace", hold_large_bodies)
    big = tmp_path / "large.bin"
    big.write_bytes(os.urandom(3_000_000))
    window.queue.upload([UploadRequest(big, "22x1")])
    try:
        qtbot.waitUntil(held.is_set, timeout=20_000)
        qtbot.waitUntil(lambda: 1 in window.queue.jobs, timeout=10_000)
        job = window.queue.jobs[1]
        qtbot.waitUntil(lambda: job.state is JobState.RUNNING)
        select_folder(qtbot, window, "Contrats")
        assert not job.state.final  # all of it while the body was held
    finally:
        release.set()
    qtbot.waitUntil(lambda: job.state.final, timeout=30_000)
    assert job.state is JobState.DONE, job.message


def test_closing_with_transfers_running_asks_first(qtbot, window_factory, gui_client,
                                                   monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from kafdocs.transfer import Job, TransferService

    service = TransferService(gui_client)
    window = window_factory(service)
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[1]) or QMessageBox.StandardButton.No)
    service.submit(Job("slow", lambda ctx: ctx.job.cancel_event.wait(60) and "x"))
    qtbot.waitUntil(lambda: window.queue.busy)
    window.close()
    assert asked and window.isVisible()
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.close()
    assert not window.isVisible() and not window.queue.busy


def test_models_pass_the_model_tester(qtbot, window: MainWindow, qtmodeltester) -> None:
    qtmodeltester.check(window.folders)
    qtmodeltester.check(window.documents)
    qtmodeltester.check(window.transfers)


def test_help_about_tells_versions_server_and_log_and_copies_them(qtbot, window,
                                                                   monkeypatch) -> None:
    from kafdocs import __version__
    from kafdocs.gui.about import AboutDialog

    window.show_about()
    dialog = window.findChild(AboutDialog)
    qtbot.waitExposed(dialog)
    text = dialog.details.toPlainText()
    for expected in (f"kafdocs version: {__version__}", f"Server: {window.client.endpoint[:-14]}",
                     "Server version: 8.0.2", "Webservice API version: ", "Qt version: ",
                     "Python version: ", "Log file: "):
        assert expected in text
    assert window.client._access_key not in text
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == text
    dialog.close()


def test_help_opens_the_log_folder(window, monkeypatch) -> None:
    from kafdocs import logfile

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url))
    window.open_log_folder()
    assert [u.toLocalFile() for u in opened] == [str(logfile.log_folder())]
