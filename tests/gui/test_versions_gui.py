"""New versions from the window, on both flavours: "Upload new version…", a file dropped
on a document's row, and the duplicate prompt that names the documents and can be
cancelled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog

from kafdocs.api import Client, Query
from kafdocs.gui import upload_dialogs
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.models import RECORD_ROLE
from kafdocs.transfer import JobState
from kafdocs.transfer.upload import OnDuplicate, UploadRequest, upload_job
from tests.gui.conftest import select_folder, user_jobs
from tests.gui.test_mainwindow import drop_files
from tests.transfer.conftest import run_all


@pytest.fixture(params=["kafinea", "vtiger"])
def sandbox(request, make_sandbox):
    return make_sandbox(demo_data=True, flavour=request.param)


def file_in(client: Client, path: Path, title: str, folder: str = "22x1") -> dict[str, Any]:
    (job,) = run_all([upload_job(client, UploadRequest(path, folder, title=title))]
                     ).jobs.values()
    assert job.state is JobState.DONE, job.message
    return client.retrieve(job.meta["doc_id"])


def write(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return folder / name


def in_default(client: Client) -> list[dict[str, Any]]:
    return client.query(Query("Documents").where("folderid", "=", "22x1"))


def content_of(client: Client, doc_id: str) -> bytes:
    client.files_retrieve(client.retrieve(doc_id)["imageattachmentids"])
    return client.buffers[0].getvalue()


def select_row(qtbot, window: MainWindow, doc_id: str) -> int:
    qtbot.waitUntil(lambda: any(r["id"] == doc_id for r in window.documents.rows))
    row = next(r for r in range(window.documents.rowCount())
               if window.documents.index(r, 0).data(RECORD_ROLE)["id"] == doc_id)
    window.table.selectRow(row)
    return row


def answer(monkeypatch, dialog_class: type, then) -> list[QDialog]:
    """Answer every dialog of ``dialog_class`` with ``then(dialog)`` when it opens."""
    shown: list[QDialog] = []

    def opened(self) -> None:
        shown.append(self)
        then(self)

    monkeypatch.setattr(dialog_class, "open", opened)
    return shown


def wait_done(qtbot, window: MainWindow, count: int = 1) -> None:
    """The user's transfers all done, and nothing else said: the copy of the selected
    document fetched for the preview and ahead of a drag, made stale by the new version,
    shows no error."""
    qtbot.waitUntil(lambda: sum(j.state.final for j in user_jobs(window)) >= count,
                    timeout=15_000)
    assert {j.state for j in user_jobs(window)} == {JobState.DONE}, [
        j.message for j in user_jobs(window)]
    qtbot.waitUntil(lambda: not any(j.state.final for j in window.queue.jobs.values()
                                    if j not in user_jobs(window)))  # the others forgotten
    qtbot.waitUntil(lambda: [row.record.state for row in window.transfers.rows]
                    == [JobState.DONE] * count)  # the panel shows them once refreshed
    assert window.message_bar.messages == []


def test_upload_new_version_of_the_selected_document(
        qtbot, window_factory, gui_client: Client, tmp_path: Path, monkeypatch) -> None:
    old = file_in(gui_client, write(tmp_path, "contrat.docx", b"draft"), "Contrat Lefèvre")
    window = window_factory()
    select_folder(qtbot, window, "Default")
    select_row(qtbot, window, old["id"])
    assert window.new_version_action.isEnabled()
    signed = write(tmp_path / "scans", "contrat signé.pdf", b"%PDF signed by both")
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: (str(signed), ""))
    shown = answer(monkeypatch, upload_dialogs.NewVersionDialog,
                   lambda d: d._chosen(d.NEW_VERSION))
    window.new_version_action.trigger()
    wait_done(qtbot, window)
    assert len(shown) == 1
    new = gui_client.retrieve(old["id"])
    assert (new["note_no"], new["notes_title"]) == (old["note_no"], "Contrat Lefèvre")
    assert content_of(gui_client, old["id"]) == b"%PDF signed by both"
    assert window.settings.get("upload/last_dir") == str(tmp_path / "scans")


def test_new_version_dialog_names_the_document_and_its_file(qtbot, gui_client) -> None:
    record = {"id": "15x9", "note_no": "DOC9", "notes_title": "Avenant n°2",
              "filename": "avenant.pdf", "filesize": "2048", "modifiedtime": ""}
    dialog = upload_dialogs.NewVersionDialog("avenant signé.pdf", 4096, record,
                                             gui_client.server_zone, offer_new_document=True)
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(upload_dialogs.QLabel))
    assert "“avenant signé.pdf”" in texts and "“Avenant n°2” — DOC9" in texts
    assert "its current file “avenant.pdf” is replaced" in texts
    names = [b.text() for b in dialog.buttons.buttons()]
    assert "Upload new version" in names and "Add as a new document" in names


def test_a_file_dropped_on_a_row_becomes_its_new_version_once_confirmed(
        qtbot, window_factory, gui_client: Client, tmp_path: Path, monkeypatch) -> None:
    old = file_in(gui_client, write(tmp_path, "devis.pdf", b"quote"), "Devis 2026")
    window = window_factory()
    select_folder(qtbot, window, "Default")
    row = select_row(qtbot, window, old["id"])
    before = len(in_default(gui_client))
    shown = answer(monkeypatch, upload_dialogs.NewVersionDialog,
                   lambda d: d._chosen(d.NEW_VERSION))
    newer = write(tmp_path / "new", "devis v2.pdf", b"quote, accepted")
    drop_files(window.table, [newer], window.table.visualRect(
        window.documents.index(row, 0)).center())
    wait_done(qtbot, window)
    assert len(shown) == 1
    assert content_of(gui_client, old["id"]) == b"quote, accepted"
    assert len(in_default(gui_client)) == before


def test_a_file_dropped_on_a_row_may_be_added_as_a_document_of_its_own(
        qtbot, window_factory, gui_client: Client, tmp_path: Path, monkeypatch) -> None:
    old = file_in(gui_client, write(tmp_path, "devis.pdf", b"quote"), "Devis 2026")
    window = window_factory()
    select_folder(qtbot, window, "Default")
    row = select_row(qtbot, window, old["id"])
    before = len(in_default(gui_client))
    answer(monkeypatch, upload_dialogs.NewVersionDialog, lambda d: d._chosen(d.NEW_DOCUMENT))
    answer(monkeypatch, upload_dialogs.UploadDialog,
           lambda d: d.done(QDialog.DialogCode.Accepted))
    drop_files(window.table, [write(tmp_path / "new", "annexe.pdf", b"annex")],
               window.table.visualRect(window.documents.index(row, 0)).center())
    wait_done(qtbot, window)
    assert content_of(gui_client, old["id"]) == b"quote"
    assert len(in_default(gui_client)) == before + 1


def test_replace_in_the_prompt_acts_on_exactly_the_document_picked(
        qtbot, window_factory, gui_client: Client, tmp_path: Path, monkeypatch) -> None:
    cgv = file_in(gui_client, write(tmp_path / "a", "conditions.pdf", b"cgv"),
                  "Conditions générales de vente")
    avenant = file_in(gui_client, write(tmp_path / "b", "conditions.pdf", b"avenant"),
                      "Avenant n°2 Lefèvre")
    window = window_factory()
    select_folder(qtbot, window, "Default")
    answer(monkeypatch, upload_dialogs.UploadDialog,
           lambda d: d.done(QDialog.DialogCode.Accepted))

    def pick_the_avenant(dialog) -> None:
        lines = [dialog.listing.item(n).text() for n in range(dialog.listing.count())]
        assert any(line.startswith("“Conditions générales de vente” — DOC") for line in lines)
        assert dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
        dialog.choice_buttons[OnDuplicate.REPLACE].setChecked(True)
        assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
        dialog.listing.setCurrentRow(next(n for n, line in enumerate(lines)
                                          if "Avenant" in line))
        dialog.accept()

    shown = answer(monkeypatch, upload_dialogs.DuplicateDialog, pick_the_avenant)
    window.start_upload([write(tmp_path / "c", "conditions.pdf", b"avenant signed")], None)
    wait_done(qtbot, window)
    assert len(shown) == 1
    assert content_of(gui_client, avenant["id"]) == b"avenant signed"
    assert content_of(gui_client, cgv["id"]) == b"cgv"
    titles = {r["notes_title"] for r in in_default(gui_client)}
    assert {"Conditions générales de vente", "Avenant n°2 Lefèvre"} <= titles
    assert not any(t.startswith("conditions") for t in titles)


@pytest.mark.parametrize("how", ["escape", "cancel button", "window closed"])
def test_cancelling_the_duplicate_prompt_cancels_the_drop(
        qtbot, window_factory, gui_client: Client, tmp_path: Path, monkeypatch,
        how: str) -> None:
    file_in(gui_client, write(tmp_path / "a", "rapport.pdf", b"v1"), "Rapport")
    before = len(in_default(gui_client))
    window = window_factory()
    select_folder(qtbot, window, "Default")
    answer(monkeypatch, upload_dialogs.UploadDialog,
           lambda d: d.done(QDialog.DialogCode.Accepted))

    def cancel(dialog) -> None:
        QDialog.open(dialog)  # shown for real: the user sees it and escapes or closes it
        if how == "escape":
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        elif how == "cancel button":
            dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
        else:
            dialog.close()

    shown = answer(monkeypatch, upload_dialogs.DuplicateDialog, cancel)
    messages: list[str] = []
    window.uploads.said.connect(lambda text, _ms: messages.append(text))
    window.start_upload([write(tmp_path / "b", "rapport.pdf", b"v2"),
                         write(tmp_path / "b", "autre.pdf", b"other")], None)
    qtbot.waitUntil(lambda: "Upload cancelled: nothing was sent." in messages)
    assert len(shown) == 1 and window.queue.jobs == {}
    assert len(in_default(gui_client)) == before
