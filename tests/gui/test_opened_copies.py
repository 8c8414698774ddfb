"""An opened document is a copy: saved changes are offered (or sent) as a new version of
its document, and never lost to the next double-click — on both flavours."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QMessageBox

from kafdocs.api import Client
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.models import RECORD_ROLE
from kafdocs.gui.settings import UPLOAD_SAVED
from kafdocs.transfer import JobState, TransferService
from tests.gui.conftest import select_folder


@pytest.fixture(params=["kafinea", "vtiger"])
def sandbox(request, make_sandbox):
    return make_sandbox(demo_data=True, flavour=request.param)


class Desktop:
    opened: ClassVar[list[Path]] = []

    @classmethod
    def openUrl(cls, url: QUrl) -> bool:
        cls.opened.append(Path(url.toLocalFile()))
        return True


@pytest.fixture
def desktop(monkeypatch) -> type[Desktop]:
    Desktop.opened = []
    monkeypatch.setattr("kafdocs.gui.opener.QDesktopServices", Desktop)
    monkeypatch.setattr("kafdocs.gui.doccache.can_open", lambda path: True)
    return Desktop


@pytest.fixture
def win(qtbot, window_factory, gui_client) -> MainWindow:
    window = window_factory(TransferService(gui_client))
    select_folder(qtbot, window, "Contrats")
    return window


def first_stored(win: MainWindow) -> tuple[Any, dict[str, Any]]:
    for row in range(win.documents.rowCount()):
        index = win.documents.index(row, 0)
        if index.data(RECORD_ROLE).get("imageattachmentids"):
            return index, index.data(RECORD_ROLE)
    raise AssertionError("no document with a file")


def row_of(win: MainWindow, doc_id: str) -> tuple[Any, dict[str, Any]]:
    for row in range(win.documents.rowCount()):
        index = win.documents.index(row, 0)
        if index.data(RECORD_ROLE)["id"] == doc_id:
            return index, index.data(RECORD_ROLE)
    return None, {}


def open_and_wait(qtbot, win: MainWindow, desktop, index) -> Path:
    count = len(desktop.opened)
    win.open_document(index)
    qtbot.waitUntil(lambda: len(desktop.opened) == count + 1, timeout=15_000)
    return desktop.opened[-1]


def content_of(client: Client, doc_id: str) -> bytes:
    client.files_retrieve(client.retrieve(doc_id)["imageattachmentids"])
    return client.buffers[0].getvalue()


def finished_uploads(win: MainWindow) -> list:
    return [j for j in win.queue.jobs.values() if j.kind == "upload" and j.state.final]


def test_a_saved_copy_is_offered_and_sent_as_a_new_version(
        qtbot, win: MainWindow, desktop, gui_client: Client) -> None:
    index, record = first_stored(win)
    copy = open_and_wait(qtbot, win, desktop, index)
    qtbot.waitUntil(lambda: "Opened a copy of" in win.statusBar().currentMessage())
    copy.write_bytes(b"edited in the user's application")
    qtbot.waitUntil(lambda: getattr(win.cache, "offer_box", None) is not None, timeout=10_000)
    box = win.cache.offer_box
    assert f"You saved changes to “{copy.name}”, a copy of the document" in box.text()
    box.buttons()[0].click()  # Upload new version
    qtbot.waitUntil(lambda: len(finished_uploads(win)) == 1, timeout=15_000)
    (job,) = finished_uploads(win)
    assert job.state is JobState.DONE, job.message
    assert job.meta["doc_id"] == record["id"]
    assert content_of(gui_client, record["id"]) == b"edited in the user's application"
    qtbot.waitUntil(lambda: "are in the CRM as its new version" in
                    win.statusBar().currentMessage(), timeout=10_000)
    win.refresh_documents()
    qtbot.waitUntil(lambda: row_of(win, record["id"])[1].get("imageattachmentids") not in
                    (None, record["imageattachmentids"]), timeout=10_000)
    jobs = len(win.queue.jobs)
    again = open_and_wait(qtbot, win, desktop, row_of(win, record["id"])[0])
    assert again.read_bytes() == b"edited in the user's application"
    if again == copy:  # the sent copy is the CRM's file: opened as is (stock vtiger
        assert len(win.queue.jobs) == jobs  # may rename it: then fetched under that name)


def test_a_copy_changed_and_not_sent_is_never_fetched_over(
        qtbot, win: MainWindow, desktop, monkeypatch) -> None:
    monkeypatch.setattr(QMessageBox, "open", lambda self: self.done(0))  # "Not now"
    index, _record = first_stored(win)
    copy = open_and_wait(qtbot, win, desktop, index)
    copy.write_bytes(b"my notes, not uploaded")
    jobs = len(win.queue.jobs)
    assert open_and_wait(qtbot, win, desktop, index) == copy
    assert copy.read_bytes() == b"my notes, not uploaded" and len(win.queue.jobs) == jobs
    qtbot.waitUntil(lambda: "has changes that are not in the CRM" in
                    win.statusBar().currentMessage())


def test_the_setting_sends_a_saved_copy_without_asking(
        qtbot, win: MainWindow, desktop, gui_client: Client, monkeypatch) -> None:
    asked: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "open", lambda self: asked.append(self))
    win.settings.set(UPLOAD_SAVED, True)
    index, record = first_stored(win)
    copy = open_and_wait(qtbot, win, desktop, index)
    copy.write_bytes(b"sent at once")
    qtbot.waitUntil(lambda: len(finished_uploads(win)) == 1, timeout=15_000)
    assert asked == []
    assert content_of(gui_client, record["id"]) == b"sent at once"


def test_an_unchanged_copy_follows_a_new_version_in_the_crm(
        qtbot, win: MainWindow, desktop, gui_client: Client, tmp_path: Path) -> None:
    from kafdocs.transfer.upload import UploadRequest, upload_job
    from tests.transfer.conftest import run_all

    index, record = first_stored(win)
    copy = open_and_wait(qtbot, win, desktop, index)
    newer = tmp_path / "newer.pdf"
    newer.write_bytes(b"%PDF a colleague's new version")
    run_all([upload_job(gui_client, UploadRequest(newer, "", replace_id=record["id"]))])
    win.refresh_documents()
    qtbot.waitUntil(lambda: row_of(win, record["id"])[1].get("imageattachmentids") not in
                    (None, record["imageattachmentids"]), timeout=10_000)
    fetched = open_and_wait(qtbot, win, desktop, row_of(win, record["id"])[0])
    assert fetched.read_bytes() == b"%PDF a colleague's new version"
    assert copy.parent == fetched.parent
